//! Projects (mod_virgule's `/proj/NAME/`) and the relation members state to them: lead
//! developer, developer, contributor, documenter, helper or user.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{limit, on_pool};
use crate::members::stored_name;
use crate::{MemberName, NameError, Page, Result, Store, StoreError, TrustLevel};

/// A project's name: the member-name rule (1–32 characters of `[a-z0-9_-]`, lower-cased), in
/// its own namespace (`/proj/NAME/`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ProjectName(String);

impl ProjectName {
    /// Validates and lower-cases a name typed by a person or sent to the API.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        MemberName::parse(raw).map(|name| ProjectName(name.as_str().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a member is to a project, in mod_virgule's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Relation {
    #[serde(rename = "lead developer")]
    LeadDeveloper,
    #[serde(rename = "developer")]
    Developer,
    #[serde(rename = "contributor")]
    Contributor,
    #[serde(rename = "documenter")]
    Documenter,
    #[serde(rename = "helper")]
    Helper,
    #[serde(rename = "user")]
    User,
}

impl Relation {
    /// Every relation, in the order a project page lists its people.
    pub const ALL: [Relation; 6] = [
        Relation::LeadDeveloper,
        Relation::Developer,
        Relation::Contributor,
        Relation::Documenter,
        Relation::Helper,
        Relation::User,
    ];

    /// The stored and submitted words.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::LeadDeveloper => "lead developer",
            Relation::Developer => "developer",
            Relation::Contributor => "contributor",
            Relation::Documenter => "documenter",
            Relation::Helper => "helper",
            Relation::User => "user",
        }
    }

    /// Parses the stored or submitted words; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        Relation::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// A project as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub id: i64,
    pub name: ProjectName,
    /// The description as written (Markdown).
    pub description_source: String,
    /// Rendered and sanitized, safe to embed.
    pub description_html: String,
    /// Empty, or an absolute http(s) address.
    pub homepage: String,
    /// Free text on one line, possibly empty.
    pub license: String,
    pub creator: MemberName,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// The editable parts of a project, already validated; `description_html` sanitized.
#[derive(Debug, Clone, Default)]
pub struct ProjectDraft {
    pub description_source: String,
    pub description_html: String,
    pub homepage: String,
    pub license: String,
}

/// A member as a project lists them: name, trust level (pages colour names by it), relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectPerson {
    pub name: MemberName,
    pub level: TrustLevel,
    pub relation: Relation,
}

/// A project as a member's profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberProject {
    pub project: ProjectName,
    pub relation: Relation,
}

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    name: String,
    description_source: String,
    description_html: String,
    homepage: String,
    license: String,
    creator: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ProjectRow {
    fn into_project(self) -> Result<Project> {
        Ok(Project {
            id: self.id,
            name: stored_project_name(&self.name)?,
            description_source: self.description_source,
            description_html: self.description_html,
            homepage: self.homepage,
            license: self.license,
            creator: stored_name(&self.creator)?,
            created: self.created_at,
            updated: self.updated_at,
        })
    }
}

fn stored_project_name(raw: &str) -> Result<ProjectName> {
    ProjectName::parse(raw).map_err(|e| StoreError::Corrupt(format!("project name {raw:?}: {e}")))
}

fn stored_relation(raw: &str) -> Result<Relation> {
    Relation::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("project relation {raw:?}")))
}

/// `SELECT` list and `FROM` clause of a [`ProjectRow`].
macro_rules! project_from {
    () => {
        "SELECT p.id, p.name, p.description_source, p.description_html, p.homepage, p.license, \
         m.name AS creator, p.created_at, p.updated_at \
         FROM projects p JOIN members m ON m.id = p.creator_id"
    };
}

const CREATE_PROJECT: &str = "INSERT INTO projects (name, description_source, description_html, \
     homepage, license, creator_id, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";

const UPDATE_PROJECT: &str = "UPDATE projects SET description_source = $2, \
     description_html = $3, homepage = $4, license = $5, updated_at = $6 WHERE id = $1";

const PROJECT_BY_ID: &str = concat!(project_from!(), " WHERE p.id = $1");

const PROJECT_BY_NAME: &str = concat!(project_from!(), " WHERE p.name = $1");

const PROJECTS: &str = concat!(project_from!(), " ORDER BY p.name", limit!("$1"), " OFFSET $2");

const PROJECT_COUNT: &str = "SELECT COUNT(*) FROM projects";

const SET_RELATION: &str = "INSERT INTO project_people (project_id, member_id, relation, \
     created_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (project_id, member_id) DO UPDATE SET relation = excluded.relation";

const DELETE_RELATION: &str = "DELETE FROM project_people WHERE project_id = $1 AND member_id = $2";

const PROJECT_PEOPLE: &str = "SELECT m.name, m.trust_level, pp.relation FROM project_people pp \
     JOIN members m ON m.id = pp.member_id WHERE pp.project_id = $1 ORDER BY m.name";

const MEMBER_PROJECTS: &str = "SELECT p.name, pp.relation FROM project_people pp \
     JOIN projects p ON p.id = pp.project_id WHERE pp.member_id = $1 ORDER BY p.name";

const PROJECT_NAMES_IN: &str = "SELECT name FROM projects WHERE name IN (";

impl Store {
    /// Creates a project by `creator_id`. A name already taken is a [`StoreError::Conflict`].
    pub async fn create_project(
        &self,
        creator_id: i64,
        name: &ProjectName,
        draft: &ProjectDraft,
    ) -> Result<Project> {
        let now = crate::now();
        let created: std::result::Result<ProjectRow, sqlx::Error> = on_pool!(&self.db, pool => {
            async {
                let mut tx = pool.begin_with(self.db.begin_write()).await?;
                let id: i64 = sqlx::query_scalar(CREATE_PROJECT)
                    .bind(name.as_str())
                    .bind(draft.description_source.as_str())
                    .bind(draft.description_html.as_str())
                    .bind(draft.homepage.as_str())
                    .bind(draft.license.as_str())
                    .bind(creator_id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                let row = sqlx::query_as(PROJECT_BY_ID).bind(id).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(row)
            }
            .await
        });
        created
            .map_err(|e| crate::conflict_or(e, || format!("the project name {name} is taken")))?
            .into_project()
    }

    /// Replaces a project's editable parts. [`StoreError::NotFound`] if there is none.
    pub async fn update_project(&self, project_id: i64, draft: &ProjectDraft) -> Result<Project> {
        let row: Option<ProjectRow> = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let updated = sqlx::query(UPDATE_PROJECT)
                .bind(project_id)
                .bind(draft.description_source.as_str())
                .bind(draft.description_html.as_str())
                .bind(draft.homepage.as_str())
                .bind(draft.license.as_str())
                .bind(crate::now())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let row = if updated == 0 {
                None
            } else {
                Some(sqlx::query_as(PROJECT_BY_ID).bind(project_id).fetch_one(&mut *tx).await?)
            };
            tx.commit().await?;
            row
        });
        row.ok_or(StoreError::NotFound)?.into_project()
    }

    pub async fn project_by_name(&self, name: &ProjectName) -> Result<Option<Project>> {
        let row: Option<ProjectRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(PROJECT_BY_NAME).bind(name.as_str()).fetch_optional(pool).await?
        });
        row.map(ProjectRow::into_project).transpose()
    }

    /// One page of projects, by name.
    pub async fn projects(&self, page: Page) -> Result<Vec<Project>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<ProjectRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(PROJECTS).bind(limit).bind(offset).fetch_all(pool).await?
        });
        rows.into_iter().map(ProjectRow::into_project).collect()
    }

    pub async fn project_count(&self) -> Result<i64> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_scalar(PROJECT_COUNT).fetch_one(pool).await?
        }))
    }

    /// Sets `member_id`'s relation to `project_id` (replacing any earlier one), or with `None`
    /// withdraws it; a withdrawal of nothing is no error.
    pub async fn set_project_relation(
        &self,
        project_id: i64,
        member_id: i64,
        relation: Option<Relation>,
    ) -> Result<()> {
        on_pool!(&self.db, pool => {
            match relation {
                Some(relation) => {
                    sqlx::query(SET_RELATION)
                        .bind(project_id)
                        .bind(member_id)
                        .bind(relation.as_str())
                        .bind(crate::now())
                        .execute(pool)
                        .await?;
                }
                None => {
                    sqlx::query(DELETE_RELATION)
                        .bind(project_id)
                        .bind(member_id)
                        .execute(pool)
                        .await?;
                }
            }
        });
        Ok(())
    }

    /// The members who stated a relation to `project_id`, by name.
    pub async fn project_people(&self, project_id: i64) -> Result<Vec<ProjectPerson>> {
        let rows: Vec<(String, i16, String)> = on_pool!(&self.db, pool => {
            sqlx::query_as(PROJECT_PEOPLE).bind(project_id).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(name, rank, relation)| {
                Ok(ProjectPerson {
                    level: crate::model::stored_level(rank, &name)?,
                    name: stored_name(&name)?,
                    relation: stored_relation(&relation)?,
                })
            })
            .collect()
    }

    /// The projects `member_id` stated a relation to, by project name.
    pub async fn member_projects(&self, member_id: i64) -> Result<Vec<MemberProject>> {
        let rows: Vec<(String, String)> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBER_PROJECTS).bind(member_id).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(project, relation)| {
                Ok(MemberProject {
                    project: stored_project_name(&project)?,
                    relation: stored_relation(&relation)?,
                })
            })
            .collect()
    }

    /// Which of `names` are projects (one query; the caller bounds the list).
    pub async fn existing_project_names(&self, names: &[&str]) -> Result<Vec<String>> {
        self.names_in(PROJECT_NAMES_IN, names).await
    }

    /// `head` (a `SELECT name ... IN (`) with `names` bound, closed; the names found.
    pub(crate) async fn names_in(&self, head: &'static str, names: &[&str]) -> Result<Vec<String>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(head);
            let mut list = query.separated(", ");
            for name in names {
                list.push_bind(*name);
            }
            query.push(")");
            query.build_query_scalar().fetch_all(pool).await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_are_mod_virgules_words() {
        for relation in Relation::ALL {
            assert_eq!(Relation::parse(relation.as_str()), Some(relation));
        }
        assert_eq!(Relation::parse("Lead Developer"), None);
        assert_eq!(Relation::parse("none"), None);
        assert_eq!(ProjectName::parse(" GIMP ").map(|n| n.to_string()), Ok("gimp".to_owned()));
        assert!(ProjectName::parse("a b").is_err());
    }
}
