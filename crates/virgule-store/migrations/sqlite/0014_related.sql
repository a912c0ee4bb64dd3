-- Related posts (docs/design.md "Related posts"): each entry's page ends with up to three
-- entries like it, the same member's first. The lists are computed away from the request
-- (virgule-site's related refresher, with the full-text index) and stored here, so that a
-- page reads them with its entry. `related_at` is NULL while an entry's list is due: when it
-- is new, edited (by its member or its feed), or when an entry its list named is deleted.
ALTER TABLE entries ADD COLUMN related_at TEXT;
CREATE INDEX entries_related_due ON entries (id) WHERE related_at IS NULL;

CREATE TABLE related_entries (
    entry_id   INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    position   SMALLINT NOT NULL,
    -- No foreign key: the delete trigger below takes these rows out, once it has marked
    -- their lists due (a cascade would remove them first).
    related_id INTEGER NOT NULL,
    PRIMARY KEY (entry_id, position)
);
CREATE INDEX related_entries_related ON related_entries (related_id);

-- A search limited to one author reads that author's replies (entries and articles have
-- such an index already).
CREATE INDEX replies_member ON replies (member_id, id);

-- An entry's list is due again when its words change (every edit sets them), and the lists
-- that named an entry are due again when it goes, by whichever path: its member, its feed,
-- an admin's purge.
CREATE TRIGGER entries_related_edited AFTER UPDATE OF title, search_text ON entries BEGIN
    UPDATE entries SET related_at = NULL WHERE id = NEW.id;
END;
CREATE TRIGGER entries_related_deleted AFTER DELETE ON entries BEGIN
    UPDATE entries SET related_at = NULL
    WHERE id IN (SELECT entry_id FROM related_entries WHERE related_id = OLD.id);
    DELETE FROM related_entries WHERE related_id = OLD.id;
END;
