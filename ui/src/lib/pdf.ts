// PDF bytes in the UI: decoding the core's base64, rendering pages with pdf.js, file names.
//
// pdf.js is loaded on first use (dynamic import) so that the main bundle and the component tests
// never load it. We use its "legacy" build (transpiled, polyfilled): the Tauri window on Linux is
// WebKitGTK, whose version follows the distribution, not Chromium's release train.
//
// Fonts: the core embeds every font as a CID subset with Identity-H encoding (docs/fonts.rs), which
// pdf.js renders from the file itself; no predefined CMaps or standard 14 fonts are needed, so
// cMapUrl / standardFontDataUrl are deliberately not shipped (they would add ~2.5 MB to the app).
import type { PDFDocumentProxy, PDFWorker } from 'pdfjs-dist'

type PdfJs = typeof import('pdfjs-dist')

let pdfjs: Promise<PdfJs> | null = null
/**
 * One pdf.js worker for every PDF of the session, started with the library: starting a worker
 * (parsing its 1 MB script) per document was most of the wait for a preview. Documents opened on
 * it do not stop it when they are destroyed.
 */
let worker: PDFWorker | null = null

function sharedWorker(lib: PdfJs): PDFWorker {
  if (!worker || worker.destroyed) worker = new lib.PDFWorker()
  return worker
}

async function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= (async () => {
    const [lib, worker] = await Promise.all([
      import('pdfjs-dist/legacy/build/pdf.mjs') as Promise<PdfJs>,
      // Vite emits the worker as its own asset and gives us its (relative) URL.
      import('pdfjs-dist/legacy/build/pdf.worker.min.mjs?url'),
    ])
    lib.GlobalWorkerOptions.workerSrc = (worker as { default: string }).default
    return lib
  })()
  return pdfjs
}

/**
 * Start loading pdf.js without waiting for it: a viewer calls this when it opens, so that the
 * library is ready by the time the core's PDF arrives (the first preview of a session).
 */
export function preloadPdfJs(): void {
  loadPdfJs().then(sharedWorker, () => {
    // Reported by openPdf when the PDF is shown.
    pdfjs = null
  })
}

/**
 * [`preloadPdfJs`] once the page is idle (a screen that offers a preview calls it when it opens):
 * the library's 2 MB are parsed while the clerk reads, not after the click. Only where the page
 * has `requestIdleCallback` (Chromium, recent WebKit); elsewhere the viewer's own preload remains.
 */
export function preloadPdfJsWhenIdle(): void {
  if (typeof globalThis.requestIdleCallback === 'function') {
    globalThis.requestIdleCallback(() => preloadPdfJs(), { timeout: 2000 })
  }
}

/** The bytes of the core's `pdf_base64`. */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function pdfBlob(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' })
}

/** Open a PDF with pdf.js. The bytes are copied: pdf.js transfers its buffer to the worker. */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const lib = await loadPdfJs()
  return lib.getDocument({ data: bytes.slice(), isEvalSupported: false, worker: sharedWorker(lib) }).promise
}

/**
 * Render every page at `dpi` into PNG blob URLs (used for printing in the Tauri window). The
 * caller revokes the URLs.
 */
export async function renderPagesForPrint(bytes: Uint8Array, dpi = 200): Promise<string[]> {
  const doc = await openPdf(bytes)
  try {
    const urls: string[] = []
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n)
      const viewport = page.getViewport({ scale: dpi / 72 })
      const canvas = document.createElement('canvas')
      canvas.width = Math.floor(viewport.width)
      canvas.height = Math.floor(viewport.height)
      await page.render({ canvas, viewport }).promise
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
      if (!blob) throw new Error('无法生成打印页面')
      urls.push(URL.createObjectURL(blob))
      page.cleanup()
    }
    return urls
  } finally {
    void doc.destroy()
  }
}

/** Characters a Windows/Linux file name cannot hold. */
const unsafe = /[\\/:*?"<>|\u0000-\u001f]/g

/** 文号 + 文书名称 + .pdf, e.g. `天津医保追单〔2026〕1号医疗保障基金追回通知单.pdf`. */
export function documentFileName(number: string, title: string): string {
  return `${number}${title}`.replace(unsafe, '_') + '.pdf'
}

/**
 * The note under an issued document shown again: the same paper as issued (the core checked the
 * bytes or the laid-out paper), or, for one issued before the paper's fingerprint was kept, that it
 * was rendered again from the data kept at issue.
 */
export function archiveNote(p: { number: string; regenerated: boolean }): string {
  return p.regenerated
    ? `文号：${p.number}（开具于本版本之前，现按开具时保存的内容重新生成，字形排版可能与当时打印的略有差异）`
    : `文号：${p.number}（与开具时的文书一致）`
}
