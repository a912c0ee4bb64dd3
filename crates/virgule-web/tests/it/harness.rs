//! The test application: start a server, make clients, register members, read CSRF tokens.

#![allow(dead_code)]

use std::net::SocketAddr;

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use virgule_site::{Site, SiteSettings};
use virgule_store::Store;
use virgule_store::testing::{TestDb, fresh_store};
use virgule_syndication::{Settings, Syndicator};
use virgule_web::{AppState, ConnectionLimits, WebConfig};

pub const PASSWORD: &str = "correct horse battery staple";

/// A running site on an ephemeral port of 127.0.0.1.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    /// The trust recomputer, with the admin as seed and the default capacities.
    recomputer: JoinHandle<()>,
    /// The interest scores' computation, woken by ratings and certifications.
    interest: JoinHandle<()>,
    /// The server's state, to look at its caches.
    pub state: AppState,
    _db: Option<TestDb>,
}

/// A test site's settings: how it looks, and its own rules.
#[derive(Debug, Clone)]
pub struct TestConfig {
    pub web: WebConfig,
    /// The admin is the trust seed (no seeds configured), with the default capacities.
    pub site: SiteSettings,
    /// How long headers may take and how many connections are served at once.
    pub connections: ConnectionLimits,
}

/// The site settings tests run with unless they say otherwise: the defaults, with a name.
pub fn test_site() -> TestConfig {
    TestConfig {
        web: WebConfig { site_name: "Virgule Test".into(), ..WebConfig::default() },
        site: SiteSettings::default(),
        connections: ConnectionLimits::default(),
    }
}

impl TestApp {
    /// A site over a fresh, empty database, whose feed fetcher may reach 127.0.0.1 (where
    /// the tests' feed servers run).
    pub async fn start() -> TestApp {
        TestApp::start_with(syndication_settings(true)).await
    }

    /// A site over a fresh, empty database with these syndication settings (e.g.
    /// `syndication_settings(false)` for the production SSRF policy).
    pub async fn start_with(settings: Settings) -> TestApp {
        TestApp::start_configured(settings, test_site()).await
    }

    /// A site over a fresh, empty database with these syndication and site settings.
    pub async fn start_configured(settings: Settings, config: TestConfig) -> TestApp {
        let (store, db) = fresh_store().await;
        let mut app = TestApp::serve_with(store, settings, config).await;
        app._db = Some(db);
        app
    }

    /// A site over a given store (e.g. one reopened from a data directory).
    pub async fn serve(store: Store) -> TestApp {
        TestApp::serve_with(store, syndication_settings(true), test_site()).await
    }

    pub async fn serve_with(store: Store, settings: Settings, config: TestConfig) -> TestApp {
        install_crypto_provider();
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr: SocketAddr = listener.local_addr().expect("local addr");
        let (tx, rx) = oneshot::channel::<()>();
        let syndicator = Syndicator::new(store.clone(), settings).expect("feed fetcher");
        let site = Site::new(store.clone(), config.site).with_syndicator(syndicator);
        let trust = site.trust().clone();
        // The first computation ends before the server starts, so that it cannot overwrite
        // levels a test sets by hand; later ones follow certifications.
        trust.recompute_now().await;
        let recomputer = tokio::spawn(trust.clone().watch(std::future::pending()));
        let interest = tokio::spawn(site.interest().clone().watch(std::future::pending()));
        let state = AppState::new(site, config.web);
        let shutdown = async {
            let _ = rx.await;
        };
        let server = tokio::spawn(virgule_web::serve_with(
            listener,
            state.clone(),
            shutdown,
            config.connections,
        ));
        TestApp {
            base: format!("http://{addr}"),
            store,
            shutdown: Some(tx),
            server: Some(server),
            recomputer,
            interest,
            state,
            _db: None,
        }
    }

    /// What the server's reader of the content version does a few times a second, done
    /// now: after a test writes through the store directly (as another process would), the
    /// next page shows the write without the test waiting for the next reading.
    pub async fn caught_up(&self) {
        let version = self.store.content_version().await.expect("content version");
        self.state.site.observe_content_version(version);
    }

    /// A second handle on this site's database, with its own connections: what another
    /// process (a `virgule worker`, another node) sees and writes.
    pub async fn second_store(&self) -> Store {
        self._db.as_ref().expect("a test site over its own database").reopen().await
    }

    /// Stops the server and waits for it to finish (the store stays usable).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ended cleanly");
        }
        // Callers may reopen the store next: no recomputation may still be writing to it.
        self.recomputer.abort();
        _ = (&mut self.recomputer).await;
        self.interest.abort();
        _ = (&mut self.interest).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> Client {
        Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
    }

    /// GETs a page and returns (status, body).
    pub async fn get(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let res = client.get(self.url(path)).send().await.expect("GET");
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// GETs `form_path`, reads its CSRF token, and POSTs `fields` (plus the token) to
    /// `action`. Returns the response.
    pub async fn submit(
        &self,
        client: &Client,
        form_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (status, page) = self.get(client, form_path).await;
        assert_eq!(status, StatusCode::OK, "form page {form_path} should load: {page}");
        let token = csrf_token(&page);
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &token));
        client.post(self.url(action)).form(&form).send().await.expect("POST")
    }

    /// Registers `name` through the browser form and leaves `client` logged in.
    pub async fn register_browser(&self, client: &Client, name: &str) {
        let res = self
            .submit(
                client,
                "/acct/new",
                "/acct/new",
                &[("name", name), ("password", PASSWORD), ("password2", PASSWORD)],
            )
            .await;
        assert!(
            res.status().is_redirection(),
            "registration of {name} should redirect, got {}",
            res.status()
        );
    }

    /// Registers `name` through the API and returns a bearer token for it.
    pub async fn register_api(&self, name: &str) -> String {
        let client = Client::new();
        let res = client
            .post(self.url("/api/v1/accounts"))
            .json(&json!({"name": name, "password": PASSWORD}))
            .send()
            .await
            .expect("POST accounts");
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "account {name}: {}",
            res.text().await.unwrap_or_default()
        );
        let res = client
            .post(self.url("/api/v1/tokens"))
            .json(&json!({"name": name, "password": PASSWORD}))
            .send()
            .await
            .expect("POST tokens");
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("token json");
        body["token"].as_str().expect("token string").to_owned()
    }

    /// Posts an entry through the API as the token's owner; returns its number.
    pub async fn post_entry(&self, token: &str, title: &str, body: &str) -> i64 {
        let res = Client::new()
            .post(self.url("/api/v1/entries"))
            .bearer_auth(token)
            .json(&json!({"title": title, "body": body, "format": "markdown"}))
            .send()
            .await
            .expect("POST entries");
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("entry json");
        body["number"].as_i64().expect("number")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.recomputer.abort();
        self.interest.abort();
    }
}

/// The engine's default settings, with private addresses (the loopback the tests' feed
/// servers listen on) allowed or not.
pub fn syndication_settings(allow_private: bool) -> Settings {
    let mut settings = Settings::default();
    settings.fetch.allow_private = allow_private;
    settings
}

/// In a workspace build, reqwest carries the feed fetcher's `rustls-no-provider` feature, and
/// then every client (even one that only speaks plain HTTP) needs a process-wide rustls
/// provider: the same one the fetcher installs.
fn install_crypto_provider() {
    // Err means one is installed already, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The value of the first `name="csrf"` hidden field of a page.
pub fn csrf_token(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start =
        page.find(marker).unwrap_or_else(|| panic!("no csrf field in page: {page}")) + marker.len();
    let end = page[start..].find('"').expect("closing quote") + start;
    page[start..end].to_owned()
}
