//! The book model: what parse produces and resolve completes. Plain data, no behaviour.
//!
//! Parse fills everything the source says; resolve fills the `Option`s that need the whole
//! book (numbers, reference texts, targets). Renderers read only this.

use crate::lang::RefKind;
use crate::source::{FileId, Span};

/// Which part of the book a file belongs to; decides numbering and EPUB landmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    Front,
    Chapter,
    Back,
    /// The generated reference list (`back: [literatuur]`).
    Bibliography,
}

/// One source file as a part of the book: a front part, a chapter or a back part.
#[derive(Clone, Debug)]
pub struct Part {
    pub kind: PartKind,
    pub file: FileId,
    /// Chapter number, set by resolve for chapters.
    pub number: Option<u32>,
    /// The chapter's own author, when it is not (only) the book's.
    pub author: Option<String>,
    /// The `# Title` heading. Parse guarantees there is exactly one.
    pub title: Heading,
    pub blocks: Vec<Block>,
    /// Footnotes in order of first reference; `Inline::FootnoteRef` indexes into this.
    pub footnotes: Vec<Footnote>,
}

#[derive(Clone, Debug)]
pub struct Heading {
    /// 1 = chapter title, 2 = section, 3 = subsection, 4 = sub-subsection.
    pub level: u8,
    pub content: Vec<Inline>,
    /// The author's label (`{#sec-x}`) or a generated id; always unique within the book.
    pub id: String,
    pub label: Option<Label>,
    /// False for `{-}` / `{.unnumbered}`, front and back matter.
    pub numbered: bool,
    /// Dotted number ("3.2.2"), set by resolve.
    pub number: Option<String>,
    pub span: Span,
    /// `{short="…"}`: the title in the running head and the table of contents of print.
    pub short: Option<String>,
}

/// An author-given label with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Block {
    Heading(Heading),
    Paragraph(Vec<Inline>, Span),
    List(List),
    Quote(Vec<Block>),
    Kader(Kader),
    /// A fenced div of another class: its content is kept, the wrapper carries the classes.
    Div(Div),
    Table(Table),
    Figure(Figure),
    Code(CodeBlock),
    Rule,
    /// Terms with their definitions (Pandoc's `Term` / `: Definition`, or `<dl>`).
    Definitions(Vec<Definition>),
    /// The generated reference list: one entry per cited work, in APA order.
    References(Vec<Reference>),
}

/// One entry of the reference list; `id` is the anchor citations link to.
#[derive(Clone, Debug)]
pub struct Reference {
    pub key: String,
    pub id: String,
    pub content: Vec<Inline>,
}

#[derive(Clone, Debug)]
pub struct List {
    /// `Some(start)` for a numbered list.
    pub ordered: Option<u32>,
    pub tight: bool,
    pub items: Vec<Vec<Block>>,
    /// Per item: `Some(done)` for a task (`- [ ]`, `- [x]`), `None` for a plain item.
    pub tasks: Vec<Option<bool>>,
}

/// One term of a definition list and its definitions.
#[derive(Clone, Debug)]
pub struct Definition {
    pub term: Vec<Inline>,
    pub details: Vec<Vec<Block>>,
}

/// A framed box. Numbered per chapter only when it has a label.
#[derive(Clone, Debug)]
pub struct Kader {
    pub label: Option<Label>,
    pub title: Option<Vec<Inline>>,
    pub number: Option<String>,
    pub blocks: Vec<Block>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Div {
    pub id: Option<String>,
    pub classes: Vec<String>,
    /// The language of the div's text (`::: {lang=en}`), as a BCP 47 tag.
    pub lang: Option<String>,
    /// The editions that show it (Quarto's `.content-visible when-format=…`); `None`: all.
    pub only: Option<Editions>,
    pub blocks: Vec<Block>,
}

/// A set of the book's editions, for content shown in some of them only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Editions {
    pub epub: bool,
    pub web: bool,
    /// Both PDFs (print and screen).
    pub pdf: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub align: Vec<Align>,
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
    pub caption: Option<Vec<Inline>>,
    pub label: Option<Label>,
    pub number: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Figure {
    /// Path relative to the book folder, as written.
    pub src: String,
    pub caption: Vec<Inline>,
    /// The alternative text (`fig-alt=` or `alt=`), when it is not the caption.
    pub alt: Option<String>,
    /// The image's title (`![x](a.png "title")`).
    pub title: Option<String>,
    pub width: Option<Width>,
    pub label: Option<Label>,
    pub number: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CodeBlock {
    pub lang: Option<String>,
    /// An id from Pandoc attributes (```` ```{#lst-x .python} ````), an anchor for links.
    pub id: Option<String>,
    /// A caption from Pandoc attributes (`caption="…"`).
    pub caption: Option<String>,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Footnote {
    pub name: String,
    pub blocks: Vec<Block>,
}

/// How wide an image is set: `width="50%"` (of the text width) or `width=8cm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Width {
    /// A share of the text width, 0 < share <= 1.
    Share(f64),
    /// A length in points (1/72 inch).
    Points(f64),
    /// A length in em: times the size of the text around it.
    Em(f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Emph,
    Strong,
    Strike,
    Superscript,
    Subscript,
    Underline,
    SmallCaps,
}

/// A span of text with attributes of its own: `[tekst]{lang=en}`, `<span class="x">`.
#[derive(Clone, Debug)]
pub struct SpanAttrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    /// The language of the span's text, as a BCP 47 tag.
    pub lang: Option<String>,
    pub title: Option<String>,
    /// The editions that show it; `None`: all.
    pub only: Option<Editions>,
}

#[derive(Clone, Debug)]
pub enum Inline {
    /// Text after smart punctuation; a soft line break in the source is a space here.
    Text(String),
    LineBreak,
    Styled(Style, Vec<Inline>),
    Code(String),
    Link {
        url: String,
        /// The link's title (`[x](u "title")`), shown on hover.
        title: Option<String>,
        content: Vec<Inline>,
        /// Where it is written, for a target that does not exist (empty for links made from
        /// bibliography data).
        span: Span,
    },
    /// An image inside running text (not a figure).
    Image {
        src: String,
        alt: String,
        title: Option<String>,
        width: Option<Width>,
        span: Span,
    },
    /// Text with attributes of its own (a language, classes, an id).
    Span(SpanAttrs, Vec<Inline>),
    /// Index into the part's footnotes; numbers are per part, in reference order.
    FootnoteRef(usize),
    CrossRef(CrossRef),
    Citation(Citation),
    /// A link inside the book made by druk itself (a citation to its reference entry).
    Internal {
        target: Target,
        content: Vec<Inline>,
    },
}

/// `@sec-x`, `[-@sec-x]` or a number spelled out in the prose ("paragraaf 3.2.2").
#[derive(Clone, Debug)]
pub struct CrossRef {
    pub target: RefTarget,
    /// At the start of a sentence, or written `@Sec-x`.
    pub capitalize: bool,
    pub span: Span,
    /// Filled by resolve; `None` when the label or number does not exist (a diagnostic was made).
    pub resolved: Option<Resolved>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefTarget {
    /// `@sec-x` ("paragraaf 3.2.2") or `[-@sec-x]` ("3.2.2").
    Label { name: String, number_only: bool },
    /// The author's own words, kept as written and linked when the number exists.
    Spelled {
        kind: RefKind,
        number: String,
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub text: String,
    pub target: Target,
}

/// Where a reference leads: the part (file) and the element id inside it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub part: usize,
    pub id: String,
}

/// `[@a; @b, p. 12]` or narrative `@a`. Rendered text is filled by the citation stage.
#[derive(Clone, Debug)]
pub struct Citation {
    pub items: Vec<CiteItem>,
    pub mode: CiteMode,
    pub span: Span,
    /// The formatted citation, each work linked to its reference entry; set by the citation stage.
    pub rendered: Option<Vec<Inline>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiteItem {
    pub key: String,
    /// Text before the key inside the brackets ("zie").
    pub prefix: String,
    /// Locator or comment after the key ("p. 12").
    pub suffix: String,
    /// `[-@a]`: the year only, because the author is named in the sentence.
    pub suppress_author: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiteMode {
    /// `[@a]` → (Author, 1992)
    Parenthetical,
    /// `@a` → Author (1992)
    Narrative,
}

/// What a label names; the resolved table behind every cross-reference.
#[derive(Clone, Debug)]
pub struct LabelTarget {
    pub kind: RefKind,
    pub number: Option<String>,
    pub target: Target,
    pub title: String,
    pub span: Span,
}
