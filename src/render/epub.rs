//! render::epub: an EPUB 3 package written directly with the `zip` crate.
//!
//! The design card named epub-builder; it cannot write a `dc:identifier` with an ISBN or a
//! `dc:publisher` except by injecting unescaped XML, gives `dc:language` and the first creator the
//! same id, and stamps zip entries with the wall clock. Packaging is a small, fixed format, so druk
//! writes it itself: escaped by construction (see `xml`) and byte-for-byte reproducible.

use super::xhtml::{Layout, PartWriter, document};
use crate::diag::Diagnostic;
use crate::lang::Lang;
use crate::load::Project;
use crate::model::*;
use crate::parse::plain_text;
use crate::resolve::Book;
use crate::time::Stamp;
use crate::xml::{Element, el, escape};
use rayon::prelude::*;
use std::io::Write;

const TEXT_DIR: &str = "text";
const CSS_PATH: &str = "css/druk.css";

/// Builds the EPUB in memory; the caller writes it to disk atomically.
/// `only`: a one-chapter build with just that part (its references to other parts unlinked).
pub fn render(
    book: &Book,
    project: &Project,
    stamp: &Stamp,
    only: Option<usize>,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut layout = Layout::new(book, &project.sources, "../images/");
    if let Some(i) = only {
        layout = layout.only(book, i);
    }
    let lang = &book.meta.lang_tag;
    let css_href = format!("../{CSS_PATH}");

    // Parts are independent documents: render them in parallel, keep their order.
    let parts: Vec<(String, String)> = (0..book.parts.len())
        .into_par_iter()
        .filter(|&i| layout.present[i])
        .map(|i| {
            let mut w = PartWriter::new(book, &layout, i);
            let body = el("body").child(w.section());
            let title = plain_text(&book.parts[i].title.content);
            (
                format!("{TEXT_DIR}/{}", layout.part_files[i]),
                document(lang, &title, &css_href, body),
            )
        })
        .collect();

    let mut images = Vec::new();
    let mut diags = Vec::new();
    let mut sorted: Vec<(&String, &String)> = layout.images.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    for (src, name) in sorted {
        match book.images.get(src) {
            Some(img) => images.push((
                format!("images/{name}"),
                img.kind.media_type(),
                img.bytes.clone(),
            )),
            None => diags.push(
                Diagnostic::error("image", format!("image `{src}` could not be used"))
                    .in_file(src.clone()),
            ),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    let title_page = (
        "text/titelpagina.xhtml".to_string(),
        document(lang, &book.meta.title, &css_href, title_page(book)),
    );
    let colophon = (
        "text/colofon.xhtml".to_string(),
        document(lang, book.meta.lang.colophon(), &css_href, colophon(book)),
    );
    let nav = nav(book, &layout);
    let opf = package(book, &parts, &images, stamp);

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let when = stamp.zip();
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(when)
        .unix_permissions(0o644);
    let deflated = stored
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    let mut put = |name: &str, bytes: &[u8], opts| -> Result<(), std::io::Error> {
        zip.start_file(name, opts).map_err(std::io::Error::other)?;
        zip.write_all(bytes)
    };
    let result: Result<(), std::io::Error> = (|| {
        // The mimetype entry must come first and uncompressed (OCF 3.0 §4.3).
        put("mimetype", b"application/epub+zip", stored)?;
        put("META-INF/container.xml", CONTAINER.as_bytes(), deflated)?;
        put("EPUB/package.opf", opf.as_bytes(), deflated)?;
        put("EPUB/nav.xhtml", nav.as_bytes(), deflated)?;
        put(
            &format!("EPUB/{CSS_PATH}"),
            project.styles.css.as_bytes(),
            deflated,
        )?;
        put(
            &format!("EPUB/{}", title_page.0),
            title_page.1.as_bytes(),
            deflated,
        )?;
        put(
            &format!("EPUB/{}", colophon.0),
            colophon.1.as_bytes(),
            deflated,
        )?;
        for (name, text) in &parts {
            put(&format!("EPUB/{name}"), text.as_bytes(), deflated)?;
        }
        for (name, _, bytes) in &images {
            // PNG and JPEG are compressed already.
            put(&format!("EPUB/{name}"), bytes, stored)?;
        }
        Ok(())
    })();
    let finish = result.and_then(|_| zip.finish().map_err(std::io::Error::other));
    match finish {
        Ok(cursor) => Ok(cursor.into_inner()),
        Err(e) => Err(vec![Diagnostic::error(
            "epub",
            format!("cannot assemble the EPUB: {e}"),
        )]),
    }
}

const CONTAINER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"#;

/// `urn:isbn:` when the book has an EPUB ISBN; otherwise a name-based UUID of the title and
/// edition, so that the identifier is stable across builds of one edition.
pub fn identifier(book: &Book) -> String {
    match &book.meta.isbn_epub {
        Some(isbn) => format!("urn:isbn:{isbn}"),
        None => {
            let name = format!("{}\u{0}{}", book.meta.title, book.meta.edition.unwrap_or(1));
            format!(
                "urn:uuid:{}",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes())
            )
        }
    }
}

fn package(
    book: &Book,
    parts: &[(String, String)],
    images: &[(String, &str, std::sync::Arc<[u8]>)],
    stamp: &Stamp,
) -> String {
    let m = &book.meta;
    let mut md = String::new();
    let mut line = |s: String| {
        md.push_str("    ");
        md.push_str(&s);
        md.push('\n');
    };
    line(format!(
        "<dc:identifier id=\"book-id\">{}</dc:identifier>",
        escape(&identifier(book))
    ));
    line(format!(
        "<dc:title id=\"title\">{}</dc:title>",
        escape(&m.title)
    ));
    line("<meta refines=\"#title\" property=\"title-type\">main</meta>".into());
    if let Some(sub) = &m.subtitle {
        line(format!(
            "<dc:title id=\"subtitle\">{}</dc:title>",
            escape(sub)
        ));
        line("<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>".into());
    }
    for (i, a) in m.authors.iter().enumerate() {
        line(format!(
            "<dc:creator id=\"creator-{}\">{}</dc:creator>",
            i + 1,
            escape(a)
        ));
        line(format!(
            "<meta refines=\"#creator-{}\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            i + 1
        ));
    }
    let mut contributors: Vec<&str> = book
        .parts
        .iter()
        .filter_map(|p| p.author.as_deref())
        .filter(|a| !m.authors.iter().any(|x| x == a))
        .collect();
    contributors.dedup();
    for (i, c) in contributors.iter().enumerate() {
        line(format!(
            "<dc:contributor id=\"contributor-{}\">{}</dc:contributor>",
            i + 1,
            escape(c)
        ));
        line(format!(
            "<meta refines=\"#contributor-{}\" property=\"role\" scheme=\"marc:relators\">ctb</meta>",
            i + 1
        ));
    }
    line(format!(
        "<dc:language>{}</dc:language>",
        escape(&m.lang_tag)
    ));
    if let Some(p) = &m.publisher {
        line(format!("<dc:publisher>{}</dc:publisher>", escape(p)));
    }
    if let Some(y) = m.year {
        line(format!("<dc:date>{y}</dc:date>"));
    }
    if let Some(isbn) = &m.isbn_print {
        line(format!("<dc:source>urn:isbn:{isbn}</dc:source>"));
    }
    if let Some(e) = m.edition {
        line(format!(
            "<meta property=\"schema:bookEdition\">{}</meta>",
            escape(&m.lang.edition(e))
        ));
    }
    line(format!(
        "<meta property=\"dcterms:modified\">{}</meta>",
        stamp.iso()
    ));
    // Accessibility metadata (EPUB Accessibility 1.1): what a reading system may announce.
    for (p, v) in [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityHazard", "none"),
    ] {
        line(format!("<meta property=\"{p}\">{v}</meta>"));
    }

    let mut manifest = String::new();
    let mut spine = String::new();
    let mut item = |id: &str, href: &str, mt: &str, props: Option<&str>, in_spine: bool| {
        let props = props
            .map(|p| format!(" properties=\"{p}\""))
            .unwrap_or_default();
        manifest.push_str(&format!(
            "    <item id=\"{id}\" href=\"{}\" media-type=\"{mt}\"{props}/>\n",
            escape(href)
        ));
        if in_spine {
            spine.push_str(&format!("    <itemref idref=\"{id}\"/>\n"));
        }
    };
    let xhtml = "application/xhtml+xml";
    item("titlepage", "text/titelpagina.xhtml", xhtml, None, true);
    item("colophon", "text/colofon.xhtml", xhtml, None, true);
    item("nav", "nav.xhtml", xhtml, Some("nav"), true);
    for (i, (name, _)) in parts.iter().enumerate() {
        item(&format!("part-{}", i + 1), name, xhtml, None, true);
    }
    item("css", CSS_PATH, "text/css", None, false);
    for (i, (name, mt, _)) in images.iter().enumerate() {
        item(&format!("img-{}", i + 1), name, mt, None, false);
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"book-id\" xml:lang=\"{lang}\">\n  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{md}  </metadata>\n  <manifest>\n{manifest}  </manifest>\n  <spine>\n{spine}  </spine>\n</package>\n",
        lang = escape(&m.lang_tag)
    )
}

fn title_page(book: &Book) -> Element {
    let mut sec = super::xhtml::title_page(book);
    sec.attrs.insert(0, ("epub:type", "titlepage".into()));
    el("body").child(sec)
}

/// The colophon: what a library and a bookseller look for.
pub fn colophon_lines(book: &Book, isbn: Option<&str>, epub: bool) -> Vec<String> {
    let m = &book.meta;
    let lang = m.lang;
    let mut lines = Vec::new();
    let mut title = m.title.clone();
    if let Some(s) = &m.subtitle {
        title = format!("{title}. {s}");
    }
    lines.push(title);
    if !m.authors.is_empty() {
        lines.push(m.authors.join(", "));
    }
    if let Some(e) = m.edition {
        let y = m.year.map(|y| format!(", {y}")).unwrap_or_default();
        lines.push(format!("{}{y}", capitalize_first(&lang.edition(e))));
    }
    if let Some(p) = &m.publisher {
        lines.push(format!("{} {p}", lang.published_by()));
    }
    if let Some(i) = isbn {
        lines.push(format!("{} {}", lang.isbn_label(epub), hyphenate_isbn(i)));
    }
    let holder = if m.authors.is_empty() {
        m.publisher.clone().unwrap_or_default()
    } else {
        m.authors.join(", ")
    };
    match m.year {
        Some(y) => lines.push(format!("© {y} {holder}")),
        None => lines.push(format!("© {holder}")),
    }
    lines.push(lang.rights().to_string());
    lines
}

fn capitalize_first(s: &str) -> String {
    crate::lang::capitalize(s)
}

/// Groups ISBN digits for print. Without the range tables the registration groups are not
/// known, so the prefix, the check digit and the rest are separated only.
fn hyphenate_isbn(digits: &str) -> String {
    if digits.len() == 13 {
        format!("{}-{}-{}", &digits[..3], &digits[3..12], &digits[12..])
    } else {
        digits.to_string()
    }
}

fn colophon(book: &Book) -> Element {
    let mut sec = el("section")
        .attr("epub:type", "colophon")
        .class("colophon");
    sec.push(
        el("h1")
            .class("colophon-title")
            .text(book.meta.lang.colophon()),
    );
    for l in colophon_lines(book, book.meta.isbn_epub.as_deref(), true) {
        sec.push(el("p").text(l));
    }
    el("body").child(sec)
}

fn heading_label(h: &Heading) -> String {
    let t = plain_text(&h.content);
    match &h.number {
        Some(n) => format!("{n} {t}"),
        None => t,
    }
}

fn nav(book: &Book, layout: &Layout) -> String {
    let lang: Lang = book.meta.lang;
    let mut toc = el("ol").class("toc");
    for (pi, part) in book.parts.iter().enumerate() {
        if !layout.present[pi] {
            continue;
        }
        let file = format!("{TEXT_DIR}/{}", layout.part_files[pi]);
        let mut li = el("li").class(match part.kind {
            PartKind::Chapter => "toc-chapter",
            _ => "toc-part",
        });
        li.push(
            el("a")
                .attr("href", file.clone())
                .text(heading_label(&part.title)),
        );
        // Sections to three levels in all: chapter › section › subsection.
        let mut stack: Vec<(u8, Element)> = Vec::new();
        let mut top = el("ol");
        for b in &part.blocks {
            let Block::Heading(h) = b else { continue };
            if h.level > 3 {
                continue;
            }
            let item = el("li").child(
                el("a")
                    .attr("href", format!("{file}#{}", h.id))
                    .text(heading_label(h)),
            );
            while let Some((lvl, _)) = stack.last() {
                if *lvl >= h.level {
                    let (_, done) = stack.pop().expect("non-empty");
                    attach(&mut stack, &mut top, done);
                } else {
                    break;
                }
            }
            stack.push((h.level, item));
        }
        while let Some((_, done)) = stack.pop() {
            attach(&mut stack, &mut top, done);
        }
        if !top.children.is_empty() {
            li.push(top);
        }
        toc.push(li);
    }
    let first_chapter = (0..book.parts.len())
        .find(|&i| layout.present[i] && book.parts[i].kind == PartKind::Chapter);
    let landmark = |kind: &str, href: String, text: &str| {
        el("li").child(
            el("a")
                .attr("epub:type", kind)
                .attr("href", href)
                .text(text),
        )
    };
    let part_href = |i: usize| format!("{TEXT_DIR}/{}", layout.part_files[i]);
    let mut landmarks = el("ol")
        .child(landmark(
            "titlepage",
            "text/titelpagina.xhtml".into(),
            lang.title_page(),
        ))
        .child(landmark("toc", "nav.xhtml#toc".into(), lang.contents()));
    if let Some(fc) = first_chapter {
        landmarks.push(landmark("bodymatter", part_href(fc), lang.begin_reading()));
    }
    if let Some(bp) = book.bibliography_part().filter(|&bp| layout.present[bp]) {
        landmarks.push(landmark("bibliography", part_href(bp), lang.references()));
    }
    let body = el("body")
        .child(
            el("nav")
                .attr("epub:type", "toc")
                .attr("id", "toc")
                .attr("role", "doc-toc")
                .child(el("h1").class("toc-title").text(lang.contents()))
                .child(toc),
        )
        .child(
            el("nav")
                .attr("epub:type", "landmarks")
                .attr("id", "landmarks")
                .attr("hidden", "hidden")
                .child(el("h2").text(lang.landmarks()))
                .child(landmarks),
        );
    document(&book.meta.lang_tag, lang.contents(), CSS_PATH, body)
}

/// Puts a finished nav item under its parent item, or at the top of the part's list.
fn attach(stack: &mut [(u8, Element)], top: &mut Element, item: Element) {
    match stack.last_mut() {
        Some((_, parent)) => {
            if let Some(crate::xml::Node::Element(ol)) = parent.children.last_mut()
                && ol.name == "ol"
            {
                ol.push(item);
                return;
            }
            parent.push(el("ol").child(item));
        }
        None => top.push(item),
    }
}
