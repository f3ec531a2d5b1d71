//! druk never destroys what it did not write, and its outputs are all-or-nothing: regression
//! tests for the ways a build used to delete a manuscript or leave a mix of files behind.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Every file under `dir` with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                let bytes = if meta.is_file() {
                    std::fs::read(&p).unwrap()
                } else {
                    b"(link)".to_vec()
                };
                out.insert(rel, bytes);
            }
        }
    }
    out
}

/// A new small book (`druk new`) at `dir`.
fn new_book(dir: &Path) {
    let o = run(druk().arg("new").arg(dir));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_book_folder_named_html_survives_out_dot() {
    let dir = scratch("outputs-html-book");
    new_book(&dir.join("html"));
    let before = snapshot(&dir.join("html"));
    let o = run(druk()
        .current_dir(&dir)
        .args(["build", "html", "--out", "."]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the output folder `.` holds the book folder `html`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&dir.join("html")), before, "the book is untouched");
}

#[test]
fn an_output_folder_among_the_sources_is_refused() {
    let dir = scratch("outputs-among-sources");
    let book = dir.join("boek");
    new_book(&book);
    std::fs::create_dir_all(book.join("html")).unwrap();
    std::fs::rename(
        book.join("hoofdstukken/01-eerste-hoofdstuk.md"),
        book.join("html/01-eerste-hoofdstuk.md"),
    )
    .unwrap();
    let yaml = std::fs::read_to_string(book.join("book.yaml")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        yaml.replace(
            "hoofdstukken/01-eerste-hoofdstuk.md",
            "html/01-eerste-hoofdstuk.md",
        ),
    )
    .unwrap();
    let before = snapshot(&book);
    for (cwd, out) in [(&book, "."), (&dir, "boek"), (&dir, "boek/hoofdstukken")] {
        let o = run(druk().current_dir(cwd).args([
            "build",
            if cwd == &book { "." } else { "boek" },
            "--out",
            out,
        ]));
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[output-folder]"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(snapshot(&book), before, "the book is untouched");
    // A folder of its own inside the book is fine.
    let o = run(druk()
        .current_dir(&dir)
        .args(["build", "boek", "--out", "boek/out"]));
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn what_druk_did_not_write_is_never_replaced() {
    let dir = scratch("outputs-foreign");
    let book = dir.join("boek");
    new_book(&book);
    let out = dir.join("out");
    // A hand-made site where the web edition would go, and a file named like the EPUB.
    std::fs::create_dir_all(out.join("html")).unwrap();
    std::fs::write(out.join("html/index.html"), "mijn eigen site").unwrap();
    std::fs::write(out.join("mijn-boek.epub"), "niet van druk").unwrap();
    let before = snapshot(&out);
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("error[output-in-the-way]"), "{err}");
    assert!(err.contains("mijn-boek.epub"), "{err}");
    assert!(err.contains("html/index.html"), "{err}");
    assert_eq!(snapshot(&out), before, "nothing in the way was touched");

    // Once they are moved away, druk writes and may replace its own outputs.
    std::fs::remove_dir_all(&out).unwrap();
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert!(
        o.status.success(),
        "a second build replaces the first: {}",
        stderr(&o)
    );

    // A file a reader added to the web edition, or an edit to one of its pages, is kept.
    std::fs::write(out.join("html/aantekeningen.txt"), "mijn aantekeningen").unwrap();
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("aantekeningen.txt"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("html/aantekeningen.txt")).unwrap(),
        "mijn aantekeningen"
    );
    std::fs::remove_file(out.join("html/aantekeningen.txt")).unwrap();
    std::fs::write(out.join("mijn-boek.epub"), "bewerkt").unwrap();
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("was changed after druk wrote it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("mijn-boek.epub")).unwrap(),
        "bewerkt"
    );
}

#[test]
fn druk_never_writes_through_a_symbolic_link() {
    let dir = scratch("outputs-symlink");
    let book = dir.join("boek");
    new_book(&book);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "belangrijk").unwrap();
    std::os::unix::fs::symlink(&victim, out.join("mijn-boek.epub")).unwrap();
    let o = run(druk()
        .args(["build", "--format", "epub"])
        .arg(&book)
        .arg("--out")
        .arg(&out));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "belangrijk");
}

#[test]
fn out_naming_a_file_is_one_clear_error() {
    let dir = scratch("outputs-out-file");
    let book = dir.join("boek");
    new_book(&book);
    std::fs::write(dir.join("uit"), "een bestand").unwrap();
    let o = run(druk()
        .arg("build")
        .arg(&book)
        .arg("--out")
        .arg(dir.join("uit")));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
}

/// Builds the sample book into `out` (all formats) and returns the exit status.
fn build_sample(out: &Path) -> std::process::Output {
    run(druk()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("build")
        .arg(root().join("book"))
        .arg("--out")
        .arg(out))
}

fn assert_clean(out: &Path) {
    // `outputs` fails on any temporary or stage folder left behind.
    assert_eq!(outputs(out).len(), 4, "{:?}", outputs(out));
}

#[test]
fn a_killed_build_leaves_the_previous_outputs_whole() {
    let dir = scratch("outputs-killed");
    let out = dir.join("out");
    let started = std::time::Instant::now();
    let o = build_sample(&out);
    let took = started.elapsed();
    assert!(o.status.success(), "{}", stderr(&o));
    let good = snapshot(&out);
    let good_outputs: BTreeMap<_, _> = good
        .iter()
        .filter(|(k, _)| !k.starts_with('.'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Kill at several points of a build, spread over its whole time: while checking,
    // rendering, staging and moving into place.
    for fraction in [0.02, 0.1, 0.3, 0.5, 0.7, 0.85, 0.92, 0.96, 0.98, 0.99, 1.0] {
        let delay = took.mul_f64(fraction);
        let mut child = druk()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .arg("build")
            .arg(root().join("book"))
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now: BTreeMap<_, _> = snapshot(&out)
            .into_iter()
            .filter(|(k, _)| !k.starts_with('.'))
            .collect();
        // The same input gives the same bytes, so old and new outputs are equal whether
        // or not the kill came after the move into place.
        assert_eq!(now, good_outputs, "after a kill at {delay:?}");
    }
    // The next build removes what the killed ones left and succeeds.
    let o = build_sample(&out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_clean(&out);
}

#[test]
fn a_killed_build_of_a_changed_book_leaves_old_or_new_never_a_mix_of_a_file() {
    let dir = scratch("outputs-killed-changed");
    let book = dir.join("boek");
    new_book(&book);
    let out = dir.join("out");
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let old = snapshot(&out);
    let ch = book.join("hoofdstukken/01-eerste-hoofdstuk.md");
    let text = std::fs::read_to_string(&ch).unwrap();
    std::fs::write(&ch, format!("{text}\nEen nieuwe alinea.\n")).unwrap();
    for delay_ms in [2, 10, 30, 60, 100] {
        let mut child = druk()
            .arg("build")
            .arg(&book)
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Every output file is whole: a valid zip or PDF, never a truncated one.
        for name in [
            "mijn-boek.epub",
            "mijn-boek-print.pdf",
            "mijn-boek-screen.pdf",
        ] {
            let bytes = std::fs::read(out.join(name)).unwrap();
            if name.ends_with(".pdf") {
                assert!(
                    bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"),
                    "{name} whole after a kill at {delay_ms} ms"
                );
            } else {
                assert!(
                    zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok(),
                    "{name} whole"
                );
            }
        }
    }
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_clean(&out);
    assert_ne!(snapshot(&out), old);
}

#[test]
fn two_builds_at_once_both_finish_whole() {
    let dir = scratch("outputs-concurrent");
    let out = dir.join("out");
    let spawn = || {
        druk()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .arg("build")
            .arg(root().join("book"))
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    assert_clean(&out);
    let reference = dir.join("reference");
    assert!(build_sample(&reference).status.success());
    let strip = |m: BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        m.into_iter().filter(|(k, _)| !k.starts_with('.')).collect()
    };
    assert_eq!(strip(snapshot(&out)), strip(snapshot(&reference)));
}

/// A small tmpfs at `dir`, or `None` (with a message) where this machine cannot mount one.
fn small_tmpfs(dir: &Path, size: &str) -> Option<TmpFs> {
    std::fs::create_dir_all(dir).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(TmpFs(dir.to_path_buf()))
    } else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        None
    }
}

struct TmpFs(PathBuf);

impl Drop for TmpFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_keeps_the_previous_outputs() {
    let dir = scratch("outputs-full-disk");
    let book = dir.join("boek");
    new_book(&book);
    let Some(fs) = small_tmpfs(&dir.join("disk"), "2m") else {
        return;
    };
    let out = fs.0.join("out");
    let o = run(druk()
        .args(["build", "--format", "epub"])
        .arg(&book)
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&out);
    // Leave less room than the print PDF needs.
    let free = 300 * 1024;
    let o = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(&fs.0)
        .output()
        .unwrap();
    let avail: u64 = String::from_utf8_lossy(&o.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap();
    std::fs::write(fs.0.join("vulsel"), vec![0u8; (avail - free) as usize]).unwrap();
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("No space left"), "{}", stderr(&o));
    assert_eq!(
        snapshot(&out),
        before,
        "the previous EPUB and the manifest are as they were"
    );
    std::fs::remove_file(fs.0.join("vulsel")).unwrap();
    let o = run(druk().arg("build").arg(&book).arg("--out").arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_clean(&out);
}
