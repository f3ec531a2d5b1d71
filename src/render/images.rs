//! The book's images checked before anything is rendered, each error at the image's
//! place in the manuscript: an SVG that runs scripts or reaches outside its file (every
//! edition), an SVG the print edition cannot take (when a PDF is built), and a raster
//! image so large that decoding it would take more than [`MAX_DECODED`] bytes (refused
//! from its header, before it is decoded).

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::load::Project;
use crate::model::{Block, Inline};
use crate::resolve::Book;
use crate::source::Span;

use crate::pdf::MAX_DECODED;

/// Every image of the book with the place of its first use.
fn uses(book: &mut Book) -> BTreeMap<String, Span> {
    fn figures(blocks: &[Block], out: &mut BTreeMap<String, Span>) {
        for b in blocks {
            match b {
                Block::Figure(f) => {
                    out.entry(f.src.clone()).or_insert(f.span);
                }
                Block::List(l) => l.items.iter().for_each(|i| figures(i, out)),
                Block::Quote(q) => figures(q, out),
                Block::Div(d) => figures(&d.blocks, out),
                Block::Kader(k) => figures(&k.blocks, out),
                _ => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    for part in &mut book.parts {
        figures(&part.blocks, &mut out);
        crate::walk::inlines_mut(part, &mut |i| {
            if let Inline::Image { src, span, .. } = i {
                out.entry(src.clone()).or_insert(*span);
            }
        });
    }
    out
}

/// Checks the book's images; `print`: the print edition will be built too.
pub fn check(book: &mut Book, project: &Project, print: bool) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (src, span) in uses(book) {
        // An image that cannot be read is reported by the renderers.
        let Ok(bytes) = std::fs::read(project.root.join(&src)) else {
            continue;
        };
        if crate::pdf::svg::is_svg(&bytes) {
            let safe = crate::pdf::svg::check_safe(&bytes);
            let result = match safe {
                Ok(()) => crate::pdf::svg::check(&bytes, print),
                Err(e) => Err(e),
            };
            if let Err(why) = result {
                diags.push(
                    Diagnostic::error("svg", format!("image `{src}` cannot be used: {why}"))
                        .at(span)
                        .help(if print {
                            "save the drawing with flat, opaque colours and without scripts, \
                             links or embedded images"
                        } else {
                            "save the drawing without scripts, links or embedded images"
                        }),
                );
            }
            continue;
        }
        if let Some((w, h)) = raster_size(&bytes) {
            let need = u64::from(w) * u64::from(h) * 4;
            if need > MAX_DECODED {
                diags.push(
                    Diagnostic::error(
                        "image-too-large",
                        format!(
                            "image `{src}` is {w} × {h} pixels: decoded it would take {} MiB, \
                             more than the {} MiB druk allows",
                            need >> 20,
                            MAX_DECODED >> 20
                        ),
                    )
                    .at(span)
                    .help("scale it down: 300 ppi at the printed size is all print needs"),
                );
            }
        }
    }
    diags
}

/// Width and height from a raster image's header, without decoding it.
pub fn raster_size(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}
