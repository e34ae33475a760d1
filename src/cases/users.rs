//! People and sign-offs: users with roles (承办人 handler, 复核人 reviewer, 审批人 approver, 财务
//! finance, 管理员 admin); passwords stored only as argon2id hashes (PHC strings) in the unaudited
//! `user_secret`, the audited user row carrying a keyed digest of the hash (`store::secrets`). A
//! notice carries three distinct people (GLOSSARY "承办人 / 复核人 / 审批人"; 004 附件1 sign-off
//! rows): the core refuses the same person twice.
//!
//! Logins (issue 8): a password chosen by an administrator must be changed at the first login; five
//! wrong passwords in a row lock the user for 15 minutes.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::store::query::Page;
use crate::store::{now_text, office_code, secrets, Tx};
use crate::vocab::dates::{cn_date, date_text, opt_date};
use crate::vocab::text::{enum_from, enum_text};

/// 角色.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Role {
    #[serde(alias = "承办人")]
    Handler,
    #[serde(alias = "复核人")]
    Reviewer,
    #[serde(alias = "审批人")]
    Approver,
    #[serde(alias = "财务")]
    Finance,
    #[serde(alias = "管理员")]
    Admin,
}

crate::labeled_by!(Role => label);

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Handler => "承办人",
            Role::Reviewer => "复核人",
            Role::Approver => "审批人",
            Role::Finance => "财务",
            Role::Admin => "管理员",
        }
    }
}

/// A user as the API shows it (never the hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct User {
    pub id: i64,
    pub uid: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    /// The password was set by an administrator: the user must choose their own at the next login.
    pub must_change_password: bool,
    /// 执法证号 (empty: none on file) and the last day it is valid (行政处罚法 art. 42).
    pub cert_no: String,
    pub cert_expires: Option<NaiveDate>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub password: String,
    /// 执法证号 and its expiry: both or neither.
    #[ts(optional = nullable)]
    pub cert_no: Option<String>,
    #[ts(optional = nullable)]
    pub cert_expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct UserUpdate {
    pub id: i64,
    #[ts(optional = nullable)]
    pub display_name: Option<String>,
    #[ts(optional = nullable)]
    pub roles: Option<Vec<Role>>,
    #[ts(optional = nullable)]
    pub active: Option<bool>,
    /// A new 执法证号 (empty clears the certificate) and its expiry.
    #[ts(optional = nullable)]
    pub cert_no: Option<String>,
    #[ts(optional = nullable)]
    pub cert_expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PasswordChange {
    pub id: i64,
    pub password: String,
}

/// `user.change_password`: the logged-in user chooses their own password.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct OwnPasswordChange {
    pub old_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Login {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct UserQuery {
    /// Substring of the username or display name.
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub role: Option<Role>,
    /// Include disabled users (default: only active ones).
    #[ts(optional = nullable)]
    pub include_inactive: Option<bool>,
}

/// The three signatures on a notice or decision: 承办人, 复核人, 审批人 — three distinct people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignOff {
    pub handler_id: i64,
    pub reviewer_id: i64,
    pub approver_id: i64,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let roles: String = r.get("roles")?;
    Ok(User {
        id: r.get("id")?,
        uid: r.get("uid")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        roles: roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| enum_from(s.to_string()))
            .collect(),
        active: r.get("active")?,
        must_change_password: r.get("must_change_password")?,
        cert_no: r.get::<_, Option<String>>("cert_no")?.unwrap_or_default(),
        cert_expires: opt_date(r.get("cert_expires")?)?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<User> {
    conn.query_row("SELECT * FROM app_user WHERE id = ?1", [id], from_row)
        .optional()?
        .ok_or_else(|| ApiError::not_found("用户"))
}

pub fn list(conn: &Connection, q: &UserQuery) -> Result<Page<User>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM app_user ORDER BY username")?;
    let all = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let needle = q.query.as_deref().map(str::trim).unwrap_or("");
    let items: Vec<User> = all
        .into_iter()
        .filter(|u| q.include_inactive.unwrap_or(false) || u.active)
        .filter(|u| q.role.is_none_or(|r| u.roles.contains(&r)))
        .filter(|u| {
            needle.is_empty() || u.username.contains(needle) || u.display_name.contains(needle)
        })
        .collect();
    Ok(Page {
        total: items.len() as i64,
        items,
    })
}

fn validate_roles(roles: &[Role]) -> Result<String> {
    if roles.is_empty() {
        return Err(ApiError::field("roles", "请至少选择一个角色"));
    }
    let mut out: Vec<String> = Vec::new();
    for r in roles {
        let t = enum_text(r);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out.join(","))
}

/// A certificate is its number and its last valid day, both or neither.
fn validate_certificate(
    no: &str,
    expires: Option<NaiveDate>,
) -> Result<(String, Option<NaiveDate>)> {
    let no = crate::vocab::text::bounded_text(no, "cert_no", "执法证号", 30)?;
    match (no.is_empty(), expires) {
        (false, None) => Err(ApiError::field("cert_expires", "请填写执法证的有效期")),
        (true, Some(_)) => Err(ApiError::field("cert_no", "请填写执法证号")),
        (true, None) => Ok((no, None)),
        (false, Some(d)) => Ok((no, Some(d))),
    }
}

/// An officer acting on an administrative matter on `on` must hold a 执法证 valid that day
/// (行政处罚法 art. 42: law-enforcement officers with enforcement qualification, at least two;
/// art. 55: they show their certificates). `post` names the officer's part (承办人, 协办人);
/// `cite` is the office's citation of that rule.
pub fn require_certificate(
    conn: &Connection,
    id: i64,
    on: NaiveDate,
    field: &str,
    post: &str,
    cite: &str,
) -> Result<()> {
    let u = get(conn, id)?;
    let fix = "请管理员在“设置·用户与角色”中登记其执法证号和有效期";
    let problem = match u.cert_expires {
        _ if u.cert_no.is_empty() => "没有登记执法证，不能".to_string(),
        Some(d) if d < on => format!("的执法证已于{}到期，不能在{}", cn_date(d), cn_date(on)),
        _ => return Ok(()),
    };
    Err(ApiError::field(
        field,
        format!(
            "{post}{}{problem}办理行政执法事项{cite}；{fix}",
            u.display_name
        ),
    ))
}

fn validate_password(pw: &str) -> Result<()> {
    let n = pw.chars().count();
    if n < 8 {
        return Err(ApiError::field("password", "密码至少8位"));
    }
    if n > 128 {
        return Err(ApiError::field("password", "密码过长（最多128位）"));
    }
    if !(pw.chars().any(|c| c.is_ascii_digit()) && pw.chars().any(|c| c.is_alphabetic())) {
        return Err(ApiError::field("password", "密码须同时包含字母和数字"));
    }
    Ok(())
}

/// argon2id (argon2 crate defaults: v0x13, m = 19 MiB, t = 2, p = 1), random 16-byte salt.
pub fn hash_password(pw: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("密码加密失败：{e}")))
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A new user. `own_password`: the person typed the password themself (the first administrator at
/// set-up); otherwise an administrator chose it and the user must change it at the first login.
pub fn create(tx: &mut Tx<'_>, i: &UserInput, own_password: bool) -> Result<User> {
    let username = super::required_text(&i.username, "username", "用户名", 32)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    {
        return Err(ApiError::field(
            "username",
            "用户名只能由字母、数字、下划线、点和连字符组成",
        ));
    }
    let display = super::required_text(&i.display_name, "display_name", "姓名", 50)?;
    let roles = validate_roles(&i.roles)?;
    let (cert_no, cert_expires) =
        validate_certificate(i.cert_no.as_deref().unwrap_or(""), i.cert_expires)?;
    let cert_no = Some(cert_no).filter(|n| !n.is_empty());
    validate_password(&i.password)?;
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM app_user WHERE username = ?1 COLLATE NOCASE",
            [&username],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::conflict(format!("用户名“{username}”已被使用"))
            .in_field("username", "用户名"));
    }
    let office = office_code(tx)?;
    let hash = hash_password(&i.password)?;
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM app_user", [], |r| {
        r.get(0)
    })?;
    let now = now_text();
    tx.execute(
        "INSERT INTO app_user (id, uid, username, display_name, roles, active, must_change_password, cert_no, cert_expires, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?9)",
        params![id, format!("{office}-U{id}"), username, display, roles, !own_password, cert_no, cert_expires.map(date_text), now],
    )?;
    let digest = secrets::set_password_hash(tx, id, &hash)?;
    tx.execute(
        "UPDATE app_user SET secret_digest = ?1 WHERE id = ?2",
        params![digest, id],
    )?;
    tx.touch("app_user", id);
    get(tx, id)
}

pub fn update(tx: &mut Tx<'_>, u: &UserUpdate) -> Result<User> {
    let cur = get(tx, u.id)?;
    let display = match &u.display_name {
        Some(d) => super::required_text(d, "display_name", "姓名", 50)?,
        None => cur.display_name.clone(),
    };
    let roles = validate_roles(u.roles.as_deref().unwrap_or(&cur.roles))?;
    let active = u.active.unwrap_or(cur.active);
    // A new number comes with its own expiry (absent: none); the API fills absent fields from the
    // stored user (`Core::patch`), so clearing sends both empty.
    let (cert_no, cert_expires) = validate_certificate(
        u.cert_no.as_deref().unwrap_or(&cur.cert_no),
        match u.cert_no {
            Some(_) => u.cert_expires,
            None => u.cert_expires.or(cur.cert_expires),
        },
    )?;
    let cert_no = Some(cert_no).filter(|n| !n.is_empty());
    if cur.roles.contains(&Role::Admin) && (!active || !roles.contains("Admin")) {
        let other_admins: i64 = tx.query_row(
            "SELECT COUNT(*) FROM app_user WHERE id <> ?1 AND active = 1 AND (',' || roles || ',') LIKE '%,Admin,%'",
            [u.id],
            |r| r.get(0),
        )?;
        if other_admins == 0 {
            return Err(ApiError::illegal(
                "这是最后一名启用的管理员，不能停用或取消其管理员角色",
            ));
        }
    }
    tx.execute(
        "UPDATE app_user SET display_name = ?1, roles = ?2, active = ?3, cert_no = ?4, cert_expires = ?5, updated_at = ?6
         WHERE id = ?7",
        params![display, roles, active, cert_no, cert_expires.map(date_text), now_text(), u.id],
    )?;
    tx.touch("app_user", u.id);
    get(tx, u.id)
}

/// `user.set_password`: an administrator sets someone's password; they change it at next login.
pub fn set_password(tx: &mut Tx<'_>, p: &PasswordChange) -> Result<User> {
    get(tx, p.id)?;
    validate_password(&p.password)?;
    store_password(tx, p.id, &p.password, true)
}

/// `user.change_password`: the user `id` chooses their own password, proving the current one.
pub fn change_own_password(tx: &mut Tx<'_>, id: i64, p: &OwnPasswordChange) -> Result<User> {
    let hash = stored_hash(tx, id)?;
    if !hash.is_some_and(|h| verify_password(&p.old_password, &h)) {
        return Err(ApiError::field("old_password", "原密码不正确"));
    }
    validate_password(&p.new_password).map_err(|e| ApiError {
        field: Some("new_password".into()),
        ..e
    })?;
    if p.new_password == p.old_password {
        return Err(ApiError::field("new_password", "新密码不能与原密码相同"));
    }
    store_password(tx, id, &p.new_password, false)
}

fn store_password(tx: &mut Tx<'_>, id: i64, password: &str, must_change: bool) -> Result<User> {
    let hash = hash_password(password)?;
    let digest = secrets::set_password_hash(tx, id, &hash)?;
    tx.execute(
        "UPDATE app_user SET secret_digest = ?1, must_change_password = ?2, updated_at = ?3 WHERE id = ?4",
        params![digest, must_change, now_text(), id],
    )?;
    tx.touch("app_user", id);
    get(tx, id)
}

fn stored_hash(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT password_hash FROM user_secret WHERE user_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Wrong passwords in a row before a user is locked, and for how long (issue 8).
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

/// Check a username and password; the same message whatever was wrong, except a lock. A failure
/// is counted in `user_secret` (security state outside the audit log, written here directly);
/// the fifth in a row locks the user for [`LOCK_MINUTES`].
pub fn login(conn: &Connection, l: &Login, now: chrono::DateTime<chrono::Utc>) -> Result<User> {
    let wrong = || ApiError::validation("用户名或密码不正确，或该用户已停用");
    let row: Option<(i64, bool, String, i64, Option<String>)> = conn
        .query_row(
            "SELECT u.id, u.active, s.password_hash, s.failed_logins, s.locked_until
             FROM app_user u JOIN user_secret s ON s.user_id = u.id
             WHERE u.username = ?1 COLLATE NOCASE",
            [l.username.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((id, active, hash, failures, locked_until)) = row else {
        return Err(wrong());
    };
    let until = locked_until
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    if let Some(until) = until.filter(|u| *u > now) {
        let local = until.with_timezone(&chrono::Local).format("%H:%M");
        return Err(ApiError::illegal(format!(
            "密码连续输错{MAX_FAILED_LOGINS}次，该用户已锁定，请于{local}后再试"
        )));
    }
    if !verify_password(&l.password, &hash) {
        let failures = failures + 1;
        if failures >= MAX_FAILED_LOGINS {
            let until = now + chrono::Duration::minutes(LOCK_MINUTES);
            conn.execute(
                "UPDATE user_secret SET failed_logins = 0, locked_until = ?1 WHERE user_id = ?2",
                params![until.to_rfc3339(), id],
            )?;
            return Err(ApiError::illegal(format!(
                "密码连续输错{MAX_FAILED_LOGINS}次，该用户已锁定{LOCK_MINUTES}分钟"
            )));
        }
        conn.execute(
            "UPDATE user_secret SET failed_logins = ?1 WHERE user_id = ?2",
            params![failures, id],
        )?;
        return Err(wrong());
    }
    if !active {
        return Err(wrong());
    }
    if failures > 0 || locked_until.is_some() {
        conn.execute(
            "UPDATE user_secret SET failed_logins = 0, locked_until = NULL WHERE user_id = ?1",
            [id],
        )?;
    }
    get(conn, id)
}

/// An active user who holds `role`; `field` names the request field in the message.
pub fn require_role(conn: &Connection, id: i64, role: Role, field: &str) -> Result<User> {
    let u = get(conn, id)
        .map_err(|_| ApiError::field(field, format!("{}（用户编号{id}）不存在", role.label())))?;
    if !u.active {
        return Err(ApiError::field(
            field,
            format!("{}已停用，不能担任{}", u.display_name, role.label()),
        ));
    }
    if !u.roles.contains(&role) {
        return Err(ApiError::field(
            field,
            format!(
                "{}没有“{}”角色，不能担任{}",
                u.display_name,
                role.label(),
                role.label()
            ),
        ));
    }
    Ok(u)
}

/// Validate the three signatures: each holds its role, and no person signs twice.
pub fn check_signoff(conn: &Connection, s: &SignOff) -> Result<(User, User, User)> {
    let h = require_role(conn, s.handler_id, Role::Handler, "handler_id")?;
    let r = require_role(conn, s.reviewer_id, Role::Reviewer, "reviewer_id")?;
    let a = require_role(conn, s.approver_id, Role::Approver, "approver_id")?;
    if h.id == r.id || h.id == a.id || r.id == a.id {
        let who = if h.id == r.id || h.id == a.id { &h } else { &r };
        return Err(ApiError::illegal(format!(
            "承办人、复核人、审批人须为三名不同人员：{}不能在同一文书上签署两次",
            who.display_name
        )));
    }
    Ok((h, r, a))
}

/// Display name of a user for timelines ("" for none).
pub fn name_of(conn: &Connection, id: Option<i64>) -> Result<String> {
    match id {
        None => Ok(String::new()),
        Some(id) => Ok(conn
            .query_row(
                "SELECT display_name FROM app_user WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default()),
    }
}
