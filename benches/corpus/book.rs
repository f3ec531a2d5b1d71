//! Builds the book in two passes.
//!
//! 1. **Plan**: the outline of every chapter (headings, and where paragraphs, lists, kaders,
//!    tables and figures go), numbered exactly as druk numbers it: chapters by position,
//!    `##` = n.1, n.2 …, `###` = n.m.k, `####` = n.m.k.l, `{-}` headings not counted, tables,
//!    figures and labelled kaders per chapter in order of appearance.
//! 2. **Fill**: the prose, which may then refer to any numbered thing in the whole book,
//!    backwards or forwards, by label or typed out ("paragraaf 3.2.1"), and always to a
//!    number that exists.

use crate::bib;
use crate::model::*;
use crate::png;
use crate::prose::{CiteDeck, Line, Target, Writer, capitalize};
use crate::rng::Rng;
use crate::vocab;
use std::collections::HashSet;
use std::rc::Rc;

pub struct Config {
    pub chapters: usize,
    /// The prose to write, in words, over the whole book.
    pub words: usize,
    pub references: usize,
    pub seed: u64,
}

/// Words the plan counts for each kind of block, measured on generated output; the plan
/// uses them to end a chapter near its share of the words.
const EST_LIST: usize = 55;
const EST_KADER: usize = 150;
const EST_TABLE: usize = 50;
const EST_QUOTE: usize = 50;
const EST_CLOSING: usize = 340;
/// A typical `###` subsection; the plan stops when half of one more would overshoot.
const EST_SUBSECTION: usize = 600;
/// Paragraphs end after the sentence that reaches their target, about this much later.
const PARA_OVERSHOOT: usize = 9;

pub fn generate(cfg: &Config) -> Book {
    let mut rng = Rng::new(cfg.seed);
    let bibliography = bib::generate(&mut rng.fork(1), cfg.references);

    let mut labels = Labels::default();
    let front_words = 450 + 30 * cfg.chapters;
    let budget = cfg.words.saturating_sub(front_words) / cfg.chapters.max(1);
    let mut plan_rng = rng.fork(2);
    let mut plans: Vec<ChapterPlan> = (1..=cfg.chapters as u32)
        .map(|n| plan_chapter(&mut plan_rng, n, cfg.chapters, budget, &mut labels))
        .collect();
    let mut targets = Vec::new();
    for p in &mut plans {
        number_chapter(p, &mut targets);
    }

    // Every chapter owns a share of the keys and cites all of them (see CiteDeck).
    let mut keys: Vec<String> = bibliography.iter().map(|e| e.key.clone()).collect();
    rng.fork(3).shuffle(&mut keys);
    let all = Rc::new(keys.clone());
    let mut shares = vec![Vec::new(); cfg.chapters.max(1)];
    for (i, k) in keys.into_iter().enumerate() {
        shares[i % cfg.chapters.max(1)].push(k);
    }

    let chapters: Vec<Part> = plans
        .into_iter()
        .zip(shares)
        .map(|(plan, share)| {
            let mut crng = rng.fork(100 + plan.number as u64);
            let deck = CiteDeck::new(share, all.clone(), &mut crng);
            let w = Writer {
                rng: crng,
                deck,
                targets: &targets,
                chapter: plan.number,
                cite_rate: 0.2,
            };
            fill_chapter(plan, w, &mut labels)
        })
        .collect();

    let meta = meta(cfg);
    let front = {
        let mut frng = rng.fork(4);
        let deck = CiteDeck::new(Vec::new(), all.clone(), &mut frng);
        let mut w = Writer {
            rng: frng,
            deck,
            targets: &targets,
            chapter: 0,
            cite_rate: 0.05,
        };
        vec![voorwoord(&mut w, &meta), inleiding(&mut w, &chapters)]
    };
    let images = png::images()
        .into_iter()
        .map(|(name, png)| Image { name, png })
        .collect();
    Book {
        meta,
        front,
        chapters,
        bibliography,
        images,
    }
}

fn meta(cfg: &Config) -> Meta {
    // Two valid ISBN-13s that differ per corpus size.
    let n = 100 + (cfg.seed % 800) as u32;
    Meta {
        title: "Opgroeien in de wijk".into(),
        subtitle: format!(
            "Jeugd, gezin en opvoedingsondersteuning (benchmarkcorpus, {} hoofdstukken)",
            cfg.chapters
        ),
        authors: vec!["Sanne de Wit".into(), "Ruben Hoekstra".into()],
        edition: 3,
        publisher: "Uitgeverij Voorbeeld".into(),
        year: 2026,
        isbn_print: isbn(n),
        isbn_epub: isbn(n + 1),
    }
}

/// `978-90-0000-NNN-C` with its check digit.
fn isbn(n: u32) -> String {
    let digits = format!("978900000{n:03}");
    let sum: u32 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("978-90-0000-{n:03}-{}", (10 - sum % 10) % 10)
}

/// Unique labels for the whole book, made from titles as an author would ("sec-netwerken-in-de-wijk").
#[derive(Default)]
struct Labels(HashSet<String>);

impl Labels {
    fn unique(&mut self, prefix: &str, title: &str) -> String {
        let base = format!("{prefix}-{}", bib::slug_words(title, 4));
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

// ---- plan --------------------------------------------------------------------------------

struct ChapterPlan {
    number: u32,
    title: String,
    id: String,
    file: String,
    author: Option<String>,
    slots: Vec<Slot>,
}

enum Slot {
    Heading(Heading),
    Para(usize),
    List,
    Kader {
        id: Option<String>,
        number: Option<String>,
        title: String,
        case: Option<(&'static str, bool)>,
    },
    Table {
        id: String,
        number: String,
        caption: String,
        kind: TableKind,
    },
    Figure(Figure),
    Quote,
    Closing,
}

const GUEST_AUTHORS: &[&str] = &[
    "Yasmina Bouali",
    "Pieter Jongsma",
    "Esra Demir",
    "Koen Verbruggen",
    "Naima Ait Said",
    "Willemijn ter Horst",
];

fn chapter_title(n: u32) -> String {
    let i = (n - 1) as usize;
    if i < vocab::TOPICS.len() {
        vocab::TOPICS[i].to_string()
    } else {
        let topic = vocab::TOPICS[i % vocab::TOPICS.len()];
        let sub = vocab::SUBTOPICS[i % vocab::SUBTOPICS.len()];
        format!("{topic}: {sub}")
    }
}

/// The plan's running state for one chapter.
struct Planner<'a> {
    w: Writer<'a>,
    labels: &'a mut Labels,
    slots: Vec<Slot>,
    est: usize,
    budget: usize,
}

fn plan_chapter(
    rng: &mut Rng,
    n: u32,
    total: usize,
    budget: usize,
    labels: &mut Labels,
) -> ChapterPlan {
    let title = chapter_title(n);
    let id = labels.unique("sec", &title);
    let width = if total >= 100 { 3 } else { 2 };
    let file = format!(
        "hoofdstukken/{n:0width$}-{}.md",
        bib::slug_words(&title, 5),
        width = width
    );
    let author = n
        .is_multiple_of(6)
        .then(|| GUEST_AUTHORS[(n as usize / 6 - 1) % GUEST_AUTHORS.len()].to_string());
    let mut crng = rng.fork(n as u64);
    let deck = CiteDeck::new(Vec::new(), Rc::new(Vec::new()), &mut crng);
    let mut p = Planner {
        w: Writer {
            rng: crng,
            deck,
            targets: &[],
            chapter: n,
            cite_rate: 0.0,
        },
        labels,
        slots: Vec::new(),
        est: 0,
        budget,
    };
    p.heading(2, "Inleiding".into(), false);
    for _ in 0..p.w.rng.range(2, 3) {
        p.para();
    }
    let mut section = 1;
    while p.est + EST_CLOSING + EST_SUBSECTION < budget {
        section += 1;
        p.section(section == 2);
    }
    p.slots.push(Slot::Closing);
    ChapterPlan {
        number: n,
        title,
        id,
        file,
        author,
        slots: p.slots,
    }
}

impl Planner<'_> {
    fn heading(&mut self, level: u8, title: String, labelled: bool) {
        let id = self.labels.unique("sec", &title);
        self.est += title.split_whitespace().count();
        self.slots.push(Slot::Heading(Heading {
            level,
            title,
            id,
            labelled,
            number: None,
        }));
    }

    fn para(&mut self) {
        let words = self.w.rng.range(90, 170);
        self.est += words + PARA_OVERSHOOT;
        self.slots.push(Slot::Para(words));
    }

    /// A `##` section with its `###` subsections; the first full section of each chapter also
    /// has `####` sub-subsections and a figure, so every chapter has all four levels.
    fn section(&mut self, first: bool) {
        let title = self.w.section_title();
        let labelled = self.w.rng.chance(0.75);
        self.heading(2, title, labelled);
        for _ in 0..self.w.rng.range(1, 2) {
            self.para();
        }
        let subs = self.w.rng.range(2, 4);
        for k in 1..=subs {
            if k > 1 && self.est + EST_CLOSING + EST_SUBSECTION / 2 >= self.budget {
                break;
            }
            let title = self.w.section_title();
            let labelled = self.w.rng.chance(0.35);
            self.heading(3, title, labelled);
            self.body(2, 5, first && k == 1);
            if (first && k == 1) || self.w.rng.chance(0.12) {
                for _ in 0..2 {
                    let title = self.w.section_title();
                    let labelled = self.w.rng.chance(0.3);
                    self.heading(4, title, labelled);
                    self.body(1, 2, false);
                }
            }
        }
    }

    /// Paragraphs with, now and then, a list, a kader, a table, a quote or a figure between them.
    fn body(&mut self, min: usize, max: usize, figure: bool) {
        let start = self.slots.len();
        for _ in 0..self.w.rng.range(min, max) {
            self.para();
        }
        let paras = self.slots.len() - start;
        let mut inserts = Vec::new();
        if self.w.rng.chance(0.35) {
            inserts.push(Slot::List);
            self.est += EST_LIST;
        }
        if self.w.rng.chance(0.25) {
            inserts.push(self.kader(true));
        }
        if self.w.rng.chance(0.12) {
            inserts.push(self.kader(false));
        }
        if self.w.rng.chance(0.22) {
            inserts.push(self.table());
        }
        if self.w.rng.chance(0.06) {
            inserts.push(Slot::Quote);
            self.est += EST_QUOTE;
        }
        if figure || self.w.rng.chance(0.04) {
            inserts.push(self.figure());
        }
        // Each insert goes after one of the paragraphs, never before the first.
        for slot in inserts {
            let at = start + self.w.rng.range(1, paras);
            self.slots.insert(at.min(self.slots.len()), slot);
        }
    }

    fn kader(&mut self, labelled: bool) -> Slot {
        self.est += EST_KADER;
        let case = self
            .w
            .rng
            .chance(0.4)
            .then(|| self.w.rng.choose(vocab::NAMES));
        let title = match case {
            Some((name, _)) => format!("Casus: {name}"),
            None => self.w.kader_title(),
        };
        let id = labelled.then(|| self.labels.unique("kader", &title));
        Slot::Kader {
            id,
            number: None,
            title,
            case,
        }
    }

    fn table(&mut self) -> Slot {
        self.est += EST_TABLE;
        let kind = TableKind::ALL[self.w.rng.below(TableKind::ALL.len())];
        let caption = kind.caption(&mut self.w);
        Slot::Table {
            id: self.labels.unique("tbl", &caption),
            number: String::new(),
            caption,
            kind,
        }
    }

    fn figure(&mut self) -> Slot {
        let (image, caption) = match self.w.rng.below(3) {
            0 => (
                "staafdiagram.png",
                format!("Het bereik van {} per jaar", self.w.topic_np()),
            ),
            1 => (
                "ringen.png",
                format!(
                    "De omgeving van het kind: {} in samenhang",
                    self.w.bare(vocab::THINGS)
                ),
            ),
            _ => ("stappen.png", format!("De fasen van {}", self.w.topic_np())),
        };
        self.est += 10;
        Slot::Figure(Figure {
            id: self.labels.unique("fig", &caption),
            number: String::new(),
            caption,
            image: image.into(),
        })
    }
}

/// Numbers headings, tables, figures and labelled kaders the way druk does, and records
/// everything a reference can point at.
fn number_chapter(p: &mut ChapterPlan, targets: &mut Vec<Target>) {
    let n = p.number;
    targets.push(Target {
        kind: Kind::Chapter,
        id: p.id.clone(),
        number: n.to_string(),
        chapter: n,
        labelled: true,
    });
    let mut counters = [0u32; 5];
    let (mut tables, mut figures, mut kaders) = (0, 0, 0);
    for slot in &mut p.slots {
        let (kind, id, number, labelled) = match slot {
            Slot::Heading(h) => {
                let l = h.level as usize;
                counters[l] += 1;
                counters[l + 1..].fill(0);
                let num = std::iter::once(n.to_string())
                    .chain(counters[2..=l].iter().map(|c| c.to_string()))
                    .collect::<Vec<_>>()
                    .join(".");
                h.number = Some(num.clone());
                (Kind::Section, h.id.clone(), num, h.labelled)
            }
            Slot::Table { id, number, .. } => {
                tables += 1;
                *number = format!("{n}.{tables}");
                (Kind::Table, id.clone(), number.clone(), true)
            }
            Slot::Figure(f) => {
                figures += 1;
                f.number = format!("{n}.{figures}");
                (Kind::Figure, f.id.clone(), f.number.clone(), true)
            }
            Slot::Kader {
                id: Some(id),
                number,
                ..
            } => {
                kaders += 1;
                *number = Some(format!("{n}.{kaders}"));
                (Kind::Kader, id.clone(), format!("{n}.{kaders}"), true)
            }
            _ => continue,
        };
        targets.push(Target {
            kind,
            id,
            number,
            chapter: n,
            labelled,
        });
    }
}

// ---- fill --------------------------------------------------------------------------------

fn fill_chapter(plan: ChapterPlan, mut w: Writer, labels: &mut Labels) -> Part {
    let mut blocks = Vec::new();
    let own_kaders: Vec<Target> = w
        .targets
        .iter()
        .filter(|t| t.kind == Kind::Kader && t.chapter == plan.number)
        .cloned()
        .collect();
    for slot in plan.slots {
        match slot {
            Slot::Heading(h) => blocks.push(Block::Heading(h)),
            Slot::Para(words) => blocks.push(Block::Para(w.paragraph(words, true, 0.3))),
            Slot::List => list(&mut w, &mut blocks),
            Slot::Kader {
                id,
                number,
                title,
                case,
            } => blocks.push(Block::Kader(kader(&mut w, id, number, title, case))),
            Slot::Table {
                id,
                number,
                caption,
                kind,
            } => blocks.push(Block::Table(kind.fill(&mut w, id, number, caption))),
            Slot::Figure(f) => blocks.push(Block::Figure(f)),
            Slot::Quote => {
                let words = w.rng.range(35, 60);
                blocks.push(Block::Quote(w.quiet_paragraph(words)));
            }
            Slot::Closing => closing(&mut w, &mut blocks, labels, &own_kaders),
        }
    }
    Part {
        file: plan.file,
        title: plan.title,
        id: Some(plan.id),
        number: Some(plan.number),
        author: plan.author,
        blocks,
    }
}

const LIST_INTROS: &[&str] = &[
    "Daarbij gaat het onder meer om:",
    "Professionals letten daarbij vooral op:",
    "In de literatuur worden de volgende aandachtspunten genoemd:",
    "Belangrijke aandachtspunten zijn:",
    "We onderscheiden hier:",
    "Het gaat dan bijvoorbeeld om:",
];

/// A list in one of three shapes: fragments with a nested second level, items with a bold
/// lead-in, or numbered steps.
fn list(w: &mut Writer, blocks: &mut Vec<Block>) {
    match w.rng.below(3) {
        0 => {
            blocks.push(Block::Para(vec![Inline::Text(
                (w.rng.choose(LIST_INTROS)).to_string(),
            )]));
            let n = w.rng.range(3, 6);
            let nested = w.rng.below(n);
            let items = (0..n)
                .map(|i| ListItem {
                    text: w.fragment(i + 1 == n),
                    sub: if i == nested {
                        let m = w.rng.range(2, 3);
                        (0..m).map(|j| w.fragment(j + 1 == m)).collect()
                    } else {
                        Vec::new()
                    },
                })
                .collect();
            blocks.push(Block::List(List {
                ordered: false,
                items,
            }));
        }
        1 => {
            let items = (0..w.rng.range(3, 5))
                .map(|_| ListItem {
                    text: w.lead_in_item(),
                    sub: Vec::new(),
                })
                .collect();
            blocks.push(Block::List(List {
                ordered: false,
                items,
            }));
        }
        _ => {
            let items = (0..w.rng.range(3, 5))
                .map(|_| ListItem {
                    text: w.sentence().parts,
                    sub: Vec::new(),
                })
                .collect();
            blocks.push(Block::List(List {
                ordered: true,
                items,
            }));
        }
    }
}

fn kader(
    w: &mut Writer,
    id: Option<String>,
    number: Option<String>,
    title: String,
    case: Option<(&'static str, bool)>,
) -> Kader {
    let mut blocks = Vec::new();
    if let Some((name, female)) = case {
        blocks.push(Block::Para(w.case_opening(name, female)));
        let words = w.rng.range(70, 120);
        blocks.push(Block::Para(w.quiet_paragraph(words)));
    } else {
        let words = w.rng.range(100, 160);
        blocks.push(Block::Para(w.paragraph(words, false, 0.0)));
    }
    if w.rng.chance(0.3) {
        let items = (0..3)
            .map(|i| ListItem {
                text: w.fragment(i == 2),
                sub: Vec::new(),
            })
            .collect();
        blocks.push(Block::List(List {
            ordered: false,
            items,
        }));
    }
    Kader {
        id,
        number,
        title,
        blocks,
    }
}

/// "Samenvatting" and "Vragen en opdrachten", both unnumbered. Keys of the chapter's share
/// that the text did not reach are cited here, so every entry is cited somewhere.
fn closing(w: &mut Writer, blocks: &mut Vec<Block>, labels: &mut Labels, kaders: &[Target]) {
    let heading = |title: &str, labels: &mut Labels| {
        Block::Heading(Heading {
            level: 2,
            title: title.into(),
            id: labels.unique("sec", title),
            labelled: false,
            number: None,
        })
    };
    blocks.push(heading("Samenvatting", labels));
    for _ in 0..2 {
        let words = w.rng.range(110, 150);
        blocks.push(Block::Para(w.quiet_paragraph(words)));
    }
    if !w.deck.unused.is_empty() {
        let mut l = Line::new();
        l.word("wie verder wil lezen, vindt aanknopingspunten in");
        let items = std::mem::take(&mut w.deck.unused)
            .into_iter()
            .map(|key| CiteItem { key, locator: None })
            .collect();
        l.inline(Inline::Cite(Cite {
            items,
            narrative: false,
        }));
        l.stop(".");
        blocks.push(Block::Para(l.parts));
    }
    blocks.push(heading("Vragen en opdrachten", labels));
    let n = w.rng.range(4, 6);
    let items = (0..n)
        .map(|i| {
            let kader = (i == 0 && !kaders.is_empty()).then(|| w.rng.pick(kaders).clone());
            ListItem {
                text: w.question(kader),
                sub: Vec::new(),
            }
        })
        .collect();
    blocks.push(Block::List(List {
        ordered: false,
        items,
    }));
}

// ---- tables ------------------------------------------------------------------------------

/// The kinds of table a textbook of this field has, each with its columns.
#[derive(Clone, Copy)]
enum TableKind {
    Levels,
    Factors,
    Phases,
    Programmes,
    Figures,
}

const PROGRAMMES: &[&str] = &[
    "Samen Sterk Thuis",
    "Ouders Aan Zet",
    "Stap voor Stap",
    "Kleine Stappen",
    "Thuis in de Wijk",
    "Goed Begin",
    "Sterk Ouderschap",
    "Opvoeden Doe Je Samen",
];

impl TableKind {
    const ALL: [TableKind; 5] = [
        TableKind::Levels,
        TableKind::Factors,
        TableKind::Phases,
        TableKind::Programmes,
        TableKind::Figures,
    ];

    fn caption(self, w: &mut Writer) -> String {
        match self {
            TableKind::Levels => format!(
                "Niveaus van preventie en voorbeelden van {}",
                w.bare(vocab::THINGS)
            ),
            TableKind::Factors => format!(
                "Risicofactoren en beschermende factoren {}",
                w.rng.choose(vocab::ADJUNCTS)
            ),
            TableKind::Phases => format!("Fasen in {}", w.topic_np()),
            TableKind::Programmes => format!("Programma's voor {}", w.bare(vocab::CLIENTS)),
            TableKind::Figures => format!("Bereik van {} per jaar", w.topic_np()),
        }
    }

    fn fill(self, w: &mut Writer, id: String, number: String, caption: String) -> Table {
        let text = |s: String| vec![Inline::Text(s)];
        let (header, rows): (&[&str], Vec<Vec<Vec<Inline>>>) = match self {
            TableKind::Levels => (
                &["Niveau", "Doelgroep", "Voorbeeld van aanbod"],
                ["Universeel", "Selectief", "Geïndiceerd", "Zorggericht"]
                    .iter()
                    .map(|lvl| {
                        let group = capitalize(&w.bare(vocab::CLIENTS));
                        let offer = capitalize(&w.topic_np());
                        vec![text(lvl.to_string()), text(group), with_cite(w, offer)]
                    })
                    .collect(),
            ),
            TableKind::Factors => (
                &["Domein", "Risicofactor", "Beschermende factor"],
                (0..w.rng.range(3, 6))
                    .map(|_| {
                        vec![
                            text(capitalize(&w.bare(vocab::THINGS))),
                            text(format!("Gebrek aan {}", w.bare(vocab::THINGS))),
                            text(capitalize(&w.topic_np())),
                        ]
                    })
                    .collect(),
            ),
            TableKind::Phases => (
                &["Fase", "Centrale vraag", "Betrokkenen"],
                [
                    "Signaleren",
                    "Verhelderen",
                    "Plannen",
                    "Uitvoeren",
                    "Evalueren",
                ]
                .iter()
                .map(|f| {
                    vec![
                        text(f.to_string()),
                        text(format!("Wat betekent dit voor {}?", w.topic_np())),
                        text(format!(
                            "{}, {}",
                            capitalize(&w.bare(vocab::ACTORS)),
                            w.bare(vocab::ACTORS)
                        )),
                    ]
                })
                .collect(),
            ),
            TableKind::Programmes => (
                &["Programma", "Doelgroep", "Duur", "Onderbouwing"],
                (0..w.rng.range(4, 6))
                    .map(|_| {
                        let dur = format!(
                            "{} {}",
                            w.rng.range(4, 16),
                            w.rng.choose(&["bijeenkomsten", "weken", "huisbezoeken"])
                        );
                        let basis = (w.rng.choose(&[
                            "Goed onderbouwd",
                            "Effectief volgens eerste aanwijzingen",
                            "Theoretisch onderbouwd",
                            "Effectief volgens sterke aanwijzingen",
                        ]))
                        .to_string();
                        vec![
                            text((w.rng.choose(PROGRAMMES)).to_string()),
                            text(capitalize(&w.bare(vocab::CLIENTS))),
                            text(dur),
                            with_cite(w, basis),
                        ]
                    })
                    .collect(),
            ),
            TableKind::Figures => {
                let first = 2014 + w.rng.below(5);
                (
                    &["Jaar", "Gezinnen", "Aandeel (%)"],
                    (0..w.rng.range(5, 8))
                        .map(|i| {
                            let n = w.rng.range(800, 24_000);
                            let share = w.rng.range(20, 400);
                            vec![
                                text((first + i).to_string()),
                                text(thousands(n)),
                                text(format!("{},{}", share / 10, share % 10)),
                            ]
                        })
                        .collect(),
                )
            }
        };
        let align = match self {
            TableKind::Figures => vec![Align::Left, Align::Right, Align::Right],
            _ => vec![Align::Left; header.len()],
        };
        Table {
            id,
            number,
            caption,
            header: header.iter().map(|h| h.to_string()).collect(),
            align,
            rows,
        }
    }
}

/// A table cell that sometimes carries a citation.
fn with_cite(w: &mut Writer, s: String) -> Vec<Inline> {
    let mut cell = vec![Inline::Text(s)];
    if w.rng.chance(0.3) {
        cell.push(Inline::Text(" ".into()));
        cell.push(w.parenthetical());
    }
    cell
}

/// Dutch digit grouping: 12.345.
fn thousands(n: usize) -> String {
    if n >= 1000 {
        format!("{}.{:03}", n / 1000, n % 1000)
    } else {
        n.to_string()
    }
}

// ---- front matter ------------------------------------------------------------------------

fn voorwoord(w: &mut Writer, meta: &Meta) -> Part {
    let mut blocks = Vec::new();
    for _ in 0..3 {
        let words = w.rng.range(100, 140);
        blocks.push(Block::Para(w.paragraph(words, false, 0.0)));
    }
    blocks.push(Block::Para(vec![
        Inline::Emph(meta.authors.join(" en ")),
        Inline::Text(", Utrecht, voorjaar 2026".into()),
    ]));
    Part {
        file: "voorwoord.md".into(),
        title: "Voorwoord".into(),
        id: None,
        number: None,
        author: None,
        blocks,
    }
}

/// The reader's guide: one short paragraph per chapter, referring to it by label (and once
/// typed out, as "hoofdstuk 4").
fn inleiding(w: &mut Writer, chapters: &[Part]) -> Part {
    let mut blocks = Vec::new();
    let words = w.rng.range(110, 150);
    blocks.push(Block::Para(w.paragraph(words, false, 0.0)));
    let spelled = chapters.len().min(4);
    for ch in chapters {
        let n = ch.number.unwrap_or(0);
        let mut l = Line::new();
        l.inline(Inline::Ref(Ref {
            kind: Kind::Chapter,
            id: ch.id.clone().unwrap_or_default(),
            number: n.to_string(),
            style: if n as usize == spelled {
                RefStyle::Spelled
            } else {
                RefStyle::Label
            },
            cap: true,
        }));
        let mut title = ch.title.clone();
        if let Some(first) = title.get(0..1) {
            title.replace_range(0..1, &first.to_lowercase());
        }
        l.word(&format!("behandelt {title}"));
        l.stop(".");
        let s = w.sentence();
        l.append(s);
        blocks.push(Block::Para(l.parts));
    }
    Part {
        file: "inleiding.md".into(),
        title: "Inleiding".into(),
        id: None,
        number: None,
        author: None,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown;

    fn small() -> Config {
        Config {
            chapters: 3,
            words: 6000,
            references: 40,
            seed: 11,
        }
    }

    fn sources(book: &Book) -> String {
        book.front
            .iter()
            .chain(&book.chapters)
            .map(markdown::druk_part)
            .collect()
    }

    #[test]
    fn the_same_config_gives_the_same_book() {
        assert_eq!(sources(&generate(&small())), sources(&generate(&small())));
    }

    #[test]
    fn every_bibliography_entry_is_cited() {
        let book = generate(&small());
        let text = sources(&book);
        for e in &book.bibliography {
            let cited = text.match_indices(&format!("@{}", e.key)).any(|(i, m)| {
                // `@jansen2019` must not count as a citation of `jansen201`.
                !text[i + m.len()..].starts_with(|c: char| c.is_alphanumeric())
            });
            assert!(cited, "{} is never cited", e.key);
        }
    }

    #[test]
    fn isbn_check_digits() {
        // 978-90-0000-000-5 is the sample book's, with a known-good check digit.
        assert_eq!(isbn(0), "978-90-0000-000-5");
    }
}
