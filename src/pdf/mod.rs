//! Writes a laid-out [`Document`] as PDF, in one of two editions.
//!
//! * **Print** ([`Edition::Print`]): PDF/X-4 for the printer. Pages are trim plus bleed
//!   (plus room for crop marks when asked), every colour DeviceCMYK or DeviceGray (text
//!   0/0/0/100), images separated to CMYK through the FOGRA39 output intent and flattened
//!   onto white, no link annotations (PDF/X allows none on the page), an OutputIntent and
//!   XMP that identify the file as PDF/X-4.
//! * **Screen** ([`Edition::Screen`]): the same pages cut to the trim, in RGB, with every
//!   cross-reference, TOC line, footnote marker and URL a live link.
//!
//! The engine has already positioned every glyph, so the writer is a direct one on top of
//! lopdf's object model:
//!
//! 1. [`Shared`] holds what both editions of one layout use: each face subset with
//!    `subsetter` to the glyphs used (`font`), and each image decoded and flattened
//!    once, then converted and compressed for every edition to be written (`image`).
//! 2. Each page's content stream is written as bytes (`content`) and compressed, pages in
//!    parallel, and dropped to its compressed form at once.
//! 3. `catalog` adds the outline, named destinations, page labels, Info and `/ID`; `pdfx`
//!    the XMP and, for print, the OutputIntent; `marks` the sheet geometry and crop marks.
//!
//! Resource names (`F1`, `Im1`) come from face ids and image order, and objects are
//! numbered in a fixed order, so the output is byte-identical across runs.

mod catalog;
mod colour;
mod content;
mod font;
mod image;
mod marks;
mod pdfx;
pub mod svg;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use rayon::prelude::*;

use crate::typeset::{Document, FontId, FontSet, LinkTarget, Page};

pub use image::MAX_DECODED;
pub use marks::Geometry;

/// Which PDF to make of a laid-out document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    /// PDF/X-4 for the printer; `marks` adds crop marks outside the bleed.
    Print { marks: bool },
    /// For reading on screen: trim-size pages, RGB, live links.
    Screen,
}

impl Default for Edition {
    fn default() -> Self {
        Edition::Print { marks: false }
    }
}

impl Edition {
    pub fn is_print(self) -> bool {
        matches!(self, Edition::Print { .. })
    }

    /// Where the trimmed pages of `doc` sit on the sheets of this edition.
    pub fn geometry(self, doc: &Document) -> Geometry {
        match self {
            Edition::Print { marks } => {
                Geometry::print(doc.trim_width, doc.trim_height, doc.bleed, marks)
            }
            Edition::Screen => Geometry::screen(doc.trim_width, doc.trim_height),
        }
    }
}

/// Document metadata and the fixed time of the build.
#[derive(Clone, Debug, Default)]
pub struct PdfOptions {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// The application that made the source ("druk").
    pub creator: String,
    /// Creation and modification time in seconds since the Unix epoch; pass the value of
    /// `SOURCE_DATE_EPOCH` so that builds are reproducible.
    pub timestamp: i64,
    /// Document language for the catalog, e.g. "nl-NL".
    pub lang: Option<String>,
    /// The book's identifier for the XMP, e.g. "urn:isbn:9789000000005".
    pub identifier: Option<String>,
    pub edition: Edition,
}

/// A written PDF and what went wrong along the way.
#[derive(Clone, Debug)]
pub struct PdfOutput {
    pub bytes: Vec<u8>,
    pub warnings: Vec<String>,
}

/// Why no PDF could be written.
#[derive(Debug)]
pub enum PdfError {
    /// lopdf could not serialise the document.
    Write(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Write(m) => write!(f, "cannot write PDF: {m}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// What the editions of one layout share: the fonts subset to the glyphs of all of them,
/// compressed once, and the images, decoded once and ready to write in each edition.
pub struct Shared {
    /// By face id; `None` for a face no page uses.
    fonts: Vec<Option<font::Embedded>>,
    /// By image index; `None` for an image that cannot be decoded.
    images: Vec<Option<Xobjects>>,
    warnings: Vec<String>,
}

/// A figure's XObject: a raster image, or an SVG as a form with the objects it uses.
#[derive(Clone)]
enum XObject {
    Image(Stream),
    Form(svg::Form),
}

impl XObject {
    fn add_to(&self, lo: &mut lopdf::Document) -> ObjectId {
        match self {
            XObject::Image(s) => lo.add_object(s.clone()),
            XObject::Form(f) => f.add_to(lo),
        }
    }
}

/// An image as an XObject for print and for the screen, each only when that edition is
/// to be written.
#[derive(Clone)]
struct Xobjects {
    print: Option<XObject>,
    screen: Option<XObject>,
}

impl Xobjects {
    fn of(&self, edition: Edition) -> Option<&XObject> {
        match edition {
            Edition::Print { .. } => self.print.as_ref(),
            Edition::Screen => self.screen.as_ref(),
        }
    }
}

/// Images decoded, converted for both editions and compressed before the layout is done:
/// they do not depend on it. Found again by their bytes.
#[derive(Default)]
pub struct Images(Vec<(std::sync::Arc<[u8]>, Converted)>);

/// An image for the editions, or why it cannot be decoded.
type Converted = Result<Xobjects, String>;

impl Images {
    pub fn prepare(files: Vec<std::sync::Arc<[u8]>>) -> Images {
        let both = [Edition::Print { marks: false }, Edition::Screen];
        let converted: Vec<_> = files.par_iter().map(|b| xobjects(b, &both)).collect();
        Images(files.into_iter().zip(converted).collect())
    }

    /// The images that cannot be decoded, by their place in `prepare`'s files, with why.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &str)> {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(i, (_, x))| x.as_ref().err().map(|e| (i, e.as_str())))
    }

    fn get(&self, bytes: &[u8]) -> Option<&Converted> {
        self.0.iter().find(|(b, _)| **b == *bytes).map(|(_, x)| x)
    }
}

/// An image for the given editions, or why it cannot be decoded.
fn xobjects(bytes: &[u8], editions: &[Edition]) -> Converted {
    let print = editions.iter().any(|e| e.is_print());
    let screen = editions.iter().any(|e| !e.is_print());
    if svg::is_svg(bytes) {
        let form = |cmyk| svg::convert(bytes, cmyk).map(XObject::Form);
        return Ok(Xobjects {
            print: print.then(|| form(true)).transpose()?,
            screen: screen.then(|| form(false)).transpose()?,
        });
    }
    image::decode(bytes).map(|d| {
        let xobject = |cmyk| XObject::Image(image::convert(&d, cmyk).xobject());
        Xobjects {
            print: print.then(|| xobject(true)),
            screen: screen.then(|| xobject(false)),
        }
    })
}

impl Shared {
    /// Prepares the fonts used on `pages` and the document's images for `editions`, taking
    /// the images from `prepared` where it has them. Pass the pages of every edition that
    /// will be written with it.
    pub fn new<'a>(
        pages: impl IntoIterator<Item = &'a Page>,
        images: &[std::sync::Arc<[u8]>],
        fonts: &FontSet,
        editions: &[Edition],
        prepared: Option<&Images>,
    ) -> Shared {
        let used = font::used_glyphs(pages, fonts);
        let (embedded, images) = rayon::join(
            || {
                (0..fonts.len())
                    .into_par_iter()
                    .map(|i| {
                        let id = FontId(i as u16);
                        let glyphs = &used[i];
                        // Before the face: asking for a fallback face reads its file.
                        if glyphs.iter().all(Option::is_none) {
                            return None;
                        }
                        let face = fonts.face(id);
                        Some(
                            font::Embedded::new(id, face, glyphs)
                                .map_err(|e| format!("font {}: {e}", face.name)),
                        )
                    })
                    .collect::<Vec<_>>()
            },
            || {
                // Decoded pixels are large: each image is converted and compressed for
                // every edition at once, and only the compressed streams are kept.
                images
                    .par_iter()
                    .map(|bytes| match prepared.and_then(|p| p.get(bytes)) {
                        Some(done) => done.clone(),
                        None => xobjects(bytes, editions),
                    })
                    .collect::<Vec<_>>()
            },
        );
        let mut warnings = Vec::new();
        let fonts = embedded
            .into_iter()
            .map(|f| match f {
                Some(Ok(f)) => Some(f),
                Some(Err(e)) => {
                    warnings.push(e);
                    None
                }
                None => None,
            })
            .collect();
        let images = images
            .into_iter()
            .enumerate()
            .map(|(i, img)| match img {
                Ok(x) => Some(x),
                Err(e) => {
                    warnings.push(format!("image {}: cannot decode: {e}", i + 1));
                    None
                }
            })
            .collect();
        Shared {
            fonts,
            images,
            warnings,
        }
    }
}

/// Writes the document. Fonts come from the same set the document was laid out with.
/// Starts, in the background, the work every PDF of the process shares and that does not
/// depend on the book: reading the output intent profile into colour transforms and
/// compressing it. A build calls it first, so this runs while the book is checked.
pub fn prefetch() {
    std::thread::spawn(|| {
        colour::transforms();
        pdfx::packed_profile();
    });
}

pub fn write_pdf(
    doc: &Document,
    fonts: &FontSet,
    opts: &PdfOptions,
) -> Result<PdfOutput, PdfError> {
    let shared = Shared::new(&doc.pages, &doc.images, fonts, &[opts.edition], None);
    let pages: Vec<&Page> = doc.pages.iter().collect();
    write_shared(doc, &pages, &shared, opts)
}

/// Writes `pages` (those of `doc`, or an edition's version of them) with fonts and images
/// prepared for them (and perhaps for the other edition of the same layout).
pub fn write_shared(
    doc: &Document,
    pages: &[&Page],
    shared: &Shared,
    opts: &PdfOptions,
) -> Result<PdfOutput, PdfError> {
    let print = opts.edition.is_print();
    let geo = opts.edition.geometry(doc);
    let mut lo = lopdf::Document::with_version("1.6");
    let pages_id = lo.new_object_id();

    // Resources, one dictionary for every page.
    let mut font_dict = Dictionary::new();
    for f in shared.fonts.iter().flatten() {
        let id = f.add_to(&mut lo);
        font_dict.set(f.resource.as_bytes().to_vec(), Object::Reference(id));
    }
    let mut image_dict = Dictionary::new();
    let mut image_names = Vec::with_capacity(shared.images.len());
    for (i, img) in shared.images.iter().enumerate() {
        let xobject = img.as_ref().and_then(|x| x.of(opts.edition));
        image_names.push(xobject.map(|x| {
            let name = format!("Im{}", i + 1);
            let id = x.add_to(&mut lo);
            image_dict.set(name.as_bytes().to_vec(), Object::Reference(id));
            name
        }));
    }
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(font_dict));
    if !image_dict.is_empty() {
        resources.set("XObject", Object::Dictionary(image_dict));
    }
    if geo.marks {
        let mut spaces = Dictionary::new();
        spaces.set("CSAll", Object::Reference(marks::registration(&mut lo)));
        resources.set("ColorSpace", Object::Dictionary(spaces));
    }
    let resources = lo.add_object(resources);

    // Page contents, in parallel, each compressed as soon as it is written; on the screen,
    // the page's link annotations beside it.
    let page_ids: Vec<ObjectId> = pages.iter().map(|_| lo.new_object_id()).collect();
    let fonts: Vec<Option<&font::Embedded>> = shared.fonts.iter().map(Option::as_ref).collect();
    let res = content::Resources {
        fonts: &fonts,
        images: &image_names,
    };
    let marks = geo.marks.then(|| geo.marks_content());
    let contents: Vec<(Stream, u64, Vec<Dictionary>)> = pages
        .par_iter()
        .map(|page| {
            let mut bytes = content::page(page, opts.edition, &geo, &res);
            if let Some(m) = &marks {
                // The page inside q … Q, so no state it leaves behind can shift the marks.
                bytes.splice(0..0, *b"q\n");
                bytes.extend_from_slice(b"Q\n");
                bytes.extend_from_slice(m.as_bytes());
            }
            let mut h = catalog::Fnv::new();
            h.write(&bytes);
            // PDF/X forbids link annotations on the page: links belong to the screen edition.
            let links = match print {
                true => Vec::new(),
                false => page
                    .links
                    .iter()
                    .map(|l| link(l, &geo, &page_ids))
                    .collect(),
            };
            (stream(Dictionary::new(), &bytes), h.finish(), links)
        })
        .collect();

    // Pages, with the boxes of the edition and, on the screen, the links.
    let mut hashes = Vec::with_capacity(contents.len());
    for ((content, hash, links), &id) in contents.into_iter().zip(&page_ids) {
        hashes.push(hash);
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Page".to_vec()));
        d.set("Parent", Object::Reference(pages_id));
        d.set("MediaBox", catalog::rect(geo.media_box()));
        d.set("CropBox", catalog::rect(geo.media_box()));
        if print {
            d.set("BleedBox", catalog::rect(geo.bleed_box()));
            d.set("TrimBox", catalog::rect(geo.trim_box()));
        }
        d.set("Resources", Object::Reference(resources));
        d.set("Contents", Object::Reference(lo.add_object(content)));
        if !links.is_empty() {
            let annots = links
                .into_iter()
                .map(|l| Object::Reference(lo.add_object(l)))
                .collect();
            d.set("Annots", Object::Array(annots));
        }
        lo.objects.insert(id, Object::Dictionary(d));
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set(
        "Kids",
        Object::Array(page_ids.iter().map(|&id| Object::Reference(id)).collect()),
    );
    tree.set("Count", Object::Integer(page_ids.len() as i64));
    lo.objects.insert(pages_id, Object::Dictionary(tree));

    let written: Vec<(ObjectId, &Page)> = page_ids
        .iter()
        .copied()
        .zip(pages.iter().copied())
        .collect();
    catalog::finish(&mut lo, pages_id, doc, &written, opts, &geo, &hashes);
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    // Thousands of small objects: freed on a pool thread, not on the way to the output.
    rayon::spawn(move || drop(lo));
    Ok(PdfOutput {
        bytes,
        warnings: shared.warnings.clone(),
    })
}

/// A link annotation: invisible, a jump within the document (a `/Dest`, lighter to write
/// and read than a GoTo action: there are thousands) or to a URL.
fn link(l: &crate::typeset::Link, geo: &Geometry, page_ids: &[ObjectId]) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Annot".to_vec()));
    d.set("Subtype", Object::Name(b"Link".to_vec()));
    d.set(
        "Rect",
        catalog::rect([
            geo.x(l.x),
            geo.y(l.y + l.height),
            geo.x(l.x + l.width),
            geo.y(l.y),
        ]),
    );
    d.set("Border", Object::Array(vec![Object::Integer(0); 3]));
    match &l.target {
        LinkTarget::Internal(pos) => {
            let page = page_ids
                .get(pos.page)
                .map_or(Object::Null, |&id| Object::Reference(id));
            d.set(
                "Dest",
                Object::Array(vec![
                    page,
                    Object::Name(b"XYZ".to_vec()),
                    catalog::real(geo.x(pos.x)),
                    catalog::real(geo.y(pos.y)),
                    Object::Null,
                ]),
            );
        }
        LinkTarget::External(url) => {
            let mut action = Dictionary::new();
            action.set("S", Object::Name(b"URI".to_vec()));
            action.set(
                "URI",
                Object::String(url.as_bytes().to_vec(), StringFormat::Literal),
            );
            d.set("A", Object::Dictionary(action));
        }
    }
    d
}

/// How close to a trim edge counts as touching it (layout arithmetic rounds).
const EDGE: f64 = 0.01;

/// A fill that touches a trim edge runs on into the bleed on that side, so that the
/// guillotine's tolerance leaves no white sliver (a no-op without bleed).
fn bleed_rect(x: f64, y: f64, w: f64, h: f64, geo: &Geometry) -> (f64, f64, f64, f64) {
    let b = geo.bleed;
    let (mut x0, mut y0, mut x1, mut y1) = (x, y, x + w, y + h);
    if x0 <= EDGE {
        x0 = x0.min(-b);
    }
    if x1 >= geo.trim_width - EDGE {
        x1 = x1.max(geo.trim_width + b);
    }
    if y0 <= EDGE {
        y0 = y0.min(-b);
    }
    if y1 >= geo.trim_height - EDGE {
        y1 = y1.max(geo.trim_height + b);
    }
    (x0, y0, x1 - x0, y1 - y0)
}

/// A horizontal or vertical rule that reaches a trim edge continues into the bleed.
fn bleed_rule(r: &crate::typeset::Rule, geo: &Geometry) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (r.x0, r.y0, r.x1, r.y1);
    let b = geo.bleed;
    let out = |v: f64, limit: f64| {
        if v <= EDGE {
            v.min(-b)
        } else if v >= limit - EDGE {
            v.max(limit + b)
        } else {
            v
        }
    };
    if (y0 - y1).abs() < EDGE {
        x0 = out(x0, geo.trim_width);
        x1 = out(x1, geo.trim_width);
    } else if (x0 - x1).abs() < EDGE {
        y0 = out(y0, geo.trim_height);
        y1 = out(y1, geo.trim_height);
    }
    (x0, y0, x1, y1)
}

/// zlib-compressed `data` by libdeflate at level 4. On book-300's page contents it takes
/// 31 ms where zlib-rs at level 4 (the previous choice) took 48, for output 0.4% larger;
/// libdeflate's level 5 is a third slower again for 2% less. A compressor holds about a
/// megabyte of tables, so each thread keeps one.
fn deflate(data: &[u8]) -> Vec<u8> {
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<libdeflater::Compressor> =
            std::cell::RefCell::new(libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(4).unwrap_or_default(),
            ));
    }
    COMPRESSOR.with_borrow_mut(|c| {
        let mut out = vec![0; c.zlib_compress_bound(data.len())];
        // libdeflate only fails when the output buffer is smaller than its bound.
        let n = c
            .zlib_compress(data, &mut out)
            .expect("a buffer of the compress bound holds any stream");
        out.truncate(n);
        out
    })
}

/// A stream of `data`, compressed (kept as is when compression would not make it
/// smaller).
fn stream(mut dict: Dictionary, data: &[u8]) -> Stream {
    let packed = deflate(data);
    if packed.len() + 19 < data.len() {
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        Stream::new(dict, packed)
    } else {
        Stream::new(dict, data.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::typeset::*;

    fn p(s: &str) -> Block {
        Block::Paragraph(
            Paragraph::new(vec![Inline::text(s)]).with_source(Source::new("rand.md", 7)),
        )
    }

    /// Input the engine must survive: empty things, broken images, unknown anchors,
    /// unknown characters, blocks taller than a page, deep nesting.
    fn hostile() -> Flow {
        let long_word = "a".repeat(400);
        let mut nested = Block::List(List {
            marker: ListMarker::Bullet("■".into()),
            items: vec![vec![p(&long_word)]],
        });
        for _ in 0..8 {
            nested = Block::Kader(Kader {
                blocks: vec![nested],
                ..Default::default()
            });
        }
        let big_table = Table {
            columns: vec![],
            header: vec![],
            rows: (0..80)
                .map(|i| {
                    vec![
                        vec![Inline::text(format!("rij {i}"))],
                        vec![],
                        vec![Inline::text("x")],
                    ]
                })
                .collect(),
            caption: None,
            continued: None,
            anchor: Some("dup".into()),
            source: None,
        };
        let long_note = Footnote {
            marker: None,
            content: (0..60)
                .map(|_| p("Een lange voetnoot die maar doorgaat."))
                .collect(),
        };
        Flow {
            style: PageStyle::default(),
            chapters: vec![
                Chapter::default(),
                Chapter {
                    opening: Some(Opening::default()),
                    ..Default::default()
                },
                Chapter {
                    opening: Some(Opening {
                        number: Some("9".into()),
                        title: vec![],
                        ..Default::default()
                    }),
                    folios: true,
                    blocks: vec![
                        Block::PageBreak,
                        Block::PageBreak,
                        Block::Paragraph(Paragraph::default()),
                        p("   "),
                        Block::Paragraph(Paragraph::new(vec![Inline::Anchor("dup".into())])),
                        Block::Paragraph(Paragraph::new(vec![Inline::Footnote(
                            Footnote::default(),
                        )])),
                        Block::Heading(Heading {
                            level: 0,
                            title: vec![],
                            ..Default::default()
                        }),
                        Block::Heading(Heading {
                            level: 9,
                            title: vec![Inline::text("x")],
                            ..Default::default()
                        }),
                        nested,
                        Block::Figure(Figure {
                            image: Arc::from(&b"not an image"[..]),
                            ..Default::default()
                        }),
                        Block::Figure(Figure {
                            image: Arc::from(
                                &b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10"[..],
                            ),
                            ..Default::default()
                        }),
                        Block::Table(big_table),
                        Block::Table(Table::default()),
                        Block::Code(Code {
                            text: format!("\t\n\n{}\n", "x".repeat(300)),
                            source: None,
                        }),
                        Block::Paragraph(Paragraph::new(vec![
                            Inline::text("tekens \u{1}\u{7} \u{10FFFD} \u{AD}\u{AD} zie "),
                            Inline::PageRef("nergens".into()),
                            Inline::Link {
                                target: Target::Anchor("nergens".into()),
                                content: vec![Inline::text("link")],
                            },
                            Inline::Footnote(long_note),
                            Inline::LineBreak,
                            Inline::LineBreak,
                            Inline::Superscript(vec![Inline::SmallCaps(vec![Inline::Code(
                                String::new(),
                            )])]),
                        ])),
                        Block::Toc(Toc { depth: 0 }),
                        Block::Space(-50.0),
                        Block::Space(5000.0),
                        Block::Fill,
                        Block::Quote(vec![]),
                        Block::List(List {
                            marker: ListMarker::Numbered { start: 0 },
                            items: vec![vec![], vec![Block::Fill]],
                        }),
                    ],
                    ..Default::default()
                },
            ],
        }
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let fonts = FontSet::builtin();
        let (doc, report) = layout(&hostile(), &fonts);
        let kinds: Vec<WarningKind> = report.warnings.iter().map(|w| w.kind).collect();
        for k in [
            WarningKind::OverfullLine,
            WarningKind::BadImage,
            WarningKind::UnknownAnchor,
            WarningKind::DuplicateAnchor,
            WarningKind::MissingGlyph,
        ] {
            assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
        }
        let overfull = report
            .warnings
            .iter()
            .find(|w| w.kind == WarningKind::OverfullLine)
            .unwrap();
        assert_eq!(overfull.source, Some(Source::new("rand.md", 7)));
        assert!(report.split_footnotes >= 1);
        let out = write_pdf(&doc, &fonts, &PdfOptions::default()).unwrap();
        assert!(out.bytes.starts_with(b"%PDF-1.6"));
    }

    #[test]
    fn fills_at_the_trim_edge_run_into_the_bleed() {
        let b = crate::typeset::flow::mm(3.0);
        let geo = Geometry::print(400.0, 600.0, b, false);
        // A full-width band at the top: out on the left, right and top.
        let (x, y, w, h) = bleed_rect(0.0, 0.0, 400.0, 50.0, &geo);
        assert_eq!((x, y), (-b, -b));
        assert!((w - (400.0 + 2.0 * b)).abs() < 1e-9 && (h - (50.0 + b)).abs() < 1e-9);
        // Inside the page: untouched.
        assert_eq!(
            bleed_rect(60.0, 60.0, 100.0, 20.0, &geo),
            (60.0, 60.0, 100.0, 20.0)
        );
        // The screen edition has no bleed to run into.
        let screen = Geometry::screen(400.0, 600.0);
        assert_eq!(
            bleed_rect(0.0, 0.0, 400.0, 50.0, &screen),
            (0.0, 0.0, 400.0, 50.0)
        );
        let rule = crate::typeset::Rule {
            x0: 0.0,
            y0: 300.0,
            x1: 400.0,
            y1: 300.0,
            thickness: 1.0,
            color: Cmyk::BLACK,
        };
        assert_eq!(bleed_rule(&rule, &geo), (-b, 300.0, 400.0 + b, 300.0));
    }

    #[test]
    fn the_print_edition_has_no_links_and_the_screen_edition_has() {
        let fonts = FontSet::builtin();
        let flow = Flow {
            style: PageStyle::default(),
            chapters: vec![Chapter {
                blocks: vec![Block::Paragraph(Paragraph::new(vec![Inline::Link {
                    target: Target::Url("https://example.org".into()),
                    content: vec![Inline::text("een link")],
                }]))],
                ..Default::default()
            }],
        };
        let (doc, _) = layout(&flow, &fonts);
        assert_eq!(doc.pages[0].links.len(), 1);
        let count = |edition| {
            let opts = PdfOptions {
                edition,
                ..Default::default()
            };
            let out = write_pdf(&doc, &fonts, &opts).unwrap();
            let lo = lopdf::Document::load_mem(&out.bytes).unwrap();
            lo.get_pages()
                .values()
                .map(|id| match lo.get_dictionary(*id).unwrap().get(b"Annots") {
                    Ok(lopdf::Object::Array(a)) => a.len(),
                    _ => 0,
                })
                .sum::<usize>()
        };
        assert_eq!(count(Edition::Print { marks: true }), 0);
        assert_eq!(count(Edition::Screen), 1);
    }

    #[test]
    fn an_empty_flow_is_an_empty_pdf() {
        let fonts = FontSet::builtin();
        let (doc, report) = layout(&Flow::default(), &fonts);
        assert_eq!(report.pages, 0);
        let out = write_pdf(&doc, &fonts, &PdfOptions::default()).unwrap();
        assert!(out.bytes.starts_with(b"%PDF-1.6"));
    }
}
