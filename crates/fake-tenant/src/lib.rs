//! A fake F5 Distributed Cloud tenant on loopback.
//!
//! It serves the endpoints xc-avatar calls and checks each request the way F5's API does per
//! `shared/api/*.openapi.json`: `Authorization: APIToken <token>`, a JSON body with only the
//! `UpdateImageRequest` fields, standard base64, and a `content_type` that matches the decoded
//! bytes. Tests can script the next answers (any status, `Retry-After`, a delay, a connection
//! reset, a redirect) and read back every request it received.
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
use axum::routing::{any, get};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

pub mod cli;
mod tls;

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
    /// Raw image bytes with `Content-Type: image/...` (grpc-gateway's HttpBody mapping).
    #[default]
    Raw,
    /// JSON `{"content_type": ..., "data": "<base64>"}`, as the spec's schema reads.
    Json,
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The status the fake answered (0 for a reset).
    pub status: u16,
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
    let text = String::from_utf8_lossy(&head);
    let mut parts = text.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    shared.lock().received.push(Received {
        method,
        path,
        headers: HeaderMap::new(),
        body: Bytes::new(),
        status: 0,
    });
    let _ = stream.set_zero_linger();
    drop(stream);
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route(IMAGE_PATH, any(image))
        .route(SETTINGS_PATH, get(settings))
        .route(WHOAMI_PATH, get(whoami))
        .fallback(not_found)
        .with_state(shared)
}

/// Runs before every handler: records the request and applies a scripted answer if one is queued.
/// Returns the request parts for the handler, or the response to send instead.
async fn intake(shared: &Shared, request: Request) -> Result<(Method, HeaderMap, Bytes), Response> {
    let latency = shared.lock().latency;
    tokio::time::sleep(latency).await;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    shared.lock().received.push(Received {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        headers: parts.headers.clone(),
        body: body.clone(),
        status: 0,
    });
    let scripted = shared.lock().script.pop_front();
    match scripted {
        None | Some(Scripted::Reset) => Ok((parts.method, parts.headers, body)),
        Some(Scripted::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            Ok((parts.method, parts.headers, body))
        }
        Some(Scripted::Status {
            status,
            body,
            retry_after,
        }) => {
            let mut response = json_response(status, body);
            if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Err(response)
        }
        Some(Scripted::Redirect { status, location }) => {
            let mut response = json_response(status, String::new());
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Err(response)
        }
    }
}

/// Records the status actually sent for the newest request.
fn answered(shared: &Shared, response: Response) -> Response {
    if let Some(last) = shared.lock().received.last_mut() {
        last.status = response.status().as_u16();
    }
    response
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

/// The user behind `Authorization: APIToken <token>`, or the 401 F5 answers.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<User, Response> {
    // Mutual TLS: a known client certificate authenticates without an Authorization header.
    if let Some(user) = tls::certificate_user() {
        return Ok(user);
    }
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Authorization header missing",
        ));
    };
    let value = value.to_str().unwrap_or_default();
    let Some(token) = value.strip_prefix("APIToken ") else {
        return Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Authorization scheme must be APIToken",
        ));
    };
    shared
        .lock()
        .users
        .get(token)
        .cloned()
        .ok_or_else(|| api_error(StatusCode::UNAUTHORIZED, "Invalid or expired API token"))
}

async fn image(State(shared): State<Shared>, request: Request) -> Response {
    let response = match intake(&shared, request).await {
        Err(scripted) => scripted,
        Ok((method, headers, body)) => match authenticate(&shared, &headers) {
            Err(denied) => denied,
            Ok(user) => match method {
                Method::PUT => put_image(&shared, &user, &headers, &body),
                Method::GET => get_image(&shared, &user),
                Method::DELETE => {
                    shared.lock().images.remove(&user.email);
                    json_response(200, "{}".into())
                }
                _ => api_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            },
        },
    };
    answered(&shared, response)
}

fn put_image(shared: &Shared, user: &User, headers: &HeaderMap, body: &[u8]) -> Response {
    match validate_update(headers, body) {
        Ok(image) => {
            shared.lock().images.insert(user.email.clone(), image);
            json_response(200, "{}".into())
        }
        Err(message) => api_error(StatusCode::BAD_REQUEST, &message),
    }
}

/// Checks a PUT body the way F5's gateway would decode `UpdateImageRequest`.
pub fn validate_update(headers: &HeaderMap, body: &[u8]) -> Result<StoredImage, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
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
    let response = match intake(&shared, request).await {
        Err(scripted) => scripted,
        Ok((_, headers, _)) => match authenticate(&shared, &headers) {
            Err(denied) => denied,
            Ok(user) => {
                let image = shared
                    .lock()
                    .images
                    .get(&user.email)
                    .map(|i| STANDARD.encode(&i.bytes))
                    .unwrap_or_default();
                let body = serde_json::json!({
                    "image": image,
                    "initial_access": false,
                    "is_next_request_allowed": true,
                    "notifications": [],
                    "otp_enabled": false,
                    "otp_status": "OTP_DISABLED",
                });
                json_response(200, body.to_string())
            }
        },
    };
    answered(&shared, response)
}

async fn whoami(State(shared): State<Shared>, request: Request) -> Response {
    let response = match intake(&shared, request).await {
        Err(scripted) => scripted,
        Ok((_, headers, _)) => match authenticate(&shared, &headers) {
            Err(denied) => denied,
            Ok(user) => {
                let mut body = serde_json::to_value(&user).unwrap_or_default();
                if let Some(object) = body.as_object_mut() {
                    object.insert("namespace".into(), "system".into());
                    object.insert("tenant_state".into(), "ACTIVE".into());
                }
                json_response(200, body.to_string())
            }
        },
    };
    answered(&shared, response)
}

async fn not_found(State(shared): State<Shared>, request: Request) -> Response {
    let response = match intake(&shared, request).await {
        Err(scripted) => scripted,
        Ok(_) => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
    };
    answered(&shared, response)
}
