//! Decoded pixels, shared by the decoders (`source`, `heif`) and the encoder, and the limits
//! every decoder keeps to.

use std::sync::Arc;

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::{U8x3, U8x4};
use fast_image_resize::{ImageBufferError, PixelTrait, ResizeOptions, Resizer};
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

/// Part of a picture decoded at some shrink: `pixels` sit at `origin` in the whole picture
/// decoded at that shrink, which is `whole` pixels large.
pub(super) struct Part {
    pub pixels: Arc<Pixels>,
    pub origin: (u32, u32),
    pub whole: (u32, u32),
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
    size: (u32, u32),
) -> Result<Pixels, AvatarError> {
    // Typed, one call per layout we have: fast_image_resize's untyped `Resizer::resize` picks
    // among its 13 pixel types at run time, so the code of all 13 was linked (176 KiB of the
    // shipping binary) for the two we use.
    let data = if pixels.alpha {
        resize_as::<U8x4>(pixels, crop, size)?
    } else {
        resize_as::<U8x3>(pixels, crop, size)?
    };
    Ok(Pixels {
        data,
        width: size.0,
        height: size.1,
        alpha: pixels.alpha,
    })
}

/// [`resize`] for pixels laid out as `P`; returns the new pixel bytes.
fn resize_as<P: PixelTrait>(
    pixels: &Pixels,
    crop: Option<(f64, f64, f64, f64)>,
    (width, height): (u32, u32),
) -> Result<Vec<u8>, AvatarError> {
    let encode_error = |e: ImageBufferError| AvatarError::Encode(e.to_string());
    let src = TypedImageRef::<P>::from_buffer(pixels.width, pixels.height, &pixels.data)
        .map_err(encode_error)?;
    let mut data = vec![0; width as usize * height as usize * P::size()];
    let mut dst = TypedImage::<P>::from_buffer(width, height, &mut data).map_err(encode_error)?;
    let mut options = ResizeOptions::new();
    if let Some((left, top, w, h)) = crop {
        options = options.crop(left, top, w, h);
    }
    Resizer::new()
        .resize_typed(&src, &mut dst, &options)
        .map_err(|e| AvatarError::Encode(e.to_string()))?;
    Ok(data)
}
