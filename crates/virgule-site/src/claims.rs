//! A planet's subscription list moved in (`virgule import opml FILE`, docs/design.md §8):
//! each feed of an OPML file becomes a member syndicating it, named after the feed's title.
//! Such an account has no password and is never an admin: it is locked until its owner claims
//! it through a link an admin issues (`virgule user claim NAME`, `/acct/claim/TOKEN`), good
//! once, for [`CLAIM_LINK_DAYS`] days. Importing the same list again adds only the feeds no
//! member syndicates yet.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use url::Url;
use virgule_import::opml::Subscription;
use virgule_store::{Member, MemberName, StoreError};

use crate::error::{SiteError, SiteResult};
use crate::password;
use crate::{Site, rules};

/// The password hash of an account nobody has claimed: no password matches it (it is not a
/// hash), and signing in to it costs the time a real check takes (`password::verify`).
pub use virgule_store::UNCLAIMED;
/// How long a claim link is good for.
pub const CLAIM_LINK_DAYS: i64 = 14;
/// The longest member name.
const MAX_NAME_CHARS: usize = 32;

/// What importing a subscription list did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpmlSummary {
    /// New members, each with the feed it syndicates.
    pub created: Vec<(MemberName, String)>,
    /// Feeds some member already syndicates.
    pub already: u64,
    /// Subscriptions refused: their title and why.
    pub refused: Vec<(String, String)>,
}

/// A member name for a feed titled `title` at `url`: its letters and digits, lower-cased,
/// words joined by `-`, at most 32 characters; the address's host when the title has none
/// (a title in another script), and `feed` as a last resort. Pure.
pub fn name_for_feed(title: &str, url: &str) -> String {
    let slug = |text: &str| {
        let mut out = String::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if let Some(plain) = latin_letter(c) {
                out.push_str(plain);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let cut: String = out.chars().take(MAX_NAME_CHARS).collect();
        cut.trim_matches('-').to_owned()
    };
    let from_title = slug(title);
    if !from_title.is_empty() {
        return from_title;
    }
    let host = Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_start_matches("www.").to_owned()));
    host.map(|h| slug(&h)).filter(|s| !s.is_empty()).unwrap_or_else(|| "feed".to_owned())
}

/// A lower-case Latin letter with a diacritic as its plain letters (`é` → `e`, `ß` → `ss`).
fn latin_letter(c: char) -> Option<&'static str> {
    const FOLDS: [(&str, &str); 16] = [
        ("àáâãäåāăą", "a"),
        ("çćč", "c"),
        ("ďđ", "d"),
        ("èéêëēėęě", "e"),
        ("ğ", "g"),
        ("ìíîïīį", "i"),
        ("ł", "l"),
        ("ñńň", "n"),
        ("òóôõöøōő", "o"),
        ("ŕř", "r"),
        ("śšş", "s"),
        ("ťţ", "t"),
        ("ùúûüūůű", "u"),
        ("ýÿ", "y"),
        ("źżž", "z"),
        ("ß", "ss"),
    ];
    match c {
        'æ' => Some("ae"),
        'œ' => Some("oe"),
        _ => FOLDS.iter().find(|(from, _)| from.contains(c)).map(|(_, to)| *to),
    }
}

/// The `n`th name tried for `base` (from 1): `base`, then `base-2`, `base-3`… cut to fit
/// 32 characters. Pure.
fn candidate_name(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    let head: String = base.chars().take(MAX_NAME_CHARS - suffix.len()).collect();
    format!("{}{suffix}", head.trim_end_matches('-'))
}

impl Site {
    /// Makes a locked member syndicating each feed of `subscriptions` that no member
    /// syndicates yet. A subscription whose address is not an http(s) URL is refused and
    /// reported; the others are made.
    pub async fn import_opml(&self, subscriptions: &[Subscription]) -> SiteResult<OpmlSummary> {
        let mut summary = OpmlSummary::default();
        let mut syndicated: HashSet<String> =
            self.store.linked_feeds().await?.into_iter().filter_map(|f| f.url).collect();
        let mut made: HashSet<String> = HashSet::new();
        for sub in subscriptions {
            let url = sub.xml_url.trim();
            let valid = Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
            if valid.is_none() || rules::feed_url(Some(url)).is_err() {
                summary
                    .refused
                    .push((sub.title.clone(), format!("“{url}” is not an http(s) address")));
                continue;
            }
            if syndicated.contains(url) {
                summary.already += 1;
                continue;
            }
            // The first name no member has (made by this import or before).
            let base = name_for_feed(&sub.title, url);
            let mut n = 1;
            let name = loop {
                let name = rules::member_name(&candidate_name(&base, n))?;
                if !made.contains(name.as_str())
                    && self.store.member_by_name(&name).await?.is_none()
                {
                    break name;
                }
                n += 1;
            };
            let member = match self.store.create_unclaimed_member(&name, UNCLAIMED).await {
                Ok(member) => member,
                Err(StoreError::Conflict(why)) => {
                    summary.refused.push((sub.title.clone(), why));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            self.store.subscribe_feed(member.id, url, Utc::now()).await?;
            tracing::info!(member = %member.name, url, "member made for an imported feed");
            made.insert(member.name.to_string());
            syndicated.insert(url.to_owned());
            summary.created.push((member.name, url.to_owned()));
        }
        Ok(summary)
    }

    /// A new claim link's secret for the unclaimed account `name` (for an admin to pass on):
    /// good once, for [`CLAIM_LINK_DAYS`] days. Refused for an account someone already holds.
    pub async fn claim_link(&self, name: &str) -> SiteResult<String> {
        let member = self.member_named(name).await?;
        let name = rules::member_name(name)?;
        let held = self.store.member_with_password_hash(&name).await?;
        if held.is_some_and(|(_, hash)| hash != UNCLAIMED) {
            return Err(SiteError::bad_input(
                "already_claimed",
                format!("{} already has a password; there is nothing to claim", member.name),
            ));
        }
        let token = password::random_token();
        let expires = Utc::now() + Duration::days(CLAIM_LINK_DAYS);
        self.store.create_claim_token(&password::token_hash(&token), member.id, expires).await?;
        tracing::info!(member = %member.name, "claim link issued");
        Ok(token)
    }

    /// The unclaimed account a claim link stands for; 404 if the link is unknown, spent or
    /// expired.
    pub async fn claimable(&self, token: &str) -> SiteResult<Member> {
        self.store
            .member_by_claim_token(&password::token_hash(token), UNCLAIMED, Utc::now())
            .await?
            .ok_or_else(invalid_link)
    }

    /// Gives the account a claim link stands for the password chosen (by the site's password
    /// rules), spending the link.
    pub async fn claim(&self, token: &str, password: &str, again: &str) -> SiteResult<Member> {
        let member = self.claimable(token).await?;
        rules::passwords_match(password, again)?;
        rules::password_strength(password, member.name.as_str())?;
        let hash = password::hash(password.to_owned()).await?;
        let claimed = self
            .store
            .claim_member(&password::token_hash(token), UNCLAIMED, &hash, Utc::now())
            .await?
            .ok_or_else(invalid_link)?;
        tracing::info!(member = %claimed.name, "account claimed");
        Ok(claimed)
    }
}

fn invalid_link() -> SiteError {
    SiteError::not_found("this claim link is not valid: it was used already, or it has expired")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_titles_become_member_names() {
        assert_eq!(
            name_for_feed("etbe – Russell Coker", "https://etbe.coker.com.au/feed/"),
            "etbe-russell-coker"
        );
        assert_eq!(
            name_for_feed("  Planet   Debian!! ", "https://planet.debian.org/rss20.xml"),
            "planet-debian"
        );
        assert_eq!(name_for_feed("日本語のブログ", "https://www.example.jp/feed"), "example-jp");
        assert_eq!(name_for_feed("Ünïcödé Blög", "https://x.org/"), "unicode-blog");
        assert_eq!(name_for_feed("", "not a url"), "feed");
        assert_eq!(name_for_feed(&"long ".repeat(20), "https://x.org/").len(), 32);
        assert_eq!(candidate_name("planet", 1), "planet");
        assert_eq!(candidate_name("planet", 3), "planet-3");
        assert_eq!(candidate_name(&"a".repeat(32), 2), format!("{}-2", "a".repeat(30)));
        assert_eq!(candidate_name("abc-", 2), "abc-2");
    }
}
