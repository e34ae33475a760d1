import { afterEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import MeasuresInput from '@/components/MeasuresInput.vue'
import type { MeasureInput } from '@/api/types.gen'
import { globalPlugins, realTransitions, settle } from './helpers'

// 解除服务协议 asks for its ground (国家医疗保障局令第2号/第3号: 违法违规 bars a new agreement for 3
// years, a serious breach of the agreement for 1); no other measure has one.
describe('MeasuresInput · 解除原因', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('offers the ground only for a termination', async () => {
    const termination: MeasureInput = { kind: 'AgreementTermination', months: null, serious: false, note: '', ground: null }
    const w = mount(MeasuresInput, {
      props: { modelValue: [termination], track: 'Agreement', testId: 'm' },
      global: { plugins: globalPlugins, stubs: realTransitions },
      attachTo: document.body,
    })
    await settle()
    const ground = w.find('[data-testid="m-ground-0"]')
    expect(ground.exists()).toBe(true)
    // Shown as 违法违规 until chosen (the core's default, the longer ban).
    expect(w.text()).toContain('因违法违规解除')
    await w.setProps({ modelValue: [{ ...termination, ground: 'Breach' }] })
    expect(w.text()).toContain('因严重违反服务协议约定解除')
    // Another kind: no ground.
    await w.setProps({ modelValue: [{ kind: 'Interview', months: null, serious: false, note: '', ground: null }] })
    expect(w.find('[data-testid="m-ground-0"]').exists()).toBe(false)
  })
})
