//! The harness in CI: each real target for a few seconds from its seeds (no failure, and past
//! the seeds into mutations), and planted targets that panic, break an invariant, hang or
//! blow up memory, each of which the harness must catch, name and save.

use std::path::Path;
use std::time::Duration;

use virgule_fuzz::{Config, FailureKind, Report, TARGETS, Target, fuzz, load_seeds, seed_dir};

fn config(crashes: &Path, seconds: f64) -> Config {
    Config {
        duration: Duration::from_secs_f64(seconds),
        crash_dir: crashes.to_path_buf(),
        seed: 2026,
        // Small inputs, so that a debug build runs many in its few seconds: crafted 64 KiB
        // inputs take up to a second to sanitize in release, several times that in debug
        // (the release runs of docs/proof.md take them).
        max_len: 4096,
        ..Config::default()
    }
}

fn crash_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("virgule-fuzz-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every target runs its whole seed corpus and then mutations for a few seconds, without a
/// failure; and the corpus is modest.
#[test]
fn every_target_survives_a_short_run() {
    let mut corpus_bytes = 0;
    for target in TARGETS {
        let seeds = load_seeds(&seed_dir(target.name)).expect("seeds");
        corpus_bytes += seeds.iter().map(Vec::len).sum::<usize>();
        let count = seeds.len();
        let crashes = crash_dir(target.name);
        let report = fuzz(target, seeds, &config(&crashes, 4.0));
        println!("{report}");
        assert!(report.failure.is_none(), "{report}");
        assert_eq!(report.seeds, count);
        assert!(report.execs > count as u64 + 20, "too few mutations: {report}");
        assert!(report.peak_rss > 0, "{report}");
        assert!(!crashes.join(target.name).join("in-flight").exists());
    }
    assert!(corpus_bytes < 2 << 20, "the seed corpus is {corpus_bytes} bytes");
}

fn planted(run: fn(&[u8]) -> Result<u64, String>) -> &'static Target {
    Box::leak(Box::new(Target { name: "planted", run, tokens: &[b"boom"] }))
}

fn contains(input: &[u8], what: &[u8]) -> bool {
    input.windows(what.len()).any(|w| w == what)
}

fn failed_run(
    name: &str,
    target: &'static Target,
    config: impl FnOnce(Config) -> Config,
) -> Report {
    let crashes = crash_dir(name);
    let report = fuzz(target, vec![b"hello world".to_vec()], &config(self::config(&crashes, 20.0)));
    let failure = report.failure.as_ref().unwrap_or_else(|| panic!("nothing caught: {report}"));
    let saved = failure.saved.as_ref().expect("the input is saved");
    assert!(saved.starts_with(crashes.join("planted")), "{}", saved.display());
    assert_eq!(std::fs::read(saved).expect("saved input"), failure.input);
    let note = std::fs::read_to_string(saved.with_extension("txt")).expect("saved note");
    assert!(note.contains(&failure.kind.to_string()), "{note}");
    assert!(report.elapsed < Duration::from_secs(15), "found late or not stopped: {report}");
    report
}

/// The harness finds the token it was given, catches the panic, and keeps the message.
#[test]
fn a_planted_panic_is_caught_reported_and_saved() {
    let report = failed_run(
        "panic",
        planted(|input| {
            assert!(!contains(input, b"boom"), "planted panic");
            Ok(input.len() as u64)
        }),
        |c| c,
    );
    let failure = report.failure.expect("failure");
    assert_eq!(failure.kind, FailureKind::Panic);
    assert!(contains(&failure.input, b"boom"));
    assert!(
        failure.message.contains("planted panic") && failure.message.contains("main.rs"),
        "{}",
        failure.message
    );
}

#[test]
fn a_broken_invariant_is_reported() {
    let report = failed_run(
        "invariant",
        planted(
            |input| {
                if input.len() > 40 { Err(format!("{} bytes", input.len())) } else { Ok(0) }
            },
        ),
        |c| c,
    );
    let failure = report.failure.expect("failure");
    assert_eq!(failure.kind, FailureKind::Invariant);
    assert!(failure.input.len() > 40 && failure.message.ends_with(" bytes"));
}

/// An input that runs past the hang limit is reported while it still runs.
#[test]
fn a_planted_hang_is_caught() {
    let report = failed_run(
        "hang",
        planted(|input| {
            if contains(input, b"boom") {
                std::thread::sleep(Duration::from_secs(5));
            }
            Ok(0)
        }),
        |c| Config { hang_after: Duration::from_millis(500), ..c },
    );
    let failure = report.failure.expect("failure");
    assert_eq!(failure.kind, FailureKind::Hang);
    assert!(contains(&failure.input, b"boom"));
}

/// Memory past the limit is a failure, even when the input frees it before it returns.
#[test]
fn a_planted_memory_blow_up_is_caught() {
    let report = failed_run(
        "memory",
        planted(|input| {
            if contains(input, b"boom") {
                let big = std::hint::black_box(vec![1_u8; 600 << 20]);
                return Ok(u64::from(big[big.len() / 2]));
            }
            Ok(0)
        }),
        |c| Config { rss_limit: 400 << 20, ..c },
    );
    let failure = report.failure.expect("failure");
    assert_eq!(failure.kind, FailureKind::Memory);
    assert!(contains(&failure.input, b"boom"), "{:?}", String::from_utf8_lossy(&failure.input));
}
