//! Content shown in some editions only (Quarto's `.content-visible when-format="pdf"` and
//! `.content-hidden`): each renderer gets the book as its edition shows it.

use crate::model::{Block, Editions, Inline};
use crate::resolve::Book;
use std::borrow::Cow;

/// One of the book's editions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    Epub,
    Web,
    Pdf,
}

impl Edition {
    fn shows(self, only: Option<Editions>) -> bool {
        match only {
            None => true,
            Some(e) => match self {
                Edition::Epub => e.epub,
                Edition::Web => e.web,
                Edition::Pdf => e.pdf,
            },
        }
    }
}

/// The book as `edition` shows it: borrowed when it has no content for some editions only,
/// which is the common case and costs nothing.
pub fn for_edition(book: &Book, edition: Edition) -> Cow<'_, Book> {
    let conditional = book
        .parts
        .iter()
        .any(|p| blocks_have(&p.blocks) || p.footnotes.iter().any(|n| blocks_have(&n.blocks)));
    if !conditional {
        return Cow::Borrowed(book);
    }
    let mut b = book.clone();
    for p in &mut b.parts {
        keep_blocks(&mut p.blocks, edition);
        for n in &mut p.footnotes {
            keep_blocks(&mut n.blocks, edition);
        }
    }
    Cow::Owned(b)
}

fn blocks_have(blocks: &[Block]) -> bool {
    let mut found = false;
    let mut stack: Vec<&[Block]> = vec![blocks];
    while let Some(bs) = stack.pop() {
        for b in bs {
            match b {
                Block::Div(d) => {
                    found |= d.only.is_some();
                    stack.push(&d.blocks);
                }
                Block::Paragraph(i, _) => found |= inlines_have(i),
                Block::List(l) => l.items.iter().for_each(|it| stack.push(it)),
                Block::Quote(q) => stack.push(q),
                Block::Kader(k) => stack.push(&k.blocks),
                Block::Definitions(d) => d
                    .iter()
                    .flat_map(|d| &d.details)
                    .for_each(|b| stack.push(b)),
                _ => {}
            }
        }
        if found {
            return true;
        }
    }
    false
}

fn inlines_have(v: &[Inline]) -> bool {
    v.iter().any(|i| match i {
        Inline::Span(a, c) => a.only.is_some() || inlines_have(c),
        Inline::Styled(_, c) | Inline::Link { content: c, .. } => inlines_have(c),
        _ => false,
    })
}

fn keep_blocks(blocks: &mut Vec<Block>, e: Edition) {
    blocks.retain(|b| !matches!(b, Block::Div(d) if !e.shows(d.only)));
    for b in blocks {
        match b {
            Block::Div(d) => keep_blocks(&mut d.blocks, e),
            Block::Paragraph(i, _) => keep_inlines(i, e),
            Block::List(l) => l.items.iter_mut().for_each(|it| keep_blocks(it, e)),
            Block::Quote(q) => keep_blocks(q, e),
            Block::Kader(k) => keep_blocks(&mut k.blocks, e),
            Block::Definitions(d) => d
                .iter_mut()
                .flat_map(|d| &mut d.details)
                .for_each(|b| keep_blocks(b, e)),
            _ => {}
        }
    }
}

fn keep_inlines(v: &mut Vec<Inline>, e: Edition) {
    v.retain(|i| !matches!(i, Inline::Span(a, _) if !e.shows(a.only)));
    for i in v {
        if let Inline::Span(_, c) | Inline::Styled(_, c) | Inline::Link { content: c, .. } = i {
            keep_inlines(c, e);
        }
    }
}
