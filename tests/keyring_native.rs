//! A token kept in the OS's own keyring, through the real binary, on every OS: the Keychain on
//! macOS, Credential Manager on Windows, the Secret Service on Linux. `#[ignore]`d, since it needs
//! an OS keyring: the macOS and Windows CI jobs run it with `--include-ignored` (GitHub's runners
//! have both), and so does `scripts/test` inside its private D-Bus session with gnome-keyring.
//! Each run uses a fresh loopback tenant, so it never touches a real entry.

mod support;

use std::process::Output;

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH};
use image::ImageFormat;

/// The user's own HOME stays (macOS finds the login keychain through it); the settings go to
/// `config`.
fn xc_avatar(config: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    support::Hermetic::xc_avatar()
        .with_real_home()
        .with_args(args)
        .with_env("XC_AVATAR_CONFIG_DIR", config)
        .output_with_stdin(stdin)
}

fn says(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
#[ignore = "needs an OS keyring: run with --include-ignored where one is (scripts/test, CI)"]
fn a_token_kept_in_the_os_keyring_is_used_then_forgotten() {
    if cfg!(target_os = "linux") {
        support::require_env(
            "DBUS_SESSION_BUS_ADDRESS",
            "a D-Bus session with a Secret Service",
        );
    }
    let tenant = FakeTenant::start();
    let origin = tenant.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config");

    let output = xc_avatar(
        &config,
        &["token", "set", "--tenant", &origin],
        DEFAULT_TOKEN,
    );
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));

    let output = xc_avatar(&config, &["token", "status", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Ada Lovelace"),
        "{}",
        says(&output)
    );

    // The kept token reaches the tenant; the settings file knows the tenant, not the token.
    let photo = support::write_photo(dir.path(), "me.jpg", ImageFormat::Jpeg);
    let photo = photo.to_string_lossy().into_owned();
    let output = xc_avatar(&config, &["upload", &photo, "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 1);
    assert!(support::files_containing(&config, DEFAULT_TOKEN).is_empty());

    let output = xc_avatar(&config, &["token", "forget", "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));
    let output = xc_avatar(&config, &["upload", &photo, "--tenant", &origin], "");
    assert_eq!(output.status.code(), Some(4), "{}", says(&output));
}
