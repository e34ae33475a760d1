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
      if (command === 'backup.create') return { ...auto, path: `${(payload as { path: string }).path}/recoup-220102.db`, automatic: false }
      if (command === 'backup.restore') return { restored: auto, kept: { ...auto, before_restore: true, automatic: false }, entries: 42 }
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
    expect(callMock).toHaveBeenCalledWith('backup.create', { path: 'E:\\医保备份' })
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
    expect(callMock).toHaveBeenCalledWith('backup.restore', { path: auto.path })
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
})
