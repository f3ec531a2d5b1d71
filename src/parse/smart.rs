//! Smart punctuation, done by druk rather than by the Markdown parser, because only here is
//! it known what the author typed: a straight quote becomes a typographic one, nested the way
//! the book's language wants; a quote the author already typed curly stays exactly as typed;
//! an escaped character (`\"`, `\...`) and anything in code stay as they are.
//!
//! `--` becomes an en dash, `---` an em dash, `...` an ellipsis. An apostrophe inside or at
//! the end of a word, and a Dutch elision at its start (’s avonds, ’t, ’n, ’90), is ’.

use crate::lang::Lang;

/// Which quotation a frame on the stack was opened with, as typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Single,
    Double,
}

/// One open quotation: the kind that closes it and the mark druk prints when it does.
#[derive(Clone, Copy, Debug)]
struct Open {
    kind: Kind,
    close: char,
}

/// What smartening carries from one run of text to the next within a paragraph.
#[derive(Clone, Debug, Default)]
pub struct State {
    stack: Vec<Open>,
    /// The character before the next run: `None` at the start of a paragraph or line.
    prev: Option<char>,
}

impl State {
    /// Something that is not text came in between (a code span, a link, a reference): for
    /// the next quote it reads like the end of a word.
    pub fn after_word(&mut self) {
        self.prev = Some('x');
    }

    /// A line break: the next quote opens.
    pub fn after_break(&mut self) {
        self.prev = None;
    }
}

/// Whether a straight quote after `prev` opens a quotation.
fn opens_after(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => {
            p.is_whitespace() || matches!(p, '(' | '[' | '{' | '‘' | '“' | '—' | '–' | '-' | '/')
        }
    }
}

/// `'s`, `'t`, `'n`, `'k` followed by a non-letter, or `'90`: a Dutch (and English) elision.
fn elision(rest: &[char]) -> bool {
    match rest {
        [d, ..] if d.is_ascii_digit() => true,
        ['s' | 't' | 'n' | 'k', next, ..] => !next.is_alphanumeric(),
        [c] => matches!(c, 's' | 't' | 'n' | 'k'),
        _ => false,
    }
}

/// Smartens `text`; `literal(i)` says the char at index `i` (in chars) must stay as written.
pub fn smarten(text: &str, literal: &dyn Fn(usize) -> bool, lang: Lang, st: &mut State) -> String {
    let q = lang.quotes();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if literal(i) {
            out.push(c);
            st.prev = Some(c);
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let free = |k: usize| chars.get(k).is_some() && !literal(k);
        let mark = match c {
            '.' if free(i + 1) && free(i + 2) && next == Some('.') && chars[i + 2] == '.' => {
                i += 2;
                '…'
            }
            '-' if free(i + 1) && next == Some('-') => {
                if free(i + 2) && chars[i + 2] == '-' {
                    i += 2;
                    '—'
                } else {
                    i += 1;
                    '–'
                }
            }
            '"' => {
                let top_double = st.stack.last().is_some_and(|o| o.kind == Kind::Double);
                let opening = opens_after(st.prev) && next.is_some_and(|n| !n.is_whitespace());
                if opening {
                    open(&mut st.stack, Kind::Double, q)
                } else if top_double {
                    st.stack.pop().map_or('”', |o| o.close)
                } else if st.stack.is_empty() {
                    // A closing quote with nothing open (an inch mark, a stray quote).
                    q.outer.1
                } else {
                    q.inner.1
                }
            }
            '\'' => {
                let top_single = st.stack.last().is_some_and(|o| o.kind == Kind::Single);
                let word_before = st.prev.is_some_and(char::is_alphanumeric);
                let word_after = next.is_some_and(char::is_alphanumeric);
                if word_before && word_after {
                    '’'
                } else if word_before || !opens_after(st.prev) {
                    if top_single && !word_after {
                        st.stack.pop().map_or('’', |o| o.close)
                    } else {
                        '’'
                    }
                } else if elision(&chars[i + 1..]) || next.is_none_or(char::is_whitespace) {
                    '’'
                } else {
                    open(&mut st.stack, Kind::Single, q)
                }
            }
            // Typed curly quotes are kept as they are; they still count for the nesting.
            '‘' | '“' => {
                let kind = if c == '‘' {
                    Kind::Single
                } else {
                    Kind::Double
                };
                st.stack.push(Open {
                    kind,
                    close: if c == '‘' { '’' } else { '”' },
                });
                c
            }
            '”' => {
                if st.stack.last().is_some_and(|o| o.kind == Kind::Double) {
                    st.stack.pop();
                }
                c
            }
            '’' => {
                let word_after = next.is_some_and(char::is_alphanumeric);
                if !word_after && st.stack.last().is_some_and(|o| o.kind == Kind::Single) {
                    st.stack.pop();
                }
                c
            }
            _ => c,
        };
        out.push(mark);
        st.prev = Some(mark);
        i += 1;
    }
    out
}

/// Opens a quotation at the current depth: the language's outer marks at the top level, its
/// inner ones inside another quotation.
fn open(stack: &mut Vec<Open>, kind: Kind, q: crate::lang::Quotes) -> char {
    let (o, c) = if stack.is_empty() { q.outer } else { q.inner };
    stack.push(Open { kind, close: c });
    o
}

/// Smartens a whole string with nothing literal in it (an attribute value such as a kader's
/// title).
pub fn smarten_all(text: &str, lang: Lang) -> String {
    smarten(text, &|_| false, lang, &mut State::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl(s: &str) -> String {
        smarten_all(s, Lang::Nl)
    }

    #[test]
    fn straight_quotes_nest_the_dutch_way() {
        assert_eq!(nl("\"Hij zei 'ja' en ging\""), "‘Hij zei “ja” en ging’");
        assert_eq!(nl("'enkel' en \"dubbel\""), "‘enkel’ en ‘dubbel’");
        assert_eq!(smarten_all("\"a 'b' c\"", Lang::En), "“a ‘b’ c”");
    }

    #[test]
    fn typed_curly_quotes_stay_as_typed() {
        assert_eq!(nl("“…”’"), "“…”’");
        assert_eq!(nl("“Hij zei ‘ja’”"), "“Hij zei ‘ja’”");
        // A straight quote inside a typed one takes the inner marks.
        assert_eq!(nl("‘Hij zei \"ja\"’"), "‘Hij zei “ja”’");
    }

    #[test]
    fn apostrophes_and_elisions() {
        assert_eq!(
            nl("zo'n kind, 's avonds en 't huis in '90"),
            "zo’n kind, ’s avonds en ’t huis in ’90"
        );
        assert_eq!(nl("'s Avonds zei ze 'nee'."), "’s Avonds zei ze ‘nee’.");
        assert_eq!(
            smarten_all("don't, the students' rooms", Lang::En),
            "don’t, the students’ rooms"
        );
    }

    #[test]
    fn dashes_and_ellipses() {
        assert_eq!(nl("1990--2000 --- zo... klaar"), "1990–2000 — zo… klaar");
    }

    #[test]
    fn literal_characters_stay() {
        let text = "\"a\" ...";
        // The second quote and the dots are escaped.
        let lit = |i: usize| i == 2 || i >= 4;
        assert_eq!(
            smarten(text, &lit, Lang::En, &mut State::default()),
            "“a\" ..."
        );
    }
}
