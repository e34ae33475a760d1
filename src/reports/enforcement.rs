//! 年度执法处理情况 (issue 10): the cases decided in the period, each counted ONCE under its
//! heaviest handling (the monthly table counts each measure in its own column instead), with the
//! fund money decided (应追回, 违约金 included) and the fines and confiscations decided (to the
//! treasury, 000 art. 4), in 万元 from exact 分 rounded once. The figures are [`RANKED`] counted and
//! summed per rank in one pass; each cell's drill-down is its member query (`members`): the same
//! rows filtered by its rank.

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::monthly::{fixed, wan_yuan};
use super::settings;
use super::sheet::{
    column, office_name, period_text, unknown_key, CellFormat, Sheet, SheetCell, SheetKind,
    SheetRow, SheetTable,
};
use crate::error::Result;
use crate::vocab::dates::date_text;

/// The handlings from the heaviest down; a case falls under the first that applies to it.
/// 移送司法机关 (a referral by the period's end), 行政处罚决定, then the agreement measures
/// (001 art. 18–20) from 解除服务协议 to 约谈/限期整改, and last a decision with none of these.
pub const ORDER: &[(i64, &str)] = &[
    (1, "移送司法机关"),
    (2, "行政处罚"),
    (3, "解除服务协议"),
    (4, "中止服务协议"),
    (5, "暂停医保医师（药师）服务资格"),
    (6, "暂停结算（拨付）"),
    (7, "通报批评"),
    (8, "约谈、限期整改"),
    (9, "仅责令退回医保基金"),
];

/// Every case decided from `?1` to `?2` with its rank (see [`ORDER`]) and amounts in 分.
pub const RANKED: &str = "
SELECT d.case_id AS ref, d.recovery_total_fen + d.liquidated_damages_fen AS due,
  COALESCE(d.fine_fen, 0) AS fine, COALESCE(d.confiscation_fen, 0) AS conf,
  CASE
    WHEN EXISTS (SELECT 1 FROM referral r WHERE r.case_id = d.case_id AND r.kind = 'Judicial'
                 AND r.referred_on <= ?2) THEN 1
    WHEN d.kind = 'PenaltyDecision' THEN 2
    WHEN EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id AND m.kind = 'AgreementTermination') THEN 3
    WHEN EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id AND m.kind = 'AgreementSuspension') THEN 4
    WHEN EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id AND m.kind = 'PractitionerSuspension') THEN 5
    WHEN EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id AND m.kind = 'SettlementSuspension') THEN 6
    WHEN EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id AND m.kind = 'PublicCriticism') THEN 7
    WHEN EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id
                 AND m.kind IN ('Interview', 'RectificationOrder')) THEN 8
    ELSE 9 END AS rank
FROM decision d WHERE d.decided_on BETWEEN ?1 AND ?2";

/// The figure columns: (key, heading, the amount each member carries).
const FIGURES: &[(&str, &str, &str)] = &[
    ("n", "案件数（件）", "0"),
    ("due", "责令退回医保基金（万元）", "due"),
    ("fine", "罚款（万元）", "fine"),
    ("conf", "没收违法所得（万元）", "conf"),
];

/// The member query of a cell: key `<rank>:<figure>` (`all:<figure>` for the 合计 row).
pub fn members(key: &str) -> Result<String> {
    let (rank, figure) = key.split_once(':').ok_or_else(unknown_key)?;
    let amount = FIGURES
        .iter()
        .find(|(k, _, _)| *k == figure)
        .map(|(_, _, a)| *a)
        .ok_or_else(unknown_key)?;
    let filter = if rank == "all" {
        String::new()
    } else {
        let r: i64 = rank.parse().map_err(|_| unknown_key())?;
        if !ORDER.iter().any(|(n, _)| *n == r) {
            return Err(unknown_key());
        }
        format!(" WHERE rank = {r}")
    };
    Ok(format!(
        "SELECT 'case' AS k, ref, {amount} AS fen FROM ({RANKED}){filter}"
    ))
}

pub fn sheet(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Sheet> {
    let s = settings::load(conn)?;
    let (f, t) = (date_text(from), date_text(to));
    // One pass over the period's ranked decisions: per rank, the count and the sums each figure
    // column's member query adds up (`members` filters the same rows by rank for the drill-down).
    let mut by_rank: std::collections::HashMap<i64, [i64; 4]> = conn
        .prepare_cached(&format!(
            "SELECT rank, COUNT(*), COALESCE(SUM(due), 0), COALESCE(SUM(fine), 0), COALESCE(SUM(conf), 0)
             FROM ({RANKED}) GROUP BY rank"
        ))?
        .query_map(params![f, t], |r| {
            Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total = by_rank.values().fold([0i64; 4], |mut acc, v| {
        for (a, x) in acc.iter_mut().zip(v) {
            *a += x;
        }
        acc
    });
    let mut rows = Vec::new();
    for (rank, label) in ORDER
        .iter()
        .map(|(r, l)| (r.to_string(), *l))
        .chain(std::iter::once(("all".to_string(), "合计")))
    {
        let figures = match rank.parse::<i64>() {
            Ok(r) => by_rank.remove(&r).unwrap_or_default(),
            Err(_) => total,
        };
        let mut cells = vec![SheetCell::text(label)];
        for (i, (k, _, _)) in FIGURES.iter().enumerate() {
            let text = if i == 0 {
                figures[0].to_string()
            } else {
                fixed(wan_yuan(figures[i], s.amount_decimals), s.amount_decimals)
            };
            cells.push(SheetCell::figure(text, format!("{rank}:{k}")));
        }
        rows.push(SheetRow {
            cells,
            total: rank == "all",
        });
    }
    let mut columns = vec![column("处理方式（从重到轻）", CellFormat::Text, 2.6)];
    columns.extend(FIGURES.iter().map(|(k, h, _)| {
        column(
            h,
            if *k == "n" {
                CellFormat::Count
            } else {
                CellFormat::WanYuan
            },
            1.4,
        )
    }));
    let order: Vec<&str> = ORDER.iter().map(|(_, l)| *l).collect();
    Ok(Sheet {
        kind: SheetKind::Enforcement,
        title: "医保基金执法处理情况统计表".to_string(),
        office: office_name(conn),
        from,
        to,
        period: period_text(from, to),
        addressee: String::new(),
        tables: vec![SheetTable {
            title: String::new(),
            columns,
            rows,
        }],
        notes: vec![
            format!(
                "1．按处理决定日期统计。同一案件有多项处理的，只在其中最重的一项计一次，从重到轻依次为：{}。（月度统计表则每项措施单独计数。）",
                order.join("、")
            ),
            "2．移送司法机关以截止日前已移送为准。责令退回医保基金为处理决定所列追回金额（含违约金）；罚款、没收违法所得为处理决定所列金额，上缴国库，不计入追回医保基金。".to_string(),
            format!(
                "3．金额单位为万元，由精确到分的合计金额四舍五入一次，保留{}位小数。点击数字可查看其对应的案件。",
                s.amount_decimals
            ),
        ],
        preparer: s.preparer,
        checker: s.checker,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_has_a_member_query_and_bad_keys_are_refused() {
        for (r, _) in ORDER {
            for (k, _, _) in FIGURES {
                assert!(members(&format!("{r}:{k}")).is_ok());
            }
        }
        assert!(members("all:due").is_ok());
        assert!(members("10:n").is_err());
        assert!(members("1:x").is_err());
        assert!(members("1;DROP:n").is_err());
    }
}
