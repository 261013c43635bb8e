//! Secrets and the credentials made of them. Nothing else in xc-avatar reads or writes an API
//! token, a certificate's password or its private key.
//!
//! - [`CredentialInput`]: what a person, the environment or vesctl's profile names — a token,
//!   a `.p12` and its password, or a PEM certificate and key — not yet opened.
//! - [`Credential`]: the same, opened and checked (a certificate's file, password and dates),
//!   ready for the client.
//! - [`SecretStore`]: where a token or a certificate's password is kept, per tenant and
//!   [`SecretKind`]: the OS keyring ([`KeyringStore`]) or memory ([`MemoryStore`]). Never a file
//!   of ours; a certificate's files are named in the settings.
//!
//! Which credential is used, when several are there, is decided in [`crate::sign_in`].

mod certificate;
mod keyring;
mod memory;
mod p12_cost;
mod pem;
mod store;
mod token;

use std::path::PathBuf;

#[doc(hidden)]
pub use certificate::parse_p12;
pub use certificate::{ApiCertificate, CertificateError, CertificateFiles, CertificatePassword};
pub use keyring::KeyringStore;
pub use memory::MemoryStore;
pub use p12_cost::KDF_BUDGET;
pub use store::{SERVICE, Secret, SecretKind, SecretStore, StoreError};
pub use token::{ApiToken, TokenError};

/// What a client proves who it is with: an API token (an `Authorization` header) or an API
/// certificate (presented in the TLS handshake).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Token(ApiToken),
    Certificate(ApiCertificate),
}

impl Credential {
    pub fn kind(&self) -> CredentialKind {
        match self {
            Credential::Token(_) => CredentialKind::Token,
            Credential::Certificate(certificate) => match certificate.files() {
                CertificateFiles::P12(_) => CredentialKind::P12,
                CertificateFiles::Pem { .. } => CredentialKind::Pem,
            },
        }
    }
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

/// The kinds of personal credential: XC's API token and API certificate (`.p12`), and the PEM
/// certificate and key vesctl can use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    #[default]
    Token,
    P12,
    Pem,
}

impl CredentialKind {
    /// The secret this kind keeps in a [`SecretStore`], if any.
    pub fn secret(self) -> Option<SecretKind> {
        match self {
            CredentialKind::Token => Some(SecretKind::Token),
            CredentialKind::P12 => Some(SecretKind::CertificatePassword),
            CredentialKind::Pem => None,
        }
    }

    pub fn is_certificate(self) -> bool {
        self != CredentialKind::Token
    }
}

/// A credential as named, before it is opened: a token as typed or read, or a certificate's
/// files (with the `.p12`'s password). `Debug` never shows a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialInput {
    Token(ApiToken),
    P12 {
        path: PathBuf,
        password: CertificatePassword,
    },
    Pem {
        cert: PathBuf,
        key: PathBuf,
    },
}

impl CredentialInput {
    pub fn kind(&self) -> CredentialKind {
        match self {
            CredentialInput::Token(_) => CredentialKind::Token,
            CredentialInput::P12 { .. } => CredentialKind::P12,
            CredentialInput::Pem { .. } => CredentialKind::Pem,
        }
    }

    /// Opens and checks it (a certificate's files, password and dates): may block on the
    /// `.p12`'s key derivation, so front ends run it off their UI thread.
    pub fn open(&self) -> Result<Credential, CertificateError> {
        Ok(match self {
            CredentialInput::Token(token) => Credential::Token(token.clone()),
            CredentialInput::P12 { path, password } => {
                Credential::Certificate(ApiCertificate::open(path, password)?)
            }
            CredentialInput::Pem { cert, key } => {
                Credential::Certificate(ApiCertificate::open_pem(cert, key)?)
            }
        })
    }

    /// The secret to keep in a store for it, if it has one.
    pub fn secret(&self) -> Option<Secret> {
        match self {
            CredentialInput::Token(token) => Some(Secret::Token(token.clone())),
            CredentialInput::P12 { password, .. } => {
                Some(Secret::CertificatePassword(password.clone()))
            }
            CredentialInput::Pem { .. } => None,
        }
    }

    /// The certificate's files, kept in the settings; `None` for a token.
    pub fn files(&self) -> Option<CertificateFiles> {
        match self {
            CredentialInput::Token(_) => None,
            CredentialInput::P12 { path, .. } => Some(CertificateFiles::P12(path.clone())),
            CredentialInput::Pem { cert, key } => Some(CertificateFiles::Pem {
                cert: cert.clone(),
                key: key.clone(),
            }),
        }
    }
}
