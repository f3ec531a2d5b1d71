//! The tables-and-footnotes fixture (tests/books/tables) in both PDF editions, read back
//! with poppler: every word of every table and footnote comes out, in order, exactly
//! once per part; headers repeat under a continuation mark; nothing lies outside the text
//! area or on top of another word; qpdf finds nothing and print stays CMYK/grey.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SLUG: &str = "tabellen-en-voetnoten";
const EPOCH: &str = "1773491696";

struct Editions {
    print: PathBuf,
    screen: PathBuf,
}

fn editions() -> &'static Editions {
    static E: OnceLock<Editions> = OnceLock::new();
    E.get_or_init(|| {
        let out = scratch("tables-fixture");
        let o = run(druk()
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .args([
                "build",
                "--format",
                "pdf,screen-pdf",
                "--deny-warnings",
                "--out",
            ])
            .arg(&out)
            .arg(root().join("tests/books/tables")));
        assert!(
            o.status.success(),
            "druk build failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        Editions {
            print: out.join(format!("{SLUG}-print.pdf")),
            screen: out.join(format!("{SLUG}-screen.pdf")),
        }
    })
}

fn both() -> [&'static Path; 2] {
    let e = editions();
    [&e.print, &e.screen]
}

/// The words of a PDF in reading order, page by page.
fn pages(pdf: &Path) -> Vec<Vec<String>> {
    tool("pdftotext", &[], pdf)
        .replace('\u{a0}', " ")
        .split('\u{c}')
        .map(|p| p.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// Every token `name(i)` for i in `range` occurs exactly once in the whole text, in order.
fn once_in_order(words: &[String], tokens: impl Iterator<Item = String>) {
    let mut at = 0;
    for t in tokens {
        let hits = words.iter().filter(|w| w.contains(&t)).count();
        assert_eq!(hits, 1, "{t} occurs {hits} times");
        let pos = words.iter().position(|w| w.contains(&t)).unwrap();
        assert!(pos >= at, "{t} out of order");
        at = pos;
    }
}

#[test]
fn every_row_of_the_long_tables_comes_out_once_in_order() {
    for pdf in both() {
        let words: Vec<String> = pages(pdf).concat();
        once_in_order(&words, (1..=90).map(|i| format!("rij{i:03}a")));
        once_in_order(
            &words,
            (1..=56).flat_map(|i| ["x", "y", "z"].map(|c| format!("g{i:02}{c}"))),
        );
        once_in_order(&words, (1..=180).map(|i| format!("e{i:03}")));
        let caption = words
            .windows(3)
            .filter(|w| w.join(" ") == "Voorzieningen per gemeente");
        assert_eq!(caption.count(), 1, "the caption only above the first part");
    }
}

/// "rij017a", a cell of the 90-row table (not "rijen").
fn is_row_token(w: &str) -> bool {
    w.strip_prefix("rij")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

#[test]
fn each_part_repeats_the_header_and_later_parts_carry_the_mark() {
    for pdf in both() {
        let parts: Vec<Vec<String>> = pages(pdf)
            .into_iter()
            .filter(|p| p.iter().any(|w| is_row_token(w)))
            .collect();
        assert!(
            parts.len() >= 3,
            "the 90-row table spans {} pages",
            parts.len()
        );
        for (k, page) in parts.iter().enumerate() {
            let heads = page.iter().filter(|w| *w == "Kolomkop").count();
            assert_eq!(heads, 1, "header on part {k}");
            let marks = page.iter().filter(|w| *w == "(vervolg)").count();
            assert_eq!(marks, usize::from(k > 0), "continuation mark on part {k}");
        }
        // The 56-row table is numbered: its mark names it.
        let all = pages(pdf).concat().join(" ");
        assert!(all.contains("Tabel 1.1 (vervolg)"), "labelled mark");
    }
}

#[test]
fn every_footnote_is_printed_once() {
    for pdf in both() {
        let text = pages(pdf).concat().join(" ");
        for note in [
            "tekstnoot",
            "celnoot",
            "bijschriftnoot",
            "kadernoot",
            "lijstnoot",
            "citaatnoot",
            "figuurnoot",
            "lijstnootkop",
            "kopnoot",
        ] {
            let n = text.matches(&format!("Noottekst {note} ")).count();
            assert_eq!(n, 1, "footnote {note} printed {n} times");
        }
        assert!(text.contains("lijstnoot punt een") && text.contains("lijstnoot punt twee"));
    }
}

/// A word from `pdftotext -bbox`: page size, and the word's box (top-left origin).
struct Word {
    page: usize,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> f64 {
    let tag = format!(" {tag}");
    let at = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

fn words(pdf: &Path) -> Vec<Word> {
    let out = Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let html = String::from_utf8_lossy(&out.stdout);
    let mut page = 0;
    let mut words = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let (tag, text) = rest.split_once('>').unwrap();
            words.push(Word {
                page,
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: text.trim_end_matches("</word>").to_string(),
            });
        }
    }
    words
}

/// Text area of the house style on 170 × 240 mm, with `bleed` around the trim.
fn text_area(bleed: f64) -> (f64, f64, f64, f64) {
    let mm = 72.0 / 25.4;
    let top = 22.0 * mm;
    let bottom = top + 41.0 * 13.5;
    // Left and right pages have the inner margin on different sides.
    let left = 22.0 * mm;
    let right = 170.0 * mm - 22.0 * mm;
    (bleed + left, bleed + top, bleed + right, bleed + bottom)
}

#[test]
fn no_word_lies_below_the_text_area_or_outside_its_sides() {
    let e = editions();
    for (pdf, bleed) in [(&e.print, 3.0 * 72.0 / 25.4), (&e.screen, 0.0)] {
        let (x0, _, x1, y1) = text_area(bleed);
        let ws = words(pdf);
        assert!(ws.len() > 1000, "{} words", ws.len());
        for w in &ws {
            assert!(
                w.y1 <= y1 + 1.0 && w.x0 >= x0 - 1.0 && w.x1 <= x1 + 1.0,
                "page {}: {:?} at ({:.1},{:.1})-({:.1},{:.1}) is outside the text area",
                w.page,
                w.text,
                w.x0,
                w.y0,
                w.x1,
                w.y1
            );
        }
    }
}

#[test]
fn no_two_words_overlap() {
    for pdf in both() {
        let ws = words(pdf);
        for (i, a) in ws.iter().enumerate() {
            for b in ws[i + 1..].iter().take(40) {
                let same_line = a.page == b.page && (a.y0 - b.y0).abs() < 0.5;
                let overlap = a.x0 < b.x1 - 0.3 && b.x0 < a.x1 - 0.3;
                assert!(
                    !(same_line && overlap),
                    "page {}: {:?} and {:?} overlap",
                    a.page,
                    a.text,
                    b.text
                );
            }
        }
    }
}

#[test]
fn alignment_markers_are_honoured() {
    let ws = words(&editions().print);
    let find = |t: &str| {
        ws.iter()
            .find(|w| w.text == t)
            .unwrap_or_else(|| panic!("{t} not found"))
    };
    // `--:` right: the amounts end at the same x.
    let (a, b) = (find("1.234,50"), find("12.345,00"));
    assert!(
        (a.x1 - b.x1).abs() < 0.5,
        "right-aligned: {} {}",
        a.x1,
        b.x1
    );
    // `:-:` centred: "gecentreerd" and "twee" share a centre.
    let (c, d) = (find("gecentreerd"), find("twee"));
    let mid = |w: &Word| (w.x0 + w.x1) / 2.0;
    assert!(
        (mid(c) - mid(d)).abs() < 0.5,
        "centred: {} {}",
        mid(c),
        mid(d)
    );
    // `:--` left: "links" and "een" start at the same x.
    let e = find("links");
    let f = ws
        .iter()
        .find(|w| w.text == "een" && w.page == e.page && w.y0 > e.y0)
        .expect("een under links");
    assert!((e.x0 - f.x0).abs() < 0.5, "left-aligned: {} {}", e.x0, f.x0);
}

#[test]
fn short_words_in_narrow_columns_are_not_hyphenated() {
    let text = tool("pdftotext", &[], &editions().print);
    assert!(!text.contains("toegan-"), "toegankelijk was broken");
    assert!(text.matches("toegankelijk").count() >= 4);
}

#[test]
fn qpdf_and_the_print_colour_check_pass() {
    for pdf in both() {
        let o = Command::new("qpdf")
            .arg("--check")
            .arg(pdf)
            .output()
            .expect("qpdf");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success() && text.contains("No syntax or stream encoding errors"),
            "{text}"
        );
    }
    let o = Command::new("python3")
        .arg(root().join("tests/pdfcheck.py"))
        .args(["print", "--epoch", EPOCH])
        .arg(&editions().print)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && text.trim_end().ends_with("OK"),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
