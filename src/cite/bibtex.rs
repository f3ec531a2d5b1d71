//! BibTeX/BibLaTeX into CSL items, so that one citation engine serves every input format.

use super::library::Entry;
use crate::diag::Diagnostic;
use crate::source::{FileId, SourceMap, Span};
use biblatex::{ChunksExt, EntryType, Person};
use hayagriva::citationberg::json::{Item, Value};
use std::collections::{BTreeMap, HashMap};

pub fn read(sources: &SourceMap, file: FileId, diags: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let src = sources.get(file);
    let raw = match biblatex::RawBibliography::parse(&src.text) {
        Ok(raw) => raw,
        Err(e) => {
            diags.push(syntax_error(file, &e));
            return Vec::new();
        }
    };
    // Where each key is written; the resolved entries keep only the key.
    let mut key_spans: HashMap<&str, Span> = HashMap::new();
    for e in &raw.entries {
        key_spans
            .entry(e.v.key.v)
            .or_insert(Span::new(file, e.v.key.span.start, e.v.key.span.end));
    }
    if !super::bounds::check(&raw, file, diags) {
        return Vec::new();
    }
    let bib = match biblatex::Bibliography::from_raw(raw) {
        Ok(b) => b,
        Err(e) => {
            diags.push(syntax_error(file, &e));
            return Vec::new();
        }
    };
    bib.iter()
        .map(|e| {
            let span = key_spans
                .get(e.key.as_str())
                .copied()
                .unwrap_or(Span::new(file, 0, 0));
            Entry {
                key: e.key.clone(),
                span,
                item: convert(e, span, diags),
            }
        })
        .collect()
}

fn syntax_error(file: FileId, e: &biblatex::ParseError) -> Diagnostic {
    Diagnostic::error(
        "bibliography-syntax",
        format!("cannot read the bibliography: {}", e.kind),
    )
    .at(Span::new(
        file,
        e.span.start,
        e.span.end.max(e.span.start + 1),
    ))
    .help("BibTeX: entries such as `@book{key, author = {…}, title = {…}, year = {2020}}`")
}

fn csl_type(t: &EntryType, has_journal: bool) -> &'static str {
    use EntryType::*;
    match t {
        Article if has_journal => "article-journal",
        Article => "article",
        Book | MvBook | Booklet => "book",
        InBook | InCollection | SuppBook | SuppCollection => "chapter",
        Collection | MvCollection | Proceedings | MvProceedings => "book",
        InProceedings => "paper-conference",
        Report | TechReport => "report",
        Thesis | MastersThesis | PhdThesis => "thesis",
        Online => "webpage",
        Manual => "book",
        Periodical => "periodical",
        Patent => "patent",
        _ => "document",
    }
}

fn names(people: &[Person]) -> Value {
    let v: Vec<serde_json::Value> = people
        .iter()
        .map(|p| {
            if p.given_name.is_empty() && p.prefix.is_empty() {
                serde_json::json!({ "literal": p.name })
            } else {
                let mut m = serde_json::json!({ "family": p.name, "given": p.given_name });
                if !p.prefix.is_empty() {
                    m["non-dropping-particle"] = p.prefix.clone().into();
                }
                if !p.suffix.is_empty() {
                    m["suffix"] = p.suffix.clone().into();
                }
                m
            }
        })
        .collect();
    serde_json::from_value(serde_json::Value::Array(v)).unwrap_or(Value::String(String::new()))
}

fn convert(e: &biblatex::Entry, span: Span, diags: &mut Vec<Diagnostic>) -> Item {
    let mut f: BTreeMap<String, Value> = BTreeMap::new();
    let text = |k: &str| e.get(k).map(|c| c.format_verbatim());
    let journal = text("journaltitle").or_else(|| text("journal"));
    f.insert("id".into(), Value::String(e.key.clone()));
    f.insert(
        "type".into(),
        Value::String(csl_type(&e.entry_type, journal.is_some()).into()),
    );
    if let Ok(a) = e.get_as::<Vec<Person>>("author") {
        f.insert("author".into(), names(&a));
    }
    if let Ok(a) = e.get_as::<Vec<Person>>("editor") {
        f.insert("editor".into(), names(&a));
    }
    if !f.contains_key("author")
        && let Some(org) = text("organization").or_else(|| text("institution"))
        && let Ok(v) = serde_json::from_value::<Value>(serde_json::json!([{ "literal": org }]))
    {
        f.insert("author".into(), v);
    }
    if let Some((name, date)) = ["date", "year"]
        .into_iter()
        .find_map(|k| text(k).map(|t| (k, t)))
    {
        let at = e
            .get(name)
            .map(|c| Span::new(span.file, c.span().start, c.span().end))
            .unwrap_or(span);
        let written = serde_json::Value::String(date.trim().to_string());
        if let Some(date) =
            super::date::normalize(&written, name, &e.key, at, super::date::Syntax::Bib, diags)
            && let Ok(v) = serde_json::from_value::<Value>(date)
        {
            f.insert("issued".into(), v);
        }
    }
    let mut put = |csl: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            f.insert(csl.into(), Value::String(v));
        }
    };
    put("title", text("title"));
    put("container-title", journal.or_else(|| text("booktitle")));
    put("publisher", text("publisher").or_else(|| text("school")));
    put(
        "publisher-place",
        text("location").or_else(|| text("address")),
    );
    put("volume", text("volume"));
    put("issue", text("number").or_else(|| text("issue")));
    put("page", text("pages").map(|p| p.replace("--", "–")));
    put("edition", text("edition"));
    put("DOI", text("doi"));
    put("URL", text("url"));
    put("ISBN", text("isbn"));
    super::library::item(f)
}
