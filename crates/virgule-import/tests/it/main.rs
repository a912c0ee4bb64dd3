//! virgule-import's integration tests: whole exports and subscription lists from
//! `tests/fixtures/` (each described in its README), read through the public API.

#![allow(clippy::unwrap_used)]

mod opml;
mod streaming;
mod wxr_content;
mod wxr_errors;
mod wxr_fixtures;

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use virgule_import::wxr::{Post, Record, WxrError, WxrReader};

pub fn fixture(name: &str) -> BufReader<File> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    BufReader::new(File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Every record of a fixture, stopping at the first error (which is returned too).
pub fn read_all(name: &str) -> (Vec<Record>, Option<WxrError>) {
    read_from(WxrReader::new(fixture(name)))
}

pub fn read_from<R: std::io::BufRead>(reader: WxrReader<R>) -> (Vec<Record>, Option<WxrError>) {
    let mut records = Vec::new();
    for record in reader {
        match record {
            Ok(r) => records.push(r),
            Err(e) => return (records, Some(e)),
        }
    }
    (records, None)
}

pub fn posts(records: &[Record]) -> Vec<&Post> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Post(p) => Some(p),
            Record::Skipped { .. } => None,
        })
        .collect()
}
