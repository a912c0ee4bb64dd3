//! Times the trust metric on an Advogato-sized graph and on a million members, so a change
//! that slows recomputation on every certification shows up as a number, not a complaint;
//! with the bottleneck report (`diagnose`) in both capacity modes, and a sybil ring against
//! the fixed, the growing and an every-level-scaled capacity list.
//!
//! `cargo run --release -p virgule-trust --example trust_bench`

use std::time::{Duration, Instant};

use virgule_trust::{
    Capacities, CapacityMode, DEFAULT_CAPS, GraphBuilder, Level, compute, diagnose,
};

/// Advogato's capacities as the live site behaved (docs/trust.md).
const ADVOGATO_CAPS: [u32; 8] = [2300, 800, 200, 50, 12, 4, 2, 1];

/// A stress setting no site ships: ROOT never binds, so most members need augmenting paths.
const WIDE_CAPS: [u32; 9] = [10_000_000, 100_000, 5_000, 500, 50, 12, 4, 2, 1];

/// xorshift64*: a fixed, dependency-free generator so every run ranks the same graph.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A synthetic site: out-degrees follow a power law (a few members certify hundreds, most a
/// handful), subjects favour early (popular) members, levels are 40% Master, 35% Journeyer,
/// 25% Apprentice. Members 0..4 are the seeds and among the most active certifiers.
fn synthetic(members: u32, certs: usize, seed: u64) -> GraphBuilder<u32> {
    let mut builder = GraphBuilder::new(0..4u32);
    for member in 0..members {
        builder.member(member);
    }
    for (issuer, subject, level) in synthetic_certs(members, certs, seed) {
        builder.certify(issuer, subject, level);
    }
    builder
}

/// The certifications of [`synthetic`], in order.
fn synthetic_certs(members: u32, certs: usize, seed: u64) -> Vec<(u32, u32, Level)> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(certs);
    // Zipf-like weights for issuers: weight(i) ∝ 1 / (i + 1)^0.9, scaled to `certs`.
    let weights: Vec<f64> = (0..members).map(|i| 1.0 / f64::from(i + 1).powf(0.9)).collect();
    let total: f64 = weights.iter().sum();
    let mut written = 0usize;
    let mut carry = 0.0;
    for (issuer, weight) in (0..members).zip(&weights) {
        carry += weight / total * certs as f64;
        let degree = carry.floor();
        carry -= degree;
        for _ in 0..degree as usize {
            // Squaring a uniform skews subjects towards low (popular) ids.
            let u = rng.unit();
            let subject = ((u * u) * f64::from(members)) as u32 % members;
            let level = match rng.next() % 100 {
                0..40 => Level::Master,
                40..75 => Level::Journeyer,
                _ => Level::Apprentice,
            };
            out.push((issuer, subject, level));
            written += 1;
        }
    }
    // Rounding leaves a few certifications short; the last goes to random members.
    while written < certs {
        let issuer = (rng.next() % u64::from(members)) as u32;
        let subject = (rng.next() % u64::from(members)) as u32;
        out.push((issuer, subject, Level::Journeyer));
        written += 1;
    }
    out
}

/// The peer: petgraph's generic Dinic on the same split network (docs/trust.md step 3),
/// built from the raw certifications (last level of a pair wins), one network per level.
/// Returns the members accepted per level (max flow − 1) and the time of the three flows
/// (not of building the networks).
fn petgraph_levels(
    members: u32,
    certs: &[(u32, u32, Level)],
    caps: &[u32],
) -> ([u64; 3], Duration) {
    use petgraph::algo::dinics;
    use petgraph::graph::{DiGraph, NodeIndex};
    use std::collections::HashMap;
    let mut pairs: HashMap<(u32, u32), Level> = HashMap::new();
    for &(x, y, level) in certs {
        if x != y {
            pairs.insert((x, y), level);
        }
    }
    let root = members; // ROOT's id, past every member's
    let mut accepted = [0u64; 3];
    let mut elapsed = Duration::ZERO;
    for (i, level) in Level::CERTIFIED.into_iter().enumerate() {
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); members as usize + 1];
        out[root as usize].extend(0..4);
        for (&(x, y), &l) in &pairs {
            if l >= level {
                out[x as usize].push(y);
            }
        }
        let mut dist = vec![u32::MAX; members as usize + 1];
        dist[root as usize] = 0;
        let mut queue = std::collections::VecDeque::from([root]);
        while let Some(x) = queue.pop_front() {
            for &y in &out[x as usize] {
                if dist[y as usize] == u32::MAX {
                    dist[y as usize] = dist[x as usize] + 1;
                    queue.push_back(y);
                }
            }
        }
        let mut net: DiGraph<(), u64> = DiGraph::new();
        let sink = net.add_node(());
        let mut ids: Vec<Option<(NodeIndex, NodeIndex)>> = vec![None; members as usize + 1];
        for (x, &d) in dist.iter().enumerate() {
            if d == u32::MAX {
                continue;
            }
            let cap = u64::from(caps[(d as usize).min(caps.len() - 1)]);
            let (inn, outn) = (net.add_node(()), net.add_node(()));
            net.add_edge(inn, outn, cap.saturating_sub(1));
            net.add_edge(inn, sink, cap.min(1));
            ids[x] = Some((inn, outn));
        }
        for (x, ys) in out.iter().enumerate() {
            let Some((_, outn)) = ids[x] else { continue };
            for &y in ys {
                if let Some((inn, _)) = ids[y as usize] {
                    net.add_edge(outn, inn, 1 << 40);
                }
            }
        }
        let Some((source, _)) = ids[root as usize] else { continue };
        let start = Instant::now();
        let (flow, _) = dinics(&net, source, sink);
        elapsed += start.elapsed();
        accepted[i] = flow.saturating_sub(1);
    }
    (accepted, elapsed)
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn bench(name: &str, members: u32, certs: usize, runs: usize, with_peer: bool) {
    let start = Instant::now();
    let list = synthetic_certs(members, certs, 0x5eed_0f7e_57ab);
    let mut builder = GraphBuilder::new(0..4u32);
    for member in 0..members {
        builder.member(member);
    }
    for &(issuer, subject, level) in &list {
        builder.certify(issuer, subject, level);
    }
    let generated = start.elapsed();
    let start = Instant::now();
    let graph = match builder.build() {
        Ok(graph) => graph,
        Err(e) => {
            eprintln!("{name}: {e}");
            return;
        }
    };
    let built = start.elapsed();
    println!(
        "{name}: {} members, {} certifications (after dedup); generated in {generated:.2?}, CSR built in {built:.2?}",
        graph.members().len(),
        graph.certification_count(),
    );
    for (caps_name, caps) in
        [("default", &DEFAULT_CAPS[..]), ("advogato", &ADVOGATO_CAPS[..]), ("wide", &WIDE_CAPS[..])]
    {
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut ranking = None;
        for _ in 0..runs {
            let start = Instant::now();
            ranking = Some(compute(&graph, caps));
            times.push(start.elapsed());
        }
        times.sort();
        let Some(ranking) = ranking else { return };
        println!(
            "  caps {caps_name:8} all three levels: min {:.2?}, median {:.2?} over {runs} runs; accepted A/J/M = {}/{}/{}",
            times[0],
            times[runs / 2],
            ranking.accepted_at(Level::Apprentice),
            ranking.accepted_at(Level::Journeyer),
            ranking.accepted_at(Level::Master),
        );
    }
    // The growing mode and the bottleneck report: `diagnose` is `compute` plus a few
    // residual searches per level.
    for mode in [CapacityMode::Fixed, CapacityMode::Growing] {
        let capacities = Capacities::new(mode, &DEFAULT_CAPS, &graph);
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut result = None;
        for _ in 0..runs {
            let start = Instant::now();
            result = Some(diagnose(&graph, &capacities));
            times.push(start.elapsed());
        }
        times.sort();
        let Some((ranking, report)) = result else { return };
        let binding: usize =
            report.levels.iter().flat_map(|l| &l.bottlenecks).filter(|b| b.binds()).count();
        println!(
            "  diagnose {mode:7} caps {:?}: min {:.2?}, median {:.2?} over {runs} runs; accepted A/J/M = {}/{}/{}; {binding} binding capacities",
            capacities.effective(),
            times[0],
            times[runs / 2],
            ranking.accepted_at(Level::Apprentice),
            ranking.accepted_at(Level::Journeyer),
            ranking.accepted_at(Level::Master),
        );
    }
    // The peer, on the growing capacities (where the flow does the most work): a generic
    // max flow gives the counts, not mod_virgule's choice of members.
    if with_peer {
        let capacities = Capacities::new(CapacityMode::Growing, &DEFAULT_CAPS, &graph);
        let start = Instant::now();
        let ours = compute(&graph, capacities.effective());
        let ours_time = start.elapsed();
        let (theirs, theirs_time) = petgraph_levels(members, &list, capacities.effective());
        println!(
            "  peer: petgraph Dinic, growing caps, three levels: {theirs_time:.2?} (accepted {}/{}/{}); compute {ours_time:.2?} (accepted {}/{}/{}): ratio {:.2}",
            theirs[0],
            theirs[1],
            theirs[2],
            ours.accepted_at(Level::Apprentice),
            ours.accepted_at(Level::Journeyer),
            ours.accepted_at(Level::Master),
            ours_time.as_secs_f64() / theirs_time.as_secs_f64(),
        );
    }
    println!("  peak memory so far (VmHWM): {}", peak_memory());
}

/// The Advogato-sized site plus a ring of 10,000 puppets (each certifies the next three)
/// that 20 members, spread over the site, are fooled into certifying at Journeyer: how many
/// puppets each mode accepts, and what scaling every capacity (not only the root's and the
/// seeds') would have let in.
fn sybil_ring() {
    const MEMBERS: u32 = 6_500;
    const PUPPETS: u32 = 10_000;
    let mut builder = synthetic(MEMBERS, 51_000, 0x5eed_0f7e_57ab);
    for p in 0..PUPPETS {
        for step in 1..=3 {
            builder.certify(MEMBERS + p, MEMBERS + (p + step) % PUPPETS, Level::Master);
        }
    }
    let fooled: Vec<u32> = (0..20).map(|k| 50 + k * 300).collect();
    for (k, &member) in fooled.iter().enumerate() {
        builder.certify(member, MEMBERS + k as u32 * 500, Level::Journeyer);
    }
    let Ok(graph) = builder.build() else { return };
    let fixed = Capacities::new(CapacityMode::Fixed, &DEFAULT_CAPS, &graph);
    let growing = Capacities::new(CapacityMode::Growing, &DEFAULT_CAPS, &graph);
    let factor = f64::from(growing.at(0)) / f64::from(DEFAULT_CAPS[0]);
    let scaled: Vec<u32> = growing.effective()[..2]
        .iter()
        .copied()
        .chain(DEFAULT_CAPS[2..].iter().map(|&k| (f64::from(k) * factor) as u32))
        .collect();
    for (name, caps) in [
        ("fixed", fixed.effective()),
        ("growing", growing.effective()),
        ("every level scaled (not built)", &scaled[..]),
    ] {
        let ranking = compute(&graph, caps);
        let puppets = graph
            .members()
            .iter()
            .enumerate()
            .filter(|&(i, &m)| m >= MEMBERS && ranking.level(i) != Level::Observer)
            .count();
        println!(
            "sybil ring, {name}: caps {caps:?}; accepted at Apprentice {}; {puppets} of {PUPPETS} puppets ranked",
            ranking.accepted_at(Level::Apprentice),
        );
    }
}

fn main() {
    sybil_ring();
    bench("advogato-sized", 6_500, 51_000, 21, true);
    // The peer's network for a million members takes gigabytes: VIRGULE_BENCH_PEER=1 adds it.
    bench("million", 1_000_000, 10_000_000, 3, std::env::var_os("VIRGULE_BENCH_PEER").is_some());
}
