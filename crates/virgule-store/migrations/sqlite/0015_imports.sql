-- WordPress imports (`virgule import wxr`, docs/design.md §8): what each post and comment of
-- an export became, so that importing the same export again updates rather than duplicates.
-- A post is known by its member, its blog (`source`: the export's blog address) and its
-- WordPress id. A published post is an entry (`entry_id`); a draft, pending or private post
-- is kept here, not shown anywhere, with its text (`status`, `title`, `html`, `tags`,
-- `published_at`), until an import finds it published. An entry its member deleted leaves
-- `entry_id` NULL, and a later import brings it back.
CREATE TABLE imported_posts (
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    wp_id        BIGINT NOT NULL,
    entry_id     INTEGER REFERENCES entries (id) ON DELETE SET NULL,
    status       TEXT NOT NULL,
    title        TEXT NOT NULL,
    html         TEXT NOT NULL,
    tags         TEXT NOT NULL,
    published_at TEXT,
    PRIMARY KEY (member_id, source, wp_id)
);
CREATE INDEX imported_posts_entry ON imported_posts (entry_id) WHERE entry_id IS NOT NULL;

-- A reply by someone without an account here (an imported comment's author): named, with
-- their address if they gave one. Such a reply belongs to the entry's member (`member_id`),
-- who may edit or delete it as a blog's owner moderates its comments.
ALTER TABLE replies ADD COLUMN guest_name TEXT;
ALTER TABLE replies ADD COLUMN guest_url TEXT;

-- An approved comment became a guest's reply under its post's entry: `imported_id` is the
-- comment's id in the export, so that a second import finds it.
ALTER TABLE replies ADD COLUMN imported_id BIGINT;
CREATE UNIQUE INDEX replies_imported ON replies (entry_id, imported_id)
    WHERE imported_id IS NOT NULL;

-- Accounts made by an OPML import (`virgule import opml`) have no password: they are locked
-- until claimed through a link an admin issues (`virgule user claim NAME`). A link is good
-- once, until it expires; only its hash is kept.
CREATE TABLE claim_tokens (
    token_hash TEXT PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);
CREATE INDEX claim_tokens_member ON claim_tokens (member_id);
