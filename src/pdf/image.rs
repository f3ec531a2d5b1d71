//! Image XObjects in the colour space of the edition, with no transparency.
//!
//! Images are decoded once per layout and flattened onto white paper (PDF/X printers
//! want no soft masks); each edition then converts the pixels: greyscale as DeviceGray,
//! colour as DeviceCMYK through the output intent for print or DeviceRGB for the screen.

use lopdf::{Dictionary, Object, Stream};

/// The most memory one decoded image may take (RGBA, 4 bytes a pixel): 1 GiB is a
/// 16 000 × 16 000 pixel image, far beyond what a printed page can show.
pub const MAX_DECODED: u64 = 1 << 30;

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

/// A decoded image flattened onto white, the same for both editions.
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    /// sRGB, 3 bytes a pixel.
    rgb: Vec<u8>,
    /// Every pixel is grey (R = G = B).
    neutral: bool,
}

/// Decodes a PNG or JPEG and flattens it onto white. An image whose header promises
/// more than `MAX_DECODED` bytes of pixels is refused before it is decoded.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| e.to_string())?;
    let (width, height) = (img.width(), img.height());
    let rgb = match img {
        // No alpha to flatten: the pixels as they are.
        image::DynamicImage::ImageRgb8(rgb) => rgb.into_raw(),
        img => {
            let rgba = img.into_rgba8();
            let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
            for px in rgba.pixels() {
                let a = u32::from(px[3]);
                for c in &px.0[..3] {
                    // Over white: c·a + 255·(1 − a), rounded.
                    rgb.push(((u32::from(*c) * a + 255 * (255 - a) + 127) / 255) as u8);
                }
            }
            rgb
        }
    };
    let neutral = rgb.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]);
    Ok(Decoded {
        width,
        height,
        rgb,
        neutral,
    })
}

/// A decoded image in the colour space of an edition.
pub struct Prepared {
    pub width: u32,
    pub height: u32,
    pub space: Space,
    pub pixels: Vec<u8>,
}

/// Converts for the edition: `cmyk` for print, RGB otherwise. Images without colour
/// become DeviceGray in both.
pub fn convert(d: &Decoded, cmyk: bool) -> Prepared {
    let grey = || d.rgb.chunks_exact(3).map(|p| p[0]);
    let (space, pixels) = match (d.neutral, cmyk) {
        // Grey prints in black ink only; DeviceGray is that (K = 1 − gray), so store
        // the K tints that match the printed lightness, as gray values.
        (true, true) => (
            Space::Gray,
            grey().map(|v| 255 - super::colour::grey_to_k(v)).collect(),
        ),
        (true, false) => (Space::Gray, grey().collect()),
        (false, true) => (Space::Cmyk, super::colour::rgb_to_cmyk(&d.rgb)),
        (false, false) => (Space::Rgb, d.rgb.clone()),
    };
    Prepared {
        width: d.width,
        height: d.height,
        space,
        pixels,
    }
}

impl Prepared {
    /// The image as a compressed XObject stream.
    pub fn xobject(self) -> Stream {
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"XObject".to_vec()));
        dict.set("Subtype", Object::Name(b"Image".to_vec()));
        dict.set("Width", Object::Integer(i64::from(self.width)));
        dict.set("Height", Object::Integer(i64::from(self.height)));
        dict.set("ColorSpace", Object::Name(self.space.name().to_vec()));
        dict.set("BitsPerComponent", Object::Integer(8));
        super::stream(dict, &self.pixels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare(bytes: &[u8], cmyk: bool) -> Result<Prepared, String> {
        decode(bytes).map(|d| convert(&d, cmyk))
    }

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
