//! The demo's community beyond the diaries: front-page articles with threaded replies,
//! replies under some entries, projects with the members' relations to them, and diary
//! ratings between members.
//!
//! Everything is written straight through the store, as the entries are: this is demo data
//! loaded by the admin on their own database, so the site's gates (the article and reply
//! levels, which need a computed trust level, hence a configured seed) are not asked. The
//! texts still go through the site's rules (`virgule_site::rules`), so they are rendered
//! and sanitized exactly as a member's would be. The articles are written by members who
//! reach Journeyer or above once `demo0000` is a trust seed (see [`writes_articles`]), so a
//! site configured that way looks as if the gates had been asked.

use anyhow::{Context, anyhow};
use chrono::{DateTime, Duration, Utc};
use virgule_store::{
    ArticleDraft, EntryDraft, ProjectDraft, ProjectName, ReplyDraft, ReplyTarget, Store,
};

use super::{demo_certifier, demo_name};

/// How many articles the demo writes: three for every ten members (at least three).
pub fn article_count(members: u32) -> u32 {
    members.div_ceil(10) * 3
}

/// Only members this close to the seed write articles: with the default capacities the
/// seed's flow ranks them all.
const ARTICLE_AUTHOR_RANGE: u32 = 100;

/// Whether demo member `index` writes articles: every certification on its way up to
/// `demo0000` is Journeyer or Master (so, with `demo0000` as a trust seed, it is ranked
/// Journeyer or above), and it is among the first [`ARTICLE_AUTHOR_RANGE`].
pub fn writes_articles(index: u32) -> bool {
    if index >= ARTICLE_AUTHOR_RANGE {
        return false;
    }
    let mut at = index;
    while at > 0 {
        let (certifier, level) = demo_certifier(at);
        if level < virgule_store::CertLevel::Journeyer {
            return false;
        }
        at = certifier;
    }
    true
}

/// An article made of a fixture post: its first paragraph is the lead, the rest the body
/// (the article page shows both, one after the other).
pub fn article_from_post(post: &EntryDraft) -> anyhow::Result<ArticleDraft> {
    let html = post.body_source.trim();
    let split = first_paragraph(html).and_then(|(start, end)| {
        let rest = format!("{}\n{}", html[..start].trim(), html[end..].trim()).trim().to_owned();
        (!rest.is_empty()).then(|| (html[start..end].to_owned(), rest))
    });
    // A post without paragraphs (or of one alone): its title introduces it.
    let (lead, body) = split.unwrap_or_else(|| {
        let title = post.title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        (format!("<p>{title}</p>"), html.to_owned())
    });
    virgule_site::rules::article(&post.title, &lead, &body, "html", &Default::default())
        .map_err(|e| anyhow!("the demo article \"{}\" is refused: {}", post.title, e.message))
}

/// Where the first `<p>…</p>` of `html` starts and ends.
fn first_paragraph(html: &str) -> Option<(usize, usize)> {
    let start = [html.find("<p>"), html.find("<p ")].into_iter().flatten().min()?;
    let end = start + html[start..].find("</p>")? + "</p>".len();
    Some((start, end))
}

/// What demo members say to each other (Markdown, the reply form's default).
const REPLY_TEXTS: [&str; 10] = [
    "Thanks for writing this up — I hit the same problem last month and ended up with a \
     much uglier workaround.",
    "Have you tried this on **Debian testing**? The package versions there changed since \
     this was written.",
    "I disagree with part of this: the defaults are there for a reason, and most people \
     never need to touch them.",
    "Good point. I'd add that the documentation is out of date on this; a patch would be \
     welcome.",
    "This matches what I saw on my own machines. One more data point:\n\n\
     * kernel 6.1: fine\n* kernel 6.6: the same regression",
    "Could you file a bug about it? Otherwise it will be forgotten by the next release.",
    "Interesting. Do you have numbers for the older hardware too?",
    "I tried it and it works, but only after a reboot.",
    "Agreed — and it is worth saying *why* it matters, which the upstream docs never do.",
    "Seconded. See also the discussion on the mailing list a while ago.",
];

/// The reply texts as drafts, rendered once.
pub fn reply_drafts() -> anyhow::Result<Vec<ReplyDraft>> {
    REPLY_TEXTS
        .iter()
        .map(|text| {
            virgule_site::rules::reply(text, "markdown", &Default::default())
                .map_err(|e| anyhow!("a demo reply is refused: {}", e.message))
        })
        .collect()
}

/// The replies of one thread: each one's parent as an index into the same list (`None`:
/// it answers the item). Threads take turns between three shapes, two of them nested.
pub fn thread_shape(seed: u32) -> &'static [Option<usize>] {
    match seed % 3 {
        // 0 ─ 1 ─ 3
        // 2
        0 => &[None, Some(0), None, Some(1)],
        // 0 ─ 1
        // 2 ─ 3
        //   └ 4
        1 => &[None, Some(0), None, Some(2), Some(2)],
        // 0
        // 1
        _ => &[None, None],
    }
}

/// How long after an item, and after each other, a thread's replies come (a thread of five
/// fits in the hour between the newest entries and now).
const REPLY_STEP_MINUTES: i64 = 10;

/// Hours between two articles.
const ARTICLE_STEP_HOURS: i64 = 3;

/// Article `k` of `count`, oldest first, is published `count - k` steps before `now`.
pub fn article_time(k: u32, count: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(ARTICLE_STEP_HOURS * i64::from(count - k))
}

/// Writes the thread `shape` on `target` (published at `item_published`), the replies by
/// members picked from `seed`.
async fn write_thread(
    store: &Store,
    ids: &[i64],
    (target, item_published): (ReplyTarget, DateTime<Utc>),
    seed: u32,
    drafts: &[ReplyDraft],
) -> anyhow::Result<usize> {
    let shape = thread_shape(seed);
    let mut written: Vec<i64> = Vec::with_capacity(shape.len());
    for (i, parent) in shape.iter().enumerate() {
        let step = u32::try_from(i).unwrap_or(0);
        let author = ids[((seed * 7 + step * 13 + 1) as usize) % ids.len()];
        let draft = &drafts[((seed + step * 3) as usize) % drafts.len()];
        let parent = parent.map(|p| written[p]);
        let published =
            item_published + Duration::minutes(REPLY_STEP_MINUTES * (i64::from(step) + 1));
        let reply = store.create_reply_at(target, parent, author, draft, published).await?;
        written.push(reply.id);
    }
    Ok(written.len())
}

/// The projects: name, Markdown description, homepage, licence.
const PROJECTS: [(&str, &str, &str, &str); 5] = [
    (
        "virgule",
        "A community weblog server in Rust: diaries, articles, projects and a peer \
         certification trust metric, in the tradition of Advogato.",
        "",
        "AGPL-3.0",
    ),
    (
        "mod_virgule",
        "The Apache module that ran **Advogato**: diaries, articles and the trust metric, \
         with its data in XML files.",
        "https://www.advogato.org/",
        "GPL-2.0",
    ),
    (
        "debian",
        "The universal operating system: a free distribution made by volunteers.",
        "https://www.debian.org/",
        "DFSG",
    ),
    (
        "selinux",
        "Security-Enhanced Linux: mandatory access control in the kernel, and the policy \
         that drives it.",
        "https://github.com/SELinuxProject",
        "GPL-2.0",
    ),
    (
        "minikube",
        "Runs a local Kubernetes cluster, for development and learning.",
        "https://minikube.sigs.k8s.io/",
        "Apache-2.0",
    ),
];

/// Demo member `index`'s relations: one project (taking turns), with a relation taking turns
/// too; every fourth member also uses a second one.
pub fn relations_of(index: u32) -> Vec<(usize, virgule_store::Relation)> {
    use virgule_store::Relation;
    let all = Relation::ALL;
    let project = index as usize % PROJECTS.len();
    let mut out = vec![(project, all[(index as usize / PROJECTS.len()) % all.len()])];
    if index.is_multiple_of(4) {
        out.push(((project + 2) % PROJECTS.len(), Relation::User));
    }
    out
}

/// Demo member `index`'s diary ratings, out of `members`: (rated member, rating 1 to 10).
/// Each rates up to three others (never itself): its certifier, and two further on.
pub fn ratings_of(index: u32, members: u32) -> Vec<(u32, u8)> {
    let mut rated = Vec::with_capacity(3);
    if index > 0 {
        rated.push(demo_certifier(index).0);
    }
    rated.extend([(index + 1) % members, (index + 7) % members]);
    rated.sort_unstable();
    rated.dedup();
    rated
        .into_iter()
        .filter(|&other| other != index)
        .map(|other| (other, 1 + u8::try_from((index * 3 + other * 5) % 10).unwrap_or(0)))
        .collect()
}

/// What [`fill`] wrote, for the summary line.
#[derive(Debug, Default)]
pub struct Community {
    pub articles: usize,
    pub replies: usize,
    pub projects: usize,
    pub relations: usize,
    pub ratings: usize,
}

/// Writes the community of the demo members `ids` (`ids[i]` is `demo{i}`) whose diaries
/// hold `entries_per_member` entries each.
pub async fn fill(
    store: &Store,
    ids: &[i64],
    entries_per_member: u32,
    posts: &[EntryDraft],
    now: DateTime<Utc>,
) -> anyhow::Result<Community> {
    let members = u32::try_from(ids.len()).context("too many demo members")?;
    let mut done = Community::default();
    let articles: Vec<ArticleDraft> =
        posts.iter().map(article_from_post).collect::<anyhow::Result<_>>()?;
    let replies = reply_drafts()?;

    // Articles, oldest first so that numbers follow time, each with a thread.
    let authors: Vec<u32> = (0..members).filter(|&i| writes_articles(i)).collect();
    let count = article_count(members);
    for k in 0..count {
        let author = authors[k as usize % authors.len()];
        let draft = &articles[(k as usize * 7) % articles.len()];
        let published = article_time(k, count, now);
        let article = store
            .create_article_at(ids[author as usize], draft, published)
            .await
            .with_context(|| format!("cannot store an article of {}", demo_name(author)))?;
        done.articles += 1;
        let target = (ReplyTarget::Article(article.id), article.published);
        done.replies += write_thread(store, ids, target, k, &replies).await?;
    }

    // The newest entry of every fifth member gets a thread.
    if entries_per_member > 0 {
        for index in (0..members).step_by(5) {
            let name = demo_name(index);
            let newest = i64::from(entries_per_member - 1);
            let entry = store
                .entry_by_number(&name, newest)
                .await?
                .with_context(|| format!("{name} has no entry {newest}"))?;
            let target = (ReplyTarget::Entry(entry.id), entry.published);
            done.replies += write_thread(store, ids, target, index + 1, &replies).await?;
        }
    }

    // Projects, created by the first members, and everyone's relations to them.
    let mut project_ids = Vec::with_capacity(PROJECTS.len());
    for (i, (name, description, homepage, license)) in PROJECTS.iter().enumerate() {
        let name = ProjectName::parse(name).map_err(|e| anyhow!("{name}: {e}"))?;
        let draft: ProjectDraft =
            virgule_site::rules::project(description, homepage, license, &Default::default())
                .map_err(|e| anyhow!("the demo project {name} is refused: {}", e.message))?;
        let creator = ids[i % ids.len()];
        project_ids.push(store.create_project(creator, &name, &draft).await?.id);
        done.projects += 1;
    }
    for (index, &member) in ids.iter().enumerate() {
        for (project, relation) in relations_of(u32::try_from(index)?) {
            store.set_project_relation(project_ids[project], member, Some(relation)).await?;
            done.relations += 1;
        }
    }

    // Diary ratings; the interest scores they make are computed at the end of the demo.
    for (index, &member) in ids.iter().enumerate() {
        for (other, rating) in ratings_of(u32::try_from(index)?, members) {
            store.rate(member, ids[other as usize], rating).await?;
            done.ratings += 1;
        }
    }
    Ok(done)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_written_by_members_certified_journeyer_all_the_way_up() {
        assert!(writes_articles(0));
        assert!(writes_articles(1), "Master from demo0000");
        assert!(writes_articles(2), "Journeyer from demo0000");
        assert!(!writes_articles(3), "Apprentice from demo0000");
        // 10 is certified by 1 (Master), Master itself; 12 by 1 at Apprentice.
        assert!(writes_articles(10));
        assert!(!writes_articles(12));
        // 25 is certified by 3, an Apprentice.
        assert!(!writes_articles(25));
        assert!(!writes_articles(ARTICLE_AUTHOR_RANGE));
        assert!((0..1000).filter(|&i| writes_articles(i)).count() >= 20);
        assert_eq!(article_count(1), 3);
        let now = virgule_store::now();
        assert_eq!(article_time(299, 300, now), now - Duration::hours(ARTICLE_STEP_HOURS));
        assert!(article_time(0, 300, now) < article_time(1, 300, now));
        // A thread of five ends before the next hour's entries and articles.
        let longest = i64::try_from(thread_shape(1).len()).unwrap();
        assert!(REPLY_STEP_MINUTES * longest < 60);
        assert_eq!(article_count(1000), 300);
    }

    #[test]
    fn an_article_leads_with_its_posts_first_paragraph() {
        let posts = super::super::demo_posts().unwrap();
        for post in &posts {
            let article = article_from_post(post).unwrap();
            assert_eq!(article.title, post.title);
            assert!(article.lead_html.starts_with("<p"), "{}", article.lead_html);
            assert!(!article.body_source.starts_with(article.lead_source.as_str()));
        }
        let draft = EntryDraft {
            title: "T".into(),
            format: virgule_store::EntryFormat::Html,
            body_source: "<p>First.</p>\n<p>Second.</p>".into(),
            html: String::new(),
            tags: vec![],
        };
        let article = article_from_post(&draft).unwrap();
        assert_eq!(article.lead_source, "<p>First.</p>");
        assert_eq!(article.body_source, "<p>Second.</p>");
        // A post that opens with code leads with its first paragraph of text.
        let draft =
            EntryDraft { body_source: "<pre>x</pre><p>Text.</p><p>More.</p>".into(), ..draft };
        let article = article_from_post(&draft).unwrap();
        assert_eq!(article.lead_source, "<p>Text.</p>");
        assert_eq!(article.body_source, "<pre>x</pre>\n<p>More.</p>");
    }

    #[test]
    fn threads_nest_and_every_parent_comes_first() {
        for seed in 0..3 {
            let shape = thread_shape(seed);
            assert!(shape.iter().enumerate().all(|(i, p)| p.is_none_or(|p| p < i)));
        }
        assert!(thread_shape(0).contains(&Some(1)), "a reply to a reply to a reply");
        assert_eq!(reply_drafts().unwrap().len(), REPLY_TEXTS.len());
    }

    #[test]
    fn relations_and_ratings_are_spread_and_never_on_oneself() {
        let projects: std::collections::HashSet<usize> =
            (0..10).flat_map(relations_of).map(|(p, _)| p).collect();
        assert_eq!(projects.len(), PROJECTS.len());
        let relations: std::collections::HashSet<_> =
            (0..30).flat_map(relations_of).map(|(_, r)| r).collect();
        assert_eq!(relations.len(), virgule_store::Relation::ALL.len());
        for members in [1, 2, 3, 1000] {
            for index in 0..members.min(50) {
                let ratings = ratings_of(index, members);
                assert!(
                    ratings
                        .iter()
                        .all(|&(o, r)| o != index && o < members && (1..=10).contains(&r))
                );
            }
        }
        assert!(ratings_of(0, 1).is_empty());
        assert_eq!(ratings_of(9, 1000).len(), 3);
    }
}
