//! Agreement measures (协议处理, 001 art. 18–20): interview, rectification order, public criticism,
//! settlement suspension, agreement suspension 1–3 months (3–6 when serious), termination with no
//! new agreement for 3 years (违法违规) or 1 year (serious breach of the agreement), suspension of a
//! practitioner. The ban is enforced when an institution's agreement is set back to Active
//! ([`guard_agreement_status`], and a trigger, last replaced in migration 0025, for every other path).

use super::rules::{Rule, RuleSet};
use chrono::{Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{cn_date, date_text, opt_date, Track};
use crate::error::{ApiError, Result};
use crate::registry::AgreementStatus;
use crate::store::{now_text, Tx};
use crate::vocab::labels::Labeled as _;
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

/// Why an agreement was terminated (《医疗机构医疗保障定点管理暂行办法》 / 《零售药店医疗保障定点管理暂行
/// 办法》, 国家医疗保障局令第2号/第3号): it decides how long no new agreement may be signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum TerminationGround {
    /// 因违法违规被解除: 3 years.
    #[serde(alias = "违法违规")]
    Violation,
    /// 因严重违反医保协议约定被解除: 1 year.
    #[serde(alias = "严重违反协议约定", alias = "严重违约")]
    Breach,
}

crate::labels!(TerminationGround {
    Violation => "违法违规",
    Breach => "严重违反服务协议约定",
});

impl TerminationGround {
    /// What must be fulfilled before the bar lifts after its years (令第2号/第3号).
    pub fn liability(self) -> &'static str {
        match self {
            TerminationGround::Violation => "法律责任",
            TerminationGround::Breach => "违约责任",
        }
    }

    /// Years in which no new agreement may be signed.
    pub fn ban_years(self) -> u32 {
        match self {
            TerminationGround::Violation => 3,
            TerminationGround::Breach => 1,
        }
    }

    /// The last day of the ban after a termination effective on `starts`: the period runs from the
    /// next day, and its last day is the corresponding day `ban_years` later, or the month's last
    /// day when there is none (民法典 art. 201, 202) — a new agreement may be signed the day after.
    pub fn ban_last_day(self, starts: NaiveDate) -> NaiveDate {
        starts
            .checked_add_months(Months::new(12 * self.ban_years()))
            .expect("date in range")
    }
}

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
    /// 限期整改: the day by which the party must have rectified (required when decided).
    #[ts(optional = nullable)]
    pub rectify_by: Option<NaiveDate>,
    /// 解除服务协议: its ground (default 违法违规, the longer ban).
    #[ts(optional = nullable)]
    pub ground: Option<TerminationGround>,
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
    /// 限期整改: the deadline, and the 回头看 (follow-up) once recorded.
    #[ts(optional = nullable)]
    pub rectify_by: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub followed_up_on: Option<NaiveDate>,
    /// The follow-up's finding: rectified, or not (拒不改正).
    #[ts(optional = nullable)]
    pub rectified: Option<bool>,
    pub follow_up_note: String,
    /// 解除服务协议: its ground (None: recorded before grounds were kept, judged as 违法违规).
    #[ts(optional = nullable)]
    pub ground: Option<TerminationGround>,
}

/// `measure.follow_up`: the 回头看 of a 限期整改 — when it was checked, whether the party rectified,
/// and what was seen.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FollowUpInput {
    pub id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub rectified: Option<bool>,
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
    if m.ground.is_some() && kind != MeasureKind::AgreementTermination {
        return Err(ApiError::field(
            "measures",
            format!("“{}”不区分解除原因", kind.label()),
        ));
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
        // 限期整改 names its deadline; no other measure has one.
        let rectify_by = match (kind, m.rectify_by) {
            (MeasureKind::RectificationOrder, None) => {
                return Err(ApiError::field(
                    "measures",
                    "限期整改须写明整改期限（整改完成的日期）",
                ))
            }
            (MeasureKind::RectificationOrder, Some(d)) if d <= starts => {
                return Err(ApiError::field(
                    "measures",
                    format!(
                        "整改期限（{}）应晚于限期整改的起始日期（{}）",
                        cn_date(d),
                        cn_date(starts)
                    ),
                ))
            }
            (MeasureKind::RectificationOrder, d) => d,
            (_, Some(_)) => {
                return Err(ApiError::field(
                    "measures",
                    format!("“{}”不设整改期限", kind.label()),
                ))
            }
            (_, None) => None,
        };
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
            // A termination keeps the persons of the institution at that moment (the 5-year bar
            // follows them, `guard_persons`).
            "INSERT INTO agreement_measure (id, case_id, institution_id, kind, months, serious, starts_on, ends_on, note, created_at, rectify_by, ground,
                                            legal_rep_then, principal_then, controller_then)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, i.legal_rep, i.principal, i.controller
             FROM (SELECT 1) LEFT JOIN institution i ON i.id = ?3 AND ?4 = 'AgreementTermination'",
            params![id, case_id, institution_id, enum_text(&kind), m.months, m.serious, date_text(starts), ends.map(date_text), m.note.trim(), now_text(), rectify_by.map(date_text), m.ground.map(|g| enum_text(&g))],
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

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Measure> {
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
        rectify_by: opt_date(r.get("rectify_by")?)?,
        followed_up_on: opt_date(r.get("followed_up_on")?)?,
        rectified: r.get("rectified")?,
        follow_up_note: r
            .get::<_, Option<String>>("follow_up_note")?
            .unwrap_or_default(),
        ground: r.get::<_, Option<String>>("ground")?.map(|g| enum_from(g)),
    })
}

pub fn list(conn: &Connection, case_id: i64) -> Result<Vec<Measure>> {
    let mut stmt =
        conn.prepare_cached("SELECT * FROM agreement_measure WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// 回头看 of a 限期整改 (issue 9): recorded once, on or after the order took effect. "Not
/// rectified" is kept as the fact of 拒不改正 (001 art. 42(二)) that later cases against the same
/// party show (`refusals_of`).
pub fn follow_up(tx: &mut Tx<'_>, i: &FollowUpInput) -> Result<Measure> {
    let m = tx
        .query_row(
            "SELECT * FROM agreement_measure WHERE id = ?1",
            [i.id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("处理措施"))?;
    if m.kind != MeasureKind::RectificationOrder {
        return Err(ApiError::illegal(format!(
            "“{}”不需要回头看：只有限期整改登记整改结果",
            m.kind.label()
        )));
    }
    if let Some(d) = m.followed_up_on {
        return Err(ApiError::conflict(format!(
            "该限期整改已于{}登记回头看结果，不能重复登记",
            cn_date(d)
        )));
    }
    let on =
        i.on.ok_or_else(|| ApiError::field("on", "请填写回头看的日期"))?;
    if let Some(starts) = m.starts_on {
        crate::vocab::dates::not_before(on, starts, "on", "回头看日期", "限期整改起始日期")?;
    }
    let rectified = i
        .rectified
        .ok_or_else(|| ApiError::field("rectified", "请选择是否已按期整改"))?;
    let note = crate::vocab::text::bounded_text(&i.note, "note", "回头看情况", 500)?;
    if !rectified && note.is_empty() {
        return Err(ApiError::field(
            "note",
            "未整改的，请写明回头看发现的情况（作为拒不改正的事实记录）",
        ));
    }
    tx.execute(
        "UPDATE agreement_measure SET followed_up_on = ?1, rectified = ?2, follow_up_note = ?3 WHERE id = ?4",
        params![date_text(on), rectified, note, m.id],
    )?;
    tx.touch("agreement_measure", m.id);
    Ok(tx.query_row(
        "SELECT * FROM agreement_measure WHERE id = ?1",
        [m.id],
        from_row,
    )?)
}

/// Earlier 限期整改 of this party found not rectified at the 回头看 (拒不改正), as the case page
/// states them: "AJ2026-3 限期整改至2026年5月31日，2026年6月3日回头看未整改：…".
pub fn refusals_of(
    conn: &Connection,
    case_id: i64,
    institution_id: Option<i64>,
    insured_id: Option<i64>,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.case_number, m.rectify_by, m.followed_up_on, m.follow_up_note
         FROM agreement_measure m JOIN case_file c ON c.id = m.case_id
         WHERE m.kind = 'RectificationOrder' AND m.rectified = 0 AND m.case_id <> ?1
           AND ((c.institution_id = ?2 AND ?2 IS NOT NULL) OR (c.insured_id = ?3 AND ?3 IS NOT NULL))
         ORDER BY m.followed_up_on",
    )?;
    let rows = stmt
        .query_map(params![case_id, institution_id, insured_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                opt_date(r.get(1)?)?,
                opt_date(r.get(2)?)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(number, by, on, note)| {
            format!(
                "{number}限期整改至{}，{}回头看未整改：{note}",
                by.map(cn_date).unwrap_or_default(),
                on.map(cn_date).unwrap_or_default()
            )
        })
        .collect())
}

/// A termination whose ban still runs on the day judged: when it took effect, the ban's last day,
/// its ground, and — once the period is over — the matters whose liability is not yet fulfilled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub from: NaiveDate,
    pub last_day: NaiveDate,
    pub ground: TerminationGround,
    /// Case numbers of the matters not yet fulfilled (not closed) that keep the bar after its
    /// period (令第2号/第3号: "已满3年但未完全履行行政处罚法律责任", "已满1年但未完全履行违约责任");
    /// empty while the period runs.
    pub unfulfilled: Vec<String>,
}

impl Ban {
    /// "于2026年1月10日因违法违规被解除服务协议，2029年1月10日（含当日）前不得…", or after the period
    /// "…，期满后其处理（AJ2026-3）尚未履行完毕，履行完毕前不得…".
    fn words(&self) -> String {
        if self.unfulfilled.is_empty() {
            format!(
                "于{}因{}被解除服务协议，{}（含当日）前不得",
                cn_date(self.from),
                self.ground.label(),
                cn_date(self.last_day)
            )
        } else {
            format!(
                "于{}因{}被解除服务协议，期限已于{}届满，但{}尚未结案，{}尚未履行完毕，履行完毕前不得",
                cn_date(self.from),
                self.ground.label(),
                cn_date(self.last_day),
                self.unfulfilled.join("、"),
                self.ground.liability()
            )
        }
    }
}

/// The termination of an institution's agreement whose ban still runs on `on` (see [`ban_of`]).
pub fn termination_ban(
    conn: &Connection,
    institution_id: i64,
    on: NaiveDate,
) -> Result<Option<Ban>> {
    let credit: Option<String> = conn
        .query_row(
            "SELECT credit_code FROM institution WHERE id = ?1",
            [institution_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    ban_of(
        conn,
        Some(institution_id),
        credit.as_deref().unwrap_or(""),
        on,
    )
}

/// The ban follows the legal entity (issue 9): a termination of any institution with the same
/// 统一社会信用代码 counts, also under another 机构编码. Each termination bars for the years of its
/// ground (令第2号/第3号: 3 years after one for 违法违规, 1 year after one for a serious breach of the
/// agreement; a termination recorded without a ground counts as 违法违规), and after them until the
/// liability is fulfilled: the matter that terminated is closed (结案 needs every amount paid, every
/// paper served: `procedure::close`), and after one for 违法违规 also every decided administrative
/// matter against the entity (its 行政处罚法律责任). The ban that runs on `on` and ends last (a ban
/// still waiting for fulfilment ends last of all) is the answer; its last day is included.
fn ban_of(
    conn: &Connection,
    institution_id: Option<i64>,
    credit_code: &str,
    on: NaiveDate,
) -> Result<Option<Ban>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.starts_on, m.ground, c.case_number, c.status
         FROM agreement_measure m JOIN institution i ON i.id = m.institution_id
         JOIN case_file c ON c.id = m.case_id
         WHERE m.kind = 'AgreementTermination'
           AND (i.id IS ?1 OR (?2 <> '' AND i.credit_code = ?2))",
    )?;
    let rows = stmt
        .query_map(params![institution_id, credit_code.trim()], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Decided administrative matters against the entity not yet closed (their penalty unfulfilled).
    let mut open_penalties = conn.prepare_cached(
        "SELECT c.case_number FROM case_file c JOIN institution i ON i.id = c.institution_id
         WHERE c.track = 'Administrative' AND c.status IN ('Decided', 'Executing')
           AND (i.id IS ?1 OR (?2 <> '' AND i.credit_code = ?2))
         ORDER BY c.id",
    )?;
    let penalties = open_penalties
        .query_map(params![institution_id, credit_code.trim()], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut latest: Option<Ban> = None;
    for (starts, ground, number, status) in rows {
        let Some(from) = opt_date(starts)? else {
            continue;
        };
        let ground = ground
            .map(enum_from::<TerminationGround>)
            .unwrap_or(TerminationGround::Violation);
        let last_day = ground.ban_last_day(from);
        let unfulfilled = if on <= last_day {
            Vec::new()
        } else {
            let mut open: Vec<String> = Vec::new();
            if !matches!(status.as_str(), "Closed" | "Dropped") {
                open.push(number);
            }
            if ground == TerminationGround::Violation {
                for n in &penalties {
                    if !open.contains(n) {
                        open.push(n.clone());
                    }
                }
            }
            if open.is_empty() {
                continue;
            }
            open
        };
        let ban = Ban {
            from,
            last_day,
            ground,
            unfulfilled,
        };
        let ends_later = |l: &Ban| {
            (!ban.unfulfilled.is_empty(), ban.last_day) > (!l.unfulfilled.is_empty(), l.last_day)
        };
        if latest.as_ref().is_none_or(ends_later) {
            latest = Some(ban);
        }
    }
    Ok(latest)
}

/// The office's citation of the ban (the national measures; a preset may name its own document).
fn ban_citation(conn: &Connection) -> Result<String> {
    Ok(super::rules::office(conn)?.cite_with(
        Rule::TerminationBan,
        "因违法违规被解除服务协议的，3年内及期满后未完全履行行政处罚法律责任的，不得与其签订服务协议；因严重违反协议约定被解除的，1年内及期满后未完全履行违约责任的，不得签订",
    ))
}

/// The day the bar is judged on: the application's date (申请日期), not the clerk's clock (issue 9);
/// today when none is given, never a day after today.
pub fn judged_on(applied_on: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate> {
    match applied_on {
        Some(d) if d > today => Err(ApiError::field(
            "applied_on",
            format!("申请日期（{}）不能晚于今天", cn_date(d)),
        )),
        Some(d) => Ok(d),
        None => Ok(today),
    }
}

/// Refuse registering a new institution with an active agreement whose legal entity (统一社会信用代码)
/// was terminated within the ban (issue 9: the ban follows the entity, also under a new 机构编码),
/// judged on the application's date.
pub fn guard_new_institution(
    conn: &Connection,
    credit_code: &str,
    status: Option<AgreementStatus>,
    applied_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    let today = judged_on(applied_on, today)?;
    if status.unwrap_or(AgreementStatus::Active) != AgreementStatus::Active {
        return Ok(());
    }
    if let Some(ban) = ban_of(conn, None, credit_code, today)? {
        return Err(ApiError::field(
            "agreement_status",
            format!(
                "统一社会信用代码为{}的单位已{}以新的机构编码重新签订服务协议{}",
                credit_code.trim(),
                ban.words(),
                ban_citation(conn)?
            ),
        ));
    }
    Ok(())
}

/// Refuse setting an institution's agreement back to Active while the ban of its termination runs
/// ([`ban_of`]). Called by `institution.update` before the registry writes.
pub fn guard_agreement_status(
    conn: &Connection,
    institution_id: i64,
    new_status: Option<AgreementStatus>,
    applied_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    let today = judged_on(applied_on, today)?;
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
    if let Some(ban) = termination_ban(conn, institution_id, today)? {
        return Err(ApiError::illegal(format!(
            "该机构已{}重新签订服务协议{}",
            ban.words(),
            ban_citation(conn)?
        )));
    }
    Ok(())
}

/// The persons an institution names, with the title each holds there.
fn persons(legal_rep: &str, principal: &str, controller: &str) -> Vec<(&'static str, String)> {
    [
        ("法定代表人", legal_rep),
        ("主要负责人", principal),
        ("实际控制人", controller),
    ]
    .into_iter()
    .map(|(title, name)| (title, name.trim().to_string()))
    .filter(|(_, name)| !name.is_empty())
    .collect()
}

/// Years a person who caused a termination for 违法违规 bars the institutions they lead.
const PERSON_BAN_YEARS: u32 = 5;

/// The 5-year bar on persons (令第2号/第3号: 法定代表人、主要负责人或实际控制人曾因严重违法违规导致原定点
/// 医药机构被解除服务协议的，自解除之日起5年内不予受理其定点申请). Judged when an institution is
/// registered with an agreement, set back to one, or names new persons while it has one: a person
/// named on it who was 法定代表人/主要负责人/实际控制人 of another legal entity whose agreement was
/// terminated for 违法违规 (or without a recorded ground) within 5 years of the day judged (the
/// corresponding day included, 民法典 art. 201–202) is refused — unless the clerk states, in
/// 同名核实说明, how the namesake was found to be another person (persons are known here by name
/// only). The note is kept on the institution, so the finding is audited.
pub fn guard_persons(
    conn: &Connection,
    id: Option<i64>,
    input: &crate::registry::InstitutionInput,
    today: NaiveDate,
) -> Result<()> {
    let on = judged_on(input.applied_on, today)?;
    if input.agreement_status.unwrap_or(AgreementStatus::Active) != AgreementStatus::Active {
        return Ok(());
    }
    let stored = match id {
        Some(id) => Some(crate::registry::get::<crate::registry::Institutions>(
            conn, id,
        )?),
        None => None,
    };
    let becomes_active = stored
        .as_ref()
        .is_none_or(|s| s.agreement_status != AgreementStatus::Active);
    let before: Vec<String> = stored
        .as_ref()
        .map(|s| persons(&s.legal_rep, &s.principal, &s.controller))
        .unwrap_or_default()
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    // Judged: every person of an application; on an institution already under agreement, the persons
    // it names anew.
    let judged: Vec<(&str, String)> =
        persons(&input.legal_rep, &input.principal, &input.controller)
            .into_iter()
            .filter(|(_, n)| becomes_active || !before.contains(n))
            .collect();
    if judged.is_empty() {
        return Ok(());
    }
    let note = input.namesake_note.trim();
    if !note.is_empty()
        && stored
            .as_ref()
            .is_none_or(|s| s.namesake_note.trim() != note)
    {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT i.name, i.credit_code, i.legal_rep, i.principal, i.controller, m.starts_on,
                m.legal_rep_then, m.principal_then, m.controller_then
         FROM agreement_measure m JOIN institution i ON i.id = m.institution_id
         WHERE m.kind = 'AgreementTermination' AND COALESCE(m.ground, 'Violation') = 'Violation'
           AND i.id IS NOT ?1 AND i.credit_code <> ?2
         ORDER BY m.starts_on DESC",
    )?;
    let rows = stmt
        .query_map(params![id, input.credit_code.trim()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                r.get::<_, Option<String>>(5)?,
                [
                    r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                ],
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut found = Vec::new();
    for (name, credit, legal_rep, principal, controller, starts, then) in rows {
        let Some(from) = opt_date(starts)? else {
            continue;
        };
        let last_day = from
            .checked_add_months(Months::new(12 * PERSON_BAN_YEARS))
            .expect("date in range");
        if on > last_day {
            continue;
        }
        // The persons at the termination, then those named since (a person replaced afterwards is
        // still the one who caused it).
        let mut theirs = persons(&then[0], &then[1], &then[2]);
        for p in persons(&legal_rep, &principal, &controller) {
            if !theirs.contains(&p) {
                theirs.push(p);
            }
        }
        for (their_title, their_name) in theirs {
            for (title, person) in &judged {
                if *person == their_name {
                    found.push(format!(
                        "{title}{person}与{name}（统一社会信用代码{credit}）的{their_title}同名，该机构于{}因违法违规被解除服务协议，如系同一人，{}（含当日）前不予受理定点申请",
                        cn_date(from),
                        cn_date(last_day)
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let citation = super::rules::office(conn)?.cite_with(
        Rule::TerminationBan,
        "法定代表人、主要负责人或实际控制人曾因严重违法违规导致原定点医药机构被解除服务协议的，自解除之日起5年内不予受理定点申请",
    );
    Err(ApiError::field(
        "namesake_note",
        format!(
            "{}{citation}。如经核实并非同一人，请在“同名核实说明”中写明核实情况（如核对的身份证件）后再保存",
            found.join("；")
        ),
    ))
}
