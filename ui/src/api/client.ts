// The one way the UI talks to the Rust core. Under Tauri the command goes through `invoke('api')`;
// in a browser (`recoup serve`, `npm run dev`) it is `POST /api/<command>` with a JSON body and the
// server's per-launch secret (`X-Recoup-Secret`, from the served index.html).
// Both transports reject with the same `ApiError`.
import { invoke } from '@tauri-apps/api/core'
import type { CommandName, Req, Res } from './types'

export class ApiError extends Error {
  /** Stable machine code: "VALIDATION", "NOT_FOUND", "CONFLICT", "NOT_INITIALIZED", … */
  readonly code: string
  /** The request field the message is about, when there is one. */
  readonly field?: string

  constructor(code: string, message: string, field?: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    if (field !== undefined) this.field = field
  }
}

/** The text of an error that carries no message of its own. */
export const UNKNOWN_ERROR_TEXT = '操作失败（未知错误）'

interface ErrorShape {
  code?: unknown
  message?: unknown
  field?: unknown
  error?: unknown
}

/** Turn whatever a transport rejected with into an `ApiError`. */
export function toApiError(raw: unknown, fallbackCode = 'INTERNAL'): ApiError {
  if (raw instanceof ApiError) return raw
  if (typeof raw === 'string') {
    // Tauri may hand over the serialised error as a JSON string.
    try {
      return toApiError(JSON.parse(raw) as unknown, fallbackCode)
    } catch {
      return new ApiError(fallbackCode, raw)
    }
  }
  if (raw !== null && typeof raw === 'object') {
    const obj = raw as ErrorShape
    if (obj.error !== undefined && obj.code === undefined) return toApiError(obj.error, fallbackCode)
    const code = typeof obj.code === 'string' ? obj.code : fallbackCode
    const message = typeof obj.message === 'string' ? obj.message : UNKNOWN_ERROR_TEXT
    const field = typeof obj.field === 'string' ? obj.field : undefined
    return new ApiError(code, message, field)
  }
  if (raw instanceof Error) return new ApiError(fallbackCode, raw.message)
  return new ApiError(fallbackCode, UNKNOWN_ERROR_TEXT)
}

export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
}

// The login session every call carries (issue 8): the token of `user.login`, set by
// `@/lib/session`. The core checks it and the user's roles on every command.
let sessionToken: string | null = null

export function setSessionToken(token: string | null): void {
  sessionToken = token
}

/** Error codes that mean "log in (again)": the shell shows the login over the current screen. */
export const LOGIN_NEEDED_CODES = new Set(['NOT_LOGGED_IN', 'SESSION_EXPIRED'])

type AuthListener = (error: ApiError) => void
const authListeners = new Set<AuthListener>()

/** Called with every rejection whose code is in `LOGIN_NEEDED_CODES`. Returns the unsubscribe. */
export function onLoginNeeded(listener: AuthListener): () => void {
  authListeners.add(listener)
  return () => authListeners.delete(listener)
}

async function viaTauri<K extends CommandName>(command: K, payload: Req<K>): Promise<Res<K>> {
  try {
    return await invoke<Res<K>>('api', { command, payload, session: sessionToken })
  } catch (e) {
    throw toApiError(e)
  }
}

/** The name of the `<meta>` in which `recoup serve` hands the page its per-launch secret. */
export const SECRET_META = 'recoup-secret'

/**
 * The per-launch secret of `recoup serve`: the index.html it serves carries it in
 * `<meta name="recoup-secret">`, and it refuses every API call without it (so no other web page can
 * call the API). Read on every call: cheap, and a page reloaded after a restart has the new one.
 */
export function serveSecret(): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${SECRET_META}"]`)?.content ?? ''
}

async function viaHttp<K extends CommandName>(command: K, payload: Req<K>): Promise<Res<K>> {
  let response: Response
  try {
    response = await fetch(`/api/${command}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-Recoup-Secret': serveSecret(),
        ...(sessionToken !== null ? { 'X-Recoup-Session': sessionToken } : {}),
      },
      body: JSON.stringify(payload),
    })
  } catch {
    throw new ApiError('NETWORK', '无法连接本地服务，请确认程序仍在运行')
  }
  const text = await response.text()
  let body: unknown = null
  if (text !== '') {
    try {
      body = JSON.parse(text) as unknown
    } catch {
      throw new ApiError('INTERNAL', `服务返回了无法解析的内容（HTTP ${response.status}）`)
    }
  }
  if (!response.ok) throw toApiError(body ?? `服务出错（HTTP ${response.status}）`)
  return body as Res<K>
}

/** Call one command of the core. Rejects with `ApiError`. */
export async function call<K extends CommandName>(command: K, payload: Req<K>): Promise<Res<K>> {
  try {
    return await (isTauri() ? viaTauri(command, payload) : viaHttp(command, payload))
  } catch (e) {
    if (e instanceof ApiError && LOGIN_NEEDED_CODES.has(e.code)) for (const l of authListeners) l(e)
    throw e
  }
}
