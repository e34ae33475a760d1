//! Typed errors with a stable code the UI can branch on and a Chinese message for the user.

use serde::Serialize;
use ts_rs::TS;

/// Stable machine-readable error codes. The UI branches on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The input is malformed or out of range; `field` names the offending field.
    Validation,
    /// The referenced record does not exist.
    NotFound,
    /// The operation conflicts with existing data (duplicate code, stale state).
    Conflict,
    /// The step is not allowed by the procedure at this point (guards of the case lifecycle).
    IllegalStep,
    /// The office has not been set up yet (`office.init`).
    NotInitialized,
    /// The database was written by a newer version of Recoup.
    SchemaTooNew,
    /// The command name is unknown to this version.
    UnknownCommand,
    /// No login session, or it ended (logged out, user disabled): log in first.
    NotLoggedIn,
    /// The session locked after the office's idle time: log in again (the screen keeps its draft).
    SessionExpired,
    /// The password was set by an administrator: the user must choose their own first.
    PasswordChangeRequired,
    /// Not allowed: the logged-in user's roles do not allow the command (the message names the role
    /// needed), or `recoup serve` refused the request before any command (wrong Host or Origin, a
    /// missing or wrong per-launch secret).
    Forbidden,
    /// Storage or I/O failure.
    Storage,
    /// The request body is larger than the host accepts.
    TooLarge,
    /// The user cancelled long work (an import); nothing of it was kept.
    Cancelled,
    /// Another program holds the database (a second window, a backup tool): try again; nothing was
    /// saved.
    Busy,
    /// Anything else: a bug.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::IllegalStep => "ILLEGAL_STEP",
            ErrorCode::NotInitialized => "NOT_INITIALIZED",
            ErrorCode::SchemaTooNew => "SCHEMA_TOO_NEW",
            ErrorCode::UnknownCommand => "UNKNOWN_COMMAND",
            ErrorCode::NotLoggedIn => "NOT_LOGGED_IN",
            ErrorCode::SessionExpired => "SESSION_EXPIRED",
            ErrorCode::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Storage => "STORAGE",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::Busy => "BUSY",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// The one error type of the public API: a code, a Chinese message and, for validation, the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// Chinese, shown to the user as is.
    pub message: String,
    /// The request field the message is about (serde name), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }
    /// A validation error about one field; `label` is the field's Chinese name used in the message.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what}不存在"))
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn illegal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::IllegalStep, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
    /// Prefix the message with the field's Chinese label and attach the field name.
    pub fn in_field(mut self, field: &str, label: &str) -> Self {
        if self.field.is_none() {
            self.field = Some(field.to_string());
            if !self.message.starts_with(label) {
                self.message = format!("{label}：{}", self.message);
            }
        }
        self
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        // Issue 12: two processes on one database showed "数据库错误：database is locked" after the
        // busy timeout; say what happened and what to do instead.
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) {
                return ApiError::new(
                    ErrorCode::Busy,
                    "数据库正被另一个程序使用（例如同时打开了两个医保基金追回窗口），本次操作未保存，请稍后重试",
                );
            }
        }
        ApiError::new(ErrorCode::Storage, format!("数据库错误：{e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::new(ErrorCode::Storage, format!("文件读写错误：{e}"))
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;
