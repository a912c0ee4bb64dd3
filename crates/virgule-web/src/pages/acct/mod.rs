//! Account pages: registration, login, logout, and the settings page (profile, password and
//! syndicated feed). One action per file.

mod claim;
mod login;
mod logout;
mod register;
mod settings;

pub use claim::{claim, claim_form};
pub use login::{login, login_form};
pub use logout::logout;
pub use register::{register, register_form};
pub use settings::{change_password, refresh_feed, save_feed, save_settings, settings_form};

use axum_extra::extract::cookie::CookieJar;
use virgule_store::Member;

use crate::auth::session;
use crate::auth::viewer::Viewer;
use crate::error::Failure;
use crate::state::AppState;

/// Opens a fresh session for `member`, ending the one this browser had, and returns the jar
/// that sets its cookie.
async fn log_in(
    state: &AppState,
    viewer: &Viewer,
    jar: CookieJar,
    member: &Member,
) -> Result<CookieJar, Failure> {
    let opened = state.site.open_session(member, viewer.session_hash.as_deref()).await?;
    Ok(session::started(jar, opened, state.config.secure_cookies))
}
