//! What the engine needs to know about the whole book before laying out any chapter:
//! the anchors, the TOC entries and the outline.
//!
//! Headings without an anchor get a generated one, named by chapter and position, so the
//! TOC and the outline can link to them; the block builder generates the same names by
//! visiting headings in the same order.

use std::collections::BTreeSet;

use crate::typeset::flow::{Block, Flow, Inline};

/// Generated anchor of the `n`-th heading (depth-first) of chapter `chapter`.
pub(crate) fn heading_anchor(chapter: usize, n: usize) -> String {
    format!("druk-h-{chapter}-{n}")
}

/// Generated anchor of a chapter opening.
pub(crate) fn chapter_anchor(chapter: usize) -> String {
    format!("druk-ch-{chapter}")
}

/// A line of the table of contents or an outline entry.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub level: u8,
    pub number: Option<String>,
    pub title: Vec<Inline>,
    /// The title in the table of contents: the short form when the heading has one.
    pub toc_title: Vec<Inline>,
    pub anchor: String,
    pub in_toc: bool,
    pub in_outline: bool,
}

/// The title of a TOC line: the short form, or the title as in [`for_toc`].
fn toc_title(title: &[Inline], short: Option<&String>) -> Vec<Inline> {
    match short {
        Some(s) => vec![Inline::text(s.clone())],
        None => for_toc(title),
    }
}

/// The book-wide facts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Collected {
    /// Openings and headings in reading order.
    pub entries: Vec<Entry>,
    pub anchors: BTreeSet<String>,
    /// Anchors defined more than once.
    pub duplicates: Vec<String>,
}

/// A heading title as it is repeated in the TOC: without footnotes (their text belongs
/// at the heading), anchors (they name the heading's own position) and links (the TOC
/// entry is a link itself).
pub(crate) fn for_toc(inlines: &[Inline]) -> Vec<Inline> {
    let mut out = Vec::with_capacity(inlines.len());
    for i in inlines {
        match i {
            Inline::Footnote(_) | Inline::Anchor(_) => {}
            Inline::Link { content, .. } => out.extend(for_toc(content)),
            other => match other.children().and_then(|c| other.rewrap(for_toc(c))) {
                Some(wrapped) => out.push(wrapped),
                None => out.push(other.clone()),
            },
        }
    }
    out
}

/// The text of inline content without styling, for outline titles and running heads.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    push_plain(inlines, &mut s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_plain(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => s.push_str(&t.replace('\u{AD}', "")),
            Inline::LineBreak => s.push(' '),
            other => {
                if let Some(c) = other.children() {
                    push_plain(c, s)
                }
            }
        }
    }
}

pub(crate) fn collect(flow: &Flow) -> Collected {
    let mut c = Collected::default();
    for (ci, ch) in flow.chapters.iter().enumerate() {
        if let Some(o) = &ch.opening {
            let anchor = o.anchor.clone().unwrap_or_else(|| chapter_anchor(ci));
            c.add_anchor(&anchor);
            c.entries.push(Entry {
                level: 1,
                number: o.number.clone(),
                title: for_toc(&o.title),
                toc_title: toc_title(&o.title, o.short.as_ref()),
                anchor,
                in_toc: o.in_toc,
                in_outline: o.in_outline,
            });
            c.inlines(&o.title);
        }
        let mut n = 0;
        c.blocks(&ch.blocks, ci, &mut n);
    }
    c
}

impl Collected {
    fn add_anchor(&mut self, a: &str) {
        if !self.anchors.insert(a.to_string()) {
            self.duplicates.push(a.to_string());
        }
    }

    fn blocks(&mut self, blocks: &[Block], ci: usize, n: &mut usize) {
        for b in blocks {
            match b {
                Block::Heading(h) => {
                    let anchor = h.anchor.clone().unwrap_or_else(|| heading_anchor(ci, *n));
                    *n += 1;
                    self.add_anchor(&anchor);
                    self.entries.push(Entry {
                        level: h.level.clamp(1, 4),
                        number: h.number.clone(),
                        title: for_toc(&h.title),
                        toc_title: toc_title(&h.title, h.short.as_ref()),
                        anchor,
                        in_toc: h.in_toc,
                        in_outline: h.in_outline,
                    });
                    self.inlines(&h.title);
                }
                Block::Paragraph(p) => self.inlines(&p.content),
                Block::List(l) => {
                    for item in &l.items {
                        self.blocks(item, ci, n);
                    }
                }
                Block::Quote(q) => self.blocks(q, ci, n),
                Block::Kader(k) => {
                    if let Some(a) = &k.anchor {
                        self.add_anchor(a);
                    }
                    self.inlines(&k.title);
                    self.blocks(&k.blocks, ci, n);
                }
                Block::Table(t) => {
                    if let Some(a) = &t.anchor {
                        self.add_anchor(a);
                    }
                    if let Some(cap) = &t.caption {
                        self.inlines(&cap.text);
                    }
                    for cell in t.header.iter().chain(t.rows.iter().flatten()) {
                        self.inlines(cell);
                    }
                }
                Block::Figure(f) => {
                    if let Some(a) = &f.anchor {
                        self.add_anchor(a);
                    }
                    if let Some(cap) = &f.caption {
                        self.inlines(&cap.text);
                    }
                }
                Block::Code(_)
                | Block::Toc(_)
                | Block::Space(_)
                | Block::Fill
                | Block::PageBreak => {}
            }
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            match i {
                Inline::Anchor(a) => self.add_anchor(a),
                Inline::Footnote(f) => self.blocks_no_headings(&f.content),
                other => {
                    if let Some(c) = other.children() {
                        self.inlines(c)
                    }
                }
            }
        }
    }

    /// Footnote bodies may hold anchors but their headings (if any) are not numbered.
    fn blocks_no_headings(&mut self, blocks: &[Block]) {
        for b in blocks {
            if let Block::Paragraph(p) = b {
                self.inlines(&p.content);
            } else if let Block::List(l) = b {
                for item in &l.items {
                    self.blocks_no_headings(item);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::flow::{Chapter, Heading, Opening, Paragraph};

    #[test]
    fn anchors_entries_and_duplicates() {
        let flow = Flow {
            chapters: vec![Chapter {
                opening: Some(Opening {
                    number: Some("1".into()),
                    title: vec![Inline::text("Inleiding")],
                    in_toc: true,
                    in_outline: true,
                    ..Default::default()
                }),
                blocks: vec![
                    Block::Heading(Heading {
                        level: 2,
                        number: Some("1.1".into()),
                        title: vec![Inline::text("Eerste")],
                        in_toc: true,
                        in_outline: true,
                        ..Default::default()
                    }),
                    Block::Paragraph(Paragraph::new(vec![
                        Inline::Anchor("a".into()),
                        Inline::Anchor("a".into()),
                    ])),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        let c = collect(&flow);
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[0].anchor, "druk-ch-0");
        assert_eq!(c.entries[1].anchor, "druk-h-0-0");
        assert_eq!(c.duplicates, vec!["a".to_string()]);
        assert_eq!(
            plain_text(&[Inline::Emph(vec![
                Inline::text("zie  "),
                Inline::text("dit")
            ])]),
            "zie dit"
        );
    }
}
