//! Read-side of the ledger: the collection terms of a case, the case ledger, the accounting view
//! (004 art. 12) and the ledger's clocks. The monthly reconciliation is in `reconcile.rs`.

use crate::cases::rules::{Cache, Rule};
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use super::accounting::{credit_account, DEBIT_ACCOUNT};
use super::fine::late_surcharge;
use super::matter::*;
use super::offset::Month;
use super::types::*;
use super::{fines, offsets, payments};
use crate::calendar::{Deadline, WorkCalendar};
use crate::cases::clocks::{ClockMode, OPEN_CASE};
use crate::cases::{Clock, ClockContext, ClockKind, ClockState, Fund, YearKind};
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};
use crate::vocab::labels::Labeled as _;

// ---------------------------------------------------------------------------------------------
// Collection terms

pub fn set_collection(tx: &mut Tx<'_>, r: &CollectionInput) -> Result<Collection> {
    let case = case_info(tx, r.case_id)?;
    case.require_open("修改缴费信息")?;
    let agency = required_text(&r.agency, "agency", "经办机构名称", 100)?;
    let issued_on = match r.issued_on {
        Some(d) => Some(past_date(Some(d), "issued_on", "通知单开具日期")?),
        None => None,
    };
    let v = [
        bounded_text(&r.notice_number, "notice_number", "通知单号", 60)?,
        bounded_text(&r.agency_address, "agency_address", "经办机构地址", 200)?,
        bounded_text(&r.account_name, "account_name", "开户名称", 100)?,
        bounded_text(&r.bank, "bank", "开户银行", 100)?,
        bounded_text(&r.account_number, "account_number", "账号", 40)?,
        bounded_text(&r.bank_code, "bank_code", "开户银行交换行行号", 20)?,
    ];
    if !v[4]
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        return Err(ApiError::field("account_number", "账号只能包含数字"));
    }
    tx.execute(
        "INSERT INTO collection (case_id, notice_number, issued_on, agency, agency_address, account_name, bank,
                                 account_number, bank_code, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(case_id) DO UPDATE SET notice_number = excluded.notice_number, issued_on = excluded.issued_on,
             agency = excluded.agency, agency_address = excluded.agency_address, account_name = excluded.account_name,
             bank = excluded.bank, account_number = excluded.account_number, bank_code = excluded.bank_code,
             updated_at = excluded.updated_at",
        params![
            case.id,
            v[0],
            issued_on.map(date_text),
            agency,
            v[1],
            v[2],
            v[3],
            v[4],
            v[5],
            now_text()
        ],
    )?;
    let id: i64 = tx.query_row(
        "SELECT id FROM collection WHERE case_id = ?1",
        [case.id],
        |x| x.get(0),
    )?;
    tx.touch("collection", id);
    collection(tx, case.id)?.ok_or_else(|| ApiError::internal("collection"))
}

pub fn collection(conn: &Connection, case_id: i64) -> Result<Option<Collection>> {
    Ok(conn
        .query_row(
            "SELECT notice_number, issued_on, agency, agency_address, account_name, bank, account_number, bank_code
             FROM collection WHERE case_id = ?1",
            [case_id],
            |r| {
                Ok(Collection {
                    case_id,
                    notice_number: r.get(0)?,
                    issued_on: opt_date(r.get(1)?)?,
                    agency: r.get(2)?,
                    agency_address: r.get(3)?,
                    account_name: r.get(4)?,
                    bank: r.get(5)?,
                    account_number: r.get(6)?,
                    bank_code: r.get(7)?,
                })
            },
        )
        .optional()?)
}

// ---------------------------------------------------------------------------------------------
// The case ledger

pub fn case_ledger(
    conn: &Connection,
    cal: &WorkCalendar,
    q: &CaseLedgerQuery,
) -> Result<CaseLedger> {
    let case = case_info(conn, q.case_id)?;
    let m = Matter::Case(case.id);
    let (lines, totals) = ledger_lines(conn, m)?;
    let loaded = load(conn, m)?;
    Ok(CaseLedger {
        case_id: case.id,
        case_number: case.case_number.clone(),
        party: case.party.clone(),
        closed: case.closed(),
        collection: collection(conn, case.id)?,
        payment_due: case.payment_due,
        lines,
        totals,
        payments: payments_of(conn, m)?
            .iter()
            .map(|p| payments::view_in(conn, p, &loaded))
            .collect::<Result<_>>()?,
        offsets: offsets::of_case(conn, case.id)?,
        receipts: payments::case_receipts(conn, case.id)?,
        refunds: payments::refunds_of(conn, m)?,
        fines: fines::list(
            conn,
            &FineQuery {
                case_id: Some(case.id),
                id: None,
                as_of: q.as_of,
            },
        )?,
        referrals: fines::referrals_of(conn, cal, case.id)?,
    })
}

/// Where a case's recovery stands, for part A (e.g. a guard before closing a case).
pub fn case_totals(conn: &Connection, case_id: i64) -> Result<LedgerTotals> {
    Ok(ledger_lines(conn, Matter::Case(case_id))?.1)
}

// ---------------------------------------------------------------------------------------------
// Accounting view (004 art. 12)

pub(super) struct MatterMeta {
    pub(super) reference: String,
    /// The year a 当年 line refers to.
    pub(super) fund_year: Option<i32>,
    /// What the matter's rule set cites for the accounting entry (issue 9).
    pub(super) accounting_cite: String,
}

pub(super) fn matter_meta(conn: &Connection, m: Matter) -> Result<MatterMeta> {
    match m {
        Matter::Case(id) => {
            let case = case_info(conn, id)?;
            let issued = collection(conn, id)?.and_then(|c| c.issued_on);
            Ok(MatterMeta {
                accounting_cite: crate::cases::rules::for_case(conn, id)?.cite(Rule::Accounting),
                reference: case.case_number,
                // 当年 on the decision (or the 通知单) means the year it was made.
                fund_year: case.decided_on.or(issued).map(|d| d.year()),
            })
        }
        Matter::SelfCorrection(id) => {
            let (number, submitted): (String, String) = conn.query_row(
                "SELECT form_number, submitted_on FROM self_correction WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(MatterMeta {
                accounting_cite: crate::cases::rules::office(conn)?.cite(Rule::Accounting),
                reference: number,
                fund_year: Some(parse_stored_date(&submitted)?.year()),
            })
        }
    }
}

/// Entries for `allocs` (line, amount) received on `received_on`, grouped per fund × credit account.
#[allow(clippy::too_many_arguments)]
fn entries_for(
    loaded: &Loaded,
    meta: &MatterMeta,
    allocs: &[(i64, Money)],
    received_on: NaiveDate,
    receipt: Option<(i64, String)>,
    agency: &str,
    out: &mut Vec<AccountingEntry>,
) {
    let mut grouped: BTreeMap<(Fund, super::accounting::CreditAccount), (Money, String)> =
        BTreeMap::new();
    for (line, amount) in allocs {
        let Some(l) = loaded.line(*line) else {
            continue;
        };
        let current = l.year_kind.map(|y| y == YearKind::CurrentYear);
        let (account, mut rule) = credit_account(current, meta.fund_year, received_on);
        rule.push_str(&meta.accounting_cite);
        let slot = grouped
            .entry((l.fund, account))
            .or_insert((Money::ZERO, rule));
        slot.0 += *amount;
    }
    for ((fund, account), (amount, rule)) in grouped {
        if amount.is_zero() {
            continue;
        }
        out.push(AccountingEntry {
            receipt_id: receipt.as_ref().map(|r| r.0),
            receipt_number: receipt.as_ref().map(|r| r.1.clone()),
            received_on,
            reference: meta.reference.clone(),
            agency: agency.to_string(),
            fund,
            debit: DEBIT_ACCOUNT.to_string(),
            credit: account,
            credit_label: account.label().to_string(),
            amount,
            rule,
        });
    }
}

/// For every valid fiscal receipt issued in the period (and every insured person's APP refund
/// confirmed in it), the entry 004 art. 12 prescribes.
pub fn accounting(conn: &Connection, q: &AccountingQuery) -> Result<Vec<AccountingEntry>> {
    let from = q.from.map(date_text).unwrap_or_else(|| "0000-01-01".into());
    let to = q.to.map(date_text).unwrap_or_else(|| "9999-12-31".into());
    let mut out = Vec::new();
    let mut cache: BTreeMap<Matter, (Loaded, MatterMeta)> = BTreeMap::new();
    let wanted = |m: Matter| match (q.case_id, q.self_correction_id) {
        (None, None) => true,
        (c, s) => m.case_id() == c && c.is_some() || m.self_correction_id() == s && s.is_some(),
    };
    // Receipts on payments.
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.receipt_number, r.payment_id, r.deduction_id, r.agency FROM fiscal_receipt r
         WHERE r.voided_on IS NULL AND r.issued_on BETWEEN ?1 AND ?2 ORDER BY r.issued_on, r.id",
    )?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (rid, number, payment_id, deduction_id, agency) in rows {
        if let Some(pid) = payment_id {
            let p = payment_row(conn, pid)?;
            if !wanted(p.matter) {
                continue;
            }
            let (loaded, meta) = cached(conn, &mut cache, p.matter)?;
            let (allocs, _) = loaded.book.payment(pid).unwrap_or_default();
            let received = p.arrived_on.unwrap_or(p.paid_on);
            entries_for(
                loaded,
                meta,
                &allocs,
                received,
                Some((rid, number)),
                &agency,
                &mut out,
            );
        } else if let Some(did) = deduction_id {
            let (case_id, settled): (i64, String) = conn.query_row(
                "SELECT p.case_id, d.settled_on FROM offset_deduction d JOIN offset_plan p ON p.id = d.plan_id WHERE d.id = ?1",
                [did],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let m = Matter::Case(case_id);
            if !wanted(m) {
                continue;
            }
            let mut stmt = conn.prepare_cached(
                "SELECT recovery_line_id, amount_fen FROM offset_allocation WHERE deduction_id = ?1 ORDER BY seq",
            )?;
            let allocs = stmt
                .query_map([did], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let (loaded, meta) = cached(conn, &mut cache, m)?;
            entries_for(
                loaded,
                meta,
                &allocs,
                parse_stored_date(&settled)?,
                Some((rid, number)),
                &agency,
                &mut out,
            );
        }
    }
    // Insured persons' APP refunds: recovered on the agency's arrival confirmation (004 art. 11(2)).
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLS} FROM payment WHERE method = 'App' AND arrived_on BETWEEN ?1 AND ?2
           AND cancelled_on IS NULL ORDER BY arrived_on, id"
    ))?;
    let rows = stmt
        .query_map(params![from, to], payment_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in rows {
        if !wanted(p.matter) || !app_recovered(conn, &p)? {
            continue;
        }
        let (loaded, meta) = cached(conn, &mut cache, p.matter)?;
        let (allocs, _) = loaded.book.payment(p.id).unwrap_or_default();
        let received = p.arrived_on.unwrap_or(p.paid_on);
        entries_for(loaded, meta, &allocs, received, None, &p.agency, &mut out);
    }
    Ok(out)
}

fn cached<'a>(
    conn: &Connection,
    cache: &'a mut BTreeMap<Matter, (Loaded, MatterMeta)>,
    m: Matter,
) -> Result<&'a (Loaded, MatterMeta)> {
    if let std::collections::btree_map::Entry::Vacant(e) = cache.entry(m) {
        e.insert((load(conn, m)?, matter_meta(conn, m)?));
    }
    Ok(&cache[&m])
}

// ---------------------------------------------------------------------------------------------
// Clocks (listed in `api::HOOKS` through `ledger::CLOCK_SOURCES`)

/// What a case (`c`) still owes, as the book counts it (`Book::total().outstanding`): its lines,
/// less the allocations of its payments not cancelled, plus what completed refunds took back from
/// those allocations, less its offset deductions. Summed in SQL so that the dashboard need not load
/// the book of every open case; the payment clock checks it against the book in debug builds.
const OWED_SQL: &str = "COALESCE((SELECT SUM(r.amount_due_fen) FROM recovery_line r WHERE r.case_id = c.id), 0)
    - COALESCE((SELECT SUM(a.amount_fen) FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
                WHERE p.case_id = c.id AND p.cancelled_on IS NULL), 0)
    + COALESCE((SELECT SUM(ra.amount_fen) FROM refund_allocation ra JOIN refund rf ON rf.id = ra.refund_id
                JOIN payment p ON p.id = rf.payment_id
                WHERE p.case_id = c.id AND p.cancelled_on IS NULL AND rf.status = 'Completed'), 0)
    - COALESCE((SELECT SUM(oa.amount_fen) FROM offset_allocation oa
                JOIN offset_deduction od ON od.id = oa.deduction_id JOIN offset_plan op ON op.id = od.plan_id
                WHERE op.case_id = c.id), 0)";

/// `ledger.year_summary`: sums over the year's records (indexes of 0011 on each date) and over the
/// open matters with a decision (what is owed now).
pub fn year_summary(
    conn: &Connection,
    q: &YearSummaryQuery,
    today: NaiveDate,
) -> Result<YearSummary> {
    let today = q.today.unwrap_or(today);
    let year = q.year.unwrap_or(today.year());
    if !(2000..=2099).contains(&year) {
        return Err(ApiError::field("year", "年份应在2000至2099年之间"));
    }
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let sum = |sql: &str| -> Result<Money> {
        let fen: i64 = conn
            .prepare_cached(sql)?
            .query_row(params![from, to], |r| r.get(0))?;
        Ok(money(fen))
    };
    let due = sum(
        "SELECT COALESCE((SELECT SUM(recovery_total_fen + liquidated_damages_fen) FROM decision
                          WHERE decided_on BETWEEN ?1 AND ?2), 0)
              + COALESCE((SELECT SUM(l.amount_due_fen) FROM self_correction s
                          JOIN self_correction_line l ON l.self_correction_id = s.id
                          WHERE s.submitted_on BETWEEN ?1 AND ?2), 0)",
    )?;
    let paid = sum("SELECT COALESCE((SELECT SUM(amount_fen) FROM payment
                          WHERE paid_on BETWEEN ?1 AND ?2 AND cancelled_on IS NULL), 0)
              - COALESCE((SELECT SUM(amount_fen) FROM refund
                          WHERE status = 'Completed' AND refunded_on BETWEEN ?1 AND ?2), 0)")?;
    let offset = sum(
        "SELECT COALESCE(SUM(deducted_fen), 0) FROM offset_deduction WHERE settled_on BETWEEN ?1 AND ?2",
    )?;
    let receipted = sum("SELECT COALESCE(SUM(amount_fen), 0) FROM fiscal_receipt
         WHERE issued_on BETWEEN ?1 AND ?2 AND voided_on IS NULL")?;
    let (outstanding, overdue, overdue_matters): (i64, i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT COALESCE(SUM(owed), 0), COALESCE(SUM(CASE WHEN due < ?1 THEN owed END), 0),
                    COUNT(CASE WHEN due < ?1 THEN 1 END)
             FROM (SELECT d.payment_due AS due, {OWED_SQL} AS owed
                   FROM case_file c JOIN decision d ON d.case_id = c.id WHERE {OPEN_CASE})
             WHERE owed > 0"
        ))?
        .query_row([today.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(YearSummary {
        year,
        today,
        due,
        paid,
        offset,
        receipted,
        outstanding: money(outstanding),
        overdue: money(overdue),
        overdue_matters,
    })
}

/// The ids `SELECT {what} WHERE {filter}` finds among open cases (`c`), of the one case the
/// context asks for, or none when `skip` (a source whose clocks the mode does not build).
fn open_case_ids(
    conn: &Connection,
    ctx: &ClockContext,
    skip: bool,
    what: &str,
    filter: &str,
) -> Result<Vec<i64>> {
    let narrow = if skip {
        " AND 0".to_string()
    } else {
        ctx.only_case("c.id")
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {what} WHERE {filter} AND {OPEN_CASE}{narrow}"
    ))?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub fn clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    let mut rules = Cache::default();
    let office_rules = crate::cases::rules::office(conn)?;
    let mut out = Vec::new();
    // What `cases::clock_index` stores (a case's clocks, fines aside) is not built in
    // `ClockMode::Live`; what is judged against today (fines) or belongs to no case (a
    // self-correction's proof) is not built in `ClockMode::Stored`.
    let live = ctx.mode == ClockMode::Live;
    let stored = ctx.mode == ClockMode::Stored;
    // 退缴时限 (004 art. 8–9): open cases with a deadline and money owed, no offset running.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, d.decided_on, d.payment_due, {OWED_SQL} FROM case_file c JOIN decision d ON d.case_id = c.id
         WHERE {OPEN_CASE} AND d.payment_due IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM offset_plan p WHERE p.case_id = c.id AND p.status = 'Active'){}",
        if live { " AND 0".to_string() } else { ctx.only_case("c.id") }
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                parse_stored_date(&r.get::<_, String>(1)?)?,
                parse_stored_date(&r.get::<_, String>(2)?)?,
                money(r.get(3)?),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (case_id, decided, due, outstanding) in rows {
        // Every test builds the dashboard in debug: there the sum must agree with the book.
        debug_assert_eq!(
            outstanding,
            load(conn, Matter::Case(case_id))?.book.total().outstanding,
            "OWED_SQL of case {case_id}"
        );
        if outstanding.is_zero() {
            continue;
        }
        out.push(
            ctx.case_clock(
                case_id,
                ClockKind::Payment,
                format!("退缴时限（尚欠 {} 元）", outstanding.grouped()),
                decided,
                Deadline {
                    date: due,
                    warnings: vec![],
                },
                rules
                    .get(conn, case_id)?
                    .basis_all(&[Rule::RecoveryTerms, Rule::PaymentProof]),
            ),
        );
    }
    // 缴款凭证 within 3 working days (004 art. 9), for payments of open matters.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLS} FROM payment WHERE proof_received_on IS NULL AND cancelled_on IS NULL
           AND (case_id IS NULL OR case_id IN (SELECT c.id FROM case_file c WHERE {OPEN_CASE})){}",
        match ctx.mode {
            ClockMode::Live => " AND case_id IS NULL".to_string(),
            ClockMode::Stored => format!(" AND case_id IS NOT NULL{}", ctx.only_case("case_id")),
            ClockMode::All => ctx.only_case("case_id"),
        }
    ))?;
    let rows = stmt
        .query_map([], payment_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in rows {
        let due = ctx
            .calendar
            .add_working_days(p.paid_on, ctx.profile.payment_proof_days)?;
        let label = format!(
            "缴款凭证送达（{}缴款 {} 元）",
            cn(p.paid_on),
            p.amount.grouped()
        );
        match p.matter {
            Matter::Case(case_id) => out.push(ctx.case_clock(
                case_id,
                ClockKind::PaymentProof,
                label,
                p.paid_on,
                due,
                rules.basis(conn, case_id, Rule::PaymentProof)?,
            )),
            Matter::SelfCorrection(id) => {
                let (number, party): (String, String) = conn.query_row(
                    "SELECT s.form_number, COALESCE(i.name, p.name, '') FROM self_correction s
                     LEFT JOIN institution i ON i.id = s.institution_id LEFT JOIN insured p ON p.id = s.insured_id
                     WHERE s.id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                out.push(ctx.clock(
                    ClockKind::PaymentProof,
                    label,
                    (None, None, number, party),
                    p.paid_on,
                    due,
                    office_rules.basis(Rule::PaymentProof),
                ));
            }
        }
    }
    // 抵扣 progress (004 art. 10): the next month's settlement is due by the end of that month.
    let ids = open_case_ids(
        conn,
        ctx,
        live,
        "p.id FROM offset_plan p JOIN case_file c ON c.id = p.case_id",
        "p.status = 'Active'",
    )?;
    for id in ids {
        let plan = offsets::get(conn, id)?;
        for f in &plan.funds {
            if f.remaining.is_zero() {
                continue;
            }
            let next = match f.last_month {
                Some(m) => m.next(),
                None => Month::of(plan.approved_on),
            };
            let due = ctx.calendar.calendar_deadline(next.last_day(), 0)?;
            out.push(ctx.case_clock(
                plan.case_id,
                ClockKind::Offset,
                format!(
                    "抵扣（{}{}结算，尚需抵扣 {} 元，已抵扣{}个月）",
                    f.fund.label(),
                    next.label(),
                    f.remaining.grouped(),
                    f.months
                ),
                plan.approved_on,
                due,
                rules.basis(conn, plan.case_id, Rule::Offset)?,
            ));
        }
    }
    // 罚款 within 15 days of service (行政处罚法 art. 67) and the surcharge (art. 72).
    let ids = open_case_ids(
        conn,
        ctx,
        stored,
        "f.id FROM fine f JOIN case_file c ON c.id = f.case_id",
        "f.due_on IS NOT NULL",
    )?;
    for id in ids {
        let f = fines::get(conn, id, Some(ctx.today))?;
        let (Some(due), Some(served)) = (f.due_on, f.served_on) else {
            continue;
        };
        if f.status.outstanding.is_zero() {
            continue;
        }
        let label = if f.status.days_late > 0 && f.kind.has_surcharge() {
            let capped = late_surcharge(f.amount, f.status.days_late) >= f.amount;
            format!(
                "{}缴纳（逾期{}日，加处罚款 {} 元{}）",
                f.kind.label(),
                f.status.days_late,
                f.status.surcharge.grouped(),
                if capped { "，已达上限" } else { "" }
            )
        } else if let Some(i) = f.instalments.iter().find(|i| i.covered < i.amount) {
            // 分期缴纳 (行政处罚法 art. 66): the instalment next due.
            format!(
                "罚款分期缴纳（第{}期，共{}期，本期 {} 元）",
                i.seq,
                f.instalments.len(),
                (i.amount - i.covered).grouped()
            )
        } else {
            format!("{}缴纳（{} 元）", f.kind.label(), f.amount.grouped())
        };
        // 行政处罚法 art. 73: still owed while a 复议/诉讼 runs, without surcharge.
        let label = match f
            .reliefs
            .iter()
            .find(|r| r.kind != ReliefKind::Deferral && r.ended_on.is_none())
        {
            Some(r) => format!("{label}，{}期间不计加处罚款", r.kind.label()),
            None => label,
        };
        let mut clock = ctx.case_clock(
            f.case_id,
            ClockKind::Fine,
            label,
            served,
            Deadline {
                date: due,
                warnings: vec![],
            },
            "行政处罚法第六十七条、第七十二条",
        );
        if clock.state != ClockState::Overdue && ctx.today > due {
            clock.state = ClockState::Overdue;
        }
        out.push(clock);
    }
    // 申请人民法院强制执行 (行政强制法 art. 53–54): a 催告 made and the application not yet made; the
    // window moves with a 复议/诉讼 (`fines::referral`), so it is judged live like the fines.
    let ids = open_case_ids(
        conn,
        ctx,
        stored,
        "r.id FROM referral r JOIN case_file c ON c.id = r.case_id",
        "r.kind = 'CourtEnforcement' AND r.status = 'Demanded'",
    )?;
    for id in ids {
        let rf = fines::referral(conn, ctx.calendar, id)?;
        let Some(by) = rf.apply_by else {
            continue;
        };
        let label = match rf.apply_from {
            Some(from) if from > ctx.today => {
                format!(
                    "申请人民法院强制执行（{}起可申请）",
                    crate::vocab::dates::cn_date(from)
                )
            }
            Some(_) => "申请人民法院强制执行（已可申请）".to_string(),
            None => "申请人民法院强制执行（催告书送达后起算）".to_string(),
        };
        out.push(ctx.case_clock(
            rf.case_id,
            ClockKind::CourtApplication,
            label,
            rf.demand_issued_on.unwrap_or(by),
            Deadline {
                date: by,
                warnings: rf.warnings.clone(),
            },
            "行政强制法第五十三条、第五十四条",
        ));
    }
    Ok(out)
}
