// Saving a report as an Excel workbook (through the save dialog) and previewing it as a PDF: the
// exports of the 月度统计表, the report sheets and the lists share these steps and their messages.
import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import type { ReportFile } from '@/api/types.gen'
import { errorText } from '@/lib/messages'
import { saveBytes } from '@/lib/files'
import { base64ToBytes } from '@/lib/pdf'

export function useReportExport(xlsx: () => Promise<ReportFile>, pdf: () => Promise<ReportFile>) {
  /** Which export is running: 'xlsx', 'pdf' or ''. */
  const exporting = ref('')
  const pdfOpen = ref(false)
  const pdfData = ref<Uint8Array | null>(null)
  const pdfName = ref('')

  async function exportXlsx(): Promise<void> {
    exporting.value = 'xlsx'
    try {
      const f = await xlsx()
      const saved = await saveBytes(
        f.file_name,
        base64ToBytes(f.content_base64),
        { name: 'Excel 表格', extensions: ['xlsx'] },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      )
      if (saved) ElMessage.success('已保存电子表格')
    } catch (e) {
      ElMessage.error(`导出失败：${errorText(e)}`)
    } finally {
      exporting.value = ''
    }
  }

  async function exportPdf(): Promise<void> {
    exporting.value = 'pdf'
    try {
      const f = await pdf()
      pdfData.value = base64ToBytes(f.content_base64)
      pdfName.value = f.file_name
      pdfOpen.value = true
    } catch (e) {
      ElMessage.error(`生成PDF失败：${errorText(e)}`)
    } finally {
      exporting.value = ''
    }
  }

  return { exporting, pdfOpen, pdfData, pdfName, exportXlsx, exportPdf }
}
