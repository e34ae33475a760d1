-- 0026: 追回台账 per matter at 100,000 cases (issue 10): each matter's balance, stored — 应追回
-- (due), 已缴款 (paid: allocations of payments not cancelled, less completed refunds), 已抵扣
-- (offset: allocations of deductions), 已开票 (receipted: valid fiscal receipts of its payments
-- and deductions) — and last_on, the latest date any of them depends on (paid_on, cancelled_on,
-- refunded_on, settled_on, issued_on, voided_on). reports::recovery::LEDGER reads this row for a
-- matter as of a date on or after last_on (the figures as of that date are then the figures now),
-- and computes the matter's figures from its rows only as of an earlier date.
--
-- Derived data, not audited (like case_amount of 0020 and payment_unreceipted of 0023): one row
-- per case and per self-correction form, recomputed by triggers on every table a figure reads,
-- with the views below (the sub-queries of the ledger, taken with no date limit), and built here
-- from the existing rows.
CREATE TABLE matter_balance (
    kind          TEXT NOT NULL,    -- 'case' | 'self_correction'
    ref           INTEGER NOT NULL, -- case_file.id | self_correction.id
    due_fen       INTEGER NOT NULL,
    paid_fen      INTEGER NOT NULL,
    offset_fen    INTEGER NOT NULL,
    receipted_fen INTEGER NOT NULL,
    last_on       TEXT,             -- NULL: no dated money record yet
    PRIMARY KEY (kind, ref)
) WITHOUT ROWID;

CREATE VIEW matter_balance_case AS
SELECT 'case' AS kind, c.id AS ref,
    (SELECT COALESCE(SUM(r.amount_due_fen), 0) FROM recovery_line r WHERE r.case_id = c.id) AS due_fen,
    (SELECT COALESCE(SUM(a.amount_fen), 0) FROM payment p CROSS JOIN payment_allocation a ON a.payment_id = p.id
       WHERE p.case_id = c.id AND p.cancelled_on IS NULL)
    - (SELECT COALESCE(SUM(ra.amount_fen), 0) FROM payment p CROSS JOIN refund f ON f.payment_id = p.id
         CROSS JOIN refund_allocation ra ON ra.refund_id = f.id
       WHERE p.case_id = c.id AND f.status = 'Completed' AND f.refunded_on IS NOT NULL) AS paid_fen,
    (SELECT COALESCE(SUM(oa.amount_fen), 0) FROM offset_plan op CROSS JOIN offset_deduction od ON od.plan_id = op.id
         CROSS JOIN offset_allocation oa ON oa.deduction_id = od.id
       WHERE op.case_id = c.id) AS offset_fen,
    (SELECT COALESCE(SUM(fr.amount_fen), 0) FROM payment p CROSS JOIN fiscal_receipt fr ON fr.payment_id = p.id
       WHERE p.case_id = c.id AND fr.voided_on IS NULL)
    + (SELECT COALESCE(SUM(fr.amount_fen), 0) FROM offset_plan op CROSS JOIN offset_deduction od ON od.plan_id = op.id
         CROSS JOIN fiscal_receipt fr ON fr.deduction_id = od.id
       WHERE op.case_id = c.id AND fr.voided_on IS NULL) AS receipted_fen,
    NULLIF(MAX(
      COALESCE((SELECT MAX(MAX(p.paid_on, COALESCE(p.cancelled_on, ''))) FROM payment p WHERE p.case_id = c.id), ''),
      COALESCE((SELECT MAX(f.refunded_on) FROM payment p CROSS JOIN refund f ON f.payment_id = p.id
                WHERE p.case_id = c.id), ''),
      COALESCE((SELECT MAX(MAX(fr.issued_on, COALESCE(fr.voided_on, ''))) FROM payment p
                CROSS JOIN fiscal_receipt fr ON fr.payment_id = p.id WHERE p.case_id = c.id), ''),
      COALESCE((SELECT MAX(od.settled_on) FROM offset_plan op CROSS JOIN offset_deduction od ON od.plan_id = op.id
                WHERE op.case_id = c.id), ''),
      COALESCE((SELECT MAX(MAX(fr.issued_on, COALESCE(fr.voided_on, ''))) FROM offset_plan op
                CROSS JOIN offset_deduction od ON od.plan_id = op.id
                CROSS JOIN fiscal_receipt fr ON fr.deduction_id = od.id WHERE op.case_id = c.id), '')
    ), '') AS last_on
FROM case_file c;

CREATE VIEW matter_balance_self_correction AS
SELECT 'self_correction' AS kind, s.id AS ref,
    (SELECT COALESCE(SUM(l.amount_due_fen), 0) FROM self_correction_line l WHERE l.self_correction_id = s.id) AS due_fen,
    (SELECT COALESCE(SUM(a.amount_fen), 0) FROM payment p INDEXED BY payment_self_correction
         CROSS JOIN payment_allocation a ON a.payment_id = p.id
       WHERE p.self_correction_id = s.id AND p.cancelled_on IS NULL)
    - (SELECT COALESCE(SUM(ra.amount_fen), 0) FROM payment p INDEXED BY payment_self_correction
         CROSS JOIN refund f ON f.payment_id = p.id CROSS JOIN refund_allocation ra ON ra.refund_id = f.id
       WHERE p.self_correction_id = s.id AND f.status = 'Completed' AND f.refunded_on IS NOT NULL) AS paid_fen,
    0 AS offset_fen,
    (SELECT COALESCE(SUM(fr.amount_fen), 0) FROM payment p INDEXED BY payment_self_correction
         CROSS JOIN fiscal_receipt fr ON fr.payment_id = p.id
       WHERE p.self_correction_id = s.id AND fr.voided_on IS NULL) AS receipted_fen,
    NULLIF(MAX(
      COALESCE((SELECT MAX(MAX(p.paid_on, COALESCE(p.cancelled_on, ''))) FROM payment p INDEXED BY payment_self_correction
                WHERE p.self_correction_id = s.id), ''),
      COALESCE((SELECT MAX(f.refunded_on) FROM payment p INDEXED BY payment_self_correction
                CROSS JOIN refund f ON f.payment_id = p.id WHERE p.self_correction_id = s.id), ''),
      COALESCE((SELECT MAX(MAX(fr.issued_on, COALESCE(fr.voided_on, ''))) FROM payment p INDEXED BY payment_self_correction
                CROSS JOIN fiscal_receipt fr ON fr.payment_id = p.id WHERE p.self_correction_id = s.id), '')
    ), '') AS last_on
FROM self_correction s;

INSERT INTO matter_balance SELECT * FROM matter_balance_case;
INSERT INTO matter_balance SELECT * FROM matter_balance_self_correction;

-- The triggers: a row written, changed or removed recomputes the matter (or matters, before and
-- after an update) it belongs to.
CREATE TRIGGER matter_balance_case_insert AFTER INSERT ON case_file BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (NEW.id);
END;
CREATE TRIGGER matter_balance_case_delete AFTER DELETE ON case_file BEGIN
    DELETE FROM matter_balance WHERE kind = 'case' AND ref = OLD.id;
END;
CREATE TRIGGER matter_balance_form_insert AFTER INSERT ON self_correction BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (NEW.id);
END;
CREATE TRIGGER matter_balance_form_delete AFTER DELETE ON self_correction BEGIN
    DELETE FROM matter_balance WHERE kind = 'self_correction' AND ref = OLD.id;
END;
CREATE TRIGGER matter_balance_recovery_line_insert AFTER INSERT ON recovery_line BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (NEW.case_id);
END;
CREATE TRIGGER matter_balance_recovery_line_update AFTER UPDATE ON recovery_line BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (OLD.case_id, NEW.case_id);
END;
CREATE TRIGGER matter_balance_recovery_line_delete AFTER DELETE ON recovery_line BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (OLD.case_id);
END;
CREATE TRIGGER matter_balance_self_correction_line_insert AFTER INSERT ON self_correction_line BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (NEW.self_correction_id);
END;
CREATE TRIGGER matter_balance_self_correction_line_update AFTER UPDATE ON self_correction_line BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (OLD.self_correction_id, NEW.self_correction_id);
END;
CREATE TRIGGER matter_balance_self_correction_line_delete AFTER DELETE ON self_correction_line BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (OLD.self_correction_id);
END;
CREATE TRIGGER matter_balance_payment_insert AFTER INSERT ON payment BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (NEW.case_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (NEW.self_correction_id);
END;
CREATE TRIGGER matter_balance_payment_update AFTER UPDATE ON payment BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (OLD.case_id, NEW.case_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (OLD.self_correction_id, NEW.self_correction_id);
END;
CREATE TRIGGER matter_balance_payment_delete AFTER DELETE ON payment BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (OLD.case_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (OLD.self_correction_id);
END;
CREATE TRIGGER matter_balance_payment_allocation_insert AFTER INSERT ON payment_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = NEW.payment_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = NEW.payment_id);
END;
CREATE TRIGGER matter_balance_payment_allocation_update AFTER UPDATE ON payment_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT case_id FROM payment WHERE id = NEW.payment_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT self_correction_id FROM payment WHERE id = NEW.payment_id);
END;
CREATE TRIGGER matter_balance_payment_allocation_delete AFTER DELETE ON payment_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = OLD.payment_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = OLD.payment_id);
END;
CREATE TRIGGER matter_balance_refund_insert AFTER INSERT ON refund BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = NEW.payment_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = NEW.payment_id);
END;
CREATE TRIGGER matter_balance_refund_update AFTER UPDATE ON refund BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT case_id FROM payment WHERE id = NEW.payment_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT self_correction_id FROM payment WHERE id = NEW.payment_id);
END;
CREATE TRIGGER matter_balance_refund_delete AFTER DELETE ON refund BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = OLD.payment_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = OLD.payment_id);
END;
CREATE TRIGGER matter_balance_refund_allocation_insert AFTER INSERT ON refund_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT p.case_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = NEW.refund_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT p.self_correction_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = NEW.refund_id);
END;
CREATE TRIGGER matter_balance_refund_allocation_update AFTER UPDATE ON refund_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT p.case_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = OLD.refund_id UNION ALL SELECT p.case_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = NEW.refund_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT p.self_correction_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = OLD.refund_id UNION ALL SELECT p.self_correction_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = NEW.refund_id);
END;
CREATE TRIGGER matter_balance_refund_allocation_delete AFTER DELETE ON refund_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT p.case_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = OLD.refund_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT p.self_correction_id FROM refund f JOIN payment p ON p.id = f.payment_id WHERE f.id = OLD.refund_id);
END;
CREATE TRIGGER matter_balance_offset_plan_insert AFTER INSERT ON offset_plan BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (NEW.case_id);
END;
CREATE TRIGGER matter_balance_offset_plan_update AFTER UPDATE ON offset_plan BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (OLD.case_id, NEW.case_id);
END;
CREATE TRIGGER matter_balance_offset_plan_delete AFTER DELETE ON offset_plan BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (OLD.case_id);
END;
CREATE TRIGGER matter_balance_offset_deduction_insert AFTER INSERT ON offset_deduction BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM offset_plan WHERE id = NEW.plan_id);
END;
CREATE TRIGGER matter_balance_offset_deduction_update AFTER UPDATE ON offset_deduction BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM offset_plan WHERE id = OLD.plan_id UNION ALL SELECT case_id FROM offset_plan WHERE id = NEW.plan_id);
END;
CREATE TRIGGER matter_balance_offset_deduction_delete AFTER DELETE ON offset_deduction BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM offset_plan WHERE id = OLD.plan_id);
END;
CREATE TRIGGER matter_balance_offset_allocation_insert AFTER INSERT ON offset_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = NEW.deduction_id);
END;
CREATE TRIGGER matter_balance_offset_allocation_update AFTER UPDATE ON offset_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = OLD.deduction_id UNION ALL SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = NEW.deduction_id);
END;
CREATE TRIGGER matter_balance_offset_allocation_delete AFTER DELETE ON offset_allocation BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = OLD.deduction_id);
END;
CREATE TRIGGER matter_balance_fiscal_receipt_insert AFTER INSERT ON fiscal_receipt BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = NEW.payment_id UNION ALL SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = NEW.deduction_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = NEW.payment_id);
END;
CREATE TRIGGER matter_balance_fiscal_receipt_update AFTER UPDATE ON fiscal_receipt BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = OLD.deduction_id UNION ALL SELECT case_id FROM payment WHERE id = NEW.payment_id UNION ALL SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = NEW.deduction_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT self_correction_id FROM payment WHERE id = NEW.payment_id);
END;
CREATE TRIGGER matter_balance_fiscal_receipt_delete AFTER DELETE ON fiscal_receipt BEGIN
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_case WHERE ref IN (SELECT case_id FROM payment WHERE id = OLD.payment_id UNION ALL SELECT op.case_id FROM offset_deduction od JOIN offset_plan op ON op.id = od.plan_id WHERE od.id = OLD.deduction_id);
    INSERT OR REPLACE INTO matter_balance SELECT * FROM matter_balance_self_correction WHERE ref IN (SELECT self_correction_id FROM payment WHERE id = OLD.payment_id);
END;

-- 双随机、一公开 (issue 10): a draw recorded by mistake is withdrawn (draw.withdraw) with the day
-- and the reason, and stays on file. Audited columns, NULL while the draw stands.
ALTER TABLE random_draw ADD COLUMN withdrawn_on TEXT;
ALTER TABLE random_draw ADD COLUMN withdraw_reason TEXT;
