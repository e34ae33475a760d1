//! The registry: 定点医药机构 (institutions) and 参保人员 (insured persons), with validation,
//! search, and import from CSV/XLSX files where every good row is taken, every bad row is reported
//! with its row number, and a re-import of the same file changes nothing.

mod table;
pub use table::{import_rows, read_table};

use std::collections::{BTreeMap, HashSet};

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::ids::{validate_credit_code, validate_id_number};
use crate::jobs::Job;
use crate::store::{now_text, office_code, Tx};

// ---------------------------------------------------------------------------------------------
// Types

/// 机构类别 (GLOSSARY: Institution kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum InstitutionKind {
    #[serde(alias = "医疗机构", alias = "定点医疗机构", alias = "医院")]
    MedicalInstitution,
    #[serde(alias = "零售药店", alias = "定点零售药店", alias = "药店")]
    RetailPharmacy,
}

crate::labels!(InstitutionKind { MedicalInstitution => "医疗机构", RetailPharmacy => "零售药店" });

/// 协议状态: 正常 / 中止 / 解除 / 未签订 (001 art. 18–20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum AgreementStatus {
    #[serde(alias = "正常", alias = "履行中")]
    Active,
    #[serde(alias = "中止", alias = "中止协议")]
    Suspended,
    #[serde(alias = "解除", alias = "解除协议")]
    Terminated,
    #[serde(alias = "未签订", alias = "无", alias = "")]
    None,
}

crate::labels!(AgreementStatus { Active => "正常", Suspended => "中止", Terminated => "解除", None => "未签订" });

/// 参保类别: 职工 / 居民.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Scheme {
    #[serde(alias = "职工", alias = "职工医保", alias = "职工基本医疗保险")]
    Employee,
    #[serde(alias = "居民", alias = "居民医保", alias = "城乡居民基本医疗保险")]
    Resident,
    #[serde(alias = "未知", alias = "")]
    Unknown,
}

crate::labels!(Scheme { Employee => "职工医保", Resident => "居民医保", Unknown => "未知" });

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct InstitutionInput {
    /// 机构编码 (national code).
    pub code: String,
    pub name: String,
    #[ts(optional = nullable)]
    pub kind: Option<InstitutionKind>,
    /// 统一社会信用代码 (GB 32100-2015).
    pub credit_code: String,
    pub address: String,
    /// 法定代表人
    pub legal_rep: String,
    /// 联系电话
    pub contact: String,
    /// 联系人 (the person the agency deals with; printed on the 通知单, 天津 art. 8).
    pub contact_person: String,
    /// 主要负责人
    pub principal: String,
    /// 实际控制人
    pub controller: String,
    /// 同名核实说明: how the clerk found that a person named here is not the namesake who caused a
    /// termination elsewhere (the 5-year bar of 令第2号/第3号 follows the person, known here by name).
    pub namesake_note: String,
    #[ts(optional = nullable)]
    pub agreement_status: Option<AgreementStatus>,
    /// 申请日期: when the institution applied for the agreement set here; the bar after a
    /// termination is judged on it (default: today), not on the day the clerk enters it. Not stored.
    #[ts(optional = nullable)]
    pub applied_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Institution {
    pub id: i64,
    /// Stable id across offices: `<office code>-I<id>`.
    pub uid: String,
    pub code: String,
    pub name: String,
    pub kind: InstitutionKind,
    pub credit_code: String,
    pub address: String,
    pub legal_rep: String,
    pub contact: String,
    pub contact_person: String,
    pub principal: String,
    pub controller: String,
    pub namesake_note: String,
    pub agreement_status: AgreementStatus,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct InsuredInput {
    /// 公民身份号码 (GB 11643).
    pub id_number: String,
    pub name: String,
    #[ts(optional = nullable)]
    pub scheme: Option<Scheme>,
    pub phone: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Insured {
    pub id: i64,
    pub uid: String,
    pub id_number: String,
    pub name: String,
    pub scheme: Scheme,
    pub phone: String,
    pub address: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ListQuery {
    /// Substring of the code, name or identifier.
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub kind: Option<InstitutionKind>,
    /// The column to sort by (default: the code or ID number).
    #[ts(optional = nullable)]
    pub sort: Option<RegistrySort>,
    /// Sort descending (default ascending).
    #[ts(optional = nullable)]
    pub descending: Option<bool>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

pub use crate::store::query::Page;

/// What a registry list can be sorted by; both are indexed (the key is unique, the name has
/// `*_name`), and the id breaks ties so that pages never overlap. Names sort by character code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum RegistrySort {
    /// 机构编码 or 身份证号.
    Code,
    /// 名称 or 姓名.
    Name,
}
crate::labels!(RegistrySort { Code => "按编码", Name => "按名称" });

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportRequest {
    pub file_name: String,
    /// The file's bytes, base64.
    pub content_base64: String,
    /// Follow the import under this id (`job.progress`, `job.cancel`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub job: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportRowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: i64,
    /// Who the row is about, as typed: its key and name cells ("H22010200001 长春市南关区中心医院"),
    /// so that the clerk finds the record without counting rows.
    pub record: String,
    #[ts(optional = nullable)]
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub total_rows: i64,
    /// Example rows of the template (key cell beginning with 示例), left out.
    pub examples_skipped: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub errors: Vec<ImportRowError>,
}

// ---------------------------------------------------------------------------------------------
// The shape each registry shares

/// One column of a registry table: request field, Chinese label, header spellings accepted on import.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub aliases: &'static [&'static str],
}

const fn field(name: &'static str, label: &'static str, aliases: &'static [&'static str]) -> Field {
    Field {
        name,
        label,
        aliases,
    }
}

/// What differs between the registries; everything else (create, update, list, import) is shared.
pub trait Registry {
    const TABLE: &'static str;
    /// The natural key column (unique), used to match rows on import.
    const KEY: &'static str;
    const LABEL: &'static str;
    /// Letter in the stable uid.
    const UID_TAG: &'static str;
    const FIELDS: &'static [Field];
    /// Columns searched by the `query` substring.
    const SEARCH: &'static [&'static str];
    type Input: DeserializeOwned + Default;
    type Record: Serialize;
    /// Validate and normalise; returns column values in `FIELDS` order.
    fn validate(input: &Self::Input) -> Result<Vec<SqlValue>>;
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self::Record>;
}

pub struct Institutions;
pub struct InsuredPersons;

impl Registry for Institutions {
    const TABLE: &'static str = "institution";
    const KEY: &'static str = "code";
    const LABEL: &'static str = "定点医药机构";
    const UID_TAG: &'static str = "I";
    const FIELDS: &'static [Field] = &[
        field(
            "code",
            "机构编码",
            &["机构代码", "定点机构编码", "医药机构编码"],
        ),
        field(
            "name",
            "机构名称",
            &["定点机构名称", "医药机构名称", "名称"],
        ),
        field("kind", "机构类别", &["类别", "机构类型", "类型"]),
        field(
            "credit_code",
            "统一社会信用代码",
            &["信用代码", "社会信用代码"],
        ),
        field("address", "地址", &["机构地址", "详细地址"]),
        field(
            "legal_rep",
            "法定代表人",
            &["法人", "法定代表人（负责人）", "负责人"],
        ),
        field("contact", "联系电话", &["电话", "联系方式"]),
        field("agreement_status", "协议状态", &["协议情况"]),
        field("contact_person", "联系人", &["机构联系人"]),
        field("principal", "主要负责人", &["单位负责人", "企业负责人"]),
        field("controller", "实际控制人", &[]),
        field("namesake_note", "同名核实说明", &[]),
    ];
    const SEARCH: &'static [&'static str] = &["code", "name", "credit_code"];
    type Input = InstitutionInput;
    type Record = Institution;

    fn validate(i: &InstitutionInput) -> Result<Vec<SqlValue>> {
        let code = required_text(&i.code, "code", "机构编码", usize::MAX)?;
        if code.chars().count() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::field(
                "code",
                "机构编码只能由字母和数字组成，且不超过32位",
            ));
        }
        let name = required_text(&i.name, "name", "机构名称", 100)?;
        let kind = i
            .kind
            .ok_or_else(|| ApiError::field("kind", "请选择机构类别（医疗机构或零售药店）"))?;
        let credit = validate_credit_code(&i.credit_code)
            .map_err(|e| e.in_field("credit_code", "统一社会信用代码"))?;
        Ok(vec![
            text(code.to_uppercase()),
            text(name),
            text(enum_text(&kind)),
            text(credit),
            text(bounded_text(&i.address, "address", "地址", 200)?),
            text(bounded_text(&i.legal_rep, "legal_rep", "法定代表人", 50)?),
            text(bounded_text(&i.contact, "contact", "联系电话", 50)?),
            text(enum_text(
                &i.agreement_status.unwrap_or(AgreementStatus::Active),
            )),
            optional_text(bounded_text(
                &i.contact_person,
                "contact_person",
                "联系人",
                50,
            )?),
            optional_text(bounded_text(&i.principal, "principal", "主要负责人", 50)?),
            optional_text(bounded_text(&i.controller, "controller", "实际控制人", 50)?),
            optional_text(bounded_text(
                &i.namesake_note,
                "namesake_note",
                "同名核实说明",
                500,
            )?),
        ])
    }

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Institution> {
        Ok(Institution {
            id: r.get("id")?,
            uid: r.get("uid")?,
            code: r.get("code")?,
            name: r.get("name")?,
            kind: enum_from(r.get::<_, String>("kind")?),
            credit_code: r.get("credit_code")?,
            address: r.get("address")?,
            legal_rep: r.get("legal_rep")?,
            contact: r.get("contact")?,
            contact_person: r
                .get::<_, Option<String>>("contact_person")?
                .unwrap_or_default(),
            principal: r.get::<_, Option<String>>("principal")?.unwrap_or_default(),
            controller: r
                .get::<_, Option<String>>("controller")?
                .unwrap_or_default(),
            namesake_note: r
                .get::<_, Option<String>>("namesake_note")?
                .unwrap_or_default(),
            agreement_status: enum_from(r.get::<_, String>("agreement_status")?),
            updated_at: r.get("updated_at")?,
        })
    }
}

impl Registry for InsuredPersons {
    const TABLE: &'static str = "insured";
    const KEY: &'static str = "id_number";
    const LABEL: &'static str = "参保人员";
    const UID_TAG: &'static str = "P";
    const FIELDS: &'static [Field] = &[
        field(
            "id_number",
            "身份证号码",
            &["身份证号", "公民身份号码", "证件号码"],
        ),
        field("name", "姓名", &["参保人姓名", "参保人员姓名"]),
        field("scheme", "参保类别", &["险种", "参保险种"]),
        field("phone", "联系电话", &["电话", "手机号码", "联系方式"]),
        field("address", "住址", &["地址", "家庭住址"]),
    ];
    const SEARCH: &'static [&'static str] = &["id_number", "name"];
    type Input = InsuredInput;
    type Record = Insured;

    fn validate(i: &InsuredInput) -> Result<Vec<SqlValue>> {
        let id =
            validate_id_number(&i.id_number).map_err(|e| e.in_field("id_number", "身份证号码"))?;
        let name = required_text(&i.name, "name", "姓名", 50)?;
        Ok(vec![
            text(id),
            text(name),
            text(enum_text(&i.scheme.unwrap_or(Scheme::Unknown))),
            text(bounded_text(&i.phone, "phone", "联系电话", 50)?),
            text(bounded_text(&i.address, "address", "住址", 200)?),
        ])
    }

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Insured> {
        Ok(Insured {
            id: r.get("id")?,
            uid: r.get("uid")?,
            id_number: r.get("id_number")?,
            name: r.get("name")?,
            scheme: enum_from(r.get::<_, String>("scheme")?),
            phone: r.get("phone")?,
            address: r.get("address")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

fn text(s: impl Into<String>) -> SqlValue {
    SqlValue::Text(s.into())
}

/// A column added later (NULL in rows and audit images from before): NULL when empty.
fn optional_text(s: String) -> SqlValue {
    if s.is_empty() {
        SqlValue::Null
    } else {
        SqlValue::Text(s)
    }
}

use crate::store::query::{page_bounds, Filter};
use crate::vocab::text::{bounded_text, required_text};
pub use crate::vocab::text::{enum_from, enum_text};

/// Chinese label of a field of either registry (for messages), else the name itself.
pub fn field_label(name: &str) -> String {
    Institutions::FIELDS
        .iter()
        .chain(InsuredPersons::FIELDS)
        .find(|f| f.name == name)
        .map(|f| f.label.to_string())
        .unwrap_or_else(|| name.to_string())
}

// ---------------------------------------------------------------------------------------------
// Shared operations

fn columns<R: Registry>() -> String {
    R::FIELDS
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn get<R: Registry>(conn: &Connection, id: i64) -> Result<R::Record> {
    conn.query_row(
        &format!("SELECT * FROM {} WHERE id = ?1", R::TABLE),
        [id],
        R::from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found(R::LABEL))
}

pub fn list<R: Registry>(conn: &Connection, q: &ListQuery) -> Result<Page<R::Record>> {
    let mut f = Filter::default();
    f.search(
        crate::vocab::text::search_text(q.query.as_deref())?,
        R::SEARCH,
    );
    if R::TABLE == "institution" {
        f.eq_enum("kind", q.kind);
    }
    let total = f.count(conn, &format!("FROM {}", R::TABLE))?;
    let column = match q.sort.unwrap_or(RegistrySort::Code) {
        RegistrySort::Code => R::KEY,
        RegistrySort::Name => "name",
    };
    let dir = if q.descending.unwrap_or(false) {
        "DESC"
    } else {
        "ASC"
    };
    let items = f.page(
        conn,
        &format!("SELECT * FROM {}", R::TABLE),
        &format!("{column} {dir}, id {dir}"),
        page_bounds(q.offset, q.limit),
        R::from_row,
    )?;
    Ok(Page { items, total })
}

enum Upsert {
    Created,
    Updated,
    Unchanged,
}

/// Insert or update by natural key; touching (and so auditing) only rows that really change.
/// `present`: which fields the source carries (an import file without a column keeps the stored
/// values of that column: nothing entered earlier is lost to an older file layout); None: all.
fn upsert<R: Registry>(
    tx: &mut Tx<'_>,
    values: &[SqlValue],
    only_new: bool,
    present: Option<&[bool]>,
) -> Result<(i64, Upsert)> {
    let key_pos = R::FIELDS
        .iter()
        .position(|f| f.name == R::KEY)
        .expect("key is a field");
    let existing: Option<(i64, Vec<SqlValue>)> = tx
        .query_row(
            &format!(
                "SELECT id, {} FROM {} WHERE {} = ?1",
                columns::<R>(),
                R::TABLE,
                R::KEY
            ),
            [&values[key_pos]],
            |r| {
                Ok((
                    r.get(0)?,
                    (1..=values.len())
                        .map(|i| r.get(i))
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                ))
            },
        )
        .optional()?;
    match existing {
        Some((id, _)) if only_new => Err(ApiError::conflict(format!(
            "{}“{}”已存在，请勿重复登记",
            R::FIELDS[key_pos].label,
            sql_text(&values[key_pos])
        ))
        .in_field(R::KEY, R::FIELDS[key_pos].label))
        .map(|()| (id, Upsert::Unchanged)),
        Some((id, old)) => {
            let values: Vec<SqlValue> = match present {
                Some(present) => values
                    .iter()
                    .zip(&old)
                    .zip(present)
                    .map(|((new, old), p)| if *p { new.clone() } else { old.clone() })
                    .collect(),
                None => values.to_vec(),
            };
            if old == values {
                return Ok((id, Upsert::Unchanged));
            }
            write_row::<R>(tx, Some(id), &values)?;
            Ok((id, Upsert::Updated))
        }
        None => Ok((write_row::<R>(tx, None, values)?, Upsert::Created)),
    }
}

fn sql_text(v: &SqlValue) -> String {
    match v {
        SqlValue::Text(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn write_row<R: Registry>(tx: &mut Tx<'_>, id: Option<i64>, values: &[SqlValue]) -> Result<i64> {
    let mut args: Vec<SqlValue> = values.to_vec();
    args.push(text(now_text()));
    let id = match id {
        Some(id) => {
            let sets: Vec<String> = R::FIELDS
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{} = ?{}", f.name, i + 1))
                .collect();
            args.push(SqlValue::Integer(id));
            tx.execute(
                &format!(
                    "UPDATE {} SET {}, updated_at = ?{} WHERE id = ?{}",
                    R::TABLE,
                    sets.join(", "),
                    values.len() + 1,
                    values.len() + 2
                ),
                params_from_iter(&args),
            )?;
            id
        }
        None => {
            let office = office_code(tx)?;
            let next: i64 = tx.query_row(
                &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", R::TABLE),
                [],
                |r| r.get(0),
            )?;
            args.push(SqlValue::Integer(next));
            args.push(text(format!("{office}-{}{next}", R::UID_TAG)));
            let placeholders: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
            tx.execute(
                &format!(
                    "INSERT INTO {} ({}, updated_at, id, uid) VALUES ({})",
                    R::TABLE,
                    columns::<R>(),
                    placeholders.join(", ")
                ),
                params_from_iter(&args),
            )?;
            next
        }
    };
    tx.touch(R::TABLE, id);
    Ok(id)
}

pub fn create<R: Registry>(tx: &mut Tx<'_>, input: &R::Input) -> Result<R::Record> {
    let values = R::validate(input)?;
    let (id, _) = upsert::<R>(tx, &values, true, None)?;
    get::<R>(tx, id)
}

pub fn update<R: Registry>(tx: &mut Tx<'_>, id: i64, input: &R::Input) -> Result<R::Record> {
    get::<R>(tx, id)?;
    let values = R::validate(input)?;
    let key_pos = R::FIELDS
        .iter()
        .position(|f| f.name == R::KEY)
        .expect("key is a field");
    let clash: Option<i64> = tx
        .query_row(
            &format!(
                "SELECT id FROM {} WHERE {} = ?1 AND id <> ?2",
                R::TABLE,
                R::KEY
            ),
            rusqlite::params![values[key_pos], id],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        let label = R::FIELDS[key_pos].label;
        return Err(ApiError::conflict(format!(
            "{label}“{}”已被其他记录使用",
            sql_text(&values[key_pos])
        ))
        .in_field(R::KEY, label));
    }
    let current: Vec<SqlValue> = tx.query_row(
        &format!("SELECT {} FROM {} WHERE id = ?1", columns::<R>(), R::TABLE),
        [id],
        |r| (0..values.len()).map(|i| r.get(i)).collect(),
    )?;
    if current != values {
        write_row::<R>(tx, Some(id), &values)?;
    }
    get::<R>(tx, id)
}

// ---------------------------------------------------------------------------------------------
// Import

/// Import a CSV (UTF-8 or GB18030, as Excel on Chinese Windows saves it) or XLSX file.
pub fn import<R: Registry>(
    tx: &mut Tx<'_>,
    req: &ImportRequest,
    job: &Job<'_>,
) -> Result<ImportReport> {
    let rows = import_rows(req)?;
    let mut rows = rows.into_iter();
    let header = rows
        .next()
        .ok_or_else(|| ApiError::field("file_name", "文件是空的，没有表头"))?;
    let mapping = map_header::<R>(&header)?;
    let present: Vec<bool> = R::FIELDS
        .iter()
        .map(|f| mapping.iter().any(|(_, m)| *m == f.name))
        .collect();
    job.set_total(rows.len() as u64);

    let mut report = ImportReport::default();
    let mut seen_keys = HashSet::new();
    for (i, cells) in rows.enumerate() {
        let row_no = i as i64 + 2;
        job.step("导入")?;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell_of = |name: &str| {
            mapping
                .iter()
                .find(|(_, f)| **f == name)
                .and_then(|(col, _)| cells.get(*col))
                .map(|c| c.trim())
                .unwrap_or("")
        };
        // The template's example row says so in its key cell; it is never imported.
        if cell_of(R::KEY).starts_with(EXAMPLE_MARK) {
            report.examples_skipped += 1;
            continue;
        }
        let record = [cell_of(R::KEY), cell_of("name")]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        report.total_rows += 1;
        let mut obj = serde_json::Map::new();
        for (col, field) in &mapping {
            obj.insert(
                field.to_string(),
                serde_json::Value::String(
                    cells
                        .get(*col)
                        .cloned()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                ),
            );
        }
        let outcome = crate::vocab::text::decode_with::<R::Input>(
            serde_json::Value::Object(obj),
            field_label,
        )
        .and_then(|input| R::validate(&input))
        .and_then(|values| {
            let key_pos = R::FIELDS
                .iter()
                .position(|f| f.name == R::KEY)
                .expect("key");
            let key = sql_text(&values[key_pos]);
            if !seen_keys.insert(key.clone()) {
                return Err(ApiError::field(
                    R::KEY,
                    format!("{}“{key}”在文件中重复出现", R::FIELDS[key_pos].label),
                ));
            }
            upsert::<R>(tx, &values, false, Some(&present))
        });
        match outcome {
            Ok((_, Upsert::Created)) => report.created += 1,
            Ok((_, Upsert::Updated)) => report.updated += 1,
            Ok((_, Upsert::Unchanged)) => report.unchanged += 1,
            Err(e) => report.errors.push(ImportRowError {
                row: row_no,
                record,
                field: e.field.clone(),
                message: e.message,
            }),
        }
    }
    Ok(report)
}

/// The key cell of a template's example row begins with this; such a row is skipped on import.
pub const EXAMPLE_MARK: &str = "示例";

/// Column index → field name. Unknown columns are ignored; a missing key column is an error. A
/// header may carry a note in full-width brackets after its label, as the template's do
/// ("机构类别（医院、基层医疗机构…）").
fn map_header<R: Registry>(header: &[String]) -> Result<BTreeMap<usize, &'static str>> {
    let mut mapping = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h
            .trim()
            .trim_start_matches('\u{feff}')
            .trim_start_matches('*')
            .trim();
        let find = |h: &str| {
            R::FIELDS
                .iter()
                .find(|f| f.name == h || f.label == h || f.aliases.contains(&h))
        };
        let found =
            find(h).or_else(|| h.split_once('（').and_then(|(label, _)| find(label.trim())));
        if let Some(f) = found {
            mapping.insert(i, f.name);
        }
    }
    let key = R::FIELDS.iter().find(|f| f.name == R::KEY).expect("key");
    if !mapping.values().any(|f| *f == R::KEY) {
        let expected: Vec<&str> = R::FIELDS.iter().map(|f| f.label).collect();
        return Err(ApiError::field(
            "file_name",
            format!(
                "表头缺少“{}”列。第一行应为表头：{}",
                key.label,
                expected.join("，")
            ),
        ));
    }
    Ok(mapping)
}
