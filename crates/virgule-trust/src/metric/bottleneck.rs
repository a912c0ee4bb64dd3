//! The report's residual searches (docs/trust.md, "When the metric is the bottleneck"): once
//! a level's flow is maximal, no search from ROOT⁻ reaches an unused sink; lifting one
//! node's capacity and searching again finds the members that one more unit there admits.

use super::{Flow, ROOT};
use crate::Level;
use crate::graph::Graph;
use crate::report::{Bottleneck, LevelReport, Limit, Usage};

impl Flow {
    /// The finished flow at `level` against the root's and each seed's capacity.
    pub(super) fn level_report<K>(
        &mut self,
        graph: &Graph<K>,
        level: Level,
        accepted: usize,
    ) -> LevelReport {
        let root = Usage {
            used: u64::from(self.through[ROOT as usize]),
            limit: u64::from(self.cap[ROOT as usize].saturating_sub(1)),
        };
        let seeds: Vec<Usage> = (1..=graph.seed_count())
            .map(|node| Usage {
                used: u64::from(self.sink[node]) + u64::from(self.through[node]),
                limit: u64::from(self.cap[node]),
            })
            .collect();
        let mut bottlenecks = Vec::new();
        // With the root full, every search starts by lifting it: what the root keeps out is
        // the root's, and a seed is charged only with what it keeps out beyond that.
        let root_full = root.limit > 0 && root.used >= root.limit;
        let mut lifted = Vec::with_capacity(2);
        if root_full {
            lifted.push(ROOT);
        }
        let behind_root = self.blocked_behind(graph, level, &lifted);
        if root.is_near() {
            bottlenecks.push(Bottleneck {
                limit: Limit::Root,
                usage: root,
                blocked: behind_root.iter().map(|&node| node as usize - 1).collect(),
            });
        }
        for (index, &usage) in seeds.iter().enumerate() {
            if !usage.is_near() {
                continue;
            }
            let node = index as u32 + 1;
            let blocked = if usage.used >= usage.limit {
                lifted.push(node);
                let behind = self.blocked_behind(graph, level, &lifted);
                lifted.pop();
                behind
                    .into_iter()
                    .filter(|node| behind_root.binary_search(node).is_err())
                    .map(|node| node as usize - 1)
                    .collect()
            } else {
                Vec::new()
            };
            bottlenecks.push(Bottleneck { limit: Limit::Seed(index), usage, blocked });
        }
        LevelReport { level, accepted, root, seeds, bottlenecks }
    }

    /// The unaccepted nodes one more unit through `lifted` would reach, sorted.
    fn blocked_behind<K>(&mut self, graph: &Graph<K>, level: Level, lifted: &[u32]) -> Vec<u32> {
        let mut found = Vec::new();
        if !lifted.is_empty() {
            self.search(graph, level, lifted, Some(&mut found));
            found.sort_unstable();
        }
        found
    }
}
