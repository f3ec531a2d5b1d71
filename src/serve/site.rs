//! Which file of the web edition a request names, settled before anything is opened.
//!
//! A request path is decoded one name at a time, so an encoded slash can never join two
//! names into a path of its own, and each name is checked on its own: `..` and `.` are not
//! names, and hidden files (the atomic writer's temporary files among them) are not part of
//! the site. The file is then looked up one folder at a time without following symbolic
//! links, and must be a regular file of a size the preview can send.

use percent_encoding::percent_decode_str;
use std::fs::File;
use std::path::{Path, PathBuf};

/// What a request path asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum Route {
    /// The script that reloads the page and shows the diagnostics overlay.
    LiveScript,
    /// The last build's diagnostics, for a page that has just loaded.
    Diagnostics,
    /// The Server-Sent-Events stream that tells open pages about each build.
    Events,
    /// A file of the site, as names below the site folder.
    File(Vec<String>),
}

/// Why a request is not answered with what it asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum Refusal {
    /// The request is not one this server understands (answered 400).
    Malformed(&'static str),
    /// No such file in the site (answered 404): missing, hidden, a symbolic link, a folder,
    /// a device or pipe, or larger than the preview sends.
    NotServed(&'static str),
}

/// The route of a request target such as `/hoofdstuk-01.html?x=1`.
pub(crate) fn route(target: &str) -> Result<Route, Refusal> {
    let names = names(target)?;
    let names_str: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(match names_str.as_slice() {
        ["_druk", "live.js"] => Route::LiveScript,
        ["_druk", "diagnostics"] => Route::Diagnostics,
        ["_druk", "events"] => Route::Events,
        _ => Route::File(names),
    })
}

/// The decoded names of a target's path; a path that ends in `/` names its `index.html`.
fn names(target: &str) -> Result<Vec<String>, Refusal> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let Some(rest) = path.strip_prefix('/') else {
        return Err(Refusal::Malformed("the request path must start with /"));
    };
    let mut names = Vec::new();
    for raw in rest.split('/').filter(|raw| !raw.is_empty()) {
        names.push(decode_name(raw)?);
    }
    if names.is_empty() || path.ends_with('/') {
        names.push("index.html".to_string());
    }
    Ok(names)
}

fn decode_name(raw: &str) -> Result<String, Refusal> {
    if !escapes_are_whole(raw) {
        return Err(Refusal::Malformed(
            "a % in the request path must be followed by two hex digits",
        ));
    }
    let name = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refusal::Malformed("the request path is not UTF-8"))?;
    if name == "." || name == ".." {
        return Err(Refusal::Malformed(
            "the request path may not contain . or ..",
        ));
    }
    if name.contains(['/', '\\', '\0']) {
        return Err(Refusal::Malformed(
            "a name in the request path may not contain a slash, backslash or NUL",
        ));
    }
    if name.starts_with('.') {
        return Err(Refusal::NotServed("hidden files are not part of the site"));
    }
    Ok(name.into_owned())
}

/// Whether every `%` starts an escape of two hex digits; the decoder would keep a stray one
/// as it is, and a browser never sends one.
fn escapes_are_whole(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    })
}

/// Opens the site file `names` below `root`, with its length. Nothing outside `root` is
/// ever opened: every folder on the way must be a real folder and the file a regular file,
/// none of them a symbolic link.
pub(crate) fn open(root: &Path, names: &[String], max_size: u64) -> Result<(File, u64), Refusal> {
    let path = walk(root, names)?;
    let file = open_no_follow(&path).map_err(|_| Refusal::NotServed("not found"))?;
    // Checked again on the open file: the name may have been replaced since the walk.
    let meta = file
        .metadata()
        .map_err(|_| Refusal::NotServed("not found"))?;
    if !meta.is_file() {
        return Err(Refusal::NotServed("not a regular file"));
    }
    if meta.len() > max_size {
        return Err(Refusal::NotServed("the file is too large for the preview"));
    }
    Ok((file, meta.len()))
}

/// The path of `names` below `root`, checked name by name with `symlink_metadata`.
fn walk(root: &Path, names: &[String]) -> Result<PathBuf, Refusal> {
    let mut path = root.to_path_buf();
    for (i, name) in names.iter().enumerate() {
        path.push(name);
        let meta = std::fs::symlink_metadata(&path).map_err(|_| Refusal::NotServed("not found"))?;
        let last = i + 1 == names.len();
        if meta.file_type().is_symlink() {
            return Err(Refusal::NotServed("symbolic links are not served"));
        }
        if !last && !meta.is_dir() {
            return Err(Refusal::NotServed("not found"));
        }
        if last && !meta.is_file() {
            return Err(Refusal::NotServed("not a regular file"));
        }
    }
    Ok(path)
}

/// Opens without following a symbolic link put in place after the walk, and without
/// waiting on a pipe.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// The media type of a site file, by its extension.
pub(crate) fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(names: &[&str]) -> Result<Route, Refusal> {
        Ok(Route::File(names.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn decodes_names_one_by_one() {
        assert_eq!(route("/hoofdstuk%2001.html"), file(&["hoofdstuk 01.html"]));
        assert_eq!(route("/"), file(&["index.html"]));
        assert_eq!(route("/a/"), file(&["a", "index.html"]));
        assert_eq!(route("//a//b.png?x=/../"), file(&["a", "b.png"]));
        assert_eq!(route("/caf%C3%A9.html"), file(&["café.html"]));
        assert_eq!(route("/_druk/events"), Ok(Route::Events));
        assert_eq!(route("/_druk/live.js?v=2"), Ok(Route::LiveScript));
        assert_eq!(route("/_druk/diagnostics"), Ok(Route::Diagnostics));
    }

    #[test]
    fn refuses_paths_that_could_leave_the_site() {
        for target in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/%2e%2e/dev/zero",
            "/%2E%2E%2F%2E%2E%2Fdev%2Fzero",
            "/a%2f..%2f..%2fetc",
            "/%2fetc%2fpasswd",
            "/..%5c..%5cetc",
            "/a\\b",
            "/index.html%00.png",
            "/./index.html",
            "/%ff%fe",
            "/%aé",
            "/%a",
            "*",
            "http://127.0.0.1/index.html",
            "",
        ] {
            assert!(
                matches!(route(target), Err(Refusal::Malformed(_))),
                "{target}: {:?}",
                route(target)
            );
        }
        assert!(matches!(route("/.git/config"), Err(Refusal::NotServed(_))));
        assert!(matches!(
            route("/.index.html.1.tmp"),
            Err(Refusal::NotServed(_))
        ));
    }

    #[test]
    fn opens_only_regular_files_inside_the_root() {
        let base = std::env::temp_dir().join(format!("druk-site-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("html");
        std::fs::create_dir_all(root.join("afbeeldingen")).unwrap();
        std::fs::write(root.join("index.html"), "<p>hallo</p>").unwrap();
        std::fs::write(root.join("afbeeldingen/a.png"), "png").unwrap();
        std::fs::write(base.join("geheim.txt"), "geheim").unwrap();
        let names = |s: &[&str]| s.iter().map(|n| n.to_string()).collect::<Vec<_>>();

        let (_, len) = open(&root, &names(&["index.html"]), 1 << 20).unwrap();
        assert_eq!(len, 12);
        assert!(open(&root, &names(&["afbeeldingen", "a.png"]), 1 << 20).is_ok());
        assert!(open(&root, &names(&["afbeeldingen"]), 1 << 20).is_err());
        assert!(open(&root, &names(&["nergens.html"]), 1 << 20).is_err());
        assert_eq!(
            open(&root, &names(&["index.html"]), 4).err(),
            Some(Refusal::NotServed("the file is too large for the preview"))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(base.join("geheim.txt"), root.join("lek.txt")).unwrap();
            symlink(&base, root.join("map")).unwrap();
            symlink("/dev/zero", root.join("nul")).unwrap();
            for link in [&["lek.txt"][..], &["map", "geheim.txt"], &["nul"]] {
                assert!(open(&root, &names(link), 1 << 20).is_err(), "{link:?}");
            }
        }
        let _ = std::fs::remove_dir_all(&base);
    }
}
