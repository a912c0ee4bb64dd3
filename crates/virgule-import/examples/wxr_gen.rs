//! Writes a synthetic WordPress export (WXR 1.2) to stdout, for benchmarks of the importer.
//!
//! `cargo run --release -p virgule-import --example wxr_gen -- --posts 10000 > blog.xml`
//!
//! Each post has 2–4 KB of content (classic paragraphs for most, Gutenberg blocks for every
//! third, with links, lists, a `[caption]` or a `[code]` now and then), a few tags, one or
//! two categories out of a small tree, and 0–3 comments; every tenth post is followed by an
//! attachment, as real exports interleave them. A fixed-seed LCG makes every run write the
//! same bytes.

use std::io::{self, BufWriter, Write};

const WORDS: &[&str] = &[
    "the",
    "server",
    "kernel",
    "build",
    "release",
    "package",
    "Debian",
    "upstream",
    "patch",
    "network",
    "storage",
    "disk",
    "memory",
    "review",
    "mailing",
    "list",
    "commit",
    "branch",
    "test",
    "suite",
    "bug",
    "report",
    "fix",
    "config",
    "user",
    "policy",
    "trust",
    "metric",
    "feed",
    "community",
    "weblog",
    "Ünïcödé",
    "café",
    "日本",
    "naïve",
    "—",
    "and",
    "of",
    "a",
    "with",
    "for",
    "on",
    "in",
    "to",
    "is",
    "was",
    "it",
    "that",
    "this",
    "we",
];

const TAGS: &[&str] = &[
    "debian",
    "linux",
    "rust",
    "selinux",
    "hardware",
    "travel",
    "music",
    "books",
    "ünïcödé",
    "free-software",
];

/// Category nicename, name, parent nicename.
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("tech", "Technology", ""),
    ("linux", "Linux", "tech"),
    ("debian", "Debian", "linux"),
    ("rust", "Rust", "tech"),
    ("life", "Life & Travel", ""),
    ("books", "Books", "life"),
];

/// Knuth's MMIX LCG; the high bits are the good ones.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn sentence(rng: &mut Lcg) -> String {
    let words = 8 + rng.below(12);
    let mut s = String::new();
    for i in 0..words {
        let word = rng.pick(WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                s.extend(first.to_uppercase());
                s.push_str(chars.as_str());
            }
        } else {
            s.push(' ');
            if rng.below(25) == 0 {
                s.push_str(&format!("<a href=\"https://example.org/{word}\">{word}</a>"));
                continue;
            }
            s.push_str(word);
        }
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Lcg) -> String {
    let n = 2 + rng.below(4);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(if rng.below(3) == 0 {
        "\n"
    } else {
        " "
    })
}

fn content(rng: &mut Lcg, n: usize) -> String {
    let target = 2048 + rng.below(2048);
    let gutenberg = n.is_multiple_of(3);
    let mut out = String::new();
    while out.len() < target {
        let block = match rng.below(12) {
            0 => format!(
                "<ul>\n<li>{}</li>\n<li>{}</li>\n</ul>",
                sentence(rng),
                sentence(rng)
            ),
            1 if !gutenberg => format!(
                "[caption id=\"attachment_{n}\" align=\"alignnone\" width=\"640\"]<img src=\"https://example.org/wp-content/uploads/{n}.jpg\" alt=\"\" width=\"640\" height=\"480\" /> {}[/caption]",
                rng.pick(WORDS)
            ),
            2 if !gutenberg => "[code lang=\"bash\"]\nfor i in $(seq 1 3); do\n  echo \"$i\" && true\ndone\n[/code]".to_string(),
            3 => format!("<h3>{}</h3>", rng.pick(WORDS)),
            _ => paragraph(rng),
        };
        if gutenberg {
            let (name, html) = if block.starts_with('<') {
                ("list", block)
            } else {
                ("paragraph", format!("<p>{block}</p>"))
            };
            out.push_str(&format!("<!-- wp:{name} -->\n{html}\n<!-- /wp:{name} -->\n\n"));
        } else {
            out.push_str(&block);
            out.push_str("\n\n");
        }
    }
    out
}

/// Text as one or more CDATA sections: `]]>` is split across two, as WordPress does.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn date(rng: &mut Lcg, n: usize) -> String {
    let day = n / 3;
    let (year, day_of_year) = (2005 + day / 365, day % 365);
    format!(
        "{year}-{:02}-{:02} {:02}:{:02}:{:02}",
        1 + day_of_year / 31 % 12,
        1 + day_of_year % 28,
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn write_post(out: &mut impl Write, rng: &mut Lcg, n: usize) -> io::Result<()> {
    let id = n * 2 + 1;
    let when = date(rng, n);
    let status = if rng.below(20) == 0 { "draft" } else { "publish" };
    writeln!(out, "\t<item>")?;
    writeln!(
        out,
        "\t\t<title>{}</title>",
        cdata(&format!("Post {n}: {} &amp; {}", rng.pick(WORDS), rng.pick(WORDS)))
    )?;
    writeln!(out, "\t\t<link>https://example.org/?p={id}</link>")?;
    writeln!(out, "\t\t<dc:creator>{}</dc:creator>", cdata("admin"))?;
    writeln!(out, "\t\t<guid isPermaLink=\"false\">https://example.org/?p={id}</guid>")?;
    writeln!(out, "\t\t<description></description>")?;
    writeln!(out, "\t\t<content:encoded>{}</content:encoded>", cdata(&content(rng, n)))?;
    writeln!(out, "\t\t<excerpt:encoded>{}</excerpt:encoded>", cdata(""))?;
    writeln!(out, "\t\t<wp:post_id>{id}</wp:post_id>")?;
    writeln!(out, "\t\t<wp:post_date>{}</wp:post_date>", cdata(&when))?;
    let gmt = if status == "draft" { "0000-00-00 00:00:00" } else { &when };
    writeln!(out, "\t\t<wp:post_date_gmt>{}</wp:post_date_gmt>", cdata(gmt))?;
    writeln!(out, "\t\t<wp:comment_status>{}</wp:comment_status>", cdata("open"))?;
    writeln!(out, "\t\t<wp:post_name>{}</wp:post_name>", cdata(&format!("post-{n}")))?;
    writeln!(out, "\t\t<wp:status>{}</wp:status>", cdata(status))?;
    writeln!(out, "\t\t<wp:post_parent>0</wp:post_parent>")?;
    writeln!(out, "\t\t<wp:post_type>{}</wp:post_type>", cdata("post"))?;
    for _ in 0..1 + rng.below(2) {
        let (nicename, name, _) = CATEGORIES[rng.below(CATEGORIES.len())];
        writeln!(
            out,
            "\t\t<category domain=\"category\" nicename=\"{nicename}\">{}</category>",
            cdata(name)
        )?;
    }
    for _ in 0..rng.below(5) {
        let tag = rng.pick(TAGS);
        writeln!(
            out,
            "\t\t<category domain=\"post_tag\" nicename=\"{tag}\">{}</category>",
            cdata(tag)
        )?;
    }
    writeln!(
        out,
        "\t\t<wp:postmeta><wp:meta_key>{}</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta>",
        cdata("_edit_last"),
        cdata("1")
    )?;
    for c in 0..rng.below(4) {
        let approved = if rng.below(6) == 0 { "0" } else { "1" };
        let parent = if c > 0 && rng.below(2) == 0 { id * 10 + c - 1 } else { 0 };
        writeln!(out, "\t\t<wp:comment>")?;
        writeln!(out, "\t\t\t<wp:comment_id>{}</wp:comment_id>", id * 10 + c)?;
        writeln!(
            out,
            "\t\t\t<wp:comment_author>{}</wp:comment_author>",
            cdata(&format!("Reader {}", rng.below(500)))
        )?;
        writeln!(
            out,
            "\t\t\t<wp:comment_author_email>{}</wp:comment_author_email>",
            cdata("reader@example.org")
        )?;
        writeln!(
            out,
            "\t\t\t<wp:comment_author_url>https://reader.example.org/</wp:comment_author_url>"
        )?;
        writeln!(out, "\t\t\t<wp:comment_date>{}</wp:comment_date>", cdata(&when))?;
        writeln!(out, "\t\t\t<wp:comment_date_gmt>{}</wp:comment_date_gmt>", cdata(&when))?;
        writeln!(out, "\t\t\t<wp:comment_content>{}</wp:comment_content>", cdata(&paragraph(rng)))?;
        writeln!(out, "\t\t\t<wp:comment_approved>{}</wp:comment_approved>", cdata(approved))?;
        writeln!(out, "\t\t\t<wp:comment_type>{}</wp:comment_type>", cdata("comment"))?;
        writeln!(out, "\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>")?;
        writeln!(out, "\t\t</wp:comment>")?;
    }
    writeln!(out, "\t</item>")?;
    if n % 10 == 9 {
        writeln!(out, "\t<item>")?;
        writeln!(out, "\t\t<title>{}</title>", cdata(&format!("image-{n}")))?;
        writeln!(out, "\t\t<wp:post_id>{}</wp:post_id>", id + 1)?;
        writeln!(out, "\t\t<wp:post_parent>{id}</wp:post_parent>")?;
        writeln!(out, "\t\t<wp:status>{}</wp:status>", cdata("inherit"))?;
        writeln!(out, "\t\t<wp:post_type>{}</wp:post_type>", cdata("attachment"))?;
        writeln!(
            out,
            "\t\t<wp:attachment_url>{}</wp:attachment_url>",
            cdata(&format!("https://example.org/wp-content/uploads/{n}.jpg"))
        )?;
        writeln!(out, "\t</item>")?;
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let mut posts = 10_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|v| v.parse::<usize>())) {
            ("--posts", Some(Ok(n))) => posts = n,
            _ => {
                eprintln!(
                    "usage: wxr_gen [--posts N]   (default 10000; the export goes to stdout)"
                );
                std::process::exit(2);
            }
        }
    }
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>")?;
    writeln!(
        out,
        "<!-- Synthetic WXR 1.2 export written by virgule-import's wxr_gen example. -->"
    )?;
    writeln!(
        out,
        "<rss version=\"2.0\"\n\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n\t\
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\t\
         xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\t\
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\t\
         xmlns:wp=\"http://wordpress.org/export/1.2/\"\n>"
    )?;
    writeln!(out, "<channel>")?;
    writeln!(out, "\t<title>Synthetic Weblog — ✓</title>")?;
    writeln!(out, "\t<link>https://example.org</link>")?;
    writeln!(out, "\t<wp:wxr_version>1.2</wp:wxr_version>")?;
    writeln!(out, "\t<wp:base_site_url>https://example.org</wp:base_site_url>")?;
    writeln!(out, "\t<wp:base_blog_url>https://example.org</wp:base_blog_url>")?;
    for (i, (nicename, name, parent)) in CATEGORIES.iter().enumerate() {
        writeln!(
            out,
            "\t<wp:category><wp:term_id>{}</wp:term_id><wp:category_nicename>{}</wp:category_nicename>\
             <wp:category_parent>{}</wp:category_parent><wp:cat_name>{}</wp:cat_name></wp:category>",
            i + 1,
            cdata(nicename),
            cdata(parent),
            cdata(name)
        )?;
    }
    let mut rng = Lcg(0x5eed_0f71_6e00_u64);
    for n in 0..posts {
        write_post(&mut out, &mut rng, n)?;
    }
    writeln!(out, "</channel>")?;
    writeln!(out, "</rss>")?;
    out.flush()
}
