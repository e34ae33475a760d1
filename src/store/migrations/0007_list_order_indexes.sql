-- 0007: the lists of cases and leads are shown newest first (case.list: filed_on DESC, id DESC;
-- lead.list: received_on DESC, id DESC). With these indexes SQLite reads a page in order and stops
-- at its LIMIT instead of sorting every row of the office's history (issue 13).

CREATE INDEX case_file_filed ON case_file(filed_on DESC, id DESC);
CREATE INDEX lead_received ON lead(received_on DESC, id DESC);
