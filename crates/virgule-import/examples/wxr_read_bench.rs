//! How fast the WXR reader goes through an export: records, posts and comments per second
//! and MB/s, on one thread, content conversion included.
//!
//! `cargo run --release -p virgule-import --example wxr_gen -- --posts 10000 > /tmp/blog.xml`
//! `cargo run --release -p virgule-import --example wxr_read_bench -- /tmp/blog.xml`

use std::fs::File;
use std::hint::black_box;
use std::io::BufReader;
use std::process::ExitCode;
use std::time::Instant;

use virgule_import::wxr::{Record, WxrReader};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: wxr_read_bench EXPORT.xml");
        return ExitCode::from(2);
    };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let reader = WxrReader::new(BufReader::with_capacity(64 * 1024, file));
    let (mut posts, mut skipped, mut comments, mut html_bytes) = (0u64, 0u64, 0u64, 0u64);
    for record in reader {
        match record {
            Ok(Record::Post(post)) => {
                posts += 1;
                comments += post.comments.len() as u64;
                html_bytes += post.content_html.len() as u64;
                black_box(&post);
            }
            Ok(Record::Skipped { .. }) => skipped += 1,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{path}: {:.1} MB, {posts} posts, {comments} comments, {skipped} other records skipped",
        bytes as f64 / 1e6
    );
    println!(
        "elapsed {:.3} s: {:.0} posts/s, {:.1} MB/s ({:.1} MB of post HTML out)",
        elapsed,
        posts as f64 / elapsed,
        bytes as f64 / 1e6 / elapsed,
        html_bytes as f64 / 1e6
    );
    ExitCode::SUCCESS
}
