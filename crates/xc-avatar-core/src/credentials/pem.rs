//! An API certificate as two PEM files, a certificate (with its chain) and its private key:
//! what vesctl's `cert` and `key` name. The same checks as a `.p12` before any request: each
//! file there and readable, a certificate and an unencrypted key in them, valid dates.

use std::path::Path;

use x509_parser::pem::Pem;
use zeroize::Zeroizing;

use super::certificate::read_limited;
use super::{ApiCertificate, CertificateError, CertificateFiles};

/// The private-key labels a TLS client takes: PKCS#8, PKCS#1 (RSA) and SEC1 (EC).
const KEY_LABELS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

impl ApiCertificate {
    /// Opens the certificate at `cert` and its key at `key`, and checks the certificate is
    /// valid now.
    pub fn open_pem(cert: &Path, key: &Path) -> Result<Self, CertificateError> {
        let not_pem = |path: &Path, what: &'static str| {
            let path = path.to_path_buf();
            move |detail: String| CertificateError::NotPem {
                path: path.clone(),
                what,
                detail,
            }
        };
        let cert_bytes = read_limited(cert, not_pem(cert, "certificate"))?;
        let key_bytes = Zeroizing::new(read_limited(key, not_pem(key, "key"))?);
        let certs = blocks(&cert_bytes)
            .map_err(not_pem(cert, "certificate"))?
            .into_iter()
            .filter(|block| block.label == "CERTIFICATE")
            .map(|block| block.contents)
            .collect::<Vec<_>>();
        if certs.is_empty() {
            return Err(not_pem(cert, "certificate")(
                "it holds no CERTIFICATE block".into(),
            ));
        }
        let mut keys = blocks(&key_bytes).map_err(not_pem(key, "key"))?;
        let Some(found) = keys
            .iter_mut()
            .find(|block| KEY_LABELS.contains(&block.label.as_str()))
        else {
            let detail = if keys.iter().any(|b| b.label.contains("ENCRYPTED")) {
                "its key is encrypted; xc-avatar needs it unencrypted, as vesctl does"
            } else {
                "it holds no PRIVATE KEY block"
            };
            return Err(not_pem(key, "key")(detail.into()));
        };
        let key_der = Zeroizing::new(std::mem::take(&mut found.contents));
        let label = found.label.clone();
        for block in &mut keys {
            zeroize::Zeroize::zeroize(&mut block.contents);
        }
        let certs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        let files = CertificateFiles::Pem {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
        };
        let certificate = Self::assemble(files, &certs, (&label, &key_der), |detail| {
            not_pem(cert, "certificate")(detail.to_owned())
        })?;
        // The TLS client must take the pair; a key it cannot read is the key file's fault.
        certificate
            .identity()
            .map_err(|e| not_pem(key, "key")(format!("the key cannot be used: {e}")))?;
        certificate.check_valid_at(std::time::SystemTime::now())?;
        Ok(certificate)
    }
}

/// Every PEM block of a file; text outside blocks is ignored, as OpenSSL does.
fn blocks(bytes: &[u8]) -> Result<Vec<Pem>, String> {
    Pem::iter_from_buffer(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a PEM block does not read: {e}"))
}
