//! The headless commands end to end: the real binary against the fake tenant on loopback.

mod support;

use std::process::Output;
use std::time::Duration;

use base64::Engine as _;
use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, Scripted};
use image::ImageFormat;
use support::Hermetic;

/// `xc-avatar ARGS` in a fresh HOME with no saved settings (the tests say which tenant), the
/// tenant and token in F5's variables when given, every log line asked for.
fn xc_avatar(args: &[&str], tenant: Option<&str>, token: Option<&str>) -> Output {
    let mut command = Hermetic::xc_avatar()
        .with_args(args)
        .with_env("RUST_LOG", "trace");
    if let Some(tenant) = tenant {
        command = command.tenant(tenant);
    }
    if let Some(token) = token {
        command = command.token(token);
    }
    command.output()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `upload` of a stripes photo against `tenant` with `token`.
fn upload(tenant: &FakeTenant, token: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(dir.path(), "photo.jpg", ImageFormat::Jpeg);
    let mut args = vec!["upload", photo.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let output = xc_avatar(&args, Some(&tenant.url()), Some(token));
    assert!(
        !stderr(&output).contains("panicked"),
        "xc-avatar panicked:\n{}",
        stderr(&output)
    );
    assert!(
        !stdout(&output).contains(token) && !stderr(&output).contains(token),
        "the token appeared in the output"
    );
    output
}

#[test]
fn upload_sends_a_512_jpeg_with_the_api_token() {
    let tenant = FakeTenant::start();
    let output = upload(&tenant, DEFAULT_TOKEN, &[]);

    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let line = stdout(&output);
    assert!(
        line.contains("uploaded your new profile picture to http://127.0.0.1")
            && line.contains("512×512 JPEG"),
        "stdout: {line}"
    );
    assert_eq!(line.lines().count(), 1, "one line of output: {line}");

    let puts = tenant.received_on("PUT", IMAGE_PATH);
    assert_eq!(puts.len(), 1, "exactly one upload");
    let put = &puts[0];
    assert_eq!(put.status, 200);
    assert_eq!(
        put.header("authorization"),
        Some(format!("APIToken {DEFAULT_TOKEN}").as_str())
    );
    assert!(
        put.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    assert!(
        put.header("user-agent")
            .is_some_and(|ua| ua.starts_with("xc-avatar/"))
    );
    let body = put.json().expect("JSON body");
    let fields: Vec<&String> = body.as_object().expect("JSON object").keys().collect();
    assert_eq!(fields, ["content_type", "image"]);
    assert_eq!(body["content_type"], "image/jpeg");
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(body["image"].as_str().expect("image is a string"))
        .expect("standard base64");
    support::assert_is_stripes_avatar(&jpeg, 512);
    assert_eq!(tenant.image_of(DEFAULT_TOKEN).map(|i| i.bytes), Some(jpeg));
}

/// (scripted answer, exit code, words of our message, words of the next step)
#[test]
fn each_error_status_reaches_the_user_with_its_exit_code() {
    let cases: [(u16, i32, &str, &str); 9] = [
        (
            401,
            4,
            "rejected the API token (HTTP 401)",
            "create a new API token",
        ),
        (
            403,
            5,
            "may not change its picture on this tenant (HTTP 403)",
            "administrator",
        ),
        (404, 6, "has no such API (HTTP 404)", "Check the tenant URL"),
        (
            409,
            7,
            "changed elsewhere at the same time (HTTP 409)",
            "Try again.",
        ),
        (
            429,
            8,
            "rate limiting requests (HTTP 429)",
            "Try again in 1 s.",
        ),
        (
            500,
            9,
            "server error (HTTP 500)",
            "Try again in a few minutes",
        ),
        (
            503,
            9,
            "server error (HTTP 503)",
            "Try again in a few minutes",
        ),
        (
            504,
            9,
            "server error (HTTP 504)",
            "Try again in a few minutes",
        ),
        (
            418,
            9,
            "unexpected HTTP status 418",
            "Try again in a few minutes",
        ),
    ];
    let tenant = FakeTenant::start();
    for (status, code, words, next_step) in cases {
        // 429, 503 and 504 are retried 3 times: the fourth answer is final.
        let answers = if matches!(status, 429 | 503 | 504) {
            4
        } else {
            1
        };
        for _ in 0..answers {
            tenant.push(Scripted::status(status, "the server's own words").with_retry_after("0"));
        }
        let output = upload(&tenant, DEFAULT_TOKEN, &[]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(code), "HTTP {status}: {message}");
        assert!(message.contains(words), "HTTP {status}: {message}");
        assert!(message.contains(next_step), "HTTP {status}: {message}");
        assert!(
            message.contains("server said: \"the server's own words\""),
            "HTTP {status} shows the server's text: {message}"
        );
        assert!(stdout(&output).is_empty(), "nothing on stdout on failure");
    }
}

#[test]
fn an_unknown_token_is_rejected_by_the_tenant() {
    let tenant = FakeTenant::start();
    let output = upload(&tenant, "not-a-real-token", &[]);
    assert_eq!(output.status.code(), Some(4));
    let message = stderr(&output);
    assert!(message.contains("rejected the API token"), "{message}");
    assert!(
        message.contains("Invalid or expired API token"),
        "{message}"
    );
    assert!(message.contains("update it"), "{message}");
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), None);
}

#[test]
fn a_redirect_is_reported_and_the_token_goes_nowhere_else() {
    let tenant = FakeTenant::start();
    let elsewhere = FakeTenant::start();
    tenant.push(Scripted::Redirect {
        status: 307,
        location: format!("{}{IMAGE_PATH}", elsewhere.url()),
    });
    let output = upload(&tenant, DEFAULT_TOKEN, &[]);
    assert_eq!(output.status.code(), Some(9));
    assert!(stderr(&output).contains(&format!("redirects to {}", elsewhere.url())));
    assert!(
        stderr(&output).contains(&format!(
            "Use the tenant URL it points to ({}{IMAGE_PATH}) if you trust it.",
            elsewhere.url()
        )),
        "{}",
        stderr(&output)
    );
    assert!(
        elsewhere.received().is_empty(),
        "the other origin got a request"
    );
}

#[test]
fn a_reset_and_a_slow_server_are_network_errors() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::Reset);
    let output = upload(&tenant, DEFAULT_TOKEN, &[]);
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("was reset or closed"),
        "{}",
        stderr(&output)
    );

    tenant.push(Scripted::Delay(Duration::from_secs(5)));
    let output = upload(&tenant, DEFAULT_TOKEN, &["--timeout", "1"]);
    assert_eq!(output.status.code(), Some(10), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("did not answer within 1 s"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn configuration_problems_are_usage_errors_before_any_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(dir.path(), "p.png", ImageFormat::Png);
    let photo = photo.to_str().expect("utf-8 path");

    let output = xc_avatar(&["upload", photo], None, Some("t"));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no tenant: pass --tenant URL, set F5XC_API_URL"));

    let output = xc_avatar(
        &["upload", photo, "--tenant", "http://acme.example.com"],
        None,
        Some("t"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("http:// is only allowed for this computer"));

    for (tenant, words) in [
        (
            "ftp://acme.example.com",
            "ftp:// is not supported: use https://",
        ),
        ("https://[acme", "\"https://[acme\" is not a valid URL"),
        (
            "https://ada:secret@acme.example.com",
            "the tenant URL must not contain a user name or password",
        ),
    ] {
        let output = xc_avatar(&["upload", photo, "--tenant", tenant], None, Some("t"));
        assert_eq!(output.status.code(), Some(2), "{tenant}");
        assert!(
            stderr(&output).contains(words),
            "{tenant}: {}",
            stderr(&output)
        );
    }

    // A token in the environment that no header can carry: refused before any request.
    let tenant = FakeTenant::start();
    let output = xc_avatar(&["upload", photo], Some(&tenant.url()), Some("two words"));
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "F5XC_API_TOKEN: the API token contains spaces or control characters: paste only the token"
        ),
        "{}",
        stderr(&output)
    );
    assert!(tenant.received().is_empty());
}

/// `tenants --default`, and a settings file that is damaged or cannot be saved: each says so.
#[test]
fn the_default_tenant_is_saved_and_settings_file_problems_are_named() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config");
    let tenants = |config: &std::path::Path, args: &[&str]| {
        Hermetic::xc_avatar_in(home.path())
            .with_arg("tenants")
            .with_args(args)
            .with_env("XC_AVATAR_CONFIG_DIR", config)
            .output()
    };

    let output = tenants(&config, &[]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("no tenants set up yet"),
        "{}",
        stdout(&output)
    );

    let output = tenants(&config, &["--default", "acme"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("https://acme.console.ves.volterra.io is now the default tenant"),
        "{}",
        stdout(&output)
    );
    let output = tenants(&config, &[]);
    assert!(
        stdout(&output).contains("https://acme.console.ves.volterra.io (default)"),
        "{}",
        stdout(&output)
    );
    let output = tenants(&config, &["--default", "ftp://acme"]);
    assert_eq!(output.status.code(), Some(2));

    // Damaged: named, set aside, and the command goes on with no saved tenants.
    std::fs::write(config.join("settings.json"), "{ not json").expect("damage");
    let output = tenants(&config, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("was damaged (")
            && stderr(&output).contains("it was set aside as"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("no tenants set up yet"));

    // Cannot be saved: the folder is a file.
    let blocked = home.path().join("a-file");
    std::fs::write(&blocked, "").expect("file");
    let output = tenants(&blocked.join("config"), &["--default", "acme"]);
    assert!(
        stderr(&output).contains("cannot save the settings file"),
        "{}",
        stderr(&output)
    );
}

/// `xc-avatar` with no command and no display: says why no window opens and what to use.
#[cfg(target_os = "linux")]
#[test]
fn without_a_display_the_app_says_to_use_the_commands() {
    let output = Hermetic::xc_avatar()
        .without_env("DISPLAY")
        .without_env("WAYLAND_DISPLAY")
        .output();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("xc-avatar: error: cannot open a window: ")
            && stderr(&output)
                .contains(". Without a display, use the commands in `xc-avatar --help`."),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_file_that_is_not_an_image_is_refused_with_exit_3() {
    let tenant = FakeTenant::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("saved-page.jpg");
    std::fs::write(
        &page,
        "<!doctype html><html><body>not a photo</body></html>",
    )
    .expect("write");
    let output = xc_avatar(
        &["upload", page.to_str().expect("utf-8 path")],
        Some(&tenant.url()),
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("this is a web page saved under an image name"),
        "{}",
        stderr(&output)
    );
    assert!(tenant.received().is_empty());
}

#[test]
fn prepare_writes_what_upload_would_send_and_leaves_the_original_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(dir.path(), "photo.webp", ImageFormat::WebP);
    let before = std::fs::read(&photo).expect("read photo");
    let out = dir.path().join("avatar.jpg");
    let output = xc_avatar(
        &[
            "prepare",
            photo.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ],
        None,
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("512×512 JPEG"));
    support::assert_is_stripes_avatar(&std::fs::read(&out).expect("read avatar"), 512);
    assert_eq!(std::fs::read(&photo).expect("read photo"), before);
}

/// Runs `prepare` on `photo` with `flags`, returning the run and the avatar it wrote.
fn prepare(photo: &std::path::Path, flags: &[&str]) -> (Output, Option<Vec<u8>>) {
    let out = photo.with_file_name("avatar.out");
    let _ = std::fs::remove_file(&out);
    let mut args = vec![
        "prepare",
        photo.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(flags);
    let output = xc_avatar(&args, None, None);
    (output, std::fs::read(&out).ok())
}

#[test]
fn prepare_flags_choose_size_crop_rotation_format_and_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(dir.path(), "photo.png", ImageFormat::Png);

    // --size and --crop: the blue stripe only (x ≥ 427 of 640).
    let (output, avatar) = prepare(
        &photo,
        &["--size", "128", "--crop", "460,100,160", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let image = image::load_from_memory(&avatar.expect("written"))
        .expect("decodes")
        .to_rgb8();
    assert_eq!(image.dimensions(), (128, 128));
    support::assert_near(
        image.get_pixel(10, 10).0,
        support::BLUE,
        "left of blue crop",
    );
    support::assert_near(
        image.get_pixel(118, 118).0,
        support::BLUE,
        "right of blue crop",
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(json["avatar"]["width"], 128);
    assert_eq!(json["avatar"]["quality"], 85);

    // --rotate 90: the picture is 480×640, the red stripe now on top; crops are in that space.
    let (output, avatar) = prepare(&photo, &["--rotate", "90", "--size", "64"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let image = image::load_from_memory(&avatar.expect("written"))
        .expect("decodes")
        .to_rgb8();
    support::assert_near(image.get_pixel(32, 3).0, support::RED, "top after turning");
    support::assert_near(
        image.get_pixel(32, 60).0,
        support::BLUE,
        "bottom after turning",
    );
    let (output, _) = prepare(&photo, &["--rotate", "90", "--crop", "0,600,40"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (output, _) = prepare(&photo, &["--crop", "0,600,40"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--crop 0,600,40 does not fit in")
            && stderr(&output).contains("(640×480 pixels)"),
        "{}",
        stderr(&output)
    );

    // --format png: a PNG, and what is written is what upload sends (content type in --json).
    let (output, avatar) = prepare(&photo, &["--format", "png", "--size", "64", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(avatar.expect("written").starts_with(b"\x89PNG"));
    assert!(stdout(&output).contains("image/png"), "{}", stdout(&output));

    // --max-bytes: quality lowered to fit; impossible budgets are a usage error (2).
    let (_, usual) = prepare(&photo, &[]);
    let budget = (usual.expect("written").len() * 4 / 5).to_string();
    let (output, avatar) = prepare(&photo, &["--max-bytes", &budget, "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(avatar.expect("written").len() <= budget.parse().expect("number"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let quality = json["avatar"]["quality"].as_u64().expect("quality");
    assert!((40..85).contains(&quality), "quality {quality}");
    let (output, avatar) = prepare(&photo, &["--size", "2048", "--max-bytes", "1024"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(avatar.is_none());
    assert!(
        stderr(&output).contains("does not fit in 1024 bytes"),
        "{}",
        stderr(&output)
    );

    // Bad values are usage errors that say what is expected.
    for (flags, words) in [
        (&["--size", "32"][..], "32 is not in 64..=2048"),
        (&["--crop", "1,2"][..], "expected X,Y,SIDE"),
        (&["--rotate", "45"][..], "invalid value '45'"),
        (&["--format", "gif"][..], "invalid value 'gif'"),
        (&["--max-bytes", "10"][..], "at least 1024 bytes"),
    ] {
        let (output, _) = prepare(&photo, flags);
        assert_eq!(output.status.code(), Some(2), "{flags:?}");
        assert!(
            stderr(&output).contains(words),
            "{flags:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn upload_takes_the_same_flags_as_prepare() {
    let tenant = FakeTenant::start();
    let output = upload(&tenant, DEFAULT_TOKEN, &["--size", "96", "--format", "png"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let body: serde_json::Value =
        serde_json::from_slice(&tenant.received()[0].body).expect("json body");
    assert_eq!(body["content_type"], "image/png");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body["image"].as_str().expect("image"))
        .expect("base64");
    let png = image::load_from_memory_with_format(&bytes, ImageFormat::Png).expect("png");
    assert_eq!((png.width(), png.height()), (96, 96));
}

#[test]
fn help_documents_every_command_and_the_exit_codes() {
    for args in [
        &["--help"][..],
        &["upload", "--help"],
        &["prepare", "--help"],
    ] {
        let output = xc_avatar(args, None, None);
        assert_eq!(output.status.code(), Some(0));
        assert!(
            stdout(&output).contains("Usage: xc-avatar"),
            "{}",
            stdout(&output)
        );
    }
    let help = stdout(&xc_avatar(&["upload", "--help"], None, None));
    assert!(
        help.contains("10 network: DNS, connect, reset, TLS, timeout"),
        "{help}"
    );
    assert!(help.contains("never from a flag"));
}

#[test]
fn a_rate_limit_is_waited_out_then_the_upload_succeeds() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::status(429, "slow down").with_retry_after("1"));
    let output = upload(&tenant, DEFAULT_TOKEN, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 2);
}

#[test]
fn network_failures_are_exit_10_and_name_the_host() {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(dir.path(), "p.jpg", ImageFormat::Jpeg);
    let photo = photo.to_str().expect("utf-8 path");
    let tenant = FakeTenant::start();
    let closed = fake_tenant::ClosedPort::new();
    let cases = [
        (closed.url(), "refused the connection".to_owned()),
        (
            "https://xc-avatar-test.invalid".to_owned(),
            "cannot find the host xc-avatar-test.invalid (DNS lookup failed)".to_owned(),
        ),
        (
            format!("https://{}", tenant.addr()),
            "secure connection to 127.0.0.1 failed".to_owned(),
        ),
        (
            format!("https://{}", tenant.addr()),
            "The certificate of 127.0.0.1 is not trusted: if a corporate proxy inspects HTTPS, \
             its root certificate must be installed in the system store."
                .to_owned(),
        ),
        (
            "https://xc-avatar-test.invalid".to_owned(),
            "Check the tenant URL and your network or proxy settings.".to_owned(),
        ),
    ];
    for (url, words) in cases {
        let output = xc_avatar(&["upload", photo], Some(&url), Some(DEFAULT_TOKEN));
        assert_eq!(output.status.code(), Some(10), "{url}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&words),
            "{url}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn current_writes_the_picture_with_its_extension_and_remove_deletes_it() {
    let tenant = FakeTenant::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("me");
    let out_arg = out.to_str().expect("utf-8 path");
    let url = Some(tenant.url());
    let run = |args: &[&str]| xc_avatar(args, url.as_deref(), Some(DEFAULT_TOKEN));

    let output = run(&["current", "-o", out_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("you have no profile picture on http://127.0.0.1"));
    assert!(!dir.path().join("me.jpg").exists());

    assert_eq!(upload(&tenant, DEFAULT_TOKEN, &[]).status.code(), Some(0));
    let output = run(&["current", "-o", out_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = dir.path().join("me.jpg");
    assert!(
        stdout(&output).contains("me.jpg (image/jpeg"),
        "{}",
        stdout(&output)
    );
    support::assert_is_stripes_avatar(&std::fs::read(&written).expect("me.jpg"), 512);

    // A name with the wrong extension gets the right one (written afresh: the earlier me.jpg
    // is gone first, so only this run can have written it).
    std::fs::remove_file(&written).expect("remove me.jpg");
    let wrong = dir.path().join("me.png");
    let output = run(&["current", "-o", wrong.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!wrong.exists());
    support::assert_is_stripes_avatar(&std::fs::read(&written).expect("me.jpg again"), 512);

    let output = run(&["remove"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("removed your profile picture on http://127.0.0.1"));
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), None);
}

#[test]
fn json_output_for_scripts() {
    let tenant = FakeTenant::start();
    let output = upload(&tenant, DEFAULT_TOKEN, &["--json"]);
    assert_eq!(output.status.code(), Some(0));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(result["ok"], true);
    assert_eq!(result["command"], "upload");
    assert_eq!(result["tenant"], tenant.url());
    assert_eq!(result["avatar"]["content_type"], "image/jpeg");
    assert_eq!(result["avatar"]["width"], 512);

    tenant.push(Scripted::status(403, "role lacks user.settings"));
    let output = upload(&tenant, DEFAULT_TOKEN, &["--json"]);
    assert_eq!(output.status.code(), Some(5));
    assert!(
        !stderr(&output).contains("xc-avatar: error:"),
        "--json puts the error on stdout only"
    );
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(result["ok"], false);
    assert_eq!(result["exit_code"], 5);
    assert_eq!(result["error"]["kind"], "forbidden");
    assert_eq!(result["error"]["status"], 403);
    assert_eq!(result["error"]["server_text"], "role lacks user.settings");
    assert!(
        result["error"]["next_step"]
            .as_str()
            .is_some_and(|s| s.contains("administrator"))
    );
}

/// Every command, with a recognisable token and trace logging: the token appears in no output,
/// log line or file the program wrote.
#[test]
fn the_token_never_leaks() {
    const CANARY: &str = "CANARY-xc-avatar-token-7f3a9c";
    let tenant = FakeTenant::start();
    tenant.add_token(CANARY, fake_tenant::User::ada());
    let home = tempfile::tempdir().expect("temp dir");
    let photo = support::write_photo(home.path(), "p.jpg", ImageFormat::Jpeg);
    let photo = photo.to_str().expect("utf-8");
    let out = home.path().join("out");
    let out = out.to_str().expect("utf-8");
    // (arguments, the exit code that shows the run did what it should)
    let runs: [(&[&str], i32); 8] = [
        (&["upload", photo], 0),
        (&["upload", photo, "--json"], 0),
        (&["current", "-o", out], 0),
        (&["current", "-o", out, "--json"], 0),
        (&["remove"], 0),
        (&["prepare", photo, "-o", out], 0),
        (&["upload", "/no/such/file.jpg"], 3),
        (&["--help"], 0),
    ];
    for (args, code) in runs {
        let output = Hermetic::xc_avatar_in(home.path())
            .with_args(args)
            .tenant(&tenant.url())
            .token(CANARY)
            .with_env("RUST_LOG", "trace")
            .output();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{args:?}: {}",
            stderr(&output)
        );
        for (name, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !String::from_utf8_lossy(text).contains(CANARY),
                "{args:?}: the token is in {name}"
            );
        }
    }
    // Failed runs too: a 401 with the token's own words must not echo it back.
    tenant.push(Scripted::status(401, "bad token"));
    let output = upload(&tenant, CANARY, &[]);
    assert_eq!(output.status.code(), Some(4));

    assert_eq!(
        support::files_containing(home.path(), CANARY),
        Vec::<String>::new(),
        "the token is in a file"
    );
    // The runs did reach the tenant: two uploads and the failed one, two reads, one removal.
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 3);
    assert_eq!(tenant.received_on("GET", IMAGE_PATH).len(), 2);
    assert_eq!(tenant.received_on("DELETE", IMAGE_PATH).len(), 1);
    let canary_auth = format!("APIToken {CANARY}");
    for request in tenant.received() {
        // Only in its one header: not in the URI (the fake reports any other header).
        assert_eq!(
            request.header("authorization"),
            Some(canary_auth.as_str()),
            "{} {}",
            request.method,
            request.uri
        );
        assert!(!request.uri.contains(CANARY), "{}", request.uri);
    }
}

#[test]
fn bad_images_get_specific_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A BMP header claiming 65535×65535 pixels: refused before any pixel is allocated.
    let mut huge_bmp = b"BM".to_vec();
    huge_bmp.extend_from_slice(&[0; 8]);
    huge_bmp.extend_from_slice(&54u32.to_le_bytes());
    huge_bmp.extend_from_slice(&40u32.to_le_bytes());
    huge_bmp.extend_from_slice(&65535i32.to_le_bytes());
    huge_bmp.extend_from_slice(&65535i32.to_le_bytes());
    huge_bmp.extend_from_slice(&1u16.to_le_bytes());
    huge_bmp.extend_from_slice(&24u16.to_le_bytes());
    huge_bmp.extend_from_slice(&[0; 24]);
    let cases: [(&str, &[u8], &str); 5] = [
        ("empty.jpg", b"", "the file is empty"),
        (
            "photo.heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
            "the image is damaged or truncated",
        ),
        (
            "logo.png",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "SVG images are not supported",
        ),
        ("huge.bmp", &huge_bmp, "the image is too large"),
        (
            "cut.jpg",
            &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16],
            "the image is damaged or truncated",
        ),
    ];
    for (name, bytes, words) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let output = xc_avatar(
            &["prepare", path.to_str().expect("utf-8"), "-o", "/dev/null"],
            None,
            None,
        );
        assert_eq!(output.status.code(), Some(3), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(words),
            "{name}: {}",
            stderr(&output)
        );
    }
    let output = xc_avatar(
        &["prepare", "/no/such/photo.jpg", "-o", "/dev/null"],
        None,
        None,
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("cannot read /no/such/photo.jpg"),
        "{}",
        stderr(&output)
    );
}

/// A camera-size JPEG of the quadrant card stored sideways or mirrored (EXIF 5–8), turned a
/// quarter right by the user and cropped off centre: what reaches the tenant shows the right
/// colour in every corner.
#[test]
fn exif_orientation_a_quarter_turn_and_an_off_centre_crop_reach_the_tenant_right() {
    let tenant = FakeTenant::start();
    let dir = tempfile::tempdir().expect("temp dir");
    // In the turned 1600×2400 picture the quadrants meet at (700, 1000): this square holds the
    // junction, off the picture's centre (800, 1200).
    let crop = (400.0, 700.0, 600.0);
    for orientation in 5..=8u8 {
        let photo = dir.path().join(format!("card-exif-{orientation}.jpg"));
        std::fs::write(&photo, support::card_jpeg(orientation)).expect("write the card");
        let output = xc_avatar(
            &[
                "upload",
                photo.to_str().expect("utf-8"),
                "--rotate",
                "90",
                "--crop",
                "400,700,600",
                "--size",
                "256",
            ],
            Some(&tenant.url()),
            Some(DEFAULT_TOKEN),
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let stored = tenant.image_of(DEFAULT_TOKEN).expect("uploaded");
        let avatar = image::load_from_memory(&stored.bytes)
            .expect("decodes")
            .to_rgb8();
        assert_eq!(avatar.dimensions(), (256, 256));
        support::assert_card_corners(&avatar, 1, crop, &format!("EXIF {orientation}"));
    }
}
