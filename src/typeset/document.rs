//! The output of the engine: pages of positioned items, plus navigation.
//!
//! Coordinates are in pt from the top-left corner of the *trimmed* page, y downwards;
//! the PDF writer adds the bleed and flips the axis. Everything a PDF writer needs is
//! here, so a test renderer or a text dump can use the same data.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use crate::typeset::flow::Cmyk;
use crate::typeset::fonts::FontId;

/// A laid-out book.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub trim_width: f64,
    pub trim_height: f64,
    pub bleed: f64,
    pub pages: Vec<Page>,
    /// Image files referenced by [`ImageBox::image`], in order of first use.
    pub images: Vec<Arc<[u8]>>,
    /// Chapter › section › subsection, in reading order.
    pub outline: Vec<OutlineEntry>,
    /// Every anchor of the book and where it landed.
    pub destinations: BTreeMap<String, Position>,
}

/// A point on a page: page index (from 0) and coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub page: usize,
    pub x: f64,
    pub y: f64,
}

/// Numbering style of a folio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolioStyle {
    Roman,
    Arabic,
}

/// The page number printed (or implied) on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Folio {
    pub style: FolioStyle,
    pub number: u32,
}

impl Folio {
    /// The folio as printed: "xiv" or "14".
    pub fn label(&self) -> String {
        match self.style {
            FolioStyle::Arabic => self.number.to_string(),
            FolioStyle::Roman => roman(self.number),
        }
    }
}

/// Lower-case roman numerals, as used for front-matter folios.
pub fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// One page.
#[derive(Clone, Debug)]
pub struct Page {
    pub folio: Folio,
    /// Whether the folio is printed (not on openings, blank pages, the title page).
    pub folio_shown: bool,
    /// Odd pages are on the right.
    pub recto: bool,
    /// Inserted only so the next chapter starts on a recto.
    pub blank: bool,
    pub items: Vec<Item>,
    pub links: Vec<Link>,
    /// The text lines, for snapshots and checks.
    pub lines: Vec<TextLine>,
}

/// Something drawn on a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Glyphs(GlyphRun),
    Rule(Rule),
    Rect(FillRect),
    Image(ImageBox),
}

/// Glyphs of one face, size and colour on one baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct GlyphRun {
    pub font: FontId,
    pub size: f64,
    pub color: Cmyk,
    /// Origin of the first glyph on the baseline.
    pub x: f64,
    pub y: f64,
    /// The text the glyphs show; [`Glyph::start`] and [`Glyph::len`] index into it.
    pub text: String,
    pub glyphs: Vec<Glyph>,
}

/// A positioned glyph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Offset from the run origin along the baseline.
    pub x: f64,
    /// The text of the glyph: `text[start..start + len]` of its run; empty (`len` 0) for
    /// the second and later glyphs of a multi-glyph cluster.
    pub start: u32,
    pub len: u32,
}

impl GlyphRun {
    /// The text a glyph stands for (for ToUnicode).
    pub fn glyph_text(&self, g: &Glyph) -> &str {
        self.text
            .get(g.start as usize..(g.start + g.len) as usize)
            .unwrap_or("")
    }
}

/// A straight line.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    pub thickness: f64,
    pub color: Cmyk,
}

/// A filled rectangle (kader backgrounds).
#[derive(Clone, Debug, PartialEq)]
pub struct FillRect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub color: Cmyk,
}

/// A placed image.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageBox {
    /// Index into [`Document::images`].
    pub image: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// A clickable area.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub target: LinkTarget,
}

/// Where a link leads.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkTarget {
    Internal(Position),
    External(String),
}

/// An outline (bookmark) entry.
#[derive(Clone, Debug, PartialEq)]
pub struct OutlineEntry {
    /// 1 chapter, 2 section, 3 subsection, 4 sub-subsection.
    pub level: u8,
    pub title: String,
    pub dest: Position,
}

/// A line of text and where its baseline starts.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

impl Document {
    /// A deterministic text rendering of all pages: page, folio, then every line with
    /// its position, for snapshot tests and for reviewing page breaks in a diff.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for (i, page) in self.pages.iter().enumerate() {
            let side = if page.recto { "recto" } else { "verso" };
            let folio = page.folio.label();
            let shown = if page.folio_shown {
                ""
            } else {
                ", folio hidden"
            };
            let blank = if page.blank { ", blank" } else { "" };
            let _ = writeln!(out, "=== page {} ({folio}, {side}{shown}{blank})", i + 1);
            for (n, line) in page.lines.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{:>3} {:>7.2} {:>7.2}  {}",
                    n + 1,
                    line.x,
                    line.y,
                    line.text
                );
            }
        }
        out
    }

    /// The page index of the first page whose folio label is `label` (e.g. "12" or "iv").
    pub fn page_with_folio(&self, label: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.folio.label() == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(1), "i");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(9), "ix");
        assert_eq!(roman(14), "xiv");
        assert_eq!(roman(40), "xl");
        assert_eq!(roman(1999), "mcmxcix");
    }
}
