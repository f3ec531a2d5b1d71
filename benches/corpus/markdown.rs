//! Writes the book as Markdown: druk's book folder, or one Pandoc Markdown file.
//!
//! The two flavours share almost everything (CommonMark, GFM tables, `[^n]` notes, Pandoc
//! citations, `:::` divs). They differ where druk does work that Pandoc leaves to the author:
//! druk turns `@sec-x` into "paragraaf 3.2.1" and numbers tables, kaders and figures, so the
//! Pandoc version carries those numbers as text and its cross-references as plain links.

use crate::bib;
use crate::model::*;
use std::fmt::Write;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Druk,
    Pandoc,
}

pub struct Markdown {
    flavor: Flavor,
    out: String,
    /// Footnote definitions waiting for the end of their paragraph.
    notes: Vec<String>,
    /// Footnote numbers: per file for druk, for the whole file in Pandoc.
    note_seq: usize,
}

impl Markdown {
    pub fn new(flavor: Flavor) -> Markdown {
        Markdown {
            flavor,
            out: String::new(),
            notes: Vec::new(),
            note_seq: 0,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// A front part or a chapter, from its `#` title on.
    pub fn part(&mut self, part: &Part) {
        if self.flavor == Flavor::Druk {
            self.note_seq = 0;
        }
        let attrs = match (&part.id, self.flavor) {
            (Some(id), _) => format!(" {{#{id}}}"),
            (None, Flavor::Pandoc) => " {.unnumbered}".into(),
            (None, Flavor::Druk) => String::new(),
        };
        let _ = writeln!(self.out, "# {}{attrs}\n", part.title);
        // druk takes the chapter author from book.yaml; Pandoc needs it in the text.
        if let (Some(a), Flavor::Pandoc) = (&part.author, self.flavor) {
            let _ = writeln!(self.out, "*{a}*\n");
        }
        self.blocks(&part.blocks);
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b);
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading(h) => {
                let attrs = match (self.flavor, h.number.is_some()) {
                    (Flavor::Druk, true) if h.labelled => format!(" {{#{}}}", h.id),
                    (Flavor::Druk, true) => String::new(),
                    (Flavor::Druk, false) => " {-}".into(),
                    (Flavor::Pandoc, true) => format!(" {{#{}}}", h.id),
                    (Flavor::Pandoc, false) => format!(" {{#{} .unnumbered}}", h.id),
                };
                let hashes = "#".repeat(h.level as usize);
                let _ = writeln!(self.out, "{hashes} {}{attrs}\n", h.title);
            }
            Block::Para(xs) => {
                let text = self.inlines(xs);
                let _ = writeln!(self.out, "{text}\n");
                for n in std::mem::take(&mut self.notes) {
                    let _ = writeln!(self.out, "{n}\n");
                }
            }
            Block::List(l) => {
                for (i, item) in l.items.iter().enumerate() {
                    let marker = if l.ordered {
                        format!("{}.", i + 1)
                    } else {
                        "-".into()
                    };
                    let text = self.inlines(&item.text);
                    let _ = writeln!(self.out, "{marker} {text}");
                    for sub in &item.sub {
                        let text = self.inlines(sub);
                        let _ = writeln!(self.out, "    - {text}");
                    }
                }
                self.out.push('\n');
            }
            Block::Kader(k) => {
                match (self.flavor, &k.id) {
                    (Flavor::Druk, Some(id)) => {
                        let _ = writeln!(self.out, "::: {{.kader #{id} title=\"{}\"}}", k.title);
                    }
                    (Flavor::Druk, None) => {
                        let _ = writeln!(self.out, "::: kader\n**{}**\n", k.title);
                    }
                    (Flavor::Pandoc, Some(id)) => {
                        let n = k.number.as_deref().unwrap_or_default();
                        let _ = writeln!(
                            self.out,
                            "::: {{#{id} .kader}}\n**Kader {n} {}**\n",
                            k.title
                        );
                    }
                    (Flavor::Pandoc, None) => {
                        let _ = writeln!(self.out, "::: {{.kader}}\n**{}**\n", k.title);
                    }
                }
                self.blocks(&k.blocks);
                // The closing fence directly after the last block's blank line.
                self.out.push_str(":::\n\n");
            }
            Block::Table(t) => {
                if self.flavor == Flavor::Pandoc {
                    let _ = writeln!(self.out, "::: {{#{}}}", t.id);
                }
                let _ = writeln!(self.out, "| {} |", t.header.join(" | "));
                let rule: Vec<&str> = t
                    .align
                    .iter()
                    .map(|a| match a {
                        Align::Left => "---",
                        Align::Right => "---:",
                    })
                    .collect();
                let _ = writeln!(self.out, "|{}|", rule.join("|"));
                for row in &t.rows {
                    let cells: Vec<String> = row.iter().map(|c| self.inlines(c)).collect();
                    let _ = writeln!(self.out, "| {} |", cells.join(" | "));
                }
                match self.flavor {
                    Flavor::Druk => {
                        let _ = writeln!(self.out, ": {} {{#{}}}\n", t.caption, t.id);
                    }
                    Flavor::Pandoc => {
                        let _ = writeln!(self.out, "\n: Tabel {} {}\n:::\n", t.number, t.caption);
                    }
                }
            }
            Block::Figure(f) => {
                let caption = match self.flavor {
                    Flavor::Druk => f.caption.clone(),
                    Flavor::Pandoc => format!("Figuur {} {}", f.number, f.caption),
                };
                let _ = writeln!(
                    self.out,
                    "![{caption}](afbeeldingen/{}){{#{}}}\n",
                    f.image, f.id
                );
            }
            Block::Quote(xs) => {
                let text = self.inlines(xs);
                let _ = writeln!(self.out, "> {text}\n");
            }
        }
    }

    fn inlines(&mut self, xs: &[Inline]) -> String {
        let mut s = String::new();
        for x in xs {
            match x {
                Inline::Text(t) => s.push_str(t),
                Inline::Emph(t) => {
                    let _ = write!(s, "*{t}*");
                }
                Inline::Strong(t) => {
                    let _ = write!(s, "**{t}**");
                }
                Inline::Cite(c) => s.push_str(&cite(c)),
                Inline::Ref(r) => match (self.flavor, r.style) {
                    (Flavor::Druk, RefStyle::Label) => {
                        let _ = write!(s, "@{}", r.id);
                    }
                    (Flavor::Druk, RefStyle::NumberOnly) => {
                        let _ = write!(s, "[-@{}]", r.id);
                    }
                    (Flavor::Druk, RefStyle::Spelled) => s.push_str(&r.printed()),
                    (Flavor::Pandoc, _) => {
                        let _ = write!(s, "[{}](#{})", r.printed(), r.id);
                    }
                },
                Inline::Note(body) => {
                    self.note_seq += 1;
                    let id = match self.flavor {
                        Flavor::Druk => self.note_seq.to_string(),
                        Flavor::Pandoc => format!("n{}", self.note_seq),
                    };
                    let text = self.inlines(body);
                    let _ = write!(s, "[^{id}]");
                    self.notes.push(format!("[^{id}]: {text}"));
                }
            }
        }
        s
    }
}

/// Pandoc citation syntax, which druk reads as well.
fn cite(c: &Cite) -> String {
    if c.narrative {
        return format!("@{}", c.items[0].key);
    }
    let items: Vec<String> = c
        .items
        .iter()
        .map(|i| match &i.locator {
            Some(l) => format!("@{}, {l}", i.key),
            None => format!("@{}", i.key),
        })
        .collect();
    format!("[{}]", items.join("; "))
}

/// A YAML string in single quotes.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// druk's `book.yaml`, with every field the format has.
pub fn book_yaml(book: &Book) -> String {
    let m = &book.meta;
    let mut o = String::new();
    let authors: Vec<String> = m.authors.iter().map(|a| q(a)).collect();
    let _ = writeln!(
        o,
        "# Benchmark corpus generated by benches/corpus (see BENCHMARKS.md)."
    );
    let _ = writeln!(o, "title: {}\nsubtitle: {}", q(&m.title), q(&m.subtitle));
    let _ = writeln!(o, "authors: [{}]", authors.join(", "));
    let _ = writeln!(
        o,
        "language: nl\nedition: {}\npublisher: {}\nyear: {}",
        m.edition,
        q(&m.publisher),
        m.year
    );
    let _ = writeln!(
        o,
        "isbn: {{ print: {}, epub: {} }}",
        m.isbn_print, m.isbn_epub
    );
    let front: Vec<&str> = book.front.iter().map(|p| p.file.as_str()).collect();
    let _ = writeln!(o, "front: [{}]\nchapters:", front.join(", "));
    for c in &book.chapters {
        match &c.author {
            Some(a) => {
                let _ = writeln!(o, "  - file: {}\n    author: {}", c.file, q(a));
            }
            None => {
                let _ = writeln!(o, "  - {}", c.file);
            }
        }
    }
    let _ = writeln!(o, "back: [literatuur]\nbibliography: literatuur.yaml");
    let _ = writeln!(o, "print: {{ trim: 170x240mm, bleed: 3mm }}");
    o
}

/// The whole book as one Pandoc Markdown file, for `pandoc book.md --citeproc -N`.
pub fn pandoc_book(book: &Book) -> String {
    let m = &book.meta;
    let mut md = Markdown::new(Flavor::Pandoc);
    let authors: Vec<String> = m.authors.iter().map(|a| q(a)).collect();
    let _ = write!(
        md.out,
        "---\ntitle: {}\nsubtitle: {}\nauthor: [{}]\nlang: nl-NL\ndate: '{}'\npublisher: {}\n\
         identifier: 'urn:isbn:{}'\nbibliography: references.yaml\nlink-citations: true\n---\n\n",
        q(&m.title),
        q(&m.subtitle),
        authors.join(", "),
        m.year,
        q(&m.publisher),
        m.isbn_epub.replace('-', "")
    );
    for p in book.front.iter().chain(&book.chapters) {
        md.part(p);
    }
    md.out
        .push_str("# Literatuur {.unnumbered}\n\n::: {#refs}\n:::\n");
    md.finish()
}

/// One druk source file.
pub fn druk_part(part: &Part) -> String {
    let mut md = Markdown::new(Flavor::Druk);
    md.part(part);
    md.finish()
}

/// The bibliography in CSL-YAML, shared by druk (`literatuur.yaml`) and Pandoc (`references.yaml`).
pub fn references(book: &Book) -> String {
    bib::csl_yaml(&book.bibliography)
}
