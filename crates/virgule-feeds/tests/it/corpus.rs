//! The feed corpus (`tests/corpus/`, described in its README): hundreds of small feeds, each
//! beside a `.expect.json` that says, partially, what `inspect_json` must give for it. One test
//! reads them all and fails once with every mismatch, so a reader change shows its whole
//! effect at once; the matcher itself is tested below, since a matcher that always agreed would
//! make the corpus prove nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use url::Url;

/// Where the fixtures live, one folder per group.
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
/// The issue asks for at least this many.
const MIN_FIXTURES: usize = 300;
/// The feed URL when an expectation gives none.
const DEFAULT_URL: &str = "https://feeds.example/feed";
/// Generous for a debug build: a fixture is a few hundred bytes.
const MAX_PER_FIXTURE: Duration = Duration::from_secs(2);
/// Extensions a fixture may have; anything else in the corpus folder is an error.
const FIXTURE_EXTENSIONS: &[&str] = &["rss", "rdf", "atom", "xml", "json", "html"];
const EXPECT_SUFFIX: &str = ".expect.json";
/// Fixtures the reader is known to get wrong (see the corpus README): each must still fail,
/// so that a fix is noticed and the line removed.
const KNOWN_BUGS: &str = "known-reader-bugs.txt";

/// The fetch time every fixture is read at, so future-date clamping is reproducible.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("fixed date").with_timezone(&Utc)
}

/// One feed file and its expectation file.
struct Fixture {
    feed: PathBuf,
    expect: PathBuf,
}

impl Fixture {
    /// `group/name.ext`, for messages.
    fn name(&self) -> String {
        self.feed.strip_prefix(CORPUS).unwrap_or(&self.feed).display().to_string()
    }
}

/// One disagreement between an expectation and what the reader gave.
#[derive(Debug, PartialEq)]
struct Mismatch {
    /// JSON pointer into the actual inspect JSON (with the `~`/`!~` key as written).
    pointer: String,
    expected: String,
    actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  at {}: expected {}, got {}", self.pointer, self.expected, self.actual)
    }
}

/// Every feed file under the corpus and every expectation file, paired; an unpaired or
/// unknown file is an error message.
fn collect(root: &Path) -> (Vec<Fixture>, Vec<String>) {
    let mut files = Vec::new();
    walk(root, &mut files);
    files.sort();
    let mut fixtures = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if (name == "README.md" || name == KNOWN_BUGS) && path.parent() == Some(root) {
            continue;
        }
        if let Some(stem) = name.strip_suffix(EXPECT_SUFFIX) {
            let has_feed = FIXTURE_EXTENSIONS
                .iter()
                .any(|ext| files.contains(&path.with_file_name(format!("{stem}.{ext}"))));
            if !has_feed {
                errors.push(format!("{} has no feed file beside it", path.display()));
            }
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !FIXTURE_EXTENSIONS.contains(&ext) {
            errors.push(format!("{} is neither a fixture nor an expectation", path.display()));
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let expect = path.with_file_name(format!("{stem}{EXPECT_SUFFIX}"));
        if files.contains(&expect) {
            fixtures.push(Fixture { feed: path.clone(), expect });
        } else {
            errors.push(format!("{} has no {stem}{EXPECT_SUFFIX}", path.display()));
        }
    }
    let mut stems: Vec<&PathBuf> = fixtures.iter().map(|f| &f.expect).collect();
    stems.dedup();
    if stems.len() != fixtures.len() {
        errors.push("two fixtures share one expectation (same name, different extensions)".into());
    }
    (fixtures, errors)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The keys an expectation may use at each level, so a misspelt key is caught here rather
/// than silently checking nothing (it would fail as "missing" only once the corpus runs).
const TOP_KEYS: &[&str] =
    &["why", "content_type", "url", "error", "format", "feed", "entries", "warnings"];
const FEED_KEYS: &[&str] = &["title", "link", "subtitle", "id", "language", "updated"];
const ENTRY_KEYS: &[&str] = &[
    "id",
    "title",
    "link",
    "published",
    "updated",
    "authors",
    "tags",
    "summary_html",
    "content_html",
];
const AUTHOR_KEYS: &[&str] = &["name", "email", "uri"];

/// What is wrong with an expectation's own shape (not with the reader).
fn check_expectation(expect: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(top) = expect.as_object() else {
        return vec!["the expectation is not a JSON object".into()];
    };
    match top.get("why").and_then(Value::as_str) {
        Some(why) if !why.trim().is_empty() => {}
        _ => problems.push("no \"why\"".into()),
    }
    for key in ["content_type", "url", "error", "format"] {
        if top.get(key).is_some_and(|v| !v.is_string()) {
            problems.push(format!("\"{key}\" must be a string"));
        }
    }
    if let Some(url) = top.get("url").and_then(Value::as_str)
        && Url::parse(url).is_err()
    {
        problems.push(format!("\"url\" {url:?} is not a URL"));
    }
    if top.contains_key("error") {
        let extra: Vec<&String> = top
            .keys()
            .filter(|k| !["why", "content_type", "url", "error"].contains(&k.as_str()))
            .collect();
        if !extra.is_empty() {
            problems.push(format!("a refused feed expects nothing else, but has {extra:?}"));
        }
    }
    check_keys(top, TOP_KEYS, "", &mut problems);
    if let Some(feed) = top.get("feed") {
        match feed.as_object() {
            Some(feed) => check_keys(feed, FEED_KEYS, "/feed", &mut problems),
            None => problems.push("\"feed\" must be an object".into()),
        }
    }
    if let Some(entries) = top.get("entries") {
        let Some(entries) = entries.as_array() else {
            problems.push("\"entries\" must be an array".into());
            return problems;
        };
        for (n, entry) in entries.iter().enumerate() {
            let Some(entry) = entry.as_object() else {
                problems.push(format!("/entries/{n} must be an object"));
                continue;
            };
            check_keys(entry, ENTRY_KEYS, &format!("/entries/{n}"), &mut problems);
            if let Some(authors) = entry.get("authors").and_then(Value::as_array) {
                for (a, author) in authors.iter().enumerate() {
                    match author.as_object() {
                        Some(author) => check_keys(
                            author,
                            AUTHOR_KEYS,
                            &format!("/entries/{n}/authors/{a}"),
                            &mut problems,
                        ),
                        None => problems.push(format!("/entries/{n}/authors/{a} not an object")),
                    }
                }
            }
        }
    }
    if let Some(warnings) = top.get("warnings")
        && !warnings.as_array().is_some_and(|w| w.iter().all(Value::is_string))
    {
        problems.push("\"warnings\" must be an array of strings".into());
    }
    problems
}

fn check_keys(object: &Map<String, Value>, allowed: &[&str], at: &str, out: &mut Vec<String>) {
    for key in object.keys() {
        let (field, _) = split_key(key);
        if !allowed.contains(&field) {
            out.push(format!("unknown key {at}/{key}"));
        }
    }
}

/// How a key compares: `name` exactly, `name~` contains, `name!~` does not contain.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Compare {
    Exact,
    Contains,
    NotContains,
}

fn split_key(key: &str) -> (&str, Compare) {
    if let Some(field) = key.strip_suffix("!~") {
        (field, Compare::NotContains)
    } else if let Some(field) = key.strip_suffix('~') {
        (field, Compare::Contains)
    } else {
        (key, Compare::Exact)
    }
}

/// Compares an expectation (without its `why`/`content_type`/`url`) with the actual inspect
/// JSON; returns every mismatch. Top-level `warnings` are substrings (see the README).
fn compare_top(expected: &Map<String, Value>, actual: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (key, want) in expected {
        match key.as_str() {
            "why" | "content_type" | "url" | "error" => {}
            "warnings" => compare_warnings(want, actual.get("warnings"), &mut out),
            _ => compare_key(key, want, actual, "", &mut out),
        }
    }
    out
}

/// `[]`: exactly no warning; otherwise each expected substring occurs in some warning.
fn compare_warnings(want: &Value, actual: Option<&Value>, out: &mut Vec<Mismatch>) {
    let wanted: Vec<&str> =
        want.as_array().map(|w| w.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let got: Vec<&str> = actual
        .and_then(Value::as_array)
        .map(|w| w.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let shown = || show(actual.unwrap_or(&Value::Null));
    if wanted.is_empty() && !got.is_empty() {
        out.push(Mismatch { pointer: "/warnings".into(), expected: "[]".into(), actual: shown() });
    }
    for substring in wanted {
        if !got.iter().any(|w| w.contains(substring)) {
            out.push(Mismatch {
                pointer: "/warnings".into(),
                expected: format!("a warning containing {substring:?}"),
                actual: shown(),
            });
        }
    }
}

/// Compares the field a (possibly suffixed) key names in `actual` (an object).
fn compare_key(key: &str, want: &Value, actual: &Value, at: &str, out: &mut Vec<Mismatch>) {
    let (field, how) = split_key(key);
    let pointer = format!("{at}/{}", escape_pointer(key));
    let got = actual.get(field);
    match how {
        Compare::Exact => match got {
            Some(got) => compare_value(want, got, &pointer, out),
            None => {
                out.push(Mismatch { pointer, expected: show(want), actual: "no such key".into() })
            }
        },
        Compare::Contains | Compare::NotContains => {
            let needles: Vec<&str> = match want {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let text = got.and_then(Value::as_str);
            for needle in needles {
                let ok = match (how, text) {
                    (Compare::Contains, Some(text)) => text.contains(needle),
                    (Compare::Contains, None) => false,
                    // Null (or no such field) contains nothing, so it passes a "does not
                    // contain"; a number or an array does not pass for a string check.
                    (_, Some(text)) => !text.contains(needle),
                    (_, None) => got.is_none_or(Value::is_null),
                };
                if !ok {
                    let verb = if how == Compare::Contains { "containing" } else { "without" };
                    out.push(Mismatch {
                        pointer: pointer.clone(),
                        expected: format!("a string {verb} {needle:?}"),
                        actual: show(got.unwrap_or(&Value::Null)),
                    });
                }
            }
        }
    }
}

/// Partial comparison: objects compare only the expected keys, arrays are exact in length and
/// compared element-wise, anything else must be equal.
fn compare_value(want: &Value, got: &Value, pointer: &str, out: &mut Vec<Mismatch>) {
    match (want, got) {
        (Value::Object(want), Value::Object(_)) => {
            for (key, value) in want {
                compare_key(key, value, got, pointer, out);
            }
        }
        (Value::Array(want_items), Value::Array(got_items)) => {
            if want_items.len() != got_items.len() {
                out.push(Mismatch {
                    pointer: pointer.to_string(),
                    expected: format!("{} item(s): {}", want_items.len(), show(want)),
                    actual: format!("{} item(s): {}", got_items.len(), show(got)),
                });
                return;
            }
            for (n, (w, g)) in want_items.iter().zip(got_items).enumerate() {
                compare_value(w, g, &format!("{pointer}/{n}"), out);
            }
        }
        _ if want == got => {}
        _ => out.push(Mismatch {
            pointer: pointer.to_string(),
            expected: show(want),
            actual: show(got),
        }),
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Compact JSON, cut so one long body does not drown the report.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 400 {
        format!("{}…", text.chars().take(400).collect::<String>())
    } else {
        text
    }
}

/// Runs one fixture: its mismatches (or why it could not be run) and how long it took.
fn run(fixture: &Fixture) -> (Vec<String>, Duration) {
    let expect: Value = match std::fs::read_to_string(&fixture.expect)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(value) => value,
        Err(e) => {
            return (vec![format!("  the expectation does not read as JSON: {e}")], Duration::ZERO);
        }
    };
    let problems = check_expectation(&expect);
    if !problems.is_empty() {
        return (
            problems.iter().map(|p| format!("  bad expectation: {p}")).collect(),
            Duration::ZERO,
        );
    }
    let Some(expect) = expect.as_object() else { unreachable!("checked above") };
    let bytes = std::fs::read(&fixture.feed).expect("fixture bytes");
    let url = expect.get("url").and_then(Value::as_str).unwrap_or(DEFAULT_URL);
    let url = Url::parse(url).expect("checked above");
    let content_type = expect.get("content_type").and_then(Value::as_str);

    let start = Instant::now();
    let result = virgule_feeds::inspect_json(&bytes, content_type, Some(&url), now());
    let took = start.elapsed();

    let mut lines = Vec::new();
    match (expect.get("error").and_then(Value::as_str), result) {
        (Some(error), Err(e)) if e.to_string().contains(error) => {}
        (Some(error), Err(e)) => {
            lines.push(format!("  expected an error containing {error:?}, got the error \"{e}\""))
        }
        (Some(error), Ok(json)) => lines
            .push(format!("  expected an error containing {error:?}, got a feed: {}", show(&json))),
        (None, Err(e)) => lines.push(format!("  expected a feed, got the error \"{e}\"")),
        (None, Ok(json)) => {
            let mismatches = compare_top(expect, &json);
            lines.extend(mismatches.iter().map(Mismatch::to_string));
            if !mismatches.is_empty() && std::env::var_os("VIRGULE_CORPUS_DUMP").is_some() {
                lines.push(format!(
                    "  actual: {}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                ));
            }
        }
    }
    if took > MAX_PER_FIXTURE {
        lines.push(format!("  took {took:?}, more than {MAX_PER_FIXTURE:?}"));
    }
    (lines, took)
}

/// Every fixture has its expectation and vice versa, there are enough of them, and every
/// expectation is well-formed. Runs against any reader: it checks the corpus, not the code.
#[test]
fn corpus_is_complete_and_well_formed() {
    let (fixtures, mut errors) = collect(Path::new(CORPUS));
    for fixture in &fixtures {
        let text = std::fs::read_to_string(&fixture.expect).unwrap_or_default();
        match serde_json::from_str::<Value>(&text) {
            Ok(expect) => errors.extend(
                check_expectation(&expect).into_iter().map(|p| format!("{}: {p}", fixture.name())),
            ),
            Err(e) => errors.push(format!("{}: not JSON: {e}", fixture.name())),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        fixtures.len() >= MIN_FIXTURES,
        "the corpus has {} fixtures, fewer than {MIN_FIXTURES}",
        fixtures.len()
    );
}

/// The fixtures listed in `known-reader-bugs.txt`: `group/name.ext` then the reason, one a
/// line; blank lines and `#` comments are skipped.
fn parse_known_bugs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| match line.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect()
}

/// What one fixture's outcome means for the run: a failure message, or nothing. A fixture
/// listed as a known bug must fail; if it passes, the list is out of date.
fn judge(name: &str, lines: &[String], known: &[(String, String)]) -> Option<String> {
    let listed = known.iter().any(|(n, _)| n == name);
    match (listed, lines.is_empty()) {
        (false, true) | (true, false) => None,
        (false, false) => Some(format!("{name}:\n{}", lines.join("\n"))),
        (true, true) => Some(format!("{name}: passes now; remove it from {KNOWN_BUGS}")),
    }
}

/// Every fixture read as ingest reads it, compared with its expectation. Set
/// `VIRGULE_CORPUS_FILTER=text` to run only fixtures whose path contains it, and
/// `VIRGULE_CORPUS_DUMP=1` to print the whole actual JSON of each failing fixture; known
/// reader bugs are listed in `known-reader-bugs.txt` (delete a line to see its mismatches).
#[test]
fn corpus_reads_as_expected() {
    let (fixtures, mut errors) = collect(Path::new(CORPUS));
    let known_text =
        std::fs::read_to_string(Path::new(CORPUS).join(KNOWN_BUGS)).unwrap_or_default();
    let known = parse_known_bugs(&known_text);
    for (name, reason) in &known {
        if !fixtures.iter().any(|f| &f.name() == name) {
            errors.push(format!("{KNOWN_BUGS} lists {name}, which is no fixture"));
        }
        if reason.is_empty() {
            errors.push(format!("{KNOWN_BUGS} gives no reason for {name}"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let filter = std::env::var("VIRGULE_CORPUS_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut total = Duration::ZERO;
    for fixture in fixtures.iter().filter(|f| f.name().contains(&filter)) {
        let (lines, took) = run(fixture);
        ran += 1;
        total += took;
        failures.extend(judge(&fixture.name(), &lines, &known));
    }
    assert!(ran > 0, "no fixture matches VIRGULE_CORPUS_FILTER={filter:?}");
    assert!(
        failures.is_empty(),
        "{} of {ran} fixtures disagree with their expectation (reading took {total:?}):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

mod matcher {
    use serde_json::json;

    use super::*;

    fn mismatches(expected: Value, actual: Value) -> Vec<Mismatch> {
        compare_top(expected.as_object().expect("object"), &actual)
    }

    fn actual() -> Value {
        json!({
            "format": "rss2",
            "feed": {"title": "Blog", "link": "https://b.example/", "subtitle": null},
            "entries": [
                {"id": "1", "title": "One", "tags": ["a", "b"], "summary_html": "<p>café</p>",
                 "authors": [{"name": "Ann", "email": null, "uri": null}]},
                {"id": "2", "title": "Two", "tags": [], "summary_html": null}
            ],
            "warnings": ["the feed has no version; read as RSS 2.0"]
        })
    }

    #[test]
    fn a_matching_partial_expectation_passes() {
        let expected = json!({
            "why": "x", "url": "https://b.example/feed", "content_type": "text/xml",
            "format": "rss2",
            "feed": {"title": "Blog", "subtitle": null},
            "entries": [
                {"id": "1", "tags": ["a", "b"], "summary_html~": "café",
                 "summary_html!~": "<script", "authors": [{"name": "Ann"}]},
                {"title": "Two", "summary_html!~": "x"}
            ],
            "warnings": ["no version"]
        });
        assert_eq!(mismatches(expected, actual()), []);
    }

    #[test]
    fn a_wrong_value_fails_at_its_pointer() {
        let found = mismatches(json!({"feed": {"title": "Blag"}}), actual());
        assert_eq!(
            found,
            [Mismatch {
                pointer: "/feed/title".into(),
                expected: "\"Blag\"".into(),
                actual: "\"Blog\"".into()
            }]
        );
    }

    #[test]
    fn null_must_be_null_and_a_missing_key_fails() {
        assert_eq!(mismatches(json!({"feed": {"link": null}}), actual()).len(), 1);
        assert_eq!(mismatches(json!({"feed": {"subtitle": "x"}}), actual()).len(), 1);
        let found = mismatches(json!({"feed": {"language": null}}), actual());
        assert_eq!(found[0].actual, "no such key");
    }

    #[test]
    fn arrays_are_exact_in_length_and_element_wise() {
        assert_eq!(mismatches(json!({"entries": [{"id": "1"}]}), actual()).len(), 1);
        assert_eq!(mismatches(json!({"entries": [{}, {}, {}]}), actual()).len(), 1);
        assert_eq!(
            mismatches(json!({"entries": [{}, {"id": "3"}]}), actual())[0].pointer,
            "/entries/1/id"
        );
        assert_eq!(mismatches(json!({"entries": [{"tags": ["b", "a"]}, {}]}), actual()).len(), 2);
        assert_eq!(mismatches(json!({"entries": [{"tags": []}, {"tags": []}]}), actual()).len(), 1);
    }

    #[test]
    fn contains_and_does_not_contain() {
        let one = |entry: Value| mismatches(json!({"entries": [entry, {}]}), actual());
        assert_eq!(one(json!({"summary_html~": "caf"})), []);
        assert_eq!(one(json!({"summary_html~": ["<p>", "é"]})), []);
        assert_eq!(one(json!({"summary_html~": "tea"})).len(), 1);
        assert_eq!(one(json!({"summary_html~": ["<p>", "tea", "cup"]})).len(), 2);
        assert_eq!(one(json!({"summary_html!~": "café"})).len(), 1);
        assert_eq!(one(json!({"summary_html!~": ["<b>", "<i>"]})), []);
        let found = one(json!({"title~": "x"}));
        assert_eq!(found[0].pointer, "/entries/0/title~0");
        // Null contains nothing: it fails a "contains" and passes a "does not contain".
        let second = |entry: Value| mismatches(json!({"entries": [{}, entry]}), actual());
        assert_eq!(second(json!({"summary_html~": "x"})).len(), 1);
        assert_eq!(second(json!({"summary_html!~": "x"})), []);
        // A non-string never passes a string check.
        assert_eq!(one(json!({"tags~": "a"})).len(), 1);
        assert_eq!(one(json!({"tags!~": "z"})).len(), 1);
    }

    #[test]
    fn warnings_are_substrings_and_empty_means_none() {
        assert_eq!(mismatches(json!({"warnings": []}), actual()).len(), 1);
        assert_eq!(mismatches(json!({"warnings": ["version"]}), actual()), []);
        assert_eq!(mismatches(json!({"warnings": ["version", "cut off"]}), actual()).len(), 1);
        let quiet = json!({"warnings": []});
        assert_eq!(mismatches(json!({"warnings": []}), quiet.clone()), []);
        assert_eq!(mismatches(json!({"warnings": ["date"]}), quiet).len(), 1);
    }

    #[test]
    fn malformed_expectations_are_caught() {
        let problems = |v: Value| check_expectation(&v);
        assert_eq!(problems(json!({"why": "ok", "format": "rss2"})), Vec::<String>::new());
        assert_eq!(problems(json!({"format": "rss2"})), ["no \"why\""]);
        assert!(
            problems(json!({"why": "w", "entries": [{"sumary_html": "x"}]}))[0]
                .contains("unknown key /entries/0/sumary_html")
        );
        assert!(problems(json!({"why": "w", "feed": {"titel~": "x"}}))[0].contains("titel~"));
        assert!(
            problems(json!({"why": "w", "error": "HTML", "entries": []}))[0]
                .contains("nothing else")
        );
        assert!(!problems(json!({"why": "w", "url": "not a url"})).is_empty());
        assert!(!problems(json!({"why": "w", "warnings": [1]})).is_empty());
        assert!(
            !problems(json!({"why": "w", "entries": [{"authors": [{"nmae": "x"}]}]})).is_empty()
        );
    }

    #[test]
    fn known_bugs_must_keep_failing() {
        let known = parse_known_bugs("# comment\n\nrss2/a.rss   the reader drops X\nrss2/b.rss\n");
        assert_eq!(
            known,
            [
                ("rss2/a.rss".to_string(), "the reader drops X".to_string()),
                ("rss2/b.rss".to_string(), String::new())
            ]
        );
        let failing = vec!["  at /title: expected 1, got 2".to_string()];
        assert_eq!(judge("rss2/a.rss", &failing, &known), None);
        assert!(judge("rss2/a.rss", &[], &known).is_some_and(|m| m.contains("passes now")));
        assert!(judge("rss2/c.rss", &failing, &known).is_some_and(|m| m.contains("/title")));
        assert_eq!(judge("rss2/c.rss", &[], &known), None);
    }

    #[test]
    fn pairing_finds_orphans_on_both_sides() {
        let dir =
            std::env::temp_dir().join(format!("virgule-corpus-pairing-{}", std::process::id()));
        let group = dir.join("g");
        std::fs::create_dir_all(&group).expect("temp dir");
        for (name, text) in [
            ("README.md", "x"),
            ("known-reader-bugs.txt", "x"),
            ("g/paired.rss", "<rss/>"),
            ("g/paired.expect.json", "{}"),
            ("g/lonely.atom", "<feed/>"),
            ("g/orphan.expect.json", "{}"),
            ("g/notes.txt", "x"),
        ] {
            std::fs::write(dir.join(name), text).expect("temp file");
        }
        let (fixtures, errors) = collect(&dir);
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(fixtures.len(), 1);
        assert!(fixtures[0].feed.ends_with("g/paired.rss"));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("lonely.atom has no lonely.expect.json")));
        assert!(errors.iter().any(|e| e.contains("orphan.expect.json has no feed file")));
        assert!(errors.iter().any(|e| e.contains("notes.txt is neither")));
    }
}
