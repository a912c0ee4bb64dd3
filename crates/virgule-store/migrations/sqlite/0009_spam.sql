-- Spam flags (docs/trust.md "Spam"): ranked members flag an entry, an article, a reply or an
-- account; a flag weighs its flagger's level when it was made (Apprentice 1, Journeyer 2,
-- Master 3). Past the site's `spam_threshold` the item is hidden from the shared pages.

-- spam: 0 shown, 1 hidden as spam (flags reached the threshold), 2 an admin judged it not
-- spam (further flags are refused). On members it hides all of the account's writing.
ALTER TABLE entries ADD COLUMN spam SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN spam SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE replies ADD COLUMN spam SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN spam SMALLINT NOT NULL DEFAULT 0;

-- One flag per member per item; exactly one target column is set. Flags go with their item.
CREATE TABLE flags (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    flagger_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    entry_id   INTEGER REFERENCES entries (id) ON DELETE CASCADE,
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    reply_id   INTEGER REFERENCES replies (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES members (id) ON DELETE CASCADE,
    weight     SMALLINT NOT NULL,
    flagged_at TEXT NOT NULL,
    CHECK ((entry_id IS NOT NULL) + (article_id IS NOT NULL) + (reply_id IS NOT NULL)
           + (account_id IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX flags_entry ON flags (entry_id, flagger_id) WHERE entry_id IS NOT NULL;
CREATE UNIQUE INDEX flags_article ON flags (article_id, flagger_id) WHERE article_id IS NOT NULL;
CREATE UNIQUE INDEX flags_reply ON flags (reply_id, flagger_id) WHERE reply_id IS NOT NULL;
CREATE UNIQUE INDEX flags_account ON flags (account_id, flagger_id) WHERE account_id IS NOT NULL;
CREATE INDEX flags_flagger ON flags (flagger_id);
-- The admin page's queue reads these.
CREATE INDEX entries_spam ON entries (id) WHERE spam = 1;
CREATE INDEX articles_spam ON articles (id) WHERE spam = 1;
CREATE INDEX replies_spam ON replies (id) WHERE spam = 1;
CREATE INDEX members_spam ON members (id) WHERE spam = 1;

-- "Hidden as spam" folds into recent_rank (-1): the recent log's partial indexes keep
-- holding exactly the entries it shows.
DROP TRIGGER entries_recent_rank;
CREATE TRIGGER entries_recent_rank AFTER INSERT ON entries
WHEN NEW.in_recentlog
BEGIN
    UPDATE entries SET recent_rank = (
        SELECT CASE WHEN m.suspended OR m.spam = 1 OR NEW.spam = 1 THEN -1 ELSE m.trust_level END
        FROM members m WHERE m.id = NEW.member_id)
    WHERE id = NEW.id;
END;

DROP TRIGGER members_recent_rank;
CREATE TRIGGER members_recent_rank AFTER UPDATE OF trust_level, suspended, spam ON members
WHEN OLD.trust_level <> NEW.trust_level OR OLD.suspended <> NEW.suspended
    OR (OLD.spam = 1) <> (NEW.spam = 1)
BEGIN
    UPDATE entries SET recent_rank =
        CASE WHEN NEW.suspended OR NEW.spam = 1 THEN -1 ELSE NEW.trust_level END
    WHERE member_id = NEW.id AND in_recentlog AND spam <> 1;
END;

CREATE TRIGGER entries_spam_rank AFTER UPDATE OF spam ON entries
WHEN (OLD.spam = 1) <> (NEW.spam = 1) AND NEW.in_recentlog
BEGIN
    UPDATE entries SET recent_rank = (
        SELECT CASE WHEN NEW.spam = 1 OR m.suspended OR m.spam = 1 THEN -1 ELSE m.trust_level END
        FROM members m WHERE m.id = NEW.member_id)
    WHERE id = NEW.id;
END;
