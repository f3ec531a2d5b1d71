//! Numbering: chapters by position, sections to four levels, and figures, tables and
//! labelled kaders per chapter ("3.1", "3.2").

use crate::diag::Diagnostic;
use crate::lang::RefKind;
use crate::model::*;
use crate::parse::plain_text;

/// Reports a label: what it names, its number, the element id and a title for unnumbered targets.
pub type Define<'a> = dyn FnMut(&Label, RefKind, Option<String>, &str, String) + 'a;

/// Assigns numbers in one part and reports every label to `define`.
pub fn number_part(_pi: usize, part: &mut Part, diags: &mut Vec<Diagnostic>, define: &mut Define) {
    let chapter = part.number;
    if let Some(n) = chapter {
        part.title.number = Some(n.to_string());
    }
    if let Some(l) = &part.title.label {
        define(
            l,
            RefKind::Chapter,
            part.title.number.clone(),
            &part.title.id,
            plain_text(&part.title.content),
        );
    }
    let mut st = State {
        chapter,
        counters: [0; 7],
        unnumbered_above: None,
        figures: 0,
        tables: 0,
        kaders: 0,
    };
    number_blocks(&mut part.blocks, &mut st, diags, define, true);
    for f in &mut part.footnotes {
        number_blocks(&mut f.blocks, &mut st, diags, define, false);
    }
}

struct State {
    chapter: Option<u32>,
    /// Section counters by heading level (index 2 = `##`).
    counters: [u32; 7],
    /// The level of an unnumbered heading whose subsections stay unnumbered too.
    unnumbered_above: Option<u8>,
    figures: u32,
    tables: u32,
    kaders: u32,
}

impl State {
    fn next(&self, count: u32) -> Option<String> {
        self.chapter.map(|c| format!("{c}.{count}"))
    }
}

fn number_blocks(
    blocks: &mut [Block],
    st: &mut State,
    diags: &mut Vec<Diagnostic>,
    define: &mut Define,
    top: bool,
) {
    for b in blocks {
        match b {
            Block::Heading(h) => {
                let lvl = h.level.clamp(2, 6) as usize;
                if let Some(u) = st.unnumbered_above
                    && h.level <= u
                {
                    st.unnumbered_above = None;
                }
                if top && h.numbered && st.unnumbered_above.is_none() && st.chapter.is_some() {
                    if lvl > 2 && st.counters[lvl - 1] == 0 {
                        diags.push(
                            Diagnostic::warning(
                                "skipped-level",
                                format!(
                                    "a level-{lvl} heading without a level-{} heading above it",
                                    lvl - 1
                                ),
                            )
                            .at(h.span)
                            .help(format!("use {} for this heading", "#".repeat(lvl - 1))),
                        );
                    }
                    st.counters[lvl] += 1;
                    for c in &mut st.counters[lvl + 1..] {
                        *c = 0;
                    }
                    let mut n = st.chapter.unwrap_or(0).to_string();
                    for c in &st.counters[2..=lvl] {
                        n.push('.');
                        n.push_str(&c.to_string());
                    }
                    h.number = Some(n);
                } else {
                    h.numbered = false;
                    if st.unnumbered_above.is_none() {
                        st.unnumbered_above = Some(h.level);
                    }
                }
                if let Some(l) = &h.label {
                    define(
                        l,
                        RefKind::Section,
                        h.number.clone(),
                        &h.id,
                        plain_text(&h.content),
                    );
                }
            }
            Block::Figure(f) => {
                if let Some(l) = &f.label {
                    st.figures += 1;
                    f.number = st.next(st.figures);
                    define(
                        l,
                        RefKind::Figure,
                        f.number.clone(),
                        &l.name.clone(),
                        plain_text(&f.caption),
                    );
                }
            }
            Block::Table(t) => {
                if let Some(l) = &t.label {
                    st.tables += 1;
                    t.number = st.next(st.tables);
                    let title = t.caption.as_deref().map(plain_text).unwrap_or_default();
                    define(l, RefKind::Table, t.number.clone(), &l.name.clone(), title);
                }
            }
            Block::Kader(k) => {
                if let Some(l) = &k.label {
                    st.kaders += 1;
                    k.number = st.next(st.kaders);
                    let title = k.title.as_deref().map(plain_text).unwrap_or_default();
                    define(l, RefKind::Kader, k.number.clone(), &l.name.clone(), title);
                }
                number_blocks(&mut k.blocks, st, diags, define, false);
            }
            Block::Quote(bs) => number_blocks(bs, st, diags, define, false),
            Block::Div(d) => number_blocks(&mut d.blocks, st, diags, define, top),
            Block::List(l) => {
                for it in &mut l.items {
                    number_blocks(it, st, diags, define, false);
                }
            }
            Block::Definitions(defs) => {
                for d in defs.iter_mut().flat_map(|d| d.details.iter_mut()) {
                    number_blocks(d, st, diags, define, false);
                }
            }
            Block::Paragraph(..) | Block::Code(_) | Block::Rule | Block::References(_) => {}
        }
    }
}

/// Reports numbered elements without labels, so spelled-out numbers can still link to them.
pub fn index_unlabelled(pi: usize, part: &Part, add: &mut dyn FnMut(RefKind, &str, &str)) {
    let _ = pi;
    if let Some(n) = &part.title.number {
        add(RefKind::Chapter, n, &part.title.id);
    }
    fn walk(blocks: &[Block], add: &mut dyn FnMut(RefKind, &str, &str)) {
        for b in blocks {
            match b {
                Block::Heading(h) => {
                    if let Some(n) = &h.number {
                        add(RefKind::Section, n, &h.id);
                    }
                }
                Block::Kader(k) => walk(&k.blocks, add),
                Block::Div(d) => walk(&d.blocks, add),
                _ => {}
            }
        }
    }
    walk(&part.blocks, add);
}

/// The existing number closest to a missing one. Preferred: the same level (as many parts) in
/// the same chapter; then the same chapter; then anywhere. Among those, the most leading parts
/// in common, then the smallest differences part by part after them, then the one before
/// ("3.9.9" with 3.2.1 and 3.2.2 in the chapter → "3.2.2").
pub fn nearest<'a>(missing: &str, existing: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let parts = |s: &str| -> Vec<i64> { s.split('.').filter_map(|p| p.parse().ok()).collect() };
    let want = parts(missing);
    existing
        .map(|e| {
            let have = parts(e);
            let same_chapter = want.first() == have.first();
            let same_level = same_chapter && want.len() == have.len();
            let common = want.iter().zip(&have).take_while(|(a, b)| a == b).count();
            let diffs: Vec<i64> = (common..want.len().max(have.len()))
                .map(|k| {
                    (want.get(k).copied().unwrap_or(0) - have.get(k).copied().unwrap_or(0)).abs()
                })
                .collect();
            let after = have > want;
            (
                (
                    std::cmp::Reverse(same_level),
                    std::cmp::Reverse(same_chapter),
                    std::cmp::Reverse(common),
                    diffs,
                    after,
                ),
                e,
            )
        })
        .min()
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_number() {
        let have = ["3.2.1", "3.2.2", "3.2.3", "3.3", "4.2.1"];
        assert_eq!(nearest("3.2.5", have.iter().copied()), Some("3.2.3"));
        assert_eq!(nearest("3.4", have.iter().copied()), Some("3.3"));
        assert_eq!(nearest("4.2.2", have.iter().copied()), Some("4.2.1"));
        assert_eq!(nearest("9", std::iter::empty()), None);
        let chapter = ["3.1", "3.2", "3.2.1", "3.2.2", "4.9.9"];
        assert_eq!(nearest("3.9.9", chapter.iter().copied()), Some("3.2.2"));
        assert_eq!(nearest("3.7", chapter.iter().copied()), Some("3.2"));
    }
}
