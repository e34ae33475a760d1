//! The bottom layer: the shared vocabulary of the domain (GLOSSARY.md) and small helpers, used by
//! every module above it. Nothing here reads the database or knows a procedure; each enum is stored
//! and sent as its English identifier, accepts its Chinese labels on input, and has one Chinese
//! label for the user ([`Labeled`]).
//!
//! Dependency order of the crate (checked by `tests/all/layers.rs`):
//! error, money, ids, calendar, vocab → store → office → registry → cases → ledger → docs → api → serve.

pub mod dates;
pub mod labels;
pub mod text;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use labels::Labeled;

/// 处理路径: administrative (bureau) or agreement (agency) track (DOMAIN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Track {
    /// 行政执法 by the bureau (医保行政部门).
    #[serde(alias = "行政", alias = "行政执法", alias = "行政处理")]
    Administrative,
    /// 协议处理 by the agency (经办机构), 001 art. 18–23.
    #[serde(alias = "协议", alias = "协议管理", alias = "协议处理")]
    Agreement,
}

impl Track {
    pub fn label(self) -> &'static str {
        match self {
            Track::Administrative => "行政执法",
            Track::Agreement => "协议处理",
        }
    }
}

/// 当事人类别: an institution or an insured person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum PartyKind {
    #[serde(alias = "定点医药机构", alias = "机构")]
    Institution,
    #[serde(alias = "参保人员", alias = "参保人", alias = "个人")]
    Insured,
}

crate::labels!(PartyKind { Institution => "定点医药机构", Insured => "参保人员" });

/// 险种 (004 附件1; GLOSSARY `Fund`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum Fund {
    #[serde(alias = "职工基本医保", alias = "职工基本医疗保险", alias = "职工医保")]
    EmployeeBasic,
    #[serde(
        alias = "居民基本医保",
        alias = "城乡居民基本医疗保险",
        alias = "居民医保"
    )]
    ResidentBasic,
    #[serde(alias = "职工大额救助", alias = "职工大额医疗费用补助")]
    EmployeeLargeAmount,
    #[serde(alias = "职工大病保险")]
    EmployeeCriticalIllness,
    #[serde(alias = "居民大病保险")]
    ResidentCriticalIllness,
    #[serde(alias = "医疗救助")]
    MedicalAssistance,
    #[serde(alias = "公务员医疗补助")]
    CivilServantSubsidy,
    #[serde(alias = "生育保险")]
    Maternity,
    #[serde(alias = "长期护理", alias = "长期护理保险")]
    LongTermCare,
    #[serde(alias = "其他")]
    Other,
}

impl Fund {
    pub fn label(self) -> &'static str {
        match self {
            Fund::EmployeeBasic => "职工基本医保",
            Fund::ResidentBasic => "居民基本医保",
            Fund::EmployeeLargeAmount => "职工大额救助",
            Fund::EmployeeCriticalIllness => "职工大病保险",
            Fund::ResidentCriticalIllness => "居民大病保险",
            Fund::MedicalAssistance => "医疗救助",
            Fund::CivilServantSubsidy => "公务员医疗补助",
            Fund::Maternity => "生育保险",
            Fund::LongTermCare => "长期护理保险",
            Fund::Other => "其他",
        }
    }
}

/// 当年 / 历年: the fund year of the money (004 art. 8, 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum YearKind {
    #[serde(alias = "当年", alias = "当年基金")]
    CurrentYear,
    #[serde(alias = "历年", alias = "历年基金", alias = "跨年度")]
    PriorYears,
}

impl YearKind {
    pub fn label(self) -> &'static str {
        match self {
            YearKind::CurrentYear => "当年",
            YearKind::PriorYears => "历年",
        }
    }
}

/// 费用类别 of current-year money (004 art. 8, 附件1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum ExpenseCategory {
    #[serde(alias = "住院费", alias = "住院")]
    Inpatient,
    #[serde(alias = "门诊费", alias = "门诊")]
    Outpatient,
    #[serde(alias = "门特费", alias = "门特")]
    SpecialOutpatient,
    #[serde(alias = "生育津贴")]
    MaternityAllowance,
    #[serde(alias = "违约金")]
    LiquidatedDamages,
}

impl ExpenseCategory {
    pub fn label(self) -> &'static str {
        match self {
            ExpenseCategory::Inpatient => "住院费",
            ExpenseCategory::Outpatient => "门诊费",
            ExpenseCategory::SpecialOutpatient => "门特费",
            ExpenseCategory::MaternityAllowance => "生育津贴",
            ExpenseCategory::LiquidatedDamages => "违约金",
        }
    }
}

/// 追回基金来源: how the recovery was established (004 art. 5; 附件1 first row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum RecoverySource {
    #[serde(alias = "监督检查")]
    Inspection,
    #[serde(alias = "协议管理")]
    AgreementManagement,
    #[serde(alias = "审核结算")]
    SettlementReview,
    #[serde(alias = "举报")]
    Report,
    #[serde(alias = "移交")]
    Referral,
    #[serde(alias = "自查自纠")]
    SelfCorrection,
    #[serde(alias = "外部监督", alias = "审计监督")]
    ExternalAudit,
    #[serde(alias = "其他")]
    Other,
}

impl RecoverySource {
    pub fn label(self) -> &'static str {
        match self {
            RecoverySource::Inspection => "监督检查",
            RecoverySource::AgreementManagement => "协议管理",
            RecoverySource::SettlementReview => "审核结算",
            RecoverySource::Report => "举报",
            RecoverySource::Referral => "移交",
            RecoverySource::SelfCorrection => "自查自纠",
            RecoverySource::ExternalAudit => "外部监督",
            RecoverySource::Other => "其他",
        }
    }
}

/// 证据种类: the eight kinds of evidence (001 art. 37).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum EvidenceKind {
    #[serde(alias = "书证")]
    Documentary,
    #[serde(alias = "物证")]
    Physical,
    #[serde(alias = "视听资料")]
    AudioVisual,
    #[serde(alias = "电子数据")]
    Electronic,
    #[serde(alias = "证人证言")]
    Testimony,
    #[serde(alias = "当事人的陈述", alias = "当事人陈述")]
    PartyStatement,
    #[serde(alias = "鉴定意见")]
    ExpertOpinion,
    #[serde(alias = "勘验笔录、现场笔录", alias = "勘验笔录", alias = "现场笔录")]
    InspectionRecord,
}

impl EvidenceKind {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Documentary => "书证",
            EvidenceKind::Physical => "物证",
            EvidenceKind::AudioVisual => "视听资料",
            EvidenceKind::Electronic => "电子数据",
            EvidenceKind::Testimony => "证人证言",
            EvidenceKind::PartyStatement => "当事人的陈述",
            EvidenceKind::ExpertOpinion => "鉴定意见",
            EvidenceKind::InspectionRecord => "勘验笔录、现场笔录",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Clocks and documents

/// What a clock counts. Part B's kinds are declared here too so that the list has one vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ClockKind {
    /// 线索核查 (15 working days, +15 once).
    LeadCheck,
    /// 先行登记保存: decide within 7 working days (001 art. 36).
    EvidenceRegistration,
    /// 封存: 30 days, +30 with approval (001 art. 36).
    Sealing,
    /// 陈述申辩期 (001 art. 22): runs from service of the notice; ends when the party replies or waives.
    StatementWindow,
    /// 听证申请期 (行政处罚法 art. 64).
    HearingRequest,
    /// 法制审核 (001 art. 40).
    LegalReview,
    /// 作出决定 within 90 (+30) days of filing (行政处罚法 art. 60).
    Decision,
    /// 送达 within 7 working days (行政处罚法 art. 61).
    Service,
    /// 县级经办机构违约处理决定报市局备案, 3 working days (001 art. 24).
    CityReport,
    /// 退缴时限 on the notice (004 art. 8–9). Part B.
    Payment,
    /// 缴款凭证 within 3 working days of paying (004 art. 9). Part B.
    PaymentProof,
    /// 抵扣 until fully covered (004 art. 10). Part B.
    Offset,
    /// 罚款 within 15 days of service (行政处罚法 art. 67). Part B.
    Fine,
    /// 中止协议期满 (001 art. 19): the suspension ends and settlement may resume.
    AgreementSuspension,
    /// 限期整改期满: the 回头看 of the rectification (issue 9), until its result is recorded.
    Rectification,
    /// 申请人民法院强制执行: from the end of the 催告 and of the appeal periods to three months after
    /// them (行政强制法 art. 53–54), or two years after a judgment; judged live.
    CourtApplication,
    /// 月度统计表报送: the 3rd of the next month, rolled to a working day (002 二(五)); satisfied when
    /// the month is recorded as submitted (`reports::submission`).
    MonthlyReport,
}

impl ClockKind {
    pub fn label(self) -> &'static str {
        match self {
            ClockKind::LeadCheck => "线索核查",
            ClockKind::EvidenceRegistration => "先行登记保存处理",
            ClockKind::Sealing => "封存期限",
            ClockKind::StatementWindow => "陈述申辩期",
            ClockKind::HearingRequest => "听证申请期",
            ClockKind::LegalReview => "法制审核",
            ClockKind::Decision => "作出处理决定",
            ClockKind::Service => "文书送达",
            ClockKind::CityReport => "报市医保局备案",
            ClockKind::Payment => "退缴时限",
            ClockKind::PaymentProof => "缴款凭证送达",
            ClockKind::Offset => "抵扣",
            ClockKind::Fine => "罚款缴纳",
            ClockKind::AgreementSuspension => "中止协议期满",
            ClockKind::Rectification => "限期整改回头看",
            ClockKind::CourtApplication => "申请法院强制执行",
            ClockKind::MonthlyReport => "月度统计表报送",
        }
    }
}

/// 进行中 / 即将到期 / 已逾期.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ClockState {
    Running,
    /// Due within `within` working days (today included).
    DueSoon,
    Overdue,
}

crate::labels!(ClockState { Running => "进行中", DueSoon => "即将到期", Overdue => "已逾期" });

/// The kinds of document Recoup prints (GLOSSARY.md "Documents").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum DocumentKind {
    /// 责令退款通知书 (000 附件1).
    RefundOrder,
    /// 追回医保基金通知书 (000 附件2).
    RecoveryNotice,
    /// 医疗保障基金追回通知单 (000 附件3, 004 附件1).
    RecoverySlip,
    /// 行政处理决定书 (000 附件4).
    HandlingDecision,
    /// 行政处罚决定书 (000 附件4; 行政处罚法 art. 59).
    PenaltyDecision,
    /// 自查自纠退回明细单（定点医药机构） (004 附件2).
    SelfRefundInstitution,
    /// 自查自纠退回明细单（参保人员） (004 附件3).
    SelfRefundInsured,
    /// 抵扣通知书 (004 art. 10).
    OffsetNotice,
    /// 陈述申辩告知书 (001 art. 22).
    StatementNotice,
    /// 送达回证 (行政处罚法 art. 61; 民事诉讼法).
    ServiceReceipt,
    /// 协议处理决定书 (违约处理决定书; 001 art. 18–24; 令第2号/第3号 and the service agreement).
    AgreementDecision,
    /// 催告书 (行政强制法 art. 35, 54).
    DemandNotice,
    /// 先行登记保存通知书 with its list (行政处罚法 art. 56; 001 art. 35(五)).
    RegistrationNotice,
    /// 封存决定书 with its list (行政强制法 art. 24; 001 art. 36(二)).
    SealingDecision,
    /// 现场检查笔录 (001 art. 32).
    InspectionRecord,
    /// 延长封存期限通知书 (行政强制法 art. 25).
    SealingExtensionNotice,
}

crate::labels!(DocumentKind {
    RefundOrder => "责令退款通知书",
    RecoveryNotice => "追回医保基金通知书",
    RecoverySlip => "医疗保障基金追回通知单",
    HandlingDecision => "行政处理决定书",
    PenaltyDecision => "行政处罚决定书",
    SelfRefundInstitution => "自查自纠退回明细单（定点医药机构）",
    SelfRefundInsured => "自查自纠退回明细单（参保人员）",
    OffsetNotice => "抵扣通知书",
    StatementNotice => "陈述申辩告知书",
    ServiceReceipt => "送达回证",
    AgreementDecision => "协议处理决定书",
    DemandNotice => "催告书",
    RegistrationNotice => "先行登记保存通知书",
    SealingDecision => "封存决定书",
    InspectionRecord => "现场检查笔录",
    SealingExtensionNotice => "延长封存期限通知书",
});

crate::labeled_by!(
    Track => label,
    Fund => label,
    YearKind => label,
    ExpenseCategory => label,
    RecoverySource => label,
    EvidenceKind => label,
    ClockKind => label,
);
