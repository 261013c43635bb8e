//! The XC client against the fake tenant on loopback: real HTTP, every outcome typed.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH, ImageForm, Scripted, StoredImage};
use xc_avatar_core::TenantUrl;
use xc_avatar_core::api::{
    ApiError, CallEvent, ClientOptions, RetryPolicy, TenantPicture, XcClient,
};
use xc_avatar_core::avatar::{self, EncodedAvatar, Framing, Output, Source};
use xc_avatar_core::credentials::ApiToken;

fn avatar() -> EncodedAvatar {
    let mut png = std::io::Cursor::new(Vec::new());
    support::three_stripes()
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("encode");
    let source = Source::from_bytes(png.into_inner()).expect("source");
    let output = Output {
        size: 64,
        ..Output::default()
    };
    avatar::render(&source, &Framing::new(source.size()), &output).expect("render")
}

/// A client whose backoff is short, recording every event it reports.
fn client_for(url: &str, retry: RetryPolicy) -> (XcClient, Arc<Mutex<Vec<CallEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let options = ClientOptions {
        timeout: Duration::from_secs(5),
        retry,
        ..ClientOptions::default()
    };
    let client = XcClient::new(
        TenantUrl::parse(url).expect("tenant URL"),
        &ApiToken::new(DEFAULT_TOKEN).expect("token"),
        options,
    )
    .expect("client")
    .on_event(move |e| sink.lock().expect("events").push(e.clone()));
    (client, events)
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

fn waits(events: &Mutex<Vec<CallEvent>>) -> Vec<(u32, u32, Duration)> {
    events
        .lock()
        .expect("events")
        .iter()
        .map(
            |CallEvent::Retrying {
                 next_attempt,
                 attempts,
                 wait,
                 ..
             }| { (*next_attempt, *attempts, *wait) },
        )
        .collect()
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured_then_the_upload_succeeds() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::status(429, "slow down").with_retry_after("1"));
    let (client, events) = client_for(&tenant.url(), fast_retries());

    let started = Instant::now();
    client
        .update_image(&avatar())
        .await
        .expect("uploaded on the retry");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited the server's 1 s"
    );
    assert_eq!(waits(&events), [(2, 4, Duration::from_secs(1))]);
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 2);
    assert!(tenant.image_of(DEFAULT_TOKEN).is_some());
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let tenant = FakeTenant::start();
    // Far enough ahead that a loaded machine cannot reach the date before the 503 is read
    // (then the wait would be zero); whole seconds, so 5–6 s from now.
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(6));
    tenant.push(Scripted::status(503, "maintenance").with_retry_after(&when));
    let (client, events) = client_for(&tenant.url(), fast_retries());

    let before = SystemTime::now();
    client
        .update_image(&avatar())
        .await
        .expect("uploaded on the retry");
    let [(2, 4, wait)] = waits(&events)[..] else {
        panic!("one retry expected: {:?}", waits(&events));
    };
    // The wait is the time from when the answer was read until the date: at most the time
    // from before the call, and more than zero.
    let until = httpdate::parse_http_date(&when).expect("date");
    let most = until.duration_since(before).expect("date is ahead");
    assert!(
        wait > Duration::ZERO && wait <= most,
        "{wait:?} (at most {most:?})"
    );
}

#[tokio::test]
async fn without_retry_after_the_backoff_doubles_and_gives_up_after_three_retries() {
    let tenant = FakeTenant::start();
    for _ in 0..4 {
        tenant.push(Scripted::status(504, "gateway timeout"));
    }
    let (client, events) = client_for(&tenant.url(), fast_retries());

    let error = client.update_image(&avatar()).await.expect_err("still 504");
    assert!(
        matches!(error, ApiError::Server { status: 504, .. }),
        "{error:?}"
    );
    assert_eq!(error.server_text(), Some("gateway timeout"));
    let waits = waits(&events);
    assert_eq!(
        waits.iter().map(|w| (w.0, w.1)).collect::<Vec<_>>(),
        [(2, 4), (3, 4), (4, 4)]
    );
    for ((_, _, wait), nominal) in waits.iter().zip([50.0, 100.0, 200.0]) {
        let ms = wait.as_secs_f64() * 1000.0;
        assert!(
            (nominal * 0.8..=nominal * 1.2).contains(&ms),
            "{ms} ms vs {nominal}"
        );
    }
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 4);
}

#[tokio::test]
async fn errors_that_retrying_cannot_fix_are_final_at_once() {
    let tenant = FakeTenant::start();
    for status in [500, 401, 403, 404, 409] {
        tenant.push(Scripted::status(status, "no"));
        let (client, events) = client_for(&tenant.url(), fast_retries());
        let error = client.update_image(&avatar()).await.expect_err("fails");
        assert_eq!(error.status(), Some(status));
        assert!(waits(&events).is_empty(), "HTTP {status} was retried");
    }
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 5);
}

#[tokio::test]
async fn an_upload_waiting_to_retry_can_be_cancelled_at_once() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::status(429, "slow down").with_retry_after("100"));
    let (client, events) = client_for(&tenant.url(), fast_retries());
    let upload = tokio::spawn(async move { client.update_image(&avatar()).await });

    let deadline = Instant::now() + Duration::from_secs(10);
    while waits(&events).is_empty() {
        assert!(Instant::now() < deadline, "no retry event");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(waits(&events)[0].2, Duration::from_secs(100));
    upload.abort();
    let ended = tokio::time::timeout(Duration::from_secs(1), upload)
        .await
        .expect("cancelled at once");
    assert!(ended.is_err_and(|e| e.is_cancelled()));
    assert_eq!(tenant.received_on("PUT", IMAGE_PATH).len(), 1);
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), None);
}

#[tokio::test]
async fn a_garbage_200_body_is_still_success() {
    let tenant = FakeTenant::start();
    tenant.push(Scripted::Status {
        status: 200,
        body: "<html>OK</html>".into(),
        retry_after: None,
    });
    let (client, _) = client_for(&tenant.url(), RetryPolicy::none());
    client
        .update_image(&avatar())
        .await
        .expect("a 200 is success");
}

fn jpeg_picture() -> StoredImage {
    StoredImage {
        content_type: "image/jpeg".into(),
        bytes: avatar().bytes,
    }
}

#[tokio::test]
async fn the_current_picture_in_raw_and_json_forms() {
    let tenant = FakeTenant::start();
    let (client, _) = client_for(&tenant.url(), RetryPolicy::none());
    tenant.set_image(DEFAULT_TOKEN, jpeg_picture());
    let want = TenantPicture {
        content_type: "image/jpeg".into(),
        bytes: jpeg_picture().bytes,
    };

    tenant.set_image_form(ImageForm::Raw);
    assert_eq!(
        client.current_image().await.expect("raw"),
        Some(want.clone())
    );
    tenant.set_image_form(ImageForm::Json);
    assert_eq!(
        client.current_image().await.expect("json"),
        Some(want.clone())
    );
    assert_eq!(want.extension(), "jpg");
}

#[tokio::test]
async fn a_404_for_the_picture_falls_back_to_the_settings() {
    let tenant = FakeTenant::start();
    let (client, _) = client_for(&tenant.url(), RetryPolicy::none());
    // No picture: the image endpoint says 404, the settings have an empty image.
    assert_eq!(client.current_image().await.expect("no picture"), None);
    assert_eq!(tenant.received().len(), 2);

    tenant.set_image(DEFAULT_TOKEN, jpeg_picture());
    tenant.push(Scripted::status(404, "not here"));
    let picture = client.current_image().await.expect("from settings");
    assert_eq!(picture.map(|p| p.bytes), Some(jpeg_picture().bytes));

    // Both 404: the URL is wrong, not the picture missing.
    tenant.push(Scripted::status(404, "no such API"));
    tenant.push(Scripted::status(404, "no such API"));
    let error = client.current_image().await.expect_err("wrong URL");
    assert!(matches!(error, ApiError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn delete_removes_the_picture() {
    let tenant = FakeTenant::start();
    tenant.set_image(DEFAULT_TOKEN, jpeg_picture());
    let (client, _) = client_for(&tenant.url(), RetryPolicy::none());
    client.delete_image().await.expect("deleted");
    assert_eq!(tenant.image_of(DEFAULT_TOKEN), None);
}

#[tokio::test]
async fn whoami_names_the_token_owner() {
    let tenant = FakeTenant::start();
    let (client, _) = client_for(&tenant.url(), RetryPolicy::none());
    let me = client.whoami().await.expect("whoami");
    assert_eq!(me.display_name(), "Ada Lovelace <ada@example.com>");
    assert_eq!(me.short_name(), "Ada Lovelace");
    assert_eq!(me.tenant, "acme");

    tenant.push(Scripted::Status {
        status: 200,
        body: "[1, 2]".into(),
        retry_after: None,
    });
    let error = client.whoami().await.expect_err("not a user");
    assert!(
        matches!(error, ApiError::InvalidResponse { .. }),
        "{error:?}"
    );
}

/// In a child with no proxy variables: reqwest reads them from the process, and through a
/// proxy an unknown host is the proxy's failure, not a DNS one.
#[tokio::test]
async fn network_failures_are_named() {
    if !support::child::in_clean_child("network_failures_are_named", &[]) {
        return;
    }
    // TLS spoken to a plain-HTTP server: a handshake failure naming the host.
    let tenant = FakeTenant::start();
    let tls_url = format!("https://{}", tenant.addr());
    let (client, _) = client_for(&tls_url, RetryPolicy::none());
    let error = client
        .update_image(&avatar())
        .await
        .expect_err("no TLS there");
    assert!(
        matches!(&error, ApiError::Tls { host, .. } if host == "127.0.0.1"),
        "{error:?}"
    );

    // A port nobody listens on.
    let closed = fake_tenant::ClosedPort::new();
    let (client, _) = client_for(&closed.url(), RetryPolicy::none());
    let error = client.update_image(&avatar()).await.expect_err("refused");
    assert!(
        matches!(error, ApiError::ConnectionRefused { .. }),
        "{error:?}"
    );

    // A name that cannot exist (RFC 2606).
    let (client, _) = client_for("https://xc-avatar-test.invalid", RetryPolicy::none());
    let error = client
        .update_image(&avatar())
        .await
        .expect_err("no such host");
    assert!(
        matches!(&error, ApiError::Dns { host } if host == "xc-avatar-test.invalid"),
        "{error:?}"
    );
}
