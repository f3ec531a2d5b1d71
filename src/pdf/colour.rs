//! Colour conversion through the output intent profile.
//!
//! The print edition declares FOGRA39 (ISO Coated v2 300%, basICColor; see
//! `styles/icc/README.md`) as its output intent, so RGB images are separated with that
//! same profile: what the printer's RIP assumes is what we converted to. The screen
//! edition goes the other way, house-style CMYK to sRGB, so that it looks like the
//! printed book. moxcms (already in the build through the `image` crate) does the ICC
//! work, perceptual intent, in pure Rust.
//!
//! Two deliberate departures from a plain ICC transform:
//! * **Neutral greys go to black ink only.** A grey pixel (R = G = B), such as the
//!   anti-aliased black text in a diagram, would otherwise become four-colour grey, which
//!   misregisters on press. It gets the K value whose printed lightness matches
//!   (measured through the profile), which is what "keep grey in K" does in preflight
//!   tools.
//! * **Screen black is black.** The profile maps 100% K to the paper's dark grey
//!   (about RGB 23/22/21); the screen edition scales every channel so that 0/0/0/100
//!   lands on 0 (a black-point compensation), keeping text crisp on screen.

use std::sync::{Arc, OnceLock};

use moxcms::{ColorProfile, Layout, RenderingIntent, TransformExecutor, TransformOptions};

use crate::typeset::Cmyk;

/// The CMYK output intent profile, built into the binary.
pub const OUTPUT_PROFILE: &[u8] = include_bytes!("../../styles/icc/ISOcoated_v2_300_bas.icc");
/// The ICC description of [`OUTPUT_PROFILE`], for the OutputIntent's /Info.
pub const OUTPUT_PROFILE_NAME: &str = "ISO Coated v2 300% (basICColor)";
/// The characterisation the profile is built on, as registered with the ICC.
pub const OUTPUT_CONDITION_IDENTIFIER: &str = "FOGRA39";
pub const OUTPUT_CONDITION: &str = "Offset printing, according to ISO 12647-2:2004/Amd 1, \
     OFCOM, paper type 1 or 2 = coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)";
pub const REGISTRY: &str = "http://www.color.org";

type Executor = Arc<dyn TransformExecutor<u8> + Send + Sync>;

pub(crate) struct Transforms {
    to_cmyk: Executor,
    to_rgb: Executor,
    /// For each neutral sRGB value, the K-only tint that prints as light.
    grey_to_k: [u8; 256],
    /// sRGB of 0/0/0/100 through the profile: the screen black point.
    black: [u8; 3],
}

pub(crate) fn transforms() -> Option<&'static Transforms> {
    static T: OnceLock<Option<Transforms>> = OnceLock::new();
    T.get_or_init(|| {
        let cmyk = ColorProfile::new_from_slice(OUTPUT_PROFILE).ok()?;
        let srgb = ColorProfile::new_srgb();
        let opts = TransformOptions {
            rendering_intent: RenderingIntent::Perceptual,
            ..Default::default()
        };
        let to_cmyk = srgb
            .create_transform_8bit(Layout::Rgb, &cmyk, Layout::Rgba, opts)
            .ok()?;
        let to_rgb = cmyk
            .create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgb, opts)
            .ok()?;
        // The printed grey of every K tint, then for every grey the nearest tint.
        let ramp: Vec<u8> = (0..=255u8).flat_map(|k| [0, 0, 0, k]).collect();
        let mut printed = vec![0u8; 256 * 3];
        to_rgb.transform(&ramp, &mut printed).ok()?;
        let lightness: Vec<i32> = printed
            .chunks(3)
            .map(|p| (i32::from(p[0]) + i32::from(p[1]) + i32::from(p[2])) / 3)
            .collect();
        let mut grey_to_k = [0u8; 256];
        for (v, slot) in grey_to_k.iter_mut().enumerate() {
            let best = (0..256)
                .min_by_key(|&k| (lightness[k] - v as i32).abs())
                .unwrap_or(0);
            *slot = best as u8;
        }
        let black = [printed[765], printed[766], printed[767]];
        Some(Transforms {
            to_cmyk,
            to_rgb,
            grey_to_k,
            black,
        })
    })
    .as_ref()
}

/// sRGB pixels (3 bytes each) as CMYK pixels (4 bytes each) for the output intent.
///
/// Figures in a textbook are mostly flat colour, so each run of equal pixels goes through
/// the profile once; the transform works pixel by pixel, so the result is the same.
pub fn rgb_to_cmyk(rgb: &[u8]) -> Vec<u8> {
    let pixels = rgb.chunks_exact(3);
    // Where each run starts, and its colour.
    let mut starts: Vec<usize> = Vec::new();
    let mut colours: Vec<u8> = Vec::new();
    for (i, px) in pixels.clone().enumerate() {
        if colours.len() < 3 || colours[colours.len() - 3..] != *px {
            starts.push(i);
            colours.extend_from_slice(px);
        }
    }
    let mut converted = vec![0u8; colours.len() / 3 * 4];
    let ok = transforms().is_some_and(|t| t.to_cmyk.transform(&colours, &mut converted).is_ok());
    if !ok {
        naive_rgb_to_cmyk(&colours, &mut converted);
    }
    for (px, cmyk) in colours.chunks_exact(3).zip(converted.chunks_exact_mut(4)) {
        if px[0] == px[1] && px[1] == px[2] {
            cmyk.copy_from_slice(&[0, 0, 0, grey_to_k(px[0])]);
        }
    }
    let n = pixels.len();
    let mut out = Vec::with_capacity(n * 4);
    for (r, cmyk) in converted.chunks_exact(4).enumerate() {
        let end = starts.get(r + 1).copied().unwrap_or(n);
        for _ in starts[r]..end {
            out.extend_from_slice(cmyk);
        }
    }
    out
}

/// The black-ink-only tint (K, 0–255) that prints as light as the sRGB grey `v`.
pub fn grey_to_k(v: u8) -> u8 {
    match transforms() {
        Some(t) => t.grey_to_k[usize::from(v)],
        None => 255 - v,
    }
}

/// The textbook conversion with full black generation, used only if the profile cannot
/// be read (it is built in, so this is a safety net): K = 1 − max(R, G, B).
fn naive_rgb_to_cmyk(rgb: &[u8], out: &mut [u8]) {
    for (px, cmyk) in rgb.chunks_exact(3).zip(out.chunks_exact_mut(4)) {
        let max = px.iter().copied().max().unwrap_or(0);
        let k = 255 - max;
        let c = |v: u8| {
            if max == 0 {
                0
            } else {
                (u32::from(max - v) * 255 / u32::from(max)) as u8
            }
        };
        cmyk.copy_from_slice(&[c(px[0]), c(px[1]), c(px[2]), k]);
    }
}

/// A house-style CMYK colour as sRGB (0–1) for the screen edition.
pub fn cmyk_to_rgb(c: Cmyk) -> [f32; 3] {
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let input = [byte(c.c), byte(c.m), byte(c.y), byte(c.k)];
    let mut rgb = [0u8; 3];
    match transforms() {
        Some(t) if t.to_rgb.transform(&input, &mut rgb).is_ok() => {
            let mut out = [0.0; 3];
            for i in 0..3 {
                let bp = f32::from(t.black[i]);
                let v = (f32::from(rgb[i]) - bp) / (255.0 - bp);
                // Three decimals are plenty for 8-bit screens and keep the streams short.
                out[i] = (v.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
            }
            out
        }
        _ => {
            let k = 1.0 - c.k.clamp(0.0, 1.0);
            [
                (1.0 - c.c.clamp(0.0, 1.0)) * k,
                (1.0 - c.m.clamp(0.0, 1.0)) * k,
                (1.0 - c.y.clamp(0.0, 1.0)) * k,
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_loads() {
        assert!(transforms().is_some(), "moxcms reads the output profile");
    }

    #[test]
    fn white_stays_paper_and_grey_goes_to_black_ink() {
        let out = rgb_to_cmyk(&[255, 255, 255, 0, 0, 0, 128, 128, 128]);
        assert_eq!(&out[0..4], &[0, 0, 0, 0]);
        assert_eq!(&out[4..8], &[0, 0, 0, 255]);
        assert_eq!(&out[8..11], &[0, 0, 0]);
        assert!(out[11] > 100 && out[11] < 255, "{out:?}");
    }

    #[test]
    fn colour_is_separated_with_the_profile() {
        // Pure red prints as magenta and yellow, no cyan.
        let out = rgb_to_cmyk(&[255, 0, 0]);
        assert!(out[0] < 20 && out[1] > 200 && out[2] > 200, "{out:?}");
    }

    #[test]
    fn screen_black_is_black_and_white_is_white() {
        assert_eq!(cmyk_to_rgb(Cmyk::BLACK), [0.0, 0.0, 0.0]);
        assert_eq!(cmyk_to_rgb(Cmyk::new(0.0, 0.0, 0.0, 0.0)), [1.0, 1.0, 1.0]);
        // The house teal stays teal: more green and blue than red.
        let [r, g, b] = cmyk_to_rgb(Cmyk::new(0.85, 0.25, 0.40, 0.30));
        assert!(r < 0.2 && g > 0.3 && b > 0.3, "{r} {g} {b}");
    }
}
