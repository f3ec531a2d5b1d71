//! Positioned content inside the engine, before it lands on a page.
//!
//! A [`Frag`] is a box of drawn things relative to its own top-left corner: a line of
//! text, a table, a figure, a chapter opening. The page builder only sees its height;
//! the composer translates it to its place on the page.

use crate::typeset::document::{Item, TextLine};
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

    /// Moves `other` into this frag with its origin at (`dx`, `dy`).
    pub fn place(&mut self, other: Frag, dx: f64, dy: f64) {
        self.draws.extend(other.draws.into_iter().map(|mut d| {
            translate_draw(&mut d, dx, dy);
            d
        }));
        self.lines.extend(other.lines.into_iter().map(|mut l| {
            l.x += dx;
            l.y += dy;
            l
        }));
        self.anchors.extend(
            other
                .anchors
                .into_iter()
                .map(|(name, x, y)| (name, x + dx, y + dy)),
        );
        self.links.extend(other.links.into_iter().map(|mut l| {
            l.x += dx;
            l.y += dy;
            l
        }));
    }
}

pub(crate) fn translate_draw(d: &mut Draw, dx: f64, dy: f64) {
    match d {
        Draw::Item(item) => translate_item(item, dx, dy),
        Draw::PageNumber { x_right, y, .. } => {
            *x_right += dx;
            *y += dy;
        }
    }
}

pub(crate) fn translate_item(item: &mut Item, dx: f64, dy: f64) {
    match item {
        Item::Glyphs(run) => {
            run.x += dx;
            run.y += dy;
        }
        Item::Rule(r) => {
            r.x0 += dx;
            r.x1 += dx;
            r.y0 += dy;
            r.y1 += dy;
        }
        Item::Rect(r) => {
            r.x += dx;
            r.y += dy;
        }
        Item::Image(i) => {
            i.x += dx;
            i.y += dy;
        }
    }
}
