import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import LoginPanel from '@/components/LoginPanel.vue'
import { ApiError, call, setSessionToken } from '@/api/client'
import { session } from '@/lib/session'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
  setSessionToken: vi.fn(),
}))
const callMock = vi.mocked(call)

const user = {
  id: 2, uid: '220102-U2', username: 'zhou', display_name: '周九', roles: ['Handler' as const], active: true,
  must_change_password: false,
    cert_no: '',
    cert_expires: null, created_at: '', updated_at: '',
}

function mountPanel(overlay = false) {
  return mount(LoginPanel, {
    props: { officeName: '长春市南关区医疗保障局', overlay },
    global: { plugins: globalPlugins, stubs: realTransitions },
    attachTo: document.body,
  })
}

describe('LoginPanel', () => {
  afterEach(() => {
    callMock.mockReset()
    session.user = null
    session.locked = false
    document.body.innerHTML = ''
  })

  it('asks for both fields before calling the core', async () => {
    const wrapper = mountPanel()
    await wrapper.get('[data-testid="login-submit"]').trigger('click')
    await settle()
    expect(callMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('请输入用户名')
    expect(wrapper.text()).toContain('请输入密码')
  })

  it("shows the core's refusal and clears the password", async () => {
    callMock.mockRejectedValue(new ApiError('VALIDATION', '用户名或密码不正确，或该用户已停用'))
    const wrapper = mountPanel()
    await wrapper.get('input[data-testid="login-username"]').setValue('zhou')
    await wrapper.get('input[data-testid="login-password"]').setValue('wrong1pass')
    await wrapper.get('[data-testid="login-submit"]').trigger('click')
    await settle()
    expect(wrapper.get('[data-testid="login-error"]').text()).toContain('用户名或密码不正确')
    expect((wrapper.get('input[data-testid="login-password"]').element as HTMLInputElement).value).toBe('')
    expect(session.user).toBeNull()
  })

  it('logs in, keeps the token for the calls, and unlocks a locked screen as the same user', async () => {
    session.user = user
    session.locked = true
    session.lockReason = '已超过15分钟未操作，已自动锁定'
    callMock.mockResolvedValue({ token: 'tok', user, idle_lock_minutes: 15 })
    const wrapper = mountPanel(true)
    expect(wrapper.text()).toContain('已锁定，请重新登录')
    expect(wrapper.text()).toContain('未保存的内容仍在')
    const name = wrapper.get('input[data-testid="login-username"]').element as HTMLInputElement
    expect(name.value).toBe('zhou')
    expect(name.disabled).toBe(true)
    await wrapper.get('input[data-testid="login-password"]').setValue('mine1pass')
    await wrapper.get('[data-testid="login-submit"]').trigger('click')
    await settle()
    expect(callMock).toHaveBeenCalledWith('user.login', { username: 'zhou', password: 'mine1pass' })
    expect(vi.mocked(setSessionToken)).toHaveBeenLastCalledWith('tok')
    expect(session.locked).toBe(false)
    expect(session.user?.display_name).toBe('周九')
  })
})
