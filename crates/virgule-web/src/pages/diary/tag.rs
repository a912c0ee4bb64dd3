//! `/person/NAME/tag/T/?start=N`: a member's entries carrying one tag, ten a page, newest
//! first.

use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use virgule_store::Page;

use super::{DiaryPage, PER_PAGE, diary_layout, load_sidebar};
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::{path_segment, start_param};
use crate::pages::render;
use crate::pages::view::{EntryView, LevelMark, Pager};
use crate::state::AppState;

pub async fn tag(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((name, tag)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let member = state.site.member_named(&name).await?;
    // Tags are stored lower-cased and trimmed, so a hand-typed address still finds them.
    let tag = tag.trim().to_lowercase();
    let store = state.site.store();
    let (entries, total, sidebar) = tokio::try_join!(
        store.entries_for_tag(member.id, &tag, Page { start, limit: PER_PAGE }),
        store.entry_count_for_tag(member.id, &tag),
        load_sidebar(&state, &member),
    )?;
    let name = member.name.as_str();
    if total == 0 {
        return Err(Failure::not_found(format!("{name} has no entries tagged “{tag}”.")).into());
    }
    let base = format!("/person/{name}/tag/{}/", path_segment(&tag));
    let heading = format!("Entries for {name} tagged “{tag}”");
    let shown = entries.len() as i64;
    let entries = EntryView::diary(entries, &viewer);
    let page = DiaryPage {
        level: LevelMark::of(member.trust_level),
        layout: diary_layout(&state, &viewer, name, heading.clone()),
        heading,
        empty: "There are no entries this far back.".to_owned(),
        pager: Pager::counted(&base, start, shown, total, PER_PAGE),
        entries,
        sidebar,
        owner: viewer.is(name),
        filtered: true,
    };
    Ok(render(&page)?)
}
