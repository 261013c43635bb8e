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

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbaImage};

use super::AvatarError;
use super::heif;
use super::jpeg::{
    MAX_JPEG_SCANS, Region, decode_jpeg, decode_jpeg_part, jpeg_scan_count, probe_jpeg,
};
use super::orient::Orient;
use super::pixels::{Limits, MAX_DIMENSION, Part, Pixels, resize};

/// Longest side of the preview the crop editor shows.
pub const PREVIEW_MAX_SIDE: u32 = 2048;
/// Largest picture file we read (200 MB): far above any real photo (a 120 MP JPEG at top
/// quality is ≈ 60 MB), and checked before a byte is read.
pub const MAX_FILE_BYTES: u64 = 200_000_000;
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
    /// How many times the file was decoded, whole or in part (for the tests that prove the
    /// cache works).
    count: AtomicU32,
    /// How many decodes were of a part only ([`Source::decode_part`]).
    parts: AtomicU32,
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
        if let Some(pixels) = self.kept(shrink) {
            return Ok(pixels);
        }
        let key = self.decode_key(shrink);
        let lock = || self.decoded.kept.lock().unwrap_or_else(|e| e.into_inner());
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

    /// The stored pixels of `region` (and some around it, as the decoder's blocks fall), at
    /// 1/`shrink` like [`Source::decode`]. A JPEG's first render decodes only the region
    /// (`decode_jpeg_part`): a face's square in a 24 MP photo costs a fraction of the whole
    /// frame. A render after that means the user is framing the picture: it decodes the whole
    /// frame at its scale once and keeps it, so every move after it is free — unless that
    /// whole frame is too large to keep, in which case each render decodes its part again.
    /// Other formats, and failures of the partial decode, get the whole decode.
    pub(super) fn decode_part(&self, shrink: u32, region: Region) -> Result<Part, AvatarError> {
        let whole = |pixels: Arc<Pixels>| Part {
            origin: (0, 0),
            whole: (pixels.width, pixels.height),
            pixels,
        };
        let whole_bytes = u64::from(self.stored.0.div_ceil(shrink))
            * u64::from(self.stored.1.div_ceil(shrink))
            * 3;
        let framing_again = self.decoded.parts.load(Ordering::Relaxed) > 0
            && whole_bytes <= KEEP_DECODED_MAX_BYTES as u64;
        if self.format != Format::Image(ImageFormat::Jpeg) || framing_again {
            return self.decode(shrink).map(whole);
        }
        if let Some(pixels) = self.kept(shrink) {
            return Ok(whole(pixels));
        }
        let part = catch_unwind(AssertUnwindSafe(|| {
            decode_jpeg_part(&self.bytes, self.stored, shrink, region)
        }))
        .ok()
        .flatten();
        match part {
            Some(part) => {
                self.decoded.count.fetch_add(1, Ordering::Relaxed);
                self.decoded.parts.fetch_add(1, Ordering::Relaxed);
                Ok(part)
            }
            None => self.decode(shrink).map(whole),
        }
    }

    /// The decode kept at `shrink` (any shrink for formats decoded whole), if there is one.
    fn kept(&self, shrink: u32) -> Option<Arc<Pixels>> {
        let key = self.decode_key(shrink);
        let kept = self.decoded.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(at, _)| *at == key)
            .map(|(_, pixels)| Arc::clone(pixels))
    }

    /// What a decode at `shrink` is kept under: formats other than JPEG decode at full size
    /// whatever the shrink.
    fn decode_key(&self, shrink: u32) -> u32 {
        if self.format == Format::Image(ImageFormat::Jpeg) {
            shrink
        } else {
            1
        }
    }

    /// How many of those decodes were of a part of the picture only.
    #[doc(hidden)]
    pub fn part_decode_count(&self) -> u32 {
        self.decoded.parts.load(Ordering::Relaxed)
    }

    /// How many times this picture (or a clone of it) was decoded.
    #[doc(hidden)]
    pub fn decode_count(&self) -> u32 {
        self.decoded.count.load(Ordering::Relaxed)
    }
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
