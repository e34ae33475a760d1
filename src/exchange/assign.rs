//! Leads the city assigns to a county (线索交办, issue 11; seed 003: leads from above are checked one
//! by one; seed 002 二(三)三: the progress of matters assigned from above is reported up).
//!
//! The city records the assignment (`lead_assignment`, audited); it goes down in the county's
//! signed acknowledgement (`Ack.leads`, every assignment to that county), where it becomes a lead
//! once (by its uid) with the city's due date. The county's lead — its status, outcome and the
//! case it became — comes back in the county's bundles and is read out of the replica into
//! `lead_assignment_outcome` (derived, not audited).

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::bundle::WireEntry;
use super::{ack_file, require_level, ExchangeFile};
use crate::cases::leads::AssignedLead;
use crate::error::{ApiError, Result};
use crate::office::OfficeLevel;
use crate::store::{now_text, office_code, Tx};
use crate::vocab::dates::{date_text, opt_date, parse_stored_date, today_local};
use crate::vocab::text::{bounded_text, required_text};

/// Chinese labels of the request fields.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("county", "县级单位"),
    ("institution_code", "机构编码"),
    ("party", "涉及对象"),
    ("assigned_on", "交办日期"),
    ("due_on", "办理期限"),
];

/// `assignment.create`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AssignmentInput {
    /// 行政区划代码 of the county.
    pub county: String,
    pub summary: String,
    pub institution_code: String,
    pub party: String,
    #[ts(optional = nullable)]
    pub assigned_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub due_on: Option<NaiveDate>,
}

/// An assignment as the city sees it, with what the county did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Assignment {
    pub uid: String,
    pub county: String,
    pub county_name: String,
    pub summary: String,
    pub institution_code: String,
    pub party: String,
    pub assigned_on: NaiveDate,
    pub due_on: NaiveDate,
    pub assigned_by: String,
    /// The county's lead number, once the county applied the assignment.
    #[ts(optional = nullable)]
    pub lead_number: Option<String>,
    /// 未接收 / 核查中 / 已立案 / 不予立案 / 已移送.
    pub status: String,
    #[ts(optional = nullable)]
    pub outcome_on: Option<NaiveDate>,
    pub outcome_note: String,
    /// The county's case it became.
    #[ts(optional = nullable)]
    pub case_number: Option<String>,
    /// Past its due date without an outcome.
    pub overdue: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AssignmentQuery {
    /// One county; empty: all.
    pub code: String,
}

/// `assignment.create`'s answer: the assignment and the county's acknowledgement carrying it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AssignmentGiven {
    pub assignment: Assignment,
    pub ack: ExchangeFile,
}

const COLUMNS: &str = "a.uid, a.county, COALESCE(p.name, a.county), a.summary, a.institution_code, a.party, a.assigned_on, a.due_on,
    COALESCE(u.display_name, ''), o.lead_number, o.status, o.outcome_on, COALESCE(o.outcome_note, ''), o.case_number";
const FROM: &str = "FROM lead_assignment a LEFT JOIN exchange_peer p ON p.code = a.county
    LEFT JOIN app_user u ON u.id = a.assigned_by LEFT JOIN lead_assignment_outcome o ON o.uid = a.uid";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Assignment> {
    let status: Option<String> = r.get(10)?;
    let due_on = parse_stored_date(&r.get::<_, String>(7)?)?;
    let open = matches!(status.as_deref(), None | Some("Open"));
    Ok(Assignment {
        uid: r.get(0)?,
        county: r.get(1)?,
        county_name: r.get(2)?,
        summary: r.get(3)?,
        institution_code: r.get(4)?,
        party: r.get(5)?,
        assigned_on: parse_stored_date(&r.get::<_, String>(6)?)?,
        due_on,
        assigned_by: r.get(8)?,
        lead_number: r.get(9)?,
        status: match status.as_deref() {
            None => "县局未接收".into(),
            Some("Open") => "核查中".into(),
            Some("CaseOpened") => "已立案".into(),
            Some("NoCase") => "不予立案".into(),
            Some("Referred") => "已移送".into(),
            Some(other) => other.to_string(),
        },
        outcome_on: opt_date(r.get(11)?)?,
        outcome_note: r.get(12)?,
        case_number: r.get(13)?,
        overdue: open && due_on < today_local(),
    })
}

fn one(c: &Connection, uid: &str) -> Result<Assignment> {
    c.query_row(
        &format!("SELECT {COLUMNS} {FROM} WHERE a.uid = ?1"),
        [uid],
        row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("交办线索"))
}

/// `assignment.create`: the city assigns a lead to a registered county, with a due date. Audited;
/// the answer carries the county's acknowledgement with it.
pub fn create(
    tx: &mut Tx<'_>,
    keys: &super::keys::OfficeKeys,
    by: i64,
    i: &AssignmentInput,
) -> Result<AssignmentGiven> {
    require_level(tx, OfficeLevel::City, "交办线索")?;
    let county = i.county.trim();
    let registered: Option<(i64, Option<String>)> = tx
        .query_row(
            "SELECT head_seq, revoked_at FROM exchange_peer WHERE code = ?1 AND role = 'county'",
            [county],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match registered {
        None => {
            return Err(ApiError::field(
                "county",
                "请选择已登记的县级单位（数据交换 · 登记县级单位）",
            ))
        }
        Some((_, Some(_))) => {
            return Err(ApiError::field(
                "county",
                "该县级单位的密钥已停用，不能向其交办线索",
            ))
        }
        Some((0, None)) => {
            return Err(ApiError::illegal(
                "尚未收到该县级单位的数据包：交办线索随对其数据包的确认回执下发，请先导入其数据包",
            ))
        }
        Some(_) => {}
    }
    let summary = required_text(&i.summary, "summary", "线索内容", 2000)?;
    let institution_code = bounded_text(&i.institution_code, "institution_code", "机构编码", 30)?;
    let party = bounded_text(&i.party, "party", "涉及对象", 100)?;
    let on = i
        .assigned_on
        .ok_or_else(|| ApiError::field("assigned_on", "请填写交办日期"))?;
    let due = i
        .due_on
        .ok_or_else(|| ApiError::field("due_on", "请填写办理期限"))?;
    crate::vocab::dates::not_before(due, on, "due_on", "办理期限", "交办日期")?;
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM lead_assignment",
        [],
        |r| r.get(0),
    )?;
    let uid = format!("{}-J{id}", office_code(tx)?);
    tx.execute(
        "INSERT INTO lead_assignment (id, uid, county, summary, institution_code, party, assigned_on, due_on, assigned_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            uid,
            county,
            summary,
            institution_code,
            party,
            date_text(on),
            date_text(due),
            by,
            now_text()
        ],
    )?;
    tx.touch("lead_assignment", id);
    let ack = ack_file(tx, keys, county)?;
    Ok(AssignmentGiven {
        assignment: one(tx, &uid)?,
        ack,
    })
}

/// `assignment.list`: at the city, the leads assigned (newest first, at most 500), with the
/// counties' outcomes.
pub fn list(c: &Connection, q: &AssignmentQuery) -> Result<Vec<Assignment>> {
    require_level(c, OfficeLevel::City, "查看交办线索")?;
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} {FROM} WHERE (?1 = '' OR a.county = ?1) ORDER BY a.id DESC LIMIT 500"
    ))?;
    let rows = stmt
        .query_map([q.code.trim()], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every assignment to a county, for its acknowledgement (oldest first).
pub fn for_county(c: &Connection, county: &str) -> Result<Vec<AssignedLead>> {
    let mut stmt = c.prepare_cached(
        "SELECT uid, summary, institution_code, party, assigned_on, due_on FROM lead_assignment WHERE county = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([county], |r| {
            Ok(AssignedLead {
                uid: r.get(0)?,
                summary: r.get(1)?,
                institution_code: r.get(2)?,
                party: r.get(3)?,
                assigned_on: parse_stored_date(&r.get::<_, String>(4)?)?,
                due_on: parse_stored_date(&r.get::<_, String>(5)?)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Read the county's assigned leads (and the cases they became) out of newly applied entries.
pub fn project(tx: &Tx<'_>, origin: &str, entries: &[WireEntry]) -> Result<()> {
    for e in entries {
        let lead = e.changes.contains("\"table\":\"lead\"");
        let case = e.changes.contains("\"table\":\"case_file\"");
        if !lead && !case {
            continue;
        }
        let v: Value =
            serde_json::from_str(&e.changes).map_err(|err| ApiError::internal(err.to_string()))?;
        let images: Vec<(&str, &Value)> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|ch| {
                Some((
                    ch["table"].as_str()?,
                    ch.get("after").filter(|a| a.is_object())?,
                ))
            })
            .collect();
        // Cases of this entry by id (a case filed from a lead is written with it).
        let mut cases: HashMap<i64, String> = HashMap::new();
        for (t, after) in &images {
            if *t == "case_file" {
                if let (Some(id), Some(n)) = (after["id"].as_i64(), after["case_number"].as_str()) {
                    cases.insert(id, n.to_string());
                    if let Some(lead_id) = after["lead_id"].as_i64() {
                        tx.execute(
                            "UPDATE lead_assignment_outcome SET case_number = ?1 WHERE origin = ?2 AND lead_id = ?3",
                            params![n, origin, lead_id],
                        )?;
                    }
                }
            }
        }
        for (t, after) in &images {
            if *t != "lead" {
                continue;
            }
            let Some(uid) = after["origin_uid"].as_str() else {
                continue;
            };
            let case_number = after["case_id"]
                .as_i64()
                .and_then(|id| cases.get(&id).cloned());
            tx.execute(
                "INSERT INTO lead_assignment_outcome (uid, origin, lead_id, lead_number, status, outcome_on, outcome_note, case_number, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (uid) DO UPDATE SET lead_id = excluded.lead_id, lead_number = excluded.lead_number,
                   status = excluded.status, outcome_on = excluded.outcome_on, outcome_note = excluded.outcome_note,
                   case_number = COALESCE(excluded.case_number, lead_assignment_outcome.case_number), seq = excluded.seq",
                params![
                    uid,
                    origin,
                    after["id"].as_i64().unwrap_or(0),
                    after["lead_number"].as_str().unwrap_or_default(),
                    after["status"].as_str().unwrap_or_default(),
                    after["outcome_on"].as_str(),
                    after["outcome_note"].as_str().unwrap_or_default(),
                    case_number,
                    e.seq
                ],
            )?;
        }
    }
    Ok(())
}

/// One county as the city sees it from its replica and its own records (issue 11: "bundle history
/// per county (last contact, last entry, lag)", overdue matters by county).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CountyOverview {
    pub code: String,
    pub name: String,
    pub revoked: bool,
    /// The last bundle applied (the last contact), and how many days ago.
    #[ts(optional = nullable)]
    pub last_contact: Option<String>,
    #[ts(optional = nullable)]
    pub days_since_contact: Option<i64>,
    /// The county's last entry held here: its number and when the county wrote it.
    pub last_seq: i64,
    #[ts(optional = nullable)]
    pub last_entry_at: Option<String>,
    /// Days between the county's last entry held here and today (how far behind the replica may be).
    #[ts(optional = nullable)]
    pub lag_days: Option<i64>,
    pub bundles: i64,
    /// 审批 requests waiting for the city's answer.
    pub pending_requests: i64,
    /// Assigned leads without an outcome, and those of them past their due date.
    pub open_assignments: i64,
    pub overdue_assignments: i64,
}

fn days_since(at: &str, today: NaiveDate) -> Option<i64> {
    let d = NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok()?;
    Some((today - d).num_days())
}

/// `exchange.counties`: at the city, every registered county's overview.
pub fn overview(c: &Connection) -> Result<Vec<CountyOverview>> {
    require_level(c, OfficeLevel::City, "查看县级单位概况")?;
    let today = today_local();
    let mut stmt = c.prepare(
        "SELECT p.code, p.name, p.revoked_at IS NOT NULL, p.last_import_at, p.head_seq,
            (SELECT at FROM replica_entry e WHERE e.origin = p.code AND e.seq = p.head_seq),
            (SELECT COUNT(*) FROM replica_bundle b WHERE b.origin = p.code),
            (SELECT COUNT(*) FROM county_request q WHERE q.origin = p.code AND q.kind = 'Approval'
                AND NOT EXISTS (SELECT 1 FROM escalation_answer a WHERE a.request_uid = q.uid)),
            (SELECT COUNT(*) FROM lead_assignment a LEFT JOIN lead_assignment_outcome o ON o.uid = a.uid
                WHERE a.county = p.code AND COALESCE(o.status, 'Open') = 'Open'),
            (SELECT COUNT(*) FROM lead_assignment a LEFT JOIN lead_assignment_outcome o ON o.uid = a.uid
                WHERE a.county = p.code AND COALESCE(o.status, 'Open') = 'Open' AND a.due_on < ?1)
         FROM exchange_peer p WHERE p.role = 'county' ORDER BY p.code",
    )?;
    let rows = stmt
        .query_map([date_text(today)], |r| {
            let last_contact: Option<String> = r.get(3)?;
            let last_entry_at: Option<String> = r.get(5)?;
            Ok(CountyOverview {
                code: r.get(0)?,
                name: r.get(1)?,
                revoked: r.get(2)?,
                days_since_contact: last_contact.as_deref().and_then(|a| days_since(a, today)),
                last_contact,
                last_seq: r.get(4)?,
                lag_days: last_entry_at.as_deref().and_then(|a| days_since(a, today)),
                last_entry_at,
                bundles: r.get(6)?,
                pending_requests: r.get(7)?,
                open_assignments: r.get(8)?,
                overdue_assignments: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
