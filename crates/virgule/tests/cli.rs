//! The real `virgule` binary, run as an admin would run it, over a throw-away data directory:
//! serving and stopping cleanly, refusing bad settings, the user and demo commands.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use support::*;

#[test]
fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = TempDir::new().unwrap();
    let server = Server::start(dir.path());
    let (status, body) = get(server.addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.trim(), "ok");
    let (status, _) = get(server.addr, "/static/style.css");
    assert_eq!(status, 200);
    let status = server.terminate();
    assert!(status.success(), "serve exited with {status}");
    assert!(dir.path().join("virgule.sqlite3").exists(), "the database lives in the data dir");
}

#[test]
fn a_taken_port_is_reported_not_panicked_on() {
    let dir = TempDir::new().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = run(virgule(dir.path()).args(["serve", "--listen", &addr]));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cannot listen on {addr}")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_bad_listen_variable_is_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let output = run(virgule(dir.path()).env("VIRGULE_LISTEN", "nonsense").arg("serve"));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("VIRGULE_LISTEN") && stderr.contains("'nonsense'"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_flag_and_file_values_are_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let output = run(virgule(dir.path()).args(["--trust-caps", "800,0", "user", "list"]));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--trust-caps") && stderr.contains("800,0"), "{stderr}");

    let config = dir.path().join("virgule.toml");
    std::fs::write(&config, "site_name = \"LUG\"\ncolour = \"blue\"\n").unwrap();
    let output = run(virgule(dir.path()).env("VIRGULE_CONFIG", &config).args(["user", "list"]));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("colour"), "{stderr}");

    let output =
        run(virgule(dir.path()).args(["--config", "/nonexistent/virgule.toml", "user", "list"]));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/nonexistent/virgule.toml"), "{stderr}");
}

#[test]
fn admin_tasks_on_an_unknown_member_say_so() {
    let dir = TempDir::new().unwrap();
    for args in
        [["user", "admin", "ghost"], ["user", "suspend", "ghost"], ["user", "unsuspend", "ghost"]]
    {
        let output = run(virgule(dir.path()).args(args));
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("no member named ghost"), "{args:?}: {stderr}");
    }
    let output = run(virgule(dir.path()).args(["user", "admin", "Not A Name"]));
    assert_eq!(output.status.code(), Some(2), "a malformed name is a usage error");
}

#[test]
fn demo_data_fills_the_site_once_and_user_tasks_work_on_it() {
    let dir = TempDir::new().unwrap();
    let output =
        run(virgule(dir.path()).args(["demo", "--members", "2", "--entries-per-member", "5"]));
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("10 entries in"), "{stdout}");
    assert!(stdout.contains("entries/s"), "{stdout}");

    let output = run(virgule(dir.path()).args(["user", "list"]));
    let stdout = text(&output.stdout);
    assert!(output.status.success());
    let names: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(names, ["NAME", "demo0000", "demo0001", "2"], "{stdout}");
    assert_eq!(stdout.lines().last(), Some("2 members"));
    assert!(
        stdout.lines().all(|l| !l.starts_with("demo") || l.contains("  no ")),
        "no demo admin: {stdout}"
    );

    let again = run(virgule(dir.path()).args(["demo", "--members", "1"]));
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already has demo data"), "{}", text(&again.stderr));

    let output = run(virgule(dir.path()).args(["user", "admin", "demo0001"]));
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().next(), Some("demo0001 is now a site admin"), "{stdout}");
    // demo0001, now the only admin and so the trust seed, is ranked Master.
    assert!(stdout.contains("trust levels recomputed: 1 changed"), "{stdout}");
    let output = run(virgule(dir.path()).args(["user", "suspend", "demo0000"]));
    assert!(output.status.success());
    let listing = text(&run(virgule(dir.path()).args(["user", "list"])).stdout);
    let row = |name: &str| {
        listing
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("demo0000"), ["demo0000", "no", "yes"], "{listing}");
    assert_eq!(row("demo0001"), ["demo0001", "yes", "no"], "{listing}");

    let output = run(virgule(dir.path()).args(["user", "admin", "--revoke", "demo0001"]));
    assert_eq!(text(&output.stdout).lines().next(), Some("demo0001 is no longer a site admin"));
    let output = run(virgule(dir.path()).args(["user", "unsuspend", "demo0000"]));
    assert_eq!(text(&output.stdout).lines().next(), Some("demo0000 is no longer suspended"));
}

#[test]
fn user_purge_removes_all_of_an_accounts_writing_and_suspends_it() {
    let dir = TempDir::new().unwrap();
    let output =
        run(virgule(dir.path()).args(["demo", "--members", "2", "--entries-per-member", "3"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = run(virgule(dir.path()).args(["user", "purge", "demo0000"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    // The demo gives demo0000 its 3 entries, 2 of the site's articles and 3 replies in
    // their threads (the demo's assignment is deterministic: `cmd/demo/community.rs`).
    assert_eq!(
        text(&output.stdout).lines().next(),
        Some("demo0000 is suspended; removed 3 entries, 2 articles and 3 replies")
    );
    let listing = text(&run(virgule(dir.path()).args(["user", "list"])).stdout);
    let row = listing.lines().find(|l| l.starts_with("demo0000")).unwrap();
    assert_eq!(row.split_whitespace().take(3).collect::<Vec<_>>(), ["demo0000", "no", "yes"]);
    // Again: nothing left to remove.
    let output = run(virgule(dir.path()).args(["user", "purge", "demo0000"]));
    assert!(
        text(&output.stdout).contains("removed 0 entries, 0 articles and 0 replies"),
        "{}",
        text(&output.stdout)
    );
    let output = run(virgule(dir.path()).args(["user", "purge", "ghost"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("ghost"), "{}", text(&output.stderr));
    let server = Server::start(dir.path());
    let (status, page) = get(server.addr, "/person/demo0000/diary.html");
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("<article class=\"entry\">"), "{page}");
    let (_, other) = get(server.addr, "/person/demo0001/diary.html");
    assert!(other.contains("<article class=\"entry\">"), "the other member keeps theirs");
}

#[test]
fn demo_entries_are_served_as_diary_pages() {
    let dir = TempDir::new().unwrap();
    let output =
        run(virgule(dir.path()).args(["demo", "--members", "2", "--entries-per-member", "12"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let server = Server::start(dir.path());
    let (status, page) = get(server.addr, "/person/demo0001/diary.html");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Recent blog entries for demo0001"), "{page}");
    let (status, _) = get(server.addr, "/person/demo0001/diary/11.html");
    assert_eq!(status, 200, "the newest of 12 entries is number 11");
    let (status, _) = get(server.addr, "/person/demo0001/diary/12.html");
    assert_eq!(status, 404, "there is no 13th entry");
    // Demo members are Observers until certified: the whole log (threshold 0) shows them.
    let (status, log) = get(server.addr, "/recentlog.html?thresh=0");
    assert_eq!(status, 200);
    assert!(log.contains("demo0000") && log.contains("demo0001"), "{log}");
    assert!(server.terminate().success());
}

#[test]
fn a_demo_site_has_articles_with_threads_projects_with_people_and_ratings() {
    let dir = TempDir::new().unwrap();
    let output =
        run(virgule(dir.path()).args(["demo", "--members", "12", "--entries-per-member", "2"]));
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    // 12 members: 6 articles with their threads, 3 entry threads, 5 projects.
    assert!(stdout.contains("wrote 6 articles and "), "{stdout}");
    assert!(stdout.contains("5 projects with 15 members' relations"), "{stdout}");
    assert!(stdout.contains("interest scores: "), "{stdout}");
    // Rank the members from demo0000 before serving (the server's own run is in the
    // background); `trust compute` also recomputes the interest scores of the demo's ratings.
    let output = run(virgule(dir.path()).args(["--trust-seeds", "demo0000", "trust", "compute"]));
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("interest scores recomputed: "), "{stdout}");
    assert!(!stdout.contains("from 0 ratings"), "{stdout}");
    let server = Server::start_with(dir.path(), &[("VIRGULE_TRUST_SEEDS", "demo0000")]);

    // The front page leads with the articles, their reply counts, by ranked authors.
    let (status, front) = get(server.addr, "/");
    assert_eq!(status, 200);
    assert!(!front.contains("No articles yet"), "{front}");
    assert!(front.contains("href=\"/article/6.html\""), "{front}");
    assert!(front.contains("4 replies") && front.contains("5 replies"), "{front}");
    assert!(front.contains("<div class=\"lead content\"><p"), "{front}");
    // Written by members the seed ranks Journeyer or above, as the article gate would ask.
    let list = &front[front.find("class=\"article-list\"").unwrap()..];
    let list = &list[..list.find("</ul>").unwrap()];
    assert!(list.contains("author level-"), "{list}");
    assert!(!list.contains("level-apprentice") && !list.contains("level-observer"), "{list}");

    // An article's thread is nested: a reply to a reply to a reply.
    let (status, article) = get(server.addr, "/article/1.html");
    assert_eq!(status, 200, "{article}");
    assert!(article.contains("4 replies"), "{article}");
    assert!(article.contains("data-depth=\"2\""), "{article}");

    // The newest entry of demo0000 has a thread too.
    let (status, entry) = get(server.addr, "/person/demo0000/diary/1.html");
    assert_eq!(status, 200);
    assert!(entry.contains("class=\"reply "), "{entry}");

    // A project lists its people by relation; a profile lists the member's projects.
    let (status, project) = get(server.addr, "/proj/debian/");
    assert_eq!(status, 200, "{project}");
    assert!(project.contains("/person/demo0002/"), "{project}");
    let (status, profile) = get(server.addr, "/person/demo0002/");
    assert_eq!(status, 200);
    assert!(profile.contains("/proj/debian/"), "{profile}");
    assert!(server.terminate().success());
}

#[test]
fn version_and_help_describe_the_binary() {
    let dir = TempDir::new().unwrap();
    let output = run(virgule(dir.path()).arg("--version"));
    assert_eq!(text(&output.stdout).trim(), format!("virgule {}", env!("CARGO_PKG_VERSION")));
    let output = run(virgule(dir.path()).arg("--help"));
    let help = text(&output.stdout);
    assert!(output.status.success());
    for command in ["serve", "user", "demo", "--listen", "--data-dir", "--database-url"] {
        assert!(help.contains(command), "--help lacks {command}: {help}");
    }
}

#[test]
fn feed_inspect_prints_the_normalized_feed_as_json() {
    let data = TempDir::new().unwrap();
    let feed = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/etbe-wordpress.rss");
    let out = run(virgule(data.path()).args(["feed", "inspect", feed]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["format"], "rss2");
    assert_eq!(json["feed"]["title"], "etbe – Russell Coker");
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 10);
    let first = &entries[0];
    assert_eq!(first["title"], "Minikube and Debian");
    assert_eq!(first["published"], "2021-05-20T10:32:11Z");
    assert!(first["content_html"].as_str().unwrap().contains("<pre>"));
    assert!(json["warnings"].is_array());

    // A relative link resolves against --base-url when the entry has no link of its own.
    let dir = TempDir::new().unwrap();
    let relative = dir.path().join("relative.xml");
    std::fs::write(
        &relative,
        r#"<rss version="2.0"><channel><title>T</title><item><guid>a</guid><title>x</title>
           <description>&lt;a href="/post/1"&gt;one&lt;/a&gt;</description></item></channel></rss>"#,
    )
    .unwrap();
    let relative = relative.to_str().unwrap();
    let out = run(virgule(data.path()).args([
        "feed",
        "inspect",
        relative,
        "--base-url",
        "https://blog.example/feed/",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("https://blog.example/post/1"), "{}", text(&out.stdout));
}

#[test]
fn feed_inspect_refuses_what_is_not_a_feed() {
    let data = TempDir::new().unwrap();
    let out = run(virgule(data.path()).args(["feed", "inspect", "/nonexistent/feed.xml"]));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot read /nonexistent/feed.xml"),
        "{}",
        text(&out.stderr)
    );

    let dir = TempDir::new().unwrap();
    let bomb = dir.path().join("bomb.xml");
    std::fs::write(
        &bomb,
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><rss/>",
    )
    .unwrap();
    let out = run(virgule(data.path()).args(["feed", "inspect", bomb.to_str().unwrap()]));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("declares XML entities"), "{}", text(&out.stderr));

    let out = run(virgule(data.path()).args(["feed", "inspect", "-", "--base-url", "ftp://x/"]));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--base-url"), "{}", text(&out.stderr));
}

/// A one-connection HTTP origin on 127.0.0.1 that answers every request with `body` as RSS;
/// returns its address and a count of the requests it received.
fn serve_feed_once(
    body: &'static str,
) -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    (addr, hits)
}

#[test]
fn feed_inspect_fetches_a_url_through_the_ssrf_guard() {
    const FEED: &str = r#"<rss version="2.0"><channel><title>Local blog</title>
        <item><guid>p1</guid><title>Hello</title><description>&lt;a href="/p/1"&gt;one&lt;/a&gt;</description></item>
        </channel></rss>"#;
    let data = TempDir::new().unwrap();
    let (addr, hits) = serve_feed_once(FEED);
    let url = format!("http://{addr}/feed/");

    // The default policy refuses loopback before any request is sent.
    let out = run(virgule(data.path()).args(["feed", "inspect", &url]));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("loopback"), "{}", text(&out.stderr));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Allowed explicitly (as tests and closed networks do), it is fetched and relative links
    // resolve against the feed's address.
    let out = run(virgule(data.path())
        .env("VIRGULE_FETCH_ALLOW_PRIVATE", "true")
        .args(["feed", "inspect", &url]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["feed"]["title"], "Local blog");
    assert_eq!(json["entries"][0]["title"], "Hello");
    assert!(text(&out.stdout).contains(&format!("http://{addr}/p/1")), "{}", text(&out.stdout));
}

/// The whole path a member's blog takes, through the real binary: `serve` runs the fetcher, a
/// feed linked through the API is fetched at once, and its posts are diary entries ending
/// "Syndicated ... from FEED TITLE".
#[test]
fn serve_syndicates_a_linked_feed_into_the_diary() {
    const FEED: &str = r#"<rss version="2.0"><channel><title>etbe - Russell Coker</title>
        <item><guid>https://etbe.example/?p=1</guid><title>Using LetsEncrypt</title>
        <link>https://etbe.example/2016/02/letsencrypt/</link>
        <pubDate>Tue, 02 Feb 2016 05:44:52 +0000</pubDate>
        <description>&lt;p&gt;Certificates for free.&lt;/p&gt;</description></item>
        </channel></rss>"#;
    let dir = TempDir::new().unwrap();
    let (origin, hits) = serve_feed_once(FEED);
    let server = Server::start_with(dir.path(), &[("VIRGULE_FETCH_ALLOW_PRIVATE", "true")]);
    let account = r#"{"name": "etbe", "password": "correct horse battery"}"#;
    let (status, body) = request(server.addr, "POST", "/api/v1/accounts", &[], account);
    assert_eq!(status, 201, "{body}");
    let (status, body) = request(server.addr, "POST", "/api/v1/tokens", &[], account);
    assert_eq!(status, 201, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let auth = [("Authorization", bearer.as_str())];
    let link = format!(r#"{{"url": "http://{origin}/feed/"}}"#);
    let (status, body) = request(server.addr, "PUT", "/api/v1/settings/feed", &auth, &link);
    assert_eq!(status, 200, "{body}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let diary = loop {
        let (_, diary) = get(server.addr, "/person/etbe/diary.html");
        if diary.contains("Using LetsEncrypt") || Instant::now() > deadline {
            break diary;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(diary.contains("Syndicated 2016-02-02 05:44:52 from"), "{diary}");
    assert!(diary.contains("https://etbe.example/2016/02/letsencrypt/"), "{diary}");
    assert!(hits.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    let status = server.terminate();
    assert!(status.success(), "serve exited with {status}");
}

/// `virgule worker` runs only the fetcher (for scale-out) and stops cleanly on SIGTERM.
#[test]
fn worker_runs_the_fetcher_and_stops_cleanly_on_sigterm() {
    let dir = TempDir::new().unwrap();
    let (mut child, log) = spawn_logged(virgule(dir.path()).arg("worker"));
    if let Err(seen) = wait_for_line(&log, "feed fetcher started") {
        let _ = child.kill();
        panic!("the worker did not start its fetcher; its log:\n{}", seen.join("\n"));
    }
    let status = terminate(&mut child, &log);
    assert!(status.success(), "worker exited with {status}");
    let rest: Vec<String> = log.try_iter().collect();
    assert!(rest.iter().any(|l| l.contains("feed fetcher stopped")), "{rest:#?}");
    assert!(dir.path().join("virgule.sqlite3").exists());
}

#[test]
fn trust_compute_ranks_the_toy_fixture() {
    // docs/trust.md's toy fixture; with the default capacities the ring m1..m5 behind the
    // apprentice d gets four members in (m1, capacity 4, is its only way in), m5 stays out.
    let data = TempDir::new().unwrap();
    let graph = data.path().join("toy.csv");
    std::fs::write(
        &graph,
        "# docs/trust.md toy fixture\ns,a,Master\ns,b,Master\na,c,Journeyer\nb,c,Master\n\
         a,d,Apprentice\nc,e,Master\nd,m1,Master\nm1,m2,Master\nm2,m3,Master\nm3,m1,Master\n\
         m1,m4,Master\nm2,m4,Master\nm4,m5,Master\n",
    )
    .unwrap();
    let graph = graph.to_str().unwrap();
    // Ranks the toy graph from seed s, with `flags` after.
    let rank = |flags: &[&str]| {
        run(virgule(data.path())
            .args(["trust", "compute", "--graph", graph, "--seeds", "s"])
            .args(flags))
    };
    let out = rank(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "a,Master\nb,Master\nc,Master\nd,Apprentice\ne,Master\nm1,Apprentice\nm2,Apprentice\n\
         m3,Apprentice\nm4,Apprentice\nm5,Observer\ns,Master\n"
    );
    // The report goes to standard error: growing capacities (one seed carries the root's
    // whole capacity), accepted per level against the root and the seed, the attack bound.
    let report = text(&out.stderr);
    assert!(
        report.contains(
            "capacities (growing mode, 10 certified members): 800,800,50,12,4,2,1 (configured \
             800,200,50,12,4,2,1)"
        ),
        "{report}"
    );
    assert!(report.contains("accepted at Apprentice: 10 (root: 10 of 799; seeds: s 10 of 800)"));
    assert!(report.contains("distance 3 11; distance 4 3; distance 5 1; distance 6 or more 0"));
    assert!(!report.contains("warning"), "{report}");
    let out = rank(&["--caps", "20,8,3,1", "--capacity", "fixed"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("a,Master\nb,Master\nc,Master\nd,Apprentice\ne,Observer\n")
    );
    // What if s's capacity were 4: s is full, and one more unit of it would admit d.
    let out = rank(&["--caps", "10,4,2,1", "--capacity", "fixed"]);
    let report = text(&out.stderr);
    assert!(report.contains("binding capacity at Apprentice: seed s (keeps out 1)"), "{report}");
    assert!(report.contains("keeping out 1 member certified by ranked members: d;"), "{report}");
    let out = rank(&["--capacity", "elastic"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("expected fixed or growing"), "{}", text(&out.stderr));

    // A malformed line is refused with its number; no --graph is explained.
    std::fs::write(data.path().join("bad.csv"), "s,a,Master\ns,b\n").unwrap();
    let bad = data.path().join("bad.csv");
    let out =
        run(virgule(data.path()).args(["trust", "compute", "--seeds", "s", "--graph"]).arg(&bad));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("line 2"), "{}", text(&out.stderr));
}

#[test]
fn trust_compute_says_which_capacity_binds_and_what_growing_would_do() {
    // Four seeds certify 300 members each. With fixed default capacities the root stops the
    // site at 799 and is named; growing, everyone is in.
    let data = TempDir::new().unwrap();
    let mut lines = String::new();
    for seed in 1..=4 {
        for member in 1..=300 {
            lines.push_str(&format!("s{seed},m{seed}x{member},Journeyer\n"));
        }
    }
    let graph = data.path().join("fan.csv");
    std::fs::write(&graph, lines).unwrap();
    let compute = |mode: &str| {
        let out = run(virgule(data.path())
            .args(["trust", "compute", "--seeds", "s1,s2,s3,s4", "--capacity", mode, "--graph"])
            .arg(&graph));
        assert!(out.status.success(), "{}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (levels, report) = compute("fixed");
    assert!(report.contains("accepted at Apprentice: 799 (root: 799 of 799;"), "{report}");
    assert!(report.contains("binding capacity at Apprentice: the root (keeps out"), "{report}");
    assert!(
        report.contains(
            "warning: Apprentice: 799 accepted, the root's capacity allows 799: it binds"
        ),
        "{report}"
    );
    assert_eq!(levels.lines().filter(|l| l.ends_with(",Observer")).count(), 1204 - 799);
    let (levels, report) = compute("growing");
    assert!(report.contains("1200 certified members): 2400,600,50"), "{report}");
    assert!(report.contains("accepted at Apprentice: 1204 (root: 1204 of 2399;"), "{report}");
    assert!(!report.contains("binding capacity") && !report.contains("warning"), "{report}");
    assert!(!levels.contains(",Observer"), "{levels}");
}

#[test]
fn trust_compute_ranks_the_site_and_explains_its_seeds() {
    let dir = TempDir::new().unwrap();
    let out =
        run(virgule(dir.path()).args(["demo", "--members", "2", "--entries-per-member", "1"]));
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The demo leaves no admin: no seeds configured and no admin to fall back on.
    let out = run(virgule(dir.path()).args(["trust", "compute"]));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("2 members ranked"), "{stdout}");
    assert!(stdout.contains("the site's admins are the seeds"), "{stdout}");
    assert!(stdout.contains("warning: no seed"), "{stdout}");

    // With an admin, the admin is the seed: Master (`user admin` recomputed already),
    // certifying nobody (a warning).
    let out = run(virgule(dir.path()).args(["user", "admin", "demo0001"]));
    assert!(text(&out.stdout).contains("trust levels recomputed: 1 changed"));
    let out = run(virgule(dir.path()).args(["trust", "compute"]));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("0 levels changed"), "{stdout}");
    assert!(stdout.contains("accepted at Master: 1"), "{stdout}");
    assert!(stdout.contains("seed demo0001: certifies 0"), "{stdout}");
    assert!(stdout.contains("warning: seed demo0001 certifies nobody"), "{stdout}");
    // The two demo members rate each other's diaries: each gets the other's score.
    assert!(stdout.contains("interest scores recomputed: 2 stored from 2 ratings"), "{stdout}");
    let out = run(virgule(dir.path()).args(["user", "list"]));
    assert!(out.status.success());

    // Configured seeds replace the fallback; an unknown one is named and skipped.
    let out =
        run(virgule(dir.path()).args(["--trust-seeds", "nobody,demo0000", "trust", "compute"]));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(!stdout.contains("admins are the seeds"), "{stdout}");
    assert!(stdout.contains("warning: seed nobody is no member"), "{stdout}");
    // The demo members certify each other from demo0000 down: demo0000 certifies demo0001.
    assert!(stdout.contains("seed demo0000: certifies 1"), "{stdout}");
    assert!(!stdout.contains("seed demo0001:"), "{stdout}");
    // demo0000 up; demo0001 stays Master through demo0000's certification.
    assert!(stdout.contains("1 levels changed"), "{stdout}");
    assert!(stdout.contains("accepted at Master: 2"), "{stdout}");
}

/// Certifications made on a site (by API) go out through `/person/certs.txt` and back in
/// through `virgule trust compute --graph`: with the same seeds and capacities, the binary
/// ranks every member exactly as the site shows them.
#[test]
fn the_certs_txt_export_ranks_offline_as_the_site_ranked_it() {
    let dir = TempDir::new().unwrap();
    let server = Server::start_with(dir.path(), &[("VIRGULE_TRUST_SEEDS", "seed")]);
    let password = "correct horse battery staple";
    let names = ["seed", "mira", "jon", "kai", "lou", "vic"];
    let mut tokens = std::collections::HashMap::new();
    for name in names {
        let body = format!(r#"{{"name":"{name}","password":"{password}"}}"#);
        let (status, answer) = request(server.addr, "POST", "/api/v1/accounts", &[], &body);
        assert_eq!(status, 201, "{answer}");
        let (status, answer) = request(server.addr, "POST", "/api/v1/tokens", &[], &body);
        assert_eq!(status, 201, "{answer}");
        let token: serde_json::Value = serde_json::from_str(&answer).unwrap();
        tokens.insert(name, format!("Bearer {}", token["token"].as_str().unwrap()));
    }
    // A chain with a weak link: kai is only an apprentice's pick; vic certifies everyone but
    // nobody certifies vic.
    for (issuer, subject, level) in [
        ("seed", "mira", "master"),
        ("seed", "jon", "journeyer"),
        ("mira", "kai", "apprentice"),
        ("jon", "kai", "journeyer"),
        ("kai", "lou", "master"),
        ("vic", "seed", "master"),
        ("vic", "lou", "master"),
        ("lou", "seed", "apprentice"),
    ] {
        let body = format!(r#"{{"subject":"{subject}","level":"{level}"}}"#);
        let auth = [("Authorization", tokens[issuer].as_str())];
        let (status, answer) = request(server.addr, "POST", "/api/v1/certs", &auth, &body);
        assert_eq!(status, 200, "{answer}");
    }

    let (status, certs) = get(server.addr, "/person/certs.txt");
    assert_eq!(status, 200);
    assert_eq!(certs.lines().count(), 8, "{certs}");
    let graph = dir.path().join("certs.txt");
    std::fs::write(&graph, &certs).unwrap();
    let out = run(virgule(dir.path())
        .args(["trust", "compute", "--seeds", "seed", "--graph"])
        .arg(&graph));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let offline = text(&out.stdout);
    assert_eq!(offline.lines().count(), names.len(), "{offline}");

    // The site recomputes a moment after the last certification: wait for it to agree.
    let site_levels = || {
        let mut lines: Vec<String> = names
            .iter()
            .map(|name| {
                let (_, body) = get(server.addr, &format!("/api/v1/people/{name}"));
                let person: serde_json::Value = serde_json::from_str(&body).unwrap();
                let level = virgule_trust::Level::parse(person["level"].as_str().unwrap()).unwrap();
                format!("{name},{level}\n")
            })
            .collect();
        lines.sort();
        lines.concat()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut shown = site_levels();
    while shown != offline && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        shown = site_levels();
    }
    assert_eq!(shown, offline, "the site's levels and the offline ranking of its export");
    assert!(offline.contains("seed,Master") && offline.contains("vic,Observer"), "{offline}");
    server.terminate();
}
