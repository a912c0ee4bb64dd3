-- One number that changes whenever anything an anonymous page or feed shows changes, so that
-- every process sharing this database can tell a rendered page is stale by reading one row
-- (the web layer polls it a few times a second; issue 13's page cache). Bumped by triggers,
-- in the writing transaction itself: a reader that sees the new number sees the new data.
-- A feed's row changes at every fetch (claims, validators); only what pages show of it
-- (its title, its site link, its address and status) counts.
CREATE TABLE content_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

CREATE TRIGGER content_version_members_insert AFTER INSERT ON members
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_members_update AFTER UPDATE ON members
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_members_delete AFTER DELETE ON members
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_entries_insert AFTER INSERT ON entries
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_entries_update AFTER UPDATE ON entries
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_entries_delete AFTER DELETE ON entries
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_entry_tags_insert AFTER INSERT ON entry_tags
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_entry_tags_update AFTER UPDATE ON entry_tags
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_entry_tags_delete AFTER DELETE ON entry_tags
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_certs_insert AFTER INSERT ON certs
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_certs_update AFTER UPDATE ON certs
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_certs_delete AFTER DELETE ON certs
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_articles_insert AFTER INSERT ON articles
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_articles_update AFTER UPDATE ON articles
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_articles_delete AFTER DELETE ON articles
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_replies_insert AFTER INSERT ON replies
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_replies_update AFTER UPDATE ON replies
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_replies_delete AFTER DELETE ON replies
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_projects_insert AFTER INSERT ON projects
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_projects_update AFTER UPDATE ON projects
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_projects_delete AFTER DELETE ON projects
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_project_people_insert AFTER INSERT ON project_people
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_project_people_update AFTER UPDATE ON project_people
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_project_people_delete AFTER DELETE ON project_people
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_news_insert AFTER INSERT ON news
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_news_update AFTER UPDATE ON news
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_news_delete AFTER DELETE ON news
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_ratings_insert AFTER INSERT ON ratings
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_ratings_update AFTER UPDATE ON ratings
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_ratings_delete AFTER DELETE ON ratings
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_interest_scores_insert AFTER INSERT ON interest_scores
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_interest_scores_update AFTER UPDATE ON interest_scores
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_interest_scores_delete AFTER DELETE ON interest_scores
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_flags_insert AFTER INSERT ON flags
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_flags_update AFTER UPDATE ON flags
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_flags_delete AFTER DELETE ON flags
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_feeds_insert AFTER INSERT ON feeds
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_feeds_delete AFTER DELETE ON feeds
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_feeds_update AFTER UPDATE OF title, site_link, url, status ON feeds
WHEN OLD.title IS NOT NEW.title OR OLD.site_link IS NOT NEW.site_link OR OLD.url IS NOT NEW.url
    OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE content_version SET version = version + 1 WHERE id = 1;
END;
