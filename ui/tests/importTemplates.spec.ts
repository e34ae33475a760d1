import { describe, expect, it } from 'vitest'
import { institutionTemplateCsv, insuredTemplateCsv } from '@/lib/importTemplates'

// The core skips a row whose key cell begins with 示例 and reads a header's label before its
// full-width bracket (registry::EXAMPLE_MARK, map_header; tests/all/foundation.rs imports such a file).
describe('import templates', () => {
  for (const [name, csv, key] of [
    ['institutions', institutionTemplateCsv(), '机构编码'],
    ['insured persons', insuredTemplateCsv(), '身份证号码'],
  ] as const) {
    it(`${name}: BOM, header with allowed values, one example row marked 示例`, () => {
      expect(csv.startsWith('\uFEFF')).toBe(true)
      const lines = csv.slice(1).trimEnd().split('\r\n')
      expect(lines).toHaveLength(2)
      const header = lines[0].split(',')
      const example = lines[1].split(',')
      expect(header[0].startsWith(key)).toBe(true)
      expect(example).toHaveLength(header.length)
      expect(example[0].startsWith('示例')).toBe(true)
      // Every value the example gives for a column with allowed values is one of them.
      header.forEach((h, i) => {
        const m = /（(.+)）$/.exec(h)
        if (m && i > 0) expect(m[1].split('、')).toContain(example[i])
      })
    })
  }
})
