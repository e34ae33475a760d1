// What a clerk types into an amount field: "1,234.5", "１，２３４．５", "¥1234", "1234元". The core
// parses the same forms (money.rs `Money::parse`); the UI normalises first so that it can say at once
// what is wrong and send the plain decimal text. Money stays a string throughout — never a float.

const FULL_WIDTH: Record<string, string> = { '．': '.', '。': '.', '，': ',', '－': '-', '＋': '+', '￥': '¥' }

/** Full-width digits and punctuation to their ASCII forms; spaces (also the ideographic one) dropped. */
export function toHalfWidth(input: string): string {
  let out = ''
  for (const ch of input) {
    const code = ch.codePointAt(0)!
    if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xff10 + 48)
    else if (ch in FULL_WIDTH) out += FULL_WIDTH[ch]
    else if (/\s/.test(ch) || ch === '\u3000') continue
    else out += ch
  }
  return out
}

export type AmountParse = { ok: true; value: string } | { ok: false; message: string }

/**
 * Parse a non-negative amount as typed. `value` is the plain decimal text with exactly two
 * decimals ("1234.50"). Thousands separators must sit where they belong (1,234,567.89).
 */
export function parseAmount(input: string): AmountParse {
  let s = toHalfWidth(input)
  if (s === '') return { ok: false, message: '请填写金额' }
  if (s.startsWith('-')) return { ok: false, message: '金额不能为负数' }
  s = s.replace(/^\+/, '').replace(/^¥/, '').replace(/元$/, '')
  if (s === '') return { ok: false, message: '请填写金额' }
  const bad = [...s].find((c) => !/[0-9.,]/.test(c))
  if (bad !== undefined) return { ok: false, message: `金额含有非法字符“${bad}”，只能填写数字和小数点` }
  const parts = s.split('.')
  if (parts.length > 2) return { ok: false, message: '金额格式不正确：小数点只能有一个' }
  const [whole, frac] = parts as [string, string | undefined]
  if (frac !== undefined) {
    if (frac.includes(',')) return { ok: false, message: '金额格式不正确：小数部分不能有分隔符' }
    if (frac === '') return { ok: false, message: '金额格式不正确：小数点后缺少数字' }
    if (frac.length > 2) return { ok: false, message: '金额最多保留两位小数（到分）' }
  }
  if (whole === '') return { ok: false, message: '金额格式不正确：小数点前缺少数字' }
  let digits = whole
  if (whole.includes(',')) {
    const groups = whole.split(',')
    const ok = groups[0].length >= 1 && groups[0].length <= 3 && groups.slice(1).every((g) => g.length === 3)
    if (!ok) return { ok: false, message: '金额的千位分隔符位置不正确（应为 1,234,567.89）' }
    digits = groups.join('')
  }
  digits = digits.replace(/^0+(?=\d)/, '')
  if (digits.replace(/^0+/, '').length > 12) return { ok: false, message: '金额过大，超过 9999 亿元，请检查' }
  return { ok: true, value: `${digits}.${(frac ?? '').padEnd(2, '0')}` }
}

/** The normalised amount, or null when the text is empty or not an amount. */
export function amountOrNull(input: string): string | null {
  const p = parseAmount(input)
  return p.ok ? p.value : null
}

/** Sum of decimal amount strings, exact (in 分 as BigInt). */
export function sumAmounts(amounts: readonly string[]): string {
  let cents = 0n
  for (const a of amounts) {
    const p = parseAmount(a.replace(/^-/, ''))
    if (!p.ok) continue
    const v = BigInt(p.value.replace('.', ''))
    cents += a.trim().startsWith('-') ? -v : v
  }
  const neg = cents < 0n
  const abs = neg ? -cents : cents
  const s = abs.toString().padStart(3, '0')
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`
}

/**
 * The 5:5 split of an amount whose fund cannot be told (004 art. 8): the employee half takes the
 * odd cent (cases::split_half). Returns [employee, resident] as decimal texts, or null.
 */
export function splitHalf(input: string): [string, string] | null {
  const p = parseAmount(input)
  if (!p.ok) return null
  const cents = BigInt(p.value.replace('.', ''))
  const resident = cents / 2n
  const employee = cents - resident
  const text = (c: bigint) => {
    const s = c.toString().padStart(3, '0')
    return `${s.slice(0, -2)}.${s.slice(-2)}`
  }
  return [text(employee), text(resident)]
}
