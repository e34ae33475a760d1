//! The one declared API surface. Every command has a serde request and response type; the three
//! hosts (Tauri shell, `recoup call`, `recoup serve`) go through [`Core::call`] and nothing else,
//! and the TypeScript types of the UI are generated from the same table ([`typescript`]).
//!
//! The command table ([`commands!`]) says of each command whether it reads or writes and which
//! module function runs it; the table passes the command's name to the write path, so a name is
//! written once. The extension lists of the case procedure are assembled here too ([`HOOKS`]).

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use ts_rs::{TypeVisitor, TS};

use crate::calendar::{DayOverride, Deadline, WorkCalendar};
use crate::cases::{
    self, cases::*, clocks::ClockBoard, clocks::ClockBoardQuery, clocks::ClockList,
    clocks::ClockQuery, leads::*, procedure::*, users::*, CaseGet, Ctx, Hooks, RuleProfile,
};
use crate::docs::issue::{
    self as doc_issue, BatchPdf, BatchRequest, DocumentListQuery, DocumentOption, DocumentPreview,
    DocumentRequest, IssuedDocument, IssuedPdf,
};
use crate::docs::settings::{self as doc_settings, DocumentSettings};
use crate::error::{ApiError, ErrorCode, Result};
use crate::exchange::{
    self, keys::KeyStore, keys::OfficeKeys, CodeRequest, ExchangeFile, ExchangeStatus, FilePreview,
    FileRequest, HubRequest, ImportOutcome, Peer, RegisterCounty, SyncOutcome,
};
use crate::jobs::{JobProgress, JobRequest, Jobs};
use crate::ledger::{self, types as lt};
use crate::money::{self, MoneyRequest, MoneyWords};
use crate::office::{
    self, CalendarYearInfo, CalendarYearInput, CountRequest, DateRequest, Office, OfficeInit,
    WorkingDayAnswer,
};
use crate::registry::{
    self, ImportReport, ImportRequest, Institution, InstitutionInput, Institutions, Insured,
    InsuredInput, InsuredPersons, ListQuery, Page,
};
use crate::reports::{
    self, export::MonthlyExport, export::ReportFile, monthly, records as rec,
    settings::ReportSettings,
};
use crate::store::audit::{self, AuditEntry, AuditReport, AuditVerifyRequest, VerifyProgress};
use crate::store::backup::{BackupInfo, RestoreReport};
use crate::store::{Store, Tx};
use crate::vocab::dates::today_local;

pub use crate::office::OfficeLevel;

// ---------------------------------------------------------------------------------------------
// Request types that belong to no module

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Empty {}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdRequest {
    pub id: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PageRequest {
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// What a money command (`money` in the command table) takes beside its own fields: the client's
/// request id, generated once per form opening, so that a double click or a retry records once
/// (`store::requests`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ClientRequest {
    #[ts(optional = nullable)]
    pub request_id: Option<String>,
}

/// `backup.create` (a folder, e.g. on a USB stick, or a `.db` file name; none: the automatic
/// backup folder) and `backup.restore` (the backup file).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct BackupRequest {
    #[ts(optional = nullable)]
    pub path: Option<String>,
    /// `backup.create`: save the office key with the backup, encrypted with this passphrase;
    /// `backup.restore`: restore the key saved with the backup (the same passphrase).
    #[ts(optional = nullable)]
    pub passphrase: Option<String>,
}

/// `backup.list`: the automatic backups and the copies kept before restores, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BackupList {
    /// The folder they are in (none: a database in memory).
    #[ts(optional = nullable)]
    pub folder: Option<String>,
    /// How many automatic backups are kept (设置 · 规则配置 `backups_kept`).
    pub keep: u32,
    pub items: Vec<BackupInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InstitutionUpdate {
    pub id: i64,
    #[serde(flatten)]
    pub input: InstitutionInput,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InsuredUpdate {
    pub id: i64,
    #[serde(flatten)]
    pub input: InsuredInput,
}

// ---------------------------------------------------------------------------------------------
// Extensions of the case procedure, assembled at the top

/// The clock sources of `clock.list`, the checks before closing a case and the document numbers:
/// each module above `cases` plugs in here (ARCHITECTURE.md: "A new clock").
pub static HOOKS: Hooks = Hooks {
    clock_sources: &[
        cases::clocks::SOURCES,
        ledger::CLOCK_SOURCES,
        reports::submission::CLOCK_SOURCES,
    ],
    closure_checks: &[ledger::closure_blockers],
    numbers: doc_settings::NUMBERS,
};

// ---------------------------------------------------------------------------------------------
// The core

/// The application core: one office database and the rules around it. `Send + Sync`.
pub struct Core {
    store: Store,
    calendar: RwLock<WorkCalendar>,
    /// `PRAGMA data_version` when the calendar was last loaded: another process (a second window,
    /// the CLI, `recoup serve`) that commits changes it, and the calendar is then read again.
    data_version: AtomicI64,
    /// Login sessions of this process, by the SHA-256 of their token (the token itself is never
    /// kept): a session lives as long as the process, and locks after the office's idle time.
    sessions: Mutex<HashMap<String, SessionState>>,
    /// The session of a single-user host (the CLI, a test): used by [`Core::call`].
    local: Mutex<Option<String>>,
    /// Long work that reports progress and can be cancelled (imports).
    jobs: Jobs,
    /// The office key (exchange with the city), next to the database file.
    keys: std::sync::Arc<KeyStore>,
    /// Signs the audit chain's head after every write (`exchange::heads`; None in memory).
    heads: Option<std::sync::Arc<exchange::heads::HeadSigner>>,
    /// The background exchange with the city's hub ([`Core::sync_tick`]).
    auto_sync: Mutex<AutoSyncState>,
    /// At the city's hub: each county's replica, opened on first read (`exchange::replica`).
    replicas: Mutex<HashMap<String, std::sync::Arc<Core>>>,
}

/// When the next background attempt is due and what the last one did.
#[derive(Default)]
struct AutoSyncState {
    /// The hub address (and certificate) of the last attempt.
    setting: Option<String>,
    next: Option<Instant>,
    failures: u32,
    last: Option<exchange::AutoSyncReport>,
}

struct SessionState {
    user_id: i64,
    last_seen: Instant,
}

/// What a command handler runs with: the case context (calendar + hooks) and who acts.
pub struct Env<'a> {
    pub cx: Ctx<'a>,
    /// The audit actor: the logged-in user's username (a public command: [`UNAUTHENTICATED`]).
    pub actor: &'a str,
    /// The logged-in user (None only for a public command).
    pub user: Option<&'a User>,
    /// Where long work reports its progress (imports).
    pub jobs: &'a Jobs,
    /// The office key (signing and decrypting exchange files).
    pub keys: &'a KeyStore,
}

impl Env<'_> {
    /// The logged-in user's name as printed on papers (开具人).
    pub fn signer(&self) -> &str {
        self.user
            .map(|u| u.display_name.as_str())
            .unwrap_or(self.actor)
    }

    fn office_keys(&self) -> Result<std::sync::Arc<OfficeKeys>> {
        self.keys.get()
    }

    fn user_id(&self) -> Result<i64> {
        self.user.map(|u| u.id).ok_or_else(not_logged_in)
    }
}

/// The audit actor of a write nobody is logged in for (the first-run set-up).
pub const UNAUTHENTICATED: &str = "首次设置";

/// Who may run a command (issue 8), checked in the core for every host: the Tauri shell, the CLI
/// and `recoup serve` all go through [`Core::call_as`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not: the first-run set-up, the login, computations on no office data.
    Public,
    /// Any logged-in user.
    Anyone,
    /// Any live login session, checked in memory only: no database read (a running import holds
    /// the database) and no activity for the idle lock. The job commands.
    Session,
    /// A logged-in user holding one of these roles.
    Roles(&'static [Role]),
}

const PUBLIC: Access = Access::Public;
const ANYONE: Access = Access::Anyone;
const SESSION: Access = Access::Session;
/// 承办人 files and records.
const HANDLER: Access = Access::Roles(&[Role::Handler]);
/// 复核人 reviews (法制审核).
const REVIEWER: Access = Access::Roles(&[Role::Reviewer]);
/// 审批人 signs: the 告知 and the decision, extensions, closure.
const APPROVER: Access = Access::Roles(&[Role::Approver]);
/// 财务 records money and receipts.
const FINANCE: Access = Access::Roles(&[Role::Finance]);
/// 管理员 manages users and settings.
const ADMIN: Access = Access::Roles(&[Role::Admin]);
/// Entries into the 医保信息平台: the 承办人 (通知单, self-correction forms) or 财务 (vouchers,
/// receipts).
const PLATFORM: Access = Access::Roles(&[Role::Handler, Role::Finance]);
/// Exchange files with the city: the administrator or a 承办人 (a county clerk exports the month).
const EXCHANGE: Access = Access::Roles(&[Role::Admin, Role::Handler]);

/// Commands a user whose password must be changed may still run.
const WHILE_PASSWORD_CHANGE_REQUIRED: &[&str] =
    &["user.change_password", "user.logout", "session.get"];

fn not_logged_in() -> ApiError {
    ApiError::new(ErrorCode::NotLoggedIn, "请先登录")
}

fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `user.login`: the session token to carry on every call, the user, and the idle time.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LoginResult {
    pub token: String,
    pub user: User,
    /// Minutes without any action after which the session locks (设置 · 规则配置).
    pub idle_lock_minutes: u32,
}

/// `session.get`: who is logged in.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionInfo {
    pub user: User,
    pub idle_lock_minutes: u32,
}

/// `office.init`: the office (行政区划代码, name, level) and its first administrator (管理员), with
/// the password they chose.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OfficeSetup {
    pub code: String,
    pub name: String,
    #[ts(optional = nullable)]
    pub level: Option<OfficeLevel>,
    /// Checked after the office's own fields (a missing one is refused naming its field).
    #[serde(default)]
    pub admin: UserInput,
    /// The rule set the office starts from (issue 9); none: the national base.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub preset: Option<cases::RulePreset>,
}

fn setup_office(tx: &mut Tx<'_>, r: &OfficeSetup) -> Result<Office> {
    let office = office::init(
        tx,
        &OfficeInit {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level,
        },
    )?;
    let mut admin = r.admin.clone();
    if !admin.roles.contains(&Role::Admin) {
        admin.roles.insert(0, Role::Admin);
    }
    cases::users::create(tx, &admin, true)?;
    cases::profile::use_preset(
        tx,
        &cases::profile::UsePreset {
            preset: r.preset.unwrap_or_default(),
        },
    )?;
    Ok(office)
}

/// Where the default database lives: `$RECOUP_DB`, else `<platform data dir>/recoup.db`.
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("RECOUP_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    directories::ProjectDirs::from("cn", "recoup", "recoup")
        .map(|d| d.data_dir().join("recoup.db"))
        .unwrap_or_else(|| PathBuf::from("recoup.db"))
}

impl Core {
    pub fn open(path: &Path) -> Result<Core> {
        Core::with_store(Store::open(path)?)
    }

    /// The default database (see [`default_db_path`]), created on first use.
    pub fn open_default() -> Result<Core> {
        Core::open(&default_db_path())
    }

    pub fn open_in_memory() -> Result<Core> {
        Core::with_store(Store::open_in_memory()?)
    }

    fn with_store(store: Store) -> Result<Core> {
        let keys = std::sync::Arc::new(KeyStore::new(store.path()));
        let heads = exchange::heads::HeadSigner::new(keys.clone()).map(std::sync::Arc::new);
        if let Some(h) = &heads {
            let h = h.clone();
            store.set_commit_hook(Box::new(move |seq, hash, restarted| {
                if restarted {
                    h.reset();
                }
                h.sign(seq, hash)
            }));
        }
        let core = Core::assemble(store, keys, heads)?;
        core.ensure_derived()?;
        Ok(core)
    }

    /// A county's replica at the hub: its own database, no office key, no signed head, nothing
    /// written through the audited path (`exchange::replica`).
    fn replica(store: Store) -> Result<Core> {
        Core::assemble(store, std::sync::Arc::new(KeyStore::new(None)), None)
    }

    fn assemble(
        store: Store,
        keys: std::sync::Arc<KeyStore>,
        heads: Option<std::sync::Arc<exchange::heads::HeadSigner>>,
    ) -> Result<Core> {
        let core = Core {
            store,
            calendar: RwLock::new(WorkCalendar::default()),
            data_version: AtomicI64::new(0),
            sessions: Mutex::new(HashMap::new()),
            local: Mutex::new(None),
            jobs: Jobs::default(),
            keys,
            heads,
            auto_sync: Mutex::new(AutoSyncState::default()),
            replicas: Mutex::new(HashMap::new()),
        };
        core.reload_calendar()?;
        Ok(core)
    }

    /// `county.read`: one read command run on a county's replica, brought up to the entries this
    /// hub holds first. Only the commands of `exchange::replica::COUNTY_READS`.
    pub fn county_read(&self, r: &exchange::replica::CountyRead) -> Result<Value> {
        exchange::replica::check_command(&r.command)?;
        let code = r.code.trim();
        if !self.store.read(|c| exchange::replica::is_county(c, code))? {
            return Err(ApiError::field("code", "不是本市级单位登记的区县"));
        }
        let replica = {
            let mut map = self.replicas.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(code) {
                Some(r) => r.clone(),
                None => {
                    let store = match self.store.path() {
                        Some(hub) => {
                            let mut dir = hub.as_os_str().to_owned();
                            dir.push(".replicas");
                            Store::open(
                                &std::path::PathBuf::from(dir).join(format!("{code}.sqlite")),
                            )?
                        }
                        None => Store::open_in_memory()?,
                    };
                    store.replay(exchange::replica::relax_masked_unique)?;
                    let core = std::sync::Arc::new(Core::replica(store)?);
                    map.insert(code.to_string(), core.clone());
                    core
                }
            }
        };
        let applied = self.store.read(|hub| {
            replica
                .store
                .replay(|tx| exchange::replica::catch_up(hub, tx, code))
        })?;
        if applied > 0 {
            replica.reload_calendar()?;
        }
        replica.ensure_derived()?;
        replica.read_unchecked(&r.command, r.payload.clone())
    }

    /// `county.monthly`: the 002 table of every county from its replica, and the city total.
    pub fn county_monthly(
        &self,
        q: &reports::monthly::MonthlyQuery,
    ) -> Result<exchange::replica::CityMonthly> {
        q.period()?;
        let counties = self.store.read(exchange::replica::counties)?;
        let decimals = self.store.read(reports::settings::load)?.amount_decimals;
        let mut tables = Vec::new();
        for (code, name, days) in counties {
            let t = self.county_read(&exchange::replica::CountyRead {
                code: code.clone(),
                command: "report.monthly".into(),
                payload: serde_json::json!({"year": q.year, "month": q.month}),
            })?;
            let t: reports::monthly::MonthlyTable =
                serde_json::from_value(t).map_err(|e| ApiError::internal(e.to_string()))?;
            tables.push((code, name, days, t));
        }
        Ok(exchange::replica::city_monthly(
            q.year, q.month, tables, decimals,
        ))
    }

    /// The stored clock due dates (`cases::clock_index`), rebuilt when stale or built by another
    /// calendar than the one in force.
    fn ensure_derived(&self) -> Result<()> {
        let calendar = self.calendar();
        self.store
            .read(|c| cases::clock_index::ensure(c, &calendar, HOOKS.clock_sources()))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The office key, made (and saved next to the database, mode 0600) the first time.
    pub fn office_keys(&self) -> Result<std::sync::Arc<OfficeKeys>> {
        self.keys.get()
    }

    /// The working-day calendar: shipped data plus this office's years and overrides.
    pub fn calendar(&self) -> WorkCalendar {
        self.calendar
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn reload_calendar(&self) -> Result<()> {
        let (cal, version) = self
            .store
            .read(|c| Ok((office::load_calendar(c)?, data_version(c)?)))?;
        *self.calendar.write().unwrap_or_else(|p| p.into_inner()) = cal;
        self.data_version.store(version, Ordering::SeqCst);
        Ok(())
    }

    /// Sign the head of the log if the last writes left it pending (`exchange::heads`).
    pub fn flush_signed_head(&self) {
        if let Some(h) = &self.heads {
            h.flush();
        }
    }

    /// Reload what the core keeps in memory (the calendar) when another connection committed since
    /// it was loaded: `PRAGMA data_version` changes only for other connections' commits, so this
    /// process's own writes cost nothing (a calendar write reloads itself).
    fn refresh_if_changed(&self) -> Result<()> {
        let now = self.store.read(data_version)?;
        if now != self.data_version.load(Ordering::SeqCst) {
            self.reload_calendar()?;
        }
        Ok(())
    }

    /// `document.print_batch` with a progress callback `(done, total)` (the CLI prints it), as the
    /// local session's user.
    pub fn print_batch(
        &self,
        r: &BatchRequest,
        progress: &mut dyn FnMut(usize, usize) -> Result<()>,
    ) -> Result<BatchPdf> {
        let user = self.authorize(self.local_token().as_deref(), HANDLER, PRINT_BATCH)?;
        let user = user.ok_or_else(not_logged_in)?;
        self.store.write(&user.username, PRINT_BATCH, |tx| {
            doc_issue::print_batch(tx, &user.display_name, r, progress)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Backups

impl Core {
    /// Today's automatic backup into `backups/` beside the database (the hosts call it at start).
    pub fn daily_backup(&self) -> Result<Option<BackupInfo>> {
        let keep = self
            .store
            .read(cases::profile::load)
            .map(|p| p.backups_kept as usize)
            .unwrap_or(crate::store::backup::KEEP);
        self.store.daily_backup(keep)
    }

    fn backup_path(r: &BackupRequest) -> Result<Option<PathBuf>> {
        let Some(p) = r.path.as_deref() else {
            return Ok(None);
        };
        let p = crate::vocab::text::bounded_text(p, "path", "备份位置", 1000)?;
        Ok((!p.is_empty()).then(|| PathBuf::from(p)))
    }

    fn backup_create(&self, r: &BackupRequest) -> Result<BackupInfo> {
        let dest = match Core::backup_path(r)? {
            Some(p) => p,
            None => {
                let dir = self.store.backup_dir().ok_or_else(|| {
                    ApiError::field("path", "请选择备份保存的位置（例如U盘中的文件夹）")
                })?;
                std::fs::create_dir_all(&dir)?;
                dir
            }
        };
        let pass = r.passphrase.as_deref().filter(|p| !p.is_empty());
        // The key first: a passphrase refused leaves no backup without its key behind.
        let key = pass.map(|p| self.keys.export_encrypted(p)).transpose()?;
        let mut info = self.store.backup_to(&dest)?;
        if let Some(key) = key {
            let path = crate::store::backup::key_path(Path::new(&info.path));
            crate::files::write_atomic(&path, &key, true).map_err(|e| {
                ApiError::field(
                    "path",
                    format!("无法保存密钥文件（{}）：{e}", path.display()),
                )
            })?;
            info.with_key = true;
        }
        Ok(info)
    }

    fn backup_list(&self) -> Result<BackupList> {
        let dir = self.store.backup_dir();
        Ok(BackupList {
            folder: dir.as_ref().map(|d| d.display().to_string()),
            keep: self.store.read(cases::profile::load)?.backups_kept,
            items: match &dir {
                Some(d) => crate::store::backup::list(d)?,
                None => Vec::new(),
            },
        })
    }

    /// Restore a backup: its audit chain verified in full first, a copy of the current database
    /// kept; with a passphrase, the office key saved with it too (the key in use kept beside it).
    /// The restore is then the restored log's next entry (`backup_restore`), from which the signed
    /// head starts again; the calendar is reloaded and every login ends (the restored users may
    /// differ).
    fn backup_restore(&self, env: &Env<'_>, r: &BackupRequest) -> Result<RestoreReport> {
        let src = Core::backup_path(r)?
            .ok_or_else(|| ApiError::field("path", "请选择要恢复的备份文件"))?;
        let keep = self
            .store
            .backup_dir()
            .ok_or_else(|| ApiError::validation("内存中的数据库不能从备份恢复"))?;
        let saved_key = match r.passphrase.as_deref().filter(|p| !p.is_empty()) {
            None => None,
            Some(pass) => {
                let bytes = std::fs::read(crate::store::backup::key_path(&src)).map_err(|_| {
                    ApiError::field(
                        "passphrase",
                        "该备份没有同时保存本单位密钥，无法恢复密钥：请清空密钥口令后只恢复数据",
                    )
                })?;
                Some(KeyStore::open_encrypted(&bytes, pass)?)
            }
        };
        let (replaced_seq, replaced_hash) = self.store.read(audit::head)?;
        let mut report = self.store.restore_from(&src, &keep)?;
        if let Some(saved) = saved_key {
            self.keys.install(saved)?;
            report.key_restored = true;
        }
        if let Some(h) = &self.heads {
            h.reset();
        }
        self.store.write(env.actor, "backup.restore", |tx| {
            tx.execute(
                "INSERT INTO backup_restore (restored_file, restored_entries, replaced_seq, replaced_hash, kept_file, key_restored, restored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    report.restored.file_name,
                    report.entries,
                    replaced_seq,
                    replaced_hash,
                    report.kept.file_name,
                    report.key_restored,
                    crate::store::now_text()
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.touch("backup_restore", id);
            Ok(())
        })?;
        self.reload_calendar()?;
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.local.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(report)
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions

impl Core {
    /// Log in for this process's own calls ([`Core::call`]): the CLI's `--user`, a test.
    pub fn login(&self, username: &str, password: &str) -> Result<LoginResult> {
        let out = self.start_session(&Login {
            username: username.into(),
            password: password.into(),
        })?;
        *self.local.lock().unwrap_or_else(|p| p.into_inner()) = Some(out.token.clone());
        Ok(out)
    }

    fn local_token(&self) -> Option<String> {
        self.local.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn idle_lock_minutes(&self) -> Result<u32> {
        Ok(self.store.read(cases::profile::load)?.idle_lock_minutes)
    }

    fn start_session(&self, l: &Login) -> Result<LoginResult> {
        let now = chrono::Utc::now();
        let user = self.store.read(|c| cases::users::login(c, l, now))?;
        let mut bytes = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(
            &mut argon2::password_hash::rand_core::OsRng,
            &mut bytes,
        );
        let token = hex::encode(bytes);
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                token_key(&token),
                SessionState {
                    user_id: user.id,
                    last_seen: Instant::now(),
                },
            );
        Ok(LoginResult {
            token,
            user,
            idle_lock_minutes: self.idle_lock_minutes()?,
        })
    }

    fn end_session(&self, token: Option<&str>) {
        if let Some(t) = token {
            self.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&token_key(t));
        }
    }

    /// The user a command runs for, or why it may not run: no session, a session locked after the
    /// idle time, a password to change first, or a role the user does not hold.
    fn authorize(
        &self,
        token: Option<&str>,
        access: Access,
        command: &str,
    ) -> Result<Option<User>> {
        if access == Access::Public {
            return Ok(None);
        }
        if access == Access::Session {
            let key = token_key(token.unwrap_or_default());
            let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            return match sessions.get(&key) {
                Some(_) => Ok(None),
                None => Err(not_logged_in()),
            };
        }
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            // Before the first-run set-up nobody can log in: say what to do first.
            self.store.read(crate::store::office_code)?;
            return Err(not_logged_in());
        };
        let idle = Duration::from_secs(60 * u64::from(self.idle_lock_minutes()?));
        let key = token_key(token);
        let user_id = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            let state = sessions.get_mut(&key).ok_or_else(not_logged_in)?;
            if state.last_seen.elapsed() > idle {
                sessions.remove(&key);
                return Err(ApiError::new(
                    ErrorCode::SessionExpired,
                    "长时间未操作，已自动锁定，请重新登录（未保存的内容仍在界面上）",
                ));
            }
            state.last_seen = Instant::now();
            state.user_id
        };
        let user = match self.store.read(|c| cases::users::get(c, user_id)) {
            Ok(u) if u.active => u,
            Ok(_)
            | Err(ApiError {
                code: ErrorCode::NotFound,
                ..
            }) => {
                self.end_session(Some(token));
                return Err(ApiError::new(
                    ErrorCode::NotLoggedIn,
                    "该用户已停用，请联系管理员",
                ));
            }
            Err(e) => return Err(e),
        };
        if user.must_change_password && !WHILE_PASSWORD_CHANGE_REQUIRED.contains(&command) {
            return Err(ApiError::new(
                ErrorCode::PasswordChangeRequired,
                "密码由管理员设置，请先修改为您自己的密码",
            ));
        }
        if let Access::Roles(roles) = access {
            if !roles.iter().any(|r| user.roles.contains(r)) {
                let needed: Vec<String> =
                    roles.iter().map(|r| format!("“{}”", r.label())).collect();
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "此操作需要{}角色，{}没有该角色，请由具有该角色的人员办理",
                        needed.join("或"),
                        user.display_name
                    ),
                ));
            }
        }
        Ok(Some(user))
    }
}

impl Core {
    /// `audit.verify` with a progress callback (the CLI prints it), for the local session's user.
    pub fn audit_verify(
        &self,
        r: &AuditVerifyRequest,
        progress: &mut dyn FnMut(VerifyProgress),
    ) -> Result<AuditReport> {
        self.authorize(self.local_token().as_deref(), ANYONE, "audit.verify")?;
        self.flush_signed_head();
        self.store
            .read(|c| audit_report(c, &self.keys, r.full == Some(true), progress))
    }
}

/// `audit.verify`: the chain and the rows (the store), then the checks that need what only this
/// layer holds: the city's signed acknowledgement (the outside witness) and the office's own
/// signed head.
fn audit_report(
    c: &Connection,
    keys: &KeyStore,
    full: bool,
    progress: &mut dyn FnMut(VerifyProgress),
) -> Result<AuditReport> {
    let mut report = audit::verify_with_progress(c, full, progress)?;
    exchange::check_witness(c, &mut report)?;
    exchange::heads::check(c, keys, &mut report)?;
    Ok(report)
}

const PRINT_BATCH: &str = "document.print_batch";

fn nothing_to_change() -> ApiError {
    ApiError::validation("没有要修改的内容：请填写要修改的项目后再保存，本次未作任何改动")
}

/// Whether a command changes an existing record or setting (`*.update`, `*_update`): it refuses an
/// empty payload and, where [`Core::patch`] knows the record, takes absent fields from it.
pub fn is_update_command(command: &str) -> bool {
    command.ends_with(".update") || command.ends_with("_update")
}

impl Core {
    /// Update commands are partial (issue 12): a payload without any field to change is refused
    /// (`document.settings_update {}` used to blank the agency's name), and for the records and
    /// settings read here the fields a payload leaves out keep their stored values.
    fn patch(&self, command: &str, payload: Value) -> Result<Value> {
        if !is_update_command(command) {
            return Ok(payload);
        }
        let fields = match payload {
            Value::Object(fields) => fields,
            Value::Null => serde_json::Map::new(),
            other => return Ok(other),
        };
        if !fields.keys().any(|k| k != "id" && k != "request_id") {
            return Err(nothing_to_change());
        }
        let id = fields.get("id").and_then(Value::as_i64);
        let base = self.store.read(|c| {
            Ok(match (command, id) {
                ("document.settings_update", _) => Some(to_value(doc_settings::load(c)?)?),
                ("report.settings_update", _) => Some(to_value(reports::settings::load(c)?)?),
                ("profile.update", _) => Some(to_value(cases::profile::load(c)?)?),
                ("institution.update", Some(id)) => {
                    Some(to_value(registry::get::<Institutions>(c, id)?)?)
                }
                ("insured.update", Some(id)) => {
                    Some(to_value(registry::get::<InsuredPersons>(c, id)?)?)
                }
                ("inspection.update", Some(id)) => Some(to_value(rec::inspection_get(c, id)?)?),
                ("draw.update", Some(id)) => Some(to_value(reports::draws::input_of(c, id)?)?),
                ("accountability.update", Some(id)) => {
                    Some(to_value(rec::accountability_get(c, id)?)?)
                }
                ("campaign.update", Some(id)) => {
                    let mut v = to_value(rec::campaign_get(c, id)?)?;
                    // The record lists its areas with ids; the request, by name.
                    let names: Vec<Value> = v["areas"]
                        .as_array()
                        .map(|a| a.iter().map(|x| x["name"].clone()).collect())
                        .unwrap_or_default();
                    v["areas"] = Value::Array(names);
                    Some(v)
                }
                ("finding.update", Some(id)) => {
                    let case_id: Option<i64> = c
                        .query_row("SELECT case_id FROM finding WHERE id = ?1", [id], |r| {
                            r.get(0)
                        })
                        .optional()?;
                    let case_id = case_id.ok_or_else(|| ApiError::not_found("违法违规事实"))?;
                    let found = cases::cases::findings(c, case_id)?
                        .into_iter()
                        .find(|f| f.id == id);
                    found.map(to_value).transpose()?
                }
                ("user.update", Some(id)) => Some(to_value(cases::users::get(c, id)?)?),
                // Already partial (every field optional): the fields it knows.
                ("case.update", _) => Some(serde_json::json!({
                    "summary": null, "co_handler_id": null, "repeat_offence": null,
                    "voluntary_return": null,
                })),
                _ => None,
            })
        })?;
        let mut merged = match base {
            Some(Value::Object(base)) => {
                // Fields the record does not have change nothing: as empty as `{}`.
                if !fields
                    .keys()
                    .any(|k| k != "id" && k != "request_id" && base.contains_key(k))
                {
                    return Err(nothing_to_change());
                }
                base
            }
            _ => serde_json::Map::new(),
        };
        merged.extend(fields);
        Ok(Value::Object(merged))
    }
}

fn data_version(c: &Connection) -> Result<i64> {
    Ok(c.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

/// The audit actor and command of a bundle received by the hub over the network (no login: the
/// bundle's signature by a registered county is its authentication).
pub const NETWORK_ACTOR: &str = "数据交换（网络）";
/// The audit actor of the background exchange with the hub (nobody pressed a button).
pub const AUTO_SYNC_ACTOR: &str = "数据交换（自动同步）";
const RECEIVE_BUNDLE: &str = "exchange.receive";

impl Core {
    /// The hub's `POST /exchange/bundle`: import a county's bundle exactly as `exchange.import`
    /// does (all or nothing) and answer with the acknowledgement's bytes.
    pub fn receive_bundle(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        let keys = self.keys.get()?;
        let out = self.store.write(NETWORK_ACTOR, RECEIVE_BUNDLE, |tx| {
            exchange::require_bundle(bytes)?;
            exchange::import_bytes(tx, &keys, bytes)
        })?;
        let ack = out
            .ack
            .ok_or_else(|| ApiError::internal("no acknowledgement"))?;
        exchange::file_bytes(&ack)
    }

    fn exchange_status(&self) -> Result<ExchangeStatus> {
        let keys = self.keys.get()?;
        let mut status = self.store.read(|c| exchange::status(c, &keys))?;
        status.auto_sync = self
            .auto_sync
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .last
            .clone();
        Ok(status)
    }

    /// One background attempt to exchange with the city's hub, when one is due (issue 11: with a
    /// network, the county's work reaches the city by itself). The hosts call this every few
    /// seconds ([`Core::spawn_auto_sync`]). Offline is normal: the attempt is repeated after 1, 2,
    /// 4 … minutes, never more than the office's interval apart, and only shown on the 数据交换
    /// page (no dialog). None when nothing was due or no hub is set.
    pub fn sync_tick(&self) -> Option<SyncOutcome> {
        self.flush_signed_head();
        // `setting`: the hub address and its certificate (a change is tried at once).
        let Ok(Some((setting, minutes))) = self.store.read(exchange::auto_sync) else {
            return None;
        };
        {
            let st = self.auto_sync.lock().unwrap_or_else(|p| p.into_inner());
            // A new address is tried at once (the office has just set or corrected it).
            let due = st.setting.as_deref() != Some(setting.as_str())
                || st.next.is_none_or(|t| Instant::now() >= t);
            if !due {
                return None;
            }
        }
        // A refusal (by the hub, or of the hub's certificate) is shown, not taken for offline.
        let (outcome, refused) = match self.exchange_sync(AUTO_SYNC_ACTOR) {
            Ok(outcome) => (outcome, false),
            Err(e) => (
                SyncOutcome {
                    sent: false,
                    offline: false,
                    summary: e.message,
                },
                true,
            ),
        };
        let mut st = self.auto_sync.lock().unwrap_or_else(|p| p.into_inner());
        st.failures = if outcome.offline { st.failures + 1 } else { 0 };
        let wait = exchange::retry_minutes(st.failures, minutes);
        st.setting = Some(setting);
        st.next = Some(Instant::now() + Duration::from_secs(u64::from(wait) * 60));
        st.last = Some(exchange::AutoSyncReport {
            at: crate::store::now_text(),
            sent: outcome.sent,
            offline: outcome.offline,
            refused,
            summary: outcome.summary.clone(),
            failures: st.failures,
            next_in_minutes: wait,
        });
        Some(outcome)
    }

    /// Run [`Core::sync_tick`] every few seconds on a thread of its own, for as long as the program
    /// runs (the desktop app and `recoup serve` at a county).
    pub fn spawn_auto_sync(core: std::sync::Arc<Core>) {
        let _ = std::thread::Builder::new()
            .name("recoup-auto-sync".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                core.sync_tick();
            });
    }

    /// `exchange.sync` (立即同步): export (if anything is unacknowledged), POST to the hub outside
    /// any transaction, apply the acknowledgement. Offline is an answer, not an error. When the hub
    /// holds more of this office's log than it has (restored from an old backup: the hub refuses
    /// the bundle as a fork, or its acknowledgement names an entry this office no longer has), the
    /// office's own entries are fetched back (`exchange::recover`) and the exchange runs again.
    fn exchange_sync(&self, actor: &str) -> Result<SyncOutcome> {
        self.exchange_sync_in_parts(actor, exchange::net::MAX_ENTRIES)
    }

    /// [`Core::exchange_sync`] sending at most `part` entries per POST: a longer backlog goes in
    /// parts, each acknowledged before the next (public for the test of the parts).
    #[doc(hidden)]
    pub fn exchange_sync_in_parts(&self, actor: &str, part: i64) -> Result<SyncOutcome> {
        let mut out = self.exchange_sync_once(actor, true, part)?;
        let mut parts = 1;
        let mut acknowledged = -1;
        loop {
            let w = self.store.read(exchange::witness)?;
            // Stop when everything is acknowledged, offline, or a part was not acknowledged.
            if out.offline || !out.sent || w.past <= 0 || w.witnessed_seq <= acknowledged {
                break;
            }
            acknowledged = w.witnessed_seq;
            let next = self.exchange_sync_once(actor, false, part)?;
            parts += 1;
            out = SyncOutcome {
                summary: format!("{}；{}", out.summary, next.summary),
                ..next
            };
        }
        if parts > 1 {
            out.summary = format!("分{parts}次发送：{}", out.summary);
        }
        Ok(out)
    }

    fn exchange_sync_once(&self, actor: &str, may_recover: bool, part: i64) -> Result<SyncOutcome> {
        let keys = self.keys.get()?;
        let hub = self.store.read(exchange::hub)?.ok_or_else(|| {
            ApiError::illegal("尚未设置市局服务器地址，请用U盘交换数据包，或由管理员设置服务器地址")
        })?;
        let (bytes, sent) = match self.store.write(actor, "exchange.export", |tx| {
            exchange::export_upto(tx, &keys, Some(part))
        }) {
            // Nothing new to send: still ask for the acknowledgement, which carries the city's
            // answers and assigned leads (a poll: an empty signed bundle).
            Err(e) if e.code == ErrorCode::Conflict => {
                (self.store.read(|c| exchange::poll(c, &keys))?, None)
            }
            r => {
                let file = r?;
                (exchange::file_bytes(&file)?, Some(file.summary))
            }
        };
        let behind = match exchange::net::post_bundle(&hub.url, hub.cert.as_deref(), bytes) {
            Ok(ack) => match self.store.write(actor, "exchange.import", |tx| {
                exchange::import_bytes(tx, &keys, &ack)
            }) {
                Ok(out) => {
                    // The acknowledgement may have brought a year's holidays down.
                    self.reload_calendar()?;
                    self.ensure_derived()?;
                    return Ok(SyncOutcome {
                        sent: sent.is_some(),
                        offline: false,
                        summary: match sent {
                            Some(what) => format!("已发送{what}；{}", out.summary),
                            None => format!("没有新的记录需要发送；{}", out.summary),
                        },
                    });
                }
                Err(e) => e,
            },
            Err(exchange::net::PostError::Offline(why)) => return Ok(offline(&why)),
            Err(exchange::net::PostError::Refused(e)) => e,
        };
        if !(may_recover && behind.code == ErrorCode::Conflict) {
            return Err(behind);
        }
        // The hub holds what this office lost: ask for it back, then exchange again.
        let poll = self.store.read(|c| exchange::poll(c, &keys))?;
        let file = match exchange::net::post(
            &hub.url,
            exchange::net::RECOVER_PATH,
            hub.cert.as_deref(),
            poll,
        ) {
            Ok(file) => file,
            Err(exchange::net::PostError::Offline(why)) => return Ok(offline(&why)),
            Err(exchange::net::PostError::Refused(_)) => return Err(behind),
        };
        let recovered = self.store.write(actor, "exchange.import", |tx| {
            exchange::import_bytes(tx, &keys, &file)
        })?;
        if recovered.applied == 0 {
            return Err(behind);
        }
        // The entries put back may hold the office's calendar.
        self.reload_calendar()?;
        self.ensure_derived()?;
        let then = self.exchange_sync_once(actor, false, part)?;
        Ok(SyncOutcome {
            summary: format!("{}；{}", recovered.summary, then.summary),
            ..then
        })
    }

    /// The hub's `POST /exchange/recover`: a county's poll answered with its own entries held here
    /// (`exchange::recover::answer`); nothing written.
    pub fn answer_recovery(&self, poll: &[u8]) -> Result<Vec<u8>> {
        let keys = self.keys.get()?;
        self.store
            .read(|c| exchange::recover::answer(c, &keys, poll))
    }
}

/// The answer of an exchange that could not reach the hub.
fn offline(why: &str) -> SyncOutcome {
    SyncOutcome {
        sent: false,
        offline: true,
        summary: format!("暂时无法连接市局服务器（{why}），数据仍保留在本单位，稍后再同步即可"),
    }
}

/// Decode a request, naming the field in Chinese when a value cannot be read.
pub fn decode<T: DeserializeOwned>(payload: Value) -> Result<T> {
    // Every request is an object (null: no fields). serde would read a struct from an array too,
    // `[]` giving every field its default — a blank settings page saved.
    if !(payload.is_object() || payload.is_null()) {
        return Err(ApiError::validation(
            "请求数据格式不正确：应为各项内容的列表（JSON 对象），本次未作任何改动",
        ));
    }
    crate::vocab::text::decode_with(payload, label_of)
}

/// Chinese label of a request field, for messages.
fn label_of(field: &str) -> String {
    const COMMON: &[(&str, &str)] = &[
        ("id", "记录编号"),
        ("date", "日期"),
        ("days", "天数"),
        ("amount", "金额"),
        ("year", "年份"),
        ("level", "层级"),
        ("offset", "起始位置"),
        ("limit", "每页条数"),
        ("sort", "排序方式"),
        ("descending", "排序方向"),
        ("oldest_first", "排序方向"),
        ("working", "是否工作日"),
        ("data", "数据"),
    ];
    registry_labels()
        .chain(cases::FIELD_LABELS.iter().copied())
        .chain(ledger::FIELD_LABELS.iter().copied())
        .chain(reports::FIELD_LABELS.iter().copied())
        .chain(exchange::FIELD_LABELS.iter().copied())
        .chain(cases::escalation::FIELD_LABELS.iter().copied())
        .chain(exchange::assign::FIELD_LABELS.iter().copied())
        .chain(exchange::down::FIELD_LABELS.iter().copied())
        .chain(COMMON.iter().copied())
        .find(|(n, _)| *n == field)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| field.to_string())
}

fn registry_labels() -> impl Iterator<Item = (&'static str, &'static str)> {
    use registry::Registry;
    Institutions::FIELDS
        .iter()
        .chain(InsuredPersons::FIELDS)
        .map(|f| (f.name, f.label))
}

fn to_value<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(e.to_string()))
}

/// Declares every command once: `read` or `write` (or `money`: a write that takes a client request
/// id and answers a repeat of it with the first result, [`ClientRequest`]; or `calendar`: a write
/// that changes the working-day calendar, reloaded after it; or `session`: a login command, run with the core and the
/// caller's token), who may run it ([`Access`]), name, request type, response type, and the handler
/// `|env, conn_or_tx, request| …`. Generates [`Core::call_as`], [`command_names`] and the
/// TypeScript command map.
macro_rules! commands {
    ($( $kind:ident $access:ident $name:literal ($req:ty) -> $res:ty = $f:expr ; )*) => {
        impl Core {
            /// Run one command with a JSON payload for the holder of `token` (a login session;
            /// None: only public commands run); the single entry point of every host.
            pub fn call_as(&self, token: Option<&str>, command: &str, payload: Value) -> Result<Value> {
                match command {
                    $( $name => {
                        let user = self.authorize(token, $access, $name)?;
                        let payload = self.patch($name, payload)?;
                        // A head a burst of writes left pending is signed before anything reads
                        // (a verify, an export, a backup, the screen after the write).
                        if !commands!(@writes $kind) {
                            self.flush_signed_head();
                        }
                        // The job commands answer from memory while an import holds the database.
                        if $access != SESSION {
                            self.refresh_if_changed()?;
                        }
                        let calendar = self.calendar();
                        let env = Env {
                            cx: Ctx { calendar: &calendar, hooks: &HOOKS },
                            actor: user.as_ref().map_or(UNAUTHENTICATED, |u| u.username.as_str()),
                            user: user.as_ref(),
                            jobs: &self.jobs,
                            keys: &self.keys,
                        };
                        commands!(@run $kind, self, env, token, $name, payload, $req, $res, $f)
                    } )*
                    _ => Err(ApiError::new(ErrorCode::UnknownCommand, format!("未知的命令：{command}"))),
                }
            }
        }

        impl Core {
            /// Run a `read` command without a session: only on a county's replica at the hub
            /// ([`Core::county_read`]), for a city user who passed `authorize` there.
            fn read_unchecked(&self, command: &str, payload: Value) -> Result<Value> {
                match command {
                    $( $name if commands!(@is_read $kind) => {
                        let calendar = self.calendar();
                        let env = Env {
                            cx: Ctx { calendar: &calendar, hooks: &HOOKS },
                            actor: UNAUTHENTICATED,
                            user: None,
                            jobs: &self.jobs,
                            keys: &self.keys,
                        };
                        let token: Option<&str> = None;
                        let _ = token;
                        commands!(@run_read $kind, self, env, payload, $req, $res, $f)
                    } )*
                    _ => Err(ApiError::new(ErrorCode::Forbidden, "区县数据在市级只能查看，不能修改")),
                }
            }
        }

        /// Every command name, in declaration order.
        pub fn command_names() -> &'static [&'static str] {
            &[$($name),*]
        }

        /// `(name, writes)` of every command: whether it changes data (and so is audited).
        pub fn command_kinds() -> &'static [(&'static str, bool)] {
            &[$(($name, commands!(@writes $kind))),*]
        }

        /// Who may run each command.
        pub fn command_access() -> &'static [(&'static str, Access)] {
            &[$(($name, $access)),*]
        }

        fn visit_commands(v: &mut Collector<'_>) {
            v.visit::<ClientRequest>();
            $( v.command($name, commands!(@req_ts $kind, <$req as TS>::name(v.cfg)), <$res as TS>::name(v.cfg)); v.visit::<$req>(); v.visit::<$res>(); )*
        }

        /// The commands that take a client request id ([`ClientRequest`]).
        pub fn idempotent_commands() -> Vec<&'static str> {
            [$(($name, commands!(@writes_money $kind))),*].into_iter().filter(|(_, m)| *m).map(|(n, _)| n).collect()
        }
    };
    (@req_ts money, $t:expr) => { format!("{} & ClientRequest", $t) };
    (@req_ts $other:ident, $t:expr) => { $t };
    (@writes_money money) => { true };
    (@writes_money $other:ident) => { false };
    (@writes money) => { true };
    (@writes read) => { false };
    (@writes write) => { true };
    (@writes calendar) => { true };
    (@writes session) => { false };
    (@is_read read) => { true };
    (@is_read $other:ident) => { false };
    (@run_read read, $core:ident, $env:ident, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let f: fn(&Env<'_>, &Connection, $req) -> Result<$res> = $f;
        let r = decode::<$req>($payload)?;
        to_value($core.store.read(|c| f(&$env, c, r))?)
    }};
    (@run_read $other:ident, $core:ident, $env:ident, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let _ = (&$env, $payload);
        Err(ApiError::new(ErrorCode::Forbidden, "区县数据在市级只能查看，不能修改"))
    }};
    (@run read, $core:ident, $env:ident, $token:ident, $name:literal, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let f: fn(&Env<'_>, &Connection, $req) -> Result<$res> = $f;
        let r = decode::<$req>($payload)?;
        to_value($core.store.read(|c| f(&$env, c, r))?)
    }};
    (@run write, $core:ident, $env:ident, $token:ident, $name:literal, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let f: fn(&Env<'_>, &mut Tx<'_>, $req) -> Result<$res> = $f;
        let r = decode::<$req>($payload)?;
        to_value($core.store.write($env.actor, $name, |tx| {
            let out = f(&$env, tx, r)?;
            derive(&$env, tx)?;
            Ok(out)
        })?)
    }};
    (@run money, $core:ident, $env:ident, $token:ident, $name:literal, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let f: fn(&Env<'_>, &mut Tx<'_>, $req) -> Result<$res> = $f;
        let mut payload = $payload;
        match crate::store::requests::take(&mut payload)? {
            None => {
                let r = decode::<$req>(payload)?;
                to_value($core.store.write($env.actor, $name, |tx| {
                    let out = f(&$env, tx, r)?;
                    derive(&$env, tx)?;
                    Ok(out)
                })?)
            }
            Some(request_id) => {
                let r = decode::<$req>(payload.clone())?;
                $core.store.write($env.actor, $name, |tx| {
                    let out = crate::store::requests::once(tx, $env.actor, $name, &request_id, &payload, |tx| to_value(f(&$env, tx, r)?))?;
                    derive(&$env, tx)?;
                    Ok(out)
                })
            }
        }
    }};
    (@run calendar, $core:ident, $env:ident, $token:ident, $name:literal, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let out = commands!(@run write, $core, $env, $token, $name, $payload, $req, $res, $f)?;
        $core.reload_calendar()?;
        $core.ensure_derived()?;
        Ok(out)
    }};
    (@run session, $core:ident, $env:ident, $token:ident, $name:literal, $payload:ident, $req:ty, $res:ty, $f:expr) => {{
        let f: fn(&Core, Option<&str>, &Env<'_>, $req) -> Result<$res> = $f;
        let r = decode::<$req>($payload)?;
        to_value(f($core, $token, &$env, r)?)
    }};
}

/// What a write derives from the rows it touched, in its own transaction: the stored due dates of
/// the clocks of the cases it touched (`cases::clock_index`; the search index is kept by the store).
fn derive(env: &Env<'_>, tx: &Tx<'_>) -> Result<()> {
    let sources: Vec<&cases::clocks::ClockSource> = env.cx.hooks.clock_sources().collect();
    cases::clock_index::refresh(tx, env.cx.calendar, &sources, tx.touched())
}

impl Core {
    /// Run one command as the local session's user ([`Core::login`]); without one, only public
    /// commands run.
    pub fn call(&self, command: &str, payload: Value) -> Result<Value> {
        self.call_as(self.local_token().as_deref(), command, payload)
    }
}

commands! {
    read PUBLIC "office.get" (Empty) -> Option<Office> = |_, c, _| office::get(c);
    write PUBLIC "office.init" (OfficeSetup) -> Office = |_, tx, r| setup_office(tx, &r);
    read PUBLIC "office.suggest_preset" (CodeRequest) -> Option<cases::RulePreset> = |_, _, r| Ok(cases::rules::suggest(&r.code));
    read ANYONE "institution.list" (ListQuery) -> Page<Institution> = |_, c, q| registry::list::<Institutions>(c, &q);
    read ANYONE "institution.get" (IdRequest) -> Institution = |_, c, r| registry::get::<Institutions>(c, r.id);
    write HANDLER "institution.create" (InstitutionInput) -> Institution = |_, tx, i| {
        cases::measures::guard_new_institution(tx, &i.credit_code, i.agreement_status, i.applied_on, today_local())?;
        cases::measures::guard_persons(tx, None, &i, today_local())?;
        registry::create::<Institutions>(tx, &i)
    };
    write HANDLER "institution.update" (InstitutionUpdate) -> Institution = |_, tx, u| {
        // 001 art. 20: no new agreement within 3 years of a termination.
        cases::measures::guard_agreement_status(tx, u.id, u.input.agreement_status, u.input.applied_on, today_local())?;
        cases::measures::guard_persons(tx, Some(u.id), &u.input, today_local())?;
        registry::update::<Institutions>(tx, u.id, &u.input)
    };
    write HANDLER "institution.import" (ImportRequest) -> ImportReport = |e, tx, r| registry::import::<Institutions>(tx, &r, &e.jobs.start(r.job.as_deref())?);
    read ANYONE "insured.list" (ListQuery) -> Page<Insured> = |_, c, q| registry::list::<InsuredPersons>(c, &q);
    read ANYONE "insured.get" (IdRequest) -> Insured = |_, c, r| registry::get::<InsuredPersons>(c, r.id);
    write HANDLER "insured.create" (InsuredInput) -> Insured = |_, tx, i| registry::create::<InsuredPersons>(tx, &i);
    write HANDLER "insured.update" (InsuredUpdate) -> Insured = |_, tx, u| registry::update::<InsuredPersons>(tx, u.id, &u.input);
    write HANDLER "insured.import" (ImportRequest) -> ImportReport = |e, tx, r| registry::import::<InsuredPersons>(tx, &r, &e.jobs.start(r.job.as_deref())?);
    session SESSION "job.progress" (JobRequest) -> JobProgress = |core, _, _, r| Ok(core.jobs.progress(&r.job));
    session SESSION "job.cancel" (JobRequest) -> JobProgress = |core, _, _, r| Ok(core.jobs.cancel(&r.job));
    read PUBLIC "calendar.add_workdays" (CountRequest) -> Deadline = |e, _, r| office::add_workdays(&e.cx, &r);
    read PUBLIC "calendar.deadline" (CountRequest) -> Deadline = |e, _, r| office::calendar_deadline(&e.cx, &r);
    read PUBLIC "calendar.is_working_day" (DateRequest) -> WorkingDayAnswer = |e, _, r| Ok(office::is_working_day(&e.cx, r.date));
    read ANYONE "calendar.years" (Empty) -> Vec<CalendarYearInfo> = |e, c, _| office::years(c, &e.cx);
    calendar ADMIN "calendar.set_year" (CalendarYearInput) -> CalendarYearInfo = |_, tx, r| office::set_year(tx, &r);
    read ANYONE "calendar.year" (office::YearRequest) -> office::CalendarYearView = |e, c, r| office::year_view(c, &e.cx, r.year);
    read ANYONE "calendar.overrides" (Empty) -> Vec<DayOverride> = |_, c, _| office::overrides(c);
    calendar ADMIN "calendar.set_override" (DayOverride) -> DayOverride = |_, tx, o| office::set_override(tx, &o);
    calendar ADMIN "calendar.remove_override" (DateRequest) -> Empty = |_, tx, r| office::remove_override(tx, r.date).map(|_| Empty {});
    read PUBLIC "money.words" (MoneyRequest) -> MoneyWords = |_, _, r| money::words(&r);
    session ADMIN "backup.create" (BackupRequest) -> BackupInfo = |core, _, _, r| core.backup_create(&r);
    session ADMIN "backup.list" (Empty) -> BackupList = |core, _, _, _| core.backup_list();
    session ADMIN "backup.restore" (BackupRequest) -> RestoreReport = |core, _, e, r| core.backup_restore(e, &r);
    read ANYONE "audit.verify" (AuditVerifyRequest) -> AuditReport = |e, c, r| audit_report(c, e.keys, r.full == Some(true), &mut |_| {});
    read ANYONE "audit.list" (PageRequest) -> Page<AuditEntry> = |_, c, r| {
        let (offset, limit) = crate::store::query::page_bounds(r.offset, r.limit);
        let (items, total) = audit::list(c, offset, limit)?;
        Ok(Page { items, total })
    };
    // Case lifecycle (src/cases)
    read ANYONE "profile.get" (Empty) -> RuleProfile = |_, c, _| cases::profile::load(c);
    read ANYONE "profile.describe" (Empty) -> Vec<cases::profile::ProfileField> = |_, _, _| Ok(cases::profile::describe());
    read PUBLIC "profile.presets" (Empty) -> Vec<cases::rules::PresetInfo> = |_, _, _| Ok(cases::rules::presets());
    write ADMIN "profile.use_preset" (cases::profile::UsePreset) -> RuleProfile = |_, tx, r| cases::profile::use_preset(tx, &r);
    write ADMIN "profile.update" (RuleProfile) -> RuleProfile = |_, tx, p| cases::profile::update(tx, p);
    read ANYONE "user.list" (UserQuery) -> Page<User> = |_, c, q| cases::users::list(c, &q);
    read ANYONE "user.get" (IdRequest) -> User = |_, c, r| cases::users::get(c, r.id);
    write ADMIN "user.create" (UserInput) -> User = |_, tx, i| cases::users::create(tx, &i, false);
    write ADMIN "user.update" (UserUpdate) -> User = |_, tx, u| cases::users::update(tx, &u);
    write ADMIN "user.set_password" (PasswordChange) -> User = |_, tx, p| cases::users::set_password(tx, &p);
    session PUBLIC "user.login" (Login) -> LoginResult = |core, _, _, l| core.start_session(&l);
    session ANYONE "user.logout" (Empty) -> Empty = |core, token, _, _| { core.end_session(token); Ok(Empty {}) };
    session ANYONE "session.get" (Empty) -> SessionInfo = |core, _, e, _| Ok(SessionInfo {
        user: e.user.cloned().ok_or_else(not_logged_in)?,
        idle_lock_minutes: core.idle_lock_minutes()?,
    });
    write ANYONE "user.change_password" (OwnPasswordChange) -> User = |e, tx, p| cases::users::change_own_password(tx, e.user_id()?, &p);
    read ANYONE "lead.list" (LeadQuery) -> Page<Lead> = |e, c, q| cases::leads::list(c, &e.cx, &q);
    read ANYONE "lead.get" (IdRequest) -> Lead = |e, c, r| cases::leads::get(c, &e.cx, r.id);
    write HANDLER "lead.create" (LeadInput) -> Lead = |e, tx, i| cases::leads::create(tx, &e.cx, &i);
    write HANDLER "lead.extend" (LeadExtension) -> Lead = |e, tx, i| cases::leads::extend(tx, &e.cx, &i);
    write HANDLER "lead.conclude" (LeadConclusion) -> Lead = |e, tx, i| cases::leads::conclude(tx, &e.cx, &i);
    read ANYONE "case.list" (CaseQuery) -> Page<Case> = |e, c, q| cases::cases::list(c, &e.cx, &q);
    read ANYONE "case.get" (CaseGet) -> CaseDetail = |e, c, r| cases::get_case(c, &e.cx, &r);
    write HANDLER "case.create" (CaseInput) -> CaseDetail = |e, tx, i| cases::create_case(tx, &e.cx, &i);
    write HANDLER "case.update" (CaseUpdate) -> CaseDetail = |e, tx, i| cases::update_case(tx, &e.cx, &i);
    write HANDLER "finding.add" (FindingInput) -> Finding = |e, tx, i| cases::cases::add_finding(tx, &e.cx, &i);
    write HANDLER "finding.update" (FindingUpdate) -> Finding = |e, tx, i| cases::cases::update_finding(tx, &e.cx, &i);
    write HANDLER "evidence.add" (EvidenceInput) -> Evidence = |e, tx, i| cases::cases::add_evidence(tx, &e.cx, &i);
    write HANDLER "evidence.hold" (HoldInput) -> EvidenceHold = |e, tx, i| cases::cases::start_hold(tx, &e.cx, &i);
    write HANDLER "evidence.extend_hold" (HoldExtension) -> EvidenceHold = |e, tx, i| cases::cases::extend_hold(tx, &e.cx, &i);
    write HANDLER "evidence.release_hold" (HoldRelease) -> EvidenceHold = |e, tx, i| cases::cases::release_hold(tx, &e.cx, &i);
    write HANDLER "recovery.add_line" (RecoveryLineInput) -> Vec<RecoveryLine> = |e, tx, i| cases::cases::add_recovery_line(tx, &e.cx, &i);
    write HANDLER "recovery.remove_line" (IdRequest) -> Vec<RecoveryLine> = |e, tx, r| cases::cases::remove_recovery_line(tx, &e.cx, r.id);
    write APPROVER "case.notify" (NotifyInput) -> CaseDetail = |e, tx, i| cases::procedure::notify(tx, &e.cx, &i);
    write HANDLER "case.issue_document" (IssueInput) -> CaseDetail = |e, tx, i| cases::procedure::issue(tx, &e.cx, &i);
    write HANDLER "case.serve" (ServeInput) -> CaseDetail = |e, tx, i| cases::procedure::serve(tx, &e.cx, &i);
    write HANDLER "case.statement" (StatementInput) -> CaseDetail = |e, tx, i| cases::procedure::statement(tx, &e.cx, &i);
    write HANDLER "case.request_hearing" (DatedNote) -> CaseDetail = |e, tx, i| cases::procedure::hearing_request(tx, &e.cx, &i);
    write HANDLER "case.hearing" (HearingInput) -> CaseDetail = |e, tx, i| cases::procedure::hearing(tx, &e.cx, &i);
    write HANDLER "case.submit_legal_review" (DatedNote) -> CaseDetail = |e, tx, i| cases::procedure::submit_legal_review(tx, &e.cx, &i);
    write REVIEWER "case.legal_review" (LegalReviewInput) -> CaseDetail = |e, tx, i| cases::procedure::legal_review(tx, &e.cx, &i);
    write APPROVER "case.collective_review" (CollectiveReviewInput) -> CaseDetail = |e, tx, i| cases::procedure::collective_review(tx, &e.cx, &i);
    write APPROVER "case.extend_decision" (ExtensionInput) -> CaseDetail = |e, tx, i| cases::procedure::extend_decision(tx, &e.cx, &i);
    write HANDLER "measure.follow_up" (cases::measures::FollowUpInput) -> CaseDetail = |e, tx, i| {
        let m = cases::measures::follow_up(tx, &i)?;
        cases::procedure::detail(tx, &e.cx, m.case_id, None)
    };
    write PLATFORM "platform.record" (ledger::platform::PlatformEntry) -> Page<ledger::platform::PlatformPending> = |_, tx, r| {
        ledger::platform::record(tx, &r)?;
        ledger::platform::pending(tx, &ledger::platform::PlatformQuery::default())
    };
    read ANYONE "platform.pending" (ledger::platform::PlatformQuery) -> Page<ledger::platform::PlatformPending> = |_, c, q| ledger::platform::pending(c, &q);
    write APPROVER "case.extend_payment" (cases::procedure::PaymentExtensionInput) -> CaseDetail = |e, tx, i| cases::procedure::extend_payment(tx, &e.cx, &i);
    write APPROVER "case.decide" (DecisionInput) -> CaseDetail = |e, tx, i| cases::procedure::decide(tx, &e.cx, &i);
    write HANDLER "case.report_city" (DatedNote) -> CaseDetail = |e, tx, i| cases::procedure::report_city(tx, &e.cx, &i);
    write APPROVER "case.close" (DatedNote) -> CaseDetail = |e, tx, i| cases::procedure::close(tx, &e.cx, &i);
    write APPROVER "case.drop" (DatedNote) -> CaseDetail = |e, tx, i| cases::procedure::drop_case(tx, &e.cx, &i);
    read ANYONE "clock.list" (ClockQuery) -> ClockList = |e, c, q| cases::clocks::list(c, &e.cx, e.cx.hooks.clock_sources(), &q);
    read ANYONE "clock.board" (ClockBoardQuery) -> ClockBoard = |e, c, q| cases::clocks::board(c, &e.cx, e.cx.hooks.clock_sources(), &q);
    // Execution and money (src/ledger)
    write HANDLER "collection.set" (lt::CollectionInput) -> lt::Collection = |_, tx, r| ledger::views::set_collection(tx, &r);
    read ANYONE "ledger.case" (lt::CaseLedgerQuery) -> lt::CaseLedger = |e, c, q| ledger::views::case_ledger(c, &e.cx, &q);
    money FINANCE "payment.record" (lt::PaymentInput) -> lt::Payment = |e, tx, r| ledger::payments::record(tx, &e.cx, &r);
    read ANYONE "payment.get" (IdRequest) -> lt::Payment = |_, c, r| ledger::payments::get(c, r.id);
    read ANYONE "payment.list" (lt::PaymentQuery) -> Vec<lt::Payment> = |_, c, q| ledger::payments::list(c, &q);
    money FINANCE "payment.confirm_arrival" (lt::PaymentDate) -> lt::Payment = |_, tx, r| ledger::payments::confirm_arrival(tx, &r);
    money FINANCE "payment.proof_received" (lt::PaymentDate) -> lt::Payment = |_, tx, r| ledger::payments::proof_received(tx, &r);
    money FINANCE "payment.cancel" (lt::PaymentCancel) -> lt::Payment = |_, tx, r| ledger::payments::cancel(tx, &r);
    money FINANCE "receipt.issue" (lt::ReceiptInput) -> lt::Receipt = |_, tx, r| ledger::payments::issue_receipt(tx, &r);
    money FINANCE "receipt.void" (lt::ReceiptVoid) -> lt::Receipt = |_, tx, r| ledger::payments::void_receipt(tx, &r);
    money FINANCE "refund.request" (lt::RefundInput) -> lt::Refund = |_, tx, r| ledger::payments::request_refund(tx, &r);
    money FINANCE "refund.complete" (lt::RefundDecision) -> lt::Refund = |_, tx, r| ledger::payments::complete_refund(tx, &r);
    money FINANCE "refund.reject" (lt::RefundDecision) -> lt::Refund = |_, tx, r| ledger::payments::reject_refund(tx, &r);
    money HANDLER "offset.create" (lt::OffsetInput) -> lt::OffsetPlan = |_, tx, r| ledger::offsets::create(tx, &r);
    read ANYONE "offset.get" (IdRequest) -> lt::OffsetPlan = |_, c, r| ledger::offsets::get(c, r.id);
    money FINANCE "offset.deduct" (lt::DeductionInput) -> lt::OffsetPlan = |_, tx, r| ledger::offsets::deduct(tx, &r);
    money FINANCE "offset.cancel" (lt::OffsetCancel) -> lt::OffsetPlan = |_, tx, r| ledger::offsets::cancel(tx, &r);
    money HANDLER "fine.create" (lt::FineInput) -> lt::Fine = |e, tx, r| ledger::fines::create(tx, &e.cx, &r);
    write HANDLER "fine.serve" (lt::FineServe) -> lt::Fine = |e, tx, r| ledger::fines::serve(tx, &e.cx, &r);
    money FINANCE "fine.pay" (lt::FinePaymentInput) -> lt::Fine = |_, tx, r| ledger::fines::pay(tx, &r);
    write APPROVER "fine.defer" (lt::FineDeferInput) -> lt::Fine = |_, tx, r| ledger::fines::defer(tx, &r);
    write APPROVER "fine.instal" (lt::FineInstalmentInput) -> lt::Fine = |_, tx, r| ledger::fines::instal(tx, &r);
    write HANDLER "fine.appeal" (lt::FineAppealInput) -> lt::Fine = |_, tx, r| ledger::fines::appeal(tx, &r);
    write HANDLER "fine.appeal_end" (lt::FineAppealEnd) -> lt::Fine = |_, tx, r| ledger::fines::appeal_end(tx, &r);
    read ANYONE "fine.list" (lt::FineQuery) -> Vec<lt::Fine> = |_, c, q| ledger::fines::list(c, &q);
    write HANDLER "referral.demand" (lt::DemandInput) -> lt::Referral = |e, tx, r| ledger::fines::demand(tx, &e.cx, &r);
    write HANDLER "referral.demand_served" (lt::ReferralStep) -> lt::Referral = |e, tx, r| ledger::fines::demand_served(tx, &e.cx, &r);
    write HANDLER "referral.apply" (lt::ReferralStep) -> lt::Referral = |e, tx, r| ledger::fines::apply(tx, &e.cx, &r);
    write HANDLER "referral.create" (lt::ReferralInput) -> lt::Referral = |e, tx, r| ledger::fines::refer(tx, &e.cx, &r);
    write HANDLER "referral.close" (lt::ReferralStep) -> lt::Referral = |e, tx, r| ledger::fines::close(tx, &e.cx, &r);
    write HANDLER "self_correction.create" (lt::SelfCorrectionInput) -> lt::SelfCorrection = |e, tx, r| ledger::self_correction::create(tx, &e.cx, &r);
    read ANYONE "self_correction.get" (IdRequest) -> lt::SelfCorrection = |_, c, r| ledger::self_correction::get(c, r.id);
    read ANYONE "self_correction.list" (lt::SelfCorrectionQuery) -> Page<lt::SelfCorrectionSummary> = |_, c, q| ledger::self_correction::list(c, &q);
    read ANYONE "task.mine" (Empty) -> Vec<ledger::tasks::TaskGroup> = |e, c, _| ledger::tasks::mine(c, e.user.ok_or_else(not_logged_in)?);
    read ANYONE "ledger.year_summary" (lt::YearSummaryQuery) -> lt::YearSummary = |_, c, q| ledger::views::year_summary(c, &q, today_local());
    read ANYONE "ledger.accounting" (lt::AccountingQuery) -> Vec<lt::AccountingEntry> = |_, c, q| ledger::views::accounting(c, &q);
    read ANYONE "ledger.reconcile" (lt::ReconcileQuery) -> lt::Reconciliation = |_, c, q| ledger::reconcile::reconcile(c, &q);
    // Issued documents (src/docs/issue.rs)
    read ANYONE "document.preview" (DocumentRequest) -> DocumentPreview = |e, c, r| doc_issue::preview(c, &e.cx, &r, today_local());
    write HANDLER "document.issue" (DocumentRequest) -> IssuedPdf = |e, tx, r| doc_issue::issue(tx, &e.cx, e.signer(), &r);
    read ANYONE "document.get" (IdRequest) -> IssuedPdf = |_, c, r| doc_issue::get(c, r.id);
    write HANDLER "document.print" (IdRequest) -> IssuedPdf = |e, tx, r| doc_issue::print(tx, e.signer(), r.id);
    read ANYONE "document.list" (DocumentListQuery) -> Vec<IssuedDocument> = |_, c, q| doc_issue::list(c, &q);
    // `id` is the case's.
    read ANYONE "document.options" (IdRequest) -> Vec<DocumentOption> = |e, c, r| doc_issue::options(c, &e.cx, r.id, today_local());
    write HANDLER "document.print_batch" (BatchRequest) -> BatchPdf = |e, tx, r| {
        let job = e.jobs.start(r.job.as_deref())?;
        job.set_total(r.ids.len() as u64 + 1); // each notice laid out, then the file written
        doc_issue::print_batch(tx, e.signer(), &r, &mut |_, _| job.step("批量打印"))
    };
    read ANYONE "document.settings_get" (Empty) -> DocumentSettings = |_, c, _| doc_settings::load(c);
    write ADMIN "document.settings_update" (DocumentSettings) -> DocumentSettings = |_, tx, s| doc_settings::update(tx, s);
    // Reports and the records they count (src/reports, issue 10)
    read ANYONE "campaign.list" (Empty) -> Vec<rec::Campaign> = |_, c, _| rec::campaign_list(c);
    write ADMIN "campaign.create" (rec::CampaignInput) -> rec::Campaign = |_, tx, i| rec::campaign_create(tx, &i);
    write ADMIN "campaign.update" (rec::CampaignUpdate) -> rec::Campaign = |_, tx, u| rec::campaign_update(tx, &u);
    write HANDLER "campaign.tag" (rec::CampaignTag) -> rec::CampaignTag = |_, tx, t| rec::campaign_tag(tx, &t);
    read ANYONE "inspection.list" (rec::InspectionQuery) -> Page<rec::Inspection> = |_, c, q| rec::inspection_list(c, &q);
    read ANYONE "inspection.get" (IdRequest) -> rec::Inspection = |_, c, r| rec::inspection_get(c, r.id);
    write HANDLER "inspection.create" (rec::InspectionInput) -> rec::Inspection = |_, tx, i| rec::inspection_create(tx, &i);
    write HANDLER "inspection.update" (rec::InspectionUpdate) -> rec::Inspection = |_, tx, u| rec::inspection_update(tx, &u);
    write HANDLER "inspection.import" (ImportRequest) -> ImportReport = |e, tx, r| rec::inspection_import(tx, &r, &e.jobs.start(r.job.as_deref())?);
    read ANYONE "accountability.list" (rec::AccountabilityQuery) -> Page<rec::Accountability> = |_, c, q| rec::accountability_list(c, &q);
    write HANDLER "accountability.create" (rec::AccountabilityInput) -> rec::Accountability = |_, tx, i| rec::accountability_create(tx, &i);
    write HANDLER "accountability.update" (rec::AccountabilityUpdate) -> rec::Accountability = |_, tx, u| rec::accountability_update(tx, &u);
    read ANYONE "report.settings_get" (Empty) -> ReportSettings = |_, c, _| reports::settings::load(c);
    write ADMIN "report.settings_update" (ReportSettings) -> ReportSettings = |_, tx, s| reports::settings::update(tx, s);
    read ANYONE "report.monthly" (monthly::MonthlyQuery) -> monthly::MonthlyTable = |e, c, q| monthly::monthly(c, &e.cx, &q);
    read ANYONE "report.monthly_drill" (monthly::DrillQuery) -> Page<monthly::DrillItem> = |_, c, q| monthly::drill(c, &q);
    read ANYONE "report.monthly_xlsx" (MonthlyExport) -> ReportFile = |e, c, r| reports::monthly_xlsx(c, &e.cx, &r, today_local());
    read ANYONE "report.monthly_pdf" (MonthlyExport) -> ReportFile = |e, c, r| reports::monthly_pdf(c, &e.cx, &r, today_local());
    read ANYONE "report.terminated" (reports::terminated::TerminatedQuery) -> Vec<reports::terminated::TerminatedInstitution> = |_, c, q| reports::terminated::list(c, &q);
    read ANYONE "report.terminated_pdf" (reports::terminated::TerminatedQuery) -> ReportFile = |_, c, q| reports::terminated::pdf(c, &q, today_local());
    write HANDLER "report.submit" (reports::submission::SubmissionInput) -> reports::submission::Submission = |_, tx, i| reports::submission::submit(tx, &i);
    read ANYONE "draw.list" (Empty) -> Vec<reports::draws::Draw> = |_, c, _| reports::draws::list(c);
    write HANDLER "draw.create" (reports::draws::DrawInput) -> reports::draws::Draw = |_, tx, i| reports::draws::create(tx, &i);
    write HANDLER "draw.update" (reports::draws::DrawUpdate) -> reports::draws::Draw = |_, tx, u| reports::draws::update(tx, &u);
    write HANDLER "draw.withdraw" (reports::draws::DrawWithdraw) -> reports::draws::Draw = |_, tx, w| reports::draws::withdraw(tx, &w);
    read ANYONE "draw.parse_list" (ImportRequest) -> reports::draws::DrawList = |_, c, r| reports::draws::parse_list(c, &r);
    read ANYONE "draw.pdf" (IdRequest) -> ReportFile = |_, c, r| reports::draws::pdf(c, r.id);
    read ANYONE "report.charts" (reports::charts::ChartQuery) -> reports::charts::Charts = |_, c, q| reports::charts::charts(c, &q, today_local());
    read ANYONE "report.sheet" (reports::sheet::SheetQuery) -> reports::sheet::Sheet = |_, c, q| reports::sheet::sheet(c, &q);
    read ANYONE "report.sheet_drill" (reports::sheet::SheetDrill) -> Page<monthly::DrillItem> = |_, c, d| reports::sheet::drill(c, &d);
    read ANYONE "report.sheet_xlsx" (reports::sheet::SheetQuery) -> ReportFile = |_, c, q| reports::sheet::sheet_xlsx(c, &q);
    read ANYONE "report.sheet_pdf" (reports::sheet::SheetQuery) -> ReportFile = |_, c, q| reports::sheet::sheet_pdf(c, &q);
    read ANYONE "report.campaign" (reports::campaign::CampaignQuery) -> reports::campaign::CampaignFigures = |_, c, q| reports::campaign::figures(c, &q);
    read ANYONE "report.campaign_drill" (reports::campaign::CampaignDrill) -> Page<monthly::DrillItem> = |_, c, d| reports::campaign::drill(c, &d);
    read ANYONE "report.campaign_xlsx" (reports::campaign::CampaignQuery) -> ReportFile = |_, c, q| reports::campaign::campaign_xlsx(c, &q);
    read ANYONE "report.campaign_pdf" (reports::campaign::CampaignQuery) -> ReportFile = |_, c, q| reports::campaign::campaign_pdf(c, &q);
    // Exchange with the city (src/exchange, issue 11)
    session ANYONE "exchange.status" (Empty) -> ExchangeStatus = |core, _, _, _| core.exchange_status();
    read ADMIN "exchange.registration" (Empty) -> ExchangeFile = |e, c, _| exchange::registration(c, &*e.office_keys()?);
    read ADMIN "exchange.pairing_file" (Empty) -> ExchangeFile = |e, c, _| exchange::pairing_file(c, &*e.office_keys()?);
    write ADMIN "exchange.pair" (FileRequest) -> ImportOutcome = |_, tx, r| exchange::pair(tx, &r);
    write ADMIN "exchange.register" (RegisterCounty) -> Peer = |_, tx, r| exchange::register(tx, &r);
    write ADMIN "exchange.revoke" (CodeRequest) -> Peer = |_, tx, r| exchange::revoke(tx, &r);
    // Export writes no audited row (only the export's bookkeeping), so it appends no entry.
    write EXCHANGE "exchange.export" (Empty) -> ExchangeFile = |e, tx, _| exchange::export(tx, &*e.office_keys()?);
    read EXCHANGE "exchange.preview" (FileRequest) -> FilePreview = |e, c, r| exchange::preview(c, &*e.office_keys()?, &r);
    // A calendar write: an acknowledgement may bring a year's holidays down (exchange::down).
    calendar EXCHANGE "exchange.import" (FileRequest) -> ImportOutcome = |e, tx, r| exchange::import(tx, &*e.office_keys()?, &r);
    read EXCHANGE "exchange.ack" (CodeRequest) -> ExchangeFile = |e, c, r| exchange::ack(c, &*e.office_keys()?, &r);
    read EXCHANGE "exchange.recovery" (exchange::recover::RecoveryRequest) -> ExchangeFile = |e, c, r| exchange::recover::recovery(c, &*e.office_keys()?, &r);
    write ADMIN "exchange.set_hub" (HubRequest) -> Peer = |_, tx, r| exchange::set_hub(tx, &r);
    session EXCHANGE "exchange.sync" (Empty) -> SyncOutcome = |core, _, e, _| core.exchange_sync(e.actor);
    read ANYONE "exchange.history" (CodeRequest) -> Vec<exchange::BundleRecord> = |_, c, r| exchange::history(c, &r);
    // Matters sent up to the city and its answers (issue 11; cases::escalation, exchange::escalation)
    read ANYONE "escalation.list" (cases::escalation::CaseRef) -> cases::escalation::CaseEscalation = |e, c, r| cases::escalation::list(c, &e.cx, &r);
    write HANDLER "escalation.create" (cases::escalation::EscalationInput) -> cases::escalation::CaseEscalation = |e, tx, r| cases::escalation::create(tx, &e.cx, e.user_id()?, &r);
    write HANDLER "escalation.record_answer" (cases::escalation::AnswerInput) -> cases::escalation::CaseEscalation = |e, tx, r| cases::escalation::record_answer(tx, &e.cx, e.user_id()?, &r);
    read ANYONE "escalation.pending" (exchange::escalation::PendingQuery) -> Vec<exchange::escalation::CountyRequest> = |_, c, r| exchange::escalation::pending(c, &r);
    // Leads the city assigns to a county (issue 11; exchange::assign)
    write HANDLER "assignment.create" (exchange::assign::AssignmentInput) -> exchange::assign::AssignmentGiven = |e, tx, r| exchange::assign::create(tx, &*e.office_keys()?, e.user_id()?, &r);
    session ANYONE "county.read" (exchange::replica::CountyRead) -> Value = |core, _, _, r| core.county_read(&r);
    session ANYONE "county.monthly" (monthly::MonthlyQuery) -> exchange::replica::CityMonthly = |core, _, _, q| core.county_monthly(&q);
    read ANYONE "exchange.counties" (Empty) -> Vec<exchange::assign::CountyOverview> = |_, c, _| exchange::assign::overview(c);
    read ANYONE "assignment.list" (exchange::assign::AssignmentQuery) -> Vec<exchange::assign::Assignment> = |_, c, r| exchange::assign::list(c, &r);
    // What the city sends down besides answers and leads: registry updates, calendars, profile
    // versions (issue 11; exchange::down)
    write ADMIN "down.publish" (exchange::down::DownPublish) -> exchange::down::DownPublished = |e, tx, r| exchange::down::publish(tx, e.user_id()?, &r);
    read ANYONE "down.published" (Empty) -> Vec<exchange::down::Publication> = |_, c, _| exchange::down::published(c);
    read ANYONE "down.list" (exchange::down::DownQuery) -> Vec<exchange::down::DownReceived> = |_, c, r| exchange::down::list(c, &r);
    calendar ADMIN "down.apply" (exchange::down::DownDecision) -> exchange::down::DownReceived = |e, tx, r| exchange::down::apply(tx, e.user_id()?, &r);
    write ADMIN "down.keep" (exchange::down::DownDecision) -> exchange::down::DownReceived = |e, tx, r| exchange::down::keep(tx, e.user_id()?, &r);
    write APPROVER "escalation.answer" (cases::escalation::AnswerInput) -> exchange::escalation::AnswerGiven = |e, tx, r| exchange::escalation::answer(tx, &*e.office_keys()?, e.user_id()?, &r);
}

// ---------------------------------------------------------------------------------------------
// TypeScript generation

/// Collects the declaration of every type reachable from the command table.
struct Collector<'a> {
    cfg: &'a ts_rs::Config,
    decls: BTreeMap<String, String>,
    commands: Vec<String>,
}

impl Collector<'_> {
    fn command(&mut self, name: &str, req: String, res: String) {
        self.commands.push(format!(
            "  \"{name}\": {{ request: {req}; response: {res} }};"
        ));
    }
}

impl TypeVisitor for Collector<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Generic arguments differ between uses of one generic type (`Page<Institution>`,
        // `Page<AuditEntry>`), so they are visited every time, the declaration only once.
        T::visit_generics(self);
        if T::output_path().is_none() {
            return;
        }
        let ident = T::ident(self.cfg);
        if self.decls.contains_key(&ident) {
            return;
        }
        let decl = <T::WithoutGenerics as TS>::decl(self.cfg);
        let docs = T::docs().unwrap_or_default();
        self.decls
            .insert(ident, format!("{docs}export {}", decl.trim_end()));
        T::visit_dependencies(self);
    }
}

/// The whole `ui/src/api/types.gen.ts`, deterministic.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut c = Collector {
        cfg: &cfg,
        decls: BTreeMap::new(),
        commands: Vec::new(),
    };
    visit_commands(&mut c);
    c.visit::<ApiError>();
    let mut out = String::from(
        "// Generated by `recoup gen-ts` from the Rust API types (src/api.rs). Do not edit by hand.\n\n",
    );
    for decl in c.decls.values() {
        out.push_str(decl);
        out.push_str("\n\n");
    }
    out.push_str(
        "/** Every command: its request and response types. */\nexport interface Commands {\n",
    );
    for line in &c.commands {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("}\n\nexport type CommandName = keyof Commands;\n");
    out.push_str(&label_tables_ts(&cfg));
    out.push_str(&command_roles_ts());
    out
}

/// Every enum the API sends, with its labels (`Labeled`): written into the generated TypeScript as
/// `enumLabels`, so the UI shows the core's words and never spells a label again.
fn label_tables(cfg: &ts_rs::Config) -> Vec<(String, Vec<(String, &'static str)>)> {
    fn one<T: Labeled>(cfg: &ts_rs::Config) -> (String, Vec<(String, &'static str)>) {
        (T::ident(cfg), labels::table::<T>(cfg))
    }
    use crate::docs::NumberStyle;
    use crate::ledger::{accounting::CreditAccount, fine::PenaltyKind};
    use crate::registry::{AgreementStatus, InstitutionKind, RegistrySort, Scheme};
    use crate::vocab::*;
    vec![
        one::<reports::records::AccountabilityCategory>(cfg),
        one::<AgreementStatus>(cfg),
        one::<CaseStatus>(cfg),
        one::<ClockKind>(cfg),
        one::<ClockState>(cfg),
        one::<CreditAccount>(cfg),
        one::<DecisionKind>(cfg),
        one::<DocumentKind>(cfg),
        one::<EvidenceKind>(cfg),
        one::<ExpenseCategory>(cfg),
        one::<Fund>(cfg),
        one::<HoldKind>(cfg),
        one::<reports::records::InspectionKind>(cfg),
        one::<InstitutionKind>(cfg),
        one::<LeadOutcome>(cfg),
        one::<LeadSource>(cfg),
        one::<LeadStatus>(cfg),
        one::<reports::monthly::MatterKind>(cfg),
        one::<cases::measures::MeasureKind>(cfg),
        one::<cases::measures::TerminationGround>(cfg),
        one::<reports::monthly::MonthlyColumn>(cfg),
        one::<reports::sheet::SheetKind>(cfg),
        one::<reports::campaign::CampaignFigure>(cfg),
        one::<reports::sheet::CellFormat>(cfg),
        one::<cases::profile::ProfileUnit>(cfg),
        one::<cases::Rule>(cfg),
        one::<cases::RulePreset>(cfg),
        one::<cases::rules::OffsetPolicy>(cfg),
        one::<lt::MismatchKind>(cfg),
        one::<NumberStyle>(cfg),
        one::<OfficeLevel>(cfg),
        one::<lt::OffsetStatus>(cfg),
        one::<lt::Organizer>(cfg),
        one::<PartyKind>(cfg),
        one::<exchange::PeerRole>(cfg),
        one::<exchange::ExchangeFileKind>(cfg),
        one::<exchange::down::DownKind>(cfg),
        one::<exchange::down::DownStatus>(cfg),
        one::<cases::escalation::EscalationMatter>(cfg),
        one::<cases::escalation::EscalationKind>(cfg),
        one::<cases::escalation::AnswerOutcome>(cfg),
        one::<cases::escalation::AnswerSource>(cfg),
        one::<lt::PaymentMethod>(cfg),
        one::<lt::PaymentStatus>(cfg),
        one::<PenaltyKind>(cfg),
        one::<crate::ledger::types::ReliefKind>(cfg),
        one::<ledger::platform::PlatformItem>(cfg),
        one::<reports::settings::RecoveredBasis>(cfg),
        one::<RecoverySource>(cfg),
        one::<RegistrySort>(cfg),
        one::<lt::ReferralKind>(cfg),
        one::<lt::ReferralStatus>(cfg),
        one::<lt::RefundStatus>(cfg),
        one::<Role>(cfg),
        one::<Scheme>(cfg),
        one::<ServedDocumentKind>(cfg),
        one::<ServiceMethod>(cfg),
        one::<StatementKind>(cfg),
        one::<StepKind>(cfg),
        one::<Track>(cfg),
        one::<YearKind>(cfg),
    ]
}

/// The roles of each role-bound command (`commandRoles`): the UI disables what the core would refuse
/// (the core still checks every call).
fn command_roles_ts() -> String {
    let mut out = String::from(
        "\n/** The roles that may run each role-bound command (the core checks them on every call). */\nexport const commandRoles: Partial<Record<CommandName, Role[]>> = {\n",
    );
    for (name, access) in command_access() {
        if let Access::Roles(roles) = access {
            let roles: Vec<String> = roles.iter().map(|r| format!("\"{r:?}\"")).collect();
            out.push_str(&format!("  \"{name}\": [{}],\n", roles.join(", ")));
        }
    }
    out.push_str("};\n");
    out
}

fn label_tables_ts(cfg: &ts_rs::Config) -> String {
    let tables = label_tables(cfg);
    let mut out = String::from(
        "\n/** The Chinese label of every enum value, from the core (`Labeled` in src/vocab/labels.rs). */\nexport interface EnumLabels {\n",
    );
    for (name, _) in &tables {
        out.push_str(&format!("  {name}: Record<{name}, string>;\n"));
    }
    out.push_str("}\n\nexport const enumLabels: EnumLabels = {\n");
    for (name, values) in &tables {
        out.push_str(&format!("  {name}: {{\n"));
        for (value, label) in values {
            out.push_str(&format!(
                "    {value}: {},\n",
                serde_json::Value::from(*label)
            ));
        }
        out.push_str("  },\n");
    }
    out.push_str("};\n");
    out
}

/// String-union types of the generated TypeScript that have no label table (error codes are not
/// shown to users and need none).
pub fn unlabeled_enums() -> Vec<String> {
    let ts = typescript();
    let labeled: Vec<String> = label_tables(&ts_rs::Config::new().with_large_int("number"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    ts.lines()
        .filter_map(|l| l.strip_prefix("export type ")?.split_once(" = \""))
        .map(|(name, _)| name.to_string())
        .filter(|n| n != "ErrorCode" && !labeled.contains(n))
        .collect()
}

/// Where the generated TypeScript lives in the repository.
pub fn typescript_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/api/types.gen.ts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_of_the_api_has_labels() {
        assert_eq!(
            unlabeled_enums(),
            Vec::<String>::new(),
            "add a label table (labels! next to the enum, then api::label_tables)"
        );
        let cfg = ts_rs::Config::new().with_large_int("number");
        for (name, values) in label_tables(&cfg) {
            assert!(!values.is_empty(), "{name} has values");
            for (value, label) in values {
                assert!(
                    label
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{name}::{value} has a Chinese label, not {label:?}"
                );
            }
        }
    }

    #[test]
    fn commands_say_whether_they_write() {
        let kinds = command_kinds();
        assert_eq!(kinds.len(), command_names().len());
        let writes = |n: &str| kinds.iter().find(|(k, _)| *k == n).unwrap().1;
        assert!(writes("case.notify") && writes(PRINT_BATCH) && writes("calendar.set_year"));
        assert!(!writes("case.get") && !writes("document.preview"));
    }
}
