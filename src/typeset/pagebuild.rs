//! Breaking a chapter's vertical list into pages.
//!
//! The model is TeX's page builder: the chapter is a list of boxes (lines, headings,
//! tables), glue (space between them) and penalties (the only places a page may break,
//! with a cost). Pages are filled one at a time; at every legal break the cost of ending
//! the page there is `badness + penalty`, and when the page overflows the cheapest break
//! seen so far is taken (the latest one among equals, so pages fill up).
//!
//! The typographic rules live in *where* the list has penalties, decided by the list
//! builder: no break after the first or before the last line of a paragraph (no orphans,
//! no widows), none between a heading and the two lines after it (keep with next), none
//! inside a table or figure (they are single boxes). This module adds what only the page
//! builder can know:
//!
//! * **footnotes** travel with the line that references them: a line only fits if its
//!   footnotes fit too, below a separator. A footnote is split over two pages only when
//!   there is no legal break before its line.
//! * **floats** (figures, tables) that do not fit where they are wait for the top of the
//!   next page while the text flows on.
//! * **frames** (kaders) that break are closed at the foot (their bottom padding counts
//!   in the page height) and reopened at the top of the next page.
//! * **glue** stretches to make the page end at the foot, up to its stretchability;
//!   beyond that the page stays short rather than showing holes between paragraphs.

use std::collections::VecDeque;
use std::ops::Range;

/// A penalty at or above this forbids a break; at or below its negative forces one.
pub(crate) const FORBID: f64 = 10_000.0;

/// Badness of a page that cannot be made to fit (TeX's `inf_bad`).
const INF_BAD: f64 = 10_000.0;
/// Cost of a break whose page is infinitely bad (TeX's `deplorable`).
const DEPLORABLE: f64 = 100_000.0;

/// What a box is, for the report and for the rules checked after breaking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BoxKind {
    /// Line `line` (from 0) of paragraph `par`, which has `of` lines.
    Line {
        par: u32,
        line: u32,
        of: u32,
    },
    Heading,
    Block,
}

/// An element of the vertical list.
#[derive(Clone, Debug)]
pub(crate) enum VItem<P> {
    Box {
        height: f64,
        footnotes: Vec<usize>,
        kind: BoxKind,
        payload: P,
    },
    Glue {
        height: f64,
        stretch: f64,
        shrink: f64,
        fill: bool,
    },
    /// A legal break with its cost (`>= FORBID` is not legal; `<= -FORBID` forces).
    Penalty(f64),
    /// A figure or table that may move to the top of the next page.
    Float {
        height: f64,
        /// Footnotes referenced in the figure or table (captions, cells).
        footnotes: Vec<usize>,
        payload: P,
    },
    /// Start of frame `id`: padding above its content and below it.
    FrameStart {
        id: usize,
        pad_top: f64,
        pad_bottom: f64,
    },
    FrameEnd,
    /// A running-head mark (a section title).
    Mark(String),
}

/// Geometry the page builder works with.
#[derive(Clone, Debug)]
pub(crate) struct PageParams {
    /// Height of the text area.
    pub height: f64,
    /// Space taken above the first footnote (the separator rule and its gaps).
    pub footnote_sep: f64,
    /// Space below a float at the top of a page.
    pub float_sep: f64,
    /// Stretch assumed even on a page without glue, so that a page one line short is
    /// bad but not infinitely bad; without it every short page would cost the same.
    pub virtual_stretch: f64,
    /// How far glue may stretch (as a multiple of its stretchability) to fill a page.
    pub max_stretch_ratio: f64,
}

/// One page of a chapter, as indices into the list.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PagePlan {
    /// Floats placed at the top of the page.
    pub floats: Vec<usize>,
    /// Items on the page in order (boxes, glue, marks, frame starts and ends, floats
    /// that fitted where they stood).
    pub body: Vec<usize>,
    /// Frames continued from the previous page (indices of their `FrameStart`).
    pub open_at_start: Vec<usize>,
    /// Frames that continue on the next page.
    pub open_at_end: Vec<usize>,
    /// Footnote lines on this page: (footnote, range of its lines).
    pub footnotes: Vec<(usize, Range<usize>)>,
    /// Multiplier for glue stretch (positive) or shrink (negative).
    pub glue_ratio: f64,
    /// Whether fill glue on the page takes up the remaining space.
    pub fill: bool,
    /// Natural height of the body (before glue setting), for the composer.
    pub natural: f64,
}

/// Things that went against the rules, for the report.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Event {
    /// A box taller than the page.
    Oversized(usize),
    /// A footnote continued on the next page.
    SplitFootnote(usize),
    /// No legal break existed; the page was broken before this item anyway.
    ForcedBreak(usize),
}

/// The state at a possible break, to return to when the page overflows later.
#[derive(Clone, Debug)]
struct Snapshot {
    at: usize,
    body: usize,
    footnotes: usize,
    deferred: usize,
    frames: Vec<usize>,
    height: f64,
    stretch: f64,
    shrink: f64,
    fill: bool,
    fn_height: f64,
    carry: Vec<(usize, usize)>,
}

/// Which break points may follow line `k` (from 0) of an `n`-line paragraph: none after
/// the first line (orphan) and none before the last (widow), so a split paragraph leaves
/// at least two lines on each page.
pub(crate) fn breakable_after_line(k: usize, n: usize) -> bool {
    k + 1 >= 2 && n - (k + 1) >= 2
}

fn badness(shortfall: f64, stretch: f64, shrink: f64, fill: bool) -> f64 {
    if shortfall >= 0.0 {
        if fill || shortfall < 1e-6 {
            0.0
        } else if stretch <= 0.0 {
            INF_BAD
        } else {
            let r = shortfall / stretch;
            (100.0 * r * r * r).min(INF_BAD)
        }
    } else if -shortfall > shrink + 1e-6 {
        f64::INFINITY
    } else {
        let r = -shortfall / shrink.max(1e-9);
        (100.0 * r * r * r).min(INF_BAD)
    }
}

/// Breaks the list into pages. `footnotes[f]` are the line heights of footnote `f`.
pub(crate) fn build_pages<P>(
    items: &[VItem<P>],
    footnotes: &[Vec<f64>],
    params: &PageParams,
) -> (Vec<PagePlan>, Vec<Event>) {
    let n = items.len();
    let limit = params.height;
    let mut pages = Vec::new();
    let mut events = Vec::new();
    let mut pos = skip_discardable(items, 0);
    let mut deferred: VecDeque<usize> = VecDeque::new();
    let mut carry: Vec<(usize, usize)> = Vec::new();
    let mut frames: Vec<usize> = Vec::new();
    let pad_bottom = |frames: &[usize]| -> f64 {
        frames
            .iter()
            .map(|&f| match items[f] {
                VItem::FrameStart { pad_bottom, .. } => pad_bottom,
                _ => 0.0,
            })
            .sum()
    };
    let fn_height =
        |f: usize, r: Range<usize>| -> f64 { footnotes.get(f).map_or(0.0, |l| l[r].iter().sum()) };
    // Height the footnotes `fns` add to a page that already has `fh` of footnotes.
    let notes_height = |fns: &[usize], fh: f64| -> f64 {
        let mut add = 0.0;
        for &f in fns {
            if add == 0.0 && fh == 0.0 {
                add += params.footnote_sep;
            }
            add += footnotes.get(f).map_or(0.0, |l| l.iter().sum::<f64>());
        }
        add
    };
    let place_notes = |fns: &[usize], page: &mut PagePlan| {
        for &f in fns {
            page.footnotes
                .push((f, 0..footnotes.get(f).map_or(0, |l| l.len())));
        }
    };

    // Guard against a list that can never make progress.
    let mut guard = 0usize;
    while pos < n || !deferred.is_empty() || !carry.is_empty() {
        guard += 1;
        if guard > 4 * (n + footnotes.len() + 8) {
            break;
        }
        let mut page = PagePlan {
            open_at_start: frames.clone(),
            ..Default::default()
        };
        let mut h = 0.0;
        let mut st = 0.0;
        let mut sh = 0.0;
        let mut fill = false;
        let mut fh = 0.0;

        // Footnote lines carried over from the previous page come first.
        let mut new_carry = Vec::new();
        for (f, from) in carry.drain(..) {
            let lines = &footnotes[f];
            let sep = if fh == 0.0 { params.footnote_sep } else { 0.0 };
            let mut to = from;
            let mut used = sep;
            while to < lines.len() && fh + used + lines[to] <= limit {
                used += lines[to];
                to += 1;
            }
            if to == from && to < lines.len() {
                // Not even one line fits: take one anyway so we move on.
                used += lines[to];
                to += 1;
            }
            fh += used;
            page.footnotes.push((f, from..to));
            if to < lines.len() {
                new_carry.push((f, to));
            }
        }
        carry = new_carry;

        // Floats waiting from earlier pages.
        while let Some(&fl) = deferred.front() {
            let VItem::Float {
                height,
                footnotes: fns,
                ..
            } = &items[fl]
            else {
                deferred.pop_front();
                continue;
            };
            let add = notes_height(fns, fh);
            if page.floats.is_empty() && h == 0.0
                || h + height + params.float_sep + fh + add <= limit
            {
                if height + fh + add > limit {
                    events.push(Event::Oversized(fl));
                }
                h += height + params.float_sep;
                fh += add;
                place_notes(fns, &mut page);
                page.floats.push(fl);
                deferred.pop_front();
            } else {
                break;
            }
        }

        // Reopened frames.
        for &f in &frames {
            if let VItem::FrameStart { pad_top, .. } = items[f] {
                h += pad_top;
            }
        }

        let mut best: Option<Snapshot> = None;
        let mut best_cost = f64::INFINITY;
        let mut i = pos;
        let mut overflow_at: Option<usize> = None;
        let mut forced_at: Option<Snapshot> = None;
        let mut has_box = !page.floats.is_empty();

        while i < n {
            match &items[i] {
                VItem::Box {
                    height,
                    footnotes: fns,
                    ..
                } => {
                    let mut add = 0.0;
                    for &f in fns {
                        if add == 0.0 && fh == 0.0 {
                            add += params.footnote_sep;
                        }
                        add += fn_height(f, 0..footnotes.get(f).map_or(0, |l| l.len()));
                    }
                    let close = pad_bottom(&frames);
                    if h + height + fh + add + close > limit + sh + 1e-6 {
                        if has_box {
                            overflow_at = Some(i);
                            break;
                        }
                        // First box on the page: it goes here whatever happens.
                        h += height;
                        if fns.is_empty() {
                            events.push(Event::Oversized(i));
                        } else {
                            let sep = if fh == 0.0 { params.footnote_sep } else { 0.0 };
                            let room = limit - h - fh - close - sep;
                            fh += sep;
                            fh += split_notes(
                                fns,
                                footnotes,
                                room,
                                &mut page,
                                &mut carry,
                                &mut events,
                            );
                        }
                        page.body.push(i);
                        has_box = true;
                        i += 1;
                        continue;
                    }
                    h += height;
                    fh += add;
                    for &f in fns {
                        page.footnotes
                            .push((f, 0..footnotes.get(f).map_or(0, |l| l.len())));
                    }
                    page.body.push(i);
                    has_box = true;
                }
                VItem::Glue {
                    height,
                    stretch,
                    shrink,
                    fill: fl,
                } => {
                    h += height;
                    st += stretch;
                    sh += shrink;
                    fill |= *fl;
                    page.body.push(i);
                }
                VItem::Penalty(p) => {
                    if *p < FORBID {
                        let close = pad_bottom(&frames);
                        let total = h + fh + close;
                        let b = badness(limit - total, st + params.virtual_stretch, sh, fill);
                        let snap = Snapshot {
                            at: i,
                            body: page.body.len(),
                            footnotes: page.footnotes.len(),
                            deferred: deferred.len(),
                            frames: frames.clone(),
                            height: h,
                            stretch: st,
                            shrink: sh,
                            fill,
                            fn_height: fh,
                            carry: carry.clone(),
                        };
                        if *p <= -FORBID {
                            forced_at = Some(snap);
                            break;
                        }
                        if b.is_finite() {
                            // Pages that cannot be filled are all equally bad ("deplorable"
                            // in TeX), so among them the fullest wins.
                            let cost = if b >= INF_BAD { DEPLORABLE } else { b + p };
                            if cost <= best_cost {
                                best_cost = cost;
                                best = Some(snap);
                            }
                        }
                    }
                }
                VItem::Float {
                    height,
                    footnotes: fns,
                    ..
                } => {
                    let close = pad_bottom(&frames);
                    let add = notes_height(fns, fh);
                    if deferred.is_empty() && (!has_box || h + height + fh + add + close <= limit) {
                        h += height;
                        fh += add;
                        place_notes(fns, &mut page);
                        page.body.push(i);
                        has_box = true;
                    } else {
                        deferred.push_back(i);
                    }
                }
                VItem::FrameStart { pad_top, .. } => {
                    frames.push(i);
                    h += pad_top;
                    page.body.push(i);
                }
                VItem::FrameEnd => {
                    if let Some(f) = frames.pop()
                        && let VItem::FrameStart { pad_bottom, .. } = items[f]
                    {
                        h += pad_bottom;
                    }
                    page.body.push(i);
                }
                VItem::Mark(_) => page.body.push(i),
            }
            i += 1;
        }

        let commit = |page: &mut PagePlan, snap: &Snapshot, deferred: &mut VecDeque<usize>| {
            page.body.truncate(snap.body);
            page.footnotes.truncate(snap.footnotes);
            deferred.truncate(snap.deferred);
        };

        let next = if let Some(snap) = forced_at {
            commit(&mut page, &snap, &mut deferred);
            frames = snap.frames.clone();
            carry = snap.carry.clone();
            finish(&mut page, &snap, limit, params, false);
            snap.at + 1
        } else if let Some(over) = overflow_at {
            match best {
                Some(snap) => {
                    commit(&mut page, &snap, &mut deferred);
                    frames = snap.frames.clone();
                    carry = snap.carry.clone();
                    finish(&mut page, &snap, limit, params, true);
                    snap.at + 1
                }
                None => {
                    // No legal break on this page. If the overflowing line only fails
                    // because of its footnotes, set it and split the footnotes;
                    // otherwise break before it against the rules.
                    let mut placed = false;
                    if let VItem::Box {
                        height,
                        footnotes: fns,
                        ..
                    } = &items[over]
                    {
                        let close = pad_bottom(&frames);
                        let sep = if fh == 0.0 { params.footnote_sep } else { 0.0 };
                        if !fns.is_empty() && h + height + fh + close + sep < limit {
                            h += height;
                            page.body.push(over);
                            let room = limit - h - fh - close - sep;
                            fh += sep;
                            fh += split_notes(
                                fns,
                                footnotes,
                                room,
                                &mut page,
                                &mut carry,
                                &mut events,
                            );
                            placed = true;
                        }
                    }
                    if !placed
                        && page
                            .body
                            .iter()
                            .any(|&b| matches!(items[b], VItem::Box { .. }))
                    {
                        events.push(Event::ForcedBreak(over));
                    }
                    let snap = Snapshot {
                        at: over,
                        body: page.body.len(),
                        footnotes: page.footnotes.len(),
                        deferred: deferred.len(),
                        frames: frames.clone(),
                        height: h,
                        stretch: st,
                        shrink: sh,
                        fill,
                        fn_height: fh,
                        carry: carry.clone(),
                    };
                    finish(&mut page, &snap, limit, params, true);
                    if placed { over + 1 } else { over }
                }
            }
        } else {
            // End of the chapter: the last page keeps its natural spacing.
            let snap = Snapshot {
                at: n,
                body: page.body.len(),
                footnotes: page.footnotes.len(),
                deferred: deferred.len(),
                frames: frames.clone(),
                height: h,
                stretch: st,
                shrink: sh,
                fill,
                fn_height: fh,
                carry: carry.clone(),
            };
            finish(&mut page, &snap, limit, params, fill);
            n
        };
        page.open_at_end = frames.clone();
        pos = skip_discardable(items, next);
        let empty = page.floats.is_empty()
            && page.footnotes.is_empty()
            && !page
                .body
                .iter()
                .any(|&b| matches!(items[b], VItem::Box { .. } | VItem::Float { .. }));
        if empty && page.open_at_start.is_empty() {
            // A forced break at the top of a page makes no empty page.
            continue;
        }
        pages.push(page);
    }
    (pages, events)
}

/// Places as many lines of the footnotes `fns` as fit in `room`, carrying the rest to
/// the next page; returns the height used.
fn split_notes(
    fns: &[usize],
    footnotes: &[Vec<f64>],
    mut room: f64,
    page: &mut PagePlan,
    carry: &mut Vec<(usize, usize)>,
    events: &mut Vec<Event>,
) -> f64 {
    let mut used = 0.0;
    for &f in fns {
        let lines = footnotes.get(f).map_or(&[][..], |l| &l[..]);
        let mut to = 0;
        while to < lines.len() && lines[to] <= room + 1e-6 {
            room -= lines[to];
            used += lines[to];
            to += 1;
        }
        page.footnotes.push((f, 0..to));
        if to < lines.len() {
            carry.push((f, to));
            events.push(Event::SplitFootnote(f));
        }
    }
    used
}

/// Sets the glue of a finished page.
fn finish(page: &mut PagePlan, snap: &Snapshot, limit: f64, params: &PageParams, stretch: bool) {
    let used = snap.height + snap.fn_height;
    page.natural = snap.height;
    page.fill = snap.fill;
    let shortfall = limit - used;
    page.glue_ratio = if shortfall < 0.0 && snap.shrink > 0.0 {
        -(-shortfall / snap.shrink).min(1.0)
    } else if stretch && shortfall > 0.0 && snap.stretch > 0.0 && !snap.fill {
        (shortfall / snap.stretch).min(params.max_stretch_ratio)
    } else {
        0.0
    };
}

/// Glue and penalties vanish at the top of a page.
fn skip_discardable<P>(items: &[VItem<P>], mut i: usize) -> usize {
    while i < items.len() {
        match &items[i] {
            VItem::Glue { fill: false, .. } => i += 1,
            VItem::Penalty(p) if *p > -FORBID => i += 1,
            _ => break,
        }
    }
    i
}

/// Typographic defects of a set of pages: (widows, orphans, headings at the foot).
/// Computed from the result rather than assumed from the penalties, so the report is a
/// check and not a promise.
pub(crate) fn audit<P>(
    items: &[VItem<P>],
    pages: &[PagePlan],
) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let mut widows = Vec::new();
    let mut orphans = Vec::new();
    let mut heads = Vec::new();
    for (pi, page) in pages.iter().enumerate() {
        let boxes: Vec<(usize, BoxKind)> = page
            .body
            .iter()
            .filter_map(|&i| match &items[i] {
                VItem::Box { kind, .. } => Some((i, *kind)),
                // A table or figure set right after a heading is what follows it.
                VItem::Float { .. } => Some((i, BoxKind::Block)),
                _ => None,
            })
            .collect();
        // Widows and orphans concern the lines of the text flow only.
        let in_flow: Vec<(usize, BoxKind)> = boxes
            .iter()
            .copied()
            .filter(|&(i, _)| matches!(items[i], VItem::Box { .. }))
            .collect();
        let last_page = pi + 1 == pages.len();
        if !last_page {
            // A heading must be followed by at least two lines on its page.
            if let Some(h) = boxes.iter().rposition(|(_, k)| *k == BoxKind::Heading) {
                let lines_after = boxes[h + 1..]
                    .iter()
                    .filter(|(_, k)| matches!(k, BoxKind::Line { .. }))
                    .count();
                let more_after = boxes[h + 1..].iter().any(|(_, k)| *k == BoxKind::Block);
                // A heading with no text after it at all (the end of a chapter) has
                // nothing to be kept with.
                let text_follows = items[boxes[h].0 + 1..]
                    .iter()
                    .any(|it| matches!(it, VItem::Box { .. }));
                if lines_after < 2 && !more_after && text_follows {
                    heads.push(pi);
                }
            }
            if let Some(&(_, BoxKind::Line { line: 0, of, .. })) = in_flow.last()
                && of > 1
            {
                orphans.push(pi);
            }
        }
        if let Some(&(_, BoxKind::Line { line, of, .. })) = in_flow.first()
            && pi > 0
            && line > 0
            && line + 1 == of
        {
            widows.push(pi);
        }
    }
    (widows, orphans, heads)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: f64 = 10.0;

    fn params(lines: f64) -> PageParams {
        PageParams {
            height: lines * LINE,
            footnote_sep: 5.0,
            float_sep: 10.0,
            virtual_stretch: LINE / 2.0,
            max_stretch_ratio: 1.0,
        }
    }

    /// A list of paragraphs with the given line counts, separated by parskip glue.
    fn paragraphs(counts: &[u32]) -> Vec<VItem<()>> {
        let mut items = Vec::new();
        for (p, &n) in counts.iter().enumerate() {
            if p > 0 {
                items.push(VItem::Penalty(0.0));
                items.push(VItem::Glue {
                    height: 0.0,
                    stretch: 1.0,
                    shrink: 0.0,
                    fill: false,
                });
            }
            push_par(&mut items, p as u32, n, vec![]);
        }
        items
    }

    fn push_par(items: &mut Vec<VItem<()>>, par: u32, n: u32, footnotes_on_first: Vec<usize>) {
        for k in 0..n {
            if k > 0 && breakable_after_line(k as usize - 1, n as usize) {
                items.push(VItem::Penalty(0.0));
            }
            let fns = if k == 0 {
                footnotes_on_first.clone()
            } else {
                vec![]
            };
            items.push(VItem::Box {
                height: LINE,
                footnotes: fns,
                kind: BoxKind::Line {
                    par,
                    line: k,
                    of: n,
                },
                payload: (),
            });
        }
    }

    fn line_of(items: &[VItem<()>], i: usize) -> Option<(u32, u32)> {
        match items[i] {
            VItem::Box {
                kind: BoxKind::Line { par, line, .. },
                ..
            } => Some((par, line)),
            _ => None,
        }
    }

    fn page_height(
        items: &[VItem<()>],
        page: &PagePlan,
        footnotes: &[Vec<f64>],
        p: &PageParams,
    ) -> f64 {
        let mut h = 0.0;
        for &i in &page.body {
            match &items[i] {
                VItem::Box { height, .. } | VItem::Float { height, .. } => h += height,
                VItem::Glue { height, .. } => h += height,
                _ => {}
            }
        }
        for &f in &page.floats {
            if let VItem::Float { height, .. } = items[f] {
                h += height + p.float_sep;
            }
        }
        if !page.footnotes.is_empty() {
            h += p.footnote_sep;
        }
        for (f, r) in &page.footnotes {
            h += footnotes[*f][r.clone()].iter().sum::<f64>();
        }
        h
    }

    #[test]
    fn widow_and_orphan_rules() {
        assert!(!breakable_after_line(0, 5), "orphan");
        assert!(breakable_after_line(1, 5));
        assert!(breakable_after_line(2, 5));
        assert!(!breakable_after_line(3, 5), "widow");
        assert!(!breakable_after_line(0, 3) && !breakable_after_line(1, 3));
        assert!(breakable_after_line(1, 4));
    }

    #[test]
    fn pages_never_overflow_and_leave_no_widows_or_orphans() {
        let counts = [5, 3, 7, 2, 9, 4, 6, 3, 8, 5, 4, 11, 2, 6];
        let items = paragraphs(&counts);
        let p = params(10.0);
        let (pages, events) = build_pages(&items, &[], &p);
        assert!(events.is_empty(), "{events:?}");
        for page in &pages {
            assert!(page_height(&items, page, &[], &p) <= p.height + 1e-6);
        }
        let (w, o, h) = audit(&items, &pages);
        assert!(
            w.is_empty() && o.is_empty() && h.is_empty(),
            "{w:?} {o:?} {h:?}"
        );
        // Every line is set exactly once.
        let total: u32 = counts.iter().sum();
        let set: usize = pages
            .iter()
            .map(|pg| {
                pg.body
                    .iter()
                    .filter(|&&i| line_of(&items, i).is_some())
                    .count()
            })
            .sum();
        assert_eq!(set, total as usize);
    }

    #[test]
    fn a_paragraph_is_moved_rather_than_split_badly() {
        // Page of 10 lines: 8 lines, then a 3-line paragraph that cannot split 2+1.
        let items = paragraphs(&[8, 3]);
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        assert_eq!(pages.len(), 2);
        let first_on_2 = pages[1].body.iter().find_map(|&i| line_of(&items, i));
        assert_eq!(first_on_2, Some((1, 0)));
    }

    #[test]
    fn heading_is_kept_with_two_lines() {
        // 8 lines, then a heading and a 4-line paragraph: the heading and at least two
        // lines must be together, so all move to the next page.
        let mut items = paragraphs(&[8]);
        items.push(VItem::Penalty(-300.0));
        items.push(VItem::Glue {
            height: 0.0,
            stretch: 2.0,
            shrink: 0.0,
            fill: false,
        });
        items.push(VItem::Box {
            height: LINE,
            footnotes: vec![],
            kind: BoxKind::Heading,
            payload: (),
        });
        push_par(&mut items, 1, 4, vec![]);
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        let (w, o, h) = audit(&items, &pages);
        assert!(h.is_empty() && w.is_empty() && o.is_empty());
        assert!(pages[1].body.iter().any(|&i| matches!(
            items[i],
            VItem::Box {
                kind: BoxKind::Heading,
                ..
            }
        )));
    }

    #[test]
    fn heading_keeps_two_lines_of_a_list_of_short_items() {
        // 7 lines, a heading, then one-line list items: the heading may not end the page
        // with only one item below it. The list builder suppresses the breaks; the audit
        // catches it if they were not.
        let mut items = paragraphs(&[7]);
        items.push(VItem::Penalty(-300.0));
        items.push(VItem::Box {
            height: LINE,
            footnotes: vec![],
            kind: BoxKind::Heading,
            payload: (),
        });
        for k in 0..6u32 {
            if k >= 2 {
                items.push(VItem::Penalty(-50.0));
            }
            items.push(VItem::Box {
                height: LINE,
                footnotes: vec![],
                kind: BoxKind::Line {
                    par: 10 + k,
                    line: 0,
                    of: 1,
                },
                payload: (),
            });
        }
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        let (_, _, h) = audit(&items, &pages);
        assert!(h.is_empty(), "{pages:?}");
        // With a break allowed right after the first item the audit reports it.
        let mut bad = paragraphs(&[8]);
        bad.push(VItem::Penalty(-300.0));
        bad.push(VItem::Box {
            height: LINE,
            footnotes: vec![],
            kind: BoxKind::Heading,
            payload: (),
        });
        for k in 0..4u32 {
            bad.push(VItem::Box {
                height: LINE,
                footnotes: vec![],
                kind: BoxKind::Line {
                    par: 10 + k,
                    line: 0,
                    of: 1,
                },
                payload: (),
            });
            bad.push(VItem::Penalty(-50.0));
        }
        let (pages, _) = build_pages(&bad, &[], &params(10.0));
        let (_, _, h) = audit(&bad, &pages);
        assert_eq!(h, vec![0]);
    }

    #[test]
    fn break_before_heading_is_preferred_when_the_page_is_nearly_full() {
        // 9 lines fill all but one line; the heading cannot come with two lines anyway,
        // and the break before the heading (penalty -300) beats a split.
        let mut items = paragraphs(&[9]);
        items.push(VItem::Penalty(-300.0));
        items.push(VItem::Box {
            height: LINE,
            footnotes: vec![],
            kind: BoxKind::Heading,
            payload: (),
        });
        push_par(&mut items, 1, 6, vec![]);
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        assert_eq!(
            pages[0]
                .body
                .iter()
                .filter(|&&i| line_of(&items, i).is_some())
                .count(),
            9
        );
    }

    #[test]
    fn footnotes_stay_on_the_page_of_their_reference() {
        // A reference on the first line of paragraph 2, with a footnote of 3 lines.
        let mut items = paragraphs(&[6]);
        items.push(VItem::Penalty(0.0));
        push_par(&mut items, 1, 6, vec![0]);
        let footnotes = vec![vec![8.0, 8.0, 8.0]];
        let p = params(10.0);
        let (pages, events) = build_pages(&items, &footnotes, &p);
        assert!(events.is_empty(), "{events:?}");
        for page in &pages {
            assert!(page_height(&items, page, &footnotes, &p) <= p.height + 1e-6);
            let has_ref = page.body.iter().any(
                |&i| matches!(&items[i], VItem::Box { footnotes, .. } if !footnotes.is_empty()),
            );
            let has_note = page.footnotes.iter().any(|(f, _)| *f == 0);
            assert_eq!(has_ref, has_note);
        }
    }

    #[test]
    fn a_footnote_too_long_for_the_page_continues() {
        let mut items = Vec::new();
        push_par(&mut items, 0, 3, vec![0]);
        let footnotes = vec![vec![8.0; 15]];
        let p = params(10.0);
        let (pages, events) = build_pages(&items, &footnotes, &p);
        assert!(events.contains(&Event::SplitFootnote(0)), "{events:?}");
        let lines: usize = pages
            .iter()
            .flat_map(|pg| pg.footnotes.iter())
            .map(|(_, r)| r.len())
            .sum();
        assert_eq!(lines, 15);
        assert!(pages[0].footnotes[0].1.start == 0);
    }

    #[test]
    fn floats_wait_for_the_next_page_while_text_flows_on() {
        let mut items = paragraphs(&[6]);
        items.push(VItem::Penalty(0.0));
        items.push(VItem::Float {
            height: 50.0,
            footnotes: vec![],
            payload: (),
        });
        items.push(VItem::Penalty(0.0));
        push_par(&mut items, 1, 6, vec![]);
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        // The float did not fit after 6 lines; text continued under it on page 1.
        assert!(
            pages[0]
                .body
                .iter()
                .filter(|&&i| line_of(&items, i).is_some())
                .count()
                >= 8
        );
        assert_eq!(pages[1].floats.len(), 1);
    }

    #[test]
    fn frames_account_for_their_padding_when_broken() {
        let mut items = paragraphs(&[4]);
        items.push(VItem::Penalty(0.0));
        items.push(VItem::FrameStart {
            id: 0,
            pad_top: 6.0,
            pad_bottom: 6.0,
        });
        push_par(&mut items, 1, 12, vec![]);
        items.push(VItem::FrameEnd);
        let p = params(10.0);
        let (pages, _) = build_pages(&items, &[], &p);
        assert!(pages.len() >= 2);
        assert_eq!(pages[0].open_at_end.len(), 1);
        assert_eq!(pages[1].open_at_start.len(), 1);
        // Page 1: 4 lines, frame top 6, n lines, bottom 6 must fit 100.
        let lines1 = pages[0]
            .body
            .iter()
            .filter(|&&i| line_of(&items, i).is_some())
            .count() as f64;
        assert!(lines1 * LINE + 12.0 <= p.height + 1e-6, "{lines1}");
        let (w, o, _) = audit(&items, &pages);
        assert!(w.is_empty() && o.is_empty());
    }

    #[test]
    fn forced_breaks_and_fill() {
        let mut items = paragraphs(&[2]);
        items.push(VItem::Penalty(-FORBID));
        items.push(VItem::Glue {
            height: 0.0,
            stretch: 0.0,
            shrink: 0.0,
            fill: true,
        });
        push_par(&mut items, 1, 2, vec![]);
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        assert_eq!(pages.len(), 2);
        assert!(pages[1].fill);
    }

    #[test]
    fn an_oversized_box_is_set_alone() {
        let items = vec![VItem::Box {
            height: 250.0,
            footnotes: vec![],
            kind: BoxKind::Block,
            payload: (),
        }];
        let (pages, events) = build_pages(&items, &[], &params(10.0));
        assert_eq!(pages.len(), 1);
        assert!(events.is_empty() || matches!(events[0], Event::Oversized(0)));
    }
}
