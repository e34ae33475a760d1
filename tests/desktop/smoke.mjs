// Desktop smoke test: drives the real Tauri window through tauri-driver (W3C WebDriver proxy to
// WebKitWebDriver). Plain Node 20, no npm dependencies.
//
//   cargo build -p recoup -p recoup-app && xvfb-run -a node tests/desktop/smoke.mjs
//
// Checks: the window opens on a fresh database and shows the first-run screen; the office and its
// administrator can be created there; after institutions are seeded with the CLI (as a clerk the
// administrator made), a new session logs in and shows them in the institutions table; after a decided case is seeded (through `recoup serve`, the e2e test's seed),
// the case's 文书 tab previews the 追回通知单 with pdf.js in WebKitGTK (which has no PDF viewer of
// its own): the page canvas must have ink. Leaves screenshots at target/desktop-smoke.png and
// target/desktop-documents.png (target/desktop-smoke-failure.png on failure). Always ends the WebDriver session and stops tauri-driver. Last line:
// `1 passed, 0 failed` or `0 passed, 1 failed`; exit code 0 only when it passed.
//
// Environment: RECOUP_APP_BIN, RECOUP_BIN (default target/debug/…), TAURI_DRIVER (default: on PATH),
// WEBKIT_WEBDRIVER (default /usr/bin/WebKitWebDriver if present), TAURI_DRIVER_PORT (default 4444,
// a free port if 4444 is taken), SMOKE_KEEP_TMP=1 keeps the temp dir.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { SEED_ADMIN, SEED_WORKER, loginWorker, seedDecidedAgreementCase, setFundAccounts } from '../../ui/e2e/seedCase.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..')
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(repoRoot, process.env.CARGO_TARGET_DIR) : join(repoRoot, 'target')
const appBin = resolve(process.env.RECOUP_APP_BIN ?? join(targetDir, 'debug', 'recoup-app'))
const cliBin = resolve(process.env.RECOUP_BIN ?? join(targetDir, 'debug', 'recoup'))
const driverBin = process.env.TAURI_DRIVER ?? 'tauri-driver'
const nativeDriver = process.env.WEBKIT_WEBDRIVER ?? (existsSync('/usr/bin/WebKitWebDriver') ? '/usr/bin/WebKitWebDriver' : undefined)
const screenshotPath = join(targetDir, 'desktop-smoke.png')
const documentsShotPath = join(targetDir, 'desktop-documents.png')
const stepShotPath = join(targetDir, 'desktop-step.png')
const failureShotPath = join(targetDir, 'desktop-smoke-failure.png')

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf' // W3C web element reference key
const WAIT_MS = 30_000
const OVERALL_MS = 240_000

const OFFICE = { code: '220102', name: '长春市南关区医疗保障局' }
// 统一社会信用代码 (GB 32100-2015) with a computed check character.
const INSTITUTIONS = [
  {
    code: 'H22010200001',
    name: '长春市南关区中心医院',
    kind: 'MedicalInstitution',
    credit_code: creditCode('12220102MB1234567'),
    address: '长春市南关区人民大街1号',
    legal_rep: '王建国',
    contact: '0431-88880001',
    agreement_status: 'Active',
  },
  {
    code: 'P22010200002',
    name: '长春市南关区康民大药房',
    kind: 'RetailPharmacy',
    credit_code: creditCode('92220102MA0000002'),
    address: '长春市南关区自由大路88号',
    legal_rep: '李淑芬',
    contact: '0431-88880002',
    agreement_status: 'Active',
  },
]

function creditCode(body17) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += chars.indexOf(body17[i]) * weights[i]
  return body17 + chars[(31 - (sum % 31)) % 31]
}

// ------------------------------------------------------------------------------------------------
// Process and WebDriver plumbing

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const log = (...a) => console.log(...a)

function portFree(port) {
  return new Promise((res) => {
    const s = createServer()
    s.once('error', () => res(false))
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)))
  })
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}

async function pickPort(preferred) {
  return (await portFree(preferred)) ? preferred : freePort()
}

let driver = null
let driverLog = ''
let base = ''
let sessionId = null

async function startDriver(env) {
  const port = await pickPort(Number(process.env.TAURI_DRIVER_PORT ?? 4444))
  let nativePort = await pickPort(4445)
  if (nativePort === port) nativePort = await freePort()
  const args = ['--port', String(port), '--native-port', String(nativePort)]
  if (nativeDriver) args.push('--native-driver', nativeDriver)
  // Own process group, so the driver, WebKitWebDriver and the app can be stopped together.
  driver = spawn(driverBin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  driver.stdout.on('data', (d) => (driverLog += d))
  driver.stderr.on('data', (d) => (driverLog += d))
  const spawnError = new Promise((_, rej) => driver.once('error', (e) => rej(new Error(`无法启动 tauri-driver（${driverBin}）：${e.message}`))))
  spawnError.catch(() => {})
  base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver 提前退出（${driver.exitCode}）：${driverLog}`)
    try {
      const r = await Promise.race([fetch(`${base}/status`), spawnError])
      if (r.ok) break
    } catch (e) {
      if (String(e.message).includes('tauri-driver')) throw e
    }
    if (Date.now() > deadline) throw new Error(`tauri-driver 未在 15 秒内就绪：${driverLog}`)
    await sleep(200)
  }
  log(`  tauri-driver 就绪：${base}（native ${nativePort}${nativeDriver ? `，${nativeDriver}` : ''}）`)
}

function stopDriver() {
  if (!driver || driver.exitCode !== null || driver.signalCode !== null) return
  try {
    process.kill(-driver.pid, 'SIGTERM')
  } catch {
    /* already gone */
  }
}

async function wd(method, path, body, timeoutMs = 30_000) {
  const res = await fetch(`${base}${path}`, {
    method,
    signal: AbortSignal.timeout(timeoutMs),
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json = {}
  try {
    json = JSON.parse(text)
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const err = new Error(`${method} ${path} → HTTP ${res.status}: ${(json.value?.message ?? text).slice(0, 400)}`)
    err.wdError = json.value?.error
    throw err
  }
  return json.value
}

const s = (path) => `/session/${sessionId}${path}`

async function newSession() {
  const value = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: appBin } } },
  }, 60_000)
  sessionId = value.sessionId
}

async function endSession() {
  if (!sessionId) return
  const id = sessionId
  sessionId = null
  try {
    await wd('DELETE', `/session/${id}`, undefined, 15_000)
  } catch (e) {
    log(`  （结束会话时出错：${e.message}）`)
  }
}

/** Polls until `fn` returns a truthy value; returns it. */
async function until(fn, what, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`等待超时（${timeout / 1000} 秒）：${what}；最后结果：${last?.message ?? JSON.stringify(last)}`)
    await sleep(250)
  }
}

async function find(css, timeout = WAIT_MS) {
  return until(async () => (await wd('POST', s('/element'), { using: 'css selector', value: css }))[ELEMENT], `元素 ${css}`, timeout)
}

async function exists(css) {
  const found = await wd('POST', s('/elements'), { using: 'css selector', value: css })
  return found.length > 0
}

const elRef = (id) => ({ [ELEMENT]: id })
const exec = (script, ...args) => wd('POST', s('/execute/sync'), { script, args })
const textOf = (id) => wd('GET', s(`/element/${id}/text`))
const click = (id) => wd('POST', s(`/element/${id}/click`), {})

/** The <input> for a test id (Element Plus may put the attribute on a wrapper). */
async function inputFor(testid) {
  const id = await find(`[data-testid="${testid}"]`)
  const tag = String(await wd('GET', s(`/element/${id}/name`))).toLowerCase()
  if (tag === 'input' || tag === 'textarea') return id
  return (await wd('POST', s(`/element/${id}/element`), { using: 'css selector', value: 'input, textarea' }))[ELEMENT]
}

/** Types into an input; falls back to setting the value by script if the keyboard path loses characters. */
async function fill(testid, value) {
  const id = await inputFor(testid)
  await wd('POST', s(`/element/${id}/clear`), {})
  await wd('POST', s(`/element/${id}/value`), { text: value })
  let got = await exec('return arguments[0].value', elRef(id))
  if (got !== value) {
    log(`  （键盘输入得到「${got}」，改用脚本设置 ${testid}）`)
    await exec(
      `const el = arguments[0];
       const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
       Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);
       el.dispatchEvent(new Event('input', { bubbles: true }));
       el.dispatchEvent(new Event('change', { bubbles: true }));`,
      elRef(id),
      value,
    )
    got = await exec('return arguments[0].value', elRef(id))
  }
  if (got !== value) throw new Error(`${testid} 的值为「${got}」，应为「${value}」`)
}

async function screenshot(path) {
  // The snapshot is the last painted frame: let the page paint what the DOM already has.
  await wd('POST', s('/execute/async'), {
    script: 'const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)))',
    args: [],
  })
  const b64 = await wd('GET', s('/screenshot'))
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, Buffer.from(b64, 'base64'))
  log(`  截图：${path}`)
}

const run = promisify(execFile)
async function cli(...args) {
  try {
    // Logged-in calls (--user) take the clerk's password from the environment.
    const env = { ...process.env, RECOUP_PASSWORD: SEED_WORKER.password }
    const { stdout } = await run(cliBin, args, { env, maxBuffer: 16 << 20 })
    return stdout
  } catch (e) {
    throw new Error(`recoup ${args.slice(0, 4).join(' ')} 失败（${e.code}）：${(e.stderr || e.stdout || e.message).trim()}`)
  }
}

/** Runs `recoup serve` on the database while `fn(baseUrl)` runs (the app must not be open). */
/** The login screen of a new window: log in as `user` and wait for the shell. */
async function logIn(user) {
  await fill('login-username', user.username)
  await fill('login-password', user.password)
  await click(await find('[data-testid="login-submit"]'))
  await find('[data-testid="office-display"]')
}

async function withServer(db, fn) {
  const port = await freePort()
  // The UI directory: the seeding reads the server's per-launch secret from the index.html it serves.
  const ui = join(repoRoot, 'ui', 'dist')
  const server = spawn(cliBin, ['--db', db, 'serve', '--port', String(port), '--ui', ui], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  server.stdout.on('data', (d) => (out += d))
  server.stderr.on('data', (d) => (out += d))
  try {
    await until(() => out.includes('Recoup 已启动'), `recoup serve 启动：${out}`, 15_000)
    return await fn(`http://127.0.0.1:${port}/`)
  } finally {
    server.kill('SIGTERM')
    await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)))
  }
}

/** Non-white pixels of the first pdf.js page canvas (0 when none is drawn yet). */
const INK_SCRIPT = `const c = document.querySelector('[data-testid="pdf-page"]');
  if (!c || !c.width) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++;
  return n;`

// ------------------------------------------------------------------------------------------------
// The test

const checks = []
async function check(name, fn) {
  const t0 = Date.now()
  await fn()
  checks.push(name)
  log(`  ✓  ${name} (${Date.now() - t0} ms)`)
}

async function smoke(tmp) {
  const db = join(tmp, 'recoup.db')
  for (const [bin, what] of [
    [appBin, '桌面程序（cargo build -p recoup-app）'],
    [cliBin, '命令行程序（cargo build -p recoup）'],
  ]) {
    if (!existsSync(bin)) throw new Error(`找不到${what}：${bin}`)
  }
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) throw new Error('没有图形显示（DISPLAY 为空）：请在 xvfb-run -a 下运行')

  // The app inherits this environment through tauri-driver and WebKitWebDriver. XDG_* keep the
  // webview's own data out of the user's home.
  const env = {
    ...process.env,
    RECOUP_DB: db,
    XDG_DATA_HOME: join(tmp, 'xdg-data'),
    XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
    XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
  }
  // With either of these WebKit's snapshot never completes and /screenshot hangs.
  delete env.WEBKIT_DISABLE_DMABUF_RENDERER
  delete env.WEBKIT_DISABLE_COMPOSITING_MODE
  await startDriver(env)

  await check('窗口打开，显示首次使用界面', async () => {
    await newSession()
    await find('[data-testid="office-code"]')
    const title = await wd('GET', s('/title'))
    if (!String(title).includes('医保基金追回')) throw new Error(`页面标题为「${title}」`)
    const rect = await wd('GET', s('/window/rect'))
    log(`  窗口 ${rect.width}×${rect.height}，标题「${title}」`)
  })

  await check('在首次使用界面创建本单位和系统管理员', async () => {
    await fill('office-code', OFFICE.code)
    await fill('office-name', OFFICE.name)
    await fill('admin-name', SEED_ADMIN.display_name)
    await fill('admin-password', SEED_ADMIN.password)
    await fill('admin-confirm', SEED_ADMIN.password)
    await click(await find('[data-testid="office-submit"]'))
    await until(async () => !(await exists('[data-testid="office-code"]')), '首次使用界面关闭')
    const shown = await until(async () => {
      const t = await textOf(await find('[data-testid="office-display"]', 1000))
      return t.includes(OFFICE.name) && t
    }, `页面显示单位名称 ${OFFICE.name}`)
    log(`  单位：${shown.replace(/\s+/g, ' ')}`)
  })

  await endSession()

  await check('数据写入 RECOUP_DB，并用命令行录入两家机构', async () => {
    if (!existsSync(db)) throw new Error(`RECOUP_DB 指定的数据库不存在：${db}（程序未使用 RECOUP_DB？）`)
    // The log plugin's file in the app's log folder (what a support person asks for).
    const logFile = join(tmp, 'xdg-data', 'cn.recoup.desktop', 'logs', 'recoup.log')
    if (!existsSync(logFile)) throw new Error(`日志文件不存在：${logFile}`)
    const logText = readFileSync(logFile, 'utf-8')
    if (!logText.includes('启动')) throw new Error(`日志文件没有启动记录：${logText.slice(0, 300)}`)
    log(`  日志：${logFile}`)
    // The app has quit with the session; wait until its process is gone before writing.
    await sleep(500)
    // The clerk who records them (roles are checked for the command line too): made by the
    // administrator, who sets a password the clerk then changes.
    await withServer(db, (url) => loginWorker(url, SEED_ADMIN))
    for (const inst of INSTITUTIONS) {
      await cli('--db', db, '--user', SEED_WORKER.username, 'call', 'institution.create', JSON.stringify(inst))
    }
  })

  await check('重新打开程序，登录后机构列表显示两家机构', async () => {
    await newSession()
    await logIn(SEED_WORKER)
    await click(await find('[data-testid="nav-institutions"]'))
    let seen = ''
    const text = await until(async () => {
      // innerText (rendered text) by script: WebKitWebDriver's Get Element Text treats the cells
      // inside Element Plus's scroll container as hidden and returns only the fixed column.
      seen = await exec('return arguments[0].innerText', elRef(await find('[data-testid="inst-table"]', 1000)))
      return INSTITUTIONS.every((i) => seen.includes(i.name)) && seen
    }, '机构列表包含两家机构').catch((e) => {
      throw new Error(`${e.message}；列表文字：「${String(seen).replace(/\s+/g, ' ').slice(0, 300)}」`)
    })
    log(`  列表：${text.replace(/\s+/g, ' ').slice(0, 160)}`)
    await screenshot(screenshotPath)
  })

  await endSession()

  let caseId = 0
  await check('通过 recoup serve 录入一件已作出处理决定的案件', async () => {
    await sleep(500)
    caseId = await withServer(db, async (url) => {
      const seeded = await seedDecidedAgreementCase(url, { initOffice: false, admin: SEED_ADMIN })
      await setFundAccounts(url, SEED_ADMIN)
      return seeded.caseId
    })
  })

  await check('案件“文书”页：追回通知单可开具，预览由 pdf.js 在窗口内绘出', async () => {
    await newSession()
    await logIn(SEED_WORKER)
    await exec('window.location.hash = arguments[0]', `#/cases/${caseId}?tab=documents`)
    // By script: WebKitWebDriver refuses the pointer click while the tab content slides in.
    await until(async () => {
      await exec('arguments[0].click()', elRef(await find('[data-testid="doc-preview-RecoverySlip"]', 1000)))
      return exists('[data-testid="pdf-viewer"]')
    }, '预览对话框打开')
    const ink = await until(async () => {
      const n = await exec(INK_SCRIPT)
      return n > 1000 && n
    }, '预览页面绘出内容（pdf.js canvas）', 45_000)
    await until(async () => !(await exists('.el-dialog .el-loading-mask')), '预览加载提示消失', 45_000)
    const pages = await textOf(await find('[data-testid="pdf-page-count"]'))
    log(`  预览：${pages.replace(/\s+/g, ' ')}，${ink} 个非白像素`)
    await screenshot(documentsShotPath)
  })

  // Clicks and reads by script: WebKitWebDriver refuses pointer clicks on elements that move.
  const clickBy = (css) => exec('const e = document.querySelector(arguments[0]); if (e) e.click(); return !!e', css)
  const textBy = (css) => exec('return document.querySelector(arguments[0])?.innerText ?? ""', css)
  // Dialogs stay in the page when closed: what counts is whether they are shown.
  const shown = (css) => exec('const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0', css)

  await check('在窗口中开具追回通知单：确认后显示文号，已开具文书列出', async () => {
    await clickBy('[data-testid="doc-issue-dialog"] .el-dialog__headerbtn')
    await until(async () => !(await shown('[data-testid="doc-issue-dialog"]')), '预览对话框关闭')
    await until(async () => {
      await clickBy('[data-testid="doc-issue-RecoverySlip"]')
      return shown('[data-testid="doc-issue-confirm"]')
    }, '开具对话框打开')
    await until(
      () => exec('const b = document.querySelector(\'[data-testid="doc-issue-confirm"]\'); return !!b && !b.disabled'),
      '“确认开具”可用',
      45_000,
    )
    await clickBy('[data-testid="doc-issue-confirm"]')
    // "已开具，文号：长春医保追单〔2026〕1号"
    const said = await until(async () => /文号：(\S+)/.exec(await textBy('[data-testid="doc-issued-number"]')), '显示文号', 45_000)
    const number = said[1]
    await clickBy('[data-testid="doc-done"]')
    await until(async () => (await textBy('[data-testid="doc-issued"]')).includes(number), `已开具文书列出 ${number}`)
    log(`  文号：${number}`)
  })

  await check('在窗口中办理一步：报市医保局备案，时间线记下', async () => {
    await until(async () => {
      await clickBy('[data-testid="action-reportCity"]')
      return shown('[data-testid="step-reportCity-submit"]')
    }, '备案对话框打开')
    await clickBy('[data-testid="step-reportCity-submit"]')
    await until(async () => !(await shown('[data-testid="step-reportCity-submit"]')), '备案对话框关闭')
    await clickBy('#tab-overview')
    await until(async () => (await textBy('[data-testid="case-timeline"]')).includes('报市医保局备案'), '时间线记下“报市医保局备案”')
    await screenshot(stepShotPath)
  })
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'recoup-desktop-smoke-'))
  let failure = null
  const overall = setTimeout(() => {
    log(`  ✗  总时间超过 ${OVERALL_MS / 1000} 秒，终止`)
    cleanup().finally(() => finish(new Error('timeout')))
  }, OVERALL_MS)

  const cleanup = async () => {
    await endSession()
    stopDriver()
    await sleep(300)
  }
  const finish = (err) => {
    if (err && driverLog.trim()) log(`  tauri-driver 输出：\n${driverLog.trim().split('\n').slice(-30).join('\n')}`)
    if (process.env.SMOKE_KEEP_TMP === '1') log(`  临时目录保留：${tmp}`)
    else rmSync(tmp, { recursive: true, force: true })
    log(err ? '0 passed, 1 failed' : '1 passed, 0 failed')
    process.exit(err ? 1 : 0)
  }
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => cleanup().finally(() => finish(new Error(sig))))
  }

  log('桌面冒烟测试（tauri-driver + WebKitWebDriver）')
  try {
    await smoke(tmp)
  } catch (e) {
    failure = e
    log(`  ✗  ${e?.message ?? e}`)
    if (sessionId) await screenshot(failureShotPath).catch(() => {})
  }
  clearTimeout(overall)
  await cleanup()
  log(`  ${checks.length} 项检查通过`)
  finish(failure)
}

main()
