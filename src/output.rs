//! Writing outputs without ever destroying what druk did not write.
//!
//! An output folder may hold other things than druk's outputs: a manuscript, a site someone
//! keeps by hand, files a reader added. So druk replaces a path only when it can recognise it
//! as its own: the manifest (`.druk-manifest.json`, beside the outputs) records the size and
//! content hash of every file druk wrote, and a path is replaced only while it still holds
//! exactly that. Anything else in the way is an error that names it.
//!
//! A build is all-or-nothing: under a lock (`.druk.lock`), every output is written into a
//! fresh stage folder with an unpredictable name inside the output folder, created exclusively
//! and never through a symbolic link; only when all are complete are they exchanged into
//! place (`renameat2(RENAME_EXCHANGE)` on Linux: the old output is never deleted before the
//! new one is there). A failure or a kill before that leaves the previous outputs as they were;
//! the next build removes the stage folders a killed build left behind.

use crate::diag::Diagnostic;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// The record of what druk wrote into an output folder.
pub const MANIFEST: &str = ".druk-manifest.json";
/// Held while a build writes into the folder, so that two builds never interleave.
const LOCK: &str = ".druk.lock";
/// Stage folders: `.druk-stage-<random>`.
const STAGE_PREFIX: &str = ".druk-stage-";

/// A file (relative path inside a folder) and its bytes.
pub type SiteFile = (String, Vec<u8>);

/// What one output is.
pub enum Payload<'a> {
    /// One file (an EPUB, a PDF).
    File(&'a [u8]),
    /// A folder replaced as a whole (the web edition).
    Dir(&'a [SiteFile]),
    /// Files put into a folder, the rest of it kept (a one-chapter web page, `druk serve`).
    Into(&'a [SiteFile]),
}

/// One output: its name in the output folder and what goes there.
pub struct Item<'a> {
    pub name: String,
    pub payload: Payload<'a>,
}

/// The kind of an output, which is all that [`preflight`] needs to know of it.
#[derive(Clone, Debug)]
pub enum Kind {
    File,
    Dir,
    /// The relative paths that will be put into the folder.
    Into(Vec<String>),
}

impl Item<'_> {
    fn kind(&self) -> Kind {
        match self.payload {
            Payload::File(_) => Kind::File,
            Payload::Dir(_) => Kind::Dir,
            Payload::Into(files) => Kind::Into(files.iter().map(|f| f.0.clone()).collect()),
        }
    }
}

/// What druk knows of a file it wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Record {
    size: u64,
    /// xxh3-64 of the content, in hex: stable across druk versions and machines.
    hash: String,
    /// Modification time when written (seconds, nanoseconds): while it is unchanged, the
    /// content need not be read again to recognise the file.
    mtime: (i64, u32),
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Manifest {
    /// Always "druk outputs 1"; a manifest of another form is not trusted.
    format: String,
    /// Relative path (`book.epub`, `html/index.html`) → what druk wrote there.
    files: BTreeMap<String, Record>,
    /// What a build that was interrupted while moving its outputs into place had staged:
    /// each of these paths holds either its record in `files` or this one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pending: BTreeMap<String, Record>,
}

const MANIFEST_FORMAT: &str = "druk outputs 1";

impl Manifest {
    fn read(out: &Path) -> Manifest {
        let path = out.join(MANIFEST);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return Manifest::default();
        };
        if !meta.is_file() {
            return Manifest::default();
        }
        let parsed: Option<Manifest> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        parsed
            .filter(|m| m.format == MANIFEST_FORMAT)
            .unwrap_or_default()
    }

    fn exists(out: &Path) -> bool {
        std::fs::symlink_metadata(out.join(MANIFEST)).is_ok_and(|m| m.is_file())
    }

    fn records(&self, rel: &str) -> impl Iterator<Item = &Record> {
        self.files.get(rel).into_iter().chain(self.pending.get(rel))
    }
}

fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

fn mtime(meta: &std::fs::Metadata) -> (i64, u32) {
    use std::os::unix::fs::MetadataExt;
    (meta.mtime(), meta.mtime_nsec() as u32)
}

/// Whether the file at `path` (a regular file, `meta` its metadata) is one druk wrote.
fn recognised<'a>(
    path: &Path,
    meta: &std::fs::Metadata,
    mut records: impl Iterator<Item = &'a Record>,
) -> bool {
    let candidates: Vec<&Record> = records.by_ref().filter(|r| r.size == meta.len()).collect();
    if candidates.is_empty() {
        return false;
    }
    if candidates.iter().any(|r| r.mtime == mtime(meta)) {
        return true;
    }
    // Touched or copied: the content decides.
    match read_regular(path) {
        Ok(bytes) => {
            let h = hash(&bytes);
            candidates.iter().any(|r| r.hash == h)
        }
        Err(_) => false,
    }
}

/// Reads a file without following a symbolic link at its last component.
fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let mut v = Vec::new();
    f.read_to_end(&mut v)?;
    Ok(v)
}

/// Why a path in the output folder may not be replaced: the diagnostic to show.
fn in_the_way(shown: &Path, why: String, has_manifest: bool) -> Diagnostic {
    let help = if has_manifest {
        format!(
            "druk replaces only what it wrote itself; move `{}` elsewhere, or build into another folder with --out",
            shown.display()
        )
    } else {
        format!(
            "druk replaces only what it wrote itself, and this folder has no {MANIFEST} (the record of what druk wrote); if `{}` is an old build, delete it; otherwise build into another folder with --out",
            shown.display()
        )
    };
    Diagnostic::error("output-in-the-way", why)
        .help(help)
        .in_file(shown.display().to_string())
}

/// Checks that every output of `items` may be written at `out`: each path that exists is one
/// druk wrote and nobody changed since. Cheap enough to run before rendering; [`commit`] checks
/// again under the lock.
pub fn preflight(out: &Path, items: &[(String, Kind)]) -> Result<(), Vec<Diagnostic>> {
    match std::fs::symlink_metadata(out) {
        Ok(m) if !(m.is_dir() || m.file_type().is_symlink() && out.is_dir()) => {
            return Err(vec![
                Diagnostic::error(
                    "output-folder",
                    format!(
                        "the output folder `{}` is a file, not a folder",
                        out.display()
                    ),
                )
                .help("give --out a folder (it is created when it does not exist)")
                .in_file(out.display().to_string()),
            ]);
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(vec![
                Diagnostic::error(
                    "output-folder",
                    format!("cannot open the output folder `{}`: {e}", out.display()),
                )
                .in_file(out.display().to_string()),
            ]);
        }
    }
    let manifest = Manifest::read(out);
    let has_manifest = Manifest::exists(out);
    let problems: Vec<Diagnostic> = items
        .iter()
        .filter_map(|(name, kind)| check_item(out, &manifest, name, kind, has_manifest))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The problem with writing output `name` of `kind` into `out`, if there is one.
fn check_item(
    out: &Path,
    manifest: &Manifest,
    name: &str,
    kind: &Kind,
    has_manifest: bool,
) -> Option<Diagnostic> {
    let path = out.join(name);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => {
            return Some(in_the_way(
                &path,
                format!("cannot inspect `{}`: {e}", path.display()),
                has_manifest,
            ));
        }
    };
    let way = |why: String| Some(in_the_way(&path, why, has_manifest));
    if meta.file_type().is_symlink() {
        return way(format!(
            "`{}` is a symbolic link; druk does not write through links",
            path.display()
        ));
    }
    match kind {
        Kind::File => {
            if !meta.is_file() {
                return way(format!(
                    "`{}` is in the way: it is a folder, and druk did not make it",
                    path.display()
                ));
            }
            if !recognised(&path, &meta, manifest.records(name)) {
                return way(not_ours(&path, manifest, name));
            }
            None
        }
        Kind::Dir => {
            if !meta.is_dir() {
                return way(format!(
                    "`{}` is in the way: it is a file, and druk did not write it",
                    path.display()
                ));
            }
            // The folder is replaced whole: all of it must be druk's.
            foreign_in_dir(out, manifest, name).map(|(p, why)| {
                in_the_way(
                    &p,
                    format!("cannot replace the folder `{}`: {why}", path.display()),
                    has_manifest,
                )
            })
        }
        Kind::Into(rels) => {
            if !meta.is_dir() {
                return way(format!(
                    "`{}` is in the way: it is a file, and druk did not write it",
                    path.display()
                ));
            }
            for rel in rels {
                let full = format!("{name}/{rel}");
                if let Some((p, why)) = check_inside(out, manifest, &full) {
                    return Some(in_the_way(&p, why, has_manifest));
                }
            }
            None
        }
    }
}

/// Why druk does not take `path` for its own.
fn not_ours(path: &Path, manifest: &Manifest, rel: &str) -> String {
    if manifest.records(rel).next().is_some() {
        format!(
            "`{}` was changed after druk wrote it; druk will not overwrite the changes",
            path.display()
        )
    } else {
        format!("`{}` is in the way: druk did not write it", path.display())
    }
}

/// The first thing inside folder `name` that druk did not write, walked without recursion.
fn foreign_in_dir(out: &Path, manifest: &Manifest, name: &str) -> Option<(PathBuf, String)> {
    let mut stack = vec![name.to_string()];
    while let Some(rel_dir) = stack.pop() {
        let dir = out.join(&rel_dir);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => return Some((dir.clone(), format!("cannot read `{}`: {e}", dir.display()))),
        };
        let mut names: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let Some(fname) = e.file_name().to_str().map(str::to_string) else {
                let p = e.path();
                return Some((
                    p.clone(),
                    format!("`{}` is in the way: druk did not write it", p.display()),
                ));
            };
            let rel = format!("{rel_dir}/{fname}");
            let p = out.join(&rel);
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                return Some((
                    p.clone(),
                    format!(
                        "`{}` is a symbolic link that druk did not make",
                        p.display()
                    ),
                ));
            } else if meta.is_dir() {
                stack.push(rel);
            } else if !meta.is_file() || !recognised(&p, &meta, manifest.records(&rel)) {
                return Some((p.clone(), not_ours(&p, manifest, &rel)));
            }
        }
    }
    None
}

/// Whether file `rel` (inside an output folder) may be replaced: every folder on its way is a
/// real folder, and the file, if there, is one druk wrote.
fn check_inside(out: &Path, manifest: &Manifest, rel: &str) -> Option<(PathBuf, String)> {
    let mut p = out.to_path_buf();
    let comps: Vec<&str> = rel.split('/').collect();
    for (i, c) in comps.iter().enumerate() {
        p.push(c);
        let meta = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(_) => return None,
        };
        if meta.file_type().is_symlink() {
            return Some((
                p.clone(),
                format!(
                    "`{}` is a symbolic link that druk did not make",
                    p.display()
                ),
            ));
        }
        let last = i + 1 == comps.len();
        if last {
            if !meta.is_file() || !recognised(&p, &meta, manifest.records(rel)) {
                return Some((p.clone(), not_ours(&p, manifest, rel)));
            }
        } else if !meta.is_dir() {
            return Some((
                p.clone(),
                format!("`{}` is in the way: druk did not write it", p.display()),
            ));
        }
    }
    None
}

/// Refuses an output folder that would mix outputs with the book: the book folder itself, a
/// folder that holds it, or one that holds any file the book is made of.
pub fn guard_book(
    out: &Path,
    book_dir: &Path,
    book_files: &[PathBuf],
) -> Result<(), Box<Diagnostic>> {
    let out_abs = resolve_existing(out);
    let refuse = |what: String, help: String| {
        Err(Box::new(
            Diagnostic::error("output-folder", what)
                .help(help)
                .in_file(out.display().to_string()),
        ))
    };
    let book_abs = book_dir
        .canonicalize()
        .unwrap_or_else(|_| book_dir.to_path_buf());
    let suggestion = format!(
        "write the outputs into a folder of their own, e.g. `--out {}`",
        book_dir.join("out").display()
    );
    if out_abs == book_abs {
        return refuse(
            format!(
                "the output folder `{}` is the book folder; druk does not write its outputs among the sources",
                out.display()
            ),
            suggestion,
        );
    }
    if book_abs.starts_with(&out_abs) {
        return refuse(
            format!(
                "the output folder `{}` holds the book folder `{}`; an output could take the place of the book",
                out.display(),
                book_dir.display()
            ),
            suggestion,
        );
    }
    for f in book_files {
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        if abs.starts_with(&out_abs) {
            return refuse(
                format!(
                    "the output folder `{}` holds `{}`, a file of the book",
                    out.display(),
                    f.display()
                ),
                suggestion,
            );
        }
    }
    Ok(())
}

/// The absolute, link-free form of `p`, which need not exist yet: its longest existing
/// ancestor canonicalised, the rest appended.
fn resolve_existing(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(p)
    };
    let mut rest = Vec::new();
    let mut cur = abs.clone();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut r = c;
            for comp in rest.iter().rev() {
                r.push(comp);
            }
            return normalise(&r);
        }
        match (cur.file_name().map(|n| n.to_os_string()), cur.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n);
                cur = parent.to_path_buf();
            }
            _ => return normalise(&abs),
        }
    }
}

/// `a/./b/../c` → `a/c`, lexically (for the part of a path that does not exist yet).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A relative path druk itself made (`css/druk.css`): plain components only.
fn plain_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes `items` into `out` all together: staged, then exchanged into place under the lock.
/// `waiting` is called once if another build holds the folder, before waiting for it.
pub fn commit(out: &Path, items: &[Item<'_>], waiting: &dyn Fn()) -> Result<(), Box<Diagnostic>> {
    let fail = |what: String| {
        Box::new(Diagnostic::error("write", what).in_file(out.display().to_string()))
    };
    std::fs::create_dir_all(out).map_err(|e| {
        fail(format!(
            "cannot create the output folder `{}`: {e}",
            out.display()
        ))
    })?;
    for item in items {
        let rels: Vec<&str> = match item.payload {
            Payload::File(_) => vec![],
            Payload::Dir(f) | Payload::Into(f) => f.iter().map(|f| f.0.as_str()).collect(),
        };
        if !plain_relative(&item.name) || rels.iter().any(|r| !plain_relative(r)) {
            return Err(fail(format!(
                "an output name is not a plain relative path: `{}`",
                item.name
            )));
        }
    }
    let _lock = lock(out, waiting).map_err(|e| {
        fail(format!(
            "cannot lock the output folder `{}`: {e}",
            out.display()
        ))
    })?;
    remove_stale(out);
    let kinds: Vec<(String, Kind)> = items.iter().map(|i| (i.name.clone(), i.kind())).collect();
    if let Err(mut d) = preflight(out, &kinds) {
        return Err(Box::new(d.remove(0)));
    }
    let mut manifest = Manifest::read(out);
    manifest.format = MANIFEST_FORMAT.into();
    let stage = Stage::create(out).map_err(|e| {
        fail(format!(
            "cannot make a stage folder in `{}`: {e}",
            out.display()
        ))
    })?;
    let result = (|| {
        let staged = stage
            .write_all(items)
            .map_err(|(what, e)| fail(format!("cannot write {what}: {e}")))?;
        // Recorded before anything moves: a kill while moving leaves every path holding
        // either its old record or its new one, and both are recognised.
        manifest.pending = staged.iter().flat_map(|s| s.records.clone()).collect();
        write_manifest(out, &stage, &manifest)
            .map_err(|e| fail(format!("cannot write {MANIFEST}: {e}")))?;
        stage
            .move_into_place(out, &staged)
            .map_err(|(what, e)| fail(format!("cannot move {what} into place: {e}")))?;
        for s in &staged {
            if s.whole_dir {
                let prefix = format!("{}/", s.name);
                manifest.files.retain(|k, _| !k.starts_with(&prefix));
            }
        }
        let pending = std::mem::take(&mut manifest.pending);
        manifest.files.extend(pending);
        manifest
            .files
            .retain(|k, _| std::fs::symlink_metadata(out.join(k)).is_ok_and(|m| m.is_file()));
        write_manifest(out, &stage, &manifest)
            .map_err(|e| fail(format!("cannot write {MANIFEST}: {e}")))?;
        if let Ok(d) = File::open(out) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    stage.remove();
    result
}

/// The lock on the output folder, held until dropped.
fn lock(out: &Path, waiting: &dyn Fn()) -> io::Result<File> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(out.join(LOCK))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            f.lock()?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(f)
}

/// Removes what killed builds left: stage folders (no build is staging: the lock is held), and
/// the temporaries of druk versions before the manifest (`.NAME.PID.tmp`, `.html.PID.old`).
fn remove_stale(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            continue;
        }
        let stale = (name.starts_with(STAGE_PREFIX) && meta.is_dir()) || old_temporary(&name);
        if stale {
            if meta.is_dir() {
                let _ = std::fs::remove_dir_all(e.path());
            } else {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// `.x.epub.1234.tmp`, `.x-print.pdf.1234.tmp`, `.html.1234.tmp`, `.html.1234.old`: the names
/// earlier druk versions gave their temporaries.
fn old_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let (base, suffix) = match rest.rsplit_once('.') {
        Some(x) => x,
        None => return false,
    };
    let Some((output, pid)) = base.rsplit_once('.') else {
        return false;
    };
    let pid_ok = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    let output_ok = output == "html" && (suffix == "tmp" || suffix == "old")
        || suffix == "tmp" && (output.ends_with(".epub") || output.ends_with(".pdf"));
    pid_ok && output_ok
}

/// A file or folder staged for one output, with the records of what it holds.
struct Staged {
    name: String,
    /// Index in the stage folder.
    index: usize,
    whole_dir: bool,
    /// For a folder filled in place: the relative paths of the staged files.
    into: Option<Vec<String>>,
    records: Vec<(String, Record)>,
}

/// A folder of druk's own inside the output folder, named unpredictably and created
/// exclusively, so that nobody can have prepared a link inside it.
struct Stage {
    dir: PathBuf,
}

impl Stage {
    fn create(out: &Path) -> io::Result<Stage> {
        for _ in 0..16 {
            let dir = out.join(format!("{STAGE_PREFIX}{:016x}", random()));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(Stage { dir }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no free stage name"))
    }

    fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Writes every item into the stage; the formats side by side, so that their syncs overlap.
    fn write_all(&self, items: &[Item<'_>]) -> Result<Vec<Staged>, (String, io::Error)> {
        use rayon::prelude::*;
        items
            .par_iter()
            .enumerate()
            .map(|(index, item)| self.write_item(index, item))
            .collect()
    }

    fn write_item(&self, index: usize, item: &Item<'_>) -> Result<Staged, (String, io::Error)> {
        let at = self.dir.join(index.to_string());
        let err = |e: io::Error| (format!("`{}`", item.name), e);
        let mut records = Vec::new();
        match item.payload {
            Payload::File(bytes) => {
                let r = write_new(&at, bytes, true).map_err(err)?;
                records.push((item.name.clone(), r));
            }
            Payload::Dir(files) | Payload::Into(files) => {
                std::fs::DirBuilder::new()
                    .mode(0o755)
                    .create(&at)
                    .map_err(err)?;
                for (rel, bytes) in files {
                    let p = at.join(rel);
                    if let Some(parent) = p.parent() {
                        std::fs::DirBuilder::new()
                            .recursive(true)
                            .mode(0o755)
                            .create(parent)
                            .map_err(err)?;
                    }
                    let r = write_new(&p, bytes, false).map_err(err)?;
                    records.push((format!("{}/{rel}", item.name), r));
                }
            }
        }
        Ok(Staged {
            name: item.name.clone(),
            index,
            whole_dir: matches!(item.payload, Payload::Dir(_)),
            into: match item.payload {
                Payload::Into(files) => Some(files.iter().map(|f| f.0.clone()).collect()),
                _ => None,
            },
            records,
        })
    }

    /// Exchanges every staged output with what is at its place (or moves it there); on a
    /// failure, what was already exchanged is exchanged back.
    fn move_into_place(&self, out: &Path, staged: &[Staged]) -> Result<(), (String, io::Error)> {
        let mut done: Vec<(PathBuf, PathBuf, bool)> = Vec::new();
        let result = (|| {
            for s in staged {
                let from = self.dir.join(s.index.to_string());
                let to = out.join(&s.name);
                match &s.into {
                    None => {
                        let swapped =
                            place(&from, &to).map_err(|e| (format!("`{}`", s.name), e))?;
                        done.push((from, to, swapped));
                    }
                    Some(rels) => {
                        ensure_real_dir(&to).map_err(|e| (format!("`{}`", s.name), e))?;
                        for rel in rels {
                            let f = from.join(rel);
                            let t = to.join(rel);
                            if let Some(parent) = t.parent() {
                                ensure_real_dirs(&to, parent)
                                    .map_err(|e| (format!("`{}/{rel}`", s.name), e))?;
                            }
                            let swapped =
                                place(&f, &t).map_err(|e| (format!("`{}/{rel}`", s.name), e))?;
                            done.push((f, t, swapped));
                        }
                    }
                }
            }
            Ok(())
        })();
        if result.is_err() {
            for (from, to, swapped) in done.into_iter().rev() {
                if swapped {
                    let _ = exchange(&from, &to);
                } else {
                    let _ = std::fs::rename(&to, &from);
                }
            }
        }
        result
    }
}

/// Puts `from` at `to`: exchanged with what is there (returns true), or moved to a free place.
fn place(from: &Path, to: &Path) -> io::Result<bool> {
    if std::fs::symlink_metadata(to).is_ok() {
        exchange(from, to)?;
        Ok(true)
    } else {
        rename_noreplace(from, to)?;
        Ok(false)
    }
}

fn cstr(p: &Path) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(p.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in a path"))
}

/// Swaps two paths atomically where the system can (Linux `renameat2`); elsewhere moves the
/// old one aside first, so that it still exists if the second step fails.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let (ca, cb) = (cstr(a)?, cstr(b)?);
        // SAFETY: both are valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if !matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        ) {
            return Err(e);
        }
    }
    let aside = a.with_extension("aside");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Moves `a` to `b` only if nothing is at `b`.
fn rename_noreplace(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let (ca, cb) = (cstr(a)?, cstr(b)?);
        // SAFETY: as in `exchange`.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if !matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        ) {
            return Err(e);
        }
    }
    if std::fs::symlink_metadata(b).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "something appeared there",
        ));
    }
    std::fs::rename(a, b)
}

/// Makes `dir` a real folder (not a link), creating it if needed.
fn ensure_real_dir(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "not a folder of druk's",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new().mode(0o755).create(dir)
        }
        Err(e) => Err(e),
    }
}

/// Every folder from `root` (exclusive) down to `dir`, made real folders.
fn ensure_real_dirs(root: &Path, dir: &Path) -> io::Result<()> {
    let rel = dir.strip_prefix(root).map_err(io::Error::other)?;
    let mut cur = root.to_path_buf();
    for c in rel.components() {
        cur.push(c);
        ensure_real_dir(&cur)?;
    }
    Ok(())
}

/// Creates `path` (which must not exist; never through a link), writes and optionally syncs
/// it, and returns its record.
fn write_new(path: &Path, bytes: &[u8], sync: bool) -> io::Result<Record> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    f.write_all(bytes)?;
    if sync {
        f.sync_all()?;
    }
    let meta = f.metadata()?;
    Ok(Record {
        size: bytes.len() as u64,
        hash: hash(bytes),
        mtime: mtime(&meta),
    })
}

/// Writes the manifest through the stage, so that it too is replaced in one step.
fn write_manifest(out: &Path, stage: &Stage, manifest: &Manifest) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    let tmp = stage.dir.join(format!("manifest-{:016x}", random()));
    write_new(&tmp, &bytes, true)?;
    let target = out.join(MANIFEST);
    if let Ok(m) = std::fs::symlink_metadata(&target)
        && !m.is_file()
    {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("`{}` is not a file", target.display()),
        ));
    }
    std::fs::rename(&tmp, &target)
}

/// 64 unpredictable bits from the system, for names nobody can prepare in advance.
fn random() -> u64 {
    let mut b = [0u8; 8];
    if File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok()
    {
        return u64::from_le_bytes(b);
    }
    // No /dev/urandom: the clock and the process, which at least differ between builds.
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    xxhash_rust::xxh3::xxh3_64(
        &[t.to_le_bytes(), u64::from(std::process::id()).to_le_bytes()].concat(),
    )
}

/// Replaces one file of druk's own outside an output folder (a cache), through an unpredictable
/// temporary created exclusively beside it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", random()));
    let result = write_new(&tmp, bytes, true).and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("druk-out-{name}-{:x}", random()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn commit_file(out: &Path, name: &str, bytes: &[u8]) -> Result<(), Box<Diagnostic>> {
        commit(
            out,
            &[Item {
                name: name.into(),
                payload: Payload::File(bytes),
            }],
            &|| {},
        )
    }

    #[test]
    fn replaces_its_own_and_leaves_no_temporary() {
        let out = tmp("own");
        commit_file(&out, "a.epub", b"one").unwrap();
        commit_file(&out, "a.epub", b"two").unwrap();
        assert_eq!(std::fs::read(out.join("a.epub")).unwrap(), b"two");
        assert_eq!(names(&out), [".druk-manifest.json", ".druk.lock", "a.epub"]);
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn never_replaces_a_file_it_did_not_write() {
        let out = tmp("foreign");
        std::fs::write(out.join("a.epub"), b"mine").unwrap();
        let e = commit_file(&out, "a.epub", b"druk").unwrap_err();
        assert_eq!(e.code, "output-in-the-way");
        assert_eq!(std::fs::read(out.join("a.epub")).unwrap(), b"mine");
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn never_replaces_a_changed_output() {
        let out = tmp("changed");
        commit_file(&out, "a.epub", b"druk").unwrap();
        std::fs::write(out.join("a.epub"), b"edited").unwrap();
        let e = commit_file(&out, "a.epub", b"druk 2").unwrap_err();
        assert!(
            e.message.contains("changed after druk wrote it"),
            "{}",
            e.message
        );
        assert_eq!(std::fs::read(out.join("a.epub")).unwrap(), b"edited");
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn a_folder_with_a_foreign_file_is_kept() {
        let out = tmp("dir");
        let files = vec![("index.html".to_string(), b"<p/>".to_vec())];
        let site = |f: &[SiteFile]| {
            commit(
                &out,
                &[Item {
                    name: "html".into(),
                    payload: Payload::Dir(f),
                }],
                &|| {},
            )
        };
        site(&files).unwrap();
        site(&files).unwrap();
        std::fs::write(out.join("html/notes.txt"), b"my notes").unwrap();
        let e = site(&files).unwrap_err();
        assert!(e.message.contains("notes.txt"), "{}", e.message);
        assert_eq!(
            std::fs::read(out.join("html/notes.txt")).unwrap(),
            b"my notes"
        );
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn stale_stages_are_removed_and_links_refused() {
        let out = tmp("stale");
        std::fs::create_dir(out.join(".druk-stage-0123456789abcdef")).unwrap();
        std::fs::write(out.join(".book.epub.4242.tmp"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", out.join("a.epub")).unwrap();
        let e = commit_file(&out, "a.epub", b"druk").unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        commit_file(&out, "b.epub", b"druk").unwrap();
        assert_eq!(
            names(&out),
            [".druk-manifest.json", ".druk.lock", "a.epub", "b.epub"]
        );
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn guards_the_book() {
        let root = tmp("guard");
        let book = root.join("html");
        std::fs::create_dir_all(book.join("hoofdstukken")).unwrap();
        std::fs::write(book.join("book.yaml"), b"").unwrap();
        let files = vec![book.join("book.yaml"), book.join("hoofdstukken")];
        assert!(guard_book(&book, &book, &files).is_err());
        assert!(guard_book(&root, &book, &files).is_err());
        assert!(guard_book(&book.join("hoofdstukken"), &book, &files).is_err());
        assert!(guard_book(&book.join("out"), &book, &files).is_ok());
        assert!(guard_book(&root.join("elders/out"), &book, &files).is_ok());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn knows_old_temporaries_by_name() {
        assert!(old_temporary(".boek.epub.123.tmp"));
        assert!(old_temporary(".html.99.old"));
        assert!(old_temporary(".boek-print.pdf.7.tmp"));
        assert!(!old_temporary(".notes.txt"));
        assert!(!old_temporary(".boek.epub.abc.tmp"));
        assert!(!old_temporary("boek.epub.123.tmp"));
    }
}
