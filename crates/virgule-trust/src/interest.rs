//! Diary ratings (interestingness), after mod_virgule's `eigen.c`: each member rates other
//! members' diaries 1 to 10, and every reader gets a personal score per author, propagated
//! through the certifications the reader gave (docs/trust.md "Diary ratings").
//!
//! A member u's vector maps author → [`Score`] (confidence, mean, mean of squares). One pass
//! computes, for every u, the average of the vectors of **all** the members u certifies (any
//! level, never u itself): each author's confidences summed and scaled by
//! [`DAMPING`] / (number of u's certifications), the mean and the mean of squares weighted by
//! confidence; then u's own ratings override (confidence 1, mean = the rating). Passes start
//! from the members' own ratings and are synchronous (each reads the previous pass's
//! vectors), so pass k spreads a rating exactly k certifications away; they stop when a pass
//! changes nothing or after `max_hops` passes ([`MAX_HOPS`] on the site).
//!
//! Cost: each pass is O(Σ over certifications u → v of |vec(v)|) plus sorting each new
//! vector; memory is two generations of vectors, O(Σ |vec(u)|) ≤ members × rated authors.
//! Measured with `cargo run --release -p virgule-trust --example interest_bench`: see that
//! example's header for the figure.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// How much of a rating survives each certification it travels along (mod_virgule's 0.95).
pub const DAMPING: f64 = 0.95;

/// The site's bound on passes: a rating reaches members at most this many certifications
/// away.
pub const MAX_HOPS: usize = 8;

/// Scores whose confidence is at most this are left out of [`Interest::scores`]: too faint
/// to show, and leaving them out keeps the stored table near the pairs that matter.
pub const MIN_CONFIDENCE: f64 = 0.01;

/// The lowest and highest rating.
pub const RATING_RANGE: std::ops::RangeInclusive<u8> = 1..=10;

/// One reader's view of one author.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// 1.0 for the reader's own rating; less the further (and the more diluted) it came.
    pub confidence: f64,
    /// The confidence-weighted mean rating, 1 to 10.
    pub mean: f64,
    /// The confidence-weighted mean of the squared ratings (how much raters disagree:
    /// the spread is √(mean_sq − mean²)).
    pub mean_sq: f64,
}

impl Score {
    fn own(rating: u8) -> Self {
        let r = f64::from(rating);
        Score { confidence: 1.0, mean: r, mean_sq: r * r }
    }

    /// The standard deviation of the ratings behind the mean.
    pub fn spread(&self) -> f64 {
        (self.mean_sq - self.mean * self.mean).max(0.0).sqrt()
    }
}

/// Every member's sparse vector, (author index, score) sorted by author index, in one
/// buffer: member u's is `entries[starts[u]..starts[u + 1]]`. A pass builds the next
/// generation into two buffers rather than a vector per member: the tens of thousands of
/// allocations a pass made that way left glibc's allocator holding fragments of them after
/// each computation, the server's resident memory rising by tens of MiB with every
/// recomputation (docs/proof.md "Load"), where two large buffers go back whole.
#[derive(Debug, Clone, PartialEq)]
struct Vectors {
    starts: Vec<usize>,
    entries: Vec<(u32, Score)>,
}

impl Vectors {
    /// Room for `members` vectors holding `entries` scores in all.
    fn with_capacity(members: usize, entries: usize) -> Self {
        let mut starts = Vec::with_capacity(members + 1);
        starts.push(0);
        Vectors { starts, entries: Vec::with_capacity(entries) }
    }

    /// Empties it, keeping its buffers.
    fn clear(&mut self) {
        self.starts.truncate(1);
        self.entries.clear();
    }

    fn get(&self, member: usize) -> &[(u32, Score)] {
        &self.entries[self.starts[member]..self.starts[member + 1]]
    }

    /// Ends the vector being written: what was pushed since the last call is the next
    /// member's.
    fn close(&mut self) {
        self.starts.push(self.entries.len());
    }

    fn iter(&self) -> impl Iterator<Item = &[(u32, Score)]> + '_ {
        self.starts.windows(2).map(|w| &self.entries[w[0]..w[1]])
    }
}

/// Every reader's scores after [`propagate`].
#[derive(Debug, Clone)]
pub struct Interest<K> {
    members: Vec<K>,
    index: HashMap<K, u32>,
    vectors: Vectors,
    passes: usize,
    converged: bool,
}

impl<K: Eq + Hash + Clone> Interest<K> {
    /// How many passes ran (each one spreads ratings one certification further).
    pub fn passes(&self) -> usize {
        self.passes
    }

    /// The last pass changed nothing: more passes would give the same scores.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// `reader`'s score for `author`, whatever its confidence; `None` if no rating of
    /// `author` reached `reader` (or either is no member).
    pub fn score<Q>(&self, reader: &Q, author: &Q) -> Option<Score>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let reader = *self.index.get(reader)?;
        let author = *self.index.get(author)?;
        let vector = self.vectors.get(reader as usize);
        vector.binary_search_by_key(&author, |&(a, _)| a).ok().map(|i| vector[i].1)
    }

    /// What the site stores: every (reader, author, score) with the reader not the author
    /// and a confidence above [`MIN_CONFIDENCE`], by reader then author (in member order).
    pub fn scores(&self) -> impl Iterator<Item = (&K, &K, Score)> + '_ {
        self.vectors.iter().enumerate().flat_map(move |(reader, vector)| {
            vector
                .iter()
                .filter(move |&&(author, score)| {
                    author as usize != reader && score.confidence > MIN_CONFIDENCE
                })
                .map(move |&(author, score)| {
                    (&self.members[reader], &self.members[author as usize], score)
                })
        })
    }
}

/// Propagates `ratings` (reader, author, 1–10) through `certs` (issuer → subject, any
/// level) among `members`, for at most `max_hops` passes.
///
/// Certifications or ratings naming someone not in `members` are ignored (the site leaves
/// suspended members out this way), as are self-certifications, self-ratings and ratings
/// outside 1–10; a pair certified twice counts once, and of a pair rated twice the last
/// rating counts.
pub fn propagate<K: Eq + Hash + Clone>(
    members: impl IntoIterator<Item = K>,
    certs: impl IntoIterator<Item = (K, K)>,
    ratings: impl IntoIterator<Item = (K, K, u8)>,
    max_hops: usize,
) -> Interest<K> {
    let mut index: HashMap<K, u32> = HashMap::new();
    let mut keys: Vec<K> = Vec::new();
    for member in members {
        if !index.contains_key(&member) {
            let id = u32::try_from(keys.len()).expect("fewer than 4 billion members");
            index.insert(member.clone(), id);
            keys.push(member);
        }
    }
    let n = keys.len();
    let id = |k: &K| index.get(k).copied();

    // Certifications as compressed sparse rows: successors of u are
    // targets[offsets[u]..offsets[u + 1]], sorted and distinct.
    let mut pairs: Vec<(u32, u32)> = certs
        .into_iter()
        .filter_map(|(issuer, subject)| Some((id(&issuer)?, id(&subject)?)))
        .filter(|(issuer, subject)| issuer != subject)
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut offsets = vec![0_usize; n + 1];
    for &(issuer, _) in &pairs {
        offsets[issuer as usize + 1] += 1;
    }
    for u in 0..n {
        offsets[u + 1] += offsets[u];
    }
    let targets: Vec<u32> = pairs.iter().map(|&(_, subject)| subject).collect();

    // Each member's own ratings: the start of every vector, and what overrides each pass.
    let mut by_pair: HashMap<(u32, u32), u8> = HashMap::new();
    for (reader, author, rating) in ratings {
        let (Some(reader), Some(author)) = (id(&reader), id(&author)) else { continue };
        if reader != author && RATING_RANGE.contains(&rating) {
            by_pair.insert((reader, author), rating);
        }
    }
    let mut rated: Vec<((u32, u32), u8)> = by_pair.into_iter().collect();
    rated.sort_unstable_by_key(|&(pair, _)| pair);
    let mut own = Vectors::with_capacity(n, rated.len());
    let mut rated = rated.into_iter().peekable();
    for u in 0..n {
        while let Some(((_, author), rating)) =
            rated.next_if(|&((reader, _), _)| reader as usize == u)
        {
            own.entries.push((author, Score::own(rating)));
        }
        own.close();
    }

    let mut current = own.clone();
    // Each pass writes into the buffers of the generation before the one it reads, so the
    // whole computation holds two (already paged in) rather than a fresh one per pass.
    let mut next = Vectors::with_capacity(n, current.entries.len());
    let mut sums = Sums::new(n);
    let mut passes = 0;
    let mut converged = false;
    while passes < max_hops {
        next.clear();
        for u in 0..n {
            let successors = &targets[offsets[u]..offsets[u + 1]];
            if successors.is_empty() {
                next.entries.extend_from_slice(own.get(u));
            } else {
                for &v in successors {
                    for &(author, score) in current.get(v as usize) {
                        sums.add(author, score);
                    }
                }
                // Converting a certification count to f64 is exact below 2^53.
                let scale = DAMPING / successors.len() as f64;
                sums.take_into(scale, own.get(u), &mut next.entries);
            }
            next.close();
        }
        passes += 1;
        if next == current {
            converged = true;
            break;
        }
        std::mem::swap(&mut current, &mut next);
    }
    Interest { members: keys, index, vectors: current, passes, converged }
}

/// Dense per-author accumulators, reused for every member of every pass, with the list of
/// authors touched so that clearing costs only what was used.
struct Sums {
    confidence: Vec<f64>,
    weighted_mean: Vec<f64>,
    weighted_sq: Vec<f64>,
    touched: Vec<u32>,
}

impl Sums {
    fn new(n: usize) -> Self {
        Sums {
            confidence: vec![0.0; n],
            weighted_mean: vec![0.0; n],
            weighted_sq: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, author: u32, score: Score) {
        let a = author as usize;
        if self.confidence[a] == 0.0 {
            self.touched.push(author);
        }
        self.confidence[a] += score.confidence;
        self.weighted_mean[a] += score.confidence * score.mean;
        self.weighted_sq[a] += score.confidence * score.mean_sq;
    }

    /// Appends to `vector` the averaged vector (confidences scaled by `scale`), with `own`
    /// ratings overriding, sorted by author; leaves the accumulators clear.
    fn take_into(&mut self, scale: f64, own: &[(u32, Score)], vector: &mut Vec<(u32, Score)>) {
        self.touched.sort_unstable();
        vector.reserve(self.touched.len() + own.len());
        let mut own = own.iter().peekable();
        for &author in &self.touched {
            let a = author as usize;
            while let Some(&&(rated, score)) = own.peek()
                && rated < author
            {
                vector.push((rated, score));
                own.next();
            }
            let confidence = self.confidence[a];
            let averaged = Score {
                confidence: confidence * scale,
                mean: self.weighted_mean[a] / confidence,
                mean_sq: self.weighted_sq[a] / confidence,
            };
            match own.peek() {
                Some(&&(rated, score)) if rated == author => {
                    vector.push((rated, score));
                    own.next();
                }
                _ => vector.push((author, averaged)),
            }
            self.confidence[a] = 0.0;
            self.weighted_mean[a] = 0.0;
            self.weighted_sq[a] = 0.0;
        }
        vector.extend(own.copied());
        self.touched.clear();
    }
}

#[cfg(test)]
mod tests;
