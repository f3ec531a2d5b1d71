//! The words of a manuscript, read from the Markdown without druk's parser: a line scanner
//! for the blocks and a character scanner for the inlines, written to keep the text a reader
//! should see and drop the markup that shapes it, so that the test catches the parser's
//! mistakes instead of repeating them.
//!
//! Blocks. Headings lose their `#` marks and a trailing `{#id .class}`; list markers, task
//! boxes (`[ ]`, `[x]`), `>` quote marks, Pandoc definition markers (`:`) and `:::` fences go;
//! a `:::` fence keeps the words of its `title="…"`, a code fence those of its `caption="…"`.
//! Code blocks (fenced, or indented outside lists) are kept character for character. HTML
//! comments, `<style>` and `<script>` blocks, link reference definitions and thematic breaks
//! are dropped. Some blocks float: druk may print them elsewhere (a PDF puts footnotes at the
//! foot of the page and lets figures and tables move to the next page; the EPUB gathers
//! footnotes at the end of the chapter), so they are compared on their own: every footnote
//! (`[^id]: …` and `^[…]`, in the order of first reference; a footnote never referenced
//! still counts), the caption of an image that is alone in its paragraph (a figure), a
//! table (row by row or column by column, whichever the edition has) and a table caption
//! (`: …` or `Table: …`).
//!
//! Inlines. Emphasis (`*`, `_`, `**`, `__`, matched as CommonMark matches them), `~~`,
//! superscript `^x^`, subscript `~x~` and math `$…$` lose their delimiters and keep their
//! text; links and bracketed spans keep their text and lose target, title and attributes;
//! an inline image shows nothing (its alt text is not printed); raw HTML tags go, their
//! text stays; `\`-escapes give the character. A citation (`[@key]`, `[see @key, p. 1]`,
//! `@key`) with a key of the bibliography becomes one `Cite` token and a cross-reference
//! (`@sec-…`, `@fig-…`, `@tbl-…`, `@kader-…`, `@lst-…`, `@eq-…`) one `Ref` token: druk prints
//! generated text there. Footnote references (`[^id]`) go: druk prints a number. Markup druk
//! does not implement is dropped too, so that printing it literally is caught: raw TeX
//! (`\index{…}` with its argument, other commands keep their argument's text), Quarto
//! shortcodes `{{< … >}}`, mdBook `{{#…}}`, HackMD `{%…%}`, GitHub alert marks
//! (`> [!NOTE]`, whose box title druk prints); an emoji shortcode (`:bulb:`) is its emoji
//! where GitHub's table has it. Outside code, `--` and `---` become dashes
//! and `...` an ellipsis, as druk prints them.

use super::words::{Kind, SUB, SUP, Tok, split};
use std::collections::{HashMap, HashSet};

/// A block druk may print away from where it was written.
#[derive(Clone, Debug)]
pub struct Float {
    pub what: &'static str,
    pub line: u32,
    pub toks: Vec<Tok>,
    /// A table's cells (ranges of `toks`, row by row) and its number of columns: a PDF reader
    /// may read a table row by row or column by column.
    pub cells: Vec<std::ops::Range<usize>>,
    pub columns: usize,
}

/// The words of one Markdown file.
#[derive(Debug, Default)]
pub struct FileWords {
    pub main: Vec<Tok>,
    pub floats: Vec<Float>,
}

type Chars = Vec<(char, u32)>;

/// Reads one file.
pub fn words(text: &str, keys: &HashSet<String>) -> FileWords {
    let lines: Vec<(u32, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, l.to_string()))
        .collect();
    let mut s = Scanner {
        keys,
        refdefs: HashSet::new(),
        footdefs: HashMap::new(),
        floats: Vec::new(),
        first_refs: Vec::new(),
        seq: 0,
    };
    s.predefine(&lines);
    let mut main = Vec::new();
    s.blocks(&lines, &mut main, true);
    // Footnotes in the order of their first reference, unreferenced ones last.
    let mut notes: Vec<(Anchor, Float)> = Vec::new();
    let mut seen = HashSet::new();
    for (id, at) in std::mem::take(&mut s.first_refs) {
        if seen.insert(id.clone())
            && let Some((line, body)) = s.footdefs.get(&id).cloned()
        {
            let toks = s.subtext(&body);
            notes.push((at, float("footnote", line, toks)));
        }
    }
    let mut rest: Vec<_> = s
        .footdefs
        .iter()
        .filter(|(id, _)| !seen.contains(*id))
        .map(|(_, v)| v.clone())
        .collect();
    rest.sort_by_key(|(line, _)| *line);
    for (line, body) in rest {
        let toks = s.subtext(&body);
        notes.push((
            (usize::MAX, 0, 0),
            float("unreferenced footnote", line, toks),
        ));
    }
    let mut floats = std::mem::take(&mut s.floats);
    floats.extend(notes);
    floats.retain(|(_, f)| !f.toks.is_empty());
    floats.sort_by_key(|(at, _)| *at);
    FileWords {
        main,
        floats: floats.into_iter().map(|(_, f)| f).collect(),
    }
}

fn float(what: &'static str, line: u32, toks: Vec<Tok>) -> Float {
    Float {
        what,
        line,
        toks,
        cells: Vec::new(),
        columns: 0,
    }
}

/// A table read row by row: its tokens and its cells.
#[derive(Default)]
struct Table {
    toks: Vec<Tok>,
    cells: Vec<std::ops::Range<usize>>,
    columns: usize,
}

impl Table {
    fn into_float(self, line: u32) -> Float {
        Float {
            what: "table",
            line,
            toks: self.toks,
            cells: self.cells,
            columns: self.columns,
        }
    }
}

struct Scanner<'a> {
    keys: &'a HashSet<String>,
    /// Labels of link reference definitions, lower case: `[text]` alone is a link only then.
    refdefs: HashSet<String>,
    /// Footnote id → (line of the definition, its lines with the indentation taken off).
    footdefs: HashMap<String, (u32, Vec<(u32, String)>)>,
    /// Floats with the position in the main text they belong to.
    floats: Vec<(Anchor, Float)>,
    first_refs: Vec<(String, Anchor)>,
    /// Counts anchors, so that two at one place keep the order they were written in.
    seq: usize,
}

fn indent(s: &str) -> usize {
    let mut n = 0;
    for c in s.chars() {
        match c {
            ' ' => n += 1,
            '\t' => n += 4 - n % 4,
            _ => break,
        }
    }
    n
}

/// `s` without `n` columns of indentation.
fn dedent(s: &str, n: usize) -> &str {
    let mut col = 0;
    for (i, c) in s.char_indices() {
        if col >= n {
            return &s[i..];
        }
        match c {
            ' ' => col += 1,
            '\t' => col += 4 - col % 4,
            _ => return &s[i..],
        }
    }
    ""
}

/// A `>` quote mark and the space after it, or `None`.
fn strip_quote(s: &str) -> Option<&str> {
    if indent(s) > 3 {
        return None;
    }
    let t = s.trim_start();
    let t = t.strip_prefix('>')?;
    Some(t.strip_prefix(' ').unwrap_or(t))
}

/// A list marker: the text after it.
fn strip_list_marker(s: &str) -> Option<&str> {
    let t = s.trim_start();
    let b = t.as_bytes();
    let after = if matches!(b.first(), Some(b'-' | b'*' | b'+')) {
        1
    } else {
        let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 || d > 9 || !matches!(b.get(d), Some(b'.' | b')')) {
            return None;
        }
        d + 1
    };
    match b.get(after) {
        None => Some(""),
        Some(b' ' | b'\t') => Some(&t[after + 1..]),
        _ => None,
    }
}

fn fence_open(s: &str) -> Option<(char, usize, &str)> {
    let t = s.trim_start();
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    if n < 3 {
        return None;
    }
    let info = &t[n..];
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((c, n, info.trim()))
}

fn is_fence_close(s: &str, c: char, n: usize) -> bool {
    let t = s.trim();
    t.len() >= n && t.chars().all(|x| x == c)
}

fn is_thematic_break(s: &str) -> bool {
    if indent(s) > 3 {
        return false;
    }
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3
        && (t.chars().all(|c| c == '-')
            || t.chars().all(|c| c == '*')
            || t.chars().all(|c| c == '_'))
}

fn is_table_delimiter(s: &str) -> bool {
    let t = s.trim();
    if !t.contains('-') || !t.contains('|') && !t.contains(':') && !t.starts_with('-') {
        return false;
    }
    let t = t.trim_start_matches('|').trim_end_matches('|');
    !t.is_empty()
        && t.split('|').all(|cell| {
            let c = cell.trim();
            let c = c.trim_start_matches(':').trim_end_matches(':');
            !c.is_empty() && c.chars().all(|x| x == '-')
        })
}

fn is_grid_border(s: &str) -> bool {
    let t = s.trim();
    t.len() > 2
        && t.starts_with('+')
        && t.ends_with('+')
        && t.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
}

/// The cells of a pipe-table row, split at `|` that are not escaped or inside code.
fn cells(s: &str) -> Vec<String> {
    let t = s.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let mut out = vec![String::new()];
    let mut code = false;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '`' => {
                code = !code;
                out.last_mut().unwrap().push(c);
            }
            '|' if !code => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    if out.last().is_some_and(|c| c.trim().is_empty()) && t.trim_end().ends_with('|') {
        out.pop();
    }
    out
}

/// The value of `key="…"` in an attribute block.
fn attr_value<'s>(attrs: &'s str, key: &str) -> Option<&'s str> {
    let pat = format!("{key}=\"");
    let start = attrs.find(&pat)? + pat.len();
    let end = attrs[start..].find('"')? + start;
    Some(&attrs[start..end])
}

/// A heading's text without closing `#`s and a trailing attribute block.
fn heading_text(s: &str) -> &str {
    let mut t = s.trim_end();
    if t.ends_with('}')
        && let Some(open) = t.rfind('{')
    {
        t = t[..open].trim_end();
    }
    let stripped = t.trim_end_matches('#');
    if stripped.is_empty() || stripped.ends_with(' ') {
        t = stripped.trim_end();
    }
    t
}

impl Scanner<'_> {
    fn next_seq(&mut self) -> usize {
        self.seq += 1;
        self.seq
    }

    fn push_float(&mut self, at: (usize, usize), f: Float) {
        let seq = self.next_seq();
        self.floats.push(((at.0, at.1, seq), f));
    }

    /// Footnote definitions and link reference definitions, known before the text that uses
    /// them is read.
    fn predefine(&mut self, lines: &[(u32, String)]) {
        let mut fence: Option<(char, usize)> = None;
        let mut i = 0;
        while i < lines.len() {
            let (ln, raw) = &lines[i];
            i += 1;
            let mut s = raw.as_str();
            while let Some(t) = strip_quote(s) {
                s = t;
            }
            if let Some((c, n)) = fence {
                if is_fence_close(s, c, n) {
                    fence = None;
                }
                continue;
            }
            if let Some((c, n, _)) = fence_open(s)
                && indent(s) < 4
            {
                fence = Some((c, n));
                continue;
            }
            if indent(s) > 3 {
                continue;
            }
            let t = s.trim_start();
            if let Some(rest) = t.strip_prefix("[^")
                && let Some(close) = rest.find("]:")
                && !rest[..close].contains(char::is_whitespace)
            {
                let id = rest[..close].to_string();
                let mut body = vec![(*ln, rest[close + 2..].trim_start().to_string())];
                // Indented lines, blank lines between them, and lazy continuation lines.
                let mut last_blank = false;
                while i < lines.len() {
                    let (l2, s2) = &lines[i];
                    if s2.trim().is_empty() {
                        last_blank = true;
                        body.push((*l2, String::new()));
                        i += 1;
                        continue;
                    }
                    let lazy = !last_blank
                        && !s2.trim_start().starts_with("[^")
                        && !s2.trim_start().starts_with('#')
                        && strip_list_marker(s2).is_none()
                        && fence_open(s2).is_none();
                    if indent(s2) >= 4 || lazy {
                        body.push((*l2, dedent(s2, 4).to_string()));
                        last_blank = false;
                        i += 1;
                    } else {
                        break;
                    }
                }
                while body.last().is_some_and(|(_, l)| l.is_empty()) {
                    body.pop();
                }
                self.footdefs.insert(id, (*ln, body));
                continue;
            }
            if let Some(rest) = t.strip_prefix('[')
                && let Some(close) = rest.find("]:")
                && !rest.starts_with('^')
                && !rest[..close].contains('[')
            {
                self.refdefs.insert(rest[..close].to_lowercase());
            }
        }
    }

    /// The tokens of a footnote's text.
    fn subtext(&mut self, lines: &[(u32, String)]) -> Vec<Tok> {
        let mut out = Vec::new();
        self.blocks(lines, &mut out, false);
        out
    }

    /// Reads the blocks of `lines` into `out`. `top` is false inside a footnote, where
    /// footnote definitions were already taken out.
    fn blocks(&mut self, lines: &[(u32, String)], out: &mut Vec<Tok>, top: bool) {
        let mut para: Chars = Vec::new();
        let mut para_quoted = false;
        let mut fence: Option<(char, usize, usize, usize)> = None; // char, count, indent, quote depth
        let mut in_comment = false;
        let mut raw_end: Option<&'static str> = None;
        let mut list = false;
        let mut prev_blank = true;
        let mut indented_code = false;
        let mut i = 0;
        while i < lines.len() {
            let (ln, raw) = (&lines[i].0, lines[i].1.as_str());
            let ln = *ln;
            i += 1;
            // Quote marks; in a list item they may stand as deep as its text.
            let mut s = raw;
            let mut depth = 0;
            loop {
                if let Some(t) = strip_quote(s) {
                    s = t;
                } else if list && s.trim_start().starts_with('>') {
                    let t = &s.trim_start()[1..];
                    s = t.strip_prefix(' ').unwrap_or(t);
                } else {
                    break;
                }
                depth += 1;
            }
            if let Some((c, n, ind, d)) = fence {
                let mut s2 = raw;
                for _ in 0..d {
                    s2 = strip_quote(s2).unwrap_or(s2);
                }
                if is_fence_close(s2, c, n) {
                    fence = None;
                } else {
                    self.code(&[(ln, dedent(s2, ind).to_string())], out);
                }
                continue;
            }
            if in_comment {
                if let Some(p) = s.find("-->") {
                    in_comment = false;
                    let rest = &s[p + 3..];
                    if !rest.trim().is_empty() {
                        para.extend(rest.chars().map(|c| (c, ln)));
                        para.push(('\n', ln));
                    }
                }
                continue;
            }
            if let Some(end) = raw_end {
                if s.to_ascii_lowercase().contains(end) {
                    raw_end = None;
                }
                continue;
            }
            if s.trim().is_empty() {
                self.flush(&mut para, para_quoted, out);
                prev_blank = true;
                continue;
            }
            // Skip footnote definitions in the main text: they were read beforehand.
            if top && indent(s) < 4 {
                let t = s.trim_start();
                if let Some(rest) = t.strip_prefix("[^")
                    && let Some(close) = rest.find("]:")
                    && !rest[..close].contains(char::is_whitespace)
                {
                    self.flush(&mut para, para_quoted, out);
                    let id = &rest[..close];
                    let n = self.footdefs.get(id).map(|(_, b)| b.len()).unwrap_or(1);
                    i += n - 1;
                    prev_blank = true;
                    continue;
                }
            }
            // Indented code: after a blank line, outside lists.
            if indent(s) >= 4 && para.is_empty() && !list && (prev_blank || indented_code) {
                self.code(&[(ln, dedent(s, 4).to_string())], out);
                indented_code = true;
                prev_blank = false;
                continue;
            }
            indented_code = false;
            if indent(raw) == 0 && prev_blank && strip_list_marker(raw).is_none() {
                list = false;
            }
            prev_blank = false;
            // List markers (several on one line: `- 1. text`) and task boxes.
            let mut item = false;
            loop {
                if let Some(rest) = strip_list_marker(s)
                    && !is_thematic_break(s)
                {
                    s = rest;
                    item = true;
                    continue;
                }
                if let Some(rest) = strip_quote(s) {
                    s = rest;
                    depth += 1;
                    continue;
                }
                break;
            }
            if item {
                self.flush(&mut para, para_quoted, out);
                list = true;
                let t = s.trim_start();
                for b in ["[ ] ", "[x] ", "[X] "] {
                    if let Some(rest) = t.strip_prefix(b) {
                        s = rest;
                    }
                }
                if matches!(t, "[ ]" | "[x]" | "[X]") {
                    continue;
                }
            }
            if let Some((c, n, info)) = fence_open(s) {
                self.flush(&mut para, para_quoted, out);
                if let Some(caption) = attr_value(info, "caption") {
                    let chars: Chars = caption.chars().map(|c| (c, ln)).collect();
                    self.inline(&chars, false, out);
                }
                fence = Some((c, n, indent(s), depth));
                continue;
            }
            let t = s.trim_start();
            if let Some(comment) = t.strip_prefix("<!--") {
                self.flush(&mut para, para_quoted, out);
                match comment.find("-->") {
                    Some(p) => {
                        let rest = &comment[p + 3..];
                        if !rest.trim().is_empty() {
                            para.extend(rest.chars().map(|c| (c, ln)));
                            para.push(('\n', ln));
                        }
                    }
                    None => in_comment = true,
                }
                continue;
            }
            let lower = t.to_ascii_lowercase();
            if lower.starts_with("<style") || lower.starts_with("<script") {
                self.flush(&mut para, para_quoted, out);
                let end = if lower.starts_with("<style") {
                    "</style>"
                } else {
                    "</script>"
                };
                if !lower.contains(end) {
                    raw_end = Some(end);
                }
                continue;
            }
            if t.starts_with('#') {
                let hashes = t.chars().take_while(|&c| c == '#').count();
                let after = &t[hashes..];
                if hashes <= 6 && (after.is_empty() || after.starts_with([' ', '\t'])) {
                    self.flush(&mut para, para_quoted, out);
                    let text = heading_text(after.trim());
                    let chars: Chars = text.chars().map(|c| (c, ln)).collect();
                    self.inline(&chars, false, out);
                    continue;
                }
            }
            if !para.is_empty() && indent(s) < 4 {
                let u = s.trim();
                if !u.is_empty() && (u.chars().all(|c| c == '=') || u.chars().all(|c| c == '-')) {
                    // A setext heading's underline.
                    self.flush(&mut para, para_quoted, out);
                    continue;
                }
            }
            if is_thematic_break(s) {
                self.flush(&mut para, para_quoted, out);
                continue;
            }
            if t.starts_with(":::") {
                self.flush(&mut para, para_quoted, out);
                if let Some(title) = attr_value(t, "title") {
                    let chars: Chars = title.chars().map(|c| (c, ln)).collect();
                    self.inline(&chars, false, out);
                }
                continue;
            }
            // Pipe tables: a row, then a delimiter row.
            if t.contains('|')
                && i < lines.len()
                && is_table_delimiter(strip_all_quotes(&lines[i].1, depth))
            {
                // A caption written before the table.
                let before = para_text(&para);
                if before.starts_with(": ") || before.starts_with("Table: ") {
                    let line = para[0].1;
                    let chars = caption_chars(&para);
                    para.clear();
                    let mut toks = Vec::new();
                    self.inline(&chars, false, &mut toks);
                    self.push_float((out.len(), 0), float("table caption", line, toks));
                }
                self.flush(&mut para, para_quoted, out);
                let mut rows: Vec<(u32, String)> = vec![(ln, t.to_string())];
                i += 1;
                while i < lines.len() {
                    let r = strip_all_quotes(&lines[i].1, depth);
                    if r.trim().is_empty() || !r.contains('|') {
                        break;
                    }
                    rows.push((lines[i].0, r.to_string()));
                    i += 1;
                }
                let mut table = Table::default();
                for (k, (l, row)) in rows.iter().enumerate() {
                    let row = cells(row);
                    if k == 0 {
                        table.columns = row.len();
                    }
                    for cell in row.iter().take(table.columns) {
                        let chars: Chars = cell.chars().map(|c| (c, *l)).collect();
                        let start = table.toks.len();
                        self.inline(&chars, false, &mut table.toks);
                        table.cells.push(start..table.toks.len());
                    }
                    // A short row still has its columns.
                    for _ in row.len()..table.columns {
                        table.cells.push(table.toks.len()..table.toks.len());
                    }
                }
                self.push_float((out.len(), 0), table.into_float(ln));
                i = self.table_caption(lines, i, out.len());
                continue;
            }
            if is_grid_border(t) {
                self.flush(&mut para, para_quoted, out);
                let mut table = Table::default();
                while i < lines.len() && !lines[i].1.trim().is_empty() {
                    let (l, r) = (&lines[i].0, lines[i].1.trim());
                    i += 1;
                    if is_grid_border(r) {
                        continue;
                    }
                    let row: Vec<&str> = r.trim_matches('|').split('|').collect();
                    table.columns = table.columns.max(row.len());
                    for cell in row {
                        let chars: Chars = cell.chars().map(|c| (c, *l)).collect();
                        let start = table.toks.len();
                        self.inline(&chars, false, &mut table.toks);
                        table.cells.push(start..table.toks.len());
                    }
                }
                self.push_float((out.len(), 0), table.into_float(ln));
                i = self.table_caption(lines, i, out.len());
                continue;
            }
            if t.starts_with('[')
                && !t.starts_with("[^")
                && let Some(close) = t.find("]:")
                && self.refdefs.contains(&t[1..close].to_lowercase())
            {
                self.flush(&mut para, para_quoted, out);
                continue;
            }
            // Pandoc definition lists: `:` or `~` and spaces before a definition.
            let mut s2 = t;
            if (t.starts_with(": ") || t.starts_with(":\t") || t.starts_with("~ ")) && indent(s) < 4
            {
                self.flush(&mut para, para_quoted, out);
                s2 = t[1..].trim_start();
            }
            if para.is_empty() {
                para_quoted = depth > 0;
            }
            para.extend(s2.chars().map(|c| (c, ln)));
            para.push(('\n', ln));
        }
        self.flush(&mut para, para_quoted, out);
    }

    /// A table caption (`: …` or `Table: …`) after a table, at most one blank line below it.
    /// Returns the index of the line after it.
    fn table_caption(&mut self, lines: &[(u32, String)], mut i: usize, anchor: usize) -> usize {
        let mut j = i;
        if j < lines.len() && lines[j].1.trim().is_empty() {
            j += 1;
        }
        if j < lines.len() {
            let t = lines[j].1.trim_start();
            if t.starts_with(": ") || t.starts_with("Table: ") {
                let mut para: Chars = Vec::new();
                let mut k = j;
                while k < lines.len() && !lines[k].1.trim().is_empty() {
                    para.extend(lines[k].1.trim_start().chars().map(|c| (c, lines[k].0)));
                    para.push(('\n', lines[k].0));
                    k += 1;
                }
                let line = lines[j].0;
                let chars = caption_chars(&para);
                let mut toks = Vec::new();
                self.inline(&chars, false, &mut toks);
                self.push_float((anchor, 0), float("table caption", line, toks));
                i = k;
            }
        }
        i
    }

    fn code(&mut self, lines: &[(u32, String)], out: &mut Vec<Tok>) {
        for (ln, l) in lines {
            split(l, |p| {
                out.push(Tok {
                    raw: p.raw,
                    text: p.text,
                    norm: p.norm,
                    kind: Kind::Code,
                    line: *ln,
                    style: 0,
                    first: false,
                })
            });
        }
    }

    /// The paragraph gathered so far, read and cleared. An image alone is a figure: its
    /// caption floats.
    fn flush(&mut self, para: &mut Chars, quoted: bool, out: &mut Vec<Tok>) {
        if para.is_empty() {
            return;
        }
        let text: String = para.iter().map(|(c, _)| c).collect();
        let t = text.trim();
        if t.starts_with("![")
            && let Some(alt_end) = match_bracket(&para_trimmed(para), 1)
        {
            let chars = para_trimmed(para);
            let after: String = chars[alt_end + 1..].iter().map(|(c, _)| c).collect();
            if let Some(rest) = after.strip_prefix('(')
                && let Some(close) = find_paren_close(rest)
            {
                let tail = rest[close + 1..].trim();
                let tail_ok = tail.is_empty() || (tail.starts_with('{') && tail.ends_with('}'));
                if tail_ok {
                    let caption = chars[2..alt_end].to_vec();
                    let mut toks = Vec::new();
                    self.inline(&caption, false, &mut toks);
                    let line = chars[0].1;
                    self.push_float((out.len(), 0), float("figure caption", line, toks));
                    para.clear();
                    return;
                }
            }
        }
        let chars = std::mem::take(para);
        self.inline(&chars, quoted, out);
    }

    /// Reads inline text into tokens.
    fn inline(&mut self, s: &[(char, u32)], quoted: bool, out: &mut Vec<Tok>) {
        let mut pieces = Vec::new();
        let start = if quoted { skip_alert(s) } else { 0 };
        self.scan(&s[start..], out.len(), &mut pieces);
        let first = out.len();
        emit(pieces, out);
        if let Some(t) = out.get_mut(first) {
            t.first = true;
        }
    }

    /// Scans `s` into pieces. `at` is where the text will land in its token list (the anchor
    /// of an inline footnote).
    fn scan(&mut self, s: &[(char, u32)], at: usize, pieces: &mut Vec<Piece>) {
        let n = s.len();
        let ch = |k: usize| s.get(k).map(|x| x.0);
        let mut i = 0;
        while i < n {
            let (c, ln) = s[i];
            match c {
                '\\' => match ch(i + 1) {
                    Some(d) if d.is_ascii_punctuation() => {
                        text(pieces, d, ln);
                        i += 2;
                    }
                    Some('\n') => i += 1,
                    Some(d) if d.is_ascii_alphabetic() && tex_command(s, i).is_some() => {
                        // Raw TeX: the command goes; `\index{…}` and `\label{…}` with their
                        // argument, other commands keep the argument's text.
                        let j = tex_command(s, i).unwrap();
                        let name: String = s[i + 1..j].iter().map(|x| x.0).collect();
                        i = j;
                        while ch(i) == Some('{') {
                            let Some(close) = match_brace(s, i) else {
                                break;
                            };
                            if !matches!(name.as_str(), "index" | "label" | "ref" | "cite") {
                                self.scan(&s[i + 1..close], at, pieces);
                            }
                            i = close + 1;
                        }
                    }
                    _ => {
                        text(pieces, '\\', ln);
                        i += 1;
                    }
                },
                '`' => {
                    let run = count(s, i, '`');
                    match find_run(s, i + run, '`', run) {
                        Some(end) => {
                            let mut body = &s[i + run..end];
                            let strip = body.len() >= 2
                                && matches!(body[0].0, ' ' | '\n')
                                && matches!(body[body.len() - 1].0, ' ' | '\n');
                            if strip {
                                body = &body[1..body.len() - 1];
                            }
                            let code: Chars = body
                                .iter()
                                .map(|&(c, l)| (if c == '\n' { ' ' } else { c }, l))
                                .collect();
                            pieces.push(Piece::Code(code));
                            i = skip_attrs(s, end + run);
                        }
                        None => {
                            for _ in 0..run {
                                text(pieces, '`', ln);
                            }
                            i += run;
                        }
                    }
                }
                '$' => {
                    if ch(i + 1) == Some('$') {
                        if let Some(end) = find_str(s, i + 2, "$$") {
                            self.scan(&s[i + 2..end], at, pieces);
                            i = end + 2;
                            continue;
                        }
                    } else if ch(i + 1).is_some_and(|d| !d.is_whitespace())
                        && let Some(end) = math_close(s, i + 1)
                    {
                        self.scan(&s[i + 1..end], at, pieces);
                        i = end + 1;
                        continue;
                    }
                    text(pieces, '$', ln);
                    i += 1;
                }
                '<' => {
                    if starts(s, i, "<!--")
                        && let Some(end) = find_str(s, i, "-->")
                    {
                        i = end + 3;
                    } else if let Some((inner, end)) = autolink(s, i) {
                        for &(c, l) in &s[inner.0..inner.1] {
                            text(pieces, c, l);
                        }
                        i = end + 1;
                    } else if let Some(end) = html_tag(s, i) {
                        // Tags do not separate words, except a line break. The text of a raw
                        // `<code>` (`<kbd>`, `<samp>`) is code: printed as written.
                        let name: String = s[i + 1..end]
                            .iter()
                            .map(|x| x.0)
                            .take_while(|c| c.is_ascii_alphanumeric())
                            .collect::<String>()
                            .to_ascii_lowercase();
                        if name == "br" {
                            text(pieces, ' ', ln);
                        }
                        i = end + 1;
                        let style = match name.as_str() {
                            "sup" => SUP,
                            "sub" => SUB,
                            _ => 0,
                        };
                        if style != 0
                            && let Some(close) = find_str(s, i, &format!("</{name}>"))
                        {
                            let mut inner = Vec::new();
                            self.scan(&s[i..close], at, &mut inner);
                            pieces.push(Piece::Styled(style, inner));
                            i = close + name.len() + 3;
                        }
                        if matches!(name.as_str(), "code" | "kbd" | "samp")
                            && let Some(close) = find_str(s, i, &format!("</{name}>"))
                        {
                            let code: Chars = s[i..close]
                                .iter()
                                .map(|&(c, l)| (if c == '\n' { ' ' } else { c }, l))
                                .collect();
                            pieces.push(Piece::Code(code));
                            i = close + name.len() + 3;
                        }
                    } else {
                        text(pieces, '<', ln);
                        i += 1;
                    }
                }
                '!' if ch(i + 1) == Some('[') => {
                    if let Some(end) = self.image_end(s, i) {
                        i = end;
                    } else {
                        text(pieces, '!', ln);
                        i += 1;
                    }
                }
                '^' if ch(i + 1) == Some('[') => match match_bracket(s, i + 1) {
                    Some(close) => {
                        let mut toks = Vec::new();
                        let mut sub = Vec::new();
                        self.scan(&s[i + 2..close], at, &mut sub);
                        emit(sub, &mut toks);
                        self.push_float((at, position(pieces)), float("footnote", ln, toks));
                        i = close + 1;
                    }
                    None => {
                        text(pieces, '^', ln);
                        i += 1;
                    }
                },
                '^' => match script_close(s, i, '^') {
                    Some(end) => {
                        let mut inner = Vec::new();
                        self.scan(&s[i + 1..end], at, &mut inner);
                        pieces.push(Piece::Styled(SUP, inner));
                        i = end + 1;
                    }
                    None => {
                        text(pieces, '^', ln);
                        i += 1;
                    }
                },
                '~' if count(s, i, '~') == 1 => match script_close(s, i, '~') {
                    Some(end) => {
                        let mut inner = Vec::new();
                        self.scan(&s[i + 1..end], at, &mut inner);
                        pieces.push(Piece::Styled(SUB, inner));
                        i = end + 1;
                    }
                    None => {
                        text(pieces, '~', ln);
                        i += 1;
                    }
                },
                '*' | '_' | '~' => {
                    let run = count(s, i, c);
                    let before = if i == 0 { ' ' } else { s[i - 1].0 };
                    let after = s.get(i + run).map(|x| x.0).unwrap_or(' ');
                    let left = !after.is_whitespace()
                        && (!is_punct(after) || before.is_whitespace() || is_punct(before));
                    let right = !before.is_whitespace()
                        && (!is_punct(before) || after.is_whitespace() || is_punct(after));
                    let (open, close) = match c {
                        '_' => (
                            left && (!right || is_punct(before)),
                            right && (!left || is_punct(after)),
                        ),
                        _ => (left, right),
                    };
                    pieces.push(Piece::Delim {
                        ch: c,
                        chars: s[i..i + run].to_vec(),
                        left: run,
                        open,
                        close,
                    });
                    i += run;
                }
                '[' => i = self.bracket(s, i, at, pieces),
                '@' => {
                    let prev_ok = i == 0 || !(s[i - 1].0.is_alphanumeric() || s[i - 1].0 == '\\');
                    match key_at(s, i + 1) {
                        Some((key, end)) if prev_ok => match self.key_kind(&key) {
                            Some(kind) => {
                                let source: String = s[i..end].iter().map(|x| x.0).collect();
                                pieces.push(Piece::Wild(kind, ln, source));
                                i = end;
                            }
                            None => {
                                text(pieces, '@', ln);
                                i += 1;
                            }
                        },
                        _ => {
                            text(pieces, '@', ln);
                            i += 1;
                        }
                    }
                }
                '{' if starts(s, i, "{{<") => match find_str(s, i, ">}}") {
                    Some(end) => i = end + 3,
                    None => {
                        text(pieces, '{', ln);
                        i += 1;
                    }
                },
                '{' if starts(s, i, "{{#") || starts(s, i, "{%") => {
                    let close = if starts(s, i, "{%") { "%}" } else { "}}" };
                    match find_str(s, i, close) {
                        Some(end) => i = end + close.len(),
                        None => {
                            text(pieces, '{', ln);
                            i += 1;
                        }
                    }
                }
                ':' if emoji_end(s, i).is_some() => {
                    let end = emoji_end(s, i).unwrap();
                    let code: String = s[i + 1..end - 1].iter().map(|x| x.0).collect();
                    // A known shortcode is its emoji (GitHub's table, as druk reads it); an
                    // unknown one is text.
                    match emojis::get_by_shortcode(&code) {
                        Some(e) => e.as_str().chars().for_each(|x| text(pieces, x, ln)),
                        None => s[i..end].iter().for_each(|x| text(pieces, x.0, ln)),
                    }
                    i = end;
                }
                '&' => match entity(s, i) {
                    Some((d, end)) => {
                        for x in d.chars() {
                            text(pieces, x, ln);
                        }
                        i = end;
                    }
                    None => {
                        text(pieces, '&', ln);
                        i += 1;
                    }
                },
                '\n' => {
                    text(pieces, ' ', ln);
                    i += 1;
                }
                _ => {
                    text(pieces, c, ln);
                    i += 1;
                }
            }
        }
    }

    /// `![alt](dest){attrs}` or `![alt][ref]` from `i`: the index after it.
    fn image_end(&self, s: &[(char, u32)], i: usize) -> Option<usize> {
        let close = match_bracket(s, i + 1)?;
        match s.get(close + 1).map(|x| x.0) {
            Some('(') => {
                let rest: String = s[close + 2..].iter().map(|x| x.0).collect();
                let p = find_paren_close(&rest)?;
                let end = close + 2 + rest[..p].chars().count() + 1;
                Some(skip_attrs(s, end))
            }
            Some('[') => {
                let c2 = match_bracket(s, close + 1)?;
                Some(skip_attrs(s, c2 + 1))
            }
            _ => None,
        }
    }

    /// A `[` at `i`: a footnote reference, a citation, a link, a span, or a plain bracket.
    /// Returns the index to go on from.
    fn bracket(
        &mut self,
        s: &[(char, u32)],
        i: usize,
        at: usize,
        pieces: &mut Vec<Piece>,
    ) -> usize {
        let ln = s[i].1;
        let Some(close) = match_bracket(s, i) else {
            text(pieces, '[', ln);
            return i + 1;
        };
        let inner: String = s[i + 1..close].iter().map(|x| x.0).collect();
        let next = s.get(close + 1).map(|x| x.0);
        if let Some(id) = inner.strip_prefix('^')
            && !id.contains(char::is_whitespace)
            && self.footdefs.contains_key(id)
        {
            let seq = self.next_seq();
            self.first_refs
                .push((id.to_string(), (at, position(pieces), seq)));
            return close + 1;
        }
        match next {
            Some('(') => {
                let rest: String = s[close + 2..].iter().map(|x| x.0).collect();
                if let Some(p) = find_paren_close(&rest) {
                    self.scan(&s[i + 1..close], at, pieces);
                    let end = close + 2 + rest[..p].chars().count() + 1;
                    return skip_attrs(s, end);
                }
            }
            Some('[') => {
                if let Some(c2) = match_bracket(s, close + 1) {
                    self.scan(&s[i + 1..close], at, pieces);
                    return c2 + 1;
                }
            }
            Some('{') => {
                if let Some(c2) = match_brace(s, close + 1) {
                    self.scan(&s[i + 1..close], at, pieces);
                    return c2 + 1;
                }
            }
            _ => {}
        }
        if let Some(kind) = self.citation(&inner) {
            pieces.push(Piece::Wild(kind, ln, format!("[{inner}]")));
            return close + 1;
        }
        if self.refdefs.contains(&inner.to_lowercase()) {
            self.scan(&s[i + 1..close], at, pieces);
            return close + 1;
        }
        text(pieces, '[', ln);
        i + 1
    }

    /// A bracketed citation or cross-reference: one whose items name known keys or labels.
    fn citation(&self, inner: &str) -> Option<Kind> {
        let mut kind = None;
        let chars: Vec<(char, u32)> = inner.chars().map(|c| (c, 0)).collect();
        for (k, &(c, _)) in chars.iter().enumerate() {
            if c != '@' {
                continue;
            }
            let prev = if k == 0 { ' ' } else { chars[k - 1].0 };
            if !(prev.is_whitespace() || matches!(prev, '-' | ';' | '[')) {
                continue;
            }
            if let Some((key, _)) = key_at(&chars, k + 1) {
                match self.key_kind(&key) {
                    Some(Kind::Cite) => kind = Some(Kind::Cite),
                    Some(k) if kind.is_none() => kind = Some(k),
                    _ => {}
                }
            }
        }
        kind
    }

    fn key_kind(&self, key: &str) -> Option<Kind> {
        let lower = key.to_lowercase();
        if ["sec-", "fig-", "tbl-", "kader-", "lst-", "eq-"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            Some(Kind::Ref)
        } else if self.keys.contains(key) {
            Some(Kind::Cite)
        } else {
            None
        }
    }
}

/// A raw TeX command at `i` (a backslash): the index after its name. A command is a name
/// followed by `{`, or one of the few that stand alone; `C:\Users` is not one.
fn tex_command(s: &[(char, u32)], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < s.len() && s[j].0.is_ascii_alphabetic() {
        j += 1;
    }
    let name: String = s[i + 1..j].iter().map(|x| x.0).collect();
    let alone = matches!(
        name.as_str(),
        "newpage"
            | "clearpage"
            | "pagebreak"
            | "noindent"
            | "medskip"
            | "bigskip"
            | "smallskip"
            | "centering"
            | "hfill"
            | "vfill"
            | "linebreak"
            | "par"
            | "LaTeX"
            | "TeX"
    );
    (j > i + 1 && (alone || s.get(j).map(|x| x.0) == Some('{'))).then_some(j)
}

fn strip_all_quotes(s: &str, depth: usize) -> &str {
    let mut s = s;
    for _ in 0..depth {
        s = strip_quote(s).unwrap_or(s);
    }
    s
}

fn para_text(p: &Chars) -> String {
    p.iter()
        .map(|(c, _)| c)
        .collect::<String>()
        .trim()
        .to_string()
}

fn para_trimmed(p: &Chars) -> Chars {
    let mut v: Chars = p.clone();
    while v.first().is_some_and(|(c, _)| c.is_whitespace()) {
        v.remove(0);
    }
    while v.last().is_some_and(|(c, _)| c.is_whitespace()) {
        v.pop();
    }
    v
}

/// A caption paragraph without its `: ` or `Table: ` and its trailing attribute block.
fn caption_chars(p: &Chars) -> Chars {
    let mut v = para_trimmed(p);
    let text: String = v.iter().map(|(c, _)| c).collect();
    let skip = if text.starts_with("Table: ") { 7 } else { 2 };
    v.drain(..skip.min(v.len()));
    if v.last().is_some_and(|(c, _)| *c == '}')
        && let Some(open) = v.iter().rposition(|(c, _)| *c == '{')
    {
        v.truncate(open);
    }
    v
}

/// A GitHub alert mark (`[!NOTE]`) at the start of a quoted paragraph: where the text begins.
fn skip_alert(s: &[(char, u32)]) -> usize {
    let mut i = 0;
    while i < s.len() && s[i].0.is_whitespace() {
        i += 1;
    }
    if starts(s, i, "[!")
        && let Some(close) = match_bracket(s, i)
        && s[i + 2..close].iter().all(|x| x.0.is_ascii_alphabetic())
    {
        return close + 1;
    }
    0
}

/// Pieces of inline text before they become tokens.
#[derive(Debug)]
enum Piece {
    Text(Chars),
    Code(Chars),
    /// A citation or cross-reference, with its source text.
    Wild(Kind, u32, String),
    /// Superscript or subscript text.
    Styled(u8, Vec<Piece>),
    /// A run of `*`, `_` or `~~`: emphasis if it finds its partner, text otherwise.
    Delim {
        ch: char,
        chars: Chars,
        left: usize,
        open: bool,
        close: bool,
    },
}

fn text(pieces: &mut Vec<Piece>, c: char, ln: u32) {
    if let Some(Piece::Text(t)) = pieces.last_mut() {
        t.push((c, ln));
    } else {
        pieces.push(Piece::Text(vec![(c, ln)]));
    }
}

/// Where a float belongs: (tokens of the text before its paragraph, characters into the
/// paragraph, order of writing); a float between blocks is at 0 characters.
type Anchor = (usize, usize, usize);

/// How far into its paragraph the scan is.
fn position(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) | Piece::Code(t) => t.len(),
            Piece::Delim { chars, .. } => chars.len(),
            Piece::Wild(..) => 1,
            Piece::Styled(_, inner) => position(inner),
        })
        .sum()
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace())
}

/// CommonMark's delimiter matching, without the rule of three: matched runs are markup,
/// the rest is text.
fn emphasis(pieces: &mut [Piece]) {
    let mut stack: Vec<usize> = Vec::new();
    for k in 0..pieces.len() {
        let (ch, open, close) = match &pieces[k] {
            Piece::Delim {
                ch, open, close, ..
            } => (*ch, *open, *close),
            _ => continue,
        };
        if close {
            while let Some(pos) = stack.iter().rposition(|&o| match &pieces[o] {
                Piece::Delim { ch: c2, left, .. } => *c2 == ch && *left > 0,
                _ => false,
            }) {
                let o = stack[pos];
                let (ol, cl) = match (&pieces[o], &pieces[k]) {
                    (Piece::Delim { left: a, .. }, Piece::Delim { left: b, .. }) => (*a, *b),
                    _ => unreachable!(),
                };
                if cl == 0 {
                    break;
                }
                let used = if ch == '~' {
                    ol.min(cl).min(2)
                } else {
                    ol.min(cl)
                };
                if let Piece::Delim { left, .. } = &mut pieces[o] {
                    *left -= used;
                }
                if let Piece::Delim { left, .. } = &mut pieces[k] {
                    *left -= used;
                }
                stack.truncate(pos + 1);
                if let Piece::Delim { left: 0, .. } = &pieces[o] {
                    stack.pop();
                }
            }
        }
        if open
            && let Piece::Delim { left, .. } = &pieces[k]
            && *left > 0
        {
            stack.push(k);
        }
    }
}

/// Pieces into tokens: smart punctuation on text, code as written. A word's formatting is
/// that of all its characters (“10^3^” is one word, superscript in part).
fn emit(pieces: Vec<Piece>, out: &mut Vec<Tok>) {
    let mut items = Vec::new();
    flatten(pieces, 0, &mut items);
    let mut buf: Vec<(char, u32, u8)> = Vec::new();
    let flush = |buf: &mut Vec<(char, u32, u8)>, out: &mut Vec<Tok>| {
        if buf.is_empty() {
            return;
        }
        let chars: Chars = buf.iter().map(|&(c, l, _)| (c, l)).collect();
        let (smart, styles) = smarten(&chars, &buf.iter().map(|x| x.2).collect::<Vec<_>>());
        let s: String = smart.iter().map(|(c, _)| c).collect();
        split(&s, |p| {
            let kind = if p.text.chars().any(char::is_alphanumeric) {
                Kind::Word
            } else {
                Kind::Punct
            };
            let end = (p.start + p.raw.chars().count()).min(styles.len());
            out.push(Tok {
                line: smart[p.start].1,
                style: styles[p.start..end].iter().fold(0, |a, b| a | b),
                raw: p.raw,
                text: p.text,
                norm: p.norm,
                kind,
                first: false,
            })
        });
        buf.clear();
    };
    for item in items {
        match item {
            Item::Char(c, l, st) => buf.push((c, l, st)),
            Item::Code(t, style) => {
                flush(&mut buf, out);
                let s: String = t.iter().map(|(c, _)| c).collect();
                split(&s, |p| {
                    out.push(Tok {
                        line: t[p.start].1,
                        raw: p.raw,
                        text: p.text,
                        norm: p.norm,
                        kind: Kind::Code,
                        style,
                        first: false,
                    })
                });
            }
            Item::Wild(kind, line, style, source) => {
                flush(&mut buf, out);
                let text = if kind == Kind::Cite { "@cite" } else { "@ref" };
                out.push(Tok {
                    raw: source,
                    text: text.to_string(),
                    norm: text.to_string(),
                    kind,
                    line,
                    style,
                    first: false,
                });
            }
        }
    }
    flush(&mut buf, out);
}

/// Inline text as it will be printed, piece by piece.
enum Item {
    Char(char, u32, u8),
    Code(Chars, u8),
    Wild(Kind, u32, u8, String),
}

/// Pieces into items: emphasis resolved, formatting carried down.
fn flatten(mut pieces: Vec<Piece>, style: u8, out: &mut Vec<Item>) {
    emphasis(&mut pieces);
    // A short code span glued to a word (`` `T`s ``) prints as one word with it.
    let glued = |k: usize, pieces: &[Piece]| -> bool {
        let Piece::Code(t) = &pieces[k] else {
            return false;
        };
        let alnum = |c: char| c.is_alphanumeric() || c == '_';
        let before = k > 0
            && matches!(&pieces[k - 1], Piece::Text(p) if p.last().is_some_and(|x| alnum(x.0)));
        let after = matches!(pieces.get(k + 1), Some(Piece::Text(p)) if p.first().is_some_and(|x| alnum(x.0)));
        !t.is_empty() && t.iter().all(|x| alnum(x.0)) && (before || after)
    };
    let glue: Vec<bool> = (0..pieces.len()).map(|k| glued(k, &pieces)).collect();
    for (p, glue) in pieces.into_iter().zip(glue) {
        match p {
            Piece::Code(t) if glue => {
                out.extend(t.into_iter().map(|(c, l)| Item::Char(c, l, style)))
            }
            Piece::Text(t) => out.extend(t.into_iter().map(|(c, l)| Item::Char(c, l, style))),
            Piece::Delim { chars, left, .. } => {
                // Unmatched characters of the run are text; which ones does not matter.
                out.extend(
                    chars
                        .into_iter()
                        .take(left)
                        .map(|(c, l)| Item::Char(c, l, style)),
                );
            }
            Piece::Code(t) => out.push(Item::Code(t, style)),
            Piece::Wild(kind, line, source) => out.push(Item::Wild(kind, line, style, source)),
            Piece::Styled(st, inner) => flatten(inner, style | st, out),
        }
    }
}

/// `---` → em dash, `--` → en dash, `...` → ellipsis; with the formatting of each character.
fn smarten(s: &[(char, u32)], styles: &[u8]) -> (Chars, Vec<u8>) {
    let mut out = Vec::with_capacity(s.len());
    let mut st = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let (c, l) = s[i];
        let (mapped, n) = if c == '-' && starts(s, i, "---") {
            ('—', 3)
        } else if c == '-' && starts(s, i, "--") {
            ('–', 2)
        } else if c == '.' && starts(s, i, "...") {
            ('…', 3)
        } else {
            (c, 1)
        };
        out.push((mapped, l));
        st.push(styles[i]);
        i += n;
    }
    (out, st)
}

fn starts(s: &[(char, u32)], i: usize, pat: &str) -> bool {
    (i..)
        .zip(pat.chars())
        .all(|(k, p)| s.get(k).map(|x| x.0) == Some(p))
}

fn find_str(s: &[(char, u32)], from: usize, pat: &str) -> Option<usize> {
    (from..s.len()).find(|&k| starts(s, k, pat))
}

fn count(s: &[(char, u32)], i: usize, c: char) -> usize {
    s[i..].iter().take_while(|x| x.0 == c).count()
}

/// The next run of exactly `n` characters `c` from `from`.
fn find_run(s: &[(char, u32)], from: usize, c: char, n: usize) -> Option<usize> {
    let mut k = from;
    while k < s.len() {
        if s[k].0 == c {
            let r = count(s, k, c);
            if r == n {
                return Some(k);
            }
            k += r;
        } else {
            k += 1;
        }
    }
    None
}

/// The `]` matching the `[` at `i`, skipping escapes and code spans.
fn match_bracket(s: &[(char, u32)], i: usize) -> Option<usize> {
    let mut depth = 0;
    let mut k = i;
    while k < s.len() {
        match s[k].0 {
            '\\' => k += 1,
            '`' => {
                let r = count(s, k, '`');
                if let Some(e) = find_run(s, k + r, '`', r) {
                    k = e + r;
                    continue;
                }
                k += r;
                continue;
            }
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

fn match_brace(s: &[(char, u32)], i: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, x) in s.iter().enumerate().skip(i) {
        match x.0 {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The `)` closing a link destination (`rest` starts after the `(`): balanced parentheses,
/// `<…>` destinations and quoted titles.
fn find_paren_close(rest: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut angle = false;
    for (k, c) in rest.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '<' if k == 0 || rest[..k].trim().is_empty() => angle = true,
            '>' if angle => angle = false,
            '"' | '\'' if !angle && k > 0 && rest[..k].ends_with(' ') => quote = Some(c),
            '(' if !angle => depth += 1,
            ')' if !angle => {
                if depth == 0 {
                    return Some(k);
                }
                depth -= 1;
            }
            '\n' if rest[..k].trim().is_empty() => {}
            _ => {}
        }
    }
    None
}

/// An attribute block `{…}` right at `i`: the index after it, or `i`.
fn skip_attrs(s: &[(char, u32)], i: usize) -> usize {
    if s.get(i).map(|x| x.0) == Some('{')
        && let Some(close) = match_brace(s, i)
    {
        return close + 1;
    }
    i
}

/// The closing `$` of inline math opened before `from`: not after a space, not before a digit.
fn math_close(s: &[(char, u32)], from: usize) -> Option<usize> {
    for k in from..s.len() {
        if s[k].0 == '\n' && s.get(k + 1).is_some_and(|x| x.0 == '\n') {
            return None;
        }
        if s[k].0 == '$'
            && k > from
            && !s[k - 1].0.is_whitespace()
            && s[k - 1].0 != '\\'
            && !s.get(k + 1).is_some_and(|x| x.0.is_ascii_digit())
        {
            return Some(k);
        }
    }
    None
}

/// The closing mark of `^sup^` or `~sub~`: no spaces inside.
fn script_close(s: &[(char, u32)], i: usize, c: char) -> Option<usize> {
    let mut k = i + 1;
    while k < s.len() {
        let x = s[k].0;
        if x == c {
            return (k > i + 1).then_some(k);
        }
        if x.is_whitespace() {
            return None;
        }
        if x == '\\' {
            k += 1;
        }
        k += 1;
    }
    None
}

/// `<https://…>` or `<name@host>`: the span of the text inside and the index of `>`.
fn autolink(s: &[(char, u32)], i: usize) -> Option<((usize, usize), usize)> {
    let mut k = i + 1;
    while k < s.len() && s[k].0 != '>' {
        if s[k].0.is_whitespace() || s[k].0 == '<' {
            return None;
        }
        k += 1;
    }
    if k >= s.len() {
        return None;
    }
    let inner: String = s[i + 1..k].iter().map(|x| x.0).collect();
    let scheme = inner.split_once(':').is_some_and(|(a, _)| {
        a.len() >= 2
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    let email = inner.contains('@') && !inner.starts_with('@') && !inner.ends_with('@');
    (scheme || email).then_some(((i + 1, k), k))
}

/// An HTML tag at `i`: the index of its `>`.
fn html_tag(s: &[(char, u32)], i: usize) -> Option<usize> {
    let mut k = i + 1;
    if s.get(k).map(|x| x.0) == Some('/') {
        k += 1;
    }
    if !s.get(k).is_some_and(|x| x.0.is_ascii_alphabetic()) {
        return None;
    }
    let mut quote: Option<char> = None;
    while k < s.len() {
        let c = s[k].0;
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '>' {
            return Some(k);
        } else if c == '<' {
            return None;
        }
        k += 1;
    }
    None
}

/// A citation key after `@`: (key, index after it). Pandoc keys start with a letter, digit
/// or `_` and may hold `:.#$%&-+?<>~/` inside, not at the end.
fn key_at(s: &[(char, u32)], from: usize) -> Option<(String, usize)> {
    let first = s.get(from)?.0;
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let mut k = from;
    while k < s.len() && (s[k].0.is_alphanumeric() || "_:.#$%&-+?<>~/".contains(s[k].0)) {
        k += 1;
    }
    while k > from && !(s[k - 1].0.is_alphanumeric() || s[k - 1].0 == '_') {
        k -= 1;
    }
    Some((s[from..k].iter().map(|x| x.0).collect(), k))
}

/// An emoji shortcode (`:bulb:`) at `i`: the index after it.
fn emoji_end(s: &[(char, u32)], i: usize) -> Option<usize> {
    if i > 0 && s[i - 1].0.is_alphanumeric() {
        return None;
    }
    let mut k = i + 1;
    while k < s.len()
        && (s[k].0.is_ascii_lowercase() || s[k].0.is_ascii_digit() || "_+-".contains(s[k].0))
    {
        k += 1;
    }
    let ok = k > i + 1
        && s.get(k).map(|x| x.0) == Some(':')
        && s[i + 1].0.is_ascii_lowercase()
        && !s.get(k + 1).is_some_and(|x| x.0.is_alphanumeric());
    ok.then_some(k + 1)
}

/// An HTML entity at `i`: its text and the index after it.
fn entity(s: &[(char, u32)], i: usize) -> Option<(String, usize)> {
    let end = (i + 1..s.len().min(i + 12)).find(|&k| s[k].0 == ';')?;
    let name: String = s[i + 1..end].iter().map(|x| x.0).collect();
    let text = match name.as_str() {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        "nbsp" => " ".to_string(),
        "ndash" => "–".to_string(),
        "mdash" => "—".to_string(),
        "hellip" => "…".to_string(),
        "copy" => "©".to_string(),
        "shy" => String::new(),
        n if n.starts_with("#x") || n.starts_with("#X") => {
            char::from_u32(u32::from_str_radix(&n[2..], 16).ok()?)?.to_string()
        }
        n if n.starts_with('#') => char::from_u32(n[1..].parse().ok()?)?.to_string(),
        _ => return None,
    };
    Some((text, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn main_text(md: &str, keys: &[&str]) -> String {
        let keys: HashSet<String> = keys.iter().map(|k| k.to_string()).collect();
        let w = words(md, &keys);
        let t: Vec<&str> = w.main.iter().map(|t| t.text.as_str()).collect();
        t.join(" ")
    }

    #[test]
    fn markup_goes_and_text_stays() {
        let md = "# Titel {#sec-x}\n\n\
                  Zie @sec-x en [@jansen2020, p. 4]; *nadruk*, **vet**, `co*de*`, \
                  [link](https://x.nl \"titel\"){.c}, m^2^, H~2~O, [klein]{.smallcaps}, \
                  <sup>x</sup>, \\index{term}, $a+b$, {{< pagebreak >}}, :bulb:, a -- b...\n\n\
                  <!-- weg -->\n\n\
                  - [x] klaar\n\
                  - [ ] open\n";
        assert_eq!(
            main_text(md, &["jansen2020"]),
            "Titel Zie @ref en @cite ; nadruk , vet , co * de * , link , m 2 , H 2 O , klein , \
             x , , a + b , , 💡 , a – b … klaar open"
        );
    }

    #[test]
    fn literal_text_stays_literal() {
        // An unknown key, an e-mail address, a lone star and a bracket that is no link.
        let md = "Mail naar a@b.nl of @iemand, 5 * 3 en [zo].\n\n```\nlet x = \"--\";\n```\n";
        assert_eq!(
            main_text(md, &[]),
            "Mail naar a @ b . nl of @ iemand , 5 * 3 en [ zo ] . let x = ' - - ' ;"
        );
    }

    #[test]
    fn floats_in_the_order_of_their_anchors() {
        let md = "Tekst.[^b] Meer.[^a]^[Binnen.]\n\n\
                  [^a]: Noot a.\n\
                  [^b]: Noot b.\n\
                  [^c]: Ongebruikt.\n\n\
                  | A | B |\n|:--|--:|\n| c | d |\n\n: Bijschrift {#tbl-x}\n\n\
                  ![Figuur](x.png){#fig-x}\n";
        let w = words(md, &HashSet::new());
        let floats: Vec<String> = w
            .floats
            .iter()
            .map(|f| {
                let t: Vec<&str> = f.toks.iter().map(|t| t.text.as_str()).collect();
                format!("{}: {}", f.what, t.join(" "))
            })
            .collect();
        assert_eq!(
            floats,
            [
                "footnote: Noot b .",
                "footnote: Noot a .",
                "footnote: Binnen .",
                "table: A B c d",
                "table caption: Bijschrift",
                "figure caption: Figuur",
                "unreferenced footnote: Ongebruikt .",
            ]
        );
        assert_eq!(main_text(md, &[]), "Tekst . Meer .");
    }
}
