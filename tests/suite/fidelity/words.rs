//! Tokens, the unit both sides are cut into, and the normalisation that lets a manuscript
//! word meet its printed form.
//!
//! A token is a run of letters (or of digits: `gezin1`, a word with its footnote marker
//! glued on, is `gezin` `1`) or one punctuation character. Punctuation is kept because literal
//! markup is punctuation (`{#sec-x}`, `[^1]`, `$x$`); whitespace is not a token.
//!
//! Normalised away on both sides, because druk is allowed to change them: letter case for
//! matching (checked afterwards, a change of case is still reported), the shape of quotes
//! and apostrophes (‘ ’ “ ” „ ' " all meet as `'`), ligatures (ﬁ → fi), non-breaking and
//! thin spaces, soft hyphens.

/// What a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Word,
    Punct,
    /// A character of code (a code span or block): printed exactly as written.
    Code,
    /// `[@key]` or `@key`: druk prints “(Author, 1992)” here.
    Cite,
    /// `@sec-x`, `[-@fig-x]`: druk prints “paragraaf 3.2” or “3.2” here.
    Ref,
}

/// Superscript and subscript: the formatting the test checks, in the editions that show it
/// (EPUB and web), because it carries meaning (m², H₂O).
pub const SUP: u8 = 1;
pub const SUB: u8 = 2;

/// One manuscript token, with the place it was written. `raw` is as written (for a citation
/// or reference, its whole source), `text` with quotes, ligatures and spaces folded, `norm`
/// also in lower case.
#[derive(Clone, Debug)]
pub struct Tok {
    pub raw: String,
    pub text: String,
    pub norm: String,
    pub kind: Kind,
    pub line: u32,
    /// [`SUP`], [`SUB`].
    pub style: u8,
    /// The first token of a paragraph, heading or cell: a sentence starts here.
    pub first: bool,
}

/// One token of an edition, with where it was found (a page of a PDF, 0 elsewhere).
#[derive(Clone, Debug)]
pub struct ETok {
    pub raw: String,
    pub text: String,
    pub norm: String,
    pub page: u32,
    /// Part of a word a PDF line end broke (joined again, or kept with its hyphen).
    pub broken: bool,
    /// [`SUP`], [`SUB`]; `None` where the edition does not tell (a PDF).
    pub style: Option<u8>,
}

/// Appends `c` as both sides share it: dropped (soft hyphens, zero-width spaces), a plain
/// space, `'` for every quote and apostrophe, ligatures spelled out.
pub fn fold(c: char, out: &mut String) {
    match c {
        '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => {}
        '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' | '\u{200A}' | '\t' => out.push(' '),
        '‘' | '’' | '‚' | '‛' | '“' | '”' | '„' | '‟' | '\'' | '"' | '«' | '»' | '‹' | '›' => {
            out.push('\'')
        }
        'ﬀ' => out.push_str("ff"),
        'ﬁ' => out.push_str("fi"),
        'ﬂ' => out.push_str("fl"),
        'ﬃ' => out.push_str("ffi"),
        'ﬄ' => out.push_str("ffl"),
        'ﬅ' | 'ﬆ' => out.push_str("st"),
        _ => out.push(c),
    }
}

/// A token as [`split`] gives it.
pub struct Piece {
    /// Index in the input, in chars, where it starts.
    pub start: usize,
    pub raw: String,
    pub text: String,
    pub norm: String,
}

/// Cuts `s` into tokens.
pub fn split(s: &str, mut emit: impl FnMut(Piece)) {
    let mut word = String::new();
    let mut raw = String::new();
    let mut start = 0;
    let mut digits = false;
    let mut mapped = String::new();
    let done = |word: &mut String, raw: &mut String, start: usize, emit: &mut dyn FnMut(Piece)| {
        if !word.is_empty() {
            let text = std::mem::take(word);
            let norm = text.to_lowercase();
            emit(Piece {
                start,
                raw: std::mem::take(raw),
                text,
                norm,
            });
        }
    };
    for (i, c) in s.chars().enumerate() {
        mapped.clear();
        fold(c, &mut mapped);
        let mut first = true;
        for m in mapped.chars() {
            if m.is_alphanumeric() {
                let d = m.is_numeric();
                if !word.is_empty() && d != digits {
                    done(&mut word, &mut raw, start, &mut emit);
                }
                if word.is_empty() {
                    start = i;
                    digits = d;
                }
                word.push(m);
                if first {
                    raw.push(c);
                }
            } else {
                done(&mut word, &mut raw, start, &mut emit);
                // A variation selector (U+FE0F after ⚠) only chooses a glyph's form.
                let selector = matches!(m, '\u{FE00}'..='\u{FE0F}');
                if !m.is_whitespace() && !m.is_control() && !selector {
                    emit(Piece {
                        start: i,
                        raw: c.to_string(),
                        text: m.to_string(),
                        norm: m.to_string(),
                    });
                }
            }
            first = false;
        }
    }
    done(&mut word, &mut raw, start, &mut emit);
}

/// The tokens of a piece of edition text.
pub fn edition_tokens(s: &str, page: u32, out: &mut Vec<ETok>) {
    split(s, |p| {
        out.push(ETok {
            raw: p.raw,
            text: p.text,
            norm: p.norm,
            page,
            broken: false,
            style: None,
        })
    });
}

/// The tokens of edition text whose characters have the formatting `styles` (one per char);
/// a token's formatting is that of all its characters.
pub fn styled_tokens(s: &str, styles: &[u8], out: &mut Vec<ETok>) {
    split(s, |p| {
        let style = styles
            .iter()
            .skip(p.start)
            .take(p.raw.chars().count())
            .fold(0, |a, b| a | b);
        out.push(ETok {
            raw: p.raw,
            text: p.text,
            norm: p.norm,
            page: 0,
            broken: false,
            style: Some(style),
        })
    });
}

/// A number druk generates: `3`, `3.2.1`, `iv` (a folio), `1a`.
pub fn is_number(norm: &str) -> bool {
    norm.chars().all(|c| c.is_ascii_digit())
        || (!norm.is_empty() && norm.chars().all(|c| "ivxlc".contains(c)) && norm.len() <= 6)
}

/// Punctuation druk may add around what it generates: the dots of numbers (“3.2.1”, “1.”),
/// list bullets and dashes, the boxes of task lists, a footnote's way back.
pub fn is_generated_punct(norm: &str) -> bool {
    matches!(
        norm,
        "." | "–" | "—" | "■" | "•" | "◦" | "▪" | "‣" | "☐" | "☑" | "☒" | "✓" | "↩"
    )
}

/// Characters that are markup when they show up where the manuscript has none.
pub fn is_markup_char(norm: &str) -> bool {
    matches!(
        norm,
        "{" | "}"
            | "["
            | "]"
            | "#"
            | "^"
            | "~"
            | "$"
            | "\\"
            | "*"
            | "_"
            | "`"
            | "|"
            | "<"
            | ">"
            | "@"
            | "%"
    )
}
