//! The crop editor: zoom, pan, rotate, and what will be sent.

use crate::harness::*;

#[test]
fn the_crop_editor_zooms_pans_rotates_and_says_what_will_be_sent() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    wait_for_estimate(&mut harness);
    harness.get_by_label_contains("Will send: 512×512 JPEG, quality 85,");
    for size in ["128", "64", "32"] {
        harness.get_by_label(&format!("Preview at {size} pixels"));
    }
    assert!(harness.get_by_label("Reset").accesskit_node().is_disabled());
    let start = crop_of(harness.state());
    assert_eq!(
        (start.center_x, start.center_y, start.side),
        (320.0, 240.0, 480.0)
    );

    // "+" zooms in around the centre; arrows nudge.
    for _ in 0..5 {
        harness.key_press(egui::Key::Plus);
        harness.step();
    }
    let zoomed = crop_of(harness.state());
    assert!(zoomed.side < 250.0, "{zoomed:?}");
    assert_eq!((zoomed.center_x, zoomed.center_y), (320.0, 240.0));
    harness.key_press(egui::Key::ArrowRight);
    harness.step();
    assert!(crop_of(harness.state()).center_x > 320.0);

    // Dragging the crop far to the left stops at the picture's edge: red only.
    let editor = harness.get_by_label_contains("stripes.jpg: crop").rect();
    let from = editor.center();
    drag(&mut harness, from, from - egui::vec2(editor.width(), 0.0));
    let dragged = crop_of(harness.state());
    assert_eq!(dragged.left(), 0.0, "{dragged:?}");
    assert!(!harness.get_by_label("Reset").accesskit_node().is_disabled());

    // Rotating keeps the same part framed, now in a 480×640 picture.
    harness.get_by_label("Rotate right").click();
    harness.step();
    let picture_size = harness
        .state()
        .state()
        .photo
        .photo
        .as_ref()
        .map(|p| p.framing.size());
    assert_eq!(picture_size, Some((480, 640)));
    wait_for_estimate(&mut harness);
    let promised = match harness.state().state().photo.ready_avatar() {
        Some(avatar) => avatar.bytes.clone(),
        None => panic!(
            "no avatar prepared: {:?}",
            harness.state().state().photo.prepared
        ),
    };

    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    let stored = fixture
        .tenant
        .image_of(DEFAULT_TOKEN)
        .expect("picture stored");
    assert!(
        stored.bytes == promised,
        "what was sent is not what 'Will send' described"
    );
    let avatar = image::load_from_memory(&stored.bytes)
        .expect("decodes")
        .to_rgb8();
    support::assert_near(
        avatar.get_pixel(256, 256).0,
        support::RED,
        "centre of the crop",
    );

    // Reset: back to the centred square, unrotated.
    harness.get_by_label("Reset").click();
    harness.step();
    let framing = harness
        .state()
        .state()
        .photo
        .photo
        .as_ref()
        .expect("picture")
        .framing;
    assert!(framing.is_default());
}

/// The quadrant card from a camera held sideways or mirrored (EXIF 5–8), turned a quarter right
/// or left in the editor, zoomed and nudged off centre: the uploaded avatar shows the right
/// colour in all four corners (a centre pixel would pass whatever the turn).
#[test]
fn rotate_left_and_right_on_exif_turned_photos_upload_the_corners_seen() {
    for (orientation, button, turns, nudges) in [
        (
            5,
            "Rotate right",
            1,
            [egui::Key::ArrowLeft, egui::Key::ArrowUp],
        ),
        (
            6,
            "Rotate left",
            3,
            [egui::Key::ArrowRight, egui::Key::ArrowDown],
        ),
        (
            7,
            "Rotate right",
            1,
            [egui::Key::ArrowLeft, egui::Key::ArrowUp],
        ),
        (
            8,
            "Rotate left",
            3,
            [egui::Key::ArrowRight, egui::Key::ArrowDown],
        ),
    ] {
        let what = format!("EXIF {orientation}, {button}");
        let fixture = Fixture::new();
        let photo = fixture.dir.path().join(format!("card-{orientation}.jpg"));
        std::fs::write(&photo, support::card_jpeg(orientation)).expect("write the card");
        let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
        drop_file(&mut harness, photo);
        harness.get_by_label(button).click();
        harness.step();
        for _ in 0..2 {
            harness.key_press(egui::Key::Plus);
            harness.step();
        }
        for key in nudges {
            harness.key_press(key);
            harness.step();
        }
        let crop = crop_of(harness.state());
        assert_ne!(
            (crop.center_x, crop.center_y),
            (800.0, 1200.0),
            "{what}: the crop is off centre"
        );
        wait_for_estimate(&mut harness);
        upload_until(&mut harness, "the upload", |app| !app.state().changing());
        let stored = fixture
            .tenant
            .image_of(DEFAULT_TOKEN)
            .expect("picture stored");
        let avatar = image::load_from_memory(&stored.bytes)
            .expect("decodes")
            .to_rgb8();
        support::assert_card_corners(&avatar, turns, (crop.left(), crop.top(), crop.side), &what);
    }
}
