//! The report settings (issue 10): how 追回医保基金 is counted, the decimals of 万元, the day of
//! the next month the table is due (002 二(五): 次月3日前) and the sign-off names of the table.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::text::bounded_text;

/// What counts as recovered for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum RecoveredBasis {
    /// By fiscal receipt (004 art. 11: the final proof of recovery), receipts voided before the
    /// month's end left out.
    #[default]
    Receipted,
    /// By arrival of the money and settlement of the deduction.
    Arrived,
}

crate::labels!(RecoveredBasis { Receipted => "以开具财政票据为准", Arrived => "以资金到账和抵扣完成为准" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ReportSettings {
    pub recovered_basis: RecoveredBasis,
    /// Decimals of the 万元 figures (0–4; default 2).
    pub amount_decimals: u32,
    /// The table is due on this day of the next month (default 3).
    pub due_day: u32,
    /// A due day on a weekend or holiday moves to the next working day.
    pub roll_due_to_working_day: bool,
    /// The sign-off row: 单位主要负责人, 核对人, 制表人, 制表人电话.
    pub principal: String,
    pub checker: String,
    pub preparer: String,
    pub phone: String,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            recovered_basis: RecoveredBasis::Receipted,
            amount_decimals: 2,
            due_day: 3,
            roll_due_to_working_day: true,
            principal: String::new(),
            checker: String::new(),
            preparer: String::new(),
            phone: String::new(),
        }
    }
}

pub fn load(conn: &Connection) -> Result<ReportSettings> {
    let data: Option<String> = conn
        .query_row("SELECT data FROM report_settings WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    match data {
        None => Ok(ReportSettings::default()),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::internal(format!("报表设置无法读取：{e}"))),
    }
}

pub fn update(tx: &mut Tx<'_>, s: ReportSettings) -> Result<ReportSettings> {
    if s.amount_decimals > 4 {
        return Err(ApiError::field(
            "amount_decimals",
            "万元金额的小数位数应在0至4位之间",
        ));
    }
    if !(1..=28).contains(&s.due_day) {
        return Err(ApiError::field("due_day", "报送日应在次月1日至28日之间"));
    }
    let s = ReportSettings {
        principal: bounded_text(&s.principal, "principal", "单位主要负责人", 30)?,
        checker: bounded_text(&s.checker, "checker", "核对人", 30)?,
        preparer: bounded_text(&s.preparer, "preparer", "制表人", 30)?,
        phone: bounded_text(&s.phone, "phone", "制表人电话", 30)?,
        ..s
    };
    let json = serde_json::to_string(&s).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO report_settings (id, data, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        rusqlite::params![json, now_text()],
    )?;
    tx.touch("report_settings", 1);
    load(tx)
}
