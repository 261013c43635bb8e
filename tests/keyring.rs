//! The token commands against a real keyring: gnome-keyring's Secret Service on the private
//! D-Bus session that `scripts/test` starts (that test is `#[ignore]`d and scripts/test runs it
//! with `--include-ignored`), and the path where no keyring is reachable at all.
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::Hermetic;

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH};
use image::ImageFormat;

/// Runs xc-avatar with `home` as HOME (config, data and cache in it), `stdin` piped in.
fn xc_avatar(home: &Path, args: &[&str], stdin: &str) -> Output {
    Hermetic::xc_avatar_in(home)
        .with_args(args)
        .output_with_stdin(stdin)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
#[ignore = "needs a Secret Service on a D-Bus session bus: scripts/test starts one"]
fn set_status_use_and_forget_a_token_in_the_real_keyring() {
    support::require_secret_service();
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
    assert_eq!(support::secret_tool_lookup(&origin), None);

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
    assert_eq!(
        support::secret_tool_lookup(&origin).as_deref(),
        Some(DEFAULT_TOKEN)
    );

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
    assert_eq!(support::secret_tool_lookup(&origin), None);
    let output = xc_avatar(home, &["token", "forget", "--tenant", &origin], "");
    assert!(text(&output.stdout).contains("no token was saved"));

    let output = xc_avatar(home, &["upload", photo.to_str().expect("utf-8")], "");
    assert_eq!(output.status.code(), Some(4));
    assert!(text(&output.stderr).contains(&format!(
        "no API token for {origin}. Run `xc-avatar token set"
    )));
}

/// A token in the keyring that is not one (written by another program, or damaged): named as
/// such with what to do, never shown, nothing sent; `token forget` then clears it.
#[test]
#[ignore = "needs a Secret Service on a D-Bus session bus: scripts/test starts one"]
fn a_damaged_stored_token_is_named_never_shown_and_can_be_forgotten() {
    support::require_secret_service();
    let tenant = FakeTenant::start();
    let origin = tenant.url();
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    const DAMAGED: &str = "damaged\u{1b}[31mtoken";
    let mut store = Command::new("secret-tool")
        .args(["store", "--label", "xc-avatar test", "service", "xc-avatar"])
        .args(["username", &origin])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("run secret-tool store");
    std::io::Write::write_all(&mut store.stdin.take().expect("stdin"), DAMAGED.as_bytes())
        .expect("write the secret");
    assert!(store.wait().expect("secret-tool store").success());
    assert_eq!(
        support::secret_tool_lookup(&origin).as_deref(),
        Some(DAMAGED)
    );

    let photo = support::write_photo(home, "p.jpg", ImageFormat::Jpeg);
    let upload = [
        "upload",
        photo.to_str().expect("utf-8"),
        "--tenant",
        &origin,
    ];
    let output = xc_avatar(home, &upload, "");
    assert_eq!(output.status.code(), Some(11), "{}", text(&output.stderr));
    let message = text(&output.stderr);
    assert!(
        message.contains("the token stored in the keyring is damaged")
            && message.contains("Run `xc-avatar token forget`, then `xc-avatar token set`"),
        "{message}"
    );
    assert!(!message.contains("damaged\u{1b}"), "{message}");
    assert!(tenant.received().is_empty());

    let output = xc_avatar(home, &["token", "forget", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(support::secret_tool_lookup(&origin), None);
}

#[test]
fn without_a_keyring_the_error_says_so_and_nothing_is_written() {
    let tenant = FakeTenant::start();
    let origin = tenant.url();
    let home = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str], stdin: &str| {
        Hermetic::xc_avatar_in(home.path())
            .with_args(args)
            .with_env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/xc-avatar-test-bus",
            )
            .output_with_stdin(stdin)
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
    support::require_secret_service();
    use support::certificates::{CertTenant, P12_PASSWORD};
    let fixture = CertTenant::start();
    let origin = fixture.tenant.url();
    let home = fixture.dir.path().join("home");
    let run = |args: &[&str], stdin: &str| {
        Hermetic::xc_avatar_in(&home)
            .with_args(args)
            .with_env("SSL_CERT_FILE", &fixture.ca_file)
            .with_env("RUST_LOG", "trace")
            .output_with_stdin(stdin)
    };
    let p12 = fixture.ada_p12("ada.p12", true);
    let p12_arg = p12.to_str().expect("utf-8");
    let account = format!("{origin} (API certificate password)");

    let output = run(
        &["cert", "set", p12_arg, "--tenant", &origin],
        "wrong password\n",
    );
    assert_eq!(output.status.code(), Some(14), "{}", text(&output.stderr));
    assert_eq!(support::secret_tool_lookup(&account), None);

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
    assert_eq!(
        support::secret_tool_lookup(&account).as_deref(),
        Some(P12_PASSWORD)
    );

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

    // The password is gone from the keyring (removed by hand, or another keyring): said, with
    // what to do, before the file is even opened, and nothing is sent.
    let cleared = Command::new("secret-tool")
        .args(["clear", "service", "xc-avatar", "username", &account])
        .status()
        .expect("run secret-tool clear");
    assert!(cleared.success());
    let output = run(&["remove"], "");
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!(
            "the password of the API certificate for {origin} is not in the keyring. Run \
             `xc-avatar cert set FILE --tenant {origin}` again"
        )),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(fixture.tenant.received().len(), requests);

    let output = run(&["cert", "forget", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(support::secret_tool_lookup(&account), None);
    let output = run(&["token", "status"], "");
    assert_eq!(output.status.code(), Some(4));
    assert!(
        text(&output.stderr).contains(&format!("no API token for {origin}")),
        "{}",
        text(&output.stderr)
    );
}
