//! Emphasis inside a bibliography field (a species name in a title, `\emph{…}` in BibTeX,
//! `<i>…</i>` in CSL-JSON), carried through the citation engine.
//!
//! hayagriva reads the fields of a CSL item as plain text, so the emphasis travels as
//! invisible characters around the words; they come out in hayagriva's output where the
//! words do, and [`push`] turns them into styled inlines. Italic inside a field that is printed
//! in italics (a book title) is set upright, as CSL and APA want.
//!
//! The markers are the deprecated format characters U+206A–U+206D: no text uses them, and
//! collation ignores them, so a title that starts with an emphasised word sorts (and gets its
//! year letter) as it would without.

use crate::model::{Inline, Style};

/// Opens and closes italics.
pub const ITALIC: (char, char) = ('\u{206A}', '\u{206B}');
/// Opens and closes bold.
pub const BOLD: (char, char) = ('\u{206C}', '\u{206D}');

fn is_marker(c: char) -> bool {
    ('\u{206A}'..='\u{206D}').contains(&c)
}

/// The text without its markers, for names and keys, which must compare as written.
pub fn plain(s: &str) -> String {
    s.chars().filter(|&c| !is_marker(c)).collect()
}

/// `text` as inlines: italic when `italic` (the style's formatting) differs from the field's
/// own emphasis, bold when either says so; `wrap` adds what the style adds around each piece.
pub fn push(
    text: &str,
    italic: bool,
    bold: bool,
    wrap: &dyn Fn(Inline) -> Inline,
    out: &mut Vec<Inline>,
) {
    let piece = |s: &str, italic: bool, bold: bool, out: &mut Vec<Inline>| {
        let mut inl = Inline::Text(s.to_string());
        if italic {
            inl = Inline::Styled(Style::Emph, vec![inl]);
        }
        if bold {
            inl = Inline::Styled(Style::Strong, vec![inl]);
        }
        out.push(wrap(inl));
    };
    if !text.contains(is_marker) {
        piece(text, italic, bold, out);
        return;
    }
    // Nested emphasis toggles, as `\emph` does: italic in italic is upright.
    let (mut emph, mut strong) = (0usize, 0usize);
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if !is_marker(c) {
            continue;
        }
        if start < i {
            piece(
                &text[start..i],
                italic ^ (emph % 2 == 1),
                bold || strong > 0,
                out,
            );
        }
        match c {
            c if c == ITALIC.0 => emph += 1,
            c if c == ITALIC.1 => emph = emph.saturating_sub(1),
            c if c == BOLD.0 => strong += 1,
            _ => strong = strong.saturating_sub(1),
        }
        start = i + c.len_utf8();
    }
    if start < text.len() {
        piece(
            &text[start..],
            italic ^ (emph % 2 == 1),
            bold || strong > 0,
            out,
        );
    }
}

/// The markup CSL-JSON allows in a field (`<i>`, `<b>`, `<sup>`, `<sub>`, `<sc>`, small-caps
/// and `nocase` spans), as Zotero writes it: emphasis as markers, raised and lowered text as
/// Unicode where it exists, the rest as its text. Anything else that looks like a tag is text
/// (a title may say "a < b").
pub fn from_html(s: &str) -> String {
    if !s.contains('<') {
        return plain(s);
    }
    const TAGS: &[(&str, Option<char>)] = &[
        ("<i>", Some(ITALIC.0)),
        ("</i>", Some(ITALIC.1)),
        ("<em>", Some(ITALIC.0)),
        ("</em>", Some(ITALIC.1)),
        ("<b>", Some(BOLD.0)),
        ("</b>", Some(BOLD.1)),
        ("<strong>", Some(BOLD.0)),
        ("</strong>", Some(BOLD.1)),
        ("<sc>", None),
        ("</sc>", None),
        ("<span style=\"font-variant:small-caps;\">", None),
        ("<span style=\"font-variant: small-caps;\">", None),
        ("<span class=\"nocase\">", None),
        ("<span class=\"nodecor\">", None),
        ("</span>", None),
    ];
    let s = plain(s);
    let mut out = String::with_capacity(s.len());
    let mut script: Option<(usize, bool)> = None;
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if let Some((tag, put)) = TAGS.iter().find(|(t, _)| rest.starts_with(t)) {
            out.extend(put);
            i += tag.len();
            continue;
        }
        if let Some(tag) = ["<sup>", "<sub>"].into_iter().find(|t| rest.starts_with(t)) {
            script = Some((out.len(), tag == "<sup>"));
            i += tag.len();
            continue;
        }
        if let Some(tag) = ["</sup>", "</sub>"]
            .into_iter()
            .find(|t| rest.starts_with(t))
        {
            if let Some((at, sup)) = script.take() {
                let raised: Option<String> = out[at..]
                    .chars()
                    .map(|c| super::latex::raise(c, sup))
                    .collect();
                if let Some(raised) = raised {
                    out.truncate(at);
                    out.push_str(&raised);
                }
            }
            i += tag.len();
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, italic: bool) -> String {
        let mut out = Vec::new();
        push(text, italic, false, &|i| i, &mut out);
        out.iter()
            .map(|i| match i {
                Inline::Text(t) => t.clone(),
                Inline::Styled(Style::Emph, c) => match &c[0] {
                    Inline::Text(t) => format!("*{t}*"),
                    Inline::Styled(Style::Strong, c) => format!("*!{:?}!*", c),
                    other => format!("{other:?}"),
                },
                Inline::Styled(Style::Strong, c) => format!("!{:?}!", c),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn emphasis_flips_inside_italics() {
        let t = "Evolution in \u{206A}Drosophila\u{206B} flies";
        assert_eq!(shown(t, false), "Evolution in *Drosophila* flies");
        assert_eq!(shown(t, true), "*Evolution in *Drosophila* flies*");
        assert_eq!(shown("plain", true), "*plain*");
        assert_eq!(
            shown("\u{206A}\u{206A}twice\u{206B}\u{206B}", false),
            "twice"
        );
    }

    #[test]
    fn markers_do_not_change_the_order_of_titles() {
        let nl: icu_locale::Locale = "nl-NL".parse().unwrap();
        let c = icu_collator::Collator::try_new(nl.into(), Default::default()).unwrap();
        let marked = format!("{}apen{} en meer", ITALIC.0, ITALIC.1);
        assert_eq!(c.compare(&marked, "beren"), std::cmp::Ordering::Less);
        assert_eq!(
            c.compare(&marked, "apen en meer"),
            std::cmp::Ordering::Equal
        );
    }

    #[test]
    fn csl_markup_becomes_markers_and_text() {
        assert_eq!(
            from_html(
                "The <i>Drosophila</i> <span class=\"nocase\">DNA</span> and CO<sub>2</sub>, x<sup>ab</sup>, a < b"
            ),
            "The \u{206A}Drosophila\u{206B} DNA and CO₂, xᵃᵇ, a < b"
        );
        assert_eq!(
            from_html("<b>Vet</b> <sc>Caps</sc> <sup>q</sup>"),
            "\u{206C}Vet\u{206D} Caps q"
        );
        assert_eq!(from_html("stray \u{206A} marker"), "stray  marker");
    }
}
