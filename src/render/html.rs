//! render::html: the book as a static web site (`out/html/`), from the same XHTML trees as the
//! EPUB, so what an author previews is what the EPUB shows. Valid HTML5, usable without
//! JavaScript; a small script only highlights the section being read.

use super::xhtml::{Layout, PartWriter};
use crate::diag::Diagnostic;
use crate::model::*;
use crate::parse::plain_text;
use crate::resolve::Book;
use crate::xml::{Element, Node, el};

/// The web style beside `epub.css`: page layout, sidebar, pager.
pub const BUILTIN_WEB_CSS: &str = include_str!("../../styles/web.css");
/// Progressive enhancement: highlights the section in view in the sidebar.
pub const SCRIPT: &str = include_str!("../../styles/druk.js");

/// One file of the site: path relative to the site root, and its bytes.
pub type SiteFile = (String, Vec<u8>);

/// What a page needs besides the book: the live-reload hook when served by `druk serve`.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageOptions {
    pub live_reload: bool,
}

pub fn layout(book: &Book, sources: &crate::source::SourceMap) -> Layout {
    let mut l = Layout::new(book, sources, "images/");
    for f in &mut l.part_files {
        if let Some(stem) = f.strip_suffix(".xhtml") {
            *f = format!("{stem}.html");
        }
    }
    l
}

/// Renders the whole site.
pub fn render(
    book: &Book,
    project: &crate::load::Project,
    opts: PageOptions,
) -> Result<Vec<SiteFile>, Vec<Diagnostic>> {
    render_pages(book, project, opts, &|_| true)
}

/// A page of the site: the index (title page and contents) or a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Index,
    Part(usize),
}

/// Renders the pages `want` selects, plus the style, script and images; `druk serve` uses it
/// to render again only what an edit changed.
pub fn render_pages(
    book: &Book,
    project: &crate::load::Project,
    opts: PageOptions,
    want: &(dyn Fn(Page) -> bool + Sync),
) -> Result<Vec<SiteFile>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let layout = layout(book, &project.sources);
    let mut files: Vec<SiteFile> = (0..book.parts.len())
        .into_par_iter()
        .filter(|&i| want(Page::Part(i)))
        .map(|i| {
            (
                layout.part_files[i].clone(),
                part_page(book, &layout, i, opts).into_bytes(),
            )
        })
        .collect();
    if want(Page::Index) {
        files.insert(
            0,
            (
                "index.html".into(),
                index_page(book, &layout, opts).into_bytes(),
            ),
        );
    }
    files.push((
        "css/druk.css".into(),
        project.styles.css.clone().into_bytes(),
    ));
    files.push(("css/web.css".into(), web_css(project).into_bytes()));
    files.push(("js/druk.js".into(), SCRIPT.as_bytes().to_vec()));
    let mut sorted: Vec<(&String, &String)> = layout.images.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    let mut diags = Vec::new();
    for (src, name) in sorted {
        match book.images.get(src) {
            Some(img) => files.push((format!("images/{name}"), img.bytes.to_vec())),
            None => diags.push(unusable(src)),
        }
    }
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
}

/// One page of the web edition, with the style and images it needs, for `--chapter`: its links
/// to other pages lead to the full edition's pages in the same folder.
pub fn render_part(
    book: &Book,
    project: &crate::load::Project,
    i: usize,
) -> Result<Vec<SiteFile>, Vec<Diagnostic>> {
    let full = layout(book, &project.sources);
    let page = part_page(book, &full, i, PageOptions::default());
    let mut files = vec![(full.part_files[i].clone(), page.into_bytes())];
    files.push((
        "css/druk.css".into(),
        project.styles.css.clone().into_bytes(),
    ));
    files.push(("css/web.css".into(), web_css(project).into_bytes()));
    files.push(("js/druk.js".into(), SCRIPT.as_bytes().to_vec()));
    let mine = layout(book, &project.sources).only(book, i);
    let mut sorted: Vec<(&String, &String)> = mine.images.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    for (src, name) in sorted {
        match book.images.get(src) {
            Some(img) => files.push((format!("images/{name}"), img.bytes.to_vec())),
            None => return Err(vec![unusable(src)]),
        }
    }
    Ok(files)
}

/// An image the book's check left out (it reported why): never a page with a broken image.
fn unusable(src: &str) -> Diagnostic {
    Diagnostic::error("image", format!("image `{src}` could not be used")).in_file(src)
}

fn web_css(project: &crate::load::Project) -> String {
    project
        .styles
        .dir
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("web.css")).ok())
        .unwrap_or_else(|| BUILTIN_WEB_CSS.to_string())
}

/// One chapter or front/back part as a page; exposed so `druk serve` can re-render one part.
pub fn part_page(book: &Book, layout: &Layout, i: usize, opts: PageOptions) -> String {
    let mut w = PartWriter::new(book, layout, i);
    let mut section = w.section();
    strip_epub(&mut section);
    let title = plain_text(&book.parts[i].title.content);
    let main = el("main")
        .attr("id", "content")
        .child(section)
        .child(pager(book, layout, i));
    page(book, layout, Some(i), &title, main, opts)
}

fn index_page(book: &Book, layout: &Layout, opts: PageOptions) -> String {
    let m = &book.meta;
    let tp = super::xhtml::title_page(book);
    let mut toc = el("nav")
        .class("index-toc")
        .attr("aria-label", m.lang.contents());
    toc.push(el("h2").text(m.lang.contents()));
    toc.push(toc_list(book, layout, None, 3));
    let mut colophon = el("section").class("colophon");
    for l in super::epub::colophon_lines(book, m.isbn_epub.as_deref(), true) {
        colophon.push(el("p").text(l));
    }
    let mut main = el("main")
        .attr("id", "content")
        .child(tp)
        .child(toc)
        .child(colophon);
    main.push(pager(book, layout, usize::MAX));
    page(book, layout, None, &m.title, main, opts)
}

fn page(
    book: &Book,
    layout: &Layout,
    current: Option<usize>,
    title: &str,
    main: Element,
    opts: PageOptions,
) -> String {
    let m = &book.meta;
    let full_title = if current.is_some() {
        format!("{title} — {}", m.title)
    } else {
        title.to_string()
    };
    let mut head = el("head")
        .child(el("meta").attr("charset", "utf-8"))
        .child(
            el("meta")
                .attr("name", "viewport")
                .attr("content", "width=device-width, initial-scale=1"),
        )
        .child(el("title").text(full_title))
        .child(
            el("link")
                .attr("rel", "stylesheet")
                .attr("href", "css/druk.css"),
        )
        .child(
            el("link")
                .attr("rel", "stylesheet")
                .attr("href", "css/web.css"),
        )
        .child(
            el("script")
                .attr("src", "js/druk.js")
                .attr("defer", "defer"),
        );
    if opts.live_reload {
        head.push(
            el("script")
                .attr("src", "/_druk/live.js")
                .attr("defer", "defer"),
        );
    }
    let sidebar = el("nav")
        .class("sidebar")
        .attr("id", "sidebar")
        .attr("aria-label", m.lang.contents())
        .child(
            el("p")
                .class("book-title")
                .child(el("a").attr("href", "index.html").text(m.title.clone())),
        )
        .child(toc_list(book, layout, current, 2));
    let body = el("body")
        .child(
            el("a")
                .class("skip")
                .attr("href", "#content")
                .text(skip_text(m.lang)),
        )
        // A checkbox and a label open the sidebar on narrow screens without JavaScript.
        .child(
            el("input")
                .attr("type", "checkbox")
                .attr("id", "nav-toggle")
                .class("nav-toggle")
                .attr("aria-label", m.lang.contents()),
        )
        .child(
            el("label")
                .attr("for", "nav-toggle")
                .class("nav-button")
                .text(format!("☰ {}", m.lang.contents())),
        )
        .child(sidebar)
        .child(main);
    let html = el("html")
        .attr("lang", m.lang_tag.clone())
        .child(head)
        .child(body);
    let mut out = String::from("<!DOCTYPE html>\n");
    html.write(&mut out);
    out
}

fn skip_text(lang: crate::lang::Lang) -> &'static str {
    match lang {
        crate::lang::Lang::Nl => "Naar de tekst",
        crate::lang::Lang::En => "Skip to content",
    }
}

/// The table of contents as nested lists; `current` is marked and its sections shown.
fn toc_list(book: &Book, layout: &Layout, current: Option<usize>, depth: u8) -> Element {
    let mut ol = el("ol").class("toc");
    for (pi, part) in book.parts.iter().enumerate() {
        let file = &layout.part_files[pi];
        let mut a = el("a").attr("href", file.clone()).text(label(&part.title));
        if current == Some(pi) {
            a = a.attr("aria-current", "page");
        }
        let mut li = el("li").child(a);
        if current == Some(pi) || current.is_none() {
            let mut sub = el("ol");
            for b in &part.blocks {
                if let Block::Heading(h) = b
                    && h.level <= depth
                {
                    sub.push(
                        el("li").class(format!("toc-level-{}", h.level)).child(
                            el("a")
                                .attr("href", format!("{file}#{}", h.id))
                                .text(label(h)),
                        ),
                    );
                }
            }
            if !sub.children.is_empty() {
                li.push(sub);
            }
        }
        if current == Some(pi) {
            li = li.class("current");
        }
        ol.push(li);
    }
    ol
}

fn label(h: &Heading) -> String {
    let t = plain_text(&h.content);
    match &h.number {
        Some(n) => format!("{n} {t}"),
        None => t,
    }
}

/// Previous and next links; `usize::MAX` stands for the index page.
fn pager(book: &Book, layout: &Layout, i: usize) -> Element {
    let lang = book.meta.lang;
    let (prev_word, next_word) = match lang {
        crate::lang::Lang::Nl => ("Vorige", "Volgende"),
        crate::lang::Lang::En => ("Previous", "Next"),
    };
    let mut nav = el("nav")
        .class("pager")
        .attr("aria-label", format!("{prev_word} / {next_word}"));
    let (prev, next) = if i == usize::MAX {
        (None, (!book.parts.is_empty()).then_some(0))
    } else {
        (
            Some(i.checked_sub(1)),
            (i + 1 < book.parts.len()).then_some(i + 1),
        )
    };
    match prev {
        Some(Some(p)) => nav.push(
            el("a")
                .attr("rel", "prev")
                .attr("href", layout.part_files[p].clone())
                .text(format!("← {}", label(&book.parts[p].title))),
        ),
        Some(None) => nav.push(
            el("a")
                .attr("rel", "prev")
                .attr("href", "index.html")
                .text(format!("← {}", book.meta.title)),
        ),
        None => {}
    }
    if let Some(n) = next {
        nav.push(
            el("a")
                .attr("rel", "next")
                .attr("href", layout.part_files[n].clone())
                .text(format!("{} →", label(&book.parts[n].title))),
        );
    }
    nav
}

/// EPUB's structural semantics (`epub:type`) have no place in HTML5.
fn strip_epub(e: &mut Element) {
    e.attrs.retain(|(k, _)| !k.starts_with("epub:"));
    for c in &mut e.children {
        if let Node::Element(child) = c {
            strip_epub(child);
        }
    }
}
