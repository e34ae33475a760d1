// The office's working-day calendar as the UI marks it: one `calendar.year` answer per year, kept
// while the app runs and dropped after a calendar change (`forgetCalendarYears`). The core counts
// every deadline; the UI only shows which days are off (休) and which weekend days are worked (班).
import { reactive } from 'vue'
import { call } from '@/api/client'
import type { CalendarYearView } from '@/api/types.gen'

export type DayKind = 'holiday' | 'workday' | 'weekend' | 'working'

interface YearMarks {
  view: CalendarYearView
  holidays: Set<string>
  workdays: Set<string>
}

const years = reactive(new Map<number, YearMarks>())
const loading = new Map<number, Promise<YearMarks | null>>()

/** One year's marks, fetched once. Resolves to null when the core refuses the year (out of range). */
export function loadCalendarYear(year: number): Promise<YearMarks | null> {
  const have = years.get(year)
  if (have) return Promise.resolve(have)
  let p = loading.get(year)
  if (!p) {
    p = call('calendar.year', { year })
      .then((view) => {
        const marks = { view, holidays: new Set(view.holidays), workdays: new Set(view.workdays) }
        years.set(year, marks)
        return marks
      })
      .catch(() => null)
      .finally(() => loading.delete(year))
    loading.set(year, p)
  }
  return p
}

/** Drop what is cached (after `calendar.set_year` / `set_override`): the next look asks the core. */
export function forgetCalendarYears(): void {
  years.clear()
}

/** "YYYY-MM-DD" of a local Date. */
export function isoOf(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/**
 * What a day is, for marking: reactive (a date picker re-renders when the year arrives). Until the
 * year is loaded a day counts by its weekday only.
 */
export function dayKind(iso: string): DayKind {
  const year = Number(iso.slice(0, 4))
  const marks = years.get(year)
  if (!marks) void loadCalendarYear(year)
  else if (marks.holidays.has(iso)) return 'holiday'
  else if (marks.workdays.has(iso)) return 'workday'
  const wd = new Date(`${iso}T00:00:00`).getDay()
  return wd === 0 || wd === 6 ? 'weekend' : 'working'
}

/** The class Element Plus's date picker puts on a day cell (`cell-class-name`); styles in styles.css. */
export function dayCellClass(date: Date): string {
  const k = dayKind(isoOf(date))
  return k === 'holiday' ? 'day-holiday' : k === 'workday' ? 'day-workday' : ''
}
