//! The office's document settings (`document.settings_get|settings_update`, audited): per kind the
//! 机关代字, the number style (〔2026〕12号 / 〔2026〕第12号, DOMAIN.md §5) and the wording
//! (templates.rs); the agency that receives money and proofs (004 art. 9), the receiving accounts
//! (004 附件1–3), the office's phone, and the 复议机关 / court of the decisions (行政处罚法 art. 59 (五)).
//!
//! And the number sequence: one per office, kind and year, allocated inside the issuing
//! transaction, never decremented — a number is never given twice.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::documents::{Agency, BankAccount};
use super::templates::{default_template, validate, DocumentKind, Templates};
use super::{format_document_number, NumberStyle};
use crate::cases::DocumentNumbers;
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::text::enum_text;

/// One placeholder a template of a kind may use (for the template editor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TemplateField {
    pub name: String,
    pub label: String,
}

/// Settings of one document kind. `title`, `default_prefix`, `default_template` and `fields` are
/// filled by the core for the editor and ignored on update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KindSettings {
    pub kind: DocumentKind,
    #[serde(default)]
    pub title: String,
    /// 机关代字, e.g. 某医保责退; empty = `default_prefix`.
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub default_prefix: String,
    #[serde(default)]
    pub style: NumberStyle,
    /// The office's wording; empty = `default_template`.
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub default_template: String,
    #[serde(default)]
    pub fields: Vec<TemplateField>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DocumentSettings {
    /// One entry per document kind, in `DocumentKind::ALL` order.
    pub kinds: Vec<KindSettings>,
    /// 医保经办机构 where money and payment proofs go (004 art. 9); empty = the office's name.
    pub agency_name: String,
    pub agency_address: String,
    /// 联系电话 printed under 联系人 on the notices.
    pub contact_phone: String,
    /// 职工医保 / 居民医保 基金支出户 (004 附件1–3 收款账户).
    pub employee_account: BankAccount,
    pub resident_account: BankAccount,
    /// 复议机关: the people's government at the office's level (行政复议法 2023 art. 24); empty =
    /// derived from the office name (某某县医疗保障局 → 某某县人民政府).
    pub government: String,
    /// The court of a lawsuit (行政诉讼法 art. 18); empty = derived (某某县人民法院).
    pub court: String,
    /// What an empty `agency_name` / `government` / `court` stands for (filled by the core for the
    /// editor's placeholders; ignored on update).
    pub default_agency_name: String,
    pub default_government: String,
    pub default_court: String,
}

/// The part of the office's name before 医疗保障局 / 医保局 (某某县), or the whole name.
pub fn region_of(office_name: &str) -> &str {
    for suffix in [
        "医疗保障局",
        "医保局",
        "医疗保障事务中心",
        "医疗保障服务中心",
    ] {
        if let Some(r) = office_name.strip_suffix(suffix) {
            if !r.is_empty() {
                return r;
            }
        }
    }
    office_name
}

/// Default 机关代字: two characters of the region + 医保 + a tag per kind (e.g. 天津医保责退).
pub fn default_prefix(office_name: &str, kind: DocumentKind) -> String {
    let short: String = region_of(office_name).chars().take(2).collect();
    let tag = super::kinds::prefix_tag(kind);
    format!("{short}医保{tag}")
}

fn office_name(conn: &Connection) -> Result<String> {
    crate::store::office_code(conn)?;
    Ok(conn.query_row("SELECT name FROM office WHERE id = 1", [], |r| r.get(0))?)
}

impl DocumentSettings {
    /// Fill every kind (in order) and the editor-only fields; keep what the office set.
    fn normalized(mut self, office: &str) -> Self {
        let mut kinds = Vec::with_capacity(DocumentKind::ALL.len());
        for kind in DocumentKind::ALL {
            let mut k = self
                .kinds
                .iter()
                .find(|k| k.kind == kind)
                .cloned()
                .unwrap_or(KindSettings {
                    kind,
                    title: String::new(),
                    prefix: String::new(),
                    default_prefix: String::new(),
                    style: NumberStyle::default(),
                    template: String::new(),
                    default_template: String::new(),
                    fields: Vec::new(),
                });
            k.title = kind.title().to_string();
            k.default_prefix = default_prefix(office, kind);
            k.default_template = default_template(kind).to_string();
            k.fields = kind
                .fields()
                .iter()
                .map(|(n, l)| TemplateField {
                    name: n.to_string(),
                    label: l.to_string(),
                })
                .collect();
            kinds.push(k);
        }
        self.kinds = kinds;
        self.default_agency_name = office.to_string();
        self.default_government = format!("{}人民政府", region_of(office));
        self.default_court = format!("{}人民法院", region_of(office));
        self
    }

    fn kind(&self, kind: DocumentKind) -> Option<&KindSettings> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// The 机关代字 in force for a kind.
    pub fn prefix(&self, kind: DocumentKind) -> String {
        match self.kind(kind) {
            Some(k) if !k.prefix.trim().is_empty() => k.prefix.trim().to_string(),
            Some(k) => k.default_prefix.clone(),
            None => String::new(),
        }
    }

    pub fn style(&self, kind: DocumentKind) -> NumberStyle {
        self.kind(kind).map(|k| k.style).unwrap_or_default()
    }

    /// The number of the `seq`-th document of a kind in a year.
    pub fn number(&self, kind: DocumentKind, year: i32, seq: u32) -> Result<String> {
        format_document_number(&self.prefix(kind), year, seq, self.style(kind))
    }

    /// The number printed on a preview: the sequence left blank (某医保告〔2026〕　　号).
    pub fn blank_number(&self, kind: DocumentKind, year: i32) -> String {
        match self.style(kind) {
            NumberStyle::Plain => format!("{}〔{year}〕　　号", self.prefix(kind)),
            NumberStyle::Di => format!("{}〔{year}〕第　　号", self.prefix(kind)),
        }
    }

    /// The office's wording overrides, for [`super::RenderOptions`].
    pub fn templates(&self) -> Templates {
        let mut t = Templates::default();
        for k in &self.kinds {
            if !k.template.trim().is_empty() && k.template != k.default_template {
                t.overrides.insert(k.kind, k.template.clone());
            }
        }
        t
    }

    pub fn agency(&self) -> Agency {
        Agency {
            name: non_empty_or(&self.agency_name, &self.default_agency_name),
            address: self.agency_address.trim().to_string(),
        }
    }

    pub fn government(&self) -> String {
        non_empty_or(&self.government, &self.default_government)
    }

    pub fn court(&self) -> String {
        non_empty_or(&self.court, &self.default_court)
    }
}

fn non_empty_or(v: &str, default: &str) -> String {
    let v = v.trim();
    if v.is_empty() {
        default.to_string()
    } else {
        v.to_string()
    }
}

/// The settings in force (defaults where the office set nothing).
pub fn load(conn: &Connection) -> Result<DocumentSettings> {
    let office = office_name(conn)?;
    let data: Option<String> = conn
        .query_row("SELECT data FROM document_setting WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let stored = match data {
        None => DocumentSettings::default(),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::internal(format!("文书设置无法读取：{e}")))?,
    };
    Ok(stored.normalized(&office))
}

fn check_len(v: &str, field: &str, label: &str, max: usize) -> Result<()> {
    if v.trim().chars().count() > max {
        return Err(ApiError::field(
            field,
            format!("{label}不能超过{max}个字符"),
        ));
    }
    // Control characters and direction overrides, as every form field (issue 12).
    crate::vocab::text::bounded_text(v, field, label, max).map(|_| ())
}

fn check_account(a: &BankAccount, field: &str, label: &str) -> Result<()> {
    check_len(
        &a.account_name,
        &format!("{field}.account_name"),
        &format!("{label}开户名称"),
        60,
    )?;
    check_len(
        &a.bank,
        &format!("{field}.bank"),
        &format!("{label}开户银行"),
        60,
    )?;
    check_len(
        &a.bank_code,
        &format!("{field}.bank_code"),
        &format!("{label}开户银行行号"),
        20,
    )?;
    let n = a.account_number.trim();
    if !n
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return Err(ApiError::field(
            &format!("{field}.account_number"),
            format!("{label}账号只能包含数字"),
        ));
    }
    check_len(
        n,
        &format!("{field}.account_number"),
        &format!("{label}账号"),
        40,
    )
}

/// `document.settings_update`: validate everything first (a bad template or prefix changes
/// nothing), then store what the office set.
pub fn update(tx: &mut Tx<'_>, s: DocumentSettings) -> Result<DocumentSettings> {
    for (i, k) in s.kinds.iter().enumerate() {
        let prefix = k.prefix.trim();
        if !prefix.is_empty() {
            check_len(prefix, &format!("kinds.{i}.prefix"), "发文机关代字", 20)?;
            format_document_number(prefix, 2026, 1, k.style).map_err(|e| ApiError {
                field: Some(format!("kinds.{i}.prefix")),
                message: format!("{}：{}", k.kind.title(), e.message),
                ..e
            })?;
        }
        if !k.template.trim().is_empty() {
            crate::vocab::text::bounded_text(
                &k.template,
                &format!("kinds.{i}.template"),
                &format!("{}的文书内容", k.kind.title()),
                20_000,
            )?;
            validate(k.kind, &k.template).map_err(|e| ApiError {
                field: Some(format!("kinds.{i}.template")),
                message: format!("{}的文书内容：{}", k.kind.title(), e.message),
                ..e
            })?;
        }
    }
    check_len(&s.agency_name, "agency_name", "医保经办机构名称", 60)?;
    check_len(&s.agency_address, "agency_address", "医保经办机构地址", 100)?;
    check_len(&s.contact_phone, "contact_phone", "联系电话", 30)?;
    check_len(&s.government, "government", "行政复议机关", 60)?;
    check_len(&s.court, "court", "人民法院", 60)?;
    check_account(&s.employee_account, "employee_account", "职工医保")?;
    check_account(&s.resident_account, "resident_account", "居民医保")?;
    // Store only what the office chose (editor-only fields are refilled on load).
    let mut stored = DocumentSettings {
        default_agency_name: String::new(),
        default_government: String::new(),
        default_court: String::new(),
        ..s
    };
    stored.kinds = stored
        .kinds
        .into_iter()
        .map(|k| KindSettings {
            title: String::new(),
            default_prefix: String::new(),
            default_template: String::new(),
            fields: Vec::new(),
            prefix: k.prefix.trim().to_string(),
            template: if k.template.trim().is_empty() || k.template == default_template(k.kind) {
                String::new()
            } else {
                k.template
            },
            ..k
        })
        .collect();
    let json = serde_json::to_string(&stored).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO document_setting (id, data, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        params![json, now_text()],
    )?;
    tx.touch("document_setting", 1);
    load(tx)
}

// ---------------------------------------------------------------------------------------------
// Number sequence

/// Allocate the next sequence number of (kind, year): one more than both the counter and every
/// number already issued (documents issued before the counter existed count too).
pub fn allocate(tx: &mut Tx<'_>, kind: DocumentKind, year: i32) -> Result<u32> {
    let k = enum_text(&kind);
    let row = sequence(tx, &k, year)?;
    let issued: u32 = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM issued_document WHERE kind = ?1 AND year = ?2",
        params![k, year],
        |r| r.get(0),
    )?;
    let next = row.map(|(_, l)| l).unwrap_or(0).max(issued) + 1;
    set_last(tx, row.map(|(id, _)| id), &k, year, next)?;
    Ok(next)
}

/// A number typed by hand (e.g. from the bureau's paper register) in the office's format: move the
/// counter past it, so that the sequence never gives it again.
pub fn claim(tx: &mut Tx<'_>, kind: DocumentKind, year: i32, seq: u32) -> Result<()> {
    let k = enum_text(&kind);
    let row = sequence(tx, &k, year)?;
    if row.is_some_and(|(_, l)| l >= seq) {
        return Ok(());
    }
    set_last(tx, row.map(|(id, _)| id), &k, year, seq)
}

/// The counter row of (kind, year): its id and the last number given.
fn sequence(conn: &Connection, kind: &str, year: i32) -> Result<Option<(i64, u32)>> {
    Ok(conn
        .query_row(
            "SELECT id, last FROM document_sequence WHERE kind = ?1 AND year = ?2",
            params![kind, year],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn set_last(tx: &mut Tx<'_>, id: Option<i64>, kind: &str, year: i32, last: u32) -> Result<()> {
    let id = match id {
        Some(id) => {
            tx.execute(
                "UPDATE document_sequence SET last = ?1 WHERE id = ?2",
                params![last, id],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO document_sequence (kind, year, last) VALUES (?1, ?2, ?3)",
                params![kind, year, last],
            )?;
            tx.last_insert_rowid()
        }
    };
    tx.touch("document_sequence", id);
    Ok(())
}

/// Allocate and format the next number of a kind for a document dated `on`.
pub fn next_number(tx: &mut Tx<'_>, kind: DocumentKind, on: NaiveDate) -> Result<(u32, String)> {
    let settings = load(tx)?;
    let seq = allocate(tx, kind, on.year())?;
    Ok((seq, settings.number(kind, on.year(), seq)?))
}

/// The office's number sequence as the case procedure uses it (`cases::Hooks::numbers`).
pub const NUMBERS: DocumentNumbers = DocumentNumbers {
    next: |tx, kind, on| Ok(next_number(tx, kind, on)?.1),
    claim: claim_typed,
};

/// A number typed by hand: when it is in the usual form, move the sequence of its year past it.
pub fn claim_typed(tx: &mut Tx<'_>, kind: DocumentKind, number: &str) -> Result<()> {
    match parse_number(number) {
        Some((year, seq)) => claim(tx, kind, year, seq),
        None => Ok(()),
    }
}

/// The year and sequence of a number in the usual form (…〔2026〕12号 / …〔2026〕第12号).
pub fn parse_number(number: &str) -> Option<(i32, u32)> {
    let (_, rest) = number.trim().split_once('〔')?;
    let (year, rest) = rest.split_once('〕')?;
    let year: i32 = year.trim().parse().ok()?;
    let seq = rest.trim().strip_prefix('第').unwrap_or(rest.trim());
    let seq: u32 = seq.strip_suffix('号')?.trim().parse().ok()?;
    (seq > 0 && (1949..=9999).contains(&year)).then_some((year, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_in_both_styles() {
        assert_eq!(parse_number("源医保告〔2026〕12号"), Some((2026, 12)));
        assert_eq!(parse_number("源医保告〔2026〕第3号"), Some((2026, 3)));
        assert_eq!(parse_number("告1"), None);
        assert_eq!(parse_number("源医保告〔2026〕　　号"), None);
        assert_eq!(parse_number("源医保告〔2026〕0号"), None);
    }

    #[test]
    fn region_and_derived_names() {
        assert_eq!(region_of("长白县医疗保障局"), "长白县");
        let s = DocumentSettings::default().normalized("长白县医疗保障局");
        assert_eq!(s.prefix(DocumentKind::RefundOrder), "长白医保责退");
        assert_eq!(s.government(), "长白县人民政府");
        assert_eq!(s.court(), "长白县人民法院");
        assert_eq!(s.agency().name, "长白县医疗保障局");
        assert_eq!(s.kinds.len(), DocumentKind::ALL.len());
        assert!(s.templates().overrides.is_empty());
    }
}
