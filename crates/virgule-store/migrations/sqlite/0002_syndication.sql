-- Syndication (DESIGN §3): a member links one external feed; its posts become diary entries.

-- Set on entries that came from a feed: the feed's title when the post was last ingested and
-- the original post's address, for the "Syndicated ... from FEED TITLE" footer.
ALTER TABLE entries ADD COLUMN syndicated_feed TEXT;
ALTER TABLE entries ADD COLUMN syndicated_url TEXT;

-- One row per member who ever linked a feed, kept when they unlink it (status 'stopped'), so
-- that the posts already seen (feed_items) never come back as duplicates if they link it again.
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id            INTEGER NOT NULL UNIQUE REFERENCES members (id) ON DELETE CASCADE,
    -- The address polled: as the member gave it, then the discovered feed, then where a
    -- permanent redirect moved it. NULL once the member stopped syndication.
    url                  TEXT,
    -- 'active' (polled), 'gone' (the server answered 410: not polled until the member acts),
    -- 'stopped' (the member unlinked it).
    status               TEXT NOT NULL,
    title                TEXT NOT NULL DEFAULT '',
    site_link            TEXT,
    etag                 TEXT,
    last_modified        TEXT,
    last_fetch_at        TEXT,
    last_success_at      TEXT,
    -- In words, with the HTTP status or the reason; NULL after a success.
    last_error           TEXT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    next_fetch_at        TEXT,
    -- The lease of the worker fetching it now (a random token) and when it expires.
    claimed_by           TEXT,
    claimed_until        TEXT,
    created_at           TEXT NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_fetch_at) WHERE status = 'active';
-- A fetcher reads back what it just claimed by its token.
CREATE INDEX feeds_claimed ON feeds (claimed_by) WHERE claimed_by IS NOT NULL;

-- Every post ever seen in a feed, by identity (virgule_feeds::identity_key). entry_id turns
-- NULL when the member deletes the entry: a tombstone, so the post is never ingested again.
CREATE TABLE feed_items (
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    identity      TEXT NOT NULL,
    entry_id      INTEGER REFERENCES entries (id) ON DELETE SET NULL,
    content_hash  TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, identity)
);
-- Deleting an entry finds its item through this (ON DELETE SET NULL).
CREATE INDEX feed_items_entry ON feed_items (entry_id) WHERE entry_id IS NOT NULL;
