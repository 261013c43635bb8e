//! Shared by the integration tests: real image files with known content.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};

use image::{ImageFormat, Rgb, RgbImage};

pub const RED: [u8; 3] = [220, 30, 30];
pub const GREEN: [u8; 3] = [30, 200, 60];
pub const BLUE: [u8; 3] = [30, 60, 220];

/// A 640×480 picture in vertical thirds: red | green | blue. Its centred 480² square spans
/// x = 80..560, so an avatar shows red at the left edge, green in the middle, blue at the right.
pub fn three_stripes() -> RgbImage {
    RgbImage::from_fn(640, 480, |x, _| {
        Rgb(match x {
            0..=213 => RED,
            214..=426 => GREEN,
            _ => BLUE,
        })
    })
}

/// Writes [`three_stripes`] as a real file of `format` named `name` in `dir`.
pub fn write_photo(dir: &Path, name: &str, format: ImageFormat) -> PathBuf {
    let path = dir.join(name);
    three_stripes()
        .save_with_format(&path, format)
        .expect("write test picture");
    path
}

/// Asserts the avatar bytes are a `size`² JPEG showing the centre square of [`three_stripes`].
pub fn assert_is_stripes_avatar(bytes: &[u8], size: u32) {
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    let image = image::load_from_memory_with_format(bytes, ImageFormat::Jpeg)
        .expect("avatar decodes as JPEG")
        .to_rgb8();
    assert_eq!((image.width(), image.height()), (size, size));
    let at = |fx: f32| image.get_pixel((fx * size as f32) as u32, size / 2).0;
    assert_near(at(0.05), RED, "left edge");
    assert_near(at(0.5), GREEN, "centre");
    assert_near(at(0.95), BLUE, "right edge");
}

pub fn assert_near(got: [u8; 3], want: [u8; 3], what: &str) {
    let close = got
        .iter()
        .zip(want)
        .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 24);
    assert!(close, "{what}: got rgb{got:?}, want about rgb{want:?}");
}

/// Every file under `dir` whose bytes contain `needle` (e.g. a token that must not be there).
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            todo.extend(
                std::fs::read_dir(&path)
                    .expect("read dir")
                    .map(|e| e.expect("entry").path()),
            );
        } else if std::fs::read(&path)
            .expect("read file")
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            found.push(path.display().to_string());
        }
    }
    found
}
