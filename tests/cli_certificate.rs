//! The command line with an API certificate, against the HTTPS fake tenant with
//! client-certificate verification: the real mutual-TLS handshake, the test CA trusted through
//! `SSL_CERT_FILE` as a user's CA is through the OS store. A `.p12` from the environment; and a
//! vesctl user's first upload with nothing else set up, from `~/.vesconfig` alone (a `.p12`
//! with its password in `VES_P12_PASSWORD`, or a PEM certificate and key) — a broken profile
//! saying what is wrong with it and never standing in the way of the other ways to sign in.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use fake_tenant::{DEFAULT_TOKEN, IMAGE_PATH, TestCa, User, WHOAMI_PATH};
use image::ImageFormat;
use support::Hermetic;
use support::certificates::{CertTenant, P12_PASSWORD};

/// Runs xc-avatar against the fixture's tenant (`F5XC_API_URL`) with only `env` besides.
fn xc_avatar(fixture: &CertTenant, args: &[&str], env: &[(&str, &str)]) -> Output {
    let url = fixture.tenant.url();
    let mut with_tenant = vec![("F5XC_API_URL", url.as_str())];
    with_tenant.extend_from_slice(env);
    run_in(
        fixture,
        &fixture.dir.path().join("home"),
        args,
        &with_tenant,
    )
}

/// Runs xc-avatar with `home` as HOME (the support builder clears every F5XC_, VOLT_ and VES_
/// variable, so only what a test passes and the profile in `home` count), an empty settings
/// folder there, no keyring, the test CA trusted, and only `env` for tenant and credentials;
/// logs at trace level, so a leak into them would show.
fn run_in(fixture: &CertTenant, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = Hermetic::xc_avatar_in(home)
        .with_args(args)
        .with_env("SSL_CERT_FILE", &fixture.ca_file)
        .with_env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/xc-avatar-test-bus",
        )
        .with_env("RUST_LOG", "trace")
        .with_envs(env.iter().copied())
        .output();
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(!all.contains("panicked"), "xc-avatar panicked:\n{all}");
    assert!(!all.contains(P12_PASSWORD), "the password appeared:\n{all}");
    assert!(!all.contains("PRIVATE KEY"), "the key appeared:\n{all}");
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn p12_env<'a>(path: &'a str, password: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("VOLT_API_P12_FILE", path), ("VES_P12_PASSWORD", password)]
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// With only VOLT_API_P12_FILE and VES_P12_PASSWORD, a modern and a legacy .p12 each upload,
/// read back and remove the picture, acting as Ada over mutual TLS with no Authorization header.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_p12_from_the_environment_uploads_reads_and_removes_modern_and_legacy() {
    let fixture = CertTenant::start();
    let photo = support::write_photo(fixture.dir.path(), "photo.jpg", ImageFormat::Jpeg);
    for legacy in [false, true] {
        let p12 = fixture.ada_p12(if legacy { "legacy.p12" } else { "ada.p12" }, legacy);
        let env = p12_env(utf8(&p12), P12_PASSWORD);

        let output = xc_avatar(&fixture, &["upload", utf8(&photo)], &env);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let stored = fixture.tenant.image_of_user(&User::ada()).expect("stored");
        support::assert_is_stripes_avatar(&stored.bytes, 512);

        let out = fixture.dir.path().join("me");
        let output = xc_avatar(&fixture, &["current", "-o", utf8(&out)], &env);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(
            std::fs::read(out.with_extension("jpg")).expect("written"),
            stored.bytes
        );

        let output = xc_avatar(&fixture, &["remove"], &env);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(fixture.tenant.image_of_user(&User::ada()), None);
    }
    let requests = fixture.tenant.received();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.header("authorization").is_none()),
        "a certificate sends no Authorization header"
    );
    assert_eq!(fixture.tenant.received_on("PUT", IMAGE_PATH).len(), 2);
}

/// Each thing wrong with the file has its own line and exit code, and no request is sent.
#[test]
fn each_unusable_certificate_has_its_own_message_and_exit_code_before_any_request() {
    let fixture = CertTenant::start();
    let photo = support::write_photo(fixture.dir.path(), "photo.jpg", ImageFormat::Jpeg);
    let good = fixture.ada_p12("ada.p12", false);
    let junk = fixture.dir.path().join("junk.p12");
    std::fs::write(&junk, b"PK\x03\x04 a zip file, say").expect("write");
    let missing = fixture.dir.path().join("moved-away.p12");
    let expired = fixture
        .ca
        .client_certificate("ada@example.com", (2020, 1, 1), (2021, 6, 30));
    let expired = fixture.write_p12("expired.p12", &expired, true);
    let future = fixture
        .ca
        .client_certificate("ada@example.com", (2090, 1, 1), (2091, 1, 1));
    let future = fixture.write_p12("future.p12", &future, false);

    let cases = [
        (
            good.clone(),
            "not the password",
            14,
            format!("the password does not open this .p12 ({})", good.display()),
        ),
        (
            junk.clone(),
            P12_PASSWORD,
            13,
            format!("{} is not a .p12 certificate file", junk.display()),
        ),
        (
            missing.clone(),
            P12_PASSWORD,
            12,
            format!("the certificate file {} does not exist", missing.display()),
        ),
        (
            expired.clone(),
            P12_PASSWORD,
            15,
            format!(
                "the API certificate in {} expired on 2021-06-30",
                expired.display()
            ),
        ),
        (
            future.clone(),
            P12_PASSWORD,
            15,
            format!(
                "the API certificate in {} is not valid until 2090-01-01",
                future.display()
            ),
        ),
    ];
    for (file, password, code, message) in cases {
        let env = p12_env(utf8(&file), password);
        let output = xc_avatar(&fixture, &["upload", utf8(&photo)], &env);
        let said = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{said}");
        assert!(said.starts_with("xc-avatar: error: "), "{said}");
        assert!(said.contains(&message), "want {message:?} in {said}");
        assert_eq!(said.lines().count(), 1, "one line: {said}");
    }
    assert!(
        fixture.tenant.received().is_empty(),
        "no request for a certificate that cannot work"
    );
}

/// A certificate from a CA the tenant does not trust fails the handshake: the 401 path, exit 4,
/// telling the user to update the certificate.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_certificate_from_another_ca_is_rejected_with_exit_4() {
    let fixture = CertTenant::start();
    let stranger = TestCa::new("someone else's CA");
    let issued = stranger.client_certificate("ada@example.com", (2024, 1, 1), (2090, 1, 1));
    let p12 = fixture.write_p12("other.p12", &issued, false);
    let photo = support::write_photo(fixture.dir.path(), "photo.jpg", ImageFormat::Jpeg);
    let output = xc_avatar(
        &fixture,
        &["upload", utf8(&photo)],
        &p12_env(utf8(&p12), P12_PASSWORD),
    );
    let said = text(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{said}");
    assert!(
        said.contains("the tenant rejected the API certificate during the secure connection"),
        "{said}"
    );
    assert!(said.contains("update the certificate"), "{said}");
    assert_eq!(fixture.tenant.image_of_user(&User::ada()), None);

    let output = xc_avatar(
        &fixture,
        &["remove", "--json"],
        &p12_env(utf8(&p12), P12_PASSWORD),
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["error"]["kind"], "certificate_rejected");
    assert_eq!(json["exit_code"], 4);
}

/// With a token and a certificate in the environment, the token is used, and a note says so.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_token_in_the_environment_wins_over_a_certificate_with_a_note() {
    let fixture = CertTenant::start();
    let p12 = fixture.ada_p12("ada.p12", false);
    let mut env = p12_env(utf8(&p12), P12_PASSWORD);
    env.push(("F5XC_API_TOKEN", DEFAULT_TOKEN));
    let output = xc_avatar(&fixture, &["remove"], &env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(
            "note: both F5XC_API_TOKEN and VOLT_API_P12_FILE are set; using F5XC_API_TOKEN"
        ),
        "{}",
        text(&output.stderr)
    );
    let requests = fixture.tenant.received_on("DELETE", IMAGE_PATH);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("APIToken {DEFAULT_TOKEN}").as_str())
    );
    assert!(fixture.tenant.received_on("GET", WHOAMI_PATH).is_empty());
}

// ---- vesctl's profile ----

/// A home folder whose `.vesconfig` is `profile`.
fn home_with(fixture: &CertTenant, name: &str, profile: &str) -> PathBuf {
    let home = fixture.dir.path().join(name);
    std::fs::create_dir_all(&home).expect("home");
    std::fs::write(home.join(".vesconfig"), profile).expect("write .vesconfig");
    home
}

/// Ada's certificate and key as PEM files in `home`, as vesctl keeps them.
fn ada_pem(fixture: &CertTenant, home: &Path) -> (PathBuf, PathBuf) {
    let issued = fixture
        .ca
        .client_certificate("ada@example.com", (2024, 3, 1), (2090, 3, 1));
    fixture
        .tenant
        .add_certificate(&issued.cert_der, User::ada());
    let (cert, key) = (home.join("ves-cert.pem"), home.join("ves-key.pem"));
    std::fs::write(&cert, &issued.cert_pem).expect("write cert");
    std::fs::write(&key, &issued.key_pem).expect("write key");
    (cert, key)
}

/// Upload with the profile alone, check what the tenant got, then `token status` names the
/// profile as where the credential came from.
fn upload_with_the_profile_alone(fixture: &CertTenant, home: &Path, env: &[(&str, &str)]) {
    let photo = support::write_photo(home, "photo.jpg", ImageFormat::Jpeg);
    let puts = fixture.tenant.received_on("PUT", IMAGE_PATH).len();
    let output = run_in(fixture, home, &["upload", utf8(&photo)], env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains(&format!(
            "uploaded your new profile picture to {}",
            fixture.tenant.url()
        )),
        "{}",
        text(&output.stdout)
    );
    let stored = fixture.tenant.image_of_user(&User::ada()).expect("stored");
    support::assert_is_stripes_avatar(&stored.bytes, 512);
    let sent = fixture.tenant.received_on("PUT", IMAGE_PATH);
    assert_eq!(sent.len(), puts + 1);
    assert_eq!(sent[puts].header("authorization"), None, "mutual TLS only");

    let output = run_in(fixture, home, &["token", "status"], env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let expected = format!(
        "{}: API certificate ada@example.com (valid until 2090-03-01) from your vesctl profile \
         ({}): Ada Lovelace <ada@example.com> on acme",
        fixture.tenant.url(),
        home.join(".vesconfig").display()
    );
    assert_eq!(text(&output.stdout).trim(), expected);
    // Nothing was kept: the next run finds the profile again.
    assert!(
        !home.join("config").exists(),
        "nothing is written for a profile's credential"
    );
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_vesctl_p12_profile_is_enough_to_upload() {
    let fixture = CertTenant::start();
    let p12 = fixture.ada_p12("acme.api-creds.p12", false);
    // As vesctl writes it: the API's URL (with /api) and the bundle.
    let profile = format!(
        "server-urls: {}/api\np12-bundle: {}\n",
        fixture.tenant.url(),
        p12.display()
    );
    let home = home_with(&fixture, "home-p12", &profile);
    upload_with_the_profile_alone(&fixture, &home, &[("VES_P12_PASSWORD", P12_PASSWORD)]);
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_vesctl_pem_profile_is_enough_to_upload() {
    let fixture = CertTenant::start();
    let home = fixture.dir.path().join("home-pem");
    std::fs::create_dir_all(&home).expect("home");
    let (cert, key) = ada_pem(&fixture, &home);
    // A list of URLs; relative paths are the profile's folder's.
    let profile = format!(
        "server-urls:\n  - {}/api\ncert: {}\nkey: ./{}\n",
        fixture.tenant.url(),
        cert.display(),
        key.file_name().expect("name").to_string_lossy()
    );
    std::fs::write(home.join(".vesconfig"), profile).expect("write .vesconfig");
    upload_with_the_profile_alone(&fixture, &home, &[]);
}

/// Each broken profile has its own message and exit code, sends nothing, and a token in the
/// environment still works beside it.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "trusts its run-time test CA through SSL_CERT_FILE, which rustls-platform-verifier reads on Linux only (macOS and Windows use the OS store)"
)]
fn a_broken_profile_says_why_and_blocks_nothing_else() {
    let fixture = CertTenant::start();
    let p12 = fixture.ada_p12("ada.p12", false);
    let url = fixture.tenant.url();
    let profile = |bundle: &str| format!("server-urls: {url}/api\np12-bundle: {bundle}\n");
    let gone = fixture.dir.path().join("gone.p12");
    // (home, profile, environment, exit code, words of the message)
    type Broken<'a> = (&'a str, String, &'a [(&'a str, &'a str)], i32, String);
    let cases: [Broken; 4] = [
        (
            "missing",
            profile(utf8(&gone)),
            &[("VES_P12_PASSWORD", P12_PASSWORD)],
            12,
            format!(
                "the certificate file {} does not exist (named by your vesctl profile",
                gone.display()
            ),
        ),
        (
            "wrong-password",
            profile(utf8(&p12)),
            &[("VES_P12_PASSWORD", "not the password")],
            14,
            "Set VES_P12_PASSWORD to the password of the certificate the profile names".into(),
        ),
        (
            "not-yaml",
            "server-urls: [unclosed\n".into(),
            &[],
            2,
            "is not YAML xc-avatar can read".into(),
        ),
        (
            "no-credential",
            format!("server-urls: {url}/api\n"),
            &[],
            2,
            "names no credential (p12-bundle, or cert and key)".into(),
        ),
    ];
    let photo = support::write_photo(fixture.dir.path(), "photo.jpg", ImageFormat::Jpeg);
    for (name, profile, env, code, words) in cases {
        let home = home_with(&fixture, name, &profile);
        let before = fixture.tenant.received().len();
        let mut env = env.to_vec();
        if code == 2 {
            // A profile that names no usable tenant: the tenant comes from the command line.
            env.push(("F5XC_API_URL", url.as_str()));
        }
        let output = run_in(&fixture, &home, &["upload", utf8(&photo)], &env);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{name}: {stderr}");
        assert!(stderr.contains(&words), "{name}: {stderr}");
        assert!(stderr.contains("sign in another way"), "{name}: {stderr}");
        assert_eq!(
            fixture.tenant.received().len(),
            before,
            "{name}: nothing sent"
        );

        // The other ways to sign in are untouched by it.
        env.push(("F5XC_API_URL", url.as_str()));
        env.push(("F5XC_API_TOKEN", DEFAULT_TOKEN));
        let output = run_in(&fixture, &home, &["remove"], &env);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            text(&output.stderr)
        );
    }
}

/// A profile for another tenant is not used for this one: here, with no keyring to look in
/// either, the keyring's failure is what is told (the tenant's token could be kept there), and
/// nothing is sent. (`sign_in`'s unit tests cover the words when the keyring answers.)
#[test]
fn a_profile_for_another_tenant_is_not_used() {
    let fixture = CertTenant::start();
    let p12 = fixture.ada_p12("ada.p12", false);
    let profile = format!(
        "server-urls: https://other.console.ves.volterra.io/api\np12-bundle: {}\n",
        p12.display()
    );
    let home = home_with(&fixture, "home-other", &profile);
    let photo = support::write_photo(&home, "photo.jpg", ImageFormat::Jpeg);
    let url = fixture.tenant.url();
    let env = [
        ("F5XC_API_URL", url.as_str()),
        ("VES_P12_PASSWORD", P12_PASSWORD),
    ];
    let output = run_in(&fixture, &home, &["upload", utf8(&photo)], &env);
    assert_eq!(output.status.code(), Some(11), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("no keyring is available"),
        "{}",
        text(&output.stderr)
    );
    assert!(fixture.tenant.received().is_empty());
}
