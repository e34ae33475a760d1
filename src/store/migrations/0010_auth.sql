-- Issue 8: logins and secrets.
--
-- A password hash no longer lives in the audited `app_user` row (every entry of the audit log is
-- what the city receives, for good): it moves to `user_secret`, which is not audited, and the user
-- row carries `secret_digest`, an HMAC-SHA256 of the hash under the office's own key
-- (`office_secret`, made here at random and never exported). `audit verify` recomputes the digest,
-- so a hash swapped behind the application is still found. `user_secret` also holds the login
-- throttle (failed attempts, lock) — security state, not a record of the office's work.
CREATE TABLE office_secret (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    hmac_key  BLOB NOT NULL
);
INSERT INTO office_secret (id, hmac_key) VALUES (1, randomblob(32));

CREATE TABLE user_secret (
    user_id        INTEGER PRIMARY KEY REFERENCES app_user(id),
    password_hash  TEXT NOT NULL,               -- argon2id PHC string
    failed_logins  INTEGER NOT NULL DEFAULT 0,  -- consecutive failures since the last success or lock
    locked_until   TEXT                         -- RFC 3339 UTC; no login before it
);
INSERT INTO user_secret (user_id, password_hash) SELECT id, password_hash FROM app_user;

ALTER TABLE app_user DROP COLUMN password_hash;
-- Filled by the program right after this migration (Store::open), in an audited write.
ALTER TABLE app_user ADD COLUMN secret_digest TEXT;
-- Set when an administrator sets the password; cleared when the user chooses their own.
ALTER TABLE app_user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
