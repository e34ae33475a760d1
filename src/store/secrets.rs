//! Secrets kept out of the audit log (issue 8): a user's password hash lives in `user_secret`,
//! which is not audited; the audited `app_user` row carries only `secret_digest`, an HMAC-SHA256 of
//! the hash under the office's key (`office_secret`, random, never exported). The log the city
//! receives so holds no hash, and `audit verify` still finds a hash swapped behind the application
//! ([`check`]).

use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::Sha256;

use super::audit::AuditProblem;
use super::Store;
use crate::error::{ApiError, Result};

/// The audit actor and command of the write that seals users of a database upgraded to 0010.
pub const UPGRADE_ACTOR: &str = "系统升级";
pub const UPGRADE_COMMAND: &str = "user.seal_secrets";

fn key(conn: &Connection) -> Result<Vec<u8>> {
    conn.query_row("SELECT hmac_key FROM office_secret WHERE id = 1", [], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| ApiError::internal("本单位密钥缺失（office_secret）"))
}

/// The keyed digest of a secret, as hex.
pub fn digest(conn: &Connection, secret: &str) -> Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(conn)?)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    mac.update(secret.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Store `hash` as the password of user `id` and return its digest for the audited row (the caller
/// writes it to `app_user.secret_digest` and touches the row). Resets the login throttle.
pub fn set_password_hash(conn: &Connection, id: i64, hash: &str) -> Result<String> {
    conn.execute(
        "INSERT INTO user_secret (user_id, password_hash) VALUES (?1, ?2)
         ON CONFLICT (user_id) DO UPDATE SET password_hash = ?2, failed_logins = 0, locked_until = NULL",
        params![id, hash],
    )?;
    digest(conn, hash)
}

/// A database upgraded to 0010 has users whose row has no digest yet: one audited write records
/// every such row with its digest (nothing is written when there is none, e.g. a new database).
pub fn seal_upgraded_users(store: &Store) -> Result<()> {
    let pending: i64 = store.read(|c| {
        Ok(c.query_row(
            "SELECT COUNT(*) FROM app_user WHERE secret_digest IS NULL",
            [],
            |r| r.get(0),
        )?)
    })?;
    if pending == 0 {
        return Ok(());
    }
    store.write(UPGRADE_ACTOR, UPGRADE_COMMAND, |tx| {
        let rows: Vec<(i64, String)> = {
            let mut stmt = tx.prepare(
                "SELECT u.id, s.password_hash FROM app_user u JOIN user_secret s ON s.user_id = u.id
                 WHERE u.secret_digest IS NULL",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (id, hash) in rows {
            let d = digest(tx, &hash)?;
            tx.execute(
                "UPDATE app_user SET secret_digest = ?1 WHERE id = ?2",
                params![d, id],
            )?;
            tx.touch("app_user", id);
        }
        Ok(())
    })
}

/// Every user's stored hash against the digest its audited row carries.
pub fn check(conn: &Connection) -> Result<Vec<AuditProblem>> {
    let mut stmt = conn.prepare(
        "SELECT u.id, u.display_name, u.secret_digest, s.password_hash
         FROM app_user u LEFT JOIN user_secret s ON s.user_id = u.id ORDER BY u.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, recorded, hash) = row?;
        let fine = match (&recorded, &hash) {
            (Some(d), Some(h)) => digest(conn, h)? == *d,
            _ => false,
        };
        if !fine {
            out.push(AuditProblem {
                seq: None,
                table: Some("app_user".into()),
                row_id: Some(id),
                reason: format!("用户“{name}”的密码记录与审计记录不符（密码可能在软件之外被替换）"),
            });
        }
    }
    Ok(out)
}
