//! Links an author writes to places in the book: `[tekst](#sec-x)`, `[tekst](02-methoden.md)`,
//! `[tekst](02-methoden.md#sec-y)`, `[tekst](../voorwoord.md)`.
//!
//! A Markdown file is the part it holds, wherever its page ends up, so authors link to the
//! files they write (the links work in their editor's preview too), relative to the linking
//! file as in any Markdown, or to the book folder. Each such link becomes a link to a place
//! that exists in every output, or an error at the link with a "did you mean". Names of
//! druk's own pages (`hoofdstuk-02.html`) are not taken: they follow the chapter numbers, and
//! a link to one breaks when a chapter moves.
//!
//! What a `#id` may name: a label anywhere in the book, or a heading of the same part by the
//! id druk gave it (`#h-inleiding`; also `#inleiding`, the id Pandoc would give it).

use crate::diag::{Diagnostic, did_you_mean};
use crate::model::{Block, LabelTarget, Part, Target};
use crate::source::{SourceMap, Span};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Everything a link may lead to, by part.
pub struct Targets {
    /// Per part: the ids of its headings and labelled elements.
    ids: Vec<HashSet<String>>,
    /// Per part: its file, relative to the book folder (empty for generated parts).
    files: Vec<String>,
    /// Part by file.
    by_file: HashMap<String, usize>,
    /// Per part: its chapter number.
    chapters: Vec<Option<u32>>,
    /// Per part: the id of its title.
    titles: Vec<String>,
}

/// What a link is, once looked at.
pub enum Link {
    /// A web address or another scheme (`mailto:`): left as it is.
    External,
    /// A place in the book.
    Internal(Target),
    /// A target that does not exist; the error says why.
    Broken(Box<Diagnostic>),
}

impl Targets {
    pub fn new(
        parts: &[Part],
        labels: &HashMap<String, LabelTarget>,
        sources: &SourceMap,
    ) -> Targets {
        let mut ids: Vec<HashSet<String>> = parts
            .iter()
            .map(|p| {
                let mut set = HashSet::new();
                set.insert(p.title.id.clone());
                headings(&p.blocks, &mut set);
                for f in &p.footnotes {
                    headings(&f.blocks, &mut set);
                }
                set
            })
            .collect();
        for l in labels.values() {
            if let Some(set) = ids.get_mut(l.target.part) {
                set.insert(l.target.id.clone());
            }
        }
        let files: Vec<String> = parts
            .iter()
            .map(|p| match p.kind {
                crate::model::PartKind::Bibliography => String::new(),
                _ => sources.get(p.file).rel.clone(),
            })
            .collect();
        let by_file = files
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.is_empty())
            .map(|(i, f)| (f.clone(), i))
            .collect();
        Targets {
            ids,
            files,
            by_file,
            chapters: parts.iter().map(|p| p.number).collect(),
            titles: parts.iter().map(|p| p.title.id.clone()).collect(),
        }
    }

    /// Looks at a link written in part `from`.
    pub fn link(
        &self,
        url: &str,
        span: Span,
        from: usize,
        labels: &HashMap<String, LabelTarget>,
    ) -> Link {
        let broken = |d: Diagnostic| Link::Broken(Box::new(d.at(span)));
        if has_scheme(url) {
            return match external(url) {
                None => Link::External,
                Some(d) => broken(d),
            };
        }
        if url.trim().is_empty() {
            return broken(
                Diagnostic::error("link", "this link has no target")
                    .label("links nowhere")
                    .help("give it one: `[tekst](#sec-x)`, `[tekst](hoofdstuk.md)` or `[tekst](https://…)`"),
            );
        }
        if url.starts_with("//") {
            return broken(
                Diagnostic::error("link", format!("the link `{url}` has no scheme"))
                    .label("an address without https:")
                    .help(format!("write the whole address: `https:{url}`")),
            );
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(decode(f))),
            None => (url, None),
        };
        let part = if path.is_empty() {
            from
        } else {
            match self.file(&decode(path), from) {
                Some(p) => p,
                None => return broken(self.no_part(url, path, from)),
            }
        };
        let Some(id) = fragment else {
            return Link::Internal(Target {
                part,
                id: self.titles[part].clone(),
            });
        };
        if let Some(l) = labels.get(&id)
            && (path.is_empty() || l.target.part == part)
        {
            return Link::Internal(l.target.clone());
        }
        for candidate in [id.clone(), format!("h-{id}")] {
            if self.ids[part].contains(&candidate) {
                return Link::Internal(Target {
                    part,
                    id: candidate,
                });
            }
        }
        broken(self.no_id(url, path, &id, part, labels))
    }

    /// The part a path names: relative to the linking file, or else to the book folder.
    fn file(&self, path: &str, from: usize) -> Option<usize> {
        let dir = Path::new(&self.files[from])
            .parent()
            .unwrap_or(Path::new(""));
        [
            crate::load::normalise(&dir.join(path)),
            crate::load::normalise(Path::new(path)),
        ]
        .into_iter()
        .flatten()
        .find_map(|p| self.by_file.get(&p).copied())
    }

    fn no_part(&self, url: &str, path: &str, from: usize) -> Diagnostic {
        // `03#hekje.md`: in a link, `#` starts the label.
        if url.contains('#') && self.file(&decode(url), from).is_some() {
            return Diagnostic::error(
                "link",
                format!("the link `{url}` stops at its `#`: what follows is read as a label"),
            )
            .label("a `#` in a file name")
            .help(format!(
                "write the file name's `#` as `%23`: `{}`",
                url.replace('#', "%23")
            ));
        }
        let lower = path.to_ascii_lowercase();
        let files = || {
            self.files
                .iter()
                .filter(|f| !f.is_empty())
                .map(String::as_str)
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        if lower.ends_with(".html") || lower.ends_with(".xhtml") || lower.ends_with(".htm") {
            // `hoofdstuk-02.html`: the chapter's own file is what to write.
            let number: Option<u32> = name
                .split('.')
                .next()
                .and_then(|s| s.strip_prefix("hoofdstuk-"))
                .and_then(|n| n.parse().ok());
            let chapter = number.and_then(|n| self.chapters.iter().position(|c| *c == Some(n)));
            let help = match chapter {
                Some(c) => format!("link to the chapter's file: `{}`", self.relative(c, from)),
                None => "link to a part's Markdown file, or to a label (`#sec-x`)".into(),
            };
            return Diagnostic::error(
                "link",
                format!("the link `{url}` names a page druk writes, not a file of the book"),
            )
            .label("druk names its pages by chapter number, and they move with the chapters")
            .help(help);
        }
        if lower.ends_with(".md") {
            let mut d = Diagnostic::error(
                "link",
                format!("the link `{url}` names a file that is not a part of the book"),
            )
            .label("not in book.yaml");
            let near = did_you_mean(name, files().map(|f| f.rsplit('/').next().unwrap_or(f)));
            d = match near.and_then(|n| files().position(|f| f.ends_with(n))) {
                Some(i) => d.help(format!("did you mean `{}`?", self.relative(i, from))),
                None => d.help(
                    "list the file in book.yaml under front, chapters or back, or link to a part that is",
                ),
            };
            return d;
        }
        Diagnostic::error(
            "link",
            format!("the link `{url}` names a file that is in none of the outputs"),
        )
        .label("not a part of the book")
        .help("link to the file's address on the web, https://…, or to a part of the book")
    }

    fn no_id(
        &self,
        url: &str,
        path: &str,
        id: &str,
        part: usize,
        labels: &HashMap<String, LabelTarget>,
    ) -> Diagnostic {
        let mut d = Diagnostic::error("link", format!("the link `{url}` leads nowhere")).label(
            if path.is_empty() {
                format!("no label or heading in this part has the id `{id}`")
            } else {
                format!("`{}` has no label or heading `{id}`", self.files[part])
            },
        );
        // A label that is in another part than the file named.
        if let Some(l) = labels.get(id) {
            return d.help(format!(
                "`#{id}` is in `{}`: write `#{id}`, labels are unique in the book",
                self.files[l.target.part]
            ));
        }
        let mut names: Vec<&str> = self.ids[part].iter().map(String::as_str).collect();
        if path.is_empty() {
            names.extend(labels.keys().map(String::as_str));
        }
        names.sort_unstable();
        d = match did_you_mean(id, names.into_iter()) {
            Some(near) => d.help(format!("did you mean `{path}#{near}`?")),
            None => d.help(format!(
                "label the heading or element: `{{#{id}}}`, or correct the link"
            )),
        };
        d
    }

    /// Part `to`'s file as a link from part `from` would write it.
    fn relative(&self, to: usize, from: usize) -> String {
        let target = &self.files[to];
        let dir = Path::new(&self.files[from])
            .parent()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        if dir.is_empty() {
            return target.clone();
        }
        match target.strip_prefix(&format!("{dir}/")) {
            Some(rest) => rest.to_string(),
            None => target.clone(),
        }
    }
}

fn headings(blocks: &[Block], out: &mut HashSet<String>) {
    for b in blocks {
        match b {
            Block::Heading(h) => {
                out.insert(h.id.clone());
            }
            Block::List(l) => l.items.iter().for_each(|i| headings(i, out)),
            Block::Quote(q) => headings(q, out),
            Block::Div(d) => headings(&d.blocks, out),
            Block::Kader(k) => headings(&k.blocks, out),
            _ => {}
        }
    }
}

/// The schemes e-readers and EPUBCheck know, and a book needs.
const SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "ftp", "sms", "geo", "urn"];

/// What keeps a web address from being followed, if anything: reading systems need a scheme
/// they know and, for the web, a host.
/// Spaces and other characters a URL cannot hold are percent-encoded when it is written.
fn external(url: &str) -> Option<Diagnostic> {
    let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
    let lower = scheme.to_ascii_lowercase();
    if lower == "doi" {
        return Some(
            Diagnostic::error(
                "link",
                format!("the link `{url}` has a scheme e-readers do not follow"),
            )
            .label("not a web address")
            .help(format!(
                "write the DOI as an address: `https://doi.org/{rest}`"
            )),
        );
    }
    if !SCHEMES.contains(&lower.as_str()) {
        return Some(Diagnostic::error(
            "link",
            format!("the link `{url}` has a scheme e-readers do not follow, `{scheme}:`"),
        )
        .label("not a web address")
        .help("link to a web address such as `https://…`, an e-mail address such as `mailto:…`, or a place in the book"));
    }
    if matches!(lower.as_str(), "http" | "https" | "ftp") {
        let host = rest
            .strip_prefix("//")
            .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""))
            .unwrap_or("");
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Some(
                Diagnostic::error("link", format!("the link `{url}` has no host"))
                    .label("an address needs a host")
                    .help(format!(
                        "write the whole address, such as `{lower}://example.org/…`"
                    )),
            );
        }
    } else if rest.trim().is_empty() {
        return Some(
            Diagnostic::error("link", format!("the link `{url}` is incomplete"))
                .label("nothing after the scheme")
                .help("complete the address, or remove the link"),
        );
    }
    None
}

/// `https:`, `mailto:`, `tel:` … (one letter is a Windows drive, not a scheme).
fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((s, _)) => {
            s.len() > 1
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), |d| d.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_paths() {
        for url in [
            "https://example.org",
            "mailto:a@b.nl",
            "tel:+31",
            "doi:10.1/x",
        ] {
            assert!(has_scheme(url), "{url}");
        }
        for url in ["#sec-a", "h/02.md", "C:/x.md", "02.md#sec:x", ""] {
            assert!(!has_scheme(url), "{url}");
        }
        let n = |p: &str| crate::load::normalise(Path::new(p));
        assert_eq!(n("h/../voorwoord.md").as_deref(), Some("voorwoord.md"));
        assert_eq!(n("h/./02.md").as_deref(), Some("h/02.md"));
        assert_eq!(n("../x.md"), None);
    }
}
