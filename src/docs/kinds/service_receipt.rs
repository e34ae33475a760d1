//! 送达回证 (行政处罚法 art. 61): the receipt the party signs when documents are served; lists
//! the case's documents registered for service.

use serde::{Deserialize, Serialize};

use super::super::documents::Built;
use super::super::fonts::FontRole;
use super::super::layout::{Align, Block, Cell, Row, Style, Table, MM};
use super::super::sources::{CaseFacts, Source};
use super::super::templates::{DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::error::{ApiError, Result};

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
    /// The receipt's own number (one receipt per document served); receipts issued before it was
    /// printed carry none.
    #[serde(default)]
    pub number: String,
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

pub struct ServiceReceipt;

impl Kind for ServiceReceipt {
    const KIND: DocumentKind = DocumentKind::ServiceReceipt;
    const TITLE: &'static str = "送达回证";
    const PREFIX_TAG: &'static str = "送";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
    ];
    /// The receipt is a form with no wording of its own.
    const TEMPLATE: &'static str = "";
    type Data = ServiceReceiptData;

    fn build(d: &ServiceReceiptData, _t: &Templates) -> Result<Built, ApiError> {
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
        if !d.number.trim().is_empty() {
            blocks.push(Block::Para {
                text: format!("编号：{}", d.number),
                style: Style::new(FontRole::FangSong, 14.0),
                align: Align::Right,
                indent: 0.0,
                leading: 24.0,
            });
        }
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

    /// One receipt per document served (行政处罚法 art. 61): the service named by the request.
    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<ServiceReceiptData> {
        let d = &c.detail;
        if d.services.is_empty() {
            return Err(ApiError::illegal(
                "案件尚无需要送达的文书，不能开具送达回证（行政处罚法第六十一条）",
            ));
        }
        let service_id = src
            .service_id
            .ok_or_else(|| ApiError::field("service_id", "请选择送达回证所送达的文书"))?;
        let served = d
            .services
            .iter()
            .find(|s| s.id == service_id)
            .ok_or_else(|| ApiError::field("service_id", "该送达记录不属于本案"))?;
        let mut servers = vec![d.case.handler.clone()];
        if !d.case.co_handler.is_empty() {
            servers.push(d.case.co_handler.clone());
        }
        if servers.len() < 2 {
            return Err(ApiError::illegal(
                "送达回证需有两名送达人，本案只有一名承办人，请先指定协办人",
            ));
        }
        Ok(ServiceReceiptData {
            issuer: c.issuer,
            number: c.number.clone(),
            documents: vec![ServedDocument {
                title: served.document.label().to_string(),
                document_number: served.document_number.clone(),
            }],
            recipient: c.party.name.clone(),
            place: c.party.address.clone(),
            method: "直接送达".to_string(),
            servers,
            remarks: String::new(),
        })
    }
}
