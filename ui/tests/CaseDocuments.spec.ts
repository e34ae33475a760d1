import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import CaseDocuments from '@/components/CaseDocuments.vue'
import { ApiError, call } from '@/api/client'
import type { DocumentOption, DocumentPreview, IssuedDocument, IssuedPdf } from '@/api/types.gen'
import { localToday } from '@/lib/dates'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const PDF = btoa('%PDF-1.7 test')

const options: DocumentOption[] = [
  {
    kind: 'StatementNotice', title: '陈述申辩告知书', available: true, reason: '', number: '和医保协告〔2026〕1号',
    step_date: '2026-02-02', date_fixed: true,
  },
  {
    kind: 'RefundOrder',
    title: '责令退款通知书',
    available: false,
    reason: '责令退款通知书由医保行政部门出具，协议处理案件请出具追回通知单',
    number: null,
    date_fixed: false,
  },
  { kind: 'RecoverySlip', title: '医疗保障基金追回通知单', available: true, reason: '', number: null, date_fixed: false },
]

const issuedSlip: IssuedDocument = {
  id: 5,
  uid: '120101-D5',
  case_id: 1,
  kind: 'RecoverySlip',
  title: '医疗保障基金追回通知单',
  year: 2026,
  seq: 1,
  number: '天津医保追单〔2026〕1号',
  sha256: 'ab',
  issued_on: '2026-02-11',
  issued_by: '张三',
  prints: 0,
}

interface Server {
  preview?: Partial<DocumentPreview>
  issued?: IssuedDocument[]
  issueError?: ApiError
}

function fakeServer(s: Server = {}): void {
  let list = s.issued ?? []
  callMock.mockImplementation((async (command: string, payload: unknown) => {
    switch (command) {
      case 'document.options':
        return options
      case 'document.list':
        return list
      case 'document.preview':
        return { pdf_base64: PDF, pages: 1, missing_glyphs: [], ...s.preview }
      case 'document.issue': {
        if (s.issueError) throw s.issueError
        list = [issuedSlip]
        const doc: IssuedPdf = { id: 5, number: issuedSlip.number, pdf_base64: PDF, regenerated: false }
        return doc
      }
      case 'document.get':
      case 'document.print':
        return { id: (payload as { id: number }).id, number: issuedSlip.number, pdf_base64: PDF }
      case 'document.print_batch':
        return { pdf_base64: PDF, pages: 2, count: (payload as { ids: number[] }).ids.length }
    }
    throw new ApiError('UNKNOWN_COMMAND', `unexpected ${command}`)
  }) as typeof call)
}

function mountSection() {
  return mount(CaseDocuments, {
    props: { caseId: 1 },
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

describe('CaseDocuments', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('lists every kind: available ones with 预览/开具, unavailable ones greyed with the reason', async () => {
    fakeServer()
    mountSection()
    await settle()
    expect(calls('document.options')[0]?.[1]).toEqual({ id: 1 })
    expect(calls('document.list')[0]?.[1]).toEqual({ case_id: 1 })
    expect(q('doc-preview-RecoverySlip')?.textContent).toContain('预览')
    expect(q('doc-issue-RecoverySlip')?.textContent).toContain('开具')
    expect(q('doc-issue-RefundOrder')).toBeNull()
    expect(q('doc-reason-RefundOrder')?.textContent).toContain('协议处理案件请出具追回通知单')
    expect(q('doc-option-RefundOrder')?.closest('tr')?.className).toContain('doc-unavailable')
    expect(q('doc-options')?.textContent).toContain('和医保协告〔2026〕1号')
    expect(q('doc-issued')?.textContent).toContain('本案尚未开具文书')
  })

  it('dates a document the procedure numbered on its step, and does not let the date change', async () => {
    fakeServer()
    mountSection()
    await settle()
    await click('doc-issue-StatementNotice')
    expect(calls('document.preview').at(-1)?.[1]).toEqual({ case_id: 1, kind: 'StatementNotice', issued_on: '2026-02-02' })
    // The date picker of the dialog's bar (成文日期).
    expect(document.body.querySelector<HTMLInputElement>('.bar .el-date-editor input')?.disabled).toBe(true)
  })

  it('previews with the 成文日期, issues with the same payload, shows the number and reloads', async () => {
    fakeServer()
    mountSection()
    await settle()
    await click('doc-issue-RecoverySlip')
    const today = localToday()
    expect(calls('document.preview').at(-1)?.[1]).toEqual({ case_id: 1, kind: 'RecoverySlip', issued_on: today })
    expect(q('doc-issue-dialog')?.textContent).toContain('开具：医疗保障基金追回通知单')
    await click('doc-issue-confirm')
    expect(calls('document.issue')).toHaveLength(1)
    expect(calls('document.issue')[0]?.[1]).toEqual({ case_id: 1, kind: 'RecoverySlip', issued_on: today })
    expect(q('doc-issued-number')?.textContent).toContain('已开具，文号：天津医保追单〔2026〕1号')
    expect(calls('document.options')).toHaveLength(2)
    expect(calls('document.list')).toHaveLength(2)
    const table = q('doc-issued')?.textContent ?? ''
    expect(table).toContain('天津医保追单〔2026〕1号')
    expect(table).toContain('张三')
    expect(q('doc-print')).not.toBeNull()
    expect(q('doc-download')).not.toBeNull()
  })

  it('warns about characters no font has before issuing and does not offer to issue', async () => {
    fakeServer({ preview: { missing_glyphs: ['䶮', '𠀀'] } })
    mountSection()
    await settle()
    await click('doc-preview-RecoverySlip')
    const alert = q('doc-missing-glyphs')?.textContent ?? ''
    expect(alert).toContain('本机字体缺少以下字符')
    expect(alert).toContain('䶮、𠀀')
    expect(q<HTMLButtonElement>('doc-issue-confirm')?.disabled).toBe(true)
    q('doc-issue-confirm')?.click()
    await settle()
    expect(calls('document.issue')).toHaveLength(0)
  })

  it('shows the refusal of the core in the dialog', async () => {
    fakeServer({ issueError: new ApiError('ILLEGAL_STEP', '已开具医疗保障基金追回通知单，请重新打印') })
    mountSection()
    await settle()
    await click('doc-issue-RecoverySlip')
    await click('doc-issue-confirm')
    expect(q('doc-issue-error')?.textContent).toContain('请重新打印')
    expect(q('doc-issued-number')).toBeNull()
  })

  it('shows an issued document without recording a print', async () => {
    fakeServer({ issued: [issuedSlip] })
    mountSection()
    await settle()
    document.body.querySelector<HTMLElement>('[data-testid="doc-view"]')?.click()
    await settle()
    expect(calls('document.get')[0]?.[1]).toEqual({ id: 5 })
    expect(calls('document.print')).toHaveLength(0)
    expect(q('pdf-dialog-note')?.textContent).toContain('天津医保追单〔2026〕1号')
  })

  it('reprints one document and prints a selection in one batch', async () => {
    fakeServer({ issued: [issuedSlip, { ...issuedSlip, id: 6, kind: 'StatementNotice', title: '陈述申辩告知书', number: '和医保协告〔2026〕1号' }] })
    mountSection()
    await settle()
    document.body.querySelectorAll<HTMLElement>('[data-testid="doc-reprint"]')[0]?.click()
    await settle()
    expect(calls('document.print')[0]?.[1]).toEqual({ id: 5 })
    expect(q('pdf-dialog-note')?.textContent).toContain('天津医保追单〔2026〕1号')

    const boxes = document.body.querySelectorAll<HTMLInputElement>('[data-testid="doc-issued"] tbody .el-checkbox__original')
    expect(boxes).toHaveLength(2)
    for (const b of boxes) {
      b.click()
      await settle(1, 0)
    }
    document.body.querySelector<HTMLInputElement>('[data-testid="doc-duplex"] input')?.click()
    await settle(1, 0)
    await click('doc-batch-print')
    expect(calls('document.print_batch')[0]?.[1]).toEqual({ ids: [5, 6], duplex: true, job: expect.any(String) })
  })

  it('shows how many notices of a batch are laid out and cancels it: no file, the clerk is told so', async () => {
    fakeServer({ issued: [issuedSlip, { ...issuedSlip, id: 6, kind: 'StatementNotice', title: '陈述申辩告知书', number: '和医保协告〔2026〕1号' }] })
    let reject: (e: unknown) => void = () => {}
    let job = ''
    const base = callMock.getMockImplementation()!
    callMock.mockImplementation((async (command: string, payload: unknown) => {
      const p = payload as { job?: string }
      if (command === 'document.print_batch') {
        job = p.job ?? ''
        return new Promise((_, rej) => (reject = rej))
      }
      // Two notices and the file: one laid out so far.
      if (command === 'job.progress') return { running: p.job === job, done: 1, total: 3, cancelled: false }
      if (command === 'job.cancel') {
        reject(new ApiError('CANCELLED', '已取消批量打印，没有保存任何内容'))
        return { running: true, done: 1, total: 3, cancelled: true }
      }
      return base(command as never, payload as never)
    }) as typeof call)
    mountSection()
    await settle()
    for (const b of document.body.querySelectorAll<HTMLInputElement>('[data-testid="doc-issued"] tbody .el-checkbox__original')) {
      b.click()
      await settle(1, 0)
    }
    await click('doc-batch-print')
    await settle(5, 450)
    expect(q('batch-progress')?.textContent).toContain('已排版 1 / 2 份')
    q<HTMLButtonElement>('batch-progress-cancel')!.click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('job.cancel', { job })
    expect(document.body.textContent).toContain('已取消批量打印，没有保存任何内容')
    expect(q('pdf-dialog-note')).toBeNull()
  })
})
