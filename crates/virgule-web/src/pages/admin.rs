//! `/admin/`: what a site admin needs to see about the site's health; for now the trust
//! metric as last computed (by any node): which seeds it started from (and that the admins are
//! the seeds when none are configured), how many members each level accepted, and warnings.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::params::login_redirect;
use crate::pages::render;
use crate::state::AppState;
use virgule_site::trust::{LastRun, last_run};

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    last: Option<LastRun>,
    /// When `last` ended, in UTC, as the page shows it.
    computed_at: String,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    if viewer.member.is_none() {
        return Ok(login_redirect("/admin/"));
    }
    viewer.require_admin()?;
    let last = last_run(state.site.store()).await?;
    let computed_at = last.as_ref().map(|run| run.at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    let page = AdminPage {
        layout: Layout::new(&state.config, &viewer, "Site administration"),
        last,
        computed_at: computed_at.unwrap_or_default(),
    };
    Ok(render(&page)?.into_response())
}
