import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import DocumentSettingsPage from '@/pages/DocumentSettingsPage.vue'
import { ApiError, call } from '@/api/client'
import type { BankAccount, DocumentSettings } from '@/api/types.gen'
import { officeState } from '@/lib/office'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const noAccount: BankAccount = { account_name: '', bank: '', account_number: '', bank_code: '' }

function stored(): DocumentSettings {
  return {
    kinds: [
      {
        kind: 'RefundOrder',
        title: '责令退款通知书',
        prefix: '',
        default_prefix: '天津医保责退',
        style: 'Plain',
        template: '',
        default_template: '现责令{party_you}退回{amount}。',
        fields: [
          { name: 'party_you', label: '对当事人的称呼（你单位/你）' },
          { name: 'amount', label: '金额（小写）' },
        ],
      },
      {
        kind: 'RecoverySlip',
        title: '医疗保障基金追回通知单',
        prefix: '',
        default_prefix: '天津医保追单',
        style: 'Plain',
        template: '',
        default_template: '本文书一式{copies}份。',
        fields: [{ name: 'copies', label: '份数' }],
      },
    ],
    agency_name: '',
    agency_address: '',
    contact_phone: '',
    employee_account: { ...noAccount },
    resident_account: { ...noAccount },
    government: '',
    court: '',
    // The core derives these from the office name (docs::settings).
    default_agency_name: '天津市和平区医疗保障局',
    default_government: '天津市和平区人民政府',
    default_court: '天津市和平区人民法院',
  }
}

function mountPage() {
  return mount(DocumentSettingsPage, {
    global: { plugins: globalPlugins, stubs: realTransitions },
    attachTo: document.body,
  })
}

const q = <T extends Element = HTMLElement>(sel: string) => document.body.querySelector<T>(sel)
const byTestId = <T extends Element = HTMLInputElement>(id: string) => q<T>(`[data-testid="${id}"]`)

async function type(testId: string, value: string): Promise<void> {
  const el = byTestId<HTMLInputElement | HTMLTextAreaElement>(testId)
  if (!el) throw new Error(`no input ${testId}`)
  el.value = value
  el.dispatchEvent(new Event('input'))
  await settle(1, 0)
}

/** The error text of the form item holding `testId`. */
function errorOf(testId: string): string | null {
  const item = byTestId(testId)?.closest('.el-form-item')
  return item?.querySelector('.el-form-item__error')?.textContent?.trim() ?? null
}

async function save(): Promise<void> {
  byTestId<HTMLButtonElement>('settings-save')?.click()
  await settle()
}

describe('DocumentSettingsPage', () => {
  beforeEach(() => {
    officeState.value = {
      status: 'ready',
      office: { code: '120101', name: '天津市和平区医疗保障局', level: 'county', created_at: '2026-01-01T00:00:00Z' },
    }
  })
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the defaults as placeholders and the fields a template may use', async () => {
    callMock.mockResolvedValueOnce(stored())
    mountPage()
    await settle()
    expect(callMock).toHaveBeenCalledWith('document.settings_get', {})
    expect(byTestId('settings-government')?.placeholder).toBe('默认：天津市和平区人民政府')
    expect(byTestId('settings-court')?.placeholder).toBe('默认：天津市和平区人民法院')
    expect(byTestId('settings-agency_name')?.placeholder).toBe('默认：天津市和平区医疗保障局')
    expect(byTestId('settings-kind-RecoverySlip-prefix')?.placeholder).toBe('默认：天津医保追单')
    // The clerk reads the template's fields by their Chinese names, never the core's identifiers.
    expect(byTestId<HTMLTextAreaElement>('settings-kind-RefundOrder-template')?.value).toBe(
      '现责令{对当事人的称呼（你单位/你）}退回{金额（小写）}。',
    )
    const kind = byTestId('settings-kind-RefundOrder')?.textContent ?? ''
    expect(kind).toContain('{对当事人的称呼（你单位/你）}')
    expect(kind).not.toContain('party_you')
    expect(kind).toContain('当前为默认内容')
  })

  it('saves what was typed; 恢复默认 sends an empty template', async () => {
    callMock.mockResolvedValueOnce(stored())
    mountPage()
    await settle()
    await type('settings-agency_name', '天津市和平区医疗保障事务中心')
    await type('settings-employee_account-account_number', '1234 5678')
    await type('settings-kind-RecoverySlip-prefix', '和医保追单')
    byTestId<HTMLInputElement>('settings-kind-RecoverySlip-style')?.querySelectorAll<HTMLInputElement>('input')[1]?.click()
    await settle(1, 0)
    // Typed with the field's Chinese name; sent with the core's.
    await type('settings-kind-RefundOrder-template', '请{对当事人的称呼（你单位/你）}于期限内退回。')
    expect(byTestId('settings-kind-RefundOrder')?.textContent).toContain('内容已修改')
    await type('settings-kind-RecoverySlip-template', '一式{copies}份。')
    byTestId<HTMLButtonElement>('settings-kind-RecoverySlip-reset')?.click()
    await settle(1, 0)

    callMock.mockImplementationOnce((async (_c: string, s: DocumentSettings) => s) as unknown as typeof call)
    await save()
    const [command, payload] = callMock.mock.calls.at(-1)!
    expect(command).toBe('document.settings_update')
    const sent = payload as DocumentSettings
    expect(sent.agency_name).toBe('天津市和平区医疗保障事务中心')
    expect(sent.employee_account).toEqual({ ...noAccount, account_number: '1234 5678' })
    expect(sent.kinds[1]).toMatchObject({ kind: 'RecoverySlip', prefix: '和医保追单', style: 'Di', template: '' })
    expect(sent.kinds[0]).toMatchObject({ kind: 'RefundOrder', prefix: '', style: 'Plain', template: '请{party_you}于期限内退回。' })
    expect(document.body.textContent).toContain('已保存')
  })

  it('puts a server error under the field it names, also inside a kind', async () => {
    callMock.mockResolvedValueOnce(stored())
    mountPage()
    await settle()
    callMock.mockRejectedValueOnce(new ApiError('VALIDATION', '职工医保账号只能包含数字', 'employee_account.account_number'))
    await save()
    expect(errorOf('settings-employee_account-account_number')).toBe('职工医保账号只能包含数字')
    expect(errorOf('settings-resident_account-account_number')).toBeNull()

    callMock.mockRejectedValueOnce(
      new ApiError('VALIDATION', '医疗保障基金追回通知单的文书内容：未知字段{foo}', 'kinds.1.template'),
    )
    await save()
    expect(errorOf('settings-employee_account-account_number')).toBeNull()
    expect(errorOf('settings-kind-RecoverySlip-template')).toBe('医疗保障基金追回通知单的文书内容：未知字段{foo}')
    expect(byTestId('settings-kind-RecoverySlip')?.textContent).toContain('有错误')
    expect(errorOf('settings-kind-RefundOrder-template')).toBeNull()
  })
})
