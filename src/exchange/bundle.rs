//! The file formats of the exchange: the bundle (a county's audit entries, signed, compressed and
//! encrypted to the city), the acknowledgement (the city's signed receipt of a county's head) and
//! the pairing file (the city's public keys). Pure functions, no database.
//!
//! A bundle file is the age encryption (X25519 recipient of the city) of
//! `"RCB1" ‖ u32 manifest length ‖ manifest JSON ‖ 64-byte Ed25519 signature ‖ payload`, where the
//! signature is over `"recoup-bundle-v1\0" ‖ manifest JSON` and the manifest carries the payload's
//! SHA-256; the payload is the zstd of a JSON array of entries. An acknowledgement is
//! `"RCA1" ‖ u32 length ‖ ack JSON ‖ signature` (not encrypted: it holds no personal data).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::keys::{parse_public_key, OfficeKeys};
use crate::error::{ApiError, Result};

/// The bundle format this version writes and reads.
pub const FORMAT: u32 = 1;
const BUNDLE_MAGIC: &[u8; 4] = b"RCB1";
const ACK_MAGIC: &[u8; 4] = b"RCA1";
const BUNDLE_CONTEXT: &[u8] = b"recoup-bundle-v1\0";
const ACK_CONTEXT: &[u8] = b"recoup-ack-v1\0";
/// The largest manifest accepted (a manifest is a few hundred bytes).
const MAX_MANIFEST: usize = 64 << 10;
/// The largest acknowledgement accepted: it carries what the city sends down (a registry update
/// per institution, calendars, profile versions), so it may be far larger than a manifest.
const MAX_ACK: usize = 64 << 20;
/// The largest payload accepted once decompressed.
const MAX_PAYLOAD: u64 = 2 << 30;
/// The start of every age file (binary format).
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// What a bundle says about itself, signed by the sending office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Manifest {
    pub format: u32,
    /// 行政区划代码 of the sending office, and its name.
    pub from_office: String,
    pub from_name: String,
    /// 行政区划代码 of the office it is for (the city).
    pub to_office: String,
    /// The sender's public signing key (hex); the city checks it against the registered fingerprint.
    pub signer_key: String,
    pub first_seq: i64,
    pub last_seq: i64,
    /// The hash of the entry before `first_seq` (the genesis hash for the first).
    pub prev_hash: String,
    /// The hash of entry `last_seq`.
    pub head_hash: String,
    pub entries: i64,
    pub payload_sha256: String,
    /// The sender's database schema version (number of migrations).
    pub schema_version: i64,
    /// Entries whose 身份证号/phone numbers were masked (minimum necessary).
    pub masked_entries: i64,
    pub created_at: String,
    /// The sender's age recipient (`age1…`), so that what the city sends down to it (answers,
    /// assigned leads) can be encrypted to it; "" from older versions.
    #[serde(default)]
    pub recipient: String,
    /// Whose entries these are when not the sender's: a recovery file (the city giving a county
    /// its own entries back) names the county here; "" in a county's bundle.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
}

/// One audit entry as shipped. `changes` is the canonical text, masked when `masked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub changes: String,
    #[serde(default)]
    pub masked: bool,
    pub prev_hash: String,
    pub hash: String,
    /// A masked entry's masked values (change, column, original), sealed by the county to itself
    /// (base64, [`super::keys::OfficeKeys::seal_own`]): the city cannot read them and keeps them,
    /// so that a county restored from an old backup gets its own entries back whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own: Option<String>,
}

/// The city's signed statement: entries of `to_office` up to `seq` (whose hash is `hash`) are held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Ack {
    pub format: u32,
    pub from_office: String,
    pub to_office: String,
    pub signer_key: String,
    pub seq: i64,
    pub hash: String,
    pub created_at: String,
    /// The city's answers to this county's requests (all of them; the county applies each once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(skip)]
    pub answers: Vec<crate::cases::escalation::AnswerWire>,
    /// The leads the city assigned to this county (all of them; applied once each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(skip)]
    pub leads: Vec<crate::cases::leads::AssignedLead>,
    /// What the city published for this county (registry updates, a year's calendar, a profile
    /// version): the newest of each key; applied once each by (origin, seq).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(skip)]
    pub down: Vec<super::down::DownItem>,
}

/// The city's pairing file (JSON text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Pairing {
    /// Always "recoup-pairing".
    pub kind: String,
    pub format: u32,
    pub code: String,
    pub name: String,
    /// Public signing key (hex).
    pub sign_key: String,
    /// age X25519 recipient (`age1…`).
    pub recipient: String,
}

pub const PAIRING_KIND: &str = "recoup-pairing";

/// Which of the exchange files some bytes are.
pub enum FileKind {
    Bundle,
    Ack,
    Pairing,
    Unknown,
}

pub fn kind_of(bytes: &[u8]) -> FileKind {
    if bytes.starts_with(AGE_MAGIC) {
        FileKind::Bundle
    } else if bytes.starts_with(ACK_MAGIC) {
        FileKind::Ack
    } else if bytes.trim_ascii_start().starts_with(b"{") {
        FileKind::Pairing
    } else {
        FileKind::Unknown
    }
}

fn damaged(what: &str) -> ApiError {
    ApiError::validation(format!(
        "{what}已损坏或被改动，无法读取；请向对方重新索取文件，本次未作任何改动"
    ))
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| ApiError::internal(e.to_string()))
}

/// Sign, compress and encrypt a bundle. `entries` must match `manifest` (the caller builds both).
pub fn seal(
    keys: &OfficeKeys,
    recipient: &str,
    mut manifest: Manifest,
    entries: &[WireEntry],
) -> Result<Vec<u8>> {
    let json = to_json(&entries)?;
    let payload = zstd::bulk::compress(&json, 9).map_err(|e| ApiError::internal(e.to_string()))?;
    manifest.payload_sha256 = hex::encode(Sha256::digest(&payload));
    manifest.signer_key = keys.public_hex();
    let m = to_json(&manifest)?;
    let mut inner = Vec::with_capacity(payload.len() + m.len() + 80);
    inner.extend_from_slice(BUNDLE_MAGIC);
    inner.extend_from_slice(&(m.len() as u32).to_be_bytes());
    inner.extend_from_slice(&m);
    inner.extend_from_slice(&keys.sign(&[BUNDLE_CONTEXT, &m].concat()));
    inner.extend_from_slice(&payload);
    encrypt(recipient, &inner)
}

/// Encrypt `inner` to an age recipient.
pub fn encrypt(recipient: &str, inner: &[u8]) -> Result<Vec<u8>> {
    let r: age::x25519::Recipient = recipient
        .parse()
        .map_err(|_| ApiError::validation("市局的加密公钥无效，请重新导入市局的配对文件"))?;
    age::encrypt(&r, inner).map_err(|e| ApiError::internal(format!("加密失败：{e}")))
}

/// A decrypted bundle whose signature is not checked yet: the manifest, its bytes, the signature
/// and the payload.
pub struct Opened {
    pub manifest: Manifest,
    manifest_bytes: Vec<u8>,
    pub signature: [u8; 64],
    payload: Vec<u8>,
}

/// Decrypt a bundle with this office's identity and split it. Refused: not for this office, damaged.
pub fn open(keys: &OfficeKeys, file: &[u8]) -> Result<Opened> {
    let inner = age::decrypt(keys.identity(), file).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => ApiError::validation(
            "此数据包不是发给本单位的（收件单位不符），无法解密；请核对文件，或请发送单位确认其配对的市局，本次未作任何改动",
        ),
        _ => damaged("数据包"),
    })?;
    split(&inner)
}

/// Split the decrypted bytes of a bundle.
pub fn split(inner: &[u8]) -> Result<Opened> {
    let bad = || damaged("数据包");
    if inner.len() < 8 || &inner[..4] != BUNDLE_MAGIC {
        return Err(bad());
    }
    let len = u32::from_be_bytes(inner[4..8].try_into().expect("4 bytes")) as usize;
    if len > MAX_MANIFEST || inner.len() < 8 + len + 64 {
        return Err(bad());
    }
    let manifest_bytes = inner[8..8 + len].to_vec();
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|_| bad())?;
    let signature: [u8; 64] = inner[8 + len..8 + len + 64].try_into().expect("64 bytes");
    Ok(Opened {
        manifest,
        manifest_bytes,
        signature,
        payload: inner[8 + len + 64..].to_vec(),
    })
}

impl Opened {
    /// Check the signature by `signer` (hex) over the manifest, and the payload's digest.
    pub fn verify(&self, signer: &str) -> Result<()> {
        let vk = parse_public_key(signer).ok_or_else(|| damaged("数据包"))?;
        let sig = ed25519_dalek::Signature::from_bytes(&self.signature);
        vk.verify_strict(&[BUNDLE_CONTEXT, &self.manifest_bytes].concat(), &sig)
            .map_err(|_| {
                ApiError::validation(
                    "数据包的签名无效：文件在签名后被改动，或不是由该县级单位签发；本次未作任何改动",
                )
            })?;
        if hex::encode(Sha256::digest(&self.payload)) != self.manifest.payload_sha256 {
            return Err(damaged("数据包的内容"));
        }
        Ok(())
    }

    /// The manifest as signed (stored with the applied bundle).
    pub fn manifest_text(&self) -> String {
        String::from_utf8_lossy(&self.manifest_bytes).into_owned()
    }

    /// The entries (after [`Opened::verify`]).
    pub fn entries(&self) -> Result<Vec<WireEntry>> {
        let bad = || damaged("数据包的内容");
        let size = zstd::zstd_safe::get_frame_content_size(&self.payload)
            .ok()
            .flatten()
            .ok_or_else(bad)?;
        if size > MAX_PAYLOAD {
            return Err(bad());
        }
        let json = zstd::bulk::decompress(&self.payload, size as usize).map_err(|_| bad())?;
        serde_json::from_slice(&json).map_err(|_| bad())
    }
}

/// Sign an acknowledgement.
pub fn seal_ack(keys: &OfficeKeys, mut ack: Ack) -> Result<Vec<u8>> {
    ack.signer_key = keys.public_hex();
    let a = to_json(&ack)?;
    let mut out = Vec::with_capacity(a.len() + 72);
    out.extend_from_slice(ACK_MAGIC);
    out.extend_from_slice(&(a.len() as u32).to_be_bytes());
    out.extend_from_slice(&a);
    out.extend_from_slice(&keys.sign(&[ACK_CONTEXT, &a].concat()));
    Ok(out)
}

/// Read an acknowledgement and check its signature by `signer` (hex); returns it with its signed
/// text and signature.
pub fn open_ack(file: &[u8], signer: &str) -> Result<(Ack, String, [u8; 64])> {
    let bad = || damaged("确认回执");
    if file.len() < 8 || &file[..4] != ACK_MAGIC {
        return Err(bad());
    }
    let len = u32::from_be_bytes(file[4..8].try_into().expect("4 bytes")) as usize;
    if len > MAX_ACK || file.len() != 8 + len + 64 {
        return Err(bad());
    }
    let text = &file[8..8 + len];
    let signature: [u8; 64] = file[8 + len..].try_into().expect("64 bytes");
    let ack = verify_ack_text(text, &signature, signer)?;
    Ok((ack, String::from_utf8_lossy(text).into_owned(), signature))
}

/// An acknowledgement's signed text and signature (as a county stores them) checked against
/// `signer` (hex) and read.
pub fn verify_ack_text(text: &[u8], signature: &[u8; 64], signer: &str) -> Result<Ack> {
    let bad = || damaged("确认回执");
    let vk = parse_public_key(signer).ok_or_else(bad)?;
    vk.verify_strict(
        &[ACK_CONTEXT, text].concat(),
        &ed25519_dalek::Signature::from_bytes(signature),
    )
    .map_err(|_| {
        ApiError::validation(
            "确认回执的签名无效：不是由配对的市局签发，或文件被改动；本次未作任何改动",
        )
    })?;
    serde_json::from_slice(text).map_err(|_| bad())
}

/// What the city sends a county encrypted to it: an acknowledgement that carries the city's own
/// content (answers, assigned leads), or a recovery file (the county's own entries given back).
pub enum Down {
    Ack(Vec<u8>),
    Recovery(Opened),
}

/// Open what the city encrypted to this office with this office's identity.
pub fn open_down(keys: &OfficeKeys, file: &[u8]) -> Result<Down> {
    let inner = age::decrypt(keys.identity(), file).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => ApiError::illegal(
            "此文件不是发给本单位的：县级单位的数据包只能由收件的市级单位导入，市局的确认回执只能由收件的县级单位导入；本次未作任何改动",
        ),
        _ => damaged("确认回执"),
    })?;
    if inner.starts_with(ACK_MAGIC) {
        Ok(Down::Ack(inner))
    } else if inner.starts_with(BUNDLE_MAGIC) {
        Ok(Down::Recovery(split(&inner)?))
    } else {
        Err(damaged("确认回执"))
    }
}

/// Read an acknowledgement without checking it (for a preview before pairing).
pub fn peek_ack(file: &[u8]) -> Option<Ack> {
    if file.len() < 8 || &file[..4] != ACK_MAGIC {
        return None;
    }
    let len = u32::from_be_bytes(file[4..8].try_into().ok()?) as usize;
    serde_json::from_slice(file.get(8..8 + len)?).ok()
}

pub fn parse_pairing(file: &[u8]) -> Result<Pairing> {
    let p: Pairing = serde_json::from_slice(file).map_err(|_| damaged("配对文件"))?;
    if p.kind != PAIRING_KIND {
        return Err(damaged("配对文件"));
    }
    if p.format != FORMAT {
        return Err(ApiError::validation(format!(
            "配对文件的格式版本（{}）与本软件（{FORMAT}）不同，请双方使用相同版本的软件后重新导出",
            p.format
        )));
    }
    if parse_public_key(&p.sign_key).is_none()
        || p.recipient.parse::<age::x25519::Recipient>().is_err()
    {
        return Err(damaged("配对文件"));
    }
    Ok(p)
}
