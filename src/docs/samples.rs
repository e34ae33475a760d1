//! Typical filled documents: for the template editor's preview, the reviewers' PNGs, the tests
//! and the benchmark. The names and numbers are invented.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::documents::*;
use crate::money::Money;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid sample date")
}

fn m(s: &str) -> Money {
    Money::parse(s).expect("valid sample amount")
}

pub fn institution() -> Party {
    Party {
        kind: PartyKind::Institution,
        name: "某某县人民医院".into(),
        code: "H22010200123".into(),
        credit_code: "12220102MB1234567X".into(),
        legal_representative: "王建国".into(),
        address: "吉林省某某县人民大街1688号".into(),
        contact: "李明".into(),
        phone: "0431-85551234".into(),
    }
}

pub fn insured() -> Party {
    Party {
        kind: PartyKind::Insured,
        name: "张桂芳".into(),
        code: "220102196805121229".into(),
        credit_code: String::new(),
        legal_representative: String::new(),
        address: "吉林省某某县幸福街道团结社区3栋2单元501室".into(),
        contact: String::new(),
        phone: "13904311234".into(),
    }
}

pub fn agency() -> Agency {
    Agency {
        name: "某某县医疗保险管理局".into(),
        address: "某某县建设路88号政务服务中心三楼".into(),
    }
}

pub fn employee_account() -> BankAccount {
    BankAccount {
        account_name: "某某县医疗保险管理局基金支出户".into(),
        bank: "中国农业银行某某县支行".into(),
        account_number: "07160001040012345".into(),
        bank_code: "103241001234".into(),
    }
}

pub fn resident_account() -> BankAccount {
    BankAccount {
        account_name: "某某县医疗保险管理局居民医保基金支出户".into(),
        bank: "吉林银行某某县支行".into(),
        account_number: "0801012000123456".into(),
        bank_code: "313241000123".into(),
    }
}

pub fn recovery_lines() -> Vec<RecoveryLine> {
    vec![
        RecoveryLine {
            fund: Fund::EmployeeBasic,
            year: YearKind::CurrentYear,
            category: Some(ExpenseCategory::Inpatient),
            amount: m("12,480.50"),
        },
        RecoveryLine {
            fund: Fund::EmployeeBasic,
            year: YearKind::CurrentYear,
            category: Some(ExpenseCategory::Outpatient),
            amount: m("1,306.00"),
        },
        RecoveryLine {
            fund: Fund::EmployeeBasic,
            year: YearKind::PriorYears,
            category: None,
            amount: m("3,200.00"),
        },
        RecoveryLine {
            fund: Fund::ResidentBasic,
            year: YearKind::CurrentYear,
            category: Some(ExpenseCategory::Inpatient),
            amount: m("8,615.02"),
        },
        RecoveryLine {
            fund: Fund::ResidentBasic,
            year: YearKind::PriorYears,
            category: None,
            amount: m("2,045.30"),
        },
    ]
}

fn findings() -> Vec<String> {
    vec![
        "2025年1月至12月，将不符合住院指征的参保人员收治入院，违规结算住院费用".into(),
        "超标准收取护理费、床位费，重复收取静脉输液费".into(),
        "串换药品、医用耗材项目进行医保结算".into(),
    ]
}

pub const BUREAU: &str = "某某县医疗保障局";

pub fn refund_order() -> RefundOrderData {
    RefundOrderData {
        issuer: BUREAU.into(),
        document_number: "某医保责退〔2026〕12号".into(),
        party: institution(),
        inspection_date: d(2026, 3, 16),
        inspection_name: "2026年度医疗保障基金使用专项检查".into(),
        findings: findings(),
        violated_provisions: "《医疗保障基金使用监督管理条例》第十五条".into(),
        legal_basis: "《医疗保障基金使用监督管理条例》第三十八条".into(),
        lines: recovery_lines(),
        deadline: d(2026, 5, 20),
        agency: agency(),
        contact: Contact {
            name: "赵晓东".into(),
            phone: "0431-85559876".into(),
            address: String::new(),
        },
        issue_date: d(2026, 4, 22),
    }
}

pub fn recovery_notice() -> RecoveryNoticeData {
    RecoveryNoticeData {
        issuer: BUREAU.into(),
        document_number: "某医保追〔2026〕7号".into(),
        agency: agency(),
        party: institution(),
        inspection_date: d(2026, 3, 16),
        inspection_name: "2026年度医疗保障基金使用专项检查".into(),
        findings: findings(),
        legal_basis: "《医疗保障基金使用监督管理条例》第三十八条".into(),
        refund_order_number: "某医保责退〔2026〕12号".into(),
        lines: recovery_lines(),
        deadline: d(2026, 5, 20),
        report_deadline: d(2026, 5, 31),
        contact: Contact {
            name: "赵晓东".into(),
            phone: "0431-85559876".into(),
            address: String::new(),
        },
        issue_date: d(2026, 4, 22),
    }
}

pub fn recovery_slip() -> RecoverySlipData {
    let lines = recovery_lines();
    RecoverySlipData {
        issuer: "某某县".into(),
        document_number: "某医保追单〔2026〕第35号".into(),
        source: RecoverySource::Inspection,
        party: institution(),
        payment_method: PaymentMethod::BankTransfer,
        deadline: d(2026, 5, 20),
        handling_result:
            "依据《责令退款通知书》（某医保责退〔2026〕12号），追回该院违规使用的职工基本医保基金。"
                .into(),
        handler: SignOff {
            name: "孙丽".into(),
            opinion: String::new(),
            date: Some(d(2026, 4, 23)),
        },
        reviewer: SignOff {
            name: "周海涛".into(),
            opinion: "情况属实，同意追回。".into(),
            date: Some(d(2026, 4, 24)),
        },
        approver: SignOff {
            name: "吴振华".into(),
            opinion: "同意。".into(),
            date: Some(d(2026, 4, 24)),
        },
        funds: vec![SlipFund {
            fund: Fund::EmployeeBasic,
            lines: lines
                .into_iter()
                .filter(|l| l.fund == Fund::EmployeeBasic)
                .collect(),
            account: employee_account(),
        }],
        agency: agency(),
        contact: Contact {
            name: "王芳".into(),
            phone: "0431-88886666".into(),
            address: String::new(),
        },
        copies: 3,
    }
}

pub fn decision() -> DecisionData {
    let lines = recovery_lines();
    let total: Money = lines.iter().map(|l| l.amount).sum();
    let multiple = Decimal::new(15, 1);
    DecisionData {
        issuer: BUREAU.into(),
        document_number: "某医保罚决〔2026〕3号".into(),
        party: institution(),
        inspection_date: d(2026, 3, 16),
        inspection_name: "2026年度医疗保障基金使用专项检查".into(),
        facts: findings(),
        evidence: vec![
            "现场检查笔录及调查询问笔录".into(),
            "住院病历、医嘱单、费用明细清单等书证复印件".into(),
            "医保结算数据及药品、耗材进销存记录等电子数据".into(),
        ],
        statement_summary: String::new(),
        violated_provisions: "《医疗保障基金使用监督管理条例》第十五条".into(),
        legal_basis: "《医疗保障基金使用监督管理条例》第三十八条".into(),
        lines,
        fine: Some(FineData {
            multiple: Some(multiple),
            amount: total.times(multiple),
        }),
        other_measures: vec![],
        deadline: Some(d(2026, 5, 20)),
        fine_payment: "持本决定书通过非税收入缴款渠道缴纳".into(),
        agency: agency(),
        government: "某某县人民政府".into(),
        court: "某某县人民法院".into(),
        issue_date: d(2026, 4, 30),
        agreement_basis: String::new(),
    }
}

/// 协议处理决定书 (issue 9): the agency's decision on a breach of the service agreement.
pub fn agreement_decision() -> DecisionData {
    DecisionData {
        issuer: agency().name,
        document_number: "某医保协决〔2026〕2号".into(),
        inspection_name: "2026年度医保服务协议履行情况核查".into(),
        violated_provisions: "医疗保障服务协议第十条的约定".into(),
        legal_basis: String::new(),
        fine: None,
        other_measures: vec!["约谈法定代表人，限期一个月整改".into()],
        agreement_basis:
            "《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）及医保服务协议".into(),
        ..decision()
    }
}

pub fn handling_decision() -> DecisionData {
    DecisionData {
        document_number: "某医保处决〔2026〕5号".into(),
        fine: None,
        ..decision()
    }
}

pub fn self_refund_institution() -> SelfRefundInstitutionData {
    SelfRefundInstitutionData {
        issuer: "某某县".into(),
        kind: SelfCorrectionKind::Bureau {
            organizer: BUREAU.into(),
        },
        institution_name: "某某县康宁大药房连锁有限公司城南店".into(),
        institution_code: "P22010200456".into(),
        employee: Some(SelfRefundSection {
            prior_years: Some(m("1,200.00")),
            inpatient: None,
            outpatient: Some(m("3,486.75")),
            special_outpatient: None,
            maternity_allowance: None,
        }),
        resident: None,
        contact: "陈静".into(),
        phone: "13804315678".into(),
        employee_account: employee_account(),
        resident_account: resident_account(),
        agency: agency(),
    }
}

pub fn self_refund_insured() -> SelfRefundInsuredData {
    SelfRefundInsuredData {
        issuer: "某某县".into(),
        name: "张桂芳".into(),
        id_number: "220102196805121229".into(),
        fund: Fund::ResidentBasic,
        amount: m("2,306.40"),
        payment: InsuredPayment::Transfer,
        agent: Some(Agent {
            name: "刘志强".into(),
            id_number: "220102199001011234".into(),
        }),
        phone: "13904311234".into(),
        employee_account: employee_account(),
        resident_account: resident_account(),
        agency: agency(),
    }
}

pub fn offset_notice() -> OffsetNoticeData {
    OffsetNoticeData {
        issuer: "某某县医疗保险管理局".into(),
        document_number: "某医险抵〔2026〕2号".into(),
        party: institution(),
        slip_number: "某医保追单〔2026〕第35号".into(),
        application_date: d(2026, 5, 6),
        lines: recovery_lines(),
        start_year: 2026,
        start_month: 6,
        contact: Contact {
            name: "孙丽".into(),
            phone: "0431-85557777".into(),
            address: String::new(),
        },
        issue_date: d(2026, 5, 12),
    }
}

pub fn statement_notice() -> StatementNoticeData {
    let dec = decision();
    StatementNoticeData {
        issuer: BUREAU.into(),
        document_number: "某医保告〔2026〕9号".into(),
        party: institution(),
        inspection_date: dec.inspection_date,
        inspection_name: dec.inspection_name,
        findings: findings(),
        violated_provisions: dec.violated_provisions,
        legal_basis: dec.legal_basis,
        lines: dec.lines,
        fine: dec.fine,
        other_measures: vec![],
        reply_days: 5,
        hearing_days: Some(5),
        contact: Contact {
            name: "赵晓东".into(),
            phone: "0431-85559876".into(),
            address: "某某县建设路88号".into(),
        },
        issue_date: d(2026, 4, 15),
        agreement_basis: None,
    }
}

pub fn service_receipt() -> ServiceReceiptData {
    ServiceReceiptData {
        number: "某医保送〔2026〕1号".into(),
        issuer: BUREAU.into(),
        documents: vec![ServedDocument {
            title: "行政处罚决定书".into(),
            document_number: "某医保罚决〔2026〕3号".into(),
        }],
        recipient: "某某县人民医院".into(),
        place: "吉林省某某县人民大街1688号".into(),
        method: "直接送达".into(),
        servers: vec!["赵晓东".into(), "钱伟".into()],
        remarks: String::new(),
    }
}

pub fn demand_notice() -> DemandNoticeData {
    DemandNoticeData {
        issuer: BUREAU.into(),
        document_number: "某医保催〔2026〕2号".into(),
        party: institution(),
        decision_title: "行政处罚决定书".into(),
        decision_number: "某医保罚决〔2026〕3号".into(),
        decision_served_on: d(2026, 6, 12),
        obligation: "缴纳罚款人民币36,000.00元".into(),
        due_on: d(2026, 6, 27),
        outstanding: m("41,400.00"),
        surcharge: m("5,400.00"),
        days: 10,
        pay_to: "国库（按决定书载明的缴款方式）".into(),
        basis: "《中华人民共和国行政强制法》第三十五条、第五十四条".into(),
        agency: agency(),
        contact: Contact {
            name: "赵晓东".into(),
            phone: "0431-85550000".into(),
            address: String::new(),
        },
        issue_date: d(2026, 7, 20),
    }
}

fn hold(started: NaiveDate, due: NaiveDate, items: &[&str]) -> HoldNoticeData {
    HoldNoticeData {
        issuer: BUREAU.into(),
        document_number: "某医保封〔2026〕1号".into(),
        party: institution(),
        items: items.iter().map(|s| s.to_string()).collect(),
        started_on: started,
        due_on: due,
        basis: "《医疗保障基金使用监督管理条例》（国务院令第735号）第二十七条".into(),
        contact: Contact {
            name: "赵晓东".into(),
            phone: "0431-85550000".into(),
            address: String::new(),
        },
    }
}

pub fn registration_notice() -> HoldNoticeData {
    HoldNoticeData {
        document_number: "某医保登存〔2026〕1号".into(),
        basis: "《中华人民共和国行政处罚法》第五十六条".into(),
        ..hold(
            d(2026, 5, 11),
            d(2026, 5, 20),
            &[
                "2026年1月至3月住院病历（共42份）",
                "药品进销存电子台账（U盘1个）",
            ],
        )
    }
}

pub fn sealing_decision() -> HoldNoticeData {
    hold(
        d(2026, 5, 11),
        d(2026, 6, 10),
        &[
            "2026年1月至3月住院病历（共42份）",
            "住院收费明细账簿（3册）",
            "医师排班表及考勤记录（1册）",
        ],
    )
}

pub fn sealing_extension_notice() -> SealingExtensionData {
    SealingExtensionData {
        hold: HoldNoticeData {
            document_number: "某医保延封〔2026〕1号".into(),
            ..hold(
                d(2026, 5, 11),
                d(2026, 7, 10),
                &[
                    "2026年1月至3月住院病历（共42份）",
                    "住院收费明细账簿（3册）",
                ],
            )
        },
        due_before: d(2026, 6, 10),
        extended_on: d(2026, 6, 8),
        reason: "涉及病历数量多，需调取医保结算数据逐份比对".into(),
    }
}

pub fn inspection_record() -> InspectionRecordData {
    InspectionRecordData {
        issuer: BUREAU.into(),
        party: institution(),
        place: "吉林省某某县人民大街1688号".into(),
        inspectors: vec![
            Inspector {
                name: "赵晓东".into(),
                cert_no: "22010200123".into(),
            },
            Inspector {
                name: "钱伟".into(),
                cert_no: "22010200456".into(),
            },
        ],
        date: d(2026, 5, 11),
        blank_lines: 12,
    }
}

/// One typical document of every kind.
pub fn all() -> Vec<Document> {
    vec![
        Document::RefundOrder(refund_order()),
        Document::RecoveryNotice(recovery_notice()),
        Document::RecoverySlip(recovery_slip()),
        Document::HandlingDecision(handling_decision()),
        Document::PenaltyDecision(decision()),
        Document::SelfRefundInstitution(self_refund_institution()),
        Document::SelfRefundInsured(self_refund_insured()),
        Document::OffsetNotice(offset_notice()),
        Document::StatementNotice(statement_notice()),
        Document::ServiceReceipt(service_receipt()),
        Document::AgreementDecision(agreement_decision()),
        Document::DemandNotice(demand_notice()),
        Document::RegistrationNotice(registration_notice()),
        Document::SealingDecision(sealing_decision()),
        Document::SealingExtensionNotice(sealing_extension_notice()),
        Document::InspectionRecord(inspection_record()),
    ]
}
