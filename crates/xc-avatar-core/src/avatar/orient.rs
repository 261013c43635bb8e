//! Orientation: EXIF's eight ways a camera stores a picture, and the user's quarter turns, as one
//! transform that maps points between stored and displayed pixels and is applied to the small
//! result only (rotating a 24 MP frame costs ~170 ms; rotating the 512² avatar, 0.3 ms).

use image::DynamicImage;
use image::metadata::Orientation;

/// A quarter-turn rotation the user chose, clockwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rotation {
    #[default]
    None,
    Cw90,
    Half,
    Cw270,
}

impl Rotation {
    /// From degrees clockwise; only multiples of 90 are rotations.
    pub fn from_degrees(degrees: i32) -> Option<Self> {
        (degrees % 90 == 0).then(|| Self::from_quarter_turns(degrees / 90))
    }

    pub fn from_quarter_turns(turns: i32) -> Self {
        match turns.rem_euclid(4) {
            0 => Rotation::None,
            1 => Rotation::Cw90,
            2 => Rotation::Half,
            _ => Rotation::Cw270,
        }
    }

    pub fn quarter_turns(self) -> i32 {
        match self {
            Rotation::None => 0,
            Rotation::Cw90 => 1,
            Rotation::Half => 2,
            Rotation::Cw270 => 3,
        }
    }

    pub fn degrees(self) -> i32 {
        self.quarter_turns() * 90
    }

    /// This rotation followed by `turns` more quarter turns clockwise.
    pub fn turned(self, turns: i32) -> Self {
        Self::from_quarter_turns(self.quarter_turns() + turns)
    }
}

/// Stored → displayed pixels: first an optional left-right mirror, then `turns` quarter turns
/// clockwise. Every one of EXIF's eight orientations has exactly one such form, and adding the
/// user's rotation is adding turns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Orient {
    mirror: bool,
    turns: u8,
}

impl Orient {
    pub const UPRIGHT: Orient = Orient {
        mirror: false,
        turns: 0,
    };

    pub fn from_exif(orientation: Orientation) -> Self {
        let (mirror, turns) = match orientation {
            Orientation::NoTransforms => (false, 0),
            Orientation::Rotate90 => (false, 1),
            Orientation::Rotate180 => (false, 2),
            Orientation::Rotate270 => (false, 3),
            Orientation::FlipHorizontal => (true, 0),
            // Mirror then a quarter turn is the transverse (EXIF 7)…
            Orientation::Rotate270FlipH => (true, 1),
            Orientation::FlipVertical => (true, 2),
            // …and mirror then three quarter turns, the transpose (EXIF 5).
            Orientation::Rotate90FlipH => (true, 3),
        };
        Orient { mirror, turns }
    }

    fn to_exif(self) -> Orientation {
        match (self.mirror, self.turns) {
            (false, 0) => Orientation::NoTransforms,
            (false, 1) => Orientation::Rotate90,
            (false, 2) => Orientation::Rotate180,
            (false, _) => Orientation::Rotate270,
            (true, 0) => Orientation::FlipHorizontal,
            (true, 1) => Orientation::Rotate270FlipH,
            (true, 2) => Orientation::FlipVertical,
            (true, _) => Orientation::Rotate90FlipH,
        }
    }

    /// This orientation followed by the user's rotation.
    pub fn then(self, rotation: Rotation) -> Self {
        Orient {
            mirror: self.mirror,
            turns: ((i32::from(self.turns) + rotation.quarter_turns()).rem_euclid(4)) as u8,
        }
    }

    /// This orientation followed by `quarters` quarter turns anticlockwise (HEIF's `irot`).
    pub(super) fn turned_anticlockwise(self, quarters: u8) -> Self {
        Orient {
            mirror: self.mirror,
            turns: (self.turns + 4 - quarters % 4) % 4,
        }
    }

    /// This orientation followed by a mirror (HEIF's `imir`): top and bottom exchanged, or
    /// left and right. Mirroring reverses the turns made before it, and top-bottom is
    /// left-right then a half turn.
    pub(super) fn mirrored(self, top_bottom: bool) -> Self {
        let reversed = (4 - self.turns) % 4;
        Orient {
            mirror: !self.mirror,
            turns: if top_bottom {
                (reversed + 2) % 4
            } else {
                reversed
            },
        }
    }

    /// Whether width and height trade places.
    pub fn swaps_axes(self) -> bool {
        self.turns % 2 == 1
    }

    /// Displayed size of a `width`×`height` stored image.
    pub fn size(self, (width, height): (u32, u32)) -> (u32, u32) {
        if self.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// The stored-image point shown at displayed point `(x, y)`, for a stored image of `size`.
    pub fn to_stored(self, (x, y): (f64, f64), size: (u32, u32)) -> (f64, f64) {
        let (mut x, mut y) = (x, y);
        // Undo the turns one by one, counter-clockwise, tracking the displayed width.
        let (mut width, mut height) = self.size(size);
        for _ in 0..self.turns {
            // A clockwise turn maps (x, y) on a w×h image to (h − y, x) on an h×w one.
            (x, y) = (y, f64::from(width) - x);
            (width, height) = (height, width);
        }
        if self.mirror {
            x = f64::from(width) - x;
        }
        (x, y)
    }

    /// Applies the orientation to pixels (meant for small images: previews and results).
    pub fn apply(self, image: &mut DynamicImage) {
        image.apply_orientation(self.to_exif());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Orientation; 8] = [
        Orientation::NoTransforms,
        Orientation::FlipHorizontal,
        Orientation::Rotate180,
        Orientation::FlipVertical,
        Orientation::Rotate90FlipH,
        Orientation::Rotate90,
        Orientation::Rotate270FlipH,
        Orientation::Rotate270,
    ];

    /// `to_stored` must agree with what `apply` does to pixels, for every orientation and turn.
    #[test]
    fn point_mapping_matches_pixels() {
        let (w, h) = (5u32, 3u32);
        let stored = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 0]));
        for exif in ALL {
            for turns in 0..4 {
                let orient = Orient::from_exif(exif).then(Rotation::from_quarter_turns(turns));
                let mut shown = DynamicImage::ImageRgb8(stored.clone());
                orient.apply(&mut shown);
                let shown = shown.to_rgb8();
                assert_eq!(shown.dimensions(), orient.size((w, h)), "{exif:?} +{turns}");
                for (x, y, pixel) in shown.enumerate_pixels() {
                    // Pixel centres map to pixel centres.
                    let (sx, sy) =
                        orient.to_stored((f64::from(x) + 0.5, f64::from(y) + 0.5), (w, h));
                    assert_eq!(
                        [pixel[0], pixel[1]],
                        [(sx - 0.5) as u8, (sy - 0.5) as u8],
                        "{exif:?} +{turns} at ({x}, {y})"
                    );
                }
            }
        }
    }

    /// HEIF's transforms, composed into one orientation, do what the pixels turned and mirrored
    /// one after the other show.
    #[test]
    fn heif_rotations_and_mirrors_compose_like_pixels() {
        let stored = image::RgbImage::from_fn(5, 3, |x, y| image::Rgb([x as u8, y as u8, 0]));
        for exif in ALL {
            let start = Orient::from_exif(exif);
            let mut before = DynamicImage::ImageRgb8(stored.clone());
            start.apply(&mut before);
            for quarters in 0..4u8 {
                let mut want = before.clone();
                for _ in 0..quarters {
                    want = want.rotate270(); // image's rotate270 is a quarter turn anticlockwise
                }
                let mut got = DynamicImage::ImageRgb8(stored.clone());
                start.turned_anticlockwise(quarters).apply(&mut got);
                assert_eq!(
                    got.to_rgb8(),
                    want.to_rgb8(),
                    "{exif:?} then irot {quarters}"
                );
            }
            for top_bottom in [false, true] {
                let want = if top_bottom {
                    before.flipv()
                } else {
                    before.fliph()
                };
                let mut got = DynamicImage::ImageRgb8(stored.clone());
                start.mirrored(top_bottom).apply(&mut got);
                assert_eq!(
                    got.to_rgb8(),
                    want.to_rgb8(),
                    "{exif:?} then imir {top_bottom}"
                );
            }
        }
    }

    #[test]
    fn exif_round_trip_and_rotation_degrees() {
        for exif in ALL {
            assert_eq!(Orient::from_exif(exif).to_exif(), exif);
        }
        assert_eq!(Rotation::from_degrees(-90), Some(Rotation::Cw270));
        assert_eq!(Rotation::from_degrees(450), Some(Rotation::Cw90));
        assert_eq!(Rotation::from_degrees(45), None);
        assert_eq!(Rotation::Cw270.turned(1), Rotation::None);
        // Degrees back out, as `--json` reports them.
        for (rotation, degrees) in [
            (Rotation::None, 0),
            (Rotation::Cw90, 90),
            (Rotation::Half, 180),
            (Rotation::Cw270, 270),
        ] {
            assert_eq!(rotation.degrees(), degrees);
            assert_eq!(Rotation::from_degrees(degrees), Some(rotation));
        }
    }
}
