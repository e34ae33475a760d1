-- The persons of an institution (issue 9; 国家医疗保障局令第2号/第3号, 天津 art. 8): its 联系人 (the
-- contact person, distinct from 联系电话 in `contact`), 主要负责人 and 实际控制人 — with 法定代表人
-- (`legal_rep`) the persons a 5-year bar follows after a termination for 违法违规 — and the clerk's
-- note of how a namesake was found to be another person (同名核实说明). Audited columns, NULL when
-- empty (earlier audit images have none of them).
ALTER TABLE institution ADD COLUMN contact_person TEXT;
ALTER TABLE institution ADD COLUMN principal TEXT;
ALTER TABLE institution ADD COLUMN controller TEXT;
ALTER TABLE institution ADD COLUMN namesake_note TEXT;

-- One 送达回证 per document served (issue 9; 行政处罚法 art. 61): the service a receipt was issued
-- for. Audited column, NULL for other documents and for receipts issued before.
ALTER TABLE issued_document ADD COLUMN service_id INTEGER REFERENCES document_service(id);
CREATE UNIQUE INDEX issued_receipt_per_service ON issued_document(service_id)
    WHERE kind = 'ServiceReceipt' AND service_id IS NOT NULL;

-- What changes a fine's payment after its decision (issue 9): 暂缓缴纳 approved on the party's
-- application (行政处罚法 art. 66: `ended_on` is the new due date), 行政复议 / 行政诉讼 brought
-- (art. 73: the surcharge does not accrue from `started_on` to `ended_on`, or while still pending).
CREATE TABLE fine_relief (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    fine_id     INTEGER NOT NULL REFERENCES fine(id),
    kind        TEXT NOT NULL CHECK (kind IN ('Deferral', 'Review', 'Litigation')),
    started_on  TEXT NOT NULL,
    ended_on    TEXT,
    reference   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (kind <> 'Deferral' OR ended_on IS NOT NULL),
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX fine_relief_fine ON fine_relief(fine_id);
