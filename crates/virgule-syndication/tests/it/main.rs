//! Integration tests of the syndication engine, one binary (docs/architecture.md, Testing): `Syndicator` over a
//! real store (SQLite, or PostgreSQL with `VIRGULE_TEST_DATABASE_URL`) fetching from a real
//! axum server on 127.0.0.1:0 that plays the member's blog.

mod discovery;
mod formats;
mod http;
mod identity;
mod origin;
mod scheduling;
mod ssrf;
mod support;
mod warnings;
