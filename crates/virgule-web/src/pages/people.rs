//! `/person/`: the member list; `/person/NAME/`: a member's profile with their latest
//! entries.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use virgule_store::{Member, MemberName, Page};

use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::{member_named, start_param};
use crate::pages::view::{Pager, Stamp, link_text, permalink};
use crate::pages::{Layout, render};
use crate::state::AppState;

/// Members on a page of the list.
pub const PER_PAGE: i64 = 100;
/// Entries listed on a profile.
const LATEST: i64 = 5;

struct PersonLine {
    name: String,
    display_name: String,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    people: Vec<PersonLine>,
    total: i64,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let (members, total) = tokio::try_join!(
        state.store.members(Page { start, limit: PER_PAGE }),
        state.store.member_count(),
    )?;
    let has_more = start.saturating_add(members.len() as i64) < total;
    let page = PeoplePage {
        layout: Layout::new(&state, &viewer, "People"),
        people: members
            .into_iter()
            .map(|m| PersonLine { name: m.name.to_string(), display_name: m.display_name })
            .collect(),
        total,
        pager: Pager::window(
            "/person/",
            start,
            PER_PAGE,
            has_more,
            "Previous 100 members",
            "Next 100 members...",
        ),
    };
    Ok(render(&page)?)
}

/// `/person/NAME` → `/person/NAME/`, as Advogato's addresses end in a slash.
pub async fn add_slash(Path(name): Path<String>) -> PageResult<Response> {
    let name = MemberName::parse(&name)
        .map_err(|_| Failure::not_found(format!("There is no member named “{name}”.")))?;
    Ok(Redirect::permanent(&format!("/person/{name}/")).into_response())
}

struct LatestEntry {
    href: String,
    title: String,
    published: Stamp,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    member: Member,
    /// Only an absolute http(s) address is linked.
    homepage: Option<String>,
    since: Stamp,
    entry_count: i64,
    latest: Vec<LatestEntry>,
    own: bool,
}

pub async fn profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult<Html<String>> {
    let member = member_named(&state, &name).await?;
    let entries =
        state.store.entries_for_member(member.id, Page { start: 0, limit: LATEST }).await?;
    let entry_count = member.entry_count;
    let name = member.name.to_string();
    let title = if member.display_name.is_empty() {
        name.clone()
    } else {
        format!("{} ({name})", member.display_name)
    };
    // Settings only accept http(s) addresses; this guards rows written by other means.
    let homepage = Some(member.homepage.clone())
        .filter(|h| h.starts_with("https://") || h.starts_with("http://"));
    let page = ProfilePage {
        layout: Layout::new(&state, &viewer, title).with_feeds(
            &format!("{name}’s diary"),
            format!("/person/{name}/rss.xml"),
            format!("/person/{name}/atom.xml"),
            format!("/person/{name}/feed.json"),
        ),
        homepage,
        since: Stamp::day(member.created_at),
        entry_count,
        latest: entries
            .into_iter()
            .map(|e| LatestEntry {
                href: permalink(&name, e.number),
                title: link_text(&e.title),
                published: Stamp::new(e.published),
            })
            .collect(),
        own: viewer.is(&name),
        member,
    };
    Ok(render(&page)?)
}
