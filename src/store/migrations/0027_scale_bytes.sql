-- 0027: fewer bytes per case (issue 13: ≤ 6 KB per case).
--
-- Single-column indexes that are the first column of a wider index on the same table: the wider one
-- serves every lookup (and the foreign keys) they served, so each kept only a second copy of the
-- column and the row id per row.
DROP INDEX IF EXISTS decision_decided_on;          -- decision_decided_case (decided_on, case_id, kind)
DROP INDEX IF EXISTS fiscal_receipt_issued_on;     -- fiscal_receipt_issued_cover (issued_on, …)
DROP INDEX IF EXISTS fiscal_receipt_payment;       -- fiscal_receipt_payment_issued (payment_id, …)
DROP INDEX IF EXISTS payment_case;                 -- payment_case_paid (case_id, paid_on, cancelled_on)
DROP INDEX IF EXISTS payment_allocation_payment;   -- payment_allocation_payment_amount (payment_id, amount_fen)
DROP INDEX IF EXISTS recovery_line_case;           -- recovery_line_case_due (case_id, amount_due_fen)

-- The case search index without a copy of its texts: the bigram texts were stored twice (as FTS5
-- content and in the index). Contentless, it keeps only the index and, per case, a digest of the
-- texts it was built from (`digest`, unindexed), so that a write that changes none of a case's
-- searched texts still leaves the index alone. Derived data: rebuilt by the application on the
-- first open after this migration (store/search.rs `ensure`).
DROP TABLE case_search;
CREATE VIRTUAL TABLE case_search USING fts5(
    number, summary, party, code, documents, findings, digest UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
