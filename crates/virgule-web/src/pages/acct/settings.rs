//! `/acct/settings`: the logged-in member's profile (display name, homepage, notes in
//! Markdown) and, posted to `/acct/password`, a password change that ends the member's other
//! sessions.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use virgule_store::{Member, ProfileUpdate};

use crate::auth::csrf::CsrfForm;
use crate::auth::password;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::{ClientIp, login_redirect, query_param};
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

#[derive(Template)]
#[template(path = "acct_settings.html")]
struct SettingsPage {
    layout: Layout,
    name: String,
    profile: ProfileForm,
    profile_error: Option<String>,
    password_error: Option<String>,
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
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    member: &Member,
    profile: ProfileForm,
    notice: Notice,
) -> Result<Response, Failure> {
    let (status, profile_error, password_error, saved) = match notice {
        Notice::None => (StatusCode::OK, None, None, None),
        Notice::Saved(message) => (StatusCode::OK, None, None, Some(message)),
        Notice::ProfileError(f) => (f.status, Some(f.message), None, None),
        Notice::PasswordError(f) => (f.status, None, Some(f.message), None),
    };
    let page = SettingsPage {
        layout: Layout::new(state, viewer, "Settings"),
        name: member.name.to_string(),
        profile,
        profile_error,
        password_error,
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
        _ => Notice::None,
    };
    Ok(page(&state, &viewer, member, ProfileForm::of(member), notice)?)
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
            return Ok(page(&state, &viewer, member, form, Notice::ProfileError(failure))?);
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
    let refuse = |failure: Failure| {
        page(&state, &viewer, member, ProfileForm::of(member), Notice::PasswordError(failure))
    };
    // Guessing the current password here is as limited as guessing it at login.
    if !state.limits.allow_login(ip, member.name.as_str()) {
        return Ok(refuse(Failure::too_many_requests())?);
    }
    let stored = state.store.member_with_password_hash(&member.name).await?.map(|(_, hash)| hash);
    let current_ok = match stored {
        Some(stored) => password::verify(form.current_password.clone(), stored).await,
        None => false,
    };
    if !current_ok {
        return Ok(refuse(invalid("the current password is wrong"))?);
    }
    if form.new_password != form.new_password2 {
        return Ok(refuse(invalid("the two new passwords differ"))?);
    }
    if let Err(failure) = password::check_strength(&form.new_password, member.name.as_str()) {
        return Ok(refuse(failure)?);
    }
    let hash = password::hash(form.new_password.clone()).await?;
    state.store.set_password_hash(member.id, &hash).await?;
    state.store.delete_sessions_for_member(member.id, viewer.session_hash.as_deref()).await?;
    Ok(Redirect::to("/acct/settings?saved=password").into_response())
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
