import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import CountyData from '@/components/CountyData.vue'
import { call } from '@/api/client'
import type { CityMonthly, MonthlyCell } from '@/api/types.gen'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const cells = (total: string, recovered: string): MonthlyCell[] => [
  { column: 'InstitutionsTotal', text: total, count: Number(total), amount: null },
  { column: 'Recovered', text: recovered, count: 1, amount: '12345.67' },
]

const table: CityMonthly = {
  year: 2026,
  month: 11,
  groups: [
    { label: '定点医药机构数（家）', columns: [{ column: 'InstitutionsTotal', label: '总数' }] },
    { label: '追回医保基金（万元）', columns: [{ column: 'Recovered', label: '金额' }] },
  ],
  counties: [
    { code: '370102', name: '历下区医疗保障局', cells: cells('20', '1.23'), days_since_contact: 0 },
    { code: '370103', name: '市中区医疗保障局', cells: cells('15', '0.50'), days_since_contact: 3 },
  ],
  total: cells('35', '1.73'),
  notes: ['1．说明一'],
}

const byTestId = (id: string) => document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`)

describe('各区县数据 (the city hub)', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('shows each county row and the city total, and opens a county read-only through county.read', async () => {
    callMock.mockImplementation(async (command: string, payload?: unknown) => {
      if (command === 'county.monthly') return table as never
      const p = payload as { command: string }
      if (command === 'county.read' && p.command === 'clock.list')
        return { today: '2026-12-02', within: 5, total: 1, items: [{ kind: 'Payment', label: '退缴时限', case_id: 7, lead_id: null, reference: 'AJ2026-0007', party: '历下区某医院', started_on: '2026-11-01', due_on: '2026-11-30', state: 'Overdue', working_days_left: 0, basis: '', warnings: [] }] } as never
      if (command === 'county.read' && p.command === 'case.list') return { items: [], total: 0 } as never
      return undefined as never
    })
    mount(CountyData, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(callMock).toHaveBeenCalledWith('county.monthly', expect.objectContaining({ year: expect.any(Number), month: expect.any(Number) }))
    const text = byTestId('county-table')?.textContent ?? ''
    expect(text).toContain('历下区医疗保障局')
    expect(text).toContain('3天前报送')
    expect(byTestId('county-total')?.textContent).toContain('35')
    expect(byTestId('county-total')?.textContent).toContain('1.73')

    byTestId('county-open-370102')?.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('county.read', { code: '370102', command: 'clock.list', payload: { state: 'Overdue', limit: 100 } })
    expect(byTestId('county-clocks')?.textContent).toContain('AJ2026-0007')
    expect(callMock.mock.calls.every(([c]) => c === 'county.monthly' || c === 'county.read')).toBe(true)
  })

  it('opens the matters behind a county\'s number, and a case there with its documents, on that county\'s data', async () => {
    callMock.mockImplementation(async (command: string, payload?: unknown) => {
      if (command === 'county.monthly') return table as never
      const p = payload as { code: string; command: string; payload: { [k: string]: unknown } }
      if (command !== 'county.read') return undefined as never
      if (p.command === 'report.monthly_drill')
        return { items: [{ kind: 'Case', id: 7, number: 'AJ2026-0007', party: '市中区某医院', amount: '12345.67' }], total: 1 } as never
      if (p.command === 'clock.list') return { today: '2026-12-02', within: 5, total: 0, items: [] } as never
      if (p.command === 'case.list') return { items: [], total: 0 } as never
      if (p.command === 'case.get')
        return {
          case: { id: 7, case_number: 'AJ2026-0007', party: '市中区某医院', status: 'Open', track: 'Agreement', filed_on: '2026-11-02', handler: '张三', summary: '串换项目', recovery_total: '12345.67', liquidated_damages: '0.00', closed_on: null },
          findings: [], recovery_lines: [], timeline: [],
        } as never
      if (p.command === 'document.list')
        return [{ id: 3, uid: 'u', case_id: 7, self_correction_id: null, kind: 'RecoveryNotice', title: '追回通知书', year: 2026, seq: 12, number: '市中医保追〔2026〕12号', sha256: '', issued_on: '2026-11-20', issued_by: '张三', prints: 0 }] as never
      return undefined as never
    })
    mount(CountyData, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    byTestId('county-cell-370103-Recovered')?.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('county.read', {
      code: '370103',
      command: 'report.monthly_drill',
      payload: expect.objectContaining({ column: 'Recovered', offset: 0 }),
    })
    const drill = byTestId('sheet-drill-dialog')?.textContent ?? ''
    expect(drill).toContain('市中区医疗保障局')
    expect(drill).toContain('12,345.67')
    // The case is the county's: it opens in the county's dialog, not the city's case page.
    expect(byTestId('sheet-drill-table')?.querySelector('a')).toBeNull()
    const caseButton = [...(byTestId('sheet-drill-table')?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.includes('AJ2026-0007'))
    caseButton?.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('county.read', { code: '370103', command: 'case.get', payload: { id: 7 } })
    expect(callMock).toHaveBeenCalledWith('county.read', { code: '370103', command: 'document.list', payload: { case_id: 7 } })
    expect(byTestId('county-case-documents')?.textContent).toContain('市中医保追〔2026〕12号')
  })
})
