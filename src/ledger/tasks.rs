//! 工作台 · 我的待办 (issue 8): what waits for the logged-in user, per role they hold — the matters
//! they handle, the legal reviews submitted, the decisions to make, the payments to confirm and
//! receipt. Here, above cases, because it reads both the procedure and the money. Each group is a
//! count and the first few matters, each one click from its page.

use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::cases::clocks::OPEN_CASE;
use crate::cases::users::{Role, User};
use crate::error::Result;

/// Matters shown per group (the count says how many there are).
const SHOWN: i64 = 5;

#[derive(Debug, Clone, Serialize, TS)]
pub struct TaskItem {
    /// The case to open (None: a lead, see `lead_id`).
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub lead_id: Option<i64>,
    /// 案件编号 or 线索编号.
    pub reference: String,
    pub party: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TaskGroup {
    /// The role the group belongs to.
    pub role: Role,
    /// What waits, in the office's words.
    pub label: String,
    pub total: i64,
    pub items: Vec<TaskItem>,
}

/// One group: `from_where` is the FROM/WHERE of the matters (selecting `id`, `reference`, `party`
/// as `k`), `?1` the user's id.
fn group(
    conn: &Connection,
    user: i64,
    role: Role,
    label: &str,
    lead: bool,
    from_where: &str,
) -> Result<TaskGroup> {
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT k.id {from_where})"
        ))?
        .query_row(params![user], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT DISTINCT k.id, k.reference, k.party {from_where} ORDER BY k.id DESC LIMIT {SHOWN}"
        ))?
        .query_map(params![user], |r| {
            let id: i64 = r.get(0)?;
            Ok(TaskItem {
                case_id: (!lead).then_some(id),
                lead_id: lead.then_some(id),
                reference: r.get(1)?,
                party: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(TaskGroup {
        role,
        label: label.to_string(),
        total,
        items,
    })
}

/// The open cases as `k` (id, reference, party), joined to their party.
fn cases_k(where_: &str) -> String {
    format!(
        "FROM (SELECT c.id, c.case_number AS reference, COALESCE(i.name, p.name, '') AS party, c.status,
                      c.handler_id, c.co_handler_id
               FROM case_file c LEFT JOIN institution i ON i.id = c.institution_id
               LEFT JOIN insured p ON p.id = c.insured_id WHERE {OPEN_CASE}) k {where_}"
    )
}

/// `task.mine`: the groups of the roles `user` holds, in the order of the work.
pub fn mine(conn: &Connection, user: &User) -> Result<Vec<TaskGroup>> {
    let mut out = Vec::new();
    let id = user.id;
    let has = |r: Role| user.roles.contains(&r);
    if has(Role::Handler) {
        out.push(group(
            conn,
            id,
            Role::Handler,
            "我承办的未结案件",
            false,
            &cases_k("WHERE k.handler_id = ?1 OR k.co_handler_id = ?1"),
        )?);
        out.push(group(conn, id, Role::Handler, "我负责核查的线索", true,
            "FROM (SELECT l.id, l.lead_number AS reference, COALESCE(i.name, p.name, '') AS party, l.handler_id
                   FROM lead l LEFT JOIN institution i ON i.id = l.institution_id
                   LEFT JOIN insured p ON p.id = l.insured_id WHERE l.status = 'Open') k
             WHERE k.handler_id = ?1")?);
    }
    if has(Role::Reviewer) {
        out.push(group(conn, id, Role::Reviewer, "已提交、待法制审核", false, &cases_k(
            "WHERE ?1 IS NOT NULL
               AND EXISTS (SELECT 1 FROM procedure_step s WHERE s.case_id = k.id AND s.kind = 'LegalReviewSubmitted')
               AND NOT EXISTS (SELECT 1 FROM procedure_step s WHERE s.case_id = k.id AND s.kind = 'LegalReview'
                               AND s.id > (SELECT MAX(t.id) FROM procedure_step t WHERE t.case_id = k.id
                                           AND t.kind = 'LegalReviewSubmitted'))"))?);
    }
    if has(Role::Approver) {
        out.push(group(
            conn,
            id,
            Role::Approver,
            "已告知、待作出决定",
            false,
            &cases_k("WHERE ?1 IS NOT NULL AND k.status = 'Notified'"),
        )?);
    }
    if has(Role::Finance) {
        out.push(group(
            conn,
            id,
            Role::Finance,
            "已登记、待确认到账的缴款",
            false,
            &cases_k(
                "WHERE ?1 IS NOT NULL AND EXISTS (SELECT 1 FROM payment y WHERE y.case_id = k.id
                                              AND y.arrived_on IS NULL AND y.cancelled_on IS NULL)",
            ),
        )?);
        out.push(group(conn, id, Role::Finance, "已到账、待开具财政票据", false, &cases_k(
            "WHERE ?1 IS NOT NULL AND EXISTS (SELECT 1 FROM payment y WHERE y.case_id = k.id
                 AND y.arrived_on IS NOT NULL AND y.cancelled_on IS NULL
                 AND NOT EXISTS (SELECT 1 FROM fiscal_receipt f WHERE f.payment_id = y.id AND f.voided_on IS NULL))"))?);
    }
    Ok(out)
}
