//! parse: one part per Markdown file, in parallel, into the book model with spans.
//!
//! comrak gives a CommonMark/GFM tree with source positions; this module turns it into
//! [`crate::model`] nodes and gives the Pandoc/Quarto extensions (labels, `{-}`, `:::` divs,
//! `@ref`, `[@cite]`, table captions, figures) their own nodes instead of leaving them as text.

pub mod attrs;
pub mod refs;
pub mod smart;

use crate::diag::Diagnostic;
use crate::lang::{Lang, RefKind};
use crate::load::{Entry, Project};
use crate::model::*;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};
use rayon::prelude::*;
use std::collections::HashMap;

/// The comrak extensions druk's format needs, and no more.
fn options() -> comrak::Options<'static> {
    let mut o = comrak::Options::default();
    o.extension.table = true;
    o.extension.footnotes = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.superscript = false;
    o.extension.block_directive = true;
    o.extension.header_attributes = true;
    o.extension.link_attributes = true;
    // Smart punctuation is druk's own (see `smart.rs`): only there is it known which quotes
    // the author typed curly and which characters were escaped.
    o.parse.smart = false;
    o.parse.escaped_char_spans = true;
    o
}

/// Parses every file part of the project. The result is in the order of `project.contents`;
/// `None` stands for a generated part (the reference list) or a file that failed.
pub fn parse(project: &Project) -> (Vec<Option<Part>>, Vec<Diagnostic>) {
    parse_with(project, &mut ParseCache::default())
}

/// A file's text hash and what parsing it gave.
type Cached = (u64, Option<Part>, Vec<Diagnostic>);

/// Parsed parts by file, kept between builds by `druk serve` so that only edited files are
/// parsed again. A part is reused when its file id (same book.yaml) and text are unchanged.
#[derive(Default)]
pub struct ParseCache {
    parts: HashMap<(FileId, String), Cached>,
    /// How many files the last call parsed (the rest came from the cache).
    pub parsed: usize,
    /// Off for a one-time build, which would only pay for copying the parts in.
    keep: bool,
}

impl ParseCache {
    /// A cache that keeps the parsed files for the next build.
    pub fn keeping() -> ParseCache {
        ParseCache {
            keep: true,
            ..ParseCache::default()
        }
    }
}

fn text_hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Like [`parse`], reusing the cached parts of unchanged files.
pub fn parse_with(
    project: &Project,
    cache: &mut ParseCache,
) -> (Vec<Option<Part>>, Vec<Diagnostic>) {
    let root_canon = project
        .root
        .canonicalize()
        .unwrap_or_else(|_| project.root.clone());
    let results: Vec<(Option<Part>, Vec<Diagnostic>, bool)> = project
        .contents
        .par_iter()
        .map(|entry| match entry {
            Entry::File { kind, file, author } => {
                let src = project.sources.get(*file);
                let key = (*file, src.rel.clone());
                let hash = text_hash(&src.text) ^ text_hash(author.as_deref().unwrap_or(""));
                if let Some((h, part, diags)) = cache.parts.get(&key)
                    && *h == hash
                {
                    return (part.clone(), diags.clone(), false);
                }
                let mut p = Parser {
                    sources: &project.sources,
                    src,
                    file: *file,
                    lang: project.meta.lang,
                    root: &project.root,
                    root_canon: &root_canon,
                    diags: Vec::new(),
                    footnote_defs: HashMap::new(),
                    footnotes: Vec::new(),
                    footnote_index: HashMap::new(),
                    ids: HashMap::new(),
                };
                let part = p.part(*kind, author.clone());
                (part, p.diags, true)
            }
            Entry::Bibliography { .. } => (None, Vec::new(), false),
        })
        .collect();
    let mut diags = Vec::new();
    let mut parts = Vec::new();
    let mut fresh = HashMap::new();
    cache.parsed = 0;
    for (entry, (p, d, parsed)) in project.contents.iter().zip(results) {
        cache.parsed += usize::from(parsed);
        if let Entry::File { file, author, .. } = entry
            && cache.keep
        {
            let src = project.sources.get(*file);
            let hash = text_hash(&src.text) ^ text_hash(author.as_deref().unwrap_or(""));
            fresh.insert((*file, src.rel.clone()), (hash, p.clone(), d.clone()));
        }
        parts.push(p);
        diags.extend(d);
    }
    cache.parts = fresh;
    (parts, diags)
}

struct Parser<'a> {
    sources: &'a SourceMap,
    src: &'a SourceFile,
    file: FileId,
    lang: Lang,
    root: &'a std::path::Path,
    root_canon: &'a std::path::Path,
    diags: Vec<Diagnostic>,
    /// Footnote definitions by name, converted before the text that references them.
    footnote_defs: HashMap<String, (Vec<Block>, Span)>,
    footnotes: Vec<Footnote>,
    footnote_index: HashMap<String, usize>,
    /// Generated ids in use in this file, to keep them unique.
    ids: HashMap<String, usize>,
}

/// A run of text between inline elements, joined for reference scanning: the text, where each
/// piece of it came from in the source (offset in `buf`, offset in the source), and the byte
/// ranges of `buf` that are literal.
#[derive(Default)]
struct TextRun {
    buf: String,
    segs: Vec<(usize, usize)>,
    literal: Vec<std::ops::Range<usize>>,
}

/// Pieces of inline content before reference scanning: text keeps where it came from.
enum Piece {
    /// Text, where it starts in the source, and whether it is literal (an escaped character,
    /// which smart punctuation leaves as typed).
    Text(String, usize, bool),
    Soft,
    Inline(Inline),
}

impl<'a> Parser<'a> {
    fn span(&self, node: &AstNode) -> Span {
        let pos = node.data().sourcepos;
        let start = self.src.offset(pos.start.line, pos.start.column);
        let end = self.src.offset(pos.end.line, pos.end.column + 1);
        Span::new(self.file, start, end)
    }

    fn part(&mut self, kind: PartKind, author: Option<String>) -> Option<Part> {
        let arena = comrak::Arena::new();
        let text = protect_div_info(&self.src.text);
        let doc = comrak::parse_document(&arena, &text, &options());
        self.limit_nesting(doc);

        // Footnote definitions come first so references can number them in reading order.
        for node in doc.children() {
            if let NodeValue::FootnoteDefinition(def) = &node.data().value {
                let name = def.name.clone();
                let span = self.span(node);
                let blocks = self.blocks(node);
                self.footnote_defs.insert(name, (blocks, span));
            }
        }

        let mut title: Option<Heading> = None;
        let mut blocks = Vec::new();
        for node in doc.children() {
            if matches!(node.data().value, NodeValue::FootnoteDefinition(_)) {
                continue;
            }
            if let NodeValue::Heading(h) = &node.data().value
                && h.level == 1
            {
                let span = self.span(node);
                if let Some(t) = &title {
                    self.diags.push(
                        Diagnostic::error(
                            "second-title",
                            "a part has one `#` title; this is a second one",
                        )
                        .at(span)
                        .related(t.span, "the title is here")
                        .help("use `##` for a section"),
                    );
                    continue;
                }
                if !blocks.is_empty() {
                    self.diags.push(
                        Diagnostic::error("title-not-first", "text before the `#` title")
                            .at(span)
                            .help("start the file with its `# Title`"),
                    );
                }
                title = Some(self.heading(node, 1, kind == PartKind::Chapter));
                continue;
            }
            if let Some(b) = self.block(node, &mut blocks, kind) {
                blocks.push(b);
            }
        }
        let Some(title) = title else {
            self.diags.push(
                Diagnostic::error("no-title", "the file has no `# Title` heading")
                    .at(Span::new(self.file, 0, 0))
                    .help("begin the file with a line such as `# Inleiding`"),
            );
            return None;
        };
        for (name, (_, span)) in &self.footnote_defs {
            if !self.footnote_index.contains_key(name) {
                self.diags.push(
                    Diagnostic::warning(
                        "unused-footnote",
                        format!("footnote `[^{name}]` is never referenced"),
                    )
                    .at(*span)
                    .help(format!(
                        "refer to it with `[^{name}]` in the text, or remove it"
                    )),
                );
            }
        }
        Some(Part {
            kind,
            file: self.file,
            number: None,
            author,
            title,
            blocks,
            footnotes: std::mem::take(&mut self.footnotes),
        })
    }

    /// Cuts off, with an error, what is nested deeper than [`MAX_NESTING`] levels, before any
    /// stage walks the tree: every later stage recurses once per level, so the depth has to be
    /// bounded here, not by the input. Walked with an explicit stack.
    fn limit_nesting<'n>(&mut self, doc: &'n AstNode<'n>) {
        let mut stack = vec![(doc, 0usize)];
        let mut cut = 0usize;
        let mut first = None;
        while let Some((node, depth)) = stack.pop() {
            let depth = depth + usize::from(is_nesting_level(&node.data().value));
            if depth > MAX_NESTING {
                first.get_or_insert(self.span(node));
                cut += 1;
                node.detach();
                continue;
            }
            stack.extend(node.children().map(|c| (c, depth)));
        }
        if let Some(span) = first {
            let more = if cut > 1 {
                format!(" ({} places in this file)", cut)
            } else {
                String::new()
            };
            self.diags.push(
                Diagnostic::error(
                    "too-deep",
                    format!(
                        "this is nested more than {MAX_NESTING} levels deep{more}; druk reads at most {MAX_NESTING} levels of block quotes, lists, divs, emphasis and links inside each other"
                    ),
                )
                .at(Span::new(span.file, span.start as usize, span.start as usize + 1))
                .help("such depth is almost always a slip (a line of `>`, `-` or `*`); write it less deeply nested"),
            );
        }
    }

    fn blocks<'n>(&mut self, parent: &'n AstNode<'n>) -> Vec<Block> {
        let mut out = Vec::new();
        for child in parent.children() {
            if let Some(b) = self.block(child, &mut out, PartKind::Chapter) {
                out.push(b);
            }
        }
        out
    }

    /// Converts one block. `prev` is the list built so far, for captions that follow a table.
    fn block<'n>(
        &mut self,
        node: &'n AstNode<'n>,
        prev: &mut [Block],
        kind: PartKind,
    ) -> Option<Block> {
        let span = self.span(node);
        let value = node.data().value.clone();
        Some(match value {
            NodeValue::Heading(h) => {
                let numbered = kind == PartKind::Chapter;
                Block::Heading(self.heading(node, h.level.min(6), numbered))
            }
            NodeValue::Paragraph => {
                if let Some(fig) = self.figure(node) {
                    return Some(Block::Figure(fig));
                }
                let inlines = self.inlines(node, true);
                if let Some(Block::Table(t)) = prev.last_mut()
                    && t.caption.is_none()
                    && let Some(cap) = caption_text(&inlines)
                {
                    self.set_caption(t, cap, span);
                    return None;
                }
                Block::Paragraph(inlines, span)
            }
            NodeValue::List(l) => Block::List(List {
                ordered: (l.list_type == ListType::Ordered).then_some(l.start as u32),
                tight: l.tight,
                items: node.children().map(|item| self.blocks(item)).collect(),
            }),
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                Block::Quote(self.blocks(node))
            }
            NodeValue::Alert(_) => Block::Quote(self.blocks(node)),
            NodeValue::BlockDirective(d) => self.directive(node, &d.info, span),
            NodeValue::CodeBlock(c) => Block::Code(CodeBlock {
                lang: c.info.split_whitespace().next().map(str::to_string),
                text: c.literal.clone(),
            }),
            NodeValue::HtmlBlock(h) => {
                let html = h.literal.trim_end().to_string();
                if html.starts_with("<!--") && html.ends_with("-->") {
                    return None;
                }
                if self.check_xhtml(&html, span) {
                    Block::Html(html, span)
                } else {
                    return None;
                }
            }
            NodeValue::ThematicBreak => Block::Rule,
            NodeValue::Table(t) => Block::Table(self.table(node, &t.alignments, span)),
            NodeValue::FootnoteDefinition(_) => return None,
            NodeValue::DescriptionList => Block::Quote(self.blocks(node)),
            _ => {
                let inl = self.inlines(node, true);
                if inl.is_empty() {
                    return None;
                }
                Block::Paragraph(inl, span)
            }
        })
    }

    fn heading<'n>(&mut self, node: &'n AstNode<'n>, level: u8, numbered_part: bool) -> Heading {
        let span = self.span(node);
        let (id_attr, classes) = match &node.data().attrs {
            Some(a) => (a.id.clone(), a.classes.clone()),
            None => (None, Vec::new()),
        };
        let mut content = self.inlines(node, true);
        let mut attrs = attrs::Attrs {
            id: id_attr,
            classes,
            pairs: Vec::new(),
        };
        // comrak leaves `{-}` (and attribute blocks it cannot read) in the text.
        if let Some(Inline::Text(last)) = content.last_mut()
            && let Some((kept, parsed)) = attrs::split_trailing(last)
        {
            match parsed {
                Ok(extra) => {
                    let kept = kept.to_string();
                    *last = kept;
                    if extra.id.is_some() {
                        attrs.id = extra.id;
                    }
                    attrs.classes.extend(extra.classes);
                    if last.is_empty() {
                        content.pop();
                    }
                }
                Err(why) => self.diags.push(
                    Diagnostic::error(
                        "attributes",
                        format!("cannot read the heading's attributes: {why}"),
                    )
                    .at(span)
                    .help("write them as `{#sec-label}` or `{-}`"),
                ),
            }
        }
        let label = attrs.id.clone().map(|name| Label {
            span: self
                .sources
                .find(self.file, span.start as usize, &format!("#{name}"))
                .unwrap_or(span),
            name,
        });
        let id = match &label {
            Some(l) => l.name.clone(),
            None => self.fresh_id("h", &plain_text(&content)),
        };
        Heading {
            level,
            content,
            id,
            label,
            numbered: numbered_part && !attrs.unnumbered(),
            number: None,
            span,
        }
    }

    /// An id unique within this file, from a readable stem.
    fn fresh_id(&mut self, prefix: &str, text: &str) -> String {
        let stem = format!("{prefix}-{}", crate::load::slug(text));
        let n = self.ids.entry(stem.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { stem } else { format!("{stem}-{n}") }
    }

    /// A paragraph holding only an image is a figure; its alt text is the caption.
    fn figure<'n>(&mut self, node: &'n AstNode<'n>) -> Option<Figure> {
        let kids: Vec<_> = node
            .children()
            .filter(|c| {
                !matches!(&c.data().value, NodeValue::SoftBreak)
                    && !matches!(&c.data().value, NodeValue::Text(t) if t.trim().is_empty())
            })
            .collect();
        let [img] = kids.as_slice() else { return None };
        let NodeValue::Image(link) = &img.data().value.clone() else {
            return None;
        };
        let span = self.span(img);
        let id = img.data().attrs.as_ref().and_then(|a| a.id.clone());
        let src = self.check_image(&link.url, span);
        let caption = self.inlines(img, true);
        Some(Figure {
            src,
            caption,
            label: id.map(|name| Label {
                span: self
                    .sources
                    .find(self.file, span.start as usize, &format!("#{name}"))
                    .unwrap_or(span),
                name,
            }),
            number: None,
            span,
        })
    }

    /// `![Foto](afbeeldingen/mijn foto.png)` is text to CommonMark: a destination cannot hold
    /// a space. The author meant an image or a link, so say how to write it.
    fn check_spaced_destination<'n>(&mut self, text: &str, node: &'n AstNode<'n>) {
        let mut from = 0;
        while let Some(i) = text[from..].find("](") {
            let at = from + i;
            from = at + 2;
            let Some(end) = text[from..].find(')') else {
                return;
            };
            let dest = &text[from..from + end];
            // `[tekst](…)`: an opening bracket with no closing one before this.
            let bracketed = text[..at]
                .rfind('[')
                .is_some_and(|open| !text[open + 1..at].contains(']'));
            let looks_like_link = bracketed
                && dest.contains(' ')
                && !dest.trim().is_empty()
                && !dest.contains(['"', '\'', '(', '[', '\n']);
            if !looks_like_link {
                continue;
            }
            let whole = format!("]({dest})");
            let start = self.span(node).start as usize;
            let span = self
                .sources
                .find(self.file, start, &whole)
                .unwrap_or_else(|| self.span(node));
            let encoded = dest.replace(' ', "%20");
            self.diags.push(
                Diagnostic::warning(
                    "spaced-destination",
                    format!("`{whole}` is read as text, not as a link or image: it holds a space"),
                )
                .at(span)
                .label("printed as it stands")
                .help(format!("write `](<{dest}>)` or `]({encoded})`")),
            );
        }
    }

    /// Checks that an image is in the book folder and returns the path to read it from (its
    /// percent-escapes decoded where that names the file). What the file holds is checked by
    /// `crate::images`, from its bytes.
    fn check_image(&mut self, url: &str, span: Span) -> String {
        if url.contains("://") {
            self.diags.push(
                Diagnostic::error(
                    "remote-image",
                    format!("image `{url}` is not in the book folder"),
                )
                .at(span)
                .help("download the image into afbeeldingen/ and refer to it there"),
            );
            return url.to_string();
        }
        match crate::load::confine_url(self.root, self.root_canon, url, &self.src.rel) {
            Ok(src) => src,
            Err(d) => {
                self.diags.push(d.at(span));
                url.to_string()
            }
        }
    }

    fn directive<'n>(&mut self, node: &'n AstNode<'n>, info: &str, span: Span) -> Block {
        let info = info.replace(COLON_STAND_IN, ":");
        let a = match attrs::parse_div_info(&info) {
            Ok(a) => a,
            Err(why) => {
                self.diags.push(
                    Diagnostic::error(
                        "attributes",
                        format!("cannot read the div's attributes: {why}"),
                    )
                    .at(span)
                    .help("write a box as `::: {.kader #kader-label title=\"Title\"}`"),
                );
                attrs::Attrs::default()
            }
        };
        let blocks = self.blocks(node);
        if a.classes.iter().any(|c| c == "kader") {
            if let Some(id) = &a.id
                && RefKind::from_label(id) != Some(RefKind::Kader)
            {
                self.diags.push(
                    Diagnostic::warning(
                        "kader-label",
                        format!("kader label `{id}` does not start with `kader-`"),
                    )
                    .at(span)
                    .help(format!(
                        "name it `kader-{}` so that `@kader-…` can refer to it",
                        id.trim_start_matches('#')
                    )),
                );
            }
            let title = a
                .get("title")
                .map(|t| vec![Inline::Text(smart::smarten_all(t, self.lang))]);
            let label = a.id.clone().map(|name| Label {
                span: self
                    .sources
                    .find(self.file, span.start as usize, &format!("#{name}"))
                    .unwrap_or(span),
                name,
            });
            Block::Kader(Kader {
                label,
                title,
                number: None,
                blocks,
                span,
            })
        } else {
            Block::Div(Div {
                id: a.id,
                classes: a.classes,
                blocks,
            })
        }
    }

    fn table<'n>(&mut self, node: &'n AstNode<'n>, align: &[TableAlignment], span: Span) -> Table {
        let mut header = Vec::new();
        let mut rows = Vec::new();
        for row in node.children() {
            let is_header = matches!(row.data().value, NodeValue::TableRow(true));
            let cells: Vec<Vec<Inline>> = row.children().map(|c| self.inlines(c, true)).collect();
            if is_header {
                header = cells;
            } else {
                rows.push(cells);
            }
        }
        let mut t = Table {
            align: align
                .iter()
                .map(|a| match a {
                    TableAlignment::Left => Align::Left,
                    TableAlignment::Center => Align::Center,
                    TableAlignment::Right => Align::Right,
                    TableAlignment::None => Align::None,
                })
                .collect(),
            header,
            rows,
            caption: None,
            label: None,
            number: None,
            span,
        };
        // GFM reads a `: Caption` line directly under a table as one more row.
        if let Some(last) = t.rows.last()
            && last.iter().skip(1).all(|c| c.is_empty())
            && let Some(cap) = last.first().and_then(|c| caption_text(c))
        {
            t.rows.pop();
            self.set_caption(&mut t, cap, span);
        }
        t
    }

    fn set_caption(&mut self, t: &mut Table, mut cap: Vec<Inline>, span: Span) {
        if let Some(Inline::Text(last)) = cap.last_mut()
            && let Some((kept, parsed)) = attrs::split_trailing(last)
        {
            match parsed {
                Ok(a) => {
                    *last = kept.to_string();
                    if let Some(name) = a.id {
                        let at = self
                            .sources
                            .find(self.file, span.start as usize, &format!("#{name}"))
                            .unwrap_or(span);
                        t.label = Some(Label { name, span: at });
                    }
                }
                Err(why) => self.diags.push(
                    Diagnostic::error(
                        "attributes",
                        format!("cannot read the caption's attributes: {why}"),
                    )
                    .at(span),
                ),
            }
        }
        t.caption = Some(cap);
    }

    /// Checks raw HTML with an XML parser: EPUB readers reject ill-formed XHTML outright.
    fn check_xhtml(&mut self, html: &str, span: Span) -> bool {
        let wrapped = format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{html}</div>");
        match roxmltree::Document::parse(&wrapped) {
            Ok(_) => true,
            Err(e) => {
                let pos = e.pos();
                let line_off = pos.row.saturating_sub(1) as usize;
                let first = self.src.line_col(span.start as usize).0;
                let at = self
                    .src
                    .line_starts()
                    .get(first - 1 + line_off)
                    .copied()
                    .unwrap_or(span.start as usize);
                let reason = match &e {
                    roxmltree::Error::UnexpectedCloseTag(open, close, _)
                        if close == "div" && !html.contains("</div>") =>
                    {
                        format!("`<{open}>` is never closed")
                    }
                    roxmltree::Error::UnexpectedCloseTag(open, close, _) => {
                        format!("`</{close}>` where `<{open}>` should be closed")
                    }
                    roxmltree::Error::UnknownEntityReference(name, _) => {
                        format!("`&{name};` is not an XML entity")
                    }
                    _ => {
                        let r = e.to_string();
                        r.split(" at ").next().unwrap_or(&r).to_string()
                    }
                };
                self.diags.push(
                    Diagnostic::error("raw-html", format!("raw HTML is not well-formed XHTML: {reason}"))
                        .at(Span::new(self.file, at.max(span.start as usize), (at.max(span.start as usize) + 1).min(span.end as usize)))
                        .label("EPUB needs XHTML here")
                        .help("close every element (`<br/>`, `<p>…</p>`), quote attribute values and use characters instead of named entities such as `&nbsp;`"),
                );
                false
            }
        }
    }

    /// Converts inline children, then finds references and citations in the text.
    fn inlines<'n>(&mut self, node: &'n AstNode<'n>, sentence_start: bool) -> Vec<Inline> {
        let mut pieces = Vec::new();
        self.collect(node, &mut pieces);
        let mut html = String::new();
        for p in &pieces {
            if let Piece::Inline(Inline::Html(h)) = p {
                html.push_str(h);
            }
        }
        if !html.is_empty() && !self.check_xhtml(&html, self.span(node)) {
            pieces.retain(|p| !matches!(p, Piece::Inline(Inline::Html(_))));
        }
        let mut out = Vec::new();
        let mut smart = smart::State::default();
        let mut i = 0;
        let mut at_start = sentence_start;
        while i < pieces.len() {
            match &pieces[i] {
                Piece::Text(..) | Piece::Soft => {
                    let mut run = TextRun::default();
                    while i < pieces.len() {
                        match &pieces[i] {
                            Piece::Text(t, src, literal) => {
                                run.segs.push((run.buf.len(), *src));
                                if *literal {
                                    run.literal.push(run.buf.len()..run.buf.len() + t.len());
                                }
                                run.buf.push_str(t);
                            }
                            Piece::Soft => run.buf.push('\n'),
                            Piece::Inline(_) => break,
                        }
                        i += 1;
                    }
                    self.scan_text(&run, at_start, &mut smart, &mut out);
                }
                Piece::Inline(_) => {
                    let Piece::Inline(inl) = std::mem::replace(&mut pieces[i], Piece::Soft) else {
                        unreachable!()
                    };
                    if matches!(inl, Inline::LineBreak) {
                        smart.after_break();
                    } else {
                        smart.after_word();
                    }
                    out.push(inl);
                    i += 1;
                }
            }
            at_start = ends_sentence(&out);
        }
        merge_text(out)
    }

    fn collect<'n>(&mut self, node: &'n AstNode<'n>, out: &mut Vec<Piece>) {
        for child in node.children() {
            let value = child.data().value.clone();
            match value {
                NodeValue::Text(t) => {
                    let pos = child.data().sourcepos.start;
                    self.check_spaced_destination(&t, child);
                    out.push(Piece::Text(
                        t.to_string(),
                        self.src.offset(pos.line, pos.column),
                        false,
                    ));
                }
                NodeValue::Escaped => {
                    let pos = child.data().sourcepos.start;
                    let text: String = child
                        .children()
                        .filter_map(|c| match &c.data().value {
                            NodeValue::Text(t) => Some(t.to_string()),
                            _ => None,
                        })
                        .collect();
                    // The text starts after the backslash.
                    out.push(Piece::Text(
                        text,
                        self.src.offset(pos.line, pos.column) + 1,
                        true,
                    ));
                }
                NodeValue::SoftBreak => out.push(Piece::Soft),
                NodeValue::LineBreak => out.push(Piece::Inline(Inline::LineBreak)),
                NodeValue::Code(c) => out.push(Piece::Inline(Inline::Code(c.literal.clone()))),
                NodeValue::HtmlInline(h) => out.push(Piece::Inline(Inline::Html(h.clone()))),
                NodeValue::Emph => out.push(Piece::Inline(Inline::Styled(
                    Style::Emph,
                    self.inlines(child, false),
                ))),
                NodeValue::Strong => out.push(Piece::Inline(Inline::Styled(
                    Style::Strong,
                    self.inlines(child, false),
                ))),
                NodeValue::Strikethrough => out.push(Piece::Inline(Inline::Styled(
                    Style::Strike,
                    self.inlines(child, false),
                ))),
                NodeValue::Superscript => out.push(Piece::Inline(Inline::Styled(
                    Style::Superscript,
                    self.inlines(child, false),
                ))),
                NodeValue::Subscript => out.push(Piece::Inline(Inline::Styled(
                    Style::Subscript,
                    self.inlines(child, false),
                ))),
                NodeValue::Link(l) => {
                    let span = self.span(child);
                    let content = self.inlines(child, false);
                    out.push(Piece::Inline(Inline::Link {
                        url: l.url.clone(),
                        content,
                        span,
                    }));
                }
                NodeValue::Image(l) => {
                    let span = self.span(child);
                    let src = self.check_image(&l.url, span);
                    let alt = plain_text(&self.inlines(child, false));
                    out.push(Piece::Inline(Inline::Image { src, alt, span }));
                }
                NodeValue::FootnoteReference(r) => {
                    let span = self.span(child);
                    match self.footnote(&r.name, span) {
                        Some(ix) => out.push(Piece::Inline(Inline::FootnoteRef(ix))),
                        None => out.push(Piece::Text(
                            format!("[^{}]", r.name),
                            span.start as usize,
                            true,
                        )),
                    }
                }
                _ => self.collect(child, out),
            }
        }
    }

    fn footnote(&mut self, name: &str, span: Span) -> Option<usize> {
        if let Some(&ix) = self.footnote_index.get(name) {
            return Some(ix);
        }
        let Some((blocks, _)) = self.footnote_defs.get(name).cloned() else {
            self.diags.push(
                Diagnostic::error(
                    "unknown-footnote",
                    format!("footnote `[^{name}]` has no definition"),
                )
                .at(span)
                .help(format!(
                    "add a line `[^{name}]: Text of the note.` after the paragraph"
                )),
            );
            return None;
        };
        let ix = self.footnotes.len();
        self.footnotes.push(Footnote {
            name: name.to_string(),
            blocks,
        });
        self.footnote_index.insert(name.to_string(), ix);
        Some(ix)
    }

    /// Splits joined text into text, cross-references, citations and spelled-out references.
    fn scan_text(
        &mut self,
        run: &TextRun,
        sentence_start: bool,
        smart: &mut smart::State,
        out: &mut Vec<Inline>,
    ) {
        let buf = run.buf.as_str();
        let segs = &run.segs;
        // The source offset of the line a byte of `buf` came from: the search origin for spans.
        let origin = |at: usize| -> usize {
            segs.iter()
                .rev()
                .find(|(b, _)| *b <= at)
                .map_or(0, |&(_, s)| s)
        };
        let span_of = |at: usize, needle: &str, fallback_len: usize| -> Span {
            let o = origin(at);
            self.sources.find(self.file, o, needle).unwrap_or(Span::new(
                self.file,
                o,
                o + fallback_len,
            ))
        };
        let lang = self.lang;
        let text = |r: std::ops::Range<usize>, st: &mut smart::State| {
            let s = buf[r.clone()].replace('\n', " ");
            // Which characters of this piece are literal, by char index (the ranges are in
            // order, so one pass over both).
            let mut ranges = run
                .literal
                .iter()
                .skip_while(|l| l.end <= r.start)
                .peekable();
            let literal: Vec<bool> = buf[r.clone()]
                .char_indices()
                .map(|(k, _)| {
                    let at = r.start + k;
                    while ranges.peek().is_some_and(|l| l.end <= at) {
                        ranges.next();
                    }
                    ranges.peek().is_some_and(|l| l.contains(&at))
                })
                .collect();
            Inline::Text(smart::smarten(
                &s,
                &|k| literal.get(k).copied().unwrap_or(false),
                lang,
                st,
            ))
        };
        for tok in refs::scan(buf, self.lang, sentence_start) {
            if !matches!(tok, refs::Token::Text(_)) {
                // A reference or citation reads like a word for the quotes around it.
                smart.after_word();
            }
            match tok {
                refs::Token::Text(r) => out.push(text(r, smart)),
                refs::Token::Xref {
                    range,
                    at,
                    name,
                    number_only,
                    capitalize,
                } => {
                    let _ = range;
                    let span = span_of(at, &format!("@{name}"), name.len() + 1);
                    let span = if capitalize && span.end == span.start + 1 {
                        span_of(at, "@", name.len() + 1)
                    } else {
                        span
                    };
                    out.push(Inline::CrossRef(CrossRef {
                        target: RefTarget::Label { name, number_only },
                        capitalize,
                        span,
                        resolved: None,
                    }));
                }
                refs::Token::Cite {
                    range,
                    items,
                    narrative,
                } => {
                    let group_span = {
                        let first = span_of(items[0].at, &format!("@{}", items[0].key), 1);
                        let open = if narrative {
                            first.start
                        } else {
                            first.start.saturating_sub(
                                1 + items[0].prefix.len() as u32
                                    + u32::from(items[0].suppress_author),
                            )
                        };
                        Span {
                            start: open.min(first.start),
                            ..first
                        }
                    };
                    let _ = range;
                    let all_refs = items
                        .iter()
                        .all(|it| RefKind::from_label(&it.key).is_some());
                    if all_refs {
                        // `[@sec-a; @sec-b]`: a list of cross-references, joined as prose.
                        let n = items.len();
                        for (k, it) in items.into_iter().enumerate() {
                            if k > 0 {
                                let sep = if k + 1 == n {
                                    format!(" {} ", self.lang.and())
                                } else {
                                    ", ".into()
                                };
                                out.push(Inline::Text(sep));
                            }
                            let span = span_of(it.at, &format!("@{}", it.key), it.key.len() + 1);
                            out.push(Inline::CrossRef(CrossRef {
                                target: RefTarget::Label {
                                    name: it.key,
                                    number_only: it.suppress_author,
                                },
                                capitalize: false,
                                span,
                                resolved: None,
                            }));
                        }
                        continue;
                    }
                    let items = items
                        .into_iter()
                        .map(|it| CiteItem {
                            span: span_of(it.at, &format!("@{}", it.key), it.key.len() + 1),
                            key: it.key,
                            prefix: it.prefix,
                            suffix: it.suffix,
                            suppress_author: it.suppress_author,
                        })
                        .collect::<Vec<_>>();
                    let mode = if narrative {
                        CiteMode::Narrative
                    } else {
                        CiteMode::Parenthetical
                    };
                    out.push(Inline::Citation(Citation {
                        items,
                        mode,
                        span: group_span,
                        rendered: None,
                    }));
                }
                refs::Token::Spelled {
                    range,
                    kind,
                    number,
                } => {
                    let written = buf[range.clone()].replace('\n', " ");
                    let word_end = written.find([' ', '\u{a0}']).unwrap_or(written.len());
                    let start = span_of(
                        range.start,
                        &buf[range.start..range.start + word_end],
                        word_end,
                    );
                    let end = self
                        .sources
                        .find(self.file, start.start as usize, &number)
                        .map_or(start.end, |s| s.end);
                    out.push(Inline::CrossRef(CrossRef {
                        target: RefTarget::Spelled {
                            kind,
                            number,
                            text: written,
                        },
                        capitalize: false,
                        span: Span { end, ..start },
                        resolved: None,
                    }));
                }
            }
        }
    }
}

/// How deeply blocks and inlines may nest: far more than any book needs, few enough that
/// every stage can walk the tree recursively on a thread's default stack.
pub const MAX_NESTING: usize = 100;

/// Whether a node is a level of nesting an author made (a quote, a list, emphasis), rather than
/// the wrapper every item, paragraph or cell has.
fn is_nesting_level(v: &NodeValue) -> bool {
    !matches!(
        v,
        NodeValue::Document
            | NodeValue::Item(_)
            | NodeValue::TaskItem(_)
            | NodeValue::Paragraph
            | NodeValue::Heading(_)
            | NodeValue::TableRow(_)
            | NodeValue::TableCell
            | NodeValue::DescriptionItem(_)
            | NodeValue::DescriptionTerm
            | NodeValue::DescriptionDetails
            | NodeValue::Text(_)
            | NodeValue::SoftBreak
            | NodeValue::LineBreak
            | NodeValue::Code(_)
            | NodeValue::HtmlInline(_)
    )
}

/// Stands in for `:` inside a div's info string while comrak parses: comrak refuses an opening
/// `:::` fence whose info string contains a colon (`title="Casus: Daan"`), and would then read
/// the closing fence as an opening one. One byte for one byte, so source positions stay right.
const COLON_STAND_IN: char = '\u{1f}';

fn protect_div_info(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = text
        .lines()
        .any(|l| div_info_start(l).is_some_and(|i| l[i..].contains(':')));
    if !needs {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match div_info_start(line) {
            Some(i) => {
                out.push_str(&line[..i]);
                out.push_str(&line[i..].replace(':', &COLON_STAND_IN.to_string()));
            }
            None => out.push_str(line),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Where the info string of an opening `:::` fence begins, if the line is one.
fn div_info_start(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let colons = rest.len() - rest.trim_start_matches(':').len();
    if colons < 3 || rest[colons..].trim().is_empty() {
        return None;
    }
    Some(indent + colons)
}

/// Whether what has been emitted so far ends a sentence, for capitalising the next reference.
fn ends_sentence(out: &[Inline]) -> bool {
    match out.last() {
        None => true,
        Some(Inline::Text(t)) => {
            let t = t.trim_end().trim_end_matches(['’', '”', ')']);
            t.ends_with(['.', '!', '?', '…'])
        }
        Some(Inline::LineBreak) => true,
        _ => false,
    }
}

/// A caption is a paragraph or cell that starts with `:` (Pandoc) or `Table:`.
fn caption_text(inlines: &[Inline]) -> Option<Vec<Inline>> {
    let Some(Inline::Text(first)) = inlines.first() else {
        return None;
    };
    let rest = first
        .strip_prefix(':')
        .or_else(|| first.strip_prefix("Table:"))
        .or_else(|| first.strip_prefix("Tabel:"))?;
    let mut cap = inlines.to_vec();
    let rest = rest.trim_start().to_string();
    if rest.is_empty() {
        cap.remove(0);
    } else {
        cap[0] = Inline::Text(rest);
    }
    Some(cap)
}

use crate::walk::merge_text;

/// The text of inlines without markup, for ids, alt text and running heads.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    fn walk(v: &[Inline], s: &mut String) {
        for i in v {
            match i {
                Inline::Text(t) | Inline::Code(t) => s.push_str(t),
                Inline::LineBreak => s.push(' '),
                Inline::Styled(_, c)
                | Inline::Link { content: c, .. }
                | Inline::Internal { content: c, .. } => walk(c, s),
                Inline::Image { alt, .. } => s.push_str(alt),
                Inline::CrossRef(r) => match (&r.resolved, &r.target) {
                    (Some(res), _) => s.push_str(&res.text),
                    (None, RefTarget::Spelled { text, .. }) => s.push_str(text),
                    (None, RefTarget::Label { name, .. }) => {
                        s.push('@');
                        s.push_str(name)
                    }
                },
                Inline::Citation(c) => match &c.rendered {
                    Some(r) => walk(r, s),
                    None => s.push_str(
                        &c.items
                            .iter()
                            .map(|i| i.key.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                },
                Inline::FootnoteRef(_) | Inline::Html(_) => {}
            }
        }
    }
    walk(inlines, &mut s);
    s
}
