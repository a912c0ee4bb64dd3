//! The domain's operations over a real store (SQLite in a temporary directory, or PostgreSQL
//! when VIRGULE_TEST_DATABASE_URL is set): rules, permissions and what a refusal leaves
//! behind, without HTTP. The web layer's tests show the same through pages and the API.

mod operations;
mod spam;
