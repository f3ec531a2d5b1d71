//! The bibliography: a few hundred fictitious works of the kinds a Dutch textbook cites
//! (journal articles, books, chapters in edited books, reports by organisations, web pages),
//! written as CSL-YAML for druk and Pandoc and as Hayagriva YAML for Typst.
//!
//! The same first author often has several works in one year, as in real reference lists,
//! so the year letters (2019a, 2019b) that APA needs are exercised too.

use crate::prose::capitalize;
use crate::rng::Rng;
use crate::vocab;
use std::collections::HashSet;
use std::fmt::Write;

pub struct Name {
    /// "van den", "de" or empty: kept apart because CSL sorts on the family name.
    pub particle: &'static str,
    pub family: &'static str,
    /// Initials: "M. J."
    pub given: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Article,
    Book,
    Chapter,
    Report,
    Web,
}

pub struct Entry {
    pub key: String,
    pub kind: Type,
    pub authors: Vec<Name>,
    /// An organisation as author (reports, web pages).
    pub org: Option<&'static str>,
    /// The editors of the book a chapter appears in.
    pub editors: Vec<Name>,
    pub year: Option<u32>,
    pub title: String,
    /// The journal, or the edited book of a chapter.
    pub container: Option<String>,
    pub volume: Option<u32>,
    pub issue: Option<u32>,
    pub pages: Option<(u32, u32)>,
    pub publisher: Option<(&'static str, &'static str)>,
    pub url: Option<String>,
}

/// Family names with their particle, as Dutch reference lists have them.
const FAMILIES: &[(&str, &str)] = &[
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("de", "Jong"),
    ("van der", "Heijden"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("van de", "Ven"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("van", "Dam"),
    ("van der", "Wal"),
    ("", "Prins"),
    ("", "Blom"),
    ("", "Huisman"),
    ("", "Peeters"),
    ("", "Kuipers"),
    ("", "Veenstra"),
    ("", "Kramer"),
    ("van den", "Brink"),
    ("", "Scholten"),
    ("van", "Wijk"),
    ("", "Postma"),
    ("", "Martens"),
    ("", "Vink"),
    ("de", "Ruiter"),
    ("", "Timmermans"),
    ("", "Groen"),
    ("", "Gerritsen"),
    ("", "Jonker"),
    ("van", "Loon"),
    ("", "Willemsen"),
    ("", "Smeets"),
    ("de", "Lange"),
    ("", "Bosch"),
    ("van", "Dongen"),
    ("", "Schipper"),
    ("de", "Koning"),
    ("van der", "Laan"),
    ("", "Driessen"),
    ("van", "Doorn"),
    ("", "Hermans"),
    ("", "Evers"),
    ("van der", "Meulen"),
    ("", "Hofman"),
    ("", "Bosman"),
    ("", "Wolters"),
    ("", "Sanders"),
    ("van der", "Horst"),
    ("", "Kooistra"),
    ("", "Bouwman"),
    ("", "Öztürk"),
    ("", "Yılmaz"),
    ("", "El Amrani"),
    ("", "Bouzid"),
    ("", "Şahin"),
    ("", "Benali"),
    ("", "Nguyen"),
    ("", "Kowalski"),
    ("", "Müller"),
    ("", "Schmidt"),
    ("", "Smith"),
    ("", "Johnson"),
    ("", "Williams"),
    ("", "Brown"),
    ("", "Taylor"),
    ("", "Anderson"),
    ("", "Thompson"),
    ("", "García"),
    ("", "Rossi"),
    ("", "Nielsen"),
    ("", "Andersson"),
    ("", "O'Brien"),
    ("", "Dubois"),
    ("", "Hansen"),
    ("", "Lefèvre"),
];

/// Organisations that publish reports and web pages (all fictitious).
const ORGS: &[(&str, &str)] = &[
    // (name, key stem)
    ("Landelijk Kenniscentrum Opvoeden", "kenniscentrum"),
    ("Stichting Opvoedwijzer", "opvoedwijzer"),
    ("Platform Wijkteams Nederland", "platformwijkteams"),
    ("Adviesraad Jeugd en Gezin", "adviesraad"),
    ("Monitorcentrum Jeugd", "monitorcentrum"),
    ("Vereniging van Jeugdprofessionals", "jeugdprofessionals"),
    ("Netwerk Gezonde Start", "gezondestart"),
];

const PUBLISHERS: &[(&str, &str)] = &[
    ("Uitgeverij Voorbeeld", "Amsterdam"),
    ("Kennisplein Pers", "Utrecht"),
    ("Uitgeverij Het Kompas", "Nijmegen"),
    ("Academische Uitgeverij Noord", "Groningen"),
    ("Harbour Academic Press", "London"),
    ("Meridian University Press", "New York"),
];

const JOURNALS_NL: &[&str] = &[
    "Tijdschrift voor Opvoeding en Gezin",
    "Jeugd en Samenleving",
    "Pedagogisch Tijdschrift voor de Praktijk",
    "Tijdschrift voor Wijk en Welzijn",
    "Kind en Omgeving",
    "Tijdschrift voor Jeugdzorgonderzoek",
];

const JOURNALS_EN: &[&str] = &[
    "Journal of Family Support Research",
    "Child and Family Prevention Review",
    "European Journal of Parenting Studies",
    "International Journal of Child Welfare Practice",
    "Early Development Quarterly",
];

const EN_SUBJECTS: &[&str] = &[
    "Parenting support",
    "Home visiting",
    "Early childhood development",
    "Family resilience",
    "Child maltreatment prevention",
    "Parental sensitivity",
    "Community-based prevention",
    "Attachment security",
    "Coercive family interaction",
    "Neighbourhood effects",
    "Integrated youth care",
    "Universal parenting programmes",
    "Professional judgement",
    "Parental stress",
    "Social support networks",
    "School-family partnerships",
    "Father involvement",
    "Adolescent wellbeing",
    "Child poverty",
    "Video feedback interventions",
];

const EN_OBJECTS: &[&str] = &[
    "child behaviour problems",
    "maternal wellbeing",
    "language development",
    "school readiness",
    "family functioning",
    "service use",
    "parental self-efficacy",
    "emotional regulation",
    "peer relations",
    "help-seeking",
];

const EN_CONTEXTS: &[&str] = &[
    "the Netherlands",
    "disadvantaged neighbourhoods",
    "primary care",
    "early childhood",
    "families with young children",
    "adolescence",
    "migrant families",
    "local youth policy",
];

const EN_DESIGNS: &[&str] = &[
    "A systematic review",
    "A meta-analysis",
    "A randomized controlled trial",
    "A longitudinal study",
    "A qualitative study",
    "A cohort study",
    "Findings from a national survey",
];

const NL_DESIGNS: &[&str] = &[
    "een verkennend onderzoek",
    "een literatuurstudie",
    "ervaringen uit de praktijk",
    "een handreiking voor professionals",
    "resultaten van een landelijke monitor",
    "een evaluatieonderzoek",
    "een meervoudige casestudy",
];

/// `n` entries with unique keys, sorted by key.
pub fn generate(rng: &mut Rng, n: usize) -> Vec<Entry> {
    let mut keys = HashSet::new();
    let mut out: Vec<Entry> = (0..n).map(|_| entry(rng, &mut keys)).collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn entry(rng: &mut Rng, keys: &mut HashSet<String>) -> Entry {
    let kind = [
        Type::Article,
        Type::Book,
        Type::Chapter,
        Type::Report,
        Type::Web,
    ][rng.weighted(&[45, 22, 15, 12, 6])];
    let year = if rng.chance(0.55) {
        2010 + rng.below(16) as u32
    } else {
        1978 + rng.below(48) as u32
    };
    let (authors, org) = match kind {
        Type::Report | Type::Web => (Vec::new(), Some(rng.choose(ORGS).0)),
        _ => {
            let n = [1, 1, 2, 2, 3, 3, 4, 6][rng.below(8)];
            (names(rng, n), None)
        }
    };
    let english = rng.chance(0.45);
    let title = match kind {
        Type::Book => book_title(rng, english),
        _ => work_title(rng, english),
    };
    let undated = kind == Type::Web && rng.chance(0.5);
    let stem = match org {
        Some(o) => ORGS
            .iter()
            .find(|(n, _)| *n == o)
            .map(|(_, s)| *s)
            .unwrap_or("org")
            .to_string(),
        None => fold(authors[0].family),
    };
    let key = unique_key(
        keys,
        &format!(
            "{stem}{}",
            if undated {
                "nd".to_string()
            } else {
                year.to_string()
            }
        ),
    );
    let mut e = Entry {
        key,
        kind,
        authors,
        org,
        editors: Vec::new(),
        year: (!undated).then_some(year),
        title,
        container: None,
        volume: None,
        issue: None,
        pages: None,
        publisher: None,
        url: None,
    };
    match kind {
        Type::Article => {
            e.container = Some(
                if english {
                    rng.choose(JOURNALS_EN)
                } else {
                    rng.choose(JOURNALS_NL)
                }
                .to_string(),
            );
            e.volume = Some((year.saturating_sub(1975)).max(1));
            e.issue = Some(rng.range(1, 4) as u32);
            let first = rng.range(1, 600) as u32;
            e.pages = Some((first, first + rng.range(8, 24) as u32));
        }
        Type::Book => e.publisher = Some(rng.choose(PUBLISHERS)),
        Type::Chapter => {
            e.container = Some(book_title(rng, english));
            let n = rng.range(1, 3);
            e.editors = names(rng, n);
            e.publisher = Some(rng.choose(PUBLISHERS));
            let first = rng.range(1, 300) as u32;
            e.pages = Some((first, first + rng.range(12, 30) as u32));
        }
        Type::Report => e.publisher = Some((org.unwrap_or("Uitgeverij Voorbeeld"), "Utrecht")),
        Type::Web => {
            e.url = Some(format!(
                "https://www.example.org/{}",
                slug_words(&e.title, 5)
            ))
        }
    }
    e
}

/// `n` people with different family names, as co-authors are.
fn names(rng: &mut Rng, n: usize) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::with_capacity(n);
    while out.len() < n {
        let candidate = name(rng);
        if out.iter().all(|o| o.family != candidate.family) {
            out.push(candidate);
        }
    }
    out
}

fn name(rng: &mut Rng) -> Name {
    let (particle, family) = rng.choose(FAMILIES);
    let initials = "ABCDEFGHIJKLMNPRSTVW".as_bytes();
    let mut given = String::new();
    for i in 0..rng.range(1, 2) {
        if i > 0 {
            given.push(' ');
        }
        given.push(rng.choose(initials) as char);
        given.push('.');
    }
    Name {
        particle,
        family,
        given,
    }
}

fn unique_key(keys: &mut HashSet<String>, base: &str) -> String {
    let mut key = base.to_string();
    let mut letter = b'b';
    while !keys.insert(key.clone()) {
        key = format!("{base}{}", letter as char);
        letter += 1;
    }
    key
}

fn work_title(rng: &mut Rng, english: bool) -> String {
    if english {
        let s = rng.choose(EN_SUBJECTS);
        match rng.below(5) {
            0 => format!(
                "{s} and {}: {}",
                rng.choose(EN_OBJECTS),
                rng.choose(EN_DESIGNS)
            ),
            1 => format!(
                "Effects of {} on {}",
                s.to_lowercase(),
                rng.choose(EN_OBJECTS)
            ),
            2 => format!(
                "{s} in {}: {}",
                rng.choose(EN_CONTEXTS),
                rng.choose(EN_DESIGNS)
            ),
            3 => format!(
                "The role of {} in {}",
                s.to_lowercase(),
                rng.choose(EN_OBJECTS)
            ),
            _ => format!(
                "What works in {}? {}",
                s.to_lowercase(),
                rng.choose(EN_DESIGNS)
            ),
        }
    } else {
        let a = bare(rng);
        let b = bare(rng);
        match rng.below(4) {
            0 => format!("{} en {b}: {}", capitalize(&a), rng.choose(NL_DESIGNS)),
            1 => format!("Van {a} naar {b}: {}", rng.choose(NL_DESIGNS)),
            2 => format!(
                "{} {}: {}",
                capitalize(&a),
                rng.choose(vocab::ADJUNCTS),
                rng.choose(NL_DESIGNS)
            ),
            _ => format!("Over {a} en {b}"),
        }
    }
}

fn book_title(rng: &mut Rng, english: bool) -> String {
    if english {
        match rng.below(3) {
            0 => format!("Handbook of {}", rng.choose(EN_SUBJECTS).to_lowercase()),
            1 => format!("{}: Theory, research and practice", rng.choose(EN_SUBJECTS)),
            _ => format!("{} in {}", rng.choose(EN_SUBJECTS), rng.choose(EN_CONTEXTS)),
        }
    } else {
        let a = bare(rng);
        match rng.below(3) {
            0 => format!("Handboek {a}"),
            1 => format!("{}: theorie en praktijk", capitalize(&a)),
            _ => format!("{} en {}", capitalize(&a), bare(rng)),
        }
    }
}

fn bare(rng: &mut Rng) -> String {
    let n = rng.pick(vocab::THINGS);
    if n.pl.is_empty() { n.sg } else { n.pl }.to_string()
}

/// A citation-key stem from a family name: "Öztürk" → "ozturk", "O'Brien" → "obrien".
pub fn fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                'á' | 'à' | 'ä' | 'â' => 'a',
                'é' | 'è' | 'ë' | 'ê' => 'e',
                'í' | 'ï' | 'ı' => 'i',
                'ó' | 'ö' | 'ô' => 'o',
                'ú' | 'ü' => 'u',
                'ş' => 's',
                'ç' => 'c',
                c => c,
            };
            c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase())
        })
        .collect()
}

/// A label or URL slug: folded, lower case, words joined by hyphens, at most `max` words.
pub fn slug_words(s: &str, max: usize) -> String {
    // "programma's" → "programmas", not "programma-s".
    s.replace(['\'', '’'], "")
        .split(|c: char| !c.is_alphanumeric())
        .map(fold)
        .filter(|w| !w.is_empty())
        .take(max)
        .collect::<Vec<_>>()
        .join("-")
}

/// A YAML scalar in single quotes: safe for every reader whatever the text holds.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// CSL-YAML with a top-level `references:` list, as druk and `pandoc --citeproc` read it.
pub fn csl_yaml(entries: &[Entry]) -> String {
    let mut o = String::from(
        "# Fictitious works, generated for druk's benchmark corpus (benches/corpus).\nreferences:\n",
    );
    for e in entries {
        let ty = match e.kind {
            Type::Article => "article-journal",
            Type::Book => "book",
            Type::Chapter => "chapter",
            Type::Report => "report",
            Type::Web => "webpage",
        };
        let _ = writeln!(o, "- id: {}\n  type: {ty}", e.key);
        if let Some(org) = e.org {
            let _ = writeln!(o, "  author:\n  - literal: {}", q(org));
        } else {
            csl_names(&mut o, "author", &e.authors);
        }
        csl_names(&mut o, "editor", &e.editors);
        if let Some(y) = e.year {
            let _ = writeln!(o, "  issued:\n    date-parts:\n    - [{y}]");
        }
        let _ = writeln!(o, "  title: {}", q(&e.title));
        if let Some(c) = &e.container {
            let _ = writeln!(o, "  container-title: {}", q(c));
        }
        if let Some(v) = e.volume {
            let _ = writeln!(o, "  volume: {v}");
        }
        if let Some(i) = e.issue {
            let _ = writeln!(o, "  issue: {i}");
        }
        if let Some((a, b)) = e.pages {
            let _ = writeln!(o, "  page: {a}-{b}");
        }
        if let Some((p, place)) = e.publisher {
            let _ = writeln!(o, "  publisher: {}\n  publisher-place: {}", q(p), q(place));
        }
        if let Some(u) = &e.url {
            let _ = writeln!(o, "  URL: {}", q(u));
        }
    }
    o
}

fn csl_names(o: &mut String, field: &str, names: &[Name]) {
    if names.is_empty() {
        return;
    }
    let _ = writeln!(o, "  {field}:");
    for n in names {
        let _ = writeln!(o, "  - family: {}\n    given: {}", q(n.family), q(&n.given));
        if !n.particle.is_empty() {
            let _ = writeln!(o, "    non-dropping-particle: {}", n.particle);
        }
    }
}

/// Hayagriva YAML for Typst's `#bibliography`. Particles stay in the family name, which is
/// how Dutch APA lists print them ("van Dijk, M.").
pub fn hayagriva_yaml(entries: &[Entry]) -> String {
    let mut o = String::from(
        "# Fictitious works, generated for druk's benchmark corpus (benches/corpus).\n",
    );
    for e in entries {
        let ty = match e.kind {
            Type::Article => "article",
            Type::Book => "book",
            Type::Chapter => "chapter",
            Type::Report => "report",
            Type::Web => "web",
        };
        let _ = writeln!(o, "{}:\n  type: {ty}\n  title: {}", e.key, q(&e.title));
        if let Some(org) = e.org {
            // The map form: a bare string would be parsed as "Given Family".
            let _ = writeln!(o, "  author:\n    - name: {}", q(org));
        } else {
            hayagriva_names(&mut o, "  ", "author", &e.authors);
        }
        if let Some(y) = e.year {
            let _ = writeln!(o, "  date: {y}");
        }
        if let Some((a, b)) = e.pages {
            let _ = writeln!(o, "  page-range: {a}-{b}");
        }
        if let Some(u) = &e.url {
            let _ = writeln!(o, "  url: {}", q(u));
        }
        match e.kind {
            Type::Article => {
                let _ = writeln!(
                    o,
                    "  parent:\n    type: periodical\n    title: {}\n    volume: {}\n    issue: {}",
                    q(e.container.as_deref().unwrap_or_default()),
                    e.volume.unwrap_or(1),
                    e.issue.unwrap_or(1)
                );
            }
            Type::Chapter => {
                let _ = writeln!(
                    o,
                    "  parent:\n    type: book\n    title: {}",
                    q(e.container.as_deref().unwrap_or_default())
                );
                hayagriva_names(&mut o, "    ", "editor", &e.editors);
                hayagriva_publisher(&mut o, "    ", e.publisher);
            }
            _ => hayagriva_publisher(&mut o, "  ", e.publisher),
        }
    }
    o
}

fn hayagriva_names(o: &mut String, indent: &str, field: &str, names: &[Name]) {
    if names.is_empty() {
        return;
    }
    let _ = writeln!(o, "{indent}{field}:");
    for n in names {
        let family = if n.particle.is_empty() {
            n.family.to_string()
        } else {
            format!("{} {}", n.particle, n.family)
        };
        let _ = writeln!(
            o,
            "{indent}  - name: {}\n{indent}    given-name: {}",
            q(&family),
            q(&n.given)
        );
    }
}

fn hayagriva_publisher(o: &mut String, indent: &str, p: Option<(&str, &str)>) {
    if let Some((name, place)) = p {
        let _ = writeln!(
            o,
            "{indent}publisher:\n{indent}  name: {}\n{indent}  location: {}",
            q(name),
            q(place)
        );
    }
}
