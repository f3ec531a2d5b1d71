//! Finds `@label`, `[@key; …]`, `[-@label]` and spelled-out references ("paragraaf 3.2.2")
//! in the text of a paragraph. comrak leaves them as literal text, one node per line, so the
//! text of consecutive lines is joined first (a reference may wrap).

use crate::lang::{Lang, RefKind};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(Range<usize>),
    /// `@label` or `[@label]` / `[-@label]` for a cross-reference prefix.
    Xref {
        range: Range<usize>,
        /// Where the `@` is, for the diagnostic caret.
        at: usize,
        name: String,
        number_only: bool,
        capitalize: bool,
    },
    Cite {
        range: Range<usize>,
        items: Vec<Item>,
        narrative: bool,
    },
    Spelled {
        range: Range<usize>,
        kind: RefKind,
        number: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub at: usize,
    pub prefix: String,
    pub suffix: String,
    pub suppress_author: bool,
}

/// `sentence_start` says whether the text begins a sentence (paragraph start or after `.`).
pub fn scan(buf: &str, lang: Lang, sentence_start: bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut text_from = 0;
    let mut i = 0;
    let bytes = buf.as_bytes();
    let terms = lang.spelled_terms();
    while i < buf.len() {
        let c = bytes[i];
        let prev = buf[..i].chars().next_back();
        let word_start = prev.is_none_or(|p| !p.is_alphanumeric());
        let mut found: Option<(Token, usize)> = None;
        if c == b'[' {
            found = bracket_group(buf, i);
        } else if c == b'@' && prev.is_none_or(|p| p.is_whitespace() || "([{/‘“'\"".contains(p))
        {
            if let Some(key) = take_key(&buf[i + 1..]) {
                let end = i + 1 + key.len();
                let (name, explicit_cap) = decapitalize_label(key);
                let tok = if RefKind::from_label(&name).is_some() {
                    let before = &buf[..i];
                    let capitalize = explicit_cap
                        || if before.trim().is_empty() {
                            sentence_start
                        } else {
                            starts_sentence(before)
                        };
                    Token::Xref {
                        range: i..end,
                        at: i,
                        name,
                        number_only: false,
                        capitalize,
                    }
                } else {
                    Token::Cite {
                        range: i..end,
                        items: vec![Item {
                            key: key.to_string(),
                            at: i,
                            prefix: String::new(),
                            suffix: String::new(),
                            suppress_author: false,
                        }],
                        narrative: true,
                    }
                };
                found = Some((tok, end));
            }
        } else if word_start && c.is_ascii_alphabetic() {
            found = spelled(buf, i, terms);
        }
        match found {
            Some((tok, end)) => {
                if text_from < i {
                    out.push(Token::Text(text_from..i));
                }
                out.push(tok);
                text_from = end;
                i = end;
            }
            None => {
                i += buf[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    if text_from < buf.len() {
        out.push(Token::Text(text_from..buf.len()));
    }
    out
}

/// A reference begins a sentence when nothing but closing quotes and brackets stand between
/// it and a full stop, question or exclamation mark, or the start of the paragraph.
fn starts_sentence(before: &str) -> bool {
    crate::lang::ends_sentence(before)
}

/// `@Sec-x` asks for a capital, as in Quarto; the label itself is lower case.
fn decapitalize_label(key: &str) -> (String, bool) {
    let mut chars = key.chars();
    let first = chars.next().unwrap_or(' ');
    if first.is_uppercase() {
        let lowered: String = first.to_lowercase().chain(chars).collect();
        if RefKind::from_label(&lowered).is_some() {
            return (lowered, true);
        }
    }
    (key.to_string(), false)
}

/// A citation key or label as Pandoc reads it: punctuation is allowed inside, not at the end.
fn take_key(s: &str) -> Option<&str> {
    let first = s.chars().next()?;
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let mut last_good = 0;
    for (j, ch) in s.char_indices() {
        if ch.is_alphanumeric() || ch == '_' {
            last_good = j + ch.len_utf8();
        } else if !":.#$%&-+?<>~/".contains(ch) {
            break;
        }
    }
    Some(&s[..last_good])
}

fn bracket_group(buf: &str, open: usize) -> Option<(Token, usize)> {
    let rest = &buf[open + 1..];
    let close = rest.find([']', '['])?;
    if rest.as_bytes()[close] != b']' {
        return None;
    }
    let inner = &rest[..close];
    if !inner.contains('@') {
        return None;
    }
    let base = open + 1;
    let mut items = Vec::new();
    let mut offset = 0;
    for part in inner.split(';') {
        let at_rel = part.find('@')?;
        let before = &part[..at_rel];
        let suppress_author = before.ends_with('-');
        let prefix_text = before.strip_suffix('-').unwrap_or(before);
        if !prefix_text.is_empty() && !prefix_text.ends_with(char::is_whitespace) {
            return None;
        }
        let key = take_key(&part[at_rel + 1..])?;
        let suffix = part[at_rel + 1 + key.len()..]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_string();
        items.push(Item {
            key: key.to_string(),
            at: base + offset + at_rel,
            prefix: prefix_text.trim().to_string(),
            suffix,
            suppress_author,
        });
        offset += part.len() + 1;
    }
    let end = open + 1 + close + 1;
    let all_refs = items
        .iter()
        .all(|it| RefKind::from_label(&it.key).is_some());
    if all_refs && items.len() == 1 && items[0].prefix.is_empty() && items[0].suffix.is_empty() {
        let it = &items[0];
        let tok = Token::Xref {
            range: open..end,
            at: it.at,
            name: it.key.clone(),
            number_only: it.suppress_author,
            capitalize: false,
        };
        return Some((tok, end));
    }
    Some((
        Token::Cite {
            range: open..end,
            items,
            narrative: false,
        },
        end,
    ))
}

fn spelled(buf: &str, i: usize, terms: &[(&str, RefKind)]) -> Option<(Token, usize)> {
    let rest = &buf[i..];
    for (term, kind) in terms {
        if rest.len() < term.len() || !rest.is_char_boundary(term.len()) {
            continue;
        }
        if !rest[..term.len()].eq_ignore_ascii_case(term) {
            continue;
        }
        let after = &rest[term.len()..];
        let space = after.chars().next()?;
        if !(space == ' ' || space == '\u{a0}' || space == '\n') {
            continue;
        }
        let num_start = term.len() + space.len_utf8();
        let digits = &rest[num_start..];
        let mut len = 0;
        let b = digits.as_bytes();
        loop {
            let run = b[len..].iter().take_while(|c| c.is_ascii_digit()).count();
            if run == 0 {
                break;
            }
            len += run;
            if len + 1 < b.len() && b[len] == b'.' && b[len + 1].is_ascii_digit() {
                len += 1;
            } else {
                break;
            }
        }
        if len == 0 {
            continue;
        }
        // "tabel 2.1a", "Figure 4-1", "figuur 3/2": a numbering of another system, not one
        // of druk's numbers.
        let mut next = digits[len..].chars();
        match (next.next(), next.next()) {
            (Some(c), _) if c.is_alphanumeric() => continue,
            (Some('-' | '–' | '/' | '_'), Some(d)) if d.is_alphanumeric() => continue,
            (Some('.'), Some(d)) if d.is_alphabetic() => continue,
            _ => {}
        }
        let end = i + num_start + len;
        return Some((
            Token::Spelled {
                range: i..end,
                kind: *kind,
                number: digits[..len].to_string(),
            },
            end,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Token> {
        scan(s, Lang::Nl, true)
    }

    #[test]
    fn other_numberings_are_not_references() {
        for s in [
            "Figure 4-1 shows",
            "figuur 3-2 toont",
            "tabel 2.1a",
            "figuur 3/2",
            "tabel 2.a",
        ] {
            assert!(
                !scan(s, Lang::En, false)
                    .iter()
                    .chain(&scan(s, Lang::Nl, false))
                    .any(|t| matches!(t, Token::Spelled { .. })),
                "{s}"
            );
        }
        assert!(
            toks("zie tabel 2.1.")
                .iter()
                .any(|t| matches!(t, Token::Spelled { number, .. } if number == "2.1"))
        );
    }

    #[test]
    fn an_abbreviation_does_not_start_a_sentence() {
        let t = toks("Zie bijv. @sec-x en vgl. @sec-y. @sec-z begint.");
        let caps: Vec<bool> = t
            .iter()
            .filter_map(|t| match t {
                Token::Xref { capitalize, .. } => Some(*capitalize),
                _ => None,
            })
            .collect();
        assert_eq!(caps, [false, false, true]);
    }

    #[test]
    fn bare_label_at_sentence_start_is_capitalised() {
        let t = toks("@sec-balansmodel laat zien. Zie @sec-x.");
        assert!(
            matches!(&t[0], Token::Xref { name, capitalize: true, .. } if name == "sec-balansmodel")
        );
        assert!(matches!(&t[2], Token::Xref { name, capitalize: false, .. } if name == "sec-x"));
        // The full stop after the label is not part of it.
        assert_eq!(t[3], Token::Text(38..39));
    }

    #[test]
    fn after_a_full_stop_a_reference_starts_a_sentence() {
        let t = toks("Dat is zo. @fig-balans toont het.");
        assert!(matches!(
            &t[1],
            Token::Xref {
                capitalize: true,
                ..
            }
        ));
        let t = toks("Dat staat in @Sec-theorie.");
        assert!(
            matches!(&t[1], Token::Xref { name, capitalize: true, .. } if name == "sec-theorie")
        );
    }

    #[test]
    fn number_only_reference() {
        let t = toks("(zie [-@sec-balansmodel])");
        assert!(matches!(
            &t[1],
            Token::Xref {
                number_only: true,
                ..
            }
        ));
    }

    #[test]
    fn citations_with_locators_and_groups() {
        let t = toks("Zo [@rispens1996a; @zeijl2005] en [zie @nji2014b, p. 12] en @hermanns1992.");
        let Token::Cite {
            items,
            narrative: false,
            ..
        } = &t[1]
        else {
            panic!("{t:?}")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].key, "zeijl2005");
        let Token::Cite { items, .. } = &t[3] else {
            panic!()
        };
        assert_eq!(items[0].prefix, "zie");
        assert_eq!(items[0].suffix, "p. 12");
        assert!(matches!(
            &t[5],
            Token::Cite {
                narrative: true,
                ..
            }
        ));
        let t = toks("[-@belsky1984]");
        let Token::Cite { items, .. } = &t[0] else {
            panic!()
        };
        assert!(items[0].suppress_author);
    }

    #[test]
    fn spelled_out_references() {
        let t = toks("zie hoofdstuk 4, paragraaf 4.2.1. En par. 1.2 en figuur\n3.1");
        let spelled: Vec<_> = t
            .iter()
            .filter_map(|t| match t {
                Token::Spelled { kind, number, .. } => Some((*kind, number.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            spelled,
            [
                (RefKind::Chapter, "4"),
                (RefKind::Section, "4.2.1"),
                (RefKind::Section, "1.2"),
                (RefKind::Figure, "3.1")
            ]
        );
    }

    #[test]
    fn not_references() {
        for s in [
            "mail info@example.org",
            "de tabellen 3",
            "hoofdstukken 2",
            "[link tekst]",
            "@ los",
            "tabel 2a",
        ] {
            assert!(
                toks(s).iter().all(|t| matches!(t, Token::Text(_))),
                "{s}: {:?}",
                toks(s)
            );
        }
    }
}
