import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { errorText, withoutLabel } from '@/lib/messages'

describe('withoutLabel', () => {
  it('drops a leading "<label>：" and keeps everything else', () => {
    expect(withoutLabel('统一社会信用代码：校验位不正确', '统一社会信用代码')).toBe('校验位不正确')
    expect(withoutLabel('机构编码: 不能为空', '机构编码')).toBe('不能为空')
    expect(withoutLabel('统一社会信用代码校验位不正确', '统一社会信用代码')).toBe('统一社会信用代码校验位不正确')
    expect(withoutLabel('机构编码：', '机构编码')).toBe('机构编码：')
    expect(withoutLabel('列数不足', '')).toBe('列数不足')
  })
})

describe('errorText', () => {
  it("shows an ApiError's Chinese message, never its code", () => {
    expect(errorText(new ApiError('VALIDATION', '统一社会信用代码：校验位不正确', 'credit_code'))).toBe(
      '统一社会信用代码：校验位不正确',
    )
    expect(errorText(new ApiError('NETWORK', '无法连接本地服务，请确认程序仍在运行'))).toBe('无法连接本地服务，请确认程序仍在运行')
  })

  it('shows the message of any other error, without its class name', () => {
    expect(errorText(new Error('读取文件失败'))).toBe('读取文件失败')
    expect(errorText(new TypeError('Invalid PDF structure.'))).toBe('Invalid PDF structure.')
  })

  it('shows a thrown string as it is, and the message of an { code, message } object', () => {
    expect(errorText('打印机不可用')).toBe('打印机不可用')
    expect(errorText({ code: 'CONFLICT', message: '该文书已开具' })).toBe('该文书已开具')
  })

  it('says 操作失败（未知错误） when there is no text to show', () => {
    for (const e of [new Error(''), new ApiError('INTERNAL', ''), '', undefined, null, 42, {}]) {
      expect(errorText(e)).toBe('操作失败（未知错误）')
    }
  })
})
