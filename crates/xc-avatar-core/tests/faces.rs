//! The first framing sits on the face: for each scene built from a real portrait, the face is
//! found and the square is made around it; with no face, the square stays centred.

#[path = "../../../tests/support/mod.rs"]
mod support;

use support::scenes::{self, Scene};
use xc_avatar_core::avatar::{
    Crop, Framing, Output, Rotation, Search, Source, faces_in_preview, find_faces, render,
};

/// The first framing, as the CLI and the app make it: around the largest face, else centred.
fn first_framing(source: &Source) -> (Framing, usize) {
    let faces = find_faces(source, Search::Largest).expect("looks for faces");
    let framing = match faces.first() {
        Some(face) => Framing::around_face(source.size(), face),
        None => Framing::new(source.size()),
    };
    (framing, faces.len())
}

/// The test: the face's centre within 15 % of the side of the crop's centre across and
/// 20 % up or down, and its height 25–70 % of the side; the crop inside the picture.
fn assert_framed_on(scene: &Scene, crop: Crop, face: (f64, f64, f64, f64)) {
    let (x, y, w, h) = face;
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let across = (cx - crop.center_x).abs() / crop.side;
    let down = (cy - crop.center_y).abs() / crop.side;
    let share = h / crop.side;
    let what = format!(
        "{}: face {face:?}, crop {crop:?}: across {across:.2}, down {down:.2}, height {share:.2}",
        scene.name
    );
    assert!(across <= 0.15, "{what}");
    assert!(down <= 0.20, "{what}");
    assert!((0.25..=0.70).contains(&share), "{what}");
    assert!(crop.fits(scene.size), "{what}: outside the picture");
}

#[test]
fn each_scene_is_framed_on_its_largest_face() {
    for scene in scenes::all() {
        let source = Source::from_bytes(scene.bytes.clone()).expect("scene loads");
        assert_eq!(source.size(), scene.size, "{}", scene.name);
        let (framing, found) = first_framing(&source);
        match scene.faces.first() {
            Some(&face) => {
                assert!(found >= 1, "{}: no face found", scene.name);
                assert_framed_on(&scene, framing.crop(), face);
                assert!(!framing.is_centred(), "{}", scene.name);
            }
            None => {
                assert_eq!(found, 0, "{}: found a face where there is none", scene.name);
                assert_eq!(framing, Framing::new(scene.size), "{}", scene.name);
            }
        }
        // It renders like any framing.
        render(&source, &framing, &Output::default()).expect("renders");
    }
}

/// Both faces are found, the larger first, each box on its face.
#[test]
fn two_faces_are_found_largest_first() {
    let scene = scenes::two_faces();
    let source = Source::from_bytes(scene.bytes.clone()).expect("scene loads");
    let faces = find_faces(&source, Search::All).expect("looks");
    assert_eq!(faces.len(), 2, "{faces:?}");
    for (found, &(x, y, w, h)) in faces.iter().zip(&scene.faces) {
        let (fx, fy) = found.center();
        assert!(
            (fx - (x + w / 2.0)).abs() < w / 2.0 && (fy - (y + h / 2.0)).abs() < h / 2.0,
            "{found:?} is not on {:?}",
            (x, y, w, h)
        );
    }
    assert!(faces[0].width > faces[1].width);
    // Choosing the other face ("Next face" in the app) frames that one instead.
    let other = Framing::around_face(source.size(), &faces[1]);
    assert_framed_on(&scene, other.crop(), scene.faces[1]);
}

/// The quick search the first framing makes finds the same largest face as the complete one.
#[test]
fn the_quick_search_finds_the_same_largest_face() {
    for scene in scenes::all() {
        let source = Source::from_bytes(scene.bytes.clone()).expect("scene loads");
        let quick = find_faces(&source, Search::Largest).expect("looks");
        let all = find_faces(&source, Search::All).expect("looks");
        assert_eq!(quick.first(), all.first(), "{}", scene.name);
        assert!(quick.len() <= all.len(), "{}", scene.name);
    }
}

/// The smallest face we promise (5 % of the long side) is found wherever it sits: the
/// detector's window steps 6 px at a time, so a face between two positions must still score.
#[test]
fn the_smallest_face_is_found_wherever_it_sits() {
    for (i, scene) in scenes::small_faces().iter().enumerate() {
        let source = Source::from_bytes(scene.bytes.clone()).expect("scene loads");
        let (framing, found) = first_framing(&source);
        assert!(found >= 1, "placement {i}: no face found");
        assert_framed_on(scene, framing.crop(), scene.faces[0]);
    }
}

/// Reset goes back to the face framing, Centre to the centred square; turning keeps the face
/// framed.
#[test]
fn reset_returns_to_the_face_and_centre_is_one_step() {
    let scene = scenes::off_centre();
    let source = Source::from_bytes(scene.bytes.clone()).expect("scene loads");
    let (mut framing, _) = first_framing(&source);
    let home = framing;
    assert!(framing.is_default());
    framing.pan(-500.0, 300.0);
    framing.zoom(1.5, (100.0, 100.0));
    assert!(!framing.is_default());
    framing.reset();
    assert_eq!(framing, home);
    framing.centre();
    assert_eq!(framing.crop(), Crop::centered(scene.size));
    assert!(framing.is_centred() && !framing.is_default());
    framing.reset();
    framing.rotate(1);
    assert_eq!(framing.rotation(), Rotation::Cw90);
    framing.reset();
    assert_eq!(framing, home);
}

/// The app looks on the preview it shows (up to 2048 px): the same face, in picture pixels.
#[test]
fn the_apps_preview_finds_the_same_face() {
    let scene = scenes::upright_through_exif();
    let source = Source::from_bytes(scene.bytes.clone()).expect("scene loads");
    let (preview, scale) = source.preview(2048).expect("preview");
    let faces = faces_in_preview(&preview, scale);
    let (x, y, w, h) = scene.faces[0];
    let found = faces.first().expect("a face");
    let (fx, fy) = found.center();
    assert!(
        (fx - (x + w / 2.0)).abs() < w / 3.0 && (fy - (y + h / 2.0)).abs() < h / 3.0,
        "{found:?} vs {:?}",
        scene.faces[0]
    );
}
