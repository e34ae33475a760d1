//! A county restored from an old backup gets its own entries back from the city's hub (issue 11,
//! Tests: "a county restored from an old backup is detected (its sequence went back) and recovers
//! by pulling its own entries back from the hub up to the last acknowledged head").
//!
//! Detection: after the restore the county's log is shorter than what the city holds, and its
//! next entry (the restore itself, `backup.restore`) differs from the city's entry of that number.
//! The county's next bundle is refused by the hub as a fork, or the city's acknowledgement names an
//! entry the county no longer has: the exchange then asks for the county's own entries back.
//!
//! The recovery file is the bundle format the other way round: signed by the city, encrypted to the
//! county, `origin` naming the county, holding the county's entries the city keeps (a masked
//! entry with the county's sealed original, `WireEntry::own`, which only the county can open).
//!
//! The county applies it in one transaction, all or nothing:
//! - every entry is checked as the county wrote it: the chain from the file's first link, the
//!   original of a masked entry opened with the county's key, every hash recomputed over the
//!   county's own code;
//! - the common part of both logs is found (the last entry both hold with the same hash); the
//!   county's entries after it ("local-only") must begin with the restore — a log that parts ways
//!   with the city otherwise is not a restore, and nothing is changed;
//! - the city's entries after the common part are put back as they were (number, time, actor,
//!   hash) and their rows written; the local-only entries (the restore record, anything done since)
//!   are chained again after them with their own time, actor and changes — refused when they
//!   touch a row the recovered entries touch (the work done since the restore would overwrite
//!   or be overwritten: the office decides with the city, nothing is merged blindly).

use std::collections::HashSet;

use base64::Engine as _;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::bundle::{self, Manifest, Opened, WireEntry, FORMAT};
use super::keys::OfficeKeys;
use super::{
    b64, file, paired_city, peer, require_level, seq6, ExchangeFile, ExchangeFileKind,
    ImportOutcome,
};
use crate::error::{ApiError, Result};
use crate::office::OfficeLevel;
use crate::store::audit::{self, AuditEntry, GENESIS};
use crate::store::{now_text, Tx};

/// `exchange.recovery`: the city gives a county its own entries back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RecoveryRequest {
    pub code: String,
    /// Entries after this one (the county's head after its restore, if it said so); none: all.
    #[ts(optional = nullable)]
    pub after: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// City

/// The recovery file for `county`: its entries held here after `after`, signed by this office,
/// encrypted to the county. Writes nothing (the entries are the county's own).
pub fn recovery_file(
    c: &Connection,
    keys: &OfficeKeys,
    county: &str,
    after: i64,
) -> Result<ExchangeFile> {
    let me = require_level(c, OfficeLevel::City, "生成恢复数据包")?;
    let p = peer(c, county)?.ok_or_else(|| ApiError::field("code", "没有登记该县级单位"))?;
    let recipient: Option<String> = c.query_row(
        "SELECT recipient FROM exchange_peer WHERE code = ?1",
        [county],
        |r| r.get(0),
    )?;
    let Some(recipient) = recipient.filter(|r| !r.is_empty()) else {
        return Err(ApiError::illegal(format!(
            "尚未收到{}的数据包，没有可取回的记录",
            p.name
        )));
    };
    let after = after.clamp(0, p.head_seq);
    let entries = super::replica_entries(c, county, after)?;
    if entries.is_empty() {
        return Err(ApiError::conflict(format!(
            "本单位保存的{}记录到第{}条为止，没有第{}条以后的记录可取回",
            p.name, p.head_seq, after
        )));
    }
    let head_hash = entries.last().map(|e| e.hash.clone()).unwrap_or_default();
    let manifest = Manifest {
        format: FORMAT,
        from_office: me.code.clone(),
        from_name: me.name.clone(),
        to_office: p.code.clone(),
        signer_key: String::new(),
        first_seq: after + 1,
        last_seq: p.head_seq,
        prev_hash: entries[0].prev_hash.clone(),
        head_hash,
        entries: entries.len() as i64,
        payload_sha256: String::new(),
        schema_version: super::schema_version(),
        masked_entries: entries.iter().filter(|e| e.masked).count() as i64,
        created_at: now_text(),
        recipient: keys.recipient(),
        origin: p.code.clone(),
    };
    let bytes = bundle::seal(keys, &recipient, manifest, &entries)?;
    Ok(file(
        ExchangeFileKind::Recovery,
        format!(
            "{}-recover-{}-{}.recoup",
            p.code,
            seq6(after + 1),
            seq6(p.head_seq)
        ),
        &bytes,
        format!(
            "{}第{}至{}条记录（本单位保存的），供其从旧备份恢复后取回",
            p.name,
            after + 1,
            p.head_seq
        ),
    ))
}

/// `exchange.recovery` at the city.
pub fn recovery(c: &Connection, keys: &OfficeKeys, r: &RecoveryRequest) -> Result<ExchangeFile> {
    if r.after.is_some_and(|a| a < 0) {
        return Err(ApiError::field("after", "起始记录号不能为负数"));
    }
    recovery_file(c, keys, r.code.trim(), r.after.unwrap_or(0))
}

/// The hub's `POST /exchange/recover`: the county's poll (signed by it, encrypted to this office,
/// continuing the chain held here) asks for its entries after the poll's head; answered with the
/// recovery file. The same checks as a bundle's import; nothing written.
pub fn answer(c: &Connection, keys: &OfficeKeys, poll: &[u8]) -> Result<Vec<u8>> {
    let p = super::plan(c, keys, poll)?;
    let m = &p.opened.manifest;
    if !p.entries.is_empty() {
        return Err(ApiError::validation(
            "取回记录的请求不应附带记录；本次未作任何改动",
        ));
    }
    super::file_bytes(&recovery_file(c, keys, &m.from_office, m.first_seq - 1)?)
}

// ---------------------------------------------------------------------------------------------
// County

/// A recovery file checked against this office's log: what applying it does.
pub struct Plan {
    /// The last entry both logs hold with the same hash.
    common: i64,
    /// The city's entries after it, with the county's originals (changes unmasked).
    recovered: Vec<AuditEntry>,
    /// The county's own entries after it (the restore and what followed), to chain again.
    local_only: Vec<AuditEntry>,
    city_name: String,
    masked: usize,
}

fn refused(why: String) -> ApiError {
    ApiError::conflict(format!("{why}；本次未作任何改动"))
}

/// Every check of a recovery file (see the module comment), nothing written.
pub fn plan(c: &Connection, keys: &OfficeKeys, opened: &Opened) -> Result<Plan> {
    let o = require_level(c, OfficeLevel::County, "从市局取回记录")?;
    let city = paired_city(c)?;
    let m = &opened.manifest;
    if m.from_office != city.code || !m.signer_key.eq_ignore_ascii_case(&city.sign_key) {
        return Err(ApiError::validation(
            "恢复数据包不是由本单位配对的市局签发的，不予采用；本次未作任何改动",
        ));
    }
    opened.verify(&city.sign_key)?;
    if m.to_office != o.code || m.origin != o.code {
        return Err(ApiError::validation(format!(
            "此恢复数据包是{}的记录，不是本单位的；本次未作任何改动",
            m.origin
        )));
    }
    if m.format != FORMAT {
        return Err(ApiError::validation(format!(
            "恢复数据包的格式版本（{}）与本软件（{FORMAT}）不同，请双方使用相同版本的软件",
            m.format
        )));
    }
    let wire = opened.entries()?;
    let bad = |why: String| {
        ApiError::validation(format!(
            "恢复数据包的记录不完整或被改动（{why}），不予采用；请市局重新生成；本次未作任何改动"
        ))
    };
    if wire.len() as i64 != m.entries
        || wire.is_empty()
        || m.first_seq < 1
        || m.last_seq - m.first_seq + 1 != m.entries
        || (m.first_seq == 1 && m.prev_hash != GENESIS)
    {
        return Err(bad("记录条数与清单不符".into()));
    }
    // The chain as the county wrote it: originals opened, every hash recomputed.
    let mut prev = m.prev_hash.clone();
    let mut entries = Vec::with_capacity(wire.len());
    let mut masked = 0;
    for (i, e) in wire.into_iter().enumerate() {
        let seq = m.first_seq + i as i64;
        if e.seq != seq || e.prev_hash != prev {
            return Err(bad(format!("第{seq}条与前一条的链接断开")));
        }
        let changes = if e.masked {
            masked += 1;
            original(keys, &e).ok_or_else(|| {
                refused(format!(
                    "第{seq}条记录在市局只保存了遮盖个人号码后的内容，无法完整取回（该记录由较早版本的软件发送）；请联系市局"
                ))
            })?
        } else {
            e.changes
        };
        let hash = audit::entry_hash(&prev, seq, &o.code, &e.at, &e.actor, &e.command, &changes);
        if hash != e.hash {
            return Err(bad(format!("第{seq}条的校验值不符")));
        }
        prev = e.hash.clone();
        entries.push(AuditEntry {
            seq,
            office_code: o.code.clone(),
            at: e.at,
            actor: e.actor,
            command: e.command,
            changes,
            prev_hash: e.prev_hash,
            hash: e.hash,
        });
    }
    if prev != m.head_hash {
        return Err(bad("最后一条与清单的校验值不符".into()));
    }
    // Where the two logs part: the file's first link must be held here.
    let (local_head, _) = audit::head(c)?;
    let start = m.first_seq - 1;
    if start > local_head {
        return Err(refused(format!(
            "恢复数据包从第{}条起，本单位只有{local_head}条记录：请市局从第{}条起重新生成",
            m.first_seq,
            local_head + 1
        )));
    }
    let link_held = start == 0 || audit::hash_at(c, start)?.as_deref() == Some(&m.prev_hash);
    if !link_held {
        return Err(refused(format!(
            "本单位第{start}条记录与市局保存的不同，无法从市局取回记录：请进行全面校验并联系市局"
        )));
    }
    let mut common = start;
    for e in &entries {
        if e.seq > local_head || audit::hash_at(c, e.seq)?.as_deref() != Some(&e.hash) {
            break;
        }
        common = e.seq;
    }
    let recovered: Vec<AuditEntry> = entries.into_iter().filter(|e| e.seq > common).collect();
    let mut local_only = Vec::new();
    audit::for_each_entry(c, common, local_head, |e| {
        local_only.push(e);
        Ok(())
    })?;
    if !recovered.is_empty() {
        if let Some(first) = local_only.first() {
            if first.command != "backup.restore" {
                return Err(refused(format!(
                    "本单位第{}条起的记录与市局保存的不同，且不是从备份恢复造成的（记录可能被改动）：请进行全面校验并联系市局",
                    first.seq
                )));
            }
        }
        let theirs = rows_of(&recovered)?;
        let clash = rows_of(&local_only)?
            .into_iter()
            .filter(|r| theirs.contains(r))
            .count();
        if clash > 0 {
            return Err(refused(format!(
                "恢复备份后本单位新登记的第{}至{}条记录与要取回的记录涉及同样的{clash}项数据，不能自动合并：请联系市局，核对后再办理",
                local_only[0].seq,
                local_head
            )));
        }
    }
    Ok(Plan {
        common,
        recovered,
        local_only,
        city_name: city.name,
        masked,
    })
}

/// A masked entry's original: its masked values opened with this office's key and put back.
fn original(keys: &OfficeKeys, e: &WireEntry) -> Option<String> {
    let sealed = b64().decode(e.own.as_deref()?).ok()?;
    let originals: Vec<super::Masked> =
        serde_json::from_str(&keys.open_own(&e.hash, &sealed)?).ok()?;
    super::unmask_changes(&e.changes, &originals)
}

/// The rows (table, id) the entries write.
fn rows_of(entries: &[AuditEntry]) -> Result<HashSet<(String, i64)>> {
    #[derive(Deserialize)]
    struct Change {
        table: String,
        id: i64,
    }
    let mut out = HashSet::new();
    for e in entries {
        let changes: Vec<Change> = serde_json::from_str(&e.changes)
            .map_err(|err| ApiError::internal(format!("第{}条记录无法读取：{err}", e.seq)))?;
        out.extend(changes.into_iter().map(|c| (c.table, c.id)));
    }
    Ok(out)
}

impl Plan {
    /// What applying it does, in a sentence.
    pub fn summary(&self) -> String {
        match (self.recovered.first(), self.recovered.last()) {
            (Some(first), Some(last)) => format!(
                "从{}取回本单位第{}至{}条记录（共{}条{}）{}",
                self.city_name,
                first.seq,
                last.seq,
                self.recovered.len(),
                if self.masked > 0 {
                    "，含个人号码的记录按本单位原样还原"
                } else {
                    ""
                },
                if self.local_only.is_empty() {
                    String::new()
                } else {
                    format!(
                        "；恢复备份后本单位的{}条记录接续其后，改为第{}至{}条",
                        self.local_only.len(),
                        last.seq + 1,
                        last.seq + self.local_only.len() as i64
                    )
                }
            ),
            _ => format!(
                "本单位的记录已包含{}保存的全部记录，无需取回",
                self.city_name
            ),
        }
    }

    pub fn entries(&self) -> i64 {
        self.recovered.len() as i64
    }

    pub fn first_seq(&self) -> i64 {
        self.recovered.first().map(|e| e.seq).unwrap_or(0)
    }

    pub fn last_seq(&self) -> i64 {
        self.recovered.last().map(|e| e.seq).unwrap_or(0)
    }
}

/// Apply a recovery file in the caller's write transaction (see the module comment). Writes no
/// audit entry of its own: the entries put back and chained again are the log.
pub fn apply(tx: &mut Tx<'_>, keys: &OfficeKeys, opened: &Opened) -> Result<ImportOutcome> {
    let plan = plan(tx, keys, opened)?;
    let summary = plan.summary();
    if plan.recovered.is_empty() {
        return Ok(ImportOutcome {
            kind: ExchangeFileKind::Recovery,
            summary,
            applied: 0,
            ack: None,
        });
    }
    // The rows are written in the order the entries wrote them, each entry whole; references are
    // checked at the end of the transaction (an entry may write a row before the one it names).
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    tx.restart_chain();
    tx.execute("DELETE FROM audit_log WHERE seq > ?1", [plan.common])?;
    tx.execute("DELETE FROM audit_checkpoint WHERE seq > ?1", [plan.common])?;
    let mut tables = super::replica::Tables::default();
    let mut touched = Vec::new();
    for e in &plan.recovered {
        audit::put_back(tx, e)?;
        super::replica::apply(tx, &mut tables, &e.changes, &mut touched)?;
    }
    touched.sort_unstable();
    touched.dedup();
    audit::remember_rows(tx, &touched)?;
    crate::store::search::refresh(tx, &touched)?;
    // The local-only entries' rows are untouched (no row in common): only their entries move.
    audit::rechain(tx, &plan.local_only)?;
    // Every stored clock is built again on the next read.
    tx.execute("DELETE FROM clock_due_state", [])?;
    Ok(ImportOutcome {
        kind: ExchangeFileKind::Recovery,
        summary: summary + "；请再同步（或导入市局的确认回执）",
        applied: plan.entries(),
        ack: None,
    })
}
