/** The local calendar date as YYYY-MM-DD (not UTC: an office works in its own day). */
export function localToday(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/** "2026-12-08" → "2026年12月8日", the core's form in its messages (vocab::dates::cn_date). */
export function cnDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso
}

/** The month just ended, as YYYY-MM: what an office reports by the 3rd (the monthly table's default). */
export function lastMonth(): string {
  const d = new Date()
  d.setDate(1)
  d.setMonth(d.getMonth() - 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
