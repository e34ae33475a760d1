//! The documents' shared vocabulary: the plain, serde-serializable parts the kinds' data structs
//! are made of (party, recovery lines, contact, agency, accounts, fine) and [`Built`], what a
//! builder gives the layout engine. Each kind's data struct, builder, wording and filling live in
//! `kinds/<kind>.rs`; the [`Document`] enum and its dispatch in `kinds/mod.rs`. All are re-exported
//! here, so `docs::RefundOrderData`, `docs::Document`, `docs::build` … keep their paths.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::layout::Block;
use crate::money::Money;

pub use super::kinds::data::*;
pub use super::kinds::{build, Document};

// ---------------------------------------------------------------------------------------------
// Shared vocabulary (GLOSSARY.md "Money", "Case file"): the case module's enums, one definition.

pub use crate::cases::{ExpenseCategory, Fund, PartyKind, RecoverySource, YearKind};

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

/// A fine (行政处罚), paid to the treasury, never into the fund (000 art. 4; 004 art. 18).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineData {
    /// Multiple of the amount (条例 art. 38, 40: 1–2×, 2–5×), when the fine is one.
    #[serde(default)]
    pub multiple: Option<Decimal>,
    pub amount: Money,
}

/// What the layout engine gets for one document.
pub struct Built {
    pub blocks: Vec<Block>,
    /// Page numbers on every page (letters) or only when the form runs over one page.
    pub always_number_pages: bool,
}

pub use crate::vocab::dates::cn_date;
