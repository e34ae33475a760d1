// Chinese labels for the enum values of the API. `Record<Union, string>` makes the compiler demand
// a label for every value the Rust core declares.
import type { AgreementStatus, InstitutionKind, OfficeLevel } from '@/api/types'

export const officeLevelLabels: Record<OfficeLevel, string> = {
  county: '县级',
  city: '市级',
  province: '省级',
}

export const institutionKindLabels: Record<InstitutionKind, string> = {
  MedicalInstitution: '医疗机构',
  RetailPharmacy: '零售药店',
}

export const agreementStatusLabels: Record<AgreementStatus, string> = {
  Active: '正常',
  Suspended: '中止',
  Terminated: '解除',
  None: '未签订',
}

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
