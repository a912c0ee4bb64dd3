//! Blocking flows (Dinic's phases), which finish a level's flow once the one-search-per-path
//! order has spent its budget (docs/trust.md step 5): a breadth-first search layers the
//! residual network from ROOT⁻ up to the nearest unused sinks, then depth-first walks along
//! the layers, arcs in the same order as the search, push one unit per path until the
//! layers hold no path. Paths stay shortest and the flow maximal; only which of several
//! equally near members gets a unit may differ from one search per path.

use super::{Flow, NONE, ROOT};
use crate::Level;
use crate::graph::Graph;

impl Flow {
    /// One phase; false when no augmenting path is left.
    pub(super) fn phase<K>(&mut self, graph: &Graph<K>, level: Level) -> bool {
        let Some(depth) = self.layers(graph, level) else { return false };
        let nodes = self.cap.len();
        self.next_out.clear();
        self.next_out.resize(nodes, 0);
        self.tried_through.clear();
        self.tried_through.resize(nodes, false);
        self.next_in.clear();
        self.next_in.resize(nodes, 0);
        // `queue` holds the walk's states, `via` the arc into each.
        loop {
            self.queue.clear();
            self.via.clear();
            self.queue.push(ROOT * 2);
            self.via.push(NONE);
            loop {
                let Some(&state) = self.queue.last() else { return true };
                let x = (state >> 1) as usize;
                let layer = self.layer[state as usize];
                if state & 1 == 0 && layer == depth && !self.sink[x] && self.cap[x] > 0 {
                    for i in 1..self.queue.len() {
                        self.step(self.queue[i - 1], self.queue[i], self.via[i]);
                    }
                    self.sink[x] = true;
                    self.layer[state as usize] = NONE;
                    break;
                }
                match (layer < depth).then(|| self.next_arc(graph, level, state)).flatten() {
                    Some((next, via)) => {
                        self.queue.push(next);
                        self.via.push(via);
                    }
                    None => {
                        // A dead end for the rest of the phase.
                        self.layer[state as usize] = NONE;
                        self.queue.pop();
                        self.via.pop();
                    }
                }
            }
        }
    }

    /// Distances of states from ROOT⁻ in the residual network, not going past a state with
    /// an unused sink; the distance of the nearest one, if any.
    fn layers<K>(&mut self, graph: &Graph<K>, level: Level) -> Option<u32> {
        self.layer.clear();
        self.layer.resize(self.cap.len() * 2, NONE);
        self.queue.clear();
        self.queue.push(ROOT * 2);
        self.layer[ROOT as usize * 2] = 0;
        let mut depth = NONE;
        let mut head = 0;
        while let Some(&state) = self.queue.get(head) {
            head += 1;
            self.work += 1;
            let d = self.layer[state as usize];
            if d >= depth {
                break;
            }
            let x = (state >> 1) as usize;
            if state & 1 == 0 && !self.sink[x] && self.cap[x] > 0 {
                depth = d;
                continue;
            }
            self.for_each_arc(graph, level, state, |flow, next, _| {
                if flow.layer[next as usize] == NONE {
                    flow.layer[next as usize] = d + 1;
                    flow.queue.push(next);
                }
            });
        }
        // States layered beyond the nearest sink lead nowhere in this phase.
        for &state in &self.queue {
            if self.layer[state as usize] > depth {
                self.layer[state as usize] = NONE;
            }
        }
        (depth != NONE).then_some(depth)
    }

    /// Every residual arc out of `state`, in the search's order.
    fn for_each_arc<K>(
        &mut self,
        graph: &Graph<K>,
        level: Level,
        state: u32,
        mut visit: impl FnMut(&mut Self, u32, u32),
    ) {
        let x = state >> 1;
        let xi = x as usize;
        if state & 1 == 0 {
            if u64::from(self.through[xi]) + 1 < u64::from(self.cap[xi]) {
                visit(self, x * 2 + 1, NONE);
            }
            for i in 0..self.inflow[xi].len() {
                let entry = self.inflow[xi][i];
                visit(self, entry.source * 2 + 1, entry.edge);
            }
        } else {
            if self.through[xi] > 0 {
                visit(self, x * 2, NONE);
            }
            for e in graph.edges(x) {
                if graph.level(e) >= level {
                    visit(self, graph.target(e) * 2, e as u32);
                }
            }
        }
    }

    /// The next arc out of `state` that still has room and leads one layer further to a
    /// state not found dead, moving the state's pointer past arcs that never will.
    fn next_arc<K>(&mut self, graph: &Graph<K>, level: Level, state: u32) -> Option<(u32, u32)> {
        let x = state >> 1;
        let xi = x as usize;
        let want = self.layer[state as usize] + 1;
        let fits = |flow: &Self, next: u32| flow.layer[next as usize] == want;
        if state & 1 == 0 {
            if !self.tried_through[xi] {
                let room = u64::from(self.through[xi]) + 1 < u64::from(self.cap[xi]);
                if room && fits(self, x * 2 + 1) {
                    return Some((x * 2 + 1, NONE));
                }
                self.tried_through[xi] = true;
            }
            // Certifications into x that carry flow, from the pointer on, by edge id.
            let list = &self.inflow[xi];
            let start = list.partition_point(|f| f.edge < self.next_in[xi]);
            for &entry in &list[start..] {
                if fits(self, entry.source * 2 + 1) {
                    self.next_in[xi] = entry.edge;
                    return Some((entry.source * 2 + 1, entry.edge));
                }
            }
            self.next_in[xi] = NONE;
            None
        } else {
            let edges = graph.edges(x);
            loop {
                let k = self.next_out[xi] as usize;
                if k == 0 {
                    if self.through[xi] > 0 && fits(self, x * 2) {
                        return Some((x * 2, NONE));
                    }
                } else {
                    let e = edges.start + k - 1;
                    if e >= edges.end {
                        return None;
                    }
                    if graph.level(e) >= level && fits(self, graph.target(e) * 2) {
                        return Some((graph.target(e) * 2, e as u32));
                    }
                }
                self.next_out[xi] += 1;
            }
        }
    }
}
