//! Per-language words: reference terms, generated headings, quotes, hyphenation language.

/// A language druk can print. The book's `language:` selects one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

/// What a cross-reference points at; decides the word printed before the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    Chapter,
    Section,
    Figure,
    Table,
    Kader,
}

impl RefKind {
    /// The label prefix an author writes (`@sec-…`); chapters share `sec-` with sections.
    pub fn from_label(label: &str) -> Option<RefKind> {
        let prefix = label.split_once('-')?.0;
        Some(match prefix {
            "sec" => RefKind::Section,
            "fig" => RefKind::Figure,
            "tbl" => RefKind::Table,
            "kader" | "box" => RefKind::Kader,
            _ => return None,
        })
    }
}

impl Lang {
    /// Accepts BCP 47 tags whose primary language druk knows (`nl`, `nl-BE`, `en-GB`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The word before a number, lower case ("paragraaf", "figure").
    pub fn term(self, kind: RefKind) -> &'static str {
        match (self, kind) {
            (Lang::Nl, RefKind::Chapter) => "hoofdstuk",
            (Lang::Nl, RefKind::Section) => "paragraaf",
            (Lang::Nl, RefKind::Figure) => "figuur",
            (Lang::Nl, RefKind::Table) => "tabel",
            (Lang::Nl, RefKind::Kader) => "kader",
            (Lang::En, RefKind::Chapter) => "chapter",
            (Lang::En, RefKind::Section) => "section",
            (Lang::En, RefKind::Figure) => "figure",
            (Lang::En, RefKind::Table) => "table",
            (Lang::En, RefKind::Kader) => "box",
        }
    }

    /// Words authors spell out before a number in running text; "par." is the common
    /// abbreviation in Dutch manuscripts.
    pub fn spelled_terms(self) -> &'static [(&'static str, RefKind)] {
        match self {
            Lang::Nl => &[
                ("hoofdstuk", RefKind::Chapter),
                ("paragraaf", RefKind::Section),
                ("par.", RefKind::Section),
                ("figuur", RefKind::Figure),
                ("fig.", RefKind::Figure),
                ("tabel", RefKind::Table),
                ("kader", RefKind::Kader),
            ],
            Lang::En => &[
                ("chapter", RefKind::Chapter),
                ("section", RefKind::Section),
                ("sec.", RefKind::Section),
                ("figure", RefKind::Figure),
                ("fig.", RefKind::Figure),
                ("table", RefKind::Table),
                ("box", RefKind::Kader),
            ],
        }
    }

    /// Joins the last two items of a list of references ("3.2 en 3.3").
    pub fn and(self) -> &'static str {
        match self {
            Lang::Nl => "en",
            Lang::En => "and",
        }
    }

    /// Marks the later parts of a table broken across pages, after its label.
    pub fn continued(self) -> &'static str {
        match self {
            Lang::Nl => "vervolg",
            Lang::En => "continued",
        }
    }

    /// The title of a GitHub alert (`> [!NOTE]`) that gives none of its own, by its type:
    /// note, tip, important, warning, caution.
    pub fn alert_title(self, kind: usize) -> &'static str {
        const NL: [&str; 5] = ["Opmerking", "Tip", "Belangrijk", "Waarschuwing", "Opgelet"];
        const EN: [&str; 5] = ["Note", "Tip", "Important", "Warning", "Caution"];
        match self {
            Lang::Nl => NL[kind.min(4)],
            Lang::En => EN[kind.min(4)],
        }
    }

    pub fn contents(self) -> &'static str {
        match self {
            Lang::Nl => "Inhoud",
            Lang::En => "Contents",
        }
    }

    pub fn references(self) -> &'static str {
        match self {
            Lang::Nl => "Literatuur",
            Lang::En => "References",
        }
    }

    pub fn title_page(self) -> &'static str {
        match self {
            Lang::Nl => "Titelpagina",
            Lang::En => "Title page",
        }
    }

    pub fn colophon(self) -> &'static str {
        match self {
            Lang::Nl => "Colofon",
            Lang::En => "Colophon",
        }
    }

    pub fn landmarks(self) -> &'static str {
        match self {
            Lang::Nl => "Oriëntatiepunten",
            Lang::En => "Landmarks",
        }
    }

    pub fn begin_reading(self) -> &'static str {
        match self {
            Lang::Nl => "Begin van de tekst",
            Lang::En => "Start of content",
        }
    }

    pub fn footnotes(self) -> &'static str {
        match self {
            Lang::Nl => "Noten",
            Lang::En => "Notes",
        }
    }

    pub fn back_to_text(self) -> &'static str {
        match self {
            Lang::Nl => "terug naar de tekst",
            Lang::En => "back to text",
        }
    }

    pub fn chapter_word(self) -> &'static str {
        match self {
            Lang::Nl => "Hoofdstuk",
            Lang::En => "Chapter",
        }
    }

    /// "7e druk" / "7th edition".
    pub fn edition(self, n: u32) -> String {
        match self {
            Lang::Nl => format!("{n}e druk"),
            Lang::En => {
                let suffix = match (n % 10, n % 100) {
                    (1, r) if r != 11 => "st",
                    (2, r) if r != 12 => "nd",
                    (3, r) if r != 13 => "rd",
                    _ => "th",
                };
                format!("{n}{suffix} edition")
            }
        }
    }

    pub fn published_by(self) -> &'static str {
        match self {
            Lang::Nl => "Uitgegeven door",
            Lang::En => "Published by",
        }
    }

    pub fn isbn_label(self, epub: bool) -> &'static str {
        match (self, epub) {
            (_, false) => "ISBN",
            (Lang::Nl, true) => "ISBN e-book",
            (Lang::En, true) => "ISBN e-book",
        }
    }

    pub fn rights(self) -> &'static str {
        match self {
            Lang::Nl => {
                "Alle rechten voorbehouden. Niets uit deze uitgave mag worden verveelvoudigd of openbaar gemaakt zonder voorafgaande schriftelijke toestemming van de uitgever."
            }
            Lang::En => {
                "All rights reserved. No part of this publication may be reproduced or published without the prior written permission of the publisher."
            }
        }
    }

    /// What a screen reader says for a task not yet done and one done (☐, ☑).
    pub fn task_open(self) -> &'static str {
        match self {
            Lang::Nl => "open",
            Lang::En => "not done",
        }
    }

    pub fn task_done(self) -> &'static str {
        match self {
            Lang::Nl => "gedaan",
            Lang::En => "done",
        }
    }

    /// Outer and inner quotation marks: Dutch house style puts single quotes outside.
    pub fn quotes(self) -> Quotes {
        match self {
            Lang::Nl => Quotes {
                outer: ('‘', '’'),
                inner: ('“', '”'),
            },
            Lang::En => Quotes {
                outer: ('“', '”'),
                inner: ('‘', '’'),
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Quotes {
    pub outer: (char, char),
    pub inner: (char, char),
}

/// Abbreviations after which a full stop does not end a sentence (lower case, with their dots),
/// in both languages: "bijv. paragraaf 3.2" is mid-sentence.
const ABBREVIATIONS: &[&str] = &[
    "bijv.", "bv.", "o.a.", "vgl.", "zgn.", "zg.", "blz.", "p.", "pp.", "nr.", "nrs.", "e.g.",
    "i.e.", "cf.", "etc.", "ca.", "resp.", "evt.", "d.w.z.", "m.a.w.", "enz.", "z.o.z.", "o.m.",
    "t.a.v.", "i.v.m.", "m.b.t.", "n.a.v.", "t.o.v.", "par.", "fig.", "tab.", "hfst.", "vs.",
    "jr.", "dr.", "drs.", "mr.", "prof.", "ir.", "ing.", "mw.", "dhr.", "st.", "vol.", "ed.",
    "eds.", "no.", "ch.", "sec.", "al.",
];

/// Whether `text` ends a sentence: with `.`, `!`, `?` or `…` (closing quotes and brackets
/// after it allowed), unless the full stop is that of an abbreviation ("bijv.", "e.g.").
pub fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end().trim_end_matches(['’', '”', ')', '\'', '"']);
    if !t.ends_with(['.', '!', '?', '…']) {
        return false;
    }
    if !t.ends_with('.') {
        return true;
    }
    let last = t
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_start_matches(['(', '[', '‘', '“', '\'', '"'])
        .to_lowercase();
    !ABBREVIATIONS.contains(&last.as_str())
}

/// Capitalises the first letter, for a reference at the start of a sentence.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_and_terms() {
        assert_eq!(Lang::Nl.edition(7), "7e druk");
        assert_eq!(Lang::En.edition(2), "2nd edition");
        assert_eq!(Lang::En.edition(11), "11th edition");
        assert_eq!(RefKind::from_label("kader-x"), Some(RefKind::Kader));
        assert_eq!(RefKind::from_label("belsky1984"), None);
        assert_eq!(capitalize("paragraaf 3.2"), "Paragraaf 3.2");
        assert!(ends_sentence("Dat is zo. "));
        assert!(!ends_sentence("zoals bijv. "));
        assert!(!ends_sentence("(vgl. "));
        assert!(!ends_sentence("for instance, e.g. "));
        assert!(ends_sentence("Klaar!’ "));
    }
}
