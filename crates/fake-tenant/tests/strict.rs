//! The fake tenant is as strict as F5: every kind of request F5 would refuse is refused — and
//! reported as a violation even when a scripted answer is sent instead. If these fail, every
//! error-path test of xc-avatar could pass whatever the client sends.
//!
//! Requests are written by hand over a plain TCP socket, so each test controls every byte.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use fake_tenant::{
    DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, ImageForm, SETTINGS_PATH, Scripted, StoredImage,
    WHOAMI_PATH,
};

/// Enough of a JPEG for the fake's magic-number check; its base64 has `/` (`/9j/`), so the
/// URL-safe alphabet visibly differs from the standard one.
fn jpeg_bytes() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend(b"JFIF\0".iter().copied());
    bytes.extend((0..200u8).map(|i| i.wrapping_mul(37)));
    bytes
}

fn good_body() -> String {
    serde_json::json!({"content_type": "image/jpeg", "image": STANDARD.encode(jpeg_bytes())})
        .to_string()
}

fn auth() -> String {
    format!("APIToken {DEFAULT_TOKEN}")
}

/// Sends one HTTP/1.1 request with exactly these headers (plus Host, Content-Length and
/// Connection: close); the status answered and the body.
fn send(
    tenant: &FakeTenant,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(tenant.addr()).expect("connect to the fake");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", tenant.addr());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).expect("send request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read answer");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn put(tenant: &FakeTenant, headers: &[(&str, &str)], body: &str) -> u16 {
    send(tenant, "PUT", IMAGE_PATH, headers, body).0
}

/// A well-formed upload: the baseline every bad request below differs from in one way.
#[test]
fn a_well_formed_upload_is_stored_and_breaks_no_rule() {
    let tenant = FakeTenant::start();
    let auth = auth();
    let status = put(
        &tenant,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &good_body(),
    );
    assert_eq!(status, 200);
    assert_eq!(
        tenant.image_of(DEFAULT_TOKEN),
        Some(StoredImage {
            content_type: "image/jpeg".into(),
            bytes: jpeg_bytes()
        })
    );
    assert_eq!(tenant.violations(), vec![]);
    let received = tenant.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].status, 200);
    assert!(received[0].violations.is_empty());
}

struct BadRequest {
    what: &'static str,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: String,
    /// What F5 answers it when nothing is scripted.
    status: u16,
    /// A word the violation must contain, so the right rule caught it.
    because: &'static str,
}

fn bad_requests() -> Vec<BadRequest> {
    let json = ("Content-Type", "application/json".to_owned());
    let good_auth = ("Authorization", auth());
    let body_with = |content_type: serde_json::Value, image: serde_json::Value| {
        serde_json::json!({"content_type": content_type, "image": image}).to_string()
    };
    let encoded = STANDARD.encode(jpeg_bytes());
    let wrapped = encoded
        .as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n");
    let url_safe = URL_SAFE.encode(jpeg_bytes());
    assert_ne!(
        url_safe, encoded,
        "the test bytes must tell the alphabets apart"
    );
    let bad = |what, headers, body, status, because| BadRequest {
        what,
        target: IMAGE_PATH.to_owned(),
        headers,
        body,
        status,
        because,
    };
    vec![
        bad(
            "token in a header of another name",
            vec![("X-API-Token", DEFAULT_TOKEN.to_owned()), json.clone()],
            good_body(),
            401,
            "Authorization",
        ),
        bad(
            "Bearer instead of APIToken",
            vec![
                ("Authorization", format!("Bearer {DEFAULT_TOKEN}")),
                json.clone(),
            ],
            good_body(),
            401,
            "APIToken",
        ),
        bad(
            "lower-case scheme",
            vec![
                ("Authorization", format!("apitoken {DEFAULT_TOKEN}")),
                json.clone(),
            ],
            good_body(),
            401,
            "APIToken",
        ),
        bad(
            "no Authorization at all",
            vec![json.clone()],
            good_body(),
            401,
            "Authorization",
        ),
        BadRequest {
            what: "token in the query string",
            target: format!("{IMAGE_PATH}?api_token={DEFAULT_TOKEN}"),
            headers: vec![good_auth.clone(), json.clone()],
            body: good_body(),
            status: 400,
            because: "query",
        },
        bad(
            "body sent as text/plain",
            vec![good_auth.clone(), ("Content-Type", "text/plain".into())],
            good_body(),
            400,
            "application/json",
        ),
        bad(
            "base64 wrapped at 76 columns",
            vec![good_auth.clone(), json.clone()],
            body_with("image/jpeg".into(), wrapped.into()),
            400,
            "base64",
        ),
        bad(
            "URL-safe base64",
            vec![good_auth.clone(), json.clone()],
            body_with("image/jpeg".into(), url_safe.into()),
            400,
            "base64",
        ),
        bad(
            "base64 without padding",
            vec![good_auth.clone(), json.clone()],
            body_with(
                "image/jpeg".into(),
                encoded.trim_end_matches('=').to_owned().into(),
            ),
            400,
            "base64",
        ),
        bad(
            "an extra field",
            vec![good_auth.clone(), json.clone()],
            serde_json::json!({"content_type": "image/jpeg", "image": encoded, "name": "me.jpg"})
                .to_string(),
            400,
            "unknown field",
        ),
        bad(
            "camelCase field names",
            vec![good_auth.clone(), json.clone()],
            serde_json::json!({"contentType": "image/jpeg", "image": encoded}).to_string(),
            400,
            "unknown field",
        ),
        bad(
            "image as an array of bytes",
            vec![good_auth.clone(), json.clone()],
            body_with("image/jpeg".into(), serde_json::json!(jpeg_bytes())),
            400,
            "image",
        ),
        bad(
            "content_type as a number",
            vec![good_auth.clone(), json.clone()],
            body_with(serde_json::json!(1), encoded.clone().into()),
            400,
            "content_type",
        ),
        bad(
            "MIME type not matching the bytes",
            vec![good_auth.clone(), json.clone()],
            body_with("image/png".into(), encoded.clone().into()),
            400,
            "does not match",
        ),
        bad(
            "an empty image",
            vec![good_auth.clone(), json.clone()],
            body_with("image/jpeg".into(), "".into()),
            400,
            "empty",
        ),
        bad(
            "not JSON",
            vec![good_auth.clone(), json.clone()],
            "content_type=image/jpeg".into(),
            400,
            "JSON",
        ),
    ]
}

fn send_bad(tenant: &FakeTenant, bad: &BadRequest) -> u16 {
    let headers: Vec<(&str, &str)> = bad
        .headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    send(tenant, "PUT", &bad.target, &headers, &bad.body).0
}

#[test]
fn each_kind_of_bad_upload_is_refused_and_reported() {
    for bad in bad_requests() {
        let tenant = FakeTenant::start();
        let status = send_bad(&tenant, &bad);
        let violations = tenant.take_violations();
        assert_eq!(status, bad.status, "{}: status", bad.what);
        assert!(
            violations.iter().any(|v| v.problem.contains(bad.because)),
            "{}: violations {violations:?} do not mention {:?}",
            bad.what,
            bad.because
        );
        assert_eq!(tenant.image_of(DEFAULT_TOKEN), None, "{}: stored", bad.what);
        assert_eq!(tenant.received()[0].status, bad.status, "{}", bad.what);
    }
}

/// The hole this file exists for: a scripted 401/429/500 used to be sent before any check, so
/// every error-path test passed whatever the client sent.
#[test]
fn each_kind_of_bad_upload_is_reported_even_when_a_scripted_answer_is_sent() {
    for scripted in [401, 429, 500] {
        for bad in bad_requests() {
            let tenant = FakeTenant::start();
            tenant.push(Scripted::status(scripted, "scripted"));
            let status = send_bad(&tenant, &bad);
            assert_eq!(
                status, scripted,
                "{}: the scripted answer is sent",
                bad.what
            );
            let violations = tenant.take_violations();
            assert!(
                violations.iter().any(|v| v.problem.contains(bad.because)),
                "{} under a scripted {scripted}: violations {violations:?}",
                bad.what
            );
            assert_eq!(
                violations[0].uri, bad.target,
                "the violation names the URI as sent"
            );
        }
    }
}

#[test]
fn a_request_that_is_reset_is_still_checked_and_recorded_with_its_headers() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::Reset);
    let mut stream = TcpStream::connect(tenant.addr()).expect("connect");
    let request = format!(
        "GET {WHOAMI_PATH}?token={DEFAULT_TOKEN} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest); // a reset: error or nothing
    assert!(rest.is_empty(), "a reset sends no answer");
    let mut waited = 0;
    while tenant.received().is_empty() && waited < 100 {
        std::thread::sleep(Duration::from_millis(20));
        waited += 1;
    }
    let received = tenant.received();
    assert_eq!(
        received[0].uri,
        format!("{WHOAMI_PATH}?token={DEFAULT_TOKEN}")
    );
    assert_eq!(
        received[0].header("authorization"),
        Some(format!("Bearer {DEFAULT_TOKEN}").as_str())
    );
    assert_eq!(received[0].status, 0);
    let problems: Vec<String> = tenant
        .take_violations()
        .into_iter()
        .map(|v| v.problem)
        .collect();
    assert!(problems.iter().any(|p| p.contains("query")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("APIToken")),
        "{problems:?}"
    );
}

#[test]
fn reads_must_not_carry_a_body_or_use_a_method_outside_the_spec() {
    let tenant = FakeTenant::start();
    let auth = auth();
    let headers = [("Authorization", auth.as_str())];
    assert_eq!(send(&tenant, "GET", WHOAMI_PATH, &headers, "{}").0, 400);
    assert_eq!(send(&tenant, "POST", IMAGE_PATH, &headers, "").0, 400);
    assert_eq!(
        send(&tenant, "GET", "/api/web/elsewhere", &headers, "").0,
        404
    );
    // Each is refused twice over: by F5's published spec and by the fake's own rule.
    let violations = tenant.take_violations();
    let about = |method: &str, path: &str| -> Vec<String> {
        violations
            .iter()
            .filter(|v| v.method == method && v.uri == path)
            .map(|v| v.problem.clone())
            .collect()
    };
    for (method, path, word) in [
        ("GET", WHOAMI_PATH, "body"),
        ("POST", IMAGE_PATH, "POST"),
        ("GET", "/api/web/elsewhere", "/api/web/elsewhere"),
    ] {
        let problems = about(method, path);
        assert_eq!(problems.len(), 2, "{method} {path}: {problems:?}");
        assert!(
            problems[0].starts_with("F5's spec: ") && problems[0].contains(word),
            "{method} {path}: {problems:?}"
        );
        assert!(
            !problems[1].starts_with("F5's spec: ") && problems[1].contains(word),
            "{method} {path}: {problems:?}"
        );
    }
    assert_eq!(violations.len(), 6, "{violations:?}");
}

#[test]
fn an_unknown_token_is_a_plain_401_not_a_violation() {
    let tenant = FakeTenant::start();
    let (status, body) = send(
        &tenant,
        "GET",
        WHOAMI_PATH,
        &[("Authorization", "APIToken expired-token")],
        "",
    );
    assert_eq!(status, 401);
    assert!(body.contains("Invalid or expired"), "{body}");
    assert_eq!(tenant.violations(), vec![]);
}

#[test]
fn every_request_is_recorded_with_its_full_uri_headers_and_own_status() {
    let tenant = FakeTenant::start();
    // The first request waits, the second is answered 503 at once: the first finishes last,
    // and each must still carry its own status.
    tenant.push(Scripted::Delay(Duration::from_millis(600)));
    tenant.push(Scripted::status(503, "busy"));
    let slow = {
        let addr = tenant.addr();
        std::thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).expect("connect");
            let request = format!(
                "GET {WHOAMI_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: APIToken {DEFAULT_TOKEN}\r\nX-Trace: slow\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(request.as_bytes()).expect("send");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).expect("read");
            answer
        })
    };
    while tenant.received().is_empty() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let auth = auth();
    let (fast_status, _) = send(
        &tenant,
        "GET",
        SETTINGS_PATH,
        &[("Authorization", &auth), ("X-Trace", "fast")],
        "",
    );
    assert_eq!(fast_status, 503);
    let slow_answer = slow.join().expect("slow request");
    assert!(slow_answer.starts_with("HTTP/1.1 200"), "{slow_answer}");

    let received = tenant.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        (received[0].path.as_str(), received[0].status),
        (WHOAMI_PATH, 200)
    );
    assert_eq!(
        (received[1].path.as_str(), received[1].status),
        (SETTINGS_PATH, 503)
    );
    assert_eq!(received[0].header("x-trace"), Some("slow"));
    assert_eq!(received[1].header("x-trace"), Some("fast"));
    assert_eq!(received[1].header("authorization"), Some(auth.as_str()));
}

#[test]
fn the_picture_is_read_back_in_the_specs_json_form_unless_raw_is_asked_for() {
    let tenant = FakeTenant::start();
    let picture = StoredImage {
        content_type: "image/jpeg".into(),
        bytes: jpeg_bytes(),
    };
    tenant.set_image(DEFAULT_TOKEN, picture.clone());
    let auth = auth();
    let headers = [("Authorization", auth.as_str())];

    let (status, body) = send(&tenant, "GET", IMAGE_PATH, &headers, "");
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).expect("apiHttpBody is JSON");
    assert_eq!(json["content_type"], "image/jpeg");
    assert_eq!(json["data"], STANDARD.encode(&picture.bytes));

    tenant.set_image_form(ImageForm::Raw);
    let mut stream = TcpStream::connect(tenant.addr()).expect("connect");
    let request = format!(
        "GET {IMAGE_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    assert!(
        answer.ends_with(&picture.bytes),
        "raw form ends with the bytes"
    );
    let head = String::from_utf8_lossy(&answer[..answer.len() - picture.bytes.len()]);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: image/jpeg"),
        "{head}"
    );
}

#[test]
#[should_panic(expected = "requests F5 would refuse")]
fn a_tenant_dropped_with_unread_violations_fails_the_test() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::status(429, "slow down"));
    let status = put(
        &tenant,
        &[("Authorization", &format!("Bearer {DEFAULT_TOKEN}"))],
        &good_body(),
    );
    assert_eq!(status, 429);
    drop(tenant);
}
