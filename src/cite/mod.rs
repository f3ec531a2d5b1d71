//! Citations and the reference list: APA 7 author–year in the book's language, by hayagriva
//! (typst's citation engine, with the CSL APA style and nl-NL/en-US locales built in).
//!
//! Two corrections to hayagriva's output, both documented where they are made:
//! year letters (2019a, 2019b) follow the order of the reference list, as CSL and Pandoc do, and
//! Dutch name particles are capitalised when a surname leads ("Van Dalen").

mod bibtex;
mod bounds;
mod date;
mod latex;
pub mod library;
mod rich;
mod specialise;

use crate::diag::{Diagnostic, did_you_mean};
use crate::lang::Lang;
use crate::load::Project;
use crate::model::*;
use crate::resolve::Book;
use hayagriva::citationberg::json::Item;
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{
    FontStyle, FontWeight, IndependentStyle, LocaleCode, Style as CslStyle, VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild,
    ElemChildren, ElemMeta, LocatorPayload, SpecificLocator,
};
pub use library::Library;
use std::collections::HashMap;

/// Options that change what counts as a problem.
#[derive(Clone, Copy, Debug, Default)]
pub struct CiteOptions {
    /// Entries that are never cited are not reported (`--allow-unused-references`).
    pub allow_unused: bool,
    /// A bibliography file could not be read: unknown keys and unused entries would only
    /// repeat that error, so they are not reported.
    pub library_failed: bool,
    /// Format only the citations of this chapter (a one-chapter EPUB or web build, which shows
    /// nothing else); the reference list is then left empty.
    pub only_chapter: Option<u32>,
}

/// One citation as found in the text, in reading order.
#[derive(Clone)]
struct Found {
    items: Vec<FoundItem>,
    narrative: bool,
    /// The part it is in.
    part: usize,
}

#[derive(Clone)]
struct FoundItem {
    lib: usize,
    prefix: String,
    locator: Option<(Locator, String)>,
    /// A suffix that is not a locator ("vooral de inleiding").
    comment: String,
    suppress_author: bool,
}

/// The CSL locales druk formats with: Dutch and English, from hayagriva's bundled archive.
///
/// hayagriva decodes all 63 bundled locales at once (about 80 ms); druk needs two languages.
/// So the two are decoded once per process (and, by [`prefetch`], on another thread while the
/// book is parsed), and kept in the user's cache folder as JSON for the next run. The cache only
/// saves time: its content is exactly what decoding gives, and a missing or unreadable cache
/// file is simply decoded again.
static LOCALES: std::sync::OnceLock<Vec<hayagriva::citationberg::Locale>> =
    std::sync::OnceLock::new();

fn locales() -> &'static [hayagriva::citationberg::Locale] {
    LOCALES.get_or_init(|| {
        let cached = locale_cache();
        if let Some(path) = &cached
            && let Ok(bytes) = std::fs::read(path)
            && let Ok(v) = serde_json::from_slice(&bytes)
        {
            return v;
        }
        let wanted: Vec<_> = hayagriva::archive::locales()
            .into_iter()
            .filter(|l| {
                l.lang
                    .as_ref()
                    .is_some_and(|c| c.0.starts_with("nl") || c.0.starts_with("en"))
            })
            .collect();
        if let Some(path) = cached
            && let Ok(json) = serde_json::to_vec(&wanted)
        {
            let _ = crate::output::write_atomic(&path, &json);
        }
        wanted
    })
}

/// `$XDG_CACHE_HOME/druk` or `~/.cache/druk`; named after the druk version, whose Cargo.lock
/// fixes the hayagriva version the locales come from.
fn locale_cache() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))?;
    Some(
        base.join("druk")
            .join(format!("csl-locales-{}.json", env!("CARGO_PKG_VERSION"))),
    )
}

/// Starts decoding the style and the locales in the background (a no-op when done).
pub fn prefetch() {
    if LOCALES.get().is_none() || APA.get().is_none() {
        std::thread::spawn(|| {
            apa();
            locales();
        });
    }
}

static APA: std::sync::OnceLock<Option<IndependentStyle>> = std::sync::OnceLock::new();

/// hayagriva's APA style, decoded from its archive once per process (in the background by
/// [`prefetch`]): the library and the citations both need it.
fn apa() -> Option<&'static IndependentStyle> {
    APA.get_or_init(|| {
        match hayagriva::archive::ArchivedStyle::AmericanPsychologicalAssociation.get() {
            CslStyle::Independent(style) => Some(style),
            _ => None,
        }
    })
    .as_ref()
}

/// The last run's formatted citations, reused by `druk serve` while the bibliography and the
/// set of distinct citations stay the same (most edits change neither): hayagriva is the
/// slowest stage of a build.
#[derive(Default)]
pub struct CiteCache {
    key: u64,
    rendered: Option<(Vec<ElemChildren>, References)>,
    /// Off for a one-time build, which would only pay for copying the results in.
    keep: bool,
}

impl CiteCache {
    /// A cache that keeps the results for the next build.
    pub fn keeping() -> CiteCache {
        CiteCache {
            keep: true,
            ..CiteCache::default()
        }
    }
}

/// The formatted citations: each distinct one once, and for each citation of the book (in
/// reading order) the index of its text in `unique`; and the reference list as (library
/// index, entry).
struct Formatted {
    unique: Vec<ElemChildren>,
    slot: Vec<usize>,
    references: References,
}

/// The reference list as (library index, entry).
type References = Vec<(usize, ElemChildren)>;

/// Formats every citation and fills the reference list.
pub fn apply(
    book: &mut Book,
    project: &Project,
    lib: &Library,
    opts: CiteOptions,
    cache: &mut CiteCache,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let lang = book.meta.lang;

    // 1. Collect the citations in reading order; unknown keys are reported and dropped.
    let mut found = Vec::new();
    let mut cited = vec![false; lib.items.len()];
    for (pi, part) in book.parts.iter_mut().enumerate() {
        visit_citations(part, &mut |c: &mut Citation| {
            let mut items = Vec::new();
            for it in &c.items {
                match lib.get(&it.key) {
                    Some(ix) => {
                        cited[ix] = true;
                        let (locator, comment) = parse_locator(&it.suffix);
                        items.push(FoundItem {
                            lib: ix,
                            prefix: it.prefix.clone(),
                            locator,
                            comment,
                            suppress_author: it.suppress_author,
                        });
                    }
                    None if opts.library_failed => {}
                    None => {
                        let mut d = Diagnostic::error(
                            "unknown-citation",
                            format!("unknown citation key @{}", it.key),
                        )
                        .at(it.span)
                        .label("not in the bibliography");
                        d = match did_you_mean(&it.key, lib.keys.iter().map(String::as_str)) {
                            Some(near) => d.help(format!("did you mean @{near}?")),
                            None if project.bibliography.is_empty() => {
                                d.help("book.yaml names no bibliography: add `bibliography: literatuur.yaml`")
                            }
                            None => d.help("add the work to the bibliography, or correct the key"),
                        };
                        diags.push(d);
                    }
                }
            }
            found.push(Found {
                items,
                narrative: c.mode == CiteMode::Narrative,
                part: pi,
            });
        });
    }
    // `nocite`: listed without being cited.
    let mut listed_only = Vec::new();
    for key in &project.nocite {
        if key == "*" {
            listed_only.extend((0..lib.items.len()).filter(|&i| !cited[i]));
        } else if let Some(ix) = lib.get(key) {
            listed_only.push(ix);
        } else {
            let span = project
                .sources
                .find(project.book_yaml, 0, key)
                .unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    "unknown-citation",
                    format!("`nocite` names an unknown key `{key}`"),
                )
                .at(span),
            );
        }
    }
    for &ix in &listed_only {
        cited[ix] = true;
    }
    let bib_part = book.bibliography_part();
    if bib_part.is_none() && cited.iter().any(|&c| c) {
        diags.push(
            Diagnostic::warning(
                "no-reference-list",
                "the book cites works but has no reference list",
            )
            .at(crate::source::Span::new(project.book_yaml, 0, 0))
            .help("add `back: [literatuur]` to book.yaml"),
        );
    }
    if !opts.allow_unused && !opts.library_failed {
        for (ix, used) in cited.iter().enumerate() {
            if !used {
                diags.push(
                    Diagnostic::warning(
                        "unused-reference",
                        format!("`{}` is in the bibliography but never cited", lib.keys[ix]),
                    )
                    .at(lib.spans[ix])
                    .help("cite it, remove it, or build with --allow-unused-references"),
                );
            }
        }
    }

    // 2. Format with hayagriva.
    let Some(style) = apa() else {
        return diags;
    };
    let mut style = style.clone();
    let present = specialise::Present {
        kinds: lib
            .items
            .iter()
            .filter_map(|it| it.0.get("type")?.to_str())
            .filter_map(|t| t.parse().ok())
            .collect(),
        fields: lib
            .items
            .iter()
            .flat_map(|it| it.0.keys().cloned())
            .collect(),
    };
    specialise::specialise(&mut style, &present);
    if found.is_empty() && listed_only.is_empty() {
        if let Some(bp) = bib_part {
            diags.push(empty_list(book.parts[bp].title.span));
            book.parts[bp].blocks = vec![Block::References(Vec::new())];
        }
        return diags;
    }
    let locales = locales();
    let locale = Some(locale_of(lang));
    let mut without_list = style.clone();
    without_list.bibliography = None;
    let list_style = for_the_list(&style);
    let engine = Engine {
        cites: &without_list,
        list: Some(&list_style),
        locales,
        locale,
        lib,
    };
    let scope = opts.only_chapter.and_then(|n| {
        book.parts
            .iter()
            .position(|p| p.kind == PartKind::Chapter && p.number == Some(n))
    });
    let in_scope = |f: &Found| scope.is_none_or(|p| f.part == p);
    let Formatted {
        unique,
        slot,
        references,
    } = match scope {
        None => engine.render(&found, &listed_only, &[], cache),
        Some(_) => {
            // The chapter's citations, plus, hidden, every other cited work that shares a
            // surname and the year with one of them: hayagriva disambiguates only citations
            // that read the same before disambiguation, which needs both, so the chapter then
            // reads exactly as it does in the whole book.
            let mine: Vec<Found> = found.iter().filter(|f| in_scope(f)).cloned().collect();
            let name_years = |ix: usize| {
                let year = year_of(&lib.items[ix]);
                surnames(&lib.items[ix]).into_iter().map(move |n| (n, year))
            };
            let keys: std::collections::HashSet<(String, Option<i64>)> = mine
                .iter()
                .flat_map(|f| f.items.iter().flat_map(|it| name_years(it.lib)))
                .collect();
            let mut rivals: Vec<usize> = found
                .iter()
                .flat_map(|f| f.items.iter().map(|it| it.lib))
                .filter(|&ix| name_years(ix).any(|k| keys.contains(&k)))
                .collect();
            rivals.sort_unstable();
            rivals.dedup();
            let partial = Engine {
                list: None,
                ..engine
            };
            let mut formatted = partial.render(&mine, &[], &rivals, &mut CiteCache::default());
            // Citations outside the chapter point at an empty text.
            let empty = formatted.unique.len();
            formatted.unique.push(ElemChildren::default());
            let mut mine_slots = formatted.slot.into_iter();
            let slot = found
                .iter()
                .map(|f| match in_scope(f) {
                    true => mine_slots.next().unwrap_or(empty),
                    false => empty,
                })
                .collect();
            Formatted {
                unique: formatted.unique,
                slot,
                references: Vec::new(),
            }
        }
    };

    // 3. Put the results into the book.
    let target = |key: &str| {
        bib_part.map(|p| Target {
            part: p,
            id: reference_id(key),
        })
    };
    // Each citation as model inlines, in parallel, then put in place in reading order.
    let (mut inlines, refs) = {
        use rayon::prelude::*;
        rayon::join(
            || {
                found
                    .par_iter()
                    .zip(&slot)
                    .map(|(f, &s)| {
                        (!f.items.is_empty() && in_scope(f)).then(|| {
                            let ctx = Ctx {
                                lang,
                                lib,
                                items: &f.items,
                                target: &target,
                                narrative: f.narrative,
                            };
                            to_inlines(&unique[s], &ctx)
                        })
                    })
                    .collect::<Vec<_>>()
                    .into_iter()
            },
            || {
                references
                    .par_iter()
                    .map(|(ix, content)| Reference {
                        key: lib.keys[*ix].clone(),
                        id: reference_id(&lib.keys[*ix]),
                        content: bibliography_inlines(content, lang),
                    })
                    .collect::<Vec<_>>()
            },
        )
    };
    for part in &mut book.parts {
        visit_citations(part, &mut |c: &mut Citation| {
            if let Some(Some(rendered)) = inlines.next() {
                c.rendered = Some(rendered);
            }
        });
    }
    if let Some(bp) = bib_part.filter(|_| scope.is_none()) {
        book.parts[bp].blocks = vec![Block::References(refs)];
    }
    diags
}

fn empty_list(at: crate::source::Span) -> Diagnostic {
    Diagnostic::warning(
        "empty-reference-list",
        "the reference list is empty: nothing is cited",
    )
    .at(at)
    .help("cite works with [@key], or remove `literatuur` from `back:`")
}

fn reference_id(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("ref-{safe}")
}

struct Engine<'a> {
    /// The book's style without its bibliography section, for the run that formats the
    /// citations: it then neither sorts nor formats the list.
    cites: &'a IndependentStyle,
    /// The style with the citations' disambiguation switched off, for the run that formats
    /// the reference list; `None` when no list is wanted (a one-chapter build).
    list: Option<&'a IndependentStyle>,
    locales: &'a [hayagriva::citationberg::Locale],
    locale: Option<LocaleCode>,
    lib: &'a Library,
}

impl Engine<'_> {
    fn cite_request<'b>(&'b self, items: Vec<CitationItem<'b, Item>>) -> CitationRequest<'b, Item> {
        CitationRequest::new(items, self.cites, self.locale.clone(), self.locales, None)
    }

    /// Formats the distinct citations in one run: hayagriva disambiguates names and years
    /// across the whole run. The works in `order` (those that may get a year letter, in list
    /// order) and `rivals` are cited first, hidden; `letters` completes the year letters.
    fn citations(
        &self,
        unique: &[&Found],
        order: &[usize],
        rivals: &[usize],
        letters: &HashMap<usize, char>,
    ) -> Vec<ElemChildren> {
        let rivals_left: Vec<usize> = rivals
            .iter()
            .copied()
            .filter(|ix| !order.contains(ix))
            .collect();
        let hidden_count = order.len() + rivals_left.len();
        // hayagriva keeps the given order for works of the same authors and year; APA wants
        // them by their letters, "(Hermanns, 1992a, 1992b)".
        let rank: HashMap<usize, usize> =
            order.iter().enumerate().map(|(i, &ix)| (ix, i)).collect();
        let perms: Vec<Vec<usize>> = unique
            .iter()
            .map(|f| letter_order(&f.items, &rank, self.lib))
            .collect();
        // Most citations of several works are put together here from the works formatted
        // one by one: hayagriva formats each work of each citation, twice, and a work is
        // cited in many citations. A work reads the same alone as among others, except where
        // two works of a citation may show the same names (they are then grouped: "Hermanns,
        // 1992a, 1992b"); those citations, and narrative ones, hayagriva formats whole.
        let together: Vec<bool> = unique
            .iter()
            .map(|f| f.items.len() > 1 && !f.narrative && self.told_apart(&f.items))
            .collect();
        type One = (usize, Option<(Locator, String)>, bool);
        let mut ones: HashMap<One, usize> = HashMap::new();
        let mut whole: Vec<Option<usize>> = vec![None; unique.len()];
        // What to cite, in order: one work (citation, item) or a whole citation.
        let mut requests: Vec<(usize, Option<usize>)> = Vec::new();
        for (ui, (f, perm)) in unique.iter().zip(&perms).enumerate() {
            if f.items.len() == 1 || together[ui] {
                for &i in perm {
                    let it = &f.items[i];
                    let key = (it.lib, it.locator.clone(), f.narrative);
                    if let std::collections::hash_map::Entry::Vacant(slot) = ones.entry(key) {
                        slot.insert(requests.len());
                        requests.push((ui, Some(i)));
                    }
                }
            } else {
                whole[ui] = Some(requests.len());
                requests.push((ui, None));
            }
        }
        let run = || {
            let mut driver = BibliographyDriver::new();
            for &ix in order.iter().chain(&rivals_left) {
                let hidden = CitationItem::new(&self.lib.items[ix], None, None, true, None);
                driver.citation(self.cite_request(vec![hidden]));
            }
            for &(ui, one) in &requests {
                let f = unique[ui];
                let items = match one {
                    Some(i) => vec![self.item(&f.items[i], f.narrative)],
                    None => perms[ui]
                        .iter()
                        .map(|&i| self.item(&f.items[i], f.narrative))
                        .collect(),
                };
                driver.citation(self.cite_request(items));
            }
            driver.finish(BibliographyRequest::new(
                self.cites,
                self.locale.clone(),
                self.locales,
            ))
        };
        let (rendered, orders) = rayon::join(run, || self.orders(unique, &perms, &together));
        let rendered: Vec<ElemChildren> = rendered
            .citations
            .into_iter()
            .skip(hidden_count)
            .map(|c| c.citation)
            .collect();
        let mut orders = orders.into_iter();
        let mut cites: Vec<ElemChildren> = Vec::with_capacity(unique.len());
        for (ui, (f, perm)) in unique.iter().zip(&perms).enumerate() {
            let one = |i: usize| {
                let it = &f.items[i];
                ones.get(&(it.lib, it.locator.clone(), f.narrative))
                    .and_then(|&r| rendered.get(r))
            };
            let cite = match whole[ui] {
                Some(r) => rendered.get(r).cloned(),
                None if f.items.len() == 1 => perm.first().and_then(|&i| one(i)).cloned(),
                None => {
                    let order = orders.next().unwrap_or_default();
                    let parts: Option<Vec<&ElemChildren>> = order
                        .iter()
                        .map(|&j| perm.get(j).and_then(|&i| one(i)))
                        .collect();
                    parts.map(|parts| self.put_together(&order, &parts))
                }
            };
            cites.push(cite.unwrap_or_default());
        }
        for (cite, perm) in cites.iter_mut().zip(&perms) {
            same_author_years_with_commas(cite);
            renumber_items(cite, perm);
        }
        for (f, cite) in unique.iter().zip(&mut cites) {
            for (idx, children) in cited_items(cite) {
                if let Some(it) = f.items.get(idx)
                    && let Some(&l) = letters.get(&it.lib)
                {
                    self.put_letter(it.lib, children, l);
                }
            }
        }
        cites
    }

    /// Whether no two of `items` can show the same names: then hayagriva neither groups
    /// nor shortens any of them in a citation. Works are told apart by their first author's
    /// surname; a work without an author, or with a composer (whom APA names first), shows
    /// other names and counts as alike.
    fn told_apart(&self, items: &[FoundItem]) -> bool {
        let mut seen = std::collections::HashSet::new();
        items.iter().all(|it| {
            let work = &self.lib.items[it.lib];
            let first = (work.0.contains_key("author") && !work.0.contains_key("composer"))
                .then(|| surnames(work).into_iter().next())
                .flatten()
                .map(|n| n.to_lowercase());
            first.is_some() && seen.insert(first)
        })
    }

    /// The order in which the style puts the works of each citation marked in `together`
    /// (as places in `perms`), each from a run of its own that only sorts: nothing is laid
    /// out or told apart. A run of one citation keeps hayagriva's sort cheap (it looks every
    /// work of a run up in a list at each comparison), and the runs spread over the cores.
    fn orders(
        &self,
        unique: &[&Found],
        perms: &[Vec<usize>],
        together: &[bool],
    ) -> Vec<Vec<usize>> {
        use rayon::prelude::*;
        if !together.contains(&true) {
            return Vec::new();
        }
        let style = silent_citations(self.cites);
        let wanted: Vec<(&Found, &Vec<usize>)> = unique
            .iter()
            .zip(perms)
            .zip(together)
            .filter(|(_, t)| **t)
            .map(|((f, perm), _)| (*f, perm))
            .collect();
        wanted
            .par_iter()
            .map(|(f, perm)| self.order(&style, f, perm))
            .collect()
    }

    /// The places in `perm` of the works of `f` in the order `style` sorts them (the given
    /// order should hayagriva's answer not name each place once).
    fn order(&self, style: &IndependentStyle, f: &Found, perm: &[usize]) -> Vec<usize> {
        let items = perm
            .iter()
            .map(|&i| CitationItem::with_entry(&self.lib.items[f.items[i].lib]))
            .collect();
        let mut driver = BibliographyDriver::new();
        driver.citation(CitationRequest::new(
            items,
            style,
            self.locale.clone(),
            self.locales,
            None,
        ));
        let rendered = driver.finish(BibliographyRequest::new(
            style,
            self.locale.clone(),
            self.locales,
        ));
        let order: Vec<usize> = rendered
            .citations
            .first()
            .map(|c| {
                c.citation
                    .0
                    .iter()
                    .filter_map(|child| match child {
                        ElemChild::Elem(e) => match e.meta {
                            Some(ElemMeta::Entry(j)) => Some(j),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let n = perm.len();
        let mut seen = vec![false; n];
        let complete = order.len() == n
            && order
                .iter()
                .all(|&j| j < n && !std::mem::replace(&mut seen[j], true));
        if complete { order } else { (0..n).collect() }
    }

    /// A citation of several works from each work's own citation (`parts`, in the order
    /// the style puts them, `order` their places in the request), as hayagriva puts one
    /// together: the style's affixes around, its delimiter between.
    fn put_together(&self, order: &[usize], parts: &[&ElemChildren]) -> ElemChildren {
        let layout = &self.cites.citation;
        let group_delimiter = layout.cite_group_delimiter.as_deref().or_else(|| {
            layout
                .layout
                .delimiter
                .as_deref()
                .filter(|_| layout.collapse.is_some())
        });
        let mut out: Vec<ElemChild> = Vec::new();
        let mut formatting = None;
        for (&j, part) in order.iter().zip(parts) {
            // A work's own citation: the prefix, the work, the suffix.
            let mut work = None;
            for child in &part.0 {
                match child {
                    ElemChild::Elem(e) if matches!(e.meta, Some(ElemMeta::Entry(_))) => {
                        let mut e = e.clone();
                        e.meta = Some(ElemMeta::Entry(j));
                        work = Some(e);
                    }
                    ElemChild::Text(t) if formatting.is_none() => formatting = Some(t.formatting),
                    _ => {}
                }
            }
            let Some(work) = work else { continue };
            let fmt = formatting.unwrap_or_default();
            if out.is_empty() {
                if let Some(prefix) = &layout.layout.prefix {
                    out.push(ElemChild::Text(hayagriva::Formatted {
                        text: prefix.clone(),
                        formatting: fmt,
                    }));
                }
            } else {
                // Grouping gives every work with names the group delimiter.
                let delimiter = if work.children.find_names().is_some() {
                    group_delimiter.or(layout.layout.delimiter.as_deref())
                } else {
                    layout.layout.delimiter.as_deref()
                };
                if let Some(d) = delimiter {
                    out.push(ElemChild::Text(hayagriva::Formatted {
                        text: d.to_string(),
                        formatting: fmt,
                    }));
                }
            }
            out.push(ElemChild::Elem(work));
        }
        if let Some(suffix) = &layout.layout.suffix
            && !last_text(&out).is_some_and(|t| t.ends_with(suffix.as_str()))
        {
            out.push(ElemChild::Text(hayagriva::Formatted {
                text: suffix.clone(),
                formatting: formatting.unwrap_or_default(),
            }));
        }
        ElemChildren(out)
    }

    /// APA's "no date" term in the book's language, which takes the letter of an undated
    /// work ("z.d.-a"); hayagriva gives undated works no letters at all.
    fn undated(&self) -> &'static str {
        match &self.locale {
            Some(LocaleCode(code)) if code.starts_with("nl") => "z.d.",
            _ => "n.d.",
        }
    }

    /// Puts `letter` on the date of the rendered work `ix`.
    fn put_letter(&self, ix: usize, children: &mut ElemChildren, letter: char) {
        if year_of(&self.lib.items[ix]).is_some() {
            add_year_letter(children, letter);
        } else {
            add_undated_letter(children, letter, self.undated());
        }
    }

    /// The letter on the date of the rendered work `ix`, if it has one.
    fn letter_in(&self, ix: usize, children: &ElemChildren) -> Option<char> {
        if year_of(&self.lib.items[ix]).is_some() {
            year_letter_of(children)
        } else {
            let text = children.0.iter().map(child_text).collect::<String>();
            let (_, after) = text.split_once(self.undated())?;
            after.strip_prefix('-')?.chars().next()
        }
    }

    fn item<'b>(&'b self, f: &'b FoundItem, narrative: bool) -> CitationItem<'b, Item> {
        let locator = f
            .locator
            .as_ref()
            .map(|(l, v)| SpecificLocator(*l, LocatorPayload::Str(v.as_str())));
        let mut it = CitationItem::with_locator(&self.lib.items[f.lib], locator);
        if narrative {
            it = it.kind(CitePurpose::Prose);
        }
        it
    }

    /// Returns the rendered citations (in the order found) and the reference list as
    /// (library index, content) in APA order.
    /// `rivals`: works cited elsewhere that are cited here too, hidden, so that a partial run
    /// disambiguates as the whole book does.
    fn render(
        &self,
        found: &[Found],
        listed_only: &[usize],
        rivals: &[usize],
        cache: &mut CiteCache,
    ) -> Formatted {
        // hayagriva assigns year letters in order of first citation but sorts the list by
        // author, year and title, so "2019b" could be listed before "2019a". Only works that
        // share their authors and year with another can get a letter: the main run cites
        // those once, hidden, in list order before the real citations, so that their letters
        // follow the list.
        let mut cited_once = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let cited = found.iter().flat_map(|f| f.items.iter().map(|it| it.lib));
        for ix in cited
            .chain(rivals.iter().copied())
            .chain(listed_only.iter().copied())
        {
            if seen.insert(ix) {
                cited_once.push(ix);
            }
        }
        // In list order, as the library's look-alikes were put when it was read.
        let wanted: std::collections::HashSet<usize> =
            look_alikes(cited_once.iter().copied(), self.lib)
                .into_iter()
                .collect();
        let candidates: Vec<usize> = (self.lib.look_alikes.iter().copied())
            .filter(|ix| wanted.contains(ix))
            .collect();
        // Works listed without a citation (`nocite`) are cited hidden as well: they can make
        // a cited work need a letter.
        let in_text: std::collections::HashSet<usize> = found
            .iter()
            .flat_map(|f| f.items.iter().map(|it| it.lib))
            .collect();
        let mut hidden = candidates.clone();
        for &ix in listed_only {
            if !in_text.contains(&ix) && !hidden.contains(&ix) {
                hidden.push(ix);
            }
        }

        // Equal requests render equally (APA has no position-dependent forms such as "ibid."),
        // so each distinct one goes to hayagriva once.
        type Key = (bool, Vec<(usize, Option<(Locator, String)>)>);
        let mut distinct: HashMap<Key, usize> = HashMap::new();
        let mut unique: Vec<&Found> = Vec::new();
        let slot: Vec<usize> = found
            .iter()
            .map(|f| {
                let key: Key = (
                    f.narrative,
                    f.items
                        .iter()
                        .map(|it| (it.lib, it.locator.clone()))
                        .collect(),
                );
                *distinct.entry(key).or_insert_with(|| {
                    unique.push(f);
                    unique.len() - 1
                })
            })
            .collect();

        let key = cache.keep.then(|| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for f in &unique {
                (
                    f.narrative,
                    f.items
                        .iter()
                        .map(|it| (it.lib, &it.locator))
                        .collect::<Vec<_>>(),
                )
                    .hash(&mut h);
            }
            (&candidates, &cited_once, self.locale.as_ref().map(|l| &l.0)).hash(&mut h);
            format!("{:?}", self.lib.items).hash(&mut h);
            h.finish()
        });
        if key == Some(cache.key)
            && let Some((unique, references)) = &cache.rendered
        {
            return Formatted {
                unique: unique.clone(),
                slot,
                references: references.clone(),
            };
        }
        // The reference list comes from a run of its own, beside the citations: hayagriva
        // renders each entry of the list with the name forms its first citation ended up with
        // ("Gerritsen et al. (2019)" for works told apart by their co-authors), so the list is
        // formatted from plain, hidden citations with disambiguation switched off, and takes
        // its year letters from the citations.
        let letters = year_letters(&candidates, self.lib);
        let (mut rendered_unique, list) = rayon::join(
            || self.citations(&unique, &hidden, rivals, &letters),
            || {
                self.list
                    .map(|list| listed(list, &cited_once, self.lib, self.locale.as_ref()))
            },
        );
        let mut used_letters: HashMap<usize, char> = HashMap::new();
        for (f, cite) in unique.iter().zip(&mut rendered_unique) {
            for (idx, children) in cited_items(cite) {
                if let Some(it) = f.items.get(idx)
                    && let Some(l) = self.letter_in(it.lib, children)
                {
                    used_letters.insert(it.lib, l);
                }
            }
        }
        let mut references = list.unwrap_or_default();
        for (ix, content) in &mut references {
            if let Some(&l) = used_letters.get(ix).or_else(|| letters.get(ix)) {
                self.put_letter(*ix, content, l);
            }
            drop_comma_before_paren(content);
            drop_dateless_retrieved(content);
        }
        if let Some(key) = key {
            cache.key = key;
            cache.rendered = Some((rendered_unique.clone(), references.clone()));
        }
        Formatted {
            unique: rendered_unique,
            slot,
            references,
        }
    }
}

/// The CSL locale of the book's language.
fn locale_of(lang: Lang) -> LocaleCode {
    LocaleCode(match lang {
        Lang::Nl => "nl-NL".into(),
        Lang::En => "en-US".into(),
    })
}

/// `style` for runs whose citations print nothing: no citation layout, nothing told apart.
fn silent_citations(style: &IndependentStyle) -> IndependentStyle {
    let mut s = style.clone();
    s.citation.layout.elements.clear();
    s.citation.disambiguate_add_names = false;
    s.citation.disambiguate_add_givenname = false;
    s.citation.disambiguate_add_year_suffix = false;
    s
}

/// `style` for the run that formats the reference list: its citations are all hidden, so
/// there is nothing to lay out, tell apart or sort.
fn for_the_list(style: &IndependentStyle) -> IndependentStyle {
    let mut s = silent_citations(style);
    s.citation.sort = None;
    s
}

/// `works` as the reference list of `style` (made by [`for_the_list`]) has them: in its
/// order, as (library index, entry). hayagriva sorts the list itself, re-rendering the sort
/// keys at every comparison, so the works are handed over nearly sorted.
fn listed(
    style: &IndependentStyle,
    works: &[usize],
    lib: &Library,
    locale: Option<&LocaleCode>,
) -> References {
    if works.is_empty() {
        return Vec::new();
    }
    let mut works = works.to_vec();
    in_list_order_guess(&mut works, lib, locale);
    let locales = locales();
    let mut run = BibliographyDriver::new();
    for &ix in &works {
        let hidden = CitationItem::new(&lib.items[ix], None, None, true, None);
        run.citation(CitationRequest::new(
            vec![hidden],
            style,
            locale.cloned(),
            locales,
            None,
        ));
    }
    run.finish(BibliographyRequest::new(style, locale.cloned(), locales))
        .bibliography
        .map(|b| {
            b.items
                .into_iter()
                .filter_map(|i| Some((lib.get(&i.key)?, i.content)))
                .collect()
        })
        .unwrap_or_default()
}

/// Puts the library's look-alike works (same surnames and year as another work) in
/// reference-list order, in [`Library::look_alikes`]: their year letters follow that order.
/// It is done once, as part of reading the library (beside the chapters being parsed), so that the
/// citations can be formatted as soon as the book is resolved.
pub fn order_look_alikes(lib: &mut Library, lang: Lang) {
    let works = look_alikes(0..lib.items.len(), lib);
    let Some(style) = apa() else {
        return;
    };
    let order = listed(&for_the_list(style), &works, lib, Some(&locale_of(lang)));
    lib.look_alikes = order.into_iter().map(|(ix, _)| ix).collect();
}

/// The works among `works` that share their authors' surnames and year with another of them
/// (the only ones that can get a year letter), in library order.
fn look_alikes(works: impl Iterator<Item = usize>, lib: &Library) -> Vec<usize> {
    let mut groups: HashMap<(String, Option<i64>), Vec<usize>> = HashMap::new();
    for ix in works {
        if let Some(k) = author_year(&lib.items[ix]) {
            groups.entry(k).or_default().push(ix);
        }
    }
    let mut out: Vec<usize> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .flatten()
        .collect();
    out.sort_unstable();
    out
}

/// The letter after the year of the first date in `children`, if there is one.
fn year_letter_of(children: &ElemChildren) -> Option<char> {
    for (i, child) in children.0.iter().enumerate() {
        let ElemChild::Elem(e) = child else {
            continue;
        };
        if e.meta != Some(ElemMeta::Date) {
            match year_letter_of(&e.children) {
                Some(l) => return Some(l),
                None => continue,
            }
        }
        let date = child_text(child);
        let after = children.0.get(i + 1).map(child_text).unwrap_or_default();
        let start = date.find(|c: char| c.is_ascii_digit())?;
        let rest = date[start..].trim_start_matches(|c: char| c.is_ascii_digit());
        return rest
            .chars()
            .next()
            .or_else(|| after.chars().next())
            .filter(char::is_ascii_lowercase);
    }
    None
}

/// The year letter of each work that shares its authors (given names included) and year
/// with another, from `order`, the reference-list order of the works that may need one.
///
/// hayagriva assigns year letters itself, but in each of its three disambiguation rounds it
/// stops after the first group it disambiguates (the list of changes it checks is shared by
/// all groups), so in a book with more than a few such groups the later ones keep a bare
/// year: "Platform Wijkteams Nederland (2021)" for two different works. The letters are the
/// ones hayagriva gives when it gets to a group; [`add_year_letter`] completes what it left.
fn year_letters(order: &[usize], lib: &Library) -> HashMap<usize, char> {
    let mut groups: HashMap<(String, Option<i64>), Vec<usize>> = HashMap::new();
    for &ix in order {
        let item = &lib.items[ix];
        let Some(names) = item.0.get("author").or_else(|| item.0.get("editor")) else {
            continue;
        };
        let names = serde_json::to_string(names).unwrap_or_default();
        groups.entry((names, year_of(item))).or_default().push(ix);
    }
    groups
        .into_values()
        .filter(|g| g.len() > 1)
        .flat_map(|g| g.into_iter().zip('a'..='z'))
        .collect()
}

/// The order in which to give a citation's items to hayagriva: as written, except that works
/// of the same authors and year (which get year letters) follow the reference list, unless
/// one of them has a prefix.
fn letter_order(items: &[FoundItem], rank: &HashMap<usize, usize>, lib: &Library) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..items.len()).collect();
    if items.len() < 2 {
        return perm;
    }
    let keys: Vec<Option<(String, Option<i64>)>> = items
        .iter()
        .map(|it| {
            rank.contains_key(&it.lib)
                .then(|| author_year(&lib.items[it.lib]))
                .flatten()
        })
        .collect();
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key else { continue };
        // The first item of its group gathers the group's slots and fills them in list order.
        if keys[..i].iter().any(|k| k.as_ref() == Some(key)) {
            continue;
        }
        let slots: Vec<usize> = (i..items.len())
            .filter(|&j| keys[j].as_ref() == Some(key))
            .collect();
        // "zie" before the first work reads as being about all of them: keep it first.
        if slots.iter().any(|&j| !items[j].prefix.is_empty()) {
            continue;
        }
        let mut members = slots.clone();
        members.sort_by_key(|&j| rank[&items[j].lib]);
        for (slot, member) in slots.into_iter().zip(members) {
            perm[slot] = member;
        }
    }
    perm
}

/// The text of the last text at the end of `children`, looking into the last element.
fn last_text(children: &[ElemChild]) -> Option<&str> {
    match children.last()? {
        ElemChild::Text(t) => Some(&t.text),
        ElemChild::Elem(e) => last_text(&e.children.0),
        _ => None,
    }
}

/// Points each rendered item back at its place in the citation as written: `perm[j]` is
/// the written index of the item given to hayagriva `j`th.
fn renumber_items(cite: &mut ElemChildren, perm: &[usize]) {
    for child in &mut cite.0 {
        if let ElemChild::Elem(e) = child {
            match &mut e.meta {
                Some(ElemMeta::Entry(idx)) => {
                    if let Some(&written) = perm.get(*idx) {
                        *idx = written;
                    }
                }
                _ => renumber_items(&mut e.children, perm),
            }
        }
    }
}

/// "(Hermanns, 1992a; 1992b)" → "(Hermanns, 1992a, 1992b)": hayagriva leaves the authors out
/// of a work that follows one of the same authors, but keeps the semicolon between them
/// where APA has a comma.
fn same_author_years_with_commas(cite: &mut ElemChildren) {
    fn has_names(children: &ElemChildren) -> bool {
        children.0.iter().any(|c| match c {
            ElemChild::Elem(e) => {
                matches!(e.meta, Some(ElemMeta::Names(..))) || has_names(&e.children)
            }
            _ => false,
        })
    }
    for i in 1..cite.0.len() {
        let follows_same_authors = match &cite.0[i] {
            ElemChild::Elem(e) => {
                matches!(e.meta, Some(ElemMeta::Entry(_))) && !has_names(&e.children)
            }
            _ => false,
        };
        if let (true, ElemChild::Text(t)) = (follows_same_authors, &mut cite.0[i - 1])
            && t.text == "; "
        {
            t.text = ", ".into();
        }
    }
}

/// The rendered items of a citation, by their index in the request.
fn cited_items(cite: &mut ElemChildren) -> Vec<(usize, &mut ElemChildren)> {
    let mut out = Vec::new();
    for child in &mut cite.0 {
        if let ElemChild::Elem(e) = child {
            match e.meta {
                Some(ElemMeta::Entry(idx)) => out.push((idx, &mut e.children)),
                _ => out.extend(cited_items(&mut e.children)),
            }
        }
    }
    out
}

/// Puts `letter` after the year of the first date in `children` ("2021" → "2021a"),
/// unless hayagriva gave it one (in the date, or as the text right after it).
fn add_year_letter(children: &mut ElemChildren, letter: char) -> bool {
    for i in 0..children.0.len() {
        let ElemChild::Elem(e) = &children.0[i] else {
            continue;
        };
        if e.meta != Some(ElemMeta::Date) {
            let ElemChild::Elem(e) = &mut children.0[i] else {
                continue;
            };
            if add_year_letter(&mut e.children, letter) {
                return true;
            }
            continue;
        }
        let lettered = |t: String| t.starts_with(|c: char| c.is_ascii_lowercase());
        let after = children.0.get(i + 1).map(child_text).unwrap_or_default();
        if let ElemChild::Elem(date) = &mut children.0[i]
            && !lettered(after)
        {
            letter_after_year(&mut date.children, letter);
        }
        return true;
    }
    false
}

/// Puts `letter` after the "no date" term `undated` ("z.d." → "z.d.-a"). hayagriva leaves a
/// second undated work of the same authors in one citation empty or with a bare letter
/// ("(NJi, z.d.; b)"): it gets the term and its letter.
fn add_undated_letter(children: &mut ElemChildren, letter: char, undated: &str) {
    fn put(children: &mut ElemChildren, tag: &str, undated: &str) -> bool {
        for c in &mut children.0 {
            let done = match c {
                ElemChild::Text(f) => match f.text.find(undated) {
                    Some(at) if !f.text[at + undated.len()..].starts_with('-') => {
                        f.text.insert_str(at + undated.len(), tag);
                        true
                    }
                    Some(_) => true,
                    None => false,
                },
                ElemChild::Elem(e) => put(&mut e.children, tag, undated),
                _ => false,
            };
            if done {
                return true;
            }
        }
        false
    }
    let tag = format!("-{letter}");
    let text: String = children.0.iter().map(child_text).collect();
    // Empty, or hayagriva's letter alone ("(NJi, z.d.; b)").
    if text.len() <= 1 && text.chars().all(|c| c.is_ascii_lowercase()) {
        children.0.clear();
        children.0.push(ElemChild::Text(hayagriva::Formatted {
            text: format!("{undated}{tag}"),
            formatting: Default::default(),
        }));
    } else {
        put(children, &tag, undated);
    }
}

/// "Geraadpleegd https://…" → "https://…": APA names the retrieval date only for pages that
/// change, and hayagriva prints the word without a date.
fn drop_dateless_retrieved(children: &mut ElemChildren) {
    for i in 0..children.0.len() {
        let link_next = children.0.get(i + 1).is_some_and(starts_with_link);
        if let ElemChild::Text(f) = &mut children.0[i] {
            if link_next {
                for word in ["Geraadpleegd ", "Retrieved from ", "Retrieved "] {
                    if let Some(kept) = f.text.strip_suffix(word) {
                        f.text = kept.to_string();
                        break;
                    }
                }
            }
        } else if let ElemChild::Elem(e) = &mut children.0[i] {
            drop_dateless_retrieved(&mut e.children);
        }
    }
}

fn starts_with_link(child: &ElemChild) -> bool {
    match child {
        ElemChild::Link { .. } => true,
        ElemChild::Elem(e) => e.children.0.first().is_some_and(starts_with_link),
        _ => false,
    }
}

/// "(2016,)" → "(2016)": hayagriva's APA leaves the delimiter before an absent month and
/// day in the date of a web page that has only a year.
fn drop_comma_before_paren(children: &mut ElemChildren) {
    for c in &mut children.0 {
        match c {
            ElemChild::Text(f) if f.text.contains(",)") => f.text = f.text.replace(",)", ")"),
            ElemChild::Elem(e) => drop_comma_before_paren(&mut e.children),
            _ => {}
        }
    }
}

/// The text of an element, formatting dropped.
fn child_text(child: &ElemChild) -> String {
    match child {
        ElemChild::Text(f) => f.text.clone(),
        ElemChild::Elem(e) => e.children.0.iter().map(child_text).collect(),
        ElemChild::Link { text, .. } => text.text.clone(),
        _ => String::new(),
    }
}

/// [`add_year_letter`] inside a date: after the first run of four digits, unless a
/// letter follows already.
fn letter_after_year(date: &mut ElemChildren, letter: char) {
    fn texts<'c>(children: &'c mut ElemChildren, out: &mut Vec<&'c mut String>) {
        for c in &mut children.0 {
            match c {
                ElemChild::Text(f) => out.push(&mut f.text),
                ElemChild::Elem(e) => texts(&mut e.children, out),
                _ => {}
            }
        }
    }
    let year_end = |t: &str| {
        let start = t.find(|c: char| c.is_ascii_digit())?;
        let end = t[start..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(t.len(), |n| start + n);
        (end - start == 4).then_some(end)
    };
    let mut parts = Vec::new();
    texts(date, &mut parts);
    let whole: String = parts.iter().map(|t| t.as_str()).collect();
    match year_end(&whole) {
        Some(end) if !whole[end..].starts_with(|c: char| c.is_ascii_lowercase()) => {}
        _ => return,
    }
    if let Some((t, end)) = parts
        .into_iter()
        .find_map(|t| year_end(t).map(|end| (t, end)))
    {
        t.insert(end, letter);
    }
}

/// The surnames of a work's authors (or editors), for finding works a citation could be
/// confused with.
fn surnames(item: &Item) -> Vec<String> {
    let Some(names) = item.0.get("author").or_else(|| item.0.get("editor")) else {
        return Vec::new();
    };
    let Ok(names) = serde_json::to_value(names) else {
        return Vec::new();
    };
    names
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| {
                    n.get("family")
                        .or_else(|| n.get("literal"))
                        .and_then(|v| v.as_str())
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The surnames of a work's authors (or editors) and its year (`None` when undated): works
/// that share both get year letters.
fn author_year(item: &Item) -> Option<(String, Option<i64>)> {
    let names = item.0.get("author").or_else(|| item.0.get("editor"))?;
    let names = serde_json::to_value(names).ok()?;
    let key: Vec<String> = names
        .as_array()?
        .iter()
        .map(|n| {
            let family = n
                .get("family")
                .or_else(|| n.get("literal"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let particle = n
                .get("non-dropping-particle")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            format!("{particle} {family}")
        })
        .collect();
    Some((key.join("; "), year_of(item)))
}

/// Sorts `works` roughly as the APA reference list does (names, year, title), as a head
/// start for hayagriva: it sorts the list itself, comparing freshly rendered sort keys at
/// every step, and its (stable, run-detecting) sort does close to one comparison per work on
/// input that is already in order instead of n log n. Where the guess is wrong, hayagriva's
/// order still wins; only ties keep this order.
fn in_list_order_guess(works: &mut [usize], lib: &Library, locale: Option<&LocaleCode>) {
    let text = |v: Option<&serde_json::Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let keys: HashMap<usize, (String, i64, String)> = works
        .iter()
        .map(|&ix| {
            let item = &lib.items[ix];
            let title = item
                .0
                .get("title")
                .and_then(|t| serde_json::to_value(t).ok())
                .and_then(|t| t.as_str().map(str::to_string))
                .unwrap_or_default();
            let people = item
                .0
                .get("author")
                .or_else(|| item.0.get("editor"))
                .and_then(|n| serde_json::to_value(n).ok());
            let names = match people.as_ref().and_then(|n| n.as_array()) {
                Some(people) => people
                    .iter()
                    .map(|p| {
                        let p = Some(p);
                        let family = text(p, "non-dropping-particle") + " " + &text(p, "family");
                        // The list shows initials: "Jansen, A." for Anna and Albert alike.
                        let initials: Vec<String> = text(p, "given")
                            .split_whitespace()
                            .filter_map(|g| g.chars().next())
                            .map(|c| format!("{c}."))
                            .collect();
                        format!(
                            "{}{}, {}",
                            family.trim_start(),
                            text(p, "literal"),
                            initials.join(" ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                None => title.clone(),
            };
            (ix, (names, year_of(item).unwrap_or(i64::MIN), title))
        })
        .collect();
    let collator = locale
        .and_then(|l| l.0.parse::<icu_locale::Locale>().ok())
        .and_then(|l| icu_collator::Collator::try_new(l.into(), Default::default()).ok());
    let cmp = |a: &str, b: &str| match &collator {
        Some(c) => c.compare(a, b),
        None => a.cmp(b),
    };
    works.sort_by(|a, b| {
        let (ka, kb) = (&keys[a], &keys[b]);
        cmp(&ka.0, &kb.0)
            .then(ka.1.cmp(&kb.1))
            .then_with(|| cmp(&ka.2, &kb.2))
            .then(a.cmp(b))
    });
}

/// The year a work was issued, if it has one.
fn year_of(item: &Item) -> Option<i64> {
    // citationberg writes a date as its bare date-parts (`[[2019, 3]]`); accept both forms.
    let issued = serde_json::to_value(item.0.get("issued")?).ok()?;
    let parts = issued.get("date-parts").unwrap_or(&issued);
    parts.get(0)?.get(0)?.as_i64()
}

/// `p. 12`, `pp. 12-14`, `blz. 12`, `hoofdstuk 3`, `chap. 3`, `par. 2`, `§ 2`: a locator;
/// anything else is kept as a comment after the citation.
fn parse_locator(suffix: &str) -> (Option<(Locator, String)>, String) {
    let s = suffix.trim();
    if s.is_empty() {
        return (None, String::new());
    }
    const TERMS: &[(&str, Locator)] = &[
        ("pp.", Locator::Page),
        ("p.", Locator::Page),
        ("blz.", Locator::Page),
        ("pagina", Locator::Page),
        ("page", Locator::Page),
        ("hoofdstuk", Locator::Chapter),
        ("hfst.", Locator::Chapter),
        ("chapter", Locator::Chapter),
        ("chap.", Locator::Chapter),
        ("ch.", Locator::Chapter),
        ("paragraaf", Locator::Section),
        ("par.", Locator::Section),
        ("section", Locator::Section),
        ("sec.", Locator::Section),
        ("§", Locator::Section),
    ];
    for (term, loc) in TERMS {
        // Compared in place: lower-casing changes the length of some letters (ẞ, İ).
        if let Some(head) = s.get(..term.len())
            && head.eq_ignore_ascii_case(term)
        {
            let value = s[term.len()..].trim();
            if !value.is_empty() && value.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                return (
                    Some((*loc, value.replace("--", "–").replace('-', "–"))),
                    String::new(),
                );
            }
        }
    }
    (None, s.to_string())
}

struct Ctx<'a> {
    lang: Lang,
    lib: &'a Library,
    items: &'a [FoundItem],
    target: &'a (dyn Fn(&str) -> Option<Target> + Sync),
    narrative: bool,
}

/// A rendered citation as model inlines: each work's part linked to its reference entry, with
/// the author's prefix and comment, and the author left out for `[-@key]`.
fn to_inlines(children: &ElemChildren, ctx: &Ctx) -> Vec<Inline> {
    let mut out = Vec::new();
    convert(children, ctx, &mut out, None);
    merge(out)
}

fn convert(children: &ElemChildren, ctx: &Ctx, out: &mut Vec<Inline>, item: Option<&FoundItem>) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => styled(&t.text, &t.formatting, out),
            ElemChild::Markup(m) => out.push(Inline::Text(m.clone())),
            ElemChild::Link { text, url } => {
                let mut content = Vec::new();
                styled(&text.text, &text.formatting, &mut content);
                out.push(Inline::Link {
                    url: url.clone(),
                    title: None,
                    content,
                    span: Default::default(),
                });
            }
            ElemChild::Transparent { .. } => {}
            ElemChild::Elem(e) => match &e.meta {
                Some(ElemMeta::Entry(i)) => {
                    let Some(it) = ctx.items.get(*i) else {
                        continue;
                    };
                    let mut inner = Vec::new();
                    if !it.prefix.is_empty() {
                        inner.push(Inline::Text(format!("{} ", it.prefix)));
                    }
                    if it.suppress_author {
                        let mut body = e.children.clone();
                        drop_names(&mut body);
                        convert(&body, ctx, &mut inner, Some(it));
                    } else {
                        convert(&e.children, ctx, &mut inner, Some(it));
                    }
                    if !it.comment.is_empty() {
                        inner.push(Inline::Text(format!(", {}", it.comment)));
                    }
                    let inner = trim_start_punct(inner);
                    match (ctx.target)(&ctx.lib.keys[it.lib]) {
                        Some(target) => out.push(Inline::Internal {
                            target,
                            content: merge(inner),
                        }),
                        None => out.extend(inner),
                    }
                }
                Some(ElemMeta::Names(_)) if ctx.narrative => {
                    // APA writes "&" inside parentheses and the word in running text.
                    let mut inner = Vec::new();
                    convert(&e.children, ctx, &mut inner, item);
                    for i in &mut inner {
                        if let Inline::Text(t) = i {
                            *t = t.replace(" & ", &format!(" {} ", ctx.lang.and()));
                        }
                    }
                    out.extend(inner);
                }
                Some(ElemMeta::Label) if item.is_some() => {
                    // A locator label inside a citation is lower case ("2010, hoofdstuk 3");
                    // some locale terms come capitalised.
                    let mut inner = Vec::new();
                    convert(&e.children, ctx, &mut inner, item);
                    if let Some(Inline::Text(t)) = inner.first_mut() {
                        let mut cs = t.chars();
                        if let Some(c) = cs.next() {
                            *t = c.to_lowercase().chain(cs).collect();
                        }
                    }
                    out.extend(inner);
                }
                Some(ElemMeta::Name(..)) if ctx.lang == Lang::Nl => {
                    // Dutch capitalises a particle when the surname leads ("Van Dalen", "Van
                    // IJzendoorn, M. H."); APA's CSL keeps it lower case.
                    let mut inner = Vec::new();
                    convert(&e.children, ctx, &mut inner, item);
                    capitalize_first(&mut inner);
                    out.extend(inner);
                }
                _ => convert(&e.children, ctx, out, item),
            },
        }
    }
}

/// `[-@key]`: removes the first names element of a work's citation ("Belsky, 1984" → "1984").
fn drop_names(children: &mut ElemChildren) -> bool {
    for i in 0..children.0.len() {
        if let ElemChild::Elem(e) = &mut children.0[i] {
            if matches!(e.meta, Some(ElemMeta::Names(_))) {
                children.0.remove(i);
                return true;
            }
            if drop_names(&mut e.children) {
                return true;
            }
        }
    }
    false
}

/// After the author was left out, the delimiter that followed it must go too.
fn trim_start_punct(mut v: Vec<Inline>) -> Vec<Inline> {
    while let Some(Inline::Text(t)) = v.first_mut() {
        let trimmed = t.trim_start_matches([',', ' ']);
        if trimmed.is_empty() {
            v.remove(0);
            continue;
        }
        if trimmed.len() != t.len() {
            *t = trimmed.to_string();
        }
        break;
    }
    v
}

/// A text of hayagriva's output in its formatting, with the emphasis of the field it came
/// from ([`rich`]).
fn styled(text: &str, f: &hayagriva::Formatting, out: &mut Vec<Inline>) {
    let sup = f.vertical_align == VerticalAlign::Sup;
    let wrap = |inl: Inline| match sup {
        true => Inline::Styled(Style::Superscript, vec![inl]),
        false => inl,
    };
    rich::push(
        text,
        f.font_style == FontStyle::Italic,
        f.font_weight == FontWeight::Bold,
        &wrap,
        out,
    );
}

/// Upper-cases the first letter of the first text in `v`.
fn capitalize_first(v: &mut [Inline]) {
    match v.first_mut() {
        Some(Inline::Text(t)) => {
            let mut cs = t.chars();
            if let Some(c) = cs.next()
                && c.is_lowercase()
            {
                *t = c.to_uppercase().chain(cs).collect();
            }
        }
        Some(
            Inline::Styled(_, c)
            | Inline::Internal { content: c, .. }
            | Inline::Link { content: c, .. },
        ) => capitalize_first(c),
        _ => {}
    }
}

/// Reference-list entries as model inlines, tidied (see [`tidy`]).
fn bibliography_inlines(children: &ElemChildren, lang: Lang) -> Vec<Inline> {
    let lib = Library::default();
    let none = |_: &str| None;
    let ctx = Ctx {
        lang,
        lib: &lib,
        items: &[],
        target: &none,
        narrative: false,
    };
    let mut out = Vec::new();
    convert(children, &ctx, &mut out, None);
    let mut out = merge(out);
    for i in &mut out {
        tidy(i);
    }
    // A title that ends in its own "?" or "!" takes no full stop, also across a style change.
    for k in 1..out.len() {
        let ends_in_mark = last_char(&out[k - 1]).is_some_and(|c| c == '?' || c == '!');
        if ends_in_mark
            && let Inline::Text(t) = &mut out[k]
            && t.starts_with('.')
        {
            t.remove(0);
        }
    }
    out
}

/// Typography the CSL output leaves to us: en dashes in number ranges ("83–96"), typographic
/// apostrophes ("Programma’s") and no full stop after a title's own question mark ("ouders?.").
fn tidy(i: &mut Inline) {
    match i {
        Inline::Text(t) => {
            *t = t.replace("?.", "?").replace("!.", "!");
            let b: Vec<char> = t.chars().collect();
            let mut s = String::with_capacity(t.len());
            for (k, c) in b.iter().enumerate() {
                let digits_around = k > 0
                    && k + 1 < b.len()
                    && b[k - 1].is_ascii_digit()
                    && b[k + 1].is_ascii_digit();
                let letters_around = k > 0
                    && k + 1 < b.len()
                    && b[k - 1].is_alphabetic()
                    && b[k + 1].is_alphabetic();
                s.push(match c {
                    '-' if digits_around => '–',
                    '\'' if letters_around => '’',
                    c => *c,
                });
            }
            *t = s;
        }
        Inline::Styled(_, c) => c.iter_mut().for_each(tidy),
        _ => {}
    }
}

fn last_char(i: &Inline) -> Option<char> {
    match i {
        Inline::Text(t) => t.chars().next_back(),
        Inline::Styled(_, c)
        | Inline::Internal { content: c, .. }
        | Inline::Link { content: c, .. } => c.last().and_then(last_char),
        _ => None,
    }
}

use crate::walk::merge_text as merge;

/// Every citation of a part, in reading order.
fn visit_citations(part: &mut Part, f: &mut dyn FnMut(&mut Citation)) {
    crate::walk::inlines_mut(part, &mut |i| {
        if let Inline::Citation(c) = i {
            f(c);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators() {
        assert_eq!(
            parse_locator("p. 12"),
            (Some((Locator::Page, "12".into())), String::new())
        );
        assert_eq!(
            parse_locator("pp. 12-14"),
            (Some((Locator::Page, "12–14".into())), String::new())
        );
        assert_eq!(
            parse_locator("hoofdstuk 3"),
            (Some((Locator::Chapter, "3".into())), String::new())
        );
        assert_eq!(
            parse_locator("vooral de inleiding"),
            (None, "vooral de inleiding".into())
        );
        assert_eq!(parse_locator(""), (None, String::new()));
        // Lower case is longer or shorter than upper case for some letters.
        assert_eq!(parse_locator("p.ẞ1"), (None, "p.ẞ1".into()));
        assert_eq!(
            parse_locator("P. 12"),
            (Some((Locator::Page, "12".into())), String::new())
        );
        assert_eq!(parse_locator("İp. 1"), (None, "İp. 1".into()));
    }

    #[test]
    fn tidy_fixes_ranges_apostrophes_and_double_stops() {
        let mut i = Inline::Text("Programma's: wat werkt?. 83-96, ISBN-code".into());
        tidy(&mut i);
        let Inline::Text(t) = i else { panic!() };
        assert_eq!(t, "Programma’s: wat werkt? 83–96, ISBN-code");
    }
}
