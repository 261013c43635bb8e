//! API certificates (.p12) against the HTTPS fake tenant with client-certificate verification:
//! the real mutual-TLS handshake, with the test CA trusted the way users' CAs are (the OS store
//! path, `SSL_CERT_FILE`), and every refusal found before a request where it can be.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fake_tenant::{FakeTenant, IMAGE_PATH, TestCa, User, WHOAMI_PATH};
use xc_avatar_core::api::{ApiError, ClientOptions, XcClient};
use xc_avatar_core::credentials::{
    ApiCertificate, CertificateError, CertificatePassword, Credential,
};

const PASSWORD: &str = "correct horse battery staple";

/// A CA for this test, trusted the way a user's CA is through the system store: written to
/// the file `SSL_CERT_FILE` names, which the test's own child process was started with
/// ([`support::child::with_ssl_cert_file`]), before any client reads it.
fn ca(ca_file: &Path) -> TestCa {
    let ca = TestCa::new("xc-avatar test CA");
    std::fs::write(ca_file, ca.cert_pem()).expect("write CA");
    ca
}

fn options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(20),
        ..ClientOptions::default()
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn client(tenant: &FakeTenant, certificate: ApiCertificate) -> XcClient {
    let url = xc_avatar_core::TenantUrl::parse(&tenant.url()).expect("tenant URL");
    XcClient::with_credential(url, &Credential::Certificate(certificate), options())
        .expect("client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A certificate for Ada, packed the modern or the legacy way, opens, says who it names and
/// until when, and acts as Ada over mutual TLS with no Authorization header: whoami, upload.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn modern_and_legacy_p12_sign_in_and_upload_with_no_authorization_header() {
    let Some(ca_file) = support::child::with_ssl_cert_file(
        "modern_and_legacy_p12_sign_in_and_upload_with_no_authorization_header",
    ) else {
        return;
    };
    let ca = &ca(&ca_file);
    let tenant = FakeTenant::start_https(ca);
    let dir = tempfile::tempdir().expect("temp dir");
    for legacy in [false, true] {
        let issued = ca.client_certificate("ada@example.com", (2024, 3, 1), (2090, 3, 1));
        tenant.add_certificate(&issued.cert_der, User::ada());
        let name = if legacy { "legacy.p12" } else { "modern.p12" };
        let path = write(dir.path(), name, &issued.p12(PASSWORD, legacy));

        let certificate =
            ApiCertificate::open(&path, &CertificatePassword::new(PASSWORD)).expect("opens");
        assert_eq!(certificate.subject(), "ada@example.com");
        assert_eq!(certificate.valid_until_day(), "2090-03-01");
        assert!(!format!("{certificate:?}").contains("PRIVATE KEY"));

        let client = client(&tenant, certificate);
        let rt = runtime();
        let me = rt.block_on(client.whoami()).expect("whoami over mTLS");
        assert_eq!(
            me.display_name(),
            "Ada Lovelace <ada@example.com>",
            "{name}"
        );
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        rt.block_on(client.put_image("image/jpeg", &jpeg))
            .expect("upload over mTLS");
        assert_eq!(
            tenant.image_of_user(&User::ada()).map(|i| i.bytes),
            Some(jpeg.to_vec())
        );
    }
    let requests = tenant.received();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| r.status == 200));
    assert!(
        requests.iter().all(|r| r.header("authorization").is_none()),
        "a certificate client sends no Authorization header"
    );
    assert_eq!(tenant.received_on("GET", WHOAMI_PATH).len(), 2);
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 2);
}

/// Each thing wrong with the file is its own error, found without contacting the tenant.
#[test]
fn wrong_password_junk_missing_expired_and_future_are_refused_before_any_request() {
    let Some(ca_file) = support::child::with_ssl_cert_file(
        "wrong_password_junk_missing_expired_and_future_are_refused_before_any_request",
    ) else {
        return;
    };
    let ca = &ca(&ca_file);
    let dir = tempfile::tempdir().expect("temp dir");
    let password = CertificatePassword::new(PASSWORD);
    let good = ca.client_certificate("ada@example.com", (2024, 3, 1), (2090, 3, 1));

    for legacy in [false, true] {
        let path = write(dir.path(), "ada.p12", &good.p12(PASSWORD, legacy));
        let wrong = ApiCertificate::open(&path, &CertificatePassword::new("guess"));
        assert_eq!(
            wrong.map(|_| ()),
            Err(CertificateError::WrongPassword { path: path.clone() }),
            "legacy: {legacy}"
        );
    }

    let junk = write(
        dir.path(),
        "photo.p12",
        b"\xFF\xD8\xFF\xE0 not a certificate",
    );
    let err = ApiCertificate::open(&junk, &password).expect_err("junk");
    assert!(matches!(err, CertificateError::NotP12 { .. }), "{err:?}");
    // DER, but not PKCS#12: a certificate saved as .p12 by mistake.
    let der = write(dir.path(), "cert.p12", &good.cert_der);
    let err = ApiCertificate::open(&der, &password).expect_err("a bare certificate");
    assert!(matches!(err, CertificateError::NotP12 { .. }), "{err:?}");

    let missing = dir.path().join("moved-away.p12");
    assert_eq!(
        ApiCertificate::open(&missing, &password).map(|_| ()),
        Err(CertificateError::Missing {
            path: missing.clone()
        })
    );

    let expired = ca.client_certificate("ada@example.com", (2020, 1, 1), (2021, 6, 30));
    let path = write(dir.path(), "expired.p12", &expired.p12(PASSWORD, false));
    let err = ApiCertificate::open(&path, &password).expect_err("expired");
    assert_eq!(
        err.to_string(),
        format!(
            "the API certificate in {} expired on 2021-06-30",
            path.display()
        )
    );

    let future = ca.client_certificate("ada@example.com", (2090, 1, 1), (2091, 1, 1));
    let path = write(dir.path(), "future.p12", &future.p12(PASSWORD, false));
    let err = ApiCertificate::open(&path, &password).expect_err("not yet valid");
    assert!(
        matches!(&err, CertificateError::NotYetValid { from, .. } if from == "2090-01-01"),
        "{err:?}"
    );
}

/// A certificate the tenant's CA did not sign fails the handshake: the tenant rejected the
/// certificate (the 401 path), not a network error, and no request reached a handler.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_certificate_from_another_ca_is_rejected_in_the_handshake() {
    let Some(ca_file) = support::child::with_ssl_cert_file(
        "a_certificate_from_another_ca_is_rejected_in_the_handshake",
    ) else {
        return;
    };
    let ca = &ca(&ca_file);
    let tenant = FakeTenant::start_https(ca);
    let stranger = TestCa::new("someone else's CA");
    let issued = stranger.client_certificate("ada@example.com", (2024, 1, 1), (2090, 1, 1));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "other.p12", &issued.p12(PASSWORD, false));
    let certificate =
        ApiCertificate::open(&path, &CertificatePassword::new(PASSWORD)).expect("opens");

    let err = runtime()
        .block_on(client(&tenant, certificate).whoami())
        .expect_err("rejected");
    assert!(
        matches!(err, ApiError::CertificateRejected { status: None, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the tenant rejected the API certificate during the secure connection (TLS handshake)"
    );
    assert!(tenant.received().is_empty());
}

/// A certificate the CA signed but the tenant does not know (revoked, or another tenant's)
/// gets 401, reported as the certificate's rejection.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn an_unknown_certificate_gets_401_as_a_certificate_rejection() {
    let Some(ca_file) = support::child::with_ssl_cert_file(
        "an_unknown_certificate_gets_401_as_a_certificate_rejection",
    ) else {
        return;
    };
    let ca = &ca(&ca_file);
    let tenant = FakeTenant::start_https(ca);
    let issued = ca.client_certificate("eve@example.com", (2024, 1, 1), (2090, 1, 1));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "eve.p12", &issued.p12(PASSWORD, false));
    let certificate =
        ApiCertificate::open(&path, &CertificatePassword::new(PASSWORD)).expect("opens");
    let err = runtime()
        .block_on(client(&tenant, certificate).whoami())
        .expect_err("401");
    assert!(
        matches!(
            err,
            ApiError::CertificateRejected {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
}

// ---- hostile and broken files (tests/fixtures/hostile/make-p12.py) ----

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/hostile")
        .join(name)
}

/// Opens a hostile fixture with `password`, within 5 s.
fn open_quickly(name: &str, password: &str) -> Result<ApiCertificate, CertificateError> {
    let started = std::time::Instant::now();
    let opened = ApiCertificate::open(&hostile(name), &CertificatePassword::new(password));
    let took = started.elapsed();
    assert!(took <= Duration::from_secs(5), "{name}: {took:?}");
    opened
}

#[test]
fn a_p12_asking_for_costly_key_derivation_is_refused_before_deriving() {
    // Before: scrypt with N = 2^20, p = 16 ran over a minute at 930 MB; 50 keys of a million
    // PBKDF2 iterations each, in the open or inside a cheap encrypted part, over a minute too.
    for (name, why) in [
        ("scrypt.p12", "asks for 1024 MiB of memory"),
        (
            "many-keys.p12",
            "more than 2 million rounds of key derivation",
        ),
        (
            "hidden-keys.p12",
            "more than 2 million rounds of key derivation",
        ),
    ] {
        let error = open_quickly(name, PASSWORD).expect_err(name);
        assert_eq!(error.kind(), "certificate_too_costly", "{name}: {error}");
        assert!(error.to_string().contains(why), "{name}: {error}");
        assert!(
            error
                .to_string()
                .contains("is not a .p12 xc-avatar will open"),
            "{name}: {error}"
        );
    }
    // The cheap outer part decrypts only with the right password: a wrong one is said so,
    // before any of the costly keys inside is looked at.
    let error = open_quickly("hidden-keys.p12", "wrong").expect_err("wrong password");
    assert_eq!(error.kind(), "wrong_password", "{error}");
}

#[test]
fn a_key_that_is_not_the_certificates_is_its_own_error() {
    let error = open_quickly("key-mismatch.p12", PASSWORD).expect_err("mismatch");
    assert_eq!(
        error,
        CertificateError::KeyMismatch {
            path: hostile("key-mismatch.p12")
        }
    );
    assert!(
        error.to_string().starts_with("the private key in ")
            && error
                .to_string()
                .ends_with("key-mismatch.p12 does not belong to its certificate"),
        "{error}"
    );
}

#[test]
fn a_wrong_password_on_a_p12_without_a_mac_is_a_wrong_password() {
    let error = open_quickly("no-mac.p12", "not the password").expect_err("wrong");
    assert_eq!(error.kind(), "wrong_password", "{error}");
    let certificate = open_quickly("no-mac.p12", PASSWORD).expect("the right one opens it");
    assert_eq!(certificate.subject(), "ada@example.com");
}
