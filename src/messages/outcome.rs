//! What every API outcome and keyring failure means to a person: the next step, the `--json`
//! kind, the command line's exit code and the app's button, in one exhaustive table
//! ([`row`]): a new `ApiError` variant does not compile until it has its row here.

use crate::api::ApiError;
use crate::credentials::StoreError;
use crate::exit::Exit;

use super::Explained;

/// What the app's error panel offers to do about an outcome (the command line says the same in
/// its next step and its exit code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// The token is at fault: open setup on the token.
    UpdateToken,
    /// The API certificate is at fault (refused in the handshake, or 401 with one): open setup
    /// on the certificate.
    UpdateCertificate,
    /// The tenant URL is at fault (or points elsewhere): open the tenant field.
    CheckTenant,
    /// Nothing the user can fix here but trying again later.
    TryAgain,
}

impl Remedy {
    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Remedy::UpdateToken => "Update token",
            Remedy::UpdateCertificate => "Update certificate",
            Remedy::CheckTenant => "Check tenant URL",
            Remedy::TryAgain => "Try again",
        }
    }
}

/// One API outcome as both front ends show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// A stable name for scripts (`--json`): the core's [`ApiError::kind`].
    pub kind: &'static str,
    /// One sentence on what to do about it.
    pub next_step: String,
    pub exit: Exit,
    /// The app panel's button; `None` where no button helps (403: ask an admin).
    pub remedy: Option<Remedy>,
}

const NETWORK_STEP: &str = "Check your network, VPN or proxy (HTTPS_PROXY), then try again.";
const LATER_STEP: &str = "Try again in a few minutes; if it persists, check F5's status page.";
const CONSOLE_STEP: &str = "Check the tenant URL points to an F5 Distributed Cloud Console";

/// Every API outcome's row. Exhaustive: the compiler keeps the table complete.
pub fn row(err: &ApiError) -> Row {
    use Remedy::{CheckTenant, TryAgain, UpdateCertificate, UpdateToken};
    let (next_step, exit, remedy): (String, Exit, Option<Remedy>) = match err {
        ApiError::Unauthorized { .. } => (
            "The token may be wrong or expired: create a new API token in the Console and \
             update it."
                .into(),
            Exit::NotAuthenticated,
            Some(UpdateToken),
        ),
        ApiError::CertificateRejected { .. } => (
            "The certificate may be revoked, expired or made for another tenant: create a new \
             API certificate in the Console and update the certificate."
                .into(),
            Exit::NotAuthenticated,
            Some(UpdateCertificate),
        ),
        ApiError::UnusableToken => (
            "Copy the token again from the Console, without anything around it.".into(),
            Exit::NotAuthenticated,
            Some(UpdateToken),
        ),
        ApiError::Forbidden { .. } => (
            "Ask your tenant administrator whether your account may change its profile \
             picture."
                .into(),
            Exit::Forbidden,
            None,
        ),
        ApiError::NotFound { .. } => (
            "Check the tenant URL: it should look like https://acme.console.ves.volterra.io."
                .into(),
            Exit::NotFound,
            Some(CheckTenant),
        ),
        ApiError::Conflict { .. } => ("Try again.".into(), Exit::Conflict, Some(TryAgain)),
        ApiError::RateLimited { retry_after, .. } => (
            match retry_after {
                Some(wait) => format!("Try again in {} s.", wait.as_secs().max(1)),
                None => "Wait a minute, then try again.".into(),
            },
            Exit::RateLimited,
            Some(TryAgain),
        ),
        ApiError::WaitTooLong {
            status, try_after, ..
        } => (
            format!("Try again after {try_after}, or allow longer with --deadline."),
            if *status == 429 {
                Exit::RateLimited
            } else {
                Exit::Server
            },
            Some(TryAgain),
        ),
        ApiError::Server { .. } | ApiError::UnexpectedStatus { .. } => {
            (LATER_STEP.into(), Exit::Server, Some(TryAgain))
        }
        ApiError::Redirect { location, .. } => (
            format!("Use the tenant URL it points to ({location}) if you trust it."),
            Exit::Server,
            Some(CheckTenant),
        ),
        ApiError::Dns { .. } => (
            "Check the tenant URL and your network or proxy settings.".into(),
            Exit::Network,
            Some(CheckTenant),
        ),
        ApiError::ConnectionRefused { .. } | ApiError::ConnectionReset { .. } => {
            (NETWORK_STEP.into(), Exit::Network, Some(TryAgain))
        }
        ApiError::Tls { host, .. } => (
            format!(
                "The certificate of {host} is not trusted: if a corporate proxy inspects HTTPS, \
                 its root certificate must be installed in the system store."
            ),
            Exit::Network,
            Some(TryAgain),
        ),
        ApiError::Timeout { .. } | ApiError::Network { .. } => (
            "Check your network, then try again.".into(),
            Exit::Network,
            Some(TryAgain),
        ),
        ApiError::InvalidResponse { .. } => {
            (format!("{CONSOLE_STEP}."), Exit::Server, Some(TryAgain))
        }
        ApiError::ResponseTooLarge { .. } => (
            format!(
                "{CONSOLE_STEP}, and that no proxy rewrites its answers; if it does, report it \
                 to F5 support."
            ),
            Exit::Server,
            Some(TryAgain),
        ),
        ApiError::NotAPicture { .. } => (
            format!("Nothing was saved. {CONSOLE_STEP}; if it does, set a new picture."),
            Exit::Server,
            Some(TryAgain),
        ),
        ApiError::Internal { .. } => (
            "This is a bug in xc-avatar: please report it with this message.".into(),
            Exit::Internal,
            Some(TryAgain),
        ),
    };
    Row {
        kind: err.kind(),
        next_step,
        exit,
        remedy,
    }
}

/// The one wording of every API outcome.
pub fn explain(err: &ApiError) -> Explained {
    Explained {
        headline: err.to_string(),
        server_text: err.server_text().map(str::to_owned),
        next_step: row(err).next_step,
    }
}

impl From<&ApiError> for Exit {
    fn from(err: &ApiError) -> Self {
        row(err).exit
    }
}

/// What to do about a keyring failure, before the way round it.
fn store_step(err: &StoreError) -> &'static str {
    match err {
        StoreError::Unavailable { .. } if cfg!(target_os = "linux") => {
            "Start a Secret Service keyring (GNOME Keyring or KWallet, usually part of your \
             desktop session)"
        }
        StoreError::Unavailable { .. } => "Check that the system keychain is available",
        StoreError::Locked { .. } => {
            "Unlock your keyring (or allow xc-avatar when asked), then try again"
        }
        StoreError::Failed { .. } => "Try again",
        StoreError::Damaged => "Forget the token and enter it again",
    }
}

/// A keyring failure in the app, whose way round it is "this session only".
pub fn explain_store(err: &StoreError) -> Explained {
    let step = store_step(err);
    let next_step = match err {
        StoreError::Damaged => format!("{step}."),
        StoreError::Locked { .. } => format!("{step}; or use the token for this session only."),
        _ => format!("{step}, or use the token for this session only."),
    };
    Explained {
        headline: err.to_string(),
        server_text: None,
        next_step,
    }
}

/// A keyring failure on the command line, whose way round it is the environment.
pub fn explain_store_cli(err: &StoreError) -> Explained {
    let step = match err {
        StoreError::Damaged => {
            "Run `xc-avatar token forget`, then `xc-avatar token set` to enter it again"
        }
        other => store_step(other),
    };
    Explained {
        headline: err.to_string(),
        server_text: None,
        next_step: format!(
            "{step}; or, without a keyring, set {} to the token (and {} to the tenant) in the \
             environment.",
            crate::ENV_TOKEN,
            crate::ENV_TENANT
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The 429 advice follows what the tenant asked, in whole seconds and never "0 s".
    #[test]
    fn the_rate_limit_advice_follows_retry_after() {
        let limited = |retry_after| ApiError::RateLimited {
            retry_after,
            server_text: None,
        };
        let step = |err: ApiError| row(&err).next_step;
        assert_eq!(
            step(limited(Some(Duration::from_secs(7)))),
            "Try again in 7 s."
        );
        assert_eq!(
            step(limited(Some(Duration::from_millis(200)))),
            "Try again in 1 s."
        );
        assert_eq!(step(limited(None)), "Wait a minute, then try again.");
    }

    /// The TLS advice names the host that was not trusted.
    #[test]
    fn the_tls_advice_names_the_host() {
        let err = ApiError::Tls {
            host: "127.0.0.1".into(),
            detail: "bad".into(),
        };
        assert!(
            row(&err)
                .next_step
                .contains("The certificate of 127.0.0.1 is not trusted")
        );
    }
}
