// 统一社会信用代码 (GB 32100-2015): 17 characters + a check character, for building test data.
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function creditCheckChar(body17) {
  if (body17.length !== 17) throw new Error(`need 17 characters, got ${body17.length}`)
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = CHARS.indexOf(body17[i])
    if (v < 0) throw new Error(`character ${body17[i]} not allowed`)
    sum += v * WEIGHTS[i]
  }
  return CHARS[(31 - (sum % 31)) % 31]
}

export function creditCode(body17) {
  return body17 + creditCheckChar(body17)
}

/** The same code with a wrong check character. */
export function withWrongCheck(code) {
  const right = code[17]
  const wrong = CHARS[(CHARS.indexOf(right) + 1) % CHARS.length]
  return code.slice(0, 17) + wrong
}

export function isValidCreditCode(code) {
  return typeof code === 'string' && code.length === 18 && creditCheckChar(code.slice(0, 17)) === code[17]
}
