-- Attempts counted for rate limits (docs/design.md §7), in the database so that every node of
-- a site counts the same login and registration attempts: one row per key (who: an address or
-- an account, and what) and minute, its count raised by one statement per attempt. Rows of
-- past minutes are deleted by the servers' housekeeping.
CREATE TABLE attempts (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
