//! Photos straight from a phone: HEIC (iPhone grids with irot/imir and EXIF, 10-bit, alpha)
//! and AVIF (8- and 10-bit, alpha, irot), made by libheif/x265 and libavif
//! (tests/fixtures/make-heif.py), each checked by the quadrants of its avatar.

#[path = "../../../tests/support/mod.rs"]
mod support;

use image::{DynamicImage, RgbaImage};
use support::{assert_quadrants, fixture};
use xc_avatar_core::avatar::{
    AvatarError, DEFAULT_MAX_BYTES, FormatChoice, Framing, Orient, Output, OutputFormat, Source,
    render,
};

const SMALL: Output = Output {
    size: 64,
    format: FormatChoice::Auto,
    max_bytes: DEFAULT_MAX_BYTES,
};

/// Loads a fixture and checks that its preview and its 64² avatar show the upright quadrants.
fn check_upright(name: &str) -> (Source, OutputFormat, RgbaImage) {
    let source = Source::from_bytes(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(source.size(), (120, 80), "{name}: upright size");
    let (preview, _) = source.preview(2048).expect("preview");
    assert_quadrants(
        &DynamicImage::ImageRgba8(preview).to_rgb8(),
        &format!("{name}, preview"),
    );
    let avatar = render(&source, &Framing::new(source.size()), &SMALL)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let image = image::load_from_memory(&avatar.bytes)
        .expect("avatar decodes")
        .to_rgba8();
    assert_eq!(image.dimensions(), (64, 64), "{name}");
    assert_quadrants(&DynamicImage::ImageRgba8(image.clone()).to_rgb8(), name);
    (source, avatar.format, image)
}

#[test]
fn iphone_grids_turn_by_irot_and_imir_once_not_again_by_exif() {
    // Each stores the picture turned (or mirrored) with the same orientation in irot/imir and
    // in EXIF, as an iPhone does: applying both would show it turned twice.
    for name in [
        "grid-exif6.heic",
        "grid-exif8.heic",
        "grid-exif3.heic",
        "grid-exif2.heic",
    ] {
        let (source, format, _) = check_upright(name);
        assert_eq!(source.orientation(), Orient::UPRIGHT, "{name}");
        assert_eq!(format, OutputFormat::Jpeg, "{name}: opaque, so JPEG");
    }
}

#[test]
fn ten_bit_heic_and_avif_and_plain_avif_come_out_right() {
    for name in ["ten-bit.heic", "plain.avif", "ten-bit-irot.avif"] {
        let (_, format, _) = check_upright(name);
        assert_eq!(format, OutputFormat::Jpeg, "{name}");
    }
}

#[test]
fn heic_and_avif_transparency_is_kept_as_png() {
    for name in ["alpha.heic", "alpha.avif"] {
        let (_, format, image) = check_upright(name);
        assert_eq!(format, OutputFormat::Png, "{name}: transparency kept");
        // The fixture's top-left corner (x < 30, y < 10) is transparent; the avatar shows the
        // centred 80² square from x = 20, at 64/80 scale.
        assert!(
            image.get_pixel(2, 2)[3] < 16,
            "{name}: corner transparent, got {:?}",
            image.get_pixel(2, 2)
        );
        assert_eq!(image.get_pixel(32, 32)[3], 255, "{name}: centre opaque");
    }
}

#[test]
fn a_truncated_heic_is_a_damaged_file() {
    let error = Source::from_bytes(fixture("truncated.heic")).expect_err("truncated");
    assert!(matches!(error, AvatarError::Corrupt(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the image is damaged or truncated: the file ends early"
    );
    // Cut inside the coded tiles rather than the header: refused when decoded.
    let whole = fixture("grid-exif6.heic");
    let cut = whole[..whole.len() - 200].to_vec();
    let error = match Source::from_bytes(cut) {
        Err(error) => error,
        Ok(source) => source.preview(256).expect_err("tiles cut short"),
    };
    assert!(matches!(error, AvatarError::Corrupt(_)), "{error:?}");
}

/// `bytes` with every `ispe` (image size) property claiming `width`×`height`, and a grid's
/// output size too.
fn claiming(mut bytes: Vec<u8>, width: u32, height: u32) -> Vec<u8> {
    let spots: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"ispe")
        .map(|(at, _)| at + 8)
        .collect();
    assert!(!spots.is_empty(), "fixture has ispe");
    for at in spots {
        bytes[at..at + 4].copy_from_slice(&width.to_be_bytes());
        bytes[at + 4..at + 8].copy_from_slice(&height.to_be_bytes());
    }
    bytes
}

#[test]
fn a_declared_size_over_the_limits_is_refused_before_decoding() {
    for name in ["grid-exif3.heic", "ten-bit.heic", "plain.avif"] {
        let error = Source::from_bytes(claiming(fixture(name), 60_000, 50_000)).expect_err(name);
        assert!(
            matches!(
                error,
                AvatarError::TooLarge {
                    dimensions: Some((60_000, 50_000)),
                    ..
                }
            ),
            "{name}: {error:?}"
        );
    }
}

#[test]
fn a_heif_header_without_a_picture_is_damaged_not_unsupported() {
    let error = Source::from_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec())
        .expect_err("no meta box");
    assert!(matches!(error, AvatarError::Corrupt(_)), "{error:?}");
}

// ---- hostile files: work beyond what the file declares (tests/fixtures/hostile/make-heif.py) ----

/// A hostile fixture's bytes.
fn hostile(name: &str) -> Vec<u8> {
    fixture(&format!("hostile/{name}"))
}

/// Opening `name` is refused as damaged, naming `why`, within 5 s (before: minutes).
fn refused_at_once(name: &str, why: &str) {
    let started = std::time::Instant::now();
    let error = Source::from_bytes(hostile(name)).expect_err(name);
    let took = started.elapsed();
    assert!(
        matches!(&error, AvatarError::Corrupt(detail) if detail.contains(why)),
        "{name}: {error}"
    );
    assert!(
        error
            .to_string()
            .contains("far more than the picture it declares"),
        "{name}: {error}"
    );
    assert!(took.as_secs_f64() <= 5.0, "{name}: {took:?}");
}

#[test]
fn a_grid_of_tiles_coded_far_larger_than_declared_is_refused_before_decoding() {
    // 64×64 declared, 10,000 tiles declared 1×1 and coded 8192² each: before, minutes of CPU
    // and half a gigabyte before it was killed. 100 columns of 1 pixel do not fit 64 pixels.
    refused_at_once("tile-bomb-grid.heic", "do not fit its 64×64 picture");
}

#[test]
fn a_grid_whose_slots_all_name_one_tile_is_refused_before_decoding() {
    refused_at_once(
        "same-tile-grid.heic",
        "the same part is used more than once",
    );
}

#[test]
fn a_picture_coded_far_larger_than_declared_is_refused_before_decoding() {
    // HEVC: the SPS says 8192×8192 where the ispe says 64×64 (before: 300 MB to decode it).
    refused_at_once(
        "coded-larger.heic",
        "a part declared 64×64 pixels is coded 8192×8192",
    );
    // AV1: the sequence header says the same (before: over two minutes).
    refused_at_once(
        "coded-larger.avif",
        "a part declared 64×64 pixels is coded up to 8192×8192",
    );
}

#[test]
fn a_tenant_picture_is_held_to_an_avatars_limits() {
    use xc_avatar_core::avatar::Limits;
    // A real phone photo is fine as a picture to frame, but not as the picture a tenant
    // sends (4096² at most): said before decoding.
    let small = Limits {
        max_dimension: 100,
        max_pixels: 100 * 100,
    };
    let error =
        Source::from_bytes_within(fixture("grid-exif6.heic"), small).expect_err("over the limits");
    assert!(
        error.to_string().starts_with("the image is too large (")
            && error
                .to_string()
                .contains("at most 100 pixels on a side and 10000 pixels"),
        "{error}"
    );
    assert_eq!(Limits::AVATAR.max_dimension, 4096);
    assert!(Source::from_bytes_within(fixture("grid-exif6.heic"), Limits::AVATAR).is_ok());
}
