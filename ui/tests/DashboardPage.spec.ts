import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import DashboardPage from '@/pages/DashboardPage.vue'
import { ApiError, call } from '@/api/client'
import type { Clock, ClockBoard, ClockList, YearSummary } from '@/api/types.gen'
import { globalPlugins, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const base: Clock = {
  kind: 'StatementWindow',
  label: '陈述申辩期',
  case_id: 7,
  reference: '南医保案〔2026〕7号',
  party: '长春市南关区中心医院',
  started_on: '2026-11-01',
  due_on: '2026-11-30',
  state: 'Running',
  working_days_left: 5,
  basis: '国家医保局令第4号',
  warnings: [],
}
const running = base
const dueSoon: Clock = { ...base, kind: 'Service', label: '文书送达（行政处罚决定书）', due_on: '2026-11-25', state: 'DueSoon', working_days_left: 2 }
const overdue: Clock = {
  ...base,
  kind: 'LeadCheck',
  label: '',
  case_id: undefined,
  lead_id: 3,
  reference: '线索〔2026〕3号',
  party: '',
  due_on: '2026-12-20', // later date, but overdue must still come first
  state: 'Overdue',
  working_days_left: -2,
  basis: '',
}

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  return mount(DashboardPage, { global: { plugins: [...globalPlugins, router] }, attachTo: document.body })
}

/** A board of the three groups, each with `total` clocks of which `items` are the first page. */
function boardOf(groups: { Overdue?: [number, Clock[]]; DueSoon?: [number, Clock[]]; Running?: [number, Clock[]] }): ClockBoard {
  return {
    today: '2026-11-23',
    within: 3,
    groups: (['Overdue', 'DueSoon', 'Running'] as const).map((state) => {
      const [total, items] = groups[state] ?? [0, []]
      return { state, total, items }
    }),
    // Counted by kind: the overdue lead check, the service due soon, and 45 running statement windows.
    kinds: [
      { kind: 'LeadCheck', overdue: groups.Overdue?.[0] ?? 0, due_soon: 0, running: 0 },
      { kind: 'StatementWindow', overdue: 0, due_soon: 0, running: groups.Running?.[0] ?? 0 },
      { kind: 'Service', overdue: 0, due_soon: groups.DueSoon?.[0] ?? 0, running: 0 },
    ].filter((k) => k.overdue + k.due_soon + k.running > 0) as ClockBoard['kinds'],
  }
}

const summary: YearSummary = {
  year: 2026,
  today: '2026-11-23',
  due: '1234567.8',
  paid: '86543.21',
  offset: '0.00',
  receipted: '80000.00',
  outstanding: '1148024.59',
  overdue: '10000.00',
  overdue_matters: 1,
}

describe('DashboardPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  describe('with clocks', () => {
    beforeEach(() => {
      callMock.mockImplementation((async (command: string, payload: Record<string, unknown>) => {
        if (command === 'clock.board') return boardOf({ Overdue: [1, [overdue]], DueSoon: [1, [dueSoon]], Running: [45, [running]] })
        if (command === 'ledger.year_summary') return summary
        if (command === 'platform.pending')
          return {
            total: 2,
            items: [
              { item: 'Notice', id: 3, case_id: 7, reference: 'AJ2026-0007', party: '长春市南关区中心医院', number: '南医保追〔2026〕3号', on: '2026-11-02' },
              { item: 'Receipt', id: 9, self_correction_id: 2, reference: 'ZC2026-0002', party: '张桂芳', number: '吉财票000123', on: '2026-11-05' },
            ],
          }
        if (command === 'task.mine')
          return [
            { role: 'Approver', label: '已告知、待作出决定', total: 7, items: [{ case_id: 7, reference: 'AJ2026-0007', party: '长春市南关区中心医院' }] },
          ]
        if (command === 'clock.list') {
          const list: ClockList = {
            today: '2026-11-23',
            within: 3,
            total: 45,
            items: [{ ...running, reference: `第${payload.offset}项起` }],
          }
          return list
        }
        throw new ApiError('UNKNOWN_COMMAND', `unexpected ${command}`)
      }) as typeof call)
    })

    it("shows this year's recovery in 元 with thousands separators", async () => {
      const wrapper = mountPage()
      await settle()
      expect(callMock).toHaveBeenCalledWith('ledger.year_summary', {})
      const money = wrapper.get('[data-testid="year-summary"]').text()
      expect(money).toContain('应追回')
      expect(wrapper.get('[data-testid="year-due"]').text()).toContain('1,234,567.80')
      expect(wrapper.get('[data-testid="year-paid"]').text()).toContain('86,543.21')
      expect(wrapper.get('[data-testid="year-overdue"]').text()).toContain('1 件')
      expect(wrapper.text()).toContain('2026年追回情况')
    })

    it('lists what is not entered in the 医保信息平台 yet, each with its number and matter', async () => {
      const wrapper = mountPage()
      await settle()
      expect(callMock).toHaveBeenCalledWith('platform.pending', { limit: 20 })
      expect(wrapper.get('[data-testid="platform-section"]').text()).toContain('待录入医保信息平台（2 项）')
      const table = wrapper.get('[data-testid="platform-table"]').text()
      expect(table).toContain('追回通知单')
      expect(table).toContain('南医保追〔2026〕3号')
      expect(table).toContain('财政票据')
      expect(table).toContain('ZC2026-0002')
    })

    it('lists what waits for me, per role, one click from the matter', async () => {
      const wrapper = mountPage()
      await settle()
      const task = wrapper.get('[data-testid="task-已告知、待作出决定"]').text()
      expect(task).toContain('审批人')
      expect(task).toContain('AJ2026-0007')
      expect(task).toContain('另有 6 件')
      expect(wrapper.get('[data-testid="task-已告知、待作出决定"] a').attributes('href')).toContain('/cases/7')
    })

    it('counts the clocks by state from the board, never asking for every clock', async () => {
      const wrapper = mountPage()
      await settle()
      expect(callMock).toHaveBeenCalledWith('clock.board', { limit: 20 })
      expect(callMock).not.toHaveBeenCalledWith('clock.list', expect.anything())
      const count = (s: string) => wrapper.get(`[data-testid="clock-count-${s}"]`).text()
      expect(count('Overdue')).toContain('已逾期')
      expect(count('Overdue')).toContain('1')
      expect(count('DueSoon')).toContain('即将到期')
      expect(count('DueSoon')).toContain('1')
      expect(count('Running')).toContain('进行中')
      expect(count('Running')).toContain('45')
    })

    it('counts the clocks by kind; a count opens that kind in that state through clock.list', async () => {
      const wrapper = mountPage()
      await settle()
      const kinds = wrapper.get('[data-testid="clock-kinds"]').text()
      for (const t of ['期限类型', '陈述申辩期', '45']) expect(kinds).toContain(t)
      await wrapper.get('[data-testid="clock-kind-StatementWindow-Running"]').trigger('click')
      await settle()
      expect(callMock).toHaveBeenCalledWith('clock.list', { today: '2026-11-23', within: 3, state: 'Running', kind: 'StatementWindow', offset: 0, limit: 20 })
      expect(wrapper.get('[data-testid="clock-section"]').text()).toContain('进行中 · 陈述申辩期（45 项）')
      expect(wrapper.get('[data-testid="clock-table"]').text()).toContain('第0项起')
      await wrapper.get('[data-testid="clock-kind-clear"]').trigger('click')
      await settle()
      expect(wrapper.get('[data-testid="clock-section"]').text()).toContain('进行中（45 项）')
    })

    it('opens on the overdue clocks, with Chinese labels', async () => {
      const wrapper = mountPage()
      await settle()
      expect(wrapper.get('[data-testid="clock-section"]').text()).toContain('已逾期（1 项）')
      const rows = wrapper.get('[data-testid="clock-table"]').findAll('tbody tr')
      expect(rows).toHaveLength(1)
      expect(rows[0].text()).toContain('线索〔2026〕3号')
      expect(rows[0].text()).toContain('线索核查') // no label from the API: the kind's Chinese name
      expect(rows[0].text()).toContain('逾期 2 个工作日')
      expect(rows[0].find('.el-tag--danger').exists()).toBe(true)
    })

    it('shows another state on a click, and its later pages through clock.list', async () => {
      const wrapper = mountPage()
      await settle()
      await wrapper.get('[data-testid="clock-count-DueSoon"]').trigger('click')
      await settle()
      let rows = wrapper.get('[data-testid="clock-table"]').findAll('tbody tr')
      expect(rows[0].text()).toContain('文书送达（行政处罚决定书）')
      expect(rows[0].find('.el-tag--warning').exists()).toBe(true)
      expect(wrapper.find('[data-testid="clock-pager"]').exists()).toBe(false)

      await wrapper.get('[data-testid="clock-count-Running"]').trigger('click')
      await settle()
      expect(wrapper.get('[data-testid="clock-section"]').text()).toContain('进行中（45 项）')
      const pager = wrapper.get('[data-testid="clock-pager"]')
      await pager.findAll('.el-pager li').find((li) => li.text() === '3')!.trigger('click')
      await settle()
      expect(callMock).toHaveBeenCalledWith('clock.list', {
        today: '2026-11-23',
        within: 3,
        state: 'Running',
        offset: 40,
        limit: 20,
      })
      rows = wrapper.get('[data-testid="clock-table"]').findAll('tbody tr')
      expect(rows[0].text()).toContain('第40项起')
    })
  })

  it('shows an empty state when there are no clocks', async () => {
    callMock.mockImplementation((async (command: string) =>
      command === 'ledger.year_summary'
        ? { ...summary, due: '0', paid: '0', overdue: '0', overdue_matters: 0 }
        : command === 'task.mine'
          ? []
          : boardOf({})) as typeof call)
    const wrapper = mountPage()
    await settle()
    expect(wrapper.get('[data-testid="clock-table"]').text()).toContain('暂无已逾期的法定期限')
    expect(wrapper.get('[data-testid="clock-count-Overdue"]').text()).toContain('0')
  })
})
