-- Named, expiring leases shared by every process on the database: jobs that must run on one
-- node at a time (the trust recomputation) take one, and a crashed holder's lease simply
-- expires. (Feed claims have their own columns on `feeds`: one lease per feed.)
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- The last trust recomputation, whichever node ran it, for every node's admin page: one row,
-- its summary as the web layer's JSON.
CREATE TABLE trust_runs (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    finished_at  TIMESTAMPTZ NOT NULL,
    summary      TEXT NOT NULL
);
