-- One number that changes whenever anything an anonymous page or feed shows changes, so that
-- every process sharing this database can tell a rendered page is stale by reading one row
-- (the web layer polls it a few times a second; issue 13's page cache). Bumped by triggers,
-- in the writing transaction itself: a reader that sees the new number sees the new data.
-- A feed's row changes at every fetch (claims, validators); only what pages show of it
-- (its title, its site link, its address and status) counts.
CREATE TABLE content_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER content_version_members AFTER INSERT OR UPDATE OR DELETE ON members
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_entries AFTER INSERT OR UPDATE OR DELETE ON entries
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_entry_tags AFTER INSERT OR UPDATE OR DELETE ON entry_tags
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_certs AFTER INSERT OR UPDATE OR DELETE ON certs
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_articles AFTER INSERT OR UPDATE OR DELETE ON articles
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_replies AFTER INSERT OR UPDATE OR DELETE ON replies
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_projects AFTER INSERT OR UPDATE OR DELETE ON projects
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_project_people AFTER INSERT OR UPDATE OR DELETE ON project_people
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_news AFTER INSERT OR UPDATE OR DELETE ON news
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_ratings AFTER INSERT OR UPDATE OR DELETE ON ratings
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_interest_scores AFTER INSERT OR UPDATE OR DELETE ON interest_scores
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_flags AFTER INSERT OR UPDATE OR DELETE ON flags
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_feeds AFTER INSERT OR DELETE ON feeds
FOR EACH STATEMENT EXECUTE FUNCTION bump_content_version();

CREATE TRIGGER content_version_feeds_update AFTER UPDATE OF title, site_link, url, status ON feeds
FOR EACH ROW
WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.site_link IS DISTINCT FROM NEW.site_link
    OR OLD.url IS DISTINCT FROM NEW.url OR OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION bump_content_version();
