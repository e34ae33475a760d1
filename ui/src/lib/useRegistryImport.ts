// 导入 of a registry (定点医药机构, 参保人员): the file comes from the native open dialog in the desktop
// window or from a hidden file input in a browser; the core's report is shown, and the list reloads.
// While it runs, the core's progress is shown (`job.progress`, polled) and the clerk may cancel
// (`job.cancel`): the core then rolls the whole import back.
import { ref, type Ref } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError, call, isTauri } from '@/api/client'
import { useJob } from '@/lib/useJob'
import type { ImportReport } from '@/api/types'
import { TABLE_FILTER, fileToBase64, pickFileNative, type PickedFile } from '@/lib/files'
import { errorText } from '@/lib/messages'

/** `fileInput`: the page's hidden `<input type="file">` (its template ref). */
export function useRegistryImport(
  command: 'institution.import' | 'insured.import' | 'inspection.import',
  reload: () => void,
  fileInput: Ref<HTMLInputElement | undefined>,
) {
  const importing = ref(false)
  const report = ref<ImportReport | null>(null)
  const reportFile = ref('')
  const reportOpen = ref(false)
  /** Rows read so far while an import runs (null: no import running, or too short to show). */
  const { progress, cancelling, run, cancel } = useJob()

  async function importFile(file: PickedFile): Promise<void> {
    report.value = null // never show the previous file's result for this one
    importing.value = true
    try {
      report.value = await run((job) => call(command, { file_name: file.name, content_base64: file.content_base64, job }))
      reportFile.value = file.name
      reportOpen.value = true
      reload()
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CANCELLED') ElMessage.info(e.message)
      else ElMessage.error(e instanceof ApiError ? errorText(e) : `导入失败：${errorText(e)}`)
    } finally {
      importing.value = false
    }
  }

  /** The 导入 button. */
  async function pickFile(): Promise<void> {
    if (!isTauri()) {
      fileInput.value?.click()
      return
    }
    try {
      const picked = await pickFileNative(TABLE_FILTER)
      if (picked !== null) await importFile(picked)
    } catch (e) {
      ElMessage.error(`无法读取文件：${errorText(e)}`)
    }
  }

  /** The hidden file input's `change`. */
  async function onFileChosen(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = '' // choosing the same file again must fire `change` again
    if (!file) return
    await importFile({ name: file.name, content_base64: await fileToBase64(file) })
  }

  return { importing, report, reportFile, reportOpen, pickFile, onFileChosen, progress, cancelling, cancel }
}
