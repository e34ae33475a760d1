// Printing and saving an official document's PDF from either host.
//
// - Browser (`recoup serve`, Chromium): the PDF blob opens in a new tab, in the browser's own PDF
//   viewer, which prints the file exactly as issued (no scaling, no headers or footers added by us).
// - Tauri window (WebKitGTK on Linux, WebView2 on Windows): WebKitGTK has no PDF viewer, so pdf.js
//   renders each page to an image at print resolution; the images go into a print-only element
//   (`#pdf-print-root`, one A4 page each, `@page { margin: 0 }` so no margin is added to the
//   document's own GB/T 9704 margins) and `window.print()` opens the system print dialog. The
//   element is removed after printing. The same path is the fallback when a browser blocks the tab.
import { isTauri } from '@/api/client'
import { PDF_FILTER, saveBytes } from '@/lib/files'
import { pdfBlob, renderPagesForPrint } from './pdf'

/** Dots per inch of the rendered print pages (A4 at 200 dpi ≈ 1654 × 2339 px). */
const PRINT_DPI = 200

export async function printPdf(bytes: Uint8Array): Promise<void> {
  if (!isTauri()) {
    const url = URL.createObjectURL(pdfBlob(bytes))
    const tab = window.open(url, '_blank')
    // The tab keeps its own reference to the blob; revoke ours later.
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
    if (tab) return
  }
  await printRendered(bytes)
}

const PRINT_STYLE = `
#pdf-print-root { display: none; }
@media print {
  @page { size: A4 portrait; margin: 0; }
  html, body { margin: 0 !important; padding: 0 !important; background: #fff !important; height: auto !important; }
  body > *:not(#pdf-print-root) { display: none !important; }
  #pdf-print-root { display: block; }
  #pdf-print-root img { display: block; width: 210mm; height: 297mm; break-after: page; page-break-after: always; }
  #pdf-print-root img:last-child { break-after: auto; page-break-after: auto; }
}`

async function printRendered(bytes: Uint8Array): Promise<void> {
  const urls = await renderPagesForPrint(bytes, PRINT_DPI)
  const root = document.createElement('div')
  root.id = 'pdf-print-root'
  const style = document.createElement('style')
  style.textContent = PRINT_STYLE
  root.appendChild(style)
  await Promise.all(
    urls.map(
      (src) =>
        new Promise<void>((resolve) => {
          const img = new Image()
          img.onload = () => resolve()
          img.onerror = () => resolve()
          img.src = src
          root.appendChild(img)
        }),
    ),
  )
  document.getElementById('pdf-print-root')?.remove() // a previous print whose dialog never reported back
  document.body.appendChild(root)
  window.addEventListener(
    'afterprint',
    () => {
      root.remove()
      for (const u of urls) URL.revokeObjectURL(u)
    },
    { once: true },
  )
  window.print()
}

/** Save the PDF under `fileName`: the native save dialog in the desktop window, a download in a browser. */
export function downloadPdf(bytes: Uint8Array, fileName: string): Promise<boolean> {
  return saveBytes(fileName, bytes, PDF_FILTER, 'application/pdf')
}
