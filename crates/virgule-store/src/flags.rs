//! Spam flags (docs/trust.md "Spam"): ranked members flag an entry, an article, a reply or an
//! account, each flag weighing its flagger's level when it was made. An item whose flags
//! weigh the site's threshold or more is hidden as spam (`spam = 1` on its row; for an entry
//! the triggers of migration 0009 also set `recent_rank` to -1, so that the recent log's
//! partial indexes never hold it); an admin then judges it not spam (`spam = 2`: its flags
//! are dropped and no new ones are taken) or removes it.

use serde::Serialize;

use crate::db::on_pool;
use crate::{EntryNumber, Result, Store, StoreError};

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagKind {
    Entry,
    Article,
    Reply,
    Account,
}

impl FlagKind {
    pub const ALL: [FlagKind; 4] =
        [FlagKind::Entry, FlagKind::Article, FlagKind::Reply, FlagKind::Account];

    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::Entry => "entry",
            FlagKind::Article => "article",
            FlagKind::Reply => "reply",
            FlagKind::Account => "account",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn sql(self) -> &'static KindSql {
        match self {
            FlagKind::Entry => &ENTRY_SQL,
            FlagKind::Article => &ARTICLE_SQL,
            FlagKind::Reply => &REPLY_SQL,
            FlagKind::Account => &ACCOUNT_SQL,
        }
    }
}

/// An item as its public address names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagKey {
    /// Entry `number` of the diary named `author`.
    Entry {
        author: String,
        number: EntryNumber,
    },
    Article(i64),
    Reply(i64),
    Account(String),
}

impl FlagKey {
    pub fn kind(&self) -> FlagKind {
        match self {
            FlagKey::Entry { .. } => FlagKind::Entry,
            FlagKey::Article(_) => FlagKind::Article,
            FlagKey::Reply(_) => FlagKind::Reply,
            FlagKey::Account(_) => FlagKind::Account,
        }
    }
}

/// A flaggable item as stored: its row id, its author's id (the account itself for an
/// account) and its spam state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagSubject {
    pub kind: FlagKind,
    pub id: i64,
    pub author_id: i64,
    pub state: SpamState,
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpamState {
    Shown,
    Hidden,
    /// An admin judged it not spam: flags of it are no longer taken.
    NotSpam,
}

impl SpamState {
    fn from_stored(v: i16) -> Self {
        match v {
            1 => SpamState::Hidden,
            2 => SpamState::NotSpam,
            _ => SpamState::Shown,
        }
    }
}

/// What the flags of an item weigh now, and whether it is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FlagTally {
    pub weight: i64,
    pub hidden: bool,
}

/// An item hidden as spam, as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SpamItem {
    #[sqlx(try_from = "String")]
    pub kind: SpamKindText,
    pub id: i64,
    pub author: String,
    /// The item as a flag names it (`NAME/K`, `N`, the reply id, `NAME`).
    pub target: String,
    pub label: String,
    pub href: String,
    pub weight: i64,
}

/// A [`FlagKind`] read back from a query's text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpamKindText(pub FlagKind);

impl TryFrom<String> for SpamKindText {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self> {
        FlagKind::parse(&s)
            .map(SpamKindText)
            .ok_or_else(|| StoreError::Corrupt(format!("spam item kind {s:?}")))
    }
}

/// What removing all of an account's writing removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub entries: u64,
    pub articles: u64,
    /// Replies removed or, when others had answered them, left as "[deleted]".
    pub replies: u64,
}

/// The statements of one kind of item (its table and its column in `flags`).
struct KindSql {
    insert: &'static str,
    delete: &'static str,
    weight: &'static str,
    hide: &'static str,
    unhide: &'static str,
    drop_flags: &'static str,
    not_spam: &'static str,
}

macro_rules! kind_sql {
    ($table:literal, $col:literal) => {
        KindSql {
            insert: concat!(
                "INSERT INTO flags (flagger_id, ",
                $col,
                ", weight, flagged_at) VALUES ($1, $2, $3, $4)"
            ),
            delete: concat!("DELETE FROM flags WHERE flagger_id = $1 AND ", $col, " = $2"),
            weight: concat!(
                "SELECT CAST(COALESCE(SUM(weight), 0) AS BIGINT) FROM flags WHERE ",
                $col,
                " = $1"
            ),
            hide: concat!("UPDATE ", $table, " SET spam = 1 WHERE id = $1 AND spam = 0"),
            unhide: concat!("UPDATE ", $table, " SET spam = 0 WHERE id = $1 AND spam = 1"),
            drop_flags: concat!("DELETE FROM flags WHERE ", $col, " = $1"),
            not_spam: concat!("UPDATE ", $table, " SET spam = 2 WHERE id = $1"),
        }
    };
}

const ENTRY_SQL: KindSql = kind_sql!("entries", "entry_id");
const ARTICLE_SQL: KindSql = kind_sql!("articles", "article_id");
const REPLY_SQL: KindSql = kind_sql!("replies", "reply_id");
const ACCOUNT_SQL: KindSql = kind_sql!("members", "account_id");

const ENTRY_SUBJECT: &str = "SELECT e.id, e.member_id, e.spam FROM entries e \
     JOIN members m ON m.id = e.member_id WHERE m.name = $1 AND e.number = $2";
const ARTICLE_SUBJECT: &str = "SELECT id, member_id, spam FROM articles WHERE number = $1";
const REPLY_SUBJECT: &str = "SELECT id, member_id, spam FROM replies WHERE id = $1 AND NOT deleted";
const ACCOUNT_SUBJECT: &str = "SELECT id, id, spam FROM members WHERE name = $1";

/// Every hidden item, heaviest first: the admin page's queue (read through the `*_spam`
/// partial indexes).
const SPAM_QUEUE: &str = "SELECT * FROM (\
     SELECT 'entry' AS kind, e.id, m.name AS author, \
       m.name || '/' || CAST(e.number AS TEXT) AS target, e.title AS label, \
       '/person/' || m.name || '/diary/' || CAST(e.number AS TEXT) || '.html' AS href, \
       (SELECT CAST(COALESCE(SUM(f.weight), 0) AS BIGINT) FROM flags f WHERE f.entry_id = e.id) AS weight \
     FROM entries e JOIN members m ON m.id = e.member_id WHERE e.spam = 1 \
     UNION ALL \
     SELECT 'article', a.id, m.name, CAST(a.number AS TEXT), a.title, \
       '/article/' || CAST(a.number AS TEXT) || '.html', \
       (SELECT CAST(COALESCE(SUM(f.weight), 0) AS BIGINT) FROM flags f WHERE f.article_id = a.id) \
     FROM articles a JOIN members m ON m.id = a.member_id WHERE a.spam = 1 \
     UNION ALL \
     SELECT 'reply', r.id, m.name, CAST(r.id AS TEXT), 'reply ' || CAST(r.id AS TEXT), \
       CASE WHEN r.article_id IS NOT NULL \
         THEN '/article/' || CAST(a.number AS TEXT) || '.html#reply-' || CAST(r.id AS TEXT) \
         ELSE '/person/' || em.name || '/diary/' || CAST(e.number AS TEXT) || '.html#reply-' \
           || CAST(r.id AS TEXT) END, \
       (SELECT CAST(COALESCE(SUM(f.weight), 0) AS BIGINT) FROM flags f WHERE f.reply_id = r.id) \
     FROM replies r JOIN members m ON m.id = r.member_id \
     LEFT JOIN articles a ON a.id = r.article_id LEFT JOIN entries e ON e.id = r.entry_id \
     LEFT JOIN members em ON em.id = e.member_id WHERE r.spam = 1 AND NOT r.deleted \
     UNION ALL \
     SELECT 'account', m.id, m.name, m.name, m.name, '/person/' || m.name || '/', \
       (SELECT CAST(COALESCE(SUM(f.weight), 0) AS BIGINT) FROM flags f WHERE f.account_id = m.id) \
     FROM members m WHERE m.spam = 1\
     ) q ORDER BY weight DESC, kind, id";

const REMOVE_ENTRY: &str = "DELETE FROM entries WHERE id = $1 RETURNING member_id";
const UNCOUNT_ENTRY: &str = "UPDATE members \
     SET entry_count = entry_count - 1, diary_version = diary_version + 1 WHERE id = $1";
const REMOVE_ARTICLE: &str = "DELETE FROM articles WHERE id = $1";

const PURGE_ENTRIES: &str = "DELETE FROM entries WHERE member_id = $1";
const PURGE_COUNT: &str = "UPDATE members \
     SET entry_count = 0, diary_version = diary_version + 1, spam = 0 WHERE id = $1";
const PURGE_ARTICLES: &str = "DELETE FROM articles WHERE member_id = $1";
/// Every reply of theirs becomes a placeholder; then those nobody answered go.
const PURGE_BLANK_REPLIES: &str = "UPDATE replies SET deleted = TRUE, body_source = '', \
     html = '', search_text = '' WHERE member_id = $1 AND NOT deleted";
const PURGE_UNANSWERED: &str = "DELETE FROM replies WHERE member_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM replies c WHERE c.parent_id = replies.id)";
const PURGE_ACCOUNT_FLAGS: &str = "DELETE FROM flags WHERE account_id = $1";

impl Store {
    /// The item `key` names, with its author and spam state; `None` if there is none (a
    /// deleted reply's placeholder counts as none).
    pub async fn flag_subject(&self, key: &FlagKey) -> Result<Option<FlagSubject>> {
        let row: Option<(i64, i64, i16)> = on_pool!(&self.db, pool => {
            match key {
                FlagKey::Entry { author, number } => sqlx::query_as(ENTRY_SUBJECT)
                    .bind(author.as_str()).bind(*number).fetch_optional(pool).await?,
                FlagKey::Article(n) => {
                    sqlx::query_as(ARTICLE_SUBJECT).bind(*n).fetch_optional(pool).await?
                }
                FlagKey::Reply(id) => {
                    sqlx::query_as(REPLY_SUBJECT).bind(*id).fetch_optional(pool).await?
                }
                FlagKey::Account(name) => sqlx::query_as(ACCOUNT_SUBJECT)
                    .bind(name.as_str()).fetch_optional(pool).await?,
            }
        });
        Ok(row.map(|(id, author_id, spam)| FlagSubject {
            kind: key.kind(),
            id,
            author_id,
            state: SpamState::from_stored(spam),
        }))
    }

    /// Records `flagger_id`'s flag of `subject` with `weight`, and hides the item if its
    /// flags now weigh `threshold` or more. [`StoreError::Conflict`] if that member already
    /// flagged it.
    pub async fn add_flag(
        &self,
        flagger_id: i64,
        subject: &FlagSubject,
        weight: i16,
        threshold: i64,
    ) -> Result<FlagTally> {
        let sql = subject.kind.sql();
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            sqlx::query(sql.insert)
                .bind(flagger_id)
                .bind(subject.id)
                .bind(weight)
                .bind(crate::now())
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::conflict_or(e, || "you have already flagged this".to_owned()))?;
            let total: i64 = sqlx::query_scalar(sql.weight).bind(subject.id).fetch_one(&mut *tx).await?;
            let hidden = total >= threshold;
            if hidden {
                sqlx::query(sql.hide).bind(subject.id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(FlagTally { weight: total, hidden })
        })
    }

    /// Withdraws `flagger_id`'s flag of `subject`; the item is shown again if its flags now
    /// weigh less than `threshold`. [`StoreError::NotFound`] if there was no such flag.
    pub async fn remove_flag(
        &self,
        flagger_id: i64,
        subject: &FlagSubject,
        threshold: i64,
    ) -> Result<FlagTally> {
        let sql = subject.kind.sql();
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let gone = sqlx::query(sql.delete)
                .bind(flagger_id)
                .bind(subject.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 0 {
                return Err(StoreError::NotFound);
            }
            let total: i64 = sqlx::query_scalar(sql.weight).bind(subject.id).fetch_one(&mut *tx).await?;
            let hidden = total >= threshold;
            if !hidden {
                sqlx::query(sql.unhide).bind(subject.id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(FlagTally { weight: total, hidden: hidden && subject.state != SpamState::NotSpam })
        })
    }

    /// An admin's "not spam": drops the item's flags, shows it, and takes no more flags of it.
    pub async fn judge_not_spam(&self, subject: &FlagSubject) -> Result<()> {
        let sql = subject.kind.sql();
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            sqlx::query(sql.drop_flags).bind(subject.id).execute(&mut *tx).await?;
            sqlx::query(sql.not_spam).bind(subject.id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every item hidden as spam, heaviest flags first.
    pub async fn spam_queue(&self) -> Result<Vec<SpamItem>> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_as(SPAM_QUEUE).fetch_all(pool).await?
        }))
    }

    /// Deletes an entry or an article (its replies go with it). Replies and accounts have
    /// their own ways: [`Store::delete_reply`], [`Store::purge_member_writing`].
    pub async fn remove_flagged(&self, subject: &FlagSubject) -> Result<()> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            match subject.kind {
                FlagKind::Entry => {
                    let owner: Option<i64> = sqlx::query_scalar(REMOVE_ENTRY)
                        .bind(subject.id).fetch_optional(&mut *tx).await?;
                    let owner = owner.ok_or(StoreError::NotFound)?;
                    sqlx::query(UNCOUNT_ENTRY).bind(owner).execute(&mut *tx).await?;
                }
                FlagKind::Article => {
                    let gone = sqlx::query(REMOVE_ARTICLE)
                        .bind(subject.id).execute(&mut *tx).await?.rows_affected();
                    if gone == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                FlagKind::Reply | FlagKind::Account => {
                    return Err(StoreError::Refused(format!(
                        "a {} is not removed this way",
                        subject.kind.as_str()
                    )));
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes every entry and article of `member_id`, and every reply (those others
    /// answered stay as "[deleted]"); drops the flags of the account itself.
    pub async fn purge_member_writing(&self, member_id: i64) -> Result<Purged> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let entries =
                sqlx::query(PURGE_ENTRIES).bind(member_id).execute(&mut *tx).await?.rows_affected();
            sqlx::query(PURGE_COUNT).bind(member_id).execute(&mut *tx).await?;
            let articles =
                sqlx::query(PURGE_ARTICLES).bind(member_id).execute(&mut *tx).await?.rows_affected();
            let replies = sqlx::query(PURGE_BLANK_REPLIES)
                .bind(member_id).execute(&mut *tx).await?.rows_affected();
            sqlx::query(PURGE_UNANSWERED).bind(member_id).execute(&mut *tx).await?;
            sqlx::query(PURGE_ACCOUNT_FLAGS).bind(member_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Purged { entries, articles, replies })
        })
    }
}
