// The CSV template for importing institutions, generated on the client.

export const INSTITUTION_TEMPLATE_HEADER = [
  '机构编码',
  '机构名称',
  '机构类别',
  '统一社会信用代码',
  '地址',
  '法定代表人',
  '联系电话',
  '协议状态',
] as const

export const INSTITUTION_TEMPLATE_FILE = '定点医药机构导入模板.csv'

/** Header line with a UTF-8 BOM so that Excel on Windows opens the Chinese header correctly. */
export function institutionTemplateCsv(): string {
  return '\uFEFF' + INSTITUTION_TEMPLATE_HEADER.join(',') + '\r\n'
}
