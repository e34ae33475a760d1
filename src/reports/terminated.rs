//! 解除医疗保障服务协议的定点医药机构名单 for publication (issue 9; 001 art. 20: the agency makes the
//! termination public): the institutions whose agreement was terminated in a period, with the
//! decision, the date it took effect and the end of the ban on a new agreement. Read from the
//! decided measures (`agreement_measure`), the same rows the ban is judged on.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::export::{encode, ReportFile};
use crate::cases::measures::TerminationGround;
use crate::docs::fonts::FontRole;
use crate::docs::layout::{Block, Cell, Row, Style, Table, MM};
use crate::error::{ApiError, Result};
use crate::vocab::dates::{cn_date, date_text, opt_date};
use crate::vocab::labels::Labeled as _;
use crate::vocab::text::enum_from;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct TerminatedQuery {
    /// The period the terminations took effect in (both days included).
    #[ts(optional = nullable)]
    pub from: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub to: Option<NaiveDate>,
}

/// One institution of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TerminatedInstitution {
    pub institution_id: i64,
    pub code: String,
    pub name: String,
    pub credit_code: String,
    pub case_id: i64,
    pub case_number: String,
    /// The decision's number (协议处理决定书).
    pub decision_number: String,
    pub terminated_on: NaiveDate,
    /// Why (违法违规 or a serious breach of the agreement), which sets the ban's length.
    pub ground: TerminationGround,
    /// The ban's last day: no new agreement may be signed up to and including it
    /// (`TerminationGround::ban_last_day`).
    pub ban_until: NaiveDate,
}

fn period(q: &TerminatedQuery) -> Result<(NaiveDate, NaiveDate)> {
    let from = q
        .from
        .ok_or_else(|| ApiError::field("from", "请选择起始日期"))?;
    let to =
        q.to.ok_or_else(|| ApiError::field("to", "请选择截止日期"))?;
    crate::vocab::dates::not_before(to, from, "to", "截止日期", "起始日期")?;
    Ok((from, to))
}

/// `report.terminated`: the terminations that took effect in the period, in date order.
pub fn list(conn: &Connection, q: &TerminatedQuery) -> Result<Vec<TerminatedInstitution>> {
    let (from, to) = period(q)?;
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.code, i.name, COALESCE(i.credit_code, ''), c.id, c.case_number,
                COALESCE(d.document_number, ''), m.starts_on, m.ground
         FROM agreement_measure m
         JOIN institution i ON i.id = m.institution_id
         JOIN case_file c ON c.id = m.case_id
         LEFT JOIN decision d ON d.case_id = m.case_id
         WHERE m.kind = 'AgreementTermination' AND m.starts_on BETWEEN ?1 AND ?2
         ORDER BY m.starts_on, i.code",
    )?;
    let rows = stmt
        .query_map(params![date_text(from), date_text(to)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                opt_date(r.get(7)?)?,
                r.get::<_, Option<String>>(8)?
                    .map(enum_from::<TerminationGround>)
                    .unwrap_or(TerminationGround::Violation),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, code, name, credit, case_id, number, decision, on, ground)| {
                let on = on?;
                Some(TerminatedInstitution {
                    institution_id: id,
                    code,
                    name,
                    credit_code: credit,
                    case_id,
                    case_number: number,
                    decision_number: decision,
                    terminated_on: on,
                    ground,
                    ban_until: ground.ban_last_day(on),
                })
            },
        )
        .collect())
}

/// `report.terminated_pdf`: the list as the office publishes it (A4, the layout engine).
pub fn pdf(conn: &Connection, q: &TerminatedQuery, today: NaiveDate) -> Result<ReportFile> {
    let (from, to) = period(q)?;
    let items = list(conn, q)?;
    let office: String =
        conn.query_row("SELECT name FROM office WHERE id = 1", [], |r| r.get(0))?;
    let title = "解除医疗保障服务协议的定点医药机构名单";
    let mut rows = vec![Row {
        cells: [
            "序号",
            "机构名称",
            "机构编码",
            "统一社会信用代码",
            "解除日期",
            "解除原因",
            "不得重新签订协议至",
        ]
        .into_iter()
        .map(Cell::new)
        .collect(),
        keep_with_next: true,
    }];
    for (n, t) in items.iter().enumerate() {
        rows.push(Row {
            cells: vec![
                Cell::new((n + 1).to_string()),
                Cell::left(t.name.clone()),
                Cell::new(t.code.clone()),
                Cell::new(t.credit_code.clone()),
                Cell::new(cn_date(t.terminated_on)),
                Cell::new(t.ground.label()),
                Cell::new(cn_date(t.ban_until)),
            ],
            keep_with_next: false,
        });
    }
    if items.is_empty() {
        rows.push(Row {
            cells: vec![Cell::new("本期间没有被解除服务协议的定点医药机构").span(7, 1)],
            keep_with_next: false,
        });
    }
    let blocks = vec![
        Block::Title(title.to_string()),
        Block::Space(0.5),
        Block::body(format!(
            "{}至{}，下列定点医药机构被解除医疗保障服务协议，现予公布。因违法违规被解除的，自解除之日起三年内、因严重违反服务协议约定被解除的，自解除之日起一年内，不得重新签订服务协议；期满时尚未完全履行行政处罚法律责任或者违约责任的，履行完毕前亦不得重新签订。",
            cn_date(from),
            cn_date(to)
        )),
        Block::Table(Table {
            columns: vec![6.0, 24.0, 16.0, 22.0, 11.0, 10.0, 11.0],
            header_rows: 1,
            rows,
            style: Style::new(FontRole::FangSong, 9.0),
            min_row_height: 8.0 * MM,
        }),
        Block::Signature {
            names: vec![office],
            date: cn_date(today),
            style: Style::body(),
            gap_lines: 2.0,
        },
    ];
    let pdf = crate::docs::render_blocks(&blocks, crate::docs::Geometry::default(), title)?;
    Ok(ReportFile {
        file_name: format!("{title}（{}至{}）.pdf", date_text(from), date_text(to)),
        content_base64: encode(&pdf.bytes),
        pages: pdf.pages as i64,
    })
}
