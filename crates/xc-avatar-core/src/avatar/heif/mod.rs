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
use super::pixels::{Limits, Pixels};

mod decode;
mod work;

use decode::{decode_avif, decode_hevc};
use work::prove_work;

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
