//! HTTPS with client certificates (mutual TLS), as XC serves API-certificate users.
//!
//! A [`TestCa`] made at run time (nothing secret is committed) signs the fake's server
//! certificate and the users' client certificates. Clients trust the CA through the OS store
//! path real users have (`SSL_CERT_FILE` with the CA's PEM), not through a switch in the product.
//! A client may present no certificate (token users), or one the CA signed: that certificate
//! then authenticates its requests, with no `Authorization` header. A certificate from any other
//! CA fails the handshake, as XC's gateway refuses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::{FakeTenant, Shared, User};

/// A certificate authority for one test: signs the server's and the users' certificates.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    cert_pem: String,
    cert_der: CertificateDer<'static>,
}

/// A certificate and its private key, as PEM (and the certificate as DER).
#[derive(Clone)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Issued(..)")
    }
}

impl Issued {
    /// The certificate and key as a `.p12` protected by `password`, written by the `openssl`
    /// CLI as users' files are: OpenSSL 3's default (PBES2/AES-256, SHA-256 MAC), or with
    /// `legacy` what older tools and Go write (RC2-40 and 3DES, SHA-1 MAC).
    pub fn p12(&self, password: &str, legacy: bool) -> Vec<u8> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // openssl reads the key and the certificates from -in in two passes: a file, not stdin.
        let pem = std::env::temp_dir().join(format!(
            "fake-tenant-{}-{}.pem",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&pem, format!("{}\n{}\n", self.cert_pem, self.key_pem))
            .expect("write PEM for openssl");
        let mut command = std::process::Command::new("openssl");
        command.args(["pkcs12", "-export", "-name", "xc-api-certificate", "-in"]);
        command.arg(&pem);
        if legacy {
            command.arg("-legacy");
        }
        let output = command
            .args(["-passout", "env:FAKE_TENANT_P12_PASSWORD"])
            .env("FAKE_TENANT_P12_PASSWORD", password)
            .output();
        let _ = std::fs::remove_file(&pem);
        let output = output.expect("run openssl (apt install openssl)");
        assert!(
            output.status.success(),
            "openssl pkcs12 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

/// A calendar day, for certificate validity: (year, month, day).
pub type Day = (i32, u8, u8);

impl TestCa {
    /// A new CA named `name`, valid for decades.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("generate CA key");
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2099, 1, 1);
        let cert = params.self_signed(&key).expect("self-sign CA");
        TestCa {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            params,
            key,
        }
    }

    /// The CA certificate as PEM: what `SSL_CERT_FILE` points to.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The fake's server certificate: `127.0.0.1` and `localhost`.
    pub fn server_certificate(&self) -> Issued {
        let mut params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("server names");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2099, 1, 1);
        self.issue(params)
    }

    /// A user's API certificate with subject `CN=common_name`, valid from `from` to `until`.
    pub fn client_certificate(&self, common_name: &str, from: Day, until: Day) -> Issued {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::OrganizationName, "fake-tenant");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = date_time_ymd(from.0, from.1, from.2);
        params.not_after = date_time_ymd(until.0, until.1, until.2);
        self.issue(params)
    }

    fn issue(&self, params: CertificateParams) -> Issued {
        let key = KeyPair::generate().expect("generate key");
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).expect("sign certificate");
        Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
        }
    }
}

/// What an HTTPS fake needs per connection: its TLS setup, and who each client certificate is.
pub(crate) struct Https {
    acceptor: TlsAcceptor,
    /// Client certificates (DER) and the users they act as.
    users: Mutex<HashMap<Vec<u8>, User>>,
}

tokio::task_local! {
    /// The connection's client certificate, for `authenticate`.
    static CLIENT_CERTIFICATE: ClientCertificate;
}

/// What the client showed in the handshake.
#[derive(Clone, Debug)]
pub(crate) enum ClientCertificate {
    /// No certificate (a token user on HTTPS, or plain HTTP).
    None,
    /// A certificate this fake knows, and the user it acts as.
    Known(User),
    /// A certificate the test CA signed that no user has: like an unknown token.
    Unknown,
}

/// The client certificate of the connection being served.
pub(crate) fn client_certificate() -> ClientCertificate {
    CLIENT_CERTIFICATE
        .try_with(Clone::clone)
        .unwrap_or(ClientCertificate::None)
}

impl FakeTenant {
    /// Starts an HTTPS fake tenant on a free loopback port whose server certificate `ca`
    /// signs, and which verifies client certificates against `ca`. Its [`FakeTenant::url`] is
    /// `https://127.0.0.1:PORT`. Token users connect as before, with no client certificate.
    pub fn start_https(ca: &TestCa) -> Self {
        let server = ca.server_certificate();
        let mut roots = RootCertStore::empty();
        roots.add(ca.cert_der.clone()).expect("trust the test CA");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .allow_unauthenticated()
                .build()
                .expect("client certificate verifier");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            KeyPair::from_pem(&server.key_pem)
                .expect("server key")
                .serialize_der(),
        ));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![CertificateDer::from(server.cert_der)], key)
            .expect("server certificate");
        let tenant = FakeTenant::start();
        tenant.shared.lock().https = Some(Arc::new(Https {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            users: Mutex::default(),
        }));
        tenant
    }

    /// Lets the client certificate `cert_der` act as `user` (an HTTPS fake only).
    pub fn add_certificate(&self, cert_der: &[u8], user: User) {
        let https = self.shared.lock().https.clone();
        let https = https.expect("add_certificate needs FakeTenant::start_https");
        https
            .users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(cert_der.to_vec(), user);
    }

    /// The picture stored for `user` (however they authenticated).
    pub fn image_of_user(&self, user: &User) -> Option<crate::StoredImage> {
        self.shared.lock().images.get(&user.email).cloned()
    }
}

/// Serves one accepted connection: over TLS when the fake is HTTPS (the client certificate,
/// if any, naming the user for the whole connection), else as plain HTTP.
pub(crate) async fn serve_connection<S>(stream: TcpStream, service: S, shared: &Shared)
where
    S: hyper::service::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
        > + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Future: 'static,
{
    let https = shared.lock().https.clone();
    let http = hyper::server::conn::http1::Builder::new();
    let Some(https) = https else {
        let _ = http
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
            .await;
        return;
    };
    // A failed handshake (e.g. a certificate from another CA) is the client's error to see.
    let Ok(tls) = https.acceptor.accept(stream).await else {
        return;
    };
    let certificate = match tls.get_ref().1.peer_certificates().and_then(|c| c.first()) {
        None => ClientCertificate::None,
        Some(leaf) => {
            let users = https.users.lock().unwrap_or_else(|p| p.into_inner());
            match users.get(leaf.as_ref()) {
                Some(user) => ClientCertificate::Known(user.clone()),
                None => ClientCertificate::Unknown,
            }
        }
    };
    let served = http.serve_connection(hyper_util::rt::TokioIo::new(tls), service);
    let _ = CLIENT_CERTIFICATE.scope(certificate, served).await;
}
