//! The setup screen's API-certificate path in egui_kittest, against the HTTPS fake tenant with
//! client-certificate verification. The test CA is trusted the way users' CAs are, through
//! `SSL_CERT_FILE`, which is process-wide: the test runs in a child process of its own with the
//! variable set there (`support::child`), never with `set_var`.

mod support;

#[allow(dead_code)] // the GUI tests' shared prelude; this binary uses part of it
#[path = "gui/harness.rs"]
mod harness;

use harness::*;
use support::certificates::{CertTenant, P12_PASSWORD};
use xc_avatar::app::Screen;

fn setup_form(app: &XcAvatarApp) -> Option<&xc_avatar::app::SetupState> {
    match &app.state().screen {
        Screen::Setup(form) => Some(form),
        Screen::Main => None,
    }
}

/// Choose the .p12 with the (stand-in) dialog, a wrong password is said as such, the right one
/// connects as Ada with the certificate's expiry, Save keeps the password in the store and the
/// path in the settings, and requests go with no Authorization header. When the file has moved
/// by the next start, the app says so and opens setup with the file dialog. With
/// VOLT_API_P12_FILE and VES_P12_PASSWORD, it signs in with nothing kept; and so it does for a
/// vesctl user with only `~/.vesconfig` (no settings, nothing kept), whose setup screen then
/// offers the profile.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn setup_with_an_api_certificate_tests_saves_notices_a_moved_file_and_env_works() {
    let Some(ca_file) = support::child::with_ssl_cert_file(
        "setup_with_an_api_certificate_tests_saves_notices_a_moved_file_and_env_works",
    ) else {
        return;
    };
    let fixture = CertTenant::start();
    std::fs::copy(&fixture.ca_file, &ca_file).expect("trust the test CA");
    let p12 = fixture.ada_p12("ada.p12", false);
    let CertTenant { tenant, dir, .. } = fixture;
    let app_fixture = Fixture::with_tenant(tenant);
    let tenant = app_fixture.tenant_url();

    let mut harness = harness(app_fixture.config(None, Some(p12.clone())));
    wait_for(&mut harness, "the setup screen", |app| {
        setup_form(app).is_some()
    });
    harness.get_by_label("Certificate (.p12)").click();
    harness.run();
    harness.get_by_label("Choose…").click();
    harness.step();
    wait_for(&mut harness, "the picked file", |app| {
        setup_form(app).is_some() && !app.setup_input().p12.is_empty()
    });
    assert_eq!(
        harness.get_by_label("Certificate file").value().as_deref(),
        Some(p12.display().to_string().as_str())
    );

    type_into(&mut harness, "Password", "not the password");
    harness.get_by_label("Test connection").click();
    wait_idle(&mut harness, "the test");
    harness.get_by_label_contains("The password does not open this .p12");

    type_into(&mut harness, "Password", P12_PASSWORD);
    harness.get_by_label("Test connection").click();
    wait_idle(&mut harness, "the test");
    harness.get_by_label(
        "Connected as Ada Lovelace <ada@example.com> on acme — certificate valid until 2090-03-01",
    );

    harness.get_by_label("Save").click();
    harness.step();
    wait_for(&mut harness, "the main screen", |app| {
        matches!(app.state().screen, Screen::Main) && app.state().tenant.connection.is_some()
    });
    harness.get_by_label("Saved in memory, for this session only");
    let kept = app_fixture
        .store
        .get(&tenant, SecretKind::CertificatePassword)
        .expect("store");
    let password = CertificatePassword::new(P12_PASSWORD);
    assert_eq!(kept, Some(Secret::CertificatePassword(password)));
    // Settings are written off the UI thread.
    let deadline = Instant::now() + Duration::from_secs(20);
    let settings = loop {
        match std::fs::read_to_string(app_fixture.settings_file().path()) {
            Ok(text) if text.contains("ada.p12") => break text,
            _ => assert!(Instant::now() < deadline, "the settings were never saved"),
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(
        !settings.contains(P12_PASSWORD),
        "the password is in the settings"
    );
    // The start-up fetch of the current picture went out over mutual TLS, as Ada.
    wait_for(&mut harness, "the current picture", |app| {
        matches!(app.state().current.shown, Current::Missing)
    });
    let requests = app_fixture.tenant.received();
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|r| r.header("authorization").is_none()));
    assert!(requests.iter().any(|r| r.status == 200));
    drop(harness);

    // Next start: the file has moved.
    let moved = dir.path().join("moved.p12");
    std::fs::rename(&p12, &moved).expect("move");
    let dialogs_before = app_fixture.dialog_folders.lock().expect("folders").len();
    let mut config = app_fixture.config(None, Some(moved.clone()));
    config.environment.tenant = None;
    let mut harness = harness::harness(config);
    wait_for(&mut harness, "the setup screen", |app| {
        setup_form(app).is_some()
    });
    harness.get_by_label_contains(&format!(
        "The certificate file {} does not exist. Choose the .p12 where it is now",
        p12.display()
    ));
    // The dialog opened by itself, in the folder the file was in, and its answer is taken.
    wait_for(&mut harness, "the picked file", |app| {
        setup_form(app).is_some() && app.setup_input().p12 == moved.display().to_string()
    });
    let folders = app_fixture.dialog_folders.lock().expect("folders").clone();
    assert_eq!(folders.len(), dialogs_before + 1);
    assert_eq!(folders.last(), Some(&Some(dir.path().to_path_buf())));
    assert_eq!(
        harness.state().setup_input().kind,
        xc_avatar::credentials::CredentialKind::P12
    );
    drop(harness);

    // VOLT_API_P12_FILE and VES_P12_PASSWORD (as AppConfig::from_env reads them) sign in with
    // nothing kept: straight to the main screen, requests over mutual TLS.
    app_fixture
        .store
        .delete(&tenant, SecretKind::CertificatePassword)
        .expect("forget");
    let requests_before = app_fixture.tenant.received().len();
    let mut config = app_fixture.config(None, None);
    let password = CertificatePassword::new(P12_PASSWORD);
    let p12 = CredentialInput::P12 {
        path: moved.clone(),
        password,
    };
    config.environment.credential = Some((xc_avatar::ENV_P12_FILE, Ok(p12)));
    let mut harness = harness::harness(config);
    wait_for(
        &mut harness,
        "the certificate from the environment",
        |app| {
            app.state().tenant.connection.is_some()
                && matches!(app.state().current.shown, Current::Missing)
        },
    );
    assert!(matches!(harness.state().state().screen, Screen::Main));
    let requests = app_fixture.tenant.received();
    assert!(requests.len() > requests_before);
    assert!(
        requests[requests_before..]
            .iter()
            .all(|r| r.header("authorization").is_none() && r.status != 401)
    );
    drop(harness);

    // A vesctl user: HOME holds .vesconfig naming the tenant and the .p12, VES_P12_PASSWORD its
    // password; no settings, nothing kept, no F5XC_* variable.
    let home = dir.path().join("vesctl-home");
    std::fs::create_dir_all(&home).expect("home");
    let profile = format!(
        "server-urls: {}/api\np12-bundle: {}\n",
        app_fixture.tenant.url(),
        moved.display()
    );
    std::fs::write(home.join(".vesconfig"), profile).expect("write .vesconfig");
    let var = |name: &str| (name == "VES_P12_PASSWORD").then(|| P12_PASSWORD.to_owned());
    let mut config = app_fixture.config(None, None);
    config.environment = Environment::from_vars(&var, Some(&home));
    config.store = Arc::new(MemoryStore::new());
    config.settings_file = Some(SettingsFile::new(home.join("config/settings.json")));
    let requests_before = app_fixture.tenant.received().len();
    let mut harness = harness::harness(config);
    wait_for(
        &mut harness,
        "the certificate from vesctl's profile",
        |app| {
            app.state().tenant.connection.is_some()
                && !matches!(app.state().current.shown, Current::Fetching)
        },
    );
    let connection = harness
        .state()
        .state()
        .tenant
        .connection
        .clone()
        .expect("connected");
    assert_eq!(connection.tenant, tenant);
    assert_eq!(
        connection.origin,
        xc_avatar::sign_in::Origin::Vesctl(xc_avatar::vesctl::ProfileSource::File(
            home.join(".vesconfig")
        ))
    );
    harness.get_by_label("(API certificate from your vesctl profile)");
    let requests = app_fixture.tenant.received();
    assert!(requests.len() > requests_before);
    assert!(
        requests[requests_before..]
            .iter()
            .all(|r| r.header("authorization").is_none() && r.status != 401)
    );
    // Setup offers the profile it is using.
    harness.get_by_label("Tenant and credential…").click();
    harness.run();
    harness.get_by_label_contains("Found your vesctl profile for 127.0.0.1");
    assert_eq!(
        harness.get_by_label("Certificate file").value().as_deref(),
        Some(moved.display().to_string().as_str())
    );
}
