//! The browser suite: the site in headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver by fantoccini, against the real `virgule serve`.
//! Its tests are ignored by the plain test run (they need a browser installed); `.ci/run`
//! installs Chromium when missing and runs them:
//!
//! ```sh
//! cargo nextest run -p virgule --test browser --run-ignored only
//! ```
//!
//! Screenshots go to `VIRGULE_ARTIFACTS_DIR` (default: a folder in the system's temp dir).

#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod chrome;
mod path;
mod xss;
