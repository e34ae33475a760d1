-- 0020: the due dates of the case clocks, stored (issue 13: the 工作台 at 100,000 cases).
--
-- Derived data, not audited (like case_search): every write command rewrites the clocks of the
-- cases it touched in the same transaction (cases::clock_index::refresh), and the whole table is
-- rebuilt when the working-day calendar, the rule profile, the rule sets or the office change, or
-- when it was built by another calendar (clock_due_state.fingerprint). The clocks judged against
-- today (a fine's surcharge) and those of no case (leads, self-corrections) are not stored.
CREATE TABLE clock_due (
    case_id    INTEGER NOT NULL,
    kind_order INTEGER NOT NULL, -- ClockKind as u8: the order of the list after the due date
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    started_on TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    basis      TEXT NOT NULL,
    warnings   TEXT NOT NULL,    -- JSON array of Chinese warnings
    lapses     INTEGER NOT NULL  -- 1: a party's window, not shown once past due
);
CREATE INDEX clock_due_case ON clock_due(case_id);
CREATE INDEX clock_due_order ON clock_due(due_on, kind_order, case_id, label);

CREATE TABLE clock_due_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);

-- The 案件 list's 险种 and 应追回金额 filters (issue 8) at 100,000 cases: one row per case with its
-- recovery total (lines other than 违约金, as case.list shows it) and the funds it has a line of (bit
-- 1 << Fund as u8, in the enum's order: cases::cases::fund_bit), kept by triggers on case_file and
-- recovery_line so that every path that writes a line keeps it. A filter alone is counted from
-- the index; a page checks the row of each case it walks. Derived data, not audited.
CREATE TABLE case_amount (
    case_id      INTEGER PRIMARY KEY,
    recovery_fen INTEGER NOT NULL,
    funds        INTEGER NOT NULL
);
CREATE INDEX case_amount_filter ON case_amount(recovery_fen, funds);
INSERT INTO case_amount (case_id, recovery_fen, funds)
    SELECT c.id,
           COALESCE(SUM(CASE WHEN COALESCE(r.category, '') <> 'LiquidatedDamages' THEN r.amount_due_fen ELSE 0 END), 0),
           COALESCE(SUM(DISTINCT CASE r.fund WHEN 'EmployeeBasic' THEN 1 WHEN 'ResidentBasic' THEN 2 WHEN 'EmployeeLargeAmount' THEN 4 WHEN 'EmployeeCriticalIllness' THEN 8 WHEN 'ResidentCriticalIllness' THEN 16 WHEN 'MedicalAssistance' THEN 32 WHEN 'CivilServantSubsidy' THEN 64 WHEN 'Maternity' THEN 128 WHEN 'LongTermCare' THEN 256 WHEN 'Other' THEN 512 END), 0)
    FROM case_file c LEFT JOIN recovery_line r ON r.case_id = c.id GROUP BY c.id;
CREATE TRIGGER case_amount_case AFTER INSERT ON case_file BEGIN
    INSERT OR IGNORE INTO case_amount (case_id, recovery_fen, funds) VALUES (NEW.id, 0, 0);
END;
CREATE TRIGGER case_amount_insert AFTER INSERT ON recovery_line BEGIN
    INSERT OR REPLACE INTO case_amount (case_id, recovery_fen, funds)
        SELECT NEW.case_id,
               COALESCE(SUM(CASE WHEN COALESCE(category, '') <> 'LiquidatedDamages' THEN amount_due_fen ELSE 0 END), 0),
               COALESCE(SUM(DISTINCT CASE fund WHEN 'EmployeeBasic' THEN 1 WHEN 'ResidentBasic' THEN 2 WHEN 'EmployeeLargeAmount' THEN 4 WHEN 'EmployeeCriticalIllness' THEN 8 WHEN 'ResidentCriticalIllness' THEN 16 WHEN 'MedicalAssistance' THEN 32 WHEN 'CivilServantSubsidy' THEN 64 WHEN 'Maternity' THEN 128 WHEN 'LongTermCare' THEN 256 WHEN 'Other' THEN 512 END), 0)
        FROM recovery_line WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER case_amount_update AFTER UPDATE ON recovery_line BEGIN
    INSERT OR REPLACE INTO case_amount (case_id, recovery_fen, funds)
        SELECT OLD.case_id,
               COALESCE(SUM(CASE WHEN COALESCE(category, '') <> 'LiquidatedDamages' THEN amount_due_fen ELSE 0 END), 0),
               COALESCE(SUM(DISTINCT CASE fund WHEN 'EmployeeBasic' THEN 1 WHEN 'ResidentBasic' THEN 2 WHEN 'EmployeeLargeAmount' THEN 4 WHEN 'EmployeeCriticalIllness' THEN 8 WHEN 'ResidentCriticalIllness' THEN 16 WHEN 'MedicalAssistance' THEN 32 WHEN 'CivilServantSubsidy' THEN 64 WHEN 'Maternity' THEN 128 WHEN 'LongTermCare' THEN 256 WHEN 'Other' THEN 512 END), 0)
        FROM recovery_line WHERE case_id = OLD.case_id;
    INSERT OR REPLACE INTO case_amount (case_id, recovery_fen, funds)
        SELECT NEW.case_id,
               COALESCE(SUM(CASE WHEN COALESCE(category, '') <> 'LiquidatedDamages' THEN amount_due_fen ELSE 0 END), 0),
               COALESCE(SUM(DISTINCT CASE fund WHEN 'EmployeeBasic' THEN 1 WHEN 'ResidentBasic' THEN 2 WHEN 'EmployeeLargeAmount' THEN 4 WHEN 'EmployeeCriticalIllness' THEN 8 WHEN 'ResidentCriticalIllness' THEN 16 WHEN 'MedicalAssistance' THEN 32 WHEN 'CivilServantSubsidy' THEN 64 WHEN 'Maternity' THEN 128 WHEN 'LongTermCare' THEN 256 WHEN 'Other' THEN 512 END), 0)
        FROM recovery_line WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER case_amount_delete AFTER DELETE ON recovery_line BEGIN
    INSERT OR REPLACE INTO case_amount (case_id, recovery_fen, funds)
        SELECT OLD.case_id,
               COALESCE(SUM(CASE WHEN COALESCE(category, '') <> 'LiquidatedDamages' THEN amount_due_fen ELSE 0 END), 0),
               COALESCE(SUM(DISTINCT CASE fund WHEN 'EmployeeBasic' THEN 1 WHEN 'ResidentBasic' THEN 2 WHEN 'EmployeeLargeAmount' THEN 4 WHEN 'EmployeeCriticalIllness' THEN 8 WHEN 'ResidentCriticalIllness' THEN 16 WHEN 'MedicalAssistance' THEN 32 WHEN 'CivilServantSubsidy' THEN 64 WHEN 'Maternity' THEN 128 WHEN 'LongTermCare' THEN 256 WHEN 'Other' THEN 512 END), 0)
        FROM recovery_line WHERE case_id = OLD.case_id;
END;
