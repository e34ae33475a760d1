// Chinese labels for the case / clock enums of the API: the core's own words, generated into
// `enumLabels` (src/vocab/labels.rs); only the tag colours are the UI's.
import { enumLabels } from '@/api/types.gen'
import type {
  CaseStatus,
  Clock,
  ClockState,
} from '@/api/types.gen'
import type { TagType } from './labels'

export const caseStatusLabels = enumLabels.CaseStatus

export const caseStatusTags: Record<CaseStatus, TagType | 'primary'> = {
  Investigating: 'primary',
  Notified: 'warning',
  Decided: 'warning',
  Executing: 'success',
  Closed: 'info',
  Dropped: 'info',
}

export const partyKindLabels = enumLabels.PartyKind

export const trackLabels = enumLabels.Track

export const fundLabels = enumLabels.Fund

export const yearKindLabels = enumLabels.YearKind

export const expenseCategoryLabels = enumLabels.ExpenseCategory

export const recoverySourceLabels = enumLabels.RecoverySource

export const clockStateLabels = enumLabels.ClockState

export const clockStateTags: Record<ClockState, TagType> = {
  Overdue: 'danger',
  DueSoon: 'warning',
  Running: 'info',
}

export const clockKindLabels = enumLabels.ClockKind

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
