// Which 协议处理措施 a track may decide and which carry a term in months (001 art. 18–20; the core
// checks the same in cases::measures::validate and refuses otherwise).
import type { MeasureInput, MeasureKind, Track } from '@/api/types.gen'

const AGREEMENT_ONLY: MeasureKind[] = ['SettlementSuspension', 'AgreementSuspension', 'AgreementTermination', 'PractitionerSuspension']
const ALL: MeasureKind[] = [
  'Interview',
  'RectificationOrder',
  'PublicCriticism',
  'SettlementSuspension',
  'AgreementSuspension',
  'AgreementTermination',
  'PractitionerSuspension',
]

export function measureKindsFor(track: Track): MeasureKind[] {
  return track === 'Agreement' ? ALL : ALL.filter((k) => !AGREEMENT_ONLY.includes(k))
}

export function measureHasMonths(kind: MeasureKind | null): boolean {
  return kind === 'AgreementSuspension' || kind === 'PractitionerSuspension'
}

/** The rows that say something (a kind chosen), as the API takes them. */
export function measuresToSend(rows: readonly MeasureInput[]): MeasureInput[] {
  return rows
    .filter((m) => m.kind)
    .map((m) => ({
      kind: m.kind,
      months: measureHasMonths(m.kind ?? null) ? (m.months ?? null) : null,
      serious: m.serious,
      note: m.note.trim(),
      rectify_by: m.kind === 'RectificationOrder' ? (m.rectify_by ?? null) : null,
    }))
}
