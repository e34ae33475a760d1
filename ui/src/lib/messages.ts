import { UNKNOWN_ERROR_TEXT, toApiError } from '@/api/client'

/**
 * The text to show for a caught error. An `ApiError` (the only rejection of `call`) carries the
 * core's or the client's Chinese message; any other `Error` shows its message, a string itself,
 * an `{ code, message }` object its message. Never an empty text.
 */
export function errorText(e: unknown): string {
  let text: string
  if (e instanceof Error) text = e.message
  else if (typeof e === 'string') text = e
  else text = toApiError(e).message
  return text !== '' ? text : UNKNOWN_ERROR_TEXT
}

/**
 * The core prefixes a field's message with its Chinese label ("统一社会信用代码：…"). Under the
 * labelled form field, or in a table with a 字段 column, that prefix only repeats the label.
 */
export function withoutLabel(message: string, label: string): string {
  if (label === '') return message
  for (const sep of ['：', ':']) {
    const prefix = label + sep
    if (message.startsWith(prefix) && message.length > prefix.length) return message.slice(prefix.length).trim()
  }
  return message
}
