//! Cases on both tracks against an institution or an insured person: filing (立案), the list with
//! filters/search/paging, the detail with timeline, findings, evidence of the eight kinds, evidence
//! holds (先行登记保存, 封存), and recovery lines per fund × current/prior year × expense category.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::hooks::Ctx;
use super::leads::{self, check_party, next_number, LeadStatus};
use super::rules::Rule;
use super::users::{self, Role};
use super::{
    bounded_text, cn_date, date_text, opt_date, parse_stored_date, required_text, EvidenceKind,
    ExpenseCategory, Fund, PartyKind, RecoverySource, Track, YearKind,
};
use crate::calendar::WorkCalendar;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::query::Page;
use crate::store::query::{page_bounds, Filter};
use crate::store::{now_text, office_code, search, Tx};
use crate::vocab::text::{enum_from, enum_text};

/// 案件状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum CaseStatus {
    /// 调查中: filed, findings and evidence being gathered.
    Investigating,
    /// 已告知: the notice of intended action is issued; statement, hearing, reviews.
    Notified,
    /// 已决定: decision made, its document not yet served.
    Decided,
    /// 执行中: decision served; money and measures being carried out.
    Executing,
    /// 已结案
    Closed,
    /// 已撤销 (撤销立案 / 不予处理)
    Dropped,
}

crate::labeled_by!(CaseStatus => label);

impl CaseStatus {
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Investigating => "调查中",
            CaseStatus::Notified => "已告知",
            CaseStatus::Decided => "已决定",
            CaseStatus::Executing => "执行中",
            CaseStatus::Closed => "已结案",
            CaseStatus::Dropped => "已撤销",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Case {
    pub id: i64,
    pub uid: String,
    pub case_number: String,
    pub track: Track,
    pub party_kind: PartyKind,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    /// 机构名称 / 参保人姓名.
    pub party: String,
    pub source: RecoverySource,
    #[ts(optional = nullable)]
    pub lead_id: Option<i64>,
    pub summary: String,
    pub handler_id: i64,
    pub handler: String,
    #[ts(optional = nullable)]
    pub co_handler_id: Option<i64>,
    pub co_handler: String,
    pub status: CaseStatus,
    pub filed_on: NaiveDate,
    /// 作出决定的期限 (行政处罚法 art. 60), with the extension once approved.
    pub decision_due: NaiveDate,
    pub decision_extended: bool,
    /// 一年内再次违法 (001 art. 42): set at filing when a decision against the same party is less
    /// than a year old; editable.
    pub repeat_offence: bool,
    /// 主动退回 / 及时整改 (001 art. 41, 两轻一免).
    pub voluntary_return: bool,
    /// 应追回金额 (all lines except 违约金).
    pub recovery_total: Money,
    /// 违约金 lines.
    pub liquidated_damages: Money,
    #[ts(optional = nullable)]
    pub closed_on: Option<NaiveDate>,
    /// The 专项整治 key area the matter is counted under (`campaign.tag`, reports).
    #[ts(optional = nullable)]
    pub campaign_area_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CaseInput {
    #[ts(optional = nullable)]
    pub track: Option<Track>,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    /// Defaults to the lead's source when opened from a lead.
    #[ts(optional = nullable)]
    pub source: Option<RecoverySource>,
    #[ts(optional = nullable)]
    pub lead_id: Option<i64>,
    pub summary: String,
    pub handler_id: i64,
    /// The second officer (001 art. 32: at least two officers).
    #[ts(optional = nullable)]
    pub co_handler_id: Option<i64>,
    #[ts(optional = nullable)]
    pub filed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CaseUpdate {
    pub id: i64,
    #[ts(optional = nullable)]
    pub summary: Option<String>,
    #[ts(optional = nullable)]
    pub co_handler_id: Option<i64>,
    #[ts(optional = nullable)]
    pub repeat_offence: Option<bool>,
    #[ts(optional = nullable)]
    pub voluntary_return: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CaseQuery {
    /// Substring of the case number, summary, party name or institution code, of a document
    /// number of the matter, or of a finding (the search index, `store/search.rs`).
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub status: Option<CaseStatus>,
    /// Only open matters (not closed or dropped).
    #[ts(optional = nullable)]
    pub open_only: Option<bool>,
    #[ts(optional = nullable)]
    pub track: Option<Track>,
    #[ts(optional = nullable)]
    pub party_kind: Option<PartyKind>,
    #[ts(optional = nullable)]
    pub handler_id: Option<i64>,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    /// 案件来源 (004 art. 5).
    #[ts(optional = nullable)]
    pub source: Option<RecoverySource>,
    /// 立案日期 from (inclusive).
    #[ts(optional = nullable)]
    pub filed_from: Option<NaiveDate>,
    /// 立案日期 to (inclusive).
    #[ts(optional = nullable)]
    pub filed_to: Option<NaiveDate>,
    /// Only matters with a recovery line of this fund (基金类别).
    #[ts(optional = nullable)]
    pub fund: Option<Fund>,
    /// 应追回金额 (the recovery lines other than 违约金) at least this.
    #[ts(optional = nullable)]
    pub amount_min: Option<Money>,
    /// 应追回金额 at most this.
    #[ts(optional = nullable)]
    pub amount_max: Option<Money>,
    /// Only matters with a clock past its due date (as on the 工作台, judged today).
    #[ts(optional = nullable)]
    pub overdue_only: Option<bool>,
    /// Oldest filed first (default: newest first). Both orders walk the list index.
    #[ts(optional = nullable)]
    pub oldest_first: Option<bool>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub id: i64,
    pub case_id: i64,
    pub description: String,
    #[ts(optional = nullable)]
    pub period_from: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub period_to: Option<NaiveDate>,
    /// The rule broken, e.g. "《医疗保障基金使用监督管理条例》第三十八条第（一）项".
    pub rule_broken: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FindingInput {
    pub case_id: i64,
    pub description: String,
    #[ts(optional = nullable)]
    pub period_from: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub period_to: Option<NaiveDate>,
    pub rule_broken: String,
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FindingUpdate {
    pub id: i64,
    #[serde(flatten)]
    pub input: FindingInput,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Evidence {
    pub id: i64,
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub finding_id: Option<i64>,
    pub kind: EvidenceKind,
    pub description: String,
    pub collected_on: NaiveDate,
    #[ts(optional = nullable)]
    pub collected_by: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct EvidenceInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub finding_id: Option<i64>,
    #[ts(optional = nullable)]
    pub kind: Option<EvidenceKind>,
    pub description: String,
    #[ts(optional = nullable)]
    pub collected_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub collected_by: Option<i64>,
}

/// 先行登记保存 or 封存 (001 art. 35–36).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum HoldKind {
    #[serde(alias = "先行登记保存")]
    Registration,
    #[serde(alias = "封存")]
    Sealing,
}

crate::labels!(HoldKind { Registration => "先行登记保存", Sealing => "封存" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EvidenceHold {
    pub id: i64,
    pub case_id: i64,
    pub kind: HoldKind,
    pub items: String,
    pub started_on: NaiveDate,
    pub approver_id: i64,
    /// Decide by (登记保存) / release by (封存).
    pub due_on: NaiveDate,
    pub extended: bool,
    /// When extended (行政强制法 art. 25): the day it was decided, its reason, and the day the hold
    /// would have ended without it. None / empty for a hold not extended, or extended before the
    /// day and reason were kept.
    #[ts(optional = nullable)]
    pub extended_on: Option<NaiveDate>,
    pub extension_reason: String,
    #[ts(optional = nullable)]
    pub due_before_extension: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub released_on: Option<NaiveDate>,
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HoldInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub kind: Option<HoldKind>,
    pub items: String,
    #[ts(optional = nullable)]
    pub started_on: Option<NaiveDate>,
    /// 行政机关负责人 who approved (001 art. 36).
    pub approver_id: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HoldExtension {
    pub id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    pub approver_id: i64,
    /// Why the case is complex enough to keep the hold (行政强制法 art. 25: 说明理由); printed on the
    /// 延长封存期限通知书.
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HoldRelease {
    pub id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    /// The decision on the items (返还, 解除封存, 转为证据…).
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RecoveryLine {
    pub id: i64,
    pub case_id: i64,
    pub fund: Fund,
    pub year_kind: YearKind,
    /// Only for current-year money (004 附件1: 历年 is not split by category).
    #[ts(optional = nullable)]
    pub category: Option<ExpenseCategory>,
    pub amount_due: Money,
    /// The two halves of one 5:5 split (004 art. 8) share this number.
    #[ts(optional = nullable)]
    pub split_group: Option<i64>,
    pub note: String,
    /// 参保地 of insured persons of another province treated here (跨省异地就医): the money returns
    /// to that account and reduces the cross-province settlement. None for local money.
    #[ts(optional = nullable)]
    pub insured_region: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RecoveryLineInput {
    pub case_id: i64,
    /// 险种; leave empty when it cannot be told: the amount is split 5:5 between the employee and
    /// resident basic funds (004 art. 8).
    #[ts(optional = nullable)]
    pub fund: Option<Fund>,
    #[ts(optional = nullable)]
    pub year_kind: Option<YearKind>,
    #[ts(optional = nullable)]
    pub category: Option<ExpenseCategory>,
    #[ts(optional = nullable)]
    pub amount_due: Option<Money>,
    pub note: String,
    /// 参保地 when the money is of insured persons of another province (跨省异地就医); empty for
    /// local money.
    pub insured_region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseIdRequest {
    pub case_id: i64,
}

// ---------------------------------------------------------------------------------------------
// Reading

/// The case columns, read from `cases` (`case_file c`, or the list's index, see [`LIST_FROM`]).
fn select(cases: &str) -> String {
    format!(
        "SELECT c.*, COALESCE(i.name, p.name, '') AS party,
        COALESCE(u.display_name, '') AS handler, COALESCE(v.display_name, '') AS co_handler,
        (SELECT COALESCE(SUM(amount_due_fen), 0) FROM recovery_line r WHERE r.case_id = c.id
            AND COALESCE(r.category, '') <> 'LiquidatedDamages') AS recovery_total,
        (SELECT COALESCE(SUM(amount_due_fen), 0) FROM recovery_line r WHERE r.case_id = c.id
            AND r.category = 'LiquidatedDamages') AS liquidated_damages,
        {excluded} AS excluded_days
    FROM {cases} LEFT JOIN institution i ON i.id = c.institution_id
    LEFT JOIN insured p ON p.id = c.insured_id
    LEFT JOIN app_user u ON u.id = c.handler_id LEFT JOIN app_user v ON v.id = c.co_handler_id",
        excluded = super::procedure::EXCLUDED_DAYS_SQL
    )
}

/// A page of the list walks the list index (migration 0008: filed_on DESC, id DESC and every
/// filter column) in order and stops at its LIMIT. Forced, because on a filter such as status =
/// 'Closed' (most of a ten-year history) the planner would otherwise read the status index and sort
/// tens of thousands of rows; the worst case of the forced plan is one index-only walk (half the
/// index at most, see `Filter::page_from_nearer_end`).
const LIST_FROM: &str = "case_file c INDEXED BY case_file_list";

/// Counting walks the same index, which holds every filter column: no table row is read.
const FROM_FOR_COUNT: &str = "FROM case_file c INDEXED BY case_file_list";

struct RawCase {
    case: Case,
    decision_days: u32,
    extension_days: u32,
    excluded_days: u32,
}

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawCase> {
    let ext: u32 = r.get("decision_extension_days")?;
    Ok(RawCase {
        case: Case {
            id: r.get("id")?,
            uid: r.get("uid")?,
            case_number: r.get("case_number")?,
            track: enum_from(r.get("track")?),
            party_kind: enum_from(r.get("party_kind")?),
            institution_id: r.get("institution_id")?,
            insured_id: r.get("insured_id")?,
            party: r.get("party")?,
            source: enum_from(r.get("source")?),
            lead_id: r.get("lead_id")?,
            summary: r.get("summary")?,
            handler_id: r.get("handler_id")?,
            handler: r.get("handler")?,
            co_handler_id: r.get("co_handler_id")?,
            co_handler: r.get("co_handler")?,
            status: enum_from(r.get("status")?),
            filed_on: parse_stored_date(&r.get::<_, String>("filed_on")?)?,
            decision_due: NaiveDate::MIN,
            decision_extended: ext > 0,
            repeat_offence: r.get("repeat_offence")?,
            voluntary_return: r.get("voluntary_return")?,
            recovery_total: r.get("recovery_total")?,
            liquidated_damages: r.get("liquidated_damages")?,
            closed_on: opt_date(r.get("closed_on")?)?,
            campaign_area_id: r.get("campaign_area_id")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        },
        decision_days: r.get("decision_days")?,
        extension_days: ext,
        excluded_days: r.get("excluded_days")?,
    })
}

fn finish(cal: &WorkCalendar, raw: RawCase) -> Result<Case> {
    let mut c = raw.case;
    c.decision_due = super::procedure::decision_deadline(
        cal,
        c.filed_on,
        raw.decision_days,
        raw.extension_days,
        raw.excluded_days,
    )?
    .date;
    Ok(c)
}

pub fn get(conn: &Connection, cal: &WorkCalendar, id: i64) -> Result<Case> {
    let raw = conn
        .query_row(
            &format!("{} WHERE c.id = ?1", select("case_file c")),
            [id],
            case_row,
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("案件"))?;
    finish(cal, raw)
}

pub fn list(conn: &Connection, cx: &Ctx<'_>, q: &CaseQuery) -> Result<Page<Case>> {
    let cal: &WorkCalendar = cx;
    if let (Some(from), Some(to)) = (q.filed_from, q.filed_to) {
        if from > to {
            return Err(ApiError::field(
                "filed_from",
                "立案日期的起始日期晚于截止日期",
            ));
        }
    }
    if let (Some(min), Some(max)) = (q.amount_min, q.amount_max) {
        if min > max {
            return Err(ApiError::field("amount_min", "应追回金额的下限大于上限"));
        }
    }
    for (field, amount) in [("amount_min", q.amount_min), ("amount_max", q.amount_max)] {
        if amount.is_some_and(Money::is_negative) {
            return Err(ApiError::field(field, "金额不能为负数"));
        }
    }
    // Overdue is judged from the clocks (not a stored column): the ids of the open matters with a
    // clock past due, read by the same sources as the 工作台 (work proportional to open matters).
    let overdue: Option<String> = if q.overdue_only.unwrap_or(false) {
        let ids = super::clocks::overdue_case_ids(conn, cal, cx.hooks.clock_sources())?;
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        Some(format!("[{}]", ids.join(",")))
    } else {
        None
    };
    let mut f = Filter::default();
    // The search text as a substring of the number, summary, party name or institution code, read
    // from the bigram index (store/search.rs); text without a letter, digit or CJK character (say
    // "〔") is looked for in the number the slow way.
    let search_text = crate::vocab::text::search_text(q.query.as_deref())?;
    let search_expr = search_text.and_then(search::match_expr);
    match search_text {
        Some(text) => match search_expr.clone() {
            Some(expr) => f.param(expr, |n| {
                format!("c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?{n})")
            }),
            None => f.search(Some(text), &["c.case_number"]),
        },
        None => &mut f,
    }
    .eq_enum("c.status", q.status)
    .eq_enum("c.track", q.track)
    .eq_enum("c.party_kind", q.party_kind)
    .eq("c.handler_id", q.handler_id)
    .eq("c.institution_id", q.institution_id)
    .eq("c.insured_id", q.insured_id)
    .eq_enum("c.source", q.source)
    .cmp("c.filed_on", ">=", q.filed_from.map(|d| d.to_string()))
    .cmp("c.filed_on", "<=", q.filed_to.map(|d| d.to_string()))
    .when(
        q.open_only.unwrap_or(false),
        "c.status NOT IN ('Closed', 'Dropped')",
    );
    // 险种 and 应追回金额 (lines other than 违约金, as in [`select`]): the case's row of
    // `case_amount` (0020, kept by triggers), checked for each case a page walks; a filter of these
    // alone is counted from that table's index.
    let mut money = Vec::new();
    if let Some(min) = q.amount_min.map(Money::fen) {
        money.push(format!("a.recovery_fen >= {min}"));
    }
    if let Some(max) = q.amount_max.map(Money::fen) {
        money.push(format!("a.recovery_fen <= {max}"));
    }
    if let Some(fund) = q.fund {
        money.push(format!("a.funds & {} <> 0", fund_bit(fund)));
    }
    let money = (!money.is_empty()).then(|| money.join(" AND "));
    if let Some(m) = &money {
        f.when(
            true,
            &format!("EXISTS (SELECT 1 FROM case_amount a WHERE a.case_id = c.id AND {m})"),
        );
    }
    if let Some(ids) = overdue {
        f.param(ids, |n| {
            format!("c.id IN (SELECT value FROM json_each(?{n}))")
        });
    }
    let total = match search_expr {
        // A search alone is counted in the search index.
        Some(expr) if f.len() == 1 => conn.query_row(
            "SELECT COUNT(*) FROM case_search WHERE case_search MATCH ?1",
            [expr],
            |r| r.get(0),
        )?,
        // The money filters alone are counted in case_amount (one row per case).
        None if f.len() == 1 && money.is_some() => conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM case_amount a WHERE {}",
                money.as_deref().unwrap_or("1")
            ),
            [],
            |r| r.get(0),
        )?,
        _ => f.count(conn, FROM_FOR_COUNT)?,
    };
    let (newest, oldest) = ("c.filed_on DESC, c.id DESC", "c.filed_on, c.id");
    let rows = f.page_from_nearer_end(
        conn,
        &select(LIST_FROM),
        if q.oldest_first.unwrap_or(false) {
            (oldest, newest)
        } else {
            (newest, oldest)
        },
        page_bounds(q.offset, q.limit),
        total,
        case_row,
    )?;
    let items = rows
        .into_iter()
        .map(|r| finish(cal, r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total })
}

/// The bit of a fund in `case_amount.funds`: 1 << its place in [`Fund`] (migration 0020 spells
/// the same in its triggers; a test checks every fund).
pub fn fund_bit(fund: Fund) -> i64 {
    1 << (fund as u8)
}

pub fn findings(conn: &Connection, case_id: i64) -> Result<Vec<Finding>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM finding WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], finding_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn finding_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Finding> {
    Ok(Finding {
        id: r.get("id")?,
        case_id: r.get("case_id")?,
        description: r.get("description")?,
        period_from: opt_date(r.get("period_from")?)?,
        period_to: opt_date(r.get("period_to")?)?,
        rule_broken: r.get("rule_broken")?,
        amount: r.get("amount_fen")?,
    })
}

pub fn evidence(conn: &Connection, case_id: i64) -> Result<Vec<Evidence>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM evidence WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(Evidence {
                id: r.get("id")?,
                case_id: r.get("case_id")?,
                finding_id: r.get("finding_id")?,
                kind: enum_from(r.get("kind")?),
                description: r.get("description")?,
                collected_on: parse_stored_date(&r.get::<_, String>("collected_on")?)?,
                collected_by: r.get("collected_by")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn holds(conn: &Connection, cal: &WorkCalendar, case_id: i64) -> Result<Vec<EvidenceHold>> {
    let mut stmt =
        conn.prepare_cached("SELECT * FROM evidence_hold WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok((
                EvidenceHold {
                    id: r.get("id")?,
                    case_id: r.get("case_id")?,
                    kind: enum_from(r.get("kind")?),
                    items: r.get("items")?,
                    started_on: parse_stored_date(&r.get::<_, String>("started_on")?)?,
                    approver_id: r.get("approver_id")?,
                    due_on: NaiveDate::MIN,
                    extended: r.get::<_, u32>("extended_days")? > 0,
                    extended_on: opt_date(r.get("extended_on")?)?,
                    extension_reason: r
                        .get::<_, Option<String>>("extension_reason")?
                        .unwrap_or_default(),
                    due_before_extension: None,
                    released_on: opt_date(r.get("released_on")?)?,
                    outcome: r.get("outcome")?,
                },
                r.get::<_, u32>("period_days")?,
                r.get::<_, u32>("extended_days")?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(mut h, days, ext)| {
            h.due_on = hold_due(cal, h.kind, h.started_on, days, ext)?;
            if ext > 0 {
                h.due_before_extension = Some(hold_due(cal, h.kind, h.started_on, days, 0)?);
            }
            Ok(h)
        })
        .collect()
}

fn hold_due(
    cal: &WorkCalendar,
    kind: HoldKind,
    start: NaiveDate,
    days: u32,
    ext: u32,
) -> Result<NaiveDate> {
    Ok(match kind {
        // 001 art. 36 "七日内" → working days (行政处罚法 art. 85).
        HoldKind::Registration => cal.add_working_days(start, days)?.date,
        // 001 art. 36: 30 days, +30: calendar days.
        HoldKind::Sealing => cal.calendar_deadline(start, days + ext)?.date,
    })
}

pub fn recovery_lines(conn: &Connection, case_id: i64) -> Result<Vec<RecoveryLine>> {
    let mut stmt =
        conn.prepare_cached("SELECT * FROM recovery_line WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], line_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn line_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecoveryLine> {
    Ok(RecoveryLine {
        id: r.get("id")?,
        case_id: r.get("case_id")?,
        fund: enum_from(r.get("fund")?),
        year_kind: enum_from(r.get("year_kind")?),
        category: r.get::<_, Option<String>>("category")?.map(enum_from),
        amount_due: r.get("amount_due_fen")?,
        split_group: r.get("split_group")?,
        note: r.get("note")?,
        insured_region: r.get("insured_region")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Writing

fn next_id(conn: &Connection, table: &str) -> Result<i64> {
    Ok(conn.query_row(
        &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
        [],
        |r| r.get(0),
    )?)
}

pub fn create(tx: &mut Tx<'_>, cal: &WorkCalendar, i: &CaseInput) -> Result<Case> {
    let track = i
        .track
        .ok_or_else(|| ApiError::field("track", "请选择处理路径：行政执法或协议处理"))?;
    let filed = i
        .filed_on
        .ok_or_else(|| ApiError::field("filed_on", "请填写立案日期"))?;
    let summary = required_text(&i.summary, "summary", "案由", 500)?;
    let mut institution_id = i.institution_id;
    let mut insured_id = i.insured_id;
    let mut source = i.source;
    if let Some(lead_id) = i.lead_id {
        let lead = leads::get(tx, cal, lead_id).map_err(|e| e.in_field("lead_id", "线索"))?;
        if lead.status != LeadStatus::Open {
            return Err(ApiError::illegal(format!(
                "线索{}已办结（{}），不能据此立案",
                lead.lead_number,
                leads::status_label(lead.status)
            )));
        }
        if filed < lead.received_on {
            return Err(ApiError::field(
                "filed_on",
                "立案日期不能早于收到线索的日期",
            ));
        }
        if institution_id.is_none() && insured_id.is_none() {
            institution_id = lead.institution_id;
            insured_id = lead.insured_id;
        }
        source = source.or(Some(lead.source.recovery_source()));
    }
    let source = source.ok_or_else(|| ApiError::field("source", "请选择追回基金来源"))?;
    let party_kind = match (institution_id, insured_id) {
        (Some(_), None) => PartyKind::Institution,
        (None, Some(_)) => PartyKind::Insured,
        (None, None) => {
            return Err(ApiError::field(
                "institution_id",
                "请选择当事人：一个定点医药机构或一名参保人员",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                "insured_id",
                "一个案件只针对一个当事人：请只选择定点医药机构或参保人员之一",
            ))
        }
    };
    if track == Track::Agreement && party_kind == PartyKind::Insured {
        // 001 art. 18: agreement handling concerns the institutions that signed the agreement.
        return Err(ApiError::field(
            "track",
            "协议处理只适用于签订服务协议的定点医药机构；对参保人员请按行政执法路径立案",
        ));
    }
    check_party(tx, institution_id, insured_id)?;
    users::require_role(tx, i.handler_id, Role::Handler, "handler_id")?;
    if let Some(co) = i.co_handler_id {
        users::require_role(tx, co, Role::Handler, "co_handler_id")?;
        if co == i.handler_id {
            return Err(ApiError::field(
                "co_handler_id",
                "协办人不能与承办人为同一人",
            ));
        }
    }
    if track == Track::Administrative && i.co_handler_id.is_none() {
        // 001 art. 32(二); 行政处罚法 art. 42: at least two law-enforcement officers.
        return Err(ApiError::field(
            "co_handler_id",
            format!(
                "行政执法案件须有两名以上执法人员{}：请选择协办人",
                super::rules::office(tx)?.cite(Rule::TwoOfficers)
            ),
        ));
    }
    if track == Track::Administrative {
        // 行政处罚法 art. 42: the officers filing an administrative matter hold valid certificates.
        let cite = super::rules::office(tx)?.cite(Rule::TwoOfficers);
        users::require_certificate(tx, i.handler_id, filed, "handler_id", "承办人", &cite)?;
        if let Some(co) = i.co_handler_id {
            users::require_certificate(tx, co, filed, "co_handler_id", "协办人", &cite)?;
        }
    }
    // 001 art. 42(二): a second act within one year is a ground for a heavier penalty.
    let repeat: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM case_file c JOIN decision d ON d.case_id = c.id
           WHERE (c.institution_id IS ?1 AND ?1 IS NOT NULL OR c.insured_id IS ?2 AND ?2 IS NOT NULL)
             AND d.decided_on <= ?3 AND date(d.decided_on, '+1 year') >= ?3)",
        params![institution_id, insured_id, date_text(filed)],
        |r| r.get(0),
    )?;
    let profile = super::profile::load(tx)?;
    let rule_set = super::rules::snapshot(tx)?;
    let office = office_code(tx)?;
    let id = next_id(tx, "case_file")?;
    let number = next_number(
        tx,
        "case_file",
        "case_number",
        "AJ",
        chrono::Datelike::year(&filed),
    )?;
    let now = now_text();
    tx.execute(
        "INSERT INTO case_file (id, uid, case_number, track, party_kind, institution_id, insured_id, source,
            lead_id, summary, handler_id, co_handler_id, status, filed_on, decision_days, repeat_offence,
            created_at, updated_at, rule_set_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'Investigating', ?13, ?14, ?15, ?16, ?16, ?17)",
        params![
            id,
            format!("{office}-C{id}"),
            number,
            enum_text(&track),
            enum_text(&party_kind),
            institution_id,
            insured_id,
            enum_text(&source),
            i.lead_id,
            summary,
            i.handler_id,
            i.co_handler_id,
            date_text(filed),
            profile.decision_days,
            repeat,
            now,
            rule_set
        ],
    )?;
    tx.touch("case_file", id);
    if let Some(lead_id) = i.lead_id {
        tx.execute(
            "UPDATE lead SET status = 'CaseOpened', case_id = ?1, outcome_on = ?2, updated_at = ?3 WHERE id = ?4",
            params![id, date_text(filed), now, lead_id],
        )?;
        tx.touch("lead", lead_id);
    }
    super::procedure::add_step(
        tx,
        id,
        super::procedure::StepKind::Filed,
        filed,
        Some(i.handler_id),
        "",
        &format!("立案：{summary}"),
        serde_json::json!({}),
    )?;
    get(tx, cal, id)
}

pub fn update(tx: &mut Tx<'_>, cal: &WorkCalendar, u: &CaseUpdate) -> Result<Case> {
    let c = get(tx, cal, u.id)?;
    require_open(&c)?;
    let summary = match &u.summary {
        Some(s) => required_text(s, "summary", "案由", 500)?,
        None => c.summary.clone(),
    };
    let co = u.co_handler_id.or(c.co_handler_id);
    if let Some(co) = u.co_handler_id {
        users::require_role(tx, co, Role::Handler, "co_handler_id")?;
        if co == c.handler_id {
            return Err(ApiError::field(
                "co_handler_id",
                "协办人不能与承办人为同一人",
            ));
        }
        if c.track == Track::Administrative {
            let cite = super::rules::for_case(tx, c.id)?.cite(Rule::TwoOfficers);
            let today = crate::vocab::dates::today_local();
            users::require_certificate(tx, co, today, "co_handler_id", "协办人", &cite)?;
        }
    }
    tx.execute(
        "UPDATE case_file SET summary = ?1, co_handler_id = ?2, repeat_offence = ?3, voluntary_return = ?4,
            updated_at = ?5 WHERE id = ?6",
        params![
            summary,
            co,
            u.repeat_offence.unwrap_or(c.repeat_offence),
            u.voluntary_return.unwrap_or(c.voluntary_return),
            now_text(),
            u.id
        ],
    )?;
    tx.touch("case_file", u.id);
    get(tx, cal, u.id)
}

pub(crate) fn require_open(c: &Case) -> Result<()> {
    if matches!(c.status, CaseStatus::Closed | CaseStatus::Dropped) {
        return Err(ApiError::illegal(format!(
            "案件{}{}，不能再修改",
            c.case_number,
            c.status.label()
        )));
    }
    Ok(())
}

/// Findings and money may change only while investigating: once the party has been notified of
/// the facts and amounts (001 art. 22), a change needs a new notification.
pub(crate) fn require_investigating(conn: &Connection, c: &Case, what: &str) -> Result<()> {
    if c.status != CaseStatus::Investigating {
        return Err(ApiError::illegal(format!(
            "案件{}已{}，不能再{what}：已告知当事人的事实和金额不得擅自变更{}",
            c.case_number,
            c.status.label().trim_start_matches('已'),
            super::rules::for_case(conn, c.id)?.cite(Rule::NoticeFacts)
        )));
    }
    Ok(())
}

fn validate_finding(i: &FindingInput) -> Result<(String, String, Money)> {
    let description = required_text(&i.description, "description", "违规事实", 2000)?;
    let rule = required_text(&i.rule_broken, "rule_broken", "违反的规定", 500)?;
    let amount = i
        .amount
        .ok_or_else(|| ApiError::field("amount", "请填写涉及金额（没有金额填0）"))?;
    if amount.is_negative() {
        return Err(ApiError::field("amount", "涉及金额不能为负数"));
    }
    if let (Some(a), Some(b)) = (i.period_from, i.period_to) {
        if a > b {
            return Err(ApiError::field(
                "period_to",
                "违规期间的截止日期早于起始日期",
            ));
        }
    }
    Ok((description, rule, amount))
}

pub fn add_finding(tx: &mut Tx<'_>, cal: &WorkCalendar, i: &FindingInput) -> Result<Finding> {
    let c = get(tx, cal, i.case_id).map_err(|e| e.in_field("case_id", "案件"))?;
    require_investigating(tx, &c, "登记违规事实")?;
    let (description, rule, amount) = validate_finding(i)?;
    let id = next_id(tx, "finding")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO finding (id, case_id, description, period_from, period_to, rule_broken, amount_fen, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![id, i.case_id, description, i.period_from.map(date_text), i.period_to.map(date_text), rule, amount, now],
    )?;
    tx.touch("finding", id);
    Ok(tx.query_row("SELECT * FROM finding WHERE id = ?1", [id], finding_row)?)
}

pub fn update_finding(tx: &mut Tx<'_>, cal: &WorkCalendar, u: &FindingUpdate) -> Result<Finding> {
    let case_id: i64 = tx
        .query_row("SELECT case_id FROM finding WHERE id = ?1", [u.id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| ApiError::not_found("违规事实"))?;
    let c = get(tx, cal, case_id)?;
    require_investigating(tx, &c, "修改违规事实")?;
    let (description, rule, amount) = validate_finding(&u.input)?;
    tx.execute(
        "UPDATE finding SET description = ?1, period_from = ?2, period_to = ?3, rule_broken = ?4, amount_fen = ?5,
            updated_at = ?6 WHERE id = ?7",
        params![description, u.input.period_from.map(date_text), u.input.period_to.map(date_text), rule, amount, now_text(), u.id],
    )?;
    tx.touch("finding", u.id);
    Ok(tx.query_row("SELECT * FROM finding WHERE id = ?1", [u.id], finding_row)?)
}

pub fn add_evidence(tx: &mut Tx<'_>, cal: &WorkCalendar, i: &EvidenceInput) -> Result<Evidence> {
    let c = get(tx, cal, i.case_id).map_err(|e| e.in_field("case_id", "案件"))?;
    require_investigating(tx, &c, "登记证据")?;
    let kind = i.kind.ok_or_else(|| {
        ApiError::field(
            "kind",
            "请选择证据种类：书证、物证、视听资料、电子数据、证人证言、当事人的陈述、鉴定意见、勘验笔录或现场笔录",
        )
    })?;
    let description = required_text(&i.description, "description", "证据名称及内容", 1000)?;
    let collected = i
        .collected_on
        .ok_or_else(|| ApiError::field("collected_on", "请填写取证日期"))?;
    if let Some(f) = i.finding_id {
        let n: i64 = tx.query_row(
            "SELECT COUNT(*) FROM finding WHERE id = ?1 AND case_id = ?2",
            params![f, i.case_id],
            |r| r.get(0),
        )?;
        if n == 0 {
            return Err(ApiError::field("finding_id", "所选违规事实不属于本案"));
        }
    }
    if let Some(by) = i.collected_by {
        users::get(tx, by).map_err(|_| ApiError::field("collected_by", "取证人员不存在"))?;
    }
    let id = next_id(tx, "evidence")?;
    tx.execute(
        "INSERT INTO evidence (id, case_id, finding_id, kind, description, collected_on, collected_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, i.case_id, i.finding_id, enum_text(&kind), description, date_text(collected), i.collected_by, now_text()],
    )?;
    tx.touch("evidence", id);
    Ok(evidence(tx, i.case_id)?
        .into_iter()
        .find(|e| e.id == id)
        .expect("just inserted"))
}

pub fn start_hold(tx: &mut Tx<'_>, cal: &WorkCalendar, i: &HoldInput) -> Result<EvidenceHold> {
    let c = get(tx, cal, i.case_id).map_err(|e| e.in_field("case_id", "案件"))?;
    require_investigating(tx, &c, "采取证据保全措施")?;
    if c.track != Track::Administrative {
        // 001 art. 35–36 are measures of the administrative department.
        return Err(ApiError::illegal(
            "先行登记保存和封存是行政执法措施，协议处理案件不能采取",
        ));
    }
    let kind = i
        .kind
        .ok_or_else(|| ApiError::field("kind", "请选择措施：先行登记保存或封存"))?;
    let items = required_text(&i.items, "items", "物品或资料清单", 2000)?;
    let started = i
        .started_on
        .ok_or_else(|| ApiError::field("started_on", "请填写采取措施的日期"))?;
    if started < c.filed_on {
        return Err(ApiError::field(
            "started_on",
            "采取措施的日期不能早于立案日期",
        ));
    }
    // 001 art. 36: both need the approval of the head of the department.
    users::require_role(tx, i.approver_id, Role::Approver, "approver_id")?;
    let profile = super::profile::load(tx)?;
    let days = match kind {
        HoldKind::Registration => profile.evidence_registration_days,
        HoldKind::Sealing => profile.sealing_days,
    };
    let id = next_id(tx, "evidence_hold")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO evidence_hold (id, case_id, kind, items, started_on, approver_id, period_days, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![id, i.case_id, enum_text(&kind), items, date_text(started), i.approver_id, days, now],
    )?;
    tx.touch("evidence_hold", id);
    hold(tx, cal, id)
}

fn hold(conn: &Connection, cal: &WorkCalendar, id: i64) -> Result<EvidenceHold> {
    let case_id: i64 = conn
        .query_row(
            "SELECT case_id FROM evidence_hold WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("证据保全措施"))?;
    Ok(holds(conn, cal, case_id)?
        .into_iter()
        .find(|h| h.id == id)
        .expect("hold exists"))
}

pub fn extend_hold(tx: &mut Tx<'_>, cal: &WorkCalendar, e: &HoldExtension) -> Result<EvidenceHold> {
    let h = hold(tx, cal, e.id)?;
    if h.kind != HoldKind::Sealing {
        return Err(ApiError::illegal(format!(
            "先行登记保存须在规定期限内作出处理决定，不能延长{}",
            super::rules::for_case(tx, h.case_id)?.cite(Rule::EvidenceRegistration)
        )));
    }
    if h.released_on.is_some() {
        return Err(ApiError::illegal("该封存措施已解除，不能延长"));
    }
    if h.extended {
        return Err(ApiError::illegal(format!(
            "封存期限只能延长一次{}",
            super::rules::for_case(tx, h.case_id)?.cite(Rule::Sealing)
        )));
    }
    let on = e.on.unwrap_or_else(super::today_local);
    if on > h.due_on {
        return Err(ApiError::illegal(format!(
            "封存期限已于{}届满，期满后不能再延长，应解除封存",
            cn_date(h.due_on)
        )));
    }
    if on < h.started_on {
        return Err(ApiError::field("on", "延长决定日期不能早于封存日期"));
    }
    users::require_role(tx, e.approver_id, Role::Approver, "approver_id")?;
    // 行政强制法 art. 25: the extension is told to the party in writing, with its reason.
    let reason = required_text(&e.reason, "reason", "延长理由", 500)?;
    let ext = super::profile::load(tx)?.sealing_extension_days;
    if ext == 0 {
        return Err(ApiError::illegal("规则配置中封存不可延长（延长期限为0）"));
    }
    tx.execute(
        "UPDATE evidence_hold SET extended_days = ?1, extension_approver_id = ?2, extended_on = ?3,
                extension_reason = ?4, updated_at = ?5 WHERE id = ?6",
        params![ext, e.approver_id, date_text(on), reason, now_text(), e.id],
    )?;
    tx.touch("evidence_hold", e.id);
    hold(tx, cal, e.id)
}

pub fn release_hold(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &HoldRelease) -> Result<EvidenceHold> {
    let h = hold(tx, cal, r.id)?;
    if h.released_on.is_some() {
        return Err(ApiError::illegal("该措施已处理完毕"));
    }
    let on = r.on.unwrap_or_else(super::today_local);
    if on < h.started_on {
        return Err(ApiError::field("on", "处理日期不能早于采取措施的日期"));
    }
    let outcome = required_text(&r.outcome, "outcome", "处理决定", 500)?;
    tx.execute(
        "UPDATE evidence_hold SET released_on = ?1, outcome = ?2, updated_at = ?3 WHERE id = ?4",
        params![date_text(on), outcome, now_text(), r.id],
    )?;
    tx.touch("evidence_hold", r.id);
    hold(tx, cal, r.id)
}

/// Add one recovery line, or two when the fund is unknown (5:5, 004 art. 8).
pub fn add_recovery_line(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    i: &RecoveryLineInput,
) -> Result<Vec<RecoveryLine>> {
    let c = get(tx, cal, i.case_id).map_err(|e| e.in_field("case_id", "案件"))?;
    require_investigating(tx, &c, "变更应追回金额")?;
    let amount = i
        .amount_due
        .ok_or_else(|| ApiError::field("amount_due", "请填写应退回金额"))?;
    if amount.is_negative() || amount.is_zero() {
        return Err(ApiError::field("amount_due", "应退回金额应大于零"));
    }
    // 004 art. 12: money whose year cannot be told is treated as cross-year (历年).
    let year_kind = i.year_kind.unwrap_or(YearKind::PriorYears);
    let rules = super::rules::for_case(tx, c.id)?;
    let category = match (year_kind, i.category) {
        (YearKind::CurrentYear, None) => {
            return Err(ApiError::field(
                "category",
                format!(
                    "当年基金须选择费用类别：住院费、门诊费、门特费、生育津贴或违约金{}",
                    rules.cite(Rule::RecoveryTerms)
                ),
            ))
        }
        (YearKind::PriorYears, Some(_)) => {
            return Err(ApiError::field(
                "category",
                format!(
                    "历年基金不再细分费用类别{}，请清空费用类别或改为当年基金",
                    rules.cite(Rule::RecoveryTerms)
                ),
            ))
        }
        (_, c) => c,
    };
    if category == Some(ExpenseCategory::LiquidatedDamages) && c.track != Track::Agreement {
        // 违约金 is a contractual remedy of the agreement (001 art. 18).
        return Err(ApiError::field(
            "category",
            format!(
                "违约金只能在协议处理案件中按服务协议约定收取{}；行政执法案件请改用罚款",
                rules.cite(Rule::AgreementMeasures)
            ),
        ));
    }
    let note = bounded_text(&i.note, "note", "备注", 200)?;
    let region = bounded_text(&i.insured_region, "insured_region", "参保地", 60)?;
    let region = (!region.is_empty()).then_some(region);
    if i.fund == Some(Fund::Other) && note.is_empty() {
        return Err(ApiError::field(
            "note",
            "险种为“其他”时请在备注中写明具体险种",
        ));
    }
    let now = now_text();
    let mut parts: Vec<(Fund, Money)> = Vec::new();
    let mut group: Option<i64> = None;
    match i.fund {
        Some(f) => parts.push((f, amount)),
        None => {
            // 004 art. 8: unknown fund → employee : resident = 5 : 5; the employee half takes an
            // odd cent (see `split_half`).
            let (employee, resident) = rules.split_unknown_fund(amount, "fund")?;
            parts.push((Fund::EmployeeBasic, employee));
            if !resident.is_zero() {
                parts.push((Fund::ResidentBasic, resident));
            }
            group = Some(next_id(tx, "recovery_line")?);
        }
    }
    let mut ids = Vec::new();
    for (fund, amt) in parts {
        let id = next_id(tx, "recovery_line")?;
        let note = if group.is_some() {
            let split_note = format!(
                "险种无法细分，{}按5：5比例分摊{}",
                amount,
                rules.cite(Rule::UnknownFundSplit)
            );
            if note.is_empty() {
                split_note
            } else {
                format!("{note}；{split_note}")
            }
        } else {
            note.clone()
        };
        tx.execute(
            "INSERT INTO recovery_line (id, case_id, fund, year_kind, category, amount_due_fen, split_group, note, created_at, insured_region)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![id, i.case_id, enum_text(&fund), enum_text(&year_kind), category.map(|c| enum_text(&c)), amt, group, note, now, region],
        )?;
        tx.touch("recovery_line", id);
        ids.push(id);
    }
    Ok(recovery_lines(tx, i.case_id)?
        .into_iter()
        .filter(|l| ids.contains(&l.id))
        .collect())
}

/// Remove a line (both halves when it is part of a 5:5 split).
pub fn remove_recovery_line(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    id: i64,
) -> Result<Vec<RecoveryLine>> {
    let (case_id, group): (i64, Option<i64>) = tx
        .query_row(
            "SELECT case_id, split_group FROM recovery_line WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("应追回金额明细"))?;
    let c = get(tx, cal, case_id)?;
    require_investigating(tx, &c, "变更应追回金额")?;
    let ids: Vec<i64> = match group {
        Some(g) => {
            let mut stmt =
                tx.prepare_cached("SELECT id FROM recovery_line WHERE split_group = ?1")?;
            let v = stmt
                .query_map([g], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            v
        }
        None => vec![id],
    };
    // Money already allocated to the line (a payment before the decision, 两轻一免 主动退回) keeps
    // it: refused with the reason (issue 9), never a raw foreign-key error.
    for rid in &ids {
        let allocated: i64 = tx.query_row(
            "SELECT (SELECT COALESCE(SUM(amount_fen), 0) FROM payment_allocation WHERE recovery_line_id = ?1)
                  + (SELECT COALESCE(SUM(amount_fen), 0) FROM offset_allocation WHERE recovery_line_id = ?1)
                  + (SELECT COALESCE(SUM(amount_fen), 0) FROM refund_allocation WHERE recovery_line_id = ?1)",
            [rid],
            |r| r.get(0),
        )?;
        if allocated > 0 {
            return Err(ApiError::illegal(format!(
                "该应追回金额明细已有缴款（抵扣）{} 元计入，不能删除：如属错缴，请先撤销该笔缴款或办理退款",
                Money::from_fen(allocated).grouped()
            )));
        }
    }
    for rid in ids {
        tx.execute("DELETE FROM recovery_line WHERE id = ?1", [rid])?;
        tx.touch("recovery_line", rid);
    }
    // The line is gone, so the case is named for what derives from its rows (its stored clocks,
    // `clock_index`); an unchanged case row adds nothing to the audit entry.
    tx.touch("case_file", case_id);
    recovery_lines(tx, case_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// The plan of a query: its `detail` lines.
    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn
            .prepare_cached(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join("\n")
    }

    #[test]
    fn a_page_of_the_case_list_is_read_in_index_order_not_sorted() {
        let store = Store::open_in_memory().unwrap();
        store
            .read(|conn| {
                // Newest first, oldest first (a page in the second half), and with a filter read
                // from the same index: never a sort of every case.
                for (filter, order) in [
                    ("", "c.filed_on DESC, c.id DESC"),
                    ("", "c.filed_on, c.id"),
                    ("WHERE c.status = 'Decided' AND c.handler_id = 3", "c.filed_on DESC, c.id DESC"),
                    ("WHERE c.source = 'Report' AND c.filed_on >= '2026-01-01' AND c.filed_on <= '2026-03-31'", "c.filed_on, c.id"),
                ] {
                    let p = plan(
                        conn,
                        &format!("{} {filter} ORDER BY {order} LIMIT 50 OFFSET 0", select(LIST_FROM)),
                    );
                    // SCAN, or SEARCH for a range of 立案日期.
                    assert!(p.contains(" c USING INDEX case_file_list"), "{p}");
                    assert!(!p.contains("TEMP B-TREE FOR ORDER BY"), "{p}");
                }
                // Counting with a filter reads only the index.
                let p = plan(
                    conn,
                    &format!("SELECT COUNT(*) {FROM_FOR_COUNT} WHERE c.status = 'Decided' AND c.track = 'Agreement'"),
                );
                assert!(p.contains("COVERING INDEX"), "{p}");
                let p = plan(
                    conn,
                    &format!("SELECT COUNT(*) {FROM_FOR_COUNT} WHERE c.source = 'Report' AND c.filed_on >= '2026-01-01'"),
                );
                assert!(p.contains("COVERING INDEX"), "{p}");
                // A search reads the bigram index.
                let p = plan(
                    conn,
                    &format!(
                        "{} WHERE c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH '\"同仁\"') ORDER BY c.filed_on DESC, c.id DESC LIMIT 50",
                        select(LIST_FROM)
                    ),
                );
                assert!(p.contains("VIRTUAL TABLE INDEX"), "{p}");
                // The 险种 and 应追回金额 filters: alone, counted from case_amount's index; with
                // others, each case walked is checked by its case_amount row (never a recovery
                // total summed per case).
                let money = "a.recovery_fen >= 100000 AND a.recovery_fen <= 2000000 AND a.funds & 2 <> 0";
                let p = plan(conn, &format!("SELECT COUNT(*) FROM case_amount a WHERE {money}"));
                assert!(p.contains("COVERING INDEX case_amount_filter"), "{p}");
                let p = plan(
                    conn,
                    &format!(
                        "SELECT COUNT(*) {FROM_FOR_COUNT} WHERE c.status = 'Decided'
                           AND EXISTS (SELECT 1 FROM case_amount a WHERE a.case_id = c.id AND {money})"
                    ),
                );
                assert!(p.contains("COVERING INDEX case_file_list"), "{p}");
                assert!(p.contains("a USING INTEGER PRIMARY KEY"), "{p}");
                // Every fund has the bit the triggers of 0020 give it.
                for fund in [
                    Fund::EmployeeBasic,
                    Fund::ResidentBasic,
                    Fund::EmployeeLargeAmount,
                    Fund::EmployeeCriticalIllness,
                    Fund::ResidentCriticalIllness,
                    Fund::MedicalAssistance,
                    Fund::CivilServantSubsidy,
                    Fund::Maternity,
                    Fund::LongTermCare,
                    Fund::Other,
                ] {
                    let sql: String = conn.query_row(
                        "SELECT sql FROM sqlite_master WHERE name = 'case_amount_insert'",
                        [],
                        |r| r.get(0),
                    )?;
                    let spelled = format!("WHEN '{}' THEN {}", enum_text(&fund), fund_bit(fund));
                    assert!(sql.contains(&spelled), "{spelled}");
                }
                // 只看逾期 and the 工作台 read the stored due dates in order.
                let p = plan(
                    conn,
                    "SELECT case_id FROM clock_due WHERE due_on < '2026-12-01' AND lapses = 0",
                );
                assert!(p.contains("clock_due_order"), "{p}");
                let p = plan(
                    conn,
                    "SELECT case_id FROM clock_due WHERE NOT (lapses = 1 AND due_on < '2026-12-01')
                       AND due_on >= '2026-12-01' AND due_on < '2026-12-08'
                     ORDER BY due_on, kind_order, case_id, label LIMIT 20",
                );
                assert!(p.contains("clock_due_order"), "{p}");
                assert!(!p.contains("TEMP B-TREE"), "{p}");
                Ok(())
            })
            .unwrap();
    }
}
