//! HTTP caching for pages and feeds (docs/design.md §2): validators (`ETag`, `Last-Modified`),
//! `304` answers to conditional requests, and default `Cache-Control`.
//!
//! [`validators`] holds the rules as pure functions over headers; [`conditional`] is the
//! middleware that applies them to every response. Compression is tower-http's layer, placed
//! in [`crate::router`].

pub mod conditional;
pub mod validators;
