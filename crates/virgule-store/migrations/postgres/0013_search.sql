-- Full-text search (docs/design.md "Search") with PostgreSQL's text search.
--
-- `search_text` is the plain text of an item's sanitized HTML (an article's lead and body),
-- written by the store beside `html` on every write (virgule_html::searchable_text). NULL on
-- rows written before this migration until the store fills it in when it opens
-- (Store::fill_search_text). `search_vector` is generated from it and the title (weighted
-- above the text), so the GIN index is current after every write with no trigger to forget.
ALTER TABLE entries ADD COLUMN search_text TEXT;
ALTER TABLE articles ADD COLUMN search_text TEXT;
ALTER TABLE replies ADD COLUMN search_text TEXT;
-- What is left to fill in, so that opening a store finds it without reading every row.
CREATE INDEX entries_unsearched ON entries (id) WHERE search_text IS NULL;
CREATE INDEX articles_unsearched ON articles (id) WHERE search_text IS NULL;
CREATE INDEX replies_unsearched ON replies (id) WHERE search_text IS NULL;

ALTER TABLE entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(search_text, '')), 'B')) STORED;
ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(search_text, '')), 'B')) STORED;
ALTER TABLE replies ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english'::regconfig, coalesce(search_text, ''))) STORED;

CREATE INDEX entries_search ON entries USING GIN (search_vector);
CREATE INDEX articles_search ON articles USING GIN (search_vector);
CREATE INDEX replies_search ON replies USING GIN (search_vector);
