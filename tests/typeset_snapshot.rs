//! A text dump of a small laid-out flow, compared with a reviewed snapshot.
//!
//! Run with `BLESS=1` to rewrite `tests/snapshots/small-flow.txt` after an intended
//! change, and review the diff like any other change to the pages.

mod common;

use druk::typeset::*;

fn small_flow() -> Flow {
    use common::{PROSE, t};
    let p = |i: usize, line: u32| {
        Block::Paragraph(
            Paragraph::new(vec![t(PROSE[i])]).with_source(Source::new("klein.md", line)),
        )
    };
    let chapter = Chapter {
        matter: Matter::Main,
        start: Start::Recto,
        opening: Some(Opening {
            number: Some("1".into()),
            title: vec![t("Een klein hoofdstuk")],
            author: Some("Fatima El Amrani".into()),
            anchor: Some("sec-klein".into()),
            in_toc: true,
            in_outline: true,
            short: None,
        }),
        running_head: None,
        folios: true,
        blocks: vec![
            Block::Heading(Heading {
                level: 2,
                number: Some("1.1".into()),
                title: vec![t("Inleiding")],
                anchor: Some("sec-klein-inleiding".into()),
                in_toc: true,
                in_outline: true,
                source: None,
                short: None,
            }),
            p(1, 3),
            Block::Paragraph(Paragraph::new(vec![
                t("Een zin met een voetnoot"),
                Inline::Footnote(Footnote {
                    marker: None,
                    content: vec![Block::Paragraph(Paragraph::new(vec![t(
                        "De voetnoot zelf.",
                    )]))],
                }),
                t(" en een verwijzing naar "),
                Inline::Link {
                    target: Target::Anchor("sec-klein-inleiding".into()),
                    content: vec![t("paragraaf 1.1")],
                },
                t(" op pagina "),
                Inline::PageRef("sec-klein-inleiding".into()),
                t("."),
            ])),
            Block::List(List {
                marker: ListMarker::Bullet("■".into()),
                items: vec![
                    vec![Block::Paragraph(Paragraph::new(vec![t("eerste punt")]))],
                    vec![
                        Block::Paragraph(Paragraph::new(vec![t("tweede punt met een lijst")])),
                        Block::List(List {
                            marker: ListMarker::Bullet("–".into()),
                            items: vec![vec![Block::Paragraph(Paragraph::new(vec![t("genest")]))]],
                        }),
                    ],
                ],
            }),
            Block::Kader(Kader {
                label: Some("Kader 1.1".into()),
                title: vec![t("Opgevoed")],
                anchor: Some("kader-opgevoed".into()),
                blocks: vec![p(4, 20)],
                fill: None,
                source: None,
            }),
            Block::Code(Code {
                text: "druk build --pdf\n  book.yaml".into(),
                source: None,
            }),
            p(2, 30),
            p(6, 31),
            // A reference-list entry with a hanging indent.
            Block::Paragraph(
                Paragraph::new(vec![
                    t("Bronfenbrenner, U. (1979). "),
                    Inline::Emph(vec![t(
                        "The ecology of human development: Experiments by nature and design.",
                    )]),
                    t(" Harvard University Press."),
                ])
                .hanging(12.0)
                .align(Align::Left),
            ),
        ],
    };
    Flow {
        style: PageStyle::default(),
        chapters: vec![chapter],
    }
}

#[test]
fn small_flow_snapshot() {
    let (doc, report) = layout(&small_flow(), &FontSet::builtin());
    assert_eq!(
        (report.widows, report.orphans, report.overfull_lines),
        (0, 0, 0)
    );
    let dump = doc.dump();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/small-flow.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &dump).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != dump {
        let diff: Vec<String> = expected
            .lines()
            .zip(dump.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        panic!(
            "text dump differs from {} (run with BLESS=1 to accept):\n{}\n(expected {} lines, got {})",
            path.display(),
            diff.join("\n"),
            expected.lines().count(),
            dump.lines().count()
        );
    }
}
