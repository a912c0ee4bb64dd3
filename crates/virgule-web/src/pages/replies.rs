//! Threaded replies on pages: the thread and reply form under an article or an entry
//! (`_replies.html`), posting a reply (`/article/N/reply`, `/person/NAME/diary/K/reply`),
//! and editing or deleting one's own (`/reply/ID/edit`, `/reply/ID/delete`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use virgule_site::replies::{ReplyAccess, ReplyText, ThreadReply};
use virgule_site::{ErrorKind, SiteError, rules};
use virgule_store::{Reply, ReplyRemoval, TrustLevel};

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::params::login_redirect;
use crate::pages::render;
use crate::pages::view::{LevelMark, Stamp, may_flag, place_href, shown_html};
use crate::state::AppState;

/// Indentation stops growing here (the stylesheet has a class per depth up to it).
const MAX_SHOWN_DEPTH: u32 = 8;

/// One reply as `_replies.html` shows it.
pub struct ReplyView {
    pub id: i64,
    /// `depth-N`, the indentation.
    pub depth_class: String,
    pub depth: u32,
    /// `None` for a "[deleted]" placeholder.
    pub author: Option<String>,
    /// Written by someone without an account (an imported comment): their name, and their
    /// address if they gave one; shown instead of `author`.
    pub guest: Option<virgule_store::Guest>,
    pub author_level: LevelMark,
    pub html: String,
    pub published: Stamp,
    pub edited: Option<Stamp>,
    pub deleted: bool,
    /// The viewer wrote it: offer Edit and Delete.
    pub editable: bool,
    /// The viewer may flag it as spam.
    pub flaggable: bool,
    /// Hidden as spam: a placeholder in the thread.
    pub spam: bool,
}

impl ReplyView {
    fn new(t: ThreadReply, viewer: &Viewer) -> Self {
        let ThreadReply { reply, depth } = t;
        let edited = (reply.updated - reply.published).num_seconds() > 60;
        let author = (!reply.deleted).then(|| reply.author.to_string());
        // A guest's links are never vouched for, whoever holds the reply.
        let level = if reply.guest.is_some() { TrustLevel::Observer } else { reply.author_level };
        ReplyView {
            id: reply.id,
            depth_class: format!("depth-{}", depth.min(MAX_SHOWN_DEPTH)),
            depth,
            editable: author.as_deref().is_some_and(|a| viewer.is(a)),
            flaggable: author.as_deref().is_some_and(|a| may_flag(viewer, a)),
            spam: reply.spam,
            author,
            author_level: LevelMark::of(reply.author_level),
            html: shown_html(reply.html, level),
            guest: reply.guest.filter(|_| !reply.deleted),
            published: Stamp::new(reply.published),
            edited: (edited && !reply.deleted).then(|| Stamp::new(reply.updated)),
            deleted: reply.deleted,
        }
    }
}

/// The replies under an item and what the viewer may do there.
pub struct ThreadSection {
    pub replies: Vec<ReplyView>,
    /// Replies shown, without placeholders.
    pub count: i64,
    /// The item's page (the reply links' base).
    pub href: String,
    /// Where the reply form posts.
    pub action: String,
    /// The form is offered.
    pub open: bool,
    /// Nobody is signed in: offer to log in.
    pub sign_in: bool,
    /// Why the form is absent (below the gate, replies closed).
    pub refusal: Option<Failure>,
    /// The reply the form answers (`?parent=ID`), if it is one of this thread's.
    pub parent: Option<i64>,
}

impl ThreadSection {
    pub fn new(
        thread: Vec<ThreadReply>,
        viewer: &Viewer,
        href: String,
        action: String,
        access: ReplyAccess,
        parent: Option<i64>,
    ) -> Self {
        let count = thread.iter().filter(|t| !t.reply.deleted).count() as i64;
        let parent = parent.filter(|p| thread.iter().any(|t| t.reply.id == *p));
        let (open, sign_in, refusal) = match access {
            ReplyAccess::Open => (true, false, None),
            ReplyAccess::SignIn => (false, true, None),
            ReplyAccess::Refused(why) => (false, false, Some(Failure::from(why))),
        };
        ThreadSection {
            replies: thread.into_iter().map(|t| ReplyView::new(t, viewer)).collect(),
            count,
            href,
            action,
            open,
            sign_in,
            refusal,
            parent,
        }
    }
}

/// What the reply form sends; every field as text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub format: String,
    /// Blank for an answer to the item itself.
    #[serde(default)]
    pub parent: String,
}

#[derive(Template)]
#[template(path = "reply_form.html")]
struct ReplyFormPage {
    layout: Layout,
    action: String,
    form: ReplyForm,
    error: Option<Failure>,
    cancel: String,
}

fn form_page(
    state: &AppState,
    viewer: &Viewer,
    title: &str,
    action: String,
    cancel: String,
    form: ReplyForm,
    error: Option<Failure>,
) -> Result<Response, Failure> {
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let page = ReplyFormPage {
        layout: Layout::new(&state.config, viewer, title),
        action,
        form,
        error,
        cancel,
    };
    Ok((status, render(&page)?).into_response())
}

/// The address a new or edited reply is shown at.
fn reply_href(reply: &Reply) -> String {
    format!("{}#reply-{}", place_href(&reply.place), reply.id)
}

/// Posts a reply with `post`; a refusal of the input shows the form again with the reason
/// (400), anything else (below the gate, replies closed) is an error page.
async fn post_reply<F>(
    state: &AppState,
    viewer: &Viewer,
    item_href: String,
    action: String,
    form: ReplyForm,
    post: F,
) -> PageResult<Response>
where
    F: AsyncFnOnce(ReplyText<'_>) -> Result<Reply, SiteError>,
{
    viewer.require_member()?;
    let posted = match rules::reply_parent(&form.parent) {
        Ok(parent) => post(ReplyText { body: &form.body, format: &form.format, parent }).await,
        Err(refused) => Err(refused),
    };
    match posted {
        Ok(reply) => Ok(Redirect::to(&reply_href(&reply)).into_response()),
        Err(refused) if refused.kind == ErrorKind::BadInput => {
            Ok(form_page(state, viewer, "Reply", action, item_href, form, Some(refused.into()))?)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /article/{number}/reply`.
pub async fn reply_to_article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> PageResult<Response> {
    let href = format!("/article/{number}.html");
    let action = format!("/article/{number}/reply");
    let site = &state.site;
    post_reply(&state, &viewer, href, action, form, async |text| {
        let member = viewer.require_member()?;
        site.reply_to_article(member, &number, text).await
    })
    .await
}

/// `POST /person/{name}/diary/{number}/reply`.
pub async fn reply_to_entry(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((name, number)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> PageResult<Response> {
    let href = format!("/person/{name}/diary/{number}.html");
    let action = format!("/person/{name}/diary/{number}/reply");
    let site = &state.site;
    post_reply(&state, &viewer, href, action, form, async |text| {
        let member = viewer.require_member()?;
        site.reply_to_entry(member, &name, &number, text).await
    })
    .await
}

/// `GET /reply/{id}/edit`: one's own reply in the reply form.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/reply/{id}/edit")));
    };
    let (reply, source) = state.site.own_reply_source(member, &id).await?;
    let form =
        ReplyForm { body: source, format: reply.format.as_str().to_owned(), parent: String::new() };
    let action = format!("/reply/{}/edit", reply.id);
    Ok(form_page(&state, &viewer, "Edit reply", action, reply_href(&reply), form, None)?)
}

/// `POST /reply/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    match state.site.edit_reply(member, &id, &form.body, &form.format).await {
        Ok(reply) => Ok(Redirect::to(&reply_href(&reply)).into_response()),
        Err(refused) if refused.kind == ErrorKind::BadInput => {
            let action = format!("/reply/{id}/edit");
            let cancel = state.site.reply(&id).await.map(|r| reply_href(&r)).unwrap_or_default();
            Ok(form_page(
                &state,
                &viewer,
                "Edit reply",
                action,
                cancel,
                form,
                Some(refused.into()),
            )?)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /reply/{id}/delete`: back to the item, where a reply with answers now reads
/// "[deleted]".
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    let (reply, removal) = state.site.delete_reply(member, &id).await?;
    let to = match removal {
        ReplyRemoval::Placeholder => reply_href(&reply),
        ReplyRemoval::Removed => format!("{}#replies", place_href(&reply.place)),
    };
    Ok(Redirect::to(&to).into_response())
}
