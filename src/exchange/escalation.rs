//! The city's side of the matters counties send up (issue 11; seed 002 二(三)三, seed 001 art. 21
//! ¶2): the requests are read out of each county's replica as its bundles are applied
//! (`county_request`, derived, not audited), the city answers one (`escalation_answer`, audited)
//! and the answer goes down in the city's signed acknowledgement, which carries every answer to
//! that county (the county applies each once, by the answer's uid).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::bundle::WireEntry;
use super::{ack_file, require_level, ExchangeFile};
use crate::cases::escalation::{
    check_answer, matters_from, AnswerInput, AnswerOutcome, AnswerWire, EscalationKind,
    EscalationMatter,
};
use crate::error::{ApiError, Result};
use crate::exchange::keys::OfficeKeys;
use crate::money::Money;
use crate::office::OfficeLevel;
use crate::store::{now_text, office_code, Tx};
use crate::vocab::dates::{date_text, parse_stored_date};
use crate::vocab::text::{enum_from, enum_text};

/// An answer as the city gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EscalationAnswer {
    pub uid: String,
    pub outcome: AnswerOutcome,
    pub document_number: String,
    pub answered_on: chrono::NaiveDate,
    pub note: String,
    pub matters: Vec<EscalationMatter>,
    pub answered_by: String,
    pub created_at: String,
}

/// A county's request as the city holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CountyRequest {
    pub origin: String,
    pub county: String,
    pub uid: String,
    pub kind: EscalationKind,
    pub matters: Vec<EscalationMatter>,
    pub asked: String,
    pub asked_on: chrono::NaiveDate,
    /// The county's user who sent it (its audit actor).
    pub asked_by: String,
    pub case_number: String,
    pub party: String,
    /// 机构编码 or 身份证号 (an escalated matter is not masked).
    pub party_code: String,
    pub amount: Money,
    pub received_at: String,
    /// The city's answers, oldest first.
    pub answers: Vec<EscalationAnswer>,
    /// The county's log shows the (last) answer applied there.
    pub county_has_answer: bool,
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PendingQuery {
    /// One county (行政区划代码); empty: all.
    pub code: String,
    /// Every request (newest first, at most 500), not only those waiting for an answer.
    pub all: bool,
}

/// `escalation.answer`'s answer: the request as answered, and the acknowledgement to send down.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AnswerGiven {
    pub request: CountyRequest,
    /// The county's acknowledgement carrying the answer (save it for the county, or it goes with
    /// the county's next network sync).
    pub ack: ExchangeFile,
}

/// Read the requests (and the county's receipt of answers) out of the newly applied entries of a
/// county's bundle, in order.
pub fn project(tx: &Tx<'_>, origin: &str, entries: &[WireEntry]) -> Result<()> {
    for e in entries {
        let req = e.changes.contains("\"table\":\"city_request\"");
        let ans = e.changes.contains("\"table\":\"city_answer\"");
        if !req && !ans {
            continue;
        }
        let v: Value =
            serde_json::from_str(&e.changes).map_err(|err| ApiError::internal(err.to_string()))?;
        for ch in v.as_array().into_iter().flatten() {
            let Some(after) = ch.get("after").filter(|a| a.is_object()) else {
                continue;
            };
            let s = |k: &str| after[k].as_str().unwrap_or_default().to_string();
            match ch["table"].as_str() {
                Some("city_request") => {
                    tx.execute(
                        "INSERT INTO county_request (origin, uid, seq, kind, matters, asked, asked_on, asked_by, case_number, party, party_code, amount_fen, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                         ON CONFLICT (uid) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, matters = excluded.matters,
                           asked = excluded.asked, asked_on = excluded.asked_on, case_number = excluded.case_number,
                           party = excluded.party, party_code = excluded.party_code, amount_fen = excluded.amount_fen",
                        params![
                            origin,
                            s("uid"),
                            e.seq,
                            s("kind"),
                            s("matters"),
                            s("asked"),
                            s("asked_on"),
                            e.actor,
                            s("case_number"),
                            s("party"),
                            s("party_code"),
                            after["amount_fen"].as_i64().unwrap_or(0),
                            now_text()
                        ],
                    )?;
                }
                Some("city_answer") => {
                    if let Some(answer_uid) = after["origin_uid"].as_str() {
                        tx.execute(
                            "UPDATE county_request SET county_has_answer = 1
                             WHERE origin = ?1 AND uid = (SELECT request_uid FROM escalation_answer WHERE uid = ?2)",
                            params![origin, answer_uid],
                        )?;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn answers_of(c: &Connection, request_uid: &str) -> Result<Vec<EscalationAnswer>> {
    let mut stmt = c.prepare_cached(
        "SELECT a.uid, a.outcome, a.document_number, a.answered_on, a.note, a.matters, COALESCE(u.display_name, ''), a.created_at
         FROM escalation_answer a LEFT JOIN app_user u ON u.id = a.answered_by WHERE a.request_uid = ?1 ORDER BY a.id",
    )?;
    let rows = stmt
        .query_map([request_uid], |r| {
            Ok(EscalationAnswer {
                uid: r.get(0)?,
                outcome: enum_from(r.get(1)?),
                document_number: r.get(2)?,
                answered_on: parse_stored_date(&r.get::<_, String>(3)?)?,
                note: r.get(4)?,
                matters: matters_from(&r.get::<_, String>(5)?),
                answered_by: r.get(6)?,
                created_at: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

const REQUEST_COLUMNS: &str = "q.origin, COALESCE(p.name, q.origin), q.uid, q.kind, q.matters, q.asked, q.asked_on, q.asked_by, q.case_number, q.party, q.party_code, q.amount_fen, q.received_at, q.county_has_answer";

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CountyRequest> {
    Ok(CountyRequest {
        origin: r.get(0)?,
        county: r.get(1)?,
        uid: r.get(2)?,
        kind: enum_from(r.get(3)?),
        matters: matters_from(&r.get::<_, String>(4)?),
        asked: r.get(5)?,
        asked_on: parse_stored_date(&r.get::<_, String>(6)?)?,
        asked_by: r.get(7)?,
        case_number: r.get(8)?,
        party: r.get(9)?,
        party_code: r.get(10)?,
        amount: Money::from_fen(r.get(11)?),
        received_at: r.get(12)?,
        county_has_answer: r.get::<_, i64>(13)? != 0,
        answers: Vec::new(),
        status: String::new(),
    })
}

fn finish(c: &Connection, mut q: CountyRequest) -> Result<CountyRequest> {
    q.answers = answers_of(c, &q.uid)?;
    q.status = match (q.kind, q.answers.last()) {
        (EscalationKind::Record, _) => "已备案".into(),
        (EscalationKind::Approval, None) => "待审批".into(),
        (EscalationKind::Approval, Some(a)) => {
            let what = match a.outcome {
                AnswerOutcome::Approved => "已批准",
                AnswerOutcome::Changed => "已变更",
                AnswerOutcome::Refused => "不予批准",
            };
            if q.county_has_answer {
                format!("{what}（县局已收到）")
            } else {
                format!("{what}（待县局收到）")
            }
        }
    };
    Ok(q)
}

fn one(c: &Connection, uid: &str) -> Result<CountyRequest> {
    let q = c
        .query_row(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM county_request q LEFT JOIN exchange_peer p ON p.code = q.origin WHERE q.uid = ?1"
            ),
            [uid],
            request_row,
        )
        .optional()?
        .ok_or_else(|| ApiError::field("request_uid", "没有该县级单位的请示（请先导入其数据包）"))?;
    finish(c, q)
}

/// `escalation.pending`: at the city, the requests of its counties waiting for an answer (or all).
pub fn pending(c: &Connection, r: &PendingQuery) -> Result<Vec<CountyRequest>> {
    require_level(c, OfficeLevel::City, "查看县级单位的请示")?;
    let code = r.code.trim();
    let mut sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM county_request q LEFT JOIN exchange_peer p ON p.code = q.origin WHERE (?1 = '' OR q.origin = ?1)"
    );
    if !r.all {
        sql.push_str(
            " AND q.kind = 'Approval' AND NOT EXISTS (SELECT 1 FROM escalation_answer a WHERE a.request_uid = q.uid)",
        );
    }
    sql.push_str(" ORDER BY q.asked_on DESC, q.uid DESC LIMIT 500");
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt
        .query_map([code], request_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|q| finish(c, q)).collect()
}

/// `escalation.answer`: the city answers a county's request (批准 / 变更 / 不予批准, with its
/// document number). Audited; the answer goes down in the county's acknowledgement, returned here.
pub fn answer(tx: &mut Tx<'_>, keys: &OfficeKeys, by: i64, i: &AnswerInput) -> Result<AnswerGiven> {
    require_level(tx, OfficeLevel::City, "答复县级单位的请示")?;
    let q = one(tx, i.request_uid.trim())?;
    if q.kind == EscalationKind::Record {
        return Err(ApiError::illegal("该事项是报送备案，无需市局答复"));
    }
    let approval: Vec<EscalationMatter> = q
        .matters
        .iter()
        .copied()
        .filter(|m| m.needs_approval())
        .collect();
    let (outcome, matters, number, on, note) = check_answer(&approval, q.asked_on, i)?;
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM escalation_answer",
        [],
        |r| r.get(0),
    )?;
    let uid = format!("{}-A{id}", office_code(tx)?);
    tx.execute(
        "INSERT INTO escalation_answer (id, uid, origin, request_uid, outcome, document_number, answered_on, note, matters, answered_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            uid,
            q.origin,
            q.uid,
            enum_text(&outcome),
            number,
            date_text(on),
            note,
            serde_json::to_string(&matters).expect("enum list"),
            by,
            now_text()
        ],
    )?;
    tx.touch("escalation_answer", id);
    tx.execute(
        "UPDATE county_request SET county_has_answer = 0 WHERE uid = ?1",
        [&q.uid],
    )?;
    let ack = ack_file(tx, keys, &q.origin)?;
    Ok(AnswerGiven {
        request: one(tx, &q.uid)?,
        ack,
    })
}

/// Every answer to a county, for its acknowledgement (oldest first).
pub fn answers_for(c: &Connection, county: &str) -> Result<Vec<AnswerWire>> {
    let mut stmt = c.prepare_cached(
        "SELECT uid, request_uid, outcome, document_number, answered_on, note, matters FROM escalation_answer WHERE origin = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([county], |r| {
            Ok(AnswerWire {
                uid: r.get(0)?,
                request_uid: r.get(1)?,
                outcome: enum_from(r.get(2)?),
                document_number: r.get(3)?,
                answered_on: parse_stored_date(&r.get::<_, String>(4)?)?,
                note: r.get(5)?,
                matters: matters_from(&r.get::<_, String>(6)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
