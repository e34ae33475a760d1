// Chinese labels for the enum values of the API: the core's own words, generated into `enumLabels`
// (src/vocab/labels.rs), so the UI never spells a label again. Tag colours are the UI's.
import { enumLabels } from '@/api/types.gen'
import type { AgreementStatus } from '@/api/types'

export const officeLevelLabels = enumLabels.OfficeLevel

export const rulePresetLabels = enumLabels.RulePreset

export const institutionKindLabels = enumLabels.InstitutionKind

export const agreementStatusLabels = enumLabels.AgreementStatus

export const inspectionKindLabels = enumLabels.InspectionKind

export const accountabilityCategoryLabels = enumLabels.AccountabilityCategory

export const matterKindLabels = enumLabels.MatterKind

export const recoveredBasisLabels = enumLabels.RecoveredBasis

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
