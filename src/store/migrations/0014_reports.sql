-- 0014: what the reports need that the core did not hold (issue 10): inspections (检查记录) with the
-- departments taking part and the leads/cases they produced, accountability (追责), campaigns
-- (专项整治, 003) with their key areas, and the report settings. Dates are ISO text; enums English.
-- Every table is indexed on the date the monthly table (002 附表) counts by, so that a month reads
-- only the year's rows.

-- 专项整治 (003 二): a campaign and its key areas, an office list.
CREATE TABLE campaign (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    year        INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE campaign_area (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaign(id),
    name         TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    UNIQUE (campaign_id, name)
);

-- 检查记录: an inspection of one institution (002 二(二); 001 art. 31–32). Not a case.
CREATE TABLE inspection (
    id                INTEGER PRIMARY KEY,
    uid               TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,            -- InspectionKind
    institution_id    INTEGER NOT NULL REFERENCES institution(id),
    started_on        TEXT NOT NULL,            -- the date the 002 table counts by
    ended_on          TEXT,
    departments       TEXT NOT NULL DEFAULT '', -- other departments taking part, separated by 、
    problems_found    INTEGER NOT NULL CHECK (problems_found IN (0, 1)),
    inspectors        TEXT NOT NULL DEFAULT '',
    summary           TEXT NOT NULL DEFAULT '',
    campaign_area_id  INTEGER REFERENCES campaign_area(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX inspection_started_on ON inspection(started_on, institution_id);
CREATE INDEX inspection_institution ON inspection(institution_id);

-- The leads and cases an inspection produced.
CREATE TABLE inspection_link (
    id             INTEGER PRIMARY KEY,
    inspection_id  INTEGER NOT NULL REFERENCES inspection(id),
    lead_id        INTEGER REFERENCES lead(id),
    case_id        INTEGER REFERENCES case_file(id),
    CHECK ((lead_id IS NULL) <> (case_id IS NULL))
);
CREATE INDEX inspection_link_inspection ON inspection_link(inspection_id);

-- 追责情况 (002 附表 备注3): one person held accountable, by category, with the case and the date.
CREATE TABLE accountability (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    category    TEXT NOT NULL,                  -- AccountabilityCategory
    person      TEXT NOT NULL,
    position    TEXT NOT NULL DEFAULT '',
    case_id     INTEGER REFERENCES case_file(id),
    decided_on  TEXT NOT NULL,
    measure     TEXT NOT NULL DEFAULT '',       -- 诫勉谈话, 警告, 记过…
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX accountability_decided_on ON accountability(decided_on);

-- Cases and self-correction forms may carry a campaign area (003).
ALTER TABLE case_file ADD COLUMN campaign_area_id INTEGER REFERENCES campaign_area(id);
ALTER TABLE self_correction ADD COLUMN campaign_area_id INTEGER REFERENCES campaign_area(id);

-- The monthly table reads measures and referrals by their case's decision and referral date.
CREATE INDEX agreement_measure_case_kind ON agreement_measure(case_id, kind, institution_id);
CREATE INDEX decision_decided_case ON decision(decided_on, case_id, kind);
CREATE INDEX referral_referred_on ON referral(referred_on);
CREATE INDEX payment_arrived_on ON payment(arrived_on);

-- The report settings (one row, JSON of `reports::ReportSettings`).
CREATE TABLE report_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    data        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The campaign figures (003 四(三): 定期报送专项整治工作数据) read the tagged records by area.
CREATE INDEX case_file_campaign_area ON case_file(campaign_area_id) WHERE campaign_area_id IS NOT NULL;
CREATE INDEX self_correction_campaign_area ON self_correction(campaign_area_id) WHERE campaign_area_id IS NOT NULL;
CREATE INDEX inspection_campaign_area ON inspection(campaign_area_id) WHERE campaign_area_id IS NOT NULL;
