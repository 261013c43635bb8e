//! Pictures of the main screens, compared on Linux (wgpu on the CPU).

use crate::harness::*;

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_first_start_asks_for_tenant_and_token() {
    let fixture = Fixture::new();
    let mut config = fixture.config(None, None);
    config.tenant = None;
    let mut harness = harness(config);
    harness.run();
    snapshot(&mut harness, "setup_first_start");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_crop_editor_with_previews() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    harness.key_press(egui::Key::Plus);
    harness.step();
    wait_for_estimate(&mut harness);
    harness.run();
    snapshot(&mut harness, "crop_editor");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "snapshots are made with llvmpipe on Linux; other GPUs antialias differently"
)]
fn snapshot_rejected_token_panel() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, "not-the-right-token-000000", "stripes.jpg");
    upload_until(&mut harness, "the rejected upload", |app| {
        !app.state().changing()
    });
    harness.run();
    snapshot(&mut harness, "rejected_token");
}
