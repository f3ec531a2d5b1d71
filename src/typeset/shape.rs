//! Text shaping with rustybuzz: kerning and ligatures, with a cache of shaped words.
//!
//! A book repeats its words endlessly, so each (face, features, text) is shaped once and
//! reused (the cache goes on from chapter to chapter on a thread, see `context`). Results are kept in em units, independent of the size, so one
//! entry serves every size of a face. Characters a face lacks are taken from the
//! fallback faces of the set (■ comes from the mono face); when no face has them the
//! glyph is `.notdef` and a warning is recorded.

use std::collections::BTreeSet;
use std::rc::Rc;
use std::str::FromStr;

use rustc_hash::FxHashMap;
use rustybuzz::{Direction, Face, Feature, Language, ShapePlan, UnicodeBuffer, script};

use crate::typeset::flow::Lang;
use crate::typeset::fonts::{Fallback, FontId, FontSet};
use crate::typeset::hyphenate::SOFT_HYPHEN;

/// One glyph of a shaped text, positions in em.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShapedGlyph {
    pub id: u16,
    /// Byte offset in the shaped text of the first character this glyph shows.
    pub cluster: u32,
    /// Bytes of text the glyph stands for: its whole cluster for the first glyph of a
    /// cluster, 0 for the others (ToUnicode gives a ligature its letters once).
    pub len: u32,
    /// Horizontal advance, kerning included.
    pub advance: f64,
    pub x_offset: f64,
    pub y_offset: f64,
}

/// A run of glyphs from one face.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub font: FontId,
    pub glyphs: Vec<ShapedGlyph>,
}

/// The result of shaping a text: one or more segments (several when fallback faces help).
#[derive(Clone, Debug, PartialEq)]
pub struct Shaped {
    pub segments: Vec<Segment>,
    /// Total advance in em.
    pub width: f64,
    /// Characters no face could show (reported again on every use of the cached result).
    pub missing: Vec<char>,
    /// The byte range of the text each segment shows (segments follow each other).
    pub ranges: Vec<(usize, usize)>,
}

impl Shaped {
    /// Advance of the glyphs whose clusters start in `range` (byte offsets), in em.
    /// Ligatures belong to the cluster where they start.
    pub fn width_of(&self, from: usize, to: usize) -> f64 {
        let mut w = 0.0;
        for seg in &self.segments {
            for g in &seg.glyphs {
                let c = g.cluster as usize;
                if c >= from && c < to {
                    w += g.advance;
                }
            }
        }
        w
    }

    /// Whether a break at byte offset `at` would split a glyph cluster (a ligature or a
    /// base letter with a mark), which the line breaker must not do.
    pub fn splits_cluster(&self, at: usize, text: &str) -> bool {
        if at == 0 || at >= text.len() {
            return false;
        }
        // A cluster boundary exists at `at` if some glyph's cluster starts exactly there.
        !self
            .segments
            .iter()
            .any(|s| s.glyphs.iter().any(|g| g.cluster as usize == at))
    }
}

/// Typographic features a run asks for beyond the defaults (kern, liga).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Features {
    pub small_caps: bool,
}

type PlanKey = (FontId, Features, Lang);

/// A shaping plan for a script other than Latin: the face, features, language, script
/// and direction.
type ScriptPlanKey = (FontId, Features, Lang, rustybuzz::Script, bool);

/// A per-thread shaper with its cache (not shared between threads: results are `Rc`).
pub struct Shaper<'a> {
    fonts: &'a FontSet,
    /// By font id: the face once it was looked at (`None` inside: not installed).
    faces: Vec<Option<Option<Face<'a>>>>,
    plans: FxHashMap<PlanKey, Rc<ShapePlan>>,
    script_plans: FxHashMap<ScriptPlanKey, Rc<ShapePlan>>,
    /// A fast hash: looked up for every word and space of the book.
    cache: FxHashMap<PlanKey, FxHashMap<String, Rc<Shaped>>>,
    fallbacks: Vec<(FontId, Option<&'static Fallback>)>,
    /// Characters no face could show.
    pub missing: BTreeSet<char>,
}

/// Characters that never need a glyph of their own from a fallback face.
fn is_invisible(c: char) -> bool {
    c == SOFT_HYPHEN
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        // Variation selectors (the emoji presentation after ⚠, U+FE0F) choose a glyph's
        // form; a text face without them shows the plain one.
        || matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

impl<'a> Shaper<'a> {
    pub fn new(fonts: &'a FontSet) -> Shaper<'a> {
        Shaper {
            fonts,
            faces: (0..fonts.len()).map(|_| None).collect(),
            plans: FxHashMap::default(),
            script_plans: FxHashMap::default(),
            cache: FxHashMap::default(),
            fallbacks: fonts.fallbacks(),
            missing: BTreeSet::new(),
        }
    }

    pub fn fonts(&self) -> &'a FontSet {
        self.fonts
    }

    /// The rustybuzz face of `font`, made (and a fallback font read) on first use.
    fn face(&mut self, font: FontId) -> Option<&Face<'a>> {
        let fonts = self.fonts;
        let slot = self.faces.get_mut(font.0 as usize)?;
        slot.get_or_insert_with(|| fonts.load(font).and_then(|f| Face::from_slice(f.data(), 0)))
            .as_ref()
    }

    fn covers(&mut self, font: FontId, c: char) -> bool {
        self.face(font).is_some_and(|f| f.glyph_index(c).is_some())
    }

    /// The first font of the fallback chain that has `c`.
    fn fallback_for(&mut self, c: char) -> Option<FontId> {
        for k in 0..self.fallbacks.len() {
            let (id, fb) = self.fallbacks[k];
            if fb.is_none_or(|fb| fb.wants(c)) && self.covers(id, c) {
                return Some(id);
            }
        }
        None
    }

    /// Shapes `text` in `font`, from the cache when possible.
    pub fn shape(
        &mut self,
        text: &str,
        font: FontId,
        features: Features,
        lang: Lang,
    ) -> Rc<Shaped> {
        let key = (font, features, lang);
        if let Some(hit) = self.cache.get(&key).and_then(|m| m.get(text)) {
            self.missing.extend(&hit.missing);
            return hit.clone();
        }
        let shaped = Rc::new(self.shape_uncached(text, font, features, lang));
        self.cache
            .entry(key)
            .or_default()
            .insert(text.to_string(), shaped.clone());
        shaped
    }

    fn shape_uncached(
        &mut self,
        text: &str,
        font: FontId,
        features: Features,
        lang: Lang,
    ) -> Shaped {
        // Split into runs by the face that can show each character.
        let mut runs: Vec<(FontId, usize, usize)> = Vec::new();
        let mut missing = Vec::new();
        for (i, c) in text.char_indices() {
            let mut chosen = font;
            if !is_invisible(c) && !self.covers(font, c) {
                match self.fallback_for(c) {
                    Some(f) => chosen = f,
                    None => missing.push(c),
                }
            }
            match runs.last_mut() {
                Some((f, _, end)) if *f == chosen => *end = i + c.len_utf8(),
                _ => runs.push((chosen, i, i + c.len_utf8())),
            }
        }
        let mut segments = Vec::with_capacity(runs.len());
        let mut width = 0.0;
        for (f, start, end) in runs {
            let seg = self.shape_run(&text[start..end], start, f, features, lang);
            width += seg.glyphs.iter().map(|g| g.advance).sum::<f64>();
            segments.push(seg);
        }
        let ranges = segment_ranges(&segments, text.len());
        for (seg, &(_, end)) in segments.iter_mut().zip(&ranges) {
            cluster_lengths(&mut seg.glyphs, end);
        }
        self.missing.extend(&missing);
        Shaped {
            segments,
            width,
            missing,
            ranges,
        }
    }

    fn plan(&mut self, font: FontId, features: Features, lang: Lang) -> Option<Rc<ShapePlan>> {
        let key = (font, features, lang);
        if let Some(p) = self.plans.get(&key) {
            return Some(p.clone());
        }
        let face = self.face(font)?;
        let language = lang_tag(lang);
        let feats = feature_list(features);
        let plan = Rc::new(ShapePlan::new(
            face,
            Direction::LeftToRight,
            Some(script::LATIN),
            language.as_ref(),
            &feats,
        ));
        self.plans.insert(key, plan.clone());
        Some(plan)
    }

    /// The plan for a run of another script than Latin, in its direction.
    fn script_plan(
        &mut self,
        font: FontId,
        features: Features,
        lang: Lang,
        script: rustybuzz::Script,
        rtl: bool,
    ) -> Option<Rc<ShapePlan>> {
        let key = (font, features, lang, script, rtl);
        if let Some(p) = self.script_plans.get(&key) {
            return Some(p.clone());
        }
        let face = self.face(font)?;
        let direction = if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        };
        let plan = Rc::new(ShapePlan::new(
            face,
            direction,
            Some(script),
            lang_tag(lang).as_ref(),
            &feature_list(features),
        ));
        self.script_plans.insert(key, plan.clone());
        Some(plan)
    }

    fn shape_run(
        &mut self,
        text: &str,
        base: usize,
        font: FontId,
        features: Features,
        lang: Lang,
    ) -> Segment {
        let empty = Segment {
            font,
            glyphs: Vec::new(),
        };
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        // Latin text (and its punctuation and symbols) is shaped as it always was; a run
        // of another script gets its script and direction (Hebrew and Arabic right to
        // left, so the glyphs come out in visual order), and the shaping it needs.
        let plan = if text.chars().any(needs_script) {
            buffer.guess_segment_properties();
            let script = buffer.script();
            let rtl = buffer.direction() == Direction::RightToLeft;
            self.script_plan(font, features, lang, script, rtl)
        } else {
            buffer.set_direction(Direction::LeftToRight);
            buffer.set_script(script::LATIN);
            self.plan(font, features, lang)
        };
        let Some(plan) = plan else {
            return empty;
        };
        if let Some(l) = lang_tag(lang) {
            buffer.set_language(l);
        }
        let upem = self.fonts.face(font).units_per_em.max(1) as f64;
        let Some(face) = self.face(font) else {
            return empty;
        };
        let out = rustybuzz::shape_with_plan(face, &plan, buffer);
        let glyphs = out
            .glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .filter(|(info, _)| {
                // A soft hyphen shows nothing unless the line breaks there (handled by the
                // caller), so drop any glyph it produced.
                let c = text[info.cluster as usize..].chars().next();
                !(c == Some(SOFT_HYPHEN)
                    && text[info.cluster as usize..].len() == SOFT_HYPHEN.len_utf8())
            })
            .map(|(info, pos)| ShapedGlyph {
                id: info.glyph_id as u16,
                cluster: info.cluster + base as u32,
                len: 0,
                advance: pos.x_advance as f64 / upem,
                x_offset: pos.x_offset as f64 / upem,
                y_offset: pos.y_offset as f64 / upem,
            })
            .collect();
        Segment { font, glyphs }
    }
}

/// Whether `c` belongs to a script that Latin shaping does not serve: anything beyond
/// Latin, its punctuation and the symbol blocks (Greek, Cyrillic, Hebrew, Arabic, the
/// Indic scripts, CJK…).
fn needs_script(c: char) -> bool {
    let c = c as u32;
    !(c < 0x0370 || (0x1E00..=0x1EFF).contains(&c) || (0x2000..=0x2E7F).contains(&c))
}

/// The byte range of the text each segment shows: from its first cluster to the next
/// segment's.
fn segment_ranges(segments: &[Segment], text_len: usize) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = segments
        .iter()
        .map(|s| {
            s.glyphs
                .iter()
                .map(|g| g.cluster as usize)
                .min()
                .unwrap_or(text_len)
        })
        .collect();
    (0..starts.len())
        .map(|i| {
            let end = starts[i + 1..]
                .iter()
                .copied()
                .find(|&s| s > starts[i])
                .unwrap_or(text_len);
            (starts[i].min(end), end)
        })
        .collect()
}

/// Sets each glyph's `len`: up to the next cluster (or `end`, where the segment's text
/// ends) for the first glyph of a cluster, 0 for the others.
fn cluster_lengths(glyphs: &mut [ShapedGlyph], end: usize) {
    let mut starts: Vec<u32> = glyphs.iter().map(|g| g.cluster).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut seen: Vec<u32> = Vec::new();
    for g in glyphs {
        let idx = starts.binary_search(&g.cluster).unwrap_or(0);
        let next = starts.get(idx + 1).map_or(end as u32, |n| *n);
        g.len = if seen.contains(&g.cluster) {
            0
        } else {
            seen.push(g.cluster);
            next.saturating_sub(g.cluster)
        };
    }
}

fn lang_tag(lang: Lang) -> Option<Language> {
    Language::from_str(match lang {
        Lang::Nl => "nl",
        Lang::En => "en",
    })
    .ok()
}

fn feature_list(features: Features) -> Vec<Feature> {
    let mut out = Vec::new();
    if features.small_caps
        && let Ok(f) = Feature::from_str("smcp")
    {
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::flow::Family;

    #[test]
    fn ligatures_and_kerning() {
        let fonts = FontSet::builtin();
        let mut shaper = Shaper::new(&fonts);
        let body = fonts.select(Family::Body, false, false);
        let s = shaper.shape("officiële", body, Features::default(), Lang::Nl);
        let glyphs: usize = s.segments.iter().map(|s| s.glyphs.len()).sum();
        assert!(
            glyphs < "officiële".chars().count(),
            "ffi should be one glyph"
        );
        // The ligature cannot be split, the boundary after it can.
        assert!(s.splits_cluster(2, "officiële"));
        let av = shaper.shape("AV", body, Features::default(), Lang::Nl);
        let a = shaper.shape("A", body, Features::default(), Lang::Nl);
        let v = shaper.shape("V", body, Features::default(), Lang::Nl);
        assert!(av.width < a.width + v.width, "AV is kerned");
    }

    #[test]
    fn fallback_face_for_missing_characters() {
        let fonts = FontSet::builtin();
        let mut shaper = Shaper::new(&fonts);
        let body = fonts.select(Family::Body, false, false);
        let s = shaper.shape("■", body, Features::default(), Lang::Nl);
        assert_eq!(s.segments.len(), 1);
        assert_ne!(s.segments[0].font, body);
        assert!(shaper.missing.is_empty());
        let s = shaper.shape("x\u{10FFFD}", body, Features::default(), Lang::Nl);
        assert_eq!(s.segments[0].glyphs.len(), 2);
        assert!(shaper.missing.contains(&'\u{10FFFD}'));
        // A later chapter that gets the same word from the cache reports it too.
        shaper.missing.clear();
        shaper.shape("x\u{10FFFD}", body, Features::default(), Lang::Nl);
        assert!(shaper.missing.contains(&'\u{10FFFD}'));
    }

    #[test]
    fn cache_returns_the_same_result() {
        let fonts = FontSet::builtin();
        let mut shaper = Shaper::new(&fonts);
        let body = fonts.select(Family::Body, false, false);
        let a = shaper.shape("opvoeding", body, Features::default(), Lang::Nl);
        let b = shaper.shape("opvoeding", body, Features::default(), Lang::Nl);
        assert!(Rc::ptr_eq(&a, &b));
    }
}
