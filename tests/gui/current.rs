//! The picture the tenant shows now: Undo and Remove.

use crate::harness::*;

#[test]
fn the_current_picture_is_shown_and_changes_can_be_undone_or_removed() {
    let fixture = Fixture::new();
    let old = support::encode(
        &image::DynamicImage::ImageRgb8(support::quadrants()),
        ImageFormat::Png,
    );
    fixture.tenant.set_image(
        DEFAULT_TOKEN,
        fake_tenant::StoredImage {
            content_type: "image/png".into(),
            bytes: old.clone(),
        },
    );
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "new.jpg");
    harness.get_by_label("Now on 127.0.0.1");
    harness.get_by_label("Your current profile picture");

    // Upload, then Undo: the old picture is back, byte for byte.
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    assert_ne!(
        fixture.tenant.image_of(DEFAULT_TOKEN).map(|i| i.bytes),
        Some(old.clone())
    );
    harness.get_by_label("Undo").click();
    harness.step();
    wait_for(&mut harness, "the undo", |app| {
        !app.state().changing() && app.state().notice.is_some()
    });
    harness.get_by_label_contains("Your previous picture is back on 127.0.0.1");
    let restored = fixture.tenant.image_of(DEFAULT_TOKEN).expect("picture");
    let restored_bytes = restored.bytes.clone();
    assert_eq!(
        (restored.content_type.as_str(), restored.bytes),
        ("image/png", old)
    );
    assert!(
        harness.query_by_label("Undo").is_none(),
        "an undo is not undone"
    );

    // Remove asks first; "Keep it" keeps it.
    wait_for(&mut harness, "the refreshed picture", |app| {
        matches!(app.state().current.shown, Current::Shown { .. })
    });
    harness.get_by_label("Remove picture…").click();
    harness.run();
    harness.get_by_label("Remove your profile picture?");
    // The question blocks the shortcuts behind it.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    assert!(!harness.state().state().changing());
    harness.get_by_label("Keep it").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Remove your profile picture?")
            .is_none()
    );
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());

    harness.get_by_label("Remove picture…").click();
    harness.run();
    harness.get_by_label("Remove").click();
    harness.step();
    wait_for(&mut harness, "the removal", |app| {
        !app.state().changing() && matches!(app.state().current.shown, Current::Missing)
    });
    harness.get_by_label_contains("Your profile picture was removed from 127.0.0.1");
    harness.get_by_label("No picture yet: the Console shows your initials.");
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_none());

    // Undo of a removal puts the removed picture back, byte for byte (the old PNG, restored
    // by the first undo).
    harness.get_by_label("Undo").click();
    harness.step();
    wait_for(&mut harness, "the undo of the removal", |app| {
        !app.state().changing() && matches!(app.state().current.shown, Current::Shown { .. })
    });
    let back = fixture
        .tenant
        .image_of(DEFAULT_TOKEN)
        .expect("picture back");
    assert_eq!(
        (back.content_type.as_str(), back.bytes),
        ("image/png", restored_bytes)
    );
}

#[test]
fn a_current_picture_that_does_not_decode_is_named_and_a_removal_can_be_cancelled() {
    let fixture = Fixture::new();
    // A real PNG header with its pixel data cut off: a picture by its bytes, but one that does
    // not decode (a format or variant this app cannot show looks the same).
    let png = support::encode(&support::three_stripes().into(), ImageFormat::Png);
    fixture.tenant.set_image(
        DEFAULT_TOKEN,
        fake_tenant::StoredImage {
            content_type: "image/png".into(),
            bytes: png[..png.len() / 2].to_vec(),
        },
    );
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run();
    harness.get_by_label("A picture (image/png) this app cannot show.");

    // A slow tenant: Cancel stops the removal and says the picture stays.
    fixture
        .tenant
        .push(Scripted::Delay(Duration::from_secs(30)));
    harness.get_by_label("Remove picture…").click();
    harness.run();
    harness.get_by_label("Remove").click();
    harness.step();
    // Cancel once the tenant has the request (so the scripted delay is the DELETE's).
    wait_for(&mut harness, "the removal to reach the tenant", |app| {
        app.state().changing() && fixture.tenant.received_on("DELETE", IMAGE_PATH).len() == 1
    });
    harness.step();
    harness.get_by_label("Removing your picture…");
    harness.get_by_label("Cancel").click();
    harness.step();
    wait_for(&mut harness, "the cancel", |app| !app.state().changing());
    // The request was out: the app cannot promise nothing changed, so it says so and looks.
    harness
        .get_by_label("Removal cancelled after it was sent: your picture may already be removed");
    assert!(fixture.tenant.image_of(DEFAULT_TOKEN).is_some());
    wait_for(&mut harness, "the re-fetch", |app| {
        matches!(app.state().current.shown, Current::Shown { .. })
    });
    harness.get_by_label("A picture (image/png) this app cannot show.");
    assert_eq!(fixture.tenant.received_on("GET", IMAGE_PATH).len(), 2);
}
