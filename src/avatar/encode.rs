//! Rendering the crop to the square avatar we upload.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, Rgb, RgbImage};

use super::{AvatarError, Crop};

/// Side of the uploaded avatar, in pixels: sharp on high-DPI screens, ≈ 90 KB as JPEG.
pub const DEFAULT_SIZE: u32 = 512;
const JPEG_QUALITY: u8 = 85;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
}

impl OutputFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "image/jpeg",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "JPEG",
        }
    }
}

/// The exact bytes we upload, and what they are.
#[derive(Clone, Debug)]
pub struct EncodedAvatar {
    pub bytes: Vec<u8>,
    pub format: OutputFormat,
    pub size: u32,
}

impl EncodedAvatar {
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// "512×512 JPEG, 86 KB": what the user is told was sent.
    pub fn describe(&self) -> String {
        format!(
            "{0}×{0} {1}, {2} KB",
            self.size,
            self.format.name(),
            self.bytes.len().div_ceil(1000)
        )
    }
}

/// Crops `image` to `crop` and encodes a `size`×`size` JPEG. Transparent pixels are laid on
/// white, as the Console shows pictures on a light background. No metadata is written.
pub fn render(image: &DynamicImage, crop: Crop, size: u32) -> Result<EncodedAvatar, AvatarError> {
    if !crop.fits(image.width(), image.height()) {
        return Err(AvatarError::Encode(format!(
            "crop {crop:?} lies outside the {}×{} image",
            image.width(),
            image.height()
        )));
    }
    let square = image
        .crop_imm(crop.x, crop.y, crop.side, crop.side)
        .resize_exact(size, size, FilterType::Lanczos3);
    let rgb = flatten_on_white(&square);
    let mut bytes = Vec::with_capacity(128 * 1024);
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| AvatarError::Encode(e.to_string()))?;
    Ok(EncodedAvatar {
        bytes,
        format: OutputFormat::Jpeg,
        size,
    })
}

fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        Rgb([blend(r), blend(g), blend(b)])
    })
}
