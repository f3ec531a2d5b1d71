//! images: every image the manuscript names, read once, known by its bytes and named safely.
//!
//! The EPUB, the web edition and the PDFs all take their images from here, so a file is read
//! once per build and every output agrees on it. What an image is comes from its first bytes,
//! not its name: a JPEG saved as `foto.png` is a JPEG (and a warning), because a reading system
//! that is told `image/png` for JPEG bytes shows nothing, and EPUBCheck rejects the package.
//! A file that is no PNG or JPEG, or one cut short, is an error at the line that names it.
//!
//! Inside the EPUB and the web edition an image gets a name that is safe everywhere: lower-case
//! ASCII letters, digits, `-`, `_` and `.` only (a space, `#`, `%` or `?` in a URL is read as
//! something else, and `Foto.png` beside `foto.png` is one file on most disks and in OCF).
//! Where two images would get the same name, the later one gets a short hash of its path.

use crate::diag::Diagnostic;
use crate::load::Project;
use crate::model::{Block, Inline, Part};
use crate::source::Span;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The largest image druk takes: 50 megapixels holds the largest photos phones save (48) and
/// a 17 × 24 cm page at 900 ppi, three times the resolution print needs; beyond it an image
/// only costs memory (three bytes a pixel once decoded, and more while converting).
pub const MAX_PIXELS: u64 = 50_000_000;

/// An image format druk can put in every output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    /// A vector drawing: checked for scripts and outside references in every edition, and
    /// for what PDF/X allows when a PDF is built (see [`crate::pdf::svg`]).
    Svg,
}

impl Kind {
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Svg => "image/svg+xml",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Png => "PNG",
            Kind::Jpeg => "JPEG",
            Kind::Svg => "SVG",
        }
    }

    /// Whether a file-name extension (lower case) says this format.
    fn extension_fits(self, ext: &str) -> bool {
        match self {
            Kind::Png => ext == "png",
            Kind::Jpeg => ext == "jpg" || ext == "jpeg",
            Kind::Svg => ext == "svg",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Png => "png",
            Kind::Jpeg => "jpg",
            Kind::Svg => "svg",
        }
    }
}

/// One image of the book.
#[derive(Clone, Debug)]
pub struct Image {
    /// The path the manuscript gives, relative to the book folder.
    pub src: String,
    pub bytes: Arc<[u8]>,
    pub kind: Kind,
    /// Its file name in the images folder of the EPUB and the web edition.
    pub name: String,
    /// Where the manuscript first uses it.
    pub span: Span,
}

/// The book's images in reading order of first use.
#[derive(Clone, Debug, Default)]
pub struct Images {
    list: Vec<Image>,
    by_src: HashMap<String, usize>,
}

impl Images {
    pub fn get(&self, src: &str) -> Option<&Image> {
        self.by_src.get(src).map(|&i| &self.list[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Image> {
        self.list.iter()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Reads and checks every image `parts` use. An image that cannot be used is left out of the
/// set, with an error at the first line that names it.
/// `print`: a PDF is built too, which asks more of an SVG drawing.
pub fn load(project: &Project, parts: &[Part], print: bool) -> (Images, Vec<Diagnostic>) {
    let mut uses: Vec<(String, Span)> = Vec::new();
    let mut seen = HashSet::new();
    for part in parts {
        visit_part(part, &mut |src, span| {
            if seen.insert(src.to_string()) {
                uses.push((src.to_string(), span));
            }
        });
    }
    // Paths that leave the book folder, or name no file, were reported by parse and are
    // never opened here.
    let canon = project.root.canonicalize().ok();
    let inside = |src: &str| {
        !src.contains("://")
            && canon
                .as_deref()
                .is_some_and(|c| crate::load::confine(&project.root, c, src).is_ok())
    };
    uses.retain(|(src, _)| inside(src));
    let checked: Vec<Result<Checked, Box<Diagnostic>>> = uses
        .par_iter()
        .map(|(src, span)| read(project, src, *span, print))
        .collect();
    let mut images = Images::default();
    let mut diags = Vec::new();
    let mut taken = HashSet::new();
    for ((src, span), result) in uses.into_iter().zip(checked) {
        match result {
            Ok(Checked {
                bytes,
                kind,
                warning,
            }) => {
                diags.extend(warning);
                let name = safe_name(&src, kind, &mut taken);
                images.by_src.insert(src.clone(), images.list.len());
                images.list.push(Image {
                    src,
                    bytes,
                    kind,
                    name,
                    span,
                });
            }
            Err(d) => diags.push(*d),
        }
    }
    (images, diags)
}

/// The image paths `part` uses, in reading order (repeats included).
pub fn sources_in(part: &Part) -> Vec<String> {
    let mut out = Vec::new();
    visit_part(part, &mut |src, _| out.push(src.to_string()));
    out
}

/// Calls `f` for every figure and inline image of a part, in reading order: the title, the
/// blocks (captions, kader titles and table cells included), then the footnotes.
fn visit_part(part: &Part, f: &mut dyn FnMut(&str, Span)) {
    inlines(&part.title.content, f);
    blocks(&part.blocks, f);
    for n in &part.footnotes {
        blocks(&n.blocks, f);
    }
}

fn blocks(v: &[Block], f: &mut dyn FnMut(&str, Span)) {
    for b in v {
        match b {
            Block::Heading(h) => inlines(&h.content, f),
            Block::Paragraph(i, _) => inlines(i, f),
            Block::List(l) => l.items.iter().for_each(|it| blocks(it, f)),
            Block::Quote(q) => blocks(q, f),
            Block::Div(d) => blocks(&d.blocks, f),
            Block::Kader(k) => {
                if let Some(t) = &k.title {
                    inlines(t, f);
                }
                blocks(&k.blocks, f);
            }
            Block::Table(t) => {
                if let Some(c) = &t.caption {
                    inlines(c, f);
                }
                t.header.iter().for_each(|c| inlines(c, f));
                t.rows.iter().flatten().for_each(|c| inlines(c, f));
            }
            Block::Figure(fig) => {
                f(&fig.src, fig.span);
                inlines(&fig.caption, f);
            }
            Block::Definitions(defs) => defs.iter().for_each(|d| {
                inlines(&d.term, f);
                d.details.iter().for_each(|b| blocks(b, f));
            }),
            Block::Code(_) | Block::Rule | Block::References(_) => {}
        }
    }
}

fn inlines(v: &[Inline], f: &mut dyn FnMut(&str, Span)) {
    for i in v {
        match i {
            Inline::Image { src, span, .. } => f(src, *span),
            Inline::Styled(_, c) | Inline::Span(_, c) | Inline::Link { content: c, .. } => {
                inlines(c, f)
            }
            Inline::Internal { content: c, .. } => inlines(c, f),
            Inline::Citation(c) => {
                if let Some(r) = &c.rendered {
                    inlines(r, f);
                }
            }
            _ => {}
        }
    }
}

/// An image read and found usable, with a warning when its name says another format.
struct Checked {
    bytes: Arc<[u8]>,
    kind: Kind,
    warning: Option<Diagnostic>,
}

/// Reads one image and checks it: its format from its bytes, whole, not too large. A name
/// that says another format than the bytes is a warning.
fn read(project: &Project, src: &str, span: Span, print: bool) -> Result<Checked, Box<Diagnostic>> {
    let bytes = std::fs::read(project.root.join(src)).map_err(|e| {
        Diagnostic::error("image", format!("cannot read image `{src}`: {e}")).at(span)
    })?;
    let Some(kind) = sniff(&bytes) else {
        let (what, help) = match other_format(&bytes) {
            Some(other) => (
                format!("`{src}` is {other}, which druk does not take"),
                "convert it to PNG or SVG for drawings and diagrams, or JPEG for photos",
            ),
            None if bytes.is_empty() => (
                format!("`{src}` is empty"),
                "export the image again as PNG, JPEG or SVG",
            ),
            None => (
                format!("`{src}` is not an image: its bytes are neither PNG, JPEG nor SVG"),
                "export the image again as PNG, JPEG or SVG",
            ),
        };
        return Err(Diagnostic::error("image-format", what)
            .at(span)
            .label("not a PNG, JPEG or SVG file")
            .help(help)
            .into());
    };
    let checked = match kind {
        Kind::Png => check_png(&bytes),
        Kind::Jpeg => check_jpeg(&bytes),
        Kind::Svg => {
            check_svg(&bytes, print).map_err(|why| {
                Diagnostic::error("svg", format!("image `{src}` cannot be used: {why}"))
                    .at(span)
                    .help(if print {
                        "save the drawing with flat, opaque colours and without scripts, \
                         links or embedded images"
                    } else {
                        "save the drawing without scripts, links or embedded images"
                    })
            })?;
            return Ok(Checked {
                bytes: bytes.into(),
                kind,
                warning: extension_warning(src, kind, span),
            });
        }
    };
    let (w, h) = checked.map_err(|why| {
        Diagnostic::error("bad-image", format!("image `{src}` is damaged: {why}"))
            .at(span)
            .label("this image cannot be shown")
            .help("open it in an image editor and save it again, or export it anew")
    })?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Diagnostic::error(
            "image-too-large",
            format!(
                "image `{src}` is {w}×{h} pixels ({:.0} megapixels); druk takes images up to {} megapixels",
                (u64::from(w) * u64::from(h)) as f64 / 1e6,
                MAX_PIXELS / 1_000_000
            ),
        )
        .at(span)
        .label("too large")
        .help("scale it down: 300 ppi at its printed size is plenty, about 2000 pixels across a 17 cm page")
        .into());
    }
    Ok(Checked {
        bytes: bytes.into(),
        kind,
        warning: extension_warning(src, kind, span),
    })
}

/// An SVG drawing is safe (no scripts, nothing outside its file) and, for print, one the PDF
/// can hold.
fn check_svg(bytes: &[u8], print: bool) -> Result<(), String> {
    crate::pdf::svg::check_safe(bytes)?;
    crate::pdf::svg::check(bytes, print)
}

/// A warning when a file's name says another format than its bytes.
fn extension_warning(src: &str, kind: Kind, span: Span) -> Option<Diagnostic> {
    let ext = extension(src);
    (!kind.extension_fits(&ext)).then(|| {
        let stem = src.rsplit('/').next().unwrap_or(src);
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let says = if ext.is_empty() {
            "has no extension".to_string()
        } else {
            format!("says {}", ext.to_uppercase())
        };
        Diagnostic::warning(
            "image-extension",
            format!(
                "`{src}` is a {} image, though its name {says}; it is used as {}",
                kind.name(),
                kind.name()
            ),
        )
        .at(span)
        .label("the name does not match the file's contents")
        .help(format!("rename the file to `{stem}.{}`", kind.extension()))
    })
}

fn extension(src: &str) -> String {
    let name = src.rsplit('/').next().unwrap_or(src);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The format by its signature.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if crate::pdf::svg::is_svg(bytes) {
        Some(Kind::Svg)
    } else {
        None
    }
}

/// Other image formats authors meet, to name what a file is.
fn other_format(b: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(&b[..b.len().min(256)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    Some(if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        "a GIF image"
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        "a WebP image"
    } else if b.starts_with(b"BM") {
        "a BMP image"
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        "a TIFF image"
    } else if b.len() >= 12 && &b[4..8] == b"ftyp" {
        "a HEIC or AVIF image"
    } else if b.starts_with(b"%PDF") {
        "a PDF file"
    } else if text.starts_with("<svg") || text.starts_with("<?xml") && text.contains("<svg") {
        "an SVG drawing"
    } else {
        return None;
    })
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

const CUT_SHORT: &str = "the file is cut short";

/// Walks a PNG's chunks: IHDR first and sound, every critical chunk whole with its checksum,
/// image data present, IEND at the end. Returns the size in pixels.
fn check_png(b: &[u8]) -> Result<(u32, u32), String> {
    let mut at = 8;
    let mut size = None;
    let mut palette_needed = false;
    let mut palette = false;
    let mut data = false;
    loop {
        let len = be32(b, at).ok_or(CUT_SHORT)? as usize;
        let kind: [u8; 4] = b
            .get(at + 4..at + 8)
            .ok_or(CUT_SHORT)?
            .try_into()
            .map_err(|_| CUT_SHORT)?;
        let body = at + 8;
        let end = body.checked_add(len).ok_or(CUT_SHORT)?;
        let crc = be32(b, end).ok_or(CUT_SHORT)?;
        let name = String::from_utf8_lossy(&kind).into_owned();
        let critical = kind[0].is_ascii_uppercase();
        if critical && crc32fast::hash(&b[at + 4..end]) != crc {
            return Err(format!(
                "its {name} chunk is corrupt (the checksum does not match)"
            ));
        }
        if size.is_none() && &kind != b"IHDR" {
            return Err("it does not start with a header (IHDR)".into());
        }
        match &kind {
            b"IHDR" => {
                if size.is_some() || len != 13 {
                    return Err("its header (IHDR) is malformed".into());
                }
                let (w, h) = (be32(b, body).unwrap_or(0), be32(b, body + 4).unwrap_or(0));
                let (depth, colour) = (b[body + 8], b[body + 9]);
                let valid = match colour {
                    0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
                    3 => matches!(depth, 1 | 2 | 4 | 8),
                    2 | 4 | 6 => matches!(depth, 8 | 16),
                    _ => false,
                };
                if w == 0 || h == 0 || w > i32::MAX as u32 || h > i32::MAX as u32 {
                    return Err(format!("its header gives a size of {w}×{h} pixels"));
                }
                if !valid || b[body + 10] != 0 || b[body + 11] != 0 || b[body + 12] > 1 {
                    return Err("its header (IHDR) names a pixel format PNG does not have".into());
                }
                palette_needed = colour == 3;
                size = Some((w, h));
            }
            b"PLTE" => palette = true,
            b"IDAT" => {
                if palette_needed && !palette {
                    return Err("it has image data but no palette (PLTE)".into());
                }
                data = true;
            }
            b"IEND" => {
                if !data {
                    return Err("it has no image data (IDAT)".into());
                }
                return size.ok_or_else(|| "it has no header (IHDR)".into());
            }
            _ => {}
        }
        at = end + 4;
    }
}

/// Walks a JPEG's segments: a frame header druk and reading systems can decode, a scan, and
/// the end-of-image marker after it (a JPEG cut short has none). Returns the size in pixels.
fn check_jpeg(b: &[u8]) -> Result<(u32, u32), String> {
    let mut at = 2;
    let mut size = None;
    let mut scanned = false;
    loop {
        // Markers may be preceded by fill bytes (0xFF).
        while b.get(at) == Some(&0xFF) && b.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if at + 1 >= b.len() {
            return Err(format!("{CUT_SHORT} (it has no end-of-image marker)"));
        }
        if b[at] != 0xFF {
            return Err(format!(
                "it has stray bytes at byte {at} where a marker belongs"
            ));
        }
        let marker = b[at + 1];
        match marker {
            0xD9 => {
                return match (size, scanned) {
                    (Some(s), true) => Ok(s),
                    (None, _) => Err("it has no frame header (SOF)".into()),
                    (_, false) => Err("it has no image data (no scan)".into()),
                };
            }
            0xD8 | 0x01 | 0xD0..=0xD7 => {
                at += 2;
                continue;
            }
            _ => {}
        }
        let len = be16(b, at + 2).ok_or(CUT_SHORT)?;
        let end = at + 2 + len;
        if len < 2 || end > b.len() {
            return Err(CUT_SHORT.into());
        }
        match marker {
            0xC0..=0xC2 => {
                let h = be16(b, at + 5).ok_or(CUT_SHORT)? as u32;
                let w = be16(b, at + 7).ok_or(CUT_SHORT)? as u32;
                let components = b.get(at + 9).copied().unwrap_or(0);
                if w == 0 || h == 0 {
                    return Err(format!("its frame header gives a size of {w}×{h} pixels"));
                }
                if !matches!(components, 1 | 3 | 4) {
                    return Err(format!("it has {components} colour components"));
                }
                size = Some((w, h));
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(
                    "it is coded in a way (lossless, hierarchical or arithmetic) that e-readers and druk cannot show; save it as an ordinary JPEG"
                        .into(),
                );
            }
            0xDA => {
                if size.is_none() {
                    return Err("its image data comes before the frame header (SOF)".into());
                }
                scanned = true;
                // The coded data runs to the next marker that is not a stuffed 0xFF00 or a
                // restart marker.
                let mut i = end;
                loop {
                    let Some(off) = b.get(i..).and_then(|r| r.iter().position(|&x| x == 0xFF))
                    else {
                        return Err(format!("{CUT_SHORT} (it has no end-of-image marker)"));
                    };
                    i += off;
                    match b.get(i + 1) {
                        None => return Err(format!("{CUT_SHORT} (it has no end-of-image marker)")),
                        Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
                        Some(_) => break,
                    }
                }
                at = i;
                continue;
            }
            _ => {}
        }
        at = end;
    }
}

/// A file name that is safe in a URL, in a zip and on every disk, unique in `taken` (which
/// holds lower-case names).
fn safe_name(src: &str, kind: Kind, taken: &mut HashSet<String>) -> String {
    let file = src.rsplit(['/', '\\']).next().unwrap_or(src);
    let ext = extension(src);
    let stem = if ext.is_empty() {
        file
    } else {
        &file[..file.len() - ext.len() - 1]
    };
    let ext = if kind.extension_fits(&ext) {
        ext
    } else {
        kind.extension().to_string()
    };
    let mut clean = String::new();
    for c in stem.chars().flat_map(crate::load::fold_diacritic) {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' && !clean.is_empty() {
            clean.push(c);
        } else if !clean.is_empty() && !clean.ends_with('-') {
            clean.push('-');
        }
        if clean.len() >= 80 {
            break;
        }
    }
    let clean = clean.trim_end_matches(['-', '.']);
    let clean = if clean.is_empty() {
        "afbeelding"
    } else {
        clean
    };
    let mut name = format!("{clean}.{ext}");
    if !taken.insert(name.clone()) {
        let hash = xxhash_rust::xxh3::xxh3_64(src.as_bytes()) as u32;
        name = format!("{clean}-{hash:08x}.{ext}");
        let mut n = 1;
        while !taken.insert(name.clone()) {
            n += 1;
            name = format!("{clean}-{hash:08x}-{n}.{ext}");
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let pixels = vec![200u8; (w * h * 3) as usize];
        image::write_buffer_with_format(
            &mut out,
            &pixels,
            w,
            h,
            image::ColorType::Rgb8,
            image::ImageFormat::Png,
        )
        .unwrap();
        out.into_inner()
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let pixels = vec![90u8; (w * h * 3) as usize];
        image::write_buffer_with_format(
            &mut out,
            &pixels,
            w,
            h,
            image::ColorType::Rgb8,
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out.into_inner()
    }

    #[test]
    fn formats_come_from_the_bytes() {
        assert_eq!(sniff(&png(4, 3)), Some(Kind::Png));
        assert_eq!(sniff(&jpeg(4, 3)), Some(Kind::Jpeg));
        assert_eq!(sniff(b"GIF89a...."), None);
        assert_eq!(other_format(b"GIF89a...."), Some("a GIF image"));
        assert_eq!(
            other_format(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"\"/>"),
            Some("an SVG drawing")
        );
        assert_eq!(other_format(b"hello"), None);
    }

    #[test]
    fn whole_images_pass_and_cut_ones_do_not() {
        let p = png(40, 30);
        assert_eq!(check_png(&p), Ok((40, 30)));
        let j = jpeg(40, 30);
        assert_eq!(check_jpeg(&j), Ok((40, 30)));
        for cut in [9, 20, 33, p.len() / 2, p.len() - 1] {
            assert!(check_png(&p[..cut]).is_err(), "PNG cut at {cut}");
        }
        for cut in [3, 10, j.len() / 2, j.len() - 1] {
            assert!(check_jpeg(&j[..cut]).is_err(), "JPEG cut at {cut}");
        }
        // One flipped bit in the image data.
        let mut bad = p.clone();
        let idat = bad.windows(4).position(|w| w == b"IDAT").unwrap();
        bad[idat + 6] ^= 1;
        assert!(check_png(&bad).unwrap_err().contains("IDAT"));
    }

    #[test]
    fn names_are_safe_and_unique() {
        let mut taken = HashSet::new();
        let mut name = |src: &str, kind| safe_name(src, kind, &mut taken);
        assert_eq!(
            name("afbeeldingen/balansmodel.png", Kind::Png),
            "balansmodel.png"
        );
        assert_eq!(name("a/met spatie.png", Kind::Png), "met-spatie.png");
        assert_eq!(name("a/a#b%c?d.PNG", Kind::Png), "a-b-c-d.png");
        assert_eq!(name("a/Coördinatie.jpeg", Kind::Jpeg), "coordinatie.jpeg");
        assert_eq!(name("a/foto.png", Kind::Jpeg), "foto.jpg");
        assert_eq!(name("a/.verborgen.png", Kind::Png), "verborgen.png");
        assert_eq!(name("a/日本.png", Kind::Png), "afbeelding.png");
        let first = name("a/Case.png", Kind::Png);
        let second = name("a/case.png", Kind::Png);
        assert_eq!(first, "case.png");
        assert!(
            second.starts_with("case-") && second.ends_with(".png") && second.len() == 17,
            "{second}"
        );
        let third = name("b/case.png", Kind::Png);
        assert_ne!(third, second);
    }
}
