//! parse: one part per Markdown file, in parallel, into the book model with spans.
//!
//! comrak gives a CommonMark/GFM tree with source positions; this module turns it into
//! [`crate::model`] nodes and gives the Pandoc/Quarto extensions (labels, `{-}`, `:::` divs,
//! `@ref`, `[@cite]`, table captions, figures) their own nodes instead of leaving them as text.

pub mod attrs;
mod divs;
mod html;
mod rawhtml;
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
    // Pandoc's `^sup^`, `~sub~` (strikethrough stays `~~…~~`), `^[inline notes]`,
    // definition lists and task lists.
    o.extension.superscript = true;
    o.extension.subscript = true;
    o.extension.inline_footnotes = true;
    o.extension.description_lists = true;
    o.extension.tasklist = true;
    // Read so that it can be refused with its place, never printed as `$…$`.
    o.extension.math_dollars = true;
    o.extension.block_directive = true;
    // GitHub's `> [!NOTE]` alerts: a titled box, as GitHub shows them.
    o.extension.alerts = true;
    // GitHub's and HackMD's emoji shortcodes (`:bulb:` for 💡); a name that is no emoji stays
    // text.
    o.extension.shortcodes = true;
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
                    in_note: false,
                    noted_in_notes: Default::default(),
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
    /// While footnote definitions are read: a reference there is a note inside a note.
    in_note: bool,
    /// Notes referenced only from inside other notes (reported there, not as unused).
    noted_in_notes: std::collections::HashSet<String>,
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
    /// An inline HTML element or a bracketed span opens here ...
    Open(rawhtml::Opener),
    /// ... and closes here (the element's name, or `]` for a span).
    Close(String, Span),
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
        let prepared = divs::prepare(&self.src.text);
        for p in &prepared.problems {
            self.div_problem(p);
        }
        let doc = comrak::parse_document(&arena, &prepared.text, &options());
        self.limit_nesting(doc);

        // Footnote definitions come first so references can number them in reading order.
        self.in_note = true;
        for node in doc.children() {
            if let NodeValue::FootnoteDefinition(def) = &node.data().value {
                let name = def.name.clone();
                let span = self.span(node);
                let blocks = self.blocks(node);
                self.footnote_defs.insert(name, (blocks, span));
            }
        }
        self.in_note = false;

        let mut title: Option<Heading> = None;
        let mut tree = rawhtml::Tree::default();
        let mut any_block = false;
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
                if any_block {
                    self.diags.push(
                        Diagnostic::error("title-not-first", "text before the `#` title")
                            .at(span)
                            .help("start the file with its `# Title`"),
                    );
                }
                title = Some(self.heading(node, 1, kind == PartKind::Chapter));
                continue;
            }
            any_block = true;
            self.block_into(node, &mut tree, kind);
        }
        let blocks = self.finish_tree(tree);
        let Some(title) = title else {
            self.diags.push(
                Diagnostic::error("no-title", "the file has no `# Title` heading")
                    .at(Span::new(self.file, 0, 0))
                    .help("begin the file with a line such as `# Inleiding`"),
            );
            return None;
        };
        for (name, (_, span)) in &self.footnote_defs {
            if !self.footnote_index.contains_key(name) && !self.noted_in_notes.contains(name) {
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

    fn div_problem(&mut self, p: &divs::Problem) {
        let d = match *p {
            divs::Problem::Unclosed(at) => Diagnostic::error(
                "unclosed-div",
                "this `:::` div is never closed: the rest of the file would be inside it",
            )
            .at(Span::new(self.file, at, at + 3))
            .help("close it with a line `:::` where it ends"),
            divs::Problem::ClosesNothing(at) => Diagnostic::error(
                "stray-div-fence",
                "this `:::` closes no div: none is open here",
            )
            .at(Span::new(self.file, at, at + 3))
            .help("remove the line, or open the div it should close with `::: {.class}`"),
        };
        self.diags.push(d);
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
        let mut tree = rawhtml::Tree::default();
        for child in parent.children() {
            self.block_into(child, &mut tree, PartKind::Chapter);
        }
        self.finish_tree(tree)
    }

    /// Converts one block into the container being read: HTML blocks may open or close an
    /// element around the Markdown blocks between them.
    fn block_into<'n>(&mut self, node: &'n AstNode<'n>, tree: &mut rawhtml::Tree, kind: PartKind) {
        if let NodeValue::HtmlBlock(h) = &node.data().value {
            let span = self.span(node);
            self.html_block(&h.literal, span, tree);
            return;
        }
        if let Some(b) = self.block(node, tree.last_block(), kind) {
            tree.push_block(b, self.span(node));
        }
    }

    /// Converts one block. `prev` is the block before it, for a caption that follows a table.
    fn block<'n>(
        &mut self,
        node: &'n AstNode<'n>,
        prev: Option<&mut Block>,
        kind: PartKind,
    ) -> Option<Block> {
        let span = self.span(node);
        let value = node.data().value.clone();
        Some(match value {
            NodeValue::Heading(h) => {
                if h.level == 1 && !self.inside_container(node) {
                    // Inside a `:::` div at the chapter's level, a `#` heading would be
                    // numbered as a section while it reads as a second title.
                    self.diags.push(
                        Diagnostic::error(
                            "second-title",
                            "a part has one `#` title; this `#` heading inside a div would be a second one",
                        )
                        .at(span)
                        .help("use `##` for a section"),
                    );
                }
                let numbered = kind == PartKind::Chapter;
                Block::Heading(self.heading(node, h.level.min(6), numbered))
            }
            NodeValue::Paragraph => {
                if self.pandoc_table(span) {
                    return None;
                }
                if let Some(fig) = self.figure(node) {
                    return Some(Block::Figure(fig));
                }
                let inlines = self.inlines(node, true);
                if let Some(Block::Table(t)) = prev
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
                tasks: if l.is_task_list {
                    node.children()
                        .map(|item| match &item.data().value {
                            NodeValue::TaskItem(t) => Some(t.symbol.is_some()),
                            _ => None,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            }),
            NodeValue::DescriptionList => {
                Block::Definitions(node.children().map(|item| self.definition(item)).collect())
            }
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                Block::Quote(self.blocks(node))
            }
            NodeValue::Alert(alert) => {
                use comrak::nodes::AlertType;
                let kind = match alert.alert_type {
                    AlertType::Note => 0,
                    AlertType::Tip => 1,
                    AlertType::Important => 2,
                    AlertType::Warning => 3,
                    AlertType::Caution => 4,
                };
                let title = match &alert.title {
                    Some(t) if !t.trim().is_empty() => smart::smarten_all(t.trim(), self.lang),
                    _ => self.lang.alert_title(kind).to_string(),
                };
                Block::Kader(Kader {
                    label: None,
                    title: Some(vec![Inline::Text(title)]),
                    number: None,
                    blocks: self.blocks(node),
                    span,
                })
            }
            NodeValue::BlockDirective(d) => self.directive(node, &d.info, span),
            NodeValue::CodeBlock(c) => Block::Code(self.code_block(&c.info, &c.literal, span)),
            // Read by `block_into`, with the blocks around it.
            NodeValue::HtmlBlock(_) => return None,
            NodeValue::ThematicBreak => {
                self.pandoc_table(span);
                Block::Rule
            }
            NodeValue::Table(t) => Block::Table(self.table(node, &t.alignments, span)),
            NodeValue::FootnoteDefinition(_) => return None,
            _ => {
                let inl = self.inlines(node, true);
                if inl.is_empty() {
                    return None;
                }
                Block::Paragraph(inl, span)
            }
        })
    }

    /// Whether a block stands inside a block quote, a list item, a footnote or a definition,
    /// where a heading is part of what is quoted or listed and keeps the level it was written
    /// with, rather than in the chapter's own run of sections (perhaps inside `:::` divs).
    fn inside_container<'n>(&self, node: &'n AstNode<'n>) -> bool {
        node.ancestors().skip(1).any(|a| {
            !matches!(
                a.data().value,
                NodeValue::Document | NodeValue::BlockDirective(_)
            )
        })
    }

    fn heading<'n>(&mut self, node: &'n AstNode<'n>, level: u8, numbered_part: bool) -> Heading {
        let span = self.span(node);
        let (id_attr, classes, pairs) = match &node.data().attrs {
            Some(a) => (a.id.clone(), a.classes.clone(), a.pairs.clone()),
            None => (None, Vec::new(), Vec::new()),
        };
        let mut content = self.inlines(node, true);
        let mut attrs = attrs::Attrs {
            id: id_attr,
            classes,
            pairs,
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
                    attrs.pairs.extend(extra.pairs);
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
            short: attrs.get("short").map(str::to_string),
        }
    }

    /// Pandoc's grid tables (`+---+---+`) and simple tables (a line of dash runs under column
    /// heads), which CommonMark reads as a paragraph or a rule: refused at their first line.
    fn pandoc_table(&mut self, span: Span) -> bool {
        let text = &self.src.text[span.start as usize..];
        let first = text.lines().next().unwrap_or("").trim();
        let grid = first.len() > 2
            && first.starts_with('+')
            && first.ends_with('+')
            && first.contains("--")
            && first.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'));
        let runs: Vec<&str> = first.split(' ').filter(|r| !r.is_empty()).collect();
        let simple = runs.len() >= 2
            && runs
                .iter()
                .all(|r| r.len() >= 3 && r.chars().all(|c| c == '-'));
        if !(grid || simple) {
            return false;
        }
        let kind = if grid {
            "grid table"
        } else {
            "simple or multiline table"
        };
        self.diags.push(
            Diagnostic::error(
                "pandoc-table",
                format!("this looks like a Pandoc {kind}, which druk does not read"),
            )
            .at(Span::new(
                self.file,
                span.start as usize,
                span.start as usize + first.len().max(1),
            ))
            .help("write it as a pipe table: `| Kop | Kop |`, `|---|---|`, `| cel | cel |`"),
        );
        true
    }

    /// One term of a definition list with its definitions.
    fn definition<'n>(&mut self, item: &'n AstNode<'n>) -> Definition {
        let mut def = Definition {
            term: Vec::new(),
            details: Vec::new(),
        };
        for part in item.children() {
            match &part.data().value {
                NodeValue::DescriptionTerm => {
                    for p in part.children() {
                        def.term.extend(self.inlines(p, true));
                    }
                }
                NodeValue::DescriptionDetails => def.details.push(self.blocks(part)),
                _ => {}
            }
        }
        def
    }

    /// A fenced code block's info string: a language word, or Pandoc attributes
    /// (```` ```{#lst-x .python caption="…"} ````), which are read, never taken for a language.
    fn code_block(&mut self, info: &str, literal: &str, span: Span) -> CodeBlock {
        let info = info.trim();
        let mut block = CodeBlock {
            lang: None,
            id: None,
            caption: None,
            text: literal.to_string(),
        };
        if info.starts_with('{') || info.contains(" {") {
            match attrs::parse_div_info(info) {
                Ok(a) => {
                    block.lang = a.classes.first().cloned();
                    block.id = a.id.clone();
                    block.caption = a.get("caption").map(|c| smart::smarten_all(c, self.lang));
                    self.unknown_attributes(&a, &["caption"], "a code block", span);
                }
                Err(why) => self.diags.push(
                    Diagnostic::error(
                        "attributes",
                        format!("cannot read the code block's attributes: {why}"),
                    )
                    .at(span)
                    .help("write them as ```` ```{#lst-label .python caption=\"…\"} ````"),
                ),
            }
        } else {
            block.lang = info.split_whitespace().next().map(str::to_string);
        }
        block
    }

    /// Quarto's `.content-visible` / `.content-hidden` with `when-format=` / `unless-format=`:
    /// the editions that show a div or span. `html` is the EPUB and the web edition (both
    /// HTML), `epub` the EPUB, `pdf` and `latex` both PDFs.
    fn visibility(&mut self, a: &attrs::Attrs, span: Span) -> Option<Editions> {
        let visible = a.classes.iter().any(|c| c == "content-visible");
        let hidden = a.classes.iter().any(|c| c == "content-hidden");
        if !visible && !hidden {
            for k in ["when-format", "unless-format"] {
                if a.get(k).is_some() {
                    self.diags.push(
                        Diagnostic::warning("visibility", format!("`{k}` has no effect without `.content-visible` or `.content-hidden`"))
                            .at(span)
                            .help(format!("write `{{.content-visible {k}=\"pdf\"}}`")),
                    );
                }
            }
            return None;
        }
        let formats = |this: &mut Self, v: &str| -> Editions {
            let mut e = Editions {
                epub: false,
                web: false,
                pdf: false,
            };
            for f in v.split([',', ' ']).filter(|f| !f.is_empty()) {
                match f.trim().to_ascii_lowercase().as_str() {
                    "html" | "html5" | "html4" => {
                        e.epub = true;
                        e.web = true;
                    }
                    "epub" | "epub3" => e.epub = true,
                    "pdf" | "latex" | "beamer" | "typst" => e.pdf = true,
                    other => this.diags.push(
                        Diagnostic::warning("visibility", format!("druk makes no `{other}` edition"))
                            .at(span)
                            .help("druk's editions are `html` (EPUB and web), `epub` and `pdf` (print and screen)"),
                    ),
                }
            }
            e
        };
        let all = Editions {
            epub: true,
            web: true,
            pdf: true,
        };
        let not = |e: Editions| Editions {
            epub: !e.epub,
            web: !e.web,
            pdf: !e.pdf,
        };
        let only = match (a.get("when-format"), a.get("unless-format")) {
            (Some(w), _) => {
                let e = formats(self, w);
                if visible { e } else { not(e) }
            }
            (None, Some(u)) => {
                let e = formats(self, u);
                if visible { not(e) } else { e }
            }
            (None, None) => {
                if visible {
                    all
                } else {
                    Editions {
                        epub: false,
                        web: false,
                        pdf: false,
                    }
                }
            }
        };
        if !(only.epub || only.web || only.pdf) {
            self.diags.push(
                Diagnostic::warning("visibility", "this content is shown in none of druk's editions")
                    .at(span)
                    .help("check `when-format`/`unless-format`: druk's editions are `html` (EPUB and web), `epub` and `pdf`"),
            );
        }
        (only != all).then_some(only)
    }

    /// Quarto's callouts and column classes: page layout druk does not do, refused so that
    /// nobody expects it.
    fn refuse_quarto_layout(&mut self, a: &attrs::Attrs, span: Span) {
        for c in &a.classes {
            let help = if c.starts_with("callout") {
                "write a framed box: `::: {.kader title=\"…\"}`"
            } else if c.starts_with("column-")
                || c == "columns"
                || c == "column"
                || c.starts_with("panel-")
            {
                "druk sets one column; write the content without the layout class"
            } else {
                continue;
            };
            self.diags.push(
                Diagnostic::error(
                    "quarto-layout",
                    format!("the Quarto class `.{c}` is not supported"),
                )
                .at(span)
                .help(help),
            );
        }
    }

    /// A warning for each attribute key druk does not know on a construct, naming the ones it
    /// knows: the output is complete, but the attribute has no effect.
    fn unknown_attributes(&mut self, a: &attrs::Attrs, known: &[&str], what: &str, span: Span) {
        for (k, _) in &a.pairs {
            if !known.contains(&k.as_str()) {
                let list = known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.diags.push(
                    Diagnostic::warning(
                        "unknown-attribute",
                        format!(
                            "druk does not know the attribute `{k}` on {what}; it has no effect"
                        ),
                    )
                    .at(span)
                    .help(format!("the attributes druk reads here: {list}")),
                );
            }
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
        let a = attrs::Attrs::from_comrak(img.data().attrs.as_deref());
        let id = a.id.clone();
        let src = self.image_path(&link.url, span);
        let caption = self.inlines(img, true);
        self.unknown_attributes(&a, &["fig-alt", "alt", "width"], "a figure", span);
        let width = self.width(&a, span);
        Some(Figure {
            src,
            caption,
            alt: a
                .get("fig-alt")
                .or_else(|| a.get("alt"))
                .map(str::to_string),
            title: (!link.title.is_empty()).then(|| link.title.clone()),
            width,
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

    /// `width="50%"`, `width=8cm` (also mm, in, pt, px at 96 per inch): how wide an image is set.
    fn width(&mut self, a: &attrs::Attrs, span: Span) -> Option<Width> {
        let w = a.get("width")?;
        match parse_width(w) {
            Some(width) => Some(width),
            None => {
                self.diags.push(
                    Diagnostic::error("image-width", format!("cannot read the width `{w}`"))
                        .at(span)
                        .help("write a share of the text width (`width=\"50%\"`) or a length (`width=8cm`, `80mm`, `3in`, `200pt`, `300px`, `2em`)"),
                );
                None
            }
        }
    }

    /// The image at `url` as a path relative to the book folder, checked. Written as an
    /// editor's preview resolves it (relative to the Markdown file) or relative to the book
    /// folder; either must stay inside the book folder.
    fn image_path(&mut self, url: &str, span: Span) -> String {
        let url = percent_decoded(url);
        let from_file = std::path::Path::new(&self.src.rel)
            .parent()
            .and_then(|dir| lexical_join(dir, &url));
        let path = match from_file {
            Some(p) if p != url && self.root.join(&p).is_file() => p,
            _ => url,
        };
        self.check_image(&path, span)
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
        let info = info.replace(divs::COLON_STAND_IN, ":");
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
        self.refuse_quarto_layout(&a, span);
        let only = self.visibility(&a, span);
        let blocks = self.blocks(node);
        if a.classes.iter().any(|c| c == "kader") {
            self.unknown_attributes(&a, &["title"], "a kader", span);
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
            self.unknown_attributes(
                &a,
                &["lang", "dir", "when-format", "unless-format"],
                "a div",
                span,
            );
            Block::Div(Div {
                lang: a.get("lang").map(str::to_string),
                id: a.id,
                classes: a
                    .classes
                    .into_iter()
                    .filter(|c| c != "content-visible" && c != "content-hidden")
                    .collect(),
                only,
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
    /// Converts inline children, then finds references and citations in the text.
    fn inlines<'n>(&mut self, node: &'n AstNode<'n>, sentence_start: bool) -> Vec<Inline> {
        let mut pieces = Vec::new();
        self.collect(node, &mut pieces);
        let node_span = self.span(node);
        bracket_spans(&mut pieces, self.file, &mut self.diags);
        // Frames of open inline elements, innermost last; the first is the paragraph itself.
        struct Frame {
            opener: Option<rawhtml::Opener>,
            out: Vec<Inline>,
            smart: smart::State,
        }
        let mut frames = vec![Frame {
            opener: None,
            out: Vec::new(),
            smart: smart::State::default(),
        }];
        let mut i = 0;
        let mut at_start = sentence_start;
        while i < pieces.len() {
            let depth = frames.len();
            let Frame { out, smart, opener } = frames.last_mut().expect("the paragraph's frame");
            let in_code = matches!(opener, Some(rawhtml::Opener::Tag(h)) if h.role == html::Role::Inline(html::InlineKind::Code));
            match &pieces[i] {
                Piece::Open(_) => {
                    let Piece::Open(o) = std::mem::replace(&mut pieces[i], Piece::Soft) else {
                        unreachable!()
                    };
                    i += 1;
                    if depth > MAX_NESTING {
                        self.diags.push(
                            Diagnostic::error(
                                "too-deep",
                                format!(
                                    "inline elements nested more than {MAX_NESTING} levels deep"
                                ),
                            )
                            .at(node_span)
                            .help("write it less deeply nested"),
                        );
                        continue;
                    }
                    frames.push(Frame {
                        opener: Some(o),
                        out: Vec::new(),
                        smart: smart::State::default(),
                    });
                    continue;
                }
                Piece::Close(name, span) => {
                    let (name, span) = (name.clone(), *span);
                    i += 1;
                    let matches = |f: &Frame| match &f.opener {
                        Some(rawhtml::Opener::Tag(h)) => h.name == name,
                        Some(rawhtml::Opener::Bracket(..)) => name == "]",
                        None => false,
                    };
                    if !frames.last().is_some_and(matches) {
                        let what = if name == "]" {
                            "the end of a bracketed span `]{…}` crosses an HTML element".to_string()
                        } else {
                            format!("`</{name}>` does not close the element open here")
                        };
                        self.diags.push(
                            Diagnostic::error("raw-html", what)
                                .at(span)
                                .help("close elements in the reverse order of opening them"),
                        );
                        continue;
                    }
                    let f = frames.pop().expect("an open frame");
                    let quotes = frames
                        .iter()
                        .filter(
                            |f| matches!(&f.opener, Some(rawhtml::Opener::Tag(h)) if h.name == "q"),
                        )
                        .count();
                    let content = merge_text(f.out);
                    let made = self.close_inline(f.opener.expect("an opener"), content, quotes);
                    let parent = frames.last_mut().expect("the paragraph's frame");
                    parent.smart.after_word();
                    parent.out.extend(made);
                    continue;
                }
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
                            Piece::Inline(_) | Piece::Open(_) | Piece::Close(..) => break,
                        }
                        i += 1;
                    }
                    if in_code {
                        // Code is set as typed: no smart punctuation, no references.
                        out.push(Inline::Text(run.buf.replace('\n', " ")));
                    } else {
                        self.scan_text(&run, at_start, smart, out);
                    }
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
            at_start = ends_sentence(&frames.last().expect("a frame").out);
        }
        // What is still open at the paragraph's end is reported, its content kept.
        while frames.len() > 1 {
            let f = frames.pop().expect("an open frame");
            let opener = f.opener.expect("an opener");
            self.unclosed_inline(&opener);
            let content = merge_text(f.out);
            let made = self.close_inline(opener, content, 0);
            frames
                .last_mut()
                .expect("the paragraph's frame")
                .out
                .extend(made);
        }
        merge_text(frames.pop().expect("the paragraph's frame").out)
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
                NodeValue::ShortCode(sc) => {
                    // Inside a word (`a:b:c`, `12:30:00`) the colons are the author's, not an
                    // emoji's.
                    let text_at = |n: Option<&'n AstNode<'n>>, end: bool| {
                        n.is_some_and(|n| match &n.data().value {
                            NodeValue::Text(t) => {
                                let c = if end {
                                    t.chars().last()
                                } else {
                                    t.chars().next()
                                };
                                c.is_some_and(char::is_alphanumeric)
                            }
                            _ => false,
                        })
                    };
                    let text = if text_at(child.previous_sibling(), true)
                        || text_at(child.next_sibling(), false)
                    {
                        format!(":{}:", sc.code)
                    } else {
                        sc.emoji.clone()
                    };
                    let pos = child.data().sourcepos.start;
                    out.push(Piece::Text(
                        text,
                        self.src.offset(pos.line, pos.column),
                        true,
                    ));
                }
                NodeValue::SoftBreak => out.push(Piece::Soft),
                NodeValue::LineBreak => out.push(Piece::Inline(Inline::LineBreak)),
                NodeValue::Code(c) => out.push(Piece::Inline(Inline::Code(c.literal.clone()))),
                NodeValue::HtmlInline(h) => {
                    let span = self.span(child);
                    self.html_inline(&h, span, out);
                }
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
                        title: (!l.title.is_empty()).then(|| l.title.clone()),
                        content,
                        span,
                    }));
                }
                NodeValue::Image(l) => {
                    let span = self.span(child);
                    let src = self.image_path(&l.url, span);
                    let a = attrs::Attrs::from_comrak(child.data().attrs.as_deref());
                    self.unknown_attributes(&a, &["alt", "width"], "an image", span);
                    if let Some(id) = &a.id {
                        self.diags.push(
                            Diagnostic::error(
                                "figure-in-text",
                                format!("the image labelled `#{id}` stands in running text, so it is no figure and `@{id}` has nothing to refer to"),
                            )
                            .at(span)
                            .help("a figure stands alone in its paragraph: put the image on a line of its own, with blank lines around it"),
                        );
                    }
                    let width = self.width(&a, span);
                    let alt = match a.get("alt") {
                        Some(alt) => alt.to_string(),
                        None => plain_text(&self.inlines(child, false)),
                    };
                    out.push(Piece::Inline(Inline::Image {
                        src,
                        alt,
                        title: (!l.title.is_empty()).then(|| l.title.clone()),
                        width,
                        span,
                    }));
                }
                NodeValue::Math(m) => {
                    let span = self.span(child);
                    let delim = if m.display_math { "$$" } else { "$" };
                    self.diags.push(
                        Diagnostic::error(
                            "math",
                            format!("TeX math (`{delim}…{delim}`) is not supported yet"),
                        )
                        .at(span)
                        .help("write the formula in words, with `^sup^` and `~sub~`, or as an image; a dollar sign that is not math is written `\\$`"),
                    );
                    out.push(Piece::Text(String::new(), span.start as usize, true));
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
        if self.in_note {
            self.noted_in_notes.insert(name.to_string());
            self.diags.push(
                Diagnostic::error("note-in-note", "a footnote inside a footnote")
                    .at(span)
                    .help("a note cannot have a note of its own (Pandoc has none either); write its text into the note"),
            );
            return None;
        }
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

    /// Syntax of other tools left in the text, which no edition could show as meant: Quarto
    /// shortcodes, raw TeX commands, and footnote references comrak left as text because their
    /// note is not defined. Each is an error at its place.
    fn foreign_syntax(&mut self, run: &TextRun) {
        let buf = run.buf.as_str();
        let literal = |k: usize| run.literal.iter().any(|l| l.contains(&k));
        let origin = |at: usize| -> usize {
            run.segs
                .iter()
                .rev()
                .find(|(b, _)| *b <= at)
                .map_or(0, |&(b, s)| s + (at - b))
        };
        let b = buf.as_bytes();
        let mut k = 0;
        while k < b.len() {
            let here = || Span::new(self.file, origin(k), origin(k) + 1);
            if (buf[k..].starts_with("{{<") || buf[k..].starts_with("{{%")) && !literal(k) {
                let end = buf[k..].find("}}").map_or(buf.len(), |e| k + e + 2);
                let what = buf[k..end].replace('\n', " ");
                self.diags.push(
                    Diagnostic::error(
                        "shortcode",
                        format!(
                            "the Quarto shortcode `{}` is not supported",
                            shorten_to(&what, 40)
                        ),
                    )
                    .at(here())
                    .help("write what it stands for; a literal `{{<` is written `{{\\<`"),
                );
                k = end;
                continue;
            }
            if buf[k..].starts_with("{%")
                && !literal(k)
                && !literal(k + 1)
                && let Some(e) = buf[k..].find("%}")
                && !buf[k..k + e].contains('\n')
            {
                // HackMD's `{%hackmd id %}`, `{%youtube id %}` and the like: content kept
                // elsewhere, which druk cannot fetch.
                let end = k + e + 2;
                let what = &buf[k..end];
                self.diags.push(
                    Diagnostic::error(
                        "hackmd-embed",
                        format!(
                            "`{}` embeds content from HackMD, which druk cannot fetch",
                            shorten_to(what, 50)
                        ),
                    )
                    .at(Span::new(self.file, origin(k), origin(end - 1) + 1))
                    .help("paste the embedded note's text here, or remove the line; a literal `{%` is written `{\\%`"),
                );
                k = end;
                continue;
            }
            if b[k] == b'\\' && !literal(k) {
                let name: String = buf[k + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                let after = buf[k + 1 + name.len()..].chars().next();
                if !name.is_empty()
                    && (matches!(after, Some('{' | '[')) || TEX_COMMANDS.contains(&name.as_str()))
                {
                    self.diags.push(
                        Diagnostic::error("raw-tex", format!("raw TeX `\\{name}` has no meaning in an EPUB or web edition and is not supported"))
                            .at(here())
                            .help(match name.as_str() {
                                "index" => "an index entry is written `[woord]{.index}`".to_string(),
                                "newpage" | "clearpage" | "pagebreak" => "druk breaks pages itself; remove it".to_string(),
                                "ref" | "cite" | "label" => "use druk's references: `{#sec-x}` and `@sec-x`, citations `[@key]`".to_string(),
                                _ => "write it in Markdown; a literal backslash is written `\\\\`".to_string(),
                            }),
                    );
                    k += 1 + name.len();
                    continue;
                }
            }
            if buf[k..].starts_with("[^") && !literal(k) {
                let name: String = buf[k + 2..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != ']' && *c != '[')
                    .collect();
                if !name.is_empty() && buf[k + 2 + name.len()..].starts_with(']') {
                    self.diags.push(
                        Diagnostic::error(
                            "unknown-footnote",
                            format!("footnote `[^{name}]` has no definition"),
                        )
                        .at(Span::new(self.file, origin(k), origin(k) + name.len() + 3))
                        .help(format!(
                            "add a line `[^{name}]: Text of the note.` after the paragraph"
                        )),
                    );
                    k += name.len() + 3;
                    continue;
                }
            }
            k += buf[k..].chars().next().map_or(1, char::len_utf8);
        }
    }

    /// Splits joined text into text, cross-references, citations and spelled-out references.
    fn scan_text(
        &mut self,
        run: &TextRun,
        sentence_start: bool,
        smart: &mut smart::State,
        out: &mut Vec<Inline>,
    ) {
        self.foreign_syntax(run);
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

/// `dir/rel` with `.` and `..` resolved lexically; `None` when it would leave `dir`'s root
/// (more `..` than there are folders).
fn lexical_join(dir: &std::path::Path, rel: &str) -> Option<String> {
    use std::path::Component;
    let mut parts: Vec<String> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    for c in std::path::Path::new(rel).components() {
        match c {
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// `%20` and the like in an image path, as Markdown writes spaces in URLs.
fn percent_decoded(url: &str) -> String {
    if !url.contains('%') {
        return url.to_string();
    }
    percent_encoding::percent_decode_str(url)
        .decode_utf8()
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| url.to_string())
}

/// `50%`, `8cm`, `80mm`, `3in`, `200pt`, `300px`, `2em`: a width as a share of the text width,
/// in points or in em.
fn parse_width(w: &str) -> Option<Width> {
    let w = w.trim();
    if let Some(p) = w.strip_suffix('%') {
        let v: f64 = p.trim().parse().ok()?;
        return (v > 0.0 && v <= 100.0).then_some(Width::Share(v / 100.0));
    }
    let split = w.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(w.len());
    let (num, unit) = w.split_at(split);
    let v: f64 = num.trim().parse().ok()?;
    if unit.trim() == "em" {
        return (v > 0.0 && v.is_finite()).then_some(Width::Em(v));
    }
    let per = match unit.trim() {
        "cm" => 72.0 / 2.54,
        "mm" => 72.0 / 25.4,
        "in" => 72.0,
        "pt" => 1.0,
        // CSS pixels: 96 to the inch.
        "px" | "" => 0.75,
        _ => return None,
    };
    (v > 0.0 && v.is_finite()).then_some(Width::Points(v * per))
}

/// TeX commands without arguments that Pandoc users leave in their Markdown (with an argument,
/// `\word{…}` or `\word[…]`, any command is recognised).
const TEX_COMMANDS: &[&str] = &[
    "newpage",
    "clearpage",
    "cleardoublepage",
    "pagebreak",
    "linebreak",
    "newline",
    "noindent",
    "indent",
    "medskip",
    "bigskip",
    "smallskip",
    "vfill",
    "hfill",
    "centering",
    "raggedright",
    "par",
    "item",
    "maketitle",
    "tableofcontents",
    "listoffigures",
    "listoftables",
    "appendix",
    "frontmatter",
    "mainmatter",
    "backmatter",
    "LaTeX",
    "TeX",
    "today",
    "ldots",
    "dots",
    "quad",
    "qquad",
    "break",
    "nopagebreak",
    "printindex",
    "printbibliography",
    "footnotesize",
    "small",
    "large",
    "Large",
    "huge",
    "normalsize",
    "bfseries",
    "itshape",
    "ttfamily",
];

/// `s` cut to `max` characters with `…`.
fn shorten_to(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
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
            | NodeValue::ShortCode(_)
            | NodeValue::SoftBreak
            | NodeValue::LineBreak
            | NodeValue::Code(_)
            | NodeValue::HtmlInline(_)
    )
}

/// Whether what has been emitted so far ends a sentence, for capitalising the next reference.
fn ends_sentence(out: &[Inline]) -> bool {
    match out.last() {
        None => true,
        Some(Inline::Text(t)) => crate::lang::ends_sentence(t),
        Some(Inline::LineBreak) => true,
        _ => false,
    }
}

/// Finds Pandoc's bracketed spans (`[tekst]{.smallcaps}`, `[text]{lang=en}`) in the text
/// pieces and marks where each opens and closes, so that [`Parser::inlines`] wraps what is
/// between. Brackets are matched as written, nested ones included; a `]` not followed by an
/// attribute block (a citation's, a plain bracket) leaves its pair as text.
fn bracket_spans(pieces: &mut Vec<Piece>, file: FileId, diags: &mut Vec<Diagnostic>) {
    if !pieces
        .iter()
        .any(|p| matches!(p, Piece::Text(t, _, false) if t.contains("]{")))
    {
        return;
    }
    // (piece, byte offset) of each open `[`.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // Cuts to make: (piece, offset, bytes to remove, what goes there).
    let mut cuts: Vec<(usize, usize, usize, Piece)> = Vec::new();
    for (pi, p) in pieces.iter().enumerate() {
        let Piece::Text(t, src, false) = p else {
            continue;
        };
        let mut k = 0;
        while k < t.len() {
            match t.as_bytes()[k] {
                b'[' => open.push((pi, k)),
                b']' => {
                    let opened = open.pop();
                    if t[k + 1..].starts_with('{')
                        && let Some(close) = t[k + 1..].find('}')
                        && let Some((oi, ok)) = opened
                    {
                        let inner = &t[k + 2..k + 1 + close];
                        let span = Span::new(file, src + k, src + k + 2 + close);
                        match attrs::parse(inner) {
                            Ok(a) => {
                                let open_span = match &pieces[oi] {
                                    Piece::Text(_, s, _) => Span::new(file, s + ok, s + ok + 1),
                                    _ => span,
                                };
                                cuts.push((
                                    oi,
                                    ok,
                                    1,
                                    Piece::Open(rawhtml::Opener::Bracket(a, open_span)),
                                ));
                                cuts.push((pi, k, close + 2, Piece::Close("]".into(), span)));
                                k += close + 2;
                                continue;
                            }
                            Err(why) => diags.push(
                                Diagnostic::error(
                                    "attributes",
                                    format!("cannot read the span's attributes: {why}"),
                                )
                                .at(span)
                                .help("write them as `[tekst]{.smallcaps}` or `[text]{lang=en}`"),
                            ),
                        }
                    }
                }
                _ => {}
            }
            k += 1;
        }
    }
    if cuts.is_empty() {
        return;
    }
    // From the last cut back, so that earlier places stay where they are.
    cuts.sort_by_key(|c| std::cmp::Reverse((c.0, c.1)));
    for (pi, at, len, marker) in cuts {
        let Piece::Text(t, src, lit) = &pieces[pi] else {
            continue;
        };
        let (src, lit) = (*src, *lit);
        let before = t[..at].to_string();
        let after = t[at + len..].to_string();
        pieces.splice(
            pi..=pi,
            [
                Piece::Text(before, src, lit),
                marker,
                Piece::Text(after, src + at + len, lit),
            ],
        );
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
                | Inline::Span(_, c)
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
                Inline::FootnoteRef(_) => {}
            }
        }
    }
    walk(inlines, &mut s);
    s
}
