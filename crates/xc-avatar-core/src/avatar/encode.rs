//! Rendering the framed square to the exact bytes we upload: resized with Lanczos3 from the
//! smallest decode that still has enough pixels, turned the right way up, encoded to fit the
//! request-size budget.

use image::codecs::png::PngEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder, RgbImage, RgbaImage};

use super::AvatarError;
use super::crop::Framing;
use super::jpeg::Region;
use super::pixels::{Pixels, resize};
use super::source::Source;

/// Side of the uploaded avatar by default: sharp on high-DPI screens, ≈ 90 KB as JPEG.
pub const DEFAULT_SIZE: u32 = 512;
/// Sides we render: below 64 px a picture is a blur, above 2048 px no screen shows it.
pub const SIZES: std::ops::RangeInclusive<u32> = 64..=2048;
/// The request body we allow ourselves: F5 does not document a limit, 128 KiB is well inside
/// what API gateways commonly accept.
pub const MAX_BODY_BYTES: usize = 128 * 1024;
/// The JSON around the base64 image (the longest content type).
const ENVELOPE: &str = r#"{"content_type":"image/jpeg","image":""}"#;
/// Largest image whose JSON body fits [`MAX_BODY_BYTES`]: base64 takes 4 bytes per 3.
pub const DEFAULT_MAX_BYTES: usize = (MAX_BODY_BYTES - ENVELOPE.len()) / 4 * 3;
/// JPEG quality we start from (what vipsthumbnail and most tools default to) and the lowest we
/// go to fit the budget before saying it does not fit.
const BEST_QUALITY: u8 = 85;
const WORST_QUALITY: u8 = 40;

/// Which format to send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormatChoice {
    /// PNG when the picture uses transparency (and fits), JPEG otherwise.
    #[default]
    Auto,
    Jpeg,
    Png,
}

/// What to render: side, format and byte budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Output {
    pub size: u32,
    pub format: FormatChoice,
    pub max_bytes: usize,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            size: DEFAULT_SIZE,
            format: FormatChoice::Auto,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
    Png,
}

impl OutputFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "image/jpeg",
            OutputFormat::Png => "image/png",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "JPEG",
            OutputFormat::Png => "PNG",
        }
    }
}

/// The exact bytes we upload, and what they are.
#[derive(Clone, Debug)]
pub struct EncodedAvatar {
    pub bytes: Vec<u8>,
    pub format: OutputFormat,
    pub size: u32,
    /// JPEG quality chosen to fit the budget; `None` for PNG.
    pub quality: Option<u8>,
}

impl EncodedAvatar {
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// "512×512 JPEG, quality 85, 86 KB": what the user is told was sent.
    pub fn describe(&self) -> String {
        let quality = self
            .quality
            .map(|q| format!(", quality {q}"))
            .unwrap_or_default();
        format!(
            "{0}×{0} {1}{quality}, {2} KB",
            self.size,
            self.format.name(),
            self.bytes.len().div_ceil(1000)
        )
    }
}

/// Renders `framing` of `source` as `output` says. No metadata of the original (EXIF, GPS, ICC)
/// is carried over: the encoders write pixels only.
pub fn render(
    source: &Source,
    framing: &Framing,
    output: &Output,
) -> Result<EncodedAvatar, AvatarError> {
    if !SIZES.contains(&output.size) {
        return Err(AvatarError::Encode(format!(
            "the size must be {} to {} pixels",
            SIZES.start(),
            SIZES.end()
        )));
    }
    if framing.upright_size() != source.size() {
        return Err(AvatarError::Encode(format!(
            "the framing is for a {:?} picture, this one is {:?}",
            framing.upright_size(),
            source.size()
        )));
    }
    let square = square_pixels(source, framing, output.size)?;
    encode(square, output)
}

/// The framed square at `size`², right way up, RGB or RGBA.
fn square_pixels(
    source: &Source,
    framing: &Framing,
    size: u32,
) -> Result<DynamicImage, AvatarError> {
    let orient = source.orientation().then(framing.rotation());
    let stored = source.stored_size();
    let crop = framing.crop();
    // A square stays a square of the same side under quarter turns and mirrors; only its
    // centre moves.
    let (center_x, center_y) = orient.to_stored((crop.center_x, crop.center_y), stored);
    // Decode as small as possible while the square keeps at least `size` pixels.
    let shrink = [8, 4, 2]
        .into_iter()
        .find(|&s| crop.side / f64::from(s) >= f64::from(size))
        .unwrap_or(1);
    // Only the square and the pixels around it that the Lanczos3 filter reads (3 of its
    // pixels per output pixel's width), and two decoded pixels more should the decoder's
    // chroma upsampling treat the part's edge as the picture's: the square then comes out
    // exactly as from a whole decode (tests/avatar.rs compares the bytes; without the margin
    // they differ).
    let margin =
        3.0 * (crop.side / f64::from(size)).max(f64::from(shrink)) + 2.0 * f64::from(shrink);
    let region = Region {
        left: center_x - crop.side / 2.0 - margin,
        top: center_y - crop.side / 2.0 - margin,
        width: crop.side + 2.0 * margin,
        height: crop.side + 2.0 * margin,
    };
    let part = source.decode_part(shrink, region)?;
    let scale_x = f64::from(part.whole.0) / f64::from(stored.0);
    let scale_y = f64::from(part.whole.1) / f64::from(stored.1);
    // In the whole decode's pixels, then in the part's.
    let left = ((center_x - crop.side / 2.0) * scale_x).max(0.0);
    let top = ((center_y - crop.side / 2.0) * scale_y).max(0.0);
    let width = (crop.side * scale_x).min(f64::from(part.whole.0) - left);
    let height = (crop.side * scale_y).min(f64::from(part.whole.1) - top);
    let (left, top) = (
        left - f64::from(part.origin.0),
        top - f64::from(part.origin.1),
    );
    let square = resize(&part.pixels, Some((left, top, width, height)), (size, size))?;
    let mut image = into_image(square)?;
    orient.apply(&mut image);
    Ok(image)
}

fn into_image(pixels: Pixels) -> Result<DynamicImage, AvatarError> {
    let short = || AvatarError::Encode("the resizer returned too few pixels".into());
    Ok(if pixels.alpha {
        DynamicImage::ImageRgba8(
            RgbaImage::from_raw(pixels.width, pixels.height, pixels.data).ok_or_else(short)?,
        )
    } else {
        DynamicImage::ImageRgb8(
            RgbImage::from_raw(pixels.width, pixels.height, pixels.data).ok_or_else(short)?,
        )
    })
}

fn encode(square: DynamicImage, output: &Output) -> Result<EncodedAvatar, AvatarError> {
    let transparent = match &square {
        DynamicImage::ImageRgba8(rgba) => rgba.pixels().any(|p| p[3] < 255),
        _ => false,
    };
    let png = || -> Result<Vec<u8>, AvatarError> {
        let mut bytes = Vec::new();
        let (color, data) = if transparent {
            (ExtendedColorType::Rgba8, square.to_rgba8().into_raw())
        } else {
            (ExtendedColorType::Rgb8, square.to_rgb8().into_raw())
        };
        PngEncoder::new(&mut bytes)
            .write_image(&data, output.size, output.size, color)
            .map_err(|e| AvatarError::Encode(e.to_string()))?;
        Ok(bytes)
    };
    let png_avatar = |bytes| EncodedAvatar {
        bytes,
        format: OutputFormat::Png,
        size: output.size,
        quality: None,
    };
    match output.format {
        FormatChoice::Png => {
            let bytes = png()?;
            if bytes.len() > output.max_bytes {
                return Err(AvatarError::OverBudget {
                    format: OutputFormat::Png,
                    smallest: bytes.len(),
                    max_bytes: output.max_bytes,
                });
            }
            Ok(png_avatar(bytes))
        }
        FormatChoice::Auto if transparent => {
            // Transparency is kept when it fits; a photo-sized PNG falls back to JPEG on white.
            let bytes = png()?;
            if bytes.len() <= output.max_bytes {
                return Ok(png_avatar(bytes));
            }
            jpeg_within(&flatten_on_white(&square), output)
        }
        FormatChoice::Auto | FormatChoice::Jpeg => jpeg_within(&flatten_on_white(&square), output),
    }
}

/// The best JPEG quality whose file fits `output.max_bytes`: the usual quality when it fits
/// (one encode, the common case at 512²), else a binary search down to [`WORST_QUALITY`].
fn jpeg_within(rgb: &RgbImage, output: &Output) -> Result<EncodedAvatar, AvatarError> {
    // libjpeg-turbo: SIMD, and optimised Huffman tables (~5–10 % smaller at the same quality,
    // which buys quality within the budget). 4:2:0 chroma, as cameras and vipsthumbnail write.
    let mut compressor = turbojpeg::Compressor::new().map_err(encode_error)?;
    compressor
        .set_subsamp(turbojpeg::Subsamp::Sub2x2)
        .map_err(encode_error)?;
    compressor.set_optimize(true).map_err(encode_error)?;
    let width = rgb.width() as usize;
    let mut encode = |quality: u8| -> Result<Vec<u8>, AvatarError> {
        compressor
            .set_quality(i32::from(quality))
            .map_err(encode_error)?;
        let image = turbojpeg::Image {
            pixels: rgb.as_raw().as_slice(),
            width,
            pitch: width * 3,
            height: rgb.height() as usize,
            format: turbojpeg::PixelFormat::RGB,
        };
        compressor.compress_to_vec(image).map_err(encode_error)
    };
    let avatar = |bytes, quality| EncodedAvatar {
        bytes,
        format: OutputFormat::Jpeg,
        size: output.size,
        quality: Some(quality),
    };
    let best = encode(BEST_QUALITY)?;
    if best.len() <= output.max_bytes {
        return Ok(avatar(best, BEST_QUALITY));
    }
    let (mut low, mut high) = (WORST_QUALITY, BEST_QUALITY - 1);
    let mut found = None;
    let mut smallest = best.len();
    while low <= high {
        let quality = low + (high - low) / 2;
        let bytes = encode(quality)?;
        if bytes.len() <= output.max_bytes {
            found = Some((bytes, quality));
            low = quality + 1;
        } else {
            smallest = smallest.min(bytes.len());
            high = quality - 1;
        }
    }
    found
        .map(|(bytes, quality)| avatar(bytes, quality))
        .ok_or(AvatarError::OverBudget {
            format: OutputFormat::Jpeg,
            smallest,
            max_bytes: output.max_bytes,
        })
}

fn encode_error(error: turbojpeg::Error) -> AvatarError {
    AvatarError::Encode(error.to_string())
}

/// Transparent pixels laid on white, as the Console shows pictures on a light background.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    let DynamicImage::ImageRgba8(rgba) = image else {
        return image.to_rgb8();
    };
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_budget_keeps_the_json_body_within_128_kib() {
        let base64_len = DEFAULT_MAX_BYTES.div_ceil(3) * 4;
        assert!(ENVELOPE.len() + base64_len <= MAX_BODY_BYTES);
        // …and is not needlessly small: three more bytes would not fit.
        assert!(ENVELOPE.len() + (DEFAULT_MAX_BYTES + 3).div_ceil(3) * 4 > MAX_BODY_BYTES);
    }
}
