-- 0033: what the city sends down besides answers and assigned leads (issue 11, "Downward"):
-- registry updates for the county's institutions, a year's holiday calendar, the rule-profile
-- values as a new preset version.

-- At the city: one row per publication (its id is the city's publication seq, the `seq` of the
-- (origin, seq) key the county applies it by). `kind`: 'Institution' (key = 机构编码, data = the
-- institution's fields), 'Calendar' (key = year, data = the year's holidays and make-up working
-- days), 'Profile' (key = 'profile', data = the profile values; `version` counts them). `counties`:
-- a JSON array of the counties' 行政区划代码, NULL for every registered county (the registry
-- carries no county code of its own). Audited; never changed once written: a correction is a new
-- publication, and every acknowledgement carries the newest publication of each key for that county.
CREATE TABLE down_publication (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('Institution', 'Calendar', 'Profile')),
    key           TEXT NOT NULL,
    title         TEXT NOT NULL,
    data          TEXT NOT NULL,
    counties      TEXT,
    version       INTEGER,
    published_on  TEXT NOT NULL,
    published_by  INTEGER REFERENCES app_user(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX down_publication_key ON down_publication(kind, key, id);

-- At a county: what arrived from the city, once per (origin, seq). `status`: 'Pending' (waits for
-- 采用 or 保留本单位的), 'Applied' (applied on arrival when the county had nothing of its own, or
-- adopted on command), 'Kept' (the county kept its own values), 'Superseded' (a newer publication
-- of the same key arrived while this one was pending). The city's text is read-only here: no
-- command edits `data`. Audited, so the county's decisions travel up with its next bundle.
CREATE TABLE down_received (
    id            INTEGER PRIMARY KEY,
    origin        TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('Institution', 'Calendar', 'Profile')),
    key           TEXT NOT NULL,
    title         TEXT NOT NULL,
    data          TEXT NOT NULL,
    version       INTEGER,
    published_on  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('Pending', 'Applied', 'Kept', 'Superseded')),
    outcome       TEXT NOT NULL DEFAULT '',
    decided_by    INTEGER REFERENCES app_user(id),
    decided_at    TEXT,
    received_at   TEXT NOT NULL,
    UNIQUE (origin, seq)
);
CREATE INDEX down_received_key ON down_received(origin, kind, key, seq);
