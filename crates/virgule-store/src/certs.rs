//! Certifications (docs/trust.md): one current (issuer, subject, level) per pair, the newest
//! winning, and the members' computed trust levels that the metric writes back.

use chrono::{DateTime, Utc};

use crate::db::on_pool;
use crate::members::stored_name;
use crate::{Cert, CertLevel, MemberName, Result, Store, StoreError, TrustLevel};

const DELETE_CERT: &str = "DELETE FROM certs WHERE issuer_id = $1 AND subject_id = $2";

const INSERT_CERT: &str =
    "INSERT INTO certs (issuer_id, subject_id, level, created_at) VALUES ($1, $2, $3, $4)";

const CERTS_RECEIVED: &str = "SELECT m.name, c.level, c.created_at FROM certs c \
     JOIN members m ON m.id = c.issuer_id WHERE c.subject_id = $1 ORDER BY m.name";

const CERTS_GIVEN: &str = "SELECT m.name, c.level, c.created_at FROM certs c \
     JOIN members m ON m.id = c.subject_id WHERE c.issuer_id = $1 ORDER BY m.name";

const CERT_LEVEL: &str = "SELECT level FROM certs WHERE issuer_id = $1 AND subject_id = $2";

const ALL_CERTS: &str = "SELECT issuer_id, subject_id, level FROM certs ORDER BY id";

/// Certifications between members who are not suspended, by name, in id order.
const CERT_GRAPH: &str = "SELECT i.name, s.name, c.level FROM certs c \
     JOIN members i ON i.id = c.issuer_id JOIN members s ON s.id = c.subject_id \
     WHERE NOT i.suspended AND NOT s.suspended ORDER BY c.id";

const SET_TRUST_LEVEL: &str = "UPDATE members SET trust_level = $2 WHERE id = $1";

const SAVE_TRUST_RUN: &str = "INSERT INTO trust_runs (id, finished_at, summary) VALUES (1, $1, $2) \
     ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, summary = excluded.summary";

const LAST_TRUST_RUN: &str = "SELECT finished_at, summary FROM trust_runs WHERE id = 1";

#[derive(sqlx::FromRow)]
struct CertRow {
    name: String,
    level: String,
    created_at: DateTime<Utc>,
}

impl CertRow {
    fn into_cert(self) -> Result<Cert> {
        Ok(Cert {
            name: stored_name(&self.name)?,
            level: stored_level(&self.level)?,
            at: self.created_at,
        })
    }
}

fn stored_level(raw: &str) -> Result<CertLevel> {
    CertLevel::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("certification level {raw:?}")))
}

impl Store {
    /// Records that `issuer_id` certifies `subject_id` at `level`, replacing any earlier
    /// certification of the pair. The replacement gets a new id, so that [`Store::all_certs`]
    /// lists it after every older one. Certifying oneself is [`StoreError::Refused`].
    pub async fn certify(&self, issuer_id: i64, subject_id: i64, level: CertLevel) -> Result<()> {
        if issuer_id == subject_id {
            return Err(StoreError::Refused("members cannot certify themselves".to_owned()));
        }
        let created_at = crate::now();
        let written: Result<(), sqlx::Error> = on_pool!(&self.db, pool => {
            async {
                let mut tx = pool.begin_with(self.db.begin_write()).await?;
                sqlx::query(DELETE_CERT).bind(issuer_id).bind(subject_id).execute(&mut *tx).await?;
                sqlx::query(INSERT_CERT)
                    .bind(issuer_id)
                    .bind(subject_id)
                    .bind(level.as_str())
                    .bind(created_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            .await
        });
        // Two certifications of the same pair racing on PostgreSQL: one insert loses.
        written.map_err(|e| {
            crate::conflict_or(e, || {
                "that certification was changed at the same moment; try again".to_owned()
            })
        })
    }

    /// Withdraws the certification `issuer_id` gave `subject_id`; `false` if there was none.
    pub async fn withdraw_cert(&self, issuer_id: i64, subject_id: i64) -> Result<bool> {
        let deleted = on_pool!(&self.db, pool => {
            sqlx::query(DELETE_CERT)
                .bind(issuer_id)
                .bind(subject_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    /// The level at which `issuer_id` certifies `subject_id` now, if at all.
    pub async fn cert_level(&self, issuer_id: i64, subject_id: i64) -> Result<Option<CertLevel>> {
        let level: Option<String> = on_pool!(&self.db, pool => {
            sqlx::query_scalar(CERT_LEVEL)
                .bind(issuer_id)
                .bind(subject_id)
                .fetch_optional(pool)
                .await?
        });
        level.as_deref().map(stored_level).transpose()
    }

    /// The certifications others gave `member_id`, by issuer name.
    pub async fn certs_received(&self, member_id: i64) -> Result<Vec<Cert>> {
        self.certs_by(CERTS_RECEIVED, member_id).await
    }

    /// The certifications `member_id` gave others, by subject name.
    pub async fn certs_given(&self, member_id: i64) -> Result<Vec<Cert>> {
        self.certs_by(CERTS_GIVEN, member_id).await
    }

    async fn certs_by(&self, sql: &'static str, member_id: i64) -> Result<Vec<Cert>> {
        let rows: Vec<CertRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(sql).bind(member_id).fetch_all(pool).await?
        });
        rows.into_iter().map(CertRow::into_cert).collect()
    }

    /// Every current certification as `(issuer_id, subject_id, level)`, oldest first (by id):
    /// the trust metric's input, in the stable order docs/trust.md asks for.
    pub async fn all_certs(&self) -> Result<Vec<(i64, i64, CertLevel)>> {
        let rows: Vec<(i64, i64, String)> = on_pool!(&self.db, pool => {
            sqlx::query_as(ALL_CERTS).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(issuer_id, subject_id, level)| {
                Ok((issuer_id, subject_id, stored_level(&level)?))
            })
            .collect()
    }

    /// The graph the trust metric ranks, by name: every current certification as
    /// `(issuer, subject, level)` in the stable order of [`Store::all_certs`], without those
    /// given or received by a suspended member (which count for nobody while the suspension
    /// lasts), so that ranking this list ranks as the site does.
    pub async fn cert_graph(&self) -> Result<Vec<(MemberName, MemberName, CertLevel)>> {
        let rows: Vec<(String, String, String)> = on_pool!(&self.db, pool => {
            sqlx::query_as(CERT_GRAPH).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(issuer, subject, level)| {
                Ok((stored_name(&issuer)?, stored_name(&subject)?, stored_level(&level)?))
            })
            .collect()
    }

    /// Stores computed trust levels, all in one transaction so that pages never show half
    /// of a computation. Members not listed keep their level; ids of no member are skipped.
    pub async fn set_trust_levels(&self, levels: &[(i64, TrustLevel)]) -> Result<()> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            for &(member_id, level) in levels {
                sqlx::query(SET_TRUST_LEVEL)
                    .bind(member_id)
                    .bind(crate::model::rank_of_level(level))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Keeps the last recomputation's summary (JSON the caller owns) for every node to show.
    pub async fn save_trust_run(&self, finished_at: DateTime<Utc>, summary: &str) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(SAVE_TRUST_RUN).bind(finished_at).bind(summary).execute(pool).await?;
        });
        Ok(())
    }

    /// The last recomputation any node finished: when, and its summary as saved.
    pub async fn last_trust_run(&self) -> Result<Option<(DateTime<Utc>, String)>> {
        let row = on_pool!(&self.db, pool => {
            sqlx::query_as(LAST_TRUST_RUN).fetch_optional(pool).await?
        });
        Ok(row)
    }
}
