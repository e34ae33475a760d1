-- 0030: the audit chain without a stored copy of each link (issue 13: ≤ 6 KB per case).
--
-- An entry's `prev_hash` was always the `hash` of the entry before it (GENESIS before the first):
-- 32 bytes per entry (~0.37 KB per case) that said nothing the log does not already say. It is no
-- longer stored; whoever needs it reads the previous entry's hash (`store::audit`: verify replays
-- the chain with the running hash; the listing and the exchange's bundles read it from entry
-- seq − 1). The hash of an entry is defined as before, over the previous entry's hash, so every
-- entry and bundle made before still verifies, and a link that was broken before (a stored
-- prev_hash other than the previous hash) still fails: the entry's hash was computed over the
-- stored value, and the recomputation over the previous entry's hash gives another.
--
-- Likewise at the city: a county's replica (`replica_entry`) always runs from the county's first
-- entry without a gap (an import refuses a gap), so the link of each held entry is the hash of the
-- held entry before it. Bundles keep carrying `prev_hash` per entry (the wire format is unchanged).
ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE replica_entry DROP COLUMN prev_hash;
