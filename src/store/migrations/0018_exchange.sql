-- 0018: exchange with the city (issue 11).

-- The offices this one exchanges with. At a county: the city it reports to (role 'city', one row,
-- from the city's pairing file: signing key and age recipient). At the city: every registered
-- county (role 'county': its signing key or, until its first bundle, only the fingerprint keyed in
-- from its registration slip) and the head of the county's log the city holds (`head_seq`,
-- `head_hash`). Audited: pairing, registration, revocation and every applied bundle are entries.
CREATE TABLE exchange_peer (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('city', 'county')),
    fingerprint    TEXT NOT NULL,
    sign_key       TEXT,
    recipient      TEXT,
    registered_at  TEXT NOT NULL,
    revoked_at     TEXT,
    head_seq       INTEGER NOT NULL DEFAULT 0,
    head_hash      TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    last_import_at TEXT,
    -- At a county: the city's hub address (http://host:port) for 立即同步; NULL: files only.
    hub_url        TEXT
);

-- At the city: each county's log as received (its replica), read-only. One row per entry, keyed by
-- (origin, seq); `changes` compressed as in audit_log (zstd with the built-in dictionary), hashes
-- as 32 bytes. `masked`: the county masked 身份证号/phone in it (the hash is over the unmasked text,
-- so only the county's signature on `bundle_id` vouches for it). Not audited: it is the county's
-- evidence, chained by its own hashes.
CREATE TABLE replica_entry (
    origin     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    command    TEXT NOT NULL,
    changes    BLOB NOT NULL,
    masked     INTEGER NOT NULL CHECK (masked IN (0, 1)),
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL,
    bundle_id  INTEGER NOT NULL REFERENCES replica_bundle(id),
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;

-- At the city: every bundle applied, with its signed manifest (the signature vouches for the
-- masked entries it brought).
CREATE TABLE replica_bundle (
    id          INTEGER PRIMARY KEY,
    origin      TEXT NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    applied     INTEGER NOT NULL,
    manifest    TEXT NOT NULL,
    signature   BLOB NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX replica_bundle_origin ON replica_bundle(origin, id);

-- At a county: the city's acknowledgements (signed; kept with their signature so that they can be
-- checked again). The highest is the last witnessed head of this office's log.
CREATE TABLE exchange_ack (
    id          INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    signed      TEXT NOT NULL,
    signature   BLOB NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX exchange_ack_seq ON exchange_ack(seq);

-- At a county: the bundles exported (bookkeeping for the status page, like audit_checkpoint).
CREATE TABLE exchange_export (
    id          INTEGER PRIMARY KEY,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
