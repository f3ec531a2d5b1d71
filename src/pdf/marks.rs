//! Page geometry of an edition, and crop marks.
//!
//! The engine positions everything relative to the trimmed page; the writer places that
//! page on a sheet: with bleed around it for print (and room for crop marks when asked),
//! or alone for the screen. Crop marks are drawn in the registration colour, a
//! `/Separation /All` that puts 100% on every plate, so each separation carries them.

use lopdf::{Dictionary, Object};

use crate::typeset::flow::mm;

/// Where the trimmed page sits on the sheet, in pt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub trim_width: f64,
    pub trim_height: f64,
    /// Bleed around the trim on every side (0 for the screen).
    pub bleed: f64,
    /// From the sheet's lower-left corner to the trim's, on both axes.
    pub origin: f64,
    /// Whether crop marks are drawn.
    pub marks: bool,
}

/// Marks start this far outside the trim, or at the bleed edge if that is further out,
/// so that they never print on the page.
const MARK_GAP_MM: f64 = 3.0;
/// Length of each mark.
const MARK_LENGTH_MM: f64 = 5.0;
/// Paper beyond the ends of the marks.
const MARK_MARGIN_MM: f64 = 2.0;
/// Hairline, as printers draw them.
const MARK_WIDTH: f64 = 0.25;

impl Geometry {
    pub fn print(trim_width: f64, trim_height: f64, bleed: f64, marks: bool) -> Geometry {
        let origin = if marks {
            Geometry::mark_gap(bleed) + mm(MARK_LENGTH_MM + MARK_MARGIN_MM)
        } else {
            bleed
        };
        Geometry {
            trim_width,
            trim_height,
            bleed,
            origin,
            marks,
        }
    }

    pub fn screen(trim_width: f64, trim_height: f64) -> Geometry {
        Geometry {
            trim_width,
            trim_height,
            bleed: 0.0,
            origin: 0.0,
            marks: false,
        }
    }

    fn mark_gap(bleed: f64) -> f64 {
        bleed.max(mm(MARK_GAP_MM))
    }

    pub fn media_width(&self) -> f64 {
        self.trim_width + 2.0 * self.origin
    }

    pub fn media_height(&self) -> f64 {
        self.trim_height + 2.0 * self.origin
    }

    /// `[llx lly urx ury]` of the trim.
    pub fn trim_box(&self) -> [f64; 4] {
        let o = self.origin;
        [o, o, o + self.trim_width, o + self.trim_height]
    }

    pub fn bleed_box(&self) -> [f64; 4] {
        let [x0, y0, x1, y1] = self.trim_box();
        let b = self.bleed;
        [x0 - b, y0 - b, x1 + b, y1 + b]
    }

    pub fn media_box(&self) -> [f64; 4] {
        [0.0, 0.0, self.media_width(), self.media_height()]
    }

    /// A point of the engine's trimmed page (y down) on the sheet (y up).
    pub fn x(&self, x: f64) -> f64 {
        self.origin + x
    }

    pub fn y(&self, y: f64) -> f64 {
        self.origin + self.trim_height - y
    }

    /// The crop marks as content-stream operators, using colour space `/CSAll` (see
    /// [`registration`]). The page's own content goes before them inside `q … Q`, so no
    /// state it leaves behind can shift the marks.
    pub(crate) fn marks_content(&self) -> String {
        let [x0, y0, x1, y1] = self.trim_box();
        let gap = Geometry::mark_gap(self.bleed);
        let len = mm(MARK_LENGTH_MM);
        let mut s = format!("q /CSAll CS 1 SCN {MARK_WIDTH} w 0 J [] 0 d\n");
        for (x, y, dx, dy) in [
            (x0, y0, -1.0, -1.0),
            (x1, y0, 1.0, -1.0),
            (x0, y1, -1.0, 1.0),
            (x1, y1, 1.0, 1.0),
        ] {
            // Horizontal mark in line with the trim's horizontal edge, vertical with
            // the vertical edge, both pointing away from the page.
            let (hx0, hx1) = (x + dx * gap, x + dx * (gap + len));
            let (vy0, vy1) = (y + dy * gap, y + dy * (gap + len));
            s.push_str(&format!(
                "{hx0:.3} {y:.3} m {hx1:.3} {y:.3} l S\n{x:.3} {vy0:.3} m {x:.3} {vy1:.3} l S\n"
            ));
        }
        s.push_str("Q\n");
        s
    }
}

/// The registration colour, `/Separation /All`: tint 1 is 100% of all four process
/// inks, so every plate carries the marks. Content streams name it `/CSAll`.
pub(crate) fn registration(lo: &mut lopdf::Document) -> lopdf::ObjectId {
    let mut f = Dictionary::new();
    f.set("FunctionType", Object::Integer(2));
    f.set(
        "Domain",
        Object::Array(vec![Object::Integer(0), Object::Integer(1)]),
    );
    f.set("C0", Object::Array(vec![Object::Integer(0); 4]));
    f.set("C1", Object::Array(vec![Object::Integer(1); 4]));
    f.set("N", Object::Integer(1));
    let function = lo.add_object(Object::Dictionary(f));
    lo.add_object(Object::Array(vec![
        Object::Name(b"Separation".to_vec()),
        Object::Name(b"All".to_vec()),
        Object::Name(b"DeviceCMYK".to_vec()),
        Object::Reference(function),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_nest() {
        let g = Geometry::print(mm(170.0), mm(240.0), mm(3.0), false);
        assert_eq!(g.bleed_box(), g.media_box());
        let t = g.trim_box();
        assert!((t[0] - 8.504).abs() < 0.01 && (t[2] - 490.39).abs() < 0.01);
        let m = Geometry::print(mm(170.0), mm(240.0), mm(3.0), true);
        let (b, media) = (m.bleed_box(), m.media_box());
        assert!(b[0] > media[0] && b[2] < media[2], "marks need room");
        assert!((m.trim_box()[2] - m.trim_box()[0] - mm(170.0)).abs() < 1e-9);
        let s = Geometry::screen(mm(170.0), mm(240.0));
        assert_eq!(s.trim_box(), s.media_box());
    }

    #[test]
    fn marks_stay_outside_the_bleed() {
        let g = Geometry::print(mm(170.0), mm(240.0), mm(3.0), true);
        let [bx0, by0, bx1, by1] = g.bleed_box();
        let content = g.marks_content();
        for line in content.lines().filter(|l| l.ends_with(" l S")) {
            let v: Vec<f64> = line
                .split_whitespace()
                .filter_map(|t| t.parse().ok())
                .collect();
            for p in [(v[0], v[1]), (v[2], v[3])] {
                // Coordinates are written to 0.001 pt.
                let e = 0.001;
                let inside = p.0 > bx0 + e && p.0 < bx1 - e && p.1 > by0 + e && p.1 < by1 - e;
                assert!(!inside, "{line}");
                assert!(p.0 >= 0.0 && p.1 >= 0.0, "on the sheet: {line}");
            }
        }
        assert_eq!(content.matches(" l S").count(), 8);
    }
}
