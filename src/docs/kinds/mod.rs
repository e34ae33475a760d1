//! The document kinds, one file each: the kind's data struct, its builder (data → layout blocks),
//! its default wording and template fields, and how it is filled from the database. Every kind
//! implements [`Kind`]; the list at the end of this file (`kinds!`) makes the [`Document`] enum,
//! its dispatch and the per-kind tables (`DocumentKind::ALL`, `title`, `fields`, the default
//! wording, the 机关代字 tag) from that one list.
//!
//! A new kind: its variant and label in `vocab::DocumentKind`, one file here implementing [`Kind`],
//! its `mod` line, the `pub use` of its data in [`data`] and one line in the list (ARCHITECTURE.md,
//! "A new document kind").

mod common;
pub mod decision;
pub mod demand_notice;
pub mod hold_notice;
pub mod inspection_record;
pub mod offset_notice;
pub mod recovery_notice;
pub mod recovery_slip;
pub mod refund_order;
pub mod self_refund;
pub mod service_receipt;
pub mod statement_notice;

use serde::{Deserialize, Serialize};

use super::documents::Built;
use super::sources::{CaseFacts, SelfCorrectionFacts, Source};
use super::templates::{DocumentKind, Templates};
use crate::error::{ApiError, Result};

/// The kinds' data structs and their parts (one `pub use` per kind file), re-exported by
/// documents.rs as `docs::*`.
pub mod data {
    pub use super::decision::DecisionData;
    pub use super::demand_notice::DemandNoticeData;
    pub use super::hold_notice::{HoldNoticeData, SealingExtensionData};
    pub use super::inspection_record::{InspectionRecordData, Inspector};
    pub use super::offset_notice::OffsetNoticeData;
    pub use super::recovery_notice::RecoveryNoticeData;
    pub use super::recovery_slip::{
        PaymentMethod, RecoverySlipData, SignOff, SlipFund, EXPENSE_CATEGORIES, SLIP_FUNDS,
    };
    pub use super::refund_order::RefundOrderData;
    pub use super::self_refund::{
        digit_boxes, Agent, InsuredPayment, SelfCorrectionKind, SelfRefundInstitutionData,
        SelfRefundInsuredData, SelfRefundSection,
    };
    pub use super::service_receipt::{ServedDocument, ServiceReceiptData};
    pub use super::statement_notice::StatementNoticeData;
}
use data::*;

/// One document kind: what it prints and where its data comes from.
pub trait Kind {
    const KIND: DocumentKind;
    /// The Chinese name of the document (PDF title, messages).
    const TITLE: &'static str;
    /// The tag of the default 机关代字 after 某某医保 (e.g. 责退 → 某某医保责退).
    const PREFIX_TAG: &'static str;
    /// The fields a template of this kind may use, with their Chinese description (for the
    /// template editor).
    const FIELDS: &'static [(&'static str, &'static str)];
    /// The default wording (templates.rs): one line = one paragraph; `?field|` lines print only
    /// when the field is not empty; `#marker` lines are where the builder inserts lists and tables.
    const TEMPLATE: &'static str;

    /// The plain, serde-serializable input (stored as the issued document's snapshot).
    type Data;

    /// Check the data and turn it into layout blocks.
    fn build(d: &Self::Data, t: &Templates) -> Result<Built, ApiError>;

    /// Fill the data from a case, refusing (ILLEGAL_STEP, with the seed's reason) before the
    /// kind's stage. Kinds that are not issued from a case keep the default.
    fn from_case(_src: &Source<'_>, _case: CaseFacts) -> Result<Self::Data> {
        Err(ApiError::field(
            "kind",
            format!("暂不支持从案件开具{}", Self::TITLE),
        ))
    }

    /// Fill the data from a self-correction record (自查自纠). Kinds that are not printed from
    /// one keep the default: the record's form is the other one.
    fn from_self_correction(_src: &Source<'_>, sc: SelfCorrectionFacts) -> Result<Self::Data> {
        Err(self_refund::other_form(sc.party_kind()))
    }
}

/// The list of kinds → the [`Document`] enum (its serde names are the variants: `{"kind":
/// "RefundOrder", "data": …}`), `Document::kind`, [`build`], `DocumentKind::ALL` (in list order,
/// which is `vocab::DocumentKind`'s), `DocumentKind::title|fields` and the per-kind lookups.
macro_rules! kinds {
    ($($module:ident::$kind:ident($data:ty),)*) => {
        /// Any printable document.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "data")]
        pub enum Document {
            $($kind($data),)*
        }

        // Each kind's file implements its own variant.
        $(const _: () = assert!(matches!(<$module::$kind as Kind>::KIND, DocumentKind::$kind));)*

        impl Document {
            pub fn kind(&self) -> DocumentKind {
                match self {
                    $(Document::$kind(_) => DocumentKind::$kind,)*
                }
            }
        }

        /// Check a document's data and lay it out as blocks.
        pub fn build(doc: &Document, templates: &Templates) -> Result<Built, ApiError> {
            match doc {
                $(Document::$kind(d) => <$module::$kind as Kind>::build(d, templates),)*
            }
        }

        const COUNT: usize = [$(stringify!($kind),)*].len();

        impl DocumentKind {
            pub const ALL: [DocumentKind; COUNT] = [$(DocumentKind::$kind,)*];

            /// The Chinese name of the document.
            pub fn title(self) -> &'static str {
                match self {
                    $(DocumentKind::$kind => <$module::$kind as Kind>::TITLE,)*
                }
            }

            /// The fields a template of this kind may use, with their Chinese description (for
            /// the template editor).
            pub fn fields(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(DocumentKind::$kind => <$module::$kind as Kind>::FIELDS,)*
                }
            }
        }

        pub(crate) fn default_template(kind: DocumentKind) -> &'static str {
            match kind {
                $(DocumentKind::$kind => <$module::$kind as Kind>::TEMPLATE,)*
            }
        }

        pub(crate) fn prefix_tag(kind: DocumentKind) -> &'static str {
            match kind {
                $(DocumentKind::$kind => <$module::$kind as Kind>::PREFIX_TAG,)*
            }
        }

        pub(crate) fn from_case(
            kind: DocumentKind,
            src: &Source<'_>,
            case: CaseFacts,
        ) -> Result<Document> {
            match kind {
                $(DocumentKind::$kind => {
                    <$module::$kind as Kind>::from_case(src, case).map(Document::$kind)
                })*
            }
        }

        pub(crate) fn from_self_correction(
            kind: DocumentKind,
            src: &Source<'_>,
            sc: SelfCorrectionFacts,
        ) -> Result<Document> {
            match kind {
                $(DocumentKind::$kind => {
                    <$module::$kind as Kind>::from_self_correction(src, sc).map(Document::$kind)
                })*
            }
        }
    };
}

// The list: `file::Kind(Data)`, in `vocab::DocumentKind` order.
kinds! {
    refund_order::RefundOrder(RefundOrderData),
    recovery_notice::RecoveryNotice(RecoveryNoticeData),
    recovery_slip::RecoverySlip(RecoverySlipData),
    decision::HandlingDecision(DecisionData),
    decision::PenaltyDecision(DecisionData),
    self_refund::SelfRefundInstitution(SelfRefundInstitutionData),
    self_refund::SelfRefundInsured(SelfRefundInsuredData),
    offset_notice::OffsetNotice(OffsetNoticeData),
    statement_notice::StatementNotice(StatementNoticeData),
    service_receipt::ServiceReceipt(ServiceReceiptData),
    decision::AgreementDecision(DecisionData),
    demand_notice::DemandNotice(DemandNoticeData),
    hold_notice::RegistrationNotice(HoldNoticeData),
    hold_notice::SealingDecision(HoldNoticeData),
    inspection_record::InspectionRecord(InspectionRecordData),
    hold_notice::SealingExtensionNotice(SealingExtensionData),
}

impl Document {
    /// A short title for the PDF metadata and the batch outline.
    pub fn title(&self) -> String {
        self.kind().title().to_string()
    }
}
