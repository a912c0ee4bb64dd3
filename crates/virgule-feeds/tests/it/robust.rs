//! No input takes the reader down or holds it up: arbitrary bytes and mutations of real
//! feeds (cut, spliced, with markup characters sprinkled in) are each either a feed or an
//! error, never a panic, and each is read within a bound far above what a real feed needs.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

/// Real feeds of every format, the seeds the mutations start from.
const SEEDS: &[&[u8]] = &[
    include_bytes!("../../testdata/etbe-wordpress.rss"),
    include_bytes!("../../testdata/atom10-xml-base.atom"),
    include_bytes!("../../testdata/atom03-issued-modified.atom"),
    include_bytes!("../../testdata/rss1-rdf.rdf"),
    include_bytes!("../../testdata/jsonfeed-1.1.json"),
    include_bytes!("../../testdata/hostile-content.rss"),
    include_bytes!("../../testdata/windows-1252-says-utf8.rss"),
    include_bytes!("../../testdata/utf16le-bom.rss"),
];

/// Generous for a debug build on a busy 2-core machine; a real feed reads in milliseconds.
const BOUND: Duration = Duration::from_secs(3);

/// Parses and normalizes `bytes`; panics (failing the property) only if that panics or
/// takes longer than the bound.
fn read_within_bound(bytes: &[u8]) {
    let started = Instant::now();
    let url = url::Url::parse("https://blog.example/feed").expect("a URL");
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("a date");
    match virgule_feeds::parse(bytes, None, Some(&url)) {
        Ok(parsed) => {
            let feed = virgule_feeds::normalize(parsed, now);
            serde_json::to_string(&feed).expect("a read feed serializes");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let took = started.elapsed();
    assert!(took < BOUND, "{} bytes took {took:?}", bytes.len());
}

/// One edit of a feed: cut it, remove or repeat a slice, or put bytes in.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(prop::sample::Index),
    Remove(prop::sample::Index, usize),
    Repeat(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to a feed reader: markup, references, quotes, non-ASCII, NUL.
    let markup = prop::sample::select(b"<>/&;#=\"' !?[]-:x\n\0\x80\xff\xef\xbb\xbf".to_vec());
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Remove(i, n)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        (any::<prop::sample::Index>(), prop::collection::vec(markup, 1..12))
            .prop_map(|(i, bytes)| Mutation::Insert(i, bytes)),
    ]
}

fn apply(mut doc: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    if doc.is_empty() {
        return doc;
    }
    match mutation {
        Mutation::Truncate(at) => doc.truncate(at.index(doc.len())),
        Mutation::Remove(at, n) => {
            let start = at.index(doc.len());
            let end = (start + n).min(doc.len());
            doc.drain(start..end);
        }
        Mutation::Repeat(at, n) => {
            let start = at.index(doc.len());
            let end = (start + n).min(doc.len());
            let slice = doc[start..end].to_vec();
            doc.splice(end..end, slice);
        }
        Mutation::Insert(at, bytes) => {
            let at = at.index(doc.len());
            doc.splice(at..at, bytes.iter().copied());
        }
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_a_feed_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        read_within_bound(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_feed_prefix_are_a_feed_or_an_error(
        prefix in prop::sample::select(vec![
            &b"<rss version=\"2.0\"><channel><item><description>"[..],
            &b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"xhtml\">"[..],
            &b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><item>"[..],
            &b"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":"[..],
        ]),
        tail in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        read_within_bound(&[prefix, &tail].concat());
    }

    #[test]
    fn mutated_real_feeds_are_a_feed_or_an_error(
        seed in prop::sample::select(SEEDS.to_vec()),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let doc = mutations.iter().fold(seed.to_vec(), apply);
        read_within_bound(&doc);
    }
}

/// Pathological but legal shapes: many siblings, long text, many attributes, many
/// references: each read within the bound.
#[test]
fn large_regular_documents_stay_within_the_bound() {
    let items = "<item><title>t &amp; &eacute;</title><description>&lt;p&gt;x&lt;/p&gt;</description></item>"
        .repeat(2_000);
    read_within_bound(format!("<rss version=\"2.0\"><channel>{items}</channel></rss>").as_bytes());
    let attrs: String = (0..20_000).map(|n| format!(" a{n}=\"{n}\"")).collect();
    read_within_bound(format!("<rss version=\"2.0\"><channel{attrs}/></rss>").as_bytes());
    let refs = "&bogus;&#1;&".repeat(50_000);
    read_within_bound(
        format!("<rss version=\"2.0\"><channel><title>{refs}</title></channel></rss>").as_bytes(),
    );
    let open = "<item>".repeat(200);
    read_within_bound(format!("<rss version=\"2.0\"><channel>{open}").as_bytes());
}
