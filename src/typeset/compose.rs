//! One chapter from blocks to pages: build the vertical list, break it into pages and
//! place everything on each page's text area.
//!
//! Coordinates here are relative to the text area; the book assembly adds the margins,
//! which differ between left and right pages, once the page numbers are known.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::typeset::blocks::{Builder, FLOAT_PAD_LINES, FrameStyle, underlay};
use crate::typeset::collect::{Entry, plain_text};
use crate::typeset::context::{Caches, Ctx, RefTable, Stats};
use crate::typeset::document::{FillRect, Item, Rule};
use crate::typeset::flow::{Chapter, PageStyle};
use crate::typeset::frag::Frag;
use crate::typeset::pagebuild::{self, Event, PageParams, PagePlan, VItem};
use crate::typeset::report::{Place, Warning, WarningKind};

/// Space reserved above the first footnote of a page, in body lines; the separator rule
/// sits a little below its middle (LaTeX's `\skip\footins` is about one line).
const FOOTNOTE_SEP_LINES: f64 = 1.0;
/// Length (share of the text width) and weight of the footnote separator: a short, thin
/// rule as in LaTeX, which marks the notes without boxing them off.
const FOOTNOTE_RULE_SHARE: f64 = 0.25;
const FOOTNOTE_RULE_WEIGHT: f64 = 0.4;
/// Space below a figure or table at the top of a page, in body lines: as much as between
/// a float and the text in the flow, so both placements look alike.
const FLOAT_SEP_LINES: f64 = 1.0;
/// How far (pt) a box may reach past the bottom of the text area before it counts as
/// drawn below it: more than rounding, less than anything a reader could see.
const BELOW_TOLERANCE: f64 = 0.5;
/// Stretch every page is assumed to have, in body lines (see `PageParams`).
const VIRTUAL_STRETCH_LINES: f64 = 0.5;

/// A finished page of a chapter, in text-area coordinates.
pub(crate) struct ChapterPage {
    pub frag: Frag,
    /// First and last section mark set on the page (for running heads).
    pub first_mark: Option<String>,
    pub last_mark: Option<String>,
    /// The first item drawn below the text area (or into the footnotes), if any: a
    /// layout error, never silent output.
    pub below: Option<usize>,
}

/// A laid-out chapter.
pub(crate) struct ChapterLayout {
    pub pages: Vec<ChapterPage>,
    pub has_opening: bool,
    /// Running head on left-hand pages.
    pub verso_head: String,
    pub images: Vec<Arc<[u8]>>,
    pub warnings: Vec<Warning>,
    /// Warnings about a page of this chapter (chapter-local page index).
    pub page_warnings: Vec<(usize, Warning)>,
    pub stats: Stats,
    pub used_refs: BTreeMap<String, String>,
    pub widows: usize,
    pub orphans: usize,
    pub headings_at_foot: usize,
    pub split_footnotes: usize,
    /// Characters no font could show.
    pub missing: std::collections::BTreeSet<char>,
}

/// Lays out chapter `ci`, with the word caches of the chapters before it on this thread;
/// returns them for the next one.
pub(crate) fn layout_chapter<'a>(
    ci: usize,
    chapter: &Chapter,
    style: &'a PageStyle,
    refs: &'a RefTable,
    toc: &'a [Entry],
    caches: Caches<'a>,
) -> (ChapterLayout, Caches<'a>) {
    let mut ctx = Ctx::with_caches(style, refs, toc, ci, caches);
    let (mut vlist, mut notes) = {
        let mut b = Builder::new(&mut ctx);
        b.chapter(chapter.opening.as_ref(), &chapter.blocks, ci);
        let notes = b.footnote_bodies();
        (std::mem::take(&mut b.out), notes)
    };
    let lead = style.body.leading;
    let params = PageParams {
        height: style.text_height(),
        footnote_sep: FOOTNOTE_SEP_LINES * lead,
        float_sep: FLOAT_SEP_LINES * lead,
        virtual_stretch: VIRTUAL_STRETCH_LINES * lead,
        max_stretch_ratio: 1.0,
    };
    let heights: Vec<Vec<f64>> = notes
        .iter()
        .map(|l| l.iter().map(|f| f.height).collect())
        .collect();
    let (plans, events) = pagebuild::build_pages(&vlist.items, &heights, &params);
    let (widows, orphans, heads) = pagebuild::audit(&vlist.items, &plans);

    let page_of = PageIndex::new(&plans, vlist.items.len());
    let source = |i: usize| vlist.source_of(i);
    let mut page_warnings = Vec::new();
    let defects = [
        (
            &widows,
            WarningKind::Widow,
            "widow: last line of a paragraph at the top of the page",
        ),
        (
            &orphans,
            WarningKind::Orphan,
            "orphan: first line of a paragraph at the foot of the page",
        ),
        (
            &heads,
            WarningKind::HeadingAtFoot,
            "heading at the foot of the page",
        ),
    ];
    for (found, kind, message) in defects {
        for &(p, i) in found {
            page_warnings.push((p, Warning::new(kind, source(i).cloned(), message)));
        }
    }
    let mut split_footnotes = 0;
    for e in &events {
        match e {
            Event::Oversized(i) => page_warnings.push((
                page_of.item(*i),
                Warning::new(
                    WarningKind::OversizedBlock,
                    source(*i).cloned(),
                    "a block is taller than the page",
                ),
            )),
            Event::SplitFootnote(_) => split_footnotes += 1,
            Event::ForcedBreak(i) => page_warnings.push((
                page_of.item(*i),
                Warning::new(
                    WarningKind::ForcedBreak,
                    source(*i).cloned(),
                    "no allowed page break; broke the page against the rules",
                ),
            )),
        }
    }
    // Warnings raised while the list was built (an overfull line, a missing glyph) are
    // about the page their item or footnote ended up on.
    let mut warnings = Vec::new();
    for w in std::mem::take(&mut ctx.warnings) {
        let page = match w.place {
            Some(Place::Item(i)) => Some(page_of.item(i)),
            Some(Place::Footnote(f)) => page_of.footnote(f),
            _ => None,
        };
        match page {
            Some(p) => page_warnings.push((p, w)),
            None => warnings.push(w),
        }
    }

    // Each box, float and footnote line is on exactly one page: move it there.
    let pages: Vec<ChapterPage> = plans
        .iter()
        .map(|plan| {
            compose_page(
                plan,
                &mut vlist.items,
                &vlist.frames,
                &mut notes,
                style,
                &params,
            )
        })
        .collect();
    for (k, page) in pages.iter().enumerate() {
        if let Some(i) = page.below {
            page_warnings.push((k, below_text_area(vlist.source_of(i))));
        }
    }
    let verso_head = chapter
        .running_head
        .clone()
        .or_else(|| chapter.opening.as_ref().map(|o| plain_text(&o.title)))
        .unwrap_or_default();
    let layout = ChapterLayout {
        pages,
        has_opening: chapter.opening.is_some(),
        verso_head,
        images: std::mem::take(&mut ctx.images),
        warnings,
        page_warnings,
        stats: ctx.stats.clone(),
        used_refs: std::mem::take(&mut ctx.used_refs),
        widows: widows.len(),
        orphans: orphans.len(),
        headings_at_foot: heads.len(),
        split_footnotes,
        missing: std::mem::take(&mut ctx.shaper.missing)
            .difference(&ctx.missing_named)
            .copied()
            .collect(),
    };
    (layout, ctx.into_caches())
}

/// The page each item of a chapter's list and each footnote ended up on.
struct PageIndex {
    /// By item: its page, for the items that are on a page (boxes, glue, floats…).
    items: Vec<Option<usize>>,
    /// By footnote: the first page with a line of it.
    footnotes: Vec<Option<usize>>,
}

impl PageIndex {
    fn new(plans: &[PagePlan], len: usize) -> PageIndex {
        let mut items = vec![None; len];
        let mut footnotes = Vec::new();
        for (p, plan) in plans.iter().enumerate() {
            for &i in plan.body.iter().chain(&plan.floats) {
                if let Some(slot) = items.get_mut(i) {
                    slot.get_or_insert(p);
                }
            }
            for (f, _) in &plan.footnotes {
                if footnotes.len() <= *f {
                    footnotes.resize(*f + 1, None);
                }
                footnotes[*f].get_or_insert(p);
            }
        }
        PageIndex { items, footnotes }
    }

    /// The page of item `i`, or of the first item after it that is on a page (a
    /// penalty or glue that vanished at a break has none).
    fn item(&self, i: usize) -> usize {
        self.items
            .get(i..)
            .and_then(|rest| rest.iter().find_map(|p| *p))
            .or_else(|| self.items.iter().rev().find_map(|p| *p))
            .unwrap_or(0)
    }

    fn footnote(&self, f: usize) -> Option<usize> {
        self.footnotes.get(f).copied().flatten()
    }
}

/// The error for content that would be drawn below the text area.
fn below_text_area(source: Option<&crate::typeset::flow::Source>) -> Warning {
    Warning::new(
        WarningKind::BelowTextArea,
        source.cloned(),
        "this block does not fit on the page and would be drawn below the text area; \
         shorten it or split it",
    )
}

/// Frame id, paddings and reopening height of the `FrameStart` at `i`.
fn frame_of(items: &[VItem<Frag>], i: usize) -> (usize, f64, f64, f64) {
    match items[i] {
        VItem::FrameStart {
            id,
            pad_top,
            pad_bottom,
            reopen,
        } => (id, pad_top, pad_bottom, reopen),
        _ => (0, 0.0, 0.0, 0.0),
    }
}

/// Closes a frame whose content ran from `top` to `bottom` (its bottom padding below
/// that): a kader's tint goes in `rects` (drawn behind everything at the end), a table
/// part gets its closing rule.
fn close_frame(
    style: &FrameStyle,
    top: f64,
    bottom: f64,
    pad_bottom: f64,
    rects: &mut Vec<FillRect>,
    frag: &mut Frag,
) {
    match style {
        FrameStyle::Tint { x, width, fill } => rects.push(FillRect {
            x: *x,
            y: top,
            width: *width,
            height: bottom + pad_bottom - top,
            color: *fill,
        }),
        FrameStyle::Table(t) => t.rule.close(frag, bottom),
    }
}

/// The content of a frag, moved out (its height stays for whoever measures it later).
fn take(frag: &mut Frag) -> Frag {
    std::mem::replace(frag, Frag::new(frag.height))
}

fn compose_page(
    plan: &PagePlan,
    items: &mut [VItem<Frag>],
    frames: &[FrameStyle],
    notes: &mut [Vec<Frag>],
    style: &PageStyle,
    params: &PageParams,
) -> ChapterPage {
    let tw = style.text_width();
    let th = style.text_height();
    let lead = style.body.leading;
    let pad = lead * FLOAT_PAD_LINES;
    let mut frag = Frag::new(th);
    let mut rects = Vec::new();
    let mut y = 0.0;
    // The bottom of the last float at the top of the page, and that float.
    let mut top_floats = None;
    for &fi in &plan.floats {
        if let VItem::Float {
            height, payload, ..
        } = &mut items[fi]
        {
            // At the top of the page the float's space above is dropped.
            frag.place(take(payload), 0.0, y - pad);
            y += *height - 2.0 * pad + params.float_sep;
            top_floats = Some((fi, y - params.float_sep));
        }
    }
    let mut open: Vec<(usize, f64)> = Vec::new();
    for &i in &plan.open_at_start {
        let (id, _, _, reopen) = frame_of(items, i);
        open.push((i, y));
        if let FrameStyle::Table(t) = &frames[id] {
            frag.place(t.head.clone(), 0.0, y);
        }
        y += reopen;
    }
    let notes_height: f64 = if plan.footnotes.is_empty() {
        0.0
    } else {
        params.footnote_sep
            + plan
                .footnotes
                .iter()
                .map(|(f, r)| notes[*f][r.clone()].iter().map(|l| l.height).sum::<f64>())
                .sum::<f64>()
    };
    let fills = plan
        .body
        .iter()
        .filter(|&&i| matches!(items[i], VItem::Glue { fill: true, .. }))
        .count();
    let per_fill = if plan.fill && fills > 0 {
        ((th - plan.natural - notes_height) / fills as f64).max(0.0)
    } else {
        0.0
    };
    let mut first_mark = None;
    let mut last_mark = None;
    // Where the body must end: above the footnotes, with a little room for rounding
    // and for glue shrunk to its limit.
    let floor = th - notes_height + BELOW_TOLERANCE;
    let mut below = top_floats.filter(|&(_, end)| end > floor).map(|(fi, _)| fi);
    for &i in &plan.body {
        match &mut items[i] {
            VItem::Box {
                height, payload, ..
            } => {
                frag.place(take(payload), 0.0, y);
                y += *height;
                if y > floor {
                    below.get_or_insert(i);
                }
            }
            VItem::Glue {
                height,
                stretch,
                shrink,
                fill,
            } => {
                y += *height;
                if plan.glue_ratio > 0.0 {
                    y += plan.glue_ratio * *stretch;
                } else {
                    y += plan.glue_ratio * *shrink;
                }
                if *fill {
                    y += per_fill;
                }
            }
            VItem::Float {
                height, payload, ..
            } => {
                frag.place(take(payload), 0.0, y);
                y += *height;
                if y - pad > floor {
                    below.get_or_insert(i);
                }
            }
            VItem::FrameStart { pad_top, .. } => {
                open.push((i, y));
                y += *pad_top;
            }
            VItem::FrameEnd => {
                if let Some((s, top)) = open.pop() {
                    let (id, _, pad_bottom, _) = frame_of(items, s);
                    close_frame(&frames[id], top, y, pad_bottom, &mut rects, &mut frag);
                    y += pad_bottom;
                }
            }
            VItem::Mark(m) => {
                if first_mark.is_none() {
                    first_mark = Some(m.clone());
                }
                last_mark = Some(m.clone());
            }
            VItem::Penalty(_) => {}
        }
    }
    while let Some((s, top)) = open.pop() {
        let (id, _, pad_bottom, _) = frame_of(items, s);
        close_frame(&frames[id], top, y, pad_bottom, &mut rects, &mut frag);
    }
    for r in rects.into_iter().rev() {
        underlay(&mut frag, r);
    }

    // Footnotes at the foot of the text area, below a short rule.
    if !plan.footnotes.is_empty() {
        let mut fy = th - notes_height;
        let rule_y = fy + params.footnote_sep * 0.45;
        frag.push(Item::Rule(Rule {
            x0: 0.0,
            y0: rule_y,
            x1: tw * FOOTNOTE_RULE_SHARE,
            y1: rule_y,
            thickness: FOOTNOTE_RULE_WEIGHT,
            color: style.rule_color,
        }));
        fy += params.footnote_sep;
        for (f, r) in &plan.footnotes {
            for line in &mut notes[*f][r.clone()] {
                let h = line.height;
                frag.place(take(line), 0.0, fy);
                fy += h;
            }
        }
    }
    ChapterPage {
        frag,
        first_mark,
        last_mark,
        below,
    }
}
