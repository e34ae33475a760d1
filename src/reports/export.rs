//! The monthly table as files: XLSX with the merged header rows of 002 附表 (rust_xlsxwriter), and
//! PDF on landscape A4 through the notices' layout engine. Both come from [`MonthlyTable`], so
//! the screen, the workbook and the paper show the same numbers.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::monthly::{MonthlyColumn, MonthlyTable};
use crate::docs::fonts::FontRole;
use crate::docs::layout::{Align, Block, Cell, Geometry, Row, Style, Table, MM};
use crate::error::{ApiError, Result};
use crate::vocab::dates::cn_date;

/// `report.monthly_xlsx` / `report.monthly_pdf`: the month, and the date written as 填报日期.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MonthlyExport {
    pub year: i32,
    pub month: u32,
    #[ts(optional = nullable)]
    pub filled_on: Option<NaiveDate>,
}

/// A file for the save dialog.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReportFile {
    pub file_name: String,
    pub content_base64: String,
    /// Pages of a PDF (0 for a workbook).
    pub pages: i64,
}

/// Rows of the sheet (0-based): title, 填报单位 line, the two header rows, the office's row.
pub const TITLE_ROW: u32 = 0;
pub const INFO_ROW: u32 = 1;
pub const GROUP_ROW: u32 = 2;
pub const COLUMN_ROW: u32 = 3;
pub const DATA_ROW: u32 = 4;
pub const SIGN_ROW: u32 = 6;
pub const NOTES_ROW: u32 = 8;
/// 填报单位 and the 22 figures.
pub const COLUMNS: u16 = 23;

fn xlsx_err(e: XlsxError) -> ApiError {
    ApiError::internal(format!("生成 Excel 文件失败：{e}"))
}

pub fn file_stem(t: &MonthlyTable) -> String {
    format!("{}{}年{}月{}", t.office, t.year, t.month, t.title)
}

fn period(t: &MonthlyTable) -> String {
    format!(
        "统计期间：{}至{}（本年累计）",
        cn_date(t.from),
        cn_date(t.to)
    )
}

/// The 万元 cells carry the set decimals as their number format.
fn amount_format(decimals: u32) -> String {
    if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    }
}

/// The workbook bytes.
pub fn xlsx(t: &MonthlyTable, filled_on: NaiveDate) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .set_name(format!("{}年{}月", t.year, t.month))
        .map_err(xlsx_err)?;
    let last = COLUMNS - 1;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let left = Format::new().set_align(FormatAlign::Left);
    let right = Format::new().set_align(FormatAlign::Right);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let text = Format::new()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let count = text.clone().set_num_format("#,##0");
    let percent = text.clone().set_num_format("0.00");
    let amount = text
        .clone()
        .set_num_format(amount_format(t.settings.amount_decimals));
    let note = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    sheet
        .merge_range(TITLE_ROW, 0, TITLE_ROW, last, &t.title, &title)
        .map_err(xlsx_err)?;
    sheet.set_row_height(TITLE_ROW, 30).map_err(xlsx_err)?;
    sheet
        .merge_range(
            INFO_ROW,
            0,
            INFO_ROW,
            10,
            &format!("填报单位：{}（公章）", t.office),
            &left,
        )
        .map_err(xlsx_err)?;
    sheet
        .merge_range(
            INFO_ROW,
            11,
            INFO_ROW,
            last,
            &format!("{}　　填报日期：{}", period(t), cn_date(filled_on)),
            &right,
        )
        .map_err(xlsx_err)?;
    sheet
        .merge_range(GROUP_ROW, 0, COLUMN_ROW, 0, &t.office_heading, &head)
        .map_err(xlsx_err)?;
    let mut col: u16 = 1;
    for g in &t.groups {
        let span = g.columns.len() as u16;
        if span == 1 {
            sheet
                .write_string_with_format(GROUP_ROW, col, &g.label, &head)
                .map_err(xlsx_err)?;
        } else {
            sheet
                .merge_range(GROUP_ROW, col, GROUP_ROW, col + span - 1, &g.label, &head)
                .map_err(xlsx_err)?;
        }
        for (i, c) in g.columns.iter().enumerate() {
            sheet
                .write_string_with_format(COLUMN_ROW, col + i as u16, &c.label, &head)
                .map_err(xlsx_err)?;
        }
        col += span;
    }
    sheet.set_row_height(GROUP_ROW, 22).map_err(xlsx_err)?;
    sheet.set_row_height(COLUMN_ROW, 66).map_err(xlsx_err)?;
    sheet
        .write_string_with_format(DATA_ROW, 0, &t.office, &text)
        .map_err(xlsx_err)?;
    sheet.set_row_height(DATA_ROW, 30).map_err(xlsx_err)?;
    for (i, c) in t.cells.iter().enumerate() {
        let col = 1 + i as u16;
        // A spreadsheet cell holds a double: the figure is computed exactly (分) and rounded once
        // into `c.text`; only that rounded text becomes the cell's number.
        let (value, format) = match c.column {
            MonthlyColumn::Progress => (c.text.parse::<f64>(), &percent),
            MonthlyColumn::Recovered => (c.text.parse::<f64>(), &amount),
            _ => (Ok(c.count as f64), &count),
        };
        let value = value.map_err(|e| ApiError::internal(e.to_string()))?;
        sheet
            .write_number_with_format(DATA_ROW, col, value, format)
            .map_err(xlsx_err)?;
    }
    let s = &t.settings;
    let sign = [
        (
            0u16,
            4u16,
            format!("单位主要负责人：（签字）{}", s.principal),
        ),
        (5, 10, format!("核对人：{}", s.checker)),
        (11, 16, format!("制表人：{}", s.preparer)),
        (17, last, format!("制表人电话：{}", s.phone)),
    ];
    for (a, b, v) in &sign {
        sheet
            .merge_range(SIGN_ROW, *a, SIGN_ROW, *b, v, &left)
            .map_err(xlsx_err)?;
    }
    sheet
        .write_string(NOTES_ROW, 0, "备注：")
        .map_err(xlsx_err)?;
    for (i, n) in t.notes.iter().enumerate() {
        let row = NOTES_ROW + 1 + i as u32;
        sheet
            .merge_range(row, 0, row, last, n, &note)
            .map_err(xlsx_err)?;
        sheet.set_row_height(row, 32).map_err(xlsx_err)?;
    }
    sheet.set_column_width(0, 16).map_err(xlsx_err)?;
    for c in 1..COLUMNS {
        sheet.set_column_width(c, 7.5).map_err(xlsx_err)?;
    }
    sheet.set_column_width(17, 10).map_err(xlsx_err)?;
    sheet.set_freeze_panes(DATA_ROW, 1).map_err(xlsx_err)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 1);
    sheet.set_print_center_horizontally(true);
    book.save_to_buffer().map_err(xlsx_err)
}

/// Landscape A4 with 15 mm margins: the 23 columns fit the width.
pub fn landscape() -> Geometry {
    Geometry {
        page_w: 297.0 * MM,
        page_h: 210.0 * MM,
        top: 15.0 * MM,
        left: 15.0 * MM,
        block_w: 267.0 * MM,
        block_h: 180.0 * MM,
        lines: 30,
        chars: 48,
        body_size: 10.5,
        title_size: 18.0,
        page_number_size: 10.5,
        page_number_gap: 5.0 * MM,
    }
}

/// The blocks of the PDF: title, 填报单位 and period, the table with its merged headers, the
/// sign-off row and the notes.
pub fn pdf_blocks(t: &MonthlyTable, filled_on: NaiveDate) -> Vec<Block> {
    let small = Style::new(FontRole::Song, 8.0);
    let line = |text: String, align: Align, style: Style| Block::Para {
        text,
        style,
        align,
        indent: 0.0,
        leading: 0.0,
    };
    let mut head = Row::default();
    head.cells
        .push(Cell::new(t.office_heading.clone()).span(1, 2));
    let mut sub = Row::default();
    for g in &t.groups {
        head.cells
            .push(Cell::new(g.label.clone()).span(g.columns.len(), 1));
        for c in &g.columns {
            sub.cells.push(Cell::new(c.label.clone()));
        }
    }
    let mut data = Row::default();
    data.cells.push(Cell::new(t.office.clone()));
    for c in &t.cells {
        data.cells.push(Cell::new(c.text.clone()));
    }
    let mut columns = vec![2.6f32];
    columns.extend(t.cells.iter().map(|c| {
        if c.column == MonthlyColumn::Recovered {
            1.6
        } else {
            1.0
        }
    }));
    let s = &t.settings;
    let mut blocks = vec![
        Block::Title(t.title.clone()),
        Block::Space(0.3),
        line(
            format!("填报单位：{}（公章）", t.office),
            Align::Left,
            Style::new(FontRole::FangSong, 11.0),
        ),
        line(
            format!("{}　　填报日期：{}", period(t), cn_date(filled_on)),
            Align::Right,
            Style::new(FontRole::FangSong, 11.0),
        ),
        Block::Table(Table {
            columns,
            header_rows: 2,
            rows: vec![head, sub, data],
            style: small,
            min_row_height: 20.0,
        }),
        Block::Space(0.5),
        line(
            format!(
                "单位主要负责人：（签字）{}　　　　核对人：{}　　　　制表人：{}　　　　制表人电话：{}",
                s.principal, s.checker, s.preparer, s.phone
            ),
            Align::Left,
            Style::new(FontRole::FangSong, 11.0),
        ),
        Block::Space(0.3),
        line("备注：".to_string(), Align::Left, small),
    ];
    for n in &t.notes {
        blocks.push(line(n.clone(), Align::Justify, small));
    }
    blocks
}

pub fn pdf(t: &MonthlyTable, filled_on: NaiveDate) -> Result<crate::docs::RenderedPdf> {
    crate::docs::render_blocks(&pdf_blocks(t, filled_on), landscape(), &t.title)
}

pub fn encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
