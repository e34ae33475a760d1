import { describe, expect, it } from 'vitest'
import { groupedNumber, groupedYuan } from '@/lib/money'

describe('groupedYuan', () => {
  it('groups thousands and shows two decimals without a float', () => {
    expect(groupedYuan('86543.21')).toBe('86,543.21')
    expect(groupedYuan('1234567890123.5')).toBe('1,234,567,890,123.50')
    expect(groupedYuan('999')).toBe('999.00')
    expect(groupedYuan('-1200')).toBe('-1,200.00')
    expect(groupedYuan('0.07')).toBe('0.07')
  })
  it('leaves what is not an amount as it is', () => {
    expect(groupedYuan('')).toBe('')
    expect(groupedYuan('abc')).toBe('abc')
  })
})

describe('groupedNumber', () => {
  it('groups thousands and keeps the decimals the core rounded', () => {
    expect(groupedNumber('1234')).toBe('1,234')
    expect(groupedNumber('12345.678')).toBe('12,345.678')
    expect(groupedNumber('2.97')).toBe('2.97')
    expect(groupedNumber('0')).toBe('0')
    expect(groupedNumber('万元')).toBe('万元')
  })
})
