//! The records the reports count that are not cases (issue 10): inspections (检查记录, 002 二(二);
//! 001 art. 31–32), accountability (追责, 002 附表 备注3), campaigns and their key areas (专项整治,
//! 003 二(一)–(二)), with create / update / list and the XLSX import of inspections.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::jobs::Job;
use crate::registry::{ImportReport, ImportRequest, ImportRowError, InstitutionKind, EXAMPLE_MARK};
use crate::store::query::{page_bounds, Filter, Page};
use crate::store::{now_text, office_code, Tx};
use crate::vocab::dates::{date_text, opt_date, parse_stored_date};
use crate::vocab::text::{bounded_text, enum_from, enum_text, required_text, search_text};

// ---------------------------------------------------------------------------------------------
// Campaigns (专项整治, 003)

/// 检查方式 (GLOSSARY `InspectionKind`; 002 一, 二(二): 全面检查与重点检查、抽查复查; 003 五(二):
/// 飞行检查、交叉检查). Daily inspections follow 双随机、一公开 (001 art. 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum InspectionKind {
    #[serde(alias = "日常", alias = "日常检查", alias = "双随机")]
    Routine,
    #[serde(alias = "重点", alias = "重点检查")]
    Targeted,
    #[serde(alias = "专项", alias = "专项检查")]
    Special,
    #[serde(alias = "飞行", alias = "飞行检查")]
    Flying,
    #[serde(alias = "交叉", alias = "交叉检查")]
    Cross,
    #[serde(alias = "抽查复查", alias = "抽查", alias = "复查")]
    SpotRecheck,
}

crate::labels!(InspectionKind { Routine => "日常检查", Targeted => "重点检查", Special => "专项检查", Flying => "飞行检查", Cross => "交叉检查", SpotRecheck => "抽查复查" });

/// 追责 categories, the four columns of 002 附表 (备注3: 医疗机构负责人或相关责任人、经办人员、
/// 准入审批部门人员、参保人员).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum AccountabilityCategory {
    #[serde(alias = "医疗机构", alias = "医药机构")]
    InstitutionStaff,
    #[serde(alias = "经办机构")]
    AgencyStaff,
    #[serde(alias = "其他部门")]
    OtherDepartment,
    #[serde(alias = "参保人员")]
    Insured,
}

crate::labels!(AccountabilityCategory { InstitutionStaff => "医疗机构人员", AgencyStaff => "经办机构人员", OtherDepartment => "其他部门人员", Insured => "参保人员" });

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CampaignInput {
    pub name: String,
    pub year: i32,
    pub note: String,
    /// Key areas (重点领域), in order; an update may add areas, never drop one in use.
    pub areas: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CampaignUpdate {
    pub id: i64,
    #[serde(flatten)]
    pub input: CampaignInput,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CampaignArea {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub note: String,
    pub areas: Vec<CampaignArea>,
}

/// The key areas 003 二 names, offered when a campaign is created without its own list.
pub const AREAS_003: &[&str] = &[
    "精神疾病",
    "康复理疗",
    "血液透析",
    "骨科",
    "心血管内科",
    "血液净化",
    "医学影像",
    "临床检验",
    "生育津贴",
    "工伤",
    "冒用死亡人员信息",
    "交通事故",
];

pub fn campaign_list(conn: &Connection) -> Result<Vec<Campaign>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM campaign ORDER BY year DESC, id DESC")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| campaign_get(conn, id)).collect()
}

pub fn campaign_get(conn: &Connection, id: i64) -> Result<Campaign> {
    let (name, year, note) = conn
        .query_row(
            "SELECT name, year, note FROM campaign WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("专项整治"))?;
    let areas = conn
        .prepare("SELECT id, name FROM campaign_area WHERE campaign_id = ?1 ORDER BY seq")?
        .query_map([id], |r| {
            Ok(CampaignArea {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Campaign {
        id,
        name,
        year,
        note,
        areas,
    })
}

fn campaign_fields(i: &CampaignInput) -> Result<(String, String, Vec<String>)> {
    let name = required_text(&i.name, "name", "专项整治名称", 100)?;
    if !(2000..=2099).contains(&i.year) {
        return Err(ApiError::field("year", "年份应在2000至2099年之间"));
    }
    let note = bounded_text(&i.note, "note", "备注", 500)?;
    let mut areas = Vec::new();
    for a in &i.areas {
        let a = bounded_text(a, "areas", "重点领域", 50)?;
        if !a.is_empty() && !areas.contains(&a) {
            areas.push(a);
        }
    }
    if areas.is_empty() {
        return Err(ApiError::field("areas", "请至少填写一个重点领域"));
    }
    Ok((name, note, areas))
}

pub fn campaign_create(tx: &mut Tx<'_>, i: &CampaignInput) -> Result<Campaign> {
    let (name, note, areas) = campaign_fields(i)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM campaign WHERE name = ?1)",
        [&name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::field("name", format!("专项整治“{name}”已存在")));
    }
    let now = now_text();
    tx.execute(
        "INSERT INTO campaign (name, year, note, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![name, i.year, note, now],
    )?;
    let id = tx.last_insert_rowid();
    tx.touch("campaign", id);
    add_areas(tx, id, &areas)?;
    campaign_get(tx, id)
}

pub fn campaign_update(tx: &mut Tx<'_>, u: &CampaignUpdate) -> Result<Campaign> {
    let old = campaign_get(tx, u.id)?;
    let (name, note, areas) = campaign_fields(&u.input)?;
    for gone in old.areas.iter().filter(|a| !areas.contains(&a.name)) {
        let used: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM inspection WHERE campaign_area_id = ?1)
                 OR EXISTS (SELECT 1 FROM case_file WHERE campaign_area_id = ?1)
                 OR EXISTS (SELECT 1 FROM self_correction WHERE campaign_area_id = ?1)",
            [gone.id],
            |r| r.get(0),
        )?;
        if used {
            return Err(ApiError::field(
                "areas",
                format!("重点领域“{}”已被检查记录或案件使用，不能删除", gone.name),
            ));
        }
        tx.execute("DELETE FROM campaign_area WHERE id = ?1", [gone.id])?;
        tx.touch("campaign_area", gone.id);
    }
    tx.execute(
        "UPDATE campaign SET name = ?2, year = ?3, note = ?4, updated_at = ?5 WHERE id = ?1",
        params![u.id, name, u.input.year, note, now_text()],
    )
    .map_err(|_| ApiError::field("name", format!("专项整治“{name}”已存在")))?;
    tx.touch("campaign", u.id);
    let new: Vec<String> = areas
        .into_iter()
        .filter(|a| !old.areas.iter().any(|o| &o.name == a))
        .collect();
    add_areas(tx, u.id, &new)?;
    campaign_get(tx, u.id)
}

fn add_areas(tx: &mut Tx<'_>, campaign: i64, areas: &[String]) -> Result<()> {
    for a in areas {
        tx.execute(
            "INSERT INTO campaign_area (campaign_id, name, seq)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM campaign_area WHERE campaign_id = ?1))",
            params![campaign, a],
        )?;
        let id = tx.last_insert_rowid();
        tx.touch("campaign_area", id);
    }
    Ok(())
}

fn check_area(conn: &Connection, area: Option<i64>) -> Result<()> {
    if let Some(a) = area {
        let ok: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM campaign_area WHERE id = ?1)",
            [a],
            |r| r.get(0),
        )?;
        if !ok {
            return Err(ApiError::field("campaign_area_id", "所选重点领域不存在"));
        }
    }
    Ok(())
}

/// `campaign.tag`: a case or a self-correction form carries a campaign area (or none).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CampaignTag {
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
    #[ts(optional = nullable)]
    pub campaign_area_id: Option<i64>,
}

pub fn campaign_tag(tx: &mut Tx<'_>, t: &CampaignTag) -> Result<CampaignTag> {
    check_area(tx, t.campaign_area_id)?;
    let (table, id) = match (t.case_id, t.self_correction_id) {
        (Some(c), None) => ("case_file", c),
        (None, Some(s)) => ("self_correction", s),
        _ => {
            return Err(ApiError::field(
                "case_id",
                "请选择一个案件或一份自查自纠退回明细单",
            ))
        }
    };
    let n = tx.execute(
        &format!("UPDATE {table} SET campaign_area_id = ?2 WHERE id = ?1"),
        params![id, t.campaign_area_id],
    )?;
    if n == 0 {
        return Err(ApiError::not_found(if table == "case_file" {
            "案件"
        } else {
            "自查自纠退回明细单"
        }));
    }
    tx.touch(table, id);
    Ok(t.clone())
}

// ---------------------------------------------------------------------------------------------
// Inspections (检查记录)

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct InspectionInput {
    #[ts(optional = nullable)]
    pub kind: Option<InspectionKind>,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub started_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub ended_on: Option<NaiveDate>,
    /// Other departments taking part (公安, 卫健, 市场监管…): a joint inspection when not empty
    /// (002 附表 备注1).
    pub departments: Vec<String>,
    pub problems_found: bool,
    pub inspectors: String,
    pub summary: String,
    #[ts(optional = nullable)]
    pub campaign_area_id: Option<i64>,
    /// The leads and cases the inspection produced.
    pub lead_ids: Vec<i64>,
    pub case_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspectionUpdate {
    pub id: i64,
    #[serde(flatten)]
    pub input: InspectionInput,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Inspection {
    pub id: i64,
    pub uid: String,
    pub kind: InspectionKind,
    pub institution_id: i64,
    pub institution_name: String,
    pub institution_kind: InstitutionKind,
    pub started_on: NaiveDate,
    #[ts(optional = nullable)]
    pub ended_on: Option<NaiveDate>,
    pub departments: Vec<String>,
    pub problems_found: bool,
    pub inspectors: String,
    pub summary: String,
    #[ts(optional = nullable)]
    pub campaign_area_id: Option<i64>,
    /// 专项整治 · 重点领域, when tagged.
    pub campaign_area: String,
    pub lead_ids: Vec<i64>,
    pub case_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct InspectionQuery {
    #[ts(optional = nullable)]
    pub year: Option<i32>,
    #[ts(optional = nullable)]
    pub kind: Option<InspectionKind>,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    /// Institution name or code, inspectors, summary.
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

const DEPARTMENT_SEPARATOR: char = '、';

fn split_departments(s: &str) -> Vec<String> {
    s.split(|c| matches!(c, '、' | ',' | '，' | ';' | '；' | '/'))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

const INSPECTION_COLS: &str = "x.id, x.uid, x.kind, x.institution_id, i.name, i.kind, x.started_on, x.ended_on,
    x.departments, x.problems_found, x.inspectors, x.summary, x.campaign_area_id,
    COALESCE((SELECT c.name || ' · ' || a.name FROM campaign_area a JOIN campaign c ON c.id = a.campaign_id
              WHERE a.id = x.campaign_area_id), '')";

fn inspection_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Inspection> {
    Ok(Inspection {
        id: r.get(0)?,
        uid: r.get(1)?,
        kind: enum_from(r.get(2)?),
        institution_id: r.get(3)?,
        institution_name: r.get(4)?,
        institution_kind: enum_from(r.get(5)?),
        started_on: parse_stored_date(&r.get::<_, String>(6)?)?,
        ended_on: opt_date(r.get(7)?)?,
        departments: split_departments(&r.get::<_, String>(8)?),
        problems_found: r.get(9)?,
        inspectors: r.get(10)?,
        summary: r.get(11)?,
        campaign_area_id: r.get(12)?,
        campaign_area: r.get(13)?,
        lead_ids: Vec::new(),
        case_ids: Vec::new(),
    })
}

fn with_links(conn: &Connection, mut x: Inspection) -> Result<Inspection> {
    let mut stmt = conn.prepare_cached(
        "SELECT lead_id, case_id FROM inspection_link WHERE inspection_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([x.id], |r| {
        Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
    })?;
    for row in rows {
        match row? {
            (Some(l), _) => x.lead_ids.push(l),
            (_, Some(c)) => x.case_ids.push(c),
            _ => {}
        }
    }
    Ok(x)
}

pub fn inspection_get(conn: &Connection, id: i64) -> Result<Inspection> {
    let x = conn
        .query_row(
            &format!("SELECT {INSPECTION_COLS} FROM inspection x JOIN institution i ON i.id = x.institution_id WHERE x.id = ?1"),
            [id],
            inspection_from_row,
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("检查记录"))?;
    with_links(conn, x)
}

pub fn inspection_list(conn: &Connection, q: &InspectionQuery) -> Result<Page<Inspection>> {
    let (offset, limit) = page_bounds(q.offset, q.limit);
    let mut f = Filter::default();
    if let Some(y) = q.year {
        f.param(format!("{y}-01-01"), |n| format!("x.started_on >= ?{n}"));
        f.param(format!("{y}-12-31"), |n| format!("x.started_on <= ?{n}"));
    }
    f.eq_enum("x.kind", q.kind);
    f.eq("x.institution_id", q.institution_id);
    f.search(
        search_text(q.query.as_deref())?,
        &[
            "i.name",
            "i.code",
            "x.inspectors",
            "x.summary",
            "x.departments",
        ],
    );
    let from = "FROM inspection x JOIN institution i ON i.id = x.institution_id";
    let total = f.count(conn, from)?;
    let items = f.page(
        conn,
        &format!("SELECT {INSPECTION_COLS} {from}"),
        "x.started_on DESC, x.id DESC",
        (offset, limit),
        inspection_from_row,
    )?;
    let items = items
        .into_iter()
        .map(|x| with_links(conn, x))
        .collect::<Result<_>>()?;
    Ok(Page { items, total })
}

struct InspectionValues {
    kind: InspectionKind,
    institution_id: i64,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    departments: String,
    inspectors: String,
    summary: String,
}

fn inspection_values(conn: &Connection, i: &InspectionInput) -> Result<InspectionValues> {
    let kind = i
        .kind
        .ok_or_else(|| ApiError::field("kind", "请选择检查方式"))?;
    let institution_id = i
        .institution_id
        .ok_or_else(|| ApiError::field("institution_id", "请选择被检查的定点医药机构"))?;
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM institution WHERE id = ?1)",
        [institution_id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(ApiError::field("institution_id", "所选定点医药机构不存在"));
    }
    let started_on = i
        .started_on
        .ok_or_else(|| ApiError::field("started_on", "请填写检查日期"))?;
    if let Some(e) = i.ended_on {
        if e < started_on {
            return Err(ApiError::field("ended_on", "检查结束日期不能早于检查日期"));
        }
    }
    let mut departments = Vec::new();
    for d in &i.departments {
        let d = bounded_text(d, "departments", "联合检查部门", 30)?;
        if !d.is_empty() && !departments.contains(&d) {
            departments.push(d);
        }
    }
    check_area(conn, i.campaign_area_id)?;
    for l in &i.lead_ids {
        let ok: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM lead WHERE id = ?1)",
            [l],
            |r| r.get(0),
        )?;
        if !ok {
            return Err(ApiError::field("lead_ids", "所选线索不存在"));
        }
    }
    for c in &i.case_ids {
        let ok: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM case_file WHERE id = ?1)",
            [c],
            |r| r.get(0),
        )?;
        if !ok {
            return Err(ApiError::field("case_ids", "所选案件不存在"));
        }
    }
    Ok(InspectionValues {
        kind,
        institution_id,
        started_on,
        ended_on: i.ended_on,
        departments: departments.join(&DEPARTMENT_SEPARATOR.to_string()),
        inspectors: bounded_text(&i.inspectors, "inspectors", "检查人员", 200)?,
        summary: bounded_text(&i.summary, "summary", "检查情况", 2000)?,
    })
}

fn write_links(tx: &mut Tx<'_>, id: i64, i: &InspectionInput) -> Result<()> {
    let old: Vec<i64> = tx
        .prepare("SELECT id FROM inspection_link WHERE inspection_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for l in old {
        tx.execute("DELETE FROM inspection_link WHERE id = ?1", [l])?;
        tx.touch("inspection_link", l);
    }
    let leads: HashSet<i64> = i.lead_ids.iter().copied().collect();
    let cases: HashSet<i64> = i.case_ids.iter().copied().collect();
    let mut leads: Vec<i64> = leads.into_iter().collect();
    let mut cases: Vec<i64> = cases.into_iter().collect();
    leads.sort();
    cases.sort();
    for l in leads {
        tx.execute(
            "INSERT INTO inspection_link (inspection_id, lead_id) VALUES (?1, ?2)",
            params![id, l],
        )?;
        let link = tx.last_insert_rowid();
        tx.touch("inspection_link", link);
    }
    for c in cases {
        tx.execute(
            "INSERT INTO inspection_link (inspection_id, case_id) VALUES (?1, ?2)",
            params![id, c],
        )?;
        let link = tx.last_insert_rowid();
        tx.touch("inspection_link", link);
    }
    Ok(())
}

pub fn inspection_create(tx: &mut Tx<'_>, i: &InspectionInput) -> Result<Inspection> {
    let v = inspection_values(tx, i)?;
    let office = office_code(tx)?;
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM inspection", [], |r| {
        r.get(0)
    })?;
    let now = now_text();
    tx.execute(
        "INSERT INTO inspection (id, uid, kind, institution_id, started_on, ended_on, departments,
            problems_found, inspectors, summary, campaign_area_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        params![
            id,
            format!("{office}-J{id}"),
            enum_text(&v.kind),
            v.institution_id,
            date_text(v.started_on),
            v.ended_on.map(date_text),
            v.departments,
            i.problems_found,
            v.inspectors,
            v.summary,
            i.campaign_area_id,
            now
        ],
    )?;
    tx.touch("inspection", id);
    write_links(tx, id, i)?;
    inspection_get(tx, id)
}

pub fn inspection_update(tx: &mut Tx<'_>, u: &InspectionUpdate) -> Result<Inspection> {
    inspection_get(tx, u.id)?;
    let i = &u.input;
    let v = inspection_values(tx, i)?;
    tx.execute(
        "UPDATE inspection SET kind = ?2, institution_id = ?3, started_on = ?4, ended_on = ?5,
            departments = ?6, problems_found = ?7, inspectors = ?8, summary = ?9,
            campaign_area_id = ?10, updated_at = ?11 WHERE id = ?1",
        params![
            u.id,
            enum_text(&v.kind),
            v.institution_id,
            date_text(v.started_on),
            v.ended_on.map(date_text),
            v.departments,
            i.problems_found,
            v.inspectors,
            v.summary,
            i.campaign_area_id,
            now_text()
        ],
    )?;
    tx.touch("inspection", u.id);
    write_links(tx, u.id, i)?;
    inspection_get(tx, u.id)
}

/// The import columns: field, header, other spellings accepted.
const IMPORT_COLUMNS: &[(&str, &str, &[&str])] = &[
    (
        "institution_code",
        "机构编码",
        &["定点医药机构编码", "医药机构编码"],
    ),
    ("kind", "检查方式", &["检查类型", "检查形式"]),
    ("started_on", "检查日期", &["检查开始日期", "开始日期"]),
    ("ended_on", "结束日期", &["检查结束日期"]),
    ("departments", "联合检查部门", &["参与部门", "联合部门"]),
    ("problems_found", "是否发现问题", &["存在问题", "发现问题"]),
    ("inspectors", "检查人员", &["检查人"]),
    ("summary", "检查情况", &["检查结果", "备注"]),
];

/// `inspection.import`: one inspection per row of an XLSX/CSV file (header in row 1, the columns
/// of [`IMPORT_COLUMNS`]); a row already on file (same institution, date and kind) is left
/// unchanged; every refused row is reported with its number and field, the others are recorded.
pub fn inspection_import(
    tx: &mut Tx<'_>,
    req: &ImportRequest,
    job: &Job<'_>,
) -> Result<ImportReport> {
    let rows = crate::registry::import_rows(req)?;
    let mut rows = rows.into_iter();
    let header = rows
        .next()
        .ok_or_else(|| ApiError::field("file_name", "文件是空的，没有表头"))?;
    let mut mapping = Vec::new();
    for (col, h) in header.iter().enumerate() {
        let h = h
            .trim()
            .trim_start_matches('\u{feff}')
            .trim_start_matches('*');
        if let Some((field, ..)) = IMPORT_COLUMNS
            .iter()
            .find(|(f, l, a)| *f == h || *l == h || a.contains(&h))
        {
            mapping.push((col, *field));
        }
    }
    for required in ["institution_code", "kind", "started_on"] {
        if !mapping.iter().any(|(_, f)| *f == required) {
            let labels: Vec<&str> = IMPORT_COLUMNS.iter().map(|(_, l, _)| *l).collect();
            let missing = IMPORT_COLUMNS
                .iter()
                .find(|(f, ..)| *f == required)
                .map(|(_, l, _)| *l)
                .unwrap_or(required);
            return Err(ApiError::field(
                "file_name",
                format!(
                    "表头缺少“{missing}”列。第一行应为表头：{}",
                    labels.join("，")
                ),
            ));
        }
    }
    let mut report = ImportReport::default();
    job.set_total(rows.len() as u64);
    for (i, cells) in rows.enumerate() {
        let row_no = i as i64 + 2;
        job.step("导入")?;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| -> String {
            mapping
                .iter()
                .find(|(_, f)| *f == name)
                .and_then(|(c, _)| cells.get(*c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        // A template's example row is never imported (registry::EXAMPLE_MARK).
        if cell("institution_code").starts_with(EXAMPLE_MARK) {
            report.examples_skipped += 1;
            continue;
        }
        report.total_rows += 1;
        let record = [cell("institution_code"), cell("started_on")]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        match import_row(tx, &cell) {
            Ok(true) => report.created += 1,
            Ok(false) => report.unchanged += 1,
            Err(e) => report.errors.push(ImportRowError {
                row: row_no,
                record,
                field: e.field.clone(),
                message: e.message,
            }),
        }
    }
    Ok(report)
}

fn import_row(tx: &mut Tx<'_>, cell: &dyn Fn(&str) -> String) -> Result<bool> {
    let code = cell("institution_code");
    let institution_id: i64 = tx
        .query_row("SELECT id FROM institution WHERE code = ?1", [&code], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| {
            ApiError::field(
                "institution_code",
                format!("机构编码“{code}”不在定点医药机构名录中，请先登记该机构"),
            )
        })?;
    let kind: InspectionKind = serde_json::from_value(serde_json::Value::String(cell("kind")))
        .map_err(|_| {
            ApiError::field(
                "kind",
                format!(
                    "检查方式“{}”无法识别，应为日常、重点、专项、飞行、交叉或抽查复查",
                    cell("kind")
                ),
            )
        })?;
    let date = |field: &str, label: &str| -> Result<Option<NaiveDate>> {
        let s = cell(field);
        if s.is_empty() {
            return Ok(None);
        }
        parse_cell_date(&s).map(Some).ok_or_else(|| {
            ApiError::field(
                field,
                format!("{label}“{s}”无法识别，应为2026-03-05这样的日期"),
            )
        })
    };
    let started_on = date("started_on", "检查日期")?
        .ok_or_else(|| ApiError::field("started_on", "请填写检查日期"))?;
    let ended_on = date("ended_on", "结束日期")?;
    let problems = cell("problems_found");
    let problems_found = match problems.as_str() {
        "是" | "有" | "存在" | "1" | "Y" | "y" => true,
        "否" | "无" | "不存在" | "0" | "N" | "n" | "" => false,
        other => {
            return Err(ApiError::field(
                "problems_found",
                format!("“是否发现问题”应填“是”或“否”，而不是“{other}”"),
            ))
        }
    };
    let dup: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM inspection WHERE institution_id = ?1 AND started_on = ?2 AND kind = ?3)",
        params![institution_id, date_text(started_on), enum_text(&kind)],
        |r| r.get(0),
    )?;
    if dup {
        return Ok(false);
    }
    inspection_create(
        tx,
        &InspectionInput {
            kind: Some(kind),
            institution_id: Some(institution_id),
            started_on: Some(started_on),
            ended_on,
            departments: split_departments(&cell("departments")),
            problems_found,
            inspectors: cell("inspectors"),
            summary: cell("summary"),
            ..Default::default()
        },
    )?;
    Ok(true)
}

/// 2026-03-05, 2026/3/5, 2026年3月5日, 20260305, or an Excel serial day number.
fn parse_cell_date(s: &str) -> Option<NaiveDate> {
    let t = s.replace(['年', '月', '/', '.'], "-").replace('日', "");
    if let Ok(d) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(&t, "%Y%m%d") {
        return Some(d);
    }
    // calamine gives a date cell as its serial number (days since 1899-12-30).
    let serial: f64 = s.parse().ok()?;
    if (20000.0..80000.0).contains(&serial) {
        return NaiveDate::from_ymd_opt(1899, 12, 30)?
            .checked_add_days(chrono::Days::new(serial as u64));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Accountability (追责)

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AccountabilityInput {
    #[ts(optional = nullable)]
    pub category: Option<AccountabilityCategory>,
    pub person: String,
    pub position: String,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub decided_on: Option<NaiveDate>,
    /// 追责方式: 诫勉谈话, 警告, 记过, 移送纪检监察…
    pub measure: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AccountabilityUpdate {
    pub id: i64,
    #[serde(flatten)]
    pub input: AccountabilityInput,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Accountability {
    pub id: i64,
    pub category: AccountabilityCategory,
    pub person: String,
    pub position: String,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    pub case_number: String,
    pub decided_on: NaiveDate,
    pub measure: String,
    pub note: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AccountabilityQuery {
    #[ts(optional = nullable)]
    pub year: Option<i32>,
    #[ts(optional = nullable)]
    pub category: Option<AccountabilityCategory>,
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

const ACCOUNTABILITY_COLS: &str = "a.id, a.category, a.person, a.position, a.case_id,
    COALESCE(c.case_number, ''), a.decided_on, a.measure, a.note";

fn accountability_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Accountability> {
    Ok(Accountability {
        id: r.get(0)?,
        category: enum_from(r.get(1)?),
        person: r.get(2)?,
        position: r.get(3)?,
        case_id: r.get(4)?,
        case_number: r.get(5)?,
        decided_on: parse_stored_date(&r.get::<_, String>(6)?)?,
        measure: r.get(7)?,
        note: r.get(8)?,
    })
}

const ACCOUNTABILITY_FROM: &str = "FROM accountability a LEFT JOIN case_file c ON c.id = a.case_id";

pub fn accountability_get(conn: &Connection, id: i64) -> Result<Accountability> {
    conn.query_row(
        &format!("SELECT {ACCOUNTABILITY_COLS} {ACCOUNTABILITY_FROM} WHERE a.id = ?1"),
        [id],
        accountability_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("追责记录"))
}

pub fn accountability_list(
    conn: &Connection,
    q: &AccountabilityQuery,
) -> Result<Page<Accountability>> {
    let (offset, limit) = page_bounds(q.offset, q.limit);
    let mut f = Filter::default();
    if let Some(y) = q.year {
        f.param(format!("{y}-01-01"), |n| format!("a.decided_on >= ?{n}"));
        f.param(format!("{y}-12-31"), |n| format!("a.decided_on <= ?{n}"));
    }
    f.eq_enum("a.category", q.category);
    f.search(
        search_text(q.query.as_deref())?,
        &["a.person", "a.position", "a.measure", "c.case_number"],
    );
    let total = f.count(conn, ACCOUNTABILITY_FROM)?;
    let items = f.page(
        conn,
        &format!("SELECT {ACCOUNTABILITY_COLS} {ACCOUNTABILITY_FROM}"),
        "a.decided_on DESC, a.id DESC",
        (offset, limit),
        accountability_from_row,
    )?;
    Ok(Page { items, total })
}

fn accountability_values(
    conn: &Connection,
    i: &AccountabilityInput,
) -> Result<(
    AccountabilityCategory,
    String,
    String,
    NaiveDate,
    String,
    String,
)> {
    let category = i
        .category
        .ok_or_else(|| ApiError::field("category", "请选择被追责人员的类别"))?;
    let person = required_text(&i.person, "person", "被追责人员姓名", 50)?;
    let position = bounded_text(&i.position, "position", "单位及职务", 100)?;
    let decided_on = i
        .decided_on
        .ok_or_else(|| ApiError::field("decided_on", "请填写追责日期"))?;
    if let Some(c) = i.case_id {
        let ok: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM case_file WHERE id = ?1)",
            [c],
            |r| r.get(0),
        )?;
        if !ok {
            return Err(ApiError::field("case_id", "所选案件不存在"));
        }
    }
    let measure = bounded_text(&i.measure, "measure", "追责方式", 100)?;
    let note = bounded_text(&i.note, "note", "备注", 500)?;
    Ok((category, person, position, decided_on, measure, note))
}

pub fn accountability_create(tx: &mut Tx<'_>, i: &AccountabilityInput) -> Result<Accountability> {
    let (category, person, position, decided_on, measure, note) = accountability_values(tx, i)?;
    let office = office_code(tx)?;
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM accountability",
        [],
        |r| r.get(0),
    )?;
    let now = now_text();
    tx.execute(
        "INSERT INTO accountability (id, uid, category, person, position, case_id, decided_on, measure, note,
            created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            id,
            format!("{office}-Z{id}"),
            enum_text(&category),
            person,
            position,
            i.case_id,
            date_text(decided_on),
            measure,
            note,
            now
        ],
    )?;
    tx.touch("accountability", id);
    accountability_get(tx, id)
}

pub fn accountability_update(tx: &mut Tx<'_>, u: &AccountabilityUpdate) -> Result<Accountability> {
    accountability_get(tx, u.id)?;
    let (category, person, position, decided_on, measure, note) =
        accountability_values(tx, &u.input)?;
    tx.execute(
        "UPDATE accountability SET category = ?2, person = ?3, position = ?4, case_id = ?5,
            decided_on = ?6, measure = ?7, note = ?8, updated_at = ?9 WHERE id = ?1",
        params![
            u.id,
            enum_text(&category),
            person,
            position,
            u.input.case_id,
            date_text(decided_on),
            measure,
            note,
            now_text()
        ],
    )?;
    tx.touch("accountability", u.id);
    accountability_get(tx, u.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_dates_in_the_spellings_offices_type() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        for s in [
            "2026-03-05",
            "2026/3/5",
            "2026年3月5日",
            "20260305",
            "46086",
        ] {
            assert_eq!(parse_cell_date(s), Some(d), "{s}");
        }
        assert_eq!(parse_cell_date("三月五日"), None);
    }
}
