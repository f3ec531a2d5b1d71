//! Walks over the inline content of a part in reading order: title, blocks (into lists, quotes,
//! divs, kaders, tables and captions), then footnotes. Resolve, the citation stage and the
//! renderers all visit references the same way, so they all see the same order.

use crate::model::{Block, Inline, Part};

/// Calls `f` for every inline of `part`, nested ones (inside emphasis and links) included.
pub fn inlines_mut(part: &mut Part, f: &mut dyn FnMut(&mut Inline)) {
    run(&mut part.title.content, f);
    blocks_mut(&mut part.blocks, f);
    for n in &mut part.footnotes {
        blocks_mut(&mut n.blocks, f);
    }
}

/// Calls `f` for every inline inside `blocks`.
pub fn blocks_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    for b in blocks {
        match b {
            Block::Heading(h) => run(&mut h.content, f),
            Block::Paragraph(i, _) => run(i, f),
            Block::List(l) => l.items.iter_mut().for_each(|it| blocks_mut(it, f)),
            Block::Quote(q) => blocks_mut(q, f),
            Block::Div(d) => blocks_mut(&mut d.blocks, f),
            Block::Kader(k) => {
                if let Some(t) = &mut k.title {
                    run(t, f);
                }
                blocks_mut(&mut k.blocks, f)
            }
            Block::Table(t) => {
                t.header.iter_mut().for_each(|c| run(c, f));
                t.rows.iter_mut().flatten().for_each(|c| run(c, f));
                if let Some(c) = &mut t.caption {
                    run(c, f);
                }
            }
            Block::Figure(fig) => run(&mut fig.caption, f),
            Block::Definitions(defs) => {
                for d in defs {
                    run(&mut d.term, f);
                    d.details.iter_mut().for_each(|b| blocks_mut(b, f));
                }
            }
            Block::Code(_) | Block::Rule | Block::References(_) => {}
        }
    }
}

fn run(v: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for i in v {
        f(i);
        if let Inline::Styled(_, c)
        | Inline::Span(_, c)
        | Inline::Link { content: c, .. }
        | Inline::Internal { content: c, .. } = i
        {
            run(c, f);
        }
    }
}

/// Joins neighbouring text runs and drops empty ones.
pub fn merge_text(v: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(v.len());
    for i in v {
        match (out.last_mut(), i) {
            (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
            (_, Inline::Text(b)) if b.is_empty() => {}
            (_, i) => out.push(i),
        }
    }
    out
}
