// Insured persons on screen.

/** 身份证号码 with the birth date hidden (minimum necessary on lists); forms show it whole. */
export function maskedId(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : id
}
