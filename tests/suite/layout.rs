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
