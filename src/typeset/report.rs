//! What the engine tells its caller about the pages it made.

use std::fmt;

use crate::typeset::flow::Source;

/// Counts and warnings of one layout run. A clean book has zeros in the defect counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayoutReport {
    pub pages: usize,
    pub blank_pages: usize,
    pub paragraphs: usize,
    pub lines: usize,
    pub hyphenated_lines: usize,
    /// Paragraphs that needed the emergency-stretch pass.
    pub loose_paragraphs: usize,
    /// Lines whose spaces stretch beyond their stretchability (adjustment ratio > 1).
    pub loose_lines: usize,
    pub overfull_lines: usize,
    /// Last line of a paragraph alone at the top of a page.
    pub widows: usize,
    /// First line of a paragraph alone at the foot of a page.
    pub orphans: usize,
    /// Headings that ended up last on a page.
    pub headings_at_foot: usize,
    /// Footnotes that had to continue on the next page.
    pub split_footnotes: usize,
    /// Layout passes needed to settle page references (1 when there are none).
    pub passes: usize,
    pub warnings: Vec<Warning>,
}

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WarningKind {
    OverfullLine,
    Widow,
    Orphan,
    HeadingAtFoot,
    OversizedBlock,
    /// A page broken where the rules allow no break (no other break was left).
    ForcedBreak,
    SplitFootnote,
    MissingGlyph,
    /// An image that cannot be read, or whose resolution is too low for print.
    BadImage,
    UnknownAnchor,
    DuplicateAnchor,
    UnsettledReferences,
    /// A table whose columns do not fit the text width even at the tight table size.
    TableTooWide,
    /// Content that would be drawn below the text area.
    BelowTextArea,
}

impl WarningKind {
    /// Kinds that mean content would be lost or drawn off the page: the build must fail.
    pub fn is_error(self) -> bool {
        matches!(self, WarningKind::TableTooWide | WarningKind::BelowTextArea)
    }
}

/// A problem in the layout, pointing at the manuscript where possible.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub kind: WarningKind,
    pub source: Option<Source>,
    /// Folio of the page concerned, when known.
    pub page: Option<String>,
    /// The same page counted from the first sheet of the book (1-based), when known: a
    /// roman folio or a page without one is found by this number in a viewer.
    pub physical: Option<usize>,
    pub message: String,
    /// What to do about it, when there is something to say.
    pub help: Option<String>,
    /// The character a missing-glyph warning is about, so that it can be pointed at.
    pub subject: Option<char>,
    /// Where in the chapter's vertical list the problem was found, until the page is known.
    pub(crate) place: Option<Place>,
}

/// What a warning found while a chapter's vertical list was built is about: an item of
/// the list (its page is the page of that item) or a footnote (the page it is set on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Item(usize),
    Footnote(usize),
    /// Line k of the paragraph being set; the block builder makes it the line's item.
    Line(usize),
}

impl Warning {
    pub fn new(kind: WarningKind, source: Option<Source>, message: impl Into<String>) -> Warning {
        Warning {
            kind,
            source,
            page: None,
            physical: None,
            message: message.into(),
            help: None,
            subject: None,
            place: None,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.source {
            write!(f, "{s}: ")?;
        }
        let severity = if self.kind.is_error() {
            "error"
        } else {
            "warning"
        };
        write!(f, "{severity}: {}", self.message)?;
        match (&self.page, self.physical) {
            (Some(p), Some(n)) => write!(f, " (page {p}, physical page {n})")?,
            (Some(p), None) => write!(f, " (page {p})")?,
            _ => {}
        }
        Ok(())
    }
}

impl fmt::Display for LayoutReport {
    /// One line for a build summary: "72 pages (4 blank), 2170 lines, 0 overfull, …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} pages ({} blank), {} lines, {} hyphenated, {} loose, {} overfull, {} widows, {} orphans, {} headings at a page foot",
            self.pages,
            self.blank_pages,
            self.lines,
            self.hyphenated_lines,
            self.loose_lines,
            self.overfull_lines,
            self.widows,
            self.orphans,
            self.headings_at_foot
        )
    }
}
