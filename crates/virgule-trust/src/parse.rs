//! mod_virgule's certification export (`issuer,subject,Level` per line), so a real site's
//! graph can be ranked offline and compared with the levels its members saw.

use thiserror::Error;

use crate::Level;

/// A line of the export that is not a certification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {reason}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub reason: String,
}

/// Parses the export, one `issuer,subject,Level` per line, in file order. Names are kept
/// exactly as written, spaces included: only the line ending (`\n` or `\r\n`) is not part
/// of the name, since real mod_virgule sites have accounts whose names differ only by a
/// trailing space (`"HighTECHredNECK "` beside `"HighTECHredNECK"`), and trimming would merge
/// two members. Commas are taken from both ends (the first and the last), since only the
/// middle field, the subject, could hold one; levels ignore case and surrounding spaces;
/// blank lines and lines starting with `#` are skipped.
pub fn parse_graph(text: &str) -> Result<Vec<(String, String, Level)>, ParseError> {
    let mut certs = Vec::new();
    for (number, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason: String| ParseError { line: number + 1, reason };
        let (Some(first), Some(last)) = (line.find(','), line.rfind(',')) else {
            return Err(fail("expected issuer,subject,Level but found no comma".into()));
        };
        if first == last {
            return Err(fail("expected issuer,subject,Level but found one comma".into()));
        }
        let issuer = &line[..first];
        let subject = &line[first + 1..last];
        let level = &line[last + 1..];
        // A name of spaces only is no account anyone could have made.
        if issuer.trim().is_empty() {
            return Err(fail("the issuer's name is empty".into()));
        }
        if subject.trim().is_empty() {
            return Err(fail("the subject's name is empty".into()));
        }
        let level = Level::parse(level).map_err(|e| fail(e.to_string()))?;
        certs.push((issuer.to_owned(), subject.to_owned(), level));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_with_spaces_comments_and_any_case() {
        // Names keep their spaces, inner and outer (they used to be trimmed, which merged
        // distinct accounts: see the test below); the level may be padded and in any case;
        // a `\r\n` line ending is not part of the level.
        let text = "# exported 2005-01-01\n\nraph,miguel,Master\nalan cox,Ted T'so, journeyer \r\nfoo,a,b,APPRENTICE\n  \n";
        let certs = parse_graph(text).expect("valid export");
        assert_eq!(
            certs,
            vec![
                ("raph".into(), "miguel".into(), Level::Master),
                ("alan cox".into(), "Ted T'so".into(), Level::Journeyer),
                ("foo".into(), "a,b".into(), Level::Apprentice),
            ]
        );
    }

    /// A real mod_virgule site had both `HighTECHredNECK` and `HighTECHredNECK ` (a trailing
    /// space, a separate account). Trimming names merged them: the second's certifications
    /// counted as the first's, which let a member in who should have stayed out.
    #[test]
    fn names_differing_by_a_trailing_space_stay_two_members() {
        let text = "s,HighTECHredNECK,Master\r\nHighTECHredNECK ,x,Master\r\n";
        let certs = parse_graph(text).expect("valid export");
        assert_eq!(certs[0].1, "HighTECHredNECK");
        assert_eq!(certs[1].0, "HighTECHredNECK ", "the trailing space is part of the name");

        let graph = crate::Graph::new(["s".to_owned()], certs).expect("a graph");
        assert_eq!(graph.members().len(), 4, "s, HighTECHredNECK, HighTECHredNECK , x");
        let ranking = crate::compute(&graph, &crate::DEFAULT_CAPS);
        let level =
            |name: &str| ranking.levels()[graph.member_index(&name.to_owned()).expect("a member")];
        assert_eq!(level("HighTECHredNECK"), Level::Master);
        // Nobody certifies the account with the space, so what it certifies carries no flow:
        // x stays an Observer (merged, x would have been a Master).
        assert_eq!(level("HighTECHredNECK "), Level::Observer);
        assert_eq!(level("x"), Level::Observer);
    }

    #[test]
    fn malformed_lines_name_their_number_and_reason() {
        let err = parse_graph("a,b,Master\n\nnocomma\n").expect_err("no comma");
        assert_eq!(err.line, 3);
        assert!(err.reason.contains("no comma"), "{err}");
        assert_eq!(err.to_string(), format!("line 3: {}", err.reason));

        let err = parse_graph("a,b\n").expect_err("one comma");
        assert_eq!((err.line, err.reason.contains("one comma")), (1, true));

        let err = parse_graph("# c\na,b,Wizard\n").expect_err("bad level");
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("Wizard"), "{err}");

        let err = parse_graph(",b,Master\n").expect_err("empty issuer");
        assert!(err.reason.contains("issuer"), "{err}");
        // Names are kept as written, but a name of spaces only is still no name.
        let err = parse_graph("a, ,Master\n").expect_err("empty subject");
        assert!(err.reason.contains("subject"), "{err}");
    }
}
