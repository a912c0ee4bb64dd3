//! Keeps module loops out of this crate.
//!
//! Dependencies here run one way: handlers (`pages`, `api`, `feeds`) use `state`, `error` and
//! `layout`, which use `auth`/`viewer`, and never the other way back. A loop (files importing
//! each other in a circle, directly or through others) means no file on it can be understood,
//! tested or moved alone, so this test reads every `.rs` file under `src/`, builds the
//! file-level import graph and fails on any cycle, naming its files.
//!
//! Rules: every `crate::…` and `super::…` path (grouped forms `crate::{a, b::c}` included)
//! is an edge to the longest prefix of it that is a module file. Comments and everything from
//! a file's first `#[cfg(test)]` on are skipped. Edges between a module and its own ancestors
//! or descendants do not count: a child using `super::` and a `mod.rs` re-exporting its
//! children are one module, not a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// File (relative to `src/`, `/`-separated) → the files it imports.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// `a/b.rs` → `[a, b]`; `a/mod.rs` → `[a]`; `lib.rs` → `[]`.
fn module_path(file: &str) -> Vec<String> {
    let mut parts: Vec<String> =
        file.trim_end_matches(".rs").split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// `b` is a strict ancestor module of `a`.
fn is_ancestor(b: &[String], a: &[String]) -> bool {
    b.len() < a.len() && a.starts_with(b)
}

/// The source with `//` comments and everything from the first `#[cfg(test)]` removed.
fn code_only(src: &str) -> String {
    let code: String = src
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    match code.find("#[cfg(test)]") {
        Some(at) => code[..at].to_owned(),
        None => code,
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parses a use-tree at the start of `rest` (after a `::`): either an identifier path or a
/// `{…}` group, pushing every full path found onto `out`. Returns what is left unparsed.
fn parse_tree<'a>(mut rest: &'a str, prefix: &[String], out: &mut Vec<Vec<String>>) -> &'a str {
    let mut path = prefix.to_vec();
    loop {
        rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            rest = group;
            loop {
                rest = rest.trim_start();
                if let Some(after) = rest.strip_prefix('}') {
                    return after;
                }
                if let Some(after) = rest.strip_prefix(',') {
                    rest = after;
                    continue;
                }
                let before = rest.len();
                rest = parse_tree(rest, &path, out);
                // `as name` renames, `*` globs: skip to the next item.
                rest = rest.trim_start_matches(|c: char| c != ',' && c != '}');
                if rest.len() == before {
                    return rest; // malformed: no progress, stop
                }
            }
        }
        let end = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
        if end > 0 {
            path.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
        match rest.strip_prefix("::") {
            Some(after) if end > 0 => rest = after,
            _ => {
                out.push(path);
                return rest;
            }
        }
    }
}

/// Every absolute module path named by a `crate::` or `super::` path in `file`'s code.
fn imported_paths(file: &str, src: &str) -> Vec<Vec<String>> {
    let me = module_path(file);
    let code = code_only(src);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = code[at..].find(['c', 's']) {
        let start = at + found;
        at = start + 1;
        if code[..start].chars().next_back().is_some_and(is_ident_char) {
            continue;
        }
        let mut rest = &code[start..];
        let mut base = if let Some(after) = rest.strip_prefix("crate::") {
            rest = after;
            Vec::new()
        } else if rest.starts_with("super::") {
            me.clone()
        } else {
            continue;
        };
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        let left = parse_tree(rest, &base, &mut out);
        at = code.len() - left.len();
    }
    out
}

/// The file-level import graph of `files` (`(path relative to src/, source)` pairs).
fn import_graph(files: &[(String, String)]) -> Graph {
    let by_module: BTreeMap<Vec<String>, &str> =
        files.iter().map(|(file, _)| (module_path(file), file.as_str())).collect();
    let mut graph = Graph::new();
    for (file, src) in files {
        let me = module_path(file);
        let targets = graph.entry(file.clone()).or_default();
        for path in imported_paths(file, src) {
            let Some((module, target)) =
                (0..=path.len()).rev().find_map(|n| by_module.get_key_value(&path[..n]))
            else {
                continue;
            };
            if *target != file && !is_ancestor(module, &me) && !is_ancestor(&me, module) {
                targets.insert((*target).to_owned());
            }
        }
    }
    graph
}

/// The strongly connected components with more than one file (Tarjan), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, (usize, usize)>, // file → (index, lowlink)
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, (i, i));
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let low = match self.index.get(w.as_str()) {
                    None => {
                        self.visit(w);
                        self.index[w.as_str()].1
                    }
                    Some(&(wi, _)) if self.stack.contains(&w.as_str()) => wi,
                    Some(_) => continue,
                };
                let entry = self.index.get_mut(v).expect("visited");
                entry.1 = entry.1.min(low);
            }
            let (vi, vlow) = self.index[v];
            if vi == vlow {
                let at = self.stack.iter().rposition(|&f| f == v).expect("on stack");
                let mut scc: Vec<String> = self.stack.drain(at..).map(str::to_owned).collect();
                if scc.len() > 1 {
                    scc.sort();
                    self.found.push(scc);
                }
            }
        }
    }
    let mut tarjan = Tarjan { graph, index: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for v in graph.keys() {
        if !tarjan.index.contains_key(v.as_str()) {
            tarjan.visit(v);
        }
    }
    tarjan.found
}

/// Every `.rs` file under `dir`, as `(path relative to root, source)`.
fn read_sources(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            read_sources(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            let rel: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
            out.push((rel.join("/"), std::fs::read_to_string(&path).expect("read source")));
        }
    }
}

#[test]
fn web_crate_has_no_module_loops() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_sources(&root, &root, &mut files);
    assert!(files.len() > 10, "found only {} files under {}", files.len(), root.display());
    let loops = cycles(&import_graph(&files));
    assert!(
        loops.is_empty(),
        "module loops in crates/virgule-web/src (keep dependencies one-way: \
         handlers → state/error/layout → auth/viewer):\n{}",
        loops.iter().map(|c| format!("  cycle: {}", c.join(", "))).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_known_loop_is_reported() {
    let file = |path: &str, src: &str| (path.to_owned(), src.to_owned());
    let files = [
        file("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\nuse crate::a::A;"),
        // a → b::inner (via a group) → c → a: one loop.
        file("a.rs", "use crate::{b::inner::B, d};\n/// crate::c::C in a comment is no edge\n"),
        file("b/mod.rs", "pub mod inner;\npub use inner::B;\nuse super::c::C;"),
        file("b/inner.rs", "use super::super::c::C; use super::Other; pub struct B;"),
        file("c.rs", "pub fn f() -> crate::a::A { crate::a::A::new() }"),
        // a → d is no loop: d's import back is test-only, so ignored.
        file("d.rs", "pub struct D;\n#[cfg(test)]\nmod tests { use crate::a::A; }"),
    ];
    let graph = import_graph(&files);
    assert_eq!(graph["b/inner.rs"], BTreeSet::from(["c.rs".to_owned()]));
    assert_eq!(
        cycles(&graph),
        vec![vec!["a.rs".to_owned(), "b/inner.rs".to_owned(), "c.rs".to_owned()]]
    );
}
