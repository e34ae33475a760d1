//! What the city sends down besides its answers and assigned leads (issue 11, "Downward"):
//! registry updates for the county's institutions, a year's holiday calendar, and the rule-profile
//! values as a new preset version.
//!
//! At the city every publication is a row of `down_publication` (audited; its id is the city's
//! publication seq). Every acknowledgement for a county carries the newest publication of each key
//! addressed to it (`Ack.down`, signed and encrypted with the rest). The county applies each once,
//! keyed by (origin, seq), into `down_received` (audited): a publication it holds, or one older
//! than one it holds for the same key, changes nothing — so the same acknowledgement twice, or an
//! older one after a newer one, writes nothing. What arrives is applied at once only where the
//! county has nothing of its own (an institution it does not hold, a year it has no calendar for);
//! otherwise it waits as a pending change, shown old → new per field, until the county adopts it
//! (`down.apply`, audited) or keeps its own (`down.keep`). A profile version always waits for its
//! explicit adoption, and adopting it keeps every value the county edited itself.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::require_level;
use crate::calendar::{WorkCalendar, YearData};
use crate::cases::profile::{self, RuleProfile};
use crate::cases::rules::{OffsetPolicy, Rule, RulePreset};
use crate::error::{ApiError, Result};
use crate::office::{self, CalendarYearInput, OfficeLevel};
use crate::registry::{self, AgreementStatus, Institution, InstitutionInput, Institutions};
use crate::store::{now_text, Tx};
use crate::vocab::dates::{date_text, parse_stored_date, today_local};
use crate::vocab::text::{bounded_text, enum_from, enum_text};
use crate::vocab::Labeled;

/// Chinese labels of the request fields.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("codes", "机构编码"),
    ("year", "年度"),
    ("title", "名称"),
    ("counties", "县级单位"),
    ("fields", "采用的项目"),
    ("note", "说明"),
];

/// What a publication carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum DownKind {
    #[serde(alias = "机构信息")]
    Institution,
    #[serde(alias = "节假日安排")]
    Calendar,
    #[serde(alias = "规则配置")]
    Profile,
}

crate::labels!(DownKind { Institution => "定点医药机构信息", Calendar => "节假日安排", Profile => "规则配置" });

/// Where a received publication stands at the county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum DownStatus {
    Pending,
    Applied,
    Kept,
    Superseded,
}

crate::labels!(DownStatus {
    Pending => "待处理",
    Applied => "已采用",
    Kept => "保留本单位的",
    Superseded => "已由更新的下发取代",
});

/// One publication as it travels in the acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownItem {
    pub seq: i64,
    pub kind: DownKind,
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub published_on: NaiveDate,
    pub data: Value,
}

// ---------------------------------------------------------------------------------------------
// The city: publishing

/// `down.publish`: what the city sends down to its counties.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DownPublish {
    #[ts(optional = nullable)]
    pub kind: Option<DownKind>,
    /// Institutions: the 机构编码 to send; empty: every institution changed since it was last sent.
    pub codes: Vec<String>,
    /// Calendar: the year.
    #[ts(optional = nullable)]
    pub year: Option<i32>,
    /// Profile: the version's name (default 市局规则配置（第N版）).
    pub title: String,
    /// 行政区划代码 of the counties it is for; empty: every registered county.
    pub counties: Vec<String>,
}

/// A publication as the city lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Publication {
    pub seq: i64,
    pub kind: DownKind,
    pub key: String,
    pub title: String,
    #[ts(optional = nullable)]
    pub version: Option<i64>,
    /// The counties' names; empty: every registered county.
    pub counties: Vec<String>,
    pub published_on: NaiveDate,
    pub published_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DownPublished {
    pub published: Vec<Publication>,
    pub summary: String,
}

/// The institution fields that go down (the 同名核实说明 is the office's own note and stays).
const INSTITUTION_FIELDS: &[&str] = &[
    "code",
    "name",
    "kind",
    "credit_code",
    "address",
    "legal_rep",
    "contact",
    "contact_person",
    "principal",
    "controller",
    "agreement_status",
];

/// The profile's working settings of the office itself: never sent, never replaced.
const LOCAL_SETTINGS: &[&str] = &["due_soon_days", "idle_lock_minutes", "backups_kept"];

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(e.to_string()))
}

fn institution_input(i: &Institution) -> InstitutionInput {
    InstitutionInput {
        code: i.code.clone(),
        name: i.name.clone(),
        kind: Some(i.kind),
        credit_code: i.credit_code.clone(),
        address: i.address.clone(),
        legal_rep: i.legal_rep.clone(),
        contact: i.contact.clone(),
        contact_person: i.contact_person.clone(),
        principal: i.principal.clone(),
        controller: i.controller.clone(),
        namesake_note: i.namesake_note.clone(),
        agreement_status: Some(i.agreement_status),
        applied_on: None,
    }
}

/// The city's institution as it travels: the shared fields only.
fn institution_data(i: &Institution) -> Result<Value> {
    let mut input = institution_input(i);
    input.namesake_note = String::new();
    to_value(&input)
}

/// A field of an institution as the user reads it.
fn shown(i: &InstitutionInput, f: &str) -> String {
    match f {
        "code" => i.code.clone(),
        "name" => i.name.clone(),
        "kind" => i.kind.map(|k| k.label().to_string()).unwrap_or_default(),
        "credit_code" => i.credit_code.clone(),
        "address" => i.address.clone(),
        "legal_rep" => i.legal_rep.clone(),
        "contact" => i.contact.clone(),
        "contact_person" => i.contact_person.clone(),
        "principal" => i.principal.clone(),
        "controller" => i.controller.clone(),
        "agreement_status" => i
            .agreement_status
            .unwrap_or(AgreementStatus::Active)
            .label()
            .to_string(),
        _ => String::new(),
    }
}

/// Take field `f` of `from` into `to`.
fn take(to: &mut InstitutionInput, from: &InstitutionInput, f: &str) {
    match f {
        "code" => to.code = from.code.clone(),
        "name" => to.name = from.name.clone(),
        "kind" => to.kind = from.kind,
        "credit_code" => to.credit_code = from.credit_code.clone(),
        "address" => to.address = from.address.clone(),
        "legal_rep" => to.legal_rep = from.legal_rep.clone(),
        "contact" => to.contact = from.contact.clone(),
        "contact_person" => to.contact_person = from.contact_person.clone(),
        "principal" => to.principal = from.principal.clone(),
        "controller" => to.controller = from.controller.clone(),
        "agreement_status" => to.agreement_status = from.agreement_status,
        _ => {}
    }
}

/// The profile values a city publishes: everything but the office's own working settings.
fn profile_values(p: &RuleProfile) -> Result<Map<String, Value>> {
    let mut m = match to_value(p)? {
        Value::Object(m) => m,
        _ => return Err(ApiError::internal("规则配置无法读取")),
    };
    for k in LOCAL_SETTINGS {
        m.remove(*k);
    }
    Ok(m)
}

/// The year's arrangement this office counts with: its own entry, else the shipped one.
fn office_year(c: &Connection, year: i32) -> Result<Option<YearData>> {
    let own: Option<String> = c
        .query_row(
            "SELECT data FROM calendar_year WHERE year = ?1",
            [year],
            |r| r.get(0),
        )
        .optional()?;
    match own {
        Some(s) => Ok(Some(
            serde_json::from_str(&s).map_err(|e| ApiError::internal(e.to_string()))?,
        )),
        None => Ok(WorkCalendar::builtin_year(year)),
    }
}

fn registered_counties(c: &Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = c.prepare(
        "SELECT code, name FROM exchange_peer WHERE role = 'county' AND revoked_at IS NULL ORDER BY code",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()?;
    Ok(rows)
}

/// Whether `data` is what was last published for the key to the same counties (nothing to send).
fn same_as_last(
    c: &Connection,
    kind: DownKind,
    key: &str,
    counties: &Option<String>,
    data: &Value,
) -> Result<bool> {
    let last: Option<String> = c
        .query_row(
            "SELECT data FROM down_publication WHERE kind = ?1 AND key = ?2 AND counties IS ?3 ORDER BY id DESC LIMIT 1",
            params![enum_text(&kind), key, counties],
            |r| r.get(0),
        )
        .optional()?;
    Ok(last
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .as_ref()
        == Some(data))
}

#[allow(clippy::too_many_arguments)]
fn insert_publication(
    tx: &mut Tx<'_>,
    by: i64,
    kind: DownKind,
    key: &str,
    title: &str,
    data: &Value,
    version: Option<i64>,
    counties: &Option<String>,
) -> Result<i64> {
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM down_publication",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO down_publication (id, kind, key, title, data, counties, version, published_on, published_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            enum_text(&kind),
            key,
            title,
            data.to_string(),
            counties,
            version,
            date_text(today_local()),
            by,
            now_text()
        ],
    )?;
    tx.touch("down_publication", id);
    Ok(id)
}

/// The registered county a 机构编码 belongs to: the national codes of 定点医药机构 are a letter (H
/// 医疗机构, P 零售药店) followed by the 6-digit 行政区划代码 of the place and a sequence number
/// (医疗保障信息业务编码标准), so `H37010200009` is an institution of 370102.
fn county_of(code: &str, registered: &BTreeMap<String, String>) -> Option<String> {
    let division = code.get(1..7)?;
    (code.starts_with(|c: char| c.is_ascii_uppercase())
        && division.bytes().all(|b| b.is_ascii_digit())
        && registered.contains_key(division))
    .then(|| division.to_string())
}

/// `down.publish` (city): record what goes down; it travels with each addressed county's next
/// acknowledgement. Unchanged content (the same as last sent to the same counties) is not sent again.
pub fn publish(tx: &mut Tx<'_>, by: i64, r: &DownPublish) -> Result<DownPublished> {
    require_level(tx, OfficeLevel::City, "下发到区县")?;
    let kind = r
        .kind
        .ok_or_else(|| ApiError::field("kind", "请选择下发的内容"))?;
    let registered = registered_counties(tx)?;
    let mut counties: Vec<String> = r.counties.iter().map(|c| c.trim().to_string()).collect();
    counties.sort();
    counties.dedup();
    if let Some(c) = counties.iter().find(|c| !registered.contains_key(*c)) {
        return Err(ApiError::field(
            "counties",
            format!("{c}不是已登记且在用的县级单位"),
        ));
    }
    let counties_text = if counties.is_empty() {
        None
    } else {
        Some(to_value(&counties)?.to_string())
    };
    let mut ids = Vec::new();
    match kind {
        DownKind::Institution => {
            let all: Vec<Institution> = if r.codes.is_empty() {
                let mut stmt = tx.prepare("SELECT id FROM institution ORDER BY code")?;
                let ids = stmt
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                ids.into_iter()
                    .map(|id| registry::get::<Institutions>(tx, id))
                    .collect::<Result<_>>()?
            } else {
                let mut out = Vec::new();
                for code in &r.codes {
                    let code = code.trim().to_uppercase();
                    let id: i64 = tx
                        .query_row("SELECT id FROM institution WHERE code = ?1", [&code], |r| {
                            r.get(0)
                        })
                        .optional()?
                        .ok_or_else(|| {
                            ApiError::field(
                                "codes",
                                format!("机构编码{code}不在本单位的定点医药机构中"),
                            )
                        })?;
                    out.push(registry::get::<Institutions>(tx, id)?);
                }
                out
            };
            for i in all {
                let data = institution_data(&i)?;
                // Not addressed: to the county the 机构编码 names, when it is registered here.
                let to = match (&counties_text, county_of(&i.code, &registered)) {
                    (None, Some(county)) => Some(to_value(&[county])?.to_string()),
                    _ => counties_text.clone(),
                };
                if same_as_last(tx, kind, &i.code, &to, &data)? {
                    continue;
                }
                ids.push(insert_publication(
                    tx, by, kind, &i.code, &i.name, &data, None, &to,
                )?);
            }
            if ids.is_empty() {
                return Err(ApiError::illegal(
                    "所选机构自上次下发以来没有变更，无需再次下发",
                ));
            }
        }
        DownKind::Calendar => {
            let year = r
                .year
                .ok_or_else(|| ApiError::field("year", "请填写下发的年度"))?;
            let data = office_year(tx, year)?.ok_or_else(|| {
                ApiError::field(
                    "year",
                    format!(
                        "本单位的工作日历中没有{year}年的节假日安排，请先在 设置 · 工作日历 中录入"
                    ),
                )
            })?;
            let data = to_value(&data)?;
            let key = year.to_string();
            if same_as_last(tx, kind, &key, &counties_text, &data)? {
                return Err(ApiError::illegal(format!(
                    "{year}年的节假日安排已经下发过，且没有变更"
                )));
            }
            ids.push(insert_publication(
                tx,
                by,
                kind,
                &key,
                &format!("{year}年节假日安排"),
                &data,
                None,
                &counties_text,
            )?);
        }
        DownKind::Profile => {
            let data = Value::Object(profile_values(&profile::load(tx)?)?);
            if same_as_last(tx, kind, "profile", &counties_text, &data)? {
                return Err(ApiError::illegal(
                    "本单位的规则配置自上次下发以来没有变更，无需再次下发",
                ));
            }
            let version: i64 = tx.query_row(
                "SELECT COUNT(*) + 1 FROM down_publication WHERE kind = 'Profile'",
                [],
                |r| r.get(0),
            )?;
            let title = bounded_text(&r.title, "title", "名称", 100)?;
            let title = if title.is_empty() {
                format!("市局规则配置（第{version}版）")
            } else {
                title
            };
            ids.push(insert_publication(
                tx,
                by,
                kind,
                "profile",
                &title,
                &data,
                Some(version),
                &counties_text,
            )?);
        }
    }
    let published = ids
        .iter()
        .map(|id| publication(tx, *id))
        .collect::<Result<Vec<_>>>()?;
    let to = if counties.is_empty() && kind == DownKind::Institution {
        "机构编码所属的县级单位（不属于已登记区县的机构发往所有县级单位）".to_string()
    } else if counties.is_empty() {
        "所有已登记的县级单位".to_string()
    } else {
        counties
            .iter()
            .map(|c| registered.get(c).cloned().unwrap_or_else(|| c.clone()))
            .collect::<Vec<_>>()
            .join("、")
    };
    Ok(DownPublished {
        summary: format!(
            "已下发{}{}项，随对{to}的下一份确认回执送达",
            kind.label(),
            published.len()
        ),
        published,
    })
}

const PUBLICATION: &str = "SELECT d.id, d.kind, d.key, d.title, d.version, d.counties, d.published_on,
    COALESCE(u.display_name, '') FROM down_publication d LEFT JOIN app_user u ON u.id = d.published_by";

fn publication_row(
    names: &BTreeMap<String, String>,
) -> impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<Publication> + '_ {
    move |r| {
        let counties: Option<String> = r.get(5)?;
        let counties: Vec<String> = counties
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        Ok(Publication {
            seq: r.get(0)?,
            kind: enum_from(r.get(1)?),
            key: r.get(2)?,
            title: r.get(3)?,
            version: r.get(4)?,
            counties: counties
                .into_iter()
                .map(|c| names.get(&c).cloned().unwrap_or(c))
                .collect(),
            published_on: parse_stored_date(&r.get::<_, String>(6)?)?,
            published_by: r.get(7)?,
        })
    }
}

fn county_names(c: &Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = c.prepare("SELECT code, name FROM exchange_peer WHERE role = 'county'")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()?;
    Ok(rows)
}

fn publication(c: &Connection, id: i64) -> Result<Publication> {
    let names = county_names(c)?;
    Ok(c.query_row(
        &format!("{PUBLICATION} WHERE d.id = ?1"),
        [id],
        publication_row(&names),
    )?)
}

/// `down.published` (city): what it sent down, newest first.
pub fn published(c: &Connection) -> Result<Vec<Publication>> {
    let names = county_names(c)?;
    let mut stmt = c.prepare(&format!("{PUBLICATION} ORDER BY d.id DESC LIMIT 500"))?;
    let rows = stmt
        .query_map([], publication_row(&names))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// What goes down to `county` with its acknowledgement: the newest publication of each key
/// addressed to it (to every county, or to it by name), in the city's order.
pub fn for_county(c: &Connection, county: &str) -> Result<Vec<DownItem>> {
    let mut stmt = c.prepare(
        "SELECT id, kind, key, title, version, published_on, data FROM down_publication
         WHERE counties IS NULL OR EXISTS (SELECT 1 FROM json_each(down_publication.counties) WHERE value = ?1)
         ORDER BY id",
    )?;
    let rows = stmt
        .query_map([county], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut newest: BTreeMap<(String, String), DownItem> = BTreeMap::new();
    for (seq, kind, key, title, version, on, data) in rows {
        newest.insert(
            (kind.clone(), key.clone()),
            DownItem {
                seq,
                kind: enum_from(kind),
                key,
                title,
                version,
                published_on: parse_stored_date(&on)?,
                data: serde_json::from_str(&data).map_err(|e| ApiError::internal(e.to_string()))?,
            },
        );
    }
    let mut out: Vec<DownItem> = newest.into_values().collect();
    out.sort_by_key(|i| i.seq);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The county: applying

/// What importing an acknowledgement did with the city's publications.
#[derive(Debug, Default)]
pub struct DownApplied {
    /// New publications taken in.
    pub received: i64,
    /// Of them, applied on arrival (nothing of the county's own was there).
    pub applied: i64,
    /// Of them, waiting for 采用 / 保留本单位的.
    pub pending: i64,
}

impl DownApplied {
    pub fn note(&self) -> String {
        if self.received == 0 {
            return String::new();
        }
        let mut s = format!("；收到市局下发事项{}项", self.received);
        if self.applied > 0 {
            s.push_str(&format!("，已直接采用{}项", self.applied));
        }
        if self.pending > 0 {
            s.push_str(&format!(
                "，{}项待处理（数据交换 · 市局下发）",
                self.pending
            ));
        }
        s
    }
}

fn decode<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T> {
    serde_json::from_value(v.clone())
        .map_err(|_| ApiError::validation("市局下发的内容无法读取，请联系市局；本次未作任何改动"))
}

fn institution_by_code(c: &Connection, code: &str) -> Result<Option<Institution>> {
    let id: Option<i64> = c
        .query_row("SELECT id FROM institution WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .optional()?;
    id.map(|id| registry::get::<Institutions>(c, id))
        .transpose()
}

/// Add an institution the county does not hold, with the checks `institution.create` makes.
fn add_institution(tx: &mut Tx<'_>, input: &InstitutionInput) -> Result<()> {
    let today = today_local();
    crate::cases::measures::guard_new_institution(
        tx,
        &input.credit_code,
        input.agreement_status,
        None,
        today,
    )?;
    crate::cases::measures::guard_persons(tx, None, input, today)?;
    registry::create::<Institutions>(tx, input)?;
    Ok(())
}

fn cn_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

fn holidays_text(y: &YearData) -> String {
    if y.holidays.is_empty() {
        return "无".into();
    }
    y.holidays
        .iter()
        .map(|(a, b)| {
            if a == b {
                cn_day(*a)
            } else {
                format!("{}至{}", cn_day(*a), cn_day(*b))
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn workdays_text(y: &YearData) -> String {
    if y.workdays.is_empty() {
        return "无".into();
    }
    y.workdays
        .iter()
        .map(|d| cn_day(*d))
        .collect::<Vec<_>>()
        .join("、")
}

fn same_year(a: &YearData, b: &YearData) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

/// Take in the city's publications carried by an acknowledgement, once each by (origin, seq).
pub fn apply_down(tx: &mut Tx<'_>, origin: &str, items: &[DownItem]) -> Result<DownApplied> {
    let mut out = DownApplied::default();
    for item in items {
        let kind = enum_text(&item.kind);
        // Held already, or older than what is held for the same key: nothing to do.
        let newest: Option<i64> = tx.query_row(
            "SELECT MAX(seq) FROM down_received WHERE origin = ?1 AND kind = ?2 AND key = ?3",
            params![origin, kind, item.key],
            |r| r.get(0),
        )?;
        if newest.is_some_and(|s| s >= item.seq) {
            continue;
        }
        let held: Option<i64> = tx
            .query_row(
                "SELECT id FROM down_received WHERE origin = ?1 AND seq = ?2",
                params![origin, item.seq],
                |r| r.get(0),
            )
            .optional()?;
        if held.is_some() {
            continue;
        }
        // A newer publication replaces one still waiting.
        let waiting = {
            let mut stmt = tx.prepare(
                "SELECT id FROM down_received WHERE origin = ?1 AND kind = ?2 AND key = ?3 AND status = 'Pending'",
            )?;
            let ids = stmt
                .query_map(params![origin, kind, item.key], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids
        };
        for id in waiting {
            tx.execute(
                "UPDATE down_received SET status = 'Superseded', outcome = ?2, decided_at = ?3 WHERE id = ?1",
                params![id, format!("市局第{}号下发取代", item.seq), now_text()],
            )?;
            tx.touch("down_received", id);
        }
        let (status, outcome) = match item.kind {
            DownKind::Institution => {
                let city: InstitutionInput = decode(&item.data)?;
                match institution_by_code(tx, &item.key)? {
                    None => match add_institution(tx, &city) {
                        Ok(()) => (DownStatus::Applied, "本单位原无该机构，已新增".to_string()),
                        Err(e) => (DownStatus::Pending, format!("未能直接新增：{}", e.message)),
                    },
                    Some(own) => {
                        let own = institution_input(&own);
                        if INSTITUTION_FIELDS
                            .iter()
                            .all(|f| shown(&own, f) == shown(&city, f))
                        {
                            (DownStatus::Applied, "与本单位的登记一致".to_string())
                        } else {
                            (DownStatus::Pending, String::new())
                        }
                    }
                }
            }
            DownKind::Calendar => {
                let year: i32 = item
                    .key
                    .parse()
                    .map_err(|_| ApiError::validation("市局下发的年度无法读取"))?;
                let city: YearData = decode(&item.data)?;
                match office_year(tx, year)? {
                    None => {
                        office::set_year(tx, &CalendarYearInput { year, data: city })?;
                        (
                            DownStatus::Applied,
                            format!("本单位原无{year}年的节假日安排，已直接采用"),
                        )
                    }
                    Some(own) if same_year(&own, &city) => {
                        (DownStatus::Applied, "与本单位的日历一致".to_string())
                    }
                    Some(_) => (DownStatus::Pending, String::new()),
                }
            }
            DownKind::Profile => (DownStatus::Pending, String::new()),
        };
        let id: i64 = tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM down_received",
            [],
            |r| r.get(0),
        )?;
        let now = now_text();
        tx.execute(
            "INSERT INTO down_received (id, origin, seq, kind, key, title, data, version, published_on, status, outcome, decided_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                id,
                origin,
                item.seq,
                kind,
                item.key,
                item.title,
                item.data.to_string(),
                item.version,
                date_text(item.published_on),
                enum_text(&status),
                outcome,
                (status == DownStatus::Applied).then(|| now.clone()),
                now
            ],
        )?;
        tx.touch("down_received", id);
        out.received += 1;
        match status {
            DownStatus::Applied => out.applied += 1,
            _ => out.pending += 1,
        }
    }
    Ok(out)
}

/// `down.list`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DownQuery {
    /// Also what was decided already (newest first after the pending ones).
    pub all: bool,
}

/// One field a pending publication changes: the county's value → the city's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownChange {
    pub field: String,
    pub label: String,
    pub old: String,
    pub new: String,
    /// The county edited this value itself: adopting the version keeps the county's value.
    pub own: bool,
}

/// A publication received from the city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownReceived {
    pub id: i64,
    pub origin: String,
    pub seq: i64,
    pub kind: DownKind,
    pub key: String,
    pub title: String,
    #[ts(optional = nullable)]
    pub version: Option<i64>,
    pub published_on: NaiveDate,
    pub status: DownStatus,
    pub outcome: String,
    /// What adopting it changes (pending items only).
    pub changes: Vec<DownChange>,
    pub received_at: String,
    #[ts(optional = nullable)]
    pub decided_at: Option<String>,
    pub decided_by: String,
}

const RECEIVED: &str =
    "SELECT d.id, d.origin, d.seq, d.kind, d.key, d.title, d.version, d.published_on, d.status,
    d.outcome, d.received_at, d.decided_at, COALESCE(u.display_name, ''), d.data
    FROM down_received d LEFT JOIN app_user u ON u.id = d.decided_by";

fn received_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(DownReceived, String)> {
    Ok((
        DownReceived {
            id: r.get(0)?,
            origin: r.get(1)?,
            seq: r.get(2)?,
            kind: enum_from(r.get(3)?),
            key: r.get(4)?,
            title: r.get(5)?,
            version: r.get(6)?,
            published_on: parse_stored_date(&r.get::<_, String>(7)?)?,
            status: enum_from(r.get(8)?),
            outcome: r.get(9)?,
            changes: Vec::new(),
            received_at: r.get(10)?,
            decided_at: r.get(11)?,
            decided_by: r.get(12)?,
        },
        r.get(13)?,
    ))
}

fn with_changes(c: &Connection, (mut d, data): (DownReceived, String)) -> Result<DownReceived> {
    if d.status == DownStatus::Pending {
        let data: Value =
            serde_json::from_str(&data).map_err(|e| ApiError::internal(e.to_string()))?;
        d.changes = changes(c, d.kind, &d.key, d.seq, &data)?;
    }
    Ok(d)
}

/// `down.list` (county): the city's publications, pending first.
pub fn list(c: &Connection, q: &DownQuery) -> Result<Vec<DownReceived>> {
    let filter = if q.all {
        ""
    } else {
        "WHERE d.status = 'Pending'"
    };
    let mut stmt = c.prepare(&format!(
        "{RECEIVED} {filter} ORDER BY d.status <> 'Pending', d.seq DESC LIMIT 500"
    ))?;
    let rows = stmt
        .query_map([], received_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|r| with_changes(c, r)).collect()
}

fn received(c: &Connection, id: i64) -> Result<(DownReceived, String)> {
    c.query_row(&format!("{RECEIVED} WHERE d.id = ?1"), [id], received_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found("市局下发事项"))
}

/// The city's institution as the county last decided on it (adopted, kept, or added on arrival).
fn previous_decided(c: &Connection, key: &str, seq: i64) -> Result<Option<InstitutionInput>> {
    let data: Option<String> = c
        .query_row(
            "SELECT data FROM down_received WHERE kind = 'Institution' AND key = ?1 AND seq < ?2
             AND status IN ('Applied', 'Kept') ORDER BY seq DESC LIMIT 1",
            params![key, seq],
            |r| r.get(0),
        )
        .optional()?;
    data.map(|t| serde_json::from_str(&t).map_err(|e| ApiError::internal(e.to_string())))
        .transpose()
}

/// The fields of the county's institution that differ from the city's, each marked `own` when the
/// city's value is the one the county already decided on before (the county kept its own value, or
/// edited it after adopting): 采用 without naming fields leaves those the county's.
fn institution_changes(
    c: &Connection,
    key: &str,
    seq: i64,
    data: &Value,
) -> Result<Vec<DownChange>> {
    let city: InstitutionInput = decode(data)?;
    let own = institution_by_code(c, key)?.map(|i| institution_input(&i));
    let before = previous_decided(c, key, seq)?;
    Ok(INSTITUTION_FIELDS
        .iter()
        .filter_map(|f| {
            let old = own.as_ref().map(|o| shown(o, f)).unwrap_or_default();
            let new = shown(&city, f);
            (old != new).then(|| DownChange {
                field: f.to_string(),
                label: registry::field_label(f),
                old,
                own: own.is_some() && before.as_ref().is_some_and(|b| shown(b, f) == new),
                new,
            })
        })
        .collect())
}

fn calendar_changes(c: &Connection, key: &str, data: &Value) -> Result<Vec<DownChange>> {
    let city: YearData = decode(data)?;
    let year: i32 = key.parse().unwrap_or_default();
    let own = office_year(c, year)?;
    let row = |field: &str, label: &str, f: fn(&YearData) -> String| {
        let old = own.as_ref().map(f).unwrap_or_else(|| "无".into());
        let new = f(&city);
        (old != new).then(|| DownChange {
            field: field.into(),
            label: label.into(),
            old,
            new,
            own: false,
        })
    };
    Ok([
        row("source", "依据", |y| y.source.clone()),
        row("holidays", "放假", holidays_text),
        row("workdays", "调休上班", workdays_text),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// A profile value as the user reads it.
fn profile_text(key: &str, v: &Value) -> String {
    match (key, v) {
        ("preset", Value::String(s)) => {
            serde_json::from_value::<RulePreset>(Value::String(s.clone()))
                .map(|p| p.label().to_string())
                .unwrap_or_else(|_| s.clone())
        }
        ("offset_policy", Value::String(s)) => {
            serde_json::from_value::<OffsetPolicy>(Value::String(s.clone()))
                .map(|p| p.label().to_string())
                .unwrap_or_else(|_| s.clone())
        }
        (_, Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

fn profile_label(key: &str) -> String {
    match key {
        "preset" => "规则预设".into(),
        "offset_policy" => "抵扣时机".into(),
        "unknown_fund_split" => "险种无法细分时按职工和居民5：5分摊".into(),
        _ => profile::describe()
            .into_iter()
            .find(|f| f.name == key)
            .map(|f| format!("{}（{}）", f.label, f.unit.label()))
            .unwrap_or_else(|| key.to_string()),
    }
}

/// The values the county's profile follows unless it edited them: the version it last adopted,
/// else its preset as shipped.
fn profile_base(c: &Connection, current: &RuleProfile) -> Result<Map<String, Value>> {
    let adopted: Option<String> = c
        .query_row(
            "SELECT data FROM down_received WHERE kind = 'Profile' AND status = 'Applied' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match adopted {
        Some(t) => match serde_json::from_str(&t) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(ApiError::internal("已采用的市局规则配置无法读取")),
        },
        None => profile_values(&RuleProfile::from_preset(current.preset)),
    }
}

/// The county's profile once the city's version is adopted, and what changes: a value the county
/// edited itself (it differs from what the county followed) stays the county's.
fn adopted_profile(c: &Connection, data: &Value) -> Result<(RuleProfile, Vec<DownChange>)> {
    let current = profile::load(c)?;
    let mut out = match to_value(&current)? {
        Value::Object(m) => m,
        _ => return Err(ApiError::internal("规则配置无法读取")),
    };
    let cur = out.clone();
    let base = profile_base(c, &current)?;
    let new: Map<String, Value> = decode(data)?;
    let mut changes = Vec::new();
    for (k, nv) in &new {
        if LOCAL_SETTINGS.contains(&k.as_str()) || !cur.contains_key(k) {
            continue;
        }
        let cv = &cur[k];
        if k == "citations" {
            let empty = Map::new();
            let cur_c = cv.as_object().unwrap_or(&empty);
            let base_c = base.get(k).and_then(Value::as_object).unwrap_or(&empty);
            let Some(new_c) = nv.as_object() else {
                continue;
            };
            for (rule, nt) in new_c {
                let ct = cur_c.get(rule);
                if ct == Some(nt) {
                    continue;
                }
                let own = match (ct, base_c.get(rule)) {
                    (Some(ct), Some(bt)) => ct != bt,
                    _ => false,
                };
                let label = serde_json::from_value::<Rule>(Value::String(rule.clone()))
                    .map(|r| r.label().to_string())
                    .unwrap_or_else(|_| rule.clone());
                changes.push(DownChange {
                    field: format!("citations.{rule}"),
                    label: format!("依据：{label}"),
                    old: ct.map(|v| profile_text(k, v)).unwrap_or_default(),
                    new: profile_text(k, nt),
                    own,
                });
                if !own {
                    if let Some(Value::Object(m)) = out.get_mut(k) {
                        m.insert(rule.clone(), nt.clone());
                    }
                }
            }
            continue;
        }
        if cv == nv {
            continue;
        }
        let own = base.get(k).is_some_and(|b| b != cv);
        changes.push(DownChange {
            field: k.clone(),
            label: profile_label(k),
            old: profile_text(k, cv),
            new: profile_text(k, nv),
            own,
        });
        if !own {
            out.insert(k.clone(), nv.clone());
        }
    }
    let p: RuleProfile = decode(&Value::Object(out))?;
    Ok((p, changes))
}

fn changes(
    c: &Connection,
    kind: DownKind,
    key: &str,
    seq: i64,
    data: &Value,
) -> Result<Vec<DownChange>> {
    match kind {
        DownKind::Institution => institution_changes(c, key, seq, data),
        DownKind::Calendar => calendar_changes(c, key, data),
        DownKind::Profile => Ok(adopted_profile(c, data)?.1),
    }
}

/// `down.apply` / `down.keep`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DownDecision {
    pub id: i64,
    /// Institutions: the fields to take from the city (empty: every field that differs, but those
    /// marked as the county's own); the others keep the county's values.
    pub fields: Vec<String>,
    pub note: String,
}

fn pending(c: &Connection, id: i64) -> Result<(DownReceived, Value)> {
    let (d, data) = received(c, id)?;
    if d.status != DownStatus::Pending {
        return Err(ApiError::illegal(format!(
            "该下发事项已处理（{}），不能再次处理",
            d.status.label()
        )));
    }
    let data = serde_json::from_str(&data).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((d, data))
}

fn decide(
    tx: &mut Tx<'_>,
    id: i64,
    by: i64,
    status: DownStatus,
    outcome: &str,
) -> Result<DownReceived> {
    tx.execute(
        "UPDATE down_received SET status = ?2, outcome = ?3, decided_by = ?4, decided_at = ?5 WHERE id = ?1",
        params![id, enum_text(&status), outcome, by, now_text()],
    )?;
    tx.touch("down_received", id);
    with_changes(tx, received(tx, id)?)
}

/// `down.apply` (county): adopt a pending publication — an institution's fields (all that differ,
/// or those named), a year's calendar, a profile version (keeping the county's own edits).
pub fn apply(tx: &mut Tx<'_>, by: i64, r: &DownDecision) -> Result<DownReceived> {
    let (d, data) = pending(tx, r.id)?;
    if d.kind != DownKind::Institution && !r.fields.is_empty() {
        return Err(ApiError::field(
            "fields",
            "只有机构信息可以逐项采用；节假日安排和规则配置整体采用（规则配置中本单位自行修改的值保留）",
        ));
    }
    if let Some(f) = r
        .fields
        .iter()
        .find(|f| !INSTITUTION_FIELDS.contains(&f.as_str()))
    {
        return Err(ApiError::field(
            "fields",
            format!("“{f}”不是市局下发的机构信息项目"),
        ));
    }
    let outcome = match d.kind {
        DownKind::Institution => {
            let city: InstitutionInput = decode(&data)?;
            match institution_by_code(tx, &d.key)? {
                None => {
                    add_institution(tx, &city)?;
                    "已新增该机构".to_string()
                }
                Some(own) => {
                    let mut input = institution_input(&own);
                    let listed = institution_changes(tx, &d.key, d.seq, &data)?;
                    let differing: Vec<&str> = INSTITUTION_FIELDS
                        .iter()
                        .copied()
                        .filter(|f| listed.iter().any(|c| c.field == *f))
                        .collect();
                    // Named fields; none: every field that differs but those the county made its own.
                    let taken: Vec<&str> = differing
                        .iter()
                        .copied()
                        .filter(|f| {
                            if r.fields.is_empty() {
                                listed.iter().any(|c| c.field == *f && !c.own)
                            } else {
                                r.fields.iter().any(|x| x == f)
                            }
                        })
                        .collect();
                    for f in &taken {
                        take(&mut input, &city, f);
                    }
                    let today = today_local();
                    crate::cases::measures::guard_agreement_status(
                        tx,
                        own.id,
                        input.agreement_status,
                        None,
                        today,
                    )?;
                    crate::cases::measures::guard_persons(tx, Some(own.id), &input, today)?;
                    registry::update::<Institutions>(tx, own.id, &input)?;
                    let labels = |fs: &[&str]| {
                        fs.iter()
                            .map(|f| registry::field_label(f))
                            .collect::<Vec<_>>()
                            .join("、")
                    };
                    let kept: Vec<&str> = differing
                        .iter()
                        .copied()
                        .filter(|f| !taken.contains(f))
                        .collect();
                    let mut s = format!("已采用：{}", labels(&taken));
                    if !kept.is_empty() {
                        s.push_str(&format!("；保留本单位的：{}", labels(&kept)));
                    }
                    s
                }
            }
        }
        DownKind::Calendar => {
            let year: i32 = d
                .key
                .parse()
                .map_err(|_| ApiError::validation("市局下发的年度无法读取"))?;
            office::set_year(
                tx,
                &CalendarYearInput {
                    year,
                    data: decode(&data)?,
                },
            )?;
            format!("已采用市局的{year}年节假日安排")
        }
        DownKind::Profile => {
            let (p, changes) = adopted_profile(tx, &data)?;
            profile::update(tx, p)?;
            let own: Vec<String> = changes
                .iter()
                .filter(|c| c.own)
                .map(|c| c.label.clone())
                .collect();
            let mut s = format!("已采用{}", d.title);
            if !own.is_empty() {
                s.push_str(&format!("；保留本单位自行修改的：{}", own.join("、")));
            }
            s
        }
    };
    decide(tx, r.id, by, DownStatus::Applied, &outcome)
}

/// `down.keep` (county): keep the county's own values; the publication is recorded as seen.
pub fn keep(tx: &mut Tx<'_>, by: i64, r: &DownDecision) -> Result<DownReceived> {
    pending(tx, r.id)?;
    let note = bounded_text(&r.note, "note", "说明", 200)?;
    let outcome = if note.is_empty() {
        "保留本单位的".to_string()
    } else {
        format!("保留本单位的：{note}")
    };
    decide(tx, r.id, by, DownStatus::Kept, &outcome)
}
