-- 0002: the case lifecycle (part A): users, the rule profile, leads, cases, findings, evidence,
-- evidence holds, recovery lines, procedure steps, document service, decisions, agreement measures.
-- Money is integer 分; dates are ISO text (YYYY-MM-DD); enums are stored as their English identifier
-- (GLOSSARY.md). Lists that may grow (step kinds, document kinds, measure kinds) are checked in Rust,
-- not here, so that a later migration need not rebuild a table to add one.

CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    roles         TEXT NOT NULL,              -- comma-separated Role identifiers (Handler,Reviewer,Approver,Finance,Admin)
    password_hash TEXT NOT NULL,              -- argon2id PHC string
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- The editable rule profile (DOMAIN.md "setting" values): one row, JSON of `cases::RuleProfile`.
CREATE TABLE rule_profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    data        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE lead (
    id                     INTEGER PRIMARY KEY,
    uid                    TEXT NOT NULL UNIQUE,
    lead_number            TEXT NOT NULL UNIQUE,
    source                 TEXT NOT NULL,     -- LeadSource
    received_on            TEXT NOT NULL,
    summary                TEXT NOT NULL,
    reporter               TEXT NOT NULL DEFAULT '',   -- 举报人 / 交办或移交单位
    institution_id         INTEGER REFERENCES institution(id),
    insured_id             INTEGER REFERENCES insured(id),
    handler_id             INTEGER REFERENCES app_user(id),
    extended_on            TEXT,              -- the one extension of the check period
    extension_approver_id  INTEGER REFERENCES app_user(id),
    extension_reason       TEXT NOT NULL DEFAULT '',
    check_days             INTEGER NOT NULL,  -- working days in force when received (profile)
    extension_days         INTEGER NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('Open', 'CaseOpened', 'NoCase', 'Referred')),
    outcome_on             TEXT,
    outcome_note           TEXT NOT NULL DEFAULT '',
    referred_to            TEXT NOT NULL DEFAULT '',
    case_id                INTEGER REFERENCES case_file(id),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX lead_status ON lead(status);

CREATE TABLE case_file (
    id                 INTEGER PRIMARY KEY,
    uid                TEXT NOT NULL UNIQUE,
    case_number        TEXT NOT NULL UNIQUE,
    track              TEXT NOT NULL CHECK (track IN ('Administrative', 'Agreement')),
    party_kind         TEXT NOT NULL CHECK (party_kind IN ('Institution', 'Insured')),
    institution_id     INTEGER REFERENCES institution(id),
    insured_id         INTEGER REFERENCES insured(id),
    source             TEXT NOT NULL,          -- RecoverySource (004 art. 5)
    lead_id            INTEGER REFERENCES lead(id),
    summary            TEXT NOT NULL,
    handler_id         INTEGER NOT NULL REFERENCES app_user(id),
    co_handler_id      INTEGER REFERENCES app_user(id),
    status             TEXT NOT NULL CHECK (status IN ('Investigating', 'Notified', 'Decided', 'Executing', 'Closed', 'Dropped')),
    filed_on           TEXT NOT NULL,
    decision_days      INTEGER NOT NULL,       -- profile value in force at filing
    decision_extension_days INTEGER NOT NULL DEFAULT 0,   -- > 0 once the extension was approved
    repeat_offence     INTEGER NOT NULL DEFAULT 0 CHECK (repeat_offence IN (0, 1)),
    voluntary_return   INTEGER NOT NULL DEFAULT 0 CHECK (voluntary_return IN (0, 1)),
    closed_on          TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK ((party_kind = 'Institution') = (institution_id IS NOT NULL)),
    CHECK ((party_kind = 'Insured') = (insured_id IS NOT NULL))
);
CREATE INDEX case_file_status ON case_file(status);
CREATE INDEX case_file_institution ON case_file(institution_id);
CREATE INDEX case_file_insured ON case_file(insured_id);

CREATE TABLE finding (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES case_file(id),
    description  TEXT NOT NULL,
    period_from  TEXT,
    period_to    TEXT,
    rule_broken  TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX finding_case ON finding(case_id);

CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES case_file(id),
    finding_id    INTEGER REFERENCES finding(id),
    kind          TEXT NOT NULL,   -- EvidenceKind, the eight kinds of 001 art. 37
    description   TEXT NOT NULL,
    collected_on  TEXT NOT NULL,
    collected_by  INTEGER REFERENCES app_user(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX evidence_case ON evidence(case_id);

-- 先行登记保存 (decide within 7 working days) and 封存 (30 days, +30) (001 art. 35–36).
CREATE TABLE evidence_hold (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES case_file(id),
    kind           TEXT NOT NULL CHECK (kind IN ('Registration', 'Sealing')),
    items          TEXT NOT NULL,
    started_on     TEXT NOT NULL,
    approver_id    INTEGER NOT NULL REFERENCES app_user(id),
    period_days    INTEGER NOT NULL,       -- profile value in force when started
    extended_days  INTEGER NOT NULL DEFAULT 0,
    extension_approver_id INTEGER REFERENCES app_user(id),
    released_on    TEXT,
    outcome        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX evidence_hold_case ON evidence_hold(case_id);

-- What must be returned, per fund × current/prior year × expense category (004 art. 8, 附件1).
CREATE TABLE recovery_line (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES case_file(id),
    fund            TEXT NOT NULL,           -- Fund
    year_kind       TEXT NOT NULL CHECK (year_kind IN ('CurrentYear', 'PriorYears')),
    category        TEXT,                    -- ExpenseCategory; NULL for prior years
    amount_due_fen  INTEGER NOT NULL CHECK (amount_due_fen > 0),
    split_group     INTEGER,                 -- the two halves of one 5:5 split share this number
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    CHECK ((year_kind = 'PriorYears') = (category IS NULL))
);
CREATE INDEX recovery_line_case ON recovery_line(case_id);

-- Every procedural step: who (actor_id), when (on_date), outcome and details (JSON).
CREATE TABLE procedure_step (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES case_file(id),
    kind         TEXT NOT NULL,            -- StepKind
    on_date      TEXT NOT NULL,
    actor_id     INTEGER REFERENCES app_user(id),
    outcome      TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL DEFAULT '{}',
    recorded_at  TEXT NOT NULL
);
CREATE INDEX procedure_step_case ON procedure_step(case_id);

-- Each document issued to the party and its service (行政处罚法 art. 61).
CREATE TABLE document_service (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES case_file(id),
    document         TEXT NOT NULL,        -- ServedDocumentKind
    document_number  TEXT NOT NULL DEFAULT '',
    step_id          INTEGER REFERENCES procedure_step(id),
    issued_on        TEXT NOT NULL,
    method           TEXT,                 -- ServiceMethod, once served
    served_on        TEXT,                 -- the date on the 送达回证 (public notice: publication + 30 days)
    published_on     TEXT,
    recipient        TEXT NOT NULL DEFAULT '',
    receipt          TEXT NOT NULL DEFAULT '',
    recorded_at      TEXT NOT NULL
);
CREATE INDEX document_service_case ON document_service(case_id);

CREATE TABLE decision (
    id                      INTEGER PRIMARY KEY,
    case_id                 INTEGER NOT NULL UNIQUE REFERENCES case_file(id),
    kind                    TEXT NOT NULL,     -- DecisionKind
    document_number         TEXT NOT NULL,
    decided_on              TEXT NOT NULL,
    recovery_total_fen      INTEGER NOT NULL,  -- sum of recovery lines other than 违约金
    liquidated_damages_fen  INTEGER NOT NULL,  -- sum of 违约金 lines
    payment_due             TEXT,              -- 缴费时限 of the recovery (004 art. 8)
    fine_fen                INTEGER,           -- 罚款 decided (the fine ledger is part B)
    fine_multiple           TEXT,              -- decimal text, e.g. "1.5"
    fine_basis              TEXT NOT NULL DEFAULT '',
    confiscation_fen        INTEGER,
    handler_id              INTEGER NOT NULL REFERENCES app_user(id),
    reviewer_id             INTEGER NOT NULL REFERENCES app_user(id),
    approver_id             INTEGER NOT NULL REFERENCES app_user(id),
    late_reason             TEXT NOT NULL DEFAULT '',
    summary                 TEXT NOT NULL DEFAULT '',
    created_at              TEXT NOT NULL
);

-- Agreement measures decided on a case (001 art. 18–20).
CREATE TABLE agreement_measure (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES case_file(id),
    institution_id  INTEGER REFERENCES institution(id),
    kind            TEXT NOT NULL,     -- MeasureKind
    months          INTEGER,
    serious         INTEGER NOT NULL DEFAULT 0 CHECK (serious IN (0, 1)),
    starts_on       TEXT,
    ends_on         TEXT,
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX agreement_measure_institution ON agreement_measure(institution_id);

-- 001 art. 20: an institution whose agreement was terminated may not sign a new one for 3 years.
-- The API refuses this with a clear message first; this trigger is the backstop for every other path
-- (import, direct updates).
CREATE TRIGGER institution_termination_ban
BEFORE UPDATE OF agreement_status ON institution
WHEN NEW.agreement_status = 'Active' AND OLD.agreement_status <> 'Active'
 AND EXISTS (SELECT 1 FROM agreement_measure m
             WHERE m.institution_id = NEW.id AND m.kind = 'AgreementTermination'
               AND date(m.starts_on, '+3 years') > date('now', 'localtime'))
BEGIN
    SELECT RAISE(ABORT, '该机构被解除服务协议未满3年，不得重新签订服务协议（河源办法第二十条）');
END;
