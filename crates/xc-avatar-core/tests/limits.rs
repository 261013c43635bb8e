//! Nothing unbounded, nothing of a secret shown: the client against hostile servers of our own
//! on loopback, and the picture loader against files that are not pictures or never end.
// FIFOs, /dev/zero, sparse files and wait4 are Unix things; Windows CI skips this file.
#![cfg(unix)]

#[path = "../../../tests/hostile/mod.rs"]
mod hostile;
#[path = "../../../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use hostile::{HostileServer, Reply};
use xc_avatar_core::TenantUrl;
use xc_avatar_core::api::{ApiError, ClientOptions, PICTURE_MAX_BYTES, RetryPolicy, XcClient};
use xc_avatar_core::avatar::{self, AvatarError, Framing, Output, Source};
use xc_avatar_core::credentials::ApiToken;

const TOKEN: &str = "limits-test-token-4f1c9a";

fn client(url: &str, retry: RetryPolicy) -> XcClient {
    let tenant = TenantUrl::parse(url).expect("tenant URL");
    let token = ApiToken::new(TOKEN).expect("token");
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(30),
        retry,
        deadline: None,
    };
    XcClient::new(tenant, &token, options).expect("client")
}

fn endless(status: u16, content_type: &str) -> Reply {
    Reply::Endless {
        status,
        headers: vec![format!("Content-Type: {content_type}")],
        chunk: vec![b'A'; 64 * 1024],
        // 1 GiB: far past any ceiling; a client that reads it all is a failure.
        cap: 1 << 30,
    }
}

fn png_bytes() -> Vec<u8> {
    support::encode(
        &image::DynamicImage::ImageRgb8(support::three_stripes()),
        image::ImageFormat::Png,
    )
}

// Multi-threaded: the connection's task must run (and close the socket) while this test waits
// for the server to see it closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_picture_stops_at_the_ceiling_and_closes_the_connection() {
    let server = HostileServer::start(|_| endless(200, "image/jpeg"));
    let error = client(&server.url(), RetryPolicy::none())
        .current_image()
        .await
        .expect_err("endless picture");
    assert_eq!(
        error,
        ApiError::ResponseTooLarge {
            what: "your picture",
            limit: PICTURE_MAX_BYTES,
            status: None
        }
    );
    assert_eq!(
        error.to_string(),
        "the tenant sent more than 4 MiB for your picture"
    );
    assert_eq!(error.kind(), "response_too_large");
    let ended = server.streamed(1);
    assert!(ended[0].closed_by_client, "{ended:?}");
    // What the server managed to write: the ceiling plus what socket buffers hold.
    assert!(ended[0].written < 64 << 20, "{ended:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_error_body_stops_at_its_smaller_ceiling() {
    let server = HostileServer::start(|_| endless(401, "text/plain"));
    let error = client(&server.url(), RetryPolicy::none())
        .whoami()
        .await
        .expect_err("endless error");
    assert_eq!(
        error.to_string(),
        "the tenant sent more than 16 KiB for its error message (HTTP 401)"
    );
    assert_eq!(error.status(), Some(401));
    assert!(server.streamed(1)[0].closed_by_client);
}

#[tokio::test]
async fn an_announced_length_over_the_ceiling_is_refused_before_reading() {
    let server = HostileServer::start(|_| Reply::Fixed {
        status: 200,
        headers: vec!["Content-Type: application/json".into()],
        // Claims 1 MiB of whoami; sends 2 bytes of it then closes.
        body: b"{}".to_vec(),
    });
    // A server that says Content-Length: 1 MiB for whoami.
    let liar = HostileServer::start(|_| Reply::Endless {
        status: 200,
        headers: vec![
            "Content-Type: application/json".into(),
            "Content-Length: 1048576".into(),
        ],
        chunk: b" ".to_vec(),
        cap: 1,
    });
    let error = client(&liar.url(), RetryPolicy::none())
        .whoami()
        .await
        .expect_err("too long");
    assert_eq!(
        error.to_string(),
        "the tenant sent more than 64 KiB for who the token acts as"
    );
    // The honest one is fine.
    let me = client(&server.url(), RetryPolicy::none())
        .whoami()
        .await
        .expect("whoami {}");
    assert_eq!(me.display_name(), "");
}

#[tokio::test]
async fn a_401_that_echoes_the_token_and_escapes_shows_neither() {
    let server = HostileServer::start(|request| {
        let echoed = request.header("authorization").unwrap_or_default();
        Reply::fixed(
            401,
            "application/json",
            format!(
                r#"{{"message":"\u001b[2J\u001b]0;pwned\u0007bad header: {echoed}, again {TOKEN}"}}"#
            ),
        )
    });
    let error = client(&server.url(), RetryPolicy::none())
        .whoami()
        .await
        .expect_err("401");
    assert!(
        server.requests()[0]
            .header("authorization")
            .is_some_and(|a| a.contains(TOKEN))
    );
    let said = error.server_text().expect("server text");
    assert_eq!(said, "bad header: APIToken ***, again ***");
    let shown = format!("{error} {said}");
    assert!(
        !shown.contains(TOKEN) && !shown.contains('\u{1b}'),
        "{shown}"
    );
    assert!(!format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn whoami_and_redirects_are_cleaned_of_escapes_and_the_token() {
    let server = HostileServer::start(|request| {
        if request.path().contains("whoami") {
            Reply::fixed(
                200,
                "application/json",
                format!(
                    r#"{{"first_name":"\u001b]0;owned\u0007Ada\u001b[31m","last_name":"Love\nlace","email":"{TOKEN}@x","tenant":"acme\u202e"}}"#
                ),
            )
        } else {
            Reply::Fixed {
                status: 302,
                // hyper refuses ASCII control bytes in a header; UTF-8 C1 controls (here an
                // 8-bit CSI "clear screen") get through.
                headers: vec![format!("Location: https://evil.example/\u{9b}2J?t={TOKEN}")],
                body: Vec::new(),
            }
        }
    });
    let client = client(&server.url(), RetryPolicy::none());
    let me = client.whoami().await.expect("whoami");
    assert_eq!(me.display_name(), "Ada Love lace <***@x>");
    assert_eq!(me.tenant, "acme");
    let error = client.current_image().await.expect_err("redirect");
    let ApiError::Redirect { location, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(location, "https://evil.example/?t=***");
}

#[tokio::test]
async fn a_picture_that_is_no_image_is_refused_whatever_its_type_says() {
    for (content_type, body) in [
        ("image/jpeg", b"\xFF\xD8\xFF garbage, not a JPEG".to_vec()),
        ("image/png", b"<html>sign in</html>".to_vec()),
        (
            "text/html",
            b"<!doctype html><title>Portal</title>".to_vec(),
        ),
        ("application/octet-stream", vec![0u8; 300]),
        (
            "application/json",
            br#"{"content_type":"image/png","data":"aGVsbG8="}"#.to_vec(),
        ),
    ] {
        let body_for_server = body.clone();
        let server =
            HostileServer::start(move |_| Reply::fixed(200, content_type, body_for_server.clone()));
        let error = client(&server.url(), RetryPolicy::none())
            .current_image()
            .await
            .expect_err(content_type);
        assert!(
            matches!(error, ApiError::NotAPicture { .. }),
            "{content_type}: {error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("the tenant answered with something that is not a picture"),
            "{error}"
        );
        assert_eq!(error.kind(), "not_a_picture");
    }
    // A real picture sent under the wrong type is kept, typed by its bytes.
    let png = png_bytes();
    let served = png.clone();
    let server = HostileServer::start(move |_| Reply::fixed(200, "image/jpeg", served.clone()));
    let picture = client(&server.url(), RetryPolicy::none())
        .current_image()
        .await
        .expect("picture")
        .expect("some picture");
    assert_eq!(picture.content_type, "image/png");
    assert_eq!(picture.bytes, png);
}

#[tokio::test]
async fn a_removal_retried_after_a_504_that_finds_nothing_succeeded() {
    let server = HostileServer::start(|_| Reply::fixed(404, "text/plain", "not found"));
    let fast = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    // Without a gateway error first, 404 stays "not found".
    let error = client(&server.url(), fast)
        .delete_image()
        .await
        .expect_err("404");
    assert!(matches!(error, ApiError::NotFound { .. }), "{error:?}");

    let answers = std::sync::Mutex::new(vec![404, 504]);
    let server = HostileServer::start(move |_| {
        let status = answers.lock().expect("answers").pop().unwrap_or(404);
        Reply::fixed(status, "text/plain", "gateway")
    });
    client(&server.url(), fast)
        .delete_image()
        .await
        .expect("the first attempt removed it");
    assert_eq!(server.requests().len(), 2);
}

// ---- files -------------------------------------------------------------------------------

#[test]
fn a_fifo_is_refused_at_once_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("photo.jpg");
    let path = std::ffi::CString::new(fifo.to_str().expect("utf-8").as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    let error = Source::open(&fifo).expect_err("a FIFO");
    assert!(
        matches!(error, AvatarError::NotAFile { kind, .. } if kind.contains("FIFO")),
        "{error:?}"
    );
}

#[test]
fn devices_and_folders_are_refused_before_reading() {
    let error = Source::open(std::path::Path::new("/dev/zero")).expect_err("a device");
    assert!(
        matches!(
            error,
            AvatarError::NotAFile {
                kind: "a device",
                ..
            }
        ),
        "{error:?}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let error = Source::open(dir.path()).expect_err("a folder");
    assert!(
        matches!(
            error,
            AvatarError::NotAFile {
                kind: "a folder",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("is a folder, not a picture file")
    );
}

#[test]
fn a_sparse_multi_gigabyte_file_is_refused_from_its_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.jpg");
    let file = std::fs::File::create(&path).expect("create");
    // 20 GB of nothing: no disk used, and never read.
    file.set_len(20_000_000_000).expect("sparse file");
    let error = Source::open(&path).expect_err("too large");
    assert!(
        matches!(
            error,
            AvatarError::FileTooLarge {
                bytes: Some(20_000_000_000),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("too large (20000 MB)"),
        "{error}"
    );
}

/// A progressive JPEG header followed by thousands of empty scans: each costs a pass over the
/// picture's blocks, so it must be refused from its header walk, not decoded.
fn jpeg_with_scans(scans: usize) -> Vec<u8> {
    let base = support::encode(
        &image::DynamicImage::ImageRgb8(support::three_stripes()),
        image::ImageFormat::Jpeg,
    );
    let eoi = base.len() - 2;
    let sos = base
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .expect("a scan");
    let mut jpeg = base[..eoi].to_vec();
    // Repeat the first scan header with one byte of entropy data.
    let length = usize::from(u16::from_be_bytes([base[sos + 2], base[sos + 3]]));
    let header = &base[sos..sos + 2 + length];
    for _ in 0..scans {
        jpeg.extend_from_slice(header);
        jpeg.push(0x00);
    }
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    jpeg
}

#[test]
fn a_jpeg_with_thousands_of_scans_is_refused_from_its_header() {
    let error = Source::from_bytes(jpeg_with_scans(5000)).expect_err("too many scans");
    assert!(
        error
            .to_string()
            .contains("more than 100 progressive scans"),
        "{error}"
    );
    // A normal file is unaffected.
    Source::from_bytes(jpeg_with_scans(0)).expect("one scan is fine");
}

#[test]
fn rendering_again_for_a_new_crop_does_not_decode_again() {
    let source = Source::from_bytes(support::encode(
        &image::DynamicImage::ImageRgb8(support::three_stripes()),
        image::ImageFormat::Jpeg,
    ))
    .expect("source");
    let output = Output {
        size: 64,
        ..Output::default()
    };
    let mut framing = Framing::new(source.size());
    avatar::render(&source, &framing, &output).expect("render");
    assert_eq!(source.decode_count(), 1);
    assert_eq!(
        source.part_decode_count(),
        1,
        "a first render decodes its square only"
    );
    framing.rotate(1);
    avatar::render(&source, &framing, &output).expect("render again");
    assert_eq!(
        (source.decode_count(), source.part_decode_count()),
        (2, 1),
        "rendering again (the user is framing) decodes the whole picture once"
    );
    let clone = source.clone();
    framing.rotate(1);
    avatar::render(&clone, &framing, &output).expect("and again");
    avatar::render(&source, &Framing::new(source.size()), &output).expect("and again");
    assert_eq!(source.decode_count(), 2, "the kept decode was used");
}
