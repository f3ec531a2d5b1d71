//! SVG figures as vector graphics: parsed by usvg, converted by svg2pdf, embedded as a
//! Form XObject.
//!
//! svg2pdf writes a small PDF of its own; its page becomes a form drawn into the unit
//! square, like an image, and the objects it refers to are copied into the book's PDF
//! under new numbers. The screen edition keeps svg2pdf's sRGB colours. The print edition
//! allows only DeviceCMYK and DeviceGray and no transparency, so every colour operator is
//! rewritten to CMYK through the output intent (a grey to black ink only, as for raster
//! images) and an SVG whose drawing needs transparency, a gradient, a pattern, a filter
//! or a raster image is refused with the reason, before anything is written.
//!
//! What an SVG may contain at all (no scripts, nothing outside the file) is checked by
//! [`check_safe`] for every edition, EPUB and web included.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Object, ObjectId, Stream};
use svg2pdf::usvg;

/// Whether `bytes` are an SVG document (rather than PNG or JPEG).
pub fn is_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<') && text.contains("<svg")
}

/// Refuses an SVG that runs code or reaches outside its own file: `<script>`, event
/// attributes (`onload`…), `<foreignObject>`, `<image>` (external or embedded raster
/// images), references that are not `#fragment`s (http:, file:, another SVG), and CSS
/// that imports or loads anything. Returns why.
pub fn check_safe(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the SVG is not UTF-8".to_string())?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .map_err(|e| format!("the SVG is not well-formed XML: {e}"))?;
    if doc.root_element().tag_name().name() != "svg" {
        return Err("the file's root element is not <svg>".into());
    }
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        let line = doc.text_pos_at(node.range().start).row;
        let at = |what: String| Err(format!("{what} (line {line} of the SVG)"));
        match name {
            "script" => return at("the SVG has a <script>".into()),
            "foreignObject" => return at("the SVG has a <foreignObject>".into()),
            "image" => {
                return at(
                    "the SVG has an <image>: put a raster image in a figure of its own".into(),
                );
            }
            _ => {}
        }
        for a in node.attributes() {
            let key = a.name();
            let value = a.value().trim();
            if key.starts_with("on") {
                return at(format!("the SVG has an event attribute `{key}`"));
            }
            if key == "href" && !value.starts_with('#') {
                return at(format!("the SVG refers to `{value}` outside its own file"));
            }
            if key == "style" && external_css(value) {
                return at("the SVG's CSS loads something from outside the file".into());
            }
        }
        if name == "style" && node.text().is_some_and(external_css) {
            return at("the SVG's CSS loads something from outside the file".into());
        }
    }
    Ok(())
}

/// CSS that imports a sheet or loads a `url()` other than a `#fragment`.
fn external_css(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    lower.contains("@import")
        || lower.match_indices("url(").any(|(i, _)| {
            let rest = lower[i + 4..].trim_start_matches([' ', '"', '\'']);
            !rest.starts_with('#')
        })
}

/// The house fonts for text in SVGs, read once: only the vendored faces, so a figure
/// is drawn the same on every machine.
fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for bytes in crate::typeset::fonts::house_font_files() {
            db.load_font_data(bytes.to_vec());
        }
        db.set_serif_family("Noto Serif");
        db.set_sans_serif_family("Noto Sans");
        db.set_monospace_family("Noto Sans Mono");
        usvg::Options {
            font_family: "Noto Sans".into(),
            fontdb: Arc::new(db),
            // Nothing is ever read from outside the file (check_safe refuses images).
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: Box::new(|_, _, _| None),
                resolve_string: Box::new(|_, _| None),
            },
            ..Default::default()
        }
    })
}

fn parse(bytes: &[u8]) -> Result<usvg::Tree, String> {
    check_safe(bytes)?;
    usvg::Tree::from_data(bytes, options()).map_err(|e| format!("cannot read the SVG: {e}"))
}

/// The size of an SVG in its own units (CSS px), for its aspect ratio.
pub fn size(bytes: &[u8]) -> Option<(f64, f64)> {
    let tree = parse(bytes).ok()?;
    let s = tree.size();
    Some((f64::from(s.width()), f64::from(s.height())))
}

/// Why the print edition cannot take this SVG as it is, from its drawing: transparency,
/// gradients and patterns, filters. `None` when it can.
fn print_obstacle(tree: &usvg::Tree) -> Option<String> {
    fn paint(p: &usvg::Paint, what: &str) -> Option<String> {
        match p {
            usvg::Paint::Color(_) => None,
            usvg::Paint::LinearGradient(_) | usvg::Paint::RadialGradient(_) => Some(format!(
                "a gradient {what}: the print edition takes flat colours only"
            )),
            usvg::Paint::Pattern(_) => Some(format!(
                "a pattern {what}: the print edition takes flat colours only"
            )),
        }
    }
    fn group(g: &usvg::Group) -> Option<String> {
        if g.opacity().get() < 1.0 {
            return Some("a transparent group (opacity below 1)".into());
        }
        if g.mask().is_some() {
            return Some("a mask (transparency)".into());
        }
        if !g.filters().is_empty() {
            return Some("a filter effect".into());
        }
        if g.blend_mode() != usvg::BlendMode::Normal {
            return Some("a blend mode (transparency)".into());
        }
        if let Some(c) = g.clip_path()
            && let Some(why) = group(c.root())
        {
            return Some(why);
        }
        for node in g.children() {
            let why = match node {
                usvg::Node::Group(g) => group(g),
                usvg::Node::Path(p) => {
                    let fill = p.fill().and_then(|f| {
                        if f.opacity().get() < 1.0 {
                            Some("a transparent fill (fill-opacity below 1)".into())
                        } else {
                            paint(f.paint(), "fill")
                        }
                    });
                    fill.or_else(|| {
                        p.stroke().and_then(|s| {
                            if s.opacity().get() < 1.0 {
                                Some("a transparent stroke (stroke-opacity below 1)".into())
                            } else {
                                paint(s.paint(), "stroke")
                            }
                        })
                    })
                }
                usvg::Node::Image(_) => Some("a raster image".into()),
                usvg::Node::Text(t) => group(t.flattened()),
            };
            if why.is_some() {
                return why;
            }
        }
        None
    }
    group(tree.root()).map(|why| {
        format!("the SVG uses {why}; the print edition has no transparency and only CMYK colour")
    })
}

/// Checks that an SVG can be converted for the editions (`print`: the print edition
/// too); the error says why not.
pub fn check(bytes: &[u8], print: bool) -> Result<(), String> {
    let tree = parse(bytes)?;
    if print && let Some(why) = print_obstacle(&tree) {
        return Err(why);
    }
    convert_tree(&tree, print).map(|_| ())
}

/// An SVG as a Form XObject and the objects it refers to, numbered apart from any
/// document until [`Form::add_to`] gives them their numbers.
#[derive(Clone, Debug)]
pub struct Form {
    form: Stream,
    objects: BTreeMap<ObjectId, Object>,
}

/// Converts an SVG for an edition (`print`: CMYK, no transparency).
pub fn convert(bytes: &[u8], print: bool) -> Result<Form, String> {
    let tree = parse(bytes)?;
    if print && let Some(why) = print_obstacle(&tree) {
        return Err(why);
    }
    convert_tree(&tree, print)
}

fn convert_tree(tree: &usvg::Tree, print: bool) -> Result<Form, String> {
    let conversion = svg2pdf::ConversionOptions {
        // Text as outlines: a figure's lettering is drawing, and no font is embedded.
        embed_text: false,
        compress: true,
        ..Default::default()
    };
    let page = svg2pdf::PageOptions { dpi: 72.0 };
    let pdf = svg2pdf::to_pdf(tree, conversion, page).map_err(|e| e.to_string())?;
    let doc = lopdf::Document::load_mem(&pdf).map_err(|e| e.to_string())?;
    let (_, &page_id) = doc
        .get_pages()
        .iter()
        .next()
        .ok_or("svg2pdf wrote no page")?;
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| e.to_string())?
        .clone();
    let media: Vec<f64> = match page.get(b"MediaBox") {
        Ok(Object::Array(a)) => a.iter().filter_map(number).collect(),
        _ => Vec::new(),
    };
    let [x0, y0, x1, y1] = media[..] else {
        return Err("svg2pdf wrote no page size".into());
    };
    let (w, h) = ((x1 - x0).max(1e-3), (y1 - y0).max(1e-3));
    let content = doc.get_page_content(page_id);
    let resources = match page.get(b"Resources") {
        Ok(Object::Reference(r)) => doc.get_object(*r).map_err(|e| e.to_string())?.clone(),
        Ok(o) => o.clone(),
        Err(_) => Object::Dictionary(Dictionary::new()),
    };
    let mut objects = BTreeMap::new();
    collect(&doc, &resources, &mut objects)?;
    let mut resources = resources;
    let content = if print {
        for obj in objects.values_mut() {
            to_print(obj)?;
        }
        to_print_resources(&mut resources);
        recolour(&content)?
    } else {
        content
    };
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set("BBox", Object::Array([x0, y0, x1, y1].map(real).to_vec()));
    // Drawn into the unit square, like an image.
    dict.set(
        "Matrix",
        Object::Array(
            [1.0 / w, 0.0, 0.0, 1.0 / h, -x0 / w, -y0 / h]
                .map(real)
                .to_vec(),
        ),
    );
    dict.set("Resources", resources);
    Ok(Form {
        form: super::stream(dict, &content),
        objects,
    })
}

impl Form {
    /// Adds the form and its objects to `lo` under new numbers; returns the form's.
    pub fn add_to(&self, lo: &mut lopdf::Document) -> ObjectId {
        let map: BTreeMap<ObjectId, ObjectId> = self
            .objects
            .keys()
            .map(|&old| (old, lo.new_object_id()))
            .collect();
        for (old, obj) in &self.objects {
            let mut obj = obj.clone();
            renumber(&mut obj, &map);
            lo.objects.insert(map[old], obj);
        }
        let mut form = self.form.clone();
        for (_, v) in form.dict.iter_mut() {
            renumber(v, &map);
        }
        lo.add_object(form)
    }
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn real(v: f64) -> Object {
    Object::Real(v as f32)
}

/// Every object reachable from `obj`, by its number in `doc`.
fn collect(
    doc: &lopdf::Document,
    obj: &Object,
    out: &mut BTreeMap<ObjectId, Object>,
) -> Result<(), String> {
    match obj {
        Object::Reference(id) => {
            if out.contains_key(id) {
                return Ok(());
            }
            let target = doc.get_object(*id).map_err(|e| e.to_string())?.clone();
            out.insert(*id, target.clone());
            collect(doc, &target, out)
        }
        Object::Array(a) => a.iter().try_for_each(|o| collect(doc, o, out)),
        Object::Dictionary(d) => d.iter().try_for_each(|(_, o)| collect(doc, o, out)),
        Object::Stream(s) => s.dict.iter().try_for_each(|(_, o)| collect(doc, o, out)),
        _ => Ok(()),
    }
}

fn renumber(obj: &mut Object, map: &BTreeMap<ObjectId, ObjectId>) {
    match obj {
        Object::Reference(id) => {
            if let Some(n) = map.get(id) {
                *id = *n;
            }
        }
        Object::Array(a) => a.iter_mut().for_each(|o| renumber(o, map)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| renumber(o, map)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| renumber(o, map)),
        _ => {}
    }
}

/// A resource dictionary for print: the sRGB and sGrey spaces svg2pdf declares are not
/// used once the colours are rewritten, and a transparency group is no group at all
/// without transparency (which was refused).
fn to_print_resources(resources: &mut Object) {
    if let Object::Dictionary(d) = resources {
        d.remove(b"ColorSpace");
    }
}

/// An object of the SVG's PDF for print: forms get CMYK content and lose their
/// transparency group; anything that would need transparency or another colour space
/// is refused.
fn to_print(obj: &mut Object) -> Result<(), String> {
    match obj {
        Object::Stream(s) => {
            let subtype = s.dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok());
            match subtype {
                Some(b"Form") => {
                    s.dict.remove(b"Group");
                    if let Ok(r) = s.dict.get_mut(b"Resources") {
                        to_print_resources(r);
                    }
                    let content = s.decompressed_content().map_err(|e| e.to_string())?;
                    let recoloured = recolour(&content)?;
                    s.dict.remove(b"Filter");
                    s.dict.remove(b"DecodeParms");
                    s.set_content(recoloured);
                    let _ = s.compress();
                }
                Some(b"Image") => return Err("the SVG draws a raster image".into()),
                _ => {}
            }
            if s.dict.has(b"PatternType") || s.dict.has(b"ShadingType") {
                return Err("the SVG uses a gradient or a pattern".into());
            }
        }
        Object::Dictionary(d) => {
            if d.has(b"PatternType") || d.has(b"ShadingType") {
                return Err("the SVG uses a gradient or a pattern".into());
            }
            if d.get(b"Type").ok().and_then(|o| o.as_name().ok()) == Some(b"ExtGState") {
                for key in [&b"CA"[..], b"ca"] {
                    if d.get(key).ok().and_then(number).is_some_and(|a| a < 1.0) {
                        return Err("the SVG uses transparency".into());
                    }
                }
                if d.get(b"SMask")
                    .is_ok_and(|m| m.as_name().ok() != Some(b"None"))
                {
                    return Err("the SVG uses a soft mask (transparency)".into());
                }
                if d.get(b"BM")
                    .ok()
                    .and_then(|o| o.as_name().ok())
                    .is_some_and(|m| m != b"Normal" && m != b"Compatible")
                {
                    return Err("the SVG uses a blend mode (transparency)".into());
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Content with every colour in DeviceCMYK or DeviceGray: `cs`/`CS` that select
/// svg2pdf's sRGB or sGrey space are dropped, and the colours that follow (`sc`, `scn`,
/// `rg`, `g` and the stroking forms) become `k`/`K` (colour, separated through the
/// output intent; neutral grey on black ink only) or `g`/`G`.
fn recolour(content: &[u8]) -> Result<Vec<u8>, String> {
    let ops = Content::decode(content).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(ops.operations.len());
    for op in ops.operations {
        let values: Vec<f64> = op.operands.iter().filter_map(number).collect();
        let fill = matches!(op.operator.as_str(), "cs" | "sc" | "scn" | "rg" | "g" | "k");
        match op.operator.as_str() {
            "cs" | "CS" => {
                if op.operands.first().and_then(|o| o.as_name().ok()) == Some(b"Pattern") {
                    return Err("the SVG uses a gradient or a pattern".into());
                }
            }
            "sc" | "scn" | "SC" | "SCN" | "rg" | "RG" | "g" | "G" => {
                if op.operands.iter().any(|o| o.as_name().is_ok()) {
                    return Err("the SVG uses a gradient or a pattern".into());
                }
                out.push(cmyk_operation(&values, fill)?);
            }
            "sh" | "BI" | "ID" | "EI" => {
                return Err("the SVG uses a shading or an inline image".into());
            }
            _ => out.push(op),
        }
    }
    Content { operations: out }
        .encode()
        .map_err(|e| e.to_string())
}

/// An sRGB (3 values) or grey (1 value) colour, 0–1, as a print colour operation.
fn cmyk_operation(values: &[f64], fill: bool) -> Result<Operation, String> {
    let byte = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let rgb = match values {
        [v] => [byte(*v); 3],
        [r, g, b] => [byte(*r), byte(*g), byte(*b)],
        _ => {
            return Err(format!(
                "the SVG has a colour of {} components",
                values.len()
            ));
        }
    };
    let op = |name: &str, vals: Vec<f64>| {
        Operation::new(
            name,
            vals.into_iter()
                .map(|v| real((v * 1000.0).round() / 1000.0))
                .collect(),
        )
    };
    if rgb[0] == rgb[1] && rgb[1] == rgb[2] {
        // Grey prints in black ink only; DeviceGray is that (K = 1 − gray).
        let k = f64::from(super::colour::grey_to_k(rgb[0])) / 255.0;
        return Ok(op(if fill { "g" } else { "G" }, vec![1.0 - k]));
    }
    let cmyk = super::colour::rgb_to_cmyk(&rgb);
    Ok(op(
        if fill { "k" } else { "K" },
        cmyk.iter().map(|&c| f64::from(c) / 255.0).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAT: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
  <rect x="10" y="10" width="80" height="80" fill="#1a7f8e" stroke="#333333" stroke-width="2"/>
  <text x="110" y="55" font-family="sans-serif" font-size="14" fill="black">Ouder</text>
</svg>"##;

    #[test]
    fn flat_colours_become_cmyk_and_grey_in_print() {
        let form = convert(FLAT.as_bytes(), true).expect("converts");
        let content = form.form.decompressed_content().unwrap();
        let text = String::from_utf8_lossy(&content);
        assert!(text.contains(" k") || text.contains(" k\n"), "{text}");
        assert!(!text.contains(" rg") && !text.contains(" sc"), "{text}");
        assert!(check(FLAT.as_bytes(), true).is_ok());
        assert_eq!(size(FLAT.as_bytes()), Some((200.0, 100.0)));
    }

    #[test]
    fn scripts_and_outside_references_are_refused() {
        let script = r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(
            check_safe(script.as_bytes())
                .unwrap_err()
                .contains("<script>")
        );
        let onload = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>"#;
        assert!(
            check_safe(onload.as_bytes())
                .unwrap_err()
                .contains("onload")
        );
        let remote = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="http://example.org/a.svg#x"/></svg>"#;
        assert!(
            check_safe(remote.as_bytes())
                .unwrap_err()
                .contains("http://example.org")
        );
        let image = r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="foto.png"/></svg>"#;
        assert!(
            check_safe(image.as_bytes())
                .unwrap_err()
                .contains("<image>")
        );
        let css =
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>"#;
        assert!(check_safe(css.as_bytes()).is_err());
        assert!(check_safe(FLAT.as_bytes()).is_ok());
    }

    #[test]
    fn transparency_is_refused_in_print_only() {
        let half = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#ff0000" fill-opacity="0.5"/></svg>"##;
        let err = check(half.as_bytes(), true).unwrap_err();
        assert!(err.contains("transparent fill"), "{err}");
        assert!(check(half.as_bytes(), false).is_ok());
        let gradient = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient><rect width="10" height="10" fill="url(#g)"/></svg>"##;
        assert!(
            check(gradient.as_bytes(), true)
                .unwrap_err()
                .contains("gradient")
        );
    }
}
