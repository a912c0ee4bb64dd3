//! The reader streams: an export of 20,000 posts generated on the fly, never present as a
//! whole anywhere, reads completely.

use std::io::{BufReader, Read};

use virgule_import::wxr::{Record, WxrReader};

/// An `impl Read` that writes a WXR 1.2 export lazily, one item at a time, as it is read.
struct GeneratedExport {
    posts: u64,
    next_post: u64,
    pending: Vec<u8>,
    at: usize,
    finished: bool,
}

impl GeneratedExport {
    fn new(posts: u64) -> Self {
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n\
            <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
            xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<title>Generated</title>\n\
            <wp:wxr_version>1.2</wp:wxr_version>\n";
        GeneratedExport {
            posts,
            next_post: 1,
            pending: header.as_bytes().to_vec(),
            at: 0,
            finished: false,
        }
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        if self.next_post <= self.posts {
            let n = self.next_post;
            self.next_post += 1;
            self.pending = format!(
                "<item>\n<title>Post {n} — ✓</title>\n<wp:post_id>{n}</wp:post_id>\n\
                 <wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt>\n<wp:status>publish</wp:status>\n\
                 <wp:post_type>post</wp:post_type>\n\
                 <content:encoded><![CDATA[Paragraph {n}.\n\nSecond ]]]]><![CDATA[> paragraph 日本.]]></content:encoded>\n</item>\n"
            )
            .into_bytes();
        } else if !self.finished {
            self.finished = true;
            self.pending = b"</channel>\n</rss>\n".to_vec();
        }
    }
}

impl Read for GeneratedExport {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.refill();
        }
        // Small, uneven reads, so multi-byte characters and CDATA markers straddle them.
        let n = (self.pending.len() - self.at).min(out.len()).min(7);
        out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn twenty_thousand_posts_stream_through() {
    const POSTS: u64 = 20_000;
    let reader = WxrReader::new(BufReader::with_capacity(64, GeneratedExport::new(POSTS)));
    assert_eq!(reader.channel().title, "Generated");
    let mut expected_id = 1;
    for record in reader {
        let Record::Post(post) = record.unwrap() else { panic!("only posts") };
        assert_eq!(post.wp_id, expected_id);
        if expected_id == POSTS {
            assert_eq!(post.title, format!("Post {POSTS} — ✓"));
            assert_eq!(
                post.content_html,
                format!("<p>Paragraph {POSTS}.</p>\n<p>Second ]]> paragraph 日本.</p>")
            );
        }
        expected_id += 1;
    }
    assert_eq!(expected_id - 1, POSTS);
}
