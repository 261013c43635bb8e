//! The avatar pipeline on real files: every format we claim, all eight EXIF orientations,
//! rotation and crop, the byte budget, and a specific error for each kind of bad input.

#[path = "../../../tests/support/mod.rs"]
mod support;

use image::metadata::Orientation;
use image::{DynamicImage, GenericImageView as _, ImageFormat, RgbImage};
use support::{BLUE, GREEN, RED, YELLOW, assert_near, assert_quadrants, fixture, quadrants};
use xc_avatar_core::avatar::{
    AvatarError, Crop, EncodedAvatar, FormatChoice, Framing, Output, OutputFormat, Rotation,
    Source, render,
};

const SMALL: Output = Output {
    size: 64,
    format: FormatChoice::Auto,
    max_bytes: xc_avatar_core::avatar::DEFAULT_MAX_BYTES,
};

/// Renders the default framing of `bytes` and decodes the result.
fn avatar_of(bytes: Vec<u8>, output: &Output) -> (EncodedAvatar, RgbImage) {
    let source = Source::from_bytes(bytes).expect("loads");
    let avatar = render(&source, &Framing::new(source.size()), output).expect("renders");
    let image = image::load_from_memory(&avatar.bytes).expect("avatar decodes");
    (avatar, image.to_rgb8())
}

fn error_of(bytes: Vec<u8>) -> AvatarError {
    match Source::from_bytes(bytes) {
        Err(err) => err,
        Ok(source) => render(&source, &Framing::new(source.size()), &SMALL)
            .map(|_| ())
            .expect_err("should fail"),
    }
}

#[test]
fn every_supported_format_becomes_the_same_avatar() {
    let rgb = DynamicImage::ImageRgb8(quadrants());
    let rgba = DynamicImage::ImageRgba8(rgb.to_rgba8());
    let deep = DynamicImage::ImageRgb16(rgb.to_rgb16());
    let deep_alpha = DynamicImage::ImageRgba16(rgb.to_rgba16());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("baseline JPEG", support::encode(&rgb, ImageFormat::Jpeg)),
        ("progressive JPEG", fixture("progressive.jpg")),
        ("CMYK JPEG (Adobe)", fixture("cmyk.jpg")),
        ("8-bit PNG", support::encode(&rgb, ImageFormat::Png)),
        ("RGBA PNG, opaque", support::encode(&rgba, ImageFormat::Png)),
        ("16-bit PNG", support::encode(&deep, ImageFormat::Png)),
        (
            "16-bit RGBA PNG",
            support::encode(&deep_alpha, ImageFormat::Png),
        ),
        ("palette PNG", fixture("palette.png")),
        ("lossless WebP", support::encode(&rgba, ImageFormat::WebP)),
        ("lossy WebP", fixture("lossy.webp")),
        ("GIF", support::encode(&rgb, ImageFormat::Gif)),
        ("BMP", support::encode(&rgb, ImageFormat::Bmp)),
        ("TIFF", support::encode(&rgb, ImageFormat::Tiff)),
    ];
    for (what, bytes) in cases {
        let (avatar, image) = avatar_of(bytes, &SMALL);
        // Opaque pictures go out as JPEG, whatever they came in as.
        assert_eq!(avatar.format, OutputFormat::Jpeg, "{what}");
        assert_eq!(image.dimensions(), (64, 64), "{what}");
        assert_quadrants(&image, what);
    }
}

#[test]
fn grey_pictures_stay_grey() {
    let grey = DynamicImage::ImageRgb8(quadrants()).grayscale();
    let grey_alpha = DynamicImage::ImageLumaA8(grey.to_luma_alpha8());
    for (what, bytes) in [
        ("grey JPEG", support::encode(&grey, ImageFormat::Jpeg)),
        ("grey PNG", support::encode(&grey, ImageFormat::Png)),
        (
            "grey+alpha PNG",
            support::encode(&grey_alpha, ImageFormat::Png),
        ),
    ] {
        let (_, image) = avatar_of(bytes, &SMALL);
        let want = grey.to_rgb8().get_pixel(30, 20).0; // the red quadrant, in grey
        assert_near(image.get_pixel(16, 16).0, want, what);
        let [r, g, b] = image.get_pixel(16, 16).0;
        assert!(
            r.abs_diff(g) <= 3 && g.abs_diff(b) <= 3,
            "{what}: rgb({r}, {g}, {b})"
        );
    }
}

#[test]
fn a_gif_shows_its_first_frame() {
    let first = image::Frame::new(DynamicImage::ImageRgb8(quadrants()).to_rgba8());
    let second = image::Frame::new(image::RgbaImage::from_pixel(
        120,
        80,
        image::Rgba([0, 0, 0, 255]),
    ));
    let mut bytes = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
        encoder.encode_frames([first, second]).expect("encode GIF");
    }
    let (_, image) = avatar_of(bytes, &SMALL);
    assert_quadrants(&image, "animated GIF");
}

/// The stored pixels a camera would write for `upright` with EXIF `orientation`: the picture
/// turned the other way, so that applying the orientation turns it back.
fn stored_for(orientation: Orientation) -> DynamicImage {
    let mut stored = DynamicImage::ImageRgb8(quadrants());
    let inverse = match orientation {
        Orientation::Rotate90 => Orientation::Rotate270,
        Orientation::Rotate270 => Orientation::Rotate90,
        other => other, // flips, half turn, transpose and transverse undo themselves
    };
    stored.apply_orientation(inverse);
    stored
}

#[test]
fn all_eight_orientations_come_out_right_way_up_in_every_format_that_carries_them() {
    for exif_value in 1..=8u8 {
        let orientation = Orientation::from_exif(exif_value).expect("valid");
        let stored = stored_for(orientation);
        let exif = support::exif_with_orientation(exif_value.into());
        let tiff = {
            let mut bytes = std::io::Cursor::new(Vec::new());
            let mut encoder = tiff::encoder::TiffEncoder::new(&mut bytes).expect("tiff");
            let mut image = encoder
                .new_image::<tiff::encoder::colortype::RGB8>(stored.width(), stored.height())
                .expect("tiff image");
            image
                .encoder()
                .write_tag(tiff::tags::Tag::Orientation, u16::from(exif_value))
                .expect("tag");
            image
                .write_data(stored.to_rgb8().as_raw())
                .expect("tiff data");
            bytes.into_inner()
        };
        let cases = [
            (
                "JPEG",
                support::jpeg_with_exif(&support::encode(&stored, ImageFormat::Jpeg), &exif),
            ),
            (
                "PNG",
                support::png_with_exif(&support::encode(&stored, ImageFormat::Png), &exif),
            ),
            (
                "WebP",
                support::webp_with_exif(
                    &support::encode(&stored, ImageFormat::WebP),
                    stored.dimensions(),
                    &exif,
                ),
            ),
            ("TIFF", tiff),
        ];
        for (format, bytes) in cases {
            let source = Source::from_bytes(bytes).expect("loads");
            let what = format!("{format} with orientation {exif_value}");
            assert_eq!(source.size(), (120, 80), "{what}: upright size");
            let (preview, _) = source.preview(2048).expect("preview");
            assert_quadrants(
                &DynamicImage::ImageRgba8(preview).to_rgb8(),
                &format!("{what}, preview"),
            );
            let avatar = render(&source, &Framing::new(source.size()), &SMALL).expect("renders");
            let image = image::load_from_memory(&avatar.bytes)
                .expect("decodes")
                .to_rgb8();
            assert_quadrants(&image, &what);
        }
    }
}

#[test]
fn rotation_and_crop_choose_what_is_sent() {
    let bytes = support::encode(&DynamicImage::ImageRgb8(quadrants()), ImageFormat::Png);
    let source = Source::from_bytes(bytes).expect("loads");
    // Only the green quadrant.
    let green = Framing::with(
        source.size(),
        Rotation::None,
        Crop::from_corner(64.0, 0.0, 36.0),
    )
    .expect("fits");
    let image = rendered(&source, &green);
    assert_near(image.get_pixel(32, 32).0, GREEN, "green crop");
    // Turned clockwise, red is top right and blue top left.
    let mut turned = Framing::new(source.size());
    turned.rotate(1);
    assert_eq!(turned.size(), (80, 120));
    let image = rendered(&source, &turned);
    assert_near(image.get_pixel(16, 8).0, BLUE, "turned: top left");
    assert_near(image.get_pixel(48, 8).0, RED, "turned: top right");
    assert_near(image.get_pixel(16, 56).0, YELLOW, "turned: bottom left");
    assert_near(image.get_pixel(48, 56).0, GREEN, "turned: bottom right");
}

fn rendered(source: &Source, framing: &Framing) -> RgbImage {
    let avatar = render(source, framing, &SMALL).expect("renders");
    image::load_from_memory(&avatar.bytes)
        .expect("decodes")
        .to_rgb8()
}

#[test]
fn transparency_is_kept_as_png_and_laid_on_white_for_jpeg() {
    let mut logo = image::RgbaImage::from_pixel(100, 100, image::Rgba([0, 0, 0, 0]));
    for (x, y, pixel) in logo.enumerate_pixels_mut() {
        if (x as i32 - 50).pow(2) + (y as i32 - 50).pow(2) < 30 * 30 {
            *pixel = image::Rgba([RED[0], RED[1], RED[2], 255]);
        }
    }
    let bytes = support::encode(&DynamicImage::ImageRgba8(logo), ImageFormat::Png);
    let source = Source::from_bytes(bytes).expect("loads");
    let framing = Framing::new(source.size());

    let png = render(&source, &framing, &SMALL).expect("auto");
    assert_eq!(png.format, OutputFormat::Png);
    assert_eq!(png.content_type(), "image/png");
    let image = image::load_from_memory(&png.bytes)
        .expect("decodes")
        .to_rgba8();
    assert_eq!(image.get_pixel(2, 2)[3], 0, "corner stays transparent");
    assert_eq!(image.get_pixel(32, 32)[3], 255, "logo stays opaque");

    let jpeg_only = Output {
        format: FormatChoice::Jpeg,
        ..SMALL
    };
    let jpeg = render(&source, &framing, &jpeg_only).expect("jpeg");
    assert_eq!(jpeg.format, OutputFormat::Jpeg);
    let image = image::load_from_memory(&jpeg.bytes)
        .expect("decodes")
        .to_rgb8();
    assert_near(image.get_pixel(2, 2).0, [255, 255, 255], "corner on white");
    assert_near(image.get_pixel(32, 32).0, RED, "logo");
}

/// A photo-like picture: smooth colour fields plus fine noise, which JPEG cannot squeeze much.
fn noisy_photo(size: u32) -> Vec<u8> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let image = RgbImage::from_fn(size, size, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed % 96) as u8;
        image::Rgb([
            (x * 255 / size) as u8 / 2 + noise,
            (y * 255 / size) as u8 / 2 + noise,
            128 + noise / 2,
        ])
    });
    support::encode(&DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

#[test]
fn jpeg_quality_drops_until_the_avatar_fits_the_budget() {
    let source = Source::from_bytes(noisy_photo(600)).expect("loads");
    let framing = Framing::new(source.size());
    let unlimited = Output {
        size: 512,
        max_bytes: usize::MAX,
        ..SMALL
    };
    let best = render(&source, &framing, &unlimited).expect("renders");
    assert_eq!(
        best.quality,
        Some(85),
        "with room to spare: the usual quality"
    );
    let default = render(&source, &framing, &Output { size: 512, ..SMALL }).expect("renders");
    assert!(default.bytes.len() <= xc_avatar_core::avatar::DEFAULT_MAX_BYTES);
    let budget = best.bytes.len() * 2 / 3;
    let tight = Output {
        size: 512,
        max_bytes: budget,
        ..SMALL
    };
    let fitted = render(&source, &framing, &tight).expect("renders");
    assert!(
        fitted.bytes.len() <= budget,
        "{} > {budget}",
        fitted.bytes.len()
    );
    let quality = fitted.quality.expect("JPEG has a quality");
    assert!((40..85).contains(&quality), "quality {quality}");
    assert!(
        fitted.describe().contains(&format!("quality {quality}")),
        "{}",
        fitted.describe()
    );
    // The search keeps the best quality that fits: one byte less and the quality must drop.
    let one_up = render(
        &source,
        &framing,
        &Output {
            max_bytes: fitted.bytes.len() - 1,
            ..tight
        },
    );
    assert!(one_up.map_or(true, |a| a.quality < Some(quality)));

    let impossible = Output {
        size: 512,
        max_bytes: 2000,
        ..SMALL
    };
    let err = render(&source, &framing, &impossible).expect_err("cannot fit");
    assert!(
        matches!(
            err,
            AvatarError::OverBudget {
                max_bytes: 2000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("does not fit in 2000 bytes"),
        "{err}"
    );
}

#[test]
fn no_metadata_of_the_original_reaches_the_upload() {
    let mut exif = support::exif_with_orientation(1);
    exif.extend_from_slice(b"GPS 51.5007N 0.1246W secret-camera-serial");
    let photo = support::jpeg_with_exif(
        &support::encode(&DynamicImage::ImageRgb8(quadrants()), ImageFormat::Jpeg),
        &exif,
    );
    let (avatar, _) = avatar_of(photo, &SMALL);
    let leaked = avatar
        .bytes
        .windows(6)
        .any(|w| w == b"Exif\0\0" || w == b"secret");
    assert!(!leaked, "EXIF carried into the avatar");
}

#[test]
fn big_photos_are_shrunk_while_decoding_and_previewed_within_2048() {
    // 4096×2048 JPEG: preview 2048 wide (DCT 1/2); the 512² avatar from the 2048² square.
    let small = quadrants();
    let big = RgbImage::from_fn(4096, 2048, |x, y| {
        *small.get_pixel(x * 120 / 4096, y * 80 / 2048)
    });
    let bytes = support::encode(&DynamicImage::ImageRgb8(big), ImageFormat::Jpeg);
    let source = Source::from_bytes(bytes).expect("loads");
    let (preview, scale) = source.preview(2048).expect("preview");
    assert_eq!(preview.dimensions(), (2048, 1024));
    assert!((scale - 0.5).abs() < 1e-9, "scale {scale}");
    let avatar =
        render(&source, &Framing::new(source.size()), &Output::default()).expect("renders");
    let image = image::load_from_memory(&avatar.bytes)
        .expect("decodes")
        .to_rgb8();
    assert_eq!(image.dimensions(), (512, 512));
    assert_quadrants(&image, "big JPEG");
}

/// A 3000×2000 photo-like JPEG (gradient and grain) as cameras write it (4:2:0) or as an
/// editor may (4:4:4), with an EXIF orientation if asked.
fn camera_jpeg(subsamp: turbojpeg::Subsamp, orientation: Option<u16>) -> Vec<u8> {
    let photo = support::scenes::background((3000, 2000), 11);
    let mut compressor = turbojpeg::Compressor::new().expect("compressor");
    compressor.set_subsamp(subsamp).expect("subsampling");
    compressor.set_quality(90).expect("quality");
    let image = turbojpeg::Image {
        pixels: photo.as_raw().as_slice(),
        width: 3000,
        pitch: 3000 * 3,
        height: 2000,
        format: turbojpeg::PixelFormat::RGB,
    };
    let jpeg = compressor.compress_to_vec(image).expect("compress");
    match orientation {
        Some(o) => support::jpeg_with_exif(&jpeg, &support::exif_with_orientation(o)),
        None => jpeg,
    }
}

#[test]
fn a_small_square_decodes_only_its_part_and_comes_out_as_from_the_whole_picture() {
    // A face's square in a big photo: the first render decodes only down to its last row and
    // across its columns. The avatar must be the very bytes a whole decode gives, whatever the
    // chroma subsampling, orientation, scale, or where the square sits (odd offsets, edges).
    let crops = [
        // (left, top, side) in upright pixels; side < 1024 decodes at full size, ≥ 1024 at 1/2.
        (1237.3, 611.8, 700.0),
        (0.0, 0.0, 520.0),
        (1.5, 1479.0, 521.0),
        (2000.0 - 1100.0, 3000.0 - 1100.0, 1100.0),
        (33.0, 17.0, 1500.0),
    ];
    for subsamp in [turbojpeg::Subsamp::Sub2x2, turbojpeg::Subsamp::None] {
        for orientation in [None, Some(6)] {
            let bytes = camera_jpeg(subsamp, orientation);
            for (left, top, side) in crops {
                let what = format!("{subsamp:?}, EXIF {orientation:?}, square {left},{top},{side}");
                let first = Source::from_bytes(bytes.clone()).expect("loads");
                let upright = first.size();
                // The crops are for the upright 2000×3000 picture; without EXIF 6 the picture
                // is 3000×2000, so the same square is read with x and y swapped.
                let (left, top) = if upright.0 < upright.1 {
                    (left, top)
                } else {
                    (top, left)
                };
                let crop = Crop::from_corner(left, top, side);
                let framing = Framing::with(upright, Rotation::None, crop).expect("fits");
                let from_part = render(&first, &framing, &Output::default()).expect("renders");
                assert_eq!(first.part_decode_count(), 1, "{what}: decoded a part only");

                let whole = Source::from_bytes(bytes.clone()).expect("loads");
                let shrink = if side >= 1024.0 { 2 } else { 1 };
                whole.preview(3000 / shrink).expect("whole decode, kept");
                let from_whole = render(&whole, &framing, &Output::default()).expect("renders");
                assert_eq!(
                    whole.part_decode_count(),
                    0,
                    "{what}: the kept whole decode was used"
                );
                assert!(
                    from_part.bytes == from_whole.bytes,
                    "{what}: the avatars differ"
                );
            }
        }
    }
}

// ---- bad input: a specific error each, never a panic ----

#[test]
fn bad_files_get_their_own_error() {
    let jpeg = support::encode(&DynamicImage::ImageRgb8(quadrants()), ImageFormat::Jpeg);
    let png = support::encode(&DynamicImage::ImageRgb8(quadrants()), ImageFormat::Png);
    type Case = (
        &'static str,
        Vec<u8>,
        fn(&AvatarError) -> bool,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "empty",
            vec![],
            |e| matches!(e, AvatarError::Empty),
            "the file is empty",
        ),
        (
            "text",
            b"just some notes, not a picture".to_vec(),
            |e| matches!(e, AvatarError::NotAnImage),
            "this is not an image",
        ),
        (
            "HTML saved as .jpg",
            b"<!DOCTYPE html>\n<html><head><title>Photo</title></head></html>".to_vec(),
            |e| matches!(e, AvatarError::WebPage),
            "web page saved under an image name",
        ),
        (
            "HEIC header alone",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            |e| matches!(e, AvatarError::Corrupt(_)),
            "damaged or truncated",
        ),
        (
            "AVIF header alone",
            b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec(),
            |e| matches!(e, AvatarError::Corrupt(_)),
            "damaged or truncated",
        ),
        (
            "SVG",
            br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(),
            |e| matches!(e, AvatarError::Unsupported(f) if f == "SVG"),
            "SVG images are not supported",
        ),
        (
            "truncated JPEG",
            jpeg[..jpeg.len() / 2].to_vec(),
            |e| matches!(e, AvatarError::Corrupt(_)),
            "damaged or truncated",
        ),
        (
            "truncated PNG",
            png[..png.len() * 2 / 3].to_vec(),
            |e| matches!(e, AvatarError::Corrupt(_)),
            "damaged or truncated",
        ),
        (
            "JPEG header claiming 65535×65535",
            jpeg_claiming(&jpeg, 65535, 65535),
            |e| {
                matches!(
                    e,
                    AvatarError::TooLarge {
                        dimensions: Some((65535, 65535)),
                        ..
                    }
                )
            },
            "too large (65535×65535 pixels)",
        ),
        (
            "PNG claiming a 1,000,000-pixel-wide strip",
            png_claiming(&png, 1_000_000, 1),
            |e| matches!(e, AvatarError::TooLarge { .. }),
            "too large",
        ),
        (
            "PNG claiming 65535×65535",
            png_claiming(&png, 65535, 65535),
            |e| matches!(e, AvatarError::TooLarge { .. }),
            "too large",
        ),
    ];
    for (what, bytes, is_expected, message) in cases {
        let err = error_of(bytes);
        assert!(is_expected(&err), "{what}: got {err:?}");
        assert!(err.to_string().contains(message), "{what}: {err}");
        assert!(
            !err.to_string().contains('\n'),
            "{what}: one line please: {err}"
        );
    }
}

/// `jpeg` with its frame header's size replaced: the data no longer matches.
fn jpeg_claiming(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let sof = out
        .windows(2)
        .position(|w| w[0] == 0xFF && matches!(w[1], 0xC0 | 0xC2))
        .expect("JPEG has a frame header");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

/// `png` with its IHDR's size replaced (and its CRC fixed, so only the size is wrong).
fn png_claiming(png: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = png.to_vec();
    out[16..20].copy_from_slice(&width.to_be_bytes());
    out[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = support::crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn the_original_file_is_never_modified() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("photo.jpg");
    let bytes = support::jpeg_with_exif(
        &support::encode(&stored_for(Orientation::Rotate90), ImageFormat::Jpeg),
        &support::exif_with_orientation(6),
    );
    std::fs::write(&path, &bytes).expect("write");
    let before = std::fs::metadata(&path)
        .expect("stat")
        .modified()
        .expect("mtime");
    let source = Source::open(&path).expect("opens");
    let avatar = render(&source, &Framing::new(source.size()), &SMALL).expect("renders");
    assert!(!avatar.bytes.is_empty());
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    assert_eq!(
        std::fs::metadata(&path)
            .expect("stat")
            .modified()
            .expect("mtime"),
        before
    );
}

/// A 16384×7324 RGB TIFF (120 MP less a little) is within the limits, and opens: its decoder may
/// allocate what the declared size needs (twice 360 MB), where `image`'s fixed 512 MiB refused
/// it as too large. (Held in memory: uncompressed, it is over the 200 MB file limit.)
#[test]
fn a_tiff_within_the_pixel_limit_opens_however_much_its_decoder_needs() {
    use tiff::encoder::{TiffEncoder, colortype::RGB8};
    let (width, height) = (16_384u32, 7_324u32);
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut encoder = TiffEncoder::new(&mut bytes).expect("encoder");
        let mut image = encoder.new_image::<RGB8>(width, height).expect("image");
        let rows = 64;
        image.rows_per_strip(rows).expect("rows per strip");
        let strip = vec![128u8; width as usize * 3 * rows as usize];
        let mut written = 0;
        while written < height {
            let count = rows.min(height - written) as usize;
            image
                .write_strip(&strip[..width as usize * 3 * count])
                .expect("strip");
            written += rows;
        }
        image.finish().expect("finish");
    }
    let source = Source::from_bytes(bytes.into_inner()).expect("opens");
    assert_eq!(source.size(), (width, height));
    let (preview, _) = source.preview(256).expect("decodes within the limits");
    assert_eq!(preview.width(), 256);
    let pixel = preview.get_pixel(128, 30).0;
    assert_near([pixel[0], pixel[1], pixel[2]], [128, 128, 128], "grey");
}
