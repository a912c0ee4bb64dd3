//! The mutation engine: an input from the pool in, a changed copy out, by one to a few stacked
//! edits chosen at random. Edits work on bytes, not on any grammar; the tokens (the ones here
//! that break HTML, XML and JSON, and each target's own) put grammar back in.

use fastrand::Rng;

/// Tokens every target gets: the pieces that end, open or escape something in HTML, XML,
/// JSON and Markdown, and byte sequences that trouble decoders.
pub const COMMON_TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&#",
    b"&#x",
    b"&amp;",
    b"&lt;",
    b"&gt;",
    b"&quot;",
    b"&nbsp;",
    b"&#0;",
    b"&#x110000;",
    b"&#xD800;",
    b"&#99999999999;",
    b"&NotAnEntity;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?",
    b"?>",
    b"<!DOCTYPE x [<!ENTITY e \"ee\">]>",
    b"\"",
    b"'",
    b"=",
    b" ",
    b"\t",
    b"\n",
    b"\r\n",
    b"\0",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\xe2\x80\xa8",
    b"\xf0\x9f\x98\x80",
    b"\xed\xa0\x80",
    b"javascript:",
    b"JaVa\tScRiPt:",
    b"data:text/html,",
    b" onerror=alert(1) ",
    b"<script>",
    b"</script>",
    b"<style>",
    b"<iframe src=\"https://www.youtube.com/embed/x\">",
    b"</iframe>",
    b"<svg>",
    b"<math>",
    b"<table>",
    b"<a href=\"",
    b"<img src=",
    b"<p>",
    b"<b>",
    b"</p>",
    b"<textarea>",
    b"<noscript>",
    b"<plaintext>",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\":",
    b",",
    b"null",
    b"-1",
    b"0",
    b"9223372036854775807",
    b"18446744073709551616",
    b"1e999",
    b"\"\\ud800\"",
    b"\\u0000",
    b"1970-01-01T00:00:00Z",
    b"9999-12-31T23:59:59+14:00",
    b"-0001-01-01T00:00:00Z",
    b"Mon, 31 Feb 2021 25:61:61 +9999",
];

/// What nests when repeated: openers for HTML, XML, JSON and Markdown.
const NESTERS: &[&[u8]] = &[
    b"<b>",
    b"<div>",
    b"<a>",
    b"<table>",
    b"<ul><li>",
    b"<blockquote>",
    b"<p><i>",
    b"<x>",
    b"<![CDATA[",
    b"<!--",
    b"[",
    b"{\"a\":",
    b"> ",
    b"* ",
    b"- ",
    b"1. ",
    b"*",
    b"_",
    b"`",
    b"[[",
    b"![",
    b"&",
];

/// Bytes worth setting a byte to.
const INTERESTING: &[u8] = b"\0\x01\x7f\x80\xff<>&\"'=/;:#[]{}\n\r\t ";

/// Makes new inputs from old ones. Deterministic for a given seed and sequence of calls.
#[derive(Debug)]
pub struct Mutator {
    rng: Rng,
    tokens: &'static [&'static [u8]],
    max_len: usize,
}

impl Mutator {
    /// `tokens` are the target's own, used beside [`COMMON_TOKENS`]; results are cut to
    /// `max_len` bytes.
    pub fn new(seed: u64, tokens: &'static [&'static [u8]], max_len: usize) -> Self {
        Mutator { rng: Rng::with_seed(seed), tokens, max_len }
    }

    /// A number in `0..n` (`n` > 0), from the same stream as the mutations.
    pub fn below(&mut self, n: usize) -> usize {
        self.rng.usize(..n)
    }

    /// A changed copy of `input`; `other` (another input of the pool, possibly the same)
    /// is where splices take their bytes from.
    pub fn mutate(&mut self, input: &[u8], other: &[u8]) -> Vec<u8> {
        let mut data = input.to_vec();
        // Mostly one or two edits; sometimes a pile of them.
        let rounds =
            if self.rng.u8(..8) == 0 { 2 + self.rng.usize(..14) } else { 1 + self.rng.usize(..2) };
        for _ in 0..rounds {
            self.edit(&mut data, other);
        }
        data.truncate(self.max_len);
        data
    }

    fn edit(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        match self.rng.u8(..12) {
            0 if !data.is_empty() => {
                let at = self.rng.usize(..data.len());
                data[at] ^= 1 << self.rng.u8(..8);
            }
            1 if !data.is_empty() => {
                let at = self.rng.usize(..data.len());
                data[at] = self.pick_byte();
            }
            2 => {
                let at = self.rng.usize(..=data.len());
                let count = 1 + self.rng.usize(..8);
                let bytes: Vec<u8> = (0..count).map(|_| self.pick_byte()).collect();
                data.splice(at..at, bytes);
            }
            3 if !data.is_empty() => {
                let (start, end) = self.range(data.len());
                data.drain(start..end);
            }
            4 if !data.is_empty() => {
                // Repeat a chunk in place: long runs, repeated elements, big documents.
                let (start, end) = self.range(data.len());
                let most = if self.rng.bool() { 4 } else { 256 };
                let times = 1 + self.rng.usize(..most);
                let chunk = data[start..end].to_vec();
                let room = self.max_len.saturating_sub(data.len()) / chunk.len().max(1);
                let copies = chunk.repeat(times.min(room));
                data.splice(end..end, copies);
            }
            5 if !other.is_empty() => {
                // Splice a piece of another input in.
                let (start, end) = self.range(other.len());
                let at = self.rng.usize(..=data.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
            6 if !other.is_empty() => {
                // Cross over: this input's head, the other's tail.
                let cut = self.rng.usize(..=data.len());
                let from = self.rng.usize(..=other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            7..=9 => {
                let token = self.pick_token();
                // Now and then at the very start, where prologues and headers live.
                let at = if self.rng.u8(..8) == 0 { 0 } else { self.rng.usize(..=data.len()) };
                data.splice(at..at, token.iter().copied());
            }
            10 => {
                let opener = NESTERS[self.rng.usize(..NESTERS.len())];
                let depth = 8 << self.rng.usize(..10);
                let room = self.max_len.saturating_sub(data.len()) / opener.len();
                let at = self.rng.usize(..=data.len());
                data.splice(at..at, opener.repeat(depth.min(room)));
            }
            _ if !data.is_empty() => {
                let at = self.rng.usize(..data.len());
                data.truncate(at);
            }
            _ => data.push(self.pick_byte()),
        }
    }

    /// A range of `0..len` (`len` > 0), mostly short.
    fn range(&mut self, len: usize) -> (usize, usize) {
        let start = self.rng.usize(..len);
        let longest = len - start;
        let span = if self.rng.u8(..4) == 0 { longest } else { longest.min(32) };
        (start, start + 1 + self.rng.usize(..span))
    }

    fn pick_byte(&mut self) -> u8 {
        if self.rng.bool() {
            INTERESTING[self.rng.usize(..INTERESTING.len())]
        } else {
            self.rng.u8(..)
        }
    }

    fn pick_token(&mut self) -> &'static [u8] {
        if !self.tokens.is_empty() && self.rng.bool() {
            self.tokens[self.rng.usize(..self.tokens.len())]
        } else {
            COMMON_TOKENS[self.rng.usize(..COMMON_TOKENS.len())]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_change_inputs_stay_under_the_cap_and_repeat_by_seed() {
        let input = b"<rss><channel><item><title>t</title></item></channel></rss>";
        let run = |seed| {
            let mut m = Mutator::new(seed, &[b"<item>"], 4096);
            (0..500).map(|_| m.mutate(input, b"other input")).collect::<Vec<_>>()
        };
        let first = run(7);
        assert_eq!(first, run(7), "same seed, same mutations");
        assert_ne!(first, run(8), "another seed, other mutations");
        assert!(first.iter().all(|m| m.len() <= 4096));
        let changed = first.iter().filter(|m| m.as_slice() != input).count();
        assert!(changed > 450, "only {changed} of 500 mutations changed the input");
        assert!(
            first.iter().any(|m| m.windows(6).any(|w| w == b"<item>") && m.len() > input.len())
        );
        assert!(first.iter().any(|m| m.len() < input.len()));
    }

    #[test]
    fn empty_inputs_grow() {
        let mut m = Mutator::new(1, &[], 64);
        assert!((0..50).any(|_| !m.mutate(b"", b"").is_empty()));
    }
}
