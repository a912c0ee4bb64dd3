//! Full-text search over entries, articles and replies, with each backend's own engine:
//! SQLite's FTS5 (BM25 ranking, `snippet()`) and PostgreSQL's text search (`tsvector` in a
//! GIN index, `ts_rank`, `ts_headline`). Migration 0013 builds the indexes; what they hold is
//! `search_text`, the plain text of an item's sanitized HTML, which every write here sets
//! beside `html` through [`searchable_text`] (SQL cannot take HTML apart), so the index is
//! current after every write, edit, delete, feed update and import.
//!
//! A search is two queries: the ranked page of `(kind, id)` with the number of matches, then
//! the page's items with their snippets (a snippet costs, so only the page's are made). The
//! query arrives parsed ([`SearchQuery`], virgule-site's rules make it); each term's text is
//! handed to the engine as a bound value for it to split into words its own way, never
//! spliced into SQL.

use chrono::{DateTime, Utc};
// The SQL here is assembled from fixed fragments and numbered placeholders only; every
// value a searcher gives is bound.
use sqlx::AssertSqlSafe;

use crate::db::{Db, limit, on_pool};
use crate::members::stored_name;
use crate::{ArticleNumber, EntryNumber, MemberName, Page, ReplyPlace, Result, Store, StoreError};

/// The text the index holds for an entry's or a reply's sanitized HTML.
pub(crate) fn searchable_text(html: &str) -> String {
    virgule_html::searchable_text(html)
}

/// The text the index holds for an article: its lead, then its body.
pub(crate) fn article_search_text(lead_html: &str, html: &str) -> String {
    let lead = searchable_text(lead_html);
    let body = searchable_text(html);
    match (lead.is_empty(), body.is_empty()) {
        (_, true) => lead,
        (true, false) => body,
        (false, false) => format!("{lead} {body}"),
    }
}

/// One thing to find: some text, matched as a phrase of its words (the engine splits it);
/// with `prefix`, its last word may be the start of a longer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    pub text: String,
    pub prefix: bool,
}

/// Items matching every term of `all` and none of `none` (at least one of `all`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub all: Vec<SearchTerm>,
    pub none: Vec<SearchTerm>,
}

/// What a search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchKind {
    Entry,
    Article,
    Reply,
}

impl SearchKind {
    pub const ALL: [SearchKind; 3] = [SearchKind::Entry, SearchKind::Article, SearchKind::Reply];

    /// As the API and the search form spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Entry => "entry",
            SearchKind::Article => "article",
            SearchKind::Reply => "reply",
        }
    }

    fn code(self) -> i64 {
        match self {
            SearchKind::Entry => 0,
            SearchKind::Article => 1,
            SearchKind::Reply => 2,
        }
    }

    fn from_code(code: i64) -> Result<Self> {
        SearchKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .ok_or_else(|| StoreError::Corrupt(format!("search kind {code}")))
    }
}

/// Which items may match, besides the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only this member's writing.
    pub author: Option<i64>,
    /// Only these kinds (all three when it lists all three).
    pub kinds: Vec<SearchKind>,
    /// Published at or after.
    pub since: Option<DateTime<Utc>>,
    /// Published before.
    pub before: Option<DateTime<Utc>>,
}

impl Default for SearchFilter {
    fn default() -> Self {
        SearchFilter { author: None, kinds: SearchKind::ALL.to_vec(), since: None, before: None }
    }
}

/// Where a hit lives, by its public names (for its address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HitPlace {
    Entry { author: MemberName, number: EntryNumber },
    Article(ArticleNumber),
    Reply { id: i64, on: ReplyPlace },
}

/// One item found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub place: HitPlace,
    /// The item's title; a reply's is its item's.
    pub title: String,
    pub author: MemberName,
    pub published: DateTime<Utc>,
    /// Plain text around the matches, each match between [`MATCH_START`] and [`MATCH_END`];
    /// elided text is marked with "…".
    pub snippet: String,
}

/// Opens a match in [`SearchHit::snippet`] (a control character, which indexed text never
/// holds).
pub const MATCH_START: char = '\u{2}';
/// Closes a match in [`SearchHit::snippet`].
pub const MATCH_END: char = '\u{3}';

/// A page of hits, best first, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    pub total: i64,
    pub hits: Vec<SearchHit>,
}

/// The visibility every hit must have, whatever the kind: its author neither suspended nor
/// hidden as spam.
const AUTHOR_SHOWN: &str = "NOT m.suspended AND m.spam <> 1";

/// The ranked query's parameters on both backends: `$1` the match expression (SQLite; unused
/// on PostgreSQL, whose terms follow from `$10`), `$2` author id or NULL, `$3` since, `$4`
/// before, `$5`..`$7` whether entries, articles, replies are wanted, `$8` limit, `$9` offset.
const FILTERS: &str = "($2 IS NULL OR m.id = $2) AND ($3 IS NULL OR {t}.published_at >= $3) \
     AND ($4 IS NULL OR {t}.published_at < $4)";

/// The ranked ids over the three kinds, as SQL for one backend; `{match_*}`, `{score_*}` and
/// `{from_*}` are the backend's pieces.
fn ranked_sql(pieces: &Pieces) -> String {
    let filters = |t: &str| FILTERS.replace("{t}", t);
    format!(
        "{with}SELECT kind, id, score, published_at, COUNT(*) OVER () AS total FROM (\
         SELECT CAST(0 AS BIGINT) AS kind, e.id AS id, {score_e} AS score, e.published_at AS published_at \
         FROM {from_e} JOIN members m ON m.id = e.member_id \
         WHERE $5 AND {match_e} AND e.spam <> 1 AND {AUTHOR_SHOWN} AND {fe} \
         UNION ALL \
         SELECT 1, a.id, {score_a}, a.published_at \
         FROM {from_a} JOIN members m ON m.id = a.member_id \
         WHERE $6 AND {match_a} AND a.spam <> 1 AND {AUTHOR_SHOWN} AND {fa} \
         UNION ALL \
         SELECT 2, r.id, {score_r}, r.published_at \
         FROM {from_r} JOIN members m ON m.id = r.member_id \
         WHERE $7 AND {match_r} AND NOT r.deleted AND r.spam <> 1 AND {AUTHOR_SHOWN} AND {fr}\
         ) hits ORDER BY score, published_at DESC, kind, id{limit}",
        with = pieces.with,
        score_e = pieces.score_e,
        from_e = pieces.from_e,
        match_e = pieces.match_e,
        fe = filters("e"),
        score_a = pieces.score_a,
        from_a = pieces.from_a,
        match_a = pieces.match_a,
        fa = filters("a"),
        score_r = pieces.score_r,
        from_r = pieces.from_r,
        match_r = pieces.match_r,
        fr = filters("r"),
        limit = concat!(limit!("$8"), " OFFSET $9"),
    )
}

/// One backend's parts of [`ranked_sql`]. Scores sort ascending: FTS5's BM25 is lower for
/// better matches, and PostgreSQL's rank is negated to agree.
struct Pieces {
    with: String,
    from_e: &'static str,
    from_a: &'static str,
    from_r: &'static str,
    match_e: &'static str,
    match_a: &'static str,
    match_r: &'static str,
    score_e: &'static str,
    score_a: &'static str,
    score_r: &'static str,
}

/// Titles weigh four times the text, in both engines (PostgreSQL: weight A 1.0 against B
/// 0.25 is `ts_rank`'s default {D, C, B, A} = {0.1, 0.2, 0.4, 1.0} with B lowered).
const SQLITE_PIECES: Pieces = Pieces {
    with: String::new(),
    from_e: "entries_fts JOIN entries e ON e.id = entries_fts.rowid",
    from_a: "articles_fts JOIN articles a ON a.id = articles_fts.rowid",
    from_r: "replies_fts JOIN replies r ON r.id = replies_fts.rowid",
    match_e: "entries_fts MATCH $1",
    match_a: "articles_fts MATCH $1",
    match_r: "replies_fts MATCH $1",
    score_e: "bm25(entries_fts, 4.0, 1.0)",
    score_a: "bm25(articles_fts, 4.0, 1.0)",
    score_r: "bm25(replies_fts)",
};

fn postgres_pieces(query: &SearchQuery) -> Pieces {
    Pieces {
        with: format!("WITH q AS (SELECT {} AS query) ", tsquery(query, 10)),
        from_e: "q, entries e",
        from_a: "q, articles a",
        from_r: "q, replies r",
        match_e: "e.search_vector @@ q.query",
        match_a: "a.search_vector @@ q.query",
        match_r: "r.search_vector @@ q.query",
        score_e: "-ts_rank(CAST('{0.1, 0.2, 0.25, 1.0}' AS real[]), e.search_vector, q.query)",
        score_a: "-ts_rank(CAST('{0.1, 0.2, 0.25, 1.0}' AS real[]), a.search_vector, q.query)",
        score_r: "-ts_rank(r.search_vector, q.query)",
    }
}

/// The query's `tsquery` over parameters `$first` on, one per term in order (`all`, then
/// `none`): a plain term is `phraseto_tsquery` of its text; a prefix term's text arrives
/// already in `to_tsquery`'s syntax ([`prefix_tsquery`]).
fn tsquery(query: &SearchQuery, first: usize) -> String {
    let mut parts = Vec::new();
    for (i, term) in query.all.iter().chain(&query.none).enumerate() {
        let param = i + first;
        let one = if term.prefix {
            format!("to_tsquery('english', ${param})")
        } else {
            format!("phraseto_tsquery('english', ${param})")
        };
        parts.push(if i < query.all.len() { one } else { format!("!!{one}") });
    }
    format!("({})", parts.join(" && "))
}

/// A prefix term for PostgreSQL: its words (letters and digits; the rest separates them, as
/// the parser does) as a phrase whose last word is a prefix, quoted for `to_tsquery`.
fn prefix_tsquery(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("'{w}'"))
        .collect();
    format!("{}:*", words.join(" <-> "))
}

/// The query in FTS5's syntax: each term a quoted string (FTS5 splits it with the table's
/// tokenizer, so it is a phrase), `*` after a prefix term.
fn fts5_match(query: &SearchQuery) -> String {
    let quote = |term: &SearchTerm| {
        let star = if term.prefix { "*" } else { "" };
        format!("\"{}\"{star}", term.text.replace('"', "\"\""))
    };
    let all: Vec<String> = query.all.iter().map(quote).collect();
    let mut expr = format!("({})", all.join(" AND "));
    if !query.none.is_empty() {
        let none: Vec<String> = query.none.iter().map(quote).collect();
        expr = format!("{expr} NOT ({})", none.join(" OR "));
    }
    expr
}

/// The page's items with snippets, for one kind. SQLite: `$1` the match expression (the
/// snippet needs the match), `$2` on the ids. PostgreSQL: `$1` the ids as an array, `$2` on
/// the terms.
fn detail_sql(sqlite: bool, kind: SearchKind, query: &SearchQuery, ids: usize) -> String {
    let (table, fts, title, text_col) = match kind {
        SearchKind::Entry => ("entries", "entries_fts", "t.title", 1),
        SearchKind::Article => ("articles", "articles_fts", "t.title", 1),
        SearchKind::Reply => ("replies", "replies_fts", "COALESCE(a.title, e.title)", 0),
    };
    let (snippet, from, wanted) = if sqlite {
        let list = (0..ids).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        (
            format!("snippet({fts}, {text_col}, char(2), char(3), '…', 40)"),
            format!("{fts} JOIN {table} t ON t.id = {fts}.rowid"),
            format!("{fts} MATCH $1 AND {fts}.rowid IN ({list})"),
        )
    } else {
        (
            "ts_headline('english', replace(COALESCE(t.search_text, ''), '<', chr(1)), q.query, 'StartSel=' || chr(2) \
             || ', StopSel=' || chr(3) || ', MaxWords=40, MinWords=20, MaxFragments=2, \
             FragmentDelimiter=\" … \"')"
                .to_owned(),
            format!("(SELECT {} AS query) q, {table} t", tsquery(query, 2)),
            "t.id = ANY($1)".to_owned(),
        )
    };
    let (place, joins) = match kind {
        SearchKind::Entry => (
            "CAST(NULL AS BIGINT) AS article_number, t.number AS entry_number, \
                 m.name AS entry_author",
            "",
        ),
        SearchKind::Article => (
            "t.number AS article_number, CAST(NULL AS BIGINT) AS entry_number, \
                 CAST(NULL AS TEXT) AS entry_author",
            "",
        ),
        SearchKind::Reply => (
            "a.number AS article_number, e.number AS entry_number, em.name AS entry_author",
            " LEFT JOIN articles a ON a.id = t.article_id LEFT JOIN entries e \
             ON e.id = t.entry_id LEFT JOIN members em ON em.id = e.member_id",
        ),
    };
    format!(
        "SELECT t.id AS id, {title} AS title, m.name AS author, t.published_at AS published_at, \
         {snippet} AS snippet, {place} FROM {from} JOIN members m ON m.id = t.member_id{joins} \
         WHERE {wanted}"
    )
}

/// What `<` is in the text PostgreSQL's `ts_headline` reads: its parser takes `<b>` in plain
/// text for a tag and drops it, so the snippet would lose it. Indexed text holds no control
/// character, so the way back is exact.
const HIDDEN_LT: char = '\u{1}';

#[derive(sqlx::FromRow)]
struct RankedRow {
    kind: i64,
    id: i64,
    total: i64,
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: i64,
    title: Option<String>,
    author: String,
    published_at: DateTime<Utc>,
    snippet: Option<String>,
    article_number: Option<i64>,
    entry_number: Option<i64>,
    entry_author: Option<String>,
}

impl Store {
    /// The page `page` of the items matching `query` under `filter`, best first (ties: newest
    /// first), with the number of matches in all. A query with no term to find finds nothing.
    pub async fn search(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        page: Page,
    ) -> Result<SearchResults> {
        if query.all.is_empty() {
            return Ok(SearchResults::default());
        }
        let (limit, offset) = page.limit_offset();
        let rows = self.ranked(query, filter, limit, offset).await?;
        let total = match rows.first() {
            Some(row) => row.total,
            // Past the last page: count on their own.
            None if offset > 0 => {
                self.ranked(query, filter, 1, 0).await?.first().map_or(0, |r| r.total)
            }
            None => 0,
        };
        let mut hits: Vec<Option<SearchHit>> = vec![None; rows.len()];
        for kind in SearchKind::ALL {
            let ids: Vec<i64> =
                rows.iter().filter(|r| r.kind == kind.code()).map(|r| r.id).collect();
            if ids.is_empty() {
                continue;
            }
            for detail in self.search_details(kind, query, &ids).await? {
                let position = rows
                    .iter()
                    .position(|r| r.kind == kind.code() && r.id == detail.id)
                    .ok_or_else(|| StoreError::Corrupt(format!("search hit {}", detail.id)))?;
                hits[position] = Some(detail.into_hit(kind)?);
            }
        }
        // An item deleted between the two queries is left out.
        Ok(SearchResults { total, hits: hits.into_iter().flatten().collect() })
    }

    async fn ranked(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<RankedRow>> {
        let wants = |kind| filter.kinds.contains(&kind);
        let rows: Vec<RankedRow> = match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query_as(AssertSqlSafe(ranked_sql(&SQLITE_PIECES)))
                    .bind(fts5_match(query))
                    .bind(filter.author)
                    .bind(filter.since)
                    .bind(filter.before)
                    .bind(wants(SearchKind::Entry))
                    .bind(wants(SearchKind::Article))
                    .bind(wants(SearchKind::Reply))
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                let mut q = sqlx::query_as(AssertSqlSafe(ranked_sql(&postgres_pieces(query))))
                    .bind("")
                    .bind(filter.author)
                    .bind(filter.since)
                    .bind(filter.before)
                    .bind(wants(SearchKind::Entry))
                    .bind(wants(SearchKind::Article))
                    .bind(wants(SearchKind::Reply))
                    .bind(limit)
                    .bind(offset);
                for term in pg_terms(query) {
                    q = q.bind(term);
                }
                q.fetch_all(pool).await?
            }
        };
        for row in &rows {
            SearchKind::from_code(row.kind)?;
        }
        Ok(rows)
    }

    async fn search_details(
        &self,
        kind: SearchKind,
        query: &SearchQuery,
        ids: &[i64],
    ) -> Result<Vec<DetailRow>> {
        Ok(match &self.db {
            Db::Sqlite(pool) => {
                let sql = detail_sql(true, kind, query, ids.len());
                let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(fts5_match(query));
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(pool).await?
            }
            Db::Postgres(pool) => {
                let sql = detail_sql(false, kind, query, ids.len());
                let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(ids);
                for term in pg_terms(query) {
                    q = q.bind(term);
                }
                q.fetch_all(pool).await?
            }
        })
    }
}

/// The values of [`tsquery`]'s parameters, in order.
fn pg_terms(query: &SearchQuery) -> Vec<String> {
    query
        .all
        .iter()
        .chain(&query.none)
        .map(|t| if t.prefix { prefix_tsquery(&t.text) } else { t.text.clone() })
        .collect()
}

impl DetailRow {
    fn into_hit(self, kind: SearchKind) -> Result<SearchHit> {
        let entry_place = || -> Result<Option<(MemberName, EntryNumber)>> {
            match (&self.entry_author, self.entry_number) {
                (Some(author), Some(number)) => Ok(Some((stored_name(author)?, number))),
                _ => Ok(None),
            }
        };
        let place = match kind {
            SearchKind::Entry => {
                let (author, number) = entry_place()?
                    .ok_or_else(|| StoreError::Corrupt(format!("entry {} place", self.id)))?;
                HitPlace::Entry { author, number }
            }
            SearchKind::Article => HitPlace::Article(self.article_number.ok_or_else(|| {
                StoreError::Corrupt(format!("article {} without a number", self.id))
            })?),
            SearchKind::Reply => {
                let on = match (self.article_number, entry_place()?) {
                    (Some(number), _) => ReplyPlace::Article(number),
                    (None, Some((author, number))) => ReplyPlace::Entry { author, number },
                    (None, None) => {
                        return Err(StoreError::Corrupt(format!("reply {} has no item", self.id)));
                    }
                };
                HitPlace::Reply { id: self.id, on }
            }
        };
        Ok(SearchHit {
            kind,
            place,
            title: self.title.unwrap_or_default(),
            author: stored_name(&self.author)?,
            published: self.published_at,
            snippet: self.snippet.map(|s| s.replace(HIDDEN_LT, "<")).unwrap_or_default(),
        })
    }
}

/// Rows of `search_text` filled per transaction by [`Store::fill_search_text`].
const FILL_BATCH: i64 = 500;

/// For each table: the rows still without `search_text` (its partial index), and the update.
const UNSEARCHED: [(&str, &str); 3] = [
    (
        concat!(
            "SELECT id, '' AS lead_html, html FROM entries WHERE search_text IS NULL ORDER BY id",
            limit!("$1")
        ),
        "UPDATE entries SET search_text = $2 WHERE id = $1",
    ),
    (
        concat!(
            "SELECT id, lead_html, html FROM articles WHERE search_text IS NULL ORDER BY id",
            limit!("$1")
        ),
        "UPDATE articles SET search_text = $2 WHERE id = $1",
    ),
    (
        concat!(
            "SELECT id, '' AS lead_html, html FROM replies WHERE search_text IS NULL ORDER BY id",
            limit!("$1")
        ),
        "UPDATE replies SET search_text = $2 WHERE id = $1",
    ),
];

impl Store {
    /// Gives the rows written before full-text search (migration 0013) their `search_text`,
    /// which the indexes then take in; nothing to do on a store created since. Runs when a
    /// store opens. Returns how many rows it filled.
    pub(crate) async fn fill_search_text(&self) -> Result<u64> {
        let mut filled = 0;
        for (select, update) in UNSEARCHED {
            loop {
                let done: u64 = on_pool!(&self.db, pool => {
                    let mut tx = pool.begin().await?;
                    let rows: Vec<(i64, String, String)> =
                        sqlx::query_as(select).bind(FILL_BATCH).fetch_all(&mut *tx).await?;
                    for (id, lead_html, html) in &rows {
                        sqlx::query(update)
                            .bind(id)
                            .bind(article_search_text(lead_html, html))
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    rows.len() as u64
                });
                filled += done;
                if done < FILL_BATCH as u64 {
                    break;
                }
            }
        }
        if filled > 0 {
            tracing::info!(rows = filled, "indexed earlier writing for search");
        }
        Ok(filled)
    }
}
