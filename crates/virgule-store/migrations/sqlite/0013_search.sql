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
-- read it from there by rowid (through these views). Besides the words, each indexes its
-- author as one token `m<member id>` (column `owner`, which searches never match words
-- against), so that a search by one author is an intersection inside the index rather than
-- a pass over every match by anyone; likewise its year and month, `y2012` and `d201205`, for
-- a search over a period (Store::search narrows by them, then holds matches to the exact
-- bounds). Porter stemming (as PostgreSQL's `english` configuration stems) over unicode61,
-- with diacritics folded; prefix indexes of 2, 3 and 4 characters make `debi*` read one list
-- instead of merging every word it starts.
CREATE VIEW entries_search AS SELECT id, title, search_text, 'm' || member_id || ' y' || substr(published_at, 1, 4) || ' d' || substr(published_at, 1, 4) || substr(published_at, 6, 2) AS owner FROM entries;
CREATE VIEW articles_search AS SELECT id, title, search_text, 'm' || member_id || ' y' || substr(published_at, 1, 4) || ' d' || substr(published_at, 1, 4) || substr(published_at, 6, 2) AS owner FROM articles;
CREATE VIEW replies_search AS SELECT id, search_text, 'm' || member_id || ' y' || substr(published_at, 1, 4) || ' d' || substr(published_at, 1, 4) || substr(published_at, 6, 2) AS owner FROM replies;
CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, search_text, owner, content = 'entries_search', content_rowid = 'id', prefix = '2 3 4',
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, search_text, owner, content = 'articles_search', content_rowid = 'id', prefix = '2 3 4',
    tokenize = 'porter unicode61 remove_diacritics 2');
-- Titles alone, again, with their `owner` tokens: a search with more matches than it ranks
-- shows those with its words in the title first, and asking the indexes above for a column
-- reads the positions of every match, where these read only titles.
CREATE VIRTUAL TABLE entries_title_fts USING fts5(
    title, owner, content = 'entries_search', content_rowid = 'id', prefix = '2 3 4',
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE articles_title_fts USING fts5(
    title, owner, content = 'articles_search', content_rowid = 'id', prefix = '2 3 4',
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE replies_fts USING fts5(
    search_text, owner, content = 'replies_search', content_rowid = 'id', prefix = '2 3 4',
    tokenize = 'porter unicode61 remove_diacritics 2');

-- What a search's filters read of each candidate (search.rs names them, INDEXED BY): the
-- rows themselves are big, and the columns added later sit behind the text, so checking one
-- there reads its overflow pages.
CREATE INDEX entries_shown ON entries (id, member_id, published_at, spam);
CREATE INDEX articles_shown ON articles (id, member_id, published_at, spam);
CREATE INDEX replies_shown ON replies (id, member_id, published_at, deleted, spam);

-- What is there now (titles only, until the text is filled in); an external-content index
-- must hold exactly what its delete triggers will take out.
INSERT INTO entries_fts (rowid, title, search_text, owner) SELECT id, title, search_text, owner FROM entries_search;
INSERT INTO entries_title_fts (rowid, title, owner) SELECT id, title, owner FROM entries_search;
INSERT INTO articles_fts (rowid, title, search_text, owner) SELECT id, title, search_text, owner FROM articles_search;
INSERT INTO articles_title_fts (rowid, title, owner) SELECT id, title, owner FROM articles_search;
INSERT INTO replies_fts (rowid, search_text, owner) SELECT id, search_text, owner FROM replies_search;

CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, search_text, owner) VALUES (NEW.id, NEW.title, NEW.search_text, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
    INSERT INTO entries_title_fts (rowid, title, owner) VALUES (NEW.id, NEW.title, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
END;
CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, search_text, owner)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO entries_title_fts (entries_title_fts, rowid, title, owner) VALUES ('delete', OLD.id, OLD.title, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
END;
CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, search_text, published_at, member_id ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, search_text, owner)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO entries_fts (rowid, title, search_text, owner) VALUES (NEW.id, NEW.title, NEW.search_text, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
    INSERT INTO entries_title_fts (entries_title_fts, rowid, title, owner) VALUES ('delete', OLD.id, OLD.title, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO entries_title_fts (rowid, title, owner) VALUES (NEW.id, NEW.title, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
END;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, search_text, owner) VALUES (NEW.id, NEW.title, NEW.search_text, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
    INSERT INTO articles_title_fts (rowid, title, owner) VALUES (NEW.id, NEW.title, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, search_text, owner)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO articles_title_fts (articles_title_fts, rowid, title, owner) VALUES ('delete', OLD.id, OLD.title, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, search_text, published_at, member_id ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, search_text, owner)
    VALUES ('delete', OLD.id, OLD.title, OLD.search_text, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO articles_fts (rowid, title, search_text, owner) VALUES (NEW.id, NEW.title, NEW.search_text, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
    INSERT INTO articles_title_fts (articles_title_fts, rowid, title, owner) VALUES ('delete', OLD.id, OLD.title, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO articles_title_fts (rowid, title, owner) VALUES (NEW.id, NEW.title, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
END;

CREATE TRIGGER replies_fts_insert AFTER INSERT ON replies BEGIN
    INSERT INTO replies_fts (rowid, search_text, owner) VALUES (NEW.id, NEW.search_text, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
END;
CREATE TRIGGER replies_fts_delete AFTER DELETE ON replies BEGIN
    INSERT INTO replies_fts (replies_fts, rowid, search_text, owner)
    VALUES ('delete', OLD.id, OLD.search_text, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
END;
CREATE TRIGGER replies_fts_update AFTER UPDATE OF search_text, published_at, member_id ON replies BEGIN
    INSERT INTO replies_fts (replies_fts, rowid, search_text, owner)
    VALUES ('delete', OLD.id, OLD.search_text, 'm' || OLD.member_id || ' y' || substr(OLD.published_at, 1, 4) || ' d' || substr(OLD.published_at, 1, 4) || substr(OLD.published_at, 6, 2));
    INSERT INTO replies_fts (rowid, search_text, owner) VALUES (NEW.id, NEW.search_text, 'm' || NEW.member_id || ' y' || substr(NEW.published_at, 1, 4) || ' d' || substr(NEW.published_at, 1, 4) || substr(NEW.published_at, 6, 2));
END;
