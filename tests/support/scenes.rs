//! Photos with faces where we know them, built from one public-domain portrait
//! (`tests/fixtures/faces/astronaut.jpg`, see its README): placed far off-centre in a large
//! picture, small, upright only through EXIF, mirrored, beside a second smaller face, and a
//! picture with no face. The face tests, the CLI tests and the benchmark share them.

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// The face in `astronaut.jpg` (512×512), hairline to chin and cheek to cheek, measured by eye:
/// x, y, width, height.
pub const ASTRONAUT_FACE: (f64, f64, f64, f64) = (180.0, 65.0, 90.0, 118.0);

/// A picture file and where its faces really are, in upright pixels, largest first.
pub struct Scene {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// Size right way up.
    pub size: (u32, u32),
    pub faces: Vec<(f64, f64, f64, f64)>,
}

pub fn astronaut() -> RgbImage {
    image::load_from_memory(&super::fixture("faces/astronaut.jpg"))
        .expect("astronaut.jpg decodes")
        .to_rgb8()
}

/// A photo-like background: a smooth two-tone gradient with fine grain (a flat colour would
/// make every JPEG tiny and every decode trivial), the same for the same seed.
pub fn background((width, height): (u32, u32), seed: u32) -> RgbImage {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 13) as f64 - 6.0;
        let (u, v) = (
            f64::from(x) / f64::from(width),
            f64::from(y) / f64::from(height),
        );
        let r = 90.0 + 80.0 * v + 30.0 * (u * 6.0).sin() + grain;
        let g = 120.0 + 40.0 * u - 30.0 * v + grain;
        let b = 150.0 - 60.0 * v + 20.0 * (v * 5.0).cos() + grain;
        Rgb([r as u8, g as u8, b as u8])
    })
}

/// Lays the astronaut, scaled by `scale` (and mirrored if asked), on `canvas` at `at`; returns
/// her face's box there.
pub fn place(
    canvas: &mut RgbImage,
    scale: f64,
    at: (u32, u32),
    mirrored: bool,
) -> (f64, f64, f64, f64) {
    let side = (512.0 * scale).round() as u32;
    let mut portrait = imageops::resize(&astronaut(), side, side, FilterType::CatmullRom);
    if mirrored {
        portrait = imageops::flip_horizontal(&portrait);
    }
    imageops::replace(canvas, &portrait, i64::from(at.0), i64::from(at.1));
    let (x, y, w, h) = ASTRONAUT_FACE;
    let x = if mirrored { 512.0 - x - w } else { x };
    let s = f64::from(side) / 512.0;
    (
        f64::from(at.0) + x * s,
        f64::from(at.1) + y * s,
        w * s,
        h * s,
    )
}

pub fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(image)
        .expect("encode JPEG");
    bytes
}

/// Every scene the issue names.
pub fn all() -> Vec<Scene> {
    vec![
        off_centre(),
        small(),
        upright_through_exif(),
        mirrored(),
        two_faces(),
        no_face(),
    ]
}

/// A 4000×3000 picture with the face near its right edge, 82 % across.
pub fn off_centre() -> Scene {
    let mut canvas = background((4000, 3000), 1);
    let face = place(&mut canvas, 2.4, (2731, 150), false);
    scene("far off-centre in a large picture", &canvas, vec![face])
}

/// A 3000×2000 picture whose face is 5–6 % of the long side: the smallest we promise to find.
pub fn small() -> Scene {
    let mut canvas = background((3000, 2000), 2);
    let face = place(&mut canvas, 1.75, (300, 900), false);
    scene("small face", &canvas, vec![face])
}

/// The small face (5.2 % of the long side across, 6.9 % high) at eight places whose offsets
/// fall between the detector's window positions differently, in 3000×2000 pictures.
pub fn small_faces() -> Vec<Scene> {
    let background = background((3000, 2000), 9);
    [
        (301, 903),
        (598, 1007),
        (905, 152),
        (1290, 1100),
        (1702, 605),
        (2103, 1003),
        (1500, 211),
        (37, 57),
    ]
    .into_iter()
    .map(|at| {
        let mut canvas = background.clone();
        let face = place(&mut canvas, 1.75, at, false);
        scene("small face, elsewhere", &canvas, vec![face])
    })
    .collect()
}

/// Stored on its side with EXIF orientation 6, as phones write portrait photos.
pub fn upright_through_exif() -> Scene {
    let mut canvas = background((2400, 1600), 3);
    let face = place(&mut canvas, 1.5, (1300, 300), false);
    let stored = imageops::rotate270(&canvas);
    let bytes = super::jpeg_with_exif(&jpeg(&stored), &super::exif_with_orientation(6));
    Scene {
        name: "upright only through EXIF",
        bytes,
        size: canvas.dimensions(),
        faces: vec![face],
    }
}

/// The portrait mirrored, as a selfie camera stores it, at the left.
pub fn mirrored() -> Scene {
    let mut canvas = background((2400, 1600), 4);
    let face = place(&mut canvas, 1.5, (150, 250), true);
    scene("mirrored", &canvas, vec![face])
}

/// A large face at the left and a smaller one at the right.
pub fn two_faces() -> Scene {
    let mut canvas = background((3000, 2000), 5);
    let large = place(&mut canvas, 2.0, (200, 300), false);
    let small = place(&mut canvas, 1.3, (2000, 700), false);
    scene("a second, smaller face", &canvas, vec![large, small])
}

/// The astronaut's helmet, suit and the shuttle, twice the size, with no face.
pub fn no_face() -> Scene {
    let mut canvas = background((2400, 1600), 6);
    let lower = imageops::crop_imm(&astronaut(), 256, 256, 256, 256).to_image();
    let lower = imageops::resize(&lower, 1024, 1024, FilterType::CatmullRom);
    imageops::replace(&mut canvas, &lower, 700, 300);
    scene("no face", &canvas, vec![])
}

/// A 6000×4000 (24 MP) photo with the portrait where a person would stand in a holiday picture:
/// left of centre, the face about 6 % of the long side. For the benchmark.
pub fn photo_24mp() -> Vec<u8> {
    let mut canvas = background((6000, 4000), 7);
    place(&mut canvas, 3.8, (1500, 700), false);
    jpeg(&canvas)
}

/// A 6000×4000 (24 MP) portrait: head and shoulders filling most of the height (the face a
/// quarter of the long side), as a phone's portrait shot in landscape. For the benchmark.
pub fn photo_24mp_portrait() -> Vec<u8> {
    let mut canvas = background((6000, 4000), 8);
    let head = imageops::crop_imm(&astronaut(), 96, 0, 256, 256).to_image();
    let head = imageops::resize(&head, 3200, 3200, FilterType::CatmullRom);
    imageops::replace(&mut canvas, &head, 1400, 400);
    jpeg(&canvas)
}

fn scene(name: &'static str, canvas: &RgbImage, faces: Vec<(f64, f64, f64, f64)>) -> Scene {
    Scene {
        name,
        bytes: jpeg(canvas),
        size: canvas.dimensions(),
        faces,
    }
}

/// Writes `image` as PNG (for pictures the tests look at).
pub fn png(image: &RgbImage) -> Vec<u8> {
    super::encode(&DynamicImage::ImageRgb8(image.clone()), ImageFormat::Png)
}
