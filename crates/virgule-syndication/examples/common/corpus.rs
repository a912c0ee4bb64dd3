//! Generated WordPress-style RSS 2.0 feeds for the benchmarks, shaped after the etbe fixture
//! (`crates/virgule-feeds/testdata/etbe-wordpress.rss`): `content:encoded` HTML in CDATA with
//! paragraphs, headings, `<pre>` and `<code>`, numbered reference links (absolute) and links to
//! earlier posts (relative), images with `srcset`, lists, a blockquote, entities and curly
//! quotes, the odd embed and inline style the sanitizer must strip, `dc:creator`, categories,
//! `guid isPermaLink="false"` and RFC 822 dates. Parsing and sanitizing cost depends on this
//! mix, so it is kept realistic rather than minimal; it is seeded, so every run is identical.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::Rng;

const SENTENCES: &[&str] = &[
    "I just started looking at the Kubernetes documentation and interactive tutorial, which incidentally is really good.",
    "Everyone who is developing a complex system should look at this to get some ideas for online training.",
    "Here are some notes on setting it up on Debian, mostly so that I can find them again next year.",
    "Ubuntu Xenial is near enough to Debian/Buster and Debian/Unstable that it should work well for both of them.",
    "It MIGHT work on QEMU software emulation without KVM support (technically it&#8217;s possible but it would be slow), I didn&#8217;t test if it does.",
    "To run libvirt as non-root without needing a password for everything you need to add the user in question to the libvirt group.",
    "I recommend running things as non-root whenever possible, in this case entering a password for everything will probably be more pain than you want.",
    "The SE Linux policy for this is mostly done, but there are a few corner cases involving &#8220;unconfined&#8221; domains that need more work.",
    "Last week I bought a second-hand Dell PowerEdge T320 for $200 &amp; it has been running the build farm since Tuesday.",
    "The server has 96G of RAM and 4 &times; 4TB disks in a BTRFS RAID-1 array, which is more than enough for a home office.",
    "One of the disks started giving read errors after a few days, so I ran <code>btrfs scrub</code> and replaced it.",
    "ZFS would have handled this in much the same way, the main difference is that BTRFS is in the mainline kernel.",
    "I&#8217;ve been using a Librem 5 as my main phone for a few months now and the battery life is still a problem.",
    "The PinePhone Pro has better battery life but the software isn&#8217;t quite ready for people who aren&#8217;t developers.",
    "At the LUV meeting on Tuesday we discussed the state of free software on phones &amp; tablets.",
    "If you have any suggestions for how to improve this please leave a comment, I read all of them even if I don&#8217;t always reply.",
    "The Debian Wiki page about this is worth reading, although parts of it are a few releases out of date.",
    "This isn&#8217;t a criticism of the people who wrote it, there just aren&#8217;t enough volunteers to keep every page current.",
    "I filed a bug report about this and the maintainer fixed it within a day, which is one of the good things about Debian.",
    "The upstream developers have a different idea of what a &#8220;stable&#8221; release means, so the version in Bookworm is quite old.",
    "Running <code>apt-get install -t bookworm-backports</code> gets a newer version without much risk.",
    "When I compared the power use of the old and new systems the difference was about 40W, which is about $100 per year.",
    "For a desktop system that&#8217;s not much, but for a server running 24&times;7 it adds up over the life of the hardware.",
    "The Ryzen 5 5600G has integrated graphics that are good enough for everything I do apart from games.",
    "I don&#8217;t play many games so that&#8217;s not a problem for me, but it might be for some readers.",
    "NVMe devices are cheap enough now that there&#8217;s little reason to buy SATA SSDs for a new system.",
    "The main benefit of NVMe for my use is not the raw speed but the lower latency when many processes access the disk.",
    "There&#8217;s a discussion on the mailing list about whether the default should change for the next release.",
    "My opinion is that defaults should suit people who don&#8217;t know enough to change them &mdash; experts can look after themselves.",
    "I&#8217;ll write another post when I&#8217;ve had time to test it properly on real hardware.",
    "Thanks to everyone who sent me hardware to test, it&#8217;s really helpful to have a range of systems.",
    "The conference videos are now online and there are some really good talks about reproducible builds.",
    "Reproducible builds mean that anyone can verify that a binary package was built from the source it claims to come from.",
    "This is one of the most important security improvements in free software over the last decade.",
    "I ran <code>systemd-analyze blame</code> to see what was slowing down the boot and the answer was the network wait.",
    "Disabling <code>systemd-networkd-wait-online.service</code> cut 30 seconds off the boot time of my workstation.",
    "The 4K monitor I bought last year is still working well, although the DisplayPort connector is a bit loose.",
    "Scaling in Wayland is much better than it was in X, but some older applications still look blurry.",
    "Email is still the most important communication tool for free software development, whatever people say about chat.",
    "Postfix and Dovecot have both been very reliable for me for over 15 years &hellip; I rarely have to think about them.",
];

const TITLES: &[&str] = &[
    "Minikube and Debian",
    "Dell PowerEdge T320 &amp; BTRFS",
    "Phone Battery Life",
    "SE Linux Policy Updates",
    "Links May 2021",
    "Reproducible Builds",
    "Systemd Boot Time",
    "Monitor Scaling in Wayland",
    "Email Servers in 2021",
    "Power Use of Servers",
    "NVMe vs SATA",
    "LUV Meeting Notes",
    "Debian Backports",
    "Ryzen Desktop Build",
    "The Librem 5 After Six Months",
    "Hardware for Testing",
];

const CATEGORIES: &[&str] = &[
    "Debian",
    "Kubernetes",
    "Virtualisation",
    "SE Linux",
    "Hardware",
    "Phone",
    "Networking",
    "Storage",
    "Security",
    "LUV",
    "Conferences",
    "Politics",
];

const COMMANDS: &[&str] = &[
    "apt install libvirt-clients libvirt-daemon-system qemu-kvm dnsmasq kubectl",
    "gpg --recv-key 6A030B21BA07F4FB\ngpg --export 6A030B21BA07F4FB | apt-key add -",
    "btrfs scrub start -B /\nbtrfs device stats /",
    "# list domains\nvirsh --connect qemu:///system list\nvirsh --connect qemu:///system net-list",
    "semodule -i local.pp\nrestorecon -R -v /srv/www",
    "for n in $(seq 1 10) ; do\n  ssh host$n &quot;uptime&quot; &amp;&amp; echo ok\ndone",
    "systemd-analyze blame | head -n 20",
];

/// A generated blog: feed `index` of a corpus, on site `https://blogNNNN.example`.
pub struct Blog {
    pub index: usize,
    pub site: String,
}

impl Blog {
    pub fn new(index: usize) -> Self {
        Self { index, site: format!("https://blog{index:05}.example") }
    }
}

/// One post's identity and date, so a later version of a feed lists the same earlier posts.
struct Post {
    number: usize,
    slug: String,
    title: &'static str,
    published: DateTime<Utc>,
}

/// The RSS 2.0 document of `blog` listing posts `first_post..first_post + count`, newest first,
/// each with `content:encoded` HTML of `min_html..=max_html` bytes (roughly: blocks are added
/// until the size is reached). The same arguments always give the same bytes.
pub fn rss(
    blog: &Blog,
    first_post: usize,
    count: usize,
    min_html: usize,
    max_html: usize,
) -> String {
    let base = Utc.with_ymd_and_hms(2021, 5, 20, 10, 32, 11).single().expect("a valid date");
    let mut out = String::with_capacity(count * (max_html + 1500) + 1500);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"\n\
         \txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\
         \txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\
         \txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
         \txmlns:atom=\"http://www.w3.org/2005/Atom\"\n\
         \txmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"\n\
         \txmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"\n\t>\n\n<channel>\n\
         \t<title>blog{i:05} &#8211; Member {i}</title>\n\
         \t<atom:link href=\"{site}/feed/\" rel=\"self\" type=\"application/rss+xml\" />\n\
         \t<link>{site}</link>\n\t<description>Member {i}&#039;s blog</description>\n\
         \t<lastBuildDate>{built}</lastBuildDate>\n\t<language>en-AU</language>\n\
         \t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n\
         \t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n\
         \t<generator>https://wordpress.org/?v=5.7.2</generator>\n",
        i = blog.index,
        site = blog.site,
        built = post(blog, first_post + count.saturating_sub(1), base).published.to_rfc2822(),
    );
    for number in (first_post..first_post + count).rev() {
        item(&mut out, blog, &post(blog, number, base), min_html, max_html);
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// Post `number` of `blog`: a fixed title, slug and date (one to five days after the last).
fn post(blog: &Blog, number: usize, base: DateTime<Utc>) -> Post {
    let mut rng = Rng::new(seed(blog.index, number, 1));
    let title = *rng.pick(TITLES);
    let slug = slug(title);
    // Every post of a blog is 1–5 days after the one before: spread evenly, never reordered.
    let days = number as i64 * 3 + (rng.range(0, 2) as i64 - 1);
    let published = base - Duration::days(1500)
        + Duration::days(days)
        + Duration::minutes(rng.range(0, 1439) as i64);
    Post { number, slug: format!("{slug}-{number}"), title, published }
}

/// WordPress's slug of a title: lower case, words joined by hyphens.
fn slug(title: &str) -> String {
    title
        .replace("&amp;", "and")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

fn seed(blog: usize, post: usize, salt: u64) -> u64 {
    (blog as u64).wrapping_mul(0x1000_0000_01B3) ^ (post as u64).wrapping_mul(0x9E37_79B9) ^ salt
}

fn item(out: &mut String, blog: &Blog, post: &Post, min_html: usize, max_html: usize) {
    let mut rng = Rng::new(seed(blog.index, post.number, 2));
    let date = post.published.format("%Y/%m/%d");
    let link = format!("{}/{date}/{}/", blog.site, post.slug);
    let html = body(&mut rng, blog, post, min_html, max_html);
    let _ = write!(
        out,
        "\t<item>\n\t\t<title>{title}</title>\n\t\t<link>{link}</link>\n\
         \t\t<comments>{link}#comments</comments>\n\t\t\n\
         \t\t<dc:creator><![CDATA[member{i}]]></dc:creator>\n\
         \t\t<pubDate>{date}</pubDate>\n",
        title = post.title,
        i = blog.index,
        date = post.published.to_rfc2822(),
    );
    let mut categories: Vec<&str> = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let category = *rng.pick(CATEGORIES);
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    for category in categories {
        let _ = writeln!(out, "\t\t<category><![CDATA[{category}]]></category>");
    }
    let excerpt: String = (0..3).map(|_| *rng.pick(SENTENCES)).collect::<Vec<_>>().join(" ");
    let excerpt = strip_tags(&excerpt);
    let _ = write!(
        out,
        "\t\t<guid isPermaLink=\"false\">{site}/?p={p}</guid>\n\n\
         \t\t\t\t\t<description><![CDATA[{excerpt} [&#8230;]]]></description>\n\
         \t\t\t\t\t\t\t\t\t\t<content:encoded><![CDATA[{html}]]></content:encoded>\n\
         \t\t\t\t\t\n\t\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>\n\
         \t\t\t<slash:comments>{comments}</slash:comments>\n\t\t\n\t\t\t\t\t</item>\n",
        site = blog.site,
        p = 5000 + post.number,
        comments = rng.range(0, 12),
    );
}

/// The largest block [`body`] adds at once, in bytes (a list of six long sentences).
const LARGEST_BLOCK: usize = 900;

/// The post's HTML, `min..=max` bytes: an opening paragraph, then a random mix of blocks
/// until a size drawn in `min..=max - LARGEST_BLOCK` is reached, then the list of the
/// numbered references the paragraphs cited.
fn body(rng: &mut Rng, blog: &Blog, post: &Post, min: usize, max: usize) -> String {
    let target = rng.range(min, max.saturating_sub(LARGEST_BLOCK).max(min));
    let mut html = String::with_capacity(max + 1024);
    let mut refs = 0;
    paragraph(rng, &mut html, post, &mut refs);
    let mut embeds = 0;
    let references_len =
        |refs: usize| (1..=refs).map(|n| reference(&post.slug, n).len()).sum::<usize>() + 11;
    while html.len() + references_len(refs) < target {
        match rng.range(0, 19) {
            0..=7 => paragraph(rng, &mut html, post, &mut refs),
            8 | 9 => {
                let _ = write!(html, "\n\n<h3>{}</h3>\n\n", rng.pick(TITLES));
            }
            10 | 11 => {
                let _ = write!(html, "<pre>{}</pre>\n\n", rng.pick(COMMANDS));
            }
            12 | 13 => {
                let tag = if rng.chance(50) { "ul" } else { "ol" };
                let _ = writeln!(html, "<{tag}>");
                for _ in 0..rng.range(3, 6) {
                    let _ = writeln!(html, "<li>{}</li>", rng.pick(SENTENCES));
                }
                let _ = write!(html, "</{tag}>\n\n");
            }
            14 => {
                let _ = write!(
                    html,
                    "<blockquote><p>{} {}</p><cite>&#8212; someone on the mailing list</cite>\
                     </blockquote>\n\n",
                    rng.pick(SENTENCES),
                    rng.pick(SENTENCES)
                );
            }
            15 | 16 => {
                let n = rng.range(100, 9999);
                let _ = write!(
                    html,
                    "<figure class=\"wp-block-image size-large\"><img loading=\"lazy\" \
                     width=\"1024\" height=\"768\" src=\"/wp-content/uploads/2021/05/photo-{n}-1024x768.jpg\" \
                     alt=\"Photo {n}\" class=\"wp-image-{n}\" srcset=\"/wp-content/uploads/2021/05/photo-{n}-1024x768.jpg 1024w, \
                     /wp-content/uploads/2021/05/photo-{n}-300x225.jpg 300w, \
                     /wp-content/uploads/2021/05/photo-{n}-768x576.jpg 768w\" \
                     sizes=\"(max-width: 1024px) 100vw, 1024px\" /><figcaption>The \
                     {} at work</figcaption></figure>\n\n",
                    rng.pick(CATEGORIES)
                );
            }
            17 if embeds == 0 && rng.chance(25) => {
                embeds += 1;
                let _ = write!(
                    html,
                    "<figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\">\
                     <iframe title=\"Talk\" width=\"640\" height=\"360\" \
                     src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed\" frameborder=\"0\" \
                     allow=\"accelerometer; autoplay; encrypted-media\" allowfullscreen></iframe>\
                     </div></figure>\n\n"
                );
            }
            _ => {
                let _ = write!(
                    html,
                    "<p style=\"text-align:center\"><span class=\"has-inline-color\" \
                     style=\"color:#cf2e2e\"><strong>Update:</strong> {}</span> \
                     See also <a href=\"{}/category/{}/\" onclick=\"track(this)\">my other posts</a>.</p>\n\n",
                    rng.pick(SENTENCES),
                    blog.site,
                    rng.pick(CATEGORIES).to_ascii_lowercase().replace(' ', "-")
                );
            }
        }
    }
    if refs > 0 {
        html.push_str("<ul>\n");
        for n in 1..=refs {
            html.push_str(&reference(&post.slug, n));
        }
        html.push_str("</ul>\n");
    }
    html
}

fn reference(slug: &str, n: usize) -> String {
    format!(
        "<li><a href=\"https://example.org/refs/{slug}/{n}\">https://example.org/refs/{slug}/{n}</a></li>\n"
    )
}

fn paragraph(rng: &mut Rng, html: &mut String, post: &Post, refs: &mut usize) {
    html.push_str("<p>");
    for s in 0..rng.range(2, 6) {
        if s > 0 {
            html.push(' ');
        }
        html.push_str(rng.pick::<&str>(SENTENCES));
        match rng.range(0, 9) {
            0 | 1 => {
                *refs += 1;
                let _ = write!(
                    html,
                    " <a href=\"https://example.org/refs/{}/{n}\">[{n}]</a>",
                    post.slug,
                    n = *refs
                );
            }
            2 => {
                let _ = write!(
                    html,
                    " I wrote about this <a href=\"/2020/{:02}/{}/\">in an earlier post</a>.",
                    rng.range(1, 12),
                    slug(rng.pick::<&str>(TITLES))
                );
            }
            3 => html.push_str(" <em>This matters.</em>"),
            _ => {}
        }
    }
    html.push_str("</p>\n\n");
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
