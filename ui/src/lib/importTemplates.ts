// The CSV templates for importing the registries, generated on the client: each header names its
// column (a note in full-width brackets lists the allowed values; the core reads the label before
// the bracket), and one example row whose first cell begins with 示例 — the core skips such a row
// (registry::EXAMPLE_MARK), so a template imported as it is adds nothing.
import { enumLabels } from '@/api/types.gen'

const allowed = (labels: Record<string, string>) => `（${Object.values(labels).join('、')}）`

/** One CSV file: header and example row, UTF-8 with a BOM so that Excel on Windows reads the Chinese. */
export function templateCsv(header: readonly string[], example: readonly string[]): string {
  return '\uFEFF' + [header.join(','), example.join(',')].join('\r\n') + '\r\n'
}

export const INSTITUTION_TEMPLATE_HEADER = [
  '机构编码',
  '机构名称',
  `机构类别${allowed(enumLabels.InstitutionKind)}`,
  '统一社会信用代码',
  '地址',
  '法定代表人',
  '主要负责人',
  '实际控制人',
  '联系人',
  '联系电话',
  `协议状态${allowed(enumLabels.AgreementStatus)}`,
] as const

export const INSTITUTION_TEMPLATE_FILE = '定点医药机构导入模板.csv'

export function institutionTemplateCsv(): string {
  return templateCsv(INSTITUTION_TEMPLATE_HEADER, [
    '示例：H22010200001',
    '某某市某某医院',
    enumLabels.InstitutionKind.MedicalInstitution,
    '91350100M000100Y43',
    '某某路1号',
    '王某',
    '王某',
    '',
    '李某',
    '0431-88888888',
    enumLabels.AgreementStatus.Active,
  ])
}

export const INSURED_TEMPLATE_FILE = '参保人员导入模板.csv'

export function insuredTemplateCsv(): string {
  return templateCsv(
    ['身份证号码（18位，末位可为X）', '姓名', `参保类别${allowed(enumLabels.Scheme)}`, '联系电话', '住址'],
    ['示例：11010519491231002X', '王某某', enumLabels.Scheme[Object.keys(enumLabels.Scheme)[0] as keyof typeof enumLabels.Scheme], '13800000000', '某某市某某区某某路1号'],
  )
}
