import { describe, expect, it } from 'vitest'
import { amountOrNull, parseAmount, splitHalf, sumAmounts, toHalfWidth } from '@/lib/amount'

describe('parseAmount: what people type', () => {
  it('accepts thousands separators and one decimal', () => {
    expect(parseAmount('1,234.5')).toEqual({ ok: true, value: '1234.50' })
    expect(parseAmount('1,234,567.89')).toEqual({ ok: true, value: '1234567.89' })
    expect(parseAmount('12345')).toEqual({ ok: true, value: '12345.00' })
    expect(parseAmount('0.07')).toEqual({ ok: true, value: '0.07' })
    expect(parseAmount('007')).toEqual({ ok: true, value: '7.00' })
  })
  it('accepts full-width digits, comma and point, and the ideographic space', () => {
    expect(parseAmount('１，２３４．５')).toEqual({ ok: true, value: '1234.50' })
    expect(parseAmount('\u3000１２３４。５６ ')).toEqual({ ok: true, value: '1234.56' })
    expect(toHalfWidth('９８７６')).toBe('9876')
  })
  it('accepts the currency sign and 元', () => {
    expect(amountOrNull('¥1,000')).toBe('1000.00')
    expect(amountOrNull('￥1000元')).toBe('1000.00')
  })
  it('says what is wrong', () => {
    expect(parseAmount('')).toEqual({ ok: false, message: '请填写金额' })
    expect(parseAmount('12,34.5')).toMatchObject({ ok: false, message: expect.stringContaining('千位分隔符') })
    expect(parseAmount('1.234')).toMatchObject({ ok: false, message: expect.stringContaining('两位小数') })
    expect(parseAmount('1.2.3')).toMatchObject({ ok: false, message: expect.stringContaining('小数点只能有一个') })
    expect(parseAmount('12a')).toMatchObject({ ok: false, message: expect.stringContaining('“a”') })
    expect(parseAmount('-5')).toMatchObject({ ok: false, message: '金额不能为负数' })
    expect(parseAmount('1.')).toMatchObject({ ok: false, message: expect.stringContaining('小数点后') })
    expect(parseAmount('.5')).toMatchObject({ ok: false, message: expect.stringContaining('小数点前') })
    expect(parseAmount('1234567890123')).toMatchObject({ ok: false, message: expect.stringContaining('9999 亿') })
    expect(amountOrNull('abc')).toBeNull()
  })
  it('never goes through a float', () => {
    expect(amountOrNull('999999999999.99')).toBe('999999999999.99')
    expect(amountOrNull('0.1')).toBe('0.10')
  })
})

describe('splitHalf: 5:5 of an unknown fund', () => {
  it('gives the odd cent to the employee half (cases::split_half)', () => {
    expect(splitHalf('1000.01')).toEqual(['500.01', '500.00'])
    expect(splitHalf('1,000')).toEqual(['500.00', '500.00'])
    expect(splitHalf('0.01')).toEqual(['0.01', '0.00'])
    expect(splitHalf('x')).toBeNull()
  })
})

describe('sumAmounts', () => {
  it('adds exactly', () => {
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30')
    expect(sumAmounts(['12345.67', '1000.00'])).toBe('13345.67')
    expect(sumAmounts([])).toBe('0.00')
  })
})
