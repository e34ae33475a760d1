import { describe, expect, it } from 'vitest'
import { withoutLabel } from '@/lib/messages'

describe('withoutLabel', () => {
  it('drops a leading "<label>：" and keeps everything else', () => {
    expect(withoutLabel('统一社会信用代码：校验位不正确', '统一社会信用代码')).toBe('校验位不正确')
    expect(withoutLabel('机构编码: 不能为空', '机构编码')).toBe('不能为空')
    expect(withoutLabel('统一社会信用代码校验位不正确', '统一社会信用代码')).toBe('统一社会信用代码校验位不正确')
    expect(withoutLabel('机构编码：', '机构编码')).toBe('机构编码：')
    expect(withoutLabel('列数不足', '')).toBe('列数不足')
  })
})
