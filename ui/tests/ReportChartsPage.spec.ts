import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import ReportChartsPage from '@/pages/ReportChartsPage.vue'
import { call } from '@/api/client'
import type { Charts } from '@/api/types'
import { globalPlugins, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

// ECharts draws on a canvas jsdom does not have: the chart is replaced by a stand-in that keeps
// its option and emits the click on a bar as ECharts does (`dataIndex`).
vi.mock('vue-echarts', async () => {
  const { defineComponent, h } = await import('vue')
  return {
    default: defineComponent({
      props: { option: { type: Object, required: true } },
      emits: ['click'],
      setup(props, { emit }) {
        return () =>
          h(
            'button',
            {
              class: 'chart-stub',
              'data-bars': JSON.stringify((props.option as { xAxis: { data: string[] } }).xAxis.data),
              onClick: () => emit('click', { dataIndex: 1 }),
            },
            'chart',
          )
      },
    }),
  }
})

const q = (to: string) => ({ report: 'FundsToFinance' as const, from: '2026-01-01', to })
const charts: Charts = {
  year: 2026,
  to: '2026-12-31',
  by_month: [
    { label: '1月', amount: '11500.00', query: q('2026-01-31'), key: 'fund:all' },
    { label: '2月', amount: '4234.56', query: { report: 'FundsToFinance', from: '2026-02-01', to: '2026-02-28' }, key: 'fund:all' },
  ],
  by_fund: [],
  by_kind: [],
  by_age: [],
}

describe('ReportChartsPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it("draws the year's bars and opens the matters behind a bar with its query and key", async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'report.charts') return charts as never
      if (command === 'report.sheet_drill')
        return { items: [{ kind: 'SelfCorrection', id: 1, number: 'ZC-2026-001', party: '某药店', amount: '1234.56' }], total: 1 } as never
      return undefined as never
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    const w = mount(ReportChartsPage, {
      global: { plugins: [...globalPlugins, router] },
      attachTo: document.body,
    })
    await settle()
    expect(callMock.mock.calls.find(([c]) => c === 'report.charts')?.[1]).toMatchObject({ year: new Date().getFullYear() })
    const month = w.get('[data-testid="chart-month"]')
    expect(month.get('.chart-stub').attributes('data-bars')).toBe('["1月","2月"]')
    // A chart with no bars says so.
    expect(w.get('[data-testid="chart-fund"]').text()).toContain('暂无数据')

    await month.get('.chart-stub').trigger('click')
    await settle()
    const drill = callMock.mock.calls.find(([c]) => c === 'report.sheet_drill')
    expect(drill?.[1]).toMatchObject({ query: { report: 'FundsToFinance', from: '2026-02-01', to: '2026-02-28' }, key: 'fund:all', offset: 0 })
    const body = document.body.textContent ?? ''
    expect(body).toContain('2026年各月追回医保基金（元）：2月')
    expect(body).toContain('ZC-2026-001')
    expect(body).toContain('1,234.56')
  })
})

describe('ECharts on demand', () => {
  it('is imported piece by piece (echarts/core, charts, components, renderers), never whole', () => {
    const sources = import.meta.glob('../src/**/*.{ts,vue}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>
    const whole = Object.entries(sources).filter(([, text]) => /from\s+['"]echarts['"]/.test(text)).map(([file]) => file)
    expect(whole).toEqual([])
    const page = sources['../src/pages/ReportChartsPage.vue']
    expect(page).toContain("from 'echarts/core'")
    expect(page).toContain("from 'echarts/renderers'")
  })
})
