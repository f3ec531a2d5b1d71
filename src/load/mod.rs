//! load: `book.yaml` and every file it names, read into a [`Project`] with a source map.
//!
//! Nothing outside the book folder is read (paths are confined, symlinks included), and every
//! problem is collected with its place in `book.yaml`, so an author fixes them in one go.

mod config;
pub mod isbn;

use crate::diag::{Diagnostic, did_you_mean};
use crate::lang::Lang;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use std::path::{Component, Path, PathBuf};

/// Everything the later stages need, read and checked.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub sources: SourceMap,
    pub book_yaml: FileId,
    pub meta: Meta,
    /// Reading order: front parts, chapters, back parts (files and generated).
    pub contents: Vec<Entry>,
    pub bibliography: Vec<FileId>,
    /// Keys to list without citing them; `*` lists every entry.
    pub nocite: Vec<String>,
    pub print: PrintSettings,
    pub styles: Styles,
}

#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub lang: Lang,
    /// The BCP 47 tag as written (`nl`, `nl-BE`), for `dc:language` and `xml:lang`.
    pub lang_tag: String,
    pub edition: Option<u32>,
    pub publisher: Option<String>,
    pub year: Option<i32>,
    /// Digits only, check digit verified.
    pub isbn_print: Option<String>,
    pub isbn_epub: Option<String>,
    /// A file-name-safe form of the title: `out/<slug>.epub`.
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File {
        kind: crate::model::PartKind,
        file: FileId,
        author: Option<String>,
    },
    /// The generated reference list (`back: [literatuur]`).
    Bibliography { span: Span },
}

/// Print geometry from `print:`; lengths in millimetres.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSettings {
    pub trim_mm: (f64, f64),
    pub bleed_mm: f64,
    pub marks: bool,
    pub signature: Option<u32>,
}

impl Default for PrintSettings {
    /// 170×240 mm is the common Dutch textbook format; 3 mm bleed is what printers ask for.
    fn default() -> Self {
        PrintSettings {
            trim_mm: (170.0, 240.0),
            bleed_mm: 3.0,
            marks: false,
            signature: None,
        }
    }
}

/// The house style: CSS for EPUB/HTML and the folder print fonts come from.
#[derive(Debug, Clone)]
pub struct Styles {
    /// The folder the style was read from; `None` for the built-in style.
    pub dir: Option<PathBuf>,
    pub css: String,
    /// `fonts/fonts.yaml` of the style folder, read so that a font it names that cannot be
    /// used is reported at its line there.
    pub fonts_manifest: Option<FileId>,
}

/// The built-in house style, so that `druk new` books build anywhere.
pub const BUILTIN_CSS: &str = include_str!("../../styles/epub.css");

/// Generated back-matter parts an author can name in `back:`.
const GENERATED_BIBLIOGRAPHY: &[&str] =
    &["literatuur", "references", "bibliography", "referenties"];

/// Reads and checks a book folder. On failure the source map comes back with the diagnostics,
/// so they can show their lines. `display_root` is how the user named the folder, so that
/// diagnostics print paths the terminal can open.
pub fn load(
    root: &Path,
    styles: Option<&Path>,
) -> Result<(Project, Vec<Diagnostic>), (SourceMap, Vec<Diagnostic>)> {
    let mut diags = Vec::new();
    let mut sources = SourceMap::default();
    let display = |rel: &str| -> String {
        if root == Path::new(".") || root.as_os_str().is_empty() {
            rel.to_string()
        } else {
            root.join(rel).to_string_lossy().into_owned()
        }
    };
    let yaml_path = root.join("book.yaml");
    let bytes = match std::fs::read(&yaml_path) {
        Ok(b) => b,
        Err(e) => {
            return Err((
                sources,
                vec![Diagnostic::error("no-book-yaml", format!("cannot read book.yaml: {e}"))
                    .in_file(display("book.yaml"))
                    .help("run `druk new DIR` to start a book, or give the folder that holds book.yaml")],
            ));
        }
    };
    let (text, utf8_err) = decode(bytes);
    let yaml = sources.add(SourceFile::new(
        display("book.yaml"),
        "book.yaml".into(),
        yaml_path,
        text,
    ));
    if let Some(at) = utf8_err {
        return Err((sources, vec![invalid_utf8(yaml, at)]));
    }
    let yaml_text = sources.get(yaml).text.clone();
    let cfg: config::BookYaml = match serde_yaml::from_str(&yaml_text) {
        Ok(c) => c,
        Err(e) => return Err((sources, vec![yaml_error(&e, &yaml_text, yaml)])),
    };
    let root_canon = match root.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            let d = Diagnostic::error("book-dir", format!("cannot open the book folder: {e}"))
                .in_file(root.to_string_lossy().into_owned());
            return Err((sources, vec![d]));
        }
    };
    let locate = |key: &str, value: &str| value_span(&yaml_text, yaml, key, value);

    let lang_tag = cfg.language.clone().unwrap_or_else(|| "nl".into());
    let lang = match Lang::from_tag(&lang_tag) {
        Some(l) => l,
        None => {
            diags.push(
                Diagnostic::error("language", format!("unsupported language `{lang_tag}`"))
                    .at(locate("language", &lang_tag))
                    .help("druk prints Dutch (`nl`) and English (`en`)"),
            );
            Lang::Nl
        }
    };
    let mut check_isbn = |key: &str, v: &Option<String>| -> Option<String> {
        let v = v.as_ref()?;
        match isbn::check(v) {
            Ok(d) => Some(d),
            Err(why) => {
                diags.push(
                    Diagnostic::error("isbn", format!("invalid ISBN `{v}` for isbn.{key}: {why}"))
                        .at(locate(key, v))
                        .label("check this number against the ISBN agency's registration"),
                );
                None
            }
        }
    };
    let isbn = cfg.isbn.as_ref();
    let isbn_print = isbn.and_then(|i| check_isbn("print", &i.print));
    let isbn_epub = isbn.and_then(|i| check_isbn("epub", &i.epub));

    let mut contents = Vec::new();
    let mut seen: Vec<(PathBuf, Span)> = Vec::new();
    // A file listed twice is found twice: the second time after the first.
    let mut placed: Vec<Span> = Vec::new();
    let mut add_file = |rel: &str,
                        key: &str,
                        kind: crate::model::PartKind,
                        author: Option<String>,
                        sources: &mut SourceMap,
                        diags: &mut Vec<Diagnostic>|
     -> Option<Entry> {
        let mut span = value_span(&yaml_text, yaml, key, rel);
        while placed.contains(&span) {
            match find_word(&yaml_text, span.end as usize, rel) {
                Some(i) => span = Span::new(yaml, i, i + rel.len()),
                None => break,
            }
        }
        placed.push(span);
        let path = match confine(root, &root_canon, rel) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d.at(span));
                return None;
            }
        };
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == path) {
            diags.push(
                Diagnostic::error("duplicate-file", format!("`{rel}` is listed twice"))
                    .at(span)
                    .related(*first, "first listed here")
                    .help("a file is one part of the book; remove one of the two"),
            );
            return None;
        }
        seen.push((path.clone(), span));
        let file = read_source(&path, rel, display(rel), sources, diags)?;
        Some(Entry::File { kind, file, author })
    };
    use crate::model::PartKind;
    for f in &cfg.front {
        if let Some(e) = add_file(f, "front", PartKind::Front, None, &mut sources, &mut diags) {
            contents.push(e);
        }
    }
    if cfg.chapters.is_empty() {
        diags.push(
            Diagnostic::error("no-chapters", "book.yaml lists no chapters")
                .at(locate("chapters", "chapters"))
                .help("add `chapters: [hoofdstukken/01-inleiding.md]`"),
        );
    }
    for c in &cfg.chapters {
        if let Some(e) = add_file(
            &c.file,
            "chapters",
            PartKind::Chapter,
            c.author.clone(),
            &mut sources,
            &mut diags,
        ) {
            contents.push(e);
        }
    }
    for b in &cfg.back {
        if GENERATED_BIBLIOGRAPHY.contains(&b.to_lowercase().as_str()) {
            contents.push(Entry::Bibliography {
                span: locate("back", b),
            });
        } else if b.ends_with(".md") {
            if let Some(e) = add_file(b, "back", PartKind::Back, None, &mut sources, &mut diags) {
                contents.push(e);
            }
        } else {
            diags.push(
                Diagnostic::error("back", format!("unknown back part `{b}`"))
                    .at(locate("back", b))
                    .help("use `literatuur` for the generated reference list, or a Markdown file"),
            );
        }
    }

    let mut bibliography = Vec::new();
    for b in cfg.bibliography.iter().flat_map(|b| b.0.iter()) {
        let span = locate("bibliography", b);
        match confine(root, &root_canon, b) {
            Ok(path) => {
                if let Some(id) = read_source(&path, b, display(b), &mut sources, &mut diags) {
                    bibliography.push(id);
                }
            }
            Err(d) => diags.push(d.at(span)),
        }
    }

    let nocite = cfg
        .nocite
        .iter()
        .flat_map(|n| n.0.iter())
        .flat_map(|s| s.split([',', ';', ' ']))
        .map(|k| k.trim().trim_start_matches('@').to_string())
        .filter(|k| !k.is_empty())
        .collect();
    let print = print_settings(cfg.print.as_ref(), &yaml_text, yaml, &mut diags);
    let styles = match load_styles(root, styles) {
        Ok(s) => s,
        Err(d) => {
            diags.push(*d);
            Styles {
                dir: None,
                css: BUILTIN_CSS.to_string(),
                fonts_manifest: None,
            }
        }
    };
    let mut styles = styles;
    if let Some(dir) = &styles.dir {
        let path = dir.join("fonts").join("fonts.yaml");
        if let Ok(bytes) = std::fs::read(&path) {
            let (text, _) = decode(bytes);
            let name = path.to_string_lossy().into_owned();
            styles.fonts_manifest =
                Some(sources.add(SourceFile::new(name.clone(), name, path, text)));
        }
    }

    if cfg.title.trim().is_empty() {
        diags.push(
            Diagnostic::error("title", "the book has an empty title").at(locate("title", "title")),
        );
    }
    let number = |key: &str, v: Option<i64>, range: &NumberRange, diags: &mut Vec<Diagnostic>| {
        let v = v?;
        match range.check(v) {
            Some(n) => Some(n),
            None => {
                diags.push(range.error(key, v).at(locate(key, &v.to_string())));
                None
            }
        }
    };
    let edition = number("edition", cfg.edition, &EDITION, &mut diags).map(|n| n as u32);
    let year = number("year", cfg.year, &YEAR, &mut diags).map(|n| n as i32);
    let meta = Meta {
        slug: slug(&cfg.title),
        title: cfg.title,
        subtitle: cfg.subtitle,
        authors: cfg.authors,
        lang,
        lang_tag,
        edition,
        publisher: cfg.publisher,
        year,
        isbn_print,
        isbn_epub,
    };
    if diags
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
    {
        return Err((sources, diags));
    }
    Ok((
        Project {
            root: root.to_path_buf(),
            sources,
            book_yaml: yaml,
            meta,
            contents,
            bibliography,
            nocite,
            print,
            styles,
        },
        diags,
    ))
}

/// The accepted values of a number in book.yaml, and what to say when one is outside them.
pub struct NumberRange {
    /// The diagnostic's code.
    pub code: &'static str,
    pub min: i64,
    pub max: i64,
    /// Only multiples of this (1: any whole number).
    pub step: i64,
    /// What the number is, for the message ("the edition").
    pub what: &'static str,
    /// Why these are the bounds.
    pub why: &'static str,
}

/// A druk above 999 is a typo; the number is printed in the colophon and the OPF.
pub const EDITION: NumberRange = NumberRange {
    code: "edition",
    min: 1,
    max: 999,
    step: 1,
    what: "the edition",
    why: "the number of the druk, printed in the colophon",
};

/// Dates in the OPF, the PDF and XMP are written with four-digit years.
pub const YEAR: NumberRange = NumberRange {
    code: "year",
    min: 1000,
    max: 9999,
    step: 1,
    what: "the year",
    why: "a four-digit year, as EPUB and PDF dates are written",
};

/// Printers fold sheets into signatures of 4 to 64 pages; padding a book to more than that
/// is a typo, and one of 1048576 pages took 7 GB to lay out.
pub const SIGNATURE: NumberRange = NumberRange {
    code: "print-signature",
    min: 4,
    max: 64,
    step: 4,
    what: "the signature",
    why: "the pages of one folded sheet, a multiple of 4: 4, 8, 16, 32 or 64",
};

/// Trim sizes from a pocket notebook to a poster, in millimetres.
pub const TRIM_MM: (f64, f64) = (50.0, 1000.0);

/// The largest bleed printers ask for, in millimetres.
pub const BLEED_MAX_MM: f64 = 10.0;

impl NumberRange {
    fn check(&self, v: i64) -> Option<i64> {
        (self.min <= v && v <= self.max && v % self.step == 0).then_some(v)
    }

    fn error(&self, key: &str, v: i64) -> Diagnostic {
        let msg = if self.min <= v && v <= self.max {
            format!("{key}: {v} is not a multiple of {}", self.step)
        } else {
            format!(
                "{key}: {v} is out of range; {} is a number from {} to {}",
                self.what, self.min, self.max
            )
        };
        Diagnostic::error(self.code, msg)
            .label("out of range")
            .help(self.why)
    }
}

/// serde_yaml's message in an author's words, at its place, with a way out.
fn yaml_error(e: &serde_yaml::Error, text: &str, file: FileId) -> Diagnostic {
    let mut at = e.location().map_or(0, |l| l.index()).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let msg = e.to_string();
    // serde_yaml appends " at line N column M"; the span says that already.
    let mut msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    for (from, to) in [
        ("expected u32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected struct BookYaml", "expected a map of keys"),
        ("expected struct IsbnYaml", "expected a map"),
        ("expected struct PrintYaml", "expected a map"),
        ("expected a borrowed string", "expected a string"),
    ] {
        msg = msg.replace(from, to);
    }
    // Numbers beyond 64 bits: serde says "invalid type: integer `N` as u128".
    if let Some(rest) = msg.split("invalid type: integer `").nth(1)
        && let Some((n, _)) = rest.split_once("` as ")
    {
        let key = msg.split(':').next().unwrap_or("").to_string();
        msg = format!("{key}: {n} is far too large");
    }
    let backticked = |m: &str, after: &str| -> Option<String> {
        Some(m.split(after).nth(1)?.split('`').next()?.to_string())
    };
    let mut help = None;
    if let Some(field) = backticked(&msg, "unknown field `") {
        let known = msg.split("expected ").nth(1).unwrap_or("");
        let keys: Vec<&str> = known.split('`').skip(1).step_by(2).collect();
        help = did_you_mean(&field, keys.iter().copied()).map(|k| format!("did you mean `{k}`?"));
    } else if let Some(field) = backticked(&msg, "duplicate field `") {
        // serde_yaml gives no place for this one: the second time the key starts a line.
        let key = format!("{field}:");
        let mut lines = text.match_indices(&key).filter(|(i, _)| {
            text[..*i]
                .chars()
                .next_back()
                .is_none_or(|c| c == '\n' || c == ' ' || c == '{' || c == ',')
        });
        if let (Some(_), Some((second, _))) = (lines.next(), lines.next()) {
            at = second;
        }
        help = Some(format!("`{field}` may appear once; merge the two"));
    } else if msg.contains("missing field `") {
        help = Some(
            "book.yaml needs at least `title:` and `chapters:`, the list of chapter files".into(),
        );
    } else if msg.contains("expected a sequence") {
        help = Some("write a list: `[a.md, b.md]`, or one `- item` per line".into());
    } else if msg.starts_with("isbn:") && msg.ends_with("expected a map") {
        help = Some("write `isbn: { print: 978-…, epub: 978-… }`".into());
    } else if msg.starts_with("print:") && msg.ends_with("expected a map") {
        help = Some("write `print: { trim: 170x240mm, bleed: 3mm }`".into());
    } else if msg.contains("expected a map of keys") {
        help =
            Some("book.yaml is a map of keys: `title: …`, `chapters: [...]`, one per line".into());
    }
    let mut d = Diagnostic::error("book-yaml", format!("book.yaml: {msg}")).at(Span::new(
        file,
        at,
        at + text[at..].chars().next().map_or(0, char::len_utf8),
    ));
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// Decodes UTF-8; on failure keeps a lossy text (same lines up to the bad byte) and its offset.
/// A byte order mark is dropped: Windows editors write one, and to YAML and Markdown it would
/// be part of the first key or line. Positions count from after it, as editors show them.
fn decode(mut bytes: Vec<u8>) -> (String, Option<usize>) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

fn invalid_utf8(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::error("invalid-utf8", "the file is not valid UTF-8")
        .at(Span::new(file, at, at + 1))
        .label("this byte does not belong to a UTF-8 character")
        .help("save the file as UTF-8; most editors offer this under Save with Encoding")
}

fn read_source(
    path: &Path,
    rel: &str,
    name: String,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let (text, err) = decode(bytes);
            let id = sources.add(SourceFile::new(
                name,
                rel.to_string(),
                path.to_path_buf(),
                text,
            ));
            if let Some(at) = err {
                diags.push(invalid_utf8(id, at));
                return None;
            }
            Some(id)
        }
        Err(e) => {
            diags
                .push(Diagnostic::error("read", format!("cannot read `{rel}`: {e}")).in_file(name));
            None
        }
    }
}

/// Resolves a path from book.yaml inside the book folder, refusing anything that leaves it.
pub fn confine(root: &Path, root_canon: &Path, rel: &str) -> Result<PathBuf, Box<Diagnostic>> {
    let p = Path::new(rel);
    if rel.trim().is_empty() {
        return Err(Box::new(Diagnostic::error("path", "empty file name")));
    }
    if p.is_absolute()
        || p.components()
            .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
    {
        return Err(
            Diagnostic::error("path-escape", format!("`{rel}` is an absolute path"))
                .label("paths are relative to the book folder")
                .help("copy the file into the book folder and name it relative to book.yaml")
                .into(),
        );
    }
    if p.components().any(|c| c == Component::ParentDir) {
        return Err(
            Diagnostic::error("path-escape", format!("`{rel}` leaves the book folder"))
                .label("`..` is not allowed here")
                .help("a book is one folder; copy the file into it")
                .into(),
        );
    }
    let full = root.join(p);
    if !full.exists() {
        let mut d = Diagnostic::error("missing-file", format!("file not found: `{rel}`"))
            .label("no such file");
        if let Some(near) = nearby_file(root, p) {
            d = d.help(format!("did you mean `{near}`?"));
        }
        return Err(Box::new(d));
    }
    let canon = full.canonicalize().map_err(|e| {
        Box::new(Diagnostic::error(
            "read",
            format!("cannot open `{rel}`: {e}"),
        ))
    })?;
    if !canon.starts_with(root_canon) {
        return Err(Box::new(
            Diagnostic::error(
                "path-escape",
                format!("`{rel}` is a link to a file outside the book folder"),
            )
            .label("a symbolic link leaves the book folder")
            .help("copy the file into the book folder instead of linking to it"),
        ));
    }
    if canon.is_dir() {
        return Err(Box::new(
            Diagnostic::error("missing-file", format!("`{rel}` is a folder, not a file"))
                .label("a folder")
                .help(format!(
                    "name a file in it, such as `{}/…`",
                    rel.trim_end_matches('/')
                )),
        ));
    }
    if !canon.is_file() {
        return Err(Box::new(Diagnostic::error(
            "missing-file",
            format!("`{rel}` is not a file"),
        )));
    }
    Ok(full)
}

/// [`confine`] for a path written as a URL in Markdown: as written, or else with its
/// percent-escapes decoded (`met%20spatie.png` for `met spatie.png`, the way CommonMark
/// asks for a space). Returns the path to use.
/// `from` is the Markdown file's path: a path that would be right from its folder gets a
/// help line that says what to write.
pub fn confine_url(
    root: &Path,
    root_canon: &Path,
    url: &str,
    from: &str,
) -> Result<String, Box<Diagnostic>> {
    let e = match confine(root, root_canon, url) {
        Ok(_) => return Ok(url.to_string()),
        Err(e) => e,
    };
    let decoded = percent_encoding::percent_decode_str(url)
        .decode_utf8()
        .map_or_else(|_| url.to_string(), |d| d.into_owned());
    if decoded != url && confine(root, root_canon, &decoded).is_ok() {
        return Ok(decoded);
    }
    let from_dir = Path::new(from).parent().unwrap_or(Path::new(""));
    let beside = [url, decoded.as_str()]
        .into_iter()
        .filter_map(|u| normalise(&from_dir.join(u)))
        .find(|p| confine(root, root_canon, p).is_ok());
    match beside {
        Some(p) if !from_dir.as_os_str().is_empty() => Err(Box::new(
            e.help(format!(
                "paths are relative to the book folder, where book.yaml is, not to `{from}`: write `{p}`"
            )),
        )),
        _ => Err(e),
    }
}

/// `a/b/../c` as `a/c`; `None` for a path that climbs out of where it starts.
pub(crate) fn normalise(p: &Path) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.is_empty()).then(|| out.join("/"))
}

/// The closest existing name in the same folder, for "did you mean".
fn nearby_file(root: &Path, rel: &Path) -> Option<String> {
    let dir = rel.parent().unwrap_or(Path::new(""));
    let name = rel.file_name()?.to_str()?;
    let entries: Vec<String> = std::fs::read_dir(root.join(dir))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let near = did_you_mean(name, entries.iter().map(String::as_str))?;
    Some(dir.join(near).to_string_lossy().into_owned())
}

/// Where a value sits in book.yaml. serde_yaml keeps no spans for valid values, so we find the
/// key and then the value's text after it, as a whole word (`h` is not the `h` of `chapters`,
/// `3` not the `3` of `13`).
fn value_span(text: &str, file: FileId, key: &str, value: &str) -> Span {
    let key_at = find_key(text, key);
    let after_key = key_at.map_or(0, |k| k + key.len() + 1);
    let found = find_word(text, after_key, value).or_else(|| find_word(text, 0, value));
    match (found, key_at) {
        (Some(i), _) => Span::new(file, i, i + value.len()),
        (None, Some(k)) => Span::new(file, k, k + key.len()),
        (None, None) => Span::new(file, 0, 0),
    }
}

/// The first occurrence of `word` at or after `from` that is not part of a longer name.
fn find_word(text: &str, from: usize, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let part_of_name = |c: char| c.is_alphanumeric() || "-_./".contains(c);
    let mut at = from;
    while let Some(i) = text.get(at..)?.find(word) {
        let start = at + i;
        let end = start + word.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(part_of_name) && !after.is_some_and(part_of_name) {
            return Some(start);
        }
        at = start + word.chars().next().map_or(1, char::len_utf8);
    }
    None
}

fn find_key(text: &str, key: &str) -> Option<usize> {
    let pat = format!("{key}:");
    let mut from = 0;
    while let Some(i) = text[from..].find(&pat) {
        let at = from + i;
        let before = text[..at].chars().last();
        if before.is_none_or(|c| c.is_whitespace() || c == '{' || c == ',') {
            return Some(at);
        }
        from = at + pat.len();
    }
    None
}

fn print_settings(
    p: Option<&config::PrintYaml>,
    text: &str,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> PrintSettings {
    let mut s = PrintSettings::default();
    let Some(p) = p else { return s };
    if let Some(trim) = &p.trim {
        let (lo, hi) = TRIM_MM;
        match parse_size(trim) {
            Some((w, h)) if (lo..=hi).contains(&w) && (lo..=hi).contains(&h) => {
                s.trim_mm = (w, h)
            }
            Some((w, h)) => diags.push(
                Diagnostic::error(
                    "print-trim",
                    format!(
                        "trim: {trim} is {w:.0}×{h:.0} mm; each side must be from {lo:.0} to {hi:.0} mm"
                    ),
                )
                .at(value_span(text, file, "trim", trim))
                .label("out of range")
                .help("the trimmed page size, for example `trim: 170x240mm`"),
            ),
            None => diags.push(
                Diagnostic::error(
                    "print-trim",
                    format!("trim: expected WIDTHxHEIGHTmm, found `{trim}`"),
                )
                .at(value_span(text, file, "trim", trim))
                .help("for example `trim: 170x240mm`"),
            ),
        }
    }
    if let Some(bleed) = &p.bleed {
        let span = value_span(text, file, "bleed", bleed);
        match parse_length(bleed) {
            Some(b) if b <= BLEED_MAX_MM => s.bleed_mm = b,
            Some(_) => diags.push(
                Diagnostic::error(
                    "print-bleed",
                    format!("bleed: {bleed} is out of range; the bleed is from 0 to {BLEED_MAX_MM:.0} mm"),
                )
                .at(span)
                .label("out of range")
                .help("printers ask for 3 mm, some for 5 mm: `bleed: 3mm`"),
            ),
            None => diags.push(
                Diagnostic::error(
                    "print-bleed",
                    format!("bleed: expected a length such as `3mm`, found `{bleed}`"),
                )
                .at(span)
                .help("a number with its unit: mm, cm, in or pt"),
            ),
        }
    }
    s.marks = p.marks.unwrap_or(false);
    if let Some(sig) = p.signature {
        match SIGNATURE.check(sig) {
            Some(n) => s.signature = Some(n as u32),
            None => diags.push(SIGNATURE.error("signature", sig).at(value_span(
                text,
                file,
                "signature",
                &sig.to_string(),
            ))),
        }
    }
    s
}

/// `170x240mm`, `17x24cm`, `6.69x9.45in`.
fn parse_size(s: &str) -> Option<(f64, f64)> {
    let s = s.trim().to_ascii_lowercase().replace(' ', "");
    let (num, unit) = split_unit(&s)?;
    let (w, h) = num.split_once(['x', '×'])?;
    let f = unit_mm(unit)?;
    let (w, h) = (w.parse::<f64>().ok()? * f, h.parse::<f64>().ok()? * f);
    (w.is_finite() && h.is_finite()).then_some((w, h))
}

fn parse_length(s: &str) -> Option<f64> {
    let s = s.trim().to_ascii_lowercase().replace(' ', "");
    let (num, unit) = split_unit(&s)?;
    let v = num.parse::<f64>().ok()? * unit_mm(unit)?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

fn split_unit(s: &str) -> Option<(&str, &str)> {
    let i = s.rfind(|c: char| c.is_ascii_digit() || c == '.')? + 1;
    Some((&s[..i], &s[i..]))
}

fn unit_mm(unit: &str) -> Option<f64> {
    Some(match unit {
        "mm" => 1.0,
        "cm" => 10.0,
        "in" => 25.4,
        "pt" => 25.4 / 72.0,
        _ => return None,
    })
}

fn load_styles(root: &Path, explicit: Option<&Path>) -> Result<Styles, Box<Diagnostic>> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => vec![root.join("styles"), root.join("..").join("styles")],
    };
    if let Some(dir) = explicit
        && !dir.is_dir()
    {
        return Err(Diagnostic::error(
            "no-styles-folder",
            format!("the style folder `{}` does not exist", dir.display()),
        )
        .in_file(dir.to_string_lossy().into_owned())
        .help("give --styles the folder that holds epub.css and fonts/, or leave it out for druk's own style")
        .into());
    }
    for dir in candidates {
        let css_path = dir.join("epub.css");
        if css_path.is_file() {
            let css = std::fs::read_to_string(&css_path).map_err(|e| {
                Box::new(
                    Diagnostic::error("styles", format!("cannot read the house style: {e}"))
                        .in_file(css_path.to_string_lossy().into_owned()),
                )
            })?;
            return Ok(Styles {
                dir: Some(dir),
                css,
                fonts_manifest: None,
            });
        }
        if explicit.is_some() {
            return Err(
                Diagnostic::error("styles", "the style folder has no epub.css")
                    .in_file(dir.to_string_lossy().into_owned())
                    .into(),
            );
        }
    }
    Ok(Styles {
        dir: None,
        css: BUILTIN_CSS.to_string(),
        fonts_manifest: None,
    })
}

/// A file-name-safe, lower-case ASCII form of the title ("opvoedingsondersteuning-als-…").
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(fold_diacritic) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "book".into()
    } else {
        out.to_string()
    }
}

pub(crate) fn fold_diacritic(c: char) -> Vec<char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ĳ' => return vec!['i', 'j'],
        _ => c,
    };
    vec![base]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_lengths() {
        assert_eq!(parse_size("170x240mm"), Some((170.0, 240.0)));
        assert_eq!(parse_size("17 x 24 cm"), Some((170.0, 240.0)));
        assert_eq!(parse_size("170x240"), None);
        assert_eq!(parse_size("A4"), None);
        assert_eq!(parse_length("3mm"), Some(3.0));
        assert_eq!(parse_length("0.5cm"), Some(5.0));
        assert_eq!(parse_length("3"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Opvoedingsondersteuning als bijzondere vorm"),
            "opvoedingsondersteuning-als-bijzondere-vorm"
        );
        assert_eq!(slug("Coördinatie & zorg!"), "coordinatie-zorg");
        assert_eq!(slug("???"), "book");
    }

    #[test]
    fn value_span_finds_value_after_key() {
        let text = "title: x\nchapters:\n  - a.md\n  - b.md\n";
        let s = value_span(text, FileId(0), "chapters", "b.md");
        assert_eq!(&text[s.start as usize..s.end as usize], "b.md");
    }
}
