//! Exchange with the city (issue 11): a county sends its audit entries up as signed, encrypted
//! bundles (a file on a USB stick; later the same bytes over the network), the city keeps each
//! county's log as a read-only replica and answers with a signed acknowledgement of the head it
//! holds, which the county keeps as the outside witness of its log.
//!
//! - `keys`: the office key (Ed25519 + age X25519) in the data folder, never in the database;
//! - `bundle`: the file formats (bundle, acknowledgement, pairing file), pure;
//! - here: pairing and registration, export, import (all-or-nothing, in the caller's write
//!   transaction), the acknowledgement, the status and the witness check.
//!
//! Invariants: an import changes nothing unless every check passed (decryption by this office,
//! signature by a registered unrevoked key, recipient, format and schema version, continuity with
//! the head held, every entry's link and hash); an entry already held is skipped when identical and
//! refused as a fork when not; a gap is refused naming the missing range.

pub mod assign;
pub mod bundle;
pub mod down;
pub mod escalation;
pub mod heads;
pub mod keys;
pub mod net;
pub mod recover;
pub mod replica;

use base64::Engine as _;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use ts_rs::TS;

use self::bundle::{Ack, FileKind, Manifest, Opened, Pairing, WireEntry, FORMAT};
use self::keys::{fingerprint, normalize_fingerprint, parse_public_key, OfficeKeys};
use crate::error::{ApiError, ErrorCode, Result};
use crate::ids::validate_division_code;
use crate::office::{self, OfficeLevel};
use crate::store::audit::{self, GENESIS};
use crate::store::{now_text, Tx, MIGRATIONS};
use crate::vocab::text::required_text;

/// Chinese labels of the exchange's request fields.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("data", "文件内容"),
    ("file_name", "文件名"),
    ("public_key", "签名公钥"),
    ("fingerprint", "公钥指纹"),
    ("hub_url", "市局服务器地址"),
    ("hub_cert", "市局服务器证书"),
    ("sync_minutes", "自动同步间隔"),
    ("passphrase", "密钥口令"),
];

// ---------------------------------------------------------------------------------------------
// Types of the API

/// 交换对象: the role of an office this one exchanges with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PeerRole {
    City,
    County,
}

crate::labels!(PeerRole {
    City => "市级医保部门",
    County => "县级医保部门",
});

/// 文件类型 of an exchange file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ExchangeFileKind {
    Bundle,
    Ack,
    Pairing,
    Registration,
    /// The city gives a county its own entries back (after a restore from an old backup).
    Recovery,
}

crate::labels!(ExchangeFileKind {
    Bundle => "数据包",
    Ack => "确认回执",
    Pairing => "配对文件",
    Registration => "登记单",
    Recovery => "恢复数据包",
});

/// A file to save (base64 of its bytes).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExchangeFile {
    pub kind: ExchangeFileKind,
    pub file_name: String,
    pub data: String,
    pub bytes: i64,
    /// What it holds, in a sentence.
    pub summary: String,
}

/// A file the user picked (base64 of its bytes).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FileRequest {
    pub data: String,
    #[ts(optional = nullable)]
    pub file_name: Option<String>,
}

/// `exchange.register`: a county as the city registers it from its registration slip: the public
/// key (from the slip's file) or the fingerprint (keyed in from paper).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RegisterCounty {
    pub code: String,
    pub name: String,
    #[ts(optional = nullable)]
    pub public_key: Option<String>,
    #[ts(optional = nullable)]
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CodeRequest {
    pub code: String,
}

/// An office this one exchanges with.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Peer {
    pub code: String,
    pub name: String,
    pub role: PeerRole,
    pub fingerprint: String,
    pub registered_at: String,
    pub revoked_at: Option<String>,
    /// At the city: the last entry of the county's log held here.
    pub head_seq: i64,
    pub last_import_at: Option<String>,
    /// At a county: the city's hub address for 立即同步 (None: files only).
    pub hub_url: Option<String>,
    /// At a county: minutes between background attempts to reach the hub (None: the default,
    /// [`DEFAULT_SYNC_MINUTES`]; 0: only on 立即同步).
    pub sync_minutes: Option<u32>,
    /// At a county: whether the hub is reached over TLS (an `https://` address).
    pub hub_encrypted: bool,
    /// At a county: the city's certificate (PEM) trusted for an `https://` hub; None: the web
    /// PKI's roots.
    pub hub_cert: Option<String>,
    /// SHA-256 of that certificate, to compare with the city's.
    pub hub_cert_fingerprint: Option<String>,
}

/// Minutes between background attempts to reach the city's hub unless the office sets another.
pub const DEFAULT_SYNC_MINUTES: u32 = 15;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HubRequest {
    /// `http://host:port` or `https://host:port` of the city's hub; empty: exchange by files only.
    pub hub_url: String,
    /// For an `https://` hub: the certificate the city gave (PEM text of its self-signed
    /// certificate or its CA), trusted alone; absent or empty: the web PKI's roots.
    #[ts(optional = nullable)]
    pub hub_cert: Option<String>,
    /// Minutes between background attempts (1–1440; 0: only on 立即同步); absent: the default.
    #[ts(optional = nullable)]
    pub sync_minutes: Option<u32>,
}

/// `exchange.sync`: what 立即同步 did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncOutcome {
    /// The bundle reached the hub and its acknowledgement was applied.
    pub sent: bool,
    /// The hub could not be reached: nothing changed, try again later.
    pub offline: bool,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportInfo {
    pub first_seq: i64,
    pub last_seq: i64,
    pub file_name: String,
    pub bytes: i64,
    pub created_at: String,
}

/// How far this office's log runs past the head the city last acknowledged (the outside witness).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Witness {
    /// The last acknowledged entry (0: none yet).
    pub witnessed_seq: i64,
    pub witnessed_hash: Option<String>,
    /// The last entry of the local log.
    pub local_head: i64,
    /// Entries after the witnessed head (negative: the log went back, e.g. restored from an old
    /// backup).
    pub past: i64,
    /// Whether the local entry at `witnessed_seq` still has the witnessed hash.
    pub consistent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExchangeStatus {
    pub office_code: String,
    pub office_name: String,
    pub level: OfficeLevel,
    /// This office's key fingerprint (printed on the registration slip).
    pub fingerprint: String,
    /// The city this office reports to (a county), once paired.
    pub city: Option<Peer>,
    pub witness: Witness,
    pub last_ack_at: Option<String>,
    pub last_export: Option<ExportInfo>,
    /// At the city: the registered counties.
    pub counties: Vec<Peer>,
    /// The background exchange with the hub in this program, once it has tried.
    pub auto_sync: Option<AutoSyncReport>,
}

/// What a picked file holds, before it is applied.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FilePreview {
    pub kind: ExchangeFileKind,
    pub from_office: String,
    pub from_name: String,
    pub first_seq: i64,
    pub last_seq: i64,
    pub entries: i64,
    /// Entries not held yet (a bundle at the city).
    pub new_entries: i64,
    pub masked_entries: i64,
    pub created_at: String,
    /// The sender's key fingerprint (compare it with the paper).
    pub fingerprint: String,
    /// What applying it will do, in a sentence.
    pub summary: String,
    /// At the city: entries per command (what the bundle holds).
    pub commands: Vec<CommandCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CommandCount {
    pub command: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportOutcome {
    pub kind: ExchangeFileKind,
    pub summary: String,
    /// Entries applied (a bundle), 0 for a replay.
    pub applied: i64,
    /// At the city: the acknowledgement to hand back to the county.
    pub ack: Option<ExchangeFile>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn file(kind: ExchangeFileKind, file_name: String, bytes: &[u8], summary: String) -> ExchangeFile {
    ExchangeFile {
        kind,
        file_name,
        data: b64().encode(bytes),
        bytes: bytes.len() as i64,
        summary,
    }
}

fn decode_file(r: &FileRequest) -> Result<Vec<u8>> {
    let data: String = r.data.chars().filter(|c| !c.is_whitespace()).collect();
    if data.is_empty() {
        return Err(ApiError::field("data", "请选择要导入的文件"));
    }
    b64()
        .decode(data.as_bytes())
        .map_err(|_| ApiError::field("data", "文件内容无法读取，请重新选择文件"))
}

fn this_office(c: &Connection) -> Result<office::Office> {
    office::get(c)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotInitialized,
            "尚未设置本单位，请先完成首次设置",
        )
    })
}

fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

const PEER_COLUMNS: &str =
    "code, name, role, fingerprint, registered_at, revoked_at, head_seq, last_import_at, hub_url, sync_minutes, hub_cert";

fn peer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Peer> {
    let role: String = r.get(2)?;
    let hub_url: Option<String> = r.get(8)?;
    let hub_cert: Option<String> = r.get(10)?;
    Ok(Peer {
        code: r.get(0)?,
        name: r.get(1)?,
        role: if role == "city" {
            PeerRole::City
        } else {
            PeerRole::County
        },
        fingerprint: r.get(3)?,
        registered_at: r.get(4)?,
        revoked_at: r.get(5)?,
        head_seq: r.get(6)?,
        last_import_at: r.get(7)?,
        hub_encrypted: hub_url.as_deref().is_some_and(net::is_encrypted),
        hub_url,
        sync_minutes: r.get(9)?,
        hub_cert_fingerprint: hub_cert.as_deref().and_then(net::certificate_fingerprint),
        hub_cert,
    })
}

fn peer(c: &Connection, code: &str) -> Result<Option<Peer>> {
    Ok(c.query_row(
        &format!("SELECT {PEER_COLUMNS} FROM exchange_peer WHERE code = ?1"),
        [code],
        peer_row,
    )
    .optional()?)
}

/// The paired city (at a county): its row and its keys.
struct City {
    id: i64,
    code: String,
    name: String,
    sign_key: String,
    recipient: String,
}

fn city(c: &Connection) -> Result<Option<City>> {
    Ok(c.query_row(
        "SELECT id, code, name, sign_key, recipient FROM exchange_peer WHERE role = 'city'",
        [],
        |r| {
            Ok(City {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                sign_key: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                recipient: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            })
        },
    )
    .optional()?)
}

fn paired_city(c: &Connection) -> Result<City> {
    city(c)?.ok_or_else(|| {
        ApiError::illegal("尚未与市局配对：请先导入市局提供的配对文件（数据交换 · 配对）")
    })
}

pub(crate) fn require_level(
    c: &Connection,
    level: OfficeLevel,
    what: &str,
) -> Result<office::Office> {
    let o = this_office(c)?;
    if o.level != level {
        return Err(ApiError::illegal(match level {
            OfficeLevel::City => format!("{what}只能由市级单位办理，本单位是{}", label(o.level)),
            _ => format!("{what}由县级单位办理，本单位是市级单位"),
        }));
    }
    Ok(o)
}

fn label(l: OfficeLevel) -> &'static str {
    use crate::vocab::labels::Labeled as _;
    l.label()
}

fn seq6(n: i64) -> String {
    format!("{n:06}")
}

// ---------------------------------------------------------------------------------------------
// Keys, registration slip, pairing file

/// `exchange.registration`: this office's registration slip (登记单) as text, for the city to key in.
pub fn registration(c: &Connection, keys: &OfficeKeys) -> Result<ExchangeFile> {
    let o = this_office(c)?;
    let text = format!(
        "医保基金追回 数据交换登记单\n\n单位名称：{}\n行政区划代码：{}\n层级：{}\n签名公钥：{}\n公钥指纹：{}\n生成时间：{}\n\n请市局核对公钥指纹后登记本单位。\n",
        o.name,
        o.code,
        label(o.level),
        keys.public_hex(),
        keys.fingerprint(),
        now_text()
    );
    Ok(file(
        ExchangeFileKind::Registration,
        format!("{}-登记单.txt", o.code),
        text.as_bytes(),
        format!("{}的登记单，公钥指纹 {}", o.name, keys.fingerprint()),
    ))
}

/// `exchange.pairing_file`: the city's pairing file for its counties.
pub fn pairing_file(c: &Connection, keys: &OfficeKeys) -> Result<ExchangeFile> {
    let o = require_level(c, OfficeLevel::City, "导出配对文件")?;
    let p = Pairing {
        kind: bundle::PAIRING_KIND.into(),
        format: FORMAT,
        code: o.code.clone(),
        name: o.name.clone(),
        sign_key: keys.public_hex(),
        recipient: keys.recipient(),
    };
    let text = serde_json::to_vec_pretty(&p).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(file(
        ExchangeFileKind::Pairing,
        format!("{}-pairing.json", o.code),
        &text,
        format!("{}的配对文件，公钥指纹 {}", o.name, keys.fingerprint()),
    ))
}

fn import_pairing(tx: &mut Tx<'_>, p: &Pairing) -> Result<ImportOutcome> {
    let o = this_office(tx)?;
    if o.level == OfficeLevel::City {
        return Err(ApiError::illegal(
            "本单位是市级单位，不需要导入配对文件；县级单位由本单位登记",
        ));
    }
    let vk = parse_public_key(&p.sign_key).expect("checked by parse_pairing");
    let fp = fingerprint(&vk.to_bytes());
    let now = now_text();
    let id = match city(tx)? {
        Some(old) => {
            tx.execute(
                "UPDATE exchange_peer SET code = ?1, name = ?2, fingerprint = ?3, sign_key = ?4, recipient = ?5, registered_at = ?6, revoked_at = NULL WHERE id = ?7",
                params![p.code, p.name, fp, p.sign_key, p.recipient, now, old.id],
            )?;
            old.id
        }
        None => {
            tx.execute(
                "INSERT INTO exchange_peer (code, name, role, fingerprint, sign_key, recipient, registered_at) VALUES (?1, ?2, 'city', ?3, ?4, ?5, ?6)",
                params![p.code, p.name, fp, p.sign_key, p.recipient, now],
            )?;
            tx.last_insert_rowid()
        }
    };
    tx.touch("exchange_peer", id);
    Ok(ImportOutcome {
        kind: ExchangeFileKind::Pairing,
        summary: format!("已与{}（{}）配对，公钥指纹 {fp}", p.name, p.code),
        applied: 0,
        ack: None,
    })
}

/// `exchange.register`: the city registers (or re-registers, with a new key) a county.
pub fn register(tx: &mut Tx<'_>, r: &RegisterCounty) -> Result<Peer> {
    require_level(tx, OfficeLevel::City, "登记县级单位")?;
    let code = validate_division_code(&r.code).map_err(|e| e.in_field("code", "行政区划代码"))?;
    let name = required_text(&r.name, "name", "单位名称", 60)?;
    let key = match r
        .public_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => Some(parse_public_key(k).ok_or_else(|| {
            ApiError::field("public_key", "签名公钥应为登记单上的64位十六进制数字")
        })?),
        None => None,
    };
    let typed = match r
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        Some(f) => Some(normalize_fingerprint(f).ok_or_else(|| {
            ApiError::field(
                "fingerprint",
                "公钥指纹应为登记单上的40位十六进制数字（可带空格）",
            )
        })?),
        None => None,
    };
    let fp = match (&key, typed) {
        (Some(k), Some(f)) => {
            let own = fingerprint(&k.to_bytes());
            if own != f {
                return Err(ApiError::field(
                    "fingerprint",
                    "公钥指纹与签名公钥不符，请核对登记单",
                ));
            }
            own
        }
        (Some(k), None) => fingerprint(&k.to_bytes()),
        (None, Some(f)) => f,
        (None, None) => {
            return Err(ApiError::field(
                "fingerprint",
                "请填写登记单上的公钥指纹（或导入登记单中的签名公钥）",
            ))
        }
    };
    if code == crate::store::office_code(tx)? {
        return Err(ApiError::field("code", "不能登记本单位自己"));
    }
    let key_hex = key.map(|k| hex::encode(k.to_bytes()));
    let now = now_text();
    let existing: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, role FROM exchange_peer WHERE code = ?1",
            [&code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let id = match existing {
        Some((_, role)) if role != "county" => {
            return Err(ApiError::conflict(
                "该行政区划代码已作为市局配对，不能登记为县级单位",
            ))
        }
        Some((id, _)) => {
            tx.execute(
                "UPDATE exchange_peer SET name = ?1, fingerprint = ?2, sign_key = ?3, registered_at = ?4, revoked_at = NULL WHERE id = ?5",
                params![name, fp, key_hex, now, id],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO exchange_peer (code, name, role, fingerprint, sign_key, registered_at) VALUES (?1, ?2, 'county', ?3, ?4, ?5)",
                params![code, name, fp, key_hex, now],
            )?;
            tx.last_insert_rowid()
        }
    };
    tx.touch("exchange_peer", id);
    peer(tx, &code)?.ok_or_else(|| ApiError::internal("peer"))
}

/// `exchange.revoke`: the city stops accepting a county's key (a lost key, a replaced computer).
pub fn revoke(tx: &mut Tx<'_>, r: &CodeRequest) -> Result<Peer> {
    require_level(tx, OfficeLevel::City, "停用县级单位的密钥")?;
    let (id, revoked): (i64, Option<String>) = tx
        .query_row(
            "SELECT id, revoked_at FROM exchange_peer WHERE code = ?1 AND role = 'county'",
            [r.code.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("该县级单位的登记"))?;
    if revoked.is_none() {
        tx.execute(
            "UPDATE exchange_peer SET revoked_at = ?1 WHERE id = ?2",
            params![now_text(), id],
        )?;
        tx.touch("exchange_peer", id);
    }
    peer(tx, r.code.trim())?.ok_or_else(|| ApiError::internal("peer"))
}

/// `exchange.set_hub`: a county's administrator sets (or clears) the city's hub address.
pub fn set_hub(tx: &mut Tx<'_>, r: &HubRequest) -> Result<Peer> {
    require_level(tx, OfficeLevel::County, "设置市局服务器地址")?;
    let city = paired_city(tx)?;
    let url = if r.hub_url.trim().is_empty() {
        None
    } else {
        Some(net::normalize_url(&r.hub_url).ok_or_else(|| {
            ApiError::field(
                "hub_url",
                "市局服务器地址应为 http://地址:端口 或 https://地址:端口，例如 http://10.22.1.5:8090",
            )
        })?)
    };
    let cert = r
        .hub_cert
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(pem) = cert {
        if !url.as_deref().is_some_and(net::is_encrypted) {
            return Err(ApiError::field(
                "hub_cert",
                "只有 https:// 开头的服务器地址（加密连接）才使用证书：请改用市局给出的 https 地址，或清空证书",
            ));
        }
        net::check_certificate(pem).map_err(|why| ApiError::field("hub_cert", why))?;
    }
    let cert = cert.map(|c| format!("{c}\n"));
    if r.sync_minutes.is_some_and(|m| m > 1440) {
        return Err(ApiError::field(
            "sync_minutes",
            "自动同步间隔应为1至1440分钟（填0表示只在点“立即同步”时同步）",
        ));
    }
    tx.execute(
        "UPDATE exchange_peer SET hub_url = ?1, sync_minutes = ?2, hub_cert = ?3 WHERE id = ?4",
        params![url, r.sync_minutes, cert, city.id],
    )?;
    tx.touch("exchange_peer", city.id);
    peer(tx, &city.code)?.ok_or_else(|| ApiError::internal("peer"))
}

/// The paired city's hub setting and the minutes between background attempts (a county), when a
/// hub is set and background attempts are not switched off. The setting is the address followed by
/// the certificate's text, if any: a changed address or a newly imported certificate is tried at once.
pub fn auto_sync(c: &Connection) -> Result<Option<(String, u32)>> {
    let row: Option<(Option<String>, Option<u32>, Option<String>)> = c
        .query_row(
            "SELECT hub_url, sync_minutes, hub_cert FROM exchange_peer WHERE role = 'city' AND revoked_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match row {
        Some((Some(url), minutes, cert)) => {
            let m = minutes.unwrap_or(DEFAULT_SYNC_MINUTES);
            let setting = format!("{url}\n{}", cert.unwrap_or_default());
            (m > 0).then_some((setting, m))
        }
        _ => None,
    })
}

/// Minutes until the next background attempt: the office's interval after an attempt that reached
/// the hub; after `failures` attempts in a row that did not, 1, 2, 4 … minutes, never more than the
/// interval.
pub fn retry_minutes(failures: u32, interval: u32) -> u32 {
    if failures == 0 {
        interval
    } else {
        (1u32 << (failures - 1).min(10)).min(interval)
    }
}

/// What the background exchange with the hub did last (kept in memory by the running program).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AutoSyncReport {
    /// When the last attempt ran (local time, RFC 3339).
    pub at: String,
    pub sent: bool,
    pub offline: bool,
    /// The hub refused the bundle or could not be trusted (its certificate): the office must act;
    /// tried again at the office's interval, and shown until then.
    pub refused: bool,
    pub summary: String,
    /// Attempts in a row that found the hub unreachable.
    pub failures: u32,
    /// Minutes until the next attempt.
    pub next_in_minutes: u32,
}

/// The paired city's hub (a county), if an address is set.
pub struct Hub {
    pub url: String,
    /// The certificate the city gave (PEM), trusted for an `https://` address.
    pub cert: Option<String>,
}

/// The paired city's hub address and certificate (a county), if an address is set.
pub fn hub(c: &Connection) -> Result<Option<Hub>> {
    Ok(c.query_row(
        "SELECT hub_url, hub_cert FROM exchange_peer WHERE role = 'city'",
        [],
        |r| {
            Ok(r.get::<_, Option<String>>(0)?.map(|url| Hub {
                url,
                cert: r.get(1).ok().flatten(),
            }))
        },
    )
    .optional()?
    .flatten())
}

/// Whether this office is a county (an encrypted file it receives is the city's acknowledgement).
fn is_county(c: &Connection) -> Result<bool> {
    Ok(this_office(c)?.level != OfficeLevel::City)
}

/// Only a bundle may come over the network (the hub's endpoint).
pub fn require_bundle(bytes: &[u8]) -> Result<()> {
    match bundle::kind_of(bytes) {
        FileKind::Bundle => Ok(()),
        _ => Err(ApiError::validation("市局服务器只接收数据包")),
    }
}

/// The bytes of an exchange file answer.
pub fn file_bytes(f: &ExchangeFile) -> Result<Vec<u8>> {
    b64()
        .decode(f.data.as_bytes())
        .map_err(|e| ApiError::internal(e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Minimum necessary: masking

/// Columns holding an insured person's 身份证号 or phone number, per table.
const MASKED_COLUMNS: &[(&str, &[&str])] = &[
    ("insured", &["id_number", "phone"]),
    ("self_correction", &["agent_id_number", "phone"]),
];

/// 身份证号 → the first 6 and last 4 characters; phone → first 3 and last 4 (shorter: all masked).
fn mask_value(column: &str, v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    let (head, tail) = if column.ends_with("id_number") {
        (6, 4)
    } else {
        (3, 4)
    };
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A value masked in an entry: (index of the change, column, original value).
pub(crate) type Masked = (usize, String, String);

/// The entry's changes with 身份证号/phone numbers masked, with the values masked, or None when it
/// holds none. The insured persons in `exempt` (parties to matters sent up to the city) are not
/// masked.
fn mask_changes(changes: &str, exempt: &HashSet<i64>) -> Result<Option<(String, Vec<Masked>)>> {
    if !MASKED_COLUMNS
        .iter()
        .any(|(t, _)| changes.contains(&format!("\"table\":\"{t}\"")))
    {
        return Ok(None);
    }
    let mut v: Value =
        serde_json::from_str(changes).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut originals = Vec::new();
    for (i, ch) in v.as_array_mut().into_iter().flatten().enumerate() {
        let Some(table) = ch.get("table").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        let Some((_, cols)) = MASKED_COLUMNS.iter().find(|(t, _)| *t == table) else {
            continue;
        };
        if table == "insured"
            && ch
                .get("id")
                .and_then(Value::as_i64)
                .is_some_and(|id| exempt.contains(&id))
        {
            continue;
        }
        if let Some(after) = ch.get_mut("after").and_then(Value::as_object_mut) {
            for col in *cols {
                if let Some(Value::String(s)) = after.get(*col) {
                    if !s.is_empty() {
                        let m = mask_value(col, s);
                        originals.push((i, col.to_string(), s.clone()));
                        after.insert(col.to_string(), Value::String(m));
                    }
                }
            }
        }
    }
    Ok((!originals.is_empty()).then(|| (audit::canonical(&v), originals)))
}

/// The original text of masked `changes`, its masked values put back (the inverse of
/// [`mask_changes`]); None when they do not fit.
pub(crate) fn unmask_changes(changes: &str, originals: &[Masked]) -> Option<String> {
    let mut v: Value = serde_json::from_str(changes).ok()?;
    for (i, col, original) in originals {
        let after = v.get_mut(*i)?.get_mut("after")?.as_object_mut()?;
        if !after.contains_key(col) {
            return None;
        }
        after.insert(col.clone(), Value::String(original.clone()));
    }
    Some(audit::canonical(&v))
}

// ---------------------------------------------------------------------------------------------
// County: export, acknowledgement

/// The last acknowledgement received: (seq, hash, received_at).
fn last_ack(c: &Connection) -> Result<Option<(i64, String, String)>> {
    Ok(c.query_row(
        "SELECT seq, hash, received_at FROM exchange_ack ORDER BY seq DESC, id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// The witness check (issue 12): how far the local log runs past the head the city last
/// acknowledged, and whether the local entry there still has the acknowledged hash.
pub fn witness(c: &Connection) -> Result<Witness> {
    let (local_head, _) = audit::head(c)?;
    let (seq, hash) = match last_ack(c)? {
        Some((s, h, _)) => (s, Some(h)),
        None => (0, None),
    };
    let consistent = match &hash {
        None => true,
        Some(h) => audit::hash_at(c, seq)?.as_deref() == Some(h.as_str()),
    };
    Ok(Witness {
        witnessed_seq: seq,
        witnessed_hash: hash,
        local_head,
        past: local_head - seq,
        consistent,
    })
}

/// `audit.verify` against the outside witness (issue 12): the last acknowledgement this county
/// received is checked again — its signature by the paired city over its stored text, that text's
/// entry and hash equal to the stored columns — and this log must still hold that entry with that
/// hash. A log rewritten and re-hashed up to the witnessed entry, or cut below it, or an
/// acknowledgement edited in the database, fails the report. Nothing to check before the first
/// acknowledgement (the report says so by having no witness).
pub fn check_witness(c: &Connection, report: &mut audit::AuditReport) -> Result<()> {
    let row: Option<(i64, String, String, Vec<u8>)> = c
        .query_row(
            "SELECT seq, hash, signed, signature FROM exchange_ack ORDER BY seq DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((seq, hash, signed, signature)) = row else {
        return Ok(());
    };
    let problem = |reason: String| audit::AuditProblem {
        seq: Some(seq),
        table: None,
        row_id: None,
        reason,
    };
    let signed_ok = match (city(c)?, <[u8; 64]>::try_from(signature.as_slice())) {
        (Some(city), Ok(sig)) => matches!(
            bundle::verify_ack_text(signed.as_bytes(), &sig, &city.sign_key),
            Ok(ack) if ack.seq == seq && ack.hash == hash
        ),
        _ => false,
    };
    let local = audit::hash_at(c, seq)?;
    let (head, _) = audit::head(c)?;
    let consistent = signed_ok && local.as_deref() == Some(hash.as_str());
    report.witness = Some(audit::AuditWitness {
        seq,
        past: head - seq,
        consistent,
    });
    if !signed_ok {
        report.fail(problem(format!(
            "市局对第{seq}条记录的确认回执与其签名不符：确认记录在本机被改动，本单位的记录无法由市局佐证"
        )));
    } else if local.is_none() {
        report.fail(problem(format!(
            "市局已确认到第{seq}条记录，而本单位只有{head}条：记录被截短或从旧备份恢复"
        )));
    } else if !consistent {
        report.fail(problem(format!(
            "第{seq}条记录的校验值与市局确认的不同：该条及以前的记录在市局确认后被改写"
        )));
    }
    Ok(())
}

/// The entries after `after` up to `to` as shipped: masked where they hold personal numbers, with
/// the original sealed by this office to itself (`own`, for its recovery after a restore).
pub fn wire_entries(
    c: &Connection,
    keys: &OfficeKeys,
    after: i64,
    to: i64,
) -> Result<Vec<WireEntry>> {
    let mut out = Vec::with_capacity((to - after).clamp(0, 1 << 20) as usize);
    let exempt = crate::cases::escalation::escalated_insured(c)?;
    audit::for_each_entry(c, after, to, |e| {
        let masked = mask_changes(&e.changes, &exempt)?;
        // The masked values, sealed by this office to itself (a few dozen bytes per entry).
        let own = match &masked {
            Some((_, originals)) => {
                let text = serde_json::to_string(originals)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                Some(b64().encode(keys.seal_own(&e.hash, &text)))
            }
            None => None,
        };
        out.push(WireEntry {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            command: e.command,
            masked: masked.is_some(),
            changes: masked.map(|(text, _)| text).unwrap_or(e.changes),
            prev_hash: e.prev_hash,
            hash: e.hash,
            own,
        });
        Ok(())
    })?;
    Ok(out)
}

/// `exchange.export`: the entries after the last one the city acknowledged, up to now, as a bundle
/// for the paired city. Recorded for the status page (not audited: it changes no data).
/// The manifest of a bundle from this county to its city, for the entries after `after` up to `head`
/// (none: a poll).
fn manifest_for(
    c: &Connection,
    keys: &OfficeKeys,
    o: &office::Office,
    city: &City,
    after: i64,
    head: i64,
    head_hash: String,
    entries: &[WireEntry],
) -> Result<Manifest> {
    Ok(Manifest {
        format: FORMAT,
        from_office: o.code.clone(),
        from_name: o.name.clone(),
        to_office: city.code.clone(),
        signer_key: String::new(),
        first_seq: after + 1,
        last_seq: head,
        prev_hash: audit::hash_at(c, after)?.unwrap_or_else(|| GENESIS.to_string()),
        head_hash,
        entries: entries.len() as i64,
        payload_sha256: String::new(),
        schema_version: schema_version(),
        masked_entries: entries.iter().filter(|e| e.masked).count() as i64,
        created_at: now_text(),
        recipient: keys.recipient(),
        origin: String::new(),
    })
}

/// The witnessed head this county's next bundle starts after, refusing when the local log no longer
/// agrees with what the city acknowledged.
fn export_start(c: &Connection) -> Result<Witness> {
    let w = witness(c)?;
    if !w.consistent || w.past < 0 {
        return Err(ApiError::illegal(format!(
            "本单位的审计记录与市局确认的第{}条记录不符（记录被改动或从旧备份恢复），请先进行全面校验并联系市局，暂不能导出",
            w.witnessed_seq
        )));
    }
    Ok(w)
}

/// A bundle with no entries (a poll): when a county has nothing new, its background exchange still
/// asks the hub for the acknowledgement, which carries the city's answers and assigned leads (issue
/// 11: an answer must not wait for the county to write something). Signed and encrypted like any
/// bundle; the hub checks it continues the chain it holds and applies nothing. Writes nothing here.
pub fn poll(c: &Connection, keys: &OfficeKeys) -> Result<Vec<u8>> {
    let o = require_level(c, OfficeLevel::County, "询问市局回执")?;
    let city = paired_city(c)?;
    let w = export_start(c)?;
    let after = w.witnessed_seq;
    let mut manifest = manifest_for(c, keys, &o, &city, after, after, String::new(), &[])?;
    // Nothing after the witnessed head: the head is the entry the poll continues from.
    manifest.head_hash = manifest.prev_hash.clone();
    bundle::seal(keys, &city.recipient, manifest, &[])
}

pub fn export(tx: &mut Tx<'_>, keys: &OfficeKeys) -> Result<ExchangeFile> {
    export_upto(tx, keys, None)
}

/// [`export`] of at most `limit` entries (the network sends a long backlog in parts, each well
/// under the hub's request limit; the next part starts after the acknowledgement of this one).
pub fn export_upto(tx: &mut Tx<'_>, keys: &OfficeKeys, limit: Option<i64>) -> Result<ExchangeFile> {
    let o = require_level(tx, OfficeLevel::County, "导出数据包")?;
    let city = paired_city(tx)?;
    let w = export_start(tx)?;
    let (mut head, mut head_hash) = audit::head(tx)?;
    if head <= w.witnessed_seq {
        return Err(ApiError::conflict(format!(
            "自市局上次确认（第{}条）以来没有新的记录，无需导出",
            w.witnessed_seq
        )));
    }
    let after = w.witnessed_seq;
    if let Some(limit) = limit.filter(|l| after + l < head) {
        head = after + limit.max(1);
        head_hash = audit::hash_at(tx, head)?
            .ok_or_else(|| ApiError::internal(format!("第{head}条审计记录缺失，请进行全面校验")))?;
    }
    let entries = wire_entries(tx, keys, after, head)?;
    let manifest = manifest_for(tx, keys, &o, &city, after, head, head_hash, &entries)?;
    let bytes = bundle::seal(keys, &city.recipient, manifest, &entries)?;
    let file_name = format!("{}-{}-{}.recoup", o.code, seq6(after + 1), seq6(head));
    tx.execute(
        "INSERT INTO exchange_export (first_seq, last_seq, file_name, bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![after + 1, head, file_name, bytes.len() as i64, now_text()],
    )?;
    Ok(file(
        ExchangeFileKind::Bundle,
        file_name,
        &bytes,
        format!(
            "第{}至{}条记录，共{}条，发往{}",
            after + 1,
            head,
            entries.len(),
            city.name
        ),
    ))
}

fn check_ack(c: &Connection, file: &[u8]) -> Result<(Ack, String, [u8; 64], City)> {
    let o = this_office(c)?;
    let city = paired_city(c)?;
    let (ack, text, sig) = bundle::open_ack(file, &city.sign_key)?;
    if ack.to_office != o.code || ack.from_office != city.code {
        return Err(ApiError::validation(format!(
            "此确认回执是{}发给{}的，不是发给本单位的；本次未作任何改动",
            ack.from_office, ack.to_office
        )));
    }
    if ack.format != FORMAT {
        return Err(ApiError::validation(format!(
            "确认回执的格式版本（{}）与本软件（{FORMAT}）不同，请双方使用相同版本的软件",
            ack.format
        )));
    }
    match audit::hash_at(c, ack.seq)? {
        Some(h) if h == ack.hash => {}
        Some(_) => {
            return Err(ApiError::conflict(format!(
                "确认回执与本单位的记录不符：第{}条记录的校验值不同。本单位的记录可能被改动，请立即进行全面校验并联系市局；本次未作任何改动",
                ack.seq
            )))
        }
        None => {
            return Err(ApiError::conflict(format!(
                "市局已确认到第{}条记录，而本单位只有{}条：本单位的数据可能从旧备份恢复，请联系市局取回已确认的记录；本次未作任何改动",
                ack.seq,
                audit::head(c)?.0
            )))
        }
    }
    Ok((ack, text, sig, city))
}

fn import_ack(tx: &mut Tx<'_>, file: &[u8]) -> Result<ImportOutcome> {
    let (ack, text, sig, city) = check_ack(tx, file)?;
    let held = last_ack(tx)?.map(|(s, _, _)| s).unwrap_or(0);
    // The city's answers to this office's requests (each applied once, audited).
    let answered = crate::cases::escalation::apply_answers(tx, &ack.answers)?;
    // What the city published (registry, calendar, profile version), once each by (origin, seq);
    // before the leads, so that a lead links an institution that came down with it.
    let down = down::apply_down(tx, &city.code, &ack.down)?;
    // The leads the city assigned (each becomes a lead once, with the city's due date).
    let assigned = crate::cases::leads::apply_assigned(tx, &city.name, &ack.leads)?;
    let mut answers_note = String::new();
    if answered > 0 {
        answers_note.push_str(&format!("；已登记市局对本单位请示的答复{answered}件"));
    }
    if assigned > 0 {
        answers_note.push_str(&format!("；已收到市局交办线索{assigned}条"));
    }
    let summary = if ack.seq <= held {
        format!(
            "{}已确认到第{}条，本单位已有该确认（或更新的确认），无需处理",
            city.name, ack.seq
        )
    } else {
        tx.execute(
            "INSERT INTO exchange_ack (seq, hash, signed, signature, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![ack.seq, ack.hash, text, sig.to_vec(), now_text()],
        )?;
        format!(
            "{}已确认收到第{}条及以前的记录，下次只导出其后的记录",
            city.name, ack.seq
        )
    };
    Ok(ImportOutcome {
        kind: ExchangeFileKind::Ack,
        summary: summary + &answers_note + &down.note(),
        applied: answered + assigned + down.received,
        ack: None,
    })
}

// ---------------------------------------------------------------------------------------------
// City: import of a bundle, acknowledgement

/// A bundle checked against what the city holds: the entries to apply.
struct Plan {
    opened: Opened,
    entries: Vec<WireEntry>,
    /// Index in `entries` of the first entry not held yet.
    first_new: usize,
    county_name: String,
}

/// Every check of a bundle, without writing: decryption by this office, signature by the registered
/// unrevoked key of the sending county, recipient, versions, chain links and hashes, continuity
/// with the held head, forks and gaps.
fn plan(c: &Connection, keys: &OfficeKeys, file: &[u8]) -> Result<Plan> {
    let me = require_level(c, OfficeLevel::City, "导入县级单位的数据包")?;
    let opened = bundle::open(keys, file)?;
    let m = opened.manifest.clone();
    let reg: Option<(String, String, Option<String>, Option<String>)> = c
        .query_row(
            "SELECT name, fingerprint, sign_key, revoked_at FROM exchange_peer WHERE code = ?1 AND role = 'county'",
            [&m.from_office],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((county_name, fp, sign_key, revoked)) = reg else {
        return Err(ApiError::validation(format!(
            "数据包来自未登记的单位（{}，{}），请先凭其登记单登记该单位；本次未作任何改动",
            m.from_name, m.from_office
        )));
    };
    if revoked.is_some() {
        return Err(ApiError::validation(format!(
            "{county_name}的密钥已于{}停用，不接受其数据包；如已更换密钥，请凭新的登记单重新登记；本次未作任何改动",
            revoked.unwrap_or_default()
        )));
    }
    let signer = parse_public_key(&m.signer_key);
    let matches = match (&sign_key, signer) {
        (Some(k), Some(_)) => k.eq_ignore_ascii_case(m.signer_key.trim()),
        (None, Some(s)) => fingerprint(&s.to_bytes()) == fp,
        _ => false,
    };
    if !matches {
        return Err(ApiError::validation(format!(
            "数据包的签名密钥与{county_name}登记的公钥指纹不符，不予接受；如该单位已更换密钥，请凭新的登记单重新登记；本次未作任何改动"
        )));
    }
    opened.verify(&m.signer_key)?;
    if m.to_office != me.code {
        return Err(ApiError::validation(format!(
            "此数据包是发给{}的，不是发给本单位的；本次未作任何改动",
            m.to_office
        )));
    }
    if m.format != FORMAT {
        return Err(ApiError::validation(format!(
            "数据包的格式版本（{}）与本软件（{FORMAT}）不同：请{}升级到与市局相同版本的软件后重新导出；本次未作任何改动",
            m.format, county_name
        )));
    }
    if m.schema_version < schema_version() {
        return Err(ApiError::validation(format!(
            "数据包由较旧版本的软件导出（数据库版本{}，本单位{}）：请{county_name}升级软件后重新导出；本次未作任何改动",
            m.schema_version,
            schema_version()
        )));
    }
    if m.schema_version > schema_version() {
        return Err(ApiError::validation(format!(
            "数据包由较新版本的软件导出（数据库版本{}，本单位{}）：请先升级本单位的软件后再导入；本次未作任何改动",
            m.schema_version,
            schema_version()
        )));
    }
    let entries = opened.entries()?;
    let bad = |why: String| {
        ApiError::validation(format!(
            "数据包的记录不完整或被改动（{why}），不予接受；请{county_name}重新导出；本次未作任何改动"
        ))
    };
    // A poll (no entries, see `poll`) names the head it continues from as both ends.
    let is_poll = entries.is_empty() && m.entries == 0 && m.head_hash == m.prev_hash;
    if entries.len() as i64 != m.entries
        || m.first_seq < 1
        || m.last_seq - m.first_seq + 1 != m.entries
        || (entries.is_empty() && !is_poll)
    {
        return Err(bad("记录条数与清单不符".into()));
    }
    if m.first_seq == 1 && m.prev_hash != GENESIS {
        return Err(bad("第1条记录之前不应有记录".into()));
    }
    let mut prev = m.prev_hash.clone();
    for (i, e) in entries.iter().enumerate() {
        let seq = m.first_seq + i as i64;
        if e.seq != seq {
            return Err(bad(format!("应为第{seq}条，实际为第{}条", e.seq)));
        }
        if e.prev_hash != prev {
            return Err(bad(format!("第{seq}条与前一条的链接断开")));
        }
        if !e.masked
            && audit::entry_hash(
                &e.prev_hash,
                e.seq,
                &m.from_office,
                &e.at,
                &e.actor,
                &e.command,
                &e.changes,
            ) != e.hash
        {
            return Err(bad(format!("第{seq}条的校验值不符")));
        }
        prev = e.hash.clone();
    }
    if prev != m.head_hash {
        return Err(bad("最后一条与清单的校验值不符".into()));
    }
    // Against what is held.
    let (head_seq, head_hash): (i64, String) = c.query_row(
        "SELECT head_seq, head_hash FROM exchange_peer WHERE code = ?1",
        [&m.from_office],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if m.first_seq > head_seq + 1 {
        return Err(ApiError::validation(format!(
            "数据包缺少前面的记录：本单位保存的{county_name}记录到第{head_seq}条为止，缺少第{}至{}条；请{county_name}从第{}条起重新导出（或先导入缺少的数据包）；本次未作任何改动",
            head_seq + 1,
            m.first_seq - 1,
            head_seq + 1
        )));
    }
    if m.first_seq == head_seq + 1 && m.prev_hash != head_hash {
        return Err(fork(&county_name, head_seq));
    }
    // A poll from behind the held head (an acknowledgement lost on the way) must still continue the
    // held chain.
    if is_poll && m.first_seq <= head_seq && m.first_seq > 1 {
        let held: Vec<u8> = c.query_row(
            "SELECT hash FROM replica_entry WHERE origin = ?1 AND seq = ?2",
            params![m.from_office, m.first_seq - 1],
            |r| r.get(0),
        )?;
        if hex::encode(held) != m.prev_hash {
            return Err(fork(&county_name, m.first_seq - 1));
        }
    }
    // Entries already held must be the same entries.
    let overlap_end = head_seq.min(m.last_seq);
    if m.first_seq <= overlap_end {
        let mut stmt = c.prepare_cached(
            "SELECT seq, hash FROM replica_entry WHERE origin = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![m.from_office, m.first_seq, overlap_end])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let h: Vec<u8> = r.get(1)?;
            let e = &entries[(seq - m.first_seq) as usize];
            if hex::encode(h) != e.hash {
                return Err(fork(&county_name, seq));
            }
            n += 1;
        }
        if n != overlap_end - m.first_seq + 1 {
            return Err(ApiError::internal("replica is missing held entries"));
        }
    }
    let first_new = (head_seq + 1 - m.first_seq).max(0) as usize;
    Ok(Plan {
        opened,
        entries,
        first_new: first_new.min(m.entries as usize),
        county_name,
    })
}

fn fork(county: &str, seq: i64) -> ApiError {
    ApiError::conflict(format!(
        "记录分叉：数据包中{county}的第{seq}条记录与本单位已保存的同号记录不同。{county}的记录可能被改动或从旧备份恢复后重新办理，不予接受；请核查后联系{county}；本次未作任何改动"
    ))
}

fn preview_bundle(c: &Connection, keys: &OfficeKeys, file: &[u8]) -> Result<FilePreview> {
    let p = plan(c, keys, file)?;
    let m = &p.opened.manifest;
    let new = (p.entries.len() - p.first_new) as i64;
    let mut counts: std::collections::BTreeMap<&str, i64> = Default::default();
    for e in &p.entries[p.first_new..] {
        *counts.entry(e.command.as_str()).or_default() += 1;
    }
    let summary = if new == 0 {
        format!(
            "{}第{}至{}条记录，本单位已全部保存，导入不会有任何改动",
            p.county_name, m.first_seq, m.last_seq
        )
    } else {
        format!(
            "{}第{}至{}条记录，其中{}条是新的，导入后保存到第{}条",
            p.county_name, m.first_seq, m.last_seq, new, m.last_seq
        )
    };
    Ok(FilePreview {
        kind: ExchangeFileKind::Bundle,
        from_office: m.from_office.clone(),
        from_name: p.county_name.clone(),
        first_seq: m.first_seq,
        last_seq: m.last_seq,
        entries: m.entries,
        new_entries: new,
        masked_entries: m.masked_entries,
        created_at: m.created_at.clone(),
        fingerprint: parse_public_key(&m.signer_key)
            .map(|k| fingerprint(&k.to_bytes()))
            .unwrap_or_default(),
        summary,
        commands: counts
            .into_iter()
            .map(|(command, count)| CommandCount {
                command: command.to_string(),
                count,
            })
            .collect(),
    })
}

fn import_bundle(tx: &mut Tx<'_>, keys: &OfficeKeys, file: &[u8]) -> Result<ImportOutcome> {
    let p = plan(tx, keys, file)?;
    let m = &p.opened.manifest;
    let new = &p.entries[p.first_new..];
    let (peer_id, head_seq): (i64, i64) = tx.query_row(
        "SELECT id, head_seq FROM exchange_peer WHERE code = ?1",
        [&m.from_office],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let summary;
    if p.entries.is_empty() {
        summary = format!(
            "{}没有新的记录，询问本单位的确认（已保存到第{}条）",
            p.county_name, head_seq
        );
    } else if new.is_empty() {
        summary = format!(
            "{}第{}至{}条记录本单位已全部保存（重复导入），没有任何改动",
            p.county_name, m.first_seq, m.last_seq
        );
    } else {
        let now = now_text();
        tx.execute(
            "INSERT INTO replica_bundle (origin, first_seq, last_seq, applied, manifest, signature, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                m.from_office,
                m.first_seq,
                m.last_seq,
                new.len() as i64,
                p.opened.manifest_text(),
                p.opened.signature.to_vec(),
                now
            ],
        )?;
        let bundle_id = tx.last_insert_rowid();
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO replica_entry (origin, seq, at, actor, command, changes, masked, hash, bundle_id, own) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            // Each entry's link is not stored (0030): `plan` checked it is the hash of the entry
            // before, held or in this bundle, and the replica has no gap.
            for e in new {
                let hash = hex::decode(&e.hash).map_err(|e| ApiError::internal(e.to_string()))?;
                // The county's sealed original of a masked entry (not readable here).
                let own = match &e.own {
                    Some(t) if e.masked => Some(b64().decode(t).map_err(|_| {
                        ApiError::validation(format!(
                            "数据包第{}条记录的附带内容无法读取，不予接受；本次未作任何改动",
                            e.seq
                        ))
                    })?),
                    _ => None,
                };
                ins.execute(params![
                    m.from_office,
                    e.seq,
                    e.at,
                    e.actor,
                    e.command,
                    audit::compress(&e.changes)?,
                    e.masked,
                    hash,
                    bundle_id,
                    own
                ])?;
            }
        }
        escalation::project(tx, &m.from_office, new)?;
        assign::project(tx, &m.from_office, new)?;
        tx.execute(
            "UPDATE exchange_peer SET head_seq = ?1, head_hash = ?2, last_import_at = ?3, sign_key = COALESCE(sign_key, ?4),
                recipient = COALESCE(NULLIF(?6, ''), recipient) WHERE id = ?5",
            params![m.last_seq, m.head_hash, now, m.signer_key, peer_id, m.recipient],
        )?;
        tx.touch("exchange_peer", peer_id);
        summary = format!(
            "已导入{}第{}至{}条记录（新增{}条），现保存到第{}条",
            p.county_name,
            head_seq + 1,
            m.last_seq,
            new.len(),
            m.last_seq
        );
    }
    let ack = ack_file(tx, keys, &m.from_office)?;
    Ok(ImportOutcome {
        kind: ExchangeFileKind::Bundle,
        summary,
        applied: new.len() as i64,
        ack: Some(ack),
    })
}

/// The city's signed acknowledgement of the head it holds for `county`.
pub(crate) fn ack_file(c: &Connection, keys: &OfficeKeys, county: &str) -> Result<ExchangeFile> {
    let me = this_office(c)?;
    let p = peer(c, county)?.ok_or_else(|| ApiError::not_found("该县级单位的登记"))?;
    if p.head_seq == 0 {
        return Err(ApiError::illegal(format!(
            "尚未收到{}的数据包，没有可确认的记录",
            p.name
        )));
    }
    let hash: String = c.query_row(
        "SELECT head_hash FROM exchange_peer WHERE code = ?1",
        [county],
        |r| r.get(0),
    )?;
    let answers = escalation::answers_for(c, county)?;
    let n_answers = answers.len();
    let leads = assign::for_county(c, county)?;
    let n_leads = leads.len();
    let down = down::for_county(c, county)?;
    let n_down = down.len();
    let recipient: Option<String> = c.query_row(
        "SELECT recipient FROM exchange_peer WHERE code = ?1",
        [county],
        |r| r.get(0),
    )?;
    let bytes = bundle::seal_ack(
        keys,
        Ack {
            format: FORMAT,
            from_office: me.code.clone(),
            to_office: p.code.clone(),
            signer_key: String::new(),
            seq: p.head_seq,
            hash,
            created_at: now_text(),
            answers,
            leads,
            down,
        },
    )?;
    // What the city sends down (answers, assigned leads) is encrypted to the county, as a bundle is
    // to the city; a bare acknowledgement holds nothing personal and stays plain.
    let bytes = match recipient.filter(|r| !r.is_empty()) {
        Some(r) if n_answers + n_leads + n_down > 0 => bundle::encrypt(&r, &bytes)?,
        _ => bytes,
    };
    Ok(file(
        ExchangeFileKind::Ack,
        format!("{}-ack-{}.recoup", p.code, seq6(p.head_seq)),
        &bytes,
        format!(
            "确认已收到{}第{}条及以前的记录{}{}{}",
            p.name,
            p.head_seq,
            if n_answers > 0 {
                format!("，附市局对其请示的答复{n_answers}件")
            } else {
                String::new()
            },
            if n_leads > 0 {
                format!("，附市局交办线索{n_leads}条")
            } else {
                String::new()
            },
            if n_down > 0 {
                format!("，附市局下发事项{n_down}项")
            } else {
                String::new()
            }
        ),
    ))
}

/// `exchange.ack`: the acknowledgement for a county again (e.g. the first one was lost).
pub fn ack(c: &Connection, keys: &OfficeKeys, r: &CodeRequest) -> Result<ExchangeFile> {
    require_level(c, OfficeLevel::City, "出具确认回执")?;
    ack_file(c, keys, r.code.trim())
}

// ---------------------------------------------------------------------------------------------
// Any file: preview and import

fn pairing_preview(p: &Pairing) -> FilePreview {
    let fp = parse_public_key(&p.sign_key)
        .map(|k| fingerprint(&k.to_bytes()))
        .unwrap_or_default();
    FilePreview {
        kind: ExchangeFileKind::Pairing,
        from_office: p.code.clone(),
        from_name: p.name.clone(),
        first_seq: 0,
        last_seq: 0,
        entries: 0,
        new_entries: 0,
        masked_entries: 0,
        created_at: String::new(),
        summary: format!(
            "{}（{}）的配对文件。请与市局提供的公钥指纹核对一致后再导入：{fp}",
            p.name, p.code
        ),
        fingerprint: fp,
        commands: Vec::new(),
    }
}

/// What an acknowledgement brings down besides the witness: the city's answers and assigned leads
/// (all of them; those already held are skipped on import).
fn down_note(ack: &Ack) -> String {
    let mut out = String::new();
    if !ack.answers.is_empty() {
        out.push_str(&format!(
            "；附市局对本单位请示的答复{}件",
            ack.answers.len()
        ));
    }
    if !ack.leads.is_empty() {
        out.push_str(&format!("；附市局交办线索{}条", ack.leads.len()));
    }
    if !ack.down.is_empty() {
        out.push_str(&format!("；附市局下发事项{}项", ack.down.len()));
    }
    out
}

/// What a recovery file holds and what applying it does at this county.
fn recovery_preview(c: &Connection, keys: &OfficeKeys, opened: &Opened) -> Result<FilePreview> {
    let plan = recover::plan(c, keys, opened)?;
    let m = &opened.manifest;
    Ok(FilePreview {
        kind: ExchangeFileKind::Recovery,
        from_office: m.from_office.clone(),
        from_name: m.from_name.clone(),
        first_seq: plan.first_seq(),
        last_seq: plan.last_seq(),
        entries: m.entries,
        new_entries: plan.entries(),
        masked_entries: m.masked_entries,
        created_at: m.created_at.clone(),
        fingerprint: parse_public_key(&m.signer_key)
            .map(|k| fingerprint(&k.to_bytes()))
            .unwrap_or_default(),
        summary: plan.summary(),
        commands: Vec::new(),
    })
}

fn unknown_file() -> ApiError {
    ApiError::field(
        "data",
        "这不是数据交换文件（数据包、确认回执或配对文件），请重新选择",
    )
}

/// `exchange.preview`: what a picked file holds and what importing it would do; the same checks as
/// the import, nothing written.
pub fn preview(c: &Connection, keys: &OfficeKeys, r: &FileRequest) -> Result<FilePreview> {
    let bytes = decode_file(r)?;
    match bundle::kind_of(&bytes) {
        FileKind::Bundle if !is_county(c)? => preview_bundle(c, keys, &bytes),
        FileKind::Bundle | FileKind::Ack => {
            let bytes = match bundle::kind_of(&bytes) {
                FileKind::Bundle => match bundle::open_down(keys, &bytes)? {
                    bundle::Down::Ack(inner) => inner,
                    bundle::Down::Recovery(opened) => {
                        return recovery_preview(c, keys, &opened);
                    }
                },
                _ => bytes,
            };
            let (ack, _, _, city) = check_ack(c, &bytes)?;
            let held = last_ack(c)?.map(|(s, _, _)| s).unwrap_or(0);
            Ok(FilePreview {
                kind: ExchangeFileKind::Ack,
                from_office: city.code.clone(),
                from_name: city.name.clone(),
                first_seq: 0,
                last_seq: ack.seq,
                entries: 0,
                new_entries: 0,
                masked_entries: 0,
                created_at: ack.created_at.clone(),
                fingerprint: parse_public_key(&ack.signer_key)
                    .map(|k| fingerprint(&k.to_bytes()))
                    .unwrap_or_default(),
                summary: if ack.seq <= held {
                    format!(
                        "{}确认到第{}条；本单位已有该确认{}",
                        city.name,
                        ack.seq,
                        if ack.answers.is_empty() && ack.leads.is_empty() && ack.down.is_empty() {
                            "，无需处理".to_string()
                        } else {
                            down_note(&ack)
                        }
                    )
                } else {
                    format!(
                        "{}确认已收到第{}条及以前的记录{}",
                        city.name,
                        ack.seq,
                        down_note(&ack)
                    )
                },
                commands: Vec::new(),
            })
        }
        FileKind::Pairing => Ok(pairing_preview(&bundle::parse_pairing(&bytes)?)),
        FileKind::Unknown => Err(unknown_file()),
    }
}

/// `exchange.import`: apply a bundle (city), an acknowledgement or a pairing file (county), in the
/// caller's write transaction: all or nothing.
pub fn import(tx: &mut Tx<'_>, keys: &OfficeKeys, r: &FileRequest) -> Result<ImportOutcome> {
    let bytes = decode_file(r)?;
    import_bytes(tx, keys, &bytes)
}

pub fn import_bytes(tx: &mut Tx<'_>, keys: &OfficeKeys, bytes: &[u8]) -> Result<ImportOutcome> {
    match bundle::kind_of(bytes) {
        FileKind::Bundle if is_county(tx)? => match bundle::open_down(keys, bytes)? {
            bundle::Down::Ack(inner) => import_ack(tx, &inner),
            bundle::Down::Recovery(opened) => recover::apply(tx, keys, &opened),
        },
        FileKind::Bundle => import_bundle(tx, keys, bytes),
        FileKind::Ack => import_ack(tx, bytes),
        FileKind::Pairing => Err(ApiError::field(
            "data",
            "这是市局的配对文件，请由管理员在“与市局配对”中导入",
        )),
        FileKind::Unknown => Err(unknown_file()),
    }
}

/// `exchange.pair`: a county imports the city's pairing file (administrators only; audited).
pub fn pair(tx: &mut Tx<'_>, r: &FileRequest) -> Result<ImportOutcome> {
    let bytes = decode_file(r)?;
    match bundle::kind_of(&bytes) {
        FileKind::Pairing => import_pairing(tx, &bundle::parse_pairing(&bytes)?),
        _ => Err(ApiError::field(
            "data",
            "这不是市局的配对文件（文件名一般为 行政区划代码-pairing.json），请重新选择",
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Status

pub fn status(c: &Connection, keys: &OfficeKeys) -> Result<ExchangeStatus> {
    let o = this_office(c)?;
    let city = match city(c)? {
        Some(ci) => peer(c, &ci.code)?,
        None => None,
    };
    let last_export = c
        .query_row(
            "SELECT first_seq, last_seq, file_name, bytes, created_at FROM exchange_export ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(ExportInfo {
                    first_seq: r.get(0)?,
                    last_seq: r.get(1)?,
                    file_name: r.get(2)?,
                    bytes: r.get(3)?,
                    created_at: r.get(4)?,
                })
            },
        )
        .optional()?;
    let mut stmt = c.prepare(&format!(
        "SELECT {PEER_COLUMNS} FROM exchange_peer WHERE role = 'county' ORDER BY code"
    ))?;
    let counties = stmt
        .query_map([], peer_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ExchangeStatus {
        office_code: o.code,
        office_name: o.name,
        level: o.level,
        fingerprint: keys.fingerprint(),
        city,
        witness: witness(c)?,
        last_ack_at: last_ack(c)?.map(|(_, _, at)| at),
        last_export,
        counties,
        auto_sync: None,
    })
}

/// One bundle applied at the city (the history of a county's deliveries).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BundleRecord {
    pub first_seq: i64,
    pub last_seq: i64,
    /// Entries it added (the others were held already).
    pub applied: i64,
    pub masked_entries: i64,
    /// When the county made it, and when the city imported it.
    pub created_at: String,
    pub imported_at: String,
}

/// `exchange.history`: at the city, the bundles applied from one county, newest first (at most 200).
pub fn history(c: &Connection, r: &CodeRequest) -> Result<Vec<BundleRecord>> {
    require_level(c, OfficeLevel::City, "查看县级单位的数据包记录")?;
    peer(c, r.code.trim())?.ok_or_else(|| ApiError::not_found("该县级单位的登记"))?;
    let mut stmt = c.prepare(
        "SELECT first_seq, last_seq, applied, manifest, imported_at FROM replica_bundle WHERE origin = ?1 ORDER BY id DESC LIMIT 200",
    )?;
    let rows = stmt
        .query_map([r.code.trim()], |r| {
            let manifest: String = r.get(3)?;
            let m: Option<Manifest> = serde_json::from_str(&manifest).ok();
            Ok(BundleRecord {
                first_seq: r.get(0)?,
                last_seq: r.get(1)?,
                applied: r.get(2)?,
                masked_entries: m.as_ref().map_or(0, |m| m.masked_entries),
                created_at: m.map(|m| m.created_at).unwrap_or_default(),
                imported_at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The entries of a county's replica held at the city after `after`, as stored (`changes` as
/// text, a masked entry with the county's sealed original); each link is the hash of the held
/// entry before it (not stored since 0030; GENESIS before the first).
pub fn replica_entries(c: &Connection, county: &str, after: i64) -> Result<Vec<WireEntry>> {
    let mut reader = audit::ChangesReader::new()?;
    let mut stmt = c.prepare(
        "SELECT seq, at, actor, command, changes, masked,
                CASE WHEN seq = 1 THEN zeroblob(32)
                     ELSE (SELECT p.hash FROM replica_entry p WHERE p.origin = r.origin AND p.seq = r.seq - 1) END,
                hash, own
           FROM replica_entry r WHERE origin = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![county, after])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(WireEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            command: r.get(3)?,
            changes: reader
                .read(r.get_ref(4)?)
                .map(str::to_string)
                .ok_or_else(|| ApiError::new(ErrorCode::Storage, "副本记录无法读取"))?,
            masked: r.get(5)?,
            prev_hash: r
                .get::<_, Option<Vec<u8>>>(6)?
                .map(hex::encode)
                .unwrap_or_default(),
            hash: hex::encode(r.get::<_, Vec<u8>>(7)?),
            own: r.get::<_, Option<Vec<u8>>>(8)?.map(|b| b64().encode(b)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_numbers_are_masked() {
        assert_eq!(
            mask_value("id_number", "11010519491231002X"),
            "110105********002X"
        );
        assert_eq!(mask_value("phone", "13812345678"), "138****5678");
        assert_eq!(mask_value("phone", "1234"), "****");
        let c = r#"[{"after":{"id":1,"id_number":"11010519491231002X","name":"王某","phone":"13812345678"},"id":1,"table":"insured"}]"#;
        let none = HashSet::new();
        let (m, originals) = mask_changes(c, &none).unwrap().unwrap();
        assert!(
            m.contains("110105********002X") && m.contains("138****5678") && m.contains("王某")
        );
        // The county puts the values back (its recovery): the original text, byte for byte.
        assert_eq!(unmask_changes(&m, &originals).as_deref(), Some(c));
        assert_eq!(unmask_changes(&m, &[(1, "phone".into(), "1".into())]), None);
        // A party to a matter sent up to the city is not masked.
        assert_eq!(mask_changes(c, &HashSet::from([1])).unwrap(), None);
        assert_eq!(
            mask_changes(r#"[{"after":{"id":1},"id":1,"table":"lead"}]"#, &none).unwrap(),
            None
        );
    }
}
