//! Account pages: registration, login, logout, and the settings page (profile, password and
//! syndicated feed). One action per file.

mod login;
mod logout;
mod register;
mod settings;

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

/// Starts a fresh session for `member`, first ending the one this browser had (a login over
/// another login must not leave the old session alive).
async fn log_in(
    state: &AppState,
    viewer: &Viewer,
    jar: CookieJar,
    member: &Member,
) -> Result<CookieJar, Failure> {
    if let Some(previous) = &viewer.session_hash {
        state.store.delete_session(previous).await?;
    }
    session::start(&state.store, jar, member, state.config.secure_cookies).await
}
