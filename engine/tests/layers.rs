//! Keeps the engine in layers and the page on the public surface, by reading the sources.
//!
//! The engine's top-level modules form layers (see the crate's top doc comment and the README's
//! layout): each module may import only from modules of a lower rank. Modules of the same rank are
//! peers and see each other only through what lies below them (the parties exchange protocol
//! messages, they do not call each other). Because every import goes strictly down, no two
//! modules can import each other and there is no circle; the test still names any mutual import
//! on its own, since that is the mistake people make first.
//!
//! The page (`src/`) may name engine items only from the crate root (`brokerlab_engine::Action`)
//! or the read model (`brokerlab_engine::view::...`), never a module such as `sim::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module of the engine with its layer and its rank (imports go to a lower rank).
const LAYERS: &[(&str, u32, &str)] = &[
    (
        "ground",
        10,
        "1 ground: virtual time, ids, errors, the seeded rng, murmur2, small collections, sort",
    ),
    (
        "log",
        20,
        "2 storage: batches, segments, the partition log, producer state, the cleaner",
    ),
    (
        "cluster",
        30,
        "3 metadata: brokers, topics, partitions and their replicas",
    ),
    ("event", 30, "3 what happened, in Kafka's words"),
    (
        "protocol",
        31,
        "3 wire: requests and responses as plain data",
    ),
    (
        "audit",
        40,
        "4 parties: the delivery audit every party reports to",
    ),
    ("party", 41, "4 parties: the context a party runs with"),
    ("producer", 42, "4 parties: the producer"),
    (
        "share",
        42,
        "4 parties: Kafka's share groups (KIP-932): share-partitions",
    ),
    (
        "rabbit",
        42,
        "4 parties: RabbitMQ beside the log (exchanges, queues, its consumers)",
    ),
    ("consumer", 42, "4 parties: the consumer"),
    (
        "coordinator",
        42,
        "4 parties: the group and transaction coordinators",
    ),
    (
        "processor",
        43,
        "4 parties: an application built of a consumer and a producer",
    ),
    (
        "streams",
        43,
        "4 parties: Kafka Streams (windows, the windowed aggregation of a task)",
    ),
    (
        "action",
        44,
        "4 the input: what a user, a scenario or a lesson asks for",
    ),
    (
        "sim",
        50,
        "5 driver: clock, queue, network, controller, replication, applying actions",
    ),
    ("scenario", 60, "6 faces: scenario files and their runner"),
    (
        "timeline",
        61,
        "6 faces: the session as a timeline (action log, checkpoints, markers)",
    ),
    (
        "lesson",
        62,
        "6 faces: guided lessons (steps, checks, the headless walk) over a timeline",
    ),
    ("view", 60, "6 faces: the read model the page renders"),
    (
        "vectors",
        60,
        "6 faces: conformance vectors for the command line",
    ),
];

fn engine_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The source with comments and the contents of string and char literals blanked out, so that
/// a path in a doc comment or a message is not taken for an import.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"'
                    && b[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == b'#')
                        .count()
                        == hashes
                {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == b'\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a): skip only the literal.
            let close = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..]
                    .iter()
                    .position(|&x| x == b'\'')
                    .map(|p| i + 2 + p)
            } else if b.get(i + 2) == Some(&b'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c as char);
            i += 1;
        }
    }
    out
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// The first segment of every path that starts with `prefix::` in `code`, with the line it is
/// on. `prefix::{a::X, b}` yields `a` and `b`.
fn paths_after(code: &str, prefix: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let needle = format!("{prefix}::");
    let mut from = 0;
    while let Some(pos) = code[from..].find(&needle) {
        let at = from + pos;
        from = at + needle.len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = code[from..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at its top-level commas.
            let mut depth = 0;
            let mut part_start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        if let Some(id) = ident_at(group[part_start..i].trim_start()) {
                            out.push((id.to_string(), line));
                        }
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if let Some(id) = ident_at(group[part_start..i].trim_start()) {
                            out.push((id.to_string(), line));
                        }
                        part_start = i + 1;
                    }
                    _ => {}
                }
            }
        } else if let Some(id) = ident_at(rest) {
            out.push((id.to_string(), line));
        }
    }
    out
}

/// The module path of a source file: `sim/broker.rs` is `[sim, broker]`, `sim/mod.rs` is `[sim]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Top-level modules a file imports: `crate::x`, and `super::` paths that climb to the root.
fn imports_of(rel: &Path, code: &str) -> Vec<(String, usize)> {
    let mut found = paths_after(code, "crate");
    let here = module_path(rel);
    // `super::super::x` from `[a, b, c]` reaches the root when it climbs past `a`.
    for depth in 1..=here.len() {
        let prefix = vec!["super"; depth].join("::");
        for (id, line) in paths_after(code, &prefix) {
            if id != "super" && depth == here.len() {
                found.push((id, line));
            }
        }
    }
    found
}

struct Import {
    from: String,
    to: String,
    file: String,
    line: usize,
}

fn engine_imports() -> Vec<Import> {
    let src = engine_src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let known: BTreeSet<&str> = LAYERS.iter().map(|l| l.0).collect();
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap().to_path_buf();
        let here = module_path(&rel);
        let Some(top) = here.first().cloned() else {
            continue; // lib.rs: the root re-exports from every layer
        };
        if top == "bin" {
            continue; // a separate crate that sees only the public surface
        }
        let code = code_only(&std::fs::read_to_string(&f).unwrap());
        for (to, line) in imports_of(&rel, &code) {
            if to == top || !known.contains(to.as_str()) {
                continue;
            }
            out.push(Import {
                from: top.clone(),
                to,
                file: format!("engine/src/{}", rel.display()),
                line,
            });
        }
    }
    out
}

fn rank(module: &str) -> Option<(u32, &'static str)> {
    LAYERS.iter().find(|l| l.0 == module).map(|l| (l.1, l.2))
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = engine_src();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if ["lib", "bin"].contains(&name.as_str()) {
            continue;
        }
        if rank(&name).is_none() {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "top-level modules without a layer in engine/tests/layers.rs: {missing:?}"
    );
}

#[test]
fn no_module_imports_from_a_higher_layer_or_a_peer() {
    let mut problems = Vec::new();
    for i in engine_imports() {
        let (Some((from_rank, from_what)), Some((to_rank, to_what))) = (rank(&i.from), rank(&i.to))
        else {
            continue;
        };
        if to_rank > from_rank {
            problems.push(format!(
                "{}:{}: `{}` imports `crate::{}`, a higher layer\n    {} is layer {from_what}\n    {} is layer {to_what}",
                i.file, i.line, i.from, i.to, i.from, i.to
            ));
        } else if to_rank == from_rank {
            problems.push(format!(
                "{}:{}: `{}` imports `crate::{}`, a peer of the same layer ({from_what}); peers meet only through the layers below",
                i.file, i.line, i.from, i.to
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn no_two_modules_import_each_other() {
    let mut edges: BTreeMap<(String, String), (String, usize)> = BTreeMap::new();
    for i in engine_imports() {
        edges
            .entry((i.from.clone(), i.to.clone()))
            .or_insert((i.file, i.line));
    }
    let mut circles = Vec::new();
    for ((a, b), (file, line)) in &edges {
        if a < b {
            if let Some((back_file, back_line)) = edges.get(&(b.clone(), a.clone())) {
                circles.push(format!(
                    "`{a}` and `{b}` import each other: {file}:{line} names `crate::{b}`, {back_file}:{back_line} names `crate::{a}`"
                ));
            }
        }
    }
    assert!(circles.is_empty(), "\n{}\n", circles.join("\n"));
}

#[test]
fn the_page_uses_only_the_crate_root_and_the_read_model() {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../src");
    let mut files = Vec::new();
    rust_files(&app, &mut files);
    assert!(
        files.len() > 10,
        "found the page's sources in {}",
        app.display()
    );
    let modules: BTreeSet<&str> = LAYERS.iter().map(|l| l.0).collect();
    let mut problems = Vec::new();
    for f in files {
        let code = code_only(&std::fs::read_to_string(&f).unwrap());
        for (name, line) in paths_after(&code, "brokerlab_engine") {
            if name != "view" && modules.contains(name.as_str()) {
                problems.push(format!(
                    "{}:{line}: names `brokerlab_engine::{name}::`; the page may use the crate root or `brokerlab_engine::view` only",
                    f.strip_prefix(&app).unwrap().display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_reader_finds_imports_in_every_form() {
    let code = code_only(
        "use crate::{log::X, sim::{A, B}};\n// use crate::audit::Y;\nlet s = \"crate::view\";\nuse super::super::cluster::Z;\nfn f<'a>(c: char) { if c == '\"' { crate::event::E } }",
    );
    let found: Vec<String> = paths_after(&code, "crate")
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(found, ["log", "sim", "event"]);
    let climbed = imports_of(Path::new("sim/broker.rs"), &code);
    assert!(climbed.iter().any(|(m, _)| m == "cluster"), "{climbed:?}");
    let not_climbed = imports_of(Path::new("sim/a/b.rs"), &code);
    assert!(
        !not_climbed.iter().any(|(m, _)| m == "cluster"),
        "{not_climbed:?}"
    );
}

/// Lines of a source file that are not test code: a file named `tests.rs` is all test code, and
/// elsewhere every item under `#[cfg(test)]` (to its closing brace) is left out.
fn non_test_lines(path: &Path) -> usize {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return 0;
    }
    let code = code_only(&std::fs::read_to_string(path).unwrap());
    let mut excluded = 0;
    let mut from = 0;
    while let Some(pos) = code[from..].find("#[cfg(test)]") {
        let start = from + pos;
        let Some(open) = code[start..].find(['{', ';']).map(|o| start + o) else {
            break;
        };
        let mut end = open;
        if code.as_bytes()[open] == b'{' {
            let mut depth = 0;
            for (i, c) in code[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        excluded += code[start..=end].matches('\n').count() + 1;
        from = end + 1;
    }
    code.lines().count().saturating_sub(excluded)
}

#[test]
fn no_file_has_more_than_800_lines_of_non_test_code() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&engine_src(), &mut files);
    rust_files(&root.join("../src"), &mut files);
    let mut long: Vec<String> = files
        .iter()
        .map(|f| (f, non_test_lines(f)))
        .filter(|(_, n)| *n > 800)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "files over 800 lines of non-test code (split them by responsibility):\n{}",
        long.join("\n")
    );
}
