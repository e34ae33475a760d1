import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import InstitutionsPage from '@/pages/InstitutionsPage.vue'
import ImportReportView from '@/components/ImportReportView.vue'
import { ApiError, call } from '@/api/client'
import type { ImportReport, Institution, InstitutionPage } from '@/api/types'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const hospital: Institution = {
  id: 1,
  uid: '220102-inst-1',
  code: 'H22010200001',
  name: '南关区中心医院',
  kind: 'MedicalInstitution',
  credit_code: '91350100M000100Y43',
  address: '长春市南关区人民大街1号',
  legal_rep: '张三',
  contact: '0431-88880001',
  contact_person: '',
  principal: '',
  controller: '',
  namesake_note: '',
  agreement_status: 'Active',
  updated_at: '2026-01-05T09:00:00Z',
}
const pharmacy: Institution = {
  ...hospital,
  id: 2,
  uid: '220102-inst-2',
  code: 'P22010200002',
  name: '康民大药房',
  kind: 'RetailPharmacy',
  legal_rep: '李四',
  agreement_status: 'Suspended',
}
const report: ImportReport = {
  total_rows: 3,
  examples_skipped: 0,
  created: 2,
  updated: 0,
  unchanged: 0,
  errors: [{ row: 4, record: 'P22010200003 百姓药房', field: 'credit_code', message: '统一社会信用代码校验位错误' }],
}

type ListPayload = Parameters<typeof call<'institution.list'>>[1]

/** A fake server: `institution.list` filters the two fixtures by query. */
function fakeServer(): void {
  callMock.mockImplementation((async (command: string, payload: unknown) => {
    if (command === 'institution.list') {
      const q = (payload as ListPayload).query ?? ''
      const items = [hospital, pharmacy].filter((i) => i.name.includes(q) || i.code.includes(q))
      const page: InstitutionPage = { items, total: items.length }
      return page
    }
    if (command === 'institution.import') return report
    throw new ApiError('UNKNOWN_COMMAND', `unexpected ${command}`)
  }) as typeof call)
}

function mountPage() {
  return mount(InstitutionsPage, { global: { plugins: globalPlugins, stubs: realTransitions }, attachTo: document.body })
}

describe('InstitutionsPage', () => {
  beforeEach(fakeServer)
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('asks for the first page and renders one row per institution with Chinese labels', async () => {
    const wrapper = mountPage()
    await settle()

    expect(callMock).toHaveBeenCalledWith('institution.list', { offset: 0, limit: 20 })
    const table = wrapper.get('[data-testid="inst-table"]')
    const rows = table.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('H22010200001')
    expect(rows[0].text()).toContain('南关区中心医院')
    expect(rows[0].text()).toContain('医疗机构')
    expect(rows[0].text()).toContain('91350100M000100Y43')
    expect(rows[0].text()).toContain('张三')
    expect(rows[0].text()).toContain('0431-88880001')
    expect(rows[0].text()).toContain('正常')
    expect(rows[1].text()).toContain('康民大药房')
    expect(rows[1].text()).toContain('零售药店')
    expect(rows[1].text()).toContain('中止')
    expect(wrapper.get('[data-testid="inst-pager"]').text()).toContain('共 2 条')
  })

  it('sorts on the server by name or code, both ways, from page 1', async () => {
    const wrapper = mountPage()
    await settle()
    callMock.mockClear()
    const header = (label: string) =>
      wrapper.findAll('[data-testid="inst-table"] thead th').find((th) => th.text().includes(label))!
    await header('机构名称').trigger('click')
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('institution.list', { offset: 0, limit: 20, sort: 'Name' })
    await header('机构名称').trigger('click')
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('institution.list', { offset: 0, limit: 20, sort: 'Name', descending: true })
    await header('机构名称').trigger('click') // third click: back to the default order
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('institution.list', { offset: 0, limit: 20 })
    await header('机构编码').trigger('click')
    await settle()
    expect(callMock).toHaveBeenLastCalledWith('institution.list', { offset: 0, limit: 20, sort: 'Code' })
  })

  it('sends the search text to the server after the debounce', async () => {
    const wrapper = mountPage()
    await settle()
    callMock.mockClear()

    await wrapper.get('input[data-testid="inst-search"]').setValue('康民')
    expect(callMock).not.toHaveBeenCalled() // debounced
    await settle(5, 400)

    expect(callMock).toHaveBeenCalledTimes(1)
    expect(callMock).toHaveBeenCalledWith('institution.list', { query: '康民', offset: 0, limit: 20 })
    const rows = wrapper.get('[data-testid="inst-table"]').findAll('tbody tr')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('康民大药房')
  })

  it('shows the progress of a long import and cancels it: the core keeps nothing, the clerk is told so', async () => {
    let reject: (e: unknown) => void = () => {}
    let job = ''
    const base = callMock.getMockImplementation()!
    callMock.mockImplementation((async (command: string, payload: unknown) => {
      const p = payload as { job?: string }
      if (command === 'institution.import') {
        job = p.job ?? ''
        return new Promise((_, rej) => (reject = rej))
      }
      if (command === 'job.progress') return { running: p.job === job, done: 1234, total: 20000, cancelled: false }
      if (command === 'job.cancel') {
        reject(new ApiError('CANCELLED', '已取消导入，没有保存任何内容'))
        return { running: true, done: 1234, total: 20000, cancelled: true }
      }
      return base(command as never, payload as never)
    }) as typeof call)
    const wrapper = mountPage()
    await settle()
    const input = wrapper.get('input[data-testid="inst-import-file"]')
    Object.defineProperty(input.element, 'files', { value: [new File(['机构编码\n'], '机构.csv')], configurable: true })
    await input.trigger('change')
    await settle(5, 450)

    const dialog = document.body.querySelector('[data-testid="import-progress"]')
    expect(dialog?.textContent).toContain('已处理 1,234 / 20,000 行')
    ;(document.body.querySelector('[data-testid="import-progress-cancel"]') as HTMLButtonElement).click()
    await settle()
    expect(callMock).toHaveBeenCalledWith('job.cancel', { job })
    expect(document.body.textContent).toContain('已取消导入，没有保存任何内容')
    expect(document.body.querySelector('[data-testid="import-report"]')).toBeNull()
  })

  it('imports a chosen file as base64 and shows the report with row numbers', async () => {
    const wrapper = mountPage()
    await settle()

    const csv = '机构编码,机构名称\nH1,甲医院\n'
    const file = new File([csv], '机构.csv', { type: 'text/csv' })
    const input = wrapper.get('input[data-testid="inst-import-file"]')
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await settle()

    const expectedBase64 = Buffer.from(csv, 'utf-8').toString('base64')
    expect(callMock).toHaveBeenCalledWith('institution.import', {
      file_name: '机构.csv',
      content_base64: expectedBase64,
      job: expect.any(String),
    })

    // The dialog is teleported to <body>.
    const reportEl = document.body.querySelector('[data-testid="import-report"]')
    expect(reportEl).not.toBeNull()
    expect(reportEl?.textContent).toContain('共3行，新增2，更新0，未变0，错误1')
    const errorRows = reportEl?.querySelectorAll('[data-testid="import-errors"] tbody tr') ?? []
    expect(errorRows).toHaveLength(1)
    const cells = Array.from(errorRows[0].querySelectorAll('td')).map((td) => td.textContent?.trim())
    expect(cells).toEqual(['4', 'P22010200003 百姓药房', '统一社会信用代码', '统一社会信用代码校验位错误'])
    // The list is reloaded after the import.
    expect(callMock.mock.calls.filter(([c]) => c === 'institution.list').length).toBeGreaterThanOrEqual(2)
  })
})

describe('ImportReportView', () => {
  it('lists every error with its row number and reason', async () => {
    const wrapper = mount(ImportReportView, {
      props: {
        report: {
          total_rows: 5,
          examples_skipped: 1,
          created: 1,
          updated: 1,
          unchanged: 1,
          errors: [
            { row: 3, record: 'H22010200003 南关区中医院', field: 'kind', message: '机构类别：应为“医疗机构”或“零售药店”' },
            { row: 6, record: '', message: '列数不足' },
          ],
        },
      },
      global: { plugins: globalPlugins },
    })
    await settle()
    expect(wrapper.get('[data-testid="import-summary"]').text()).toBe('共5行，新增1，更新1，未变1，错误2（模板示例行1行未导入）')
    const rows = wrapper.findAll('[data-testid="import-errors"] tbody tr')
    // Each rejected row names its record (code and name as typed), not only its row number.
    expect(rows.map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['3', 'H22010200003 南关区中医院', '机构类别', '应为“医疗机构”或“零售药店”'],
      ['6', '', '—', '列数不足'],
    ])
  })

  it('shows no error table when every row was imported', async () => {
    const wrapper = mount(ImportReportView, {
      props: { report: { total_rows: 2, examples_skipped: 0, created: 2, updated: 0, unchanged: 0, errors: [] } },
      global: { plugins: globalPlugins },
    })
    await settle()
    expect(wrapper.text()).toContain('共2行，新增2，更新0，未变0，错误0')
    expect(wrapper.find('[data-testid="import-errors"]').exists()).toBe(false)
  })
})
