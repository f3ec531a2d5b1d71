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
