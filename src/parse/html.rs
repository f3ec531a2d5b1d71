//! Raw HTML in a manuscript, read into the book model rather than passed through.
//!
//! An author writes `2<sup>7</sup>`, `<kbd>Ctrl</kbd>` or a `<div class="…">` around some
//! Markdown; every edition must show it, print included, so each element druk knows becomes a
//! model node: `<sup>` a superscript, `<a href>` a link, `<table>` a table. What cannot be
//! shown in every edition, or is unsafe in an e-book (scripts, event handlers, frames,
//! `javascript:` links), is refused at its place; an element druk does not know is refused
//! with the list of those it knows. HTML comments are the author's notes: they are left out
//! of every edition.
//!
//! This module reads tags and classifies elements and attributes; `parse/mod.rs` builds the
//! model from them, because it knows where each piece came from.

use std::collections::HashMap;

/// One piece of raw HTML: text (entities decoded) or a tag, with its byte offset in the
/// HTML it was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    Text(String, usize),
    Open {
        name: String,
        attrs: Vec<(String, String)>,
        /// Written `<br/>`: no closing tag follows.
        self_closing: bool,
        at: usize,
    },
    Close {
        name: String,
        at: usize,
    },
    Comment(usize),
}

/// What could not be read, and where (a byte offset).
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable {
    pub at: usize,
    pub why: String,
}

/// Reads `html` into tokens. Lenient where browsers are (a `<` that starts no tag is text),
/// strict where a tag was meant (a tag that never ends, an unquoted value with a quote in it).
pub fn tokenize(html: &str) -> Result<Vec<Token>, Unreadable> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if from < to {
            out.push(Token::Text(decode_entities(&html[from..to]), from));
        }
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &html[i..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            // `<!-->` and `<!--->` are whole (empty) comments, in HTML and in CommonMark.
            let empty = [">", "->"].into_iter().find(|e| comment.starts_with(e));
            if let Some(e) = empty {
                flush(&mut out, text_start, i);
                out.push(Token::Comment(i));
                i += 4 + e.len();
                text_start = i;
                continue;
            }
            let Some(end) = comment.find("-->") else {
                return Err(Unreadable {
                    at: i,
                    why: "an HTML comment `<!--` is never closed with `-->`".into(),
                });
            };
            flush(&mut out, text_start, i);
            out.push(Token::Comment(i));
            i += 4 + end + 3;
            text_start = i;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            return Err(Unreadable {
                at: i,
                why: format!(
                    "`{}` is not an element; declarations and processing instructions have no place in a chapter",
                    first_chars(rest, 12)
                ),
            });
        }
        let closing = rest.starts_with("</");
        let name_start = i + if closing { 2 } else { 1 };
        let name_len = html[name_start..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            // `a < b`, `<3`: text, as a browser reads it.
            i += 1;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let mut j = name_start + name_len;
        if closing {
            j += html[j..]
                .bytes()
                .take_while(u8::is_ascii_whitespace)
                .count();
            if b.get(j) != Some(&b'>') {
                return Err(Unreadable {
                    at: i,
                    why: format!("the closing tag `</{name}` does not end with `>`"),
                });
            }
            flush(&mut out, text_start, i);
            out.push(Token::Close { name, at: i });
            i = j + 1;
            text_start = i;
            continue;
        }
        let mut attrs = Vec::new();
        let self_closing;
        loop {
            j += html[j..]
                .bytes()
                .take_while(u8::is_ascii_whitespace)
                .count();
            match b.get(j) {
                None => {
                    return Err(Unreadable {
                        at: i,
                        why: format!("the tag `<{name}` does not end with `>`"),
                    });
                }
                Some(b'>') => {
                    self_closing = false;
                    j += 1;
                    break;
                }
                Some(b'/') if b.get(j + 1) == Some(&b'>') => {
                    self_closing = true;
                    j += 2;
                    break;
                }
                Some(_) => {
                    let (attr, next) = attribute(html, j).map_err(|why| Unreadable {
                        at: j,
                        why: format!("in the tag `<{name}`: {why}"),
                    })?;
                    attrs.push(attr);
                    j = next;
                }
            }
        }
        flush(&mut out, text_start, i);
        out.push(Token::Open {
            name,
            attrs,
            self_closing,
            at: i,
        });
        i = j;
        text_start = i;
    }
    flush(&mut out, text_start, b.len());
    Ok(out)
}

/// One attribute at `at`: `name`, `name=value`, `name="value"`, `name='value'`.
fn attribute(html: &str, at: usize) -> Result<((String, String), usize), String> {
    let b = html.as_bytes();
    let len = html[at..]
        .bytes()
        .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/' | b'"' | b'\''))
        .count();
    if len == 0 {
        return Err(format!("unexpected `{}`", first_chars(&html[at..], 1)));
    }
    let name = html[at..at + len].to_ascii_lowercase();
    let mut j = at + len;
    let ws = |j: usize| {
        j + html[j..]
            .bytes()
            .take_while(u8::is_ascii_whitespace)
            .count()
    };
    let k = ws(j);
    if b.get(k) != Some(&b'=') {
        return Ok(((name, String::new()), j));
    }
    j = ws(k + 1);
    match b.get(j) {
        Some(q @ (b'"' | b'\'')) => {
            let end = html[j + 1..]
                .find(*q as char)
                .ok_or_else(|| format!("the value of `{name}` has no closing {}", *q as char))?;
            let value = decode_entities(&html[j + 1..j + 1 + end]);
            Ok(((name, value), j + 1 + end + 1))
        }
        Some(_) => {
            let len = html[j..]
                .bytes()
                .take_while(|c| !c.is_ascii_whitespace() && *c != b'>')
                .count();
            let value = &html[j..j + len];
            if value.contains(['"', '\'', '<', '=', '`']) {
                return Err(format!("put the value of `{name}` in quotes"));
            }
            Ok(((name, decode_entities(value)), j + len))
        }
        None => Err(format!("`{name}=` has no value")),
    }
}

fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// Named and numeric character references (`&amp;`, `&nbsp;`, `&#8211;`, `&#x2013;`)
/// decoded; anything that is not one stays as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match entity(rest) {
            Some((text, len)) => {
                out.push_str(&text);
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

/// The reference at the start of `s` (which starts with `&`): its text and length.
fn entity(s: &str) -> Option<(String, usize)> {
    let end = s.find(';')?;
    if end > 40 {
        return None;
    }
    let body = &s[1..end];
    let text = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code).filter(|c| *c != '\0')?.to_string()
    } else {
        named_entities().get(body)?.to_string()
    };
    Some((text, end + 1))
}

fn named_entities() -> &'static HashMap<&'static str, &'static str> {
    static MAP: std::sync::OnceLock<HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        entities::ENTITIES
            .iter()
            .filter_map(|e| {
                let name = e.entity.strip_prefix('&')?.strip_suffix(';')?;
                Some((name, e.characters))
            })
            .collect()
    })
}

/// How druk reads an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Inline content with a style of its own.
    Inline(InlineKind),
    /// An inline element without content (`<br>`, `<wbr>`, `<img>`).
    Void(VoidKind),
    /// A block element.
    Block(BlockKind),
    /// Never accepted: why, in a few words, and what to do instead.
    Refused(&'static str, &'static str),
    /// An element druk does not know.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineKind {
    Emph,
    Strong,
    Strike,
    Underline,
    Superscript,
    Subscript,
    /// Code, keyboard input, sample output: set literally in the code face.
    Code,
    /// A link (`<a href>`), or an anchor (`<a id>`).
    Anchor,
    /// A span of text with its attributes (`<span>`, `<abbr>`, `<mark>`, `<small>`, …).
    Span,
    /// A quotation in the language's quotation marks.
    Quote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoidKind {
    Break,
    WordBreak,
    Image,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// A container of blocks: `<div>`, `<section>`, `<aside>`, `<figure>`, `<details>`, …
    Div,
    Paragraph,
    Quote,
    Preformatted,
    Rule,
    List {
        ordered: bool,
    },
    Item,
    Definitions,
    Term,
    Details,
    Table,
    /// `<thead>`, `<tbody>`, `<tfoot>`: groups of rows.
    RowGroup,
    Row,
    Cell {
        header: bool,
    },
    Caption,
    /// `<h1>`–`<h6>`.
    Heading,
    /// `<figcaption>`, `<summary>`: a caption-like paragraph inside its container.
    Caption2,
}

/// The role of element `name` (lower case).
pub fn role(name: &str) -> Role {
    use BlockKind as B;
    use InlineKind as I;
    match name {
        "em" | "i" | "cite" | "dfn" | "var" => Role::Inline(I::Emph),
        "strong" | "b" => Role::Inline(I::Strong),
        "s" | "del" | "strike" => Role::Inline(I::Strike),
        "u" | "ins" => Role::Inline(I::Underline),
        "sup" => Role::Inline(I::Superscript),
        "sub" => Role::Inline(I::Subscript),
        "code" | "kbd" | "samp" | "tt" => Role::Inline(I::Code),
        "a" => Role::Inline(I::Anchor),
        "span" | "abbr" | "acronym" | "mark" | "small" | "big" | "time" | "data" | "bdi"
        | "bdo" | "font" => Role::Inline(I::Span),
        "q" => Role::Inline(I::Quote),
        "br" => Role::Void(VoidKind::Break),
        "wbr" => Role::Void(VoidKind::WordBreak),
        "img" => Role::Void(VoidKind::Image),
        "div" | "section" | "article" | "aside" | "header" | "footer" | "main" | "figure"
        | "center" | "address" | "details" | "hgroup" => Role::Block(B::Div),
        "p" => Role::Block(B::Paragraph),
        "blockquote" => Role::Block(B::Quote),
        "pre" => Role::Block(B::Preformatted),
        "hr" => Role::Block(B::Rule),
        "ul" | "menu" => Role::Block(B::List { ordered: false }),
        "ol" => Role::Block(B::List { ordered: true }),
        "li" => Role::Block(B::Item),
        "dl" => Role::Block(B::Definitions),
        "dt" => Role::Block(B::Term),
        "dd" => Role::Block(B::Details),
        "table" => Role::Block(B::Table),
        "thead" | "tbody" | "tfoot" => Role::Block(B::RowGroup),
        "tr" => Role::Block(B::Row),
        "th" => Role::Block(B::Cell { header: true }),
        "td" => Role::Block(B::Cell { header: false }),
        "caption" => Role::Block(B::Caption),
        "figcaption" | "summary" => Role::Block(B::Caption2),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Role::Block(B::Heading),
        "colgroup" | "col" => Role::Refused(
            "column groups have no effect in druk",
            "remove them; column widths follow from the content",
        ),
        "script" | "noscript" | "template" => Role::Refused(
            "a script has no place in a book (EPUB readers and print cannot run it)",
            "remove it",
        ),
        "style" | "link" | "meta" | "base" | "head" | "body" | "html" | "title" => Role::Refused(
            "page-level HTML has no place in a chapter",
            "put styles in the house style (styles/epub.css) and remove the rest",
        ),
        "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "portal" => {
            Role::Refused(
                "an embedded frame or object cannot be printed and is unsafe in an e-book",
                "link to the page instead: [text](https://…)",
            )
        }
        "form" | "input" | "button" | "select" | "textarea" | "option" | "label" | "fieldset"
        | "output" | "dialog" => Role::Refused(
            "forms cannot be printed",
            "describe the form in text or show it as an image",
        ),
        "video" | "audio" | "source" | "track" | "canvas" | "picture" => Role::Refused(
            "media cannot be printed",
            "show a still as an image and link to the media",
        ),
        "svg" | "math" => Role::Refused(
            "inline SVG and MathML are not supported",
            "put a drawing in an image file and refer to it with ![…](file)",
        ),
        _ => Role::Unknown,
    }
}

/// The elements druk reads, for the message about one it does not know.
pub const KNOWN: &str = "a, abbr, b, blockquote, br, caption, cite, code, dd, del, div, dl, dt, em, figcaption, figure, h1–h6 (refused: use Markdown headings), hr, i, img, ins, kbd, li, mark, ol, p, pre, q, s, samp, section, small, span, strong, sub, sup, table, tbody, td, tfoot, th, thead, tr, u, ul, var, wbr";

/// Attributes every element may carry.
const GLOBAL: &[&str] = &["id", "class", "lang", "xml:lang", "title", "dir", "role"];

/// Attributes that belong to one element, beside [`GLOBAL`].
fn own_attributes(name: &str) -> &'static [&'static str] {
    match name {
        "a" => &["href", "name", "target", "rel", "hreflang", "type"],
        "img" => &["src", "alt", "width", "height", "loading", "decoding"],
        "td" | "th" => &["colspan", "rowspan", "align", "scope", "valign"],
        "ol" => &["start", "type", "reversed"],
        "li" => &["value"],
        "blockquote" | "q" | "del" | "ins" => &["cite", "datetime"],
        "time" => &["datetime"],
        "data" => &["value"],
        "abbr" | "acronym" => &[],
        "table" => &["summary"],
        "bdo" => &[],
        "details" => &["open"],
        "font" => &["color", "face", "size"],
        _ => &[],
    }
}

/// A problem with an attribute: an error (the build fails) or a warning (it has no effect).
#[derive(Clone, Debug, PartialEq)]
pub struct AttrProblem {
    pub error: bool,
    pub message: String,
    pub help: String,
}

/// Checks the attributes of element `name`: event handlers and script URLs are errors, an
/// inline `style` or an unknown attribute a warning (druk does not carry them).
pub fn check_attributes(name: &str, attrs: &[(String, String)]) -> Vec<AttrProblem> {
    let mut out = Vec::new();
    for (k, v) in attrs {
        if k.starts_with("on") {
            out.push(AttrProblem {
                error: true,
                message: format!("the event handler `{k}` on `<{name}>`: a book runs no scripts"),
                help: "remove the attribute".into(),
            });
        } else if matches!(
            k.as_str(),
            "href" | "src" | "cite" | "action" | "formaction"
        ) && unsafe_url(v)
        {
            out.push(AttrProblem {
                error: true,
                message: format!(
                    "`{k}` on `<{name}>` is a script URL (`{}`)",
                    first_chars(v.trim(), 30)
                ),
                help: "link to a page or a place in the book instead".into(),
            });
        } else if k == "style" {
            out.push(AttrProblem {
                error: false,
                message: format!("the inline style on `<{name}>` is left out of every edition"),
                help: "give the element a class and style it in the house style (styles/epub.css)"
                    .into(),
            });
        } else if !GLOBAL.contains(&k.as_str())
            && !own_attributes(name).contains(&k.as_str())
            && !k.starts_with("data-")
            && !k.starts_with("aria-")
        {
            let known: Vec<&str> = GLOBAL.iter().chain(own_attributes(name)).copied().collect();
            out.push(AttrProblem {
                error: false,
                message: format!(
                    "druk does not know the attribute `{k}` on `<{name}>`; it has no effect"
                ),
                help: format!("the attributes druk reads here: {}", known.join(", ")),
            });
        }
    }
    out
}

/// `javascript:`, `vbscript:` and `data:` URLs (with the whitespace and control characters a
/// browser ignores inside the scheme).
pub fn unsafe_url(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    url.contains(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data")
}

/// The value of attribute `key`, if present.
pub fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_text_and_entities() {
        let t = tokenize("2<sup>7</sup> &minus; 1 &amp; <br> <img src=\"a.png\" alt='x &lt; y'/>")
            .unwrap();
        assert_eq!(t[0], Token::Text("2".into(), 0));
        assert!(matches!(&t[1], Token::Open { name, self_closing: false, .. } if name == "sup"));
        assert_eq!(t[2], Token::Text("7".into(), 6));
        assert!(matches!(&t[3], Token::Close { name, .. } if name == "sup"));
        assert_eq!(t[4], Token::Text(" − 1 & ".into(), 13));
        assert!(matches!(&t[5], Token::Open { name, .. } if name == "br"));
        let Token::Open {
            attrs,
            self_closing,
            ..
        } = &t[7]
        else {
            panic!("{t:?}")
        };
        assert!(*self_closing);
        assert_eq!(get(attrs, "alt"), Some("x < y"));
    }

    #[test]
    fn empty_comments_end_where_they_start() {
        let t = tokenize("a <!--> b <!---> c").unwrap();
        assert_eq!(
            t,
            vec![
                Token::Text("a ".into(), 0),
                Token::Comment(2),
                Token::Text(" b ".into(), 7),
                Token::Comment(10),
                Token::Text(" c".into(), 16),
            ]
        );
    }

    #[test]
    fn text_that_only_looks_like_a_tag_is_text() {
        let t = tokenize("a < b en 3<4").unwrap();
        assert_eq!(t, vec![Token::Text("a < b en 3<4".into(), 0)]);
    }

    #[test]
    fn unreadable_tags_say_why() {
        assert!(tokenize("<b").unwrap_err().why.contains("does not end"));
        assert!(
            tokenize("<a href=\"x>y")
                .unwrap_err()
                .why
                .contains("no closing")
        );
        assert!(
            tokenize("<!-- open")
                .unwrap_err()
                .why
                .contains("never closed")
        );
    }

    #[test]
    fn unsafe_attributes_are_errors() {
        let p = check_attributes("a", &[("href".into(), " JaVa\tScript:alert(1)".into())]);
        assert!(p[0].error);
        let p = check_attributes("img", &[("onerror".into(), "x()".into())]);
        assert!(p[0].error);
        let p = check_attributes("span", &[("style".into(), "color: red".into())]);
        assert!(!p[0].error);
        assert!(check_attributes("span", &[("lang".into(), "en".into())]).is_empty());
        assert!(!unsafe_url("https://example.org/javascript:x"));
    }
}
