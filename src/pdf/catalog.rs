//! The document-level objects of a PDF: the catalog with a nested outline, named
//! destinations and page labels, the Info dictionary, and the trailer.
//!
//! * **Outline**: chapter › section › subsection in reading order, closed below the
//!   chapters, and `/PageMode /UseOutlines` so it opens with the document.
//! * **Named destinations** for every anchor and **page labels** (roman front matter,
//!   arabic from the first chapter), so viewers show the printed folios.
//! * **Info** with the dates of the build (and `GTS_PDFXVersion (PDF/X-4)` in the print
//!   edition, see `pdfx`), and a deterministic trailer `/ID` from the page contents.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::pdf::marks::Geometry;
use crate::pdf::{PdfOptions, pdfx};
use crate::typeset::{Document, FolioStyle, Page};

/// FNV-1a, 64 bit: a small, stable hash for tags and the document ID (std's hasher is
/// not guaranteed to stay the same across Rust versions).
pub(crate) struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) fn real(v: f64) -> Object {
    Object::Real(v as f32)
}

pub(crate) fn rect([x0, y0, x1, y1]: [f64; 4]) -> Object {
    Object::Array(vec![real(x0), real(y0), real(x1), real(y1)])
}

/// A PDF text string: ASCII as is, anything else as UTF-16BE with a byte-order mark.
fn text_string(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut v = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(v, StringFormat::Hexadecimal)
    }
}

/// `D:YYYYMMDDHHmmSSZ` from seconds since the epoch (UTC).
pub(crate) fn pdf_date(ts: i64) -> String {
    let t = crate::time::Stamp::from_epoch(ts);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Writes the document catalog and what hangs off it (outline, named destinations, page
/// labels, XMP, and for print the OutputIntent), the Info dictionary and the trailer.
/// `content_hash` is a hash of every page's content, for the document ID.
pub(crate) fn finish(
    lo: &mut lopdf::Document,
    pages: ObjectId,
    doc: &Document,
    written: &[(ObjectId, &Page)],
    opts: &PdfOptions,
    geo: &Geometry,
    content_hash: &[u64],
) {
    let print = opts.edition.is_print();
    let dest = |page: usize, x: f64, y: f64| -> Object {
        let p = written
            .get(page)
            .map(|&(id, _)| Object::Reference(id))
            .unwrap_or(Object::Null);
        Object::Array(vec![
            p,
            Object::Name(b"XYZ".to_vec()),
            real(geo.x(x)),
            real(geo.y(y)),
            Object::Null,
        ])
    };

    // Nested outline, in reading order: each entry's parent is the nearest earlier entry
    // of a lower level.
    let outline_root = if doc.outline.is_empty() {
        None
    } else {
        let root = lo.new_object_id();
        let n = doc.outline.len();
        let ids: Vec<ObjectId> = (0..n).map(|_| lo.new_object_id()).collect();
        let mut parent: Vec<Option<usize>> = vec![None; n];
        // Children of each entry, and at index `n` those of the root.
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
        let mut stack: Vec<usize> = Vec::new();
        for (i, e) in doc.outline.iter().enumerate() {
            while stack
                .last()
                .is_some_and(|&top| doc.outline[top].level >= e.level)
            {
                stack.pop();
            }
            parent[i] = stack.last().copied();
            children[parent[i].unwrap_or(n)].push(i);
            stack.push(i);
        }
        // A parent comes before its children, so one pass from the end sums them up.
        let mut descendants = vec![0i64; n];
        for i in (0..n).rev() {
            if let Some(p) = parent[i] {
                descendants[p] += 1 + descendants[i];
            }
        }
        let mut position = vec![0usize; n];
        for kids in &children {
            for (k, &c) in kids.iter().enumerate() {
                position[c] = k;
            }
        }
        for (i, e) in doc.outline.iter().enumerate() {
            let siblings = &children[parent[i].unwrap_or(n)];
            let pos = position[i];
            let mut d = Dictionary::new();
            d.set("Title", text_string(&e.title));
            d.set(
                "Parent",
                Object::Reference(parent[i].map_or(root, |p| ids[p])),
            );
            if pos > 0 {
                d.set("Prev", Object::Reference(ids[siblings[pos - 1]]));
            }
            if let Some(&next) = siblings.get(pos + 1) {
                d.set("Next", Object::Reference(ids[next]));
            }
            let kids = &children[i];
            if let (Some(&f), Some(&l)) = (kids.first(), kids.last()) {
                d.set("First", Object::Reference(ids[f]));
                d.set("Last", Object::Reference(ids[l]));
                // Negative: closed, so the outline opens showing the chapters.
                d.set("Count", Object::Integer(-descendants[i]));
            }
            d.set("Dest", dest(e.dest.page, e.dest.x, e.dest.y));
            lo.objects.insert(ids[i], Object::Dictionary(d));
        }
        let top = &children[n];
        let mut r = Dictionary::new();
        r.set("Type", Object::Name(b"Outlines".to_vec()));
        if let (Some(&f), Some(&l)) = (top.first(), top.last()) {
            r.set("First", Object::Reference(ids[f]));
            r.set("Last", Object::Reference(ids[l]));
        }
        r.set("Count", Object::Integer(top.len() as i64));
        lo.objects.insert(root, Object::Dictionary(r));
        Some(root)
    };

    // Named destinations.
    let mut dests = Dictionary::new();
    for (name, pos) in &doc.destinations {
        dests.set(name.as_bytes().to_vec(), dest(pos.page, pos.x, pos.y));
    }
    let dests_id = lo.add_object(Object::Dictionary(dests));

    // Page labels: a new range wherever the folio style changes or does not continue.
    let mut nums = Vec::new();
    let mut prev: Option<(FolioStyle, u32)> = None;
    for (i, (_, p)) in written.iter().enumerate() {
        let continues = prev.is_some_and(|(s, n)| s == p.folio.style && n + 1 == p.folio.number);
        if !continues {
            let mut l = Dictionary::new();
            l.set(
                "S",
                Object::Name(if p.folio.style == FolioStyle::Roman {
                    b"r".to_vec()
                } else {
                    b"D".to_vec()
                }),
            );
            if p.folio.number != 1 {
                l.set("St", Object::Integer(i64::from(p.folio.number)));
            }
            nums.push(Object::Integer(i as i64));
            nums.push(Object::Dictionary(l));
        }
        prev = Some((p.folio.style, p.folio.number));
    }
    let mut labels = Dictionary::new();
    labels.set("Nums", Object::Array(nums));

    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages));
    if let Some(root) = outline_root {
        catalog.set("Outlines", Object::Reference(root));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    } else {
        catalog.set("PageMode", Object::Name(b"UseNone".to_vec()));
    }
    catalog.set("Dests", Object::Reference(dests_id));
    catalog.set("PageLabels", Object::Dictionary(labels));
    if let Some(lang) = &opts.lang {
        catalog.set("Lang", text_string(lang));
    }
    if !print {
        // A reader's window shows the book's title rather than the file name.
        let mut prefs = Dictionary::new();
        prefs.set("DisplayDocTitle", Object::Boolean(true));
        catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    }

    // Info.
    let date = pdf_date(opts.timestamp);
    let mut info = Dictionary::new();
    info.set("Title", text_string(&opts.title));
    if !opts.author.is_empty() {
        info.set("Author", text_string(&opts.author));
    }
    if !opts.subject.is_empty() {
        info.set("Subject", text_string(&opts.subject));
    }
    if !opts.keywords.is_empty() {
        info.set("Keywords", text_string(&opts.keywords.join(", ")));
    }
    info.set("Creator", text_string(pdfx::creator(opts)));
    info.set("Producer", text_string(pdfx::PRODUCER));
    info.set(
        "CreationDate",
        Object::String(date.clone().into_bytes(), StringFormat::Literal),
    );
    info.set(
        "ModDate",
        Object::String(date.into_bytes(), StringFormat::Literal),
    );
    info.set("Trapped", Object::Name(b"False".to_vec()));
    if print {
        info.set(
            "GTS_PDFXVersion",
            Object::String(b"PDF/X-4".to_vec(), StringFormat::Literal),
        );
    }
    let info = lo.add_object(Object::Dictionary(info));
    lo.trailer.set("Info", Object::Reference(info));

    // A deterministic ID from the page contents and the metadata.
    let mut h1 = Fnv::new();
    let mut h2 = Fnv::new();
    h2.write(b"druk");
    h1.write(opts.title.as_bytes());
    h2.write(opts.title.as_bytes());
    for h in content_hash {
        h1.write(&h.to_be_bytes());
        h2.write(&h.to_be_bytes());
        h2.write(&[0x5a]);
    }
    let mut idv = h1.finish().to_be_bytes().to_vec();
    idv.extend_from_slice(&h2.finish().to_be_bytes());
    let id = Object::String(idv.clone(), StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![id.clone(), id]));

    let xmp = pdfx::metadata(lo, pdfx::xmp(opts, print, &idv));
    catalog.set("Metadata", Object::Reference(xmp));
    if print {
        catalog.set("OutputIntents", pdfx::output_intents(lo));
    }
    let root = lo.add_object(Object::Dictionary(catalog));
    lo.trailer.set("Root", Object::Reference(root));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(pdf_date(0), "D:19700101000000Z");
        assert_eq!(pdf_date(1_767_225_600), "D:20260101000000Z");
        assert_eq!(pdf_date(951_782_400), "D:20000229000000Z");
    }

    #[test]
    fn text_strings() {
        assert!(matches!(
            text_string("Hoofdstuk"),
            Object::String(_, StringFormat::Literal)
        ));
        let Object::String(v, _) = text_string("coördinatie") else {
            panic!()
        };
        assert_eq!(&v[..2], &[0xFE, 0xFF]);
    }
}
