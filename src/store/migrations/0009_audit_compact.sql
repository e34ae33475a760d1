-- 0009: a compact audit log (issue 13).
--
-- From this version on, `audit_log.changes` of a new entry holds its canonical JSON text compressed
-- with zstd and the dictionary built into the program (src/store/audit_changes.dict), as a BLOB;
-- entries written before keep their plain TEXT. Either way the entry's hash is over the canonical
-- uncompressed text, so the chain means what it meant before. Likewise `prev_hash` and `hash` of a
-- new entry are its 32 bytes (BLOB) instead of 64 hex digits (TEXT); they read as hex either way.

-- The digest of the last recorded image of every audited row (key: table code << 40 | id; digest:
-- the first 8 bytes of sha256(table ␟ id ␟ image) as an integer). A command that touches a row
-- whose image has not changed since it was last recorded writes no image of it. Rows recorded
-- before this version have no digest here and get one the next time they are recorded. The table is
-- a cache of the log, not evidence: `audit.verify` never trusts it.
CREATE TABLE audit_row (
    key     INTEGER PRIMARY KEY,
    digest  INTEGER NOT NULL
);

-- The last successful `audit.verify`: entries up to `seq` (whose hash was `hash`) were verified on
-- `verified_at`; an incremental verify replays only the entries after it. `max_ids` is a JSON
-- object {table: largest id} at that time, so that a row inserted behind the application's back
-- since then is found without reading every table.
CREATE TABLE audit_checkpoint (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    full        INTEGER NOT NULL,
    max_ids     TEXT NOT NULL
);
