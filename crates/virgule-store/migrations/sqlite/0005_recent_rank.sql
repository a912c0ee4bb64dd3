-- The recent log at threshold L walks an index of exactly the entries it may show, however
-- many entries authors below L wrote: a flood from uncertified accounts costs the page
-- nothing (before, it was a filter on a walk of every recent entry).
--
-- recent_rank: -1 when the entry is not in the recent log (the 3-post rule, or a suspended
-- author), else its author's trust level 0-3. Kept by triggers, so no write path can forget
-- it: set at insert from the author's row, reset when an author's level or suspension changes.
ALTER TABLE entries ADD COLUMN recent_rank SMALLINT NOT NULL DEFAULT -1;
UPDATE entries SET recent_rank = (
    SELECT CASE WHEN m.suspended THEN -1 ELSE m.trust_level END
    FROM members m WHERE m.id = entries.member_id)
WHERE in_recentlog;

DROP INDEX entries_recentlog;
-- One per threshold; a query names its threshold as a literal so that the planner can use it.
CREATE INDEX entries_recent_0 ON entries (sort_at DESC, id DESC) WHERE recent_rank >= 0;
CREATE INDEX entries_recent_1 ON entries (sort_at DESC, id DESC) WHERE recent_rank >= 1;
CREATE INDEX entries_recent_2 ON entries (sort_at DESC, id DESC) WHERE recent_rank >= 2;
CREATE INDEX entries_recent_3 ON entries (sort_at DESC, id DESC) WHERE recent_rank >= 3;

CREATE TRIGGER entries_recent_rank AFTER INSERT ON entries
WHEN NEW.in_recentlog
BEGIN
    UPDATE entries SET recent_rank = (
        SELECT CASE WHEN m.suspended THEN -1 ELSE m.trust_level END
        FROM members m WHERE m.id = NEW.member_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER members_recent_rank AFTER UPDATE OF trust_level, suspended ON members
WHEN OLD.trust_level <> NEW.trust_level OR OLD.suspended <> NEW.suspended
BEGIN
    UPDATE entries SET recent_rank = CASE WHEN NEW.suspended THEN -1 ELSE NEW.trust_level END
    WHERE member_id = NEW.id AND in_recentlog;
END;
