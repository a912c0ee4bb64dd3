-- Members, sessions, API tokens, diary entries with tags, site news.
-- Timestamps are UTC, stored by sqlx as RFC 3339 text with a +00:00 offset (the store truncates
-- them to microseconds); with one offset and four-digit years, text order is time order.

CREATE TABLE members (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL DEFAULT '',
    email             TEXT,
    homepage          TEXT NOT NULL DEFAULT '',
    notes_source      TEXT NOT NULL DEFAULT '',
    notes_html        TEXT NOT NULL DEFAULT '',
    password_hash     TEXT NOT NULL,
    is_admin          BOOLEAN NOT NULL DEFAULT FALSE,
    suspended         BOOLEAN NOT NULL DEFAULT FALSE,
    -- The next diary entry number (0-based, never reused) and the number of entries the member
    -- has now; both kept by the store in the same statement that numbers a new entry, so the
    -- diary page's "N older entries" is one primary-key read, not a count over the index.
    next_entry_number BIGINT NOT NULL DEFAULT 0,
    entry_count       BIGINT NOT NULL DEFAULT 0,
    -- Bumped by every write to the member's entries: pages cache what derives from the
    -- diary (the archive sidebar) under this version, valid on every node.
    diary_version     BIGINT NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
);

-- The few suspended members, for the recent log's "author not suspended" check.
CREATE INDEX members_suspended ON members (id) WHERE suspended;

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);
CREATE INDEX api_tokens_member ON api_tokens (member_id);

CREATE TABLE entries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id        INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    number           BIGINT NOT NULL,
    title            TEXT NOT NULL,
    format           TEXT NOT NULL,
    body_source      TEXT NOT NULL,
    html             TEXT NOT NULL,
    -- YYYYMM of published_at, for month archives without date functions that differ per backend.
    published_month  INTEGER NOT NULL,
    published_at     TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    -- The recent log's order: min(published, first seen).
    sort_at          TEXT NOT NULL,
    in_recentlog     BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (member_id, number)
);
CREATE INDEX entries_member_published ON entries (member_id, published_at DESC, number DESC);
-- A month's page reads this in order; its prefix also counts entries per month.
CREATE INDEX entries_member_month ON entries (member_id, published_month, published_at DESC, number DESC);
CREATE INDEX entries_recentlog ON entries (sort_at DESC, id DESC) WHERE in_recentlog;

CREATE TABLE entry_tags (
    entry_id  INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    -- A copy of entries.member_id, so that a member's tag cloud and tag pages read one index.
    member_id INTEGER NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (entry_id, tag)
);
CREATE INDEX entry_tags_member_tag ON entry_tags (member_id, tag, entry_id);

CREATE TABLE news (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    body_source  TEXT NOT NULL,
    html         TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE INDEX news_published ON news (published_at DESC);
