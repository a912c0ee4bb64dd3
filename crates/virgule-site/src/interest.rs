//! Interest scores (docs/trust.md "Diary ratings"): turns the stored ratings and
//! certifications into every reader's score per author with the pure propagation of
//! `virgule_trust::interest`, stores them for pages to read, and reruns after ratings or
//! certifications change, debounced like the trust recomputation.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use tokio::sync::Notify;
use virgule_store::{InterestRow, InterestScore, Store, StoreError};
use virgule_trust::interest::{MAX_HOPS, propagate};

/// The lease (in the database) that keeps computations on one node at a time: two nodes
/// replacing the scores from different snapshots could leave the older one's last.
pub const LEASE: &str = "interest-recompute";

/// How long a holder may keep the lease: far longer than a computation (about a second of
/// propagation and a bulk write on a site of thousands), and what a crashed holder costs the
/// others at most.
const LEASE_TTL: Duration = Duration::from_secs(300);

/// How often a computation waiting for the lease asks again.
const LEASE_POLL: Duration = Duration::from_millis(250);

/// Why a computation failed (the stored scores stay as they were).
#[derive(Debug, Error)]
pub enum InterestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the interest computation stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What a computation did, for the log and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestSummary {
    /// Members taken into account (suspended ones are left out).
    pub members: usize,
    /// Ratings taken into account.
    pub ratings: usize,
    /// Propagation passes run (each spreads ratings one certification further).
    pub passes: usize,
    /// The last pass changed nothing (else the hop bound stopped it).
    pub converged: bool,
    /// (reader, author) scores stored.
    pub scores: usize,
}

/// Reads members, certifications (any level) and ratings, propagates, and replaces the
/// stored scores, on one node at a time: it first waits for the [`LEASE`].
///
/// A suspended member is left out: their ratings and certifications count for nobody, and
/// they get no scores, as in the trust metric.
pub async fn recompute(store: &Store) -> Result<InterestSummary, InterestError> {
    let lease = loop {
        match store.try_lease(LEASE, LEASE_TTL).await? {
            Some(lease) => break lease,
            None => tokio::time::sleep(LEASE_POLL).await,
        }
    };
    let result = recompute_holding_lease(store).await;
    if let Err(e) = store.release_lease(&lease).await {
        // It expires on its own; the next run waits at most LEASE_TTL.
        tracing::warn!(error = %e, "could not give the interest lease back");
    }
    result
}

async fn recompute_holding_lease(store: &Store) -> Result<InterestSummary, InterestError> {
    let (members, certs, ratings) =
        tokio::try_join!(store.members_by_id(), store.all_certs(), store.all_ratings())?;
    let active: Vec<i64> = members.iter().filter(|m| !m.suspended).map(|m| m.id).collect();
    let counted: HashSet<i64> = active.iter().copied().collect();
    let rating_count =
        ratings.iter().filter(|(r, a, _)| counted.contains(r) && counted.contains(a)).count();
    let member_count = active.len();
    // CPU-bound (about a second on a site of thousands): keep it off the async workers.
    let (rows, passes, converged) = tokio::task::spawn_blocking(move || {
        let certs = certs.into_iter().map(|(issuer, subject, _)| (issuer, subject));
        let interest = propagate(active, certs, ratings, MAX_HOPS);
        let rows: Vec<InterestRow> = interest
            .scores()
            .map(|(&reader, &author, s)| {
                let score =
                    InterestScore { confidence: s.confidence, mean: s.mean, mean_sq: s.mean_sq };
                (reader, author, score)
            })
            .collect();
        (rows, interest.passes(), interest.converged())
    })
    .await?;
    store.replace_interest_scores(&rows).await?;
    Ok(InterestSummary {
        members: member_count,
        ratings: rating_count,
        passes,
        converged,
        scores: rows.len(),
    })
}

/// Reruns [`recompute`] in the background after ratings or certifications change. Cheap to
/// clone.
#[derive(Clone)]
pub struct InterestRecomputer {
    store: Store,
    changes: Arc<Notify>,
}

impl InterestRecomputer {
    pub fn new(store: Store) -> Self {
        InterestRecomputer { store, changes: Arc::new(Notify::new()) }
    }

    /// Tells the task that ratings or certifications changed; returns at once.
    pub fn changed(&self) {
        self.changes.notify_one();
    }

    /// Computes once, then after every burst of changes, until `shutdown` completes.
    /// Failures are logged and the task goes on.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        tokio::select! {
            () = self.recompute_now() => {}
            () = &mut shutdown => return,
        }
        self.watch(shutdown).await;
    }

    /// Computes after every burst of changes (not at start), until `shutdown` completes.
    pub async fn watch(self, shutdown: impl Future<Output = ()>) {
        crate::debounce::on_changes(&self.changes, shutdown, || self.recompute_now()).await;
    }

    /// Computes now and logs the outcome (a failure too: the scores then stay as they were).
    pub async fn recompute_now(&self) {
        match recompute(&self.store).await {
            Ok(s) => tracing::info!(
                members = s.members,
                ratings = s.ratings,
                passes = s.passes,
                converged = s.converged,
                scores = s.scores,
                "interest scores recomputed"
            ),
            Err(e) => tracing::error!(error = %e, "interest recomputation failed"),
        }
    }
}
