//! Image XObjects in the colour space of the edition, with no transparency.
//!
//! printpdf's own image path writes RGB (and an SMask for alpha) only, so images are
//! decoded here and handed to printpdf as finished XObject streams: alpha flattened onto
//! white paper (PDF/X printers want no soft masks), greyscale as DeviceGray, colour as
//! DeviceCMYK through the output intent for print or DeviceRGB for the screen edition.
//! Pixels are stored raw; the writer's flate pass compresses every stream.

use std::collections::BTreeMap;

use printpdf::{DictItem, ExternalStream, ExternalXObject};

/// The colour space an image is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    Gray,
    Rgb,
    Cmyk,
}

impl Space {
    fn name(self) -> &'static [u8] {
        match self {
            Space::Gray => b"DeviceGray",
            Space::Rgb => b"DeviceRGB",
            Space::Cmyk => b"DeviceCMYK",
        }
    }
}

/// A decoded image ready for the PDF.
pub struct Prepared {
    pub width: u32,
    pub height: u32,
    pub space: Space,
    pub pixels: Vec<u8>,
}

/// Decodes a PNG or JPEG, flattens it onto white and converts it for the edition:
/// `cmyk` for print, RGB otherwise. Images without colour become DeviceGray in both.
pub fn prepare(bytes: &[u8], cmyk: bool) -> Result<Prepared, String> {
    let img = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
    let (width, height) = (img.width(), img.height());
    let rgba = img.into_rgba8();
    let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
    for px in rgba.pixels() {
        let a = u32::from(px[3]);
        for c in &px.0[..3] {
            // Over white: c·a + 255·(1 − a), rounded.
            rgb.push(((u32::from(*c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    let neutral = rgb.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]);
    let (space, pixels) = if neutral {
        if cmyk {
            // Grey prints in black ink only; DeviceGray is that (K = 1 − gray), so
            // store the K tints that match the printed lightness, as gray values.
            let k = super::colour::rgb_to_cmyk(&rgb);
            (Space::Gray, k.chunks_exact(4).map(|p| 255 - p[3]).collect())
        } else {
            (Space::Gray, rgb.chunks_exact(3).map(|p| p[0]).collect())
        }
    } else if cmyk {
        (Space::Cmyk, super::colour::rgb_to_cmyk(&rgb))
    } else {
        (Space::Rgb, rgb)
    };
    Ok(Prepared {
        width,
        height,
        space,
        pixels,
    })
}

impl Prepared {
    /// The image as an XObject printpdf places without touching its pixels.
    pub fn xobject(self) -> ExternalXObject {
        let mut dict = BTreeMap::new();
        dict.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
        dict.insert("Subtype".into(), DictItem::Name(b"Image".to_vec()));
        dict.insert("Width".into(), DictItem::Int(i64::from(self.width)));
        dict.insert("Height".into(), DictItem::Int(i64::from(self.height)));
        dict.insert(
            "ColorSpace".into(),
            DictItem::Name(self.space.name().to_vec()),
        );
        dict.insert("BitsPerComponent".into(), DictItem::Int(8));
        ExternalXObject {
            stream: ExternalStream {
                dict,
                content: self.pixels,
                compress: false,
            },
            width: None,
            height: None,
            dpi: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(color: image::ColorType, pixels: &[u8], w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::write_buffer_with_format(&mut out, pixels, w, h, color, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn alpha_is_flattened_onto_white() {
        // A transparent red pixel and a half-transparent black one.
        let bytes = png(image::ColorType::Rgba8, &[255, 0, 0, 0, 0, 0, 0, 128], 2, 1);
        let p = prepare(&bytes, false).unwrap();
        assert_eq!(p.space, Space::Gray);
        assert_eq!(p.pixels, vec![255, 127]);
    }

    #[test]
    fn colour_images_are_cmyk_for_print_and_rgb_for_screen() {
        let bytes = png(image::ColorType::Rgb8, &[0, 128, 128, 255, 255, 255], 2, 1);
        let print = prepare(&bytes, true).unwrap();
        assert_eq!(print.space, Space::Cmyk);
        assert_eq!(print.pixels.len(), 8);
        assert_eq!(&print.pixels[4..], &[0, 0, 0, 0], "white stays paper");
        let screen = prepare(&bytes, false).unwrap();
        assert_eq!(screen.space, Space::Rgb);
        assert_eq!(screen.pixels, vec![0, 128, 128, 255, 255, 255]);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(prepare(b"not an image", true).is_err());
    }
}
