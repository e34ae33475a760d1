// 市局下发 (issue 11, "Downward"): the county sees what the city sent down that differs from its
// own, adopts it (an institution field by field) or keeps its own; the city publishes to counties.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import CountyDownItems from '@/components/CountyDownItems.vue'
import CityDownPublish from '@/components/CityDownPublish.vue'
import { ApiError, call } from '@/api/client'
import type { DownReceived } from '@/api/types.gen'
import { session } from '@/lib/session'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const hospital: DownReceived = {
  id: 3,
  origin: '370100',
  seq: 1,
  kind: 'Institution',
  key: 'H37010200009',
  title: '历下区某医院',
  version: null,
  published_on: '2026-12-01',
  status: 'Pending',
  outcome: '',
  changes: [
    { field: 'address', label: '地址', old: '', new: '历下区新址路1号', own: false },
    { field: 'contact', label: '联系电话', old: '0531-11111111', new: '0531-22222222', own: false },
  ],
  received_at: '2026-12-02T09:00:00+08:00',
  decided_at: null,
  decided_by: '',
}

const profile: DownReceived = {
  ...hospital,
  id: 5,
  seq: 5,
  kind: 'Profile',
  key: 'profile',
  title: '市局规则配置（第1版）',
  version: 1,
  changes: [
    { field: 'statement_days', label: '陈述申辩期限（个工作日）', old: '5', new: '3', own: false },
    { field: 'legal_review_days', label: '法制审核期限（个工作日）', old: '12', new: '15', own: true },
  ],
}

const as = (roles: string[]) => {
  session.user = { id: 1, username: 'admin', display_name: '管理员', roles, active: true, must_change_password: false } as never
}

const body = (sel: string) => document.body.querySelector(sel) as HTMLElement

describe('市局下发 at a county', () => {
  afterEach(() => {
    callMock.mockReset()
    session.user = null
    document.body.innerHTML = ''
  })

  it('shows each pending change old → new, marks the county own values and adopts the fields ticked', async () => {
    as(['Admin'])
    let decided = false
    callMock.mockImplementation(async (command: string, payload: unknown) => {
      if (command === 'down.list') return (decided ? [profile] : [hospital, profile]) as never
      if (command === 'down.apply') {
        decided = true
        expect(payload).toEqual({ id: 3, fields: ['address'], note: '' })
        return { ...hospital, status: 'Applied', outcome: '已采用：地址；保留本单位的：联系电话', changes: [] } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mount(CountyDownItems, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    const text = w.text()
    for (const want of ['市局下发', '2 项待处理', '定点医药机构信息', '历下区某医院', '0531-11111111', '0531-22222222', '历下区新址路1号', '规则配置', '本单位自行修改，默认保留'])
      expect(text).toContain(want)
    await w.get('[data-testid="down-apply-3"]').trigger('click')
    await settle()
    // Both fields ticked at first; untick the telephone: the county keeps its own.
    const contact = body('[data-testid="down-field-contact"] input') as HTMLInputElement
    contact.click()
    await settle()
    body('[data-testid="down-confirm"]').click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('down.apply', { id: 3, fields: ['address'], note: '' })
    expect(w.text()).not.toContain('历下区新址路1号')
    expect(w.text()).toContain('1 项待处理')
  })

  it('keeps the county own values with a note, and shows a refusal in the dialog', async () => {
    as(['Admin'])
    callMock.mockImplementation(async (command: string, payload: unknown) => {
      if (command === 'down.list') return [hospital] as never
      if (command === 'down.keep') {
        const p = payload as { note: string }
        if (p.note.length > 3) throw new ApiError('ILLEGAL_STEP', '该下发事项已处理（已采用），不能再次处理')
        return { ...hospital, status: 'Kept', outcome: '保留本单位的' } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mount(CountyDownItems, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    await w.get('[data-testid="down-keep-3"]').trigger('click')
    await settle()
    const input = body('[data-testid="down-note"]') as HTMLInputElement
    input.value = '以本局核实为准'
    input.dispatchEvent(new Event('input'))
    await settle()
    body('[data-testid="down-confirm"]').click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('down.keep', { id: 3, fields: [], note: '以本局核实为准' })
    expect(body('[data-testid="down-error"]')?.textContent).toContain('已处理')
  })

  it('lets only an administrator decide, and says so when nothing waits', async () => {
    as(['Handler'])
    callMock.mockImplementation(async (command: string) => {
      if (command === 'down.list') return [hospital] as never
      return undefined as never
    })
    const w = mount(CountyDownItems, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(w.get('[data-testid="down-apply-3"]').attributes('disabled')).toBeDefined()
    callMock.mockReset()
    const empty = mount(CountyDownItems, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(empty.text()).toContain('没有待处理的市局下发事项')
  })
})

describe('下发到区县 at the city', () => {
  afterEach(() => {
    callMock.mockReset()
    session.user = null
    document.body.innerHTML = ''
  })

  const counties = [{ code: '370102', name: '历下区医疗保障局', role: 'county', fingerprint: '', registered_at: '', revoked_at: null, head_seq: 12, last_import_at: null, hub_url: null }]

  it('publishes next year holidays to the chosen counties and lists what was sent', async () => {
    as(['Admin'])
    let sent = false
    callMock.mockImplementation(async (command: string, payload: unknown) => {
      if (command === 'down.published')
        return (sent
          ? [{ seq: 4, kind: 'Calendar', key: '2027', title: '2027年节假日安排', version: null, counties: [], published_on: '2026-12-01', published_by: '管理员' }]
          : []) as never
      if (command === 'down.publish') {
        const p = payload as { kind: string; year: number | null; counties: string[] }
        if (p.year === 2029) throw new ApiError('VALIDATION', '本单位的工作日历中没有2029年的节假日安排', 'year')
        sent = true
        return { published: [], summary: '已下发节假日安排1项，随对所有已登记的县级单位的下一份确认回执送达' } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mount(CityDownPublish, { props: { counties: counties as never }, global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(w.text()).toContain('尚未下发')
    await w.get('[data-testid="city-down-calendar"]').trigger('click')
    await settle()
    const year = body('[data-testid="city-down-year"] input') as HTMLInputElement
    year.value = '2029'
    year.dispatchEvent(new Event('input'))
    year.dispatchEvent(new Event('change'))
    await settle()
    body('[data-testid="city-down-send"]').click()
    await settle()
    expect(body('[data-testid="city-down-error"]')?.textContent).toContain('2029年')
    year.value = '2027'
    year.dispatchEvent(new Event('input'))
    year.dispatchEvent(new Event('change'))
    await settle()
    body('[data-testid="city-down-send"]').click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('down.publish', expect.objectContaining({ kind: 'Calendar', year: 2027, counties: [] }))
    expect(w.text()).toContain('2027年节假日安排')
    expect(w.text()).toContain('所有县级单位')
  })

  it('shows what a county did with what came down, from its replica', async () => {
    as(['Handler'])
    callMock.mockImplementation(async (command: string, payload: unknown) => {
      if (command === 'down.published') return [] as never
      if (command === 'county.read') {
        expect(payload).toEqual({ code: '370102', command: 'down.list', payload: { all: true } })
        return [{ ...hospital, status: 'Kept', outcome: '保留本单位的：以本局核实为准', changes: [] }] as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mount(CityDownPublish, { props: { counties: counties as never }, global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    await w.get('[data-testid="city-down-view-county"]').trigger('click')
    await settle()
    const option = [...document.body.querySelectorAll('.el-select-dropdown__item')].find((e) => e.textContent?.includes('历下区医疗保障局')) as HTMLElement
    option.click()
    await settle()
    const table = w.get('[data-testid="city-down-handled"]').text()
    for (const want of ['历下区某医院', '保留本单位的', '以本局核实为准']) expect(table).toContain(want)
  })

  it('sends institution codes as a list, and is closed to a non-administrator', async () => {
    as(['Admin'])
    callMock.mockImplementation(async (command: string) => {
      if (command === 'down.publish') return { published: [], summary: '已下发定点医药机构信息2项' } as never
      return [] as never
    })
    const w = mount(CityDownPublish, { props: { counties: counties as never }, global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    await w.get('[data-testid="city-down-institutions"]').trigger('click')
    await settle()
    const codes = body('[data-testid="city-down-codes"]') as HTMLTextAreaElement
    codes.value = 'H37010200009，P37010200077'
    codes.dispatchEvent(new Event('input'))
    await settle()
    body('[data-testid="city-down-send"]').click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('down.publish', expect.objectContaining({ kind: 'Institution', codes: ['H37010200009', 'P37010200077'] }))
    as(['Handler'])
    const h = mount(CityDownPublish, { props: { counties: counties as never }, global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(h.get('[data-testid="city-down-profile"]').attributes('disabled')).toBeDefined()
  })
})
