//! The fake tenant is held to F5's published contract (tests/contract/, loaded by
//! `fake_tenant::Contract` and checked with a JSON Schema validator): a request the spec refuses
//! is refused and reported, and an answer that breaks the spec is caught — in the fake's own
//! answers as a violation, in a scripted one as a note on the request.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_tenant::{
    Contract, DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, ImageForm, SETTINGS_PATH, Scripted,
    StoredImage, WHOAMI_PATH,
};
use serde_json::json;

fn jpeg_bytes() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend(b"JFIF\0".iter().copied());
    bytes.extend((0..200u8).map(|i| i.wrapping_mul(37)));
    bytes
}

/// One HTTP/1.1 request over a plain socket, exactly as written; the status answered.
fn send(tenant: &FakeTenant, method: &str, target: &str, auth: bool, body: &str) -> u16 {
    let mut stream = TcpStream::connect(tenant.addr()).expect("connect to the fake");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", tenant.addr());
    if auth {
        request.push_str(&format!("Authorization: APIToken {DEFAULT_TOKEN}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).expect("send request");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read answer");
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line")
}

/// An answer to check: method, path, status, headers, body, and what the problem must say.
type BadAnswer = (Method, &'static str, u16, HeaderMap, Vec<u8>, &'static str);

fn json_headers(content_type: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).expect("header value"),
    );
    headers
}

#[test]
fn the_vendored_spec_loads_with_every_operation_xc_avatar_calls() {
    let mut operations = Contract::f5().operations();
    operations.sort();
    let expected = [
        ("DELETE", IMAGE_PATH),
        ("GET", "/api/web/custom/namespaces/{namespace}/whoami"),
        ("GET", SETTINGS_PATH),
        ("GET", IMAGE_PATH),
        ("PUT", IMAGE_PATH),
    ];
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(operations, expected);
}

/// Requests that only the spec refuses (the fake's own rules would let them through, or see
/// them differently): each is answered 400 and reported in the spec's words.
#[test]
fn a_request_the_spec_refuses_is_refused_and_reported() {
    let cases: [(&str, &str, &str, &str); 4] = [
        // image must be a string (format byte): a number is a type error in the schema.
        (
            "PUT",
            IMAGE_PATH,
            r#"{"content_type": "image/jpeg", "image": 42}"#,
            "/image: 42 is not of type \"string\"",
        ),
        // content_type must be a string.
        (
            "PUT",
            IMAGE_PATH,
            &format!(
                r#"{{"content_type": ["image/jpeg"], "image": "{}"}}"#,
                STANDARD.encode(jpeg_bytes())
            ),
            "/content_type:",
        ),
        // The spec's Update of the settings is an operation xc-avatar has no reason to call,
        // so the vendored contract does not hold it.
        ("PUT", SETTINGS_PATH, "{}", "has no PUT operation"),
        // A query parameter no operation declares.
        (
            "GET",
            &format!("{WHOAMI_PATH}?verbose=1"),
            "",
            "no query parameter \"verbose\"",
        ),
    ];
    for (method, target, body, because) in cases {
        let tenant = FakeTenant::start();
        let status = send(&tenant, method, target, true, body);
        assert_eq!(status, 400, "{method} {target} {body}");
        let spec: Vec<String> = tenant
            .take_violations()
            .into_iter()
            .map(|v| v.problem)
            .filter(|p| p.starts_with("F5's spec: "))
            .collect();
        assert!(
            spec.iter().any(|p| p.contains(because)),
            "{method} {target} {body}: {spec:?} do not say {because:?}"
        );
        assert_eq!(tenant.image_of(DEFAULT_TOKEN), None);
    }
}

#[test]
fn a_request_without_the_specs_authorization_header_breaks_its_security_scheme() {
    let tenant = FakeTenant::start();
    assert_eq!(send(&tenant, "GET", WHOAMI_PATH, false, ""), 401);
    let problems: Vec<String> = tenant
        .take_violations()
        .into_iter()
        .map(|v| v.problem)
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("F5's spec: ") && p.contains("Authorization header")),
        "{problems:?}"
    );
}

/// What the fake answered before its answers were checked: `initial_access` as a boolean, where
/// the spec has an `InitialAccess` object. The validator catches it (and the fake no longer
/// sends it).
#[test]
fn an_answer_that_breaks_the_spec_is_caught() {
    let contract = Contract::f5();
    let json = json_headers("application/json");
    let get = Method::GET;
    let settings = json!({
        "image": "",
        "initial_access": false,
        "is_next_request_allowed": true,
        "otp_status": "OTP_DISABLED",
    });
    let problems = contract.check_answer(
        &get,
        SETTINGS_PATH,
        200,
        &json,
        settings.to_string().as_bytes(),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("/initial_access: false is not of type \"object\""),
        "{problems:?}"
    );

    let bad: [BadAnswer; 7] = [
        (
            get.clone(),
            "/api/web/custom/namespaces/system/whoami",
            200,
            json.clone(),
            json!({"email": "ada@example.com", "tenant": 5})
                .to_string()
                .into(),
            "/tenant: 5 is not of type \"string\"",
        ),
        (
            get.clone(),
            SETTINGS_PATH,
            200,
            json.clone(),
            json!({"otp_status": "MAYBE"}).to_string().into(),
            "/otp_status:",
        ),
        (
            get.clone(),
            IMAGE_PATH,
            200,
            json.clone(),
            json!({"content_type": "image/jpeg", "data": "not base64!"})
                .to_string()
                .into(),
            "is not a \"byte\"",
        ),
        (
            get.clone(),
            IMAGE_PATH,
            200,
            json.clone(),
            b"{\"content_type\": ".to_vec(),
            "is not JSON",
        ),
        (
            Method::PUT,
            IMAGE_PATH,
            400,
            json.clone(),
            b"\"bad request\"".to_vec(),
            "declares no 400 answer",
        ),
        (
            Method::DELETE,
            IMAGE_PATH,
            200,
            json_headers("text/plain"),
            b"ok".to_vec(),
            "is \"text/plain\", the spec declares application/json",
        ),
        (
            get.clone(),
            IMAGE_PATH,
            200,
            HeaderMap::new(),
            jpeg_bytes(),
            "the spec declares application/json",
        ),
    ];
    for (method, path, status, headers, body, because) in bad {
        let problems = contract.check_answer(&method, path, status, &headers, &body);
        assert!(
            problems.iter().any(|p| p.contains(because)),
            "{method} {path} {status}: {problems:?} do not say {because:?}"
        );
    }

    // And what it accepts: HttpBody sent raw (grpc-gateway's form), `{}`, a string error.
    let good: [(Method, &str, u16, HeaderMap, Vec<u8>); 4] = [
        (
            get.clone(),
            IMAGE_PATH,
            200,
            json_headers("image/jpeg"),
            jpeg_bytes(),
        ),
        (Method::PUT, IMAGE_PATH, 200, json.clone(), b"{}".to_vec()),
        (
            get.clone(),
            WHOAMI_PATH,
            401,
            json.clone(),
            b"\"expired\"".to_vec(),
        ),
        (
            get,
            IMAGE_PATH,
            200,
            json,
            json!({"content_type": "image/jpeg", "data": STANDARD.encode(jpeg_bytes())})
                .to_string()
                .into(),
        ),
    ];
    for (method, path, status, headers, body) in good {
        let problems = contract.check_answer(&method, path, status, &headers, &body);
        assert_eq!(problems, Vec::<String>::new(), "{method} {path} {status}");
    }
}

/// A test that scripts an answer F5 never gives (a 418, a picture that is not base64) gets it,
/// with the departure noted on the request, and no violation: the choice was the test's.
#[test]
fn a_scripted_answer_off_the_spec_is_noted_not_failed() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::status(418, "I'm a teapot"));
    tenant.push(Scripted::Status {
        status: 200,
        body: json!({"content_type": "image/jpeg", "data": "%%%"}).to_string(),
        retry_after: None,
    });
    assert_eq!(send(&tenant, "GET", IMAGE_PATH, true, ""), 418);
    assert_eq!(send(&tenant, "GET", IMAGE_PATH, true, ""), 200);
    let received = tenant.received();
    assert!(
        received[0].answer_problems[0].contains("declares no 418 answer"),
        "{:?}",
        received[0].answer_problems
    );
    assert!(
        received[1].answer_problems[0].contains("is not a \"byte\""),
        "{:?}",
        received[1].answer_problems
    );
    assert_eq!(tenant.violations(), vec![]);
}

/// Every answer the fake gives on its own to well-formed requests keeps the spec: both forms of
/// the picture, no picture, the settings, whoami, an unknown token. (Dropping the tenant would
/// fail the test on any departure; the explicit check says which.)
#[test]
fn the_fakes_own_answers_keep_the_spec() {
    let tenant = FakeTenant::start();
    let body = json!({"content_type": "image/jpeg", "image": STANDARD.encode(jpeg_bytes())});
    let requests = [
        ("GET", IMAGE_PATH, ""),
        ("GET", SETTINGS_PATH, ""),
        ("PUT", IMAGE_PATH, &body.to_string()),
        ("GET", IMAGE_PATH, ""),
        ("GET", SETTINGS_PATH, ""),
        ("GET", WHOAMI_PATH, ""),
        ("DELETE", IMAGE_PATH, ""),
    ];
    for (method, path, body) in requests {
        send(&tenant, method, path, true, body);
    }
    tenant.set_image_form(ImageForm::Raw);
    tenant.set_image(
        DEFAULT_TOKEN,
        StoredImage {
            content_type: "image/jpeg".into(),
            bytes: jpeg_bytes(),
        },
    );
    send(&tenant, "GET", IMAGE_PATH, true, "");
    tenant.revoke_token(DEFAULT_TOKEN);
    send(&tenant, "GET", WHOAMI_PATH, true, "");
    let statuses: Vec<u16> = tenant.received().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [404, 200, 200, 200, 200, 200, 200, 200, 401]);
    for request in tenant.received() {
        assert_eq!(
            request.answer_problems,
            Vec::<String>::new(),
            "{} {}",
            request.method,
            request.path
        );
    }
    assert_eq!(tenant.violations(), vec![]);
}

/// The OpenAPI 3.0 → JSON Schema conversion, on a small document of its own: F5's
/// `x-ves-required`, `nullable`, `format: byte`, path and query parameters, an optional body.
#[test]
fn openapi_differences_are_converted_at_load() {
    let document = json!({
        "openapi": "3.0.0",
        "info": {"title": "t", "version": ""},
        "security": [{"key": []}],
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
            "schemas": {
                "thing": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "x-ves-required": "true", "maxLength": 4},
                        "blob": {"type": "string", "format": "byte"},
                        "note": {"type": "string", "nullable": true},
                        "flag": {"type": "boolean", "format": "boolean"}
                    }
                }
            }
        },
        "paths": {
            "/things/{id}": {
                "x-displayname": "not an operation",
                "put": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": true,
                         "schema": {"type": "string", "maxLength": 3}},
                        {"name": "dry", "in": "query", "schema": {"type": "boolean"}}
                    ],
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/thing"}}}},
                    "responses": {"200": {"description": "ok"}}
                }
            }
        }
    });
    let contract = Contract::from_documents(&[("doc", document)]).expect("loads");
    let put = Method::PUT;
    let check = |target: &str, headers: &HeaderMap, body: &str| -> Vec<String> {
        let uri: axum::http::Uri = target.parse().expect("uri");
        contract.check_request(&put, &uri, headers, Some(body.as_bytes()), false)
    };
    let mut headers = json_headers("application/json");
    headers.insert("x-key", HeaderValue::from_static("k"));
    let ok = r#"{"name": "ab", "blob": "AAEC", "note": null, "flag": true}"#;
    assert_eq!(
        check("/things/a1?dry=1", &headers, ok),
        Vec::<String>::new()
    );
    // The body is optional here: none is fine.
    assert_eq!(check("/things/a1", &headers, ""), Vec::<String>::new());
    for (target, body, because) in [
        (
            "/things/a1",
            r#"{"blob": "AAEC"}"#,
            "\"name\" is a required property",
        ),
        (
            "/things/a1",
            r#"{"name": "abcdef"}"#,
            "is longer than 4 characters",
        ),
        (
            "/things/a1",
            r#"{"name": "a", "blob": "A"}"#,
            "is not a \"byte\"",
        ),
        (
            "/things/a1",
            r#"{"name": "a", "note": 3}"#,
            "/note: 3 is not of types",
        ),
        ("/things/long-id", ok, "path parameter id"),
        ("/things/a1?wet=1", ok, "no query parameter \"wet\""),
    ] {
        let problems = check(target, &headers, body);
        assert!(
            problems.iter().any(|p| p.contains(because)),
            "{target} {body}: {problems:?} do not say {because:?}"
        );
    }
    let problems = check("/things/a1", &json_headers("application/json"), ok);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("needs the X-Key header")),
        "{problems:?}"
    );
    // The contract answers for `/things/…` only.
    let uri: axum::http::Uri = "/other".parse().expect("uri");
    let problems = contract.check_request(&Method::GET, &uri, &headers, None, false);
    assert!(
        problems[0].contains("/other is no operation of it"),
        "{problems:?}"
    );
}
