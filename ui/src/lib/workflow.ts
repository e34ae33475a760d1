// Which steps of a case can be taken now, and why not: read from what `case.get` answers (status,
// requirements, services, steps). The core checks every step again and refuses with its rule; the
// reasons here use the core's wording so that the disabled button and a refusal say the same.
import type { CaseDetail, Clock, CommandName } from '@/api/types.gen'
import { enumLabels } from '@/api/types.gen'
import { cnDate } from '@/lib/dates'

export type CaseAction =
  | 'finding'
  | 'evidence'
  | 'hold'
  | 'line'
  | 'notify'
  | 'serve'
  | 'statement'
  | 'requestHearing'
  | 'hearing'
  | 'submitLegalReview'
  | 'legalReview'
  | 'collectiveReview'
  | 'extend'
  | 'decide'
  | 'reportCity'
  | 'extendPayment'
  | 'close'
  | 'drop'

export interface ActionState {
  key: CaseAction
  label: string
  /** 调查取证 / 告知与听证 / 审核与决定 / 执行与结案 */
  group: string
  enabled: boolean
  /** Why not, when disabled (Chinese). */
  reason: string
  /** The step the law asks for next: shown as the primary button. */
  primary?: boolean
}

/** The core command behind each action (its roles are checked in the core; see `roleRefusal`). */
export const ACTION_COMMANDS: Record<CaseAction, CommandName> = {
  finding: 'finding.add',
  evidence: 'evidence.add',
  hold: 'evidence.hold',
  line: 'recovery.add_line',
  notify: 'case.notify',
  serve: 'case.serve',
  statement: 'case.statement',
  requestHearing: 'case.request_hearing',
  hearing: 'case.hearing',
  submitLegalReview: 'case.submit_legal_review',
  legalReview: 'case.legal_review',
  collectiveReview: 'case.collective_review',
  extend: 'case.extend_decision',
  decide: 'case.decide',
  reportCity: 'case.report_city',
  extendPayment: 'case.extend_payment',
  close: 'case.close',
  drop: 'case.drop',
}

const LABELS: Record<CaseAction, [string, string]> = {
  finding: ['登记违规事实', '调查取证'],
  evidence: ['登记证据', '调查取证'],
  hold: ['先行登记保存/封存', '调查取证'],
  line: ['录入追回明细', '调查取证'],
  notify: ['告知当事人', '告知与听证'],
  serve: ['登记送达', '告知与听证'],
  statement: ['陈述申辩', '告知与听证'],
  requestHearing: ['申请听证', '告知与听证'],
  hearing: ['举行听证', '告知与听证'],
  submitLegalReview: ['提交法制审核', '审核与决定'],
  legalReview: ['法制审核意见', '审核与决定'],
  collectiveReview: ['集体讨论', '审核与决定'],
  extend: ['延长办案期限', '审核与决定'],
  decide: ['作出决定', '审核与决定'],
  reportCity: ['报市医保局备案', '执行与结案'],
  extendPayment: ['延长退款期限', '执行与结案'],
  close: ['结案', '执行与结案'],
  drop: ['撤销案件', '执行与结案'],
}

function statusWord(d: CaseDetail): string {
  return enumLabels.CaseStatus[d.case.status]
}

/** The core's refusal once the facts were told to the party (001 art. 22; the core words it from the office's rules). */
function afterNotice(d: CaseDetail, what: string): string {
  return `案件${d.case.case_number}已${statusWord(d).replace(/^已/, '')}，不能再${what}：已告知当事人的事实和金额不得擅自变更`
}

export function caseActions(d: CaseDetail, today: string): ActionState[] {
  const c = d.case
  const r = d.requirements
  const closed = c.status === 'Closed' || c.status === 'Dropped'
  const investigating = c.status === 'Investigating'
  const notified = c.status === 'Notified'
  const unserved = d.services.filter((s) => s.served_on == null)
  const reported = d.steps.some((s) => s.kind === 'ReportedToCity')
  const out: ActionState[] = []
  const add = (key: CaseAction, reason: string, primary = false) =>
    out.push({ key, label: LABELS[key][0], group: LABELS[key][1], enabled: reason === '', reason, primary: primary && reason === '' })
  const closedReason = closed ? `案件${c.case_number}${statusWord(d)}，不能再修改` : ''

  add('finding', closedReason || (investigating ? '' : afterNotice(d, '登记违规事实')), investigating && d.findings.length === 0)
  add('evidence', closedReason || (investigating ? '' : afterNotice(d, '登记证据')), investigating && d.evidence.length === 0)
  add(
    'hold',
    closedReason ||
      (!investigating
        ? afterNotice(d, '采取证据保全措施')
        : c.track !== 'Administrative'
          ? '先行登记保存和封存是行政执法措施，协议处理案件不能采取'
          : ''),
  )
  add('line', closedReason || (investigating ? '' : afterNotice(d, '修改追回明细')), investigating && d.recovery_lines.length === 0)

  let notify = closedReason
  if (!notify && !investigating) notify = `案件${c.case_number}已告知当事人，不能重复告知`
  if (!notify && d.findings.length === 0) notify = '尚未登记违规事实，不能告知当事人（须先查清事实）'
  if (!notify && d.evidence.length === 0) notify = '尚未登记证据，不能告知当事人（证据须经查证属实方可作为认定事实的根据）'
  if (!notify && d.recovery_lines.length === 0) notify = '尚未录入应追回金额，不能告知当事人'
  add('notify', notify, true)

  add('serve', closedReason || (unserved.length === 0 ? '没有待送达的文书：告知书、决定书等开具后在此登记送达' : ''), true)

  let statement = closedReason
  if (!statement && !notified) statement = investigating ? '尚未告知当事人，陈述申辩期尚未开始' : '已作出决定，陈述申辩期已结束'
  if (!statement && !r.notice_served) statement = '告知书尚未送达当事人：陈述申辩期自送达之日起计算（行政处罚法第六十一条）'
  if (!statement && r.statement_done) statement = '已登记当事人的陈述申辩或放弃'
  add('statement', statement, true)

  let requestHearing = closedReason
  if (!requestHearing && !r.hearing_offered) requestHearing = '本案未告知听证权利（行政处罚法第六十三条所列情形以外）'
  if (!requestHearing && r.hearing_requested) requestHearing = '当事人已申请听证'
  if (!requestHearing && !notified) requestHearing = '只能在告知后、作出决定前申请听证'
  add('requestHearing', requestHearing)

  let hearing = closedReason
  if (!hearing && !r.hearing_requested) hearing = '当事人未申请听证'
  if (!hearing && r.hearing_held) hearing = '已举行听证'
  add('hearing', hearing, true)

  const reviewed = r.legal_review_passed
  let legal = closedReason
  if (!legal && !r.legal_review_required) legal = '本案无须法制审核（非处罚、非听证、非中止或解除协议的决定）'
  if (!legal && reviewed) legal = '法制审核已通过'
  if (!legal && !notified) legal = '告知当事人后、作出决定前进行法制审核'
  const submitted = d.steps.some((s) => s.kind === 'LegalReviewSubmitted')
  add('submitLegalReview', legal || (submitted ? '已提交法制审核，等待审核意见' : ''), true)
  add('legalReview', legal || (submitted ? '' : '请先提交法制审核'), true)

  let collective = closedReason
  if (!collective && !r.collective_review_required) collective = '本案无须集体讨论（追回金额不足5万元，且无中止或解除协议）'
  if (!collective && r.collective_review_done) collective = '集体讨论已同意'
  if (!collective && !notified) collective = '告知当事人后、作出决定前提请集体讨论'
  add('collectiveReview', collective, true)

  let extend = closedReason
  if (!extend && !(investigating || notified)) extend = `案件${c.case_number}${statusWord(d)}，无需延长办案期限`
  if (!extend && c.decision_extended) extend = '办案期限只能延长一次（行政处罚法第六十条）'
  add('extend', extend)

  let decide = closedReason
  if (!decide && investigating)
    decide = '尚未告知当事人拟作出的处理决定及其事实、理由、依据和陈述申辩权利，不能作出决定（行政处罚法第四十四条）'
  if (!decide && !notified) decide = `案件${c.case_number}已作出决定，不能重复决定`
  if (!decide && !r.notice_served) decide = '告知书尚未送达当事人，不能作出决定：请先登记告知书的送达（行政处罚法第六十一条）'
  if (!decide && !r.statement_done && r.statement_due && today <= r.statement_due)
    decide = `陈述申辩期至${cnDate(r.statement_due)}届满，期满前（当事人未陈述申辩或明确放弃的）不能作出决定`
  if (!decide && r.hearing_requested && !r.hearing_held) decide = '当事人已申请听证，须先举行听证（行政处罚法第六十三条、第六十四条）'
  if (!decide && r.legal_review_required && !r.legal_review_passed)
    decide = '本案须经法制审核，未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条）'
  if (!decide && r.collective_review_required && !r.collective_review_done)
    decide = `本案须经集体讨论同意后才能作出决定：${r.collective_review_reason}`
  add('decide', decide, true)

  let report = closedReason
  if (!report && c.track !== 'Agreement') report = '行政执法案件无需报市医保局备案（报备适用于经办机构的协议处理决定）'
  if (!report && !d.decision) report = '尚未作出决定，无需报备'
  if (!report && reported) report = '本案决定已报备，不能重复登记'
  add('reportCity', report, true)

  // 不可抗力等特殊情况: the party asks in writing, the office decides (the core cites its rule).
  let extendPayment = closedReason
  if (!extendPayment && !(c.status === 'Decided' || c.status === 'Executing'))
    extendPayment = '案件尚未作出处理决定，没有可以延长的退款期限'
  if (!extendPayment && d.decision?.payment_due == null) extendPayment = '处理决定未载明退缴时限，没有可以延长的退款期限'
  add('extendPayment', extendPayment)

  let close = closedReason
  if (!close && c.status !== 'Executing')
    close = `案件${c.case_number}当前${statusWord(d)}：须作出决定并送达后才能结案；未作决定的案件请使用“撤销案件”`
  add('close', close, true)

  let drop = closedReason
  if (!drop && !(investigating || notified)) drop = `案件${c.case_number}${statusWord(d)}，不能撤销`
  add('drop', drop)
  return out
}

/** Working days left of a lead's check, in words ("剩余 5 个工作日"). */
export function leadDaysLeftText(clock: Clock | undefined): string {
  if (!clock) return ''
  const d = clock.working_days_left
  if (d < 0) return `已逾期 ${-d} 个工作日`
  if (d === 0) return '今日到期'
  return `剩余 ${d} 个工作日`
}
