//! An HTTPS fake tenant that verifies client certificates, with its CA in a PEM bundle for
//! `SSL_CERT_FILE` (the OS-store path users' CAs take) and users' `.p12` files made at run time.

use std::path::PathBuf;

use fake_tenant::{FakeTenant, Issued, TestCa, User};

/// The password every test `.p12` is protected with.
pub const P12_PASSWORD: &str = "correct horse battery staple";

pub struct CertTenant {
    pub tenant: FakeTenant,
    pub ca: TestCa,
    /// Holds the CA bundle and the `.p12` files.
    pub dir: tempfile::TempDir,
    /// The CA as PEM: what `SSL_CERT_FILE` names.
    pub ca_file: PathBuf,
}

impl CertTenant {
    pub fn start() -> Self {
        let ca = TestCa::new("xc-avatar test CA");
        let tenant = FakeTenant::start_https(&ca);
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca.cert_pem()).expect("write CA bundle");
        CertTenant {
            tenant,
            ca,
            dir,
            ca_file,
        }
    }

    /// Ada's API certificate (valid 2024-03-01 to 2090-03-01), known to the tenant, as a
    /// `.p12` named `name` (legacy: RC2/3DES with a SHA-1 MAC).
    pub fn ada_p12(&self, name: &str, legacy: bool) -> PathBuf {
        let issued = self
            .ca
            .client_certificate("ada@example.com", (2024, 3, 1), (2090, 3, 1));
        self.tenant.add_certificate(&issued.cert_der, User::ada());
        self.write_p12(name, &issued, legacy)
    }

    /// `issued` as a `.p12` protected by [`P12_PASSWORD`].
    pub fn write_p12(&self, name: &str, issued: &Issued, legacy: bool) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, issued.p12(P12_PASSWORD, legacy)).expect("write .p12");
        path
    }
}
