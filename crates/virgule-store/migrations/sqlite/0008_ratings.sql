-- Diary ratings (docs/trust.md "Diary ratings"): how interesting a member finds another's
-- diary, 1 to 10, and the per-reader scores the background computation propagates from them
-- through certifications.

-- One current rating per (rater, author); rating again updates the row, withdrawing deletes
-- it. Nobody rates their own diary.
CREATE TABLE ratings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rater_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    rating      SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 10),
    rated_at    TEXT NOT NULL,
    UNIQUE (rater_id, author_id),
    CHECK (rater_id <> author_id)
);

-- Derived: each reader's score for each author (confidence, confidence-weighted mean and mean
-- of squares), replaced wholesale by each computation and never exported. Only scores above
-- a small confidence are kept. No foreign keys: the computation writes it in bulk from the
-- members it has just read, and pages join it to members anyway.
CREATE TABLE interest_scores (
    reader_id   INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    confidence  REAL NOT NULL,
    mean        REAL NOT NULL,
    mean_sq     REAL NOT NULL,
    PRIMARY KEY (reader_id, author_id)
) WITHOUT ROWID;
