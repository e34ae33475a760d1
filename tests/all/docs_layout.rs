//! Layout engine properties, checked on the engine's own placed-box output (not by parsing the
//! PDF): every glyph run stays inside its text block or table cell, no line starts with closing
//! punctuation or ends with an opening one, tables repeat their header on every page, the
//! signature block is never alone on a page, page numbers alternate sides.

use proptest::prelude::*;

use recoup::docs::layout::{no_line_end, no_line_start, Geometry, Laid, PlacedRun};
use recoup::docs::samples;
use recoup::docs::templates::{DocumentKind, Templates};
use recoup::docs::*;
use recoup::Money;

fn opts() -> RenderOptions {
    RenderOptions::default()
}

fn assert_inside(laid: &Laid, what: &str) {
    let g = Geometry::default();
    assert!(
        laid.missing.is_empty(),
        "{what}: missing glyphs {:?}",
        laid.missing
    );
    for r in &laid.runs {
        assert!(
            r.container.contains(&r.bounds, 0.6),
            "{what}: run “{}” {:?} leaves its box {:?}",
            r.text,
            r.bounds,
            r.container
        );
        assert!(
            r.bounds.x0 >= g.left - 0.6 && r.bounds.x1 <= g.left + g.block_w + 0.6,
            "{what}: run “{}” outside the text block",
            r.text
        );
        assert!(r.page < laid.pages);
    }
}

/// Lines = runs grouped by page, container and baseline, in x order.
fn lines(laid: &Laid) -> Vec<Vec<&PlacedRun>> {
    let mut map: std::collections::BTreeMap<(usize, i64, i64, i64), Vec<&PlacedRun>> =
        Default::default();
    for r in &laid.runs {
        let key = (
            r.page,
            (r.container.y0 * 10.0) as i64,
            (r.container.x0 * 10.0) as i64,
            (r.baseline * 10.0) as i64,
        );
        map.entry(key).or_default().push(r);
    }
    map.into_values()
        .map(|mut v| {
            v.sort_by(|a, b| a.x.partial_cmp(&b.x).unwrap());
            v
        })
        .collect()
}

fn assert_kinsoku(laid: &Laid, what: &str) {
    for line in lines(laid) {
        let text: String = line.iter().map(|r| r.text.as_str()).collect();
        let text = text.replace('✓', "");
        let first = text.chars().next().unwrap();
        let last = text.chars().last().unwrap();
        // A line made of a single character may be forced (a too-narrow cell).
        if text.chars().count() > 1 {
            assert!(
                !no_line_start(first),
                "{what}: line starts with “{first}”: {text}"
            );
            assert!(
                !no_line_end(last),
                "{what}: line ends with “{last}”: {text}"
            );
        }
    }
}

/// Text of CJK characters, Latin words, digits and lots of punctuation.
fn messy_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(vec!["医", "保", "基", "金", "违", "规", "使", "用", "县", "人", "民", "医", "院", "诊", "所", "药", "房"]).prop_map(str::to_string),
            2 => prop::sample::select(vec!["，", "。", "、", "；", "：", "）", "（", "《", "》", "“", "”", "——", "……", "！", "？"]).prop_map(str::to_string),
            1 => "[A-Z]{1,8}",
            1 => "[0-9]{1,12}",
            1 => Just("HIS-2026/04-XYZ".to_string()),
        ],
        1..max,
    )
    // A text that itself starts with a closing mark (or ends with an opening one) cannot obey the
    // rule on its first (last) line; real names and sentences do not, so neither do these.
    .prop_map(|v| format!("县{}院", v.concat()))
}

fn amount() -> impl Strategy<Value = Money> {
    // Up to the largest amount Recoup accepts (9,999亿…).
    (0i64..=99_999_999_999_999).prop_map(Money::from_fen)
}

fn lines_strategy(max: usize) -> impl Strategy<Value = Vec<RecoveryLine>> {
    prop::collection::vec(
        (
            amount(),
            prop::sample::select(SLIP_FUNDS.to_vec()),
            prop::option::of(prop::sample::select(EXPENSE_CATEGORIES.to_vec())),
        ),
        1..max,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(amount, fund, cat)| RecoveryLine {
                fund,
                year: if cat.is_some() {
                    YearKind::CurrentYear
                } else {
                    YearKind::PriorYears
                },
                category: cat,
                amount,
            })
            .collect()
    })
}

proptest! {
    // 96 cases by default; PROPTEST_CASES=2000 for a longer hunt.
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(96), ..ProptestConfig::default() })]

    #[test]
    fn refund_order_stays_in_its_boxes(name in messy_text(120), address in messy_text(200), findings in prop::collection::vec(messy_text(160), 1..6), lines in lines_strategy(60)) {
        let mut d = samples::refund_order();
        // Long issuers wrap the 2号 title into balanced centred lines.
        d.issuer = format!("{}医疗保障局", &name[..name.char_indices().nth(40).map(|(i, _)| i).unwrap_or(name.len())]);
        d.party.name = name;
        d.party.address = address;
        d.findings = findings;
        d.lines = lines;
        let n_lines = d.lines.len();
        let laid = layout_document(&Document::RefundOrder(d.clone()), &opts()).unwrap();
        assert_inside(&laid, "refund order");
        assert_kinsoku(&laid, "refund order");
        // Every page with table rows starts its table part with the header row.
        let mut pages_with_rows = std::collections::BTreeSet::new();
        let mut pages_with_header = std::collections::BTreeSet::new();
        for r in &laid.runs {
            let in_table = r.container.x1 - r.container.x0 < 150.0;
            if in_table { pages_with_rows.insert(r.page); }
            if r.text == "序号" { pages_with_header.insert(r.page); }
        }
        prop_assert_eq!(&pages_with_rows, &pages_with_header);
        // Every amount line is printed once (row numbers 1..=n).
        for i in 1..=n_lines {
            let s = i.to_string();
            prop_assert!(laid.runs.iter().any(|r| r.text == s));
        }
        // The signature's date is not alone on its page.
        let date = cn_date(d.issue_date);
        let sig = laid.runs.iter().find(|r| r.text == date).expect("date printed");
        let others = laid.runs.iter().filter(|r| r.page == sig.page && r.text != date && r.text != d.issuer && !r.text.starts_with("— ")).count();
        prop_assert!(others > 0, "signature alone on page {}", sig.page + 1);
    }

    #[test]
    fn slip_and_forms_stay_in_their_cells(name in messy_text(80), address in messy_text(120), result in messy_text(900), amounts in prop::collection::vec(amount(), 5)) {
        let mut s = samples::recovery_slip();
        s.party.name = name.clone();
        s.agency.address = address;
        s.handling_result = result;
        s.funds[0].lines = EXPENSE_CATEGORIES.iter().zip(&amounts).map(|(c, a)| RecoveryLine { fund: Fund::EmployeeBasic, year: YearKind::CurrentYear, category: Some(*c), amount: *a }).collect();
        let laid = layout_document(&Document::RecoverySlip(s), &opts()).unwrap();
        assert_inside(&laid, "slip");
        assert_kinsoku(&laid, "slip");

        let mut f = samples::self_refund_institution();
        f.institution_name = name.clone();
        // Within the form's 11 digits together with the sample's other amounts.
        let small = Money::from_fen(amounts[0].fen() % 10_000_000_000);
        f.employee.as_mut().unwrap().inpatient = Some(small);
        let laid = layout_document(&Document::SelfRefundInstitution(f), &opts()).unwrap();
        assert_inside(&laid, "self refund (institution)");

        let mut p = samples::self_refund_insured();
        p.name = name;
        p.amount = small;
        let laid = layout_document(&Document::SelfRefundInsured(p), &opts()).unwrap();
        assert_inside(&laid, "self refund (insured)");
    }

    #[test]
    fn decisions_stay_in_their_boxes(facts in prop::collection::vec(messy_text(200), 1..12), address in messy_text(150), lines in lines_strategy(30)) {
        let mut d = samples::decision();
        d.facts = facts;
        d.party.address = address;
        let total: Money = lines.iter().map(|l| l.amount).sum();
        d.lines = lines;
        d.fine = Some(FineData { multiple: Some(rust_decimal::Decimal::new(2, 0)), amount: total.times(rust_decimal::Decimal::new(2, 0)) });
        let laid = layout_document(&Document::PenaltyDecision(d), &opts()).unwrap();
        assert_inside(&laid, "decision");
        assert_kinsoku(&laid, "decision");
    }
}

#[test]
fn a_cell_longer_than_a_page_is_cut_at_line_boundaries() {
    let mut s = samples::recovery_slip();
    s.handling_result =
        "经查，该院存在将不符合住院指征的参保人员收治入院、违规结算住院费用等问题。".repeat(60);
    let doc = Document::RecoverySlip(s);
    let laid = layout_document(&doc, &opts()).unwrap();
    assert!(laid.pages >= 2);
    assert_inside(&laid, "tall cell");
    // Every character of the long text is still printed (题 occurs once per repetition).
    let text: String = laid.runs.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(text.chars().filter(|c| *c == '题').count(), 60);
    assert!(render(&doc, &opts()).unwrap().pages >= 2);
}

#[test]
fn page_numbers_alternate_sides() {
    let mut d = samples::decision();
    d.facts = (0..30)
        .map(|i| {
            format!("第{i}项违法违规行为的详细描述，涉及多名参保人员的住院费用结算和药品耗材串换")
        })
        .collect();
    let laid = layout_document(&Document::PenaltyDecision(d), &opts()).unwrap();
    assert!(laid.pages >= 3);
    let g = Geometry::default();
    let mid = g.page_w / 2.0;
    for p in 0..laid.pages {
        let label = format!("— {} —", p + 1);
        let r = laid
            .runs
            .iter()
            .find(|r| r.page == p && r.text == label)
            .unwrap_or_else(|| panic!("no page number on page {}", p + 1));
        // GB/T 9704 §7.5: 4号 (14 pt), 7 mm below the text block, right on odd pages, left on even.
        assert_eq!(r.size, 14.0);
        assert!(r.baseline > g.top + g.block_h + 7.0 * 72.0 / 25.4);
        if (p + 1) % 2 == 1 {
            assert!(r.x > mid);
        } else {
            assert!(r.x < mid);
        }
    }
}

#[test]
fn body_lines_are_justified_on_the_grid() {
    let laid = layout_document(&Document::RefundOrder(samples::refund_order()), &opts()).unwrap();
    let g = Geometry::default();
    // Full body lines (16 pt, text block) end at the right edge of the block.
    let right = g.left + g.block_w;
    let mut full = 0;
    for line in lines(&laid) {
        let first = line[0];
        if first.size != 16.0 || first.container.x1 - first.container.x0 < g.block_w - 1.0 {
            continue;
        }
        let end = line.iter().map(|r| r.bounds.x1).fold(0.0f32, f32::max);
        if (end - right).abs() < 0.6 {
            full += 1;
        }
    }
    assert!(full >= 8, "only {full} justified lines");
    // 22 lines per page: baselines of consecutive body lines are 225 mm / 22 apart.
    let mut ys: Vec<f32> = laid
        .runs
        .iter()
        .filter(|r| r.page == 0 && r.size == 16.0)
        .map(|r| r.baseline)
        .collect();
    ys.sort_by(|a, b| a.partial_cmp(b).unwrap());
    ys.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    let pitch = g.block_h / 22.0;
    assert!(ys.windows(2).any(|w| ((w[1] - w[0]) - pitch).abs() < 0.01));
    // Body lines above the first table sit on the grid lines, below the (taller) title lines.
    let table_top = laid
        .runs
        .iter()
        .filter(|r| r.page == 0 && r.container.x1 - r.container.x0 < g.block_w - 1.0)
        .map(|r| r.container.y0)
        .fold(f32::MAX, f32::min);
    let on_grid: Vec<f32> = ys.iter().copied().filter(|y| *y < table_top).collect();
    assert!(on_grid.len() >= 8);
    for y in on_grid {
        let k = (y - g.top - (pitch / 2.0 + 0.38 * 16.0)) / pitch;
        assert!(
            (k - k.round()).abs() < 0.01,
            "baseline {y} is off the grid (line {k})"
        );
    }
}

#[test]
fn title_and_headings_use_their_fonts() {
    let laid = layout_document(&Document::PenaltyDecision(samples::decision()), &opts()).unwrap();
    let fonts = FontSet::global();
    let title = laid
        .runs
        .iter()
        .find(|r| r.text.contains("行政处罚决定书"))
        .unwrap();
    assert_eq!(title.size, 22.0);
    assert_eq!(title.face, fonts.primary(FontRole::Title).unwrap().slot);
    let heading = laid
        .runs
        .iter()
        .find(|r| r.text.starts_with("一、违法事实和证据"))
        .unwrap();
    assert_eq!(heading.face, fonts.primary(FontRole::Hei).unwrap().slot);
    let body = laid
        .runs
        .iter()
        .find(|r| r.text.contains("上述事实有以下证据证明"))
        .unwrap();
    assert_eq!(body.face, fonts.primary(FontRole::FangSong).unwrap().slot);

    // An office template with second-level headings: （一） lines are set in 楷体.
    let mut t = Templates::default();
    t.set(
        DocumentKind::PenaltyDecision,
        "一、违法事实和证据\n（一）违法事实\n#facts\n（二）证据\n#evidence".into(),
    )
    .unwrap();
    let opts = RenderOptions {
        templates: t,
        ..Default::default()
    };
    let laid = layout_document(&Document::PenaltyDecision(samples::decision()), &opts).unwrap();
    let kai = laid
        .runs
        .iter()
        .find(|r| r.text == "（一）违法事实")
        .expect("heading printed");
    assert_eq!(kai.face, fonts.primary(FontRole::Kai).unwrap().slot);
    // List items with sentences stay in the body font.
    let item = laid
        .runs
        .iter()
        .find(|r| r.text.starts_with("（一）2025年"))
        .unwrap();
    assert_eq!(item.face, fonts.primary(FontRole::FangSong).unwrap().slot);
}
