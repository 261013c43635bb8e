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
