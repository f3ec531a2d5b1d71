//! render::print: the resolved book as a [`typeset::Flow`] for the print engine, then laid out
//! and written as PDF, in the print edition (PDF/X-4), the screen edition, or both.
//!
//! Both editions come from one layout, so they have the same pages and page numbers; only
//! the colophon differs (the print ISBN in one, the e-book ISBN in the other, on a page of
//! its own, so no other page can move). The book is laid out once; the title page and the
//! colophon of each edition are laid out on their own as well, and the writer swaps the
//! edition's front pages in (see [`Fronts`]). The print edition is then padded with blank
//! pages to an even count, or to whole signatures.
//!
//! This is the only place that knows both the book model and the engine's input: the engine
//! sees styled blocks, never labels or citations. Anchors are `p<part>-<id>` because element ids
//! are unique per part (file), while a PDF has one namespace.

use crate::diag::Diagnostic;
use crate::lang::{Lang, RefKind, capitalize};
use crate::load::Project;
use crate::model::{self, Block, Inline, PartKind, Style, Target};
use crate::parse::plain_text;
use crate::pdf::{Edition, PdfOptions};
use crate::resolve::Book;
use crate::source::Span;
use crate::typeset::document::Position;
use crate::typeset::flow as f;
use crate::typeset::{Document, FontSet, LayoutReport, LinkTarget};
use std::sync::Arc;

/// The PDFs, and the layout's own findings as diagnostics (overfull lines, widows, …).
#[derive(Default)]
pub struct Printed {
    /// One PDF per edition asked for, in that order.
    pub pdfs: Vec<Vec<u8>>,
    /// Pages in the first PDF, blank pages for an even count or a signature included.
    pub pages: usize,
    pub report: LayoutReport,
    pub warnings: Vec<Diagnostic>,
}

/// What the PDFs need that does not depend on the layout, made while the citations are
/// formatted: the book's images, converted for both editions.
#[derive(Default)]
pub struct Prepared {
    images: crate::pdf::Images,
}

/// Decodes and converts the book's images (read and checked by [`crate::images`]) for both
/// editions.
pub fn prepare(files: Vec<Arc<[u8]>>) -> Prepared {
    Prepared {
        images: crate::pdf::Images::prepare(files),
    }
}

impl Prepared {
    /// The images that cannot be decoded, by their place in the files given to [`prepare`].
    pub fn failures(&self) -> impl Iterator<Item = (usize, &str)> {
        self.images.failures()
    }
}

/// Lays the book out once and writes the PDF of each of `editions`. With `only`, the
/// whole book is laid out (so page numbers and page references are those of the full
/// edition) and only that part's pages are written.
pub fn render(
    book: &Book,
    project: &Project,
    stamp: &crate::time::Stamp,
    only: Option<usize>,
    editions: &[Edition],
    prepared: Option<&Prepared>,
) -> Result<Printed, Vec<Diagnostic>> {
    let Some(&first) = editions.first() else {
        return Ok(Printed::default());
    };
    let fonts = fonts(project)?;
    let flow = flow(book, project, first)?;
    let (mut doc, report) = crate::typeset::layout(&flow, &fonts);
    refuse_lost_content(&report, project)?;
    let fronts = match only {
        Some(i) => {
            // A part's pages never include the title page or the colophon.
            doc = keep_part(doc, book, i);
            None
        }
        None => Some(Fronts::lay_out(book, &flow.style, &fonts)),
    };
    let fronts = match fronts {
        Some(f) if !f.fit(&doc, first) => {
            if editions.len() > 1 {
                // The colophons would move the pages after them: one layout per edition.
                return render_apart(book, project, stamp, only, editions, prepared);
            }
            None
        }
        f => f,
    };
    // Both editions embed the same subsets: the glyphs of the book and of both fronts.
    let front_pages = fronts.iter().flat_map(|f| f.print.iter().chain(&f.screen));
    let shared = crate::pdf::Shared::new(
        doc.pages.iter().chain(front_pages),
        &doc.images,
        &fonts,
        editions,
        prepared.map(|p| &p.images),
    );
    // Each edition is the layout's pages with its own front in place of the first pages
    // and, in print, blank pages to fill the last signature. They are written one after
    // the other: their page contents are already compressed in parallel, and writing both
    // at once measured no faster for twice the memory.
    let front_len = fronts.as_ref().map_or(0, |f| f.print.len());
    let padding: Vec<Vec<crate::typeset::Page>> = editions
        .iter()
        .map(|e| {
            if !e.is_print() {
                return Vec::new();
            }
            // A signature only makes sense for the whole book; a chapter is still even.
            let multiple = match only {
                None => project.print.signature.unwrap_or(2).max(2),
                Some(_) => 2,
            };
            blank_pages(&doc.pages, multiple as usize)
        })
        .collect();
    let written: Vec<Result<crate::pdf::PdfOutput, Vec<Diagnostic>>> = editions
        .iter()
        .zip(&padding)
        .map(|(&edition, blank)| {
            let front = fronts.as_ref().map_or(&[][..], |f| f.of(edition));
            let pages: Vec<&crate::typeset::Page> = front
                .iter()
                .chain(&doc.pages[front_len..])
                .chain(blank)
                .collect();
            crate::pdf::write_shared(&doc, &pages, &shared, &pdf_options(book, stamp, edition))
                .map_err(|e| vec![Diagnostic::error("pdf", e.to_string())])
        })
        .collect();
    let pages = doc.pages.len() + padding.first().map_or(0, Vec::len);
    let mut pdfs = Vec::with_capacity(editions.len());
    let mut pdf_warnings = Vec::new();
    for out in written {
        let out = out?;
        pdfs.push(out.bytes);
        pdf_warnings = out.warnings;
    }
    let mut warnings: Vec<Diagnostic> = report
        .warnings
        .iter()
        .map(|w| layout_warning(w, project))
        .collect();
    warnings.extend(
        pdf_warnings
            .into_iter()
            .map(|w| Diagnostic::warning("pdf", w)),
    );
    // Freeing the laid-out pages takes a while; the files can be written meanwhile.
    rayon::spawn(move || drop((doc, flow, fronts, padding)));
    Ok(Printed {
        pdfs,
        pages,
        report,
        warnings,
    })
}

/// A layout that would leave out or cut off content (a table too wide for the page,
/// anything below the text area) is no PDF at all: the errors at their manuscript lines.
fn refuse_lost_content(report: &LayoutReport, project: &Project) -> Result<(), Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = report
        .warnings
        .iter()
        .filter(|w| w.kind.is_error())
        .map(|w| layout_warning(w, project))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// [`render`], one layout per edition.
fn render_apart(
    book: &Book,
    project: &Project,
    stamp: &crate::time::Stamp,
    only: Option<usize>,
    editions: &[Edition],
    prepared: Option<&Prepared>,
) -> Result<Printed, Vec<Diagnostic>> {
    let mut all = Printed::default();
    for e in editions {
        let one = render(
            book,
            project,
            stamp,
            only,
            std::slice::from_ref(e),
            prepared,
        )?;
        all.pdfs.extend(one.pdfs);
        if all.report.pages == 0 {
            all.pages = one.pages;
            all.report = one.report;
            all.warnings = one.warnings;
        }
    }
    Ok(all)
}

/// The title page and colophon of each edition, laid out on their own. They open the
/// book and do not depend on anything after them (no anchors, no page references), so
/// they come out exactly as in a layout of the whole book; when both editions' fronts
/// have as many pages, every later page is the same in both.
struct Fronts {
    print: Vec<crate::typeset::Page>,
    screen: Vec<crate::typeset::Page>,
}

impl Fronts {
    fn lay_out(book: &Book, style: &f::PageStyle, fonts: &FontSet) -> Fronts {
        let pages = |edition| {
            let flow = f::Flow {
                style: style.clone(),
                chapters: front(book, style, edition),
            };
            crate::typeset::layout(&flow, fonts).0.pages
        };
        let (print, screen) = rayon::join(
            || pages(Edition::Print { marks: false }),
            || pages(Edition::Screen),
        );
        Fronts { print, screen }
    }

    fn of(&self, edition: Edition) -> &[crate::typeset::Page] {
        if edition.is_print() {
            &self.print
        } else {
            &self.screen
        }
    }

    /// Whether both fronts have as many pages and `doc`, laid out with the colophon of
    /// `edition`, starts with that edition's front.
    fn fit(&self, doc: &Document, edition: Edition) -> bool {
        let own = self.of(edition);
        self.print.len() == self.screen.len()
            && doc.pages.len() >= own.len()
            && own
                .iter()
                .zip(&doc.pages)
                .all(|(a, b)| a.items == b.items && a.lines == b.lines)
    }
}

/// The PDF metadata of an edition: the ISBN is the one its colophon shows.
fn pdf_options(book: &Book, stamp: &crate::time::Stamp, edition: Edition) -> PdfOptions {
    let m = &book.meta;
    let isbn = match edition {
        Edition::Print { .. } => m.isbn_print.as_deref(),
        Edition::Screen => m.isbn_epub.as_deref(),
    };
    PdfOptions {
        title: match &m.subtitle {
            Some(s) => format!("{}: {s}", m.title),
            None => m.title.clone(),
        },
        author: m.authors.join(", "),
        subject: m.subtitle.clone().unwrap_or_default(),
        keywords: Vec::new(),
        creator: "druk".into(),
        timestamp: stamp.epoch,
        lang: Some(m.lang_tag.clone()),
        identifier: isbn.map(|i| format!("urn:isbn:{}", i.replace('-', ""))),
        edition,
    }
}

/// The blank pages (no running head, no folio) that make the page count a multiple of
/// `multiple`: printers fold sheets into signatures, and a book has an even number of pages.
fn blank_pages(pages: &[crate::typeset::Page], multiple: usize) -> Vec<crate::typeset::Page> {
    let multiple = multiple.max(1);
    let Some(last) = pages.last() else {
        return Vec::new();
    };
    let missing = (multiple - pages.len() % multiple) % multiple;
    (1..=missing)
        .map(|k| crate::typeset::Page {
            folio: crate::typeset::Folio {
                style: last.folio.style,
                number: last.folio.number + k as u32,
            },
            folio_shown: false,
            recto: last.recto == (k % 2 == 0),
            blank: true,
            items: Vec::new(),
            links: Vec::new(),
            lines: Vec::new(),
        })
        .collect()
}

/// Keeps the pages of part `i`, from its opening to the page before the next part's opening.
/// Links to pages that are gone are dropped; the rest are renumbered.
fn keep_part(mut doc: Document, book: &Book, i: usize) -> Document {
    let start_of = |k: usize| {
        book.parts.get(k).and_then(|p| {
            doc.destinations
                .get(&anchor(&Target {
                    part: k,
                    id: p.title.id.clone(),
                }))
                .map(|pos| pos.page)
        })
    };
    let Some(first) = start_of(i) else { return doc };
    let end = ((i + 1)..book.parts.len())
        .find_map(start_of)
        .unwrap_or(doc.pages.len());
    // A blank verso before the next chapter belongs to neither.
    let mut last = end;
    while last > first + 1 && doc.pages[last - 1].blank {
        last -= 1;
    }
    let keep = first..last;
    let shift = |pos: &mut Position| -> bool {
        if keep.contains(&pos.page) {
            pos.page -= first;
            true
        } else {
            false
        }
    };
    doc.pages = doc.pages.drain(keep.clone()).collect();
    for page in &mut doc.pages {
        page.links.retain_mut(|l| match &mut l.target {
            LinkTarget::Internal(pos) => shift(pos),
            LinkTarget::External(_) => true,
        });
    }
    doc.outline.retain_mut(|e| shift(&mut e.dest));
    doc.destinations.retain(|_, pos| shift(pos));
    doc
}

/// The fonts of the house style: `styles/fonts` when the style folder has them, else built in.
fn fonts(project: &Project) -> Result<FontSet, Vec<Diagnostic>> {
    match project
        .styles
        .dir
        .as_ref()
        .map(|d| d.join("fonts"))
        .filter(|d| d.is_dir())
    {
        Some(dir) => FontSet::from_dir(&dir).map_err(|e| vec![font_error(&e, &dir, project)]),
        None => Ok(FontSet::builtin()),
    }
}

/// A font that cannot be used, at the line of `fonts.yaml` that names it (else at its path):
/// never a PDF whose text is there but invisible.
fn font_error(
    e: &crate::typeset::FontError,
    dir: &std::path::Path,
    project: &Project,
) -> Diagnostic {
    use crate::typeset::FontError as E;
    let (path, why) = match e {
        E::Io { path, error } => (path, error.to_string()),
        E::Parse { path, message } | E::Manifest { path, message } => (path, message.clone()),
    };
    let named = path
        .strip_prefix(dir)
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p != "fonts.yaml");
    let at = named.as_ref().and_then(|file| {
        let manifest = project.styles.fonts_manifest?;
        project.sources.find(manifest, 0, file)
    });
    let d = match (&named, e) {
        (Some(file), E::Io { .. }) => {
            Diagnostic::error("fonts", format!("cannot read the font `{file}`: {why}"))
                .label("named here")
                .help("put the font file into the style's fonts folder, or correct its name")
        }
        (Some(file), _) => {
            Diagnostic::error("fonts", format!("the font `{file}` cannot be used: {why}"))
                .label("named here")
                .help("replace it with a good copy of the font file: download or install it again")
        }
        (None, E::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
            return Diagnostic::error("fonts", "the style's fonts folder has no fonts.yaml")
                .in_file(dir.display().to_string())
                .help("fonts.yaml names the font file of each role, body, heading and mono, as druk's own styles/fonts/fonts.yaml does");
        }
        (None, E::Manifest { .. }) => {
            let short = why.split(" at line ").next().unwrap_or(&why);
            Diagnostic::error("fonts", format!("fonts.yaml: {short}"))
        }
        (None, _) => Diagnostic::error("fonts", format!("cannot load the house fonts: {why}")),
    };
    // serde_yaml says where in fonts.yaml it stopped.
    let at = at.or_else(|| {
        let manifest = project.styles.fonts_manifest?;
        let (_, place) = why.rsplit_once(" at line ")?;
        let (line, col) = place.split_once(" column ")?;
        let file = project.sources.get(manifest);
        let offset = file.offset(line.trim().parse().ok()?, col.trim().parse().ok()?);
        Some(Span::new(manifest, offset, offset))
    });
    match at {
        Some(span) => d.at(span),
        None => d.in_file(path.display().to_string()),
    }
}

/// A layout warning at its manuscript line, when the engine knows it.
fn layout_warning(w: &crate::typeset::Warning, project: &Project) -> Diagnostic {
    use crate::typeset::WarningKind as K;
    let code = match w.kind {
        K::OverfullLine => "overfull-line",
        K::Widow => "widow",
        K::Orphan => "orphan",
        K::HeadingAtFoot => "heading-at-foot",
        K::OversizedBlock => "oversized-block",
        K::ForcedBreak => "forced-break",
        K::SplitFootnote => "split-footnote",
        K::MissingGlyph => "missing-glyph",
        K::BadImage => "bad-image",
        K::UnknownAnchor => "unknown-anchor",
        K::DuplicateAnchor => "duplicate-anchor",
        K::UnsettledReferences => "unsettled-references",
        K::TableTooWide => "table-too-wide",
        K::BelowTextArea => "below-text-area",
    };
    let msg = match (&w.page, w.physical) {
        (Some(p), Some(n)) => format!("{} (page {p}, physical page {n})", w.message),
        (Some(p), None) => format!("{} (page {p})", w.message),
        _ => w.message.clone(),
    };
    let mut d = if w.kind.is_error() {
        Diagnostic::error(code, msg)
    } else {
        Diagnostic::warning(code, msg)
    };
    if let Some(h) = &w.help {
        d = d.help(h.clone());
    }
    if let Some(src) = &w.source {
        let found = project
            .sources
            .files()
            .iter()
            .enumerate()
            .find(|(_, s)| s.rel == src.file);
        match found {
            Some((i, s)) => {
                let id = crate::source::FileId(i as u32);
                // The column counts characters, as diagnostics print it.
                let start = s.offset(src.line as usize, 1);
                let at = s.text[start..]
                    .char_indices()
                    .nth(src.col.saturating_sub(1) as usize)
                    .map_or(s.text.len(), |(i, _)| start + i);
                // A missing glyph is pointed at: its first use in the paragraph.
                let at = match w.subject {
                    Some(c) => s.text[at..].find(c).map_or(at, |k| at + k),
                    None => at,
                };
                d = d.at(Span::new(id, at, at));
            }
            None => d = d.in_file(src.to_string()),
        }
    }
    d
}

/// The print house style on the book's trim, with its bleed and language.
fn page_style(project: &Project) -> f::PageStyle {
    let (w, h) = project.print.trim_mm;
    let mut s = f::PageStyle::for_trim(f::mm(w), f::mm(h));
    s.bleed = f::mm(project.print.bleed_mm);
    s.lang = match project.meta.lang {
        Lang::Nl => f::Lang::Nl,
        Lang::En => f::Lang::En,
    };
    s
}

/// The book as the print engine's input, with the colophon of `edition`.
pub fn flow(book: &Book, project: &Project, edition: Edition) -> Result<f::Flow, Vec<Diagnostic>> {
    let style = page_style(project);
    let mut conv = Converter {
        book,
        project,
        diags: Vec::new(),
        part: 0,
        note_seen: Vec::new(),
        text_width: style.text_width(),
        body_size: style.body.size,
        lang: None,
    };
    let mut chapters = front(book, &style, edition);
    chapters.push(toc(book));
    for (i, part) in book.parts.iter().enumerate() {
        conv.part = i;
        conv.note_seen = vec![false; part.footnotes.len()];
        chapters.push(conv.chapter(part));
    }
    if conv.diags.is_empty() {
        Ok(f::Flow { style, chapters })
    } else {
        Err(conv.diags)
    }
}

/// The title page and, on its back, the colophon of `edition`.
fn front(book: &Book, style: &f::PageStyle, edition: Edition) -> Vec<f::Chapter> {
    vec![title_page(book, style), colophon(book, style, edition)]
}

fn para(text: impl Into<String>) -> f::Paragraph {
    f::Paragraph::new(vec![f::Inline::text(text)])
}

fn title_page(book: &Book, style: &f::PageStyle) -> f::Chapter {
    let m = &book.meta;
    let title_look = f::Look::new(f::Family::Heading, 24.0, 30.0).bold();
    let sub_look = f::Look::new(f::Family::Heading, 13.0, 18.0);
    let mut blocks = vec![f::Block::Space(96.0)];
    if !m.authors.is_empty() {
        blocks.push(f::Block::Paragraph(
            para(m.authors.join(", "))
                .align(f::Align::Center)
                .look(style.chapter_author.clone()),
        ));
        blocks.push(f::Block::Space(36.0));
    }
    blocks.push(f::Block::Paragraph(
        para(m.title.clone())
            .align(f::Align::Center)
            .look(title_look),
    ));
    if let Some(s) = &m.subtitle {
        blocks.push(f::Block::Space(12.0));
        blocks.push(f::Block::Paragraph(
            para(s.clone()).align(f::Align::Center).look(sub_look),
        ));
    }
    blocks.push(f::Block::Fill);
    if let Some(p) = &m.publisher {
        blocks.push(f::Block::Paragraph(para(p.clone()).align(f::Align::Center)));
    }
    f::Chapter {
        matter: f::Matter::Front,
        start: f::Start::Recto,
        opening: None,
        running_head: None,
        folios: false,
        blocks,
    }
}

/// The colophon on the back of the title page: the print ISBN in the print edition, the
/// e-book ISBN in the screen edition (a PDF sold as an e-book carries that one).
fn colophon(book: &Book, style: &f::PageStyle, edition: Edition) -> f::Chapter {
    let mut blocks = vec![f::Block::Fill];
    let (isbn, ebook) = match edition {
        Edition::Print { .. } => (book.meta.isbn_print.as_deref(), false),
        Edition::Screen => (book.meta.isbn_epub.as_deref(), true),
    };
    for line in super::epub::colophon_lines(book, isbn, ebook) {
        blocks.push(f::Block::Paragraph(
            para(line).look(style.small.clone()).align(f::Align::Left),
        ));
        blocks.push(f::Block::Space(4.0));
    }
    f::Chapter {
        matter: f::Matter::Front,
        start: f::Start::NextPage,
        opening: None,
        running_head: None,
        folios: false,
        blocks,
    }
}

fn toc(book: &Book) -> f::Chapter {
    f::Chapter {
        matter: f::Matter::Front,
        start: f::Start::Recto,
        opening: Some(f::Opening {
            number: None,
            title: vec![f::Inline::text(book.meta.lang.contents())],
            author: None,
            anchor: Some("inhoud".into()),
            in_toc: false,
            in_outline: true,
            short: None,
        }),
        running_head: None,
        folios: true,
        blocks: vec![f::Block::Toc(f::Toc { depth: 2 })],
    }
}

struct Converter<'a> {
    book: &'a Book,
    project: &'a Project,
    diags: Vec<Diagnostic>,
    part: usize,
    /// Which footnotes have had their text placed (a second reference only repeats the mark).
    note_seen: Vec<bool>,
    /// The text width in pt, for image widths given as a share of it.
    text_width: f64,
    /// The size of running text in pt, for widths in em.
    body_size: f64,
    /// Inside a div in another language (`::: {lang=en}`): that language.
    lang: Option<Option<f::Lang>>,
}

/// The hyphenation language of a BCP 47 tag: `None` for a language the engine has no
/// patterns for.
fn hyphenation_lang(tag: &str) -> Option<f::Lang> {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "nl" => Some(f::Lang::Nl),
        "en" => Some(f::Lang::En),
        _ => None,
    }
}

fn anchor(t: &Target) -> String {
    format!("p{}-{}", t.part, t.id)
}

impl Converter<'_> {
    fn lang(&self) -> Lang {
        self.book.meta.lang
    }

    fn here(&self, id: &str) -> String {
        anchor(&Target {
            part: self.part,
            id: id.to_string(),
        })
    }

    fn source(&self, span: Span) -> Option<f::Source> {
        let file = self.project.sources.get(span.file);
        let (line, col) = file.line_col(span.start as usize);
        Some(f::Source::at(file.rel.clone(), line as u32, col as u32))
    }

    fn chapter(&mut self, part: &model::Part) -> f::Chapter {
        let matter = match part.kind {
            PartKind::Front => f::Matter::Front,
            PartKind::Chapter => f::Matter::Main,
            PartKind::Back | PartKind::Bibliography => f::Matter::Back,
        };
        let title = self.inlines(&part.title.content);
        let opening = f::Opening {
            number: part.title.number.clone(),
            title,
            author: part.author.clone(),
            anchor: Some(self.here(&part.title.id)),
            in_toc: true,
            in_outline: true,
            short: part.title.short.clone(),
        };
        let blocks = self.blocks(&part.blocks, 0);
        f::Chapter {
            matter,
            start: f::Start::Recto,
            opening: Some(opening),
            running_head: Some(
                part.title
                    .short
                    .clone()
                    .unwrap_or_else(|| plain_text(&part.title.content)),
            ),
            folios: true,
            blocks,
        }
    }

    fn blocks(&mut self, blocks: &[Block], list_depth: usize) -> Vec<f::Block> {
        let mut out = Vec::new();
        for b in blocks {
            self.block(b, list_depth, &mut out);
        }
        out
    }

    fn block(&mut self, b: &Block, list_depth: usize, out: &mut Vec<f::Block>) {
        match b {
            Block::Heading(h) => out.push(f::Block::Heading(f::Heading {
                level: h.level.clamp(2, 4),
                number: h.number.clone(),
                title: self.inlines(&h.content),
                anchor: Some(self.here(&h.id)),
                in_toc: h.level <= 2,
                in_outline: h.level <= 3,
                source: self.source(h.span),
                short: h.short.clone(),
            })),
            Block::Paragraph(inl, span) => {
                let mut content = self.inlines(inl);
                if let Some(lang) = self.lang {
                    content = vec![f::Inline::Lang(lang, content)];
                }
                let mut p = f::Paragraph::new(content);
                p.source = self.source(*span);
                out.push(f::Block::Paragraph(p));
            }
            Block::List(l) => {
                // House style: ■ on the first level, – on the second, • deeper.
                let bullet = match list_depth {
                    0 => "■",
                    1 => "–",
                    _ => "•",
                };
                let marker = match l.ordered {
                    _ if l.tasks.iter().any(Option::is_some) => f::ListMarker::Each(
                        l.tasks
                            .iter()
                            .map(|t| match t {
                                Some(true) => "☑".into(),
                                Some(false) => "☐".into(),
                                None => bullet.into(),
                            })
                            .collect(),
                    ),
                    Some(start) => f::ListMarker::Numbered { start },
                    None => f::ListMarker::Bullet(bullet.into()),
                };
                let items = l
                    .items
                    .iter()
                    .map(|it| self.blocks(it, list_depth + 1))
                    .collect();
                out.push(f::Block::List(f::List { marker, items }));
            }
            Block::Quote(bs) => out.push(f::Block::Quote(self.blocks(bs, list_depth))),
            Block::Div(d) => {
                let outer = self.lang;
                if let Some(tag) = &d.lang {
                    self.lang = Some(hyphenation_lang(tag));
                }
                for b in &d.blocks {
                    self.block(b, list_depth, out);
                }
                self.lang = outer;
            }
            Block::Definitions(defs) => {
                // A term in bold, its definitions hung under it like list items without labels.
                for d in defs {
                    let mut term =
                        f::Paragraph::new(vec![f::Inline::Strong(self.inlines(&d.term))]);
                    term.indent = Some(false);
                    out.push(f::Block::Paragraph(term));
                    let items: Vec<Vec<f::Block>> = d
                        .details
                        .iter()
                        .map(|b| self.blocks(b, list_depth + 1))
                        .collect();
                    out.push(f::Block::List(f::List {
                        marker: f::ListMarker::Each(vec![String::new(); items.len()]),
                        items,
                    }));
                }
            }
            Block::Kader(k) => {
                let label = k
                    .number
                    .as_ref()
                    .map(|n| format!("{} {n}", capitalize(self.lang().term(RefKind::Kader))));
                out.push(f::Block::Kader(f::Kader {
                    label,
                    title: k
                        .title
                        .as_deref()
                        .map(|t| self.inlines(t))
                        .unwrap_or_default(),
                    anchor: k.label.as_ref().map(|l| self.here(&l.name)),
                    blocks: self.blocks(&k.blocks, 0),
                    fill: None,
                    source: self.source(k.span),
                }))
            }
            Block::Table(t) => {
                let columns = t
                    .align
                    .iter()
                    .map(|a| match a {
                        model::Align::Right => f::Align::Right,
                        model::Align::Center => f::Align::Center,
                        _ => f::Align::Left,
                    })
                    .collect();
                let caption = (t.caption.is_some() || t.number.is_some()).then(|| f::Caption {
                    label: t
                        .number
                        .as_ref()
                        .map(|n| format!("{} {n}", capitalize(self.lang().term(RefKind::Table)))),
                    text: t
                        .caption
                        .as_deref()
                        .map(|c| self.inlines(c))
                        .unwrap_or_default(),
                });
                out.push(f::Block::Table(f::Table {
                    columns,
                    header: t.header.iter().map(|c| self.inlines(c)).collect(),
                    rows: t
                        .rows
                        .iter()
                        .map(|r| r.iter().map(|c| self.inlines(c)).collect())
                        .collect(),
                    caption,
                    continued: Some(format!("({})", self.lang().continued())),
                    anchor: t.label.as_ref().map(|l| self.here(&l.name)),
                    source: self.source(t.span),
                }))
            }
            Block::Figure(fig) => {
                let Some(image) = self.image(&fig.src, fig.span) else {
                    return;
                };
                let caption =
                    (!fig.caption.is_empty() || fig.number.is_some()).then(|| f::Caption {
                        label: fig.number.as_ref().map(|n| {
                            format!("{} {n}", capitalize(self.lang().term(RefKind::Figure)))
                        }),
                        text: self.inlines(&fig.caption),
                    });
                out.push(f::Block::Figure(f::Figure {
                    image,
                    caption,
                    anchor: fig.label.as_ref().map(|l| self.here(&l.name)),
                    width: match fig.width {
                        Some(model::Width::Share(s)) => Some(s),
                        _ => None,
                    },
                    width_pt: match fig.width {
                        Some(model::Width::Points(pt)) => Some(pt),
                        Some(model::Width::Em(em)) => Some(em * self.body_size),
                        _ => None,
                    },
                    source: self.source(fig.span),
                }))
            }
            Block::Code(c) => {
                if let Some(cap) = &c.caption {
                    // A listing's caption stands above it, as a table's does.
                    let mut content = Vec::new();
                    if let Some(id) = &c.id {
                        content.push(f::Inline::Anchor(self.here(id)));
                    }
                    content.push(f::Inline::Emph(vec![f::Inline::Text(cap.clone())]));
                    let mut p = f::Paragraph::new(content).align(f::Align::Left);
                    p.indent = Some(false);
                    out.push(f::Block::Paragraph(p));
                }
                out.push(f::Block::Code(f::Code {
                    text: c.text.trim_end_matches('\n').to_string(),
                    source: None,
                }))
            }
            // A thematic break is a blank line in print.
            Block::Rule => out.push(f::Block::Space(13.5)),
            Block::References(refs) => {
                for r in refs {
                    let mut content = vec![f::Inline::Anchor(self.here(&r.id))];
                    content.extend(self.inlines(&r.content));
                    // APA: a hanging indent of about 1.27 cm (here 18 pt), ragged right
                    // because URLs and DOIs do not justify.
                    let mut p = f::Paragraph::new(content)
                        .align(f::Align::Left)
                        .hanging(18.0);
                    p.indent = Some(false);
                    out.push(f::Block::Paragraph(p));
                    out.push(f::Block::Space(3.0));
                }
            }
        }
    }

    fn image(&mut self, src: &str, span: Span) -> Option<Arc<[u8]>> {
        match self.book.images.get(src) {
            Some(img) => Some(img.bytes.clone()),
            None => {
                // Reported where the book was checked; a PDF never leaves a figure out silently.
                self.diags.push(
                    Diagnostic::error("image", format!("image `{src}` could not be used")).at(span),
                );
                None
            }
        }
    }

    fn inlines(&mut self, v: &[Inline]) -> Vec<f::Inline> {
        let mut out = Vec::with_capacity(v.len());
        for i in v {
            match i {
                Inline::Text(t) => out.push(f::Inline::Text(t.clone())),
                Inline::LineBreak => out.push(f::Inline::LineBreak),
                Inline::Styled(s, c) => {
                    let inner = self.inlines(c);
                    out.push(match s {
                        Style::Emph => f::Inline::Emph(inner),
                        Style::Strong => f::Inline::Strong(inner),
                        Style::Superscript => f::Inline::Superscript(inner),
                        Style::Subscript => f::Inline::Subscript(inner),
                        Style::Strike => f::Inline::Strike(inner),
                        Style::Underline => f::Inline::Underline(inner),
                        Style::SmallCaps => f::Inline::SmallCaps(inner),
                    })
                }
                Inline::Span(a, c) => {
                    let inner = self.inlines(c);
                    if let Some(id) = &a.id {
                        out.push(f::Inline::Anchor(self.here(id)));
                    }
                    match &a.lang {
                        Some(tag) => out.push(f::Inline::Lang(hyphenation_lang(tag), inner)),
                        None => out.extend(inner),
                    }
                }
                Inline::Code(c) => out.push(f::Inline::Code(c.clone())),
                Inline::Link { url, content, .. } => {
                    let content = self.inlines(content);
                    let target = match url.strip_prefix('#').and_then(|l| self.book.labels.get(l)) {
                        Some(t) => f::Target::Anchor(anchor(&t.target)),
                        None => f::Target::Url(url.clone()),
                    };
                    out.push(f::Inline::Link { target, content });
                }
                Inline::Image {
                    src, width, span, ..
                } => {
                    if let Some(image) = self.image(src, *span) {
                        out.push(f::Inline::Image(f::InlineImage {
                            image,
                            width: width.map(|w| match w {
                                model::Width::Share(s) => s * self.text_width,
                                model::Width::Points(pt) => pt,
                                model::Width::Em(em) => em * self.body_size,
                            }),
                        }));
                    }
                }
                Inline::FootnoteRef(ix) => {
                    let part = &self.book.parts[self.part];
                    let n = ix + 1;
                    if self.note_seen.get(*ix).copied().unwrap_or(true) {
                        out.push(f::Inline::Superscript(vec![f::Inline::Text(n.to_string())]));
                    } else {
                        self.note_seen[*ix] = true;
                        let content = self.blocks(&part.footnotes[*ix].blocks.clone(), 0);
                        out.push(f::Inline::Footnote(f::Footnote {
                            marker: Some(n.to_string()),
                            content,
                        }));
                    }
                }
                Inline::CrossRef(r) => match (&r.resolved, &r.target) {
                    (Some(res), _) => out.push(f::Inline::Link {
                        target: f::Target::Anchor(anchor(&res.target)),
                        content: vec![f::Inline::Text(res.text.clone())],
                    }),
                    (None, model::RefTarget::Spelled { text, .. }) => {
                        out.push(f::Inline::Text(text.clone()))
                    }
                    (None, model::RefTarget::Label { name, .. }) => {
                        out.push(f::Inline::Text(format!("@{name}")))
                    }
                },
                Inline::Citation(c) => match &c.rendered {
                    Some(r) => out.extend(self.inlines(r)),
                    None => out.push(f::Inline::Text(super::xhtml::raw_citation(c))),
                },
                Inline::Internal { target, content } => {
                    let content = self.inlines(content);
                    out.push(f::Inline::Link {
                        target: f::Target::Anchor(anchor(target)),
                        content,
                    });
                }
            }
        }
        out
    }
}
