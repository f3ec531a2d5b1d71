//! Dutch-like prose: sentences from a handful of clause patterns over the vocabulary in
//! [`crate::vocab`], with agreement (singular/plural verbs, de/het articles, inflected
//! adjectives) and Dutch word order (verb second in main clauses, verb last in subordinate
//! ones, separable particles at the end). It reads as plausible textbook Dutch at a glance,
//! which is what a typesetting benchmark needs: realistic word lengths, compounds,
//! diacritics and punctuation, and the citations and cross-references of a real manuscript.

use crate::model::{Cite, CiteItem, Inline, Kind, Ref, RefStyle};
use crate::rng::Rng;
use crate::vocab::{self, Noun, Verb};

/// Upper-cases the first letter.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A sentence or paragraph under construction: text runs plus citations, references and
/// notes, with the spacing between them and a running word count.
#[derive(Default)]
pub struct Line {
    pub parts: Vec<Inline>,
    pub words: usize,
    /// The next word starts a sentence.
    cap_next: bool,
}

impl Line {
    pub fn new() -> Line {
        Line {
            cap_next: true,
            ..Line::default()
        }
    }

    fn ends_open(&self) -> bool {
        match self.parts.last() {
            None => true,
            Some(Inline::Text(t)) => t.is_empty() || t.ends_with([' ', '(']),
            Some(_) => false,
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(Inline::Text(t)) = self.parts.last_mut() {
            t.push_str(s);
        } else {
            self.parts.push(Inline::Text(s.to_string()));
        }
    }

    /// Words separated from what comes before by a space; capitalised at a sentence start.
    pub fn word(&mut self, w: &str) {
        if w.is_empty() {
            return;
        }
        if !self.ends_open() {
            self.push_text(" ");
        }
        if std::mem::take(&mut self.cap_next) {
            self.push_text(&capitalize(w));
        } else {
            self.push_text(w);
        }
        self.words += w.split_whitespace().count();
    }

    /// Punctuation glued to the previous word.
    pub fn punct(&mut self, p: &str) {
        self.push_text(p);
    }

    /// Ends a sentence: the next word is capitalised.
    pub fn stop(&mut self, p: &str) {
        self.push_text(p);
        self.cap_next = true;
    }

    /// An inline element after a space (a citation, a reference, emphasis).
    pub fn inline(&mut self, i: Inline) {
        if !self.ends_open() {
            self.push_text(" ");
        }
        self.cap_next = false;
        self.words += match &i {
            Inline::Cite(c) => {
                2 * c.items.len() + c.items.iter().filter(|i| i.locator.is_some()).count() * 2
            }
            Inline::Ref(r) if r.style == RefStyle::NumberOnly => 1,
            Inline::Ref(_) => 2,
            Inline::Emph(t) | Inline::Strong(t) => t.split_whitespace().count(),
            _ => 0,
        };
        self.parts.push(i);
    }

    /// An inline element glued to the previous text (a footnote mark after a full stop).
    pub fn attach(&mut self, i: Inline) {
        self.parts.push(i);
    }

    pub fn at_sentence_start(&self) -> bool {
        self.cap_next
    }

    /// Appends a finished sentence with a space between.
    pub fn append(&mut self, other: Line) {
        if other.parts.is_empty() {
            return;
        }
        if !self.parts.is_empty() && !self.ends_open() {
            self.push_text(" ");
        }
        self.words += other.words;
        for p in other.parts {
            match p {
                Inline::Text(t) => self.push_text(&t),
                other => self.parts.push(other),
            }
        }
        self.cap_next = other.cap_next;
    }
}

/// A noun phrase and whether the verb must agree with a plural.
pub struct Np {
    pub text: String,
    pub plural: bool,
}

/// Something a reference can point at: a numbered heading, table, kader or figure.
#[derive(Clone)]
pub struct Target {
    pub kind: Kind,
    pub id: String,
    pub number: String,
    pub chapter: u32,
    /// The druk source gives it a label, so `@id` works; otherwise it can only be spelled out.
    pub labelled: bool,
}

/// The bibliography keys one chapter cites. Each chapter owns a share of the keys and cites
/// every one of them before it repeats any, so that every entry is cited at least once; what
/// is left (in a very short chapter) is cited in its summary.
pub struct CiteDeck {
    pub unused: Vec<String>,
    own: Vec<String>,
    all: std::rc::Rc<Vec<String>>,
}

impl CiteDeck {
    pub fn new(own: Vec<String>, all: std::rc::Rc<Vec<String>>, rng: &mut Rng) -> CiteDeck {
        let mut unused = own.clone();
        rng.shuffle(&mut unused);
        CiteDeck { unused, own, all }
    }

    fn draw(&mut self, rng: &mut Rng) -> String {
        if let Some(k) = self.unused.pop() {
            return k;
        }
        if !self.own.is_empty() && rng.chance(0.8) {
            rng.pick(&self.own).clone()
        } else {
            rng.pick(&self.all).clone()
        }
    }
}

/// The prose generator for one part of the book.
pub struct Writer<'a> {
    pub rng: Rng,
    pub deck: CiteDeck,
    pub targets: &'a [Target],
    /// The chapter being written (0 for front matter).
    pub chapter: u32,
    /// How often a sentence carries a citation; front matter cites less.
    pub cite_rate: f64,
}

impl Writer<'_> {
    // ---- noun phrases -------------------------------------------------------------------

    fn pool_np(&mut self, pool: &[Noun], plural_ok: bool, modify: bool) -> Np {
        let n = self.rng.pick(pool);
        let plural = plural_ok && !n.pl.is_empty() && self.rng.chance(0.4);
        let countable = !n.pl.is_empty();
        let (det, bare_adj) = if plural {
            (
                *self
                    .rng
                    .pick(&["de", "", "veel", "deze", "sommige", "alle", "de meeste", ""]),
                false,
            )
        } else if n.het {
            let d = if countable {
                self.rng.choose(&["het", "het", "een", "dit", "elk"])
            } else {
                self.rng.choose(&["het", "het", "dit"])
            };
            (d, d == "een" || d == "elk")
        } else if countable {
            (self.rng.choose(&["de", "de", "een", "deze", "elke"]), false)
        } else {
            (self.rng.choose(&["de", "de", "de", "deze"]), false)
        };
        let mut text = String::from(det);
        if self.rng.chance(0.3) {
            let adj = self.rng.pick(vocab::ADJECTIVES);
            push_word(&mut text, if bare_adj { adj.base } else { adj.infl });
        }
        push_word(&mut text, if plural { n.pl } else { n.sg });
        if modify && self.rng.chance(0.25) {
            if self.rng.chance(0.5) {
                let inner = self.definite(vocab::CLIENTS);
                push_word(&mut text, &format!("van {inner}"));
            } else {
                push_word(&mut text, self.rng.choose(vocab::ADJUNCTS));
            }
        }
        Np { text, plural }
    }

    /// "de ouders", "het gezin": a short definite phrase for inside another phrase.
    fn definite(&mut self, pool: &[Noun]) -> String {
        let n = self.rng.pick(pool);
        if !n.pl.is_empty() && self.rng.chance(0.5) {
            format!("de {}", n.pl)
        } else {
            format!("{} {}", if n.het { "het" } else { "de" }, n.sg)
        }
    }

    /// A noun without article, plural when it has one: "netwerken", "coördinatie".
    pub fn bare(&mut self, pool: &[Noun]) -> String {
        let n = self.rng.pick(pool);
        if n.pl.is_empty() { n.sg } else { n.pl }.to_string()
    }

    /// A noun phrase from the subject matter, for titles and table cells.
    pub fn topic_np(&mut self) -> String {
        self.pool_np(vocab::THINGS, true, true).text
    }

    pub fn client_np(&mut self) -> String {
        self.pool_np(vocab::CLIENTS, true, false).text
    }

    fn object(&mut self, actor_verb: bool) -> Np {
        let clients = if actor_verb { 0.3 } else { 0.4 };
        if self.rng.chance(clients) {
            self.pool_np(vocab::CLIENTS, true, false)
        } else {
            self.pool_np(vocab::THINGS, true, true)
        }
    }

    /// A section heading: "De rol van de wijkcoach", "Netwerken en veerkracht",
    /// "Wat maakt een programma effectief?".
    pub fn section_title(&mut self) -> String {
        match self.rng.below(6) {
            0 => {
                let pool = if self.rng.chance(0.5) {
                    vocab::ACTORS
                } else {
                    vocab::THINGS
                };
                format!("De rol van {}", self.definite(pool))
            }
            1 => format!(
                "{} en {}",
                capitalize(&self.bare(vocab::THINGS)),
                self.bare(vocab::THINGS)
            ),
            2 => capitalize(&self.adjective_bare()),
            3 => format!(
                "{} {}",
                capitalize(&self.bare(vocab::THINGS)),
                self.rng.choose(vocab::ADJUNCTS)
            ),
            4 => {
                let np = self.pool_np(vocab::THINGS, false, false).text;
                let adj = self.rng.choose(&[
                    "effectief",
                    "werkzaam",
                    "haalbaar",
                    "duurzaam",
                    "kwetsbaar",
                ]);
                format!("Wat maakt {np} {adj}?")
            }
            _ => format!(
                "Van {} naar {}",
                self.bare(vocab::THINGS),
                self.bare(vocab::THINGS)
            ),
        }
    }

    /// An adjective and a noun without article: "preventief beleid", "sterke netwerken".
    fn adjective_bare(&mut self) -> String {
        let n = self.rng.pick(vocab::THINGS);
        let adj = self.rng.pick(vocab::ADJECTIVES);
        if !n.pl.is_empty() {
            format!("{} {}", adj.infl, n.pl)
        } else if n.het {
            format!("{} {}", adj.base, n.sg)
        } else {
            format!("{} {}", adj.infl, n.sg)
        }
    }

    /// The title of a kader that is not a case.
    pub fn kader_title(&mut self) -> String {
        match self.rng.below(3) {
            0 => format!("Uit de praktijk: {}", self.bare(vocab::THINGS)),
            1 => format!("Onderzoek naar {}", self.bare(vocab::THINGS)),
            _ => capitalize(&self.adjective_bare()),
        }
    }

    // ---- clauses -------------------------------------------------------------------------

    /// Subject, verb and object of one clause, drawn so that they fit together.
    fn clause(&mut self) -> Clause {
        let actor = self.rng.chance(0.6);
        let verb = if actor {
            self.rng.pick(vocab::ACTOR_VERBS)
        } else {
            self.rng.pick(vocab::THING_VERBS)
        };
        let subject = if actor {
            self.pool_np(vocab::ACTORS, true, false)
        } else {
            self.pool_np(vocab::THINGS, true, true)
        };
        let object = self.object(actor);
        let adverb = self
            .rng
            .chance(0.4)
            .then(|| self.rng.choose(vocab::ADVERBS));
        let adjunct = self
            .rng
            .chance(0.2)
            .then(|| self.rng.choose(vocab::ADJUNCTS));
        Clause {
            subject,
            verb,
            object,
            adverb,
            adjunct,
        }
    }

    /// One sentence of ordinary prose, without the final full stop.
    fn plain_sentence(&mut self, line: &mut Line) {
        let frame = self.rng.weighted(&[18, 14, 10, 10, 8, 8, 6, 10, 8, 6, 2]);
        match frame {
            0 => {
                let c = self.clause();
                line.word(&c.subject.text);
                line.word(&c.main_rest());
            }
            1 => {
                let c = self.clause();
                line.word(self.rng.choose(vocab::FRONTS));
                line.word(c.finite());
                line.word(&c.subject.text);
                line.word(&c.tail());
            }
            2 => {
                let sub = self.clause();
                let main = self.clause();
                line.word(self.rng.choose(vocab::SUBORDINATORS));
                line.word(&sub.subordinate());
                line.punct(",");
                line.word(main.finite());
                line.word(&main.subject.text);
                line.word(&main.tail());
            }
            3 => {
                let main = self.clause();
                let sub = self.clause();
                line.word(&main.subject.text);
                line.word(&main.main_rest());
                line.punct(",");
                line.word(
                    self.rng
                        .choose(&["omdat", "terwijl", "doordat", "zodat", "wanneer"]),
                );
                line.word(&sub.subordinate());
            }
            4 => {
                let a = self.clause();
                let b = self.clause();
                line.word(&a.subject.text);
                line.word(&a.main_rest());
                line.punct(",");
                line.word(self.rng.choose(&["maar", "en", "want", "maar"]));
                line.word(&b.subject.text);
                line.word(&b.main_rest());
            }
            5 => {
                let s = self.pool_np(vocab::THINGS, true, true);
                line.word(&s.text);
                line.word(if s.plural { "zijn" } else { "is" });
                // "mede" needs a verb of doing; it cannot qualify "is".
                let adverb = self.rng.choose(vocab::ADVERBS);
                if adverb != "mede" && self.rng.chance(0.5) {
                    line.word(adverb);
                }
                line.word(self.rng.choose(vocab::PREDICATES));
                if self.rng.chance(0.6) {
                    let o = self.pool_np(vocab::CLIENTS, true, false);
                    line.word(&format!("voor {}", o.text));
                }
            }
            6 => {
                let verb = loop {
                    let v = self.rng.pick(vocab::ACTOR_VERBS);
                    if v.prep.is_empty() || self.rng.chance(0.5) {
                        break v;
                    }
                };
                let o = self.object(true);
                line.word("het is");
                if self.rng.chance(0.4) {
                    line.word(self.rng.choose(&["daarom", "dus", "vaak", "juist"]));
                }
                line.word(self.rng.choose(vocab::PURPOSE_PREDICATES));
                line.word("om");
                line.word(&to_infinitive(verb, &o.text));
            }
            7 => {
                let c = self.clause();
                line.word(self.rng.choose(vocab::REPORTERS));
                line.word("dat");
                line.word(&c.subordinate());
            }
            8 => {
                let c = self.clause();
                line.word(&c.subject.text);
                let modal =
                    self.rng
                        .choose(&[("kan", "kunnen"), ("moet", "moeten"), ("zal", "zullen")]);
                line.word(if c.subject.plural { modal.1 } else { modal.0 });
                line.word(&c.modal_rest());
            }
            9 => {
                let c = loop {
                    let c = self.clause();
                    if !c.verb.pp.is_empty() {
                        break c;
                    }
                };
                line.word(&c.object.text);
                line.word(if c.object.plural { "worden" } else { "wordt" });
                if let Some(a) = c.adverb {
                    line.word(a);
                }
                line.word(&format!("door {}", c.subject.text));
                line.word(c.verb.pp);
            }
            _ => {
                let c = self.clause();
                line.word(self.rng.choose(&["hoe", "waarom", "in hoeverre"]));
                if self.rng.chance(0.5) {
                    line.word(c.finite());
                    line.word(&c.subject.text);
                    line.word(&c.tail());
                } else {
                    line.word(&c.subordinate());
                }
                line.stop("?");
            }
        }
    }

    /// A full sentence, sometimes with a citation, returned as its own line.
    pub fn sentence(&mut self) -> Line {
        let mut line = Line::new();
        if self.rng.chance(0.025) {
            line.word(self.rng.choose(vocab::ASIDES));
            line.stop("");
            return line;
        }
        if self.rng.chance(self.cite_rate * 0.3) {
            self.narrative_sentence(&mut line);
        } else {
            self.plain_sentence(&mut line);
            if !line.at_sentence_start() && self.rng.chance(self.cite_rate) {
                let cite = self.parenthetical();
                line.inline(cite);
            }
        }
        if !line.at_sentence_start() {
            line.stop(".");
        }
        line
    }

    /// "Volgens Jansen (2019) …" or "Jansen (2019) laat zien dat …".
    fn narrative_sentence(&mut self, line: &mut Line) {
        let key = self.deck.draw(&mut self.rng);
        let cite = Inline::Cite(Cite {
            items: vec![CiteItem { key, locator: None }],
            narrative: true,
        });
        let c = self.clause();
        if self.rng.chance(0.5) {
            line.word("volgens");
            line.inline(cite);
            line.word(c.finite());
            line.word(&c.subject.text);
            line.word(&c.tail());
        } else {
            line.inline(cite);
            line.word(self.rng.choose(&[
                "laat zien dat",
                "wijst erop dat",
                "stelt dat",
                "concludeert dat",
                "beschrijft hoe",
                "benadrukt dat",
            ]));
            line.word(&c.subordinate());
        }
    }

    /// `[@a]`, `[@a; @b]` or `[@a, p. 12]`.
    pub fn parenthetical(&mut self) -> Inline {
        let n = [1, 1, 1, 1, 2, 2, 3][self.rng.below(7)];
        let mut items: Vec<CiteItem> = Vec::new();
        for _ in 0..n {
            let mut key = self.deck.draw(&mut self.rng);
            for _ in 0..4 {
                if !items.iter().any(|i| i.key == key) {
                    break;
                }
                key = self.deck.draw(&mut self.rng);
            }
            if items.iter().any(|i| i.key == key) {
                continue;
            }
            let locator = self.rng.chance(0.15).then(|| {
                let p = self.rng.range(3, 380);
                if self.rng.chance(0.7) {
                    format!("p. {p}")
                } else {
                    format!("pp. {p}-{}", p + self.rng.range(1, 12))
                }
            });
            items.push(CiteItem { key, locator });
        }
        Inline::Cite(Cite {
            items,
            narrative: false,
        })
    }

    // ---- cross-references ----------------------------------------------------------------

    /// Chooses something to refer to: often in the same chapter, otherwise anywhere.
    fn pick_target(&mut self, kind: Kind) -> Option<Target> {
        let here = self.rng.chance(0.45);
        let of_kind = |t: &&Target| t.kind == kind;
        let local: Vec<&Target> = self
            .targets
            .iter()
            .filter(of_kind)
            .filter(|t| t.chapter == self.chapter)
            .collect();
        if here && !local.is_empty() {
            return Some((*self.rng.pick(&local)).clone());
        }
        let all: Vec<&Target> = self.targets.iter().filter(of_kind).collect();
        (!all.is_empty()).then(|| (*self.rng.pick(&all)).clone())
    }

    fn reference(&mut self, t: Target, cap: bool) -> Inline {
        let style = if t.labelled && self.rng.chance(0.75) {
            RefStyle::Label
        } else {
            RefStyle::Spelled
        };
        Inline::Ref(Ref {
            kind: t.kind,
            id: t.id,
            number: t.number,
            style,
            cap,
        })
    }

    /// A sentence that points elsewhere in the book, or `None` when there is nothing to point at.
    pub fn reference_sentence(&mut self) -> Option<Line> {
        let kind = [
            Kind::Section,
            Kind::Section,
            Kind::Section,
            Kind::Section,
            Kind::Chapter,
            Kind::Table,
            Kind::Kader,
            Kind::Figure,
        ][self.rng.below(8)];
        let t = self.pick_target(kind)?;
        let mut line = Line::new();
        match (kind, self.rng.below(4)) {
            (Kind::Table, 0 | 1) => {
                line.word("in");
                let r = self.reference(t, false);
                line.inline(r);
                line.word("staat een overzicht van");
                line.word(&self.topic_np());
            }
            (Kind::Table, _) => {
                let r = self.reference(t, true);
                line.inline(r);
                line.word("vat de belangrijkste kenmerken samen");
            }
            (Kind::Kader, 0 | 1) => {
                let r = self.reference(t, true);
                line.inline(r);
                line.word("geeft daarvan een voorbeeld uit de praktijk");
            }
            (Kind::Figure, 0 | 1) => {
                let r = self.reference(t, true);
                line.inline(r);
                line.word("brengt dit in beeld");
            }
            (Kind::Section, 0) if t.labelled => {
                // Two sections by number only: "de paragrafen 3.2.1 en 4.1".
                let u = self
                    .pick_target(Kind::Section)
                    .filter(|u| u.labelled && u.id != t.id)?;
                line.word("zie voor de achtergrond de paragrafen");
                for (i, x) in [t, u].into_iter().enumerate() {
                    if i == 1 {
                        line.word("en");
                    }
                    line.inline(Inline::Ref(Ref {
                        kind: Kind::Section,
                        id: x.id,
                        number: x.number,
                        style: RefStyle::NumberOnly,
                        cap: false,
                    }));
                }
            }
            (_, 1) => {
                let r = self.reference(t, true);
                line.inline(r);
                line.word("gaat hier dieper op in");
            }
            (_, 2) => {
                line.word("dit hangt samen met wat in");
                let r = self.reference(t, false);
                line.inline(r);
                line.word("aan de orde komt");
            }
            _ => {
                line.word("zie ook");
                let r = self.reference(t, false);
                line.inline(r);
            }
        }
        line.stop(".");
        Some(line)
    }

    // ---- paragraphs ----------------------------------------------------------------------

    /// A paragraph of about `words` words. `notes` allows a footnote; `refs` is the chance
    /// of a cross-reference.
    pub fn paragraph(&mut self, words: usize, notes: bool, refs: f64) -> Vec<Inline> {
        let mut p = Line::new();
        let ref_at = self.rng.chance(refs).then(|| self.rng.range(1, 4));
        let note_at = (notes && self.rng.chance(0.07)).then(|| self.rng.range(2, 5));
        let mut n = 0;
        while p.words < words {
            n += 1;
            if ref_at == Some(n)
                && let Some(r) = self.reference_sentence()
            {
                p.append(r);
                continue;
            }
            let s = self.sentence();
            p.append(s);
            if note_at == Some(n) {
                p.attach(Inline::Note(self.note()));
            }
        }
        p.parts
    }

    fn note(&mut self) -> Vec<Inline> {
        let mut l = Line::new();
        if self.rng.chance(0.4) {
            l.word("zie voor een kritische bespreking ook");
            let c = self.parenthetical();
            l.inline(c);
            l.stop(".");
        } else {
            for _ in 0..self.rng.range(1, 2) {
                let s = self.sentence();
                l.append(s);
            }
        }
        l.parts
    }

    /// A paragraph without citations or references (summaries, kaders, quotes).
    pub fn quiet_paragraph(&mut self, words: usize) -> Vec<Inline> {
        let rate = std::mem::replace(&mut self.cite_rate, 0.0);
        let mut p = Line::new();
        while p.words < words {
            let s = self.sentence();
            p.append(s);
        }
        self.cite_rate = rate;
        p.parts
    }

    /// A list item as a fragment: "de rol van de ouders in de wijk;".
    pub fn fragment(&mut self, last: bool) -> Vec<Inline> {
        let mut l = Line::new();
        l.cap_next = false;
        let np = if self.rng.chance(0.3) {
            self.client_np()
        } else {
            self.topic_np()
        };
        l.word(&np);
        if self.rng.chance(0.3) {
            l.word(self.rng.choose(vocab::ADJUNCTS));
        }
        l.stop(if last { "." } else { ";" });
        l.parts
    }

    /// A list item with a bold lead-in: "**Netwerken.** De gemeente …".
    pub fn lead_in_item(&mut self) -> Vec<Inline> {
        let lead = capitalize(&self.bare(vocab::THINGS));
        let mut l = Line::new();
        l.inline(Inline::Strong(format!("{lead}.")));
        l.stop("");
        let s = self.sentence();
        l.append(s);
        l.parts
    }

    /// One sentence about a case: "Sanne is moeder van twee kinderen en woont in …".
    pub fn case_opening(&mut self, name: &str, female: bool) -> Vec<Inline> {
        let mut l = Line::new();
        let parent = if female { "moeder" } else { "vader" };
        let kids = self
            .rng
            .choose(&["één kind", "twee kinderen", "drie kinderen", "een tweeling"]);
        let place = self.rng.choose(&[
            "een nieuwbouwwijk aan de rand van de stad",
            "een dorp met weinig voorzieningen",
            "een oudere wijk met veel sociale huurwoningen",
            "een flat vlak bij het centrum",
            "een middelgrote gemeente in het oosten van het land",
        ]);
        l.word(&format!(
            "{name} is {parent} van {kids} en woont in {place}"
        ));
        l.stop(".");
        let (pron, poss) = if female {
            ("zij", "haar")
        } else {
            ("hij", "zijn")
        };
        let worry = self.topic_np();
        l.word(&format!(
            "Sinds enige tijd maakt {pron} zich zorgen over {worry}, en {poss} netwerk is klein"
        ));
        l.stop(".");
        let s = self.sentence();
        l.append(s);
        l.parts
    }

    /// A question for the end of a chapter.
    pub fn question(&mut self, kader: Option<Target>) -> Vec<Inline> {
        let mut l = Line::new();
        match (kader, self.rng.below(4)) {
            (Some(k), 0) => {
                l.word("lees");
                let r = self.reference(k, false);
                l.inline(r);
                l.word("opnieuw");
                l.stop(".");
                l.word("welke factoren herken je, en wat zou jij als eerste doen");
                l.stop("?");
            }
            (_, 0 | 1) => {
                let a = self.topic_np();
                let b = self.client_np();
                l.word(&format!("welke rol speelt {a} bij {b}"));
                l.stop("?");
            }
            (_, 2) => {
                let a = self.topic_np();
                let b = self.topic_np();
                l.word(&format!("vergelijk {a} met {b}"));
                l.stop(".");
                l.word("wat valt je op");
                l.stop("?");
            }
            _ => {
                let c = self.clause();
                l.word("geef een voorbeeld uit je stage waarin");
                l.word(&c.subordinate());
                l.stop(".");
            }
        }
        l.parts
    }
}

/// One clause's parts, ready to be put in main-clause or subordinate order.
struct Clause {
    subject: Np,
    verb: &'static Verb,
    object: Np,
    adverb: Option<&'static str>,
    adjunct: Option<&'static str>,
}

impl Clause {
    fn finite(&self) -> &'static str {
        if self.subject.plural {
            self.verb.pl
        } else {
            self.verb.sg
        }
    }

    /// Everything after the finite verb in a main clause: adverb, object, particle.
    /// "vaak het aanbod in de wijk af", "vooral samen met scholen".
    fn tail(&self) -> String {
        let mut s = String::new();
        if let Some(a) = self.adverb {
            push_word(&mut s, a);
        }
        let sep = self.verb.sep.trim();
        if self.verb.prep.is_empty() {
            push_word(&mut s, &self.object.text);
            if let Some(j) = self.adjunct {
                push_word(&mut s, j);
            }
            push_word(&mut s, sep);
        } else {
            push_word(&mut s, sep);
            push_word(&mut s, self.verb.prep);
            push_word(&mut s, &self.object.text);
            if let Some(j) = self.adjunct {
                push_word(&mut s, j);
            }
        }
        s
    }

    /// Verb and tail of a main clause in subject-first order.
    fn main_rest(&self) -> String {
        format!("{} {}", self.finite(), self.tail())
    }

    /// A subordinate clause, verb last: "de gemeente vaak met scholen samenwerkt".
    fn subordinate(&self) -> String {
        let mut s = self.subject.text.clone();
        if let Some(a) = self.adverb {
            push_word(&mut s, a);
        }
        push_word(&mut s, self.verb.prep);
        push_word(&mut s, &self.object.text);
        if let Some(j) = self.adjunct {
            push_word(&mut s, j);
        }
        push_word(&mut s, &format!("{}{}", self.verb.sep, self.finite()));
        s
    }

    /// After a modal verb: "het aanbod beter afstemmen".
    fn modal_rest(&self) -> String {
        let mut s = String::new();
        if let Some(a) = self.adverb {
            push_word(&mut s, a);
        }
        push_word(&mut s, self.verb.prep);
        push_word(&mut s, &self.object.text);
        if let Some(j) = self.adjunct {
            push_word(&mut s, j);
        }
        push_word(&mut s, &format!("{}{}", self.verb.sep, self.verb.pl));
        s
    }
}

/// "het aanbod af te stemmen", "met scholen samen te werken".
fn to_infinitive(v: &Verb, object: &str) -> String {
    let mut s = String::new();
    push_word(&mut s, v.prep);
    push_word(&mut s, object);
    push_word(&mut s, v.sep.trim());
    push_word(&mut s, "te");
    push_word(&mut s, v.pl);
    s
}

/// Appends a word with a single space, skipping empty words.
fn push_word(s: &mut String, w: &str) {
    if w.is_empty() {
        return;
    }
    if !s.is_empty() {
        s.push(' ');
    }
    s.push_str(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(targets: &[Target]) -> Writer<'_> {
        let mut rng = Rng::new(3);
        let keys = std::rc::Rc::new(vec!["jansen2019".to_string()]);
        let deck = CiteDeck::new(keys.to_vec(), keys, &mut rng);
        Writer {
            rng,
            deck,
            targets,
            chapter: 1,
            cite_rate: 0.2,
        }
    }

    #[test]
    fn sentences_are_capitalised_and_closed() {
        let mut w = writer(&[]);
        for _ in 0..200 {
            let l = w.sentence();
            let Some(Inline::Text(t)) = l.parts.first() else {
                continue;
            };
            assert!(t.chars().next().unwrap().is_uppercase(), "{t}");
            let Some(Inline::Text(end)) = l.parts.last() else {
                panic!("sentence ends in an inline")
            };
            assert!(end.ends_with(['.', '?']), "{end}");
        }
    }

    #[test]
    fn separable_verbs_split_in_main_clauses() {
        let c = Clause {
            subject: Np {
                text: "de gemeente".into(),
                plural: false,
            },
            verb: vocab::ACTOR_VERBS.iter().find(|v| v.sg == "stemt").unwrap(),
            object: Np {
                text: "het aanbod".into(),
                plural: false,
            },
            adverb: Some("vaak"),
            adjunct: None,
        };
        assert_eq!(c.main_rest(), "stemt vaak het aanbod af");
        assert_eq!(c.subordinate(), "de gemeente vaak het aanbod afstemt");
        assert_eq!(
            to_infinitive(c.verb, "het aanbod"),
            "het aanbod af te stemmen"
        );
    }
}
