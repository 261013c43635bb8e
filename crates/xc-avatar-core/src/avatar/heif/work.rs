//! The proof, before any decoding, that a HEIF picture costs what it declares: every coded
//! tile's size read from its codec's own headers (HEVC's SPS, AV1's sequence header) and held
//! to its `ispe`, grids of distinct tiles that cover the canvas, derivations not nested deep.

use super::*;

/// How deep derived images (a grid of overlays of …) may nest; heifer's own limit is 4.
const MAX_DERIVATION_DEPTH: u32 = 4;

/// What decoding an item and everything it is made of will cost, found from the container
/// and the codecs' headers alone.
#[derive(Default)]
struct Work {
    /// Items already counted: a tile, overlay input or alpha plane is decoded once per use,
    /// so an item used twice (65,025 grid slots pointing at one tile) is refused.
    seen: HashSet<ItemId>,
    /// Pixels the codecs will produce, in all.
    coded_pixels: u64,
    /// The largest single picture or canvas, in pixels.
    largest: u64,
}

/// Proves, before a pixel is decoded, that decoding the primary image costs no more than what
/// it declares: every item is used once; a grid has exactly rows × columns tiles of one
/// declared size that cover its canvas without whole rows or columns to spare; each coded
/// picture's own size (the HEVC SPS, the AV1 sequence header) is its declared `ispe` size up
/// to the codec's block rounding; and all of it together stays within twice the pixel limit
/// (a picture and its alpha plane). Returns the largest picture the decoder may then make.
///
/// A hostile file declares a 64×64 picture made of 10,000 tiles coded 8192² each; its header
/// passes every size check, and decoding it takes minutes and gigabytes.
pub(super) fn prove_work(
    file: &HeifFile<'_>,
    id: ItemId,
    limits: Limits,
) -> Result<u64, AvatarError> {
    let mut work = Work::default();
    count_item(file, id, 0, limits, &mut work)?;
    if work.coded_pixels > limits.max_pixels.saturating_mul(2) {
        return Err(out_of_proportion(format!(
            "decoding it means {} megapixels of pictures",
            work.coded_pixels / 1_000_000
        )));
    }
    Ok(work.largest)
}

fn out_of_proportion(what: String) -> AvatarError {
    AvatarError::Corrupt(format!("{what}, far more than the picture it declares"))
}

fn count_item(
    file: &HeifFile<'_>,
    id: ItemId,
    depth: u32,
    limits: Limits,
    work: &mut Work,
) -> Result<(), AvatarError> {
    if depth > MAX_DERIVATION_DEPTH {
        return Err(AvatarError::Corrupt(
            "its images are derived from each other too deeply".into(),
        ));
    }
    if !work.seen.insert(id) {
        return Err(out_of_proportion(
            "the same part is used more than once".into(),
        ));
    }
    let item_type = file.item(id).map_err(container_error)?.item_type.0;
    let declared = file.image_size(id).map_err(container_error)?;
    match &item_type {
        b"hvc1" | b"av01" => {
            let declared = declared.ok_or_else(|| {
                AvatarError::Corrupt("a coded picture has no declared size".into())
            })?;
            if !limits.fit(declared) {
                return Err(AvatarError::TooLarge {
                    dimensions: Some(declared),
                    limits,
                });
            }
            let coded = if &item_type == b"hvc1" {
                hevc_coded_size(file, id, declared)?
            } else {
                av1_coded_size(&file.item_data(id).map_err(container_error)?, declared)?
            };
            let pixels = u64::from(coded.0) * u64::from(coded.1);
            work.coded_pixels = work.coded_pixels.saturating_add(pixels);
            work.largest = work.largest.max(pixels);
        }
        b"grid" => count_grid(file, id, depth, limits, work)?,
        b"iovl" | b"iden" => {
            if let Some(size) = declared {
                work.largest = work.largest.max(u64::from(size.0) * u64::from(size.1));
            }
            for &input in file.referenced_items(id, b"dimg") {
                count_item(file, input, depth + 1, limits, work)?;
            }
        }
        // Whatever else it is, the decoder refuses it without decoding anything.
        _ => {}
    }
    // The alpha plane heifer attaches: the first auxiliary image of type alpha.
    let alpha = file
        .referencing_items(id, b"auxl")
        .into_iter()
        .find(|&aux| {
            file.item_properties(aux).is_ok_and(|mut properties| {
                properties.any(
                |p| matches!(p, Property::AuxiliaryType(t) if ALPHA_TYPES.contains(&t.as_str())),
            )
            })
        });
    if let Some(alpha) = alpha {
        count_item(file, alpha, depth + 1, limits, work)?;
    }
    Ok(())
}

fn count_grid(
    file: &HeifFile<'_>,
    id: ItemId,
    depth: u32,
    limits: Limits,
    work: &mut Work,
) -> Result<(), AvatarError> {
    let grid = file.grid(id).map_err(container_error)?;
    let canvas = (grid.output_width, grid.output_height);
    if !limits.fit(canvas) {
        return Err(AvatarError::TooLarge {
            dimensions: Some(canvas),
            limits,
        });
    }
    work.largest = work.largest.max(u64::from(canvas.0) * u64::from(canvas.1));
    let tiles = file.referenced_items(id, b"dimg");
    let (rows, columns) = (u32::from(grid.rows), u32::from(grid.columns));
    if tiles.len() as u64 != u64::from(rows) * u64::from(columns) {
        return Err(AvatarError::Corrupt(format!(
            "its grid of {rows}×{columns} tiles lists {} tiles",
            tiles.len()
        )));
    }
    if tiles.iter().collect::<HashSet<_>>().len() != tiles.len() {
        return Err(out_of_proportion(
            "the same part is used more than once".into(),
        ));
    }
    let Some(&first) = tiles.first() else {
        return Err(AvatarError::Corrupt("its grid has no tiles".into()));
    };
    let tile = file
        .image_size(first)
        .map_err(container_error)?
        .ok_or_else(|| AvatarError::Corrupt("a grid tile has no declared size".into()))?;
    // The tiles cover the canvas, the last row and column reaching past it by less than a
    // tile: nothing is decoded only to be thrown away.
    let covers = |count: u32, side: u32, wanted: u32| {
        let side = u64::from(side);
        u64::from(count) * side >= u64::from(wanted)
            && u64::from(count - 1) * side < u64::from(wanted)
    };
    if tile.0 == 0
        || tile.1 == 0
        || !covers(columns, tile.0, canvas.0)
        || !covers(rows, tile.1, canvas.1)
    {
        return Err(out_of_proportion(format!(
            "its {rows}×{columns} tiles of {}×{} pixels do not fit its {}×{} picture",
            tile.0, tile.1, canvas.0, canvas.1
        )));
    }
    // Checked only now: with 10,000 tiles, looking each up is the slow part.
    for &other in tiles {
        if file.image_size(other).map_err(container_error)? != Some(tile) {
            return Err(AvatarError::Corrupt(
                "its grid tiles declare different sizes".into(),
            ));
        }
    }
    for &tile in tiles {
        count_item(file, tile, depth + 1, limits, work)?;
    }
    Ok(())
}

/// The size an HEVC item codes: every SPS the decoder may use (in `hvcC`, and in the stream
/// before its first slice) must code the declared size, rounded up to the codec's smallest
/// coding block and cropped back by its conformance window to no less than the declared size.
fn hevc_coded_size(
    file: &HeifFile<'_>,
    id: ItemId,
    declared: (u32, u32),
) -> Result<(u32, u32), AvatarError> {
    let stream = file.hevc_bitstream(id).map_err(container_error)?;
    let mut sets = ParameterSets::default();
    for nal in split_annex_b(&stream) {
        let nal = NalUnit::parse(nal).map_err(|e| heifer_error(heifer::Error::Hevc(e)))?;
        if nal.header.unit_type.is_slice() {
            break;
        }
        sets.add(&nal)
            .map_err(|e| heifer_error(heifer::Error::Hevc(e)))?;
    }
    let mut coded = None;
    for sps in sets.sps.iter().flatten() {
        let size = (
            sps.pic_width_in_luma_samples,
            sps.pic_height_in_luma_samples,
        );
        let block = 1u32 << sps.log2_min_luma_coding_block_size.clamp(3, 6);
        // The conformance window is counted in chroma samples.
        let (sub_width, sub_height) = match sps.chroma_format_idc {
            1 => (2, 2),
            2 => (2, 1),
            _ => (1, 1),
        };
        let [left, right, top, bottom] = sps.conf_win_offsets;
        let shown = (
            size.0
                .saturating_sub(left.saturating_add(right).saturating_mul(sub_width)),
            size.1
                .saturating_sub(top.saturating_add(bottom).saturating_mul(sub_height)),
        );
        let fits = |coded: u32, shown: u32, wanted: u32| {
            shown >= wanted && coded <= wanted.next_multiple_of(block)
        };
        if !fits(size.0, shown.0, declared.0) || !fits(size.1, shown.1, declared.1) {
            return Err(out_of_proportion(format!(
                "a part declared {}×{} pixels is coded {}×{}",
                declared.0, declared.1, size.0, size.1
            )));
        }
        coded = Some(size);
    }
    coded.ok_or_else(|| AvatarError::Corrupt("an HEVC picture has no sequence parameters".into()))
}

/// The size an AV1 item codes, from its sequence header (`max_frame_width_minus_1`, …): at
/// least the declared size, and no more than it rounded up to 8 pixels.
fn av1_coded_size(obus: &[u8], declared: (u32, u32)) -> Result<(u32, u32), AvatarError> {
    let size = av1::max_frame_size(obus).ok_or_else(|| {
        AvatarError::Corrupt("the AV1 picture has no readable sequence header".into())
    })?;
    let fits = |coded: u32, wanted: u32| coded >= wanted && coded <= wanted.next_multiple_of(8);
    if !fits(size.0, declared.0) || !fits(size.1, declared.1) {
        return Err(out_of_proportion(format!(
            "a part declared {}×{} pixels is coded up to {}×{}",
            declared.0, declared.1, size.0, size.1
        )));
    }
    Ok(size)
}

/// Just enough of AV1's bitstream (AV1 spec §5.3, §5.5) to read the largest frame size a
/// sequence header allows, without a decoder.
mod av1 {
    /// OBU type of a sequence header.
    const SEQUENCE_HEADER: u8 = 1;

    /// `max_frame_width_minus_1 + 1` and `max_frame_height_minus_1 + 1` of the first sequence
    /// header among `obus` (low-overhead format, as AVIF items hold them).
    pub fn max_frame_size(mut obus: &[u8]) -> Option<(u32, u32)> {
        // A still picture's item has a handful of OBUs; a header is among the first.
        for _ in 0..64 {
            let (&header, rest) = obus.split_first()?;
            let kind = (header >> 3) & 0x0f;
            let has_extension = header & 0x04 != 0;
            let has_size = header & 0x02 != 0;
            let rest = if has_extension { rest.get(1..)? } else { rest };
            let (payload, next) = if has_size {
                let (size, used) = leb128(rest)?;
                let size = usize::try_from(size).ok()?;
                let body = rest.get(used..)?;
                (body.get(..size)?, body.get(size..)?)
            } else {
                (rest, &[][..])
            };
            if kind == SEQUENCE_HEADER {
                return sequence_header_size(payload);
            }
            obus = next;
        }
        None
    }

    fn leb128(bytes: &[u8]) -> Option<(u64, usize)> {
        let mut value = 0u64;
        for (i, &byte) in bytes.iter().take(8).enumerate() {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Some((value, i + 1));
            }
        }
        None
    }

    struct Bits<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Bits<'_> {
        fn read(&mut self, count: u32) -> Option<u32> {
            let mut value = 0u32;
            for _ in 0..count {
                let byte = *self.bytes.get(self.at / 8)?;
                let bit = (byte >> (7 - self.at % 8)) & 1;
                value = (value << 1) | u32::from(bit);
                self.at += 1;
            }
            Some(value)
        }

        fn flag(&mut self) -> Option<bool> {
            self.read(1).map(|b| b == 1)
        }

        /// uvlc(): leading zeros, then as many bits.
        fn uvlc(&mut self) -> Option<()> {
            let mut zeros = 0;
            while !self.flag()? {
                zeros += 1;
                if zeros >= 32 {
                    return Some(());
                }
            }
            self.read(zeros).map(|_| ())
        }
    }

    fn sequence_header_size(payload: &[u8]) -> Option<(u32, u32)> {
        let mut bits = Bits {
            bytes: payload,
            at: 0,
        };
        let _profile = bits.read(3)?;
        let _still_picture = bits.flag()?;
        let reduced = bits.flag()?;
        if reduced {
            let _level = bits.read(5)?;
        } else {
            let timing_info = bits.flag()?;
            let mut decoder_model_info = false;
            let mut buffer_delay_length = 0;
            if timing_info {
                bits.read(32)?; // num_units_in_display_tick
                bits.read(32)?; // time_scale
                if bits.flag()? {
                    bits.uvlc()?; // num_ticks_per_picture_minus_1
                }
                decoder_model_info = bits.flag()?;
                if decoder_model_info {
                    buffer_delay_length = bits.read(5)? + 1;
                    bits.read(32)?; // num_units_in_decoding_tick
                    bits.read(5)?; // buffer_removal_time_length_minus_1
                    bits.read(5)?; // frame_presentation_time_length_minus_1
                }
            }
            let initial_display_delay = bits.flag()?;
            let operating_points = bits.read(5)? + 1;
            for _ in 0..operating_points {
                bits.read(12)?; // operating_point_idc
                let level = bits.read(5)?;
                if level > 7 {
                    bits.read(1)?; // seq_tier
                }
                if decoder_model_info && bits.flag()? {
                    bits.read(buffer_delay_length)?; // decoder_buffer_delay
                    bits.read(buffer_delay_length)?; // encoder_buffer_delay
                    bits.read(1)?; // low_delay_mode_flag
                }
                if initial_display_delay && bits.flag()? {
                    bits.read(4)?; // initial_display_delay_minus_1
                }
            }
        }
        let width_bits = bits.read(4)? + 1;
        let height_bits = bits.read(4)? + 1;
        let width = bits.read(width_bits)?.checked_add(1)?;
        let height = bits.read(height_bits)?.checked_add(1)?;
        Some((width, height))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_reduced_still_picture_header_names_its_size() {
            // OBU header (sequence header, has size), size 6, then: profile 0, still 1,
            // reduced 1, level 0 (5 bits), width bits 12 (1011), height bits 11 (1010),
            // width - 1 = 3023 (12 bits), height - 1 = 2015 (11 bits).
            let mut bits = String::from("000") + "1" + "1" + "00000" + "1011" + "1010";
            bits += &format!("{:012b}{:011b}", 3023, 2015);
            while !bits.len().is_multiple_of(8) {
                bits.push('0');
            }
            let payload: Vec<u8> = bits
                .as_bytes()
                .chunks(8)
                .map(|b| u8::from_str_radix(std::str::from_utf8(b).unwrap_or("0"), 2).unwrap_or(0))
                .collect();
            let mut obus = vec![(SEQUENCE_HEADER << 3) | 0x02, payload.len() as u8];
            obus.extend(&payload);
            assert_eq!(max_frame_size(&obus), Some((3024, 2016)));
            assert_eq!(max_frame_size(&obus[..3]), None);
            assert_eq!(max_frame_size(&[]), None);
        }
    }
}
