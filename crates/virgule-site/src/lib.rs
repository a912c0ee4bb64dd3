//! Virgule's domain: every operation a member or an admin performs — register, sign in, write,
//! edit and delete an entry, certify, link a feed, change the profile or the password, post
//! news, rate a diary, suspend, make admin, recompute trust — as one function on [`Site`], which validates
//! its input with the one set of [`rules`], checks who may do it, and calls the store.
//!
//! The web layer (forms and the JSON API) and the command line call these functions and
//! nothing below them for a write, so that a form, an API call and a CLI command cannot
//! disagree. A refusal is a [`SiteError`]: a kind (which the web maps to an HTTP status), a
//! stable code and a readable message. See `docs/architecture.md`.
//!
//! ```no_run
//! # async fn demo(store: virgule_store::Store) -> Result<(), virgule_site::SiteError> {
//! use virgule_site::accounts::Registration;
//! use virgule_site::entries::EntryText;
//! use virgule_site::{Site, SiteSettings};
//! let site = Site::new(store, SiteSettings::default());
//! let alice = site
//!     .register(Registration { name: "alice", password: "correct horse battery",
//!         password_again: None, email: None })
//!     .await?;
//! let text = EntryText { title: "Hello", body: "My *first* entry.", format: "markdown", tags: &[] };
//! let entry = site.post_entry(&alice, text).await?;
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod articles;
pub mod certs;
pub mod claims;
mod debounce;
pub mod entries;
pub mod error;
pub mod export;
pub mod feeds;
pub mod gates;
pub mod imports;
pub mod interest;
pub mod members;
pub mod news;
pub mod password;
pub mod people;
pub mod projects;
pub mod ratings;
mod recall;
pub mod related;
pub mod replies;
pub mod rules;
pub mod search;
mod shortcuts;
pub mod spam;
pub mod trust;

use std::sync::Arc;

use virgule_store::{Store, TrustLevel};
use virgule_syndication::Syndicator;

use crate::recall::Recall;

pub use error::{ErrorKind, SiteError, SiteResult};
pub use interest::{InterestRecomputer, InterestSummary};
pub use trust::{LastRun, TrustRecomputer, TrustRuns, TrustSettings, TrustSummary};
pub use virgule_syndication::FeedActivity;

/// The site's own settings (the web layer's presentation settings live there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    /// Whose entries the recent log (page, API, feeds, front page) shows unless a reader asks
    /// otherwise with `?thresh=`: authors at this level or above (docs/design.md §5).
    pub recentlog_threshold: TrustLevel,
    /// The trust metric's seeds and capacities.
    pub trust: TrustSettings,
    /// The lowest level that may post front-page articles (docs/trust.md "The gates").
    pub article_gate: TrustLevel,
    /// The lowest level that may reply to articles and diary entries.
    pub reply_gate: TrustLevel,
    /// What the spam flags of an item must weigh to hide it (docs/trust.md "Spam").
    pub spam_threshold: i64,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            recentlog_threshold: TrustLevel::Apprentice,
            trust: TrustSettings::default(),
            article_gate: TrustLevel::Journeyer,
            reply_gate: TrustLevel::Apprentice,
            spam_threshold: 3,
        }
    }
}

/// The site: the store, its settings, the trust recomputer that certifications wake, and
/// (in a process that serves) the syndication engine members' feed settings drive. Cheap to
/// clone: everything inside is shared.
#[derive(Clone)]
pub struct Site {
    store: Store,
    settings: Arc<SiteSettings>,
    trust: TrustRecomputer,
    interest: InterestRecomputer,
    syndicator: Option<Syndicator>,
    recall: Arc<Recall>,
}

impl Site {
    /// A site over `store`, without syndication (the command line's tasks need none).
    pub fn new(store: Store, settings: SiteSettings) -> Self {
        let trust = TrustRecomputer::new(store.clone(), settings.trust.clone());
        let interest = InterestRecomputer::new(store.clone());
        let recall = Arc::default();
        Site { store, settings: Arc::new(settings), trust, interest, syndicator: None, recall }
    }

    /// The same site, linking and fetching members' feeds with `syndicator`.
    pub fn with_syndicator(mut self, syndicator: Syndicator) -> Self {
        self.syndicator = Some(syndicator);
        self
    }

    /// The store, for reading (every write goes through a function of this crate).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Notes the content version read from the database: sessions and members remembered
    /// at an older one are read again ([`recall`]). The serving process calls this a few
    /// times a second and after every write it handles.
    pub fn observe_content_version(&self, version: i64) {
        self.recall.observe(version);
    }

    /// The newest content version observed; 0 before the first.
    pub fn content_version(&self) -> i64 {
        self.recall.version()
    }

    pub fn settings(&self) -> &SiteSettings {
        &self.settings
    }

    /// The background recomputation of trust levels; `serve` runs it.
    pub fn trust(&self) -> &TrustRecomputer {
        &self.trust
    }

    /// The background computation of interest scores from diary ratings; `serve` runs it.
    pub fn interest(&self) -> &InterestRecomputer {
        &self.interest
    }

    /// What this process's feed fetches have done since it started; `None` in a process
    /// without syndication.
    pub fn feed_activity(&self) -> Option<FeedActivity> {
        self.syndicator.as_ref().map(Syndicator::activity)
    }

    fn syndicator(&self) -> SiteResult<&Syndicator> {
        self.syndicator.as_ref().ok_or_else(|| {
            tracing::error!("a feed operation was called in a process without syndication");
            SiteError::internal()
        })
    }
}
