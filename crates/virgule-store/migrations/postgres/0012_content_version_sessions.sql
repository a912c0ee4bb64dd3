-- A session that ends (logout, a password change, a suspension, expiry) bumps the content
-- version too: a serving process remembers the sessions behind cookies between writes
-- (virgule-site's recall), and a bumped version makes every process read them again, as it
-- makes them render pages again. A new session needs no bump: nobody remembers it yet.
-- Row-level, unlike the triggers of 0011: the periodic removal of expired sessions usually
-- removes none, and should then leave every cached page alone.
CREATE TRIGGER content_version_sessions AFTER UPDATE OR DELETE ON sessions
FOR EACH ROW EXECUTE FUNCTION bump_content_version();
