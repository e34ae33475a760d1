//! Reports (issue 10): the records only the reports need (`records.rs`: inspections,
//! accountability, campaigns), the monthly table of 002 附表 with its drill-down (`monthly.rs`),
//! its XLSX and PDF (`export.rs`), the campaign figures of 003 (`campaign.rs`) and the report settings
//! (`settings.rs`); the other reports as sheets (`sheet.rs`: the recovery ledger `recovery.rs`,
//! the enforcement figures `enforcement.rs`, reconciliation and recovered funds `funds.rs`).
//! Reports only read the
//! ledger and the cases, through date indexes; the records are written through `Store::write`.

pub mod campaign;
pub mod charts;
pub mod draws;
pub mod enforcement;
pub mod export;
pub mod funds;
pub mod monthly;
pub mod records;
pub mod recovery;
pub mod settings;
pub mod sheet;
pub mod submission;
pub mod terminated;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::calendar::WorkCalendar;
use crate::error::Result;
use export::{MonthlyExport, ReportFile};
use monthly::MonthlyQuery;

/// Chinese labels of the request fields of this module (messages name the field).
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("kind", "检查方式"),
    ("institution_id", "被检查机构"),
    ("started_on", "检查日期"),
    ("ended_on", "结束日期"),
    ("departments", "联合检查部门"),
    ("problems_found", "是否发现问题"),
    ("inspectors", "检查人员"),
    ("summary", "检查情况"),
    ("campaign_area_id", "重点领域"),
    ("lead_ids", "产生的线索"),
    ("case_ids", "产生的案件"),
    ("category", "人员类别"),
    ("person", "被追责人员"),
    ("position", "单位及职务"),
    ("decided_on", "追责日期"),
    ("measure", "追责方式"),
    ("areas", "重点领域"),
    ("month", "月份"),
    ("campaign_id", "专项整治"),
    ("to", "截止日期"),
    ("column", "统计栏目"),
    ("filled_on", "填报日期"),
    ("recovered_basis", "追回资金统计口径"),
    ("amount_decimals", "万元小数位数"),
    ("due_day", "报送日"),
    ("roll_due_to_working_day", "遇节假日顺延"),
    ("principal", "单位主要负责人"),
    ("checker", "核对人"),
    ("preparer", "制表人"),
    ("phone", "制表人电话"),
    ("report", "报表"),
    ("query", "报表"),
    ("key", "统计栏目"),
    ("submitted_on", "报送日期"),
    ("drawn_on", "抽取日期"),
    ("title", "抽查事项"),
    ("institution_ids", "抽中的机构"),
    ("figure", "统计栏目"),
    ("area_id", "重点领域"),
];

/// The monthly table an export prints, and its 填报日期 (the day given, else today).
fn export_table(
    conn: &Connection,
    cal: &WorkCalendar,
    r: &MonthlyExport,
    today: NaiveDate,
) -> Result<(monthly::MonthlyTable, NaiveDate)> {
    let query = MonthlyQuery {
        year: r.year,
        month: r.month,
    };
    Ok((
        monthly::monthly(conn, cal, &query)?,
        r.filled_on.unwrap_or(today),
    ))
}

/// `report.monthly_xlsx`.
pub fn monthly_xlsx(
    conn: &Connection,
    cal: &WorkCalendar,
    r: &MonthlyExport,
    today: NaiveDate,
) -> Result<ReportFile> {
    let (t, filled_on) = export_table(conn, cal, r, today)?;
    let bytes = export::xlsx(&t, filled_on)?;
    Ok(ReportFile {
        file_name: format!("{}.xlsx", export::file_stem(&t)),
        content_base64: export::encode(&bytes),
        pages: 0,
    })
}

/// `report.monthly_pdf`.
pub fn monthly_pdf(
    conn: &Connection,
    cal: &WorkCalendar,
    r: &MonthlyExport,
    today: NaiveDate,
) -> Result<ReportFile> {
    let (t, filled_on) = export_table(conn, cal, r, today)?;
    let pdf = export::pdf(&t, filled_on)?;
    Ok(ReportFile {
        file_name: format!("{}.pdf", export::file_stem(&t)),
        content_base64: export::encode(&pdf.bytes),
        pages: pdf.pages as i64,
    })
}
