//! Content codings for stored pages, pure: which coding a request asks for, and the page's
//! bytes in it. The page cache keeps each coding of a page once it has been asked for, so a
//! hit costs no compression; everything else is compressed on the way out by tower-http's
//! layer (placed in [`crate::router`]), whose choice [`Coding::negotiate`] makes the same way.

use std::io::Write as _;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_ENCODING;

/// The level of every coding, here and in the compression layer (gzip 3, brotli 3, zstd 3).
/// Measured on a 149 KB Atom feed on the 2-core machine (docs/design.md §2): about 1.7 ms for
/// gzip, 3 ms for brotli, 0.6 ms for zstd, within 5–15% of the size at level 6 for half the
/// time or less; brotli's own default (11) takes ~300 ms, which would make the CPU the
/// bottleneck of every feed poll.
pub const LEVEL: u32 = 3;

/// Bodies shorter than this are sent as they are (the compression layer's own bound).
pub const MIN_SIZE: usize = 32;

/// The codings served, least preferred first: on equal quality the later one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Coding {
    Gzip,
    Brotli,
    Zstd,
}

impl Coding {
    pub const ALL: [Coding; 3] = [Coding::Gzip, Coding::Brotli, Coding::Zstd];

    /// Its position in [`Coding::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }

    /// The coding a token of `Accept-Encoding` names, if served here.
    pub fn parse(token: &str) -> Option<Coding> {
        let token = token.trim();
        if token.eq_ignore_ascii_case("gzip") || token.eq_ignore_ascii_case("x-gzip") {
            Some(Coding::Gzip)
        } else if token.eq_ignore_ascii_case("br") {
            Some(Coding::Brotli)
        } else if token.eq_ignore_ascii_case("zstd") {
            Some(Coding::Zstd)
        } else {
            None
        }
    }

    /// The coding `Accept-Encoding` asks for, if any: the one of highest quality above zero,
    /// ties going to the more preferred; unknown codings and malformed items are ignored (as
    /// the compression layer does, so both choose alike).
    pub fn negotiate(request: &HeaderMap) -> Option<Coding> {
        accepted(request)
            .filter_map(|(token, quality)| Some((quality, Coding::parse(token)?)))
            .filter(|&(quality, _)| quality > 0)
            .max()
            .map(|(_, coding)| coding)
    }

    /// `body` in this coding, at [`LEVEL`].
    pub fn compress(self, body: &[u8]) -> std::io::Result<Vec<u8>> {
        let out = Vec::with_capacity(body.len() / 4);
        match self {
            Coding::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(out, flate2::Compression::new(LEVEL));
                encoder.write_all(body)?;
                encoder.finish()
            }
            Coding::Brotli => {
                let mut out = out;
                {
                    // 4 KiB of buffer; a window of 2^22 bytes, brotli's default.
                    let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, LEVEL, 22);
                    encoder.write_all(body)?;
                    encoder.flush()?;
                }
                Ok(out)
            }
            Coding::Zstd => zstd::bulk::compress(body, LEVEL as i32),
        }
    }
}

/// The items of a request's `Accept-Encoding`: each token (trimmed, as written) with its
/// quality in thousandths (1000 without a `q=`); a malformed item is left out.
pub fn accepted(request: &HeaderMap) -> impl Iterator<Item = (&str, u16)> {
    request
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| {
            let mut parts = item.splitn(2, ';');
            let token = parts.next().unwrap_or("").trim();
            let quality = match parts.next() {
                Some(q) => quality(q.trim())?,
                None => 1000,
            };
            Some((token, quality))
        })
}

/// A `q=` parameter as thousandths (`q=0.5` is 500); `None` if malformed or above 1.
fn quality(param: &str) -> Option<u16> {
    let value = param.strip_prefix("q=").or_else(|| param.strip_prefix("Q="))?;
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use axum::http::HeaderValue;

    use super::*;

    fn asks(accept: &str) -> Option<Coding> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
        Coding::negotiate(&headers)
    }

    #[test]
    fn the_best_quality_wins_and_ties_go_to_zstd_then_brotli() {
        assert_eq!(asks("gzip, deflate, br, zstd"), Some(Coding::Zstd));
        assert_eq!(asks("gzip, deflate, br"), Some(Coding::Brotli));
        assert_eq!(asks("gzip, deflate"), Some(Coding::Gzip));
        assert_eq!(asks("x-gzip"), Some(Coding::Gzip));
        assert_eq!(asks("zstd;q=0.5, gzip;q=0.8"), Some(Coding::Gzip));
        assert_eq!(asks("BR;Q=1.0, gzip;q=1"), Some(Coding::Brotli));
    }

    #[test]
    fn refused_unknown_and_malformed_codings_are_not_chosen() {
        assert_eq!(asks("identity"), None);
        assert_eq!(asks("deflate, compress, *"), None);
        assert_eq!(asks("gzip;q=0, br;q=0.000"), None);
        assert_eq!(asks("gzip;q=2, br;q=0.5"), Some(Coding::Brotli), "q=2 is malformed");
        assert_eq!(asks("gzip;q=0.1234"), None, "four decimals are malformed");
        assert_eq!(asks("gzip;level=9"), None, "not a q parameter");
        assert_eq!(Coding::negotiate(&HeaderMap::new()), None);
    }

    #[test]
    fn every_coding_gives_back_the_body() {
        let body = "<p>Recent blog entries for demo0000</p>\n".repeat(500);
        for coding in Coding::ALL {
            let packed = coding.compress(body.as_bytes()).unwrap();
            assert!(packed.len() < body.len() / 10, "{coding:?}: {} bytes", packed.len());
            let mut unpacked = Vec::new();
            match coding {
                Coding::Gzip => {
                    flate2::read::GzDecoder::new(&packed[..]).read_to_end(&mut unpacked).unwrap();
                }
                Coding::Brotli => {
                    brotli::Decompressor::new(&packed[..], 4096)
                        .read_to_end(&mut unpacked)
                        .unwrap();
                }
                Coding::Zstd => unpacked = zstd::bulk::decompress(&packed, body.len()).unwrap(),
            }
            assert_eq!(unpacked, body.as_bytes(), "{coding:?}");
            assert_eq!(Coding::ALL[coding.index()], coding);
        }
    }
}
