//! Bibliography files as users have them: large, minified, exported by other programs, or
//! hostile. Each must end in output or located diagnostics, in time linear in its size.

use crate::common::*;
use std::path::Path;
use std::time::Instant;

/// A CSL-JSON library of `n` works, on one line or pretty-printed, and a book that cites
/// every `n / 20`-th of them. Returns the keys cited.
fn large_library(dir: &Path, n: usize, minified: bool) -> Vec<String> {
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    let entries: Vec<String> = (0..n)
        .map(|i| {
            let fields = [
                format!(r#""id": "auteur{i}""#),
                r#""type": "book""#.to_string(),
                format!(r#""author": [{{"family": "Auteur{i}", "given": "A."}}]"#),
                format!(r#""issued": {{"date-parts": [[{}]]}}"#, 1900 + i % 120),
                format!(r#""title": "Boek nummer {i}""#),
                r#""publisher": "Uitgeverij Proef""#.to_string(),
            ];
            if minified {
                format!("{{{}}}", fields.join(",").replace("\": ", "\":"))
            } else {
                format!("  {{\n    {}\n  }}", fields.join(",\n    "))
            }
        })
        .collect();
    let json = if minified {
        format!("[{}]", entries.join(","))
    } else {
        format!("[\n{}\n]\n", entries.join(",\n"))
    };
    std::fs::write(book.join("bronnen.json"), json).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Groot\nchapters: [h/01.md]\nback: [literatuur]\nbibliography: bronnen.json\n",
    )
    .unwrap();
    let cited: Vec<String> = (0..n)
        .step_by(n / 20)
        .map(|i| format!("auteur{i}"))
        .collect();
    let text: Vec<String> = cited.iter().map(|k| format!("[@{k}]")).collect();
    std::fs::write(
        book.join("h/01.md"),
        format!("# Een\n\n{}\n", text.join(" ")),
    )
    .unwrap();
    cited
}

/// Loading was quadratic (each entry's key was searched for from the start of the file, and
/// each warning printed the whole one-line file): a minified 10,000-entry file ran for more
/// than 300 s. The timings are printed (`--nocapture`), not asserted: the machine may be busy.
#[test]
fn large_and_minified_csl_json_loads_in_linear_time() {
    for minified in [true, false] {
        for n in [1000, 2000, 4000, 8000, 10_000] {
            let dir = scratch(&format!("large-{n}-{minified}"));
            let cited = large_library(&dir, n, minified);
            let out = dir.join("out");
            let start = Instant::now();
            let o = run(druk()
                .args(["build", "--format", "epub", "--out"])
                .arg(&out)
                .arg(dir.join("book")));
            let took = start.elapsed();
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(0), "{}", &err[..err.len().min(2000)]);
            let unused = err.matches("warning[unused-reference]").count();
            assert_eq!(unused, n - cited.len());
            // Every warning shows a window of the line, not the line.
            let per_warning = err.len() / unused;
            assert!(per_warning < 1024, "{per_warning} bytes per warning");
            assert!(err.contains("book/bronnen.json:"), "{}", &err[..2000]);
            let files = unzip(&only_file(&out));
            let list = strip_tags(&entry_text(&files, "literatuur.xhtml"));
            for key in &cited {
                let title = format!("Boek nummer {}", &key["auteur".len()..]);
                assert!(list.contains(&title), "{title} is listed");
            }
            eprintln!(
                "{n} entries, {}: {:.2} s, {} bytes of warnings",
                if minified {
                    "minified"
                } else {
                    "pretty-printed"
                },
                took.as_secs_f64(),
                err.len()
            );
        }
    }
}

/// LaTeX in BibTeX fields (as Zotero and JabRef export it) reached the reference list
/// as written: `\emph{…}`, `$x^2$`, `{\em …}`, ``` ``…'' ```.
#[test]
fn latex_in_bibtex_fields_is_converted_in_the_reference_list() {
    let out = scratch("bibtex-latex");
    let epub = build_epub(&root().join("tests/errors/bibtex-latex/book"), &out);
    let files = unzip(&epub);
    let list = strip_tags(&entry_text(&files, "literatuur.xhtml"));
    for want in [
        "Müller, J., Garçon, F., & Dvořák, A. (2019). The effect of CO₂ on Arabidopsis growth: a meta-analysis. Plant & Soil, 12, 1–10.",
        "Bos, H., Østergaard, S., & Åberg, Æ. (2003). Energy E=mc² and α-decay in the 20ᵗʰ century — a review avant la lettre. Proc. of the “Dag van de Fysica”, 1–5.",
        "Christiaens, P. (2020). Een eigen opmaak en ĳs. Proef.",
    ] {
        assert!(list.contains(want), "{want}\nnot in\n{list}");
    }
    for raw in ['\\', '$', '{', '}', '`'] {
        assert!(
            !list.contains(raw),
            "`{raw}` in the reference list:\n{list}"
        );
    }
}

/// Pieces of bibliography files, well-formed and broken, to stitch random files from.
const YAML_VALUES: &[&str] = &[
    "2019",
    "0",
    "99999",
    "-5",
    "'2019-13-45'",
    "2019-02-29",
    "{date-parts: [[]]}",
    "{date-parts: [[2019, 0, 0]]}",
    "{date-parts: [['', '']]}",
    "{raw: 1990/}",
    "{literal: z.j.}",
    "[{year: 2001}, {year: 2002}, {year: 2003}]",
    "[[1992], [1994]]",
    "''",
    "~",
    "true",
    "1.5",
    "[a, b]",
    "{family: X}",
    "[{family: X}, {literal: Y}, {}]",
    "'$x^2$ \\emph{y}'",
    "'-'",
    "'1-'",
    "99999999999999999999",
    "'ⅯⅯⅩⅨ'",
];
const YAML_FIELDS: &[&str] = &[
    "issued",
    "accessed",
    "author",
    "editor",
    "title",
    "page",
    "volume",
    "issue",
    "type",
    "container-title",
    "URL",
    "edition",
    "event-date",
];
const BIB_PIECES: &[&str] = &[
    "@book{a, title = {T}, author = {A, B.}, year = 2000}\n",
    "@article{b, crossref = {a}, title = {U}, year = {2001}}\n",
    "@inbook{c, crossref = {c}}\n",
    "@book{d, xdata = {x}, title = {V}}\n@xdata{x, xdata = {d}}\n",
    "@string{s = t # s}\n",
    "@string{t = {T}}\n",
    "@book{e, title = s # t, year = {99999}}\n",
    "@book{f, title = {\\emph{\\foo{$x^{2_3}$}}}, author = {{\\relax Ch}r\\'{\\i}s and others}}\n",
    "@book{g, pages = {--}, volume = {-}, number = {\\}}, year = {2019--2020}}\n",
    "@book{h, date = {2019-02-30/2018}, author = {, and ,}}\n",
    "@book{i, title = {{{{{{{{x}}}}}}}}}\n",
    "@book{j, title = {$\\frac{1}{}$ \\textsuperscript{q} ~ `` ''}}\n",
    "@comment{x}\n",
    "% comment\n",
    "@book{k,",
    "}\n",
    "{",
    "\\",
    "$",
    "@",
];

#[test]
fn random_bibliographies_never_panic() {
    let dir = scratch("robust-bibliography");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Robuust\nchapters: [h/01.md]\nback: [literatuur]\nbibliography: [b.yaml, b.json, b.bib]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/01.md"),
        "# Een\n\n[@y1; @y2] [@j1] [@a] [@b] [@c] [@d] [@e] [@f] [@g] [@h] [@i] [@j]\n",
    )
    .unwrap();
    // splitmix64, as in robust.rs: a failure is reproducible from its round.
    let mut state = 11u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as usize
    };
    let mut read = 0;
    for round in 0..120 {
        let entry = |key: &str, next: &mut dyn FnMut() -> usize| {
            let mut fields = vec![format!("id: {key}")];
            for _ in 0..(next() % 6) {
                let f = YAML_FIELDS[next() % YAML_FIELDS.len()];
                let v = YAML_VALUES[next() % YAML_VALUES.len()];
                fields.push(format!("{f}: {v}"));
            }
            format!("- {{{}}}\n", fields.join(", "))
        };
        let yaml = entry("y1", &mut next) + &entry("y2", &mut next);
        std::fs::write(book.join("b.yaml"), &yaml).unwrap();
        // The same entry as JSON, through serde_yaml's reading of it.
        let one = entry("j1", &mut next);
        let json = serde_yaml_to_json(&one);
        std::fs::write(book.join("b.json"), &json).unwrap();
        let bib: String = (0..1 + next() % 8)
            .map(|_| BIB_PIECES[next() % BIB_PIECES.len()])
            .collect();
        std::fs::write(book.join("b.bib"), &bib).unwrap();
        let result = std::panic::catch_unwind(|| {
            let c = druk::compile(&book, &Default::default());
            let rendered = druk::diag::render(&c.diags, &c.sources, Default::default(), false);
            if let Some((project, b)) = &c.book {
                let stamp = druk::time::Stamp::from_epoch(0);
                let _ = druk::render::epub::render(b, project, &stamp, None);
            }
            rendered
        });
        match &result {
            Ok(diags) if !diags.contains("cannot read the bibliography") => read += 1,
            _ => {}
        }
        if result.is_err() {
            panic!(
                "round {round} panicked on:\n--- b.yaml\n{yaml}\n--- b.json\n{json}\n--- b.bib\n{bib}"
            );
        }
    }
    assert!(read >= 20, "only {read} rounds read all three files");
}

/// A YAML list as JSON, or the YAML text itself when it is not valid YAML (then the JSON
/// reader reports it).
fn serde_yaml_to_json(yaml: &str) -> String {
    serde_yaml::from_str::<serde_json::Value>(yaml)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| yaml.to_string())
}

/// Emphasis inside a field (`\emph{…}` in BibTeX, `<i>…</i>` in Zotero's CSL-JSON) is
/// italic in the reference list, and upright inside a title that is printed in italics.
#[test]
fn emphasis_in_fields_reaches_the_reference_list() {
    let dir = scratch("emphasis-in-fields");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Nadruk\nchapters: [h/01.md]\nback: [literatuur]\nbibliography: [b.bib, b.json]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/01.md"),
        "# Een\n\n[@boek] [@artikel] [@zotero]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("b.bib"),
        "@book{boek, author = {Jansen, A.}, title = {Evolutie bij \\emph{Drosophila} en mensen}, publisher = {Proef}, year = 2001}\n\
         @article{artikel, author = {Smit, B.}, title = {Groei van {\\em Arabidopsis} en \\textbf{mais}}, journal = {Plant}, year = 2002}\n",
    )
    .unwrap();
    std::fs::write(
        book.join("b.json"),
        r#"[{"id": "zotero", "type": "article-journal", "author": [{"family": "Visser", "given": "C."}], "issued": {"date-parts": [[2003]]}, "title": "Kweek van <i>E. coli</i> bij 37 °C en CO<sub>2</sub>", "container-title": "Lab"}]"#,
    )
    .unwrap();
    let out = dir.join("out");
    let files = unzip(&build_epub(&book, &out));
    let list = entry_text(&files, "literatuur.xhtml");
    for want in [
        "<em>Evolutie bij </em>Drosophila<em> en mensen</em>",
        "Groei van <em>Arabidopsis</em> en <strong>mais</strong>",
        "Kweek van <em>E. coli</em> bij 37 °C en CO₂",
    ] {
        assert!(list.contains(want), "{want}\nnot in\n{list}");
    }
    assert!(!list.contains("&lt;i&gt;"), "{list}");
}
