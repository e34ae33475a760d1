//! Issuing documents from a case through the API (`document.preview|issue|print|list`): numbers
//! per kind and year, the PDF text, byte-identical reprints, the audit trail.

use recoup::ErrorCode;
use serde_json::json;

use crate::common::*;

#[test]
fn documents_are_numbered_once_registered_for_service_and_reprinted_byte_identical() {
    // 天津市和平区 with three officers (handler, reviewer, approver) and an agreement case.
    let o = OfficeBuilder::tianjin()
        .only(&[Post::Handler, Post::Reviewer, Post::Approver])
        .open();
    let c = &o.core;
    let inst = o.institution_with(
        "H12010100001",
        "和平区某某医院",
        json!({"contact_person": "孙七"}),
    );
    let case = CaseBuilder::agreement(&o, inst)
        .filed("2026-01-05")
        .finding("虚记住院费用", "服务协议第二十条", "0")
        .evidence("电子数据", "结算数据导出", "2026-01-05")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "12345.67"}))
        .line(json!({"fund": "职工基本医保", "year_kind": "历年", "amount_due": "1000"}));
    let case_id = case.id;

    // Refusals change nothing: an unknown case, and a 责令退款通知书 before the decision (000 附件1,
    // 004 art. 8: the amounts and the 缴费时限 are those of the decision).
    let e = refuse(
        c,
        "document.issue",
        json!({"case_id": 999, "kind": "RefundOrder", "issued_on": "2026-02-01"}),
    );
    assert_eq!(e.field.as_deref(), Some("case_id"));
    let e = refuse(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "RefundOrder", "issued_on": "2026-02-01"}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep, "{e:?}");
    assert!(e.message.contains("尚未作出处理决定"), "{}", e.message);
    let e = refuse(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-02-01"}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep, "{e:?}");

    // Notify, serve, waive, decide (004 art. 8: with the 缴费时限).
    case.notified_with(
        "2026-02-02",
        json!({"document_number": "和医保协告〔2026〕1号"}),
    )
    .served("2026-02-03")
    .waived("2026-02-04")
    .decided_with(
        "2026-02-10",
        json!({"document_number": "和医保协决〔2026〕1号", "payment_due": "2026-03-10"}),
    );

    // An agreement case gets the agency's 追回通知单, not the bureau's 责令退款通知书 (000 art. 2).
    let e = refuse(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "RefundOrder", "issued_on": "2026-02-11"}),
    );
    assert!(
        e.message.contains("协议处理案件请出具追回通知单"),
        "{}",
        e.message
    );

    // The slip asks for money into the employee account: not while that account has no number
    // (issue 9); the reason names the setting to fill.
    let e = illegal(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "RecoverySlip", "issued_on": "2026-02-11"}),
        "“设置 · 文书设置”中的职工医保收款账户尚未填写账号",
    );
    assert!(
        e.message.contains("请先填写职工医保收款账户"),
        "{}",
        e.message
    );
    let mut s = call(c, "document.settings_get", json!({}));
    s["employee_account"] = json!({"account_name": "天津市医疗保障基金管理中心", "bank": "中国农业银行天津和平支行",
                                   "account_number": "02160001040042313", "bank_code": "103110016005"});
    s["contact_phone"] = json!("022-23456789");
    call(c, "document.settings_update", s);

    // What the case can issue now: the 告知书 and the slip, not the 处罚决定书.
    let options = call(c, "document.options", json!({"id": case_id}));
    let option = |kind: &str| {
        options
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(option("RecoverySlip")["available"], true);
    assert_eq!(option("StatementNotice")["available"], true);
    assert_eq!(option("StatementNotice")["number"], "和医保协告〔2026〕1号");
    assert_eq!(option("PenaltyDecision")["available"], false);
    assert_eq!(option("RefundOrder")["available"], false);

    // Preview: a blank number, no write.
    let before = audit_entries(c);
    let p = call(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "RecoverySlip", "issued_on": "2026-02-11"}),
    );
    assert_eq!(audit_entries(c), before);
    assert!(p["pages"].as_u64().unwrap() >= 1);
    assert_eq!(p["missing_glyphs"], json!([]));
    let text = pdf_text(&pdf_of(&p));
    assert!(text.contains("天津医保追单〔2026〕"), "{text}");

    // Issuing the slip numbers it (天津医保追单〔2026〕1号) and registers it for service, so its
    // 送达 clock runs (行政处罚法 art. 61): one transaction, one audit entry.
    let slip = call(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "RecoverySlip", "issued_on": "2026-02-11"}),
    );
    assert_eq!(slip["number"], "天津医保追单〔2026〕1号");
    assert_eq!(audit_entries(c), before + 1);
    let detail = call(c, "case.get", json!({"id": case_id}));
    assert!(
        detail["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["document"] == "RecoverySlip"
                && s["document_number"] == "天津医保追单〔2026〕1号"),
        "{detail}"
    );
    let words = call(c, "money.words", json!({"amount": "13345.67"}))["words"]
        .as_str()
        .unwrap()
        .to_string();
    let text = pdf_text(&pdf_of(&slip));
    assert!(text.contains("和平区某某医院"), "{text}");
    assert!(text.contains("天津医保追单〔2026〕1号"), "{text}");
    assert!(text.contains(&words), "{words} not in {text}");
    assert!(text.contains("张三") && text.contains("赵六"), "{text}");
    // 004 art. 8: the party's 联系人 (distinct from its phone) and whom to ask at the agency.
    assert!(text.contains("联系人：孙七"), "{text}");
    assert!(text.contains("022-23456789"), "{text}");
    // Issued once: a second issue is refused (reprint instead).
    let e = refuse(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "RecoverySlip", "issued_on": "2026-02-12"}),
    );
    assert!(e.message.contains("重新打印"), "{}", e.message);

    // The 告知书 prints the number case.notify gave it; that number takes its place in the sequence.
    // Its 成文日期 is the 告知 date (issue 9): another date is refused with the reason, none given
    // takes the step's, and a date after today is refused.
    let e = field(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-02-12"}),
        "issued_on",
    );
    assert!(
        e.message.contains("告知日期为2026年2月2日"),
        "{}",
        e.message
    );
    let e = field(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2099-02-02"}),
        "issued_on",
    );
    assert!(e.message.contains("晚于今天"), "{}", e.message);
    let notice = call(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice"}),
    );
    assert_eq!(notice["number"], "和医保协告〔2026〕1号");
    assert!(pdf_text(&pdf_of(&notice)).contains("2026年2月2日"));
    let listed = call(c, "document.list", json!({"case_id": case_id}));
    assert!(
        listed.to_string().contains("\"issued_on\":\"2026-02-02\""),
        "{listed}"
    );

    // Looking at an issued document is not a print: same bytes, nothing written.
    let before = audit_entries(c);
    let seen = call(c, "document.get", json!({"id": id(&slip)}));
    assert_eq!(pdf_of(&seen), pdf_of(&slip));
    assert_eq!(audit_entries(c), before);

    // Another PDF writer or font encoding (new bytes, the same paper) keeps the archive readable:
    // the paper's fingerprint is kept at issue (0029). Simulated by changing the stored hash.
    let store = |sql: &str| {
        c.store()
            .read(|conn| Ok(conn.execute(sql, [id(&slip)])?))
            .unwrap();
    };
    let (sha, content): (String, String) = c
        .store()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT sha256, content_sha FROM issued_document WHERE id = ?1",
                [id(&slip)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    store("UPDATE issued_document SET sha256 = 'other bytes' WHERE id = ?1");
    let seen = call(c, "document.get", json!({"id": id(&slip)}));
    assert_eq!(pdf_of(&seen), pdf_of(&slip));
    assert_eq!(seen["regenerated"], false);
    // Issued before the fingerprint was kept: rendered again and said to be.
    store("UPDATE issued_document SET content_sha = NULL WHERE id = ?1");
    assert_eq!(
        call(c, "document.get", json!({"id": id(&slip)}))["regenerated"],
        true
    );
    // Another paper (a font whose glyphs moved the text): refused.
    store("UPDATE issued_document SET content_sha = 'another paper' WHERE id = ?1");
    assert!(refuse(c, "document.get", json!({"id": id(&slip)}))
        .message
        .contains("与存档不一致"));
    c.store()
        .read(|conn| {
            Ok(conn.execute(
                "UPDATE issued_document SET sha256 = ?2, content_sha = ?3 WHERE id = ?1",
                rusqlite::params![id(&slip), sha, content],
            )?)
        })
        .unwrap();
    let fp = call(c, "document.get", json!({"id": id(&slip)}));
    assert_eq!(fp["regenerated"], false, "the same bytes again");

    // A reprint is byte-identical and audited (document_print row).
    let again = call(c, "document.print", json!({"id": id(&slip)}));
    assert_eq!(pdf_of(&again), pdf_of(&slip));
    assert_eq!(audit_entries(c), before + 1);
    // The entry as audit.list gives it (stored compressed, listed as JSON text).
    let entry = &call(c, "audit.list", json!({"offset": 0, "limit": 1}))["items"][0];
    let last = format!(
        "{}{}",
        entry["command"].as_str().unwrap(),
        entry["changes"].as_str().unwrap()
    );
    assert!(
        last.starts_with("document.print") && last.contains("document_print"),
        "{last}"
    );

    // 送达回证: two servers (001 art. 32); this agreement case has one officer. The options say so
    // on each document's receipt.
    let receipt = call(c, "document.options", json!({"id": case_id}))
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "ServiceReceipt")
        .unwrap()
        .clone();
    assert!(
        receipt["reason"].as_str().unwrap().contains("两名送达人"),
        "{receipt}"
    );
    let e = refuse(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "ServiceReceipt", "issued_on": "2026-02-12",
               "service_id": receipt["service_id"]}),
    );
    assert!(e.message.contains("两名送达人"), "{}", e.message);

    // Both in one PDF, each recorded as printed.
    let batch = call(
        c,
        "document.print_batch",
        json!({"ids": [id(&slip), id(&notice)]}),
    );
    assert_eq!(batch["count"], 2);
    let text = pdf_text(&pdf_of(&batch));
    assert!(text.contains("天津医保追单〔2026〕1号") && text.contains("和医保协告〔2026〕1号"));

    let list = call(c, "document.list", json!({"case_id": case_id}));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["prints"], 2);
    assert_eq!(list[1]["seq"], 1);

    let e = refuse(c, "document.print", json!({"id": 999}));
    assert_eq!(e.field.as_deref(), Some("id"));
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}
