//! Hostile peers of our own on loopback, for the limits tests: an HTTP server that answers what
//! no well-behaved tenant would (endless bodies, echoed headers, escape sequences), a recording
//! proxy, a TLS server with a certificate nobody trusts, and a child's peak memory from wait4.
//! Every server serves a bounded number of connections and writes a bounded number of bytes.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Most connections one server accepts before its thread ends.
const MAX_CONNECTIONS: usize = 16;
/// Longest a peer may keep a connection silent before we give up on it.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A request as received: its head (request line and headers) as text.
#[derive(Clone, Debug)]
pub struct Request {
    pub head: String,
}

impl Request {
    pub fn method(&self) -> &str {
        self.head.split(' ').next().unwrap_or_default()
    }

    pub fn path(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

/// What the server answers a request with.
pub enum Reply {
    /// A status and headers (each "Name: value"), then `body`.
    Fixed {
        status: u16,
        headers: Vec<String>,
        body: Vec<u8>,
    },
    /// A status and headers, then `chunk` again and again with no length: until the client
    /// closes the connection, or `cap` bytes were written.
    Endless {
        status: u16,
        headers: Vec<String>,
        chunk: Vec<u8>,
        cap: u64,
    },
}

impl Reply {
    pub fn fixed(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply::Fixed {
            status,
            headers: vec![format!("Content-Type: {content_type}")],
            body: body.into(),
        }
    }
}

/// How an endless body ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streamed {
    /// Bytes of body written before it ended.
    pub written: u64,
    /// Whether the client closed the connection (else the cap was reached).
    pub closed_by_client: bool,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// An HTTP/1.1 server on loopback answering each request with `handler`'s reply, one request
/// per connection.
pub struct HostileServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    streamed: Arc<Mutex<Vec<Streamed>>>,
    _thread: JoinHandle<()>,
}

impl HostileServer {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let streamed = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (seen, ends) = (Arc::clone(&requests), Arc::clone(&streamed));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                let Ok(stream) = stream else { continue };
                let (handler, seen, ends) =
                    (Arc::clone(&handler), Arc::clone(&seen), Arc::clone(&ends));
                std::thread::spawn(move || serve(stream, &*handler, &seen, &ends));
            }
        });
        HostileServer {
            addr,
            requests,
            streamed,
            _thread: thread,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests").clone()
    }

    /// How each endless body ended, waiting (bounded) until `count` of them have.
    pub fn streamed(&self, count: usize) -> Vec<Streamed> {
        for _ in 0..600 {
            let ended = self.streamed.lock().expect("streamed").clone();
            if ended.len() >= count {
                return ended;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the endless bodies did not end within 30 s");
    }
}

fn serve(
    mut stream: TcpStream,
    handler: &Handler,
    seen: &Mutex<Vec<Request>>,
    ends: &Mutex<Vec<Streamed>>,
) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    seen.lock().expect("requests").push(request.clone());
    match handler(&request) {
        Reply::Fixed {
            status,
            headers,
            body,
        } => {
            let mut head = status_line(status, &headers);
            head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Endless {
            status,
            headers,
            chunk,
            cap,
        } => {
            let mut head = status_line(status, &headers);
            head.push_str("\r\n");
            let mut written = 0u64;
            let mut closed_by_client = stream.write_all(head.as_bytes()).is_err();
            while !closed_by_client && written < cap {
                match stream.write_all(&chunk) {
                    Ok(()) => written += chunk.len() as u64,
                    Err(_) => closed_by_client = true,
                }
            }
            ends.lock().expect("streamed").push(Streamed {
                written,
                closed_by_client,
            });
        }
    }
    let _ = stream.flush();
}

fn status_line(status: u16, headers: &[String]) -> String {
    let mut head = format!("HTTP/1.1 {status} Whatever\r\nConnection: close\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head
}

/// The request head, and its body read and dropped (at most 1 MiB, as its length says).
fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || head.len() > 64 * 1024 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let request = Request { head };
    let length: u64 = request
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut sink = Vec::new();
    let _ = reader.take(length.min(1 << 20)).read_to_end(&mut sink);
    Some(request)
}

/// A proxy on loopback that records every request head it gets and refuses them all (403 to
/// a CONNECT, 502 to anything else): what a proxy would have seen.
pub struct RecordingProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    _thread: JoinHandle<()>,
}

impl RecordingProxy {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                let refusal = if request.method() == "CONNECT" {
                    "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                } else {
                    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
                };
                record.lock().expect("seen").push(request.head);
                let _ = stream.write_all(refusal.as_bytes());
            }
        });
        RecordingProxy {
            addr,
            seen,
            _thread: thread,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request head the proxy received.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("seen").clone()
    }
}

/// What a child process used: exit code (None if killed by a signal) and peak RSS in KiB.
#[derive(Debug)]
pub struct Usage {
    pub code: Option<i32>,
    pub peak_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to the end (its stdin as set up by `feed`, which gets the child's stdin if
/// it was piped), capturing its output, and reaps it with wait4 for its peak RSS.
///
/// The peak counts this test process's own resident memory at the time of the spawn (the
/// kernel carries it over to the child), so callers compare against a baseline taken the
/// same way.
/// A child still running after `deadline` is killed (by its pid, which wait4 has not reaped
/// yet) and the run reported as killed: a hang fails the test instead of stalling it.
pub fn run_measured(
    command: &mut std::process::Command,
    deadline: Duration,
    feed: impl FnOnce(Option<std::process::ChildStdin>) + Send + 'static,
) -> Usage {
    use std::process::Stdio;
    use std::sync::atomic::{AtomicBool, Ordering};
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    // Reaped by wait4 below (std's wait() cannot report rusage).
    #[allow(clippy::zombie_processes)]
    let mut child = command.spawn().expect("spawn");
    let pid = i32::try_from(child.id()).expect("pid");
    let stdin = child.stdin.take();
    let feeder = std::thread::spawn(move || feed(stdin));
    let done = Arc::new(AtomicBool::new(false));
    let watching = Arc::clone(&done);
    let watchdog = std::thread::spawn(move || {
        let steps = deadline.as_millis() / 50;
        for _ in 0..steps {
            if watching.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !watching.load(Ordering::SeqCst) {
            // SAFETY: our own child, not yet reaped (wait4 below sets `done` once it is).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = out.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = err.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    done.store(true, Ordering::SeqCst);
    let _ = watchdog.join();
    assert_eq!(reaped, pid, "wait4");
    let _ = feeder.join();
    Usage {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        // Linux and the BSDs report ru_maxrss in KiB; macOS in bytes.
        peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0)
            / if cfg!(target_os = "macos") { 1024 } else { 1 },
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}
