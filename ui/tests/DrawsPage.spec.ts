import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import DrawsPage from '@/pages/DrawsPage.vue'
import { ApiError, call } from '@/api/client'
import type { Draw } from '@/api/types'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const standing: Draw = {
  id: 1,
  drawn_on: '2026-04-08',
  title: '2026年第二季度日常检查',
  institutions: [{ id: 3, code: 'H12010100041', name: '和平区医院甲', kind: 'MedicalInstitution' }],
  inspectors: ['张三', '李四'],
  note: '平台抽取',
}
const withdrawn: Draw = {
  id: 2,
  drawn_on: '2026-03-02',
  title: '2026年第一季度日常检查',
  institutions: [{ id: 4, code: 'P12010100042', name: '和平区药店乙', kind: 'RetailPharmacy' }],
  inspectors: ['王五'],
  note: '',
  withdrawn_on: '2026-03-05',
  withdraw_reason: '重复登记',
}

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  return mount(DrawsPage, { global: { plugins: [...globalPlugins, router], stubs: realTransitions }, attachTo: document.body })
}

function dialog(testId: string): Element {
  return document.querySelector(`[data-testid="${testId}"]`)?.closest('.el-dialog') ?? document.body
}

function button(testId: string): HTMLElement {
  return document.querySelector(`[data-testid="${testId}"]`) as HTMLElement
}

describe('DrawsPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('marks a withdrawn draw with its reason and offers no buttons on it', async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'draw.list') return [standing, withdrawn] as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    const text = w.get('[data-testid="draw-table"]').text()
    for (const want of ['和平区医院甲', '张三、李四', '已撤回', '2026-03-05 撤回：重复登记', '有效']) expect(text).toContain(want)
    expect(w.find('[data-testid="draw-edit-1"]').exists()).toBe(true)
    expect(w.find('[data-testid="draw-withdraw-1"]').exists()).toBe(true)
    expect(w.find('[data-testid="draw-edit-2"]').exists()).toBe(false)
    expect(w.find('[data-testid="draw-print-2"]').exists()).toBe(false)
  })

  it('corrects a draw by sending only the fields that changed, and shows a refusal under its field', async () => {
    let refuse = true
    callMock.mockImplementation(async (command: string) => {
      if (command === 'draw.list') return [standing] as never
      if (command === 'institution.list') return { items: [], total: 0 } as never
      if (command === 'draw.update') {
        if (refuse) throw new ApiError('VALIDATION', '抽查事项：请填写抽查事项', 'title')
        return { ...standing, title: '2026年第二季度日常检查（更正）' } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    await w.get('[data-testid="draw-edit-1"]').trigger('click')
    await settle()
    const form = dialog('draw-form')
    expect(form.textContent).toContain('修改抽查结果')
    const title = document.querySelector('[data-testid="draw-title"] input, input[data-testid="draw-title"]') as HTMLInputElement
    expect(title.value).toBe('2026年第二季度日常检查')
    title.value = ' '
    title.dispatchEvent(new Event('input'))
    await settle()
    button('draw-save').click()
    await settle()
    expect(form.textContent).toContain('请填写抽查事项')
    refuse = false
    title.value = '2026年第二季度日常检查（更正）'
    title.dispatchEvent(new Event('input'))
    await settle()
    button('draw-save').click()
    await settle()
    const updates = callMock.mock.calls.filter(([c]) => c === 'draw.update')
    expect(updates.at(-1)?.[1]).toEqual({ id: 1, title: '2026年第二季度日常检查（更正）' })
    expect(callMock.mock.calls.some(([c]) => c === 'draw.create')).toBe(false)
  })

  it('withdraws a draw with the reason typed, the refusal shown under the reason', async () => {
    let reasonGiven = false
    callMock.mockImplementation(async (command: string, payload?: unknown) => {
      if (command === 'draw.list') return [standing] as never
      if (command === 'draw.withdraw') {
        const p = payload as { reason: string }
        if (!p.reason.trim()) throw new ApiError('VALIDATION', '请填写理由', 'reason')
        reasonGiven = true
        return { ...standing, withdrawn_on: '2026-04-10', withdraw_reason: p.reason } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    await w.get('[data-testid="draw-withdraw-1"]').trigger('click')
    await settle()
    const form = dialog('draw-withdraw-form')
    expect(form.textContent).toContain('2026年第二季度日常检查')
    button('draw-withdraw-save').click()
    await settle()
    expect(form.textContent).toContain('请填写理由')
    const reason = document.querySelector('textarea[data-testid="draw-withdraw-reason"], [data-testid="draw-withdraw-reason"] textarea') as HTMLTextAreaElement
    reason.value = '重复登记'
    reason.dispatchEvent(new Event('input'))
    await settle()
    button('draw-withdraw-save').click()
    await settle()
    expect(reasonGiven).toBe(true)
    const last = callMock.mock.calls.filter(([c]) => c === 'draw.withdraw').at(-1)
    expect(last?.[1]).toMatchObject({ id: 1, reason: '重复登记' })
    expect(callMock.mock.calls.filter(([c]) => c === 'draw.list').length).toBe(2)
  })

  it('fits a 1280 px window beside the menu: its columns need no more than 1,000 px', async () => {
    callMock.mockImplementation(async (command: string) => {
      if (command === 'draw.list') return [standing, withdrawn] as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    // 1280 − the 200 px menu − the main area's and the card's padding (2 × 20 each) = 1000 px.
    const widths = w
      .get('[data-testid="draw-table"]')
      .findAll('.el-table__header colgroup col')
      .map((c) => Number(c.attributes('width') ?? 0))
    expect(widths.length).toBe(6)
    expect(Math.min(...widths)).toBeGreaterThan(0)
    expect(widths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000)
  })
})
