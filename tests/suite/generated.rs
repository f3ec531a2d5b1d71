//! Hostile books from a generator with fixed seeds: odd file names (spaces, `#`, `%`, `?`,
//! letters beyond ASCII, names that differ in case only), nesting to past the limit, huge and
//! minified bibliographies, damaged images and fonts, links and references good and broken,
//! byte order marks and book.yaml numbers in and out of range.
//!
//! Half the books are sound in every way an author may write them; the other half are broken
//! at random. Every build (all four formats) must end with exit code 0, 1 or 2 (never a
//! signal), every message must say where (`file:line:col` or a path; a layout warning about a
//! page may name the page instead), a build that succeeds
//! must leave an EPUB that EPUBCheck passes with no errors and no warnings, and peak memory
//! must stay under 100 MB + 200 × the book's size on disk. A failure names its seed and keeps
//! the book under target/tmp/generated-<seed>/ to rebuild by hand.

use crate::common::*;
use crate::robust::Rng;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// What an image file holds.
#[derive(Clone, Copy, PartialEq)]
enum Content {
    Png,
    Jpeg,
    JpegNamedPng,
    PngCutShort,
    JpegCutShort,
    Text,
    Empty,
    Gif,
}

impl Content {
    fn sound(self) -> bool {
        matches!(self, Content::Png | Content::Jpeg | Content::JpegNamedPng)
    }
}

/// Image names that no URL or zip takes as they are.
const IMAGE_STEMS: &[&str] = &[
    "schema",
    "Schema",
    "met spatie",
    "a#b",
    "100%",
    "wat?",
    "coördinatie",
    "日本",
    "ĳsje & co",
    "x.y.z",
    "-streep-",
];

/// Chapter files with the same kinds of names.
const CHAPTER_NAMES: &[&str] = &[
    "01-inleiding",
    "02 met spatie",
    "03#hekje",
    "één",
    "Hoofdletter",
    "hoofdletter",
    "100%",
];

/// Percent-encodes everything but letters, digits, `/`, `.`, `-` and `_`.
fn percent(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A link destination for `path`: as it is when it can be, in `<…>` or percent-encoded.
fn destination(rng: &mut Rng, path: &str) -> String {
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-#".contains(&b));
    match rng.below(3) {
        0 if plain && !path.contains('#') => path.to_string(),
        1 if !path.contains(['<', '>']) => format!("<{path}>"),
        _ => percent(path),
    }
}

struct Gen {
    rng: Rng,
    clean: bool,
    /// Labels of every chapter and section, planned before any text is written.
    labels: Vec<String>,
    /// Chapter files, relative to the book folder.
    chapters: Vec<String>,
    /// Image paths (relative to the book folder) and what they hold.
    images: Vec<(String, Content)>,
    keys: usize,
    note: usize,
}

impl Gen {
    fn text(&mut self) -> String {
        const WORDS: &[&str] = &[
            "opvoeding",
            "preventie",
            "coördinatie",
            "het",
            "gezin",
            "ouders",
            "ondersteuning",
            "'enkel'",
            "\"dubbel\"",
            "ĳsje",
            "&",
            "<",
            "zo’n",
        ];
        (0..3 + self.rng.below(12))
            .map(|_| *self.rng.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn link(&mut self, from: &str) -> String {
        let broken = !self.clean && self.rng.chance(30);
        if broken {
            let target = self
                .rng
                .pick(&[
                    "#nergens",
                    "hoofdstuk-02.html",
                    "data.xlsx",
                    "javascript:alert(1)",
                    "",
                    "https://",
                    "niet-in-het-boek.md",
                    "doi:10.1000/1",
                ])
                .to_string();
            return format!("[kapot]({target})");
        }
        let dir = Path::new(from)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let target = match self.rng.below(5) {
            0 if !self.labels.is_empty() => format!("#{}", self.rng.pick(&self.labels).clone()),
            1 => {
                let file = self.rng.pick(&self.chapters).clone();
                let rel = file
                    .strip_prefix(&format!("{dir}/"))
                    .unwrap_or(&file)
                    .to_string();
                destination(&mut self.rng, &rel)
            }
            2 => "../voorwoord.md".into(),
            3 => "<https://example.org/een pad?q=1&r=2>".into(),
            _ => "mailto:redactie@example.org".into(),
        };
        format!("[{}]({target})", self.text())
    }

    fn image(&mut self, figure: bool) -> String {
        let (path, _) = self.rng.pick(&self.images).clone();
        let dest = destination(&mut self.rng, &path);
        let caption = self.text();
        if figure {
            let n = self.rng.next() % 1_000_000;
            format!("![{caption}]({dest}){{#fig-{n}}}\n\n")
        } else {
            format!("![{caption}]({dest})")
        }
    }

    fn inline(&mut self, from: &str) -> String {
        let mut s = String::new();
        for _ in 0..1 + self.rng.below(6) {
            s.push(' ');
            match self.rng.below(9) {
                0 => s.push_str(&self.link(from)),
                1 if !self.labels.is_empty() => {
                    let l = self.rng.pick(&self.labels).clone();
                    s.push_str(&format!("@{l}"));
                }
                2 if self.keys > 0 => {
                    let k = self.rng.below(self.keys);
                    s.push_str(&format!("[@k{k}]"));
                }
                2 if !self.clean => s.push_str("[@onbekend]"),
                3 => {
                    self.note += 1;
                    s.push_str(&format!("[^n{}]", self.note));
                }
                4 => s.push_str(&self.image(false)),
                5 => s.push_str(&format!("*{}*", self.text())),
                6 if !self.clean => s.push_str("@sec-bestaatniet"),
                _ => s.push_str(&self.text()),
            }
        }
        s
    }

    fn nested(&mut self) -> String {
        // Deeper than the limit of 100 only in broken books.
        let max = if self.clean { 90 } else { 140 };
        let depth = 1 + self.rng.below(max);
        match self.rng.below(3) {
            0 => format!("{} diep\n\n", ">".repeat(depth)),
            1 => {
                (0..depth)
                    .map(|i| format!("{}- punt\n", "  ".repeat(i)))
                    .collect::<String>()
                    + "\n"
            }
            _ => format!(
                "{}x{}\n\n",
                "*".repeat(depth.min(60)),
                "*".repeat(depth.min(60))
            ),
        }
    }

    fn chapter(&mut self, n: usize) -> String {
        let file = self.chapters[n].clone();
        let mut s = String::new();
        if self.rng.chance(20) {
            s.push('\u{feff}');
        }
        let _ = writeln!(s, "# Hoofdstuk {} {{#sec-ch{n}}}\n", self.text());
        let notes_before = self.note;
        for sec in 0..1 + self.rng.below(4) {
            let _ = writeln!(s, "## Sectie {} {{#sec-ch{n}-{sec}}}\n", self.text());
            for _ in 0..1 + self.rng.below(6) {
                match self.rng.below(9) {
                    0 => s.push_str(&self.image(true)),
                    1 => s.push_str(&self.nested()),
                    2 => {
                        let _ = write!(
                            s,
                            "::: {{.kader #kader-{}-{} title=\"Kader: {}\"}}\n{}\n:::\n\n",
                            n,
                            self.rng.next() % 100_000,
                            // A double quote would end the title.
                            self.text().replace('"', "'"),
                            self.inline(&file)
                        );
                    }
                    3 => {
                        let _ = write!(
                            s,
                            "| a | b |\n|---|--:|\n| {} | {} |\n\n: Tabel {} {{#tbl-{}-{}}}\n\n",
                            self.text(),
                            self.inline(&file).replace('|', "/"),
                            self.text(),
                            n,
                            self.rng.next() % 100_000
                        );
                    }
                    4 => s.push_str("```\ncode <met> & tekens\n```\n\n"),
                    _ => {
                        let _ = writeln!(s, "{}\n", self.inline(&file));
                    }
                }
            }
        }
        for k in notes_before + 1..=self.note {
            let _ = writeln!(s, "[^n{k}]: Noot {}.\n", self.text());
        }
        s
    }
}

fn image_bytes(content: Content) -> Vec<u8> {
    let png = std::fs::read(root().join("tests/books/basics/afbeeldingen/schema.png")).unwrap();
    let bad = root().join("tests/errors/bad-images/book/afbeeldingen");
    let jpeg = std::fs::read(bad.join("foto-als-png.png")).unwrap();
    match content {
        Content::Png => png,
        Content::Jpeg | Content::JpegNamedPng => jpeg,
        Content::PngCutShort => png[..png.len() * 2 / 3].to_vec(),
        Content::JpegCutShort => jpeg[..jpeg.len() - 20].to_vec(),
        Content::Text => b"Dit is geen afbeelding.\n".to_vec(),
        Content::Empty => Vec::new(),
        Content::Gif => std::fs::read(bad.join("geanimeerd.gif")).unwrap(),
    }
}

/// A bibliography of `n` works on one line, as tools export it; a few share author and year.
fn bibliography(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            let author = if i % 50 == 1 { i - 1 } else { i };
            format!(
                r#"{{"id":"k{i}","type":"article-journal","title":"Titel {i} over “opvoeding” & preventie","author":[{{"family":"Auteur{author}","given":"Anna"}}],"issued":{{"date-parts":[[{}]]}},"container-title":"Tijdschrift","page":"1-10"}}"#,
                1950 + author % 70
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Writes the book of `seed` and returns its folder and whether it is meant to be sound.
fn generate(seed: u64) -> (PathBuf, bool) {
    let clean = seed.is_multiple_of(2);
    let mut rng = Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0xd1b5_4a32_d192_ed03);
    let dir = scratch(&format!("generated-{seed}"));
    let book = dir.join("boek");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::create_dir_all(book.join("afbeeldingen")).unwrap();

    // Chapters: odd names, two that differ in case only now and then.
    let mut names: Vec<&str> = CHAPTER_NAMES.to_vec();
    let count = 1 + rng.below(4);
    let mut chapters = Vec::new();
    for _ in 0..count {
        let i = rng.below(names.len());
        chapters.push(format!("h/{}.md", names.remove(i)));
    }
    let mut labels = Vec::new();
    for n in 0..count {
        labels.push(format!("sec-ch{n}"));
        labels.push(format!("sec-ch{n}-0"));
    }

    // Images: odd names, sound contents in sound books.
    let mut images = Vec::new();
    for i in 0..1 + rng.below(6) {
        let stem = rng.pick(IMAGE_STEMS);
        let content = if clean {
            *rng.pick(&[Content::Png, Content::Jpeg, Content::JpegNamedPng])
        } else {
            *rng.pick(&[
                Content::Png,
                Content::Jpeg,
                Content::JpegNamedPng,
                Content::PngCutShort,
                Content::JpegCutShort,
                Content::Text,
                Content::Empty,
                Content::Gif,
            ])
        };
        let ext = match content {
            Content::Jpeg | Content::JpegCutShort => *rng.pick(&["jpg", "JPEG"]),
            Content::Gif => "gif",
            _ => "png",
        };
        let folder = if i % 3 == 2 {
            "afbeeldingen/sub"
        } else {
            "afbeeldingen"
        };
        let path = format!("{folder}/{stem}.{ext}");
        if images.iter().any(|(p, _): &(String, Content)| *p == path) {
            continue;
        }
        std::fs::create_dir_all(book.join(folder)).unwrap();
        std::fs::write(book.join(&path), image_bytes(content)).unwrap();
        images.push((path, content));
    }
    debug_assert!(!clean || images.iter().all(|(_, c)| c.sound()));

    let keys = if seed == 6 {
        20_000
    } else {
        *rng.pick(&[0, 3, 50, 200, 2000])
    };
    let mut g = Gen {
        rng: Rng(rng.next()),
        clean,
        labels,
        chapters: chapters.clone(),
        images,
        keys,
        note: 0,
    };
    for (n, file) in chapters.iter().enumerate() {
        let text = g.chapter(n);
        std::fs::write(book.join(file), text).unwrap();
    }
    // A note is defined in the file that refers to it.
    let notes_before = g.note;
    let mut voorwoord = format!("# Voorwoord\n\n{}\n", g.inline("voorwoord.md"));
    for k in notes_before + 1..=g.note {
        let _ = writeln!(voorwoord, "\n[^n{k}]: Noot {}.", g.text());
    }
    std::fs::write(book.join("voorwoord.md"), voorwoord).unwrap();

    let mut yaml = String::new();
    if rng.chance(30) {
        yaml.push('\u{feff}');
    }
    let quoted = |s: &str| serde_json::to_string(s).unwrap();
    let _ = writeln!(
        yaml,
        "title: {}",
        quoted("Vijandig boek: ‘namen’ & #tekens")
    );
    let _ = writeln!(yaml, "authors: [{}]", quoted("Anna de Vries"));
    let _ = writeln!(yaml, "front: [voorwoord.md]");
    let list: Vec<String> = chapters.iter().map(|c| quoted(c)).collect();
    let _ = writeln!(yaml, "chapters: [{}]", list.join(", "));
    if keys > 0 {
        std::fs::write(book.join("bronnen.json"), bibliography(keys)).unwrap();
        let _ = writeln!(yaml, "bibliography: bronnen.json\nback: [literatuur]");
    }
    // Out-of-range numbers stop a build at book.yaml: in one book of eight, so that the broken
    // books get to the later stages too.
    let (year, edition, signature) = if seed % 8 != 3 {
        (
            1000 + rng.below(9000) as i64,
            1 + rng.below(999) as i64,
            4 * (1 + rng.below(16)) as i64,
        )
    } else {
        (
            *rng.pick(&[-5, 0, 10_000, i64::MAX]),
            *rng.pick(&[0, 1000, -1]),
            *rng.pick(&[6, 1_048_576, 0]),
        )
    };
    let _ = writeln!(yaml, "year: {year}\nedition: {edition}");
    let _ = writeln!(yaml, "print: {{ signature: {signature} }}");
    std::fs::write(book.join("book.yaml"), yaml).unwrap();

    // A style folder of its own now and then; its font damaged in broken books.
    if rng.chance(25) || seed % 8 == 5 {
        let fonts = book.join("styles/fonts");
        std::fs::create_dir_all(&fonts).unwrap();
        std::fs::copy(root().join("styles/epub.css"), book.join("styles/epub.css")).unwrap();
        std::fs::write(fonts.join("fonts.yaml"), "body:\n  regular: Letter.ttf\n").unwrap();
        let font = std::fs::read(root().join("styles/fonts/NotoSerif-Regular.ttf")).unwrap();
        let font = if clean {
            font
        } else {
            font[..font.len() / 2].to_vec()
        };
        std::fs::write(fonts.join("Letter.ttf"), font).unwrap();
    }
    (book, clean)
}

fn size_on_disk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                size_on_disk(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// A message line of `--message-format short` that says where: `file:line:col: ` or `path: `.
fn located(line: &str) -> bool {
    let place = line
        .split_once(": error: ")
        .or_else(|| line.split_once(": warning: "))
        .map(|(place, _)| place);
    place.is_some_and(|p| !p.is_empty() && !p.starts_with("error") && !p.starts_with("warning"))
}

/// Layout warnings about a page (a widow, a heading at its foot) name the page instead.
fn about_a_page(line: &str) -> bool {
    line.starts_with("warning: ") && line.contains("(page ")
}

fn check(seed: u64) -> Result<(), String> {
    let (book, clean) = generate(seed);
    let out = book.parent().unwrap().join("out");
    let started = std::time::Instant::now();
    let o = std::process::Command::new("/usr/bin/time")
        .args(["-f", "peak-kb %M"])
        .arg(env!("CARGO_BIN_EXE_druk"))
        .args(["build", "--message-format", "short", "--out"])
        .arg(&out)
        .arg(&book)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("/usr/bin/time runs (Debian package `time`)");
    let took = started.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let head = |s: &str| s.chars().take(3000).collect::<String>();
    if err.contains("terminated by signal") || err.contains("panicked") {
        return Err(format!("crashed:\n{}", head(&err)));
    }
    let code = o.status.code();
    if !matches!(code, Some(0..=2)) {
        return Err(format!("exit code {code:?}:\n{}", head(&err)));
    }
    let mut kb = 0.0;
    for line in err.lines() {
        if let Some(v) = line.strip_prefix("peak-kb ") {
            kb = v.trim().parse().unwrap_or(0.0);
        } else if line.starts_with("Command exited with non-zero status") {
        } else if !located(line) && !about_a_page(line) {
            return Err(format!("a message without a place: {line}\n{}", head(&err)));
        }
    }
    let input_mb = size_on_disk(&book) as f64 / 1e6;
    let mb = kb / 1024.0;
    if mb > 100.0 + 200.0 * input_mb {
        return Err(format!("{mb:.0} MB for a book of {input_mb:.2} MB"));
    }
    // Not a timing test: only a build that hangs.
    if took > 300.0 {
        return Err(format!("{took:.0} s"));
    }
    eprintln!(
        "seed {seed}: {} book of {input_mb:.2} MB, exit {}, {} messages, {mb:.0} MB, {took:.1} s",
        if clean { "sound" } else { "broken" },
        code.unwrap_or(-1),
        err.lines().count().saturating_sub(2),
    );
    if clean && code != Some(0) {
        return Err(format!("a sound book failed:\n{}", head(&err)));
    }
    if code == Some(0) {
        let epub = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "epub"))
            .ok_or("exit 0 without an EPUB")?;
        let (ok, text) = crate::epubcheck::epubcheck_file(&epub);
        if !ok {
            return Err(format!("EPUBCheck on {}:\n{}", epub.display(), head(&text)));
        }
    }
    Ok(())
}

#[test]
fn generated_hostile_books() {
    let seeds = 0..16;
    let mut failures = Vec::new();
    for seed in seeds {
        if let Err(why) = check(seed) {
            failures.push(format!(
                "seed {seed} (target/tmp/generated-{seed}/boek): {why}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn messages_are_located() {
    assert!(located("boek/h/01.md:3:5: error: unknown label @sec-x"));
    assert!(located(
        "boek/styles/fonts: error: the style's fonts folder has no fonts.yaml"
    ));
    assert!(!located("error: cannot assemble the EPUB"));
    assert!(!located("warning: image 1: cannot decode (page 3)"));
}
