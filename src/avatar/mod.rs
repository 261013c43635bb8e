//! Pure image work: load a picture the right way up, choose a square crop, and encode the avatar
//! we upload. Knows nothing of egui or HTTP.

mod crop;
mod encode;
mod load;

pub use crop::Crop;
pub use encode::{DEFAULT_SIZE, EncodedAvatar, OutputFormat, render};
pub use load::{MAX_DIMENSION, SourceImage, load_bytes, load_path};

/// Why a picture could not be used. Each names the cause and what to do.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is empty")]
    Empty,
    #[error("this is not an image (choose a JPEG, PNG, WebP, GIF, BMP or TIFF file)")]
    NotAnImage,
    #[error("{0} images are not supported: export the picture as JPEG or PNG first")]
    Unsupported(String),
    #[error(
        "the image is too large{}: at most {} pixels on a side and {} megapixels; \
         scale it down first",
        .dimensions.map(|(w, h)| format!(" ({w}×{h} pixels)")).unwrap_or_default(),
        load::MAX_DIMENSION,
        load::MAX_PIXELS / 1_000_000
    )]
    TooLarge {
        /// Its size, when the header could be read.
        dimensions: Option<(u32, u32)>,
    },
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("could not encode the avatar: {0}")]
    Encode(String),
}

/// Reads a picture file and renders the avatar `upload` sends: the largest centred square,
/// [`DEFAULT_SIZE`]² JPEG.
pub fn prepare_file(path: &std::path::Path) -> Result<EncodedAvatar, AvatarError> {
    let source = load_path(path)?;
    let crop = Crop::centered(source.width(), source.height());
    render(&source.image, crop, DEFAULT_SIZE)
}
