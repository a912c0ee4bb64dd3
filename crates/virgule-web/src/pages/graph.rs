//! The trust graph out: `/person/certs.txt`, every current certification as mod_virgule's
//! `issuer,subject,Level` lines (what `virgule trust compute --graph` reads), and
//! `/person/graph.dot`, the same as Graphviz. Both in the order the metric reads them.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use virgule_store::{CertLevel, MemberName};

use crate::error::PageResult;
use crate::state::AppState;

pub async fn certs_txt(State(state): State<AppState>) -> PageResult<Response> {
    let graph = state.site.store().cert_graph().await?;
    Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], certs_text(&graph)).into_response())
}

pub async fn graph_dot(State(state): State<AppState>) -> PageResult<Response> {
    let graph = state.site.store().cert_graph().await?;
    Ok(([(CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8")], dot(&graph)).into_response())
}

type Certs = [(MemberName, MemberName, CertLevel)];

/// `issuer,subject,Level` per line, the level as mod_virgule wrote it (`Master`).
fn certs_text(certs: &Certs) -> String {
    certs
        .iter()
        .map(|(issuer, subject, level)| {
            format!("{issuer},{subject},{}\n", level.trust_level().as_str())
        })
        .collect()
}

/// `digraph certs { "a" -> "b" [label="Master"]; }`, one edge a line.
fn dot(certs: &Certs) -> String {
    let mut out = String::from("digraph certs {\n");
    for (issuer, subject, level) in certs {
        out.push_str(&format!(
            "  {} -> {} [label=\"{}\"];\n",
            quoted(issuer.as_str()),
            quoted(subject.as_str()),
            level.trust_level().as_str()
        ));
    }
    out.push_str("}\n");
    out
}

/// A DOT string: quoted, with `"` and `\` escaped (names cannot hold them today, but the
/// output must stay a graph whatever a name holds).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cert(issuer: &str, subject: &str, level: CertLevel) -> (MemberName, MemberName, CertLevel) {
        (MemberName::parse(issuer).unwrap(), MemberName::parse(subject).unwrap(), level)
    }

    #[test]
    fn both_formats_list_every_certification_in_order() {
        let certs =
            [cert("raph", "miguel", CertLevel::Master), cert("a-b", "c_d", CertLevel::Apprentice)];
        assert_eq!(certs_text(&certs), "raph,miguel,Master\na-b,c_d,Apprentice\n");
        assert_eq!(
            dot(&certs),
            "digraph certs {\n  \"raph\" -> \"miguel\" [label=\"Master\"];\n  \"a-b\" -> \"c_d\" [label=\"Apprentice\"];\n}\n"
        );
        assert_eq!(certs_text(&[]), "");
        assert_eq!(dot(&[]), "digraph certs {\n}\n");
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
