//! Page content streams, written straight into a byte buffer.
//!
//! A page of running text is thousands of glyphs; building an operator object per glyph
//! and formatting each number through `core::fmt` cost more than the layout itself. This
//! writer appends operators as bytes, formats numbers to a fixed precision with integer
//! arithmetic, and sets the font and colours only when they change.
//!
//! Numbers are written to 0.001 (pt for coordinates, 1/1000 em for glyph adjustments,
//! 0–1 for colours): a thousandth of a point is far below anything a press or a screen
//! shows, and glyph adjustments are computed against each glyph's absolute position, so
//! the rounding never accumulates along a line.

use crate::pdf::Edition;
use crate::pdf::font::Embedded;
use crate::pdf::marks::Geometry;
use crate::typeset::{Cmyk, FontId, GlyphRun, Item, Page};

/// Appends `v` rounded to three decimals, without trailing zeros (`12.5`, `-0.125`, `3`).
pub(crate) fn num(out: &mut Vec<u8>, v: f64) {
    let scaled = (v * 1000.0).round();
    // Anything beyond ±9.2e15 is not a coordinate; clamp rather than wrap.
    let mut n = scaled.clamp(-9.0e18, 9.0e18) as i64;
    if n < 0 {
        out.push(b'-');
        n = -n;
    }
    int(out, (n / 1000) as u64);
    let frac = (n % 1000) as u32;
    if frac != 0 {
        out.push(b'.');
        let digits = [frac / 100, frac / 10 % 10, frac % 10].map(|d| b'0' + d as u8);
        let trailing = digits.iter().rev().take_while(|&&d| d == b'0').count();
        out.extend_from_slice(&digits[..3 - trailing]);
    }
}

/// Appends an unsigned integer in decimal.
pub(crate) fn int(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A colour as the edition writes it: the house CMYK for print, its sRGB for the screen.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Paint {
    Cmyk([f32; 4]),
    Rgb([f32; 3]),
}

impl Paint {
    fn of(edition: Edition, c: Cmyk) -> Paint {
        match edition {
            Edition::Print { .. } => Paint::Cmyk([c.c, c.m, c.y, c.k]),
            Edition::Screen => Paint::Rgb(crate::pdf::colour::cmyk_to_rgb(c)),
        }
    }

    /// `fill` picks the non-stroking operator (`k`, `rg`) over the stroking one.
    fn write(self, out: &mut Vec<u8>, fill: bool) {
        let (values, op): (&[f32], &[u8]) = match (&self, fill) {
            (Paint::Cmyk(v), true) => (v, b"k\n"),
            (Paint::Cmyk(v), false) => (v, b"K\n"),
            (Paint::Rgb(v), true) => (v, b"rg\n"),
            (Paint::Rgb(v), false) => (v, b"RG\n"),
        };
        for v in values {
            num(out, f64::from(*v));
            out.push(b' ');
        }
        out.extend_from_slice(op);
    }
}

/// What the page needs from the document: faces by id, image resource names by index.
pub(crate) struct Resources<'a> {
    pub fonts: &'a [Option<&'a Embedded>],
    pub images: &'a [Option<String>],
}

impl Resources<'_> {
    fn font(&self, id: FontId) -> Option<&Embedded> {
        self.fonts.get(usize::from(id.0)).copied().flatten()
    }
}

/// The graphics state the stream has set so far, so that nothing is set twice.
#[derive(Default)]
struct State {
    in_text: bool,
    font: Option<(FontId, f64)>,
    fill: Option<Paint>,
    stroke: Option<Paint>,
    line_width: Option<f64>,
    butt_caps: bool,
}

/// The content stream of one page in an edition: its items placed on the sheet of `geo`,
/// the colours in the edition's colour space. Fills and rules that touch the trim edge
/// run on into the bleed (see [`crate::pdf::bleed_rect`]).
pub(crate) fn page(page: &Page, edition: Edition, geo: &Geometry, res: &Resources) -> Vec<u8> {
    let glyphs: usize = page
        .items
        .iter()
        .map(|i| match i {
            Item::Glyphs(r) => r.glyphs.len(),
            _ => 0,
        })
        .sum();
    // About 8 bytes a glyph: its code, and an adjustment after a word or a kern.
    let mut out = Vec::with_capacity(256 + glyphs * 8);
    let mut st = State::default();
    for item in &page.items {
        let text = matches!(item, Item::Glyphs(_));
        if text != st.in_text {
            out.extend_from_slice(if text { b"BT\n" } else { b"ET\n" });
            st.in_text = text;
        }
        match item {
            Item::Glyphs(run) => glyph_run(&mut out, &mut st, run, edition, geo, res),
            Item::Rule(r) => {
                let (x0, y0, x1, y1) = crate::pdf::bleed_rule(r, geo);
                let paint = Paint::of(edition, r.color);
                if st.stroke != Some(paint) {
                    paint.write(&mut out, false);
                    st.stroke = Some(paint);
                }
                if st.line_width != Some(r.thickness) {
                    num(&mut out, r.thickness);
                    out.extend_from_slice(b" w\n");
                    st.line_width = Some(r.thickness);
                }
                if !st.butt_caps {
                    out.extend_from_slice(b"0 J\n");
                    st.butt_caps = true;
                }
                point(&mut out, geo, x0, y0);
                out.extend_from_slice(b" m ");
                point(&mut out, geo, x1, y1);
                out.extend_from_slice(b" ");
                out.extend_from_slice(b"l S\n");
            }
            Item::Rect(r) => {
                let (x, y, w, h) = crate::pdf::bleed_rect(r.x, r.y, r.width, r.height, geo);
                set_fill(&mut out, &mut st, Paint::of(edition, r.color));
                for v in [geo.x(x), geo.y(y + h), w, h] {
                    num(&mut out, v);
                    out.push(b' ');
                }
                out.extend_from_slice(b"re f\n");
            }
            Item::Image(img) => {
                let Some(Some(name)) = res.images.get(img.image) else {
                    continue;
                };
                // An image is drawn into the unit square: scale it to its placed size.
                out.extend_from_slice(b"q ");
                for v in [img.width, 0.0, 0.0, img.height] {
                    num(&mut out, v);
                    out.push(b' ');
                }
                point(&mut out, geo, img.x, img.y + img.height);
                out.extend_from_slice(b" cm /");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" Do Q\n");
            }
        }
    }
    if st.in_text {
        out.extend_from_slice(b"ET\n");
    }
    out
}

/// A point of the trimmed page on the sheet.
fn point(out: &mut Vec<u8>, geo: &Geometry, x: f64, y: f64) {
    num(out, geo.x(x));
    out.push(b' ');
    num(out, geo.y(y));
}

fn set_fill(out: &mut Vec<u8>, st: &mut State, paint: Paint) {
    if st.fill != Some(paint) {
        paint.write(out, true);
        st.fill = Some(paint);
    }
}

/// A two-byte glyph code inside a literal string: the bytes themselves, escaped where the
/// string syntax needs it (half the size of hex, which matters at thousands of glyphs a
/// page: less to write and less to compress).
fn code_bytes(out: &mut Vec<u8>, code: u16) {
    for b in code.to_be_bytes() {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            // A raw CR would be read as an end of line, that is as LF.
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// One run: font, colour, position, then the glyph codes in a `TJ` array. The viewer
/// advances by each glyph's `/W` width; where the layout placed the next glyph elsewhere
/// (kerning, justified spaces) an adjustment moves the pen there.
fn glyph_run(
    out: &mut Vec<u8>,
    st: &mut State,
    run: &GlyphRun,
    edition: Edition,
    geo: &Geometry,
    res: &Resources,
) {
    let Some(font) = res.font(run.font) else {
        return;
    };
    let Some(first) = run.glyphs.first() else {
        return;
    };
    if st.font != Some((run.font, run.size)) {
        out.push(b'/');
        out.extend_from_slice(font.resource.as_bytes());
        out.push(b' ');
        num(out, run.size);
        out.extend_from_slice(b" Tf\n");
        st.font = Some((run.font, run.size));
    }
    set_fill(out, st, Paint::of(edition, run.color));
    out.extend_from_slice(b"1 0 0 1 ");
    point(out, geo, run.x + first.x, run.y);
    out.extend_from_slice(b" Tm\n[(");
    let em = 1000.0 / run.size;
    // Pen position in 1/1000 em from the run's origin, as the viewer will compute it.
    let mut pen = 0.0;
    // The end (exclusive) of a cluster of several glyphs being written inside marked
    // content with its text.
    let mut cluster_end: Option<usize> = None;
    for (i, g) in run.glyphs.iter().enumerate() {
        if cluster_end == Some(i) {
            out.extend_from_slice(b")] TJ EMC [(");
            cluster_end = None;
        }
        let end = cluster_end
            .is_none()
            .then(|| cluster_span(run, i))
            .flatten();
        if let Some(end) = end {
            // A syllable of several glyphs (a Devanagari vowel sign set before its
            // consonant): its text is the syllable's, once, whatever the glyphs' own
            // ToUnicode entries say, so that extraction keeps the letters in order.
            out.extend_from_slice(b")] TJ /Span <</ActualText <FEFF");
            for unit in run.glyph_text(g).encode_utf16() {
                hex16(out, unit);
            }
            out.extend_from_slice(b">>> BDC [(");
            cluster_end = Some(end);
        }
        if i > 0 {
            let target = (g.x - first.x) * em;
            // Rounded exactly as written, so the pen stays in step with the viewer's.
            let adjust = ((pen - target) * 1000.0).round() / 1000.0;
            if adjust != 0.0 {
                out.push(b')');
                num(out, adjust);
                out.push(b'(');
                pen -= adjust;
            }
        }
        let code = font.code(g.id);
        code_bytes(out, code);
        pen += font.width(code);
    }
    out.extend_from_slice(b")] TJ\n");
    if cluster_end.is_some() {
        out.extend_from_slice(b"EMC\n");
    }
}

/// Where the cluster starting at glyph `i` ends, when it has more glyphs than its first
/// (which carries the cluster's text; the others carry none).
fn cluster_span(run: &GlyphRun, i: usize) -> Option<usize> {
    let g = run.glyphs[i];
    if g.len == 0 {
        return None;
    }
    let end = run.glyphs[i + 1..]
        .iter()
        .position(|n| n.len != 0)
        .map_or(run.glyphs.len(), |k| i + 1 + k);
    (end > i + 1).then_some(end)
}

/// Appends a UTF-16 code unit as four hex digits.
fn hex16(out: &mut Vec<u8>, unit: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xF)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: f64) -> String {
        let mut out = Vec::new();
        num(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_short_and_exact_to_a_thousandth() {
        assert_eq!(n(0.0), "0");
        assert_eq!(n(-0.0001), "0");
        assert_eq!(n(12.5), "12.5");
        assert_eq!(n(-0.125), "-0.125");
        assert_eq!(n(87.874016), "87.874");
        assert_eq!(n(0.05), "0.05");
        assert_eq!(n(1000.0), "1000");
        assert_eq!(n(-119.54961), "-119.55");
        assert_eq!(n(0.0999), "0.1");
        assert_eq!(n(697.3228), "697.323");
    }
}
