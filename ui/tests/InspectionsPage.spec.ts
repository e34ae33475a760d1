import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import InspectionsPage from '@/pages/InspectionsPage.vue'
import { ApiError, call } from '@/api/client'
import type { Inspection } from '@/api/types'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const row: Inspection = {
  id: 1,
  uid: '120101-J1',
  kind: 'Special',
  institution_id: 3,
  institution_name: '和平区某医院',
  institution_kind: 'MedicalInstitution',
  started_on: '2026-03-05',
  departments: ['公安', '卫生健康'],
  problems_found: true,
  inspectors: '张三、李四',
  summary: '',
  campaign_area: '',
  lead_ids: [],
  case_ids: [],
}

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  return mount(InspectionsPage, { global: { plugins: [...globalPlugins, router], stubs: realTransitions }, attachTo: document.body })
}

describe('InspectionsPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('lists inspections in Chinese and shows a refusal under the field it names', async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'inspection.list') return { items: [row], total: 1 } as never
      if (command === 'campaign.list') return [] as never
      if (command === 'institution.list') return { items: [], total: 0 } as never
      if (command === 'inspection.create') throw new ApiError('VALIDATION', '请选择检查方式', 'kind')
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    const text = w.get('[data-testid="insp-table"]').text()
    for (const want of ['2026-03-05', '和平区某医院', '专项检查', '公安、卫生健康', '是']) expect(text).toContain(want)
    expect(text).not.toContain('Special')

    await w.get('[data-testid="insp-add"]').trigger('click')
    await settle()
    ;(document.querySelector('[data-testid="insp-save"]') as HTMLElement).click()
    await settle()
    const create = callMock.mock.calls.find(([c]) => c === 'inspection.create')
    expect(create?.[1]).toMatchObject({ departments: [], problems_found: false })
    const form = document.querySelector('[data-testid="insp-form"]')?.closest('.el-dialog') ?? document.body
    expect(form.textContent).toContain('请选择检查方式')
  })
})
