-- ledger.reconcile at 100,000 cases (issue 13): the matters a month reads are looked up by case, and
-- each lookup read a wide table row (a decision's texts, a recovery line's note and category) for two
-- or three narrow columns. These covering indexes answer those lookups from index pages only, so a
-- month's reconciliation reads about half the pages it did (measured in ARCHITECTURE.md, "What serves
-- each screen"). Derived data: no audited column changes.

-- A line's fund joins its case and amount (0023's index on case_id, amount_due_fen, which the ledger
-- and the 追回台账 read covering, widened by the fund: one index instead of two).
DROP INDEX recovery_line_case_due;
CREATE INDEX recovery_line_case_fund ON recovery_line(case_id, amount_due_fen, fund);

-- A case's decision date and 缴费时限 (the notices of the month, the overdue check).
CREATE INDEX decision_case_dates ON decision(case_id, decided_on, payment_due);
