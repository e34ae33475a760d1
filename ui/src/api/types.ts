// Short names for the generated API types, derived from `Commands` so that they follow the Rust
// core exactly. Nothing here redeclares a shape: every alias points into types.gen.ts.
import type { Commands } from './types.gen'

export type { Commands }
export type CommandName = keyof Commands
export type Req<K extends CommandName> = Commands[K]['request']
export type Res<K extends CommandName> = Commands[K]['response']

export type Office = NonNullable<Res<'office.get'>>
export type OfficeInit = Req<'office.init'>
export type OfficeLevel = Office['level']

export type Institution = Res<'institution.get'>
export type InstitutionInput = Req<'institution.create'>
export type InstitutionKind = Institution['kind']
export type AgreementStatus = Institution['agreement_status']
export type InstitutionListQuery = Req<'institution.list'>
export type InstitutionPage = Res<'institution.list'>

export type ImportReport = Res<'institution.import'>
export type ImportRowError = ImportReport['errors'][number]

// Reports and the records they count (issue 10)
export type MonthlyTable = Res<'report.monthly'>
export type MonthlyCell = MonthlyTable['cells'][number]
export type MonthlyColumn = MonthlyCell['column']
export type DrillItem = Res<'report.monthly_drill'>['items'][number]
export type ReportSettings = Res<'report.settings_get'>
export type Sheet = Res<'report.sheet'>
export type Charts = Res<'report.charts'>
export type Draw = Res<'draw.create'>
export type DrawInput = Req<'draw.create'>
export type DrawnInstitution = Draw['institutions'][number]
export type SheetQuery = Req<'report.sheet'>
export type SheetKind = Sheet['kind']
export type SheetTable = Sheet['tables'][number]
export type SheetRow = SheetTable['rows'][number]
export type SheetCell = SheetRow['cells'][number]
export type Inspection = Res<'inspection.get'>
export type InspectionInput = Req<'inspection.create'>
export type InspectionKind = Inspection['kind']
export type Accountability = Res<'accountability.create'>
export type AccountabilityInput = Req<'accountability.create'>
export type AccountabilityCategory = Accountability['category']
export type Campaign = Res<'campaign.create'>
export type CampaignFigures = Res<'report.campaign'>
export type AreaFigures = CampaignFigures['areas'][number]
export type LeadFigures = CampaignFigures['leads'][number]
export type CampaignQuery = Req<'report.campaign'>
export type CampaignDrill = Req<'report.campaign_drill'>
export type CampaignFigure = CampaignDrill['figure']

// Exchange with the city (issue 11)
export type ExchangeStatus = Res<'exchange.status'>
export type ExchangeFile = Res<'exchange.export'>
export type FilePreview = Res<'exchange.preview'>
export type ImportOutcome = Res<'exchange.import'>
export type Peer = Res<'exchange.register'>
export type BundleRecord = Res<'exchange.history'>[number]
