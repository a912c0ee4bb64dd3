//! `/`: the front page: a welcome, the newest articles, the site news box ("New Virgule
//! Features" on Advogato's front page) and a short recent log.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use virgule_store::{Entry, NewsItem, Page};

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::articles::ArticleSummary;
use crate::pages::render;
use crate::pages::view::{LevelMark, Stamp, link_text, permalink};
use crate::state::AppState;

/// Entries in the front page's short recent log.
const RECENT: i64 = 10;
/// Articles the front page leads with.
const ARTICLES: i64 = 5;
/// Characters of each entry's text shown there.
const EXCERPT_CHARS: usize = 200;

/// The latest site news, as the box shows it.
struct NewsBox {
    href: String,
    title: String,
    html: String,
    published: Stamp,
}

impl NewsBox {
    fn new(item: NewsItem) -> Self {
        NewsBox {
            href: format!("/news/{}.html", item.id),
            title: item.title,
            html: item.html,
            published: Stamp::new(item.published),
        }
    }
}

/// One line of the short recent log: title, author, date and the start of the text.
struct RecentLine {
    author: String,
    author_level: LevelMark,
    href: String,
    title: String,
    published: Stamp,
    excerpt: String,
}

impl RecentLine {
    fn new(entry: Entry) -> Self {
        RecentLine {
            href: permalink(entry.author.as_str(), entry.number),
            author: entry.author.to_string(),
            author_level: LevelMark::of(entry.author_level),
            title: link_text(&entry.title),
            published: Stamp::new(entry.published),
            excerpt: virgule_html::excerpt(&entry.html, EXCERPT_CHARS),
        }
    }
}

#[derive(Template)]
#[template(path = "front.html")]
struct FrontPage {
    layout: Layout,
    articles: Vec<ArticleSummary>,
    news: Option<NewsBox>,
    recent: Vec<RecentLine>,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult<Html<String>> {
    let (articles, news, recent) = tokio::try_join!(
        state.site.store().articles(Page { start: 0, limit: ARTICLES }),
        state.site.store().news_items(Page { start: 0, limit: 1 }),
        state.site.store().recent_entries(
            state.site.settings().recentlog_threshold,
            Page { start: 0, limit: RECENT }
        ),
    )?;
    let site = state.config.site_name.clone();
    let page = FrontPage {
        layout: Layout::new(&state.config, &viewer, "").with_feeds(
            &format!("{site} recent log"),
            "/recentlog.rss".to_owned(),
            "/recentlog.atom".to_owned(),
            "/recentlog.json".to_owned(),
        ),
        articles: articles.into_iter().map(ArticleSummary::new).collect(),
        news: news.into_iter().next().map(NewsBox::new),
        recent: recent.into_iter().map(RecentLine::new).collect(),
    };
    Ok(render(&page)?)
}
