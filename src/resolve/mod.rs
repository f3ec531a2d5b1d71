//! resolve: numbers, the label table and every cross-reference, for the whole book at once.
//!
//! Numbers change between editions; labels do not. Here the current numbers are assigned and
//! each reference gets its printed text and target. All problems are collected, not only the
//! first, so one run shows an author everything to fix.

mod links;
mod numbers;

use crate::diag::{Diagnostic, did_you_mean};
use crate::lang::{Lang, RefKind, capitalize};
use crate::load::{Entry, Meta, Project};
use crate::model::*;
use crate::source::Span;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// The resolved book: what every renderer reads.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: Meta,
    pub parts: Vec<Part>,
    pub labels: HashMap<String, LabelTarget>,
    /// Every image the parts use, read and checked (filled after resolving).
    pub images: crate::images::Images,
}

impl Book {
    /// The generated reference list, if the book has one.
    pub fn bibliography_part(&self) -> Option<usize> {
        self.parts
            .iter()
            .position(|p| p.kind == PartKind::Bibliography)
    }
}

/// Numbers of every kind, for checking spelled-out references.
#[derive(Default)]
struct NumberIndex {
    by_kind: HashMap<RefKind, BTreeMap<String, Target>>,
}

pub fn resolve(project: &Project, parsed: Vec<Option<Part>>) -> (Book, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let lang = project.meta.lang;
    let mut parts = Vec::new();
    let mut chapter_no = 0;
    for (entry, part) in project.contents.iter().zip(parsed) {
        match entry {
            Entry::File { kind, .. } => {
                if *kind == PartKind::Chapter {
                    chapter_no += 1;
                }
                if let Some(mut p) = part {
                    if p.kind == PartKind::Chapter {
                        p.number = Some(chapter_no);
                    }
                    parts.push(p);
                }
            }
            Entry::Bibliography { span } => parts.push(bibliography_part(project, *span)),
        }
    }

    let mut labels: HashMap<String, LabelTarget> = HashMap::new();
    let mut index = NumberIndex::default();
    let mut label_diags = Vec::new();
    for (pi, part) in parts.iter_mut().enumerate() {
        numbers::number_part(
            pi,
            part,
            &mut diags,
            &mut |label: &Label, kind, number: Option<String>, id: &str, title: String| {
                let target = Target {
                    part: pi,
                    id: id.to_string(),
                };
                if let Some(n) = &number {
                    index
                        .by_kind
                        .entry(kind)
                        .or_default()
                        .insert(n.clone(), target.clone());
                }
                if let Some(first) = labels.get(&label.name) {
                    label_diags.push(
                        Diagnostic::error(
                            "duplicate-label",
                            format!("duplicate label `{}`", label.name),
                        )
                        .at(label.span)
                        .label("defined again here")
                        .related(first.span, "first defined here")
                        .help("labels are unique in the whole book; rename one of them"),
                    );
                    return;
                }
                labels.insert(
                    label.name.clone(),
                    LabelTarget {
                        kind,
                        number,
                        target,
                        title,
                        span: label.span,
                    },
                );
            },
        );
    }
    diags.extend(label_diags);
    // Unlabelled numbered elements can still be named in running text ("paragraaf 3.2.2").
    for (pi, part) in parts.iter().enumerate() {
        numbers::index_unlabelled(pi, part, &mut |kind, number: &str, id: &str| {
            index
                .by_kind
                .entry(kind)
                .or_default()
                .entry(number.to_string())
                .or_insert(Target {
                    part: pi,
                    id: id.to_string(),
                });
        });
    }

    let targets = links::Targets::new(&parts, &labels, &project.sources);
    let per_part: Vec<Vec<Diagnostic>> = parts
        .par_iter_mut()
        .enumerate()
        .map(|(pi, part)| {
            let mut d = Vec::new();
            let mut r = Resolver {
                labels: &labels,
                index: &index,
                targets: &targets,
                part: pi,
                lang,
                diags: &mut d,
            };
            r.part(part);
            d
        })
        .collect();
    diags.extend(per_part.into_iter().flatten());
    (
        Book {
            meta: project.meta.clone(),
            parts,
            labels,
            images: Default::default(),
        },
        diags,
    )
}

fn bibliography_part(project: &Project, span: Span) -> Part {
    let title = project.meta.lang.references().to_string();
    Part {
        kind: PartKind::Bibliography,
        file: project.book_yaml,
        number: None,
        author: None,
        title: Heading {
            level: 1,
            content: vec![Inline::Text(title)],
            id: "literatuur".into(),
            label: None,
            numbered: false,
            number: None,
            span,
            short: None,
        },
        blocks: Vec::new(),
        footnotes: Vec::new(),
    }
}

struct Resolver<'a> {
    labels: &'a HashMap<String, LabelTarget>,
    index: &'a NumberIndex,
    targets: &'a links::Targets,
    /// The part being resolved.
    part: usize,
    lang: Lang,
    diags: &'a mut Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn part(&mut self, part: &mut Part) {
        crate::walk::inlines_mut(part, &mut |i| match i {
            Inline::CrossRef(r) => self.cross_ref(r),
            // A link into the book is druk's to write: its target, in every output.
            Inline::Link {
                url, content, span, ..
            } => match self.targets.link(url, *span, self.part, self.labels) {
                links::Link::External => {}
                links::Link::Internal(target) => {
                    *i = Inline::Internal {
                        target,
                        content: std::mem::take(content),
                    }
                }
                links::Link::Broken(d) => self.diags.push(*d),
            },
            _ => {}
        });
    }

    fn cross_ref(&mut self, r: &mut CrossRef) {
        match &r.target {
            RefTarget::Label { name, number_only } => {
                let Some(t) = self.labels.get(name) else {
                    let mut d =
                        Diagnostic::error("unknown-label", format!("unknown label @{name}"))
                            .at(r.span)
                            .label("no element has this label");
                    let prefix = name.split('-').next().unwrap_or("");
                    let same_kind = self
                        .labels
                        .keys()
                        .filter(|k| k.starts_with(prefix))
                        .map(String::as_str);
                    d = match did_you_mean(name, same_kind) {
                        Some(near) => d.help(format!("did you mean @{near}?")),
                        None => d.help(format!(
                            "label an element with `{{#{name}}}`, or correct the reference"
                        )),
                    };
                    self.diags.push(d);
                    return;
                };
                let text = match (&t.number, number_only) {
                    (Some(n), true) => n.clone(),
                    (Some(n), false) => format!("{} {n}", self.lang.term(t.kind)),
                    (None, _) => t.title.clone(),
                };
                let text = if r.capitalize {
                    capitalize(&text)
                } else {
                    text
                };
                r.resolved = Some(Resolved {
                    text,
                    target: t.target.clone(),
                });
            }
            RefTarget::Spelled { kind, number, text } => {
                let known = self.index.by_kind.get(kind);
                match known.and_then(|m| m.get(number)) {
                    Some(target) => {
                        r.resolved = Some(Resolved {
                            text: text.clone(),
                            target: target.clone(),
                        })
                    }
                    None => {
                        let term = self.lang.term(*kind);
                        let mut d = Diagnostic::warning(
                            "missing-number",
                            format!("{term} {number} does not exist in this edition"),
                        )
                        .at(r.span)
                        .label("no such number in this edition");
                        let near = known
                            .and_then(|m| numbers::nearest(number, m.keys().map(String::as_str)));
                        d = match near {
                            Some(n) => d.help(format!(
                                "the nearest existing number is {term} {n}; better still, refer by label (`@{}-…`)",
                                label_prefix(*kind)
                            )),
                            None => d.help(format!("there is no {term} in this book yet")),
                        };
                        self.diags.push(d);
                    }
                }
            }
        }
    }
}

fn label_prefix(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Chapter | RefKind::Section => "sec",
        RefKind::Figure => "fig",
        RefKind::Table => "tbl",
        RefKind::Kader => "kader",
    }
}
