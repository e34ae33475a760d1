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

    /// An agreement case with these lines (fund None → 5:5), decided 2026-01-20, due 2026-03-06,
    /// in an office with three officers (h, r, a).
    fn case(lines: &[(Option<&str>, bool, i64)]) -> (Office, i64) {
        let o = OfficeBuilder::new("120101", "天津市和平区医疗保障局")
            .level(None)
            .only(&[Post::Handler, Post::Reviewer, Post::Approver])
            .officer(Post::Handler, "h", "h", json!(["Handler"]))
            .officer(Post::Reviewer, "r", "r", json!(["Reviewer"]))
            .officer(Post::Approver, "a", "a", json!(["Approver"]))
            .open();
        let inst = InstitutionBuilder::new("H1", "某医院").create(&o.core);
        let mut case = CaseBuilder::agreement(&o, inst)
            .with(json!({"track": "Agreement", "source": "SettlementReview", "summary": "x"}))
            .filed("2026-01-05")
            .finding("x", "x", "0")
            .evidence("书证", "x", "2026-01-05");
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
            .notified_with("2026-01-12", json!({"document_number": "告1"}))
            .served_with("2026-01-13", json!({"recipient": "x"}))
            .waived_with("2026-01-14", json!({"kind": "Waiver", "summary": null}))
            .decided_with(
                "2026-01-20",
                json!({"kind": "AgreementDecision", "document_number": "决1", "payment_due": "2026-03-06"}),
            )
            .id;
        call(
            &o.core,
            "collection.set",
            json!({"case_id": case_id, "agency": "某医保中心", "issued_on": "2026-01-20"}),
        );
        (o, case_id)
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
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            5 => (proptest::option::of(any::<bool>()), 1i64..=2_000_000, any::<bool>(), prop::bool::weighted(0.8))
                .prop_map(|(fund, fen, over, arrive)| Op::Pay { fund, fen, over, arrive }),
            1 => (0usize..8).prop_map(Op::Cancel),
            2 => (0usize..8, 1i64..=1_500_000).prop_map(|(p, f)| Op::Refund(p, f)),
            1 => Just(Op::Offset),
            3 => (any::<bool>(), 0i64..=1_500_000).prop_map(|(f, fen)| Op::Deduct(f, fen)),
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
            ops in proptest::collection::vec(op(), 1..20),
        ) {
            let lines: Vec<(Option<&str>, bool, i64)> =
                lines.iter().map(|(f, cur, fen)| (f.map(fund), *cur, *fen)).collect();
            let (o, case_id) = case(&lines);
            let c = &o.core;
            let mut payments: Vec<i64> = Vec::new();
            let mut plan: Option<i64> = None;
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
            prop_assert_eq!(&call(&c, "audit.verify", json!({}))["ok"], &json!(true));
        }
    }
}
