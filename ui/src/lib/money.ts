// Amounts arrive from the core as decimal strings ("86543.21"); they are shown with thousands
// separators and two decimals (86,543.21), by string handling only — money never becomes a float.

/** "86543.21" → "86,543.21"; "-1200" → "-1,200.00". Anything else is returned as it came. */
export function groupedYuan(amount: string): string {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim())
  if (!m) return amount
  const [, sign, whole, cents = ''] = m
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${cents.padEnd(2, '0')}`
}

/** A count or a decimal as the core sent it ("1234", "1234.567") with thousands separators, its
 * decimals kept as they are (the core rounded them once). Anything else is returned as it came. */
export function groupedNumber(text: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text.trim())
  if (!m) return text
  const [, sign, whole, fraction = ''] = m
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction}`
}
