//! Entry into the 医保信息平台 (issue 9): the 通知单 (its collection terms), the self-correction
//! form, the payment voucher and the fiscal receipt each record whether and when they were entered
//! in the platform (004 art. 7: the organiser uploads the self-correction's basic information;
//! art. 9: the agency uploads the voucher's information; art. 11: the receipt's information is
//! uploaded and is what the issuing department checks). The 工作台 lists what is not entered yet.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::store::query::{page_bounds, Page};
use crate::store::{now_text, Tx};
use crate::vocab::dates::{cn_date, date_text, parse_stored_date};
use crate::vocab::Labeled;

/// What is entered in the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum PlatformItem {
    /// 追回通知单 (the case's collection terms with the slip's number).
    #[serde(alias = "追回通知单", alias = "通知单")]
    Notice,
    /// 自查自纠退回明细单.
    #[serde(alias = "自查自纠退回明细单")]
    SelfCorrection,
    /// 缴款凭证.
    #[serde(alias = "缴款凭证")]
    Payment,
    /// 财政票据.
    #[serde(alias = "财政票据")]
    Receipt,
}

crate::labels!(PlatformItem {
    Notice => "追回通知单",
    SelfCorrection => "自查自纠退回明细单",
    Payment => "缴款凭证",
    Receipt => "财政票据",
});

impl PlatformItem {
    /// (table, the column holding the date the item itself dates from).
    fn table(self) -> (&'static str, &'static str) {
        match self {
            PlatformItem::Notice => ("collection", "issued_on"),
            PlatformItem::SelfCorrection => ("self_correction", "submitted_on"),
            PlatformItem::Payment => ("payment", "paid_on"),
            PlatformItem::Receipt => ("fiscal_receipt", "issued_on"),
        }
    }
}

/// `platform.record`: the item was entered in the 医保信息平台 on `entered_on`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PlatformEntry {
    #[ts(optional = nullable)]
    pub item: Option<PlatformItem>,
    pub id: i64,
    #[ts(optional = nullable)]
    pub entered_on: Option<NaiveDate>,
}

/// One thing still to enter, as the 工作台 lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlatformPending {
    pub item: PlatformItem,
    pub id: i64,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
    /// The case number or the form number.
    pub reference: String,
    pub party: String,
    /// The item's own number (通知单号, 凭证号, 票据号 …).
    pub number: String,
    /// The date the item dates from (issued, submitted, paid).
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PlatformQuery {
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// Record the entry once; not before the item's own date.
pub fn record(tx: &mut Tx<'_>, e: &PlatformEntry) -> Result<()> {
    let item = e
        .item
        .ok_or_else(|| ApiError::field("item", "请选择录入的事项"))?;
    let on = e
        .entered_on
        .ok_or_else(|| ApiError::field("entered_on", "请填写录入医保信息平台的日期"))?;
    let (table, date_col) = item.table();
    let row: Option<(Option<String>, Option<String>)> = tx
        .query_row(
            &format!("SELECT {date_col}, platform_entered_on FROM {table} WHERE id = ?1"),
            [e.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (own, entered) = row.ok_or_else(|| ApiError::not_found(item.label()))?;
    if let Some(d) = entered {
        return Err(ApiError::conflict(format!(
            "该{}已于{}录入医保信息平台",
            item.label(),
            cn_date(parse_stored_date(&d)?)
        )));
    }
    if let Some(own) = own {
        crate::vocab::dates::not_before(
            on,
            parse_stored_date(&own)?,
            "entered_on",
            "录入日期",
            &format!("{}的日期", item.label()),
        )?;
    }
    tx.execute(
        &format!("UPDATE {table} SET platform_entered_on = ?1, updated_at = ?2 WHERE id = ?3"),
        params![date_text(on), now_text(), e.id],
    )?;
    tx.touch(table, e.id);
    Ok(())
}

/// Every item not entered yet, oldest first: the 通知单 issued, the self-correction forms, the
/// payments whose voucher was handed in, the valid receipts.
const PENDING_SQL: &str = "
    SELECT 'Notice' AS item, k.id, k.case_id, NULL AS sc, c.case_number AS reference,
           COALESCE(i.name, p.name, '') AS party, k.notice_number AS number, k.issued_on AS on_date
      FROM collection k JOIN case_file c ON c.id = k.case_id
      LEFT JOIN institution i ON i.id = c.institution_id LEFT JOIN insured p ON p.id = c.insured_id
     WHERE k.platform_entered_on IS NULL AND k.notice_number <> ''
    UNION ALL
    SELECT 'SelfCorrection', s.id, NULL, s.id, s.form_number, COALESCE(i.name, p.name, ''), s.form_number,
           s.submitted_on
      FROM self_correction s
      LEFT JOIN institution i ON i.id = s.institution_id LEFT JOIN insured p ON p.id = s.insured_id
     WHERE s.platform_entered_on IS NULL
    UNION ALL
    SELECT 'Payment', y.id, y.case_id, y.self_correction_id, COALESCE(c.case_number, s.form_number),
           COALESCE(i.name, p.name, si.name, sp.name, ''), y.voucher, y.paid_on
      FROM payment y
      LEFT JOIN case_file c ON c.id = y.case_id
      LEFT JOIN institution i ON i.id = c.institution_id LEFT JOIN insured p ON p.id = c.insured_id
      LEFT JOIN self_correction s ON s.id = y.self_correction_id
      LEFT JOIN institution si ON si.id = s.institution_id LEFT JOIN insured sp ON sp.id = s.insured_id
     WHERE y.platform_entered_on IS NULL AND y.cancelled_on IS NULL AND y.proof_received_on IS NOT NULL
    UNION ALL
    SELECT 'Receipt', r.id, COALESCE(y.case_id, op.case_id), y.self_correction_id,
           COALESCE(c.case_number, s.form_number, ''), COALESCE(i.name, p.name, si.name, sp.name, ''),
           r.receipt_number, r.issued_on
      FROM fiscal_receipt r
      LEFT JOIN payment y ON y.id = r.payment_id
      LEFT JOIN offset_deduction d ON d.id = r.deduction_id
      LEFT JOIN offset_plan op ON op.id = d.plan_id
      LEFT JOIN case_file c ON c.id = COALESCE(y.case_id, op.case_id)
      LEFT JOIN institution i ON i.id = c.institution_id LEFT JOIN insured p ON p.id = c.insured_id
      LEFT JOIN self_correction s ON s.id = y.self_correction_id
      LEFT JOIN institution si ON si.id = s.institution_id LEFT JOIN insured sp ON sp.id = s.insured_id
     WHERE r.platform_entered_on IS NULL AND r.voided_on IS NULL";

/// `platform.pending`: what is not entered yet, oldest first, a page at a time.
pub fn pending(conn: &Connection, q: &PlatformQuery) -> Result<Page<PlatformPending>> {
    let (offset, limit) = page_bounds(q.offset, q.limit);
    let total: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM ({PENDING_SQL})"), [], |r| {
        r.get(0)
    })?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT * FROM ({PENDING_SQL}) ORDER BY on_date, item, id LIMIT ?1 OFFSET ?2"
    ))?;
    let items = stmt
        .query_map(params![limit, offset], |r| {
            let on: Option<String> = r.get("on_date")?;
            Ok(PlatformPending {
                item: crate::vocab::text::enum_from(r.get::<_, String>("item")?),
                id: r.get("id")?,
                case_id: r.get("case_id")?,
                self_correction_id: r.get("sc")?,
                reference: r.get("reference")?,
                party: r.get("party")?,
                number: r.get("number")?,
                on: on.map(|d| parse_stored_date(&d)).transpose()?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Page { items, total })
}
