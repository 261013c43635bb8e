//! The crop: a square in the right-way-up image's pixel space.

/// A square region of the oriented image: top-left corner and side, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub side: u32,
}

impl Crop {
    /// The largest square centred in a `width`×`height` image.
    pub fn centered(width: u32, height: u32) -> Self {
        let side = width.min(height);
        Crop {
            x: (width - side) / 2,
            y: (height - side) / 2,
            side,
        }
    }

    /// Whether the square lies wholly inside a `width`×`height` image.
    pub fn fits(&self, width: u32, height: u32) -> bool {
        self.side > 0
            && u64::from(self.x) + u64::from(self.side) <= u64::from(width)
            && u64::from(self.y) + u64::from(self.side) <= u64::from(height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centered_square_of_landscape_and_portrait() {
        assert_eq!(
            Crop::centered(6000, 4000),
            Crop {
                x: 1000,
                y: 0,
                side: 4000
            }
        );
        assert_eq!(
            Crop::centered(300, 500),
            Crop {
                x: 0,
                y: 100,
                side: 300
            }
        );
        assert!(Crop::centered(6000, 4000).fits(6000, 4000));
        assert!(
            !Crop {
                x: 1,
                y: 0,
                side: 4000
            }
            .fits(4000, 4000)
        );
    }
}
