//! mod_virgule's markup shortcuts (`<person>NAME</person>`, `<proj>NAME</proj>`): which of the
//! names a text mentions exist, so that the rules render them as links.

use virgule_html::shortcuts::{self, Names};

use crate::Site;
use crate::error::SiteResult;

impl Site {
    /// The members and projects that the shortcuts of `text` name and that exist: one query
    /// for each kind the text mentions (none for a text without shortcuts). Every rule that
    /// renders what a member writes (`rules::entry`, `profile`, `news`, `project`, `render`)
    /// takes the answer.
    pub async fn shortcut_links(&self, text: &str) -> SiteResult<Names> {
        let wanted = shortcuts::names(text);
        if wanted.is_empty() {
            return Ok(Names::default());
        }
        let people: Vec<&str> = wanted.people.iter().map(String::as_str).collect();
        let projects: Vec<&str> = wanted.projects.iter().map(String::as_str).collect();
        let (people, projects) = tokio::try_join!(
            self.store.existing_member_names(&people),
            self.store.existing_project_names(&projects),
        )?;
        Ok(Names { people: people.into_iter().collect(), projects: projects.into_iter().collect() })
    }
}
