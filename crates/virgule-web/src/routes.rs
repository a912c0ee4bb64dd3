//! Every URL of the site, in one place, in commented groups.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{MethodRouter, any, get, post, put};

use crate::state::AppState;
use crate::{api, auth, error, feeds, ops, pages};

/// The largest body a small form or call takes (signing in, certifying, rating, flagging, a
/// feed's address…): a few hundred bytes in use. Writing routes (entries, articles, replies,
/// projects, news, profiles) take up to [`crate::MAX_REQUEST_BYTES`].
pub const SMALL_BODY_BYTES: usize = 16 * 1024;

/// A route whose every method takes at most [`SMALL_BODY_BYTES`].
fn small<S: Clone + Send + Sync + 'static>(route: MethodRouter<S>) -> MethodRouter<S> {
    route.layer(DefaultBodyLimit::max(SMALL_BODY_BYTES))
}

pub fn build(state: AppState) -> Router {
    let routes = Router::new()
        // Site pages.
        .route("/", get(pages::front::show))
        .route("/recentlog.html", get(pages::recentlog::show))
        .route("/person/", get(pages::people::list))
        // The trust graph out, for `virgule trust compute --graph` and Graphviz.
        .route("/person/certs.txt", get(pages::graph::certs_txt))
        .route("/person/graph.dot", get(pages::graph::graph_dot))
        .route("/person/{name}", get(pages::people::add_slash))
        .route("/person/{name}/", get(pages::people::profile))
        // Certifying a member from their profile (docs/trust.md).
        .route("/person/{name}/certify", small(post(pages::people::certify)))
        // Rating a member's diary from their profile (docs/trust.md "Diary ratings").
        .route("/person/{name}/rate", small(post(pages::people::rate)))
        // Diary pages (K.html is the member's entry number K).
        .route("/person/{name}/diary.html", get(pages::diary::list))
        .route("/person/{name}/diary/{file}", get(pages::diary::show))
        .route("/person/{name}/archive/{year}/{month}/", get(pages::diary::month))
        .route("/person/{name}/tag/{tag}/", get(pages::diary::tag))
        // Writing one's own diary (preview is a button of the same forms).
        .route("/diary/new", get(pages::diary::new_form).post(pages::diary::create))
        .route("/diary/{number}/edit", get(pages::diary::edit_form).post(pages::diary::update))
        .route("/diary/{number}/delete", get(pages::diary::delete_form).post(pages::diary::delete))
        // Feeds out: each diary and the recent log as RSS 2.0, Atom 1.0 and JSON Feed 1.1.
        .route("/person/{name}/rss.xml", get(feeds::person_rss))
        .route("/person/{name}/atom.xml", get(feeds::person_atom))
        .route("/person/{name}/feed.json", get(feeds::person_json))
        .route("/recentlog.rss", get(feeds::recentlog_rss))
        .route("/recentlog.atom", get(feeds::recentlog_atom))
        .route("/recentlog.json", get(feeds::recentlog_json))
        // Every member's syndicated feed, for a planet to subscribe to.
        .route("/opml.xml", get(feeds::opml::export))
        // Full-text search (the header's box sends `q`).
        .route("/search", get(pages::search::show))
        // Articles and their replies (`/article/N.html`; the feeds are static names beside it).
        .route("/article/", get(pages::articles::list))
        .route("/article/new", get(pages::articles::new_form).post(pages::articles::create))
        .route("/article/rss.xml", get(feeds::articles::rss))
        .route("/article/atom.xml", get(feeds::articles::atom))
        .route("/article/feed.json", get(feeds::articles::json))
        .route("/article/{file}", get(pages::articles::show))
        .route(
            "/article/{number}/edit",
            get(pages::articles::edit_form).post(pages::articles::update),
        )
        .route("/article/{number}/reply", post(pages::replies::reply_to_article))
        // Replies to diary entries, and editing or deleting one's own replies.
        .route("/person/{name}/diary/{number}/reply", post(pages::replies::reply_to_entry))
        .route("/reply/{id}/edit", get(pages::replies::edit_form).post(pages::replies::update))
        .route("/reply/{id}/delete", post(pages::replies::delete))
        // Projects: the list, one project, the creator's form, members' relations.
        .route("/proj/", get(pages::projects::list))
        .route("/proj/new", get(pages::projects::new_form).post(pages::projects::create))
        .route("/proj/{name}", get(pages::projects::add_slash))
        .route("/proj/{name}/", get(pages::projects::show))
        .route("/proj/{name}/edit", get(pages::projects::edit_form).post(pages::projects::update))
        .route("/proj/{name}/relation", small(post(pages::projects::relation)))
        // Site administration.
        .route("/admin/", get(pages::admin::show))
        .route("/admin/feeds", get(pages::feed_health::show))
        // Spam: flagging an item from its page, an admin's decision (docs/trust.md "Spam").
        .route("/flags", small(post(pages::spam::flag)))
        .route("/admin/spam", small(post(pages::spam::decide)))
        // Site news.
        .route("/news/", get(pages::news::list))
        .route("/news/new", get(pages::news::new_form).post(pages::news::create))
        .route("/news/{file}", get(pages::news::show))
        // Accounts.
        .route("/acct/new", small(get(pages::acct::register_form).post(pages::acct::register)))
        .route("/acct/login", small(get(pages::acct::login_form).post(pages::acct::login)))
        .route("/acct/logout", small(post(pages::acct::logout)))
        .route("/acct/claim/{token}", small(get(pages::acct::claim_form).post(pages::acct::claim)))
        .route("/acct/settings", get(pages::acct::settings_form).post(pages::acct::save_settings))
        .route("/acct/password", small(post(pages::acct::change_password)))
        // Syndication: link or unlink one's blog feed, fetch it now.
        .route("/acct/settings/feed", small(post(pages::acct::save_feed)))
        .route("/acct/settings/feed/refresh", small(post(pages::acct::refresh_feed)))
        // JSON API v1.
        .route("/api/v1/accounts", small(post(api::accounts::create)))
        .route("/api/v1/tokens", small(post(api::tokens::create)))
        .route("/api/v1/people/{name}", get(api::people::show))
        .route("/api/v1/people/{name}/entries", get(api::entries::list))
        .route(
            "/api/v1/people/{name}/entries/{number}",
            get(api::entries::show).put(api::entries::update).delete(api::entries::delete),
        )
        .route("/api/v1/entries", post(api::entries::create))
        .route("/api/v1/certs", small(post(api::certs::create)))
        .route("/api/v1/people/{name}/rating", small(put(api::ratings::update)))
        .route("/api/v1/recentlog", get(api::recentlog::list))
        .route("/api/v1/search", get(api::search::search))
        .route("/api/v1/projects", get(api::projects::list).post(api::projects::create))
        .route("/api/v1/projects/{name}", get(api::projects::show).put(api::projects::update))
        .route("/api/v1/projects/{name}/relation", small(put(api::projects::relation)))
        .route("/api/v1/news", get(api::news::list).post(api::news::create))
        .route(
            "/api/v1/settings/profile",
            get(api::settings::profile).put(api::settings::update_profile),
        )
        .route("/api/v1/settings/password", small(put(api::settings::change_password)))
        .route("/api/v1/settings/feed", small(get(api::feed::show).put(api::feed::update)))
        .route("/api/v1/settings/feed/refresh", small(post(api::feed::refresh)))
        .route("/api/v1/settings/export", get(api::export::export))
        // JSON API v1: articles and replies.
        .route("/api/v1/articles", get(api::articles::list).post(api::articles::create))
        .route("/api/v1/articles/{number}", get(api::articles::show).put(api::articles::update))
        .route("/api/v1/articles/{number}/replies", post(api::articles::reply))
        .route("/api/v1/people/{name}/entries/{number}/replies", post(api::replies::to_entry))
        .route("/api/v1/replies/{id}", put(api::replies::update).delete(api::replies::delete))
        // JSON API v1: spam flags.
        .route("/api/v1/flags", small(post(api::flags::create).delete(api::flags::delete)))
        // Any other address under /api answers the API's JSON 404, not the HTML page.
        .route("/api", any(error::api_not_found))
        .route("/api/{*rest}", any(error::api_not_found))
        // Operations and assets.
        .route("/healthz", get(ops::healthz))
        // Prometheus's scrape, for the addresses in `metrics_allow` (this machine by default).
        .route("/metrics", get(ops::metrics))
        .route("/static/style.css", get(ops::stylesheet))
        .route("/static/favicon.svg", get(ops::favicon))
        .route("/favicon.ico", get(ops::favicon))
        .fallback(error::page_not_found);

    routes
        // Router-made failures under /api/ (405s) in the API's JSON error shape.
        .layer(middleware::from_fn(error::json_errors))
        .layer(middleware::from_fn_with_state(state.config.clone(), error::render_errors))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve::resolve_viewer))
        .with_state(state)
}
