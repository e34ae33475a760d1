//! Signed local heads (issue 12): after every write, the head of the audit chain (its last entry's
//! number and hash) is signed with the office key and kept in `<database>.head`, next to the key
//! and outside the database. `audit.verify` checks the log against it: an entry rewritten and the
//! chain re-hashed changes the hash at the signed entry; entries cut from the end (with their rows)
//! leave the log shorter than the signed head. Whoever holds this PC also holds the key, so this
//! anchors the log against edits made with a database tool, not against its owner: the city's
//! signed acknowledgement (`super::check_witness`) is the outside witness.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::keys::KeyStore;
use crate::error::Result;
use crate::store::audit::{self, AuditProblem, AuditReport, AuditSignedHead};
use crate::store::now_text;

const FORMAT: u32 = 1;

/// Where the signed head lives: beside the key, `recoup.key` → `recoup.head` (the key of a database
/// in memory has no file, nor has its head).
pub fn head_path(keys: &KeyStore) -> Option<PathBuf> {
    keys.path().map(|k| k.with_extension("head"))
}

/// The file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignedHead {
    format: u32,
    seq: i64,
    hash: String,
    signed_at: String,
    /// The signer's Ed25519 public key (hex).
    public_key: String,
    /// Ed25519 signature (hex) over [`message`].
    signature: String,
}

fn message(seq: i64, hash: &str, signed_at: &str) -> Vec<u8> {
    format!("recoup-audit-head/{FORMAT}\n{seq}\n{hash}\n{signed_at}").into_bytes()
}

fn read(path: &Path) -> std::io::Result<Option<std::result::Result<SignedHead, ()>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(|_| ()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// How long after one signature the next waits: a write within it leaves its head pending (signed
/// by the first write after it, [`HeadSigner::flush`] or the signer's drop). A clerk's writes are
/// seconds apart, so each is signed as it commits; a burst (an import, the scale benchmark) pays for
/// one signature per second instead of one per entry (issue 13: the signature, the file and its
/// rename cost more than a small command's transaction).
pub const SIGN_INTERVAL: Duration = Duration::from_secs(1);

/// Signs the head after each committed write (installed on the store by the core).
pub struct HeadSigner {
    keys: Arc<KeyStore>,
    path: PathBuf,
    /// The highest entry this process signed (another process may have signed a higher one).
    last: AtomicI64,
    /// When this process last wrote the file, and the newest head not signed yet.
    state: Mutex<(Option<Instant>, Option<(i64, String)>)>,
}

impl HeadSigner {
    /// A signer for a database file; None for a database in memory (nothing outlives it).
    pub fn new(keys: Arc<KeyStore>) -> Option<HeadSigner> {
        Some(HeadSigner {
            path: head_path(&keys)?,
            keys,
            last: AtomicI64::new(0),
            state: Mutex::new((None, None)),
        })
    }

    /// After a committed write: sign `(seq, hash)` now, or — within [`SIGN_INTERVAL`] of the last
    /// signature — keep it pending for the next write, [`HeadSigner::flush`] or the drop.
    pub fn sign(&self, seq: i64, hash: &str) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.0.is_some_and(|at| at.elapsed() < SIGN_INTERVAL) {
            if st.1.as_ref().is_none_or(|(s, _)| *s < seq) {
                st.1 = Some((seq, hash.to_string()));
            }
            return;
        }
        st.1 = None;
        st.0 = Some(Instant::now());
        self.sign_now(seq, hash);
    }

    /// Sign the pending head, if a write left one (before a verify, an export, a backup, the
    /// background tick, and when the core closes).
    pub fn flush(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seq, hash)) = st.1.take() {
            st.0 = Some(Instant::now());
            self.sign_now(seq, &hash);
        }
    }

    /// Sign `(seq, hash)` unless a head at least as new is already signed. Runs after the write
    /// committed, so it cannot fail the write: a head that could not be signed only leaves the
    /// signed head behind the log (verify reports how far).
    fn sign_now(&self, seq: i64, hash: &str) {
        if seq <= self.last.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(Some(Ok(on_file))) = read(&self.path) {
            if on_file.seq >= seq {
                self.last.fetch_max(on_file.seq, Ordering::SeqCst);
                return;
            }
        }
        let Ok(keys) = self.keys.get() else { return };
        let signed_at = now_text();
        let head = SignedHead {
            format: FORMAT,
            seq,
            hash: hash.to_string(),
            public_key: keys.public_hex(),
            signature: hex::encode(keys.sign(&message(seq, hash, &signed_at))),
            signed_at,
        };
        let Ok(text) = serde_json::to_vec_pretty(&head) else {
            return;
        };
        // Written beside and renamed over: a reader sees the old head or the new one, never half.
        let tmp = self
            .path
            .with_extension(format!("head.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &self.path).is_ok() {
            self.last.fetch_max(seq, Ordering::SeqCst);
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Forget the signed head: after a restore, the restored log is the office's log (the restore
    /// itself is then recorded and signed as its next entry).
    pub fn reset(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *st = (None, None);
        let _ = std::fs::remove_file(&self.path);
        self.last.store(0, Ordering::SeqCst);
    }
}

impl Drop for HeadSigner {
    fn drop(&mut self) {
        self.flush();
    }
}

/// `audit.verify` against the signed head in `<database>.head`. Nothing to check for a database in
/// memory or before the first signed write (the report then has no `signed_head`).
pub fn check(c: &Connection, keys: &KeyStore, report: &mut AuditReport) -> Result<()> {
    let Some(path) = head_path(keys) else {
        return Ok(());
    };
    let problem = |seq: Option<i64>, reason: String| AuditProblem {
        seq,
        table: None,
        row_id: None,
        reason,
    };
    let head = match read(&path) {
        Ok(None) => return Ok(()),
        Ok(Some(Ok(h))) => h,
        Ok(Some(Err(()))) | Err(_) => {
            report.fail(problem(
                None,
                format!(
                    "本机签名确认的记录头文件 {} 已损坏或无法读取：无法确认记录没有被截短或改写",
                    path.display()
                ),
            ));
            return Ok(());
        }
    };
    let (local_head, _) = audit::head(c)?;
    let office_key = keys.get()?.public_key();
    let signed_ok = head.public_key == hex::encode(office_key.as_bytes())
        && verify_signature(&head, &office_key);
    let local = audit::hash_at(c, head.seq)?;
    let consistent = signed_ok && local.as_deref() == Some(head.hash.as_str());
    report.signed_head = Some(AuditSignedHead {
        seq: head.seq,
        signed_at: head.signed_at.clone(),
        past: local_head - head.seq,
        consistent,
    });
    let seq = head.seq;
    if !signed_ok {
        report.fail(problem(
            Some(seq),
            format!(
                "本机记录头文件 {} 的签名不是本单位密钥所签：记录头文件被替换或改动",
                path.display()
            ),
        ));
    } else if local.is_none() {
        report.fail(problem(
            Some(seq),
            format!(
                "审计日志被截短：本机已于{}签名确认到第{seq}条记录，现在只有{local_head}条（若是从备份恢复，应通过“备份与恢复”进行）",
                head.signed_at.get(..16).unwrap_or(&head.signed_at).replace('T', " ")
            ),
        ));
    } else if !consistent {
        report.fail(problem(
            Some(seq),
            format!("第{seq}条记录的校验值与本机签名确认的不同：该条及以前的记录在签名后被改写"),
        ));
    }
    Ok(())
}

fn verify_signature(head: &SignedHead, key: &VerifyingKey) -> bool {
    let Some(sig) = hex::decode(&head.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    key.verify_strict(
        &message(head.seq, &head.hash, &head.signed_at),
        &Signature::from_bytes(&sig),
    )
    .is_ok()
}
