//! Writes a laid-out [`Document`] as PDF with printpdf, in one of two editions.
//!
//! * **Print** ([`Edition::Print`]): PDF/X-4 for the printer. Pages are trim plus bleed
//!   (plus room for crop marks when asked), every colour DeviceCMYK or DeviceGray (text
//!   0/0/0/100), images separated to CMYK through the FOGRA39 output intent and flattened
//!   onto white, no link annotations (PDF/X allows none on the page), an OutputIntent and
//!   XMP that identify the file as PDF/X-4.
//! * **Screen** ([`Edition::Screen`]): the same pages cut to the trim, in RGB, with every
//!   cross-reference, TOC line, footnote marker and URL a live link.
//!
//! printpdf is used as an object and content-stream writer only: the engine has already
//! positioned every glyph. This module
//!
//! 1. collects the glyphs each face uses and subsets the face with `subsetter`
//!    (printpdf subsets only under its heavy `text_layout` feature), renumbering the
//!    glyphs in the content streams;
//! 2. registers fonts and images under names derived from their order in the document
//!    (printpdf's own ids come from a global counter, so they would depend on whatever
//!    ran before in the process), so the output is byte-identical across runs;
//! 3. emits pages as printpdf ops, glyphs through `TextItem::GlyphIds` with the text of
//!    each glyph, so the ToUnicode map gives ligatures back as "fi";
//! 4. hands the lopdf document to `post` (boxes, outline, Info) and `pdfx` (XMP,
//!    OutputIntent) for what printpdf cannot do, and compresses every stream (printpdf
//!    leaves image pixels raw in debug builds).

mod colour;
mod image;
mod marks;
mod pdfx;
mod post;

use std::collections::BTreeMap;

use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, Destination, Line, LineCapStyle, LinePoint,
    LinkAnnotation, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem, TextMatrix, XObjectId, XObjectTransform,
};
use rayon::prelude::*;
use rustybuzz::ttf_parser;

use crate::typeset::{Cmyk, Document, FontId, FontSet, Item, LinkTarget};

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

/// A face as embedded: the subset program and how its glyphs were renumbered.
struct Embedded {
    id: printpdf::FontId,
    /// Original glyph id → glyph id in the embedded program.
    remap: BTreeMap<u16, u16>,
    /// Advance widths of the embedded glyphs in 1/1000 em, as printpdf writes them in /W
    /// (truncated), so that our TJ adjustments land glyphs exactly.
    widths: BTreeMap<u16, i64>,
    /// Text of each original glyph for ToUnicode.
    text: BTreeMap<u16, String>,
}

/// Writes the document. Fonts come from the same set the document was laid out with.
pub fn write_pdf(
    doc: &Document,
    fonts: &FontSet,
    opts: &PdfOptions,
) -> Result<PdfOutput, PdfError> {
    let mut warnings = Vec::new();

    // 1. Glyphs per face, with the first non-empty text seen for each glyph.
    let mut used: BTreeMap<FontId, BTreeMap<u16, String>> = BTreeMap::new();
    for page in &doc.pages {
        for item in &page.items {
            if let Item::Glyphs(run) = item {
                let map = used.entry(run.font).or_default();
                for g in &run.glyphs {
                    let t = run.glyph_text(g);
                    let e = map.entry(g.id).or_default();
                    if e.is_empty() && !t.is_empty() {
                        *e = t.to_string();
                    }
                }
            }
        }
    }

    // 2. Fonts and images, registered in a fixed order on this thread.
    let mut pdf = PdfDocument::new(&opts.title);
    let mut embedded: BTreeMap<FontId, Embedded> = BTreeMap::new();
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    for (fid, glyphs) in &used {
        let face = fonts.face(*fid);
        match embed_font(face.data(), &face.name, glyphs) {
            Ok((parsed, remap, widths, subset)) => {
                // Resource names are ours, not printpdf's: its ids come from a global
                // counter, which would make the bytes depend on what ran before.
                let id = printpdf::FontId(format!("F{}", fid.0 + 1));
                pdf.resources
                    .fonts
                    .map
                    .insert(id.clone(), printpdf::PdfFont::new(parsed));
                if subset {
                    tags.insert(face.name.clone(), subset_tag(&face.name, glyphs.keys()));
                }
                embedded.insert(
                    *fid,
                    Embedded {
                        id,
                        remap,
                        widths,
                        text: glyphs.clone(),
                    },
                );
            }
            Err(e) => warnings.push(format!("font {}: {e}", face.name)),
        }
    }
    let print = opts.edition.is_print();
    let prepared: Vec<Result<image::Prepared, String>> = doc
        .images
        .par_iter()
        .map(|bytes| image::prepare(bytes, print))
        .collect();
    let mut images: Vec<Option<XObjectId>> = Vec::with_capacity(doc.images.len());
    for (i, p) in prepared.into_iter().enumerate() {
        match p {
            Ok(img) => {
                let id = XObjectId(format!("Im{}", i + 1));
                pdf.resources
                    .xobjects
                    .map
                    .insert(id.clone(), printpdf::XObject::External(img.xobject()));
                images.push(Some(id));
            }
            Err(e) => {
                warnings.push(format!("image {}: cannot decode: {e}", i + 1));
                images.push(None);
            }
        }
    }

    // 3. Pages, built in parallel (order is kept by the collect).
    let geo = opts.edition.geometry(doc);
    let pages: Vec<PdfPage> = doc
        .pages
        .par_iter()
        .map(|page| page_ops(page, opts.edition, &geo, &embedded, &images))
        .collect();
    pdf.with_pages(pages);

    let save = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut pw = Vec::new();
    let mut lo = pdf.to_lopdf_document(&save, &mut pw);
    for w in pw {
        if matches!(w.severity, printpdf::PdfParseErrorSeverity::Error) {
            warnings.push(format!("printpdf: {}", w.msg));
        }
    }
    post::fix(&mut lo, doc, opts, &geo, &tags);
    // Flate every stream, in parallel: lopdf's own pass is serial and uses the slowest
    // level, which costs three times as long for files a few percent smaller.
    let mut streams: Vec<&mut lopdf::Stream> = lo
        .objects
        .values_mut()
        .filter_map(|o| match o {
            lopdf::Object::Stream(s) => Some(s),
            _ => None,
        })
        .collect();
    streams.par_iter_mut().for_each(|s| deflate(s));
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(PdfOutput { bytes, warnings })
}

/// The content of one page as printpdf ops.
fn page_ops(
    page: &crate::typeset::Page,
    edition: Edition,
    geo: &Geometry,
    embedded: &BTreeMap<FontId, Embedded>,
    images: &[Option<XObjectId>],
) -> PdfPage {
    let px = |x: f64| geo.x(x) as f32;
    let py = |y: f64| geo.y(y) as f32;
    let col = |c: Cmyk| colour_for(edition, c);
    let mut ops = Vec::new();
    let mut in_text = false;
    for item in &page.items {
        let is_text = matches!(item, Item::Glyphs(_));
        if is_text && !in_text {
            ops.push(Op::StartTextSection);
            in_text = true;
        } else if !is_text && in_text {
            ops.push(Op::EndTextSection);
            in_text = false;
        }
        match item {
            Item::Glyphs(run) => {
                let Some(font) = embedded.get(&run.font) else {
                    continue;
                };
                if run.glyphs.is_empty() {
                    continue;
                }
                let size = run.size as f32;
                let x0 = run.x + run.glyphs[0].x;
                let mut cps = Vec::with_capacity(run.glyphs.len());
                for (i, g) in run.glyphs.iter().enumerate() {
                    let gid = font.remap.get(&g.id).copied().unwrap_or(0);
                    let w = font.widths.get(&gid).copied().unwrap_or(0) as f64;
                    // TJ adjustment after this glyph: the viewer advances by the /W
                    // width; move back by the difference to where the next glyph sits.
                    let offset = match run.glyphs.get(i + 1) {
                        Some(next) => (w - (next.x - g.x) * 1000.0 / run.size) as f32,
                        None => 0.0,
                    };
                    let text = font.text.get(&g.id).cloned().unwrap_or_default();
                    cps.push(Codepoint {
                        gid,
                        offset,
                        cid: Some(text),
                    });
                }
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(font.id.clone()),
                    size: Pt(size),
                });
                ops.push(Op::SetFillColor {
                    col: col(run.color),
                });
                ops.push(Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(Pt(px(x0)), Pt(py(run.y))),
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::GlyphIds(cps)],
                });
            }
            Item::Rule(r) => {
                let (x0, y0, x1, y1) = bleed_rule(r, geo);
                ops.push(Op::SetOutlineColor { col: col(r.color) });
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(r.thickness as f32),
                });
                ops.push(Op::SetLineCapStyle {
                    cap: LineCapStyle::Butt,
                });
                let point = |x: f64, y: f64| LinePoint {
                    p: Point {
                        x: Pt(px(x)),
                        y: Pt(py(y)),
                    },
                    bezier: false,
                };
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(x0, y0), point(x1, y1)],
                        is_closed: false,
                    },
                });
            }
            Item::Rect(r) => {
                let (x, y, w, h) = bleed_rect(r.x, r.y, r.width, r.height, geo);
                ops.push(Op::SetFillColor { col: col(r.color) });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(px(x)),
                        y: Pt(py(y + h)),
                        width: Pt(w as f32),
                        height: Pt(h as f32),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Item::Image(img) => {
                let Some(Some(id)) = images.get(img.image) else {
                    continue;
                };
                // An image is drawn into the unit square: scale it to its placed size.
                ops.push(Op::UseXobject {
                    id: id.clone(),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(px(img.x))),
                        translate_y: Some(Pt(py(img.y + img.height))),
                        rotate: None,
                        scale_x: Some(img.width as f32),
                        scale_y: Some(img.height as f32),
                        dpi: None,
                        no_auto_scale: true,
                    },
                });
            }
        }
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    // PDF/X forbids link annotations on the page: links belong to the screen edition.
    if edition == Edition::Screen {
        for link in &page.links {
            ops.push(link_op(link, &px, &py));
        }
    }
    let mut p = PdfPage::new(printpdf::Mm(0.0), printpdf::Mm(0.0), ops);
    // The boxes are rewritten in the post-pass (printpdf writes [x y w h]).
    let full = Rect {
        x: Pt(0.0),
        y: Pt(0.0),
        width: Pt(geo.media_width() as f32),
        height: Pt(geo.media_height() as f32),
        mode: None,
        winding_order: None,
    };
    p.media_box = full.clone();
    p.trim_box = full.clone();
    p.crop_box = full;
    p
}

fn link_op(link: &crate::typeset::Link, px: &dyn Fn(f64) -> f32, py: &dyn Fn(f64) -> f32) -> Op {
    let rect = Rect {
        x: Pt(px(link.x)),
        y: Pt(py(link.y + link.height)),
        width: Pt(link.width as f32),
        height: Pt(link.height as f32),
        mode: None,
        winding_order: None,
    };
    let actions = match &link.target {
        LinkTarget::Internal(pos) => Actions::Goto(Destination::Xyz {
            page: pos.page + 1,
            left: Some(px(pos.x)),
            top: Some(py(pos.y)),
            zoom: None,
        }),
        LinkTarget::External(url) => Actions::Uri(url.clone()),
    };
    Op::LinkAnnotation {
        link: LinkAnnotation::new(
            rect,
            actions,
            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
            Some(ColorArray::Transparent),
            None,
        ),
    }
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

/// Compresses a stream that has no filter yet (XMP metadata stays readable, as PDF/X
/// and PDF/A want).
fn deflate(stream: &mut lopdf::Stream) {
    use std::io::Write;
    let metadata =
        matches!(stream.dict.get(b"Type"), Ok(lopdf::Object::Name(n)) if n == b"Metadata");
    if stream.dict.get(b"Filter").is_ok() || metadata {
        return;
    }
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    if enc.write_all(&stream.content).is_err() {
        return;
    }
    if let Ok(packed) = enc.finish()
        && packed.len() + 19 < stream.content.len()
    {
        stream
            .dict
            .set("Filter", lopdf::Object::Name(b"FlateDecode".to_vec()));
        stream.set_content(packed);
    }
}

/// A house-style colour as the edition writes it: the CMYK itself for print (text stays
/// 0/0/0/100), sRGB through the output profile for the screen.
fn colour_for(edition: Edition, c: Cmyk) -> Color {
    match edition {
        Edition::Print { .. } => Color::Cmyk(printpdf::Cmyk::new(c.c, c.m, c.y, c.k, None)),
        Edition::Screen => {
            let [r, g, b] = colour::cmyk_to_rgb(c);
            Color::Rgb(Rgb::new(r, g, b, None))
        }
    }
}

/// Subsets a face to the glyphs used and wraps it for printpdf. Returns the font, the
/// renumbering, the /W widths by new glyph id, and whether it was subset (a face that
/// cannot be subset is embedded whole).
type Prepared = (ParsedFont, BTreeMap<u16, u16>, BTreeMap<u16, i64>, bool);

fn embed_font(data: &[u8], name: &str, glyphs: &BTreeMap<u16, String>) -> Result<Prepared, String> {
    let mut pw = Vec::new();
    let mut parsed = ParsedFont::from_bytes(data, 0, &mut pw).ok_or("cannot be parsed")?;
    let face = ttf_parser::Face::parse(data, 0).map_err(|e| e.to_string())?;
    let upem = f32::from(face.units_per_em());
    let ids: Vec<u16> = glyphs.keys().copied().collect();
    let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids);
    let (program, remap, subset) = match subsetter::subset(data, 0, &remapper) {
        Ok(program) => {
            let remap: BTreeMap<u16, u16> = ids
                .iter()
                .filter_map(|&g| remapper.get(g).map(|n| (g, n)))
                .collect();
            (program, remap, true)
        }
        Err(_) => (data.to_vec(), ids.iter().map(|&g| (g, g)).collect(), false),
    };
    let mut widths_units = BTreeMap::new();
    let mut widths = BTreeMap::new();
    for (&old, &new) in &remap {
        let adv = face
            .glyph_hor_advance(ttf_parser::GlyphId(old))
            .unwrap_or(0);
        widths_units.insert(new, adv);
        // printpdf computes /W as (w · 1000 / upem) truncated; do the same arithmetic.
        widths.insert(new, (f32::from(adv) * 1000.0 / upem) as i64);
    }
    parsed.original_bytes = program;
    parsed.font_index = 0;
    parsed.font_name = Some(name.to_string());
    parsed.codepoint_to_glyph = BTreeMap::new();
    parsed.glyph_widths = widths_units;
    Ok((parsed, remap, widths, subset))
}

/// The six-letter subset tag (ISO 32000-1, 9.6.4), derived from the glyph set so that
/// it is stable across builds and differs between subsets of one face.
fn subset_tag<'a>(name: &str, glyphs: impl Iterator<Item = &'a u16>) -> String {
    let mut h = post::Fnv::new();
    h.write(name.as_bytes());
    for g in glyphs {
        h.write(&g.to_be_bytes());
    }
    let mut v = h.finish();
    (0..6)
        .map(|_| {
            let c = (b'A' + (v % 26) as u8) as char;
            v /= 26;
            c
        })
        .collect()
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
