//! Images are known by their bytes: what cannot be shown is an error at the line that names it.

use crate::common::*;

/// A PNG whose chunks are whole and whose checksums match, but whose compressed pixels are not
/// a deflate stream: only decoding finds it, which builds with a PDF do.
fn png_with_bad_pixels() -> Vec<u8> {
    let png = std::fs::read(root().join("tests/books/basics/afbeeldingen/schema.png")).unwrap();
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
    let len = u32::from_be_bytes(png[idat..idat + 4].try_into().unwrap()) as usize;
    let mut data = vec![0x78, 0x9c];
    data.extend(std::iter::repeat_n(0xFF, len.max(8) - 2));
    let mut out = png[..idat].to_vec();
    out.extend((data.len() as u32).to_be_bytes());
    let mut chunk = b"IDAT".to_vec();
    chunk.extend(&data);
    out.extend(&chunk);
    out.extend(crc32fast::hash(&chunk).to_be_bytes());
    out.extend(&png[idat + 12 + len..]);
    out
}

#[test]
fn an_image_only_decoding_finds_damaged_is_an_error_at_its_line() {
    let dir = scratch("image-bad-pixels");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::create_dir_all(book.join("afbeeldingen")).unwrap();
    std::fs::write(book.join("afbeeldingen/kapot.png"), png_with_bad_pixels()).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Kapot\nchapters: [h/01.md]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/01.md"),
        "# Een\n\n![Kapot](afbeeldingen/kapot.png)\n",
    )
    .unwrap();
    let o = run(druk().current_dir(&dir).args([
        "build",
        "--message-format",
        "short",
        "--out",
        "out",
        "book",
    ]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("book/h/01.md:3:1: error: image `afbeeldingen/kapot.png` is damaged: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!dir.join("out").exists() || outputs(&dir.join("out")).is_empty());
}

/// A PNG whose header says 8000 × 8000 pixels, with a few bytes of data: its chunks are whole.
fn png_of_size(w: u32, h: u32) -> Vec<u8> {
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32fast::hash(&body).to_be_bytes());
    };
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn an_image_over_50_megapixels_is_refused_before_it_is_decoded() {
    let dir = scratch("image-too-large");
    let book = dir.join("book");
    std::fs::create_dir_all(book.join("h")).unwrap();
    std::fs::create_dir_all(book.join("afbeeldingen")).unwrap();
    std::fs::write(book.join("afbeeldingen/groot.png"), png_of_size(8000, 8000)).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        "title: Groot\nchapters: [h/01.md]\n",
    )
    .unwrap();
    std::fs::write(
        book.join("h/01.md"),
        "# Een\n\nTekst.\n\n![Groot](afbeeldingen/groot.png)\n",
    )
    .unwrap();
    let o = run(druk()
        .current_dir(&dir)
        .args(["check", "--message-format", "short", "book"]));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "book/h/01.md:5:1: error: image `afbeeldingen/groot.png` is 8000×8000 pixels (64 megapixels); druk takes images up to 50 megapixels (scale it down: 300 ppi at its printed size is plenty, about 2000 pixels across a 17 cm page)\n"
    );
}
