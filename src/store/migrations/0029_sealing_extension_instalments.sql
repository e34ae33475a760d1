-- The extension of a 封存 (行政强制法 art. 25: 延长查封、扣押的决定应当及时书面告知当事人，并说明理由):
-- the day it was decided and its reason, which the 延长封存期限通知书 prints. Audited columns, NULL for
-- holds extended before (their paper cannot be printed: the reason was not kept).
ALTER TABLE evidence_hold ADD COLUMN extended_on TEXT;
ALTER TABLE evidence_hold ADD COLUMN extension_reason TEXT;

-- 分期缴纳 of a fine approved on the party's application (行政处罚法 art. 66): one row per instalment,
-- the plan's approval repeated on each (a fine has at most one plan). The instalments cover what of
-- the fine was still owed when the plan was approved; a late instalment carries the surcharge on its
-- own amount (`ledger::fine`).
CREATE TABLE fine_instalment (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,
    fine_id      INTEGER NOT NULL REFERENCES fine(id),
    seq          INTEGER NOT NULL CHECK (seq >= 1),
    due_on       TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    approved_on  TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    UNIQUE (fine_id, seq)
);

-- Money of insured persons of another province treated here (跨省异地就医直接结算; 天津 art. 16 and
-- the national rules on cross-province settlement): the line names the 参保地; such money goes back
-- to the 参保地 account as a reduction of the cross-province settlement, not into the local fund
-- (`reports::funds`). Audited column, NULL for local money and for lines made before.
ALTER TABLE recovery_line ADD COLUMN insured_region TEXT;

-- The persons of an institution when its agreement was terminated (令第2号/第3号: the 5-year bar
-- follows the 法定代表人/主要负责人/实际控制人 who caused it, also after the institution names others).
-- Audited columns, NULL on other measures and on terminations recorded before (those compare with
-- the institution's current persons only).
ALTER TABLE agreement_measure ADD COLUMN legal_rep_then TEXT;
ALTER TABLE agreement_measure ADD COLUMN principal_then TEXT;
ALTER TABLE agreement_measure ADD COLUMN controller_then TEXT;

-- The fingerprint of an issued document's paper (`docs::RenderedPdf::content`: every run of text with
-- its face, size and place, every rule): a reprint is accepted when it gives the same bytes or the
-- same paper, so that another version of the PDF writer (issue 13: fonts cut before printpdf embeds
-- them) or a font file re-encoded does not lock the archive. Audited column, NULL for documents issued
-- before (rendered again and said to be, `docs::issue::reproduce`).
ALTER TABLE issued_document ADD COLUMN content_sha TEXT;
