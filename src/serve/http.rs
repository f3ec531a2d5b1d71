//! The HTTP side of `druk serve`, made so that nothing a client sends can take it down.
//!
//! Every resource a client could hold is capped: connections and event streams in number,
//! request heads in size and in time, responses in size (files are streamed, never read
//! whole), and names in the `Host` header (a page elsewhere can point its own domain at
//! 127.0.0.1, DNS rebinding, but its requests still carry that domain). Request heads are
//! parsed by httparse and paths decoded by percent-encoding; `site.rs` decides which file a
//! path names before anything is opened.

use super::site::{self, Refusal, Route};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

const LIVE_JS: &str = include_str!("../../styles/live.js");

/// A connection's thread only parses a head and copies a file: a small stack will do, and
/// keeps a full house of connections cheap.
const CONNECTION_STACK: usize = 256 * 1024;

/// How often an event stream looks whether its page has gone, and how often it sends a
/// comment line so that nothing between it and the browser gives up on a quiet stream.
const STREAM_CHECK: Duration = Duration::from_secs(1);
const STREAM_PING: Duration = Duration::from_secs(15);

/// What the server gives one client at most.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// Connections being read or answered at once. When all are taken, a new connection
    /// closes the oldest one still sending its request; when none is, it is answered 503.
    pub connections: usize,
    /// Open event streams, counted apart from `connections`: a page holds its stream for as
    /// long as it is open, and open pages must not crowd out the requests they make.
    pub event_streams: usize,
    /// Bytes in the request line (answered 414 above it).
    pub request_line: usize,
    /// Bytes of header lines after the request line (answered 431 above it).
    pub header_bytes: usize,
    /// Header lines (answered 431 above it).
    pub headers: usize,
    /// The whole request head must arrive within this; a client that trickles it in would
    /// hold a connection for ever otherwise.
    pub head_deadline: Duration,
    /// Silence that ends a connection while its request head is read.
    pub idle: Duration,
    /// A client that stops reading what it is sent is dropped after this.
    pub write_timeout: Duration,
    /// The largest file served; the site's files are pages and pictures.
    pub file_size: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connections: 64,
            event_streams: 32,
            request_line: 8 * 1024,
            header_bytes: 32 * 1024,
            headers: 100,
            head_deadline: Duration::from_secs(10),
            idle: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
            file_size: 256 * 1024 * 1024,
        }
    }
}

/// What the pages learn of the builds: the last build's diagnostics, and the open event
/// streams that hear about the next one.
pub(crate) struct Live {
    diagnostics: Mutex<String>,
    streams: Mutex<Vec<Sender<String>>>,
}

impl Live {
    pub fn new() -> Live {
        Live {
            diagnostics: Mutex::new("[]".into()),
            streams: Mutex::new(Vec::new()),
        }
    }

    /// Keeps `diagnostics` (a JSON array) for pages that load later and sends `event` (a
    /// whole Server-Sent-Events message) to the open ones.
    pub fn publish(&self, diagnostics: String, event: &str) {
        *lock(&self.diagnostics) = diagnostics;
        lock(&self.streams).retain(|s| s.send(event.to_string()).is_ok());
    }

    fn diagnostics(&self) -> String {
        lock(&self.diagnostics).clone()
    }

    fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        lock(&self.streams).push(tx);
        rx
    }
}

/// A poisoned lock only means a connection's thread panicked; what it guards is still whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The listening socket, with room for a burst of connections: std's queue of 128 waiting
/// connections overflows when a page (or anything else) opens many at once, and a client
/// whose connection is dropped from a full queue waits a second or more to try again.
pub(crate) fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    const BACKLOG: i32 = 1024;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    // As std does: a restarted server may take its port again at once.
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Serves the site in `root` and the live-reload routes on `listener`, from a thread of
/// its own, until the process ends.
pub(crate) fn start(
    listener: TcpListener,
    root: PathBuf,
    live: Arc<Live>,
    limits: Limits,
) -> io::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    let server = Arc::new(Server {
        root,
        hosts: Hosts {
            port: addr.port(),
            bound: addr.ip(),
        },
        live,
        slots: Arc::new(Slots::new(limits.connections)),
        streams: Arc::new(AtomicUsize::new(0)),
        limits,
    });
    std::thread::Builder::new()
        .name("druk-accept".into())
        .spawn(move || server.accept(listener))?;
    Ok(addr)
}

struct Server {
    root: PathBuf,
    hosts: Hosts,
    live: Arc<Live>,
    limits: Limits,
    slots: Arc<Slots>,
    streams: Arc<AtomicUsize>,
}

impl Server {
    fn accept(self: Arc<Self>, listener: TcpListener) {
        for conn in listener.incoming() {
            match conn {
                Ok(stream) => self.admit(stream),
                // Out of descriptors, or a connection reset before it was taken: wait a
                // moment instead of spinning on the error.
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    /// Gives a connection a slot and a thread, or answers it 503 here, without a thread.
    fn admit(self: &Arc<Self>, stream: TcpStream) {
        let Some(ticket) = self.slots.take(&stream) else {
            return refuse_busy(stream);
        };
        let server = Arc::clone(self);
        // When no thread can be had, the closure is dropped: the connection closes and
        // its slot is freed.
        let _ = std::thread::Builder::new()
            .name("druk-http".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || server.handle(stream, ticket));
    }

    fn handle(&self, mut stream: TcpStream, ticket: Ticket) {
        let _ = stream.set_write_timeout(Some(self.limits.write_timeout));
        match read_head(&mut stream, &self.limits) {
            Ok(request) => {
                ticket.answering();
                self.answer(&request, stream, ticket);
            }
            Err(HeadError::Closed) => {}
            Err(e) => {
                let (status, message) = e.reply();
                let _ = send_text(&mut stream, status, message, false);
                close_gently(stream);
            }
        }
    }

    fn answer(&self, request: &Request, mut stream: TcpStream, ticket: Ticket) {
        let head_only = request.method == "HEAD";
        if request.method != "GET" && !head_only {
            let _ = send_text(
                &mut stream,
                Status::METHOD_NOT_ALLOWED,
                "druk serve answers GET and HEAD only\n",
                false,
            );
            return close_gently(stream);
        }
        if let Err((status, message)) = self.hosts.check(request.host.as_deref()) {
            let _ = send_text(&mut stream, status, &message, head_only);
            return close_gently(stream);
        }
        let result = match site::route(&request.target) {
            Ok(Route::LiveScript) => send(
                &mut stream,
                Status::OK,
                "text/javascript; charset=utf-8",
                LIVE_JS.as_bytes(),
                head_only,
            ),
            Ok(Route::Diagnostics) => send(
                &mut stream,
                Status::OK,
                "application/json",
                self.live.diagnostics().as_bytes(),
                head_only,
            ),
            Ok(Route::Events) if head_only => {
                send(&mut stream, Status::OK, "text/event-stream", b"", true)
            }
            Ok(Route::Events) => return self.stream_events(stream, ticket),
            Ok(Route::File(names)) => self.send_file(&mut stream, &names, head_only),
            Err(refusal) => send_refusal(&mut stream, &refusal, head_only),
        };
        if result.is_ok() {
            let _ = stream.shutdown(Shutdown::Write);
        }
    }

    fn send_file(
        &self,
        stream: &mut TcpStream,
        names: &[String],
        head_only: bool,
    ) -> io::Result<()> {
        let (file, len) = match site::open(&self.root, names, self.limits.file_size) {
            Ok(found) => found,
            Err(refusal) => return send_refusal(stream, &refusal, head_only),
        };
        let name = names.last().map(String::as_str).unwrap_or_default();
        send_head(stream, Status::OK, site::content_type(name), len)?;
        if !head_only {
            // `take`: a file that grows while it is sent still ends at its Content-Length.
            io::copy(&mut file.take(len), stream)?;
        }
        stream.flush()
    }

    /// Tells an open page about every build until it goes away. The connection gives up its
    /// slot and counts against the event streams instead.
    fn stream_events(&self, mut stream: TcpStream, ticket: Ticket) {
        let Some(_permit) = Permit::take(&self.streams, self.limits.event_streams) else {
            let _ = send_text(
                &mut stream,
                Status::SERVICE_UNAVAILABLE,
                "too many open pages; close some and reload\n",
                false,
            );
            return close_gently(stream);
        };
        drop(ticket);
        let events = self.live.subscribe();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n: druk\n\n";
        if write_now(&mut stream, head.as_bytes()).is_err() {
            return;
        }
        let mut quiet_since = Instant::now();
        loop {
            let message = match events.recv_timeout(STREAM_CHECK) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) if quiet_since.elapsed() >= STREAM_PING => {
                    ": ping\n\n".to_string()
                }
                Err(RecvTimeoutError::Timeout) => {
                    if page_left(&stream) {
                        return;
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if write_now(&mut stream, message.as_bytes()).is_err() {
                return;
            }
            quiet_since = Instant::now();
        }
    }
}

fn write_now(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes)?;
    stream.flush()
}

/// Whether the other end of an event stream has closed it. A page sends nothing after its
/// request, so anything readable is the end of the stream or an error.
fn page_left(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let left = match stream.peek(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).is_err() || left
}

/// The names this server answers to. Any IP address it is reached at is fine (a rebinding
/// page cannot make the browser send its own domain as an IP address); of names, only
/// `localhost`.
struct Hosts {
    port: u16,
    bound: IpAddr,
}

impl Hosts {
    fn check(&self, host: Option<&str>) -> Result<(), (Status, String)> {
        let Some(host) = host else {
            return Err((Status::BAD_REQUEST, "a Host header is required\n".into()));
        };
        if self.allows(host) {
            return Ok(());
        }
        Err((
            Status::FORBIDDEN,
            format!(
                "druk serve answers only to its own address, such as http://{}/\n",
                SocketAddr::new(self.shown_ip(), self.port)
            ),
        ))
    }

    fn shown_ip(&self) -> IpAddr {
        if self.bound.is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            self.bound
        }
    }

    fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        match name {
            HostName::Ip(ip) => ip.is_loopback() || ip == self.bound || self.bound.is_unspecified(),
            HostName::Name(name) => name.eq_ignore_ascii_case("localhost"),
        }
    }
}

enum HostName<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// `host[:port]` or `[v6]:port`, as a Host header has it.
fn split_host(host: &str) -> Option<(HostName<'_>, Option<u16>)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']')?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':')?),
            };
            (HostName::Ip(IpAddr::V6(v6.parse().ok()?)), port)
        }
        None => {
            let (name, port) = match host.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (host, None),
            };
            match name.parse::<IpAddr>() {
                Ok(ip @ IpAddr::V4(_)) => (HostName::Ip(ip), port),
                Ok(IpAddr::V6(_)) => return None,
                Err(_) => (HostName::Name(name), port),
            }
        }
    };
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((name, port))
}

/// The connections being read or answered. Kept as a list so that a new connection can
/// make room by closing the oldest one that is still sending its request: that is what a
/// flood of idle or slow connections is made of, and a real request is quick to send.
struct Slots {
    limit: usize,
    open: Mutex<Vec<Slot>>,
    next_id: AtomicU64,
}

struct Slot {
    id: u64,
    /// A second handle on the connection, to close it from the accepting thread.
    socket: TcpStream,
    /// Since when it has been sending its request head; `None` once it is being answered.
    reading_since: Option<Instant>,
}

/// A connection's hold on its slot, given back when it is dropped.
struct Ticket {
    slots: Arc<Slots>,
    id: u64,
}

impl Slots {
    fn new(limit: usize) -> Slots {
        Slots {
            limit,
            open: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
        }
    }

    /// A slot for `stream`, made by closing the oldest connection still sending its request
    /// when all are taken; `None` when every slot is busy answering.
    fn take(self: &Arc<Self>, stream: &TcpStream) -> Option<Ticket> {
        let socket = stream.try_clone().ok()?;
        let mut open = lock(&self.open);
        if open.len() >= self.limit {
            let (_, oldest) = open
                .iter()
                .enumerate()
                .filter_map(|(i, s)| Some((s.reading_since?, i)))
                .min()?;
            let evicted = open.swap_remove(oldest);
            // Wakes its thread from its read; that thread then closes the connection.
            let _ = evicted.socket.shutdown(Shutdown::Both);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        open.push(Slot {
            id,
            socket,
            reading_since: Some(Instant::now()),
        });
        Some(Ticket {
            slots: Arc::clone(self),
            id,
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.open).len()
    }
}

impl Ticket {
    /// The request has arrived: this connection is no longer one to close for room.
    fn answering(&self) {
        if let Some(slot) = lock(&self.slots.open).iter_mut().find(|s| s.id == self.id) {
            slot.reading_since = None;
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        lock(&self.slots.open).retain(|s| s.id != self.id);
    }
}

/// One of a counted number of places (the event streams), given back when dropped.
struct Permit(Arc<AtomicUsize>);

impl Permit {
    fn take(count: &Arc<AtomicUsize>, limit: usize) -> Option<Permit> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()?;
        Some(Permit(Arc::clone(count)))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answered on the accepting thread: the few bytes fit in the new socket's empty buffer,
/// so the write cannot block it.
fn refuse_busy(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let body = "druk serve is busy: too many connections; try again\n";
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = (&stream).write_all(reply.as_bytes());
}

/// Closing a socket that still has unread input resets it, and the client may lose the
/// answer it was just sent. Reading (and dropping) a little more of what it sends first
/// lets the answer arrive, at a bounded cost.
fn close_gently(stream: TcpStream) {
    const LINGER: Duration = Duration::from_millis(500);
    const LINGER_BYTES: usize = 1024 * 1024;
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + LINGER;
    let mut drained = 0;
    let mut buf = [0u8; 8192];
    while drained < LINGER_BYTES {
        let Some(left) = until.checked_duration_since(Instant::now()) else {
            break;
        };
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match (&stream).read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// The parts of a request head that the server looks at.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    host: Option<String>,
}

#[derive(Debug, PartialEq)]
enum HeadError {
    /// The client went away or never said anything: nothing to answer.
    Closed,
    TooSlow,
    LineTooLong,
    HeadersTooLarge,
    Malformed,
}

impl HeadError {
    fn reply(&self) -> (Status, &'static str) {
        match self {
            HeadError::Closed | HeadError::Malformed => {
                (Status::BAD_REQUEST, "malformed HTTP request\n")
            }
            HeadError::TooSlow => (
                Status::REQUEST_TIMEOUT,
                "the request took too long to arrive\n",
            ),
            HeadError::LineTooLong => (Status::URI_TOO_LONG, "the request line is too long\n"),
            HeadError::HeadersTooLarge => (
                Status::HEADERS_TOO_LARGE,
                "the request headers are too large or too many\n",
            ),
        }
    }
}

/// Reads a request head within the limits: never more bytes than a head may have, never
/// longer than the deadline, never a silence longer than the idle timeout.
fn read_head(stream: &mut TcpStream, limits: &Limits) -> Result<Request, HeadError> {
    let started = Instant::now();
    let most = limits.request_line + limits.header_bytes;
    let mut head = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let left = limits
            .head_deadline
            .checked_sub(started.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or(HeadError::TooSlow)?;
        stream
            .set_read_timeout(Some(left.min(limits.idle)))
            .map_err(|_| HeadError::Closed)?;
        let room = (most + 1 - head.len()).min(chunk.len());
        let n = match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(if head.is_empty() {
                    HeadError::Closed
                } else {
                    HeadError::TooSlow
                });
            }
            Err(_) => return Err(HeadError::Closed),
        };
        head.extend_from_slice(&chunk[..n]);
        if let Some(request) = parse_head(&head, limits)? {
            return Ok(request);
        }
    }
}

/// The request in `head` once it is complete, `None` while more may come.
fn parse_head(head: &[u8], limits: &Limits) -> Result<Option<Request>, HeadError> {
    let line_len = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    if line_len > limits.request_line {
        return Err(HeadError::LineTooLong);
    }
    let mut headers = vec![httparse::EMPTY_HEADER; limits.headers];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(len)) if len - line_len > limits.header_bytes => {
            Err(HeadError::HeadersTooLarge)
        }
        Ok(httparse::Status::Complete(_)) => request_of(&parsed).map(Some),
        Ok(httparse::Status::Partial) if head.len() > limits.request_line + limits.header_bytes => {
            Err(HeadError::HeadersTooLarge)
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::HeadersTooLarge),
        Err(_) => Err(HeadError::Malformed),
    }
}

fn request_of(parsed: &httparse::Request<'_, '_>) -> Result<Request, HeadError> {
    let mut hosts = parsed
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("host"));
    let host = match (hosts.next(), hosts.next()) {
        (None, _) => None,
        (Some(h), None) => Some(
            std::str::from_utf8(h.value)
                .map_err(|_| HeadError::Malformed)?
                .trim()
                .to_string(),
        ),
        (Some(_), Some(_)) => return Err(HeadError::Malformed),
    };
    Ok(Request {
        method: parsed.method.ok_or(HeadError::Malformed)?.to_string(),
        target: parsed.path.ok_or(HeadError::Malformed)?.to_string(),
        host,
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Status(u16, &'static str);

impl Status {
    const OK: Status = Status(200, "OK");
    const BAD_REQUEST: Status = Status(400, "Bad Request");
    const FORBIDDEN: Status = Status(403, "Forbidden");
    const NOT_FOUND: Status = Status(404, "Not Found");
    const METHOD_NOT_ALLOWED: Status = Status(405, "Method Not Allowed");
    const REQUEST_TIMEOUT: Status = Status(408, "Request Timeout");
    const URI_TOO_LONG: Status = Status(414, "URI Too Long");
    const HEADERS_TOO_LARGE: Status = Status(431, "Request Header Fields Too Large");
    const SERVICE_UNAVAILABLE: Status = Status(503, "Service Unavailable");
}

fn send_head(
    stream: &mut TcpStream,
    status: Status,
    content_type: &str,
    len: u64,
) -> io::Result<()> {
    let allow = if status == Status::METHOD_NOT_ALLOWED {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n{allow}Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        status.0, status.1
    );
    stream.write_all(head.as_bytes())
}

fn send(
    stream: &mut TcpStream,
    status: Status,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    send_head(stream, status, content_type, body.len() as u64)?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn send_text(
    stream: &mut TcpStream,
    status: Status,
    text: &str,
    head_only: bool,
) -> io::Result<()> {
    send(
        stream,
        status,
        "text/plain; charset=utf-8",
        text.as_bytes(),
        head_only,
    )
}

fn send_refusal(stream: &mut TcpStream, refusal: &Refusal, head_only: bool) -> io::Result<()> {
    let (status, why) = match refusal {
        Refusal::Malformed(why) => (Status::BAD_REQUEST, why),
        Refusal::NotServed(why) => (Status::NOT_FOUND, why),
    };
    send_text(stream, status, &format!("{why}\n"), head_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            request_line: 64,
            header_bytes: 128,
            headers: 4,
            head_deadline: Duration::from_millis(400),
            idle: Duration::from_millis(300),
            ..Limits::default()
        }
    }

    fn parse(head: &str) -> Result<Option<Request>, HeadError> {
        parse_head(head.as_bytes(), &limits())
    }

    #[test]
    fn parses_a_request_head_within_the_limits() {
        let r = parse("GET /a.html?x HTTP/1.1\r\nHost: localhost:3000\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.method.as_str(), r.target.as_str(), r.host.as_deref()),
            ("GET", "/a.html?x", Some("localhost:3000"))
        );
        assert!(parse("GET / HTTP/1.1\r\nHost: a").unwrap().is_none());
        assert!(parse("GET /").unwrap().is_none());
    }

    #[test]
    fn refuses_heads_over_the_limits() {
        let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(80));
        assert_eq!(parse(&long_line).err(), Some(HeadError::LineTooLong));
        assert_eq!(
            parse(&format!("GET /{}", "a".repeat(80))).err(),
            Some(HeadError::LineTooLong)
        );
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(140));
        assert_eq!(parse(&big).err(), Some(HeadError::HeadersTooLarge));
        let unfinished = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(200));
        assert_eq!(parse(&unfinished).err(), Some(HeadError::HeadersTooLarge));
        let many = "GET / HTTP/1.1\r\na: 1\r\nb: 1\r\nc: 1\r\nd: 1\r\ne: 1\r\n\r\n";
        assert_eq!(parse(many).err(), Some(HeadError::HeadersTooLarge));
        for bad in [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/9.9\r\n\r\n",
            "\0\x01\x02\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        ] {
            assert_eq!(parse(bad).err(), Some(HeadError::Malformed), "{bad:?}");
        }
        let raw = b"GET /\xff HTTP/1.1\r\n\r\n";
        assert_eq!(parse_head(raw, &limits()).err(), Some(HeadError::Malformed));
    }

    #[test]
    fn answers_only_its_own_names() {
        let local = Hosts {
            port: 3000,
            bound: IpAddr::from([127, 0, 0, 1]),
        };
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LocalHost:3000",
            "[::1]:3000",
            "127.0.0.2:3000",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "localhost.evil.example:3000",
            "127.0.0.1:3001",
            "localhost",
            "127.0.0.1",
            "192.168.1.5:3000",
            "::1:3000",
            "[localhost]:3000",
            "localhost:3000:3000",
            "",
        ] {
            assert!(!local.allows(bad), "{bad}");
        }
        let lan = Hosts {
            port: 80,
            bound: IpAddr::from([192, 168, 1, 5]),
        };
        assert!(lan.allows("192.168.1.5") && lan.allows("192.168.1.5:80"));
        assert!(!lan.allows("192.168.1.6") && !lan.allows("druk.example"));
        let any = Hosts {
            port: 3000,
            bound: IpAddr::from([0, 0, 0, 0]),
        };
        assert!(any.allows("10.0.0.7:3000") && !any.allows("druk.example:3000"));
    }

    /// A connected pair of sockets on the loopback interface.
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn a_request_trickled_in_runs_out_of_time() {
        let (mut client, mut server) = pair();
        let writer = std::thread::spawn(move || {
            let trickle = b"GET / HTTP/1.1\r\nX: ".iter().chain([b'a'; 100].iter());
            for b in trickle {
                if client.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let t = Instant::now();
        let result = read_head(&mut server, &limits());
        assert_eq!(result.err(), Some(HeadError::TooSlow));
        assert!(
            t.elapsed() < Duration::from_millis(700),
            "{:?}",
            t.elapsed()
        );
        drop(server);
        writer.join().unwrap();
    }

    #[test]
    fn a_silent_connection_is_dropped_after_the_idle_timeout() {
        let (_client, mut server) = pair();
        let t = Instant::now();
        assert_eq!(
            read_head(&mut server, &limits()).err(),
            Some(HeadError::Closed)
        );
        assert!(
            t.elapsed() < Duration::from_millis(600),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn a_full_house_closes_its_oldest_unfinished_request() {
        let slots = Arc::new(Slots::new(2));
        let (mut first_client, first) = pair();
        let (_c2, second) = pair();
        let (_c3, third) = pair();
        let a = slots.take(&first).unwrap();
        let b = slots.take(&second).unwrap();
        b.answering();
        let c = slots.take(&third).expect("room made by closing the first");
        assert_eq!(slots.len(), 2);
        let mut buf = [0u8; 1];
        first_client
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        assert_eq!(
            first_client.read(&mut buf).unwrap(),
            0,
            "the first was closed"
        );
        c.answering();
        let (_c4, fourth) = pair();
        assert!(slots.take(&fourth).is_none(), "every slot is answering");
        drop((a, b, c));
        assert_eq!(slots.len(), 0);
    }

    #[test]
    fn event_streams_are_counted_apart() {
        let count = Arc::new(AtomicUsize::new(0));
        let first = Permit::take(&count, 2).unwrap();
        let _second = Permit::take(&count, 2).unwrap();
        assert!(Permit::take(&count, 2).is_none());
        drop(first);
        assert!(Permit::take(&count, 2).is_some());
    }
}
