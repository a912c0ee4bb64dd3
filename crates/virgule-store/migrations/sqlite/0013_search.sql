-- Full-text search (docs/design.md "Search") with SQLite's FTS5.
--
-- `search_text` is the plain text of an item's sanitized HTML (an article's lead and body),
-- written by the store beside `html` on every write (virgule_html::searchable_text); SQL
-- cannot take HTML apart, so the triggers below only copy it into the index. NULL on rows
-- written before this migration until the store fills it in when it opens
-- (Store::fill_search_text), which the update triggers then index.
ALTER TABLE entries ADD COLUMN search_text TEXT;
ALTER TABLE articles ADD COLUMN search_text TEXT;
ALTER TABLE replies ADD COLUMN search_text TEXT;
-- What is left to fill in, so that opening a store finds it without reading every row.
CREATE INDEX entries_unsearched ON entries (id) WHERE search_text IS NULL;
CREATE INDEX articles_unsearched ON articles (id) WHERE search_text IS NULL;
CREATE INDEX replies_unsearched ON replies (id) WHERE search_text IS NULL;

-- External-content indexes: the text is stored once, in the item's own table, and snippets
-- read it from there by rowid. Porter stemming (as PostgreSQL's `english` configuration
-- stems) over unicode61, with diacritics folded.
CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, search_text, content = 'entries', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, search_text, content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE replies_fts USING fts5(
    search_text, content = 'replies', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2');

-- What is there now (titles only, until the text is filled in); an external-content index
-- must hold exactly what its delete triggers will take out.
INSERT INTO entries_fts (rowid, title, search_text) SELECT id, title, search_text FROM entries;
INSERT INTO articles_fts (rowid, title, search_text) SELECT id, title, search_text FROM articles;
INSERT INTO replies_fts (rowid, search_text) SELECT id, search_text FROM replies;

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, search_text) VALUES (NEW.id, NEW.title, NEW.search_text);
END;
CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, search_text)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text);
END;
CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, search_text ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, search_text)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text);
    INSERT INTO entries_fts (rowid, title, search_text) VALUES (NEW.id, NEW.title, NEW.search_text);
END;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, search_text) VALUES (NEW.id, NEW.title, NEW.search_text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, search_text)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, search_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, search_text)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text);
    INSERT INTO articles_fts (rowid, title, search_text) VALUES (NEW.id, NEW.title, NEW.search_text);
END;

CREATE TRIGGER replies_fts_insert AFTER INSERT ON replies BEGIN
    INSERT INTO replies_fts (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER replies_fts_delete AFTER DELETE ON replies BEGIN
    INSERT INTO replies_fts (replies_fts, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
END;
CREATE TRIGGER replies_fts_update AFTER UPDATE OF search_text ON replies BEGIN
    INSERT INTO replies_fts (replies_fts, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text);
    INSERT INTO replies_fts (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
