//! `/proj/`: every project by name, 100 a page; `/proj/NAME/`: one project, its people
//! grouped by relation, and (for a signed-in member) the form to state their own.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use virgule_site::projects::ProjectPage;
use virgule_site::rules::NO_RELATION;
use virgule_store::{Page, Project, Relation};

use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::params::start_param;
use crate::pages::render;
use crate::pages::view::{LevelMark, Pager};
use crate::state::AppState;

/// Projects on a page of the list, as members on `/person/`.
pub const PER_PAGE: i64 = 100;

struct ProjectLine {
    name: String,
    creator: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    layout: Layout,
    projects: Vec<ProjectLine>,
    total: i64,
    pager: Pager,
}

/// `/proj/NAME` → `/proj/NAME/`, as a member's `/person/NAME` does.
pub async fn add_slash(Path(name): Path<String>) -> PageResult<Response> {
    let name = virgule_site::rules::project_name(&name)
        .map_err(|_| Failure::not_found("There is no project at this address."))?;
    Ok(Redirect::permanent(&format!("/proj/{}/", name.as_str())).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let (projects, total) = state.site.project_list(Page { start, limit: PER_PAGE }).await?;
    let has_more = start.saturating_add(projects.len() as i64) < total;
    let page = ProjectsPage {
        layout: Layout::new(&state.config, &viewer, "Projects"),
        projects: projects
            .into_iter()
            .map(|p| ProjectLine { name: p.name.to_string(), creator: p.creator.to_string() })
            .collect(),
        total,
        pager: Pager::window(
            "/proj/",
            start,
            PER_PAGE,
            has_more,
            "Previous 100 projects",
            "Next 100 projects...",
        ),
    };
    Ok(render(&page)?)
}

/// A member on a project page.
struct PersonLine {
    name: String,
    level: LevelMark,
}

/// The people of one relation.
struct Group {
    /// The relation's word, for `data-relation`.
    relation: &'static str,
    heading: &'static str,
    people: Vec<PersonLine>,
}

struct RelationOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPageView {
    layout: Layout,
    project: Project,
    /// Only an absolute http(s) address is linked.
    homepage: Option<String>,
    /// The viewer created it: offer "Edit".
    own: bool,
    groups: Vec<Group>,
    /// The relation form's choices for a signed-in member; empty otherwise (no form).
    relation_options: Vec<RelationOption>,
}

fn heading(relation: Relation) -> &'static str {
    match relation {
        Relation::LeadDeveloper => "Lead developers",
        Relation::Developer => "Developers",
        Relation::Contributor => "Contributors",
        Relation::Documenter => "Documenters",
        Relation::Helper => "Helpers",
        Relation::User => "Users",
    }
}

/// The form's choices, the viewer's current relation (`None`: none) preselected.
fn relation_options(current: Option<Relation>) -> Vec<RelationOption> {
    let mut options =
        vec![RelationOption { value: NO_RELATION, label: "none", selected: current.is_none() }];
    options.extend(Relation::ALL.into_iter().map(|r| RelationOption {
        value: r.as_str(),
        label: r.as_str(),
        selected: current == Some(r),
    }));
    options
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult<Html<String>> {
    let page = state.site.project_page(&name, viewer.member.as_ref()).await?;
    let layout = Layout::new(&state.config, &viewer, page.project.name.to_string());
    Ok(render(&ProjectPageView::new(layout, &viewer, page))?)
}

impl ProjectPageView {
    fn new(layout: Layout, viewer: &Viewer, page: ProjectPage) -> Self {
        let groups = Relation::ALL
            .into_iter()
            .map(|relation| Group {
                relation: relation.as_str(),
                heading: heading(relation),
                people: page
                    .with_relation(relation)
                    .map(|p| PersonLine { name: p.name.to_string(), level: LevelMark::of(p.level) })
                    .collect(),
            })
            .filter(|group| !group.people.is_empty())
            .collect();
        let project = page.project;
        let homepage = Some(project.homepage.clone())
            .filter(|h| h.starts_with("https://") || h.starts_with("http://"));
        ProjectPageView {
            layout,
            homepage,
            own: viewer.is(project.creator.as_str()),
            groups,
            relation_options: page.reader_relation.map(relation_options).unwrap_or_default(),
            project,
        }
    }
}
