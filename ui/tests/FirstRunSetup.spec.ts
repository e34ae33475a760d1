import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import FirstRunSetup from '@/components/FirstRunSetup.vue'
import { ApiError, call } from '@/api/client'
import type { Office } from '@/api/types'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

function mountForm() {
  return mount(FirstRunSetup, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
}

async function fillAndSubmit(wrapper: ReturnType<typeof mountForm>, code: string, name: string) {
  await wrapper.get('input[data-testid="office-code"]').setValue(code)
  await wrapper.get('input[data-testid="office-name"]').setValue(name)
  await wrapper.get('input[data-testid="admin-name"]').setValue('刘一')
  await wrapper.get('input[data-testid="admin-password"]').setValue('first1pass')
  await wrapper.get('input[data-testid="admin-confirm"]').setValue('first1pass')
  await wrapper.get('[data-testid="office-submit"]').trigger('click')
  await settle()
}

describe('FirstRunSetup', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the Chinese title and defaults the level to 县级', async () => {
    const wrapper = mountForm()
    await settle()
    expect(wrapper.text()).toContain('首次使用：设置本单位')
    expect(wrapper.get('[data-testid="office-level"]').text()).toContain('县级')
  })

  it('submits office.init with its first administrator, logs them in and emits the created office', async () => {
    const office: Office = { code: '220102', name: '长春市南关区医疗保障局', level: 'county', created_at: '2026-01-05' }
    const user = {
      id: 1, uid: '220102-U1', username: 'admin', display_name: '刘一', roles: ['Admin' as const], active: true,
      must_change_password: false,
    cert_no: '',
    cert_expires: null, created_at: '', updated_at: '',
    }
    callMock.mockImplementation((async (command: string) =>
      command === 'office.init' ? office : command === 'user.login' ? { token: 't', user, idle_lock_minutes: 15 } : null) as typeof call)
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, '220102', ' 长春市南关区医疗保障局 ')

    // Besides the preset suggestion for the code typed: the set-up, then the login.
    const calls = callMock.mock.calls.filter(([command]) => command !== 'office.suggest_preset')
    expect(calls).toHaveLength(2)
    expect(calls[0]).toEqual(['office.init', {
      code: '220102',
      name: '长春市南关区医疗保障局',
      level: 'county',
      // No preset picked: the national base (issue 9).
      preset: 'National',
      admin: { username: 'admin', display_name: '刘一', roles: ['Admin'], password: 'first1pass' },
    }])
    expect(calls[1]).toEqual(['user.login', { username: 'admin', password: 'first1pass' }])
    expect(wrapper.emitted('created')).toEqual([[office]])
  })

  it('offers the rule sets by their Chinese names, the national base first, and sends the one picked', async () => {
    const wrapper = mountForm()
    await settle()
    expect(wrapper.get('[data-testid="office-preset"]').text()).toContain('全国通用（国家法律法规）')
    ;(wrapper.vm as unknown as { form: { preset: string } }).form.preset = 'Jilin'
    await settle(2, 0)
    expect(wrapper.get('[data-testid="office-preset"]').text()).toContain('吉林省')
    callMock.mockImplementation((async (command: string) => {
      if (command === 'office.init') return { code: '220102', name: '某医保局', level: 'county', created_at: '' }
      if (command === 'office.suggest_preset') return 'Jilin'
      throw new Error('x')
    }) as typeof call)
    await fillAndSubmit(wrapper, '220102', '某医保局')
    const init = callMock.mock.calls.find(([command]) => command === 'office.init')
    expect((init?.[1] as { preset: string }).preset).toBe('Jilin')
  })

  it("suggests the preset made for the office's region, and uses it only when asked", async () => {
    callMock.mockImplementation((async (command: string, payload: { code: string }) =>
      command === 'office.suggest_preset' && payload.code.startsWith('22') ? 'Jilin' : null) as typeof call)
    const wrapper = mountForm()
    const code = wrapper.get('input[data-testid="office-code"]')
    await code.setValue('220102')
    await code.trigger('change')
    await settle()
    expect(callMock).toHaveBeenCalledWith('office.suggest_preset', { code: '220102' })
    expect(wrapper.get('[data-testid="office-preset-suggest"]').text()).toContain('行政区划代码属于吉林省')
    // Not chosen for the office until it says so.
    expect(wrapper.get('[data-testid="office-preset"]').text()).toContain('全国通用')
    await wrapper.get('[data-testid="office-preset-use"]').trigger('click')
    await settle(2, 0)
    expect(wrapper.get('[data-testid="office-preset"]').text()).toContain('吉林省')
    expect(wrapper.find('[data-testid="office-preset-suggest"]').exists()).toBe(false)
  })

  it('does not call the server when the two passwords differ', async () => {
    const wrapper = mountForm()
    await wrapper.get('input[data-testid="office-code"]').setValue('220102')
    await wrapper.get('input[data-testid="office-name"]').setValue('某医保局')
    await wrapper.get('input[data-testid="admin-name"]').setValue('刘一')
    await wrapper.get('input[data-testid="admin-password"]').setValue('first1pass')
    await wrapper.get('input[data-testid="admin-confirm"]').setValue('first2pass')
    await wrapper.get('[data-testid="office-submit"]').trigger('click')
    await settle()
    expect(callMock).not.toHaveBeenCalledWith('office.init', expect.anything())
    expect(wrapper.text()).toContain('两次输入的密码不一致')
  })

  it('does not call the server when the code is not 6 digits', async () => {
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, '2201', '某医保局')
    expect(callMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('行政区划代码应为6位数字')
  })

  it('shows a server validation error under the field it names', async () => {
    callMock.mockRejectedValue(new ApiError('VALIDATION', '行政区划代码：220199 不是有效的行政区划代码', 'code'))
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, '220199', '某医保局')

    const items = wrapper.findAll('.el-form-item')
    const codeItem = items.find((i) => i.find('input[data-testid="office-code"]').exists())
    const nameItem = items.find((i) => i.find('input[data-testid="office-name"]').exists())
    expect(codeItem?.classes()).toContain('is-error')
    // The label prefix of the core's message is dropped: the field's label is right beside it.
    expect(codeItem?.get('.el-form-item__error').text()).toBe('220199 不是有效的行政区划代码')
    expect(nameItem?.find('.el-form-item__error').exists()).toBe(false)
    expect(wrapper.emitted('created')).toBeUndefined()
  })

  it('shows an error without a field above the form', async () => {
    callMock.mockRejectedValue(new ApiError('CONFLICT', '本单位已设置，不能重复创建'))
    const wrapper = mountForm()
    await fillAndSubmit(wrapper, '220102', '某医保局')
    expect(wrapper.get('[data-testid="office-error"]').text()).toContain('本单位已设置，不能重复创建')
  })
})
