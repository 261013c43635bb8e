//! HEIF pictures: HEIC (HEVC, what iPhones save) and AVIF (AV1), both in the same ISO box
//! container, read with `heifer`'s container parser before any pixel is allocated.
//!
//! HEIC is decoded by `heifer` (pure Rust), which composes grids, attaches the alpha plane and
//! applies the file's crop (`clap`), rotation (`irot`) and mirror (`imir`), and converts the
//! colours to sRGB from the ICC profile (iPhones store Display P3). The EXIF orientation an
//! iPhone also writes describes the same turn: it is never applied on top.
//!
//! AVIF's AV1 is decoded by `re_rav1d` (dav1d ported to Rust); the YCbCr → RGB conversion is
//! `heifer`'s, and `irot`/`imir` become the picture's [`Orient`], applied to the small result
//! like a JPEG's EXIF orientation.

use std::collections::HashSet;

use heifer::heifer_hevc_dec::nal::{NalUnit, split_annex_b};
use heifer::heifer_hevc_dec::params::ParameterSets;
use heifer::heifer_hevc_dec::recon::Frame;
use heifer::heifer_isobmff::boxes::{ColorInfo, Property};
use heifer::heifer_isobmff::{HeifFile, ItemId};

use super::AvatarError;
use super::orient::Orient;
use super::source::{Limits, Pixels};

/// Which codec a HEIF file's primary image is coded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Codec {
    /// HEVC: `.heic`, or `.heif` from a phone. Grids, overlays and derived images included.
    Hevc,
    /// AV1: `.avif`, a single coded image.
    Av1,
}

/// The auxiliary-image types that mean "alpha plane" (HEVC's and the MPEG-B one AVIF uses).
const ALPHA_TYPES: [&str; 2] = [
    "urn:mpeg:hevc:2015:auxid:1",
    "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha",
];

/// Whether `bytes` begin like a HEIF file (an `ftyp` box naming a HEIF brand).
pub(super) fn is_heif(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 11] = [
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"mif2", b"msf1", b"avif",
        b"avis",
    ];
    let Some(size) = bytes.get(0..4) else {
        return false;
    };
    if bytes.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let size = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
    // The major brand, then (after the minor version) the compatible brands.
    let brands = bytes
        .get(8..size.clamp(12, 256).min(bytes.len()))
        .unwrap_or(&[]);
    brands
        .chunks_exact(4)
        .enumerate()
        .any(|(i, brand)| i != 1 && BRANDS.iter().any(|b| b.as_slice() == brand))
}

/// What the header says: the codec, the stored size the decode will return, its orientation.
pub(super) struct Probe {
    pub codec: Codec,
    /// The coded size (before any crop or turn): what a decode allocates, checked against the
    /// limits by the caller.
    pub coded: (u32, u32),
    /// The size of the pixels [`decode`] returns.
    pub stored: (u32, u32),
    pub orientation: Orient,
    /// The largest picture, in pixels, the decoder may make for this file: what its items
    /// declare, proven to be what they code (see [`prove_work`]).
    pub decode_limit: u64,
}

pub(super) fn probe(bytes: &[u8], limits: Limits) -> Result<Probe, AvatarError> {
    let file = HeifFile::parse(bytes).map_err(container_error)?;
    let id = file.primary_id;
    let item_type = file.item(id).map_err(container_error)?.item_type.0;
    let declared = match file.image_size(id).map_err(container_error)? {
        Some(size) => size,
        None if &item_type == b"grid" => {
            let grid = file.grid(id).map_err(container_error)?;
            (grid.output_width, grid.output_height)
        }
        None => {
            return Err(AvatarError::Corrupt(
                "the image has no declared size".into(),
            ));
        }
    };
    // Over the limits: said as such, before anything else is read.
    if !limits.fit(declared) {
        return Err(AvatarError::TooLarge {
            dimensions: Some(declared),
            limits,
        });
    }
    let decode_limit = prove_work(&file, id, limits)?;
    if &item_type == b"av01" {
        return Ok(Probe {
            codec: Codec::Av1,
            coded: declared,
            stored: declared,
            orientation: transforms(&file, id)?,
            decode_limit,
        });
    }
    // heifer applies the crop and turns itself: the size it returns is the declared one,
    // cropped by `clap` and with the axes traded by an odd `irot`.
    let mut stored = declared;
    for property in file.item_properties(id).map_err(container_error)? {
        match *property {
            Property::CleanAperture { width, height, .. } if width.1 > 0 && height.1 > 0 => {
                let side = |(n, d): (u32, u32)| (f64::from(n) / f64::from(d)).round() as u32;
                stored = (side(width), side(height));
            }
            Property::Rotation(quarters) if quarters % 2 == 1 => stored = (stored.1, stored.0),
            _ => {}
        }
    }
    Ok(Probe {
        codec: Codec::Hevc,
        coded: declared,
        stored,
        orientation: Orient::UPRIGHT,
        decode_limit,
    })
}

/// How deep derived images (a grid of overlays of …) may nest; heifer's own limit is 4.
const MAX_DERIVATION_DEPTH: u32 = 4;

/// What decoding an item and everything it is made of will cost, found from the container
/// and the codecs' headers alone.
#[derive(Default)]
struct Work {
    /// Items already counted: a tile, overlay input or alpha plane is decoded once per use,
    /// so an item used twice (65,025 grid slots pointing at one tile) is refused.
    seen: HashSet<ItemId>,
    /// Pixels the codecs will produce, in all.
    coded_pixels: u64,
    /// The largest single picture or canvas, in pixels.
    largest: u64,
}

/// Proves, before a pixel is decoded, that decoding the primary image costs no more than what
/// it declares: every item is used once; a grid has exactly rows × columns tiles of one
/// declared size that cover its canvas without whole rows or columns to spare; each coded
/// picture's own size (the HEVC SPS, the AV1 sequence header) is its declared `ispe` size up
/// to the codec's block rounding; and all of it together stays within twice the pixel limit
/// (a picture and its alpha plane). Returns the largest picture the decoder may then make.
///
/// A hostile file declares a 64×64 picture made of 10,000 tiles coded 8192² each; its header
/// passes every size check, and decoding it takes minutes and gigabytes.
fn prove_work(file: &HeifFile<'_>, id: ItemId, limits: Limits) -> Result<u64, AvatarError> {
    let mut work = Work::default();
    count_item(file, id, 0, limits, &mut work)?;
    if work.coded_pixels > limits.max_pixels.saturating_mul(2) {
        return Err(out_of_proportion(format!(
            "decoding it means {} megapixels of pictures",
            work.coded_pixels / 1_000_000
        )));
    }
    Ok(work.largest)
}

fn out_of_proportion(what: String) -> AvatarError {
    AvatarError::Corrupt(format!("{what}, far more than the picture it declares"))
}

fn count_item(
    file: &HeifFile<'_>,
    id: ItemId,
    depth: u32,
    limits: Limits,
    work: &mut Work,
) -> Result<(), AvatarError> {
    if depth > MAX_DERIVATION_DEPTH {
        return Err(AvatarError::Corrupt(
            "its images are derived from each other too deeply".into(),
        ));
    }
    if !work.seen.insert(id) {
        return Err(out_of_proportion(
            "the same part is used more than once".into(),
        ));
    }
    let item_type = file.item(id).map_err(container_error)?.item_type.0;
    let declared = file.image_size(id).map_err(container_error)?;
    match &item_type {
        b"hvc1" | b"av01" => {
            let declared = declared.ok_or_else(|| {
                AvatarError::Corrupt("a coded picture has no declared size".into())
            })?;
            if !limits.fit(declared) {
                return Err(AvatarError::TooLarge {
                    dimensions: Some(declared),
                    limits,
                });
            }
            let coded = if &item_type == b"hvc1" {
                hevc_coded_size(file, id, declared)?
            } else {
                av1_coded_size(&file.item_data(id).map_err(container_error)?, declared)?
            };
            let pixels = u64::from(coded.0) * u64::from(coded.1);
            work.coded_pixels = work.coded_pixels.saturating_add(pixels);
            work.largest = work.largest.max(pixels);
        }
        b"grid" => count_grid(file, id, depth, limits, work)?,
        b"iovl" | b"iden" => {
            if let Some(size) = declared {
                work.largest = work.largest.max(u64::from(size.0) * u64::from(size.1));
            }
            for &input in file.referenced_items(id, b"dimg") {
                count_item(file, input, depth + 1, limits, work)?;
            }
        }
        // Whatever else it is, the decoder refuses it without decoding anything.
        _ => {}
    }
    // The alpha plane heifer attaches: the first auxiliary image of type alpha.
    let alpha = file
        .referencing_items(id, b"auxl")
        .into_iter()
        .find(|&aux| {
            file.item_properties(aux).is_ok_and(|mut properties| {
                properties.any(
                |p| matches!(p, Property::AuxiliaryType(t) if ALPHA_TYPES.contains(&t.as_str())),
            )
            })
        });
    if let Some(alpha) = alpha {
        count_item(file, alpha, depth + 1, limits, work)?;
    }
    Ok(())
}

fn count_grid(
    file: &HeifFile<'_>,
    id: ItemId,
    depth: u32,
    limits: Limits,
    work: &mut Work,
) -> Result<(), AvatarError> {
    let grid = file.grid(id).map_err(container_error)?;
    let canvas = (grid.output_width, grid.output_height);
    if !limits.fit(canvas) {
        return Err(AvatarError::TooLarge {
            dimensions: Some(canvas),
            limits,
        });
    }
    work.largest = work.largest.max(u64::from(canvas.0) * u64::from(canvas.1));
    let tiles = file.referenced_items(id, b"dimg");
    let (rows, columns) = (u32::from(grid.rows), u32::from(grid.columns));
    if tiles.len() as u64 != u64::from(rows) * u64::from(columns) {
        return Err(AvatarError::Corrupt(format!(
            "its grid of {rows}×{columns} tiles lists {} tiles",
            tiles.len()
        )));
    }
    if tiles.iter().collect::<HashSet<_>>().len() != tiles.len() {
        return Err(out_of_proportion(
            "the same part is used more than once".into(),
        ));
    }
    let Some(&first) = tiles.first() else {
        return Err(AvatarError::Corrupt("its grid has no tiles".into()));
    };
    let tile = file
        .image_size(first)
        .map_err(container_error)?
        .ok_or_else(|| AvatarError::Corrupt("a grid tile has no declared size".into()))?;
    // The tiles cover the canvas, the last row and column reaching past it by less than a
    // tile: nothing is decoded only to be thrown away.
    let covers = |count: u32, side: u32, wanted: u32| {
        let side = u64::from(side);
        u64::from(count) * side >= u64::from(wanted)
            && u64::from(count - 1) * side < u64::from(wanted)
    };
    if tile.0 == 0
        || tile.1 == 0
        || !covers(columns, tile.0, canvas.0)
        || !covers(rows, tile.1, canvas.1)
    {
        return Err(out_of_proportion(format!(
            "its {rows}×{columns} tiles of {}×{} pixels do not fit its {}×{} picture",
            tile.0, tile.1, canvas.0, canvas.1
        )));
    }
    // Checked only now: with 10,000 tiles, looking each up is the slow part.
    for &other in tiles {
        if file.image_size(other).map_err(container_error)? != Some(tile) {
            return Err(AvatarError::Corrupt(
                "its grid tiles declare different sizes".into(),
            ));
        }
    }
    for &tile in tiles {
        count_item(file, tile, depth + 1, limits, work)?;
    }
    Ok(())
}

/// The size an HEVC item codes: every SPS the decoder may use (in `hvcC`, and in the stream
/// before its first slice) must code the declared size, rounded up to the codec's smallest
/// coding block and cropped back by its conformance window to no less than the declared size.
fn hevc_coded_size(
    file: &HeifFile<'_>,
    id: ItemId,
    declared: (u32, u32),
) -> Result<(u32, u32), AvatarError> {
    let stream = file.hevc_bitstream(id).map_err(container_error)?;
    let mut sets = ParameterSets::default();
    for nal in split_annex_b(&stream) {
        let nal = NalUnit::parse(nal).map_err(|e| heifer_error(heifer::Error::Hevc(e)))?;
        if nal.header.unit_type.is_slice() {
            break;
        }
        sets.add(&nal)
            .map_err(|e| heifer_error(heifer::Error::Hevc(e)))?;
    }
    let mut coded = None;
    for sps in sets.sps.iter().flatten() {
        let size = (
            sps.pic_width_in_luma_samples,
            sps.pic_height_in_luma_samples,
        );
        let block = 1u32 << sps.log2_min_luma_coding_block_size.clamp(3, 6);
        // The conformance window is counted in chroma samples.
        let (sub_width, sub_height) = match sps.chroma_format_idc {
            1 => (2, 2),
            2 => (2, 1),
            _ => (1, 1),
        };
        let [left, right, top, bottom] = sps.conf_win_offsets;
        let shown = (
            size.0
                .saturating_sub(left.saturating_add(right).saturating_mul(sub_width)),
            size.1
                .saturating_sub(top.saturating_add(bottom).saturating_mul(sub_height)),
        );
        let fits = |coded: u32, shown: u32, wanted: u32| {
            shown >= wanted && coded <= wanted.next_multiple_of(block)
        };
        if !fits(size.0, shown.0, declared.0) || !fits(size.1, shown.1, declared.1) {
            return Err(out_of_proportion(format!(
                "a part declared {}×{} pixels is coded {}×{}",
                declared.0, declared.1, size.0, size.1
            )));
        }
        coded = Some(size);
    }
    coded.ok_or_else(|| AvatarError::Corrupt("an HEVC picture has no sequence parameters".into()))
}

/// The size an AV1 item codes, from its sequence header (`max_frame_width_minus_1`, …): at
/// least the declared size, and no more than it rounded up to 8 pixels.
fn av1_coded_size(obus: &[u8], declared: (u32, u32)) -> Result<(u32, u32), AvatarError> {
    let size = av1::max_frame_size(obus).ok_or_else(|| {
        AvatarError::Corrupt("the AV1 picture has no readable sequence header".into())
    })?;
    let fits = |coded: u32, wanted: u32| coded >= wanted && coded <= wanted.next_multiple_of(8);
    if !fits(size.0, declared.0) || !fits(size.1, declared.1) {
        return Err(out_of_proportion(format!(
            "a part declared {}×{} pixels is coded up to {}×{}",
            declared.0, declared.1, size.0, size.1
        )));
    }
    Ok(size)
}

/// The `irot` and `imir` properties of an item, in the order they apply, as one [`Orient`].
fn transforms(file: &HeifFile<'_>, id: ItemId) -> Result<Orient, AvatarError> {
    let mut orient = Orient::UPRIGHT;
    for property in file.item_properties(id).map_err(container_error)? {
        orient = match *property {
            Property::Rotation(anticlockwise) => orient.turned_anticlockwise(anticlockwise),
            Property::Mirror(top_bottom) => orient.mirrored(top_bottom),
            _ => orient,
        };
    }
    Ok(orient)
}

/// Decodes the primary image, 8-bit RGB or RGBA, at the `stored` size [`probe`] said, the
/// decoders refusing any picture over `decode_limit` pixels (what [`probe`] proved).
pub(super) fn decode(
    bytes: &[u8],
    codec: Codec,
    stored: (u32, u32),
    decode_limit: u64,
) -> Result<Pixels, AvatarError> {
    let pixels = match codec {
        Codec::Hevc => decode_hevc(bytes, decode_limit)?,
        Codec::Av1 => decode_avif(bytes, decode_limit)?,
    };
    if (pixels.width, pixels.height) != stored {
        return Err(AvatarError::Corrupt(format!(
            "the picture is {}×{} pixels where its header says {}×{}",
            pixels.width, pixels.height, stored.0, stored.1
        )));
    }
    Ok(pixels)
}

fn decode_hevc(bytes: &[u8], decode_limit: u64) -> Result<Pixels, AvatarError> {
    let options = heifer::Options {
        max_threads: 0,
        // Never 0, which heifer reads as "its own default".
        max_pixels: decode_limit.max(1),
    };
    // sRGB from the ICC profile or `nclx`; a colour space heifer cannot convert (an HDR
    // transfer, an exotic profile) is shown with its samples as coded, like a JPEG's.
    let image = match heifer::decode_srgb_rgba8(bytes, &options) {
        Err(heifer::Error::Unsupported(_)) => heifer::decode_rgba8(bytes, &options),
        decoded => decoded,
    }
    .map_err(heifer_error)?;
    let mut data = image.data;
    if !image.has_alpha {
        drop_alpha(&mut data);
    }
    Ok(Pixels {
        data,
        width: image.width,
        height: image.height,
        alpha: image.has_alpha,
    })
}

fn decode_avif(bytes: &[u8], decode_limit: u64) -> Result<Pixels, AvatarError> {
    let file = HeifFile::parse(bytes).map_err(container_error)?;
    let id = file.primary_id;
    let (width, height) = file
        .image_size(id)
        .map_err(container_error)?
        .ok_or_else(|| AvatarError::Corrupt("the image has no declared size".into()))?;
    let picture = decode_av1(&file.item_data(id).map_err(container_error)?, decode_limit)?;
    if picture.width() < width || picture.height() < height {
        return Err(AvatarError::Corrupt(
            "the AV1 picture is smaller than its header says".into(),
        ));
    }
    let (matrix, full_range) = nclx(&file, id)?.unwrap_or((
        picture.matrix_coefficients() as u16,
        picture.color_range() == re_rav1d::pixel::YUVRange::Full,
    ));
    let frame = to_frame(&picture, matrix, full_range)?;
    let params = heifer::color::ColorParams {
        matrix: frame.matrix_coeffs.into(),
        full_range,
    };
    let mut image: heifer::Image<u8> =
        heifer::color::frame_to_rgba_sized(&frame, params, width, height);
    drop(frame);
    let alpha_item = file
        .referencing_items(id, b"auxl")
        .into_iter()
        .find(|&aux| {
            file.item_properties(aux).is_ok_and(|mut properties| {
                properties.any(|p| matches!(p, Property::AuxiliaryType(t) if ALPHA_TYPES.contains(&t.as_str())))
            })
        });
    let Some(alpha_item) = alpha_item else {
        drop_alpha(&mut image.data);
        return Ok(Pixels {
            data: image.data,
            width,
            height,
            alpha: false,
        });
    };
    let alpha = decode_av1(
        &file.item_data(alpha_item).map_err(container_error)?,
        decode_limit,
    )?;
    if alpha.width() < width || alpha.height() < height {
        return Err(AvatarError::Corrupt(
            "the transparency plane is smaller than the picture".into(),
        ));
    }
    let full_range = nclx(&file, alpha_item)?.map_or(
        alpha.color_range() == re_rav1d::pixel::YUVRange::Full,
        |c| c.1,
    );
    let alpha = to_frame(&alpha, 0, full_range)?;
    let depth = alpha.bit_depth[0];
    let (offset, span) = if full_range {
        (0.0, f64::from((1u32 << depth) - 1))
    } else {
        (
            f64::from(16u32 << (depth - 8)),
            f64::from(219u32 << (depth - 8)),
        )
    };
    let plane_width = alpha.widths[0] as usize;
    for (y, row) in image.data.chunks_exact_mut(width as usize * 4).enumerate() {
        let coded = &alpha.planes[0][y * plane_width..][..width as usize];
        for (pixel, &a) in row.chunks_exact_mut(4).zip(coded) {
            pixel[3] = ((f64::from(a) - offset) / span * 255.0)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
    image.has_alpha = true;
    Ok(Pixels {
        data: image.data,
        width,
        height,
        alpha: true,
    })
}

/// RGBA → RGB in place: a 12 MP photo needs no second buffer for it.
fn drop_alpha(data: &mut Vec<u8>) {
    let pixels = data.len() / 4;
    for i in 0..pixels {
        data.copy_within(i * 4..i * 4 + 3, i * 3);
    }
    data.truncate(pixels * 3);
    data.shrink_to_fit();
}

/// The matrix coefficients and range of an item's `colr` `nclx` property, if it has one.
fn nclx(file: &HeifFile<'_>, id: ItemId) -> Result<Option<(u16, bool)>, AvatarError> {
    Ok(file
        .item_properties(id)
        .map_err(container_error)?
        .find_map(|p| match p {
            Property::Color(ColorInfo::Nclx {
                matrix, full_range, ..
            }) => Some((*matrix, *full_range)),
            _ => None,
        }))
}

/// Decodes one AV1 still picture (an item's OBUs), refusing frames over `limit` pixels
/// before allocating them (dav1d checks each frame header against it).
fn decode_av1(obus: &[u8], limit: u64) -> Result<re_rav1d::Picture, AvatarError> {
    use re_rav1d::{Decoder, Error, Settings};
    let av1_error =
        |e: Error| AvatarError::Corrupt(format!("the AV1 data cannot be decoded ({e})"));
    let mut settings = Settings::new();
    settings.set_frame_size_limit(u32::try_from(limit.max(1)).unwrap_or(u32::MAX));
    settings.set_max_frame_delay(1);
    let mut decoder = Decoder::with_settings(&settings).map_err(av1_error)?;
    match decoder.send_data(obus.to_vec(), None, None, None) {
        Ok(()) | Err(Error::Again) => {}
        Err(e) => return Err(av1_error(e)),
    }
    // A still image is one frame: at most a few rounds of "send what is left, take the picture".
    for _ in 0..16 {
        match decoder.get_picture() {
            Ok(picture) => return Ok(picture),
            Err(Error::Again) => match decoder.send_pending_data() {
                Ok(()) | Err(Error::Again) => {}
                Err(e) => return Err(av1_error(e)),
            },
            Err(e) => return Err(av1_error(e)),
        }
    }
    Err(AvatarError::Corrupt("the AV1 data holds no picture".into()))
}

/// The planes of an AV1 picture as heifer's frame, for its YCbCr → RGB conversion. Odd sizes
/// are padded to even by repeating the last column and row, so that the chroma planes are
/// exactly half the luma's where they are subsampled (which the conversion expects).
fn to_frame(
    picture: &re_rav1d::Picture,
    matrix: u16,
    full_range: bool,
) -> Result<Frame, AvatarError> {
    use re_rav1d::{PixelLayout, PlanarImageComponent};
    let depth = picture.bits_per_component().map_or(8, |b| b.0).clamp(8, 16) as u8;
    let (x_shift, y_shift, planes) = match picture.pixel_layout() {
        PixelLayout::I400 => (0, 0, 1),
        PixelLayout::I420 => (1, 1, 3),
        PixelLayout::I422 => (1, 0, 3),
        PixelLayout::I444 => (0, 0, 3),
    };
    let luma = (
        picture.width().next_multiple_of(1 << x_shift),
        picture.height().next_multiple_of(1 << y_shift),
    );
    let chroma = (luma.0 >> x_shift, luma.1 >> y_shift);
    let components = [
        PlanarImageComponent::Y,
        PlanarImageComponent::U,
        PlanarImageComponent::V,
    ];
    let mut frame = Frame {
        widths: [luma.0, 0, 0],
        heights: [luma.1, 0, 0],
        planes: Default::default(),
        bit_depth: [depth, depth],
        chroma_format: match picture.pixel_layout() {
            PixelLayout::I400 => 0,
            PixelLayout::I420 => 1,
            PixelLayout::I422 => 2,
            PixelLayout::I444 => 3,
        },
        full_range,
        matrix_coeffs: u8::try_from(matrix).unwrap_or(2),
    };
    for (index, component) in components.into_iter().enumerate().take(planes) {
        let (width, height) = if index == 0 { luma } else { chroma };
        // What the decoder holds: the picture's own size, chroma rounded up.
        let (coded_width, coded_height) = if index == 0 {
            (picture.width(), picture.height())
        } else {
            (
                picture.width().div_ceil(1 << x_shift),
                picture.height().div_ceil(1 << y_shift),
            )
        };
        let stride = picture.stride(component) as usize;
        let plane = picture.plane(component);
        let bytes: &[u8] = plane.as_ref();
        let wide = picture.bit_depth() > 8;
        let sample = |x: u32, y: u32| -> Option<u16> {
            let x = x.min(coded_width - 1) as usize;
            let y = y.min(coded_height - 1) as usize;
            if wide {
                let at = y * stride + x * 2;
                bytes
                    .get(at..at + 2)
                    .map(|b| u16::from_ne_bytes([b[0], b[1]]))
            } else {
                bytes.get(y * stride + x).map(|&b| u16::from(b))
            }
        };
        let mut samples = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                samples.push(sample(x, y).ok_or_else(|| {
                    AvatarError::Corrupt("the AV1 decoder returned too few samples".into())
                })?);
            }
        }
        frame.widths[index] = width;
        frame.heights[index] = height;
        frame.planes[index] = samples;
    }
    Ok(frame)
}

fn container_error(error: heifer::heifer_isobmff::Error) -> AvatarError {
    heifer_error(heifer::Error::Container(error))
}

fn heifer_error(error: heifer::Error) -> AvatarError {
    match error {
        heifer::Error::Unsupported(what) => {
            AvatarError::Unsupported(format!("This kind of HEIF picture ({what})"))
        }
        heifer::Error::Container(heifer::heifer_isobmff::Error::UnexpectedEof) => {
            AvatarError::Corrupt("the file ends early".into())
        }
        heifer::Error::Container(heifer::heifer_isobmff::Error::Unimplemented(what)) => {
            AvatarError::Unsupported(format!("This kind of HEIF picture ({what})"))
        }
        other => AvatarError::Corrupt(other.to_string()),
    }
}

/// Just enough of AV1's bitstream (AV1 spec §5.3, §5.5) to read the largest frame size a
/// sequence header allows, without a decoder.
mod av1 {
    /// OBU type of a sequence header.
    const SEQUENCE_HEADER: u8 = 1;

    /// `max_frame_width_minus_1 + 1` and `max_frame_height_minus_1 + 1` of the first sequence
    /// header among `obus` (low-overhead format, as AVIF items hold them).
    pub fn max_frame_size(mut obus: &[u8]) -> Option<(u32, u32)> {
        // A still picture's item has a handful of OBUs; a header is among the first.
        for _ in 0..64 {
            let (&header, rest) = obus.split_first()?;
            let kind = (header >> 3) & 0x0f;
            let has_extension = header & 0x04 != 0;
            let has_size = header & 0x02 != 0;
            let rest = if has_extension { rest.get(1..)? } else { rest };
            let (payload, next) = if has_size {
                let (size, used) = leb128(rest)?;
                let size = usize::try_from(size).ok()?;
                let body = rest.get(used..)?;
                (body.get(..size)?, body.get(size..)?)
            } else {
                (rest, &[][..])
            };
            if kind == SEQUENCE_HEADER {
                return sequence_header_size(payload);
            }
            obus = next;
        }
        None
    }

    fn leb128(bytes: &[u8]) -> Option<(u64, usize)> {
        let mut value = 0u64;
        for (i, &byte) in bytes.iter().take(8).enumerate() {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Some((value, i + 1));
            }
        }
        None
    }

    struct Bits<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Bits<'_> {
        fn read(&mut self, count: u32) -> Option<u32> {
            let mut value = 0u32;
            for _ in 0..count {
                let byte = *self.bytes.get(self.at / 8)?;
                let bit = (byte >> (7 - self.at % 8)) & 1;
                value = (value << 1) | u32::from(bit);
                self.at += 1;
            }
            Some(value)
        }

        fn flag(&mut self) -> Option<bool> {
            self.read(1).map(|b| b == 1)
        }

        /// uvlc(): leading zeros, then as many bits.
        fn uvlc(&mut self) -> Option<()> {
            let mut zeros = 0;
            while !self.flag()? {
                zeros += 1;
                if zeros >= 32 {
                    return Some(());
                }
            }
            self.read(zeros).map(|_| ())
        }
    }

    fn sequence_header_size(payload: &[u8]) -> Option<(u32, u32)> {
        let mut bits = Bits {
            bytes: payload,
            at: 0,
        };
        let _profile = bits.read(3)?;
        let _still_picture = bits.flag()?;
        let reduced = bits.flag()?;
        if reduced {
            let _level = bits.read(5)?;
        } else {
            let timing_info = bits.flag()?;
            let mut decoder_model_info = false;
            let mut buffer_delay_length = 0;
            if timing_info {
                bits.read(32)?; // num_units_in_display_tick
                bits.read(32)?; // time_scale
                if bits.flag()? {
                    bits.uvlc()?; // num_ticks_per_picture_minus_1
                }
                decoder_model_info = bits.flag()?;
                if decoder_model_info {
                    buffer_delay_length = bits.read(5)? + 1;
                    bits.read(32)?; // num_units_in_decoding_tick
                    bits.read(5)?; // buffer_removal_time_length_minus_1
                    bits.read(5)?; // frame_presentation_time_length_minus_1
                }
            }
            let initial_display_delay = bits.flag()?;
            let operating_points = bits.read(5)? + 1;
            for _ in 0..operating_points {
                bits.read(12)?; // operating_point_idc
                let level = bits.read(5)?;
                if level > 7 {
                    bits.read(1)?; // seq_tier
                }
                if decoder_model_info && bits.flag()? {
                    bits.read(buffer_delay_length)?; // decoder_buffer_delay
                    bits.read(buffer_delay_length)?; // encoder_buffer_delay
                    bits.read(1)?; // low_delay_mode_flag
                }
                if initial_display_delay && bits.flag()? {
                    bits.read(4)?; // initial_display_delay_minus_1
                }
            }
        }
        let width_bits = bits.read(4)? + 1;
        let height_bits = bits.read(4)? + 1;
        let width = bits.read(width_bits)?.checked_add(1)?;
        let height = bits.read(height_bits)?.checked_add(1)?;
        Some((width, height))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_reduced_still_picture_header_names_its_size() {
            // OBU header (sequence header, has size), size 6, then: profile 0, still 1,
            // reduced 1, level 0 (5 bits), width bits 12 (1011), height bits 11 (1010),
            // width - 1 = 3023 (12 bits), height - 1 = 2015 (11 bits).
            let mut bits = String::from("000") + "1" + "1" + "00000" + "1011" + "1010";
            bits += &format!("{:012b}{:011b}", 3023, 2015);
            while !bits.len().is_multiple_of(8) {
                bits.push('0');
            }
            let payload: Vec<u8> = bits
                .as_bytes()
                .chunks(8)
                .map(|b| u8::from_str_radix(std::str::from_utf8(b).unwrap_or("0"), 2).unwrap_or(0))
                .collect();
            let mut obus = vec![(SEQUENCE_HEADER << 3) | 0x02, payload.len() as u8];
            obus.extend(&payload);
            assert_eq!(max_frame_size(&obus), Some((3024, 2016)));
            assert_eq!(max_frame_size(&obus[..3]), None);
            assert_eq!(max_frame_size(&[]), None);
        }
    }
}
