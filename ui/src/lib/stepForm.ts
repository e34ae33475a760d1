// The declarative forms of the workflow dialogs (StepFormDialog.vue): which fields a step asks for,
// and where a refusal of the core lands. Pure logic, unit-tested.
import type { PartyKind, Role, Track } from '@/api/types.gen'
import { ApiError } from '@/api/client'
import { errorText, withoutLabel } from '@/lib/messages'

export type FieldType =
  | 'text'
  | 'textarea'
  | 'date'
  | 'month'
  | 'amount'
  | 'user'
  | 'select'
  | 'radio'
  | 'switch'
  | 'number'
  | 'tags'
  | 'party'
  | 'measures'
  | 'lines'

export interface FieldSpec {
  /** The request field (serde name); the core's `ApiError.field` is matched against it. */
  key: string
  label: string
  type: FieldType
  role?: Role
  partyKind?: PartyKind
  /** For `measures`: which measures the case's track may decide. */
  track?: Track
  /** For `measures` of a decision: a 限期整改 asks for its deadline (整改期限). */
  decided?: boolean
  options?: { value: string | number; label: string }[]
  required?: boolean
  placeholder?: string
  /** A line of help under the field (may depend on what was typed). */
  hint?: string | ((values: FormValues) => string)
  /** Half width (two fields a row). */
  half?: boolean
  /** Shown only when this returns true for the current values. */
  visible?: (values: FormValues) => boolean
  /** Other request fields whose errors belong under this one (e.g. `signoff.handler_id`). */
  aliases?: string[]
}

export type FormValues = Record<string, unknown>

/** The spec a refused field belongs to: same key, an alias, or the last path segment ("signoff.handler_id"). */
export function fieldFor(fields: readonly FieldSpec[], field: string | undefined): FieldSpec | undefined {
  if (!field) return undefined
  const last = field.split(/[.[\]]/).filter(Boolean).pop() ?? field
  return (
    fields.find((f) => f.key === field || f.aliases?.includes(field)) ??
    fields.find((f) => f.key === last || f.aliases?.includes(last))
  )
}

/** Where an error goes: under its field (without the repeated label) or above the form. */
export function placeError(
  fields: readonly FieldSpec[],
  e: unknown,
  visible: (f: FieldSpec) => boolean = () => true,
): { key: string; message: string } | { key: null; message: string } {
  const err = e instanceof ApiError ? e : null
  const message = errorText(e)
  const spec = fieldFor(fields, err?.field)
  if (spec && visible(spec)) return { key: spec.key, message: withoutLabel(message, spec.label) }
  return { key: null, message }
}

/** The required fields left empty, with their message. */
export function missingRequired(fields: readonly FieldSpec[], values: FormValues): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of fields) {
    if (!f.required || (f.visible && !f.visible(values))) continue
    const v = values[f.key]
    const empty = v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
    if (empty) out[f.key] = `请${['select', 'user', 'date', 'month', 'party', 'radio'].includes(f.type) ? '选择' : '填写'}${f.label}`
  }
  return out
}

/** '' and whitespace-only strings to null (optional request fields). */
export function blankToNull<T>(v: T): T | null {
  return typeof v === 'string' && v.trim() === '' ? null : v
}

/** Names typed in one field: separated by 、，, ；; or spaces. */
export function splitNames(text: string): string[] {
  return text
    .split(/[、，,；;\s]+/)
    .map((n) => n.trim())
    .filter(Boolean)
}
