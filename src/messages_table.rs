//! Every outcome a person can meet, written out: for each `ApiError` and each local error, its
//! sentence, next step, `--json` kind, the command line's exit code and the app's panel button.
//! Both front ends are checked against the same case, so they cannot drift. That every
//! `ApiError` has its wording is the compiler's job: `messages::row` is an exhaustive match.
//! These cases pin the words themselves, and reach each variant at least once.

use std::time::Duration;

use super::*;
use crate::TenantUrlError;
use crate::api::ApiError;
use crate::app::state::NoticeAction;
use crate::app::update::api_notice;
use crate::credentials::{CertificateError, StoreError};
use crate::exit::Exit;

struct Case {
    error: ApiError,
    kind: &'static str,
    /// The app's panel title is this sentence; the command line prints it as it is.
    sentence: &'static str,
    next_step: &'static str,
    exit: Exit,
    button: Option<(&'static str, NoticeAction)>,
}

const TRY: Option<(&str, NoticeAction)> = Some(("Try again", NoticeAction::TryAgain));
const TENANT: Option<(&str, NoticeAction)> = Some(("Check tenant URL", NoticeAction::CheckTenant));
const TOKEN: Option<(&str, NoticeAction)> = Some(("Update token", NoticeAction::UpdateCredential));
const CERTIFICATE: Option<(&str, NoticeAction)> =
    Some(("Update certificate", NoticeAction::UpdateCredential));

fn said(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn cases() -> Vec<Case> {
    let host = || "acme.example".to_owned();
    vec![
        Case {
            error: ApiError::Unauthorized {
                server_text: said("expired"),
            },
            kind: "unauthorized",
            sentence: "the tenant rejected the API token (HTTP 401)",
            next_step: "The token may be wrong or expired: create a new API token in the Console and update it.",
            exit: Exit::NotAuthenticated,
            button: TOKEN,
        },
        Case {
            error: ApiError::CertificateRejected {
                status: None,
                server_text: said("TLS alert: unknown CA"),
            },
            kind: "certificate_rejected",
            sentence: "the tenant rejected the API certificate during the secure connection (TLS handshake)",
            next_step: "The certificate may be revoked, expired or made for another tenant: create a new API certificate in the Console and update the certificate.",
            exit: Exit::NotAuthenticated,
            button: CERTIFICATE,
        },
        Case {
            error: ApiError::CertificateRejected {
                status: Some(401),
                server_text: None,
            },
            kind: "certificate_rejected",
            sentence: "the tenant rejected the API certificate (HTTP 401)",
            next_step: "The certificate may be revoked, expired or made for another tenant: create a new API certificate in the Console and update the certificate.",
            exit: Exit::NotAuthenticated,
            button: CERTIFICATE,
        },
        Case {
            error: ApiError::Forbidden { server_text: None },
            kind: "forbidden",
            sentence: "your account may not change its picture on this tenant (HTTP 403)",
            next_step: "Ask your tenant administrator whether your account may change its profile picture.",
            exit: Exit::Forbidden,
            button: None,
        },
        Case {
            error: ApiError::NotFound { server_text: None },
            kind: "not_found",
            sentence: "the tenant has no such API (HTTP 404)",
            next_step: "Check the tenant URL: it should look like https://acme.console.ves.volterra.io.",
            exit: Exit::NotFound,
            button: TENANT,
        },
        Case {
            error: ApiError::Conflict { server_text: None },
            kind: "conflict",
            sentence: "the picture was changed elsewhere at the same time (HTTP 409)",
            next_step: "Try again.",
            exit: Exit::Conflict,
            button: TRY,
        },
        Case {
            error: ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(7)),
                server_text: None,
            },
            kind: "rate_limited",
            sentence: "the tenant is rate limiting requests (HTTP 429)",
            next_step: "Try again in 7 s.",
            exit: Exit::RateLimited,
            button: TRY,
        },
        Case {
            error: ApiError::RateLimited {
                retry_after: None,
                server_text: None,
            },
            kind: "rate_limited",
            sentence: "the tenant is rate limiting requests (HTTP 429)",
            next_step: "Wait a minute, then try again.",
            exit: Exit::RateLimited,
            button: TRY,
        },
        Case {
            error: ApiError::Server {
                status: 503,
                retry_after: None,
                server_text: None,
            },
            kind: "server_error",
            sentence: "the tenant had a server error (HTTP 503)",
            next_step: "Try again in a few minutes; if it persists, check F5's status page.",
            exit: Exit::Server,
            button: TRY,
        },
        Case {
            error: ApiError::WaitTooLong {
                status: 429,
                wait: Duration::from_secs(120),
                deadline: Duration::from_secs(60),
                try_after: "14:32".into(),
            },
            kind: "wait_too_long",
            sentence: "the tenant asks to wait 120 s (HTTP 429), longer than the 60 s this command may take",
            next_step: "Try again after 14:32, or allow longer with --deadline.",
            exit: Exit::RateLimited,
            button: TRY,
        },
        Case {
            error: ApiError::WaitTooLong {
                status: 503,
                wait: Duration::from_secs(120),
                deadline: Duration::from_secs(60),
                try_after: "14:32".into(),
            },
            kind: "wait_too_long",
            sentence: "the tenant asks to wait 120 s (HTTP 503), longer than the 60 s this command may take",
            next_step: "Try again after 14:32, or allow longer with --deadline.",
            exit: Exit::Server,
            button: TRY,
        },
        Case {
            error: ApiError::UnexpectedStatus {
                status: 418,
                server_text: None,
            },
            kind: "unexpected_status",
            sentence: "the tenant answered with unexpected HTTP status 418",
            next_step: "Try again in a few minutes; if it persists, check F5's status page.",
            exit: Exit::Server,
            button: TRY,
        },
        Case {
            error: ApiError::Redirect {
                status: 307,
                location: "https://login.example/".into(),
            },
            kind: "redirect",
            sentence: "the tenant URL redirects to https://login.example/",
            next_step: "Use the tenant URL it points to (https://login.example/) if you trust it.",
            exit: Exit::Server,
            button: TENANT,
        },
        Case {
            error: ApiError::Dns { host: host() },
            kind: "dns",
            sentence: "cannot find the host acme.example (DNS lookup failed)",
            next_step: "Check the tenant URL and your network or proxy settings.",
            exit: Exit::Network,
            button: TENANT,
        },
        Case {
            error: ApiError::ConnectionRefused { host: host() },
            kind: "connection_refused",
            sentence: "acme.example refused the connection",
            next_step: "Check your network, VPN or proxy (HTTPS_PROXY), then try again.",
            exit: Exit::Network,
            button: TRY,
        },
        Case {
            error: ApiError::ConnectionReset { host: host() },
            kind: "connection_reset",
            sentence: "the connection to acme.example was reset or closed before an answer",
            next_step: "Check your network, VPN or proxy (HTTPS_PROXY), then try again.",
            exit: Exit::Network,
            button: TRY,
        },
        Case {
            error: ApiError::Tls {
                host: host(),
                detail: "unknown issuer".into(),
            },
            kind: "tls",
            sentence: "secure connection to acme.example failed: unknown issuer",
            next_step: "The certificate of acme.example is not trusted: if a corporate proxy inspects HTTPS, its root certificate must be installed in the system store.",
            exit: Exit::Network,
            button: TRY,
        },
        Case {
            error: ApiError::Timeout {
                host: host(),
                after: Duration::from_secs(30),
            },
            kind: "timeout",
            sentence: "acme.example did not answer within 30 s",
            next_step: "Check your network, then try again.",
            exit: Exit::Network,
            button: TRY,
        },
        Case {
            error: ApiError::Network {
                host: host(),
                detail: "broken pipe".into(),
            },
            kind: "network",
            sentence: "network error talking to acme.example: broken pipe",
            next_step: "Check your network, then try again.",
            exit: Exit::Network,
            button: TRY,
        },
        Case {
            error: ApiError::InvalidResponse {
                detail: "not JSON".into(),
            },
            kind: "invalid_response",
            sentence: "the tenant's answer could not be read: not JSON",
            next_step: "Check the tenant URL points to an F5 Distributed Cloud Console.",
            exit: Exit::Server,
            button: TRY,
        },
        Case {
            error: ApiError::ResponseTooLarge {
                what: "your picture",
                limit: 4 * 1024 * 1024,
                status: None,
            },
            kind: "response_too_large",
            sentence: "the tenant sent more than 4 MiB for your picture",
            next_step: "Check the tenant URL points to an F5 Distributed Cloud Console, and that no proxy rewrites its answers; if it does, report it to F5 support.",
            exit: Exit::Server,
            button: TRY,
        },
        Case {
            error: ApiError::NotAPicture {
                detail: "an HTML page".into(),
            },
            kind: "not_a_picture",
            sentence: "the tenant answered with something that is not a picture (an HTML page)",
            next_step: "Nothing was saved. Check the tenant URL points to an F5 Distributed Cloud Console; if it does, set a new picture.",
            exit: Exit::Server,
            button: TRY,
        },
        Case {
            error: ApiError::UnusableToken,
            kind: "unusable_token",
            sentence: "the API token contains characters that cannot be sent (spaces, line breaks or control characters)",
            next_step: "Copy the token again from the Console, without anything around it.",
            exit: Exit::NotAuthenticated,
            button: TOKEN,
        },
        Case {
            error: ApiError::Internal {
                detail: "builder".into(),
            },
            kind: "internal",
            sentence: "xc-avatar could not make the request: builder",
            next_step: "This is a bug in xc-avatar: please report it with this message.",
            exit: Exit::Internal,
            button: TRY,
        },
    ]
}

#[test]
fn every_api_outcome_reads_the_same_in_the_app_and_on_the_command_line() {
    let cases = cases();
    for row in &cases {
        let what = row.kind;
        // The words: one sentence, one next step, one kind, everywhere.
        assert_eq!(row.error.to_string(), row.sentence, "{what}: sentence");
        assert_eq!(
            messages_row(&row.error).next_step,
            row.next_step,
            "{what}: next step"
        );
        assert_eq!(messages_row(&row.error).kind, row.kind, "{what}: kind");
        // The command line: its exit code and its one line.
        assert_eq!(Exit::from(&row.error), row.exit, "{what}: exit code");
        let line = explain(&row.error).to_string();
        assert!(
            line.starts_with(row.sentence) && line.ends_with(row.next_step),
            "{what}: CLI line {line:?}"
        );
        // The app: the same words in its panel, and the button that fits.
        let notice = api_notice(&row.error);
        assert_eq!(notice.title, row.sentence, "{what}: panel title");
        assert_eq!(
            notice.next_step.as_deref(),
            Some(row.next_step),
            "{what}: panel"
        );
        assert_eq!(
            notice.server_text,
            row.error.server_text().map(str::to_owned)
        );
        let button = notice
            .action
            .as_ref()
            .map(|(label, action)| (label.as_str(), *action));
        assert_eq!(button, row.button, "{what}: panel button");
    }
}

fn messages_row(error: &ApiError) -> Row {
    super::row(error)
}

/// Local errors: the sentence each shows and the exit code the command line gives it.
#[test]
fn every_local_error_has_its_sentence_and_exit_code() {
    use crate::avatar::AvatarError;
    let avatar_rows: [(AvatarError, &str, Exit); 5] = [
        (AvatarError::Empty, "the file is empty", Exit::Image),
        (
            AvatarError::NotAnImage,
            "this is not an image (choose a JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF file)",
            Exit::Image,
        ),
        (
            AvatarError::Unsupported("HEIC".into()),
            "HEIC images are not supported: export the picture as JPEG or PNG first",
            Exit::Image,
        ),
        (
            AvatarError::Corrupt("short".into()),
            "the image is damaged or truncated: short",
            Exit::Image,
        ),
        (
            AvatarError::Encode("out of memory".into()),
            "could not encode the avatar: out of memory",
            Exit::Internal,
        ),
    ];
    for (error, words, exit) in avatar_rows {
        assert_eq!(error.to_string(), words);
        assert_eq!(Exit::from(&error), exit, "{words}");
        // The app shows the same words, as a sentence, where a file or the avatar fails.
        assert_eq!(
            cannot_open(&error),
            format!("cannot open this file: {words}")
        );
        assert_eq!(
            cannot_send(&error),
            format!("Cannot send: {}", sentence(words))
        );
    }
    let url_rows: [(TenantUrlError, &str); 5] = [
        (
            TenantUrlError::Empty,
            "the tenant URL is empty: enter e.g. acme or https://acme.console.ves.volterra.io",
        ),
        (
            TenantUrlError::Invalid("ht!tp://".into()),
            "\"ht!tp://\" is not a valid URL",
        ),
        (
            TenantUrlError::UnsupportedScheme {
                scheme: "ftp".into(),
            },
            "ftp:// is not supported: use https://",
        ),
        (
            TenantUrlError::InsecureHttp {
                host: "acme.example".into(),
            },
            "http:// is only allowed for this computer (localhost); use https://acme.example",
        ),
        (
            TenantUrlError::HasCredentials,
            "the tenant URL must not contain a user name or password",
        ),
    ];
    for (error, words) in url_rows {
        assert_eq!(error.to_string(), words);
        assert_eq!(Exit::from(&error), Exit::Usage, "{words}");
    }
    let store_rows: [(StoreError, &str, &str); 3] = [
        (
            StoreError::Locked {
                detail: "dismissed".into(),
            },
            "the keyring is locked or refused access (dismissed)",
            "Unlock your keyring (or allow xc-avatar when asked), then try again; or use the token for this session only.",
        ),
        (
            StoreError::Failed {
                detail: "I/O".into(),
            },
            "the keyring failed (I/O)",
            "Try again, or use the token for this session only.",
        ),
        (
            StoreError::Damaged,
            "the token stored in the keyring is damaged",
            "Forget the token and enter it again.",
        ),
    ];
    for (error, words, next_step) in store_rows {
        let explained = explain_store(&error);
        assert_eq!(
            (explained.headline.as_str(), explained.next_step.as_str()),
            (words, next_step)
        );
    }
}

/// Every way a `.p12` can be refused: its sentence, `--json` kind and exit code, and the next
/// step both front ends show.
#[test]
fn every_certificate_error_has_its_sentence_kind_and_exit_code() {
    use std::path::PathBuf;
    let path = || PathBuf::from("/c/ada.p12");
    let rows: [(CertificateError, &str, &str, Exit, &str); 9] = [
        (
            CertificateError::Missing { path: path() },
            "the certificate file /c/ada.p12 does not exist",
            "certificate_missing",
            Exit::CertificateMissing,
            "Choose the .p12 where it is now",
        ),
        (
            CertificateError::Unreadable {
                path: path(),
                detail: "permission denied".into(),
            },
            "cannot read the certificate file /c/ada.p12: permission denied",
            "certificate_unreadable",
            Exit::CertificateMissing,
            "Check that the file can be read",
        ),
        (
            CertificateError::NotP12 {
                path: path(),
                detail: "it does not begin like one".into(),
            },
            "/c/ada.p12 is not a .p12 certificate file (it does not begin like one)",
            "not_p12",
            Exit::NotP12,
            "Choose the .p12 file the Console downloaded",
        ),
        (
            CertificateError::NotPem {
                path: "/c/key.pem".into(),
                what: "key",
                detail: "it holds no PRIVATE KEY block".into(),
            },
            "/c/key.pem is not a PEM key file (it holds no PRIVATE KEY block)",
            "not_pem",
            Exit::NotP12,
            "Choose the certificate and its unencrypted private key as PEM files",
        ),
        (
            CertificateError::TooCostly {
                path: path(),
                detail: "its password protection (scrypt) asks for 1024 MiB of memory".into(),
            },
            "/c/ada.p12 is not a .p12 xc-avatar will open: its password protection (scrypt) \
             asks for 1024 MiB of memory",
            "certificate_too_costly",
            Exit::NotP12,
            "Download the API certificate again from the Console",
        ),
        (
            CertificateError::KeyMismatch { path: path() },
            "the private key in /c/ada.p12 does not belong to its certificate",
            "certificate_key_mismatch",
            Exit::NotP12,
            "Download the API certificate again from the Console: in this file, the key and \
             the certificate do not go together.",
        ),
        (
            CertificateError::WrongPassword { path: path() },
            "the password does not open this .p12 (/c/ada.p12)",
            "wrong_password",
            Exit::WrongPassword,
            "Enter the password chosen",
        ),
        (
            CertificateError::Expired {
                path: path(),
                until: "2025-01-01".into(),
            },
            "the API certificate in /c/ada.p12 expired on 2025-01-01",
            "certificate_expired",
            Exit::CertificateExpired,
            "Create a new API certificate",
        ),
        (
            CertificateError::NotYetValid {
                path: path(),
                from: "2090-01-01".into(),
            },
            "the API certificate in /c/ada.p12 is not valid until 2090-01-01",
            "certificate_not_yet_valid",
            Exit::CertificateExpired,
            "Check this computer's date and time",
        ),
    ];
    for (error, words, kind, exit, next_step) in rows {
        assert_eq!(error.to_string(), words);
        assert_eq!(error.kind(), kind, "{words}");
        assert_eq!(Exit::from(&error), exit, "{words}");
        let explained = explain_certificate(&error);
        assert!(
            explained.next_step.starts_with(next_step),
            "{words}: {}",
            explained.next_step
        );
    }
}
