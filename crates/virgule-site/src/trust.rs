//! Trust recomputation (docs/trust.md, docs/design.md §5): turns the stored certifications into every
//! member's level with the pure metric of `virgule-trust`, and a debounced background task
//! that reruns it after certifications change, so that a burst of certifying costs one run.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::Notify;
use virgule_store::{MemberName, Store, StoreError, TrustLevel};
use virgule_trust::{Capacities, CapacityMode, GraphBuilder, GraphError, diagnose};

pub use crate::debounce::DEBOUNCE;

mod report;

pub use report::{
    BLOCKED_NAMED, BottleneckLoad, CapacitySummary, Choke, LevelLoad, SeedLoad, TrustReport,
};

/// The lease (in the database) that keeps recomputations on one node at a time: two nodes
/// writing levels from different snapshots could leave the older one's last.
pub const LEASE: &str = "trust-recompute";

/// How long a holder may keep the lease: far longer than a computation over a million
/// members (about a second of metric), and what a crashed holder costs the others at most.
const LEASE_TTL: Duration = Duration::from_secs(300);

/// How often a recomputation waiting for the lease asks again.
const LEASE_POLL: Duration = Duration::from_millis(250);

/// The metric's site settings, from `Config` (`trust_seeds`, `trust_caps`,
/// `trust_capacity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustSettings {
    /// The accounts the flow starts from, in order; empty means "the admins, by id".
    pub seeds: Vec<MemberName>,
    /// Node capacities by distance from ROOT; the last repeats.
    pub caps: Vec<u32>,
    /// Whether the root's and the seeds' capacities grow with the site.
    pub capacity: CapacityMode,
}

impl Default for TrustSettings {
    /// No seeds (the admins are the seeds), the metric's default capacities, growing.
    fn default() -> Self {
        TrustSettings {
            seeds: Vec::new(),
            caps: virgule_trust::DEFAULT_CAPS.to_vec(),
            capacity: CapacityMode::default(),
        }
    }
}

/// Why a recomputation failed (levels stay as they were).
#[derive(Debug, Error)]
pub enum TrustError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("the trust computation stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("cannot save the trust summary: {0}")]
    Summary(#[from] serde_json::Error),
}

/// One seed the computation started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedUse {
    pub name: MemberName,
    /// How many members this seed certifies (at any level).
    pub certifications: usize,
}

/// What a recomputation did, for the admin (the CLI prints it; the background task logs it;
/// every node's admin page shows the last one, saved in the database as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustSummary {
    /// Members ranked.
    pub members: usize,
    /// How many members were accepted at Apprentice, Journeyer and Master (each count
    /// includes those accepted at higher levels).
    pub accepted: [(TrustLevel, usize); 3],
    /// The seeds used, in the order the flow saw them.
    pub seeds: Vec<SeedUse>,
    /// No seeds are configured, so the admins were the seeds.
    pub admin_fallback: bool,
    /// Members whose stored level changed.
    pub changed: usize,
    /// Unknown seed names, seeds that certify nobody, no seed at all, capacities within 10%
    /// of full (naming the members they keep out).
    pub warnings: Vec<String>,
    /// The capacities used, the attack bound, and each level's flow against the root's and
    /// the seeds' capacities. `None` in summaries saved before it was reported.
    #[serde(default)]
    pub report: Option<TrustReport>,
    /// How long the run took with the lease held: reading the graph, the metric, writing the
    /// changed levels. Zero in summaries saved before it was measured.
    #[serde(default)]
    pub elapsed: Duration,
}

/// Reads members and certifications, ranks everyone and stores the levels that changed, on
/// one node at a time: it first waits for the [`LEASE`] (another node's run finishes first,
/// so this one reads what that one wrote, and every change made meanwhile).
///
/// A suspended member is out of the graph: ranked Observer, and the certifications they gave
/// count for nobody (suspending a spammer also cuts off the accounts they vouched for), while
/// those they received are kept for the day they are reinstated.
pub async fn recompute(
    store: &Store,
    settings: &TrustSettings,
) -> Result<TrustSummary, TrustError> {
    let lease = loop {
        match store.try_lease(LEASE, LEASE_TTL).await? {
            Some(lease) => break lease,
            None => tokio::time::sleep(LEASE_POLL).await,
        }
    };
    let started = Instant::now();
    let result = match recompute_holding_lease(store, settings).await {
        Ok(mut summary) => {
            summary.elapsed = started.elapsed();
            save_run(store, &summary).await.map(|()| summary)
        }
        Err(e) => Err(e),
    };
    if let Err(e) = store.release_lease(&lease).await {
        // It expires on its own; the next run waits at most LEASE_TTL.
        tracing::warn!(error = %e, "could not give the trust lease back");
    }
    result
}

async fn recompute_holding_lease(
    store: &Store,
    settings: &TrustSettings,
) -> Result<TrustSummary, TrustError> {
    let all_members = store.members_by_id().await?;
    let suspended: HashSet<i64> =
        all_members.iter().filter(|m| m.suspended).map(|m| m.id).collect();
    let members: Vec<&virgule_store::Member> =
        all_members.iter().filter(|m| !m.suspended).collect();
    let certs: Vec<_> = store
        .all_certs()
        .await?
        .into_iter()
        .filter(|(issuer, subject, _)| !suspended.contains(issuer) && !suspended.contains(subject))
        .collect();
    let mut warnings = Vec::new();

    let admin_fallback = settings.seeds.is_empty();
    let seed_ids: Vec<i64> = if admin_fallback {
        members.iter().filter(|m| m.is_admin).map(|m| m.id).collect()
    } else {
        let by_name: HashMap<&MemberName, &virgule_store::Member> =
            all_members.iter().map(|m| (&m.name, m)).collect();
        settings
            .seeds
            .iter()
            .filter_map(|name| match by_name.get(name) {
                None => {
                    warnings.push(format!("seed {name} is no member of this site; skipped"));
                    None
                }
                Some(m) if m.suspended => {
                    warnings.push(format!("seed {name} is suspended; skipped"));
                    None
                }
                Some(m) => Some(m.id),
            })
            .collect()
    };
    if seed_ids.is_empty() {
        warnings.push("no seed: nobody can be certified above Observer".to_owned());
    }

    let caps = settings.caps.clone();
    let mode = settings.capacity;
    let member_ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let names: HashMap<i64, String> =
        members.iter().map(|m| (m.id, m.name.as_str().to_owned())).collect();
    let seeds_for_graph = seed_ids.clone();
    // The flow is CPU-bound (seconds on a large site): keep it off the async workers.
    let (levels, accepted, seed_certs, report) = tokio::task::spawn_blocking(move || {
        let mut builder = GraphBuilder::new(seeds_for_graph.iter().copied());
        for &id in &member_ids {
            builder.member(id);
        }
        for (issuer, subject, level) in certs {
            builder.certify(issuer, subject, level.trust_level());
        }
        let graph = builder.build()?;
        let (ranking, report) = diagnose(&graph, &Capacities::new(mode, &caps, &graph));
        let report = TrustReport::new(&report, |i| {
            names.get(&graph.members()[i]).cloned().unwrap_or_default()
        });
        let levels: Vec<(i64, TrustLevel)> =
            graph.members().iter().zip(ranking.levels()).map(|(&id, &level)| (id, level)).collect();
        let accepted = TrustLevel::CERTIFIED.map(|l| (l, ranking.accepted_at(l)));
        let seed_certs: Vec<usize> = (0..graph.seed_count())
            .map(|i| graph.certifications_by(i, TrustLevel::Apprentice))
            .collect();
        Ok::<_, GraphError>((levels, accepted, seed_certs, report))
    })
    .await??;

    let by_id: HashMap<i64, &virgule_store::Member> =
        all_members.iter().map(|m| (m.id, m)).collect();
    let mut seeds = Vec::new();
    for (&id, certifications) in seed_ids.iter().zip(seed_certs) {
        let Some(member) = by_id.get(&id) else { continue };
        seeds.push(SeedUse { name: member.name.clone(), certifications });
    }
    warnings.extend(report.warnings());
    // Only the changes are written: most recomputations move a handful of members.
    let changes: Vec<(i64, TrustLevel)> = levels
        .into_iter()
        .chain(suspended.iter().map(|&id| (id, TrustLevel::Observer)))
        .filter(|(id, level)| by_id.get(id).is_some_and(|m| m.trust_level != *level))
        .collect();
    if !changes.is_empty() {
        store.set_trust_levels(&changes).await?;
    }
    Ok(TrustSummary {
        members: members.len(),
        accepted,
        seeds,
        admin_fallback,
        changed: changes.len(),
        warnings,
        report: Some(report),
        elapsed: Duration::ZERO,
    })
}

/// Reruns [`recompute`] in the background after certifications change. Cheap to clone.
#[derive(Clone)]
pub struct TrustRecomputer {
    store: Store,
    settings: Arc<TrustSettings>,
    changes: Arc<Notify>,
    runs: Arc<RunCounters>,
}

/// The runs this process made, kept in memory so that monitoring reads them without a query.
#[derive(Default)]
struct RunCounters {
    succeeded: AtomicU64,
    failed: AtomicU64,
    last_elapsed: Mutex<Option<Duration>>,
}

/// What [`TrustRecomputer::runs`] reports: totals since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrustRuns {
    pub succeeded: u64,
    pub failed: u64,
    /// How long the last successful run took ([`TrustSummary::elapsed`]); `None` before one.
    pub last_elapsed: Option<Duration>,
}

/// A finished computation and when it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct LastRun {
    pub at: chrono::DateTime<chrono::Utc>,
    pub summary: TrustSummary,
}

async fn save_run(store: &Store, summary: &TrustSummary) -> Result<(), TrustError> {
    let json = serde_json::to_string(summary)?;
    store.save_trust_run(virgule_store::now(), &json).await?;
    Ok(())
}

/// The last computation any node finished, if any. A summary this version cannot read (saved
/// by another version during an upgrade) counts as none, with a warning.
pub async fn last_run(store: &Store) -> Result<Option<LastRun>, StoreError> {
    let Some((at, json)) = store.last_trust_run().await? else { return Ok(None) };
    match serde_json::from_str(&json) {
        Ok(summary) => Ok(Some(LastRun { at, summary })),
        Err(e) => {
            tracing::warn!(error = %e, "the saved trust summary cannot be read");
            Ok(None)
        }
    }
}

impl TrustRecomputer {
    pub fn new(store: Store, settings: TrustSettings) -> Self {
        TrustRecomputer {
            store,
            settings: Arc::new(settings),
            changes: Arc::new(Notify::new()),
            runs: Arc::default(),
        }
    }

    /// Runs [`recompute`] now with this recomputer's settings and counts the run (every
    /// recomputation of a serving process goes through here: the background task's and an
    /// admin's).
    pub async fn recompute(&self) -> Result<TrustSummary, TrustError> {
        let result = recompute(&self.store, &self.settings).await;
        match &result {
            Ok(summary) => {
                *lock(&self.runs.last_elapsed) = Some(summary.elapsed);
                self.runs.succeeded.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                self.runs.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        result
    }

    /// The runs this process made since it started, for `/metrics`. Another node's runs (or
    /// `virgule trust compute`'s) are theirs to report; the last one any node made is
    /// [`last_run`].
    pub fn runs(&self) -> TrustRuns {
        TrustRuns {
            succeeded: self.runs.succeeded.load(Ordering::Relaxed),
            failed: self.runs.failed.load(Ordering::Relaxed),
            last_elapsed: *lock(&self.runs.last_elapsed),
        }
    }

    /// Tells the task that certifications changed; returns at once.
    pub fn changed(&self) {
        // `notify_one` keeps a permit when the task is busy recomputing, so a change made
        // during a run is never missed.
        self.changes.notify_one();
    }

    /// Recomputes once, then after every burst of changes, until `shutdown` completes.
    /// Failures are logged and the task goes on.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        tokio::select! {
            () = self.recompute_now() => {}
            () = &mut shutdown => return,
        }
        self.watch(shutdown).await;
    }

    /// Recomputes after every burst of changes (not at start), until `shutdown` completes:
    /// for callers that ran [`TrustRecomputer::recompute_now`] themselves first.
    pub async fn watch(self, shutdown: impl Future<Output = ()>) {
        crate::debounce::on_changes(&self.changes, shutdown, || self.recompute_now()).await;
    }

    /// Recomputes now and logs the outcome (a failure too: levels then stay as they were).
    pub async fn recompute_now(&self) {
        match self.recompute().await {
            Ok(summary) => {
                let [(_, apprentice), (_, journeyer), (_, master)] = summary.accepted;
                tracing::info!(
                    members = summary.members,
                    apprentice,
                    journeyer,
                    master,
                    changed = summary.changed,
                    ms = summary.elapsed.as_millis() as u64,
                    "trust levels recomputed"
                );
                for warning in &summary.warnings {
                    tracing::warn!("trust metric: {warning}");
                }
            }
            Err(e) => tracing::error!(error = %e, "trust recomputation failed"),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
