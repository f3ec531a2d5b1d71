//! The words of each edition, one list per part of the book in reading order.
//!
//! - EPUB: the spine's content documents of the parts (`part-N`), body text.
//! - Web: the page of each part (named as its EPUB document), only `<main>`, without the
//!   previous/next navigation; the sidebar is outside `<main>`.
//! - PDF: `pdftotext -raw -bbox` (words with their boxes, in the order drawn), split into
//!   parts at the pages the top-level bookmarks point to. Running heads go: the top line of a page that holds the
//!   page's folio (from `/PageLabels`) and more; so do lone folios at the foot. A word broken
//!   at a line end ("opvoe-" + "ding") is joined when the joined word is one the manuscript
//!   has (or has with a diaeresis the break took off: "co-" + "ordinatie" is "coördinatie"),
//!   and keeps its hyphen otherwise ("moskee-" + "of kerk"); the continuation is looked for
//!   on the next line that starts in the same type size, past footnotes and running heads
//!   drawn in between.

use super::words::{ETok, SUB, SUP, edition_tokens, styled_tokens};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

/// Elements that do not end a word.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// The text of an XHTML element, with each character's formatting (superscript,
/// subscript).
struct Text {
    text: String,
    styles: Vec<u8>,
}

impl Text {
    fn new() -> Self {
        Text {
            text: String::new(),
            styles: Vec::new(),
        }
    }

    fn push(&mut self, s: &str, style: u8) {
        for c in s.chars() {
            self.text.push(c);
            self.styles.push(style);
        }
    }

    fn tokens(&self) -> Vec<ETok> {
        let mut toks = Vec::new();
        styled_tokens(&self.text, &self.styles, &mut toks);
        toks
    }
}

/// The text of an element: `skip` elements left out, a space at every block boundary.
fn element_text(
    node: roxmltree::Node,
    skip: &dyn Fn(roxmltree::Node) -> bool,
    style: u8,
    out: &mut Text,
) {
    for child in node.children() {
        if child.is_text() {
            out.push(child.text().unwrap_or(""), style);
        } else if child.is_element() {
            if skip(child) {
                continue;
            }
            let name = child.tag_name().name();
            let block = !INLINE.contains(&name);
            if block || name == "br" {
                out.push(" ", style);
            }
            let inner = match name {
                "sup" => style | SUP,
                "sub" => style | SUB,
                _ => style,
            };
            element_text(child, skip, inner, out);
            if block {
                out.push(" ", style);
            }
        }
    }
}

fn parse(xml: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(xml, opts)
        .unwrap_or_else(|e| panic!("an edition's page is not well-formed XML: {e}"))
}

/// The EPUB's parts: (document name without extension, tokens).
pub fn epub(path: &Path) -> Vec<(String, Vec<ETok>)> {
    let files = crate::common::unzip(path);
    let get = |name: &str| -> String {
        let (_, b) = files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is in the EPUB"));
        String::from_utf8(b.clone()).unwrap()
    };
    let container = get("META-INF/container.xml");
    let cdoc = parse(&container);
    let opf_path = cdoc
        .descendants()
        .find(|n| n.has_tag_name("rootfile"))
        .and_then(|n| n.attribute("full-path"))
        .expect("container.xml names the package")
        .to_string();
    let base = opf_path
        .rsplit_once('/')
        .map(|(d, _)| format!("{d}/"))
        .unwrap_or_default();
    let opf = get(&opf_path);
    let odoc = parse(&opf);
    let hrefs: HashMap<&str, &str> = odoc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .filter_map(|n| Some((n.attribute("id")?, n.attribute("href")?)))
        .collect();
    let mut parts = Vec::new();
    for itemref in odoc.descendants().filter(|n| n.has_tag_name("itemref")) {
        let id = itemref.attribute("idref").unwrap_or("");
        if !id.starts_with("part-") {
            continue;
        }
        let href = hrefs[id];
        let xml = get(&format!("{base}{href}"));
        let doc = parse(&xml);
        let body = doc
            .descendants()
            .find(|n| n.has_tag_name("body"))
            .expect("a content document has a body");
        let mut text = Text::new();
        element_text(body, &|_| false, 0, &mut text);
        let toks = text.tokens();
        let name = href.rsplit('/').next().unwrap().trim_end_matches(".xhtml");
        parts.push((name.to_string(), toks));
    }
    parts
}

/// The web edition's page `name`.html: the words in `<main>`, without its navigation.
pub fn web_page(dir: &Path, name: &str) -> Vec<ETok> {
    let path = dir.join(format!("{name}.html"));
    let html = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the web edition has {}: {e}", path.display()));
    let xml = html.trim_start_matches("<!DOCTYPE html>");
    let doc = parse(xml);
    let main = doc
        .descendants()
        .find(|n| n.has_tag_name("main"))
        .unwrap_or_else(|| panic!("{} has a <main>", path.display()));
    let mut text = Text::new();
    let skip = |n: roxmltree::Node| n.has_tag_name("nav") || n.has_tag_name("script");
    element_text(main, &skip, 0, &mut text);
    text.tokens()
}

/// A line of a PDF page as poppler reads it.
struct Line {
    page: u32,
    /// The top and height of the word the line is measured against.
    top: f64,
    height: f64,
    /// Whether that word has letters or digits (else a later one that has takes over).
    lettered: bool,
    words: Vec<String>,
    /// The height of each word's box: its type size.
    heights: Vec<f64>,
    /// Where the last word ends.
    right: f64,
}

/// The PDF's parts: the tokens of the pages from each top-level bookmark to the next, for
/// the last `parts` bookmarks (the ones before them, such as the table of contents, are
/// generated).
pub fn pdf(path: &Path, parts: usize, vocab: &HashSet<String>) -> Vec<Vec<ETok>> {
    let doc = lopdf::Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let pages = doc.get_pages();
    let page_count = pages.len() as u32;
    let page_no: HashMap<lopdf::ObjectId, u32> = pages.iter().map(|(n, id)| (*id, *n)).collect();
    let starts = outline_starts(&doc, &page_no);
    assert!(
        starts.len() >= parts,
        "{}: {} top-level bookmarks for {parts} parts",
        path.display(),
        starts.len()
    );
    let starts = &starts[starts.len() - parts..];
    let labels = page_labels(&doc, page_count);

    let lines = pdf_lines(path);
    let lines = drop_running_heads(lines, &labels);
    let mut toks = Vec::new();
    for (page, words) in dehyphenate(&lines, vocab) {
        for (word, broken) in words {
            let from = toks.len();
            edition_tokens(&word, page, &mut toks);
            for t in &mut toks[from..] {
                t.broken = broken;
            }
        }
    }
    (0..parts)
        .map(|k| {
            let from = starts[k];
            let to = starts.get(k + 1).copied().unwrap_or(page_count + 1);
            toks.iter()
                .filter(|t| t.page >= from && t.page < to)
                .cloned()
                .collect()
        })
        .collect()
}

/// The page each top-level bookmark points to, in order.
fn outline_starts(doc: &lopdf::Document, page_no: &HashMap<lopdf::ObjectId, u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(root) = doc
        .catalog()
        .and_then(|c| c.get(b"Outlines"))
        .and_then(|o| o.as_reference())
        .and_then(|r| doc.get_dictionary(r))
    else {
        return out;
    };
    let mut item = root.get(b"First").and_then(|o| o.as_reference()).ok();
    while let Some(id) = item {
        let Ok(d) = doc.get_dictionary(id) else {
            break;
        };
        if let Ok(dest) = d.get(b"Dest").and_then(|o| o.as_array())
            && let Some(Ok(page)) = dest.first().map(|p| p.as_reference())
            && let Some(n) = page_no.get(&page)
        {
            out.push(*n);
        }
        item = d.get(b"Next").and_then(|o| o.as_reference()).ok();
    }
    out
}

/// The folio printed on each page (index 0 is page 1), from `/PageLabels`.
fn page_labels(doc: &lopdf::Document, count: u32) -> Vec<String> {
    let mut ranges: Vec<(u32, Vec<u8>, i64)> = Vec::new();
    if let Ok(nums) = doc
        .catalog()
        .and_then(|c| c.get(b"PageLabels"))
        .and_then(|o| match o {
            lopdf::Object::Reference(r) => doc.get_dictionary(*r),
            o => o.as_dict(),
        })
        .and_then(|d| d.get(b"Nums"))
        .and_then(|o| o.as_array())
    {
        for pair in nums.chunks(2) {
            let (Ok(start), Some(dict)) = (pair[0].as_i64(), pair.get(1)) else {
                continue;
            };
            let dict = match dict {
                lopdf::Object::Reference(r) => doc.get_dictionary(*r).ok(),
                o => o.as_dict().ok(),
            };
            let style = dict
                .and_then(|d| d.get(b"S").ok())
                .and_then(|s| s.as_name().ok())
                .map(|s| s.to_vec())
                .unwrap_or_default();
            let first = dict
                .and_then(|d| d.get(b"St").ok())
                .and_then(|s| s.as_i64().ok())
                .unwrap_or(1);
            ranges.push((start as u32, style, first));
        }
    }
    (0..count)
        .map(|p| {
            let Some((start, style, first)) = ranges.iter().rev().find(|(s, _, _)| *s <= p) else {
                return (p + 1).to_string();
            };
            let n = first + (p - start) as i64;
            match style.as_slice() {
                b"r" => roman(n),
                b"R" => roman(n).to_uppercase(),
                b"D" => n.to_string(),
                _ => String::new(),
            }
        })
        .collect()
}

fn roman(mut n: i64) -> String {
    let mut s = String::new();
    for (v, r) in [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// The lines of every page in the order druk drew them (`pdftotext -raw -bbox`: poppler's
/// own reading order cuts code blocks with aligned columns into columns).
fn pdf_lines(path: &Path) -> Vec<Line> {
    let o = Command::new("pdftotext")
        .args(["-raw", "-bbox"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext is installed (run `make test`): {e}"));
    assert!(
        o.status.success(),
        "pdftotext -bbox {} failed",
        path.display()
    );
    let html = String::from_utf8_lossy(&o.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let pat = format!("{name}=\"");
        tag.find(&pat)
            .and_then(|p| {
                let rest = &tag[p + pat.len()..];
                rest[..rest.find('"')?].parse().ok()
            })
            .unwrap_or(0.0)
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut page = 0;
    for row in html.lines() {
        let row = row.trim();
        if row.starts_with("<page ") {
            page += 1;
            continue;
        }
        let Some(rest) = row.strip_prefix("<word ") else {
            continue;
        };
        let Some((tag, text)) = rest.split_once('>') else {
            continue;
        };
        let text = text
            .trim_end_matches("</word>")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        let (top, bottom) = (attr(tag, "yMin"), attr(tag, "yMax"));
        let (left, right) = (attr(tag, "xMin"), attr(tag, "xMax"));
        let height = bottom - top;
        // A word continues the line when it sits on it: a superscript footnote mark too.
        // Measured against the line's first word of letters or digits: a symbol from a
        // fallback font (the ☐ of a task) may have a taller box than the text.
        let same = lines.last().is_some_and(|l| {
            l.page == page && top < l.top + 0.8 * l.height && bottom > l.top + 0.2 * l.height
        });
        if !same {
            lines.push(Line {
                page,
                top,
                height,
                lettered: false,
                words: Vec::new(),
                heights: Vec::new(),
                right: 0.0,
            });
        }
        let l = lines.last_mut().unwrap();
        if !l.lettered && text.chars().any(char::is_alphanumeric) {
            (l.top, l.height, l.lettered) = (top, height, true);
        }
        // Poppler ends a word where the font changes (`` `T`s `` is “T” and “s”); words that
        // touch are one.
        if same && (left - l.right).abs() < 0.3 {
            l.words.last_mut().unwrap().push_str(&text);
        } else {
            l.words.push(text);
            l.heights.push(height);
        }
        l.right = right;
    }
    for l in &mut lines {
        logical_order(&mut l.words);
    }
    lines
}

/// Whether `c` is a letter of a right-to-left script (Hebrew, Arabic and the like).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Poppler gives the words of a line in the order they stand on the page, so a run of
/// right-to-left words in a left-to-right line (a Hebrew phrase in Dutch) comes out in
/// visual order, each word's letters reversed too. Back in reading order: the run's words
/// reversed, and each word's letters.
fn logical_order(words: &mut [String]) {
    let rtl = |w: &String| w.chars().any(is_rtl) && !w.chars().any(|c| c.is_ascii_alphabetic());
    let mut i = 0;
    while i < words.len() {
        if !rtl(&words[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < words.len() && rtl(&words[i]) {
            i += 1;
        }
        let run = &mut words[start..i];
        run.reverse();
        for w in run.iter_mut() {
            // Punctuation on the outside (`ךוניח;`) stays where it is read.
            let lead: String = w.chars().take_while(|c| !c.is_alphabetic()).collect();
            let trail: String = w.chars().rev().take_while(|c| !c.is_alphabetic()).collect();
            let core: String = w[lead.len()..w.len() - trail.len()].chars().rev().collect();
            *w = format!("{lead}{core}{}", trail.chars().rev().collect::<String>());
        }
    }
}

/// Without running heads and lone folios. Poppler may cut a running head into several
/// lines (the folio and the title apart), so a head is every line at the page's top
/// position when together they hold the folio and more; a foot is a lone folio at the
/// page's bottom position.
fn drop_running_heads(lines: Vec<Line>, labels: &[String]) -> Vec<Line> {
    let mut top: HashMap<u32, f64> = HashMap::new();
    let mut bottom: HashMap<u32, f64> = HashMap::new();
    for l in &lines {
        let t = top.entry(l.page).or_insert(f64::MAX);
        *t = t.min(l.top);
        let b = bottom.entry(l.page).or_insert(f64::MIN);
        *b = b.max(l.top);
    }
    let at = |l: &Line, y: &HashMap<u32, f64>| (l.top - y[&l.page]).abs() < 0.5;
    let mut head_words: HashMap<u32, Vec<&str>> = HashMap::new();
    let mut foot_words: HashMap<u32, Vec<&str>> = HashMap::new();
    for l in &lines {
        if at(l, &top) {
            head_words
                .entry(l.page)
                .or_default()
                .extend(l.words.iter().map(String::as_str));
        }
        if at(l, &bottom) {
            foot_words
                .entry(l.page)
                .or_default()
                .extend(l.words.iter().map(String::as_str));
        }
    }
    let folio = |page: u32| labels.get(page as usize - 1).filter(|f| !f.is_empty());
    let head_pages: HashSet<u32> = head_words
        .iter()
        .filter(|(p, w)| folio(**p).is_some_and(|f| w.len() >= 2 && w.contains(&f.as_str())))
        .map(|(p, _)| *p)
        .collect();
    let foot_pages: HashSet<u32> = foot_words
        .iter()
        .filter(|(p, w)| folio(**p).is_some_and(|f| w.len() == 1 && w[0] == f))
        .map(|(p, _)| *p)
        .collect();
    let keep: Vec<bool> = lines
        .iter()
        .map(|l| {
            let head = head_pages.contains(&l.page) && at(l, &top);
            let foot = foot_pages.contains(&l.page) && at(l, &bottom);
            !(head || foot)
        })
        .collect();
    lines
        .into_iter()
        .zip(keep)
        .filter_map(|(l, k)| k.then_some(l))
        .collect()
}

/// The words of the lines, with words broken at line ends put back together, each with
/// whether a line end broke it; one list per line, with its page.
fn dehyphenate(lines: &[Line], vocab: &HashSet<String>) -> Vec<(u32, Vec<(String, bool)>)> {
    let mut words: Vec<Vec<String>> = lines.iter().map(|l| l.words.clone()).collect();
    let mut broken: Vec<Vec<bool>> = lines.iter().map(|l| vec![false; l.words.len()]).collect();
    for k in 0..lines.len() {
        let Some(last) = words[k].last().cloned() else {
            continue;
        };
        let stem = last.strip_suffix('-').unwrap_or("");
        if stem.is_empty() || !stem.chars().last().is_some_and(char::is_alphabetic) {
            continue;
        }
        // The next line that starts in the same type size (footnotes and captions are
        // smaller or larger, and may come in between).
        let size = *lines[k].heights.last().unwrap();
        let Some(n) = (k + 1..lines.len().min(k + 60)).find(|&n| {
            let first = lines[n].words.len() - words[n].len();
            !words[n].is_empty() && (lines[n].heights[first] - size).abs() < 0.05 * size
        }) else {
            continue;
        };
        let next = words[n][0].clone();
        let lead: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
        if lead.is_empty() {
            continue;
        }
        let tail = &next[lead.len()..];
        let word_of = |s: &str| -> String {
            s.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        };
        let joined = format!("{stem}{lead}");
        let with_diaeresis = diaeresis(&lead).map(|d| format!("{stem}{d}"));
        let choice = if vocab.contains(&word_of(&joined)) {
            Some(joined)
        } else {
            with_diaeresis.filter(|d| vocab.contains(&word_of(d)))
        };
        let l = words[k].len();
        broken[k][lines[k].words.len() - 1] = true;
        let first = lines[n].words.len() - words[n].len();
        broken[n][first] = true;
        if let Some(w) = choice {
            words[k][l - 1] = format!("{w}{tail}");
            words[n].remove(0);
        }
    }
    lines
        .iter()
        .zip(words)
        .zip(broken)
        .map(|((l, w), b)| {
            let skip = b.len() - w.len();
            (
                l.page,
                w.into_iter().zip(b.into_iter().skip(skip)).collect(),
            )
        })
        .collect()
}

/// `lead` with a diaeresis on its first letter, as the hyphenation rule took it off.
fn diaeresis(lead: &str) -> Option<String> {
    let mut c = lead.chars();
    let first = match c.next()? {
        'a' => 'ä',
        'e' => 'ë',
        'i' => 'ï',
        'o' => 'ö',
        'u' => 'ü',
        _ => return None,
    };
    Some(format!("{first}{}", c.as_str()))
}
