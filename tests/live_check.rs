//! `scripts/live-check`, the check a maintainer or user runs against a real tenant, run here
//! against the fake tenant exactly as they would: the script drives the real binary with the
//! tenant and token in F5's variables.
// The script is bash; Windows has none by default.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Output;

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, ImageForm, SETTINGS_PATH, StoredImage};
use support::Hermetic;

fn script() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/live-check"))
}

fn live_check(tenant: &FakeTenant, args: &[&str]) -> Output {
    let mut command = Hermetic::program(script())
        .with_args(args)
        .with_env("XC_AVATAR", support::command::xc_avatar_binary())
        .tenant(&tenant.url())
        .token(DEFAULT_TOKEN);
    let output = command.output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains(DEFAULT_TOKEN), "the token was shown: {all}");
    output
}

fn says(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A small real JPEG, the user's picture before the check.
fn original() -> StoredImage {
    let image = image::DynamicImage::ImageRgb8(support::three_stripes());
    StoredImage {
        content_type: "image/jpeg".into(),
        bytes: support::encode(&image, image::ImageFormat::Jpeg),
    }
}

#[test]
fn without_confirm_it_prints_its_plan_and_changes_nothing() {
    let tenant = FakeTenant::start();
    let output = live_check(&tenant, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", says(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("would check xc-avatar") && stdout.contains("run again with --confirm"),
        "{}",
        says(&output)
    );
    assert!(stdout.contains(&tenant.url()), "{}", says(&output));
    assert!(tenant.received().is_empty(), "{:?}", tenant.received());
}

/// With a picture: whoami, read it, upload the test picture, read it back, put the original
/// back byte for byte, and check. Both forms of GET image a tenant may send.
#[test]
fn with_confirm_it_uploads_reads_back_and_puts_the_original_back_byte_for_byte() {
    for form in [ImageForm::Json, ImageForm::Raw] {
        let tenant = FakeTenant::start();
        tenant.set_image_form(form);
        let before = original();
        tenant.set_image(DEFAULT_TOKEN, before.clone());
        let output = live_check(&tenant, &["--confirm"]);
        assert_eq!(output.status.code(), Some(0), "{form:?}: {}", says(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        for line in [
            "1. whoami",
            "2. download the current picture",
            "3. upload a test picture",
            "4. download it again",
            "the same ",
            "5. put the original back",
            "6. check the original is back",
            "your original is back, byte for byte",
            "live-check: PASSED against",
        ] {
            assert!(
                stdout.contains(line),
                "{form:?}: no {line:?}: {}",
                says(&output)
            );
        }
        // Each answer's shape, never its values: whoami's fields are named, not shown.
        assert!(
            stdout.contains("path=\"/api/web/custom/namespaces/system/whoami\" status=200")
                && stdout.contains("\"email\": string(15)")
                && !stdout.contains("ada@example.com"),
            "{form:?}: {}",
            says(&output)
        );
        assert_eq!(tenant.image_of(DEFAULT_TOKEN), Some(before), "{form:?}");
        let methods: Vec<String> = tenant
            .received()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        let image = |method: &str| format!("{method} {IMAGE_PATH}");
        assert_eq!(
            methods,
            [
                "GET /api/web/custom/namespaces/system/whoami".to_owned(),
                image("GET"),
                image("PUT"),
                image("GET"),
                image("PUT"),
                image("GET"),
            ],
            "{form:?}"
        );
        // The test picture was a real avatar, and different from the original.
        let puts = tenant.received_on("PUT", IMAGE_PATH);
        let sent = puts[0].json().expect("JSON body");
        assert_eq!(sent["content_type"], "image/jpeg");
        assert_ne!(puts[0].body, puts[1].body);
    }
}

/// With no picture: the test picture is removed at the end, and that is checked.
#[test]
fn with_no_picture_the_test_picture_is_removed_at_the_end() {
    let tenant = FakeTenant::start();
    let output = live_check(&tenant, &["--confirm"]);
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("you have no picture now") && stdout.contains("no picture, as before"),
        "{}",
        says(&output)
    );
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), None);
    assert_eq!(tenant.received_on("DELETE", IMAGE_PATH).len(), 1);
    // "No picture" was asked of the image (404) and confirmed by the settings, twice.
    assert_eq!(tenant.received_on("GET", SETTINGS_PATH).len(), 2);
}

/// A tenant that does not give back what was sent: a difference, exit 1, and the original is
/// still put back.
#[test]
fn a_picture_read_back_different_is_a_failure_and_the_original_still_goes_back() {
    let tenant = FakeTenant::start();
    let before = original();
    tenant.set_image(DEFAULT_TOKEN, before.clone());
    // The read-back (the 2nd GET of the picture) answers the original instead of the upload.
    tenant.push(fake_tenant::Scripted::Delay(std::time::Duration::ZERO)); // whoami
    tenant.push(fake_tenant::Scripted::Delay(std::time::Duration::ZERO)); // GET
    tenant.push(fake_tenant::Scripted::Delay(std::time::Duration::ZERO)); // PUT
    tenant.push(fake_tenant::Scripted::Status {
        status: 200,
        body: serde_json::json!({
            "content_type": "image/jpeg",
            "data": base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                &before.bytes
            ),
        })
        .to_string(),
        retry_after: None,
    });
    let output = live_check(&tenant, &["--confirm"]);
    assert_eq!(output.status.code(), Some(1), "{}", says(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("DIFFERENCE: read back") && stdout.contains("live-check: FAILED (1 "),
        "{}",
        says(&output)
    );
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), Some(before));
}

/// A credential that does not work stops it before anything changes.
#[test]
fn a_refused_token_stops_it_before_any_change() {
    let tenant = FakeTenant::start();
    tenant.revoke_token(DEFAULT_TOKEN);
    let output = live_check(&tenant, &["--confirm"]);
    assert_eq!(output.status.code(), Some(1), "{}", says(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("1. whoami") && stdout.contains("FAILED (exit 4)"),
        "{}",
        says(&output)
    );
    assert!(stdout.contains("nothing was changed"), "{}", says(&output));
    assert_eq!(tenant.received().len(), 1);
}

// ---- the two commands the script needs --------------------------------------------------

/// `upload --exact` sends a picture as it is, and refuses what is not one (or is too large, or
/// comes with framing flags) before any request.
#[test]
fn upload_exact_sends_the_bytes_unchanged_or_refuses_before_any_request() {
    let tenant = FakeTenant::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let picture = original();
    let saved = dir.path().join("me.jpg");
    std::fs::write(&saved, &picture.bytes).expect("write picture");
    let xc_avatar = |args: &[&str]| {
        Hermetic::xc_avatar()
            .with_args(args)
            .tenant(&tenant.url())
            .token(DEFAULT_TOKEN)
            .output()
    };
    let path = saved.to_str().expect("utf-8");
    let output = xc_avatar(&["upload", "--exact", path]);
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&format!(
            "uploaded {path} unchanged to {} (image/jpeg, {} bytes)",
            tenant.url(),
            picture.bytes.len()
        )),
        "{}",
        says(&output)
    );
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), Some(picture));

    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "not a picture").expect("write");
    let huge = dir.path().join("huge.jpg");
    let file = std::fs::File::create(&huge).expect("create");
    file.set_len(5 * 1024 * 1024).expect("sparse 5 MiB");
    let before = tenant.received().len();
    for (args, code, says_what) in [
        (
            vec!["upload", "--exact", text.to_str().expect("utf-8")],
            3,
            "notes.jpg: not a picture to send as it is: 13 bytes of no image format",
        ),
        (
            vec!["upload", "--exact", huge.to_str().expect("utf-8")],
            3,
            "huge.jpg: larger than 4 MiB",
        ),
        (
            vec!["upload", "--exact", "/no/such/file.jpg"],
            3,
            "/no/such/file.jpg: cannot read it: ",
        ),
        (
            vec!["upload", "--exact", path, "--crop", "0,0,10"],
            2,
            "the argument '--exact' cannot be used with '--crop <X,Y,SIDE>'",
        ),
    ] {
        let output = xc_avatar(&args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}: {}",
            says(&output)
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says_what),
            "{args:?}: {}",
            says(&output)
        );
    }
    assert_eq!(tenant.received().len(), before, "a refused file was sent");
}

/// `whoami` names who the credential acts as, or says why it does not work.
#[test]
fn whoami_names_the_user_or_the_refusal() {
    let tenant = FakeTenant::start();
    let run = |token: &str, json: bool| {
        let mut command = Hermetic::xc_avatar()
            .with_args(["whoami"])
            .tenant(&tenant.url())
            .token(token);
        if json {
            command.arg("--json");
        }
        command.output()
    };
    let output = run(DEFAULT_TOKEN, false);
    assert_eq!(output.status.code(), Some(0), "{}", says(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!(
            "{} acts as Ada Lovelace <ada@example.com> on tenant acme",
            tenant.url()
        )
    );
    let output = run(DEFAULT_TOKEN, true);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(json["ok"], true);
    assert_eq!(json["user"]["email"], "ada@example.com");
    assert_eq!(json["user"]["tenant"], "acme");

    let output = run("an-unknown-token", false);
    assert_eq!(output.status.code(), Some(4), "{}", says(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("rejected the API token"),
        "{}",
        says(&output)
    );
}
