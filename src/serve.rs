//! `druk serve`: the web edition on 127.0.0.1 (unless `--host` says otherwise), rebuilt when a
//! source changes, with the open pages reloaded over Server-Sent Events and the last build's
//! diagnostics shown in the page.
//!
//! A broken edit never takes the server down: the last good pages stay on disk and in the
//! browser, with the problems in an overlay until they are fixed. Only edited files are parsed
//! again, and only pages whose content changed are written. `http.rs` answers the browser
//! within fixed limits; this file watches the book and rebuilds it.

mod http;
mod site;

use crate::diag::{self, Diagnostic, MessageFormat, Severity};
use crate::render::html::{self, PageOptions};
use crate::{Cache, CompileOptions};
use http::Live;
use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

pub struct ServeOptions {
    pub book_dir: PathBuf,
    pub out_dir: PathBuf,
    /// The address to listen on: 127.0.0.1 unless the user asks for another.
    pub host: IpAddr,
    pub port: u16,
    pub open: bool,
    pub compile: CompileOptions,
    pub color: bool,
}

/// How often the book folder itself is looked at: a watch on a folder that was deleted and
/// made anew still watches the old one, and sees nothing.
const FOLDER_CHECK: Duration = Duration::from_secs(1);

/// A rebuild runs on threads with this much stack: a deeply nested manuscript must cost an
/// error message, not the server. (The parser limits nesting too; this is a second line.)
const BUILD_STACK: usize = 64 * 1024 * 1024;

/// Serves until the process is stopped. Returns an error message for a usage problem
/// (folder missing, address taken).
pub fn serve(opts: ServeOptions) -> Result<(), String> {
    check_book_folder(&opts.book_dir)?;
    let html_dir = opts.out_dir.join("html");
    let bind = SocketAddr::new(opts.host, opts.port);
    let listener = http::listen(bind)
        .map_err(|e| format!("cannot listen on {bind}: {e} (try another --port)"))?;
    let builders = rayon::ThreadPoolBuilder::new()
        .stack_size(BUILD_STACK)
        .thread_name(|i| format!("druk-build-{i}"))
        .build()
        .map_err(|e| format!("cannot start the build threads: {e}"))?;
    let (tx, rx) = channel();
    let mut watch = BookWatch::new(&opts, tx);
    watch.arm()?;
    let live = Arc::new(Live::new());

    let mut session = Session {
        opts: &opts,
        cache: Cache::keeping(),
        written: HashMap::new(),
        fingerprints: HashMap::new(),
        rendered: 0,
    };
    let t = Instant::now();
    session.rebuild_guarded(&builders, &live, &html_dir);
    eprintln!("built in {:.2} s", t.elapsed().as_secs_f64());

    let addr = http::start(
        listener,
        html_dir.clone(),
        Arc::clone(&live),
        http::Limits::default(),
    )
    .map_err(|e| format!("cannot start the server: {e}"))?;
    let url = format!("http://{addr}/");
    println!("serving {url} (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if opts.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }

    loop {
        let edited = match rx.recv_timeout(FOLDER_CHECK) {
            Ok(paths) => relevant(&paths, opts.out_dir.canonicalize().ok().as_deref()),
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        if edited {
            // Editors write a file in several steps; wait until they are done.
            debounce(&rx, Duration::from_millis(60));
        }
        match watch.look() {
            Folder::Gone => {
                report_missing(&opts.book_dir, &html_dir, &live);
                continue;
            }
            Folder::Back => {
                eprintln!("the book folder {} is back", opts.book_dir.display());
                if let Err(e) = watch.arm() {
                    eprintln!("error: {e}");
                    continue;
                }
                debounce(&rx, Duration::from_millis(60));
            }
            Folder::Missing => continue,
            Folder::Same if !edited => continue,
            Folder::Same => {}
        }
        let t = Instant::now();
        session.rebuild_guarded(&builders, &live, &html_dir);
        eprintln!(
            "rebuilt in {:.0} ms: {} file{} parsed, {} page{} rendered",
            t.elapsed().as_secs_f64() * 1000.0,
            session.cache.parse.parsed,
            if session.cache.parse.parsed == 1 {
                ""
            } else {
                "s"
            },
            session.rendered,
            if session.rendered == 1 { "" } else { "s" }
        );
    }
}

/// Checked before anything else happens, so that the first thing said about a mistyped
/// folder is that it does not exist.
pub fn check_book_folder(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "{} is not a folder: give the book folder, the one that holds book.yaml",
            dir.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "the book folder {} does not exist (run `druk new {}` to start a book)",
            dir.display(),
            dir.display()
        )),
        Err(e) => Err(format!(
            "cannot read the book folder {}: {e}",
            dir.display()
        )),
    }
}

fn debounce(rx: &Receiver<Vec<PathBuf>>, quiet: Duration) {
    while rx.recv_timeout(quiet).is_ok() {}
}

/// Changes inside the output folder (when it lies in the book folder) must not trigger builds.
fn relevant(paths: &[PathBuf], out: Option<&Path>) -> bool {
    paths.iter().any(|p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let hidden_tmp = name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp");
        let in_out =
            out.is_some_and(|o| p.canonicalize().map(|c| c.starts_with(o)).unwrap_or(false));
        !hidden_tmp && !in_out
    })
}

/// The book folder (and the house style) watched for edits, and the folder itself looked
/// at now and then: deleting it and making it anew (a `git checkout`, a restored backup)
/// leaves a watch on the old folder, which never hears of the new one.
struct BookWatch {
    book_dir: PathBuf,
    styles: Option<PathBuf>,
    tx: Sender<Vec<PathBuf>>,
    watcher: Option<notify::RecommendedWatcher>,
    /// Which folder is watched; `None` while it is missing.
    identity: Option<FolderId>,
}

/// What became of the book folder since it was last looked at.
#[derive(Debug, PartialEq)]
enum Folder {
    Same,
    Gone,
    Missing,
    Back,
}

impl BookWatch {
    fn new(opts: &ServeOptions, tx: Sender<Vec<PathBuf>>) -> BookWatch {
        BookWatch {
            book_dir: opts.book_dir.clone(),
            styles: opts.compile.styles.clone(),
            tx,
            watcher: None,
            identity: None,
        }
    }

    /// Watches the folder as it is now, in place of any earlier watch.
    fn arm(&mut self) -> Result<(), String> {
        use notify::Watcher;
        let cannot = |e: notify::Error| format!("cannot watch {}: {e}", self.book_dir.display());
        self.watcher = None;
        self.identity = folder_id(&self.book_dir);
        let tx = self.tx.clone();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res
                && !matches!(ev.kind, notify::EventKind::Access(_))
            {
                let _ = tx.send(ev.paths);
            }
        })
        .map_err(cannot)?;
        watcher
            .watch(&self.book_dir, notify::RecursiveMode::Recursive)
            .map_err(cannot)?;
        if let Some(styles) = &self.styles {
            let _ = watcher.watch(styles, notify::RecursiveMode::Recursive);
        }
        self.watcher = Some(watcher);
        Ok(())
    }

    fn look(&mut self) -> Folder {
        let now = folder_id(&self.book_dir);
        if now == self.identity {
            return if now.is_some() {
                Folder::Same
            } else {
                Folder::Missing
            };
        }
        self.identity = now;
        match now {
            None => {
                self.watcher = None;
                Folder::Gone
            }
            Some(_) => Folder::Back,
        }
    }
}

/// Tells one folder from another made later at the same path.
#[cfg(unix)]
type FolderId = (u64, u64);

#[cfg(unix)]
fn folder_id(dir: &Path) -> Option<FolderId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
type FolderId = ();

#[cfg(not(unix))]
fn folder_id(dir: &Path) -> Option<FolderId> {
    std::fs::metadata(dir)
        .ok()
        .filter(|m| m.is_dir())
        .map(|_| ())
}

/// Shown in the terminal and in every open page until the folder is back.
fn report_missing(book_dir: &Path, html_dir: &Path, live: &Live) {
    let missing = Diagnostic::error(
        "book-missing",
        format!("the book folder {} is missing", book_dir.display()),
    )
    .help(format!(
        "the last good pages stay in {}; they are rebuilt when the folder is back",
        html_dir.display()
    ));
    eprintln!(
        "error: the book folder {} is missing; the last good build stays in {} until it is back",
        book_dir.display(),
        html_dir.display()
    );
    publish_problem(live, missing);
}

/// Sends a problem that no source file holds to the open pages.
fn publish_problem(live: &Live, problem: Diagnostic) {
    let json = diagnostics_json(&[problem], &crate::source::SourceMap::default());
    live.publish(
        json.clone(),
        &format!("event: diagnostics\ndata: {json}\n\n"),
    );
}

struct Session<'a> {
    opts: &'a ServeOptions,
    cache: Cache,
    /// What each site file held when last written, to write only what changed.
    written: HashMap<String, u64>,
    /// What each page was rendered from; a page is rendered again only when this changes.
    fingerprints: HashMap<String, u64>,
    /// Pages rendered by the last rebuild, for the terminal.
    rendered: usize,
}

impl Session<'_> {
    /// Rebuilds on the deep-stacked build threads, behind a panic guard: whatever goes
    /// wrong in the pipeline, the server keeps serving the last good pages.
    fn rebuild_guarded(&mut self, builders: &rayon::ThreadPool, live: &Live, html_dir: &Path) {
        let outcome = builders.install(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.rebuild(live, html_dir)
            }))
        });
        if outcome.is_err() {
            // What the cache held may be half updated.
            self.cache = Cache::keeping();
            self.written.clear();
            self.fingerprints.clear();
            eprintln!(
                "error: druk failed while rebuilding (see above); the last good build stays in {}",
                html_dir.display()
            );
            publish_problem(
                live,
                Diagnostic::error("internal", "druk failed while rebuilding this book")
                    .help("the last good pages stay; the terminal shows what went wrong"),
            );
        }
    }

    fn rebuild(&mut self, live: &Live, html_dir: &Path) {
        let compiled =
            crate::compile_with(&self.opts.book_dir, &self.opts.compile, &mut self.cache);
        let text = diag::render(
            &compiled.diags,
            &compiled.sources,
            MessageFormat::Human,
            self.opts.color,
        );
        eprint!("{text}");
        let mut diags = compiled.diags.clone();
        let mut changed = 0;
        if compiled.errors() == 0
            && let Some((project, book)) = &compiled.book
        {
            let prints = fingerprints(book, project);
            let stale = |p: html::Page| {
                let key = page_key(p);
                self.fingerprints.get(&key) != prints.get(&key)
                    || !html_dir.join(page_file(book, project, p)).exists()
            };
            let shown = crate::visible::for_edition(book, crate::visible::Edition::Web);
            match html::render_pages(&shown, project, PageOptions { live_reload: true }, &stale) {
                Ok(files) => {
                    self.rendered = files.iter().filter(|f| f.0.ends_with(".html")).count();
                    changed = self.write_changed(
                        &compiled.book_files(),
                        &project.root,
                        &files,
                        &mut diags,
                    );
                    self.fingerprints = prints;
                }
                Err(d) => diags.extend(d),
            }
        } else {
            eprintln!("the last good build stays in {}", html_dir.display());
        }
        // What writing found (an output in the way) is said in the terminal too.
        let late = &diags[compiled.diags.len()..];
        if !late.is_empty() {
            let text = diag::render(
                late,
                &compiled.sources,
                MessageFormat::Human,
                self.opts.color,
            );
            eprint!("{text}");
        }
        let json = diagnostics_json(&diags, &compiled.sources);
        let event = if compiled.errors() == 0 && changed > 0 {
            "event: reload\ndata: {}\n\n".to_string()
        } else {
            format!("event: diagnostics\ndata: {json}\n\n")
        };
        live.publish(json, &event);
    }

    /// Writes the files whose content changed since the last build into the web edition's
    /// folder, through the same checks as `druk build`: nothing druk did not write is replaced,
    /// and the files go in together.
    fn write_changed(
        &mut self,
        book_files: &[PathBuf],
        root: &Path,
        files: &[html::SiteFile],
        diags: &mut Vec<Diagnostic>,
    ) -> usize {
        let dir = self.opts.out_dir.join("html");
        let changed: Vec<html::SiteFile> = files
            .iter()
            .filter(|(rel, bytes)| {
                self.written.get(rel) != Some(&hash(bytes)) || !dir.join(rel).exists()
            })
            .cloned()
            .collect();
        if changed.is_empty() {
            return 0;
        }
        if let Err(d) = crate::output::guard_book(&self.opts.out_dir, root, book_files) {
            diags.push(*d);
            return 0;
        }
        let item = crate::output::Item {
            name: "html".into(),
            payload: crate::output::Payload::Into(&changed),
        };
        match crate::output::commit(&self.opts.out_dir, &[item], &|| {}) {
            Ok(()) => {
                for (rel, bytes) in &changed {
                    self.written.insert(rel.clone(), hash(bytes));
                }
                changed.len()
            }
            Err(d) => {
                diags.push(*d);
                0
            }
        }
    }
}

fn page_key(p: html::Page) -> String {
    match p {
        html::Page::Index => "index".into(),
        html::Page::Part(i) => format!("part-{i}"),
    }
}

fn page_file(book: &crate::resolve::Book, project: &crate::load::Project, p: html::Page) -> String {
    match p {
        html::Page::Index => "index.html".into(),
        html::Page::Part(i) => html::layout(book, &project.sources).part_files[i].clone(),
    }
}

/// What each page depends on: its own source text and part number, the texts and targets of the
/// references and citations in it, and the book-wide contents shown in every sidebar. An edit
/// to one chapter changes its own fingerprint, and others' only where its labels, numbers or
/// headings show up there.
fn fingerprints(
    book: &crate::resolve::Book,
    project: &crate::load::Project,
) -> HashMap<String, u64> {
    use crate::model::{Block, Inline};
    use std::hash::{Hash, Hasher};
    let mut shared = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}", book.meta).hash(&mut shared);
    for p in &book.parts {
        (
            &p.title.number,
            crate::parse::plain_text(&p.title.content),
            &p.title.id,
        )
            .hash(&mut shared);
        for b in &p.blocks {
            if let Block::Heading(h) = b
                && h.level <= 2
            {
                (&h.number, crate::parse::plain_text(&h.content), &h.id).hash(&mut shared);
            }
        }
    }
    let shared = shared.finish();
    fn refs(v: &[Inline], h: &mut std::collections::hash_map::DefaultHasher) {
        for i in v {
            match i {
                Inline::CrossRef(r) => format!("{:?}", r.resolved).hash(h),
                Inline::Citation(c) => format!("{:?}", c.rendered).hash(h),
                Inline::Styled(_, c)
                | Inline::Link { content: c, .. }
                | Inline::Internal { content: c, .. } => refs(c, h),
                _ => {}
            }
        }
    }
    fn blocks(bs: &[Block], h: &mut std::collections::hash_map::DefaultHasher) {
        for b in bs {
            match b {
                Block::Heading(x) => {
                    x.number.hash(h);
                    refs(&x.content, h)
                }
                Block::Paragraph(i, _) => refs(i, h),
                Block::List(l) => l.items.iter().for_each(|it| blocks(it, h)),
                Block::Quote(q) => blocks(q, h),
                Block::Div(d) => blocks(&d.blocks, h),
                Block::Kader(k) => {
                    k.number.hash(h);
                    blocks(&k.blocks, h)
                }
                Block::Table(t) => {
                    t.number.hash(h);
                    t.rows.iter().flatten().for_each(|c| refs(c, h));
                    if let Some(c) = &t.caption {
                        refs(c, h);
                    }
                }
                Block::Figure(f) => {
                    f.number.hash(h);
                    refs(&f.caption, h)
                }
                Block::References(r) => format!("{r:?}").hash(h),
                _ => {}
            }
        }
    }
    let mut out = HashMap::new();
    out.insert(page_key(html::Page::Index), shared);
    for (i, p) in book.parts.iter().enumerate() {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        shared.hash(&mut h);
        project.sources.get(p.file).text.hash(&mut h);
        (i, p.number, &p.author).hash(&mut h);
        blocks(&p.blocks, &mut h);
        for n in &p.footnotes {
            blocks(&n.blocks, &mut h);
        }
        out.insert(page_key(html::Page::Part(i)), h.finish());
    }
    out
}

fn hash(b: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

fn diagnostics_json(diags: &[Diagnostic], sources: &crate::source::SourceMap) -> String {
    let items: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let (file, line, col) = d.location(sources).unwrap_or_default();
            serde_json::json!({
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": d.message,
                "file": file,
                "line": line,
                "column": col,
                "help": d.help,
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}
