//! The seed corpus: `seeds/<target>/`, one input per file, kept in the repository.

use std::io;
use std::path::{Path, PathBuf};

/// Where a target's seeds are kept in the repository.
pub fn seed_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target)
}

/// Every file of `dir` (not its subdirectories), in name order. An empty or missing
/// directory is an error: a target fuzzed from nothing finds little.
pub fn load_seeds(dir: &Path) -> io::Result<Vec<Vec<u8>>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            paths.push(entry.path());
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no seed files in {}", dir.display()),
        ));
    }
    paths.iter().map(std::fs::read).collect()
}
