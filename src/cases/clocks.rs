//! Clocks: ONE query (`clock.list`) lists every running clock of every open matter with its due date
//! and state. Every due date comes from `WorkCalendar` (working days, or calendar days rolled to the
//! next working day) — never from `+ Duration::days`.
//!
//! Another module adds its clocks (the ledger: payment, proof, offset, fine) by writing
//! `pub fn clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>>` and listing it in
//! `api::HOOKS.clock_sources` (see ARCHITECTURE.md, "A new clock"); build each clock with [`ClockContext::case_clock`] so that state, reference and party
//! are computed the same way everywhere.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::profile::{self, RuleProfile};
use super::rules::{Cache, Rule};
use super::{opt_date, parse_stored_date};
use crate::calendar::{Deadline, WorkCalendar};
use crate::error::Result;
use crate::store::query::page_bounds;
pub use crate::vocab::{ClockKind, ClockState};

/// One running clock of one matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Clock {
    pub kind: ClockKind,
    /// Chinese name shown to the user, e.g. "陈述申辩期" or "文书送达（行政处罚决定书）".
    pub label: String,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub lead_id: Option<i64>,
    /// Case number or lead number.
    pub reference: String,
    /// 当事人: institution name or insured person's name ("" when a lead names nobody yet).
    pub party: String,
    /// The event the clock counts from (not counted itself).
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    pub state: ClockState,
    /// Working days from today to the due date; negative when overdue.
    pub working_days_left: i64,
    /// Where the period comes from, e.g. "行政处罚法第六十条".
    pub basis: String,
    /// Calendar warnings (a year without holiday data).
    pub warnings: Vec<String>,
}

/// Which clocks a source is asked for (`cases::clock_index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Every clock (a case's detail).
    All,
    /// The clocks whose due date is stored: a case's, not judged against today (a source may
    /// leave out the others; the index drops any it returns).
    Stored,
    /// Only the clocks built at each read: those of no case (leads, self-corrections) and fines.
    Live,
}

/// What a clock source needs to build its clocks.
pub struct ClockContext<'a> {
    pub today: NaiveDate,
    pub within: u32,
    pub calendar: &'a WorkCalendar,
    pub profile: RuleProfile,
    /// Only this case's clocks are wanted (the case detail): each source narrows its query with
    /// [`ClockContext::only_case`] instead of building every clock of the office.
    pub case_id: Option<i64>,
    /// Which clocks are wanted; a source whose clocks are all stored returns none in
    /// [`ClockMode::Live`] (see [`ClockContext::live_only`]).
    pub mode: ClockMode,
    /// The first date that is more than `within` working days after today: a clock due before it
    /// (and not overdue) is due soon. Computed once, so that judging a clock costs no calendar walk.
    soon_from: NaiveDate,
}

impl<'a> ClockContext<'a> {
    pub fn new(
        today: NaiveDate,
        within: u32,
        calendar: &'a WorkCalendar,
        profile: RuleProfile,
        case_id: Option<i64>,
    ) -> Result<ClockContext<'a>> {
        // working_days_between(today, due) <= within  ⇔  due < the (within + 1)-th working day.
        let soon_from = calendar.add_working_days(today, within + 1)?.date;
        Ok(ClockContext {
            today,
            within,
            calendar,
            profile,
            case_id,
            mode: ClockMode::All,
            soon_from,
        })
    }

    /// The first date that is no longer "due soon".
    pub fn soon_from(&self) -> NaiveDate {
        self.soon_from
    }

    /// True when the read wants only the clocks built at each read ([`ClockMode::Live`]): a
    /// source whose clocks all belong to a case and do not depend on today returns none.
    pub fn live_only(&self) -> bool {
        self.mode == ClockMode::Live
    }

    /// `AND <column> = <case id>` when only one case's clocks are wanted, else nothing.
    pub fn only_case(&self, column: &str) -> String {
        self.case_id
            .map(|id| format!(" AND {column} = {id}"))
            .unwrap_or_default()
    }

    pub fn state(&self, due: NaiveDate) -> ClockState {
        if self.today > due {
            ClockState::Overdue
        } else if due < self.soon_from {
            ClockState::DueSoon
        } else {
            ClockState::Running
        }
    }

    /// Working days from today to `due`; negative when overdue.
    pub fn working_days_left(&self, due: NaiveDate) -> i64 {
        if self.today > due {
            -i64::from(self.calendar.working_days_between(due, self.today))
        } else {
            i64::from(self.calendar.working_days_between(self.today, due))
        }
    }

    /// A clock of a case. Its reference and party are read from the case, and the working days
    /// left counted, only for the clocks that are shipped ([`finish`]).
    pub fn case_clock(
        &self,
        case_id: i64,
        kind: ClockKind,
        label: impl Into<String>,
        started_on: NaiveDate,
        due: Deadline,
        basis: impl Into<String>,
    ) -> Clock {
        self.clock(
            kind,
            label,
            (Some(case_id), None, String::new(), String::new()),
            started_on,
            due,
            basis,
        )
    }

    /// A clock; `whose` is (case id, lead id, reference, party).
    pub fn clock(
        &self,
        kind: ClockKind,
        label: impl Into<String>,
        (case_id, lead_id, reference, party): (Option<i64>, Option<i64>, String, String),
        started_on: NaiveDate,
        due: Deadline,
        basis: impl Into<String>,
    ) -> Clock {
        Clock {
            kind,
            label: label.into(),
            case_id,
            lead_id,
            reference,
            party,
            started_on,
            due_on: due.date,
            state: self.state(due.date),
            working_days_left: 0,
            basis: basis.into(),
            warnings: due.warnings,
        }
    }
}

/// (case number, party name) of a case.
pub fn case_reference(conn: &Connection, case_id: i64) -> Result<(String, String)> {
    Ok(conn.query_row(
        "SELECT c.case_number, COALESCE(i.name, p.name, '')
         FROM case_file c LEFT JOIN institution i ON i.id = c.institution_id
         LEFT JOIN insured p ON p.id = c.insured_id WHERE c.id = ?1",
        [case_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// A source of clocks for `clock.list`: each module lists its own ([`SOURCES`],
/// `ledger::CLOCK_SOURCES`), assembled in `api::HOOKS`.
pub type ClockSource = fn(&Connection, &ClockContext) -> Result<Vec<Clock>>;

/// This module's clock sources, in order. Other modules' sources are added at the top
/// (`api::HOOKS`, through [`super::hooks::Hooks::clock_sources`]).
pub const SOURCES: &[ClockSource] = &[
    lead_clocks,
    hold_clocks,
    window_clocks,
    legal_review_clocks,
    decision_clocks,
    service_clocks,
    city_report_clocks,
    suspension_clocks,
    rectification_clocks,
];

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ClockQuery {
    /// The day to judge from; defaults to the local date.
    #[ts(optional = nullable)]
    pub today: Option<NaiveDate>,
    /// "Due soon" = due within this many working days; defaults to the profile's `due_soon_days`.
    #[ts(optional = nullable)]
    pub within: Option<u32>,
    /// Only the clocks of this case.
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    /// Only clocks in this state.
    #[ts(optional = nullable)]
    pub state: Option<ClockState>,
    /// Only clocks of this kind.
    #[ts(optional = nullable)]
    pub kind: Option<ClockKind>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    /// At most this many clocks (default 50, at most 1,000).
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// One page of clocks.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ClockList {
    pub today: NaiveDate,
    pub within: u32,
    /// How many clocks match the filter (all pages).
    pub total: i64,
    /// Sorted by due date, overdue first.
    pub items: Vec<Clock>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ClockBoardQuery {
    #[ts(optional = nullable)]
    pub today: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub within: Option<u32>,
    /// The first page of each group holds at most this many clocks (default 20).
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// The clocks in one state: how many, and the first page.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ClockGroup {
    pub state: ClockState,
    pub total: i64,
    pub items: Vec<Clock>,
}

/// The clocks of one kind counted by state (the 工作台's table by kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClockKindCount {
    pub kind: ClockKind,
    pub overdue: i64,
    pub due_soon: i64,
    pub running: i64,
}

/// The dashboard (工作台): the office's clocks counted by state (overdue, due soon, running), with
/// the first page of each group — never every clock of the office in one answer — and counted by
/// kind (the kinds that have a clock, in the vocabulary's order).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ClockBoard {
    pub today: NaiveDate,
    pub within: u32,
    pub groups: Vec<ClockGroup>,
    pub kinds: Vec<ClockKindCount>,
}

/// Every clock of `sources` for the query's day, case and window, unsorted and not yet
/// [`finish`]ed, with the context that judged them.
fn collect<'c, 's>(
    conn: &Connection,
    calendar: &'c WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
    today: Option<NaiveDate>,
    within: Option<u32>,
    case_id: Option<i64>,
    mode: ClockMode,
) -> Result<(ClockContext<'c>, Vec<Clock>)> {
    let profile = profile::load(conn)?;
    let within = within.unwrap_or(profile.due_soon_days);
    if within > 60 {
        return Err(crate::error::ApiError::field(
            "within",
            "提醒天数应在0至60个工作日之间",
        ));
    }
    let today = today.unwrap_or_else(super::today_local);
    let mut ctx = ClockContext::new(today, within, calendar, profile, case_id)?;
    ctx.mode = mode;
    let mut items = Vec::new();
    for source in sources {
        items.extend(source(conn, &ctx)?);
    }
    if let Some(id) = case_id {
        items.retain(|c| c.case_id == Some(id));
    }
    Ok((ctx, items))
}

/// Due date first (overdue first), then kind and matter: a stable order that needs no lookup.
fn sort(items: &mut [Clock]) {
    items.sort_by(|a, b| {
        (
            a.due_on,
            a.kind as u8,
            a.case_id,
            a.lead_id,
            &a.reference,
            &a.label,
        )
            .cmp(&(
                b.due_on,
                b.kind as u8,
                b.case_id,
                b.lead_id,
                &b.reference,
                &b.label,
            ))
    });
}

/// Completes the clocks that are shipped: reference and party of a case clock, working days left.
fn finish(conn: &Connection, ctx: &ClockContext, items: &mut [Clock]) -> Result<()> {
    for c in items {
        if let Some(case_id) = c.case_id {
            (c.reference, c.party) = case_reference(conn, case_id)?;
        }
        c.working_days_left = ctx.working_days_left(c.due_on);
    }
    Ok(())
}

/// One page of the clocks of `sources` (in practice `Hooks::clock_sources`), filtered and sorted.
/// One case's clocks (`q.case_id`) are built by the sources; the office's are read from the stored
/// due dates (`clock_index`) merged with the few built at each read.
pub fn list<'s>(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
    q: &ClockQuery,
) -> Result<ClockList> {
    let sources: Vec<&ClockSource> = sources.into_iter().collect();
    let wanted =
        |c: &Clock| q.state.is_none_or(|s| c.state == s) && q.kind.is_none_or(|k| c.kind == k);
    let (offset, limit) = page_bounds(q.offset, q.limit);
    let (ctx, mut items, total) = if q.case_id.is_some() {
        let (ctx, mut items) = collect(
            conn,
            calendar,
            sources,
            q.today,
            q.within,
            q.case_id,
            ClockMode::All,
        )?;
        items.retain(wanted);
        let total = items.len() as i64;
        (ctx, items, total)
    } else {
        super::clock_index::ensure(conn, calendar, sources.iter().copied())?;
        let (ctx, mut items) = collect(
            conn,
            calendar,
            sources,
            q.today,
            q.within,
            None,
            ClockMode::Live,
        )?;
        items.retain(wanted);
        let total = items.len() as i64 + super::clock_index::count(conn, &ctx, q.state, q.kind)?;
        items.extend(super::clock_index::first(
            conn,
            &ctx,
            q.state,
            q.kind,
            offset + limit,
        )?);
        (ctx, items, total)
    };
    sort(&mut items);
    let mut page: Vec<Clock> = items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    finish(conn, &ctx, &mut page)?;
    Ok(ClockList {
        today: ctx.today,
        within: ctx.within,
        total,
        items: page,
    })
}

/// The cases with at least one overdue clock today (the 案件 list's 只看逾期), in id order.
pub fn overdue_case_ids<'s>(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
) -> Result<Vec<i64>> {
    let sources: Vec<&ClockSource> = sources.into_iter().collect();
    super::clock_index::ensure(conn, calendar, sources.iter().copied())?;
    let (ctx, items) = collect(conn, calendar, sources, None, None, None, ClockMode::Live)?;
    let mut ids: Vec<i64> = items
        .iter()
        .filter(|c| c.state == ClockState::Overdue)
        .filter_map(|c| c.case_id)
        .collect();
    ids.extend(super::clock_index::overdue_cases(conn, ctx.today)?);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The dashboard: the office's clocks counted by state, with the first page of each state.
pub fn board<'s>(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
    q: &ClockBoardQuery,
) -> Result<ClockBoard> {
    let sources: Vec<&ClockSource> = sources.into_iter().collect();
    super::clock_index::ensure(conn, calendar, sources.iter().copied())?;
    let (ctx, items) = collect(
        conn,
        calendar,
        sources,
        q.today,
        q.within,
        None,
        ClockMode::Live,
    )?;
    let (_, limit) = page_bounds(None, Some(q.limit.unwrap_or(20)));
    const ORDER: [ClockState; 3] = [
        ClockState::Overdue,
        ClockState::DueSoon,
        ClockState::Running,
    ];
    let mut groups: Vec<ClockGroup> = ORDER
        .into_iter()
        .map(|state| ClockGroup {
            state,
            total: 0,
            items: Vec::new(),
        })
        .collect();
    let mut kinds: Vec<ClockKindCount> = Vec::new();
    for c in items {
        let k = match kinds.iter().position(|k| k.kind == c.kind) {
            Some(i) => &mut kinds[i],
            None => {
                kinds.push(ClockKindCount {
                    kind: c.kind,
                    overdue: 0,
                    due_soon: 0,
                    running: 0,
                });
                kinds.last_mut().expect("just pushed")
            }
        };
        *match c.state {
            ClockState::Overdue => &mut k.overdue,
            ClockState::DueSoon => &mut k.due_soon,
            ClockState::Running => &mut k.running,
        } += 1;
        let g = &mut groups[ORDER.iter().position(|s| *s == c.state).unwrap_or(0)];
        g.total += 1;
        g.items.push(c);
    }
    // The stored clocks: counted by kind and state in SQL, the first page of each state read in
    // order through the index.
    for (kind, [overdue, due_soon, running]) in super::clock_index::counts_by_kind(conn, &ctx)? {
        match kinds.iter_mut().find(|k| k.kind == kind) {
            Some(k) => {
                k.overdue += overdue;
                k.due_soon += due_soon;
                k.running += running;
            }
            None => kinds.push(ClockKindCount {
                kind,
                overdue,
                due_soon,
                running,
            }),
        }
        for (g, n) in groups.iter_mut().zip([overdue, due_soon, running]) {
            g.total += n;
        }
    }
    kinds.sort_by_key(|k| k.kind as u8);
    for g in &mut groups {
        g.items.extend(super::clock_index::first(
            conn,
            &ctx,
            Some(g.state),
            None,
            limit,
        )?);
        sort(&mut g.items);
        g.items.truncate(limit as usize);
        finish(conn, &ctx, &mut g.items)?;
    }
    Ok(ClockBoard {
        today: ctx.today,
        within: ctx.within,
        groups,
        kinds,
    })
}

// ---------------------------------------------------------------------------------------------
// This module's sources

/// A case not yet closed or dropped (`c` is the case): spelled as the open statuses, so that SQLite
/// reads them from the status index instead of every case of the office's history.
pub const OPEN_CASE: &str = "c.status IN ('Investigating', 'Notified', 'Decided', 'Executing')";

fn lead_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.case_id.is_some() || ctx.mode == ClockMode::Stored {
        return Ok(vec![]); // a lead's clock belongs to no case
    }
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.lead_number, COALESCE(i.name, p.name, ''), l.received_on, l.check_days,
                l.extension_days, l.extended_on IS NOT NULL, l.source = 'Report', l.due_on
         FROM lead l LEFT JOIN institution i ON i.id = l.institution_id
         LEFT JOIN insured p ON p.id = l.insured_id WHERE l.status = 'Open'",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                parse_stored_date(&r.get::<_, String>(3)?)?,
                r.get::<_, u32>(4)?,
                r.get::<_, u32>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
                crate::vocab::dates::opt_date(r.get(8)?)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    // 令第4号 fixes the check period; a 举报 is also handled under 令第5号 (issue 9: 举报处理 is
    // 令第5号, not 第4号).
    let rules = super::rules::office(conn)?;
    for (id, number, party, received, days, ext, extended, report, city_due) in rows {
        if let Some(date) = city_due {
            // 线索交办: the city's due date (issue 11; seed 003: leads from above checked one by one).
            out.push(ctx.clock(
                ClockKind::LeadCheck,
                "市局交办线索办理",
                (None, Some(id), number, party),
                received,
                crate::calendar::Deadline {
                    date,
                    warnings: Vec::new(),
                },
                "市局交办确定的期限",
            ));
            continue;
        }
        let lead_basis = if report {
            rules.basis_all(&[Rule::LeadCheck, Rule::Complaint])
        } else {
            rules.basis(Rule::LeadCheck)
        };
        // 15 working days, one extension of 15 (国家医保局令第4号; profile).
        let total = days + if extended { ext } else { 0 };
        let due = ctx.calendar.add_working_days(received, total)?;
        out.push(ctx.clock(
            ClockKind::LeadCheck,
            if extended {
                "线索核查（已延长）"
            } else {
                "线索核查"
            },
            (None, Some(id), number, party),
            received,
            due,
            lead_basis.clone(),
        ));
    }
    Ok(out)
}

fn hold_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]); // every clock of this source is stored (clock_index)
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT h.case_id, h.kind, h.started_on, h.period_days, h.extended_days
         FROM evidence_hold h JOIN case_file c ON c.id = h.case_id
         WHERE h.released_on IS NULL AND {OPEN_CASE}{}",
        ctx.only_case("c.id")
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                parse_stored_date(&r.get::<_, String>(2)?)?,
                r.get::<_, u32>(3)?,
                r.get::<_, u32>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    let mut rules = Cache::default();
    for (case_id, kind, started, days, ext) in rows {
        if kind == "Registration" {
            // 先行登记保存: decide within 7 日, which 行政处罚法 art. 85 reads as working days (001 art. 36).
            let due = ctx.calendar.add_working_days(started, days)?;
            out.push(ctx.case_clock(
                case_id,
                ClockKind::EvidenceRegistration,
                "先行登记保存处理",
                started,
                due,
                rules.basis(conn, case_id, Rule::EvidenceRegistration)?,
            ));
        } else {
            // 封存: at most 30 days, +30 with approval (001 art. 36); calendar days.
            let due = ctx.calendar.calendar_deadline(started, days + ext)?;
            out.push(ctx.case_clock(
                case_id,
                ClockKind::Sealing,
                if ext > 0 {
                    "封存期限（已延长）"
                } else {
                    "封存期限"
                },
                started,
                due,
                rules.basis(conn, case_id, Rule::Sealing)?,
            ));
        }
    }
    Ok(out)
}

/// 陈述申辩期 and 听证申请期: run from service of the notice until the party replies, waives,
/// requests the hearing, or the window lapses (a lapsed party window is not a running clock).
fn window_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]); // every clock of this source is stored (clock_index)
    }
    let mut out = Vec::new();
    for (case_id, w) in super::procedure::open_windows(conn, ctx.calendar, ctx.case_id)? {
        if ctx.today > w.due.date {
            continue;
        }
        out.push(ctx.case_clock(case_id, w.kind, w.kind.label(), w.served_on, w.due, w.basis));
    }
    Ok(out)
}

fn legal_review_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]); // every clock of this source is stored (clock_index)
    }
    // 001 art. 40; 行政处罚法 art. 58: the review within `legal_review_days` working days (profile).
    let mut out = Vec::new();
    let mut rules = Cache::default();
    for (case_id, submitted, due) in
        super::procedure::pending_reviews(conn, ctx.calendar, ctx.case_id)?
    {
        out.push(ctx.case_clock(
            case_id,
            ClockKind::LegalReview,
            "法制审核",
            submitted,
            due,
            {
                // 行政处罚法 art. 58 on the administrative track; the office's rule on the agreement one.
                let agreement: bool = conn.query_row(
                    "SELECT track = 'Agreement' FROM case_file WHERE id = ?1",
                    [case_id],
                    |r| r.get(0),
                )?;
                if agreement {
                    "本单位规则配置".to_string()
                } else {
                    rules.basis(conn, case_id, Rule::LegalReview)?
                }
            },
        ));
    }
    Ok(out)
}

fn decision_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]); // every clock of this source is stored (clock_index)
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, c.filed_on, c.decision_days, c.decision_extension_days, c.track, {}
         FROM case_file c WHERE c.status IN ('Investigating', 'Notified'){}",
        super::procedure::EXCLUDED_DAYS_SQL,
        ctx.only_case("c.id")
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                parse_stored_date(&r.get::<_, String>(1)?)?,
                r.get::<_, u32>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, u32>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, filed, days, ext, track, excluded) in rows {
        let due = super::procedure::decision_deadline(ctx.calendar, filed, days, ext, excluded)?;
        out.push(ctx.case_clock(
            id,
            ClockKind::Decision,
            if ext > 0 {
                "作出处理决定（已延长）"
            } else {
                "作出处理决定"
            },
            filed,
            due,
            if track == "Administrative" {
                "行政处罚法第六十条"
            } else {
                "参照行政处罚法第六十条"
            },
        ));
    }
    Ok(out)
}

fn service_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]); // every clock of this source is stored (clock_index)
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.case_id, s.document, s.issued_on FROM document_service s
         JOIN case_file c ON c.id = s.case_id WHERE s.served_on IS NULL AND {OPEN_CASE}{}",
        ctx.only_case("c.id")
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                parse_stored_date(&r.get::<_, String>(2)?)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (case_id, doc, issued) in rows {
        // 行政处罚法 art. 61: served within 7 日 (working days, art. 85).
        let due = ctx
            .calendar
            .add_working_days(issued, ctx.profile.service_days)?;
        let doc: super::procedure::ServedDocumentKind = crate::vocab::text::enum_from(doc);
        out.push(ctx.case_clock(
            case_id,
            ClockKind::Service,
            format!("文书送达（{}）", doc.label()),
            issued,
            due,
            "行政处罚法第六十一条",
        ));
    }
    Ok(out)
}

fn city_report_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]); // every clock of this source is stored (clock_index)
    }
    // 001 art. 24: a county agency's breach decision goes to the city bureau within 3 working days.
    let county: bool = conn
        .query_row(
            "SELECT level = 'county' FROM office WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or(true);
    if !county {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, d.decided_on FROM case_file c JOIN decision d ON d.case_id = c.id
         WHERE c.track = 'Agreement' AND {OPEN_CASE}
           AND NOT EXISTS (SELECT 1 FROM procedure_step s WHERE s.case_id = c.id AND s.kind = 'ReportedToCity'){}",
        ctx.only_case("c.id")
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                parse_stored_date(&r.get::<_, String>(1)?)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    let mut rules = Cache::default();
    for (case_id, decided) in rows {
        let due = ctx
            .calendar
            .add_working_days(decided, ctx.profile.city_report_days)?;
        out.push(ctx.case_clock(
            case_id,
            ClockKind::CityReport,
            "违约处理决定报市医保局备案",
            decided,
            due,
            rules.basis(conn, case_id, Rule::CityReport)?,
        ));
    }
    Ok(out)
}

fn rectification_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    // 限期整改 (issue 9): the 回头看 is due when the rectification period ends; the clock runs until
    // its result is recorded (`measure.follow_up`).
    measure_clocks(
        conn,
        ctx,
        "SELECT m.case_id, m.starts_on, m.rectify_by FROM agreement_measure m
         WHERE m.kind = 'RectificationOrder' AND m.rectify_by IS NOT NULL AND m.followed_up_on IS NULL",
        ClockKind::Rectification,
        "整改期满，回头看整改情况并登记结果",
    )
}

fn suspension_clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    // 001 art. 19: a suspension ends after its months; shown until the institution is active again.
    measure_clocks(
        conn,
        ctx,
        "SELECT m.case_id, m.starts_on, m.ends_on FROM agreement_measure m
         JOIN institution i ON i.id = m.institution_id
         WHERE m.kind = 'AgreementSuspension' AND i.agreement_status = 'Suspended' AND m.ends_on IS NOT NULL",
        ClockKind::AgreementSuspension,
        "中止协议期满（期满后恢复协议状态）",
    )
}

/// The clocks of decided measures: `sql` selects (case, start, due date) of the measures `m` still
/// running; the basis is the office's rule of agreement measures. Every one is stored (clock_index).
fn measure_clocks(
    conn: &Connection,
    ctx: &ClockContext,
    sql: &str,
    kind: ClockKind,
    label: &str,
) -> Result<Vec<Clock>> {
    if ctx.live_only() {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare_cached(&format!("{sql}{}", ctx.only_case("m.case_id")))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                opt_date(r.get(1)?)?,
                opt_date(r.get(2)?)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    let mut rules = Cache::default();
    for (case_id, starts, due) in rows {
        let (Some(starts), Some(due)) = (starts, due) else {
            continue;
        };
        out.push(ctx.case_clock(
            case_id,
            kind,
            label,
            starts,
            Deadline {
                date: due,
                warnings: vec![],
            },
            rules.basis(conn, case_id, Rule::AgreementMeasures)?,
        ));
    }
    Ok(out)
}
