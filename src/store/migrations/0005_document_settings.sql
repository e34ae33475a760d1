-- 0005: the office's document settings (机关代字, number style, wording, agency, accounts) and the
-- document number sequence per kind and year (never decremented, so a number is never reused;
-- allocation also looks at issued_document, so documents issued before this migration count).

CREATE TABLE document_setting (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    data        TEXT NOT NULL,            -- DocumentSettings JSON
    updated_at  TEXT NOT NULL
);

CREATE TABLE document_sequence (
    id    INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL,                  -- DocumentKind
    year  INTEGER NOT NULL,
    last  INTEGER NOT NULL CHECK (last >= 0),
    UNIQUE (kind, year)
);

