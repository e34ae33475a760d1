-- 0022: matters the county sends up to the city and the city's answers (issue 11).

-- At a county: a request to the city about a case (seed 002 二(三)三; seed 001 art. 21 ¶2):
-- 审批 (kind 'Approval': 暂停/中止协议, 解除协议, 行政处罚 go to the city's 重大案件集体审议; the
-- decision waits for the answer) or 备案 (kind 'Record': 约谈整改, 通报批评, 暂停拨付, 拒付违规费用;
-- filed for the record, no answer needed). Audited, so it travels up in the next bundle; it carries
-- what the city reads (the case as it stood when asked, the party's 机构编码 or 身份证号: an
-- escalated matter is exempt from masking). `uid` = <office>-Q<id>, the same at the city.
CREATE TABLE city_request (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    case_id       INTEGER NOT NULL REFERENCES case_file(id),
    kind          TEXT NOT NULL CHECK (kind IN ('Approval', 'Record')),
    matters       TEXT NOT NULL,          -- JSON array of EscalationMatter
    asked         TEXT NOT NULL,          -- 请示（报备）内容
    asked_on      TEXT NOT NULL,
    asked_by      INTEGER NOT NULL REFERENCES app_user(id),
    case_number   TEXT NOT NULL,
    party         TEXT NOT NULL,
    party_code    TEXT NOT NULL DEFAULT '',
    amount_fen    INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX city_request_case ON city_request(case_id);

-- At a county: the city's answers to its requests, either applied from the city's signed
-- acknowledgement (source 'Exchange', with the answer's uid at the city, applied once) or typed by
-- hand from the city's paper (source 'Paper', with who entered it). Audited. The newest answer of a
-- request governs.
CREATE TABLE city_answer (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES city_request(id),
    outcome         TEXT NOT NULL CHECK (outcome IN ('Approved', 'Changed', 'Refused')),
    document_number TEXT NOT NULL,
    answered_on     TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    matters         TEXT NOT NULL,        -- JSON array: the matters approved (as changed)
    source          TEXT NOT NULL CHECK (source IN ('Exchange', 'Paper')),
    origin_uid      TEXT,
    entered_by      INTEGER REFERENCES app_user(id),
    recorded_at     TEXT NOT NULL
);
CREATE INDEX city_answer_request ON city_answer(request_id, id);
CREATE UNIQUE INDEX city_answer_origin ON city_answer(origin_uid) WHERE origin_uid IS NOT NULL;

-- At the city: the requests received from the counties, read out of their replicas when a bundle
-- is applied (derived from replica_entry, so not audited; `seq` is the county's entry that brought
-- the request's image). `county_has_answer`: the county's log shows the answer applied there.
CREATE TABLE county_request (
    origin        TEXT NOT NULL,
    uid           TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    matters       TEXT NOT NULL,
    asked         TEXT NOT NULL,
    asked_on      TEXT NOT NULL,
    asked_by      TEXT NOT NULL,
    case_number   TEXT NOT NULL,
    party         TEXT NOT NULL,
    party_code    TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL,
    county_has_answer INTEGER NOT NULL DEFAULT 0,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (uid)
);
CREATE INDEX county_request_origin ON county_request(origin, asked_on);

-- At the city: its answers (批准 / 变更 / 不予批准, with the document number), audited; they go
-- down to the county with the city's signed acknowledgement. `uid` = <city>-A<id>.
CREATE TABLE escalation_answer (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    origin          TEXT NOT NULL,
    request_uid     TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('Approved', 'Changed', 'Refused')),
    document_number TEXT NOT NULL,
    answered_on     TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    matters         TEXT NOT NULL,
    answered_by     INTEGER NOT NULL REFERENCES app_user(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX escalation_answer_origin ON escalation_answer(origin, id);
CREATE INDEX escalation_answer_request ON escalation_answer(request_uid, id);

-- Leads assigned by the city (线索交办; seed 003: leads from above are checked one by one).
-- At the city: the assignment to one county, audited; it goes down in that county's signed
-- acknowledgement. `uid` = <city>-J<id>.
CREATE TABLE lead_assignment (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    county          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    institution_code TEXT NOT NULL DEFAULT '',
    party           TEXT NOT NULL DEFAULT '',
    assigned_on     TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    assigned_by     INTEGER NOT NULL REFERENCES app_user(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX lead_assignment_county ON lead_assignment(county, id);

-- At the city: what the county did with it, read out of its replica (derived, not audited): the
-- county's lead (its local id and number), its status and outcome, the case it became.
CREATE TABLE lead_assignment_outcome (
    uid          TEXT PRIMARY KEY,
    origin       TEXT NOT NULL,
    lead_id      INTEGER NOT NULL,
    lead_number  TEXT NOT NULL,
    status       TEXT NOT NULL,
    outcome_on   TEXT,
    outcome_note TEXT NOT NULL DEFAULT '',
    case_number  TEXT,
    seq          INTEGER NOT NULL
);
CREATE UNIQUE INDEX lead_assignment_outcome_lead ON lead_assignment_outcome(origin, lead_id);

-- At a county: a lead made from the city's assignment keeps the assignment's uid (applied once)
-- and the city's due date (the city's fields are read-only here). Nullable: older rows stay as
-- their audit images recorded them.
ALTER TABLE lead ADD COLUMN origin_uid TEXT;
ALTER TABLE lead ADD COLUMN due_on TEXT;
CREATE UNIQUE INDEX lead_origin ON lead(origin_uid) WHERE origin_uid IS NOT NULL;
