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

use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Timelike, Utc};
// The SQL here is assembled from fixed fragments and numbered placeholders only; every
// value a searcher gives is bound.
use sqlx::pool::PoolConnection;
use sqlx::{AssertSqlSafe, Postgres, Sqlite};

use crate::db::{Conn, Db, limit, on_pool};
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

/// Items matching every term of `all`, at least one of `any` (when it has some), and none of
/// `none`. A query needs a term in `all` or `any`: a reader's search has `all` (the site's
/// rules); related posts use `any`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub all: Vec<SearchTerm>,
    pub any: Vec<SearchTerm>,
    pub none: Vec<SearchTerm>,
}

impl SearchQuery {
    /// Every term, in the order [`tsquery`] numbers them: `all`, `any`, `none`.
    fn terms(&self) -> impl Iterator<Item = &SearchTerm> {
        self.all.iter().chain(&self.any).chain(&self.none)
    }
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
    /// The item's id in its table.
    pub id: i64,
    pub place: HitPlace,
    /// The item's title; a reply's is its item's.
    pub title: String,
    /// The member who wrote it; for a guest's reply (an imported comment), the member who
    /// holds it, and `guest` names the writer.
    pub author: MemberName,
    pub guest: Option<String>,
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
    /// How many items match, counted up to [`CANDIDATES`] of each kind.
    pub total: i64,
    /// More match than `total`: some kind reached [`CANDIDATES`], and only its newest were
    /// ranked.
    pub more: bool,
    pub hits: Vec<SearchHit>,
}

/// The visibility every hit must have, whatever the kind: its author neither suspended nor
/// hidden as spam.
const AUTHOR_SHOWN: &str = "NOT m.suspended AND m.spam <> 1";

/// How many matches of each kind a search ranks by relevance and counts exactly. Up to this
/// many, every match is scored (BM25 on SQLite, `ts_rank` on PostgreSQL). Past it, the
/// engines' relevance costs a pass over every match (FTS5's BM25 counts each word's
/// documents on every query; PostgreSQL reads each match's vector), which a word in a tenth
/// of a million entries makes far too slow; the matches with the words in their title are
/// then shown first, then the others (as WordPress orders its search), newest first in each,
/// and the count says "at least". Deeper pages take more.
pub const CANDIDATES: i64 = 500;

/// How a search orders its candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ranking {
    /// No scoring: counting the newest candidates.
    Count,
    /// Every match scored by the engine.
    Relevance,
    /// Title matches first, then the rest; newest first in each. Each kind reads only as
    /// many of each as the page needs (`$10` is the page's end, not the candidates).
    TitleThenNewest,
}

/// The queries' shared parameters, on both backends: `$1` the match expression for entries
/// and articles (SQLite; unused on PostgreSQL), `$2` author id or NULL, `$3` since, `$4`
/// before, `$5`..`$7` whether entries, articles, replies are wanted, `$8` limit, `$9` offset,
/// `$10` candidates per kind. SQLite: `$12` replies' match expression, `$13` the title
/// indexes' match expression, `$14` entries' and articles' matches without the terms in the
/// title, `$15` the excluded terms ([`fts5_title_split`]).
/// PostgreSQL: the terms from `$11` ([`tsquery`]).
const FILTERS: &str = "($2 IS NULL OR m.id = $2) AND ($3 IS NULL OR t.published_at >= $3) \
     AND ($4 IS NULL OR t.published_at < $4)";

/// One searchable table.
struct Kind {
    code: i64,
    table: &'static str,
    fts: &'static str,
    /// SQLite's index of titles alone (migration 0013); replies have no title.
    title_fts: &'static str,
    /// SQLite's covering index of what the filters read (migration 0013): a candidate's
    /// row is far bigger, its later columns behind its text.
    shown_index: &'static str,
    /// Its `$N` saying whether it is wanted.
    wanted: &'static str,
    /// Its match expression's `$N` on SQLite.
    matches: &'static str,
    /// What must hold for one of its rows to be shown, besides [`AUTHOR_SHOWN`].
    shown: &'static str,
    /// FTS5's score: titles weigh four times the text.
    bm25: &'static str,
    /// PostgreSQL's score: title (weight A, 1.0) four times the text (B, 0.25). `{query}`
    /// stands for the `tsquery`.
    rank: &'static str,
    /// 1 for a title match (PostgreSQL, `{query}` as above); replies have no title.
    title_pg: &'static str,
    /// The FTS5 columns a searcher's words are matched against (not `owner`).
    columns: &'static str,
}

const KINDS: [Kind; 3] = [
    Kind {
        code: 0,
        table: "entries",
        fts: "entries_fts",
        title_fts: "entries_title_fts",
        shown_index: "entries_shown",
        wanted: "$5",
        matches: "$1",
        shown: "t.spam <> 1",
        bm25: "bm25(entries_fts, 4.0, 1.0, 0.0)",
        rank: "ts_rank(CAST('{0.1, 0.2, 0.25, 1.0}' AS real[]), t.search_vector, {query})",
        title_pg: "CAST(to_tsvector('english', t.title) @@ {query} AS INT)",
        columns: "{title search_text}",
    },
    Kind {
        code: 1,
        table: "articles",
        fts: "articles_fts",
        title_fts: "articles_title_fts",
        shown_index: "articles_shown",
        wanted: "$6",
        matches: "$1",
        shown: "t.spam <> 1",
        bm25: "bm25(articles_fts, 4.0, 1.0, 0.0)",
        rank: "ts_rank(CAST('{0.1, 0.2, 0.25, 1.0}' AS real[]), t.search_vector, {query})",
        title_pg: "CAST(to_tsvector('english', t.title) @@ {query} AS INT)",
        columns: "{title search_text}",
    },
    Kind {
        code: 2,
        table: "replies",
        fts: "replies_fts",
        title_fts: "",
        shown_index: "replies_shown",
        wanted: "$7",
        matches: "$12",
        shown: "NOT t.deleted AND t.spam <> 1",
        bm25: "bm25(replies_fts, 1.0, 0.0)",
        rank: "ts_rank(t.search_vector, {query})",
        title_pg: "0",
        columns: "{search_text}",
    },
];

/// A kind's candidates, with their scores: its newest `$10` shown matches, read from the
/// index newest first and stopping there (on SQLite the index's rowid order; ordered by
/// anything else, every match would be read and sorted first). Title then newest: the
/// newest `$10` with the words in their title (score -1), and the newest `$10` without.
fn candidates_sql(sqlite: bool, kind: &Kind, ranking: Ranking, query: &SearchQuery) -> String {
    let Kind { code, table, fts, shown_index, wanted, matches, shown, .. } = kind;
    let excludes = !query.none.is_empty();
    let filters = format!("{wanted} AND {shown} AND {AUTHOR_SHOWN} AND {FILTERS}");
    if sqlite {
        let part = |score: &str, from: &str, matches: &str| {
            format!(
                "SELECT * FROM (SELECT {code} AS kind, t.id AS id, {score} AS score, \
                 t.published_at AS published_at FROM {from} \
                 JOIN {table} t INDEXED BY {shown_index} ON t.id = {from}.rowid \
                 JOIN members m ON m.id = t.member_id WHERE {matches} AND {filters} \
                 ORDER BY {from}.rowid DESC{})",
                limit!("$10")
            )
        };
        let all = format!("{fts} MATCH {matches}");
        match ranking {
            Ranking::Count => part("0", fts, &all),
            Ranking::Relevance => part(kind.bm25, fts, &all),
            // Replies have no title.
            Ranking::TitleThenNewest if kind.title_fts.is_empty() => part("0", fts, &all),
            Ranking::TitleThenNewest => {
                // Newest first through the titles; with excluded terms, each is checked for
                // them by its rowid (a seek in the index, not a pass over its matches).
                let title_fts = kind.title_fts;
                let mut in_title = format!("{title_fts} MATCH $13");
                if excludes {
                    in_title.push_str(&format!(
                        " AND NOT EXISTS (SELECT 1 FROM {fts} \
                         WHERE {fts} MATCH $15 AND {fts}.rowid = t.id)"
                    ));
                }
                let rest = format!("{fts} MATCH $14");
                format!("{} UNION ALL {}", part("-1", title_fts, &in_title), part("0", fts, &rest))
            }
        }
    } else {
        // The `tsquery` is written out where it is used, not named once in a `WITH`: planned
        // for this search's values, PostgreSQL then knows how common its words are, and
        // chooses between the GIN index (rare words) and the primary key newest first,
        // stopping at the limit (common ones).
        let tsq = format!("({})", tsquery(query, 11));
        let part = |score: &str, title: &str| {
            let score = score.replace("{query}", &tsq);
            let title = title.replace("{query}", &tsq);
            // The score is read for the candidates alone, after the limit.
            format!(
                "SELECT CAST({code} AS BIGINT) AS kind, t.id AS id, -({score}) AS score, \
                 t.published_at AS published_at FROM (SELECT t.id FROM {table} t \
                 JOIN members m ON m.id = t.member_id WHERE t.search_vector @@ {tsq} \
                 AND {filters}{title} ORDER BY t.id DESC{}) c JOIN {table} t ON t.id = c.id",
                limit!("$10")
            )
        };
        let in_title = format!(" AND {} = 1", kind.title_pg);
        let not_in_title = format!(" AND {} = 0", kind.title_pg);
        match ranking {
            Ranking::Count => part("0", ""),
            Ranking::Relevance => part(kind.rank, ""),
            Ranking::TitleThenNewest if *code == SearchKind::Reply.code() => part("0", ""),
            Ranking::TitleThenNewest => {
                format!("{} UNION ALL {}", part("1", &in_title), part("0", &not_in_title))
            }
        }
    }
}

/// How many candidates each kind has (at most `$10`).
fn count_sql(sqlite: bool, query: &SearchQuery) -> String {
    let counts: Vec<String> = KINDS
        .iter()
        .map(|kind| {
            format!(
                "(SELECT COUNT(*) FROM ({}) c{})",
                candidates_sql(sqlite, kind, Ranking::Count, query),
                kind.code
            )
        })
        .collect();
    format!("SELECT {} AS entries, {} AS articles, {} AS replies", counts[0], counts[1], counts[2])
}

/// The page of ranked ids over the three kinds.
fn ranked_sql(sqlite: bool, query: &SearchQuery, ranking: Ranking) -> String {
    let parts: Vec<String> =
        KINDS.iter().map(|kind| candidates_sql(sqlite, kind, ranking, query)).collect();
    format!(
        "SELECT kind, id FROM ({}) hits ORDER BY score, published_at DESC, kind, id{}",
        parts.join(" UNION ALL "),
        concat!(limit!("$8"), " OFFSET $9"),
    )
}

/// The query's `tsquery` over parameters `$first` on, one per term in order (`all`, then
/// `none`): a plain term is `phraseto_tsquery` of its text; a prefix term's text arrives
/// already in `to_tsquery`'s syntax ([`prefix_tsquery`]).
fn tsquery(query: &SearchQuery, first: usize) -> String {
    let one = |i: usize, term: &SearchTerm| {
        let param = i + first;
        if term.prefix {
            format!("to_tsquery('english', ${param})")
        } else {
            format!("phraseto_tsquery('english', ${param})")
        }
    };
    let (all, any) = (query.all.len(), query.any.len());
    let mut parts = Vec::new();
    let mut alternatives = Vec::new();
    for (i, term) in query.terms().enumerate() {
        if i < all {
            parts.push(one(i, term));
        } else if i < all + any {
            alternatives.push(one(i, term));
        } else {
            parts.push(format!("!!{}", one(i, term)));
        }
    }
    if !alternatives.is_empty() {
        parts.push(format!("({})", alternatives.join(" || ")));
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

/// One term in FTS5's syntax: a quoted string (FTS5 splits it with the table's tokenizer, so
/// it is a phrase), `*` after a prefix term.
fn fts5_term(term: &SearchTerm) -> String {
    let star = if term.prefix { "*" } else { "" };
    format!("\"{}\"{star}", term.text.replace('"', "\"\""))
}

/// What a match must have, in FTS5's syntax: every `all` term and one of the `any` terms.
fn fts5_wanted(query: &SearchQuery) -> String {
    let mut all: Vec<String> = query.all.iter().map(fts5_term).collect();
    if !query.any.is_empty() {
        let any: Vec<String> = query.any.iter().map(fts5_term).collect();
        all.push(format!("({})", any.join(" OR ")));
    }
    format!("({})", all.join(" AND "))
}

/// The query in FTS5's syntax for one kind: the terms against the kind's text columns
/// (`columns`); with an author, their `owner` token; with both ends of a period, the tokens
/// of the years and months that cover it ([`period_tokens`]). The `owner` tokens narrow what
/// the index reads; the filters' SQL still holds each match to the exact bounds.
fn fts5_match(query: &SearchQuery, columns: &str, filter: &SearchFilter) -> String {
    let mut expr = fts5_wanted(query);
    if !query.none.is_empty() {
        expr = format!("{expr} NOT {}", fts5_unwanted(query));
    }
    format!("{columns} : ({expr}){}", fts5_owner(filter))
}

/// The excluded terms, in FTS5's syntax (for a query that has some).
fn fts5_unwanted(query: &SearchQuery) -> String {
    let none: Vec<String> = query.none.iter().map(fts5_term).collect();
    format!("({})", none.join(" OR "))
}

/// What a match's `owner` tokens must be under `filter`, in FTS5's syntax, to follow a match
/// expression.
fn fts5_owner(filter: &SearchFilter) -> String {
    let mut owner = String::new();
    if let Some(id) = filter.author {
        owner.push_str(&format!(" AND {{owner}} : \"m{id}\""));
    }
    if let (Some(since), Some(before)) = (filter.since, filter.before)
        && let Some(tokens) = period_tokens(since, before)
        && !tokens.is_empty()
    {
        owner.push_str(&format!(" AND {{owner}} : ({})", tokens.join(" OR ")));
    }
    owner
}

/// At most this many year and month tokens stand for a period in a match expression; a
/// longer period is left to the filters' SQL alone.
const MAX_PERIOD_TOKENS: usize = 48;

/// The `owner` tokens (migration 0013: `y2012` for a year, `d201205` for a month) of the
/// whole years and months that cover `[since, before)`: the months at either end, whole years
/// between. `None` when that takes more than [`MAX_PERIOD_TOKENS`]; empty when the period is.
/// Pure.
fn period_tokens(since: DateTime<Utc>, before: DateTime<Utc>) -> Option<Vec<String>> {
    if since >= before {
        return Some(Vec::new());
    }
    // The index takes the year from the stored date's first four characters.
    if since.year() < 0 || before.year() > 9999 {
        return None;
    }
    let month_of = |at: DateTime<Utc>| i64::from(at.year()) * 12 + i64::from(at.month0());
    let (mut month, end) = (month_of(since), month_of(before));
    // `before` at the very start of its month does not reach into it.
    let past =
        if before.day() == 1 && before.num_seconds_from_midnight() == 0 && before.nanosecond() == 0
        {
            end
        } else {
            end + 1
        };
    let mut tokens = Vec::new();
    while month < past {
        let (year, month0) = (month.div_euclid(12), month.rem_euclid(12));
        if month0 == 0 && month + 12 <= past {
            tokens.push(format!("y{year:04}"));
            month += 12;
        } else {
            tokens.push(format!("d{year:04}{:02}", month0 + 1));
            month += 1;
        }
        if tokens.len() > MAX_PERIOD_TOKENS {
            return None;
        }
    }
    Some(tokens)
}

/// For a title-first search (FTS5): the match expression for the title indexes (the wanted
/// terms in the title, the author's and period's tokens); entries' and articles' match
/// expression without the matches that have the terms in the title; and the excluded terms
/// in any column, which a title match is checked against.
fn fts5_title_split(query: &SearchQuery, filter: &SearchFilter) -> [String; 3] {
    let wanted = fts5_wanted(query);
    let in_title = format!("{{title}} : {wanted}{}", fts5_owner(filter));
    let all = fts5_match(query, KINDS[0].columns, filter);
    let not_in_title = format!("({all}) NOT ({{title}} : {wanted})");
    let unwanted = if query.none.is_empty() {
        String::new()
    } else {
        format!("{} : {}", KINDS[0].columns, fts5_unwanted(query))
    };
    [in_title, not_in_title, unwanted]
}

/// How many ids a SQLite detail query binds for `ids` of them: the next power of two, the
/// rest padded with 0, which is no row's id. Each distinct statement stays prepared on every
/// connection that ran it (sqlx's statement cache, up to 100 a connection), and a search's
/// statements are large: with one per count, 1 to a page's worth for each kind, each search
/// connection came to hold up to 60 of them (docs/design.md "only the statements that come
/// back"). A list of ids bound as one value (`json_each`) would make it one statement, but
/// FTS5 then reads every match of the words (200 s for a common word on a million entries,
/// against milliseconds for the list).
fn sqlite_id_slots(ids: usize) -> usize {
    ids.max(1).next_power_of_two()
}

/// The page's items with snippets, for one kind. SQLite: `$1` the kind's match expression
/// (the snippet needs the match), `$2` on the ids, `ids` of them ([`sqlite_id_slots`]).
/// PostgreSQL: `$1` the ids as an array, `$2` on the terms.
fn detail_sql(sqlite: bool, kind: SearchKind, query: &SearchQuery, ids: usize) -> String {
    let Kind { table, fts, .. } = &KINDS[kind.code() as usize];
    // A reply's title is its item's; its text is its FTS table's first column.
    let (title, text_col) = match kind {
        SearchKind::Reply => ("COALESCE(a.title, e.title)", 0),
        SearchKind::Entry | SearchKind::Article => ("t.title", 1),
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
            "ts_headline('english', replace(COALESCE(t.search_text, ''), '<', chr(1)), q.query, \
             'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=40, MinWords=20, \
             MaxFragments=2, FragmentDelimiter=\" … \"')"
                .to_owned(),
            format!("(SELECT {} AS query) q, {table} t", tsquery(query, 2)),
            "t.id = ANY($1)".to_owned(),
        )
    };
    let (place, joins) = match kind {
        SearchKind::Entry => (
            "CAST(NULL AS BIGINT) AS article_number, t.number AS entry_number, \
             m.name AS entry_author, CAST(NULL AS TEXT) AS guest_name",
            "",
        ),
        SearchKind::Article => (
            "t.number AS article_number, CAST(NULL AS BIGINT) AS entry_number, \
             CAST(NULL AS TEXT) AS entry_author, CAST(NULL AS TEXT) AS guest_name",
            "",
        ),
        SearchKind::Reply => (
            "a.number AS article_number, e.number AS entry_number, em.name AS entry_author, \
             t.guest_name AS guest_name",
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
struct CountRow {
    entries: i64,
    articles: i64,
    replies: i64,
}

#[derive(sqlx::FromRow)]
struct RankedRow {
    kind: i64,
    id: i64,
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
    guest_name: Option<String>,
}

/// A search's SQL and the values of its parameters, per backend.
struct Bound<'a> {
    query: &'a SearchQuery,
    filter: &'a SearchFilter,
    limit: i64,
    offset: i64,
    candidates: i64,
}

/// How long a reader's search may take unless the store was given another budget
/// ([`Store::with_search_budget`]). Past it, the search stops and says so
/// ([`StoreError::SearchOverBudget`]) rather than holding a connection while it reads much of
/// an index that no longer fits in memory: at a million entries on SQLite, a search for a
/// common word took 30–43 s under load and held up every page behind it (docs/proof.md,
/// "Load"). On SQLite it bounds the search's queries together; on PostgreSQL each of them
/// (so a search ends within about twice the budget). The wait for one of the searches'
/// connections is bounded by it too (`Db::search_pool`).
pub const SEARCH_BUDGET: Duration = Duration::from_secs(3);

/// How many SQLite virtual-machine instructions run between two looks at a search's clock (a
/// look reads the monotonic clock, tens of nanoseconds, against a thousand instructions).
const CLOCK_EVERY_OPS: i32 = 1000;

/// SQLite's result code for a statement its progress handler stopped (`SQLITE_INTERRUPT`).
const SQLITE_INTERRUPT: &str = "9";
/// PostgreSQL's error code for a statement cancelled, here by `statement_timeout`.
const PG_QUERY_CANCELED: &str = "57014";

/// A connection of the searches' own pool held for one reader's search, under its time
/// budget. On SQLite a progress handler stops any statement once the deadline has passed; on
/// PostgreSQL the pool's connections stop any statement at the budget (`statement_timeout`),
/// and no statement starts past the deadline. Either way the stopped statement fails with its
/// engine's code, which [`over_budget`] reads.
struct Budgeted {
    held: Held,
    deadline: Instant,
}

enum Held {
    Sqlite(Handled),
    Postgres(PoolConnection<Postgres>),
}

/// A SQLite connection with a progress handler set. Dropped before [`Budgeted::end`] took the
/// handler off (the search's future dropped: the reader went away), it is closed, not given
/// back to the pool with a handler that would stop its next user's statements.
struct Handled {
    conn: PoolConnection<Sqlite>,
    cleared: bool,
}

impl Drop for Handled {
    fn drop(&mut self) {
        if !self.cleared {
            self.conn.close_on_drop();
        }
    }
}

impl Budgeted {
    /// Takes one of the searches' connections (no wait for one past the budget); the budget
    /// runs from then.
    async fn begin(searches: &Db, budget: Duration) -> Result<Self> {
        let waited = |err: sqlx::Error| match err {
            sqlx::Error::PoolTimedOut => StoreError::SearchOverBudget,
            other => StoreError::Database(other),
        };
        Ok(match searches {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await.map_err(waited)?;
                let deadline = Instant::now() + budget;
                conn.lock_handle()
                    .await?
                    .set_progress_handler(CLOCK_EVERY_OPS, move || Instant::now() < deadline);
                Budgeted { held: Held::Sqlite(Handled { conn, cleared: false }), deadline }
            }
            Db::Postgres(pool) => {
                let conn = pool.acquire().await.map_err(waited)?;
                Budgeted { held: Held::Postgres(conn), deadline: Instant::now() + budget }
            }
        })
    }

    /// The connection for the search's next statement; none past the deadline on PostgreSQL
    /// (SQLite's handler stops the statement at once).
    fn conn(&mut self) -> Result<Conn<'_>> {
        match &mut self.held {
            Held::Sqlite(handled) => Ok(Conn::Sqlite(&mut handled.conn)),
            Held::Postgres(_) if Instant::now() >= self.deadline => {
                Err(StoreError::SearchOverBudget)
            }
            Held::Postgres(conn) => Ok(Conn::Postgres(conn)),
        }
    }

    /// Gives the connection back to the pool, as it was.
    async fn end(self) -> Result<()> {
        if let Held::Sqlite(mut handled) = self.held {
            handled.conn.lock_handle().await?.remove_progress_handler();
            handled.cleared = true;
        }
        Ok(())
    }
}

/// A search statement's failure: [`StoreError::SearchOverBudget`] when its budget stopped it,
/// else the database's error.
fn over_budget(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(e)
            if matches!(e.code().as_deref(), Some(SQLITE_INTERRUPT | PG_QUERY_CANCELED)) =>
        {
            StoreError::SearchOverBudget
        }
        _ => StoreError::Database(err),
    }
}

impl Store {
    /// The page `page` of the items matching `query` under `filter`, best first (ties: newest
    /// first), with the number of matches (see [`CANDIDATES`]). A query with no term to find
    /// finds nothing. Its queries run on one connection within the store's search budget
    /// ([`SEARCH_BUDGET`]); past it, [`StoreError::SearchOverBudget`].
    pub async fn search(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        page: Page,
    ) -> Result<SearchResults> {
        if query.all.is_empty() && query.any.is_empty() {
            return Ok(SearchResults::default());
        }
        let mut held = Budgeted::begin(&self.search_db, self.search_budget).await?;
        let found = search_within(&mut held, query, filter, page).await;
        let ended = held.end().await;
        let found = found?;
        ended?;
        Ok(found)
    }
}

async fn search_within(
    held: &mut Budgeted,
    query: &SearchQuery,
    filter: &SearchFilter,
    page: Page,
) -> Result<SearchResults> {
    let (limit, offset) = page.limit_offset();
    let candidates = CANDIDATES.max(offset.saturating_add(limit));
    // One more than the candidates tells whether there are more.
    let counted = Bound { query, filter, limit, offset, candidates: candidates + 1 };
    let counts: Vec<CountRow> =
        search_fetch(held.conn()?, |sqlite| count_sql(sqlite, query), &counted).await?;
    let counts = counts.first().ok_or_else(|| StoreError::Corrupt("no search count".into()))?;
    let found = [counts.entries, counts.articles, counts.replies];
    let more = found.iter().any(|&n| n > candidates);
    let total = found.iter().map(|&n| n.min(candidates)).sum();
    if total == 0 || offset >= total {
        return Ok(SearchResults { total, more, hits: Vec::new() });
    }
    let (ranking, candidates) = if more {
        (Ranking::TitleThenNewest, offset.saturating_add(limit))
    } else {
        (Ranking::Relevance, candidates)
    };
    let bound = Bound { candidates, ..counted };
    let rows: Vec<RankedRow> = search_rows(held.conn()?, &bound, ranking).await?;
    for row in &rows {
        SearchKind::from_code(row.kind)?;
    }
    let mut hits: Vec<Option<SearchHit>> = vec![None; rows.len()];
    for kind in SearchKind::ALL {
        let ids: Vec<i64> = rows.iter().filter(|r| r.kind == kind.code()).map(|r| r.id).collect();
        if ids.is_empty() {
            continue;
        }
        for detail in search_details(held.conn()?, kind, query, filter, &ids).await? {
            let position = rows
                .iter()
                .position(|r| r.kind == kind.code() && r.id == detail.id)
                .ok_or_else(|| StoreError::Corrupt(format!("search hit {}", detail.id)))?;
            hits[position] = Some(detail.into_hit(kind)?);
        }
    }
    // An item deleted between the queries is left out.
    Ok(SearchResults { total, more, hits: hits.into_iter().flatten().collect() })
}

/// Runs a search query made by `sql` (given whether the backend is SQLite) on `conn`, with the
/// shared parameters bound per backend ([`FILTERS`]).
async fn search_fetch<O>(
    conn: Conn<'_>,
    sql: impl Fn(bool) -> String,
    bound: &Bound<'_>,
) -> Result<Vec<O>>
where
    O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let wants = |kind| bound.filter.kinds.contains(&kind);
    let author = bound.filter.author;
    let rows = match conn {
        Conn::Sqlite(conn) => {
            let [in_title, not_in_title, unwanted] = fts5_title_split(bound.query, bound.filter);
            sqlx::query_as(AssertSqlSafe(sql(true)))
                .bind(fts5_match(bound.query, KINDS[0].columns, bound.filter))
                .bind(author)
                .bind(bound.filter.since)
                .bind(bound.filter.before)
                .bind(wants(SearchKind::Entry))
                .bind(wants(SearchKind::Article))
                .bind(wants(SearchKind::Reply))
                .bind(bound.limit)
                .bind(bound.offset)
                .bind(bound.candidates)
                .bind(Option::<i64>::None)
                .bind(fts5_match(bound.query, KINDS[2].columns, bound.filter))
                .bind(in_title)
                .bind(not_in_title)
                .bind(unwanted)
                .fetch_all(conn)
                .await
        }
        Conn::Postgres(conn) => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql(false)))
                .bind("")
                .bind(author)
                .bind(bound.filter.since)
                .bind(bound.filter.before)
                .bind(wants(SearchKind::Entry))
                .bind(wants(SearchKind::Article))
                .bind(wants(SearchKind::Reply))
                .bind(bound.limit)
                .bind(bound.offset)
                .bind(bound.candidates);
            for term in pg_terms(bound.query) {
                q = q.bind(term);
            }
            // Planned for these values each time: a prepared statement's generic plan, blind
            // to how rare the words are, walks the primary key newest first and tests every
            // row (seconds for a word in one entry of a thousand).
            q.persistent(false).fetch_all(conn).await
        }
    };
    rows.map_err(over_budget)
}

async fn search_rows(
    conn: Conn<'_>,
    bound: &Bound<'_>,
    ranking: Ranking,
) -> Result<Vec<RankedRow>> {
    search_fetch(conn, |sqlite| ranked_sql(sqlite, bound.query, ranking), bound).await
}

async fn search_details(
    conn: Conn<'_>,
    kind: SearchKind,
    query: &SearchQuery,
    filter: &SearchFilter,
    ids: &[i64],
) -> Result<Vec<DetailRow>> {
    let rows = match conn {
        Conn::Sqlite(conn) => {
            let slots = sqlite_id_slots(ids.len());
            let sql = detail_sql(true, kind, query, slots);
            let columns = KINDS[kind.code() as usize].columns;
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(fts5_match(query, columns, filter));
            for id in ids.iter().copied().chain(std::iter::repeat(0)).take(slots) {
                q = q.bind(id);
            }
            q.fetch_all(conn).await
        }
        Conn::Postgres(conn) => {
            let sql = detail_sql(false, kind, query, ids.len());
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(ids);
            for term in pg_terms(query) {
                q = q.bind(term);
            }
            q.fetch_all(conn).await
        }
    };
    rows.map_err(over_budget)
}

/// How many of the newest entries matching an entry's key words its related posts are chosen
/// from (by relevance): related lists are computed in the background, so they can afford
/// more than a reader's search.
pub const RELATED_CANDIDATES: i64 = 5000;

impl Store {
    /// The ids of the `limit` shown entries that best match `query` (by `author` alone, when
    /// given), by relevance among the newest [`RELATED_CANDIDATES`] matches; for related
    /// posts. Computed in the background, without a reader's time budget.
    pub async fn best_matching_entries(
        &self,
        query: &SearchQuery,
        author: Option<i64>,
        limit: i64,
    ) -> Result<Vec<i64>> {
        if query.all.is_empty() && query.any.is_empty() {
            return Ok(Vec::new());
        }
        let filter =
            SearchFilter { author, kinds: vec![SearchKind::Entry], ..SearchFilter::default() };
        let bound =
            Bound { query, filter: &filter, limit, offset: 0, candidates: RELATED_CANDIDATES };
        let rows = on_pool!(&self.db, pool => {
            let mut conn = pool.acquire().await?;
            search_rows(Conn::from(&mut *conn), &bound, Ranking::Relevance).await?
        });
        Ok(rows.into_iter().map(|row| row.id).collect())
    }
}

/// The values of [`tsquery`]'s parameters, in order.
fn pg_terms(query: &SearchQuery) -> Vec<String> {
    query.terms().map(|t| if t.prefix { prefix_tsquery(&t.text) } else { t.text.clone() }).collect()
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
            id: self.id,
            place,
            title: self.title.unwrap_or_default(),
            author: stored_name(&self.author)?,
            guest: self.guest_name,
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
                    let mut tx = pool.begin_with(self.db.begin_write()).await?;
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().unwrap()
    }

    #[test]
    fn a_period_is_covered_by_whole_years_between_the_months_at_its_ends() {
        let tokens = |since, before| period_tokens(since, before).unwrap().join(" ");
        assert_eq!(tokens(at(2012, 1, 1), at(2013, 1, 1)), "y2012");
        assert_eq!(tokens(at(2012, 5, 6), at(2012, 5, 7)), "d201205");
        assert_eq!(tokens(at(2012, 5, 6), at(2012, 7, 1)), "d201205 d201206");
        assert_eq!(
            tokens(at(2011, 11, 30), at(2014, 2, 2)),
            "d201111 d201112 y2012 y2013 d201401 d201402"
        );
        // A moment past midnight on the first reaches into that month.
        let late = at(2013, 1, 1) + chrono::Duration::seconds(1);
        assert_eq!(tokens(at(2012, 1, 1), late), "y2012 d201301");
        assert_eq!(tokens(at(2012, 5, 6), at(2012, 5, 6)), "");
        assert_eq!(tokens(at(2012, 5, 6), at(2011, 1, 1)), "");
    }

    #[test]
    fn a_page_of_ids_takes_one_of_a_few_statement_shapes() {
        let slots: Vec<usize> = [0, 1, 2, 3, 5, 8, 9, 20, 100].map(sqlite_id_slots).into();
        assert_eq!(slots, [1, 1, 2, 4, 8, 8, 16, 32, 128]);
        // A page of up to 100 ids: 8 statements for each kind, where there were 100.
        let mut shapes: Vec<usize> = (1..=100).map(sqlite_id_slots).collect();
        shapes.dedup();
        assert_eq!(shapes.len(), 8);
    }

    #[test]
    fn a_long_period_is_left_to_the_sql() {
        assert!(period_tokens(at(1990, 1, 1), at(2030, 1, 1)).is_some(), "40 years");
        assert_eq!(period_tokens(at(1990, 2, 1), at(2030, 1, 1)), None, "11 months, 39 years");
        assert_eq!(period_tokens(at(1000, 1, 1), at(2030, 1, 1)), None);
        assert_eq!(period_tokens(at(999, 1, 1), at(1000, 1, 1)).unwrap(), ["y0999"]);
        assert_eq!(period_tokens(at(9999, 1, 1), at(10000, 1, 1)), None);
        let filter = SearchFilter {
            since: Some(at(1000, 1, 1)),
            before: Some(at(2030, 1, 1)),
            ..SearchFilter::default()
        };
        let query = SearchQuery {
            all: vec![SearchTerm { text: "x".into(), prefix: false }],
            ..SearchQuery::default()
        };
        assert!(!fts5_match(&query, "{title}", &filter).contains("owner"));
    }
}
