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
