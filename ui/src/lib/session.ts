// Who is logged in (issue 8). The core keeps the sessions and checks every call; the UI keeps the
// token for the calls (in sessionStorage, so that a reload of the window keeps the login), shows the
// login over the current screen when the core asks for it (nothing typed on the screen is lost),
// and locks by itself after the office's idle time.
import { reactive } from 'vue'
import { call, onLoginNeeded, setSessionToken } from '@/api/client'
import type { Res } from '@/api/types'
import { commandRoles, enumLabels, type CommandName } from '@/api/types.gen'

export type SessionUser = Res<'session.get'>['user']

const STORAGE_KEY = 'recoup.session'

export const session = reactive<{
  /** The logged-in user, or null before the first login. */
  user: SessionUser | null
  /** The session ended (idle time, or the core refused it): the login shows over the screen. */
  locked: boolean
  /** Why it is locked, for the login panel. */
  lockReason: string
  idleMinutes: number
  /** Bumped when the pages must load again (the password changed: what they asked for was refused). */
  generation: number
}>({ user: null, locked: false, lockReason: '', idleMinutes: 15, generation: 0 })

function storage(): Storage | null {
  try {
    return typeof sessionStorage !== 'undefined' ? sessionStorage : null
  } catch {
    return null
  }
}

function keep(token: string | null): void {
  setSessionToken(token)
  const s = storage()
  if (s === null) return
  if (token === null) s.removeItem(STORAGE_KEY)
  else s.setItem(STORAGE_KEY, token)
}

/** Log in; a locked screen comes back as it was. */
export async function login(username: string, password: string): Promise<SessionUser> {
  const r = await call('user.login', { username: username.trim(), password })
  keep(r.token)
  session.user = r.user
  session.idleMinutes = r.idle_lock_minutes
  session.locked = false
  session.lockReason = ''
  touch()
  return r.user
}

/** After a reload: the kept token, if the core still knows it. */
export async function restore(): Promise<void> {
  const token = storage()?.getItem(STORAGE_KEY) ?? null
  if (token === null) return
  setSessionToken(token)
  try {
    const me = await call('session.get', {})
    session.user = me.user
    session.idleMinutes = me.idle_lock_minutes
    touch()
  } catch {
    keep(null)
  }
}

export async function logout(): Promise<void> {
  try {
    await call('user.logout', {})
  } catch {
    // The session may already have ended; logging out locally is what matters.
  }
  keep(null)
  session.user = null
  session.locked = false
}

/** The user chose their own password (first login, or after an administrator's reset). */
export function passwordChanged(user: SessionUser): void {
  session.user = user
  session.generation++
}

export function hasRole(role: SessionUser['roles'][number]): boolean {
  return session.user?.roles.includes(role) ?? false
}

/**
 * '' when the logged-in user may run `command`, else why not, in the core's terms (its table of
 * roles per command, generated as `commandRoles`). The UI only disables what the core would refuse.
 */
export function roleRefusal(command: CommandName): string {
  const roles = commandRoles[command]
  const user = session.user
  if (roles === undefined || user === null) return ''
  if (roles.some((r) => user.roles.includes(r))) return ''
  return `需要“${roles.map((r) => enumLabels.Role[r]).join('”或“')}”角色，${user.display_name}没有该角色`
}

function lock(reason: string): void {
  if (session.user === null || session.locked) return
  keep(null)
  session.locked = true
  session.lockReason = reason
}

// Idle lock: any key, click or pointer movement counts as activity.
let lastActivity = Date.now()
function touch(): void {
  lastActivity = Date.now()
}

let started = false

/** Start listening (once, from the shell). */
export function startSessionWatch(): void {
  if (started) return
  started = true
  onLoginNeeded((e) => lock(e.code === 'SESSION_EXPIRED' ? '长时间未操作，已自动锁定' : '登录已失效'))
  if (typeof window === 'undefined') return
  for (const ev of ['keydown', 'pointerdown', 'pointermove', 'wheel']) {
    window.addEventListener(ev, touch, { passive: true, capture: true })
  }
  window.setInterval(() => {
    if (session.user !== null && !session.locked && Date.now() - lastActivity > session.idleMinutes * 60_000) {
      lock(`已超过${session.idleMinutes}分钟未操作，已自动锁定`)
    }
  }, 15_000)
}
