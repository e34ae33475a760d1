//! 双随机、一公开 (001 art. 31): daily inspections go to institutions and inspectors drawn at random
//! on the province's platform. The office records each draw's result — the day, what it was for,
//! the institutions and inspectors drawn, typed or read from the platform's exported list
//! (`draw.parse_list`, which only reads: the form is saved with `draw.create`) — and prints the
//! results list for publication (`draw.pdf`, A4 portrait through the notices' layout engine).

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::export::{encode, ReportFile};
use super::sheet::office_name;
use crate::docs::fonts::FontRole;
use crate::docs::layout::{Align, Block, Cell, Geometry, Row, Style, Table};
use crate::error::{ApiError, Result};
use crate::registry::{ImportRequest, InstitutionKind, EXAMPLE_MARK};
use crate::store::{now_text, office_code, Tx};
use crate::vocab::dates::{cn_date, date_text, parse_stored_date};
use crate::vocab::text::{bounded_text, enum_from, required_text};
use crate::vocab::Labeled;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DrawInput {
    pub drawn_on: NaiveDate,
    /// 抽查事项, e.g. "2026年第二季度定点医药机构日常检查".
    pub title: String,
    pub institution_ids: Vec<i64>,
    pub inspectors: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DrawnInstitution {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: InstitutionKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Draw {
    pub id: i64,
    pub drawn_on: NaiveDate,
    pub title: String,
    pub institutions: Vec<DrawnInstitution>,
    pub inspectors: Vec<String>,
    pub note: String,
    /// The day the draw was withdrawn (a wrong record), and why.
    #[ts(optional = nullable)]
    pub withdrawn_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub withdraw_reason: Option<String>,
}

/// `draw.update`: the draw's fields; those left out keep their stored values (`Core::patch`).
/// Spelled out rather than a flattened [`DrawInput`], so that a field that cannot be read is
/// refused by its name.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DrawUpdate {
    pub id: i64,
    pub drawn_on: NaiveDate,
    pub title: String,
    pub institution_ids: Vec<i64>,
    pub inspectors: Vec<String>,
    #[serde(default)]
    pub note: String,
}

impl DrawUpdate {
    fn input(&self) -> DrawInput {
        DrawInput {
            drawn_on: self.drawn_on,
            title: self.title.clone(),
            institution_ids: self.institution_ids.clone(),
            inspectors: self.inspectors.clone(),
            note: self.note.clone(),
        }
    }
}

/// `draw.withdraw`: a draw recorded by mistake is withdrawn, with the reason and the day.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DrawWithdraw {
    pub id: i64,
    pub reason: String,
    /// Default: today.
    #[ts(optional = nullable)]
    pub date: Option<NaiveDate>,
}

/// What the platform's list held: the institutions found by code (or exact name) and the
/// inspectors, and the rows that named no institution of the office.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DrawList {
    pub institutions: Vec<DrawnInstitution>,
    pub inspectors: Vec<String>,
    /// "第3行：机构编码 X 不在定点医药机构名单中".
    pub problems: Vec<String>,
}

fn institution(conn: &Connection, id: i64) -> Result<Option<DrawnInstitution>> {
    Ok(conn
        .prepare_cached("SELECT id, code, name, kind FROM institution WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(DrawnInstitution {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                kind: enum_from(r.get(3)?),
            })
        })
        .optional()?)
}

type DrawRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

pub fn get(conn: &Connection, id: i64) -> Result<Draw> {
    let row: Option<DrawRow> = conn
        .prepare_cached(
            "SELECT drawn_on, title, inspectors, note, withdrawn_on, withdraw_reason
             FROM random_draw WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let (drawn_on, title, inspectors, note, withdrawn_on, withdraw_reason) =
        row.ok_or_else(|| ApiError::not_found("抽查记录"))?;
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT institution_id FROM random_draw_institution WHERE draw_id = ?1 ORDER BY seq",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut institutions = Vec::new();
    for i in ids {
        institutions.extend(institution(conn, i)?);
    }
    Ok(Draw {
        id,
        drawn_on: parse_stored_date(&drawn_on)?,
        title,
        institutions,
        inspectors: serde_json::from_str(&inspectors).unwrap_or_default(),
        note,
        withdrawn_on: withdrawn_on.as_deref().map(parse_stored_date).transpose()?,
        withdraw_reason,
    })
}

/// The draw as a `draw.update` request (`Core::patch` takes the fields a payload leaves out from it).
pub fn input_of(conn: &Connection, id: i64) -> Result<DrawInput> {
    let d = get(conn, id)?;
    Ok(DrawInput {
        drawn_on: d.drawn_on,
        title: d.title,
        institution_ids: d.institutions.iter().map(|i| i.id).collect(),
        inspectors: d.inspectors,
        note: d.note,
    })
}

/// A draw's fields checked: title, note, the institutions (of the office's list, each once, in
/// order) and the inspectors (each once).
struct Checked {
    title: String,
    note: String,
    institution_ids: Vec<i64>,
    inspectors: String,
}

fn check(conn: &Connection, i: &DrawInput) -> Result<Checked> {
    let title = required_text(&i.title, "title", "抽查事项", 100)?;
    let note = bounded_text(&i.note, "note", "备注", 500)?;
    if i.institution_ids.is_empty() {
        return Err(ApiError::field(
            "institution_ids",
            "请填写抽中的定点医药机构",
        ));
    }
    let mut ids: Vec<i64> = Vec::new();
    for id in &i.institution_ids {
        if institution(conn, *id)?.is_none() {
            return Err(ApiError::field(
                "institution_ids",
                "抽中的机构不在定点医药机构名单中",
            ));
        }
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    let mut inspectors: Vec<String> = Vec::new();
    for name in &i.inspectors {
        let name = bounded_text(name, "inspectors", "抽中的检查人员", 30)?;
        if !name.is_empty() && !inspectors.contains(&name) {
            inspectors.push(name);
        }
    }
    if inspectors.is_empty() {
        return Err(ApiError::field("inspectors", "请填写抽中的检查人员"));
    }
    Ok(Checked {
        title,
        note,
        institution_ids: ids,
        inspectors: serde_json::to_string(&inspectors)
            .map_err(|e| ApiError::internal(e.to_string()))?,
    })
}

/// Writes the draw's institutions, in order, when they differ from the stored list.
fn write_institutions(tx: &mut Tx<'_>, id: i64, ids: &[i64]) -> Result<()> {
    let old: Vec<(i64, i64)> = tx
        .prepare_cached(
            "SELECT id, institution_id FROM random_draw_institution WHERE draw_id = ?1 ORDER BY seq",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if old.iter().map(|(_, i)| *i).eq(ids.iter().copied()) {
        return Ok(());
    }
    for (row, _) in old {
        tx.execute("DELETE FROM random_draw_institution WHERE id = ?1", [row])?;
        tx.touch("random_draw_institution", row);
    }
    for (seq, inst) in ids.iter().enumerate() {
        tx.execute(
            "INSERT INTO random_draw_institution (draw_id, seq, institution_id) VALUES (?1, ?2, ?3)",
            params![id, seq as i64 + 1, inst],
        )?;
        let row = tx.last_insert_rowid();
        tx.touch("random_draw_institution", row);
    }
    Ok(())
}

fn not_withdrawn(d: &Draw, what: &str) -> Result<()> {
    match d.withdrawn_on {
        Some(on) => Err(ApiError::illegal(format!(
            "该抽查结果已于{}撤回，不能{what}",
            cn_date(on)
        ))),
        None => Ok(()),
    }
}

/// `draw.update`: corrects a recorded draw (a wrong day, title, institution or inspector).
pub fn update(tx: &mut Tx<'_>, u: &DrawUpdate) -> Result<Draw> {
    let d = get(tx, u.id)?;
    not_withdrawn(&d, "修改")?;
    let input = u.input();
    let v = check(tx, &input)?;
    let stored = input_of(tx, u.id)?;
    if stored.drawn_on == input.drawn_on
        && stored.title == v.title
        && stored.note == v.note
        && stored.institution_ids == v.institution_ids
        && serde_json::to_string(&stored.inspectors).ok().as_deref() == Some(v.inspectors.as_str())
    {
        // The same draw again: nothing written, no audit entry.
        return Ok(d);
    }
    tx.execute(
        "UPDATE random_draw SET drawn_on = ?2, title = ?3, inspectors = ?4, note = ?5, updated_at = ?6
         WHERE id = ?1",
        params![
            u.id,
            date_text(input.drawn_on),
            v.title,
            v.inspectors,
            v.note,
            now_text()
        ],
    )?;
    tx.touch("random_draw", u.id);
    write_institutions(tx, u.id, &v.institution_ids)?;
    get(tx, u.id)
}

/// `draw.withdraw`: a draw that should not stand (recorded twice, or not this office's) is
/// withdrawn with the reason; it stays on file, marked, and is no longer printed for publication.
pub fn withdraw(tx: &mut Tx<'_>, w: &DrawWithdraw) -> Result<Draw> {
    let d = get(tx, w.id)?;
    not_withdrawn(&d, "再次撤回")?;
    let reason = required_text(&w.reason, "reason", "撤回理由", 200)?;
    let on = w.date.unwrap_or_else(crate::vocab::dates::today_local);
    if on < d.drawn_on {
        return Err(ApiError::field("date", "撤回日期不能早于抽取日期"));
    }
    tx.execute(
        "UPDATE random_draw SET withdrawn_on = ?2, withdraw_reason = ?3, updated_at = ?4 WHERE id = ?1",
        params![w.id, date_text(on), reason, now_text()],
    )?;
    tx.touch("random_draw", w.id);
    get(tx, w.id)
}

/// `draw.list`: newest first.
pub fn list(conn: &Connection) -> Result<Vec<Draw>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM random_draw ORDER BY drawn_on DESC, id DESC")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// `draw.create`.
pub fn create(tx: &mut Tx<'_>, i: &DrawInput) -> Result<Draw> {
    let v = check(tx, i)?;
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM random_draw",
        [],
        |r| r.get(0),
    )?;
    let office = office_code(tx)?;
    let now = now_text();
    tx.execute(
        "INSERT INTO random_draw (id, uid, drawn_on, title, inspectors, note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            id,
            format!("{office}-SJ{id}"),
            date_text(i.drawn_on),
            v.title,
            v.inspectors,
            v.note,
            now
        ],
    )?;
    tx.touch("random_draw", id);
    write_institutions(tx, id, &v.institution_ids)?;
    get(tx, id)
}

/// Headings of the platform's list this reads (first row), by what they hold.
const CODE_HEADINGS: &[&str] = &["机构编码", "定点医药机构编码", "医药机构编码", "编码"];
const NAME_HEADINGS: &[&str] = &[
    "机构名称",
    "定点医药机构名称",
    "医药机构名称",
    "被检查对象",
    "检查对象",
];
const INSPECTOR_HEADINGS: &[&str] = &["检查人员", "执法人员", "抽取人员", "人员姓名", "姓名"];

/// `draw.parse_list`: the institutions (by 机构编码, else by exact 机构名称) and inspectors of the
/// platform's exported list (XLSX or CSV, first row headings). Reads only.
pub fn parse_list(conn: &Connection, req: &ImportRequest) -> Result<DrawList> {
    let rows = crate::registry::import_rows(req)?;
    let mut rows = rows.into_iter();
    let header = rows
        .next()
        .ok_or_else(|| ApiError::field("file_name", "文件是空的，没有表头"))?;
    let find = |names: &[&str]| {
        header.iter().position(|h| {
            let h = h
                .trim()
                .trim_start_matches('\u{feff}')
                .trim_start_matches('*');
            names.contains(&h)
        })
    };
    let (code, name, person) = (
        find(CODE_HEADINGS),
        find(NAME_HEADINGS),
        find(INSPECTOR_HEADINGS),
    );
    if code.is_none() && name.is_none() && person.is_none() {
        return Err(ApiError::field(
            "file_name",
            "表头应包含“机构编码”或“机构名称”列，以及“检查人员”列",
        ));
    }
    let mut out = DrawList::default();
    for (i, cells) in rows.enumerate() {
        let row_no = i + 2;
        let cell = |c: Option<usize>| {
            c.and_then(|c| cells.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let (code, name, person) = (cell(code), cell(name), cell(person));
        if code.starts_with(EXAMPLE_MARK) {
            continue;
        }
        if !code.is_empty() || !name.is_empty() {
            let id: Option<i64> = if !code.is_empty() {
                conn.prepare_cached("SELECT id FROM institution WHERE code = ?1")?
                    .query_row([&code], |r| r.get(0))
                    .optional()?
            } else {
                conn.prepare_cached("SELECT id FROM institution WHERE name = ?1")?
                    .query_row([&name], |r| r.get(0))
                    .optional()?
            };
            match id.map(|id| institution(conn, id)).transpose()?.flatten() {
                Some(inst) => {
                    if !out.institutions.iter().any(|x| x.id == inst.id) {
                        out.institutions.push(inst);
                    }
                }
                None => out.problems.push(format!(
                    "第{row_no}行：{} 不在定点医药机构名单中",
                    if code.is_empty() { &name } else { &code }
                )),
            }
        }
        // A cell may name several inspectors (张三、李四).
        for p in person.split(['、', ',', '，', ';', '；', ' ']) {
            let p = p.trim();
            if !p.is_empty() && !out.inspectors.iter().any(|x| x == p) {
                out.inspectors.push(p.to_string());
            }
        }
    }
    Ok(out)
}

/// A4 portrait with the notices' margins.
fn portrait() -> Geometry {
    Geometry::default()
}

/// `draw.pdf`: 双随机抽查结果公示 — what was drawn, when, the institutions (序号, 名称, 编码, 类别)
/// and the inspectors drawn, the office and the date.
pub fn pdf(conn: &Connection, id: i64) -> Result<ReportFile> {
    let d = get(conn, id)?;
    not_withdrawn(&d, "打印公示")?;
    let office = office_name(conn);
    let body = Style::new(FontRole::FangSong, 14.0);
    let para = |text: String, align: Align| Block::Para {
        text,
        style: body,
        align,
        indent: 0.0,
        leading: 0.0,
    };
    let mut rows = vec![Row {
        cells: vec![
            Cell::new("序号"),
            Cell::new("被抽查机构"),
            Cell::new("机构编码"),
            Cell::new("机构类别"),
        ],
        ..Row::default()
    }];
    for (i, inst) in d.institutions.iter().enumerate() {
        rows.push(Row {
            cells: vec![
                Cell::new((i + 1).to_string()),
                Cell::left(inst.name.clone()),
                Cell::new(inst.code.clone()),
                Cell::new(inst.kind.label()),
            ],
            ..Row::default()
        });
    }
    let title = "“双随机、一公开”抽查结果公示";
    let blocks = vec![
        Block::Title(title.to_string()),
        Block::Space(0.5),
        Block::body(format!(
            "根据“双随机、一公开”监管工作要求，{}于{}通过随机抽取确定了{}的检查对象和检查人员，现将抽查结果公示如下。",
            office,
            cn_date(d.drawn_on),
            d.title
        )),
        Block::Space(0.3),
        para("一、抽中的检查对象".to_string(), Align::Left),
        Block::Table(Table {
            columns: vec![0.8, 4.0, 2.4, 1.6],
            header_rows: 1,
            rows,
            style: Style::new(FontRole::Song, 11.0),
            min_row_height: 22.0,
        }),
        Block::Space(0.3),
        para("二、抽中的检查人员".to_string(), Align::Left),
        Block::body(d.inspectors.join("、")),
        Block::Space(1.0),
        para(office.clone(), Align::Right),
        para(cn_date(d.drawn_on), Align::Right),
    ];
    let pdf = crate::docs::render_blocks(&blocks, portrait(), title)?;
    Ok(ReportFile {
        file_name: format!("{}{}抽查结果公示.pdf", office, d.title),
        content_base64: encode(&pdf.bytes),
        pages: pdf.pages as i64,
    })
}
