//! `virgule export` and `virgule import site` through the real binary: a demo site moves to a
//! second data directory (and, when VIRGULE_TEST_DATABASE_URL names a PostgreSQL server, to a
//! fresh PostgreSQL database: the move the commands exist for) and exports again to the same
//! file; a second import and a truncated file are refused with exit status 1.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::TempDir;

use support::{run, text};

/// The shared helper's binary, logging only warnings: the tests read standard error.
fn virgule(data_dir: &Path) -> Command {
    let mut command = support::virgule(data_dir);
    command.env("RUST_LOG", "warn");
    command
}

fn succeeds(command: &mut Command) -> String {
    let out = run(command);
    assert!(out.status.success(), "{:?} failed: {}", command, text(&out.stderr));
    text(&out.stdout)
}

/// The file's lines but its first, the header with the export's time.
fn records(path: &Path) -> Vec<String> {
    let content = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = content.lines().map(str::to_owned).collect();
    assert!(lines[0].starts_with("{\"type\":\"virgule-site\",\"version\":1,"), "{}", lines[0]);
    lines.remove(0);
    lines
}

#[test]
fn a_demo_site_moves_to_a_new_database_and_exports_the_same() {
    let a = TempDir::new().unwrap();
    let b = TempDir::new().unwrap();
    let files = TempDir::new().unwrap();
    let first = files.path().join("site.jsonl");
    let second = files.path().join("again.jsonl");

    succeeds(virgule(a.path()).args(["demo", "--members", "3", "--entries-per-member", "4"]));
    let said = succeeds(virgule(a.path()).arg("export").arg("--output").arg(&first));
    assert!(said.contains("exported 3 members, 0 API tokens, 12 entries"), "{said}");
    assert!(said.contains("sessions are not exported"), "{said}");
    let exported = records(&first);
    let of_type = |kind: &str| {
        exported.iter().filter(|l| l.starts_with(&format!("{{\"type\":\"{kind}\","))).count()
    };
    assert_eq!((of_type("member"), of_type("entry")), (3, 12));
    assert!(exported.last().unwrap().starts_with("{\"type\":\"end\""));

    // Standard output is the default, with the summary on standard error.
    let out = run(virgule(a.path()).arg("export"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().skip(1).collect::<Vec<_>>(), exported);
    assert!(text(&out.stderr).contains("exported 3 members"), "{}", text(&out.stderr));

    let said = succeeds(virgule(b.path()).args(["import", "site"]).arg(&first));
    assert!(said.contains("imported 3 members, 0 API tokens, 12 entries"), "{said}");
    assert!(said.contains("log in again"), "{said}");
    succeeds(virgule(b.path()).args(["export", "--output"]).arg(&second));
    assert_eq!(records(&second), exported, "the round trip loses nothing");

    // Only into an empty database.
    let out = run(virgule(b.path()).args(["import", "site"]).arg(&first));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: the database is not empty"),
        "{}",
        text(&out.stderr)
    );
    succeeds(virgule(b.path()).args(["export", "--output"]).arg(&second));
    assert_eq!(records(&second), exported, "the refused import changed nothing");
}

#[test]
fn a_truncated_file_is_refused_by_line_and_leaves_the_database_empty() {
    let a = TempDir::new().unwrap();
    let c = TempDir::new().unwrap();
    let files = TempDir::new().unwrap();
    let whole = files.path().join("site.jsonl");
    let cut = files.path().join("cut.jsonl");
    succeeds(virgule(a.path()).args(["demo", "--members", "2", "--entries-per-member", "3"]));
    succeeds(virgule(a.path()).args(["export", "--output"]).arg(&whole));
    let content = std::fs::read_to_string(&whole).unwrap();
    let lines: Vec<&str> = content.lines().collect();
    std::fs::write(&cut, lines[..5].join("\n") + "\n").unwrap();

    let out = run(virgule(c.path()).args(["import", "site"]).arg(&cut));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: line 6: "), "{stderr}");
    assert!(stderr.contains("truncated"), "{stderr}");

    let said = succeeds(virgule(c.path()).args(["export", "--output"]).arg(&cut));
    assert!(said.contains("exported 0 members, 0 API tokens, 0 entries"), "{said}");

    // Standard input works as a file.
    let mut child = virgule(c.path())
        .args(["import", "site", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), content.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 2 members"), "{}", text(&out.stdout));
}

/// SQLite → PostgreSQL, when a server is configured for tests.
#[test]
fn a_sqlite_site_moves_to_postgresql() {
    let configured = std::env::var(virgule_store::testing::DATABASE_URL_VAR)
        .is_ok_and(|url| !url.trim().is_empty());
    if !configured {
        eprintln!("skipped: {} is not set", virgule_store::testing::DATABASE_URL_VAR);
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (store, pg) = runtime.block_on(virgule_store::testing::fresh_store());
    runtime.block_on(store.close());
    let url = pg.database_url().expect("a PostgreSQL test database").to_owned();

    let a = TempDir::new().unwrap();
    let files = TempDir::new().unwrap();
    let first = files.path().join("site.jsonl");
    let second = files.path().join("from-pg.jsonl");
    succeeds(virgule(a.path()).args(["demo", "--members", "3", "--entries-per-member", "4"]));
    succeeds(virgule(a.path()).args(["export", "--output"]).arg(&first));

    let unused = TempDir::new().unwrap();
    let said = succeeds(
        virgule(unused.path()).args(["--database-url", &url, "import", "site"]).arg(&first),
    );
    assert!(said.contains("imported 3 members"), "{said}");
    succeeds(
        virgule(unused.path()).args(["--database-url", &url, "export", "--output"]).arg(&second),
    );
    assert_eq!(records(&second), records(&first), "the same records from PostgreSQL");
    drop(pg);
}
