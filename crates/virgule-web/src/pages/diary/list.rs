//! `/person/NAME/diary.html?start=N`: "Recent blog entries for NAME", ten a page, newest
//! first, then "N older entries...". Benchmarked: two queries (the member, with its entry
//! count and diary version; a page of entries with their tags) once the sidebar is cached.

use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use virgule_store::Page;

use super::{DiaryPage, PER_PAGE, diary_layout, load_sidebar};
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::start_param;
use crate::pages::render;
use crate::pages::view::{EntryView, LevelMark, Pager};
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let member = state.site.member_named(&name).await?;
    let (entries, sidebar) = tokio::try_join!(
        state.site.store().entries_for_member(member.id, Page { start, limit: PER_PAGE }),
        load_sidebar(&state, &member),
    )?;
    let total = member.entry_count;
    let name = member.name.as_str();
    let shown = entries.len() as i64;
    let empty = if total == 0 {
        format!("{name} has not written any entries yet.")
    } else {
        "There are no entries this far back.".to_owned()
    };
    let entries = EntryView::diary(entries, &viewer);
    let page = DiaryPage {
        level: LevelMark::of(member.trust_level),
        layout: diary_layout(&state, &viewer, name, format!("Recent blog entries for {name}")),
        heading: format!("Recent blog entries for {name}"),
        empty,
        pager: Pager::counted(&format!("/person/{name}/diary.html"), start, shown, total, PER_PAGE),
        entries,
        sidebar,
        owner: viewer.is(name),
        filtered: false,
    };
    Ok(render(&page)?)
}
