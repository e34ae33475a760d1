// PLACEHOLDER until the lead's generator lands: `cargo run -q -p recoup -- gen-ts` overwrites this
// file with the types generated from the Rust core. Do not edit by hand; do not import from elsewhere.

export type ErrorCode = "VALIDATION" | "NOT_FOUND" | "CONFLICT" | "ILLEGAL_STEP" | "NOT_INITIALIZED" | "SCHEMA_TOO_NEW" | "UNKNOWN_COMMAND" | "STORAGE" | "INTERNAL";

export type ApiError = { code: ErrorCode, message: string, field?: string, };

export type OfficeLevel = "county" | "city" | "province";

export type Office = { code: string, name: string, level: OfficeLevel, created_at: string, };

export type OfficeGetRequest = Record<string, never>;

export type OfficeInitRequest = { code: string, name: string, level: OfficeLevel, };

export type InstitutionKind = "MedicalInstitution" | "RetailPharmacy";

export type AgreementStatus = "Active" | "Suspended" | "Terminated" | "None";

export type InstitutionInput = { code: string, name: string, kind: InstitutionKind, credit_code: string, address: string, legal_rep: string, contact: string, agreement_status: AgreementStatus, };

export type Institution = { id: number, uid: string, code: string, name: string, kind: InstitutionKind, credit_code: string, address: string, legal_rep: string, contact: string, agreement_status: AgreementStatus, updated_at: string, };

export type InstitutionListRequest = { query?: string, kind?: InstitutionKind, offset?: number, limit?: number, };

export type InstitutionPage = { items: Array<Institution>, total: number, };

export type IdRequest = { id: number, };

export type InstitutionUpdateRequest = { id: number, code: string, name: string, kind: InstitutionKind, credit_code: string, address: string, legal_rep: string, contact: string, agreement_status: AgreementStatus, };

export type ImportRequest = { file_name: string, content_base64: string, };

export type ImportRowError = { row: number, field?: string, message: string, };

export type ImportReport = { total_rows: number, created: number, updated: number, unchanged: number, errors: Array<ImportRowError>, };

export interface Commands {
  "office.get": { request: OfficeGetRequest; response: Office | null };
  "office.init": { request: OfficeInitRequest; response: Office };
  "institution.list": { request: InstitutionListRequest; response: InstitutionPage };
  "institution.get": { request: IdRequest; response: Institution };
  "institution.create": { request: InstitutionInput; response: Institution };
  "institution.update": { request: InstitutionUpdateRequest; response: Institution };
  "institution.import": { request: ImportRequest; response: ImportReport };
}
