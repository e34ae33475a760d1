//! Property tests of the pure ledger (`recoup::ledger::book`): for any sequence of payments
//! (auto or explicit allocation, scoped to a fund's lines or not, with or without a confirmed
//! over-payment), offset deductions and refunds, to the cent:
//! - per recovery line and per matter: paid + offset + outstanding = due, none of them negative;
//! - Σ accepted payments − Σ refunds = Σ paid + over-payment credit;
//! - Σ deductions = Σ offset;
//! - a refused operation leaves the book exactly as it was.

use std::collections::BTreeSet;

use proptest::prelude::*;
use recoup::ledger::book::{Book, Line, PaymentRequest};
use recoup::ledger::fine::{late_surcharge, penalty_status, PenaltyKind};
use recoup::Money;

#[derive(Debug, Clone)]
enum Op {
    Pay {
        fen: i64,
        scope: Option<Vec<usize>>,
        explicit: Vec<(usize, i64)>,
        over: bool,
    },
    Offset {
        scope: Vec<usize>,
        fen: i64,
    },
    Refund {
        payment: usize,
        fen: i64,
    },
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..=100, 1i64..=10_000_000, Just(1), Just(99_999)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            amount(),
            proptest::option::of(proptest::collection::vec(0usize..8, 1..4)),
            proptest::collection::vec((0usize..8, amount()), 0..3),
            any::<bool>()
        )
            .prop_map(|(fen, scope, explicit, over)| Op::Pay { fen, scope, explicit, over }),
        2 => (proptest::collection::vec(0usize..8, 1..4), 0i64..=5_000_000)
            .prop_map(|(scope, fen)| Op::Offset { scope, fen }),
        2 => (0usize..10, amount()).prop_map(|(payment, fen)| Op::Refund { payment, fen }),
    ]
}

fn lines() -> impl Strategy<Value = Vec<Line>> {
    proptest::collection::vec((1i64..=5_000_000, any::<bool>()), 1..7).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (fen, current_year))| Line {
                id: 100 + i as i64,
                current_year,
                due: Money::from_fen(fen),
                label: format!("第{}项", i + 1),
            })
            .collect()
    })
}

type Snapshot = (Vec<(Money, Money, Money, Money)>, Money);

fn snapshot(b: &Book) -> Snapshot {
    (
        b.lines()
            .iter()
            .map(|l| {
                let x = b.balance(l.id);
                (x.due, x.paid, x.offset, x.outstanding)
            })
            .collect(),
        b.credit(),
    )
}

fn check_invariants(b: &Book, paid_in: Money, refunded: Money, deducted: Money) {
    let mut sum = (Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO);
    for l in b.lines() {
        let x = b.balance(l.id);
        assert_eq!(x.paid + x.offset + x.outstanding, x.due, "line {}", l.id);
        assert_eq!(x.due, l.due);
        assert!(
            !x.paid.is_negative() && !x.offset.is_negative() && !x.outstanding.is_negative(),
            "{x:?}"
        );
        sum = (
            sum.0 + x.due,
            sum.1 + x.paid,
            sum.2 + x.offset,
            sum.3 + x.outstanding,
        );
    }
    let t = b.total();
    assert_eq!((t.due, t.paid, t.offset, t.outstanding), sum);
    assert_eq!(t.paid + t.offset + t.outstanding, t.due, "per matter");
    assert!(!b.credit().is_negative());
    assert_eq!(
        paid_in - refunded,
        t.paid + b.credit(),
        "money in = on lines + credit"
    );
    assert_eq!(deducted, t.offset);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn paid_plus_offset_plus_outstanding_is_due(lines in lines(), ops in proptest::collection::vec(op(), 1..40)) {
        let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
        let pick = |i: usize| ids[i % ids.len()];
        let mut b = Book::new(lines).unwrap();
        let (mut paid_in, mut refunded, mut deducted) = (Money::ZERO, Money::ZERO, Money::ZERO);
        let mut payments: Vec<i64> = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            let before = snapshot(&b);
            match op {
                Op::Pay { fen, scope, explicit, over } => {
                    let scope: Option<BTreeSet<i64>> = scope.map(|s| s.into_iter().map(pick).collect());
                    let explicit: Vec<(i64, Money)> =
                        explicit.into_iter().map(|(i, f)| (pick(i), Money::from_fen(f))).collect();
                    let key = n as i64;
                    let r = b.record_payment(key, &PaymentRequest {
                        amount: Money::from_fen(fen),
                        scope: scope.as_ref(),
                        explicit: &explicit,
                        record_overpayment: over,
                    });
                    match r {
                        Ok(plan) => {
                            let allocated: Money = plan.allocations.iter().map(|(_, a)| *a).sum();
                            prop_assert_eq!(allocated + plan.credit, Money::from_fen(fen));
                            prop_assert!(over || plan.credit.is_zero(), "credit without confirmation");
                            if let Some(s) = &scope {
                                prop_assert!(plan.allocations.iter().all(|(l, _)| s.contains(l)));
                            }
                            for (l, a) in &explicit {
                                prop_assert!(plan.allocations.contains(&(*l, *a)), "explicit allocation kept");
                            }
                            paid_in += Money::from_fen(fen);
                            payments.push(key);
                        }
                        Err(_) => prop_assert_eq!(snapshot(&b), before, "refused payment changed the book"),
                    }
                }
                Op::Offset { scope, fen } => {
                    let scope: BTreeSet<i64> = scope.into_iter().map(pick).collect();
                    let owed = b.outstanding_in(Some(&scope));
                    let out = b.record_offset(&scope, Money::from_fen(fen));
                    let got: Money = out.iter().map(|(_, a)| *a).sum();
                    prop_assert_eq!(got, owed.min(Money::from_fen(fen)), "deducts all it can, never more");
                    deducted += got;
                }
                Op::Refund { payment, fen } => {
                    if payments.is_empty() {
                        continue;
                    }
                    let key = payments[payment % payments.len()];
                    match b.refund(key, Money::from_fen(fen)) {
                        Ok(plan) => {
                            let back: Money = plan.from_credit + plan.lines.iter().map(|(_, a)| *a).sum::<Money>();
                            prop_assert_eq!(back, Money::from_fen(fen));
                            refunded += back;
                        }
                        Err(_) => prop_assert_eq!(snapshot(&b), before, "refused refund changed the book"),
                    }
                }
            }
            check_invariants(&b, paid_in, refunded, deducted);
        }
    }

    #[test]
    fn a_rebuilt_book_equals_the_live_one(lines in lines(), pays in proptest::collection::vec((amount(), any::<bool>()), 1..10), refund in amount()) {
        // The database keeps each payment's net allocations; loading them gives the same balances.
        let mut live = Book::new(lines.clone()).unwrap();
        for (i, (fen, over)) in pays.iter().enumerate() {
            let _ = live.record_payment(i as i64, &PaymentRequest { amount: Money::from_fen(*fen), record_overpayment: *over, ..Default::default() });
        }
        let _ = live.refund(0, Money::from_fen(refund));
        let mut rebuilt = Book::new(lines).unwrap();
        for i in 0..pays.len() as i64 {
            if let Some((allocs, credit)) = live.payment(i) {
                rebuilt.load_payment(i, allocs, credit);
            }
        }
        prop_assert_eq!(snapshot(&rebuilt), snapshot(&live));
    }

    #[test]
    fn surcharge_is_three_percent_per_day_and_never_above_the_fine(fen in 1i64..=100_000_000, days in 0i64..500) {
        // 行政处罚法 art. 72(1).
        let fine = Money::from_fen(fen);
        let s = late_surcharge(fine, days);
        prop_assert!(s <= fine);
        let uncapped = Money::round_half_up(fine.decimal() * rust_decimal::Decimal::new(3 * days, 2));
        prop_assert_eq!(s, uncapped.min(fine));
        // Paying principal + surcharge in one go on day `days` settles it exactly.
        let due: chrono::NaiveDate = "2026-10-08".parse().unwrap();
        let paid_on = due + chrono::Duration::days(days);
        let st = penalty_status(PenaltyKind::Fine, fine, Some(due), &[(paid_on, fine + s)], paid_on);
        prop_assert_eq!(st.outstanding, Money::ZERO);
        prop_assert_eq!(st.surcharge, s);
    }
}

// ---------------------------------------------------------------------------------------------
// The same invariant through the API and the database: random payments (arrived or not, scoped to
// a fund or not, with or without a confirmed over-payment), cancellations, refunds (requested and
// completed), an offset plan and monthly deductions on a real agreement case. Every refused call
// leaves the audit log unchanged; after every call, per line and per case,
// paid + offset + outstanding = due, Σ live payments − Σ refunds = paid + credit, and
// Σ deductions = offset.

mod api {
    use crate::common::{CaseBuilder, InstitutionBuilder, Office, OfficeBuilder, Post};
    use proptest::prelude::*;
    use recoup::api::Core;
    use recoup::Money;
    use serde_json::{json, Value};

    fn call(c: &Core, cmd: &str, payload: Value) -> Value {
        c.call(cmd, payload.clone())
            .unwrap_or_else(|e| panic!("{cmd} {payload}: {e:?}"))
    }

    fn audit(c: &Core) -> i64 {
        c.store()
            .read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?))
            .unwrap()
    }

    fn m(v: &Value) -> Money {
        Money::parse(v.as_str().unwrap_or_else(|| panic!("{v}"))).unwrap()
    }

    /// An office with three officers (h, r, a).
    fn office() -> Office {
        let o = OfficeBuilder::new("120101", "天津市和平区医疗保障局")
            .level(None)
            .only(&[Post::Handler, Post::Reviewer, Post::Approver])
            .officer(Post::Handler, "h", "h", json!(["Handler"]))
            .officer(Post::Reviewer, "r", "r", json!(["Reviewer"]))
            .officer(Post::Approver, "a", "a", json!(["Approver"]))
            .open();
        // A 天津 district splits money of an unknown fund 5:5 (004 art. 8).
        crate::common::call(
            &o.core,
            "profile.update",
            json!({"unknown_fund_split": true}),
        );
        o
    }

    /// An agreement case with these lines (fund None → 5:5), filed on `filed` (a Monday), notified a
    /// week later, decided 15 days after filing with the deadline 45 days after that, the decision
    /// served the next day and reported to the city the day after (so that it can close); the
    /// 通知单 issued with the decision. `n` numbers its documents.
    fn case_in(
        o: &Office,
        inst: i64,
        lines: &[(Option<&str>, bool, i64)],
        filed: chrono::NaiveDate,
        n: usize,
    ) -> i64 {
        let d = |days: i64| (filed + chrono::Duration::days(days)).to_string();
        let mut case = CaseBuilder::agreement(o, inst)
            .with(json!({"track": "Agreement", "source": "SettlementReview", "summary": "x"}))
            .filed(&d(0))
            .finding("x", "x", "0")
            .evidence("书证", "x", &d(0));
        for (fund, current, fen) in lines {
            let mut l = json!({"amount_due": Money::from_fen(*fen).to_string()});
            if let Some(f) = fund {
                l["fund"] = json!(f);
            }
            if *current {
                l["year_kind"] = json!("CurrentYear");
                l["category"] = json!("Inpatient");
            } else {
                l["year_kind"] = json!("PriorYears");
            }
            case = case.line(l);
        }
        let case_id = case
            .notified_with(&d(7), json!({"document_number": format!("告{n}")}))
            .served_with(&d(8), json!({"recipient": "x"}))
            .waived_with(&d(9), json!({"kind": "Waiver", "summary": null}))
            .decided_with(
                &d(15),
                json!({"kind": "AgreementDecision", "document_number": format!("决{n}"), "payment_due": d(60)}),
            )
            .decision_served(&d(16))
            .reported(&d(17))
            .id;
        call(
            &o.core,
            "collection.set",
            json!({"case_id": case_id, "agency": "某医保中心", "issued_on": d(15)}),
        );
        case_id
    }

    /// An agreement case with these lines (fund None → 5:5), decided 2026-01-20, due 2026-03-06,
    /// in an office with three officers (h, r, a).
    fn case(lines: &[(Option<&str>, bool, i64)]) -> (Office, i64) {
        let o = office();
        let inst = InstitutionBuilder::new("H1", "某医院").create(&o.core);
        let filed = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let case_id = case_in(&o, inst, lines, filed, 1);
        (o, case_id)
    }

    /// `ledger.reconcile` of `month` (set-based) and the first, matter-by-matter implementation
    /// give the same rows, totals and mismatches, in the same order.
    fn same_reconciliation(c: &Core, month: &str) -> Value {
        let set_based = call(c, "ledger.reconcile", json!({"month": month}));
        let q = recoup::ledger::types::ReconcileQuery {
            month: Some(month.parse().unwrap()),
        };
        let by_matter = c
            .store()
            .read(|conn| recoup::ledger::reconcile_by_matter::reconcile_by_matter(conn, &q))
            .unwrap();
        assert_eq!(
            set_based,
            serde_json::to_value(&by_matter).unwrap(),
            "the reconciliation of {month}"
        );
        set_based
    }

    /// 追回台账 (issue 10, migration 0026): the ledger read from the stored balances
    /// (`reports::recovery::LEDGER`) gives the rows the sub-query computation
    /// (`LEDGER_COMPUTED`) gives, as of each date (before some of a matter's records: computed;
    /// after all of them: stored); every case and form has its stored balance, equal to the
    /// computation with no date limit.
    fn same_ledger(c: &Core, dates: &[String]) {
        use recoup::reports::recovery::{LEDGER, LEDGER_COMPUTED};
        use rusqlite::types::Value as Sql;
        c.store()
            .read(|conn| {
                let rows = |sql: &str, from: &str, to: &str| -> Vec<Vec<Sql>> {
                    let mut stmt = conn
                        .prepare(&format!("SELECT * FROM ({sql}) ORDER BY k, ref"))
                        .unwrap();
                    let n = stmt.column_count();
                    stmt.query_map([from, to], |r| (0..n).map(|i| r.get::<_, Sql>(i)).collect())
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap()
                };
                for to in dates {
                    let from = format!("{}-01-01", &to[..4]);
                    let stored = rows(LEDGER, &from, to);
                    assert_eq!(stored, rows(LEDGER_COMPUTED, &from, to), "the ledger as of {to}");
                }
                // The stored balances are the computation with no date limit.
                let now = rows(LEDGER_COMPUTED, "0000-01-01", "9999-12-31");
                let mut stmt = conn
                    .prepare(
                        "SELECT due_fen, paid_fen, offset_fen, receipted_fen FROM matter_balance
                         WHERE kind = ?1 AND ref = ?2",
                    )
                    .unwrap();
                for r in &now {
                    let (Sql::Text(k), Sql::Integer(id)) = (&r[0], &r[1]) else {
                        panic!("{r:?}")
                    };
                    let b: Vec<Sql> = stmt
                        .query_row(rusqlite::params![k, id], |x| (0..4).map(|i| x.get::<_, Sql>(i)).collect())
                        .unwrap();
                    assert_eq!(b, r[5..9].to_vec(), "the stored balance of {k} {id}");
                }
                let (balances, matters): (i64, i64) = conn
                    .query_row(
                        "SELECT (SELECT COUNT(*) FROM matter_balance),
                                (SELECT COUNT(*) FROM case_file) + (SELECT COUNT(*) FROM self_correction)",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap();
                assert_eq!(balances, matters, "one stored balance per case and form");
                Ok(())
            })
            .unwrap();
    }

    #[derive(Debug, Clone)]
    enum Op {
        Pay {
            fund: Option<bool>,
            fen: i64,
            over: bool,
            arrive: bool,
        },
        Cancel(usize),
        Refund(usize, i64),
        Offset,
        Deduct(bool, i64),
        Arrive(usize),
        Proof(usize),
        Receipt(usize),
        Void(usize),
        RequestRefund(usize, i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            5 => (proptest::option::of(any::<bool>()), 1i64..=2_000_000, any::<bool>(), prop::bool::weighted(0.8))
                .prop_map(|(fund, fen, over, arrive)| Op::Pay { fund, fen, over, arrive }),
            1 => (0usize..8).prop_map(Op::Cancel),
            2 => (0usize..8, 1i64..=1_500_000).prop_map(|(p, f)| Op::Refund(p, f)),
            1 => Just(Op::Offset),
            3 => (any::<bool>(), 0i64..=1_500_000).prop_map(|(f, fen)| Op::Deduct(f, fen)),
            1 => (0usize..8).prop_map(Op::Arrive),
            1 => (0usize..8).prop_map(Op::Proof),
            2 => (0usize..8).prop_map(Op::Receipt),
            1 => (0usize..8).prop_map(Op::Void),
            1 => (0usize..8, 1i64..=500_000).prop_map(|(p, f)| Op::RequestRefund(p, f)),
        ]
    }

    fn fund(employee: bool) -> &'static str {
        if employee {
            "EmployeeBasic"
        } else {
            "ResidentBasic"
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn stored_ledger_balances_after_any_sequence(
            lines in proptest::collection::vec((proptest::option::of(any::<bool>()), any::<bool>(), 1i64..=1_000_000), 1..4),
            ops in proptest::collection::vec(op(), 1..30),
        ) {
            let lines: Vec<(Option<&str>, bool, i64)> =
                lines.iter().map(|(f, cur, fen)| (f.map(fund), *cur, *fen)).collect();
            let (o, case_id) = case(&lines);
            let c = &o.core;
            let mut payments: Vec<i64> = Vec::new();
            let mut plan: Option<i64> = None;
            let mut receipts: Vec<i64> = Vec::new();
            let mut months = [3u32, 3u32];
            for (n, op) in ops.into_iter().enumerate() {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 2, 2).unwrap() + chrono::Duration::days(n as i64 * 3);
                let date = day.to_string();
                let before = audit(&c);
                let result = match &op {
                    Op::Pay { fund: f, fen, over, arrive } => {
                        let mut p = json!({"case_id": case_id, "paid_on": date, "amount": Money::from_fen(*fen).to_string(),
                                           "voucher": format!("V{n}"), "record_overpayment": over});
                        if let Some(e) = f { p["fund"] = json!(fund(*e)); }
                        if *arrive { p["arrived_on"] = json!(date); }
                        c.call("payment.record", p).map(|v| payments.push(v["id"].as_i64().unwrap()))
                    }
                    Op::Cancel(i) if !payments.is_empty() => c
                        .call("payment.cancel", json!({"id": payments[i % payments.len()], "date": date, "reason": "退票"}))
                        .map(|_| ()),
                    Op::Refund(i, fen) if !payments.is_empty() => c
                        .call("refund.request", json!({"payment_id": payments[i % payments.len()], "amount": Money::from_fen(*fen).to_string(),
                                                      "reason": "错缴", "requested_on": date}))
                        .and_then(|r| c.call("refund.complete", json!({"id": r["id"], "opinion": "同意", "date": date})))
                        .map(|_| ()),
                    Op::Offset => c
                        .call("offset.create", json!({"case_id": case_id, "notice_number": format!("抵{n}"), "requested_on": date, "approved_on": date}))
                        .map(|v| { plan = Some(v["id"].as_i64().unwrap()); months = [day.format("%m").to_string().parse().unwrap(); 2]; }),
                    Op::Deduct(e, fen) if plan.is_some() => {
                        let k = usize::from(*e);
                        let month = format!("2026-{:02}", months[k]);
                        c.call("offset.deduct", json!({"plan_id": plan, "fund": fund(*e), "month": month, "settled_on": date,
                                                       "settlement": Money::from_fen(*fen).to_string()}))
                            .map(|_| months[k] += 1)
                    }
                    Op::Arrive(i) if !payments.is_empty() => c
                        .call("payment.confirm_arrival", json!({"id": payments[i % payments.len()], "date": date}))
                        .map(|_| ()),
                    Op::Proof(i) if !payments.is_empty() => c
                        .call("payment.proof_received", json!({"id": payments[i % payments.len()], "date": date}))
                        .map(|_| ()),
                    Op::Receipt(i) if !payments.is_empty() => c
                        .call("receipt.issue", json!({"payment_id": payments[i % payments.len()], "receipt_number": format!("R{n}"), "issued_on": date}))
                        .map(|r| receipts.push(r["id"].as_i64().unwrap())),
                    Op::Void(i) if !receipts.is_empty() => c
                        .call("receipt.void", json!({"id": receipts[i % receipts.len()], "date": date, "reason": "冲红"}))
                        .map(|_| ()),
                    Op::RequestRefund(i, fen) if !payments.is_empty() => c
                        .call("refund.request", json!({"payment_id": payments[i % payments.len()], "amount": Money::from_fen(*fen).to_string(),
                                                      "reason": "错缴", "requested_on": date}))
                        .map(|_| ()),
                    _ => Ok(()),
                };
                if result.is_err() {
                    prop_assert_eq!(audit(&c), before, "refused {:?} changed the data", op);
                }
                let l = call(&c, "ledger.case", json!({"case_id": case_id}));
                for x in l["lines"].as_array().unwrap() {
                    prop_assert_eq!(m(&x["paid"]) + m(&x["offset"]) + m(&x["outstanding"]), m(&x["due"]), "line {}", x);
                    prop_assert!(!m(&x["paid"]).is_negative() && !m(&x["offset"]).is_negative() && !m(&x["outstanding"]).is_negative());
                }
                let t = &l["totals"];
                prop_assert_eq!(m(&t["paid"]) + m(&t["offset"]) + m(&t["outstanding"]), m(&t["due"]));
                let live: Money = l["payments"].as_array().unwrap().iter()
                    .filter(|p| p["status"] != "Cancelled").map(|p| m(&p["amount"])).sum();
                prop_assert_eq!(live - m(&t["refunded"]), m(&t["paid"]) + m(&t["credit"]));
                let deducted: Money = l["offsets"].as_array().unwrap().iter()
                    .flat_map(|p| p["deductions"].as_array().unwrap().iter().map(|d| m(&d["deducted"])))
                    .sum();
                prop_assert_eq!(deducted, m(&t["offset"]));
                // The dashboard's payment clock sums what is owed in SQL (checked against the book
                // inside, in debug) and names the same amount.
                let clocks = call(&c, "clock.list", json!({"case_id": case_id, "today": "2026-12-01"}));
                for k in clocks["items"].as_array().unwrap().iter().filter(|k| k["kind"] == "Payment") {
                    let owed = m(&t["outstanding"]).grouped();
                    prop_assert!(k["label"].as_str().unwrap().contains(&owed), "{} / {}", k, owed);
                }
            }
            // The set-based reconciliation says what the matter-by-matter one says, every month.
            for month in ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"] {
                same_reconciliation(&c, month);
            }
            // The ledger from the stored balances, as of dates before, between and after the
            // operations (every third day from 2 February).
            let dates: Vec<String> = (0..14)
                .map(|k| (chrono::NaiveDate::from_ymd_opt(2026, 1, 30).unwrap() + chrono::Duration::days(k * 7)).to_string())
                .chain(["2026-12-31".to_string()])
                .collect();
            same_ledger(&c, &dates);
            prop_assert_eq!(&call(&c, "audit.verify", json!({}))["ok"], &json!(true));
        }
    }

    /// A small fixed sequence (splitmix64), so that the history test is the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % n
        }
    }

    /// Issue 13: the reconciliation reads the month's records and what is open, not the office's
    /// history. Ten cases filed over two years, an institution's and an insured person's
    /// self-correction, and 220 days of payments (some never arriving, proof late or missing),
    /// arrivals, receipts and 冲红, refunds requested, done and refused, over-payments,
    /// cancellations, offsets with deductions and their receipts, closures — then every month from
    /// 2024-12 to 2026-11 reconciled both ways, set-based and matter by matter, and compared. Every
    /// named check is met in some month but 票据金额不符, which the API never lets arise (a receipt is
    /// for the payment's recovery exactly and a refund may not touch receipted money).
    #[test]
    fn reconciliation_of_a_month_is_the_same_with_years_of_history() {
        let o = office();
        let c = &o.core;
        let inst = InstitutionBuilder::new("H1", "某医院").create(c);
        let monday = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        let mut cases: Vec<(i64, chrono::NaiveDate)> = Vec::new();
        for k in 0..10usize {
            let lines: Vec<(Option<&str>, bool, i64)> = match k % 3 {
                0 => vec![(Some("EmployeeBasic"), true, 300_000 + k as i64 * 1_001)],
                1 => vec![
                    (None, true, 500_001),
                    (Some("ResidentBasic"), false, 120_000),
                ],
                _ => vec![
                    (Some("ResidentBasic"), true, 80_000),
                    (Some("EmployeeBasic"), false, 45_000),
                ],
            };
            // Nine weeks apart, the later ones two weeks earlier so that no step falls in the
            // National Day holidays.
            let filed =
                monday + chrono::Duration::days(63 * k as i64 - if k >= 4 { 14 } else { 0 });
            let id = case_in(&o, inst, &lines, filed, k + 1);
            cases.push((id, filed + chrono::Duration::days(17)));
        }
        // An institution's form with one payment that never arrives; an insured person's paid
        // through the APP (recovered on arrival, no receipt).
        call(
            c,
            "self_correction.create",
            json!({"form_number": "ZC-1", "party_kind": "定点医药机构", "institution_id": inst,
                   "organizer": "医疗保障经办机构组织", "organizer_name": "某医保中心", "agency": "某医保中心",
                   "submitted_on": "2025-05-12", "contact": "刘某", "phone": "022-1",
                   "lines": [{"fund": "职工基本医保", "year_kind": "历年", "amount": "200"}],
                   "payments": [{"fund": "EmployeeBasic", "paid_on": "2025-05-12", "amount": "150", "voucher": "ZC-1"}]}),
        );
        let person = crate::common::InsuredBuilder::new()
            .scheme("居民")
            .phone("13800000000")
            .address("和平区")
            .create(c);
        call(
            c,
            "self_correction.create",
            json!({"form_number": "ZC-2", "party_kind": "参保人员", "insured_id": person, "scheme": "城乡居民基本医疗保险",
                   "amount": "356.80", "agency": "某医保中心", "submitted_on": "2025-09-15", "phone": "13800000000",
                   "payments": [{"paid_on": "2025-09-15", "amount": "356.80", "voucher": "APP-1", "method": "津医保APP", "arrived_on": "2025-09-16"}]}),
        );
        // An offset running on the second case from April 2025, deducted once: the months after it
        // miss their deduction while something is still owed.
        let (second, _) = cases[1];
        let plan = call(
            c,
            "offset.create",
            json!({"case_id": second, "notice_number": "抵-H", "requested_on": "2025-04-01", "approved_on": "2025-04-02"}),
        );
        call(
            c,
            "offset.deduct",
            json!({"plan_id": plan["id"], "fund": "EmployeeBasic", "month": "2025-04", "settled_on": "2025-04-30",
                   "settlement": "100.00"}),
        );
        let mut rng = Rng(0x5EED_0013);
        let mut payments: Vec<i64> = Vec::new();
        let mut receipts: Vec<i64> = Vec::new();
        let mut refunds: Vec<i64> = Vec::new();
        let mut plans: Vec<(i64, i64)> = Vec::new();
        let mut deductions: Vec<i64> = Vec::new();
        let mut done = 0usize;
        for n in 0..220usize {
            let day = chrono::NaiveDate::from_ymd_opt(2025, 2, 3).unwrap()
                + chrono::Duration::days(n as i64 * 3);
            let date = day.to_string();
            // The first two cases are kept out of the random sequence: the first is settled and
            // closed below, the second runs its offset.
            let open: Vec<i64> = cases
                .iter()
                .skip(2)
                .filter(|(_, d)| *d <= day)
                .map(|(id, _)| *id)
                .collect();
            if open.is_empty() {
                continue;
            }
            let case_id = open[rng.below(open.len() as u64) as usize];
            let pick = |v: &Vec<i64>, rng: &mut Rng| {
                v.get(rng.below(v.len().max(1) as u64) as usize).copied()
            };
            let r = match rng.below(16) {
                0..=3 => {
                    let fen = 20_000 + rng.below(200_000) as i64;
                    let mut p = json!({"case_id": case_id, "paid_on": date, "amount": Money::from_fen(fen).to_string(),
                                       "voucher": format!("V{n}"), "record_overpayment": rng.below(4) == 0});
                    if rng.below(2) == 0 {
                        p["fund"] = json!(fund(rng.below(2) == 0));
                    }
                    if rng.below(3) > 0 {
                        p["arrived_on"] = json!(date);
                    }
                    if rng.below(3) > 0 {
                        p["proof_received_on"] = json!(date);
                    }
                    c.call("payment.record", p).map(|v| payments.push(v["id"].as_i64().unwrap()))
                }
                4 => match pick(&payments, &mut rng) {
                    Some(p) => c.call("payment.confirm_arrival", json!({"id": p, "date": date})).map(|_| ()),
                    None => Ok(()),
                },
                5 => match pick(&payments, &mut rng) {
                    Some(p) => c.call("payment.proof_received", json!({"id": p, "date": date})).map(|_| ()),
                    None => Ok(()),
                },
                6 | 7 => match pick(&payments, &mut rng) {
                    Some(p) => c
                        .call("receipt.issue", json!({"payment_id": p, "receipt_number": format!("R{n}"), "issued_on": date}))
                        .map(|v| receipts.push(v["id"].as_i64().unwrap())),
                    None => Ok(()),
                },
                8 => match pick(&receipts, &mut rng) {
                    Some(r) => c.call("receipt.void", json!({"id": r, "date": date, "reason": "冲红"})).map(|_| ()),
                    None => Ok(()),
                },
                9 => match pick(&payments, &mut rng) {
                    Some(p) => c
                        .call("refund.request", json!({"payment_id": p, "amount": Money::from_fen(1_000 + rng.below(50_000) as i64).to_string(),
                                                       "reason": "错缴", "requested_on": date}))
                        .map(|v| refunds.push(v["id"].as_i64().unwrap())),
                    None => Ok(()),
                },
                10 => match pick(&refunds, &mut rng) {
                    Some(r) if rng.below(3) > 0 => c.call("refund.complete", json!({"id": r, "opinion": "同意", "date": date})).map(|_| ()),
                    Some(r) => c.call("refund.reject", json!({"id": r, "opinion": "不同意", "date": date})).map(|_| ()),
                    None => Ok(()),
                },
                11 => match pick(&payments, &mut rng) {
                    Some(p) => c.call("payment.cancel", json!({"id": p, "date": date, "reason": "退票"})).map(|_| ()),
                    None => Ok(()),
                },
                12 => c
                    .call("offset.create", json!({"case_id": case_id, "notice_number": format!("抵{n}"), "requested_on": date, "approved_on": date}))
                    .map(|v| plans.push((v["id"].as_i64().unwrap(), case_id))),
                13 => match plans.get(rng.below(plans.len().max(1) as u64) as usize).copied() {
                    Some((plan, _)) => c
                        .call("offset.deduct", json!({"plan_id": plan, "fund": fund(rng.below(2) == 0), "month": day.format("%Y-%m").to_string(),
                                                      "settled_on": date, "settlement": Money::from_fen(rng.below(300_000) as i64).to_string()}))
                        .map(|v| {
                            if let Some(d) = v["deductions"].as_array().and_then(|d| d.last()) {
                                deductions.push(d["id"].as_i64().unwrap());
                            }
                        }),
                    None => Ok(()),
                },
                14 => match pick(&deductions, &mut rng) {
                    Some(d) => c
                        .call("receipt.issue", json!({"deduction_id": d, "receipt_number": format!("D{n}"), "issued_on": date}))
                        .map(|_| ()),
                    None => Ok(()),
                },
                _ => c.call("case.close", json!({"case_id": case_id, "on": date})).map(|_| done += 1),
            };
            let _ = r;
        }
        // The oldest case: part paid in February 2025 (arrived two days later, receipted), the rest
        // in December, receipted, and closed — some months read it, the later ones do not.
        let (first, _) = cases[0];
        let p = call(
            c,
            "payment.record",
            json!({"case_id": first, "paid_on": "2025-02-10", "amount": "1000.00",
                                                 "voucher": "PART", "proof_received_on": "2025-02-10"}),
        );
        call(
            c,
            "payment.confirm_arrival",
            json!({"id": p["id"], "date": "2025-02-12"}),
        );
        call(
            c,
            "receipt.issue",
            json!({"payment_id": p["id"], "receipt_number": "R-PART", "issued_on": "2025-03-03"}),
        );
        let owed =
            call(c, "ledger.case", json!({"case_id": first}))["totals"]["outstanding"].clone();
        let p = call(
            c,
            "payment.record",
            json!({"case_id": first, "paid_on": "2025-12-01", "amount": owed, "voucher": "FULL",
                                                 "arrived_on": "2025-12-01", "proof_received_on": "2025-12-01"}),
        );
        call(
            c,
            "receipt.issue",
            json!({"payment_id": p["id"], "receipt_number": "R-FULL", "issued_on": "2025-12-02"}),
        );
        let closed = c
            .call("case.close", json!({"case_id": first, "on": "2025-12-03"}))
            .is_ok();
        // The ledger as of every month's end and a few days in between, read from the stored
        // balances and computed, the same.
        let mut dates = Vec::new();
        let mut day = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        while day <= chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() {
            dates.push(day.to_string());
            dates.push((day - chrono::Duration::days(12)).to_string());
            day = (day + chrono::Duration::days(1) + chrono::Months::new(1))
                - chrono::Duration::days(1);
        }
        same_ledger(c, &dates);
        let mut kinds = std::collections::BTreeSet::new();
        let mut month = chrono::NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
        while month <= chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() {
            let r = same_reconciliation(c, &month.format("%Y-%m").to_string());
            for x in r["mismatches"].as_array().unwrap() {
                kinds.insert(x["kind"].as_str().unwrap().to_string());
            }
            month = month + chrono::Months::new(1);
        }
        // The history met every named check at least once, and closures happened.
        eprintln!("mismatch kinds met: {kinds:?}; closed in the sequence: {done}, the first case: {closed}");
        for kind in [
            "NotArrived",
            "NotReceipted",
            "ProofMissing",
            "Overdue",
            "RefundPending",
            "CreditNotRefunded",
            "OffsetMissing",
        ] {
            assert!(kinds.contains(kind), "{kind} never met: {kinds:?}");
        }
        assert!(closed, "the first case closes in the middle of the history");
        assert_eq!(call(c, "audit.verify", json!({}))["ok"], json!(true));
    }
}
