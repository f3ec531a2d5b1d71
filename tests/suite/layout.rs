//! Layout diagnostics of the print edition: each names the manuscript file, line and
//! column of its paragraph, table or figure and the page, by its folio and its place in
//! the file, in the human, short and JSON formats alike (tests/books/layout-warnings).

use crate::common::*;

/// What `druk build --format pdf` prints on stderr for a fixture book, run from
/// tests/books so the paths start with the book's folder name.
fn build_messages(book: &str, format: &str) -> String {
    let out = scratch(&format!("layout-{book}-{format}"));
    let o = run(druk()
        .current_dir(root().join("tests/books"))
        .args([
            "build",
            "--format",
            "pdf",
            "--message-format",
            format,
            "--out",
        ])
        .arg(&out)
        .arg(book));
    assert!(
        o.status.success(),
        "druk build {book} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The lines druk prints about what it wrote name the scratch folder: not part of it.
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.starts_with("wrote ") && !l.contains(" in ") || l.contains("warning"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn layout_warnings_name_their_line_column_and_pages_in_every_format() {
    let dir = root().join("tests/books/layout-warnings/expected");
    for format in ["short", "json", "human"] {
        golden(
            &dir.join(format!("{format}.txt")),
            &build_messages("layout-warnings", format),
        );
    }
}

/// Builds a fixture book's print and screen PDFs into a scratch folder; returns both.
pub fn build_pdfs(book: &str) -> [std::path::PathBuf; 2] {
    let out = scratch(&format!("pdfs-{book}"));
    let o = run(druk()
        .env("SOURCE_DATE_EPOCH", "1773491696")
        .args(["build", "--format", "pdf,screen-pdf", "--out"])
        .arg(&out)
        .arg(root().join("tests/books").join(book)));
    assert!(
        o.status.success(),
        "druk build {book} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let find = |suffix: &str| {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(suffix))
            .unwrap_or_else(|| panic!("no *{suffix} in {}", out.display()))
    };
    [find("-print.pdf"), find("-screen.pdf")]
}

fn without_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every line of every code block comes out of both PDFs whole and in order (a wrapped
/// line is its pieces one after the other); the continuation mark is drawn, not text, so
/// pdftotext gives the code alone; a long token is cut without a hyphen.
#[test]
fn long_code_lines_wrap_and_lose_nothing() {
    let source = std::fs::read_to_string(root().join("tests/books/code/h/01.md")).unwrap();
    let mut code = Vec::new();
    let mut inside = false;
    for line in source.lines() {
        if line.starts_with("```") {
            inside = !inside;
        } else if inside {
            code.push(line);
        }
    }
    let longest = code.iter().map(|l| l.trim().chars().count()).max().unwrap();
    assert!(longest >= 200, "the fixture has a 200-character line");
    for pdf in build_pdfs("code") {
        let text = without_space(&tool("pdftotext", &[], &pdf));
        let mut at = 0;
        for line in &code {
            let want = without_space(line);
            let found = text[at..]
                .find(&want)
                .unwrap_or_else(|| panic!("{}: {line:?} is not in the text whole", pdf.display()));
            at += found + want.len();
        }
        for mark in ['↪', '↳', '⏎', '↩'] {
            assert!(!text.contains(mark), "the mark {mark} is extracted as text");
        }
    }
}

/// A word from `pdftotext -bbox`: its page (from 1), box (top-left origin) and text.
pub struct Word {
    pub page: usize,
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub text: String,
}

pub fn words(pdf: &std::path::Path) -> Vec<Word> {
    let html = tool("pdftotext", &["-bbox"], pdf);
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!(" {name}=\"");
        let at = tag.find(&key).expect(name) + key.len();
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut page = 0;
    let mut out = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word") {
            let (tag, text) = rest.split_once('>').unwrap();
            out.push(Word {
                page,
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                text: text.trim_end_matches("</word>").to_string(),
            });
        }
    }
    out
}

/// Long chapter and section titles never run into the folio: the head is cut at a word
/// with an ellipsis, or is the heading's `{short="…"}`, which the TOC shows too.
#[test]
fn running_heads_keep_clear_of_the_folio() {
    let [print, screen] = build_pdfs("running-heads");
    for (pdf, bleed) in [(&print, 3.0 * 72.0 / 25.4), (&screen, 0.0)] {
        let ws = words(pdf);
        // The head line sits two body lines above the text area (22 mm from the top).
        let head_zone = bleed + 22.0 * 72.0 / 25.4 - 10.0;
        let pages = ws.iter().map(|w| w.page).max().unwrap();
        let mut heads = 0;
        let mut cut = 0;
        for p in 1..=pages {
            let line: Vec<&Word> = ws
                .iter()
                .filter(|w| w.page == p && w.y0 < head_zone)
                .collect();
            let Some(folio) = line
                .iter()
                .find(|w| w.text.chars().all(|c| c.is_ascii_digit()))
            else {
                continue;
            };
            heads += 1;
            cut += usize::from(line.iter().any(|w| w.text.ends_with('…')));
            for w in line.iter().filter(|w| !std::ptr::eq(**w, *folio)) {
                let gap = if w.x0 > folio.x1 {
                    w.x0 - folio.x1
                } else {
                    folio.x0 - w.x1
                };
                assert!(
                    gap >= 15.0,
                    "page {p}: {:?} is {gap:.1} pt from the folio",
                    w.text
                );
            }
        }
        assert!(heads >= 6, "{heads} pages with a head");
        assert!(
            cut >= 3,
            "long titles are cut with an ellipsis ({cut} pages)"
        );
        let text = tool("pdftotext", &[], pdf);
        let toc = &text[..text.find("Rollen en verantwoordelijkheden").unwrap()];
        assert!(toc.contains("Samenwerken met ouders"), "{toc}");
        assert!(
            !toc.contains("wijkteams"),
            "the TOC shows the short form: {toc}"
        );
        assert!(toc.contains("1.2 Een tweede paragraaf"), "{toc}");
    }
}

/// Greek, Cyrillic, CJK, Devanagari and Hebrew in one Dutch book: every script from a
/// font of the fallback chain, embedded and subset, and the text extracted as written
/// (Hebrew in logical order, Devanagari syllables whole); symbols from the text faces.
#[test]
fn every_script_of_the_manuscript_is_set_and_extracted() {
    for (file, package) in [
        (
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
            "fonts-noto-cjk",
        ),
        (
            "/usr/share/fonts/truetype/noto/NotoSerifHebrew-Regular.ttf",
            "fonts-noto-core",
        ),
        (
            "/usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf",
            "fonts-noto-core",
        ),
        (
            "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
            "fonts-noto-core",
        ),
    ] {
        assert!(
            std::path::Path::new(file).exists(),
            "{file} is missing: install the Debian package {package} (`make deps` does)"
        );
    }
    for pdf in build_pdfs("scripts") {
        let fonts = tool("pdffonts", &[], &pdf);
        for name in [
            "NotoSerif-Regular",
            "NotoSansMath-Regular",
            "NotoSansSymbols2-Regular",
            "NotoSerifHebrew-Regular",
            "NotoSerifDevanagari-Regular",
            "NotoSerifCJKjp-Regular",
        ] {
            let row = fonts
                .lines()
                .find(|l| l.contains(&format!("+{name} ")))
                .unwrap_or_else(|| panic!("{name} is not embedded:\n{fonts}"));
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(
                &cols[n - 5..n - 2],
                &["yes", "yes", "yes"],
                "emb/sub/uni: {row}"
            );
        }
        assert!(
            !fonts.contains("NotoSansMono"),
            "no symbol from the code face:\n{fonts}"
        );
        // pdftotext marks right-to-left runs with embedding controls; they are not text.
        let text: String = tool("pdftotext", &[], &pdf)
            .chars()
            .filter(|c| !matches!(*c as u32, 0x202A..=0x202E | 0x2066..=0x2069))
            .collect();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "παιδαγωγία",
            "воспитание",
            "父母是孩子的第一任老师",
            "子育て",
            "शिक्षा",
            "परिवार",
            "חינוך",
            "הורים ומשפחה",
            "5 − 3 = 2",
            "→",
            "⇒",
            "✓",
        ] {
            assert!(
                flat.contains(needle),
                "{}: {needle:?} not in\n{flat}",
                pdf.display()
            );
        }
    }
}

/// A URL breaks after / . - ? & = without a hyphen of its own: every character of it is
/// in the text once, in order.
#[test]
fn urls_break_without_hyphens() {
    let url = "https://www.voorbeeld.nl/opvoedingsondersteuning/programmas/overzicht-van-alle-erkende-interventies?categorie=preventie&leeftijd=0-4&sortering=naam";
    for pdf in build_pdfs("scripts") {
        let text = tool("pdftotext", &["-raw"], &pdf);
        let start = text.find("https://").expect("the URL");
        let joined: String = text[start..]
            .split_whitespace()
            .take_while(|w| !w.starts_with("staat"))
            .collect();
        assert_eq!(joined, url, "{}", pdf.display());
    }
}

/// An SVG figure is drawn as a vector form: in print only CMYK and grey, no transparency
/// (tests/pdfcheck.py), in the screen edition as svg2pdf wrote it; the EPUB carries the
/// file as image/svg+xml.
#[test]
fn svg_figures_are_vector_forms_in_cmyk_for_print() {
    let [print, screen] = build_pdfs("svg");
    for pdf in [&print, &screen] {
        let o = std::process::Command::new("qpdf")
            .args(["--qdf", "--object-streams=disable"])
            .arg(pdf)
            .arg("-")
            .output()
            .expect("qpdf");
        let raw = String::from_utf8_lossy(&o.stdout);
        assert!(
            raw.contains("/Subtype /Form"),
            "{}: no form XObject",
            pdf.display()
        );
        assert!(
            !raw.contains("/Subtype /Image"),
            "the SVG is not rasterised"
        );
    }
    let o = std::process::Command::new("python3")
        .arg(root().join("tests/pdfcheck.py"))
        .args(["print", "--epoch", "1773491696"])
        .arg(&print)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && text.trim_end().ends_with("OK"),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = scratch("svg-epub");
    let epub = build_epub(&root().join("tests/books/svg"), &out);
    let files = unzip(&epub);
    let opf = entry_text(&files, "package.opf");
    assert!(opf.contains("media-type=\"image/svg+xml\""), "{opf}");
    assert!(files.iter().any(|(n, _)| n.ends_with("balans.svg")));
}
