//! Money reports (issue 10): the month's reconciliation as a printable sheet (004 art. 14, the
//! ledger's `ledger.reconcile`), and the period's recovered fund money by fund and by matter as
//! the agency reports it to the local 医疗保障 department and to the 同级财政部门 (000 art. 8).
//!
//! Recovered money follows the monthly table's definition (`monthly::recovered`, a setting:
//! receipted by default). By fund, a payment's money goes to the funds of the lines it was
//! allocated to (less completed refunds), an offset deduction's to the fund it was deducted from
//! ([`BY_FUND_RECEIPTED`], [`BY_FUND_ARRIVED`]); the by-matter table is the monthly table's member
//! query itself.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::monthly::{page_of_rows, recovered, DrillItem};
use super::settings::{self, RecoveredBasis};
use super::sheet::{
    column, office_name, period_text, unknown_key, CellFormat, Sheet, SheetCell, SheetKind,
    SheetRow, SheetTable,
};
use crate::cases::Fund;
use crate::error::Result;
use crate::ledger::matter::Matter;
use crate::ledger::offset::Month;
use crate::ledger::reconcile::{reconcile_with_members, Figure};
use crate::ledger::types::ReconcileQuery;
use crate::store::query::Page;
use crate::vocab::dates::{cn_date, date_text};
use crate::vocab::text::enum_from;
use crate::vocab::Labeled;

/// `(k, ref, fund, fen, xregion)`: receipts of the period not voided by its end, a payment's by the funds
/// of its allocations (less refunds completed by then), a deduction's by its fund; `xregion` marks the
/// money of a line of insured persons of another province (跨省异地就医, `recovery_line.insured_region`),
/// which returns to the 参保地 account and reduces the cross-province settlement instead of being
/// local fund income (an offset deducts local settlement money: never cross-province).
pub const BY_FUND_RECEIPTED: &str = "
SELECT CASE WHEN p.case_id IS NULL THEN 'self_correction' ELSE 'case' END AS k,
       COALESCE(p.case_id, p.self_correction_id) AS ref, COALESCE(rl.fund, sl.fund) AS fund,
       a.amount_fen - COALESCE((SELECT SUM(ra.amount_fen) FROM refund f JOIN refund_allocation ra ON ra.refund_id = f.id
            WHERE f.payment_id = p.id AND f.status = 'Completed' AND f.refunded_on <= ?2
              AND ra.recovery_line_id IS a.recovery_line_id
              AND ra.self_correction_line_id IS a.self_correction_line_id), 0) AS fen,
       rl.insured_region IS NOT NULL AS xregion
FROM fiscal_receipt r JOIN payment p ON p.id = r.payment_id JOIN payment_allocation a ON a.payment_id = p.id
LEFT JOIN recovery_line rl ON rl.id = a.recovery_line_id
LEFT JOIN self_correction_line sl ON sl.id = a.self_correction_line_id
WHERE r.issued_on BETWEEN ?1 AND ?2 AND (r.voided_on IS NULL OR r.voided_on > ?2)
UNION ALL
SELECT 'case', o.case_id, d.fund, r.amount_fen, 0
FROM fiscal_receipt r JOIN offset_deduction d ON d.id = r.deduction_id JOIN offset_plan o ON o.id = d.plan_id
WHERE r.issued_on BETWEEN ?1 AND ?2 AND (r.voided_on IS NULL OR r.voided_on > ?2)";

/// The same on the arrival basis: allocations of payments arrived in the period, refunds
/// completed in it, deductions settled in it.
pub const BY_FUND_ARRIVED: &str = "
SELECT CASE WHEN p.case_id IS NULL THEN 'self_correction' ELSE 'case' END AS k,
       COALESCE(p.case_id, p.self_correction_id) AS ref, COALESCE(rl.fund, sl.fund) AS fund, a.amount_fen AS fen,
       rl.insured_region IS NOT NULL AS xregion
FROM payment p JOIN payment_allocation a ON a.payment_id = p.id
LEFT JOIN recovery_line rl ON rl.id = a.recovery_line_id
LEFT JOIN self_correction_line sl ON sl.id = a.self_correction_line_id
WHERE p.arrived_on BETWEEN ?1 AND ?2
UNION ALL
SELECT CASE WHEN p.case_id IS NULL THEN 'self_correction' ELSE 'case' END,
       COALESCE(p.case_id, p.self_correction_id), COALESCE(rl.fund, sl.fund), -ra.amount_fen,
       rl.insured_region IS NOT NULL
FROM refund f JOIN payment p ON p.id = f.payment_id JOIN refund_allocation ra ON ra.refund_id = f.id
LEFT JOIN recovery_line rl ON rl.id = ra.recovery_line_id
LEFT JOIN self_correction_line sl ON sl.id = ra.self_correction_line_id
WHERE f.status = 'Completed' AND f.refunded_on BETWEEN ?1 AND ?2
UNION ALL
SELECT 'case', o.case_id, d.fund, d.deducted_fen, 0
FROM offset_deduction d JOIN offset_plan o ON o.id = d.plan_id
WHERE d.settled_on BETWEEN ?1 AND ?2 AND d.deducted_fen > 0";

fn by_fund(basis: RecoveredBasis) -> &'static str {
    match basis {
        RecoveredBasis::Receipted => BY_FUND_RECEIPTED,
        RecoveredBasis::Arrived => BY_FUND_ARRIVED,
    }
}

/// The member query of a figure: `fund:<Fund>`, `fund:all`, `matter:all`, `case:<id>`, `sc:<id>`,
/// `kind:<InstitutionKind>` (the matters against that kind of institution).
pub fn members(conn: &Connection, key: &str) -> Result<String> {
    let basis = settings::load(conn)?.recovered_basis;
    if let Some(fund) = key.strip_prefix("fund:") {
        let filter = if fund == "all" {
            String::new()
        } else if fund == "cross" {
            " WHERE xregion".to_string()
        } else {
            let f: Fund =
                serde_json::from_value(serde_json::Value::from(fund)).map_err(|_| unknown_key())?;
            format!(
                " WHERE fund = '{}' AND NOT xregion",
                crate::vocab::text::enum_text(&f)
            )
        };
        return Ok(format!(
            "SELECT k, ref, fen FROM ({}){filter}",
            by_fund(basis)
        ));
    }
    if let Some(kind) = key.strip_prefix("kind:") {
        // By the kind of institution the matter is against (the charts).
        let kind = match kind {
            "MedicalInstitution" | "RetailPharmacy" => kind,
            _ => return Err(unknown_key()),
        };
        return Ok(format!(
            "SELECT m.k, m.ref, m.fen FROM ({}) m
             LEFT JOIN case_file c ON m.k = 'case' AND c.id = m.ref
             LEFT JOIN self_correction s ON m.k = 'self_correction' AND s.id = m.ref
             JOIN institution i ON i.id = COALESCE(c.institution_id, s.institution_id)
             WHERE i.kind = '{kind}'",
            recovered(basis)
        ));
    }
    let filter = if key == "matter:all" {
        String::new()
    } else if let Some(id) = key.strip_prefix("case:") {
        let id: i64 = id.parse().map_err(|_| unknown_key())?;
        format!(" WHERE k = 'case' AND ref = {id}")
    } else if let Some(id) = key.strip_prefix("sc:") {
        let id: i64 = id.parse().map_err(|_| unknown_key())?;
        format!(" WHERE k = 'self_correction' AND ref = {id}")
    } else {
        return Err(unknown_key());
    };
    Ok(format!(
        "SELECT k, ref, fen FROM ({}){filter}",
        recovered(basis)
    ))
}

fn yuan(fen: i64) -> String {
    super::sheet::yuan_text(fen)
}

pub fn sheet(conn: &Connection, kind: SheetKind, from: NaiveDate, to: NaiveDate) -> Result<Sheet> {
    let s = settings::load(conn)?;
    let (f, t) = (date_text(from), date_text(to));
    // By fund: one pass over the period's rows, counted and summed per fund and in all.
    let found: Vec<(String, i64, String, i64, bool)> = conn
        .prepare_cached(&format!(
            "SELECT k, ref, fund, fen, xregion FROM ({})",
            by_fund(s.recovered_basis)
        ))?
        .query_map(params![f, t], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut per_fund: BTreeMap<Fund, (BTreeSet<(String, i64)>, i64)> = BTreeMap::new();
    let mut cross: (BTreeSet<(String, i64)>, i64) = Default::default();
    let mut all: BTreeSet<(String, i64)> = BTreeSet::new();
    for (k, id, fund, fen, is_cross) in found {
        let slot = if is_cross {
            &mut cross
        } else {
            per_fund.entry(enum_from(fund)).or_default()
        };
        slot.0.insert((k.clone(), id));
        slot.1 += fen;
        all.insert((k, id));
    }
    let funds: BTreeMap<Fund, (i64, i64)> = per_fund
        .into_iter()
        .map(|(fund, (matters, fen))| (fund, (matters.len() as i64, fen)))
        .collect();
    let all_n = all.len() as i64;
    let mut rows = Vec::new();
    let mut total = 0;
    for (fund, (n, fen)) in &funds {
        let key = format!("fund:{}", crate::vocab::text::enum_text(fund));
        total += fen;
        rows.push(SheetRow {
            cells: vec![
                SheetCell::text(fund.label()),
                SheetCell::figure(n.to_string(), key.clone()),
                SheetCell::figure(yuan(*fen), key),
            ],
            total: false,
        });
    }
    if !cross.0.is_empty() {
        // 跨省异地就医: back to the 参保地 account, reducing the cross-province settlement.
        total += cross.1;
        rows.push(SheetRow {
            cells: vec![
                SheetCell::text("跨省异地就医（返回参保地）"),
                SheetCell::figure(cross.0.len().to_string(), "fund:cross"),
                SheetCell::figure(yuan(cross.1), "fund:cross"),
            ],
            total: false,
        });
    }
    rows.push(SheetRow {
        cells: vec![
            SheetCell::text("合计"),
            SheetCell::figure(all_n.to_string(), "fund:all"),
            SheetCell::figure(yuan(total), "fund:all"),
        ],
        total: true,
    });
    let by_fund_table = SheetTable {
        title: "一、按险种".to_string(),
        columns: vec![
            column("险种", CellFormat::Text, 2.4),
            column("涉及案件及退回明细单数", CellFormat::Count, 1.4),
            column("追回医保基金（元）", CellFormat::Yuan, 1.6),
        ],
        rows,
    };
    // By matter: the monthly table's member query.
    let found: Vec<(String, i64, i64, String, String)> = conn
        .prepare_cached(&format!(
            "SELECT m.k, m.ref, SUM(m.fen),
                    COALESCE(c.case_number, s.form_number, ''),
                    COALESCE(i.name, p.name, '')
             FROM ({}) m
             LEFT JOIN case_file c ON m.k = 'case' AND c.id = m.ref
             LEFT JOIN self_correction s ON m.k = 'self_correction' AND s.id = m.ref
             LEFT JOIN institution i ON i.id = COALESCE(c.institution_id, s.institution_id)
             LEFT JOIN insured p ON p.id = COALESCE(c.insured_id, s.insured_id)
             GROUP BY m.k, m.ref ORDER BY m.k, m.ref",
            recovered(s.recovered_basis)
        ))?
        .query_map(params![f, t], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = Vec::new();
    let mut total = 0;
    for (k, id, fen, number, party) in found {
        let (key, case_id, kind) = if k == "case" {
            (format!("case:{id}"), Some(id), "案件")
        } else {
            (format!("sc:{id}"), None, "自查自纠")
        };
        total += fen;
        rows.push(SheetRow {
            cells: vec![
                SheetCell {
                    text: number,
                    drill: None,
                    case_id,
                },
                SheetCell::text(kind),
                SheetCell::text(party),
                SheetCell::figure(yuan(fen), key),
            ],
            total: false,
        });
    }
    rows.push(SheetRow {
        cells: vec![
            SheetCell::text("合计"),
            SheetCell::text(""),
            SheetCell::text(""),
            SheetCell::figure(yuan(total), "matter:all"),
        ],
        total: true,
    });
    let by_matter = SheetTable {
        title: "二、按案件".to_string(),
        columns: vec![
            column("案件编号或退回明细单编号", CellFormat::Text, 2.2),
            column("类别", CellFormat::Text, 0.9),
            column("当事人", CellFormat::Text, 2.6),
            column("追回医保基金（元）", CellFormat::Yuan, 1.6),
        ],
        rows,
    };
    let (title, addressee) = match kind {
        SheetKind::FundsToFinance => (
            "追回违法违规使用医保基金情况（报同级财政部门）",
            "同级财政部门",
        ),
        _ => (
            "追回违法违规使用医保基金情况（报医疗保障行政部门）",
            "属地医疗保障行政部门",
        ),
    };
    let definition = match s.recovered_basis {
        RecoveredBasis::Receipted => "追回医保基金为统计期间开具且截至期末未冲红的财政票据所载金额（缴款和抵扣，含缴入基金的违约金）",
        RecoveredBasis::Arrived => "追回医保基金为统计期间到账的缴款（扣除已退还的误缴款）和已完成的抵扣（含缴入基金的违约金）",
    };
    Ok(Sheet {
        kind,
        title: title.to_string(),
        office: office_name(conn),
        from,
        to,
        period: period_text(from, to),
        addressee: addressee.to_string(),
        tables: vec![by_fund_table, by_matter],
        notes: vec![
            format!("1．{definition}，不含上缴国库的罚款和没收违法所得；按险种的金额为缴款分配到各险种追回明细的金额，抵扣为其抵扣的险种。"),
            "2．追回资金已按原拨付或支付渠道退回医保经办机构基金支出户，并按财务管理规定退回医疗保障基金财政专户。".to_string(),
            format!(
                "3．跨省异地就医费用追回的资金按原渠道返回参保地账户，冲减跨省异地就医直接结算费用{}，不计入本地险种。",
                crate::cases::rules::office(conn)?.cite(crate::cases::Rule::CrossRegion)
            ),
            "4．点击数字可查看其对应的案件或退回明细单。".to_string(),
        ],
        preparer: s.preparer,
        checker: s.checker,
    })
}

/// The figures of a reconciliation row, in the order of the sheet's columns, with their keys.
const FIGURES: [(Figure, &str); 6] = [
    (Figure::NoticesIssued, "notices"),
    (Figure::Arrived, "arrived"),
    (Figure::Offset, "offset"),
    (Figure::Refunded, "refunded"),
    (Figure::Received, "received"),
    (Figure::Receipted, "receipted"),
];

/// The drill-down of the printed reconciliation: `row:<n>:<figure>` (a figure of the n-th agency ×
/// fund row), `total:<figure>` (the 合计 row), `mismatch:<n>` (the n-th mismatch's matter), with
/// `<figure>` one of `notices`, `arrived`, `offset`, `refunded`, `received`, `receipted`. The
/// matters and amounts are those the reconciliation added up for that figure
/// (`ledger::reconcile::reconcile_with_members`: recorded where the figure is computed, so the
/// figure and its list cannot disagree), each matter with the sum of what it put in.
pub fn reconciliation_drill(
    conn: &Connection,
    to: NaiveDate,
    key: &str,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Result<Page<DrillItem>> {
    let month = Month::of(to);
    let (r, members) = reconcile_with_members(conn, &ReconcileQuery { month: Some(month) })?;
    let figure_of = |name: &str| {
        FIGURES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
            .ok_or_else(unknown_key)
    };
    let mut per_matter: BTreeMap<(&'static str, i64), i64> = BTreeMap::new();
    let mut put = |m: Matter, fen: i64| {
        let k = match m {
            Matter::Case(id) => ("case", id),
            Matter::SelfCorrection(id) => ("self_correction", id),
        };
        *per_matter.entry(k).or_default() += fen;
    };
    if let Some(n) = key.strip_prefix("mismatch:") {
        let n: usize = n.parse().map_err(|_| unknown_key())?;
        let m = r.mismatches.get(n).ok_or_else(unknown_key)?;
        let matter = Matter::from_ids(m.case_id, m.self_correction_id)?;
        put(matter, m.amount.fen());
    } else if let Some(figure) = key.strip_prefix("total:") {
        let figure = figure_of(figure)?;
        for c in members.iter().filter(|c| c.figure == figure) {
            put(c.matter, c.amount.fen());
        }
    } else if let Some(rest) = key.strip_prefix("row:") {
        let (n, figure) = rest.split_once(':').ok_or_else(unknown_key)?;
        let n: usize = n.parse().map_err(|_| unknown_key())?;
        let figure = figure_of(figure)?;
        let row = r.rows.get(n).ok_or_else(unknown_key)?;
        for c in members
            .iter()
            .filter(|c| c.figure == figure && c.agency == row.agency && c.fund == row.fund)
        {
            put(c.matter, c.amount.fen());
        }
    } else {
        return Err(unknown_key());
    }
    let rows = per_matter
        .into_iter()
        .map(|((k, id), fen)| (k.to_string(), id, fen))
        .collect();
    page_of_rows(conn, rows, true, offset, limit)
}

/// The month's reconciliation (`ledger.reconcile`) as a sheet: the agency × fund figures and every
/// mismatch standing at the month's end, each naming its matter; every figure opens the matters
/// behind it ([`reconciliation_drill`]).
pub fn reconciliation(conn: &Connection, to: NaiveDate) -> Result<Sheet> {
    let s = settings::load(conn)?;
    let month = Month::of(to);
    let r = crate::ledger::reconcile::reconcile(conn, &ReconcileQuery { month: Some(month) })?;
    let fund_text = |f: Option<Fund>| f.map_or("（未区分险种）", |f| f.label()).to_string();
    let figures = |row: &crate::ledger::types::ReconcileRow, key: &str| {
        [
            row.notices_issued,
            row.arrived,
            row.offset,
            row.refunded,
            row.received,
            row.receipted,
        ]
        .into_iter()
        .zip(FIGURES)
        .map(|(m, (_, name))| SheetCell::figure(m.to_string(), format!("{key}{name}")))
        .collect::<Vec<_>>()
    };
    let mut rows = Vec::new();
    for (n, row) in r.rows.iter().enumerate() {
        let mut cells = vec![
            SheetCell::text(row.agency.clone()),
            SheetCell::text(fund_text(row.fund)),
        ];
        cells.extend(figures(row, &format!("row:{n}:")));
        rows.push(SheetRow {
            cells,
            total: false,
        });
    }
    let mut cells = vec![SheetCell::text("合计"), SheetCell::text("")];
    cells.extend(figures(&r.totals, "total:"));
    rows.push(SheetRow { cells, total: true });
    let mut columns = vec![
        column("经办机构", CellFormat::Text, 2.6),
        column("险种", CellFormat::Text, 1.4),
    ];
    for h in [
        "应追回（本月通知及明细单）",
        "到账",
        "抵扣",
        "退款",
        "实收（到账＋抵扣－退款）",
        "开具财政票据",
    ] {
        columns.push(column(&format!("{h}（元）"), CellFormat::Yuan, 1.3));
    }
    let mismatches: Vec<SheetRow> = r
        .mismatches
        .iter()
        .enumerate()
        .map(|(n, m)| SheetRow {
            cells: vec![
                SheetCell::text(m.kind.label()),
                SheetCell::text(m.agency.clone()),
                SheetCell::text(fund_text(m.fund)),
                SheetCell {
                    text: m.reference.clone(),
                    drill: None,
                    case_id: m.case_id,
                },
                SheetCell::figure(m.amount.to_string(), format!("mismatch:{n}")),
                SheetCell::text(m.detail.clone()),
            ],
            total: false,
        })
        .collect();
    Ok(Sheet {
        kind: SheetKind::Reconciliation,
        title: "医保基金追回月度对账表".to_string(),
        office: office_name(conn),
        from: month.first_day(),
        to: month.last_day(),
        period: format!(
            "对账月份：{}年{}月（截至{}）",
            month.year,
            month.month,
            cn_date(month.last_day())
        ),
        addressee: String::new(),
        tables: vec![
            SheetTable {
                title: "一、业务与财务核对（按经办机构和险种）".to_string(),
                columns,
                rows,
            },
            SheetTable {
                title: format!("二、月末尚存的不一致事项（{}项）", r.mismatches.len()),
                columns: vec![
                    column("类别", CellFormat::Text, 1.4),
                    column("经办机构", CellFormat::Text, 2.2),
                    column("险种", CellFormat::Text, 1.2),
                    column("案件编号或退回明细单编号", CellFormat::Text, 2.0),
                    column("金额（元）", CellFormat::Yuan, 1.2),
                    column("说明", CellFormat::Text, 3.4),
                ],
                rows: mismatches,
            },
        ],
        notes: vec![
            "1．按月核对业务记录与财务记录：本月下达的通知单和提交的退回明细单应追回金额、本月到账、抵扣、退款及开具的财政票据，按经办机构和险种列示。".to_string(),
            "2．不一致事项为截至月末尚未到账、尚未开票、票据与到账不符、缴款凭证未送达、逾期未缴、多缴未退、退款未办结、本月未登记抵扣等情形，逐项列出对应的案件或退回明细单，点击编号可打开案件。".to_string(),
            "3．点击金额可查看其对应的案件或退回明细单及各自计入的金额。".to_string(),
        ],
        preparer: s.preparer,
        checker: s.checker,
    })
}
