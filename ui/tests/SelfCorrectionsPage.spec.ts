import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import SelfCorrectionsPage from '@/pages/SelfCorrectionsPage.vue'
import { ApiError, call } from '@/api/client'
import type { DocumentListQuery, IssuedDocument, IssuedPdf, SelfCorrectionQuery, SelfCorrectionSummary } from '@/api/types.gen'
import { localToday } from '@/lib/dates'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const PDF = btoa('%PDF-1.7 test')

const institution: SelfCorrectionSummary = {
  id: 3,
  uid: '120101-SC3',
  form_number: 'ZC-2026-001',
  party_kind: 'Institution',
  party: '和平区某社区卫生服务中心',
  submitted_on: '2026-03-10',
  agency: '天津市和平区医疗保障中心',
  due: '1200.01',
  outstanding: '500.00',
  recovered: '700.01',
}
const insured: SelfCorrectionSummary = {
  id: 4,
  uid: '120101-SC4',
  form_number: 'ZC-2026-002',
  party_kind: 'Insured',
  party: '王某某',
  submitted_on: '2026-03-16',
  agency: '天津市和平区医疗保障中心',
  due: '356.80',
  outstanding: '0.00',
  recovered: '356.80',
}

interface Server {
  records?: SelfCorrectionSummary[]
  total?: number
  issueError?: ApiError
}

function issuedForm(record: number): IssuedDocument {
  return {
    id: 9,
    uid: '120101-D9',
    case_id: null,
    self_correction_id: record,
    kind: 'SelfRefundInstitution',
    title: '医疗保障基金自查自纠退回明细单',
    year: 2026,
    seq: 1,
    number: '津医保自纠〔2026〕1号',
    sha256: 'ab',
    issued_on: '2026-03-10',
    issued_by: '本机用户',
    prints: 0,
  }
}

function fakeServer(s: Server = {}): void {
  const records = s.records ?? [insured, institution]
  const issued: IssuedDocument[] = []
  callMock.mockImplementation((async (command: string, payload: unknown) => {
    switch (command) {
      case 'document.list': {
        const q = payload as DocumentListQuery
        return issued.filter((d) => d.self_correction_id === q.self_correction_id)
      }
      case 'document.get':
        return { id: 9, number: '津医保自纠〔2026〕1号', pdf_base64: PDF }
      case 'self_correction.list': {
        const q = payload as SelfCorrectionQuery
        const items = records.slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 50))
        return { items, total: s.total ?? records.length }
      }
      case 'document.preview':
        return { pdf_base64: PDF, pages: 1, missing_glyphs: [] }
      case 'document.issue': {
        if (s.issueError) throw s.issueError
        issued.push(issuedForm((payload as { self_correction_id: number }).self_correction_id))
        const doc: IssuedPdf = { id: 9, number: '津医保自纠〔2026〕1号', pdf_base64: PDF, regenerated: false }
        return doc
      }
    }
    throw new ApiError('UNKNOWN_COMMAND', `unexpected ${command}`)
  }) as typeof call)
}

function mountPage() {
  return mount(SelfCorrectionsPage, {
    global: { plugins: globalPlugins, stubs: { ...realTransitions, PdfViewer: true } },
    attachTo: document.body,
  })
}

const q = <T extends Element = HTMLElement>(testId: string) => document.body.querySelector<T>(`[data-testid="${testId}"]`)
const calls = (command: string) => callMock.mock.calls.filter(([c]) => c === command)

async function click(testId: string): Promise<void> {
  const el = q(testId)
  if (!el) throw new Error(`no element ${testId}`)
  el.click()
  await settle()
}

describe('SelfCorrectionsPage', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('lists the records of the first page with party, amounts and dates', async () => {
    fakeServer({ total: 42 })
    mountPage()
    await settle()
    expect(calls('self_correction.list')[0]?.[1]).toEqual({ offset: 0, limit: 20 })
    const rows = [...document.body.querySelectorAll('[data-testid="sc-table"] .el-table__body-wrapper tbody tr')].map((r) =>
      (r.textContent ?? '').replace(/\s+/g, ' '),
    )
    expect(rows).toHaveLength(2)
    // Amounts with thousands separators, as everywhere.
    for (const text of ['ZC-2026-002', '参保人员', '王某某', '2026-03-16', '356.80']) expect(rows[0]).toContain(text)
    for (const text of ['ZC-2026-001', '定点医药机构', '和平区某社区卫生服务中心', '2026-03-10', '1,200.01', '700.01', '500.00']) {
      expect(rows[1]).toContain(text)
    }
    expect(q('sc-pager')?.textContent).toContain('共 42 条')
  })

  it('asks for the next page from the server', async () => {
    fakeServer({ total: 42 })
    mountPage()
    await settle()
    document.body.querySelector<HTMLElement>('[data-testid="sc-pager"] .el-pager li:nth-child(2)')?.click()
    await settle()
    expect(calls('self_correction.list').at(-1)?.[1]).toEqual({ offset: 20, limit: 20 })
  })

  it('searches, filters by party kind and sorts by 提交日期 on the server', async () => {
    fakeServer({ total: 42 })
    mountPage()
    await settle()
    const search = document.body.querySelector<HTMLInputElement>('input[data-testid="sc-search"]')!
    search.value = '社区'
    search.dispatchEvent(new Event('input'))
    await settle(5, 400)
    expect(calls('self_correction.list').at(-1)?.[1]).toEqual({ query: '社区', offset: 0, limit: 20 })
    const header = [...document.body.querySelectorAll<HTMLElement>('[data-testid="sc-table"] thead th')].find((th) =>
      (th.textContent ?? '').includes('提交日期'),
    )!
    header.click()
    await settle()
    expect(calls('self_correction.list').at(-1)?.[1]).toEqual({ query: '社区', offset: 0, limit: 20, oldest_first: true })
  })

  it('explains where the records come from when there are none', async () => {
    fakeServer({ records: [] })
    mountPage()
    await settle()
    const empty = q('sc-empty')?.textContent ?? ''
    expect(empty).toContain('暂无自查自纠记录')
    expect(empty).toContain('登记')
    // In the words of a clerk: no command name, no terminal.
    expect(empty).not.toMatch(/self_correction|recoup/)
  })

  it('previews and issues 附件2 for an institution with self_correction_id and no case_id', async () => {
    fakeServer()
    mountPage()
    await settle()
    const today = localToday()
    await click('sc-preview-3')
    expect(calls('document.preview').at(-1)?.[1]).toEqual({ self_correction_id: 3, kind: 'SelfRefundInstitution', issued_on: today })
    expect(q('doc-issue-dialog')?.textContent).toContain('预览：医疗保障基金自查自纠退回明细单')
    await click('doc-issue-confirm')
    expect(calls('document.issue')).toHaveLength(1)
    const issued = calls('document.issue')[0]?.[1]
    expect(issued).toEqual({ self_correction_id: 3, kind: 'SelfRefundInstitution', issued_on: today })
    expect(issued).not.toHaveProperty('case_id')
    expect(q('doc-issued-number')?.textContent).toContain('已开具，文号：津医保自纠〔2026〕1号')
    expect(q('doc-print')).not.toBeNull()
    expect(q('doc-download')).not.toBeNull()
    // The row now shows the form's number; 查看 is not a print.
    await settle()
    expect(q('sc-number-3')?.textContent).toContain('津医保自纠〔2026〕1号')
    expect(q('sc-issue-3')).toBeNull()
    await click('sc-view-3')
    expect(calls('document.get').at(-1)?.[1]).toEqual({ id: 9 })
    expect(calls('document.print')).toHaveLength(0)
  })

  it('issues 附件3 for an insured person', async () => {
    fakeServer()
    mountPage()
    await settle()
    await click('sc-issue-4')
    expect(calls('document.preview').at(-1)?.[1]).toEqual({ self_correction_id: 4, kind: 'SelfRefundInsured', issued_on: localToday() })
    expect(q('doc-issue-dialog')?.textContent).toContain('开具：医疗保障基金自查自纠退回明细单')
    await click('doc-issue-confirm')
    expect(calls('document.issue')[0]?.[1]).toEqual({ self_correction_id: 4, kind: 'SelfRefundInsured', issued_on: localToday() })
  })

  it('shows the refusal of the core in the dialog', async () => {
    fakeServer({ issueError: new ApiError('VALIDATION', '参保人员的自查自纠请开具附件3', 'kind') })
    mountPage()
    await settle()
    await click('sc-issue-3')
    await click('doc-issue-confirm')
    expect(q('doc-issue-error')?.textContent).toContain('请开具附件3')
    expect(q('doc-issued-number')).toBeNull()
  })

  it('shows a load error', async () => {
    callMock.mockRejectedValue(new ApiError('INTERNAL', '数据库不可用'))
    mountPage()
    await settle()
    expect(document.body.textContent).toContain('数据库不可用')
  })
})
