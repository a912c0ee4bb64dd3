-- Feed warnings (issue 12): the faults the last successful read of a feed recovered from (a
-- future date clamped, bytes not valid in the declared encoding, …), kept so that the owner
-- sees them in settings and can fix their feed. A JSON array of strings, '[]' when the last
-- read was clean. Replaced by every read that brings a feed (200), kept by a 304 and by a
-- failure; feeds.rs bounds the list (at most 20 lines of at most 300 characters), so a
-- hostile feed cannot bloat the row. Plain TEXT on both backends: it is only ever read whole.
ALTER TABLE feeds ADD COLUMN last_warnings TEXT NOT NULL DEFAULT '[]';
