-- The ground of a termination (issue 9; 国家医疗保障局令第2号/第3号): 'Violation' (违法违规: no new
-- agreement for 3 years) or 'Breach' (严重违反服务协议约定: 1 year). NULL (earlier terminations):
-- judged as 'Violation', the longer ban. Audited column, NULL until set.
ALTER TABLE agreement_measure ADD COLUMN ground TEXT CHECK (ground IN ('Violation', 'Breach'));

-- The backstop of the ban for paths other than the API's check: the ban's years follow the ground,
-- and its last day (民法典 art. 202: the corresponding day) is still inside the ban.
DROP TRIGGER institution_termination_ban;
CREATE TRIGGER institution_termination_ban
BEFORE UPDATE OF agreement_status ON institution
WHEN NEW.agreement_status = 'Active' AND OLD.agreement_status <> 'Active'
 AND EXISTS (SELECT 1 FROM agreement_measure m
             WHERE m.institution_id = NEW.id AND m.kind = 'AgreementTermination'
               AND date(m.starts_on, CASE m.ground WHEN 'Breach' THEN '+1 years' ELSE '+3 years' END)
                   >= date('now', 'localtime'))
BEGIN
    SELECT RAISE(ABORT, '该机构被解除服务协议的期限未满（因违法违规被解除的3年、因严重违反协议约定被解除的1年），不得重新签订服务协议');
END;
