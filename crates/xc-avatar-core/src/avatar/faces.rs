//! Finding faces, so the first framing can sit on one.
//!
//! The detector is SeetaFace's funnel-structured cascade (`rustface`, BSD-2-Clause) with its
//! frontal model (`seeta_fd_frontal_v1.0.bin`, BSD-2-Clause), embedded in the binary with its
//! numbers as half floats (0.6 MB, see `model`): nothing is downloaded at run time.
//!
//! It looks at a small greyscale copy of the picture, right way up (after EXIF or
//! `irot`/`imir`), never at the full frame, in two passes:
//! - a coarse one on [`COARSE_SIDE`] pixels (the long side), all sizes down to its 40-px window:
//!   faces of 11 % of the long side and more, for a quarter of the work;
//! - a fine one on [`DETECT_MAX_SIDE`] pixels, only the sizes the coarse pass cannot see (a
//!   window of 40 to 80 px there): faces down to about 5 % of the long side, a 200-px face in a
//!   4000-px photo.
//!
//! The first framing needs only the largest face, so [`Search::Largest`] skips the fine pass
//! when the coarse one found a face; [`Search::All`] (the app's "Next face") always makes both.

mod model;

use std::sync::OnceLock;

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::U8;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, GrayImage, RgbaImage};
use rustface::{ImageData, Model};

use super::AvatarError;
use super::pixels::Pixels;
use super::source::Source;

/// Long side of the greyscale picture the fine pass looks at. SeetaFace's box around a face of
/// 5 % of the long side (cheek to cheek) is then ≈ 40 px, its window: on generated photos this
/// size, step and pyramid found every face of 4.8 % and more at 96 positions and sizes, in
/// 40 % of the time 900 px, step 4 and pyramid 0.8 took (README, "Framing on the face: the cost
/// of looking"; `the_smallest_face_is_found_wherever_it_sits` keeps it honest).
pub const DETECT_MAX_SIDE: u32 = 720;
/// Long side of the coarse pass's picture: half the fine one, so its window (40 px) is the
/// fine pass's 80.
pub const COARSE_SIDE: u32 = DETECT_MAX_SIDE / 2;

/// SeetaFace's frontal face model with half-float numbers (`examples/compact-face-model.rs`).
const MODEL: &[u8] = include_bytes!("faces/seeta_fd_frontal_v1.0.f16.bin");

/// The detector's window: the smallest face it finds, in its own pixels.
const WINDOW: u32 = 40;
/// Sliding-window step in detector pixels. SeetaFace's default is 4; 6 with a pyramid of 0.75
/// costs 40 % of it and found the same faces; 8 missed one face in six at the smallest sizes.
const WINDOW_STEP: u32 = 6;
/// Each level of the detector's picture pyramid is this fraction of the one before (SeetaFace's
/// default is 0.8; 0.7 missed faces between two sizes with the coarser step).
const PYRAMID_STEP: f32 = 0.75;
/// Scores below this are not faces. SeetaFace's examples use 2.0; in our scenes a slightly soft
/// face (the portrait enlarged 1.5×, mirrored) scored 2.0 and sharp ones 9–22, while the best
/// window on the no-face scene (a helmet and a space suit) scored 0.5.
const MIN_SCORE: f64 = 1.5;

/// How thoroughly to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Enough for the first framing: the largest face. Faces under 11 % of the long side are
    /// looked for only when there is no larger one.
    Largest,
    /// Every face down to about 5 % of the long side (to offer the others).
    All,
}

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

    /// Whether a point (in the same pixels) lies inside this box.
    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        (self.x..=self.x + self.width).contains(&x) && (self.y..=self.y + self.height).contains(&y)
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

    fn scaled(self, by: f64) -> Face {
        Face {
            x: self.x * by,
            y: self.y * by,
            width: self.width * by,
            height: self.height * by,
            score: self.score,
        }
    }
}

/// The faces in `source`, largest first. Looks at the decode the centred render of the picture
/// uses (a 24 MP JPEG at 1/4: 1500×1000), so it is kept and not made twice, greyscale and shrunk
/// to [`DETECT_MAX_SIDE`] before it is turned upright.
pub fn find_faces(source: &Source, search: Search) -> Result<Vec<Face>, AvatarError> {
    let start = std::time::Instant::now();
    let stored = source.stored_size();
    let pixels = source.decode(detection_shrink(stored))?;
    let decoded = start.elapsed();
    let (grey, to_stored) = grey_at_most(&pixels, stored, DETECT_MAX_SIDE);
    let mut upright = DynamicImage::ImageLuma8(grey);
    source.orientation().apply(&mut upright);
    let grey = upright.into_luma8();
    let faces = look_with(&grey, to_stored, search, detect);
    // The benchmark reads this line to time detection inside the real binary.
    tracing::debug!(
        "faces: {} found in {:.1} ms on a {}×{} picture (its decode {:.1} ms)",
        faces.len(),
        (start.elapsed() - decoded).as_secs_f64() * 1000.0,
        grey.width(),
        grey.height(),
        decoded.as_secs_f64() * 1000.0,
    );
    Ok(faces)
}

/// The faces in a preview of a picture (right way up, `scale` preview pixels per picture pixel,
/// as [`Source::preview`] returns it), in picture pixels, largest first: every one
/// ([`Search::All`]). The app calls this on the preview it already shows.
pub fn faces_in_preview(preview: &RgbaImage, scale: f64) -> Vec<Face> {
    faces_with(preview, scale, Search::All, detect)
}

/// The shrink the centred render decodes at (the largest whose short side keeps 512 px), but
/// never one that leaves the long side under [`DETECT_MAX_SIDE`].
fn detection_shrink((width, height): (u32, u32)) -> u32 {
    let (short, long) = (width.min(height), width.max(height));
    let mut shrink = [8, 4, 2]
        .into_iter()
        .find(|s| short / s >= 512)
        .unwrap_or(1);
    while shrink > 1 && long / shrink < DETECT_MAX_SIDE {
        shrink /= 2;
    }
    shrink
}

/// `pixels` (a decode of a picture of `full` size) in grey, shrunk to at most `max_side` on the
/// long side; and the factor from its pixels to the picture's.
fn grey_at_most(pixels: &Pixels, full: (u32, u32), max_side: u32) -> (GrayImage, f64) {
    let channels = if pixels.alpha { 4 } else { 3 };
    let grey = shrunk(
        grey_of(&pixels.data, channels, (pixels.width, pixels.height)),
        max_side,
    );
    let to_full = f64::from(full.0) / f64::from(grey.width().max(1));
    (grey, to_full)
}

/// RGB or RGBA samples (`channels` a pixel) of a `size` picture in grey.
fn grey_of(data: &[u8], channels: usize, (width, height): (u32, u32)) -> GrayImage {
    let grey: Vec<u8> = data
        .chunks_exact(channels)
        .map(|p| luma(p[0], p[1], p[2]))
        .collect();
    GrayImage::from_raw(width, height, grey).unwrap_or_else(|| GrayImage::new(1, 1))
}

fn faces_with(
    preview: &RgbaImage,
    scale: f64,
    search: Search,
    detect: impl Fn(&GrayImage, Option<u32>) -> Vec<Face>,
) -> Vec<Face> {
    let (width, height) = preview.dimensions();
    if width == 0 || height == 0 || !(scale.is_finite() && scale > 0.0) {
        return Vec::new();
    }
    let grey = shrunk(
        grey_of(preview.as_raw(), 4, (width, height)),
        DETECT_MAX_SIDE,
    );
    // Preview pixels per detector pixel, then picture pixels.
    let to_picture = f64::from(width) / f64::from(grey.width()) / scale;
    look_with(&grey, to_picture, search, detect)
}

/// The faces in `grey` (right way up), in pixels `to_picture` times its own, largest first: the
/// two passes (see the module's comment) with `detect(picture, largest face)`.
fn look_with(
    grey: &GrayImage,
    to_picture: f64,
    search: Search,
    detect: impl Fn(&GrayImage, Option<u32>) -> Vec<Face>,
) -> Vec<Face> {
    let mut faces = if grey.width().max(grey.height()) <= COARSE_SIDE {
        // Small already: one pass at every size.
        detect(grey, None)
    } else {
        let coarse = shrunk(grey.clone(), COARSE_SIDE);
        let to_fine = f64::from(grey.width()) / f64::from(coarse.width());
        let mut faces: Vec<Face> = detect(&coarse, None)
            .into_iter()
            .map(|face| face.scaled(to_fine))
            .collect();
        if faces.is_empty() || search == Search::All {
            // The coarse pass's window is 2 × WINDOW here: the fine one looks below that only.
            for small in detect(grey, Some(2 * WINDOW)) {
                if !faces.iter().any(|face| overlap(face, &small) > 0.3) {
                    faces.push(small);
                }
            }
        }
        faces
    };
    faces = faces
        .into_iter()
        .map(|face| face.scaled(to_picture))
        .collect();
    // Largest first; of two the same size, the surer.
    faces.sort_by(|a, b| {
        (b.width * b.height)
            .total_cmp(&(a.width * a.height))
            .then(b.score.total_cmp(&a.score))
    });
    faces
}

/// Intersection over union of two boxes.
fn overlap(a: &Face, b: &Face) -> f64 {
    let width = (a.x + a.width).min(b.x + b.width) - a.x.max(b.x);
    let height = (a.y + a.height).min(b.y + b.height) - a.y.max(b.y);
    if width <= 0.0 || height <= 0.0 {
        return 0.0;
    }
    let both = width * height;
    both / (a.width * a.height + b.width * b.height - both)
}

/// Runs the detector on a greyscale picture, for faces up to `largest` px (all sizes when
/// `None`); boxes in its pixels. A picture smaller than the detector's window has no face it
/// could find; a panic inside the detector finds none.
fn detect(grey: &GrayImage, largest: Option<u32>) -> Vec<Face> {
    let Some(model) = model() else {
        return Vec::new();
    };
    detect_with(model, grey, largest)
}

fn detect_with(model: &Model, grey: &GrayImage, largest: Option<u32>) -> Vec<Face> {
    let (width, height) = grey.dimensions();
    if width < WINDOW || height < WINDOW {
        return Vec::new();
    }
    std::panic::catch_unwind(|| {
        let mut detector = rustface::create_detector_with_model(model.clone());
        detector.set_min_face_size(WINDOW);
        if let Some(largest) = largest {
            detector.set_max_face_size(largest);
        }
        detector.set_score_thresh(MIN_SCORE);
        detector.set_pyramid_scale_factor(PYRAMID_STEP);
        detector.set_slide_window_step(WINDOW_STEP, WINDOW_STEP);
        detector
            .detect(&ImageData::new(grey.as_raw(), width, height))
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
        Ok(model) => faces_with(preview, scale, Search::All, |grey, largest| {
            detect_with(&model, grey, largest)
        }),
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
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// `grey` shrunk (filtered like the detector's own pyramid, SIMD) to at most `max_side` on its long side; as it is when
/// already that small.
fn shrunk(grey: GrayImage, max_side: u32) -> GrayImage {
    let (width, height) = grey.dimensions();
    let longest = width.max(height);
    if longest <= max_side {
        return grey;
    }
    let factor = f64::from(max_side) / f64::from(longest);
    let size = (
        ((f64::from(width) * factor).round() as u32).max(1),
        ((f64::from(height) * factor).round() as u32).max(1),
    );
    // Typed (U8), as pixels.rs: the untyped `Resizer::resize` links the code of all 13 pixel
    // types (0.34 MiB of the shipping binary).
    let resized = TypedImageRef::<U8>::from_buffer(width, height, grey.as_raw())
        .ok()
        .and_then(|src| {
            let mut data = vec![0; size.0 as usize * size.1 as usize];
            let mut dst = TypedImage::<U8>::from_buffer(size.0, size.1, &mut data).ok()?;
            Resizer::new()
                .resize_typed(
                    &src,
                    &mut dst,
                    &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)),
                )
                .ok()?;
            GrayImage::from_raw(size.0, size.1, data)
        });
    // The resizer refuses only sizes of zero, which cannot happen here; the nearest-neighbour
    // shrink is the fallback that cannot fail.
    resized.unwrap_or_else(|| {
        image::imageops::resize(&grey, size.0, size.1, image::imageops::FilterType::Nearest)
    })
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
