//! druk: a publishing pipeline from Markdown sources to EPUB 3 and print PDF.
//!
//! Data flows one way: [`load`] → [`parse`] → [`resolve`] → [`render`]. Each stage returns
//! plain data plus diagnostics; nothing is written unless the whole book is sound.

pub mod cite;
pub mod diag;
pub mod images;
pub mod lang;
pub mod load;
pub mod model;
pub mod new;
pub mod output;
pub mod parse;
pub mod pdf;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod source;
pub mod time;
pub mod typeset;
pub mod visible;
pub mod walk;
pub mod xml;

use diag::{Diagnostic, Severity};
use source::SourceMap;
use std::path::{Path, PathBuf};

/// An output druk can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// EPUB 3 e-book
    Epub,
    /// static web book in OUT/html/
    Html,
    /// print-ready PDF/X-4 (CMYK, bleed), OUT/<slug>-print.pdf
    Pdf,
    /// PDF for reading on screen (RGB, live links), OUT/<slug>-screen.pdf
    #[value(name = "screen-pdf", alias = "pdf:screen")]
    ScreenPdf,
}

impl Format {
    pub fn all() -> Vec<Format> {
        vec![Format::Epub, Format::Html, Format::Pdf, Format::ScreenPdf]
    }

    fn file_name(self, slug: &str, chapter: Option<(u32, lang::Lang)>) -> String {
        let suffix = match chapter {
            Some((n, lang)) => format!("-{}-{n}", lang.term(lang::RefKind::Chapter)),
            None => String::new(),
        };
        match self {
            Format::Epub => format!("{slug}{suffix}.epub"),
            Format::Html => "html".into(),
            Format::Pdf => format!("{slug}{suffix}-print.pdf"),
            Format::ScreenPdf => format!("{slug}{suffix}-screen.pdf"),
        }
    }
}

/// What a renderer produced: one file, a folder of files, or files to add to a folder; with
/// the warnings that only rendering can find (a widow on page 12).
enum Output {
    /// A PDF with the layout's findings and its page count.
    Printed(Vec<u8>, Vec<Diagnostic>, usize),
    File(Vec<u8>),
    Dir(Vec<render::html::SiteFile>),
    IntoDir(Vec<render::html::SiteFile>),
}

/// A book loaded, parsed and resolved, with every diagnostic found on the way.
pub struct Compiled {
    pub sources: SourceMap,
    pub diags: Vec<Diagnostic>,
    /// `None` when loading failed; otherwise present even when there are errors, so a caller
    /// can still show what it has.
    pub book: Option<(load::Project, resolve::Book)>,
    /// What the PDFs need that was made while the citations were formatted (when
    /// [`CompileOptions::prepare_print`] asks for it).
    pub prepared: Option<render::print::Prepared>,
    /// The images the manuscript uses, by the paths it gives (relative to the book folder).
    pub images: Vec<String>,
}

impl Compiled {
    pub fn errors(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// What changes how a book is checked, shared by `check` and `build`.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    pub styles: Option<PathBuf>,
    /// Bibliography entries that are never cited are not reported.
    pub allow_unused_references: bool,
    /// Format only this chapter's citations (set by one-chapter builds that show nothing else).
    pub cite_only_chapter: Option<u32>,
    /// Prepare what the PDFs need while the citations are formatted (builds with a PDF).
    pub prepare_print: bool,
}

/// What `druk serve` keeps between builds: parsed files and formatted citations.
#[derive(Default)]
pub struct Cache {
    pub parse: parse::ParseCache,
    pub cite: cite::CiteCache,
}

impl Cache {
    /// A cache that keeps what a build made for the next one (`Default` keeps nothing:
    /// a one-time build would only pay for copying its parts and citations in).
    pub fn keeping() -> Cache {
        Cache {
            parse: parse::ParseCache::keeping(),
            cite: cite::CiteCache::keeping(),
        }
    }
}

/// load + parse + resolve + citations, collecting all problems.
pub fn compile(book_dir: &Path, opts: &CompileOptions) -> Compiled {
    compile_with(book_dir, opts, &mut Cache::default())
}

/// [`compile`], parsing only files that changed since the cache was filled.
pub fn compile_with(book_dir: &Path, opts: &CompileOptions, cache: &mut Cache) -> Compiled {
    cite::prefetch();
    let (project, mut diags) = match load::load(book_dir, opts.styles.as_deref()) {
        Ok(ok) => ok,
        Err((sources, mut diags)) => {
            diag::sort(&mut diags);
            return Compiled {
                sources,
                diags,
                book: None,
                prepared: None,
                images: Vec::new(),
            };
        }
    };
    // The bibliography does not depend on the text: it is read while the chapters are parsed.
    let ((parts, parse_diags), (library, lib_diags)) = rayon::join(
        || parse::parse_with(&project, &mut cache.parse),
        || cite::library::load(&project),
    );
    diags.extend(parse_diags);
    let (mut book, resolve_diags) = resolve::resolve(&project, parts);
    diags.extend(resolve_diags);
    let library_failed = lib_diags.iter().any(|d| d.severity == Severity::Error);
    diags.extend(lib_diags);
    let cite_opts = cite::CiteOptions {
        allow_unused: opts.allow_unused_references,
        library_failed,
        only_chapter: opts.cite_only_chapter,
    };
    // The citations are formatted on one core for a while: what the PDFs need that does not
    // depend on them is made on the other meanwhile.
    // Each image is read and checked once here; every output takes it from the book.
    let (images, image_diags) = images::load(&project, &book.parts, opts.prepare_print);
    diags.extend(image_diags);
    let files: Vec<std::sync::Arc<[u8]>> = images.iter().map(|i| i.bytes.clone()).collect();
    book.images = images;
    let (cite_diags, prepared) = rayon::join(
        || cite::apply(&mut book, &project, &library, cite_opts, &mut cache.cite),
        || opts.prepare_print.then(|| render::print::prepare(files)),
    );
    diags.extend(cite_diags);
    // The PDFs decode every image: one whose data is damaged past its headers is found here.
    if let Some(p) = &prepared {
        let list: Vec<&images::Image> = book.images.iter().collect();
        for (i, why) in p.failures() {
            if let Some(img) = list.get(i) {
                diags.push(
                    Diagnostic::error(
                        "bad-image",
                        format!("image `{}` is damaged: {why}", img.src),
                    )
                    .at(img.span)
                    .label("this image cannot be decoded")
                    .help("open it in an image editor and save it again, or export it anew"),
                );
            }
        }
    }
    let images: Vec<String> = book.images.iter().map(|i| i.src.clone()).collect();
    diag::sort(&mut diags);
    Compiled {
        sources: project.sources.clone(),
        diags,
        book: Some((project, book)),
        prepared,
        images,
    }
}

impl Compiled {
    /// Every file the book is made of (book.yaml, the Markdown, the bibliography, the images)
    /// and its style folder: what no output may ever take the place of.
    pub fn book_files(&self) -> Vec<PathBuf> {
        let Some((project, _)) = &self.book else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = self
            .sources
            .files()
            .iter()
            .map(|f| f.path.clone())
            .collect();
        files.extend(self.images.iter().map(|i| project.root.join(i)));
        files.extend(project.styles.dir.clone());
        files
    }
}

#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub book_dir: PathBuf,
    pub out_dir: PathBuf,
    pub formats: Vec<Format>,
    pub compile: CompileOptions,
    /// Treat warnings as errors: nothing is written when there are any.
    pub deny_warnings: bool,
    /// From `SOURCE_DATE_EPOCH`: the time stamped into the outputs.
    pub source_date_epoch: Option<i64>,
    /// Build only this chapter (by number), with the numbers and references of the whole book.
    pub chapter: Option<u32>,
    /// Crop marks on the print PDF (also `print.marks: true` in book.yaml).
    pub marks: bool,
}

pub struct Built {
    pub compiled: Compiled,
    /// What was written, with its size in bytes.
    pub written: Vec<(Format, PathBuf, usize)>,
    /// Pages of the PDF written (the print edition's when both are), for the summary line.
    pub pages: Option<usize>,
}

impl Built {
    /// A build that wrote nothing; `compiled` says why.
    fn nothing(compiled: Compiled) -> Self {
        Built {
            compiled,
            written: Vec::new(),
            pages: None,
        }
    }

    pub fn ok(&self) -> bool {
        self.compiled.errors() == 0 && !self.written.is_empty()
    }
}

/// One format's output, or why it could not be made.
type Rendered = Result<Output, Vec<Diagnostic>>;

/// Compiles the book and, if it is sound, renders and writes the requested formats.
pub fn build(opts: &BuildOptions) -> Built {
    build_with_progress(opts, &|_| {})
}

/// [`build`], telling `progress` which stage it is in (for a progress display).
pub fn build_with_progress(opts: &BuildOptions, progress: &(dyn Fn(&str) + Sync)) -> Built {
    progress("checking");
    let pdfs = opts
        .formats
        .iter()
        .any(|f| matches!(f, Format::Pdf | Format::ScreenPdf));
    if pdfs {
        pdf::prefetch();
    }
    // A one-chapter EPUB or web page shows only that chapter's citations; a one-chapter PDF
    // needs the whole book laid out (its page numbers), so all of them.
    let mut copts = opts.compile.clone();
    if !pdfs {
        copts.cite_only_chapter = opts.chapter;
    }
    copts.prepare_print = pdfs;
    let mut compiled = compile(&opts.book_dir, &copts);
    let blocked = compiled.errors() > 0 || opts.deny_warnings && compiled.warnings() > 0;
    let Some((project, book)) = compiled.book.as_ref().filter(|_| !blocked) else {
        return Built::nothing(compiled);
    };
    if let Some(e) = opts.source_date_epoch
        && let Err(why) = time::parse_epoch(&e.to_string())
    {
        compiled
            .diags
            .push(Diagnostic::error("source-date-epoch", why));
        return Built::nothing(compiled);
    }
    let stamp = time::build_stamp(opts.source_date_epoch, book.meta.year);
    let only = match opts.chapter {
        None => None,
        Some(n) => match book
            .parts
            .iter()
            .position(|p| p.kind == model::PartKind::Chapter && p.number == Some(n))
        {
            Some(i) => Some(i),
            None => {
                let count = book
                    .parts
                    .iter()
                    .filter(|p| p.kind == model::PartKind::Chapter)
                    .count();
                compiled.diags.push(
                    Diagnostic::error("no-such-chapter", format!("there is no chapter {n}"))
                        .help(format!("the book has chapters 1 to {count}")),
                );
                return Built::nothing(compiled);
            }
        },
    };
    // Before any work: the outputs may go where they are asked to go.
    let chapter_name = opts.chapter.map(|n| (n, book.meta.lang));
    let planned: Vec<(String, output::Kind)> = opts
        .formats
        .iter()
        .map(|f| {
            let kind = match (f, only) {
                (Format::Html, None) => output::Kind::Dir,
                (Format::Html, Some(_)) => output::Kind::Into(Vec::new()),
                _ => output::Kind::File,
            };
            (f.file_name(&book.meta.slug, chapter_name), kind)
        })
        .collect();
    let guarded = output::guard_book(&opts.out_dir, &project.root, &compiled.book_files())
        .map_err(|d| vec![*d])
        .and_then(|()| output::preflight(&opts.out_dir, &planned));
    if let Err(d) = guarded {
        compiled.diags.extend(d);
        return Built::nothing(compiled);
    }
    progress("rendering");
    // Both PDF editions come from one layout, so they are one job; it goes first because
    // it is the longest, and EPUB and web run beside it.
    let editions: Vec<(Format, pdf::Edition)> = opts
        .formats
        .iter()
        .filter_map(|f| match f {
            Format::Pdf => Some((
                *f,
                pdf::Edition::Print {
                    marks: opts.marks || project.print.marks,
                },
            )),
            Format::ScreenPdf => Some((*f, pdf::Edition::Screen)),
            _ => None,
        })
        .collect();
    enum Job {
        Pdfs,
        Epub,
        Html,
    }
    let mut jobs = Vec::new();
    if !editions.is_empty() {
        jobs.push(Job::Pdfs);
    }
    for f in &opts.formats {
        match f {
            Format::Epub => jobs.push(Job::Epub),
            Format::Html => jobs.push(Job::Html),
            Format::Pdf | Format::ScreenPdf => {}
        }
    }
    let mut rendered: Vec<(Format, Rendered)> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .flat_map_iter(|job| match job {
                Job::Pdfs => {
                    let wanted: Vec<pdf::Edition> = editions.iter().map(|e| e.1).collect();
                    let prepared = compiled.prepared.as_ref();
                    let book = visible::for_edition(book, visible::Edition::Pdf);
                    match render::print::render(&book, project, &stamp, only, &wanted, prepared) {
                        // The layout's findings are reported once, with the first PDF.
                        Ok(p) => {
                            let mut warnings = Some((p.warnings, p.pages));
                            editions
                                .iter()
                                .zip(p.pdfs)
                                .map(|((f, _), bytes)| {
                                    let out = match warnings.take() {
                                        Some((w, n)) => Output::Printed(bytes, w, n),
                                        None => Output::File(bytes),
                                    };
                                    (*f, Ok(out))
                                })
                                .collect()
                        }
                        Err(d) => vec![(editions[0].0, Err(d))],
                    }
                }
                Job::Epub => {
                    let book = visible::for_edition(book, visible::Edition::Epub);
                    vec![(
                        Format::Epub,
                        render::epub::render(&book, project, &stamp, only).map(Output::File),
                    )]
                }
                Job::Html => {
                    let book = visible::for_edition(book, visible::Edition::Web);
                    let book = book.as_ref();
                    vec![(
                        Format::Html,
                        match only {
                            None => render::html::render(book, project, Default::default())
                                .map(Output::Dir),
                            Some(i) => {
                                render::html::render_part(book, project, i).map(Output::IntoDir)
                            }
                        },
                    )]
                }
            })
            .collect()
    };
    // Written and reported in the order asked for.
    rendered.sort_by_key(|(f, _)| opts.formats.iter().position(|x| x == f));
    let mut outputs = Vec::new();
    let mut failed = Vec::new();
    let mut pages = None;
    for (f, r) in rendered {
        match r {
            Ok(Output::Printed(bytes, warnings, n)) => {
                compiled.diags.extend(warnings);
                pages = Some(n);
                outputs.push((f, Output::File(bytes)));
            }
            Ok(out) => outputs.push((f, out)),
            Err(d) => failed.extend(d),
        }
    }
    if opts.deny_warnings && compiled.warnings() > 0 {
        return Built::nothing(compiled);
    }
    // All or nothing: one failing format must not leave the outputs of a mixed build behind.
    if !failed.is_empty() {
        compiled.diags.extend(failed);
        return Built::nothing(compiled);
    }
    progress("writing");
    let items: Vec<output::Item> = outputs
        .iter()
        .map(|(f, out)| output::Item {
            name: f.file_name(&book.meta.slug, chapter_name),
            payload: match out {
                Output::File(bytes) | Output::Printed(bytes, ..) => output::Payload::File(bytes),
                Output::Dir(files) => output::Payload::Dir(files),
                Output::IntoDir(files) => output::Payload::Into(files),
            },
        })
        .collect();
    if let Err(d) = output::commit(&opts.out_dir, &items, &|| {
        progress(&format!(
            "waiting: another druk build is writing into {}",
            opts.out_dir.display()
        ))
    }) {
        compiled.diags.push(*d);
        return Built::nothing(compiled);
    }
    let written = outputs
        .iter()
        .map(|(f, out)| {
            let path = opts
                .out_dir
                .join(f.file_name(&book.meta.slug, chapter_name));
            match out {
                Output::File(bytes) | Output::Printed(bytes, ..) => (*f, path, bytes.len()),
                Output::Dir(files) => (*f, path, files.iter().map(|f| f.1.len()).sum()),
                // A one-chapter web build names its page, not the whole folder.
                Output::IntoDir(files) => (
                    *f,
                    files.first().map_or(path.clone(), |p| path.join(&p.0)),
                    files.iter().map(|f| f.1.len()).sum(),
                ),
            }
        })
        .collect();
    Built {
        compiled,
        written,
        pages,
    }
}
