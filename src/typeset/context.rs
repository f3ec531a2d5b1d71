//! The state one chapter's layout carries around: shaper, footnotes, warnings, counts.
//!
//! Each chapter gets its own context on its own thread; nothing in it is shared, so
//! chapters lay out in parallel without locks and the result does not depend on the
//! order in which threads finish. Only the word caches ([`Caches`]) go on from one
//! chapter to the next one laid out on the same thread: what they hold depends on the
//! word alone, so a chapter comes out the same whatever ran before it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::typeset::collect::Entry;
use crate::typeset::flow::{Block, Lang, Look, PageStyle, Source};
use crate::typeset::fonts::{FontId, FontSet};
use crate::typeset::hyphenate::Hyphenator;
use crate::typeset::report::{Place, Warning, WarningKind};
use crate::typeset::shape::{Features, Shaper};

/// A footnote whose marker has been set; its body is laid out with the chapter.
#[derive(Clone, Debug)]
pub(crate) struct PendingFootnote {
    pub marker: String,
    pub content: Vec<Block>,
    /// Anchor at the start of the footnote text (target of the marker link).
    pub anchor: String,
    pub source: Option<Source>,
}

/// Counts that end up in the layout report.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    pub paragraphs: usize,
    pub lines: usize,
    pub hyphenated_lines: usize,
    pub overfull_lines: usize,
    pub loose_paragraphs: usize,
    pub loose_lines: usize,
}

/// Page numbers known from the previous layout pass, for page references.
#[derive(Clone, Debug, Default)]
pub(crate) struct RefTable {
    /// Anchor → folio label.
    pub folios: BTreeMap<String, String>,
    /// Every anchor in the book, known before layout.
    pub anchors: BTreeSet<String>,
}

/// Shaped words and hyphenated words, kept from chapter to chapter.
pub(crate) struct Caches<'a> {
    pub shaper: Shaper<'a>,
    pub hyphenator: Hyphenator,
}

impl<'a> Caches<'a> {
    pub fn new(fonts: &'a FontSet) -> Caches<'a> {
        Caches {
            shaper: Shaper::new(fonts),
            hyphenator: Hyphenator::default(),
        }
    }
}

pub(crate) struct Ctx<'a> {
    pub style: &'a PageStyle,
    pub fonts: &'a FontSet,
    pub shaper: Shaper<'a>,
    pub hyphenator: Hyphenator,
    pub refs: &'a RefTable,
    /// Book-wide headings, for the table of contents.
    pub toc: &'a [Entry],
    /// Page references as set in this pass: anchor → text used.
    pub used_refs: BTreeMap<String, String>,
    pub footnotes: Vec<PendingFootnote>,
    /// Footnote number of the next automatically numbered footnote.
    pub next_footnote: u32,
    /// Set while laying out footnote bodies: markers inside them get no new footnote.
    pub in_footnote: bool,
    /// What the warnings raised now are about, so that they can name their page.
    pub place: Option<Place>,
    /// Characters no font has that a warning has named at their first paragraph.
    pub missing_named: BTreeSet<char>,
    pub warnings: Vec<Warning>,
    pub stats: Stats,
    /// Images of this chapter (indices are chapter-local until assembly).
    pub images: Vec<Arc<[u8]>>,
    pub chapter: usize,
}

/// A character as warnings name it: `'א' (U+05D0 HEBREW LETTER ALEF)`.
pub(crate) fn describe_char(c: char) -> String {
    match unicode_names2::name(c) {
        Some(name) => format!("{c:?} (U+{:04X} {name})", c as u32),
        None => format!("{c:?} (U+{:04X})", c as u32),
    }
}

impl<'a> Ctx<'a> {
    pub fn new(
        style: &'a PageStyle,
        fonts: &'a FontSet,
        refs: &'a RefTable,
        toc: &'a [Entry],
        chapter: usize,
    ) -> Ctx<'a> {
        Ctx::with_caches(style, refs, toc, chapter, Caches::new(fonts))
    }

    /// A context that starts from the caches of an earlier chapter.
    pub fn with_caches(
        style: &'a PageStyle,
        refs: &'a RefTable,
        toc: &'a [Entry],
        chapter: usize,
        caches: Caches<'a>,
    ) -> Ctx<'a> {
        Ctx {
            style,
            fonts: caches.shaper.fonts(),
            shaper: caches.shaper,
            hyphenator: caches.hyphenator,
            refs,
            toc,
            used_refs: BTreeMap::new(),
            footnotes: Vec::new(),
            next_footnote: 1,
            in_footnote: false,
            place: None,
            missing_named: BTreeSet::new(),
            warnings: Vec::new(),
            stats: Stats::default(),
            images: Vec::new(),
            chapter,
        }
    }

    /// The caches, for the next chapter.
    pub fn into_caches(self) -> Caches<'a> {
        Caches {
            shaper: self.shaper,
            hyphenator: self.hyphenator,
        }
    }

    pub fn warn(&mut self, kind: WarningKind, source: Option<&Source>, message: impl Into<String>) {
        let mut w = Warning::new(kind, source.cloned(), message);
        w.place = self.place;
        self.warnings.push(w);
    }

    /// A character of the paragraph at `source` that no font of the chain has: a warning
    /// naming it, once a chapter, at the first paragraph that has it.
    pub fn missing_glyph(&mut self, c: char, source: Option<&Source>) {
        if source.is_none() || !self.missing_named.insert(c) {
            return;
        }
        let mut w = Warning::new(
            WarningKind::MissingGlyph,
            source.cloned(),
            format!("no font has a glyph for {}", describe_char(c)),
        );
        w.subject = Some(c);
        w.help = Some(match self.fonts.missing_package(c) {
            Some(p) => format!("install the Debian package {p}, which has a font for it"),
            None => "no font of the fallback chain covers it; replace it or add a font \
                     that has it to the style's fonts"
                .into(),
        });
        w.place = self.place;
        self.warnings.push(w);
    }

    pub fn font(&self, look: &Look) -> FontId {
        self.fonts.select(look.family, look.bold, look.italic)
    }

    /// Width of `text` in `look`, in pt.
    pub fn text_width(&mut self, text: &str, look: &Look) -> f64 {
        let font = self.font(look);
        self.shaper
            .shape(text, font, Features::default(), Lang::Nl)
            .width
            * look.size
    }
}
