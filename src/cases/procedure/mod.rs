//! The procedure of a case, with its guards. Each step is a `procedure_step` row with who
//! (`actor_id`) and when (`on_date`); each refusal is an `ILLEGAL_STEP` (or a field error) in
//! Chinese and changes nothing.
//!
//! Order: filing → findings, evidence, money → notification (告知, three signatures) → service of
//! the notice → statement window (陈述申辩, 5 working days from service; 001 art. 22) and, where the
//! thresholds say so, a hearing (行政处罚法 art. 63–64) → legal review (001 art. 40; 行政处罚法
//! art. 58) → collective review (001 art. 21) → decision within 90 (+30) days of filing (行政处罚法
//! art. 60) → service of the decision (行政处罚法 art. 61) → execution → closure.
//!
//! One file per job, in the order of the procedure:
//! - `kinds`: the step vocabulary (kinds of step, served document, service, decision, statement);
//! - `types`: the requests of the commands and the records they return;
//! - `rows`: reading and writing steps, document service, the decision, the stored notification;
//! - `state`: the guard state (where the case stands, `Requirements`), the decision period
//!   (行政处罚法 art. 60) and the helpers every guard shares;
//! - `notify`: 告知 (001 art. 22; 行政处罚法 art. 44, 63);
//! - `service`: document numbers, further documents issued for service, 送达 (行政处罚法 art. 61;
//!   民事诉讼法 art. 95);
//! - `hearing`: 陈述申辩 (001 art. 22), the hearing request and the hearing (行政处罚法 art. 63–64);
//! - `review`: 法制审核 (001 art. 40; 行政处罚法 art. 58) and 集体讨论 (001 art. 21);
//! - `decide`: the extension of the decision period and the decision, one check per rule
//!   (行政处罚法 art. 58, 60, 63–64; 001 art. 21, 22, 40; 004 art. 8);
//! - `penalty`: what a decision may impose — fine, confiscation, measures — none heavier than
//!   notified (行政处罚法 art. 45; 001 art. 22; DOMAIN §3);
//! - `close`: the report to the city (001 art. 24), 结案 and 撤销案件;
//! - `windows`: the party's running windows and pending legal reviews, for `clock.list`;
//! - `detail`: the case page with its timeline and next steps.

mod close;
mod decide;
mod detail;
mod hearing;
mod kinds;
mod notify;
mod penalty;
mod review;
mod rows;
mod service;
mod state;
mod types;
mod windows;

pub use close::{close, drop_case, report_city};
pub use decide::{decide, extend_decision, extend_payment};
pub use detail::detail;
pub use hearing::{hearing, hearing_request, statement};
pub use kinds::{DecisionKind, ServedDocumentKind, ServiceMethod, StatementKind, StepKind};
pub use notify::notify;
pub use review::{collective_review, legal_review, submit_legal_review};
pub(crate) use rows::add_step;
pub use rows::{decision, services, steps};
pub use service::{issue, serve};
pub use state::{decision_deadline, EXCLUDED_DAYS_SQL};
pub use types::{
    CaseDetail, CollectiveReviewInput, DatedNote, Decision, DecisionInput, DocumentService,
    ExtensionInput, HearingInput, IssueInput, LegalReviewInput, Notification, NotifyInput,
    PaymentExtensionInput, Requirements, ServeInput, StatementInput, Step, TimelineEntry,
};
pub(crate) use windows::{open_windows, pending_reviews};
