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
                item: convert(e, span, &src.text, diags),
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

/// The fields druk reads from an entry.
const READ: &[&str] = &[
    "journaltitle",
    "journal",
    "organization",
    "institution",
    "date",
    "year",
    "title",
    "booktitle",
    "publisher",
    "school",
    "location",
    "address",
    "volume",
    "number",
    "issue",
    "pages",
    "edition",
    "doi",
    "url",
    "isbn",
];

/// Fields whose text is taken as written: biblatex does not read LaTeX in them either.
const VERBATIM: &[&str] = &["doi", "url", "isbn"];

/// Reports the commands a field held that could not be converted, each where it is written.
fn report_unknown(
    unknown: &[String],
    field: &str,
    key: &str,
    within: std::ops::Range<usize>,
    src: &str,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) {
    for name in unknown {
        let command = format!("\\{name}");
        let at = src
            .get(within.clone())
            .and_then(|t| t.find(&command))
            .map_or(Span::new(file, within.start, within.start), |i| {
                let at = within.start + i;
                Span::new(file, at, at + command.len())
            });
        diags.push(
            Diagnostic::warning(
                "bibliography-latex",
                format!(
                    "`{}` in `{field}` of `{}` is a LaTeX command druk cannot convert; it is left out",
                    super::library::shown(&command),
                    super::library::shown(key)
                ),
            )
            .at(at)
            .help("write the text without the command, or with the Unicode characters it stands for"),
        );
    }
}

/// People as CSL names, with what is left of LaTeX in their names converted.
fn names(people: &[Person], unknown: &mut Vec<String>) -> Value {
    let mut clean = |s: &str| {
        let c = super::latex::text(s);
        for n in c.unknown {
            if !unknown.contains(&n) {
                unknown.push(n);
            }
        }
        // Names are compared and sorted as written: no emphasis in them.
        super::rich::plain(&c.text)
    };
    let v: Vec<serde_json::Value> = people
        .iter()
        .map(|p| {
            if p.given_name.is_empty() && p.prefix.is_empty() {
                serde_json::json!({ "literal": clean(&p.name) })
            } else {
                let mut m =
                    serde_json::json!({ "family": clean(&p.name), "given": clean(&p.given_name) });
                if !p.prefix.is_empty() {
                    m["non-dropping-particle"] = clean(&p.prefix).into();
                }
                if !p.suffix.is_empty() {
                    m["suffix"] = clean(&p.suffix).into();
                }
                m
            }
        })
        .collect();
    serde_json::from_value(serde_json::Value::Array(v)).unwrap_or(Value::String(String::new()))
}

fn convert(e: &biblatex::Entry, span: Span, src: &str, diags: &mut Vec<Diagnostic>) -> Item {
    let file = span.file;
    let mut read: HashMap<&str, String> = HashMap::new();
    for &k in READ {
        let Some(chunks) = e.get(k) else {
            continue;
        };
        let text = if VERBATIM.contains(&k) {
            chunks.format_verbatim()
        } else {
            let c = super::latex::chunks(chunks);
            report_unknown(&c.unknown, k, &e.key, chunks.span(), src, file, diags);
            c.text
        };
        read.insert(k, text);
    }
    let mut f: BTreeMap<String, Value> = BTreeMap::new();
    let text = |k: &str| read.get(k).cloned();
    let journal = text("journaltitle").or_else(|| text("journal"));
    f.insert("id".into(), Value::String(e.key.clone()));
    f.insert(
        "type".into(),
        Value::String(csl_type(&e.entry_type, journal.is_some()).into()),
    );
    for role in ["author", "editor"] {
        if let Ok(people) = e.get_as::<Vec<Person>>(role) {
            let mut unknown = Vec::new();
            f.insert(role.into(), names(&people, &mut unknown));
            if let Some(chunks) = e.get(role) {
                report_unknown(&unknown, role, &e.key, chunks.span(), src, file, diags);
            }
        }
    }
    if !f.contains_key("author")
        && let Some(org) = text("organization")
            .or_else(|| text("institution"))
            .map(|o| super::rich::plain(&o))
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
        let written = serde_json::Value::String(super::rich::plain(date.trim()));
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

#[cfg(test)]
mod tests {
    use super::super::library::tests::entries;

    fn has(lines: &[String], part: &str) -> bool {
        lines.iter().any(|l| l.contains(part))
    }

    /// The CSL fields of the entry `key` as `name: value` lines, values as JSON.
    fn fields(text: &str, key: &str) -> (Vec<String>, Vec<String>) {
        let (entries, diags, _) = entries("b.bib", text);
        let e = entries.iter().find(|e| e.key == key).expect("the entry");
        let lines = e
            .item
            .0
            .iter()
            .map(|(k, v)| {
                let v = serde_json::to_string(v).unwrap();
                format!("{k}: {}", super::super::latex::tests::marked(&v))
            })
            .collect();
        (lines, diags)
    }

    /// As Zotero's Better BibTeX exports it: double braces to keep case, `\emph`, a DOI.
    const BETTER_BIBTEX: &str = r#"@article{vanijzendoorn2011,
  title = {The {{Dutch}} Adoption Study: {{Attachment}} and \emph{Cognitive} Development},
  author = {{van IJzendoorn}, Marinus H. and Juffer, Femmie and Bakermans-Kranenburg, Marian J.},
  date = {2011-04},
  journaltitle = {Journal of Child Psychology and Psychiatry},
  volume = {52},
  number = {4},
  pages = {389--397},
  doi = {10.1111/j.1469-7610.2010.02361.x},
  urldate = {2024-03-01},
  langid = {english}
}
"#;

    /// As Zotero's own BibTeX export writes it: accents in braces, math for subscripts.
    const ZOTERO: &str = r#"@article{muller_effect_2019,
	title = {The effect of {CO}$_2$ on {\textit{Arabidopsis}} growth: a {\em meta}-analysis},
	volume = {12},
	url = {https://example.org/a_b?c=d},
	journal = {Plant \& Soil},
	author = {M{\"u}ller, J{\"o}rg and Gar{\c c}on, Fran{\c c}ois and Dvo{\v r}{\'a}k, Anton{\'i}n},
	year = {2019},
	pages = {1--10},
}
"#;

    /// As JabRef writes it, with `@string`, ties and TeX quotes.
    const JABREF: &str = r#"@String{aw = {Addison--Wesley}}

@Book{Knuth1984,
  author    = {Donald E. Knuth},
  title     = {The {\TeX}book},
  publisher = aw,
  year      = {1984},
  address   = {Reading,~MA},
}

@InProceedings{Bos2003,
  author    = {Bos, Hans and {\O}stergaard, S{\o}ren and {\AA}berg, {\AE}sa},
  title     = {Energy $E=mc^2$ and $\alpha$-decay in the 20\textsuperscript{th} century --- a review {\em avant la lettre}},
  booktitle = {Proc.\ of the ``Dag van de Fysica''},
  year      = {2003},
  pages     = {1--5},
}
"#;

    #[test]
    fn better_bibtex_export() {
        let (f, diags) = fields(BETTER_BIBTEX, "vanijzendoorn2011");
        assert_eq!(diags, Vec::<String>::new());
        assert!(
            f.contains(
                &r#"title: "The Dutch Adoption Study: Attachment and *Cognitive* Development""#
                    .to_string()
            ),
            "{f:#?}"
        );
        assert!(
            has(&f, r#""family":"van IJzendoorn","given":"Marinus H.""#)
                && has(&f, r#""family":"Bakermans-Kranenburg","given":"Marian J.""#),
            "{f:#?}"
        );
        assert!(f.contains(&r#"issued: [[2011,4]]"#.to_string()), "{f:#?}");
        assert!(f.contains(&r#"page: "389–397""#.to_string()), "{f:#?}");
        assert!(
            f.contains(&r#"DOI: "10.1111/j.1469-7610.2010.02361.x""#.to_string()),
            "{f:#?}"
        );
    }

    #[test]
    fn zotero_export() {
        let (f, diags) = fields(ZOTERO, "muller_effect_2019");
        assert_eq!(diags, Vec::<String>::new());
        assert!(
            f.contains(
                &r#"title: "The effect of CO₂ on *Arabidopsis* growth: a *meta*-analysis""#
                    .to_string()
            ),
            "{f:#?}"
        );
        assert!(
            has(&f, r#""family":"Müller","given":"Jörg""#)
                && has(&f, r#""family":"Garçon","given":"François""#)
                && has(&f, r#""family":"Dvořák","given":"Antonín""#),
            "{f:#?}"
        );
        assert!(
            f.contains(&r#"container-title: "Plant & Soil""#.to_string()),
            "{f:#?}"
        );
        assert!(
            f.contains(&r#"URL: "https://example.org/a_b?c=d""#.to_string()),
            "{f:#?}"
        );
    }

    #[test]
    fn jabref_file() {
        let (f, diags) = fields(JABREF, "Knuth1984");
        assert_eq!(diags, Vec::<String>::new());
        assert!(f.contains(&r#"title: "The TeXbook""#.to_string()), "{f:#?}");
        assert!(
            f.contains(&r#"publisher: "Addison–Wesley""#.to_string()),
            "{f:#?}"
        );
        assert!(
            f.contains(&"publisher-place: \"Reading,\u{a0}MA\"".to_string()),
            "{f:#?}"
        );
        let (f, diags) = fields(JABREF, "Bos2003");
        assert_eq!(diags, Vec::<String>::new());
        assert!(f.contains(&r#"title: "Energy E=mc² and α-decay in the 20ᵗʰ century — a review *avant la lettre*""#.to_string()), "{f:#?}");
        assert!(
            has(&f, r#""family":"Bos","given":"Hans""#)
                && has(&f, r#""family":"Østergaard","given":"Søren""#)
                && has(&f, r#""family":"Åberg","given":"Æsa""#),
            "{f:#?}"
        );
        assert!(
            f.contains(&r#"container-title: "Proc. of the “Dag van de Fysica”""#.to_string()),
            "{f:#?}"
        );
    }

    #[test]
    fn an_unknown_command_is_a_warning_where_it_is_written() {
        let text = "@book{k,\n  author = {Jansen, A.},\n  title = {Over \\foo{opvoeding} en \\mycmd},\n  year = 2001\n}\n";
        let (f, diags) = fields(text, "k");
        assert!(
            f.contains(&r#"title: "Over opvoeding en""#.to_string()),
            "{f:#?}"
        );
        assert_eq!(
            diags,
            [
                "b.bib:3:17: warning: `\\foo` in `title` of `k` is a LaTeX command druk cannot convert; it is left out (write the text without the command, or with the Unicode characters it stands for)",
                "b.bib:3:36: warning: `\\mycmd` in `title` of `k` is a LaTeX command druk cannot convert; it is left out (write the text without the command, or with the Unicode characters it stands for)",
            ]
        );
    }
}
