//! The benchmark corpus: a Dutch textbook of any size, in druk's format and, from the same
//! content, as Pandoc Markdown and as Typst source, so `make bench` can time druk beside
//! those tools on the same book.
//!
//! ```text
//! cargo run --release --example corpus -- --size 300            # 6 chapters, ~90,000 words
//! cargo run --release --example corpus -- --size 3000           # 60 chapters, ~900,000 words
//! cargo run --release --example corpus -- --chapters 6 --words 90000 --out target/bench/book-300
//! ```
//!
//! The output folder is a druk book (book.yaml, voorwoord.md, inleiding.md, hoofdstukken/,
//! literatuur.yaml, afbeeldingen/) with two extra folders druk never reads: `pandoc/`
//! (book.md, references.yaml) and `typst/` (book.typ, refs.yml). The same arguments always
//! give byte-identical files: the only randomness is a seeded splitmix64 (see `rng.rs`).

mod bib;
mod book;
mod markdown;
mod model;
mod png;
mod prose;
mod rng;
mod typst;
mod vocab;

use clap::Parser;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes a deterministic Dutch benchmark book for druk, Pandoc and Typst.
#[derive(Parser)]
#[command(name = "corpus")]
struct Args {
    /// A standard size: 300 (6 chapters, 90,000 words) or 3000 (60 chapters, 900,000 words)
    #[arg(long, value_parser = ["300", "3000"])]
    size: Option<String>,
    /// Number of chapters (overrides the size's)
    #[arg(long)]
    chapters: Option<usize>,
    /// Words of prose in the whole book (overrides the size's)
    #[arg(long)]
    words: Option<usize>,
    /// Bibliography entries; default grows with the book: 300 at 90,000 words, 600 at 900,000
    #[arg(long)]
    references: Option<usize>,
    /// Output folder; default target/bench/book-SIZE
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Marks a folder as this generator's, so it may be wiped and rewritten.
const MARKER: &str = ".corpus";

fn main() -> ExitCode {
    let args = Args::parse();
    let (chapters, words) = match args.size.as_deref() {
        Some("3000") => (60, 900_000),
        _ => (6, 90_000),
    };
    let chapters = args.chapters.unwrap_or(chapters).max(1);
    let words = args.words.unwrap_or(words);
    // Reference lists grow more slowly than books: doubling per tenfold length.
    let references = args
        .references
        .unwrap_or_else(|| (300.0 * (words as f64 / 90_000.0).powf(0.301)).round() as usize)
        .max(1);
    let name = match args.size.as_deref() {
        Some(s) if args.chapters.is_none() && args.words.is_none() => format!("book-{s}"),
        _ => format!("book-{chapters}x{words}"),
    };
    let out = args
        .out
        .unwrap_or_else(|| Path::new("target/bench").join(name));
    let cfg = book::Config {
        chapters,
        words,
        references,
        // The seed is the size itself: the same arguments, the same book.
        seed: (chapters as u64) << 32 ^ words as u64 ^ (references as u64) << 48,
    };

    let book = book::generate(&cfg);
    match write(&book, &out) {
        Ok(stats) => {
            println!(
                "wrote {}: {} chapters, {} words of prose, {} references, {} files",
                out.display(),
                chapters,
                stats.words,
                book.bibliography.len(),
                stats.files
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Stats {
    files: usize,
    words: usize,
}

fn write(book: &model::Book, out: &Path) -> Result<Stats, String> {
    prepare(out)?;
    let mut files = Vec::<(PathBuf, Vec<u8>)>::new();
    let mut add = |path: PathBuf, bytes: Vec<u8>| files.push((out.join(path), bytes));

    // druk's book folder
    add("book.yaml".into(), markdown::book_yaml(book).into_bytes());
    for p in book.front.iter().chain(&book.chapters) {
        add(p.file.clone().into(), markdown::druk_part(p).into_bytes());
    }
    let csl = markdown::references(book);
    add("literatuur.yaml".into(), csl.clone().into_bytes());
    // Pandoc
    add(
        "pandoc/book.md".into(),
        markdown::pandoc_book(book).into_bytes(),
    );
    add("pandoc/references.yaml".into(), csl.into_bytes());
    // Typst
    add("typst/book.typ".into(), typst::book(book).into_bytes());
    add(
        "typst/refs.yml".into(),
        bib::hayagriva_yaml(&book.bibliography).into_bytes(),
    );
    for dir in ["", "pandoc/", "typst/"] {
        for img in &book.images {
            add(
                format!("{dir}afbeeldingen/{}", img.name).into(),
                img.png.clone(),
            );
        }
    }
    add(
        MARKER.into(),
        b"benchmark corpus; safe to delete\n".to_vec(),
    );

    let words = book
        .front
        .iter()
        .chain(&book.chapters)
        .map(prose_words)
        .sum();
    for (path, bytes) in &files {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(Stats {
        files: files.len(),
        words,
    })
}

/// Empties the output folder when it is an earlier corpus, and refuses any other folder that
/// is not empty: stale chapters of another size must not survive, and nothing else is touched.
fn prepare(out: &Path) -> Result<(), String> {
    if out.join(MARKER).is_file() {
        fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    } else if out.exists()
        && fs::read_dir(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} exists and is not a corpus folder; choose another --out",
            out.display()
        ));
    }
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))
}

/// Words a reader sees: running text, headings, list items, table cells and captions.
fn prose_words(part: &model::Part) -> usize {
    use model::*;
    fn inl(xs: &[Inline]) -> usize {
        xs.iter()
            .map(|x| match x {
                Inline::Text(t) | Inline::Emph(t) | Inline::Strong(t) => {
                    t.split_whitespace().count()
                }
                Inline::Cite(c) => 2 * c.items.len(),
                Inline::Ref(r) => r.printed().split_whitespace().count(),
                Inline::Note(b) => inl(b),
            })
            .sum()
    }
    fn blocks(bs: &[Block]) -> usize {
        bs.iter()
            .map(|b| match b {
                Block::Heading(h) => h.title.split_whitespace().count(),
                Block::Para(xs) | Block::Quote(xs) => inl(xs),
                Block::List(l) => l
                    .items
                    .iter()
                    .map(|i| inl(&i.text) + i.sub.iter().map(|s| inl(s)).sum::<usize>())
                    .sum(),
                Block::Kader(k) => k.title.split_whitespace().count() + blocks(&k.blocks),
                Block::Table(t) => {
                    t.caption.split_whitespace().count()
                        + t.header.len()
                        + t.rows.iter().flatten().map(|c| inl(c)).sum::<usize>()
                }
                Block::Figure(f) => f.caption.split_whitespace().count(),
            })
            .sum()
    }
    part.title.split_whitespace().count() + blocks(&part.blocks)
}
