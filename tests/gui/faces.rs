//! Framed on the face when a photo opens: the caption, Reset back to the face, Centre, the
//! other face (the button and a click on it); and the initials avatar for people without a
//! photo, previewed and uploaded through the same flow.

use crate::harness::*;
use crate::support::scenes;
use xc_avatar::avatar::{Crop, Framing};

/// Whether the face `(x, y, w, h)` sits in the middle of `crop` (the test).
fn on(face: (f64, f64, f64, f64), crop: Crop) -> bool {
    let (x, y, w, h) = face;
    let across = (x + w / 2.0 - crop.center_x).abs() / crop.side;
    let down = (y + h / 2.0 - crop.center_y).abs() / crop.side;
    across <= 0.15 && down <= 0.20 && (0.25..=0.70).contains(&(h / crop.side))
}

fn photo(app: &XcAvatarApp) -> &xc_avatar::app::Photo {
    app.state().photo.photo.as_ref().expect("a photo")
}

/// The app signed in with the two-faces scene dropped on it as "two.jpg", its faces found and
/// its avatar measured.
fn with_two_faces(fixture: &Fixture) -> (Harness<'static, XcAvatarApp>, scenes::Scene) {
    let scene = scenes::two_faces();
    let path = fixture.dir.path().join("two.jpg");
    std::fs::write(&path, &scene.bytes).expect("write scene");
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    drop_file(&mut harness, path);
    wait_for(&mut harness, "the faces", |app| photo(app).faces_known);
    wait_for_estimate(&mut harness);
    (harness, scene)
}

/// Two frames: one where the click or key becomes a change, one that draws it.
fn settle(harness: &mut Harness<'_, XcAvatarApp>) {
    harness.step();
    harness.step();
}

/// A click (press and release, no movement) at `at`.
fn click_at(harness: &mut Harness<'_, XcAvatarApp>, at: egui::Pos2) {
    let button = |pressed| egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    for event in [egui::Event::PointerMoved(at), button(true), button(false)] {
        harness.input_mut().events.push(event);
        harness.step();
    }
}

/// The tooltip `hint` appears once the pointer rests at `at` (after egui's tooltip delay).
fn hint_on_hover(harness: &mut Harness<'_, XcAvatarApp>, at: egui::Pos2, hint: &str) {
    harness.hover_at(at);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while harness.query_by_label_contains(hint).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no hint {hint:?} at {at:?}"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn each_framing_control_says_what_it_does_on_hover() {
    let fixture = Fixture::new();
    let (mut harness, scene) = with_two_faces(&fixture);

    let centre_of = |harness: &Harness<'_, XcAvatarApp>, label: &str| {
        harness.get_by_label(label).rect().center()
    };
    let at = centre_of(&harness, "Next face");
    hint_on_hover(
        &mut harness,
        at,
        "Frame face 2 of 2 (or click a face in the picture)",
    );
    // Reset is disabled while the framing is already the face's: move it first.
    harness.key_press(egui::Key::ArrowLeft);
    settle(&mut harness);
    let at = centre_of(&harness, "Reset");
    hint_on_hover(
        &mut harness,
        at,
        "Back to the framing on the face, unrotated",
    );
    let at = centre_of(&harness, "Centre");
    hint_on_hover(
        &mut harness,
        at,
        "The largest centred square, keeping the rotation",
    );

    let editor = harness.get_by_label_contains("two.jpg: crop").rect();
    let scale = editor.width() / scene.size.0 as f32;
    let (x, y, w, h) = scene.faces[1];
    let face = editor.min + egui::vec2((x + w / 2.0) as f32, (y + h / 2.0) as f32) * scale;
    hint_on_hover(&mut harness, face, "Click to frame this face");
}

#[test]
fn a_photo_opens_framed_on_its_face_and_the_other_face_is_one_click_away() {
    let fixture = Fixture::new();
    let (mut harness, scene) = with_two_faces(&fixture);

    // On the larger face, said under the picture.
    harness.get_by_label("Framed on the face");
    assert!(on(scene.faces[0], crop_of(harness.state())));
    assert_eq!(photo(harness.state()).faces.len(), 2);
    assert!(harness.get_by_label("Reset").accesskit_node().is_disabled());

    // Next face: the smaller one; Reset now returns there.
    harness.get_by_label("Next face").click();
    settle(&mut harness);
    assert!(
        on(scene.faces[1], crop_of(harness.state())),
        "{:?} face {:?}",
        crop_of(harness.state()),
        photo(harness.state()).face
    );
    harness.get_by_label("Framed on the face");
    harness.key_press(egui::Key::ArrowLeft);
    settle(&mut harness);
    assert!(harness.query_by_label("Framed on the face").is_none());
    harness.get_by_label("Reset").click();
    settle(&mut harness);
    assert!(on(scene.faces[1], crop_of(harness.state())));

    // Centre: the largest centred square, no caption; Reset is back on the face.
    harness.get_by_label("Centre").click();
    settle(&mut harness);
    assert_eq!(crop_of(harness.state()), Crop::centered(scene.size));
    assert!(harness.query_by_label("Framed on the face").is_none());
    assert!(
        harness
            .get_by_label("Centre")
            .accesskit_node()
            .is_disabled()
    );

    // A click on the larger face frames it.
    let editor = harness.get_by_label_contains("two.jpg: crop").rect();
    let scale = editor.width() / scene.size.0 as f32;
    let (x, y, w, h) = scene.faces[0];
    let at = editor.min + egui::vec2((x + w / 2.0) as f32, (y + h / 2.0) as f32) * scale;
    click_at(&mut harness, at);
    assert!(on(scene.faces[0], crop_of(harness.state())));
    let size = scene.size;
    assert_eq!(
        photo(harness.state()).framing,
        Framing::around_face(size, &photo(harness.state()).faces[0])
    );

    // What is uploaded is the face's framing.
    wait_for_estimate(&mut harness);
    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    let stored = fixture.tenant.image_of(DEFAULT_TOKEN).expect("stored");
    let sent = harness
        .state()
        .state()
        .photo
        .ready_avatar()
        .map(|a| a.bytes.clone());
    assert_eq!(Some(stored.bytes), sent);
}

#[test]
fn on_a_turned_picture_the_other_face_is_chosen_and_the_turn_is_kept() {
    let fixture = Fixture::new();
    let (mut harness, scene) = with_two_faces(&fixture);
    let faces = photo(harness.state()).faces.clone();
    let on_face_turned = |face: &xc_avatar::avatar::Face| {
        let mut framing = Framing::around_face(scene.size, face);
        framing.rotate(1);
        framing
    };

    // Turned a quarter right, the framing on the larger face turns with the picture and is
    // still said to be on the face.
    harness.get_by_label("Rotate right").click();
    settle(&mut harness);
    assert_eq!(photo(harness.state()).framing, on_face_turned(&faces[0]));
    harness.get_by_label("Framed on the face");

    // Next face keeps the turn.
    harness.get_by_label("Next face").click();
    settle(&mut harness);
    assert_eq!(photo(harness.state()).framing, on_face_turned(&faces[1]));
    harness.get_by_label("Framed on the face");

    // A click on the larger face where the turned picture shows it frames it, turned.
    let editor = harness.get_by_label_contains("two.jpg: crop").rect();
    let shown = faces[0].turned(1, scene.size);
    let scale = editor.width() / scene.size.1 as f32;
    let at = editor.min
        + egui::vec2(
            (shown.x + shown.width / 2.0) as f32,
            (shown.y + shown.height / 2.0) as f32,
        ) * scale;
    click_at(&mut harness, at);
    settle(&mut harness);
    assert_eq!(photo(harness.state()).framing, on_face_turned(&faces[0]));
    harness.get_by_label("Framed on the face");

    // Reset: the face's framing, unrotated.
    harness.get_by_label("Reset").click();
    settle(&mut harness);
    assert_eq!(
        photo(harness.state()).framing,
        Framing::around_face(scene.size, &faces[0])
    );
}

#[test]
fn a_photo_without_a_face_stays_centred_with_no_caption() {
    let fixture = Fixture::new();
    let mut harness = with_photo(&fixture, DEFAULT_TOKEN, "stripes.jpg");
    wait_for(&mut harness, "the faces", |app| photo(app).faces_known);
    assert!(photo(harness.state()).faces.is_empty());
    assert!(harness.query_by_label("Framed on the face").is_none());
    assert!(harness.query_by_label("Centre").is_none());
    assert!(harness.query_by_label("Next face").is_none());
    assert_eq!(crop_of(harness.state()), Crop::centered((640, 480)));
}

#[test]
fn no_photo_the_initials_are_previewed_and_uploaded() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    wait_for(&mut harness, "who the user is", |app| {
        app.state().current.initials_name.is_some()
    });
    let link = harness
        .get_by_label("No photo? Use your initials")
        .rect()
        .center();
    hint_on_hover(
        &mut harness,
        link,
        "An avatar of the initials of Ada Lovelace on a colour of its own, framed and uploaded \
         like a photo",
    );
    harness.get_by_label("No photo? Use your initials").click();
    settle(&mut harness);
    wait_for(&mut harness, "the initials", |app| {
        app.state().photo.loading.is_none()
            && app
                .state()
                .photo
                .photo
                .as_ref()
                .is_some_and(|p| p.faces_known)
    });
    wait_for_estimate(&mut harness);
    assert_eq!(
        picture_name(harness.state()).as_deref(),
        Some("Your initials (AL)")
    );
    harness.get_by_label_contains("Your initials (AL): crop");
    harness.get_by_label_contains("Will send: 512×512");

    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    let stored = fixture.tenant.image_of(DEFAULT_TOKEN).expect("stored");
    let avatar = image::load_from_memory(&stored.bytes)
        .expect("decodes")
        .to_rgb8();
    assert_eq!(avatar.dimensions(), (512, 512));
    let background = xc_avatar::avatar::Monogram::new("Ada Lovelace").background();
    support::assert_near(
        avatar.get_pixel(6, 6).0,
        background,
        "the monogram's colour",
    );
}
