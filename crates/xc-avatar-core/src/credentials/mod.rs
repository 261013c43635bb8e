//! Secrets. Nothing else in xc-avatar reads or writes the API token or a certificate's
//! password.
//!
//! A token comes from `F5XC_API_TOKEN`, the user (setup screen, stdin) or a [`TokenStore`]: the
//! OS keyring ([`KeyringStore`]), or memory for this session only ([`MemoryStore`]). It is never
//! written to a file of ours. An API certificate is a `.p12` file ([`ApiCertificate`]): its path
//! is a setting, its password is kept like a token.

mod certificate;
mod keyring;
mod memory;
mod p12_cost;

use std::fmt;

#[doc(hidden)]
pub use certificate::parse_p12;
pub use certificate::{ApiCertificate, CertificateError, CertificatePassword};
pub use keyring::KeyringStore;
pub use memory::MemoryStore;
pub use p12_cost::KDF_BUDGET;

/// What a client proves who it is with: an API token (an `Authorization` header) or an API
/// certificate (presented in the TLS handshake).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Token(ApiToken),
    Certificate(ApiCertificate),
}

impl From<ApiToken> for Credential {
    fn from(token: ApiToken) -> Self {
        Credential::Token(token)
    }
}

impl From<ApiCertificate> for Credential {
    fn from(certificate: ApiCertificate) -> Self {
        Credential::Certificate(certificate)
    }
}

use crate::api::TenantUrl;

/// The keyring service name; each entry's account is the tenant origin.
pub const SERVICE: &str = "xc-avatar";

/// Where tokens are kept, one per tenant origin. Calls may block (D-Bus, Keychain prompts):
/// the app runs them off the UI thread.
pub trait TokenStore: Send + Sync {
    fn get(&self, tenant: &TenantUrl) -> Result<Option<ApiToken>, StoreError>;
    fn set(&self, tenant: &TenantUrl, token: &ApiToken) -> Result<(), StoreError>;
    /// Removes the token; `false` when there was none.
    fn delete(&self, tenant: &TenantUrl) -> Result<bool, StoreError>;
    /// Where the tokens go, for "Saved in …": e.g. "the GNOME keyring (Secret Service)".
    fn location(&self) -> &'static str;
    /// The password of the tenant's API certificate, kept beside its token.
    fn get_certificate_password(
        &self,
        tenant: &TenantUrl,
    ) -> Result<Option<CertificatePassword>, StoreError>;
    fn set_certificate_password(
        &self,
        tenant: &TenantUrl,
        password: &CertificatePassword,
    ) -> Result<(), StoreError>;
    /// Removes the password; `false` when there was none.
    fn delete_certificate_password(&self, tenant: &TenantUrl) -> Result<bool, StoreError>;
}

/// The keyring account of a tenant's certificate password: the tenant origin, marked.
pub(crate) fn certificate_account(tenant: &TenantUrl) -> String {
    format!("{} (API certificate password)", tenant.origin())
}

/// Why a token could not be read or kept. Never carries secret bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("no keyring is available ({detail})")]
    Unavailable { detail: String },
    #[error("the keyring is locked or refused access ({detail})")]
    Locked { detail: String },
    #[error("the keyring failed ({detail})")]
    Failed { detail: String },
    #[error("the token stored in the keyring is damaged")]
    Damaged,
}

impl StoreError {
    /// What the user can do about it.
    pub fn next_step(&self) -> &'static str {
        match self {
            StoreError::Unavailable { .. } => {
                if cfg!(target_os = "linux") {
                    "Start a Secret Service keyring (GNOME Keyring or KWallet, usually part of \
                     your desktop session), or use the token for this session only."
                } else {
                    "Check that the system keychain is available, or use the token for this \
                     session only."
                }
            }
            StoreError::Locked { .. } => {
                "Unlock your keyring (or allow xc-avatar when asked), then try again; or use \
                 the token for this session only."
            }
            StoreError::Failed { .. } => "Try again, or use the token for this session only.",
            StoreError::Damaged => "Forget the token and enter it again.",
        }
    }
}

/// An XC API token. Its `Debug` is redacted and it has no `Display`, so it cannot reach a log
/// line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

/// Why a token was refused before any call was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the API token is empty")]
    Empty,
    #[error("the API token contains spaces or control characters: paste only the token")]
    BadCharacters,
}

impl ApiToken {
    /// Accepts a pasted token, trimming surrounding white space.
    pub fn new(text: &str) -> Result<Self, TokenError> {
        let token = text.trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(TokenError::BadCharacters);
        }
        Ok(ApiToken(token.to_owned()))
    }

    /// Reads `F5XC_API_TOKEN`; `None` when unset or empty.
    pub fn from_env() -> Option<Result<Self, TokenError>> {
        let value = std::env::var(crate::ENV_TOKEN).ok()?;
        if value.trim().is_empty() {
            return None;
        }
        Some(ApiToken::new(&value))
    }

    /// The secret itself, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_trimmed_checked_and_never_printed() {
        let token = ApiToken::new("  abc.DEF-123=  \n").expect("valid token");
        assert_eq!(token.expose(), "abc.DEF-123=");
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
        assert_eq!(ApiToken::new(" \t"), Err(TokenError::Empty));
        assert_eq!(ApiToken::new("abc def"), Err(TokenError::BadCharacters));
    }
}
