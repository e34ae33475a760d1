//! Agreement measures (协议处理, 001 art. 18–20): interview, rectification order, public criticism,
//! settlement suspension, agreement suspension 1–3 months (3–6 when serious), termination with no
//! new agreement for 3 years, suspension of a practitioner. The 3-year ban is enforced when an
//! institution's agreement is set back to Active ([`guard_agreement_status`], and a trigger in
//! migration 0002 for every other path).

use super::rules::{Rule, RuleSet};
use chrono::{Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{cn_date, date_text, opt_date, Track};
use crate::error::{ApiError, Result};
use crate::registry::AgreementStatus;
use crate::store::{now_text, Tx};
use crate::vocab::text::{enum_from, enum_text};

/// GLOSSARY "Agreement measures".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum MeasureKind {
    #[serde(alias = "约谈")]
    Interview,
    #[serde(alias = "限期整改")]
    RectificationOrder,
    #[serde(alias = "通报批评")]
    PublicCriticism,
    #[serde(alias = "暂停结算", alias = "暂停拨付")]
    SettlementSuspension,
    #[serde(alias = "中止协议", alias = "中止服务协议")]
    AgreementSuspension,
    #[serde(alias = "解除协议", alias = "解除服务协议")]
    AgreementTermination,
    #[serde(alias = "暂停医保医师服务资格", alias = "暂停医师资格")]
    PractitionerSuspension,
}

crate::labeled_by!(MeasureKind => label);

impl MeasureKind {
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Interview => "约谈",
            MeasureKind::RectificationOrder => "限期整改",
            MeasureKind::PublicCriticism => "通报批评",
            MeasureKind::SettlementSuspension => "暂停结算",
            MeasureKind::AgreementSuspension => "中止服务协议",
            MeasureKind::AgreementTermination => "解除服务协议",
            MeasureKind::PractitionerSuspension => "暂停医保医师（药师）服务资格",
        }
    }

    /// Measures that need a collective review (001 art. 21: 中止相关责任人员或者所在部门…、中止服务协议;
    /// 解除服务协议 para. 2) and offer a hearing (DOMAIN §2: suspension, termination).
    pub fn is_heavy(self) -> bool {
        matches!(
            self,
            MeasureKind::AgreementSuspension
                | MeasureKind::AgreementTermination
                | MeasureKind::PractitionerSuspension
        )
    }

    /// Measures only the agency takes under the agreement; interview and criticism are open to the
    /// bureau too (001 art. 41).
    pub fn agreement_only(self) -> bool {
        !matches!(
            self,
            MeasureKind::Interview | MeasureKind::PublicCriticism | MeasureKind::RectificationOrder
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct MeasureInput {
    #[ts(optional = nullable)]
    pub kind: Option<MeasureKind>,
    /// Months of a suspension (1–3, or 3–6 when serious; 001 art. 19).
    #[ts(optional = nullable)]
    pub months: Option<u32>,
    /// 情节较重 (001 art. 19).
    pub serious: bool,
    /// When the measure takes effect; defaults to the decision date.
    #[ts(optional = nullable)]
    pub starts_on: Option<NaiveDate>,
    /// E.g. the practitioner's name, the department concerned.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Measure {
    pub id: i64,
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    pub kind: MeasureKind,
    #[ts(optional = nullable)]
    pub months: Option<u32>,
    pub serious: bool,
    #[ts(optional = nullable)]
    pub starts_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub ends_on: Option<NaiveDate>,
    pub note: String,
}

/// Check one proposed or decided measure; returns its kind.
pub fn validate(
    m: &MeasureInput,
    track: Track,
    party_is_institution: bool,
    rules: &RuleSet,
) -> Result<MeasureKind> {
    let kind = m
        .kind
        .ok_or_else(|| ApiError::field("measures", "请选择协议处理措施的种类"))?;
    if kind.agreement_only() && track != Track::Agreement {
        return Err(ApiError::field(
            "measures",
            format!(
                "“{}”是服务协议约定的处理措施，只能在协议处理案件中作出{}",
                kind.label(),
                rules.cite(Rule::AgreementMeasures)
            ),
        ));
    }
    if kind.agreement_only() && !party_is_institution {
        return Err(ApiError::field(
            "measures",
            format!("“{}”只适用于定点医药机构", kind.label()),
        ));
    }
    match kind {
        MeasureKind::AgreementSuspension | MeasureKind::PractitionerSuspension => {
            let months = m.months.ok_or_else(|| {
                ApiError::field("measures", format!("请填写{}的月数", kind.label()))
            })?;
            // 001 art. 19: 1–3 months; 情节较重 3–6 months.
            let (lo, hi) = if m.serious { (3, 6) } else { (1, 3) };
            if months < lo || months > hi {
                return Err(ApiError::field(
                    "measures",
                    format!(
                        "{}期限应为{lo}至{hi}个月{}{}",
                        kind.label(),
                        if m.serious {
                            "（情节较重）"
                        } else {
                            "；情节较重的为3至6个月"
                        },
                        rules.cite(Rule::AgreementMeasures)
                    ),
                ));
            }
        }
        _ => {
            if m.months.is_some() {
                return Err(ApiError::field(
                    "measures",
                    format!("“{}”不设期限月数", kind.label()),
                ));
            }
        }
    }
    if kind == MeasureKind::PractitionerSuspension && m.note.trim().is_empty() {
        return Err(ApiError::field(
            "measures",
            "请在备注中写明被暂停服务资格的医师（药师）姓名",
        ));
    }
    Ok(kind)
}

/// Record decided measures and apply them to the institution's agreement status.
pub fn apply(
    tx: &mut Tx<'_>,
    case_id: i64,
    institution_id: Option<i64>,
    decided_on: NaiveDate,
    measures: &[MeasureInput],
) -> Result<()> {
    for m in measures {
        let kind = m.kind.expect("validated");
        let starts = m.starts_on.unwrap_or(decided_on);
        if starts < decided_on {
            return Err(ApiError::field(
                "measures",
                "处理措施的起始日期不能早于决定日期",
            ));
        }
        // Months of a suspension are calendar months (001 art. 19 "1-3个月").
        let ends = m.months.map(|n| {
            starts
                .checked_add_months(Months::new(n))
                .expect("date in range")
        });
        let id: i64 = tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM agreement_measure",
            [],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO agreement_measure (id, case_id, institution_id, kind, months, serious, starts_on, ends_on, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![id, case_id, institution_id, enum_text(&kind), m.months, m.serious, date_text(starts), ends.map(date_text), m.note.trim(), now_text()],
        )?;
        tx.touch("agreement_measure", id);
        let status = match kind {
            MeasureKind::AgreementSuspension => Some("Suspended"),
            MeasureKind::AgreementTermination => Some("Terminated"),
            _ => None,
        };
        if let (Some(status), Some(inst)) = (status, institution_id) {
            tx.execute(
                "UPDATE institution SET agreement_status = ?1, updated_at = ?2 WHERE id = ?3",
                params![status, now_text(), inst],
            )?;
            tx.touch("institution", inst);
        }
    }
    Ok(())
}

pub fn list(conn: &Connection, case_id: i64) -> Result<Vec<Measure>> {
    let mut stmt =
        conn.prepare_cached("SELECT * FROM agreement_measure WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(Measure {
                id: r.get("id")?,
                case_id: r.get("case_id")?,
                institution_id: r.get("institution_id")?,
                kind: enum_from(r.get("kind")?),
                months: r.get("months")?,
                serious: r.get("serious")?,
                starts_on: opt_date(r.get("starts_on")?)?,
                ends_on: opt_date(r.get("ends_on")?)?,
                note: r.get("note")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The latest termination of an institution's agreement still inside its 3-year ban on `today`:
/// (effective date, date the ban ends).
pub fn termination_ban(
    conn: &Connection,
    institution_id: i64,
    today: NaiveDate,
) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let starts: Option<String> = conn
        .query_row(
            "SELECT MAX(starts_on) FROM agreement_measure WHERE institution_id = ?1 AND kind = 'AgreementTermination'",
            [institution_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(starts) = opt_date(starts)? else {
        return Ok(None);
    };
    // 001 art. 20: "3年内医疗保障经办机构不得与其签订服务协议" — three calendar years.
    let ends = starts
        .checked_add_months(Months::new(36))
        .expect("date in range");
    Ok((today < ends).then_some((starts, ends)))
}

/// Refuse setting an institution's agreement back to Active within 3 years of its termination
/// (001 art. 20). Called by `institution.update` before the registry writes.
pub fn guard_agreement_status(
    conn: &Connection,
    institution_id: i64,
    new_status: Option<AgreementStatus>,
    today: NaiveDate,
) -> Result<()> {
    if new_status.unwrap_or(AgreementStatus::Active) != AgreementStatus::Active {
        return Ok(());
    }
    let current: Option<String> = conn
        .query_row(
            "SELECT agreement_status FROM institution WHERE id = ?1",
            [institution_id],
            |r| r.get(0),
        )
        .optional()?;
    if current.as_deref().is_none_or(|s| s == "Active") {
        return Ok(());
    }
    if let Some((from, until)) = termination_ban(conn, institution_id, today)? {
        return Err(ApiError::illegal(format!(
            "该机构的服务协议已于{}解除，{}前不得重新签订服务协议{}",
            cn_date(from),
            cn_date(until),
            super::rules::office(conn)?.cite_with(
                Rule::TerminationBan,
                "被解除服务协议的定点医药机构，3年内不得与其签订服务协议"
            )
        )));
    }
    Ok(())
}
