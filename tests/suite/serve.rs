//! `druk serve` under attack and under odd edits: the real binary on a free port, spoken to
//! over raw sockets. Each test starts its own server and kills it when done.

use crate::common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `druk serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Serves `book` into `out`, once it has printed the address it serves.
    fn start(book: &Path, out: &Path) -> Server {
        let log = out.with_extension("log");
        let mut child = druk()
            .args(["serve", "--port", "0", "--out"])
            .arg(out)
            .arg(book)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("druk serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = tx.send(line);
            // Kept open and drained, so that the server never writes into a closed pipe.
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });
        let mut server = Server {
            child,
            port: 0,
            log,
        };
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let port = line
            .strip_prefix("serving http://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok());
        server.port = port
            .unwrap_or_else(|| panic!("no address from druk serve: {line:?}\n{}", server.stderr()));
        server
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    }

    /// Sends `request` as it is and returns the status code and body of the answer.
    fn raw(&self, request: &[u8]) -> (u16, String) {
        let mut s = self.connect();
        s.write_all(request).unwrap();
        read_answer(&mut s)
    }

    fn get_with_host(&self, path: &str, host: &str) -> (u16, String) {
        self.raw(
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.get_with_host(path, &self.host())
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Whether the process has ended (a zombie until it is waited for), without waiting.
    fn exited(&self) -> bool {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        matches!(state, None | Some('Z' | 'X'))
    }

    /// The server's resident memory in MB, from /proc.
    fn rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmRSS in /proc/PID/status");
        kb / 1024
    }

    fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Waits until `check` holds, for at most `seconds`.
    fn wait_for(&self, seconds: u64, what: &str, mut check: impl FnMut() -> bool) {
        let end = Instant::now() + Duration::from_secs(seconds);
        while Instant::now() < end {
            if check() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}\n{}", self.stderr());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_answer(s: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A new book from `druk new`, served into its own output folder.
fn served_book(name: &str) -> (PathBuf, PathBuf, Server) {
    let dir = scratch(&format!("serve-{name}"));
    let book = dir.join("book");
    let o = run(druk().arg("new").arg(&book));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.join("out");
    let server = Server::start(&book, &out);
    (book, out, server)
}

const CHAPTER: &str = "hoofdstukken/01-eerste-hoofdstuk.md";

fn chapter_page(server: &Server) -> String {
    let (status, body) = server.get("/hoofdstuk-01.html");
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn traversal_is_refused_before_anything_is_opened() {
    let (_book, _out, mut server) = served_book("traversal");
    assert_eq!(server.get("/").0, 200);
    for target in [
        "/../../../../dev/zero",
        "/../../../../../../../../../../../../../../../../../../dev/zero",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/dev/zero",
        "/%2E%2E%2F%2E%2E%2F%2E%2E%2Fdev%2Fzero",
        "/..%2f..%2f..%2f..%2fdev%2fzero",
        "/.%2e/.%2e/.%2e/etc/passwd",
        "/%2fdev%2fzero",
        "//dev/zero",
        "///etc/passwd",
        "/..%5c..%5c..%5cetc%5cpasswd",
        "/index.html%00.png",
        "http://127.0.0.1/../../dev/zero",
    ] {
        let t = Instant::now();
        let (status, body) = server.get(target);
        assert!(
            (400..500).contains(&status),
            "{target}: {status} {body:.200}"
        );
        assert!(!body.contains("root:"), "{target} leaked /etc/passwd");
        assert!(t.elapsed() < Duration::from_secs(2), "{target} was slow");
    }
    assert!(server.alive());
    let rss = server.rss_mb();
    eprintln!("VmRSS after the traversal requests: {rss} MB");
    assert!(rss < 200, "{rss} MB");
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn symbolic_links_in_the_site_are_not_followed() {
    let (book, out, server) = served_book("symlink");
    let html = out.join("html");
    let secret = book.parent().unwrap().join("geheim.txt");
    std::fs::write(&secret, "GEHEIM").unwrap();
    std::os::unix::fs::symlink(&secret, html.join("lek.txt")).unwrap();
    std::os::unix::fs::symlink(book.parent().unwrap(), html.join("map")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", html.join("nul.html")).unwrap();
    for target in ["/lek.txt", "/map/geheim.txt", "/nul.html"] {
        let t = Instant::now();
        let (status, body) = server.get(target);
        assert_eq!(status, 404, "{target}: {body}");
        assert!(!body.contains("GEHEIM"));
        assert!(t.elapsed() < Duration::from_secs(2), "{target} was slow");
    }
    assert_eq!(server.get("/index.html").0, 200);
}

/// Writes `total` bytes of `fill` after `start` until the server stops reading; returns
/// how many bytes it took.
fn flood(server: &Server, start: &[u8], fill: &[u8], total: usize) -> usize {
    let mut s = server.connect();
    let mut sent = 0;
    if s.write_all(start).is_err() {
        return sent;
    }
    let chunk: Vec<u8> = fill.iter().copied().cycle().take(64 * 1024).collect();
    while sent < total {
        match s.write(&chunk) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    sent
}

#[test]
fn huge_request_heads_are_cut_off_early() {
    let (_book, _out, mut server) = served_book("huge");
    const HUNDRED_MB: usize = 100 * 1024 * 1024;
    let line = flood(&server, b"GET /", b"a", HUNDRED_MB);
    let one_header = flood(
        &server,
        format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Pad: ", server.host()).as_bytes(),
        b"a",
        HUNDRED_MB,
    );
    let many_headers = flood(
        &server,
        format!("GET / HTTP/1.1\r\nHost: {}\r\n", server.host()).as_bytes(),
        b"X-Pad: a\r\n",
        HUNDRED_MB,
    );
    let rss = server.rss_mb();
    eprintln!(
        "bytes taken before the server closed: request line {line}, one header {one_header}, \
         many headers {many_headers}; VmRSS {rss} MB"
    );
    for sent in [line, one_header, many_headers] {
        assert!(sent < HUNDRED_MB, "the server read all 100 MB");
    }
    assert!(rss < 200, "{rss} MB");
    assert!(server.alive());

    // Just over each limit, sent whole: the answer says which limit.
    let long_line = format!(
        "GET /{} HTTP/1.1\r\nHost: {}\r\n\r\n",
        "a".repeat(9000),
        server.host()
    );
    assert_eq!(server.raw(long_line.as_bytes()).0, 414);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Pad: {}\r\n\r\n",
        server.host(),
        "a".repeat(40 * 1024)
    );
    assert_eq!(server.raw(big.as_bytes()).0, 431);
    let many = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\n{}\r\n",
        server.host(),
        "X-Pad: a\r\n".repeat(101)
    );
    assert_eq!(server.raw(many.as_bytes()).0, 431);
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn a_thousand_idle_connections_do_not_shut_out_a_page() {
    let (_book, _out, mut server) = served_book("idle");
    let fds_before = server.open_fds();
    let t = Instant::now();
    let idle: Vec<TcpStream> = (0..1000)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    let connecting = t.elapsed();
    assert!(idle.len() >= 900, "only {} connections", idle.len());
    // Let the server take them all in.
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let (status, _) = server.get("/");
    let took = t.elapsed();
    let fds = server.open_fds();
    eprintln!(
        "{} idle connections made in {connecting:?}; GET / answered {status} in {took:?}; \
         open fds {fds_before} before, {fds} now",
        idle.len()
    );
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(fds < fds_before + 200, "{fds} open fds");
    assert!(server.alive());
    drop(idle);
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn malformed_requests_get_400_and_the_server_goes_on() {
    let (_book, _out, mut server) = served_book("malformed");
    let host = server.host();
    let requests: Vec<Vec<u8>> = vec![
        format!("GET /%a\u{e9} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        format!("GET /%ff%fe HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        format!("GET /%00 HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        format!("GET /a%5cb HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        format!("GET /%zz HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        format!("GET / HTTP/9.9\r\nHost: {host}\r\n\r\n").into_bytes(),
        b"GET /\xff\xfe HTTP/1.1\r\n\r\n".to_vec(),
        b"GARBAGE\r\n\r\n".to_vec(),
        b"\x00\x01\x02\x03\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nno colon\r\n\r\n".to_vec(),
    ];
    for request in &requests {
        let (status, body) = server.raw(request);
        assert_eq!(
            status,
            400,
            "{:?}: {body}",
            String::from_utf8_lossy(request)
        );
        assert_eq!(server.get("/").0, 200, "after {request:?}");
    }
    assert!(server.alive());
    let (status, _) = server
        .raw(format!("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 3\r\n\r\nabc").as_bytes());
    assert_eq!(status, 405);
}

#[test]
fn only_the_servers_own_names_are_answered() {
    let (_book, _out, server) = served_book("host");
    let port = server.port;
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(server.get_with_host("/", &host).0, 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "localhost".to_string(),
    ] {
        let (status, _) = server.get_with_host("/", &host);
        assert_eq!(status, 403, "{host}");
        let (status, body) = server.get_with_host("/_druk/diagnostics", &host);
        assert_eq!(status, 403, "{host}: {body}");
    }
    let (status, _) = server.raw(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(status, 400, "no Host header");
}

#[test]
fn a_missing_book_folder_is_said_first() {
    let dir = scratch("serve-missing");
    let o = run(druk()
        .args(["serve", "--port", "0", "--out"])
        .arg(dir.join("out"))
        .arg(dir.join("geen-boek")));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(stdout, "", "nothing on stdout");
    assert!(
        stderr.starts_with("error: the book folder ") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("built in") && !stderr.contains("book.yaml"),
        "{stderr}"
    );
}

#[test]
fn a_book_folder_deleted_and_made_again_is_rebuilt() {
    let (book, _out, server) = served_book("recreate");
    let saved = book.with_extension("saved");
    copy_dir(&book, &saved);
    assert!(chapter_page(&server).contains("<h1"));

    std::fs::remove_dir_all(&book).unwrap();
    server.wait_for(5, "the missing folder in the terminal", || {
        server.stderr().contains("is missing")
    });
    let (status, diagnostics) = server.get("/_druk/diagnostics");
    assert_eq!(status, 200);
    assert!(diagnostics.contains("is missing"), "{diagnostics}");
    assert!(
        chapter_page(&server).contains("<h1"),
        "the last good page stays"
    );

    copy_dir(&saved, &book);
    append(&book.join(CHAPTER), "\nTerug van weggeweest.\n");
    server.wait_for(5, "a rebuild of the folder made again", || {
        chapter_page(&server).contains("Terug van weggeweest.")
    });
    // The new folder is watched: a later edit shows up too.
    std::thread::sleep(Duration::from_millis(200));
    append(&book.join(CHAPTER), "\nEen latere wijziging.\n");
    server.wait_for(5, "a rebuild after a later edit", || {
        chapter_page(&server).contains("Een latere wijziging.")
    });
    assert_eq!(server.get("/_druk/diagnostics").1, "[]");
}

#[test]
fn a_manuscript_the_parser_cannot_take_leaves_the_last_good_pages() {
    let (book, _out, mut server) = served_book("deep");
    append(&book.join(CHAPTER), "\nDe laatste goede versie.\n");
    server.wait_for(10, "the last good build", || {
        chapter_page(&server).contains("De laatste goede versie.")
    });
    let rebuilds = || server.stderr().matches("rebuilt in").count();
    let before = rebuilds();
    let deep = format!("# Diep\n\n{}tekst\n", "> ".repeat(3000));
    std::fs::write(book.join(CHAPTER), deep).unwrap();
    // Until the rebuild has run, failed, or taken the process with it.
    server.wait_for(20, "the rebuild of the deep manuscript", || {
        rebuilds() > before
            || server.stderr().contains("failed while rebuilding")
            || server.exited()
    });
    assert!(server.alive(), "druk serve died:\n{}", server.stderr());
    let page = chapter_page(&server);
    assert!(
        page.contains("De laatste goede versie.") || page.contains("tekst"),
        "neither the last good page nor the new one"
    );
    assert_eq!(server.get("/").0, 200);
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_page_druk_did_not_write_is_never_replaced() {
    let dir = scratch("serve-foreign-page");
    let book = dir.join("book");
    let o = run(druk().arg("new").arg(&book));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("html")).unwrap();
    std::fs::write(out.join("html/index.html"), "mijn eigen pagina").unwrap();
    let server = Server::start(&book, &out);
    assert!(
        server.stderr().contains("`") && server.stderr().contains("html/index.html` is in the way"),
        "{}",
        server.stderr()
    );
    assert_eq!(
        std::fs::read_to_string(out.join("html/index.html")).unwrap(),
        "mijn eigen pagina"
    );
    drop(server);
    // Serving a book into its own folder is refused as `druk build` refuses it.
    let server = Server::start(&book, &book);
    assert!(
        server.stderr().contains("error[output-folder]"),
        "{}",
        server.stderr()
    );
    assert!(!book.join("html").exists());
}
