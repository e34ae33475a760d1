//! 医疗保障基金追回通知单 (000 附件3; 004 附件1 with its check boxes and fund rows): the one-page
//! form the agency issues to the party, one 缴费信息 block per fund.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{
    Agency, BankAccount, Built, Contact, ExpenseCategory, Fund, Party, PartyKind, RecoveryLine,
    RecoverySource, YearKind,
};
use super::super::fonts::FontRole;
use super::super::layout::{Align, Block, Cell, Row, Style, Table, MM};
use super::super::settings::DocumentSettings;
use super::super::sources::{user_name, CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, TemplateLine, Templates};
use super::common::*;
use super::Kind;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::vocab::dates::cn_date;
use crate::vocab::text::enum_text;

/// The 险种 check boxes of the 通知单, in the seed's order (004 附件1); any other fund is ticked
/// as 其他 with its name.
pub const SLIP_FUNDS: [Fund; 8] = [
    Fund::EmployeeBasic,
    Fund::ResidentBasic,
    Fund::EmployeeLargeAmount,
    Fund::EmployeeCriticalIllness,
    Fund::ResidentCriticalIllness,
    Fund::MedicalAssistance,
    Fund::CivilServantSubsidy,
    Fund::Other,
];

/// 当年 money split into 住院费/门诊费/门特费/生育津贴/违约金 (004 art. 8, 附件1).
pub const EXPENSE_CATEGORIES: [ExpenseCategory; 5] = [
    ExpenseCategory::Inpatient,
    ExpenseCategory::Outpatient,
    ExpenseCategory::SpecialOutpatient,
    ExpenseCategory::MaternityAllowance,
    ExpenseCategory::LiquidatedDamages,
];

/// 缴款方式 (004 附件1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentMethod {
    /// 银行缴款/转账汇款.
    BankTransfer,
    /// 抵扣结算基金 (004 art. 10).
    Offset,
}

/// One signature box of the slip: 承办人 / 复核人 / 审批人 with opinion and date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignOff {
    pub name: String,
    #[serde(default)]
    pub opinion: String,
    pub date: Option<NaiveDate>,
}

/// The money of one fund on the slip, with the account it goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlipFund {
    pub fund: Fund,
    /// Amounts by category (current year) and prior years; absent lines print empty.
    pub lines: Vec<RecoveryLine>,
    pub account: BankAccount,
}

/// 医疗保障基金追回通知单 (000 附件3; 004 附件1 with its check boxes and fund rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoverySlipData {
    /// 开具部门 (bureau or agency), printed before the title.
    pub issuer: String,
    /// 通知单号.
    pub document_number: String,
    pub source: RecoverySource,
    pub party: Party,
    pub payment_method: PaymentMethod,
    pub deadline: NaiveDate,
    /// 处理结果.
    pub handling_result: String,
    pub handler: SignOff,
    pub reviewer: SignOff,
    pub approver: SignOff,
    pub funds: Vec<SlipFund>,
    pub agency: Agency,
    /// The agency's 联系人 and phone (004 art. 8: 联系人及联系方式); slips saved before it print
    /// the row empty.
    #[serde(default)]
    pub contact: Contact,
    /// 一式几份 (004 附件1: 3).
    #[serde(default = "three")]
    pub copies: u32,
}

fn three() -> u32 {
    3
}

pub struct RecoverySlip;

impl Kind for RecoverySlip {
    const KIND: DocumentKind = DocumentKind::RecoverySlip;
    const TITLE: &'static str = "医疗保障基金追回通知单";
    const PREFIX_TAG: &'static str = "追单";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("agency_name", "医保经办机构"),
        ("issuer", "开具部门"),
        ("copies", "份数"),
    ];
    // 004 附件1 备注 and the closing line.
    const TEMPLATE: &'static str = "\
银行缴款或者转账汇款时必须备注医药机构名称或者参保人员姓名、基金追回通知单号，并在缴款后3个工作日内将缴款凭证复印件送至以下指定医保经办机构。
本文书一式{copies}份，一份送达本人（单位），一份送达医保经办机构，一份开具《通知单》的医保部门存档。";

    type Data = RecoverySlipData;

    fn build(d: &RecoverySlipData, t: &Templates) -> Result<Built, ApiError> {
        check(d)?;
        let (remark, closing) = wording(d, t)?;
        let mut rows = head_rows(d);
        for sf in &d.funds {
            rows.extend(fund_rows(sf));
        }
        rows.extend(foot_rows(d, remark));
        Ok(Built {
            blocks: blocks(d, rows, closing),
            always_number_pages: false,
        })
    }

    /// The agency issues the slip to the party (000 art. 3; 004 art. 8, 附件1) from the decision:
    /// its amounts by fund, its 缴费时限 and the three who signed it off.
    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<RecoverySlipData> {
        let (dec, deadline) = c.payment_terms(Self::TITLE)?;
        let sign = |id: i64, opinion: &str| -> Result<SignOff> {
            Ok(SignOff {
                name: user_name(src.conn, id)?,
                opinion: opinion.to_string(),
                date: Some(dec.decided_on),
            })
        };
        let funds = funds_of(src.settings, &c.lines);
        accounts_filled(&funds)?;
        let cross_region = cross_region_text(&c);
        Ok(RecoverySlipData {
            issuer: c.agency.name.clone(),
            document_number: c.number,
            source: c.detail.case.source,
            party: c.party,
            payment_method: PaymentMethod::BankTransfer,
            deadline,
            handling_result: format!(
                "依据处理决定（{}），追回违规使用的医疗保障基金。{}",
                dec.document_number, cross_region
            ),
            handler: sign(dec.signoff.handler_id, "")?,
            reviewer: sign(dec.signoff.reviewer_id, "情况属实，同意追回。")?,
            approver: sign(dec.signoff.approver_id, "同意。")?,
            funds,
            agency: c.agency,
            contact: c.contact,
            copies: 3,
        })
    }
}

fn check(d: &RecoverySlipData) -> Result<(), ApiError> {
    require("issuer", "开具部门", &d.issuer)?;
    require("party.name", "追缴对象", &d.party.name)?;
    require("agency.name", "医保经办机构名称", &d.agency.name)?;
    check_signoffs(&d.handler, &d.reviewer, &d.approver)?;
    if d.funds.is_empty() {
        return Err(ApiError::field("funds", "缴费信息不能为空"));
    }
    for f in &d.funds {
        if f.lines.iter().any(|l| l.fund != f.fund) {
            return Err(ApiError::field(
                "funds",
                format!("{}的明细中含有其他险种的金额", f.fund.label()),
            ));
        }
        check_lines(&f.lines)?;
    }
    Ok(())
}

/// The template's first line is the 备注 cell, the others are printed under the table.
fn wording(d: &RecoverySlipData, t: &Templates) -> Result<(String, Vec<String>), ApiError> {
    let f = fields(vec![
        ("agency_name", d.agency.name.clone()),
        ("issuer", d.issuer.clone()),
        ("copies", d.copies.to_string()),
    ]);
    let tl = expand(DocumentKind::RecoverySlip, t, &f)?;
    let texts: Vec<String> = tl
        .into_iter()
        .filter_map(|l| {
            if let TemplateLine::Text(s) = l {
                Some(s)
            } else {
                None
            }
        })
        .collect();
    let remark = texts.first().cloned().unwrap_or_default();
    let closing: Vec<String> = texts.iter().skip(1).cloned().collect();
    Ok((remark, closing))
}

fn row(cells: Vec<Cell>) -> Row {
    Row {
        cells,
        keep_with_next: false,
    }
}

/// 追回基金来源, 追缴对象, 缴款方式, 缴费时限 and the three opinions with their signatures.
fn head_rows(d: &RecoverySlipData) -> Vec<Row> {
    let mut rows: Vec<Row> = vec![source_row(d.source)];
    rows.extend(party_rows(&d.party));
    rows.push(row(vec![
        Cell::new("缴款方式"),
        Cell::left(format!(
            "{}银行缴款/转账汇款　　{}抵扣结算基金",
            box_(d.payment_method == PaymentMethod::BankTransfer),
            box_(d.payment_method == PaymentMethod::Offset)
        ))
        .span(4, 1),
    ]));
    rows.push(row(vec![
        Cell::new("缴费时限"),
        Cell::left(format!("{}前", cn_date(d.deadline))).span(4, 1),
    ]));
    let mut result = d.handling_result.trim().to_string();
    result.push('\n');
    result.push_str(&sign_text("承办人：", &d.handler, false));
    rows.push(row(vec![
        Cell::new("处理结果"),
        Cell::left(result).span(4, 1),
    ]));
    rows.push(row(vec![
        Cell::new("复核意见"),
        Cell::left(sign_text("复核人：", &d.reviewer, false)).span(4, 1),
    ]));
    rows.push(row(vec![
        Cell::new("审批意见"),
        Cell::left(sign_text("审批人：", &d.approver, true)).span(4, 1),
    ]));
    rows
}

/// 004 附件1 row 1: 追回基金来源 with four boxes; a source outside the three is "其他：<label>".
fn source_row(src: RecoverySource) -> Row {
    let listed = matches!(
        src,
        RecoverySource::Inspection
            | RecoverySource::AgreementManagement
            | RecoverySource::SettlementReview
    );
    row(vec![
        Cell::new("追回基金来源"),
        Cell::left(format!(
            "{}监督检查　{}协议管理　{}审核结算　{}其他：{}",
            box_(src == RecoverySource::Inspection),
            box_(src == RecoverySource::AgreementManagement),
            box_(src == RecoverySource::SettlementReview),
            box_(!listed),
            if listed {
                String::new()
            } else {
                src.label().to_string()
            }
        ))
        .span(4, 1),
    ])
}

/// 追缴对象: 定点医药机构 or 参保人员, the other line left blank.
fn party_rows(p: &Party) -> [Row; 2] {
    let inst = p.kind == PartyKind::Institution;
    [
        row(vec![
            Cell::new("追缴对象").span(1, 2),
            Cell::left(format!("{}定点医药机构", box_(inst))),
            Cell::left(if inst {
                format!(
                    "机构名称：{}\n联系人：{}　联系电话：{}",
                    p.name, p.contact, p.phone
                )
            } else {
                "机构名称：\n联系人：　　　　联系电话：".to_string()
            })
            .span(3, 1),
        ]),
        row(vec![
            Cell::left(format!("{}参保人员", box_(!inst))),
            Cell::left(if inst {
                "参保人姓名：　　　　联系电话：".to_string()
            } else {
                format!("参保人姓名：{}　联系电话：{}", p.name, p.phone)
            })
            .span(3, 1),
        ]),
    ]
}

/// 缴费信息 of one fund: the 险种 boxes, its amounts by year and category, the total and the
/// account it goes to.
fn fund_rows(sf: &SlipFund) -> Vec<Row> {
    let mut rows = Vec::new();
    let total: Money = sf.lines.iter().map(|l| l.amount).sum();
    let amount_of = |year: YearKind, cat: Option<ExpenseCategory>| -> String {
        let v: Vec<Money> = sf
            .lines
            .iter()
            .filter(|l| l.year == year && l.category == cat)
            .map(|l| l.amount)
            .collect();
        if v.is_empty() {
            String::new()
        } else {
            v.into_iter().sum::<Money>().grouped()
        }
    };
    // 缴费信息 spans: 险种 + header + 5 current + 1 prior + 收款人 + 2 amount + 4 account = 15 rows.
    rows.push(Row {
        cells: vec![
            Cell::new("缴费信息").span(1, 15),
            Cell::new("险种"),
            Cell::left(fund_boxes(sf.fund)).span(3, 1).keep_words(),
        ],
        keep_with_next: false,
    });
    rows.push(row(vec![
        Cell::new("基金类型"),
        Cell::new("所属年份"),
        Cell::new("费用类别"),
        Cell::new("应退回金额（元）"),
    ]));
    for (i, cat) in EXPENSE_CATEGORIES.iter().enumerate() {
        let mut cells = Vec::new();
        if i == 0 {
            cells.push(Cell::new(sf.fund.label()).span(1, 6));
            cells.push(Cell::new("当年").span(1, 5));
        }
        cells.push(Cell::new(cat.label()));
        cells.push(Cell::new(amount_of(YearKind::CurrentYear, Some(*cat))).align(Align::Right));
        rows.push(row(cells));
    }
    rows.push(row(vec![
        Cell::new("历年"),
        Cell::new("——"),
        Cell::new(amount_of(YearKind::PriorYears, None)).align(Align::Right),
    ]));
    rows.push(row(vec![
        Cell::new("收款人名称"),
        Cell::left(sf.account.account_name.clone()).span(3, 1),
    ]));
    rows.push(row(vec![
        Cell::new("缴款金额").span(1, 2),
        Cell::new("（小写）"),
        Cell::left(format!("¥{}", total.grouped())).span(2, 1),
    ]));
    rows.push(row(vec![
        Cell::new("（大写）"),
        Cell::left(total.in_words()).span(2, 1),
    ]));
    rows.extend(account_rows(&sf.account));
    rows
}

/// The 险种 boxes of the seed, the fund's ticked; a fund outside them ticks 其他 with its name.
fn fund_boxes(fund: Fund) -> String {
    let boxes: Vec<String> = SLIP_FUNDS
        .iter()
        .map(|f| {
            format!(
                "{}{}",
                box_(*f == fund || (*f == Fund::Other && !SLIP_FUNDS[..7].contains(&fund))),
                f.label()
            )
        })
        .collect();
    let other = if SLIP_FUNDS[..7].contains(&fund) {
        String::new()
    } else {
        format!("：{}", fund.label())
    };
    format!("{}{}", boxes.join("　"), other)
}

fn account_rows(a: &BankAccount) -> [Row; 4] {
    [
        row(vec![
            Cell::new("开户银行交换行行号").span(2, 1),
            Cell::left(a.bank_code.clone()).span(2, 1),
        ]),
        row(vec![
            Cell::new("开户银行").span(2, 1),
            Cell::left(a.bank.clone()).span(2, 1),
        ]),
        row(vec![
            Cell::new("开户名称").span(2, 1),
            Cell::left(a.account_name.clone()).span(2, 1),
        ]),
        row(vec![
            Cell::new("账号").span(2, 1),
            Cell::left(a.account_number.clone()).span(2, 1),
        ]),
    ]
}

/// 备注, the agency's name and address, and whom to ask there (004 art. 8: 联系人及联系方式).
fn foot_rows(d: &RecoverySlipData, remark: String) -> [Row; 4] {
    [
        row(vec![
            Cell::new("备注"),
            Cell::left(remark).align(Align::Justify).span(4, 1),
        ]),
        row(vec![
            Cell::new("经办机构名称"),
            Cell::left(d.agency.name.clone()).span(4, 1),
        ]),
        row(vec![
            Cell::new("经办机构地址"),
            Cell::left(d.agency.address.clone()).span(4, 1),
        ]),
        row(vec![
            Cell::new("联系人"),
            Cell::left(d.contact.name.clone()),
            Cell::new("联系电话"),
            Cell::left(d.contact.phone.clone()).span(2, 1),
        ]),
    ]
}

/// Title, 编号, the table and the closing lines.
fn blocks(d: &RecoverySlipData, rows: Vec<Row>, closing: Vec<String>) -> Vec<Block> {
    // A form is set in 五号 (10.5 pt) so that the whole 通知单 fits one page.
    let style = form_style();
    let mut blocks = form_title(&d.issuer, "医疗保障基金追回通知单");
    blocks.push(Block::Para {
        text: format!("编号：{}", d.document_number),
        style: Style::new(FontRole::FangSong, 12.0),
        align: Align::Right,
        indent: 0.0,
        leading: 20.0,
    });
    blocks.push(Block::Table(Table {
        columns: vec![16.0, 18.5, 11.5, 14.0, 40.0],
        header_rows: 0,
        rows,
        style,
        min_row_height: 5.5 * MM,
    }));
    for c in closing {
        blocks.push(Block::Para {
            text: c,
            style: Style::new(FontRole::FangSong, 10.5),
            align: Align::Justify,
            indent: 2.0,
            leading: 16.0,
        });
    }
    blocks
}

fn check_signoffs(h: &SignOff, r: &SignOff, a: &SignOff) -> Result<(), ApiError> {
    // GLOSSARY: handler / reviewer / approver are never the same person twice on one notice.
    let names = [
        ("handler", "承办人", &h.name),
        ("reviewer", "复核人", &r.name),
        ("approver", "审批人", &a.name),
    ];
    for (i, (f, label, n)) in names.iter().enumerate() {
        for (_, label2, n2) in names.iter().skip(i + 1) {
            if !n.trim().is_empty() && n.trim() == n2.trim() {
                return Err(ApiError::field(
                    f,
                    format!("{label}与{label2}不能是同一人（{}）", n.trim()),
                ));
            }
        }
    }
    Ok(())
}

fn sign_text(label: &str, s: &SignOff, seal: bool) -> String {
    let date = s
        .date
        .map(cn_date)
        .unwrap_or_else(|| "　　年　　月　　日".to_string());
    let mut t = String::new();
    if !s.opinion.trim().is_empty() {
        t.push_str(s.opinion.trim());
        t.push_str("　　");
    }
    t.push_str(&format!(
        "{label}{}　　{}{date}",
        s.name,
        if seal { "（公章）　" } else { "" }
    ));
    t
}

/// A slip asks for money into the accounts it prints (004 art. 8: 基金退缴接收账户): it is not issued
/// while the employee or resident account of a fund on it has no account number (issue 9); the
/// reason names the setting. Other funds print blank by design (附件2–3: ask the agency).
fn accounts_filled(funds: &[SlipFund]) -> Result<()> {
    for f in funds {
        let label = f.fund.label();
        let setting = if label.starts_with("职工") {
            "职工医保收款账户"
        } else if label.starts_with("居民") {
            "居民医保收款账户"
        } else {
            continue;
        };
        if f.account.account_number.trim().is_empty() {
            return Err(ApiError::illegal(format!(
                "通知单载明{label}的退缴接收账户，但“设置 · 文书设置”中的{setting}尚未填写账号，不能开具医疗保障基金追回通知单：请先填写{setting}"
            )));
        }
    }
    Ok(())
}

/// The decision's recovery lines grouped by fund, in the order the funds first appear.
fn funds_of(settings: &DocumentSettings, lines: &[RecoveryLine]) -> Vec<SlipFund> {
    let mut funds: BTreeMap<String, SlipFund> = BTreeMap::new();
    let mut order = Vec::new();
    for l in lines {
        let key = enum_text(&l.fund);
        if !funds.contains_key(&key) {
            order.push(key.clone());
        }
        funds
            .entry(key)
            .or_insert_with(|| SlipFund {
                fund: l.fund,
                lines: Vec::new(),
                account: fund_account(settings, l.fund),
            })
            .lines
            .push(l.clone());
    }
    order.into_iter().filter_map(|k| funds.remove(&k)).collect()
}

/// The receiving account of a fund (004 附件1 收款人/开户银行/账号; 附件2–3 填表说明 1, 2): the
/// employee funds (职工…) go to the 职工医保 account, the resident funds (居民…) to the 居民医保
/// account; any other fund prints blank, to be filled in by hand ("如需其他险种开户行账号，请向所属
/// 医疗保障经办机构咨询", 附件2–3).
fn fund_account(settings: &DocumentSettings, fund: Fund) -> BankAccount {
    let label = fund.label();
    if label.starts_with("职工") {
        settings.employee_account.clone()
    } else if label.starts_with("居民") {
        settings.resident_account.clone()
    } else {
        BankAccount::default()
    }
}

/// What of the money is of insured persons of another province (跨省异地就医) and where it goes: back
/// to the 参保地 account, reducing the cross-province settlement (the rule set's `CrossRegion`).
/// Empty when all of it is local.
pub fn cross_region_text(c: &CaseFacts) -> String {
    let mut regions: Vec<&str> = Vec::new();
    let mut total = crate::money::Money::ZERO;
    for l in &c.detail.recovery_lines {
        if let Some(r) = l.insured_region.as_deref() {
            total += l.amount_due;
            if !regions.contains(&r) {
                regions.push(r);
            }
        }
    }
    if regions.is_empty() {
        return String::new();
    }
    format!(
        "其中跨省异地就医费用{}元（参保地：{}），按原渠道返回参保地账户，冲减跨省异地就医直接结算费用{}。",
        total.grouped(),
        regions.join("、"),
        c.rules.cite(crate::cases::Rule::CrossRegion)
    )
}
