//! `/acct/settings`: the logged-in member's profile (display name, homepage, notes in
//! Markdown); posted to `/acct/password`, a password change that ends the member's other
//! sessions; posted to `/acct/settings/feed`, the blog feed syndicated into the diary, with
//! its fetch status and a "Fetch now" button, so that a member sees why a feed stopped.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use virgule_store::{Feed, FeedStatus, Member, ProfileUpdate};

use crate::api::feed::{refresh_feed as fetch_now, set_feed_url};
use crate::auth::csrf::CsrfForm;
use crate::auth::password;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::{ClientIp, login_redirect, query_param};
use crate::pages::view::Stamp;
use crate::pages::{Layout, render};
use crate::state::AppState;

pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
pub const MAX_HOMEPAGE_CHARS: usize = 2000;
pub const MAX_NOTES_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    homepage: String,
    #[serde(default)]
    notes: String,
}

impl ProfileForm {
    fn of(member: &Member) -> Self {
        ProfileForm {
            display_name: member.display_name.clone(),
            homepage: member.homepage.clone(),
            notes: member.notes_source.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

/// The syndication form: a feed (or blog page) address; the "Stop syndication" button sends
/// `action=stop`, and an empty address stops it too.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    action: String,
}

/// The syndication section: the address in its field and what the fetches did, in words.
struct FeedSection {
    /// The linked address, or what was just typed and refused.
    url: String,
    /// A feed is linked (polled, or gone and waiting for the member).
    linked: bool,
    /// A feed was ever linked: there is a status to show.
    known: bool,
    gone: bool,
    status: &'static str,
    title: Option<String>,
    last_fetch: Option<Stamp>,
    last_success: Option<Stamp>,
    last_error: Option<String>,
    failures: i64,
    next_fetch: Option<Stamp>,
    entries: i64,
    error: Option<String>,
    /// A confirmation, shown in the section the redirect scrolls to.
    saved: Option<&'static str>,
}

impl FeedSection {
    fn new(feed: Option<&Feed>) -> Self {
        let status = match feed.map(|f| f.status) {
            None => "No feed linked.",
            Some(FeedStatus::Active) => "Active: fetched on its schedule.",
            Some(FeedStatus::Gone) => "Gone: the server said the feed was removed (410).",
            Some(FeedStatus::Stopped) => {
                "Stopped: not fetched; the entries already syndicated stay in your diary."
            }
        };
        FeedSection {
            url: feed.and_then(|f| f.url.clone()).unwrap_or_default(),
            linked: feed.is_some_and(|f| f.url.is_some()),
            known: feed.is_some(),
            gone: feed.is_some_and(|f| f.status == FeedStatus::Gone),
            status,
            title: feed.map(|f| f.title.clone()).filter(|t| !t.is_empty()),
            last_fetch: feed.and_then(|f| f.last_fetch_at).map(Stamp::new),
            last_success: feed.and_then(|f| f.last_success_at).map(Stamp::new),
            last_error: feed.and_then(|f| f.last_error.clone()),
            failures: feed.map_or(0, |f| f.consecutive_failures),
            next_fetch: feed.and_then(|f| f.next_fetch_at).map(Stamp::new),
            entries: feed.map_or(0, |f| f.entry_count),
            error: None,
            saved: None,
        }
    }
}

#[derive(Template)]
#[template(path = "acct_settings.html")]
struct SettingsPage {
    layout: Layout,
    name: String,
    profile: ProfileForm,
    profile_error: Option<String>,
    password_error: Option<String>,
    feed: FeedSection,
    /// A confirmation after a successful save.
    saved: Option<&'static str>,
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::bad_request("invalid", message)
}

/// Checks a profile form and renders its notes: the display name on one line, at most 100
/// characters; the homepage empty or an absolute http(s) address; notes at most 16 KiB.
fn validate(form: &ProfileForm) -> Result<ProfileUpdate, Failure> {
    let display_name = form.display_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(invalid("a display name has at most 100 characters"));
    }
    let homepage = form.homepage.trim();
    let homepage = if homepage.is_empty() {
        String::new()
    } else {
        let refuse =
            || invalid("the homepage must be a full address starting with http:// or https://");
        if homepage.chars().count() > MAX_HOMEPAGE_CHARS {
            return Err(invalid("the homepage address has at most 2000 characters"));
        }
        let url = url::Url::parse(homepage).map_err(|_| refuse())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(refuse());
        }
        url.to_string()
    };
    if form.notes.len() > MAX_NOTES_BYTES {
        return Err(invalid("notes have at most 16 KiB of text"));
    }
    let notes_html = if form.notes.trim().is_empty() {
        String::new()
    } else {
        virgule_html::markdown_to_html(&form.notes)
    };
    Ok(ProfileUpdate { display_name, homepage, notes_source: form.notes.clone(), notes_html })
}

/// What the settings page says above its forms.
enum Notice {
    None,
    Saved(&'static str),
    ProfileError(Failure),
    PasswordError(Failure),
    FeedSaved(&'static str),
    /// A refused feed address (kept in the field so it can be corrected), or nothing to fetch.
    FeedError(Failure, Option<String>),
}

/// The whole settings page as it stands, with `profile` in the profile form.
async fn page(
    state: &AppState,
    viewer: &Viewer,
    member: &Member,
    profile: ProfileForm,
    notice: Notice,
) -> Result<Response, Failure> {
    let stored = state.store.feed_for_member(member.id).await?;
    let mut feed = FeedSection::new(stored.as_ref());
    let (status, profile_error, password_error, saved) = match notice {
        Notice::None => (StatusCode::OK, None, None, None),
        Notice::Saved(message) => (StatusCode::OK, None, None, Some(message)),
        Notice::ProfileError(f) => (f.status, Some(f.message), None, None),
        Notice::PasswordError(f) => (f.status, None, Some(f.message), None),
        Notice::FeedSaved(message) => {
            feed.saved = Some(message);
            (StatusCode::OK, None, None, None)
        }
        Notice::FeedError(f, typed) => {
            if let Some(typed) = typed {
                feed.url = typed;
            }
            feed.error = Some(f.message);
            (f.status, None, None, None)
        }
    };
    let page = SettingsPage {
        layout: Layout::new(state, viewer, "Settings"),
        name: member.name.to_string(),
        profile,
        profile_error,
        password_error,
        feed,
        saved,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn settings_form(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect("/acct/settings"));
    };
    let notice = match query_param(query.as_deref(), "saved").as_deref() {
        Some("profile") => Notice::Saved("Saved."),
        Some("password") => {
            Notice::Saved("Password changed. Your other sessions have been logged out.")
        }
        Some("feed") => Notice::FeedSaved(
            "Feed saved. Its first fetch has started: reload this page in a moment to see it.",
        ),
        Some("feed-stopped") => Notice::FeedSaved(
            "Syndication stopped. The entries already syndicated stay in your diary.",
        ),
        Some("fetched") => Notice::FeedSaved("Fetched. The status below is the fetch's result."),
        _ => Notice::None,
    };
    Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?)
}

pub async fn save_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    let update = match validate(&form) {
        Ok(update) => update,
        Err(failure) => {
            return Ok(page(&state, &viewer, member, form, Notice::ProfileError(failure)).await?);
        }
    };
    state.store.update_profile(member.id, &update).await?;
    Ok(Redirect::to("/acct/settings?saved=profile").into_response())
}

pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    // Guessing the current password here is as limited as guessing it at login.
    if !state.limits.allow_login(ip, member.name.as_str()) {
        let notice = Notice::PasswordError(Failure::too_many_requests());
        return Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?);
    }
    if let Err(failure) = check_password_change(&state, member, &form).await {
        let notice = Notice::PasswordError(failure);
        return Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?);
    }
    let hash = password::hash(form.new_password.clone()).await?;
    state.store.set_password_hash(member.id, &hash).await?;
    state.store.delete_sessions_for_member(member.id, viewer.session_hash.as_deref()).await?;
    Ok(Redirect::to("/acct/settings?saved=password").into_response())
}

/// Whether the current password is right and the new one typed twice the same and strong
/// enough.
async fn check_password_change(
    state: &AppState,
    member: &Member,
    form: &PasswordForm,
) -> Result<(), Failure> {
    let stored = state.store.member_with_password_hash(&member.name).await?.map(|(_, hash)| hash);
    let current_ok = match stored {
        Some(stored) => password::verify(form.current_password.clone(), stored).await,
        None => false,
    };
    if !current_ok {
        return Err(invalid("the current password is wrong"));
    }
    if form.new_password != form.new_password2 {
        return Err(invalid("the two new passwords differ"));
    }
    password::check_strength(&form.new_password, member.name.as_str())
}

/// Links, re-links or unlinks the member's feed. A refused address re-renders the page (400)
/// with the reason and the address as typed; nothing changes.
pub async fn save_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<FeedForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    let url = (form.action != "stop").then_some(form.url.as_str());
    match set_feed_url(&state, member.id, url).await {
        Ok(Some(feed)) if feed.url.is_some() => {
            Ok(Redirect::to("/acct/settings?saved=feed#syndication").into_response())
        }
        Ok(_) => Ok(Redirect::to("/acct/settings?saved=feed-stopped#syndication").into_response()),
        Err(failure) if failure.status.is_server_error() => Err(failure.into()),
        Err(failure) => {
            let notice = Notice::FeedError(failure, Some(form.url));
            Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?)
        }
    }
}

/// "Fetch now": fetches the linked feed (a conditional GET) and goes back to the settings,
/// which then show the fetch's result.
pub async fn refresh_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    match fetch_now(&state, member.id).await {
        Ok(_) => Ok(Redirect::to("/acct/settings?saved=fetched#syndication").into_response()),
        Err(failure) if failure.status.is_server_error() => Err(failure.into()),
        Err(failure) => {
            let notice = Notice::FeedError(failure, None);
            Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn form(display_name: &str, homepage: &str, notes: &str) -> ProfileForm {
        ProfileForm {
            display_name: display_name.into(),
            homepage: homepage.into(),
            notes: notes.into(),
        }
    }

    #[test]
    fn profiles_are_validated() {
        let ok =
            validate(&form("  Russell   Coker ", " https://etbe.coker.com.au/ ", "*Hi*")).unwrap();
        assert_eq!(ok.display_name, "Russell Coker");
        assert_eq!(ok.homepage, "https://etbe.coker.com.au/");
        assert!(ok.notes_html.contains("<em>Hi</em>"));
        assert_eq!(validate(&form("", "", "")).unwrap().homepage, "");

        assert!(validate(&form(&"x".repeat(101), "", "")).is_err());
        assert!(validate(&form("", "javascript:alert(1)", "")).is_err());
        assert!(validate(&form("", "ftp://example.org/", "")).is_err());
        assert!(validate(&form("", "example.org", "")).is_err());
        assert!(validate(&form("", "", &"x".repeat(16 * 1024 + 1))).is_err());
    }

    #[test]
    fn notes_are_sanitized() {
        let update = validate(&form("", "", "<script>alert(1)</script>hello")).unwrap();
        assert!(!update.notes_html.contains("script"));
    }
}
