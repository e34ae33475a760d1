//! The office key: an Ed25519 signing key (bundles and acknowledgements are signed with it) and an
//! age X25519 identity (bundles to this office are encrypted to it). Kept in the data folder next to
//! the database, in `<database>.key` (mode 0600), never in the database: a copied or restored
//! database does not carry the key, and a stolen key file does not carry the data.

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

    /// The key that seals this office's own copies (see [`OfficeKeys::seal_own`]): derived from
    /// the age identity, so it is saved and restored with the key file.
    fn own_cipher(&self) -> chacha20poly1305::XChaCha20Poly1305 {
        use chacha20poly1305::KeyInit as _;
        let key = Sha256::new()
            .chain_update(b"recoup-own-v1\0")
            .chain_update(self.identity.to_string().expose_secret().as_bytes())
            .finalize();
        chacha20poly1305::XChaCha20Poly1305::new(&key)
    }

    /// Seal `text`, the original of the entry whose hash is `hash`, so that only this office can
    /// open it (issue 11: the hub keeps a county's masked entries with their sealed originals and
    /// gives them back after a restore). The nonce is derived from the entry's hash, unique per
    /// entry; the hash is also the associated data, so a sealed text moved to another entry fails.
    pub fn seal_own(&self, hash: &str, text: &str) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead as _, Payload};
        let nonce = own_nonce(hash);
        self.own_cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: text.as_bytes(),
                    aad: hash.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 sealing does not fail for in-memory text")
    }

    /// Open what [`OfficeKeys::seal_own`] sealed; None when it was sealed with another key, for
    /// another entry, or altered.
    pub fn open_own(&self, hash: &str, sealed: &[u8]) -> Option<String> {
        use chacha20poly1305::aead::{Aead as _, Payload};
        let plain = self
            .own_cipher()
            .decrypt(
                &own_nonce(hash),
                Payload {
                    msg: sealed,
                    aad: hash.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

fn own_nonce(hash: &str) -> chacha20poly1305::XNonce {
    let d = Sha256::new()
        .chain_update(b"recoup-own-nonce\0")
        .chain_update(hash.as_bytes())
        .finalize();
    *chacha20poly1305::XNonce::from_slice(&d[..24])
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

/// The least a passphrase protecting the office key may have.
const PASSPHRASE_MIN: usize = 8;

fn passphrase(text: &str) -> Result<age::secrecy::SecretString> {
    if text.chars().count() < PASSPHRASE_MIN || text.chars().count() > 64 {
        return Err(ApiError::field(
            "passphrase",
            format!("密钥口令须为{PASSPHRASE_MIN}至64个字符：恢复时须输入同一口令，请妥善记住"),
        ));
    }
    Ok(age::secrecy::SecretString::from(text.to_string()))
}

impl KeyStore {
    /// The office key encrypted with `pass` (age, scrypt), to be saved with a backup (issue 12: a
    /// lost key breaks the exchange with the city).
    pub fn export_encrypted(&self, pass: &str) -> Result<Vec<u8>> {
        let recipient = age::scrypt::Recipient::new(passphrase(pass)?);
        let text = self.get()?.to_text();
        age::encrypt(&recipient, text.as_bytes())
            .map_err(|e| ApiError::internal(format!("加密本单位密钥失败：{e}")))
    }

    /// Open the key saved with a backup (decrypted with `pass`), before anything is restored: a wrong
    /// passphrase changes nothing.
    pub fn open_encrypted(encrypted: &[u8], pass: &str) -> Result<SavedKey> {
        let identity = age::scrypt::Identity::new(passphrase(pass)?);
        let text = age::decrypt(&identity, encrypted).map_err(|_| {
            ApiError::field(
                "passphrase",
                "密钥口令不对，或备份中的密钥文件已损坏：未恢复，当前数据未作任何改动",
            )
        })?;
        std::str::from_utf8(&text)
            .ok()
            .and_then(OfficeKeys::parse)
            .map(SavedKey)
            .ok_or_else(|| {
                ApiError::field(
                    "passphrase",
                    "备份中的密钥文件已损坏：未恢复，当前数据未作任何改动",
                )
            })
    }

    /// Install a key saved with a backup. True when it differs from the key in use, which is then
    /// kept beside it (`recoup.key.before-restore-<time>`), never deleted.
    pub fn install(&self, saved: SavedKey) -> Result<bool> {
        let Some(path) = &self.path else {
            return Ok(false);
        };
        let text = saved.0.to_text();
        if std::fs::read_to_string(path).ok().as_deref() == Some(text.as_str()) {
            return Ok(false);
        }
        if path.exists() {
            // Kept under a second name first, then replaced whole: at no moment is there no key.
            let kept = path.with_extension(format!(
                "key.before-restore-{}",
                chrono::Local::now().format("%Y%m%d-%H%M%S")
            ));
            std::fs::hard_link(path, &kept)
                .map_err(|e| key_error(format!("无法保留原密钥文件 {}：{e}", path.display())))?;
        }
        crate::files::write_atomic(path, text.as_bytes(), true)
            .map_err(|e| key_error(format!("无法写入本单位密钥文件 {}：{e}", path.display())))?;
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(saved.0));
        Ok(true)
    }
}

/// An office key read from a backup, not yet installed.
pub struct SavedKey(OfficeKeys);

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

/// Create `path` readable and writable by its owner only (0600 on Unix), never overwriting, whole
/// or not at all (a kill while it is written leaves no half key behind: `files::create_atomic`).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::files::create_atomic(path, bytes, true)
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

    #[test]
    fn an_own_copy_opens_only_with_the_same_key_for_the_same_entry() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("recoup.db");
        let a = KeyStore::new(Some(&db)).get().unwrap();
        let again = KeyStore::new(Some(&db)).get().unwrap();
        let other = KeyStore::new(Some(&dir.path().join("other.db")))
            .get()
            .unwrap();
        let text = r#"[{"after":{"id_number":"11010519491231002X"},"id":1,"table":"insured"}]"#;
        let sealed = a.seal_own("ab12", text);
        assert!(!sealed.windows(6).any(|w| w == b"110105"));
        assert_eq!(again.open_own("ab12", &sealed).as_deref(), Some(text));
        assert_eq!(other.open_own("ab12", &sealed), None);
        assert_eq!(a.open_own("ab13", &sealed), None);
        let mut bent = sealed.clone();
        bent[3] ^= 1;
        assert_eq!(a.open_own("ab12", &bent), None);
    }
}
