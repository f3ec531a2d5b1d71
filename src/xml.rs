//! A small XHTML tree, serialised once. Building a tree (instead of concatenating strings)
//! guarantees well-formed output: every element is closed and every text escaped.

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub name: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

/// Elements that XHTML writes as `<x/>`; all others get an explicit end tag even when empty,
/// because `<p/>` or `<a/>` confuse HTML parsers.
const VOID: &[&str] = &["br", "hr", "img", "meta", "link", "col", "input", "wbr"];

/// Elements that hold blocks: a line break after their start and end tags keeps the files
/// readable and diffable (golden tests) without changing what a reader shows.
const CONTAINERS: &[&str] = &[
    "html",
    "head",
    "body",
    "section",
    "header",
    "nav",
    "ul",
    "ol",
    "table",
    "thead",
    "tbody",
    "tr",
    "blockquote",
    "div",
    "aside",
    "figure",
];
/// Block elements whose content is inline: a line break after the end tag only.
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "th",
    "td",
    "caption",
    "figcaption",
    "pre",
    "title",
    "meta",
    "link",
    "hr",
];

pub fn el(name: &'static str) -> Element {
    Element {
        name,
        attrs: Vec::new(),
        children: Vec::new(),
    }
}

impl Element {
    pub fn attr(mut self, k: &'static str, v: impl Into<String>) -> Element {
        self.attrs.push((k, v.into()));
        self
    }

    pub fn class(self, c: impl Into<String>) -> Element {
        self.attr("class", c)
    }

    pub fn child(mut self, n: impl Into<Node>) -> Element {
        self.children.push(n.into());
        self
    }

    pub fn text(mut self, t: impl Into<String>) -> Element {
        self.children.push(Node::Text(t.into()));
        self
    }

    pub fn children(mut self, ns: impl IntoIterator<Item = Node>) -> Element {
        self.children.extend(ns);
        self
    }

    pub fn push(&mut self, n: impl Into<Node>) {
        self.children.push(n.into());
    }

    pub fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape_into(v, out, true);
            out.push('"');
        }
        if self.children.is_empty() && VOID.contains(&self.name) {
            out.push_str("/>");
            if BLOCKS.contains(&self.name) {
                out.push('\n');
            }
            return;
        }
        out.push('>');
        let container = CONTAINERS.contains(&self.name);
        if container {
            out.push('\n');
        }
        for c in &self.children {
            c.write(out);
        }
        out.push_str("</");
        out.push_str(self.name);
        out.push('>');
        if container || BLOCKS.contains(&self.name) {
            out.push('\n');
        }
    }
}

impl Node {
    pub fn write(&self, out: &mut String) {
        match self {
            Node::Element(e) => e.write(out),
            Node::Text(t) => escape_into(t, out, false),
        }
    }
}

impl From<Element> for Node {
    fn from(e: Element) -> Node {
        Node::Element(e)
    }
}

impl From<&str> for Node {
    fn from(s: &str) -> Node {
        Node::Text(s.to_string())
    }
}

impl From<String> for Node {
    fn from(s: String) -> Node {
        Node::Text(s)
    }
}

pub fn escape_into(s: &str, out: &mut String, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_closes() {
        let e = el("p")
            .attr("title", "a \"b\" & c")
            .text("x < y & z")
            .child(el("br"))
            .child(el("a").attr("id", "x"));
        let mut s = String::new();
        e.write(&mut s);
        assert_eq!(
            s,
            r#"<p title="a &quot;b&quot; &amp; c">x &lt; y &amp; z<br/><a id="x"></a></p>
"#
        );
    }
}
