//! The store against a real database: an SQLite file in a temporary directory, or a fresh
//! PostgreSQL database per test when VIRGULE_TEST_DATABASE_URL is set (see
//! `virgule_store::testing`). One binary, one module per area.

#![allow(clippy::unwrap_used)]

mod backdated;
mod certs;
mod content_version;
mod entries;
mod feeds;
mod flags;
mod leases;
mod members;
mod news;
mod projects;
mod ratings;
mod search;
mod sessions;
mod site;
mod support;
mod tokens;
