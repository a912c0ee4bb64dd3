-- A session that ends (logout, a password change, a suspension, expiry) bumps the content
-- version too: a serving process remembers the sessions behind cookies between writes
-- (virgule-site's recall), and a bumped version makes every process read them again, as it
-- makes them render pages again. A new session needs no bump: nobody remembers it yet.
CREATE TRIGGER content_version_sessions_update AFTER UPDATE ON sessions
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_sessions_delete AFTER DELETE ON sessions
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;
