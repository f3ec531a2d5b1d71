//! Where a word may be broken: hyphenation patterns, explicit hyphens, soft hyphens.
//!
//! Patterns come from `hypher` (the TeX patterns for Dutch and English). Around them sit
//! the rules a Dutch editor expects:
//!
//! * at least 2 letters before and 3 after a pattern break, counted per part of a
//!   compound, so no line ends in "e-" or starts with "en";
//! * an explicit hyphen ("hbo-opleidingen") is a break point and the hyphen is not
//!   doubled; the patterns only run on the parts between hyphens, which also keeps them
//!   from inventing breaks like "e--mail";
//! * a soft hyphen (U+00AD) in a word means the author chose the break points: only those
//!   are used;
//! * words in capitals (acronyms) and words with digits are not hyphenated;
//! * the diaeresis rule: when a break falls right before a vowel with a diaeresis, the
//!   diaeresis goes (it only marked the syllable boundary that the hyphen now shows):
//!   "coördinatie" → "co-" / "ordinatie", "geïnteresseerd" → "ge-" / "interesseerd".

use std::borrow::Cow;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::typeset::flow::Lang;

/// Minimum letters before a hyphenation break: a single letter before a hyphen ("e-")
/// saves too little to be worth the interruption.
pub const LEFT_MIN: usize = 2;
/// Minimum letters after a hyphenation break (one more than hypher's default, the
/// usual book setting: a line starting with a two-letter fragment looks like a typo).
pub const RIGHT_MIN: usize = 3;

/// The soft hyphen: invisible unless the line breaks there.
pub const SOFT_HYPHEN: char = '\u{AD}';

/// What happens at a break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// A hyphen is added at the end of the line (pattern or soft hyphen).
    Hyphen,
    /// Nothing is added: the word already shows a hyphen, dash or slash there.
    After,
}

/// A possible break inside a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakPoint {
    /// Byte offset in the cleaned word (soft hyphens removed) where the second part starts.
    pub offset: usize,
    pub kind: BreakKind,
}

/// A word prepared for line breaking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word without soft hyphens.
    pub text: String,
    pub breaks: Vec<BreakPoint>,
}

fn hypher_lang(lang: Lang) -> hypher::Lang {
    match lang {
        Lang::Nl => hypher::Lang::Dutch,
        Lang::En => hypher::Lang::English,
    }
}

/// Characters after which a word may break without adding anything.
fn is_explicit_break(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '/' | '\u{2013}')
}

/// [`analyse`] with a memory: a book uses the same few thousand words again and again.
#[derive(Default)]
pub struct Hyphenator {
    /// By language and whether patterns are on, then by word.
    words: FxHashMap<(Lang, bool), FxHashMap<String, Rc<Word>>>,
}

impl Hyphenator {
    pub fn analyse(&mut self, word: &str, lang: Lang, patterns: bool) -> Rc<Word> {
        let words = self.words.entry((lang, patterns)).or_default();
        if let Some(hit) = words.get(word) {
            return hit.clone();
        }
        let w = Rc::new(analyse(word, lang, patterns));
        words.insert(word.to_string(), w.clone());
        w
    }
}

/// Finds the break points of one word (a run of text without spaces).
/// `patterns` switches pattern hyphenation on; explicit and soft hyphens always count.
pub fn analyse(word: &str, lang: Lang, patterns: bool) -> Word {
    let has_soft = word.contains(SOFT_HYPHEN);
    let mut text = String::with_capacity(word.len());
    let mut breaks = Vec::new();
    for c in word.chars() {
        if c == SOFT_HYPHEN {
            if !text.is_empty() {
                breaks.push(BreakPoint {
                    offset: text.len(),
                    kind: BreakKind::Hyphen,
                });
            }
        } else {
            text.push(c);
        }
    }
    // A soft hyphen at the very end is no break point.
    breaks.retain(|b| b.offset < text.len());

    // Explicit hyphens, dashes and slashes between parts of at least two and three letters.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if !is_explicit_break(c) {
            continue;
        }
        let before = chars[..i]
            .iter()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric())
            .count();
        let after = chars[i + 1..]
            .iter()
            .take_while(|(_, c)| c.is_alphanumeric())
            .count();
        if before >= LEFT_MIN && after >= RIGHT_MIN {
            breaks.push(BreakPoint {
                offset: at + c.len_utf8(),
                kind: BreakKind::After,
            });
        }
    }

    if patterns && !has_soft && !text.chars().any(|c| c.is_ascii_digit()) {
        // Hyphenate each run of letters on its own.
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].1.is_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && chars[i].1.is_alphabetic() {
                i += 1;
            }
            let from = chars[start].0;
            let to = chars.get(i).map_or(text.len(), |(at, _)| *at);
            let run = &text[from..to];
            // Letters after an apostrophe belong to the word for the minimum after a
            // break: "pro-gram-ma’s" may break before "ma’s".
            let tail = match chars.get(i) {
                Some((_, '\'' | '\u{2019}')) => chars[i + 1..]
                    .iter()
                    .take_while(|(_, c)| c.is_alphabetic())
                    .count(),
                _ => 0,
            };
            let right_min = RIGHT_MIN.saturating_sub(tail).max(LEFT_MIN);
            if i - start < LEFT_MIN + right_min || run.chars().all(|c| !c.is_lowercase()) {
                continue;
            }
            let mut offset = from;
            let syllables: Vec<&str> =
                hypher::hyphenate_bounded(run, hypher_lang(lang), LEFT_MIN, right_min).collect();
            for syllable in &syllables[..syllables.len().saturating_sub(1)] {
                offset += syllable.len();
                breaks.push(BreakPoint {
                    offset,
                    kind: BreakKind::Hyphen,
                });
            }
        }
    }

    breaks.sort_by_key(|b| b.offset);
    breaks.dedup_by_key(|b| b.offset);
    Word { text, breaks }
}

/// The text that starts the next line after a break: in Dutch a leading vowel with a
/// diaeresis loses it.
pub fn after_break(rest: &str, kind: BreakKind, lang: Lang) -> Cow<'_, str> {
    if kind != BreakKind::Hyphen || lang != Lang::Nl {
        return Cow::Borrowed(rest);
    }
    let mut chars = rest.chars();
    let Some(first) = chars.next() else {
        return Cow::Borrowed(rest);
    };
    let plain = match first {
        'ä' => 'a',
        'ë' => 'e',
        'ï' => 'i',
        'ö' => 'o',
        'ü' => 'u',
        'Ä' => 'A',
        'Ë' => 'E',
        'Ï' => 'I',
        'Ö' => 'O',
        'Ü' => 'U',
        _ => return Cow::Borrowed(rest),
    };
    let mut s = String::with_capacity(rest.len());
    s.push(plain);
    s.push_str(chars.as_str());
    Cow::Owned(s)
}

/// The word as it would be printed with every break taken: "co-|ordinatie".
/// Used by tests and diagnostics.
pub fn show_breaks(word: &str, lang: Lang) -> String {
    let w = analyse(word, lang, true);
    let mut out = String::new();
    let mut last = 0;
    let mut kind = None;
    for b in &w.breaks {
        let part = &w.text[last..b.offset];
        let part = match kind {
            Some(k) => after_break(part, k, lang),
            None => Cow::Borrowed(part),
        };
        out.push_str(&part);
        if b.kind == BreakKind::Hyphen {
            out.push('-');
        }
        out.push('|');
        last = b.offset;
        kind = Some(b.kind);
    }
    let rest = &w.text[last..];
    match kind {
        Some(k) => out.push_str(&after_break(rest, k, lang)),
        None => out.push_str(rest),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl(word: &str) -> String {
        show_breaks(word, Lang::Nl)
    }

    #[test]
    fn dutch_word_list() {
        let cases = [
            (
                "opvoedingsondersteuning",
                "op-|voe-|dings-|on-|der-|steu-|ning",
            ),
            ("jeugdgezondheidszorg", "jeugd-|ge-|zond-|heids-|zorg"),
            (
                "ontwikkelingsstoornissen",
                "ont-|wik-|ke-|lings-|stoor-|nis-|sen",
            ),
            ("wettelijke", "wet-|te-|lijke"),
            ("wijziging", "wij-|zi-|ging"),
            ("kinderen", "kin-|de-|ren"),
            ("preventie", "pre-|ven-|tie"),
        ];
        for (word, want) in cases {
            assert_eq!(nl(word), want, "{word}");
        }
    }

    #[test]
    fn diaeresis_is_dropped_at_the_break() {
        assert_eq!(nl("coördinatie"), "co-|or-|di-|na-|tie");
        assert_eq!(
            after_break("ördinatie", BreakKind::Hyphen, Lang::Nl),
            "ordinatie"
        );
        assert_eq!(nl("geïnteresseerd"), "ge-|in-|te-|res-|seerd");
        assert_eq!(
            after_break("ïnteresseerd", BreakKind::Hyphen, Lang::Nl),
            "interesseerd"
        );
        assert_eq!(nl("beïnvloeden"), "be-|in-|vloe-|den");
        // Unbroken, the diaeresis stays.
        assert_eq!(analyse("coördinatie", Lang::Nl, true).text, "coördinatie");
        // Only Dutch drops it, and only at a hyphenation break.
        assert_eq!(
            after_break("ördinatie", BreakKind::After, Lang::Nl),
            "ördinatie"
        );
        assert_eq!(after_break("ïve", BreakKind::Hyphen, Lang::En), "ïve");
    }

    #[test]
    fn explicit_hyphens_are_break_points_and_never_doubled() {
        let w = analyse("hbo-opleidingen", Lang::Nl, true);
        assert_eq!(
            w.breaks[0],
            BreakPoint {
                offset: 4,
                kind: BreakKind::After
            }
        );
        assert_eq!(nl("hbo-opleidingen"), "hbo-|op-|lei-|din-|gen");
        // "jeugd-" as in "jeugd- en gezinsbeleid": no break after the final hyphen.
        assert_eq!(nl("jeugd-"), "jeugd-");
        // Too short a part: no break after "e-".
        assert_eq!(nl("e-mail"), "e-mail");
    }

    #[test]
    fn soft_hyphens_replace_the_patterns() {
        let w = analyse("zelf\u{AD}redzaamheid", Lang::Nl, true);
        assert_eq!(w.text, "zelfredzaamheid");
        assert_eq!(
            w.breaks,
            vec![BreakPoint {
                offset: 4,
                kind: BreakKind::Hyphen
            }]
        );
    }

    #[test]
    fn minimum_letters_before_and_after() {
        for word in ["ouders", "effecten", "opvoeden", "eerder"] {
            let w = analyse(word, Lang::Nl, true);
            for b in &w.breaks {
                assert!(w.text[..b.offset].chars().count() >= LEFT_MIN, "{word}");
                assert!(w.text[b.offset..].chars().count() >= RIGHT_MIN, "{word}");
            }
        }
    }

    #[test]
    fn acronyms_digits_and_punctuation() {
        assert_eq!(nl("ADHD-diagnose"), "ADHD-|dia-|gnose");
        assert!(analyse("2014", Lang::Nl, true).breaks.is_empty());
        assert!(analyse("CJG", Lang::Nl, true).breaks.is_empty());
        // Trailing punctuation does not count as letters after a break…
        let w = analyse("programma,", Lang::Nl, true);
        assert!(
            w.breaks
                .iter()
                .all(|b| b.offset <= "programma".len() - RIGHT_MIN)
        );
        // …but the letters after an apostrophe do.
        assert_eq!(nl("programma’s"), "pro-|gram-|ma’s");
        assert_eq!(nl("baby's"), "ba-|by's");
    }

    #[test]
    fn english_patterns() {
        assert_eq!(show_breaks("development", Lang::En), "de-|vel-|op-|ment");
    }
}
