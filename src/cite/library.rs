//! Reading bibliography files (CSL-YAML, CSL-JSON, BibTeX/BibLaTeX) into CSL items, with
//! diagnostics at file:line for anything malformed.

use crate::diag::Diagnostic;
use crate::load::Project;
use crate::source::{FileId, SourceMap, Span};
use hayagriva::citationberg::json::{Item, Value};
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

pub fn load(project: &Project) -> (Library, Vec<Diagnostic>) {
    let mut lib = Library::default();
    let mut diags = Vec::new();
    for &file in &project.bibliography {
        let src = project.sources.get(file);
        let ext = std::path::Path::new(&src.rel)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let items = match ext.as_str() {
            "yaml" | "yml" => csl_yaml(&project.sources, file, &mut diags),
            "json" => csl_json(&project.sources, file, &mut diags),
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
        // Entries are written in file order: each key is looked for after the previous one.
        let mut cursor = 0;
        for mut item in items {
            let Some(key) = item.id().map(|k| k.into_owned()) else {
                diags.push(
                    Diagnostic::error("bibliography-entry", "a bibliography entry has no `id`")
                        .in_file(src.name.clone())
                        .help("give every entry a key: `id: hermanns1992`"),
                );
                continue;
            };
            let span = entry_span(&project.sources, file, &key, cursor);
            cursor = span.end as usize;
            if let Some(&first) = lib.index.get(&key) {
                diags.push(
                    Diagnostic::error(
                        "duplicate-reference",
                        format!("bibliography key `{key}` is defined twice"),
                    )
                    .at(span)
                    .related(lib.spans[first], "first defined here"),
                );
                continue;
            }
            normalize_dates(&mut item, &key, span, &mut diags);
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

/// Where an entry's key is written, for diagnostics about the entry: the first place at or
/// after `from` (then anywhere) where it stands as a whole key, so that `hermanns1992` is not
/// found in `hermanns1992b`.
fn entry_span(sources: &SourceMap, file: FileId, key: &str, from: usize) -> Span {
    let text = &sources.get(file).text;
    if key.is_empty() {
        return Span::new(file, 0, 0);
    }
    let key_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.');
    // One pass over the key's occurrences from the previous entry on (entries come in file
    // order, so this is short): the first that stands where an id does (`id: key`,
    // `"id":"key"`, `@book{key,`) wins, else the first that is a whole word. Looking for each
    // way of writing an id through the whole file instead cost time quadratic in the entries
    // (minutes for a minified CSL-JSON file of 5000).
    let find = |start: usize| -> (Option<usize>, Option<usize>) {
        let mut whole = None;
        let mut at = start;
        while let Some(s) = sources.find(file, at, key) {
            let (b, e) = (s.start as usize, s.end as usize);
            at = e;
            if text[..b].ends_with(key_char) || text[e..].starts_with(key_char) {
                continue;
            }
            let before =
                text[..b].trim_end_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
            if before.ends_with("id:") || before.ends_with("\"id\":") || before.ends_with('{') {
                return (Some(b), whole);
            }
            whole.get_or_insert(b);
        }
        (None, whole)
    };
    let (id, whole) = find(from);
    let at = match (id, whole) {
        (Some(b), _) => Some(b),
        (None, w) => match find(0) {
            (Some(b), _) => Some(b),
            (None, w0) => w.or(w0),
        },
    };
    match at {
        Some(b) => Span::new(file, b, b + key.len()),
        None => Span::new(file, 0, 0),
    }
}

fn csl_yaml(sources: &SourceMap, file: FileId, diags: &mut Vec<Diagnostic>) -> Vec<Item> {
    #[derive(serde::Deserialize)]
    struct Doc {
        references: Vec<Item>,
    }
    let text = &sources.get(file).text;
    // Pandoc reads `references:` from a YAML metadata file; a bare list is CSL-YAML too.
    let result = if text.trim_start().starts_with('-') {
        serde_yaml::from_str::<Vec<Item>>(text)
    } else {
        serde_yaml::from_str::<Doc>(text).map(|d| d.references)
    };
    match result {
        Ok(items) => items,
        Err(e) => {
            let at = e.location().map(|l| l.index()).unwrap_or(0);
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            diags.push(
                Diagnostic::error("bibliography-syntax", format!("cannot read the bibliography: {msg}"))
                    .at(Span::new(file, at, at + 1))
                    .help("CSL-YAML: a list of entries under `references:`, each with `id`, `type`, `title`, `author`, `issued`"),
            );
            Vec::new()
        }
    }
}

fn csl_json(sources: &SourceMap, file: FileId, diags: &mut Vec<Diagnostic>) -> Vec<Item> {
    let src = sources.get(file);
    match serde_json::from_str::<Vec<Item>>(&src.text) {
        Ok(items) => items,
        Err(e) => {
            let at = src.offset(e.line(), e.column());
            diags.push(
                Diagnostic::error("bibliography-syntax", format!("cannot read the bibliography: {e}"))
                    .at(Span::new(file, at, at + 1))
                    .help("CSL-JSON: an array of entries, as exported by Zotero (Better CSL JSON) or Pandoc"),
            );
            Vec::new()
        }
    }
}

/// CSL dates written as `issued: 2019` or `issued: '2019-03-01'` (Pandoc accepts both) become
/// date parts; hayagriva would otherwise print them as "z.d.".
fn normalize_dates(item: &mut Item, key: &str, span: Span, diags: &mut Vec<Diagnostic>) {
    for field in ["issued", "accessed", "original-date", "event-date"] {
        let parts = match item.0.get(field) {
            Some(Value::Number(n)) => Some(vec![*n]),
            Some(Value::String(s)) => {
                let parts: Option<Vec<i64>> = s.trim().split('-').map(|p| p.parse().ok()).collect();
                match parts {
                    Some(p) if (1..=3).contains(&p.len()) => Some(p),
                    _ => {
                        diags.push(
                            Diagnostic::error(
                                "bibliography-date",
                                format!("`{field}` of `{key}` is not a date: `{s}`"),
                            )
                            .at(span)
                            .help(format!("write `{field}: 2019` or `{field}: 2019-03-01`")),
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        if let Some(parts) = parts {
            let json = serde_json::json!({ "date-parts": [parts] });
            if let Ok(v) = serde_json::from_value::<Value>(json) {
                item.0.insert(field.to_string(), v);
            }
        }
        shorten_range(item, field, key, span, diags);
    }
}

/// A date range (`date-parts: [[1992], [1994]]`, or `raw: 1992/1994`) becomes its first
/// date, with a warning: hayagriva prints single dates only (and stops on a range).
fn shorten_range(item: &mut Item, field: &str, key: &str, span: Span, diags: &mut Vec<Diagnostic>) {
    let Some(json) = item.0.get(field).and_then(|v| serde_json::to_value(v).ok()) else {
        return;
    };
    // citationberg writes a date as its bare date parts (`[[1992], [1994]]`); accept both forms.
    let parts = json.get("date-parts").unwrap_or(&json);
    let first: Option<serde_json::Value> = match parts.as_array() {
        Some(parts) if parts.len() > 1 => parts.first().cloned(),
        Some(_) => return,
        None => match json.get("raw").and_then(|r| r.as_str()) {
            Some(raw) if raw.contains('/') => {
                let start = raw.split('/').next().unwrap_or("").trim();
                let parts: Option<Vec<i64>> = start.split('-').map(|p| p.parse().ok()).collect();
                parts.map(|p| serde_json::json!(p))
            }
            _ => return,
        },
    };
    let shown = |v: &serde_json::Value| match v.as_array() {
        Some(a) => a
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("-"),
        None => v.to_string(),
    };
    let Some(first) = first else {
        diags.push(
            Diagnostic::error(
                "bibliography-date",
                format!("`{field}` of `{key}` is a date range druk cannot read"),
            )
            .at(span)
            .help(format!(
                "write a single date: `{field}: 2019` or `{field}: 2019-03-01`"
            )),
        );
        item.0.remove(field);
        return;
    };
    diags.push(
        Diagnostic::warning(
            "bibliography-date-range",
            format!(
                "`{field}` of `{key}` is a date range; it is printed as its first date, {}",
                shown(&first)
            ),
        )
        .at(span)
        .help(format!(
            "the citation engine prints single dates: write `{field}: {}` to say so",
            shown(&first)
        )),
    );
    let json = serde_json::json!({ "date-parts": [first] });
    if let Ok(v) = serde_json::from_value::<Value>(json) {
        item.0.insert(field.to_string(), v);
    }
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
