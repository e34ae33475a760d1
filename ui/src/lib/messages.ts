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
