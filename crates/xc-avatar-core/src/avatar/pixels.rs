//! Decoded pixels, shared by the decoders (`source`, `heif`) and the encoder, and the limits
//! every decoder keeps to.

use fast_image_resize::{PixelType, ResizeOptions, Resizer, images::Image};
use image::RgbaImage;

use super::AvatarError;

/// Largest width or height we accept; beyond it a picture is not a profile picture.
pub const MAX_DIMENSION: u32 = 16_384;
/// Largest pixel count we accept (≈ 120 MP: a 12000×10000 scan), bounding memory and time.
pub const MAX_PIXELS: u64 = 120_000_000;

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

impl Pixels {
    pub(super) fn to_rgba(&self) -> Result<RgbaImage, AvatarError> {
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
