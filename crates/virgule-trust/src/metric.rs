//! The network-flow trust metric (docs/trust.md, steps 1–6): per level, a greedy tree gives the
//! initial flow and shortest augmenting paths complete it. The greedy tree and the order of
//! the breadth-first search decide which members win a tie, so both follow mod_virgule's
//! choices exactly; the flow's size is a plain maximum flow. A flow that needs more searching
//! than [`EXACT_WORK`] (a very large site whose capacities admit most members) finishes with
//! blocking flows (`phase.rs`), and [`diagnose`] adds the bottleneck report
//! (`bottleneck.rs`).

use crate::Level;
use crate::capacity::{Capacities, capacity_at};
use crate::graph::{Graph, ROOT};
use crate::report::Report;

mod bottleneck;
mod phase;

/// "No node / no edge" in the id arrays.
const NONE: u32 = u32::MAX;

/// How much search work (states dequeued and certifications scanned; under a second here)
/// a level's flow may spend finding its augmenting paths one search each, in mod_virgule's
/// exact order, before it finishes with blocking flows (docs/trust.md step 5). An
/// Advogato-sized site needs less than half of it even when every member gets in; a million
/// members whose capacities let most of them in would need hundreds of thousands of
/// whole-graph searches.
const EXACT_WORK: u64 = 1 << 25;

/// Levels for every member of a [`Graph`], in [`Graph::members`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    levels: Vec<Level>,
    /// Bit `L - 1` set when the member is accepted by the flow at level `L`.
    accepted_bits: Vec<u8>,
    accepted: [usize; 3],
}

impl Ranking {
    /// Every member's level (the highest level at which it is accepted), in member order.
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// The level of `members()[index]`; Observer for an index the graph does not have.
    pub fn level(&self, index: usize) -> Level {
        self.levels.get(index).copied().unwrap_or_default()
    }

    /// Whether the flow at `level` accepted `members()[index]` (always false for Observer).
    pub fn is_accepted_at(&self, index: usize, level: Level) -> bool {
        level != Level::Observer
            && self
                .accepted_bits
                .get(index)
                .is_some_and(|bits| bits & (1 << (level.rank() - 1)) != 0)
    }

    /// How many members the flow at `level` accepted (0 for Observer, which has no flow).
    pub fn accepted_at(&self, level: Level) -> usize {
        match level {
            Level::Observer => 0,
            other => self.accepted[usize::from(other.rank()) - 1],
        }
    }
}

/// Runs the metric at Apprentice, Journeyer and Master with capacities `caps` (`K[0]` for
/// ROOT, `K[1]` for seeds, …; the last repeats). A capacity of 0 means a node can hold no
/// flow at all; empty `caps` accepts nobody.
pub fn compute<K>(graph: &Graph<K>, caps: &[u32]) -> Ranking {
    rank(graph, caps, EXACT_WORK, |_, _, _| ())
}

/// [`compute`] with `capacities`' effective list, and a [`Report`] of where the root's and the
/// seeds' capacities bind at each level: the same ranking, plus a few residual searches per
/// level (one for the root, one per seed within 10% of its capacity).
pub fn diagnose<K>(graph: &Graph<K>, capacities: &Capacities) -> (Ranking, Report) {
    let mut levels = Vec::with_capacity(3);
    let ranking = rank(graph, capacities.effective(), EXACT_WORK, |flow, level, accepted| {
        levels.push(flow.level_report(graph, level, accepted));
    });
    let idle_seeds = (0..graph.seed_count())
        .filter(|&seed| graph.certifications_by(seed, Level::Apprentice) == 0)
        .collect();
    (ranking, Report { capacities: capacities.clone(), levels, idle_seeds })
}

/// Runs the three flows, handing each finished one to `inspect` with its level and count;
/// `exact_work` is [`EXACT_WORK`] but for tests.
fn rank<K>(
    graph: &Graph<K>,
    caps: &[u32],
    exact_work: u64,
    mut inspect: impl FnMut(&mut Flow, Level, usize),
) -> Ranking {
    let members = graph.node_count() - 1;
    let mut accepted_bits = vec![0u8; members];
    let mut accepted = [0usize; 3];
    let mut flow = Flow::new(graph.node_count());
    flow.exact_budget = exact_work;
    for (i, level) in Level::CERTIFIED.into_iter().enumerate() {
        flow.run(graph, level, caps);
        for (member, bits) in accepted_bits.iter_mut().enumerate() {
            if flow.sink[member + 1] {
                *bits |= 1 << i;
                accepted[i] += 1;
            }
        }
        inspect(&mut flow, level, accepted[i]);
    }
    let levels = accepted_bits
        .iter()
        .map(|&bits| match bits {
            b if b & 0b100 != 0 => Level::Master,
            b if b & 0b010 != 0 => Level::Journeyer,
            b if b & 0b001 != 0 => Level::Apprentice,
            _ => Level::Observer,
        })
        .collect();
    Ranking { levels, accepted_bits, accepted }
}

/// One unit of flow on a certification, kept at its subject; only edges carrying flow are
/// listed, so the search's backward step never scans a popular member's whole in-list.
#[derive(Debug, Clone, Copy)]
struct InFlow {
    edge: u32,
    source: u32,
    units: u32,
}

/// Buffers for one level's flow, reused across levels and across search passes.
struct Flow {
    cap: Vec<u32>,
    dist: Vec<u32>,
    // Greedy tree.
    parent: Vec<u32>,
    parent_edge: Vec<u32>,
    resid: Vec<i64>,
    first_child: Vec<u32>,
    child_count: Vec<u32>,
    /// Tree nodes in adoption order; a node's children are contiguous in it.
    order: Vec<u32>,
    subtree: Vec<u32>,
    stack: Vec<(u32, u32, u64)>,
    // Flow: x⁻→x⁺ units, x⁻→SINK used, and the flow on certifications by subject.
    through: Vec<u32>,
    sink: Vec<bool>,
    inflow: Vec<Vec<InFlow>>,
    inflow_nodes: Vec<u32>,
    // Breadth-first search over states 2x (x⁻) and 2x+1 (x⁺).
    seen_in: Vec<u32>,
    seen_out: Vec<u32>,
    stamp: u32,
    queue: Vec<u32>,
    pred: Vec<u32>,
    via: Vec<u32>,
    /// Search work done at this level (states dequeued, certifications scanned), and how
    /// much the one-path-per-search order may take.
    work: u64,
    exact_budget: u64,
    // Blocking flows: each state's distance in the phase (NONE: unreached or a dead end), and
    // where its next arc is: for x⁺ 0 is x⁻, k the (k−1)th certification; for x⁻ whether
    // x⁺ was tried, then the next certification into x by edge id.
    layer: Vec<u32>,
    next_out: Vec<u32>,
    tried_through: Vec<bool>,
    next_in: Vec<u32>,
}

impl Flow {
    fn new(nodes: usize) -> Self {
        Flow {
            cap: vec![0; nodes],
            dist: vec![NONE; nodes],
            parent: vec![NONE; nodes],
            parent_edge: vec![NONE; nodes],
            resid: vec![0; nodes],
            first_child: vec![0; nodes],
            child_count: vec![0; nodes],
            order: Vec::new(),
            subtree: vec![0; nodes],
            stack: Vec::new(),
            through: vec![0; nodes],
            sink: vec![false; nodes],
            inflow: vec![Vec::new(); nodes],
            inflow_nodes: Vec::new(),
            seen_in: vec![0; nodes],
            seen_out: vec![0; nodes],
            stamp: 0,
            queue: Vec::new(),
            pred: Vec::new(),
            via: Vec::new(),
            work: 0,
            exact_budget: u64::MAX,
            layer: Vec::new(),
            next_out: Vec::new(),
            tried_through: Vec::new(),
            next_in: Vec::new(),
        }
    }

    fn run<K>(&mut self, graph: &Graph<K>, level: Level, caps: &[u32]) {
        self.sink.fill(false);
        self.through.fill(0);
        for node in self.inflow_nodes.drain(..) {
            self.inflow[node as usize].clear();
        }
        self.capacities(graph, level, caps);
        if self.cap[ROOT as usize] == 0 {
            return;
        }
        self.greedy_tree(graph, level);
        self.flow_from_tree();
        self.work = 0;
        while self.work < self.exact_budget {
            if !self.augment(graph, level) {
                return;
            }
        }
        while self.phase(graph, level) {}
    }

    /// Step 2: capacity by breadth-first distance from ROOT over certifications ≥ `level`.
    fn capacities<K>(&mut self, graph: &Graph<K>, level: Level, caps: &[u32]) {
        self.cap.fill(0);
        self.dist.fill(NONE);
        if caps.is_empty() {
            return;
        }
        self.queue.clear();
        self.queue.push(ROOT);
        self.dist[ROOT as usize] = 0;
        let mut head = 0;
        while let Some(&x) = self.queue.get(head) {
            head += 1;
            let d = self.dist[x as usize];
            self.cap[x as usize] = capacity_at(caps, d as usize);
            for e in graph.edges(x) {
                let y = graph.target(e);
                if graph.level(e) >= level && self.dist[y as usize] == NONE {
                    self.dist[y as usize] = d + 1;
                    self.queue.push(y);
                }
            }
        }
    }

    /// Step 4: the greedy tree, one depth per pass, until a pass adopts nobody.
    fn greedy_tree<K>(&mut self, graph: &Graph<K>, level: Level) {
        self.parent.fill(NONE);
        self.order.clear();
        let root = ROOT as usize;
        self.parent[root] = ROOT;
        self.resid[root] = i64::from(self.cap[root]) - 1;
        self.order.push(ROOT);
        for depth in 0.. {
            let adopted = if depth == 0 {
                self.adopt(graph, level, ROOT)
            } else {
                self.walk(graph, level, depth)
            };
            if adopted == 0 {
                break;
            }
        }
    }

    /// Walks the tree from ROOT down to the nodes at `depth`, which adopt; each child's
    /// residual is first capped at its parent's, and what a subtree adopted is charged to
    /// every ancestor. Returns how many were adopted.
    fn walk<K>(&mut self, graph: &Graph<K>, level: Level, depth: usize) -> u64 {
        let mut total = 0u64;
        self.stack.clear();
        // (node, next child, total when the node was entered)
        self.stack.push((ROOT, 0, 0));
        while let Some(&(x, next, entered)) = self.stack.last() {
            let x = x as usize;
            if next < self.child_count[x] {
                let top = self.stack.len() - 1;
                self.stack[top].1 += 1;
                let child = self.order[(self.first_child[x] + next) as usize];
                let c = child as usize;
                self.resid[c] = self.resid[c].min(self.resid[x]);
                if self.stack.len() == depth {
                    let adopted = self.adopt(graph, level, child);
                    self.resid[x] -= adopted as i64;
                    total += adopted;
                } else {
                    self.stack.push((child, 0, total));
                }
            } else {
                self.stack.pop();
                if let Some(&(up, _, _)) = self.stack.last() {
                    self.resid[up as usize] -= (total - entered) as i64;
                }
            }
        }
        total
    }

    /// `x` adopts its parentless successors in certification order while its residual lasts.
    fn adopt<K>(&mut self, graph: &Graph<K>, level: Level, x: u32) -> u64 {
        let xi = x as usize;
        let mut budget = self.resid[xi];
        let first = self.order.len();
        for e in graph.edges(x) {
            if budget <= 0 {
                break;
            }
            let y = graph.target(e);
            let yi = y as usize;
            if graph.level(e) >= level && self.parent[yi] == NONE && self.cap[yi] > 0 {
                self.parent[yi] = x;
                self.parent_edge[yi] = e as u32;
                self.resid[yi] = i64::from(self.cap[yi]) - 1;
                self.child_count[yi] = 0;
                self.order.push(y);
                budget -= 1;
            }
        }
        self.resid[xi] = budget;
        self.first_child[xi] = first as u32;
        let adopted = (self.order.len() - first) as u32;
        self.child_count[xi] = adopted;
        u64::from(adopted)
    }

    /// Every tree node keeps one unit (its sink edge) and passes its subtree's size − 1.
    fn flow_from_tree(&mut self) {
        for &x in &self.order {
            self.subtree[x as usize] = 1;
        }
        for &x in self.order.iter().rev() {
            let xi = x as usize;
            self.sink[xi] = true;
            self.through[xi] = self.subtree[xi] - 1;
            if x != ROOT {
                let p = self.parent[xi] as usize;
                self.subtree[p] += self.subtree[xi];
                self.inflow[xi].push(InFlow {
                    edge: self.parent_edge[xi],
                    source: self.parent[xi],
                    units: self.subtree[xi],
                });
                self.inflow_nodes.push(x);
            }
        }
    }

    /// Step 5: one shortest augmenting path from ROOT⁻ to the first dequeued x⁻ whose sink
    /// edge is unused; pushes one unit along it. False when none is left.
    fn augment<K>(&mut self, graph: &Graph<K>, level: Level) -> bool {
        match self.search(graph, level, &[], None) {
            Some(end) => {
                self.push_unit(end);
                true
            }
            None => false,
        }
    }

    /// The breadth-first search over the residual network from ROOT⁻. Without `blocked` it
    /// stops at the first dequeued x⁻ whose sink edge is unused, marks that sink used and
    /// returns its queue slot. With `blocked` it runs to the end, collecting every such x
    /// instead of going through it. Nodes in `lifted` pass flow as if their capacity had no
    /// limit (the report's "one more unit here").
    fn search<K>(
        &mut self,
        graph: &Graph<K>,
        level: Level,
        lifted: &[u32],
        mut blocked: Option<&mut Vec<u32>>,
    ) -> Option<usize> {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen_in.fill(0);
            self.seen_out.fill(0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        self.queue.clear();
        self.pred.clear();
        self.via.clear();
        self.queue.push(ROOT * 2);
        self.pred.push(NONE);
        self.via.push(NONE);
        self.seen_in[ROOT as usize] = stamp;
        let mut head = 0usize;
        while let Some(&state) = self.queue.get(head) {
            let x = state >> 1;
            let xi = x as usize;
            let at = head as u32;
            head += 1;
            self.work += 1;
            if state & 1 == 0 {
                if !self.sink[xi] && self.cap[xi] > 0 {
                    match blocked.as_deref_mut() {
                        Some(found) => {
                            found.push(x);
                            continue;
                        }
                        None => {
                            self.sink[xi] = true;
                            return Some(head - 1);
                        }
                    }
                }
                // x⁻→x⁺ has room while fewer than cap − 1 units pass through.
                let room = u64::from(self.through[xi]) + 1 < u64::from(self.cap[xi])
                    || lifted.contains(&x);
                if room && self.seen_out[xi] != stamp {
                    self.seen_out[xi] = stamp;
                    self.enqueue(x * 2 + 1, at, NONE);
                }
                // Back along certifications into x that carry flow, in edge order.
                for i in 0..self.inflow[xi].len() {
                    let InFlow { edge, source, .. } = self.inflow[xi][i];
                    if self.seen_out[source as usize] != stamp {
                        self.seen_out[source as usize] = stamp;
                        self.enqueue(source * 2 + 1, at, edge);
                    }
                }
            } else {
                if self.through[xi] > 0 && self.seen_in[xi] != stamp {
                    self.seen_in[xi] = stamp;
                    self.enqueue(x * 2, at, NONE);
                }
                let edges = graph.edges(x);
                self.work += edges.len() as u64;
                for e in edges {
                    let y = graph.target(e);
                    if graph.level(e) >= level && self.seen_in[y as usize] != stamp {
                        self.seen_in[y as usize] = stamp;
                        self.enqueue(y * 2, at, e as u32);
                    }
                }
            }
        }
        None
    }

    fn enqueue(&mut self, state: u32, pred: u32, via: u32) {
        self.queue.push(state);
        self.pred.push(pred);
        self.via.push(via);
    }

    /// Pushes one unit along the search path ending at queue slot `end`.
    fn push_unit(&mut self, end: usize) {
        let mut at = end;
        while self.pred[at] != NONE {
            let from = self.pred[at] as usize;
            self.step(self.queue[from], self.queue[at], self.via[at]);
            at = from;
        }
    }

    /// One unit along one arc of the residual network, from state `from` to state `to`
    /// (2x for x⁻, 2x+1 for x⁺) by certification `via` (NONE inside a node).
    fn step(&mut self, from: u32, to: u32, via: u32) {
        let node = (to >> 1) as usize;
        if via == NONE {
            // Inside a node: x⁻→x⁺ adds a unit, x⁺→x⁻ cancels one.
            if to & 1 == 1 {
                self.through[node] += 1;
            } else {
                self.through[node] -= 1;
            }
        } else if to & 1 == 0 {
            // Forward along a certification into `node`.
            self.add_inflow(node, via, from >> 1);
        } else {
            // Backward: cancel a unit on a certification into the previous node.
            self.remove_inflow((from >> 1) as usize, via);
        }
    }

    fn add_inflow(&mut self, node: usize, edge: u32, source: u32) {
        let list = &mut self.inflow[node];
        match list.binary_search_by_key(&edge, |f| f.edge) {
            Ok(i) => list[i].units += 1,
            Err(i) => {
                if list.is_empty() {
                    self.inflow_nodes.push(node as u32);
                }
                list.insert(i, InFlow { edge, source, units: 1 });
            }
        }
    }

    fn remove_inflow(&mut self, node: usize, edge: u32) {
        let list = &mut self.inflow[node];
        if let Ok(i) = list.binary_search_by_key(&edge, |f| f.edge) {
            list[i].units -= 1;
            if list[i].units == 0 {
                list.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests;
