//! The step vocabulary: the kinds of step, of served document, of service, of decision and of
//! statement, with their Chinese labels.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::vocab::DocumentKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum StepKind {
    /// 立案
    Filed,
    /// 告知 (陈述申辩告知书 issued)
    Notified,
    /// 收到陈述申辩
    StatementReceived,
    /// 当事人放弃陈述申辩
    StatementWaived,
    /// 当事人申请听证
    HearingRequested,
    /// 举行听证
    HearingHeld,
    /// 法制审核
    LegalReview,
    /// 提交法制审核 (starts the review clock, 10 working days by default)
    LegalReviewSubmitted,
    /// 集体讨论
    CollectiveReview,
    /// 延长办案期限
    DecisionExtended,
    /// 作出决定
    Decided,
    /// 报市医保局备案 (001 art. 24)
    ReportedToCity,
    /// 延长退款期限 (不可抗力等特殊情况, 004 art. 14 ¶2)
    PaymentExtended,
    /// 结案
    Closed,
    /// 撤销立案 / 不予处理
    Dropped,
}

crate::labeled_by!(StepKind => label, ServedDocumentKind => label);

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Filed => "立案",
            StepKind::Notified => "告知拟处理决定",
            StepKind::StatementReceived => "收到陈述申辩",
            StepKind::StatementWaived => "放弃陈述申辩",
            StepKind::HearingRequested => "申请听证",
            StepKind::HearingHeld => "举行听证",
            StepKind::LegalReview => "法制审核",
            StepKind::LegalReviewSubmitted => "提交法制审核",
            StepKind::CollectiveReview => "集体讨论",
            StepKind::DecisionExtended => "延长办案期限",
            StepKind::Decided => "作出处理决定",
            StepKind::ReportedToCity => "报市医保局备案",
            StepKind::PaymentExtended => "延长退款期限",
            StepKind::Closed => "结案",
            StepKind::Dropped => "撤销案件",
        }
    }
}

/// The documents served on the party (GLOSSARY "Documents").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ServedDocumentKind {
    /// 陈述申辩告知书 (001 art. 22) / 行政处罚事先告知书.
    #[serde(alias = "陈述申辩告知书", alias = "告知书")]
    StatementNotice,
    /// 听证通知书.
    #[serde(alias = "听证通知书")]
    HearingNotice,
    /// 行政处理决定书 (000 附件4).
    #[serde(alias = "行政处理决定书")]
    HandlingDecision,
    /// 行政处罚决定书 (000 附件4).
    #[serde(alias = "行政处罚决定书")]
    PenaltyDecision,
    /// 协议处理（违约处理）决定书 (001 art. 24).
    #[serde(alias = "协议处理决定书")]
    AgreementDecision,
    /// 责令退款通知书 (000 附件1).
    #[serde(alias = "责令退款通知书")]
    RefundOrder,
    /// 追回通知单 (000 附件3; 004 附件1).
    #[serde(alias = "追回通知单", alias = "医疗保障基金追回通知单")]
    RecoverySlip,
}

impl ServedDocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            ServedDocumentKind::StatementNotice => "陈述申辩告知书",
            ServedDocumentKind::HearingNotice => "听证通知书",
            ServedDocumentKind::HandlingDecision => "行政处理决定书",
            ServedDocumentKind::PenaltyDecision => "行政处罚决定书",
            ServedDocumentKind::AgreementDecision => "协议处理决定书",
            ServedDocumentKind::RefundOrder => "责令退款通知书",
            ServedDocumentKind::RecoverySlip => "医疗保障基金追回通知单",
        }
    }
}

/// 送达方式 (行政处罚法 art. 61; 民事诉讼法 art. 87–95).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ServiceMethod {
    #[serde(alias = "直接送达", alias = "当场交付")]
    Direct,
    #[serde(alias = "留置送达")]
    Left,
    #[serde(alias = "邮寄送达")]
    Mail,
    #[serde(alias = "电子送达")]
    Electronic,
    #[serde(alias = "委托送达")]
    Entrusted,
    /// 公告送达: served 30 days after publication.
    #[serde(alias = "公告送达")]
    PublicNotice,
}

crate::labels!(ServiceMethod {
    Direct => "直接送达",
    Left => "留置送达",
    Mail => "邮寄送达",
    Electronic => "电子送达",
    Entrusted => "委托送达",
    PublicNotice => "公告送达",
});

/// The kind of decision (000 附件4; 001 art. 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum DecisionKind {
    /// 行政处理决定 (责令退回, no penalty).
    #[serde(alias = "行政处理决定", alias = "行政处理")]
    HandlingDecision,
    /// 行政处罚决定 (fine, confiscation).
    #[serde(alias = "行政处罚决定", alias = "行政处罚")]
    PenaltyDecision,
    /// 协议处理决定 (the agency's breach decision).
    #[serde(alias = "协议处理决定", alias = "违约处理决定")]
    AgreementDecision,
}

crate::labels!(DecisionKind { HandlingDecision => "行政处理决定", PenaltyDecision => "行政处罚决定", AgreementDecision => "协议处理决定" });

impl ServedDocumentKind {
    pub const ALL: [ServedDocumentKind; 7] = [
        ServedDocumentKind::StatementNotice,
        ServedDocumentKind::HearingNotice,
        ServedDocumentKind::HandlingDecision,
        ServedDocumentKind::PenaltyDecision,
        ServedDocumentKind::AgreementDecision,
        ServedDocumentKind::RefundOrder,
        ServedDocumentKind::RecoverySlip,
    ];

    /// The document Recoup prints for it (none for the 听证通知书 and 协议处理决定书 yet).
    pub fn printed(self) -> Option<DocumentKind> {
        Some(match self {
            ServedDocumentKind::StatementNotice => DocumentKind::StatementNotice,
            ServedDocumentKind::HandlingDecision => DocumentKind::HandlingDecision,
            ServedDocumentKind::PenaltyDecision => DocumentKind::PenaltyDecision,
            ServedDocumentKind::RefundOrder => DocumentKind::RefundOrder,
            ServedDocumentKind::RecoverySlip => DocumentKind::RecoverySlip,
            // Issue 9: the agreement decision is printed too, with its own number sequence.
            ServedDocumentKind::AgreementDecision => DocumentKind::AgreementDecision,
            ServedDocumentKind::HearingNotice => return None,
        })
    }
}

impl DecisionKind {
    pub(super) fn document(self) -> ServedDocumentKind {
        match self {
            DecisionKind::HandlingDecision => ServedDocumentKind::HandlingDecision,
            DecisionKind::PenaltyDecision => ServedDocumentKind::PenaltyDecision,
            DecisionKind::AgreementDecision => ServedDocumentKind::AgreementDecision,
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum StatementKind {
    /// 陈述申辩 (written or oral; oral ones are put on record, 001 art. 22).
    #[serde(alias = "陈述申辩")]
    Statement,
    /// 明确放弃
    #[serde(alias = "放弃", alias = "放弃陈述申辩")]
    Waiver,
}

crate::labels!(StatementKind { Statement => "陈述申辩", Waiver => "放弃陈述申辩" });
