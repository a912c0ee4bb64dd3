//! Fuzzing on stable Rust for the code that reads what strangers send us: feeds a member
//! links (bytes → decode → parse → normalize → ingest plan), the HTML sanitizer and its
//! text helpers, Markdown rendering, WordPress exports (WXR) and the site file's records.
//!
//! No nightly, no libFuzzer: each [`Target`] is a plain function over bytes, fed its seed
//! corpus (`seeds/<target>/`, kept in the repository) and then mutations of it ([`mutate`]:
//! bit flips, byte inserts and deletes, splices between inputs, repeated chunks, tokens such
//! as `<`, `]]>` or `&#`, deep nesting). Inputs that make a target behave in a way it had
//! not shown before (a new set of tags in the sanitized output, a new error, a new feed
//! format) join the pool that later inputs are mutated from: a cheap stand-in for coverage.
//!
//! [`fuzz`] runs one target for a while and reports a [`Failure`] for the first input that
//! panics (caught with `catch_unwind`), breaks one of the target's invariants (the sanitizer's
//! output is safe, and still safe sanitized again; a site record survives its own round trip, …), runs
//! longer than the hang limit, or pushes the process's resident memory over the limit. The
//! input is saved under the crash directory, with the message beside it.
//!
//! ```no_run
//! let target = virgule_fuzz::target("sanitize").unwrap();
//! let seeds = virgule_fuzz::load_seeds(&virgule_fuzz::seed_dir(target.name)).unwrap();
//! let report = virgule_fuzz::fuzz(target, seeds, &virgule_fuzz::Config::default());
//! println!("{report}");
//! assert!(report.failure.is_none());
//! ```
//!
//! The `virgule-fuzz` binary runs one target or all of them from the command line.

pub mod check;
mod corpus;
mod harness;
pub mod mutate;
pub mod targets;

pub use corpus::{load_seeds, seed_dir};
pub use harness::{Config, Failure, FailureKind, Report, fuzz, replay};
pub use targets::{TARGETS, Target, target};
