import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import ExchangePage from '@/pages/ExchangePage.vue'
import { ApiError, call } from '@/api/client'
import type { ExchangeStatus, FilePreview } from '@/api/types'
import { saveBytes } from '@/lib/files'
import { session } from '@/lib/session'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
vi.mock('@/lib/files', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/files')>()),
  saveBytes: vi.fn(async () => true),
}))
const callMock = vi.mocked(call)
const saveMock = vi.mocked(saveBytes)

const FP = '3f2a 91c0 7d4e 0b11 aa22 bb33 cc44 dd55 ee66 ff77'

const county: ExchangeStatus = {
  office_code: '220102',
  office_name: '长春市南关区医疗保障局',
  level: 'county',
  fingerprint: FP,
  city: {
    code: '220100',
    name: '长春市医疗保障局',
    role: 'city',
    fingerprint: '1111 2222 3333 4444 5555 6666 7777 8888 9999 0000',
    registered_at: '2026-12-01T09:00:00+08:00',
    revoked_at: null,
    head_seq: 0,
    last_import_at: null,
    hub_url: null, sync_minutes: null, hub_encrypted: false, hub_cert: null, hub_cert_fingerprint: null,
  },
  witness: { witnessed_seq: 40, witnessed_hash: 'ab', local_head: 52, past: 12, consistent: true },
  last_ack_at: '2026-12-01T10:00:00+08:00',
  last_export: { first_seq: 1, last_seq: 40, file_name: '220102-000001-000040.recoup', bytes: 900, created_at: '2026-11-30T16:00:00+08:00' },
  counties: [],
  auto_sync: null,
}

const preview: FilePreview = {
  kind: 'Ack',
  from_office: '220100',
  from_name: '长春市医疗保障局',
  first_seq: 0,
  last_seq: 52,
  entries: 0,
  new_entries: 0,
  masked_entries: 0,
  created_at: '2026-12-02T09:00:00+08:00',
  fingerprint: '1111 2222 3333 4444 5555 6666 7777 8888 9999 0000',
  summary: '长春市医疗保障局确认已收到第52条及以前的记录',
  commands: [],
}

function mountPage() {
  return mount(ExchangePage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
}

describe('ExchangePage', () => {
  afterEach(() => {
    callMock.mockReset()
    saveMock.mockClear()
    session.user = null
    document.body.innerHTML = ''
  })

  it('shows the pairing, the last export and acknowledgement and the lag, and saves the bundle', async () => {
    session.user = { id: 2, username: 'zhang', display_name: '张三', roles: ['Handler'], active: true, must_change_password: false } as never
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return county as never
      if (command === 'exchange.export')
        return { kind: 'Bundle', file_name: '220102-000041-000052.recoup', data: 'AAEC', bytes: 3, summary: '第41至52条记录，共12条，发往长春市医疗保障局' } as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    const text = w.text()
    for (const want of [FP, '长春市医疗保障局（220100）', '市局已确认到第40条', '12 条', '第1至40条']) expect(text).toContain(want)
    await w.get('[data-testid="exchange-export"]').trigger('click')
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.export', {})
    expect(saveMock).toHaveBeenCalledTimes(1)
    const [name, bytes] = saveMock.mock.calls[0]
    expect(name).toBe('220102-000041-000052.recoup')
    expect([...bytes]).toEqual([0, 1, 2])
    expect(w.find('[data-testid="exchange-sync"]').exists()).toBe(false)
  })

  it('syncs with the hub when its address is set; offline is a warning, not an error', async () => {
    session.user = { id: 2, username: 'zhang', display_name: '张三', roles: ['Handler'], active: true, must_change_password: false } as never
    const withHub: ExchangeStatus = {
      ...county,
      city: { ...county.city!, hub_url: 'http://10.22.1.5:8090', sync_minutes: 10 },
      auto_sync: { at: '2026-12-02T09:40:00+08:00', sent: false, offline: true, refused: false, summary: '暂时无法连接市局服务器（连接被拒绝），数据仍保留在本单位，稍后再同步即可', failures: 3, next_in_minutes: 4 },
    }
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return withHub as never
      if (command === 'exchange.sync') return { sent: false, offline: true, summary: '暂时无法连接市局服务器（连接被拒绝），数据仍保留在本单位，稍后再同步即可' } as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    expect(w.text()).toContain('http://10.22.1.5:8090')
    expect(w.text()).toContain('每 10 分钟自动同步')
    expect(w.get('[data-testid="exchange-hub-encrypted"]').text()).toBe('未加密')
    // The background attempts are shown on the page, not as dialogs.
    expect(w.get('[data-testid="exchange-auto-sync"]').text()).toContain('已连续 3 次未连上，4 分钟后再试')
    await w.get('[data-testid="exchange-sync"]').trigger('click')
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.sync', {})
    expect(document.body.textContent).toContain('稍后再同步即可')
  })

  it('previews a picked file before importing it and shows a refusal in the core words', async () => {
    session.user = { id: 1, username: 'admin', display_name: '管理员', roles: ['Admin'], active: true, must_change_password: false } as never
    let imported = 0
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return county as never
      if (command === 'exchange.preview') return preview as never
      if (command === 'exchange.import') {
        imported += 1
        if (imported === 1) throw new ApiError('CONFLICT', '确认回执与本单位的记录不符：第52条记录的校验值不同')
        return { kind: 'Ack', summary: '长春市医疗保障局已确认收到第52条及以前的记录', applied: 0, ack: null } as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    const input = w.get('input[data-testid="exchange-file"]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([82, 67, 65, 49])], '220102-ack-000052.recoup')], configurable: true })
    await input.trigger('change')
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.preview', { data: 'UkNBMQ==', file_name: '220102-ack-000052.recoup' })
    expect(callMock).not.toHaveBeenCalledWith('exchange.import', expect.anything())
    const dialog = () => document.body.querySelector('[data-testid="exchange-preview"]')?.textContent ?? ''
    expect(dialog()).toContain('确认回执')
    expect(dialog()).toContain('确认已收到第52条')
    ;(document.body.querySelector('[data-testid="exchange-apply"]') as HTMLButtonElement).click()
    await settle()
    expect(dialog()).toContain('校验值不同')
    ;(document.body.querySelector('[data-testid="exchange-apply"]') as HTMLButtonElement).click()
    await settle()
    expect(imported).toBe(2)
    expect(dialog()).toContain('已确认收到第52条及以前的记录')
  })

  it('lists the registered counties at the city and shows a county\'s deliveries', async () => {
    session.user = { id: 1, username: 'admin', display_name: '管理员', roles: ['Admin'], active: true, must_change_password: false } as never
    const city: ExchangeStatus = {
      ...county,
      office_code: '220100',
      office_name: '长春市医疗保障局',
      level: 'city',
      city: null,
      counties: [
        { code: '220102', name: '南关区医疗保障局', role: 'county', fingerprint: FP, registered_at: '2026-12-01T09:00:00+08:00', revoked_at: null, head_seq: 52, last_import_at: '2026-12-02T09:30:00+08:00', hub_url: null, sync_minutes: null, hub_encrypted: false, hub_cert: null, hub_cert_fingerprint: null },
        { code: '220103', name: '朝阳区医疗保障局', role: 'county', fingerprint: FP, registered_at: '2026-12-01T09:00:00+08:00', revoked_at: '2026-12-02T08:00:00+08:00', head_seq: 0, last_import_at: null, hub_url: null, sync_minutes: null, hub_encrypted: false, hub_cert: null, hub_cert_fingerprint: null },
      ],
    }
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return city as never
      if (command === 'exchange.history')
        return [{ first_seq: 41, last_seq: 52, applied: 12, masked_entries: 3, created_at: '2026-12-02T09:00:00+08:00', imported_at: '2026-12-02T09:30:00+08:00' }] as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    const table = w.get('[data-testid="exchange-counties"]').text()
    for (const want of ['南关区医疗保障局', '第52条', '2026-12-02 09:30', '正常', '已停用']) expect(table).toContain(want)
    expect(w.find('[data-testid="exchange-export"]').exists()).toBe(false)
    const button = w.findAll('button').find((b) => b.text() === '记录')!
    await button.trigger('click')
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.history', { code: '220102' })
    const dialog = document.body.querySelector('[data-testid="exchange-history"]')?.textContent ?? ''
    expect(dialog).toContain('第41至52条')
    expect(dialog).toContain('南关区医疗保障局的数据包')
  })
  // Issue 11, Transports: TLS where the city provides a certificate.
  it('sets an https hub with the city\'s certificate and shows the encrypted connection and a refused certificate', async () => {
    session.user = { id: 1, username: 'admin', display_name: '管理员', roles: ['Admin'], active: true, must_change_password: false } as never
    const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n'
    const CERT_FP = 'AB:CD:EF:01'
    // The last background attempt found a certificate the county does not trust.
    let current: ExchangeStatus = {
      ...county,
      city: { ...county.city!, hub_url: 'https://10.22.1.5:8443', sync_minutes: 15, hub_encrypted: true },
      auto_sync: {
        at: '2026-12-02T09:50:00+08:00', sent: false, offline: false, refused: true, failures: 0, next_in_minutes: 15,
        summary: '市局服务器的证书不受信任：它不是本单位导入的市局证书（或其签发机构签发的证书），连接可能被他人冒充。',
      },
    }
    callMock.mockImplementation(async (command: string, payload?: unknown) => {
      if (command === 'exchange.status') return current as never
      if (command === 'exchange.set_hub') {
        const p = payload as { hub_url: string; hub_cert: string | null; sync_minutes: number }
        current = {
          ...current,
          city: { ...current.city!, hub_url: p.hub_url, sync_minutes: p.sync_minutes, hub_encrypted: true, hub_cert: p.hub_cert, hub_cert_fingerprint: CERT_FP },
        }
        return current.city as never
      }
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    // A refused certificate is shown on the page (not as offline), with the encrypted address.
    const auto = w.get('[data-testid="exchange-auto-sync"]')
    expect(auto.text()).toContain('证书不受信任')
    expect(auto.text()).not.toContain('未连上')
    expect(auto.classes()).toContain('refused')
    expect(w.get('[data-testid="exchange-hub-cert"]').text()).toContain('按公共根证书验证')
    await w.get('[data-testid="exchange-hub"]').trigger('click')
    await settle()
    const url = document.body.querySelector('input[data-testid="exchange-hub-url"]') as HTMLInputElement
    url.value = 'http://10.22.1.5:8090'
    url.dispatchEvent(new Event('input'))
    await settle()
    // The certificate field appears only for an https address.
    expect(document.body.querySelector('[data-testid="exchange-hub-cert-form"]')).toBeNull()
    url.value = 'https://10.22.1.5:8443'
    url.dispatchEvent(new Event('input'))
    await settle()
    const form = document.body.querySelector('[data-testid="exchange-hub-cert-form"]')
    expect(form?.textContent).toContain('市局提供的服务器证书')
    expect(form?.textContent).toContain('不要粘贴私钥')
    // A certificate file picked in the browser is read as text into the field.
    const file = document.body.querySelector('input[data-testid="exchange-hub-cert-file"]') as HTMLInputElement
    Object.defineProperty(file, 'files', { value: [new File([PEM], 'city.pem')], configurable: true })
    file.dispatchEvent(new Event('change'))
    await settle()
    const text = document.body.querySelector('textarea[data-testid="exchange-hub-cert-text"]') as HTMLTextAreaElement
    expect(text.value).toBe(PEM)
    const save = [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === '保存') as HTMLButtonElement
    save.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.set_hub', { hub_url: 'https://10.22.1.5:8443', sync_minutes: 15, hub_cert: PEM })
    expect(w.get('[data-testid="exchange-hub-encrypted"]').text()).toBe('加密连接')
    expect(w.get('[data-testid="exchange-hub-cert"]').text()).toContain(CERT_FP)
  })

  it('clears the certificate when the address goes back to http', async () => {
    session.user = { id: 1, username: 'admin', display_name: '管理员', roles: ['Admin'], active: true, must_change_password: false } as never
    const current: ExchangeStatus = {
      ...county,
      city: { ...county.city!, hub_url: 'https://10.22.1.5:8443', sync_minutes: 15, hub_encrypted: true, hub_cert: 'PEM', hub_cert_fingerprint: 'AB' },
    }
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return current as never
      if (command === 'exchange.set_hub') return current.city as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    expect(w.get('[data-testid="exchange-hub-cert"]').text()).toContain('SHA-256 AB')
    await w.get('[data-testid="exchange-hub"]').trigger('click')
    await settle()
    expect((document.body.querySelector('textarea[data-testid="exchange-hub-cert-text"]') as HTMLTextAreaElement).value).toBe('PEM')
    const url = document.body.querySelector('input[data-testid="exchange-hub-url"]') as HTMLInputElement
    url.value = 'http://10.22.1.5:8090'
    url.dispatchEvent(new Event('input'))
    await settle()
    const save = [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === '保存') as HTMLButtonElement
    save.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.set_hub', { hub_url: 'http://10.22.1.5:8090', sync_minutes: 15, hub_cert: null })
  })

  it('saves a restored county\'s recovery file at the city', async () => {
    session.user = { id: 1, username: 'admin', display_name: '管理员', roles: ['Admin'], active: true, must_change_password: false } as never
    const city: ExchangeStatus = {
      ...county,
      office_code: '220100',
      office_name: '长春市医疗保障局',
      level: 'city',
      city: null,
      counties: [
        { code: '220102', name: '南关区医疗保障局', role: 'county', fingerprint: FP, registered_at: '2026-12-01T09:00:00+08:00', revoked_at: null, head_seq: 52, last_import_at: '2026-12-02T09:30:00+08:00', hub_url: null, sync_minutes: null, hub_encrypted: false, hub_cert: null, hub_cert_fingerprint: null },
      ],
    }
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return city as never
      if (command === 'exchange.recovery')
        return { kind: 'Recovery', file_name: '220102-recover-000001-000052.recoup', data: 'AAEC', bytes: 3, summary: '南关区医疗保障局第1至52条记录' } as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    await w.get('[data-testid="county-more-220102"]').trigger('click')
    await settle()
    ;(document.body.querySelector('[data-testid="county-recovery-220102"]') as HTMLElement).click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.recovery', { code: '220102' })
    expect(saveMock).toHaveBeenCalledTimes(1)
    expect(document.body.textContent).toContain('请交南关区医疗保障局在“导入数据包”中导入')
  })

  it('previews a recovery file at a county with the entries it gives back', async () => {
    session.user = { id: 1, username: 'admin', display_name: '管理员', roles: ['Admin'], active: true, must_change_password: false } as never
    const recovery: FilePreview = {
      ...preview,
      kind: 'Recovery',
      first_seq: 41,
      last_seq: 52,
      entries: 52,
      new_entries: 12,
      summary: '从长春市医疗保障局取回本单位第41至52条记录（共12条）；恢复备份后本单位的1条记录接续其后，改为第53至53条',
    }
    callMock.mockImplementation(async (command: string) => {
      if (command === 'exchange.status') return { ...county, witness: { ...county.witness, consistent: false } } as never
      if (command === 'exchange.preview') return recovery as never
      if (command === 'exchange.import') return { kind: 'Recovery', summary: recovery.summary, applied: 12, ack: null } as never
      throw new ApiError('UNKNOWN_COMMAND', command)
    })
    const w = mountPage()
    await settle()
    expect(w.text()).toContain('恢复数据包')
    const input = w.get('input[data-testid="exchange-file"]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([1])], '220102-recover-000041-000052.recoup')], configurable: true })
    await input.trigger('change')
    await settle()
    const dialog = () => document.body.querySelector('[data-testid="exchange-preview"]')?.textContent ?? ''
    expect(dialog()).toContain('取回记录')
    expect(dialog()).toContain('第41至52条，共12条')
    ;(document.body.querySelector('[data-testid="exchange-apply"]') as HTMLButtonElement).click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('exchange.import', expect.objectContaining({ file_name: '220102-recover-000041-000052.recoup' }))
  })
})
