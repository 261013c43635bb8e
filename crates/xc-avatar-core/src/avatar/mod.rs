//! Pure image work: read a picture, frame a square of it, and encode the avatar we upload.
//! Knows nothing of egui or HTTP.
//!
//! - [`Source`]: the file's bytes and header (format, size, EXIF orientation); decodes on demand,
//!   shrinking while decoding where the format allows.
//! - [`Framing`]: the user's rotation and square crop, always inside the picture.
//! - [`find_faces`]: the faces in a picture, for [`Framing::around_face`].
//! - [`Monogram`]: an initials avatar for people without a photo.
//! - [`render`]: the square at the output size, right way up, as JPEG or PNG within a byte budget.

mod crop;
mod encode;
mod faces;
mod heif;
mod jpeg;
mod monogram;
mod orient;
mod pixels;
mod source;

pub use crop::{Crop, Edit, Framing, MIN_SIDE};
pub use encode::{
    DEFAULT_MAX_BYTES, DEFAULT_SIZE, EncodedAvatar, FormatChoice, MAX_BODY_BYTES, Output,
    OutputFormat, SIZES, render,
};
pub use faces::{
    COARSE_SIDE, DETECT_MAX_SIDE, Face, Search, compact_face_model, faces_in_preview,
    faces_in_preview_with, find_faces,
};
pub use jpeg::MAX_JPEG_SCANS;
pub use monogram::{Monogram, PALETTE, TEXT, contrast, initials, name_for_initials};
pub use orient::{Orient, Rotation};
pub use pixels::{Limits, MAX_DIMENSION, MAX_PIXELS};
pub use source::{MAX_FILE_BYTES, PREVIEW_MAX_SIDE, Source};

/// Why a picture could not be used. Each names the cause and what to do.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} is {kind}, not a picture file: choose a JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF file"
    )]
    NotAFile { path: String, kind: &'static str },
    #[error(
        "{path} is too large{}: a picture file may be at most {} MB; choose a smaller export",
        .bytes.map(|b| format!(" ({} MB)", b.div_ceil(1_000_000))).unwrap_or_default(),
        source::MAX_FILE_BYTES / 1_000_000
    )]
    FileTooLarge {
        path: String,
        /// Its size, when known before reading.
        bytes: Option<u64>,
    },
    #[error("the file is empty")]
    Empty,
    #[error("this is not an image (choose a JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF file)")]
    NotAnImage,
    #[error(
        "this is a web page saved under an image name, not an image: open it in a browser and \
         save the picture itself"
    )]
    WebPage,
    #[error("{0} images are not supported: export the picture as JPEG or PNG first")]
    Unsupported(String),
    #[error(
        "the image is too large{}: at most {} pixels on a side and {}; \
         scale it down first",
        .dimensions.map(|(w, h)| format!(" ({w}×{h} pixels)")).unwrap_or_default(),
        .limits.max_dimension,
        megapixels(.limits.max_pixels)
    )]
    TooLarge {
        /// Its size, when the header could be read.
        dimensions: Option<(u32, u32)>,
        /// The limits it is over.
        limits: Limits,
    },
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error(
        "the avatar does not fit in {max_bytes} bytes (the smallest {} was {smallest} bytes): \
         choose a smaller size or allow more bytes",
        .format.name()
    )]
    OverBudget {
        format: OutputFormat,
        smallest: usize,
        max_bytes: usize,
    },
    #[error("could not encode the avatar: {0}")]
    Encode(String),
}

/// "120 megapixels", "16.8 megapixels", "10000 pixels".
fn megapixels(pixels: u64) -> String {
    if pixels.is_multiple_of(1_000_000) {
        format!("{} megapixels", pixels / 1_000_000)
    } else if pixels >= 100_000 {
        format!("{:.1} megapixels", pixels as f64 / 1e6)
    } else {
        format!("{pixels} pixels")
    }
}
