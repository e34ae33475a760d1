//! Substring search of the case list (issue 13): a full-text index of every case's number, summary,
//! party name, institution code, the numbers of its documents and the words of its findings (issue 8),
//! so that a search reads the index instead of every case.
//!
//! FTS5's trigram tokenizer cannot find two-character words (同仁, 人民: the commonest searches), so
//! the index holds *bigrams*: each text is normalised (letters, digits and CJK only, lower case) and
//! stored as every pair of consecutive characters plus the last character alone, as space-separated
//! tokens of FTS5's `unicode61` tokenizer ("同仁医院" → "同仁 仁医 医院 院"). A search for text
//! of two or more characters is the phrase of its bigrams (consecutive tokens = a substring, within one
//! column); one character is a prefix query. Punctuation does not count: "〔2026〕12" finds "2026 12".
//!
//! Since 0027 the table is contentless (the bigram texts are in the index only) and keeps a digest
//! of the texts per case, so that an unchanged case is not indexed again.
//!
//! The index is derived data, not audited: [`refresh`] keeps it current inside every write
//! transaction ([`super::Store::write`]) from the rows the command touched, and [`ensure`] rebuilds
//! it when it does not cover every case (a new or imported database).

use rusqlite::{params_from_iter, Connection, OptionalExtension};

use crate::error::Result;

/// Letters, digits and CJK characters of `s`, lower case; everything else dropped.
fn normalise(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The indexed form of a text: its bigrams and its last character, space-separated.
pub fn grams(s: &str) -> String {
    let cs = normalise(s);
    let mut out = String::with_capacity(cs.len() * 7);
    for w in cs.windows(2) {
        out.push(w[0]);
        out.push(w[1]);
        out.push(' ');
    }
    if let Some(last) = cs.last() {
        out.push(*last);
    }
    out
}

/// The FTS5 query finding `text` as a substring of a column, or None when the text has no letter,
/// digit or CJK character to look for.
pub fn match_expr(text: &str) -> Option<String> {
    let cs = normalise(text);
    match cs.len() {
        0 => None,
        1 => Some(format!("\"{}\"*", cs[0])),
        _ => Some(format!("\"{}\"", grams(text).rsplit_once(' ')?.0)),
    }
}

/// Separates the items of a list column (document numbers, findings) in [`CASE_TEXTS`]: each item
/// is indexed on its own, so that no search matches across two of them.
const ITEM_SEPARATOR: char = '\u{1f}';

/// The columns indexed for one case, in the order of the `case_search` table. The last two are
/// lists: every document number the matter carries (served documents, issued 文书, 通知单, 抵扣通知书,
/// 罚没款决定) and every finding, joined by [`ITEM_SEPARATOR`].
const CASE_TEXTS: &str =
    "SELECT c.id, c.case_number, c.summary, COALESCE(i.name, p.name, ''), COALESCE(i.code, ''),
        (SELECT COALESCE(group_concat(n, char(31)), '') FROM (
            SELECT document_number AS n FROM document_service WHERE case_id = c.id AND document_number <> ''
            UNION SELECT number FROM issued_document WHERE case_id = c.id
            UNION SELECT notice_number FROM collection WHERE case_id = c.id AND notice_number <> ''
            UNION SELECT notice_number FROM offset_plan WHERE case_id = c.id
            UNION SELECT decision_number FROM fine WHERE case_id = c.id)),
        (SELECT COALESCE(group_concat(description, char(31)), '') FROM finding WHERE case_id = c.id)
     FROM case_file c LEFT JOIN institution i ON i.id = c.institution_id
     LEFT JOIN insured p ON p.id = c.insured_id";

/// The indexed form of a list column: each item's [`grams`], space-separated.
fn list_grams(s: &str) -> String {
    s.split(ITEM_SEPARATOR)
        .map(grams)
        .filter(|g| !g.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tables whose rows carry words of a case's list columns: a touched row re-indexes its case.
const CASE_PARTS: &[&str] = &[
    "finding",
    "document_service",
    "issued_document",
    "collection",
    "offset_plan",
    "fine",
];

/// The digest kept beside a case's entry (the index holds no copy of its texts since 0027): the
/// first 8 bytes of sha256 over the six indexed texts, each followed by U+001F.
fn digest(texts: &[String; 6]) -> i64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for t in texts {
        h.update(t.as_bytes());
        h.update([0x1f]);
    }
    i64::from_be_bytes(h.finalize()[..8].try_into().expect("8 bytes"))
}

/// (Re)indexes the cases selected by `filter` (a `WHERE` clause over `c`, with `args`).
fn index(conn: &Connection, filter: &str, args: &[i64]) -> Result<()> {
    let mut read = conn.prepare_cached(&format!("{CASE_TEXTS} {filter}"))?;
    let mut indexed = conn.prepare_cached("SELECT digest FROM case_search WHERE rowid = ?1")?;
    let mut delete = conn.prepare_cached("DELETE FROM case_search WHERE rowid = ?1")?;
    let mut write = conn.prepare_cached(
        "INSERT INTO case_search (rowid, number, summary, party, code, documents, findings, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut rows = read.query(params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let mut texts: [String; 6] = Default::default();
        for (i, t) in texts.iter_mut().enumerate() {
            let text = r.get::<_, String>(i + 1)?;
            *t = if i < 4 {
                grams(&text)
            } else {
                list_grams(&text)
            };
        }
        let digest = digest(&texts);
        // Most writes to a case change none of its searched texts: leave the index alone then
        // (rewriting an FTS5 row leaves a tombstone that later searches read past).
        let now: Option<Option<i64>> = indexed.query_row([id], |r| r.get(0)).optional()?;
        match now {
            Some(Some(d)) if d == digest => continue,
            Some(_) => {
                delete.execute([id])?;
            }
            None => {}
        }
        let [a, b, c, d, e, f] = texts;
        write.execute(rusqlite::params![id, a, b, c, d, e, f, digest])?;
    }
    Ok(())
}

/// Keeps the index current for the rows a write touched: the cases themselves, and every case of
/// a touched institution or insured person (whose name may have changed).
pub fn refresh(conn: &Connection, touched: &[(&'static str, i64)]) -> Result<()> {
    for (table, id) in touched {
        let filter = match *table {
            "case_file" => {
                conn.execute(
                    "DELETE FROM case_search WHERE rowid = ?1
                       AND NOT EXISTS (SELECT 1 FROM case_file WHERE id = ?1)",
                    [id],
                )?;
                "WHERE c.id = ?1"
            }
            "institution" => "WHERE c.institution_id = ?1",
            "insured" => "WHERE c.insured_id = ?1",
            part if CASE_PARTS.contains(&part) => {
                // A removed row (a finding taken back) no longer names its case: its words stay
                // until the case is indexed again (a search may then find the case once too often).
                let case: Option<i64> = conn
                    .query_row(
                        &format!("SELECT case_id FROM {part} WHERE id = ?1"),
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                if let Some(case) = case {
                    index(conn, "WHERE c.id = ?1", &[case])?;
                }
                continue;
            }
            _ => continue,
        };
        index(conn, filter, &[*id])?;
    }
    Ok(())
}

/// Rebuilds the index when it does not hold exactly one entry per case, in one transaction (row by
/// row in autocommit, every insert was its own synced commit: minutes at 100,000 cases).
pub fn ensure(conn: &Connection) -> Result<()> {
    let (indexed, cases): (i64, i64) = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM case_search), (SELECT COUNT(*) FROM case_file)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if indexed != cases {
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO case_search (case_search) VALUES ('delete-all')",
            [],
        )?;
        index(&tx, "", &[])?;
        tx.execute(
            "INSERT INTO case_search (case_search) VALUES ('optimize')",
            [],
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_indexed_as_bigrams_and_searched_as_phrases() {
        assert_eq!(grams("同仁医院"), "同仁 仁医 医院 院");
        assert_eq!(
            grams("和医保〔2026〕12号"),
            "和医 医保 保2 20 02 26 61 12 2号 号"
        );
        assert_eq!(grams("Ab"), "ab b");
        assert_eq!(grams("人"), "人");
        assert_eq!(grams("（）"), "");
        assert_eq!(match_expr(" 同仁 ").as_deref(), Some("\"同仁\""));
        assert_eq!(match_expr("中医院").as_deref(), Some("\"中医 医院\""));
        assert_eq!(match_expr("院").as_deref(), Some("\"院\"*"));
        assert_eq!(match_expr("〔〕"), None);
    }

    #[test]
    fn a_search_finds_substrings_within_one_column_only() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize = 'unicode61 remove_diacritics 0');",
        )
        .unwrap();
        for (id, a, b) in [
            (1, "天津市同仁堂药店", "串换药品"),
            (2, "天津市人民医院", "虚记住院费用"),
            (3, "天津市中医院", "分解住院"),
            (4, "某费用", "人民路诊所"),
        ] {
            conn.execute(
                "INSERT INTO t (rowid, a, b) VALUES (?1, ?2, ?3)",
                rusqlite::params![id, grams(a), grams(b)],
            )
            .unwrap();
        }
        let find = |q: &str| -> Vec<i64> {
            let mut s = conn
                .prepare("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid")
                .unwrap();
            s.query_map([match_expr(q).unwrap()], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(find("同仁"), vec![1]);
        assert_eq!(find("人民"), vec![2, 4]);
        assert_eq!(find("中医院"), vec![3]);
        assert_eq!(find("医院"), vec![2, 3]);
        assert_eq!(find("住院"), vec![2, 3]);
        assert_eq!(find("院"), vec![2, 3]);
        assert_eq!(find("药"), vec![1]);
        // "费用" ends column a of case 4 and "人民" begins column b: no match across columns.
        assert_eq!(find("用人"), Vec::<i64>::new());
        assert_eq!(find("医院费"), Vec::<i64>::new());
    }
}
