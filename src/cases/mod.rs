//! The case lifecycle (part A of the lifecycle issue): users and sign-offs, the rule profile, leads,
//! cases on both tracks with findings, evidence and recovery lines, the procedure with its guards,
//! agreement measures, and the one list of running clocks.
//!
//! The shared vocabulary (GLOSSARY.md) lives here so that the money ledger (part B) and the
//! document builders import it from `crate::cases`: [`Fund`], [`YearKind`], [`ExpenseCategory`],
//! [`Track`], [`PartyKind`], [`RecoverySource`]. Each enum is stored and sent as its English
//! identifier and also accepts its Chinese labels on input (as `registry.rs` does).

#[allow(clippy::module_inception)]
pub mod cases;
pub mod clocks;
pub mod leads;
pub mod measures;
pub mod procedure;
pub mod profile;
pub mod users;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::money::Money;

pub use clocks::{Clock, ClockContext, ClockKind, ClockState};
pub use profile::RuleProfile;

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

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
// 5:5 split

/// Split an amount whose fund cannot be told between the employee and the resident basic funds
/// 5:5 (004 art. 8). The halves add up to the total exactly; when the total has an odd number of
/// 分, the **employee** half takes the odd cent (004 art. 8 names the employee fund first:
/// "按照职工和居民医保基金5：5的比例"). Returns (employee, resident).
pub fn split_half(total: Money) -> (Money, Money) {
    let fen = total.fen();
    let resident = fen.div_euclid(2);
    let employee = fen - resident;
    (Money::from_fen(employee), Money::from_fen(resident))
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the submodules

pub(crate) fn today_local() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_stored_date(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn opt_date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.map(|s| parse_stored_date(&s)).transpose()
}

/// Chinese date for messages: 2026年9月30日.
pub(crate) fn cn_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Trimmed, non-empty, bounded text.
pub(crate) fn required_text(v: &str, field: &str, label: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(ApiError::field(field, format!("{label}不能为空")));
    }
    bounded_text(v, field, label, max)
}

pub(crate) fn bounded_text(v: &str, field: &str, label: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.chars().count() > max {
        return Err(ApiError::field(
            field,
            format!("{label}过长（最多{max}个字）"),
        ));
    }
    Ok(v.to_string())
}

/// Chinese labels of the request fields of this module, for `api::label_of`.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("roles", "角色"),
    ("password", "密码"),
    ("active", "是否启用"),
    ("source", "来源"),
    ("received_on", "收到日期"),
    ("summary", "摘要"),
    ("reporter", "举报人或移交单位"),
    ("institution_id", "定点医药机构"),
    ("insured_id", "参保人员"),
    ("handler_id", "承办人"),
    ("co_handler_id", "协办人"),
    ("reviewer_id", "复核人"),
    ("approver_id", "审批人"),
    ("lead_id", "线索"),
    ("case_id", "案件"),
    ("track", "处理路径"),
    ("party_kind", "当事人类别"),
    ("filed_on", "立案日期"),
    ("fund", "险种"),
    ("year_kind", "基金类型（当年/历年）"),
    ("category", "费用类别"),
    ("amount_due", "应退回金额"),
    ("description", "描述"),
    ("period_from", "违规期间起"),
    ("period_to", "违规期间止"),
    ("rule_broken", "违反的规定"),
    ("kind", "类别"),
    ("collected_on", "取证日期"),
    ("issued_on", "发出日期"),
    ("served_on", "送达日期"),
    ("method", "送达方式"),
    ("decided_on", "决定日期"),
    ("payment_due", "缴费时限"),
    ("fine", "罚款金额"),
    ("fine_multiple", "罚款倍数"),
    ("fine_basis", "罚款依据"),
    ("today", "今天"),
    ("within", "提醒天数"),
    ("outcome", "处理结果"),
    ("on", "日期"),
    ("signoff", "签批人员"),
    ("measures", "协议处理措施"),
    ("document_number", "文号"),
    ("months", "月数"),
    ("published_on", "公告发布日期"),
    ("recipient", "受送达人"),
    ("receipt", "送达凭证"),
    ("reason", "理由"),
    ("note", "备注"),
    ("opinion", "审核意见"),
    ("passed", "审核结论"),
    ("participants", "参加人员"),
    ("chair_id", "主持人"),
    ("host_id", "听证主持人"),
    ("held_on", "听证日期"),
    ("items", "物品或资料清单"),
    ("started_on", "开始日期"),
    ("agreed", "讨论结果"),
    ("conclusion", "讨论结论"),
    ("minutes_ref", "讨论记录编号"),
    ("proposed_fine", "拟罚款金额"),
    ("proposed_measures", "拟采取的协议处理措施"),
    ("confiscation", "没收违法所得"),
    ("late_reason", "超期原因"),
    ("referred_to", "移送单位"),
    ("hearing_requested", "是否申请听证"),
    ("finding_id", "违规事实"),
    ("collected_by", "取证人员"),
    ("service_id", "送达记录"),
    ("document", "文书种类"),
    ("actor_id", "经办人"),
    ("open_only", "只看未办结"),
    ("include_inactive", "包括已停用"),
    ("state", "状态"),
    ("status", "状态"),
];

// ---------------------------------------------------------------------------------------------
// Entry points used by the command table (src/api.rs), so that its handlers stay one-liners.

use crate::calendar::WorkCalendar;
use crate::store::Tx;

/// `case.get`: the detail, with clocks judged on `today` (default: the local date).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CaseGet {
    pub id: i64,
    #[ts(optional = nullable)]
    pub today: Option<NaiveDate>,
}

pub fn get_case(
    conn: &rusqlite::Connection,
    cal: &WorkCalendar,
    r: &CaseGet,
) -> Result<procedure::CaseDetail> {
    procedure::detail(conn, cal, r.id, r.today)
}

pub fn create_case(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    r: &cases::CaseInput,
) -> Result<procedure::CaseDetail> {
    let c = cases::create(tx, cal, r)?;
    procedure::detail(tx, cal, c.id, None)
}

pub fn update_case(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    r: &cases::CaseUpdate,
) -> Result<procedure::CaseDetail> {
    let c = cases::update(tx, cal, r)?;
    procedure::detail(tx, cal, c.id, None)
}
