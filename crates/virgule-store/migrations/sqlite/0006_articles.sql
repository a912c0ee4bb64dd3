-- Front-page articles and threaded replies (on articles and on diary entries).

-- A member may close their diary to replies (articles always take them).
ALTER TABLE members ADD COLUMN replies_open BOOLEAN NOT NULL DEFAULT TRUE;

-- Articles are numbered site-wide from 1 (`/article/N.html`); numbers are never reused.
CREATE TABLE articles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    number       BIGINT NOT NULL UNIQUE,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    format       TEXT NOT NULL,
    lead_source  TEXT NOT NULL,
    lead_html    TEXT NOT NULL,
    body_source  TEXT NOT NULL,
    html         TEXT NOT NULL,
    published_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- A profile's list of the member's articles.
CREATE INDEX articles_member ON articles (member_id, number);

-- A reply belongs to exactly one article or one entry, and answers the item itself
-- (parent_id NULL) or another reply of the same item. A deleted reply that has answers stays
-- as a placeholder (deleted, its text emptied), so that the thread still reads.
CREATE TABLE replies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    entry_id     INTEGER REFERENCES entries (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES replies (id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    format       TEXT NOT NULL,
    body_source  TEXT NOT NULL,
    html         TEXT NOT NULL,
    published_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted      BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK ((article_id IS NULL) <> (entry_id IS NULL))
);
-- A thread is read, and its replies counted, through these, in id (= posting) order.
CREATE INDEX replies_article ON replies (article_id, id) WHERE article_id IS NOT NULL;
CREATE INDEX replies_entry ON replies (entry_id, id) WHERE entry_id IS NOT NULL;
CREATE INDEX replies_parent ON replies (parent_id) WHERE parent_id IS NOT NULL;
