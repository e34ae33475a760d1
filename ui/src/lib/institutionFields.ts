import type { InstitutionInput } from '@/api/types'

/** Chinese label of each institution field, as used in the form and in the import template. */
export const institutionFieldLabels: Record<keyof InstitutionInput, string> = {
  code: '机构编码',
  name: '机构名称',
  kind: '机构类别',
  credit_code: '统一社会信用代码',
  address: '地址',
  legal_rep: '法定代表人',
  contact: '联系电话',
  contact_person: '联系人',
  principal: '主要负责人',
  controller: '实际控制人',
  namesake_note: '同名核实说明',
  agreement_status: '协议状态',
  applied_on: '申请日期',
}

export function fieldLabel(field: string | undefined | null): string {
  if (field === undefined || field === null || field === '') return ''
  return field in institutionFieldLabels ? institutionFieldLabels[field as keyof InstitutionInput] : field
}

export function emptyInstitutionInput(): InstitutionInput {
  return {
    code: '',
    name: '',
    kind: 'MedicalInstitution',
    credit_code: '',
    address: '',
    legal_rep: '',
    contact: '',
    contact_person: '',
    principal: '',
    controller: '',
    namesake_note: '',
    agreement_status: 'Active',
    applied_on: null,
  }
}
