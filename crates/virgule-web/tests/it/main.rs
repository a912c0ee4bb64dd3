//! HTTP-level tests: the real router served on 127.0.0.1 over a real database (SQLite in a
//! temporary directory, or PostgreSQL when VIRGULE_TEST_DATABASE_URL is set), driven by a
//! real HTTP client with a cookie jar, as a browser or an API client would.

mod api_accounts;
mod api_certs;
mod api_entries;
mod api_feed;
mod api_people;
mod api_projects;
mod api_settings;
mod api_support;
mod articles;
mod csrf_routes;
mod export;
mod feed_health;
mod feed_origin;
mod feeds_out;
mod harness;
mod http_caching;
mod imports;
mod metrics;
mod page_cache;
mod pages_acct;
mod pages_certs;
mod pages_diary;
mod pages_misc;
mod pages_projects;
mod pages_support;
mod ratings;
mod recentlog_thresh;
mod related;
mod replies;
mod request_limits;
mod rules_parity;
mod search;
mod spam;
mod trust;
