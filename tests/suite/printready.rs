//! The two PDF editions of the sample book, checked the way a printer's preflight and a
//! reader would: poppler (`pdfinfo -box`, `pdffonts`, `pdftotext`, `pdftoppm`), `qpdf
//! --check`, Ghostscript, and `tests/pdfcheck.py` (pikepdf) for colour spaces,
//! transparency, annotations, the OutputIntent and the XMP.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// 2026-03-14 12:34:56 UTC: not midnight, so a date written wrongly shows.
const EPOCH: i64 = 1_773_491_696;
const SLUG: &str = "opvoedingsondersteuning-als-bijzondere-vorm-van-preventie";

struct Editions {
    print: PathBuf,
    screen: PathBuf,
}

/// Builds `book` into a fresh `out` with SOURCE_DATE_EPOCH set.
fn build(book: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = scratch(name);
    let o = run(druk()
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .args(["build", "--deny-warnings", "--out"])
        .arg(&out)
        .args(extra)
        .arg(book));
    assert!(
        o.status.success(),
        "druk build {extra:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// Both editions of the sample book, built once (`druk build` with no --format).
fn sample() -> &'static Editions {
    static E: OnceLock<Editions> = OnceLock::new();
    E.get_or_init(|| {
        let out = build(&root().join("book"), "printready-sample", &[]);
        let e = Editions {
            print: out.join(format!("{SLUG}-print.pdf")),
            screen: out.join(format!("{SLUG}-screen.pdf")),
        };
        assert!(e.print.is_file() && e.screen.is_file(), "both PDFs written");
        assert!(out.join(format!("{SLUG}.epub")).is_file(), "and the EPUB");
        assert!(out.join("html").is_dir(), "and the web edition");
        e
    })
}

/// The print edition with crop marks and 16-page signatures (a copy of the sample book
/// with `print: {…, marks: true, signature: 16}`).
fn marked() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let book = scratch("printready-book").join("book");
        copy_dir(&root().join("book"), &book);
        let yaml = std::fs::read_to_string(book.join("book.yaml")).unwrap();
        let yaml = yaml.replace(
            "print: { trim: 170x240mm, bleed: 3mm }",
            "print: { trim: 170x240mm, bleed: 3mm, marks: true, signature: 16 }",
        );
        assert!(
            yaml.contains("signature: 16"),
            "book.yaml print line changed"
        );
        std::fs::write(book.join("book.yaml"), yaml).unwrap();
        let out = build(
            &book,
            "printready-marked",
            &[
                "--format",
                "pdf",
                "--styles",
                root().join("styles").to_str().unwrap(),
            ],
        );
        out.join(format!("{SLUG}-print.pdf"))
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn pages(file: &Path) -> usize {
    tool("pdfinfo", &[], file)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("pdfinfo Pages")
}

/// `pdfinfo -box` on every page: (page, box name) → [llx lly urx ury].
fn boxes(file: &Path) -> Vec<(usize, String, [f64; 4])> {
    let n = pages(file).to_string();
    let out = tool("pdfinfo", &["-box", "-f", "1", "-l", &n], file);
    out.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("Page")?;
            let mut it = rest.split_whitespace();
            let page: usize = it.next()?.parse().ok()?;
            let name = it.next()?.trim_end_matches(':').to_string();
            let v: Vec<f64> = it.filter_map(|x| x.parse().ok()).collect();
            (v.len() == 4).then(|| (page, name, [v[0], v[1], v[2], v[3]]))
        })
        .collect()
}

fn pdfcheck(args: &[&str], file: &Path) -> String {
    let o = Command::new("python3")
        .arg(root().join("tests/pdfcheck.py"))
        .args(args)
        .arg(file)
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    eprintln!("{text}");
    assert!(
        o.status.success() && text.trim_end().ends_with("OK"),
        "pdfcheck {args:?}:\n{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    text
}

#[test]
fn every_print_page_has_trim_and_bleed_boxes() {
    let file = &sample().print;
    let n = pages(file);
    let b = boxes(file);
    let get = |p: usize, name: &str| {
        b.iter()
            .find(|(q, m, _)| *q == p && m == name)
            .map(|x| x.2)
            .unwrap_or_else(|| panic!("page {p} has no {name}"))
    };
    for p in 1..=n {
        let (trim, bleed, media) = (get(p, "TrimBox"), get(p, "BleedBox"), get(p, "MediaBox"));
        // 170 × 240 mm = 481.89 × 680.31 pt; 3 mm bleed = 8.50 pt on every side.
        assert_eq!(trim, [8.50, 8.50, 490.39, 688.82], "page {p} TrimBox");
        assert_eq!(bleed, [0.0, 0.0, 498.90, 697.32], "page {p} BleedBox");
        assert_eq!(
            media, bleed,
            "page {p}: MediaBox is the BleedBox without marks"
        );
        assert!(((trim[2] - trim[0]) - 481.89).abs() < 0.011);
        assert!(((trim[3] - trim[1]) - 680.31).abs() < 0.011);
    }
}

#[test]
fn the_screen_edition_is_cut_to_the_trim() {
    let file = &sample().screen;
    for (p, name, b) in boxes(file) {
        assert_eq!(b, [0.0, 0.0, 481.89, 680.31], "page {p} {name}");
    }
    assert_eq!(
        pages(file),
        pages(&sample().print),
        "same pages (the sample book needs no padding)"
    );
}

#[test]
fn every_font_is_embedded_in_both_editions() {
    for file in [&sample().print, &sample().screen, marked()] {
        let out = tool("pdffonts", &[], file);
        let rows: Vec<&str> = out.lines().skip(2).collect();
        assert!(rows.len() >= 3, "{out}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(cols[n - 5], "yes", "embedded: {row}");
        }
    }
}

#[test]
fn qpdf_finds_nothing_wrong() {
    for file in [&sample().print, &sample().screen, marked()] {
        let out = tool("qpdf", &["--check"], file);
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
        assert!(!out.to_lowercase().contains("warning"), "{out}");
    }
}

#[test]
fn ghostscript_renders_every_page_without_a_word() {
    for file in [&sample().print, &sample().screen, marked()] {
        let o = Command::new("gs")
            .args(["-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=nullpage"])
            .arg(file)
            .output()
            .expect("gs is installed (run `make test`)");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            o.status.success() && said.trim().is_empty(),
            "{}: {said}",
            file.display()
        );
    }
}

#[test]
fn print_edition_is_cmyk_pdfx4_with_the_build_date() {
    let out = pdfcheck(&["print", "--epoch", &EPOCH.to_string()], &sample().print);
    assert!(out.contains("2026-03-14T12:34:56Z"), "{out}");
    let info = tool("pdfinfo", &[], &sample().print);
    assert!(info.contains("PDF subtype:    PDF/X-4"), "{info}");
    assert!(info.contains("PDF version:     1.6"), "{info}");
    assert!(info.contains("Sat Mar 14 12:34:56 2026 UTC"), "{info}");
}

#[test]
fn screen_edition_has_live_links_rgb_and_an_open_outline() {
    let out = pdfcheck(&["screen"], &sample().screen);
    assert!(out.contains("internal links"), "{out}");
    let info = tool("pdfinfo", &[], &sample().screen);
    assert!(!info.contains("PDF/X"), "{info}");
}

#[test]
fn the_colophon_carries_the_isbn_of_the_edition() {
    // Compared without hyphens: the colophon hyphenates the ISBN its own way.
    let text = |f: &Path| tool("pdftotext", &["-f", "1", "-l", "4"], f).replace('-', "");
    let (print, screen) = (text(&sample().print), text(&sample().screen));
    assert!(print.contains("ISBN 9789000000005"), "{print}");
    assert!(!print.contains("9789000000012"), "{print}");
    assert!(screen.contains("ISBN ebook 9789000000012"), "{screen}");
    assert!(!screen.contains("9789000000005"), "{screen}");
}

#[test]
fn both_editions_have_the_same_text_on_the_same_pages() {
    let text = |f: &Path| {
        tool("pdftotext", &["-layout"], f)
            .replace("ISBN 978-900000000-5", "ISBN")
            .replace("ISBN e-book 978-900000001-2", "ISBN")
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (p, s) = (text(&sample().print), text(&sample().screen));
    assert!(p.contains("Het balansmodel"), "pdftotext gives the text");
    let pp: Vec<&str> = p.split('\u{c}').collect();
    let sp: Vec<&str> = s.split('\u{c}').collect();
    assert_eq!(pp.len(), sp.len());
    for (i, (a, b)) in pp.iter().zip(&sp).enumerate().skip(2) {
        assert_eq!(a, b, "page {} differs", i + 1);
    }
}

#[test]
fn marks_and_signatures() {
    let file = marked();
    let n = pages(file);
    let unpadded = pages(&sample().print);
    assert_eq!(n % 16, 0, "{n} pages");
    assert!(n >= unpadded && n < unpadded + 16, "{unpadded} → {n}");
    // The padding pages are blank: no running head, no folio.
    let last = n.to_string();
    let tail = tool("pdftotext", &["-f", &last, "-l", &last], file);
    assert!(tail.trim().is_empty(), "last page: {tail:?}");
    // The sheet grows around the bleed for the marks; trim and bleed stay.
    for (p, name, b) in boxes(file) {
        match name.as_str() {
            "TrimBox" => assert!(
                ((b[2] - b[0]) - 481.89).abs() < 0.011 && ((b[3] - b[1]) - 680.31).abs() < 0.011,
                "page {p} {b:?}"
            ),
            "BleedBox" => assert!(
                ((b[2] - b[0]) - 498.90).abs() < 0.011 && b[0] > 10.0,
                "page {p} {b:?}"
            ),
            "MediaBox" => assert!(b[2] > 530.0 && b[3] > 730.0, "page {p} {b:?}"),
            _ => {}
        }
    }
    pdfcheck(
        &["print", "--epoch", &EPOCH.to_string(), "--signature", "16"],
        file,
    );
    // A spread with marks, to look at: target/tmp/printready-spread-*.png.
    let dir = scratch("printready-spread");
    let o = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-f", "32", "-l", "33"])
        .arg(file)
        .arg(dir.join("spread"))
        .output()
        .expect("pdftoppm");
    assert!(o.status.success());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn both_editions_are_byte_identical_across_builds() {
    let out = build(
        &root().join("book"),
        "printready-again",
        &["--format", "screen-pdf,pdf"],
    );
    for (name, first) in [("print", &sample().print), ("screen", &sample().screen)] {
        let again = std::fs::read(out.join(format!("{SLUG}-{name}.pdf"))).unwrap();
        assert!(std::fs::read(first).unwrap() == again, "{name} differs");
    }
}

#[test]
fn the_screen_edition_is_the_same_built_alone() {
    // Beside the print edition, the screen edition shares the print layout with its own
    // colophon swapped in; alone, it is laid out from its own flow. Same file either way.
    let out = build(
        &root().join("book"),
        "printready-screen-alone",
        &["--format", "screen-pdf"],
    );
    let alone = std::fs::read(out.join(format!("{SLUG}-screen.pdf"))).unwrap();
    assert!(
        std::fs::read(&sample().screen).unwrap() == alone,
        "the screen edition differs when built without the print edition"
    );
}

#[test]
fn pdf_screen_is_an_alias() {
    let out = scratch("printready-alias");
    let o = run(druk()
        .args(["build", "--format", "pdf:screen", "--chapter", "1", "--out"])
        .arg(&out)
        .arg(root().join("book")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        outputs(&out),
        vec![format!("{SLUG}-hoofdstuk-1-screen.pdf")]
    );
}
