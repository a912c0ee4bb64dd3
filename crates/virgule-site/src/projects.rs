//! Projects (mod_virgule's `/proj/NAME/`): any member creates one, its creator alone edits
//! it, and every member may state their relation to it (lead developer … user) or withdraw it.

use virgule_store::{Member, Page, Project, ProjectPerson, Relation};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

/// A project's fields as sent; `None` is "not sent": empty when creating, unchanged when
/// editing.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectText<'a> {
    /// Required to create; when editing, if sent, it must be the project's own (a name
    /// cannot change).
    pub name: Option<&'a str>,
    /// Markdown.
    pub description: Option<&'a str>,
    pub homepage: Option<&'a str>,
    pub license: Option<&'a str>,
}

/// A project with the people who stated a relation to it, as its page shows it.
#[derive(Debug, Clone)]
pub struct ProjectPage {
    pub project: Project,
    /// By name.
    pub people: Vec<ProjectPerson>,
    /// The reader's own relation (`Some(None)`: none yet) when a member reads it; `None` for
    /// an anonymous reader.
    pub reader_relation: Option<Option<Relation>>,
}

impl ProjectPage {
    /// The people with `relation`, by name.
    pub fn with_relation(&self, relation: Relation) -> impl Iterator<Item = &ProjectPerson> {
        self.people.iter().filter(move |p| p.relation == relation)
    }
}

fn no_project(raw: &str) -> SiteError {
    SiteError::not_found(format!("There is no project named “{raw}”."))
}

impl Site {
    /// Creates the project `name` by `creator`; 409 if the name is taken, 400 for a bad name,
    /// a missing description, a bad homepage or an over-long licence (and nothing is stored).
    pub async fn create_project(
        &self,
        creator: &Member,
        text: ProjectText<'_>,
    ) -> SiteResult<Project> {
        let name = rules::project_name(text.name.unwrap_or_default())?;
        let description = text.description.unwrap_or_default();
        let known = self.shortcut_links(description).await?;
        let draft = rules::project(
            description,
            text.homepage.unwrap_or_default(),
            text.license.unwrap_or_default(),
            &known,
        )?;
        let project = self.store.create_project(creator.id, &name, &draft).await?;
        tracing::info!(member = %creator.name, project = %project.name, "project created");
        Ok(project)
    }

    /// Edits the project named `name` (fields not sent keep their value); only its creator
    /// may: 403 for anyone else, 404 for no such project. Returns it with its people.
    pub async fn edit_project(
        &self,
        actor: &Member,
        name: &str,
        text: ProjectText<'_>,
    ) -> SiteResult<ProjectPage> {
        let project = self.project_named(name).await?;
        require_creator(actor, &project)?;
        if let Some(sent) = text.name
            && rules::project_name(sent)? != project.name
        {
            return Err(SiteError::bad_input("invalid", "a project's name cannot be changed"));
        }
        let description = text.description.unwrap_or(&project.description_source);
        let known = self.shortcut_links(description).await?;
        let draft = rules::project(
            description,
            text.homepage.unwrap_or(&project.homepage),
            text.license.unwrap_or(&project.license),
            &known,
        )?;
        let project = self.store.update_project(project.id, &draft).await?;
        tracing::info!(member = %actor.name, project = %project.name, "project edited");
        let people = self.store.project_people(project.id).await?;
        let reader_relation =
            Some(people.iter().find(|p| p.name == actor.name).map(|p| p.relation));
        Ok(ProjectPage { project, people, reader_relation })
    }

    /// The project named `raw` (as written in an address): 404 for an invalid or unknown name.
    pub async fn project_named(&self, raw: &str) -> SiteResult<Project> {
        let name = virgule_store::ProjectName::parse(raw).map_err(|_| no_project(raw))?;
        self.store.project_by_name(&name).await?.ok_or_else(|| no_project(raw))
    }

    /// The project named `raw` to edit: 404 if none, 403 unless `actor` created it.
    pub async fn own_project(&self, actor: &Member, raw: &str) -> SiteResult<Project> {
        let project = self.project_named(raw).await?;
        require_creator(actor, &project)?;
        Ok(project)
    }

    /// The project named `raw` with its people, as `reader` sees it.
    pub async fn project_page(
        &self,
        raw: &str,
        reader: Option<&Member>,
    ) -> SiteResult<ProjectPage> {
        let project = self.project_named(raw).await?;
        let people = self.store.project_people(project.id).await?;
        let reader_relation =
            reader.map(|reader| people.iter().find(|p| p.name == reader.name).map(|p| p.relation));
        Ok(ProjectPage { project, people, reader_relation })
    }

    /// A page of projects by name, and how many there are.
    pub async fn project_list(&self, page: Page) -> SiteResult<(Vec<Project>, i64)> {
        Ok(tokio::try_join!(self.store.projects(page), self.store.project_count())?)
    }

    /// States `member`'s relation to the project named `project` (the API's words: `lead
    /// developer`, `developer`, `contributor`, `documenter`, `helper`, `user`, or `none` to
    /// withdraw). Returns the project and the relation now recorded.
    pub async fn set_project_relation(
        &self,
        member: &Member,
        project: &str,
        relation: &str,
    ) -> SiteResult<(Project, Option<Relation>)> {
        let choice = rules::relation_choice(relation)?;
        let project = self.project_named(project.trim()).await?;
        self.store.set_project_relation(project.id, member.id, choice).await?;
        let word = choice.map_or(rules::NO_RELATION, Relation::as_str);
        tracing::info!(member = %member.name, project = %project.name, relation = word, "project relation set");
        Ok((project, choice))
    }
}

/// Only a project's creator edits it.
fn require_creator(actor: &Member, project: &Project) -> SiteResult<()> {
    if project.creator == actor.name {
        Ok(())
    } else {
        Err(SiteError::forbidden(format!(
            "only {}, who created the project {}, may edit it",
            project.creator, project.name
        )))
    }
}
