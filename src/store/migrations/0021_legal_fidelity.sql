-- Law-enforcement certificates (执法证, issue 9): officers on an administrative matter must hold a
-- valid one (行政处罚法 art. 42, 55). NULL = none on file. Columns added to audited tables stay NULL
-- until their row is next written, so that the rows' audit images still compare (store::audit).
ALTER TABLE app_user ADD COLUMN cert_no TEXT;
ALTER TABLE app_user ADD COLUMN cert_expires TEXT;

-- 限期整改 and its 回头看 (issue 9): the deadline the order set, and the follow-up's date and result.
-- A result of "not rectified" is the recorded fact of 拒不改正 a later decision relies on
-- (条例 art. 38 ff.; 001 art. 42(二): a ground for a heavier penalty).
ALTER TABLE agreement_measure ADD COLUMN rectify_by TEXT;
ALTER TABLE agreement_measure ADD COLUMN followed_up_on TEXT;
ALTER TABLE agreement_measure ADD COLUMN rectified INTEGER CHECK (rectified IN (0, 1));
ALTER TABLE agreement_measure ADD COLUMN follow_up_note TEXT;

-- Entered in the 医保信息平台 on (issue 9; 004 art. 7, 9, 11): the 通知单's collection terms, the
-- self-correction form, the payment voucher, the fiscal receipt. NULL: not entered yet.
ALTER TABLE collection ADD COLUMN platform_entered_on TEXT;
ALTER TABLE self_correction ADD COLUMN platform_entered_on TEXT;
ALTER TABLE payment ADD COLUMN platform_entered_on TEXT;
ALTER TABLE fiscal_receipt ADD COLUMN platform_entered_on TEXT;
