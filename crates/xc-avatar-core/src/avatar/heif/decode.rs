//! Decoding a HEIF picture proved affordable: HEVC through `heifer`, AV1 through `re_rav1d`
//! with `heifer`'s colour conversion.

use super::*;

pub(super) fn decode_hevc(bytes: &[u8], decode_limit: u64) -> Result<Pixels, AvatarError> {
    let options = heifer::Options {
        max_threads: 0,
        // Never 0, which heifer reads as "its own default".
        max_pixels: decode_limit.max(1),
    };
    // sRGB from the ICC profile or `nclx`; a colour space heifer cannot convert (an HDR
    // transfer, an exotic profile) is shown with its samples as coded, like a JPEG's.
    let image = match heifer::decode_srgb_rgba8(bytes, &options) {
        Err(heifer::Error::Unsupported(_)) => heifer::decode_rgba8(bytes, &options),
        decoded => decoded,
    }
    .map_err(heifer_error)?;
    let mut data = image.data;
    if !image.has_alpha {
        drop_alpha(&mut data);
    }
    Ok(Pixels {
        data,
        width: image.width,
        height: image.height,
        alpha: image.has_alpha,
    })
}

pub(super) fn decode_avif(bytes: &[u8], decode_limit: u64) -> Result<Pixels, AvatarError> {
    let file = HeifFile::parse(bytes).map_err(container_error)?;
    let id = file.primary_id;
    let (width, height) = file
        .image_size(id)
        .map_err(container_error)?
        .ok_or_else(|| AvatarError::Corrupt("the image has no declared size".into()))?;
    let picture = decode_av1(&file.item_data(id).map_err(container_error)?, decode_limit)?;
    if picture.width() < width || picture.height() < height {
        return Err(AvatarError::Corrupt(
            "the AV1 picture is smaller than its header says".into(),
        ));
    }
    let (matrix, full_range) = nclx(&file, id)?.unwrap_or((
        picture.matrix_coefficients() as u16,
        picture.color_range() == re_rav1d::pixel::YUVRange::Full,
    ));
    let frame = to_frame(&picture, matrix, full_range)?;
    let params = heifer::color::ColorParams {
        matrix: frame.matrix_coeffs.into(),
        full_range,
    };
    let mut image: heifer::Image<u8> =
        heifer::color::frame_to_rgba_sized(&frame, params, width, height);
    drop(frame);
    let alpha_item = file
        .referencing_items(id, b"auxl")
        .into_iter()
        .find(|&aux| {
            file.item_properties(aux).is_ok_and(|mut properties| {
                properties.any(|p| matches!(p, Property::AuxiliaryType(t) if ALPHA_TYPES.contains(&t.as_str())))
            })
        });
    let Some(alpha_item) = alpha_item else {
        drop_alpha(&mut image.data);
        return Ok(Pixels {
            data: image.data,
            width,
            height,
            alpha: false,
        });
    };
    let alpha = decode_av1(
        &file.item_data(alpha_item).map_err(container_error)?,
        decode_limit,
    )?;
    if alpha.width() < width || alpha.height() < height {
        return Err(AvatarError::Corrupt(
            "the transparency plane is smaller than the picture".into(),
        ));
    }
    let full_range = nclx(&file, alpha_item)?.map_or(
        alpha.color_range() == re_rav1d::pixel::YUVRange::Full,
        |c| c.1,
    );
    let alpha = to_frame(&alpha, 0, full_range)?;
    let depth = alpha.bit_depth[0];
    let (offset, span) = if full_range {
        (0.0, f64::from((1u32 << depth) - 1))
    } else {
        (
            f64::from(16u32 << (depth - 8)),
            f64::from(219u32 << (depth - 8)),
        )
    };
    let plane_width = alpha.widths[0] as usize;
    for (y, row) in image.data.chunks_exact_mut(width as usize * 4).enumerate() {
        let coded = &alpha.planes[0][y * plane_width..][..width as usize];
        for (pixel, &a) in row.chunks_exact_mut(4).zip(coded) {
            pixel[3] = ((f64::from(a) - offset) / span * 255.0)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
    image.has_alpha = true;
    Ok(Pixels {
        data: image.data,
        width,
        height,
        alpha: true,
    })
}

/// RGBA → RGB in place: a 12 MP photo needs no second buffer for it.
fn drop_alpha(data: &mut Vec<u8>) {
    let pixels = data.len() / 4;
    for i in 0..pixels {
        data.copy_within(i * 4..i * 4 + 3, i * 3);
    }
    data.truncate(pixels * 3);
    data.shrink_to_fit();
}

/// The matrix coefficients and range of an item's `colr` `nclx` property, if it has one.
fn nclx(file: &HeifFile<'_>, id: ItemId) -> Result<Option<(u16, bool)>, AvatarError> {
    Ok(file
        .item_properties(id)
        .map_err(container_error)?
        .find_map(|p| match p {
            Property::Color(ColorInfo::Nclx {
                matrix, full_range, ..
            }) => Some((*matrix, *full_range)),
            _ => None,
        }))
}

/// Decodes one AV1 still picture (an item's OBUs), refusing frames over `limit` pixels
/// before allocating them (dav1d checks each frame header against it).
fn decode_av1(obus: &[u8], limit: u64) -> Result<re_rav1d::Picture, AvatarError> {
    use re_rav1d::{Decoder, Error, Settings};
    let av1_error =
        |e: Error| AvatarError::Corrupt(format!("the AV1 data cannot be decoded ({e})"));
    let mut settings = Settings::new();
    settings.set_frame_size_limit(u32::try_from(limit.max(1)).unwrap_or(u32::MAX));
    settings.set_max_frame_delay(1);
    let mut decoder = Decoder::with_settings(&settings).map_err(av1_error)?;
    match decoder.send_data(obus.to_vec(), None, None, None) {
        Ok(()) | Err(Error::Again) => {}
        Err(e) => return Err(av1_error(e)),
    }
    // A still image is one frame: at most a few rounds of "send what is left, take the picture".
    for _ in 0..16 {
        match decoder.get_picture() {
            Ok(picture) => return Ok(picture),
            Err(Error::Again) => match decoder.send_pending_data() {
                Ok(()) | Err(Error::Again) => {}
                Err(e) => return Err(av1_error(e)),
            },
            Err(e) => return Err(av1_error(e)),
        }
    }
    Err(AvatarError::Corrupt("the AV1 data holds no picture".into()))
}

/// The planes of an AV1 picture as heifer's frame, for its YCbCr → RGB conversion. Odd sizes
/// are padded to even by repeating the last column and row, so that the chroma planes are
/// exactly half the luma's where they are subsampled (which the conversion expects).
fn to_frame(
    picture: &re_rav1d::Picture,
    matrix: u16,
    full_range: bool,
) -> Result<Frame, AvatarError> {
    use re_rav1d::{PixelLayout, PlanarImageComponent};
    let depth = picture.bits_per_component().map_or(8, |b| b.0).clamp(8, 16) as u8;
    let (x_shift, y_shift, planes) = match picture.pixel_layout() {
        PixelLayout::I400 => (0, 0, 1),
        PixelLayout::I420 => (1, 1, 3),
        PixelLayout::I422 => (1, 0, 3),
        PixelLayout::I444 => (0, 0, 3),
    };
    let luma = (
        picture.width().next_multiple_of(1 << x_shift),
        picture.height().next_multiple_of(1 << y_shift),
    );
    let chroma = (luma.0 >> x_shift, luma.1 >> y_shift);
    let components = [
        PlanarImageComponent::Y,
        PlanarImageComponent::U,
        PlanarImageComponent::V,
    ];
    let mut frame = Frame {
        widths: [luma.0, 0, 0],
        heights: [luma.1, 0, 0],
        planes: Default::default(),
        bit_depth: [depth, depth],
        chroma_format: match picture.pixel_layout() {
            PixelLayout::I400 => 0,
            PixelLayout::I420 => 1,
            PixelLayout::I422 => 2,
            PixelLayout::I444 => 3,
        },
        full_range,
        matrix_coeffs: u8::try_from(matrix).unwrap_or(2),
    };
    for (index, component) in components.into_iter().enumerate().take(planes) {
        let (width, height) = if index == 0 { luma } else { chroma };
        // What the decoder holds: the picture's own size, chroma rounded up.
        let (coded_width, coded_height) = if index == 0 {
            (picture.width(), picture.height())
        } else {
            (
                picture.width().div_ceil(1 << x_shift),
                picture.height().div_ceil(1 << y_shift),
            )
        };
        let stride = picture.stride(component) as usize;
        let plane = picture.plane(component);
        let bytes: &[u8] = plane.as_ref();
        let wide = picture.bit_depth() > 8;
        let sample = |x: u32, y: u32| -> Option<u16> {
            let x = x.min(coded_width - 1) as usize;
            let y = y.min(coded_height - 1) as usize;
            if wide {
                let at = y * stride + x * 2;
                bytes
                    .get(at..at + 2)
                    .map(|b| u16::from_ne_bytes([b[0], b[1]]))
            } else {
                bytes.get(y * stride + x).map(|&b| u16::from(b))
            }
        };
        let mut samples = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                samples.push(sample(x, y).ok_or_else(|| {
                    AvatarError::Corrupt("the AV1 decoder returned too few samples".into())
                })?);
            }
        }
        frame.widths[index] = width;
        frame.heights[index] = height;
        frame.planes[index] = samples;
    }
    Ok(frame)
}
