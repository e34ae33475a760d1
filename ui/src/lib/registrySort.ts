// The registries' column sort (定点医药机构, 参保人员): the table's sort event becomes the list
// request's `sort`/`descending`, so the server sorts and pages (never the shown page alone).
import { ref } from 'vue'
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
