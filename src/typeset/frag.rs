//! Positioned content inside the engine, before it lands on a page.
//!
//! A [`Frag`] is a box of drawn things relative to its own top-left corner: a line of
//! text, a table, a figure, a chapter opening. The page builder only sees its height;
//! the composer translates it to its place on the page.

use crate::typeset::document::{GlyphRun, Item, TextLine};
use crate::typeset::flow::{Cmyk, Target};
use crate::typeset::fonts::FontId;

/// An item, or a page number that is only known once the book is paginated.
#[derive(Clone, Debug)]
pub(crate) enum Draw {
    Item(Item),
    /// The folio of the page an anchor lands on, set flush right ending at `x_right`
    /// (TOC entries).
    PageNumber {
        anchor: String,
        x_right: f64,
        y: f64,
        font: FontId,
        size: f64,
        color: Cmyk,
    },
}

/// A clickable area relative to its frag.
#[derive(Clone, Debug)]
pub(crate) struct FragLink {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub target: Target,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Frag {
    pub height: f64,
    pub draws: Vec<Draw>,
    pub lines: Vec<TextLine>,
    /// Named positions (anchor, x, y).
    pub anchors: Vec<(String, f64, f64)>,
    pub links: Vec<FragLink>,
}

impl Frag {
    pub fn new(height: f64) -> Frag {
        Frag {
            height,
            ..Default::default()
        }
    }

    pub fn push(&mut self, item: Item) {
        self.draws.push(Draw::Item(item));
    }

    /// Appends `other` with its origin at (`dx`, `dy`) of this frag.
    pub fn place(&mut self, other: &Frag, dx: f64, dy: f64) {
        for d in &other.draws {
            self.draws.push(translate_draw(d, dx, dy));
        }
        for l in &other.lines {
            self.lines.push(TextLine {
                x: l.x + dx,
                y: l.y + dy,
                text: l.text.clone(),
            });
        }
        for (name, x, y) in &other.anchors {
            self.anchors.push((name.clone(), x + dx, y + dy));
        }
        for l in &other.links {
            self.links.push(FragLink {
                x: l.x + dx,
                y: l.y + dy,
                ..l.clone()
            });
        }
    }
}

pub(crate) fn translate_draw(d: &Draw, dx: f64, dy: f64) -> Draw {
    match d {
        Draw::Item(item) => Draw::Item(translate_item(item, dx, dy)),
        Draw::PageNumber {
            anchor,
            x_right,
            y,
            font,
            size,
            color,
        } => Draw::PageNumber {
            anchor: anchor.clone(),
            x_right: x_right + dx,
            y: y + dy,
            font: *font,
            size: *size,
            color: *color,
        },
    }
}

pub(crate) fn translate_item(item: &Item, dx: f64, dy: f64) -> Item {
    match item {
        Item::Glyphs(run) => Item::Glyphs(GlyphRun {
            x: run.x + dx,
            y: run.y + dy,
            ..run.clone()
        }),
        Item::Rule(r) => {
            let mut r = r.clone();
            r.x0 += dx;
            r.x1 += dx;
            r.y0 += dy;
            r.y1 += dy;
            Item::Rule(r)
        }
        Item::Rect(r) => {
            let mut r = r.clone();
            r.x += dx;
            r.y += dy;
            Item::Rect(r)
        }
        Item::Image(i) => {
            let mut i = i.clone();
            i.x += dx;
            i.y += dy;
            Item::Image(i)
        }
    }
}
