//! Every way a call can end other than success, each its own variant: front ends word the next
//! step (the binary's `messages`).

use std::time::Duration;

use crate::clean::clean_server_text;

/// The outcome of a failed call, typed so each front end can say what happened and what to do.
/// `server_text` is what the tenant said, cleaned for display.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("the tenant rejected the API token (HTTP 401)")]
    Unauthorized { server_text: Option<String> },
    #[error("your account may not change its picture on this tenant (HTTP 403)")]
    Forbidden { server_text: Option<String> },
    #[error("the tenant has no such API (HTTP 404)")]
    NotFound { server_text: Option<String> },
    #[error("the picture was changed elsewhere at the same time (HTTP 409)")]
    Conflict { server_text: Option<String> },
    #[error("the tenant is rate limiting requests (HTTP 429)")]
    RateLimited {
        retry_after: Option<Duration>,
        server_text: Option<String>,
    },
    #[error("the tenant had a server error (HTTP {status})")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
        server_text: Option<String>,
    },
    /// The tenant asked to wait longer than what is left of the command's deadline: not
    /// waited for.
    #[error(
        "the tenant asks to wait {} s (HTTP {status}), longer than the {} s this command may take",
        .wait.as_secs(),
        .deadline.as_secs()
    )]
    WaitTooLong {
        status: u16,
        /// What it asked for.
        wait: Duration,
        /// The command's whole deadline.
        deadline: Duration,
        /// When to try again, as the local time of day: "14:32".
        try_after: String,
    },
    #[error("the tenant answered with unexpected HTTP status {status}")]
    UnexpectedStatus {
        status: u16,
        server_text: Option<String>,
    },
    #[error("the tenant URL redirects to {location}")]
    Redirect { status: u16, location: String },
    #[error("cannot find the host {host} (DNS lookup failed)")]
    Dns { host: String },
    #[error("{host} refused the connection")]
    ConnectionRefused { host: String },
    #[error("the connection to {host} was reset or closed before an answer")]
    ConnectionReset { host: String },
    #[error("secure connection to {host} failed: {detail}")]
    Tls { host: String, detail: String },
    #[error("{host} did not answer within {} s", .after.as_secs())]
    Timeout { host: String, after: Duration },
    #[error("network error talking to {host}: {detail}")]
    Network { host: String, detail: String },
    #[error("the tenant's answer could not be read: {detail}")]
    InvalidResponse { detail: String },
    /// The answer went on past what such an answer can need; reading stopped there and the
    /// connection was closed.
    #[error(
        "the tenant sent more than {} for {what}{}",
        human_bytes(.limit),
        .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
    )]
    ResponseTooLarge {
        /// What was being read: "your picture", "who the token acts as", …
        what: &'static str,
        /// The ceiling, in bytes.
        limit: u64,
        /// The status of an error answer whose body was too long; `None` for a success.
        status: Option<u16>,
    },
    /// The picture the tenant sent is no image format we know (an HTML page, JSON, garbage).
    #[error("the tenant answered with something that is not a picture ({detail})")]
    NotAPicture { detail: String },
    /// The tenant refused the API certificate: during the TLS handshake (`status` is `None`,
    /// `server_text` names the TLS alert) or with HTTP 401.
    #[error(
        "the tenant rejected the API certificate{}",
        match .status {
            Some(status) => format!(" (HTTP {status})"),
            None => " during the secure connection (TLS handshake)".to_owned(),
        }
    )]
    CertificateRejected {
        status: Option<u16>,
        server_text: Option<String>,
    },
    /// Found before any request: the token has characters no HTTP header may carry.
    #[error(
        "the API token contains characters that cannot be sent (spaces, line breaks or control characters)"
    )]
    UnusableToken,
    /// Our own failure to make the request (not the tenant's, not the network's).
    #[error("xc-avatar could not make the request: {detail}")]
    Internal { detail: String },
}

impl ApiError {
    /// What the tenant said, if anything useful.
    pub fn server_text(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized { server_text }
            | ApiError::Forbidden { server_text }
            | ApiError::NotFound { server_text }
            | ApiError::Conflict { server_text }
            | ApiError::RateLimited { server_text, .. }
            | ApiError::Server { server_text, .. }
            | ApiError::UnexpectedStatus { server_text, .. }
            | ApiError::CertificateRejected { server_text, .. } => server_text.as_deref(),
            _ => None,
        }
    }

    /// A stable name for scripts (`--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::CertificateRejected { .. } => "certificate_rejected",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Conflict { .. } => "conflict",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { .. } => "server_error",
            ApiError::WaitTooLong { .. } => "wait_too_long",
            ApiError::UnexpectedStatus { .. } => "unexpected_status",
            ApiError::Redirect { .. } => "redirect",
            ApiError::Dns { .. } => "dns",
            ApiError::ConnectionRefused { .. } => "connection_refused",
            ApiError::ConnectionReset { .. } => "connection_reset",
            ApiError::Tls { .. } => "tls",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Network { .. } => "network",
            ApiError::InvalidResponse { .. } => "invalid_response",
            ApiError::ResponseTooLarge { .. } => "response_too_large",
            ApiError::NotAPicture { .. } => "not_a_picture",
            ApiError::UnusableToken => "unusable_token",
            ApiError::Internal { .. } => "internal",
        }
    }

    /// The HTTP status the tenant answered, when it answered one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::Conflict { .. } => Some(409),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Server { status, .. }
            | ApiError::WaitTooLong { status, .. }
            | ApiError::UnexpectedStatus { status, .. }
            | ApiError::Redirect { status, .. } => Some(*status),
            ApiError::ResponseTooLarge { status, .. }
            | ApiError::CertificateRejected { status, .. } => *status,
            _ => None,
        }
    }

    /// Maps a non-success status and what the server said (already cleaned) to the outcome.
    pub(crate) fn from_status(
        status: u16,
        retry_after: Option<Duration>,
        server_text: Option<String>,
    ) -> Self {
        match status {
            401 => ApiError::Unauthorized { server_text },
            403 => ApiError::Forbidden { server_text },
            404 => ApiError::NotFound { server_text },
            409 => ApiError::Conflict { server_text },
            429 => ApiError::RateLimited {
                retry_after,
                server_text,
            },
            500..=599 => ApiError::Server {
                status,
                retry_after,
                server_text,
            },
            _ => ApiError::UnexpectedStatus {
                status,
                server_text,
            },
        }
    }
}

/// Longest server text we show: one short paragraph.
const SERVER_TEXT_MAX_CHARS: usize = 300;

/// The tenant's words from an error body: a JSON string, a JSON object's `message`, or plain
/// text; trimmed, escape sequences and control characters removed, capped to a short paragraph.
pub fn server_text(body: &[u8]) -> Option<String> {
    server_text_redacted(body, &[])
}

/// [`server_text`] with each of `secrets` (the token the client holds) replaced by `***`.
pub fn server_text_redacted(body: &[u8], secrets: &[&str]) -> Option<String> {
    let raw = String::from_utf8_lossy(body);
    let text = match serde_json::from_str::<serde_json::Value>(&raw) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => match map.get("message").and_then(|m| m.as_str()) {
            Some(message) => message.to_owned(),
            None => raw.into_owned(),
        },
        _ => raw.into_owned(),
    };
    let cleaned = clean_server_text(&text, secrets, SERVER_TEXT_MAX_CHARS);
    (!cleaned.is_empty()).then_some(cleaned)
}

/// "4 MiB", "64 KiB", "512 bytes".
pub(crate) fn human_bytes(bytes: impl std::borrow::Borrow<u64>) -> String {
    let bytes = *bytes.borrow();
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes % KIB == 0 {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each status maps to its own outcome, which reports that status back and keeps the
    /// server's words; `kind` is the stable name scripts read in `--json`.
    #[test]
    fn each_status_maps_to_its_outcome_kind_and_status() {
        let said = || Some("said".to_owned());
        let wait = Some(Duration::from_secs(3));
        for (status, kind) in [
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "not_found"),
            (409, "conflict"),
            (429, "rate_limited"),
            (500, "server_error"),
            (503, "server_error"),
            (599, "server_error"),
            (418, "unexpected_status"),
            (302, "unexpected_status"),
            (600, "unexpected_status"),
        ] {
            let error = ApiError::from_status(status, wait, said());
            assert_eq!(error.kind(), kind, "{status}");
            assert_eq!(error.status(), Some(status), "{status}");
            assert_eq!(error.server_text(), Some("said"), "{status}");
        }
        assert!(matches!(
            ApiError::from_status(429, wait, None),
            ApiError::RateLimited { retry_after, .. } if retry_after == wait
        ));
        assert!(matches!(
            ApiError::from_status(503, wait, None),
            ApiError::Server { retry_after, .. } if retry_after == wait
        ));
        let redirect = ApiError::Redirect {
            status: 308,
            location: "https://x.example".into(),
        };
        assert_eq!(
            (redirect.kind(), redirect.status()),
            ("redirect", Some(308))
        );
        assert_eq!(redirect.server_text(), None);
        let too_large = |status| ApiError::ResponseTooLarge {
            what: "your picture",
            limit: 1024,
            status,
        };
        assert_eq!(too_large(Some(500)).status(), Some(500));
        assert_eq!(too_large(None).status(), None);
        assert_eq!(
            too_large(Some(500)).to_string(),
            "the tenant sent more than 1 KiB for your picture (HTTP 500)"
        );
        assert_eq!(
            too_large(None).to_string(),
            "the tenant sent more than 1 KiB for your picture"
        );
        let dns = ApiError::Dns { host: "h".into() };
        assert_eq!(
            (dns.kind(), dns.status(), dns.server_text()),
            ("dns", None, None)
        );
    }

    #[test]
    fn sizes_are_named_in_the_largest_whole_unit() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(1024 * 1024 + 1024), "1025 KiB");
        assert_eq!(human_bytes(1024 * 1024 + 1), "1048577 bytes");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(0), "0 bytes");
    }

    #[test]
    fn server_text_from_each_body_form() {
        assert_eq!(
            server_text(br#""token expired""#).as_deref(),
            Some("token expired")
        );
        assert_eq!(
            server_text(br#"{"code":16,"message":"bad token"}"#).as_deref(),
            Some("bad token")
        );
        assert_eq!(
            server_text(b"  upstream\r\n\x1b[31mfailed\t ").as_deref(),
            Some("upstream failed")
        );
        assert_eq!(server_text(b"   "), None);
        let long = "x".repeat(1000);
        let shown = server_text(long.as_bytes()).unwrap_or_default();
        assert_eq!(shown.chars().count(), SERVER_TEXT_MAX_CHARS);
        assert!(shown.ends_with('…'));
    }
}
