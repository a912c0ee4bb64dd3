//! `virgule demo`: fills a new site with members `demo0000`, `demo0001`, ... whose diaries hold
//! real posts (the embedded fixture feeds), so that a newcomer sees a living site and the
//! benchmark has data; the members certify each other from `demo0000` down, so that with
//! `demo0000` as a trust seed the recent log has ranked authors, as on a real site (with the
//! default capacities one seed ranks up to 200, its capacity; the rest stay unranked).
//! Around them, a community ([`community`]): front-page articles with threaded replies,
//! replies under some entries, projects with the members' relations, diary ratings.
//! Refuses to run twice on the same database.

mod community;

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, Duration, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use virgule_store::{CertLevel, EntryDraft, MemberName, NewMember, Store};

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many demo members to create.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub members: u32,
    /// How many diary entries each demo member gets.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub entries_per_member: u32,
}

/// Every demo member's password: shared, printed, and accepted by the site's strength rule.
pub const DEMO_PASSWORD: &str = "virgule-demo-2026";

/// The posts the entries are made of: two feeds of real posts, embedded in the binary.
const FIXTURE_FEEDS: [&str; 2] = [
    include_str!("../../testdata/etbe-2016.rss"),
    include_str!("../../testdata/etbe-wordpress.rss"),
];

pub fn demo_name(index: u32) -> MemberName {
    MemberName::parse(&format!("demo{index:04}")).expect("demoNNNN is a valid member name")
}

pub async fn run(config: &Config, args: DemoArgs) -> anyhow::Result<()> {
    // Render and sanitize each distinct post once, before touching the database.
    let posts = demo_posts()?;
    let store = super::open_store(config).await?;
    let result = fill(config, &store, &args, &posts).await;
    store.close().await;
    result
}

/// Who certifies demo member `index` (> 0), and at what level: its parent in a tree of eight
/// children a member rooted at `demo0000` (wide enough for the flow to reach the seed's
/// capacity), at a level that cycles Master, Journeyer, Apprentice.
pub fn demo_certifier(index: u32) -> (u32, CertLevel) {
    let level = match index % 3 {
        0 => CertLevel::Apprentice,
        1 => CertLevel::Master,
        _ => CertLevel::Journeyer,
    };
    ((index - 1) / 8, level)
}

async fn fill(
    config: &Config,
    store: &Store,
    args: &DemoArgs,
    posts: &[EntryDraft],
) -> anyhow::Result<()> {
    let first = demo_name(0);
    if store.member_by_name(&first).await?.is_some() {
        bail!(
            "this site already has demo data (a member named {first} exists); \
             use an empty --data-dir to load it again"
        );
    }
    // One hash for every account: hashing 100,000 passwords would take an hour. The password
    // itself passes the site's strength rule (a test checks it).
    let password_hash = virgule_site::password::hash(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow!("cannot hash the demo password: {}", e.message))?;
    let notes = "A demo account created by `virgule demo`; its entries are \
                 reposted from Russell Coker's blog.";

    let total = u64::from(args.members) * u64::from(args.entries_per_member);
    let progress = progress_bar(total);
    let started = Instant::now();
    let now = virgule_store::now();
    let mut revoked_admin = None;
    let mut ids = Vec::with_capacity(args.members as usize);
    for index in 0..args.members {
        let name = demo_name(index);
        let member = store
            .create_member(&NewMember {
                name: name.clone(),
                email: None,
                password_hash: password_hash.clone(),
            })
            .await
            .with_context(|| format!("cannot create the member {name}"))?;
        ids.push(member.id);
        if index > 0 {
            let (certifier, level) = demo_certifier(index);
            store.certify(ids[certifier as usize], member.id, level).await?;
        }
        // On an empty site the first member becomes the admin; an account whose password is
        // printed on the terminal must not be one.
        if member.is_admin {
            store.set_admin(&name, false).await?;
            revoked_admin = Some(name.clone());
        }
        // Demo notes hold no shortcuts: nothing to link.
        let profile = virgule_site::rules::profile(
            &format!("Demo member {index}"),
            "",
            notes,
            &Default::default(),
        )
        .map_err(|e| anyhow!("the demo profile is refused: {}", e.message))?;
        store.update_profile(member.id, &profile).await?;
        let entries = entries_for(index, args.entries_per_member, posts, now);
        store
            .create_entries_bulk(member.id, &entries)
            .await
            .with_context(|| format!("cannot store the entries of {name}"))?;
        progress.inc(u64::from(args.entries_per_member));
        progress.set_message(name.to_string());
    }
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    let last = demo_name(args.members - 1);
    println!(
        "created {} member{} ({first} to {last}) with {} entries each: {total} entries in {seconds:.1} s \
         ({:.0} entries/s)",
        args.members,
        if args.members == 1 { "" } else { "s" },
        args.entries_per_member,
        total as f64 / seconds.max(1e-9),
    );
    let started = Instant::now();
    let made = community::fill(store, &ids, args.entries_per_member, posts, now).await?;
    println!(
        "wrote {} articles and {} replies, {} projects with {} members' relations, {} diary \
         ratings in {:.1} s",
        made.articles,
        made.replies,
        made.projects,
        made.relations,
        made.ratings,
        started.elapsed().as_secs_f64(),
    );
    println!("every demo member's password is: {DEMO_PASSWORD}");
    let summary = virgule_site::trust::recompute(store, &config.site().trust).await?;
    let [(_, ranked), ..] = summary.accepted;
    if summary.seeds.iter().any(|seed| seed.name == first) {
        println!("trust: {ranked} members ranked Apprentice or above, from the seed {first}");
    } else {
        println!(
            "trust: the demo members certify each other from {first} down; make it a trust seed \
             (VIRGULE_TRUST_SEEDS={first}) to rank them and see their entries in the recent log"
        );
    }
    // The ratings' interest scores travel along the certifications, as `trust compute` does.
    let interest = virgule_site::interest::recompute(store).await?;
    println!(
        "interest scores: {} computed from {} diary ratings",
        interest.scores, interest.ratings
    );
    store.refresh_statistics().await?;
    if let Some(name) = revoked_admin {
        println!(
            "note: {name} was the site's first account and so became its admin; that right was \
             withdrawn. Register your own account and run `virgule user admin YOUR_NAME`."
        );
    }
    Ok(())
}

/// Member `index`'s entries, oldest first so that numbers follow time: entry `i` of `m` is
/// published `m - i` hours ago (less `index` seconds, so that the recent log has one order).
/// Members start at different posts so that neighbouring diaries differ.
fn entries_for(
    index: u32,
    count: u32,
    posts: &[EntryDraft],
    now: DateTime<Utc>,
) -> Vec<(EntryDraft, DateTime<Utc>)> {
    (0..count)
        .map(|i| {
            let post = (index as usize * count as usize + i as usize) % posts.len();
            let published =
                now - Duration::hours(i64::from(count - i)) - Duration::seconds(i64::from(index));
            (posts[post].clone(), published)
        })
        .collect()
}

fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} entries ({per_sec}, {eta} left) {msg}",
            )
            .expect("the progress template is valid"),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// The fixture posts as entry drafts, oldest first: read by the same parser and
/// normalizer as syndicated feeds, then composed like an entry written on the site.
pub fn demo_posts() -> anyhow::Result<Vec<EntryDraft>> {
    let mut drafts = Vec::new();
    for feed in FIXTURE_FEEDS {
        let parsed = virgule_feeds::parse(feed.as_bytes(), None, None)
            .context("an embedded demo feed does not parse")?;
        let feed = virgule_feeds::normalize(parsed, chrono::Utc::now());
        for entry in feed.sorted_oldest_first() {
            let title = entry.title.as_deref().unwrap_or_default();
            let body = entry.body_html().unwrap_or_default();
            let draft =
                virgule_site::rules::entry(title, body, "html", &entry.tags, &Default::default())
                    .map_err(|e| anyhow!("the demo post \"{title}\" is refused: {}", e.message))?;
            drafts.push(draft);
        }
    }
    if drafts.is_empty() {
        bail!("the embedded demo feeds hold no posts");
    }
    Ok(drafts)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use virgule_store::EntryFormat;

    use super::*;

    #[test]
    fn demo_posts_are_sanitized_drafts_with_tags() {
        let posts = demo_posts().unwrap();
        assert_eq!(posts.len(), 20);
        // Oldest first: the 2016 feed's last item leads.
        assert!(posts.iter().all(|p| p.format == EntryFormat::Html && !p.html.is_empty()));
        assert!(
            posts
                .iter()
                .all(|p| !p.tags.is_empty() && p.tags.iter().all(|t| *t == t.to_lowercase()))
        );
        assert!(posts.iter().all(|p| !p.html.contains("<script")));
        assert_eq!(posts.last().unwrap().title, "Minikube and Debian");
    }

    #[test]
    fn entries_are_numbered_oldest_first_and_spread_over_hours() {
        let posts = demo_posts().unwrap();
        let now = virgule_store::now();
        let entries = entries_for(3, 100, &posts, now);
        assert_eq!(entries.len(), 100);
        assert_eq!(entries[0].1, now - Duration::hours(100) - Duration::seconds(3));
        assert_eq!(entries[99].1, now - Duration::hours(1) - Duration::seconds(3));
        assert!(entries.windows(2).all(|w| w[0].1 < w[1].1));
        // Neighbouring members start on different posts.
        let other = entries_for(4, 10, &posts, now);
        assert_ne!(entries_for(3, 10, &posts, now)[0].0.title, other[0].0.title);
    }

    #[test]
    fn demo_members_are_certified_down_a_tree_from_the_first() {
        assert_eq!(demo_certifier(1), (0, CertLevel::Master));
        assert_eq!(demo_certifier(2), (0, CertLevel::Journeyer));
        assert_eq!(demo_certifier(3), (0, CertLevel::Apprentice));
        assert_eq!(demo_certifier(8), (0, CertLevel::Journeyer));
        assert_eq!(demo_certifier(9), (1, CertLevel::Apprentice));
        // Every member's certifier comes before it.
        assert!((1..10_000).all(|i| demo_certifier(i).0 < i));
    }

    #[test]
    fn the_demo_password_passes_the_site_strength_rule() {
        for index in [0, 1, 999, 99_999] {
            let name = demo_name(index);
            assert!(virgule_site::rules::password_strength(DEMO_PASSWORD, name.as_str()).is_ok());
        }
        assert_eq!(demo_name(7).as_str(), "demo0007");
        assert_eq!(demo_name(12_345).as_str(), "demo12345");
    }
}
