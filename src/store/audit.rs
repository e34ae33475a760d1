//! The audit log: one entry per write transaction that changed something, numbered by a gap-free
//! sequence per office and hash-chained, carrying the after-image of every row it changed. The city
//! exchange will ship exactly these entries, so they are the replication log as well as the
//! evidence trail.
//!
//! Storage (migration 0009): an entry's `changes` is its canonical JSON text; entries written since
//! 0009 store it compressed with zstd and the dictionary built into the program
//! ([`DICTIONARY`]), as a BLOB, older ones as plain TEXT. The hash is always over the uncompressed
//! canonical text. A touched row whose image equals its last recorded image is left out of the
//! entry (the digest of each row's last image is kept in `audit_row`, a cache of the log). Since
//! 0030 an entry's link (`prev_hash`: the previous entry's hash, [`GENESIS`] before the first) is
//! not stored: it is the `hash` of entry seq − 1, read from there ([`ENTRY_COLUMNS`]) or carried
//! along while replaying. The hash is defined over it as before.
//!
//! `verify` replays the chain and compares audited rows with their last recorded image: an edit,
//! deletion, insertion or reordering done behind the application's back is reported with the first
//! place where the record and the data part ways. By default it replays only the entries after the
//! last successful verify (`audit_checkpoint`) and checks the rows they touched; `full` replays the
//! whole chain and checks every row. Both stream the log: per row only a digest is held.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::sync::OnceLock;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{now_text, office_code, AUDITED_TABLES};
use crate::error::{ApiError, ErrorCode, Result};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The zstd dictionary of the `changes` of entries (trained on audit entries of a realistic
/// office). Compressed entries name it by its id, so it must never change: a better dictionary
/// would be added next to it, with its own id, and both kept for reading.
pub const DICTIONARY: &[u8] = include_bytes!("audit_changes.dict");
const LEVEL: i32 = 9;

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditEntry {
    pub seq: i64,
    pub office_code: String,
    pub at: String,
    pub actor: String,
    pub command: String,
    /// JSON array of `{table, id, after}`; `after` is null for a deleted row.
    pub changes: String,
    /// The previous entry's hash: not stored since 0030, read from entry seq − 1.
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditProblem {
    /// The audit entry where the chain breaks, when the problem is in the log itself.
    pub seq: Option<i64>,
    pub table: Option<String>,
    pub row_id: Option<i64>,
    /// Chinese description.
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AuditVerifyRequest {
    /// Replay the whole chain and compare every row (全面校验). By default only the entries after
    /// the last successful verify are replayed and the rows they touched compared.
    #[ts(optional = nullable)]
    pub full: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditReport {
    pub ok: bool,
    /// Entries in the log (the last sequence number reached).
    pub entries: i64,
    /// Whether the whole chain and every row were checked (全面校验).
    pub full: bool,
    /// Entries up to this one were verified before (the checkpoint); 0 for a full verify.
    pub since: i64,
    /// Entries replayed by this verify.
    pub checked: i64,
    /// The first broken link (also `problems[0]`).
    pub first_broken: Option<AuditProblem>,
    /// Every problem found, at most 100.
    pub problems: Vec<AuditProblem>,
    /// The outside witness (issue 12): the city's signed acknowledgement of this log, when there is
    /// one (filled in above the store, by the exchange).
    pub witness: Option<AuditWitness>,
    /// The head this office signed last (`<database>.head`, issue 12), when there is one (filled
    /// in above the store, by the exchange, which holds the key).
    pub signed_head: Option<AuditSignedHead>,
}

/// How this log stands against the last head this office signed with its own key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditSignedHead {
    /// The entry signed.
    pub seq: i64,
    /// When it was signed (local time, ISO 8601).
    pub signed_at: String,
    /// Entries of this log after it (negative: the log is shorter than what was signed).
    pub past: i64,
    /// The signature is the office key's, and this log still holds that entry with that hash.
    pub consistent: bool,
}

/// How this log stands against the last head the city acknowledged (signed by the city).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditWitness {
    /// The entry the city acknowledged.
    pub seq: i64,
    /// Entries of this log after it (negative: the log is shorter than what the city holds).
    pub past: i64,
    /// The acknowledgement's signature is the city's, and this log still holds that entry with that hash.
    pub consistent: bool,
}

impl AuditReport {
    /// Records a problem and marks the report broken.
    pub fn fail(&mut self, problem: AuditProblem) {
        self.ok = false;
        if self.first_broken.is_none() {
            self.first_broken = Some(problem.clone());
        }
        if self.problems.len() < 100 {
            self.problems.push(problem);
        }
    }
}

/// What `verify` is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyStage {
    /// Replaying entries: `done` of `total` entries.
    Entries,
    /// Comparing the rows of each audited table: `done` of `total` tables.
    Tables,
}

impl VerifyStage {
    pub fn label(self) -> &'static str {
        match self {
            VerifyStage::Entries => "审计记录",
            VerifyStage::Tables => "数据表",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct VerifyProgress {
    pub stage: VerifyStage,
    pub done: u64,
    pub total: u64,
}

// ---------------------------------------------------------------------------------------------
// Canonical images

/// Canonical JSON image of one row (columns sorted by name), or None when it does not exist.
pub fn row_image(conn: &Connection, table: &str, id: i64) -> Result<Option<Value>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    Ok(stmt
        .query_row([id], |r| row_to_json(r, &names))
        .optional()?)
}

fn row_to_json(r: &rusqlite::Row<'_>, names: &[String]) -> rusqlite::Result<Value> {
    let mut map = serde_json::Map::new();
    for (i, n) in names.iter().enumerate() {
        let v = match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(x) => Value::from(x),
            // Audited tables never hold REAL (money is integer 分); keep the text form if one appears.
            ValueRef::Real(x) => Value::from(x.to_string()),
            ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::from(hex::encode(b)),
        };
        map.insert(n.clone(), v);
    }
    Ok(Value::Object(map))
}

/// JSON with object keys sorted at every level, whatever serde_json's map ordering is.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            let parts: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), canonical(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// The columns of a `SELECT *` in the order a canonical image writes them (by name), so that an
/// image is written straight from the row, byte for byte what `canonical(row_to_json(..))` gives.
struct Shape {
    /// Column positions, sorted by column name.
    order: Vec<usize>,
    /// The sorted names.
    names: Vec<String>,
    /// `"name":` for each sorted column.
    keys: Vec<Vec<u8>>,
    /// Position of `id`.
    id_col: usize,
}

impl Shape {
    fn of(stmt: &rusqlite::Statement<'_>) -> Shape {
        let all: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by(|&a, &b| all[a].cmp(&all[b]));
        let names: Vec<String> = order.iter().map(|&i| all[i].clone()).collect();
        let keys = names
            .iter()
            .map(|n| {
                let mut k = serde_json::to_vec(n).unwrap_or_default();
                k.push(b':');
                k
            })
            .collect();
        let id_col = all.iter().position(|n| n == "id").unwrap_or(0);
        Shape {
            order,
            names,
            keys,
            id_col,
        }
    }

    /// Write the canonical image of `r`. With `recorded` (per sorted column: whether the recorded
    /// image had it), a column the recorded image lacks is written only when it is not NULL — a
    /// column a later migration added counts only while it is still NULL.
    fn write(
        &self,
        r: &rusqlite::Row<'_>,
        recorded: Option<&[bool]>,
        out: &mut Vec<u8>,
    ) -> rusqlite::Result<()> {
        out.push(b'{');
        let mut first = true;
        for (k, &col) in self.order.iter().enumerate() {
            let v = r.get_ref(col)?;
            if matches!(v, ValueRef::Null) && recorded.is_some_and(|m| !m[k]) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&self.keys[k]);
            match v {
                ValueRef::Null => out.extend_from_slice(b"null"),
                ValueRef::Integer(x) => {
                    let _ = write!(out, "{x}");
                }
                ValueRef::Real(x) => json_str(out, &x.to_string()),
                ValueRef::Text(t) => json_str(out, &String::from_utf8_lossy(t)),
                ValueRef::Blob(b) => json_str(out, &hex::encode(b)),
            }
        }
        out.push(b'}');
        Ok(())
    }
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The canonical image text of one row into `out` (`null` when it does not exist).
fn write_row_image(conn: &Connection, table: &str, id: i64, out: &mut Vec<u8>) -> Result<()> {
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let shape = Shape::of(&stmt);
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => shape.write(r, None, out)?,
        None => out.extend_from_slice(b"null"),
    }
    Ok(())
}

/// Digest of a row's image: the first 8 bytes of sha256(table ␟ id ␟ image).
fn row_digest(table: &str, id: i64, image: &[u8]) -> i64 {
    let mut h = Sha256::new();
    h.update(table.as_bytes());
    h.update([0x1f]);
    h.update(id.to_string().as_bytes());
    h.update([0x1f]);
    h.update(image);
    let d = h.finalize();
    i64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// The `audit_row` key of a row: a code of its table (15 bits of sha256 of the name) above its id.
/// Two tables sharing a code would only cost an image written again (the digest names the table).
fn row_key(table: &str, id: i64) -> Option<i64> {
    if !(0..1 << 40).contains(&id) {
        return None;
    }
    let d = Sha256::digest(table.as_bytes());
    let code = (u16::from_be_bytes([d[0], d[1]]) & 0x7fff) as i64;
    Some(code << 40 | id)
}

/// A stored hash as hex text: TEXT before 0009, 32 bytes (a BLOB) after.
fn hash_text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => hex::encode(b),
        _ => String::new(),
    }
}

/// The stored form of a hash: its 32 bytes (hex text if it is not one, which only a damaged
/// entry can give; it is then stored as it is and fails to verify).
fn hash_bytes(hash: &str) -> rusqlite::types::Value {
    match hex::decode(hash) {
        Ok(b) if b.len() == 32 => rusqlite::types::Value::Blob(b),
        _ => rusqlite::types::Value::Text(hash.to_string()),
    }
}

/// The hash of one entry: sha256(prev ␟ seq ␟ office ␟ at ␟ actor ␟ command ␟ changes ␟).
pub fn entry_hash(
    prev: &str,
    seq: i64,
    office: &str,
    at: &str,
    actor: &str,
    command: &str,
    changes: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), office, at, actor, command, changes] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

// ---------------------------------------------------------------------------------------------
// Compression

fn encoder_dictionary() -> &'static zstd::dict::EncoderDictionary<'static> {
    static D: OnceLock<zstd::dict::EncoderDictionary<'static>> = OnceLock::new();
    D.get_or_init(|| zstd::dict::EncoderDictionary::copy(DICTIONARY, LEVEL))
}

fn decoder_dictionary() -> &'static zstd::dict::DecoderDictionary<'static> {
    static D: OnceLock<zstd::dict::DecoderDictionary<'static>> = OnceLock::new();
    D.get_or_init(|| zstd::dict::DecoderDictionary::copy(DICTIONARY))
}

fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Storage, format!("审计记录压缩失败：{e}"))
}

/// The stored form of a `changes` text: zstd with [`DICTIONARY`].
pub fn compress(text: &str) -> Result<Vec<u8>> {
    thread_local! {
        static C: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    }
    C.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(
                zstd::bulk::Compressor::with_prepared_dictionary(encoder_dictionary())
                    .map_err(storage_error)?,
            );
        }
        c.as_mut()
            .expect("set above")
            .compress(text.as_bytes())
            .map_err(storage_error)
    })
}

/// Reads stored `changes` (TEXT before 0009, compressed BLOB after) back to the canonical text,
/// reusing one decompression context and buffer.
pub struct ChangesReader {
    dec: zstd::bulk::Decompressor<'static>,
    buf: Vec<u8>,
}

impl ChangesReader {
    pub fn new() -> Result<ChangesReader> {
        Ok(ChangesReader {
            dec: zstd::bulk::Decompressor::with_prepared_dictionary(decoder_dictionary())
                .map_err(storage_error)?,
            buf: Vec::new(),
        })
    }

    /// The text of one stored value, or None when it cannot be read (a damaged or foreign BLOB).
    pub fn read(&mut self, v: ValueRef<'_>) -> Option<&str> {
        self.buf.clear();
        match v {
            ValueRef::Text(t) => self.buf.extend_from_slice(t),
            ValueRef::Blob(b) => {
                let dict = zstd::zstd_safe::get_dict_id_from_dict(DICTIONARY);
                if zstd::zstd_safe::get_dict_id_from_frame(b) != dict {
                    return None;
                }
                let size = zstd::zstd_safe::get_frame_content_size(b).ok()??;
                // An entry is a few KB; refuse absurd sizes a damaged header may claim.
                if size > 256 << 20 {
                    return None;
                }
                self.buf.reserve(size as usize);
                self.dec.decompress_to_buffer(b, &mut self.buf).ok()?;
            }
            _ => return None,
        }
        std::str::from_utf8(&self.buf).ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Append

/// Append the entry for one write transaction (called by `Store::write` only). Rows whose image
/// equals their last recorded image are left out; when none is left, no entry is written.
pub(super) fn append(
    conn: &Connection,
    actor: &str,
    command: &str,
    touched: &[(&'static str, i64)],
) -> Result<Option<(i64, String)>> {
    let mut changes: Vec<u8> = b"[".to_vec();
    let mut image = Vec::new();
    let mut written = 0usize;
    for &(table, id) in touched {
        image.clear();
        write_row_image(conn, table, id, &mut image)?;
        if let Some(key) = row_key(table, id) {
            let digest = row_digest(table, id, &image);
            let last: Option<i64> = conn
                .prepare_cached("SELECT digest FROM audit_row WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?;
            if last == Some(digest) {
                continue;
            }
            conn.prepare_cached("INSERT OR REPLACE INTO audit_row (key, digest) VALUES (?1, ?2)")?
                .execute(params![key, digest])?;
        }
        if written > 0 {
            changes.push(b',');
        }
        written += 1;
        // Keys in canonical (sorted) order: after, id, table.
        changes.extend_from_slice(b"{\"after\":");
        changes.extend_from_slice(&image);
        let _ = write!(changes, ",\"id\":{id},\"table\":");
        json_str(&mut changes, table);
        changes.push(b'}');
    }
    if written == 0 {
        return Ok(None);
    }
    changes.push(b']');
    let changes = String::from_utf8(changes).map_err(|e| ApiError::internal(e.to_string()))?;
    let office = office_code(conn)?;
    let (last_seq, prev): (i64, String) = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, hash_text(r.get_ref(1)?))),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let seq = last_seq + 1;
    let at = now_text();
    let hash = entry_hash(&prev, seq, &office, &at, actor, command, &changes);
    // The link is not stored (0030): it is the hash of entry seq − 1.
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, office_code, at, actor, command, changes, hash) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?
    .execute(params![
        seq,
        office,
        at,
        actor,
        command,
        compress(&changes)?,
        hash_bytes(&hash)
    ])?;
    Ok(Some((seq, hash)))
}

/// Put back an entry of this office's own log exactly as it was (seq, time, actor, command,
/// changes, hash): a county's recovery from the hub (`exchange::recover`) after a restore. The
/// caller has checked that it continues the log (its link is the head's hash) and that its hash is
/// its own. The rows it names are written by the caller; [`remember_rows`] then records them.
pub(crate) fn put_back(conn: &Connection, e: &AuditEntry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, office_code, at, actor, command, changes, hash) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?
    .execute(params![
        e.seq,
        e.office_code,
        e.at,
        e.actor,
        e.command,
        compress(&e.changes)?,
        hash_bytes(&e.hash)
    ])?;
    Ok(())
}

/// Chain `entries` (this office's own, taken off the log's tail) again after the present head:
/// each keeps its time, actor, command and changes and gets the next number and a new hash
/// (a county's recovery: what it did since a restore follows the entries it got back).
pub(crate) fn rechain(conn: &Connection, entries: &[AuditEntry]) -> Result<()> {
    let (mut seq, mut prev) = head(conn)?;
    for e in entries {
        seq += 1;
        let hash = entry_hash(
            &prev,
            seq,
            &e.office_code,
            &e.at,
            &e.actor,
            &e.command,
            &e.changes,
        );
        put_back(
            conn,
            &AuditEntry {
                seq,
                prev_hash: prev,
                hash: hash.clone(),
                ..e.clone()
            },
        )?;
        prev = hash;
    }
    Ok(())
}

/// Record the present image of each row as its last recorded image (the `audit_row` cache that
/// [`append`] keeps), for rows written by putting entries back rather than through a write.
pub(crate) fn remember_rows(conn: &Connection, touched: &[(&'static str, i64)]) -> Result<()> {
    let mut image = Vec::new();
    for &(table, id) in touched {
        let Some(key) = row_key(table, id) else {
            continue;
        };
        image.clear();
        write_row_image(conn, table, id, &mut image)?;
        conn.prepare_cached("INSERT OR REPLACE INTO audit_row (key, digest) VALUES (?1, ?2)")?
            .execute(params![key, row_digest(table, id, &image)])?;
    }
    Ok(())
}

/// The last entry's sequence number and hash ((0, [`GENESIS`]) for an empty log).
pub fn head(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, hash_text(r.get_ref(1)?))),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string())))
}

/// The hash of entry `seq`, if the log holds it (`GENESIS` for 0).
pub fn hash_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    if seq == 0 {
        return Ok(Some(GENESIS.to_string()));
    }
    Ok(conn
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            Ok(hash_text(r.get_ref(0)?))
        })
        .optional()?)
}

/// The columns an [`AuditEntry`] is read from (`FROM audit_log`, not aliased), in the order
/// [`entry_of`] reads them. The link is the hash of the entry before (a seek by key; 32 zero bytes,
/// i.e. [`GENESIS`], before the first; NULL when that entry is missing).
const ENTRY_COLUMNS: &str = "seq, office_code, at, actor, command, changes, \
     CASE WHEN seq = 1 THEN zeroblob(32) ELSE (SELECT p.hash FROM audit_log p WHERE p.seq = audit_log.seq - 1) END, \
     hash";

/// One row of [`ENTRY_COLUMNS`] as an entry, its changes decompressed to canonical text.
fn entry_of(reader: &mut ChangesReader, r: &rusqlite::Row<'_>) -> Result<AuditEntry> {
    let seq: i64 = r.get(0)?;
    let changes = reader
        .read(r.get_ref(5)?)
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Storage,
                format!("第{seq}条审计记录无法读取（记录已损坏），请进行全面校验"),
            )
        })?;
    Ok(AuditEntry {
        seq,
        office_code: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        command: r.get(4)?,
        changes,
        prev_hash: hash_text(r.get_ref(6)?),
        hash: hash_text(r.get_ref(7)?),
    })
}

/// The entries after `after` up to `to` (inclusive), oldest first, `changes` as canonical text:
/// what the exchange ships (streamed, one entry at a time).
pub fn for_each_entry(
    conn: &Connection,
    after: i64,
    to: i64,
    mut f: impl FnMut(AuditEntry) -> Result<()>,
) -> Result<()> {
    let mut reader = ChangesReader::new()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq"
    ))?;
    let mut rows = stmt.query([after, to])?;
    while let Some(r) = rows.next()? {
        f(entry_of(&mut reader, r)?)?;
    }
    Ok(())
}

/// A page of entries, newest first, with `changes` as JSON text.
pub fn list(conn: &Connection, offset: i64, limit: i64) -> Result<(Vec<AuditEntry>, i64)> {
    // Gap-free sequence: the last number is the count, read from the key instead of a scan.
    let total: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit_log", [], |r| {
        r.get(0)
    })?;
    let mut reader = ChangesReader::new()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?1 OFFSET ?2"
    ))?;
    let mut rows = stmt.query([limit, offset])?;
    let mut items = Vec::new();
    while let Some(r) = rows.next()? {
        items.push(entry_of(&mut reader, r)?);
    }
    Ok((items, total))
}

// ---------------------------------------------------------------------------------------------
// Verify

const PRESENT: u8 = 1;
const DELETED: u8 = 2;
const SEEN: u8 = 4;

/// What verify keeps of a row: the entry of its last image and the image's digest.
#[derive(Debug, Clone, Copy, Default)]
struct RowState {
    seq: u32,
    digest: i64,
    flags: u8,
}

/// The rows of one table recorded in the replayed entries. Ids are small dense integers, so when
/// the whole chain is replayed a vector indexed by id holds them (16 bytes a row); other ids, and
/// the few rows of an incremental verify, go to a map.
#[derive(Default)]
struct TableState {
    use_dense: bool,
    dense: Vec<RowState>,
    sparse: HashMap<i64, RowState>,
}

const DENSE_LIMIT: i64 = 1 << 22;

impl TableState {
    fn slot(&mut self, id: i64) -> &mut RowState {
        if self.use_dense && (0..DENSE_LIMIT).contains(&id) {
            let i = id as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, RowState::default());
            }
            &mut self.dense[i]
        } else {
            self.sparse.entry(id).or_default()
        }
    }

    fn get_mut(&mut self, id: i64) -> Option<&mut RowState> {
        let s = if self.use_dense && (0..DENSE_LIMIT).contains(&id) {
            self.dense.get_mut(id as usize)
        } else {
            self.sparse.get_mut(&id)
        }?;
        (s.flags & PRESENT != 0).then_some(s)
    }

    fn rows(&self) -> impl Iterator<Item = (i64, &RowState)> {
        self.dense
            .iter()
            .enumerate()
            .map(|(i, s)| (i as i64, s))
            .chain(self.sparse.iter().map(|(i, s)| (*i, s)))
            .filter(|(_, s)| s.flags & PRESENT != 0)
    }
}

/// One change of an entry, read without building its image.
#[derive(Deserialize)]
struct Change<'a> {
    #[serde(borrow)]
    table: std::borrow::Cow<'a, str>,
    id: i64,
    #[serde(borrow)]
    after: &'a RawValue,
}

/// The keys of a JSON object, joined by commas, into a reused string.
struct KeyList<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for KeyList<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for KeyList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> std::result::Result<(), A::Error> {
        while let Some(()) = m.next_key_seed(Key(&mut *self.0))? {
            m.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

struct Key<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<(), E> {
        if !self.0.is_empty() {
            self.0.push(',');
        }
        self.0.push_str(v);
        Ok(())
    }
}

struct Problems(Vec<AuditProblem>, usize);

impl Problems {
    fn push(&mut self, p: AuditProblem) {
        self.1 += 1;
        if self.0.len() < 100 {
            self.0.push(p);
        }
    }
    fn chain(&mut self, seq: i64, reason: String) {
        self.push(AuditProblem {
            seq: Some(seq),
            table: None,
            row_id: None,
            reason,
        });
    }
    fn row(&mut self, seq: Option<i64>, table: &str, id: i64, reason: String) {
        self.push(AuditProblem {
            seq,
            table: Some(table.to_string()),
            row_id: Some(id),
            reason,
        });
    }
}

/// The outcome of replaying entries.
struct Replay {
    tables: HashMap<String, TableState>,
    last_seq: i64,
    last_hash: String,
    checked: i64,
}

/// Replay the entries after `from` (whose hash is `prev`), checking sequence, links and hashes,
/// and keep the last image digest of every row they record.
fn replay(
    conn: &Connection,
    from: i64,
    prev: &str,
    problems: &mut Problems,
    progress: &mut dyn FnMut(VerifyProgress),
) -> Result<Replay> {
    let last: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit_log", [], |r| {
        r.get(0)
    })?;
    let total = (last - from).max(0) as u64;
    let mut stmt = conn.prepare(
        "SELECT seq, office_code, at, actor, command, changes, hash FROM audit_log WHERE seq > ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([from])?;
    let mut reader = ChangesReader::new()?;
    let mut tables: HashMap<String, TableState> = HashMap::new();
    let mut expected_seq = from + 1;
    let mut prev_hash = prev.to_string();
    let mut chain_ok = true;
    let mut checked = 0i64;
    progress(VerifyProgress {
        stage: VerifyStage::Entries,
        done: 0,
        total,
    });
    while let Some(r) = rows.next()? {
        checked += 1;
        let seq: i64 = r.get(0)?;
        let stored_hash = hash_text(r.get_ref(6)?);
        let changes = reader.read(r.get_ref(5)?);
        if chain_ok {
            if seq != expected_seq {
                problems.chain(seq, format!("审计记录序号不连续：应为第{expected_seq}条，实际为第{seq}条（记录被删除或调换）"));
                chain_ok = false;
            } else if changes.is_none_or(|c| {
                // The link is the running hash (the previous entry's, as stored): an entry edited,
                // or a previous one edited, deleted or swapped, gives another hash here.
                entry_hash(
                    &prev_hash,
                    seq,
                    &r.get::<_, String>(1).unwrap_or_default(),
                    &r.get::<_, String>(2).unwrap_or_default(),
                    &r.get::<_, String>(3).unwrap_or_default(),
                    &r.get::<_, String>(4).unwrap_or_default(),
                    c,
                ) != stored_hash
            }) {
                problems.chain(
                    seq,
                    format!("第{seq}条审计记录的内容被修改，或与前一条的链接断开（哈希不符：本条或前一条被改动、删除或调换）"),
                );
                chain_ok = false;
            }
        }
        if let Some(list) = changes.and_then(|c| serde_json::from_str::<Vec<Change>>(c).ok()) {
            for c in list {
                let t = match tables.get_mut(c.table.as_ref()) {
                    Some(t) => t,
                    None => tables.entry(c.table.to_string()).or_insert(TableState {
                        use_dense: from == 0,
                        ..TableState::default()
                    }),
                };
                let after = c.after.get();
                let deleted = after == "null";
                let state = RowState {
                    seq: seq.clamp(0, u32::MAX as i64) as u32,
                    digest: if deleted {
                        0
                    } else {
                        row_digest(&c.table, c.id, after.as_bytes())
                    },
                    flags: if deleted { PRESENT | DELETED } else { PRESENT },
                };
                *t.slot(c.id) = state;
            }
        }
        expected_seq = seq + 1;
        prev_hash = stored_hash;
        if checked % 4096 == 0 {
            progress(VerifyProgress {
                stage: VerifyStage::Entries,
                done: checked as u64,
                total,
            });
        }
    }
    progress(VerifyProgress {
        stage: VerifyStage::Entries,
        done: checked as u64,
        total,
    });
    Ok(Replay {
        tables,
        last_seq: expected_seq - 1,
        last_hash: prev_hash,
        checked,
    })
}

/// Compares stored rows with their recorded state.
struct RowCheck<'c> {
    conn: &'c Connection,
    reader: ChangesReader,
    buf: Vec<u8>,
    keys: String,
    /// Per key list of a recorded image (comma-joined), for the table being checked: whether the
    /// image had each sorted column, or None when it has a column the table no longer has.
    masks: HashMap<String, Option<Vec<bool>>>,
    problems: Problems,
}

impl RowCheck<'_> {
    /// The keys of the image of `table` `id` recorded in entry `seq`, into `self.keys`; false
    /// when the entry cannot be read (the chain check reports it).
    fn recorded_keys(&mut self, table: &str, id: i64, seq: i64) -> Result<bool> {
        self.keys.clear();
        let reader = &mut self.reader;
        let keys = &mut self.keys;
        let found = self
            .conn
            .prepare_cached("SELECT changes FROM audit_log WHERE seq = ?1")?
            .query_row([seq], |r| {
                let Some(text) = reader.read(r.get_ref(0)?) else {
                    return Ok(false);
                };
                let Ok(list) = serde_json::from_str::<Vec<Change>>(text) else {
                    return Ok(false);
                };
                let Some(c) = list.iter().rev().find(|c| c.table == table && c.id == id) else {
                    return Ok(false);
                };
                let mut de = serde_json::Deserializer::from_str(c.after.get());
                Ok(KeyList(keys).deserialize(&mut de).is_ok())
            })
            .optional()?;
        Ok(found == Some(true))
    }

    /// Compare one stored row (or its absence) with its recorded state.
    fn check(
        &mut self,
        table: &str,
        id: i64,
        row: Option<&rusqlite::Row<'_>>,
        state: Option<&mut RowState>,
        shape: &Shape,
    ) -> Result<()> {
        let Some(st) = state else {
            if row.is_some() {
                self.problems.row(
                    None,
                    table,
                    id,
                    format!("数据表 {table} 第{id}行没有任何审计记录（被绕过软件直接写入）"),
                );
            }
            return Ok(());
        };
        let seq = st.seq as i64;
        match row {
            Some(_) if st.flags & DELETED != 0 => self.problems.row(
                Some(seq),
                table,
                id,
                format!("数据表 {table} 第{id}行已于第{seq}条审计记录中删除，却又出现（被绕过软件直接写入）"),
            ),
            Some(r) => {
                self.buf.clear();
                shape.write(r, None, &mut self.buf)?;
                let mut same = row_digest(table, id, &self.buf) == st.digest;
                // A column added after the image was recorded counts only while it is NULL: only
                // then is the recorded image read back for its columns.
                if !same && self.recorded_keys(table, id, seq)? {
                    let mask = self
                        .masks
                        .entry(self.keys.clone())
                        .or_insert_with(|| {
                            let ks: Vec<&str> = self.keys.split(',').collect();
                            ks.iter()
                                .all(|k| shape.names.iter().any(|n| n == k))
                                .then(|| shape.names.iter().map(|n| ks.contains(&n.as_str())).collect())
                        });
                    if let Some(mask) = mask {
                        self.buf.clear();
                        shape.write(r, Some(mask), &mut self.buf)?;
                        same = row_digest(table, id, &self.buf) == st.digest;
                    }
                }
                if !same {
                    self.problems.row(
                        Some(seq),
                        table,
                        id,
                        format!("数据表 {table} 第{id}行与第{seq}条审计记录不一致（被绕过软件直接修改）"),
                    );
                }
            }
            None if st.flags & DELETED == 0 => self.problems.row(
                Some(seq),
                table,
                id,
                format!("数据表 {table} 第{id}行在第{seq}条审计记录中存在，现已缺失（被绕过软件直接删除）"),
            ),
            None => {}
        }
        st.flags |= SEEN;
        Ok(())
    }
}

/// Check the chain and the audited rows. Incremental (the default): the entries after the last
/// checkpoint and the rows they touched, plus rows added since; `full`: the whole chain and every
/// row. A successful verify records its checkpoint (the only thing it writes).
pub fn verify(conn: &Connection, full: bool) -> Result<AuditReport> {
    verify_with_progress(conn, full, &mut |_| {})
}

pub fn verify_with_progress(
    conn: &Connection,
    full: bool,
    progress: &mut dyn FnMut(VerifyProgress),
) -> Result<AuditReport> {
    // One snapshot for the whole check, even while another process writes.
    let tx = conn.unchecked_transaction()?;
    let mut problems = Problems(Vec::new(), 0);
    let checkpoint: Option<(i64, String, String)> = if full {
        None
    } else {
        tx.query_row(
            "SELECT seq, hash, max_ids FROM audit_checkpoint WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
    };
    let full = checkpoint.is_none();
    let (since, since_hash, max_ids) = match checkpoint {
        None => (0, GENESIS.to_string(), BTreeMap::new()),
        Some((seq, hash, max_ids)) => {
            // The checkpoint's own entry must still be the one verified.
            let mut reader = ChangesReader::new()?;
            let same = tx
                .query_row(
                    &format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq = ?1"),
                    [seq],
                    |r| {
                        let stored = hash_text(r.get_ref(7)?);
                        let prev = hash_text(r.get_ref(6)?);
                        let computed = reader.read(r.get_ref(5)?).map(|c| {
                            entry_hash(
                                &prev,
                                seq,
                                &r.get::<_, String>(1).unwrap_or_default(),
                                &r.get::<_, String>(2).unwrap_or_default(),
                                &r.get::<_, String>(3).unwrap_or_default(),
                                &r.get::<_, String>(4).unwrap_or_default(),
                                c,
                            )
                        });
                        Ok(stored == hash && computed.as_deref() == Some(hash.as_str()))
                    },
                )
                .optional()?;
            if same != Some(true) {
                problems.chain(
                    seq,
                    format!(
                        "第{seq}条审计记录在上次校验之后被删除或修改（哈希不符），请进行全面校验"
                    ),
                );
            }
            let max_ids: BTreeMap<String, i64> = serde_json::from_str(&max_ids).unwrap_or_default();
            (seq, hash, max_ids)
        }
    };

    let mut replay = replay(&tx, since, &since_hash, &mut problems, progress)?;

    let mut check = RowCheck {
        conn: &tx,
        reader: ChangesReader::new()?,
        buf: Vec::new(),
        keys: String::new(),
        masks: HashMap::new(),
        problems,
    };
    for (n, table) in AUDITED_TABLES.iter().enumerate() {
        check.masks.clear();
        let mut state = replay.tables.remove(*table).unwrap_or_default();
        if full {
            progress(VerifyProgress {
                stage: VerifyStage::Tables,
                done: n as u64,
                total: AUDITED_TABLES.len() as u64,
            });
            let mut stmt = tx.prepare(&format!("SELECT * FROM {table}"))?;
            let shape = Shape::of(&stmt);
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(shape.id_col)?;
                check.check(table, id, Some(r), state.get_mut(id), &shape)?;
            }
            for (id, st) in state.rows() {
                if st.flags & SEEN == 0 {
                    check.check(table, id, None, Some(&mut st.clone()), &shape)?;
                }
            }
        } else {
            let mut stmt = tx.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
            let shape = Shape::of(&stmt);
            let ids: Vec<i64> = state.rows().map(|(id, _)| id).collect();
            for id in ids {
                let mut rows = stmt.query([id])?;
                let r = rows.next()?;
                check.check(table, id, r, state.get_mut(id), &shape)?;
            }
            // Rows added since the checkpoint must be recorded after it.
            let above = max_ids.get(*table).copied().unwrap_or(0);
            let mut added = tx.prepare_cached(&format!("SELECT id FROM {table} WHERE id > ?1"))?;
            let mut rows = added.query([above])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if state.get_mut(id).is_none() {
                    check.check(table, id, Some(r), None, &shape)?;
                }
            }
        }
    }
    progress(VerifyProgress {
        stage: VerifyStage::Tables,
        done: AUDITED_TABLES.len() as u64,
        total: AUDITED_TABLES.len() as u64,
    });

    // Password hashes are kept out of the log; their keyed digests are in it (issue 8).
    for p in super::secrets::check(&tx)? {
        check.problems.push(p);
    }
    // The schema is what the migrations create: no dropped trigger or index, no planted one
    // (issue 12).
    for p in schema_problems(&tx)? {
        check.problems.push(p);
    }
    let mut problems = check.problems.0;
    problems.sort_by_key(|p| (p.seq.is_none(), p.seq));
    let ok = problems.is_empty();
    if ok && replay.last_seq > 0 {
        // A checkpoint that cannot be written (another process is writing) is only a later,
        // longer incremental verify.
        let _ = record_checkpoint(&tx, replay.last_seq, &replay.last_hash, full);
    }
    tx.commit()?;
    Ok(AuditReport {
        ok,
        entries: replay.last_seq.max(since),
        full,
        since,
        checked: replay.checked,
        first_broken: problems.first().cloned(),
        problems,
        witness: None,
        signed_head: None,
    })
}

/// Every schema object (table, index, trigger, view) but SQLite's own: (type, name) → its SQL.
fn schema_of(conn: &Connection) -> Result<BTreeMap<(String, String), Option<String>>> {
    let mut stmt =
        conn.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")?;
    let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How this database's schema differs from the one the migrations create (built afresh in memory):
/// a missing, changed or added table, index, trigger or view, each a problem.
pub fn schema_problems(conn: &Connection) -> Result<Vec<AuditProblem>> {
    let mut fresh = Connection::open_in_memory()?;
    super::migrate(&mut fresh)?;
    let (want, have) = (schema_of(&fresh)?, schema_of(conn)?);
    let kind = |k: &str| match k {
        "table" => "数据表",
        "index" => "索引",
        "trigger" => "触发器",
        "view" => "视图",
        _ => "数据库对象",
    };
    let problem = |reason: String| AuditProblem {
        seq: None,
        table: None,
        row_id: None,
        reason,
    };
    let mut out = Vec::new();
    for ((k, name), sql) in &want {
        match have.get(&(k.clone(), name.clone())) {
            None => out.push(problem(format!(
                "数据库缺少{}“{name}”：数据库结构被改动，保护记录的规则可能已失效",
                kind(k)
            ))),
            Some(s) if s != sql => out.push(problem(format!(
                "数据库的{}“{name}”与本软件建立的不同：数据库结构被改动",
                kind(k)
            ))),
            Some(_) => {}
        }
    }
    for (k, name) in have.keys() {
        if !want.contains_key(&(k.clone(), name.clone())) {
            out.push(problem(format!(
                "数据库多出{}“{name}”（不是本软件建立的）：数据库结构被改动",
                kind(k)
            )));
        }
    }
    Ok(out)
}

fn record_checkpoint(conn: &Connection, seq: i64, hash: &str, full: bool) -> Result<()> {
    let mut max_ids = BTreeMap::new();
    for table in AUDITED_TABLES {
        let m: i64 = conn.query_row(
            &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
            [],
            |r| r.get(0),
        )?;
        max_ids.insert(*table, m);
    }
    let max_ids = serde_json::to_string(&max_ids).map_err(|e| ApiError::internal(e.to_string()))?;
    conn.execute(
        "INSERT OR REPLACE INTO audit_checkpoint (id, seq, hash, verified_at, full, max_ids) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        params![seq, hash, now_text(), full, max_ids],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store_with_rows() -> Store {
        let s = Store::open_in_memory().unwrap();
        s.write("管理员", "office.init", |tx| {
            tx.execute("INSERT INTO office (id, code, name, level, created_at) VALUES (1,'220102','南关区医疗保障局','county','t')", [])?;
            tx.touch("office", 1);
            Ok(())
        })
        .unwrap();
        for i in 1..=3 {
            s.write("张三", "calendar.set_override", |tx| {
                tx.execute(
                    "INSERT INTO calendar_override (date, working, note) VALUES (?1, 0, '测试')",
                    [format!("2026-12-0{i}")],
                )?;
                tx.touch("calendar_override", tx.last_insert_rowid());
                Ok(())
            })
            .unwrap();
        }
        s
    }

    fn verify_s(s: &Store) -> AuditReport {
        s.read(|c| verify(c, true)).unwrap()
    }

    #[test]
    fn a_column_added_later_counts_while_null() {
        let s = store_with_rows();
        s.write("管理员", "migration", |tx| {
            tx.execute("ALTER TABLE office ADD COLUMN motto TEXT", [])?;
            Ok(())
        })
        .unwrap();
        // The column was added outside the migrations: the schema check names the table (and
        // only that); the rows still compare while the new column is NULL.
        let r = verify_s(&s);
        assert!(
            r.problems.len() == 1
                && r.problems[0]
                    .reason
                    .contains("数据表“office”与本软件建立的不同"),
            "{:?}",
            r.problems
        );
        s.write("黑客", "none", |tx| {
            tx.execute("UPDATE office SET motto = '改' WHERE id = 1", [])?;
            Ok(())
        })
        .unwrap();
        let r = verify_s(&s);
        assert!(!r.ok);
        assert!(
            r.problems
                .iter()
                .any(|p| p.table.as_deref() == Some("office")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn a_clean_log_verifies() {
        let s = store_with_rows();
        let r = verify_s(&s);
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, 4);
    }

    #[test]
    fn editing_an_audited_row_is_found() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("UPDATE calendar_override SET note = '改' WHERE id = 2", [])?))
            .unwrap();
        let r = verify_s(&s);
        let p = r.first_broken.unwrap();
        assert_eq!(
            (p.table.as_deref(), p.row_id, p.seq),
            (Some("calendar_override"), Some(2), Some(3))
        );
        assert!(p.reason.contains("修改"));
    }

    #[test]
    fn deleting_or_inserting_rows_behind_the_app_is_found() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("DELETE FROM calendar_override WHERE id = 1", [])?))
            .unwrap();
        s.read(|c| {
            Ok(c.execute(
                "INSERT INTO calendar_override (date, working, note) VALUES ('2027-01-01',0,'x')",
                [],
            )?)
        })
        .unwrap();
        let r = verify_s(&s);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(r
            .problems
            .iter()
            .any(|p| p.reason.contains("删除") && p.row_id == Some(1)));
        assert!(r
            .problems
            .iter()
            .any(|p| p.reason.contains("没有任何审计记录")));
    }

    #[test]
    fn tampering_with_the_log_is_found_at_the_first_broken_link() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("UPDATE audit_log SET actor = '李四' WHERE seq = 2", [])?))
            .unwrap();
        assert_eq!(verify_s(&s).first_broken.unwrap().seq, Some(2));

        let s = store_with_rows();
        s.read(|c| Ok(c.execute("DELETE FROM audit_log WHERE seq = 3", [])?))
            .unwrap();
        let p = verify_s(&s).first_broken.unwrap();
        assert_eq!(p.seq, Some(4));
        assert!(p.reason.contains("不连续"));

        // Reorder: swap entries 2 and 3.
        let s = store_with_rows();
        s.read(|c| {
            c.execute_batch(
                "UPDATE audit_log SET seq = -2 WHERE seq = 2;
                 UPDATE audit_log SET seq = 2 WHERE seq = 3;
                 UPDATE audit_log SET seq = 3 WHERE seq = -2;",
            )?;
            Ok(())
        })
        .unwrap();
        assert_eq!(verify_s(&s).first_broken.unwrap().seq, Some(2));
    }
    fn entries(s: &Store) -> i64 {
        s.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?))
            .unwrap()
    }

    fn incremental(s: &Store) -> AuditReport {
        s.read(|c| verify(c, false)).unwrap()
    }

    fn set_override(s: &Store, id: i64, note: &str) {
        s.write("张三", "calendar.set_override", |tx| {
            tx.execute(
                "UPDATE calendar_override SET note = ?1 WHERE id = ?2",
                params![note, id],
            )?;
            tx.touch("calendar_override", id);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn images_written_from_the_row_are_the_canonical_json() {
        let s = store_with_rows();
        s.read(|c| {
            c.execute_batch(
                "CREATE TABLE odd (id INTEGER PRIMARY KEY, b BLOB, z TEXT, a REAL, \"q\"\"k\" TEXT, n TEXT);
                 INSERT INTO odd VALUES (7, x'00ff', '引号\" 反斜杠\\ 换行
 制表	 控制', 1.5, 'é', NULL);",
            )?;
            let mut out = Vec::new();
            write_row_image(c, "odd", 7, &mut out)?;
            let v = row_image(c, "odd", 7)?.unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), canonical(&v));
            let mut out = Vec::new();
            write_row_image(c, "odd", 8, &mut out)?;
            assert_eq!(out, b"null");
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn entries_are_stored_compressed_and_listed_as_json_text() {
        let s = store_with_rows();
        let (kind, len): (String, i64) = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT typeof(changes), length(changes) FROM audit_log WHERE seq = 2",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .unwrap();
        assert_eq!(kind, "blob");
        let (items, total) = s.read(|c| list(c, 0, 10)).unwrap();
        assert_eq!(total, 4);
        let e = items.iter().find(|e| e.seq == 2).unwrap();
        let v: Value = serde_json::from_str(&e.changes).unwrap();
        assert_eq!(v[0]["table"], "calendar_override");
        assert_eq!(v[0]["after"]["note"], "测试");
        assert_eq!(
            canonical(&v),
            e.changes,
            "the listed text is the canonical one"
        );
        assert!((len as usize) < e.changes.len());
        let hash_kind: String = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT typeof(hash) FROM audit_log WHERE seq = 2",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(
            (hash_kind.as_str(), e.hash.len(), e.prev_hash.len()),
            ("blob", 64, 64)
        );
        // The hash is over the listed (uncompressed) text.
        assert_eq!(
            entry_hash(
                &e.prev_hash,
                e.seq,
                &e.office_code,
                &e.at,
                &e.actor,
                &e.command,
                &e.changes
            ),
            e.hash
        );
    }

    #[test]
    fn an_unchanged_touched_row_writes_no_image() {
        let s = store_with_rows();
        let before = entries(&s);
        // Touching a row without changing it: no entry at all.
        s.write("张三", "calendar.set_override", |tx| {
            tx.execute("UPDATE calendar_override SET note = note WHERE id = 1", [])?;
            tx.touch("calendar_override", 1);
            Ok(())
        })
        .unwrap();
        assert_eq!(entries(&s), before);
        // One changed row and one unchanged: only the changed one is in the entry.
        s.write("张三", "calendar.set_override", |tx| {
            tx.execute("UPDATE calendar_override SET note = '改' WHERE id = 2", [])?;
            tx.touch("calendar_override", 1);
            tx.touch("calendar_override", 2);
            Ok(())
        })
        .unwrap();
        assert_eq!(entries(&s), before + 1);
        let (items, _) = s.read(|c| list(c, 0, 1)).unwrap();
        let v: Value = serde_json::from_str(&items[0].changes).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v[0]["id"], 2);
        // A row changed back to an earlier value is recorded again.
        set_override(&s, 2, "测试");
        assert_eq!(entries(&s), before + 2);
        assert!(verify_s(&s).ok);
    }

    #[test]
    fn a_row_changed_behind_the_app_is_recorded_when_touched_again() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("UPDATE calendar_override SET note = '改' WHERE id = 1", [])?))
            .unwrap();
        let before = entries(&s);
        s.write("张三", "calendar.set_override", |tx| {
            tx.touch("calendar_override", 1);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            entries(&s),
            before + 1,
            "the image differs from the recorded one"
        );
    }

    /// Entries written before 0009: plain TEXT, no `audit_row` digests.
    fn legacy_store() -> Store {
        let s = Store::open_in_memory().unwrap();
        s.read(|c| {
            c.execute("INSERT INTO office (id, code, name, level, created_at) VALUES (1,'220102','南关区医疗保障局','county','t')", [])?;
            c.execute("INSERT INTO calendar_override (date, working, note) VALUES ('2026-12-01', 0, '旧')", [])?;
            let mut prev = GENESIS.to_string();
            for (seq, table, id) in [(1, "office", 1), (2, "calendar_override", 1)] {
                let after = row_image(c, table, id)?.unwrap();
                let changes = canonical(&serde_json::json!([{ "table": table, "id": id, "after": after }]));
                let hash = entry_hash(&prev, seq, "220102", "t", "旧版", "x", &changes);
                c.execute(
                    "INSERT INTO audit_log (seq, office_code, at, actor, command, changes, hash) VALUES (?1,'220102','t','旧版','x',?2,?3)",
                    params![seq, changes, hash],
                )?;
                prev = hash;
            }
            Ok(())
        })
        .unwrap();
        s
    }

    #[test]
    fn old_uncompressed_entries_still_read_and_verify() {
        let s = legacy_store();
        assert!(verify_s(&s).ok, "{:?}", verify_s(&s).problems);
        // New entries follow them in the same chain, compressed.
        set_override(&s, 1, "新");
        let r = verify_s(&s);
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, 3);
        let (items, _) = s.read(|c| list(c, 0, 10)).unwrap();
        assert!(items[1].changes.contains("\"旧\""));
        assert!(items[0].changes.contains("\"新\""));
        // Tampering with an old entry is still found.
        s.read(|c| {
            Ok(c.execute(
                "UPDATE audit_log SET changes = replace(changes, '旧', '改') WHERE seq = 2",
                [],
            )?)
        })
        .unwrap();
        assert_eq!(verify_s(&s).first_broken.unwrap().seq, Some(2));
    }

    /// A database written before 0030: every entry stored its link (`prev_hash`, 32 bytes), as the
    /// code of 0009–0029 wrote it. `break_link` stores a wrong link in entry 3, its hash computed
    /// over that link (a forged or damaged entry that a verify before 0030 reported).
    fn pre_0030_database(path: &std::path::Path, break_link: bool) {
        let mut c = Connection::open(path).unwrap();
        // Every migration before 0030 (later ones, such as 0031–0034, run on open with 0030).
        let before = super::super::MIGRATIONS
            .iter()
            .position(|(name, _)| *name == "0030_audit_prev_implied")
            .unwrap();
        let tx = c.transaction().unwrap();
        for (_, sql) in &super::super::MIGRATIONS[..before] {
            tx.execute_batch(sql).unwrap();
        }
        tx.pragma_update(None, "user_version", before as i64)
            .unwrap();
        tx.execute("INSERT INTO office (id, code, name, level, created_at) VALUES (1,'220102','南关区医疗保障局','county','t')", []).unwrap();
        let mut prev = GENESIS.to_string();
        for seq in 1..=4i64 {
            let (table, id) = if seq == 1 {
                ("office", 1)
            } else {
                tx.execute(
                    "INSERT INTO calendar_override (date, working, note) VALUES (?1, 0, '旧')",
                    [format!("2026-12-0{seq}")],
                )
                .unwrap();
                ("calendar_override", tx.last_insert_rowid())
            };
            let mut image = Vec::new();
            write_row_image(&tx, table, id, &mut image).unwrap();
            let after: Value = serde_json::from_slice(&image).unwrap();
            let changes =
                canonical(&serde_json::json!([{ "table": table, "id": id, "after": after }]));
            let link = if break_link && seq == 3 {
                "1".repeat(64)
            } else {
                prev.clone()
            };
            let hash = entry_hash(&link, seq, "220102", "t", "旧版", "x", &changes);
            tx.execute(
                "INSERT INTO audit_log (seq, office_code, at, actor, command, changes, prev_hash, hash) VALUES (?1,'220102','t','旧版','x',?2,?3,?4)",
                params![seq, compress(&changes).unwrap(), hash_bytes(&link), hash_bytes(&hash)],
            )
            .unwrap();
            prev = hash;
        }
        tx.commit().unwrap();
    }

    #[test]
    fn entries_written_before_0030_still_list_and_verify_without_a_stored_link() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        pre_0030_database(&path, false);
        let stored: Vec<(i64, String, String)> = {
            let c = Connection::open(&path).unwrap();
            let mut st = c
                .prepare("SELECT seq, hex(prev_hash), hex(hash) FROM audit_log ORDER BY seq")
                .unwrap();
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        let s = Store::open(&path).unwrap();
        let columns: Vec<String> = s
            .read(|c| {
                let mut st = c.prepare("SELECT name FROM pragma_table_info('audit_log')")?;
                let rows = st.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        assert!(!columns.iter().any(|n| n == "prev_hash"), "{columns:?}");
        // The listing gives every link the entry stored before.
        let (items, total) = s.read(|c| list(c, 0, 10)).unwrap();
        assert_eq!(total, 4);
        for e in &items {
            let (_, prev, hash) = &stored[(e.seq - 1) as usize];
            assert_eq!(
                (e.prev_hash.to_uppercase(), e.hash.to_uppercase()),
                (prev.clone(), hash.clone())
            );
        }
        let r = verify_s(&s);
        assert!(r.ok && r.entries == 4, "{:?}", r.problems);
        // New entries continue the same chain.
        set_override(&s, 2, "新");
        assert!(incremental(&s).ok);
        let r = verify_s(&s);
        assert!(r.ok && r.entries == 5, "{:?}", r.problems);
        let (items, _) = s.read(|c| list(c, 0, 1)).unwrap();
        assert_eq!(items[0].prev_hash.to_uppercase(), stored[3].2);
    }

    #[test]
    fn a_link_broken_before_0030_is_still_found_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        pre_0030_database(&path, true);
        let s = Store::open(&path).unwrap();
        let p = verify_s(&s).first_broken.unwrap();
        assert_eq!(p.seq, Some(3), "{p:?}");
        assert!(p.reason.contains("链接断开"), "{p:?}");
    }

    #[test]
    fn an_entry_whose_hash_was_recomputed_breaks_the_next_one() {
        // Editing entry 2 and writing its new hash leaves entry 2 consistent in itself; entry 3
        // was hashed over the old one.
        let s = store_with_rows();
        s.read(|c| {
            let (office, at, command, changes): (String, String, String, Vec<u8>) = c.query_row(
                "SELECT office_code, at, command, changes FROM audit_log WHERE seq = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            let text = ChangesReader::new()?
                .read(ValueRef::Blob(&changes))
                .unwrap()
                .to_string();
            let prev = hash_at(c, 1)?.unwrap();
            let forged = entry_hash(&prev, 2, &office, &at, "李四", &command, &text);
            c.execute(
                "UPDATE audit_log SET actor = '李四', hash = ?1 WHERE seq = 2",
                [hex::decode(forged).unwrap()],
            )?;
            Ok(())
        })
        .unwrap();
        let p = verify_s(&s).first_broken.unwrap();
        assert_eq!(p.seq, Some(3), "{p:?}");
        assert!(p.reason.contains("链接断开"), "{p:?}");
    }

    #[test]
    fn incremental_verify_replays_only_what_came_after_the_checkpoint() {
        let s = store_with_rows();
        let r = incremental(&s);
        assert!(r.ok && r.full, "no checkpoint yet: a full verify {r:?}");
        assert_eq!((r.entries, r.checked), (4, 4));
        set_override(&s, 3, "后来");
        let r = incremental(&s);
        assert!(r.ok && !r.full, "{r:?}");
        assert_eq!((r.entries, r.since, r.checked), (5, 4, 1));
        let r = incremental(&s);
        assert_eq!((r.entries, r.since, r.checked), (5, 5, 0));
        assert!(r.ok);
    }

    #[test]
    fn incremental_verify_finds_a_row_changed_after_the_checkpoint() {
        let s = store_with_rows();
        assert!(incremental(&s).ok);
        set_override(&s, 2, "后来");
        s.read(|c| {
            Ok(c.execute(
                "UPDATE calendar_override SET note = '篡改' WHERE id = 2",
                [],
            )?)
        })
        .unwrap();
        let p = incremental(&s).first_broken.unwrap();
        assert_eq!(
            (p.table.as_deref(), p.row_id, p.seq),
            (Some("calendar_override"), Some(2), Some(5))
        );
        // A failed verify leaves the checkpoint where it was: it keeps failing.
        assert!(!incremental(&s).ok);
    }

    #[test]
    fn incremental_verify_finds_a_broken_link_after_the_checkpoint() {
        let s = store_with_rows();
        assert!(incremental(&s).ok);
        set_override(&s, 1, "一");
        set_override(&s, 2, "二");
        s.read(|c| Ok(c.execute("UPDATE audit_log SET actor = '李四' WHERE seq = 5", [])?))
            .unwrap();
        assert_eq!(incremental(&s).first_broken.unwrap().seq, Some(5));

        let s = store_with_rows();
        assert!(incremental(&s).ok);
        set_override(&s, 1, "一");
        set_override(&s, 2, "二");
        s.read(|c| Ok(c.execute("DELETE FROM audit_log WHERE seq = 5", [])?))
            .unwrap();
        let p = incremental(&s).first_broken.unwrap();
        assert_eq!(p.seq, Some(6));
        assert!(p.reason.contains("不连续"));

        // The checkpoint's own entry edited (its hash recomputed or not).
        let s = store_with_rows();
        assert!(incremental(&s).ok);
        s.read(|c| Ok(c.execute("UPDATE audit_log SET actor = '李四' WHERE seq = 4", [])?))
            .unwrap();
        assert_eq!(incremental(&s).first_broken.unwrap().seq, Some(4));
    }

    #[test]
    fn incremental_verify_finds_a_row_inserted_after_the_checkpoint() {
        let s = store_with_rows();
        assert!(incremental(&s).ok);
        s.read(|c| {
            Ok(c.execute(
                "INSERT INTO calendar_override (date, working, note) VALUES ('2027-01-01',0,'x')",
                [],
            )?)
        })
        .unwrap();
        let p = incremental(&s).first_broken.unwrap();
        assert_eq!(
            (p.table.as_deref(), p.row_id),
            (Some("calendar_override"), Some(4))
        );
        assert!(p.reason.contains("没有任何审计记录"));
    }

    #[test]
    fn only_a_full_verify_finds_an_old_row_edited() {
        let s = store_with_rows();
        assert!(incremental(&s).ok);
        s.read(|c| Ok(c.execute("UPDATE calendar_override SET note = '改' WHERE id = 1", [])?))
            .unwrap();
        set_override(&s, 3, "后来");
        assert!(
            incremental(&s).ok,
            "row 1 was not touched after the checkpoint"
        );
        let r = verify_s(&s);
        assert!(r.full);
        let p = r.first_broken.unwrap();
        assert_eq!((p.row_id, p.seq), (Some(1), Some(2)));
    }

    #[test]
    fn progress_reaches_the_end() {
        let s = store_with_rows();
        let mut seen = Vec::new();
        s.read(|c| verify_with_progress(c, true, &mut |p| seen.push((p.stage, p.done, p.total))))
            .unwrap();
        assert!(seen.contains(&(VerifyStage::Entries, 4, 4)), "{seen:?}");
        let n = AUDITED_TABLES.len() as u64;
        assert_eq!(seen.last(), Some(&(VerifyStage::Tables, n, n)));
    }
}
