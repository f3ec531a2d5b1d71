//! Image dimensions from PNG and JPEG headers.
//!
//! Layout only needs the aspect ratio, and reading a header is enough for that; the PDF
//! writer decodes the image itself. A file that is neither format, or is cut short, gives
//! `None` and the caller reports it.

/// Width and height in pixels.
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    png(bytes).or_else(|| jpeg(bytes))
}

/// The size of an SVG drawing in its own units, for its aspect ratio (a vector drawing
/// has no resolution). Nothing outside the file is read: its images are not resolved.
pub(crate) fn svg_size(bytes: &[u8]) -> Option<(f64, f64)> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).into_owned();
    if !head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
        || !head.contains("<svg")
    {
        return None;
    }
    let opts = svg2pdf::usvg::Options {
        image_href_resolver: svg2pdf::usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    };
    let tree = svg2pdf::usvg::Tree::from_data(bytes, &opts).ok()?;
    let s = tree.size();
    Some((f64::from(s.width()), f64::from(s.height())))
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

fn png(b: &[u8]) -> Option<(u32, u32)> {
    // Signature, then the IHDR chunk: length, "IHDR", width, height.
    if b.get(..8)? != b"\x89PNG\r\n\x1a\n" || b.get(12..16)? != b"IHDR" {
        return None;
    }
    let (w, h) = (be32(b, 16)?, be32(b, 20)?);
    (w > 0 && h > 0).then_some((w, h))
}

fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        // Markers without a length field.
        if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            i += 2;
            continue;
        }
        let len = be16(b, i + 2)? as usize;
        // Start-of-frame markers carry the size (C4, C8 and CC are not frames).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = be16(b, i + 5)?;
            let w = be16(b, i + 7)?;
            return (w > 0 && h > 0).then_some((w, h));
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_header() {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&1600u32.to_be_bytes());
        b.extend_from_slice(&900u32.to_be_bytes());
        assert_eq!(dimensions(&b), Some((1600, 900)));
    }

    #[test]
    fn jpeg_header() {
        // SOI, an APP0 segment of length 4, then SOF0 with height 480 and width 640.
        let b = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01,
            0xE0, 0x02, 0x80,
        ];
        assert_eq!(dimensions(&b), Some((640, 480)));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(dimensions(b"not an image"), None);
        assert_eq!(dimensions(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(dimensions(&[]), None);
    }
}
