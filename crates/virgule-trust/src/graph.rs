//! The certification graph in flat arrays (CSR) with integer ids, because the metric walks it
//! thousands of times per recomputation and a million members must fit in a few hundred MiB.
//!
//! Node 0 is the virtual ROOT, then the seeds in their configured order, then every other
//! member in order of first appearance. Keys are generic (`K: Eq + Hash + Clone`): names for
//! the offline export file, member ids from the database.

use std::collections::HashMap;
use std::hash::Hash;

use thiserror::Error;

use crate::Level;

/// The virtual ROOT's node id.
pub(crate) const ROOT: u32 = 0;

/// Node ids stay below this (see `GraphBuilder::node`).
const MAX_NODES: u32 = 1 << 31;

/// Why a graph could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    /// Node ids and edge offsets are `u32`: two billion members or four billion
    /// certifications are beyond any site.
    #[error("the certification graph is too large (too many {what})")]
    TooLarge { what: &'static str },
}

/// Certifications of one site, ready for [`crate::compute`].
#[derive(Debug, Clone)]
pub struct Graph<K> {
    /// `members[i]` is node `i + 1`.
    members: Vec<K>,
    index: HashMap<K, u32>,
    /// Distinct seeds: nodes `1..=seed_count`.
    seed_count: usize,
    /// Out-edges of node `x` are `offsets[x]..offsets[x + 1]`, in certification order.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    levels: Vec<Level>,
}

/// Collects seeds and certifications, then builds a [`Graph`].
#[derive(Debug, Clone)]
pub struct GraphBuilder<K> {
    members: Vec<K>,
    index: HashMap<K, u32>,
    seed_count: usize,
    certs: Vec<(u32, u32, Level)>,
    too_many_members: bool,
}

impl<K: Eq + Hash + Clone> GraphBuilder<K> {
    /// Starts a graph with the seeds in their configured order (a repeated seed counts once).
    pub fn new(seeds: impl IntoIterator<Item = K>) -> Self {
        let mut builder = GraphBuilder {
            members: Vec::new(),
            index: HashMap::new(),
            seed_count: 0,
            certs: Vec::new(),
            too_many_members: false,
        };
        for seed in seeds {
            builder.node(seed);
        }
        builder.seed_count = builder.members.len();
        builder
    }

    /// Records that `issuer` certifies `subject` at `level`, in the stable order the caller
    /// gives (file order, or certification id). A later certification of the same pair
    /// replaces the earlier one's level but keeps its place (the store updates a row in
    /// place); [`Level::Observer`] withdraws it. Self-certifications register the member but
    /// add no edge.
    pub fn certify(&mut self, issuer: K, subject: K, level: Level) {
        let from = self.node(issuer);
        let to = self.node(subject);
        if from != to {
            self.certs.push((from, to, level));
        }
    }

    /// Registers a member without certifications, so it is ranked (as an Observer).
    pub fn member(&mut self, key: K) {
        self.node(key);
    }

    fn node(&mut self, key: K) -> u32 {
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        // Node ids start at 1 (ROOT is 0); the metric's search packs a node and a side (x⁻
        // or x⁺) into one u32, so ids stay below 2^31.
        let id = match u32::try_from(self.members.len() + 1) {
            Ok(id) if id < MAX_NODES => id,
            _ => {
                self.too_many_members = true;
                return ROOT;
            }
        };
        self.members.push(key.clone());
        self.index.insert(key, id);
        id
    }

    /// Lays the certifications out in CSR order: by issuer, then in certification order.
    pub fn build(self) -> Result<Graph<K>, GraphError> {
        if self.too_many_members {
            return Err(GraphError::TooLarge { what: "members" });
        }
        let nodes = self.members.len() + 1;
        let edges = self.certs.len() + self.seed_count;
        if u32::try_from(edges).map_or(true, |e| e == u32::MAX) {
            return Err(GraphError::TooLarge { what: "certifications" });
        }
        // Counting sort by issuer keeps each issuer's certifications in input order.
        let mut offsets = vec![0u32; nodes + 1];
        offsets[ROOT as usize + 1] = self.seed_count as u32;
        for &(from, _, _) in &self.certs {
            offsets[from as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; edges];
        let mut levels = vec![Level::Observer; edges];
        // ROOT certifies every seed at every level.
        for seed in 1..=self.seed_count as u32 {
            let slot = fill[ROOT as usize] as usize;
            targets[slot] = seed;
            levels[slot] = Level::Master;
            fill[ROOT as usize] += 1;
        }
        for (from, to, level) in self.certs {
            let slot = fill[from as usize] as usize;
            targets[slot] = to;
            levels[slot] = level;
            fill[from as usize] += 1;
        }
        drop(fill);

        // One certification per pair: the last level wins, at the first one's place.
        let mut scratch: Vec<(u32, u32)> = Vec::new();
        for node in 0..nodes {
            let (start, end) = (offsets[node] as usize, offsets[node + 1] as usize);
            if end - start < 2 {
                continue;
            }
            scratch.clear();
            scratch.extend((start..end).map(|e| (targets[e], e as u32)));
            scratch.sort_unstable();
            for run in scratch.chunk_by(|a, b| a.0 == b.0) {
                if let [(_, first), .., (_, last)] = run {
                    levels[*first as usize] = levels[*last as usize];
                    for &(_, later) in &run[1..] {
                        levels[later as usize] = Level::Observer;
                    }
                }
            }
        }

        // Drop withdrawn and duplicate certifications (both now Observer) in place.
        let mut write = 0usize;
        let mut read_start = 0usize;
        for node in 0..nodes {
            let read_end = offsets[node + 1] as usize;
            for e in read_start..read_end {
                if levels[e] != Level::Observer {
                    targets[write] = targets[e];
                    levels[write] = levels[e];
                    write += 1;
                }
            }
            read_start = read_end;
            offsets[node + 1] = write as u32;
        }
        targets.truncate(write);
        targets.shrink_to_fit();
        levels.truncate(write);
        levels.shrink_to_fit();

        Ok(Graph {
            members: self.members,
            index: self.index,
            seed_count: self.seed_count,
            offsets,
            targets,
            levels,
        })
    }
}

impl<K: Eq + Hash + Clone> Graph<K> {
    /// Builds a graph from seeds and certifications in stable order; see
    /// [`GraphBuilder::certify`] for duplicates, withdrawals and self-certifications.
    pub fn new(
        seeds: impl IntoIterator<Item = K>,
        certifications: impl IntoIterator<Item = (K, K, Level)>,
    ) -> Result<Self, GraphError> {
        let mut builder = GraphBuilder::new(seeds);
        for (issuer, subject, level) in certifications {
            builder.certify(issuer, subject, level);
        }
        builder.build()
    }

    /// Position of a member in [`Graph::members`] (and in a [`crate::Ranking`]).
    pub fn member_index(&self, key: &K) -> Option<usize> {
        self.index.get(key).map(|&id| id as usize - 1)
    }
}

impl<K> Graph<K> {
    /// Every member: the seeds in order, then the others in order of first appearance.
    pub fn members(&self) -> &[K] {
        &self.members
    }

    /// How many distinct seeds there are (they are the first members).
    pub fn seed_count(&self) -> usize {
        self.seed_count
    }

    /// Current certifications, after duplicates and withdrawals are dropped.
    pub fn certification_count(&self) -> usize {
        self.targets.len() - self.seed_count
    }

    /// How many members hold at least one current certification (at any level), what the
    /// growing capacities follow; ROOT's edges to the seeds do not count.
    pub fn certified_count(&self) -> usize {
        let mut held = vec![false; self.node_count()];
        let first = self.offsets[ROOT as usize + 1] as usize;
        for &target in &self.targets[first..] {
            held[target as usize] = true;
        }
        held.iter().filter(|&&h| h).count()
    }

    /// How many members `members()[index]` certifies at `level` or above: admin diagnostics
    /// warn about a seed that certifies few, since its capacity goes unused.
    pub fn certifications_by(&self, index: usize, level: Level) -> usize {
        let node = index + 1;
        if node + 1 >= self.offsets.len() {
            return 0;
        }
        self.edges(node as u32).filter(|&e| self.levels[e] >= level).count()
    }

    /// Number of nodes including ROOT.
    pub(crate) fn node_count(&self) -> usize {
        self.members.len() + 1
    }

    /// Out-edge ids of `node`, in certification order.
    pub(crate) fn edges(&self, node: u32) -> std::ops::Range<usize> {
        self.offsets[node as usize] as usize..self.offsets[node as usize + 1] as usize
    }

    pub(crate) fn target(&self, edge: usize) -> u32 {
        self.targets[edge]
    }

    pub(crate) fn level(&self, edge: usize) -> Level {
        self.levels[edge]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(graph: &Graph<&'static str>, node: u32) -> Vec<(u32, Level)> {
        graph.edges(node).map(|e| (graph.target(e), graph.level(e))).collect()
    }

    #[test]
    fn ids_are_root_then_seeds_then_first_appearance() {
        let graph = Graph::new(
            ["s", "t"],
            [
                ("x", "y", Level::Master),
                ("s", "x", Level::Apprentice),
                ("y", "t", Level::Journeyer),
            ],
        )
        .expect("small graph");
        assert_eq!(graph.members(), &["s", "t", "x", "y"]);
        assert_eq!(graph.seed_count(), 2);
        assert_eq!(graph.member_index(&"x"), Some(2));
        assert_eq!(graph.member_index(&"nobody"), None);
        assert_eq!(out(&graph, ROOT), vec![(1, Level::Master), (2, Level::Master)]);
        assert_eq!(out(&graph, 1), vec![(3, Level::Apprentice)]);
        assert_eq!(out(&graph, 3), vec![(4, Level::Master)]);
        assert_eq!(out(&graph, 4), vec![(2, Level::Journeyer)]);
        assert_eq!(graph.certification_count(), 3);
    }

    #[test]
    fn later_certification_of_a_pair_replaces_level_in_place_and_observer_withdraws() {
        let graph = Graph::new(
            ["s"],
            [
                ("s", "a", Level::Apprentice),
                ("s", "b", Level::Master),
                ("s", "c", Level::Master),
                ("s", "a", Level::Master),
                ("s", "c", Level::Observer),
                ("s", "s", Level::Master),
            ],
        )
        .expect("small graph");
        // a keeps its first place with the newer level; c is withdrawn; s→s is ignored.
        assert_eq!(out(&graph, 1), vec![(2, Level::Master), (3, Level::Master)]);
        assert_eq!(graph.members(), &["s", "a", "b", "c"]);
        assert_eq!(graph.certification_count(), 2);
        // a and b hold a certification; c's was withdrawn and s's own is ignored.
        assert_eq!(graph.certified_count(), 2);
        assert_eq!(graph.certifications_by(0, Level::Master), 2);
        assert_eq!(graph.certifications_by(3, Level::Apprentice), 0);
        assert_eq!(graph.certifications_by(99, Level::Apprentice), 0);
    }

    #[test]
    fn repeated_seed_counts_once() {
        let graph = Graph::<&str>::new(["s", "s", "t"], []).expect("small graph");
        assert_eq!(graph.seed_count(), 2);
        assert_eq!(out(&graph, ROOT).len(), 2);
    }
}
