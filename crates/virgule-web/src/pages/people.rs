//! `/person/`: the member list; `/person/NAME/`: a member's profile with their latest
//! entries, trust level and certifications, and the form another member certifies them with.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use virgule_store::{Cert, CertLevel, Member, MemberName, Page};

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::params::start_param;
use crate::pages::render;
use crate::pages::view::{LevelMark, Pager, Stamp, link_text, permalink};
use crate::state::AppState;
use virgule_site::rules::NO_CERT;

/// Members on a page of the list.
pub const PER_PAGE: i64 = 100;
/// Entries listed on a profile.
const LATEST: i64 = 5;

struct PersonLine {
    name: String,
    display_name: String,
    level: LevelMark,
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
        state.site.store().members(Page { start, limit: PER_PAGE }),
        state.site.store().member_count(),
    )?;
    let has_more = start.saturating_add(members.len() as i64) < total;
    let page = PeoplePage {
        layout: Layout::new(&state.config, &viewer, "People"),
        people: members
            .into_iter()
            .map(|m| PersonLine {
                name: m.name.to_string(),
                level: LevelMark::of(m.trust_level),
                display_name: m.display_name,
            })
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
    level: LevelMark,
    received: Vec<CertLine>,
    given: Vec<CertLine>,
    /// The certification form's choices, for a logged-in member other than this one; empty
    /// otherwise (no form).
    cert_options: Vec<CertOption>,
}

/// One certification on a profile: the other member and the level, as words.
struct CertLine {
    name: String,
    level: &'static str,
}

impl CertLine {
    fn of(cert: Cert) -> Self {
        CertLine { name: cert.name.to_string(), level: cert.level.trust_level().as_str() }
    }
}

struct CertOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The form's choices with the viewer's current certification (`None`: none) preselected.
fn cert_options(current: Option<CertLevel>) -> Vec<CertOption> {
    let option = |value, label, level| CertOption { value, label, selected: current == level };
    vec![
        option(NO_CERT, "Observer (none)", None),
        option("apprentice", "Apprentice", Some(CertLevel::Apprentice)),
        option("journeyer", "Journeyer", Some(CertLevel::Journeyer)),
        option("master", "Master", Some(CertLevel::Master)),
    ]
}

pub async fn profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult<Html<String>> {
    let member = state.site.member_named(&name).await?;
    let (entries, received, given) = tokio::try_join!(
        state.site.store().entries_for_member(member.id, Page { start: 0, limit: LATEST }),
        state.site.store().certs_received(member.id),
        state.site.store().certs_given(member.id),
    )?;
    let cert_options = match &viewer.member {
        Some(me) if me.id != member.id => {
            cert_options(state.site.store().cert_level(me.id, member.id).await?)
        }
        _ => Vec::new(),
    };
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
        layout: Layout::new(&state.config, &viewer, title).with_feeds(
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
        level: LevelMark::of(member.trust_level),
        received: received.into_iter().map(CertLine::of).collect(),
        given: given.into_iter().map(CertLine::of).collect(),
        cert_options,
        member,
    };
    Ok(render(&page)?)
}

/// The profile's certification form.
#[derive(Deserialize)]
pub struct CertifyForm {
    #[serde(default)]
    level: String,
}

/// `POST /person/NAME/certify`: sets (or, with `none`, withdraws) the viewer's certification
/// of NAME, then back to the profile.
pub async fn certify(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm<CertifyForm>,
) -> PageResult<Response> {
    let issuer = viewer.require_member()?;
    let (subject, _) = state.site.certify(issuer, &name, &form.level).await?;
    Ok(Redirect::to(&format!("/person/{}/", subject.name)).into_response())
}
