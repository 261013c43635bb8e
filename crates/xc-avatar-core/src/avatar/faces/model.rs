//! SeetaFace's model file with its numbers stored as half floats: 0.6 MB instead of 1.2 MB in
//! the binary, expanded to the crate's own format (32-bit floats) once, when first needed.
//! Half precision keeps 3 significant digits; the fixtures' faces come out in the same places
//! with either (`examples/compact-face-model.rs` writes the compact file and checks that).
//!
//! The format, as `rustface::read_model` reads it (little-endian `i32`s and `f32`s):
//! hierarchies → stages → classifiers, each a LAB boosted classifier (feature points, thresholds,
//! weight tables) or a SURF-MLP (feature ids, threshold, layers of weights and biases), and after
//! each stage's classifiers its window-source ids.

/// How wide a float is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Float {
    Half,
    Single,
}

/// Rewrites a model whose floats are `from` with floats `to`; `None` when the bytes do not
/// follow the format (counts past the end, an unknown classifier kind).
pub fn transcode(model: &[u8], from: Float, to: Float) -> Option<Vec<u8>> {
    let mut walk = Walk {
        input: model,
        at: 0,
        from,
        to,
        output: Vec::with_capacity(model.len() * 2),
    };
    let hierarchies = walk.count()?;
    for _ in 0..hierarchies {
        let stages_in_hierarchy = walk.count()?;
        for _ in 0..stages_in_hierarchy {
            let classifiers = walk.count()?;
            for _ in 0..classifiers {
                match walk.int()? {
                    0 => walk.lab_boosted()?,
                    1 => walk.surf_mlp()?,
                    _ => return None,
                }
            }
            // -1 (none) in the stages of the first hierarchy.
            let window_sources = usize::try_from(walk.int()?.max(0)).ok()?;
            if window_sources > model.len() {
                return None;
            }
            walk.ints(window_sources)?;
        }
    }
    (walk.at == model.len()).then_some(walk.output)
}

struct Walk<'a> {
    input: &'a [u8],
    at: usize,
    from: Float,
    to: Float,
    output: Vec<u8>,
}

impl Walk<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let bytes = self.input.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(bytes)
    }

    fn int(&mut self) -> Option<i32> {
        let bytes: [u8; 4] = self.take(4)?.try_into().ok()?;
        self.output.extend_from_slice(&bytes);
        Some(i32::from_le_bytes(bytes))
    }

    /// A count, which cannot exceed the bytes left (each item is at least 2 bytes).
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.int()?).ok()?;
        (n <= self.input.len() - self.at).then_some(n)
    }

    fn ints(&mut self, n: usize) -> Option<()> {
        for _ in 0..n {
            self.int()?;
        }
        Some(())
    }

    fn floats(&mut self, n: usize) -> Option<()> {
        for _ in 0..n {
            let value = match self.from {
                Float::Single => f32::from_le_bytes(self.take(4)?.try_into().ok()?),
                Float::Half => half_to_f32(u16::from_le_bytes(self.take(2)?.try_into().ok()?)),
            };
            match self.to {
                Float::Single => self.output.extend_from_slice(&value.to_le_bytes()),
                Float::Half => self
                    .output
                    .extend_from_slice(&f32_to_half(value).to_le_bytes()),
            }
        }
        Some(())
    }

    fn lab_boosted(&mut self) -> Option<()> {
        let base_classifiers = self.count()?;
        let bins = self.count()?;
        self.ints(base_classifiers * 2)?; // feature points (x, y)
        self.floats(base_classifiers)?; // thresholds
        self.floats(base_classifiers.checked_mul(bins + 1)?) // weight tables
    }

    fn surf_mlp(&mut self) -> Option<()> {
        let layers = self.count()?;
        let features = self.count()?;
        self.ints(features)?;
        self.floats(1)?; // threshold
        let mut inputs = self.count()?;
        for _ in 1..layers {
            let outputs = self.count()?;
            self.floats(inputs.checked_mul(outputs)?)?; // weights
            self.floats(outputs)?; // biases
            inputs = outputs;
        }
        Some(())
    }
}

/// IEEE 754 half → single (exact).
pub fn half_to_f32(half: u16) -> f32 {
    let sign = u32::from(half >> 15) << 31;
    let exponent = u32::from((half >> 10) & 0x1f);
    let mantissa = u32::from(half & 0x3ff);
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: value = mantissa × 2^-24.
            let value = mantissa as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -value } else { value };
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, _) => sign | 0x7fc0_0000,
        _ => sign | ((exponent + 127 - 15) << 23) | (mantissa << 13),
    };
    f32::from_bits(bits)
}

/// Single → the nearest half (ties to even); out of range becomes infinity.
pub fn f32_to_half(value: f32) -> u16 {
    let bits = value.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    if value.is_nan() {
        return sign | 0x7e00;
    }
    let magnitude = value.abs();
    if magnitude >= 65520.0 {
        return sign | 0x7c00;
    }
    if magnitude < f32::from_bits(0x3880_0000) {
        // Below the smallest normal half (2^-14): a multiple of 2^-24, rounded to even.
        let units = (magnitude / f32::from_bits(0x3380_0000)).round_ties_even();
        return sign | units as u16;
    }
    let exponent = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    let mantissa = bits & 0x7f_ffff;
    let mut half = ((exponent as u32) << 10) | (mantissa >> 13);
    let rest = mantissa & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) {
        half += 1; // may carry into the exponent, which is still right
    }
    sign | half as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_round_trip_and_round_to_nearest() {
        for half in 0..=u16::MAX {
            let value = half_to_f32(half);
            if value.is_nan() {
                continue;
            }
            assert_eq!(f32_to_half(value), half, "{half:#06x} = {value}");
        }
        assert_eq!(half_to_f32(f32_to_half(1.0 / 3.0)), 0.333_251_95);
        assert_eq!(half_to_f32(f32_to_half(-2.5e-6)), -2.503_395e-6);
        assert_eq!(f32_to_half(1e6), 0x7c00);
    }

    /// A tiny model of each classifier kind survives the trip to halves and back, and the
    /// walker refuses what does not follow the format.
    #[test]
    fn a_model_survives_the_round_trip() {
        let mut model = Vec::new();
        let int = |n: i32, m: &mut Vec<u8>| m.extend_from_slice(&n.to_le_bytes());
        let float = |x: f32, m: &mut Vec<u8>| m.extend_from_slice(&x.to_le_bytes());
        int(1, &mut model); // one hierarchy
        int(1, &mut model); // of one stage list
        int(2, &mut model); // two classifiers
        int(0, &mut model); // LAB: 1 base classifier, 2 bins
        int(1, &mut model);
        int(2, &mut model);
        int(3, &mut model);
        int(4, &mut model);
        for x in [0.5, 1.0, -2.0, 0.25] {
            float(x, &mut model);
        }
        int(1, &mut model); // MLP: 2 layers, 1 feature
        int(2, &mut model);
        int(1, &mut model);
        int(7, &mut model);
        float(0.75, &mut model);
        int(2, &mut model); // 2 inputs
        int(1, &mut model); // 1 output
        for x in [1.5, -0.5, 0.125] {
            float(x, &mut model);
        }
        int(1, &mut model); // one window source
        int(9, &mut model);
        let mut none = model.clone(); // and with none (-1), as the real model's first stages
        let at = none.len() - 8;
        none.truncate(at);
        int(-1, &mut none);
        assert!(transcode(&none, Float::Single, Float::Half).is_some());
        let half = transcode(&model, Float::Single, Float::Half).expect("walks");
        assert_eq!(half.len(), model.len() - 8 * 2);
        assert_eq!(
            transcode(&half, Float::Half, Float::Single),
            Some(model.clone())
        );
        assert_eq!(
            transcode(&model[..model.len() - 1], Float::Single, Float::Half),
            None
        );
        let mut unknown_kind = model.clone();
        unknown_kind[12] = 5;
        assert_eq!(transcode(&unknown_kind, Float::Single, Float::Half), None);
    }
}
