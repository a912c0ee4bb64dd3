//! What `base.html` needs on every page: the site's name, the page title, who is logged in,
//! the CSRF token every form carries, and the feeds the page offers to feed readers.

use crate::auth::viewer::{FormToken, Viewer};
use crate::config::WebConfig;

/// A feed that a page offers to feed readers (`<link rel="alternate">`).
#[derive(Debug, Clone)]
pub struct FeedLink {
    pub title: String,
    pub mime: &'static str,
    pub href: String,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub site_name: String,
    /// The `<title>`, without the site name.
    pub title: String,
    /// The logged-in member's name, if any.
    pub viewer: Option<String>,
    pub viewer_is_admin: bool,
    /// Every form's hidden `csrf` field. Writing it marks the response as showing the token
    /// (an anonymous browser's then gets its cookie and the page is private).
    pub csrf: FormToken,
    pub feeds: Vec<FeedLink>,
}

impl Layout {
    pub fn new(config: &WebConfig, viewer: &Viewer, title: impl Into<String>) -> Self {
        Layout {
            site_name: config.site_name.clone(),
            title: title.into(),
            viewer: viewer.member.as_ref().map(|m| m.name.to_string()),
            viewer_is_admin: viewer.member.as_ref().is_some_and(|m| m.is_admin),
            csrf: viewer.form_token(),
            feeds: Vec::new(),
        }
    }

    /// Adds the RSS, Atom and JSON Feed links of one feed.
    pub fn with_feeds(mut self, title: &str, rss: String, atom: String, json: String) -> Self {
        self.feeds = vec![
            FeedLink { title: format!("{title} (RSS)"), mime: "application/rss+xml", href: rss },
            FeedLink { title: format!("{title} (Atom)"), mime: "application/atom+xml", href: atom },
            FeedLink {
                title: format!("{title} (JSON Feed)"),
                mime: "application/feed+json",
                href: json,
            },
        ];
        self
    }

    /// The links of a member's diary feeds.
    pub fn with_diary_feeds(self, name: &str) -> Self {
        self.with_feeds(
            &format!("{name}’s diary"),
            format!("/person/{name}/rss.xml"),
            format!("/person/{name}/atom.xml"),
            format!("/person/{name}/feed.json"),
        )
    }
}
