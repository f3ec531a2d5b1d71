//! The input contract of the print engine: plain data that the book model is converted into.
//!
//! Nothing here knows about Markdown, labels or citations. Numbers ("3.2"), labels
//! ("Figuur 3.1") and resolved cross-reference texts ("paragraaf 3.2.2") arrive as text; the
//! engine only decides where things go on the page. Page references ("zie pagina 12") and
//! the table of contents are the exception, because only the engine knows the pages.

use std::sync::Arc;

/// Points per millimetre (1 pt = 1/72 in, 1 in = 25.4 mm).
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Converts millimetres to points, the unit of every length in the engine.
pub fn mm(v: f64) -> f64 {
    v * PT_PER_MM
}

/// A process colour. The print edition is CMYK, so colours are never specified as RGB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cmyk {
    pub c: f32,
    pub m: f32,
    pub y: f32,
    pub k: f32,
}

impl Cmyk {
    /// Pure black (0/0/0/100), the only ink body text should use.
    pub const BLACK: Cmyk = Cmyk::new(0.0, 0.0, 0.0, 1.0);

    pub const fn new(c: f32, m: f32, y: f32, k: f32) -> Cmyk {
        Cmyk { c, m, y, k }
    }
}

/// Hyphenation language of a paragraph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

/// A typeface role of the house style; the font set decides which files play them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// The serif face for running text.
    #[default]
    Body,
    /// The sans face for headings, captions, kader titles and the TOC.
    Heading,
    /// The monospaced face for code.
    Mono,
}

/// Horizontal alignment of the lines of a paragraph or a table column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Justify,
    Left,
    Center,
    Right,
}

/// The typographic look of a piece of text: face, size and colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    pub family: Family,
    pub bold: bool,
    pub italic: bool,
    /// Font size in pt.
    pub size: f64,
    /// Baseline-to-baseline distance in pt.
    pub leading: f64,
    pub color: Cmyk,
}

impl Look {
    pub fn new(family: Family, size: f64, leading: f64) -> Look {
        Look {
            family,
            bold: false,
            italic: false,
            size,
            leading,
            color: Cmyk::BLACK,
        }
    }

    pub fn bold(mut self) -> Look {
        self.bold = true;
        self
    }

    pub fn italic(mut self) -> Look {
        self.italic = true;
        self
    }

    pub fn color(mut self, color: Cmyk) -> Look {
        self.color = color;
        self
    }
}

/// How consecutive paragraphs are told apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParagraphSeparation {
    /// A first-line indent of this many pt on every paragraph that follows a paragraph
    /// (the classic book style: no indent after headings, lists, kaders).
    Indent(f64),
    /// Vertical space of this many pt between paragraphs and no indent.
    Spacing(f64),
}

/// Look and spacing of one heading level.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadingStyle {
    pub look: Look,
    /// Space above the heading in pt (dropped at the top of a page).
    pub space_before: f64,
    /// Space below the heading in pt.
    pub space_after: f64,
}

/// The costs of Knuth–Plass line breaking; see `linebreak` for what each one does.
#[derive(Clone, Debug, PartialEq)]
pub struct Justification {
    /// Largest badness accepted in the first pass, which does not hyphenate (TeX's
    /// `\pretolerance`). A paragraph that sets well without hyphens keeps all its words whole.
    pub pretolerance: f64,
    /// Largest badness accepted in the second pass, with hyphenation (`\tolerance`).
    pub tolerance: f64,
    /// Extra stretch per line, in em, granted in the third pass (`\emergencystretch`).
    pub emergency_stretch: f64,
    /// Added to every line's badness before squaring (`\linepenalty`): favours fewer lines.
    pub line_penalty: f64,
    /// Penalty of breaking at a hyphenation point (`\hyphenpenalty`).
    pub hyphen_penalty: f64,
    /// Penalty of breaking after an explicit hyphen or a slash (`\exhyphenpenalty`).
    pub explicit_hyphen_penalty: f64,
    /// Demerits for two hyphenated lines in a row (`\doublehyphendemerits`).
    pub double_hyphen_demerits: f64,
    /// Demerits for a hyphen on the second-to-last line (`\finalhyphendemerits`).
    pub final_hyphen_demerits: f64,
    /// Demerits for neighbouring lines of incompatible tightness (`\adjdemerits`).
    pub adjacent_demerits: f64,
    /// Lines to add to (positive) or take from (negative) the optimum (`\looseness`).
    pub looseness: i32,
    /// Hard limit on consecutive hyphenated lines.
    pub max_consecutive_hyphens: usize,
}

impl Default for Justification {
    fn default() -> Self {
        // TeX's plain/LaTeX values, except that hyphens are cheaper than TeX's default of
        // 50 would suggest for Dutch: long compounds ("opvoedingsondersteuning") leave
        // the alternative of a very loose line far more often than English does.
        Justification {
            pretolerance: 100.0,
            tolerance: 200.0,
            emergency_stretch: 1.5,
            line_penalty: 10.0,
            hyphen_penalty: 50.0,
            explicit_hyphen_penalty: 50.0,
            double_hyphen_demerits: 10_000.0,
            final_hyphen_demerits: 5_000.0,
            adjacent_demerits: 10_000.0,
            looseness: 0,
            max_consecutive_hyphens: 2,
        }
    }
}

/// The page geometry and the house style. All lengths in pt (use [`mm`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PageStyle {
    /// Trimmed page width.
    pub trim_width: f64,
    /// Trimmed page height.
    pub trim_height: f64,
    /// Bleed around the trim box on every side.
    pub bleed: f64,
    /// Margin at the spine.
    pub margin_inner: f64,
    /// Margin at the fore-edge.
    pub margin_outer: f64,
    /// Margin from the trim edge to the top of the text area.
    pub margin_top: f64,
    /// Margin from the bottom of the text area to the trim edge.
    pub margin_bottom: f64,
    /// Running text.
    pub body: Look,
    pub paragraph: ParagraphSeparation,
    /// The last line of a paragraph is never shorter than this (pt), unless the paragraph
    /// has only one line.
    pub last_line_min: f64,
    /// Heading levels 1 (chapter title), 2 (section), 3 (subsection), 4 (sub-subsection).
    pub headings: [HeadingStyle; 4],
    /// The chapter number on an opening page.
    pub chapter_number: Look,
    /// The chapter author on an opening page.
    pub chapter_author: Look,
    /// Distance from the top of the text area to the chapter number on an opening.
    pub chapter_sink: f64,
    /// Footnotes at the foot of the page.
    pub footnote: Look,
    /// Tables, captions and other small text.
    pub small: Look,
    /// A table whose columns do not fit at `small` is tried once more at this size.
    pub table_tight: Look,
    /// Captions of figures and tables (the label part is bold).
    pub caption: Look,
    /// Code blocks.
    pub code: Look,
    /// Running heads and folios.
    pub running_head: Look,
    /// Kader titles.
    pub kader_title: Look,
    /// Fill of kaders (a light tint).
    pub kader_fill: Cmyk,
    /// Inner padding of kaders.
    pub kader_padding: f64,
    /// Colour of table rules and the footnote separator.
    pub rule_color: Cmyk,
    /// Accent colour (chapter numbers, kader titles).
    pub accent: Cmyk,
    /// Hyphenate running text.
    pub hyphenate: bool,
    /// Language of paragraphs that do not name their own.
    pub lang: Lang,
    pub justification: Justification,
}

impl Default for PageStyle {
    fn default() -> Self {
        let black = Cmyk::BLACK;
        // Dark teal, the accent of the house style; the kader tint is 12% of it.
        let accent = Cmyk::new(0.85, 0.25, 0.40, 0.30);
        let body = Look::new(Family::Body, 10.0, 13.5);
        let heading = |size: f64, leading: f64, before: f64, after: f64| HeadingStyle {
            look: Look::new(Family::Heading, size, leading).bold(),
            space_before: before,
            space_after: after,
        };
        PageStyle {
            trim_width: mm(170.0),
            trim_height: mm(240.0),
            bleed: mm(3.0),
            margin_inner: mm(22.0),
            margin_outer: mm(28.0),
            margin_top: mm(22.0),
            // 41 lines of 13.5 pt fill the text area exactly: 240 - 22 - 195.3 = 22.7 mm.
            margin_bottom: mm(240.0 - 22.0) - 41.0 * 13.5,
            body: body.clone(),
            paragraph: ParagraphSeparation::Indent(12.0),
            last_line_min: 24.0,
            headings: [
                heading(20.0, 24.0, 0.0, 27.0),
                heading(12.0, 15.0, 20.25, 6.75),
                heading(10.5, 13.5, 13.5, 3.375),
                HeadingStyle {
                    look: Look::new(Family::Heading, 10.0, 13.5).italic(),
                    space_before: 10.125,
                    space_after: 0.0,
                },
            ],
            chapter_number: Look::new(Family::Heading, 36.0, 40.0).bold().color(accent),
            chapter_author: Look::new(Family::Body, 11.0, 14.0).italic(),
            chapter_sink: 54.0,
            footnote: Look::new(Family::Body, 8.0, 10.5),
            small: Look::new(Family::Body, 8.5, 11.0),
            table_tight: Look::new(Family::Body, 7.5, 9.5),
            caption: Look::new(Family::Body, 8.5, 11.0),
            code: Look::new(Family::Mono, 8.0, 11.0),
            running_head: Look::new(Family::Body, 8.5, 11.0).italic(),
            kader_title: Look::new(Family::Heading, 9.5, 13.5).bold().color(accent),
            kader_fill: Cmyk::new(0.12, 0.02, 0.05, 0.0),
            kader_padding: 8.0,
            rule_color: black,
            accent,
            hyphenate: true,
            lang: Lang::Nl,
            justification: Justification::default(),
        }
    }
}

impl PageStyle {
    /// The house style on another trim size (book.yaml `print.trim`): the margins scale
    /// with the page, and the bottom margin is rounded so the text area holds a whole
    /// number of lines.
    pub fn for_trim(width: f64, height: f64) -> PageStyle {
        let base = PageStyle::default();
        let sx = width / base.trim_width;
        let sy = height / base.trim_height;
        let mut s = PageStyle {
            trim_width: width,
            trim_height: height,
            margin_inner: base.margin_inner * sx,
            margin_outer: base.margin_outer * sx,
            margin_top: base.margin_top * sy,
            ..base.clone()
        };
        let room = height - s.margin_top - base.margin_bottom * sy;
        // Round to whole lines (with a little slack for the arithmetic of mm → pt).
        let lines = ((room + 1e-6) / s.body.leading).floor().max(1.0);
        s.margin_bottom = height - s.margin_top - lines * s.body.leading;
        s
    }

    /// Width of the text area.
    pub fn text_width(&self) -> f64 {
        self.trim_width - self.margin_inner - self.margin_outer
    }

    /// Height of the text area.
    pub fn text_height(&self) -> f64 {
        self.trim_height - self.margin_top - self.margin_bottom
    }
}

/// The whole book as the print engine sees it.
#[derive(Clone, Debug, Default)]
pub struct Flow {
    pub style: PageStyle,
    /// Title pages, front-matter texts, chapters and back matter, in reading order.
    pub chapters: Vec<Chapter>,
}

/// Which part of the book a chapter belongs to; it decides the folio style.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Matter {
    /// Roman folios (i, ii, …).
    Front,
    /// Arabic folios, restarting at 1 with the first main-matter chapter.
    #[default]
    Main,
    /// Arabic folios continuing the main matter.
    Back,
}

/// Where a chapter begins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Start {
    /// On the next odd (right-hand) page, inserting a blank page when needed.
    #[default]
    Recto,
    /// On the next page, whichever side it is (a colophon on the back of the title page).
    NextPage,
}

/// A unit that starts on a new page: a chapter, the voorwoord, the title page, the TOC.
/// Chapters are laid out independently (and in parallel).
#[derive(Clone, Debug)]
pub struct Chapter {
    pub matter: Matter,
    pub start: Start,
    /// The chapter opening; `None` for title pages and the colophon.
    pub opening: Option<Opening>,
    /// Running head on verso pages; defaults to the opening title.
    pub running_head: Option<String>,
    /// Whether pages carry running heads and folios (false for the title page and colophon).
    pub folios: bool,
    pub blocks: Vec<Block>,
}

impl Default for Chapter {
    /// A main-matter chapter on a recto with running heads and folios.
    fn default() -> Self {
        Chapter {
            matter: Matter::Main,
            start: Start::Recto,
            opening: None,
            running_head: None,
            folios: true,
            blocks: Vec::new(),
        }
    }
}

/// A chapter opening: number, title and author, set lower on the page.
#[derive(Clone, Debug, Default)]
pub struct Opening {
    /// "3"; `None` for the voorwoord and other unnumbered chapters.
    pub number: Option<String>,
    pub title: Vec<Inline>,
    pub author: Option<String>,
    /// Link target for cross-references, TOC entries and the outline.
    pub anchor: Option<String>,
    pub in_toc: bool,
    pub in_outline: bool,
    /// A short form of the title for the table of contents (LaTeX's optional argument);
    /// the running head is the chapter's `running_head`.
    pub short: Option<String>,
}

/// Where a block comes from, so that warnings can point at the manuscript: its file and
/// the 1-based line and column where it starts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: String,
    pub line: u32,
    pub col: u32,
}

impl Source {
    /// A block that starts at the beginning of `line`.
    pub fn new(file: impl Into<String>, line: u32) -> Source {
        Source::at(file, line, 1)
    }

    pub fn at(file: impl Into<String>, line: u32, col: u32) -> Source {
        Source {
            file: file.into(),
            line,
            col,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// A vertical element of a chapter.
#[derive(Clone, Debug)]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    List(List),
    /// An indented quotation.
    Quote(Vec<Block>),
    Kader(Kader),
    Table(Table),
    Figure(Figure),
    Code(Code),
    /// The table of contents, filled in by the engine.
    Toc(Toc),
    /// Fixed vertical space in pt.
    Space(f64),
    /// Space that takes up whatever is left on the page (for title pages and colophons).
    Fill,
    PageBreak,
}

/// A section heading (levels 2–4; level 1 is the chapter opening).
#[derive(Clone, Debug, Default)]
pub struct Heading {
    pub level: u8,
    /// "3.2"; `None` for unnumbered headings such as "Samenvatting".
    pub number: Option<String>,
    pub title: Vec<Inline>,
    pub anchor: Option<String>,
    pub in_toc: bool,
    pub in_outline: bool,
    pub source: Option<Source>,
    /// A short form of the title for the running head and the table of contents.
    pub short: Option<String>,
}

/// A paragraph of running text.
#[derive(Clone, Debug, Default)]
pub struct Paragraph {
    pub content: Vec<Inline>,
    pub source: Option<Source>,
    /// First-line indent: `None` follows the house style (indent after a paragraph).
    pub indent: Option<bool>,
    pub align: Align,
    /// Hyphenation language; `None` is the flow's language.
    pub lang: Option<Lang>,
    /// A different look (title pages); `None` is running text.
    pub look: Option<Look>,
    /// Hanging indent in pt: every line but the first is indented by this much (entries of
    /// a reference list). Replaces the first-line indent.
    pub hanging: f64,
}

impl Paragraph {
    pub fn new(content: Vec<Inline>) -> Paragraph {
        Paragraph {
            content,
            ..Default::default()
        }
    }

    pub fn with_source(mut self, source: Source) -> Paragraph {
        self.source = Some(source);
        self
    }

    pub fn align(mut self, align: Align) -> Paragraph {
        self.align = align;
        self
    }

    pub fn look(mut self, look: Look) -> Paragraph {
        self.look = Some(look);
        self
    }

    pub fn hanging(mut self, indent: f64) -> Paragraph {
        self.hanging = indent;
        self
    }
}

/// The marker of a list.
#[derive(Clone, Debug, PartialEq)]
pub enum ListMarker {
    /// A bullet glyph chosen by the caller (house style: "■" level 1, "–" level 2).
    Bullet(String),
    /// "1.", "2.", … starting at the given number.
    Numbered { start: u32 },
    /// A label of its own per item (task lists: ☐, ☑).
    Each(Vec<String>),
}

/// An image set in a line of text: as high as the text's capitals unless a width is given.
#[derive(Clone, Debug)]
pub struct InlineImage {
    /// PNG or JPEG bytes.
    pub image: Arc<[u8]>,
    /// Width in pt; `None` scales the image to the line.
    pub width: Option<f64>,
}

/// A bulleted or numbered list with hanging indents.
#[derive(Clone, Debug)]
pub struct List {
    pub marker: ListMarker,
    /// Each item is a sequence of blocks (paragraphs, nested lists).
    pub items: Vec<Vec<Block>>,
}

/// A framed box ("kader") on a tinted background that may break across pages.
#[derive(Clone, Debug, Default)]
pub struct Kader {
    /// "Kader 1.1" (set bold before the title); the caller numbers.
    pub label: Option<String>,
    pub title: Vec<Inline>,
    pub anchor: Option<String>,
    pub blocks: Vec<Block>,
    /// Tint of the frame; `None` is the house tint.
    pub fill: Option<Cmyk>,
    pub source: Option<Source>,
}

/// A caption such as "Figuur 3.1 Het balansmodel": the label is set bold.
#[derive(Clone, Debug, Default)]
pub struct Caption {
    pub label: Option<String>,
    pub text: Vec<Inline>,
}

/// A table in booktabs style: rules above and below and under the header, no verticals.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: Vec<Align>,
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// Set above the table.
    pub caption: Option<Caption>,
    /// The continuation mark ("(vervolg)") set, after the caption's label, above every
    /// part of a table broken across pages but the first; `None` sets no mark.
    pub continued: Option<String>,
    pub anchor: Option<String>,
    pub source: Option<Source>,
}

/// An image with a caption below it.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    /// PNG or JPEG bytes.
    pub image: Arc<[u8]>,
    pub caption: Option<Caption>,
    pub anchor: Option<String>,
    /// Width as a fraction of the text width (1.0 when `None`); the height follows.
    pub width: Option<f64>,
    /// Width in pt, when the manuscript gives a length (it wins over `width`).
    pub width_pt: Option<f64>,
    pub source: Option<Source>,
}

/// Preformatted text in the mono face; lines are never justified.
#[derive(Clone, Debug, Default)]
pub struct Code {
    pub text: String,
    pub source: Option<Source>,
}

/// The table of contents.
#[derive(Clone, Debug)]
pub struct Toc {
    /// Deepest heading level listed (1 = chapters only, 2 = chapters and sections).
    pub depth: u8,
}

impl Default for Toc {
    fn default() -> Self {
        Toc { depth: 2 }
    }
}

/// Where a link goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// An anchor id in this book.
    Anchor(String),
    /// An external URL.
    Url(String),
}

/// A footnote: its marker goes in the text, its blocks at the foot of the page.
#[derive(Clone, Debug, Default)]
pub struct Footnote {
    /// The marker; `None` numbers footnotes per chapter from 1.
    pub marker: Option<String>,
    pub content: Vec<Block>,
}

/// Inline content of paragraphs, headings, captions and cells.
#[derive(Clone, Debug)]
pub enum Inline {
    Text(String),
    /// Emphasis: switches between italic and upright.
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    /// Inline code in the mono face.
    Code(String),
    SmallCaps(Vec<Inline>),
    Superscript(Vec<Inline>),
    Subscript(Vec<Inline>),
    /// Underlined (a rule under the text, spaces included).
    Underline(Vec<Inline>),
    /// Struck through.
    Strike(Vec<Inline>),
    /// Text in another language: hyphenated with that language's patterns, or not at all
    /// (`None`) when the engine has none for it.
    Lang(Option<Lang>, Vec<Inline>),
    /// An image in the line of text.
    Image(InlineImage),
    Link {
        target: Target,
        content: Vec<Inline>,
    },
    Footnote(Footnote),
    /// A named position that links and page references can point at.
    Anchor(String),
    /// The folio of the page an anchor lands on ("zie pagina 12").
    PageRef(String),
    /// A forced line break.
    LineBreak,
}

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text(s.into())
    }

    /// The inlines a styling inline wraps (emphasis, sub- and superscript, a link, a
    /// language), for walks that only care about what is inside.
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::SmallCaps(c)
            | Inline::Superscript(c)
            | Inline::Subscript(c)
            | Inline::Underline(c)
            | Inline::Strike(c)
            | Inline::Lang(_, c)
            | Inline::Link { content: c, .. } => Some(c),
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::Footnote(_)
            | Inline::Anchor(_)
            | Inline::PageRef(_)
            | Inline::LineBreak
            | Inline::Image(_) => None,
        }
    }

    /// The same styling around other content (`None` for a link and for leaves).
    pub fn rewrap(&self, content: Vec<Inline>) -> Option<Inline> {
        Some(match self {
            Inline::Emph(_) => Inline::Emph(content),
            Inline::Strong(_) => Inline::Strong(content),
            Inline::SmallCaps(_) => Inline::SmallCaps(content),
            Inline::Superscript(_) => Inline::Superscript(content),
            Inline::Subscript(_) => Inline::Subscript(content),
            Inline::Underline(_) => Inline::Underline(content),
            Inline::Strike(_) => Inline::Strike(content),
            Inline::Lang(l, _) => Inline::Lang(*l, content),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_text_area_holds_whole_lines() {
        let s = PageStyle::default();
        assert!((s.text_height() / s.body.leading - 41.0).abs() < 1e-9);
        assert!((s.trim_width - 481.89).abs() < 0.01 && (s.trim_height - 680.31).abs() < 0.01);
    }

    #[test]
    fn other_trim_sizes_scale_the_margins() {
        let s = PageStyle::for_trim(mm(155.0), mm(230.0));
        let lines = s.text_height() / s.body.leading;
        assert!((lines - lines.round()).abs() < 1e-9, "{lines}");
        assert!(s.margin_inner < PageStyle::default().margin_inner);
        let same = PageStyle::for_trim(mm(170.0), mm(240.0));
        assert!((same.margin_bottom - PageStyle::default().margin_bottom).abs() < 1e-9);
    }
}
