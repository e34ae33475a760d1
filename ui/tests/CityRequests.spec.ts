import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import CaseCityRequests from '@/components/CaseCityRequests.vue'
import CityPendingRequests from '@/components/CityPendingRequests.vue'
import CityAssignments from '@/components/CityAssignments.vue'
import { ApiError, call } from '@/api/client'
import type { CaseEscalation, CountyRequest } from '@/api/types.gen'
import { session } from '@/lib/session'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const pending: CaseEscalation = {
  case_id: 7,
  applies: true,
  paired: true,
  approved: [],
  requests: [
    {
      id: 1,
      uid: '370102-Q1',
      case_id: 7,
      kind: 'Approval',
      matters: ['AgreementTermination'],
      asked: '拟解除与该院的服务协议，请予审议',
      asked_on: '2026-03-11',
      asked_by: '张三',
      answers: [],
      status: '待市局答复',
    },
  ],
}

const request: CountyRequest = {
  origin: '370102',
  county: '历下区医疗保障局',
  uid: '370102-Q1',
  kind: 'Approval',
  matters: ['AgreementTermination'],
  asked: '拟解除与该院的服务协议，请予审议',
  asked_on: '2026-03-11',
  asked_by: 'zhang',
  case_number: 'AJ2026-0001',
  party: '历下区某医院',
  party_code: 'H37010200001',
  amount: '8000.00',
  received_at: '2026-03-12T09:00:00+08:00',
  answers: [],
  county_has_answer: false,
  status: '待审批',
}

const asHandler = (roles: string[]) => {
  session.user = { id: 2, username: 'zhang', display_name: '张三', roles, active: true, must_change_password: false } as never
}

describe('报市局 on the case page', () => {
  afterEach(() => {
    callMock.mockReset()
    session.user = null
    document.body.innerHTML = ''
  })

  it('shows the rule and a pending request, and records the city paper answer with its number', async () => {
    asHandler(['Handler'])
    callMock.mockImplementation(async (command: string, payload: unknown) => {
      if (command === 'escalation.list') return pending as never
      if (command === 'escalation.record_answer') {
        const p = payload as { document_number: string }
        if (!p.document_number) throw new ApiError('VALIDATION', '市局文号不能为空', 'document_number')
        return { ...pending, requests: [{ ...pending.requests[0], status: '市局已批准' }] } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mount(CaseCityRequests, { props: { caseId: 7, open: true }, global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(w.text()).toContain('重大案件集体审议')
    expect(w.text()).toContain('待市局答复')
    expect(w.text()).toContain('报请审批：解除服务协议')
    await w.get('[data-testid="city-paper-1"]').trigger('click')
    await settle()
    ;(document.body.querySelector('[data-testid="city-paper-send"]') as HTMLButtonElement).click()
    await settle()
    expect(document.body.querySelector('[data-testid="city-paper-error"]')?.textContent).toContain('市局文号不能为空')
    const input = document.body.querySelector('[data-testid="city-paper-number"]') as HTMLInputElement
    input.value = '济医保审〔2026〕3号'
    input.dispatchEvent(new Event('input'))
    await settle()
    ;(document.body.querySelector('[data-testid="city-paper-send"]') as HTMLButtonElement).click()
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('escalation.record_answer', expect.objectContaining({ request_id: 1, document_number: '济医保审〔2026〕3号' }))
    expect(w.text()).toContain('市局已批准')
  })
})

describe('待审批 at the city', () => {
  afterEach(() => {
    callMock.mockReset()
    session.user = null
    document.body.innerHTML = ''
  })

  it('lists the counties pending requests, answers one and offers its acknowledgement for the county', async () => {
    asHandler(['Approver'])
    let answered = false
    callMock.mockImplementation(async (command: string) => {
      if (command === 'escalation.pending') return (answered ? [] : [request]) as never
      if (command === 'escalation.answer') {
        answered = true
        return {
          request: { ...request, status: '已批准（待县局收到）' },
          ack: { kind: 'Ack', file_name: '370102-ack-000012.recoup', data: 'AAEC', bytes: 3, summary: '历下区医疗保障局' },
        } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mount(CityPendingRequests, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    for (const want of ['历下区医疗保障局', 'AJ2026-0001', 'H37010200001', '解除服务协议', '待审批']) expect(w.text()).toContain(want)
    await w.get('[data-testid="city-answer-370102-Q1"]').trigger('click')
    await settle()
    const input = document.body.querySelector('[data-testid="city-answer-number"]') as HTMLInputElement
    input.value = '济医保审〔2026〕3号'
    input.dispatchEvent(new Event('input'))
    await settle()
    ;(document.body.querySelector('[data-testid="city-answer-send"]') as HTMLButtonElement).click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('escalation.answer', expect.objectContaining({ request_uid: '370102-Q1', document_number: '济医保审〔2026〕3号' }))
    expect(w.text()).toContain('没有待审批的请示')
    await w.get('[data-testid="city-pending-save-ack"]').trigger('click')
    expect(w.emitted('save')?.[0]?.[0]).toMatchObject({ file_name: '370102-ack-000012.recoup' })
  })
})

describe('交办线索 at the city', () => {
  afterEach(() => {
    callMock.mockReset()
    session.user = null
    document.body.innerHTML = ''
  })

  it('lists the assigned leads with the counties outcomes and marks the overdue ones', async () => {
    asHandler(['Handler'])
    callMock.mockImplementation(async (command: string) => {
      if (command === 'assignment.list')
        return [
          { uid: '370100-J2', county: '370102', county_name: '历下区医疗保障局', summary: '媒体曝光', institution_code: '', party: '', assigned_on: '2026-01-05', due_on: '2026-01-20', assigned_by: '管理员', lead_number: null, status: '县局未接收', outcome_on: null, outcome_note: '', case_number: null, overdue: true },
          { uid: '370100-J1', county: '370102', county_name: '历下区医疗保障局', summary: '举报虚记住院费用', institution_code: 'H37010200009', party: '历下区某医院', assigned_on: '2026-03-02', due_on: '2026-04-15', assigned_by: '管理员', lead_number: 'XS2026-0001', status: '已立案', outcome_on: '2026-03-10', outcome_note: '', case_number: 'AJ2026-0001', overdue: false },
        ] as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const counties = [{ code: '370102', name: '历下区医疗保障局', role: 'county', fingerprint: '', registered_at: '', revoked_at: null, head_seq: 12, last_import_at: null, hub_url: null }]
    const w = mount(CityAssignments, { props: { counties: counties as never }, global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    const text = w.text()
    for (const want of ['媒体曝光', '2026-01-20（逾期）', '县局未接收', '已立案：AJ2026-0001', '2026-04-15']) expect(text).toContain(want)
    expect(text).not.toContain('2026-04-15（逾期）')
    expect(w.get('[data-testid="city-assign"]').attributes('disabled')).toBeUndefined()
  })
})
