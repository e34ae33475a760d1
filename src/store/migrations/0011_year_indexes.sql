-- Issue 8: the 工作台's year at a glance (`ledger.year_summary`) sums each kind of record by its date;
-- these indexes keep that proportional to the year's records, not to the office's history.
CREATE INDEX decision_decided_on ON decision(decided_on);
CREATE INDEX self_correction_submitted_on ON self_correction(submitted_on);
CREATE INDEX payment_paid_on ON payment(paid_on);
CREATE INDEX refund_refunded_on ON refund(refunded_on) WHERE status = 'Completed';
CREATE INDEX offset_deduction_settled_on ON offset_deduction(settled_on);
CREATE INDEX fiscal_receipt_issued_on ON fiscal_receipt(issued_on);
