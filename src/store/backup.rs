//! Backups (issue 12): copies of the office database made with SQLite's online backup API while
//! the app runs — automatic once a day into `backups/` next to the database (the newest
//! `backups_kept` of the profile kept), or on demand into a folder the user picks (a USB stick) — and the restore of
//! one, which first verifies the copy's whole audit chain and keeps a copy of the database it
//! replaces.
//!
//! A restore writes the backup's pages into the open connection (the backup API in reverse), so
//! the process keeps its one connection and every other process sees the restored file at its
//! next transaction; nothing is reopened. The caller ([`crate::api::Core`]) then reloads what it
//! keeps in memory and ends every login session (user ids may differ in the restored data).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Local;
use rusqlite::backup::Backup;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{audit, Store, MIGRATIONS};
use crate::error::{ApiError, ErrorCode, Result};

/// Automatic backups kept unless the office's profile says otherwise (`backups_kept`).
pub const KEEP: usize = 14;
/// File names of the automatic backups: `recoup-auto-20261202.db`.
pub const AUTO_PREFIX: &str = "recoup-auto-";
/// File names of the copies kept before a restore: `recoup-before-restore-20261202-153000.db`.
pub const BEFORE_RESTORE_PREFIX: &str = "recoup-before-restore-";

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupInfo {
    pub path: String,
    pub file_name: String,
    pub bytes: u64,
    /// When the file was written (local time, RFC 3339).
    pub modified: String,
    /// Made automatically (the daily backup), not by a person.
    pub automatic: bool,
    /// The copy kept before a restore.
    pub before_restore: bool,
    /// The office key was saved with it, encrypted with a passphrase (`<backup>.key.age`).
    pub with_key: bool,
}

/// The office key saved with a backup: `recoup-….db` → `recoup-….key.age` (see
/// `exchange::keys::KeyStore::export_encrypted`).
pub fn key_path(backup: &Path) -> std::path::PathBuf {
    backup.with_extension("key.age")
}

/// The result of a restore.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    /// The backup restored.
    pub restored: BackupInfo,
    /// The copy of the database it replaced.
    pub kept: BackupInfo,
    /// Audit entries in the restored database (all verified), before the entry recording the restore.
    pub entries: i64,
    /// The office key saved with the backup was restored with it (a passphrase was given).
    pub key_restored: bool,
}

fn io_error(what: &str, path: &Path, e: impl std::fmt::Display) -> ApiError {
    ApiError::field("path", format!("{what}（{}）：{e}", path.display()))
}

pub fn info(path: &Path) -> Result<BackupInfo> {
    let meta = std::fs::metadata(path).map_err(|e| io_error("无法读取备份文件", path, e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let modified = meta
        .modified()
        .map(|t| {
            chrono::DateTime::<Local>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        })
        .unwrap_or_default();
    Ok(BackupInfo {
        path: path.display().to_string(),
        automatic: file_name.starts_with(AUTO_PREFIX),
        before_restore: file_name.starts_with(BEFORE_RESTORE_PREFIX),
        with_key: key_path(path).is_file(),
        file_name,
        bytes: meta.len(),
        modified,
    })
}

/// The backup files of a folder, newest first.
pub fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "db") && p.is_file() {
            out.push(info(&p)?);
        }
    }
    out.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then(b.file_name.cmp(&a.file_name))
    });
    Ok(out)
}

/// Copy the open database `src` into a new file `dest` (a whole, consistent snapshot; the file is
/// written under a temporary name and renamed, so a half-written backup never carries the name).
fn copy_into_file(src: &Connection, dest: &Path) -> Result<()> {
    let tmp = dest.with_extension("db-partial");
    let _ = std::fs::remove_file(&tmp);
    {
        let mut out = Connection::open(&tmp).map_err(|e| io_error("无法写入备份", dest, e))?;
        {
            let b = Backup::new(src, &mut out)?;
            b.run_to_completion(256, Duration::from_millis(5), None)?;
        }
        // One self-contained file (no -wal beside it), as a USB stick should carry.
        out.pragma_update(None, "journal_mode", "DELETE")?;
    }
    // On the disk before it takes the name (a power cut must not leave an empty file named as a backup).
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("无法写入备份", dest, e))?;
    std::fs::rename(&tmp, dest).map_err(|e| io_error("无法写入备份", dest, e))?;
    Ok(())
}

impl Store {
    /// Where the automatic backups of a file database go: `backups/` beside it.
    pub fn backup_dir(&self) -> Option<PathBuf> {
        self.path()
            .map(|p| p.parent().unwrap_or(Path::new(".")).join("backups"))
    }

    /// Back the database up into `dest`: a folder (the file is named by office and time) or a
    /// file name ending in `.db` (never an existing file).
    pub fn backup_to(&self, dest: &Path) -> Result<BackupInfo> {
        let file = if dest.extension().is_some_and(|x| x == "db") {
            if dest.exists() {
                return Err(ApiError::field(
                    "path",
                    format!("{} 已存在，请另选文件名，原文件未改动", dest.display()),
                ));
            }
            dest.to_path_buf()
        } else {
            if !dest.is_dir() {
                return Err(ApiError::field(
                    "path",
                    format!(
                        "找不到文件夹 {}，请确认U盘已插好并选择其中的文件夹",
                        dest.display()
                    ),
                ));
            }
            let code = self.read(|c| super::office_code(c)).unwrap_or_default();
            dest.join(format!(
                "recoup-{code}-{}.db",
                Local::now().format("%Y%m%d-%H%M%S")
            ))
        };
        self.read(|c| copy_into_file(c, &file))?;
        info(&file)
    }

    /// Today's automatic backup, unless it exists; then only the newest `keep` are kept.
    /// None for a database in memory.
    pub fn daily_backup(&self, keep: usize) -> Result<Option<BackupInfo>> {
        let Some(dir) = self.backup_dir() else {
            return Ok(None);
        };
        std::fs::create_dir_all(&dir).map_err(|e| io_error("无法创建备份文件夹", &dir, e))?;
        let today = dir.join(format!("{AUTO_PREFIX}{}.db", Local::now().format("%Y%m%d")));
        let made = if today.exists() {
            None
        } else {
            self.read(|c| copy_into_file(c, &today))?;
            Some(info(&today)?)
        };
        let mut autos: Vec<BackupInfo> = list(&dir)?.into_iter().filter(|b| b.automatic).collect();
        // File names carry the date: newest first by name.
        autos.sort_by(|a, b| b.file_name.cmp(&a.file_name));
        for old in autos.iter().skip(keep.max(1)) {
            let _ = std::fs::remove_file(&old.path);
        }
        Ok(made)
    }

    /// Replace the database with the backup `src` after verifying the backup's whole audit chain;
    /// a copy of the database replaced is kept first in `keep_dir`.
    pub fn restore_from(&self, src: &Path, keep_dir: &Path) -> Result<RestoreReport> {
        if !src.is_file() {
            return Err(ApiError::field(
                "path",
                format!("找不到备份文件 {}", src.display()),
            ));
        }
        let restored = info(src)?;
        // Verify a scratch copy: verify records its checkpoint, and the user's backup stays as
        // it was.
        std::fs::create_dir_all(keep_dir)
            .map_err(|e| io_error("无法创建备份文件夹", keep_dir, e))?;
        let scratch = keep_dir.join(format!("recoup-restore-check-{}.check", std::process::id()));
        let _ = std::fs::remove_file(&scratch);
        let result = (|| {
            {
                let from =
                    Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                        .map_err(|e| io_error("无法打开备份文件", src, e))?;
                copy_into_file(&from, &scratch).map_err(|_| not_a_backup(src))?;
            }
            let check = Connection::open(&scratch).map_err(|_| not_a_backup(src))?;
            let version: i64 = check
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|_| not_a_backup(src))?;
            if version == 0 {
                return Err(not_a_backup(src));
            }
            if version > MIGRATIONS.len() as i64 {
                return Err(ApiError::new(
                    ErrorCode::SchemaTooNew,
                    "该备份由更新版本的软件生成，请先升级软件再恢复，当前数据未作任何改动",
                ));
            }
            super::office_code(&check).map_err(|_| not_a_backup(src))?;
            // An older backup is checked as it will be after the restore: migrated (the schema
            // check of verify compares with what the migrations create).
            let mut check = check;
            super::migrate(&mut check)?;
            let report = audit::verify(&check, true).map_err(|e| {
                ApiError::field(
                    "path",
                    format!(
                        "备份文件的操作记录无法校验（{}），未恢复，当前数据未作任何改动",
                        e.message
                    ),
                )
            })?;
            if !report.ok {
                let why = report.first_broken.map(|p| p.reason).unwrap_or_default();
                return Err(ApiError::field(
                    "path",
                    format!("备份文件的操作记录校验未通过：{why}。未恢复，当前数据未作任何改动"),
                ));
            }
            // Keep what is replaced, before anything is replaced.
            let kept_path = keep_dir.join(format!(
                "{BEFORE_RESTORE_PREFIX}{}.db",
                Local::now().format("%Y%m%d-%H%M%S")
            ));
            self.read(|c| copy_into_file(c, &kept_path))?;
            let kept = info(&kept_path)?;
            {
                let mut conn = self.lock();
                {
                    let b = Backup::new(&check, &mut *conn)?;
                    b.run_to_completion(256, Duration::from_millis(5), None)?;
                }
                super::migrate(&mut conn)?;
                super::search::ensure(&conn)?;
            }
            Ok(RestoreReport {
                restored: restored.clone(),
                kept,
                entries: report.entries,
                key_restored: false,
            })
        })();
        let _ = std::fs::remove_file(&scratch);
        result
    }
}

fn not_a_backup(src: &Path) -> ApiError {
    ApiError::field(
        "path",
        format!(
            "{} 不是本软件的备份文件（或已损坏），未恢复，当前数据未作任何改动",
            src.display()
        ),
    )
}
