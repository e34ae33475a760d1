import { afterEach, describe, expect, it, vi } from 'vitest'
import { invoke } from '@tauri-apps/api/core'
import { ApiError, call, onLoginNeeded, setSessionToken, toApiError } from '@/api/client'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
const invokeMock = vi.mocked(invoke)

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('call over HTTP', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('POSTs the payload to /api/<command> and returns the JSON result', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { items: [], total: 0 }))
    vi.stubGlobal('fetch', fetchMock)
    await expect(call('institution.list', { query: '医院', offset: 0, limit: 20 })).resolves.toEqual({ items: [], total: 0 })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/institution.list')
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body as string)).toEqual({ query: '医院', offset: 0, limit: 20 })
    expect(new Headers(init.headers).get('X-Recoup-Session')).toBeNull()
    setSessionToken('t0k3n')
    await call('institution.list', {})
    const [, second] = fetchMock.mock.calls[1] as unknown as [string, RequestInit]
    expect(new Headers(second.headers).get('X-Recoup-Session')).toBe('t0k3n')
    setSessionToken(null)
  })

  it('sends the per-launch secret of the served index.html', async () => {
    const meta = document.createElement('meta')
    meta.name = 'recoup-secret'
    meta.content = 'ab12cd34'
    document.head.prepend(meta)
    const fetchMock = vi.fn(async () => jsonResponse(200, null))
    vi.stubGlobal('fetch', fetchMock)
    try {
      await call('office.get', {})
      const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
      expect((init.headers as Record<string, string>)['X-Recoup-Secret']).toBe('ab12cd34')
    } finally {
      meta.remove()
    }
  })

  it('shows the server\'s Chinese refusal of a call without the secret', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse(403, { code: 'FORBIDDEN', message: '拒绝访问：请求缺少本次启动的访问口令，请刷新页面后重试' })),
    )
    await expect(call('office.get', {})).rejects.toMatchObject({ code: 'FORBIDDEN', message: '拒绝访问：请求缺少本次启动的访问口令，请刷新页面后重试' })
  })

  it('returns null bodies as null (office.get before the first run)', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, null)))
    await expect(call('office.get', {})).resolves.toBeNull()
  })

  it('turns a non-2xx JSON error into ApiError with code, message and field', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse(400, { code: 'VALIDATION', message: '统一社会信用代码：校验位错误', field: 'credit_code' })),
    )
    const err = await call('institution.get', { id: 9 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ code: 'VALIDATION', message: '统一社会信用代码：校验位错误', field: 'credit_code' })
  })

  it('reports an unreachable server in Chinese', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await expect(call('office.get', {})).rejects.toMatchObject({ code: 'NETWORK', message: '无法连接本地服务，请确认程序仍在运行' })
  })
})

describe('call under Tauri', () => {
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__
    invokeMock.mockReset()
  })

  it("invokes the single 'api' command with command, payload and the login session", async () => {
    ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
    invokeMock.mockResolvedValue({ code: '220102', name: '某局', level: 'county', created_at: '2026-01-05' })
    const admin = { username: 'admin', display_name: '刘一', roles: ['Admin' as const], password: 'first1pass' }
    await call('office.init', { code: '220102', name: '某局', level: 'county', admin })
    expect(invokeMock).toHaveBeenCalledWith('api', {
      command: 'office.init',
      payload: { code: '220102', name: '某局', level: 'county', admin },
      session: null,
    })
    setSessionToken('t0k3n')
    invokeMock.mockResolvedValue({ total: 0, items: [] })
    await call('case.list', {})
    expect(invokeMock).toHaveBeenLastCalledWith('api', { command: 'case.list', payload: {}, session: 't0k3n' })
    setSessionToken(null)
  })

  it('tells the shell when the core asks for a login', async () => {
    ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
    invokeMock.mockRejectedValue({ code: 'SESSION_EXPIRED', message: '长时间未操作，已自动锁定，请重新登录' })
    const seen: string[] = []
    const stop = onLoginNeeded((e) => seen.push(e.code))
    await expect(call('case.list', {})).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    stop()
    await expect(call('case.list', {})).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(seen).toEqual(['SESSION_EXPIRED'])
  })

  it('normalises a rejected invoke into ApiError', async () => {
    ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
    invokeMock.mockRejectedValue({ code: 'NOT_FOUND', message: '定点医药机构不存在' })
    await expect(call('institution.get', { id: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: '定点医药机构不存在' })
  })
})

describe('toApiError', () => {
  it('accepts a nested {error: {...}} body and JSON strings', () => {
    expect(toApiError({ error: { code: 'CONFLICT', message: '机构编码重复' } })).toMatchObject({ code: 'CONFLICT', message: '机构编码重复' })
    expect(toApiError('{"code":"NOT_INITIALIZED","message":"请先设置本单位"}')).toMatchObject({ code: 'NOT_INITIALIZED' })
    expect(toApiError('plain text')).toMatchObject({ code: 'INTERNAL', message: 'plain text' })
  })
})
