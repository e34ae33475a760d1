import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { ElMessageBox } from 'element-plus'
import BackupPage from '@/pages/BackupPage.vue'
import { call } from '@/api/client'
import type { BackupInfo } from '@/api/types.gen'
import { session } from '@/lib/session'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const auto: BackupInfo = {
  path: '/data/backups/recoup-auto-20261202.db',
  file_name: 'recoup-auto-20261202.db',
  bytes: 3 * 1024 * 1024,
  modified: '2026-12-02T09:00:00+08:00',
  automatic: true,
  before_restore: false,
  with_key: false,
}
const byTestId = <T extends Element = HTMLElement>(id: string) => document.body.querySelector<T>(`[data-testid="${id}"]`)

describe('BackupPage · 备份与恢复', () => {
  beforeEach(() => {
    session.user = {
      id: 1, uid: '220102-U1', username: 'admin', display_name: '刘一', roles: ['Admin'], active: true,
      must_change_password: false,
    cert_no: '',
    cert_expires: null, created_at: '', updated_at: '',
    }
    callMock.mockImplementation((async (command: string, payload: unknown) => {
      if (command === 'backup.list') return { folder: '/data/backups', keep: 14, items: [auto] }
      if (command === 'backup.create') {
        const p = payload as { path: string; passphrase: string | null }
        return { ...auto, path: `${p.path}/recoup-220102.db`, automatic: false, with_key: !!p.passphrase }
      }
      if (command === 'backup.restore') return { restored: auto, kept: { ...auto, before_restore: true, automatic: false }, entries: 42, key_restored: false }
      if (command === 'audit.verify') {
        const full = (payload as { full: boolean }).full
        return full
          ? { ok: false, entries: 52, full: true, since: 0, checked: 52, first_broken: { seq: 52, table: null, row_id: null, reason: '审计日志被截短：本机已签名确认到第52条记录' }, problems: [{ seq: 52, table: null, row_id: null, reason: '审计日志被截短：本机已签名确认到第52条记录' }], witness: null, signed_head: { seq: 52, signed_at: '2026-12-02T09:30:00+08:00', past: -2, consistent: false } }
          : { ok: true, entries: 52, full: false, since: 40, checked: 12, first_broken: null, problems: [], witness: { seq: 40, past: 12, consistent: true }, signed_head: { seq: 52, signed_at: '2026-12-02T09:30:00+08:00', past: 0, consistent: true } }
      }
      throw new Error(command)
    }) as typeof call)
  })
  afterEach(() => {
    callMock.mockReset()
    vi.restoreAllMocks()
    session.user = null
    document.body.innerHTML = ''
  })

  it('lists the automatic backups and backs up to the folder typed', async () => {
    mount(BackupPage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(byTestId('backup-page')?.textContent).toContain('保留最近 14 份')
    expect(byTestId('backup-list')?.textContent).toContain('自动备份')
    expect(byTestId('backup-list')?.textContent).toContain('3.0 MB')
    const input = byTestId<HTMLInputElement>('backup-folder')!
    input.value = 'E:\\医保备份'
    input.dispatchEvent(new Event('input'))
    byTestId('backup-create')!.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('backup.create', { path: 'E:\\医保备份', passphrase: null })
    // With a passphrase, the office key goes with it.
    const pass = byTestId<HTMLInputElement>('backup-passphrase')!
    pass.value = '南关区备份口令2026'
    pass.dispatchEvent(new Event('input'))
    byTestId('backup-create')!.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('backup.create', { path: 'E:\\医保备份', passphrase: '南关区备份口令2026' })
  })

  it('restores only after the administrator confirms', async () => {
    const confirm = vi.spyOn(ElMessageBox, 'confirm').mockRejectedValueOnce('cancel')
    vi.spyOn(ElMessageBox, 'alert').mockResolvedValue('confirm' as never)
    const reload = vi.fn()
    vi.stubGlobal('location', { ...window.location, reload })
    mount(BackupPage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    const input = byTestId<HTMLInputElement>('restore-path')!
    input.value = auto.path
    input.dispatchEvent(new Event('input'))
    byTestId('restore')!.click()
    await settle()
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(callMock).not.toHaveBeenCalledWith('backup.restore', expect.anything())
    confirm.mockResolvedValueOnce('confirm' as never)
    byTestId('restore')!.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('backup.restore', { path: auto.path, passphrase: null })
    expect(reload).toHaveBeenCalled()
    vi.unstubAllGlobals()
  })

  it('tells a user without the administrator role who does backups', async () => {
    session.user = { ...session.user!, roles: ['Handler'] }
    mount(BackupPage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    expect(byTestId('backup-page')?.textContent).toContain('由管理员办理')
    expect(callMock).not.toHaveBeenCalled()
  })

  it('verifies the operation record and says where the log stands', async () => {
    mount(BackupPage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
    await settle()
    byTestId('audit-verify')!.click()
    await settle()
    const text = byTestId('audit-report')?.textContent ?? ''
    expect(text).toContain('操作记录完整：共 52 条记录，本次校验了上次校验后的 12 条')
    expect(text).toContain('签名确认到第 52 条记录，之后新增 0 条')
    expect(text).toContain('市局已确认到第 40 条记录，之后 12 条尚待市局确认')
    byTestId('audit-verify-full')!.click()
    await settle()
    const broken = byTestId('audit-report')?.textContent ?? ''
    expect(broken).toContain('操作记录校验未通过：审计日志被截短')
    expect(broken).toContain('与现有记录不符')
    expect(broken).toContain('尚未收到市局的确认回执')
  })
})
