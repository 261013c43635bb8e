//! The crop model: a square in the displayed picture (right way up, then turned by the user),
//! kept inside the picture by every operation.

use super::faces::Face;
use super::orient::Rotation;

/// How much of the square a face's box fills, top to bottom, when the framing is made around
/// it: about half, as portrait avatars are framed (the detector's box runs from the eyebrows to
/// the chin, so hair and neck fill most of the rest).
pub const FACE_SHARE: f64 = 0.40;
/// How far below the face's centre the square's centre goes, as a share of the side: the eyes
/// then sit a little above the middle, with room for the hair above.
const FACE_DROP: f64 = 0.05;

/// The smallest square side the user can zoom to, in source pixels (or the picture's short side
/// when that is smaller): below it an avatar is a few blown-up pixels.
pub const MIN_SIDE: f64 = 16.0;

/// A square: its centre and side, in displayed-picture pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crop {
    pub center_x: f64,
    pub center_y: f64,
    pub side: f64,
}

impl Crop {
    /// The largest square centred in a `width`×`height` picture.
    pub fn centered((width, height): (u32, u32)) -> Self {
        Crop {
            center_x: f64::from(width) / 2.0,
            center_y: f64::from(height) / 2.0,
            side: f64::from(width.min(height)),
        }
    }

    /// A square from its top-left corner and side (the form `--crop X,Y,SIDE` takes).
    pub fn from_corner(left: f64, top: f64, side: f64) -> Self {
        Crop {
            center_x: left + side / 2.0,
            center_y: top + side / 2.0,
            side,
        }
    }

    pub fn left(&self) -> f64 {
        self.center_x - self.side / 2.0
    }

    pub fn top(&self) -> f64 {
        self.center_y - self.side / 2.0
    }

    /// Whether the square lies wholly inside a `width`×`height` picture (to a rounding error).
    pub fn fits(&self, (width, height): (u32, u32)) -> bool {
        const SLACK: f64 = 1e-6;
        self.side > 0.0
            && self.left() >= -SLACK
            && self.top() >= -SLACK
            && self.left() + self.side <= f64::from(width) + SLACK
            && self.top() + self.side <= f64::from(height) + SLACK
    }

    /// The nearest square inside the picture: side within [MIN_SIDE, short side], then moved in.
    pub fn clamped(self, (width, height): (u32, u32)) -> Self {
        let side = clamp_side(self.side, (width, height));
        let (width, height) = (f64::from(width), f64::from(height));
        let half = side / 2.0;
        let center = |c: f64, extent: f64| {
            if c.is_finite() {
                c.clamp(half, extent - half)
            } else {
                extent / 2.0
            }
        };
        Crop {
            center_x: center(self.center_x, width),
            center_y: center(self.center_y, height),
            side,
        }
    }
}

/// What the user framed: the picture's right-way-up size, their rotation, and the crop in the
/// rotated picture. Every method keeps the crop inside.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Framing {
    upright: (u32, u32),
    rotation: Rotation,
    crop: Crop,
    /// Where [`Framing::reset`] goes back to, unrotated: the centred square, or the square made
    /// around a face.
    home: Crop,
}

impl Framing {
    /// The default framing of an upright `width`×`height` picture: no rotation, the largest
    /// centred square.
    pub fn new(upright: (u32, u32)) -> Self {
        Framing {
            upright,
            rotation: Rotation::None,
            crop: Crop::centered(upright),
            home: Crop::centered(upright),
        }
    }

    /// The first framing of a picture with a face: the face fills about half the square
    /// ([`FACE_SHARE`]), centred across, its eyes a little above the middle, and the square kept
    /// inside the picture (moved, then shrunk, as little as the edges require). Reset comes back
    /// here. `face` is in upright pixels, as [`super::find_faces`] gives it.
    pub fn around_face(upright: (u32, u32), face: &Face) -> Self {
        let (center_x, center_y) = face.center();
        // In whole pixels, so the square `--json` reports is exactly the one rendered, and
        // giving it back with `--crop` makes the same bytes.
        let side = (face.height.max(face.width) / FACE_SHARE).round();
        let crop = Crop::from_corner(
            (center_x - side / 2.0).round(),
            (center_y + FACE_DROP * side - side / 2.0).round(),
            side,
        )
        .clamped(upright);
        Framing {
            upright,
            rotation: Rotation::None,
            crop,
            home: crop,
        }
    }

    /// Frames `face` (a box in the upright picture) as [`Framing::around_face`] does, keeping
    /// the picture turned as it is: the user who turned it and picks another face keeps their
    /// turn. Reset then returns to this framing, unrotated.
    pub fn frame_face(&mut self, face: &Face) {
        let turns = self.rotation.quarter_turns();
        *self = Framing::around_face(self.upright, face);
        self.rotate(turns);
    }

    /// Whether the crop is the home square (where Reset goes), turned as the picture is now:
    /// the framing on a face, whatever the turn.
    pub fn is_home(&self) -> bool {
        let mut home = Framing {
            rotation: Rotation::None,
            crop: self.home,
            ..*self
        };
        home.rotate(self.rotation.quarter_turns());
        home.crop == self.crop
    }

    /// Makes the framing around `face` the home (what Reset returns to), leaving the crop and
    /// rotation as they are: faces found after the user started framing.
    pub fn set_home_on_face(&mut self, face: &Face) {
        self.home = Framing::around_face(self.upright, face).home;
    }

    /// A framing with the given rotation and crop; `None` when the crop does not fit.
    pub fn with(upright: (u32, u32), rotation: Rotation, crop: Crop) -> Option<Self> {
        let framing = Framing {
            upright,
            rotation,
            crop,
            home: Crop::centered(upright),
        };
        crop.fits(framing.size()).then_some(framing)
    }

    /// Size of the picture as shown: upright, then rotated.
    pub fn size(&self) -> (u32, u32) {
        let (width, height) = self.upright;
        if self.rotation.quarter_turns() % 2 == 1 {
            (height, width)
        } else {
            (width, height)
        }
    }

    pub fn upright_size(&self) -> (u32, u32) {
        self.upright
    }

    pub fn rotation(&self) -> Rotation {
        self.rotation
    }

    pub fn crop(&self) -> Crop {
        self.crop
    }

    /// Whether this is where [`Framing::reset`] goes (so "Reset" has nothing to do).
    pub fn is_default(&self) -> bool {
        self.rotation == Rotation::None && self.crop == self.home
    }

    /// Whether the crop is the largest centred square of the picture as shown (so "Centre" has
    /// nothing to do).
    pub fn is_centred(&self) -> bool {
        self.crop == Crop::centered(self.size())
    }

    /// The largest centred square of the picture as shown, keeping the rotation ("Centre").
    pub fn centre(&mut self) {
        self.crop = Crop::centered(self.size());
    }

    /// Moves the crop to `crop`, or as near as the picture allows.
    pub fn set_crop(&mut self, crop: Crop) {
        self.crop = crop.clamped(self.size());
    }

    /// Moves the crop by `(dx, dy)` picture pixels.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        let mut crop = self.crop;
        crop.center_x += dx;
        crop.center_y += dy;
        self.set_crop(crop);
    }

    /// Zooms by `factor` (> 1 shows less of the picture) keeping the picture point under
    /// `anchor` where it is — the cursor, for wheel and pinch zoom.
    pub fn zoom(&mut self, factor: f64, anchor: (f64, f64)) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let Crop {
            center_x,
            center_y,
            side,
        } = self.crop;
        let new_side = clamp_side(side / factor, self.size());
        let scale = new_side / side;
        self.set_crop(Crop {
            center_x: anchor.0 + (center_x - anchor.0) * scale,
            center_y: anchor.1 + (center_y - anchor.1) * scale,
            side: new_side,
        });
    }

    /// Sets the side, keeping the centre (slider zoom and corner handles).
    pub fn set_side(&mut self, side: f64) {
        let mut crop = self.crop;
        crop.side = side;
        self.set_crop(crop);
    }

    /// Turns the picture by `turns` quarter turns clockwise (negative: counter-clockwise); the
    /// crop turns with it, so the same part of the picture stays framed.
    pub fn rotate(&mut self, turns: i32) {
        for _ in 0..turns.rem_euclid(4) {
            let (_, height) = self.size();
            let Crop {
                center_x,
                center_y,
                side,
            } = self.crop;
            self.rotation = self.rotation.turned(1);
            self.crop = Crop {
                center_x: f64::from(height) - center_y,
                center_y: center_x,
                side,
            };
        }
        self.set_crop(self.crop);
    }

    /// Back to the first framing: [`Framing::new`]'s, or [`Framing::around_face`]'s.
    pub fn reset(&mut self) {
        self.rotation = Rotation::None;
        self.crop = self.home;
    }
}

/// A side within [MIN_SIDE, short side] (the whole short side for NaN or infinity).
fn clamp_side(side: f64, (width, height): (u32, u32)) -> f64 {
    let short = f64::from(width.min(height));
    if side.is_finite() {
        side.clamp(MIN_SIDE.min(short), short)
    } else {
        short
    }
}

/// One change to a framing, as data: what the app's editor (pointer, keys, buttons) and any
/// other front end ask for; [`Edit::apply`] makes it, keeping the crop inside the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Edit {
    /// Move the crop by picture pixels.
    Pan(f64, f64),
    /// Zoom by `factor` around a picture point.
    Zoom {
        factor: f64,
        anchor: (f64, f64),
    },
    SetCrop(Crop),
    SetSide(f64),
    Rotate(i32),
    /// Back to the home framing (the face's, or the centred square), unrotated.
    Reset,
    /// The largest centred square, keeping the rotation.
    Centre,
    /// The framing around this face (upright pixels, as [`super::find_faces`] gives it),
    /// keeping the picture's turn; Reset then returns to it, unrotated.
    OnFace(Face),
}

impl Edit {
    pub fn apply(self, framing: &mut Framing) {
        match self {
            Edit::Pan(dx, dy) => framing.pan(dx, dy),
            Edit::Zoom { factor, anchor } => framing.zoom(factor, anchor),
            Edit::SetCrop(crop) => framing.set_crop(crop),
            Edit::SetSide(side) => framing.set_side(side),
            Edit::Rotate(turns) => framing.rotate(turns),
            Edit::Reset => framing.reset(),
            Edit::Centre => framing.centre(),
            Edit::OnFace(face) => framing.frame_face(&face),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A square is inside the picture only if each of its four edges is: one past the bottom or
    /// the right edge (or above or left of the picture) is refused, whichever edge it is.
    #[test]
    fn a_crop_fits_only_with_all_four_edges_inside() {
        let crop = Crop::from_corner(10.0, 20.0, 30.0);
        assert_eq!((crop.left(), crop.top()), (10.0, 20.0));
        let size = (640, 480);
        assert!(Crop::from_corner(440.0, 280.0, 200.0).fits(size));
        for (left, top) in [(441.0, 280.0), (440.0, 281.0), (-1.0, 0.0), (0.0, -1.0)] {
            let crop = Crop::from_corner(left, top, 200.0);
            assert!(!crop.fits(size), "{left},{top}");
            assert_eq!(Framing::with(size, Rotation::None, crop), None);
        }
        assert!(
            !Crop::from_corner(0.0, 0.0, 0.0).fits(size),
            "an empty square"
        );
    }

    /// A square sticking out of a corner is moved in just far enough, its side kept.
    #[test]
    fn clamping_moves_a_square_in_by_its_half_side() {
        let size = (640, 480);
        let out_top_left = Crop {
            center_x: 0.0,
            center_y: 0.0,
            side: 100.0,
        };
        assert_eq!(
            out_top_left.clamped(size),
            Crop::from_corner(0.0, 0.0, 100.0)
        );
        let out_bottom_right = Crop {
            center_x: 700.0,
            center_y: 500.0,
            side: 101.0,
        };
        assert_eq!(
            out_bottom_right.clamped(size),
            Crop::from_corner(539.0, 379.0, 101.0)
        );
        // A centre that is not a number (a drag gone wrong) is put back in the middle.
        let lost = Crop {
            center_x: f64::NAN,
            center_y: f64::INFINITY,
            side: 100.0,
        };
        assert_eq!(lost.clamped(size), Crop::from_corner(270.0, 190.0, 100.0));
    }

    /// Panning moves the crop by exactly the amount asked, each axis its own way, and stops
    /// at the edge; any change makes the framing no longer the default.
    #[test]
    fn pan_moves_by_the_amount_asked_and_is_not_the_default() {
        let mut framing = Framing::new((640, 480));
        framing.set_side(200.0);
        assert!(!framing.is_default());
        let start = framing.crop();
        framing.pan(30.0, -20.0);
        assert_eq!(
            (framing.crop().center_x, framing.crop().center_y),
            (start.center_x + 30.0, start.center_y - 20.0)
        );
        framing.pan(1000.0, 1000.0);
        assert_eq!(framing.crop(), Crop::from_corner(440.0, 280.0, 200.0));
        framing.reset();
        assert!(framing.is_default());
    }

    /// A zoom factor that is not a positive finite number (a wheel event gone wrong) changes
    /// nothing.
    #[test]
    fn a_nonsense_zoom_factor_changes_nothing() {
        let mut framing = Framing::new((640, 480));
        framing.set_side(200.0);
        let before = framing;
        for factor in [0.0, -1.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            framing.zoom(factor, (100.0, 100.0));
            assert_eq!(framing, before, "zoom by {factor}");
        }
        framing.zoom(2.0, (320.0, 240.0));
        assert_eq!(framing.crop().side, 100.0);
    }

    #[test]
    fn default_is_the_largest_centred_square() {
        let framing = Framing::new((6000, 4000));
        assert_eq!(framing.crop(), Crop::from_corner(1000.0, 0.0, 4000.0));
        assert!(framing.is_default());
        let portrait = Framing::new((300, 500));
        assert_eq!(portrait.crop(), Crop::from_corner(0.0, 100.0, 300.0));
    }

    #[test]
    fn rotating_keeps_the_same_part_of_the_picture() {
        // A square in the top-left corner of a landscape picture…
        let mut framing = Framing::new((600, 400));
        framing.set_crop(Crop::from_corner(0.0, 0.0, 100.0));
        // …is in the top-right corner once the picture turns clockwise…
        framing.rotate(1);
        assert_eq!(framing.size(), (400, 600));
        assert_eq!(framing.crop(), Crop::from_corner(300.0, 0.0, 100.0));
        // …and back where it was after a full turn.
        framing.rotate(3);
        assert_eq!(framing.rotation(), Rotation::None);
        assert_eq!(framing.crop(), Crop::from_corner(0.0, 0.0, 100.0));
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut framing = Framing::new((1000, 1000));
        framing.zoom(2.0, (250.0, 250.0));
        assert_eq!(framing.crop(), Crop::from_corner(125.0, 125.0, 500.0));
        // Zooming out past the whole picture stops at the whole picture.
        framing.zoom(0.01, (0.0, 0.0));
        assert_eq!(framing.crop(), Crop::centered((1000, 1000)));
        // Zooming in stops at MIN_SIDE.
        framing.zoom(1e9, (500.0, 500.0));
        assert_eq!(framing.crop().side, MIN_SIDE);
    }

    #[test]
    fn nonsense_numbers_do_not_escape() {
        let mut framing = Framing::new((640, 480));
        framing.pan(f64::NAN, f64::INFINITY);
        framing.zoom(f64::NAN, (0.0, 0.0));
        framing.set_side(f64::NEG_INFINITY);
        assert!(framing.crop().fits(framing.size()));
        assert!(
            Framing::with(
                (640, 480),
                Rotation::None,
                Crop::from_corner(200.0, 0.0, 480.0)
            )
            .is_none()
        );
    }

    fn face(x: f64, y: f64, side: f64) -> Face {
        Face {
            x,
            y,
            width: side,
            height: side,
            score: 10.0,
        }
    }

    /// The face fills FACE_SHARE of the square, centred across, a little above the middle.
    #[test]
    fn a_face_framing_puts_the_face_in_the_upper_middle() {
        let framing = Framing::around_face((4000, 3000), &face(1900.0, 1000.0, 200.0));
        let crop = framing.crop();
        assert_eq!(crop.side, 500.0);
        assert_eq!(crop.center_x, 2000.0);
        assert_eq!(crop.center_y, 1100.0 + 25.0);
        assert!(framing.is_default() && !framing.is_centred());
    }

    /// A face at an edge: the square is moved inside, as little as needed; a face too large
    /// for its square gets the whole short side.
    #[test]
    fn a_face_at_the_edge_keeps_the_square_inside() {
        let size = (4000, 3000);
        let corner = Framing::around_face(size, &face(0.0, 0.0, 200.0)).crop();
        assert_eq!(corner, Crop::from_corner(0.0, 0.0, 500.0));
        let huge = Framing::around_face(size, &face(500.0, 0.0, 2800.0)).crop();
        assert_eq!(huge.side, 3000.0);
        assert!(huge.fits(size));
        let lost = Framing::around_face(size, &face(f64::NAN, 10.0, f64::INFINITY)).crop();
        assert!(lost.fits(size));
    }

    /// Reset comes back to the face framing, not the centre; Centre goes to the centre and
    /// keeps the rotation.
    #[test]
    fn reset_returns_to_the_face_and_centre_keeps_the_turn() {
        let mut framing = Framing::around_face((600, 400), &face(20.0, 20.0, 60.0));
        let home = framing;
        framing.pan(100.0, 50.0);
        framing.reset();
        assert_eq!(framing, home);
        framing.rotate(1);
        framing.centre();
        assert_eq!(framing.rotation(), Rotation::Cw90);
        assert_eq!(framing.crop(), Crop::centered((400, 600)));
        assert!(framing.is_centred());
        framing.reset();
        assert_eq!(framing, home);
    }

    /// Another face chosen on a turned picture keeps the turn: the square is the face's
    /// framing turned with the picture, it counts as home, and Reset is the face's, unrotated.
    #[test]
    fn framing_another_face_keeps_the_turn() {
        let size = (600, 400);
        let (first, second) = (face(20.0, 20.0, 60.0), face(400.0, 200.0, 80.0));
        let mut framing = Framing::around_face(size, &first);
        for turns in 1..4 {
            framing.rotate(1);
            framing.frame_face(&second);
            assert_eq!(framing.rotation().quarter_turns(), turns);
            let mut want = Framing::around_face(size, &second);
            want.rotate(turns);
            assert_eq!(framing, want, "{turns} turns");
            assert!(framing.is_home() && !framing.is_default());
            // The face, turned with the picture, is inside the square.
            let shown = second.turned(turns, size);
            let crop = framing.crop();
            assert!(
                shown.contains((crop.center_x, crop.center_y)),
                "{turns} turns: {crop:?}"
            );
            framing.pan(5.0, 5.0);
            assert!(!framing.is_home());
            framing.frame_face(&second);
        }
        framing.reset();
        assert_eq!(framing, Framing::around_face(size, &second));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Pan(f64, f64),
        Zoom(f64, f64, f64),
        Side(f64),
        Rotate(i32),
        Set(f64, f64, f64),
        Reset,
    }

    fn op() -> impl Strategy<Value = Op> {
        let coord = -1e5..1e5f64;
        prop_oneof![
            (coord.clone(), coord.clone()).prop_map(|(x, y)| Op::Pan(x, y)),
            (1e-3..1e3f64, coord.clone(), coord.clone()).prop_map(|(f, x, y)| Op::Zoom(f, x, y)),
            coord.clone().prop_map(Op::Side),
            (-7..7i32).prop_map(Op::Rotate),
            (coord.clone(), coord.clone(), coord).prop_map(|(x, y, s)| Op::Set(x, y, s)),
            Just(Op::Reset),
        ]
    }

    proptest! {
        /// Whatever the user does, the crop stays inside the picture and at least MIN_SIDE
        /// (or the whole short side) wide.
        #[test]
        fn every_reachable_crop_stays_inside(
            width in 1..20_000u32,
            height in 1..20_000u32,
            ops in proptest::collection::vec(op(), 0..40),
        ) {
            let mut framing = Framing::new((width, height));
            for op in ops {
                match op {
                    Op::Pan(dx, dy) => framing.pan(dx, dy),
                    Op::Zoom(f, x, y) => framing.zoom(f, (x, y)),
                    Op::Side(s) => framing.set_side(s),
                    Op::Rotate(t) => framing.rotate(t),
                    Op::Set(x, y, s) => framing.set_crop(Crop::from_corner(x, y, s)),
                    Op::Reset => framing.reset(),
                }
                let crop = framing.crop();
                prop_assert!(crop.fits(framing.size()), "{crop:?} in {:?}", framing.size());
                let short = f64::from(width.min(height));
                prop_assert!(crop.side >= MIN_SIDE.min(short) && crop.side <= short);
            }
        }
    }
}
