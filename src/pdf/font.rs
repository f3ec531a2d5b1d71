//! Embedded fonts: each face subset to the glyphs the document uses, written as a CID
//! font (Type0, Identity-H) with widths and a ToUnicode map.
//!
//! `subsetter` renumbers the kept glyphs 1, 2, 3, … (0 stays `.notdef`) and, for CFF
//! faces, makes the CIDs equal to the new glyph ids, so the code written in a content
//! stream is always the new glyph id. The ToUnicode map gives every code the text of the
//! glyph as the layout set it, so a ligature copies out as "fi".
//!
//! Everything here is independent of the edition: both PDFs of one layout embed the same
//! subsets, compressed once.

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use rustybuzz::ttf_parser;

use crate::pdf::content::int;
use crate::typeset::{FontFace, FontId, FontSet, Item, Page};

/// The glyphs each face draws, by original glyph id, with the first non-empty text seen
/// for each (`None`: not used).
pub(crate) fn used_glyphs<'a>(
    pages: impl IntoIterator<Item = &'a Page>,
    fonts: &FontSet,
) -> Vec<Vec<Option<String>>> {
    // By font id; a fallback font the layout never read has no glyphs in use.
    let mut used: Vec<Vec<Option<String>>> = vec![Vec::new(); fonts.len()];
    for (id, f) in fonts.faces() {
        let n = ttf_parser::Face::parse(f.data(), 0)
            .map(|p| p.number_of_glyphs())
            .unwrap_or(0);
        used[usize::from(id.0)] = vec![None; usize::from(n)];
    }
    for page in pages {
        for item in &page.items {
            let Item::Glyphs(run) = item else { continue };
            let Some(slots) = used.get_mut(usize::from(run.font.0)) else {
                continue;
            };
            for g in &run.glyphs {
                let i = usize::from(g.id);
                if i >= slots.len() {
                    // A glyph id the face does not have: keep room for it anyway.
                    slots.resize(i + 1, None);
                }
                let slot = slots[i].get_or_insert_with(String::new);
                if slot.is_empty() {
                    slot.push_str(run.glyph_text(g));
                }
            }
        }
    }
    used
}

/// A face as embedded: the subset program, ready to write, and how to address its glyphs.
pub(crate) struct Embedded {
    /// The resource name in content streams (`F1`, `F2`, … by face id, so the same in
    /// every build).
    pub resource: String,
    /// `ABCDEF+Name` when subset (ISO 32000-1, 9.6.4), else the face's name.
    base_font: String,
    /// Original glyph id → code in the embedded program.
    codes: Vec<u16>,
    /// Advance width of each code in 1/1000 em, exactly as written in `/W`.
    widths: Vec<f64>,
    /// The font program, compressed, with its uncompressed length.
    program: Vec<u8>,
    program_len: usize,
    /// CFF outlines (an `OTTO` program): CIDFontType0 and FontFile3.
    cff: bool,
    /// The ToUnicode CMap, compressed.
    to_unicode: Vec<u8>,
    descriptor: Descriptor,
}

/// The font descriptor's metrics, in 1/1000 em.
struct Descriptor {
    ascent: i64,
    descent: i64,
    cap_height: i64,
    italic_angle: f64,
    stem_v: i64,
    bbox: [i64; 4],
}

impl Embedded {
    /// Subsets `face` to the glyphs marked in `used` (by original id). A face that cannot
    /// be subset is embedded whole.
    pub fn new(id: FontId, face: &FontFace, used: &[Option<String>]) -> Result<Embedded, String> {
        let data = face.data();
        let parsed = ttf_parser::Face::parse(data, 0).map_err(|e| e.to_string())?;
        let ids: Vec<u16> = used
            .iter()
            .enumerate()
            .filter(|(_, u)| u.is_some())
            .map(|(g, _)| g as u16)
            .collect();
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids);
        let (program, subset) = match subsetter::subset(data, 0, &remapper) {
            Ok(program) => (program, true),
            Err(_) => (data.to_vec(), false),
        };
        let mut codes = vec![0u16; used.len()];
        for &g in &ids {
            codes[usize::from(g)] = if subset {
                remapper.get(g).unwrap_or(0)
            } else {
                g
            };
        }
        let upem = f64::from(parsed.units_per_em());
        let scale = |v: f64| (v * 1000.0 / upem).round() as i64;
        let count = ids
            .iter()
            .map(|&g| codes[usize::from(g)])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0.0; usize::from(count) + 1];
        let mut text: Vec<(u16, &str)> = Vec::with_capacity(ids.len());
        for &g in &ids {
            let code = codes[usize::from(g)];
            let adv = parsed
                .glyph_hor_advance(ttf_parser::GlyphId(g))
                .unwrap_or(0);
            widths[usize::from(code)] = (f64::from(adv) * 1000.0 / upem * 1000.0).round() / 1000.0;
            match used[usize::from(g)].as_deref() {
                Some(t) if !t.is_empty() => text.push((code, t)),
                _ => {}
            }
        }
        text.sort_unstable_by_key(|(c, _)| *c);
        let bbox = parsed.global_bounding_box();
        let weight = parsed.weight().to_number();
        let descriptor = Descriptor {
            ascent: scale(f64::from(parsed.ascender())),
            descent: scale(f64::from(parsed.descender())),
            cap_height: scale(f64::from(
                parsed.capital_height().unwrap_or(parsed.ascender()),
            )),
            italic_angle: f64::from(parsed.italic_angle()),
            // No table records the stem width; estimate it from the weight class as PDF
            // producers do (about 88 at 400, 166 at 700).
            stem_v: 50 + (f64::from(weight) / 65.0).powi(2).round() as i64,
            bbox: [
                scale(f64::from(bbox.x_min)),
                scale(f64::from(bbox.y_min)),
                scale(f64::from(bbox.x_max)),
                scale(f64::from(bbox.y_max)),
            ],
        };
        let base_font = if subset {
            format!("{}+{}", subset_tag(&face.name, &ids), face.name)
        } else {
            face.name.clone()
        };
        Ok(Embedded {
            resource: format!("F{}", id.0 + 1),
            base_font,
            codes,
            widths,
            cff: program.starts_with(b"OTTO"),
            program_len: program.len(),
            program: crate::pdf::deflate(&program),
            to_unicode: crate::pdf::deflate(&to_unicode(&text)),
            descriptor,
        })
    }

    /// The code of an original glyph (`.notdef` for a glyph that was not collected).
    pub fn code(&self, glyph: u16) -> u16 {
        self.codes.get(usize::from(glyph)).copied().unwrap_or(0)
    }

    /// The advance of a code in 1/1000 em, as the viewer takes it from `/W`.
    pub fn width(&self, code: u16) -> f64 {
        self.widths.get(usize::from(code)).copied().unwrap_or(0.0)
    }

    /// Writes the font's objects; returns the Type0 font to put in the resources.
    pub fn add_to(&self, lo: &mut lopdf::Document) -> ObjectId {
        let name = || Object::Name(self.base_font.clone().into_bytes());
        let flate = |mut d: Dictionary, content: &[u8]| {
            d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            Stream::new(d, content.to_vec())
        };
        let mut file = Dictionary::new();
        if self.cff {
            file.set("Subtype", Object::Name(b"OpenType".to_vec()));
        } else {
            file.set("Length1", Object::Integer(self.program_len as i64));
        }
        let program = lo.add_object(flate(file, &self.program));

        let d = &self.descriptor;
        let mut fd = Dictionary::new();
        fd.set("Type", Object::Name(b"FontDescriptor".to_vec()));
        fd.set("FontName", name());
        fd.set("Flags", Object::Integer(descriptor_flags(d.italic_angle)));
        fd.set(
            "FontBBox",
            Object::Array(d.bbox.iter().map(|v| Object::Integer(*v)).collect()),
        );
        fd.set("ItalicAngle", Object::Real(d.italic_angle as f32));
        fd.set("Ascent", Object::Integer(d.ascent));
        fd.set("Descent", Object::Integer(d.descent));
        fd.set("CapHeight", Object::Integer(d.cap_height));
        fd.set("StemV", Object::Integer(d.stem_v));
        fd.set(
            if self.cff { "FontFile3" } else { "FontFile2" },
            Object::Reference(program),
        );
        let descriptor = lo.add_object(fd);

        let lit = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
        let mut info = Dictionary::new();
        info.set("Registry", lit("Adobe"));
        info.set("Ordering", lit("Identity"));
        info.set("Supplement", Object::Integer(0));
        let mut cid = Dictionary::new();
        cid.set("Type", Object::Name(b"Font".to_vec()));
        cid.set(
            "Subtype",
            Object::Name(if self.cff {
                b"CIDFontType0".to_vec()
            } else {
                b"CIDFontType2".to_vec()
            }),
        );
        cid.set("BaseFont", name());
        cid.set("CIDSystemInfo", Object::Dictionary(info));
        cid.set("FontDescriptor", Object::Reference(descriptor));
        cid.set("DW", Object::Integer(1000));
        let widths: Vec<Object> = self
            .widths
            .iter()
            .map(|&w| {
                if w.fract() == 0.0 {
                    Object::Integer(w as i64)
                } else {
                    Object::Real(w as f32)
                }
            })
            .collect();
        cid.set(
            "W",
            Object::Array(vec![Object::Integer(0), Object::Array(widths)]),
        );
        if !self.cff {
            cid.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
        }

        let to_unicode = lo.add_object(flate(Dictionary::new(), &self.to_unicode));
        let mut f = Dictionary::new();
        f.set("Type", Object::Name(b"Font".to_vec()));
        f.set("Subtype", Object::Name(b"Type0".to_vec()));
        f.set("BaseFont", name());
        f.set("Encoding", Object::Name(b"Identity-H".to_vec()));
        f.set(
            "DescendantFonts",
            Object::Array(vec![Object::Dictionary(cid)]),
        );
        f.set("ToUnicode", Object::Reference(to_unicode));
        lo.add_object(f)
    }
}

/// Nonsymbolic (the standard Latin set), plus italic for a slanted face (ISO 32000-1,
/// table 123).
fn descriptor_flags(italic_angle: f64) -> i64 {
    const NONSYMBOLIC: i64 = 1 << 5;
    const ITALIC: i64 = 1 << 6;
    if italic_angle != 0.0 {
        NONSYMBOLIC | ITALIC
    } else {
        NONSYMBOLIC
    }
}

/// The six-letter subset tag (ISO 32000-1, 9.6.4), derived from the glyph set so that
/// it is stable across builds and differs between subsets of one face.
fn subset_tag(name: &str, glyphs: &[u16]) -> String {
    let mut h = crate::pdf::catalog::Fnv::new();
    h.write(name.as_bytes());
    for g in glyphs {
        h.write(&g.to_be_bytes());
    }
    let mut v = h.finish();
    (0..6)
        .map(|_| {
            let c = (b'A' + (v % 26) as u8) as char;
            v /= 26;
            c
        })
        .collect()
}

/// A ToUnicode CMap from codes (ascending) to the text each glyph shows.
fn to_unicode(text: &[(u16, &str)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(300 + text.len() * 16);
    out.extend_from_slice(
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per block.
    for block in text.chunks(100) {
        int(&mut out, block.len() as u64);
        out.extend_from_slice(b" beginbfchar\n");
        for (code, t) in block {
            out.push(b'<');
            hex4(&mut out, *code);
            out.extend_from_slice(b"> <");
            for u in t.encode_utf16() {
                hex4(&mut out, u);
            }
            out.extend_from_slice(b">\n");
        }
        out.extend_from_slice(b"endbfchar\n");
    }
    out.extend_from_slice(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends four upper-case hex digits.
fn hex4(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&[
        HEX[usize::from(v >> 12)],
        HEX[usize::from(v >> 8 & 0xf)],
        HEX[usize::from(v >> 4 & 0xf)],
        HEX[usize::from(v & 0xf)],
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cmap_maps_ligatures_to_their_letters() {
        let cmap = String::from_utf8(to_unicode(&[(1, " "), (2, "fi"), (3, "ë")])).unwrap();
        assert!(cmap.contains("3 beginbfchar\n<0001> <0020>\n<0002> <00660069>\n<0003> <00EB>\n"));
    }

    #[test]
    fn tags_are_six_capitals_and_follow_the_glyphs() {
        let a = subset_tag("NotoSerif-Regular", &[1, 2, 3]);
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(a, subset_tag("NotoSerif-Regular", &[1, 2, 3]));
        assert_ne!(a, subset_tag("NotoSerif-Regular", &[1, 2, 4]));
    }
}
