//! Naming what went wrong below HTTP: DNS, refused, reset, TLS (and a refused client
//! certificate), timeouts — from reqwest's error and the causes it wraps.

use std::time::Duration;

use super::ApiError;

/// Names what went wrong below HTTP from reqwest's error and its causes.
pub(super) fn classify(error: &reqwest::Error, host: &str, timeout: Duration) -> ApiError {
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
pub(super) fn certificate_refusal(error: &reqwest::Error) -> Option<String> {
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
pub(super) fn error_chain(error: &dyn std::error::Error) -> String {
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
