//! What a computation says about itself (docs/trust.md, "When the metric is the
//! bottleneck"): per level, how much of the root's and each seed's capacity the flow used,
//! and, for a capacity within 10% of full, the members that one more unit of it would admit.
//! Members are [`crate::Graph::members`] indices; the site and the CLI put names on them.

use crate::Level;
use crate::capacity::Capacities;

/// How much of a capacity the flow used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Usage {
    pub used: u64,
    /// The most the flow may use: the root's capacity − 1 (ROOT keeps a unit and accepts
    /// nobody with it), a seed's whole capacity (its own acceptance and what it passes on).
    pub limit: u64,
}

impl Usage {
    /// Within 10% of the limit: the site is about to stop admitting through it.
    pub fn is_near(self) -> bool {
        self.limit > 0 && self.used.saturating_mul(10) >= self.limit.saturating_mul(9)
    }

    /// Whole percent of the limit used (0 for no limit).
    pub fn percent(self) -> u64 {
        self.used.saturating_mul(100).checked_div(self.limit).unwrap_or(0)
    }
}

/// A capacity the report can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The virtual ROOT's capacity: how many members a level can accept at all.
    Root,
    /// The seed at this index of `Graph::members` (seeds come first).
    Seed(usize),
}

/// A root or seed capacity within 10% of full at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bottleneck {
    pub limit: Limit,
    pub usage: Usage,
    /// Members, in member order, not accepted at this level but certified (at it) by
    /// accepted members, that one more unit of this capacity would admit (each on its own).
    /// For a seed, the root is assumed to have room: these are the members the seed's full
    /// subtree keeps out beyond what the root does. Empty when the capacity does not bind.
    pub blocked: Vec<usize>,
}

impl Bottleneck {
    /// The capacity binds: more of it would admit more members.
    pub fn binds(&self) -> bool {
        !self.blocked.is_empty()
    }
}

/// One level's flow against the root's and the seeds' capacities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelReport {
    pub level: Level,
    pub accepted: usize,
    pub root: Usage,
    /// `seeds[i]` for the seed `Graph::members()[i]`.
    pub seeds: Vec<Usage>,
    /// The root (first) and then the seeds within 10% of their capacity.
    pub bottlenecks: Vec<Bottleneck>,
}

/// Everything [`crate::diagnose`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub capacities: Capacities,
    /// Apprentice, Journeyer, Master.
    pub levels: Vec<LevelReport>,
    /// Seeds (member indices) that certify nobody: their capacity goes unused.
    pub idle_seeds: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_means_within_ten_percent_of_a_positive_limit() {
        assert!(Usage { used: 720, limit: 799 }.is_near());
        assert!(!Usage { used: 719, limit: 800 }.is_near());
        assert!(Usage { used: 799, limit: 799 }.is_near());
        assert!(!Usage { used: 0, limit: 0 }.is_near());
        assert!(Usage { used: 1, limit: 1 }.is_near());
        assert_eq!(Usage { used: 3, limit: 4 }.percent(), 75);
        assert_eq!(Usage { used: 0, limit: 0 }.percent(), 0);
    }
}
