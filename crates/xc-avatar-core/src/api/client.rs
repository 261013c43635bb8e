use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use image::ImageFormat;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde::{Deserialize, Serialize};

use super::clean::clean_server_text;
use super::error::server_text_redacted;
use super::retry::{RetryPolicy, parse_retry_after};
use super::{ApiError, IMAGE_PATH, SETTINGS_PATH, TenantUrl, WHOAMI_PATH};
use crate::avatar::{AvatarError, EncodedAvatar, Limits, Source};
use crate::credentials::{ApiToken, Credential};

/// Most we read of the answer that carries the picture (GET image, and the user settings,
/// which hold it as base64). What we upload is at most 128 KiB; the Console's own uploads are
/// well under this too.
pub const PICTURE_MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Most we read of `whoami` and of the `{}` that a PUT or DELETE answers.
pub const SMALL_BODY_MAX_BYTES: u64 = 64 * 1024;
/// Most we read of an error answer's body: we show 300 characters of it.
pub const ERROR_BODY_MAX_BYTES: u64 = 16 * 1024;
/// Longest name, e-mail or `Location` we show.
const SHOWN_MAX_CHARS: usize = 200;

/// How much of an answer a call reads, and what to call it when it sends more.
#[derive(Clone, Copy, Debug)]
struct Ceiling {
    bytes: u64,
    what: &'static str,
}

const PICTURE: Ceiling = Ceiling {
    bytes: PICTURE_MAX_BYTES,
    what: "your picture",
};
const SETTINGS: Ceiling = Ceiling {
    bytes: PICTURE_MAX_BYTES,
    what: "your user settings",
};
const WHOAMI: Ceiling = Ceiling {
    bytes: SMALL_BODY_MAX_BYTES,
    what: "who the token acts as",
};
const UPLOADED: Ceiling = Ceiling {
    bytes: SMALL_BODY_MAX_BYTES,
    what: "its answer to the upload",
};
const REMOVED: Ceiling = Ceiling {
    bytes: SMALL_BODY_MAX_BYTES,
    what: "its answer to the removal",
};
const ERROR_BODY: Ceiling = Ceiling {
    bytes: ERROR_BODY_MAX_BYTES,
    what: "its error message",
};

/// Timeouts for every call. Without them a silent server would hang the upload forever.
#[derive(Clone, Copy, Debug)]
pub struct ClientOptions {
    /// Time allowed to open the connection (DNS, TCP, TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// When the whole of a command must be over, retries and their waits included (the
    /// command line's `--deadline`); `None` for no such limit (the app, whose user can cancel).
    pub deadline: Option<Deadline>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            deadline: None,
        }
    }
}

/// The end of the time a whole command may take, from when it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    started: Instant,
    total: Duration,
}

impl Deadline {
    /// `total` from now.
    pub fn starting_now(total: Duration) -> Self {
        Deadline {
            started: Instant::now(),
            total,
        }
    }

    /// The time the whole command may take.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// What is left of it (zero once it has passed).
    pub fn left(&self) -> Duration {
        self.total.saturating_sub(self.started.elapsed())
    }
}

/// Who an API token belongs to, from `whoami`. Every field is cleaned of escape sequences and
/// control characters, and of the token, before it reaches anyone.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct WhoAmI {
    pub name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub tenant: String,
}

impl WhoAmI {
    /// "Ada Lovelace <ada@example.com>", or whatever part is known.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        match (full.is_empty(), self.email.is_empty()) {
            (false, false) => format!("{full} <{}>", self.email),
            (false, true) => full.to_owned(),
            (true, false) => self.email.clone(),
            (true, true) => self.name.clone(),
        }
    }

    /// "Ada Lovelace" as a console header shows it; the e-mail or login name if that is all.
    pub fn short_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        match full.trim() {
            "" if !self.email.is_empty() => self.email.clone(),
            "" => self.name.clone(),
            full => full.to_owned(),
        }
    }
}

/// `UpdateImageRequest`, exactly the fields F5's spec defines.
#[derive(Serialize)]
struct UpdateImageRequest<'a> {
    content_type: &'a str,
    image: String,
}

/// Something worth telling the user while a call is still going on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallEvent {
    /// The tenant said "not now"; attempt `next_attempt` of `attempts` starts after `wait`.
    Retrying {
        next_attempt: u32,
        attempts: u32,
        wait: Duration,
        reason: ApiError,
    },
}

type EventSink = Arc<dyn Fn(&CallEvent) + Send + Sync>;

/// A profile picture as the tenant holds it: bytes that are an image (checked), and their
/// type as read from the bytes themselves (never the server's words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantPicture {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl TenantPicture {
    /// `bytes` as a picture the tenant can hold, its type read from the bytes; else what they
    /// are instead.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        picture_from_bytes(bytes)
    }

    /// The picture decoded, right way up, at most `max_side` pixels on its longer side: the
    /// proof that the bytes are a picture. Decoded within the limits of an avatar
    /// ([`Limits::AVATAR`], 4096²): whatever a tenant sends, showing it costs at most that.
    pub fn preview(&self, max_side: u32) -> Result<image::RgbaImage, ApiError> {
        Source::from_bytes_within(self.bytes.as_slice(), Limits::AVATAR)
            .and_then(|source| source.preview(max_side))
            .map(|(image, _)| image)
            .map_err(|error| ApiError::NotAPicture {
                detail: format!(
                    "{} bytes of {} that do not decode: {error}",
                    self.bytes.len(),
                    self.content_type
                ),
            })
    }

    /// The usual file extension for its type (`jpg`, `png`, …).
    pub fn extension(&self) -> &'static str {
        ImageFormat::from_mime_type(&self.content_type)
            .and_then(|f| f.extensions_str().first().copied())
            .unwrap_or("img")
    }
}

/// A 2xx answer.
struct Answer {
    content_type: String,
    body: Vec<u8>,
}

/// A client for one tenant, acting as the user who owns the token. Calls that get 429, 503 or
/// 504 are retried per [`RetryPolicy`]; dropping a call's future cancels it at once.
///
/// Clones share one connection pool: keep one per tenant and credential, and clone it (with
/// [`XcClient::on_event`]) for each call, so calls reuse a kept-alive connection rather than
/// paying for a new TCP and TLS handshake each.
#[derive(Clone)]
pub struct XcClient {
    http: reqwest::Client,
    tenant: TenantUrl,
    /// `APIToken …`; none for a client that presents an API certificate instead.
    auth: Option<HeaderValue>,
    /// Kept only to remove it from whatever the server sends back.
    token: Option<ApiToken>,
    /// Whether the client presents an API certificate: a refusal is then the certificate's.
    certificate: bool,
    options: ClientOptions,
    on_event: Option<EventSink>,
}

/// rustls's cryptography for every HTTPS connection: `ring` (reqwest is built without a
/// provider of its own; see Cargo.toml). Once per process; one installed earlier stays.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl XcClient {
    pub fn new(
        tenant: TenantUrl,
        token: &ApiToken,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        Self::with_credential(tenant, &Credential::Token(token.clone()), options)
    }

    /// A client acting as the owner of `credential`: a token goes in each request's
    /// `Authorization` header; a certificate is presented in the TLS handshake instead.
    pub fn with_credential(
        tenant: TenantUrl,
        credential: &Credential,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder();
        let (auth, token) = match credential {
            Credential::Token(token) => {
                let mut auth = HeaderValue::from_str(&format!("APIToken {}", token.expose()))
                    .map_err(|_| ApiError::UnusableToken)?;
                // Keeps the value out of any Debug output of the request.
                auth.set_sensitive(true);
                (Some(auth), Some(token.clone()))
            }
            Credential::Certificate(certificate) => {
                let identity = certificate.identity().map_err(|e| ApiError::Internal {
                    detail: format!("cannot use the API certificate: {}", error_chain(&e)),
                })?;
                builder = builder.identity(identity);
                (None, None)
            }
        };
        let mut defaults = HeaderMap::new();
        defaults.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if tenant.is_loopback() {
            // A proxy for this computer's own addresses would see the token in clear text
            // (loopback tenants may be plain http), and could not reach them anyway.
            builder = builder.no_proxy();
        }
        // An https tenant through HTTPS_PROXY goes through a CONNECT tunnel: the proxy sees
        // the host name, never the request or its Authorization header.
        let http = builder
            .user_agent(concat!("xc-avatar/", env!("CARGO_PKG_VERSION")))
            .default_headers(defaults)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // A redirect could carry the token elsewhere; report it instead of following it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Internal {
                detail: format!("cannot set up HTTPS: {}", error_chain(&e)),
            })?;
        Ok(XcClient {
            http,
            tenant,
            auth,
            token,
            certificate: matches!(credential, Credential::Certificate(_)),
            options,
            on_event: None,
        })
    }

    /// What must never be shown back: the token, when there is one.
    fn secrets(&self) -> Vec<&str> {
        self.token.iter().map(ApiToken::expose).collect()
    }

    /// Calls `sink` for each [`CallEvent`] (e.g. to count down a retry).
    pub fn on_event(mut self, sink: impl Fn(&CallEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Arc::new(sink));
        self
    }

    pub fn tenant(&self) -> &TenantUrl {
        &self.tenant
    }

    /// Replaces the token owner's profile picture with `avatar`.
    pub async fn update_image(&self, avatar: &EncodedAvatar) -> Result<(), ApiError> {
        self.put_image(avatar.content_type(), &avatar.bytes).await
    }

    /// Sets the picture to `bytes` of `content_type` as they are (Undo puts a previous
    /// picture back this way).
    pub async fn put_image(&self, content_type: &str, bytes: &[u8]) -> Result<(), ApiError> {
        let body = UpdateImageRequest {
            content_type,
            image: base64::engine::general_purpose::STANDARD.encode(bytes),
        };
        let body = serde_json::to_vec(&body).map_err(|e| ApiError::Internal {
            detail: format!("cannot build the request: {e}"),
        })?;
        let (answer, _) = self
            .call(Method::PUT, IMAGE_PATH, Some(body), UPLOADED)
            .await;
        warn_unless_json_object("upload", &answer?.body);
        Ok(())
    }

    /// The token owner's current picture, or `None` when there is none.
    pub async fn current_image(&self) -> Result<Option<TenantPicture>, ApiError> {
        match self.call(Method::GET, IMAGE_PATH, None, PICTURE).await.0 {
            Ok(answer) => picture_from_image_answer(answer, &self.secrets()),
            // Some tenants answer 404 for "no picture"; the settings say for sure.
            Err(ApiError::NotFound { .. }) => self.picture_from_settings().await,
            Err(other) => Err(other),
        }
    }

    /// Removes the token owner's picture. A removal retried after a 503 or 504 that then
    /// gets 404 succeeded: the earlier attempt removed it before the gateway gave up waiting.
    pub async fn delete_image(&self) -> Result<(), ApiError> {
        match self.call(Method::DELETE, IMAGE_PATH, None, REMOVED).await {
            (Ok(answer), _) => {
                warn_unless_json_object("remove", &answer.body);
                Ok(())
            }
            (Err(ApiError::NotFound { .. }), MaybeDone::Yes) => {
                tracing::info!("removal retried after a gateway error found nothing: it is gone");
                Ok(())
            }
            (Err(error), _) => Err(error),
        }
    }

    /// Who the token belongs to: the cheap call that proves a token works.
    pub async fn whoami(&self) -> Result<WhoAmI, ApiError> {
        let answer = self.call(Method::GET, WHOAMI_PATH, None, WHOAMI).await.0?;
        whoami_from(&answer.body, &self.secrets())
    }

    async fn picture_from_settings(&self) -> Result<Option<TenantPicture>, ApiError> {
        #[derive(Deserialize)]
        struct Settings {
            #[serde(default)]
            image: String,
        }
        let answer = self
            .call(Method::GET, SETTINGS_PATH, None, SETTINGS)
            .await
            .0?;
        let settings: Settings = serde_json::from_slice(&answer.body)
            .map_err(|e| invalid("user settings", &e, &self.secrets()))?;
        picture_from_base64(&settings.image)
    }

    /// One call with retries on "not now" answers. Also says whether an earlier attempt may
    /// have been carried out (a 503 or 504 from a gateway that gave up waiting).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        ceiling: Ceiling,
    ) -> (Result<Answer, ApiError>, MaybeDone) {
        let policy = self.options.retry;
        let mut attempt = 1;
        let mut maybe_done = MaybeDone::No;
        loop {
            let error = match self
                .attempt(method.clone(), path, body.clone(), ceiling)
                .await
            {
                Ok(answer) => return (Ok(answer), maybe_done),
                Err(error) => error,
            };
            let Some(wait) = policy.delay_before(attempt + 1, &error) else {
                return (Err(error), maybe_done);
            };
            if let Some(deadline) = self.options.deadline {
                // A wait that would end past the deadline is not started: said at once, with
                // when to try again if the tenant named it.
                let asked = match &error {
                    ApiError::RateLimited { retry_after, .. }
                    | ApiError::Server { retry_after, .. } => *retry_after,
                    _ => None,
                };
                let left = deadline.left();
                match asked {
                    Some(asked) if asked.max(wait) >= left => {
                        return (
                            Err(ApiError::WaitTooLong {
                                status: error.status().unwrap_or_default(),
                                wait: asked,
                                deadline: deadline.total(),
                                try_after: clock_after(asked),
                            }),
                            maybe_done,
                        );
                    }
                    None if wait >= left => return (Err(error), maybe_done),
                    _ => {}
                }
            }
            if matches!(error, ApiError::Server { .. }) {
                maybe_done = MaybeDone::Yes;
            }
            attempt += 1;
            tracing::info!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "{error}; retrying"
            );
            if let Some(sink) = &self.on_event {
                sink(&CallEvent::Retrying {
                    next_attempt: attempt,
                    attempts: policy.max_retries + 1,
                    wait,
                    reason: error,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        ceiling: Ceiling,
    ) -> Result<Answer, ApiError> {
        let mut request = self.http.request(method, self.tenant.endpoint(path));
        if let Some(deadline) = self.options.deadline {
            let left = deadline.left();
            if left.is_zero() {
                return Err(ApiError::Timeout {
                    host: self.tenant.host().to_owned(),
                    after: deadline.total(),
                });
            }
            // The attempt ends with the command's deadline, whatever its own timeout.
            request = request.timeout(left.min(self.options.timeout));
        }
        if let Some(auth) = &self.auth {
            request = request.header(header::AUTHORIZATION, auth.clone());
        }
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| self.network_error(&e))?;
        self.read_success(response, ceiling).await
    }

    /// The body of a 2xx answer (at most `ceiling`), or the typed outcome of any other.
    async fn read_success(&self, response: Response, ceiling: Ceiling) -> Result<Answer, ApiError> {
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .map(|v| clean_server_text(&v, &self.secrets(), SHOWN_MAX_CHARS))
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "another address".to_owned());
            return Err(ApiError::Redirect {
                status: status.as_u16(),
                location,
            });
        }
        let retry_after = parse_retry_after(response.headers(), SystemTime::now());
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let path = response.url().path().to_owned();
        if status.is_success() {
            let body = self.read_body(response, ceiling, None).await?;
            log_shape(&path, status.as_u16(), &content_type, &body);
            return Ok(Answer { content_type, body });
        }
        let status = status.as_u16();
        let body = self.read_body(response, ERROR_BODY, Some(status)).await?;
        log_shape(&path, status, &content_type, &body);
        let server_text = server_text_redacted(&body, &self.secrets());
        if status == 401 && self.certificate {
            return Err(ApiError::CertificateRejected {
                status: Some(status),
                server_text,
            });
        }
        Err(ApiError::from_status(status, retry_after, server_text))
    }

    /// Reads the body chunk by chunk, stopping at `ceiling`: past it the response is dropped
    /// unread, which closes the connection, and memory never holds more than the ceiling and
    /// one chunk.
    async fn read_body(
        &self,
        mut response: Response,
        ceiling: Ceiling,
        status: Option<u16>,
    ) -> Result<Vec<u8>, ApiError> {
        let too_large = || ApiError::ResponseTooLarge {
            what: ceiling.what,
            limit: ceiling.bytes,
            status,
        };
        let announced = response.content_length();
        if announced.is_some_and(|length| length > ceiling.bytes) {
            return Err(too_large());
        }
        let limit = usize::try_from(ceiling.bytes).unwrap_or(usize::MAX);
        let start = announced
            .and_then(|length| usize::try_from(length).ok())
            .unwrap_or(0)
            .min(limit);
        let mut body = Vec::with_capacity(start);
        while let Some(chunk) = response.chunk().await.map_err(|e| self.network_error(&e))? {
            if chunk.len() > limit - body.len() {
                tracing::info!(
                    limit = ceiling.bytes,
                    "the tenant sent more than the ceiling for {}; connection closed",
                    ceiling.what
                );
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn network_error(&self, error: &reqwest::Error) -> ApiError {
        if self.certificate
            && let Some(alert) = certificate_refusal(error)
        {
            return ApiError::CertificateRejected {
                status: None,
                server_text: Some(alert),
            };
        }
        match classify(error, self.tenant.host(), self.options.timeout) {
            ApiError::Tls { host, detail } => ApiError::Tls {
                host,
                detail: clean_server_text(&detail, &self.secrets(), 500),
            },
            ApiError::Network { host, detail } => ApiError::Network {
                host,
                detail: clean_server_text(&detail, &self.secrets(), 500),
            },
            other => other,
        }
    }
}

/// "14:32": the local time `wait` from now, to the minute (rounded up), for "try again after".
fn clock_after(wait: Duration) -> String {
    let when = SystemTime::now() + wait + Duration::from_secs(59);
    let unix = when
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    #[cfg(unix)]
    {
        let seconds = libc::time_t::try_from(unix).unwrap_or(libc::time_t::MAX);
        // SAFETY: localtime_r writes only into the struct we own.
        let mut local: libc::tm = unsafe { std::mem::zeroed() };
        if !unsafe { libc::localtime_r(&seconds, &mut local) }.is_null() {
            return format!("{:02}:{:02}", local.tm_hour, local.tm_min);
        }
    }
    let of_day = unix % 86_400;
    format!("{:02}:{:02} UTC", of_day / 3600, of_day % 3600 / 60)
}

/// Whether an attempt before the final answer may have been carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MaybeDone {
    No,
    Yes,
}

/// A parse failure, named; serde's message can quote the body, so it is cleaned too.
fn invalid(what: &str, error: &serde_json::Error, secrets: &[&str]) -> ApiError {
    ApiError::InvalidResponse {
        detail: clean_server_text(
            &format!("{what} are not the expected JSON ({error})"),
            secrets,
            SHOWN_MAX_CHARS,
        ),
    }
}

/// Parses a whoami answer as [`XcClient::whoami`] does (for the fuzz target).
#[doc(hidden)]
pub fn parse_whoami(body: &[u8]) -> Result<WhoAmI, ApiError> {
    whoami_from(body, &[])
}

/// Parses a GET image answer as [`XcClient::current_image`] does (for the fuzz target).
#[doc(hidden)]
pub fn parse_picture(content_type: &str, body: &[u8]) -> Result<Option<TenantPicture>, ApiError> {
    picture_from_image_answer(
        Answer {
            content_type: content_type.to_owned(),
            body: body.to_vec(),
        },
        &[],
    )
}

fn whoami_from(body: &[u8], secrets: &[&str]) -> Result<WhoAmI, ApiError> {
    let raw: WhoAmI =
        serde_json::from_slice(body).map_err(|e| invalid("whoami's details", &e, secrets))?;
    let clean = |text: String| clean_server_text(&text, secrets, SHOWN_MAX_CHARS);
    Ok(WhoAmI {
        name: clean(raw.name),
        email: clean(raw.email),
        first_name: clean(raw.first_name),
        last_name: clean(raw.last_name),
        tenant: clean(raw.tenant),
    })
}

/// Target of the one debug line per answer that says what it looked like, never what it said:
/// `scripts/live-check` turns it on (`RUST_LOG=xc_avatar_core::answer=debug`) to report how a
/// real tenant answers.
pub const ANSWER_LOG_TARGET: &str = "xc_avatar_core::answer";

fn log_shape(path: &str, status: u16, content_type: &str, body: &[u8]) {
    tracing::debug!(
        target: ANSWER_LOG_TARGET,
        path,
        status,
        content_type = %clean_server_text(content_type, &[], 80),
        bytes = body.len(),
        shape = %shape_of(body),
        "answer"
    );
}

/// An answer's form without its values: `{"content_type": string(10), "data": string(1234)}`
/// for JSON (names cleaned and capped), else `raw`.
pub fn shape_of(body: &[u8]) -> String {
    fn kind(value: &serde_json::Value, depth: usize) -> String {
        use serde_json::Value;
        match value {
            Value::Null => "null".into(),
            Value::Bool(_) => "bool".into(),
            Value::Number(_) => "number".into(),
            Value::String(text) => format!("string({})", text.len()),
            Value::Array(items) => format!("array({})", items.len()),
            Value::Object(_) if depth >= 2 => "object".into(),
            Value::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .take(40)
                    .map(|(name, value)| {
                        let name = clean_server_text(name, &[], 40);
                        format!("{name:?}: {}", kind(value, depth + 1))
                    })
                    .collect();
                let more = if fields.len() == 40 { ", …" } else { "" };
                format!("{{{}{more}}}", fields.join(", "))
            }
        }
    }
    if body.is_empty() {
        return "empty".into();
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => kind(&value, 0),
        Err(_) => "raw".into(),
    }
}

/// A 200 whose body is not `{}`-like JSON still did what was asked; note it for support.
fn warn_unless_json_object(what: &str, body: &[u8]) {
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_err() {
        tracing::warn!(
            body_len = body.len(),
            "{what} answered 200 with a body that is not a JSON object; treating as success"
        );
    }
}

/// GET image answers either raw bytes with an image type (gRPC gateway's `HttpBody`) or the
/// spec's JSON `{content_type, data}`; empty means no picture. Whatever the server says the
/// type is, the bytes must be an image.
fn picture_from_image_answer(
    answer: Answer,
    secrets: &[&str],
) -> Result<Option<TenantPicture>, ApiError> {
    if answer.body.is_empty() {
        return Ok(None);
    }
    let media_type = answer
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let looks_json = media_type.contains("json") || answer.body.first() == Some(&b'{');
    if !media_type.starts_with("image/") && looks_json {
        #[derive(Deserialize)]
        struct HttpBody {
            #[serde(default)]
            data: String,
        }
        let json: HttpBody = serde_json::from_slice(&answer.body)
            .map_err(|e| invalid("the picture's details", &e, secrets))?;
        return picture_from_base64(&json.data);
    }
    let shown_type = match clean_server_text(&media_type, secrets, 80) {
        empty if empty.is_empty() => "no content type".to_owned(),
        named => named,
    };
    picture_from_bytes(answer.body)
        .map(Some)
        .map_err(|what| ApiError::NotAPicture {
            detail: format!("{what}, sent as {shown_type}"),
        })
}

fn picture_from_base64(data: &str) -> Result<Option<TenantPicture>, ApiError> {
    if data.is_empty() {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| ApiError::NotAPicture {
            detail: "its base64 does not decode".into(),
        })?;
    picture_from_bytes(bytes)
        .map(Some)
        .map_err(|what| ApiError::NotAPicture { detail: what })
}

/// `bytes` as a picture if they are one: a known image format (its type taken from the bytes),
/// whose header reads, within an avatar's limits, when it is a format we decode. Else what
/// they are instead. ([`TenantPicture::preview`] then decodes it.)
fn picture_from_bytes(bytes: Vec<u8>) -> Result<TenantPicture, String> {
    let Ok(format) = image::guess_format(&bytes) else {
        return Err(format!("{} bytes of no image format", bytes.len()));
    };
    match Source::from_bytes_within(bytes.as_slice(), Limits::AVATAR) {
        Ok(_) | Err(AvatarError::Unsupported(_)) => {}
        Err(error) => {
            return Err(format!(
                "{} bytes that begin like {} but are not one ({error})",
                bytes.len(),
                format.to_mime_type()
            ));
        }
    }
    Ok(TenantPicture {
        content_type: format.to_mime_type().to_owned(),
        bytes,
    })
}

/// Names what went wrong below HTTP from reqwest's error and its causes.
fn classify(error: &reqwest::Error, host: &str, timeout: Duration) -> ApiError {
    let host = host.to_owned();
    if error.is_timeout() {
        return ApiError::Timeout {
            host,
            after: timeout,
        };
    }
    let chain = error_chain(error);
    let lower = chain.to_ascii_lowercase();
    for cause in causes(error) {
        if cause.downcast_ref::<rustls::Error>().is_some() {
            return ApiError::Tls {
                host,
                detail: chain,
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused => return ApiError::ConnectionRefused { host },
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    return ApiError::ConnectionReset { host };
                }
                TimedOut => {
                    return ApiError::Timeout {
                        host,
                        after: timeout,
                    };
                }
                _ => {}
            }
        }
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        ApiError::Dns { host }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        ApiError::Tls {
            host,
            detail: chain,
        }
    } else if lower.contains("connection closed") || lower.contains("connection reset") {
        ApiError::ConnectionReset { host }
    } else {
        ApiError::Network {
            host,
            detail: chain,
        }
    }
}

/// The TLS alert a server sends when it refuses the client's certificate, if that is what
/// ended the call: e.g. "the server refused the certificate (UnknownCA)".
fn certificate_refusal(error: &reqwest::Error) -> Option<String> {
    use rustls::AlertDescription as Alert;
    causes(error)
        .into_iter()
        .find_map(|cause| match cause.downcast_ref::<rustls::Error>()? {
            rustls::Error::AlertReceived(
                alert @ (Alert::BadCertificate
                | Alert::UnsupportedCertificate
                | Alert::CertificateRevoked
                | Alert::CertificateExpired
                | Alert::CertificateUnknown
                | Alert::UnknownCA
                | Alert::AccessDenied
                | Alert::CertificateRequired),
            ) => Some(format!("TLS alert: {alert:?}")),
            _ => None,
        })
}

/// Every error under `error`, including those an `io::Error` wraps (which its `source()`
/// skips): that is where rustls and socket errors hide.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut found = Vec::new();
    let mut next = error.source();
    while let Some(cause) = next {
        found.push(cause);
        let mut inner = cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        while let Some(wrapped) = inner {
            let wrapped: &(dyn std::error::Error + 'static) = wrapped;
            found.push(wrapped);
            inner = wrapped
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref());
        }
        next = cause.source();
    }
    found
}

/// "outer: cause: root cause", without repeating a cause that the outer text already includes.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}
