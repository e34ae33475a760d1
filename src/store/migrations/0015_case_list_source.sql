-- 0015: the case list filters by 案件来源 too (issue 8); like every other filter it is read from the
-- list-order index itself (0008), so a page or a count with it reads no table row.
DROP INDEX case_file_list;
CREATE INDEX case_file_list ON case_file(
    filed_on DESC, id DESC, status, track, party_kind, handler_id, institution_id, insured_id, source
);
