//! What the layers above plug into the case procedure, assembled once at the top (`api::HOOKS`):
//! the clock sources of `clock.list`, the checks run before a case may close, and the office's
//! document numbers. `cases` never imports `ledger` or `docs`; they add themselves here, so the
//! dependency order stays vocabulary → store → cases → ledger → docs → api.

use std::ops::Deref;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::clocks::ClockSource;
use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::store::Tx;
use crate::vocab::DocumentKind;

/// A check run before closing a case; returns the Chinese reasons it cannot close yet (e.g. money
/// not recovered per the fiscal receipt, 004 art. 11).
pub type ClosureCheck = fn(&Connection, i64) -> Result<Vec<String>>;

/// The office's document number sequence (kept by `docs::settings`).
pub struct DocumentNumbers {
    /// The next number of `kind` for the year of the date, allocated in this transaction.
    pub next: fn(&mut Tx<'_>, DocumentKind, NaiveDate) -> Result<String>,
    /// A number typed by hand: when it is in the office's format, the sequence moves past it.
    pub claim: fn(&mut Tx<'_>, DocumentKind, &str) -> Result<()>,
}

/// Every extension of the case procedure.
pub struct Hooks {
    /// Lists of clock sources, one per module (`cases::clocks::SOURCES`, the ledger's, …).
    pub clock_sources: &'static [&'static [ClockSource]],
    pub closure_checks: &'static [ClosureCheck],
    pub numbers: DocumentNumbers,
}

impl Hooks {
    pub fn clock_sources(&self) -> impl Iterator<Item = &ClockSource> {
        self.clock_sources.iter().flat_map(|l| l.iter())
    }
}

/// What a case operation runs with: the office's working-day calendar and the hooks. Derefs to
/// the calendar, so it can be passed wherever only the calendar is needed.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub calendar: &'a WorkCalendar,
    pub hooks: &'a Hooks,
}

impl Deref for Ctx<'_> {
    type Target = WorkCalendar;
    fn deref(&self) -> &WorkCalendar {
        self.calendar
    }
}
