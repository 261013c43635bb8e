//! A fake F5 Distributed Cloud tenant on loopback.
//!
//! It serves the endpoints xc-avatar calls and holds every request, and every answer it sends
//! itself, to F5's published contract: the OpenAPI files vendored in `tests/contract/`, loaded
//! and validated with a JSON Schema validator ([`Contract`]). On top of that it checks what F5's
//! gateway is stricter about than its spec: `Authorization: APIToken <token>`, a JSON body with
//! only the `UpdateImageRequest` fields, standard base64, and a `content_type` that matches the
//! decoded bytes. Tests can script the next answers (any status, `Retry-After`, a delay, a
//! connection reset, a redirect) and read back every request it received.
//!
//! The checks run on *every* request, before any scripted answer: a request F5 would refuse is
//! recorded as a [`Violation`] even when the fake then answers as scripted (say, a 429), and a
//! `FakeTenant` that saw one fails the test when it is dropped — so an error-path test cannot
//! pass while the client sends something F5 would never accept. Tests that send bad requests on
//! purpose read them with [`FakeTenant::take_violations`]. An answer of the fake's own that
//! departs from the spec is a violation too; a scripted one that does (a test's choice, e.g. a
//! 418 or a picture that does not decode) is noted in [`Received::answer_problems`].
//!
//! Every connection serves exactly one request (`Connection: close`), so a scripted answer always
//! applies to the next request, whatever the client's connection pool does.

// Handlers return the `Response` to send instead as their error: simple, and size is no concern
// in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

pub mod cli;
pub mod contract;
mod tls;

pub use contract::Contract;

pub use tls::{Day, Issued, TestCa};

/// Path of the profile-picture endpoint (PUT, GET, DELETE).
pub const IMAGE_PATH: &str = "/api/web/namespaces/system/user/settings/image";
/// Path of the user-settings endpoint (GET; carries `image` as base64).
pub const SETTINGS_PATH: &str = "/api/web/namespaces/system/user/settings";
/// Path of the cheap authenticated call clients use to test a token.
pub const WHOAMI_PATH: &str = "/api/web/custom/namespaces/system/whoami";

/// A user the fake tenant knows, reached through one API token.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub tenant: String,
}

impl User {
    pub fn ada() -> Self {
        User {
            name: "ada@example.com".into(),
            email: "ada@example.com".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            tenant: "acme".into(),
        }
    }
}

/// A scripted answer for the next request, instead of the normal behaviour.
#[derive(Clone, Debug)]
pub enum Scripted {
    /// Answer with this status and body (sent as `application/json`), optionally `Retry-After`.
    Status {
        status: u16,
        body: String,
        retry_after: Option<String>,
    },
    /// Wait this long, then behave normally (a slow server).
    Delay(Duration),
    /// Read the request, then reset the TCP connection without answering.
    Reset,
    /// Answer `status` (301, 302, 307, 308) with `Location: location`.
    Redirect { status: u16, location: String },
}

impl Scripted {
    /// A status with a plain JSON-string body, as F5's spec documents for errors.
    pub fn status(status: u16, message: &str) -> Self {
        Scripted::Status {
            status,
            body: serde_json::Value::String(message.to_owned()).to_string(),
            retry_after: None,
        }
    }

    /// The same answer with a `Retry-After` header (seconds or an HTTP-date).
    pub fn with_retry_after(self, value: &str) -> Self {
        match self {
            Scripted::Status { status, body, .. } => Scripted::Status {
                status,
                body,
                retry_after: Some(value.to_owned()),
            },
            other => other,
        }
    }
}

/// How GET on the image endpoint answers (F5's real behaviour is not documented, so both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImageForm {
    /// JSON `{"content_type": ..., "data": "<base64>"}`: the spec's `apiHttpBody` schema, so the
    /// default.
    #[default]
    Json,
    /// Raw image bytes with `Content-Type: image/...` (grpc-gateway's HttpBody mapping).
    Raw,
}

/// A request F5 would refuse (or that xc-avatar has no business sending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    pub problem: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.method, self.uri, self.problem)
    }
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// The path alone (what the routes match).
    pub path: String,
    /// Path and query exactly as sent, so a token in a query string shows.
    pub uri: String,
    /// Every header as sent.
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The status the fake answered this request (0 for a reset, or while it is in flight).
    pub status: u16,
    /// Why F5 would refuse this request (empty when it is well-formed).
    pub violations: Vec<String>,
    /// Where the answer departed from F5's spec (checked for well-formed requests only).
    pub answer_problems: Vec<String>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The picture the fake currently holds for a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredImage {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
struct Inner {
    users: HashMap<String, User>,
    images: HashMap<String, StoredImage>,
    script: VecDeque<Scripted>,
    received: Vec<Received>,
    /// Every violation seen and not yet taken by a test.
    violations: Vec<Violation>,
    image_form: ImageForm,
    /// TCP connections accepted so far.
    connections: u64,
    /// Round-trip time to simulate (see `set_latency`).
    latency: std::time::Duration,
    /// Set when the fake serves HTTPS with client certificates (`tls.rs`).
    https: Option<Arc<tls::Https>>,
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Inner>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not hide what the fake recorded.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running fake tenant. Dropping it stops the server.
pub struct FakeTenant {
    addr: SocketAddr,
    shared: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A loopback port where nothing listens, held for as long as this lives: a connection to it is
/// refused, and no other test (or program) can start listening on it meanwhile — unlike a port
/// bound, dropped and then assumed closed.
pub struct ClosedPort {
    addr: SocketAddr,
    /// Bound, never listening: the kernel answers every connection with a reset.
    _socket: tokio::net::TcpSocket,
}

impl ClosedPort {
    pub fn new() -> Self {
        let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind a loopback port");
        let addr = socket.local_addr().expect("its address");
        ClosedPort {
            addr,
            _socket: socket,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Default for ClosedPort {
    fn default() -> Self {
        Self::new()
    }
}

/// The token `FakeTenant::start` accepts, acting as [`User::ada`].
pub const DEFAULT_TOKEN: &str = "fake-tenant-token-0123456789";

impl FakeTenant {
    /// Starts on a free loopback port with one user ([`User::ada`], token [`DEFAULT_TOKEN`]).
    pub fn start() -> Self {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind a loopback port")
    }

    /// Starts on `addr` (port 0 picks a free one) with one user reached by [`DEFAULT_TOKEN`].
    /// The server runs on its own thread, so it works from sync and async tests alike.
    pub fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let shared = Shared::default();
        shared
            .lock()
            .users
            .insert(DEFAULT_TOKEN.into(), User::ada());

        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let server_shared = shared.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name(format!("fake-tenant-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(std_listener) {
                        Ok(listener) => listener,
                        Err(err) => {
                            eprintln!("fake-tenant: cannot listen: {err}");
                            return;
                        }
                    };
                    tokio::select! {
                        _ = serve(listener, server_shared) => {}
                        _ = shutdown_rx => {}
                    }
                });
            })?;
        Ok(FakeTenant {
            addr,
            shared,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` when started with `start_https`), the origin to
    /// give the client.
    pub fn url(&self) -> String {
        let scheme = if self.shared.lock().https.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Lets `token` act as `user`.
    pub fn add_token(&self, token: &str, user: User) {
        self.shared.lock().users.insert(token.into(), user);
    }

    /// Makes `token` unknown (an expired or revoked token).
    pub fn revoke_token(&self, token: &str) {
        self.shared.lock().users.remove(token);
    }

    /// Queues a scripted answer; each request takes the oldest one left.
    pub fn push(&self, answer: Scripted) {
        self.shared.lock().script.push_back(answer);
    }

    /// Simulates a far-away tenant: each new connection costs two round trips before its first
    /// request is read (TCP, then a TLS 1.3 handshake, as a real https tenant costs), and each
    /// answer one more.
    pub fn set_latency(&self, round_trip: std::time::Duration) {
        self.shared.lock().latency = round_trip;
    }

    /// How many TCP connections clients have opened so far (connections are kept alive, as a
    /// real tenant's are, so a client that reuses one opens only one).
    pub fn connections(&self) -> u64 {
        self.shared.lock().connections
    }

    pub fn set_image_form(&self, form: ImageForm) {
        self.shared.lock().image_form = form;
    }

    /// Gives the user behind `token` a picture, as if uploaded earlier.
    pub fn set_image(&self, token: &str, image: StoredImage) {
        let mut inner = self.shared.lock();
        if let Some(user) = inner.users.get(token).cloned() {
            inner.images.insert(user.email, image);
        }
    }

    /// Every request received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().received.clone()
    }

    /// The requests received on `path` with `method`.
    pub fn received_on(&self, method: &str, path: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    /// Every request F5 would have refused, oldest first, without clearing them.
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.lock().violations.clone()
    }

    /// Every violation so far, clearing them: for tests that send bad requests on purpose (the
    /// rest are reported when the tenant is dropped).
    pub fn take_violations(&self) -> Vec<Violation> {
        std::mem::take(&mut self.shared.lock().violations)
    }

    /// Panics listing every violation not yet taken. `Drop` calls it, so every test checks it.
    pub fn assert_no_violations(&self) {
        let violations = self.take_violations();
        assert!(
            violations.is_empty(),
            "the fake tenant received requests F5 would refuse:\n{}",
            violations
                .iter()
                .map(|v| format!("  {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// The picture currently stored for the user behind `token`.
    pub fn image_of(&self, token: &str) -> Option<StoredImage> {
        let inner = self.shared.lock();
        let user = inner.users.get(token)?;
        inner.images.get(&user.email).cloned()
    }
}

impl Drop for FakeTenant {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // A test that already failed says why; a second panic would abort the process.
        if !std::thread::panicking() {
            self.assert_no_violations();
        }
    }
}

async fn serve(listener: TcpListener, shared: Shared) {
    let router = router(shared.clone());
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let handshake = {
            let mut inner = shared.lock();
            inner.connections += 1;
            inner.latency * 2
        };
        let next_is_reset = matches!(shared.lock().script.front(), Some(Scripted::Reset));
        if next_is_reset {
            shared.lock().script.pop_front();
            tokio::spawn(reset_after_request(stream, shared.clone()));
            continue;
        }
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let shared = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(handshake).await;
            tls::serve_connection(stream, service, &shared).await;
        });
    }
}

/// Reads the request head, records it, then closes with RST (SO_LINGER 0): what a client sees
/// when a proxy or load balancer drops the connection.
async fn reset_after_request(mut stream: TcpStream, shared: Shared) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let (method, uri, headers) = parse_head(&head);
    let endpoint = match uri.path() {
        IMAGE_PATH => Endpoint::Image,
        SETTINGS_PATH => Endpoint::Settings,
        WHOAMI_PATH => Endpoint::Whoami,
        _ => Endpoint::Unknown,
    };
    // Only the head is read, so the body goes unchecked; the head is checked as always.
    let mut problems = Contract::f5().check_request(&method, &uri, &headers, None, false);
    problems.extend(check_head(&shared, endpoint, &method, &uri, &headers));
    if let Err(AuthFailure::Malformed(problem)) = authenticate(&shared, &headers) {
        problems.push(problem);
    }
    record(
        &shared,
        Received {
            method: method.to_string(),
            path: uri.path().to_owned(),
            uri: uri.to_string(),
            headers,
            body: Bytes::new(),
            status: 0,
            violations: Vec::new(),
            answer_problems: Vec::new(),
        },
        problems,
    );
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Method, URI and headers of a raw HTTP/1 request head (lenient: this is for the record only).
fn parse_head(head: &[u8]) -> (Method, axum::http::Uri, HeaderMap) {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split_whitespace();
    let method = Method::from_bytes(request_line.next().unwrap_or_default().as_bytes())
        .unwrap_or(Method::GET);
    let uri = request_line
        .next()
        .and_then(|uri| uri.parse().ok())
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    for line in lines.take_while(|line| !line.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) {
            headers.append(name, value);
        }
    }
    (method, uri, headers)
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route(IMAGE_PATH, any(image))
        .route(SETTINGS_PATH, any(settings))
        .route(WHOAMI_PATH, any(whoami))
        .fallback(not_found)
        .with_state(shared)
}

/// Which endpoint a request reached: decides which checks its request must pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    Image,
    Settings,
    Whoami,
    Unknown,
}

/// A request that reached a handler, checked, with its place in the record.
struct Intake {
    /// Index in `Inner::received`, so the answer's status lands on *this* request.
    index: usize,
    method: Method,
    /// The user and, for a PUT of the picture, the decoded picture; or the refusal F5 would
    /// send (401 before 404/405/400, as its gateway checks auth first).
    verdict: Result<(User, Option<StoredImage>), Response>,
}

/// Runs before every handler: records the request, checks it the way F5 would (auth, method,
/// query, body) and records every violation, and *then* applies a scripted answer if one is
/// queued — a scripted 401/429/500 still reports a malformed request.
/// Returns the checked request, or the response to send instead (already recorded).
async fn intake(shared: &Shared, endpoint: Endpoint, request: Request) -> Result<Intake, Response> {
    let latency = shared.lock().latency;
    tokio::time::sleep(latency).await;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    // F5's published contract first, then what its gateway is stricter about.
    let by_certificate = !matches!(tls::client_certificate(), tls::ClientCertificate::None);
    let spec_problems = Contract::f5().check_request(
        &parts.method,
        &parts.uri,
        &parts.headers,
        Some(&body),
        by_certificate,
    );
    let mut problems = spec_problems.clone();
    let auth = authenticate(shared, &parts.headers);
    if let Err(AuthFailure::Malformed(problem)) = &auth {
        problems.push(problem.clone());
    }
    let head = check_head(shared, endpoint, &parts.method, &parts.uri, &parts.headers);
    problems.extend(head.iter().cloned());
    let mut body_problems = Vec::new();
    if parts.method != Method::PUT && !body.is_empty() {
        body_problems.push(format!(
            "{} carries a {}-byte body; F5's spec defines none",
            parts.method,
            body.len()
        ));
    }
    let update = (endpoint == Endpoint::Image && parts.method == Method::PUT)
        .then(|| validate_update(&parts.headers, &body))
        .transpose();
    if let Err(problem) = &update {
        body_problems.push(problem.clone());
    }
    problems.extend(body_problems.iter().cloned());
    let verdict = match (auth, update) {
        (Err(AuthFailure::Malformed(problem)), _) => {
            Err(api_error(StatusCode::UNAUTHORIZED, &problem))
        }
        (Err(AuthFailure::UnknownToken), _) => Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Invalid or expired API token",
        )),
        (Ok(_), _) if endpoint == Endpoint::Unknown => {
            Err((StatusCode::NOT_FOUND, "404 page not found").into_response())
        }
        (Ok(_), _)
            if !head.is_empty() || !body_problems.is_empty() || !spec_problems.is_empty() =>
        {
            let all = [spec_problems, head, body_problems].concat().join("; ");
            Err(api_error(StatusCode::BAD_REQUEST, &all))
        }
        (Ok(user), Ok(update)) => Ok((user, update)),
        (Ok(_), Err(problem)) => Err(api_error(StatusCode::BAD_REQUEST, &problem)),
    };
    let index = record(
        shared,
        Received {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            uri: parts.uri.to_string(),
            headers: parts.headers.clone(),
            body: body.clone(),
            status: 0,
            violations: Vec::new(),
            answer_problems: Vec::new(),
        },
        problems,
    );
    let scripted = shared.lock().script.pop_front();
    match scripted {
        None | Some(Scripted::Reset) => {}
        Some(Scripted::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Scripted::Status {
            status,
            body,
            retry_after,
        }) => {
            let mut response = json_response(status, body);
            if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Err(answered(shared, index, response, Answerer::Script).await);
        }
        Some(Scripted::Redirect { status, location }) => {
            let mut response = json_response(status, String::new());
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            return Err(answered(shared, index, response, Answerer::Script).await);
        }
    }
    Ok(Intake {
        index,
        method: parts.method,
        verdict,
    })
}

/// Stores `request` with its violations (also kept in the tenant-wide list); its index.
fn record(shared: &Shared, mut request: Received, problems: Vec<String>) -> usize {
    let mut inner = shared.lock();
    let index = inner.received.len();
    for problem in &problems {
        inner.violations.push(Violation {
            method: request.method.clone(),
            uri: request.uri.clone(),
            problem: problem.clone(),
        });
    }
    request.violations = problems;
    inner.received.push(request);
    index
}

/// What F5 would refuse in a request's method, URI and headers, whatever it then answers.
fn check_head(
    shared: &Shared,
    endpoint: Endpoint,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Vec<String> {
    let mut problems = Vec::new();
    let allowed: &[Method] = match endpoint {
        Endpoint::Image => &[Method::GET, Method::PUT, Method::DELETE],
        // The spec also has PUT on settings, but xc-avatar has no reason to send it.
        Endpoint::Settings | Endpoint::Whoami => &[Method::GET],
        Endpoint::Unknown => &[],
    };
    if endpoint == Endpoint::Unknown {
        problems.push(format!("{} is not an endpoint xc-avatar calls", uri.path()));
    } else if !allowed.contains(method) {
        problems.push(format!("{method} is not allowed on {}", uri.path()));
    }
    if let Some(query) = uri.query() {
        // None of these endpoints takes a parameter, and a token in a URL ends up in logs.
        problems.push(format!("query string {query:?}: these endpoints take none"));
    }
    let tokens: Vec<String> = shared.lock().users.keys().cloned().collect();
    for (name, value) in headers {
        if name == header::AUTHORIZATION {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        if tokens.iter().any(|token| value.contains(token.as_str())) {
            problems.push(format!("an API token is sent in header {name:?}"));
        }
    }
    problems
}

/// Why a request is not let in.
enum AuthFailure {
    /// The client broke the protocol (no header, wrong scheme): a violation as well as a 401.
    Malformed(String),
    /// Well-formed, but the token is unknown, expired or revoked: a plain 401.
    UnknownToken,
}

/// The user behind the request. F5 knows two ways in: `Authorization: APIToken <token>` and a
/// client certificate (mTLS); a request authenticated by its certificate carries no
/// `Authorization` header, so that rule belongs here, before the header checks.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<User, AuthFailure> {
    // Mutual TLS: the handshake's certificate decides, with no Authorization header; one the
    // tenant does not know is refused like an unknown token (a plain 401, no violation).
    match tls::client_certificate() {
        tls::ClientCertificate::Known(user) => return Ok(user),
        tls::ClientCertificate::Unknown => return Err(AuthFailure::UnknownToken),
        tls::ClientCertificate::None => {}
    }
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(AuthFailure::Malformed(
            "exactly one Authorization header is required".into(),
        ));
    };
    let value = value.to_str().unwrap_or_default();
    let Some(token) = value.strip_prefix("APIToken ") else {
        let scheme = value.split_whitespace().next().unwrap_or_default();
        return Err(AuthFailure::Malformed(format!(
            "Authorization scheme must be APIToken, got {scheme:?}"
        )));
    };
    if token.is_empty() || token.trim() != token {
        return Err(AuthFailure::Malformed(
            "APIToken must be followed by exactly one space and the token".into(),
        ));
    }
    shared
        .lock()
        .users
        .get(token)
        .cloned()
        .ok_or(AuthFailure::UnknownToken)
}

/// Who chose an answer: the fake's own behaviour, or a test's script.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answerer {
    Fake,
    Script,
}

/// Records the status actually sent for the request at `index`, and holds the answer to F5's
/// spec when the request was well-formed (what F5 answers a malformed one is not specified): a
/// departure in the fake's own answer is a violation — the fake would be teaching the client
/// something F5 never says —; in a scripted one it is the test's choice, noted on the request.
async fn answered(shared: &Shared, index: usize, response: Response, by: Answerer) -> Response {
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut inner = shared.lock();
    let Some(request) = inner.received.get_mut(index) else {
        return Response::from_parts(parts, Body::from(body));
    };
    request.status = parts.status.as_u16();
    if request.violations.is_empty() {
        let method = request.method.parse().unwrap_or(Method::GET);
        request.answer_problems = Contract::f5().check_answer(
            &method,
            &request.path,
            request.status,
            &parts.headers,
            &body,
        );
    }
    if by == Answerer::Fake {
        let (method, uri) = (request.method.clone(), request.uri.clone());
        let problems: Vec<String> = request
            .answer_problems
            .iter()
            .map(|problem| format!("the fake's own answer: {problem}"))
            .collect();
        inner
            .violations
            .extend(problems.into_iter().map(|problem| Violation {
                method: method.clone(),
                uri: uri.clone(),
                problem,
            }));
    }
    drop(inner);
    Response::from_parts(parts, Body::from(body))
}

fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// An error the way F5's gRPC gateway writes one: JSON with `code` and `message`.
fn api_error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::BAD_REQUEST => 3,
        StatusCode::UNAUTHORIZED => 16,
        StatusCode::FORBIDDEN => 7,
        StatusCode::NOT_FOUND => 5,
        _ => 2,
    };
    let body = serde_json::json!({ "code": code, "message": message, "details": [] });
    json_response(status.as_u16(), body.to_string())
}

/// Checks the request and applies a scripted answer (`intake`); for a request that passed both,
/// `answer` gives the response. Records the status sent either way.
async fn handle(
    shared: Shared,
    endpoint: Endpoint,
    request: Request,
    answer: impl FnOnce(&Shared, &Method, &User, Option<StoredImage>) -> Response,
) -> Response {
    let intake = match intake(&shared, endpoint, request).await {
        Ok(intake) => intake,
        Err(scripted) => return scripted,
    };
    let response = match intake.verdict {
        Err(refusal) => refusal,
        Ok((user, update)) => answer(&shared, &intake.method, &user, update),
    };
    answered(&shared, intake.index, response, Answerer::Fake).await
}

async fn image(State(shared): State<Shared>, request: Request) -> Response {
    handle(
        shared,
        Endpoint::Image,
        request,
        |shared, method, user, update| match (method, update) {
            (&Method::PUT, Some(image)) => {
                shared.lock().images.insert(user.email.clone(), image);
                json_response(200, "{}".into())
            }
            (&Method::GET, _) => get_image(shared, user),
            (&Method::DELETE, _) => {
                shared.lock().images.remove(&user.email);
                json_response(200, "{}".into())
            }
            _ => api_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
        },
    )
    .await
}

/// Checks a PUT body the way F5's gateway would decode `UpdateImageRequest`.
pub fn validate_update(headers: &HeaderMap, body: &[u8]) -> Result<StoredImage, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(format!(
            "request body must be application/json, got {content_type:?}"
        ));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))?;
    let object = value
        .as_object()
        .ok_or("request body must be a JSON object")?;
    if let Some(unknown) = object
        .keys()
        .find(|k| *k != "content_type" && *k != "image")
    {
        return Err(format!("unknown field {unknown:?} in UpdateImageRequest"));
    }
    let declared = object
        .get("content_type")
        .and_then(|v| v.as_str())
        .ok_or("content_type must be a string")?;
    let encoded = object
        .get("image")
        .and_then(|v| v.as_str())
        .ok_or("image must be a base64 string")?;
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|e| format!("image is not standard base64: {e}"))?;
    if bytes.is_empty() {
        return Err("image is empty".into());
    }
    let sniffed = sniff_image_type(&bytes).ok_or("image bytes are not a known image format")?;
    if sniffed != declared {
        return Err(format!(
            "content_type {declared:?} does not match the image bytes ({sniffed})"
        ));
    }
    Ok(StoredImage {
        content_type: declared.to_owned(),
        bytes,
    })
}

/// The MIME type of image bytes from their magic number.
pub fn sniff_image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn get_image(shared: &Shared, user: &User) -> Response {
    let inner = shared.lock();
    let Some(image) = inner.images.get(&user.email) else {
        return api_error(StatusCode::NOT_FOUND, "user has no profile image");
    };
    match inner.image_form {
        ImageForm::Raw => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, image.content_type.clone())],
            Body::from(image.bytes.clone()),
        )
            .into_response(),
        ImageForm::Json => {
            let body = serde_json::json!({
                "content_type": image.content_type,
                "data": STANDARD.encode(&image.bytes),
            });
            json_response(200, body.to_string())
        }
    }
}

async fn settings(State(shared): State<Shared>, request: Request) -> Response {
    handle(
        shared,
        Endpoint::Settings,
        request,
        |shared, method, user, _| {
            if method != Method::GET {
                return api_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
            }
            let image = shared
                .lock()
                .images
                .get(&user.email)
                .map(|i| STANDARD.encode(&i.bytes))
                .unwrap_or_default();
            let body = serde_json::json!({
                "image": image,
                "initial_access": { "email_sent": false, "requested": false },
                "is_next_request_allowed": true,
                "notifications": [],
                "otp_enabled": false,
                "otp_status": "OTP_DISABLED",
            });
            json_response(200, body.to_string())
        },
    )
    .await
}

async fn whoami(State(shared): State<Shared>, request: Request) -> Response {
    handle(shared, Endpoint::Whoami, request, |_, method, user, _| {
        if method != Method::GET {
            return api_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
        }
        let mut body = serde_json::to_value(user).unwrap_or_default();
        if let Some(object) = body.as_object_mut() {
            object.insert("namespace".into(), "system".into());
            object.insert("tenant_state".into(), "ACTIVE".into());
        }
        json_response(200, body.to_string())
    })
    .await
}

async fn not_found(State(shared): State<Shared>, request: Request) -> Response {
    handle(shared, Endpoint::Unknown, request, |_, _, _, _| {
        (StatusCode::NOT_FOUND, "404 page not found").into_response()
    })
    .await
}
