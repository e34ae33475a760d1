-- 0006: an issued 自查自纠退回明细单 (004 附件2/3) remembers its self-correction record, so the record's
-- forms can be listed and a form is issued once per record (then reprinted). NULL for case documents.
-- Rows issued before this migration keep NULL; audit.verify treats a column added later as NULL in
-- their recorded images.

ALTER TABLE issued_document ADD COLUMN self_correction_id INTEGER REFERENCES self_correction(id);
CREATE INDEX issued_document_self_correction ON issued_document(self_correction_id);
