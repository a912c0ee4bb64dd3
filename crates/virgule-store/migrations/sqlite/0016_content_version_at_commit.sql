-- PostgreSQL moves its content version bumps to commit time (see the PostgreSQL tree's 0016).
-- SQLite has one writer at a time, and its triggers take no lock a reader could wait on:
-- nothing changes here. This file keeps the two trees numbered alike.
SELECT 1;
