//! 医疗保障基金自查自纠退回明细单 (004 附件2 for an institution, 附件3 for an insured person):
//! one-page forms with amounts in per-digit boxes, printed from a self-correction record (no
//! case). The two kinds share the digit boxes, the 填表说明 and the record's loading.

use serde::{Deserialize, Serialize};

use super::super::documents::{
    Agency, BankAccount, Built, ExpenseCategory, Fund, PartyKind, YearKind,
};
use super::super::fonts::FontRole;
use super::super::layout::{Align, Block, Cell, Row, Style, Table, MM};
use super::super::sources::{SelfCorrectionFacts, Source};
use super::super::templates::{expand, DocumentKind, TemplateLine, Templates};
use super::common::*;
use super::Kind;
use crate::error::{ApiError, Result};
use crate::ledger::types::{Organizer, SelfCorrection};
use crate::money::Money;

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

/// The fields of both forms' templates.
const FORM_FIELDS: &[(&str, &str)] = &[("agency_name", "所属医保经办机构")];

pub struct SelfRefundInstitution;

impl Kind for SelfRefundInstitution {
    const KIND: DocumentKind = DocumentKind::SelfRefundInstitution;
    const TITLE: &'static str = "医疗保障基金自查自纠退回明细单";
    const PREFIX_TAG: &'static str = "自纠";
    const FIELDS: &'static [(&'static str, &'static str)] = FORM_FIELDS;
    const TEMPLATE: &'static str = "\
本文书由自查自纠主体填写，并在缴款后3个工作日内连同缴款凭证一并提交{agency_name}。
自查自纠通知应作为本文书附件附后。
如需其他险种开户行账号，请向{agency_name}咨询。";
    type Data = SelfRefundInstitutionData;

    fn build(d: &SelfRefundInstitutionData, t: &Templates) -> Result<Built, ApiError> {
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
        let mut rows = kind_rows(d);
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
            rows.extend(section_rows(label, sec)?);
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

    fn from_self_correction(
        src: &Source<'_>,
        sc: SelfCorrectionFacts,
    ) -> Result<SelfRefundInstitutionData> {
        institution_data(src, sc)
    }
}

pub struct SelfRefundInsured;

impl Kind for SelfRefundInsured {
    const KIND: DocumentKind = DocumentKind::SelfRefundInsured;
    const TITLE: &'static str = "医疗保障基金自查自纠退回明细单";
    const PREFIX_TAG: &'static str = "自纠";
    const FIELDS: &'static [(&'static str, &'static str)] = FORM_FIELDS;
    const TEMPLATE: &'static str = "\
银行临柜现金缴款时需到上述开户银行办理。
本文书由自查自纠主体填写，并在缴款后3个工作日内连同缴款凭证一并提交{agency_name}。
如需其他险种开户行账号，请向{agency_name}咨询。";
    type Data = SelfRefundInsuredData;

    fn build(d: &SelfRefundInsuredData, t: &Templates) -> Result<Built, ApiError> {
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

    fn from_self_correction(
        src: &Source<'_>,
        sc: SelfCorrectionFacts,
    ) -> Result<SelfRefundInsuredData> {
        insured_data(src, sc)
    }
}

fn row(cells: Vec<Cell>) -> Row {
    Row {
        cells,
        keep_with_next: false,
    }
}

/// 自查自纠类型 (必填): three boxes, the organising department after the ticked one.
fn kind_rows(d: &SelfRefundInstitutionData) -> Vec<Row> {
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
    vec![
        row(vec![
            Cell::new("自查自纠类型\n（必填）").span(1, 3),
            Cell::left(format!(
                "{}医疗保障行政部门组织的自查自纠，组织部门名称：{}",
                box_(b1),
                org(b1)
            ))
            .span(13, 1),
        ]),
        row(vec![Cell::left(format!(
            "{}医疗保障经办机构组织的自查自纠，组织部门名称：{}",
            box_(b2),
            org(b2)
        ))
        .span(13, 1)]),
        row(vec![
            Cell::left(format!("{}自行开展的自查自纠", box_(b3))).span(13, 1)
        ]),
    ]
}

/// One fund's section of 附件2: 历年 and the four 当年 categories, the amount in digit boxes and
/// in words; `None` = 不涉及此项 (ticked, left empty).
fn section_rows(label: &str, sec: &Option<SelfRefundSection>) -> Result<Vec<Row>, ApiError> {
    let small = Style::new(FontRole::FangSong, 9.0);
    let tiny = Style::new(FontRole::FangSong, 8.0);
    let mut rows = Vec::new();
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
    Ok(rows)
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

/// The record was filed by the other kind of party: its form is the other one (附件2 / 附件3).
pub(super) fn other_form(filed_by: PartyKind) -> ApiError {
    match filed_by {
        PartyKind::Institution => ApiError::field(
            "kind",
            "该退回明细单由定点医药机构填报，应打印定点医药机构的退回明细单，不能打印参保人员的",
        ),
        PartyKind::Insured => ApiError::field(
            "kind",
            "该退回明细单由参保人员填报，应打印参保人员的退回明细单，不能打印定点医药机构的",
        ),
    }
}

/// 附件2 from an institution's record: its name and code, the record's lines in the two sections.
fn institution_data(src: &Source<'_>, f: SelfCorrectionFacts) -> Result<SelfRefundInstitutionData> {
    let sc = &f.record;
    if sc.party_kind != PartyKind::Institution {
        return Err(other_form(sc.party_kind));
    }
    let settings = src.settings;
    let inst_id = sc
        .institution_id
        .ok_or_else(|| ApiError::internal("退回明细单没有定点医药机构"))?;
    let (name, code): (String, String) = src.conn.query_row(
        "SELECT name, code FROM institution WHERE id = ?1",
        [inst_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (employee, resident) = sections(sc)?;
    Ok(SelfRefundInstitutionData {
        issuer: f.issuer,
        kind: match sc.organizer {
            Organizer::Bureau => SelfCorrectionKind::Bureau {
                organizer: sc.organizer_name.clone(),
            },
            Organizer::Agency => SelfCorrectionKind::Agency {
                organizer: sc.organizer_name.clone(),
            },
            Organizer::SelfInitiated => SelfCorrectionKind::OnOwn,
        },
        institution_name: name,
        institution_code: code,
        employee,
        resident,
        contact: sc.contact.clone(),
        phone: sc.phone.clone(),
        employee_account: settings.employee_account.clone(),
        resident_account: settings.resident_account.clone(),
        agency: f.agency,
    })
}

/// 附件2 has one section per basic fund (职工 / 居民), each 历年 and 当年 by 住院费 / 门诊费 /
/// 门特费 / 生育津贴; a section without money is ticked 不涉及此项.
#[allow(clippy::type_complexity)]
fn sections(sc: &SelfCorrection) -> Result<(Option<SelfRefundSection>, Option<SelfRefundSection>)> {
    let mut employee: Option<SelfRefundSection> = None;
    let mut resident: Option<SelfRefundSection> = None;
    for l in &sc.lines {
        let section = match l.fund {
            Fund::EmployeeBasic => employee.get_or_insert_with(Default::default),
            Fund::ResidentBasic => resident.get_or_insert_with(Default::default),
            other => {
                return Err(ApiError::validation(format!(
                "定点医药机构的退回明细单只有职工基本医保和居民基本医保两栏，本记录含{}，无法打印",
                other.label()
            )))
            }
        };
        let slot = match (l.year_kind, l.category) {
            (Some(YearKind::CurrentYear), Some(ExpenseCategory::Inpatient)) => {
                &mut section.inpatient
            }
            (Some(YearKind::CurrentYear), Some(ExpenseCategory::Outpatient)) => {
                &mut section.outpatient
            }
            (Some(YearKind::CurrentYear), Some(ExpenseCategory::SpecialOutpatient)) => {
                &mut section.special_outpatient
            }
            (Some(YearKind::CurrentYear), Some(ExpenseCategory::MaternityAllowance)) => {
                &mut section.maternity_allowance
            }
            // 历年 is not split by category (附件2 "——"); an unknown year is booked as
            // cross-year (004 art. 12).
            (Some(YearKind::PriorYears) | None, None) => &mut section.prior_years,
            _ => {
                return Err(ApiError::validation(format!(
                    "定点医药机构的退回明细单没有“{}”这一栏，无法打印",
                    l.label
                )))
            }
        };
        *slot = Some(slot.unwrap_or(Money::ZERO) + l.due);
    }
    Ok((employee, resident))
}

/// 附件3 from an insured person's record: the person, the scheme, the amount and how it was paid.
fn insured_data(src: &Source<'_>, f: SelfCorrectionFacts) -> Result<SelfRefundInsuredData> {
    let sc = &f.record;
    if sc.party_kind != PartyKind::Insured {
        return Err(other_form(sc.party_kind));
    }
    let settings = src.settings;
    let insured_id = sc
        .insured_id
        .ok_or_else(|| ApiError::internal("退回明细单没有参保人员"))?;
    let (name, id_number, phone): (String, String, String) = src.conn.query_row(
        "SELECT name, id_number, phone FROM insured WHERE id = ?1",
        [insured_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let fund = sc
        .scheme
        .ok_or_else(|| ApiError::internal("参保人员的退回明细单没有参保类别"))?;
    // 附件3: 转账汇款 or 银行临柜现金缴款 — the way the money handed in with the form was
    // paid (the latest valid payment), else 转账汇款, the usual way (004 art. 9).
    let payment = match sc
        .payments
        .iter()
        .rev()
        .find(|p| p.cancelled_on.is_none())
        .map(|p| p.method)
    {
        Some(crate::ledger::types::PaymentMethod::BankCounter) => InsuredPayment::CashAtCounter,
        _ => InsuredPayment::Transfer,
    };
    let agent = (!sc.agent_name.trim().is_empty()).then(|| Agent {
        name: sc.agent_name.clone(),
        id_number: sc.agent_id_number.clone(),
    });
    Ok(SelfRefundInsuredData {
        issuer: f.issuer,
        name,
        id_number,
        fund,
        amount: sc.totals.due,
        payment,
        agent,
        phone: if sc.phone.trim().is_empty() {
            phone
        } else {
            sc.phone.clone()
        },
        employee_account: settings.employee_account.clone(),
        resident_account: settings.resident_account.clone(),
        agency: f.agency,
    })
}
