//! Photos straight from a phone through the real binary: each HEIC and AVIF fixture
//! (tests/fixtures/make-heif.py) becomes the right avatar with `prepare` and `upload`, and a
//! truncated one is one clear line and exit 3.

mod support;

use std::path::Path;
use std::process::Output;

use fake_tenant::{DEFAULT_TOKEN, FakeTenant};
use support::Hermetic;

fn xc_avatar(args: &[&str], tenant: Option<&str>) -> Output {
    let mut command = Hermetic::xc_avatar().with_args(args).token(DEFAULT_TOKEN);
    if let Some(tenant) = tenant {
        command = command.tenant(tenant);
    }
    command.output()
}

/// Copies fixture `name` into `dir` under the same name, as a phone export would arrive.
fn photo(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, support::fixture(name)).expect("write photo");
    path.to_str().expect("utf-8 path").to_owned()
}

/// Asserts `avatar` is a 64² `format` image showing the upright quadrants.
fn assert_upright_avatar(avatar: &[u8], format: image::ImageFormat, what: &str) {
    assert_eq!(image::guess_format(avatar).ok(), Some(format), "{what}");
    let image = image::load_from_memory(avatar).expect("avatar decodes");
    assert_eq!((image.width(), image.height()), (64, 64), "{what}");
    support::assert_quadrants(&image.to_rgb8(), what);
}

#[test]
fn prepare_makes_the_upright_avatar_of_every_phone_photo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("grid-exif6.heic", image::ImageFormat::Jpeg),
        ("grid-exif8.heic", image::ImageFormat::Jpeg),
        ("grid-exif3.heic", image::ImageFormat::Jpeg),
        ("grid-exif2.heic", image::ImageFormat::Jpeg),
        ("ten-bit.heic", image::ImageFormat::Jpeg),
        ("alpha.heic", image::ImageFormat::Png),
        ("plain.avif", image::ImageFormat::Jpeg),
        ("ten-bit-irot.avif", image::ImageFormat::Jpeg),
        ("alpha.avif", image::ImageFormat::Png),
    ];
    for (name, format) in cases {
        let input = photo(dir.path(), name);
        let out = dir.path().join("avatar.out");
        let output = xc_avatar(
            &[
                "prepare",
                &input,
                "--size",
                "64",
                "-o",
                out.to_str().expect("utf-8"),
            ],
            None,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{name}: {stderr}");
        assert_upright_avatar(&std::fs::read(&out).expect("avatar written"), format, name);
    }
}

#[test]
fn a_truncated_heic_is_one_line_and_exit_3() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = photo(dir.path(), "truncated.heic");
    let out = dir.path().join("avatar.jpg");
    let output = xc_avatar(
        &["prepare", &input, "-o", out.to_str().expect("utf-8")],
        None,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the image is damaged or truncated: the file ends early"),
        "{stderr}"
    );
    assert!(!out.exists(), "no avatar written");
}

#[test]
fn upload_sends_the_upright_avatar_of_an_iphone_heic() {
    let tenant = FakeTenant::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let input = photo(dir.path(), "grid-exif8.heic");
    let output = xc_avatar(&["upload", &input, "--size", "64"], Some(&tenant.url()));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stored = tenant.image_of(DEFAULT_TOKEN).expect("picture stored");
    assert_upright_avatar(&stored.bytes, image::ImageFormat::Jpeg, "uploaded HEIC");
}
