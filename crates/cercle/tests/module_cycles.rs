//! No import cycle between the modules of `crates/app` and `crates/web`.
//!
//! Run alone with `cargo test -p cercle --test module_cycles`.
//!
//! Each source file is read as text: comments, strings and character
//! literals are blanked, then every path that starts with `crate::`,
//! `super::`, `self::` or the name of a child module (with `{…}` groups
//! expanded) is resolved to the longest known module it names. A module is
//! one file (`foo.rs` or `foo/mod.rs`), folded to a node at the granularity
//! given per crate below; an edge is "a file of node A names something in
//! node B". A strongly connected component of more than one node is a cycle
//! and fails the test, listed with the references that make it.
//!
//! The crate root (`lib.rs`) is not a node: it declares every module and
//! holds the shared context (`Ctx`) that all use cases take, so everything
//! depends on it and it on the adapters it carries; that wiring is one
//! place by design, not a layer. Std only, so that it cannot break with a
//! parser crate's update.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How far a module path is kept: `depth` segments, or more below the
/// listed parents (e.g. every `threads::*` of the app is its own node).
struct Granularity<'a> {
    depth: usize,
    /// (parent path, depth of its children nodes)
    deeper: &'a [(&'a str, usize)],
}

impl Granularity<'_> {
    fn node(&self, module: &[String]) -> String {
        let mut keep = self.depth;
        for (parent, depth) in self.deeper {
            let p: Vec<&str> = parent.split("::").collect();
            if module.len() >= p.len() && module.iter().zip(&p).all(|(a, b)| a == b) {
                keep = keep.max(*depth);
            }
        }
        module[..module.len().min(keep)].join("::")
    }
}

/// The module path of a source file below `src`: `lib.rs` is `[]`,
/// `a/mod.rs` and `a.rs` are `[a]`, `a/b.rs` is `[a, b]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" && stem != "main" {
            parts.push(stem.to_string());
        }
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source with comments, string and char literals replaced by spaces,
/// so that a path in a doc comment or a message is not a dependency.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&b, i) {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                j += 1;
            }
            i = j;
            out.push(' ');
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push(' ');
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push(' ');
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Sep, // ::
    Open,
    Close,
    Comma,
    Other,
}

fn tokens(code: &str) -> Vec<Tok> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[start..i].iter().collect()));
            continue;
        }
        if c == ':' && b.get(i + 1) == Some(&':') {
            out.push(Tok::Sep);
            i += 2;
            continue;
        }
        if !c.is_whitespace() {
            out.push(match c {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                _ => Tok::Other,
            });
        }
        i += 1;
    }
    out
}

/// Reads one path starting at `toks[*i]` (an identifier), expanding
/// `{a, b::c}` groups; pushes every full path to `out`.
fn read_path(toks: &[Tok], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    loop {
        match toks.get(*i) {
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                *i += 1;
            }
            Some(Tok::Open) => {
                *i += 1;
                loop {
                    match toks.get(*i) {
                        Some(Tok::Ident(_)) => read_path(toks, i, path.clone(), out),
                        Some(Tok::Comma) => *i += 1,
                        Some(Tok::Close) => {
                            *i += 1;
                            return;
                        }
                        // `*` or anything else inside a group: keep the
                        // prefix as the reference.
                        Some(_) => {
                            out.push(path.clone());
                            *i += 1;
                        }
                        None => return,
                    }
                }
            }
            _ => {
                out.push(path);
                return;
            }
        }
        if toks.get(*i) == Some(&Tok::Sep) {
            *i += 1;
        } else {
            out.push(path);
            return;
        }
    }
}

/// Absolute module paths named in `code`, from the module `here`.
fn references(code: &str, here: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let toks = tokens(code);
    let mut found = Vec::new();
    let mut i = 0;
    // Inline modules (`mod tests { use super::*; }`): their `super` is the
    // file's module. (name, brace depth inside it)
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut here_now = here.to_vec();
    while i < toks.len() {
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                    here_now.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(m) if m == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Open)) = (toks.get(i + 1), toks.get(i + 2)) {
                    depth += 1;
                    inline.push((name.clone(), depth));
                    here_now.push(name.clone());
                    i += 3;
                    continue;
                }
            }
            _ => {}
        }
        let here = here_now.as_slice();
        let after_sep = i > 0 && toks[i - 1] == Tok::Sep;
        let starts = match &toks[i] {
            Tok::Ident(s) if !after_sep && toks.get(i + 1) == Some(&Tok::Sep) => {
                let child: Vec<String> = here.iter().cloned().chain([s.clone()]).collect();
                s == "crate" || s == "super" || s == "self" || modules.contains(&child)
            }
            _ => false,
        };
        if !starts {
            i += 1;
            continue;
        }
        let mut raw = Vec::new();
        read_path(&toks, &mut i, Vec::new(), &mut raw);
        for path in raw {
            let mut abs: Vec<String> = Vec::new();
            let mut rest = path.as_slice();
            match rest.first().map(String::as_str) {
                Some("crate") => rest = &rest[1..],
                Some("self") => {
                    abs = here.to_vec();
                    rest = &rest[1..];
                }
                Some("super") => {
                    abs = here.to_vec();
                    while rest.first().map(String::as_str) == Some("super") {
                        abs.pop();
                        rest = &rest[1..];
                    }
                }
                _ => abs = here.to_vec(),
            }
            abs.extend(rest.iter().filter(|s| *s != "self").cloned());
            // The longest prefix that is a module.
            while !abs.is_empty() && !modules.contains(&abs) {
                abs.pop();
            }
            found.push(abs);
        }
    }
    found
}

/// node -> (node -> first evidence "file: path")
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn crate_graph(src: &Path, granularity: &Granularity) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let here = module_of(src, file);
        if here.is_empty() {
            continue; // the crate root: see the module comment
        }
        let from = granularity.node(&here);
        graph.entry(from.clone()).or_default();
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for target in references(&code_only(&text), &here, &modules) {
            if target.is_empty() {
                continue;
            }
            let to = granularity.node(&target);
            // A parent names its children to declare and route them; only
            // a child naming its parent (or a sibling) is a dependency.
            if to != from && !to.starts_with(&format!("{from}::")) {
                let evidence = format!(
                    "{}: {}",
                    file.strip_prefix(src).unwrap_or(file).display(),
                    target.join("::")
                );
                graph.entry(from.clone()).or_default().entry(to).or_insert(evidence);
            }
        }
    }
    graph
}

/// The cycles of `graph`: one per strongly connected component of more than
/// one node, as a closed walk through it with the evidence of each step.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative enough for a few hundred nodes.
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        sccs: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        if let Some(edges) = graph.get(v) {
            for w in edges.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                scc.push(w);
                if w == v {
                    break;
                }
            }
            s.sccs.push(scc);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        sccs: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    let mut out = Vec::new();
    for scc in s.sccs.iter().filter(|c| c.len() > 1) {
        let members: BTreeSet<&str> = scc.iter().copied().collect();
        let mut start: Vec<&str> = scc.clone();
        start.sort();
        let mut cycle = vec![format!("modules in one cycle: {}", start.join(", "))];
        cycle.extend(walk(graph, start[0], &members));
        out.push(cycle);
    }
    out
}

/// A shortest cycle through `start` inside `members` (breadth-first), each
/// step written "a -> b (file: path)".
fn walk(graph: &Graph, start: &str, members: &BTreeSet<&str>) -> Vec<String> {
    let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut end = None;
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).map(|e| e.keys()).into_iter().flatten() {
            let w = w.as_str();
            if !members.contains(w) {
                continue;
            }
            if w == start {
                end = Some(v);
                break;
            }
            if !prev.contains_key(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
        if end.is_some() {
            break;
        }
    }
    // Back from the last node before `start` to `start`'s first successor.
    let mut chain = Vec::new();
    let mut at = end.unwrap_or(start);
    while at != start {
        chain.push(at);
        at = prev.get(at).copied().unwrap_or(start);
    }
    chain.reverse();
    let nodes: Vec<&str> = [start].into_iter().chain(chain).chain([start]).collect();
    nodes
        .windows(2)
        .map(|p| {
            let evidence = graph.get(p[0]).and_then(|e| e.get(p[1])).map_or("", String::as_str);
            format!("{} -> {} ({evidence})", p[0], p[1])
        })
        .collect()
}

fn check(crate_dir: &str, granularity: &Granularity) -> Result<usize, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let graph = crate_graph(&src, granularity);
    assert!(
        graph.len() > 5,
        "{} has only {} modules: wrong path?",
        src.display(),
        graph.len()
    );
    let found = cycles(&graph);
    if found.is_empty() {
        return Ok(graph.len());
    }
    let mut report = format!("import cycles between modules of crates/{crate_dir}:\n");
    for cycle in found {
        report.push_str("  cycle:\n");
        for step in cycle {
            report.push_str(&format!("    {step}\n"));
        }
    }
    Err(report)
}

/// Every source file its own node: the finest granularity.
const EVERY_FILE: Granularity<'static> = Granularity {
    depth: usize::MAX,
    deeper: &[],
};

#[test]
fn app_modules_have_no_import_cycle() {
    // Top-level modules, with each module of `threads` on its own (the
    // thread kernel other use cases stand on); then every file.
    let coarse = Granularity {
        depth: 1,
        deeper: &[("threads", 2)],
    };
    for g in [&coarse, &EVERY_FILE] {
        if let Err(report) = check("app", g) {
            panic!("{report}");
        }
    }
}

#[test]
fn web_modules_have_no_import_cycle() {
    // Top-level modules (api, ui, middleware, extract…), with each module of
    // `ui` and each page of `ui::network` on its own; then every file.
    let coarse = Granularity {
        depth: 1,
        deeper: &[("ui", 2), ("ui::network", 3)],
    };
    for g in [&coarse, &EVERY_FILE] {
        if let Err(report) = check("web", g) {
            panic!("{report}");
        }
    }
}

/// The checker itself: a synthetic crate with a cycle fails, listing it;
/// the same crate without the back edge passes.
#[test]
fn the_checker_finds_a_cycle() {
    let dir = std::env::temp_dir().join(format!("cercle-module-cycles-{}", std::process::id()));
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(src.join("a")).expect("temp dir");
    let write = |p: &str, s: &str| std::fs::write(src.join(p), s).expect("write");
    write("lib.rs", "pub mod a; pub mod b; pub mod c; pub use a::X;");
    write("a/mod.rs", "pub mod inner; use inner::Y; pub struct X;");
    write("a/inner.rs", "pub struct Y; fn f() -> crate::b::B { todo!() }");
    write(
        "b.rs",
        "use super::{c::C, a::X}; // crate::c in a comment\npub struct B;",
    );
    write(
        "c.rs",
        "pub struct C; const S: &str = \"crate::a::X\";\n#[cfg(test)]\nmod tests { use super::*; }",
    );
    let g = Granularity { depth: 1, deeper: &[] };
    let graph = crate_graph(&src, &g);
    let found = cycles(&graph);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].len(), 3, "{found:?}");
    assert_eq!(found[0][0], "modules in one cycle: a, b", "{found:?}");
    assert_eq!(found[0][1], "a -> b (a/inner.rs: b)", "{found:?}");
    assert_eq!(found[0][2], "b -> a (b.rs: a)", "{found:?}");
    // At file granularity `a` naming its child is no dependency, so there
    // is no cycle; two siblings naming each other are one.
    let fine = Granularity { depth: 2, deeper: &[] };
    assert!(cycles(&crate_graph(&src, &fine)).is_empty());
    std::fs::create_dir_all(src.join("d")).expect("temp dir");
    write("d/mod.rs", "pub mod x; pub mod y;");
    write("d/x.rs", "pub struct X(super::y::Y);");
    write("d/y.rs", "pub struct Y; fn f(_: crate::d::x::X) {}");
    let found = cycles(&crate_graph(&src, &fine));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0][0], "modules in one cycle: d::x, d::y", "{found:?}");
    // The comment and the string name `c` and `a`; neither is an edge.
    assert!(!graph["c"].contains_key("a"), "{graph:?}");
    write("b.rs", "use super::c::C;\npub struct B;");
    assert!(cycles(&crate_graph(&src, &g)).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
