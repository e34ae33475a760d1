-- 0004: issued documents (文书) with their number, input snapshot and PDF hash; every print.
-- Issued documents are never deleted, so a (kind, year, seq) number is never reused.

CREATE TABLE issued_document (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    case_id     INTEGER REFERENCES case_file(id),
    kind        TEXT NOT NULL,            -- DocumentKind
    year        INTEGER NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    number      TEXT NOT NULL,
    data        TEXT NOT NULL,            -- the document's input JSON snapshot (Document)
    sha256      TEXT NOT NULL,            -- of the PDF bytes
    issued_on   TEXT NOT NULL,
    issued_by   TEXT NOT NULL,
    UNIQUE (kind, year, seq)
);
CREATE INDEX issued_document_case ON issued_document(case_id);

CREATE TABLE document_print (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES issued_document(id),
    printed_at   TEXT NOT NULL,
    actor        TEXT NOT NULL,
    reprint      INTEGER NOT NULL CHECK (reprint IN (0, 1))
);
CREATE INDEX document_print_document ON document_print(document_id);
