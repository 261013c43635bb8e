//! `cargo bench -p xc-avatar-core --bench connections`: what keeping one client per tenant saves a user on a
//! far-away tenant. The fake tenant simulates 150 ms per round trip (two more for each new
//! connection: TCP, then TLS 1.3). The app's sequence — fetch the current picture, upload,
//! re-fetch — runs with a new client per call (what the app did before) and with one kept
//! client (what it does now); medians of 5 runs each, alternating.

use std::time::{Duration, Instant};

use fake_tenant::{DEFAULT_TOKEN, FakeTenant, StoredImage};
use xc_avatar_core::TenantUrl;
use xc_avatar_core::api::{ClientOptions, XcClient};
use xc_avatar_core::avatar::{self, EncodedAvatar, Framing, Source};
use xc_avatar_core::credentials::ApiToken;

const ROUND_TRIP: Duration = Duration::from_millis(150);
const RUNS: usize = 5;

struct Run {
    upload_to_live: Duration,
    whole: Duration,
    connections: u64,
}

fn avatar() -> EncodedAvatar {
    let photo = image::RgbImage::from_fn(1200, 900, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    photo
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .expect("encode");
    let source = Source::from_bytes(jpeg.into_inner()).expect("source");
    avatar::render(
        &source,
        &Framing::new(source.size()),
        &avatar::Output::default(),
    )
    .expect("render")
}

fn one_run(runtime: &tokio::runtime::Runtime, keep_client: bool, avatar: &EncodedAvatar) -> Run {
    let tenant = FakeTenant::start();
    // A picture is there already: each fetch is one request.
    tenant.set_image(
        DEFAULT_TOKEN,
        StoredImage {
            content_type: avatar.content_type().into(),
            bytes: avatar.bytes.clone(),
        },
    );
    tenant.set_latency(ROUND_TRIP);
    let url = TenantUrl::parse(&tenant.url()).expect("url");
    let token = ApiToken::new(DEFAULT_TOKEN).expect("token");
    let kept = XcClient::new(url.clone(), &token, ClientOptions::default()).expect("client");
    let client = || {
        if keep_client {
            kept.clone()
        } else {
            XcClient::new(url.clone(), &token, ClientOptions::default()).expect("client")
        }
    };
    runtime.block_on(async {
        let start = Instant::now();
        client().current_image().await.expect("fetch");
        let upload = Instant::now();
        client().update_image(avatar).await.expect("upload");
        let upload_to_live = upload.elapsed();
        client().current_image().await.expect("re-fetch");
        Run {
            upload_to_live,
            whole: start.elapsed(),
            connections: tenant.connections(),
        }
    })
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    // Under `cargo test --all-targets` (no `--bench` flag) it does nothing: it takes seconds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let avatar = avatar();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        before.push(one_run(&runtime, false, &avatar));
        after.push(one_run(&runtime, true, &avatar));
    }
    let summary = |runs: &[Run]| {
        (
            median(runs.iter().map(|r| r.upload_to_live).collect()),
            median(runs.iter().map(|r| r.whole).collect()),
            runs.iter().map(|r| r.connections).max().unwrap_or_default(),
        )
    };
    let (b_live, b_whole, b_conn) = summary(&before);
    let (a_live, a_whole, a_conn) = summary(&after);
    println!(
        "fetch + upload + re-fetch against the fake tenant at {} ms per round trip, \
         medians of {RUNS}:",
        ROUND_TRIP.as_millis()
    );
    println!("| client | Upload → live | whole sequence | connections |");
    println!("|---|---|---|---|");
    println!(
        "| new per call (before) | {} ms | {} ms | {b_conn} |",
        b_live.as_millis(),
        b_whole.as_millis()
    );
    println!(
        "| one kept (now) | {} ms | {} ms | {a_conn} |",
        a_live.as_millis(),
        a_whole.as_millis()
    );
    println!(
        "ratio now/before: Upload → live {:.2}×, whole {:.2}×",
        a_live.as_secs_f64() / b_live.as_secs_f64(),
        a_whole.as_secs_f64() / b_whole.as_secs_f64()
    );
}
