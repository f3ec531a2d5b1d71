//! The corpus's content, independent of any output syntax.
//!
//! The book is generated once into these types and then written three times (druk's book
//! folder, one Pandoc Markdown file, one Typst file), so that every tool in the benchmark
//! gets the same words, the same structure and the same references.

/// A whole generated book.
pub struct Book {
    pub meta: Meta,
    /// Voorwoord and Inleiding: unnumbered, before chapter 1.
    pub front: Vec<Part>,
    pub chapters: Vec<Part>,
    pub bibliography: Vec<crate::bib::Entry>,
    pub images: Vec<Image>,
}

pub struct Meta {
    pub title: String,
    pub subtitle: String,
    pub authors: Vec<String>,
    pub edition: u32,
    pub publisher: String,
    pub year: i32,
    pub isbn_print: String,
    pub isbn_epub: String,
}

/// One source file: a front part or a chapter.
pub struct Part {
    /// Path inside the druk book folder, e.g. `hoofdstukken/03-….md`.
    pub file: String,
    pub title: String,
    /// The chapter's label (`sec-…`); front matter has none.
    pub id: Option<String>,
    pub number: Option<u32>,
    /// A chapter by someone other than the book's authors.
    pub author: Option<String>,
    pub blocks: Vec<Block>,
}

pub enum Block {
    Heading(Heading),
    Para(Vec<Inline>),
    List(List),
    Kader(Kader),
    Table(Table),
    Figure(Figure),
    Quote(Vec<Inline>),
}

pub struct Heading {
    /// 2 = section, 3 = subsection, 4 = sub-subsection (the chapter title is the part's).
    pub level: u8,
    pub title: String,
    /// Every heading has an id, so the Pandoc and Typst versions can link to any of them;
    /// the druk source shows it as `{#…}` only when `labelled`, as an author would.
    pub id: String,
    pub labelled: bool,
    /// "3.2.1", or `None` for `{-}` headings.
    pub number: Option<String>,
}

pub struct List {
    pub ordered: bool,
    pub items: Vec<ListItem>,
}

pub struct ListItem {
    pub text: Vec<Inline>,
    /// A nested second-level list (always bullets).
    pub sub: Vec<Vec<Inline>>,
}

/// A framed box; numbered per chapter when it has a label, like in druk.
pub struct Kader {
    pub id: Option<String>,
    pub number: Option<String>,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    pub id: String,
    pub number: String,
    pub caption: String,
    pub header: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

pub struct Figure {
    pub id: String,
    pub number: String,
    pub caption: String,
    /// File name inside `afbeeldingen/`.
    pub image: String,
}

/// A PNG shared by the three versions of the book.
pub struct Image {
    pub name: String,
    pub png: Vec<u8>,
}

pub enum Inline {
    Text(String),
    Emph(String),
    Strong(String),
    Cite(Cite),
    Ref(Ref),
    /// A footnote; the druk and Pandoc writers number it, Typst keeps it inline.
    Note(Vec<Inline>),
}

pub struct Cite {
    pub items: Vec<CiteItem>,
    /// `@key` in running text ("Jansen (2019)") instead of `[@key]`.
    pub narrative: bool,
}

pub struct CiteItem {
    pub key: String,
    /// "p. 12"
    pub locator: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Chapter,
    Section,
    Table,
    Kader,
    Figure,
}

impl Kind {
    /// The Dutch word druk prints before the number, and the one a manuscript spells out.
    pub fn term(self) -> &'static str {
        match self {
            Kind::Chapter => "hoofdstuk",
            Kind::Section => "paragraaf",
            Kind::Table => "tabel",
            Kind::Kader => "kader",
            Kind::Figure => "figuur",
        }
    }
}

/// How a cross-reference is written in the druk source.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RefStyle {
    /// `@sec-x`: druk prints "paragraaf 3.2.1".
    Label,
    /// `[-@sec-x]`: druk prints "3.2.1".
    NumberOnly,
    /// "paragraaf 3.2.1" typed out, as in legacy manuscripts; druk checks and links it.
    Spelled,
}

pub struct Ref {
    pub kind: Kind,
    pub id: String,
    pub number: String,
    pub style: RefStyle,
    /// At the start of a sentence: "Paragraaf 3.2.1 laat zien …".
    pub cap: bool,
}

impl Ref {
    /// The text every tool should print for this reference.
    pub fn printed(&self) -> String {
        match self.style {
            RefStyle::NumberOnly => self.number.clone(),
            _ => {
                let term = self.kind.term();
                let term = if self.cap {
                    crate::prose::capitalize(term)
                } else {
                    term.to_string()
                };
                format!("{term} {}", self.number)
            }
        }
    }
}
