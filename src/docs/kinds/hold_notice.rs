//! The papers of the two evidence holds, each with its list (清单): the 先行登记保存通知书
//! (行政处罚法 art. 56; 001 art. 35(五), 36(一): approved by the head, decided within seven days)
//! and the 封存决定书 (条例 art. 27; 行政强制法 art. 24–25; 001 art. 36(二): handed over on the
//! spot with its list, at most thirty days, once extendable by thirty). Issued from a case's latest
//! hold of that kind (`evidence.hold`); the paper's date is the day the hold started. The
//! 延长封存期限通知书 (行政强制法 art. 25: 延长查封、扣押的决定应当及时书面告知当事人，并说明理由) is
//! dated the day the extension was decided (`evidence.extend_hold`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{Built, Contact, Party};
use super::super::layout::{Align, Block, Cell, Row, Table, MM};
use super::super::sources::{CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::cases::cases::HoldKind;
use crate::cases::Rule;
use crate::error::{ApiError, Result};
use crate::vocab::dates::cn_date;
use crate::vocab::Labeled;

/// A hold's paper: who, what (one item a line of the list), since when, until when, on what basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldNoticeData {
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    /// What is held, one item per entry (名称、数量、特征 as the officers wrote them).
    pub items: Vec<String>,
    pub started_on: NaiveDate,
    /// 登记保存: the decision is due by; 封存: the hold ends on.
    pub due_on: NaiveDate,
    /// The citation the paper prints (the office's rule for this hold).
    pub basis: String,
    pub contact: Contact,
}

/// The items of a hold as typed (one a line, or separated by ；/;), for the list.
pub fn hold_items(text: &str) -> Vec<String> {
    text.split(['\n', '；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn check(d: &HoldNoticeData) -> Result<()> {
    require("issuer", "发文机关", &d.issuer)?;
    require("party.name", "当事人名称", &d.party.name)?;
    if d.items.is_empty() {
        return Err(ApiError::field(
            "items",
            "清单不能为空：请写明登记保存或封存的物品、资料",
        ));
    }
    if d.due_on < d.started_on {
        return Err(ApiError::field(
            "due_on",
            format!(
                "期限（{}）不能早于开始日期（{}）",
                cn_date(d.due_on),
                cn_date(d.started_on)
            ),
        ));
    }
    Ok(())
}

/// The list (清单): 序号 and 名称及说明, header repeated across pages.
fn items_table(items: &[String]) -> Block {
    let mut rows = vec![Row {
        cells: vec![Cell::new("序号"), Cell::new("物品、资料名称及数量")],
        keep_with_next: true,
    }];
    for (i, item) in items.iter().enumerate() {
        rows.push(Row {
            cells: vec![
                Cell::new((i + 1).to_string()),
                Cell::new(item.clone()).align(Align::Left),
            ],
            keep_with_next: false,
        });
    }
    Block::Table(Table {
        columns: vec![12.0, 88.0],
        header_rows: 1,
        rows,
        style: table_style(),
        min_row_height: 8.0 * MM,
    })
}

fn hold_fields(d: &HoldNoticeData) -> std::collections::BTreeMap<&'static str, String> {
    fields(vec![
        ("party_name", d.party.name.clone()),
        ("party_you", d.party.you().to_string()),
        ("issuer", d.issuer.clone()),
        ("started_on", cn_date(d.started_on)),
        ("due_on", cn_date(d.due_on)),
        ("basis", d.basis.clone()),
        ("count", d.items.len().to_string()),
    ])
}

fn build_hold(
    kind: DocumentKind,
    title: &str,
    d: &HoldNoticeData,
    t: &Templates,
) -> Result<Built, ApiError> {
    build_hold_with(kind, title, d, t, hold_fields(d), d.started_on)
}

fn build_hold_with(
    kind: DocumentKind,
    title: &str,
    d: &HoldNoticeData,
    t: &Templates,
    values: std::collections::BTreeMap<&'static str, String>,
    dated: NaiveDate,
) -> Result<Built, ApiError> {
    check(d)?;
    let lines = expand(kind, t, &values)?;
    let mut blocks = title_blocks(&d.issuer, title);
    blocks.extend(number_block(&d.document_number));
    blocks.push(Block::line(format!("{}：", d.party.name), Align::Left));
    blocks.extend(template_blocks(lines, &mut |m| match m {
        "list" => vec![items_table(&d.items)],
        _ => Vec::new(),
    }));
    blocks.push(signature(&d.issuer, dated));
    blocks.extend(contact_block(&d.contact));
    // Received on the spot (001 art. 36(二)): the party signs the paper and its list.
    blocks.push(Block::line(
        "当事人（签名或者盖章）：                    年    月    日",
        Align::Left,
    ));
    Ok(Built {
        blocks,
        always_number_pages: true,
    })
}

/// The case's latest hold of `kind`, as the paper prints it.
fn from_hold(
    src: &Source<'_>,
    c: CaseFacts,
    kind: HoldKind,
    title: &str,
    rule: Rule,
) -> Result<HoldNoticeData> {
    let Some(h) = c.detail.holds.iter().rev().find(|h| h.kind == kind) else {
        return Err(ApiError::illegal(format!(
            "案件尚未登记{}，不能开具{title}：请先在“调查取证”中登记{}",
            kind.label(),
            kind.label()
        )));
    };
    let _ = src;
    Ok(hold_data(&c, h, rule))
}

fn hold_data(c: &CaseFacts, h: &crate::cases::cases::EvidenceHold, rule: Rule) -> HoldNoticeData {
    HoldNoticeData {
        issuer: c.issuer.clone(),
        document_number: c.number.clone(),
        party: c.party.clone(),
        items: hold_items(&h.items),
        started_on: h.started_on,
        due_on: h.due_on,
        basis: c.rules.text(rule).to_string(),
        contact: c.contact.clone(),
    }
}

pub struct RegistrationNotice;

impl Kind for RegistrationNotice {
    const KIND: DocumentKind = DocumentKind::RegistrationNotice;
    const TITLE: &'static str = "先行登记保存通知书";
    const PREFIX_TAG: &'static str = "登存";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
        ("started_on", "登记保存日期"),
        ("due_on", "作出处理决定的期限"),
        ("basis", "依据"),
        ("count", "清单项数"),
    ];
    // 行政处罚法 art. 56: approved by the head; a decision within seven days; the party may not
    // destroy or move the evidence meanwhile.
    const TEMPLATE: &'static str = "\
我局在调查中发现，{party_you}的下列物品、资料可能灭失或者以后难以取得。经本局负责人批准，依据{basis}的规定，自{started_on}起对其予以先行登记保存，共{count}项，清单如下：
#list
登记保存期间，{party_you}不得使用、销毁或者转移上述物品、资料。我局将于{due_on}前依法作出处理决定。";

    type Data = HoldNoticeData;

    fn build(d: &HoldNoticeData, t: &Templates) -> Result<Built, ApiError> {
        build_hold(Self::KIND, Self::TITLE, d, t)
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<HoldNoticeData> {
        from_hold(
            src,
            c,
            HoldKind::Registration,
            Self::TITLE,
            Rule::EvidenceRegistration,
        )
    }
}

pub struct SealingDecision;

impl Kind for SealingDecision {
    const KIND: DocumentKind = DocumentKind::SealingDecision;
    const TITLE: &'static str = "封存决定书";
    const PREFIX_TAG: &'static str = "封";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
        ("started_on", "封存日期"),
        ("due_on", "封存期限届满日"),
        ("basis", "依据"),
        ("count", "清单项数"),
    ];
    // 行政强制法 art. 24: the reason, basis and period, the items (清单), and how to seek
    // 行政复议 / 行政诉讼 and in what time; art. 25: thirty days, once extendable.
    const TEMPLATE: &'static str = "\
我局在监督检查中发现，{party_you}的下列资料可能被转移、隐匿或者灭失。经本局负责人批准，依据{basis}的规定，决定自{started_on}起予以封存，封存期限至{due_on}，共{count}项，清单如下：
#list
封存期间，任何单位和个人不得擅自启封、转移、损毁上述资料。情况复杂需要延长封存期限的，我局将经负责人批准后另行书面告知。
{party_you}如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。";

    type Data = HoldNoticeData;

    fn build(d: &HoldNoticeData, t: &Templates) -> Result<Built, ApiError> {
        build_hold(Self::KIND, Self::TITLE, d, t)
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<HoldNoticeData> {
        from_hold(src, c, HoldKind::Sealing, Self::TITLE, Rule::Sealing)
    }
}

/// The 延长封存期限通知书: the hold's paper, with the day the extension was decided, why, and the
/// day the hold would have ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealingExtensionData {
    /// The hold as extended (`due_on`: the new last day).
    #[serde(flatten)]
    pub hold: HoldNoticeData,
    pub due_before: NaiveDate,
    pub extended_on: NaiveDate,
    pub reason: String,
}

pub struct SealingExtensionNotice;

impl Kind for SealingExtensionNotice {
    const KIND: DocumentKind = DocumentKind::SealingExtensionNotice;
    const TITLE: &'static str = "延长封存期限通知书";
    const PREFIX_TAG: &'static str = "延封";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
        ("started_on", "封存日期"),
        ("due_before", "原封存期限届满日"),
        ("due_on", "延长后的封存期限届满日"),
        ("extended_on", "延长决定日期"),
        ("reason", "延长理由"),
        ("basis", "依据"),
        ("count", "清单项数"),
    ];
    // 行政强制法 art. 25: 情况复杂的，经行政机关负责人批准，可以延长，但是延长期限不得超过三十日。
    // 延长查封、扣押的决定应当及时书面告知当事人，并说明理由. Like the decision, it can be appealed.
    const TEMPLATE: &'static str = "\
我局于{started_on}对{party_you}的有关资料予以封存，封存期限至{due_before}。因{reason}，情况复杂，经本局负责人批准，依据{basis}的规定，决定将封存期限延长至{due_on}。延长封存的资料共{count}项，清单如下：
#list
封存期间，任何单位和个人不得擅自启封、转移、损毁上述资料。
{party_you}如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。";

    type Data = SealingExtensionData;

    fn build(d: &SealingExtensionData, t: &Templates) -> Result<Built, ApiError> {
        require("reason", "延长理由", &d.reason)?;
        let mut values = hold_fields(&d.hold);
        values.insert("due_before", cn_date(d.due_before));
        values.insert("extended_on", cn_date(d.extended_on));
        values.insert("reason", d.reason.clone());
        build_hold_with(Self::KIND, Self::TITLE, &d.hold, t, values, d.extended_on)
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<SealingExtensionData> {
        let _ = src;
        let Some(h) = c
            .detail
            .holds
            .iter()
            .rev()
            .find(|h| h.kind == HoldKind::Sealing && h.extended)
        else {
            return Err(ApiError::illegal(
                "案件没有延长的封存措施：封存期限经负责人批准延长后，才能开具延长封存期限通知书",
            ));
        };
        let (Some(on), Some(before)) = (h.extended_on, h.due_before_extension) else {
            return Err(ApiError::illegal(
                "该封存的延长登记时未记录决定日期和理由，不能开具延长封存期限通知书",
            ));
        };
        Ok(SealingExtensionData {
            hold: hold_data(&c, h, Rule::Sealing),
            due_before: before,
            extended_on: on,
            reason: h.extension_reason.clone(),
        })
    }
}
