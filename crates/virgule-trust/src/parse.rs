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

/// Parses the export, one `issuer,subject,Level` per line, in file order. Names may contain
/// spaces and commas are taken from both ends (the first and the last), since only the
/// middle field, the subject, could hold one; levels ignore case; blank lines and lines
/// starting with `#` are skipped.
pub fn parse_graph(text: &str) -> Result<Vec<(String, String, Level)>, ParseError> {
    let mut certs = Vec::new();
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason: String| ParseError { line: number + 1, reason };
        let (Some(first), Some(last)) = (line.find(','), line.rfind(',')) else {
            return Err(fail("expected issuer,subject,Level but found no comma".into()));
        };
        if first == last {
            return Err(fail("expected issuer,subject,Level but found one comma".into()));
        }
        let issuer = line[..first].trim();
        let subject = line[first + 1..last].trim();
        let level = line[last + 1..].trim();
        if issuer.is_empty() {
            return Err(fail("the issuer's name is empty".into()));
        }
        if subject.is_empty() {
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
        let text = "# exported 2005-01-01\n\nraph,miguel,Master\n  alan cox , Ted T'so ,journeyer\r\nfoo,a,b,APPRENTICE\n";
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
        let err = parse_graph("a, ,Master\n").expect_err("empty subject");
        assert!(err.reason.contains("subject"), "{err}");
    }
}
