//! The monthly table of inspections and handling (医保基金监督检查情况统计表, 002 二(五) and 附表):
//! for any month, cumulative from 1 January, reported by the 3rd of the next month.
//!
//! Each column is ONE member query ([`members_sql`]): the rows `(kind, id, 分)` of the matters
//! behind the cell. The table counts or sums those rows ([`monthly`]); the drill-down
//! ([`drill`]) lists them — the same query, no second implementation. Every member query reads
//! the year's records through a date index (migrations 0011, 0014), never every case.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::settings::{self, RecoveredBasis, ReportSettings};
use crate::calendar::WorkCalendar;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::query::{page_bounds, Page};
use crate::vocab::dates::date_text;

/// The 22 figure columns of 002 附表, in the paper's order (the 23rd, 填报单位, is the office).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum MonthlyColumn {
    InstitutionsTotal,
    InstitutionsMedical,
    InstitutionsPharmacy,
    InspectedTotal,
    InspectedJoint,
    InspectedMedical,
    InspectedPharmacy,
    Progress,
    ProblemsMedical,
    ProblemsPharmacy,
    Interview,
    Criticism,
    AgreementSuspended,
    AgreementTerminated,
    Penalty,
    Judicial,
    Recovered,
    OtherHandling,
    AccountableInstitution,
    AccountableAgency,
    AccountableOtherDepartment,
    AccountableInsured,
}

crate::labels!(MonthlyColumn {
    InstitutionsTotal => "定点医药机构数（总数）",
    InstitutionsMedical => "定点医药机构数（医疗机构）",
    InstitutionsPharmacy => "定点医药机构数（零售药店）",
    InspectedTotal => "已检查机构数（总数）",
    InspectedJoint => "已检查机构数（多部门联合检查）",
    InspectedMedical => "已检查机构数（医疗机构数量）",
    InspectedPharmacy => "已检查机构数（零售药店数量）",
    Progress => "检查进度（%）",
    ProblemsMedical => "存在问题机构数（医疗机构）",
    ProblemsPharmacy => "存在问题机构数（零售药店）",
    Interview => "约谈限期整改数量",
    Criticism => "通报批评数量",
    AgreementSuspended => "暂停协议数量",
    AgreementTerminated => "解除协议数量",
    Penalty => "行政处罚数量",
    Judicial => "移交司法机关数量",
    Recovered => "追回医保基金（万元）",
    OtherHandling => "其他处理情形",
    AccountableInstitution => "追责情况（医疗机构）",
    AccountableAgency => "追责情况（经办机构）",
    AccountableOtherDepartment => "追责情况（其他部门）",
    AccountableInsured => "追责情况（参保人员）",
});

/// The two header rows of 002 附表: each group (first row) with its columns and their headings
/// (second row). 填报单位 spans both rows. The extracted seed text lost one tab in the first row;
/// 检查进度 belongs to 已检查机构数 (备注1: 检查进度 = 已检查总数 ÷ 定点医药机构数), which gives
/// the 23 columns of the second row.
pub const HEADER: &[(&str, &[(MonthlyColumn, &str)])] = {
    use MonthlyColumn::*;
    &[
        (
            "定点医药机构数",
            &[
                (InstitutionsTotal, "总数"),
                (InstitutionsMedical, "医疗机构"),
                (InstitutionsPharmacy, "零售药店"),
            ],
        ),
        (
            "已检查机构数",
            &[
                (InspectedTotal, "总数"),
                (InspectedJoint, "多部门联合检查"),
                (InspectedMedical, "医疗机构数量"),
                (InspectedPharmacy, "零售药店数量"),
                (Progress, "检查进度（%）"),
            ],
        ),
        (
            "存在问题机构数",
            &[
                (ProblemsMedical, "医疗机构"),
                (ProblemsPharmacy, "零售药店"),
            ],
        ),
        (
            "定点医药机构处理情况",
            &[
                (Interview, "约谈限期整改数量"),
                (Criticism, "通报批评数量"),
                (AgreementSuspended, "暂停协议数量"),
                (AgreementTerminated, "解除协议数量"),
                (Penalty, "行政处罚数量"),
                (Judicial, "移交司法机关数量"),
                (Recovered, "追回医保基金"),
                (OtherHandling, "其他处理情形"),
            ],
        ),
        (
            "追责情况",
            &[
                (AccountableInstitution, "医疗机构"),
                (AccountableAgency, "经办机构"),
                (AccountableOtherDepartment, "其他部门"),
                (AccountableInsured, "参保人员"),
            ],
        ),
    ]
};

/// The first column, spanning both header rows.
pub const OFFICE_HEADING: &str = "填报单位";

/// The columns in order.
pub fn columns() -> impl Iterator<Item = (MonthlyColumn, &'static str)> {
    HEADER.iter().flat_map(|(_, cols)| cols.iter().copied())
}

/// What a row behind a cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum MatterKind {
    Institution,
    Case,
    SelfCorrection,
    Accountability,
    /// 检查记录 (the campaign figures' 检查次数).
    Inspection,
    /// 线索 (the campaign figures' leads).
    Lead,
}

crate::labels!(MatterKind { Institution => "定点医药机构", Case => "案件", SelfCorrection => "自查自纠", Accountability => "追责记录", Inspection => "检查记录", Lead => "线索" });

impl MatterKind {
    pub(super) fn from_sql(s: &str) -> MatterKind {
        match s {
            "institution" => MatterKind::Institution,
            "case" => MatterKind::Case,
            "self_correction" => MatterKind::SelfCorrection,
            "inspection" => MatterKind::Inspection,
            "lead" => MatterKind::Lead,
            _ => MatterKind::Accountability,
        }
    }
}

/// Institutions under agreement during the year: Active or Suspended now, or Terminated by a
/// measure that took effect this year (a termination before 1 January left the list already).
const IN_AGREEMENT: &str = "(i.agreement_status IN ('Active', 'Suspended')
    OR (i.agreement_status = 'Terminated' AND EXISTS (SELECT 1 FROM agreement_measure m
        WHERE m.institution_id = i.id AND m.kind = 'AgreementTermination' AND m.starts_on >= ?1)))";

fn institutions(kind: Option<&str>) -> String {
    let kind = kind.map_or(String::new(), |k| format!(" AND i.kind = '{k}'"));
    format!("SELECT 'institution' AS k, i.id AS ref, 0 AS fen FROM institution i WHERE {IN_AGREEMENT}{kind}")
}

/// Institutions inspected from 1 January to the month's end (by the inspection's start date).
fn inspected(extra: &str) -> String {
    format!(
        "SELECT 'institution' AS k, x.institution_id AS ref, 0 AS fen
         FROM inspection x JOIN institution i ON i.id = x.institution_id
         WHERE x.started_on BETWEEN ?1 AND ?2{extra}"
    )
}

/// Cases against an institution decided in the period with one of these measures (001 art. 18–20).
/// A case with two measures appears in each of their columns.
/// Driven by the decisions of the period, each looked up in its case's measures, both through
/// covering indexes (0014: decision_decided_case, agreement_measure_case_kind); a measure carries
/// its institution exactly when the case is against one (`measures::apply`), so no case row is read.
fn measured(kinds: &str) -> String {
    format!(
        "SELECT 'case' AS k, d.case_id AS ref, 0 AS fen FROM decision d
         WHERE d.decided_on BETWEEN ?1 AND ?2
           AND EXISTS (SELECT 1 FROM agreement_measure m WHERE m.case_id = d.case_id
                       AND m.kind IN ({kinds}) AND m.institution_id IS NOT NULL)"
    )
}

fn referred(kinds: &str) -> String {
    format!(
        "SELECT DISTINCT 'case' AS k, c.id AS ref, 0 AS fen
         FROM referral r JOIN case_file c ON c.id = r.case_id
         WHERE r.referred_on BETWEEN ?1 AND ?2 AND c.party_kind = 'Institution' AND r.kind IN ({kinds})"
    )
}

fn accountable(category: &str) -> String {
    format!(
        "SELECT 'accountability' AS k, a.id AS ref, 0 AS fen FROM accountability a
         WHERE a.decided_on BETWEEN ?1 AND ?2 AND a.category = '{category}'"
    )
}

/// Fund money recovered from 1 January to the month's end (issue 10; 004 art. 11: the fiscal
/// receipt is the final proof). Receipted (default): every fiscal receipt issued in the period, on
/// a payment or an offset deduction, unless voided (冲红) by the month's end; 违约金 lines are
/// part of the receipted recovery; fines and confiscations have their own ledger (to the treasury,
/// 000 art. 4) and are never here. Arrived: money arrived less refunds completed, plus offset
/// deductions settled, by date.
pub(super) fn recovered(basis: RecoveredBasis) -> String {
    match basis {
        RecoveredBasis::Receipted => "
        SELECT CASE WHEN p.case_id IS NULL THEN 'self_correction' ELSE 'case' END AS k,
               COALESCE(p.case_id, p.self_correction_id) AS ref, r.amount_fen AS fen
        FROM fiscal_receipt r JOIN payment p ON p.id = r.payment_id
        WHERE r.issued_on BETWEEN ?1 AND ?2 AND (r.voided_on IS NULL OR r.voided_on > ?2)
        UNION ALL
        SELECT 'case', o.case_id, r.amount_fen
        FROM fiscal_receipt r JOIN offset_deduction d ON d.id = r.deduction_id
        JOIN offset_plan o ON o.id = d.plan_id
        WHERE r.issued_on BETWEEN ?1 AND ?2 AND (r.voided_on IS NULL OR r.voided_on > ?2)"
            .to_string(),
        RecoveredBasis::Arrived => "
        SELECT CASE WHEN p.case_id IS NULL THEN 'self_correction' ELSE 'case' END AS k,
               COALESCE(p.case_id, p.self_correction_id) AS ref, p.amount_fen - p.credit_fen AS fen
        FROM payment p WHERE p.arrived_on BETWEEN ?1 AND ?2
        UNION ALL
        SELECT CASE WHEN p.case_id IS NULL THEN 'self_correction' ELSE 'case' END,
               COALESCE(p.case_id, p.self_correction_id), -(f.amount_fen - f.from_credit_fen)
        FROM refund f JOIN payment p ON p.id = f.payment_id
        WHERE f.status = 'Completed' AND f.refunded_on BETWEEN ?1 AND ?2
        UNION ALL
        SELECT 'case', o.case_id, d.deducted_fen
        FROM offset_deduction d JOIN offset_plan o ON o.id = d.plan_id
        WHERE d.settled_on BETWEEN ?1 AND ?2 AND d.deducted_fen > 0"
            .to_string(),
    }
}

/// The rows `(k, ref, fen)` behind a column; `?1` = 1 January, `?2` = the month's last day.
/// [`MonthlyColumn::Progress`] is computed from two others; its rows are the inspected ones.
pub fn members_sql(column: MonthlyColumn, basis: RecoveredBasis) -> String {
    use MonthlyColumn::*;
    const MEDICAL: &str = "MedicalInstitution";
    const PHARMACY: &str = "RetailPharmacy";
    match column {
        // The total of institutions does not depend on the month; `?2` is unused but bound.
        InstitutionsTotal => format!("{} AND ?2 = ?2", institutions(None)),
        InstitutionsMedical => format!("{} AND ?2 = ?2", institutions(Some(MEDICAL))),
        InstitutionsPharmacy => format!("{} AND ?2 = ?2", institutions(Some(PHARMACY))),
        InspectedTotal | Progress => inspected(""),
        // 备注1: 多部门联合检查 = inspected together with 公安, 卫健 or other departments.
        InspectedJoint => inspected(" AND x.departments <> ''"),
        InspectedMedical => inspected(&format!(" AND i.kind = '{MEDICAL}'")),
        InspectedPharmacy => inspected(&format!(" AND i.kind = '{PHARMACY}'")),
        ProblemsMedical => inspected(&format!(
            " AND x.problems_found = 1 AND i.kind = '{MEDICAL}'"
        )),
        ProblemsPharmacy => inspected(&format!(
            " AND x.problems_found = 1 AND i.kind = '{PHARMACY}'"
        )),
        Interview => measured("'Interview', 'RectificationOrder'"),
        Criticism => measured("'PublicCriticism'"),
        AgreementSuspended => measured("'AgreementSuspension'"),
        AgreementTerminated => measured("'AgreementTermination'"),
        // 行政处罚: a 行政处罚决定 decided in the period.
        Penalty => "SELECT 'case' AS k, c.id AS ref, 0 AS fen
             FROM decision d JOIN case_file c ON c.id = d.case_id
             WHERE d.decided_on BETWEEN ?1 AND ?2 AND c.party_kind = 'Institution'
               AND d.kind = 'PenaltyDecision'"
            .to_string(),
        // 002 二(一): 涉嫌犯罪案件线索，依法移送司法机关.
        Judicial => referred("'Judicial'"),
        Recovered => recovered(basis),
        // 其他处理情形: 暂停结算（拨付）, 暂停医保医师（药师）服务资格, 移送纪检监察或其他机关.
        OtherHandling => format!(
            "{} UNION {}",
            measured("'SettlementSuspension', 'PractitionerSuspension'"),
            referred("'Discipline', 'Other'")
        ),
        AccountableInstitution => accountable("InstitutionStaff"),
        AccountableAgency => accountable("AgencyStaff"),
        AccountableOtherDepartment => accountable("OtherDepartment"),
        AccountableInsured => accountable("Insured"),
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
pub struct MonthlyQuery {
    pub year: i32,
    pub month: u32,
}

impl MonthlyQuery {
    /// 1 January and the month's last day.
    pub fn period(&self) -> Result<(NaiveDate, NaiveDate)> {
        if !(2000..=2099).contains(&self.year) {
            return Err(ApiError::field("year", "年份应在2000至2099年之间"));
        }
        if !(1..=12).contains(&self.month) {
            return Err(ApiError::field("month", "月份应在1至12之间"));
        }
        let from = NaiveDate::from_ymd_opt(self.year, 1, 1).expect("valid");
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        }
        .expect("valid");
        Ok((from, next.pred_opt().expect("valid")))
    }
}

/// One cell: the number as printed, and what it is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MonthlyCell {
    pub column: MonthlyColumn,
    /// As printed: a count, a percentage with two decimals, or 万元 with the set decimals.
    pub text: String,
    /// Matters behind the cell (for 追回医保基金: the matters that brought money back).
    pub count: i64,
    /// 追回医保基金: the exact amount in 元 (the 万元 figure is rounded once from it).
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct HeaderColumn {
    pub column: MonthlyColumn,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct HeaderGroup {
    pub label: String,
    pub columns: Vec<HeaderColumn>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MonthlyTable {
    pub title: String,
    pub office: String,
    pub year: i32,
    pub month: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 报送期限: the `due_day` of the next month (a setting, default the 3rd; 002 二(五)), rolled to
    /// the next working day when the setting says so.
    pub due: NaiveDate,
    pub due_warnings: Vec<String>,
    /// 已报送: the day the office recorded sending this month's table (`report.submit`).
    #[ts(optional = nullable)]
    pub submitted_on: Option<NaiveDate>,
    pub office_heading: String,
    pub groups: Vec<HeaderGroup>,
    pub cells: Vec<MonthlyCell>,
    /// The definitions printed under the table.
    pub notes: Vec<String>,
    pub settings: ReportSettings,
}

/// `SELECT COUNT(*), SUM(fen)` over the distinct matters of a column.
pub(super) fn aggregate(conn: &Connection, sql: &str, from: &str, to: &str) -> Result<(i64, i64)> {
    let q = format!(
        "SELECT COUNT(*), COALESCE(SUM(fen), 0) FROM (SELECT k, ref, SUM(fen) AS fen FROM ({sql}) GROUP BY k, ref)"
    );
    Ok(conn
        .prepare_cached(&q)?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// 分 → 万元, rounded once, half away from zero, to `decimals` places.
pub fn wan_yuan(fen: i64, decimals: u32) -> Decimal {
    (Decimal::new(fen, 2) / Decimal::from(10_000))
        .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

/// 检查进度 = 已检查总数 ÷ 定点医药机构数 × 100, two decimals, rounded once.
pub fn progress(inspected: i64, total: i64) -> Decimal {
    if total == 0 {
        return Decimal::new(0, 2);
    }
    (Decimal::from(inspected) * Decimal::from(100) / Decimal::from(total))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

pub fn fixed(d: Decimal, decimals: u32) -> String {
    format!("{:.*}", decimals as usize, d)
}

/// The definitions printed under the table (002 附表 备注 1–3 and the counting rules of issue 10).
pub fn notes(s: &ReportSettings) -> Vec<String> {
    let recovered = match s.recovered_basis {
        RecoveredBasis::Receipted => "追回医保基金：自1月1日起至本月末开具财政票据的追回资金（含缴款和抵扣，含缴入基金的违约金；票据在本月末前冲红的不计），不含上缴国库的罚款和没收违法所得",
        RecoveredBasis::Arrived => "追回医保基金：自1月1日起至本月末到账的追回资金（扣除已退还的误缴款）与已完成的抵扣，含缴入基金的违约金，不含上缴国库的罚款和没收违法所得",
    };
    vec![
        "1．“定点医药机构数”中“总数”为辖区内定点医药机构数量（本年内签有服务协议的机构）；“已检查机构数”为自1月1日起截至本月末检查过的机构数，同一机构检查多次计一家，其中“多部门联合检查”指医保部门联合公安、卫健等部门检查的机构数；检查进度＝已检查总数÷辖区内定点医药机构数量×100%。".to_string(),
        format!(
            "2．本表每月累加统计，医药机构数量单位为“家”，追回资金单位为“万元”（由精确到分的金额四舍五入一次，保留{}位小数）。{}。",
            s.amount_decimals, recovered
        ),
        "3．处理情况按处理决定日期统计，每一项处理措施单独计数：同一案件有两项措施的，在两栏中各计一次；同一栏中同一案件只计一次。移交司法机关按移送日期统计；其他处理情形包括暂停结算（拨付）、暂停医保医师（药师）服务资格及移送纪检监察等其他机关。".to_string(),
        "4．“追责情况”统计医疗机构负责人或相关责任人、经办人员、准入审批等其他部门人员、参保人员被追责的人数，按追责日期统计。".to_string(),
    ]
}

pub fn monthly(conn: &Connection, cal: &WorkCalendar, q: &MonthlyQuery) -> Result<MonthlyTable> {
    let (from, to) = q.period()?;
    let s = settings::load(conn)?;
    let (f, t) = (date_text(from), date_text(to));
    let mut cells = Vec::new();
    let mut count_of = std::collections::HashMap::new();
    for (column, _) in columns() {
        if column == MonthlyColumn::Progress {
            continue;
        }
        let (count, fen) = aggregate(conn, &members_sql(column, s.recovered_basis), &f, &t)?;
        count_of.insert(column, count);
        let (text, amount) = if column == MonthlyColumn::Recovered {
            (
                fixed(wan_yuan(fen, s.amount_decimals), s.amount_decimals),
                Some(Money::from_fen(fen)),
            )
        } else {
            (count.to_string(), None)
        };
        cells.push(MonthlyCell {
            column,
            text,
            count,
            amount,
        });
    }
    let inspected = count_of[&MonthlyColumn::InspectedTotal];
    let total = count_of[&MonthlyColumn::InstitutionsTotal];
    let at = cells
        .iter()
        .position(|c| c.column == MonthlyColumn::ProblemsMedical)
        .expect("column");
    cells.insert(
        at,
        MonthlyCell {
            column: MonthlyColumn::Progress,
            text: fixed(progress(inspected, total), 2),
            count: inspected,
            amount: None,
        },
    );
    let due = super::submission::due(cal, &s, to)?;
    let submitted_on = super::submission::get(conn, q.year, q.month)?.map(|x| x.submitted_on);
    let office: String = conn
        .query_row("SELECT name FROM office WHERE id = 1", [], |r| r.get(0))
        .unwrap_or_default();
    Ok(MonthlyTable {
        title: "医保基金监督检查情况统计表".to_string(),
        office,
        year: q.year,
        month: q.month,
        from,
        to,
        due: due.date,
        due_warnings: due.warnings,
        submitted_on,
        office_heading: OFFICE_HEADING.to_string(),
        groups: HEADER
            .iter()
            .map(|(g, cols)| HeaderGroup {
                label: g.to_string(),
                columns: cols
                    .iter()
                    .map(|(c, l)| HeaderColumn {
                        column: *c,
                        label: l.to_string(),
                    })
                    .collect(),
            })
            .collect(),
        cells,
        notes: notes(&s),
        settings: s,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DrillQuery {
    pub year: i32,
    pub month: u32,
    pub column: MonthlyColumn,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// One matter behind a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DrillItem {
    pub kind: MatterKind,
    pub id: i64,
    /// 案件编号, 明细单编号, 机构编码, the person held accountable, 线索编号, or an inspection's date.
    pub number: String,
    /// The institution or person concerned.
    pub party: String,
    /// 追回医保基金: what this matter brought back in the period, in 元.
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
}

/// `report.monthly_drill`: a page of the matters behind one cell, from the column's member query.
pub fn drill(conn: &Connection, q: &DrillQuery) -> Result<Page<DrillItem>> {
    let (from, to) = MonthlyQuery {
        year: q.year,
        month: q.month,
    }
    .period()?;
    let s = settings::load(conn)?;
    let sql = members_sql(q.column, s.recovered_basis);
    let money = q.column == MonthlyColumn::Recovered;
    page_of(conn, &sql, from, to, money, q.offset, q.limit)
}

/// A page of the distinct matters of a member query `(k, ref, fen)` over `?1 = from`, `?2 = to`,
/// each with the sum of its `fen` when `money`: the drill-down of every report (monthly table and
/// the sheets), so a figure and its list come from one query.
pub(super) fn page_of(
    conn: &Connection,
    sql: &str,
    from: NaiveDate,
    to: NaiveDate,
    money: bool,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Result<Page<DrillItem>> {
    let (f, t) = (date_text(from), date_text(to));
    // One pass: the member query is evaluated once, counted here and the page cut from it (a
    // count and a page as two queries evaluated it twice).
    let rows: Vec<(String, i64, i64)> = conn
        .prepare_cached(&format!(
            "SELECT k, ref, SUM(fen) FROM ({sql}) GROUP BY k, ref ORDER BY k, ref"
        ))?
        .query_map(params![f, t], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    page_of_rows(conn, rows, money, offset, limit)
}

/// A page of member rows `(k, ref, fen)`, one per matter in `k, ref` order (as [`page_of`] groups
/// them): the reports whose figures are added up in Rust (the reconciliation) page what they
/// recorded for the figure.
pub(super) fn page_of_rows(
    conn: &Connection,
    rows: Vec<(String, i64, i64)>,
    money: bool,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Result<Page<DrillItem>> {
    let (offset, limit) = page_bounds(offset, limit);
    let total = rows.len() as i64;
    let items = rows
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(limit.max(0) as usize)
        .map(|(k, id, fen)| {
            let kind = MatterKind::from_sql(&k);
            let (number, party) = describe(conn, kind, id)?;
            Ok(DrillItem {
                kind,
                id,
                number,
                party,
                amount: money.then(|| Money::from_fen(fen)),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page { items, total })
}

pub(super) fn describe(conn: &Connection, kind: MatterKind, id: i64) -> Result<(String, String)> {
    let sql = match kind {
        MatterKind::Institution => "SELECT code, name FROM institution WHERE id = ?1",
        MatterKind::Case => {
            "SELECT c.case_number, COALESCE(i.name, p.name, '') FROM case_file c
             LEFT JOIN institution i ON i.id = c.institution_id LEFT JOIN insured p ON p.id = c.insured_id
             WHERE c.id = ?1"
        }
        MatterKind::SelfCorrection => {
            "SELECT s.form_number, COALESCE(i.name, p.name, '') FROM self_correction s
             LEFT JOIN institution i ON i.id = s.institution_id LEFT JOIN insured p ON p.id = s.insured_id
             WHERE s.id = ?1"
        }
        MatterKind::Accountability => {
            "SELECT a.person, COALESCE(c.case_number, a.position) FROM accountability a
             LEFT JOIN case_file c ON c.id = a.case_id WHERE a.id = ?1"
        }
        // The inspection's date as its number (inspections are not numbered), the institution.
        MatterKind::Inspection => {
            "SELECT x.started_on, i.name FROM inspection x JOIN institution i ON i.id = x.institution_id
             WHERE x.id = ?1"
        }
        MatterKind::Lead => {
            "SELECT l.lead_number, COALESCE(i.name, p.name, l.summary) FROM lead l
             LEFT JOIN institution i ON i.id = l.institution_id LEFT JOIN insured p ON p.id = l.insured_id
             WHERE l.id = ?1"
        }
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The month of `date` as a query (the UI's default: the month just ended before the 4th).
pub fn month_of(date: NaiveDate) -> MonthlyQuery {
    MonthlyQuery {
        year: date.year(),
        month: date.month(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_yuan_is_rounded_once_from_fen() {
        // 12,345.00 元 = 1.2345 万元 → 1.23; 12,350.00 → 1.235 → 1.24 (half away from zero).
        assert_eq!(wan_yuan(1_234_500, 2).to_string(), "1.23");
        assert_eq!(wan_yuan(1_235_000, 2).to_string(), "1.24");
        // Rounding twice (to 元 first) would give 0.01 here: 49.99 元 = 0.004999 万元 → 0.00.
        assert_eq!(wan_yuan(4_999, 2).to_string(), "0.00");
        assert_eq!(wan_yuan(1_235_000, 3).to_string(), "1.235");
    }

    #[test]
    fn progress_is_a_percentage_with_two_decimals() {
        assert_eq!(progress(1, 3).to_string(), "33.33");
        assert_eq!(progress(2, 3).to_string(), "66.67");
        assert_eq!(progress(0, 0).to_string(), "0.00");
    }

    #[test]
    fn the_header_has_the_22_figure_columns_of_the_paper() {
        assert_eq!(columns().count(), 22);
        let spans: Vec<usize> = HEADER.iter().map(|(_, c)| c.len()).collect();
        assert_eq!(spans, [3, 5, 2, 8, 4]);
    }
}
