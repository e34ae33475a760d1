// One server-paged list (案件, 定点医药机构, 自查自纠): the search text (debounced), the page and its
// size, the rows of the shown page, the total, loading and the load error. Only the shown page is
// ever asked for; a response that arrives after a newer request was sent is dropped.
import { onBeforeUnmount, onMounted, ref, watch, type Ref, type WatchSource } from 'vue'
import { errorText } from '@/lib/messages'

/** The page sizes the pager offers; the first is the default. */
export const PAGE_SIZES = [20, 50, 100]
export const SEARCH_DEBOUNCE_MS = 300

/** The slice of the list to ask for. */
export interface PageRange {
  offset: number
  limit: number
}

/** What a `*.list` command answers. */
export interface PageResult<T> {
  items: T[]
  total: number
}

export interface PagedListOptions<T> {
  /** The page's own filters: a change reloads from page 1 at once (the search text waits for the debounce). */
  filters?: WatchSource[]
  /** Runs after a page arrived (its rows are shown, still loading); a rejection becomes the load error. */
  afterLoad?: (items: T[]) => Promise<void>
}

export interface PagedList<T> {
  /** The search text as typed; `fetchPage` gets it trimmed. */
  query: Ref<string>
  page: Ref<number>
  pageSize: Ref<number>
  rows: Ref<T[]>
  total: Ref<number>
  loading: Ref<boolean>
  /** The Chinese text of the last load's failure, '' once a load succeeded. */
  loadError: Ref<string>
  /** Load the shown page again (e.g. after a row was saved). */
  reload: () => Promise<void>
  /** Go back to page 1 and load it (e.g. after an import). */
  reloadFromFirstPage: () => void
}

/**
 * Call from a component's `setup`: the first page is loaded on mount, the pending search is
 * dropped on unmount. `fetchPage` builds the command's request from the range, the trimmed search
 * text and the page's filters.
 */
export function usePagedList<T>(
  fetchPage: (range: PageRange, query: string) => Promise<PageResult<T>>,
  options: PagedListOptions<T> = {},
): PagedList<T> {
  const query = ref('')
  const page = ref(1)
  const pageSize = ref(PAGE_SIZES[0])
  const rows = ref<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  const loadError = ref('')

  let requestSeq = 0
  async function reload(): Promise<void> {
    const seq = ++requestSeq
    loading.value = true
    try {
      const result = await fetchPage(
        { offset: (page.value - 1) * pageSize.value, limit: pageSize.value },
        query.value.trim(),
      )
      if (seq !== requestSeq) return
      rows.value = result.items
      total.value = result.total
      loadError.value = ''
      await options.afterLoad?.(result.items)
    } catch (e) {
      if (seq !== requestSeq) return
      loadError.value = errorText(e)
    } finally {
      if (seq === requestSeq) loading.value = false
    }
  }

  function reloadFromFirstPage(): void {
    if (page.value === 1) void reload()
    else page.value = 1 // the page watcher reloads
  }

  let debounce: ReturnType<typeof setTimeout> | undefined
  watch(query, () => {
    clearTimeout(debounce)
    debounce = setTimeout(reloadFromFirstPage, SEARCH_DEBOUNCE_MS)
  })
  if (options.filters?.length) watch(options.filters, reloadFromFirstPage)
  watch(page, () => void reload())
  watch(pageSize, reloadFromFirstPage)
  onMounted(reload)
  onBeforeUnmount(() => clearTimeout(debounce))

  return { query, page, pageSize, rows, total, loading, loadError, reload, reloadFromFirstPage }
}
