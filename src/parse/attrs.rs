//! Pandoc attribute syntax: `{#id .class key=value key="quoted value" -}`.
//!
//! comrak parses attributes on headings and images, but keeps a fenced div's info string raw
//! and leaves `{-}` in heading text, so druk has its own parser for those.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Attrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
}

impl Attrs {
    /// `{-}` and `{.unnumbered}` mean the same, as in Pandoc.
    pub fn unnumbered(&self) -> bool {
        self.classes.iter().any(|c| c == "unnumbered" || c == "-")
    }

    /// The attributes comrak read (on images and headings) in druk's form.
    pub fn from_comrak(a: Option<&comrak::nodes::Attributes>) -> Attrs {
        match a {
            Some(a) => Attrs {
                id: a.id.clone(),
                classes: a.classes.clone(),
                pairs: a.pairs.clone(),
            },
            None => Attrs::default(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the inside of `{…}` (without the braces). Errors name what is wrong.
pub fn parse(inner: &str) -> Result<Attrs, String> {
    let mut a = Attrs::default();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('#') {
            let (word, r) = take_word(r);
            if word.is_empty() {
                return Err("`#` must be followed by an identifier".into());
            }
            a.id = Some(word.to_string());
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let (word, r) = take_word(r);
            if word.is_empty() {
                return Err("`.` must be followed by a class name".into());
            }
            a.classes.push(word.to_string());
            rest = r;
        } else if rest.starts_with('-')
            && rest[1..].starts_with(|c: char| c.is_whitespace() || c == '}')
            || rest == "-"
        {
            a.classes.push("-".into());
            rest = &rest[1..];
        } else {
            let (key, r) = take_word(rest);
            if key.is_empty() {
                let bad = rest.chars().next().unwrap_or(' ');
                return Err(format!("unexpected `{bad}` in attributes"));
            }
            let Some(r) = r.strip_prefix('=') else {
                return Err(format!("attribute `{key}` needs a value: `{key}=\"…\"`"));
            };
            let (value, r) = if let Some(q) = r.strip_prefix('"').or_else(|| r.strip_prefix('\'')) {
                let quote = r.as_bytes()[0] as char;
                let end = q
                    .find(quote)
                    .ok_or_else(|| format!("the value of `{key}` has no closing {quote}"))?;
                (q[..end].to_string(), &q[end + 1..])
            } else {
                let end = r.find(char::is_whitespace).unwrap_or(r.len());
                (r[..end].to_string(), &r[end..])
            };
            a.pairs.push((key.to_string(), value));
            rest = r;
        }
        rest = rest.trim_start();
    }
    Ok(a)
}

fn take_word(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')))
        .unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// Splits a trailing `{…}` attribute block off text ("Samenvatting {-}" → ("Samenvatting", attrs)).
pub fn split_trailing(text: &str) -> Option<(&str, Result<Attrs, String>)> {
    let t = text.trim_end();
    if !t.ends_with('}') {
        return None;
    }
    let open = t.rfind('{')?;
    let inner = &t[open + 1..t.len() - 1];
    Some((t[..open].trim_end(), parse(inner)))
}

/// A fenced div's info string: `{.kader #id title="…"}`, or bare class words (`kader`).
pub fn parse_div_info(info: &str) -> Result<Attrs, String> {
    let info = info.trim();
    if let Some(inner) = info.strip_prefix('{') {
        let inner = inner
            .strip_suffix('}')
            .ok_or("the attributes have no closing `}`")?;
        return parse(inner);
    }
    // `kader {#id}` mixes both forms; Pandoc allows only one word, we accept both.
    let (words, attrs) = match info.find('{') {
        Some(i) => (&info[..i], Some(&info[i..])),
        None => (info, None),
    };
    let mut a = match attrs {
        Some(a) => parse_div_info(a)?,
        None => Attrs::default(),
    };
    for w in words.split_whitespace().rev() {
        a.classes.insert(0, w.to_string());
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_attribute_block() {
        let a = parse(r#".kader #kader-opgevoed title="Opgevoed worden" width=50%"#).unwrap();
        assert_eq!(a.id.as_deref(), Some("kader-opgevoed"));
        assert_eq!(a.classes, ["kader"]);
        assert_eq!(a.get("title"), Some("Opgevoed worden"));
        assert_eq!(a.get("width"), Some("50%"));
    }

    #[test]
    fn unnumbered_forms() {
        assert!(parse("-").unwrap().unnumbered());
        assert!(parse(".unnumbered").unwrap().unnumbered());
        assert!(parse("- #sec-x").unwrap().unnumbered());
        assert!(!parse("#sec-x").unwrap().unnumbered());
    }

    #[test]
    fn trailing_block_is_split_from_heading_text() {
        let (t, a) = split_trailing("Samenvatting {-}").unwrap();
        assert_eq!(t, "Samenvatting");
        assert!(a.unwrap().unnumbered());
        assert!(split_trailing("Geen attributen").is_none());
    }

    #[test]
    fn div_info_short_and_long() {
        assert_eq!(parse_div_info("kader").unwrap().classes, ["kader"]);
        let a = parse_div_info("{.kader #kader-x title='Een titel'}").unwrap();
        assert_eq!(a.get("title"), Some("Een titel"));
        assert_eq!(
            parse_div_info("kader {#kader-y}").unwrap().id.as_deref(),
            Some("kader-y")
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(parse("title=\"open").unwrap_err().contains("no closing"));
        assert!(parse("title").unwrap_err().contains("needs a value"));
        assert!(parse_div_info("{.kader").unwrap_err().contains("closing"));
    }
}
