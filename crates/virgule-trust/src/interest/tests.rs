//! Small graphs whose scores are worked out by hand in each test's comment. Notation: `u→v`
//! is "u certifies v"; `v: w=8` is "v rates w's diary 8"; a score is (confidence, mean,
//! mean of squares).

#![allow(clippy::unwrap_used, clippy::float_cmp)]

use super::*;

fn run(
    members: &[&'static str],
    certs: &[(&'static str, &'static str)],
    ratings: &[(&'static str, &'static str, u8)],
    max_hops: usize,
) -> Interest<&'static str> {
    propagate(members.iter().copied(), certs.iter().copied(), ratings.iter().copied(), max_hops)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[track_caller]
fn assert_score(
    interest: &Interest<&'static str>,
    reader: &str,
    author: &str,
    want: (f64, f64, f64),
) {
    let got = interest
        .score(reader, author)
        .unwrap_or_else(|| panic!("{reader} has no score for {author}"));
    assert!(
        close(got.confidence, want.0) && close(got.mean, want.1) && close(got.mean_sq, want.2),
        "{reader}'s score for {author}: got {got:?}, want {want:?}"
    );
}

#[test]
fn one_hop_carries_the_rating_at_095_confidence() {
    // u→v, v: w=8. Pass 1: u averages its one certified member v: confidence 1 × 0.95 / 1 =
    // 0.95, mean 8, mean of squares 64. Pass 2 computes the same: converged after 2 passes.
    let interest = run(&["u", "v", "w"], &[("u", "v")], &[("v", "w", 8)], MAX_HOPS);
    assert_score(&interest, "u", "w", (0.95, 8.0, 64.0));
    assert_score(&interest, "v", "w", (1.0, 8.0, 64.0));
    assert_eq!(interest.score("w", "w"), None, "nobody rated anything for w");
    assert_eq!(interest.score("v", "u"), None, "ratings travel against certifications only");
    assert!(interest.converged());
    assert_eq!(interest.passes(), 2);
}

#[test]
fn two_hops_multiply_the_damping() {
    // u→v→x, x: w=6. Pass 1: v gets (0.95, 6, 36); u reads v's starting vector, empty.
    // Pass 2: u gets v's (0.95 × 0.95 / 1 = 0.9025, 6, 36). Pass 3 changes nothing.
    let members = ["u", "v", "x", "w"];
    let certs = [("u", "v"), ("v", "x")];
    let interest = run(&members, &certs, &[("x", "w", 6)], MAX_HOPS);
    assert_score(&interest, "v", "w", (0.95, 6.0, 36.0));
    assert_score(&interest, "u", "w", (0.9025, 6.0, 36.0));
    assert_eq!(interest.passes(), 3);
    // One pass spreads one hop: u has nothing yet.
    let one = run(&members, &certs, &[("x", "w", 6)], 1);
    assert_eq!(one.score("u", "w"), None);
    assert!(!one.converged());
}

#[test]
fn several_certified_members_are_averaged_and_confidence_scaled_by_095_over_n() {
    // u certifies v1, v2, v3 (n = 3). v1: w=9, v2: w=3, v3→x, x: w=10.
    // Pass 1: v3 gets (0.95, 10, 100). u averages the starting vectors: v1 (1, 9, 81), v2 (1,
    //   3, 9), v3 nothing: confidence (1 + 1) × 0.95 / 3 = 0.633…, mean (9 + 3) / 2 = 6, mean
    //   of squares (81 + 9) / 2 = 45.
    // Pass 2: v3 now counts: confidence (1 + 1 + 0.95) × 0.95 / 3 = 2.95 × 0.95 / 3 =
    //   0.934166…; the mean weighs each by its confidence: (9 + 3 + 0.95 × 10) / 2.95 =
    //   21.5 / 2.95 = 7.288…; mean of squares (81 + 9 + 0.95 × 100) / 2.95 = 185 / 2.95.
    let members = ["u", "v1", "v2", "v3", "x", "w"];
    let certs = [("u", "v1"), ("u", "v2"), ("u", "v3"), ("v3", "x")];
    let ratings = [("v1", "w", 9), ("v2", "w", 3), ("x", "w", 10)];
    let after_one = run(&members, &certs, &ratings, 1);
    assert_score(&after_one, "u", "w", (2.0 * 0.95 / 3.0, 6.0, 45.0));
    let interest = run(&members, &certs, &ratings, MAX_HOPS);
    assert_score(&interest, "u", "w", (2.95 * 0.95 / 3.0, 21.5 / 2.95, 185.0 / 2.95));
    assert!(close(
        interest.score("u", "w").unwrap().spread(),
        (185.0 / 2.95 - (21.5_f64 / 2.95).powi(2)).sqrt()
    ));
    assert_eq!(interest.passes(), 3);
    assert!(interest.converged());
}

#[test]
fn a_readers_own_rating_overrides_the_propagated_one() {
    // u→v, v: w=9, u: w=2. Whatever comes through v, u's own rating is (1, 2, 4); v's rating
    // of another author (z=7) still reaches u at 0.95.
    let ratings = [("v", "w", 9), ("u", "w", 2), ("v", "z", 7)];
    let interest = run(&["u", "v", "w", "z"], &[("u", "v")], &ratings, MAX_HOPS);
    assert_score(&interest, "u", "w", (1.0, 2.0, 4.0));
    assert_score(&interest, "u", "z", (0.95, 7.0, 49.0));
}

#[test]
fn a_cycle_converges_and_never_feeds_back_on_the_rater() {
    // a→b→c→a, c: w=7. Pass 1: b gets c's (0.95, 7, 49). Pass 2: a gets b's (0.9025, 7, 49);
    // c averages a's starting vector (empty) and keeps its own (1, 7, 49). Pass 3: c averages
    // a's (0.9025 × 0.95) but its own rating overrides it; nothing changes: converged.
    let certs = [("a", "b"), ("b", "c"), ("c", "a")];
    let interest = run(&["a", "b", "c", "w"], &certs, &[("c", "w", 7)], MAX_HOPS);
    assert_score(&interest, "b", "w", (0.95, 7.0, 49.0));
    assert_score(&interest, "a", "w", (0.9025, 7.0, 49.0));
    assert_score(&interest, "c", "w", (1.0, 7.0, 49.0));
    assert!(interest.converged());
    assert_eq!(interest.passes(), 3);

    // a↔b, a→c, c: w=4: around the a–b loop a's confidence climbs toward the fixed point of
    // x = 0.95 / 2 × (1 + 0.95 x), x = 0.475 / 0.54875 = 0.8656…, never reaching it (so the
    // hop bound stops it), and never above 1.
    let certs = [("a", "b"), ("b", "a"), ("a", "c")];
    let interest = run(&["a", "b", "c", "w"], &certs, &[("c", "w", 4)], MAX_HOPS);
    let a = interest.score("a", "w").unwrap();
    assert!(a.confidence > 0.8 && a.confidence < 0.475 / 0.54875, "{a:?}");
    assert_eq!(a.mean, 4.0);
    assert!(!interest.converged());
    assert_eq!(interest.passes(), MAX_HOPS);
}

#[test]
fn ratings_travel_at_most_max_hops_certifications() {
    // m0→m1→…→m9, m9: w=5. Pass d gives m(9−d) the rating at 0.95^d: after the 8 passes of
    // the bound, m1 (8 hops away) has 0.95^8 = 0.6634…, m0 (9 hops) nothing.
    let members: Vec<&'static str> =
        (0..10).map(|i| &*Box::leak(format!("m{i}").into_boxed_str())).chain(["w"]).collect();
    let certs: Vec<(&'static str, &'static str)> =
        members[..10].windows(2).map(|p| (p[0], p[1])).collect();
    let interest = run(&members, &certs, &[("m9", "w", 5)], MAX_HOPS);
    assert_eq!(interest.passes(), 8);
    assert!(!interest.converged());
    assert_score(&interest, "m8", "w", (0.95, 5.0, 25.0));
    assert_score(&interest, "m1", "w", (0.95_f64.powi(8), 5.0, 25.0));
    assert_eq!(interest.score("m0", "w"), None);
    let longer = run(&members, &certs, &[("m9", "w", 5)], 9);
    assert_score(&longer, "m0", "w", (0.95_f64.powi(9), 5.0, 25.0));
}

#[test]
fn stored_scores_leave_out_oneself_and_faint_ones() {
    // u certifies v0…v99; only v0 rates w=8: u's confidence is 1 × 0.95 / 100 = 0.0095, at or
    // below MIN_CONFIDENCE, so not stored (though `score` still tells it). x→u and u: x=6, so
    // x's vector holds a score for x itself (0.95, 6): never stored.
    let mut members: Vec<&'static str> = vec!["u", "w", "x"];
    let vs: Vec<&'static str> =
        (0..100).map(|i| &*Box::leak(format!("v{i}").into_boxed_str())).collect();
    members.extend(&vs);
    let mut certs: Vec<(&'static str, &'static str)> = vs.iter().map(|v| ("u", *v)).collect();
    certs.push(("x", "u"));
    let interest = run(&members, &certs, &[("v0", "w", 8), ("u", "x", 6)], MAX_HOPS);
    assert_score(&interest, "u", "w", (0.0095, 8.0, 64.0));
    assert_score(&interest, "x", "x", (0.95, 6.0, 36.0));
    let stored: Vec<(&str, &str)> = interest.scores().map(|(r, a, _)| (*r, *a)).collect();
    assert_eq!(stored, [("u", "x"), ("v0", "w")]);
}

#[test]
fn bad_input_is_ignored_and_duplicates_count_once() {
    // Unknown members, self-certifications, self-ratings and ratings outside 1–10 count for
    // nothing; u→v given twice is one certification (so u's confidence is 0.95 / 1, not
    // halved by a phantom second one); v's second rating of w (4) replaces its first (9).
    let certs = [("u", "v"), ("u", "v"), ("u", "u"), ("u", "ghost"), ("ghost", "v")];
    let ratings = [
        ("v", "w", 9),
        ("v", "w", 4),
        ("v", "v", 10),
        ("v", "z", 0),
        ("v", "z", 11),
        ("ghost", "w", 1),
    ];
    let interest = run(&["u", "v", "w", "z"], &certs, &ratings, MAX_HOPS);
    assert_score(&interest, "u", "w", (0.95, 4.0, 16.0));
    assert_eq!(interest.score("u", "z"), None);
    assert_eq!(interest.score("v", "v"), None);
    assert_eq!(interest.scores().count(), 2);
}

#[test]
fn same_input_gives_bit_identical_scores() {
    let certs = [("a", "b"), ("b", "a"), ("a", "c"), ("c", "b")];
    let ratings = [("c", "w", 4), ("b", "w", 9), ("b", "c", 3)];
    let one = run(&["a", "b", "c", "w"], &certs, &ratings, MAX_HOPS);
    let two = run(&["a", "b", "c", "w"], &certs, &ratings, MAX_HOPS);
    let scores =
        |i: &Interest<&'static str>| i.scores().map(|(r, a, s)| (*r, *a, s)).collect::<Vec<_>>();
    assert_eq!(scores(&one), scores(&two));
}
