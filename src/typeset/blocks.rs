//! Blocks → the vertical list: lines, headings, lists, kaders, tables, figures, code.
//!
//! This is where the page-level rules are written down as penalties: where a page may
//! break, where it may not (inside the first and last two lines of a paragraph, after a
//! heading), and where it should rather break (before a heading). Spacing between blocks
//! follows LaTeX's `\addvspace`: the larger of the space after one block and before the
//! next, never both.

use crate::typeset::collect::{heading_anchor, plain_text};
use crate::typeset::context::Ctx;
use crate::typeset::document::{FillRect, ImageBox, Item, Rule};
use crate::typeset::flow::{
    Align, Block, Caption, Cmyk, Code, Figure, Heading, Inline, Kader, List, ListMarker, Look,
    Opening, Paragraph, ParagraphSeparation, Source, Table,
};
use crate::typeset::frag::{Frag, FragLink};
use crate::typeset::hyphenate::BreakKind;
use crate::typeset::image;
use crate::typeset::pagebuild::{BoxKind, FORBID, FloatKind, VItem, breakable_after_line};
use crate::typeset::paragraph::{
    BASELINE_RATIO, Label, LineBox, ParSpec, set_paragraph, set_plain,
};
use crate::typeset::report::{Place, WarningKind};
use crate::typeset::toc;

/// Space above and below a figure or table set in the text, as a fraction of the
/// body leading; at the top of a page the space above is dropped.
pub(crate) const FLOAT_PAD_LINES: f64 = 0.75;
/// Space around lists, quotes, code and kaders, in lines: half a line sets them off
/// without breaking the rhythm of the page (LaTeX's `\topsep` is about the same).
const DISPLAY_SPACE_LINES: f64 = 0.5;
/// Page-break penalties (LaTeX's `\@secpenalty` and `\@itempenalty`): breaking before
/// a heading is encouraged, between list items slightly so.
const HEADING_PENALTY: [f64; 4] = [-500.0, -300.0, -200.0, -100.0];
const LIST_PENALTY: f64 = -50.0;
/// Indents of lists and quotes, in em of the body size: wide enough for a bullet and its
/// gap, narrow enough that nested lists keep a useful measure.
const LIST_HANG_EM: f64 = 1.4;
const QUOTE_INDENT_EM: f64 = 1.5;
/// Gap between a heading number and its title, in em: clearly more than a word space,
/// so the number reads as a label.
const HEADING_NUMBER_GAP_EM: f64 = 0.8;
/// Booktabs rule weights (heavy 0.08em, light 0.05em at 10pt) and the space around rules.
const RULE_HEAVY: f64 = 0.8;
const RULE_LIGHT: f64 = 0.5;
const RULE_SEP: f64 = 3.0;
/// Space between table rows: a point when every row is one line, about half a line when
/// cells wrap, so that the rows of a table with multi-line cells stay apart.
const ROW_GAP: f64 = 1.0;
const ROW_GAP_WRAPPED: f64 = 0.45;
/// Gap between table columns, in em of the table text size: without vertical rules the
/// white space alone must separate the columns (booktabs uses about 1 em).
const COLUMN_GAP_EM: f64 = 1.2;
/// A figure is never taller than this share of the text height, so that it can share a
/// page with text and its caption instead of forcing a page of its own.
const FIGURE_MAX_HEIGHT: f64 = 0.6;
/// Below this resolution at the printed size a raster image looks soft in offset print
/// (300 ppi is ideal, 150 the usual lower bound for photos and diagrams).
const MIN_PPI: f64 = 150.0;
/// Bullets that are geometric shapes are drawn smaller and raised to the x-height.
const BULLET_SCALE: f64 = 0.6;

/// How a frame is drawn; referenced by `VItem::FrameStart::id`.
#[derive(Clone, Debug)]
pub(crate) enum FrameStyle {
    /// A kader: a tinted rectangle behind its content.
    Tint { x: f64, width: f64, fill: Cmyk },
    /// A table longer than a page: each part ends with a heavy rule, and each part after
    /// the first starts with the continuation mark and the repeated header.
    Table(TableFrame),
}

/// What a table broken across pages repeats: `head` at the top of every later part,
/// `rule` under every part.
#[derive(Clone, Debug)]
pub(crate) struct TableFrame {
    pub head: Frag,
    pub rule: TableRule,
}

/// A chapter's vertical list and the frames it refers to.
#[derive(Default)]
pub(crate) struct VList {
    pub items: Vec<VItem<Frag>>,
    pub frames: Vec<FrameStyle>,
    /// Where the manuscript lines start: (first item of a block, its source), in order.
    pub sources: Vec<(usize, Source)>,
}

impl VList {
    /// The manuscript line of the block that item `i` belongs to.
    pub fn source_of(&self, i: usize) -> Option<&Source> {
        let k = self.sources.partition_point(|(at, _)| *at <= i);
        k.checked_sub(1).map(|k| &self.sources[k].1)
    }
}

/// The manuscript line a block starts at, when the flow gives one.
fn block_source(b: &Block) -> Option<&Source> {
    match b {
        Block::Heading(h) => h.source.as_ref(),
        Block::Paragraph(p) => p.source.as_ref(),
        Block::Kader(k) => k.source.as_ref(),
        Block::Table(t) => t.source.as_ref(),
        Block::Figure(f) => f.source.as_ref(),
        Block::Code(c) => c.source.as_ref(),
        _ => None,
    }
}

/// The layout environment of a container (the chapter, a kader, a list item).
#[derive(Clone, Debug)]
struct Env {
    left: f64,
    right: f64,
    look: Look,
    list_depth: usize,
}

/// The least share of the text width that nesting leaves for text: deeper quotes, lists and
/// kaders stop moving the text in (a line a few points wide would hold one letter).
const MIN_MEASURE_SHARE: f64 = 0.5;

impl Env {
    /// This environment moved in by `left` and `right`, or by less where that would leave
    /// less than [`MIN_MEASURE_SHARE`] of `width` for the text.
    fn inset(&self, left: f64, right: f64, width: f64) -> Env {
        let room = (width - self.left - self.right - width * MIN_MEASURE_SHARE).max(0.0);
        let k = if left + right > room {
            room / (left + right)
        } else {
            1.0
        };
        Env {
            left: self.left + left * k,
            right: self.right + right * k,
            ..self.clone()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    /// Start of a container: no break, no space, no indent.
    Start,
    Paragraph,
    /// A heading or title: no break may follow.
    Heading,
    Other,
}

pub(crate) struct Builder<'c, 'a> {
    pub ctx: &'c mut Ctx<'a>,
    pub out: VList,
    par_no: u32,
    heading_no: usize,
    prev: Prev,
    pending: f64,
    width: f64,
    /// Lines still to come before a page may break: a heading keeps two lines with it.
    keep: u32,
}

impl<'c, 'a> Builder<'c, 'a> {
    pub fn new(ctx: &'c mut Ctx<'a>) -> Builder<'c, 'a> {
        let width = ctx.style.text_width();
        Builder {
            ctx,
            out: VList::default(),
            par_no: 0,
            heading_no: 0,
            prev: Prev::Start,
            pending: 0.0,
            width,
            keep: 0,
        }
    }

    fn body_env(&self) -> Env {
        Env {
            left: 0.0,
            right: 0.0,
            look: self.ctx.style.body.clone(),
            list_depth: 0,
        }
    }

    /// A place where the page may break with the given cost, unless a heading above still
    /// needs its two lines.
    fn breakpoint(&mut self, cost: f64) {
        if self.keep == 0 {
            self.out.items.push(VItem::Penalty(cost));
        }
    }

    fn glue(&mut self, space: f64) {
        self.out.items.push(VItem::Glue {
            height: space,
            stretch: space * 0.25,
            shrink: space * 0.1,
            fill: false,
        });
    }

    /// Starts a block: the break before it (unless it follows a heading or starts a
    /// container) and the larger of the pending and the requested space.
    fn open(&mut self, before: f64, penalty: f64) {
        if self.prev == Prev::Start {
            self.pending = 0.0;
            return;
        }
        if self.prev != Prev::Heading {
            self.breakpoint(penalty);
        }
        let space = self.pending.max(before);
        if space > 0.0 {
            self.glue(space);
        }
        self.pending = 0.0;
    }

    fn display_space(&self) -> f64 {
        self.ctx.style.body.leading * DISPLAY_SPACE_LINES
    }

    /// Lays out the chapter's blocks.
    pub fn chapter(&mut self, opening: Option<&Opening>, blocks: &[Block], chapter: usize) {
        if let Some(o) = opening {
            self.opening(o, chapter);
        }
        let env = self.body_env();
        self.blocks(blocks, &env);
    }

    fn blocks(&mut self, blocks: &[Block], env: &Env) {
        for b in blocks {
            self.block(b, env);
        }
    }

    fn block(&mut self, b: &Block, env: &Env) {
        let start = self.out.items.len();
        if let Some(src) = block_source(b) {
            self.out.sources.push((start, src.clone()));
        }
        let mark = self.ctx.warnings.len();
        let outer = self.ctx.place;
        if !self.ctx.in_footnote {
            self.ctx.place = Some(Place::Item(start));
        }
        self.block_items(b, env);
        self.ctx.place = outer;
        // A warning about a line that is not a line of the text (a table cell, a caption)
        // is about the block.
        for w in &mut self.ctx.warnings[mark..] {
            if let Some(Place::Line(_)) = w.place {
                w.place = Some(Place::Item(start));
            }
        }
    }

    fn block_items(&mut self, b: &Block, env: &Env) {
        match b {
            Block::Heading(h) => self.heading(h, env),
            Block::Paragraph(p) => self.paragraph(p, env, None),
            Block::List(l) => self.list(l, env),
            Block::Quote(q) => {
                let em = env.look.size;
                let inner = env.inset(QUOTE_INDENT_EM * em, QUOTE_INDENT_EM * em, self.width);
                let ds = self.display_space();
                self.open(ds, 0.0);
                self.prev = Prev::Start;
                self.blocks(q, &inner);
                self.prev = Prev::Other;
                self.pending = ds;
            }
            Block::Kader(k) => self.kader(k, env),
            Block::Table(t) => self.table(t, env),
            Block::Figure(f) => {
                let mut notes = Vec::new();
                let frag = self.figure(f, env, &mut notes);
                self.float(frag, notes, FloatKind::Figure);
            }
            Block::Code(c) => self.code(c, env),
            Block::Toc(t) => {
                let lines = toc::build(self.ctx, t.depth, self.width);
                self.open(0.0, 0.0);
                let mut first = true;
                for entry in lines {
                    if !first {
                        if entry.chapter_level {
                            self.breakpoint(-50.0);
                            self.glue(self.ctx.style.body.leading * 0.5);
                        } else if !entry.keep_with_previous {
                            self.breakpoint(0.0);
                        }
                    }
                    first = false;
                    let n = entry.lines.len();
                    for (k, frag) in entry.lines.into_iter().enumerate() {
                        if k > 0 && breakable_after_line(k - 1, n) {
                            self.breakpoint(0.0);
                        }
                        let height = frag.height;
                        self.out.items.push(VItem::Box {
                            height,
                            footnotes: vec![],
                            kind: BoxKind::Block,
                            payload: frag,
                        });
                    }
                }
                self.prev = Prev::Other;
            }
            Block::Space(h) => {
                // Like LaTeX's `\vspace*`: an empty box in front keeps the space even at
                // the top of a page (title pages start with one).
                self.out.items.push(VItem::Box {
                    height: 0.0,
                    footnotes: vec![],
                    kind: BoxKind::Block,
                    payload: Frag::new(0.0),
                });
                self.out.items.push(VItem::Glue {
                    height: *h,
                    stretch: 0.0,
                    shrink: 0.0,
                    fill: false,
                });
                self.prev = Prev::Other;
            }
            Block::Fill => {
                self.out.items.push(VItem::Glue {
                    height: 0.0,
                    stretch: 0.0,
                    shrink: 0.0,
                    fill: true,
                });
            }
            Block::PageBreak => {
                self.out.items.push(VItem::Penalty(-FORBID));
                self.keep = 0;
                self.prev = Prev::Start;
                self.pending = 0.0;
            }
        }
    }

    /// Pushes the lines of a paragraph with the widow, orphan and keep rules. The
    /// warnings raised since `mark` about one of its lines are about that line's box.
    fn push_lines(&mut self, lines: Vec<LineBox>, kind_heading: bool, mark: usize) {
        let n = lines.len();
        self.par_no += 1;
        let mut boxes = Vec::with_capacity(n);
        for (k, line) in lines.into_iter().enumerate() {
            if k > 0 && !kind_heading && breakable_after_line(k - 1, n) {
                self.breakpoint(0.0);
            }
            let kind = if kind_heading {
                self.keep = 2;
                BoxKind::Heading
            } else {
                self.keep = self.keep.saturating_sub(1);
                BoxKind::Line {
                    par: self.par_no,
                    line: k as u32,
                    of: n as u32,
                }
            };
            boxes.push(self.out.items.len());
            self.out.items.push(VItem::Box {
                height: line.frag.height,
                footnotes: line.footnotes,
                kind,
                payload: line.frag,
            });
        }
        for w in &mut self.ctx.warnings[mark..] {
            if let Some(Place::Line(k)) = w.place {
                w.place = boxes.get(k).map(|&i| Place::Item(i));
            }
        }
    }

    fn paragraph(&mut self, p: &Paragraph, env: &Env, label: Option<Label>) {
        let look = p.look.clone().unwrap_or_else(|| env.look.clone());
        let style = self.ctx.style;
        let follows_paragraph = self.prev == Prev::Paragraph;
        match (self.prev, style.paragraph) {
            (Prev::Paragraph, ParagraphSeparation::Indent(_)) => {
                self.breakpoint(0.0);
                // Paragraphs sit on the grid; a point of stretch lets a page fill up.
                self.out.items.push(VItem::Glue {
                    height: 0.0,
                    stretch: 1.0,
                    shrink: 0.0,
                    fill: false,
                });
            }
            (Prev::Paragraph, ParagraphSeparation::Spacing(s)) => {
                self.breakpoint(0.0);
                self.glue(s);
            }
            _ => self.open(0.0, 0.0),
        }
        // Title pages and colophons (own look) and centred text are never indented.
        let justified = matches!(p.align, Align::Justify | Align::Left) && p.look.is_none();
        let indent = match (p.indent, style.paragraph) {
            (Some(true), ParagraphSeparation::Indent(w)) => w,
            (None, ParagraphSeparation::Indent(w))
                if follows_paragraph && justified && label.is_none() =>
            {
                w
            }
            _ => 0.0,
        };
        // A hanging indent moves every line in and the first one back out.
        let (left, indent) = if p.hanging > 0.0 && label.is_none() {
            (env.left + p.hanging, -p.hanging)
        } else {
            (env.left, indent)
        };
        let spec = ParSpec {
            look,
            align: p.align,
            measure: self.width,
            left,
            right: env.right,
            indent,
            label,
            lang: p.lang.unwrap_or(style.lang),
            hyphenate: style.hyphenate,
            source: p.source.clone(),
        };
        let mark = self.ctx.warnings.len();
        let lines = set_paragraph(self.ctx, &p.content, &spec);
        if lines.is_empty() {
            return;
        }
        self.push_lines(lines, false, mark);
        self.prev = Prev::Paragraph;
    }

    fn heading(&mut self, h: &Heading, env: &Env) {
        let level = h.level.clamp(1, 4) as usize;
        let hs = self.ctx.style.headings[level - 1].clone();
        let anchor = h
            .anchor
            .clone()
            .unwrap_or_else(|| heading_anchor(self.ctx.chapter, self.heading_no));
        self.heading_no += 1;
        if self.prev != Prev::Start {
            if self.prev != Prev::Heading {
                self.breakpoint(HEADING_PENALTY[level - 1]);
            }
            let space = self.pending.max(hs.space_before);
            self.out.items.push(VItem::Glue {
                height: space,
                stretch: space * 0.3,
                shrink: space * 0.1,
                fill: false,
            });
        }
        self.pending = 0.0;
        let title = h.short.clone().unwrap_or_else(|| plain_text(&h.title));
        if level == 2 {
            let mark = match &h.number {
                Some(n) => format!("{n}\u{2002}{title}"),
                None => title.clone(),
            };
            self.out.items.push(VItem::Mark(mark));
        }
        let (label, left) = match &h.number {
            Some(n) => {
                let w = self.ctx.text_width(n, &hs.look);
                let gap = HEADING_NUMBER_GAP_EM * hs.look.size;
                (
                    Some(Label {
                        text: n.clone(),
                        look: hs.look.clone(),
                        x: env.left,
                        rise: 0.0,
                    }),
                    env.left + w + gap,
                )
            }
            None => (None, env.left),
        };
        let spec = ParSpec {
            look: hs.look.clone(),
            align: Align::Left,
            measure: self.width,
            left,
            right: env.right,
            indent: 0.0,
            label,
            lang: self.ctx.style.lang,
            hyphenate: false,
            source: h.source.clone(),
        };
        let mark = self.ctx.warnings.len();
        let mut lines = set_paragraph(self.ctx, &h.title, &spec);
        if let Some(first) = lines.first_mut() {
            first.frag.anchors.push((anchor, 0.0, 0.0));
        }
        self.push_lines(lines, true, mark);
        self.prev = Prev::Heading;
        self.pending = hs.space_after;
    }

    fn list(&mut self, l: &List, env: &Env) {
        let em = env.look.size;
        let labels: Vec<String> = match &l.marker {
            ListMarker::Bullet(b) => vec![b.clone(); l.items.len()],
            ListMarker::Numbered { start } => (0..l.items.len())
                .map(|i| format!("{}.", *start as usize + i))
                .collect(),
            ListMarker::Each(labels) => labels.clone(),
        };
        let (label_look, rise) = match &l.marker {
            ListMarker::Bullet(b)
                if b.chars()
                    .all(|c| matches!(c, '■' | '▪' | '●' | '•' | '◆' | '□')) =>
            {
                let mut look = env.look.clone();
                look.size *= BULLET_SCALE;
                look.bold = false;
                // Centre the small square on the x-height.
                let xh = self.ctx.fonts.face(self.ctx.font(&env.look)).x_height as f64 / 1000.0
                    * env.look.size;
                (look, (xh - BULLET_SCALE * env.look.size * 0.55) / 2.0)
            }
            _ => (env.look.clone(), 0.0),
        };
        let widest = labels
            .iter()
            .map(|s| self.ctx.text_width(s, &label_look))
            .fold(0.0, f64::max);
        let hang = (LIST_HANG_EM * em).max(widest + 0.5 * em);
        let ds = if env.list_depth == 0 {
            self.display_space()
        } else {
            0.0
        };
        self.open(ds, LIST_PENALTY);
        let inner = Env {
            list_depth: env.list_depth + 1,
            ..env.inset(hang, 0.0, self.width)
        };
        for (i, item) in l.items.iter().enumerate() {
            if i > 0 {
                self.breakpoint(LIST_PENALTY);
                self.out.items.push(VItem::Glue {
                    height: 0.0,
                    stretch: 1.0,
                    shrink: 0.0,
                    fill: false,
                });
            }
            // Numbers are set flush right against the text, bullets at the list's left.
            let lw = self.ctx.text_width(&labels[i], &label_look);
            // Hung from the text's edge: where nesting no longer moves the text in, the
            // label still stands before it.
            let x = match l.marker {
                ListMarker::Numbered { .. } => inner.left - 0.5 * em - lw,
                ListMarker::Bullet(_) | ListMarker::Each(_) => inner.left - hang,
            };
            let label = Label {
                text: labels[i].clone(),
                look: label_look.clone(),
                x,
                rise,
            };
            self.prev = Prev::Start;
            let mut rest = &item[..];
            match item.first() {
                Some(Block::Paragraph(p)) => {
                    let mut p = p.clone();
                    p.indent = Some(false);
                    self.paragraph(&p, &inner, Some(label));
                    rest = &item[1..];
                }
                _ => {
                    // A label with no paragraph to hang on: give it a line of its own.
                    let p = Paragraph::new(vec![Inline::text("\u{A0}")]);
                    self.paragraph(&p, &inner, Some(label));
                }
            }
            for b in rest {
                if let Block::Paragraph(p) = b {
                    let mut p = p.clone();
                    if p.indent.is_none() {
                        p.indent = Some(false);
                    }
                    // Later paragraphs of an item are separated by a little space.
                    self.prev = Prev::Other;
                    self.paragraph(&p, &inner, None);
                } else {
                    self.block(b, &inner);
                }
            }
        }
        self.prev = Prev::Other;
        self.pending = ds;
    }

    fn kader(&mut self, k: &Kader, env: &Env) {
        let style = self.ctx.style;
        let pad = style.kader_padding;
        let ds = self.display_space();
        self.open(ds.max(style.body.leading * 0.75), 0.0);
        let id = self.out.frames.len();
        self.out.frames.push(FrameStyle::Tint {
            x: env.left,
            width: self.width - env.left - env.right,
            fill: k.fill.unwrap_or(style.kader_fill),
        });
        self.out.items.push(VItem::FrameStart {
            id,
            pad_top: pad,
            pad_bottom: pad,
            reopen: pad,
        });
        let inner = env.inset(pad, pad, self.width);
        self.prev = Prev::Start;
        if k.label.is_some() || !k.title.is_empty() {
            let mut title = Vec::new();
            if let Some(l) = &k.label {
                title.push(Inline::text(format!("{l}\u{2002}")));
            }
            title.extend(k.title.iter().cloned());
            let spec = ParSpec {
                look: style.kader_title.clone(),
                align: Align::Left,
                measure: self.width,
                left: inner.left,
                right: inner.right,
                indent: 0.0,
                label: None,
                lang: style.lang,
                hyphenate: false,
                source: k.source.clone(),
            };
            let mark = self.ctx.warnings.len();
            let mut lines = set_paragraph(self.ctx, &title, &spec);
            if let (Some(first), Some(a)) = (lines.first_mut(), &k.anchor) {
                first.frag.anchors.push((a.clone(), 0.0, -pad));
            }
            self.push_lines(lines, true, mark);
            self.prev = Prev::Heading;
            self.out.items.push(VItem::Glue {
                height: 2.0,
                stretch: 0.0,
                shrink: 0.0,
                fill: false,
            });
        } else if let Some(a) = &k.anchor {
            let mut f = Frag::new(0.0);
            f.anchors.push((a.clone(), 0.0, -pad));
            self.out.items.push(VItem::Box {
                height: 0.0,
                footnotes: vec![],
                kind: BoxKind::Block,
                payload: f,
            });
        }
        self.blocks(&k.blocks, &inner);
        self.out.items.push(VItem::FrameEnd);
        self.prev = Prev::Other;
        self.pending = ds;
    }

    /// A code block: each line as it is, in the mono face; a line longer than the
    /// measure wraps at a break opportunity ([`code_pieces`]) with a hanging indent and a
    /// continuation mark drawn in front of every continued piece. Code is never
    /// hyphenated.
    fn code(&mut self, c: &Code, env: &Env) {
        let look = self.ctx.style.code.clone();
        let ds = self.display_space();
        self.open(ds, 0.0);
        let measure = self.width - env.left - env.right;
        // Mono: a character count gives the width.
        let char_w = self.ctx.text_width("0", &look).max(0.1);
        let columns = ((measure / char_w).floor() as usize).max(MIN_CODE_COLUMNS);
        let mut frags = Vec::new();
        for raw in c.text.trim_end_matches('\n').split('\n') {
            let text = raw.replace('\t', "    ");
            let chars: Vec<char> = text.chars().collect();
            let lead = chars.iter().take_while(|c| **c == ' ').count();
            // Continuations hang under the line's own indent, two columns further in, but
            // never so far that less than half the measure is left.
            let hang = (lead + CODE_HANG_COLUMNS).min(columns / 2);
            for (k, (from, to)) in code_pieces(&chars, columns, columns - hang)
                .into_iter()
                .enumerate()
            {
                let piece: String = chars[from..to].iter().collect();
                let indent = if k == 0 { 0 } else { hang };
                let mut f = Frag::new(look.leading);
                let baseline = look.leading * BASELINE_RATIO;
                let x = env.left + indent as f64 * char_w;
                let (runs, _) = set_plain(self.ctx, &piece, &look, x, baseline);
                for r in runs {
                    f.push(Item::Glyphs(r));
                }
                if k > 0 {
                    continuation_mark(&mut f, x, baseline, char_w, look.size);
                }
                f.lines.push(crate::typeset::document::TextLine {
                    x,
                    y: baseline,
                    text: piece,
                });
                frags.push(f);
            }
        }
        let n = frags.len();
        self.par_no += 1;
        for (k, f) in frags.into_iter().enumerate() {
            if k > 0 && breakable_after_line(k - 1, n) {
                self.breakpoint(0.0);
            }
            self.keep = self.keep.saturating_sub(1);
            let kind = BoxKind::Line {
                par: self.par_no,
                line: k as u32,
                of: n as u32,
            };
            self.out.items.push(VItem::Box {
                height: f.height,
                footnotes: vec![],
                kind,
                payload: f,
            });
        }
        self.prev = Prev::Other;
        self.pending = ds;
    }

    /// A figure or table: it may float to the top of the next page.
    fn float(&mut self, mut frag: Frag, footnotes: Vec<usize>, kind: FloatKind) {
        if self.prev != Prev::Start && self.prev != Prev::Heading {
            self.breakpoint(0.0);
        }
        let pad = self.ctx.style.body.leading * FLOAT_PAD_LINES;
        let mut padded = Frag::new(frag.height + 2.0 * pad);
        padded.place(frag, 0.0, pad);
        frag = padded;
        if self.prev == Prev::Heading {
            // Right under its heading a table or figure is the heading's content: it
            // stays in place, so the heading moves with it rather than being left alone.
            self.out.items.push(VItem::Box {
                height: frag.height,
                footnotes,
                kind: BoxKind::Block,
                payload: frag,
            });
            self.keep = 0;
            self.prev = Prev::Other;
            self.pending = 0.0;
            return;
        }
        self.out.items.push(VItem::Float {
            kind,
            height: frag.height,
            footnotes,
            payload: frag,
        });
        if self.prev == Prev::Start {
            self.prev = Prev::Other;
        }
    }

    fn caption(&mut self, cap: &Caption, env: &Env, source: Option<&Source>) -> Vec<LineBox> {
        let mut content = Vec::new();
        if let Some(l) = &cap.label {
            content.push(Inline::Strong(vec![Inline::text(format!("{l}\u{2002}"))]));
        }
        content.extend(cap.text.iter().cloned());
        let spec = ParSpec {
            look: self.ctx.style.caption.clone(),
            align: Align::Left,
            measure: self.width,
            left: env.left,
            right: env.right,
            indent: 0.0,
            label: None,
            lang: self.ctx.style.lang,
            hyphenate: true,
            source: source.cloned(),
        };
        set_paragraph(self.ctx, &content, &spec)
    }

    fn figure(&mut self, f: &Figure, env: &Env, notes: &mut Vec<usize>) -> Frag {
        let measure = self.width - env.left - env.right;
        let max_h = self.ctx.style.text_height() * FIGURE_MAX_HEIGHT;
        let mut frag = Frag::new(0.0);
        // A raster image by its pixels; an SVG drawing by its own size, with no
        // resolution to check.
        let size = match image::dimensions(&f.image) {
            Some((pw, ph)) => Some((f64::from(pw), f64::from(ph), true)),
            None => image::svg_size(&f.image).map(|(w, h)| (w, h, false)),
        };
        let (x, w, h) = match size {
            Some((pw, ph, raster)) => {
                let mut w = match f.width_pt {
                    Some(pt) => pt.clamp(1.0, measure),
                    None => measure * f.width.unwrap_or(1.0).clamp(0.05, 1.0),
                };
                let mut h = w * ph / pw;
                if h > max_h {
                    w *= max_h / h;
                    h = max_h;
                }
                let ppi = pw / (w / 72.0);
                if raster && ppi < MIN_PPI {
                    self.ctx.warn(
                        WarningKind::BadImage,
                        f.source.as_ref(),
                        format!("figure image has {ppi:.0} ppi at its printed size; {MIN_PPI:.0} or more prints sharply"),
                    );
                }
                let idx = self.ctx.images.len();
                self.ctx.images.push(f.image.clone());
                let x = env.left + (measure - w) / 2.0;
                frag.push(Item::Image(ImageBox {
                    image: idx,
                    x,
                    y: 0.0,
                    width: w,
                    height: h,
                }));
                (x, w, h)
            }
            None => {
                self.ctx.warn(
                    WarningKind::BadImage,
                    f.source.as_ref(),
                    "figure image is not a readable PNG, JPEG or SVG",
                );
                let w = measure * 0.5;
                let h = w * 0.6;
                let x = env.left + (measure - w) / 2.0;
                for (x0, y0, x1, y1) in [
                    (x, 0.0, x + w, 0.0),
                    (x + w, 0.0, x + w, h),
                    (x + w, h, x, h),
                    (x, h, x, 0.0),
                ] {
                    frag.push(Item::Rule(Rule {
                        x0,
                        y0,
                        x1,
                        y1,
                        thickness: 0.5,
                        color: self.ctx.style.rule_color,
                    }));
                }
                (x, w, h)
            }
        };
        // The caption hangs under the image, aligned with its left edge, unless the
        // image is so narrow that the caption would become a column of short lines.
        let cap_env = if w >= measure * 0.5 {
            Env {
                left: x,
                right: self.width - x - w,
                ..env.clone()
            }
        } else {
            env.clone()
        };
        if let Some(a) = &f.anchor {
            frag.anchors.push((a.clone(), env.left, 0.0));
        }
        let mut y = h;
        if let Some(cap) = &f.caption {
            y += self.ctx.style.caption.leading * 0.5;
            for line in self.caption(cap, &cap_env, f.source.as_ref()) {
                notes.extend(line.footnotes.iter().copied());
                let h = line.frag.height;
                frag.place(line.frag, 0.0, y);
                y += h;
            }
        }
        frag.height = y;
        frag
    }

    /// A table that fits on a page is a float; a longer one is set in the text and
    /// breaks between its rows.
    fn table(&mut self, t: &Table, env: &Env) {
        let mut notes = Vec::new();
        let measure = self.width - env.left - env.right;
        let ncols = column_count(t);
        let mut frag = Frag::new(0.0);
        if let Some(a) = &t.anchor {
            frag.anchors.push((a.clone(), env.left, 0.0));
        }
        let y = self.table_caption(t, env, &mut frag, &mut notes);
        if ncols == 0 {
            frag.height = y;
            self.float(frag, notes, FloatKind::Table);
            return;
        }
        let rows = table_rows(t);
        let cols = self.fit_columns(t, &rows, ncols, env.left, measure);
        let set_rows = self.set_rows(t, &rows, &cols);
        let set = SetTable {
            row_gap: row_gap(&set_rows, &cols.look),
            rows: set_rows,
            rule: TableRule {
                x0: env.left,
                x1: env.left + measure,
                color: self.ctx.style.rule_color,
            },
            cols,
        };
        let pad = self.ctx.style.body.leading * FLOAT_PAD_LINES;
        if set.height(y) + 2.0 * pad <= self.ctx.style.text_height() {
            let frag = set.place_whole(frag, y, &mut notes);
            self.float(frag, notes, FloatKind::Table);
        } else {
            self.long_table(t, env, set, frag, y, notes);
        }
    }

    /// A table longer than a page, in the text: caption, header and the first row stay
    /// together; the page may break between rows (not after the first or before the
    /// last, as with a paragraph's lines), and each later part repeats the header under
    /// a continuation mark. A row taller than a page breaks between its lines.
    fn long_table(
        &mut self,
        t: &Table,
        env: &Env,
        set: SetTable,
        mut first: Frag,
        y: f64,
        mut notes: Vec<usize>,
    ) {
        let pad = self.ctx.style.body.leading * FLOAT_PAD_LINES;
        let SetTable {
            cols,
            rows,
            row_gap,
            rule,
        } = set;
        let mut rows = rows.into_iter().peekable();
        let header = match rows.next_if(|r| r.head) {
            Some(row) => head_block(row, &cols.xs, &rule, &mut notes),
            None => Frag::new(0.0),
        };
        let mut y = y;
        rule.draw(&mut first, y, RULE_HEAVY);
        y += RULE_HEAVY + RULE_SEP;
        let header_height = header.height;
        first.place(header.clone(), 0.0, y);
        first.height = y + header_height;
        let head = self.continuation_head(t, env, header, &rule);

        self.open(pad, 0.0);
        self.keep = 0;
        let id = self.out.frames.len();
        let reopen = head.height;
        self.out
            .frames
            .push(FrameStyle::Table(TableFrame { head, rule }));
        let close = RULE_SEP - 1.0 + RULE_HEAVY;
        self.out.items.push(VItem::FrameStart {
            id,
            pad_top: 0.0,
            pad_bottom: close,
            reopen,
        });
        self.out.items.push(VItem::Box {
            height: first.height,
            footnotes: notes,
            kind: BoxKind::Block,
            payload: first,
        });
        let body: Vec<SetRow> = rows.collect();
        let n = body.len();
        let room = self.ctx.style.text_height() - reopen - close;
        for (ri, row) in body.into_iter().enumerate() {
            if ri > 0 {
                if breakable_after_line(ri - 1, n) {
                    self.out.items.push(VItem::Penalty(0.0));
                }
                self.out.items.push(VItem::Glue {
                    height: row_gap,
                    stretch: 0.0,
                    shrink: 0.0,
                    fill: false,
                });
            }
            self.push_row(row, &cols.xs, room);
        }
        self.out.items.push(VItem::FrameEnd);
        self.prev = Prev::Other;
        self.pending = pad;
    }

    /// A body row as one box, or, when it is taller than `room`, as one box per line
    /// (line k of every cell side by side) with breaks allowed between them.
    fn push_row(&mut self, row: SetRow, xs: &[f64], room: f64) {
        if row.height <= room {
            let mut frag = Frag::new(row.height);
            let mut notes = Vec::new();
            place_row(&mut frag, row, xs, 0.0, &mut notes);
            self.out.items.push(VItem::Box {
                height: frag.height,
                footnotes: notes,
                kind: BoxKind::Block,
                payload: frag,
            });
            return;
        }
        let slices = row_slices(row, xs);
        let n = slices.len();
        for (k, (frag, notes)) in slices.into_iter().enumerate() {
            if k > 0 && breakable_after_line(k - 1, n) {
                self.out.items.push(VItem::Penalty(0.0));
            }
            self.out.items.push(VItem::Box {
                height: frag.height,
                footnotes: notes,
                kind: BoxKind::Block,
                payload: frag,
            });
        }
    }

    /// What each later part of a long table starts with: the continuation mark
    /// ("Tabel 1.2 (vervolg)") when the flow gives one, the top rule and the header.
    fn continuation_head(&mut self, t: &Table, env: &Env, header: Frag, rule: &TableRule) -> Frag {
        let mut frag = Frag::new(0.0);
        let mut y = 0.0;
        if let Some(mark) = &t.continued {
            let cap = Caption {
                label: t.caption.as_ref().and_then(|c| c.label.clone()),
                text: vec![Inline::text(mark.clone())],
            };
            for line in self.caption(&cap, env, t.source.as_ref()) {
                let h = line.frag.height;
                frag.place(line.frag, 0.0, y);
                y += h;
            }
            y += RULE_SEP;
        }
        rule.draw(&mut frag, y, RULE_HEAVY);
        y += RULE_HEAVY + RULE_SEP;
        let h = header.height;
        frag.place(header, 0.0, y);
        frag.height = y + h;
        frag
    }

    /// The column widths at the table size, or at the tight size when they do not fit;
    /// a table that fits at neither is an error (it is still set, squeezed, so that the
    /// rest of the chapter can be checked).
    fn fit_columns(
        &mut self,
        t: &Table,
        rows: &[(&Vec<Vec<Inline>>, bool)],
        ncols: usize,
        left: f64,
        measure: f64,
    ) -> Columns {
        let style = self.ctx.style;
        let mut last = None;
        for look in [&style.small, &style.table_tight] {
            let head_look = look.clone().bold();
            let gap = COLUMN_GAP_EM * look.size;
            let avail = measure - gap * (ncols as f64 - 1.0);
            let mut extents = self.column_extents(rows, ncols, look, &head_look, avail);
            // Long words kept to a fair share of the width if that fits, else hyphenated.
            let widths = distribute_widths(&extents, avail).or_else(|| {
                extents = extents.hyphenated();
                distribute_widths(&extents, avail)
            });
            if let Some(widths) = widths {
                return Columns {
                    xs: column_positions(&widths, left, gap),
                    widths,
                    look: look.clone(),
                    head_look,
                };
            }
            last = Some((look, head_look, gap, avail, extents));
        }
        let (look, head_look, gap, avail, extents) = last.expect("two sizes were tried");
        self.ctx.warn(
            WarningKind::TableTooWide,
            t.source.as_ref(),
            format!(
                "this table's {ncols} columns do not fit the text width even at {} pt \
                 (they need {:.0} pt, there is {:.0} pt); split the table or shorten its \
                 longest words",
                look.size,
                extents.min.iter().sum::<f64>() + gap * (ncols as f64 - 1.0),
                avail + gap * (ncols as f64 - 1.0),
            ),
        );
        let total_min: f64 = extents.min.iter().sum();
        let widths: Vec<f64> = extents
            .min
            .iter()
            .map(|m| avail * m / total_min.max(1e-9))
            .collect();
        Columns {
            xs: column_positions(&widths, left, gap),
            widths,
            look: look.clone(),
            head_look,
        }
    }

    /// Sets a table's caption at the top of `frag`; returns the height it takes.
    fn table_caption(
        &mut self,
        t: &Table,
        env: &Env,
        frag: &mut Frag,
        notes: &mut Vec<usize>,
    ) -> f64 {
        let mut y = 0.0;
        if let Some(cap) = &t.caption {
            for line in self.caption(cap, env, t.source.as_ref()) {
                notes.extend(line.footnotes.iter().copied());
                let h = line.frag.height;
                frag.place(line.frag, 0.0, y);
                y += h;
            }
            y += RULE_SEP;
        }
        y
    }

    /// Natural (one-line) and minimal widths of the columns, from the cell contents.
    /// The minimum is the widest word (or part between explicit hyphens); only a long
    /// word (wider than a fair share of `avail` and than [`LONG_WORD_EM`]) may be
    /// hyphenated, down to its widest piece but not below that length.
    fn column_extents(
        &mut self,
        rows: &[(&Vec<Vec<Inline>>, bool)],
        ncols: usize,
        look: &Look,
        head_look: &Look,
        avail: f64,
    ) -> ColumnExtents {
        let long = (avail / ncols as f64).max(LONG_WORD_EM * look.size);
        let mut nat = vec![0.0f64; ncols];
        let mut min = vec![0.0f64; ncols];
        let mut hard = vec![0.0f64; ncols];
        for (row, head) in rows {
            let lk = if *head { head_look } else { look };
            for (j, cell) in row.iter().enumerate().take(ncols) {
                let text = plain_text(cell);
                nat[j] = nat[j].max(self.ctx.text_width(&text, lk));
                for word in text.split_whitespace() {
                    let whole = self.widest_piece(word, lk, false);
                    let (least, piece) = if whole <= long {
                        (whole, whole)
                    } else {
                        let piece = self.widest_piece(word, lk, true);
                        (piece.max(long), piece)
                    };
                    min[j] = min[j].max(least);
                    hard[j] = hard[j].max(piece);
                }
            }
        }
        ColumnExtents { nat, min, hard }
    }

    /// The widest piece a word can be broken into, its hyphen included: at explicit
    /// hyphens and slashes only, or with `patterns` at hyphenation points too.
    fn widest_piece(&mut self, word: &str, look: &Look, patterns: bool) -> f64 {
        let lang = self.ctx.style.lang;
        let analysed = self.ctx.hyphenator.analyse(word, lang, patterns);
        if analysed.breaks.is_empty() {
            return self.ctx.text_width(word, look);
        }
        let text = analysed.text.clone();
        let mut widest = 0.0f64;
        let mut from = 0;
        let ends = analysed
            .breaks
            .iter()
            .map(|b| (b.offset, b.kind == BreakKind::Hyphen))
            .chain(std::iter::once((text.len(), false)));
        for (to, hyphen) in ends {
            let piece = &text[from..to];
            let w = if hyphen {
                self.ctx.text_width(&format!("{piece}-"), look)
            } else {
                self.ctx.text_width(piece, look)
            };
            widest = widest.max(w);
            from = to;
        }
        widest
    }

    /// The widest piece of a cell that only hyphenation could break.
    fn widest_word(&mut self, cell: &[Inline], look: &Look) -> f64 {
        plain_text(cell)
            .split_whitespace()
            .map(|w| self.widest_piece(w, look, false))
            .fold(0.0, f64::max)
    }

    /// Sets every cell in its column; whether any row wraps decides the space between
    /// rows, so all are set before any is placed. A cell is hyphenated only when one of
    /// its words is wider than its column.
    fn set_rows(
        &mut self,
        t: &Table,
        rows: &[(&Vec<Vec<Inline>>, bool)],
        cols: &Columns,
    ) -> Vec<SetRow> {
        let ncols = cols.widths.len();
        let align = |j: usize| t.columns.get(j).copied().unwrap_or(Align::Left);
        let mut set_rows = Vec::with_capacity(rows.len());
        for (row, head) in rows {
            let lk = if *head { &cols.head_look } else { &cols.look };
            let mut row_h: f64 = lk.leading;
            let mut cells = Vec::new();
            for (j, cell) in row.iter().enumerate().take(ncols) {
                let a = match align(j) {
                    Align::Justify => Align::Left,
                    a => a,
                };
                let hyphenate = self.widest_word(cell, lk) > cols.widths[j];
                let spec = ParSpec {
                    look: lk.clone(),
                    align: a,
                    measure: cols.widths[j],
                    left: 0.0,
                    right: 0.0,
                    indent: 0.0,
                    label: None,
                    lang: self.ctx.style.lang,
                    hyphenate,
                    source: t.source.clone(),
                };
                let lines = set_paragraph(self.ctx, cell, &spec);
                row_h = row_h.max(lines.len() as f64 * lk.leading);
                cells.push((j, lines));
            }
            set_rows.push(SetRow {
                head: *head,
                height: row_h,
                leading: lk.leading,
                cells,
            });
        }
        set_rows
    }

    /// The chapter opening: sunk number, title and author.
    fn opening(&mut self, o: &Opening, chapter: usize) {
        let style = self.ctx.style;
        let width = self.width;
        let mut frag = Frag::new(0.0);
        let anchor = o
            .anchor
            .clone()
            .unwrap_or_else(|| crate::typeset::collect::chapter_anchor(chapter));
        frag.anchors.push((anchor, 0.0, 0.0));
        let mut y = style.chapter_sink;
        if let Some(n) = &o.number {
            let look = &style.chapter_number;
            let baseline = y + look.leading * BASELINE_RATIO;
            let (runs, _) = set_plain(self.ctx, n, look, 0.0, baseline);
            for r in runs {
                frag.push(Item::Glyphs(r));
            }
            frag.lines.push(crate::typeset::document::TextLine {
                x: 0.0,
                y: baseline,
                text: n.clone(),
            });
            y += look.leading + look.size * 0.25;
        }
        let hs = &style.headings[0];
        let spec = ParSpec {
            look: hs.look.clone(),
            align: Align::Left,
            measure: width,
            left: 0.0,
            right: width * 0.15,
            indent: 0.0,
            label: None,
            lang: style.lang,
            hyphenate: false,
            source: None,
        };
        let mut notes = Vec::new();
        for line in set_paragraph(self.ctx, &o.title, &spec) {
            notes.extend(line.footnotes.iter().copied());
            let h = line.frag.height;
            frag.place(line.frag, 0.0, y);
            y += h;
        }
        if let Some(author) = &o.author {
            let look = &style.chapter_author;
            y += look.leading * 0.5;
            let baseline = y + look.leading * BASELINE_RATIO;
            let (runs, _) = set_plain(self.ctx, author, look, 0.0, baseline);
            for r in runs {
                frag.push(Item::Glyphs(r));
            }
            frag.lines.push(crate::typeset::document::TextLine {
                x: 0.0,
                y: baseline,
                text: author.clone(),
            });
            y += look.leading;
        }
        y += hs.space_after;
        // Round up to whole body lines so the text below sits on the grid.
        let lead = style.body.leading;
        frag.height = (y / lead).ceil() * lead;
        self.out.items.push(VItem::Box {
            height: frag.height,
            footnotes: notes,
            kind: BoxKind::Block,
            payload: frag,
        });
        self.prev = Prev::Start;
        self.pending = 0.0;
    }

    /// Lays out footnote bodies: the lines of each footnote with its marker hung in front.
    pub fn footnote_bodies(&mut self) -> Vec<Vec<Frag>> {
        let style = self.ctx.style;
        let look = style.footnote.clone();
        let hang = look.size * 1.6;
        let mut out = Vec::new();
        self.ctx.in_footnote = true;
        let mut i = 0;
        while i < self.ctx.footnotes.len() {
            let f = self.ctx.footnotes[i].clone();
            self.ctx.place = Some(Place::Footnote(i));
            let env = Env {
                left: hang,
                right: 0.0,
                look: look.clone(),
                list_depth: 1,
            };
            let saved = (std::mem::take(&mut self.out), self.prev, self.pending);
            self.prev = Prev::Start;
            let mut first = true;
            for b in &f.content {
                match b {
                    Block::Paragraph(p) if first => {
                        let mut p = p.clone();
                        p.indent = Some(false);
                        if p.source.is_none() {
                            p.source = f.source.clone();
                        }
                        let label = Label {
                            text: f.marker.clone(),
                            look: look.clone(),
                            x: 0.0,
                            rise: 0.0,
                        };
                        self.paragraph(&p, &env, Some(label));
                    }
                    other => self.block(other, &env),
                }
                first = false;
            }
            if first {
                // An empty footnote still shows its marker.
                let p = Paragraph::new(vec![Inline::text("\u{A0}")]);
                let label = Label {
                    text: f.marker.clone(),
                    look: look.clone(),
                    x: 0.0,
                    rise: 0.0,
                };
                self.paragraph(&p, &env, Some(label));
            }
            let body = std::mem::take(&mut self.out);
            (self.out, self.prev, self.pending) = saved;
            let mut lines: Vec<Frag> = body
                .items
                .into_iter()
                .filter_map(|it| match it {
                    VItem::Box { payload, .. } | VItem::Float { payload, .. } => Some(payload),
                    _ => None,
                })
                .collect();
            if let Some(first) = lines.first_mut() {
                first.anchors.push((f.anchor.clone(), 0.0, 0.0));
            }
            out.push(lines);
            i += 1;
        }
        self.ctx.in_footnote = false;
        self.ctx.place = None;
        out
    }
}

/// Fewest columns a code line is set in, however narrow the measure.
const MIN_CODE_COLUMNS: usize = 16;
/// How much further in than its line a continued piece of code starts, in columns: room
/// for the continuation mark.
const CODE_HANG_COLUMNS: usize = 2;
/// The continuation mark of wrapped code: a light grey, so that it reads as the
/// typesetter's and not as part of the code.
const CONTINUATION_GREY: Cmyk = Cmyk::new(0.0, 0.0, 0.0, 0.45);

/// Where a code line of `chars` is cut into pieces: the first at most `first` columns
/// wide, the others at most `rest`. Each piece ends at the last break opportunity that
/// fits (after a space or a run of spaces, after `,` `;` `(` `)` `[` `]` `{` `}` `/`
/// `.` `::` or `->`), and only a piece without one is cut inside a token, at the full
/// width. Returns (from, to) character ranges that together are the whole line.
pub(crate) fn code_pieces(chars: &[char], first: usize, rest: usize) -> Vec<(usize, usize)> {
    let (first, rest) = (first.max(1), rest.max(1));
    let mut out = Vec::new();
    let mut from = 0;
    loop {
        let width = if out.is_empty() { first } else { rest };
        if chars.len() - from <= width {
            out.push((from, chars.len()));
            return out;
        }
        let limit = from + width;
        let cut = (from + 1..=limit)
            .rev()
            .find(|&at| code_break_after(chars, at))
            .unwrap_or(limit);
        out.push((from, cut));
        from = cut;
    }
}

/// Whether a code line may break between `chars[at - 1]` and `chars[at]`.
fn code_break_after(chars: &[char], at: usize) -> bool {
    let (Some(&before), Some(&after)) = (chars.get(at.wrapping_sub(1)), chars.get(at)) else {
        return false;
    };
    match before {
        // After a whole run of spaces, so that no piece starts with one.
        ' ' => after != ' ',
        ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '/' => true,
        // After `::`, not between its colons; a `.` ends a member access or a path.
        ':' => at >= 2 && chars[at - 2] == ':' && after != ':',
        '.' => after != '.',
        '>' => at >= 2 && chars[at - 2] == '-',
        _ => false,
    }
}

/// The continuation mark in front of a wrapped piece of code starting at `x`: a small
/// hooked arrow (↪) drawn with rules, not a glyph, so that text extracted from the PDF
/// is the code alone.
fn continuation_mark(frag: &mut Frag, x: f64, baseline: f64, char_w: f64, size: f64) {
    let x1 = x - 0.35 * char_w;
    let x0 = x1 - 1.2 * char_w;
    let mid = baseline - 0.3 * size;
    let top = baseline - 0.65 * size;
    let head = 0.18 * size;
    let t = 0.45;
    let segments = [
        // The hook: down from the top, then right to the arrowhead.
        (x0, top, x0, mid + t / 2.0),
        (x0, mid, x1, mid),
        (x1, mid, x1 - head, mid - head),
        (x1, mid, x1 - head, mid + head),
    ];
    for (ax, ay, bx, by) in segments {
        frag.push(Item::Rule(Rule {
            x0: ax,
            y0: ay,
            x1: bx,
            y1: by,
            thickness: t,
            color: CONTINUATION_GREY,
        }));
    }
}

/// A table with its columns fitted and its rows set, not yet placed.
struct SetTable {
    cols: Columns,
    /// The header row (if any) first.
    rows: Vec<SetRow>,
    row_gap: f64,
    rule: TableRule,
}

impl SetTable {
    /// The height of the whole table placed under a caption of height `y`.
    fn height(&self, mut y: f64) -> f64 {
        y += RULE_HEAVY + RULE_SEP;
        let n = self.rows.len();
        for (ri, row) in self.rows.iter().enumerate() {
            y += row.height;
            if row.head {
                y += RULE_SEP - 1.0 + RULE_LIGHT + RULE_SEP;
            } else if ri + 1 < n {
                y += self.row_gap;
            }
        }
        y + RULE_SEP - 1.0 + RULE_HEAVY
    }

    /// The whole table as one frag, under the caption already in `frag` (of height `y`).
    fn place_whole(self, mut frag: Frag, mut y: f64, notes: &mut Vec<usize>) -> Frag {
        let rule = self.rule;
        rule.draw(&mut frag, y, RULE_HEAVY);
        y += RULE_HEAVY + RULE_SEP;
        let n = self.rows.len();
        for (ri, row) in self.rows.into_iter().enumerate() {
            let head = row.head;
            y = place_row(&mut frag, row, &self.cols.xs, y, notes);
            if head {
                y += RULE_SEP - 1.0;
                rule.draw(&mut frag, y, RULE_LIGHT);
                y += RULE_LIGHT + RULE_SEP;
            } else if ri + 1 < n {
                y += self.row_gap;
            }
        }
        y += RULE_SEP - 1.0;
        rule.draw(&mut frag, y, RULE_HEAVY);
        y += RULE_HEAVY;
        frag.height = y;
        frag
    }
}

/// The header row with the light rule under it, from y = 0.
fn head_block(row: SetRow, xs: &[f64], rule: &TableRule, notes: &mut Vec<usize>) -> Frag {
    let mut frag = Frag::new(0.0);
    let mut y = place_row(&mut frag, row, xs, 0.0, notes);
    y += RULE_SEP - 1.0;
    rule.draw(&mut frag, y, RULE_LIGHT);
    frag.height = y + RULE_LIGHT + RULE_SEP;
    frag
}

/// A row cut into its lines: slice k holds line k of every cell, with the footnotes
/// referenced there.
fn row_slices(row: SetRow, xs: &[f64]) -> Vec<(Frag, Vec<usize>)> {
    let n = row
        .cells
        .iter()
        .map(|(_, lines)| lines.len())
        .max()
        .unwrap_or(0);
    let mut slices: Vec<(Frag, Vec<usize>)> =
        (0..n).map(|_| (Frag::new(0.0), Vec::new())).collect();
    for (j, lines) in row.cells {
        for (k, l) in lines.into_iter().enumerate() {
            let (frag, notes) = &mut slices[k];
            notes.extend(l.footnotes.iter().copied());
            frag.height = frag.height.max(l.frag.height);
            frag.place(l.frag, xs[j], 0.0);
        }
    }
    slices
}

/// A table row with its cells set: (column, lines) for each cell.
struct SetRow {
    head: bool,
    height: f64,
    leading: f64,
    cells: Vec<(usize, Vec<LineBox>)>,
}

/// A horizontal rule across a table.
#[derive(Clone, Debug)]
pub(crate) struct TableRule {
    x0: f64,
    x1: f64,
    color: Cmyk,
}

impl TableRule {
    /// The heavy rule that closes a table (or a part of it) whose last row ends at `y`.
    pub(crate) fn close(&self, frag: &mut Frag, y: f64) {
        self.draw(frag, y + RULE_SEP - 1.0, RULE_HEAVY);
    }

    fn draw(&self, frag: &mut Frag, y: f64, t: f64) {
        frag.push(Item::Rule(Rule {
            x0: self.x0,
            y0: y + t / 2.0,
            x1: self.x1,
            y1: y + t / 2.0,
            thickness: t,
            color: self.color,
        }));
    }
}

/// The widest of the alignment row, the header and the body rows.
fn column_count(t: &Table) -> usize {
    t.columns
        .len()
        .max(t.header.len())
        .max(t.rows.iter().map(|r| r.len()).max().unwrap_or(0))
}

/// The header (when there is one) and the body rows, each with whether it is the header.
fn table_rows(t: &Table) -> Vec<(&Vec<Vec<Inline>>, bool)> {
    std::iter::once((&t.header, true))
        .filter(|(h, _)| !h.is_empty())
        .chain(t.rows.iter().map(|r| (r, false)))
        .collect()
}

/// Natural and minimal widths of a table's columns.
struct ColumnExtents {
    nat: Vec<f64>,
    min: Vec<f64>,
    /// The minimum with every word hyphenated where its language allows: what a column
    /// must have when [`ColumnExtents::min`] (which keeps long words to a fair share of the
    /// width) asks for more than the text width.
    hard: Vec<f64>,
}

impl ColumnExtents {
    /// The same columns with every long word hyphenated down to its widest piece.
    fn hyphenated(&self) -> ColumnExtents {
        ColumnExtents {
            nat: self.nat.clone(),
            min: self.hard.clone(),
            hard: self.hard.clone(),
        }
    }
}

/// The columns of a table as they are set: type size, widths and left edges.
struct Columns {
    look: Look,
    head_look: Look,
    widths: Vec<f64>,
    xs: Vec<f64>,
}

/// A word up to this many em is never hyphenated to make a table fit: breaking short
/// words in narrow columns ("toegan-kelijk") reads worse than a smaller type size.
const LONG_WORD_EM: f64 = 8.0;

/// Added to a width that must hold a word exactly, so that rounding never makes the
/// word overfull (a hundredth of a point cannot be seen).
const WIDTH_SLACK: f64 = 0.01;

/// Column widths that fill `avail`, or `None` when the minimal widths do not fit.
///
/// A table that fits on one line per cell spreads the spare width in proportion. One
/// that does not works as LaTeX's tabularx and CSS's automatic layout do: a column whose
/// natural width is within a fair share of the room keeps it (short words are never
/// broken), and the long-text columns share the rest in proportion to their natural
/// widths, none below its minimum.
fn distribute_widths(ext: &ColumnExtents, avail: f64) -> Option<Vec<f64>> {
    let (nat, min) = (&ext.nat, &ext.min);
    let ncols = nat.len();
    let total_nat: f64 = nat.iter().sum();
    if total_nat <= avail {
        // Spread the spare width in proportion, so the table spans the text width.
        let spare = avail - total_nat;
        return Some(
            nat.iter()
                .map(|w| {
                    w + spare
                        * if total_nat > 0.0 {
                            w / total_nat
                        } else {
                            1.0 / ncols as f64
                        }
                })
                .collect(),
        );
    }
    let total_min: f64 = min.iter().map(|m| m + WIDTH_SLACK).sum();
    if total_min > avail {
        return None;
    }
    let mut fixed: Vec<Option<f64>> = vec![None; ncols];
    keep_narrow_columns(nat, avail, &mut fixed);
    share_the_rest(nat, min, avail, &mut fixed);
    let widths: Vec<f64> = fixed.iter().map(|w| w.unwrap_or(0.0)).collect();
    if widths.iter().sum::<f64>() <= avail + 1e-6 {
        return Some(widths);
    }
    // Keeping the narrow columns whole starved a long word elsewhere: every column gets
    // its minimum and the rest in proportion to what it lacks of its natural width.
    let flex: f64 = nat.iter().zip(min).map(|(n, m)| n - m).sum();
    Some(
        nat.iter()
            .zip(min)
            .map(|(n, m)| m + WIDTH_SLACK + (avail - total_min) * (n - m) / flex.max(1e-9))
            .collect(),
    )
}

/// Fixes every column whose natural width fits a fair share of the room left by the
/// columns fixed before it; repeats until no more fit.
fn keep_narrow_columns(nat: &[f64], avail: f64, fixed: &mut [Option<f64>]) {
    loop {
        let used: f64 = fixed.iter().flatten().sum();
        let open = fixed.iter().filter(|w| w.is_none()).count();
        if open == 0 {
            return;
        }
        let share = (avail - used) / open as f64;
        let mut changed = false;
        for (j, w) in fixed.iter_mut().enumerate() {
            if w.is_none() && nat[j] + WIDTH_SLACK <= share {
                *w = Some(nat[j] + WIDTH_SLACK);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Shares the room left among the open columns in proportion to their natural widths;
/// a column that would get less than its minimum gets its minimum, and the rest is
/// shared again.
fn share_the_rest(nat: &[f64], min: &[f64], avail: f64, fixed: &mut [Option<f64>]) {
    loop {
        let room = avail - fixed.iter().flatten().sum::<f64>();
        let total: f64 = fixed
            .iter()
            .zip(nat)
            .filter(|(w, _)| w.is_none())
            .map(|(_, n)| n)
            .sum();
        if total <= 0.0 {
            for w in fixed.iter_mut().filter(|w| w.is_none()) {
                *w = Some(0.0);
            }
            return;
        }
        let mut changed = false;
        for (j, w) in fixed.iter_mut().enumerate() {
            if w.is_none() && room * nat[j] / total < min[j] + WIDTH_SLACK {
                *w = Some(min[j] + WIDTH_SLACK);
                changed = true;
            }
        }
        if !changed {
            for (j, w) in fixed.iter_mut().enumerate() {
                if w.is_none() {
                    *w = Some(room * nat[j] / total);
                }
            }
            return;
        }
    }
}

/// The left edge of each column.
fn column_positions(widths: &[f64], left: f64, gap: f64) -> Vec<f64> {
    widths
        .iter()
        .scan(left, |x, w| {
            let at = *x;
            *x += w + gap;
            Some(at)
        })
        .collect()
}

/// Space between body rows: more when any cell wraps.
fn row_gap(rows: &[SetRow], look: &Look) -> f64 {
    let wraps = rows.iter().any(|r| !r.head && r.height > r.leading + 0.01);
    if wraps {
        look.leading * ROW_GAP_WRAPPED
    } else {
        ROW_GAP
    }
}

/// Places a row's cells with their tops at `y`; returns the y below the row.
fn place_row(frag: &mut Frag, row: SetRow, xs: &[f64], y: f64, notes: &mut Vec<usize>) -> f64 {
    for (j, lines) in row.cells {
        let mut cy = y;
        for l in lines {
            notes.extend(l.footnotes.iter().copied());
            let h = l.frag.height;
            frag.place(l.frag, xs[j], cy);
            cy += h;
        }
    }
    y + row.height
}

/// Adds a filled rectangle behind everything else in a frag.
pub(crate) fn underlay(frag: &mut Frag, rect: FillRect) {
    frag.draws
        .insert(0, crate::typeset::frag::Draw::Item(Item::Rect(rect)));
}

/// A link over a whole frag (TOC entries).
pub(crate) fn link_all(frag: &mut Frag, x: f64, width: f64, anchor: &str) {
    frag.links.push(FragLink {
        x,
        y: 0.0,
        width,
        height: frag.height,
        target: crate::typeset::flow::Target::Anchor(anchor.to_string()),
    });
}

#[cfg(test)]
mod tests {
    use super::code_pieces;

    fn pieces(line: &str, first: usize, rest: usize) -> Vec<String> {
        let chars: Vec<char> = line.chars().collect();
        code_pieces(&chars, first, rest)
            .into_iter()
            .map(|(a, b)| chars[a..b].iter().collect())
            .collect()
    }

    #[test]
    fn code_breaks_after_spaces_and_punctuation() {
        let p = pieces("let total = compute(first_value, second_value);", 24, 20);
        assert_eq!(
            p,
            ["let total = compute(", "first_value, ", "second_value);"]
        );
        assert_eq!(p.concat().len(), 47);
        // `::` and `->` are kept whole and broken after.
        let p = pieces("std::collections::HashMap->into_iter", 20, 20);
        assert_eq!(p, ["std::collections::", "HashMap->into_iter"]);
        let p = pieces("fn f() -> Result<Vec<u8>, Error>", 10, 10);
        assert_eq!(p.concat(), "fn f() -> Result<Vec<u8>, Error>");
        assert!(p.iter().all(|s| s.chars().count() <= 10), "{p:?}");
    }

    #[test]
    fn a_token_without_breaks_is_cut_at_the_full_width() {
        let token = "a".repeat(50);
        let p = pieces(&token, 20, 16);
        assert_eq!(p, ["a".repeat(20), "a".repeat(16), "a".repeat(14)]);
        // A 200-character line comes out whole, in order.
        let long: String = (0..200)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        assert_eq!(pieces(&long, 60, 56).concat(), long);
        assert_eq!(pieces("", 10, 8), [""]);
    }
}
