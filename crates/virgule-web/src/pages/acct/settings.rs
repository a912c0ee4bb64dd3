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
use virgule_site::ErrorKind;
use virgule_site::accounts::{PasswordChange, ProfileChange};
use virgule_store::{Feed, FeedStatus, Member};

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::limits::ClientIp;
use crate::pages::params::{login_redirect, query_param};
use crate::pages::render;
use crate::pages::view::Stamp;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    homepage: String,
    #[serde(default)]
    notes: String,
    /// The "replies" checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    replies: Option<String>,
    /// Sent by the form beside the checkbox, so that an unticked box (which browsers leave
    /// out) means "closed" only when the form had one.
    #[serde(default)]
    replies_shown: Option<String>,
}

impl ProfileForm {
    fn of(member: &Member) -> Self {
        ProfileForm {
            display_name: member.display_name.clone(),
            homepage: member.homepage.clone(),
            notes: member.notes_source.clone(),
            replies: member.replies_open.then(|| "on".to_owned()),
            replies_shown: Some("1".to_owned()),
        }
    }

    /// The whole form as a change: a form sends every field.
    fn change(&self) -> ProfileChange {
        ProfileChange {
            display_name: Some(self.display_name.clone()),
            homepage: Some(self.homepage.clone()),
            notes: Some(self.notes.clone()),
            replies: self.replies_shown.is_some().then_some(self.replies.is_some()),
            ..ProfileChange::default()
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
    /// The faults the last read recovered from; the list is shown only when there are some.
    warnings: Vec<String>,
    failures: i64,
    next_fetch: Option<Stamp>,
    entries: i64,
    error: Option<Failure>,
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
            warnings: feed.map(|f| f.last_warnings.clone()).unwrap_or_default(),
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
    profile_error: Option<Failure>,
    password_error: Option<Failure>,
    feed: FeedSection,
    /// A confirmation after a successful save.
    saved: Option<&'static str>,
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
    let stored = state.site.feed_of(member).await?;
    let mut feed = FeedSection::new(stored.as_ref());
    let (status, profile_error, password_error, saved) = match notice {
        Notice::None => (StatusCode::OK, None, None, None),
        Notice::Saved(message) => (StatusCode::OK, None, None, Some(message)),
        Notice::ProfileError(f) => (f.status, Some(f), None, None),
        Notice::PasswordError(f) => (f.status, None, Some(f), None),
        Notice::FeedSaved(message) => {
            feed.saved = Some(message);
            (StatusCode::OK, None, None, None)
        }
        Notice::FeedError(f, typed) => {
            if let Some(typed) = typed {
                feed.url = typed;
            }
            let status = f.status;
            feed.error = Some(f);
            (status, None, None, None)
        }
    };
    let page = SettingsPage {
        layout: Layout::new(&state.config, viewer, "Settings"),
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
    match state.site.update_profile(member, form.change()).await {
        Ok(_) => {}
        Err(refused) if refused.kind == ErrorKind::Internal => return Err(refused.into()),
        Err(refused) => {
            let notice = Notice::ProfileError(refused.into());
            return Ok(page(&state, &viewer, member, form, notice).await?);
        }
    }
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
    let change = PasswordChange {
        current: &form.current_password,
        new: &form.new_password,
        new_again: Some(&form.new_password2),
    };
    let changed = match state.limits.login(ip, member.name.as_str()).await {
        Ok(()) => state.site.change_password(member, change, viewer.session_hash.as_deref()).await,
        Err(refused) => Err(refused),
    };
    match changed {
        Ok(_) => {}
        Err(refused) if refused.kind == ErrorKind::Internal => return Err(refused.into()),
        Err(refused) => {
            let notice = Notice::PasswordError(refused.into());
            return Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?);
        }
    }
    Ok(Redirect::to("/acct/settings?saved=password").into_response())
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
    match state.site.link_feed(member, url).await.map_err(Failure::from) {
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
    match state.site.refresh_feed(member).await.map_err(Failure::from) {
        Ok(_) => Ok(Redirect::to("/acct/settings?saved=fetched#syndication").into_response()),
        Err(failure) if failure.status.is_server_error() => Err(failure.into()),
        Err(failure) => {
            let notice = Notice::FeedError(failure, None);
            Ok(page(&state, &viewer, member, ProfileForm::of(member), notice).await?)
        }
    }
}
