-- Idempotent money commands (issue 12): the client sends a request id it generated once per form
-- submit; the first result is kept here, in the same transaction as the write, and a repeat of the
-- id returns it without a second write. Not audited: it is a replay cache of answers, the rows the
-- first call wrote are in the audit log.
CREATE TABLE client_request (
    request_id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    response TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
) WITHOUT ROWID;
