//! The `druk` command. Raw arguments become validated options before any work starts.

use clap::{Parser, Subcommand};
use druk::diag::{self, MessageFormat};
use druk::{BuildOptions, Format};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// A build makes and frees millions of small objects (glyph runs, citation trees, PDF
/// objects) on two threads; glibc's allocator spent a fifth of book-300's build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// druk turns a book folder (book.yaml + Markdown chapters) into an EPUB 3 and a print PDF.
///
/// Start with `druk new mijn-boek`, then `druk build mijn-boek`.
#[derive(Parser)]
#[command(name = "druk", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The book folder, the one that holds book.yaml
    #[arg(default_value = ".", value_name = "BOOK_DIR")]
    book: PathBuf,
    /// How to print problems: human (with the source line), short (file:line:col) or json (for CI)
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, value_name = "FORMAT")]
    message_format: MessageFormat,
    /// Fail on warnings too (for release builds)
    #[arg(long)]
    deny_warnings: bool,
    /// Do not warn about bibliography entries that are never cited
    #[arg(long)]
    allow_unused_references: bool,
    /// A house-style folder (epub.css, fonts); default: BOOK_DIR/styles, then BOOK_DIR/../styles, then built in
    #[arg(long, value_name = "DIR")]
    styles: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Build the book: check everything, then write the outputs into the output folder
    Build {
        #[command(flatten)]
        check: CheckArgs,
        /// Output format(s), comma-separated; default: all
        #[arg(long, short, value_enum, value_delimiter = ',', value_name = "FORMAT")]
        format: Vec<Format>,
        /// Where to write the outputs
        #[arg(long, short, default_value = "out", value_name = "DIR")]
        out: PathBuf,
        /// Build only chapter N, with the numbers, references and citations of the whole book
        #[arg(long, value_name = "N")]
        chapter: Option<u32>,
        /// Crop marks on the print PDF, outside the bleed (most printers add their own)
        #[arg(long)]
        marks: bool,
    },
    /// Check the book (load, parse, resolve) and report every problem; writes nothing
    Check {
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Preview the web edition while you write: build, serve on 127.0.0.1, rebuild and reload on every change
    Serve {
        #[command(flatten)]
        check: CheckArgs,
        /// The port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on; any other than 127.0.0.1 lets other machines see the preview
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
        host: std::net::IpAddr,
        /// Open the book in the default browser
        #[arg(long)]
        open: bool,
        /// Where the web edition is written (OUT/html)
        #[arg(long, short, default_value = "out", value_name = "DIR")]
        out: PathBuf,
    },
    /// Create a small working book in DIR to start from
    New {
        /// The folder to create (it must not exist or be empty)
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::New { dir } => match druk::new::create(&dir) {
            Ok(()) => {
                println!("created a new book in {}", dir.display());
                println!("build it with: druk build {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Serve {
            check,
            host,
            port,
            open,
            out,
        } => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let opts = druk::serve::ServeOptions {
                book_dir: check.book.clone(),
                out_dir: out,
                host,
                port,
                open,
                compile: check.compile_options(),
                color,
            };
            match druk::serve::serve(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Check { check } => {
            if let Err(e) = druk::serve::check_book_folder(&check.book) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            let compiled = druk::compile(&check.book, &check.compile_options());
            report(&compiled, &check);
            if usage_error(&compiled) {
                return ExitCode::from(2);
            }
            exit_code(&compiled, check.deny_warnings)
        }
        Command::Build {
            check,
            format,
            out,
            chapter,
            marks,
        } => {
            if let Err(e) = druk::serve::check_book_folder(&check.book) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            let epoch = match source_date_epoch() {
                Ok(e) => e,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
            };
            let opts = BuildOptions {
                book_dir: check.book.clone(),
                out_dir: out,
                formats: if format.is_empty() {
                    Format::all()
                } else {
                    dedup(format)
                },
                compile: check.compile_options(),
                deny_warnings: check.deny_warnings,
                source_date_epoch: epoch,
                chapter,
                marks,
            };
            let started = std::time::Instant::now();
            let bar = progress_bar(check.message_format);
            let built = druk::build_with_progress(&opts, &|stage| {
                // Waiting on another build is said even where no spinner shows.
                if stage.starts_with("waiting") {
                    bar.suspend(|| eprintln!("{stage}"));
                }
                bar.set_message(stage.to_string())
            });
            bar.finish_and_clear();
            report(&built.compiled, &check);
            for (_, path, size) in &built.written {
                println!("wrote {} ({})", path.display(), human_size(*size));
            }
            if usage_error(&built.compiled) {
                return ExitCode::from(2);
            }
            let code = exit_code(&built.compiled, check.deny_warnings);
            if code == ExitCode::SUCCESS
                && !built.written.is_empty()
                && check.message_format == MessageFormat::Human
            {
                eprintln!("{}", summary(&built, chapter, started.elapsed()));
            }
            if built.written.is_empty() && built.compiled.errors() == 0 && code == ExitCode::SUCCESS
            {
                return ExitCode::from(1);
            }
            // The process ends here: the system takes the book back faster than freeing it
            // piece by piece would.
            std::mem::forget(built);
            code
        }
    }
}

impl CheckArgs {
    fn compile_options(&self) -> druk::CompileOptions {
        druk::CompileOptions {
            styles: self.styles.clone(),
            allow_unused_references: self.allow_unused_references,
            cite_only_chapter: None,
            prepare_print: false,
        }
    }
}

/// A spinner with the current stage, on a terminal only, and only once a build has taken
/// longer than a moment (a quick build should not flicker).
fn progress_bar(format: MessageFormat) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
    if format == MessageFormat::Human && std::io::stderr().is_terminal() {
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            if !shown.is_finished() {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown.enable_steady_tick(std::time::Duration::from_millis(100));
            }
        });
    }
    bar
}

/// "6 hoofdstukken, 212 pagina's, EPUB + print PDF in 0.41 s", in the book's language.
fn summary(built: &druk::Built, chapter: Option<u32>, took: std::time::Duration) -> String {
    let Some((_, book)) = &built.compiled.book else {
        return String::new();
    };
    let chapters = book
        .parts
        .iter()
        .filter(|p| p.kind == druk::model::PartKind::Chapter)
        .count();
    let formats: Vec<&str> = built
        .written
        .iter()
        .map(|(f, _, _)| match f {
            Format::Epub => "EPUB",
            Format::Html => "web",
            Format::Pdf => "print PDF",
            Format::ScreenPdf => "screen PDF",
        })
        .collect();
    let ((one, many), (page, pages)) = match book.meta.lang {
        druk::lang::Lang::Nl => (("hoofdstuk", "hoofdstukken"), ("pagina", "pagina's")),
        druk::lang::Lang::En => (("chapter", "chapters"), ("page", "pages")),
    };
    let mut what = match chapter {
        Some(n) => format!("{one} {n}"),
        None => format!("{chapters} {}", if chapters == 1 { one } else { many }),
    };
    if let Some(n) = built.pages {
        what.push_str(&format!(", {n} {}", if n == 1 { page } else { pages }));
    }
    format!(
        "{what}, {} in {:.2} s",
        formats.join(" + "),
        took.as_secs_f64()
    )
}

fn dedup(mut v: Vec<Format>) -> Vec<Format> {
    v.sort();
    v.dedup();
    v
}

fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => druk::time::parse_epoch(&s).map(Some),
        _ => Ok(None),
    }
}

fn report(c: &druk::Compiled, args: &CheckArgs) {
    let color = args.message_format == MessageFormat::Human
        && std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = diag::render(&c.diags, &c.sources, args.message_format, color);
    eprint!("{text}");
    if args.message_format == MessageFormat::Human && (c.errors() > 0 || c.warnings() > 0) {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        eprintln!(
            "{}, {}",
            plural(c.errors(), "error", "errors"),
            plural(c.warnings(), "warning", "warnings")
        );
    }
}

/// Asking for what cannot be (a chapter the book lacks, an output folder that would take the
/// place of something, a style folder that is not there) is a usage error, not the book's.
fn usage_error(c: &druk::Compiled) -> bool {
    c.diags.iter().any(|d| {
        matches!(
            d.code,
            "no-such-chapter"
                | "output-folder"
                | "output-in-the-way"
                | "source-date-epoch"
                | "no-styles-folder"
        )
    })
}

fn exit_code(c: &druk::Compiled, deny_warnings: bool) -> ExitCode {
    if c.errors() > 0 || deny_warnings && c.warnings() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn human_size(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1 << 20) as f64)
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}
