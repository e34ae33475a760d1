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
pub mod clock_index;
pub mod clocks;
pub mod escalation;
pub mod hooks;
pub mod leads;
pub mod measures;
pub mod procedure;
pub mod profile;
pub mod rules;
pub mod users;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::money::Money;

pub use clocks::{Clock, ClockContext, ClockKind, ClockState};
pub use hooks::{ClosureCheck, Ctx, DocumentNumbers, Hooks};
pub use profile::RuleProfile;
pub use rules::{Rule, RulePreset, RuleSet};
// The shared vocabulary lives in `crate::vocab`; re-exported here for the modules above.
pub(crate) use crate::vocab::dates::{
    cn_date, date_text, opt_date, parse_stored_date, today_local,
};
pub(crate) use crate::vocab::text::{bounded_text, required_text};
pub use crate::vocab::{
    EvidenceKind, ExpenseCategory, Fund, PartyKind, RecoverySource, Track, YearKind,
};

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

/// Chinese labels of the request fields of this module, for `api::label_of`.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("applied_on", "申请日期"),
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("roles", "角色"),
    ("password", "密码"),
    ("active", "是否启用"),
    ("cert_no", "执法证号"),
    ("cert_expires", "执法证有效期"),
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
    ("filed_from", "立案日期起"),
    ("filed_to", "立案日期止"),
    ("amount_min", "应追回金额下限"),
    ("amount_max", "应追回金额上限"),
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
    ("new_due", "延长后的退款期限"),
    ("rectified", "是否已整改"),
    ("rectify_by", "整改期限"),
    ("note", "备注"),
    ("insured_region", "参保地"),
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
    cal: &Ctx,
    r: &CaseGet,
) -> Result<procedure::CaseDetail> {
    procedure::detail(conn, cal, r.id, r.today)
}

pub fn create_case(
    tx: &mut Tx<'_>,
    cal: &Ctx,
    r: &cases::CaseInput,
) -> Result<procedure::CaseDetail> {
    let c = cases::create(tx, cal, r)?;
    procedure::detail(tx, cal, c.id, None)
}

pub fn update_case(
    tx: &mut Tx<'_>,
    cal: &Ctx,
    r: &cases::CaseUpdate,
) -> Result<procedure::CaseDetail> {
    let c = cases::update(tx, cal, r)?;
    procedure::detail(tx, cal, c.id, None)
}
