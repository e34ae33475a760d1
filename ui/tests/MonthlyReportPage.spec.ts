import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import MonthlyReportPage from '@/pages/MonthlyReportPage.vue'
import { call } from '@/api/client'
import type { MonthlyTable } from '@/api/types'
import { globalPlugins, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const table: MonthlyTable = {
  title: '医保基金监督检查情况统计表',
  office: '某县医疗保障局',
  year: 2026,
  month: 3,
  from: '2026-01-01',
  to: '2026-03-31',
  due: '2026-04-03',
  due_warnings: [],
  office_heading: '填报单位',
  groups: [
    { label: '定点医药机构数', columns: [{ column: 'InstitutionsTotal', label: '总数' }, { column: 'InstitutionsMedical', label: '医疗机构' }] },
    { label: '定点医药机构处理情况', columns: [{ column: 'Recovered', label: '追回医保基金' }] },
  ],
  cells: [
    { column: 'InstitutionsTotal', text: '2345', count: 2345 },
    { column: 'InstitutionsMedical', text: '1200', count: 1200 },
    { column: 'Recovered', text: '1234.57', count: 3, amount: '12345678.90' },
  ],
  notes: ['1．说明一', '2．说明二'],
  settings: {
    recovered_basis: 'Receipted',
    amount_decimals: 2,
    due_day: 3,
    roll_due_to_working_day: true,
    principal: '',
    checker: '',
    preparer: '',
    phone: '',
  },
}

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  return mount(MonthlyReportPage, { global: { plugins: [...globalPlugins, router] }, attachTo: document.body })
}

describe('MonthlyReportPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the merged headers, grouped numbers, the notes, and opens the matters behind a number', async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'report.monthly') return table as never
      if (command === 'report.monthly_drill')
        return { items: [{ kind: 'Case', id: 7, number: '和医保案〔2026〕7号', party: '某医院', amount: '8500.00' }], total: 1 } as never
      throw new Error(command)
    })
    const w = mountPage()
    await settle()
    const heads = w.findAll('[data-testid="report-table"] thead tr')
    expect(heads[0].findAll('th').map((t) => [t.text(), t.attributes('colspan') ?? t.attributes('rowspan')])).toEqual([
      ['填报单位', '2'],
      ['定点医药机构数', '2'],
      ['定点医药机构处理情况', '1'],
    ])
    expect(heads[1].findAll('th').map((t) => t.text())).toEqual(['总数', '医疗机构', '追回医保基金'])
    expect(w.get('[data-testid="report-cell-InstitutionsTotal"]').text()).toBe('2,345')
    expect(w.get('[data-testid="report-cell-Recovered"]').text()).toBe('1,234.57')
    expect(w.get('[data-testid="report-due"]').text()).toContain('2026年4月3日')
    expect(w.get('[data-testid="report-notes"]').text()).toContain('说明二')

    await w.get('[data-testid="report-cell-Recovered"]').trigger('click')
    await settle()
    const drill = callMock.mock.calls.find(([c]) => c === 'report.monthly_drill')
    expect(drill?.[1]).toMatchObject({ column: 'Recovered', offset: 0 })
    const body = document.body.textContent ?? ''
    expect(body).toContain('和医保案〔2026〕7号')
    expect(body).toContain('8,500.00')
    expect(body).toContain('追回医保基金（万元）')
  })

  it('asks for the month typed into the picker, and drills into that month', async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'report.monthly') return table as never
      if (command === 'report.monthly_drill') return { items: [], total: 0 } as never
      throw new Error(command)
    })
    const w = mountPage()
    await settle()
    const input = w.get('[data-testid="report-month"] input')
    await input.setValue('2026年1月')
    await input.trigger('keydown', { key: 'Enter', code: 'Enter' })
    await settle()
    const asked = callMock.mock.calls.filter(([c]) => c === 'report.monthly').map(([, r]) => r)
    expect(asked.at(-1)).toEqual({ year: 2026, month: 1 })
    await w.get('[data-testid="report-cell-Recovered"]').trigger('click')
    await settle()
    const drill = callMock.mock.calls.find(([c]) => c === 'report.monthly_drill')
    expect(drill?.[1]).toMatchObject({ year: 2026, month: 1, column: 'Recovered' })
  })
})
