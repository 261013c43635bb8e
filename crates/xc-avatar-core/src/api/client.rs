use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde::{Deserialize, Serialize};

use super::answers::{
    Answer, SHOWN_MAX_CHARS, TenantPicture, WhoAmI, invalid, log_shape, picture_from_base64,
    picture_from_image_answer, warn_unless_json_object, whoami_from,
};
use super::error::server_text_redacted;
use super::network::{certificate_refusal, classify, error_chain};
use super::options::ClientOptions;
use super::retry::parse_retry_after;
use super::{ApiError, IMAGE_PATH, SETTINGS_PATH, WHOAMI_PATH};
use crate::TenantUrl;
use crate::avatar::EncodedAvatar;
use crate::clean::clean_server_text;
use crate::credentials::{ApiToken, Credential};

/// Most we read of the answer that carries the picture (GET image, and the user settings,
/// which hold it as base64). What we upload is at most 128 KiB; the Console's own uploads are
/// well under this too.
pub const PICTURE_MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Most we read of `whoami` and of the `{}` that a PUT or DELETE answers.
pub const SMALL_BODY_MAX_BYTES: u64 = 64 * 1024;
/// Most we read of an error answer's body: we show 300 characters of it.
pub const ERROR_BODY_MAX_BYTES: u64 = 16 * 1024;

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

/// A client for one tenant, acting as the user who owns the token. Calls that get 429, 503 or
/// 504 are retried per [`super::RetryPolicy`]; dropping a call's future cancels it at once.
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
