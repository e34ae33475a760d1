//! The list-filter SQL shared by every list command: `WHERE` clauses with numbered parameters, a
//! substring search over several columns, the count and one page.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, Row};

use crate::error::Result;
use crate::vocab::text::{enum_text, like_pattern};

/// One page of a list and the number of rows matching the filter.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// How many rows a page may hold at most, and the default.
pub const PAGE_MAX: i64 = 1000;
pub const PAGE_DEFAULT: i64 = 50;

/// `(offset, limit)` of a page as requested, within bounds.
pub fn page_bounds(offset: Option<i64>, limit: Option<i64>) -> (i64, i64) {
    (
        offset.unwrap_or(0).max(0),
        limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX),
    )
}

/// `WHERE` clauses joined by AND, with their parameters (`?1`, `?2`, … in order).
#[derive(Default)]
pub struct Filter {
    clauses: Vec<String>,
    args: Vec<SqlValue>,
}

impl Filter {
    /// The text typed in a search box (trimmed; empty means no filter) found as a substring of any of
    /// `columns`; `%`, `_` and `\\` match themselves.
    pub fn search(&mut self, query: Option<&str>, columns: &[&str]) -> &mut Self {
        if let Some(q) = query.map(str::trim).filter(|s| !s.is_empty()) {
            self.args.push(SqlValue::Text(like_pattern(q)));
            let n = self.args.len();
            let ors: Vec<String> = columns
                .iter()
                .map(|c| format!("{c} LIKE ?{n} ESCAPE '\\'"))
                .collect();
            self.clauses.push(format!("({})", ors.join(" OR ")));
        }
        self
    }

    /// A clause with one parameter: `clause(n)` is the clause naming it as `?n`.
    pub fn param(
        &mut self,
        value: impl Into<SqlValue>,
        clause: impl FnOnce(usize) -> String,
    ) -> &mut Self {
        self.args.push(value.into());
        self.clauses.push(clause(self.args.len()));
        self
    }

    /// `column = value` when a value is given.
    pub fn eq(&mut self, column: &str, value: Option<impl Into<SqlValue>>) -> &mut Self {
        self.cmp(column, "=", value)
    }

    /// `column <op> value` (a comparison such as `>=`) when a value is given.
    pub fn cmp(&mut self, column: &str, op: &str, value: Option<impl Into<SqlValue>>) -> &mut Self {
        if let Some(v) = value {
            self.args.push(v.into());
            self.clauses
                .push(format!("{column} {op} ?{}", self.args.len()));
        }
        self
    }

    /// `column = <stored form of the enum>` when a value is given.
    pub fn eq_enum<T: serde::Serialize>(&mut self, column: &str, value: Option<T>) -> &mut Self {
        self.eq(column, value.map(|v| enum_text(&v)))
    }

    /// A clause without parameters, when `on`.
    pub fn when(&mut self, on: bool, clause: &str) -> &mut Self {
        if on {
            self.clauses.push(clause.to_string());
        }
        self
    }

    /// How many clauses the filter has.
    pub fn len(&self) -> usize {
        self.clauses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// `WHERE …`, or nothing.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// `SELECT COUNT(*) <from> WHERE …`.
    pub fn count(&self, conn: &Connection, from: &str) -> Result<i64> {
        Ok(conn.query_row(
            &format!("SELECT COUNT(*) {from} {}", self.sql()),
            params_from_iter(&self.args),
            |r| r.get(0),
        )?)
    }

    /// Like [`Filter::page`], but a page in the second half of `total` rows is read from the other
    /// end (`reverse` is `order` reversed) and turned round, so that no page walks more than half of
    /// the rows matching the filter.
    #[allow(clippy::too_many_arguments)]
    pub fn page_from_nearer_end<T>(
        &self,
        conn: &Connection,
        select: &str,
        (order, reverse): (&str, &str),
        (offset, limit): (i64, i64),
        total: i64,
        row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        if offset <= total / 2 || offset >= total {
            return self.page(conn, select, order, (offset, limit), row);
        }
        let end = (offset + limit).min(total);
        let mut items = self.page(conn, select, reverse, (total - end, end - offset), row)?;
        items.reverse();
        Ok(items)
    }

    /// `<select> WHERE … ORDER BY <order> LIMIT … OFFSET …`, each row read by `row`.
    pub fn page<T>(
        &self,
        conn: &Connection,
        select: &str,
        order: &str,
        (offset, limit): (i64, i64),
        row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = conn.prepare_cached(&format!(
            "{select} {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            self.sql()
        ))?;
        let rows = stmt
            .query_map(params_from_iter(&self.args), row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_are_numbered_in_order() {
        let mut f = Filter::default();
        f.search(Some(" 人民 "), &["a", "b"])
            .eq("c", Some(3i64))
            .eq("d", None::<i64>)
            .when(true, "e IS NULL");
        assert_eq!(
            f.sql(),
            "WHERE (a LIKE ?1 ESCAPE '\\' OR b LIKE ?1 ESCAPE '\\') AND c = ?2 AND e IS NULL"
        );
        assert!(Filter::default()
            .search(Some("  "), &["a"])
            .sql()
            .is_empty());
        assert_eq!(page_bounds(Some(-5), Some(5000)), (0, 1000));
        assert_eq!(page_bounds(None, None), (0, 50));
    }
}
