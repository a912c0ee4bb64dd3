//! `/person/`: the member list; `/person/NAME/`: a member's profile with their latest
//! entries, trust level and certifications, and the forms another member certifies them and
//! rates their diary with.

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
use virgule_site::people::Profile;
use virgule_site::rules::{NO_CERT, NO_RATING};

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
    /// The member's articles as (href, title), newest first.
    articles: Vec<(String, String)>,
    own: bool,
    level: LevelMark,
    received: Vec<CertLine>,
    given: Vec<CertLine>,
    /// The certification form's choices, for a logged-in member other than this one; empty
    /// otherwise (no form).
    cert_options: Vec<CertOption>,
    /// The diary rating form's choices, on the same terms; empty: no form.
    rating_options: Vec<RatingOption>,
    /// The member's projects and relations, by project name.
    projects: Vec<ProjectLine>,
    /// The viewer may flag the account as spam.
    flaggable: bool,
}

/// A project on a profile, with the member's relation to it.
struct ProjectLine {
    name: String,
    relation: &'static str,
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

struct RatingOption {
    value: String,
    label: String,
    selected: bool,
}

/// "No rating", then 1 to 10, with the viewer's current rating (`None`: none) preselected.
fn rating_options(current: Option<u8>) -> Vec<RatingOption> {
    let none = RatingOption {
        value: NO_RATING.to_owned(),
        label: "No rating".to_owned(),
        selected: current.is_none(),
    };
    let numbers = (1..=10_u8).map(|r| RatingOption {
        value: r.to_string(),
        label: r.to_string(),
        selected: current == Some(r),
    });
    std::iter::once(none).chain(numbers).collect()
}

pub async fn profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult<Html<String>> {
    let profile = state.site.profile(&name, LATEST, viewer.member.as_ref()).await?;
    let layout = Layout::new(&state.config, &viewer, ProfilePage::title(&profile.member));
    Ok(render(&ProfilePage::new(layout, &viewer, profile))?)
}

impl ProfilePage {
    /// "Display Name (name)", or the name alone.
    fn title(member: &Member) -> String {
        if member.display_name.is_empty() {
            member.name.to_string()
        } else {
            format!("{} ({})", member.display_name, member.name)
        }
    }

    fn new(layout: Layout, viewer: &Viewer, profile: Profile) -> Self {
        let name = profile.member.name.to_string();
        ProfilePage {
            layout: layout.with_diary_feeds(&name),
            homepage: profile.homepage,
            since: Stamp::day(profile.member.created_at),
            entry_count: profile.member.entry_count,
            latest: profile
                .latest
                .into_iter()
                .map(|e| LatestEntry {
                    href: permalink(&name, e.number),
                    title: link_text(&e.title),
                    published: Stamp::new(e.published),
                })
                .collect(),
            articles: profile
                .articles
                .into_iter()
                .map(|(number, title)| (crate::pages::view::article_href(number), title))
                .collect(),
            own: viewer.is(&name),
            level: LevelMark::of(profile.member.trust_level),
            received: profile.received.into_iter().map(CertLine::of).collect(),
            given: profile.given.into_iter().map(CertLine::of).collect(),
            cert_options: profile.reader_cert.map(cert_options).unwrap_or_default(),
            projects: profile
                .projects
                .into_iter()
                .map(|p| ProjectLine { name: p.project.to_string(), relation: p.relation.as_str() })
                .collect(),
            rating_options: profile.reader_rating.map(rating_options).unwrap_or_default(),
            flaggable: crate::pages::view::may_flag(viewer, &name),
            member: {
                let mut member = profile.member;
                member.notes_html =
                    crate::pages::view::shown_html(member.notes_html, member.trust_level);
                member
            },
        }
    }
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

/// The profile's diary rating form.
#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    rating: String,
}

/// `POST /person/NAME/rate`: sets (or, with `none`, withdraws) the viewer's rating of NAME's
/// diary, then back to the profile.
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm<RateForm>,
) -> PageResult<Response> {
    let rater = viewer.require_member()?;
    let (author, _) = state.site.rate(rater, &name, &form.rating).await?;
    Ok(Redirect::to(&format!("/person/{}/", author.name)).into_response())
}
