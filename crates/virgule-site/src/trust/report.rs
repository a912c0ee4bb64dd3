//! The metric's report with names on it (docs/trust.md, "When the metric is the
//! bottleneck"): the capacities used and the attack bound they give, per level the flow
//! against the root's and each seed's capacity, and the warnings. One text for the admin page,
//! `virgule trust compute` on the site, and `--graph` offline.

use serde::{Deserialize, Serialize};
use virgule_store::TrustLevel;
use virgule_trust::{AttackBound, CapacityMode, Limit, Usage};

/// How many of the members a capacity keeps out are named; the rest are counted.
pub const BLOCKED_NAMED: usize = 20;

/// The capacities a computation used, and Levien's bound for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacitySummary {
    pub mode: CapacityMode,
    /// `trust_caps` as configured.
    pub configured: Vec<u32>,
    /// What the metric ran with (the configured list in the fixed mode).
    pub effective: Vec<u32>,
    /// Members holding at least one certification.
    pub certified: usize,
    /// What one fooled member lets in, by distance from ROOT.
    pub bounds: Vec<AttackBound>,
}

impl CapacitySummary {
    /// The list the metric ran with, as `trust_caps` spells it.
    pub fn effective_text(&self) -> String {
        comma_list(&self.effective)
    }

    /// `trust_caps` as configured.
    pub fn configured_text(&self) -> String {
        comma_list(&self.configured)
    }
}

/// One level's flow against the root's and the seeds' capacities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelLoad {
    pub level: TrustLevel,
    pub accepted: usize,
    /// Members accepted against the most the root's capacity allows (capacity − 1).
    pub root: Usage,
    pub seeds: Vec<SeedLoad>,
    /// The root and the seeds within 10% of their capacity.
    pub bottlenecks: Vec<BottleneckLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedLoad {
    pub name: String,
    pub load: Usage,
}

/// What is near its capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "name")]
pub enum Choke {
    Root,
    Seed(String),
}

/// A capacity within 10% of full and the members it keeps out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BottleneckLoad {
    pub at: Choke,
    pub load: Usage,
    /// The first [`BLOCKED_NAMED`] members (in member order) that one more unit of this
    /// capacity would admit: certified by ranked members, not accepted because of it.
    pub blocked: Vec<String>,
    /// How many there are in all.
    pub blocked_total: usize,
}

/// The report of one computation, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustReport {
    pub capacity: CapacitySummary,
    pub levels: Vec<LevelLoad>,
    /// Seeds that certify nobody.
    pub idle_seeds: Vec<String>,
}

impl TrustReport {
    /// Names the metric's report: `name(i)` for `Graph::members()[i]`.
    pub fn new(report: &virgule_trust::Report, name: impl Fn(usize) -> String) -> Self {
        let capacities = &report.capacities;
        let capacity = CapacitySummary {
            mode: capacities.mode(),
            configured: capacities.configured().to_vec(),
            effective: capacities.effective().to_vec(),
            certified: capacities.certified(),
            bounds: capacities.bounds(),
        };
        let levels = report
            .levels
            .iter()
            .map(|level| LevelLoad {
                level: level.level,
                accepted: level.accepted,
                root: level.root,
                seeds: level
                    .seeds
                    .iter()
                    .enumerate()
                    .map(|(i, &usage)| SeedLoad { name: name(i), load: usage })
                    .collect(),
                bottlenecks: level
                    .bottlenecks
                    .iter()
                    .map(|b| BottleneckLoad {
                        at: match b.limit {
                            Limit::Root => Choke::Root,
                            Limit::Seed(i) => Choke::Seed(name(i)),
                        },
                        load: b.usage,
                        blocked: b.blocked.iter().take(BLOCKED_NAMED).map(|&i| name(i)).collect(),
                        blocked_total: b.blocked.len(),
                    })
                    .collect(),
            })
            .collect();
        let idle_seeds = report.idle_seeds.iter().map(|&i| name(i)).collect();
        TrustReport { capacity, levels, idle_seeds }
    }

    /// What the admin should act on: idle seeds, then each level's capacities within 10% of
    /// full, naming the members they keep out.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .idle_seeds
            .iter()
            .map(|seed| format!("seed {seed} certifies nobody: its capacity goes unused"))
            .collect();
        for level in &self.levels {
            for b in &level.bottlenecks {
                out.push(bottleneck_warning(level.level, b));
            }
        }
        out
    }

    /// The report as plain lines, for the CLI: the capacities, accepted per level with the
    /// root's and seeds' loads, the attack bound.
    pub fn lines(&self) -> Vec<String> {
        let c = &self.capacity;
        let mut out = vec![format!(
            "capacities ({} mode, {} certified members): {} (configured {})",
            c.mode,
            c.certified,
            c.effective_text(),
            c.configured_text()
        )];
        for level in &self.levels {
            let seeds: Vec<String> = level
                .seeds
                .iter()
                .map(|s| format!("{} {} of {}", s.name, s.load.used, s.load.limit))
                .collect();
            out.push(format!(
                "accepted at {}: {} (root: {} of {}; seeds: {})",
                level.level.as_str(),
                level.accepted,
                level.root.used,
                level.root.limit,
                if seeds.is_empty() { "none".to_owned() } else { seeds.join(", ") }
            ));
            let binding: Vec<String> = level
                .bottlenecks
                .iter()
                .filter(|b| b.blocked_total > 0)
                .map(|b| format!("{} (keeps out {})", choke_name(&b.at), b.blocked_total))
                .collect();
            if !binding.is_empty() {
                out.push(format!(
                    "binding capacity at {}: {}",
                    level.level.as_str(),
                    binding.join(", ")
                ));
            }
        }
        out.push(format!("attack bound (Levien): {}", bound_text(&c.bounds)));
        out
    }
}

/// "the root" or "seed NAME".
fn choke_name(choke: &Choke) -> String {
    match choke {
        Choke::Root => "the root".to_owned(),
        Choke::Seed(name) => format!("seed {name}"),
    }
}

/// What one fooled member lets in at each distance, in one line.
fn bound_text(bounds: &[AttackBound]) -> String {
    let parts: Vec<String> = bounds
        .iter()
        .map(|b| {
            let place = match (b.distance, b.and_beyond) {
                (1, false) => "a seed".to_owned(),
                (1, true) => "a seed or anyone further".to_owned(),
                (d, false) => format!("distance {d}"),
                (d, true) => format!("distance {d} or more"),
            };
            format!("{place} {}", b.per_member)
        })
        .collect();
    format!("a member fooled into certifying puppets lets in at most: {}", parts.join("; "))
}

fn bottleneck_warning(level: TrustLevel, b: &BottleneckLoad) -> String {
    let what = match &b.at {
        Choke::Root => format!(
            "{}: {} accepted, the root's capacity allows {}",
            level.as_str(),
            b.load.used,
            b.load.limit
        ),
        Choke::Seed(name) => format!(
            "{}: seed {name}'s subtree holds {} of its capacity {}",
            level.as_str(),
            b.load.used,
            b.load.limit
        ),
    };
    if b.blocked_total == 0 {
        return if b.load.used >= b.load.limit {
            format!("{what}: full, though more of it alone would admit nobody today")
        } else {
            format!("{what}: within 10% of the limit, so newcomers will soon be kept out")
        };
    }
    let mut names = b.blocked.join(", ");
    if b.blocked_total > b.blocked.len() {
        names.push_str(&format!(" and {} more", b.blocked_total - b.blocked.len()));
    }
    let remedy = match b.at {
        Choke::Root => "raise the first of trust_caps, or set trust_capacity = \"growing\"",
        Choke::Seed(_) => "add seeds, or raise the seeds' capacity (the second of trust_caps)",
    };
    let members = if b.blocked_total == 1 { "member" } else { "members" };
    format!(
        "{what}: it binds, keeping out {} {members} certified by ranked members: {names}; {remedy}",
        b.blocked_total
    )
}

fn comma_list(values: &[u32]) -> String {
    values.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_root_is_named_with_the_members_it_keeps_out() {
        let b = BottleneckLoad {
            at: Choke::Root,
            load: Usage { used: 799, limit: 799 },
            blocked: vec!["ann".into(), "bo".into()],
            blocked_total: 5,
        };
        let text = bottleneck_warning(TrustLevel::Apprentice, &b);
        assert_eq!(
            text,
            "Apprentice: 799 accepted, the root's capacity allows 799: it binds, keeping out 5 \
             members certified by ranked members: ann, bo and 3 more; raise the first of \
             trust_caps, or set trust_capacity = \"growing\""
        );
        let near = BottleneckLoad {
            at: Choke::Seed("raph".into()),
            load: Usage { used: 190, limit: 200 },
            blocked: Vec::new(),
            blocked_total: 0,
        };
        assert_eq!(
            bottleneck_warning(TrustLevel::Master, &near),
            "Master: seed raph's subtree holds 190 of its capacity 200: within 10% of the \
             limit, so newcomers will soon be kept out"
        );
        let full = BottleneckLoad { load: Usage { used: 200, limit: 200 }, ..near.clone() };
        assert!(
            bottleneck_warning(TrustLevel::Master, &full)
                .ends_with("full, though more of it alone would admit nobody today")
        );
        let one = BottleneckLoad { blocked: vec!["d".into()], blocked_total: 1, ..full };
        assert!(
            bottleneck_warning(TrustLevel::Master, &one)
                .contains("keeping out 1 member certified by ranked members: d; add seeds")
        );
    }

    #[test]
    fn the_bound_reads_per_distance_with_the_last_for_all_beyond() {
        let rows = [
            AttackBound { distance: 1, capacity: 200, per_member: 199, and_beyond: false },
            AttackBound { distance: 2, capacity: 50, per_member: 49, and_beyond: false },
            AttackBound { distance: 3, capacity: 1, per_member: 0, and_beyond: true },
        ];
        assert_eq!(
            bound_text(&rows),
            "a member fooled into certifying puppets lets in at most: a seed 199; distance 2 \
             49; distance 3 or more 0"
        );
    }
}
