//! The table of contents: entries with numbers, dot leaders and page numbers.
//!
//! The page numbers are not known while the TOC is set, and they need not be: each
//! number is flush right in a reserved column, so it is drawn when the book is
//! paginated (a [`Draw::PageNumber`]) without moving anything else.

use crate::typeset::context::Ctx;
use crate::typeset::document::{Glyph, GlyphRun, Item};
use crate::typeset::flow::{Align, Lang};
use crate::typeset::frag::{Draw, Frag};
use crate::typeset::paragraph::{BASELINE_RATIO, Label, ParSpec, set_paragraph};
use crate::typeset::shape::Features;

/// Width of the number column per level, in em: room for "12" at level 1 and "12.12" at
/// level 2 plus a gap, so titles of one level line up.
const NUMBER_COLUMN_EM: [f64; 4] = [1.8, 2.6, 3.2, 3.8];
/// Room kept free for the page number, in em: three digits and a gap before the leaders.
const PAGE_COLUMN_EM: f64 = 2.6;
/// Distance between leader dots, in em (LaTeX's `\@dotsep` is 4.5 mu, about 0.25 em;
/// a little more air reads better in a sans-less TOC).
const DOT_SEP_EM: f64 = 0.55;

/// One TOC entry as a group of lines.
pub(crate) struct TocLines {
    pub lines: Vec<Frag>,
    pub chapter_level: bool,
    /// A section entry directly after its chapter entry: no break in between.
    pub keep_with_previous: bool,
}

pub(crate) fn build(ctx: &mut Ctx, depth: u8, width: f64) -> Vec<TocLines> {
    let entries: Vec<_> = ctx
        .toc
        .iter()
        .filter(|e| e.in_toc && e.level <= depth.max(1))
        .cloned()
        .collect();
    let body = ctx.style.body.clone();
    let em = body.size;
    let mut out = Vec::new();
    let mut prev_level = 0;
    for e in entries {
        let level = e.level.clamp(1, 4) as usize;
        let look = if level == 1 {
            body.clone().bold()
        } else {
            body.clone()
        };
        let indent: f64 = NUMBER_COLUMN_EM[..level - 1].iter().sum::<f64>() * em;
        let left = indent + NUMBER_COLUMN_EM[level - 1] * em;
        let label = e.number.as_ref().map(|n| Label {
            text: n.clone(),
            look: look.clone(),
            x: indent,
            rise: 0.0,
        });
        let spec = ParSpec {
            look: look.clone(),
            align: Align::Left,
            measure: width,
            left,
            right: PAGE_COLUMN_EM * em,
            indent: 0.0,
            label,
            lang: ctx.style.lang,
            hyphenate: false,
            source: None,
        };
        let lines = set_paragraph(ctx, &e.toc_title, &spec);
        let n = lines.len();
        let mut frags = Vec::with_capacity(n);
        for (i, line) in lines.into_iter().enumerate() {
            let mut frag = line.frag;
            if i + 1 == n {
                let baseline = frag.height * BASELINE_RATIO;
                leaders(
                    ctx,
                    &mut frag,
                    line.content_end + 0.4 * em,
                    width - PAGE_COLUMN_EM * em + 0.4 * em,
                    baseline,
                );
                let font = ctx.font(&look);
                frag.draws.push(Draw::PageNumber {
                    anchor: e.anchor.clone(),
                    x_right: width,
                    y: baseline,
                    font,
                    size: look.size,
                    color: look.color,
                });
            }
            crate::typeset::blocks::link_all(&mut frag, 0.0, width, &e.anchor);
            frags.push(frag);
        }
        out.push(TocLines {
            lines: frags,
            chapter_level: level == 1,
            keep_with_previous: prev_level == 1,
        });
        prev_level = level;
    }
    out
}

/// Dot leaders between `from` and `to`, on a grid anchored at the right edge so the
/// dots of all entries line up.
fn leaders(ctx: &mut Ctx, frag: &mut Frag, from: f64, to: f64, baseline: f64) {
    let look = ctx.style.body.clone();
    let font = ctx.font(&look);
    let sep = DOT_SEP_EM * look.size;
    let shaped = ctx.shaper.shape(".", font, Features::default(), Lang::Nl);
    let Some(dot) = shaped
        .segments
        .first()
        .and_then(|s| s.glyphs.first())
        .copied()
    else {
        return;
    };
    let dot_w = dot.advance * look.size;
    // Dots at to - k·sep, for every k that lands after `from`.
    let mut xs = Vec::new();
    let mut k = 1.0;
    loop {
        let x = to - k * sep;
        if x < from {
            break;
        }
        xs.push(x);
        k += 1.0;
    }
    xs.reverse();
    if xs.is_empty() {
        return;
    }
    let x0 = xs[0];
    let mut run = GlyphRun {
        font,
        size: look.size,
        color: look.color,
        x: x0,
        y: baseline,
        text: String::new(),
        glyphs: Vec::new(),
    };
    for x in xs {
        let start = run.text.len() as u32;
        run.text.push('.');
        run.glyphs.push(Glyph {
            id: dot.id,
            x: x - x0 - dot_w / 2.0 + dot_w / 2.0,
            start,
            len: 1,
        });
    }
    frag.push(Item::Glyphs(run));
}
