//! XC API certificates: the `.p12` file the Console hands out (Administration → Personal
//! Management → Credentials → API Certificate) and the password chosen when it was downloaded.
//! Requests made with one carry no `Authorization` header: the certificate is presented in the
//! TLS handshake (mutual TLS).
//!
//! Everything that can be found out without the tenant is checked when the file is opened —
//! missing file, not a `.p12`, wrong password, expired or not yet valid — so none of it costs a
//! request.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use zeroize::{Zeroize as _, Zeroizing};

use super::p12_cost::Refusal;
use crate::small_file::Problem;

/// Largest `.p12` we read: an XC certificate with its key is about 4 KiB.
const P12_MAX_BYTES: u64 = 1024 * 1024;

/// The password of a `.p12`. Its `Debug` is redacted, it has no `Display`, and it is wiped from
/// memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificatePassword(Zeroizing<String>);

impl CertificatePassword {
    /// The password exactly as typed (a password may begin or end with a space).
    pub fn new(text: impl Into<String>) -> Self {
        CertificatePassword(Zeroizing::new(text.into()))
    }

    /// The secret itself, for the keyring and for opening the `.p12`.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CertificatePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CertificatePassword(***)")
    }
}

/// Why a `.p12` cannot be used. Found before any request is sent; never carries the password
/// or the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the certificate file {} does not exist", .path.display())]
    Missing { path: PathBuf },
    #[error("cannot read the certificate file {}: {detail}", .path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("{} is not a .p12 certificate file ({detail})", .path.display())]
    NotP12 { path: PathBuf, detail: String },
    /// A PEM certificate or key file that holds no usable certificate or key.
    #[error("{} is not a PEM {what} file ({detail})", .path.display())]
    NotPem {
        path: PathBuf,
        /// "certificate" or "key".
        what: &'static str,
        detail: String,
    },
    #[error("the password does not open this .p12 ({})", .path.display())]
    WrongPassword { path: PathBuf },
    /// It asks for more key-derivation work than any real certificate (a hostile or broken
    /// file): refused before the work is done.
    #[error("{} is not a .p12 xc-avatar will open: {detail}", .path.display())]
    TooCostly { path: PathBuf, detail: String },
    /// Its private key is not the key of its certificate: no tenant could accept it.
    #[error("the private key in {} does not belong to its certificate", .path.display())]
    KeyMismatch { path: PathBuf },
    #[error("the API certificate in {} expired on {until}", .path.display())]
    Expired { path: PathBuf, until: String },
    #[error("the API certificate in {} is not valid until {from}", .path.display())]
    NotYetValid { path: PathBuf, from: String },
}

impl CertificateError {
    /// A stable name for scripts (`--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            CertificateError::Missing { .. } => "certificate_missing",
            CertificateError::Unreadable { .. } => "certificate_unreadable",
            CertificateError::NotP12 { .. } => "not_p12",
            CertificateError::NotPem { .. } => "not_pem",
            CertificateError::WrongPassword { .. } => "wrong_password",
            CertificateError::TooCostly { .. } => "certificate_too_costly",
            CertificateError::KeyMismatch { .. } => "certificate_key_mismatch",
            CertificateError::Expired { .. } => "certificate_expired",
            CertificateError::NotYetValid { .. } => "certificate_not_yet_valid",
        }
    }

    /// The file it is about.
    pub fn path(&self) -> &Path {
        match self {
            CertificateError::Missing { path }
            | CertificateError::Unreadable { path, .. }
            | CertificateError::NotP12 { path, .. }
            | CertificateError::NotPem { path, .. }
            | CertificateError::WrongPassword { path }
            | CertificateError::TooCostly { path, .. }
            | CertificateError::KeyMismatch { path }
            | CertificateError::Expired { path, .. }
            | CertificateError::NotYetValid { path, .. } => path,
        }
    }
}

/// Where an API certificate is read from: the `.p12` the Console hands out, or a certificate and
/// its key as PEM files (vesctl's `cert` and `key`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateFiles {
    P12(PathBuf),
    Pem { cert: PathBuf, key: PathBuf },
}

impl CertificateFiles {
    /// The file that holds the certificate (the `.p12`, or the PEM certificate).
    pub fn certificate(&self) -> &Path {
        match self {
            CertificateFiles::P12(path) => path,
            CertificateFiles::Pem { cert, .. } => cert,
        }
    }
}

/// An opened API certificate: the certificate chain and private key as PEM, ready for the
/// client, with what a person needs to recognise it. `Debug` shows the files, subject and dates
/// only; the key is wiped from memory when the last copy is dropped.
#[derive(Clone)]
pub struct ApiCertificate {
    files: CertificateFiles,
    identity_pem: Zeroizing<Vec<u8>>,
    subject: String,
    valid_from: i64,
    valid_until: i64,
}

/// The same file with the same contents: the same identity.
impl PartialEq for ApiCertificate {
    fn eq(&self, other: &Self) -> bool {
        self.files == other.files && self.identity_pem == other.identity_pem
    }
}

impl Eq for ApiCertificate {}

impl fmt::Debug for ApiCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCertificate")
            .field("files", &self.files)
            .field("subject", &self.subject)
            .field("valid_until", &self.valid_until_day())
            .finish_non_exhaustive()
    }
}

impl ApiCertificate {
    /// Opens `path` with `password` and checks the certificate is valid now.
    pub fn open(path: &Path, password: &CertificatePassword) -> Result<Self, CertificateError> {
        let certificate = Self::open_unchecked(path, password)?;
        certificate.check_valid_at(SystemTime::now())?;
        Ok(certificate)
    }

    /// Opens `path` with `password`, whatever the certificate's dates.
    pub fn open_unchecked(
        path: &Path,
        password: &CertificatePassword,
    ) -> Result<Self, CertificateError> {
        let bytes = read_limited(path, |detail| CertificateError::NotP12 {
            path: path.to_path_buf(),
            detail,
        })?;
        Self::from_p12_bytes(path, &bytes, password)
    }

    fn from_p12_bytes(
        path: &Path,
        bytes: &[u8],
        password: &CertificatePassword,
    ) -> Result<Self, CertificateError> {
        let not_p12 = |detail: &str| CertificateError::NotP12 {
            path: path.to_path_buf(),
            detail: detail.to_owned(),
        };
        // Every PKCS#12 file is a DER SEQUENCE; anything else needs no password to reject.
        if bytes.first() != Some(&0x30) {
            return Err(not_p12("it does not begin like one"));
        }
        let wrong_password = || CertificateError::WrongPassword {
            path: path.to_path_buf(),
        };
        // The key-derivation work it asks for, counted before any is done.
        let checked =
            super::p12_cost::check(bytes, password.expose()).map_err(|refusal| match refusal {
                Refusal::NotP12(detail) => not_p12(&detail),
                Refusal::TooCostly(detail) => CertificateError::TooCostly {
                    path: path.to_path_buf(),
                    detail,
                },
                Refusal::WrongPassword => wrong_password(),
            })?;
        let store = p12_keystore::KeyStore::from_pkcs12(
            bytes,
            password.expose(),
            p12_keystore::Pkcs12ImportPolicy::Strict,
        )
        .map_err(|err| {
            use p12_keystore::error::Error as P12;
            match err {
                // The MAC over the contents is keyed by the password: a mismatch is a wrong
                // password (or, rarely, a damaged file, which the same password would not
                // open either).
                P12::MacError(_) => wrong_password(),
                // Without a MAC, a wrong password shows only when what it decrypts does not
                // unpad or does not parse; the structure around it was read above.
                P12::UnpadError
                | P12::Pkcs5Error(_)
                | P12::DerError(_)
                | P12::InvalidPrivateKey
                    if !checked.has_mac =>
                {
                    wrong_password()
                }
                P12::UnpadError => wrong_password(),
                other => not_p12(&other.to_string()),
            }
        })?;
        let Some((_, chain)) = store.private_key_chain() else {
            return Err(not_p12("it holds no certificate with its private key"));
        };
        let certs: Vec<&[u8]> = chain.certs().iter().map(|cert| cert.as_der()).collect();
        Self::assemble(
            CertificateFiles::P12(path.to_path_buf()),
            &certs,
            ("PRIVATE KEY", chain.key().as_der()),
            not_p12,
        )
    }

    /// The chain (leaf first) and key as one identity, with the leaf's subject and dates;
    /// `invalid` words what is wrong with the file.
    pub(super) fn assemble(
        files: CertificateFiles,
        certs: &[&[u8]],
        (key_label, key): (&str, &[u8]),
        invalid: impl Fn(&str) -> CertificateError,
    ) -> Result<Self, CertificateError> {
        let Some(leaf) = certs.first() else {
            return Err(invalid("it holds no certificate with its private key"));
        };
        let (_, parsed) = x509_parser::parse_x509_certificate(leaf)
            .map_err(|e| invalid(&format!("its certificate does not parse: {e}")))?;
        let key_file = match &files {
            CertificateFiles::P12(path) => path.as_path(),
            CertificateFiles::Pem { key, .. } => key.as_path(),
        };
        check_key_matches(certs, (key_label, key), key_file)?;
        let subject = parsed
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| parsed.subject().to_string());
        let validity = parsed.validity();
        let mut pem = Zeroizing::new(Vec::new());
        for cert in certs {
            push_pem(&mut pem, "CERTIFICATE", cert);
        }
        push_pem(&mut pem, key_label, key);
        Ok(ApiCertificate {
            files,
            identity_pem: pem,
            subject: crate::clean::clean_text(&subject),
            valid_from: validity.not_before.timestamp(),
            valid_until: validity.not_after.timestamp(),
        })
    }

    /// Whether the certificate is valid at `now`; else the day it ended or begins.
    pub fn check_valid_at(&self, now: SystemTime) -> Result<(), CertificateError> {
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        };
        if now > self.valid_until {
            return Err(CertificateError::Expired {
                path: self.path().to_path_buf(),
                until: self.valid_until_day(),
            });
        }
        if now < self.valid_from {
            return Err(CertificateError::NotYetValid {
                path: self.path().to_path_buf(),
                from: day(self.valid_from),
            });
        }
        Ok(())
    }

    /// The file it was read from: the `.p12`, or the PEM certificate.
    pub fn path(&self) -> &Path {
        self.files.certificate()
    }

    /// The files it was read from.
    pub fn files(&self) -> &CertificateFiles {
        &self.files
    }

    /// Who the certificate names: its common name (for XC, the user), else the whole subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The last day it is valid, as `YYYY-MM-DD` (UTC).
    pub fn valid_until_day(&self) -> String {
        day(self.valid_until)
    }

    /// The chain and key for the TLS client: the one place the key leaves this type.
    pub(crate) fn identity(&self) -> Result<reqwest::Identity, reqwest::Error> {
        reqwest::Identity::from_pem(&self.identity_pem)
    }
}

/// Opens `.p12` bytes as [`ApiCertificate::open_unchecked`] opens a file (for the fuzz target).
#[doc(hidden)]
pub fn parse_p12(bytes: &[u8], password: &str) -> Result<(), CertificateError> {
    ApiCertificate::from_p12_bytes(
        Path::new("fuzz.p12"),
        bytes,
        &CertificatePassword::new(password),
    )
    .map(|_| ())
}

/// The private key is the key of the leaf certificate: the TLS library would refuse the pair
/// when the first request is made, as an internal error, long after the file was accepted.
/// `key` is the key's PEM label (PKCS#8, PKCS#1 or SEC1) and DER; `key_file` the file it came
/// from.
fn check_key_matches(
    certs: &[&[u8]],
    (label, key): (&str, &[u8]),
    key_file: &Path,
) -> Result<(), CertificateError> {
    use rustls::pki_types::{
        CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
    };
    let certificates = certs
        .iter()
        .map(|cert| CertificateDer::from(cert.to_vec()))
        .collect();
    let key = match label {
        "RSA PRIVATE KEY" => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(key.to_vec())),
        "EC PRIVATE KEY" => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(key.to_vec())),
        _ => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_vec())),
    };
    // The provider reqwest's TLS uses, unless the process installed another.
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| std::sync::Arc::new(rustls::crypto::ring::default_provider()));
    match rustls::sign::CertifiedKey::from_der(certificates, key, &provider) {
        Ok(_) => Ok(()),
        Err(rustls::Error::InconsistentKeys(_)) => Err(CertificateError::KeyMismatch {
            path: key_file.to_path_buf(),
        }),
        Err(other) => Err(CertificateError::NotP12 {
            path: key_file.to_path_buf(),
            detail: format!("its key cannot be used: {other}"),
        }),
    }
}

/// The file's bytes, at most [`P12_MAX_BYTES`], from a regular file only; `invalid` words why it
/// is not the file expected.
pub(super) fn read_limited(
    path: &Path,
    invalid: impl Fn(String) -> CertificateError,
) -> Result<Vec<u8>, CertificateError> {
    crate::small_file::read(path, P12_MAX_BYTES).map_err(|problem| match problem {
        Problem::NotFound => CertificateError::Missing {
            path: path.to_path_buf(),
        },
        Problem::NotAFile => invalid("it is not a regular file".into()),
        Problem::TooLarge { max_bytes } => {
            invalid(format!("it is larger than {} KiB", max_bytes / 1024))
        }
        Problem::Io(detail) => CertificateError::Unreadable {
            path: path.to_path_buf(),
            detail,
        },
    })
}

/// Appends `der` as a PEM block labelled `label`.
fn push_pem(pem: &mut Vec<u8>, label: &str, der: &[u8]) {
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(der);
    pem.extend_from_slice(format!("-----BEGIN {label}-----\n").as_bytes());
    for line in encoded.as_bytes().chunks(64) {
        pem.extend_from_slice(line);
        pem.push(b'\n');
    }
    pem.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
    encoded.zeroize();
}

/// `YYYY-MM-DD` (UTC) of a Unix time, by Howard Hinnant's days-to-civil algorithm.
fn day(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_calendar_dates_in_utc() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(951_782_400), "2000-02-29");
        assert_eq!(day(1_803_859_199), "2027-02-28");
        assert_eq!(day(-1), "1969-12-31");
    }

    #[test]
    fn the_password_never_prints() {
        let password = CertificatePassword::new(" s3cret ");
        assert_eq!(password.expose(), " s3cret ");
        assert_eq!(format!("{password:?}"), "CertificatePassword(***)");
    }

    #[test]
    fn files_that_are_not_p12_are_named_before_any_password_is_tried() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("gone.p12");
        let password = CertificatePassword::new("x");
        assert_eq!(
            ApiCertificate::open(&missing, &password).map(|_| ()),
            Err(CertificateError::Missing {
                path: missing.clone()
            })
        );
        let junk = dir.path().join("notes.p12");
        std::fs::write(&junk, "hello").expect("write");
        let err = ApiCertificate::open(&junk, &password).expect_err("junk");
        assert_eq!(err.kind(), "not_p12");
        let folder = ApiCertificate::open(dir.path(), &password).expect_err("folder");
        assert_eq!(folder.kind(), "not_p12");
    }
}
