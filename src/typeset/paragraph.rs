//! Setting one paragraph: inline content → shaped, hyphenated, justified lines.
//!
//! The steps, in order:
//! 1. *collect*: flatten nested inline styles into text pieces with a resolved style
//!    (face, size, colour, link, footnote);
//! 2. *words*: split into words and spaces; a word may span several styles;
//! 3. *items*: shape every word fragment once (cached), find its break points, and turn
//!    it into boxes and penalties whose widths come from the shaped glyphs;
//! 4. *break*: Knuth–Plass over the items (`linebreak`);
//! 5. *finalize*: for each line, reshape only the parts that a break changed ("co-",
//!    "ordinatie"), justify the spaces and emit positioned glyph runs.

use std::borrow::Cow;
use std::rc::Rc;

use crate::typeset::context::{Ctx, PendingFootnote};
use crate::typeset::document::{Glyph, GlyphRun, Item, TextLine};
use crate::typeset::flow::{Align, Cmyk, Family, Inline, Lang, Look, Source, Target};
use crate::typeset::fonts::FontId;
use crate::typeset::frag::{Frag, FragLink};
use crate::typeset::hyphenate::{self, BreakKind};
use crate::typeset::linebreak::{self, INFINITY, Item as Kp, Measure};
use crate::typeset::report::{Place, WarningKind};
use crate::typeset::shape::{Features, Shaped};

/// How far subscripts are lowered, in em of the surrounding text.
const SUBSCRIPT_DROP: f64 = 0.15;
/// An inline image without a width is as high as this share of the text's size (about the
/// height of a capital with its accents), and never higher than the text's size.
const INLINE_IMAGE_HEIGHT: f64 = 0.85;

/// Relative size of superscripts (footnote markers) and how far they are raised, in em
/// of the surrounding text. Close to the proportions of real superior figures.
const SUPERSCRIPT_SCALE: f64 = 0.65;
const SUPERSCRIPT_RISE: f64 = 0.36;
/// Inline code is set slightly smaller: the mono face has a large x-height.
const INLINE_CODE_SCALE: f64 = 0.9;
/// Word-space stretch and shrink as fractions of the space width: TeX's proportions for
/// Computer Modern (1/2 and 1/3 of the space)…
const SPACE_STRETCH: f64 = 0.5;
const SPACE_SHRINK: f64 = 1.0 / 3.0;
/// …but never less stretch than Computer Modern has in absolute terms (1/6 em). Noto
/// Serif's space is narrow (0.26 em against 0.33 em), and with half of it as stretch one
/// paragraph in seven needed the emergency pass, which concentrates the looseness in a
/// few very wide lines; with 1/6 em it is one in eleven, with half as many wide lines.
const MIN_STRETCH_EM: f64 = 1.0 / 6.0;

/// Stretch of the invisible glue that ragged lines end with, in em: more generous than
/// TeX's `\raggedright` (2 em), so that short ragged texts (headings, captions, cells)
/// find acceptable breaks without hyphens; the rag stays a preference, not a rule.
const RAGGED_STRETCH_EM: f64 = 3.0;
/// Where the baseline sits in a line box, as a fraction of the leading (a TeX strut:
/// 70% above the baseline, 30% below).
pub(crate) const BASELINE_RATIO: f64 = 0.7;
/// Overfull by less than this (pt) is invisible and not reported.
const OVERFULL_SLACK: f64 = 0.5;
/// Width of a narrow no-break space (U+202F) in em: the usual thin space (1/6 em) that
/// separates "z. d." or a number from its unit.
const NARROW_SPACE_EM: f64 = 0.17;

/// Stretch and shrink of a word space of `width` in text of `size`.
fn space_flex(width: f64, size: f64) -> (f64, f64) {
    (
        (width * SPACE_STRETCH).max(size * MIN_STRETCH_EM),
        width * SPACE_SHRINK,
    )
}

/// A label hung before the first line (list bullet, heading number, footnote marker).
#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub text: String,
    pub look: Look,
    /// Position of the label's left edge, relative to the paragraph's left edge.
    pub x: f64,
    /// Raise above the baseline (to centre a small bullet on the x-height).
    pub rise: f64,
}

/// How to set a paragraph.
#[derive(Clone, Debug)]
pub(crate) struct ParSpec {
    pub look: Look,
    pub align: Align,
    /// Width of the frag the lines are placed in.
    pub measure: f64,
    /// Left indent of every line.
    pub left: f64,
    /// Right indent of every line.
    pub right: f64,
    /// Additional indent of the first line.
    pub indent: f64,
    pub label: Option<Label>,
    pub lang: Lang,
    pub hyphenate: bool,
    pub source: Option<Source>,
}

#[cfg(test)]
impl ParSpec {
    pub fn new(look: Look, measure: f64) -> ParSpec {
        ParSpec {
            look,
            align: Align::Justify,
            measure,
            left: 0.0,
            right: 0.0,
            indent: 0.0,
            label: None,
            lang: Lang::Nl,
            hyphenate: true,
            source: None,
        }
    }
}

/// One set line.
#[derive(Clone, Debug)]
pub(crate) struct LineBox {
    /// Width = measure, height = leading; baseline at `BASELINE_RATIO · leading`.
    pub frag: Frag,
    /// Footnotes whose markers are on this line (indices into the chapter's footnotes).
    pub footnotes: Vec<usize>,
    /// Right edge of the text (for TOC leaders).
    pub content_end: f64,
}

/// A resolved inline style.
#[derive(Clone, Debug, PartialEq)]
struct RunStyle {
    font: FontId,
    size: f64,
    color: Cmyk,
    rise: f64,
    features: Features,
    link: Option<Target>,
    footnote: Option<usize>,
    hyphenate: bool,
    deco: Deco,
    /// A language of its own (a span in another language): its hyphenation patterns.
    lang: Option<Lang>,
}

/// Lines drawn with the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Deco {
    underline: bool,
    strike: bool,
}

impl Deco {
    fn any(self) -> bool {
        self.underline || self.strike
    }
}

/// A [`RunStyle`] as a hash key: its numbers by their bits (the same style is built from the
/// same numbers, so equal bits are exactly equal styles).
#[derive(PartialEq, Eq, Hash)]
struct StyleKey {
    font: FontId,
    numbers: [u64; 2],
    color: [u32; 4],
    small_caps: bool,
    link: Option<Target>,
    footnote: Option<usize>,
    hyphenate: bool,
    deco: Deco,
    lang: Option<Lang>,
}

impl StyleKey {
    fn of(s: &RunStyle) -> StyleKey {
        StyleKey {
            font: s.font,
            // `+ 0.0` makes -0.0 and 0.0, which compare equal, one key.
            numbers: [s.size, s.rise].map(|x| (x + 0.0).to_bits()),
            color: [s.color.c, s.color.m, s.color.y, s.color.k].map(|x| (x + 0.0).to_bits()),
            small_caps: s.features.small_caps,
            link: s.link.clone(),
            footnote: s.footnote,
            hyphenate: s.hyphenate,
            deco: s.deco,
            lang: s.lang,
        }
    }
}

/// The nested style while walking inlines.
#[derive(Clone, Debug)]
struct Walk {
    family: Family,
    bold: bool,
    italic: bool,
    small_caps: bool,
    size: f64,
    rise: f64,
    color: Cmyk,
    link: Option<Target>,
    hyphenate: bool,
    deco: Deco,
    lang: Option<Lang>,
}

#[derive(Clone, Debug)]
enum Piece {
    Text(String, usize),
    /// An inline image: an index into the collector's objects, in a style (for its link).
    Object(usize, usize),
    Anchor(String),
    Break,
}

/// Flattens inlines into pieces with resolved styles.
struct Collector<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    styles: Vec<RunStyle>,
    /// Where each style is in `styles`: a paragraph of many footnotes has as many styles, and
    /// a search through the list for each run would make it quadratic.
    style_index: rustc_hash::FxHashMap<StyleKey, usize>,
    pieces: Vec<Piece>,
    /// Inline images, by [`Piece::Object`] index.
    objects: Vec<Object>,
    source: Option<Source>,
}

/// An image in a line: its index among the document's images and its size in pt.
#[derive(Clone, Copy, Debug)]
struct Object {
    image: usize,
    width: f64,
    height: f64,
}

impl Collector<'_, '_> {
    fn style(&mut self, w: &Walk, footnote: Option<usize>) -> usize {
        let font = self.ctx.fonts.select(w.family, w.bold, w.italic);
        let st = RunStyle {
            font,
            size: w.size,
            color: w.color,
            rise: w.rise,
            features: Features {
                small_caps: w.small_caps,
            },
            link: w.link.clone(),
            footnote,
            hyphenate: w.hyphenate,
            deco: w.deco,
            lang: w.lang,
        };
        let key = StyleKey::of(&st);
        if let Some(&i) = self.style_index.get(&key) {
            return i;
        }
        self.styles.push(st);
        self.style_index.insert(key, self.styles.len() - 1);
        self.styles.len() - 1
    }

    /// An image in the line, scaled to the text: its width as given, its height at most the
    /// text's size (taller would run into the line above).
    fn object(&mut self, img: &crate::typeset::flow::InlineImage, w: &Walk) {
        let Some((pw, ph)) = crate::typeset::image::dimensions(&img.image) else {
            let src = self.source.clone();
            self.ctx.warn(
                WarningKind::BadImage,
                src.as_ref(),
                "an image in the text is not a readable PNG or JPEG",
            );
            return;
        };
        let aspect = pw as f64 / ph.max(1) as f64;
        let mut height = w.size * INLINE_IMAGE_HEIGHT;
        let mut width = height * aspect;
        if let Some(given) = img.width {
            width = given;
            height = given / aspect;
        }
        if height > w.size {
            let src = self.source.clone();
            self.ctx.warn(
                WarningKind::OversizedBlock,
                src.as_ref(),
                "an image in the text is taller than the line; it is set as high as the text (make it a figure to show it larger)",
            );
            height = w.size;
            width = height * aspect;
        }
        let image = self.ctx.images.len();
        self.ctx.images.push(img.image.clone());
        self.objects.push(Object {
            image,
            width,
            height,
        });
        let style = self.style(w, None);
        self.pieces
            .push(Piece::Object(self.objects.len() - 1, style));
    }

    fn walk(&mut self, inlines: &[Inline], w: &Walk) {
        for inline in inlines {
            match inline {
                Inline::Text(t) => {
                    let s = self.style(w, None);
                    self.pieces.push(Piece::Text(t.clone(), s));
                }
                Inline::Emph(c) => {
                    let mut w2 = w.clone();
                    w2.italic = !w.italic;
                    self.walk(c, &w2);
                }
                Inline::Strong(c) => {
                    let mut w2 = w.clone();
                    w2.bold = true;
                    self.walk(c, &w2);
                }
                Inline::SmallCaps(c) => {
                    let mut w2 = w.clone();
                    w2.small_caps = true;
                    self.walk(c, &w2);
                }
                Inline::Superscript(c) => {
                    let mut w2 = w.clone();
                    w2.rise += w.size * SUPERSCRIPT_RISE;
                    w2.size *= SUPERSCRIPT_SCALE;
                    w2.hyphenate = false;
                    self.walk(c, &w2);
                }
                Inline::Subscript(c) => {
                    let mut w2 = w.clone();
                    w2.rise -= w.size * SUBSCRIPT_DROP;
                    w2.size *= SUPERSCRIPT_SCALE;
                    w2.hyphenate = false;
                    self.walk(c, &w2);
                }
                Inline::Underline(c) => {
                    let mut w2 = w.clone();
                    w2.deco.underline = true;
                    self.walk(c, &w2);
                }
                Inline::Strike(c) => {
                    let mut w2 = w.clone();
                    w2.deco.strike = true;
                    self.walk(c, &w2);
                }
                Inline::Lang(lang, c) => {
                    let mut w2 = w.clone();
                    match lang {
                        Some(l) => w2.lang = Some(*l),
                        // No patterns for the language: better unbroken than broken wrongly.
                        None => w2.hyphenate = false,
                    }
                    self.walk(c, &w2);
                }
                Inline::Image(img) => self.object(img, w),
                Inline::Code(t) => {
                    let mut w2 = w.clone();
                    w2.family = Family::Mono;
                    w2.bold = false;
                    w2.italic = false;
                    w2.size *= INLINE_CODE_SCALE;
                    w2.hyphenate = false;
                    let s = self.style(&w2, None);
                    self.pieces.push(Piece::Text(t.clone(), s));
                }
                Inline::Link { target, content } => {
                    if let Target::Anchor(a) = target
                        && !self.ctx.refs.anchors.contains(a)
                    {
                        let src = self.source.clone();
                        self.ctx.warn(
                            WarningKind::UnknownAnchor,
                            src.as_ref(),
                            format!("link to unknown anchor '{a}'"),
                        );
                    }
                    let mut w2 = w.clone();
                    w2.link = Some(target.clone());
                    if matches!(target, Target::Url(_)) {
                        // URLs break after slashes, never by hyphenation.
                        w2.hyphenate = false;
                    }
                    self.walk(content, &w2);
                }
                Inline::Footnote(f) => {
                    if self.ctx.in_footnote {
                        // A footnote inside a footnote has nowhere to go; keep its text.
                        let s = self.style(w, None);
                        self.pieces.push(Piece::Text(" (".into(), s));
                        let mut texts = Vec::new();
                        inline_texts(&f.content, &mut texts);
                        for (k, content) in texts.into_iter().enumerate() {
                            if k > 0 {
                                self.pieces.push(Piece::Text(" ".into(), s));
                            }
                            self.walk(content, w);
                        }
                        self.pieces.push(Piece::Text(")".into(), s));
                        continue;
                    }
                    let marker = match &f.marker {
                        Some(m) => m.clone(),
                        None => {
                            let n = self.ctx.next_footnote;
                            self.ctx.next_footnote += 1;
                            n.to_string()
                        }
                    };
                    let id = self.ctx.footnotes.len();
                    let anchor = format!("druk-fn-{}-{}", self.ctx.chapter, id + 1);
                    self.ctx.footnotes.push(PendingFootnote {
                        marker: marker.clone(),
                        content: f.content.clone(),
                        anchor: anchor.clone(),
                        source: self.source.clone(),
                    });
                    let mut w2 = w.clone();
                    w2.rise += w.size * SUPERSCRIPT_RISE;
                    w2.size *= SUPERSCRIPT_SCALE;
                    w2.hyphenate = false;
                    w2.bold = false;
                    w2.italic = false;
                    w2.link = Some(Target::Anchor(anchor));
                    let s = self.style(&w2, Some(id));
                    self.pieces.push(Piece::Text(marker, s));
                }
                Inline::Anchor(a) => self.pieces.push(Piece::Anchor(a.clone())),
                Inline::PageRef(a) => {
                    let text = match self.ctx.refs.folios.get(a) {
                        Some(f) => f.clone(),
                        None => {
                            if !self.ctx.refs.anchors.contains(a) {
                                let src = self.source.clone();
                                self.ctx.warn(
                                    WarningKind::UnknownAnchor,
                                    src.as_ref(),
                                    format!("page reference to unknown anchor '{a}'"),
                                );
                            }
                            // Before the first pass has placed the anchor: a typical width.
                            "00".to_string()
                        }
                    };
                    self.ctx.used_refs.insert(a.clone(), text.clone());
                    let mut w2 = w.clone();
                    w2.link = Some(Target::Anchor(a.clone()));
                    let s = self.style(&w2, None);
                    self.pieces.push(Piece::Text(text, s));
                }
                Inline::LineBreak => self.pieces.push(Piece::Break),
            }
        }
    }
}

/// A fragment of a word in one style.
#[derive(Clone, Debug)]
struct WordFrag {
    style: usize,
    /// Text without soft hyphens.
    text: String,
    shaped: Rc<Shaped>,
}

/// What an item of the breaker stands for.
#[derive(Clone, Debug)]
enum Src {
    /// First-line indent.
    Indent,
    /// Bytes `from..to` of fragment `frag` of word `word`.
    Chunk {
        word: usize,
        frag: usize,
        from: usize,
        to: usize,
    },
    /// An inter-word space in the given style.
    Space {
        style: usize,
        width: f64,
    },
    /// A break inside a word, after byte `at` of fragment `frag`.
    WordBreak {
        word: usize,
        frag: usize,
        at: usize,
        kind: BreakKind,
    },
    /// Glue or penalties that only shape the rag or end the paragraph.
    Structural,
    Anchor(String),
    /// An inline image in a style.
    Object {
        object: usize,
        style: usize,
    },
}

/// Sets a paragraph into lines.
/// The inline content of every block, nested ones included, in reading order: the
/// text of a footnote inside a footnote, set in brackets, loses none of its words.
fn inline_texts<'b>(blocks: &'b [crate::typeset::flow::Block], out: &mut Vec<&'b [Inline]>) {
    use crate::typeset::flow::Block;
    for b in blocks {
        match b {
            Block::Paragraph(p) => out.push(&p.content),
            Block::Heading(h) => out.push(&h.title),
            Block::List(l) => l.items.iter().for_each(|i| inline_texts(i, out)),
            Block::Quote(q) => inline_texts(q, out),
            Block::Kader(k) => {
                out.push(&k.title);
                inline_texts(&k.blocks, out);
            }
            Block::Table(t) => {
                for row in std::iter::once(&t.header).chain(&t.rows) {
                    row.iter().for_each(|c| out.push(c));
                }
            }
            Block::Figure(f) => {
                if let Some(c) = &f.caption {
                    out.push(&c.text);
                }
            }
            _ => {}
        }
    }
}

pub(crate) fn set_paragraph(ctx: &mut Ctx, inlines: &[Inline], spec: &ParSpec) -> Vec<LineBox> {
    let base = Walk {
        family: spec.look.family,
        bold: spec.look.bold,
        italic: spec.look.italic,
        small_caps: false,
        size: spec.look.size,
        rise: 0.0,
        color: spec.look.color,
        link: None,
        hyphenate: spec.hyphenate,
        deco: Deco::default(),
        lang: None,
    };
    let mut col = Collector {
        ctx,
        styles: Vec::new(),
        style_index: Default::default(),
        pieces: Vec::new(),
        objects: Vec::new(),
        source: spec.source.clone(),
    };
    col.walk(inlines, &base);
    let Collector {
        ctx,
        styles,
        pieces,
        objects,
        ..
    } = col;
    if pieces.is_empty() {
        return Vec::new();
    }
    let built = build_items(ctx, &styles, &pieces, objects, spec);
    let target = (spec.measure - spec.left - spec.right).max(1.0);
    let ragged = spec.align != Align::Justify;
    let measure = Measure {
        widths: &[target],
        last_line_min: if ragged { 0.0 } else { ctx.style.last_line_min },
        emergency_stretch: ctx.style.justification.emergency_stretch * spec.look.size,
    };
    let mut costs = ctx.style.justification.clone();
    if ragged {
        // Ragged text is never hyphenated by patterns, so skip straight to tolerance.
        costs.pretolerance = costs.tolerance;
    }
    let breaks = linebreak::break_lines(&built.items, &measure, &costs);
    ctx.stats.paragraphs += 1;
    if breaks.pass >= linebreak::PassKind::Emergency {
        ctx.stats.loose_paragraphs += 1;
    }
    finalize(ctx, &styles, &built, &breaks.positions, spec, target)
}

struct Built {
    items: Vec<Kp>,
    srcs: Vec<Src>,
    words: Vec<Vec<WordFrag>>,
    objects: Vec<Object>,
}

fn is_breaking_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_fixed_space(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{202F}' | '\u{2007}')
}

enum Tok<'p> {
    Frag(&'p str, usize),
    Space(usize),
    FixedSpace(char, usize),
    Anchor(&'p str),
    /// An inline image (object index, style).
    Object(usize, usize),
    Break,
}

fn tokenize(pieces: &[Piece]) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t, s) => {
                // Where the current fragment (a run without spaces) began.
                let mut from = 0;
                for (i, c) in t.char_indices() {
                    if is_breaking_space(c) || is_fixed_space(c) {
                        if from < i {
                            toks.push(Tok::Frag(&t[from..i], *s));
                        }
                        if is_breaking_space(c) {
                            toks.push(Tok::Space(*s));
                        } else {
                            toks.push(Tok::FixedSpace(c, *s));
                        }
                        from = i + c.len_utf8();
                    }
                }
                if from < t.len() {
                    toks.push(Tok::Frag(&t[from..], *s));
                }
            }
            Piece::Anchor(a) => toks.push(Tok::Anchor(a)),
            Piece::Object(o, s) => toks.push(Tok::Object(*o, *s)),
            Piece::Break => toks.push(Tok::Break),
        }
    }
    // Collapse runs of spaces, drop spaces at the start, the end and around breaks.
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for t in toks {
        if let Tok::Space(_) = t {
            match out.last() {
                None | Some(Tok::Space(_)) | Some(Tok::Break) | Some(Tok::FixedSpace(..)) => {
                    continue;
                }
                _ => {}
            }
        }
        if let Tok::Break = t {
            while matches!(out.last(), Some(Tok::Space(_))) {
                out.pop();
            }
        }
        out.push(t);
    }
    while matches!(out.last(), Some(Tok::Space(_))) {
        out.pop();
    }
    out
}

fn space_width(ctx: &mut Ctx, st: &RunStyle, lang: Lang) -> f64 {
    ctx.shaper
        .shape(" ", st.font, Features::default(), lang)
        .width
        * st.size
}

fn build_items(
    ctx: &mut Ctx,
    styles: &[RunStyle],
    pieces: &[Piece],
    objects: Vec<Object>,
    spec: &ParSpec,
) -> Built {
    let toks = tokenize(pieces);
    let j = ctx.style.justification.clone();
    let ragged = spec.align != Align::Justify;
    let rag = RAGGED_STRETCH_EM * spec.look.size;
    // About three items a token: a word's chunks and breaks, or a space.
    let mut items = Vec::with_capacity(toks.len() * 3 + 4);
    let mut srcs = Vec::with_capacity(toks.len() * 3 + 4);
    let mut words: Vec<Vec<WordFrag>> = Vec::with_capacity(toks.len() / 2 + 1);

    if spec.indent != 0.0 {
        // Negative for a hanging indent: the first line starts left of the others.
        items.push(Kp::Box { width: spec.indent });
        srcs.push(Src::Indent);
    }

    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Frag(..) => {
                // A word: consecutive fragments, possibly in several styles.
                let mut raw: Vec<(&str, usize)> = Vec::new();
                while let Some(Tok::Frag(t, s)) = toks.get(i) {
                    raw.push((t, *s));
                    i += 1;
                }
                push_word(
                    ctx, styles, spec, &j, &raw, &mut items, &mut srcs, &mut words,
                );
                continue;
            }
            Tok::Space(s) => {
                let st = &styles[*s];
                let w = space_width(ctx, st, spec.lang);
                if ragged {
                    // Knuth–Plass ragged right: the break glue carries the rag stretch,
                    // which the following negative stretch cancels when no break is taken.
                    items.push(Kp::glue(0.0, rag, 0.0));
                    srcs.push(Src::Structural);
                    items.push(Kp::penalty(0.0, 0.0, false));
                    srcs.push(Src::Structural);
                    items.push(Kp::glue(w, -rag, 0.0));
                    srcs.push(Src::Space {
                        style: *s,
                        width: w,
                    });
                } else {
                    let (stretch, shrink) = space_flex(w, st.size);
                    items.push(Kp::glue(w, stretch, shrink));
                    srcs.push(Src::Space {
                        style: *s,
                        width: w,
                    });
                }
            }
            Tok::FixedSpace(c, s) => {
                let st = &styles[*s];
                let (w, stretch, shrink) = if *c == '\u{202F}' {
                    (NARROW_SPACE_EM * st.size, 0.0, 0.0)
                } else {
                    let w = space_width(ctx, st, spec.lang);
                    if ragged {
                        (w, 0.0, 0.0)
                    } else {
                        let (stretch, shrink) = space_flex(w, st.size);
                        (w, stretch, shrink)
                    }
                };
                items.push(Kp::penalty(0.0, INFINITY, false));
                srcs.push(Src::Structural);
                items.push(Kp::glue(w, stretch, shrink));
                srcs.push(Src::Space {
                    style: *s,
                    width: w,
                });
            }
            Tok::Anchor(a) => {
                items.push(Kp::Box { width: 0.0 });
                srcs.push(Src::Anchor(a.to_string()));
            }
            Tok::Object(o, style) => {
                items.push(Kp::Box {
                    width: objects[*o].width,
                });
                srcs.push(Src::Object {
                    object: *o,
                    style: *style,
                });
            }
            Tok::Break => {
                items.push(Kp::Glue {
                    width: 0.0,
                    stretch: 0.0,
                    shrink: 0.0,
                    fil: 1.0,
                });
                srcs.push(Src::Structural);
                items.push(Kp::penalty(0.0, -INFINITY, false));
                srcs.push(Src::Structural);
            }
        }
        i += 1;
    }
    items.push(Kp::penalty(0.0, INFINITY, false));
    srcs.push(Src::Structural);
    items.push(Kp::Glue {
        width: 0.0,
        stretch: 0.0,
        shrink: 0.0,
        fil: 1.0,
    });
    srcs.push(Src::Structural);
    items.push(Kp::penalty(0.0, -INFINITY, false));
    srcs.push(Src::Structural);
    Built {
        items,
        srcs,
        words,
        objects,
    }
}

#[allow(clippy::too_many_arguments)]
fn push_word(
    ctx: &mut Ctx,
    styles: &[RunStyle],
    spec: &ParSpec,
    j: &crate::typeset::flow::Justification,
    raw: &[(&str, usize)],
    items: &mut Vec<Kp>,
    srcs: &mut Vec<Src>,
    words: &mut Vec<Vec<WordFrag>>,
) {
    let word_idx = words.len();
    let whole: Cow<str> = match raw {
        [(t, _)] => Cow::Borrowed(t),
        _ => Cow::Owned(raw.iter().map(|(t, _)| *t).collect()),
    };
    let patterns =
        spec.hyphenate && ctx.style.hyphenate && raw.iter().all(|(_, s)| styles[*s].hyphenate);
    // A word in a span of another language takes that language's patterns.
    let lang = raw
        .first()
        .and_then(|(_, s)| styles[*s].lang)
        .unwrap_or(spec.lang);
    let analysed = ctx.hyphenator.analyse(&whole, lang, patterns);
    let url_like = raw
        .iter()
        .any(|(_, s)| matches!(styles[*s].link, Some(Target::Url(_))));

    // Clean fragments and their offsets in the cleaned word.
    let mut frags = Vec::with_capacity(raw.len());
    let mut offsets = Vec::with_capacity(raw.len());
    let mut off = 0;
    for (t, s) in raw {
        let text = if t.contains(hyphenate::SOFT_HYPHEN) {
            t.chars().filter(|&c| c != hyphenate::SOFT_HYPHEN).collect()
        } else {
            t.to_string()
        };
        let st = &styles[*s];
        let shaped = ctx.shaper.shape(&text, st.font, st.features, lang);
        for &c in &shaped.missing {
            ctx.missing_glyph(c, spec.source.as_ref());
        }
        offsets.push(off);
        off += text.len();
        frags.push(WordFrag {
            style: *s,
            text,
            shaped,
        });
    }

    for (fi, f) in frags.iter().enumerate() {
        let st = &styles[f.style];
        let start = offsets[fi];
        let end = start + f.text.len();
        // Break points inside this fragment, plus an explicit break at its end.
        let mut cuts: Vec<(usize, BreakKind)> = analysed
            .breaks
            .iter()
            .filter(|b| {
                b.offset > start && b.offset <= end && !(b.offset == end && fi + 1 == frags.len())
            })
            .filter(|b| b.offset < end || b.kind == BreakKind::After)
            .map(|b| (b.offset - start, b.kind))
            .filter(|(at, _)| *at == f.text.len() || !f.shaped.splits_cluster(*at, &f.text))
            .collect();
        if url_like && st.link.is_some() {
            // Long URLs break after / . - ? & = (not inside `//`), without a hyphen.
            let mut chars = f.text.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let next = chars.peek().map(|&(_, n)| n);
                let at = i + c.len_utf8();
                if matches!(c, '/' | '.' | '-' | '?' | '&' | '=')
                    && next.is_some_and(|n| n != c && !matches!(n, '/' | '.'))
                    && !cuts.iter().any(|(a, _)| *a == at)
                {
                    cuts.push((at, BreakKind::After));
                }
            }
            cuts.sort_by_key(|c| c.0);
        }
        // Chinese and Japanese break between characters, at no cost.
        let ideographic = if f.text.is_ascii() {
            Vec::new()
        } else {
            ideographic_breaks(&f.text)
        };
        if !ideographic.is_empty() {
            for &at in &ideographic {
                if !cuts.iter().any(|(a, _)| *a == at) {
                    cuts.push((at, BreakKind::After));
                }
            }
            cuts.sort_by_key(|c| c.0);
        }
        let mut from = 0;
        for (at, kind) in cuts {
            if at > from {
                items.push(Kp::Box {
                    width: f.shaped.width_of(from, at) * st.size,
                });
                srcs.push(Src::Chunk {
                    word: word_idx,
                    frag: fi,
                    from,
                    to: at,
                });
            }
            let (width, cost, hyph) = match kind {
                BreakKind::Hyphen => {
                    let h = ctx.shaper.shape("-", st.font, st.features, spec.lang).width * st.size;
                    (h, j.hyphen_penalty, true)
                }
                BreakKind::After if ideographic.contains(&at) => (0.0, 0.0, false),
                BreakKind::After => (0.0, j.explicit_hyphen_penalty, false),
            };
            items.push(Kp::Penalty {
                width,
                cost,
                flagged: true,
                hyphenation: hyph,
            });
            srcs.push(Src::WordBreak {
                word: word_idx,
                frag: fi,
                at,
                kind,
            });
            from = at;
        }
        if from < f.text.len() {
            items.push(Kp::Box {
                width: f.shaped.width_of(from, f.text.len()) * st.size,
            });
            srcs.push(Src::Chunk {
                word: word_idx,
                frag: fi,
                from,
                to: f.text.len(),
            });
        }
    }
    words.push(frags);
}

/// Whether `c` is written in Chinese or Japanese text, which has no spaces between words:
/// Han, kana, CJK punctuation and full-width forms.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

/// CJK characters that may not start a line (。、）」 small kana…).
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '：'
            | '；'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | 'ー'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'っ'
            | '々'
    )
}

/// CJK characters that may not end a line (（「…).
fn no_break_after(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '【' | '〔' | '〈' | '《')
}

/// Byte offsets inside `text` where a line may break between two CJK characters.
fn ideographic_breaks(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev
            && is_cjk(p)
            && is_cjk(c)
            && !no_break_before(c)
            && !no_break_after(p)
        {
            out.push(i);
        }
        prev = Some(c);
    }
    out
}

/// A piece of a line ready to be placed.
struct Placed {
    style: usize,
    text: String,
    shaped: Rc<Shaped>,
    width: f64,
}

enum LinePart {
    Text(Placed),
    Space { style: usize, width: f64 },
    Indent(f64),
    Anchor(String),
    Object { object: Object, style: usize },
}

/// A break inside a word: (word, fragment, byte offset, kind).
type WordCut = (usize, usize, usize, BreakKind);

/// What the line breaker chose for one line, before it is shaped.
enum Raw {
    Chunk(usize, usize, usize, usize),
    Space(usize, f64),
    Indent,
    Anchor(String),
    Object(usize, usize),
}

/// The spacing of a set line: how far its spaces stretch (positive) or shrink (negative)
/// and the width it comes to.
struct Spacing {
    ratio: f64,
    set_width: f64,
}

/// The lines of a paragraph, in three steps each: the items between two breaks as parts
/// ([`line_parts`]), shaped where a break changed a word ([`shape_line`]), their spacing
/// ([`justify`]) and the placed glyphs ([`emit_line`]).
fn finalize(
    ctx: &mut Ctx,
    styles: &[RunStyle],
    built: &Built,

    breaks: &[usize],
    spec: &ParSpec,
    target: f64,
) -> Vec<LineBox> {
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    // The break that ended the previous line, if it was inside a word.
    let mut carried: Option<WordCut> = None;
    let n_lines = breaks.len();

    for (li, &b) in breaks.iter().enumerate() {
        let raw = line_parts(built, start, b);
        let ends_with = match &built.srcs[b] {
            Src::WordBreak {
                word,
                frag,
                at,
                kind,
            } => Some((*word, *frag, *at, *kind)),
            _ => None,
        };
        let hyphenated = ends_with.is_some();
        let parts = shape_line(ctx, styles, built, raw, carried, ends_with, spec);
        carried = ends_with;

        let last_line = li + 1 == n_lines;
        let forced_end =
            matches!(built.items.get(b), Some(Kp::Penalty { cost, .. }) if *cost <= -INFINITY);
        let outer = ctx.place;
        if !ctx.in_footnote {
            ctx.place = Some(Place::Line(li));
        }
        let spacing = justify(ctx, styles, &parts, spec, target, last_line || forced_end);
        let line = emit_line(ctx, styles, &parts, spec, target, &spacing, li == 0);
        ctx.place = outer;
        ctx.stats.lines += 1;
        if hyphenated {
            ctx.stats.hyphenated_lines += 1;
        }
        lines.push(line);
        start = linebreak_line_start(&built.items, b);
    }
    lines
}

/// The items from `start` to the break `b` as line parts; consecutive pieces of one word
/// fragment merge.
fn line_parts(built: &Built, start: usize, b: usize) -> Vec<Raw> {
    let mut raw: Vec<Raw> = Vec::new();
    for i in start..b {
        match &built.srcs[i] {
            Src::Chunk {
                word,
                frag,
                from,
                to,
            } => match raw.last_mut() {
                Some(Raw::Chunk(w, f, _, t)) if *w == *word && *f == *frag && *t == *from => {
                    *t = *to
                }
                _ => raw.push(Raw::Chunk(*word, *frag, *from, *to)),
            },
            Src::Space { style, width } => raw.push(Raw::Space(*style, *width)),
            Src::Indent => raw.push(Raw::Indent),
            Src::Anchor(a) => raw.push(Raw::Anchor(a.clone())),
            Src::Object { object, style } => raw.push(Raw::Object(*object, *style)),
            Src::WordBreak { .. } | Src::Structural => {}
        }
    }
    raw
}

/// Shapes the chunks of a line, applying the break rules at both ends: the diaeresis
/// rule after a hyphenation break (`carried`), the added hyphen before one (`ends_with`).
fn shape_line(
    ctx: &mut Ctx,
    styles: &[RunStyle],
    built: &Built,
    raw: Vec<Raw>,
    carried: Option<WordCut>,
    ends_with: Option<WordCut>,
    spec: &ParSpec,
) -> Vec<LinePart> {
    let first_chunk = raw.iter().position(|r| matches!(r, Raw::Chunk(..)));
    let last_chunk = raw.iter().rposition(|r| matches!(r, Raw::Chunk(..)));
    let mut parts: Vec<LinePart> = Vec::with_capacity(raw.len());
    for (ri, r) in raw.into_iter().enumerate() {
        match r {
            Raw::Space(style, width) => parts.push(LinePart::Space { style, width }),
            Raw::Indent => parts.push(LinePart::Indent(spec.indent)),
            Raw::Anchor(a) => parts.push(LinePart::Anchor(a)),
            Raw::Object(object, style) => parts.push(LinePart::Object {
                object: built.objects[object],
                style,
            }),
            Raw::Chunk(word, frag, from, to) => {
                let wf = &built.words[word][frag];
                let st = &styles[wf.style];
                let mut text: String = wf.text[from..to].to_string();
                let mut changed = from != 0 || to != wf.text.len();
                if Some(ri) == first_chunk
                    && let Some((cw, cf, at, kind)) = carried
                    && (cw, cf, at) == (word, frag, from)
                    && let std::borrow::Cow::Owned(s) =
                        hyphenate::after_break(&text, kind, spec.lang)
                {
                    text = s;
                    changed = true;
                }
                if Some(ri) == last_chunk
                    && let Some((ew, ef, at, BreakKind::Hyphen)) = ends_with
                    && (ew, ef, at) == (word, frag, to)
                {
                    text.push('-');
                    changed = true;
                }
                let shaped = if changed {
                    ctx.shaper.shape(&text, st.font, st.features, spec.lang)
                } else {
                    wf.shaped.clone()
                };
                let width = shaped.width * st.size;
                parts.push(LinePart::Text(Placed {
                    style: wf.style,
                    text,
                    shaped,
                    width,
                }));
            }
        }
    }
    parts
}

/// How far the spaces of a line stretch or shrink to fill `target` (a last line, or
/// one ended by a forced break, keeps its natural spacing); an overfull line is reported.
fn justify(
    ctx: &mut Ctx,
    styles: &[RunStyle],
    parts: &[LinePart],
    spec: &ParSpec,
    target: f64,
    natural_end: bool,
) -> Spacing {
    let ragged = spec.align != Align::Justify;
    let mut natural = 0.0;
    let mut stretch = 0.0;
    let mut shrink = 0.0;
    for p in parts {
        match p {
            LinePart::Text(t) => natural += t.width,
            LinePart::Space { width, style } => {
                natural += width;
                if !ragged {
                    let (st, sh) = space_flex(*width, styles[*style].size);
                    stretch += st;
                    shrink += sh;
                }
            }
            LinePart::Indent(w) => natural += w,
            LinePart::Object { object, .. } => natural += object.width,
            LinePart::Anchor(_) => {}
        }
    }
    let ratio = if ragged {
        0.0
    } else if natural > target {
        if shrink > 0.0 {
            -((natural - target) / shrink).min(1.0)
        } else {
            0.0
        }
    } else if natural_end {
        0.0
    } else if stretch > 0.0 {
        (target - natural) / stretch
    } else {
        0.0
    };
    if ratio > 1.0 {
        ctx.stats.loose_lines += 1;
    }
    let set_width = natural
        + if ratio < 0.0 {
            ratio * shrink
        } else {
            ratio * stretch
        };
    if set_width > target + OVERFULL_SLACK {
        ctx.stats.overfull_lines += 1;
        // The start of the line is enough to find it; a whole line can be megabytes.
        let text = line_text(parts);
        let text = shorten(&text, 60);
        let src = spec.source.clone();
        ctx.warn(
            WarningKind::OverfullLine,
            src.as_ref(),
            format!(
                "overfull line ({:.1}pt too wide): {}",
                set_width - target,
                text
            ),
        );
    }
    Spacing { ratio, set_width }
}

/// Whether `c` is a letter of a right-to-left script (Hebrew, Arabic, Syriac, Thaana,
/// N'Ko and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// The order in which the parts of a line are placed from left to right, when it differs
/// from the order of the text: a run of right-to-left words (a Hebrew phrase in a Dutch
/// paragraph) is set from right to left, by the Unicode bidirectional algorithm on the
/// line with a left-to-right paragraph level. Each word has been shaped in its own
/// direction already. `None` for a line without right-to-left text.
fn visual_order(parts: &[LinePart]) -> Option<Vec<usize>> {
    let rtl = parts.iter().any(|p| match p {
        LinePart::Text(t) => !t.text.is_ascii() && t.text.chars().any(is_rtl),
        _ => false,
    });
    if !rtl {
        return None;
    }
    let mut text = String::new();
    let mut starts = Vec::with_capacity(parts.len());
    for p in parts {
        starts.push(text.len());
        match p {
            LinePart::Text(t) => text.push_str(&t.text),
            LinePart::Space { .. } => text.push(' '),
            LinePart::Object { .. } => text.push('\u{FFFC}'),
            LinePart::Indent(_) | LinePart::Anchor(_) => {}
        }
    }
    let bidi = unicode_bidi::BidiInfo::new(&text, Some(unicode_bidi::Level::ltr()));
    let levels: Vec<unicode_bidi::Level> = parts
        .iter()
        .zip(&starts)
        .map(|(p, &at)| match p {
            LinePart::Text(_) | LinePart::Space { .. } => bidi.levels[at],
            _ => unicode_bidi::Level::ltr(),
        })
        .collect();
    Some(unicode_bidi::BidiInfo::reorder_visual(&levels))
}

/// Places the glyphs of a line (and, on the first line, the label) in a frag of one
/// leading, with its links, anchors, footnote references and text.
fn emit_line(
    ctx: &mut Ctx,
    styles: &[RunStyle],
    parts: &[LinePart],
    spec: &ParSpec,
    target: f64,
    spacing: &Spacing,
    first_line: bool,
) -> LineBox {
    let leading = spec.look.leading;
    let baseline = leading * BASELINE_RATIO;
    let ragged = spec.align != Align::Justify;
    let Spacing { ratio, set_width } = *spacing;
    let x0 = spec.left
        + match spec.align {
            Align::Justify | Align::Left => 0.0,
            Align::Center => ((target - set_width) / 2.0).max(0.0),
            Align::Right => (target - set_width).max(0.0),
        };

    let mut frag = Frag::new(leading);
    let mut footnotes = Vec::new();
    // A line can hold thousands of markers (one long word of them): a set, not a search.
    let mut notes_seen = rustc_hash::FxHashSet::default();
    let mut x = x0;
    let mut deco = DecoRun::default();
    let mut run: Option<GlyphRun> = None;
    let mut link_open: Option<(Target, f64, f64)> = None; // target, x0, x1
    let mut dump = String::new();
    let mut text_x: Option<f64> = None;
    if first_line && let Some(label) = &spec.label {
        let font = ctx.font(&label.look);
        let (runs, _) = set_plain_in(
            ctx,
            &label.text,
            font,
            label.look.size,
            label.look.color,
            label.x,
            baseline - label.rise,
        );
        for r in runs {
            frag.push(Item::Glyphs(r));
        }
        dump.push_str(&label.text);
        dump.push(' ');
    }
    let order = visual_order(parts);
    for pi in 0..parts.len() {
        let p = &parts[order.as_ref().map_or(pi, |o| o[pi])];
        match p {
            LinePart::Indent(w) => x += w,
            LinePart::Anchor(a) => frag.anchors.push((a.clone(), x, 0.0)),
            LinePart::Space { style, width } => {
                let (st, sh) = space_flex(*width, styles[*style].size);
                let w = width
                    + if ratio < 0.0 {
                        ratio * sh
                    } else if !ragged {
                        ratio * st
                    } else {
                        0.0
                    };
                let st = &styles[*style];
                // The space is a real glyph so that text extraction sees the gap.
                if let Some(r) = run
                    .as_mut()
                    .filter(|r| r.font == st.font && r.size == st.size)
                {
                    let sp = ctx
                        .shaper
                        .shape(" ", st.font, Features::default(), spec.lang);
                    if let Some(g) = sp.segments.first().and_then(|s| s.glyphs.first()) {
                        let start = r.text.len() as u32;
                        r.text.push(' ');
                        r.glyphs.push(Glyph {
                            id: g.id,
                            x: x - r.x,
                            start,
                            len: 1,
                        });
                    }
                }
                dump.push(' ');
                x += w;
            }
            LinePart::Object { object, style } => {
                let st = &styles[*style];
                deco.flush(&mut frag);
                frag.push(Item::Image(crate::typeset::document::ImageBox {
                    image: object.image,
                    x,
                    y: baseline - st.rise - object.height,
                    width: object.width,
                    height: object.height,
                }));
                // Text extraction sees an object replacement where the image is.
                dump.push('\u{FFFC}');
                x += object.width;
            }
            LinePart::Text(t) => {
                let st = &styles[t.style];
                text_x.get_or_insert(x);
                deco.extend(st, x, x + t.width, baseline, &mut frag);
                if let Some(id) = st.footnote
                    && notes_seen.insert(id)
                {
                    footnotes.push(id);
                }
                // Links: extend over the space in between when the target continues.
                match (&mut link_open, &st.link) {
                    (Some((tg, _, x1)), Some(l)) if tg == l => *x1 = x + t.width,
                    (open, l) => {
                        if let Some((tg, a, b)) = open.take() {
                            frag.links.push(FragLink {
                                x: a,
                                y: 0.0,
                                width: b - a,
                                height: leading,
                                target: tg,
                            });
                        }
                        if let Some(l) = l {
                            *open = Some((l.clone(), x, x + t.width));
                        }
                    }
                }
                for (seg, &range) in t.shaped.segments.iter().zip(&t.shaped.ranges) {
                    let same = run.as_ref().is_some_and(|r| {
                        r.font == seg.font
                            && r.size == st.size
                            && r.color == st.color
                            && r.y == baseline - st.rise
                    });
                    if !same {
                        if let Some(r) = run.take()
                            && !r.glyphs.is_empty()
                        {
                            frag.push(finished(r));
                        }
                        run = Some(new_run(seg.font, st.size, st.color, x, baseline - st.rise));
                    }
                    if let Some(r) = run.as_mut() {
                        x = append_segment(r, seg, &t.text, range, x, st.size);
                    }
                }
                dump.push_str(&t.text);
            }
        }
    }
    if let Some(r) = run.take()
        && !r.glyphs.is_empty()
    {
        frag.push(finished(r));
    }
    deco.flush(&mut frag);
    if let Some((tg, a, b)) = link_open.take() {
        frag.links.push(FragLink {
            x: a,
            y: 0.0,
            width: b - a,
            height: leading,
            target: tg,
        });
    }
    let line_x = spec
        .label
        .as_ref()
        .filter(|_| first_line)
        .map_or(text_x.unwrap_or(x0), |l| l.x);
    frag.lines.push(TextLine {
        x: line_x,
        y: baseline,
        text: dump.trim_end().to_string(),
    });
    LineBox {
        frag,
        footnotes,
        content_end: x,
    }
}

/// Sets `text` as it is (no breaking, spaces kept) in one look, starting at `x` on the
/// baseline `y`. Returns the runs and the width. Used for code, running heads and folios.
pub(crate) fn set_plain(
    ctx: &mut Ctx,
    text: &str,
    look: &Look,
    x: f64,
    y: f64,
) -> (Vec<GlyphRun>, f64) {
    let font = ctx.font(look);
    set_plain_in(ctx, text, font, look.size, look.color, x, y)
}

/// [`set_plain`] with an explicit face.
pub(crate) fn set_plain_in(
    ctx: &mut Ctx,
    text: &str,
    font: FontId,
    size: f64,
    color: Cmyk,
    x: f64,
    y: f64,
) -> (Vec<GlyphRun>, f64) {
    let shaped = ctx.shaper.shape(text, font, Features::default(), Lang::Nl);
    let mut runs = Vec::new();
    let mut cx = x;
    for (seg, range) in shaped.segments.iter().zip(shaped.ranges.iter().copied()) {
        let mut run = new_run(seg.font, size, color, cx, y);
        cx = append_segment(&mut run, seg, text, range, cx, size);
        if !run.glyphs.is_empty() {
            runs.push(run);
        }
    }
    (runs, cx - x)
}

/// Index of the first item of the line after a break at `b`.
fn linebreak_line_start(items: &[Kp], b: usize) -> usize {
    let mut i = b + 1;
    while i < items.len() {
        match items[i] {
            Kp::Glue { .. } => i += 1,
            Kp::Penalty { cost, .. } if cost > -INFINITY => i += 1,
            _ => break,
        }
    }
    i
}

fn line_text(parts: &[LinePart]) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            LinePart::Text(t) => s.push_str(&t.text),
            LinePart::Space { .. } => s.push(' '),
            _ => {}
        }
    }
    s
}

/// An underline or strike-through being drawn along a line: one rule over consecutive text of
/// the same decoration, size and colour, spaces between them included.
#[derive(Default)]
struct DecoRun {
    open: Option<(Deco, f64, Cmyk, f64, f64, f64)>, // deco, size, colour, y of the baseline, x0, x1
}

/// Where the rules sit and how thick they are, in em: under the baseline clear of most
/// descenders' bowls, and through the middle of the x-height.
const UNDERLINE_DROP: f64 = 0.12;
const STRIKE_RISE: f64 = 0.27;
const DECO_THICKNESS: f64 = 0.05;

impl DecoRun {
    fn extend(&mut self, st: &RunStyle, x0: f64, x1: f64, baseline: f64, frag: &mut Frag) {
        let y = baseline - st.rise;
        if let Some((d, size, color, oy, _, end)) = &mut self.open
            && *d == st.deco
            && *size == st.size
            && *color == st.color
            && *oy == y
        {
            *end = x1;
            return;
        }
        self.flush(frag);
        if st.deco.any() {
            self.open = Some((st.deco, st.size, st.color, y, x0, x1));
        }
    }

    fn flush(&mut self, frag: &mut Frag) {
        let Some((d, size, color, y, x0, x1)) = self.open.take() else {
            return;
        };
        let thickness = DECO_THICKNESS * size;
        let mut rule = |y: f64| {
            frag.push(Item::Rule(crate::typeset::document::Rule {
                x0,
                y0: y,
                x1,
                y1: y,
                thickness,
                color,
            }))
        };
        if d.underline {
            rule(y + UNDERLINE_DROP * size);
        }
        if d.strike {
            rule(y - STRIKE_RISE * size);
        }
    }
}

/// A complete run as a page item, without the spare room its vectors grew: it is kept
/// until the PDF is written, and a book has hundreds of thousands of them.
fn finished(mut run: GlyphRun) -> Item {
    run.glyphs.shrink_to_fit();
    run.text.shrink_to_fit();
    Item::Glyphs(run)
}

fn new_run(font: FontId, size: f64, color: Cmyk, x: f64, y: f64) -> GlyphRun {
    GlyphRun {
        font,
        size,
        color,
        x,
        y,
        text: String::new(),
        glyphs: Vec::new(),
    }
}

/// Appends one segment's glyphs at absolute x (in the run's coordinate frame), returning
/// the x after it. `text` is the text that was shaped and `range` the part of it the
/// segment shows; that part is copied into the run's text so every glyph can name its
/// characters (ToUnicode).
pub(crate) fn append_segment(
    run: &mut GlyphRun,
    seg: &crate::typeset::shape::Segment,
    text: &str,
    range: (usize, usize),
    x: f64,
    size: f64,
) -> f64 {
    if seg.glyphs.is_empty() {
        return x;
    }
    let (seg_start, seg_end) = range;
    let base = run.text.len() as u32;
    run.text
        .push_str(text.get(seg_start..seg_end).unwrap_or(""));
    run.glyphs.reserve(seg.glyphs.len());
    let mut x = x;
    for g in &seg.glyphs {
        run.glyphs.push(Glyph {
            id: g.id,
            x: x - run.x + g.x_offset * size,
            start: base + g.cluster.saturating_sub(seg_start as u32),
            len: g.len,
        });
        x += g.advance * size;
    }
    x
}

/// `s` cut to at most `max` characters, with `…` where it was cut.
fn shorten(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]).into(),
        None => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::context::RefTable;
    use crate::typeset::flow::PageStyle;
    use crate::typeset::fonts::FontSet;

    const TEXT: &str = "Opvoedingsondersteuning is een bijzondere vorm van preventie. Het gaat om \
        de coördinatie van steun aan ouders die geïnteresseerd zijn in de ontwikkeling van hun \
        kinderen, in de wijk, bij het consultatiebureau en op school. Professionals uit de \
        jeugdgezondheidszorg en afgestudeerden van hbo-opleidingen werken samen aan het jeugd- \
        en gezinsbeleid van de gemeente, met aandacht voor officiële richtlijnen en effectieve \
        programma's.";

    fn set(measure: f64, text: &str) -> (Vec<LineBox>, Vec<String>) {
        let fonts = FontSet::builtin();
        let style = PageStyle::default();
        let refs = RefTable::default();
        let mut ctx = Ctx::new(&style, &fonts, &refs, &[], 0);
        let spec = ParSpec::new(style.body.clone(), measure);
        let lines = set_paragraph(&mut ctx, &[Inline::text(text)], &spec);
        let texts = lines.iter().map(|l| l.frag.lines[0].text.clone()).collect();
        (lines, texts)
    }

    #[test]
    fn justified_lines_fill_the_measure() {
        let (lines, texts) = set(340.0, TEXT);
        assert!(lines.len() >= 4, "{texts:?}");
        for l in &lines[..lines.len() - 1] {
            assert!(
                (l.content_end - 340.0).abs() < 0.01,
                "{} {texts:?}",
                l.content_end
            );
        }
        assert!(lines.last().unwrap().content_end < 340.0);
        assert!(lines.last().unwrap().content_end >= 24.0);
    }

    fn width(text: &str) -> f64 {
        let fonts = FontSet::builtin();
        let style = PageStyle::default();
        let refs = RefTable::default();
        let mut ctx = Ctx::new(&style, &fonts, &refs, &[], 0);
        ctx.text_width(text, &style.body)
    }

    #[test]
    fn the_diaeresis_goes_at_the_break() {
        // The measure fits "goede co-" exactly, so the break must come after "co".
        let (_, texts) = set(
            width("goede co-"),
            "goede coördinatie van zorg en onderwijs",
        );
        assert_eq!(texts[0], "goede co-");
        assert!(texts[1].starts_with("ordinatie"), "{texts:?}");
        let (_, texts) = set(width("zeer ge-"), "zeer geïnteresseerd in het onderwerp");
        assert_eq!(texts[0], "zeer ge-");
        assert!(texts[1].starts_with("interes"), "{texts:?}");
    }

    #[test]
    fn explicit_hyphen_is_not_doubled() {
        let (_, texts) = set(60.0, "de hbo-opleidingen");
        let joined = texts.join("|");
        assert!(!joined.contains("--"), "{joined}");
    }
}
