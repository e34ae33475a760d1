import { describe, expect, it } from 'vitest'
import { baseName, bytesToBase64 } from '@/lib/files'
import { maskedId } from '@/lib/insured'

describe('files', () => {
  it('encodes bytes as base64 in chunks, also past the 32 KiB chunk size', () => {
    expect(bytesToBase64(new TextEncoder().encode('医保'))).toBe(btoa(String.fromCharCode(...new TextEncoder().encode('医保'))))
    const big = new Uint8Array(100_000).map((_, i) => i % 251)
    const decoded = Uint8Array.from(atob(bytesToBase64(big)), (c) => c.charCodeAt(0))
    expect(decoded).toEqual(big)
  })

  it('takes the file name of a Windows or Unix path', () => {
    expect(baseName('C:\\Users\\科员\\机构.xlsx')).toBe('机构.xlsx')
    expect(baseName('/home/user/机构.csv')).toBe('机构.csv')
  })
})

describe('maskedId', () => {
  it('hides the birth date of an 18-digit number and leaves anything else as it is', () => {
    expect(maskedId('11010519491231002X')).toBe('110105********002X')
    expect(maskedId('12345')).toBe('12345')
  })
})
