-- 0016: the case search also finds a matter by the numbers of its documents (告知书, 决定书, 通知单,
-- 抵扣通知书, 罚没款决定, every issued 文书) and by the words of its findings (issue 8). The index is
-- derived data: it is rebuilt by the application on the first open after this migration
-- (store/search.rs `ensure`).
DROP TABLE case_search;
CREATE VIRTUAL TABLE case_search USING fts5(
    number, summary, party, code, documents, findings, tokenize = 'unicode61 remove_diacritics 0'
);
