//! Integration tests of virgule-feeds, one binary (docs/architecture.md, Testing): the fetcher against a real
//! axum server on 127.0.0.1:0 as the feed origin; the reader's robustness against arbitrary and
//! mutated input.

mod corpus;
mod fetch;
mod robust;
