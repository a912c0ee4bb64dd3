//! Public XSS vectors (tests/browser/xss, their sources and licences in its README) posted
//! everywhere a member's writing shows: an entry in HTML and one in Markdown, an article's lead
//! and body, a reply to the article in each format, every profile field, a project's
//! fields, and an item of a syndicated feed (title and content). Every page that shows them
//! is loaded in Chromium with a hook installed before any page script, which records calls
//! to `alert`, `confirm`, `prompt`, `print` and `window.open`; then every element is hovered,
//! focused and blurred, and the page scrolled. A page that navigated away, or a real dialog
//! left open, counts as an execution too, and so does active content left in the page even if
//! it did not run here (an event handler attribute, a `javascript:` URL, a script, frame,
//! object, `<base>` or `<meta http-equiv>` element): some vectors need a click, an old browser
//! or the network to fire. Two browsers load every page: one with the site's
//! Content-Security-Policy, one with CSP bypassed (DevTools `Page.setBypassCSP`), since the
//! sanitizer must be safe on its own. Expected: no execution, either way.
//!
//! First the detector proves itself on pages of the test's own that do execute.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::chrome::{Driver, console, devtools, screenshot};
use crate::support::{Server, request};
use crate::{api_get, register_with_token};

const WITH_CSP: &str = "with the site's CSP";
const BYPASSED: &str = "CSP bypassed";
/// What the hook writes to the console, so that an execution in any frame is seen.
const MARK: &str = "VIRGULE-XSS";

/// Installed before any page script, in every frame.
const HOOK: &str = r#"(() => {
  const note = (what, detail) => {
    const line = 'VIRGULE-XSS ' + what + ' ' + String(detail).slice(0, 120);
    try { console.error(line); } catch (e) {}
    try { (window.top.__virguleXss = window.top.__virguleXss || []).push(line); } catch (e) {}
    try { if (window !== window.top) (window.__virguleXss = window.__virguleXss || []).push(line); } catch (e) {}
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    const fake = function () { note(name, Array.from(arguments).join(' ')); return null; };
    try { Object.defineProperty(window, name, {value: fake, writable: false, configurable: false}); }
    catch (e) { window[name] = fake; }
  }
  const open = function (url) { note('window.open', url); return null; };
  try { Object.defineProperty(window, 'open', {value: open, writable: false, configurable: false}); }
  catch (e) { window.open = open; }
})();"#;

/// Hovers, focuses and blurs every element, scrolls the page down and back, waits a moment
/// for timers, and answers the address and what the hook recorded.
const SWEEP: &str = r#"const done = arguments[arguments.length - 1];
const fire = (target, type, Kind) => {
  try { target.dispatchEvent(new Kind(type, {bubbles: true, cancelable: true, view: window})); }
  catch (e) {}
};
for (const el of Array.from(document.querySelectorAll('*'))) {
  for (const type of ['pointerover', 'pointerenter', 'mouseover', 'mouseenter', 'mousemove',
                      'pointermove', 'mouseout', 'mouseleave', 'pointerout', 'pointerleave']) {
    fire(el, type, MouseEvent);
  }
  try { el.focus({preventScroll: true}); } catch (e) {}
  for (const type of ['focus', 'focusin', 'blur', 'focusout']) fire(el, type, FocusEvent);
  try { el.blur(); } catch (e) {}
  fire(el, 'scroll', Event);
  fire(el, 'wheel', WheelEvent);
}
// Active content left in the page counts even if it did not run here (it needs a click, an
// old browser or a network): handlers, script URLs, and elements that run or load code.
// A URL is judged as the browser reads it (a scheme behind an invisible character is a path).
const scheme = (value) => { try { return new URL(value, document.baseURI).protocol; } catch (e) { return ''; } };
const risky = (value) => ['javascript:', 'vbscript:', 'livescript:'].includes(scheme(value)) ||
  (scheme(value) === 'data:' && /^\s*data:\s*text\/html/i.test(value));
const notes = window.__virguleXss = window.__virguleXss || [];
for (const el of Array.from(document.querySelectorAll(
    'script, iframe, frame, frameset, object, embed, applet, base, meta[http-equiv], link:not([rel~=stylesheet]):not([rel~=alternate]):not([rel~=icon]):not([rel=canonical])'))) {
  if (!(el.tagName === 'SCRIPT' && el.src && new URL(el.src).origin === location.origin)) {
    notes.push('VIRGULE-XSS element ' + el.outerHTML.slice(0, 120));
  }
}
for (const el of Array.from(document.querySelectorAll('*'))) {
  for (const attr of Array.from(el.attributes)) {
    if (/^on/i.test(attr.name) || (risky(attr.value) &&
        /^(href|src|action|formaction|data|xlink:href|poster|background|srcdoc|lowsrc|dynsrc)$/i.test(attr.name))) {
      notes.push('VIRGULE-XSS attribute <' + el.tagName.toLowerCase() + ' ' + attr.name + '="' + attr.value.slice(0, 80) + '">');
    }
  }
}
window.scrollTo(0, document.documentElement.scrollHeight);
fire(window, 'scroll', Event);
setTimeout(() => {
  window.scrollTo(0, 0);
  done({href: location.href, notes: window.__virguleXss || []});
}, 50);"#;

/// One vector from the sets.
struct Vector {
    source: String,
    index: usize,
    text: String,
}

impl Vector {
    fn name(&self) -> String {
        format!("{}#{}", self.source, self.index)
    }
}

/// The vectors with a NUL, which git would take for binary in the sets' files (their sources
/// in xss/README.md).
const WITH_NUL: [&str; 3] = [
    "<IMG SRC=java\0script:alert(\"XSS\")>",
    "<scr\0ipt>alert(\"XSS\")</scr\0ipt>",
    "a\0\u{1}\u{2}\u{3}\r\n b",
];

/// The vector sets: records separated by a line holding only `%%`.
fn vectors() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/xss");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for path in files {
        let source = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let records = text.split("\n%%\n").map(|r| r.trim_matches('\n')).filter(|r| !r.is_empty());
        for (index, text) in records.enumerate() {
            all.push(Vector { source: source.clone(), index: index + 1, text: text.to_owned() });
        }
    }
    all.extend(WITH_NUL.iter().enumerate().map(|(index, text)| Vector {
        source: "nul".to_owned(),
        index: index + 1,
        text: (*text).to_owned(),
    }));
    all
}

/// A browser with the hook, with or without the site's CSP.
struct Probe {
    client: Client,
    mode: &'static str,
    loads: usize,
    executions: Vec<String>,
}

impl Probe {
    async fn new(driver: &Driver, bypass_csp: bool) -> Probe {
        let client = driver.browser().await;
        devtools(&client, "Page.enable", json!({})).await;
        devtools(&client, "Page.addScriptToEvaluateOnNewDocument", json!({"source": HOOK})).await;
        if bypass_csp {
            devtools(&client, "Page.setBypassCSP", json!({"enabled": true})).await;
        }
        let mode = if bypass_csp { BYPASSED } else { WITH_CSP };
        Probe { client, mode, loads: 0, executions: Vec::new() }
    }

    /// Loads `url`, sweeps it, and returns what executed there (also kept in `executions`,
    /// labelled with `what`). The console, where frames the sweep cannot read also report,
    /// is read by [`Probe::console`].
    async fn visit(&mut self, url: &str, what: &str) -> Vec<String> {
        self.loads += 1;
        let mut seen = Vec::new();
        if let Err(e) = self.client.goto(url).await {
            seen.push(format!("the page did not load cleanly: {e}"));
        }
        match self.client.execute_async(SWEEP, vec![]).await {
            Ok(result) => {
                let href = result["href"].as_str().unwrap_or_default();
                if href != url {
                    seen.push(format!("navigated to {href}"));
                }
                for note in result["notes"].as_array().into_iter().flatten() {
                    seen.push(note.as_str().unwrap_or_default().to_owned());
                }
            }
            Err(e) => {
                seen.push(format!("the sweep failed (a dialog left open?): {e}"));
                let _ = self.client.dismiss_alert().await;
            }
        }
        for s in &seen {
            self.executions.push(format!("{} ({what}, {url}): {s}", self.mode));
        }
        seen
    }

    /// Reads the console since the last call: the hook's notes not already seen by a sweep
    /// (from frames) count as executions of `what`.
    async fn console(&mut self, what: &str) -> Vec<String> {
        let mut seen = Vec::new();
        for (_, message) in console(&self.client).await {
            let known = |e: &String| {
                e.contains(what) && message.contains(e.rsplit(": ").next().unwrap_or(e))
            };
            if message.contains(MARK) && !self.executions.iter().any(known) {
                seen.push(message);
            }
        }
        for s in &seen {
            self.executions.push(format!("{} ({what}, console): {s}", self.mode));
        }
        seen
    }
}

/// The test's own origin: pages that do execute (to prove the detector), one of them under
/// a CSP that forbids its script, and the syndicated feed carrying every vector.
async fn origin(feed: String) -> SocketAddr {
    const EVIL: &str = "<!doctype html><title>evil</title><script>alert(1)</script>\
        <img src=/none onerror=prompt(2)><p onmouseover=confirm(3)>hover me</p>\
        <input onfocus=\"window.open('/x')\">";
    let feed = Arc::new(feed);
    let app = Router::new()
        .route("/evil.html", get(|| async { ([(header::CONTENT_TYPE, "text/html")], EVIL) }))
        .route(
            "/evil-under-csp.html",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/html"),
                        (header::CONTENT_SECURITY_POLICY, "script-src 'none'"),
                    ],
                    "<!doctype html><title>evil</title><script>alert(1)</script>",
                )
            }),
        )
        .route(
            "/feed.xml",
            get(move || {
                let feed = Arc::clone(&feed);
                async move { ([(header::CONTENT_TYPE, "application/rss+xml")], (*feed).clone()) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Text as XML character data: escaped, without the characters XML 1.0 cannot carry.
fn xml_text(text: &str) -> String {
    let allowed = |c: &char| matches!(c, '\t' | '\n' | '\r') || (*c >= ' ' && *c != '\u{fffe}');
    let kept: String = text.chars().filter(allowed).collect();
    kept.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn rss(vectors: &[Vector]) -> String {
    let items: String = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "<item><title>{title}</title><link>http://blog.example.org/{i}</link>\
                 <guid>http://blog.example.org/{i}</guid>\
                 <pubDate>Tue, 01 Dec 2026 {h:02}:{m:02}:00 +0000</pubDate>\
                 <description>{body}</description></item>\n",
                title = xml_text(&v.text),
                body = xml_text(&v.text),
                h = (i / 60) % 24,
                m = i % 60,
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Vectors</title><link>http://blog.example.org/</link><description>d</description>\n\
         {items}</channel></rss>"
    )
}

/// A member made through the API, with a token.
struct Member {
    auth: String,
}

impl Member {
    fn new(addr: SocketAddr, name: &'static str) -> Member {
        Member { auth: format!("Bearer {}", register_with_token(addr, name)) }
    }

    /// Sends a JSON call; the status and the answer (`Null` when it is not JSON).
    fn call(&self, addr: SocketAddr, method: &str, path: &str, body: Value) -> (u16, Value) {
        let headers = [("Authorization", self.auth.as_str())];
        let (status, body) = request(addr, method, path, &headers, &body.to_string());
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }
}

/// How each placement of the vectors went: stored (2xx) or refused (4xx; nothing stored).
#[derive(Default)]
struct Placements {
    stored: usize,
    refused: usize,
}

impl Placements {
    /// Counts a write's answer; anything but 2xx or 400 is the site's fault.
    fn count(&mut self, what: &str, (status, body): (u16, Value)) -> Option<Value> {
        match status {
            200..=299 => {
                self.stored += 1;
                Some(body)
            }
            400 => {
                self.refused += 1;
                None
            }
            _ => panic!("{what}: {status} {body}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "the browser suite: needs chromium and chromium-driver; .ci/run runs it"]
async fn no_public_xss_vector_executes_in_chromium_with_or_without_csp() {
    let started = Instant::now();
    let all = vectors();
    assert!(all.len() >= 600, "the sets hold 600 vectors and more; found {}", all.len());
    // Every vector by default; VIRGULE_XSS_EVERY=N takes every Nth, starting from the
    // VIRGULE_XSS_OFFSET-th (0 first): `.ci/run` takes every other one, the half changing
    // from day to day, to stay within its time.
    let knob = |name: &str, default: usize| {
        std::env::var(name).map_or(default, |n| n.parse().unwrap_or_else(|_| panic!("{name}: {n}")))
    };
    let (every, offset) = (knob("VIRGULE_XSS_EVERY", 1), knob("VIRGULE_XSS_OFFSET", 0));
    let vectors: Vec<Vector> = all.into_iter().skip(offset).step_by(every).collect();
    println!("XSS: every {every} vector(s) from the {offset}th (0 first): {}", vectors.len());
    let origin = origin(rss(&vectors)).await;
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &[("VIRGULE_FETCH_ALLOW_PRIVATE", "true"), ("VIRGULE_TRUST_SEEDS", "writer")],
    );
    let addr = server.addr;
    let site = format!("http://{addr}");
    let driver = Driver::start();
    let mut csp = Probe::new(&driver, false).await;
    let mut bypass = Probe::new(&driver, true).await;

    // The detector sees what executes, in both browsers; CSP holds in one and not the other.
    for probe in [&mut csp, &mut bypass] {
        let mut seen = probe.visit(&format!("http://{origin}/evil.html"), "self-test").await;
        seen.extend(probe.console("self-test-console").await);
        for call in ["alert 1", "prompt 2", "confirm 3", "window.open /x"] {
            assert!(
                seen.iter().any(|s| s.contains(call)),
                "{}: {call} seen in {seen:?}",
                probe.mode
            );
        }
        let seen = probe.visit(&format!("http://{origin}/evil-under-csp.html"), "self-test").await;
        let ran = seen.iter().any(|s| s.contains("alert 1"));
        assert_eq!(ran, probe.mode == BYPASSED, "{}: {seen:?}", probe.mode);
        assert!(seen.iter().any(|s| s.contains("element <script>")), "{seen:?}");
        // The console holds the self-test's notes too: read them here, then forget them all.
        probe.console("self-test").await;
        probe.executions.clear();
        probe.loads = 0;
    }

    // The writer is the trust seed (Master, so it may post articles); the feeder's blog
    // carries every vector.
    let writer = Member::new(addr, "writer");
    let feeder = Member::new(addr, "feeder");
    // A certification has the levels recomputed (the feeder's entries then reach the
    // recent log too).
    let cert = json!({"subject": "feeder", "level": "journeyer"});
    assert_eq!(writer.call(addr, "POST", "/api/v1/certs", cert).0, 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    while api_get(addr, "/api/v1/people/writer")["level"] != "master" {
        assert!(Instant::now() < deadline, "the seed is ranked Master within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = writer.call(
        addr,
        "POST",
        "/api/v1/projects",
        json!({"name": "xsslab", "description": "A project whose fields carry the vectors."}),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = feeder.call(
        addr,
        "PUT",
        "/api/v1/settings/feed",
        json!({"url": format!("http://{origin}/feed.xml")}),
    );
    assert_eq!(status, 200, "{body}");

    let mut placed = Placements::default();
    for (i, vector) in vectors.iter().enumerate() {
        let name = vector.name();
        let text = vector.text.as_str();
        let title = format!("vector {i}");
        let mut pages = Vec::new();
        // Entries are seen in the diary's pages, ten to a page, after the loop.
        for format in ["html", "markdown"] {
            let entry = json!({"title": title, "body": text, "format": format});
            let answer = writer.call(addr, "POST", "/api/v1/entries", entry);
            placed.count(&format!("{name} as a {format} entry"), answer);
        }
        let article = json!({"title": title, "lead": text, "body": text, "format": "html"});
        let answer = writer.call(addr, "POST", "/api/v1/articles", article);
        if let Some(article) = placed.count(&format!("{name} as an article"), answer) {
            let number = article["number"].as_u64().unwrap();
            let path = format!("/api/v1/articles/{number}/replies");
            for format in ["html", "markdown"] {
                let reply = json!({"body": text, "format": format});
                let answer = writer.call(addr, "POST", &path, reply);
                placed.count(&format!("{name} as a {format} reply"), answer);
            }
            pages.push(format!("{site}/article/{number}.html"));
        }
        for field in ["display_name", "homepage", "notes"] {
            let change = json!({ field: text });
            let answer = writer.call(addr, "PUT", "/api/v1/settings/profile", change);
            placed.count(&format!("{name} as the profile's {field}"), answer);
        }
        pages.push(format!("{site}/person/writer/"));
        for field in ["description", "homepage", "license"] {
            let change = json!({ field: text });
            let answer = writer.call(addr, "PUT", "/api/v1/projects/xsslab", change);
            placed.count(&format!("{name} as the project's {field}"), answer);
        }
        pages.push(format!("{site}/proj/xsslab/"));
        if i % 50 == 0 {
            println!(
                "XSS: {i} vectors placed and loaded in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
        let what = name.as_str();
        tokio::join!(
            async {
                for page in &pages {
                    csp.visit(page, what).await;
                }
                csp.console(what).await;
            },
            async {
                for page in &pages {
                    bypass.visit(page, what).await;
                }
                bypass.console(what).await;
            }
        );
    }

    // The syndicated copies, and every listing that shows many at once.
    let (status, feed) = feeder.call(addr, "POST", "/api/v1/settings/feed/refresh", Value::Null);
    assert_eq!(status, 200, "{feed}");
    let syndicated =
        api_get(addr, "/api/v1/people/feeder/entries?limit=1")["total"].as_u64().unwrap();
    // An item whose content sanitizes to nothing and whose title is empty is not an entry.
    assert!(
        syndicated >= vectors.len() as u64 * 9 / 10,
        "the feed's items were syndicated: {syndicated} of {}; the feed: {feed}",
        vectors.len()
    );
    let listings = [
        "/person/feeder/diary.html",
        "/person/writer/diary.html",
        "/",
        "/recentlog.html",
        "/article/",
        "/person/",
        "/proj/",
        "/search?q=vector",
    ];
    let mut listing_pages = 0;
    for start in listings {
        let url = format!("{site}{start}");
        let (a, b) = tokio::join!(walk(&mut csp, &url), walk(&mut bypass, &url));
        assert_eq!(a, b, "both browsers walked the same pages of {start}");
        listing_pages += a;
    }
    screenshot(&bypass.client, "xss-last-listing").await;

    println!(
        "XSS: {} vectors from {} sets; {} placements stored, {} refused; {} listing pages",
        vectors.len(),
        vectors.iter().map(|v| v.source.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
        placed.stored,
        placed.refused,
        listing_pages,
    );
    println!("XSS: {} syndicated entries", syndicated);
    for probe in [&csp, &bypass] {
        println!(
            "XSS: {}: {} page loads, {} executions",
            probe.mode,
            probe.loads,
            probe.executions.len()
        );
    }
    println!("XSS: {:.0} s", started.elapsed().as_secs_f64());
    let executions: Vec<&String> = csp.executions.iter().chain(&bypass.executions).collect();
    assert!(executions.is_empty(), "vectors executed:\n{executions:#?}");
    csp.client.close().await.unwrap();
    bypass.client.close().await.unwrap();
}

/// Visits `start` and every older page its pager links to; the number of pages.
async fn walk(probe: &mut Probe, start: &str) -> usize {
    let mut next = Some(start.to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        probe.visit(&url, "listing").await;
        probe.console("listing").await;
        pages += 1;
        if let Ok(older) = probe.client.find(Locator::Css("nav.pager a.older")).await {
            next = older.prop("href").await.unwrap();
        }
    }
    pages
}
