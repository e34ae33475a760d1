-- 0013 (issue 9): rule sets. Each distinct rule set (preset + citation of every rule, JSON of
-- `cases::RuleSet`) a matter was filed under is stored once, by digest; a case points at the one in
-- force when it was filed, so that a later change of the office's preset or citations never rewrites
-- what an open matter cites. A case filed before 0013 has no rule set and follows the office's.
CREATE TABLE rule_set (
    id          INTEGER PRIMARY KEY,
    digest      TEXT NOT NULL UNIQUE,      -- sha256 (hex) of data
    data        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
ALTER TABLE case_file ADD COLUMN rule_set_id INTEGER REFERENCES rule_set(id);

-- The backstop of the termination ban (0002) named another region's draft in its message; the API
-- refuses first with the office's own citation, this trigger only names the rule.
DROP TRIGGER institution_termination_ban;
CREATE TRIGGER institution_termination_ban
BEFORE UPDATE OF agreement_status ON institution
WHEN NEW.agreement_status = 'Active' AND OLD.agreement_status <> 'Active'
 AND EXISTS (SELECT 1 FROM agreement_measure m
             WHERE m.institution_id = NEW.id AND m.kind = 'AgreementTermination'
               AND date(m.starts_on, '+3 years') > date('now', 'localtime'))
BEGIN
    SELECT RAISE(ABORT, '该机构被解除服务协议未满3年，不得重新签订服务协议');
END;
