import { describe, expect, it } from 'vitest'
import { newRequestId } from '@/lib/requestId'

describe('newRequestId', () => {
  it('is a fresh id the core accepts each time', () => {
    const a = newRequestId()
    const b = newRequestId()
    expect(a).not.toBe(b)
    for (const id of [a, b]) {
      expect(id.length).toBeGreaterThanOrEqual(8)
      expect(id.length).toBeLessThanOrEqual(64)
      expect(id).toMatch(/^[0-9A-Za-z_-]+$/)
    }
  })
})
