-- Certifications (TRUST.md): members vouch for each other as apprentice, journeyer or master.

-- The level the trust metric last computed: 0 Observer, 1 Apprentice, 2 Journeyer, 3 Master.
ALTER TABLE members ADD COLUMN trust_level SMALLINT NOT NULL DEFAULT 0;

-- One current certification per (issuer, subject). Certifying again deletes the row and
-- inserts a new one, so that the metric's "stable order by id" puts the newest last; a
-- withdrawal deletes the row.
CREATE TABLE certs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    subject_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    level       TEXT NOT NULL CHECK (level IN ('apprentice', 'journeyer', 'master')),
    created_at  TEXT NOT NULL,
    UNIQUE (issuer_id, subject_id),
    CHECK (issuer_id <> subject_id)
);
-- Certifications received, for profiles (those given read the UNIQUE index's prefix).
CREATE INDEX certs_subject ON certs (subject_id);
