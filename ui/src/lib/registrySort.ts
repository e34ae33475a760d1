// Column sorts done by the server (never on the shown page alone): the registries' code/name sort
// (定点医药机构, 参保人员) and the date column of 案件, 线索 and 自查自纠.
import { ref, type Ref } from 'vue'
import type { ListQuery, RegistrySort } from '@/api/types.gen'

export interface SortChange {
  prop: string | null
  order: 'ascending' | 'descending' | null
}

/** The sort the clerk chose; `onSortChange` is the table's `@sort-change`, `apply` fills a request. */
export function useRegistrySort() {
  const sort = ref<{ by: RegistrySort; descending: boolean } | null>(null)
  function onSortChange({ prop, order }: SortChange): void {
    sort.value = order === null || prop === null ? null : { by: prop === 'name' ? 'Name' : 'Code', descending: order === 'descending' }
  }
  function apply(request: ListQuery): ListQuery {
    if (sort.value) {
      request.sort = sort.value.by
      if (sort.value.descending) request.descending = true
    }
    return request
  }
  return { sort, onSortChange, apply }
}

/**
 * A list sorted on the server by one date column, newest first unless the clerk asks for the oldest:
 * the table's `@sort-change` for that column, setting `oldestFirst`.
 */
export function dateSortHandler(column: string, oldestFirst: Ref<boolean>): (change: SortChange) => void {
  return ({ prop, order }) => {
    oldestFirst.value = prop === column && order === 'ascending'
  }
}
