import { describe, expect, it } from 'vitest'
import type { CaseDetail } from '@/api/types.gen'
import { caseActions, leadDaysLeftText, type CaseAction } from '@/lib/workflow'
import { fieldFor, missingRequired, placeError, splitNames, type FieldSpec } from '@/lib/stepForm'
import { ApiError } from '@/api/client'

function detail(over: Partial<CaseDetail> = {}, caseOver: Partial<CaseDetail['case']> = {}): CaseDetail {
  return {
    case: {
      id: 1,
      uid: '220102-C1',
      case_number: 'AJ2026-0001',
      track: 'Administrative',
      party_kind: 'Institution',
      party: '南关区人民医院',
      source: 'Report',
      summary: '',
      handler_id: 1,
      handler: '张三',
      co_handler: '李四',
      status: 'Investigating',
      filed_on: '2026-12-01',
      decision_due: '2027-03-01',
      decision_extended: false,
      repeat_offence: false,
      voluntary_return: false,
      recovery_total: '0.00',
      liquidated_damages: '0.00',
      created_at: '',
      updated_at: '',
      ...caseOver,
    },
    findings: [],
    evidence: [],
    holds: [],
    recovery_lines: [],
    measures: [],
    services: [],
    steps: [],
    timeline: [],
    clocks: [],
    next_steps: [],
    rule_preset: 'National',
    rule_set_edited: false,
    unknown_fund_split: false,
    prior_refusals: [],
    requirements: {
      notified: false,
      notice_served: false,
      statement_done: false,
      hearing_offered: false,
      hearing_requested: false,
      hearing_held: false,
      legal_review_required: false,
      legal_review_passed: false,
      collective_review_required: false,
      collective_review_done: false,
      collective_review_reason: '',
    },
    ...over,
  }
}
const state = (d: CaseDetail, key: CaseAction, today = '2026-12-01') => caseActions(d, today).find((a) => a.key === key)!

describe('caseActions', () => {
  it('a new case: record facts, evidence and money; the notice waits for them', () => {
    const d = detail()
    expect(state(d, 'finding').enabled).toBe(true)
    expect(state(d, 'line').enabled).toBe(true)
    expect(state(d, 'notify')).toMatchObject({ enabled: false, reason: expect.stringContaining('尚未登记违规事实') })
    expect(state(d, 'decide')).toMatchObject({ enabled: false, reason: expect.stringContaining('尚未告知当事人') })
    expect(state(d, 'close').enabled).toBe(false)
    expect(state(d, 'drop').enabled).toBe(true)
    expect(state(d, 'hold').enabled).toBe(true)
    expect(state(d, 'reportCity').reason).toContain('无需报市医保局备案')
  })
  it('the refund deadline can be extended once decided with a deadline (不可抗力)', () => {
    expect(state(detail(), 'extendPayment').reason).toContain('尚未作出处理决定')
    const decision = {
      id: 1,
      case_id: 1,
      kind: 'HandlingDecision' as const,
      document_number: '决1',
      decided_on: '2026-12-01',
      recovery_total: '100.00',
      liquidated_damages: '0.00',
      payment_due: '2026-12-31',
      fine_basis: '',
      signoff: { handler_id: 1, reviewer_id: 2, approver_id: 3 },
      late_reason: '',
      summary: '',
    }
    expect(state(detail({ decision }, { status: 'Executing' }), 'extendPayment').enabled).toBe(true)
    expect(state(detail({ decision: { ...decision, payment_due: null } }, { status: 'Executing' }), 'extendPayment').reason).toContain('未载明退缴时限')
    expect(state(detail({ decision }, { status: 'Closed' }), 'extendPayment').enabled).toBe(false)
  })
  it('an agreement case takes no holds', () => {
    expect(state(detail({}, { track: 'Agreement' }), 'hold').reason).toContain('协议处理案件不能采取')
  })
  it('notified and served: the decision waits for the statement window unless waived', () => {
    const base = detail(
      {
        findings: [{ id: 1, case_id: 1, description: 'x', rule_broken: 'y', amount: '1.00' }],
        requirements: { ...detail().requirements, notified: true, notice_served: true, statement_due: '2026-12-08' },
      },
      { status: 'Notified' },
    )
    expect(state(base, 'finding').reason).toContain('不得擅自变更')
    expect(state(base, 'decide')).toMatchObject({ enabled: false, reason: expect.stringContaining('陈述申辩期至2026年12月8日届满') })
    expect(state(base, 'decide', '2026-12-09').enabled).toBe(true)
    expect(state(base, 'statement').enabled).toBe(true)
    const waived = { ...base, requirements: { ...base.requirements, statement_done: true } }
    expect(state(waived, 'decide').enabled).toBe(true)
    expect(state(waived, 'statement').enabled).toBe(false)
  })
  it('reviews block the decision until done', () => {
    const d = detail(
      {
        requirements: {
          ...detail().requirements,
          notified: true,
          notice_served: true,
          statement_done: true,
          legal_review_required: true,
          collective_review_required: true,
          collective_review_reason: '追回金额5万元以上',
        },
      },
      { status: 'Notified' },
    )
    expect(state(d, 'decide').reason).toContain('法制审核')
    expect(state(d, 'submitLegalReview').enabled).toBe(true)
    expect(state(d, 'legalReview').reason).toContain('请先提交法制审核')
    const passed = { ...d, requirements: { ...d.requirements, legal_review_passed: true } }
    expect(state(passed, 'decide').reason).toContain('追回金额5万元以上')
  })
  it('executing: close is offered, a closed case offers nothing', () => {
    expect(state(detail({}, { status: 'Executing' }), 'close').enabled).toBe(true)
    const closed = caseActions(detail({}, { status: 'Closed' }), '2026-12-01')
    expect(closed.every((a) => !a.enabled)).toBe(true)
    expect(closed[0].reason).toContain('已结案')
  })
  it('no reason is empty when disabled, and no label is Latin', () => {
    for (const status of ['Investigating', 'Notified', 'Decided', 'Executing', 'Closed', 'Dropped'] as const) {
      for (const a of caseActions(detail({}, { status }), '2026-12-01')) {
        if (!a.enabled) expect(a.reason).not.toBe('')
        expect(a.label + a.reason).not.toMatch(/[A-Za-z]{3,}/)
      }
    }
  })
})

describe('stepForm', () => {
  const fields: FieldSpec[] = [
    { key: 'amount', label: '涉及金额', type: 'amount', required: true },
    { key: 'handler_id', label: '承办人', type: 'user', required: true },
    { key: 'note', label: '说明', type: 'text', visible: (v) => v.kind === 'x' },
  ]
  it('places an error of the core under its field, without repeating the label', () => {
    expect(placeError(fields, new ApiError('VALIDATION', '涉及金额：金额不能为空', 'amount'))).toEqual({ key: 'amount', message: '金额不能为空' })
    expect(fieldFor(fields, 'signoff.handler_id')?.key).toBe('handler_id')
    expect(placeError(fields, new ApiError('ILLEGAL_STEP', '不能告知'))).toEqual({ key: null, message: '不能告知' })
    // A hidden field cannot show its error: it goes above the form.
    expect(placeError(fields, new ApiError('VALIDATION', '说明：太长', 'note'), (f) => !f.visible)).toEqual({ key: null, message: '说明：太长' })
  })
  it('lists the required fields left empty', () => {
    expect(missingRequired(fields, { amount: ' ', handler_id: null })).toEqual({ amount: '请填写涉及金额', handler_id: '请选择承办人' })
    expect(missingRequired(fields, { amount: '1', handler_id: 2 })).toEqual({})
  })
  it('splits the names of a collective review', () => {
    expect(splitNames('赵六、王五，张三 李四;钱七')).toEqual(['赵六', '王五', '张三', '李四', '钱七'])
    expect(splitNames('  ')).toEqual([])
  })
  it('lead days left in words', () => {
    const clock = { working_days_left: 3 } as Parameters<typeof leadDaysLeftText>[0]
    expect(leadDaysLeftText(clock)).toBe('剩余 3 个工作日')
    expect(leadDaysLeftText({ working_days_left: -2 } as never)).toBe('已逾期 2 个工作日')
    expect(leadDaysLeftText(undefined)).toBe('')
  })
})

describe('measures', async () => {
  const { measureKindsFor, measureHasMonths, measuresToSend } = await import('@/lib/measures')
  it('offers the agreement measures only on the agreement track', () => {
    expect(measureKindsFor('Administrative')).toEqual(['Interview', 'RectificationOrder', 'PublicCriticism'])
    expect(measureKindsFor('Agreement')).toContain('AgreementTermination')
  })
  it('sends only chosen rows, months only where the measure has a term', () => {
    expect(measureHasMonths('AgreementSuspension')).toBe(true)
    expect(measureHasMonths('Interview')).toBe(false)
    expect(
      measuresToSend([
        { kind: 'Interview', months: 2, serious: false, note: ' 院长 ' },
        { kind: null, months: null, serious: false, note: '' },
        { kind: 'AgreementSuspension', months: 2, serious: false, note: '', rectify_by: '2026-12-31' },
        { kind: 'RectificationOrder', months: null, serious: false, note: '', rectify_by: '2026-12-31' },
      ]),
    ).toEqual([
      { kind: 'Interview', months: null, serious: false, note: '院长', rectify_by: null },
      { kind: 'AgreementSuspension', months: 2, serious: false, note: '', rectify_by: null },
      // 限期整改 alone carries its deadline.
      { kind: 'RectificationOrder', months: null, serious: false, note: '', rectify_by: '2026-12-31' },
    ])
  })
})
