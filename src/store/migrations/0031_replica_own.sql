-- 0031: a county's masked entries travel with their originals sealed by the county to itself
-- (issue 11: a county restored from an old backup pulls its own entries back from the hub).
--
-- `own`: for an entry the county masked (身份证号/phone, minimum necessary), the values it masked
-- (which change, which column, the original value) sealed with a key only the county holds (derived from its office key; XChaCha20-Poly1305, the
-- entry's hash as nonce source and associated data). The city cannot read it and only stores it;
-- a recovery file gives it back, and the county opens it, checks every hash and replays its log.
-- NULL for unmasked entries and for entries received before 0031.
ALTER TABLE replica_entry ADD COLUMN own BLOB;
