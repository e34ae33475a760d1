// Seed a decided AGREEMENT-track case through the HTTP API (the sequence of tests/all/docs_issue.rs):
// office, three users, one institution, the case with a finding, evidence and two recovery lines,
// then notify → serve → waive the statement → decide. After this the case can issue its 追回通知单.
// Also a self-correction record of that institution (its 自查自纠退回明细单, 附件2).

// The login session the calls below carry (issue 8: the core checks every command's role).
let session = null
const secrets = new Map()

/** The per-launch secret of the server at `baseUrl`, read once from the index.html it serves. */
export async function serveSecret(baseUrl) {
  if (!secrets.has(baseUrl)) {
    const html = await (await fetch(baseUrl)).text()
    const found = /<meta name="recoup-secret" content="([0-9a-f]*)">/.exec(html)
    // The mock server has none and asks for none.
    secrets.set(baseUrl, found?.[1] ?? '')
  }
  return secrets.get(baseUrl)
}

/** POST /api/<command> with the secret and the current session; throws with the server's Chinese message on refusal. */
export async function api(baseUrl, command, payload) {
  const res = await fetch(new URL(`api/${command}`, baseUrl), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Recoup-Secret': await serveSecret(baseUrl),
      ...(session ? { 'X-Recoup-Session': session } : {}),
    },
    body: JSON.stringify(payload),
  })
  const text = await res.text()
  const body = text ? JSON.parse(text) : null
  if (!res.ok) throw new Error(`${command} 失败（HTTP ${res.status}）：${text}`)
  return body
}

/** Log in through the API; later calls carry the session. */
export async function apiLogin(baseUrl, { username, password }) {
  const r = await api(baseUrl, 'user.login', { username, password })
  session = r.token
  return r
}

/** The administrator of the seeded office, and the clerk who does the work (every work role). */
export const SEED_ADMIN = { username: 'admin', display_name: '刘一', password: 'admin1pass' }
export const SEED_WORKER = { username: 'worker', display_name: '孙八', password: 'work1pass', temporary: 'temp1pass' }

/**
 * As the administrator `admin`: the clerk SEED_WORKER (承办人, 复核人, 审批人, 财务) if not there yet,
 * who then chooses their own password (a password an administrator set must be changed first);
 * the calls after this run as the clerk.
 */
export async function loginWorker(baseUrl, admin = SEED_ADMIN) {
  try {
    return await apiLogin(baseUrl, SEED_WORKER)
  } catch {
    // Not created yet.
  }
  await apiLogin(baseUrl, admin)
  const roles = ['Handler', 'Reviewer', 'Approver', 'Finance']
  const { username, display_name, temporary } = SEED_WORKER
  await api(baseUrl, 'user.create', { username, display_name, roles, password: temporary, ...SEED_CERT })
  await apiLogin(baseUrl, { username, password: temporary })
  await api(baseUrl, 'user.change_password', { old_password: temporary, new_password: SEED_WORKER.password })
  return apiLogin(baseUrl, SEED_WORKER)
}

/** The 执法证 every seeded officer holds (officers on an administrative matter need a valid one). */
export const SEED_CERT = { cert_no: '津执法00001', cert_expires: '2035-12-31' }

export const SEED_OFFICE = { code: '120101', name: '天津市和平区医疗保障局', level: 'county' }
export const SEED_INSTITUTION = '和平区某某医院'

/**
 * Returns `{ caseId, caseNumber, institutionId }`. `initOffice: false` when the office already
 * exists (then `admin`, its administrator, makes the clerk who seeds, see `loginWorker`).
 */
export async function seedDecidedAgreementCase(baseUrl, { initOffice = true, admin = SEED_ADMIN } = {}) {
  const call = (command, payload) => api(baseUrl, command, payload)
  if (initOffice) await call('office.init', { ...SEED_OFFICE, admin: { ...SEED_ADMIN, roles: ['Admin'] } })
  // The administrator adds the three people who sign; the clerk then does the work.
  await apiLogin(baseUrl, admin)
  const user = async (username, display_name, role) =>
    (await call('user.create', { username, display_name, roles: [role], password: 'secret123', ...SEED_CERT })).id
  const handler = await user('zhang', '张三', 'Handler')
  const reviewer = await user('wang', '王五', 'Reviewer')
  const approver = await user('zhao', '赵六', 'Approver')
  await loginWorker(baseUrl, admin)
  const signoff = { handler_id: handler, reviewer_id: reviewer, approver_id: approver }
  const inst = await call('institution.create', {
    code: 'H12010100001',
    name: SEED_INSTITUTION,
    kind: 'MedicalInstitution',
    credit_code: '91350100M000100Y43',
    address: '天津市和平区南京路1号',
    legal_rep: '陈某',
    contact: '022-23333333',
    agreement_status: 'Active',
  })
  const d = await call('case.create', {
    track: '协议处理',
    institution_id: inst.id,
    source: '审核结算',
    summary: '虚记住院费用',
    handler_id: handler,
    filed_on: '2026-01-05',
  })
  const caseId = d.case.id
  await call('finding.add', { case_id: caseId, description: '虚记住院费用', rule_broken: '服务协议第二十条', amount: '0' })
  await call('evidence.add', { case_id: caseId, kind: '电子数据', description: '结算数据导出', collected_on: '2026-01-05' })
  await call('recovery.add_line', { case_id: caseId, fund: '职工基本医保', year_kind: '当年', category: '住院费', amount_due: '12345.67' })
  await call('recovery.add_line', { case_id: caseId, fund: '职工基本医保', year_kind: '历年', amount_due: '1000' })
  const n = await call('case.notify', {
    case_id: caseId,
    issued_on: '2026-02-02',
    document_number: '和医保协告〔2026〕1号',
    signoff,
    proposed_measures: [],
  })
  await call('case.serve', { service_id: n.notification.service_id, method: 'Direct', served_on: '2026-02-03', recipient: '陈某' })
  await call('case.statement', { case_id: caseId, kind: '放弃', on: '2026-02-04', summary: '书面放弃陈述申辩' })
  await call('case.decide', {
    case_id: caseId,
    kind: '协议处理决定',
    decided_on: '2026-02-10',
    document_number: '和医保协决〔2026〕1号',
    payment_due: '2026-03-10',
    measures: [],
    signoff,
  })
  return { caseId, caseNumber: d.case.case_number, institutionId: inst.id, signoff }
}

/**
 * As the clerk, after `seedDecidedAgreementCase`: an ADMINISTRATIVE case against the same institution
 * whose 行政处罚决定 (fine 2,000.00) was served on 2026-09-16 — so that its fine, 15 days from
 * service (行政处罚法 art. 67: due 2026-10-08 after National Day), is long overdue today and its
 * surcharge (3 % a day) has reached the cap, the fine itself. The sequence of
 * tests/all/ledger_scenarios.rs `fine_paid_late_with_capped_surcharge_and_a_court_demand`.
 */
export async function seedServedPenaltyCase(baseUrl, { institutionId, signoff, coHandler }) {
  const call = (command, payload) => api(baseUrl, command, payload)
  const d = await call('case.create', {
    track: '行政执法',
    institution_id: institutionId,
    source: '监督检查',
    summary: '串换药品',
    handler_id: signoff.handler_id,
    co_handler_id: coHandler,
    filed_on: '2026-07-01',
  })
  const caseId = d.case.id
  await call('finding.add', { case_id: caseId, description: '串换药品', rule_broken: '《医疗保障基金使用监督管理条例》第三十八条', amount: '1000' })
  await call('evidence.add', { case_id: caseId, kind: '书证', description: '结算清单', collected_on: '2026-07-02' })
  await call('recovery.add_line', { case_id: caseId, fund: '职工基本医保', year_kind: '当年', category: '住院费', amount_due: '1000' })
  const n = await call('case.notify', {
    case_id: caseId,
    issued_on: '2026-08-03',
    document_number: '和医保告〔2026〕7号',
    signoff,
    proposed_fine: '2000',
  })
  await call('case.serve', { service_id: n.notification.service_id, method: 'Direct', served_on: '2026-08-04', recipient: '陈某' })
  await call('case.statement', { case_id: caseId, kind: '放弃', on: '2026-08-05', summary: '放弃' })
  await call('case.legal_review', { case_id: caseId, reviewer_id: signoff.reviewer_id, on: '2026-08-20', passed: true, opinion: '同意' })
  const decided = await call('case.decide', {
    case_id: caseId,
    kind: '行政处罚决定',
    decided_on: '2026-09-14',
    document_number: '和医保罚〔2026〕7号',
    payment_due: '2026-10-15',
    fine: '2000',
    fine_multiple: '2',
    fine_basis: '《医疗保障基金使用监督管理条例》第三十八条',
    signoff,
  })
  const service = decided.services.find((s) => s.document === 'PenaltyDecision')
  await call('case.serve', { service_id: service.id, method: 'Direct', served_on: '2026-09-16', recipient: '陈某' })
  return { caseId, caseNumber: d.case.case_number }
}

/**
 * As the administrator: the fund accounts the 追回通知单 prints (it is refused while one is empty),
 * as an office fills them on 设置 · 文书设置.
 */
export async function setFundAccounts(baseUrl, admin = SEED_ADMIN) {
  await apiLogin(baseUrl, admin)
  const settings = await api(baseUrl, 'document.settings_get', {})
  const account = (name, number) => ({ account_name: name, bank: '中国工商银行长春南关支行', account_number: number, bank_code: '102241000011' })
  await api(baseUrl, 'document.settings_update', {
    ...settings,
    employee_account: account('长春市南关区医疗保障局职工医保基金专户', '6222 0201 0001'),
    resident_account: account('长春市南关区医疗保障局居民医保基金专户', '6222 0201 0002'),
  })
}

// Paid 700.01 of 1200.01; nothing counts as recovered before its 票据 is issued (as the list shows them).
export const SEED_SELF_CORRECTION = { formNumber: 'ZC-2026-001', due: '1,200.01', outstanding: '500.00' }
