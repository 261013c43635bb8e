use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use image::ImageFormat;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde::{Deserialize, Serialize};

use super::retry::{RetryPolicy, parse_retry_after};
use super::{ApiError, IMAGE_PATH, SETTINGS_PATH, TenantUrl, WHOAMI_PATH};
use crate::avatar::EncodedAvatar;
use crate::credentials::ApiToken;

/// Timeouts for every call. Without them a silent server would hang the upload forever.
#[derive(Clone, Copy, Debug)]
pub struct ClientOptions {
    /// Time allowed to open the connection (DNS, TCP, TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

/// Who an API token belongs to, from `whoami`.
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

/// A profile picture as the tenant holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantPicture {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl TenantPicture {
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
    auth: HeaderValue,
    options: ClientOptions,
    on_event: Option<EventSink>,
}

impl XcClient {
    pub fn new(
        tenant: TenantUrl,
        token: &ApiToken,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        let mut auth = HeaderValue::from_str(&format!("APIToken {}", token.expose()))
            .map_err(|_| ApiError::UnusableToken)?;
        // Keeps the value out of any Debug output of the request.
        auth.set_sensitive(true);
        let mut defaults = HeaderMap::new();
        defaults.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
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
            options,
            on_event: None,
        })
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
        let answer = self.call(Method::PUT, IMAGE_PATH, Some(body)).await?;
        warn_unless_json_object("upload", &answer.body);
        Ok(())
    }

    /// The token owner's current picture, or `None` when there is none.
    pub async fn current_image(&self) -> Result<Option<TenantPicture>, ApiError> {
        match self.call(Method::GET, IMAGE_PATH, None).await {
            Ok(answer) => picture_from_image_answer(answer),
            // Some tenants answer 404 for "no picture"; the settings say for sure.
            Err(ApiError::NotFound { .. }) => self.picture_from_settings().await,
            Err(other) => Err(other),
        }
    }

    /// Removes the token owner's picture.
    pub async fn delete_image(&self) -> Result<(), ApiError> {
        let answer = self.call(Method::DELETE, IMAGE_PATH, None).await?;
        warn_unless_json_object("remove", &answer.body);
        Ok(())
    }

    /// Who the token belongs to: the cheap call that proves a token works.
    pub async fn whoami(&self) -> Result<WhoAmI, ApiError> {
        let answer = self.call(Method::GET, WHOAMI_PATH, None).await?;
        serde_json::from_slice(&answer.body).map_err(|e| ApiError::InvalidResponse {
            detail: format!("whoami is not the expected JSON ({e})"),
        })
    }

    async fn picture_from_settings(&self) -> Result<Option<TenantPicture>, ApiError> {
        #[derive(Deserialize)]
        struct Settings {
            #[serde(default)]
            image: String,
        }
        let answer = self.call(Method::GET, SETTINGS_PATH, None).await?;
        let settings: Settings =
            serde_json::from_slice(&answer.body).map_err(|e| ApiError::InvalidResponse {
                detail: format!("user settings are not the expected JSON ({e})"),
            })?;
        picture_from_base64(&settings.image, None)
    }

    /// One call with retries on "not now" answers.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, ApiError> {
        let policy = self.options.retry;
        let mut attempt = 1;
        loop {
            let error = match self.attempt(method.clone(), path, body.clone()).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            let Some(wait) = policy.delay_before(attempt + 1, &error) else {
                return Err(error);
            };
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
    ) -> Result<Answer, ApiError> {
        let mut request = self
            .http
            .request(method, self.tenant.endpoint(path))
            .header(header::AUTHORIZATION, self.auth.clone());
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| self.network_error(&e))?;
        self.read_success(response).await
    }

    /// The body of a 2xx answer, or the typed outcome of any other.
    async fn read_success(&self, response: Response) -> Result<Answer, ApiError> {
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("another address")
                .to_owned();
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
        let body = response.bytes().await.map_err(|e| self.network_error(&e))?;
        if status.is_success() {
            return Ok(Answer {
                content_type,
                body: body.to_vec(),
            });
        }
        Err(ApiError::from_status(status.as_u16(), retry_after, &body))
    }

    fn network_error(&self, error: &reqwest::Error) -> ApiError {
        classify(error, self.tenant.host(), self.options.timeout)
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
/// spec's JSON `{content_type, data}`; empty means no picture.
fn picture_from_image_answer(answer: Answer) -> Result<Option<TenantPicture>, ApiError> {
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
    if media_type.starts_with("image/") {
        return Ok(Some(TenantPicture {
            content_type: media_type,
            bytes: answer.body,
        }));
    }
    if media_type.contains("json") || answer.body.first() == Some(&b'{') {
        #[derive(Deserialize)]
        struct HttpBody {
            #[serde(default)]
            content_type: Option<String>,
            #[serde(default)]
            data: String,
        }
        let json: HttpBody =
            serde_json::from_slice(&answer.body).map_err(|e| ApiError::InvalidResponse {
                detail: format!("the picture is not the expected JSON ({e})"),
            })?;
        return picture_from_base64(&json.data, json.content_type);
    }
    match sniff(&answer.body) {
        Some(content_type) => Ok(Some(TenantPicture {
            content_type,
            bytes: answer.body,
        })),
        None => Err(ApiError::InvalidResponse {
            detail: format!("the picture came as {media_type:?}, which is not an image"),
        }),
    }
}

fn picture_from_base64(
    data: &str,
    content_type: Option<String>,
) -> Result<Option<TenantPicture>, ApiError> {
    if data.is_empty() {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| ApiError::InvalidResponse {
            detail: format!("the picture is not valid base64 ({e})"),
        })?;
    let content_type = content_type
        .filter(|c| c.starts_with("image/"))
        .or_else(|| sniff(&bytes))
        .ok_or_else(|| ApiError::InvalidResponse {
            detail: "the picture's bytes are not an image".into(),
        })?;
    Ok(Some(TenantPicture {
        content_type,
        bytes,
    }))
}

fn sniff(bytes: &[u8]) -> Option<String> {
    image::guess_format(bytes)
        .ok()
        .map(|format| format.to_mime_type().to_owned())
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
