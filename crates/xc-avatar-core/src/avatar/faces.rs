//! Finding faces, so the first framing can sit on one.
//!
//! The detector is SeetaFace's funnel-structured cascade (`rustface`, BSD-2-Clause) with its
//! frontal model (`seeta_fd_frontal_v1.0.bin`, BSD-2-Clause), embedded in the binary with its
//! numbers as half floats (0.6 MB, see `model`): nothing is downloaded at run time. It runs on a small greyscale copy of the picture, right way
//! up (after EXIF or `irot`/`imir`), never on the full frame: [`DETECT_MAX_SIDE`] pixels on the
//! long side finds faces down to about 4.5 % of the picture's long side (its window is 40 px),
//! a 180-px face in a 4000-px photo.

mod model;

use std::sync::OnceLock;

use image::RgbaImage;
use rustface::{ImageData, Model};

use super::AvatarError;
use super::source::Source;

/// Long side of the greyscale picture the detector looks at. Its 40-px window then finds faces
/// down to 40 / 900 = 4.4 % of the picture's long side.
pub const DETECT_MAX_SIDE: u32 = 900;

/// SeetaFace's frontal face model with half-float numbers (`examples/compact-face-model.rs`).
const MODEL: &[u8] = include_bytes!("faces/seeta_fd_frontal_v1.0.f16.bin");

/// The detector's window: the smallest face it finds, in its own pixels.
const WINDOW: u32 = 40;
/// Sliding-window step in detector pixels: 4 is SeetaFace's default (finer than 8, which missed
/// faces that sit between two window positions at the smallest scales).
const WINDOW_STEP: u32 = 4;
/// Each level of the detector's picture pyramid is this fraction of the one before: 0.8 is
/// SeetaFace's default; coarser steps miss faces between two sizes.
const PYRAMID_STEP: f32 = 0.8;
/// Scores below this are not faces. SeetaFace's examples use 2.0; in our scenes a slightly soft
/// face (the portrait enlarged 1.5×, mirrored) scored 2.0 and sharp ones 9–22, while the best
/// window on the no-face scene (a helmet and a space suit) scored 0.5.
const MIN_SCORE: f64 = 1.5;

/// A face found in a picture: its box in pixels of the picture right way up (as [`Source::size`]
/// gives it), and how sure the detector is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Face {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The detector's score: higher is surer; every face returned has at least 1.5.
    pub score: f64,
}

impl Face {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// This box in a picture turned by `quarter_turns` clockwise, from one of `size` (before
    /// turning), so it matches a crop made in the turned picture.
    pub fn turned(self, quarter_turns: i32, (width, height): (u32, u32)) -> Face {
        let mut face = self;
        let (mut _w, mut h) = (f64::from(width), f64::from(height));
        for _ in 0..quarter_turns.rem_euclid(4) {
            // A clockwise turn maps (x, y) on a w×h picture to (h − y, x) on an h×w one.
            face = Face {
                x: h - (face.y + face.height),
                y: face.x,
                width: face.height,
                height: face.width,
                score: face.score,
            };
            (_w, h) = (h, _w);
        }
        face
    }
}

/// The faces in `source`, largest first. Decodes a small preview (a JPEG is shrunk while it is
/// decoded, and that decode is kept for the render that usually follows).
pub fn find_faces(source: &Source) -> Result<Vec<Face>, AvatarError> {
    let start = std::time::Instant::now();
    // `preview` decodes at the least DCT shrink whose result fits the side asked: asking for
    // just under twice DETECT_MAX_SIDE gives a decode of at least DETECT_MAX_SIDE (a 24 MP
    // JPEG at 1/4, 1500 px — the decode the centred render uses too, so it is kept and not
    // done twice), which `faces_in_preview` shrinks to DETECT_MAX_SIDE. Asking for
    // DETECT_MAX_SIDE itself would decode at 1/8 (750 px) and miss faces under 5.3 %.
    let (preview, scale) = source.preview(2 * DETECT_MAX_SIDE - 1)?;
    let decoded = start.elapsed();
    let faces = faces_in_preview(&preview, scale);
    // The benchmark reads this line to time detection inside the real binary.
    tracing::debug!(
        "faces: {} found in {:.1} ms on a {}×{} preview (its decode {:.1} ms)",
        faces.len(),
        (start.elapsed() - decoded).as_secs_f64() * 1000.0,
        preview.width(),
        preview.height(),
        decoded.as_secs_f64() * 1000.0,
    );
    Ok(faces)
}

/// The faces in a preview of a picture (right way up, `scale` preview pixels per picture pixel,
/// as [`Source::preview`] returns it), in picture pixels, largest first. The app calls this on
/// the preview it already shows; a preview larger than [`DETECT_MAX_SIDE`] is shrunk first.
pub fn faces_in_preview(preview: &RgbaImage, scale: f64) -> Vec<Face> {
    faces_with(preview, scale, detect)
}

fn faces_with(
    preview: &RgbaImage,
    scale: f64,
    detect: impl FnOnce(&[u8], (u32, u32)) -> Vec<Face>,
) -> Vec<Face> {
    let (width, height) = preview.dimensions();
    if width == 0 || height == 0 || !(scale.is_finite() && scale > 0.0) {
        return Vec::new();
    }
    let longest = width.max(height);
    let (grey, grey_size) = if longest > DETECT_MAX_SIDE {
        let factor = f64::from(DETECT_MAX_SIDE) / f64::from(longest);
        let size = (
            ((f64::from(width) * factor).round() as u32).max(1),
            ((f64::from(height) * factor).round() as u32).max(1),
        );
        (grey_of(&shrink(preview, size)), size)
    } else {
        (grey_of(preview), (width, height))
    };
    // Detector pixels per picture pixel.
    let to_picture = f64::from(grey_size.0) / f64::from(width) * scale;
    let mut faces: Vec<Face> = detect(&grey, grey_size)
        .into_iter()
        .map(|face| Face {
            x: face.x / to_picture,
            y: face.y / to_picture,
            width: face.width / to_picture,
            height: face.height / to_picture,
            score: face.score,
        })
        .collect();
    // Largest first; of two the same size, the surer.
    faces.sort_by(|a, b| {
        (b.width * b.height)
            .total_cmp(&(a.width * a.height))
            .then(b.score.total_cmp(&a.score))
    });
    faces
}

/// Runs the detector on a greyscale picture; boxes in its pixels. A picture smaller than the
/// detector's window has no face it could find; a panic inside the detector finds none.
fn detect(grey: &[u8], (width, height): (u32, u32)) -> Vec<Face> {
    let Some(model) = model() else {
        return Vec::new();
    };
    detect_with(model, grey, (width, height))
}

fn detect_with(model: &Model, grey: &[u8], (width, height): (u32, u32)) -> Vec<Face> {
    if width < WINDOW || height < WINDOW {
        return Vec::new();
    }
    std::panic::catch_unwind(|| {
        let mut detector = rustface::create_detector_with_model(model.clone());
        detector.set_min_face_size(WINDOW);
        detector.set_score_thresh(MIN_SCORE);
        detector.set_pyramid_scale_factor(PYRAMID_STEP);
        detector.set_slide_window_step(WINDOW_STEP, WINDOW_STEP);
        detector
            .detect(&ImageData::new(grey, width, height))
            .into_iter()
            .map(|info| {
                let bbox = info.bbox();
                Face {
                    x: f64::from(bbox.x()),
                    y: f64::from(bbox.y()),
                    width: f64::from(bbox.width()),
                    height: f64::from(bbox.height()),
                    score: info.score(),
                }
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The face model in the crate's own format, as `examples/compact-face-model.rs` makes the
/// embedded one from it.
#[doc(hidden)]
pub fn compact_face_model(full: &[u8]) -> Option<Vec<u8>> {
    model::transcode(full, model::Float::Single, model::Float::Half)
}

/// [`faces_in_preview`] with another model (the crate's own format), to compare it with ours.
#[doc(hidden)]
pub fn faces_in_preview_with(full_model: &[u8], preview: &RgbaImage, scale: f64) -> Vec<Face> {
    match rustface::read_model(full_model) {
        Ok(model) => faces_with(preview, scale, |grey, size| detect_with(&model, grey, size)),
        Err(_) => Vec::new(),
    }
}

/// The model, parsed once per process (≈ 10 ms); `None` only if the embedded bytes were damaged,
/// which a unit test rules out.
fn model() -> Option<&'static Model> {
    static MODEL_PARSED: OnceLock<Option<Model>> = OnceLock::new();
    MODEL_PARSED
        .get_or_init(|| {
            let full = model::transcode(MODEL, model::Float::Half, model::Float::Single)?;
            std::panic::catch_unwind(|| rustface::read_model(full.as_slice()).ok())
                .ok()
                .flatten()
        })
        .as_ref()
}

/// ITU-R BT.601 luma, as the detector was trained on, in integer arithmetic.
fn grey_of(rgba: &RgbaImage) -> Vec<u8> {
    rgba.pixels()
        .map(|p| {
            let [r, g, b, _] = p.0;
            ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
        })
        .collect()
}

/// A box-filtered smaller copy (enough for a detector; the app's preview is at most 2048 px).
fn shrink(rgba: &RgbaImage, size: (u32, u32)) -> RgbaImage {
    image::imageops::resize(rgba, size.0, size.1, image::imageops::FilterType::Triangle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_model_parses() {
        assert!(model().is_some());
    }

    #[test]
    fn a_blank_or_tiny_picture_has_no_face() {
        let blank = RgbaImage::from_pixel(640, 480, image::Rgba([128, 128, 128, 255]));
        assert!(faces_in_preview(&blank, 1.0).is_empty());
        let tiny = RgbaImage::from_pixel(10, 10, image::Rgba([128, 128, 128, 255]));
        assert!(faces_in_preview(&tiny, 1.0).is_empty());
        assert!(faces_in_preview(&tiny, f64::NAN).is_empty());
    }

    #[test]
    fn a_box_turns_with_the_picture() {
        // A box at the top-left of a 600×400 picture is at the top-right once it turns
        // clockwise (400×600), and back after four turns.
        let face = Face {
            x: 10.0,
            y: 20.0,
            width: 30.0,
            height: 40.0,
            score: 5.0,
        };
        let once = face.turned(1, (600, 400));
        assert_eq!(
            (once.x, once.y, once.width, once.height),
            (400.0 - 60.0, 10.0, 40.0, 30.0)
        );
        assert_eq!(face.turned(4, (600, 400)), face);
        assert_eq!(face.turned(-3, (600, 400)), once);
    }
}
