//! Capacities that follow the site (docs/trust.md, "Capacities that grow"): with fixed
//! capacities the root's capacity caps how many members any level can accept (799 with the
//! default list, whatever the site's size), so the growing mode raises the root's capacity,
//! and the seeds' with it, as more members are certified. Every capacity beyond the seeds
//! stays as configured, so growing never raises what a fooled member (other than a seed) can
//! let in: Levien's attack bound for them is the configured one, and [`Capacities::bounds`]
//! states it.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::graph::Graph;

/// How the capacities are chosen: a site setting (`trust_capacity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum CapacityMode {
    /// The configured list as it is: what mod_virgule did, and what reproduces a mod_virgule
    /// site's published levels.
    Fixed,
    /// The root's capacity is at least twice the number of certified members, and each
    /// seed's grows in proportion (and is at least the root's share per seed).
    #[default]
    Growing,
}

/// A capacity mode that is neither `fixed` nor `growing`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown capacity mode {0:?} (expected fixed or growing)")]
pub struct UnknownMode(pub String);

impl CapacityMode {
    /// The setting's word: `fixed` or `growing`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityMode::Fixed => "fixed",
            CapacityMode::Growing => "growing",
        }
    }
}

impl fmt::Display for CapacityMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CapacityMode {
    type Err = UnknownMode;

    /// `fixed` or `growing`, ignoring ASCII case and surrounding whitespace.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = text.trim();
        [CapacityMode::Fixed, CapacityMode::Growing]
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(word))
            .ok_or_else(|| UnknownMode(word.to_owned()))
    }
}

/// How many times the number of certified members the growing root's capacity is: the root
/// keeps that much room, so a growing site stays clear of the 10% warning.
pub const GROWTH_HEADROOM: u64 = 2;

/// The capacities one computation uses: the configured list, and what the mode made of it
/// for this graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capacities {
    mode: CapacityMode,
    configured: Vec<u32>,
    effective: Vec<u32>,
    certified: usize,
}

/// What a fooled member at one distance from ROOT can let in (Levien's bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AttackBound {
    /// Distance from ROOT: 1 for the seeds, 2 for those they certify, …
    pub distance: usize,
    /// The capacity of a member at that distance.
    pub capacity: u32,
    /// At most this many members no accepted member would otherwise vouch for (puppets) are
    /// accepted through one member at that distance who certifies them: capacity − 1.
    pub per_member: u32,
    /// The last entry also covers every greater distance.
    pub and_beyond: bool,
}

impl Capacities {
    /// The capacities for `graph`: the configured list in fixed mode; in growing mode, with
    /// C members holding a certification (at any level), the root's capacity
    /// `R = max(K[0], 2 C)` and each seed's `max(K[1], ⌈K[1] R / K[0]⌉, ⌈R / seeds⌉)`, the rest
    /// as configured. An empty list or a root capacity of 0 stays as it is (nobody accepted).
    pub fn new<K>(mode: CapacityMode, configured: &[u32], graph: &Graph<K>) -> Self {
        let certified = graph.certified_count();
        let effective = match mode {
            CapacityMode::Fixed => configured.to_vec(),
            CapacityMode::Growing => grown(configured, certified, graph.seed_count()),
        };
        Capacities { mode, configured: configured.to_vec(), effective, certified }
    }

    /// The mode these capacities were chosen by.
    pub fn mode(&self) -> CapacityMode {
        self.mode
    }

    /// The configured list (`trust_caps`).
    pub fn configured(&self) -> &[u32] {
        &self.configured
    }

    /// The list the metric runs with: `K[0]` for ROOT, `K[1]` for the seeds, …; the last
    /// repeats.
    pub fn effective(&self) -> &[u32] {
        &self.effective
    }

    /// Members holding at least one certification, what the growing mode follows.
    pub fn certified(&self) -> usize {
        self.certified
    }

    /// The capacity at `distance` from ROOT (0 with an empty list).
    pub fn at(&self, distance: usize) -> u32 {
        capacity_at(&self.effective, distance)
    }

    /// Levien's bound for a fooled member at each distance from 1 (a seed) to the end of the
    /// list, whose last entry holds for every greater distance.
    pub fn bounds(&self) -> Vec<AttackBound> {
        let last = self.effective.len().max(2) - 1;
        (1..=last)
            .map(|distance| {
                let capacity = self.at(distance);
                AttackBound {
                    distance,
                    capacity,
                    per_member: capacity.saturating_sub(1),
                    and_beyond: distance == last,
                }
            })
            .collect()
    }
}

/// `K[min(distance, len − 1)]`, 0 for an empty list: docs/trust.md step 2.
pub(crate) fn capacity_at(caps: &[u32], distance: usize) -> u32 {
    caps.get(distance).or(caps.last()).copied().unwrap_or(0)
}

fn grown(configured: &[u32], certified: usize, seeds: usize) -> Vec<u32> {
    let Some(&root) = configured.first() else { return Vec::new() };
    if root == 0 {
        return configured.to_vec();
    }
    // Spell out the seeds' and the next distance's capacities, so that the tail keeps
    // repeating the configured last value once the first two change.
    let mut caps = configured.to_vec();
    while caps.len() < 3 {
        caps.push(capacity_at(configured, caps.len()));
    }
    let grown_root = u64::from(root).max(GROWTH_HEADROOM.saturating_mul(certified as u64));
    let proportional = (u128::from(caps[1]) * u128::from(grown_root)).div_ceil(u128::from(root));
    let share = grown_root.div_ceil(seeds.max(1) as u64);
    let seed = u64::try_from(proportional).unwrap_or(u64::MAX).max(u64::from(caps[1])).max(share);
    caps[0] = clamp(grown_root);
    caps[1] = clamp(seed);
    caps
}

fn clamp(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    fn graph(seeds: &[u32], certified: u32) -> Graph<u32> {
        // Seed 0 certifies members 100.. so that `certified` members hold a certification.
        Graph::new(seeds.iter().copied(), (0..certified).map(|m| (0, 100 + m, Level::Journeyer)))
            .expect("small graph")
    }

    #[test]
    fn modes_parse_and_print_their_setting_word() {
        assert_eq!("fixed".parse(), Ok(CapacityMode::Fixed));
        assert_eq!(" Growing ".parse(), Ok(CapacityMode::Growing));
        assert_eq!(CapacityMode::default(), CapacityMode::Growing);
        assert_eq!(CapacityMode::Fixed.to_string(), "fixed");
        assert_eq!("grow".parse::<CapacityMode>(), Err(UnknownMode("grow".into())));
    }

    #[test]
    fn fixed_mode_uses_the_configured_list_whatever_the_size() {
        let caps = Capacities::new(CapacityMode::Fixed, &crate::DEFAULT_CAPS, &graph(&[0], 3000));
        assert_eq!(caps.effective(), crate::DEFAULT_CAPS);
        assert_eq!(caps.certified(), 3000);
    }

    #[test]
    fn growing_root_is_twice_the_certified_members_and_seeds_follow_in_proportion() {
        // 3,000 certified, four seeds: R = 6,000; a seed 200 × 6000 / 800 = 1,500 = R / 4.
        let caps = Capacities::new(
            CapacityMode::Growing,
            &crate::DEFAULT_CAPS,
            &graph(&[0, 1, 2, 3], 3000),
        );
        assert_eq!(caps.effective(), [6000, 1500, 50, 12, 4, 2, 1]);
        // One seed carries the root's whole capacity.
        let caps = Capacities::new(CapacityMode::Growing, &crate::DEFAULT_CAPS, &graph(&[0], 3000));
        assert_eq!(caps.effective(), [6000, 6000, 50, 12, 4, 2, 1]);
        // Three seeds: ⌈6000 / 3⌉ = 2,000 beats the proportional 1,500.
        let caps =
            Capacities::new(CapacityMode::Growing, &crate::DEFAULT_CAPS, &graph(&[0, 1, 2], 3000));
        assert_eq!(caps.effective(), [6000, 2000, 50, 12, 4, 2, 1]);
    }

    #[test]
    fn a_small_site_with_four_seeds_keeps_the_configured_list() {
        // 2 × 300 < 800: the root keeps 800, and 800 / 4 = 200 is the configured seed capacity.
        let caps = Capacities::new(
            CapacityMode::Growing,
            &crate::DEFAULT_CAPS,
            &graph(&[0, 1, 2, 3], 300),
        );
        assert_eq!(caps.effective(), crate::DEFAULT_CAPS);
    }

    #[test]
    fn a_short_list_keeps_repeating_its_last_value_beyond_the_seeds() {
        let caps = Capacities::new(CapacityMode::Growing, &[10], &graph(&[0, 1], 20));
        assert_eq!(caps.effective(), [40, 40, 10]);
        assert_eq!(caps.at(7), 10);
        let caps = Capacities::new(CapacityMode::Growing, &[10, 4], &graph(&[0], 1));
        assert_eq!(caps.effective(), [10, 10, 4]);
    }

    #[test]
    fn huge_capacities_saturate_instead_of_overflowing() {
        let caps = Capacities::new(CapacityMode::Growing, &[1, u32::MAX], &graph(&[0], 5));
        assert_eq!(caps.effective(), [10, u32::MAX, u32::MAX]);
    }

    #[test]
    fn empty_or_zero_root_lists_stay_as_they_are() {
        for list in [&[][..], &[0, 5][..]] {
            let caps = Capacities::new(CapacityMode::Growing, list, &graph(&[0], 50));
            assert_eq!(caps.effective(), list);
        }
        assert_eq!(capacity_at(&[], 3), 0);
    }

    #[test]
    fn bounds_are_capacity_minus_one_per_distance_the_last_for_every_greater_one() {
        let caps = Capacities::new(CapacityMode::Fixed, &crate::DEFAULT_CAPS, &graph(&[0], 1));
        let bounds: Vec<(usize, u32, bool)> =
            caps.bounds().iter().map(|b| (b.distance, b.per_member, b.and_beyond)).collect();
        assert_eq!(
            bounds,
            [
                (1, 199, false),
                (2, 49, false),
                (3, 11, false),
                (4, 3, false),
                (5, 1, false),
                (6, 0, true)
            ]
        );
        let single = Capacities::new(CapacityMode::Fixed, &[5], &graph(&[0], 1));
        assert_eq!(
            single.bounds(),
            [AttackBound { distance: 1, capacity: 5, per_member: 4, and_beyond: true }]
        );
    }
}
