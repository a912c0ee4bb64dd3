//! Small graphs worked out by hand, then properties on random graphs against a generic
//! max-flow oracle (petgraph's Dinic).

use std::collections::HashMap;

use petgraph::algo::dinics;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

use super::*;
use crate::report::{Limit, Usage};
use crate::{CapacityMode, DEFAULT_CAPS};

use Level::{Apprentice as A, Journeyer as J, Master as M, Observer as O};

fn rank(
    seeds: &[&'static str],
    certs: &[(&'static str, &'static str, Level)],
    caps: &[u32],
) -> (Graph<&'static str>, Ranking) {
    let graph = Graph::new(seeds.iter().copied(), certs.iter().copied()).expect("small graph");
    let ranking = compute(&graph, caps);
    (graph, ranking)
}

fn level_of(graph: &Graph<&'static str>, ranking: &Ranking, name: &'static str) -> Level {
    ranking.level(graph.member_index(&name).expect("member in graph"))
}

fn accepted_names(
    graph: &Graph<&'static str>,
    ranking: &Ranking,
    level: Level,
) -> Vec<&'static str> {
    graph
        .members()
        .iter()
        .enumerate()
        .filter(|&(i, _)| ranking.is_accepted_at(i, level))
        .map(|(_, &name)| name)
        .collect()
}

fn counts(ranking: &Ranking) -> [usize; 3] {
    Level::CERTIFIED.map(|level| ranking.accepted_at(level))
}

/// docs/trust.md's toy fixture: seed s, a ring m1..m5 attached through the apprentice d.
const TOY: [(&str, &str, Level); 13] = [
    ("s", "a", M),
    ("s", "b", M),
    ("a", "c", J),
    ("b", "c", M),
    ("a", "d", A),
    ("c", "e", M),
    ("d", "m1", M),
    ("m1", "m2", M),
    ("m2", "m3", M),
    ("m3", "m1", M),
    ("m1", "m4", M),
    ("m2", "m4", M),
    ("m4", "m5", M),
];

#[test]
fn toy_fixture_with_caps_10_4_2_1_accepts_only_the_founders() {
    // Apprentice: cap ROOT 10, s 4, a/b 2 (dist 2), c/d 1 (dist 3). The tree: ROOT adopts s;
    // s (resid 3) adopts a and b; a (resid 1) adopts c, its first successor, and has nothing
    // left for d; b's only successor c is taken. c has cap 1 and passes nothing. s can pass 3
    // units, a and b keep one each, so only one of c/d fits: max flow 5, accepted 4.
    // Journeyer (no a→d) and Master (no a→c: c comes through b) accept the same four.
    let (graph, ranking) = rank(&["s"], &TOY, &[10, 4, 2, 1]);
    for level in Level::CERTIFIED {
        assert_eq!(accepted_names(&graph, &ranking, level), ["s", "a", "b", "c"], "{level}");
    }
    for name in ["s", "a", "b", "c"] {
        assert_eq!(level_of(&graph, &ranking, name), M, "{name}");
    }
    for name in ["d", "e", "m1", "m2", "m3", "m4", "m5"] {
        assert_eq!(level_of(&graph, &ranking, name), O, "{name}");
    }
}

#[test]
fn toy_fixture_with_caps_20_8_3_1_makes_d_an_apprentice() {
    // Apprentice: s cap 8 adopts a, b (resid 5); a cap 3 (resid 2) adopts c and d; b finds c
    // taken. c and d have cap 1, so e and m1 stay out: 5 accepted. Journeyer and Master lose
    // a→d, so d is unreachable: s, a, b, c.
    let (graph, ranking) = rank(&["s"], &TOY, &[20, 8, 3, 1]);
    assert_eq!(counts(&ranking), [5, 4, 4]);
    assert_eq!(accepted_names(&graph, &ranking, A), ["s", "a", "b", "c", "d"]);
    assert_eq!(level_of(&graph, &ranking, "d"), A);
    assert_eq!(level_of(&graph, &ranking, "c"), M);
    assert_eq!(level_of(&graph, &ranking, "e"), O);
}

#[test]
fn toy_fixture_with_default_caps_accepts_four_attackers_within_bound() {
    // Apprentice distances: s 1 (200), a/b 2 (50), c/d 3 (12), e/m1 4 (4), m2/m4 5 (2),
    // m3/m5 6 (1). Tree: depth 4 c adopts e and d adopts m1 (resid 3); depth 5 m1 adopts m2
    // and m4 (resid 1 each, m1 left with 1); depth 6 m2 adopts m3, which uses m1's last unit,
    // so m4 (capped at 0) cannot adopt m5. m1 passes 3 = cap 4 − 1 and is the only way into
    // the ring, so m5 stays out: 10 accepted. Journeyer/Master lose a→d: s, a, b, c, e.
    let (graph, ranking) = rank(&["s"], &TOY, &DEFAULT_CAPS);
    assert_eq!(
        accepted_names(&graph, &ranking, A),
        ["s", "a", "b", "c", "d", "e", "m1", "m2", "m3", "m4"]
    );
    assert_eq!(counts(&ranking), [10, 5, 5]);
    for name in ["s", "a", "b", "c", "e"] {
        assert_eq!(level_of(&graph, &ranking, name), M, "{name}");
    }
    for name in ["d", "m1", "m2", "m3", "m4"] {
        assert_eq!(level_of(&graph, &ranking, name), A, "{name}");
    }
    assert_eq!(level_of(&graph, &ranking, "m5"), O);
    // Levien's bound for the confused d (distance 3, cap 12): 11 ≥ the 4 attackers in.
    let bound = 12 - 1;
    let attackers = ["m1", "m2", "m3", "m4", "m5"]
        .iter()
        .filter(|&&m| level_of(&graph, &ranking, m) != O)
        .count();
    assert_eq!(attackers, 4);
    assert!(attackers <= bound);
}

#[test]
fn chain_longer_than_capacity_list_uses_the_last_capacity() {
    // caps [10, 6, 4, 3]: s 6, n1 4, n2 3, and n3… all 3 (beyond the list, the last value).
    // s keeps 1 and passes ≤ 5, but n1 holds 4 (passes 3), n2 holds 3 (passes 2), n3 receives
    // 2 (keeps 1, passes 1), n4 receives the last unit: s, n1..n4 accepted, n5..n9 not.
    let names = ["s", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"];
    let certs: Vec<_> = names.windows(2).map(|w| (w[0], w[1], M)).collect();
    let (graph, ranking) = rank(&["s"], &certs, &[10, 6, 4, 3]);
    assert_eq!(accepted_names(&graph, &ranking, M), names[..5]);
    assert_eq!(counts(&ranking), [5, 5, 5]);
    // With the last capacity 1 the chain stops where it starts passing nothing: s (3) passes
    // 2, n1 (2) passes 1, n2 (1) keeps it.
    let (graph, ranking) = rank(&["s"], &certs, &[10, 3, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), names[..3]);
}

#[test]
fn star_accepts_first_certified_up_to_seed_capacity() {
    // s has cap 6: it keeps one unit and passes 5; the leaves (cap 1) each take one. The
    // greedy tree takes them in certification order, so x1..x5 win the tie.
    let leaves = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"];
    let certs: Vec<_> = leaves.iter().map(|&x| ("s", x, M)).collect();
    let (graph, ranking) = rank(&["s"], &certs, &[100, 6, 1]);
    assert_eq!(accepted_names(&graph, &ranking, A), ["s", "x1", "x2", "x3", "x4", "x5"]);
    assert_eq!(counts(&ranking), [6, 6, 6]);
    assert_eq!(level_of(&graph, &ranking, "x6"), O);
}

#[test]
fn seed_in_a_cycle_is_not_counted_twice() {
    // s→a→b→s and b→c, caps [10, 5, 3, 2, 1]: s (5) passes 4, a (3) takes 3 and passes 2,
    // b (2) takes 2 and passes 1: to c (s already has its unit; the edge back is useless).
    let certs = [("s", "a", M), ("a", "b", M), ("b", "s", M), ("b", "c", M)];
    let (graph, ranking) = rank(&["s"], &certs, &[10, 5, 3, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "a", "b", "c"]);
    assert_eq!(counts(&ranking), [4, 4, 4]);
}

#[test]
fn several_seeds_share_roots_capacity_in_configured_order() {
    // ROOT cap 3 keeps one unit and passes 2: the first two seeds in configured order get
    // them and nothing is left for the third seed or for anyone they certify.
    let certs = [("s", "x", M), ("t", "y", M), ("u", "z", M)];
    let (graph, ranking) = rank(&["s", "t", "u"], &certs, &[3, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "t"]);
    assert_eq!(level_of(&graph, &ranking, "u"), O);
    // Seed order, not name order, decides.
    let (graph, ranking) = rank(&["u", "s", "t"], &certs, &[3, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["u", "s"]);
    // ROOT cap 5 passes 4: depth 0 adopts all three seeds (1 left); at depth 1 the first
    // seed, s (cap 2, one spare), adopts x with ROOT's last unit; t and u are capped at 0.
    let (graph, ranking) = rank(&["s", "t", "u"], &certs, &[5, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "t", "u", "x"]);
}

#[test]
fn seed_that_certifies_nobody_is_accepted_but_wastes_its_capacity() {
    // idle (cap 3) is accepted itself and its 2 spare units go nowhere; s (cap 3) passes 2:
    // a (2) keeps one and passes one to b. The diagnostic count shows idle certifies nobody.
    let certs = [("s", "a", M), ("a", "b", M), ("a", "c", M)];
    let (graph, ranking) = rank(&["s", "idle"], &certs, &[10, 3, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "idle", "a", "b"]);
    let idle = graph.member_index(&"idle").expect("seed is a member");
    assert_eq!(graph.certifications_by(idle, A), 0);
    assert_eq!(graph.certifications_by(0, A), 1);
}

fn clique(prefix: &str, n: usize) -> Vec<&'static str> {
    (1..=n).map(|i| &*Box::leak(format!("{prefix}{i}").into_boxed_str())).collect()
}

#[test]
fn attacker_clique_through_one_confused_member_is_bounded_by_its_capacity() {
    // Default caps: s 200, g1..g3 50, conf (distance 3) 12, every attacker (distance 4,
    // certified by conf directly) 4. All flow into the clique passes conf⁻→conf⁺, which holds
    // cap − 1 = 11: exactly 11 attackers get in, the first 11 conf certified.
    let attackers = clique("x", 20);
    let mut certs = vec![("s", "g1", M), ("s", "g2", M), ("s", "g3", M), ("g1", "conf", M)];
    certs.extend(attackers.iter().map(|&x| ("conf", x, M)));
    for &x in &attackers {
        for &y in &attackers {
            if x != y {
                certs.push((x, y, M));
            }
        }
        certs.push((x, "s", M));
    }
    let (graph, ranking) = rank(&["s"], &certs, &DEFAULT_CAPS);
    let accepted: Vec<_> =
        attackers.iter().filter(|&&x| level_of(&graph, &ranking, x) == M).copied().collect();
    assert_eq!(accepted, attackers[..11]);
    assert_eq!(counts(&ranking), [16, 16, 16]);
}

#[test]
fn attacker_clique_certified_by_nobody_gets_nothing() {
    // Twenty accounts certify each other and the honest members; nobody certifies them, so
    // they are unreachable from ROOT and have no capacity at all.
    let attackers = clique("y", 20);
    let mut certs = vec![("s", "a", M)];
    for &x in &attackers {
        for &y in &attackers {
            if x != y {
                certs.push((x, y, M));
            }
        }
        certs.push((x, "s", M));
        certs.push((x, "a", M));
    }
    let (graph, ranking) = rank(&["s"], &certs, &DEFAULT_CAPS);
    assert!(attackers.iter().all(|&x| level_of(&graph, &ranking, x) == O));
    assert_eq!(counts(&ranking), [2, 2, 2]);
}

#[test]
fn member_accepted_at_master_but_not_at_apprentice() {
    // s (cap 2) passes one unit. At Apprentice s's first certification is p (Apprentice),
    // so the tree gives p the unit; at Journeyer and Master s→p is not in the graph and z
    // gets it. z's level is Master although the Apprentice flow rejected it.
    let certs = [("s", "p", A), ("s", "z", M)];
    let (graph, ranking) = rank(&["s"], &certs, &[10, 2, 1]);
    let z = graph.member_index(&"z").expect("member");
    assert!(!ranking.is_accepted_at(z, A));
    assert!(ranking.is_accepted_at(z, J) && ranking.is_accepted_at(z, M));
    assert_eq!(ranking.level(z), M);
    assert_eq!(level_of(&graph, &ranking, "p"), A);
    assert_eq!(ranking.accepted_at(O), 0);
}

#[test]
fn augmenting_paths_reroute_the_greedy_tree() {
    // Seeds s, t (cap 2: each passes one unit). The tree gives s's unit to a, its first
    // successor; t finds a taken and its unit idles. The search then goes ROOT⁻ ROOT⁺ t⁻ t⁺
    // a⁻ (sink used) and back along s→a to s⁺, forward to b⁻, whose sink is free: t→a now
    // carries the unit, s→a is cancelled and s→b carries one. Max flow 5, accepted 4. b and
    // b2 are both one step from s⁺; b comes first in s's certifications, so b wins the tie.
    let certs = [("s", "a", M), ("s", "b", M), ("s", "b2", M), ("t", "a", M)];
    let (graph, ranking) = rank(&["s", "t"], &certs, &[10, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "t", "a", "b"]);
    assert_eq!(level_of(&graph, &ranking, "b2"), O);
    // Certify b2 first and it wins instead.
    let certs = [("s", "a", M), ("s", "b2", M), ("s", "b", M), ("t", "a", M)];
    let (graph, ranking) = rank(&["s", "t"], &certs, &[10, 2, 1]);
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "t", "a", "b2"]);
}

#[test]
fn blocking_flows_reroute_the_greedy_tree_too() {
    // The same graph with no budget for one search per path: one phase layers ROOT⁻ 0,
    // ROOT⁺ 1, s⁻ t⁻ 2, t⁺ 3, a⁻ 4, then back along s→a to s⁺ 5 and b⁻ b2⁻ 6, the nearest
    // unused sinks. The walk takes t's arcs in order and b first (s's first certification
    // after a): the same result as the search, cancelling s→a.
    let certs = [("s", "a", M), ("s", "b", M), ("s", "b2", M), ("t", "a", M)];
    let graph = Graph::new(["s", "t"], certs).expect("small graph");
    let ranking = super::rank(&graph, &[10, 2, 1], 0, |_, _, _| ());
    assert_eq!(accepted_names(&graph, &ranking, M), ["s", "t", "a", "b"]);
    assert_eq!(level_of(&graph, &ranking, "b2"), O);
}

#[test]
fn empty_or_zero_capacities_accept_nobody() {
    let (_, ranking) = rank(&["s"], &TOY, &[]);
    assert_eq!(counts(&ranking), [0, 0, 0]);
    let (_, ranking) = rank(&["s"], &TOY, &[0, 5]);
    assert_eq!(counts(&ranking), [0, 0, 0]);
    // A capacity of 0 past the seeds: seeds accepted, nobody behind them.
    let (graph, ranking) = rank(&["s"], &TOY, &[10, 5, 0]);
    assert_eq!(accepted_names(&graph, &ranking, A), ["s"]);
}

// ---- The bottleneck report, worked by hand ----

fn report(
    seeds: &[&'static str],
    certs: &[(&'static str, &'static str, Level)],
    caps: &[u32],
) -> (Graph<&'static str>, Report) {
    let graph = Graph::new(seeds.iter().copied(), certs.iter().copied()).expect("small graph");
    let (_, report) = diagnose(&graph, &Capacities::new(CapacityMode::Fixed, caps, &graph));
    (graph, report)
}

fn names(graph: &Graph<&'static str>, members: &[usize]) -> Vec<&'static str> {
    members.iter().map(|&i| graph.members()[i]).collect()
}

#[test]
fn a_full_seed_is_named_with_the_members_it_keeps_out() {
    // Seed s (capacity 3) certifies a..e: it keeps a unit and passes two, to a and b. The root
    // (capacity 10, 3 of 9 used) has room; one more unit of s's would admit c, d or e.
    let star = [("s", "a", M), ("s", "b", M), ("s", "c", M), ("s", "d", M), ("s", "e", M)];
    let (graph, report) = report(&["s"], &star, &[10, 3, 1]);
    for level in &report.levels {
        assert_eq!(level.accepted, 3);
        assert_eq!(level.root, Usage { used: 3, limit: 9 });
        assert_eq!(level.seeds, [Usage { used: 3, limit: 3 }]);
        let [bottleneck] = level.bottlenecks.as_slice() else { panic!("{level:?}") };
        assert_eq!(bottleneck.limit, Limit::Seed(0));
        assert_eq!(names(&graph, &bottleneck.blocked), ["c", "d", "e"]);
    }
    assert!(report.idle_seeds.is_empty());
}

#[test]
fn a_full_root_is_named_first_and_a_seed_only_for_what_it_keeps_out_beyond_it() {
    // Caps [4, 2, 1], seeds s and t: the root passes 3 units: s, t, and a (the greedy tree's
    // first pick, through s). s is full (keeps one, passed one); t (1 of 2) has room.
    // One more root unit would go through t to d or e: the root's. Through s, b and c need a
    // root unit and one of s's: s keeps out b and c beyond the root.
    let certs = [("s", "a", M), ("s", "b", M), ("s", "c", M), ("t", "d", M), ("t", "e", M)];
    let (graph, report) = report(&["s", "t"], &certs, &[4, 2, 1]);
    let apprentice = &report.levels[0];
    assert_eq!(apprentice.accepted, 3);
    assert_eq!(apprentice.seeds, [Usage { used: 2, limit: 2 }, Usage { used: 1, limit: 2 }]);
    let [root, seed] = apprentice.bottlenecks.as_slice() else { panic!("{apprentice:?}") };
    assert_eq!((root.limit, root.usage), (Limit::Root, Usage { used: 3, limit: 3 }));
    assert_eq!(names(&graph, &root.blocked), ["d", "e"]);
    assert_eq!(seed.limit, Limit::Seed(0));
    assert_eq!(names(&graph, &seed.blocked), ["b", "c"]);
}

#[test]
fn a_root_near_its_capacity_but_not_full_is_named_and_keeps_nobody_out() {
    // 10 members in a chain under one seed; root capacity 12 allows 11: 10 used is within 10%.
    let chain: Vec<(&str, &str, Level)> =
        ["s", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]
            .windows(2)
            .map(|w| (w[0], w[1], M))
            .collect();
    let (_, report) = report(&["s"], &chain, &[12, 20]);
    let apprentice = &report.levels[0];
    assert_eq!(apprentice.accepted, 10);
    let [root] = apprentice.bottlenecks.as_slice() else { panic!("{apprentice:?}") };
    assert_eq!((root.limit, root.usage), (Limit::Root, Usage { used: 10, limit: 11 }));
    assert!(!root.binds());
}

#[test]
fn a_seed_that_certifies_nobody_is_reported_idle() {
    let (graph, report) =
        report(&["s", "idle", "t"], &[("s", "a", M), ("t", "b", A)], &DEFAULT_CAPS);
    assert_eq!(names(&graph, &report.idle_seeds), ["idle"]);
    assert!(report.levels.iter().all(|l| l.bottlenecks.is_empty()));
}

// ---- Properties against a max-flow oracle ----

/// Max flow of docs/trust.md's network, built independently from the raw certifications:
/// last level per pair wins, distances by BFS, node split in two. Also returns each node's
/// capacity for the attack bound.
fn oracle(
    seeds: &[u32],
    certs: &[(u32, u32, Level)],
    caps: &[u32],
    level: Level,
) -> (u64, HashMap<u32, u64>) {
    oracle_with(seeds, certs, caps, level, &HashMap::new(), &|_| true)
}

/// ROOT's key in the oracle's maps.
const ROOT_KEY: u32 = u32::MAX;

/// [`oracle`] with `extra` capacity on some nodes (by key; ROOT is [`ROOT_KEY`]), on the
/// network restricted to the nodes `keep` accepts (capacities still by distance in the whole
/// graph).
fn oracle_with(
    seeds: &[u32],
    certs: &[(u32, u32, Level)],
    caps: &[u32],
    level: Level,
    extra: &HashMap<u32, u64>,
    keep: &dyn Fn(u32) -> bool,
) -> (u64, HashMap<u32, u64>) {
    let mut pairs: HashMap<(u32, u32), Level> = HashMap::new();
    for &(x, y, l) in certs {
        if x != y {
            pairs.insert((x, y), l);
        }
    }
    let mut succ: HashMap<u32, Vec<u32>> = HashMap::new();
    for &s in seeds {
        succ.entry(ROOT_KEY).or_default().push(s);
    }
    for (&(x, y), &l) in &pairs {
        if l >= level {
            succ.entry(x).or_default().push(y);
        }
    }
    let mut dist: HashMap<u32, usize> = HashMap::from([(ROOT_KEY, 0)]);
    let mut queue = std::collections::VecDeque::from([ROOT_KEY]);
    while let Some(x) = queue.pop_front() {
        let d = dist[&x];
        for &y in succ.get(&x).map(Vec::as_slice).unwrap_or(&[]) {
            if let std::collections::hash_map::Entry::Vacant(slot) = dist.entry(y) {
                slot.insert(d + 1);
                queue.push_back(y);
            }
        }
    }
    let cap: HashMap<u32, u64> =
        dist.iter().map(|(&x, &d)| (x, u64::from(caps[d.min(caps.len() - 1)]))).collect();
    let mut net: DiGraph<(), u64> = DiGraph::new();
    let sink = net.add_node(());
    let mut ids: HashMap<u32, (NodeIndex, NodeIndex)> = HashMap::new();
    for (&x, &c) in &cap {
        if x != ROOT_KEY && !keep(x) {
            continue;
        }
        let (inn, out) = (net.add_node(()), net.add_node(()));
        let pass = c.saturating_sub(1) + extra.get(&x).copied().unwrap_or(0);
        net.add_edge(inn, out, pass);
        net.add_edge(inn, sink, c.min(1));
        ids.insert(x, (inn, out));
    }
    for (&x, ys) in &succ {
        let Some(&(_, out)) = ids.get(&x) else { continue };
        for y in ys {
            if let Some(&(inn, _)) = ids.get(y) {
                net.add_edge(out, inn, 1 << 40);
            }
        }
    }
    let (flow, _) = dinics(&net, ids[&ROOT_KEY].0, sink);
    (flow, cap)
}

fn ranking_of(seeds: &[u32], certs: &[(u32, u32, Level)], caps: &[u32]) -> (Graph<u32>, Ranking) {
    let graph = Graph::new(seeds.iter().copied(), certs.iter().copied()).expect("small graph");
    let ranking = compute(&graph, caps);
    (graph, ranking)
}

/// At `level`: the attackers (ids from 1000) accepted, and Levien's bound for them, the sum of
/// cap − 1 over the confused members who certify one at that level (capacities from the
/// oracle).
fn attackers_and_bound(
    graph: &Graph<u32>,
    ranking: &Ranking,
    confused: &[(u32, u32, Level)],
    cap: &HashMap<u32, u64>,
    level: Level,
) -> (u64, u64) {
    let mut issuers: Vec<u32> = confused.iter().filter(|c| c.2 >= level).map(|c| c.0).collect();
    issuers.sort_unstable();
    issuers.dedup();
    let bound = issuers.iter().map(|x| cap.get(x).map_or(0, |c| c.saturating_sub(1))).sum();
    let accepted = graph
        .members()
        .iter()
        .enumerate()
        .filter(|&(i, &m)| m >= 1000 && ranking.is_accepted_at(i, level))
        .count() as u64;
    (accepted, bound)
}

fn level_strategy() -> impl Strategy<Value = Level> {
    prop_oneof![Just(A), Just(J), Just(M)]
}

fn caps_strategy() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(1u32..12, 1..6)
}

fn graph_strategy() -> impl Strategy<Value = (Vec<u32>, Vec<(u32, u32, Level)>)> {
    (2u32..40).prop_flat_map(|n| {
        (
            prop::collection::vec(0..n, 1..4),
            prop::collection::vec((0..n, 0..n, level_strategy()), 0..(n as usize * 4)),
        )
    })
}

proptest! {
    #[test]
    fn accepted_count_is_max_flow_minus_one((seeds, certs) in graph_strategy(), caps in caps_strategy()) {
        let (_, ranking) = ranking_of(&seeds, &certs, &caps);
        for level in Level::CERTIFIED {
            let (flow, _) = oracle(&seeds, &certs, &caps, level);
            prop_assert_eq!(ranking.accepted_at(level) as u64, flow - 1, "{}", level);
        }
    }

    #[test]
    fn attackers_accepted_within_levien_bound(
        (seeds, honest) in graph_strategy(),
        attack in prop::collection::vec((1000u32..1012, 1000u32..1012, level_strategy()), 0..60),
        confused in prop::collection::vec((0u32..40, 1000u32..1012, level_strategy()), 0..4),
        back in prop::collection::vec((1000u32..1012, 0u32..40, level_strategy()), 0..10),
        caps in caps_strategy(),
    ) {
        let certs: Vec<_> = honest.iter().chain(&attack).chain(&confused).chain(&back).copied().collect();
        let (graph, ranking) = ranking_of(&seeds, &certs, &caps);
        for level in Level::CERTIFIED {
            let (_, cap) = oracle(&seeds, &certs, &caps, level);
            let (accepted, bound) = attackers_and_bound(&graph, &ranking, &confused, &cap, level);
            prop_assert!(accepted <= bound, "{} attackers accepted at {}, bound {}", accepted, level, bound);
        }
    }

    #[test]
    fn fixed_capacities_rank_exactly_as_compute((seeds, certs) in graph_strategy(), caps in caps_strategy()) {
        // The report adds searches after each flow; it must not change a single level.
        let (graph, ranking) = ranking_of(&seeds, &certs, &caps);
        let (diagnosed, report) = diagnose(&graph, &Capacities::new(CapacityMode::Fixed, &caps, &graph));
        prop_assert_eq!(&ranking, &diagnosed);
        for (level_report, level) in report.levels.iter().zip(Level::CERTIFIED) {
            prop_assert_eq!(level_report.accepted, ranking.accepted_at(level));
            prop_assert_eq!(level_report.root.used as usize, ranking.accepted_at(level));
        }
    }

    #[test]
    fn blocked_members_are_exactly_those_one_more_unit_would_admit(
        (seeds, certs) in graph_strategy(),
        caps in caps_strategy(),
    ) {
        // For every full root or seed the report names, and every member not accepted: the
        // report lists it iff a max flow over the accepted members and it alone, with one more
        // unit of that capacity (and, for a seed, a root with room), accepts it, and (for a
        // seed) the root's room alone does not.
        let (graph, ranking) = ranking_of(&seeds, &certs, &caps);
        let (_, report) = diagnose(&graph, &Capacities::new(CapacityMode::Fixed, &caps, &graph));
        for level_report in &report.levels {
            let level = level_report.level;
            let accepted: Vec<u32> = graph.members().iter().enumerate()
                .filter(|&(i, _)| ranking.is_accepted_at(i, level))
                .map(|(_, &m)| m)
                .collect();
            let admits = |extra: &HashMap<u32, u64>, y: u32| {
                let keep = |x: u32| x == y || accepted.contains(&x);
                oracle_with(&seeds, &certs, &caps, level, extra, &keep).0
                    == accepted.len() as u64 + 2
            };
            let root_full = level_report.root.used >= level_report.root.limit;
            let root_room: HashMap<u32, u64> =
                if root_full { HashMap::from([(ROOT_KEY, 1 << 30)]) } else { HashMap::new() };
            for bottleneck in &level_report.bottlenecks {
                prop_assert!(bottleneck.usage.is_near());
                let full = bottleneck.usage.used >= bottleneck.usage.limit;
                for (i, &y) in graph.members().iter().enumerate() {
                    if ranking.is_accepted_at(i, level) {
                        prop_assert!(!bottleneck.blocked.contains(&i));
                        continue;
                    }
                    let expected = full && match bottleneck.limit {
                        Limit::Root => admits(&HashMap::from([(ROOT_KEY, 1)]), y),
                        Limit::Seed(s) => {
                            let mut lifted = root_room.clone();
                            lifted.insert(graph.members()[s], 1);
                            admits(&lifted, y) && !admits(&root_room, y)
                        }
                    };
                    prop_assert_eq!(
                        bottleneck.blocked.contains(&i), expected,
                        "{:?} at {}: member {}", bottleneck.limit, level, y
                    );
                }
            }
        }
    }

    #[test]
    fn blocking_flows_alone_reach_the_same_maximum_within_the_bound(
        (seeds, honest) in graph_strategy(),
        attack in prop::collection::vec((1000u32..1012, 1000u32..1012, level_strategy()), 0..60),
        confused in prop::collection::vec((0u32..40, 1000u32..1012, level_strategy()), 0..4),
        caps in caps_strategy(),
    ) {
        // No budget for one search per path: the greedy tree, then phases only.
        let certs: Vec<_> = honest.iter().chain(&attack).chain(&confused).copied().collect();
        let graph = Graph::new(seeds.iter().copied(), certs.iter().copied()).expect("small graph");
        let ranking = super::rank(&graph, &caps, 0, |_, _, _| ());
        for level in Level::CERTIFIED {
            let (flow, cap) = oracle(&seeds, &certs, &caps, level);
            prop_assert_eq!(ranking.accepted_at(level) as u64, flow - 1, "{}", level);
            let (attackers, bound) = attackers_and_bound(&graph, &ranking, &confused, &cap, level);
            prop_assert!(attackers <= bound, "{} attackers at {}, bound {}", attackers, level, bound);
        }
        prop_assert_eq!(&ranking, &super::rank(&graph, &caps, 0, |_, _, _| ()));
    }

    #[test]
    fn same_input_gives_same_ranking((seeds, certs) in graph_strategy(), caps in caps_strategy()) {
        let (_, first) = ranking_of(&seeds, &certs, &caps);
        let (_, second) = ranking_of(&seeds, &certs, &caps);
        prop_assert_eq!(first, second);
    }

    #[test]
    fn counts_do_not_depend_on_certification_order(
        (seeds, certs, shuffled) in graph_strategy().prop_flat_map(|(seeds, certs)| {
            // One certification per pair, so reordering cannot change which level wins.
            let mut seen = std::collections::HashSet::new();
            let unique: Vec<_> = certs.into_iter().filter(|c| seen.insert((c.0, c.1))).collect();
            (Just(seeds), Just(unique.clone()), Just(unique).prop_shuffle())
        }),
        caps in caps_strategy(),
    ) {
        let (_, first) = ranking_of(&seeds, &certs, &caps);
        let (_, second) = ranking_of(&seeds, &shuffled, &caps);
        prop_assert_eq!(counts(&first), counts(&second));
    }
}
