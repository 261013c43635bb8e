use std::error::Error as _;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::{ApiError, IMAGE_PATH, TenantUrl, WHOAMI_PATH};
use crate::avatar::EncodedAvatar;
use crate::credentials::ApiToken;

/// Timeouts for every call. Without them a silent server would hang the upload forever.
#[derive(Clone, Copy, Debug)]
pub struct ClientOptions {
    /// Time allowed to open the connection (DNS, TCP, TLS).
    pub connect_timeout: Duration,
    /// Time allowed for the whole call, from sending to the last byte of the answer.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
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

/// A client for one tenant, acting as the user who owns the token.
pub struct XcClient {
    http: reqwest::Client,
    tenant: TenantUrl,
    auth: HeaderValue,
    options: ClientOptions,
}

impl XcClient {
    pub fn new(
        tenant: TenantUrl,
        token: &ApiToken,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        let mut auth =
            HeaderValue::from_str(&format!("APIToken {}", token.expose())).map_err(|_| {
                ApiError::Unauthorized {
                    server_text: Some("the token contains characters that cannot be sent".into()),
                }
            })?;
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
            .map_err(|e| ApiError::Network {
                host: tenant.host().to_owned(),
                detail: error_chain(&e),
            })?;
        Ok(XcClient {
            http,
            tenant,
            auth,
            options,
        })
    }

    pub fn tenant(&self) -> &TenantUrl {
        &self.tenant
    }

    /// Replaces the token owner's profile picture with `avatar`.
    pub async fn update_image(&self, avatar: &EncodedAvatar) -> Result<(), ApiError> {
        let body = UpdateImageRequest {
            content_type: avatar.content_type(),
            image: base64::engine::general_purpose::STANDARD.encode(&avatar.bytes),
        };
        let response = self
            .send(self.request(Method::PUT, IMAGE_PATH).json(&body))
            .await?;
        let bytes = self.read_success(response).await?;
        if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).is_err() {
            tracing::warn!(
                body_len = bytes.len(),
                "upload answered 200 with a body that is not a JSON object; treating as success"
            );
        }
        Ok(())
    }

    /// Who the token belongs to: the cheap call that proves a token works.
    pub async fn whoami(&self) -> Result<WhoAmI, ApiError> {
        let response = self.send(self.request(Method::GET, WHOAMI_PATH)).await?;
        let bytes = self.read_success(response).await?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::InvalidResponse {
            detail: format!("whoami is not the expected JSON ({e})"),
        })
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.tenant.endpoint(path))
            .header(header::AUTHORIZATION, self.auth.clone())
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Response, ApiError> {
        request.send().await.map_err(|e| self.network_error(&e))
    }

    /// The body of a 2xx answer, or the typed outcome of any other.
    async fn read_success(&self, response: Response) -> Result<Vec<u8>, ApiError> {
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
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(|e| self.network_error(&e))?;
        if status == StatusCode::OK || status.is_success() {
            return Ok(body.to_vec());
        }
        Err(ApiError::from_status(status.as_u16(), retry_after, &body))
    }

    fn network_error(&self, error: &reqwest::Error) -> ApiError {
        classify(error, self.tenant.host(), self.options.timeout)
    }
}

/// `Retry-After` in seconds. (HTTP-date form and retries come with the retry policy.)
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
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
    let mut source = error.source();
    while let Some(cause) = source {
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
        source = cause.source();
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
