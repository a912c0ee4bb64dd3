//! HTTP caching for pages and feeds (docs/design.md §2): validators (`ETag`, `Last-Modified`),
//! `304` answers to conditional requests, default `Cache-Control`, and rendered pages kept in
//! memory.
//!
//! [`validators`] holds the rules as pure functions over headers; [`conditional`] is the
//! middleware that applies them to every response; [`cached`] answers anonymous reads from
//! [`crate::page_cache`], kept in each [`encoding`] once asked for. Compression of everything
//! else is tower-http's layer, placed in [`crate::router`].

pub mod cached;
pub mod conditional;
pub mod encoding;
pub mod validators;
