//! HTTP semantics around pages and feeds: validators and conditional requests.

pub mod cached;
pub mod validators;
