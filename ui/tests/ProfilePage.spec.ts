import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { ElMessageBox } from 'element-plus'
import ProfilePage from '@/pages/ProfilePage.vue'
import { call } from '@/api/client'
import type { PresetInfo, ProfileField, RuleProfile } from '@/api/types.gen'
import { session } from '@/lib/session'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const fields: ProfileField[] = [
  { name: 'statement_days', label: '陈述申辩期限', unit: 'WorkingDays', min: 3, max: 15, source: '本单位设置' },
]

const jilinRefundOrder = '《吉林省医疗保障局 吉林省财政厅关于规范医疗保障基金追回工作的通知》（吉医保联〔2021〕9号）第二条'

function profile(preset: RuleProfile['preset'], refundOrder: string): RuleProfile {
  return {
    lead_check_days: 15, lead_check_extension_days: 15, statement_days: 5, hearing_request_days: 5,
    hearing_threshold_person: '5000.00', hearing_threshold_organisation: '100000.00', legal_review_days: 10,
    collective_review_threshold: '50000.00', decision_days: 90, decision_extension_days: 30, service_days: 7,
    public_notice_days: 30, evidence_registration_days: 7, sealing_days: 30, sealing_extension_days: 30,
    city_report_days: 3, payment_proof_days: 3, fine_payment_days: 15, due_soon_days: 3, idle_lock_minutes: 15, backups_kept: 14,
    preset,
    offset_policy: preset === 'Jilin' ? 'AfterOverdue' : 'OnRequestWithinDeadline',
    unknown_fund_split: preset === 'Tianjin',
    citations: { RefundOrder: refundOrder, Offset: '' },
  }
}

function presetInfo(preset: PresetInfo['preset'], name: string, document: PresetInfo['document']): PresetInfo {
  return { preset, name, document, note: `${name}的说明`, rows: [] }
}

const presets: PresetInfo[] = [
  presetInfo('National', '全国通用（国家法律法规）', null),
  presetInfo('Jilin', '吉林省', {
    title: '吉林省医疗保障局 吉林省财政厅关于规范医疗保障基金追回工作的通知',
    number: '吉医保联〔2021〕9号', issuer: '吉林省医疗保障局、吉林省财政厅', date: '2021-04-22', draft: false,
  }),
]

function answer(current: RuleProfile) {
  callMock.mockImplementation((async (command: string, payload?: unknown) => {
    if (command === 'profile.describe') return fields
    if (command === 'profile.get') return current
    if (command === 'profile.presets') return presets
    if (command === 'profile.update') return payload
    if (command === 'profile.use_preset') return profile('National', '《医疗保障基金使用监督管理条例》（国务院令第735号）第三十八条至第四十一条')
    throw new Error(`unexpected ${command}`)
  }) as typeof call)
}

const byTestId = <T extends Element = HTMLElement>(id: string) =>
  document.body.querySelector<T>(`[data-testid="${id}"]`)

describe('ProfilePage · 适用规则与依据', () => {
  beforeEach(() => {
    session.user = {
      id: 1, uid: '220102-U1', username: 'admin', display_name: '刘一', roles: ['Admin'], active: true,
      must_change_password: false,
    cert_no: '',
    cert_expires: null, created_at: '', updated_at: '',
    }
  })
  afterEach(() => {
    callMock.mockReset()
    vi.mocked(ElMessageBox.confirm).mockRestore?.()
    session.user = null
    document.body.innerHTML = ''
  })

  it('shows the preset, its document and what each rule cites', async () => {
    answer(profile('Jilin', jilinRefundOrder))
    mount(ProfilePage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(byTestId('rule-set-current')?.textContent).toBe('吉林省')
    expect(byTestId('rule-set-document')?.textContent).toContain('（吉医保联〔2021〕9号）')
    const table = byTestId('citation-table')?.textContent ?? ''
    expect(table).toContain('责令退款通知书')
    expect(byTestId('offset-policy')?.textContent ?? document.body.textContent).toContain('逾期不退（无故、恶意拖延）时抵扣拨付基金')
    expect(byTestId<HTMLTextAreaElement>('citation-RefundOrder')?.querySelector('textarea')?.value ?? byTestId<HTMLTextAreaElement>('citation-RefundOrder')?.value).toBe(jilinRefundOrder)
  })

  it('saves an edited citation with the values through profile.update', async () => {
    answer(profile('National', ''))
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    mount(ProfilePage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    const area = document.body.querySelector<HTMLTextAreaElement>('[data-testid="citation-Offset"] textarea, textarea[data-testid="citation-Offset"]')
    if (!area) throw new Error('no citation input')
    area.value = '《长春市医疗保障基金追回细则》第五条'
    area.dispatchEvent(new Event('input'))
    await settle(2, 0)
    expect(byTestId('profile-save')?.textContent).toContain('1项修改')
    byTestId<HTMLButtonElement>('profile-save')?.click()
    await settle()
    const update = callMock.mock.calls.find((c) => c[0] === 'profile.update')
    expect((update?.[1] as RuleProfile).citations.Offset).toBe('《长春市医疗保障基金追回细则》第五条')
  })

  it('changes the preset through profile.use_preset after confirmation', async () => {
    answer(profile('Jilin', jilinRefundOrder))
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const wrapper = mount(ProfilePage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(byTestId<HTMLButtonElement>('rule-set-use')?.disabled).toBe(true)
    ;(wrapper.vm as unknown as { nextPreset: string }).nextPreset = 'National'
    await settle(2, 0)
    byTestId<HTMLButtonElement>('rule-set-use')?.click()
    await settle()
    expect(confirm.mock.calls.at(-1)?.[0]).toContain('已立案的案件仍按立案时的规则办理')
    expect(callMock).toHaveBeenCalledWith('profile.use_preset', { preset: 'National' })
    expect(byTestId('rule-set-current')?.textContent).toBe('全国通用（国家法律法规）')
  })
})
