//! The print PDF of the sample book, checked with real tools: poppler (pdffonts, pdfinfo,
//! pdftotext) and qpdf, plus the engine's own layout report.

use crate::common::*;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The sample book's PDF, built once for all tests in this module.
fn sample_pdf() -> &'static PathBuf {
    static PDF: OnceLock<PathBuf> = OnceLock::new();
    PDF.get_or_init(|| {
        let out = scratch("print-sample");
        let o = run(druk()
            .args(["build", "--format", "pdf", "--deny-warnings", "--out"])
            .arg(&out)
            .arg(root().join("book")));
        assert!(
            o.status.success(),
            "druk build --deny-warnings failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with("-print.pdf"))
            .expect("out/<slug>-print.pdf was written")
    })
}

#[test]
fn every_font_is_embedded_and_subset() {
    let out = tool("pdffonts", &[], sample_pdf());
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert!(rows.len() >= 3, "{out}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "emb/sub/uni: {row}"
        );
        assert!(
            cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+',
            "subset tag: {row}"
        );
    }
}

#[test]
fn qpdf_finds_no_errors() {
    let o = Command::new("qpdf")
        .arg("--check")
        .arg(sample_pdf())
        .output()
        .expect("qpdf is installed");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && text.contains("No syntax or stream encoding errors"),
        "{text}"
    );
}

#[test]
fn trim_and_bleed_boxes() {
    let out = tool("pdfinfo", &["-box", "-f", "1", "-l", "3"], sample_pdf());
    // 170 × 240 mm = 481.89 × 680.31 pt; 3 mm bleed = 8.50 pt on every side.
    for page in 1..=3 {
        assert!(
            out.contains(&format!(
                "Page    {page} TrimBox:       8.50     8.50   490.39   688.82"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "Page    {page} BleedBox:      0.00     0.00   498.90   697.32"
            )),
            "{out}"
        );
    }
}

#[test]
fn text_and_references_come_back_out() {
    // The engine ties a number to its word with a no-break space ("paragraaf 3.2.2").
    let text = tool("pdftotext", &[], sample_pdf()).replace('\u{a0}', " ");
    for needle in [
        "paragraaf 3.2.2",
        "Het balansmodel",
        "hoofdstuk 4",
        "Figuur 3.1",
        "Kader 1.1",
        "(Belsky, 1984)",
    ] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}");
    }
    // Ligatures copy out as letters.
    assert!(!text.contains('\u{fb01}') && !text.contains('\u{fb02}'));
}

/// Every TOC line's page number is the page its heading is on.
#[test]
fn toc_page_numbers_match_the_headings() {
    let pdf = sample_pdf();
    let pages: Vec<String> = tool("pdftotext", &["-layout"], pdf)
        .replace('\u{a0}', " ")
        .split('\u{c}')
        .map(str::to_string)
        .collect();
    // Folios: the main matter starts at the page that opens chapter 1.
    let first_main = pages
        .iter()
        .position(|p| p.lines().any(|l| l.trim() == "1") && p.contains("Opvoedingsondersteuning"))
        .expect("chapter 1 opening");
    let toc_pages: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains(". . .") || p.contains("...."))
        .take(3)
        .collect();
    assert!(!toc_pages.is_empty(), "no TOC found");
    let mut checked = 0;
    for toc in toc_pages {
        for line in toc.lines() {
            let t = line.trim();
            let Some((head, folio)) = t.rsplit_once(' ') else {
                continue;
            };
            let Ok(n) = folio.parse::<usize>() else {
                continue;
            };
            let title = head.trim_end_matches([' ', '.']).trim();
            let Some((num, name)) = title.split_once(char::is_whitespace) else {
                continue;
            };
            if !num.chars().next().is_some_and(|c| c.is_ascii_digit()) || !num.contains('.') {
                continue;
            }
            let name = name.trim();
            let page = &pages[first_main + n - 1];
            let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
            let want = format!(
                "{num} {}",
                name.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            assert!(
                flat.contains(&want),
                "TOC says {want:?} is on page {n}, but it is not there"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} TOC lines checked");
}

#[test]
fn layout_has_no_widows_orphans_or_overfull_lines() {
    let project = druk::compile(&root().join("book"), &Default::default());
    let (project, book) = project.book.expect("the sample book compiles");
    let stamp = druk::time::Stamp::from_epoch(0);
    let printed =
        druk::render::print::render(&book, &project, &stamp, None, &[Default::default()], None)
            .unwrap_or_else(|d| panic!("{d:?}"));
    let r = &printed.report;
    assert!(r.pages > 50, "{} pages", r.pages);
    assert_eq!(
        (r.widows, r.orphans, r.overfull_lines, r.headings_at_foot),
        (0, 0, 0, 0),
        "{:?}",
        r.warnings
    );
    assert!(r.hyphenated_lines > 0, "Dutch hyphenation is on");
}

#[test]
fn building_the_pdf_twice_gives_identical_bytes() {
    let a = std::fs::read(sample_pdf()).unwrap();
    let out = scratch("print-twice");
    let o = run(druk()
        .args(["build", "-f", "pdf", "-o"])
        .arg(&out)
        .arg(root().join("book")));
    assert!(o.status.success());
    let b = std::fs::read(only_file(&out)).unwrap();
    assert!(a == b, "two PDF builds differ");
}
