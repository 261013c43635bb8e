//! The token commands against a real keyring: gnome-keyring's Secret Service on the private
//! D-Bus session that `scripts/test` starts (that test is `#[ignore]`d and scripts/test runs it
//! with `--include-ignored`), and the path where no keyring is reachable at all.
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH};
use image::ImageFormat;

/// Runs xc-avatar with its config, data and cache dirs in `home`, `stdin` piped in.
fn xc_avatar(home: &Path, args: &[&str], stdin: &str) -> Output {
    support::run_with_stdin(
        Command::new(env!("CARGO_BIN_EXE_xc-avatar"))
            .args(args)
            .env_remove("F5XC_API_URL")
            .env_remove("F5XC_API_TOKEN")
            .env("HOME", home)
            .env("XC_AVATAR_CONFIG_DIR", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache")),
        stdin,
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn secret_tool_lookup(origin: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", "xc-avatar", "username", origin])
        .output()
        .ok()?;
    output.status.success().then(|| text(&output.stdout))
}

#[test]
#[ignore = "needs a Secret Service on a D-Bus session bus: scripts/test starts one"]
fn set_status_use_and_forget_a_token_in_the_real_keyring() {
    support::require_env(
        "DBUS_SESSION_BUS_ADDRESS",
        "a D-Bus session with a Secret Service",
    );
    let tenant = FakeTenant::start();
    let origin = tenant.url();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();

    // No token yet: exit 4 with what to do.
    let output = xc_avatar(home, &["token", "status", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!("no API token for {origin}")),
        "{}",
        text(&output.stderr)
    );

    // A wrong token is refused by whoami and not stored.
    let output = xc_avatar(
        home,
        &["token", "set", "--tenant", &origin],
        "not-the-token\n",
    );
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("rejected the API token"));
    assert_eq!(secret_tool_lookup(&origin), None);

    let output = xc_avatar(
        home,
        &["token", "set", "--tenant", &origin],
        &format!("{DEFAULT_TOKEN}\n"),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout).trim(),
        format!(
            "saved the token for {origin} in the system keyring (Secret Service); \
             it acts as Ada Lovelace <ada@example.com> on acme"
        )
    );
    assert_eq!(secret_tool_lookup(&origin).as_deref(), Some(DEFAULT_TOKEN));

    let output = xc_avatar(home, &["token", "status"], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout).trim(),
        format!(
            "{origin} (default): API token kept in the system keyring (Secret Service): \
             Ada Lovelace <ada@example.com> on acme"
        )
    );
    let output = xc_avatar(home, &["tenants"], "");
    assert_eq!(text(&output.stdout).trim(), format!("{origin} (default)"));

    // The saved default tenant and the keyring token are enough to upload.
    let photo = support::write_photo(home, "p.jpg", ImageFormat::Jpeg);
    let output = xc_avatar(home, &["upload", photo.to_str().expect("utf-8")], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 1);

    // The secret is in the keyring and in no file of ours.
    assert_eq!(
        support::files_containing(home, DEFAULT_TOKEN),
        Vec::<String>::new()
    );

    let output = xc_avatar(home, &["token", "forget", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains(&format!("forgot the token for {origin}")));
    assert_eq!(secret_tool_lookup(&origin), None);
    let output = xc_avatar(home, &["token", "forget", "--tenant", &origin], "");
    assert!(text(&output.stdout).contains("no token was saved"));

    let output = xc_avatar(home, &["upload", photo.to_str().expect("utf-8")], "");
    assert_eq!(output.status.code(), Some(4));
    assert!(text(&output.stderr).contains(&format!(
        "no API token for {origin}. Run `xc-avatar token set"
    )));
}

#[test]
fn without_a_keyring_the_error_says_so_and_nothing_is_written() {
    let tenant = FakeTenant::start();
    let origin = tenant.url();
    let home = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str], stdin: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xc-avatar"));
        command
            .args(args)
            .env_remove("F5XC_API_TOKEN")
            .env("HOME", home.path())
            .env("XC_AVATAR_CONFIG_DIR", home.path().join("config"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/xc-avatar-test-bus",
            );
        support::run_with_stdin(&mut command, stdin)
    };
    let output = run(
        &["token", "set", "--tenant", &origin, "--no-verify"],
        DEFAULT_TOKEN,
    );
    assert_eq!(output.status.code(), Some(11), "{}", text(&output.stderr));
    let message = text(&output.stderr);
    assert!(message.contains("no keyring is available"), "{message}");
    assert!(
        message.contains("Start a Secret Service keyring"),
        "{message}"
    );
    assert_eq!(
        support::files_containing(home.path(), DEFAULT_TOKEN),
        Vec::<String>::new()
    );

    let output = run(&["remove", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(11), "{}", text(&output.stderr));
}

/// `cert set` keeps the password in the real keyring and the file's path in the settings;
/// then upload, status and remove work with nothing in the environment, and the password is in
/// no file under HOME. A wrong password stores nothing; a moved file is named with its path.
#[test]
#[ignore = "needs a Secret Service on a D-Bus session bus: scripts/test starts one"]
fn cert_set_keeps_the_password_in_the_keyring_then_upload_needs_nothing_in_the_environment() {
    support::require_env(
        "DBUS_SESSION_BUS_ADDRESS",
        "a D-Bus session with a Secret Service",
    );
    use support::certificates::{CertTenant, P12_PASSWORD};
    let fixture = CertTenant::start();
    let origin = fixture.tenant.url();
    let home = fixture.dir.path().join("home");
    let run = |args: &[&str], stdin: &str| {
        support::run_with_stdin(
            Command::new(env!("CARGO_BIN_EXE_xc-avatar"))
                .args(args)
                .env_remove("F5XC_API_URL")
                .env_remove("F5XC_API_TOKEN")
                .env_remove("VOLT_API_P12_FILE")
                .env_remove("VES_P12_PASSWORD")
                .env("SSL_CERT_FILE", &fixture.ca_file)
                .env("HOME", &home)
                .env("XC_AVATAR_CONFIG_DIR", home.join("config"))
                .env("XDG_CACHE_HOME", home.join("cache"))
                .env("RUST_LOG", "trace"),
            stdin,
        )
    };
    let p12 = fixture.ada_p12("ada.p12", true);
    let p12_arg = p12.to_str().expect("utf-8");
    let account = format!("{origin} (API certificate password)");

    let output = run(
        &["cert", "set", p12_arg, "--tenant", &origin],
        "wrong password\n",
    );
    assert_eq!(output.status.code(), Some(14), "{}", text(&output.stderr));
    assert_eq!(secret_tool_lookup(&account), None);

    let output = run(
        &["cert", "set", p12_arg, "--tenant", &origin],
        &format!("{P12_PASSWORD}\n"),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout).trim(),
        format!(
            "saved the API certificate for {origin}: {} (API certificate ada@example.com \
             (valid until 2090-03-01)), its password in the system keyring (Secret Service); \
             it acts as Ada Lovelace <ada@example.com> on acme",
            p12.display()
        )
    );
    assert_eq!(secret_tool_lookup(&account).as_deref(), Some(P12_PASSWORD));

    let output = run(&["token", "status"], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout).trim(),
        format!(
            "{origin} (default): API certificate ada@example.com (valid until 2090-03-01) kept \
             in the system keyring (Secret Service): Ada Lovelace <ada@example.com> on acme"
        )
    );

    let photo = support::write_photo(&home, "p.jpg", ImageFormat::Jpeg);
    let output = run(&["upload", photo.to_str().expect("utf-8")], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let puts = fixture.tenant.received_on("PUT", IMAGE_PATH);
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].header("authorization"), None);
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(!all.contains(P12_PASSWORD), "{all}");
    assert_eq!(
        support::files_containing(&home, P12_PASSWORD),
        Vec::<String>::new()
    );

    // The file moved: its path is named, nothing is sent.
    let moved = fixture.dir.path().join("elsewhere.p12");
    std::fs::rename(&p12, &moved).expect("move");
    let requests = fixture.tenant.received().len();
    let output = run(&["remove"], "");
    assert_eq!(output.status.code(), Some(12), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!(
            "the certificate file {} does not exist",
            p12.display()
        )),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(fixture.tenant.received().len(), requests);

    let output = run(&["cert", "forget", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(secret_tool_lookup(&account), None);
    let output = run(&["token", "status"], "");
    assert_eq!(output.status.code(), Some(4));
    assert!(
        text(&output.stderr).contains(&format!("no API token for {origin}")),
        "{}",
        text(&output.stderr)
    );
}
