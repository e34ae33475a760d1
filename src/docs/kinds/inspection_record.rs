//! 现场检查笔录 (001 art. 32; 行政处罚法 art. 42, 55): the record of an on-site inspection, printed
//! for the officers to fill in on the spot — who inspects whom, where and when, the two officers with
//! their 执法证 numbers and the words by which they show them, blank ruled lines for what they find,
//! and the signatures of everyone present. Issued from an administrative case; its date is the
//! inspection's (typed: no step of the case records it).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{Built, Party};
use super::super::layout::{Align, Block, Cell, Row, Table, MM};
use super::super::sources::{CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::cases::{Rule, Track};
use crate::error::{ApiError, Result};
use crate::vocab::dates::cn_date;

/// An officer as the record names them: name and 执法证号.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspector {
    pub name: String,
    pub cert_no: String,
}

/// 现场检查笔录.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRecordData {
    pub issuer: String,
    pub party: Party,
    /// Where the inspection takes place (default: the party's address).
    pub place: String,
    /// At least two (001 art. 32(二); 行政处罚法 art. 42).
    pub inspectors: Vec<Inspector>,
    pub date: NaiveDate,
    /// Blank ruled lines for what is found.
    pub blank_lines: u32,
}

pub struct InspectionRecord;

impl Kind for InspectionRecord {
    const KIND: DocumentKind = DocumentKind::InspectionRecord;
    const TITLE: &'static str = "现场检查笔录";
    const PREFIX_TAG: &'static str = "检";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "被检查单位（人）"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "检查机关"),
        ("inspectors", "检查人员及执法证号"),
    ];
    // 001 art. 32(二)(三): two officers show their certificates; the record is signed by the
    // officers and the party, a refusal noted. 行政处罚法 art. 43: the right to ask for recusal.
    const TEMPLATE: &'static str = "\
我们是{issuer}的执法人员{inspectors}，现向{party_you}出示执法证件，依法进行现场检查。{party_you}应当如实回答询问、提供有关资料，不得拒绝、阻碍检查或者谎报、瞒报；认为执法人员与本案有直接利害关系或者其他关系可能影响公正执法的，有权申请回避。
检查情况：
#lines
以上笔录共  页，经被检查单位（人）核对无误。被检查单位（人）拒绝签名或者盖章的，由检查人员在笔录上注明原因。";

    type Data = InspectionRecordData;

    fn build(d: &InspectionRecordData, t: &Templates) -> Result<Built, ApiError> {
        require("issuer", "检查机关", &d.issuer)?;
        require("party.name", "被检查单位（人）", &d.party.name)?;
        if d.inspectors.len() < 2 {
            return Err(ApiError::field(
                "inspectors",
                "现场检查应有两名以上检查人员",
            ));
        }
        for i in &d.inspectors {
            require("inspectors", "检查人员的执法证号", &i.cert_no)?;
        }
        let names = d
            .inspectors
            .iter()
            .map(|i| format!("{}（执法证号：{}）", i.name, i.cert_no))
            .collect::<Vec<_>>()
            .join("、");
        let f = fields(vec![
            ("party_name", d.party.name.clone()),
            ("party_you", d.party.you().to_string()),
            ("issuer", d.issuer.clone()),
            ("inspectors", names),
        ]);
        let lines = expand(DocumentKind::InspectionRecord, t, &f)?;
        let mut blocks = vec![Block::Title(Self::TITLE.to_string())];
        blocks.push(header_table(d));
        blocks.extend(template_blocks(lines, &mut |m| match m {
            "lines" => vec![ruled_lines(d.blank_lines)],
            _ => Vec::new(),
        }));
        for who in ["被检查单位（人）签名或者盖章", "检查人员签名", "记录人签名"]
        {
            blocks.push(Block::line(
                format!("{who}：                    年    月    日"),
                Align::Left,
            ));
        }
        Ok(Built {
            blocks,
            always_number_pages: true,
        })
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<InspectionRecordData> {
        let case = &c.detail.case;
        if case.track != Track::Administrative {
            return Err(ApiError::illegal(
                "现场检查笔录用于行政执法检查；协议处理案件请使用经办机构的核查记录",
            ));
        }
        let cite = c.rules.cite(Rule::TwoOfficers);
        let mut inspectors = Vec::new();
        for (post, id) in [
            ("承办人", Some(case.handler_id)),
            ("协办人", case.co_handler_id),
        ] {
            let Some(id) = id else { continue };
            crate::cases::users::require_certificate(
                src.conn,
                id,
                src.issued_on,
                "issued_on",
                post,
                &cite,
            )?;
            let u = crate::cases::users::get(src.conn, id)?;
            inspectors.push(Inspector {
                name: u.display_name,
                cert_no: u.cert_no,
            });
        }
        Ok(InspectionRecordData {
            issuer: c.issuer,
            place: c.party.address.clone(),
            party: c.party,
            inspectors,
            date: src.issued_on,
            blank_lines: 12,
        })
    }
}

/// Who, where, when and by whom, as the head of the record.
fn header_table(d: &InspectionRecordData) -> Block {
    let row = |cells: Vec<Cell>| Row {
        cells,
        keep_with_next: true,
    };
    let inspectors = d
        .inspectors
        .iter()
        .map(|i| format!("{}　执法证号：{}", i.name, i.cert_no))
        .collect::<Vec<_>>()
        .join("；");
    let rows = vec![
        row(vec![
            Cell::new("检查时间"),
            Cell::left(format!("{}    时    分至    时    分", cn_date(d.date))).span(3, 1),
        ]),
        row(vec![
            Cell::new("检查地点"),
            Cell::left(d.place.clone()).span(3, 1),
        ]),
        row(vec![
            Cell::new("被检查单位（人）"),
            Cell::left(d.party.name.clone()),
            Cell::new("联系电话"),
            Cell::left(d.party.phone.clone()),
        ]),
        row(vec![
            Cell::new("法定代表人（负责人）"),
            Cell::left(d.party.legal_representative.clone()),
            Cell::new("在场人员"),
            Cell::left(""),
        ]),
        row(vec![
            Cell::new("检查人员"),
            Cell::left(inspectors).span(3, 1),
        ]),
        row(vec![Cell::new("记录人"), Cell::left("").span(3, 1)]),
    ];
    Block::Table(Table {
        columns: vec![22.0, 34.0, 16.0, 28.0],
        header_rows: 0,
        rows,
        style: table_style(),
        min_row_height: 9.0 * MM,
    })
}

/// Blank ruled lines to write on.
fn ruled_lines(n: u32) -> Block {
    Block::Table(Table {
        columns: vec![100.0],
        header_rows: 0,
        rows: (0..n.max(1))
            .map(|_| Row {
                cells: vec![Cell::left("")],
                keep_with_next: false,
            })
            .collect(),
        style: table_style(),
        min_row_height: 9.0 * MM,
    })
}
