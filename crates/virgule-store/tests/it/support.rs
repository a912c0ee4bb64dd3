//! Small builders shared by the tests.

use chrono::{DateTime, TimeZone, Utc};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use virgule_store::testing::TestDb;
use virgule_store::{
    Backend, EntryDraft, EntryFormat, Member, MemberName, NewMember, SQLITE_FILE, Store,
    SyndicatedDraft,
};

pub fn name(raw: &str) -> MemberName {
    MemberName::parse(raw).unwrap()
}

/// Registers `raw` with a placeholder password hash.
pub async fn member(store: &Store, raw: &str) -> Member {
    store
        .create_member(&NewMember {
            name: name(raw),
            email: Some(format!("{raw}@example.org")),
            password_hash: format!("hash-of-{raw}"),
        })
        .await
        .unwrap()
}

pub fn draft(title: &str, tags: &[&str]) -> EntryDraft {
    EntryDraft {
        title: title.to_owned(),
        format: EntryFormat::Markdown,
        body_source: format!("Body of *{title}*"),
        html: format!("<p>Body of <em>{title}</em></p>"),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// A UTC time on a given day and hour (2010s dates, as on the Advogato seed).
pub fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

/// A post as a feed fetch brings it, named by its identity in the feed.
pub fn post(identity: &str, published: DateTime<Utc>) -> SyndicatedDraft {
    SyndicatedDraft {
        identity: identity.to_owned(),
        content_hash: format!("hash-{identity}"),
        title: format!("Post {identity}"),
        html: format!("<p>{identity}</p>"),
        tags: vec!["linux".to_owned()],
        original_url: Some(format!("https://blog.example/{identity}/")),
        feed_title: "etbe – Russell Coker".to_owned(),
        published,
        sort_at: published,
        in_recentlog: true,
    }
}

/// A second connection to a test's database, outside the store's pool: another writer.
pub enum Other {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Other {
    /// Connects without waiting for locks: SQLite's busy timeout is zero, and PostgreSQL's
    /// lock below is taken with NOWAIT.
    pub async fn connect(db: &TestDb) -> Other {
        match db.backend() {
            Backend::Sqlite => {
                let [_, dir] = db.cli_args();
                let file = std::path::Path::new(&dir).join(SQLITE_FILE);
                let options = SqliteConnectOptions::new()
                    .filename(file)
                    .busy_timeout(std::time::Duration::ZERO);
                Other::Sqlite(options.connect().await.unwrap())
            }
            Backend::Postgres => {
                Other::Postgres(PgConnection::connect(db.database_url().unwrap()).await.unwrap())
            }
        }
    }

    /// Opens a transaction that keeps every other connection from writing members: SQLite's
    /// write lock, or on PostgreSQL a lock on `members` that conflicts with inserts (and with
    /// a transaction that has inserted and is not over).
    pub async fn lock_writes(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Other::Sqlite(conn) => {
                sqlx::query("BEGIN IMMEDIATE").execute(conn).await?;
            }
            Other::Postgres(conn) => {
                sqlx::query("BEGIN").execute(&mut *conn).await?;
                let lock = "LOCK TABLE members IN SHARE ROW EXCLUSIVE MODE NOWAIT";
                if let Err(e) = sqlx::query(lock).execute(&mut *conn).await {
                    sqlx::query("ROLLBACK").execute(&mut *conn).await?;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    pub async fn unlock(&mut self) {
        match self {
            Other::Sqlite(conn) => {
                sqlx::query("ROLLBACK").execute(conn).await.unwrap();
            }
            Other::Postgres(conn) => {
                sqlx::query("ROLLBACK").execute(conn).await.unwrap();
            }
        }
    }
}
