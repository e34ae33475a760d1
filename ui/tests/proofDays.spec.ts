import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount } from '@vue/test-utils'
import { ApiError, call } from '@/api/client'
import { useProofSentence } from '@/lib/proofDays'
import { settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const Probe = defineComponent({
  setup() {
    const sentence = useProofSentence()
    return () => h('p', sentence.value)
  },
})

describe('useProofSentence', () => {
  afterEach(() => callMock.mockReset())

  it("states the office's number of working days for the voucher, not a fixed one", async () => {
    callMock.mockResolvedValue({ payment_proof_days: 5 } as never)
    const wrapper = mount(Probe)
    await settle()
    expect(callMock).toHaveBeenCalledWith('profile.get', {})
    expect(wrapper.text()).toBe('缴款凭证应在缴款后5个工作日内交经办机构。')
  })

  it('says nothing rather than a wrong number when the profile cannot be read', async () => {
    callMock.mockRejectedValue(new ApiError('STORAGE', '数据库错误'))
    const wrapper = mount(Probe)
    await settle()
    expect(wrapper.text()).toBe('')
  })
})
