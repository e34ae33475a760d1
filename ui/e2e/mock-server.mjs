// A tiny in-memory stand-in for `recoup serve`, for UI development without the Rust binary:
//   node e2e/mock-server.mjs [--port 8080] [--ui dist]
// It implements only office.* and institution.* closely enough to click through the screens.
// The end-to-end test runs against the real `recoup serve`; this file is never used by CI.
import http from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, resolve } from 'node:path'
import { isValidCreditCode } from './creditCode.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const port = Number(arg('--port', '8080'))
const uiDir = resolve(arg('--ui', 'dist'))

let office = null
const institutions = []
const KINDS = { 医疗机构: 'MedicalInstitution', 零售药店: 'RetailPharmacy' }
const STATUSES = { 正常: 'Active', 中止: 'Suspended', 解除: 'Terminated', 未签订: 'None', '': 'None' }
const HEADER = { 机构编码: 'code', 机构名称: 'name', 机构类别: 'kind', 统一社会信用代码: 'credit_code', 地址: 'address', 法定代表人: 'legal_rep', 联系电话: 'contact', 协议状态: 'agreement_status' }

class ApiErr extends Error {
  constructor(code, message, field) {
    super(message)
    Object.assign(this, { code, field })
  }
}
const fieldErr = (field, message) => new ApiErr('VALIDATION', message, field)

function validateInstitution(p) {
  if (!p.code?.trim()) throw fieldErr('code', '机构编码：不能为空')
  if (!p.name?.trim()) throw fieldErr('name', '机构名称：不能为空')
  if (!p.kind) throw fieldErr('kind', '请选择机构类别（医疗机构或零售药店）')
  if (p.credit_code && !isValidCreditCode(p.credit_code.trim().toUpperCase()))
    throw fieldErr('credit_code', '统一社会信用代码：校验位不正确，请核对')
  return {
    code: p.code.trim(), name: p.name.trim(), kind: p.kind, credit_code: (p.credit_code ?? '').trim().toUpperCase(),
    address: p.address ?? '', legal_rep: p.legal_rep ?? '', contact: p.contact ?? '', agreement_status: p.agreement_status ?? 'None',
  }
}

function save(input, id) {
  const clash = institutions.find((i) => i.code === input.code && i.id !== id)
  if (clash) throw fieldErr('code', `机构编码 ${input.code} 已存在`)
  const now = new Date().toISOString()
  if (id === undefined) {
    const rec = { id: institutions.length + 1, uid: `${office.code}-I${institutions.length + 1}`, ...input, updated_at: now }
    institutions.push(rec)
    return rec
  }
  const rec = institutions.find((i) => i.id === id)
  if (!rec) throw new ApiErr('NOT_FOUND', '定点医药机构不存在')
  Object.assign(rec, input, { updated_at: now })
  return rec
}

function parseCsv(text) {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.split(','))
}

const mockUser = (username) => ({
  id: 1, uid: 'U1', username, display_name: '模拟用户', roles: ['Admin', 'Handler', 'Reviewer', 'Approver', 'Finance'],
  active: true, must_change_password: false, created_at: '', updated_at: '',
})

const handlers = {
  'office.get': () => office,
  // No cases in the mock: empty lists only.
  'clock.list': (p) => ({ today: p.today ?? new Date().toISOString().slice(0, 10), within: p.within ?? 3, total: 0, items: [] }),
  'clock.board': (p) => ({
    today: p.today ?? new Date().toISOString().slice(0, 10),
    within: p.within ?? 3,
    groups: ['Overdue', 'DueSoon', 'Running'].map((state) => ({ state, total: 0, items: [] })),
  }),
  'case.list': () => ({ items: [], total: 0 }),
  // Logins: any password of 8+ characters; one session for everyone (UI development only).
  'user.login': (p) => {
    if ((p.password ?? '').length < 8) throw new ApiErr('VALIDATION', '用户名或密码不正确，或该用户已停用')
    return { token: 'mock', user: mockUser(p.username), idle_lock_minutes: 15 }
  },
  'session.get': () => ({ user: mockUser('admin'), idle_lock_minutes: 15 }),
  'user.logout': () => ({}),
  'user.change_password': () => mockUser('admin'),
  'office.init': (p) => {
    if (!/^[1-9]\d{5}$/.test(p.code ?? '')) throw fieldErr('code', '行政区划代码：应为6位数字，例如 220102')
    if (!p.name?.trim()) throw fieldErr('name', '单位名称：不能为空')
    office = { code: p.code, name: p.name.trim(), level: p.level ?? 'county', created_at: new Date().toISOString().slice(0, 10) }
    return office
  },
  'institution.list': (p) => {
    const q = p.query ?? ''
    const rows = institutions.filter((i) => (!q || i.code.includes(q) || i.name.includes(q) || i.credit_code.includes(q)) && (!p.kind || i.kind === p.kind))
    const offset = p.offset ?? 0
    return { items: rows.slice(offset, offset + (p.limit ?? 50)), total: rows.length }
  },
  'institution.get': (p) => institutions.find((i) => i.id === p.id) ?? (() => { throw new ApiErr('NOT_FOUND', '定点医药机构不存在') })(),
  'institution.create': (p) => save(validateInstitution(p)),
  'institution.update': (p) => save(validateInstitution(p), p.id),
  'institution.import': (p) => {
    const rows = parseCsv(Buffer.from(p.content_base64, 'base64').toString('utf-8'))
    const header = rows[0].map((h) => HEADER[h.trim()])
    const report = { total_rows: 0, created: 0, updated: 0, unchanged: 0, errors: [] }
    rows.slice(1).forEach((cells, i) => {
      report.total_rows++
      const rec = {}
      header.forEach((f, c) => { if (f) rec[f] = (cells[c] ?? '').trim() })
      rec.kind = KINDS[rec.kind] ?? rec.kind
      rec.agreement_status = STATUSES[rec.agreement_status ?? ''] ?? rec.agreement_status
      try {
        const input = validateInstitution(rec)
        const existing = institutions.find((x) => x.code === input.code)
        save(input, existing?.id)
        existing ? report.updated++ : report.created++
      } catch (e) {
        report.errors.push({ row: i + 2, field: e.field, message: e.message })
      }
    })
    return report
  },
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' }

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname.startsWith('/api/')) {
      let body = ''
      for await (const chunk of req) body += chunk
      const command = url.pathname.slice(5)
      try {
        const handler = handlers[command]
        if (!handler) throw new ApiErr('UNKNOWN_COMMAND', `未知命令：${command}`)
        if (!office && !['office.get', 'office.init', 'user.login'].includes(command)) throw new ApiErr('NOT_INITIALIZED', '请先设置本单位')
        const result = handler(body ? JSON.parse(body) : {})
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result ?? null))
      } catch (e) {
        const status = e.code === 'VALIDATION' ? 400 : e.code === 'NOT_FOUND' ? 404 : e.code ? 409 : 500
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: e.code ?? 'INTERNAL', message: e.message, field: e.field }))
      }
      return
    }
    const rel = normalize(url.pathname).replace(/^[/\\]+/, '') || 'index.html'
    try {
      const data = await readFile(join(uiDir, rel)).catch(() => readFile(join(uiDir, 'index.html')))
      res.writeHead(200, { 'Content-Type': MIME[extname(rel)] ?? 'text/html; charset=utf-8' }).end(data)
    } catch {
      res.writeHead(404).end('no ui')
    }
  })
  .listen(port, '127.0.0.1', () => console.log(`Recoup mock 已启动：http://127.0.0.1:${port}/`))
