//! 追回台账 (issue 10): per matter and per institution, as of a date — 应追回, 已缴款, 已抵扣,
//! 已开票, 未追回 and 逾期天数 (004 art. 8–11, 14). One query, [`LEDGER`], gives the figures of
//! every matter in the ledger; the per-institution ledger groups it and every drill-down filters
//! it ([`members`]), so a figure and the matters behind it never disagree.
//!
//! Which matters: cases decided by the date and not closed before the period began (a case closed
//! earlier had everything paid, receipted and nothing owed: `ledger::closure_blockers`), and
//! self-correction forms submitted in the period or still owing at its end. The open decided cases
//! are read through the status index (已决定 and 执行中: a decision moves a case there and nothing
//! moves it back until it closes), so the open cases still under investigation — most of the open
//! files of a large office — are never read (issue 13).
//! The figures as of `to` (`?2`): 应追回 = the recovery lines (违约金 included; fines and
//! confiscations are the treasury's ledger, 000 art. 4); 已缴款 = payments made by then and not
//! cancelled by then, as allocated to the lines, less completed refunds; 已抵扣 = deductions of
//! settlements paid out by then; 已开票 = fiscal receipts issued by then and not voided (冲红) by
//! then; 未追回 = 应追回 − 已缴款 − 已抵扣 (the book's rule, `ledger::book`); 逾期天数 = calendar
//! days from the day after the 缴费时限 to `to`, while something is outstanding.

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::settings;
use super::sheet::{
    column, key_number, office_name, period_text, unknown_key, CellFormat, Sheet, SheetCell,
    SheetKind, SheetRow, SheetTable,
};
use crate::error::Result;
use crate::vocab::dates::{cn_date, date_text};

/// The column heading that says how the days are counted.
pub const DAYS_HEADING: &str = "逾期天数（自然日，自缴费时限次日起算至截止日）";

// The figures of a matter as of `?2`, computed from its rows (one sub-query each, through the
// covering indexes of 0023, in the order the text gives: `CROSS JOIN`; a unary `+` keeps the
// planner off the date indexes, which would read the whole history for every matter, as it chose
// to when the statistics showed few refunds). `c` is the case, `s` the self-correction form.
macro_rules! case_paid {
    () => {
        "((SELECT COALESCE(SUM(a.amount_fen), 0) FROM payment p CROSS JOIN payment_allocation a ON a.payment_id = p.id
       WHERE p.case_id = c.id AND +p.paid_on <= ?2 AND (p.cancelled_on IS NULL OR p.cancelled_on > ?2))
    - (SELECT COALESCE(SUM(ra.amount_fen), 0) FROM payment p CROSS JOIN refund f ON f.payment_id = p.id
         CROSS JOIN refund_allocation ra ON ra.refund_id = f.id
       WHERE p.case_id = c.id AND f.status = 'Completed' AND +f.refunded_on <= ?2))"
    };
}
macro_rules! case_offs {
    () => {
        "(SELECT COALESCE(SUM(oa.amount_fen), 0) FROM offset_plan op CROSS JOIN offset_deduction od ON od.plan_id = op.id
         CROSS JOIN offset_allocation oa ON oa.deduction_id = od.id
       WHERE op.case_id = c.id AND +od.settled_on <= ?2)"
    };
}
macro_rules! case_rec {
    () => {
        "((SELECT COALESCE(SUM(fr.amount_fen), 0) FROM payment p CROSS JOIN fiscal_receipt fr ON fr.payment_id = p.id
       WHERE p.case_id = c.id AND +fr.issued_on <= ?2 AND (fr.voided_on IS NULL OR fr.voided_on > ?2))
    + (SELECT COALESCE(SUM(fr.amount_fen), 0) FROM offset_plan op CROSS JOIN offset_deduction od ON od.plan_id = op.id
         CROSS JOIN fiscal_receipt fr ON fr.deduction_id = od.id
       WHERE op.case_id = c.id AND +fr.issued_on <= ?2 AND (fr.voided_on IS NULL OR fr.voided_on > ?2)))"
    };
}
macro_rules! form_paid {
    () => {
        "((SELECT COALESCE(SUM(a.amount_fen), 0) FROM payment p INDEXED BY payment_self_correction CROSS JOIN payment_allocation a ON a.payment_id = p.id
       WHERE p.self_correction_id = s.id AND +p.paid_on <= ?2 AND (p.cancelled_on IS NULL OR p.cancelled_on > ?2))
    - (SELECT COALESCE(SUM(ra.amount_fen), 0) FROM payment p INDEXED BY payment_self_correction CROSS JOIN refund f ON f.payment_id = p.id
         CROSS JOIN refund_allocation ra ON ra.refund_id = f.id
       WHERE p.self_correction_id = s.id AND f.status = 'Completed' AND +f.refunded_on <= ?2))"
    };
}
macro_rules! form_rec {
    () => {
        "(SELECT COALESCE(SUM(fr.amount_fen), 0) FROM payment p INDEXED BY payment_self_correction CROSS JOIN fiscal_receipt fr ON fr.payment_id = p.id
       WHERE p.self_correction_id = s.id AND +fr.issued_on <= ?2 AND (fr.voided_on IS NULL OR fr.voided_on > ?2))"
    };
}
// Which matters (`?1` = first day of the period, `?2` = the date figures are taken at): the open
// decided cases through the status index and those closed in or after the period, forced
// (`INDEXED BY`, `CROSS JOIN`: with the statistics of a database with few refunds the planner
// drove the case part from `decision_decided_on`, reading every decision ever); every form
// submitted by the date (filtered at the end of the query).
macro_rules! case_scope {
    () => {
        "FROM (SELECT id FROM case_file INDEXED BY case_file_status
          WHERE status IN ('Decided', 'Executing') AND closed_on IS NULL
        UNION ALL SELECT id FROM case_file INDEXED BY case_file_closed WHERE closed_on >= ?1) open
  CROSS JOIN case_file c ON c.id = open.id CROSS JOIN decision d ON d.case_id = c.id"
    };
}
macro_rules! case_head {
    () => {
        "SELECT 'case' AS k, c.id AS ref, c.institution_id AS inst, d.decided_on AS on_date,
    d.payment_due AS due_on,"
    };
}
macro_rules! case_tail {
    () => {
        "c.case_number AS number,
    COALESCE((SELECT name FROM institution WHERE id = c.institution_id),
             (SELECT name FROM insured WHERE id = c.insured_id), '') AS party"
    };
}
macro_rules! form_head {
    () => {
        "SELECT 'self_correction', s.id, s.institution_id, s.submitted_on, NULL,"
    };
}
macro_rules! form_tail {
    () => {
        "s.form_number,
    COALESCE((SELECT name FROM institution WHERE id = s.institution_id),
             (SELECT name FROM insured WHERE id = s.insured_id), '')"
    };
}
macro_rules! ledger_end {
    () => {
        ") m
WHERE k = 'case' OR on_date >= ?1 OR due - paid - offs <> 0"
    };
}
// The stored row of a matter (`matter_balance`, migration 0026) holds its figures now; they are
// its figures as of `?2` when nothing it depends on is dated after `?2` (`last_on`).
macro_rules! stored {
    () => {
        "b.last_on IS NULL OR b.last_on <= ?2"
    };
}

/// Every matter of the ledger with its figures in 分: `k, ref, inst, on_date, due_on, due, paid,
/// offs, rec, number, party`. `?1` = first day of the period, `?2` = the date figures are taken at.
/// 应追回, 已缴款, 已抵扣 and 已开票 come from the matter's stored balance (`matter_balance`, kept by
/// the triggers of 0026) when it has no money record dated after `?2` — one row per matter; else
/// from the sub-queries of [`LEDGER_COMPUTED`] (a `CASE` runs only the branch it takes), so the
/// figures are those of [`LEDGER_COMPUTED`] in either case (`ledger_props` compares the two).
pub const LEDGER: &str = concat!(
    "SELECT * FROM (\n  ",
    case_head!(),
    "\n    b.due_fen AS due,\n    CASE WHEN ",
    stored!(),
    " THEN b.paid_fen ELSE ",
    case_paid!(),
    " END AS paid,\n    CASE WHEN ",
    stored!(),
    " THEN b.offset_fen ELSE ",
    case_offs!(),
    " END AS offs,\n    CASE WHEN ",
    stored!(),
    " THEN b.receipted_fen ELSE ",
    case_rec!(),
    " END AS rec,\n    ",
    case_tail!(),
    "\n  ",
    case_scope!(),
    "\n  CROSS JOIN matter_balance b ON b.kind = 'case' AND b.ref = c.id
  WHERE d.decided_on <= ?2
  UNION ALL\n  ",
    form_head!(),
    "\n    b.due_fen,\n    CASE WHEN ",
    stored!(),
    " THEN b.paid_fen ELSE ",
    form_paid!(),
    " END,\n    0,\n    CASE WHEN ",
    stored!(),
    " THEN b.receipted_fen ELSE ",
    form_rec!(),
    " END,\n    ",
    form_tail!(),
    "
  FROM self_correction s CROSS JOIN matter_balance b ON b.kind = 'self_correction' AND b.ref = s.id
  WHERE s.submitted_on <= ?2
",
    ledger_end!()
);

/// The same rows with every figure computed from the matter's own rows (no stored balance): the
/// ledger as it was before 0026, the reference `ledger_props` and `report_bench` compare
/// [`LEDGER`] with.
pub const LEDGER_COMPUTED: &str = concat!(
    "SELECT * FROM (\n  ",
    case_head!(),
    "
    (SELECT COALESCE(SUM(r.amount_due_fen), 0) FROM recovery_line r WHERE r.case_id = c.id) AS due,\n    ",
    case_paid!(),
    " AS paid,\n    ",
    case_offs!(),
    " AS offs,\n    ",
    case_rec!(),
    " AS rec,\n    ",
    case_tail!(),
    "\n  ",
    case_scope!(),
    "
  WHERE d.decided_on <= ?2
  UNION ALL\n  ",
    form_head!(),
    "
    (SELECT COALESCE(SUM(l.amount_due_fen), 0) FROM self_correction_line l WHERE l.self_correction_id = s.id),\n    ",
    form_paid!(),
    ",\n    0,\n    ",
    form_rec!(),
    ",\n    ",
    form_tail!(),
    "
  FROM self_correction s WHERE s.submitted_on <= ?2
",
    ledger_end!()
);

/// 逾期天数 of a ledger row, in SQL (so the per-institution ledger takes the largest).
const DAYS: &str = "CASE WHEN due - paid - offs > 0 AND due_on IS NOT NULL AND due_on < ?2
    THEN CAST(julianday(?2) - julianday(due_on) AS INTEGER) ELSE 0 END";

/// The member query behind a figure: `all` (the 合计 row), `inst:<id>` (an institution's row),
/// `institutions` (the 合计 of the per-institution ledger), `case:<id>` or `sc:<id>` (a matter's row),
/// `age:<from>-<to>` (what is outstanding, by days overdue). Each row's `fen` is what it still owes.
pub fn members(key: &str) -> Result<String> {
    let filter = if key == "all" {
        String::new()
    } else if key == "institutions" {
        " WHERE inst IS NOT NULL".to_string()
    } else if key.starts_with("inst:") {
        format!(" WHERE inst = {}", key_number(key, "inst:")?)
    } else if let Some(band) = key.strip_prefix("age:") {
        // Outstanding by how long it is overdue (the charts): `age:<first day>-<last day>`
        // (`age:0-0`: not overdue yet; the last day may be empty for "and more").
        let (lo, hi) = band.split_once('-').ok_or_else(unknown_key)?;
        let lo: i64 = lo.parse().map_err(|_| unknown_key())?;
        let hi = if hi.is_empty() {
            i64::MAX
        } else {
            hi.parse().map_err(|_| unknown_key())?
        };
        format!(" WHERE due - paid - offs > 0 AND {DAYS} BETWEEN {lo} AND {hi}")
    } else if key.starts_with("case:") {
        format!(" WHERE k = 'case' AND ref = {}", key_number(key, "case:")?)
    } else if key.starts_with("sc:") {
        format!(
            " WHERE k = 'self_correction' AND ref = {}",
            key_number(key, "sc:")?
        )
    } else {
        return Err(unknown_key());
    };
    Ok(format!(
        "SELECT k, ref, due - paid - offs AS fen FROM ({LEDGER}){filter}"
    ))
}

fn yuan(fen: i64) -> String {
    super::sheet::yuan_text(fen)
}

/// The figures of a row: 应追回, 已缴款, 已抵扣, 已开票, 未追回 and the days, each opening `key`.
fn figures(f: [i64; 5], days: i64, key: &str) -> Vec<SheetCell> {
    let [due, paid, offs, rec, _] = f;
    let mut cells: Vec<SheetCell> = [due, paid, offs, rec, due - paid - offs]
        .into_iter()
        .map(|v| SheetCell::figure(yuan(v), key))
        .collect();
    cells.push(SheetCell::figure(days.to_string(), key));
    cells
}

fn figure_columns() -> Vec<super::sheet::SheetColumn> {
    vec![
        column("应追回（元）", CellFormat::Yuan, 1.3),
        column("已缴款（元）", CellFormat::Yuan, 1.3),
        column("已抵扣（元）", CellFormat::Yuan, 1.3),
        column("已开具财政票据（元）", CellFormat::Yuan, 1.3),
        column("未追回（元）", CellFormat::Yuan, 1.3),
        column(DAYS_HEADING, CellFormat::Days, 1.4),
    ]
}

fn total_row(first: usize, totals: [i64; 5], days: i64) -> SheetRow {
    let mut cells = vec![SheetCell::text("合计")];
    cells.extend((1..first).map(|_| SheetCell::text("")));
    cells.extend(figures(totals, days, "all"));
    SheetRow { cells, total: true }
}

pub fn sheet(conn: &Connection, kind: SheetKind, from: NaiveDate, to: NaiveDate) -> Result<Sheet> {
    let (f, t) = (date_text(from), date_text(to));
    let mut totals = [0i64; 5];
    let mut worst = 0i64;
    let table = if kind == SheetKind::RecoveryByInstitution {
        let mut rows = Vec::new();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT i.id, i.code, i.name, COUNT(*), SUM(due), SUM(paid), SUM(offs), SUM(rec), MAX({DAYS})
             FROM ({LEDGER}) JOIN institution i ON i.id = inst
             GROUP BY i.id ORDER BY SUM(due - paid - offs) DESC, i.code"
        ))?;
        let found = stmt
            .query_map(params![f, t], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, 0],
                    r.get::<_, i64>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (id, code, name, count, fig, days) in found {
            let key = format!("inst:{id}");
            for (t, v) in totals.iter_mut().zip(fig) {
                *t += v;
            }
            worst = worst.max(days);
            let mut cells = vec![
                SheetCell::text(code),
                SheetCell::text(name),
                SheetCell::figure(count.to_string(), key.clone()),
            ];
            cells.extend(figures(fig, days, &key));
            rows.push(SheetRow {
                cells,
                total: false,
            });
        }
        let count: i64 = rows
            .iter()
            .map(|r| r.cells[2].text.parse::<i64>().unwrap_or(0))
            .sum();
        let mut cells = vec![SheetCell::text("合计"), SheetCell::text("")];
        cells.push(SheetCell::figure(count.to_string(), "institutions"));
        cells.extend(figures(totals, worst, "institutions"));
        let total = SheetRow { cells, total: true };
        rows.push(total);
        let mut columns = vec![
            column("机构编码", CellFormat::Text, 1.3),
            column("定点医药机构", CellFormat::Text, 2.4),
            column("案件及退回明细单数", CellFormat::Count, 0.9),
        ];
        columns.extend(figure_columns());
        SheetTable {
            title: String::new(),
            columns,
            rows,
        }
    } else {
        let mut rows = Vec::new();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT k, ref, number, party, on_date, due_on, due, paid, offs, rec, {DAYS}
             FROM ({LEDGER}) ORDER BY on_date, k, ref"
        ))?;
        let found = stmt
            .query_map(params![f, t], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, 0],
                    r.get::<_, i64>(10)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (k, id, number, party, on, due_on, fig, days) in found {
            let (key, case_id) = if k == "case" {
                (format!("case:{id}"), Some(id))
            } else {
                (format!("sc:{id}"), None)
            };
            for (t, v) in totals.iter_mut().zip(fig) {
                *t += v;
            }
            worst = worst.max(days);
            let mut cells = vec![
                SheetCell {
                    text: number,
                    drill: None,
                    case_id,
                },
                SheetCell::text(party),
                SheetCell::text(on),
                SheetCell::text(due_on.unwrap_or_default()),
            ];
            cells.extend(figures(fig, days, &key));
            rows.push(SheetRow {
                cells,
                total: false,
            });
        }
        rows.push(total_row(4, totals, worst));
        let mut columns = vec![
            column("案件编号或退回明细单编号", CellFormat::Text, 2.0),
            column("当事人", CellFormat::Text, 2.0),
            column("决定或提交日期", CellFormat::Text, 1.1),
            column("缴费时限", CellFormat::Text, 1.1),
        ];
        columns.extend(figure_columns());
        SheetTable {
            title: String::new(),
            columns,
            rows,
        }
    };
    let s = settings::load(conn)?;
    let title = match kind {
        SheetKind::RecoveryByInstitution => "医保基金追回台账（按定点医药机构）",
        _ => "医保基金追回台账（按案件）",
    };
    Ok(Sheet {
        kind,
        title: title.to_string(),
        office: office_name(conn),
        from,
        to,
        period: format!("{}（金额截至{}）", period_text(from, to), cn_date(to)),
        addressee: String::new(),
        tables: vec![table],
        notes: vec![
            "1．台账包括截止日前已作出处理决定、且在统计期间开始时尚未结案的案件，以及统计期间内提交或截至截止日仍有未退回金额的自查自纠退回明细单。".to_string(),
            "2．应追回为追回明细合计（含违约金，不含上缴国库的罚款和没收违法所得）；已缴款为截止日前登记且未撤销的缴款中计入追回明细的金额，扣除已办结的退款；已抵扣为截止日前已结算的抵扣；已开具财政票据为截止日前开具且未冲红的票据金额；未追回＝应追回－已缴款－已抵扣。".to_string(),
            "3．逾期天数按自然日计算：自缴费时限次日起至截止日止，仅在仍有未追回金额时计算；按机构统计的取其案件中最长的逾期天数。".to_string(),
            "4．按机构统计的仅含对定点医药机构的案件和退回明细单。点击数字可查看其对应的案件或退回明细单。".to_string(),
        ],
        preparer: s.preparer,
        checker: s.checker,
    })
}
