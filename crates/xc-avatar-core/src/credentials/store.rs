//! Where secrets are kept: one store, one entry per tenant and kind of secret.

use super::{ApiToken, CertificatePassword};
use crate::TenantUrl;

/// The keyring service name; each entry's account is the tenant origin (for a token), or the
/// origin followed by ` (API certificate password)`.
pub const SERVICE: &str = "xc-avatar";

/// The kinds of secret kept for a tenant. A PEM certificate's key is a file of its own and
/// keeps nothing here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretKind {
    Token,
    CertificatePassword,
}

impl SecretKind {
    /// The keyring account of this kind of secret for `tenant`.
    pub fn account(self, tenant: &TenantUrl) -> String {
        match self {
            SecretKind::Token => tenant.origin(),
            SecretKind::CertificatePassword => {
                format!("{} (API certificate password)", tenant.origin())
            }
        }
    }
}

/// A secret as kept. Neither kind prints (redacted `Debug`, no `Display`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secret {
    Token(ApiToken),
    CertificatePassword(CertificatePassword),
}

impl Secret {
    pub fn kind(&self) -> SecretKind {
        match self {
            Secret::Token(_) => SecretKind::Token,
            Secret::CertificatePassword(_) => SecretKind::CertificatePassword,
        }
    }

    /// The text a store keeps.
    pub(crate) fn expose(&self) -> &str {
        match self {
            Secret::Token(token) => token.expose(),
            Secret::CertificatePassword(password) => password.expose(),
        }
    }

    /// What a store gave back, as the kind it was kept as; a token that is no longer one is
    /// damaged.
    pub(crate) fn from_stored(kind: SecretKind, text: String) -> Result<Self, StoreError> {
        match kind {
            SecretKind::Token => ApiToken::new(&text)
                .map(Secret::Token)
                .map_err(|_| StoreError::Damaged),
            SecretKind::CertificatePassword => {
                Ok(Secret::CertificatePassword(CertificatePassword::new(text)))
            }
        }
    }

    pub fn into_token(self) -> Option<ApiToken> {
        match self {
            Secret::Token(token) => Some(token),
            Secret::CertificatePassword(_) => None,
        }
    }

    pub fn into_password(self) -> Option<CertificatePassword> {
        match self {
            Secret::CertificatePassword(password) => Some(password),
            Secret::Token(_) => None,
        }
    }
}

impl From<ApiToken> for Secret {
    fn from(token: ApiToken) -> Self {
        Secret::Token(token)
    }
}

impl From<CertificatePassword> for Secret {
    fn from(password: CertificatePassword) -> Self {
        Secret::CertificatePassword(password)
    }
}

/// Where secrets are kept, one of each kind per tenant origin: the OS keyring
/// ([`super::KeyringStore`]) or memory for this session ([`super::MemoryStore`]). Calls may block
/// (D-Bus, Keychain prompts): the app runs them off the UI thread.
pub trait SecretStore: Send + Sync {
    fn get(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<Option<Secret>, StoreError>;
    fn set(&self, tenant: &TenantUrl, secret: &Secret) -> Result<(), StoreError>;
    /// Removes the secret; `false` when there was none.
    fn delete(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<bool, StoreError>;
    /// Where the secrets go, for "Saved in …": e.g. "the system keyring (Secret Service)".
    fn location(&self) -> &'static str;
}

/// Why a secret could not be read or kept. Never carries secret bytes.
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
