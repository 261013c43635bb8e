//! Reading a picture: the format sniffed from content, size and orientation read from the header
//! before any pixel is allocated, pixels decoded only as large as they are needed.
//!
//! JPEG is shrunk while decoding (DCT scaling by 1/2, 1/4 or 1/8): a 24 MP photo becomes a
//! 1500×1000 preview for a fraction of the work and a sixteenth of the memory. libjpeg-turbo
//! (`turbojpeg`) does that fastest — its Huffman decoding, the floor of the whole pipeline, is
//! ~1.5× `jpeg-decoder`'s — but it stops at the first warning, so `jpeg-decoder` (pure Rust,
//! lenient) decodes what it refuses, and CMYK/YCCK files. HEIC and AVIF go to `heif`. Other
//! formats are decoded whole by `image`, then shrunk.

use std::io::{Cursor, Read as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use fast_image_resize::{PixelType, ResizeOptions, Resizer, images::Image};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbaImage};

use super::AvatarError;
use super::heif;
use super::orient::Orient;

/// Largest width or height we accept; beyond it a picture is not a profile picture.
pub const MAX_DIMENSION: u32 = 16_384;
/// Largest pixel count we accept (≈ 120 MP: a 12000×10000 scan), bounding memory and time.
pub const MAX_PIXELS: u64 = 120_000_000;
/// Longest side of the preview the crop editor shows.
pub const PREVIEW_MAX_SIDE: u32 = 2048;
/// Largest picture file we read (200 MB): far above any real photo (a 120 MP JPEG at top
/// quality is ≈ 60 MB), and checked before a byte is read.
pub const MAX_FILE_BYTES: u64 = 200_000_000;
/// Most scans a progressive JPEG may have. Encoders write about 10; each scan costs a pass over
/// the whole picture, so a small file with thousands of them would cost minutes.
pub const MAX_JPEG_SCANS: usize = 100;
/// How large a picture may be. Its header is checked against these before any pixel is
/// allocated, and each decoder is held to what the header declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest width or height.
    pub max_dimension: u32,
    /// Most pixels (width × height).
    pub max_pixels: u64,
}

impl Limits {
    /// A picture the user chose: a photo, a scan.
    pub const PICTURE: Limits = Limits {
        max_dimension: MAX_DIMENSION,
        max_pixels: MAX_PIXELS,
    };
    /// A picture a tenant sends as the current one: an avatar. The Console's own are 512² or
    /// smaller; 4096² leaves room for any sensible one and keeps its decode under a second.
    pub const AVATAR: Limits = Limits {
        max_dimension: 4096,
        max_pixels: 4096 * 4096,
    };

    /// Whether a picture of `width` × `height` fits.
    pub fn fit(&self, (width, height): (u32, u32)) -> bool {
        width <= self.max_dimension
            && height <= self.max_dimension
            && u64::from(width) * u64::from(height) <= self.max_pixels
    }
}

/// Largest decode we keep for the next render (≈ a 4000×4000 RGBA picture): a render for a new
/// crop or preview then skips decoding the file again.
const KEEP_DECODED_MAX_BYTES: usize = 64 * 1024 * 1024;
/// How many decodes (at different scales) we keep per picture.
const KEEP_DECODED: usize = 2;

/// A picture file's bytes and what its header says. Cheap to clone; decoding happens on demand,
/// and the last decodes are kept (shared by clones), so rendering again for another crop does
/// not decode the file again.
#[derive(Clone)]
pub struct Source {
    /// The file as read: one buffer, shared by clones, never copied.
    bytes: Arc<Vec<u8>>,
    format: Format,
    limits: Limits,
    /// Size as stored, before orientation.
    stored: (u32, u32),
    orientation: Orient,
    decoded: Arc<Decoded>,
}

/// How a picture is decoded: by `image` (and our JPEG decoders), or as HEIF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Image(ImageFormat),
    Heif {
        codec: heif::Codec,
        /// The largest picture the file's own declarations let the decoder make, in pixels.
        decode_limit: u64,
    },
}

/// The decodes kept, most recent last, by the shrink factor they were made at.
#[derive(Default)]
struct Decoded {
    kept: Mutex<Vec<(u32, Arc<Pixels>)>>,
    /// How many times the file was decoded (for the tests that prove the cache works).
    count: AtomicU32,
}

/// Decoded pixels, 8-bit RGB or RGBA, as stored (orientation not applied).
pub(super) struct Pixels {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
}

impl Pixels {
    pub fn pixel_type(&self) -> PixelType {
        if self.alpha {
            PixelType::U8x4
        } else {
            PixelType::U8x3
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("format", &self.format)
            .field("stored", &self.stored)
            .field("orientation", &self.orientation)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Source {
    /// Reads the file at `path` (only reads it, never writes) and checks its header. Only a
    /// regular file of at most [`MAX_FILE_BYTES`] is read: a FIFO, a device, a directory or a
    /// socket is refused at once (never opened in a way that could wait for a writer), a larger
    /// file before a byte of it is read, and one that grows while read stops at the limit.
    pub fn open(path: &Path) -> Result<Self, AvatarError> {
        Self::open_within(path, Limits::PICTURE)
    }

    /// [`Source::open`] with other limits.
    pub fn open_within(path: &Path, limits: Limits) -> Result<Self, AvatarError> {
        let shown = || path.display().to_string();
        let io = |source| AvatarError::Io {
            path: shown(),
            source,
        };
        check_is_file(path, &std::fs::metadata(path).map_err(io)?)?;
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            // Should the path become a FIFO after the check above, opening it returns at once
            // instead of waiting for a writer; the check below then refuses it.
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(path).map_err(io)?;
        let metadata = file.metadata().map_err(io)?;
        check_is_file(path, &metadata)?;
        // Sized for the whole file at once: read_to_end then neither grows nor copies the
        // buffer, and the Source keeps this very buffer (a 190 MB file costs 190 MB, not 380).
        let expected = usize::try_from(metadata.len()).unwrap_or(usize::MAX);
        let mut bytes = Vec::with_capacity(expected.min(MAX_FILE_BYTES as usize));
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(AvatarError::FileTooLarge {
                path: shown(),
                bytes: None,
            });
        }
        Self::from_bytes_within(bytes, limits)
    }

    /// Checks an image's header, whatever its file name claimed. No pixels are decoded.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, AvatarError> {
        Self::from_bytes_within(bytes, Limits::PICTURE)
    }

    /// [`Source::from_bytes`] with other limits: the header is checked against them, and
    /// every later decode is held to them.
    pub fn from_bytes_within(
        bytes: impl Into<Vec<u8>>,
        limits: Limits,
    ) -> Result<Self, AvatarError> {
        let bytes = Arc::new(bytes.into());
        if bytes.is_empty() {
            return Err(AvatarError::Empty);
        }
        if heif::is_heif(&bytes) {
            return Self::from_heif(bytes, limits);
        }
        let format = image::guess_format(&bytes).map_err(|_| not_an_image(&bytes))?;
        if format == ImageFormat::Jpeg && jpeg_scan_count(&bytes) > MAX_JPEG_SCANS {
            return Err(AvatarError::Unsupported(format!(
                "A JPEG with more than {MAX_JPEG_SCANS} progressive scans"
            )));
        }
        let (stored, orientation) = guarded(|| match format {
            ImageFormat::Jpeg => probe_jpeg(&bytes),
            ImageFormat::Png
            | ImageFormat::WebP
            | ImageFormat::Gif
            | ImageFormat::Bmp
            | ImageFormat::Tiff => probe_other(&bytes, format),
            other => Err(AvatarError::Unsupported(format_name(other).into())),
        })?;
        check_size(stored, limits)?;
        Ok(Source {
            bytes,
            format: Format::Image(format),
            limits,
            stored,
            orientation,
            decoded: Arc::default(),
        })
    }

    /// A HEIC or AVIF: before any pixel exists, its declared size is checked against the
    /// limits and the work of decoding it is proven to fit what it declares (`heif::probe`).
    fn from_heif(bytes: Arc<Vec<u8>>, limits: Limits) -> Result<Self, AvatarError> {
        let probe = guarded(|| heif::probe(&bytes, limits))?;
        check_size(probe.coded, limits)?;
        check_size(probe.stored, limits)?;
        Ok(Source {
            bytes,
            format: Format::Heif {
                codec: probe.codec,
                decode_limit: probe.decode_limit,
            },
            limits,
            stored: probe.stored,
            orientation: probe.orientation,
            decoded: Arc::default(),
        })
    }

    /// Size the right way up, in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.orientation.size(self.stored)
    }

    pub(super) fn stored_size(&self) -> (u32, u32) {
        self.stored
    }

    /// How the stored pixels are turned to be right way up (EXIF orientation).
    pub fn orientation(&self) -> Orient {
        self.orientation
    }

    /// The picture right way up, at most `max_side` pixels on its longer side, as RGBA for a
    /// texture. Returns it with its scale: preview pixels per picture pixel.
    pub fn preview(&self, max_side: u32) -> Result<(RgbaImage, f64), AvatarError> {
        let (width, height) = self.stored;
        let longest = width.max(height);
        // The least shrinking that fits in `max_side` (a 24 MP JPEG decodes at 1/4: 1500 px);
        // what decoding cannot shrink enough is resized below.
        let shrink = [1, 2, 4, 8]
            .into_iter()
            .find(|&s| longest.div_ceil(s) <= max_side)
            .unwrap_or(8);
        let mut pixels = self.decode(shrink)?;
        let longest_now = pixels.width.max(pixels.height);
        if longest_now > max_side {
            let scale = f64::from(max_side) / f64::from(longest_now);
            let target = (
                ((f64::from(pixels.width) * scale).round() as u32).max(1),
                ((f64::from(pixels.height) * scale).round() as u32).max(1),
            );
            pixels = Arc::new(resize(&pixels, None, target)?);
        }
        let scale = f64::from(pixels.width) / f64::from(width);
        let mut image = DynamicImage::from(pixels.to_rgba()?);
        self.orientation.apply(&mut image);
        Ok((image.into_rgba8(), scale))
    }

    /// Decodes the stored pixels, shrunk by about `shrink` (1, 2, 4 or 8) where the format can
    /// do that while decoding (JPEG); other formats come at full size. A decode at the same
    /// shrink kept from before is used instead of decoding again.
    pub(super) fn decode(&self, shrink: u32) -> Result<Arc<Pixels>, AvatarError> {
        // Formats other than JPEG decode at full size whatever the shrink.
        let key = if self.format == Format::Image(ImageFormat::Jpeg) {
            shrink
        } else {
            1
        };
        let lock = || self.decoded.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, pixels)) = lock().iter().find(|(at, _)| *at == key) {
            return Ok(Arc::clone(pixels));
        }
        self.decoded.count.fetch_add(1, Ordering::Relaxed);
        let pixels = Arc::new(guarded(|| match self.format {
            Format::Image(ImageFormat::Jpeg) => {
                decode_jpeg(&self.bytes, self.stored, shrink, self.limits)
            }
            Format::Image(format) => decode_other(&self.bytes, format, self.stored),
            Format::Heif {
                codec,
                decode_limit,
            } => heif::decode(&self.bytes, codec, self.stored, decode_limit),
        })?);
        if pixels.data.len() <= KEEP_DECODED_MAX_BYTES {
            let mut kept = lock();
            kept.retain(|(at, _)| *at != key);
            if kept.len() >= KEEP_DECODED {
                kept.remove(0);
            }
            kept.push((key, Arc::clone(&pixels)));
        }
        Ok(pixels)
    }

    /// How many times this picture (or a clone of it) was decoded.
    #[doc(hidden)]
    pub fn decode_count(&self) -> u32 {
        self.decoded.count.load(Ordering::Relaxed)
    }
}

impl Pixels {
    fn to_rgba(&self) -> Result<RgbaImage, AvatarError> {
        let Pixels {
            data,
            width,
            height,
            alpha,
        } = self;
        let (width, height) = (*width, *height);
        let rgba = if *alpha {
            data.clone()
        } else {
            let mut rgba = Vec::with_capacity(data.len() / 3 * 4);
            for rgb in data.chunks_exact(3) {
                rgba.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
            rgba
        };
        RgbaImage::from_raw(width, height, rgba)
            .ok_or_else(|| AvatarError::Corrupt("the decoder returned too few pixels".into()))
    }
}

/// Resizes (the `crop` of) `pixels` to exactly `size`, Lanczos3, alpha-aware.
pub(super) fn resize(
    pixels: &Pixels,
    crop: Option<(f64, f64, f64, f64)>,
    (width, height): (u32, u32),
) -> Result<Pixels, AvatarError> {
    let pixel_type = pixels.pixel_type();
    let src = fast_image_resize::images::ImageRef::new(
        pixels.width,
        pixels.height,
        &pixels.data,
        pixel_type,
    )
    .map_err(|e| AvatarError::Encode(e.to_string()))?;
    let mut dst = Image::new(width, height, pixel_type);
    let mut options = ResizeOptions::new();
    if let Some((left, top, w, h)) = crop {
        options = options.crop(left, top, w, h);
    }
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| AvatarError::Encode(e.to_string()))?;
    Ok(Pixels {
        data: dst.into_vec(),
        width,
        height,
        alpha: pixels.alpha,
    })
}

/// Refuses a picture with no pixels, or more than the limits allow.
fn check_size((width, height): (u32, u32), limits: Limits) -> Result<(), AvatarError> {
    if width == 0 || height == 0 {
        return Err(AvatarError::Corrupt("the image has no pixels".into()));
    }
    if !limits.fit((width, height)) {
        return Err(AvatarError::TooLarge {
            dimensions: Some((width, height)),
            limits,
        });
    }
    Ok(())
}

/// Runs a decoder step, turning a panic inside a third-party decoder into a `Corrupt` error: a
/// hostile file must never take the app down.
fn guarded<T>(step: impl FnOnce() -> Result<T, AvatarError>) -> Result<T, AvatarError> {
    catch_unwind(AssertUnwindSafe(step)).unwrap_or_else(|_| {
        Err(AvatarError::Corrupt(
            "the decoder could not make sense of it".into(),
        ))
    })
}

fn probe_jpeg(bytes: &[u8]) -> Result<((u32, u32), Orient), AvatarError> {
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

/// Refuses what is not a regular file, and a file over [`MAX_FILE_BYTES`], from its metadata.
fn check_is_file(path: &Path, metadata: &std::fs::Metadata) -> Result<(), AvatarError> {
    let kind = metadata.file_type();
    if kind.is_file() {
        if metadata.len() > MAX_FILE_BYTES {
            return Err(AvatarError::FileTooLarge {
                path: path.display().to_string(),
                bytes: Some(metadata.len()),
            });
        }
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a folder"
    } else {
        special_file_kind(&kind)
    };
    Err(AvatarError::NotAFile {
        path: path.display().to_string(),
        kind: what,
    })
}

#[cfg(unix)]
fn special_file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// How many scans (SOS segments) a JPEG has, counted by walking its segments and skipping the
/// entropy-coded data after each scan header. Linear in the file, with no allocation.
fn jpeg_scan_count(bytes: &[u8]) -> usize {
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

fn decode_jpeg(
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

/// What a decoder may allocate beyond twice its output: tables, a row or a strip in flight.
const DECODER_SLACK_BYTES: u64 = 16 * 1024 * 1024;

/// `image`'s limits for reading a header: no side over [`MAX_DIMENSION`].
fn header_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(header_limits());
    reader
}

fn probe_other(bytes: &[u8], format: ImageFormat) -> Result<((u32, u32), Orient), AvatarError> {
    let mut decoder = reader(bytes, format).into_decoder().map_err(image_error)?;
    // A missing or broken EXIF block is common and harmless: show the picture as stored.
    let orientation = decoder
        .orientation()
        .map_or(Orient::UPRIGHT, Orient::from_exif);
    Ok((decoder.dimensions(), orientation))
}

/// Decodes a PNG, WebP, GIF, BMP or TIFF whole. Its decoder may allocate what the size its
/// header declared needs — the output, and as much again for the decoder's own buffers
/// (TIFF decodes into a buffer of its own, then converts) — and nothing more: `image`'s
/// default 512 MiB would refuse a 16384×7324 TIFF that is within the limits, and allow a
/// small picture's decoder far more than it can need.
fn decode_other(
    bytes: &[u8],
    format: ImageFormat,
    stored: (u32, u32),
) -> Result<Pixels, AvatarError> {
    let mut decoder = reader(bytes, format).into_decoder().map_err(image_error)?;
    if decoder.dimensions() != stored {
        return Err(AvatarError::Corrupt(
            "the picture's size changed between two reads of its header".into(),
        ));
    }
    let mut limits = header_limits();
    limits.max_alloc = Some(
        decoder
            .total_bytes()
            .saturating_mul(2)
            .saturating_add(DECODER_SLACK_BYTES),
    );
    decoder.set_limits(limits).map_err(image_error)?;
    let image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    let (width, height) = (image.width(), image.height());
    let alpha = image.color().has_alpha();
    let data = if alpha {
        image.into_rgba8().into_raw()
    } else {
        image.into_rgb8().into_raw()
    };
    Ok(Pixels {
        data,
        width,
        height,
        alpha,
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

fn image_error(error: ImageError) -> AvatarError {
    match error {
        ImageError::Limits(_) => AvatarError::TooLarge {
            dimensions: None,
            limits: Limits::PICTURE,
        },
        ImageError::Unsupported(e) => AvatarError::Unsupported(e.to_string()),
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            AvatarError::Corrupt("the file ends early".into())
        }
        ImageError::IoError(e) => AvatarError::Corrupt(e.to_string()),
        other => AvatarError::Corrupt(other.to_string()),
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::WebP => "WebP",
        ImageFormat::Gif => "GIF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Ico => "ICO",
        ImageFormat::Pnm => "PNM",
        ImageFormat::Tga => "TGA",
        ImageFormat::Dds => "DDS",
        ImageFormat::Hdr => "HDR",
        ImageFormat::OpenExr => "OpenEXR",
        ImageFormat::Qoi => "QOI",
        ImageFormat::Farbfeld => "Farbfeld",
        _ => "This image format",
    }
}

/// Why bytes that are no image format we know are not an image: named formats we do not decode
/// (so the error can say what to do), web pages saved under an image name, or nothing known.
fn not_an_image(bytes: &[u8]) -> AvatarError {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")) {
        return AvatarError::Unsupported("SVG".into());
    }
    if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head") {
        return AvatarError::WebPage;
    }
    AvatarError::NotAnImage
}
