//! JPEG: its header and EXIF orientation read without decoding, progressive scans counted
//! before a decode is allowed, and pixels decoded shrunk by 1/2, 1/4 or 1/8 (DCT scaling) —
//! by libjpeg-turbo when it decodes the file cleanly, else by `jpeg-decoder` (pure Rust,
//! lenient), which also takes CMYK/YCCK.

use super::AvatarError;
use super::orient::Orient;
use super::pixels::{Limits, Pixels};

/// Most scans a progressive JPEG may have. Encoders write about 10; each scan costs a pass over
/// the whole picture, so a small file with thousands of them would cost minutes.
pub const MAX_JPEG_SCANS: usize = 100;

pub(super) fn probe_jpeg(bytes: &[u8]) -> Result<((u32, u32), Orient), AvatarError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder
        .info()
        .ok_or_else(|| AvatarError::Corrupt("no JPEG frame header".into()))?;
    let orientation = jpeg_exif(bytes)
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .map_or(Orient::UPRIGHT, Orient::from_exif);
    Ok(((info.width.into(), info.height.into()), orientation))
}

/// The EXIF block of a JPEG (APP1 "Exif"), found by walking the segments before the image data.
fn jpeg_exif(bytes: &[u8]) -> Option<&[u8]> {
    let mut at = 2; // after SOI
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        match marker {
            0xFF => at += 1, // fill byte
            0x01 | 0xD0..=0xD7 => at += 2,
            0xDA | 0xD9 => return None, // image data: metadata comes before it
            _ => {
                let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
                let segment = bytes.get(at + 4..at + 2 + length)?;
                if marker == 0xE1
                    && let Some(exif) = segment.strip_prefix(b"Exif\0\0")
                {
                    return Some(exif);
                }
                at += 2 + length;
            }
        }
    }
    None
}

/// How many scans (SOS segments) a JPEG has, counted by walking its segments and skipping the
/// entropy-coded data after each scan header. Linear in the file, with no allocation.
pub(super) fn jpeg_scan_count(bytes: &[u8]) -> usize {
    let mut scans = 0;
    let mut at = 2; // after SOI
    while at + 1 < bytes.len() {
        if bytes[at] != 0xFF {
            // Entropy-coded data (or garbage): find the next marker.
            at += 1;
            continue;
        }
        let marker = bytes[at + 1];
        match marker {
            // Fill byte, stuffed zero, restart markers, TEM: no length.
            0xFF => at += 1,
            0x00 | 0xD0..=0xD7 | 0x01 => at += 2,
            0xD9 => break,
            _ => {
                let Some(length) = bytes.get(at + 2..at + 4) else {
                    break;
                };
                let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
                if marker == 0xDA {
                    scans += 1;
                    if scans > MAX_JPEG_SCANS {
                        break;
                    }
                }
                at += 2 + length.max(2);
            }
        }
    }
    scans
}

pub(super) fn decode_jpeg(
    bytes: &[u8],
    stored: (u32, u32),
    shrink: u32,
    limits: Limits,
) -> Result<Pixels, AvatarError> {
    match decode_jpeg_turbo(bytes, stored, shrink) {
        Some(pixels) => Ok(pixels),
        None => decode_jpeg_lenient(bytes, stored, shrink, limits),
    }
}

/// libjpeg-turbo's decode to RGB, or `None` for what it will not do (CMYK, YCCK) or warns about
/// (a truncated file, stray bytes between segments): the lenient decoder gets those.
fn decode_jpeg_turbo(bytes: &[u8], stored: (u32, u32), shrink: u32) -> Option<Pixels> {
    use turbojpeg::{Colorspace, Decompressor, Image, PixelFormat, ScalingFactor};
    let mut decompressor = Decompressor::new().ok()?;
    // Already checked by the probe; kept here in case the two walkers ever disagree.
    decompressor
        .set_scan_limit(u32::try_from(MAX_JPEG_SCANS).ok()?)
        .ok()?;
    let header = decompressor.read_header(bytes).ok()?;
    // Only the size the probe checked against the limits may be allocated; a file whose
    // headers disagree goes to the other decoder.
    let same_size = usize::try_from(stored.0).ok() == Some(header.width)
        && usize::try_from(stored.1).ok() == Some(header.height);
    if !same_size
        || !matches!(
            header.colorspace,
            Colorspace::YCbCr | Colorspace::Gray | Colorspace::RGB
        )
        || header.is_lossless
    {
        return None;
    }
    let factor = match shrink {
        8 => ScalingFactor::ONE_EIGHTH,
        4 => ScalingFactor::ONE_QUARTER,
        2 => ScalingFactor::ONE_HALF,
        _ => ScalingFactor::ONE,
    };
    decompressor.set_scaling_factor(factor).ok()?;
    let scaled = header.scaled(factor);
    let mut data = vec![0; scaled.width.checked_mul(scaled.height)?.checked_mul(3)?];
    let image = Image {
        pixels: data.as_mut_slice(),
        width: scaled.width,
        pitch: scaled.width * 3,
        height: scaled.height,
        format: PixelFormat::RGB,
    };
    decompressor.decompress(bytes, image).ok()?;
    Some(Pixels {
        data,
        width: u32::try_from(scaled.width).ok()?,
        height: u32::try_from(scaled.height).ok()?,
        alpha: false,
    })
}

fn decode_jpeg_lenient(
    bytes: &[u8],
    stored: (u32, u32),
    shrink: u32,
    limits: Limits,
) -> Result<Pixels, AvatarError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    // The output buffer the size check allowed (4 bytes a pixel covers CMYK), no more.
    decoder
        .set_max_decoding_buffer_size(usize::try_from(limits.max_pixels * 4).unwrap_or(usize::MAX));
    decoder.read_info().map_err(jpeg_error)?;
    if shrink > 1 {
        // Asks for at least the stored size / shrink; the decoder picks that DCT scale.
        let at_least = |side: u32| u16::try_from(side.div_ceil(shrink)).unwrap_or(u16::MAX);
        decoder
            .scale(at_least(stored.0), at_least(stored.1))
            .map_err(jpeg_error)?;
    }
    let data = decoder.decode().map_err(jpeg_error)?;
    let info = decoder
        .info()
        .ok_or_else(|| AvatarError::Corrupt("no JPEG frame header".into()))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let pixels = usize::from(info.width) * usize::from(info.height);
    let rgb: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => data,
        jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => data
            .chunks_exact(2)
            .flat_map(|l| [l[0], l[0], l[0]]) // big-endian: the high byte
            .collect(),
        // Already un-inverted by the decoder (Adobe stores CMYK inverted); naive CMYK → RGB
        // is what every viewer without a colour profile shows.
        jpeg_decoder::PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .flat_map(|cmyk| {
                let k = 255 - u16::from(cmyk[3]);
                cmyk[..3]
                    .iter()
                    .map(move |&c| ((255 - u16::from(c)) * k / 255) as u8)
            })
            .collect(),
    };
    if rgb.len() < pixels * 3 {
        return Err(AvatarError::Corrupt("the image data ends early".into()));
    }
    Ok(Pixels {
        data: rgb,
        width,
        height,
        alpha: false,
    })
}

fn jpeg_error(error: jpeg_decoder::Error) -> AvatarError {
    match error {
        jpeg_decoder::Error::Unsupported(feature) => {
            AvatarError::Unsupported(format!("This kind of JPEG ({feature:?})"))
        }
        jpeg_decoder::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            AvatarError::Corrupt("the file ends early".into())
        }
        other => AvatarError::Corrupt(other.to_string()),
    }
}
