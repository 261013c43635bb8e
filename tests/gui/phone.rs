//! A photo straight from an iPhone: a HEIC grid turned by `irot` (and the same turn in EXIF)
//! opens right way up, and its avatar is what the tenant receives.

use crate::harness::*;

#[test]
fn an_iphone_heic_opens_right_way_up_and_uploads() {
    let fixture = Fixture::new();
    let mut harness = harness(fixture.config(Some(DEFAULT_TOKEN), None));
    harness.run();
    let photo = fixture.dir.path().join("IMG_0001.HEIC");
    std::fs::write(&photo, support::fixture("grid-exif6.heic")).expect("write photo");

    drop_file(&mut harness, photo);
    assert_eq!(
        picture_name(harness.state()).as_deref(),
        Some("IMG_0001.HEIC")
    );
    // Stored 80×120 and turned a quarter clockwise by irot: 120×80, so an 80-pixel square.
    let size = harness
        .state()
        .state()
        .photo
        .photo
        .as_ref()
        .map(|p| p.framing.size());
    assert_eq!(size, Some((120, 80)));
    harness.get_by_label_contains("IMG_0001.HEIC: crop 80 pixels square");

    upload_until(&mut harness, "the upload", |app| !app.state().changing());
    harness.get_by_label_contains("Your new profile picture is live on 127.0.0.1 (512×512 JPEG");
    let stored = fixture
        .tenant
        .image_of(DEFAULT_TOKEN)
        .expect("picture stored");
    let avatar = image::load_from_memory(&stored.bytes)
        .expect("decodes")
        .to_rgb8();
    support::assert_quadrants(&avatar, "uploaded avatar of the HEIC");
}
