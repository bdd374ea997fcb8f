//! The layers, kept by reading the source: every `crate::` path (in `use` lines, grouped
//! imports and paths in code), every `super::` path that climbs out to the crate root, and
//! every use of the terminal crates is checked against one table of rules.
//!
//! The checker works on the text with comments and literals blanked out, so a doc comment
//! or a message that names a module is no edge.

use std::path::{Path, PathBuf};

/// Which files a rule is about, by their top-level module (`main` and `lib` for the roots).
enum Files {
    Only(&'static [&'static str]),
    AllBut(&'static [&'static str]),
}

struct Rule {
    files: Files,
    /// Top-level modules of this crate they must not name.
    modules: &'static [&'static str],
    /// Other crates they must not name.
    crates: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        files: Files::Only(&["source", "sync", "target", "report", "history", "notify", "fleet"]),
        modules: &["engine", "tui", "cli"],
        crates: &[],
        why: "the domain does not depend on the engine that drives it or on a front-end",
    },
    Rule {
        files: Files::Only(&["sync"]),
        modules: &["source"],
        crates: &[],
        why: "the sync works on the model, whatever source filled it",
    },
    Rule {
        files: Files::Only(&["model"]),
        modules: &["source", "sync", "target", "report", "engine", "tui", "cli"],
        crates: &[],
        why: "the model is the vocabulary below every layer",
    },
    Rule {
        files: Files::AllBut(&["cli", "main"]),
        modules: &["cli"],
        crates: &[],
        why: "the command line is the outermost shell; nothing is built on it",
    },
    Rule {
        files: Files::AllBut(&["cli", "tui"]),
        modules: &["tui"],
        crates: &[],
        why: "only the command line starts the terminal app",
    },
    Rule {
        files: Files::AllBut(&["tui"]),
        modules: &[],
        crates: &["ratatui", "crossterm"],
        why: "nothing outside tui/ touches the terminal",
    },
];

impl Files {
    fn cover(&self, top: &str) -> bool {
        match self {
            Files::Only(list) => list.contains(&top),
            Files::AllBut(list) => !list.contains(&top),
        }
    }
}

/// What a file names: a top-level module of this crate, or another crate.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Edge {
    Module(String),
    Crate(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    edge: String,
    why: &'static str,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {} uses {}, but {}", self.file, self.line, self.from, self.edge, self.why)
    }
}

/// The violations in one file; `file` is its path from the crate root (`src/sync/run.rs`).
fn check(file: &str, text: &str) -> Vec<Violation> {
    let path = module_path(file);
    let top = path.first().map_or_else(|| root_name(file), String::as_str).to_string();
    let mut found = Vec::new();
    for (edge, line) in edges(&path, text) {
        let broken = RULES.iter().filter(|r| r.files.cover(&top)).find(|rule| match &edge {
            Edge::Module(m) => *m != top && rule.modules.contains(&m.as_str()),
            Edge::Crate(c) => rule.crates.contains(&c.as_str()),
        });
        if let Some(rule) = broken {
            let (Edge::Module(name) | Edge::Crate(name)) = &edge;
            let from = top.clone();
            found.push(Violation { file: file.to_string(), line, from, edge: name.clone(), why: rule.why });
        }
    }
    found
}

/// `src/sync/plan/tests.rs` is `sync::plan::tests`; the roots are the empty path.
fn module_path(file: &str) -> Vec<String> {
    let inner = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") || matches!(inner, "lib" | "main") {
        parts.pop();
    }
    parts
}

fn root_name(file: &str) -> &str {
    file.trim_start_matches("src/").trim_end_matches(".rs")
}

#[derive(Debug)]
struct Token {
    text: String,
    line: usize,
}

/// Every edge in `text`, with its line, for a file whose module path is `path`.
fn edges(path: &[String], text: &str) -> Vec<(Edge, usize)> {
    let tokens = tokenize(&blank_comments_and_literals(text));
    let mut scan = Scan { tokens: &tokens, depth_of_file: path.len(), inline: Vec::new(), braces: 0, out: Vec::new() };
    for i in 0..tokens.len() {
        scan.braces_at(i);
        scan.path_at(i);
    }
    scan.out
}

/// A walk over a file's tokens that knows how deep in the crate it is.
struct Scan<'a> {
    tokens: &'a [Token],
    depth_of_file: usize,
    /// The brace depth at which each enclosing inline `mod x {` opened.
    inline: Vec<usize>,
    braces: usize,
    out: Vec<(Edge, usize)>,
}

impl Scan<'_> {
    fn at(&self, k: usize) -> &str {
        self.tokens.get(k).map_or("", |t| t.text.as_str())
    }

    fn braces_at(&mut self, i: usize) {
        match self.at(i) {
            "{" => {
                if i >= 2 && self.at(i - 2) == "mod" {
                    self.inline.push(self.braces);
                }
                self.braces += 1;
            }
            "}" => {
                self.braces = self.braces.saturating_sub(1);
                if self.inline.last() == Some(&self.braces) {
                    self.inline.pop();
                }
            }
            _ => {}
        }
    }

    /// The start of a path: `crate::`, `super::`, or another crate's name.
    fn path_at(&mut self, i: usize) {
        if i > 0 && matches!(self.at(i - 1), "::" | ".") {
            return;
        }
        match self.at(i) {
            "crate" if self.at(i + 1) == "::" => self.modules_at(i + 2),
            "super" => self.super_path(i),
            name if is_ident(name) && self.names_a_crate(i) => {
                self.out.push((Edge::Crate(name.to_string()), self.tokens[i].line));
            }
            _ => {}
        }
    }

    /// `super::super::x` names a top-level module when it climbs exactly to the crate root.
    fn super_path(&mut self, i: usize) {
        let mut k = i;
        while self.at(k) == "super" && self.at(k + 1) == "::" {
            k += 2;
        }
        if k > i && (k - i) / 2 == self.depth_of_file + self.inline.len() {
            self.modules_at(k);
        }
    }

    fn modules_at(&mut self, k: usize) {
        let found = first_segments(self.tokens, k);
        self.out.extend(found.into_iter().map(|(m, line)| (Edge::Module(m), line)));
    }

    /// `ratatui::…`, `use ratatui;` and `extern crate ratatui;`.
    fn names_a_crate(&self, i: usize) -> bool {
        let keyword = matches!(self.at(i), "crate" | "self" | "super" | "Self");
        !keyword && (self.at(i + 1) == "::" || (i > 0 && matches!(self.at(i - 1), "use" | "crate")))
    }
}

/// The first segment of the path at `k`, or of each item of a group `{a::b, c}`, with its line.
fn first_segments(tokens: &[Token], k: usize) -> Vec<(String, usize)> {
    let Some(first) = tokens.get(k) else { return Vec::new() };
    if first.text != "{" {
        return is_ident(&first.text).then(|| (first.text.clone(), first.line)).into_iter().collect();
    }
    let (mut out, mut nesting, mut item_start) = (Vec::new(), 0, true);
    for t in &tokens[k..] {
        match t.text.as_str() {
            "{" => nesting += 1,
            "}" if nesting == 1 => break,
            "}" => nesting -= 1,
            "," if nesting == 1 => item_start = true,
            word if item_start && nesting == 1 && is_ident(word) && word != "self" => {
                out.push((word.to_string(), t.line));
                item_start = false;
            }
            _ => {}
        }
    }
    out
}

fn is_ident(text: &str) -> bool {
    text.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::` and single punctuation characters, with their line numbers.
fn tokenize(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let (mut tokens, mut line, mut i) = (Vec::new(), 1, 0);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c == '\n' {
            line += 1;
        } else if c.is_alphanumeric() || c == '_' {
            while i + 1 < chars.len() && (chars[i + 1].is_alphanumeric() || chars[i + 1] == '_') {
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            i += 1;
        }
        if !c.is_whitespace() {
            tokens.push(Token { text: chars[start..=i].iter().collect(), line });
        }
        i += 1;
    }
    tokens
}

/// Comments, strings and character literals become spaces; line breaks stay where they were.
fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let end = literal_or_comment_end(&chars, i);
        if end == i {
            out.push(chars[i]);
            i += 1;
        } else {
            out.extend(chars[i..end].iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
            i = end;
        }
    }
    out
}

/// Where the comment or literal starting at `i` ends; `i` when none starts there.
fn literal_or_comment_end(chars: &[char], i: usize) -> usize {
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    let after_ident = i > 0 && (at(i - 1).is_alphanumeric() || at(i - 1) == '_');
    match (at(i), at(i + 1)) {
        ('/', '/') => (i..chars.len()).find(|&k| chars[k] == '\n').unwrap_or(chars.len()),
        ('/', '*') => block_comment_end(chars, i),
        ('"', _) => string_end(chars, i + 1),
        ('r', '"' | '#') if !after_ident || (at(i - 1) == 'b' && !(i > 1 && at(i - 2).is_alphanumeric())) => {
            raw_string_end(chars, i + 1).unwrap_or(i)
        }
        ('\'', '\\') => (i + 3..chars.len()).find(|&k| chars[k] == '\'').map_or(chars.len(), |k| k + 1),
        ('\'', c) if c != '\0' && at(i + 2) == '\'' => i + 3,
        _ => i,
    }
}

fn block_comment_end(chars: &[char], i: usize) -> usize {
    let (mut k, mut open) = (i, 0);
    while k + 1 < chars.len() {
        match (chars[k], chars[k + 1]) {
            ('/', '*') => (open, k) = (open + 1, k + 2),
            ('*', '/') if open == 1 => return k + 2,
            ('*', '/') => (open, k) = (open - 1, k + 2),
            _ => k += 1,
        }
    }
    chars.len()
}

/// The end of a string whose text starts at `k` (after the opening quote).
fn string_end(chars: &[char], mut k: usize) -> usize {
    while k < chars.len() {
        match chars[k] {
            '\\' => k += 2,
            '"' => return k + 1,
            _ => k += 1,
        }
    }
    chars.len()
}

/// `r#"…"#` from just after the `r`; `None` when this is no raw string (`r#ident`).
fn raw_string_end(chars: &[char], k: usize) -> Option<usize> {
    let hashes = chars[k..].iter().take_while(|&&c| c == '#').count();
    if chars.get(k + hashes) != Some(&'"') {
        return None;
    }
    let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
    let body = k + hashes + 1;
    let end = (body..chars.len()).find(|&p| chars[p..].starts_with(&close)).map_or(chars.len(), |p| p + close.len());
    Some(end)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every file under src/, as (path from the crate root, text).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn the_source_keeps_its_layers() {
    let files = sources();
    assert!(files.len() > 50, "src/ was found and read ({} files)", files.len());
    let violations: Vec<String> = files.iter().flat_map(|(f, t)| check(f, t)).map(|v| v.to_string()).collect();
    assert!(violations.is_empty(), "layer rules broken:\n{}", violations.join("\n"));
}

#[test]
fn the_scan_sees_the_edges_that_are_allowed() {
    let files = sources();
    let text = |name: &str| &files.iter().find(|(f, _)| f == name).unwrap().1;
    let read = edges(&module_path("src/cli/read.rs"), text("src/cli/read.rs"));
    assert!(read.iter().any(|(e, _)| *e == Edge::Module("engine".into())), "{read:?}");
    let view = edges(&module_path("src/tui/view.rs"), text("src/tui/view.rs"));
    assert!(view.iter().any(|(e, _)| *e == Edge::Crate("ratatui".into())), "{view:?}");
}

#[test]
fn an_edge_added_to_a_real_file_is_reported() {
    let files = sources();
    let (name, text) = files.iter().find(|(f, _)| f == "src/sync/run.rs").unwrap();
    assert_eq!(check(name, text), []);
    let added = format!("{text}\nfn phase() -> crate::engine::Phase {{ crate::engine::Phase::Idle }}\n");
    let found = check(name, &added);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|v| v.edge == "engine" && v.line == text.lines().count() + 2));
}

fn named(file: &str, text: &str) -> Vec<(String, usize)> {
    check(file, text).into_iter().map(|v| (v.edge, v.line)).collect()
}

fn pairs(list: &[(&str, usize)]) -> Vec<(String, usize)> {
    list.iter().map(|(e, l)| (e.to_string(), *l)).collect()
}

#[test]
fn each_form_of_a_forbidden_edge_is_reported() {
    assert_eq!(named("src/sync/run.rs", "use crate::engine::SearchOutcome;\n"), pairs(&[("engine", 1)]));
    let grouped = "use crate::{\n    config::Config,\n    engine::{self, Phase},\n    model::Account,\n};\n";
    assert_eq!(named("src/report/plan.rs", grouped), pairs(&[("engine", 3)]));
    let in_code = "fn f(p: &crate::tui::app::App) {\n    let _ = crate::cli::run;\n}\n";
    assert_eq!(named("src/target/file.rs", in_code), pairs(&[("tui", 1), ("cli", 2)]));
    assert_eq!(named("src/sync/plan.rs", "use crate::source::classify::Presence;"), pairs(&[("source", 1)]));
    assert_eq!(named("src/model/read.rs", "use crate::sync::plan::Plan;"), pairs(&[("sync", 1)]));
    assert_eq!(named("src/engine/run.rs", "use crate::cli::CliError;"), pairs(&[("cli", 1)]));
    assert_eq!(named("src/engine/run.rs", "use crate::tui::run;"), pairs(&[("tui", 1)]));
    assert_eq!(named("src/lib.rs", "pub use crate::{cli::run};"), pairs(&[("cli", 1)]));
}

#[test]
fn super_paths_that_climb_to_the_root_are_edges_too() {
    let three_up = "use super::super::super::source::classify::Presence;\nuse super::super::guard::Verdict;\n";
    assert_eq!(named("src/sync/plan/tests.rs", three_up), pairs(&[("source", 1)]));
    let inline = "mod tests {\n    use super::super::engine::Phase;\n    use super::super::super::engine::Phase;\n}\n";
    assert_eq!(named("src/sync/plan.rs", inline), pairs(&[("engine", 3)]));
    let after_the_module = "mod tests {\n    fn f() {}\n}\nuse super::super::engine::Phase;\n";
    assert_eq!(named("src/sync/plan.rs", after_the_module), pairs(&[("engine", 4)]));
}

#[test]
fn terminal_crates_are_only_for_the_tui() {
    let text = "use ratatui::text::Line;\nfn f() { let _ = crossterm::terminal::size(); }\n";
    assert_eq!(named("src/report/plan.rs", text), pairs(&[("ratatui", 1), ("crossterm", 2)]));
    assert_eq!(named("src/engine/run.rs", "extern crate crossterm;"), pairs(&[("crossterm", 1)]));
    assert_eq!(named("src/tui/view.rs", text), []);
}

#[test]
fn allowed_edges_comments_and_literals_are_not_reported() {
    let allowed = "use crate::engine::Phase;\nuse crate::cli::errors::CliError;\nuse crate::tui::run;\n";
    assert_eq!(named("src/cli/sync.rs", allowed), []);
    assert_eq!(named("src/main.rs", "use adsync::cli::{Cli, run};\n"), []);
    assert_eq!(named("src/tui/app.rs", "use crate::engine::Snapshot;\n"), []);
    assert_eq!(named("src/sync/run.rs", "use super::plan::Plan;\nuse crate::sync::guard;\n"), []);
    let quiet = concat!(
        "//! See [`crate::engine::Phase`].\n",
        "/* use crate::tui; /* nested */ crate::cli */\n",
        "const A: &str = \"crate::engine \\\" crate::tui\";\n",
        "const B: &str = r#\"crate::cli \"quoted\" ratatui::x\"#;\n",
        "const C: char = '\"'; const D: char = '{'; const E: char = '\\'';\n",
        "fn f<'a>(x: &'a str) -> &'a str { x }\n",
        "pub(crate) fn g() {}\n",
    );
    assert_eq!(named("src/sync/run.rs", quiet), []);
    assert_eq!(named("src/sync/run.rs", &format!("{quiet}use crate::engine::Phase;\n")), pairs(&[("engine", 8)]));
}
