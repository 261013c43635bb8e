//! Nothing unbounded, nothing of a secret shown: the real binary against hostile servers,
//! proxies and files of our own, its peak memory read with wait4 and compared with a baseline
//! run of the same binary measured the same way.
// FIFOs, /dev/zero, sparse files and wait4 are Unix things; Windows CI skips this file.
#![cfg(unix)]

mod hostile;
mod support;

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use hostile::{HostileServer, RecordingProxy, Reply, Usage, run_measured};
use support::Hermetic;

const TOKEN: &str = "cli-limits-token-8d2e71";
/// Longest any of these runs may take before it counts as a hang.
const DEADLINE: Duration = Duration::from_secs(60);
/// Headroom over the baseline run for the ceilings these tests hit (4 MiB for a picture, the
/// growth of the buffer holding it, and a chunk in flight).
const HEADROOM_KIB: u64 = 24 * 1024;

/// `xc-avatar ARGS` in a fresh HOME with no saved settings, no proxy, no RUST_LOG or NO_COLOR
/// of ours, the tenant and token given (if any) through F5's variables.
fn xc_avatar(args: &[&str], tenant: Option<&str>) -> Hermetic {
    let command = Hermetic::xc_avatar().with_args(args).token(TOKEN);
    match tenant {
        Some(tenant) => command.tenant(tenant),
        None => command,
    }
}

fn run(command: &mut Command) -> Usage {
    let usage = run_measured(command, DEADLINE, |_| {});
    assert_clean(&usage);
    usage
}

/// No panic, no token, no escape sequence in anything the binary printed.
fn assert_clean(usage: &Usage) {
    let all = format!("{}{}", usage.stdout, usage.stderr);
    assert!(usage.code.is_some(), "killed (a hang?): {usage:?}");
    assert!(!all.contains("panicked"), "{all}");
    assert!(!all.contains(TOKEN), "the token was shown: {all}");
    assert!(
        !all.contains('\u{1b}'),
        "an escape sequence was shown: {all:?}"
    );
}

/// Peak RSS of the binary doing something small (`--version`), measured as the others are.
fn baseline_kib() -> u64 {
    run(&mut xc_avatar(&["--version"], None)).peak_rss_kib
}

fn assert_within_ceiling(what: &str, usage: &Usage) {
    let baseline = baseline_kib();
    println!(
        "{what}: peak RSS {} KiB, baseline {} KiB (+{} KiB allowed)",
        usage.peak_rss_kib, baseline, HEADROOM_KIB
    );
    assert!(
        usage.peak_rss_kib < baseline + HEADROOM_KIB,
        "{what}: peak RSS {} KiB, baseline {baseline} KiB",
        usage.peak_rss_kib
    );
}

fn endless(status: u16, content_type: &str) -> Reply {
    Reply::Endless {
        status,
        headers: vec![format!("Content-Type: {content_type}")],
        chunk: vec![0x5A; 64 * 1024],
        cap: 1 << 30,
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn an_endless_picture_ends_with_exit_9_bounded_memory_and_no_file() {
    let server = HostileServer::start(|_| endless(200, "image/jpeg"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("me");
    let usage = run(&mut xc_avatar(
        &["current", "-o", out.to_str().expect("utf-8")],
        Some(&server.url()),
    ));
    assert_eq!(usage.code, Some(9), "{usage:?}");
    assert_eq!(
        usage.stderr.trim(),
        "xc-avatar: error: the tenant sent more than 4 MiB for your picture. Check the tenant \
         URL points to an F5 Distributed Cloud Console, and that no proxy rewrites its answers; \
         if it does, report it to F5 support."
    );
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
    assert!(server.streamed(1)[0].closed_by_client);
    assert_within_ceiling("endless picture", &usage);
}

#[test]
fn an_endless_error_body_ends_with_exit_9_and_bounded_memory() {
    let server = HostileServer::start(|_| endless(500, "text/plain"));
    let usage = run(&mut xc_avatar(&["remove", "--json"], Some(&server.url())));
    assert_eq!(usage.code, Some(9), "{usage:?}");
    let json: serde_json::Value = serde_json::from_str(&usage.stdout).expect("one JSON object");
    assert_eq!(json["error"]["kind"], "response_too_large");
    assert_eq!(json["error"]["status"], 500);
    assert_eq!(
        json["error"]["message"]
            .as_str()
            .and_then(|m| m.split(". ").next()),
        Some("the tenant sent more than 16 KiB for its error message (HTTP 500)")
    );
    assert_within_ceiling("endless error body", &usage);
}

#[test]
fn a_picture_that_is_not_one_is_never_saved() {
    let server =
        HostileServer::start(|_| Reply::fixed(200, "image/jpeg", "<html>please sign in</html>"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("me.jpg");
    let usage = run(&mut xc_avatar(
        &["current", "-o", out.to_str().expect("utf-8")],
        Some(&server.url()),
    ));
    assert_eq!(usage.code, Some(9), "{usage:?}");
    assert!(
        usage
            .stderr
            .contains("the tenant answered with something that is not a picture"),
        "{}",
        usage.stderr
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_401_echoing_the_token_with_escapes_shows_neither_in_text_or_json() {
    let server = HostileServer::start(|request| {
        let echoed = request.header("authorization").unwrap_or_default();
        Reply::fixed(
            401,
            "text/plain",
            format!("\x1b[31mdenied\x1b[0m for {echoed}\x1b]0;owned\x07"),
        )
    });
    for json in [false, true] {
        let mut args = vec!["remove"];
        if json {
            args.push("--json");
        }
        let usage = run(&mut xc_avatar(&args, Some(&server.url())));
        assert_eq!(usage.code, Some(4), "{usage:?}");
        let shown = if json { &usage.stdout } else { &usage.stderr };
        assert!(shown.contains("denied for APIToken ***"), "{shown}");
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("APIToken {TOKEN}")))
    );
}

// ---- files ------------------------------------------------------------------------------

fn prepare(input: &Path) -> Usage {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("avatar.jpg");
    let usage = run(&mut xc_avatar(
        &[
            "prepare",
            input.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ],
        None,
    ));
    assert!(!out.exists());
    usage
}

#[test]
fn a_fifo_is_refused_at_once_with_exit_3() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("photo.jpg");
    let path = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    let usage = prepare(&fifo);
    assert_eq!(usage.code, Some(3), "{usage:?}");
    assert_eq!(usage.stderr.lines().count(), 1, "{}", usage.stderr);
    assert!(
        usage
            .stderr
            .contains("is a named pipe (FIFO), not a picture file"),
        "{}",
        usage.stderr
    );
}

#[test]
fn dev_zero_is_refused_with_exit_3_without_reading_it() {
    let usage = prepare(Path::new("/dev/zero"));
    assert_eq!(usage.code, Some(3), "{usage:?}");
    assert!(
        usage.stderr.contains("/dev/zero is a device"),
        "{}",
        usage.stderr
    );
    assert_within_ceiling("/dev/zero", &usage);
}

#[test]
fn a_sparse_20_gb_file_is_too_large_with_exit_3_without_reading_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.jpg");
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(20_000_000_000))
        .expect("sparse file");
    let usage = prepare(&path);
    assert_eq!(usage.code, Some(3), "{usage:?}");
    assert!(
        usage.stderr.contains("is too large (20000 MB)"),
        "{}",
        usage.stderr
    );
    assert_within_ceiling("sparse 20 GB file", &usage);
}

// ---- stdin ------------------------------------------------------------------------------

/// `token set` for a tenant nobody listens on, unverified, the token to come on stdin.
fn token_set() -> Hermetic {
    let mut command = xc_avatar(
        &[
            "token",
            "set",
            "--tenant",
            "http://127.0.0.1:9",
            "--no-verify",
        ],
        None,
    );
    command.env_remove("F5XC_API_TOKEN").stdin(Stdio::piped());
    command
}

#[test]
fn a_gibibyte_on_stdin_is_not_read_as_a_token() {
    let mut command = token_set();
    let (sent_tx, sent_rx) = std::sync::mpsc::channel();
    let usage = run_measured(&mut command, DEADLINE, move |stdin| {
        let mut stdin = stdin.expect("piped stdin");
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0u64;
        // 1 GiB, streamed; stops when the child closes its end.
        while sent < 1 << 30 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
            sent += chunk.len() as u64;
        }
        let _ = sent_tx.send(sent);
    });
    assert_clean(&usage);
    assert_eq!(usage.code, Some(2), "{usage:?}");
    assert!(
        usage
            .stderr
            .starts_with("xc-avatar: reading the token from stdin…\n"),
        "{}",
        usage.stderr
    );
    assert!(
        usage.stderr.contains("stdin holds more than 4 KiB"),
        "{}",
        usage.stderr
    );
    let sent = sent_rx.recv().expect("bytes sent");
    assert!(sent < 1 << 30, "the child read all of stdin ({sent} bytes)");
    assert_within_ceiling("1 GiB on stdin", &usage);
}

#[test]
fn without_a_keyring_token_set_suggests_the_environment() {
    let mut command = token_set();
    command.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/xc-avatar-bus",
    );
    let usage = run_measured(&mut command, DEADLINE, |stdin| {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(b"a-token-for-nowhere\n");
        }
    });
    assert_eq!(usage.code, Some(11), "{usage:?}");
    assert!(usage.stderr.contains("F5XC_API_TOKEN"), "{}", usage.stderr);
    assert!(!usage.stderr.contains("session only"), "{}", usage.stderr);
}

// ---- proxies ----------------------------------------------------------------------------

#[test]
fn a_loopback_tenant_never_goes_through_a_proxy() {
    let png = support::encode(
        &image::DynamicImage::ImageRgb8(support::three_stripes()),
        image::ImageFormat::Png,
    );
    let server = HostileServer::start(move |_| Reply::fixed(200, "image/png", png.clone()));
    let proxy = RecordingProxy::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("me");
    let mut command = xc_avatar(
        &["current", "-o", out.to_str().expect("utf-8")],
        Some(&server.url()),
    );
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        command.env(name, proxy.url());
    }
    let usage = run(&mut command);
    assert_eq!(usage.code, Some(0), "{usage:?}");
    assert!(proxy.seen().is_empty(), "the proxy saw {:?}", proxy.seen());
    assert_eq!(server.requests().len(), 1);
    assert!(dir.path().join("me.png").exists());
}

#[test]
fn an_https_tenant_goes_through_the_proxy_only_as_connect() {
    let proxy = RecordingProxy::start();
    let mut command = xc_avatar(&["remove"], Some("https://acme.console.ves.volterra.io"));
    command.env("HTTPS_PROXY", proxy.url());
    let usage = run(&mut command);
    // The proxy refused the tunnel: a network failure, nothing sent to the tenant.
    assert_eq!(usage.code, Some(10), "{usage:?}");
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("CONNECT acme.console.ves.volterra.io:443 "),
        "{seen:?}"
    );
    assert!(
        !seen[0].to_ascii_lowercase().contains("authorization") && !seen[0].contains(TOKEN),
        "{seen:?}"
    );
}

// ---- logs -------------------------------------------------------------------------------

/// A TLS server on loopback whose certificate (self-signed, for localhost and 127.0.0.1) no
/// system store trusts: every handshake with it fails at certificate verification.
fn untrusted_tls_server() -> SocketAddr {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let cert = std::fs::read(fixtures.join("self-signed-cert.der")).expect("test certificate");
    let key = std::fs::read(fixtures.join("self-signed-key.der")).expect("test key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
        )
        .expect("server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let Ok(mut connection) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                continue;
            };
            // Handshake until the client gives up on our certificate.
            while connection.is_handshaking() {
                if connection.complete_io(&mut stream).is_err() {
                    break;
                }
            }
        }
    });
    addr
}

#[test]
fn a_tls_failure_prints_our_one_line_and_no_third_party_log() {
    let addr = untrusted_tls_server();
    let tenant = format!("https://{addr}");
    let usage = run(&mut xc_avatar(&["remove"], Some(&tenant)));
    assert_eq!(usage.code, Some(10), "{usage:?}");
    assert_eq!(usage.stderr.lines().count(), 1, "{}", usage.stderr);
    assert!(
        usage
            .stderr
            .starts_with("xc-avatar: error: secure connection to 127.0.0.1 failed"),
        "{}",
        usage.stderr
    );
    assert!(!usage.stderr.contains("ERROR"), "{}", usage.stderr);

    // Asked for, other crates' lines come, still without colour on a pipe.
    let mut command = xc_avatar(&["remove"], Some(&tenant));
    command.env("RUST_LOG", "warn");
    let usage = run(&mut command);
    assert_eq!(usage.code, Some(10), "{usage:?}");
    assert!(
        usage.stderr.lines().count() > 1,
        "RUST_LOG=warn shows the verifier's line: {}",
        usage.stderr
    );
}

// ---- hostile files and certificates (tests/fixtures/hostile, with the scripts that make them) ---

fn hostile(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

/// Runs `command`, which must end within 5 s (each case below took a minute or more before).
fn run_timed(command: &mut Command, what: &str) -> Usage {
    let started = std::time::Instant::now();
    let usage = run(command);
    let took = started.elapsed();
    println!("{what}: {took:?}, peak RSS {} KiB", usage.peak_rss_kib);
    assert!(took <= Duration::from_secs(5), "{what}: {took:?}");
    usage
}

#[test]
fn heif_files_coded_far_larger_than_declared_are_refused_in_seconds() {
    for name in [
        "tile-bomb-grid.heic",
        "same-tile-grid.heic",
        "coded-larger.heic",
        "coded-larger.avif",
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("avatar.jpg");
        let usage = run_timed(
            &mut xc_avatar(
                &[
                    "prepare",
                    hostile(name).to_str().expect("utf-8"),
                    "-o",
                    out.to_str().expect("utf-8"),
                ],
                None,
            ),
            name,
        );
        assert_eq!(usage.code, Some(3), "{name}: {usage:?}");
        assert!(
            usage
                .stderr
                .contains("far more than the picture it declares"),
            "{name}: {}",
            usage.stderr
        );
        assert!(!out.exists(), "{name}");
        // Before: 300 MB to half a gigabyte.
        assert_within_ceiling(name, &usage);
    }
}

/// `cert set FILE --no-verify` with `password` on stdin (it fails before the keyring).
fn cert_set(file: &Path, password: &'static str) -> Usage {
    let mut command = xc_avatar(
        &[
            "cert",
            "set",
            file.to_str().expect("utf-8"),
            "--no-verify",
            "--tenant",
            "http://127.0.0.1:9",
        ],
        None,
    );
    command.env_remove("F5XC_API_TOKEN").stdin(Stdio::piped());
    let started = std::time::Instant::now();
    let usage = run_measured(&mut command, DEADLINE, move |stdin| {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(password.as_bytes());
        }
    });
    assert_clean(&usage);
    let took = started.elapsed();
    assert!(
        took <= Duration::from_secs(5),
        "{}: {took:?}",
        file.display()
    );
    usage
}

const P12_PASSWORD: &str = "correct horse battery staple";

#[test]
fn a_p12_asking_for_costly_key_derivation_exits_13_in_seconds() {
    for name in ["scrypt.p12", "many-keys.p12", "hidden-keys.p12"] {
        let usage = cert_set(&hostile(name), P12_PASSWORD);
        assert_eq!(usage.code, Some(13), "{name}: {usage:?}");
        assert!(
            usage.stderr.contains("is not a .p12 xc-avatar will open")
                && usage
                    .stderr
                    .contains("Download the API certificate again from the Console"),
            "{name}: {}",
            usage.stderr
        );
        assert_within_ceiling(name, &usage);
    }
}

#[test]
fn a_p12_whose_key_is_not_its_certificates_exits_13_even_unverified() {
    let usage = cert_set(&hostile("key-mismatch.p12"), P12_PASSWORD);
    assert_eq!(usage.code, Some(13), "{usage:?}");
    assert!(
        usage
            .stderr
            .contains("key-mismatch.p12 does not belong to its certificate"),
        "{}",
        usage.stderr
    );
    assert!(!usage.stderr.contains("bug"), "{}", usage.stderr);
}

#[test]
fn a_wrong_password_on_a_p12_without_a_mac_exits_14() {
    let usage = cert_set(&hostile("no-mac.p12"), "not the password");
    assert_eq!(usage.code, Some(14), "{usage:?}");
    assert!(
        usage
            .stderr
            .contains("the password does not open this .p12"),
        "{}",
        usage.stderr
    );
}

#[test]
fn current_saves_only_what_decodes_as_a_picture() {
    // A PNG whose header is right and whose pixels are not (its zlib data is garbage), and an
    // AVIF declared 64×64 but coded 8192² (before: saved; the app then decoded it for minutes).
    let png = support::encode(
        &image::DynamicImage::ImageRgb8(support::three_stripes()),
        image::ImageFormat::Png,
    );
    let idat = png
        .windows(4)
        .position(|w| w == b"IDAT")
        .expect("an IDAT chunk");
    let mut broken = png.clone();
    // The chunk's data up to its CRC and the IEND after it.
    let end = (idat + 40).min(broken.len() - 16);
    for byte in &mut broken[idat + 6..end] {
        *byte = 0xA5;
    }
    let avif = std::fs::read(hostile("coded-larger.avif")).expect("fixture");
    for (name, content_type, body) in [
        ("broken PNG", "image/png", broken),
        ("AVIF coded 8192²", "image/avif", avif),
    ] {
        let server = HostileServer::start(move |_| Reply::fixed(200, content_type, body.clone()));
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("me");
        let usage = run_timed(
            &mut xc_avatar(
                &["current", "-o", out.to_str().expect("utf-8")],
                Some(&server.url()),
            ),
            name,
        );
        assert_eq!(usage.code, Some(9), "{name}: {usage:?}");
        assert!(
            usage
                .stderr
                .contains("the tenant answered with something that is not a picture"),
            "{name}: {}",
            usage.stderr
        );
        assert!(files_in(dir.path()).is_empty(), "{name}");
    }
}

// ---- the token in every encoding, on stderr and in --json ---------------------------------

#[test]
fn a_401_echoing_the_token_in_any_encoding_shows_it_nowhere() {
    // The token has the characters encoders change: + / =.
    const SECRET: &str = "Zx+9/ab=Qk";
    let percent = SECRET
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let forms: Vec<(&str, String)> = vec![
        ("as is", SECRET.to_owned()),
        (
            "JSON escapes",
            SECRET.replace('/', "\\/").replace('+', "\\u002b"),
        ),
        ("percent-encoded", percent.clone()),
        (
            "HTML references",
            SECRET
                .replace('+', "&#43;")
                .replace('/', "&#x2F;")
                .replace('=', "&equals;"),
        ),
        (
            "zero-width space inside",
            SECRET.replace('/', "\u{200b}/\u{2060}"),
        ),
        (
            "percent-encoded in a JSON string",
            percent.replace("%2F", "\\/"),
        ),
    ];
    for (name, echoed) in forms {
        let body =
            serde_json::json!({ "message": format!("token {echoed} is not valid") }).to_string();
        let server =
            HostileServer::start(move |_| Reply::fixed(401, "application/json", body.clone()));
        for json in [false, true] {
            let mut args = vec!["remove"];
            if json {
                args.push("--json");
            }
            let mut command = xc_avatar(&args, Some(&server.url()));
            command.env("F5XC_API_TOKEN", SECRET);
            let usage = run_measured(&mut command, DEADLINE, |_| {});
            assert_eq!(usage.code, Some(4), "{name}: {usage:?}");
            let all = format!("{}{}", usage.stdout, usage.stderr);
            for shape in ["Zx", "9/ab", "Qk", "%2F", "&#43;"] {
                assert!(!all.contains(shape), "{name} ({shape}): {all}");
            }
            if json {
                let out: serde_json::Value = serde_json::from_str(&usage.stdout).expect("JSON");
                assert_eq!(
                    out["error"]["server_text"], "token *** is not valid",
                    "{name}"
                );
            } else {
                assert!(
                    usage
                        .stderr
                        .contains("server said: \"token *** is not valid\""),
                    "{name}: {}",
                    usage.stderr
                );
            }
        }
    }
}

// ---- the command line --------------------------------------------------------------------

#[test]
fn json_works_before_the_command_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("avatar.jpg");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/progressive.jpg");
    for args in [
        vec![
            "--json",
            "prepare",
            input.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ],
        vec![
            "prepare",
            "--json",
            input.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ],
        vec![
            "prepare",
            input.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
            "--json",
        ],
    ] {
        let usage = run(&mut xc_avatar(&args, None));
        assert_eq!(usage.code, Some(0), "{args:?}: {usage:?}");
        let json: serde_json::Value = serde_json::from_str(&usage.stdout).expect("one JSON object");
        assert_eq!(json["ok"], true, "{args:?}");
        assert_eq!(json["command"], "prepare", "{args:?}");
    }
}

#[test]
fn a_retry_after_past_the_deadline_stops_at_once_and_says_when() {
    // Before: a 503 with Retry-After: 120 kept `remove` busy for minutes, silent on a pipe.
    let server = HostileServer::start(|_| Reply::Fixed {
        status: 503,
        headers: vec!["Retry-After: 120".into(), "Content-Type: text/plain".into()],
        body: b"maintenance".to_vec(),
    });
    let usage = run_timed(
        &mut xc_avatar(&["remove"], Some(&server.url())),
        "Retry-After 120",
    );
    assert_eq!(usage.code, Some(9), "{usage:?}");
    assert!(
        usage.stderr.contains(
            "the tenant asks to wait 120 s (HTTP 503), longer than the 60 s this command may take"
        ) && usage.stderr.contains("Try again after "),
        "{}",
        usage.stderr
    );
    assert_eq!(server.requests().len(), 1);
    // --json says the same, with the kind.
    let usage = run_timed(
        &mut xc_avatar(&["remove", "--json"], Some(&server.url())),
        "Retry-After 120, --json",
    );
    let json: serde_json::Value = serde_json::from_str(&usage.stdout).expect("JSON");
    assert_eq!(json["error"]["kind"], "wait_too_long");
    assert_eq!(json["error"]["status"], 503);
}

#[test]
fn each_wait_is_said_on_stderr_even_when_it_is_not_a_terminal() {
    // 429 with Retry-After: 1, then 200: one line says what the run waits for.
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = HostileServer::start(move |_| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::Fixed {
                status: 429,
                headers: vec!["Retry-After: 1".into()],
                body: Vec::new(),
            }
        } else {
            Reply::fixed(200, "application/json", "{}")
        }
    });
    let usage = run(&mut xc_avatar(
        &["remove", "--deadline", "30"],
        Some(&server.url()),
    ));
    assert_eq!(usage.code, Some(0), "{usage:?}");
    assert_eq!(
        usage.stderr,
        "xc-avatar: the tenant is rate limiting requests (HTTP 429); waiting 1 s, then attempt 2 \
         of 4…\n"
    );
    // A deadline shorter than the wait: not waited for.
    calls.store(0, std::sync::atomic::Ordering::SeqCst);
    let usage = run(&mut xc_avatar(
        &["remove", "--deadline", "1"],
        Some(&server.url()),
    ));
    assert_eq!(usage.code, Some(8), "{usage:?}");
    assert!(
        usage
            .stderr
            .contains("the tenant asks to wait 1 s (HTTP 429)"),
        "{}",
        usage.stderr
    );
}

#[test]
fn paths_and_names_from_settings_reach_the_terminal_as_text() {
    // A file name with an escape sequence and a right-to-left override.
    let dir = tempfile::tempdir().expect("temp dir");
    let name = dir.path().join("a\u{1b}]0;owned\u{7}b\u{202e}gpj.jpg");
    std::fs::write(&name, b"not a picture").expect("write");
    let usage = prepare(&name);
    assert_eq!(usage.code, Some(3), "{usage:?}");
    assert!(
        usage
            .stderr
            .contains("a\\u{1b}]0;owned\\u{7}b\\u{202e}gpj.jpg"),
        "{:?}",
        usage.stderr
    );
    assert!(!usage.stderr.contains('\u{202e}'), "{:?}", usage.stderr);
    // Tenant names read from settings.json.
    let config = tempfile::tempdir().expect("config dir");
    std::fs::write(
        config.path().join("settings.json"),
        r#"{"tenants": ["https://acme.example\u001b[2J", "https://b\u200bc.example"]}"#,
    )
    .expect("settings");
    let mut command = xc_avatar(&["tenants"], None);
    command.env("XC_AVATAR_CONFIG_DIR", config.path());
    let usage = run(&mut command);
    assert_eq!(usage.code, Some(0), "{usage:?}");
    assert!(
        usage.stdout.contains("https://acme.example\\u{1b}[2J")
            && usage.stdout.contains("https://b\\u{200b}c.example"),
        "{:?}",
        usage.stdout
    );
}

#[test]
fn tenants_default_is_said_only_once_it_is_saved() {
    let config = tempfile::tempdir().expect("config dir");
    // A folder where settings.json should be: nothing can be written there.
    let blocked = config.path().join("not-a-folder");
    std::fs::write(&blocked, b"a file").expect("write");
    let mut command = xc_avatar(&["tenants", "--default", "acme"], None);
    command.env("XC_AVATAR_CONFIG_DIR", &blocked);
    let usage = run(&mut command);
    assert_eq!(usage.code, Some(2), "{usage:?}");
    assert!(
        usage.stderr.contains(
            "https://acme.console.ves.volterra.io is not the default tenant: the settings could \
             not be saved"
        ),
        "{}",
        usage.stderr
    );
    assert!(usage.stdout.is_empty(), "{}", usage.stdout);
    // Where it can be written, it is.
    let mut command = xc_avatar(&["tenants", "--default", "acme"], None);
    command.env("XC_AVATAR_CONFIG_DIR", config.path().join("ok"));
    let usage = run(&mut command);
    assert_eq!(usage.code, Some(0), "{usage:?}");
}
