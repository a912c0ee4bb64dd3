-- The content version (0011) is bumped when a writing transaction commits, not when its
-- statement runs. Bumped at once, it locked the one version row from that statement to the
-- commit, so two transactions that also locked a member's row in the other order deadlocked
-- (an entry deleted while the same member's next entry was being numbered): PostgreSQL
-- aborted one of them. Deferred to the commit, the version row is the last lock a
-- transaction takes and is held for no time, so it closes no cycle; a reader still sees the
-- new number together with the new data. Row-level constraint triggers (the only kind that
-- can be deferred), of which the first in a transaction bumps and the rest see it done.
CREATE FUNCTION bump_content_version_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('virgule.content_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('virgule.content_version_bumped', 'yes', true);
        UPDATE content_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER content_version_members ON members;
CREATE CONSTRAINT TRIGGER content_version_members AFTER INSERT OR UPDATE OR DELETE ON members
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_entries ON entries;
CREATE CONSTRAINT TRIGGER content_version_entries AFTER INSERT OR UPDATE OR DELETE ON entries
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_entry_tags ON entry_tags;
CREATE CONSTRAINT TRIGGER content_version_entry_tags AFTER INSERT OR UPDATE OR DELETE ON entry_tags
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_certs ON certs;
CREATE CONSTRAINT TRIGGER content_version_certs AFTER INSERT OR UPDATE OR DELETE ON certs
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_articles ON articles;
CREATE CONSTRAINT TRIGGER content_version_articles AFTER INSERT OR UPDATE OR DELETE ON articles
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_replies ON replies;
CREATE CONSTRAINT TRIGGER content_version_replies AFTER INSERT OR UPDATE OR DELETE ON replies
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_projects ON projects;
CREATE CONSTRAINT TRIGGER content_version_projects AFTER INSERT OR UPDATE OR DELETE ON projects
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_project_people ON project_people;
CREATE CONSTRAINT TRIGGER content_version_project_people AFTER INSERT OR UPDATE OR DELETE ON project_people
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_news ON news;
CREATE CONSTRAINT TRIGGER content_version_news AFTER INSERT OR UPDATE OR DELETE ON news
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_ratings ON ratings;
CREATE CONSTRAINT TRIGGER content_version_ratings AFTER INSERT OR UPDATE OR DELETE ON ratings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_interest_scores ON interest_scores;
CREATE CONSTRAINT TRIGGER content_version_interest_scores AFTER INSERT OR UPDATE OR DELETE ON interest_scores
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_flags ON flags;
CREATE CONSTRAINT TRIGGER content_version_flags AFTER INSERT OR UPDATE OR DELETE ON flags
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_feeds ON feeds;
CREATE CONSTRAINT TRIGGER content_version_feeds AFTER INSERT OR DELETE ON feeds
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_feeds_update ON feeds;
CREATE CONSTRAINT TRIGGER content_version_feeds_update AFTER UPDATE OF title, site_link, url, status ON feeds
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.site_link IS DISTINCT FROM NEW.site_link
    OR OLD.url IS DISTINCT FROM NEW.url OR OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION bump_content_version_at_commit();

DROP TRIGGER content_version_sessions ON sessions;
CREATE CONSTRAINT TRIGGER content_version_sessions AFTER UPDATE OR DELETE ON sessions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version_at_commit();

DROP FUNCTION bump_content_version();
