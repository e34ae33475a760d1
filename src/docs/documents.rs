//! One builder per document kind: plain, serde-serializable input structs (filled by the case
//! code) turned into layout blocks. Totals, 大写 amounts, check boxes and dates are derived here,
//! never typed twice.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fonts::FontRole;
use super::layout::{Align, Block, Cell, Row, Style, Table, MM};
use super::templates::{expand, DocumentKind, TemplateLine, Templates};
use crate::error::ApiError;
use crate::money::Money;

// ---------------------------------------------------------------------------------------------
// Shared vocabulary (GLOSSARY.md "Money", "Case file"): the case module's enums, one definition.

pub use crate::cases::{ExpenseCategory, Fund, PartyKind, RecoverySource, YearKind};

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

/// One line of money to recover as printed: fund × year × category (GLOSSARY `RecoveryLine`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryLine {
    pub fund: Fund,
    pub year: YearKind,
    /// Only for current-year money; prior years are not split (004 附件1 "历年 ——").
    #[serde(default)]
    pub category: Option<ExpenseCategory>,
    pub amount: Money,
}

impl From<&crate::cases::cases::RecoveryLine> for RecoveryLine {
    /// The printable part of a case's recovery line (its amount due).
    fn from(l: &crate::cases::cases::RecoveryLine) -> Self {
        RecoveryLine {
            fund: l.fund,
            year: l.year_kind,
            category: l.category,
            amount: l.amount_due,
        }
    }
}

/// The party a document is addressed to or concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub kind: PartyKind,
    /// 机构名称 / 姓名.
    pub name: String,
    /// 机构编码 (institutions) or 身份证号码 (insured persons).
    #[serde(default)]
    pub code: String,
    /// 统一社会信用代码 (institutions; 行政处罚法 art. 59 (一) identifies the party).
    #[serde(default)]
    pub credit_code: String,
    /// 法定代表人（负责人）.
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub address: String,
    /// 联系人 (institutions).
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
}

impl Party {
    /// How the text addresses the party: 你单位 / 你.
    pub fn you(&self) -> &'static str {
        match self.kind {
            PartyKind::Institution => "你单位",
            PartyKind::Insured => "你",
        }
    }
}

/// 联系人 of the issuing office.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

/// 医保经办机构: where money and proofs go (004 art. 9: name and address on the notice).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agency {
    pub name: String,
    #[serde(default)]
    pub address: String,
}

/// A receiving account (004 附件1 收款人名称, 开户银行交换行行号, 开户银行, 开户名称, 账号).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct BankAccount {
    /// 开户名称 (also printed as 收款人名称).
    pub account_name: String,
    pub bank: String,
    pub account_number: String,
    /// 开户银行交换行行号.
    #[serde(default)]
    pub bank_code: String,
}

// ---------------------------------------------------------------------------------------------
// Document data.

/// 责令退款通知书 (000 附件1): the bureau orders the party to refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundOrderData {
    /// 发文机关, e.g. 某某县医疗保障局.
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    pub inspection_date: NaiveDate,
    /// e.g. 2026年医保基金使用专项检查.
    pub inspection_name: String,
    pub findings: Vec<String>,
    pub violated_provisions: String,
    pub legal_basis: String,
    pub lines: Vec<RecoveryLine>,
    pub deadline: NaiveDate,
    pub agency: Agency,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

/// 追回医保基金通知书 (000 附件2): the bureau tells the agency to recover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryNoticeData {
    pub issuer: String,
    pub document_number: String,
    pub agency: Agency,
    pub party: Party,
    pub inspection_date: NaiveDate,
    pub inspection_name: String,
    pub findings: Vec<String>,
    pub legal_basis: String,
    /// 文号 of the 责令退款通知书 sent to the party.
    pub refund_order_number: String,
    pub lines: Vec<RecoveryLine>,
    pub deadline: NaiveDate,
    pub report_deadline: NaiveDate,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

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
    /// 一式几份 (004 附件1: 3).
    #[serde(default = "three")]
    pub copies: u32,
}

fn three() -> u32 {
    3
}

/// A fine (行政处罚), paid to the treasury, never into the fund (000 art. 4; 004 art. 18).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineData {
    /// Multiple of the amount (条例 art. 38, 40: 1–2×, 2–5×), when the fine is one.
    #[serde(default)]
    pub multiple: Option<Decimal>,
    pub amount: Money,
}

/// 行政处理决定书 / 行政处罚决定书 (000 附件4; 行政处罚法 art. 59).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionData {
    pub issuer: String,
    pub document_number: String,
    /// art. 59 (一): name and address of the party.
    pub party: Party,
    pub inspection_date: NaiveDate,
    pub inspection_name: String,
    /// art. 59 (二): facts …
    pub facts: Vec<String>,
    /// … and evidence.
    pub evidence: Vec<String>,
    /// 陈述申辩 / 听证 outcome; empty = the party did not reply in time.
    #[serde(default)]
    pub statement_summary: String,
    pub violated_provisions: String,
    /// art. 59 (三): kind of measure and its basis.
    pub legal_basis: String,
    pub lines: Vec<RecoveryLine>,
    /// Only on a 行政处罚决定书.
    #[serde(default)]
    pub fine: Option<FineData>,
    /// Other measures (暂停医保医师服务资格 …), one per item.
    #[serde(default)]
    pub other_measures: Vec<String>,
    /// art. 59 (四): how and by when.
    pub deadline: NaiveDate,
    /// Where the fine is paid (非税收入缴款, 000 art. 4).
    #[serde(default = "default_fine_payment")]
    pub fine_payment: String,
    pub agency: Agency,
    /// art. 59 (五): 复议 to the county people's government (行政复议法 2023), lawsuit to the court.
    pub government: String,
    pub court: String,
    /// art. 59 (六): the deciding authority and date = issuer and issue_date.
    pub issue_date: NaiveDate,
}

fn default_fine_payment() -> String {
    "持本决定书通过非税收入缴款渠道缴纳".to_string()
}

/// 自查自纠类型 (004 附件2 first rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SelfCorrectionKind {
    /// 医疗保障行政部门组织的自查自纠, with the organising department.
    Bureau { organizer: String },
    /// 医疗保障经办机构组织的自查自纠.
    Agency { organizer: String },
    /// 自行开展的自查自纠.
    OnOwn,
}

/// One fund section of 附件2: amounts by year/category. `None` section = 不涉及此项.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfRefundSection {
    #[serde(default)]
    pub prior_years: Option<Money>,
    #[serde(default)]
    pub inpatient: Option<Money>,
    #[serde(default)]
    pub outpatient: Option<Money>,
    #[serde(default)]
    pub special_outpatient: Option<Money>,
    #[serde(default)]
    pub maternity_allowance: Option<Money>,
}

impl SelfRefundSection {
    pub fn total(&self) -> Money {
        [
            self.prior_years,
            self.inpatient,
            self.outpatient,
            self.special_outpatient,
            self.maternity_allowance,
        ]
        .iter()
        .flatten()
        .copied()
        .sum()
    }
}

/// 自查自纠退回明细单（定点医药机构） (004 附件2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfRefundInstitutionData {
    /// Region prefix of the title, e.g. 某某县.
    pub issuer: String,
    pub kind: SelfCorrectionKind,
    pub institution_name: String,
    pub institution_code: String,
    pub employee: Option<SelfRefundSection>,
    pub resident: Option<SelfRefundSection>,
    pub contact: String,
    pub phone: String,
    /// 职工 / 居民 receiving accounts (填表说明 1, 2).
    pub employee_account: BankAccount,
    pub resident_account: BankAccount,
    pub agency: Agency,
}

/// 缴款方式 on 附件3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InsuredPayment {
    /// 转账汇款.
    Transfer,
    /// 银行临柜现金缴款（需到开户行）.
    CashAtCounter,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub name: String,
    pub id_number: String,
}

/// 自查自纠退回明细单（参保人员） (004 附件3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfRefundInsuredData {
    pub issuer: String,
    pub name: String,
    pub id_number: String,
    /// 参保类别: EmployeeBasic or ResidentBasic.
    pub fund: Fund,
    pub amount: Money,
    pub payment: InsuredPayment,
    #[serde(default)]
    pub agent: Option<Agent>,
    pub phone: String,
    pub employee_account: BankAccount,
    pub resident_account: BankAccount,
    pub agency: Agency,
}

/// 抵扣通知书 (004 art. 10): the agency deducts from later monthly settlements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffsetNoticeData {
    /// The agency issuing the notice.
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    /// 通知单号 of the slip being offset.
    pub slip_number: String,
    pub application_date: NaiveDate,
    pub lines: Vec<RecoveryLine>,
    /// First settlement month deducted (year, month).
    pub start_year: i32,
    pub start_month: u32,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

/// 陈述申辩告知书 (001 art. 22; 行政处罚法 art. 44, 45, 63, 64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementNoticeData {
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    pub inspection_date: NaiveDate,
    pub inspection_name: String,
    pub findings: Vec<String>,
    pub violated_provisions: String,
    pub legal_basis: String,
    pub lines: Vec<RecoveryLine>,
    #[serde(default)]
    pub fine: Option<FineData>,
    #[serde(default)]
    pub other_measures: Vec<String>,
    /// 5 working days by default; a province may use 3 (DOMAIN.md §2, setting).
    pub reply_days: u32,
    /// Set when the intended measure opens a hearing (行政处罚法 art. 63–64).
    #[serde(default)]
    pub hearing_days: Option<u32>,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

/// A document delivered, as listed on the 送达回证.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServedDocument {
    pub title: String,
    pub document_number: String,
}

/// 送达回证 (行政处罚法 art. 61): the signed date is the service date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReceiptData {
    pub issuer: String,
    pub documents: Vec<ServedDocument>,
    pub recipient: String,
    pub place: String,
    /// 直接送达 / 留置送达 / 邮寄送达 / 委托送达 …
    pub method: String,
    /// 送达人 (at least two officers, 001 art. 32).
    pub servers: Vec<String>,
    #[serde(default)]
    pub remarks: String,
}

/// Any printable document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data")]
pub enum Document {
    RefundOrder(RefundOrderData),
    RecoveryNotice(RecoveryNoticeData),
    RecoverySlip(RecoverySlipData),
    HandlingDecision(DecisionData),
    PenaltyDecision(DecisionData),
    SelfRefundInstitution(SelfRefundInstitutionData),
    SelfRefundInsured(SelfRefundInsuredData),
    OffsetNotice(OffsetNoticeData),
    StatementNotice(StatementNoticeData),
    ServiceReceipt(ServiceReceiptData),
}

impl Document {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::RefundOrder(_) => DocumentKind::RefundOrder,
            Document::RecoveryNotice(_) => DocumentKind::RecoveryNotice,
            Document::RecoverySlip(_) => DocumentKind::RecoverySlip,
            Document::HandlingDecision(_) => DocumentKind::HandlingDecision,
            Document::PenaltyDecision(_) => DocumentKind::PenaltyDecision,
            Document::SelfRefundInstitution(_) => DocumentKind::SelfRefundInstitution,
            Document::SelfRefundInsured(_) => DocumentKind::SelfRefundInsured,
            Document::OffsetNotice(_) => DocumentKind::OffsetNotice,
            Document::StatementNotice(_) => DocumentKind::StatementNotice,
            Document::ServiceReceipt(_) => DocumentKind::ServiceReceipt,
        }
    }

    /// A short title for the PDF metadata and the batch outline.
    pub fn title(&self) -> String {
        self.kind().title().to_string()
    }
}

/// What the layout engine gets for one document.
pub struct Built {
    pub blocks: Vec<Block>,
    /// Page numbers on every page (letters) or only when the form runs over one page.
    pub always_number_pages: bool,
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers.

pub use crate::vocab::dates::cn_date;

/// 人民币 amount: 壹仟贰佰叁拾肆元伍角整（¥1,234.50） is built from these two.
fn money_fields(total: Money) -> (String, String) {
    (total.grouped(), total.in_words())
}

/// Join findings into one sentence: a single finding as is, several numbered 1. 2. 3.
fn inline_list(items: &[String]) -> String {
    let clean: Vec<String> = items
        .iter()
        .map(|s| {
            s.trim()
                .trim_end_matches(['。', '；', ';', '，'])
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    match clean.len() {
        0 => String::new(),
        1 => format!("{}。", clean[0]),
        _ => {
            let parts: Vec<String> = clean
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}.{}", i + 1, s))
                .collect();
            format!("{}。", parts.join("；"))
        }
    }
}

fn box_(checked: bool) -> char {
    if checked {
        '☑'
    } else {
        '□'
    }
}

const ZH_NUM: [&str; 21] = [
    "", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十",
];

/// （一）（二）… numbering for list items.
fn paren_num(i: usize) -> String {
    match ZH_NUM.get(i) {
        Some(s) if i > 0 => format!("（{s}）"),
        _ => format!("（{i}）"),
    }
}

fn require(field: &str, label: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::field(field, format!("{label}不能为空")));
    }
    Ok(())
}

/// A deadline on or before the issue date cannot be met (000 art. 6: the notice names a time limit).
fn check_deadline(field: &str, deadline: NaiveDate, issued: NaiveDate) -> Result<(), ApiError> {
    if deadline <= issued {
        return Err(ApiError::field(
            field,
            format!(
                "期限（{}）应晚于发文日期（{}）",
                cn_date(deadline),
                cn_date(issued)
            ),
        ));
    }
    Ok(())
}

fn check_lines(lines: &[RecoveryLine]) -> Result<Money, ApiError> {
    if lines.is_empty() {
        return Err(ApiError::field("lines", "应退回金额明细不能为空"));
    }
    for l in lines {
        if l.amount.is_negative() {
            return Err(ApiError::field("lines", "应退回金额不能为负数"));
        }
        if l.year == YearKind::PriorYears && l.category.is_some() {
            // 004 附件1: 历年 money is not split by category.
            return Err(ApiError::field("lines", "历年基金不区分费用类别"));
        }
    }
    Ok(lines.iter().map(|l| l.amount).sum())
}

fn check_fine(fine: &Option<FineData>, base: Money) -> Result<(), ApiError> {
    if let Some(f) = fine {
        if let Some(m) = f.multiple {
            let expect = base.times(m);
            if expect != f.amount {
                return Err(ApiError::field(
                    "fine",
                    format!(
                        "罚款金额{}元与{}倍的违法违规金额（{}元）不一致",
                        f.amount.grouped(),
                        m,
                        expect.grouped()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Forms are set in 五号 (10.5 pt) so that they fit one page.
fn form_style() -> Style {
    Style::new(FontRole::FangSong, 10.5)
}

fn table_style() -> Style {
    Style::new(FontRole::FangSong, 12.0)
}

/// The fund × year × category table with a total row (header repeated across pages).
fn lines_table(lines: &[RecoveryLine]) -> Block {
    let mut rows = vec![Row {
        cells: vec![
            Cell::new("序号"),
            Cell::new("险种"),
            Cell::new("所属年度"),
            Cell::new("费用类别"),
            Cell::new("金额（元）"),
        ],
        keep_with_next: true,
    }];
    let mut sorted: Vec<&RecoveryLine> = lines.iter().collect();
    sorted.sort_by_key(|l| (l.fund, l.year, l.category));
    for (i, l) in sorted.iter().enumerate() {
        rows.push(Row {
            cells: vec![
                Cell::new((i + 1).to_string()),
                Cell::new(l.fund.label()),
                Cell::new(l.year.label()),
                Cell::new(l.category.map(|c| c.label()).unwrap_or("——")),
                Cell::new(l.amount.grouped()).align(Align::Right),
            ],
            keep_with_next: false,
        });
    }
    let total: Money = lines.iter().map(|l| l.amount).sum();
    rows.push(Row {
        cells: vec![
            Cell::new("合计").span(4, 1),
            Cell::new(total.grouped()).align(Align::Right),
        ],
        keep_with_next: false,
    });
    Block::Table(Table {
        columns: vec![10.0, 26.0, 16.0, 18.0, 30.0],
        header_rows: 1,
        rows,
        style: table_style(),
        min_row_height: 8.0 * MM,
    })
}

/// The line under a form's title, e.g. （定点医药机构） (004 附件2, 附件3).
fn subtitle(text: &str) -> Block {
    Block::Para {
        text: text.to_string(),
        style: Style::new(FontRole::FangSong, 16.0),
        align: Align::Center,
        indent: 0.0,
        leading: 26.0,
    }
}

/// A form's title: issuer and form name on one line (004 附件1–3) in 2号 while they fit (20
/// characters on the 156 mm block), else in 小二 (18 pt, 24 characters) so that the form keeps
/// its one page; longer still, the issuer on its own line above the name, rather than a break
/// inside a word (…医疗保障基 / 金自查…).
fn form_title(issuer: &str, name: &str) -> Vec<Block> {
    match issuer.chars().count() + name.chars().count() {
        0..=20 => vec![Block::Title(format!("{issuer}{name}"))],
        21..=24 => vec![Block::Para {
            text: format!("{issuer}{name}"),
            style: Style::new(FontRole::Title, 18.0),
            align: Align::Center,
            indent: 0.0,
            leading: 30.0,
        }],
        _ => title_blocks(issuer, name),
    }
}

fn title_blocks(issuer: &str, title: &str) -> Vec<Block> {
    vec![
        Block::Title(issuer.to_string()),
        Block::Title(title.to_string()),
    ]
}

/// 发文字号 right-aligned under the title, then one blank line.
fn number_block(number: &str) -> Vec<Block> {
    vec![Block::line(number, Align::Right), Block::Space(1.0)]
}

fn signature(issuer: &str, date: NaiveDate) -> Block {
    Block::Signature {
        names: vec![issuer.to_string()],
        date: cn_date(date),
        style: Style::body(),
        gap_lines: 2.0,
    }
}

/// Turn a template's lines into blocks; short numbered lines become headings (一、 黑体, （一） 楷体).
fn template_blocks(
    lines: Vec<TemplateLine>,
    markers: &mut dyn FnMut(&str) -> Vec<Block>,
) -> Vec<Block> {
    let mut out = Vec::new();
    for l in lines {
        match l {
            TemplateLine::Marker(m) => out.extend(markers(&m)),
            TemplateLine::Text(t) => {
                if is_heading1(&t) {
                    out.push(Block::heading1(t));
                } else if is_heading2(&t) {
                    out.push(Block::heading2(t));
                } else {
                    out.push(Block::body(t));
                }
            }
        }
    }
    out
}

fn short_title(t: &str) -> bool {
    t.chars().count() <= 24 && !t.contains('。') && !t.contains('，')
}

fn is_heading1(t: &str) -> bool {
    let Some((num, _)) = t.split_once('、') else {
        return false;
    };
    !num.is_empty() && num.chars().all(|c| "一二三四五六七八九十".contains(c)) && short_title(t)
}

fn is_heading2(t: &str) -> bool {
    t.starts_with('（')
        && t.find('）')
            .is_some_and(|i| t[3..i].chars().all(|c| "一二三四五六七八九十".contains(c)) && i > 3)
        && short_title(t)
}

/// 附注 with the contact: below the date, two characters in, in parentheses (GB/T 9704 §7.3.6).
/// A letter to one addressee whose wording announces the amounts ("明细见下表"): title, number,
/// addressee, the wording with the table after that paragraph, signature and date, contact.
#[allow(clippy::too_many_arguments)]
fn letter_with_table(
    issuer: &str,
    title: &str,
    number: &str,
    addressee: &str,
    wording: Vec<TemplateLine>,
    amounts: &[RecoveryLine],
    date: NaiveDate,
    contact: &Contact,
) -> Built {
    let mut blocks = title_blocks(issuer, title);
    blocks.extend(number_block(number));
    blocks.push(Block::line(format!("{addressee}："), Align::Left));
    let mut body = template_blocks(wording, &mut |_| Vec::new());
    let pos = body
        .iter()
        .position(|b| matches!(b, Block::Para { text, .. } if text.contains("见下表")))
        .map(|i| i + 1)
        .unwrap_or(body.len());
    body.insert(pos, lines_table(amounts));
    blocks.extend(body);
    blocks.push(signature(issuer, date));
    blocks.extend(contact_block(contact));
    Built {
        blocks,
        always_number_pages: true,
    }
}

fn contact_block(c: &Contact) -> Vec<Block> {
    let mut parts = Vec::new();
    if !c.name.trim().is_empty() {
        parts.push(format!("联系人：{}", c.name.trim()));
    }
    if !c.phone.trim().is_empty() {
        parts.push(format!("联系电话：{}", c.phone.trim()));
    }
    if !c.address.trim().is_empty() {
        parts.push(format!("地址：{}", c.address.trim()));
    }
    if parts.is_empty() {
        return Vec::new();
    }
    vec![Block::body(format!("（{}）", parts.join("；")))]
}

fn measures(lines: &[RecoveryLine], fine: &Option<FineData>, other: &[String]) -> Vec<Block> {
    let total: Money = lines.iter().map(|l| l.amount).sum();
    let mut items = Vec::new();
    if !total.is_zero() {
        items.push(format!(
            "责令退回违法违规使用的医疗保障基金人民币{}（¥{}）",
            total.in_words(),
            total.grouped()
        ));
    }
    if let Some(f) = fine {
        match f.multiple {
            Some(m) => items.push(format!(
                "处违法违规使用医疗保障基金金额{}倍的罚款，计人民币{}（¥{}）",
                m.normalize(),
                f.amount.in_words(),
                f.amount.grouped()
            )),
            None => items.push(format!(
                "处罚款人民币{}（¥{}）",
                f.amount.in_words(),
                f.amount.grouped()
            )),
        }
    }
    items.extend(
        other
            .iter()
            .map(|s| s.trim().trim_end_matches(['。', '；']).to_string()),
    );
    let n = items.len();
    let mut out: Vec<Block> = items
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            Block::body(format!(
                "{}{}{}",
                paren_num(i + 1),
                s,
                if i + 1 == n { "。" } else { "；" }
            ))
        })
        .collect();
    if !lines.is_empty() {
        out.push(lines_table(lines));
    }
    out
}

fn numbered_paras(items: &[String]) -> Vec<Block> {
    let n = items.len();
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.trim().trim_end_matches(['。', '；', ';']);
            Block::body(format!(
                "{}{}{}",
                paren_num(i + 1),
                s,
                if i + 1 == n { "。" } else { "；" }
            ))
        })
        .collect()
}

fn party_lines(p: &Party) -> Vec<Block> {
    // 行政处罚法 art. 59 (一): name or title and address of the party.
    let mut out = Vec::new();
    match p.kind {
        PartyKind::Institution => {
            out.push(Block::line(format!("当事人：{}", p.name), Align::Left));
            if !p.credit_code.trim().is_empty() {
                out.push(Block::line(
                    format!("统一社会信用代码：{}", p.credit_code),
                    Align::Left,
                ));
            }
            if !p.code.trim().is_empty() {
                out.push(Block::line(format!("机构编码：{}", p.code), Align::Left));
            }
            if !p.legal_representative.trim().is_empty() {
                out.push(Block::line(
                    format!("法定代表人（负责人）：{}", p.legal_representative),
                    Align::Left,
                ));
            }
        }
        PartyKind::Insured => {
            out.push(Block::line(format!("当事人：{}", p.name), Align::Left));
            if !p.code.trim().is_empty() {
                out.push(Block::line(format!("身份证号码：{}", p.code), Align::Left));
            }
        }
    }
    out.push(Block::Para {
        text: format!("地址：{}", p.address),
        style: Style::body(),
        align: Align::Justify,
        indent: 0.0,
        leading: 0.0,
    });
    out
}

fn fields(pairs: Vec<(&str, String)>) -> BTreeMap<&str, String> {
    pairs.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Builders.

pub fn build(doc: &Document, templates: &Templates) -> Result<Built, ApiError> {
    match doc {
        Document::RefundOrder(d) => refund_order(d, templates),
        Document::RecoveryNotice(d) => recovery_notice(d, templates),
        Document::RecoverySlip(d) => recovery_slip(d, templates),
        Document::HandlingDecision(d) => decision(d, DocumentKind::HandlingDecision, templates),
        Document::PenaltyDecision(d) => decision(d, DocumentKind::PenaltyDecision, templates),
        Document::SelfRefundInstitution(d) => self_refund_institution(d, templates),
        Document::SelfRefundInsured(d) => self_refund_insured(d, templates),
        Document::OffsetNotice(d) => offset_notice(d, templates),
        Document::StatementNotice(d) => statement_notice(d, templates),
        Document::ServiceReceipt(d) => service_receipt(d),
    }
}

fn refund_order(d: &RefundOrderData, t: &Templates) -> Result<Built, ApiError> {
    require("issuer", "发文机关", &d.issuer)?;
    require("party.name", "当事人名称", &d.party.name)?;
    check_deadline("deadline", d.deadline, d.issue_date)?;
    let total = check_lines(&d.lines)?;
    let (amount, words) = money_fields(total);
    let f = fields(vec![
        ("party_name", d.party.name.clone()),
        ("party_you", d.party.you().to_string()),
        ("issuer", d.issuer.clone()),
        ("inspection_date", cn_date(d.inspection_date)),
        ("inspection_name", d.inspection_name.clone()),
        ("findings", inline_list(&d.findings)),
        ("violated_provisions", d.violated_provisions.clone()),
        ("legal_basis", d.legal_basis.clone()),
        ("amount", amount),
        ("amount_words", words),
        ("deadline", cn_date(d.deadline)),
        ("agency_name", d.agency.name.clone()),
    ]);
    let lines = expand(DocumentKind::RefundOrder, t, &f)?;
    Ok(letter_with_table(
        &d.issuer,
        "责令退款通知书",
        &d.document_number,
        &d.party.name,
        lines,
        &d.lines,
        d.issue_date,
        &d.contact,
    ))
}

fn recovery_notice(d: &RecoveryNoticeData, t: &Templates) -> Result<Built, ApiError> {
    require("issuer", "发文机关", &d.issuer)?;
    require("agency.name", "医保经办机构", &d.agency.name)?;
    check_deadline("deadline", d.deadline, d.issue_date)?;
    check_deadline("report_deadline", d.report_deadline, d.issue_date)?;
    let total = check_lines(&d.lines)?;
    let (amount, words) = money_fields(total);
    let f = fields(vec![
        ("agency_name", d.agency.name.clone()),
        ("issuer", d.issuer.clone()),
        ("party_name", d.party.name.clone()),
        ("inspection_date", cn_date(d.inspection_date)),
        ("inspection_name", d.inspection_name.clone()),
        ("findings", inline_list(&d.findings)),
        ("legal_basis", d.legal_basis.clone()),
        ("amount", amount),
        ("amount_words", words),
        ("refund_order_number", d.refund_order_number.clone()),
        ("deadline", cn_date(d.deadline)),
        ("report_deadline", cn_date(d.report_deadline)),
    ]);
    let lines = expand(DocumentKind::RecoveryNotice, t, &f)?;
    Ok(letter_with_table(
        &d.issuer,
        "关于追回医保基金通知书",
        &d.document_number,
        &d.agency.name,
        lines,
        &d.lines,
        d.issue_date,
        &d.contact,
    ))
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

fn recovery_slip(d: &RecoverySlipData, t: &Templates) -> Result<Built, ApiError> {
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

    // A form is set in 五号 (10.5 pt) so that the whole 通知单 fits one page.
    let style = form_style();
    let mut rows: Vec<Row> = Vec::new();
    let row = |cells: Vec<Cell>| Row {
        cells,
        keep_with_next: false,
    };
    // 004 附件1 row 1: 追回基金来源 with four boxes; a source outside the three is "其他：<label>".
    let src = d.source;
    let listed = matches!(
        src,
        RecoverySource::Inspection
            | RecoverySource::AgreementManagement
            | RecoverySource::SettlementReview
    );
    rows.push(row(vec![
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
    ]));
    let inst = d.party.kind == PartyKind::Institution;
    rows.push(row(vec![
        Cell::new("追缴对象").span(1, 2),
        Cell::left(format!("{}定点医药机构", box_(inst))),
        Cell::left(if inst {
            format!(
                "机构名称：{}\n联系人：{}　联系电话：{}",
                d.party.name, d.party.contact, d.party.phone
            )
        } else {
            "机构名称：\n联系人：　　　　联系电话：".to_string()
        })
        .span(3, 1),
    ]));
    rows.push(row(vec![
        Cell::left(format!("{}参保人员", box_(!inst))),
        Cell::left(if inst {
            "参保人姓名：　　　　联系电话：".to_string()
        } else {
            format!("参保人姓名：{}　联系电话：{}", d.party.name, d.party.phone)
        })
        .span(3, 1),
    ]));
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
    for sf in &d.funds {
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
        let boxes: Vec<String> = SLIP_FUNDS
            .iter()
            .map(|f| {
                format!(
                    "{}{}",
                    box_(
                        *f == sf.fund || (*f == Fund::Other && !SLIP_FUNDS[..7].contains(&sf.fund))
                    ),
                    f.label()
                )
            })
            .collect();
        let other = if SLIP_FUNDS[..7].contains(&sf.fund) {
            String::new()
        } else {
            format!("：{}", sf.fund.label())
        };
        // 缴费信息 spans: 险种 + header + 5 current + 1 prior + 收款人 + 2 amount + 4 account = 15 rows.
        rows.push(Row {
            cells: vec![
                Cell::new("缴费信息").span(1, 15),
                Cell::new("险种"),
                Cell::left(format!("{}{}", boxes.join("　"), other))
                    .span(3, 1)
                    .keep_words(),
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
        rows.push(row(vec![
            Cell::new("开户银行交换行行号").span(2, 1),
            Cell::left(sf.account.bank_code.clone()).span(2, 1),
        ]));
        rows.push(row(vec![
            Cell::new("开户银行").span(2, 1),
            Cell::left(sf.account.bank.clone()).span(2, 1),
        ]));
        rows.push(row(vec![
            Cell::new("开户名称").span(2, 1),
            Cell::left(sf.account.account_name.clone()).span(2, 1),
        ]));
        rows.push(row(vec![
            Cell::new("账号").span(2, 1),
            Cell::left(sf.account.account_number.clone()).span(2, 1),
        ]));
    }
    rows.push(row(vec![
        Cell::new("备注"),
        Cell::left(remark).align(Align::Justify).span(4, 1),
    ]));
    rows.push(row(vec![
        Cell::new("经办机构名称"),
        Cell::left(d.agency.name.clone()).span(4, 1),
    ]));
    rows.push(row(vec![
        Cell::new("经办机构地址"),
        Cell::left(d.agency.address.clone()).span(4, 1),
    ]));

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
    Ok(Built {
        blocks,
        always_number_pages: false,
    })
}

fn decision(d: &DecisionData, kind: DocumentKind, t: &Templates) -> Result<Built, ApiError> {
    require("issuer", "作出决定的机关", &d.issuer)?;
    require("party.name", "当事人名称", &d.party.name)?;
    // 行政处罚法 art. 59 (一): the address is required on the decision.
    require("party.address", "当事人地址", &d.party.address)?;
    require("government", "行政复议机关", &d.government)?;
    require("court", "人民法院", &d.court)?;
    // 行政复议法 (2023) art. 24: the 复议机关 of a county bureau is the county people's government.
    if !d.government.trim().ends_with("人民政府") {
        return Err(ApiError::field("government", "行政复议机关应为本级人民政府（如“某某县人民政府”），2024年起不再向上一级主管部门申请复议"));
    }
    check_deadline("deadline", d.deadline, d.issue_date)?;
    if d.facts.is_empty() {
        return Err(ApiError::field("facts", "违法事实不能为空"));
    }
    if d.evidence.is_empty() {
        return Err(ApiError::field("evidence", "证据不能为空"));
    }
    let total = if d.lines.is_empty() {
        Money::ZERO
    } else {
        check_lines(&d.lines)?
    };
    if kind == DocumentKind::HandlingDecision && d.fine.is_some() {
        return Err(ApiError::field(
            "fine",
            "行政处理决定书不含罚款，罚款应使用行政处罚决定书",
        ));
    }
    if kind == DocumentKind::PenaltyDecision && d.fine.is_none() && d.other_measures.is_empty() {
        return Err(ApiError::field("fine", "行政处罚决定书应载明处罚内容"));
    }
    check_fine(&d.fine, total)?;
    let f = fields(vec![
        ("party_name", d.party.name.clone()),
        ("party_you", d.party.you().to_string()),
        ("issuer", d.issuer.clone()),
        ("inspection_date", cn_date(d.inspection_date)),
        ("inspection_name", d.inspection_name.clone()),
        ("violated_provisions", d.violated_provisions.clone()),
        ("legal_basis", d.legal_basis.clone()),
        ("deadline", cn_date(d.deadline)),
        ("fine_days", "十五".to_string()),
        ("fine_payment", d.fine_payment.clone()),
        ("government", d.government.clone()),
        ("court", d.court.clone()),
        ("agency_name", d.agency.name.clone()),
    ]);
    let lines = expand(kind, t, &f)?;
    let title = if kind == DocumentKind::PenaltyDecision {
        "行政处罚决定书"
    } else {
        "行政处理决定书"
    };
    let mut blocks = title_blocks(&d.issuer, title);
    blocks.extend(number_block(&d.document_number));
    blocks.extend(party_lines(&d.party));
    let you = d.party.you();
    blocks.extend(template_blocks(lines, &mut |m| match m {
        "facts" => numbered_paras(&d.facts),
        "evidence" => numbered_paras(&d.evidence),
        "statement" => {
            let s = if d.statement_summary.trim().is_empty() {
                format!("我局已依法告知{you}拟作出的处理决定及事实、理由、依据，并告知{you}依法享有陈述、申辩的权利。{you}在法定期限内未提出陈述、申辩意见。")
            } else {
                d.statement_summary.trim().to_string()
            };
            vec![Block::body(s)]
        }
        "measures" => measures(&d.lines, &d.fine, &d.other_measures),
        _ => Vec::new(),
    }));
    blocks.push(signature(&d.issuer, d.issue_date));
    Ok(Built {
        blocks,
        always_number_pages: true,
    })
}

/// 亿 千 百 十 万 千 百 十 元 角 分 (004 附件2, 附件3).
const DIGIT_HEADS: [&str; 11] = [
    "亿", "千", "百", "十", "万", "千", "百", "十", "元", "角", "分",
];

/// The amount in the 11 per-digit boxes: digits from the highest non-zero one down to 分, "¥" in the
/// box before it (accounting practice), the rest empty. `words` uses 大写 numerals instead.
pub fn digit_boxes(amount: Money, words: bool) -> Result<[String; 11], ApiError> {
    let fen = amount.fen();
    if fen < 0 {
        return Err(ApiError::field("amount", "金额不能为负数"));
    }
    if fen >= 100_000_000_000 {
        return Err(ApiError::field(
            "amount",
            "金额超出明细单的位数（最大999,999,999.99元）",
        ));
    }
    let s = format!("{fen:011}");
    let first = s.find(|c| c != '0').unwrap_or(10).min(8); // at least 元: 0.05 → 0 元 0 角 5 分
    const DX: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
    let mut out: [String; 11] = Default::default();
    for (i, c) in s.chars().enumerate() {
        if i >= first {
            let d = c.to_digit(10).unwrap() as usize;
            out[i] = if words {
                DX[d].to_string()
            } else {
                c.to_string()
            };
        } else if i + 1 == first && !words {
            out[i] = "¥".to_string();
        }
    }
    Ok(out)
}

/// The 填表说明 under both self-correction forms (004 附件2/3): the two receiving accounts, then
/// the office's template lines, numbered on.
fn form_instructions(
    blocks: &mut Vec<Block>,
    employee: &BankAccount,
    resident: &BankAccount,
    lines: Vec<TemplateLine>,
) {
    blocks.push(Block::Para {
        text: "填表说明：".into(),
        style: Style::new(FontRole::FangSong, 9.0),
        align: Align::Left,
        indent: 0.0,
        leading: 13.0,
    });
    blocks.push(note_block(account_note(1, "职工基本医保", employee)));
    blocks.push(note_block(account_note(2, "居民基本医保", resident)));
    for (i, l) in lines.into_iter().enumerate() {
        if let TemplateLine::Text(s) = l {
            blocks.push(note_block(format!("{}.{}", i + 3, s)));
        }
    }
}

fn account_note(n: usize, label: &str, a: &BankAccount) -> String {
    format!(
        "{n}.{label}缴款账户信息\n户名：{}　　开户银行：{}\n账号：{}　　开户行行号：{}",
        a.account_name, a.bank, a.account_number, a.bank_code
    )
}

/// 填表说明 in 小五 (9 pt) under a form.
fn note_block(text: String) -> Block {
    Block::Para {
        text,
        style: Style::new(FontRole::FangSong, 9.0),
        align: Align::Justify,
        indent: 2.0,
        leading: 13.0,
    }
}

fn self_refund_institution(
    d: &SelfRefundInstitutionData,
    t: &Templates,
) -> Result<Built, ApiError> {
    require("institution_name", "定点医药机构名称", &d.institution_name)?;
    require("institution_code", "机构编码", &d.institution_code)?;
    if d.employee.is_none() && d.resident.is_none() {
        return Err(ApiError::field(
            "employee",
            "职工、居民基本医保至少填写一项",
        ));
    }
    let f = fields(vec![("agency_name", d.agency.name.clone())]);
    let tl = expand(DocumentKind::SelfRefundInstitution, t, &f)?;
    let small = Style::new(FontRole::FangSong, 9.0);
    let tiny = Style::new(FontRole::FangSong, 8.0);
    let mut rows = Vec::new();
    let row = |cells: Vec<Cell>| Row {
        cells,
        keep_with_next: false,
    };
    let (b1, b2, b3) = match &d.kind {
        SelfCorrectionKind::Bureau { .. } => (true, false, false),
        SelfCorrectionKind::Agency { .. } => (false, true, false),
        SelfCorrectionKind::OnOwn => (false, false, true),
    };
    let org = |k: bool| -> String {
        match (&d.kind, k) {
            (
                SelfCorrectionKind::Bureau { organizer } | SelfCorrectionKind::Agency { organizer },
                true,
            ) => organizer.clone(),
            _ => String::new(),
        }
    };
    rows.push(row(vec![
        Cell::new("自查自纠类型\n（必填）").span(1, 3),
        Cell::left(format!(
            "{}医疗保障行政部门组织的自查自纠，组织部门名称：{}",
            box_(b1),
            org(b1)
        ))
        .span(13, 1),
    ]));
    rows.push(row(vec![Cell::left(format!(
        "{}医疗保障经办机构组织的自查自纠，组织部门名称：{}",
        box_(b2),
        org(b2)
    ))
    .span(13, 1)]));
    rows.push(row(vec![Cell::left(format!(
        "{}自行开展的自查自纠",
        box_(b3)
    ))
    .span(13, 1)]));
    rows.push(row(vec![
        Cell::new("定点医药机构\n基本信息\n（必填）"),
        Cell::left(format!(
            "名称：{}　　机构编码：{}",
            d.institution_name, d.institution_code
        ))
        .span(13, 1),
    ]));
    for (label, sec) in [
        ("职工基本医保\n缴款", &d.employee),
        ("居民基本医保\n缴款", &d.resident),
    ] {
        let s = sec.clone().unwrap_or_default();
        let m = |v: Option<Money>| v.map(|x| x.grouped()).unwrap_or_default();
        let total = s.total();
        let digits = if sec.is_some() {
            digit_boxes(total, false)?
        } else {
            Default::default()
        };
        rows.push(row(vec![
            Cell::new(format!(
                "{label}\n{}不涉及此项\n（必选）",
                box_(sec.is_none())
            ))
            .span(1, 9),
            Cell::new("所属年份\n（至少选一项）").style(tiny),
            Cell::new("费用类别\n（至少选一项）").style(tiny),
            Cell::new("应退回金额（元）\n（至少填写一项）")
                .style(small)
                .span(11, 1),
        ]));
        rows.push(row(vec![
            Cell::new("历年"),
            Cell::new("——"),
            Cell::new(m(s.prior_years)).align(Align::Right).span(11, 1),
        ]));
        rows.push(row(vec![
            Cell::new("当年").span(1, 4),
            Cell::new("住院费"),
            Cell::new(m(s.inpatient)).align(Align::Right).span(11, 1),
        ]));
        rows.push(row(vec![
            Cell::new("门诊费"),
            Cell::new(m(s.outpatient)).align(Align::Right).span(11, 1),
        ]));
        rows.push(row(vec![
            Cell::new("门特费"),
            Cell::new(m(s.special_outpatient))
                .align(Align::Right)
                .span(11, 1),
        ]));
        rows.push(row(vec![
            Cell::new("生育津贴"),
            Cell::new(m(s.maternity_allowance))
                .align(Align::Right)
                .span(11, 1),
        ]));
        let mut heads = vec![
            Cell::new("缴款金额\n（必填）").span(1, 3),
            Cell::new("（小写）").span(1, 2),
        ];
        heads.extend(DIGIT_HEADS.iter().map(|h| Cell::new(*h).style(small)));
        rows.push(row(heads));
        rows.push(row(digits.iter().map(|x| Cell::new(x.clone())).collect()));
        rows.push(row(vec![
            Cell::new("（大写）"),
            Cell::left(if sec.is_some() {
                total.in_words()
            } else {
                String::new()
            })
            .span(11, 1),
        ]));
    }
    rows.push(row(vec![Cell::left(format!(
        "定点医药机构（盖章）：　　　　　　　联系人：{}　　联系电话：{}",
        d.contact, d.phone
    ))
    .span(14, 1)]));
    let mut cols = vec![16.0, 14.5, 14.5];
    cols.extend([55.0 / 11.0; 11]);
    let mut blocks = form_title(&d.issuer, "医疗保障基金自查自纠退回明细单");
    blocks.push(subtitle("（定点医药机构）"));
    blocks.push(Block::Table(Table {
        columns: cols,
        header_rows: 0,
        rows,
        style: form_style(),
        min_row_height: 5.5 * MM,
    }));
    form_instructions(&mut blocks, &d.employee_account, &d.resident_account, tl);
    Ok(Built {
        blocks,
        always_number_pages: false,
    })
}

fn self_refund_insured(d: &SelfRefundInsuredData, t: &Templates) -> Result<Built, ApiError> {
    require("name", "参保人员姓名", &d.name)?;
    require("id_number", "身份证号码", &d.id_number)?;
    if !matches!(d.fund, Fund::EmployeeBasic | Fund::ResidentBasic) {
        return Err(ApiError::field(
            "fund",
            "参保类别只能是职工基本医疗保险或居民基本医疗保险",
        ));
    }
    let f = fields(vec![("agency_name", d.agency.name.clone())]);
    let tl = expand(DocumentKind::SelfRefundInsured, t, &f)?;
    let small = Style::new(FontRole::FangSong, 9.0);
    let digits = digit_boxes(d.amount, false)?;
    let words = digit_boxes(d.amount, true)?;
    let row = |cells: Vec<Cell>| Row {
        cells,
        keep_with_next: false,
    };
    let mut rows = Vec::new();
    rows.push(row(vec![
        Cell::new("参保人员\n基本信息\n（必填）"),
        Cell::left(format!("姓名：{}　　身份证号码：{}", d.name, d.id_number)).span(12, 1),
    ]));
    rows.push(row(vec![
        Cell::new("参保类别\n（必选）"),
        Cell::left(format!(
            "{}职工基本医疗保险　　{}居民基本医疗保险",
            box_(d.fund == Fund::EmployeeBasic),
            box_(d.fund == Fund::ResidentBasic)
        ))
        .span(12, 1),
    ]));
    let mut r1 = vec![
        Cell::new("缴款金额\n（必填）").span(1, 4),
        Cell::new("（小写）").span(1, 2),
    ];
    r1.extend(DIGIT_HEADS.iter().map(|h| Cell::new(*h).style(small)));
    rows.push(row(r1));
    rows.push(row(digits.iter().map(|x| Cell::new(x.clone())).collect()));
    let mut r3 = vec![Cell::new("（大写）").span(1, 2)];
    r3.extend(DIGIT_HEADS.iter().map(|h| Cell::new(*h).style(small)));
    rows.push(row(r3));
    rows.push(row(words.iter().map(|x| Cell::new(x.clone())).collect()));
    rows.push(row(vec![
        Cell::new("缴款方式\n（必选）"),
        Cell::left(format!(
            "{}转账汇款　　{}银行临柜现金缴款（需到开户行）",
            box_(d.payment == InsuredPayment::Transfer),
            box_(d.payment == InsuredPayment::CashAtCounter)
        ))
        .span(12, 1),
    ]));
    let agent = d.agent.clone().unwrap_or_default();
    rows.push(row(vec![
        Cell::new("代办人\n基本信息"),
        Cell::left(format!(
            "姓名：{}　　身份证号码：{}",
            agent.name, agent.id_number
        ))
        .span(12, 1),
    ]));
    rows.push(row(vec![Cell::left(format!(
        "本人（或代办人）签名：　　　　　　　　　　联系电话：{}",
        d.phone
    ))
    .span(13, 1)]));
    let mut cols = vec![20.0, 14.0];
    cols.extend([66.0 / 11.0; 11]);
    let mut blocks = form_title(&d.issuer, "医疗保障基金自查自纠退回明细单");
    blocks.push(subtitle("（参保人员）"));
    blocks.push(Block::Table(Table {
        columns: cols,
        header_rows: 0,
        rows,
        style: form_style(),
        min_row_height: 8.0 * MM,
    }));
    form_instructions(&mut blocks, &d.employee_account, &d.resident_account, tl);
    Ok(Built {
        blocks,
        always_number_pages: false,
    })
}

fn offset_notice(d: &OffsetNoticeData, t: &Templates) -> Result<Built, ApiError> {
    require("issuer", "医保经办机构", &d.issuer)?;
    require("slip_number", "追回通知单编号", &d.slip_number)?;
    if !(1..=12).contains(&d.start_month) {
        return Err(ApiError::field("start_month", "开始抵扣月份应为1至12"));
    }
    let total = check_lines(&d.lines)?;
    let (amount, words) = money_fields(total);
    let f = fields(vec![
        ("party_name", d.party.name.clone()),
        ("issuer", d.issuer.clone()),
        ("slip_number", d.slip_number.clone()),
        ("application_date", cn_date(d.application_date)),
        ("amount", amount),
        ("amount_words", words),
        (
            "start_month",
            format!("{}年{}月", d.start_year, d.start_month),
        ),
    ]);
    let lines = expand(DocumentKind::OffsetNotice, t, &f)?;
    Ok(letter_with_table(
        &d.issuer,
        "抵扣通知书",
        &d.document_number,
        &d.party.name,
        lines,
        &d.lines,
        d.issue_date,
        &d.contact,
    ))
}

fn statement_notice(d: &StatementNoticeData, t: &Templates) -> Result<Built, ApiError> {
    require("issuer", "发文机关", &d.issuer)?;
    require("party.name", "当事人名称", &d.party.name)?;
    if d.reply_days == 0 {
        return Err(ApiError::field(
            "reply_days",
            "陈述申辩期限应至少为1个工作日",
        ));
    }
    let total = if d.lines.is_empty() {
        Money::ZERO
    } else {
        check_lines(&d.lines)?
    };
    check_fine(&d.fine, total)?;
    let f = fields(vec![
        ("party_name", d.party.name.clone()),
        ("party_you", d.party.you().to_string()),
        ("issuer", d.issuer.clone()),
        ("inspection_date", cn_date(d.inspection_date)),
        ("inspection_name", d.inspection_name.clone()),
        ("findings", inline_list(&d.findings)),
        ("violated_provisions", d.violated_provisions.clone()),
        ("legal_basis", d.legal_basis.clone()),
        ("reply_days", d.reply_days.to_string()),
        (
            "hearing_days",
            d.hearing_days.map(|x| x.to_string()).unwrap_or_default(),
        ),
    ]);
    let lines = expand(DocumentKind::StatementNotice, t, &f)?;
    let mut blocks = title_blocks(&d.issuer, "陈述申辩告知书");
    blocks.extend(number_block(&d.document_number));
    blocks.push(Block::line(format!("{}：", d.party.name), Align::Left));
    blocks.extend(template_blocks(lines, &mut |m| match m {
        "measures" => measures(&d.lines, &d.fine, &d.other_measures),
        _ => Vec::new(),
    }));
    blocks.push(signature(&d.issuer, d.issue_date));
    blocks.extend(contact_block(&d.contact));
    Ok(Built {
        blocks,
        always_number_pages: true,
    })
}

fn service_receipt(d: &ServiceReceiptData) -> Result<Built, ApiError> {
    require("issuer", "送达机关", &d.issuer)?;
    require("recipient", "受送达人", &d.recipient)?;
    if d.documents.is_empty() {
        return Err(ApiError::field("documents", "送达文书不能为空"));
    }
    if d.servers.iter().filter(|s| !s.trim().is_empty()).count() < 2 {
        // 001 art. 32: at least two officers.
        return Err(ApiError::field("servers", "送达人不得少于两人"));
    }
    let docs: Vec<String> = d
        .documents
        .iter()
        .map(|x| format!("《{}》（{}）", x.title, x.document_number))
        .collect();
    let row = |a: &str, b: String| Row {
        cells: vec![Cell::new(a), Cell::left(b)],
        keep_with_next: false,
    };
    // Filled in by hand at service: signature, then the date (the service date, 行政处罚法 art. 61).
    let signed = |a: &str, b: String| Row {
        cells: vec![
            Cell::new(a),
            Cell::new(format!("{b}\n\n年　　月　　日　")).align(Align::Right),
        ],
        keep_with_next: false,
    };
    let rows = vec![
        row("送达文书名称\n及文号", docs.join("\n")),
        row("受送达人", d.recipient.clone()),
        row("送达地点", d.place.clone()),
        row("送达方式", d.method.clone()),
        signed("受送达人签名\n或盖章", String::new()),
        signed("代收人及\n代收理由", String::new()),
        signed("送达人", d.servers.join("　")),
        signed("见证人", String::new()),
        row("备注", d.remarks.clone()),
    ];
    let mut blocks = title_blocks(&d.issuer, "送达回证");
    blocks.push(Block::Space(0.5));
    blocks.push(Block::Table(Table {
        columns: vec![26.0, 74.0],
        header_rows: 0,
        rows,
        style: Style::new(FontRole::FangSong, 14.0),
        min_row_height: 12.0 * MM,
    }));
    blocks.push(Block::Signature {
        names: vec![format!("{}（印章）", d.issuer)],
        date: "年　　月　　日".to_string(),
        style: Style::body(),
        gap_lines: 0.5,
    });
    Ok(Built {
        blocks,
        always_number_pages: false,
    })
}
