//! Loading: format sniffed from content, dimensions checked before any pixel is allocated,
//! EXIF orientation applied.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::AvatarError;

/// Largest width or height we decode; beyond it a photo is not a profile picture.
pub const MAX_DIMENSION: u32 = 16_384;
/// Largest pixel count we decode (≈ 120 MP: a 12000×10000 scan), bounding memory.
pub const MAX_PIXELS: u64 = 120_000_000;

/// A decoded picture, already the right way up.
pub struct SourceImage {
    pub image: DynamicImage,
    pub format: ImageFormat,
}

impl SourceImage {
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    pub fn height(&self) -> u32 {
        self.image.height()
    }
}

/// Reads and decodes the file at `path`. The file is only read, never written.
pub fn load_path(path: &Path) -> Result<SourceImage, AvatarError> {
    let bytes = std::fs::read(path).map_err(|source| AvatarError::Io {
        path: path.display().to_string(),
        source,
    })?;
    load_bytes(&bytes)
}

/// Decodes an image from its bytes, whatever its file name claimed.
pub fn load_bytes(bytes: &[u8]) -> Result<SourceImage, AvatarError> {
    if bytes.is_empty() {
        return Err(AvatarError::Empty);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| AvatarError::Corrupt(e.to_string()))?;
    let Some(format) = reader.format() else {
        return Err(match unsupported_format_name(bytes) {
            Some(name) => AvatarError::Unsupported(name.into()),
            None => AvatarError::NotAnImage,
        });
    };
    let mut reader = reader;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    reader.limits(limits);

    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(AvatarError::Corrupt("the image has no pixels".into()));
    }
    if width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(too_large(width, height));
    }
    // A missing or broken EXIF block is common and harmless: show the picture as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(SourceImage { image, format })
}

fn too_large(width: u32, height: u32) -> AvatarError {
    AvatarError::TooLarge {
        dimensions: Some((width, height)),
    }
}

fn decode_error(error: ImageError) -> AvatarError {
    match error {
        ImageError::Limits(_) => AvatarError::TooLarge { dimensions: None },
        ImageError::Unsupported(e) => AvatarError::Unsupported(e.to_string()),
        ImageError::IoError(e) => AvatarError::Corrupt(e.to_string()),
        other => AvatarError::Corrupt(other.to_string()),
    }
}

/// Names formats people commonly have but we do not decode, so the error can say what to do.
fn unsupported_format_name(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"avif" | b"avis" => Some("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => Some("HEIC/HEIF"),
            _ => None,
        };
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")) {
        return Some("SVG");
    }
    None
}
