import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import { mount } from '@vue/test-utils'
import { ApiError } from '@/api/client'
import { type PageRange, type PageResult, type PagedList, type PagedListOptions, usePagedList } from '@/lib/usePagedList'
import { settle } from './helpers'

interface Row {
  id: number
}

/** A request the test answers by hand, to control the order responses arrive in. */
interface Pending {
  range: PageRange
  query: string
  resolve: (page: PageResult<Row>) => void
  reject: (e: unknown) => void
}

function fakeList(options: PagedListOptions<Row> = {}) {
  const requests: Pending[] = []
  const fetchPage = vi.fn(
    (range: PageRange, query: string) =>
      new Promise<PageResult<Row>>((resolve, reject) => requests.push({ range, query, resolve, reject })),
  )
  let list!: PagedList<Row>
  const wrapper = mount(
    defineComponent({
      setup() {
        list = usePagedList(fetchPage, options)
        return () => h('div')
      },
    }),
  )
  return { list, wrapper, fetchPage, requests, last: () => requests[requests.length - 1] }
}

const rowsOf = (...ids: number[]): Row[] => ids.map((id) => ({ id }))

describe('usePagedList', () => {
  afterEach(() => vi.useRealTimers())

  it('asks for the first page on mount and shows its rows and the total', async () => {
    const { list, requests } = fakeList()
    await nextTick()
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ range: { offset: 0, limit: 20 }, query: '' })
    expect(list.loading.value).toBe(true)

    requests[0].resolve({ items: rowsOf(1, 2), total: 42 })
    await settle(3, 0)
    expect(list.rows.value).toEqual(rowsOf(1, 2))
    expect(list.total.value).toBe(42)
    expect(list.loading.value).toBe(false)
    expect(list.loadError.value).toBe('')
  })

  it('asks the server for the shown page only; a new page size starts again at page 1', async () => {
    const { list, requests, last } = fakeList()
    await nextTick()
    requests[0].resolve({ items: rowsOf(1), total: 120 })
    await settle(3, 0)

    list.page.value = 3
    await nextTick()
    expect(last().range).toEqual({ offset: 40, limit: 20 })

    list.pageSize.value = 50
    await nextTick()
    await nextTick() // page 3 -> 1, then the page watcher loads
    expect(list.page.value).toBe(1)
    expect(last().range).toEqual({ offset: 0, limit: 50 })
    expect(requests).toHaveLength(3)
  })

  it('sends the trimmed search text once, after the debounce, from page 1', async () => {
    vi.useFakeTimers()
    const { list, requests, last } = fakeList()
    await nextTick()
    requests[0].resolve({ items: rowsOf(1), total: 60 })
    list.page.value = 2
    await nextTick()
    expect(requests).toHaveLength(2)

    list.query.value = '康'
    await nextTick()
    await vi.advanceTimersByTimeAsync(200)
    list.query.value = ' 康民 '
    await nextTick()
    await vi.advanceTimersByTimeAsync(200)
    expect(requests).toHaveLength(2) // still typing

    await vi.advanceTimersByTimeAsync(100)
    await nextTick()
    expect(requests).toHaveLength(3)
    expect(last()).toMatchObject({ range: { offset: 0, limit: 20 }, query: '康民' })
    expect(list.page.value).toBe(1)
  })

  it('reloads from page 1 at once when a filter changes', async () => {
    const status = ref('')
    const { list, requests, last } = fakeList({ filters: [status] })
    await nextTick()
    list.page.value = 2
    await nextTick()
    expect(requests).toHaveLength(2)

    status.value = 'Decided'
    await nextTick()
    await nextTick()
    expect(list.page.value).toBe(1)
    expect(requests).toHaveLength(3)
    expect(last().range).toEqual({ offset: 0, limit: 20 })
  })

  it('shows the Chinese message of a failed load and clears it on the next success', async () => {
    const { list, requests, last } = fakeList()
    await nextTick()
    requests[0].reject(new ApiError('INTERNAL', '数据库不可用'))
    await settle(3, 0)
    expect(list.loadError.value).toBe('数据库不可用')
    expect(list.loading.value).toBe(false)

    void list.reload()
    last().resolve({ items: rowsOf(5), total: 1 })
    await settle(3, 0)
    expect(list.loadError.value).toBe('')
    expect(list.rows.value).toEqual(rowsOf(5))
  })

  it('drops a response that arrives after a newer request was sent', async () => {
    const { list, requests } = fakeList()
    await nextTick()
    list.page.value = 2
    await nextTick()
    expect(requests).toHaveLength(2)

    requests[1].resolve({ items: rowsOf(21), total: 40 })
    await settle(3, 0)
    requests[0].resolve({ items: rowsOf(1), total: 40 }) // page 1 answers late
    await settle(3, 0)
    expect(list.rows.value).toEqual(rowsOf(21))
    expect(list.loading.value).toBe(false)

    list.page.value = 1
    await nextTick()
    void list.reload()
    requests[3].resolve({ items: rowsOf(1), total: 40 })
    await settle(3, 0)
    requests[2].reject(new ApiError('INTERNAL', '过时的错误')) // the older request fails late
    await settle(3, 0)
    expect(list.rows.value).toEqual(rowsOf(1))
    expect(list.loadError.value).toBe('')
    expect(list.loading.value).toBe(false)
  })

  it('stays loading until the newest request has answered', async () => {
    const { list, requests } = fakeList()
    await nextTick()
    void list.reload()
    requests[0].resolve({ items: rowsOf(1), total: 1 })
    await settle(3, 0)
    expect(list.loading.value).toBe(true)
    requests[1].resolve({ items: rowsOf(2), total: 1 })
    await settle(3, 0)
    expect(list.loading.value).toBe(false)
    expect(list.rows.value).toEqual(rowsOf(2))
  })

  it('runs afterLoad with the shown rows; its failure is the load error', async () => {
    const afterLoad = vi.fn(async (items: Row[]) => {
      if (items.length === 0) throw new ApiError('NOT_FOUND', '文书不存在')
    })
    const { list, requests, last } = fakeList({ afterLoad })
    await nextTick()
    requests[0].resolve({ items: rowsOf(3, 4), total: 2 })
    await settle(3, 0)
    expect(afterLoad).toHaveBeenCalledWith(rowsOf(3, 4))
    expect(list.loadError.value).toBe('')

    void list.reload()
    last().resolve({ items: [], total: 0 })
    await settle(3, 0)
    expect(list.loadError.value).toBe('文书不存在')
  })

  it('forgets a pending search when the component goes away', async () => {
    vi.useFakeTimers()
    const { list, wrapper, fetchPage } = fakeList()
    await nextTick()
    list.query.value = '康民'
    await nextTick()
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetchPage).toHaveBeenCalledTimes(1)
  })
})
