//! One fuzz input is a small book: its bytes are cut at `\n%%\n` into a first chapter, a
//! second chapter, a bibliography (CSL-YAML, or BibTeX when it starts with `@`) and extra
//! lines for book.yaml. Written into a folder of its own, the book goes through the same
//! stages as `druk build`; whatever it holds, each stage must end in output or diagnostics.

use std::path::PathBuf;

/// The folder this process writes its books into (in memory where the system has /dev/shm).
fn scratch() -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("druk-fuzz-{}", std::process::id()))
}

const BASE_YAML: &str =
    "title: Fuzz\nlanguage: nl\nchapters: [h/01.md, h/02.md]\nback: [literatuur]\n";

/// Writes the book of `data` and returns its folder.
pub fn book(data: &[u8]) -> PathBuf {
    let dir = scratch();
    let _ = std::fs::create_dir_all(dir.join("h"));
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, "\n%%\n");
    let ch1 = parts.next().unwrap_or("");
    let ch2 = parts.next().unwrap_or("# Twee\n");
    let bib = parts.next().unwrap_or("");
    let extra = parts.next().unwrap_or("");
    let (bib_name, bib) = if bib.trim_start().starts_with('@') {
        ("bronnen.bib", bib)
    } else {
        ("bronnen.yaml", bib)
    };
    let yaml = format!("{BASE_YAML}bibliography: {bib_name}\n{extra}\n");
    let _ = std::fs::remove_file(dir.join("bronnen.bib"));
    let _ = std::fs::remove_file(dir.join("bronnen.yaml"));
    let _ = std::fs::write(dir.join("book.yaml"), yaml);
    let _ = std::fs::write(dir.join("h/01.md"), ch1);
    let _ = std::fs::write(dir.join("h/02.md"), ch2);
    let _ = std::fs::write(dir.join(bib_name), bib);
    dir
}

/// Loads, parses, resolves and formats the citations, then renders the EPUB and the web
/// edition, whatever the diagnostics say (renderers must cope with what resolve left open).
pub fn run(data: &[u8], print: bool) {
    let dir = book(data);
    let opts = druk::CompileOptions {
        prepare_print: print,
        ..Default::default()
    };
    let c = druk::compile(&dir, &opts);
    // Rendering the diagnostics exercises the source map on every span.
    let _ = druk::diag::render(
        &c.diags,
        &c.sources,
        druk::diag::MessageFormat::Human,
        false,
    );
    let Some((project, book)) = &c.book else {
        return;
    };
    let stamp = druk::time::Stamp::from_epoch(0);
    let _ = druk::render::epub::render(book, project, &stamp, None);
    let _ = druk::render::html::render(book, project, Default::default());
    if print {
        let editions = [
            druk::pdf::Edition::Print { marks: true },
            druk::pdf::Edition::Screen,
        ];
        let _ = druk::render::print::render(
            book,
            project,
            &stamp,
            None,
            &editions,
            c.prepared.as_ref(),
        );
    }
}
