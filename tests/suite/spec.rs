//! CommonMark and GFM conformance: every example of the CommonMark spec (0.31.2) and of the
//! GFM spec (0.29, with its extensions) run through druk's web edition and compared with
//! the HTML the spec expects.
//!
//! The specs are vendored in `tests/spec/` (see SOURCE.md there). All examples of one spec
//! are chapters of one English book (`language: en`), compiled once through the library and
//! rendered by the web edition's own part writer: no binary is started per example.
//!
//! Each example is classed as
//! - **passes**: no error, and the HTML is the spec's after the normalisations below;
//! - **refused**: druk reports an error located in the example, of a kind the README gives
//!   the reason for ([`REFUSALS`]);
//! - **warned**: the HTML differs, and a warning located in the example says what has no
//!   effect (an attribute druk does not carry);
//! - **documented**: the HTML differs, and [`COMMONMARK_DOCUMENTED`] or [`GFM_DOCUMENTED`]
//!   says why druk deliberately differs (the README says the same);
//! - **differs**: anything else. The test allows none.
//!
//! The counts are asserted exactly, so that the test fails when something regresses and when
//! something improves (then update the counts and the README). `cargo test --test suite spec
//! -- --nocapture` prints the example numbers of each class.
//!
//! An example is made a chapter by putting `# Example N` and a blank line before it; that
//! title is left out of the comparison. An example whose own first block is a level-1 heading
//! (which druk would refuse as a second title) is built again without it: its heading is then
//! the chapter's title, compared as `<h1>`.
//!
//! Normalisations, each applied to both sides unless said otherwise; none of them can hide a
//! word lost or a meaning changed:
//! - **Typography**: druk sets the language's quotes, dashes and ellipses (`"a"` → “a”,
//!   `--` → –, `---` → —, `...` → …), and nests quotes the language's way whatever the author
//!   typed (English: “ outside, ‘ inside, so `'a'` at the outside is “a”). Outside code, every
//!   quotation mark and apostrophe, straight or curly, compares as one mark, and –, —, … as
//!   `--`, `---`, `...`.
//! - **druk's numbers and ids** (druk's side): the section number (`<span class="secno">`)
//!   and the chapter word (`<span class="chapter-number">`) are removed, `id` on headings is
//!   dropped (druk gives every heading one).
//! - **Serialisation**: `<br/>` and `<br />`, attribute order, entities and characters
//!   (`&quot;`, `&#42;`, `&ouml;`), whitespace between block tags and at the edges of blocks,
//!   runs of ASCII whitespace in text (one space, as a browser shows them; not inside
//!   `<pre>`), and the spacing of a `class` list are not compared; nor are
//!   `<thead>`/`<tbody>`, which an HTML parser adds where they are missing.
//! - **What druk adds for style and accessibility**: `role`, `aria-*`, `epub:type`, `scope`,
//!   and (druk's side) druk's classes (`external` on links, `tasks` on task lists, `li` on the
//!   span that holds a tight list item's text, which is unwrapped); a cell's
//!   `class="left|center|right"` is read as `align=`; a task item's ☐/☑
//!   (`<span class="task">`) as the spec's disabled checkbox.
//! - **Raw HTML read into druk's model**, whose structure is compared, not its bytes: `<i>` is
//!   `<em>`, `<b>` is `<strong>`, `<s>` and `<strike>` are `<del>` (one name for each
//!   meaning); text and inline elements that raw HTML leaves directly in a block container or
//!   at the top level are a paragraph (druk holds text in paragraphs only); and on druk's
//!   side, the attributes of a styled element (`<i class="x">`), which druk keeps on a span
//!   around the style, are put back on the element.
//! - **Comments**: HTML comments are the author's notes and left out of every edition; they
//!   are removed from the expected HTML too.

use crate::common::*;
use druk::diag::Severity;
use druk::model::PartKind;
use druk::xml::{Element, Node};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// One example of a spec.
#[derive(Clone, Debug)]
struct Example {
    /// Numbered from 1 in the order of the spec, as the spec's own HTML edition numbers them.
    number: usize,
    section: String,
    markdown: String,
    html: String,
}

/// Reads the examples: a line of 32 backticks and `example`, the Markdown, a line `.`, the
/// HTML, a line of 32 backticks. `→` stands for a tab.
fn examples(spec: &str) -> Vec<Example> {
    let fence = "````````````````````````````````";
    let mut out = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            section = h.trim().to_string();
            continue;
        }
        if !(line.starts_with(fence) && line[fence.len()..].trim_start().starts_with("example")) {
            continue;
        }
        let (mut md, mut html) = (String::new(), String::new());
        let mut in_html = false;
        for l in lines.by_ref() {
            if l == fence {
                break;
            }
            if l == "." && !in_html {
                in_html = true;
                continue;
            }
            let l = l.replace('→', "\t");
            let target = if in_html { &mut html } else { &mut md };
            target.push_str(&l);
            target.push('\n');
        }
        out.push(Example {
            number: out.len() + 1,
            section: section.clone(),
            markdown: md,
            html,
        });
    }
    out
}

/// What druk made of one example.
#[derive(Clone, Debug, Default)]
struct Outcome {
    /// Errors, each `line:col: message`, located in the example's own file.
    errors: Vec<(String, String)>,
    warnings: Vec<String>,
    /// The web edition's HTML of the example's chapter (the prepended title left out), with
    /// druk's own additions taken out (see [`druk_side`]).
    html: String,
    /// The same as druk writes it.
    raw: String,
    /// Other warnings (a skipped heading level), which explain no difference.
    notes: Vec<String>,
}

/// The codes of warnings that say what has no effect in the output.
const NO_EFFECT: &[&str] = &["raw-html-attribute", "raw-html", "unknown-attribute"];

/// The codes of the errors with which druk refuses examples, each with the reason the README
/// gives; a refusal with any other code counts as a difference.
const REFUSALS: &[(&str, &str)] = &[
    (
        "second-title",
        "a part has one `#` title, its first block; another level-1 heading is refused",
    ),
    (
        "raw-html",
        "raw HTML druk cannot show in every edition: unknown or unsafe elements, an element \
         never closed or closed out of order, declarations and processing instructions",
    ),
    (
        "missing-file",
        "an image is a PNG, JPEG or SVG file inside the book folder",
    ),
    (
        "path-escape",
        "an image is a PNG, JPEG or SVG file inside the book folder, not an absolute path",
    ),
    (
        "link",
        "a link leads to a web address, an e-mail address or a place in the book; a path \
         such as `/uri` names no file of any output, and a link without a destination leads \
         nowhere",
    ),
];

/// Builds one book with a chapter per example; `titled` puts `# Example N` before each.
fn build(name: &str, examples: &[&Example], titled: bool) -> Vec<Outcome> {
    let dir = scratch(name);
    let mut yaml =
        String::from("title: Spec\nauthors: [Spec]\nlanguage: en\nyear: 2026\nchapters:\n");
    for e in examples {
        let file = format!("e{:04}.md", e.number);
        let text = if titled {
            format!("# Example {}\n\n{}", e.number, e.markdown)
        } else {
            e.markdown.clone()
        };
        std::fs::write(dir.join(&file), text).unwrap();
        writeln!(yaml, "  - {file}").unwrap();
    }
    std::fs::write(dir.join("book.yaml"), yaml).unwrap();
    let compiled = druk::compile(&dir, &druk::CompileOptions::default());
    let (_, book) = compiled.book.as_ref().expect("the spec book loads");
    let layout = druk::render::html::layout(book, &compiled.sources);
    assert_eq!(book.parts.len(), examples.len(), "a chapter per example");
    let mut outcomes = vec![Outcome::default(); examples.len()];
    let chapter_of = |file| {
        book.parts
            .iter()
            .position(|p| p.kind == PartKind::Chapter && p.file == file)
    };
    for d in &compiled.diags {
        let at = d.span.and_then(|s| chapter_of(s.file).map(|i| (i, s)));
        match (at, d.severity) {
            (Some((i, s)), sev) => {
                let (line, col) = compiled.sources.get(s.file).line_col(s.start as usize);
                let line = if titled { line.saturating_sub(2) } else { line };
                let text = format!("{line}:{col}: {} ({})", d.message, d.code);
                match sev {
                    Severity::Error => outcomes[i].errors.push((d.code.to_string(), text)),
                    // Only warnings that say what is left out explain a difference.
                    Severity::Warning if NO_EFFECT.contains(&d.code) => {
                        outcomes[i].warnings.push(text)
                    }
                    Severity::Warning => outcomes[i].notes.push(text),
                }
            }
            (None, Severity::Error) => {
                panic!("an error without a place in an example: {d:?}");
            }
            (None, Severity::Warning) => {}
        }
    }
    let web = druk::visible::for_edition(book, druk::visible::Edition::Web);
    for (i, part) in web.parts.iter().enumerate() {
        if part.kind != PartKind::Chapter {
            continue;
        }
        let mut w = druk::render::xhtml::PartWriter::new(&web, &layout, i);
        let section = w.section();
        let (mut html, mut raw) = (String::new(), String::new());
        for child in &section.children {
            let Node::Element(e) = child else { continue };
            if e.name == "header" {
                if !titled {
                    // The example's own heading is the chapter's title.
                    for h in e.children.iter() {
                        if let Node::Element(h1) = h
                            && h1.name == "h1"
                        {
                            h1.write(&mut raw);
                            druk_side(h1.clone()).write(&mut html);
                        }
                    }
                }
                continue;
            }
            e.write(&mut raw);
            druk_side(e.clone()).write(&mut html);
        }
        outcomes[i].html = html;
        outcomes[i].raw = raw;
    }
    outcomes
}

/// druk's own additions taken out of its XHTML tree (see the module's list).
fn druk_side(mut e: Element) -> Element {
    e.attrs.retain(|(k, _)| {
        !matches!(*k, "role" | "scope") && !k.starts_with("aria-") && !k.starts_with("epub:")
    });
    if matches!(e.name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
        e.attrs.retain(|(k, _)| *k != "id");
    }
    let mut align = None;
    for (k, v) in &mut e.attrs {
        if *k != "class" {
            continue;
        }
        let kept: Vec<&str> = v
            .split_whitespace()
            .filter(|c| match *c {
                "external" | "tasks" => false,
                "left" | "center" | "right" if matches!(e.name, "td" | "th") => {
                    align = Some(c.to_string());
                    false
                }
                _ => true,
            })
            .collect();
        *v = kept.join(" ");
    }
    e.attrs.retain(|(k, v)| *k != "class" || !v.is_empty());
    if let Some(a) = align {
        e.attrs.push(("align", a));
    }
    let mut children = Vec::new();
    for c in std::mem::take(&mut e.children) {
        match c {
            Node::Element(child) => {
                let class = child
                    .attrs
                    .iter()
                    .find(|(k, _)| *k == "class")
                    .map(|(_, v)| v.as_str());
                match (child.name, class) {
                    ("span", Some("secno" | "chapter-number")) => {}
                    ("span", Some("li" | "chapter-title")) => {
                        let inner = druk_side(child);
                        children.extend(inner.children);
                    }
                    ("span", Some("task")) => {
                        let done = child
                            .children
                            .iter()
                            .any(|n| matches!(n, Node::Text(t) if t.contains('☑')));
                        let mut input = druk::xml::el("input")
                            .attr("disabled", "")
                            .attr("type", "checkbox");
                        if done {
                            input = input.attr("checked", "");
                        }
                        children.push(Node::Element(input));
                    }
                    ("span", _) if styled_in_span(&child) => {
                        // The attributes of `<i class="x">` are kept on a span around the
                        // style, which has none of its own in druk's model.
                        let mut inner = druk_side(child);
                        let Some(Node::Element(mut styled)) = inner.children.pop() else {
                            unreachable!()
                        };
                        styled.attrs.append(&mut inner.attrs);
                        children.push(Node::Element(styled));
                    }
                    _ => children.push(Node::Element(druk_side(child))),
                }
            }
            text => children.push(text),
        }
    }
    e.children = children;
    e
}

/// A span whose only content is one styled element.
fn styled_in_span(e: &Element) -> bool {
    matches!(e.children.as_slice(), [Node::Element(c)]
        if matches!(c.name, "em" | "strong" | "del" | "sup" | "sub" | "u") && c.attrs.is_empty())
}

/// A token of HTML after normalisation.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open(String, Vec<(String, String)>),
    Close(String),
    Text(String),
    /// A declaration, processing instruction or CDATA section, as written.
    Other(String),
}

const VOID: &[&str] = &["br", "hr", "img", "input", "wbr", "meta", "link", "col"];
const BLOCK: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "div",
    "dl",
    "dt",
    "dd",
    "section",
    "figure",
    "figcaption",
    "caption",
    "aside",
];

/// Reads HTML as a browser would for this purpose: tags with their attributes, text with
/// entities decoded, comments dropped.
fn tokenize(html: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut text = String::new();
    let b = html.as_bytes();
    let mut i = 0;
    let flush = |text: &mut String, out: &mut Vec<Tok>| {
        if !text.is_empty() {
            out.push(Tok::Text(decode(text)));
            text.clear();
        }
    };
    while i < b.len() {
        let rest = &html[i..];
        if let Some(c) = rest.strip_prefix("<!--") {
            flush(&mut text, &mut out);
            // `<!-->` and `<!--->` are whole comments.
            i += 4 + match [">", "->"].into_iter().find(|e| c.starts_with(e)) {
                Some(e) => e.len(),
                None => c.find("-->").map_or(c.len(), |e| e + 3),
            };
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            flush(&mut text, &mut out);
            let end = if rest.starts_with("<![CDATA[") {
                rest.find("]]>").map_or(rest.len(), |e| e + 3)
            } else if rest.starts_with("<?") {
                rest.find("?>").map_or(rest.len(), |e| e + 2)
            } else {
                rest.find('>').map_or(rest.len(), |e| e + 1)
            };
            out.push(Tok::Other(rest[..end].to_string()));
            i += end;
            continue;
        }
        let closing = rest.starts_with("</");
        let name_at = if closing { 2 } else { 1 };
        let starts_tag = rest.starts_with('<')
            && rest[name_at.min(rest.len())..]
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic());
        if !starts_tag {
            let c = rest.chars().next().unwrap();
            text.push(c);
            i += c.len_utf8();
            continue;
        }
        // A tag: its name, then attributes up to `>` (quotes respected).
        let mut j = i + name_at;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        let name = html[i + name_at..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            if b[j] == b'/' {
                j += 1;
                continue;
            }
            let k0 = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let key = html[k0..j].to_ascii_lowercase();
            let mut value = String::new();
            let mut w = j;
            while w < b.len() && b[w].is_ascii_whitespace() {
                w += 1;
            }
            if w < b.len() && b[w] == b'=' {
                j = w + 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let v0 = j + 1;
                    j = v0;
                    while j < b.len() && b[j] != q {
                        j += 1;
                    }
                    value = decode(&html[v0..j.min(b.len())]);
                    j += 1;
                } else {
                    let v0 = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode(&html[v0..j]);
                }
            }
            attrs.push((key, value));
        }
        flush(&mut text, &mut out);
        if closing {
            out.push(Tok::Close(name));
        } else {
            out.push(Tok::Open(name, attrs));
        }
        i = j.min(b.len());
    }
    flush(&mut text, &mut out);
    out
}

/// Character references decoded: named (HTML5's list), decimal and hexadecimal.
fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e < 40);
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            if let Some(num) = body.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok()?,
                    None => num.parse().ok()?,
                };
                let c = char::from_u32(code)
                    .filter(|c| *c != '\0')
                    .unwrap_or('\u{fffd}');
                Some((c.to_string(), e + 1))
            } else {
                let full = &rest[..=e];
                entities::ENTITIES
                    .iter()
                    .find(|x| x.entity == full)
                    .map(|x| (x.characters.to_string(), e + 1))
            }
        });
        match decoded {
            Some((t, len)) => {
                out.push_str(&t);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The typographic characters druk sets read as what was typed.
fn untypeset(t: &str) -> String {
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '“' | '”' | '‘' | '’' | '\'' => s.push('"'),
            '–' => s.push_str("--"),
            '—' => s.push_str("---"),
            '…' => s.push_str("..."),
            c => s.push(c),
        }
    }
    s
}

/// Both sides as comparable text: one token per line.
fn normalise(html: &str) -> String {
    let toks: Vec<Tok> = tokenize(html)
        .into_iter()
        .filter_map(|t| match t {
            Tok::Open(n, _) | Tok::Close(n) if matches!(n.as_str(), "thead" | "tbody") => None,
            Tok::Open(n, mut a) => {
                a.retain(|(k, _)| {
                    !matches!(k.as_str(), "role" | "scope")
                        && !k.starts_with("aria-")
                        && !k.starts_with("epub:")
                });
                for (k, v) in &mut a {
                    if k == "class" {
                        *v = v.split_whitespace().collect::<Vec<_>>().join(" ");
                    }
                }
                a.sort();
                Some(Tok::Open(rename(n), a))
            }
            Tok::Close(n) => Some(Tok::Close(rename(n))),
            other => Some(other),
        })
        .collect();
    // Text next to text (a comment removed between them) is one text.
    let mut joined: Vec<Tok> = Vec::with_capacity(toks.len());
    for t in toks {
        match (joined.last_mut(), t) {
            (Some(Tok::Text(prev)), Tok::Text(t)) => prev.push_str(&t),
            (_, t) => joined.push(t),
        }
    }
    let mut toks = paragraphs(joined);
    // Whitespace: literal inside `<pre>`, elsewhere runs of it are one space, and none at
    // the edges of blocks.
    let mut pre = 0usize;
    let mut code = 0usize;
    let mut out: Vec<Tok> = Vec::new();
    let is_block = |t: &Tok| match t {
        Tok::Open(n, _) => BLOCK.contains(&n.as_str()) || n == "br",
        Tok::Close(n) => BLOCK.contains(&n.as_str()),
        _ => false,
    };
    for k in 0..toks.len() {
        let t = std::mem::replace(&mut toks[k], Tok::Other(String::new()));
        match &t {
            Tok::Open(n, _) if n == "pre" => pre += 1,
            Tok::Close(n) if n == "pre" => pre = pre.saturating_sub(1),
            Tok::Open(n, _) if n == "code" => code += 1,
            Tok::Close(n) if n == "code" => code = code.saturating_sub(1),
            _ => {}
        }
        let Tok::Text(text) = t else {
            out.push(t);
            continue;
        };
        if pre > 0 {
            out.push(Tok::Text(text));
            continue;
        }
        let mut s = String::new();
        let mut space = false;
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                space = true;
            } else {
                if space {
                    s.push(' ');
                }
                space = false;
                s.push(c);
            }
        }
        if space {
            s.push(' ');
        }
        // ASCII whitespace only: a no-break space is content.
        let ws: &[char] = &[' ', '\t', '\n', '\r'];
        if out.last().is_none_or(is_block) {
            s = s.trim_start_matches(ws).to_string();
        }
        if toks.get(k + 1).is_none_or(is_block) {
            s = s.trim_end_matches(ws).to_string();
        }
        if code == 0 {
            s = untypeset(&s);
        }
        if s.is_empty() {
            continue;
        }
        out.push(Tok::Text(s));
    }
    let mut s = String::new();
    for t in out {
        match t {
            Tok::Open(n, a) => {
                s.push('<');
                s.push_str(&n);
                for (k, v) in a {
                    write!(s, " {k}={v:?}").unwrap();
                }
                s.push('>');
            }
            Tok::Close(n) => write!(s, "</{n}>").unwrap(),
            Tok::Text(t) => write!(s, "{t:?}").unwrap(),
            Tok::Other(o) => s.push_str(&o),
        }
        s.push('\n');
    }
    s
}

/// Elements whose content is blocks: text directly inside one (or at the top level) is a
/// paragraph in druk's model.
const FLOW: &[&str] = &[
    "div",
    "blockquote",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "details",
    "center",
    "address",
];

/// Text and inline elements that raw HTML leaves directly in a block container (or at the top
/// level) put in a paragraph, as druk reads them: its model holds text in paragraphs only.
fn paragraphs(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut stack: Vec<String> = Vec::new();
    let mut open = false;
    for t in toks {
        let block = match &t {
            Tok::Open(n, _) | Tok::Close(n) => BLOCK.contains(&n.as_str()),
            _ => false,
        };
        if block && open {
            out.push(Tok::Close("p".into()));
            open = false;
        }
        if block {
            match &t {
                Tok::Open(n, _) if !VOID.contains(&n.as_str()) => stack.push(n.clone()),
                Tok::Close(n) => {
                    if let Some(at) = stack.iter().rposition(|o| o == n) {
                        stack.truncate(at);
                    }
                }
                _ => {}
            }
        } else {
            let content = match &t {
                Tok::Text(s) => !s.trim().is_empty(),
                Tok::Open(..) => true,
                _ => false,
            };
            let flow = stack.last().is_none_or(|n| FLOW.contains(&n.as_str()));
            if content && flow && !open {
                out.push(Tok::Open("p".into(), Vec::new()));
                open = true;
            }
        }
        out.push(t);
    }
    if open {
        out.push(Tok::Close("p".into()));
    }
    out
}

fn rename(n: String) -> String {
    match n.as_str() {
        "i" => "em".into(),
        "b" => "strong".into(),
        "s" | "strike" => "del".into(),
        _ => n,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Passes,
    Refused,
    /// Differs, with a warning located in the example that says what has no effect.
    Warned,
    Documented,
    Differs,
}

/// Why druk deliberately writes other HTML than the spec for some examples; the README's
/// format section says the same.
const AUTOLINKS: &str = "GFM's extended autolinks are on in every druk book: a bare URL or \
    e-mail address is a link, also where the CommonMark spec (which has no such extension) \
    expects text, and also after `<` (as comrak and cmark-gfm read it)";
const INLINE_AROUND_BLOCKS: &str = "an inline element around Markdown paragraphs (`<del>`, a \
    blank line, `*foo*`, a blank line, `</del>`) styles the text of each paragraph: \
    `<p><del>…</del></p>`, where the spec passes `<del><p>…</p></del>` through";
const COMMENTS_0_31: &str = "CommonMark 0.31 made `<!-->`, `<!--->` and `<!-- -- -->` \
    comments; druk follows 0.31.2, the GFM spec is 0.29";

/// Per spec: the examples that differ on purpose, and why.
const COMMONMARK_DOCUMENTED: &[(&[usize], &str)] = &[
    (&[604, 610, 613, 614], AUTOLINKS),
    (&[168], INLINE_AROUND_BLOCKS),
];
const GFM_DOCUMENTED: &[(&[usize], &str)] = &[
    (&[610, 616, 619, 620], AUTOLINKS),
    (&[137], INLINE_AROUND_BLOCKS),
    (&[645, 646], COMMENTS_0_31),
];

struct Report {
    classes: BTreeMap<Class, Vec<usize>>,
    /// Refused examples by the code of their first error.
    refusals: BTreeMap<String, Vec<usize>>,
    /// What druk made of each example that does not pass (and of `SPEC_SHOW=N`).
    details: String,
}

fn classify(spec: &str, book: &str, documented: &[(&[usize], &str)]) -> Report {
    let all = examples(spec);
    let refs: Vec<&Example> = all.iter().collect();
    let mut outcomes = build(book, &refs, true);
    // Examples refused only because their own level-1 heading is a second title.
    let own_title: Vec<&Example> = all
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| !o.errors.is_empty() && o.errors.iter().all(|e| e.0 == "second-title"))
        .map(|(e, _)| e)
        .collect();
    if !own_title.is_empty() {
        let again = build(&format!("{book}-titles"), &own_title, false);
        for (e, o) in own_title.iter().zip(again) {
            if o.errors
                .iter()
                .all(|e| e.0 != "title-not-first" && e.0 != "no-title")
            {
                outcomes[e.number - 1] = o;
            }
        }
    }
    let show: Option<usize> = std::env::var("SPEC_SHOW").ok().and_then(|v| v.parse().ok());
    let mut classes: BTreeMap<Class, Vec<usize>> = BTreeMap::new();
    let mut refusals: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut details = String::new();
    for (e, o) in all.iter().zip(&outcomes) {
        let want = normalise(&e.html);
        let got = normalise(&o.html);
        let why = documented
            .iter()
            .find(|(nums, _)| nums.contains(&e.number))
            .map(|(_, why)| *why);
        let reasoned = o
            .errors
            .iter()
            .all(|(code, _)| REFUSALS.iter().any(|(c, _)| c == code));
        // A link refused only for where it leads is still read as the spec reads it.
        let only_links = o.errors.iter().all(|(code, _)| code == "link");
        let class = if let Some((code, _)) = o.errors.first() {
            refusals.entry(code.clone()).or_default().push(e.number);
            if reasoned && (!only_links || want == got || why.is_some()) {
                Class::Refused
            } else {
                Class::Differs
            }
        } else if want == got {
            Class::Passes
        } else if why.is_some() {
            Class::Documented
        } else if !o.warnings.is_empty() {
            // A warning that says what has no effect (an attribute druk does not carry).
            Class::Warned
        } else {
            Class::Differs
        };
        classes.entry(class).or_default().push(e.number);
        if class != Class::Passes || show == Some(e.number) {
            writeln!(
                details,
                "--- example {} ({}): {class:?}\n{}--- the spec, normalised\n{want}--- druk, normalised\n{got}",
                e.number, e.section, e.markdown
            )
            .unwrap();
            for (_, m) in &o.errors {
                writeln!(details, "error {m}").unwrap();
            }
            for m in o.warnings.iter().chain(&o.notes) {
                writeln!(details, "warning {m}").unwrap();
            }
            if let Some(why) = why {
                writeln!(details, "documented: {why}").unwrap();
            }
        }
        if show == Some(e.number) {
            writeln!(details, "--- druk, as written\n{}", o.raw).unwrap();
        }
    }
    // A documented difference that no longer differs is out of date.
    for (nums, why) in documented {
        for n in *nums {
            if !classes
                .get(&Class::Documented)
                .is_some_and(|v| v.contains(n))
            {
                writeln!(
                    details,
                    "example {n} is documented as differing but does not: {why}"
                )
                .unwrap();
                classes.entry(Class::Differs).or_default().push(*n);
            }
        }
    }
    Report {
        classes,
        refusals,
        details,
    }
}

/// Runs one spec and checks the counts per class. `SPEC_SHOW=N` writes what druk made of
/// example N (and of every example that does not pass) to `target/tmp/<book>-details.txt`.
fn check(file: &str, book: &str, documented: &[(&[usize], &str)], expect: [(Class, usize); 5]) {
    let spec = std::fs::read_to_string(root().join("tests/spec").join(file)).unwrap();
    let r = classify(&spec, book, documented);
    let mut summary = String::new();
    for (c, v) in &r.classes {
        writeln!(summary, "{c:?}: {}", v.len()).unwrap();
    }
    for (c, v) in &r.classes {
        if *c != Class::Passes {
            writeln!(summary, "{c:?}: {v:?}").unwrap();
        }
    }
    for (code, v) in &r.refusals {
        writeln!(summary, "refused ({code}): {} {v:?}", v.len()).unwrap();
    }
    println!("{file}:\n{summary}");
    let details = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{book}-details.txt"));
    std::fs::write(&details, &r.details).unwrap();
    let counts: Vec<(Class, usize)> = expect
        .iter()
        .map(|(c, _)| (*c, r.classes.get(c).map_or(0, Vec::len)))
        .collect();
    assert_eq!(
        counts,
        expect,
        "{file}: the counts changed; when this is an improvement, update them here and in the \
         README.\n{summary}\nPassing examples: {:?}\nEach example that does not pass is in {}",
        r.classes.get(&Class::Passes).cloned().unwrap_or_default(),
        details.display()
    );
}

#[test]
fn commonmark_spec() {
    check(
        "commonmark-spec.txt",
        "spec-commonmark",
        COMMONMARK_DOCUMENTED,
        [
            (Class::Passes, 473),
            (Class::Refused, 175),
            (Class::Warned, 2),
            (Class::Documented, 5),
            (Class::Differs, 0),
        ],
    );
}

#[test]
fn gfm_spec() {
    check(
        "gfm-spec.txt",
        "spec-gfm",
        GFM_DOCUMENTED,
        [
            (Class::Passes, 492),
            (Class::Refused, 172),
            (Class::Warned, 2),
            (Class::Documented, 7),
            (Class::Differs, 0),
        ],
    );
}

/// The normaliser itself: what it treats as the same, and what it does not.
#[test]
fn normalisation_keeps_words_and_structure() {
    let same = |a: &str, b: &str| assert_eq!(normalise(a), normalise(b), "{a} vs {b}");
    let differ = |a: &str, b: &str| assert_ne!(normalise(a), normalise(b), "{a} vs {b}");
    same("<p>a<br />\nb</p>\n", "<p>a<br/>b</p>");
    same("<p>&quot;x&quot; &amp; y</p>", "<p>“x” &amp; y</p>");
    same("<p>a -- b...</p>", "<p>a – b…</p>");
    same(
        "<div class=\"a\n b\" id=\"x\">\n</div>",
        "<div id=\"x\" class=\"a b\"></div>",
    );
    same("<div>text</div>", "<div><p>text</p></div>");
    same("<p>a <!-- note --> b</p>", "<p>a  b</p>");
    differ("<p>a b</p>", "<p>a</p>");
    differ("<p>a&nbsp;</p>", "<p>a</p>");
    differ(
        "<pre><code>a  b</code></pre>",
        "<pre><code>a b</code></pre>",
    );
    differ("<code>\"</code>", "<code>“</code>");
    differ("<h1>a</h1>", "<h2>a</h2>");
    differ("<p><em>a</em></p>", "<p><strong>a</strong></p>");
    differ("<p><a href=\"x\">a</a></p>", "<p><a href=\"y\">a</a></p>");
}
