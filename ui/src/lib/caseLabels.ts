// Chinese labels for the case / clock enums of the API (the same words the Rust core uses in its
// `label()` methods). `Record<Union, string>` makes the compiler demand a label for every value.
import type {
  CaseStatus,
  Clock,
  ClockKind,
  ClockState,
  ExpenseCategory,
  Fund,
  PartyKind,
  RecoverySource,
  Track,
  YearKind,
} from '@/api/types.gen'
import type { TagType } from './labels'

export const caseStatusLabels: Record<CaseStatus, string> = {
  Investigating: '调查中',
  Notified: '已告知',
  Decided: '已决定',
  Executing: '执行中',
  Closed: '已结案',
  Dropped: '已撤销',
}

export const caseStatusTags: Record<CaseStatus, TagType | 'primary'> = {
  Investigating: 'primary',
  Notified: 'warning',
  Decided: 'warning',
  Executing: 'success',
  Closed: 'info',
  Dropped: 'info',
}

export const partyKindLabels: Record<PartyKind, string> = {
  Institution: '定点医药机构',
  Insured: '参保人员',
}

export const trackLabels: Record<Track, string> = {
  Administrative: '行政执法',
  Agreement: '协议处理',
}

export const fundLabels: Record<Fund, string> = {
  EmployeeBasic: '职工基本医保',
  ResidentBasic: '居民基本医保',
  EmployeeLargeAmount: '职工大额救助',
  EmployeeCriticalIllness: '职工大病保险',
  ResidentCriticalIllness: '居民大病保险',
  MedicalAssistance: '医疗救助',
  CivilServantSubsidy: '公务员医疗补助',
  Maternity: '生育保险',
  LongTermCare: '长期护理保险',
  Other: '其他',
}

export const yearKindLabels: Record<YearKind, string> = {
  CurrentYear: '当年',
  PriorYears: '历年',
}

export const expenseCategoryLabels: Record<ExpenseCategory, string> = {
  Inpatient: '住院费',
  Outpatient: '门诊费',
  SpecialOutpatient: '门特费',
  MaternityAllowance: '生育津贴',
  LiquidatedDamages: '违约金',
}

export const recoverySourceLabels: Record<RecoverySource, string> = {
  Inspection: '监督检查',
  AgreementManagement: '协议管理',
  SettlementReview: '审核结算',
  Report: '举报',
  Referral: '移交',
  SelfCorrection: '自查自纠',
  ExternalAudit: '外部监督',
  Other: '其他',
}

export const clockStateLabels: Record<ClockState, string> = {
  Overdue: '已逾期',
  DueSoon: '即将到期',
  Running: '进行中',
}

export const clockStateTags: Record<ClockState, TagType> = {
  Overdue: 'danger',
  DueSoon: 'warning',
  Running: 'info',
}

/** Fallback names of the clock kinds; the API's own `label` wins when it is set. */
export const clockKindLabels: Record<ClockKind, string> = {
  LeadCheck: '线索核查',
  EvidenceRegistration: '先行登记保存',
  Sealing: '封存',
  StatementWindow: '陈述申辩期',
  HearingRequest: '听证申请期',
  LegalReview: '法制审核',
  Decision: '作出决定',
  Service: '文书送达',
  CityReport: '报送市级',
  Payment: '缴款期限',
  PaymentProof: '缴款凭证',
  Offset: '抵扣',
  Fine: '罚款缴纳',
  AgreementSuspension: '暂停协议',
}

export function clockLabel(clock: Clock): string {
  return clock.label !== '' ? clock.label : clockKindLabels[clock.kind]
}

const STATE_ORDER: Record<ClockState, number> = { Overdue: 0, DueSoon: 1, Running: 2 }

/** Overdue first, then due soon, then running; within a state by due date ascending. */
export function sortClocks(clocks: readonly Clock[]): Clock[] {
  return [...clocks].sort(
    (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.due_on.localeCompare(b.due_on),
  )
}

/** Working days left, in words. */
export function daysLeftText(clock: Clock): string {
  const d = clock.working_days_left
  if (d < 0) return `逾期 ${-d} 个工作日`
  if (d === 0) return '今日到期'
  return `剩余 ${d} 个工作日`
}
