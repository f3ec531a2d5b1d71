//! The print engine end to end: a hand-made book through layout and the PDF writer,
//! checked with poppler (`pdffonts`, `pdfinfo`, `pdftotext`), `qpdf` and a second build.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use druk::pdf::{PdfOptions, write_pdf};
use druk::typeset::{Document, FontSet, Item, LayoutReport, LinkTarget, layout};

fn build() -> (Document, LayoutReport, Vec<u8>) {
    let flow = common::sample_book();
    let fonts = FontSet::builtin();
    let (doc, report) = layout(&flow, &fonts);
    let opts = PdfOptions {
        title: "Opvoedingsondersteuning als bijzondere vorm van preventie".into(),
        author: "Marieke van Dalen, Hans Verbeek".into(),
        timestamp: 1_767_225_600,
        lang: Some("nl-NL".into()),
        ..Default::default()
    };
    let out = write_pdf(&doc, &fonts, &opts).expect("PDF is written");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    (doc, report, out.bytes)
}

fn tool(cmd: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed: {e}"));
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page_text(file: &Path, page: usize, layout: bool) -> String {
    let p = page.to_string();
    let mut args = vec!["-f", p.as_str(), "-l", p.as_str()];
    if layout {
        args.push("-layout");
    }
    let out = Command::new("pdftotext")
        .args(&args)
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn normalized(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sample_book_pdf_passes_the_tools() {
    let (doc, report, bytes) = build();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("typeset-sample.pdf");
    std::fs::write(&file, &bytes).unwrap();
    std::fs::write(dir.join("typeset-sample.txt"), doc.dump()).unwrap();

    // The layout report is clean.
    assert_eq!(
        (
            report.widows,
            report.orphans,
            report.overfull_lines,
            report.headings_at_foot
        ),
        (0, 0, 0, 0),
        "{report:#?}"
    );
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert!(
        doc.pages.len() >= 16,
        "a multi-page book: {}",
        doc.pages.len()
    );

    // Never more than two hyphenated lines in a row.
    for page in &doc.pages {
        let ends: Vec<bool> = page.lines.iter().map(|l| l.text.ends_with('-')).collect();
        assert!(
            !ends.windows(3).any(|w| w.iter().all(|&e| e)),
            "three hyphens in a row: {:#?}",
            page.lines
        );
    }

    // Every font is embedded and subset, with a subset tag.
    let fonts = tool("pdffonts", &[], &file);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 5, "{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(
            (cols[n - 5], cols[n - 4], cols[n - 3]),
            ("yes", "yes", "yes"),
            "emb/sub/uni: {row}"
        );
        let name = cols[0];
        assert!(
            name.len() > 7
                && name.as_bytes()[6] == b'+'
                && name[..6].chars().all(|c| c.is_ascii_uppercase()),
            "{row}"
        );
    }
    assert!(
        fonts.contains("NotoSansMono-Regular"),
        "the ■ bullet comes from the mono face: {fonts}"
    );

    // qpdf finds nothing wrong.
    let check = tool("qpdf", &["--check"], &file);
    assert!(
        check.contains("No syntax or stream encoding errors found"),
        "{check}"
    );

    // Trim 170 × 240 mm, bleed 3 mm (8.50 pt), version 1.6, no false PDF/X claim.
    let info = tool("pdfinfo", &["-box"], &file);
    let boxline = |name: &str| -> Vec<f64> {
        let line = info
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {info}"));
        line[name.len()..]
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let trim = boxline("TrimBox:");
    let bleed = boxline("BleedBox:");
    let media = boxline("MediaBox:");
    assert!(
        (trim[2] - trim[0] - 481.89).abs() < 0.02 && (trim[3] - trim[1] - 680.31).abs() < 0.02,
        "{trim:?}"
    );
    assert!(
        (trim[0] - 8.50).abs() < 0.01 && (trim[1] - 8.50).abs() < 0.01,
        "{trim:?}"
    );
    assert_eq!(bleed, media);
    assert!((bleed[2] - trim[2] - 8.50).abs() < 0.01, "{bleed:?}");
    assert!(info.contains("PDF version:     1.6"), "{info}");
    // The default edition is print: really PDF/X-4 (OutputIntent, XMP), not just a label.
    assert!(info.contains("PDF subtype:    PDF/X-4"), "{info}");
    assert!(
        info.contains("CreationDate:    Thu Jan  1 00:00:00 2026 UTC"),
        "{info}"
    );

    // The outline nests chapter › section › subsection, in reading order, and opens with
    // the document.
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(&file)
        .output()
        .expect("qpdf");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("qpdf JSON");
    fn walk(items: &serde_json::Value, depth: usize, out: &mut Vec<(usize, String)>) {
        for it in items.as_array().into_iter().flatten() {
            out.push((depth, it["title"].as_str().unwrap_or("").to_string()));
            walk(&it["kids"], depth + 1, out);
        }
    }
    let mut outline = Vec::new();
    walk(&json["outlines"], 0, &mut outline);
    let at = |t: &str| {
        outline
            .iter()
            .position(|(_, x)| x == t)
            .unwrap_or_else(|| panic!("{t} in {outline:?}"))
    };
    let (chapter, section, sub, next) = (
        at("1 Opvoedingsondersteuning en preventie"),
        at("1.3 Preventie in drie niveaus"),
        at("1.3.1 Universele preventie"),
        at("2 Het werkveld in deze tijd"),
    );
    assert!(
        chapter < section && section < sub && sub < next,
        "reading order: {outline:?}"
    );
    assert_eq!(
        (
            outline[chapter].0,
            outline[section].0,
            outline[sub].0,
            outline[next].0
        ),
        (0, 1, 2, 0)
    );
    let catalog = Command::new("qpdf")
        .args(["--show-object=trailer"])
        .arg(&file)
        .output()
        .expect("qpdf");
    let root = String::from_utf8_lossy(&catalog.stdout);
    let root_id = root
        .split("/Root ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("/Root")
        .to_string();
    let cat = Command::new("qpdf")
        .arg(format!("--show-object={root_id}"))
        .arg(&file)
        .output()
        .expect("qpdf");
    let cat = String::from_utf8_lossy(&cat.stdout);
    assert!(
        cat.contains("/PageMode /UseOutlines") && cat.contains("/PageLabels"),
        "{cat}"
    );

    // The text comes back: ligatures (ffi, ff) and Dutch words, exactly.
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = text.replace('\n', " ");
    for word in [
        "officiële",
        "effectieve",
        "coördinatie",
        "geïnteresseerd",
        "hbo-opleidingen",
        "jeugd- en gezinsbeleid",
        "één loket",
    ] {
        assert!(all.contains(word), "{word} not in the extracted text");
    }
    assert!(!text.contains('\u{FFFD}'), "unmapped glyphs");

    // TOC page numbers are the folios of the pages where the headings really are.
    let toc_page = (1..=doc.pages.len())
        .find(|&p| page_text(&file, p, false).starts_with("Inhoudsopgave"))
        .unwrap();
    let toc = page_text(&file, toc_page, true);
    let mut entries = Vec::new();
    for line in toc.lines() {
        let Some(dots) = line.find(" . .") else {
            continue;
        };
        let title = normalized(&line[..dots]);
        let folio = line.trim_end().rsplit(' ').next().unwrap().to_string();
        entries.push((title, folio));
    }
    assert_eq!(entries.len(), 17, "{toc}");
    let mut from = toc_page + 1;
    for (title, folio) in &entries {
        // Strip a leading section number ("1.3 ", "2 ").
        let bare = match title.split_once(' ') {
            Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit() || c == '.') => {
                rest.to_string()
            }
            _ => title.clone(),
        };
        let found = (from..=doc.pages.len())
            .find(|&p| {
                let t = page_text(&file, p, false);
                t.lines()
                    .any(|l| normalized(l) == *title || normalized(l) == bare)
                    || normalized(&t).contains(&format!(
                        "{} {}",
                        title.split(' ').next().unwrap_or(""),
                        bare
                    )) && !t.contains(" . .")
            })
            .unwrap_or_else(|| panic!("heading {title:?} not found after page {from}"));
        assert_eq!(
            &doc.pages[found - 1].folio.label(),
            folio,
            "{title} is on page {found}"
        );
        from = found;
    }

    // The long kader of chapter 2 is closed at a page foot and reopened on the next page.
    let style = common::sample_book().style;
    let fills: Vec<Vec<(f64, f64)>> = doc
        .pages
        .iter()
        .map(|p| {
            p.items
                .iter()
                .filter_map(|i| match i {
                    Item::Rect(r) if r.color == style.kader_fill => Some((r.y, r.y + r.height)),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let broken = (0..fills.len() - 1).any(|p| {
        fills[p]
            .iter()
            .any(|&(_, bottom)| bottom > style.margin_top + style.text_height() * 0.8)
            && fills[p + 1]
                .iter()
                .any(|&(top, _)| (top - style.margin_top).abs() < 0.01)
    });
    assert!(broken, "a kader breaks across pages: {fills:?}");

    // Footnote markers link to their footnote on the same page.
    let mut notes = 0;
    for (i, page) in doc.pages.iter().enumerate() {
        for l in &page.links {
            if let LinkTarget::Internal(pos) = &l.target
                && doc
                    .destinations
                    .iter()
                    .any(|(name, d)| name.starts_with("druk-fn-") && d == pos)
            {
                notes += 1;
                assert_eq!(pos.page, i, "footnote on the page of its reference");
            }
        }
    }
    assert!(notes >= 6, "{notes} footnote links");

    // A second build gives the same bytes.
    let (_, _, again) = build();
    assert!(bytes == again, "two builds differ");
}

/// Timing of a book of about 300 pages. Run in release:
/// `cargo test --release --test typeset_pdf -- --ignored --nocapture`.
#[test]
#[ignore]
fn book_300_timing() {
    let flow = common::long_book(29);
    let fonts = FontSet::builtin();
    let mut times = Vec::new();
    let mut pages = 0;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let (doc, report) = layout(&flow, &fonts);
        times.push(t.elapsed());
        pages = doc.pages.len();
        assert_eq!(
            (
                report.widows,
                report.orphans,
                report.overfull_lines,
                report.headings_at_foot
            ),
            (0, 0, 0, 0)
        );
    }
    times.sort();
    let (doc, _) = layout(&flow, &fonts);
    let t = std::time::Instant::now();
    let pdf = write_pdf(&doc, &fonts, &PdfOptions::default()).unwrap();
    let write = t.elapsed();
    eprintln!(
        "{pages} pages: layout median {:?}, PDF {:?} ({} KB)",
        times[2],
        write,
        pdf.bytes.len() / 1024
    );
}
