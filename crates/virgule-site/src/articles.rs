//! Front-page articles: members at the article gate post them; anyone reads them with their
//! threaded replies; only its author edits an article.

use virgule_store::{Article, ArticleDraft, ArticleNumber, ArticleSource, Member, Page};

use crate::error::{SiteError, SiteResult};
use crate::gates::Gate;
use crate::replies::ThreadReply;
use crate::{Site, rules};

/// What a member sends to write or rewrite an article, as typed.
#[derive(Debug, Clone, Copy)]
pub struct ArticleText<'a> {
    pub title: &'a str,
    pub lead: &'a str,
    pub body: &'a str,
    /// `markdown` or `html`, for the lead and the body.
    pub format: &'a str,
}

/// A page of articles and how many there are in all.
#[derive(Debug, Clone)]
pub struct ArticleList {
    pub total: i64,
    pub articles: Vec<Article>,
}

fn no_article(number: impl std::fmt::Display) -> SiteError {
    SiteError::not_found(format!("There is no article {number}."))
}

impl Site {
    /// The draft an article's text makes, by the rules, with its shortcuts resolved (what a
    /// preview shows and what posting stores).
    pub async fn article_draft(&self, text: ArticleText<'_>) -> SiteResult<ArticleDraft> {
        let known = self.shortcut_links(&format!("{}\n{}", text.lead, text.body)).await?;
        rules::article(text.title, text.lead, text.body, text.format, &known)
    }

    /// Publishes an article by `author` under the next number; 403 `level_too_low` below the
    /// article gate.
    pub async fn post_article(
        &self,
        author: &Member,
        text: ArticleText<'_>,
    ) -> SiteResult<Article> {
        self.check_gate(author, Gate::Article)?;
        let draft = self.article_draft(text).await?;
        let article = self.store.create_article(author.id, &draft).await?;
        tracing::info!(member = %author.name, number = article.number, "article posted");
        Ok(article)
    }

    /// Article `number` (as written in an address): 404 if there is none.
    pub async fn article(&self, number: &str) -> SiteResult<Article> {
        let n = rules::article_number(number).ok_or_else(|| no_article(number))?;
        self.store.article_by_number(n).await?.ok_or_else(|| no_article(n))
    }

    /// Article `number` with its replies in thread order.
    pub async fn article_with_replies(
        &self,
        number: &str,
    ) -> SiteResult<(Article, Vec<ThreadReply>)> {
        let article = self.article(number).await?;
        let replies = self.thread(virgule_store::ReplyTarget::Article(article.id)).await?;
        Ok((article, replies))
    }

    /// Article `number` with what its author typed, for the edit form; 403 unless `actor`
    /// wrote it.
    pub async fn own_article_source(
        &self,
        actor: &Member,
        number: &str,
    ) -> SiteResult<(Article, ArticleSource)> {
        let article = self.article(number).await?;
        require_author(actor, &article)?;
        let source =
            self.store.article_source(article.number).await?.ok_or_else(|| no_article(number))?;
        Ok((article, source))
    }

    /// Rewrites article `number`; it keeps its number and publication time. Only its author
    /// may: 403 for anyone else.
    pub async fn edit_article(
        &self,
        actor: &Member,
        number: &str,
        text: ArticleText<'_>,
    ) -> SiteResult<Article> {
        let article = self.article(number).await?;
        require_author(actor, &article)?;
        let draft = self.article_draft(text).await?;
        let n: ArticleNumber = article.number;
        self.store.update_article(actor.id, n, &draft).await.map_err(|e| match e {
            virgule_store::StoreError::NotFound => no_article(n),
            other => other.into(),
        })
    }

    /// A page of articles, newest first, with the total.
    pub async fn articles(&self, page: Page) -> SiteResult<ArticleList> {
        let (total, articles) =
            tokio::try_join!(self.store.article_count(), self.store.articles(page))?;
        Ok(ArticleList { total, articles })
    }
}

fn require_author(actor: &Member, article: &Article) -> SiteResult<()> {
    if article.author == actor.name {
        Ok(())
    } else {
        Err(SiteError::forbidden("only its author may change an article"))
    }
}
