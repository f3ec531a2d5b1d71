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
        kind: FloatKind,
        height: f64,
        /// Footnotes referenced in the figure or table (captions, cells).
        footnotes: Vec<usize>,
        payload: P,
    },
    /// Start of frame `id`: padding above its content and below it, and the height it
    /// takes at the top of a page it continues on (a kader's padding again, a table's
    /// repeated header).
    FrameStart {
        id: usize,
        pad_top: f64,
        pad_bottom: f64,
        reopen: f64,
    },
    FrameEnd,
    /// A running-head mark (a section title).
    Mark(String),
}

/// What a float is: floats of one kind keep their order, but a table may pass a figure
/// that waits (and the other way round), as in LaTeX, so that a small table is not held
/// back pages behind a large figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatKind {
    Figure,
    Table,
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
    let mut b = Breaker {
        items,
        footnotes,
        params,
        events: Vec::new(),
        deferred: VecDeque::new(),
        carry: Vec::new(),
        frames: Vec::new(),
    };
    let mut pages = Vec::new();
    let mut pos = skip_discardable(items, 0);
    // Guard against a list that can never make progress.
    let mut guard = 0usize;
    while pos < n || !b.deferred.is_empty() || !b.carry.is_empty() {
        guard += 1;
        if guard > 4 * (n + footnotes.len() + 8) {
            break;
        }
        let mut page = Filling::new(b.frames.clone());
        b.place_carried_notes(&mut page);
        b.place_deferred_floats(&mut page);
        b.reopen_frames(&mut page);
        let stop = b.fill(&mut page, pos);
        let next = b.break_page(&mut page, stop);
        page.plan.open_at_end = b.frames.clone();
        pos = skip_discardable(items, next);
        if page.is_empty(items) && page.plan.open_at_start.is_empty() {
            // A forced break at the top of a page makes no empty page.
            continue;
        }
        pages.push(page.plan);
    }
    (pages, b.events)
}

/// What the page builder carries from one page to the next.
struct Breaker<'i, P> {
    items: &'i [VItem<P>],
    footnotes: &'i [Vec<f64>],
    params: &'i PageParams,
    events: Vec<Event>,
    /// Floats waiting for the top of a page.
    deferred: VecDeque<usize>,
    /// Footnotes continued from the previous page: (footnote, first line still to set).
    carry: Vec<(usize, usize)>,
    /// Frames open at the current position (indices of their `FrameStart`).
    frames: Vec<usize>,
}

/// The page being filled: its plan and the running totals of its heights.
struct Filling {
    plan: PagePlan,
    /// Natural height of the body so far.
    h: f64,
    stretch: f64,
    shrink: f64,
    fill: bool,
    /// Height of the footnotes so far, separator included.
    fh: f64,
    /// Whether the page holds a box or float, so an overflowing box may move on.
    has_box: bool,
}

impl Filling {
    fn new(open_at_start: Vec<usize>) -> Filling {
        Filling {
            plan: PagePlan {
                open_at_start,
                ..Default::default()
            },
            h: 0.0,
            stretch: 0.0,
            shrink: 0.0,
            fill: false,
            fh: 0.0,
            has_box: false,
        }
    }

    fn is_empty<P>(&self, items: &[VItem<P>]) -> bool {
        self.plan.floats.is_empty()
            && self.plan.footnotes.is_empty()
            && !self
                .plan
                .body
                .iter()
                .any(|&b| matches!(items[b], VItem::Box { .. } | VItem::Float { .. }))
    }
}

/// Why filling a page stopped.
enum Stop {
    /// A forced break, with the state there.
    Forced(Snapshot),
    /// The item at `at` did not fit; `best` is the cheapest legal break before it.
    Overflow { at: usize, best: Option<Snapshot> },
    /// The end of the chapter.
    End,
}

impl<P> Breaker<'_, P> {
    fn pad_bottom(&self) -> f64 {
        self.frames
            .iter()
            .map(|&f| match self.items[f] {
                VItem::FrameStart { pad_bottom, .. } => pad_bottom,
                _ => 0.0,
            })
            .sum()
    }

    fn fn_height(&self, f: usize, r: Range<usize>) -> f64 {
        self.footnotes.get(f).map_or(0.0, |l| l[r].iter().sum())
    }

    fn fn_len(&self, f: usize) -> usize {
        self.footnotes.get(f).map_or(0, |l| l.len())
    }

    /// Height the footnotes `fns` add to a page that already has `fh` of footnotes.
    fn notes_height(&self, fns: &[usize], fh: f64) -> f64 {
        let mut add = 0.0;
        for &f in fns {
            if add == 0.0 && fh == 0.0 {
                add += self.params.footnote_sep;
            }
            add += self.footnotes.get(f).map_or(0.0, |l| l.iter().sum::<f64>());
        }
        add
    }

    fn place_notes(&self, fns: &[usize], page: &mut PagePlan) {
        for &f in fns {
            page.footnotes.push((f, 0..self.fn_len(f)));
        }
    }

    fn snapshot(&self, at: usize, page: &Filling) -> Snapshot {
        Snapshot {
            at,
            body: page.plan.body.len(),
            footnotes: page.plan.footnotes.len(),
            deferred: self.deferred.len(),
            frames: self.frames.clone(),
            height: page.h,
            stretch: page.stretch,
            shrink: page.shrink,
            fill: page.fill,
            fn_height: page.fh,
            carry: self.carry.clone(),
        }
    }

    /// Footnote lines carried over from the previous page come first.
    fn place_carried_notes(&mut self, page: &mut Filling) {
        let limit = self.params.height;
        let mut new_carry = Vec::new();
        for (f, from) in self.carry.drain(..) {
            let lines = &self.footnotes[f];
            let sep = if page.fh == 0.0 {
                self.params.footnote_sep
            } else {
                0.0
            };
            let mut to = from;
            let mut used = sep;
            while to < lines.len() && page.fh + used + lines[to] <= limit {
                used += lines[to];
                to += 1;
            }
            if to == from && to < lines.len() {
                // Not even one line fits: take one anyway so we move on.
                used += lines[to];
                to += 1;
            }
            page.fh += used;
            page.plan.footnotes.push((f, from..to));
            if to < lines.len() {
                new_carry.push((f, to));
            }
        }
        self.carry = new_carry;
    }

    /// Floats waiting from earlier pages go at the top, in order, as many as fit; one
    /// that does not fit holds back the later ones of its kind only.
    fn place_deferred_floats(&mut self, page: &mut Filling) {
        let limit = self.params.height;
        let mut held: Vec<FloatKind> = Vec::new();
        let mut k = 0;
        while k < self.deferred.len() {
            let fl = self.deferred[k];
            let VItem::Float {
                kind,
                height,
                footnotes: fns,
                ..
            } = &self.items[fl]
            else {
                self.deferred.remove(k);
                continue;
            };
            if held.contains(kind) {
                k += 1;
                continue;
            }
            let add = self.notes_height(fns, page.fh);
            if page.plan.floats.is_empty() && page.h == 0.0
                || page.h + height + self.params.float_sep + page.fh + add <= limit
            {
                if height + page.fh + add > limit {
                    self.events.push(Event::Oversized(fl));
                }
                page.h += height + self.params.float_sep;
                page.fh += add;
                self.place_notes(fns, &mut page.plan);
                page.plan.floats.push(fl);
                self.deferred.remove(k);
            } else {
                held.push(*kind);
                k += 1;
            }
        }
        page.has_box = !page.plan.floats.is_empty();
    }

    /// Frames continued from the previous page take their reopening height.
    fn reopen_frames(&self, page: &mut Filling) {
        for &f in &self.frames {
            if let VItem::FrameStart { reopen, .. } = self.items[f] {
                page.h += reopen;
            }
        }
    }

    /// Adds items from `pos` until the page overflows, a break is forced or the chapter
    /// ends, remembering the cheapest legal break on the way.
    fn fill(&mut self, page: &mut Filling, pos: usize) -> Stop {
        let n = self.items.len();
        let mut best: Option<Snapshot> = None;
        let mut best_cost = f64::INFINITY;
        let mut i = pos;
        while i < n {
            match &self.items[i] {
                VItem::Box {
                    height,
                    footnotes: fns,
                    ..
                } => {
                    if !self.add_box(page, i, *height, fns) {
                        return Stop::Overflow { at: i, best };
                    }
                }
                VItem::Glue {
                    height,
                    stretch,
                    shrink,
                    fill: fl,
                } => {
                    page.h += height;
                    page.stretch += stretch;
                    page.shrink += shrink;
                    page.fill |= *fl;
                    page.plan.body.push(i);
                }
                VItem::Penalty(p) => {
                    if *p < FORBID {
                        let snap = self.snapshot(i, page);
                        if *p <= -FORBID {
                            return Stop::Forced(snap);
                        }
                        let cost = self.break_cost(page, *p);
                        if let Some(cost) = cost
                            && cost <= best_cost
                        {
                            best_cost = cost;
                            best = Some(snap);
                        }
                    }
                }
                VItem::Float {
                    kind,
                    height,
                    footnotes: fns,
                    ..
                } => self.add_float(page, i, *kind, *height, fns),
                VItem::FrameStart { pad_top, .. } => {
                    self.frames.push(i);
                    page.h += pad_top;
                    page.plan.body.push(i);
                }
                VItem::FrameEnd => {
                    if let Some(f) = self.frames.pop()
                        && let VItem::FrameStart { pad_bottom, .. } = self.items[f]
                    {
                        page.h += pad_bottom;
                    }
                    page.plan.body.push(i);
                }
                VItem::Mark(_) => page.plan.body.push(i),
            }
            i += 1;
        }
        Stop::End
    }

    /// The cost of breaking the page here with penalty `p`; `None` when the page would
    /// be overfull.
    fn break_cost(&self, page: &Filling, p: f64) -> Option<f64> {
        let close = self.pad_bottom();
        let total = page.h + page.fh + close;
        let b = badness(
            self.params.height - total,
            page.stretch + self.params.virtual_stretch,
            page.shrink,
            page.fill,
        );
        // Pages that cannot be filled are all equally bad ("deplorable" in TeX), so
        // among them the fullest wins.
        b.is_finite()
            .then_some(if b >= INF_BAD { DEPLORABLE } else { b + p })
    }

    /// Adds box `i` with its footnotes; false when it does not fit and the page already
    /// has a box (the first box of a page goes there whatever happens).
    fn add_box(&mut self, page: &mut Filling, i: usize, height: f64, fns: &[usize]) -> bool {
        let limit = self.params.height;
        let mut add = 0.0;
        for &f in fns {
            if add == 0.0 && page.fh == 0.0 {
                add += self.params.footnote_sep;
            }
            add += self.fn_height(f, 0..self.fn_len(f));
        }
        let close = self.pad_bottom();
        if page.h + height + page.fh + add + close > limit + page.shrink + 1e-6 {
            if page.has_box {
                return false;
            }
            page.h += height;
            if fns.is_empty() {
                self.events.push(Event::Oversized(i));
            } else {
                let sep = if page.fh == 0.0 {
                    self.params.footnote_sep
                } else {
                    0.0
                };
                let room = limit - page.h - page.fh - close - sep;
                page.fh += sep;
                page.fh += split_notes(
                    fns,
                    self.footnotes,
                    room,
                    &mut page.plan,
                    &mut self.carry,
                    &mut self.events,
                );
            }
            page.plan.body.push(i);
            page.has_box = true;
            return true;
        }
        page.h += height;
        page.fh += add;
        for &f in fns {
            page.plan.footnotes.push((f, 0..self.fn_len(f)));
        }
        page.plan.body.push(i);
        page.has_box = true;
        true
    }

    /// Sets float `i` where it stands if it fits and no float of its kind is waiting;
    /// otherwise it waits for the top of a later page.
    fn add_float(
        &mut self,
        page: &mut Filling,
        i: usize,
        kind: FloatKind,
        height: f64,
        fns: &[usize],
    ) {
        let close = self.pad_bottom();
        let add = self.notes_height(fns, page.fh);
        let waiting = self
            .deferred
            .iter()
            .any(|&d| matches!(self.items[d], VItem::Float { kind: k, .. } if k == kind));
        if !waiting
            && (!page.has_box || page.h + height + page.fh + add + close <= self.params.height)
        {
            page.h += height;
            page.fh += add;
            self.place_notes(fns, &mut page.plan);
            page.plan.body.push(i);
            page.has_box = true;
        } else {
            self.deferred.push_back(i);
        }
    }

    /// Ends the page where filling stopped; returns the index the next page starts at.
    fn break_page(&mut self, page: &mut Filling, stop: Stop) -> usize {
        let limit = self.params.height;
        match stop {
            Stop::Forced(snap) => {
                self.commit(page, &snap);
                finish(&mut page.plan, &snap, limit, self.params, false);
                snap.at + 1
            }
            Stop::Overflow {
                best: Some(snap), ..
            } => {
                self.commit(page, &snap);
                finish(&mut page.plan, &snap, limit, self.params, true);
                snap.at + 1
            }
            Stop::Overflow { at, best: None } => self.break_against_the_rules(page, at),
            Stop::End => {
                // End of the chapter: the last page keeps its natural spacing.
                let snap = self.snapshot(self.items.len(), page);
                finish(&mut page.plan, &snap, limit, self.params, page.fill);
                self.items.len()
            }
        }
    }

    /// Goes back to the state of the break `snap`.
    fn commit(&mut self, page: &mut Filling, snap: &Snapshot) {
        page.plan.body.truncate(snap.body);
        page.plan.footnotes.truncate(snap.footnotes);
        self.deferred.truncate(snap.deferred);
        self.frames = snap.frames.clone();
        self.carry = snap.carry.clone();
    }

    /// No legal break on this page. If the overflowing line only fails because of its
    /// footnotes, set it and split the footnotes; otherwise break before it against the
    /// rules.
    fn break_against_the_rules(&mut self, page: &mut Filling, over: usize) -> usize {
        let limit = self.params.height;
        let mut placed = false;
        if let VItem::Box {
            height,
            footnotes: fns,
            ..
        } = &self.items[over]
        {
            let close = self.pad_bottom();
            let sep = if page.fh == 0.0 {
                self.params.footnote_sep
            } else {
                0.0
            };
            if !fns.is_empty() && page.h + height + page.fh + close + sep < limit {
                page.h += height;
                page.plan.body.push(over);
                let room = limit - page.h - page.fh - close - sep;
                page.fh += sep;
                page.fh += split_notes(
                    fns,
                    self.footnotes,
                    room,
                    &mut page.plan,
                    &mut self.carry,
                    &mut self.events,
                );
                placed = true;
            }
        }
        if !placed
            && page
                .plan
                .body
                .iter()
                .any(|&b| matches!(self.items[b], VItem::Box { .. }))
        {
            self.events.push(Event::ForcedBreak(over));
        }
        let snap = self.snapshot(over, page);
        finish(&mut page.plan, &snap, limit, self.params, true);
        if placed { over + 1 } else { over }
    }
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

/// Typographic defects of a set of pages: (widows, orphans, headings at the foot), each
/// as (page, item): the widow's line, the orphan's line, the heading.
/// Computed from the result rather than assumed from the penalties, so the report is a
/// check and not a promise.
pub(crate) type Defects = Vec<(usize, usize)>;

pub(crate) fn audit<P>(items: &[VItem<P>], pages: &[PagePlan]) -> (Defects, Defects, Defects) {
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
                    heads.push((pi, boxes[h].0));
                }
            }
            if let Some(&(i, BoxKind::Line { line: 0, of, .. })) = in_flow.last()
                && of > 1
            {
                orphans.push((pi, i));
            }
        }
        if let Some(&(i, BoxKind::Line { line, of, .. })) = in_flow.first()
            && pi > 0
            && line > 0
            && line + 1 == of
        {
            widows.push((pi, i));
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
        assert_eq!(h.iter().map(|d| d.0).collect::<Vec<_>>(), vec![0]);
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
            kind: FloatKind::Figure,
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
    fn a_table_passes_a_waiting_figure_but_not_another_table() {
        let float = |kind, height| VItem::Float {
            kind,
            height,
            footnotes: vec![],
            payload: (),
        };
        let mut items = paragraphs(&[8]);
        items.push(VItem::Penalty(0.0));
        // Too tall for what is left of page 1: it waits for page 2.
        items.push(float(FloatKind::Figure, 55.0));
        // A second figure that cannot share page 2 with the first, and a table that fits
        // under the first on page 2 but not on page 1.
        items.push(float(FloatKind::Figure, 55.0));
        items.push(float(FloatKind::Table, 25.0));
        items.push(VItem::Penalty(0.0));
        push_par(&mut items, 1, 12, vec![]);
        let (pages, _) = build_pages(&items, &[], &params(10.0));
        let at = |i: usize| {
            pages
                .iter()
                .position(|p| p.floats.contains(&i) || p.body.contains(&i))
        };
        let first = items
            .iter()
            .position(|it| matches!(it, VItem::Float { .. }))
            .unwrap();
        assert_eq!(at(first), Some(1));
        assert_eq!(at(first + 1), Some(2), "figures keep their order");
        assert_eq!(
            at(first + 2),
            Some(1),
            "the table passes the waiting figure"
        );
    }

    #[test]
    fn frames_account_for_their_padding_when_broken() {
        let mut items = paragraphs(&[4]);
        items.push(VItem::Penalty(0.0));
        items.push(VItem::FrameStart {
            id: 0,
            pad_top: 6.0,
            pad_bottom: 6.0,
            reopen: 6.0,
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
