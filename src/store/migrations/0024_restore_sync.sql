-- A restore from a backup (issue 12) is recorded in the restored database as its next audit entry:
-- which backup, how many entries it held, the head of the log it replaced (that database is kept as a
-- copy beside the backups), and whether the office key was restored with it. The office's signed head
-- (exchange::heads) then starts again from this entry.
CREATE TABLE backup_restore (
    id INTEGER PRIMARY KEY,
    restored_file TEXT NOT NULL,
    restored_entries INTEGER NOT NULL,
    replaced_seq INTEGER NOT NULL,
    replaced_hash TEXT NOT NULL,
    kept_file TEXT NOT NULL,
    key_restored INTEGER NOT NULL CHECK (key_restored IN (0, 1)),
    restored_at TEXT NOT NULL
);

-- Background exchange with the city's hub (issue 11): a county tries every `sync_minutes` minutes
-- (NULL: the default, 15; 0: only when 立即同步 is pressed). Audited column, NULL until set.
ALTER TABLE exchange_peer ADD COLUMN sync_minutes INTEGER;
