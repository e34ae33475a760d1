//! Printed documents: every field comes back from `pdftotext`, fonts are embedded subsets, the
//! same inputs give the same bytes, batches report progress, missing glyphs are refused.
//!
//! Needs poppler-utils (`pdftotext`, `pdffonts`) and a CJK font (fonts-noto-cjk).

use std::process::Command;

use recoup::docs::samples;
use recoup::docs::templates::{self, DocumentKind, Templates};
use recoup::docs::*;
use recoup::Money;

fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    a.push(path.to_string_lossy().into_owned());
    if name == "pdftotext" {
        a.push("-".into());
    }
    let out = Command::new(name)
        .args(&a)
        .output()
        .unwrap_or_else(|e| panic!("{name} not installed: {e}"));
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Text of the PDF with all whitespace and page numbers removed, so wrapped fields join again.
fn text_of(pdf: &[u8]) -> String {
    let raw = tool("pdftotext", &["-raw", "-enc", "UTF-8"], pdf);
    let mut flat: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    // Page numbers "— n —" sit between the lines of a paragraph broken across pages.
    for n in 1..20 {
        flat = flat.replace(&format!("—{n}—"), "");
    }
    flat
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_fields(doc: &Document, fields: &[String]) {
    let out = render(doc, &RenderOptions::default())
        .unwrap_or_else(|e| panic!("{:?}: {}", doc.kind(), e.message));
    let text = text_of(&out.bytes);
    for f in fields {
        let f = squash(f);
        if f.is_empty() {
            continue;
        }
        assert!(
            text.contains(&f),
            "{:?}: field “{f}” not found in the PDF text:\n{text}",
            doc.kind()
        );
    }
}

fn line_fields(lines: &[RecoveryLine]) -> Vec<String> {
    let total: Money = lines.iter().map(|l| l.amount).sum();
    let mut v: Vec<String> = lines.iter().map(|l| l.amount.grouped()).collect();
    v.extend(lines.iter().map(|l| l.fund.label().to_string()));
    v.push(total.grouped());
    v.push(total.in_words());
    v
}

fn party_fields(p: &Party) -> Vec<String> {
    vec![p.name.clone()]
}

#[test]
fn refund_order_fields() {
    let d = samples::refund_order();
    let mut f = vec![
        d.issuer.clone(),
        "责令退款通知书".into(),
        d.document_number.clone(),
        cn_date(d.inspection_date),
        d.inspection_name.clone(),
        d.violated_provisions.clone(),
        d.legal_basis.clone(),
        cn_date(d.deadline),
        d.agency.name.clone(),
        d.contact.name.clone(),
        d.contact.phone.clone(),
        cn_date(d.issue_date),
    ];
    f.extend(d.findings.iter().cloned());
    f.extend(party_fields(&d.party));
    f.extend(line_fields(&d.lines));
    assert_fields(&Document::RefundOrder(d), &f);
}

#[test]
fn recovery_notice_fields() {
    let d = samples::recovery_notice();
    let mut f = vec![
        d.issuer.clone(),
        d.document_number.clone(),
        d.agency.name.clone(),
        cn_date(d.inspection_date),
        d.inspection_name.clone(),
        d.legal_basis.clone(),
        d.refund_order_number.clone(),
        cn_date(d.deadline),
        cn_date(d.report_deadline),
        d.contact.name.clone(),
        d.contact.phone.clone(),
        cn_date(d.issue_date),
    ];
    f.extend(d.findings.iter().cloned());
    f.extend(party_fields(&d.party));
    f.extend(line_fields(&d.lines));
    assert_fields(&Document::RecoveryNotice(d), &f);
}

#[test]
fn recovery_slip_fields_and_boxes() {
    let d = samples::recovery_slip();
    let fund = &d.funds[0];
    let total: Money = fund.lines.iter().map(|l| l.amount).sum();
    let mut f = vec![
        d.issuer.clone(),
        d.document_number.clone(),
        d.party.name.clone(),
        d.party.contact.clone(),
        d.party.phone.clone(),
        format!("{}前", cn_date(d.deadline)),
        d.handling_result.clone(),
        d.handler.name.clone(),
        cn_date(d.handler.date.unwrap()),
        d.reviewer.name.clone(),
        cn_date(d.reviewer.date.unwrap()),
        d.approver.opinion.clone(),
        d.reviewer.opinion.clone(),
        d.approver.name.clone(),
        cn_date(d.approver.date.unwrap()),
        fund.account.account_name.clone(),
        fund.account.bank.clone(),
        fund.account.account_number.clone(),
        fund.account.bank_code.clone(),
        format!("¥{}", total.grouped()),
        total.in_words(),
        d.agency.name.clone(),
        d.agency.address.clone(),
        "本文书一式3份".into(),
        // Checked boxes print □ with ✓ over it; unchecked ones a bare □.
        "□✓监督检查".into(),
        "□协议管理".into(),
        "□✓定点医药机构".into(),
        "□参保人员".into(),
        "□✓银行缴款/转账汇款".into(),
        "□抵扣结算基金".into(),
        "□✓职工基本医保".into(),
        "□居民基本医保".into(),
    ];
    f.extend(fund.lines.iter().map(|l| l.amount.grouped()));
    let doc = Document::RecoverySlip(d);
    assert_fields(&doc, &f);
    // 004 附件1 is one page.
    assert_eq!(render(&doc, &RenderOptions::default()).unwrap().pages, 1);
}

fn decision_fields(d: &DecisionData) -> Vec<String> {
    let mut f = vec![
        d.issuer.clone(),
        d.document_number.clone(),
        d.party.name.clone(),
        d.party.address.clone(),
        d.party.credit_code.clone(),
        d.party.legal_representative.clone(),
        cn_date(d.inspection_date),
        d.inspection_name.clone(),
        d.violated_provisions.clone(),
        d.legal_basis.clone(),
        cn_date(d.deadline.expect("the sample decision has a deadline")),
        d.agency.name.clone(),
        // 行政处罚法 art. 59 (五): appeal to the county people's government, lawsuit to the court.
        format!("六十日内向{}申请行政复议", d.government),
        format!("六个月内直接向{}提起行政诉讼", d.court),
        // No reply in time: the decision says so (行政处罚法 art. 44, 45).
        "在法定期限内未提出陈述、申辩意见".into(),
        cn_date(d.issue_date),
    ];
    f.extend(d.facts.iter().cloned());
    f.extend(d.evidence.iter().cloned());
    f.extend(line_fields(&d.lines));
    f
}

#[test]
fn decisions_carry_article_59_items() {
    let d = samples::decision();
    let mut f = decision_fields(&d);
    let fine = d.fine.clone().unwrap();
    f.push(fine.amount.grouped());
    f.push(fine.amount.in_words());
    f.push("1.5倍".into());
    f.push(d.fine_payment.clone());
    f.push("行政处罚决定书".into());
    assert_fields(&Document::PenaltyDecision(d), &f);

    let mut h = samples::handling_decision();
    h.statement_summary = "当事人在法定期限内提出陈述、申辩意见，称系工作人员操作失误。经复核，其陈述的事实不能成立，不予采纳。".into();
    h.other_measures = vec!["责令限期整改，并于2026年6月30日前报送整改报告".into()];
    let mut f = decision_fields(&h);
    f.retain(|x| x != "在法定期限内未提出陈述、申辩意见");
    f.push(h.statement_summary.clone());
    f.push(h.other_measures[0].clone());
    f.push("行政处理决定书".into());
    assert_fields(&Document::HandlingDecision(h), &f);
}

#[test]
fn self_refund_forms_fields_and_digit_boxes() {
    let d = samples::self_refund_institution();
    let emp = d.employee.clone().unwrap();
    let f = vec![
        d.institution_name.clone(),
        d.institution_code.clone(),
        "□✓医疗保障行政部门组织的自查自纠，组织部门名称：某某县医疗保障局".into(),
        "□医疗保障经办机构组织的自查自纠".into(),
        "□自行开展的自查自纠".into(),
        d.employee_account.account_name.clone(),
        d.employee_account.bank.clone(),
        d.employee_account.bank_code.clone(),
        d.agency.name.clone(),
        d.contact.clone(),
        d.phone.clone(),
        emp.prior_years.unwrap().grouped(),
        emp.outpatient.unwrap().grouped(),
        emp.total().in_words(),
        // Per-digit boxes of 4,686.75: ¥ in the box before the first digit.
        "¥468675".into(),
        d.employee_account.account_number.clone(),
        d.resident_account.account_number.clone(),
        d.resident_account.bank.clone(),
        // The resident section is marked 不涉及此项.
        "□✓不涉及此项".into(),
    ];
    assert_fields(&Document::SelfRefundInstitution(d), &f);

    let d = samples::self_refund_insured();
    let f = vec![
        d.name.clone(),
        d.id_number.clone(),
        "□✓居民基本医疗保险".into(),
        "□职工基本医疗保险".into(),
        "¥230640".into(),
        "贰叁零陆肆零".into(),
        d.agent.clone().unwrap().name,
        d.agent.clone().unwrap().id_number,
        d.phone.clone(),
        "□✓转账汇款".into(),
        "□银行临柜现金缴款".into(),
        d.resident_account.account_name.clone(),
        d.resident_account.account_number.clone(),
        d.agency.name.clone(),
    ];
    assert_fields(&Document::SelfRefundInsured(d), &f);
}

#[test]
fn offset_statement_and_receipt_fields() {
    let d = samples::offset_notice();
    let mut f = vec![
        d.issuer.clone(),
        d.document_number.clone(),
        d.slip_number.clone(),
        cn_date(d.application_date),
        format!("自{}年{}月起", d.start_year, d.start_month),
        "直至足额抵扣".into(),
        cn_date(d.issue_date),
        d.contact.name.clone(),
        d.contact.phone.clone(),
    ];
    f.extend(party_fields(&d.party));
    f.extend(line_fields(&d.lines));
    assert_fields(&Document::OffsetNotice(d), &f);

    let d = samples::statement_notice();
    let mut f = vec![
        d.issuer.clone(),
        d.document_number.clone(),
        cn_date(d.inspection_date),
        d.inspection_name.clone(),
        d.violated_provisions.clone(),
        d.legal_basis.clone(),
        format!("{}个工作日内向我局提出陈述、申辩意见", d.reply_days),
        format!("{}个工作日内向我局提出", d.hearing_days.unwrap()),
        d.contact.name.clone(),
        d.contact.phone.clone(),
        d.contact.address.clone(),
        cn_date(d.issue_date),
        d.fine.clone().unwrap().amount.grouped(),
    ];
    f.extend(d.findings.iter().cloned());
    f.extend(line_fields(&d.lines));
    assert_fields(&Document::StatementNotice(d.clone()), &f);
    // Without a hearing the hearing paragraph is left out.
    let mut no_hearing = d;
    no_hearing.hearing_days = None;
    let text = text_of(
        &render(
            &Document::StatementNotice(no_hearing),
            &RenderOptions::default(),
        )
        .unwrap()
        .bytes,
    );
    assert!(!text.contains("听证"));

    let d = samples::service_receipt();
    let f = vec![
        d.issuer.clone(),
        "送达回证".into(),
        d.documents[0].title.clone(),
        d.documents[0].document_number.clone(),
        d.recipient.clone(),
        d.place.clone(),
        d.method.clone(),
        d.servers[0].clone(),
        d.servers[1].clone(),
    ];
    assert_fields(&Document::ServiceReceipt(d), &f);
}

#[test]
fn fonts_are_embedded_subsets() {
    for doc in samples::all() {
        let out = render(&doc, &RenderOptions::default()).unwrap();
        let listing = tool("pdffonts", &[], &out.bytes);
        let rows: Vec<&str> = listing.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{:?}: no fonts", doc.kind());
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type… encoding emb sub uni object ID
            let n = cols.len();
            assert_eq!(
                &cols[n - 5..n - 2],
                &["yes", "yes", "yes"],
                "{:?}: font not an embedded subset: {row}",
                doc.kind()
            );
            assert!(
                cols[0].contains('+'),
                "{:?}: subset tag missing: {row}",
                doc.kind()
            );
        }
    }
}

#[test]
fn same_inputs_same_bytes() {
    let doc = Document::RefundOrder(samples::refund_order());
    let a = render(&doc, &RenderOptions::default()).unwrap();
    let _other = render(
        &Document::ServiceReceipt(samples::service_receipt()),
        &RenderOptions::default(),
    )
    .unwrap();
    let b = render(&doc, &RenderOptions::default()).unwrap();
    assert_eq!(a.bytes, b.bytes);
    // The faces' cuts and compressed programs are kept for the next notices (docs::CUTS): after
    // every other kind has been printed (and the notice's cuts made anew) the bytes are the same.
    for other in samples::all() {
        render(&other, &RenderOptions::default()).unwrap();
    }
    let c = render(&doc, &RenderOptions::default()).unwrap();
    assert_eq!(a.bytes, c.bytes);
    let mut changed = samples::refund_order();
    changed.party.name.push('甲');
    let d = render(&Document::RefundOrder(changed), &RenderOptions::default()).unwrap();
    assert_ne!(a.bytes, d.bytes);
}

#[test]
fn typical_notice_is_small() {
    let out = render(
        &Document::RefundOrder(samples::refund_order()),
        &RenderOptions::default(),
    )
    .unwrap();
    assert_eq!(out.pages, 2);
    assert!(out.bytes.len() <= 80 * 1024, "{} bytes", out.bytes.len());
}

#[test]
fn batch_reports_progress_and_numbers_each_notice() {
    let docs: Vec<Document> = samples::all();
    let singles: usize = docs
        .iter()
        .map(|d| render(d, &RenderOptions::default()).unwrap().pages)
        .sum();
    let mut seen = Vec::new();
    let out = render_batch(&docs, &RenderOptions::default(), &mut |done, total| {
        seen.push((done, total));
        Ok(())
    })
    .unwrap();
    assert_eq!(out.pages, singles);
    assert_eq!(seen.len(), docs.len() + 1);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(seen.last().unwrap().0, seen.last().unwrap().1);
    let text = text_of(&out.bytes);
    for d in &docs {
        if let Document::RefundOrder(r) = d {
            assert!(text.contains(&squash(&r.document_number)));
        }
    }
    // Duplex: every notice starts on a front side.
    let duplex = RenderOptions {
        duplex: true,
        ..Default::default()
    };
    let even: usize = docs
        .iter()
        .map(|d| {
            render(d, &RenderOptions::default())
                .unwrap()
                .pages
                .div_ceil(2)
                * 2
        })
        .sum();
    assert_eq!(
        render_batch(&docs, &duplex, &mut |_, _| Ok(()))
            .unwrap()
            .pages,
        even
    );
    // A batch cancelled half-way (the UI's 取消打印: the job's step fails) stops there with that
    // error: nothing is written, and no later notice is laid out.
    let mut laid = 0;
    let e = render_batch(&docs, &RenderOptions::default(), &mut |done, _| {
        laid = done;
        if done == 2 {
            Err(recoup::ApiError::new(
                recoup::ErrorCode::Cancelled,
                "已取消批量打印",
            ))
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert_eq!((e.code, laid), (recoup::ErrorCode::Cancelled, 2));
    // An error names the notice it comes from.
    let mut bad = docs.clone();
    if let Document::RefundOrder(r) = &mut bad[0] {
        r.party.name.clear();
    }
    let err = render_batch(&bad, &RenderOptions::default(), &mut |_, _| Ok(())).unwrap_err();
    assert!(err.message.starts_with("第1份文书"), "{}", err.message);
}

#[test]
fn missing_glyphs_are_reported_never_boxed() {
    let mut d = samples::refund_order();
    d.party.name = "某某县\u{10FFFD}医院".into();
    let doc = Document::RefundOrder(d);
    assert_eq!(
        check_glyphs(&doc, &RenderOptions::default()).unwrap(),
        vec!['\u{10FFFD}']
    );
    let err = render(&doc, &RenderOptions::default()).unwrap_err();
    assert_eq!(err.code, recoup::ErrorCode::Validation);
    assert!(err.message.contains("U+10FFFD"), "{}", err.message);
    let opts = RenderOptions {
        missing_glyphs: MissingGlyphs::Omit,
        ..Default::default()
    };
    let out = render(&doc, &opts).unwrap();
    assert_eq!(out.missing_glyphs, vec!['\u{10FFFD}']);
    let text = text_of(&out.bytes);
    assert!(text.contains("某某县医院"));
    assert!(!text.contains('\u{FFFD}'));
}

#[test]
fn per_character_fallback_finds_rare_characters() {
    // 䶮 (U+4DAE, CJK Ext. A) is in Noto CJK; the Hei role may come from another face than the body.
    let mut d = samples::refund_order();
    d.party.name = "某某县䶮记诊所".into();
    let out = render(&Document::RefundOrder(d), &RenderOptions::default()).unwrap();
    assert!(out.missing_glyphs.is_empty());
    assert!(text_of(&out.bytes).contains("某某县䶮记诊所"));
}

#[test]
fn characters_beyond_the_bmp_print_and_read_back() {
    // 𠮷 (U+20BB7, CJK Ext. B) is written with two UTF-16 units: the cut face maps it through a
    // format 12 cmap and the ToUnicode map gives it back.
    let mut d = samples::refund_order();
    d.party.name = "某某县𠮷记诊所".into();
    let out = render(&Document::RefundOrder(d), &RenderOptions::default()).unwrap();
    assert!(out.missing_glyphs.is_empty());
    assert!(text_of(&out.bytes).contains("某某县𠮷记诊所"));
}

#[test]
fn truetype_faces_embed_as_subsets_too() {
    // 楷体 headings （一） come from LXGW WenKai, a TrueType font (fonts-lxgw-wenkai), the body
    // from the CFF Noto Serif: both kinds of outline are cut, handed to printpdf, embedded as
    // subsets and read back as text.
    use recoup::docs::layout::Block;
    let blocks = vec![
        Block::heading2("（一）关于住院费用的核查情况"),
        Block::body("经核查，该院超标准收取护理费共计1,306.00元。"),
    ];
    let out = render_blocks(&blocks, Geometry::default(), "楷体标题").unwrap();
    let listing = tool("pdffonts", &[], &out.bytes);
    assert!(
        listing.contains("CID TrueType") && listing.contains("LXGWWenKai"),
        "{listing}"
    );
    assert!(listing.contains("CID Type 0C"), "{listing}");
    for row in listing.lines().skip(2) {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "{row}");
        assert!(cols[0].contains('+'), "subset tag missing: {row}");
    }
    let text = text_of(&out.bytes);
    assert!(text.contains("（一）关于住院费用的核查情况"), "{text}");
    assert!(text.contains("超标准收取护理费共计1,306.00元。"), "{text}");
}

#[test]
fn office_templates_are_used_and_checked() {
    let mut t = Templates::default();
    t.set(
        DocumentKind::RefundOrder,
        "请{party_you}于{deadline}前退回人民币{amount_words}（¥{amount}），明细见下表。".into(),
    )
    .unwrap();
    let opts = RenderOptions {
        templates: t,
        ..Default::default()
    };
    let d = samples::refund_order();
    let text = text_of(
        &render(&Document::RefundOrder(d.clone()), &opts)
            .unwrap()
            .bytes,
    );
    assert!(text.contains(&format!("请你单位于{}前退回人民币", cn_date(d.deadline))));
    assert!(!text.contains("逾期不退回的"));

    let mut t = Templates::default();
    let err = t
        .set(DocumentKind::RefundOrder, "请{party_nmae}退款".into())
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("template"));
    assert!(err.message.contains("{party_nmae}"), "{}", err.message);
    assert!(t
        .set(DocumentKind::RefundOrder, "未闭合{party_name".into())
        .is_err());
    assert!(t.set(DocumentKind::RefundOrder, "多余}".into()).is_err());
    assert!(t
        .set(DocumentKind::RefundOrder, "字面量{{括号}}".into())
        .is_ok());
    for k in DocumentKind::ALL {
        templates::validate(k, default_template(k))
            .unwrap_or_else(|e| panic!("{k:?}: {}", e.message));
    }
}

#[test]
fn document_numbers() {
    assert_eq!(
        format_document_number("某医保追", 2026, 12, NumberStyle::Plain).unwrap(),
        "某医保追〔2026〕12号"
    );
    assert_eq!(
        format_document_number("某医保追", 2026, 12, NumberStyle::Di).unwrap(),
        "某医保追〔2026〕第12号"
    );
    assert_eq!(
        format_document_number(" 某医保罚决 ", 2026, 3, NumberStyle::Plain).unwrap(),
        "某医保罚决〔2026〕3号"
    );
    assert_eq!(
        format_document_number("某医保追", 2026, 0, NumberStyle::Plain)
            .unwrap_err()
            .field
            .as_deref(),
        Some("seq")
    );
    assert!(format_document_number("", 2026, 1, NumberStyle::Plain).is_err());
    assert!(format_document_number("某医保〔追", 2026, 1, NumberStyle::Plain).is_err());
    assert!(format_document_number("某医保追", 26, 1, NumberStyle::Plain).is_err());
    assert_eq!(
        format_document_number("某医保罚决", 2026, 3, NumberStyle::Di).unwrap(),
        "某医保罚决〔2026〕第3号"
    );
}

#[test]
fn digit_boxes_follow_the_form() {
    let b = digit_boxes(Money::parse("4686.75").unwrap(), false).unwrap();
    assert_eq!(b.join("|"), "||||¥|4|6|8|6|7|5");
    let b = digit_boxes(Money::parse("0.05").unwrap(), false).unwrap();
    assert_eq!(b.join("|"), "|||||||¥|0|0|5");
    let b = digit_boxes(Money::parse("100200300.40").unwrap(), false).unwrap();
    assert_eq!(b.join("|"), "1|0|0|2|0|0|3|0|0|4|0");
    let w = digit_boxes(Money::parse("2306.40").unwrap(), true).unwrap();
    assert_eq!(w.join("|"), "|||||贰|叁|零|陆|肆|零");
    assert!(digit_boxes(Money::parse("1000000000").unwrap(), false).is_err());
}

#[test]
fn validation_of_inputs() {
    let mut s = samples::recovery_slip();
    s.reviewer.name = s.handler.name.clone();
    let e = render(&Document::RecoverySlip(s), &RenderOptions::default()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("handler"));

    let mut d = samples::decision();
    d.fine.as_mut().unwrap().amount = Money::parse("1.00").unwrap();
    let e = render(&Document::PenaltyDecision(d), &RenderOptions::default()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("fine"));

    let mut d = samples::decision();
    d.party.address.clear();
    assert_eq!(
        render(&Document::PenaltyDecision(d), &RenderOptions::default())
            .unwrap_err()
            .field
            .as_deref(),
        Some("party.address")
    );

    let mut d = samples::decision();
    d.government = "某某市医疗保障局".into(); // since 2024 the 复议机关 is the people's government
    assert_eq!(
        render(&Document::PenaltyDecision(d), &RenderOptions::default())
            .unwrap_err()
            .field
            .as_deref(),
        Some("government")
    );

    let mut o = samples::refund_order();
    o.deadline = o.issue_date;
    assert_eq!(
        render(&Document::RefundOrder(o), &RenderOptions::default())
            .unwrap_err()
            .field
            .as_deref(),
        Some("deadline")
    );

    let mut r = samples::service_receipt();
    r.servers.truncate(1);
    assert_eq!(
        render(&Document::ServiceReceipt(r), &RenderOptions::default())
            .unwrap_err()
            .field
            .as_deref(),
        Some("servers")
    );

    let mut o = samples::refund_order();
    o.lines[2].category = Some(ExpenseCategory::Inpatient); // a 历年 line with a category
    assert!(render(&Document::RefundOrder(o), &RenderOptions::default()).is_err());
}

#[test]
fn documents_round_trip_through_json() {
    for doc in samples::all() {
        let json = serde_json::to_string(&doc).unwrap();
        let back: Document = serde_json::from_str(&json).unwrap();
        assert_eq!(back, doc);
    }
}
