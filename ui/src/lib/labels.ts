// Chinese labels for the enum values of the API: the core's own words, generated into `enumLabels`
// (src/vocab/labels.rs), so the UI never spells a label again. Tag colours are the UI's.
import { enumLabels } from '@/api/types.gen'
import type { AgreementStatus } from '@/api/types'
import type { RulePreset } from '@/api/types.gen'

export const officeLevelLabels = enumLabels.OfficeLevel

export const rulePresetLabels = enumLabels.RulePreset

/** The preset an office of this 行政区划代码 most likely follows (issue 9): its province's or city's
 * (吉林 22, 天津 12, 济南 3701, 河源 4416), else the national base. Only a suggestion at first run. */
export function suggestedPreset(code: string): RulePreset {
  if (code.startsWith('22')) return 'Jilin'
  if (code.startsWith('12')) return 'Tianjin'
  if (code.startsWith('3701')) return 'Jinan'
  if (code.startsWith('4416')) return 'Heyuan'
  return 'National'
}

export const institutionKindLabels = enumLabels.InstitutionKind

export const agreementStatusLabels = enumLabels.AgreementStatus

export type TagType = 'success' | 'warning' | 'danger' | 'info'

export const agreementStatusTags: Record<AgreementStatus, TagType> = {
  Active: 'success',
  Suspended: 'warning',
  Terminated: 'danger',
  None: 'info',
}

/** Entries of a label map in declaration order, for selects. */
export function options<T extends string>(labels: Record<T, string>): { value: T; label: string }[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }))
}
