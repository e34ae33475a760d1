//! What the kinds' builders share: checks (required text, deadlines, amounts, fines), money and
//! list formatting, and the blocks (titles, numbers, signature, contact, party lines, the amounts
//! table, measures, template lines with their headings, the letter with a table).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::super::documents::{Built, Contact, FineData, Party, PartyKind, RecoveryLine, YearKind};
use super::super::fonts::FontRole;
use super::super::layout::{Align, Block, Cell, Row, Style, Table, MM};
use super::super::templates::TemplateLine;
use crate::error::ApiError;
use crate::money::Money;
use crate::vocab::dates::cn_date;

/// 人民币 amount: 壹仟贰佰叁拾肆元伍角整（¥1,234.50） is built from these two.
pub(super) fn money_fields(total: Money) -> (String, String) {
    (total.grouped(), total.in_words())
}

/// Join findings into one sentence: a single finding as is, several numbered 1. 2. 3.
pub(super) fn inline_list(items: &[String]) -> String {
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

pub(super) fn box_(checked: bool) -> char {
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
pub(super) fn paren_num(i: usize) -> String {
    match ZH_NUM.get(i) {
        Some(s) if i > 0 => format!("（{s}）"),
        _ => format!("（{i}）"),
    }
}

pub(super) fn require(field: &str, label: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::field(field, format!("{label}不能为空")));
    }
    Ok(())
}

/// A deadline on or before the issue date cannot be met (000 art. 6: the notice names a time limit).
pub(super) fn check_deadline(
    field: &str,
    deadline: NaiveDate,
    issued: NaiveDate,
) -> Result<(), ApiError> {
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

pub(super) fn check_lines(lines: &[RecoveryLine]) -> Result<Money, ApiError> {
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

pub(super) fn check_fine(fine: &Option<FineData>, base: Money) -> Result<(), ApiError> {
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
pub(super) fn form_style() -> Style {
    Style::new(FontRole::FangSong, 10.5)
}

pub(super) fn table_style() -> Style {
    Style::new(FontRole::FangSong, 12.0)
}

/// The fund × year × category table with a total row (header repeated across pages).
pub(super) fn lines_table(lines: &[RecoveryLine]) -> Block {
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
pub(super) fn subtitle(text: &str) -> Block {
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
pub(super) fn form_title(issuer: &str, name: &str) -> Vec<Block> {
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

pub(super) fn title_blocks(issuer: &str, title: &str) -> Vec<Block> {
    vec![
        Block::Title(issuer.to_string()),
        Block::Title(title.to_string()),
    ]
}

/// 发文字号 right-aligned under the title, then one blank line.
pub(super) fn number_block(number: &str) -> Vec<Block> {
    vec![Block::line(number, Align::Right), Block::Space(1.0)]
}

pub(super) fn signature(issuer: &str, date: NaiveDate) -> Block {
    Block::Signature {
        names: vec![issuer.to_string()],
        date: cn_date(date),
        style: Style::body(),
        gap_lines: 2.0,
    }
}

/// Turn a template's lines into blocks; short numbered lines become headings (一、 黑体, （一） 楷体).
pub(super) fn template_blocks(
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

/// A letter to one addressee whose wording announces the amounts ("明细见下表"): title, number,
/// addressee, the wording with the table after that paragraph, signature and date, contact.
#[allow(clippy::too_many_arguments)]
pub(super) fn letter_with_table(
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

/// 附注 with the contact: below the date, two characters in, in parentheses (GB/T 9704 §7.3.6).
pub(super) fn contact_block(c: &Contact) -> Vec<Block> {
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

pub(super) fn measures(
    lines: &[RecoveryLine],
    fine: &Option<FineData>,
    other: &[String],
) -> Vec<Block> {
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

pub(super) fn numbered_paras(items: &[String]) -> Vec<Block> {
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

pub(super) fn party_lines(p: &Party) -> Vec<Block> {
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

pub(super) fn fields(pairs: Vec<(&str, String)>) -> BTreeMap<&str, String> {
    pairs.into_iter().collect()
}
