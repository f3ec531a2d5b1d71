//! Manuscripts of hostile shapes: nesting far deeper than any book, thousands of markers on one
//! line. Each used to abort druk (a stack overflow, exit 134) or run for minutes; now each ends
//! in output or a located error, with memory that follows the input's size.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// A one-chapter book whose chapter is `body`.
fn book_with(name: &str, body: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let book = dir.join("boek");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Vijandig\nchapters: [h/01.md]\n",
    )
    .unwrap();
    std::fs::write(book.join("h/01.md"), format!("# Hoofdstuk\n\n{body}\n")).unwrap();
    book
}

/// Runs `druk build` on `book` (all formats) under `/usr/bin/time` and returns the output,
/// the exit code and the peak memory in MB.
fn build(book: &Path) -> (String, Option<i32>, f64) {
    let out = book.parent().unwrap().join("out");
    let o = Command::new("/usr/bin/time")
        .args(["-f", "peak-kb %M"])
        .arg(env!("CARGO_BIN_EXE_druk"))
        .args(["build", "--message-format", "short", "--out"])
        .arg(&out)
        .arg(book)
        .env("NO_COLOR", "1")
        .output()
        .expect("/usr/bin/time runs (Debian package `time`)");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let kb: f64 = err
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    // /usr/bin/time passes the exit code on; a signal shows as "Command terminated by signal".
    let code = if err.contains("terminated by signal") {
        None
    } else {
        o.status.code()
    };
    (err, code, kb / 1024.0)
}

#[test]
fn nesting_deeper_than_the_limit_is_a_located_error() {
    let cases = [
        ("hostile-quotes", format!("{} tekst", ">".repeat(3000))),
        (
            "hostile-lists",
            (0..2000)
                .map(|i| format!("{}- a\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "hostile-emphasis",
            format!("{}x{}", "*".repeat(3000), "*".repeat(3000)),
        ),
        (
            "hostile-divs",
            format!(
                "{}tekst\n{}",
                (0..150)
                    .map(|i| format!("{} {{.x}}\n", ":".repeat(153 - i)))
                    .collect::<String>(),
                (0..150)
                    .map(|i| format!("{}\n", ":".repeat(4 + i)))
                    .collect::<String>()
            ),
        ),
    ];
    for (name, body) in cases {
        let book = book_with(name, &body);
        let (err, code, _) = build(&book);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(
            err.contains("h/01.md:")
                && err.contains("error: this is nested more than 100 levels deep"),
            "{name}: {err}"
        );
    }
}

#[test]
fn nesting_up_to_the_limit_builds_every_edition() {
    let body = format!(
        "{} tekst\n\n{}\n{}x{}\n",
        ">".repeat(100),
        (0..99)
            .map(|i| format!("{}- a\n", "  ".repeat(i)))
            .collect::<String>(),
        "*".repeat(50),
        "*".repeat(50)
    );
    let book = book_with("hostile-at-the-limit", &body);
    let (err, code, _) = build(&book);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn many_markers_on_one_line_cost_what_their_size_says() {
    // `- ` fifty thousand times is a list nested as deep as the parser goes, then a paragraph of
    // 50,000 dashes; 100,000 footnotes in one paragraph. Once 120 s and 6.7 GB, and 52 s.
    let dashes = format!("{}x", "- ".repeat(50_000));
    let notes = format!(
        "tekst{}\n\n{}",
        (0..100_000).map(|i| format!("[^{i}]")).collect::<String>(),
        (0..100_000)
            .map(|i| format!("[^{i}]: n\n"))
            .collect::<String>()
    );
    for (name, body, max_mb) in [
        ("hostile-dashes", dashes, 400.0),
        ("hostile-footnotes", notes, 3000.0),
    ] {
        let book = book_with(name, &body);
        let (err, code, mb) = build(&book);
        assert_eq!(code, Some(0), "{name}: {}", &err[..err.len().min(2000)]);
        assert!(mb < max_mb, "{name}: {mb:.0} MB");
        assert!(
            err.len() < 100_000,
            "{name}: {} bytes of messages",
            err.len()
        );
    }
}

#[test]
fn a_minified_bibliography_of_20000_entries_costs_what_its_size_says() {
    // CSL-JSON on one line, as tools export it. Finding each entry's line looked for every way
    // of writing an id through the whole file: quadratic, minutes for 20,000 entries.
    let book = book_with("hostile-minified-bibliography", "Zie [@k7] en [@k19999].");
    let entries: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                r#"{{"id":"k{i}","type":"book","title":"Titel {i}","author":[{{"family":"Auteur{i}","given":"A."}}],"issued":{{"date-parts":[[{}]]}}}}"#,
                1950 + i % 70
            )
        })
        .collect();
    let json = format!("[{}]", entries.join(","));
    std::fs::write(book.join("refs.json"), &json).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Vijandig\nchapters: [h/01.md]\nback: [literatuur]\nbibliography: refs.json\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = Command::new("/usr/bin/time")
        .args(["-f", "peak-kb %M"])
        .arg(env!("CARGO_BIN_EXE_druk"))
        .args([
            "check",
            "--allow-unused-references",
            "--message-format",
            "short",
        ])
        .arg(&book)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let took = started.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let mb = err
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0;
    let input_mb = json.len() as f64 / 1e6;
    assert!(
        mb < 100.0 + 200.0 * input_mb,
        "{mb:.0} MB for {input_mb:.1} MB"
    );
    // Generous: a quadratic search took minutes here; a linear one takes about a second.
    assert!(took < 60.0, "{took:.0} s");
}
