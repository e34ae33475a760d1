//! The office's other reports (issue 10) as one shape, a [`Sheet`]: titled tables of text and
//! figures with their notes, shown on the screen, saved as XLSX and printed on landscape A4 from
//! the same value. A figure that stands for matters carries a drill key; `report.sheet_drill`
//! lists the matters behind it through the member query its report computed it from (the same
//! query, no second implementation — see each report's `members`).

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::export::{encode, landscape, ReportFile};
use super::monthly::DrillItem;
use crate::docs::fonts::FontRole;
use crate::docs::layout::{Align, Block, Cell, Row, Style, Table};
use crate::error::{ApiError, Result};
use crate::store::query::Page;
use crate::vocab::dates::cn_date;

/// The reports built as sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum SheetKind {
    /// 追回台账 per matter.
    RecoveryLedger,
    /// 追回台账 per institution.
    RecoveryByInstitution,
    /// 年度执法处理情况: a matter once under its heaviest measure.
    Enforcement,
    /// 月度对账表 (004 art. 14).
    Reconciliation,
    /// 追回资金情况（报同级财政部门）(000 art. 8).
    FundsToFinance,
    /// 追回资金情况（报属地医疗保障部门）(000 art. 8).
    FundsToBureau,
    /// 专项整治工作情况 (003): built by `report.campaign_xlsx|campaign_pdf` from the campaign figures.
    Campaign,
}

crate::labels!(SheetKind {
    RecoveryLedger => "追回台账（按案件）",
    RecoveryByInstitution => "追回台账（按机构）",
    Enforcement => "年度执法处理情况",
    Reconciliation => "月度对账表",
    FundsToFinance => "追回资金情况（报同级财政部门）",
    FundsToBureau => "追回资金情况（报医疗保障行政部门）",
    Campaign => "专项整治工作情况",
});

/// How a column's figures are written (and typed in the workbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum CellFormat {
    Text,
    Count,
    /// 元, two decimals.
    Yuan,
    /// 万元, the report settings' decimals.
    WanYuan,
    /// Whole days.
    Days,
}

crate::labels!(CellFormat { Text => "文字", Count => "数量", Yuan => "元", WanYuan => "万元", Days => "天数" });

/// `report.sheet` / `report.sheet_xlsx` / `report.sheet_pdf`: which report, for which period.
/// `to` is the last day counted (the ledger: "as of"); `from` the first (default: 1 January of
/// `to`'s year; the reconciliation: the first of `to`'s month).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SheetQuery {
    pub report: SheetKind,
    #[ts(optional = nullable)]
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

impl SheetQuery {
    pub fn period(&self) -> Result<(NaiveDate, NaiveDate)> {
        let to = self.to;
        let from = match self.report {
            SheetKind::Reconciliation => to.with_day(1).expect("first day"),
            _ => self
                .from
                .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).expect("1 January")),
        };
        if from > to {
            return Err(ApiError::field("from", "起始日期不能晚于截止日期"));
        }
        Ok((from, to))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SheetColumn {
    pub label: String,
    pub format: CellFormat,
    /// Relative width on paper.
    pub width: f32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SheetCell {
    pub text: String,
    /// The key of the member query behind this figure (`report.sheet_drill`).
    #[ts(optional = nullable)]
    pub drill: Option<String>,
    /// The case this text names (opens it).
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
}

impl SheetCell {
    pub fn text(text: impl Into<String>) -> SheetCell {
        SheetCell {
            text: text.into(),
            ..SheetCell::default()
        }
    }
    pub fn figure(text: impl Into<String>, drill: impl Into<String>) -> SheetCell {
        SheetCell {
            text: text.into(),
            drill: Some(drill.into()),
            case_id: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SheetRow {
    pub cells: Vec<SheetCell>,
    /// A 合计 row.
    pub total: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SheetTable {
    pub title: String,
    pub columns: Vec<SheetColumn>,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Sheet {
    pub kind: SheetKind,
    pub title: String,
    pub office: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period as printed (统计期间 / 截至).
    pub period: String,
    /// 报送单位 when the report goes to another body.
    pub addressee: String,
    pub tables: Vec<SheetTable>,
    /// Definitions printed under the tables.
    pub notes: Vec<String>,
    /// 制表人 and 核对人 from the report settings.
    pub preparer: String,
    pub checker: String,
}

/// `report.sheet_drill`: the matters behind one figure of a sheet.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SheetDrill {
    pub query: SheetQuery,
    pub key: String,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

pub fn column(label: &str, format: CellFormat, width: f32) -> SheetColumn {
    SheetColumn {
        label: label.to_string(),
        format,
        width,
    }
}

pub fn office_name(conn: &Connection) -> String {
    conn.query_row("SELECT name FROM office WHERE id = 1", [], |r| r.get(0))
        .unwrap_or_default()
}

/// `report.sheet`.
pub fn sheet(conn: &Connection, q: &SheetQuery) -> Result<Sheet> {
    let (from, to) = q.period()?;
    match q.report {
        SheetKind::RecoveryLedger | SheetKind::RecoveryByInstitution => {
            super::recovery::sheet(conn, q.report, from, to)
        }
        SheetKind::Enforcement => super::enforcement::sheet(conn, from, to),
        SheetKind::Reconciliation => super::funds::reconciliation(conn, to),
        SheetKind::FundsToFinance | SheetKind::FundsToBureau => {
            super::funds::sheet(conn, q.report, from, to)
        }
        SheetKind::Campaign => Err(campaign_elsewhere()),
    }
}

/// `report.sheet_drill`: the key names the member query of the report that computed the figure.
pub fn drill(conn: &Connection, d: &SheetDrill) -> Result<Page<DrillItem>> {
    let (from, to) = d.query.period()?;
    let sql = match d.query.report {
        SheetKind::RecoveryLedger | SheetKind::RecoveryByInstitution => {
            super::recovery::members(&d.key)?
        }
        SheetKind::Enforcement => super::enforcement::members(&d.key)?,
        SheetKind::FundsToFinance | SheetKind::FundsToBureau => {
            super::funds::members(conn, &d.key)?
        }
        SheetKind::Reconciliation => {
            return super::funds::reconciliation_drill(conn, to, &d.key, d.offset, d.limit)
        }
        SheetKind::Campaign => return Err(campaign_elsewhere()),
    };
    super::monthly::page_of(conn, &sql, from, to, true, d.offset, d.limit)
}

/// The campaign's figures need the campaign: they have their own requests (`report.campaign*`).
fn campaign_elsewhere() -> ApiError {
    ApiError::field(
        "report",
        "专项整治的统计请在“专项整治”页面选择专项整治后查看",
    )
}

fn bad_key() -> ApiError {
    ApiError::field("key", "统计栏目不存在")
}

/// A drill key `prefix:<number>` → the number.
pub fn key_number(key: &str, prefix: &str) -> Result<i64> {
    key.strip_prefix(prefix)
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(bad_key)
}

/// 分 as the 元 text of a sheet cell ("1234.50", "-0.05"): what `Money`'s `Display` gives, written
/// from the integer directly (a ledger of 9,000 matters formats 55,000 amounts; through `Decimal`
/// that was a fifth of the sheet's time).
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    let text = format!("{sign}{}.{:02}", a / 100, a % 100);
    debug_assert_eq!(text, crate::money::Money::from_fen(fen).to_string());
    text
}

pub fn unknown_key() -> ApiError {
    bad_key()
}

fn xlsx_err(e: XlsxError) -> ApiError {
    ApiError::internal(format!("生成 Excel 文件失败：{e}"))
}

pub fn file_stem(s: &Sheet) -> String {
    format!("{}{}（{}）", s.office, s.title, s.period)
}

/// The workbook: one sheet, title merged over the widest table, each table with its heading row,
/// numbers as numbers (the exact text parsed once) with their format, frozen under the first header.
pub fn xlsx(s: &Sheet) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let width = s
        .tables
        .iter()
        .map(|t| t.columns.len())
        .max()
        .unwrap_or(1)
        .max(2) as u16;
    let last = width - 1;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let left = Format::new().set_align(FormatAlign::Left);
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let text = Format::new()
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let count = text.clone().set_num_format("#,##0");
    let yuan = text.clone().set_num_format("#,##0.00");
    let wan = text.clone().set_num_format("#,##0.00##");
    let note = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.merge_range(0, 0, 0, last, &s.title, &title)
        .map_err(xlsx_err)?;
    ws.set_row_height(0, 30).map_err(xlsx_err)?;
    let mut info = format!("填报单位：{}（公章）　　{}", s.office, s.period);
    if !s.addressee.is_empty() {
        info = format!("报送：{}　　{info}", s.addressee);
    }
    ws.merge_range(1, 0, 1, last, &info, &left)
        .map_err(xlsx_err)?;
    let mut row: u32 = 3;
    let mut frozen = false;
    for t in &s.tables {
        if !t.title.is_empty() {
            ws.write_string_with_format(row, 0, &t.title, &bold)
                .map_err(xlsx_err)?;
            row += 1;
        }
        for (i, c) in t.columns.iter().enumerate() {
            ws.write_string_with_format(row, i as u16, &c.label, &head)
                .map_err(xlsx_err)?;
        }
        ws.set_row_height(row, 36).map_err(xlsx_err)?;
        if !frozen {
            ws.set_freeze_panes(row + 1, 0).map_err(xlsx_err)?;
            frozen = true;
        }
        row += 1;
        for r in &t.rows {
            for (i, (cell, c)) in r.cells.iter().zip(&t.columns).enumerate() {
                let col = i as u16;
                let number = match c.format {
                    CellFormat::Text => None,
                    CellFormat::Count | CellFormat::Days => Some(&count),
                    CellFormat::Yuan => Some(&yuan),
                    CellFormat::WanYuan => Some(&wan),
                };
                match (number, cell.text.replace(',', "").parse::<f64>()) {
                    (Some(f), Ok(v)) => ws.write_number_with_format(row, col, v, f),
                    _ => ws.write_string_with_format(row, col, &cell.text, &text),
                }
                .map_err(xlsx_err)?;
            }
            row += 1;
        }
        row += 1;
    }
    let sign = format!("核对人：{}　　　　制表人：{}", s.checker, s.preparer);
    ws.merge_range(row, 0, row, last, &sign, &left)
        .map_err(xlsx_err)?;
    row += 2;
    if !s.notes.is_empty() {
        ws.write_string(row, 0, "说明：").map_err(xlsx_err)?;
        for n in &s.notes {
            row += 1;
            ws.merge_range(row, 0, row, last, n, &note)
                .map_err(xlsx_err)?;
            ws.set_row_height(row, 32).map_err(xlsx_err)?;
        }
    }
    for (i, w) in s
        .tables
        .iter()
        .max_by_key(|t| t.columns.len())
        .map(|t| t.columns.iter().map(|c| c.width).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(i as u16, f64::from(w) * 9.0)
            .map_err(xlsx_err)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    book.save_to_buffer().map_err(xlsx_err)
}

/// The PDF blocks: title, 填报单位 and period, each table (header repeated on every page), the
/// sign-off line and the notes.
pub fn pdf_blocks(s: &Sheet) -> Vec<Block> {
    let small = Style::new(FontRole::Song, 8.5);
    let line = |text: String, align: Align, style: Style| Block::Para {
        text,
        style,
        align,
        indent: 0.0,
        leading: 0.0,
    };
    let fang = Style::new(FontRole::FangSong, 11.0);
    let mut blocks = vec![Block::Title(s.title.clone()), Block::Space(0.3)];
    if !s.addressee.is_empty() {
        blocks.push(line(format!("报送：{}", s.addressee), Align::Left, fang));
    }
    blocks.push(line(
        format!("填报单位：{}（公章）", s.office),
        Align::Left,
        fang,
    ));
    blocks.push(line(s.period.clone(), Align::Right, fang));
    for t in &s.tables {
        if !t.title.is_empty() {
            blocks.push(line(
                t.title.clone(),
                Align::Left,
                Style::new(FontRole::Hei, 10.5),
            ));
        }
        let mut head = Row::default();
        for c in &t.columns {
            head.cells.push(Cell::new(c.label.clone()));
        }
        let mut rows = vec![head];
        for r in &t.rows {
            let mut row = Row::default();
            for (cell, c) in r.cells.iter().zip(&t.columns) {
                row.cells.push(match c.format {
                    CellFormat::Text => Cell::left(cell.text.clone()),
                    _ => Cell::new(grouped(&cell.text)).align(Align::Right),
                });
            }
            rows.push(row);
        }
        if t.rows.is_empty() {
            let mut row = Row::default();
            row.cells
                .push(Cell::new("（无）").span(t.columns.len().max(1), 1));
            rows.push(row);
        }
        blocks.push(Block::Table(Table {
            columns: t.columns.iter().map(|c| c.width).collect(),
            header_rows: 1,
            rows,
            style: small,
            min_row_height: 16.0,
        }));
        blocks.push(Block::Space(0.3));
    }
    blocks.push(line(
        format!("核对人：{}　　　　制表人：{}", s.checker, s.preparer),
        Align::Left,
        fang,
    ));
    if !s.notes.is_empty() {
        blocks.push(Block::Space(0.3));
        blocks.push(line("说明：".to_string(), Align::Left, small));
        for n in &s.notes {
            blocks.push(line(n.clone(), Align::Justify, small));
        }
    }
    blocks
}

/// `1234567.50` → `1,234,567.50` (the text keeps its decimals; a non-number is returned as it is).
pub fn grouped(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// `report.sheet_xlsx`.
pub fn sheet_xlsx(conn: &Connection, q: &SheetQuery) -> Result<ReportFile> {
    let s = sheet(conn, q)?;
    let bytes = xlsx(&s)?;
    Ok(ReportFile {
        file_name: format!("{}.xlsx", file_stem(&s)),
        content_base64: encode(&bytes),
        pages: 0,
    })
}

/// `report.sheet_pdf`.
pub fn sheet_pdf(conn: &Connection, q: &SheetQuery) -> Result<ReportFile> {
    let s = sheet(conn, q)?;
    let pdf = crate::docs::render_blocks(&pdf_blocks(&s), landscape(), &s.title)?;
    Ok(ReportFile {
        file_name: format!("{}.pdf", file_stem(&s)),
        content_base64: encode(&pdf.bytes),
        pages: pdf.pages as i64,
    })
}

/// 统计期间：2026年1月1日至2026年3月31日
pub fn period_text(from: NaiveDate, to: NaiveDate) -> String {
    format!("统计期间：{}至{}", cn_date(from), cn_date(to))
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn figures_are_grouped_by_thousands() {
        assert_eq!(grouped("1234567.50"), "1,234,567.50");
        assert_eq!(grouped("-1234.5"), "-1,234.5");
        assert_eq!(grouped("999"), "999");
        assert_eq!(grouped("—"), "—");
    }
}
