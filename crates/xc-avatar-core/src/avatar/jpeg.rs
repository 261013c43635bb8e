//! JPEG: its header and EXIF orientation read without decoding, progressive scans counted
//! before a decode is allowed, and pixels decoded shrunk by 1/2, 1/4 or 1/8 (DCT scaling) —
//! by libjpeg-turbo when it decodes the file cleanly, else by `jpeg-decoder` (pure Rust,
//! lenient), which also takes CMYK/YCCK. libjpeg-turbo can also decode only a part: the
//! square a render needs.

use std::sync::Arc;

use super::AvatarError;
use super::orient::Orient;
use super::pixels::{Limits, Part, Pixels};

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

/// A rectangle of the stored picture, in its pixels (fractions allowed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Region {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// The part of a JPEG that covers `region`, decoded at 1/`shrink` by libjpeg-turbo; or `None` for
/// anything the whole decode should handle (what `decode_jpeg_turbo` refuses, a region that is
/// the whole picture, any error or warning).
///
/// libjpeg-turbo's cropped decode: the rows above the region are entropy-decoded only (no
/// IDCT, no colour conversion), the rows below not at all, and only the region's columns are
/// converted. For a face's square in a large photo that is a fraction of a whole decode, and
/// only the square's pixels are allocated. The TurboJPEG calls the `turbojpeg` crate wraps have
/// no cropping, so this uses its raw bindings.
pub(super) fn decode_jpeg_part(
    bytes: &[u8],
    stored: (u32, u32),
    shrink: u32,
    region: Region,
) -> Option<Part> {
    use std::ffi::c_int;
    use turbojpeg::raw;

    /// A TurboJPEG decompressor, destroyed when dropped.
    struct Handle(raw::tjhandle);
    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: the handle came from tj3Init, is not null, and is destroyed once.
            unsafe { raw::tj3Destroy(self.0) }
        }
    }
    impl Handle {
        fn get(&self, param: raw::TJPARAM) -> c_int {
            // SAFETY: a live handle; tj3Get reads a parameter and returns -1 for a bad one.
            unsafe { raw::tj3Get(self.0, c_int::try_from(param).unwrap_or(-1)) }
        }
        fn set(&self, param: raw::TJPARAM, value: c_int) -> Option<()> {
            let param = c_int::try_from(param).ok()?;
            // SAFETY: a live handle; tj3Set validates both arguments.
            (unsafe { raw::tj3Set(self.0, param, value) } == 0).then_some(())
        }
    }

    if !matches!(shrink, 1 | 2 | 4 | 8) {
        return None;
    }
    // SAFETY: tj3Init has no preconditions; it returns null on failure, checked below.
    let handle =
        Handle(unsafe { raw::tj3Init(c_int::try_from(raw::TJINIT_TJINIT_DECOMPRESS).ok()?) });
    if handle.0.is_null() {
        return None;
    }
    handle.set(
        raw::TJPARAM_TJPARAM_SCANLIMIT,
        c_int::try_from(MAX_JPEG_SCANS).ok()?,
    )?;
    let length = bytes.len().try_into().ok()?;
    // SAFETY: `bytes` is valid for `length` bytes for the whole call; TurboJPEG only reads it.
    if unsafe { raw::tj3DecompressHeader(handle.0, bytes.as_ptr(), length) } != 0 {
        return None;
    }
    // The same checks as the whole decode: the size the probe allowed, 8-bit lossy, colours
    // libjpeg-turbo converts to RGB.
    let size = (
        u32::try_from(handle.get(raw::TJPARAM_TJPARAM_JPEGWIDTH)).ok()?,
        u32::try_from(handle.get(raw::TJPARAM_TJPARAM_JPEGHEIGHT)).ok()?,
    );
    let colorspace = u32::try_from(handle.get(raw::TJPARAM_TJPARAM_COLORSPACE)).ok()?;
    if size != stored
        || handle.get(raw::TJPARAM_TJPARAM_PRECISION) != 8
        || handle.get(raw::TJPARAM_TJPARAM_LOSSLESS) != 0
        || handle.get(raw::TJPARAM_TJPARAM_SUBSAMP) < 0
        || ![
            raw::TJCS_TJCS_YCbCr,
            raw::TJCS_TJCS_GRAY,
            raw::TJCS_TJCS_RGB,
        ]
        .contains(&colorspace)
    {
        return None;
    }
    let factor = raw::tjscalingfactor {
        num: 1,
        denom: c_int::try_from(shrink).ok()?,
    };
    // SAFETY: a live handle; the factor is one TurboJPEG supports (checked by it too).
    if unsafe { raw::tj3SetScalingFactor(handle.0, factor) } != 0 {
        return None;
    }
    // The whole picture at this shrink, as TurboJPEG sizes it (rounded up).
    let whole = (stored.0.div_ceil(shrink), stored.1.div_ceil(shrink));
    let (scale_x, scale_y) = (
        f64::from(whole.0) / f64::from(stored.0),
        f64::from(whole.1) / f64::from(stored.1),
    );
    // The left edge must fall on an iMCU column of the scaled picture; 32 stored pixels is a
    // whole number of iMCUs in every subsampling (8, 16 or 32 wide).
    let align = 32 / shrink;
    let clamp = |value: f64, most: u32| value.clamp(0.0, f64::from(most)) as u32;
    let left = clamp((region.left * scale_x).floor(), whole.0) / align * align;
    let top = clamp((region.top * scale_y).floor(), whole.1);
    let right = clamp(((region.left + region.width) * scale_x).ceil(), whole.0);
    let bottom = clamp(((region.top + region.height) * scale_y).ceil(), whole.1);
    if right <= left || bottom <= top || (left, top, right, bottom) == (0, 0, whole.0, whole.1) {
        return None;
    }
    let (width, height) = (right - left, bottom - top);
    let crop = raw::tjregion {
        x: c_int::try_from(left).ok()?,
        y: c_int::try_from(top).ok()?,
        w: c_int::try_from(width).ok()?,
        h: c_int::try_from(height).ok()?,
    };
    // SAFETY: a live handle whose header and scaling are set; TurboJPEG checks the region
    // against the scaled picture and the iMCU alignment.
    if unsafe { raw::tj3SetCroppingRegion(handle.0, crop) } != 0 {
        return None;
    }
    let pitch = usize::try_from(width).ok()?.checked_mul(3)?;
    let mut data = vec![0_u8; pitch.checked_mul(usize::try_from(height).ok()?)?];
    let format = c_int::try_from(raw::TJPF_TJPF_RGB).ok()?;
    // SAFETY: `data` holds `height` rows of `pitch` bytes, exactly the cropped RGB picture
    // TurboJPEG writes; `bytes` is valid for `length` bytes and only read.
    let decoded = unsafe {
        raw::tj3Decompress8(
            handle.0,
            bytes.as_ptr(),
            length,
            data.as_mut_ptr(),
            c_int::try_from(pitch).ok()?,
            format,
        )
    };
    // Non-zero also for a warning (a truncated file, stray bytes): the whole decode, and the
    // lenient decoder after it, decide what such a file shows.
    if decoded != 0 {
        return None;
    }
    Some(Part {
        pixels: Arc::new(Pixels {
            data,
            width,
            height,
            alpha: false,
        }),
        origin: (left, top),
        whole,
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
