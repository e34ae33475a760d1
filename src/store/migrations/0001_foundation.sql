-- 0001: office, audit log, registry (institutions, insured persons), calendar overrides.
-- Money is integer 分; dates are ISO text; every audited table has an integer `id` primary key.

CREATE TABLE office (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('county', 'city', 'province')),
    created_at  TEXT NOT NULL
);

-- The audit log: one entry per write transaction, hash-chained, gap-free per office.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    office_code TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    command     TEXT NOT NULL,
    changes     TEXT NOT NULL,      -- JSON array of {table, id, after} (after = null when deleted)
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

CREATE TABLE institution (
    id               INTEGER PRIMARY KEY,
    uid              TEXT NOT NULL UNIQUE,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('MedicalInstitution', 'RetailPharmacy')),
    credit_code      TEXT NOT NULL,
    address          TEXT NOT NULL,
    legal_rep        TEXT NOT NULL,
    contact          TEXT NOT NULL,
    agreement_status TEXT NOT NULL CHECK (agreement_status IN ('Active', 'Suspended', 'Terminated', 'None')),
    updated_at       TEXT NOT NULL
);
CREATE INDEX institution_name ON institution(name);

CREATE TABLE insured (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    id_number   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    scheme      TEXT NOT NULL CHECK (scheme IN ('Employee', 'Resident', 'Unknown')),
    phone       TEXT NOT NULL,
    address     TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX insured_name ON insured(name);

CREATE TABLE calendar_override (
    id          INTEGER PRIMARY KEY,
    date        TEXT NOT NULL UNIQUE,
    working     INTEGER NOT NULL CHECK (working IN (0, 1)),
    note        TEXT NOT NULL
);

CREATE TABLE calendar_year (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL UNIQUE,
    data        TEXT NOT NULL       -- JSON YearData
);
