import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import StepFormDialog from '@/components/StepFormDialog.vue'
import { ApiError, call } from '@/api/client'
import type { FieldSpec } from '@/lib/stepForm'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const fields: FieldSpec[] = [
  { key: 'description', label: '违规事实', type: 'text', required: true },
  { key: 'amount', label: '涉及金额', type: 'amount', required: true },
]

function mountDialog(submit: (v: Record<string, unknown>) => Promise<unknown>) {
  return mount(StepFormDialog, {
    props: { modelValue: true, title: '登记违规事实', fields, submit, testId: 'f' },
    global: { plugins: globalPlugins, stubs: realTransitions },
    attachTo: document.body,
  })
}
const input = (testId: string) => document.body.querySelector<HTMLInputElement>(`input[data-testid="${testId}"]`)!
async function type(testId: string, value: string) {
  input(testId).value = value
  input(testId).dispatchEvent(new Event('input'))
  await settle(1, 0)
}
async function save() {
  document.body.querySelector<HTMLButtonElement>('[data-testid="f-submit"]')!.click()
  await settle()
}
const errors = () => [...document.body.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim()).filter(Boolean)

describe('StepFormDialog', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('asks for the required fields and for a proper amount without calling the core', async () => {
    callMock.mockResolvedValue({ amount: '1.00', grouped: '1.00', words: '壹元整' })
    const submit = vi.fn()
    mountDialog(submit)
    await settle()
    await save()
    expect(errors()).toEqual(['请填写违规事实', '请填写涉及金额'])
    await type('f-description', '串换药品')
    await type('f-amount', '12,34.5')
    await save()
    expect(errors()).toEqual([expect.stringContaining('千位分隔符')])
    expect(submit).not.toHaveBeenCalled()
  })

  it('shows the 大写 of a full-width amount from the core', async () => {
    callMock.mockResolvedValue({ amount: '1234.50', grouped: '1,234.50', words: '壹仟贰佰叁拾肆元伍角整' })
    mountDialog(vi.fn())
    await settle()
    await type('f-amount', '１，２３４．５')
    await settle(5, 300)
    expect(callMock).toHaveBeenCalledWith('money.words', { amount: '1234.50' })
    expect(document.body.querySelector('[data-testid="f-amount-words"]')?.textContent).toContain('壹仟贰佰叁拾肆元伍角整')
  })

  it('puts a refusal under its field and keeps what was typed', async () => {
    callMock.mockResolvedValue({ amount: '1.00', grouped: '1.00', words: '壹元整' })
    const submit = vi.fn().mockRejectedValue(new ApiError('VALIDATION', '违规事实：不能超过2000字', 'description'))
    const wrapper = mountDialog(submit)
    await settle()
    await type('f-description', '串换药品')
    await type('f-amount', '1')
    await save()
    expect(submit).toHaveBeenCalledWith({ description: '串换药品', amount: '1' })
    expect(errors()).toEqual(['不能超过2000字'])
    expect(input('f-description').value).toBe('串换药品')
    expect(wrapper.emitted('done')).toBeUndefined()
    // A refusal without a field goes above the form.
    submit.mockRejectedValueOnce(new ApiError('ILLEGAL_STEP', '案件已结案，不能再修改'))
    await type('f-description', '串换药品、虚记费用')
    expect(errors()).toEqual([]) // the field's error went when its value changed
    await save()
    expect(document.body.querySelector('[data-testid="f-error"]')?.textContent).toContain('案件已结案，不能再修改')
    expect(input('f-amount').value).toBe('1')
  })
})
