//! The book model as XHTML trees: one document per part, shared by the EPUB and HTML outputs.

use crate::lang::Lang;
use crate::model::*;
use crate::resolve::Book;
use crate::xml::{Element, Node, el};
use std::collections::HashMap;

/// File names of parts and images inside the package, fixed before any XHTML is built so that
/// links between parts can be written.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Per part: file name relative to the text folder ("hoofdstuk-03.xhtml").
    pub part_files: Vec<String>,
    /// Book-relative image path → file name in the images folder.
    pub images: HashMap<String, String>,
    /// How a part file reaches the images folder ("../images/" in EPUB).
    pub image_prefix: String,
    /// Parts present in this output; a reference into an absent part (a one-chapter build)
    /// is printed without a link.
    pub present: Vec<bool>,
}

impl Layout {
    pub fn new(book: &Book, sources: &crate::source::SourceMap, image_prefix: &str) -> Layout {
        // The package's own pages keep their names (the web edition's index.html too), and
        // chapters theirs (`hoofdstuk-03`, as `--chapter` promises), whatever the other
        // parts' files are called; names are lower-case ASCII, so no two differ in case only.
        let mut used: std::collections::HashSet<String> =
            ["titelpagina", "colofon", "nav", "index"]
                .iter()
                .map(|s| format!("{s}.xhtml"))
                .collect();
        let stems: Vec<(bool, String)> = book
            .parts
            .iter()
            .map(|p| match p.kind {
                PartKind::Chapter => (true, format!("hoofdstuk-{:02}", p.number.unwrap_or(0))),
                PartKind::Bibliography => (true, "literatuur".into()),
                _ => {
                    let rel = &sources.get(p.file).rel;
                    let name = std::path::Path::new(rel)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    (false, crate::load::slug(&name))
                }
            })
            .collect();
        let mut part_files = vec![String::new(); stems.len()];
        for first in [true, false] {
            for (i, (own, stem)) in stems.iter().enumerate() {
                if *own != first {
                    continue;
                }
                let mut name = format!("{stem}.xhtml");
                let mut n = 1;
                while !used.insert(name.clone()) {
                    n += 1;
                    name = format!("{stem}-{n}.xhtml");
                }
                part_files[i] = name;
            }
        }
        let images = book
            .images
            .iter()
            .map(|img| (img.src.clone(), img.name.clone()))
            .collect();
        Layout {
            present: vec![true; part_files.len()],
            part_files,
            images,
            image_prefix: image_prefix.to_string(),
        }
    }

    /// Keeps only part `i` and its images (a one-chapter build).
    pub fn only(mut self, book: &Book, i: usize) -> Layout {
        for (k, p) in self.present.iter_mut().enumerate() {
            *p = k == i;
        }
        let used: std::collections::HashSet<String> = crate::images::sources_in(&book.parts[i])
            .into_iter()
            .collect();
        self.images.retain(|k, _| used.contains(k));
        self
    }

    /// The link to a target, or `None` when its part is not in this output.
    pub fn href(&self, from_part: usize, t: &Target) -> Option<String> {
        if t.part == from_part {
            Some(format!("#{}", t.id))
        } else if self.present.get(t.part).copied().unwrap_or(false) {
            Some(format!("{}#{}", self.part_files[t.part], t.id))
        } else {
            None
        }
    }
}

/// The title page from book.yaml, shared by the EPUB and the web edition's index.
pub fn title_page(book: &Book) -> Element {
    let m = &book.meta;
    let mut sec = el("section").class("titlepage");
    if !m.authors.is_empty() {
        sec.push(el("p").class("title-authors").text(m.authors.join(", ")));
    }
    sec.push(el("h1").class("title").text(m.title.clone()));
    if let Some(s) = &m.subtitle {
        sec.push(el("p").class("subtitle").text(s.clone()));
    }
    if let Some(e) = m.edition {
        sec.push(el("p").class("title-edition").text(m.lang.edition(e)));
    }
    if let Some(p) = &m.publisher {
        sec.push(el("p").class("title-publisher").text(p.clone()));
    }
    sec
}

/// The XHTML document around a body: the same head for every part.
pub fn document(lang: &str, title: &str, css_href: &str, body: Element) -> String {
    let html = el("html")
        .attr("xmlns", "http://www.w3.org/1999/xhtml")
        .attr("xmlns:epub", "http://www.idpf.org/2007/ops")
        .attr("xml:lang", lang)
        .attr("lang", lang)
        .child(
            el("head")
                .child(el("meta").attr("charset", "utf-8"))
                .child(el("title").text(title))
                .child(
                    el("link")
                        .attr("rel", "stylesheet")
                        .attr("type", "text/css")
                        .attr("href", css_href),
                ),
        )
        .child(body);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    html.write(&mut out);
    out.push('\n');
    out
}

/// Renders one part's content as a `<section>`.
pub struct PartWriter<'a> {
    pub book: &'a Book,
    pub layout: &'a Layout,
    pub part: usize,
    /// How often each footnote was referenced so far: the second reference gets its own id.
    note_refs: Vec<u32>,
}

impl<'a> PartWriter<'a> {
    pub fn new(book: &'a Book, layout: &'a Layout, part: usize) -> Self {
        let n = book.parts[part].footnotes.len();
        PartWriter {
            book,
            layout,
            part,
            note_refs: vec![0; n],
        }
    }

    fn lang(&self) -> Lang {
        self.book.meta.lang
    }

    pub fn section(&mut self) -> Element {
        let part = &self.book.parts[self.part];
        let (etype, role) = match part.kind {
            PartKind::Chapter => ("chapter", "doc-chapter"),
            PartKind::Bibliography => ("bibliography", "doc-bibliography"),
            PartKind::Front => {
                match crate::load::slug(&crate::parse::plain_text(&part.title.content)).as_str() {
                    "voorwoord" | "preface" | "foreword" => ("preface", "doc-preface"),
                    "inleiding" | "introduction" => ("introduction", "doc-introduction"),
                    _ => ("frontmatter", ""),
                }
            }
            PartKind::Back => ("backmatter", ""),
        };
        let mut sec = el("section").attr("epub:type", etype);
        if !role.is_empty() {
            sec = sec.attr("role", role);
        }
        sec = sec.attr("aria-labelledby", part.title.id.clone());
        let mut header = el("header").class(if part.kind == PartKind::Chapter {
            "chapter-opening"
        } else {
            "part-opening"
        });
        let mut h1 = el("h1").attr("id", part.title.id.clone());
        if let Some(n) = &part.title.number {
            h1 = h1.child(
                el("span")
                    .class("chapter-number")
                    .text(format!("{} {n}", self.lang().chapter_word())),
            );
            h1 = h1.child(
                el("span")
                    .class("chapter-title")
                    .children(self.inlines(&part.title.content, false)),
            );
        } else {
            h1 = h1.children(self.inlines(&part.title.content, false));
        }
        header.push(h1);
        if let Some(a) = &part.author {
            header.push(el("p").class("chapter-author").text(a.clone()));
        }
        sec.push(header);
        let blocks = part.blocks.clone();
        for b in &blocks {
            sec.push(self.block(b));
        }
        if !part.footnotes.is_empty() {
            sec.push(self.footnotes());
        }
        sec
    }

    fn footnotes(&mut self) -> Element {
        let part = &self.book.parts[self.part];
        let mut div = el("section")
            .class("footnotes")
            .attr("epub:type", "footnotes");
        div.push(
            el("h2")
                .class("footnotes-title")
                .text(self.lang().footnotes()),
        );
        let notes = part.footnotes.clone();
        for (i, f) in notes.iter().enumerate() {
            let n = i + 1;
            let mut aside = el("aside")
                .attr("id", format!("fn-{n}"))
                .attr("epub:type", "footnote")
                .attr("role", "doc-footnote")
                .class("footnote");
            let back = el("a")
                .attr("href", format!("#fnref-{n}"))
                .attr("role", "doc-backlink")
                .attr("title", self.lang().back_to_text())
                .class("footnote-back")
                .text(format!("{n}"));
            let mut first = true;
            for b in &f.blocks {
                let mut e = self.block(b);
                if first && e.name == "p" {
                    e.children.insert(0, Node::Text(" ".into()));
                    e.children.insert(0, back.clone().into());
                    first = false;
                }
                aside.push(e);
            }
            if first {
                aside.push(el("p").child(back));
            }
            div.push(aside);
        }
        div
    }

    pub fn block(&mut self, b: &Block) -> Element {
        match b {
            Block::Heading(h) => {
                // Level 1 is the chapter's title; below the chapter's level only a quote or a
                // list item can hold a `#` heading, and it keeps its level there.
                let name = match h.level {
                    1 => "h1",
                    0 | 2 => "h2",
                    3 => "h3",
                    4 => "h4",
                    5 => "h5",
                    _ => "h6",
                };
                let mut e = el(name).attr("id", h.id.clone());
                if let Some(n) = &h.number {
                    e = e.child(el("span").class("secno").text(n.clone())).text(" ");
                }
                e.children(self.inlines(&h.content, false))
            }
            Block::Paragraph(i, _) => el("p").children(self.inlines(i, false)),
            Block::List(l) => {
                let mut e = match l.ordered {
                    Some(start) => {
                        let e = el("ol");
                        if start != 1 {
                            e.attr("start", start.to_string())
                        } else {
                            e
                        }
                    }
                    None => el("ul"),
                };
                if l.tasks.iter().any(Option::is_some) {
                    e = e.class("tasks");
                }
                for (k, item) in l.items.iter().enumerate() {
                    let mut li = el("li");
                    let mut task = l.tasks.get(k).copied().flatten().map(|done| {
                        let (mark, state) = if done {
                            ("☑", self.lang().task_done())
                        } else {
                            ("☐", self.lang().task_open())
                        };
                        el("span")
                            .class("task")
                            .attr("role", "img")
                            .attr("aria-label", state)
                            .text(mark)
                    });
                    for b in item {
                        match b {
                            // Tight lists hold their text directly, as Pandoc writes them.
                            Block::Paragraph(i, _) if l.tight => {
                                let mut span = el("span").class("li");
                                if let Some(t) = task.take() {
                                    span = span.child(t).text(" ");
                                }
                                li.push(span.children(self.inlines(i, false)))
                            }
                            Block::Paragraph(i, _) if task.is_some() => {
                                let t = task.take().into_iter().map(Node::from);
                                li.push(
                                    el("p")
                                        .children(t)
                                        .text(" ")
                                        .children(self.inlines(i, false)),
                                )
                            }
                            _ => li.push(self.block(b)),
                        }
                    }
                    if let Some(t) = task {
                        li.push(t);
                    }
                    e.push(li);
                }
                e
            }
            Block::Definitions(defs) => {
                let mut dl = el("dl");
                for d in defs {
                    dl.push(el("dt").children(self.inlines(&d.term, false)));
                    for details in &d.details {
                        dl.push(el("dd").children(details.iter().map(|b| self.block(b).into())));
                    }
                }
                dl
            }
            Block::Quote(bs) => el("blockquote").children(bs.iter().map(|b| self.block(b).into())),
            Block::Kader(k) => {
                let mut e = el("div").class("kader");
                if let Some(l) = &k.label {
                    e = e.attr("id", l.name.clone());
                }
                if k.title.is_some() || k.number.is_some() {
                    let mut t = el("p").class("kader-title");
                    if let Some(n) = &k.number {
                        t = t.child(el("span").class("kader-number").text(format!(
                            "{} {n}",
                            crate::lang::capitalize(self.lang().term(crate::lang::RefKind::Kader))
                        )));
                        if k.title.is_some() {
                            t = t.text(" ");
                        }
                    }
                    if let Some(title) = &k.title {
                        t = t.children(self.inlines(title, false));
                    }
                    e.push(t);
                }
                e.children(k.blocks.iter().map(|b| self.block(b).into()))
            }
            Block::Div(d) => {
                let mut e = el("div");
                if let Some(id) = &d.id {
                    e = e.attr("id", id.clone());
                }
                if let Some(lang) = &d.lang {
                    e = e.attr("lang", lang.clone()).attr("xml:lang", lang.clone());
                }
                if !d.classes.is_empty() {
                    e = e.class(d.classes.join(" "));
                }
                e.children(d.blocks.iter().map(|b| self.block(b).into()))
            }
            Block::Table(t) => self.table(t),
            Block::Figure(f) => {
                let mut e = el("figure");
                if let Some(l) = &f.label {
                    e = e.attr("id", l.name.clone());
                }
                let src = self
                    .layout
                    .images
                    .get(&f.src)
                    .cloned()
                    .unwrap_or_else(|| f.src.clone());
                let alt = f
                    .alt
                    .clone()
                    .unwrap_or_else(|| crate::parse::plain_text(&f.caption));
                let mut img = el("img")
                    .attr("src", format!("{}{src}", self.layout.image_prefix))
                    .attr("alt", alt);
                if let Some(t) = &f.title {
                    img = img.attr("title", t.clone());
                }
                if let Some(w) = f.width {
                    img = img.attr("style", css_width(w));
                }
                e = e.child(img);
                let mut cap = el("figcaption");
                if let Some(n) = &f.number {
                    cap = cap
                        .child(el("span").class("caption-label").text(format!(
                            "{} {n}",
                            crate::lang::capitalize(self.lang().term(crate::lang::RefKind::Figure))
                        )))
                        .text(" ");
                }
                if !f.caption.is_empty() || f.number.is_some() {
                    e = e.child(cap.children(self.inlines(&f.caption, false)));
                }
                e
            }
            Block::Code(c) => {
                let mut code = el("code");
                if let Some(l) = &c.lang {
                    code = code.class(format!("language-{l}"));
                }
                let pre = el("pre").child(code.text(c.text.clone()));
                if c.id.is_none() && c.caption.is_none() {
                    return pre;
                }
                // A listing with a name or caption: a figure, so the caption belongs to it.
                let mut fig = el("figure").class("listing");
                if let Some(id) = &c.id {
                    fig = fig.attr("id", id.clone());
                }
                if let Some(cap) = &c.caption {
                    fig = fig.child(el("figcaption").text(cap.clone()));
                }
                fig.child(pre)
            }
            Block::Rule => el("hr"),
            Block::References(refs) => {
                let mut div = el("div").class("references").attr("role", "list");
                for r in refs {
                    div.push(
                        el("p")
                            .class("reference")
                            .attr("id", r.id.clone())
                            .attr("role", "listitem")
                            .children(self.inlines(&r.content, false)),
                    );
                }
                div
            }
        }
    }

    fn table(&mut self, t: &Table) -> Element {
        let mut e = el("table");
        if let Some(l) = &t.label {
            e = e.attr("id", l.name.clone());
        }
        if t.caption.is_some() || t.number.is_some() {
            let mut cap = el("caption");
            if let Some(n) = &t.number {
                cap = cap
                    .child(el("span").class("caption-label").text(format!(
                        "{} {n}",
                        crate::lang::capitalize(self.lang().term(crate::lang::RefKind::Table))
                    )))
                    .text(" ");
            }
            if let Some(c) = &t.caption {
                cap = cap.children(self.inlines(c, false));
            }
            e.push(cap);
        }
        let cell = |w: &mut Self, name: &'static str, col: usize, c: &[Inline]| {
            let mut td = el(name);
            match t.align.get(col) {
                Some(Align::Left) => td = td.class("left"),
                Some(Align::Center) => td = td.class("center"),
                Some(Align::Right) => td = td.class("right"),
                _ => {}
            }
            td.children(w.inlines(c, false))
        };
        if !t.header.is_empty() {
            let mut tr = el("tr");
            for (i, c) in t.header.iter().enumerate() {
                tr.push(cell(self, "th", i, c).attr("scope", "col"));
            }
            e.push(el("thead").child(tr));
        }
        let mut body = el("tbody");
        for row in &t.rows {
            let mut tr = el("tr");
            for (i, c) in row.iter().enumerate() {
                tr.push(cell(self, "td", i, c));
            }
            body.push(tr);
        }
        e.child(body)
    }

    /// `in_link` keeps references inside an author's link from nesting a second link.
    pub fn inlines(&mut self, v: &[Inline], in_link: bool) -> Vec<Node> {
        let mut out = Vec::with_capacity(v.len());
        for i in v {
            out.push(match i {
                Inline::Text(t) => Node::Text(t.clone()),
                Inline::LineBreak => el("br").into(),
                Inline::Styled(s, c) => {
                    let e = match s {
                        Style::Emph => el("em"),
                        Style::Strong => el("strong"),
                        Style::Strike => el("del"),
                        Style::Superscript => el("sup"),
                        Style::Subscript => el("sub"),
                        Style::Underline => el("u"),
                        Style::SmallCaps => el("span").class("smallcaps"),
                    };
                    e.children(self.inlines(c, in_link)).into()
                }
                Inline::Span(a, c) => {
                    let mut e = el("span");
                    if let Some(id) = &a.id {
                        e = e.attr("id", id.clone());
                    }
                    if !a.classes.is_empty() {
                        e = e.class(a.classes.join(" "));
                    }
                    if let Some(lang) = &a.lang {
                        e = e.attr("lang", lang.clone()).attr("xml:lang", lang.clone());
                    }
                    if let Some(t) = &a.title {
                        e = e.attr("title", t.clone());
                    }
                    e.children(self.inlines(c, in_link)).into()
                }
                Inline::Code(c) => el("code").text(c.clone()).into(),
                Inline::Link {
                    url,
                    title,
                    content,
                    ..
                } => {
                    let href = self.link_href(url);
                    let mut a = el("a").attr("href", href);
                    if let Some(t) = title {
                        a = a.attr("title", t.clone());
                    }
                    if url.contains("://") {
                        a = a.class("external");
                    }
                    a.children(self.inlines(content, true)).into()
                }
                Inline::Image {
                    src,
                    alt,
                    title,
                    width,
                    ..
                } => {
                    let file = self
                        .layout
                        .images
                        .get(src)
                        .cloned()
                        .unwrap_or_else(|| src.clone());
                    let mut img = el("img")
                        .attr("src", format!("{}{file}", self.layout.image_prefix))
                        .attr("alt", alt.clone());
                    if let Some(t) = title {
                        img = img.attr("title", t.clone());
                    }
                    if let Some(w) = width {
                        img = img.attr("style", css_width(*w));
                    }
                    img.into()
                }
                Inline::FootnoteRef(ix) => {
                    let n = ix + 1;
                    let count = self.note_refs.get_mut(*ix).map(|c| {
                        *c += 1;
                        *c
                    });
                    let id = match count {
                        Some(1) | None => format!("fnref-{n}"),
                        Some(k) => format!("fnref-{n}-{k}"),
                    };
                    el("sup")
                        .class("noteref")
                        .child(
                            el("a")
                                .attr("id", id)
                                .attr("href", format!("#fn-{n}"))
                                .attr("epub:type", "noteref")
                                .attr("role", "doc-noteref")
                                .text(n.to_string()),
                        )
                        .into()
                }
                Inline::CrossRef(r) => match (&r.resolved, &r.target) {
                    (Some(res), _) if !in_link => match self.layout.href(self.part, &res.target) {
                        Some(href) => el("a")
                            .class("xref")
                            .attr("href", href)
                            .text(res.text.clone())
                            .into(),
                        None => el("span").class("xref").text(res.text.clone()).into(),
                    },
                    (Some(res), _) => Node::Text(res.text.clone()),
                    (None, RefTarget::Spelled { text, .. }) => Node::Text(text.clone()),
                    (None, RefTarget::Label { name, .. }) => Node::Text(format!("@{name}")),
                },
                Inline::Citation(c) => {
                    let span = el("span").class("citation");
                    match &c.rendered {
                        Some(r) => span.children(self.inlines(r, in_link)).into(),
                        None => span.text(raw_citation(c)).into(),
                    }
                }
                Inline::Internal { target, content } if !in_link => {
                    match self.layout.href(self.part, target) {
                        Some(href) => el("a")
                            .attr("href", href)
                            .children(self.inlines(content, true))
                            .into(),
                        None => el("span").children(self.inlines(content, true)).into(),
                    }
                }
                Inline::Internal { content, .. } => {
                    el("span").children(self.inlines(content, true)).into()
                }
            });
        }
        out
    }

    /// `[tekst](#sec-x)`: an author's link to a label goes to the part that holds it.
    fn link_href(&self, url: &str) -> String {
        if let Some(label) = url.strip_prefix('#')
            && let Some(t) = self.book.labels.get(label)
        {
            return self
                .layout
                .href(self.part, &t.target)
                .unwrap_or_else(|| url.to_string());
        }
        url_safe(url)
    }
}

/// An image width as CSS: a share of the text width, or a length.
fn css_width(w: crate::model::Width) -> String {
    match w {
        crate::model::Width::Share(f) => format!("width: {}%", trim_number(f * 100.0)),
        crate::model::Width::Points(pt) => format!("width: {}mm", trim_number(pt * 25.4 / 72.0)),
        crate::model::Width::Em(em) => format!("width: {}em", trim_number(em)),
    }
}

/// A number with at most two decimals and no trailing zeros.
fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A link's address as HTML and EPUB accept it, as CommonMark renderers write it: a space,
/// a quote, an angle bracket, a backslash, a letter beyond ASCII (`[x](</my uri>)`,
/// `[x](/föö)`), a `%` that starts no escape and a `#` after the first are percent-encoded;
/// characters with a meaning in URLs, and `%` escapes already written, stay as they are.
pub fn url_safe(url: &str) -> String {
    const KEEP: &[u8] = b"-_.!~*'();/?:@&=+$,%#";
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    let first_hash = url.find('#');
    for (i, &b) in bytes.iter().enumerate() {
        let stray_percent = b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        let second_hash = b == b'#' && first_hash != Some(i);
        if (b.is_ascii_alphanumeric() || KEEP.contains(&b)) && !stray_percent && !second_hash {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A citation before the citation stage has formatted it: the keys as written.
pub fn raw_citation(c: &Citation) -> String {
    let keys: Vec<String> = c
        .items
        .iter()
        .map(|i| {
            let mut s = String::new();
            if !i.prefix.is_empty() {
                s.push_str(&i.prefix);
                s.push(' ');
            }
            s.push_str(&i.key);
            if !i.suffix.is_empty() {
                s.push_str(", ");
                s.push_str(&i.suffix);
            }
            s
        })
        .collect();
    match c.mode {
        CiteMode::Narrative => keys.join("; "),
        CiteMode::Parenthetical => format!("({})", keys.join("; ")),
    }
}
