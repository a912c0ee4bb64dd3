//! How many feed posts per second the policy sanitizes on one thread, with a base URL (as feed
//! ingest calls it), without one (as member writing does), and what ammonia's default
//! `ammonia::clean` manages on the same posts (a ceiling: a prebuilt policy, no post-pass).
//!
//! `cargo run --release -p virgule-html --example sanitize_bench [POSTS] [ROUNDS]`
//!
//! The posts are generated WordPress-like bodies of 3–8 KB, shaped after the ingest
//! benchmark's corpus (`crates/virgule-syndication/examples/common/corpus.rs`): paragraphs
//! with entities and curly quotes, absolute and relative links, headings, `<pre>`, lists,
//! a blockquote, images with relative `src`/`srcset`, the odd YouTube embed and inline
//! styles and event handlers the policy strips. Seeded, so every run sanitizes the same text.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

const SENTENCES: &[&str] = &[
    "I just started looking at the Kubernetes documentation and interactive tutorial, which incidentally is really good.",
    "It MIGHT work on QEMU software emulation without KVM support (technically it&#8217;s possible but it would be slow).",
    "The SE Linux policy for this is mostly done, but there are a few corner cases involving &#8220;unconfined&#8221; domains.",
    "Last week I bought a second-hand Dell PowerEdge T320 for $200 &amp; it has been running the build farm since Tuesday.",
    "The server has 96G of RAM and 4 &times; 4TB disks in a BTRFS RAID-1 array, which is more than enough for a home office.",
    "One of the disks started giving read errors after a few days, so I ran <code>btrfs scrub</code> and replaced it.",
    "Running <code>apt-get install -t bookworm-backports</code> gets a newer version without much risk.",
    "My opinion is that defaults should suit people who don&#8217;t know enough to change them &mdash; experts can look after themselves.",
    "Postfix and Dovecot have both been very reliable for me for over 15 years &hellip; I rarely have to think about them.",
    "Email is still the most important communication tool for free software development, whatever people say about chat.",
];

const COMMANDS: &[&str] = &[
    "apt install libvirt-clients libvirt-daemon-system qemu-kvm dnsmasq kubectl",
    "for n in $(seq 1 10) ; do\n  ssh host$n &quot;uptime&quot; &amp;&amp; echo ok\ndone",
    "systemd-analyze blame | head -n 20",
];

/// SplitMix64, fixed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
}

/// One post body of 3–8 KB.
fn post(rng: &mut Rng, n: usize) -> String {
    let target = rng.range(3000, 8000);
    let mut html = String::with_capacity(target + 1024);
    let mut refs = 0;
    while html.len() < target {
        match rng.range(0, 15) {
            0..=6 => {
                html.push_str("<p>");
                for _ in 0..rng.range(2, 5) {
                    html.push_str(rng.pick(SENTENCES));
                    match rng.range(0, 5) {
                        0 => {
                            refs += 1;
                            let _ = write!(html, " <a href=\"https://example.org/refs/{n}/{refs}\">[{refs}]</a> ");
                        }
                        1 => {
                            let _ = write!(html, " I wrote about <a href=\"/2020/0{}/post-{n}/\">this</a> before. ", rng.range(1, 9));
                        }
                        _ => html.push(' '),
                    }
                }
                html.push_str("</p>\n\n");
            }
            7 | 8 => {
                let _ = write!(html, "<h3>Part {}</h3>\n\n", rng.range(1, 9));
            }
            9 => {
                let _ = write!(html, "<pre>{}</pre>\n\n", rng.pick(COMMANDS));
            }
            10 | 11 => {
                html.push_str("<ul>\n");
                for _ in 0..rng.range(3, 6) {
                    let _ = writeln!(html, "<li>{}</li>", rng.pick(SENTENCES));
                }
                html.push_str("</ul>\n\n");
            }
            12 => {
                let _ = write!(html, "<blockquote><p>{}</p><cite>&#8212; a reader</cite></blockquote>\n\n", rng.pick(SENTENCES));
            }
            13 => {
                let p = rng.range(100, 9999);
                let _ = write!(
                    html,
                    "<figure class=\"wp-block-image\"><img loading=\"lazy\" width=\"1024\" height=\"768\" \
                     src=\"/wp-content/uploads/photo-{p}-1024x768.jpg\" alt=\"Photo {p}\" class=\"wp-image-{p}\" \
                     srcset=\"/wp-content/uploads/photo-{p}-1024x768.jpg 1024w, /wp-content/uploads/photo-{p}-300x225.jpg 300w\" \
                     sizes=\"(max-width: 1024px) 100vw, 1024px\" /><figcaption>Photo {p}</figcaption></figure>\n\n"
                );
            }
            14 => html.push_str(
                "<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\"><iframe title=\"Talk\" \
                 width=\"640\" height=\"360\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed\" \
                 frameborder=\"0\" allowfullscreen></iframe></div></figure>\n\n",
            ),
            _ => {
                let _ = write!(
                    html,
                    "<p style=\"text-align:center\"><span style=\"color:#cf2e2e\"><strong>Update:</strong> {}</span> \
                     See <a href=\"../category/debian/\" onclick=\"track(this)\">my other posts</a>.</p>\n\n",
                    rng.pick(SENTENCES)
                );
            }
        }
    }
    html
}

/// Posts per second of `f` over `posts`: per second this thread spent on a CPU when Linux
/// says (`/proc/thread-self/schedstat`, in nanoseconds), so that other work on a shared
/// machine does not count; per second of wall time otherwise.
fn rate(posts: &[String], f: impl Fn(&str) -> String) -> f64 {
    let (start, cpu_start) = (Instant::now(), cpu_nanos());
    for post in posts {
        black_box(f(black_box(post)));
    }
    let seconds = match (cpu_start, cpu_nanos()) {
        (Some(start), Some(end)) if end > start => (end - start) as f64 / 1e9,
        _ => start.elapsed().as_secs_f64(),
    };
    posts.len() as f64 / seconds
}

fn cpu_nanos() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let mut rng = Rng(2021);
    let posts: Vec<String> = (0..count).map(|n| post(&mut rng, n)).collect();
    let bytes: usize = posts.iter().map(String::len).sum();
    let clock = if cpu_nanos().is_some() { "CPU time" } else { "wall time" };
    println!("{count} posts, {} KB on average, {rounds} rounds, {clock}", bytes / count / 1024);
    let base = "https://blog.example/2021/05/a-post/";
    // One warm-up pass, so that the first round does not pay for lazy statics and page faults.
    rate(&posts, |p| virgule_html::sanitize_with_base(p, base));
    let (mut with_base, mut without, mut ceiling) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        with_base.push(rate(&posts, |p| virgule_html::sanitize_with_base(p, base)));
        without.push(rate(&posts, virgule_html::sanitize));
        ceiling.push(rate(&posts, ammonia::clean));
    }
    let show = |name: &str, xs: &[f64]| {
        let runs: Vec<String> = xs.iter().map(|x| format!("{x:.0}")).collect();
        println!("{name:<20} median {:>6.0} posts/s  ({})", median(xs.to_vec()), runs.join(", "));
    };
    show("sanitize_with_base", &with_base);
    show("sanitize", &without);
    show("ammonia::clean", &ceiling);
}
