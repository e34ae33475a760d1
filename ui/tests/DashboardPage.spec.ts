import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import DashboardPage from '@/pages/DashboardPage.vue'
import { ApiError, call } from '@/api/client'
import type { Clock, ClockList } from '@/api/types.gen'
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

describe('DashboardPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  describe('with clocks', () => {
    beforeEach(() => {
      callMock.mockImplementation((async (command: string) => {
        if (command === 'clock.list') {
          const list: ClockList = { today: '2026-11-23', within: 3, items: [running, dueSoon, overdue] }
          return list
        }
        throw new ApiError('UNKNOWN_COMMAND', `unexpected ${command}`)
      }) as typeof call)
    })

    it('counts the clocks by state', async () => {
      const wrapper = mountPage()
      await settle()
      expect(callMock).toHaveBeenCalledWith('clock.list', {})
      const count = (s: string) => wrapper.get(`[data-testid="clock-count-${s}"]`).text()
      expect(count('Overdue')).toContain('已逾期')
      expect(count('Overdue')).toContain('1')
      expect(count('DueSoon')).toContain('即将到期')
      expect(count('DueSoon')).toContain('1')
      expect(count('Running')).toContain('进行中')
      expect(count('Running')).toContain('1')
    })

    it('lists the overdue clock first, then by due date, with Chinese labels', async () => {
      const wrapper = mountPage()
      await settle()
      const rows = wrapper.get('[data-testid="clock-table"]').findAll('tbody tr')
      expect(rows).toHaveLength(3)
      expect(rows[0].text()).toContain('线索〔2026〕3号')
      expect(rows[0].text()).toContain('线索核查') // no label from the API: the kind's Chinese name
      expect(rows[0].text()).toContain('已逾期')
      expect(rows[0].text()).toContain('逾期 2 个工作日')
      expect(rows[0].find('.el-tag--danger').exists()).toBe(true)
      expect(rows[1].text()).toContain('文书送达（行政处罚决定书）')
      expect(rows[1].text()).toContain('即将到期')
      expect(rows[1].find('.el-tag--warning').exists()).toBe(true)
      expect(rows[2].text()).toContain('陈述申辩期')
      expect(rows[2].text()).toContain('国家医保局令第4号')
      expect(rows[2].find('.el-tag--info').exists()).toBe(true)
    })
  })

  it('shows an empty state when there are no clocks', async () => {
    callMock.mockResolvedValue({ today: '2026-11-23', within: 3, items: [] } satisfies ClockList)
    const wrapper = mountPage()
    await settle()
    expect(wrapper.get('[data-testid="clock-table"]').text()).toContain('暂无进行中的法定期限')
    expect(wrapper.get('[data-testid="clock-count-Overdue"]').text()).toContain('0')
  })
})
