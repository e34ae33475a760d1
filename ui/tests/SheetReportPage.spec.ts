import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import SheetReportPage from '@/pages/SheetReportPage.vue'
import { call } from '@/api/client'
import type { Sheet } from '@/api/types'
import { globalPlugins, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const ledger: Sheet = {
  kind: 'RecoveryLedger',
  title: '医保基金追回台账（按案件）',
  office: '某县医疗保障局',
  from: '2026-01-01',
  to: '2026-03-31',
  period: '统计期间：2026年1月1日至2026年3月31日（金额截至2026年3月31日）',
  addressee: '',
  tables: [
    {
      title: '',
      columns: [
        { label: '案件编号或退回明细单编号', format: 'Text', width: 2 },
        { label: '未追回（元）', format: 'Yuan', width: 1.3 },
        { label: '逾期天数（自然日，自缴费时限次日起算至截止日）', format: 'Days', width: 1.4 },
      ],
      rows: [
        { cells: [{ text: '和医保案〔2026〕2号', case_id: 2 }, { text: '8000.00', drill: 'case:2' }, { text: '32', drill: 'case:2' }], total: false },
        { cells: [{ text: '合计' }, { text: '12345.60', drill: 'all' }, { text: '32', drill: 'all' }], total: true },
      ],
    },
  ],
  notes: ['1．说明一'],
  preparer: '张三',
  checker: '李四',
}

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  return mount(SheetReportPage, {
    props: { kinds: ['RecoveryLedger', 'RecoveryByInstitution'], period: 'range', testId: 'sheet-ledger' },
    global: { plugins: [...globalPlugins, router] },
    attachTo: document.body,
  })
}

describe('SheetReportPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the sheet with grouped figures, links the case, and opens the matters behind a figure with its key', async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'report.sheet') return ledger as never
      if (command === 'report.sheet_drill')
        return { items: [{ kind: 'Case', id: 2, number: '和医保案〔2026〕2号', party: '某药店', amount: '8000.00' }], total: 1 } as never
      throw new Error(command)
    })
    const w = mountPage()
    await settle()
    const first = callMock.mock.calls.find(([c]) => c === 'report.sheet')
    expect(first?.[1]).toMatchObject({ report: 'RecoveryLedger' })
    const table = w.get('[data-testid="sheet-table-0"]')
    expect(table.findAll('thead th').map((t) => t.text())).toEqual([
      '案件编号或退回明细单编号',
      '未追回（元）',
      '逾期天数（自然日，自缴费时限次日起算至截止日）',
    ])
    expect(table.get('tbody tr a').text()).toBe('和医保案〔2026〕2号')
    expect(table.get('tr.total').text()).toContain('12,345.60')
    expect(w.get('[data-testid="sheet-notes"]').text()).toContain('说明一')

    await table.get('tr.total .el-button').trigger('click')
    await settle()
    const drill = callMock.mock.calls.find(([c]) => c === 'report.sheet_drill')
    expect(drill?.[1]).toMatchObject({ key: 'all', query: { report: 'RecoveryLedger' }, offset: 0 })
    const body = document.body.textContent ?? ''
    expect(body).toContain('某药店')
    expect(body).toContain('8,000.00')
    expect(body).toContain('合计：未追回（元）')
  })
})
