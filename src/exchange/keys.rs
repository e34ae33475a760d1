//! The office key: an Ed25519 signing key (bundles and acknowledgements are signed with it) and an
//! age X25519 identity (bundles to this office are encrypted to it). Kept in the data folder next to
//! the database, in `<database>.key` (mode 0600), never in the database: a copied or restored
//! database does not carry the key, and a stolen key file does not carry the data.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use age::secrecy::ExposeSecret as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode, Result};

pub struct OfficeKeys {
    signing: SigningKey,
    identity: age::x25519::Identity,
}

impl OfficeKeys {
    fn generate() -> Result<OfficeKeys> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| key_error(format!("无法生成随机数：{e}")))?;
        Ok(OfficeKeys {
            signing: SigningKey::from_bytes(&seed),
            identity: age::x25519::Identity::generate(),
        })
    }

    /// The text of the key file.
    fn to_text(&self) -> String {
        format!(
            "# 医保基金追回 本单位密钥：请勿复制、外传或删除（删除后须重新向市局登记）\nsigning {}\nage {}\n",
            hex::encode(self.signing.to_bytes()),
            self.identity.to_string().expose_secret()
        )
    }

    fn parse(text: &str) -> Option<OfficeKeys> {
        let mut signing = None;
        let mut identity = None;
        for line in text.lines() {
            if let Some(h) = line.strip_prefix("signing ") {
                let b: [u8; 32] = hex::decode(h.trim()).ok()?.try_into().ok()?;
                signing = Some(SigningKey::from_bytes(&b));
            } else if let Some(a) = line.strip_prefix("age ") {
                identity = Some(a.trim().parse::<age::x25519::Identity>().ok()?);
            }
        }
        Some(OfficeKeys {
            signing: signing?,
            identity: identity?,
        })
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The public signing key as hex (64 digits).
    pub fn public_hex(&self) -> String {
        hex::encode(self.public_key().to_bytes())
    }

    /// The age recipient (`age1…`) bundles to this office are encrypted to.
    pub fn recipient(&self) -> String {
        self.identity.to_public().to_string()
    }

    pub fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// The fingerprint of a public signing key as printed on the registration slip: the first 20
/// bytes of its SHA-256, in ten groups of four hex digits (`3f2a 91c0 …`).
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let d = Sha256::digest(public_key);
    let h = hex::encode(&d[..20]);
    h.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fingerprint as typed (spaces, dashes, upper case allowed) in its printed form, or None.
pub fn normalize_fingerprint(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(|c| c.to_lowercase())
        .collect();
    if digits.len() != 40 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(
        digits
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// A public signing key from its 64 hex digits.
pub fn parse_public_key(hex_text: &str) -> Option<VerifyingKey> {
    let b: [u8; 32] = hex::decode(hex_text.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&b).ok()
}

fn key_error(message: String) -> ApiError {
    ApiError::new(ErrorCode::Storage, message)
}

/// Where the key file of the database at `db` lives: `recoup.db` → `recoup.key`.
pub fn key_path(db: &Path) -> PathBuf {
    db.with_extension("key")
}

/// The office key of one database, read (or made, the first time) when first needed. An in-memory
/// database gets a key in memory.
pub struct KeyStore {
    path: Option<PathBuf>,
    cached: Mutex<Option<Arc<OfficeKeys>>>,
}

impl KeyStore {
    pub fn new(db: Option<&Path>) -> KeyStore {
        KeyStore {
            path: db.map(key_path),
            cached: Mutex::new(None),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The office key, made and saved (0600) if there is none yet.
    pub fn get(&self) -> Result<Arc<OfficeKeys>> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = cached.as_ref() {
            return Ok(k.clone());
        }
        let keys = match &self.path {
            None => OfficeKeys::generate()?,
            Some(path) => load_or_create(path)?,
        };
        let keys = Arc::new(keys);
        *cached = Some(keys.clone());
        Ok(keys)
    }
}

fn load_or_create(path: &Path) -> Result<OfficeKeys> {
    match std::fs::read_to_string(path) {
        Ok(text) => OfficeKeys::parse(&text).ok_or_else(|| {
            key_error(format!(
                "本单位密钥文件 {} 已损坏，无法读取；请从备份中恢复该文件",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let keys = OfficeKeys::generate()?;
            write_private(path, keys.to_text().as_bytes()).map_err(|e| {
                key_error(format!("无法保存本单位密钥文件 {}：{e}", path.display()))
            })?;
            Ok(keys)
        }
        Err(e) => Err(key_error(format!(
            "无法读取本单位密钥文件 {}：{e}",
            path.display()
        ))),
    }
}

/// Create `path` readable and writable by its owner only (0600 on Unix), never overwriting.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("recoup.db");
        let a = KeyStore::new(Some(&db)).get().unwrap();
        let path = key_path(&db);
        assert!(path.ends_with("recoup.key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let b = KeyStore::new(Some(&db)).get().unwrap();
        assert_eq!(a.public_hex(), b.public_hex());
        assert_eq!(a.recipient(), b.recipient());
        let fp = a.fingerprint();
        assert_eq!(fp.len(), 49);
        assert_eq!(
            normalize_fingerprint(&fp.to_uppercase().replace(' ', "-")),
            Some(fp)
        );
        let sig = a.sign(b"x");
        let vk = parse_public_key(&b.public_hex()).unwrap();
        assert!(vk
            .verify_strict(b"x", &ed25519_dalek::Signature::from_bytes(&sig))
            .is_ok());
    }
}
