//! Shared by the integration tests: real image files with known content.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};

use image::{ImageFormat, Rgb, RgbImage};

pub mod certificates;
pub mod child;
pub mod command;
pub mod scenes;
pub mod window;

#[allow(unused_imports)] // not every test binary starts a program
pub use command::Hermetic;

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

pub const YELLOW: [u8; 3] = [230, 200, 40];

/// A 120×80 picture in quadrants, red | green over blue | yellow: any turn or mirror shows.
/// Its centred 80² square spans x = 20..100, so every avatar of it shows all four colours.
pub fn quadrants() -> RgbImage {
    RgbImage::from_fn(120, 80, |x, y| {
        Rgb(match (x < 60, y < 40) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => YELLOW,
        })
    })
}

/// Asserts a decoded avatar shows [`quadrants`]' centre square: red top left, green top right,
/// blue bottom left, yellow bottom right.
pub fn assert_quadrants(image: &RgbImage, what: &str) {
    let (w, h) = image.dimensions();
    let at = |fx: u32, fy: u32| image.get_pixel(w * fx / 4, h * fy / 4).0;
    assert_near(at(1, 1), RED, &format!("{what}: top left"));
    assert_near(at(3, 1), GREEN, &format!("{what}: top right"));
    assert_near(at(1, 3), BLUE, &format!("{what}: bottom left"));
    assert_near(at(3, 3), YELLOW, &format!("{what}: bottom right"));
}

/// The test pictures made with ImageMagick (see tests/fixtures/make.sh).
/// Shared by the workspace's crates: found from the root's or a member's manifest dir.
pub fn fixture(name: &str) -> Vec<u8> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = if manifest.join("tests/fixtures").is_dir() {
        manifest.to_path_buf()
    } else {
        manifest.join("../..")
    };
    let path = root.join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A minimal EXIF block (big-endian TIFF header, one IFD) holding only `orientation`.
pub fn exif_with_orientation(orientation: u16) -> Vec<u8> {
    let mut exif = b"MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_be_bytes()); // one value
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0]); // padding to 4 bytes
    exif.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    exif
}

/// `jpeg` with an APP1 "Exif" segment holding `exif`, right after SOI (where cameras put it).
pub fn jpeg_with_exif(jpeg: &[u8], exif: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// `png` with an eXIf chunk holding `exif`, before the image data.
pub fn png_with_exif(png: &[u8], exif: &[u8]) -> Vec<u8> {
    let idat = png
        .windows(4)
        .position(|w| w == b"IDAT")
        .expect("PNG has IDAT")
        - 4;
    let mut out = png[..idat].to_vec();
    out.extend_from_slice(&png_chunk(b"eXIf", exif));
    out.extend_from_slice(&png[idat..]);
    out
}

/// A PNG chunk: length, type, data, CRC-32 of type and data.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&chunk[4..]).to_be_bytes());
    chunk
}

/// A lossless WebP (as `image` writes it: RIFF + VP8L) rewritten in the extended form with an
/// EXIF chunk, as cameras and phones write it.
pub fn webp_with_exif(webp: &[u8], (width, height): (u32, u32), exif: &[u8]) -> Vec<u8> {
    assert_eq!(&webp[12..16], b"VP8L", "expected a simple lossless WebP");
    let riff_chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(&(data.len() as u32).to_le_bytes());
        chunk.extend_from_slice(data);
        if data.len() % 2 == 1 {
            chunk.push(0);
        }
        chunk
    };
    let mut vp8x = vec![0x08, 0, 0, 0]; // flags: EXIF present
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(&riff_chunk(b"VP8X", &vp8x));
    body.extend_from_slice(&webp[12..]); // the VP8L chunk as it was
    body.extend_from_slice(&riff_chunk(b"EXIF", exif));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// CRC-32 (IEEE), as PNG chunks use it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `image` encoded as `format` in memory.
pub fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, format)
        .expect("encode test picture");
    bytes.into_inner()
}

/// For a test that is `#[ignore]`d because it needs something from its environment: it runs
/// only when asked for (`--include-ignored`, as scripts/test and CI do where it exists), so a
/// missing piece then is a failure, never a silent pass.
pub fn require_env(variable: &str, what: &str) {
    assert!(
        std::env::var_os(variable).is_some_and(|value| !value.is_empty()),
        "this test needs {what} (${variable} is not set); run it through scripts/test"
    );
}

/// The secret the keyring holds for `account` under xc-avatar's service, read with libsecret's
/// own tool: `None` only for "no such item" (exit 1 saying nothing). Anything else — no
/// secret-tool, no bus, a locked keyring — fails the test, so a "nothing stored" check cannot
/// pass because the keyring was never asked.
pub fn secret_tool_lookup(account: &str) -> Option<String> {
    let output = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "xc-avatar", "username", account])
        .output()
        .unwrap_or_else(|e| panic!("run secret-tool (apt install libsecret-tools): {e}"));
    match output.status.code() {
        Some(0) => Some(String::from_utf8_lossy(&output.stdout).into_owned()),
        Some(1) if output.stdout.is_empty() && output.stderr.is_empty() => None,
        _ => panic!(
            "secret-tool lookup failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// For a test that needs the Secret Service scripts/test starts (gnome-keyring on a private
/// D-Bus session).
pub fn require_secret_service() {
    require_env(
        "DBUS_SESSION_BUS_ADDRESS",
        "a D-Bus session with a Secret Service",
    );
}

/// The quadrant test card as the eye should see it: 2400×1600, red | green over blue | yellow,
/// the quadrants meeting off centre at [`CARD_JUNCTION`], so a wrong turn, mirror or crop offset
/// shows in every corner of an avatar cut around the junction.
pub const CARD_SIZE: (u32, u32) = (2400, 1600);
pub const CARD_JUNCTION: (u32, u32) = (1000, 900);

/// The card's colour at (x, y) of the upright card, or `None` within `margin` pixels of a
/// quadrant edge (where JPEG and resampling blur the colours).
pub fn card_colour(x: f64, y: f64, margin: f64) -> Option<[u8; 3]> {
    let (jx, jy) = (f64::from(CARD_JUNCTION.0), f64::from(CARD_JUNCTION.1));
    if (x - jx).abs() < margin || (y - jy).abs() < margin {
        return None;
    }
    Some(match (x < jx, y < jy) {
        (true, true) => RED,
        (false, true) => GREEN,
        (true, false) => BLUE,
        (false, false) => YELLOW,
    })
}

pub fn card() -> RgbImage {
    RgbImage::from_fn(CARD_SIZE.0, CARD_SIZE.1, |x, y| {
        Rgb(card_colour(f64::from(x), f64::from(y), 0.0).unwrap_or(RED))
    })
}

/// The card as a q90 JPEG whose pixels are stored turned so that EXIF `orientation` (1–8)
/// shows it upright, as a camera held sideways writes it.
pub fn card_jpeg(orientation: u8) -> Vec<u8> {
    use image::metadata::Orientation;
    let wanted = Orientation::from_exif(orientation).expect("an EXIF orientation 1–8");
    let inverse = match wanted {
        Orientation::Rotate90 => Orientation::Rotate270,
        Orientation::Rotate270 => Orientation::Rotate90,
        other => other, // flips, half turn, transpose and transverse undo themselves
    };
    let mut stored = image::DynamicImage::ImageRgb8(card());
    stored.apply_orientation(inverse);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&stored)
        .expect("encode the card");
    jpeg_with_exif(&jpeg, &exif_with_orientation(orientation.into()))
}

/// Where a point of the card turned `quarter_turns_right` times (what the user sees after
/// that many "Rotate right"s, or `--rotate 90`) comes from on the upright card.
pub fn card_point_before_turn(quarter_turns_right: i32, x: f64, y: f64) -> (f64, f64) {
    let (width, height) = (f64::from(CARD_SIZE.0), f64::from(CARD_SIZE.1));
    match quarter_turns_right.rem_euclid(4) {
        0 => (x, y),
        // Turned right, the upright card's left edge is on top.
        1 => (y, height - x),
        2 => (width - x, height - y),
        _ => (width - y, x),
    }
}

/// Asserts the four corners of `avatar`, cut as the square (left, top, side) of the card turned
/// `quarter_turns_right` times, show the card's colours there — and that they are four
/// different colours, so the check cannot pass by chance.
pub fn assert_card_corners(
    avatar: &RgbImage,
    quarter_turns_right: i32,
    (left, top, side): (f64, f64, f64),
    what: &str,
) {
    let size = f64::from(avatar.width());
    let mut seen = Vec::new();
    for (fx, fy, corner) in [
        (0.1, 0.1, "top left"),
        (0.9, 0.1, "top right"),
        (0.1, 0.9, "bottom left"),
        (0.9, 0.9, "bottom right"),
    ] {
        let (x, y) = card_point_before_turn(quarter_turns_right, left + fx * side, top + fy * side);
        let want = card_colour(x, y, side * 0.05).unwrap_or_else(|| {
            panic!("{what}: the {corner} sample is on a quadrant edge: choose another crop")
        });
        let got = avatar.get_pixel((fx * size) as u32, (fy * size) as u32).0;
        assert_near(got, want, &format!("{what}: {corner}"));
        seen.push(want);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen.len(),
        4,
        "{what}: the crop must show all four quadrants"
    );
}
