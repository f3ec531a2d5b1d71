//! No input makes druk panic: random manuscripts stitched from the format's own pieces (and
//! broken halves of them) go through every stage, and each must end in output or diagnostics.

use crate::common::*;

/// Pieces that exercise the parser's edges, including unbalanced and malformed ones.
const PIECES: &[&str] = &[
    "# Titel {#sec-t}\n",
    "## Kop\n",
    "### Kop {#sec-a}\n",
    "#### Diep {-}\n",
    "## {-}\n",
    "# \n",
    "Tekst met *nadruk* en **vet**",
    " @sec-a ",
    "[-@sec-a]",
    "@sec-",
    "[@",
    "@]",
    "[@key, p. 3]",
    "[@a; @b]",
    "@Sec-a",
    "paragraaf 1.2",
    "hoofdstuk 99",
    "par. ",
    "figuur 1.",
    "\n\n",
    "\n",
    "::: {.kader #kader-x title=\"Een: titel\"}\n",
    "::: kader\n",
    ":::\n",
    "::: {.kader\n",
    "::: {#}\n",
    "- punt\n",
    "    - sub\n",
    "1. een\n",
    "> citaat\n",
    "```\ncode\n```\n",
    "```\nopen code\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    ": Bijschrift {#tbl-x}\n",
    ": {#}\n",
    "![x](afbeeldingen/geen.png){#fig-x}\n",
    "![](x.gif)",
    "[^1]",
    "[^1]: Noot.\n",
    "[^2]: Noot zonder verwijzing.\n",
    "<span>",
    "</span>",
    "<br/>",
    "<b>open",
    "&nbsp;",
    "&amp;",
    "'enkel'",
    "\"dubbel\"",
    "’s",
    "ĳsje coördinatie",
    "\t",
    "\u{0}",
    "\u{feff}",
    "{",
    "}",
    "{#sec-a}",
    "{.unnumbered}",
    "***\n",
    "<!-- commentaar -->\n",
    "[link](#sec-a)",
    "[link](https://example.org)",
    "<https://example.org>",
    "\\",
    "~~weg~~",
];

pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        // splitmix64: a fixed sequence, so a failure is reproducible from its seed.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn random_manuscripts_never_panic() {
    let dir = scratch("robust");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Robuust\nchapters: [h/01.md, h/02.md]\nback: [literatuur]\nbibliography: b.yaml\n",
    )
    .unwrap();
    std::fs::write(
        book.join("b.yaml"),
        "references:\n- id: key\n  type: book\n  title: T\n  issued: 2000\n  author: [{family: A, given: B}]\n",
    )
    .unwrap();
    let mut rng = Rng(7);
    let mut printed = 0;
    for round in 0..150 {
        for (ch, title) in [
            ("h/01.md", "# Een {#sec-een}\n\n"),
            ("h/02.md", "# Twee\n\n"),
        ] {
            let n = 1 + rng.next() % 40;
            // Most rounds start well, so that the later stages get to run too.
            let mut text = if rng.next().is_multiple_of(4) {
                String::new()
            } else {
                title.to_string()
            };
            for _ in 0..n {
                text.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
            }
            std::fs::write(book.join(ch), &text).unwrap();
        }
        let result = std::panic::catch_unwind(|| {
            // Every other round prepares the images while the citations are formatted, as a
            // PDF build does.
            let opts = druk::CompileOptions {
                prepare_print: round % 2 == 1,
                ..Default::default()
            };
            let c = druk::compile(&book, &opts);
            if let Some((project, b)) = &c.book {
                let stamp = druk::time::Stamp::from_epoch(0);
                let _ = druk::render::epub::render(b, project, &stamp, None);
                let _ = druk::render::html::render(b, project, Default::default());
                // Renderers must cope with what resolve left unresolved, errors or not.
                // Both editions, alternately: marks and PDF/X, or links and RGB.
                let edition = if round % 2 == 0 {
                    druk::pdf::Edition::Print { marks: true }
                } else {
                    druk::pdf::Edition::Screen
                };
                let prepared = c.prepared.as_ref();
                let _ = druk::render::print::render(b, project, &stamp, None, &[edition], prepared);
                return true;
            }
            false
        });
        if let Ok(true) = result {
            printed += 1;
        }
        if result.is_err() {
            let a = std::fs::read_to_string(book.join("h/01.md")).unwrap();
            let b = std::fs::read_to_string(book.join("h/02.md")).unwrap();
            panic!("round {round} panicked on:\n--- h/01.md\n{a}\n--- h/02.md\n{b}");
        }
    }
    assert!(
        printed >= 10,
        "only {printed} rounds reached the print stage"
    );
}
