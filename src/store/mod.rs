//! The store: one SQLite file per office (bundled SQLite), WAL, `synchronous=FULL`, foreign keys on.
//!
//! Invariants:
//! - migrations are embedded, append-only, and all pending ones run in one transaction; the schema
//!   version is `PRAGMA user_version`, and a binary refuses a database newer than it knows;
//! - the only way to change data is [`Store::write`], which runs the change in a transaction and
//!   appends, in the same transaction, one hash-chained audit entry (see [`audit`]).

pub mod audit;
pub mod backup;
pub mod query;
pub mod requests;
pub mod search;
pub mod secrets;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension};

use crate::error::{ApiError, ErrorCode, Result};

/// Embedded migrations, in order. Append only: never edit or reorder a shipped entry.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("migrations/0001_foundation.sql"),
    ),
    ("0002_cases", include_str!("migrations/0002_cases.sql")),
    ("0003_ledger", include_str!("migrations/0003_ledger.sql")),
    (
        "0004_documents",
        include_str!("migrations/0004_documents.sql"),
    ),
    (
        "0005_document_settings",
        include_str!("migrations/0005_document_settings.sql"),
    ),
    (
        "0006_document_self_correction",
        include_str!("migrations/0006_document_self_correction.sql"),
    ),
    (
        "0007_list_order_indexes",
        include_str!("migrations/0007_list_order_indexes.sql"),
    ),
    (
        "0008_scale_indexes",
        include_str!("migrations/0008_scale_indexes.sql"),
    ),
    (
        "0009_audit_compact",
        include_str!("migrations/0009_audit_compact.sql"),
    ),
    ("0010_auth", include_str!("migrations/0010_auth.sql")),
    (
        "0011_year_indexes",
        include_str!("migrations/0011_year_indexes.sql"),
    ),
    (
        "0012_payment_voucher",
        include_str!("migrations/0012_payment_voucher.sql"),
    ),
    (
        "0013_rule_sets",
        include_str!("migrations/0013_rule_sets.sql"),
    ),
    ("0014_reports", include_str!("migrations/0014_reports.sql")),
    (
        "0015_case_list_source",
        include_str!("migrations/0015_case_list_source.sql"),
    ),
    (
        "0016_case_search_documents",
        include_str!("migrations/0016_case_search_documents.sql"),
    ),
    (
        "0017_client_request",
        include_str!("migrations/0017_client_request.sql"),
    ),
    (
        "0018_exchange",
        include_str!("migrations/0018_exchange.sql"),
    ),
    (
        "0019_report_submission_draws",
        include_str!("migrations/0019_report_submission_draws.sql"),
    ),
    (
        "0020_scale_derived",
        include_str!("migrations/0020_scale_derived.sql"),
    ),
    (
        "0021_legal_fidelity",
        include_str!("migrations/0021_legal_fidelity.sql"),
    ),
    (
        "0022_city_exchange",
        include_str!("migrations/0022_city_exchange.sql"),
    ),
    ("0023_perf", include_str!("migrations/0023_perf.sql")),
    (
        "0024_restore_sync",
        include_str!("migrations/0024_restore_sync.sql"),
    ),
    (
        "0025_termination_ground",
        include_str!("migrations/0025_termination_ground.sql"),
    ),
    (
        "0026_matter_balance",
        include_str!("migrations/0026_matter_balance.sql"),
    ),
    (
        "0027_scale_bytes",
        include_str!("migrations/0027_scale_bytes.sql"),
    ),
    (
        "0028_institution_persons",
        include_str!("migrations/0028_institution_persons.sql"),
    ),
    (
        "0029_sealing_extension_instalments",
        include_str!("migrations/0029_sealing_extension_instalments.sql"),
    ),
    (
        "0030_audit_prev_implied",
        include_str!("migrations/0030_audit_prev_implied.sql"),
    ),
    (
        "0031_replica_own",
        include_str!("migrations/0031_replica_own.sql"),
    ),
    (
        "0032_hub_certificate",
        include_str!("migrations/0032_hub_certificate.sql"),
    ),
    ("0033_down", include_str!("migrations/0033_down.sql")),
    (
        "0034_reconcile_cover",
        include_str!("migrations/0034_reconcile_cover.sql"),
    ),
];

/// Tables whose every row is covered by the audit log (rows are verified by `audit.verify`).
/// A migration that adds a table users change must add it here.
pub const AUDITED_TABLES: &[&str] = &[
    "office",
    "institution",
    "insured",
    "calendar_override",
    "calendar_year",
    // 0002_cases
    "app_user",
    "rule_profile",
    "lead",
    "case_file",
    "finding",
    "evidence",
    "evidence_hold",
    "recovery_line",
    "procedure_step",
    "document_service",
    "decision",
    "agreement_measure",
    // 0003_ledger
    "collection",
    "self_correction",
    "self_correction_line",
    "payment",
    "payment_allocation",
    "offset_plan",
    "offset_plan_fund",
    "offset_deduction",
    "offset_allocation",
    "fiscal_receipt",
    "refund",
    "refund_allocation",
    "fine",
    "fine_payment",
    "referral",
    // 0004_documents
    "issued_document",
    "document_print",
    // 0005_document_settings
    "document_setting",
    "document_sequence",
    // 0013_rule_sets
    "rule_set",
    // 0014_reports
    "campaign",
    "campaign_area",
    "inspection",
    "inspection_link",
    "accountability",
    "report_settings",
    // 0018_exchange
    "exchange_peer",
    // 0019_report_submission_draws
    "report_submission",
    "random_draw",
    "random_draw_institution",
    // 0022_city_exchange
    "city_request",
    "city_answer",
    "escalation_answer",
    "lead_assignment",
    // 0024_restore_sync
    "backup_restore",
    // 0028_institution_persons
    "fine_relief",
    // 0029_sealing_extension_instalments
    "fine_instalment",
    // 0033_down
    "down_publication",
    "down_received",
];

/// What runs after each committed write that appended an audit entry, with that entry's number and
/// hash: the core plugs in the signing of the head (`exchange::heads`), which needs the office key.
/// Called after a write committed with the log's new head `(seq, hash, restarted)`; `restarted`:
/// entries already written were replaced (a county's recovery, [`Tx::restart_chain`]).
pub type CommitHook = Box<dyn Fn(i64, &str, bool) + Send + Sync>;

pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    on_commit: std::sync::OnceLock<CommitHook>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let conn = Connection::open(path).map_err(|e| {
            ApiError::new(
                ErrorCode::Storage,
                format!("无法打开数据库 {}：{e}", path.display()),
            )
        })?;
        Store::init(conn, Some(path.to_path_buf()))
    }

    pub fn open_in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Reads prepare their statements through the cache (`prepare_cached`): planning a statement
        // costs more than running it on one case, and a list or the reconciliation runs the same
        // few dozen statements once per matter.
        conn.set_prepared_statement_cache_capacity(256);
        migrate(&mut conn)?;
        search::ensure(&conn)?;
        let store = Store {
            conn: Mutex::new(conn),
            path,
            on_commit: std::sync::OnceLock::new(),
        };
        secrets::seal_upgraded_users(&store)?;
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Install the hook run after every committed write (once; a second call is ignored).
    pub fn set_commit_hook(&self, hook: CommitHook) {
        let _ = self.on_commit.set(hook);
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back on
        // drop), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run a read-only query.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` in a transaction that appends no audit entry, with foreign keys off: only for a
    /// county's replica at the city's hub (`exchange::replica`), whose rows are derived from the
    /// county's entries the hub holds and rebuilt in the county's order.
    pub fn replay<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let out = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        conn.pragma_update(None, "foreign_keys", "ON")?;
        out
    }

    /// The one write path: runs `f` in a transaction, then appends one audit entry naming `actor`,
    /// `command` and the after-image of every row `f` touched. Any error rolls everything back.
    pub fn write<T>(
        &self,
        actor: &str,
        command: &str,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let (out, head) = {
            let mut conn = self.lock();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut w = Tx {
                tx,
                touched: Vec::new(),
                restarted: false,
            };
            let out = f(&mut w)?;
            let Tx {
                tx,
                touched,
                restarted,
            } = w;
            search::refresh(&tx, &touched)?;
            let mut head = if touched.is_empty() {
                None
            } else {
                audit::append(&tx, actor, command, &touched)?
            };
            if restarted && head.is_none() {
                head = Some(audit::head(&tx)?);
            }
            tx.commit()?;
            (out, head.map(|(seq, hash)| (seq, hash, restarted)))
        };
        if let (Some((seq, hash, restarted)), Some(hook)) = (head, self.on_commit.get()) {
            hook(seq, &hash, restarted);
        }
        Ok(out)
    }
}

/// A write transaction. Every row inserted, updated or deleted must be reported with [`Tx::touch`]
/// so that the audit entry carries its after-image.
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
    touched: Vec<(&'static str, i64)>,
    restarted: bool,
}

impl Tx<'_> {
    /// Entries of the log were replaced in this transaction (a county's recovery from the hub):
    /// whatever vouched for the old head (the signed head) starts again from the new one.
    pub(crate) fn restart_chain(&mut self) {
        self.restarted = true;
    }

    /// The rows touched so far, in order.
    pub fn touched(&self) -> &[(&'static str, i64)] {
        &self.touched
    }

    pub fn touch(&mut self, table: &'static str, id: i64) {
        debug_assert!(
            AUDITED_TABLES.contains(&table),
            "{table} is not an audited table"
        );
        if !self.touched.contains(&(table, id)) {
            self.touched.push((table, id));
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(ApiError::new(
            ErrorCode::SchemaTooNew,
            format!("数据库版本（{version}）高于本程序支持的版本（{known}），请升级医保基金追回软件后再打开，数据未作任何改动"),
        ));
    }
    if version == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    for (name, sql) in &MIGRATIONS[version as usize..] {
        tx.execute_batch(sql).map_err(|e| {
            ApiError::new(ErrorCode::Storage, format!("数据库升级失败（{name}）：{e}"))
        })?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

/// The office code, or `NotInitialized`.
pub fn office_code(conn: &Connection) -> Result<String> {
    conn.query_row("SELECT code FROM office WHERE id = 1", [], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotInitialized,
                "尚未设置本单位，请先完成首次设置",
            )
        })
}

/// Current local time as stored (RFC 3339, seconds).
pub fn now_text() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_set_the_version_and_rerun_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        Store::open(&path).unwrap();
        let s = Store::open(&path).unwrap();
        let v: i64 = s
            .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let mode: String = s
            .read(|c| Ok(c.pragma_query_value(None, "journal_mode", |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let e = Store::open(&path).err().unwrap();
        assert_eq!(e.code, ErrorCode::SchemaTooNew);
        assert!(e.message.contains("请升级"));
        let c = Connection::open(&path).unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let s = Store::open_in_memory().unwrap();
        let r: Result<()> = s.write("t", "x", |tx| {
            tx.execute("INSERT INTO office (id, code, name, level, created_at) VALUES (1,'220102','x','county','t')", [])?;
            tx.touch("office", 1);
            Err(ApiError::validation("boom"))
        });
        assert!(r.is_err());
        let n: i64 = s
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM office", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
        let n: i64 = s
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
    }
}
