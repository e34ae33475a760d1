-- 0008: the case list at 100,000 cases (issue 13).
--
-- Every filter of case.list (status, track, party kind, handler, institution, insured person) is
-- read from the list-order index itself, so that a page with any filter walks one index in order
-- and stops at its LIMIT, and counting reads no table row.
DROP INDEX case_file_filed;
CREATE INDEX case_file_list ON case_file(
    filed_on DESC, id DESC, status, track, party_kind, handler_id, institution_id, insured_id
);

-- Substring search (store/search.rs): bigrams of the case number, summary, party name and
-- institution code; rowid = case_file.id. Derived data, rebuilt by the application when it does not
-- cover every case (it is filled on the first open after this migration).
CREATE VIRTUAL TABLE case_search USING fts5(
    number, summary, party, code, tokenize = 'unicode61 remove_diacritics 0'
);

-- ledger.case lists every receipt of a case, voided ones included: the partial indexes of 0003
-- cover only valid receipts, so these serve the lookup by payment and by deduction.
CREATE INDEX fiscal_receipt_payment ON fiscal_receipt(payment_id);
CREATE INDEX fiscal_receipt_deduction ON fiscal_receipt(deduction_id);

-- ledger.reconcile reads the cases open during the month (closed_on NULL or in/after the month).
CREATE INDEX case_file_closed ON case_file(closed_on);

-- The dashboard's clock sources read only what is pending, not every row ever written.
CREATE INDEX payment_proof_pending ON payment(case_id) WHERE proof_received_on IS NULL AND cancelled_on IS NULL;
CREATE INDEX document_service_unserved ON document_service(case_id) WHERE served_on IS NULL;
CREATE INDEX evidence_hold_unreleased ON evidence_hold(case_id) WHERE released_on IS NULL;
