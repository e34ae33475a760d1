//! Leads (线索): a tip or data finding to verify within 15 working days, extended once by 15 with
//! approval (国家医保局令第4号; profile), ending in a case (`case.create` with `lead_id`), no case,
//! or a referral elsewhere. Sources are those the seeds name: 001 art. 31 (群众举报投诉, 上级部门交办,
//! 社会媒体曝光, 其他部门移交, 经办机构报告), 001 art. 14 and 003 (智能监控/大数据筛查),
//! 004 art. 3 (巡视巡察、审计监督等外部监督), and routine inspection (001 art. 31 "双随机、一公开").

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{
    bounded_text, date_text, opt_date, parse_stored_date, required_text, users, RecoverySource,
};
use crate::calendar::WorkCalendar;
use crate::error::{ApiError, Result};
use crate::store::query::Page;
use crate::store::query::{page_bounds, Filter};
use crate::store::{now_text, office_code, Tx};
use crate::vocab::text::{enum_from, enum_text};

/// 线索来源.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum LeadSource {
    /// 日常检查、专项检查中发现 (001 art. 31–32).
    #[serde(alias = "监督检查", alias = "检查发现")]
    Inspection,
    /// 群众举报投诉 (001 art. 31, 45).
    #[serde(alias = "举报", alias = "举报投诉", alias = "群众举报")]
    Report,
    /// 上级部门交办 (001 art. 31; 000 art. 3(一)).
    #[serde(alias = "上级交办", alias = "上级部门交办")]
    AssignedFromAbove,
    /// 其他部门移交 (001 art. 31; 004 art. 6 公安、检察院、法院).
    #[serde(alias = "部门移交", alias = "其他部门移交", alias = "移交")]
    DepartmentReferral,
    /// 大数据筛查 / 智能监控 (001 art. 14; 003).
    #[serde(alias = "大数据筛查", alias = "智能监控", alias = "数据筛查")]
    DataScreening,
    /// 医疗保障经办机构报告 (001 art. 24, 31).
    #[serde(alias = "经办机构报告")]
    AgencyReport,
    /// 巡视巡察、审计监督、财政监督 (004 art. 3).
    #[serde(alias = "外部监督", alias = "审计监督", alias = "巡视巡察")]
    ExternalAudit,
    /// 社会媒体曝光 (001 art. 31).
    #[serde(alias = "媒体曝光", alias = "社会媒体曝光")]
    MediaExposure,
    #[serde(alias = "其他")]
    Other,
}

impl LeadSource {
    pub fn label(self) -> &'static str {
        match self {
            LeadSource::Inspection => "监督检查",
            LeadSource::Report => "举报投诉",
            LeadSource::AssignedFromAbove => "上级交办",
            LeadSource::DepartmentReferral => "部门移交",
            LeadSource::DataScreening => "大数据筛查",
            LeadSource::AgencyReport => "经办机构报告",
            LeadSource::ExternalAudit => "外部监督",
            LeadSource::MediaExposure => "媒体曝光",
            LeadSource::Other => "其他",
        }
    }

    /// The 追回基金来源 of a case opened from this lead (004 art. 5).
    pub fn recovery_source(self) -> RecoverySource {
        match self {
            LeadSource::Inspection | LeadSource::DataScreening => RecoverySource::Inspection,
            LeadSource::Report => RecoverySource::Report,
            LeadSource::AssignedFromAbove | LeadSource::DepartmentReferral => {
                RecoverySource::Referral
            }
            LeadSource::AgencyReport => RecoverySource::AgreementManagement,
            LeadSource::ExternalAudit => RecoverySource::ExternalAudit,
            LeadSource::MediaExposure | LeadSource::Other => RecoverySource::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum LeadStatus {
    /// 核查中
    Open,
    /// 已立案
    CaseOpened,
    /// 不予立案
    NoCase,
    /// 已移送
    Referred,
}

crate::labels!(LeadStatus { Open => "核查中", CaseOpened => "已立案", NoCase => "不予立案", Referred => "已移送" });
crate::labeled_by!(LeadSource => label);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Lead {
    pub id: i64,
    pub uid: String,
    pub lead_number: String,
    pub source: LeadSource,
    pub received_on: NaiveDate,
    pub summary: String,
    pub reporter: String,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    /// 机构名称 or 参保人姓名 ("" when the lead names nobody yet).
    pub party: String,
    #[ts(optional = nullable)]
    pub handler_id: Option<i64>,
    pub handler: String,
    /// The verification deadline (with the extension once granted).
    pub check_due: NaiveDate,
    #[ts(optional = nullable)]
    pub extended_on: Option<NaiveDate>,
    pub extension_reason: String,
    pub status: LeadStatus,
    #[ts(optional = nullable)]
    pub outcome_on: Option<NaiveDate>,
    pub outcome_note: String,
    pub referred_to: String,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    pub warnings: Vec<String>,
    /// A lead assigned by the city (线索交办): the assignment's uid at the city; its summary and
    /// due date are the city's (read-only here).
    #[ts(optional = nullable)]
    pub origin_uid: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LeadInput {
    #[ts(optional = nullable)]
    pub source: Option<LeadSource>,
    #[ts(optional = nullable)]
    pub received_on: Option<NaiveDate>,
    pub summary: String,
    pub reporter: String,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    #[ts(optional = nullable)]
    pub handler_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LeadQuery {
    /// Substring of the number, summary, reporter or party name.
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub status: Option<LeadStatus>,
    #[ts(optional = nullable)]
    pub source: Option<LeadSource>,
    /// Oldest received first (default: newest first); both orders walk `lead_received`.
    #[ts(optional = nullable)]
    pub oldest_first: Option<bool>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// The one extension of the check period, approved by an approver.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LeadExtension {
    pub id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    pub approver_id: i64,
    pub reason: String,
}

/// How a lead ends without a case (a case is opened with `case.create` and `lead_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum LeadOutcome {
    /// 不予立案
    #[serde(alias = "不予立案")]
    NoCase,
    /// 移送其他部门 (公安、纪检监察、卫健…; 001 art. 39)
    #[serde(alias = "移送", alias = "移交")]
    Refer,
}

crate::labels!(LeadOutcome { NoCase => "不予立案", Refer => "移送" });

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LeadConclusion {
    pub id: i64,
    #[ts(optional = nullable)]
    pub outcome: Option<LeadOutcome>,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    /// Reason (不予立案) or what was referred.
    pub note: String,
    /// The body it was referred to (移送).
    pub referred_to: String,
}

type LeadRow = (Lead, Option<NaiveDate>, u32, u32);

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LeadRow> {
    Ok((
        Lead {
            id: r.get("id")?,
            uid: r.get("uid")?,
            lead_number: r.get("lead_number")?,
            source: enum_from(r.get("source")?),
            received_on: parse_stored_date(&r.get::<_, String>("received_on")?)?,
            summary: r.get("summary")?,
            reporter: r.get("reporter")?,
            institution_id: r.get("institution_id")?,
            insured_id: r.get("insured_id")?,
            party: r.get("party")?,
            handler_id: r.get("handler_id")?,
            handler: r.get("handler")?,
            check_due: NaiveDate::MIN,
            extended_on: opt_date(r.get("extended_on")?)?,
            extension_reason: r.get("extension_reason")?,
            status: enum_from(r.get("status")?),
            outcome_on: opt_date(r.get("outcome_on")?)?,
            outcome_note: r.get("outcome_note")?,
            referred_to: r.get("referred_to")?,
            case_id: r.get("case_id")?,
            warnings: vec![],
            origin_uid: r.get("origin_uid")?,
        },
        // The city's due date of an assigned lead (stored), else counted from the check period.
        opt_date(r.get("due_on")?)?,
        r.get("check_days")?,
        r.get("extension_days")?,
    ))
}

const SELECT: &str =
    "SELECT l.*, COALESCE(i.name, p.name, '') AS party, COALESCE(u.display_name, '') AS handler
    FROM lead l LEFT JOIN institution i ON i.id = l.institution_id
    LEFT JOIN insured p ON p.id = l.insured_id LEFT JOIN app_user u ON u.id = l.handler_id";

fn finish(cal: &WorkCalendar, (mut lead, due_on, days, ext): LeadRow) -> Result<Lead> {
    if let Some(due) = due_on {
        lead.check_due = due;
        return Ok(lead);
    }
    let total = days + if lead.extended_on.is_some() { ext } else { 0 };
    let due = cal.add_working_days(lead.received_on, total)?;
    lead.check_due = due.date;
    lead.warnings = due.warnings;
    Ok(lead)
}

pub fn get(conn: &Connection, cal: &WorkCalendar, id: i64) -> Result<Lead> {
    let row = conn
        .query_row(&format!("{SELECT} WHERE l.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found("线索"))?;
    finish(cal, row)
}

pub fn list(conn: &Connection, cal: &WorkCalendar, q: &LeadQuery) -> Result<Page<Lead>> {
    let mut f = Filter::default();
    f.search(
        crate::vocab::text::search_text(q.query.as_deref())?,
        &[
            "l.lead_number",
            "l.summary",
            "l.reporter",
            "i.name",
            "p.name",
        ],
    )
    .eq_enum("l.status", q.status)
    .eq_enum("l.source", q.source);
    let total = f.count(
        conn,
        "FROM lead l LEFT JOIN institution i ON i.id = l.institution_id
             LEFT JOIN insured p ON p.id = l.insured_id",
    )?;
    let rows = f.page(
        conn,
        SELECT,
        if q.oldest_first.unwrap_or(false) {
            "l.received_on, l.id"
        } else {
            "l.received_on DESC, l.id DESC"
        },
        page_bounds(q.offset, q.limit),
        from_row,
    )?;
    let items = rows
        .into_iter()
        .map(|r| finish(cal, r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total })
}

pub(crate) fn check_party(
    conn: &Connection,
    institution_id: Option<i64>,
    insured_id: Option<i64>,
) -> Result<()> {
    if let Some(id) = institution_id {
        let n: i64 = conn.query_row(
            "SELECT COUNT(*) FROM institution WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        if n == 0 {
            return Err(ApiError::field("institution_id", "所选定点医药机构不存在"));
        }
    }
    if let Some(id) = insured_id {
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM insured WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
        if n == 0 {
            return Err(ApiError::field("insured_id", "所选参保人员不存在"));
        }
    }
    Ok(())
}

/// Next `<prefix><year>-<seq>` number for a table, sequence per year.
pub(crate) fn next_number(
    conn: &Connection,
    table: &str,
    column: &str,
    prefix: &str,
    year: i32,
) -> Result<String> {
    let head = format!("{prefix}{year}-");
    let last: Option<String> = conn
        .query_row(
            // By length first: as text, AJ2026-9999 sorts after AJ2026-10000. The year's numbers
            // are read as a range of the column's UNIQUE index ('-' + 1 = '.'), not by a LIKE that
            // scans every row of the table (issue 13).
            &format!(
                "SELECT {column} FROM {table} WHERE {column} >= ?1 AND {column} < ?2
                 ORDER BY length({column}) DESC, {column} DESC LIMIT 1"
            ),
            [head.clone(), format!("{prefix}{year}.")],
            |r| r.get(0),
        )
        .optional()?;
    let seq = last
        .and_then(|s| s[head.len()..].parse::<u32>().ok())
        .unwrap_or(0)
        + 1;
    Ok(format!("{head}{seq:04}"))
}

pub fn create(tx: &mut Tx<'_>, cal: &WorkCalendar, i: &LeadInput) -> Result<Lead> {
    let source = i
        .source
        .ok_or_else(|| ApiError::field("source", "请选择线索来源"))?;
    let received = i
        .received_on
        .ok_or_else(|| ApiError::field("received_on", "请填写收到线索的日期"))?;
    let summary = required_text(&i.summary, "summary", "线索摘要", 2000)?;
    let reporter = bounded_text(&i.reporter, "reporter", "举报人或移交单位", 100)?;
    if i.institution_id.is_some() && i.insured_id.is_some() {
        return Err(ApiError::field(
            "insured_id",
            "一条线索只能指向一个定点医药机构或一名参保人员",
        ));
    }
    check_party(tx, i.institution_id, i.insured_id)?;
    if let Some(h) = i.handler_id {
        users::require_role(tx, h, users::Role::Handler, "handler_id")?;
    }
    let profile = super::profile::load(tx)?;
    let office = office_code(tx)?;
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM lead", [], |r| {
        r.get(0)
    })?;
    let number = next_number(
        tx,
        "lead",
        "lead_number",
        "XS",
        chrono::Datelike::year(&received),
    )?;
    let now = now_text();
    tx.execute(
        "INSERT INTO lead (id, uid, lead_number, source, received_on, summary, reporter, institution_id,
            insured_id, handler_id, check_days, extension_days, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'Open', ?13, ?13)",
        params![
            id,
            format!("{office}-L{id}"),
            number,
            enum_text(&source),
            date_text(received),
            summary,
            reporter,
            i.institution_id,
            i.insured_id,
            i.handler_id,
            profile.lead_check_days,
            profile.lead_check_extension_days,
            now
        ],
    )?;
    tx.touch("lead", id);
    get(tx, cal, id)
}

fn open_lead(conn: &Connection, cal: &WorkCalendar, id: i64) -> Result<Lead> {
    let lead = get(conn, cal, id)?;
    if lead.status != LeadStatus::Open {
        return Err(ApiError::illegal(format!(
            "线索{}已办结（{}），不能再办理此操作",
            lead.lead_number,
            status_label(lead.status)
        )));
    }
    Ok(lead)
}

pub fn status_label(s: LeadStatus) -> &'static str {
    match s {
        LeadStatus::Open => "核查中",
        LeadStatus::CaseOpened => "已立案",
        LeadStatus::NoCase => "不予立案",
        LeadStatus::Referred => "已移送",
    }
}

pub fn extend(tx: &mut Tx<'_>, cal: &WorkCalendar, e: &LeadExtension) -> Result<Lead> {
    let lead = open_lead(tx, cal, e.id)?;
    if lead.extended_on.is_some() {
        return Err(ApiError::illegal(format!(
            "线索{}的核查期限已延长过一次，不能再次延长",
            lead.lead_number
        )));
    }
    if lead.origin_uid.is_some() {
        return Err(ApiError::illegal(format!(
            "线索{}由市局交办，核查期限（{}）由市局确定，不能自行延长；确需延期的请报告市局",
            lead.lead_number,
            super::cn_date(lead.check_due)
        )));
    }
    let (_, _, _, ext): LeadRow =
        tx.query_row(&format!("{SELECT} WHERE l.id = ?1"), [e.id], from_row)?;
    if ext == 0 {
        return Err(ApiError::illegal(
            "规则配置中线索核查不可延长（延长期限为0）",
        ));
    }
    let on = e.on.unwrap_or_else(super::today_local);
    if on < lead.received_on {
        return Err(ApiError::field("on", "延长日期不能早于收到线索的日期"));
    }
    if on > lead.check_due {
        return Err(ApiError::illegal(format!(
            "核查期限已于{}届满，不能在期满后延长",
            super::cn_date(lead.check_due)
        )));
    }
    users::require_role(tx, e.approver_id, users::Role::Approver, "approver_id")?;
    let reason = required_text(&e.reason, "reason", "延长理由", 500)?;
    tx.execute(
        "UPDATE lead SET extended_on = ?1, extension_approver_id = ?2, extension_reason = ?3, updated_at = ?4 WHERE id = ?5",
        params![date_text(on), e.approver_id, reason, now_text(), e.id],
    )?;
    tx.touch("lead", e.id);
    get(tx, cal, e.id)
}

pub fn conclude(tx: &mut Tx<'_>, cal: &WorkCalendar, c: &LeadConclusion) -> Result<Lead> {
    let lead = open_lead(tx, cal, c.id)?;
    let outcome = c.outcome.ok_or_else(|| {
        ApiError::field(
            "outcome",
            "请选择处理结果：不予立案或移送（立案请使用“立案”操作）",
        )
    })?;
    let on = c.on.unwrap_or_else(super::today_local);
    if on < lead.received_on {
        return Err(ApiError::field("on", "办结日期不能早于收到线索的日期"));
    }
    let note = required_text(
        &c.note,
        "note",
        if outcome == LeadOutcome::NoCase {
            "不予立案理由"
        } else {
            "移送事项"
        },
        1000,
    )?;
    let (status, referred_to) = match outcome {
        LeadOutcome::NoCase => ("NoCase", String::new()),
        LeadOutcome::Refer => (
            "Referred",
            required_text(&c.referred_to, "referred_to", "移送单位", 100)?,
        ),
    };
    tx.execute(
        "UPDATE lead SET status = ?1, outcome_on = ?2, outcome_note = ?3, referred_to = ?4, updated_at = ?5 WHERE id = ?6",
        params![status, date_text(on), note, referred_to, now_text(), c.id],
    )?;
    tx.touch("lead", c.id);
    get(tx, cal, c.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_counting_past_9999() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n TEXT UNIQUE)")
            .unwrap();
        assert_eq!(
            next_number(&conn, "t", "n", "AJ", 2026).unwrap(),
            "AJ2026-0001"
        );
        for n in ["AJ2026-0002", "AJ2026-9999", "AJ2025-12000"] {
            conn.execute("INSERT INTO t VALUES (?1)", [n]).unwrap();
        }
        assert_eq!(
            next_number(&conn, "t", "n", "AJ", 2026).unwrap(),
            "AJ2026-10000"
        );
        conn.execute("INSERT INTO t VALUES ('AJ2026-10000')", [])
            .unwrap();
        assert_eq!(
            next_number(&conn, "t", "n", "AJ", 2026).unwrap(),
            "AJ2026-10001"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Leads assigned by the city (线索交办, issue 11)

/// A lead the city assigns to this county, as it travels down in the city's signed
/// acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignedLead {
    /// The assignment's uid at the city (applied once).
    pub uid: String,
    pub summary: String,
    /// 机构编码 of the institution concerned ("" when none).
    pub institution_code: String,
    /// Who the lead is about, as the city wrote it.
    pub party: String,
    pub assigned_on: NaiveDate,
    /// The city's due date for the county's outcome.
    pub due_on: NaiveDate,
}

/// Apply the city's assignments: each becomes a lead of this office once (by its uid), source
/// 上级交办, reporter the city, due the city's date, linked to the institution of that 机构编码 when
/// this office holds it. Audited. Returns how many were new.
pub fn apply_assigned(tx: &mut Tx<'_>, city_name: &str, leads: &[AssignedLead]) -> Result<i64> {
    let mut n = 0;
    for a in leads {
        let held: Option<i64> = tx
            .query_row("SELECT id FROM lead WHERE origin_uid = ?1", [&a.uid], |r| {
                r.get(0)
            })
            .optional()?;
        if held.is_some() {
            continue;
        }
        let institution: Option<i64> = if a.institution_code.is_empty() {
            None
        } else {
            tx.query_row(
                "SELECT id FROM institution WHERE code = ?1",
                [&a.institution_code],
                |r| r.get(0),
            )
            .optional()?
        };
        let summary = match (
            institution,
            a.party.is_empty(),
            a.institution_code.is_empty(),
        ) {
            (None, false, _) | (None, _, false) => format!(
                "{}（{}{}）",
                a.summary,
                a.party,
                if a.institution_code.is_empty() {
                    String::new()
                } else {
                    format!("，机构编码{}", a.institution_code)
                }
            ),
            _ => a.summary.clone(),
        };
        let profile = super::profile::load(tx)?;
        let office = office_code(tx)?;
        let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM lead", [], |r| {
            r.get(0)
        })?;
        let number = next_number(
            tx,
            "lead",
            "lead_number",
            "XS",
            chrono::Datelike::year(&a.assigned_on),
        )?;
        let now = now_text();
        tx.execute(
            "INSERT INTO lead (id, uid, lead_number, source, received_on, summary, reporter, institution_id,
                check_days, extension_days, status, created_at, updated_at, origin_uid, due_on)
             VALUES (?1, ?2, ?3, 'AssignedFromAbove', ?4, ?5, ?6, ?7, ?8, ?9, 'Open', ?10, ?10, ?11, ?12)",
            params![
                id,
                format!("{office}-L{id}"),
                number,
                date_text(a.assigned_on),
                summary,
                city_name,
                institution,
                profile.lead_check_days,
                profile.lead_check_extension_days,
                now,
                a.uid,
                date_text(a.due_on)
            ],
        )?;
        tx.touch("lead", id);
        n += 1;
    }
    Ok(n)
}
