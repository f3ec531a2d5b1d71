//! The print engine: a flow of styled blocks in, positioned pages out.
//!
//! It imports nothing from the other stages so that it can be tested on its own. The
//! caller converts the book model into a [`Flow`] (page style plus chapters of blocks),
//! calls [`layout`] with a [`FontSet`], and gets a [`Document`] (pages of positioned
//! glyph runs, rules, fills, images, links; named destinations; an outline) with a
//! [`LayoutReport`]. `crate::pdf` writes the document as PDF.
//!
//! ```
//! use druk::pdf::{PdfOptions, write_pdf};
//! use druk::typeset::*;
//!
//! let chapter = Chapter {
//!     opening: Some(Opening {
//!         number: Some("1".into()),
//!         title: vec![Inline::text("Opvoedingsondersteuning en preventie")],
//!         anchor: Some("sec-preventie".into()),
//!         in_toc: true,
//!         in_outline: true,
//!         ..Default::default()
//!     }),
//!     blocks: vec![Block::Paragraph(
//!         Paragraph::new(vec![Inline::text("Opvoeden doe je samen.")])
//!             .with_source(Source::new("hoofdstukken/01.md", 3)),
//!     )],
//!     ..Default::default()
//! };
//! let flow = Flow { style: PageStyle::default(), chapters: vec![chapter] };
//! let fonts = FontSet::builtin();
//! let (doc, report) = layout(&flow, &fonts);
//! assert_eq!(report.overfull_lines, 0);
//! let opts = PdfOptions { title: "Opvoedingsondersteuning".into(), timestamp: 0, ..Default::default() };
//! let pdf = write_pdf(&doc, &fonts, &opts).unwrap();
//! assert!(pdf.bytes.starts_with(b"%PDF-1.6"));
//! ```
//!
//! The stages, each in its own module:
//! `collect` (anchors, TOC entries) → per chapter, in parallel: `blocks` (vertical list)
//! using `paragraph` (`shape`, `hyphenate`, `linebreak`) → `pagebuild` (page breaks) →
//! `compose` (placing) → `book` (page numbers, margins, running heads, page references).

mod blocks;
mod book;
pub mod collect;
mod compose;
mod context;
pub mod document;
pub mod flow;
pub mod fonts;
mod frag;
pub mod hyphenate;
mod image;
pub mod linebreak;
mod pagebuild;
mod paragraph;
pub mod report;
pub mod shape;
mod toc;

pub use book::layout;
pub use collect::plain_text;
pub use document::{
    Document, FillRect, Folio, FolioStyle, Glyph, GlyphRun, ImageBox, Item, Link, LinkTarget,
    OutlineEntry, Page, Position, Rule, TextLine,
};
pub use flow::*;
pub use fonts::{FontError, FontFace, FontId, FontSet};
pub use report::{LayoutReport, Warning, WarningKind};
