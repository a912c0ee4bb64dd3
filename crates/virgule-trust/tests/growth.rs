//! Capacities that grow with the site, on generated communities (docs/trust.md, "Capacities
//! that grow"): a community of 3,000 certified members is fully ranked in the growing mode and
//! stopped at the root in the fixed mode, and a sybil ring attached by confused members gains
//! no more than the bound the capacities state.

use std::collections::VecDeque;

use virgule_trust::{
    Capacities, CapacityMode, DEFAULT_CAPS, Graph, Level, Limit, Ranking, Report, diagnose,
};

/// xorshift64*: the same community on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

const SEEDS: u32 = 4;

/// Members 0..4 are the seeds (they certify each other); each later member joins certified
/// by two to five members already in, picked in proportion to how much they have certified
/// so far (active members certify most newcomers), at Master 40%, Journeyer 35%, Apprentice
/// 25%.
fn community(members: u32, seed: u64) -> Vec<(u32, u32, Level)> {
    let mut rng = Rng(seed);
    let mut certs = Vec::new();
    let mut activity: Vec<u32> = (0..SEEDS).collect();
    for issuer in 0..SEEDS {
        for subject in (0..SEEDS).filter(|&s| s != issuer) {
            certs.push((issuer, subject, Level::Master));
        }
    }
    for newcomer in SEEDS..members {
        for _ in 0..2 + rng.below(4) {
            let issuer = activity[rng.below(activity.len())];
            let level = match rng.below(100) {
                0..40 => Level::Master,
                40..75 => Level::Journeyer,
                _ => Level::Apprentice,
            };
            certs.push((issuer, newcomer, level));
            activity.push(issuer);
        }
        activity.push(newcomer);
    }
    certs
}

fn rank(certs: &[(u32, u32, Level)], mode: CapacityMode) -> (Graph<u32>, Ranking, Report) {
    let graph = Graph::new(0..SEEDS, certs.iter().copied()).expect("generated graph");
    let capacities = Capacities::new(mode, &DEFAULT_CAPS, &graph);
    let (ranking, report) = diagnose(&graph, &capacities);
    (graph, ranking, report)
}

#[test]
fn three_thousand_members_are_all_ranked_when_growing_and_stopped_at_the_root_when_fixed() {
    let certs = community(3000, 1);
    let (graph, ranking, report) = rank(&certs, CapacityMode::Growing);
    assert_eq!(report.capacities.certified(), 3000);
    assert_eq!(report.capacities.effective(), [6000, 1500, 50, 12, 4, 2, 1]);
    assert_eq!(ranking.accepted_at(Level::Apprentice), 3000);
    let apprentice = &report.levels[0];
    assert_eq!(apprentice.root.limit, 5999);
    assert!(!apprentice.root.is_near(), "{:?}", apprentice.root);
    assert!(apprentice.bottlenecks.iter().all(|b| !b.binds()), "{:?}", apprentice.bottlenecks);
    // The tail is as configured: a member at distance 3 can still pass only 11.
    assert_eq!(report.capacities.at(3), 12);

    let (_, fixed, report) = rank(&certs, CapacityMode::Fixed);
    assert_eq!(fixed.accepted_at(Level::Apprentice), 799);
    let apprentice = &report.levels[0];
    let root = &apprentice.bottlenecks[0];
    assert_eq!(root.limit, Limit::Root);
    assert!(root.binds());
    // Everyone it keeps out is a certified member the growing mode ranked, not yet ranked here.
    for &member in &root.blocked {
        assert!(!fixed.is_accepted_at(member, Level::Apprentice));
        assert!(ranking.is_accepted_at(member, Level::Apprentice), "{}", graph.members()[member]);
    }
    assert!(root.blocked.len() > 1000, "{} kept out", root.blocked.len());
    // Behind a full root no seed is charged with anyone.
    assert!(
        apprentice.bottlenecks[1..].iter().all(|b| matches!(b.limit, Limit::Seed(_)) && !b.binds())
    );
}

#[test]
fn a_seed_that_certifies_nobody_is_named_and_the_others_carry_the_site() {
    let mut certs = community(3000, 2);
    // Seed 3 withdraws from everything it ever certified; the others still certify it.
    certs.retain(|&(issuer, _, _)| issuer != 3);
    let (graph, ranking, report) = rank(&certs, CapacityMode::Growing);
    let idle: Vec<u32> = report.idle_seeds.iter().map(|&i| graph.members()[i]).collect();
    assert_eq!(idle, [3]);
    // Three working seeds share a root of 2 × certified: neither the root nor a seed keeps
    // anyone out (a member or two beyond the members' own capacities may stay out).
    let apprentice = &report.levels[0];
    assert!(apprentice.bottlenecks.iter().all(|b| !b.binds()), "{:?}", apprentice.bottlenecks);
    assert!(ranking.accepted_at(Level::Apprentice) + 5 >= graph.members().len());
    // In the fixed mode the three working seeds are full, and each is named with the members
    // one more unit of its capacity would admit.
    let (_, _, report) = rank(&certs, CapacityMode::Fixed);
    let full: Vec<Limit> =
        report.levels[0].bottlenecks.iter().filter(|b| b.binds()).map(|b| b.limit).collect();
    assert_eq!(full, [Limit::Seed(0), Limit::Seed(1), Limit::Seed(2)]);
}

/// Breadth-first distance from ROOT (seeds at 1) over certifications at `level` or above.
fn distances(members: usize, certs: &[(u32, u32, Level)], level: Level) -> Vec<Option<usize>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); members];
    for &(issuer, subject, l) in certs {
        if l >= level && issuer != subject {
            out[issuer as usize].push(subject);
        }
    }
    let mut dist = vec![None; members];
    let mut queue: VecDeque<u32> = (0..SEEDS).collect();
    for seed in 0..SEEDS {
        dist[seed as usize] = Some(1);
    }
    while let Some(x) = queue.pop_front() {
        let d = dist[x as usize].unwrap_or(0);
        for &y in &out[x as usize] {
            if dist[y as usize].is_none() {
                dist[y as usize] = Some(d + 1);
                queue.push_back(y);
            }
        }
    }
    dist
}

#[test]
fn a_sybil_ring_gains_no_more_than_the_stated_bound_in_either_mode() {
    const HONEST: u32 = 3000;
    const PUPPETS: u32 = 10_000;
    const CONFUSED: u32 = 20;
    let mut certs = community(HONEST, 3);
    // The puppets certify each other in a ring, each the next three, at Master.
    for p in 0..PUPPETS {
        for step in 1..=3 {
            certs.push((HONEST + p, HONEST + (p + step) % PUPPETS, Level::Master));
        }
    }
    // Twenty members, spread over the community, are fooled into certifying a puppet each
    // (at Journeyer, so the Master flow never sees them).
    let confused: Vec<u32> = (0..CONFUSED).map(|k| 100 + k * 140).collect();
    for (k, &member) in confused.iter().enumerate() {
        certs.push((member, HONEST + k as u32 * 500, Level::Journeyer));
    }
    let members = (HONEST + PUPPETS) as usize;
    for mode in [CapacityMode::Fixed, CapacityMode::Growing] {
        let (graph, ranking, report) = rank(&certs, mode);
        // The puppets count as certified: in the growing mode they raise the root's and
        // the seeds' capacities, and nothing else.
        assert_eq!(report.capacities.at(2), 50, "{mode}");
        for level in Level::CERTIFIED {
            let dist = distances(members, &certs, level);
            // The bound the admin page states: per fooled member, capacity − 1 at its
            // distance (the last entry for every greater distance).
            let bounds = report.capacities.bounds();
            let bound: u32 = confused
                .iter()
                .filter(|_| level <= Level::Journeyer)
                .filter_map(|&x| dist[x as usize])
                .map(|d| bounds[(d - 1).min(bounds.len() - 1)].per_member)
                .sum();
            let puppets = graph
                .members()
                .iter()
                .enumerate()
                .filter(|&(i, &m)| m >= HONEST && ranking.is_accepted_at(i, level))
                .count() as u32;
            assert!(puppets <= bound, "{mode} {level}: {puppets} puppets in, bound {bound}");
            if level == Level::Master {
                assert_eq!(puppets, 0, "{mode}: no Master certification reaches the ring");
            }
        }
    }
}
