-- 0023: the monthly reconciliation set-based (issue 13: ledger.reconcile in ≤ 200 ms at 100,000
-- cases, work proportional to the month's records, not to history). `ledger::reconcile` finds the
-- payments and deductions a month can say anything about through these indexes instead of loading
-- every open matter: what arrived, was receipted, refunded or deducted in or after the month (the
-- date indexes of 0011/0014), and what stands open now — not arrived, no valid receipt, proof late
-- or missing, an over-payment, a refund requested — through the partial indexes and the two tables
-- below, each as small as what is open.

-- Payments not confirmed as arrived (pending, or cancelled), by the day they were cancelled.
CREATE INDEX payment_unarrived ON payment(cancelled_on) WHERE arrived_on IS NULL;
-- Payments whose proof came late or never (004 art. 9): a mismatch in every later month.
CREATE INDEX payment_proof_late ON payment(proof_due_on)
    WHERE proof_received_on IS NULL OR proof_received_on > proof_due_on;
-- Payments recorded with an over-payment (004 art. 15).
CREATE INDEX payment_credit ON payment(credit_fen) WHERE credit_fen > 0;
-- Refund requests not yet done or refused.
CREATE INDEX refund_requested ON refund(payment_id) WHERE status = 'Requested';
-- 通知单 issued in a month (what was asked for).
CREATE INDEX collection_issued_on ON collection(issued_on);
-- Offset plans running at the end of a month: still open, or closed after it.
CREATE INDEX offset_plan_closed_on ON offset_plan(closed_on);

-- Payments not cancelled that have no valid (not 冲红) fiscal receipt, and deductions likewise:
-- derived data, not audited (like case_amount of 0020), kept by the triggers below on every path
-- that writes a payment, a deduction or a receipt. A payment leaves the table when it is receipted
-- or cancelled and comes back when its receipt is voided.
CREATE TABLE payment_unreceipted (payment_id INTEGER PRIMARY KEY);
CREATE TABLE deduction_unreceipted (deduction_id INTEGER PRIMARY KEY);
INSERT INTO payment_unreceipted (payment_id)
    SELECT p.id FROM payment p WHERE p.cancelled_on IS NULL
      AND NOT EXISTS (SELECT 1 FROM fiscal_receipt r WHERE r.payment_id = p.id AND r.voided_on IS NULL);
INSERT INTO deduction_unreceipted (deduction_id)
    SELECT d.id FROM offset_deduction d
    WHERE NOT EXISTS (SELECT 1 FROM fiscal_receipt r WHERE r.deduction_id = d.id AND r.voided_on IS NULL);

CREATE TRIGGER payment_unreceipted_insert AFTER INSERT ON payment BEGIN
    INSERT OR IGNORE INTO payment_unreceipted (payment_id)
        SELECT NEW.id WHERE NEW.cancelled_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM fiscal_receipt WHERE payment_id = NEW.id AND voided_on IS NULL);
END;
CREATE TRIGGER payment_unreceipted_update AFTER UPDATE OF cancelled_on ON payment BEGIN
    DELETE FROM payment_unreceipted WHERE payment_id = NEW.id;
    INSERT INTO payment_unreceipted (payment_id)
        SELECT NEW.id WHERE NEW.cancelled_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM fiscal_receipt WHERE payment_id = NEW.id AND voided_on IS NULL);
END;
CREATE TRIGGER payment_unreceipted_delete AFTER DELETE ON payment BEGIN
    DELETE FROM payment_unreceipted WHERE payment_id = OLD.id;
END;
CREATE TRIGGER deduction_unreceipted_insert AFTER INSERT ON offset_deduction BEGIN
    INSERT OR IGNORE INTO deduction_unreceipted (deduction_id)
        SELECT NEW.id WHERE NOT EXISTS
            (SELECT 1 FROM fiscal_receipt WHERE deduction_id = NEW.id AND voided_on IS NULL);
END;
CREATE TRIGGER deduction_unreceipted_delete AFTER DELETE ON offset_deduction BEGIN
    DELETE FROM deduction_unreceipted WHERE deduction_id = OLD.id;
END;
-- A receipt written, changed (冲红) or removed: the state of the payment or deduction it was and is
-- for, judged again.
CREATE TRIGGER receipt_unreceipted_insert AFTER INSERT ON fiscal_receipt BEGIN
    DELETE FROM payment_unreceipted WHERE payment_id = NEW.payment_id AND NEW.voided_on IS NULL;
    DELETE FROM deduction_unreceipted WHERE deduction_id = NEW.deduction_id AND NEW.voided_on IS NULL;
END;
CREATE TRIGGER receipt_unreceipted_update AFTER UPDATE ON fiscal_receipt BEGIN
    DELETE FROM payment_unreceipted WHERE payment_id IN (OLD.payment_id, NEW.payment_id);
    INSERT OR IGNORE INTO payment_unreceipted (payment_id)
        SELECT p.id FROM payment p WHERE p.id IN (OLD.payment_id, NEW.payment_id) AND p.cancelled_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM fiscal_receipt r WHERE r.payment_id = p.id AND r.voided_on IS NULL);
    DELETE FROM deduction_unreceipted WHERE deduction_id IN (OLD.deduction_id, NEW.deduction_id);
    INSERT OR IGNORE INTO deduction_unreceipted (deduction_id)
        SELECT d.id FROM offset_deduction d WHERE d.id IN (OLD.deduction_id, NEW.deduction_id)
          AND NOT EXISTS (SELECT 1 FROM fiscal_receipt r WHERE r.deduction_id = d.id AND r.voided_on IS NULL);
END;
CREATE TRIGGER receipt_unreceipted_delete AFTER DELETE ON fiscal_receipt BEGIN
    INSERT OR IGNORE INTO payment_unreceipted (payment_id)
        SELECT p.id FROM payment p WHERE p.id = OLD.payment_id AND p.cancelled_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM fiscal_receipt r WHERE r.payment_id = p.id AND r.voided_on IS NULL);
    INSERT OR IGNORE INTO deduction_unreceipted (deduction_id)
        SELECT d.id FROM offset_deduction d WHERE d.id = OLD.deduction_id
          AND NOT EXISTS (SELECT 1 FROM fiscal_receipt r WHERE r.deduction_id = d.id AND r.voided_on IS NULL);
END;

-- 追回台账 (reports::recovery::LEDGER) at 100,000 cases: each figure of a matter read from an index
-- alone (no table row per payment, allocation, line or receipt).
CREATE INDEX recovery_line_case_due ON recovery_line(case_id, amount_due_fen);
CREATE INDEX payment_case_paid ON payment(case_id, paid_on, cancelled_on);
CREATE INDEX payment_allocation_payment_amount ON payment_allocation(payment_id, amount_fen);
CREATE INDEX fiscal_receipt_payment_issued ON fiscal_receipt(payment_id, issued_on, voided_on, amount_fen);
-- 追回资金报送 and the monthly table's 追回 column: the period's receipts with what they are for and
-- their amount, from the index alone.
CREATE INDEX fiscal_receipt_issued_cover ON fiscal_receipt(issued_on, voided_on, payment_id, deduction_id, amount_fen);
