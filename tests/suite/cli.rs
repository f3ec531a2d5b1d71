//! The command line: help, usage errors, `druk new`.

use crate::common::*;

#[test]
fn help_names_the_commands() {
    let o = run(druk().arg("--help"));
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    for cmd in ["build", "check", "new"] {
        assert!(s.contains(cmd), "{s}");
    }
    let o = run(druk().args(["build", "--help"]));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("--format") && s.contains("--out") && s.contains("--message-format"),
        "{s}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(run(druk().arg("bouw")).status.code(), Some(2));
    assert_eq!(
        run(druk().args(["build", "--format", "docx"]))
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(druk().args(["check", "--message-format", "xml"]))
            .status
            .code(),
        Some(2)
    );
    let o = run(druk()
        .env("SOURCE_DATE_EPOCH", "gisteren")
        .args(["build", "tests/books/english"]));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_missing_book_folder_is_a_usage_error_not_a_panic() {
    for cmd in ["check", "build"] {
        let o = run(druk().args([cmd, "/nonexistent/boek"]));
        assert_eq!(o.status.code(), Some(2));
        let s = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            s,
            "error: the book folder /nonexistent/boek does not exist (run `druk new /nonexistent/boek` to start a book)\n"
        );
    }
    // book.yaml itself named instead of its folder.
    let o = run(druk().arg("check").arg(root().join("book/book.yaml")));
    assert_eq!(o.status.code(), Some(2));
    let s = String::from_utf8_lossy(&o.stderr);
    assert!(
        s.contains("book.yaml is not a folder: give the book folder"),
        "{s}"
    );
}

#[test]
fn a_style_folder_that_does_not_exist_is_a_usage_error() {
    for cmd in ["check", "build"] {
        let o = run(druk()
            .args([
                cmd,
                "--message-format",
                "short",
                "--styles",
                "/nonexistent/stijl",
            ])
            .arg(root().join("tests/books/english")));
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            "/nonexistent/stijl: error: the style folder `/nonexistent/stijl` does not exist (give --styles the folder that holds epub.css and fonts/, or leave it out for druk's own style)\n"
        );
    }
}

#[test]
fn source_date_epoch_out_of_range_is_a_usage_error() {
    for (value, says) in [
        ("-1", "SOURCE_DATE_EPOCH=-1 is out of range"),
        (
            "253402300800",
            "SOURCE_DATE_EPOCH=253402300800 is out of range",
        ),
        (
            "99999999999999999999",
            "SOURCE_DATE_EPOCH=99999999999999999999 is out of range",
        ),
        (
            "gisteren",
            "SOURCE_DATE_EPOCH must be a whole number of seconds",
        ),
    ] {
        let out = scratch("epoch-range");
        let o = run(druk()
            .env("SOURCE_DATE_EPOCH", value)
            .args(["build", "--format", "epub", "--out"])
            .arg(&out)
            .arg(root().join("tests/books/english")));
        assert_eq!(o.status.code(), Some(2), "{value}");
        let s = String::from_utf8_lossy(&o.stderr);
        assert!(s.starts_with(&format!("error: {says}")), "{value}: {s}");
        assert!(
            s.contains("from 0 (1970-01-01) to 253402300799 (9999-12-31T23:59:59Z)"),
            "{s}"
        );
        assert!(outputs(&out).is_empty(), "nothing is written");
    }
    // The last second of 9999 is still a date the outputs can carry.
    let out = scratch("epoch-range");
    let o = run(druk()
        .env("SOURCE_DATE_EPOCH", "253402300799")
        .args(["build", "--format", "epub", "--out"])
        .arg(&out)
        .arg(root().join("tests/books/english")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let opf = entry_text(&unzip(&only_file(&out)), "package.opf");
    assert!(opf.contains("9999-12-31T23:59:59Z"), "{opf}");
}

#[test]
fn new_book_builds_and_refuses_to_overwrite() {
    let dir = scratch("new-book");
    let book = dir.join("mijn-boek");
    let o = run(druk().arg("new").arg(&book));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(druk().arg("check").arg("--deny-warnings").arg(&book));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    build_epub(&book, &dir.join("out"));
    assert_eq!(run(druk().arg("new").arg(&book)).status.code(), Some(2));
}

#[test]
fn sample_book_checks_clean() {
    let o = run(druk()
        .args(["check", "--deny-warnings"])
        .arg(root().join("book")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
