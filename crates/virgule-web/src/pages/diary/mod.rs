//! Diary pages: reading a member's diary (the list, one entry, month archives, tags) and
//! writing one's own (new, edit with preview, delete). One action per file.

mod delete;
mod edit;
mod list;
mod month;
mod new;
mod show;
mod tag;

pub use delete::{delete, delete_form};
pub use edit::{edit_form, update};
pub use list::list;
pub use month::month;
pub use new::{create, new_form};
pub use show::show;
pub use tag::tag;

use std::sync::Arc;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use virgule_site::entries::EntryText;
use virgule_site::{Site, SiteResult, rules};
use virgule_store::{Entry, EntryDraft, Member, StoreError};

use crate::auth::viewer::Viewer;
use crate::error::Failure;
use crate::layout::Layout;
use crate::pages::view::{EntryView, LevelMark, Pager, Sidebar};
use crate::pages::{FormTarget, PreviewForm, render};
use crate::state::AppState;

/// Entries on a page of a diary or a tag, as on Advogato.
pub const PER_PAGE: i64 = 10;

/// A list of one member's entries: the diary itself, a month, or a tag.
#[derive(Template)]
#[template(path = "diary.html")]
struct DiaryPage {
    layout: Layout,
    heading: String,
    /// The diarist's trust level, beside their name under the heading.
    level: LevelMark,
    /// Shown when there are no entries.
    empty: String,
    entries: Vec<EntryView>,
    pager: Pager,
    sidebar: Arc<Sidebar>,
    /// The viewer owns this diary.
    owner: bool,
    /// A month or tag rather than the whole diary.
    filtered: bool,
}

/// The layout of a page of `name`'s diary, offering its feeds.
fn diary_layout(state: &AppState, viewer: &Viewer, name: &str, title: String) -> Layout {
    Layout::new(&state.config, viewer, title).with_feeds(
        &format!("{name}’s diary"),
        format!("/person/{name}/rss.xml"),
        format!("/person/{name}/atom.xml"),
        format!("/person/{name}/feed.json"),
    )
}

/// The sidebar's archive months and tags for a member: from the cache when the member's
/// diary has not changed since, else read together and cached.
async fn load_sidebar(state: &AppState, member: &Member) -> Result<Arc<Sidebar>, StoreError> {
    if let Some(sidebar) = state.sidebars.get(member.id, member.diary_version) {
        return Ok(sidebar);
    }
    let (months, tags) = tokio::try_join!(
        state.site.store().archive_months(member.id),
        state.site.store().tags_for_member(member.id),
    )?;
    let sidebar = Arc::new(Sidebar::new(member.name.as_str(), months, tags));
    state.sidebars.put(member.id, member.diary_version, Arc::clone(&sidebar));
    Ok(sidebar)
}

/// What the entry form sends (new and edit). `action` is the button pressed: "preview" or
/// "post".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub action: String,
}

impl EntryForm {
    /// The form's tag field, split.
    fn tags(&self) -> Vec<String> {
        rules::split_tag_field(&self.tags)
    }

    /// What the form says, for the site to check and store (`tags` from [`EntryForm::tags`]).
    fn text<'a>(&'a self, tags: &'a [String]) -> EntryText<'a> {
        EntryText { title: &self.title, body: &self.body, format: &self.format, tags }
    }

    /// The form filled from a stored entry and what its author typed, for editing.
    fn from_entry(entry: &Entry, source: String) -> Self {
        EntryForm {
            title: entry.title.clone(),
            body: source,
            format: entry.format.as_str().to_owned(),
            tags: entry.tags.join(", "),
            action: String::new(),
        }
    }

    fn blank() -> Self {
        EntryForm { format: "markdown".to_owned(), ..EntryForm::default() }
    }
}

/// The rendered preview of a draft, shown above the still-filled form.
struct Preview {
    title: String,
    html: String,
}

#[derive(Template)]
#[template(path = "diary_form.html")]
struct EntryFormPage {
    layout: Layout,
    /// Where the form posts.
    action: String,
    form: EntryForm,
    preview: Option<Preview>,
    error: Option<Failure>,
    /// Where "Cancel" leads.
    cancel: String,
}

/// Renders the entry form with `status`: 200 for a fresh form or a preview, 400 after a
/// validation error.
fn form_response(
    state: &AppState,
    viewer: &Viewer,
    target: FormTarget,
    form: EntryForm,
    outcome: Result<Option<EntryDraft>, Failure>,
) -> Result<Response, Failure> {
    let FormTarget { title, action, cancel } = target;
    let (status, preview, error) = match outcome {
        Ok(draft) => {
            (StatusCode::OK, draft.map(|d| Preview { title: d.title, html: d.html }), None)
        }
        Err(failure) => (failure.status, None, Some(failure)),
    };
    let page = EntryFormPage {
        layout: Layout::new(&state.config, viewer, title),
        action,
        form,
        preview,
        error,
        cancel,
    };
    Ok((status, render(&page)?).into_response())
}

impl PreviewForm for EntryForm {
    type Draft = EntryDraft;

    fn is_preview(&self) -> bool {
        self.action == "preview"
    }

    async fn preview(&self, site: &Site) -> SiteResult<EntryDraft> {
        let tags = self.tags();
        site.draft(self.text(&tags)).await
    }

    fn page(
        self,
        state: &AppState,
        viewer: &Viewer,
        target: FormTarget,
        outcome: Result<Option<EntryDraft>, Failure>,
    ) -> Result<Response, Failure> {
        form_response(state, viewer, target, self, outcome)
    }
}
