import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import InstitutionFormDialog from '@/components/InstitutionFormDialog.vue'
import { ApiError, call } from '@/api/client'
import type { Institution } from '@/api/types'
import { globalPlugins, realTransitions, settle } from './helpers'

vi.mock('@/api/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/client')>()),
  call: vi.fn(),
}))
const callMock = vi.mocked(call)

const existing: Institution = {
  id: 7,
  uid: '220102-I7',
  code: 'H22010200007',
  name: '南关区妇幼保健院',
  kind: 'MedicalInstitution',
  credit_code: '91350100M000100Y43',
  address: '长春市南关区',
  legal_rep: '周敏',
  contact: '0431-1234567',
  contact_person: '李红',
  principal: '',
  controller: '',
  namesake_note: '',
  agreement_status: 'Active',
  updated_at: '2026-01-05T09:00:00+00:00',
}

function mountDialog(institution: Institution | null) {
  return mount(InstitutionFormDialog, {
    props: { modelValue: true, institution },
    global: { plugins: globalPlugins, stubs: realTransitions },
    attachTo: document.body,
  })
}

const input = (testId: string) => document.body.querySelector<HTMLInputElement>(`input[data-testid="${testId}"]`)
async function type(testId: string, value: string) {
  const el = input(testId)
  if (!el) throw new Error(`no input ${testId}`)
  el.value = value
  el.dispatchEvent(new Event('input'))
  await settle(1, 0)
}
async function clickSave() {
  document.body.querySelector<HTMLButtonElement>('[data-testid="inst-save"]')?.click()
  await settle()
}

describe('InstitutionFormDialog', () => {
  afterEach(() => {
    callMock.mockReset()
    document.body.innerHTML = ''
  })

  it('creates with the typed input and closes', async () => {
    callMock.mockResolvedValue({ ...existing, id: 8 })
    const wrapper = mountDialog(null)
    await settle()
    await type('inst-field-code', ' P22010200008 ')
    await type('inst-field-name', '康宁药房')
    await type('inst-field-credit_code', '91350100m000100y43')
    await clickSave()

    expect(callMock).toHaveBeenCalledWith('institution.create', {
      code: 'P22010200008',
      name: '康宁药房',
      kind: 'MedicalInstitution',
      credit_code: '91350100M000100Y43',
      address: '',
      legal_rep: '',
      contact: '',
      contact_person: '',
      principal: '',
      controller: '',
      namesake_note: '',
      agreement_status: 'Active',
      applied_on: null,
    })
    expect(wrapper.emitted('saved')?.[0]).toEqual([{ ...existing, id: 8 }])
    expect(wrapper.emitted('update:modelValue')?.at(-1)).toEqual([false])
  })

  it('edits: pre-fills the record and sends id plus the input fields only', async () => {
    callMock.mockResolvedValue(existing)
    mountDialog(existing)
    await settle()
    expect(input('inst-field-name')?.value).toBe('南关区妇幼保健院')
    await type('inst-field-contact', '0431-7654321')
    await clickSave()

    expect(callMock).toHaveBeenCalledWith('institution.update', {
      id: 7,
      code: 'H22010200007',
      name: '南关区妇幼保健院',
      kind: 'MedicalInstitution',
      credit_code: '91350100M000100Y43',
      address: '长春市南关区',
      legal_rep: '周敏',
      contact: '0431-7654321',
      contact_person: '李红',
      principal: '',
      controller: '',
      namesake_note: '',
      agreement_status: 'Active',
      applied_on: null,
    })
  })

  it('puts a server field error under that field and keeps the dialog open', async () => {
    callMock.mockRejectedValue(new ApiError('CONFLICT', '机构编码：H22010200007 已被其他机构使用', 'code'))
    const wrapper = mountDialog(null)
    await settle()
    await type('inst-field-code', 'H22010200007')
    await type('inst-field-name', '重复机构')
    await clickSave()

    const item = input('inst-field-code')?.closest('.el-form-item')
    expect(item?.classList.contains('is-error')).toBe(true)
    expect(item?.querySelector('.el-form-item__error')?.textContent?.trim()).toBe('H22010200007 已被其他机构使用')
    expect(wrapper.emitted('saved')).toBeUndefined()
    expect(wrapper.emitted('update:modelValue')).toBeUndefined()
  })

  it('asks for the 同名核实说明 when a person matches one barred elsewhere, then sends it', async () => {
    callMock.mockRejectedValueOnce(
      new ApiError('VALIDATION', '主要负责人张强与某某诊所的法定代表人同名，如系同一人，2031年1月10日（含当日）前不予受理定点申请。如经核实并非同一人，请在“同名核实说明”中写明核实情况后再保存', 'namesake_note'),
    )
    callMock.mockResolvedValueOnce({ ...existing, id: 9 })
    mountDialog(null)
    await settle()
    expect(document.body.querySelector('[data-testid="inst-field-namesake_note"]')).toBeNull()
    await type('inst-field-code', 'H22010200009')
    await type('inst-field-name', '新开诊所')
    await type('inst-field-principal', '张强')
    await clickSave()
    const note = document.body.querySelector<HTMLTextAreaElement>('textarea[data-testid="inst-field-namesake_note"]')
    expect(note).not.toBeNull()
    expect(note?.closest('.el-form-item')?.textContent).toContain('不予受理定点申请')
    note!.value = '已核对身份证件，两人身份证号不同'
    note!.dispatchEvent(new Event('input'))
    await settle(1, 0)
    await clickSave()
    expect(callMock).toHaveBeenLastCalledWith('institution.create', expect.objectContaining({
      principal: '张强',
      namesake_note: '已核对身份证件，两人身份证号不同',
    }))
  })
})
