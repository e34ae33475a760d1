import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import CampaignPage from '@/pages/CampaignPage.vue'
import { call } from '@/api/client'
import type { Campaign, CampaignFigures } from '@/api/types'
import { globalPlugins, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const campaign: Campaign = {
  id: 7,
  name: '2026年医保基金违法违规问题专项整治',
  year: 2026,
  note: '',
  areas: [
    { id: 11, name: '血液透析' },
    { id: 12, name: '康复理疗' },
  ],
}
const figures: CampaignFigures = {
  campaign,
  from: '2026-01-01',
  to: '2026-12-31',
  areas: [
    { area_id: 11, area: '血液透析', inspections: 1, cases: 1, institutions: 1, recovered: '12734.56', self_corrections: 1, self_corrected: '1234.56' },
    { area_id: 12, area: '康复理疗', inspections: 2, cases: 2, institutions: 2, recovered: '17000.00', self_corrections: 0, self_corrected: '0.00' },
  ],
  leads: [{ source: 'Report', received: 2, verified: 1, outstanding: 1 }],
  leads_cleared: false,
  notes: ['2．检查次数按检查开始日期统计；案件数按立案日期统计。'],
}

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  return mount(CampaignPage, { global: { plugins: [...globalPlugins, router] }, attachTo: document.body })
}

describe('CampaignPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it("asks for the campaign's year, states each figure's date, and opens the matters behind a number", async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'campaign.list') return [campaign] as never
      if (command === 'report.campaign') return figures as never
      if (command === 'report.campaign_drill')
        return { items: [{ kind: 'Case', id: 3, number: '和医保案〔2026〕3号', party: '和平区诊所丙', amount: '5000.00' }], total: 1 } as never
      return undefined as never
    })
    const w = mountPage()
    await settle()
    const asked = callMock.mock.calls.filter(([c]) => c === 'report.campaign').map(([, r]) => r)
    expect(asked.at(-1)).toEqual({ campaign_id: 7, from: '2026-01-01', to: '2026-12-31' })
    expect(w.get('[data-testid="campaign-notes"]').text()).toContain('立案日期')
    expect(w.get('[data-testid="campaign-cell-1-Recovered"]').text()).toBe('17,000.00')

    await w.get('[data-testid="campaign-cell-1-Recovered"]').trigger('click')
    await settle()
    const drill = callMock.mock.calls.find(([c]) => c === 'report.campaign_drill')
    expect(drill?.[1]).toMatchObject({
      query: { campaign_id: 7, from: '2026-01-01', to: '2026-12-31' },
      figure: 'Recovered',
      area_id: 12,
      source: null,
      offset: 0,
    })
    const body = document.body.textContent ?? ''
    expect(body).toContain('康复理疗：追回医保基金')
    expect(body).toContain('和平区诊所丙')
    expect(body).toContain('5,000.00')

    // A lead figure opens the leads of its source.
    await w.get('[data-testid="campaign-lead-0-LeadsOutstanding"]').trigger('click')
    await settle()
    const leadDrill = callMock.mock.calls.filter(([c]) => c === 'report.campaign_drill').at(-1)
    expect(leadDrill?.[1]).toMatchObject({ figure: 'LeadsOutstanding', source: 'Report', area_id: null })
  })
})
