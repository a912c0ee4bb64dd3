//! Times the diary-ratings propagation (`virgule_trust::interest`) on Advogato-sized
//! synthetic sites, so a change that slows the background computation shows up as a number.
//! It judges nothing.
//!
//! `cargo run --release -p virgule-trust --example interest_bench`
//!
//! Measured on the development machine (2 shared cores, release build, 2026-12): 1,000
//! members with 8,000 certifications and 1,500 ratings, 8 passes in 58 ms (99,891 scores to
//! store); 6,500 members with 51,000 certifications and 10,000 ratings of 400 authors, 8
//! passes in 1.2 s (2.27 million scores to store: on a well-connected site nearly every
//! reader gets a score for nearly every rated author, so the stored table grows as readers ×
//! rated authors, which is what the site's write has to carry). On 2026-12-03, the vectors
//! of a generation in one buffer (`Vectors`), three runs each, alternating with the previous
//! build's vector per member: the second site in 612–636 ms against 639–686 ms, peak RSS
//! 163 MiB either way (`/usr/bin/time -f %M`: two generations of 2.27 million scores).

use std::time::Instant;

use virgule_trust::interest::{MAX_HOPS, propagate};

/// xorshift64*: a fixed generator so every run measures the same site.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
}

/// `members` members each certifying about `certs / members` others (favouring early,
/// popular members), and `ratings` ratings of the first `authors` members' diaries.
fn run(members: u32, certs: usize, ratings: usize, authors: u32) {
    let mut rng = Rng(0x5eed_1234);
    let cert_list: Vec<(u32, u32)> = (0..certs)
        .map(|_| {
            let issuer = rng.below(members);
            // Half the certifications go to the first tenth of the members.
            let subject = if rng.next().is_multiple_of(2) {
                rng.below(members / 10)
            } else {
                rng.below(members)
            };
            (issuer, subject)
        })
        .collect();
    let rating_list: Vec<(u32, u32, u8)> = (0..ratings)
        .map(|_| (rng.below(members), rng.below(authors), 1 + (rng.next() % 10) as u8))
        .collect();
    let started = Instant::now();
    let interest = propagate(0..members, cert_list, rating_list, MAX_HOPS);
    let elapsed = started.elapsed();
    let stored = interest.scores().count();
    println!(
        "{members} members, {certs} certifications, {ratings} ratings of {authors} authors: \
         {} passes (converged: {}) in {elapsed:.2?}; {stored} scores to store",
        interest.passes(),
        interest.converged()
    );
}

fn main() {
    run(1_000, 8_000, 1_500, 100);
    run(6_500, 51_000, 10_000, 400);
}
