//! Checks on a BibTeX file's raw structure, made before the biblatex crate resolves it.
//!
//! biblatex resolves `@string` macros, `crossref` and `xdata` by recursion, once for every
//! path: a cycle overflows the stack (the process aborts), a long chain does the same, and
//! macros or parents that are used twice at every level grow exponentially. Command arguments
//! in braces are parsed by recursion too. So the graph of macros and the graph of entries
//! are walked here first, without recursion, and a file that would not be read in bounded
//! time and space is reported instead of handed on.

use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use biblatex::{RawBibliography, RawChunk};
use std::collections::HashMap;

/// The most entries one entry may take fields from through `crossref` and `xdata`, counting
/// an entry again for every path to it. Real chains are two or three long.
pub const MAX_INHERITED: usize = 64;
/// The longest chain of `@string` macros defined through one another.
pub const MAX_STRING_DEPTH: usize = 32;
/// The most bytes one field may grow to through `@string` macros.
pub const MAX_FIELD_BYTES: usize = 1 << 20;
/// The most bytes all fields together may grow to through `@string` macros.
pub const MAX_TOTAL_BYTES: usize = 64 << 20;
/// The deepest nesting of braces in a field.
pub const MAX_BRACE_DEPTH: usize = 32;

/// An edge of a graph: the node it leads to and where the reference is written.
#[derive(Clone, Copy)]
struct Edge {
    to: usize,
    at: Span,
    /// `crossref` or `xdata`; for macros, empty.
    kind: &'static str,
}

/// What a depth-first walk of a graph found.
struct Walk {
    /// Each cycle as the node that closes it, the edge that does, and the nodes around it
    /// from the edge's target back to the closing node.
    cycles: Vec<(Edge, Vec<usize>)>,
    /// The nodes in an order where every node comes after the nodes it leads to (edges that
    /// close cycles aside).
    post_order: Vec<usize>,
}

/// Walks every node of a graph with an explicit stack: the input decides how deep a graph
/// goes, so the walk must not use the call stack.
fn walk(edges: &[Vec<Edge>]) -> Walk {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; edges.len()];
    let mut cycles = Vec::new();
    let mut post_order = Vec::with_capacity(edges.len());
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..edges.len() {
        if state[root] != State::New {
            continue;
        }
        state[root] = State::Open;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            top.1 += 1;
            let Some(&edge) = edges[node].get(next) else {
                state[node] = State::Done;
                post_order.push(node);
                stack.pop();
                continue;
            };
            match state[edge.to] {
                State::New => {
                    state[edge.to] = State::Open;
                    stack.push((edge.to, 0));
                }
                State::Open => {
                    let from = stack.iter().position(|&(n, _)| n == edge.to).unwrap_or(0);
                    cycles.push((edge, stack[from..].iter().map(|&(n, _)| n).collect()));
                }
                State::Done => {}
            }
        }
    }
    Walk { cycles, post_order }
}

/// The text of a field's plain chunks (macros left out), for keys in `crossref` and `xdata`.
fn plain(field: &[biblatex::Spanned<RawChunk>]) -> String {
    field
        .iter()
        .filter_map(|c| match c.v {
            RawChunk::Normal(s) => Some(s),
            RawChunk::Abbreviation(_) => None,
        })
        .collect()
}

fn span(file: FileId, r: &std::ops::Range<usize>) -> Span {
    Span::new(file, r.start, r.end)
}

fn chain(names: &[&str], cycle: &[usize]) -> String {
    cycle
        .iter()
        .chain(cycle.first())
        .map(|&n| super::library::shown(names[n]))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Reports whatever in `raw` would make resolving it unbounded; `true` when nothing does.
pub fn check(raw: &RawBibliography, file: FileId, diags: &mut Vec<Diagnostic>) -> bool {
    let before = diags.len();
    braces(raw, file, diags);
    strings(raw, file, diags);
    entries(raw, file, diags);
    !diags[before..]
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
}

/// Braces nested deeper than [`MAX_BRACE_DEPTH`] in any field or macro.
fn braces(raw: &RawBibliography, file: FileId, diags: &mut Vec<Diagnostic>) {
    let values = raw
        .entries
        .iter()
        .flat_map(|e| e.v.fields.iter())
        .chain(raw.abbreviations.iter());
    for pair in values {
        for chunk in &pair.value.v {
            let RawChunk::Normal(text) = chunk.v else {
                continue;
            };
            let bytes = text.as_bytes();
            let mut depth = 0usize;
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 1,
                    b'{' => {
                        depth += 1;
                        if depth > MAX_BRACE_DEPTH {
                            let at = chunk.span.start + i;
                            diags.push(
                                Diagnostic::error(
                                    "bibliography-limit",
                                    format!(
                                        "braces in `{}` are nested more than {MAX_BRACE_DEPTH} deep",
                                        super::library::shown(pair.key.v)
                                    ),
                                )
                                .at(Span::new(file, at, at + 1))
                                .help("a field needs a few levels of braces at most: remove the extra ones"),
                            );
                            break;
                        }
                    }
                    b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
            }
        }
    }
}

/// `@string` macros that are defined through themselves, in chains that are too long, or
/// that grow too large.
fn strings(raw: &RawBibliography, file: FileId, diags: &mut Vec<Diagnostic>) {
    // biblatex looks macros up by exact name; a later definition replaces an earlier one.
    let defs: HashMap<&str, usize> = raw
        .abbreviations
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.v, i))
        .collect();
    let names: Vec<&str> = raw.abbreviations.iter().map(|p| p.key.v).collect();
    let refs = |field: &[biblatex::Spanned<RawChunk>]| -> Vec<Edge> {
        field
            .iter()
            .filter_map(|c| match c.v {
                RawChunk::Abbreviation(name) => defs.get(name).map(|&to| Edge {
                    to,
                    at: span(file, &c.span),
                    kind: "",
                }),
                RawChunk::Normal(_) => None,
            })
            .collect()
    };
    let edges: Vec<Vec<Edge>> = raw
        .abbreviations
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if defs.get(p.key.v) == Some(&i) {
                refs(&p.value.v)
            } else {
                Vec::new()
            }
        })
        .collect();
    let walk = walk(&edges);
    for (edge, cycle) in &walk.cycles {
        diags.push(
            Diagnostic::error(
                "bibliography-cycle",
                format!("@string cycle: {}", chain(&names, cycle)),
            )
            .at(edge.at)
            .help("a @string cannot be defined through itself: write the text out in one of them"),
        );
    }
    if !walk.cycles.is_empty() {
        return;
    }
    // Expanded size and chain length of every macro, leaves first.
    let mut size = vec![0usize; edges.len()];
    let mut depth = vec![0usize; edges.len()];
    for &n in &walk.post_order {
        let own: usize = raw.abbreviations[n]
            .value
            .v
            .iter()
            .map(|c| match c.v {
                RawChunk::Normal(s) => s.len(),
                RawChunk::Abbreviation(_) => 0,
            })
            .sum();
        size[n] = edges[n]
            .iter()
            .fold(own, |acc, e| acc.saturating_add(size[e.to]));
        depth[n] = 1 + edges[n].iter().map(|e| depth[e.to]).max().unwrap_or(0);
    }
    let at = |n: usize| span(file, &raw.abbreviations[n].key.span);
    let mut reported = false;
    for n in 0..edges.len() {
        if depth[n] > MAX_STRING_DEPTH {
            diags.push(
                Diagnostic::error(
                    "bibliography-limit",
                    format!(
                        "@string `{}` is defined through a chain of {} macros; at most {MAX_STRING_DEPTH}",
                        super::library::shown(names[n]),
                        depth[n]
                    ),
                )
                .at(at(n))
                .help("write the text of the macros out instead of chaining them"),
            );
            reported = true;
        } else if size[n] > MAX_FIELD_BYTES {
            diags.push(
                Diagnostic::error(
                    "bibliography-limit",
                    format!(
                        "@string `{}` grows to {} through other macros; at most {}",
                        super::library::shown(names[n]),
                        bytes(size[n]),
                        bytes(MAX_FIELD_BYTES)
                    ),
                )
                .at(at(n))
                .help("a macro that uses another several times doubles at every level: write the text out"),
            );
            reported = true;
        }
    }
    if reported {
        return;
    }
    let mut total = 0usize;
    for e in &raw.entries {
        for pair in &e.v.fields {
            let grown = pair.value.v.iter().fold(0usize, |acc, c| {
                acc.saturating_add(match c.v {
                    RawChunk::Normal(s) => s.len(),
                    RawChunk::Abbreviation(name) => defs.get(name).map_or(0, |&d| size[d]),
                })
            });
            total = total.saturating_add(grown);
            if grown > MAX_FIELD_BYTES || total > MAX_TOTAL_BYTES {
                diags.push(
                    Diagnostic::error(
                        "bibliography-limit",
                        format!(
                            "`{}` of `{}` grows to {} through @string macros; at most {}",
                            super::library::shown(pair.key.v),
                            super::library::shown(e.v.key.v),
                            bytes(grown),
                            bytes(MAX_FIELD_BYTES)
                        ),
                    )
                    .at(span(file, &pair.value.span))
                    .help("use each macro once in a field, or write the text out"),
                );
                return;
            }
        }
    }
}

fn bytes(n: usize) -> String {
    match n {
        usize::MAX => "more than any memory".to_string(),
        n if n >= 1 << 20 => format!("{} MiB", n >> 20),
        n => format!("{n} bytes"),
    }
}

/// `crossref` and `xdata` links: to a missing entry (a warning), in a cycle, or inheriting
/// from too many entries.
fn entries(raw: &RawBibliography, file: FileId, diags: &mut Vec<Diagnostic>) {
    let names: Vec<&str> = raw.entries.iter().map(|e| e.v.key.v).collect();
    // Keys and their aliases (`ids`), as biblatex looks them up; the first definition counts.
    let mut keys: HashMap<String, usize> = HashMap::new();
    for (i, e) in raw.entries.iter().enumerate() {
        keys.entry(e.v.key.v.to_string()).or_insert(i);
    }
    for (i, e) in raw.entries.iter().enumerate() {
        for pair in
            e.v.fields
                .iter()
                .filter(|p| p.key.v.eq_ignore_ascii_case("ids"))
        {
            for alias in plain(&pair.value.v).split(',') {
                keys.entry(alias.trim().to_string()).or_insert(i);
            }
        }
    }
    let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); raw.entries.len()];
    for (i, e) in raw.entries.iter().enumerate() {
        for pair in &e.v.fields {
            let kind = match pair.key.v.to_ascii_lowercase().as_str() {
                "crossref" => "crossref",
                "xdata" => "xdata",
                _ => continue,
            };
            let text = plain(&pair.value.v);
            let targets: Vec<&str> = match kind {
                "crossref" => vec![text.trim()],
                _ => text.split(',').map(str::trim).collect(),
            };
            // The text inside the braces, where the key is written.
            let at = span(
                file,
                pair.value.v.first().map_or(&pair.value.span, |c| &c.span),
            );
            for target in targets.into_iter().filter(|t| !t.is_empty()) {
                match keys.get(target) {
                    Some(&to) => edges[i].push(Edge { to, at, kind }),
                    None => diags.push(
                        Diagnostic::warning(
                            "bibliography-crossref",
                            format!(
                                "`{kind}` of `{}` names `{}`, which is not in this file; nothing is taken from it",
                                super::library::shown(names[i]),
                                super::library::shown(target)
                            ),
                        )
                        .at(at)
                        .help("add that entry to the same .bib file, or correct the key"),
                    ),
                }
            }
        }
    }
    let walk = walk(&edges);
    for (edge, cycle) in &walk.cycles {
        let closing = cycle.last().copied().unwrap_or(edge.to);
        diags.push(
            Diagnostic::error(
                "bibliography-cycle",
                format!("{} cycle: {}", edge.kind, chain(&names, cycle)),
            )
            .at(edge.at)
            .help(format!(
                "an entry cannot inherit from itself, directly or through others: remove this `{}` from `{}`",
                edge.kind,
                super::library::shown(names[closing])
            )),
        );
    }
    if !walk.cycles.is_empty() {
        return;
    }
    // How many entries each entry takes fields from, along every path, leaves first.
    let mut inherited = vec![0usize; edges.len()];
    for &n in &walk.post_order {
        inherited[n] = edges[n].iter().fold(0usize, |acc, e| {
            acc.saturating_add(1).saturating_add(inherited[e.to])
        });
    }
    for (n, &count) in inherited.iter().enumerate() {
        if count > MAX_INHERITED {
            diags.push(
                Diagnostic::error(
                    "bibliography-limit",
                    format!(
                        "`{}` inherits fields from {} entries through crossref and xdata, counting each path; at most {MAX_INHERITED}",
                        super::library::shown(names[n]),
                        if count == usize::MAX { "countless".to_string() } else { count.to_string() }
                    ),
                )
                .at(span(file, &raw.entries[n].v.key.span))
                .help("let the entry inherit from its parent, and the parent from one more at most"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::library::tests::read;

    fn diags(text: &str) -> Vec<String> {
        read("b.bib", text).1
    }

    const BOOK: &str = "@book{boek, title = {Handboek}, author = {Vries, C.}, year = 2010}\n";

    #[test]
    fn crossref_cycles_are_located_errors() {
        let text =
            "@inbook{a, crossref = {b}, title = {A}}\n@book{b, crossref = {a}, title = {B}}\n";
        assert_eq!(
            diags(text),
            [
                "b.bib:2:22: error: crossref cycle: a → b → a (an entry cannot inherit from itself, directly or through others: remove this `crossref` from `b`)"
            ]
        );
        assert_eq!(
            diags("@book{a, crossref = {a}, title = {A}}\n"),
            [
                "b.bib:1:22: error: crossref cycle: a → a (an entry cannot inherit from itself, directly or through others: remove this `crossref` from `a`)"
            ]
        );
        let text = "@book{a, xdata = {x}, title = {A}}\n@xdata{x, xdata = {y}}\n@xdata{y, xdata = {z, x}}\n@xdata{z, note = {z}}\n";
        assert_eq!(
            diags(text),
            [
                "b.bib:3:20: error: xdata cycle: x → y → x (an entry cannot inherit from itself, directly or through others: remove this `xdata` from `y`)"
            ]
        );
    }

    #[test]
    fn string_cycles_are_located_errors() {
        let text = "@string{een = twee # { en}}\n@string{twee = een}\n@book{a, title = een, year = 2000}\n";
        assert_eq!(
            diags(text),
            [
                "b.bib:2:16: error: @string cycle: een → twee → een (a @string cannot be defined through itself: write the text out in one of them)"
            ]
        );
        assert_eq!(
            diags("@string{zelf = {Ik } # zelf}\n@book{a, title = zelf}\n").len(),
            1
        );
    }

    #[test]
    fn chains_and_doubling_are_bounded() {
        // 100 entries in a chain: biblatex would recurse 100 deep, cloning at every level.
        let mut text = String::from("@book{e0, title = {T}, year = 2000}\n");
        for i in 1..100 {
            text += &format!("@book{{e{i}, crossref = {{e{}}}, title = {{T}}}}\n", i - 1);
        }
        let found = diags(&text);
        assert!(!found.is_empty(), "{found:?}");
        assert!(
            found[0].contains("`e65` inherits fields from 65 entries"),
            "{found:?}"
        );
        // Each macro twice the one before: 2^40 bytes.
        let mut text = String::from("@string{s0 = {xxxxxxxx}}\n");
        for i in 1..=40 {
            text += &format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1);
        }
        text += "@book{a, title = s40}\n";
        let found = diags(&text);
        assert!(
            found
                .iter()
                .any(|d| d.contains("@string `s18` grows to 2 MiB")),
            "{found:?}"
        );
        // Parents shared at every level: 2^30 paths.
        let mut text = String::from("@xdata{x0, note = {n}}\n");
        for i in 1..=30 {
            text += &format!("@xdata{{x{i}, xdata = {{x{0}, x{0}}}}}\n", i - 1);
        }
        let found = diags(&text);
        assert!(
            found
                .iter()
                .any(|d| d.contains("`x6` inherits fields from 126 entries")),
            "{found:?}"
        );
        // Command arguments nested ten thousand deep.
        let text = format!(
            "@book{{a, title = {{{}x{}}}}}\n",
            "\\emph{".repeat(10_000),
            "}".repeat(10_000)
        );
        let found = diags(&text);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("nested more than 32 deep"), "{found:?}");
    }

    /// What the limits allow, biblatex reads on a worker thread's stack (2 MiB), unoptimised.
    #[test]
    fn the_limits_leave_room_on_the_stack() {
        let mut text = String::from("@book{e0, title = {T}, year = 2000, author = {A, A.}}\n");
        for i in 1..=super::MAX_INHERITED {
            text += &format!("@book{{e{i}, crossref = {{e{}}}}}\n", i - 1);
        }
        text += "@string{s0 = {s}}\n";
        for i in 1..super::MAX_STRING_DEPTH {
            text += &format!("@string{{s{i} = s{} # {{t}}}}\n", i - 1);
        }
        text += &format!(
            "@book{{diep, title = {{{}x{}}} # s{}, year = 2000, author = {{A, A.}}}}\n",
            "\\emph{".repeat(super::MAX_BRACE_DEPTH),
            "}".repeat(super::MAX_BRACE_DEPTH),
            super::MAX_STRING_DEPTH - 1
        );
        let found = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || read("b.bib", &text))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(found.1, Vec::<String>::new());
        assert_eq!(found.0.len(), super::MAX_INHERITED + 2);
    }

    #[test]
    fn a_crossref_to_a_missing_entry_is_a_warning_and_a_sound_one_is_used() {
        let text = format!(
            "{BOOK}@incollection{{h, crossref = {{boek}}, title = {{Hoofdstuk}}, author = {{Jansen, A.}}}}\n@incollection{{w, crossref = {{weg}}, title = {{W}}, author = {{W, W.}}, year = 2000}}\n"
        );
        let (keys, found) = read("b.bib", &text);
        assert_eq!(
            found,
            [
                "b.bib:3:30: warning: `crossref` of `w` names `weg`, which is not in this file; nothing is taken from it (add that entry to the same .bib file, or correct the key)"
            ]
        );
        assert_eq!(keys.len(), 3);
    }
}
