//! The fonts of a print edition: which file plays which role, and their metrics.
//!
//! The house faces come from the vendored `styles/fonts/` (embedded in the binary) or from
//! a publisher's own style folder. A character none of them has is taken from the
//! fallback chain ([`FALLBACK_CHAIN`]): vendored symbol faces first, then Noto faces for
//! other scripts, read from the system by path only when a character needs them. A book
//! in the scripts of the house faces reads no system font and comes out the same on
//! every machine.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustybuzz::ttf_parser;
use serde::Deserialize;

use crate::typeset::flow::Family;

/// Index of a face in a [`FontSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontId(pub u16);

#[derive(Clone)]
enum FontData {
    Static(&'static [u8]),
    Shared(Arc<[u8]>),
}

/// Where a font of the fallback chain comes from.
#[derive(Clone, Copy, Debug)]
pub enum FallbackSource {
    /// A face of the house set: its regular style in this role (■ is in the mono face).
    House(Family),
    /// A vendored file, embedded in the binary.
    Builtin(&'static str, &'static [u8]),
    /// A system file: the first of these paths that exists (face 0 of a collection).
    System {
        paths: &'static [&'static str],
        /// The Debian package that installs it, named when a character needs it.
        package: &'static str,
    },
}

/// One font of the fallback chain, and the characters it is asked for.
#[derive(Clone, Copy, Debug)]
pub struct Fallback {
    pub source: FallbackSource,
    /// Inclusive ranges of code points the font is tried for; empty for any. A system
    /// font is read only when a character in its ranges is missing from every font
    /// before it, so a book without such characters never loads it.
    pub ranges: &'static [(u32, u32)],
}

impl Fallback {
    /// Whether the font is asked for `c` at all.
    pub fn wants(&self, c: char) -> bool {
        let c = c as u32;
        self.ranges.is_empty() || self.ranges.iter().any(|&(a, b)| (a..=b).contains(&c))
    }
}

const CORE: &str = "fonts-noto-core";
const CJK: &str = "fonts-noto-cjk";
const SYMBOLA: &str = "fonts-symbola";
/// CJK punctuation, kana, Hangul, the ideographs and their extensions, full-width forms.
const CJK_RANGES: &[(u32, u32)] = &[
    (0x1100, 0x11FF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3134F),
];
/// Symbols and pictographs: punctuation, arrows, operators, shapes, dingbats, emoji.
const SYMBOL_RANGES: &[(u32, u32)] = &[(0x2000, 0x2BFF), (0x1F000, 0x1FBFF)];

const fn system(
    ranges: &'static [(u32, u32)],
    paths: &'static [&'static str],
    package: &'static str,
) -> Fallback {
    Fallback {
        source: FallbackSource::System { paths, package },
        ranges,
    }
}

/// The fallback chain of the house style, in the order it is tried after the body and
/// heading faces (`styles/fonts/README.md` lists it too). Serif faces come before sans
/// ones where Noto has both, to go with the serif body.
///
/// * Noto Sans Math (vendored): the minus sign, arrows, operators and other symbols of
///   running text, so that they are set in a text face and not in the code face;
/// * the house mono face: geometric shapes such as the ■ of list bullets;
/// * from the system (Debian `fonts-noto-core`): Noto Sans Symbols 2 and Symbols, then
///   Symbola (`fonts-symbola`) for emoji, then Hebrew, Arabic, the Indic scripts, Thai, Armenian, Georgian and Ethiopic;
/// * from the system (Debian `fonts-noto-cjk`): Noto Serif CJK, then Noto Sans CJK, for
///   Chinese, Japanese and Korean (the collections' first face, the Japanese one).
///
/// Latin, Greek and Cyrillic are in the house faces themselves.
pub const FALLBACK_CHAIN: &[Fallback] = &[
    Fallback {
        source: FallbackSource::Builtin(
            "NotoSansMath-Regular.ttf",
            include_bytes!("../../styles/fonts/NotoSansMath-Regular.ttf"),
        ),
        ranges: &[],
    },
    Fallback {
        source: FallbackSource::House(Family::Mono),
        ranges: &[],
    },
    system(
        SYMBOL_RANGES,
        &["/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf"],
        CORE,
    ),
    system(
        SYMBOL_RANGES,
        &["/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf"],
        CORE,
    ),
    // Symbola (Debian `fonts-symbola`): the emoji of running text (`:bulb:` is 💡), in
    // outline, as print takes them; Noto's emoji are colour bitmaps.
    system(
        SYMBOL_RANGES,
        &["/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"],
        SYMBOLA,
    ),
    system(
        &[(0x0590, 0x05FF), (0xFB1D, 0xFB4F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifHebrew-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[
            (0x0600, 0x06FF),
            (0x0750, 0x077F),
            (0x08A0, 0x08FF),
            (0xFB50, 0xFDFF),
            (0xFE70, 0xFEFF),
        ],
        &[
            "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0900, 0x097F), (0xA8E0, 0xA8FF)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0980, 0x09FF)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifBengali-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0A00, 0x0A7F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifGurmukhi-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansGurmukhi-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0A80, 0x0AFF)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifGujarati-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansGujarati-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0B80, 0x0BFF)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifTamil-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansTamil-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0C00, 0x0C7F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifTelugu-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansTelugu-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0C80, 0x0CFF)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifKannada-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansKannada-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0D00, 0x0D7F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifMalayalam-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansMalayalam-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0E00, 0x0E7F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifThai-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x0530, 0x058F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifArmenian-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansArmenian-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x10A0, 0x10FF)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifGeorgian-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansGeorgian-Regular.ttf",
        ],
        CORE,
    ),
    system(
        &[(0x1200, 0x139F)],
        &[
            "/usr/share/fonts/truetype/noto/NotoSerifEthiopic-Regular.ttf",
            "/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf",
        ],
        CORE,
    ),
    system(
        CJK_RANGES,
        &["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"],
        CJK,
    ),
    system(
        CJK_RANGES,
        &["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"],
        CJK,
    ),
];

/// The fallback fonts of a set beyond its house faces, each loaded on first use and
/// shared by every clone of the set.
struct Chain {
    /// By position in [`FALLBACK_CHAIN`]: the face once it was looked for (`None` when no
    /// file of it exists or it cannot be read).
    loaded: Vec<OnceLock<Option<FontFace>>>,
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.loaded
                    .iter()
                    .map(|l| l.get().map(|f| f.as_ref().map(|f| &f.name))),
            )
            .finish()
    }
}

impl Chain {
    fn new() -> Chain {
        Chain {
            loaded: FALLBACK_CHAIN.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The face of chain entry `k`, read on first use.
    fn get(&self, k: usize) -> Option<&FontFace> {
        self.loaded
            .get(k)?
            .get_or_init(|| match FALLBACK_CHAIN[k].source {
                FallbackSource::House(_) => None,
                FallbackSource::Builtin(file, bytes) => {
                    FontFace::parse(FontData::Static(bytes), Path::new(file)).ok()
                }
                FallbackSource::System { paths, .. } => paths.iter().find_map(|p| {
                    let bytes = std::fs::read(p).ok()?;
                    FontFace::parse(FontData::Shared(Arc::from(bytes)), Path::new(p)).ok()
                }),
            })
            .as_ref()
    }

    /// Entry `k` if it has been read already.
    fn peek(&self, k: usize) -> Option<&FontFace> {
        self.loaded.get(k)?.get().and_then(Option::as_ref)
    }
}

/// One font file with the metrics the engine needs.
#[derive(Clone)]
pub struct FontFace {
    /// PostScript name, used as the PDF BaseFont.
    pub name: String,
    data: FontData,
    pub units_per_em: u16,
    pub ascender: i16,
    pub descender: i16,
    pub cap_height: i16,
    pub x_height: i16,
    /// Glyph of the hyphen, used at hyphenation breaks.
    pub hyphen: Option<u16>,
}

impl fmt::Debug for FontFace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FontFace")
            .field("name", &self.name)
            .field("bytes", &self.data().len())
            .finish()
    }
}

impl FontFace {
    fn parse(data: FontData, origin: &Path) -> Result<FontFace, FontError> {
        let bytes: &[u8] = match &data {
            FontData::Static(b) => b,
            FontData::Shared(b) => b,
        };
        let face = ttf_parser::Face::parse(bytes, 0).map_err(|e| FontError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })?;
        check_tables(bytes).map_err(|message| FontError::Parse {
            path: origin.to_path_buf(),
            message,
        })?;
        let name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| {
                origin
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "Font".into())
            });
        // PDF names must not contain spaces or delimiters.
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let units_per_em = face.units_per_em();
        let ascender = face.ascender();
        let descender = face.descender();
        let x_height = face
            .x_height()
            .unwrap_or((units_per_em as f32 * 0.5) as i16);
        let cap_height = face
            .capital_height()
            .unwrap_or((units_per_em as f32 * 0.7) as i16);
        let hyphen = face.glyph_index('-').map(|g| g.0);
        Ok(FontFace {
            name,
            data: data.clone(),
            units_per_em,
            ascender,
            descender,
            cap_height,
            x_height,
            hyphen,
        })
    }

    /// The font file.
    pub fn data(&self) -> &[u8] {
        match &self.data {
            FontData::Static(b) => b,
            FontData::Shared(b) => b,
        }
    }
}

/// Checks that a font file is whole: ttf-parser reads tables lazily, so a file cut short or
/// damaged inside still parses, and its glyphs are then missing from the PDF (text that is
/// there but invisible). Every table must lie inside the file, the tables a text font needs
/// must be there, and the glyph index (`loca`) must point inside the glyph data.
fn check_tables(data: &[u8]) -> Result<(), String> {
    let raw = ttf_parser::RawFace::parse(data, 0).map_err(|e| e.to_string())?;
    let mut tables = std::collections::HashMap::new();
    for r in raw.table_records {
        let end = u64::from(r.offset) + u64::from(r.length);
        let name = String::from_utf8_lossy(&r.tag.to_bytes())
            .trim_end()
            .to_string();
        if end > data.len() as u64 {
            return Err(format!(
                "the file is cut short: its `{name}` table runs to byte {end}, the file has {}",
                data.len()
            ));
        }
        tables.insert(name, &data[r.offset as usize..end as usize]);
    }
    for needed in ["head", "hhea", "hmtx", "maxp", "cmap"] {
        if !tables.contains_key(needed) {
            return Err(format!("it has no `{needed}` table"));
        }
    }
    let u16_at = |t: &[u8], at: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes(
            t.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let u32_at = |t: &[u8], at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(t.get(at..at + 4)?.try_into().ok()?))
    };
    let glyphs = u16_at(tables["maxp"], 4).ok_or("its `maxp` table is too short")?;
    let metrics = u16_at(tables["hhea"], 34).ok_or("its `hhea` table is too short")?;
    if metrics == 0 || metrics > glyphs || (tables["hmtx"].len() as u32) < metrics * 4 {
        return Err("its `hmtx` table does not match its glyphs".into());
    }
    match (tables.get("glyf"), tables.get("loca")) {
        (Some(glyf), Some(loca)) => {
            let long = u16_at(tables["head"], 50).ok_or("its `head` table is too short")? == 1;
            let mut last = 0;
            for g in 0..=glyphs as usize {
                let offset = if long {
                    u32_at(loca, g * 4)
                } else {
                    u16_at(loca, g * 2).map(|o| o * 2)
                }
                .ok_or("its glyph index (`loca`) is cut short")?;
                if offset < last || offset as usize > glyf.len() {
                    return Err(format!(
                        "its glyph index (`loca`) points outside the glyph data at glyph {g}"
                    ));
                }
                if g > 0 && offset > last {
                    check_glyph(&glyf[last as usize..offset as usize], glyphs)
                        .ok_or_else(|| format!("its outline of glyph {} is damaged", g - 1))?;
                }
                last = offset;
            }
        }
        _ if tables.contains_key("CFF") || tables.contains_key("CFF2") => {}
        _ => return Err("it has no glyph outlines (`glyf` or `CFF`)".into()),
    }
    Ok(())
}

/// Whether a `glyf` entry holds what its header says: the contour ends and instructions of a
/// simple glyph, or components that name glyphs the font has. (All the subsetter reads.)
fn check_glyph(g: &[u8], glyphs: u32) -> Option<()> {
    let u16_at = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes(
            g.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let contours = i16::from_be_bytes(g.get(0..2)?.try_into().ok()?);
    if contours >= 0 {
        let n = contours as usize;
        let instructions = u16_at(10 + 2 * n)?;
        (10 + 2 * n + 2 + instructions <= g.len()).then_some(())
    } else {
        let mut at = 10;
        loop {
            let flags = u16_at(at)?;
            if u16_at(at + 2)? as u32 >= glyphs {
                return None;
            }
            at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            at += match flags {
                f if f & 0x0008 != 0 => 2,
                f if f & 0x0040 != 0 => 4,
                f if f & 0x0080 != 0 => 8,
                _ => 0,
            };
            if at > g.len() {
                return None;
            }
            if flags & 0x0020 == 0 {
                return Some(());
            }
        }
    }
}

/// Why a style folder's fonts could not be used.
#[derive(Debug)]
pub enum FontError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    Manifest {
        path: PathBuf,
        message: String,
    },
    Parse {
        path: PathBuf,
        message: String,
    },
}

impl fmt::Display for FontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FontError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            FontError::Manifest { path, message } => write!(f, "{}: {message}", path.display()),
            FontError::Parse { path, message } => {
                write!(f, "{}: not a usable font: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for FontError {}

/// Slot index of a style within a family: regular, italic, bold, bold italic.
fn style_slot(bold: bool, italic: bool) -> usize {
    match (bold, italic) {
        (false, false) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (true, true) => 3,
    }
}

fn family_slot(family: Family) -> usize {
    match family {
        Family::Body => 0,
        Family::Heading => 1,
        Family::Mono => 2,
    }
}

/// The faces of the three typeface roles in four styles each, and the fallback chain.
///
/// Ids `0..faces.len()` are the house faces; the ids after them are the entries of
/// [`FALLBACK_CHAIN`] in order, whether or not they were ever read, so that an id means
/// the same font in every build.
#[derive(Clone, Debug)]
pub struct FontSet {
    faces: Vec<FontFace>,
    slots: [[FontId; 4]; 3],
    chain: Arc<Chain>,
}

/// The manifest `fonts.yaml` of a style folder.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    body: Styles,
    heading: Option<Styles>,
    mono: Option<Styles>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Styles {
    regular: String,
    italic: Option<String>,
    bold: Option<String>,
    #[serde(rename = "bold-italic")]
    bold_italic: Option<String>,
}

impl Styles {
    fn files(&self) -> [Option<&str>; 4] {
        [
            Some(self.regular.as_str()),
            self.italic.as_deref(),
            self.bold.as_deref(),
            self.bold_italic.as_deref(),
        ]
    }
}

macro_rules! builtin_font {
    ($file:literal) => {
        (
            $file,
            include_bytes!(concat!("../../styles/fonts/", $file)) as &'static [u8],
        )
    };
}

/// A role's four styles: (file name, bytes) each, if present.
type Styled = [Option<(&'static str, &'static [u8])>; 4];

/// The vendored fonts, in the roles of `styles/fonts/fonts.yaml` (a test keeps the two equal).
const BUILTIN: [Styled; 3] = [
    [
        Some(builtin_font!("NotoSerif-Regular.ttf")),
        Some(builtin_font!("NotoSerif-Italic.ttf")),
        Some(builtin_font!("NotoSerif-Bold.ttf")),
        Some(builtin_font!("NotoSerif-BoldItalic.ttf")),
    ],
    [
        Some(builtin_font!("NotoSans-Regular.ttf")),
        Some(builtin_font!("NotoSans-Italic.ttf")),
        Some(builtin_font!("NotoSans-Bold.ttf")),
        None,
    ],
    [
        Some(builtin_font!("NotoSansMono-Regular.ttf")),
        None,
        None,
        None,
    ],
];

/// The vendored house font files (for drawing the text of SVG figures with them).
pub fn house_font_files() -> impl Iterator<Item = &'static [u8]> {
    BUILTIN.iter().flatten().flatten().map(|(_, bytes)| *bytes)
}

impl FontSet {
    /// The house fonts (Noto Serif, Noto Sans, Noto Sans Mono), embedded in the binary.
    pub fn builtin() -> FontSet {
        let mut set = FontSet {
            faces: Vec::new(),
            slots: [[FontId(0); 4]; 3],
            chain: Arc::new(Chain::new()),
        };
        let mut files: Vec<&str> = Vec::new();
        let mut filled = [[None; 4]; 3];
        for (f, styles) in BUILTIN.iter().enumerate() {
            for (s, entry) in styles.iter().enumerate() {
                let Some((file, bytes)) = entry else { continue };
                let id = match files.iter().position(|x| x == file) {
                    Some(i) => FontId(i as u16),
                    None => {
                        // The vendored files are known-good; a failure here is a build defect.
                        let face = FontFace::parse(FontData::Static(bytes), Path::new(file))
                            .expect("vendored font parses");
                        files.push(file);
                        set.faces.push(face);
                        FontId(set.faces.len() as u16 - 1)
                    }
                };
                filled[f][s] = Some(id);
            }
        }
        set.slots = resolve_slots(&filled);
        set
    }

    /// Fonts from a publisher's style folder, described by its `fonts.yaml`:
    ///
    /// ```yaml
    /// body:    {regular: A-Regular.otf, italic: A-Italic.otf, bold: A-Bold.otf, bold-italic: A-BoldItalic.otf}
    /// heading: {regular: B-Regular.otf, bold: B-Bold.otf}
    /// mono:    {regular: C-Regular.ttf}
    /// ```
    ///
    /// Missing styles fall back within the role (bold italic → bold → regular); a missing
    /// heading role uses the body fonts, a missing mono role the built-in mono.
    pub fn from_dir(dir: &Path) -> Result<FontSet, FontError> {
        let manifest_path = dir.join("fonts.yaml");
        let text = std::fs::read_to_string(&manifest_path).map_err(|error| FontError::Io {
            path: manifest_path.clone(),
            error,
        })?;
        let manifest: Manifest = serde_yaml::from_str(&text).map_err(|e| FontError::Manifest {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;

        let mut set = FontSet {
            faces: Vec::new(),
            slots: [[FontId(0); 4]; 3],
            chain: Arc::new(Chain::new()),
        };
        let mut files: Vec<String> = Vec::new();
        let mut filled = [[None; 4]; 3];
        let roles = [
            Some(manifest.body.clone()),
            manifest.heading.clone(),
            manifest.mono.clone(),
        ];
        for (f, role) in roles.iter().enumerate() {
            let Some(styles) = role else { continue };
            for (s, file) in styles.files().into_iter().enumerate() {
                let Some(file) = file else { continue };
                if file.contains("..") || Path::new(file).is_absolute() {
                    return Err(FontError::Manifest {
                        path: manifest_path.clone(),
                        message: format!("font file {file:?} must be inside the style folder"),
                    });
                }
                let id = match files.iter().position(|x| x == file) {
                    Some(i) => FontId(i as u16),
                    None => {
                        let path = dir.join(file);
                        let bytes = std::fs::read(&path).map_err(|error| FontError::Io {
                            path: path.clone(),
                            error,
                        })?;
                        let face = FontFace::parse(FontData::Shared(Arc::from(bytes)), &path)?;
                        files.push(file.to_string());
                        set.faces.push(face);
                        FontId(set.faces.len() as u16 - 1)
                    }
                };
                filled[f][s] = Some(id);
            }
        }
        if manifest.heading.is_none() {
            filled[1] = filled[0];
        }
        if manifest.mono.is_none() {
            let builtin = FontSet::builtin();
            let mono = builtin.faces[builtin.slots[2][0].0 as usize].clone();
            set.faces.push(mono);
            filled[2][0] = Some(FontId(set.faces.len() as u16 - 1));
        }
        set.slots = resolve_slots(&filled);
        Ok(set)
    }

    /// The face for a role and style, falling back to the nearest style present.
    pub fn select(&self, family: Family, bold: bool, italic: bool) -> FontId {
        self.slots[family_slot(family)][style_slot(bold, italic)]
    }

    /// The face of `id`, reading a fallback font on first use; `None` for a fallback
    /// font that is not installed.
    pub fn load(&self, id: FontId) -> Option<&FontFace> {
        let i = id.0 as usize;
        match self.faces.get(i) {
            Some(f) => Some(f),
            None => self.chain.get(i - self.faces.len()),
        }
    }

    /// The face of `id`, which the layout used (so a fallback font was read).
    pub fn face(&self, id: FontId) -> &FontFace {
        self.load(id).unwrap_or(&self.faces[0])
    }

    /// The faces read so far (house faces and the fallback fonts a layout used), in id
    /// order; fallback fonts never needed are not read for this.
    pub fn faces(&self) -> impl Iterator<Item = (FontId, &FontFace)> {
        let n = self.faces.len();
        self.faces
            .iter()
            .enumerate()
            .map(|(i, f)| (FontId(i as u16), f))
            .chain(
                (0..FALLBACK_CHAIN.len())
                    .filter_map(move |k| self.chain.peek(k).map(|f| (FontId((n + k) as u16), f))),
            )
    }

    /// The number of font ids: house faces and fallback entries.
    pub fn len(&self) -> usize {
        self.faces.len() + FALLBACK_CHAIN.len()
    }

    pub fn is_empty(&self) -> bool {
        self.faces.is_empty()
    }

    /// Fonts tried, in order, for characters the chosen face lacks: the body and heading
    /// faces, then [`FALLBACK_CHAIN`], each with the characters it is asked for (`None`:
    /// any).
    pub fn fallbacks(&self) -> Vec<(FontId, Option<&'static Fallback>)> {
        let mut out: Vec<(FontId, Option<&'static Fallback>)> = Vec::new();
        for f in [Family::Body, Family::Heading] {
            let id = self.select(f, false, false);
            if !out.iter().any(|(i, _)| *i == id) {
                out.push((id, None));
            }
        }
        for (k, fb) in FALLBACK_CHAIN.iter().enumerate() {
            let id = match fb.source {
                FallbackSource::House(family) => self.select(family, false, false),
                _ => FontId((self.faces.len() + k) as u16),
            };
            if !out.iter().any(|(i, _)| *i == id) {
                out.push((id, Some(fb)));
            }
        }
        out
    }

    /// The Debian package of the first fallback font that would be asked for `c` and is
    /// not installed: what to install when no font has it.
    pub fn missing_package(&self, c: char) -> Option<&'static str> {
        FALLBACK_CHAIN
            .iter()
            .enumerate()
            .find_map(|(k, fb)| match fb.source {
                FallbackSource::System { package, .. }
                    if fb.wants(c) && self.chain.get(k).is_none() =>
                {
                    Some(package)
                }
                _ => None,
            })
    }
}

/// Fills empty style slots: bold italic → bold → regular, italic → regular, bold → regular.
fn resolve_slots(filled: &[[Option<FontId>; 4]; 3]) -> [[FontId; 4]; 3] {
    let mut out = [[FontId(0); 4]; 3];
    for f in 0..3 {
        let regular = filled[f][0].or(filled[0][0]).unwrap_or(FontId(0));
        let italic = filled[f][1].unwrap_or(regular);
        let bold = filled[f][2].unwrap_or(regular);
        let bold_italic = filled[f][3].unwrap_or(bold);
        out[f] = [regular, italic, bold, bold_italic];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matches_the_manifest() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("styles/fonts");
        let from_dir = FontSet::from_dir(&dir).expect("styles/fonts loads");
        let builtin = FontSet::builtin();
        for family in [Family::Body, Family::Heading, Family::Mono] {
            for (bold, italic) in [(false, false), (false, true), (true, false), (true, true)] {
                let a = builtin.face(builtin.select(family, bold, italic));
                let b = from_dir.face(from_dir.select(family, bold, italic));
                assert_eq!(a.name, b.name, "{family:?} bold={bold} italic={italic}");
            }
        }
        assert_eq!(builtin.faces().count(), 8);
        assert_eq!(builtin.len(), 8 + FALLBACK_CHAIN.len());
    }

    #[test]
    fn names_and_metrics() {
        let set = FontSet::builtin();
        let body = set.face(set.select(Family::Body, false, false));
        assert_eq!(body.name, "NotoSerif-Regular");
        assert_eq!(body.units_per_em, 1000);
        assert!(body.hyphen.is_some());
        assert_eq!(
            set.face(set.select(Family::Mono, true, true)).name,
            "NotoSansMono-Regular"
        );
        assert_eq!(
            set.face(set.select(Family::Heading, true, true)).name,
            "NotoSans-Bold"
        );
    }

    #[test]
    fn missing_folder_is_an_error() {
        let err = FontSet::from_dir(Path::new("/nonexistent/style")).unwrap_err();
        assert!(err.to_string().contains("fonts.yaml"));
    }
}
