//! Raw HTML into model nodes (see `html.rs` for what is read and why).
//!
//! Inline tags inside a paragraph (`2<sup>7</sup>`) open and close frames around the text
//! between them, as bracketed spans (`[tekst]{.smallcaps}`) do. Block HTML may open an element
//! in one HTML block and close it in another with Markdown between (`<div>`, blank line,
//! Markdown, blank line, `</div>`: CommonMark's own examples), so the blocks of one container
//! are gathered into a small tree first and converted when the container ends.

use super::html::{self, BlockKind, InlineKind, Role, Token, VoidKind};
use super::{Parser, Piece, attrs};
use crate::diag::Diagnostic;
use crate::model::*;
use crate::source::Span;

/// An element's opening: its name, role, attributes and place.
#[derive(Clone, Debug)]
pub(super) struct Head {
    pub name: String,
    pub role: Role,
    pub attrs: Vec<(String, String)>,
    pub span: Span,
}

/// What opens an inline frame: an HTML tag or a bracketed span.
#[derive(Clone, Debug)]
pub(super) enum Opener {
    Tag(Head),
    Bracket(attrs::Attrs, Span),
}

impl Opener {
    fn span(&self) -> Span {
        match self {
            Opener::Tag(h) => h.span,
            Opener::Bracket(_, s) => *s,
        }
    }

    fn shown(&self) -> String {
        match self {
            Opener::Tag(h) => format!("`<{}>`", h.name),
            Opener::Bracket(..) => "the bracketed span `[…]{…}`".into(),
        }
    }
}

/// A node of block HTML as it is gathered.
#[derive(Debug)]
pub(super) enum Node {
    Element(Head, Vec<Node>),
    /// Text of the HTML itself (entities decoded, not Markdown).
    Text(String, Span),
    /// A Markdown block between HTML blocks, with where it was written.
    Block(Block, Span),
}

/// Block HTML of one container (a chapter, a list item, a quote) while it is read.
#[derive(Default)]
pub(super) struct Tree {
    /// Open elements, innermost last, each with the children read so far.
    open: Vec<(Head, Vec<Node>)>,
    top: Vec<Node>,
}

impl Tree {
    fn children(&mut self) -> &mut Vec<Node> {
        match self.open.last_mut() {
            Some((_, c)) => c,
            None => &mut self.top,
        }
    }

    pub fn push_block(&mut self, b: Block, span: Span) {
        self.children().push(Node::Block(b, span));
    }

    /// The last Markdown block, for a table caption that follows its table.
    pub fn last_block(&mut self) -> Option<&mut Block> {
        match self.children().last_mut() {
            Some(Node::Block(b, _)) => Some(b),
            _ => None,
        }
    }

    /// Whether any HTML was read: a container without any keeps its blocks as they are.
    fn is_plain(&self) -> bool {
        self.open.is_empty() && self.top.iter().all(|n| matches!(n, Node::Block(..)))
    }

    fn close_top(&mut self) {
        if let Some((head, children)) = self.open.pop() {
            self.children().push(Node::Element(head, children));
        }
    }
}

/// Whether an element that is open ends where `next` opens, as HTML lets `<p>`, `<li>` and
/// table cells end without their closing tag.
fn ends_before(open: &str, next: &str) -> bool {
    match open {
        "p" => matches!(html::role(next), Role::Block(_)),
        "li" => next == "li",
        "dt" | "dd" => matches!(next, "dt" | "dd"),
        "tr" => next == "tr",
        "td" | "th" => matches!(next, "td" | "th" | "tr"),
        "thead" | "tbody" | "tfoot" => matches!(next, "tbody" | "tfoot"),
        _ => false,
    }
}

impl Parser<'_> {
    /// The source span of byte `at` of an HTML literal that starts at `block`: the literal's
    /// lines are the block's lines, so the line is exact and the column found on it.
    fn html_span(&self, block: Span, literal: &str, at: usize) -> Span {
        let at = at.min(literal.len());
        let line_in = literal[..at].matches('\n').count();
        let line_start = literal[..at].rfind('\n').map_or(0, |i| i + 1);
        let (first_line, _) = self.src.line_col(block.start as usize);
        let starts = self.src.line_starts();
        let Some(&src_line) = starts.get(first_line - 1 + line_in) else {
            return block;
        };
        let src_end = starts
            .get(first_line + line_in)
            .copied()
            .unwrap_or(self.src.text.len());
        let lit_line = &literal[line_start
            ..literal[line_start..]
                .find('\n')
                .map_or(literal.len(), |e| line_start + e)];
        let src_text = &self.src.text[src_line..src_end];
        // Container prefixes (`> `, list indentation) come before the literal's text.
        let shift = src_text.find(lit_line).unwrap_or(0);
        let o = src_line + shift + (at - line_start);
        Span::new(block.file, o, o + 1)
    }

    /// Reports what is wrong with a tag's attributes; false when one is an error.
    fn check_tag(&mut self, head: &Head) -> bool {
        let mut ok = true;
        for p in html::check_attributes(&head.name, &head.attrs) {
            ok &= !p.error;
            let d = if p.error {
                Diagnostic::error("raw-html", p.message)
            } else {
                Diagnostic::warning("raw-html-attribute", p.message)
            };
            self.diags.push(d.at(head.span).help(p.help));
        }
        ok
    }

    /// The error for an element that cannot be used where it is.
    fn refuse_element(&mut self, name: &str, role: Role, span: Span, inline: bool) {
        let (msg, help) = match role {
            Role::Refused(why, help) => (format!("`<{name}>`: {why}"), help.to_string()),
            Role::Unknown => (
                format!("druk does not know the HTML element `<{name}>`"),
                format!("the elements druk reads: {}", html::KNOWN),
            ),
            Role::Block(BlockKind::Heading) => (
                format!(
                    "a heading in raw HTML (`<{name}>`) cannot be numbered or listed in the contents"
                ),
                "write it in Markdown: `## Kop`".to_string(),
            ),
            Role::Block(_) if inline => (
                format!("the block element `<{name}>` inside a line of text"),
                "put block HTML on lines of its own, with a blank line before and after".into(),
            ),
            _ => (
                format!("`<{name}>` cannot stand here"),
                "check that the HTML's elements are nested as HTML allows".into(),
            ),
        };
        self.diags
            .push(Diagnostic::error("raw-html", msg).at(span).help(help));
    }

    fn unreadable_html(&mut self, u: html::Unreadable, span: Span) {
        self.diags.push(
            Diagnostic::error("raw-html", format!("cannot read this HTML: {}", u.why))
                .at(span)
                .help("write tags as `<b>…</b>` with quoted attribute values, or escape a literal `<` as `\\<`"),
        );
    }

    /// An inline raw-HTML node (one tag, or a comment) as pieces for [`Parser::inlines`].
    pub(super) fn html_inline(&mut self, literal: &str, span: Span, out: &mut Vec<Piece>) {
        let tokens = match html::tokenize(literal) {
            Ok(t) => t,
            Err(u) => {
                self.unreadable_html(u, span);
                return;
            }
        };
        for tok in tokens {
            match tok {
                Token::Comment(_) => {}
                Token::Text(t, at) => out.push(Piece::Text(t, span.start as usize + at, true)),
                Token::Open {
                    name,
                    attrs,
                    self_closing,
                    ..
                } => {
                    let role = html::role(&name);
                    let head = Head {
                        name,
                        role,
                        attrs,
                        span,
                    };
                    match role {
                        Role::Inline(_) => {
                            // An attribute error fails the build; the content stays in the
                            // element, so that its closing tag closes it.
                            self.check_tag(&head);
                            let name = head.name.clone();
                            out.push(Piece::Open(Opener::Tag(head)));
                            if self_closing {
                                out.push(Piece::Close(name, span));
                            }
                        }
                        Role::Void(kind) => {
                            if self.check_tag(&head)
                                && let Some(i) = self.void_inline(kind, &head)
                            {
                                out.push(Piece::Inline(i));
                            }
                        }
                        _ => self.refuse_element(&head.name, role, span, true),
                    }
                }
                Token::Close { name, .. } => match html::role(&name) {
                    Role::Inline(_) => out.push(Piece::Close(name, span)),
                    // `</br>`, `</img>`: nothing to close; a refused element was reported at
                    // its opening tag.
                    Role::Void(_) | Role::Refused(..) | Role::Unknown => {}
                    role => self.refuse_element(&name, role, span, true),
                },
            }
        }
    }

    /// `<br>`, `<wbr>` and `<img>` as inlines.
    fn void_inline(&mut self, kind: VoidKind, head: &Head) -> Option<Inline> {
        match kind {
            VoidKind::Break => Some(Inline::LineBreak),
            // A hint where a long word may break; every edition breaks on its own.
            VoidKind::WordBreak => None,
            VoidKind::Image => {
                let Some(src) = html::get(&head.attrs, "src") else {
                    self.diags.push(
                        Diagnostic::error("raw-html", "`<img>` without `src`")
                            .at(head.span)
                            .help("write `<img src=\"afbeeldingen/x.png\" alt=\"…\"/>`, or ![…](afbeeldingen/x.png)"),
                    );
                    return None;
                };
                let src = self.image_path(src, head.span);
                let width = html::get(&head.attrs, "width").and_then(|w| {
                    let w = super::parse_width(w);
                    if w.is_none() {
                        self.diags.push(
                            Diagnostic::warning(
                                "image-width",
                                "cannot read the width of this `<img>`; it is set at its own size",
                            )
                            .at(head.span)
                            .help("write `width=\"50%\"` or `width=\"300\"` (pixels)"),
                        );
                    }
                    w
                });
                Some(Inline::Image {
                    src,
                    alt: html::get(&head.attrs, "alt").unwrap_or("").to_string(),
                    title: html::get(&head.attrs, "title").map(str::to_string),
                    width,
                    span: head.span,
                })
            }
        }
    }

    /// The model inlines of a closed inline frame: its content with the element's meaning.
    pub(super) fn close_inline(
        &mut self,
        opener: Opener,
        content: Vec<Inline>,
        quotes: usize,
    ) -> Vec<Inline> {
        let span_attrs = |a: &[(String, String)]| SpanAttrs {
            id: html::get(a, "id")
                .or_else(|| html::get(a, "name"))
                .map(str::to_string),
            classes: html::get(a, "class")
                .map(|c| c.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            lang: html::get(a, "lang")
                .or_else(|| html::get(a, "xml:lang"))
                .map(str::to_string),
            title: html::get(a, "title").map(str::to_string),
            only: None,
        };
        let plain = |a: &SpanAttrs| {
            a.id.is_none()
                && a.classes.is_empty()
                && a.lang.is_none()
                && a.title.is_none()
                && a.only.is_none()
        };
        match opener {
            Opener::Tag(head) => {
                let Role::Inline(kind) = head.role else {
                    return content;
                };
                let styled = |s: Style, content: Vec<Inline>| vec![Inline::Styled(s, content)];
                let inner = match kind {
                    InlineKind::Emph => styled(Style::Emph, content),
                    InlineKind::Strong => styled(Style::Strong, content),
                    InlineKind::Strike => styled(Style::Strike, content),
                    InlineKind::Underline => styled(Style::Underline, content),
                    InlineKind::Superscript => styled(Style::Superscript, content),
                    InlineKind::Subscript => styled(Style::Subscript, content),
                    InlineKind::Code => {
                        if content
                            .iter()
                            .any(|i| !matches!(i, Inline::Text(_) | Inline::Code(_)))
                        {
                            self.diags.push(
                                Diagnostic::warning(
                                    "raw-html",
                                    format!("markup inside `<{}>` is set as plain code", head.name),
                                )
                                .at(head.span)
                                .help("code is set literally; the words are all kept"),
                            );
                        }
                        vec![Inline::Code(super::plain_text(&content))]
                    }
                    InlineKind::Anchor => match html::get(&head.attrs, "href") {
                        Some(url) => vec![Inline::Link {
                            url: url.to_string(),
                            title: html::get(&head.attrs, "title").map(str::to_string),
                            content,
                            span: head.span,
                        }],
                        // An anchor without a link or a name is its content.
                        None if plain(&span_attrs(&head.attrs)) => content,
                        None => vec![Inline::Span(span_attrs(&head.attrs), content)],
                    },
                    InlineKind::Span => {
                        let mut a = span_attrs(&head.attrs);
                        // `<mark>`, `<small>`, `<abbr>`: the element's name says what the span
                        // is, for the house style to show.
                        if head.name != "span" && head.name != "font" {
                            a.classes.insert(0, head.name.clone());
                        }
                        if plain(&a) {
                            content
                        } else {
                            vec![Inline::Span(a, content)]
                        }
                    }
                    InlineKind::Quote => {
                        let q = self.lang.quotes();
                        let (o, c) = if quotes == 0 { q.outer } else { q.inner };
                        let mut v = vec![Inline::Text(o.to_string())];
                        v.extend(content);
                        v.push(Inline::Text(c.to_string()));
                        v
                    }
                };
                // A styled element may still carry an id, a language or classes.
                let a = span_attrs(&head.attrs);
                if matches!(kind, InlineKind::Span | InlineKind::Anchor) || plain(&a) {
                    inner
                } else {
                    vec![Inline::Span(a, inner)]
                }
            }
            Opener::Bracket(a, span) => {
                self.unknown_attributes(
                    &a,
                    &["lang", "title", "dir", "when-format", "unless-format"],
                    "a span",
                    span,
                );
                let only = self.visibility(&a, span);
                let mut content = content;
                let mut classes = Vec::new();
                for c in &a.classes {
                    match c.as_str() {
                        "smallcaps" => content = vec![Inline::Styled(Style::SmallCaps, content)],
                        "underline" | "ul" => {
                            content = vec![Inline::Styled(Style::Underline, content)]
                        }
                        "content-visible" | "content-hidden" => {}
                        _ => classes.push(c.clone()),
                    }
                }
                let sa = SpanAttrs {
                    id: a.id.clone(),
                    classes,
                    lang: a.get("lang").map(str::to_string),
                    title: a.get("title").map(str::to_string),
                    only,
                };
                if plain(&sa) {
                    content
                } else {
                    vec![Inline::Span(sa, content)]
                }
            }
        }
    }

    /// Reads an HTML block into `tree`, opening and closing elements (which may span Markdown
    /// blocks between HTML blocks).
    pub(super) fn html_block(&mut self, literal: &str, span: Span, tree: &mut Tree) {
        let tokens = match html::tokenize(literal) {
            Ok(t) => t,
            Err(u) => {
                let at = self.html_span(span, literal, u.at);
                self.unreadable_html(u, at);
                return;
            }
        };
        for tok in tokens {
            match tok {
                Token::Comment(_) => {}
                Token::Text(t, at) => {
                    let s = self.html_span(span, literal, at);
                    tree.children().push(Node::Text(t, s));
                }
                Token::Open {
                    name,
                    attrs,
                    self_closing,
                    at,
                } => {
                    let s = self.html_span(span, literal, at);
                    let role = html::role(&name);
                    let head = Head {
                        name,
                        role,
                        attrs,
                        span: s,
                    };
                    if matches!(role, Role::Refused(..) | Role::Unknown)
                        || matches!(role, Role::Block(BlockKind::Heading))
                    {
                        self.refuse_element(&head.name, role, s, false);
                        continue;
                    }
                    self.check_tag(&head);
                    while tree
                        .open
                        .last()
                        .is_some_and(|(h, _)| ends_before(&h.name, &head.name))
                    {
                        tree.close_top();
                    }
                    let void = matches!(role, Role::Void(_) | Role::Block(BlockKind::Rule));
                    if void || self_closing {
                        tree.children().push(Node::Element(head, Vec::new()));
                    } else if tree.open.len() >= super::MAX_NESTING {
                        self.diags.push(
                            Diagnostic::error(
                                "too-deep",
                                format!("HTML nested more than {} levels deep", super::MAX_NESTING),
                            )
                            .at(s)
                            .help("write it less deeply nested"),
                        );
                    } else {
                        tree.open.push((head, Vec::new()));
                    }
                }
                Token::Close { name, at } => {
                    let s = self.html_span(span, literal, at);
                    if matches!(
                        html::role(&name),
                        Role::Void(_)
                            | Role::Block(BlockKind::Rule | BlockKind::Heading)
                            | Role::Refused(..)
                            | Role::Unknown
                    ) {
                        continue;
                    }
                    match tree.open.iter().rposition(|(h, _)| h.name == name) {
                        Some(i) => {
                            // What HTML lets end by itself ends here too; anything else
                            // left open is a mistake the author should hear about.
                            while tree.open.len() > i + 1 {
                                let (h, _) = tree.open.last().expect("open element");
                                if !matches!(
                                    h.name.as_str(),
                                    "p" | "li"
                                        | "dt"
                                        | "dd"
                                        | "tr"
                                        | "td"
                                        | "th"
                                        | "thead"
                                        | "tbody"
                                        | "tfoot"
                                ) {
                                    let (n, sp) = (h.name.clone(), h.span);
                                    self.never_closed(&n, sp, Some(s));
                                }
                                tree.close_top();
                            }
                            tree.close_top();
                        }
                        None => self.diags.push(
                            Diagnostic::error(
                                "raw-html",
                                format!("`</{name}>` closes nothing: no `<{name}>` is open here"),
                            )
                            .at(s)
                            .help(format!(
                                "remove it, or open the element with `<{name}>` first"
                            )),
                        ),
                    }
                }
            }
        }
    }

    fn never_closed(&mut self, name: &str, at: Span, end: Option<Span>) {
        let mut d = Diagnostic::error("raw-html", format!("`<{name}>` is never closed"))
            .at(at)
            .help(format!("close it with `</{name}>`"));
        if let Some(e) = end {
            d = d.related(e, "the element around it ends here");
        }
        self.diags.push(d);
    }

    /// The blocks of a container once all of it is read: Markdown blocks as they are, HTML
    /// elements converted; what is still open is reported and closed.
    pub(super) fn finish_tree(&mut self, mut tree: Tree) -> Vec<Block> {
        if tree.is_plain() {
            return tree
                .top
                .into_iter()
                .filter_map(|n| match n {
                    Node::Block(b, _) => Some(b),
                    _ => None,
                })
                .collect();
        }
        while let Some((h, _)) = tree.open.last() {
            if !matches!(
                h.name.as_str(),
                "p" | "li" | "dt" | "dd" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot"
            ) {
                let (n, s) = (h.name.clone(), h.span);
                self.never_closed(&n, s, None);
            }
            tree.close_top();
        }
        self.nodes_to_blocks(tree.top)
    }

    /// Block nodes as model blocks; runs of text and inline elements become paragraphs.
    fn nodes_to_blocks(&mut self, nodes: Vec<Node>) -> Vec<Block> {
        let mut out = Vec::new();
        let mut run: Vec<Node> = Vec::new();
        let flush = |p: &mut Self, run: &mut Vec<Node>, out: &mut Vec<Block>| {
            if run.is_empty() {
                return;
            }
            let span = run.iter().find_map(node_span).unwrap_or_default();
            let inl = p.nodes_to_inlines(std::mem::take(run));
            if !inl
                .iter()
                .all(|i| matches!(i, Inline::Text(t) if t.trim().is_empty()))
            {
                out.push(Block::Paragraph(trim_inlines(inl), span));
            }
        };
        for n in nodes {
            let is_inline = match &n {
                Node::Text(..) => true,
                Node::Element(h, kids) => {
                    matches!(h.role, Role::Void(_))
                        || matches!(h.role, Role::Inline(_))
                            && !kids.iter().any(|k| matches!(k, Node::Block(..)))
                }
                Node::Block(..) => false,
            };
            if is_inline {
                run.push(n);
                continue;
            }
            flush(self, &mut run, &mut out);
            match n {
                Node::Block(b, _) => out.push(b),
                Node::Element(h, children) => self.element_blocks(h, children, &mut out),
                Node::Text(..) => {}
            }
        }
        flush(self, &mut run, &mut out);
        out
    }

    /// One block element as model blocks.
    fn element_blocks(&mut self, h: Head, children: Vec<Node>, out: &mut Vec<Block>) {
        if let Role::Inline(_) = h.role {
            self.styled_blocks(h, children, out);
            return;
        }
        let Role::Block(kind) = h.role else {
            return;
        };
        let attr = |k: &str| html::get(&h.attrs, k).map(str::to_string);
        match kind {
            BlockKind::Div => {
                if h.name == "figure"
                    && let Some(fig) = self.html_figure(&h, &children)
                {
                    out.push(Block::Figure(fig));
                    return;
                }
                let mut classes: Vec<String> = attr("class")
                    .map(|c| c.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default();
                if !matches!(h.name.as_str(), "div") {
                    classes.insert(0, h.name.clone());
                }
                let blocks = self.nodes_to_blocks(children);
                out.push(Block::Div(Div {
                    id: attr("id"),
                    classes,
                    lang: attr("lang").or_else(|| attr("xml:lang")),
                    only: None,
                    blocks,
                }));
            }
            BlockKind::Paragraph | BlockKind::Caption2 | BlockKind::Term | BlockKind::Caption => {
                let inl = self.nodes_to_inlines(children);
                let content = if h.name == "summary" {
                    vec![Inline::Styled(Style::Strong, inl)]
                } else {
                    inl
                };
                out.push(Block::Paragraph(trim_inlines(content), h.span));
            }
            BlockKind::Quote => {
                let blocks = self.nodes_to_blocks(children);
                out.push(Block::Quote(blocks));
            }
            BlockKind::Preformatted => {
                // A newline right after `<pre>` is not part of the content (one after
                // `<pre><code>` is).
                let first_newline =
                    matches!(children.first(), Some(Node::Text(t, _)) if t.starts_with('\n'));
                let mut text = String::new();
                collect_text(&children, &mut text);
                if first_newline {
                    text.remove(0);
                }
                out.push(Block::Code(CodeBlock {
                    lang: None,
                    id: attr("id"),
                    caption: None,
                    text,
                }));
            }
            BlockKind::Rule => out.push(Block::Rule),
            BlockKind::List { ordered } => {
                let start = attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                let mut items = Vec::new();
                for c in children {
                    match c {
                        Node::Element(li, kids) if li.name == "li" => {
                            items.push(self.nodes_to_blocks(kids))
                        }
                        Node::Text(t, _) if t.trim().is_empty() => {}
                        other => {
                            self.misplaced(&other, "a list holds only `<li>` items");
                        }
                    }
                }
                out.push(Block::List(List {
                    ordered: ordered.then_some(start),
                    tight: false,
                    items,
                    tasks: Vec::new(),
                }));
            }
            BlockKind::Definitions => {
                let mut defs: Vec<Definition> = Vec::new();
                for c in children {
                    match c {
                        Node::Element(dt, kids) if dt.name == "dt" => defs.push(Definition {
                            term: self.nodes_to_inlines(kids),
                            details: Vec::new(),
                        }),
                        Node::Element(dd, kids) if dd.name == "dd" => {
                            let blocks = self.nodes_to_blocks(kids);
                            match defs.last_mut() {
                                Some(d) => d.details.push(blocks),
                                None => defs.push(Definition {
                                    term: Vec::new(),
                                    details: vec![blocks],
                                }),
                            }
                        }
                        Node::Text(t, _) if t.trim().is_empty() => {}
                        other => {
                            self.misplaced(&other, "a definition list holds `<dt>` and `<dd>`")
                        }
                    }
                }
                out.push(Block::Definitions(defs));
            }
            BlockKind::Table => {
                if let Some(t) = self.html_table(&h, children) {
                    out.push(Block::Table(t));
                }
            }
            BlockKind::Item
            | BlockKind::Details
            | BlockKind::Row
            | BlockKind::RowGroup
            | BlockKind::Cell { .. } => {
                // Outside their list or table: keep the content, say where it belongs.
                self.diags.push(
                    Diagnostic::error(
                        "raw-html",
                        format!("`<{}>` outside the element it belongs in", h.name),
                    )
                    .at(h.span)
                    .help(
                        "put `<li>` in `<ul>`/`<ol>`, `<dd>` in `<dl>`, `<tr>`/`<td>` in `<table>`",
                    ),
                );
                out.extend(self.nodes_to_blocks(children));
            }
            BlockKind::Heading => {}
        }
    }

    /// An inline element around Markdown blocks (`<del>`, a blank line, paragraphs, a blank
    /// line, `</del>`): each paragraph keeps its own, with the element's style on its text.
    fn styled_blocks(&mut self, h: Head, children: Vec<Node>, out: &mut Vec<Block>) {
        for b in self.nodes_to_blocks(children) {
            match b {
                Block::Paragraph(inl, span) => {
                    let styled = self.close_inline(Opener::Tag(h.clone()), inl, 0);
                    out.push(Block::Paragraph(styled, span));
                }
                other => {
                    self.diags.push(
                        Diagnostic::warning(
                            "raw-html",
                            format!(
                                "`<{}>` around a list, table or other block has no effect on it",
                                h.name
                            ),
                        )
                        .at(block_span(&other).unwrap_or(h.span))
                        .help("put the element inside the block, around its text"),
                    );
                    out.push(other);
                }
            }
        }
    }

    fn misplaced(&mut self, n: &Node, rule: &str) {
        let (what, span) = match n {
            Node::Element(h, _) => (format!("`<{}>`", h.name), h.span),
            Node::Text(t, s) => (format!("the text `{}`", t.trim()), *s),
            Node::Block(_, s) => ("Markdown".to_string(), *s),
        };
        self.diags.push(
            Diagnostic::error("raw-html", format!("{what} cannot stand here: {rule}"))
                .at(span)
                .help("move it into an item, or out of the list"),
        );
    }

    /// `<figure>` with one `<img>` and perhaps a `<figcaption>`: a figure like `![…](…)`.
    fn html_figure(&mut self, h: &Head, children: &[Node]) -> Option<Figure> {
        let mut img = None;
        let mut caption = None;
        for c in children {
            match c {
                Node::Element(e, _) if e.name == "img" && img.is_none() => img = Some(e),
                Node::Element(e, kids) if e.name == "figcaption" && caption.is_none() => {
                    caption = Some(kids)
                }
                Node::Text(t, _) if t.trim().is_empty() => {}
                _ => return None,
            }
        }
        let img = img?;
        let src = html::get(&img.attrs, "src")?.to_string();
        let src = self.image_path(&src, img.span);
        let caption = match caption {
            Some(kids) => {
                let kids: Vec<Node> = kids.iter().map(clone_node).collect();
                trim_inlines(self.nodes_to_inlines(kids))
            }
            None => Vec::new(),
        };
        let id = html::get(&h.attrs, "id").map(str::to_string);
        Some(Figure {
            src,
            caption,
            alt: html::get(&img.attrs, "alt").map(str::to_string),
            title: html::get(&img.attrs, "title").map(str::to_string),
            width: html::get(&img.attrs, "width").and_then(super::parse_width),
            label: id.map(|name| Label { name, span: h.span }),
            number: None,
            span: h.span,
        })
    }

    /// `<table>` as a table: the first row of header cells is the header, `<caption>` the
    /// caption; a cell spanning rows or columns is refused (print sets a grid).
    fn html_table(&mut self, h: &Head, children: Vec<Node>) -> Option<Table> {
        let mut rows: Vec<(bool, Vec<Vec<Inline>>)> = Vec::new();
        let mut align: Vec<Align> = Vec::new();
        let mut caption = None;
        let mut pending = children;
        let mut ok = true;
        // Row groups are flattened into the rows they hold.
        while !pending.is_empty() {
            let mut next = Vec::new();
            for c in pending {
                match c {
                    Node::Element(g, kids)
                        if matches!(g.role, Role::Block(BlockKind::RowGroup)) =>
                    {
                        next.extend(kids)
                    }
                    Node::Element(cap, kids) if cap.name == "caption" => {
                        caption = Some(trim_inlines(self.nodes_to_inlines(kids)))
                    }
                    Node::Element(tr, kids) if tr.name == "tr" => {
                        let mut cells = Vec::new();
                        let mut all_header = true;
                        for cell in kids {
                            match cell {
                                Node::Element(td, ck)
                                    if matches!(td.role, Role::Block(BlockKind::Cell { .. })) =>
                                {
                                    for k in ["colspan", "rowspan"] {
                                        if html::get(&td.attrs, k).is_some_and(|v| v.trim() != "1")
                                        {
                                            self.diags.push(
                                                Diagnostic::error("raw-html", format!("a table cell with `{k}`: druk sets tables as a grid"))
                                                    .at(td.span)
                                                    .help("split the cell, or write the table in Markdown"),
                                            );
                                            ok = false;
                                        }
                                    }
                                    all_header &= td.name == "th";
                                    let col = cells.len();
                                    if let Some(a) = html::get(&td.attrs, "align") {
                                        if align.len() <= col {
                                            align.resize(col + 1, Align::None);
                                        }
                                        align[col] = match a.trim() {
                                            "left" => Align::Left,
                                            "center" => Align::Center,
                                            "right" => Align::Right,
                                            _ => Align::None,
                                        };
                                    }
                                    let inl = self.cell_inlines(ck, td.span);
                                    cells.push(inl);
                                }
                                Node::Text(t, _) if t.trim().is_empty() => {}
                                other => {
                                    self.misplaced(
                                        &other,
                                        "a table row holds `<th>` and `<td>` cells",
                                    );
                                    ok = false;
                                }
                            }
                        }
                        rows.push((all_header && !cells.is_empty(), cells));
                    }
                    Node::Text(t, _) if t.trim().is_empty() => {}
                    other => {
                        self.misplaced(
                            &other,
                            "a table holds rows (`<tr>`), row groups and a `<caption>`",
                        );
                        ok = false;
                    }
                }
            }
            pending = next;
        }
        if !ok {
            return None;
        }
        let header = match rows.first() {
            Some((true, _)) => rows.remove(0).1,
            _ => Vec::new(),
        };
        let cols = rows
            .iter()
            .map(|r| r.1.len())
            .chain([header.len()])
            .max()
            .unwrap_or(0);
        align.resize(cols, Align::None);
        let mut body: Vec<Vec<Vec<Inline>>> = rows.into_iter().map(|r| r.1).collect();
        for r in &mut body {
            r.resize(cols, Vec::new());
        }
        let mut header = header;
        if !header.is_empty() {
            header.resize(cols, Vec::new());
        }
        let id = html::get(&h.attrs, "id").map(str::to_string);
        Some(Table {
            align,
            header,
            rows: body,
            caption,
            label: id.map(|name| Label { name, span: h.span }),
            number: None,
            span: h.span,
        })
    }

    /// A cell's content as inlines: paragraphs inside it are joined with line breaks.
    fn cell_inlines(&mut self, kids: Vec<Node>, cell: Span) -> Vec<Inline> {
        let has_blocks = kids.iter().any(|k| match k {
            Node::Element(h, _) => matches!(h.role, Role::Block(_)),
            Node::Block(..) => true,
            Node::Text(..) => false,
        });
        if !has_blocks {
            return trim_inlines(self.nodes_to_inlines(kids));
        }
        let blocks = self.nodes_to_blocks(kids);
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Paragraph(inl, _) => {
                    if !out.is_empty() {
                        out.push(Inline::LineBreak);
                    }
                    out.extend(inl);
                }
                other => {
                    self.diags.push(
                        Diagnostic::error(
                            "raw-html",
                            "a table cell holds a list, table or other block",
                        )
                        .at(block_span(&other).unwrap_or(cell))
                        .help("a cell holds text; write the block after the table"),
                    );
                }
            }
        }
        out
    }

    /// Inline nodes (text, inline elements, Markdown paragraphs) as inlines. Text from the
    /// HTML is kept as typed: it is not Markdown.
    fn nodes_to_inlines(&mut self, nodes: Vec<Node>) -> Vec<Inline> {
        let mut out = Vec::new();
        for n in nodes {
            match n {
                Node::Text(t, _) => out.push(Inline::Text(collapse_space(&t))),
                Node::Block(Block::Paragraph(inl, _), _) => {
                    if !out.is_empty() {
                        out.push(Inline::Text(" ".into()));
                    }
                    out.extend(inl)
                }
                Node::Block(_, span) => {
                    self.diags.push(
                        Diagnostic::error("raw-html", "a block inside HTML that holds only text")
                            .at(span)
                            .help("put it outside the element, or use a `<div>`"),
                    );
                }
                Node::Element(h, kids) => match h.role {
                    Role::Void(kind) => {
                        if let Some(i) = self.void_inline(kind, &h) {
                            out.push(i);
                        }
                    }
                    Role::Inline(_) => {
                        let content = self.nodes_to_inlines(kids);
                        out.extend(self.close_inline(Opener::Tag(h), content, 0));
                    }
                    _ => {
                        let name = h.name.clone();
                        self.refuse_element(&name, h.role, h.span, true);
                    }
                },
            }
        }
        crate::walk::merge_text(out)
    }

    /// What is still open when a paragraph ends, reported and closed.
    pub(super) fn unclosed_inline(&mut self, opener: &Opener) {
        let msg = format!("{} is never closed in this paragraph", opener.shown());
        let help = match opener {
            Opener::Tag(h) => format!("close it with `</{}>` before the paragraph ends", h.name),
            Opener::Bracket(..) => "end the span with `]{…}` in the same paragraph".into(),
        };
        self.diags.push(
            Diagnostic::error("raw-html", msg)
                .at(opener.span())
                .help(help),
        );
    }
}

fn node_span(n: &Node) -> Option<Span> {
    match n {
        Node::Element(h, _) => Some(h.span),
        Node::Text(_, s) => Some(*s),
        Node::Block(_, s) => Some(*s),
    }
}

fn block_span(b: &Block) -> Option<Span> {
    match b {
        Block::Paragraph(_, s) => Some(*s),
        Block::Heading(h) => Some(h.span),
        Block::Table(t) => Some(t.span),
        Block::Figure(f) => Some(f.span),
        Block::Kader(k) => Some(k.span),
        _ => None,
    }
}

fn clone_node(n: &Node) -> Node {
    match n {
        Node::Element(h, kids) => Node::Element(h.clone(), kids.iter().map(clone_node).collect()),
        Node::Text(t, s) => Node::Text(t.clone(), *s),
        Node::Block(b, s) => Node::Block(b.clone(), *s),
    }
}

/// Text of nodes, as it stands (for `<pre>`).
fn collect_text(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t, _) => out.push_str(t),
            Node::Element(_, kids) => collect_text(kids, out),
            Node::Block(b, _) => {
                if let Block::Paragraph(inl, _) = b {
                    out.push_str(&super::plain_text(inl));
                }
            }
        }
    }
}

/// HTML whitespace (spaces, tabs, line ends) read as one space, as a browser shows it.
fn collapse_space(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Leading and trailing spaces of a paragraph's text dropped.
fn trim_inlines(mut v: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text(t)) = v.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = v.last_mut() {
        *t = t.trim_end().to_string();
    }
    v.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    v
}
