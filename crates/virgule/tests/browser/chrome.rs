//! Headless Chromium under Debian's chromedriver, driven with fantoccini: a driver process per
//! suite, a browser session per client, the Chrome DevTools calls WebDriver lacks (a script
//! run before any page script, CSP bypass) and the browser's console log.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// Where Debian puts them (`apt-get install chromium chromium-driver`); `.ci/run` installs them.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A running chromedriver; killed on drop.
pub struct Driver {
    child: Child,
    url: String,
    profiles: tempfile::TempDir,
    browsers: AtomicUsize,
}

impl Driver {
    pub fn start() -> Driver {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: the browser suite needs Debian's chromium and \
                 chromium-driver (apt-get install -y chromium chromium-driver; .ci/run does it)"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Its own process group, with the browsers it starts, so that a failed test that never
        // closed its sessions leaves no browser behind (see Drop).
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, url, profiles: tempfile::tempdir().unwrap(), browsers: AtomicUsize::new(0) }
    }

    /// A new browser: its own profile (cookies), a 1280×1024 window, the console log kept.
    pub async fn browser(&self) -> Client {
        let n = self.browsers.fetch_add(1, Ordering::SeqCst);
        let profile = self.profiles.path().join(format!("profile-{n}"));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--window-size=1280,1024",
                    // No network but loopback: any other host fails at once instead of
                    // holding a page's load event until a DNS timeout (vectors name hosts).
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    "--disable-extensions", "--disable-background-networking",
                    "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                    "--disable-backgrounding-occluded-windows", "--disable-features=Translate",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
            "unhandledPromptBehavior": "ignore",
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("chromedriver opens a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A chromedriver extension command: a DevTools call, or the console log.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/{}", session_id.unwrap_or_default(), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(self.body.to_string()))
    }
}

/// Calls the DevTools protocol method `method` of the session's page.
pub async fn devtools(client: &Client, method: &str, params: Value) -> Value {
    let body = json!({"cmd": method, "params": params});
    client
        .issue_cmd(Extension { path: "goog/cdp/execute", body })
        .await
        .unwrap_or_else(|e| panic!("DevTools {method}: {e}"))
}

/// The console messages logged since the last call (chromedriver keeps them per session), as
/// (level, message): `SEVERE` for errors.
pub async fn console(client: &Client) -> Vec<(String, String)> {
    let log = client
        .issue_cmd(Extension { path: "se/log", body: json!({"type": "browser"}) })
        .await
        .expect("chromedriver returns the console log");
    log.as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|entry| {
                    let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
                    (text("level"), text("message"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Where screenshots go: `VIRGULE_ARTIFACTS_DIR` (`.ci/run` sets it), else a temporary folder.
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("VIRGULE_ARTIFACTS_DIR")
        .map_or_else(|| std::env::temp_dir().join("virgule-browser-artifacts"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("the artifacts folder can be made");
    dir
}

/// Saves a PNG screenshot of the current page as `name.png` in [`artifacts_dir`].
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot of {name} is a PNG");
    let path = artifacts_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("the screenshot is saved");
    path
}
