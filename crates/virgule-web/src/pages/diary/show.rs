//! `/person/NAME/diary/K.html`: one entry (K is the member's entry number), with links to
//! its neighbours when they exist.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use virgule_store::MemberName;

use super::{diary_layout, load_sidebar};
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::params::{html_file_number, query_param};
use crate::pages::render;
use crate::pages::replies::ThreadSection;
use crate::pages::view::{EntryView, Sidebar, link_text, permalink};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    layout: Layout,
    entry: EntryView,
    previous: Option<String>,
    next: Option<String>,
    sidebar: std::sync::Arc<Sidebar>,
    thread: ThreadSection,
    related: Vec<RelatedView>,
}

/// An entry under "Related posts:": its title, a short excerpt, and its author when another
/// member's.
struct RelatedView {
    href: String,
    title: String,
    excerpt: String,
    other_author: Option<String>,
}

/// Characters of a related post's excerpt, as on the seed blog.
const RELATED_EXCERPT_CHARS: usize = 160;

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((name, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let member = state.site.member_named(&name).await?;
    let missing = || Failure::not_found(format!("{} has no entry at this address.", member.name));
    let number = html_file_number(&file).ok_or_else(missing)?;
    let author: &MemberName = &member.name;
    let store = state.site.store();
    // Numbers of deleted entries are never reused, so a neighbour may be missing: then the
    // link is simply left out.
    let (entry, previous, next, sidebar) = tokio::try_join!(
        store.entry_by_number(author, number),
        async {
            match number.checked_sub(1) {
                Some(n) if n >= 0 => store.entry_by_number(author, n).await,
                _ => Ok(None),
            }
        },
        store.entry_by_number(author, number.saturating_add(1)),
        load_sidebar(&state, &member),
    )?;
    let entry = entry.ok_or_else(missing)?;
    let (replies, related) = tokio::try_join!(
        state.site.thread(virgule_store::ReplyTarget::Entry(entry.id)),
        state.site.related_posts(entry.id),
    )?;
    let related = related
        .into_iter()
        .map(|r| RelatedView {
            href: permalink(r.author.as_str(), r.number),
            title: link_text(&r.title),
            excerpt: virgule_html::shorten(&r.text_start, RELATED_EXCERPT_CHARS),
            other_author: (r.author != member.name).then(|| r.author.to_string()),
        })
        .collect();
    let name = author.as_str();
    let href = permalink(name, entry.number);
    let access = state.site.reply_access(viewer.member.as_ref(), Some(&member));
    let parent = query_param(query.as_deref(), "parent").and_then(|p| p.parse().ok());
    let action = format!("/person/{name}/diary/{}/reply", entry.number);
    let thread = ThreadSection::new(replies, &viewer, href, action, access, parent);
    let title = format!("{} – {name}’s diary", link_text(&entry.title));
    let page = EntryPage {
        layout: diary_layout(&state, &viewer, name, title),
        previous: previous.map(|e| permalink(name, e.number)),
        next: next.map(|e| permalink(name, e.number)),
        entry: EntryView {
            replies: Some(crate::pages::view::reply_count_text(thread.count)),
            ..EntryView::new(entry, &viewer, false)
        },
        sidebar,
        thread,
        related,
    };
    Ok(render(&page)?)
}
