//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn druk() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_druk"));
    c.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("druk runs")
}

pub fn bless() -> bool {
    std::env::var_os("BLESS").is_some()
}

/// Every fixture book (`tests/books/<name>`), by its path relative to the repository.
pub fn fixture_books() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("tests/books"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            root()
                .join("tests/books")
                .join(n)
                .join("book.yaml")
                .is_file()
        })
        .map(|n| format!("tests/books/{n}"))
        .collect();
    v.sort();
    v
}

/// A fresh, empty folder under the target directory, removed and recreated per call.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Builds a book's EPUB into `out` and returns its path.
pub fn build_epub(book: &Path, out: &Path) -> PathBuf {
    let o = run(druk()
        .args(["build", "--format", "epub", "--out"])
        .arg(out)
        .arg(book));
    assert!(
        o.status.success(),
        "druk build {} failed:\n{}",
        book.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .expect("an .epub was written")
}

/// What a build left in `out` besides its own bookkeeping (the manifest and the lock), sorted;
/// anything else hidden there (a stage folder, a temporary) is a failure.
pub fn outputs(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".druk-manifest.json" && n != ".druk.lock")
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "no temporaries are left in {}: {names:?}",
        out.display()
    );
    names
}

/// The one file a build wrote into `out`.
pub fn only_file(out: &Path) -> PathBuf {
    let files: Vec<PathBuf> = outputs(out).iter().map(|n| out.join(n)).collect();
    assert_eq!(files.len(), 1, "one file in {}: {files:?}", out.display());
    files.into_iter().next().unwrap()
}

/// Runs a command-line tool on `file` and returns what it printed (`pdftotext` to stdout).
pub fn tool(cmd: &str, args: &[&str], file: &Path) -> String {
    let mut c = Command::new(cmd);
    c.args(args).arg(file);
    if cmd == "pdftotext" {
        c.arg("-");
    }
    let o = c
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is installed (run `make test`): {e}"));
    assert!(
        o.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The files of a zip archive, in archive order.
pub fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    (0..z.len())
        .map(|i| {
            let mut e = z.by_index(i).unwrap();
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut buf).unwrap();
            (e.name().unwrap().to_string(), buf)
        })
        .collect()
}

/// Compares `actual` with a golden file, or rewrites the golden file under `BLESS=1`.
pub fn golden(path: &Path, actual: &str) {
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  expected: {a}\n  actual:   {b}", i + 1))
            .collect();
        panic!(
            "{} differs (run with BLESS=1 to accept):\n{}\n(expected {} lines, got {})",
            path.display(),
            diff.join("\n"),
            expected.lines().count(),
            actual.lines().count()
        );
    }
}

/// The text of a file in an unzipped archive, by the end of its name.
pub fn entry_text(files: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, bytes) = files
        .iter()
        .find(|(n, _)| n.ends_with(name))
        .unwrap_or_else(|| panic!("no {name} in the archive"));
    String::from_utf8(bytes.clone()).unwrap()
}

/// Markup removed, for comparing what a reader sees.
pub fn strip_tags(raw: &str) -> String {
    let mut plain = String::new();
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain.replace("&amp;", "&")
}
