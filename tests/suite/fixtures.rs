//! Fixture books under tests/books/<name>/ with golden EPUB files in expected/.

use crate::common::*;

fn check_fixture(name: &str) {
    let book = root().join("tests/books").join(name);
    let out = scratch(&format!("fixture-{name}"));
    let epub = build_epub(&book, &out);
    let expected = book.join("expected");
    let files = unzip(&epub);
    let mut names = Vec::new();
    for (path, bytes) in &files {
        names.push(path.clone());
        let golden_worthy = path.ends_with(".opf") || path.ends_with(".xhtml");
        if golden_worthy {
            let rel = path.trim_start_matches("EPUB/");
            golden(
                &expected.join(rel),
                &String::from_utf8(bytes.clone()).unwrap(),
            );
        }
    }
    golden(&expected.join("files.txt"), &(names.join("\n") + "\n"));
}

#[test]
fn basics_book_matches_golden_epub() {
    check_fixture("basics");
}

#[test]
fn english_book_matches_golden_epub() {
    check_fixture("english");
}

#[test]
fn tables_book_matches_golden_epub() {
    check_fixture("tables");
}

#[test]
fn raw_html_book_matches_golden_epub() {
    check_fixture("raw-html");
}

#[test]
fn per_edition_book_matches_golden_epub() {
    check_fixture("per-edition");
}

/// `.content-visible` and `.content-hidden` decide per edition; nested divs with fences of one
/// length stay nested.
#[test]
fn content_for_some_editions_only() {
    let out = scratch("per-edition-all");
    let o = run(druk()
        .arg("build")
        .arg(root().join("tests/books/per-edition"))
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = tool("pdftotext", &[], &out.join("per-editie-print.pdf")).replace('\n', " ");
    let web = strip_tags(&std::fs::read_to_string(out.join("html/hoofdstuk-01.html")).unwrap());
    let epub = strip_tags(&entry_text(
        &unzip(&out.join("per-editie.epub")),
        "hoofdstuk-01.xhtml",
    ));
    for (edition, text, shown, hidden) in [
        (
            "print",
            &pdf,
            &["Alleen gedrukt", "een gedrukt stuk"][..],
            &[
                "Alleen digitaal",
                "Alleen in het e-boek",
                "een digitaal stuk",
            ][..],
        ),
        (
            "web",
            &web,
            &["Alleen digitaal", "een digitaal stuk"],
            &["Alleen gedrukt", "Alleen in het e-boek", "een gedrukt stuk"],
        ),
        (
            "epub",
            &epub,
            &[
                "Alleen digitaal",
                "Alleen in het e-boek",
                "een digitaal stuk",
            ],
            &["Alleen gedrukt", "een gedrukt stuk"],
        ),
    ] {
        for s in shown {
            assert!(text.contains(s), "{edition} lacks “{s}”");
        }
        for s in hidden {
            assert!(!text.contains(s), "{edition} shows “{s}”");
        }
        for s in [
            "elke editie",
            "Nested divs",
            "Weer in het Nederlands",
            "Na de kader",
        ] {
            assert!(text.contains(s), "{edition} lacks “{s}”");
        }
    }
    // The English div stays inside the kader, and the text after it too.
    let xhtml = entry_text(&unzip(&out.join("per-editie.epub")), "hoofdstuk-01.xhtml");
    let kader = &xhtml[xhtml.find("class=\"kader\"").unwrap()..];
    let kader = &kader[..kader.find("Na de kader").unwrap()];
    assert!(
        kader.contains("lang=\"en\"") && kader.contains("Weer in het Nederlands"),
        "{kader}"
    );
}

#[test]
fn citations_book_matches_golden_epub() {
    check_fixture("citations");
}

/// hayagriva gives year letters in order of first citation; APA, CSL and Pandoc give them in
/// the order of the reference list. `rispens1996a` ("Zorgen voor kinderen") is cited first but
/// sorts after "Opvoeden in Nederland", so it must be 1996b everywhere.
#[test]
fn year_letters_follow_the_reference_list() {
    let out = scratch("year-letters");
    let epub = build_epub(&root().join("tests/books/citations"), &out);
    let files = unzip(&epub);
    let text = |name: &str| strip_tags(&entry_text(&files, name));
    let list = text("literatuur.xhtml");
    let a = list
        .find("(1996a). Opvoeden in Nederland")
        .expect("Opvoeden in Nederland is 1996a");
    let b = list
        .find("(1996b). Zorgen voor kinderen")
        .expect("Zorgen voor kinderen is 1996b");
    assert!(a < b, "1996a is listed before 1996b");
    let chapter = text("hoofdstuk-01.xhtml");
    assert!(
        chapter.contains("meerdere (Rispens et al., 1996b; Zeijl et al., 2005)"),
        "{chapter}"
    );
    assert!(
        chapter.contains("voorvoegsel (zie Rispens et al., 1996a)"),
        "{chapter}"
    );
    assert!(chapter.contains("(NJi, 2014a, p. 12)"), "{chapter}");
    assert!(
        list.find("(2014a). Richtlijn opvoedingsondersteuning")
            < list.find("(2014b). Richtlijn ouderschap")
    );
}

/// hayagriva disambiguates at most one group of look-alike citations per round (three
/// rounds), renders the reference list with the name forms of the citations, and leaves
/// "(1994,)" for a web page with only a year. A book with more groups than rounds must still
/// get every year letter, in the text and the list alike, full author names in the list, and
/// clean dates; and "(Platform Wijkteams, 2021b; 2021a)" must read "(…, 2021a, 2021b)".
#[test]
fn every_year_letter_and_full_names_in_a_book_with_many_groups() {
    let out = scratch("year-letters-many");
    let epub = build_epub(&root().join("tests/books/year-letters"), &out);
    let files = unzip(&epub);
    let text = |name: &str| strip_tags(&entry_text(&files, name));
    let chapter = text("hoofdstuk-01.xhtml");
    let list = text("literatuur.xhtml");
    for (cited, listed) in [
        (
            "Nederlands Jeugdinstituut, 2014a",
            "(2014a). Richtlijn opvoedingsondersteuning",
        ),
        (
            "Nederlands Jeugdinstituut, 2014b",
            "(2014b). Richtlijn ouderschap",
        ),
        ("Adviesraad Jeugd, 2012a", "(2012a). Effects of sensitivity"),
        ("Adviesraad Jeugd, 2012b", "(2012b). Professional judgement"),
        (
            "Hermanns, 1992a",
            "(1992a). Het sociaal kapitaal van gezinnen",
        ),
        ("Hermanns, 1992b", "(1992b). Opvoeden in wijken"),
        ("Smit & Bakker, 2005a", "(2005a). Buurten in beeld"),
        ("Smit & Bakker, 2005b", "(2005b). Gezinnen in beeld"),
    ] {
        assert!(chapter.contains(cited), "missing {cited:?} in\n{chapter}");
        assert!(list.contains(listed), "missing {listed:?} in\n{list}");
    }
    // Works of the same authors and year in one citation: in list order, with a comma.
    assert!(
        chapter.contains("(Platform Wijkteams, 2021a, 2021b)"),
        "{chapter}"
    );
    assert!(list.contains("(2021a). Family resilience"), "{list}");
    assert!(list.contains("(2021b). Over gesprekken"), "{list}");
    // Told apart by their co-authors in the text; listed with every author.
    assert!(
        chapter.contains("(Gerritsen, Bakker, et al., 2019)"),
        "{chapter}"
    );
    assert!(
        list.contains("Gerritsen, A., Bakker, K., & Smit, L. (2019). Vaders"),
        "{list}"
    );
    assert!(
        list.contains("Gerritsen, A., De Vries, M., & Jansen, E. (2019). Moeders"),
        "{list}"
    );
    assert!(
        list.contains("Adviesraad Jeugd. (1994). What works"),
        "{list}"
    );
    assert!(!list.contains(",)"), "{list}");
    // Undated works of the same authors: "z.d.-a", "z.d.-b" (hayagriva gives none), and no
    // "Geraadpleegd" without a date before the URL.
    assert!(
        chapter.contains("Zonder datum (Nederlands Jeugdinstituut, z.d.-b)"),
        "{chapter}"
    );
    assert!(
        chapter.contains("samen (Nederlands Jeugdinstituut, z.d.-a, z.d.-b)"),
        "{chapter}"
    );
    assert!(
        list.contains("Nederlands Jeugdinstituut. (z.d.-a). Aanpak thuis. https://"),
        "{list}"
    );
    assert!(!list.contains("Geraadpleegd"), "{list}");
}

/// Look-alike works must read the same wherever they are cited. hayagriva tells them apart
/// only among the citations of one run, and in a limited number of rounds, so a citation
/// stage that formats a book in several runs can disambiguate a work in one chapter and not
/// in another ("Gerritsen et al., 2019" beside "Gerritsen, Bakker, et al., 2019"). Each
/// chapter here cites every work twenty times with different pages: both must show the same
/// forms.
#[test]
fn look_alikes_read_the_same_in_every_chapter() {
    let out = scratch("split-runs");
    let epub = build_epub(&root().join("tests/books/split-runs"), &out);
    let files = unzip(&epub);
    let forms = |name: &str| {
        let xhtml = entry_text(&files, name);
        let mut forms: Vec<String> = xhtml
            .split("<span class=\"citation\">")
            .skip(1)
            .map(|s| {
                let text = strip_tags(s.split("</span>").next().unwrap_or(""));
                // "p. 12" and "p. 33" are the same form.
                let mut out = String::new();
                let mut digits = false;
                for c in text.chars() {
                    if c.is_ascii_digit() && out.ends_with("p. ") || digits && c.is_ascii_digit() {
                        digits = true;
                        continue;
                    }
                    if digits {
                        out.push('#');
                        digits = false;
                    }
                    out.push(c);
                }
                out
            })
            .collect();
        forms.sort();
        forms
    };
    let first = forms("hoofdstuk-01.xhtml");
    let second = forms("hoofdstuk-02.xhtml");
    assert_eq!(first.len(), 360, "{first:?}");
    assert_eq!(first, second);
    for form in [
        "(Gerritsen, Bakker, et al., 2019, p. #)",
        "(Gerritsen, De Vries, et al., 2019, p. #)",
        "Gerritsen, Bakker, et al. (2019)",
        "(Nederlands Jeugdinstituut, 2014b, p. #)",
        "(Platform Wijkteams, 2021a, 2021b, p. #)",
    ] {
        assert!(first.iter().any(|f| f == form), "no {form:?} in {first:?}");
    }
}

#[test]
fn citation_forms() {
    let out = scratch("citation-forms");
    let epub = build_epub(&root().join("tests/books/citations"), &out);
    let files = unzip(&epub);
    let ch = entry_text(&files, "hoofdstuk-01.xhtml");
    for expected in [
        "Tussen haakjes <span class=\"citation\">(<a href=\"literatuur.xhtml#ref-hermanns1992\">Hermanns, 1992</a>)</span>",
        "verhalend <span class=\"citation\"><a href=\"literatuur.xhtml#ref-hermanns1992\">Hermanns (1992)</a></span>",
        "<a href=\"literatuur.xhtml#ref-hermannsleu1998\">Hermanns en Leu (1998)</a>",
        "<a href=\"literatuur.xhtml#ref-hermannsleu1998\">Hermanns &amp; Leu, 1998, pp. 3–7</a>",
        "alleen het jaar <span class=\"citation\">(<a href=\"literatuur.xhtml#ref-zeijl2005\">2005</a>)</span>",
        "<a href=\"literatuur.xhtml#ref-opvoedwijzer\">Stichting Opvoedwijzer, z.d.</a>",
        "<a href=\"literatuur.xhtml#ref-bakker2010\">Bakker &amp; Jansen, 2010, hoofdstuk 3</a>",
        // Several works: sorted by author, each with its own locator.
        "lijst <span class=\"citation\">(<a href=\"literatuur.xhtml#ref-bakker2010\">Bakker &amp; Jansen, 2010</a>; <a href=\"literatuur.xhtml#ref-hermanns1992\">Hermanns, 1992</a>; <a href=\"literatuur.xhtml#ref-zeijl2005\">Zeijl et al., 2005, p. 8</a>)</span>",
    ] {
        assert!(ch.contains(expected), "missing: {expected}\n{ch}");
    }
    let list = entry_text(&files, "literatuur.xhtml");
    assert!(
        list.contains("<em>Handboek jeugd</em> (pp. 45–67)"),
        "{list}"
    );
    assert!(
        list.contains("<a href=\"https://www.example.org/opvoeden\" class=\"external\">"),
        "{list}"
    );
}

#[test]
fn mimetype_comes_first_and_stored() {
    let out = scratch("mimetype");
    let epub = build_epub(&root().join("tests/books/basics"), &out);
    let bytes = std::fs::read(&epub).unwrap();
    // OCF: the first local header names "mimetype", uncompressed, and its content follows.
    assert_eq!(&bytes[0..4], b"PK\x03\x04");
    assert_eq!(
        u16::from_le_bytes([bytes[8], bytes[9]]),
        0,
        "mimetype is stored"
    );
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..58], b"application/epub+zip");
}

#[test]
fn building_twice_gives_identical_bytes() {
    let book = root().join("book");
    let a = std::fs::read(build_epub(&book, &scratch("twice-a"))).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = std::fs::read(build_epub(&book, &scratch("twice-b"))).unwrap();
    assert!(a == b, "two builds of the sample book differ");
}

#[test]
fn source_date_epoch_sets_modified_date() {
    let out = scratch("sde");
    let o = run(druk()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["build", "-f", "epub", "-o"])
        .arg(&out)
        .arg(root().join("tests/books/english")));
    assert!(o.status.success());
    let epub = only_file(&out);
    let opf = unzip(&epub)
        .into_iter()
        .find(|(n, _)| n.ends_with(".opf"))
        .unwrap()
        .1;
    let opf = String::from_utf8(opf).unwrap();
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"),
        "{opf}"
    );
}

#[test]
fn sample_book_numbers_and_references() {
    let out = scratch("sample-refs");
    let epub = build_epub(&root().join("book"), &out);
    let files = unzip(&epub);
    let text = |name: &str| entry_text(&files, name);
    let ch3 = text("hoofdstuk-03.xhtml");
    assert!(ch3.contains(
        "<h3 id=\"sec-balansmodel\"><span class=\"secno\">3.2.2</span> Het balansmodel</h3>"
    ));
    assert!(ch3.contains("<span class=\"caption-label\">Figuur 3.1</span>"));
    let ch4 = text("hoofdstuk-04.xhtml");
    assert!(
        ch4.contains("href=\"hoofdstuk-03.xhtml#sec-balansmodel\">paragraaf 3.2.2</a>"),
        "ch4 links to 3.2.2"
    );
    let ch6 = text("hoofdstuk-06.xhtml");
    assert!(ch6.contains("<p class=\"chapter-author\">Fatima El Amrani</p>"));
    let nav = text("nav.xhtml");
    assert!(
        nav.contains("3.2.2 Het balansmodel"),
        "nav goes three levels deep"
    );
    let opf = text("package.opf");
    assert!(opf.contains("<dc:identifier id=\"book-id\">urn:isbn:9789000000012</dc:identifier>"));
    assert!(opf.contains("<dc:publisher>Uitgeverij Voorbeeld</dc:publisher>"));
    let colophon = text("colofon.xhtml");
    assert!(
        colophon.contains("7e druk, 2026") && colophon.contains("978-900000001-2"),
        "{colophon}"
    );
}

/// `--chapter 3` prints the numbers, reference texts and citations of the whole book.
#[test]
fn one_chapter_has_the_numbers_of_the_whole_book() {
    let full = unzip(&build_epub(&root().join("book"), &scratch("chapter-full")));
    let out = scratch("chapter-3");
    let o = run(druk()
        .args(["build", "--chapter", "3", "-f", "epub", "-o"])
        .arg(&out)
        .arg(root().join("book")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let epub = only_file(&out);
    assert!(
        epub.to_string_lossy().ends_with("-hoofdstuk-3.epub"),
        "{}",
        epub.display()
    );
    let one = unzip(&epub);
    let text_of =
        |files: &[(String, Vec<u8>)]| strip_tags(&entry_text(files, "hoofdstuk-03.xhtml"));
    let (a, b) = (text_of(&full), text_of(&one));
    assert!(a.contains("3.2.2 Het balansmodel") && a.contains("paragraaf 4.2.1"));
    assert_eq!(a, b, "chapter 3 alone reads exactly as in the whole book");
    assert!(
        !one.iter().any(|(n, _)| n.ends_with("hoofdstuk-04.xhtml")),
        "only chapter 3 is packaged"
    );
    assert_eq!(
        run(druk()
            .args(["build", "--chapter", "9"])
            .arg(root().join("book"))
            .arg("-o")
            .arg(&out))
        .status
        .code(),
        Some(2)
    );
}

/// Image paths as an editor's preview resolves them (relative to the Markdown file) work as
/// well as paths relative to the book folder; a missing one gets a "did you mean".
#[test]
fn image_paths_relative_to_the_chapter_or_the_book() {
    let dir = scratch("image-paths");
    let book = dir.join("boek");
    std::fs::create_dir_all(book.join("hoofdstukken/plaatjes")).unwrap();
    std::fs::create_dir_all(book.join("afbeeldingen")).unwrap();
    let png = std::fs::read(root().join("book/afbeeldingen/04-methodische-cyclus.png")).unwrap();
    std::fs::write(book.join("afbeeldingen/cyclus.png"), &png).unwrap();
    std::fs::write(book.join("hoofdstukken/plaatjes/naast.png"), &png).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Paden\nchapters: [hoofdstukken/01.md]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("hoofdstukken/01.md"),
        "# Een\n\n![Vanuit het boek](afbeeldingen/cyclus.png)\n\n![Vanuit het hoofdstuk](../afbeeldingen/cyclus.png)\n\n![Ernaast](plaatjes/naast.png)\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = run(druk()
        .args(["build", "--format", "epub,pdf"])
        .arg(&book)
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names: Vec<String> = unzip(&out.join("paden.epub"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".png")).count(),
        2,
        "{names:?}"
    );
    std::fs::write(
        book.join("hoofdstukken/01.md"),
        "# Een\n\n![Mis](afbeeldingen/cycl.png)\n\n![Weg](../../buiten.png)\n",
    )
    .unwrap();
    let o = run(druk()
        .args(["check", "--message-format", "short"])
        .arg(&book));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("did you mean `afbeeldingen/cyclus.png`?"),
        "{err}"
    );
    assert!(err.contains("leaves the book folder"), "{err}");
}
