//! `/admin/`: what a site admin needs to see about the site's health; for now the trust
//! metric as last computed (by any node): which seeds it started from (and that the admins are
//! the seeds when none are configured), the capacities used and the attack bound they give,
//! how many members each level accepted against the root's and the seeds' capacities, and
//! warnings (a capacity within 10% of full names the members it keeps out);
//! and the items hidden as spam, each with its decision forms (`pages::spam`).

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
use virgule_store::{FlagKind, SpamItem};

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    last: Option<LastRun>,
    /// When `last` ended, in UTC, as the page shows it.
    computed_at: String,
    /// The items hidden as spam, for a decision.
    spam: Vec<SpamItem>,
    spam_threshold: i64,
}

impl AdminPage {
    /// The decisions the page offers on an item of `kind`, as (form value, button).
    fn item_decisions(&self, kind: &FlagKind) -> [(&'static str, &'static str); 2] {
        match kind {
            FlagKind::Account => [("not_spam", "Not spam"), ("remove", "Remove all their writing")],
            _ => [("not_spam", "Not spam"), ("remove", "Remove")],
        }
    }
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    if viewer.member.is_none() {
        return Ok(login_redirect("/admin/"));
    }
    let admin = viewer.require_admin()?;
    let spam = state.site.spam_queue(admin).await?;
    let last = last_run(state.site.store()).await?;
    let computed_at = last.as_ref().map(|run| run.at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    let page = AdminPage {
        layout: Layout::new(&state.config, &viewer, "Site administration"),
        last,
        computed_at: computed_at.unwrap_or_default(),
        spam,
        spam_threshold: state.site.settings().spam_threshold,
    };
    Ok(render(&page)?.into_response())
}
