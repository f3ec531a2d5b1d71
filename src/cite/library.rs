//! Reading bibliography files (CSL-YAML, CSL-JSON, BibTeX/BibLaTeX) into CSL items, with
//! diagnostics at file:line for anything malformed.
//!
//! CSL-YAML and CSL-JSON are read in the forms Pandoc reads them: a bare list of entries, or
//! a mapping that holds the list (`references:` in a YAML metadata block, beside any other
//! keys, between `---` and `...`; `items` in JSON). The form is told from the parsed value,
//! so comments, a byte-order mark or a document marker before the list change nothing.
//! Entries are first read as plain data and then converted field by field, so that one
//! malformed field is reported at its entry instead of failing the whole file.

use crate::diag::Diagnostic;
use crate::load::Project;
use crate::source::{FileId, SourceMap, Span};
use hayagriva::citationberg::json::{Item, Value};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

/// Every entry of every bibliography file, by key.
#[derive(Debug, Default)]
pub struct Library {
    pub items: Vec<Item>,
    pub keys: Vec<String>,
    pub spans: Vec<Span>,
    pub index: HashMap<String, usize>,
    /// The works that share their authors' surnames and year with another work, in the
    /// order of the reference list ([`super::order_look_alikes`]): the order their year
    /// letters follow.
    pub look_alikes: Vec<usize>,
}

impl Library {
    pub fn get(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }
}

/// One entry as read from a file: its key, where the key is written, and the CSL item.
pub struct Entry {
    pub key: String,
    pub span: Span,
    pub item: Item,
}

pub fn load(project: &Project) -> (Library, Vec<Diagnostic>) {
    let mut lib = Library::default();
    let mut diags = Vec::new();
    for &file in &project.bibliography {
        let src = project.sources.get(file);
        let ext = std::path::Path::new(&src.rel)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let entries = match ext.as_str() {
            "yaml" | "yml" => csl(&project.sources, file, Format::Yaml, &mut diags),
            "json" => csl(&project.sources, file, Format::Json, &mut diags),
            "bib" | "bibtex" | "biblatex" => {
                super::bibtex::read(&project.sources, file, &mut diags)
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "bibliography-format",
                        format!("unknown bibliography format `.{ext}`"),
                    )
                    .in_file(src.name.clone())
                    .help("use CSL-YAML (.yaml), CSL-JSON (.json) or BibTeX (.bib)"),
                );
                continue;
            }
        };
        for Entry { key, span, item } in entries {
            if let Some(&first) = lib.index.get(&key) {
                diags.push(
                    Diagnostic::error(
                        "duplicate-reference",
                        format!("bibliography key `{}` is defined twice", shown(&key)),
                    )
                    .at(span)
                    .related(lib.spans[first], "first defined here"),
                );
                continue;
            }
            check_entry(&item, &key, span, &mut diags);
            lib.index.insert(key.clone(), lib.items.len());
            lib.items.push(item);
            lib.keys.push(key);
            lib.spans.push(span);
        }
    }
    super::order_look_alikes(&mut lib, project.meta.lang);
    (lib, diags)
}

/// A piece of the user's input quoted in a message: at most 60 characters, so that a
/// runaway value (a whole minified file in one string) cannot flood the terminal.
pub fn shown(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
}

impl Format {
    /// The key of a mapping that holds the list of entries, as Pandoc reads it.
    fn list_key(self) -> &'static str {
        match self {
            Format::Yaml => "references",
            Format::Json => "items",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Format::Yaml => {
                "CSL-YAML: a list of entries under `references:`, each with `id`, `type`, `title`, `author`, `issued`"
            }
            Format::Json => {
                "CSL-JSON: an array of entries, or an object with the array under \"items\", as exported by Zotero (Better CSL JSON) or Pandoc"
            }
        }
    }
}

/// What a CSL file holds at its top.
enum Top {
    Entries(Vec<Json>),
    /// A mapping without the key that holds the entries, with the keys it has.
    Keyless(Vec<String>),
    /// The key is there, but not with a list.
    NotAList(&'static str),
    /// Not a list or a mapping at all.
    Other(&'static str),
}

/// Reads the top of a CSL file in one pass: a list is the entries; a mapping gives the value
/// of its list key and skips everything else unread.
struct TopSeed(Format);

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = Top;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed {
    type Value = Top;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "a list of entries or a mapping with `{}`",
            self.0.list_key()
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(e) = seq.next_element::<Json>()? {
            entries.push(e);
        }
        Ok(Top::Entries(entries))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut found = None;
        let mut keys = Vec::new();
        while let Some(k) = map.next_key::<Json>()? {
            let name = match &k {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            if name == self.0.list_key() && found.is_none() {
                found = Some(match map.next_value::<Json>()? {
                    Json::Array(entries) => Top::Entries(entries),
                    Json::Null => Top::Entries(Vec::new()),
                    other => Top::NotAList(kind_of(&other)),
                });
            } else {
                map.next_value::<IgnoredAny>()?;
                if keys.len() < 8 {
                    keys.push(name);
                }
            }
        }
        Ok(found.unwrap_or(Top::Keyless(keys)))
    }

    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::Other("nothing"))
    }
    fn visit_none<E>(self) -> Result<Top, E> {
        Ok(Top::Other("nothing"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a text"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a single value"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "nothing",
        Json::Bool(_) => "a single value",
        Json::Number(_) => "a number",
        Json::String(_) => "a text",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}

/// Reads a CSL-YAML or CSL-JSON file into entries.
fn csl(
    sources: &SourceMap,
    file: FileId,
    format: Format,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    let src = sources.get(file);
    let text = src.text.as_str();
    // A byte-order mark (Windows editors write one) is skipped; positions stay in the file.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let syntax = |at: usize, msg: String| {
        let at = (bom + at).min(text.len());
        Diagnostic::error(
            "bibliography-syntax",
            format!("cannot read the bibliography: {msg}"),
        )
        .at(Span::new(file, at, (at + 1).min(text.len())))
        .help(format.help())
    };
    let top = match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(body);
            match TopSeed(format)
                .deserialize(&mut de)
                .and_then(|t| de.end().map(|_| t))
            {
                Ok(top) => top,
                Err(e) => {
                    let at = offset_in(body, e.line(), e.column());
                    let msg = e.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    diags.push(syntax(at, msg));
                    return Vec::new();
                }
            }
        }
        Format::Yaml => {
            // Pandoc's metadata files may hold several documents; every list is read.
            let mut tops = Vec::new();
            for doc in serde_yaml::Deserializer::from_str(body) {
                match TopSeed(format).deserialize(doc) {
                    Ok(top) => tops.push(top),
                    Err(e) => {
                        let at = e.location().map(|l| l.index()).unwrap_or(0);
                        let msg = e.to_string();
                        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                        diags.push(syntax(at, msg));
                        return Vec::new();
                    }
                }
            }
            let mut entries: Option<Vec<Json>> = None;
            let mut other = None;
            for top in tops {
                match top {
                    Top::Entries(e) => entries.get_or_insert_with(Vec::new).extend(e),
                    Top::Other("nothing") => {}
                    t => {
                        other.get_or_insert(t);
                    }
                }
            }
            match (entries, other) {
                (Some(e), _) => Top::Entries(e),
                (None, Some(t)) => t,
                (None, None) => Top::Other("nothing"),
            }
        }
    };
    let key = format.list_key();
    let what = match format {
        Format::Yaml => "a YAML",
        Format::Json => "a JSON",
    };
    let raw = match top {
        Top::Entries(e) => e,
        Top::Keyless(keys) => {
            let has = if keys.is_empty() {
                String::new()
            } else {
                format!(
                    " (it has {})",
                    keys.iter()
                        .map(|k| format!("`{}`", shown(k)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let help = match (format, keys.iter().any(|k| k == "references")) {
                (Format::Json, true) => {
                    "CSL-JSON keeps the entries under \"items\" (Pandoc's CSL-JSON reader); a YAML bibliography uses `references:`".to_string()
                }
                (Format::Yaml, _) => {
                    "put the entries under `references:`, or make the file a bare list of entries".to_string()
                }
                (Format::Json, false) => {
                    "make the file an array of entries, or put them under \"items\"".to_string()
                }
            };
            diags.push(
                Diagnostic::error(
                    "bibliography-syntax",
                    format!(
                        "the bibliography is {what} mapping without `{key}`{has}: expected a list of entries"
                    ),
                )
                .at(Span::new(file, bom, bom))
                .help(help),
            );
            return Vec::new();
        }
        Top::NotAList(kind) => {
            let at = sources
                .find(file, 0, key)
                .unwrap_or(Span::new(file, bom, bom));
            diags.push(
                Diagnostic::error(
                    "bibliography-syntax",
                    format!("`{key}` holds {kind}, not a list of entries"),
                )
                .at(at)
                .help(format.help()),
            );
            return Vec::new();
        }
        Top::Other(kind) => {
            diags.push(
                Diagnostic::error(
                    "bibliography-syntax",
                    format!("the bibliography holds {kind}, not a list of entries"),
                )
                .at(Span::new(file, bom, bom))
                .help(format.help()),
            );
            return Vec::new();
        }
    };
    let mut keys = KeyIndex::scan(text, file);
    let mut out = Vec::with_capacity(raw.len());
    for (n, entry) in raw.into_iter().enumerate() {
        let Json::Object(fields) = entry else {
            diags.push(
                Diagnostic::error(
                    "bibliography-entry",
                    format!(
                        "entry {} of the bibliography is {}, not a mapping of fields",
                        n + 1,
                        kind_of(&entry)
                    ),
                )
                .in_file(src.name.clone())
                .help("each entry is a mapping: `- id: hermanns1992` followed by `type:`, `title:`, …"),
            );
            continue;
        };
        let key = match fields.get("id") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Number(n)) => n.to_string(),
            _ => {
                diags.push(
                    Diagnostic::error("bibliography-entry", "a bibliography entry has no `id`")
                        .in_file(src.name.clone())
                        .help("give every entry a key: `id: hermanns1992`"),
                );
                continue;
            }
        };
        let span = keys.take(&key).unwrap_or(Span::new(file, bom, bom));
        let item = to_item(fields, &key, span, diags);
        out.push(Entry { key, span, item });
    }
    out
}

/// Byte offset of a 1-based line and column (serde_json counts the column in bytes).
fn offset_in(text: &str, line: usize, column: usize) -> usize {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)
            .unwrap_or(text.len())
    };
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where each entry's key is written: every `id: key` (or `"id": "key"`, `{id: key,`,
/// `'id': 'key'`) of the file, found in one pass, so that locating all entries costs as much
/// as reading the file once. The n-th entry with a key gets the n-th place it is written.
struct KeyIndex<'t> {
    at: HashMap<&'t str, (Vec<Span>, usize)>,
}

impl<'t> KeyIndex<'t> {
    fn scan(text: &'t str, file: FileId) -> KeyIndex<'t> {
        // Keys are short; a value is looked at up to this many bytes, so that a file full of
        // `id: '` without a closing quote is still read once, not once per occurrence.
        const LONGEST: usize = 1024;
        let bytes = text.as_bytes();
        let mut at: HashMap<&'t str, (Vec<Span>, usize)> = HashMap::new();
        for (i, _) in text.match_indices("id") {
            let before = i.checked_sub(1).map(|b| bytes[b]);
            if before
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80)
            {
                continue;
            }
            let mut j = i + 2;
            if let Some(q @ (b'"' | b'\'')) = before {
                if bytes.get(j) != Some(&q) {
                    continue;
                }
                j += 1;
            }
            while matches!(bytes.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if bytes.get(j) != Some(&b':') {
                continue;
            }
            j += 1;
            while matches!(bytes.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            let limit = (j + LONGEST).min(bytes.len());
            let (start, end) = match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = j + 1;
                    let mut k = start;
                    while k < limit && bytes[k] != q {
                        k += if q == b'"' && bytes[k] == b'\\' { 2 } else { 1 };
                    }
                    if k >= limit {
                        continue;
                    }
                    (start, k)
                }
                Some(_) => {
                    let mut k = j;
                    while k < limit
                        && !matches!(bytes[k], b',' | b'}' | b']' | b'\n' | b'\r')
                        && !(bytes[k] == b'#' && matches!(bytes[k - 1], b' ' | b'\t'))
                    {
                        k += 1;
                    }
                    while k > j && matches!(bytes[k - 1], b' ' | b'\t') {
                        k -= 1;
                    }
                    (j, k)
                }
                None => continue,
            };
            if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                continue;
            }
            at.entry(&text[start..end])
                .or_default()
                .0
                .push(Span::new(file, start, end));
        }
        KeyIndex { at }
    }

    fn take(&mut self, key: &str) -> Option<Span> {
        let (spans, next) = self.at.get_mut(key)?;
        let span = spans.get(*next).or(spans.last()).copied();
        *next += 1;
        span
    }
}

/// The CSL variables whose text is not prose: no markup is read in them.
const VERBATIM: &[&str] = &[
    "id",
    "type",
    "URL",
    "DOI",
    "ISBN",
    "ISSN",
    "PMID",
    "PMCID",
    "language",
    "citation-key",
];

/// The CSL variables that hold names: a value that cannot be read as a list of names is
/// reported; other unreadable values (custom data some exporters add) are left out quietly.
const NAME_FIELDS: &[&str] = &[
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
];

/// An entry's fields as a CSL item: dates checked and made date parts, scalars that CSL keeps
/// as text (a YAML `true`, a decimal number) made text.
fn to_item(
    fields: serde_json::Map<String, Json>,
    key: &str,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Item {
    let mut out = BTreeMap::new();
    for (name, value) in fields {
        if super::date::FIELDS.contains(&name.as_str()) {
            match super::date::normalize(&value, &name, key, span, super::date::Syntax::Csl, diags)
                .and_then(|date| serde_json::from_value::<Value>(date).ok())
            {
                Some(v) => out.insert(name, v),
                // Kept as text, which the engine does not read as a date, so that the entry
                // is not also reported as undated.
                None => out.insert(name, Value::String(value.as_str().unwrap_or("").into())),
            };
            continue;
        }
        let value = match value {
            Json::Null => continue,
            // CSL-JSON's markup (`<i>`, `<sup>`, …) in text; keys and addresses stay as written.
            Json::String(s) if !VERBATIM.contains(&name.as_str()) => {
                Json::String(super::rich::from_html(&s))
            }
            Json::Bool(b) => Json::String(b.to_string()),
            Json::Number(n) if !n.is_i64() => Json::String(n.to_string()),
            v => v,
        };
        match serde_json::from_value::<Value>(value) {
            Ok(v) => {
                out.insert(name, v);
            }
            Err(_) if NAME_FIELDS.contains(&name.as_str()) => diags.push(
                Diagnostic::warning(
                    "bibliography-entry",
                    format!("`{name}` of `{}` is not a list of names; it is left out", shown(key)),
                )
                .at(span)
                .help(format!(
                    "write `{name}: [{{family: Hermanns, given: J.}}]`, or `literal:` for an organisation"
                )),
            ),
            Err(_) => {}
        }
    }
    Item(out)
}

/// A work without a title, or without both author and date, would print as nonsense.
fn check_entry(item: &Item, key: &str, span: Span, diags: &mut Vec<Diagnostic>) {
    let has = |f: &str| item.0.contains_key(f);
    if !has("title") {
        diags.push(
            Diagnostic::error(
                "bibliography-entry",
                format!("bibliography entry `{key}` has no title"),
            )
            .at(span)
            .help("add `title:`"),
        );
    }
    if !has("author") && !has("editor") && !has("issued") {
        diags.push(
            Diagnostic::error("bibliography-entry", format!("bibliography entry `{key}` has neither an author nor a date"))
                .at(span)
                .help("add `author:` (or `literal:` for an organisation) and `issued:`; an undated work still needs an author"),
        );
    }
    if !has("type") {
        diags.push(
            Diagnostic::warning(
                "bibliography-entry",
                format!("bibliography entry `{key}` has no `type`"),
            )
            .at(span)
            .help("add `type: book`, `article-journal`, `chapter`, `report` or `webpage`"),
        );
    }
}

/// A CSL item from field values, for the BibTeX reader.
pub fn item(fields: BTreeMap<String, Value>) -> Item {
    Item(fields)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// Reads `text` as the bibliography file `name`: the entries and the diagnostics in
    /// short form.
    pub(crate) fn entries(name: &str, text: &str) -> (Vec<Entry>, Vec<String>, SourceMap) {
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new(
            name.into(),
            name.into(),
            name.into(),
            text.into(),
        ));
        let mut diags = Vec::new();
        let entries = match name.rsplit('.').next() {
            Some("json") => csl(&sources, file, Format::Json, &mut diags),
            Some("bib") => super::super::bibtex::read(&sources, file, &mut diags),
            _ => csl(&sources, file, Format::Yaml, &mut diags),
        };
        let diags = diags
            .iter()
            .map(|d| crate::diag::short(d, &sources))
            .collect();
        (entries, diags, sources)
    }

    /// Reads `text` as the bibliography file `name`; returns the keys with the line and
    /// column where each is written, and the diagnostics in short form.
    pub(crate) fn read(name: &str, text: &str) -> (Vec<(String, usize, usize)>, Vec<String>) {
        let (entries, diags, sources) = entries(name, text);
        let keys = entries
            .iter()
            .map(|e| {
                let (l, c) = sources.get(e.span.file).line_col(e.span.start as usize);
                (e.key.clone(), l, c)
            })
            .collect();
        (keys, diags)
    }

    fn keys(found: &(Vec<(String, usize, usize)>, Vec<String>)) -> Vec<(&str, usize, usize)> {
        found
            .0
            .iter()
            .map(|(k, l, c)| (k.as_str(), *l, *c))
            .collect()
    }

    #[test]
    fn pandoc_metadata_yaml_with_markers_comments_bom_and_crlf() {
        // As `pandoc-citeproc --bib2yaml` and Better BibTeX write it, saved by a Windows editor.
        let text = "\u{feff}---\r\n# Geëxporteerd uit Zotero\r\nnocite: '@*'\r\nreferences:\r\n- id: hermanns1992\r\n  type: book\r\n  author:\r\n  - family: Hermanns\r\n    given: J.\r\n  issued:\r\n  - year: 1992\r\n    month: 3\r\n  title: Het sociaal moederschap\r\n- author:\r\n  - literal: NJi\r\n  id: 'nji2014'\r\n  issued: 2014-05-01\r\n  title: Richtlijn\r\n  type: report\r\n...\r\n";
        let found = read("b.yaml", text);
        assert_eq!(found.1, Vec::<String>::new());
        assert_eq!(keys(&found), [("hermanns1992", 5, 7), ("nji2014", 16, 8)]);
    }

    #[test]
    fn a_bare_list_may_start_with_a_document_marker_or_a_comment() {
        for text in [
            "---\n- id: a\n  type: book\n  title: T\n  issued: 2001\n",
            "# mijn bronnen\n- id: a\n  type: book\n  title: T\n  issued: 2001\n",
            "- id: a\n  type: book\n  title: T\n  issued: 2001\n...\n",
        ] {
            let found = read("b.yaml", text);
            assert_eq!(found.1, Vec::<String>::new(), "{text}");
            assert_eq!(found.0.len(), 1, "{text}");
        }
    }

    #[test]
    fn a_mapping_without_references_says_what_was_expected() {
        let found = read(
            "b.yaml",
            "---\ntitle: Mijn boek\nbibliography: x.bib\n...\n",
        );
        assert_eq!(
            found.1,
            [
                "b.yaml:1:1: error: the bibliography is a YAML mapping without `references` (it has `title`, `bibliography`): expected a list of entries (put the entries under `references:`, or make the file a bare list of entries)"
            ]
        );
        let found = read("b.yaml", "references: hermanns1992\n");
        assert_eq!(
            found.1,
            [
                "b.yaml:1:1: error: `references` holds a text, not a list of entries (CSL-YAML: a list of entries under `references:`, each with `id`, `type`, `title`, `author`, `issued`)"
            ]
        );
        let found = read("b.yaml", "# leeg\n");
        assert!(
            found.1[0].contains("holds nothing, not a list of entries"),
            "{:?}",
            found.1
        );
    }

    #[test]
    fn csl_json_as_pandoc_reads_it() {
        let entry = r#"{"id":"a","type":"book","title":"T","issued":{"date-parts":[[2001]]}}"#;
        for text in [
            format!("[{entry}]"),
            format!("\u{feff}[\r\n  {entry}\r\n]\r\n"),
            format!(r#"{{"schema": "x", "items": [{entry}]}}"#),
        ] {
            let found = read("b.json", &text);
            assert_eq!(found.1, Vec::<String>::new(), "{text}");
            assert_eq!(found.0.len(), 1, "{text}");
        }
        let found = read("b.json", &format!(r#"{{"references": [{entry}]}}"#));
        assert_eq!(
            found.1,
            [
                "b.json:1:1: error: the bibliography is a JSON mapping without `items` (it has `references`): expected a list of entries (CSL-JSON keeps the entries under \"items\" (Pandoc's CSL-JSON reader); a YAML bibliography uses `references:`)"
            ]
        );
        let found = read("b.json", "\u{feff}[{\"id\": \"a\",}]");
        assert_eq!(found.1.len(), 1);
        assert!(
            found.1[0]
                .starts_with("b.json:1:14: error: cannot read the bibliography: trailing comma"),
            "{:?}",
            found.1
        );
    }

    #[test]
    fn keys_are_located_in_every_layout() {
        let min = r#"[{"id":"a","title":"T","type":"book","issued":2001},{"type":"book","id":"a2","title":"a","issued":2001},{"id" : "b","title":"T","type":"book","issued":2001}]"#;
        let found = read("b.json", min);
        assert_eq!(keys(&found), [("a", 1, 9), ("a2", 1, 74), ("b", 1, 114)]);
        let flow = "[{id: a, title: T, type: book, issued: 2001}, {title: 'id: x', id: b, type: book, issued: 2001}]";
        let found = read("b.yaml", flow);
        assert_eq!(keys(&found), [("a", 1, 7), ("b", 1, 68)]);
        // A key written twice is found at its second place the second time.
        let twice = "- id: a\n  title: T\n  type: book\n  issued: 2001\n- id: a\n  title: U\n  type: book\n  issued: 2002\n";
        let found = read("b.yaml", twice);
        assert_eq!(keys(&found), [("a", 1, 7), ("a", 5, 7)]);
    }

    #[test]
    fn one_malformed_field_is_reported_at_its_entry_and_the_rest_is_read() {
        let text = "- id: a\n  type: book\n  title: T\n  volume: 2.5\n  note: true\n  author: {family: Jansen}\n  issued: 2001\n";
        let found = read("b.yaml", text);
        assert_eq!(
            found.1,
            [
                "b.yaml:1:7: warning: `author` of `a` is not a list of names; it is left out (write `author: [{family: Hermanns, given: J.}]`, or `literal:` for an organisation)"
            ]
        );
        assert_eq!(keys(&found), [("a", 1, 7)]);
    }
}
