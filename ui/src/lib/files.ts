// Files in and out. Inside the desktop window they go through Tauri's official dialog plugin (the
// native open/save dialogs) and fs plugin (only the file picked there may be read or written); in a
// browser, through a file input and a download link.
import { isTauri } from '@/api/client'

export interface FileFilter {
  /** Shown in the dialog, e.g. "CSV 或 Excel 表格". */
  name: string
  /** Without the dot. */
  extensions: string[]
}

/** A file the user picked, ready for an import command. */
export interface PickedFile {
  name: string
  content_base64: string
}

/** Base64 of the raw bytes of a file (no data-URL prefix). FileReader works in every webview. */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : ''
      const comma = url.indexOf(',')
      resolve(comma >= 0 ? url.slice(comma + 1) : '')
    }
    reader.onerror = () => reject(reader.error ?? new Error('读取文件失败'))
    reader.readAsDataURL(file)
  })
}

/** Base64 of bytes, in chunks (a spread of a large array overflows the call stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** The last part of a path, whatever the separator. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

/**
 * Inside the desktop window: the native open dialog, then the picked file's bytes. Resolves to null
 * when the user cancels. (In a browser use a file input and `fileToBase64`.)
 */
export async function pickFileNative(filter: FileFilter): Promise<PickedFile | null> {
  const { open } = await import('@tauri-apps/plugin-dialog')
  const path = await open({ multiple: false, directory: false, filters: [filter] })
  if (typeof path !== 'string') return null
  const { readFile } = await import('@tauri-apps/plugin-fs')
  return { name: baseName(path), content_base64: bytesToBase64(await readFile(path)) }
}

/**
 * Save bytes as `fileName`: the native save dialog in the desktop window (resolves to false when the
 * user cancels), a download in a browser.
 */
export async function saveBytes(fileName: string, bytes: Uint8Array, filter: FileFilter, mime: string): Promise<boolean> {
  if (isTauri()) {
    const { save } = await import('@tauri-apps/plugin-dialog')
    const path = await save({ defaultPath: fileName, filters: [filter] })
    if (path === null) return false
    const { writeFile } = await import('@tauri-apps/plugin-fs')
    await writeFile(path, bytes)
    return true
  }
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
  return true
}

/** Save text (UTF-8) as `fileName`; see `saveBytes`. */
export function downloadText(fileName: string, text: string, mime = 'text/csv;charset=utf-8'): Promise<boolean> {
  const ext = fileName.split('.').pop() ?? 'txt'
  return saveBytes(fileName, new TextEncoder().encode(text), { name: ext.toUpperCase() + ' 文件', extensions: [ext] }, mime)
}

export const PDF_FILTER: FileFilter = { name: 'PDF 文件', extensions: ['pdf'] }
export const TABLE_FILTER: FileFilter = { name: 'CSV 或 Excel 表格', extensions: ['csv', 'xlsx'] }
