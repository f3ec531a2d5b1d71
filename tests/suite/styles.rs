//! A house style's fonts: one that cannot be used is an error at the line of fonts.yaml that
//! names it, never a PDF whose text is there but invisible.

use crate::common::*;
use std::path::{Path, PathBuf};

/// A book with its own style folder whose body font is `font` (bytes), named in fonts.yaml.
fn book_with_font(name: &str, font: &[u8]) -> PathBuf {
    let dir = scratch(name);
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::create_dir_all(book.join("styles/fonts")).unwrap();
    std::fs::copy(root().join("styles/epub.css"), book.join("styles/epub.css")).unwrap();
    std::fs::write(
        book.join("styles/fonts/fonts.yaml"),
        "# De huisletter\nbody:\n  regular: Broodletter.ttf\n",
    )
    .unwrap();
    std::fs::write(book.join("styles/fonts/Broodletter.ttf"), font).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Letters\nchapters: [h/01.md]\n",
    )
    .unwrap();
    std::fs::write(book.join("h/01.md"), "# Een\n\nGewone tekst.\n").unwrap();
    dir
}

fn build_pdf(dir: &Path) -> (Option<i32>, String) {
    let o = run(druk().current_dir(dir).args([
        "build",
        "--format",
        "pdf",
        "--message-format",
        "short",
        "--out",
        "out",
        "book",
    ]));
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn noto() -> Vec<u8> {
    std::fs::read(root().join("styles/fonts/NotoSerif-Regular.ttf")).unwrap()
}

#[test]
fn a_font_cut_short_is_an_error_at_its_line_in_fonts_yaml() {
    let font = noto();
    let dir = book_with_font("font-cut-short", &font[..font.len() / 3]);
    let (code, err) = build_pdf(&dir);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with(
            "book/styles/fonts/fonts.yaml:3:12: error: the font `Broodletter.ttf` cannot be used: the file is cut short"
        ),
        "{err}"
    );
    assert!(!dir.join("out").join("letters-print.pdf").exists());
}

#[test]
fn a_font_with_damaged_outlines_is_an_error() {
    // The table directory whole, the glyph outlines overwritten.
    let mut font = noto();
    let tables = u16::from_be_bytes([font[4], font[5]]) as usize;
    let (offset, length) = (0..tables)
        .map(|i| &font[12 + 16 * i..28 + 16 * i])
        .find(|r| &r[..4] == b"glyf")
        .map(|r| {
            let n = |at: usize| u32::from_be_bytes(r[at..at + 4].try_into().unwrap()) as usize;
            (n(8), n(12))
        })
        .unwrap();
    font[offset..offset + length].fill(0xFF);
    let dir = book_with_font("font-damaged", &font);
    let (code, err) = build_pdf(&dir);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with("book/styles/fonts/fonts.yaml:3:12: error: the font `Broodletter.ttf` cannot be used: its outline of glyph"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_no_font_and_a_missing_one() {
    let dir = book_with_font("font-not-a-font", b"Dit is geen letter.\n");
    let (code, err) = build_pdf(&dir);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with(
            "book/styles/fonts/fonts.yaml:3:12: error: the font `Broodletter.ttf` cannot be used: "
        ),
        "{err}"
    );
    std::fs::remove_file(dir.join("book/styles/fonts/Broodletter.ttf")).unwrap();
    let (code, err) = build_pdf(&dir);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with(
            "book/styles/fonts/fonts.yaml:3:12: error: cannot read the font `Broodletter.ttf`"
        ),
        "{err}"
    );
    std::fs::remove_file(dir.join("book/styles/fonts/fonts.yaml")).unwrap();
    let (code, err) = build_pdf(&dir);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with("book/styles/fonts: error: the style's fonts folder has no fonts.yaml"),
        "{err}"
    );
}

#[test]
fn a_whole_font_from_the_style_folder_builds() {
    let dir = book_with_font("font-whole", &noto());
    let (code, err) = build_pdf(&dir);
    assert_eq!(code, Some(0), "{err}");
    let fonts = tool("pdffonts", &[], &dir.join("out/letters-print.pdf"));
    assert!(fonts.contains("+NotoSerif-Regular"), "{fonts}");
}
