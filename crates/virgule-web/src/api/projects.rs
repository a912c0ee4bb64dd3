//! Projects by API: anyone reads them, any member creates one, its creator edits it, and
//! every member states (or withdraws) their own relation to a project. The pages under
//! `/proj/` call the same `Site` functions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use virgule_site::projects::{ProjectPage, ProjectText};
use virgule_site::rules::NO_RELATION;
use virgule_store::Relation;

use crate::api::{ApiJson, ApiMember, ApiQuery, WindowQuery};
use crate::error::ApiResult;
use crate::feeds::site_base;
use crate::state::AppState;

/// The body of `POST /api/v1/projects` and `PUT /api/v1/projects/{name}`. On `PUT` a field
/// left out keeps its value, and the name, if sent, must be the project's own.
#[derive(Debug, Deserialize)]
pub struct ProjectInput {
    pub name: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    pub homepage: Option<String>,
    pub license: Option<String>,
}

impl ProjectInput {
    fn text(&self) -> ProjectText<'_> {
        ProjectText {
            name: self.name.as_deref(),
            description: self.description.as_deref(),
            homepage: self.homepage.as_deref(),
            license: self.license.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProjectCreated {
    pub name: String,
    pub url: String,
}

/// A member's relation as a project lists it.
#[derive(Debug, Serialize)]
pub struct ProjectPersonJson {
    pub name: String,
    pub relation: Relation,
}

#[derive(Debug, Serialize)]
pub struct ProjectJson {
    pub name: String,
    pub description_html: String,
    pub homepage: String,
    pub license: String,
    pub creator: String,
    /// By name.
    pub people: Vec<ProjectPersonJson>,
}

/// A project in a list.
#[derive(Debug, Serialize)]
pub struct ProjectLine {
    pub name: String,
    pub description_html: String,
    pub creator: String,
}

#[derive(Debug, Serialize)]
pub struct ProjectList {
    pub total: i64,
    pub projects: Vec<ProjectLine>,
}

/// The body of `PUT /api/v1/projects/{name}/relation`.
#[derive(Debug, Deserialize)]
pub struct RelationInput {
    /// `lead developer`, `developer`, `contributor`, `documenter`, `helper`, `user`, or
    /// `none` to withdraw.
    pub relation: String,
}

/// The answer: the project and the caller's relation now (`none` after a withdrawal).
#[derive(Debug, Serialize)]
pub struct RelationOutput {
    pub project: String,
    pub relation: &'static str,
}

/// 201 `{"name","url"}` with the project page's absolute address (also in `Location`); 409
/// `conflict` for a taken name; 400 for a bad name, description, homepage or licence.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult<Response> {
    let project = state.site.create_project(&member, input.text()).await?;
    let url = format!("{}/proj/{}/", site_base(&state.config, &headers), project.name);
    let location = [(LOCATION, url.clone())];
    let created = ProjectCreated { name: project.name.to_string(), url };
    Ok((StatusCode::CREATED, location, Json(created)).into_response())
}

/// `{"total","projects":[...]}` by name, `?start=N&limit=M`.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<ProjectList>> {
    let (projects, total) = state.site.project_list(query.page()?).await?;
    let projects = projects
        .into_iter()
        .map(|p| ProjectLine {
            name: p.name.to_string(),
            description_html: p.description_html,
            creator: p.creator.to_string(),
        })
        .collect();
    Ok(Json(ProjectList { total, projects }))
}

/// One project with its people; 404 for an unknown name.
pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<ProjectJson>> {
    let page = state.site.project_page(&name, None).await?;
    Ok(Json(project_json(page)))
}

/// The creator edits: 200 with the project; 403 for anyone else.
pub async fn update(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult<Json<ProjectJson>> {
    let page = state.site.edit_project(&member, &name, input.text()).await?;
    Ok(Json(project_json(page)))
}

/// Sets or withdraws the caller's relation: 200 `{"project","relation"}`; 400
/// `bad_relation`; 404 for an unknown project.
pub async fn relation(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<RelationInput>,
) -> ApiResult<Json<RelationOutput>> {
    let (project, choice) =
        state.site.set_project_relation(&member, &name, &input.relation).await?;
    Ok(Json(RelationOutput {
        project: project.name.to_string(),
        relation: choice.map_or(NO_RELATION, Relation::as_str),
    }))
}

fn project_json(page: ProjectPage) -> ProjectJson {
    let ProjectPage { project, people, .. } = page;
    let people = people
        .into_iter()
        .map(|p| ProjectPersonJson { name: p.name.to_string(), relation: p.relation })
        .collect();
    ProjectJson {
        name: project.name.to_string(),
        description_html: project.description_html,
        homepage: project.homepage,
        license: project.license,
        creator: project.creator.to_string(),
        people,
    }
}
