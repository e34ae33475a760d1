import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import CasesPage from '@/pages/CasesPage.vue'
import { ApiError, call } from '@/api/client'
import type { Case, CaseQuery } from '@/api/types.gen'
import { globalPlugins, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const first: Case = {
  id: 7,
  uid: '220102-case-7',
  case_number: '南医保案〔2026〕7号',
  track: 'Administrative',
  party_kind: 'Institution',
  institution_id: 1,
  party: '长春市南关区中心医院',
  source: 'Report',
  summary: '串换药品',
  handler_id: 1,
  handler: '张三',
  co_handler_id: 2,
  co_handler: '李四',
  status: 'Investigating',
  filed_on: '2026-09-10',
  decision_due: '2026-12-09',
  decision_extended: false,
  repeat_offence: false,
  voluntary_return: false,
  recovery_total: '13345.68',
  liquidated_damages: '0.00',
  created_at: '2026-09-10T08:00:00Z',
  updated_at: '2026-09-10T08:00:00Z',
}
const second: Case = {
  ...first,
  id: 8,
  uid: '220102-case-8',
  case_number: '南医保协〔2026〕2号',
  track: 'Agreement',
  party: '长春市南关区康民大药房',
  status: 'Decided',
  recovery_total: '500.00',
}

function fakeServer(): void {
  callMock.mockImplementation((async (command: string, payload: unknown) => {
    if (command === 'case.list') {
      const q = (payload as CaseQuery).query ?? ''
      const items = [first, second].filter((c) => c.party.includes(q) || c.case_number.includes(q))
      return { items, total: items.length }
    }
    throw new ApiError('UNKNOWN_COMMAND', `unexpected ${command}`)
  }) as typeof call)
}

function mountPage() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }],
  })
  const wrapper = mount(CasesPage, { global: { plugins: [...globalPlugins, router] }, attachTo: document.body })
  return { wrapper, router }
}

describe('CasesPage', () => {
  beforeEach(fakeServer)
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('asks for the first page and renders one row per case with Chinese labels', async () => {
    const { wrapper } = mountPage()
    await settle()
    expect(callMock).toHaveBeenCalledWith('case.list', { offset: 0, limit: 20 })
    const rows = wrapper.get('[data-testid="case-table"]').findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('南医保案〔2026〕7号')
    expect(rows[0].text()).toContain('长春市南关区中心医院')
    expect(rows[0].text()).toContain('行政执法')
    expect(rows[0].text()).toContain('调查中')
    expect(rows[0].text()).toContain('2026-09-10')
    expect(rows[0].text()).toContain('13,345.68')
    expect(rows[1].text()).toContain('协议处理')
    expect(rows[1].text()).toContain('已决定')
    expect(wrapper.get('[data-testid="case-pager"]').text()).toContain('共 2 条')
  })

  it('sends the search text to case.list after the debounce', async () => {
    const { wrapper } = mountPage()
    await settle()
    callMock.mockClear()

    await wrapper.get('input[data-testid="case-search"]').setValue('康民')
    expect(callMock).not.toHaveBeenCalled()
    await settle(5, 400)

    expect(callMock).toHaveBeenCalledTimes(1)
    expect(callMock).toHaveBeenCalledWith('case.list', { query: '康民', offset: 0, limit: 20 })
    const rows = wrapper.get('[data-testid="case-table"]').findAll('tbody tr')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('长春市南关区康民大药房')
  })

  it('sends the filters and the 立案日期 sort to case.list, each from page 1', async () => {
    const { wrapper } = mountPage()
    await settle()
    callMock.mockClear()

    await wrapper.get('[data-testid="case-open-only"] input').setValue(true)
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('case.list', { offset: 0, limit: 20, open_only: true })

    // The date column sorts on the server: ascending asks for the oldest first.
    const header = wrapper.findAll('[data-testid="case-table"] thead th').find((th) => th.text().includes('立案日期'))!
    await header.trigger('click')
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('case.list', { offset: 0, limit: 20, open_only: true, oldest_first: true })
    await header.trigger('click')
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('case.list', { offset: 0, limit: 20, open_only: true })
  })

  it('sends the amount range as typed (separators, full-width digits) and the overdue filter', async () => {
    const { wrapper } = mountPage()
    await settle()
    callMock.mockClear()

    const min = wrapper.get('input[data-testid="case-amount-min"]')
    await min.setValue('１,000.5')
    await min.trigger('change')
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('case.list', { offset: 0, limit: 20, amount_min: '1000.50' })

    await wrapper.get('[data-testid="case-overdue-only"] input').setValue(true)
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('case.list', { offset: 0, limit: 20, amount_min: '1000.50', overdue_only: true })

    // A malformed bound is named and nothing is asked for.
    callMock.mockClear()
    const max = wrapper.get('input[data-testid="case-amount-max"]')
    await max.setValue('12元3')
    await max.trigger('change')
    await settle()
    expect(callMock).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="case-amount-problem"]').text()).toContain('金额上限')
  })

  it('opens the detail when a row is clicked', async () => {
    const { wrapper, router } = mountPage()
    await settle()
    await wrapper.get('[data-testid="case-table"]').findAll('tbody tr')[1].trigger('click')
    await settle()
    expect(router.currentRoute.value.path).toBe('/cases/8')
  })
})
