//! Recoup (医保基金追回): the core library. All rules, storage, documents, reports and sync live
//! here, with no dependency on Tauri. Hosts (Tauri shell, `recoup` CLI, `recoup serve`) call
//! [`Core::call`] and nothing else.

pub mod api;
pub mod calendar;
pub mod cases;
pub mod docs;
pub mod error;
pub mod exchange;
pub mod files;
pub mod ids;
pub mod jobs;
pub mod ledger;
pub mod money;
pub mod office;
pub mod registry;
pub mod reports;
pub mod serve;
pub mod store;
pub mod vocab;

pub use api::Core;
pub use error::{ApiError, ErrorCode};
pub use money::Money;
