//! An initials avatar for people without a photo, as macOS (Monogram), GNOME and Gravatar offer:
//! one or two letters of the name, in the app's font, on a colour the name picks.
//!
//! - Initials: the first letter of the first and of the last word; one letter for a single word;
//!   for a script without case (Chinese, Japanese, Korean, Arabic, …) the first grapheme alone, as
//!   GNOME's and macOS's avatars show it.
//! - Colour: FNV-1a of the name (never Rust's `DefaultHasher`, which may change between
//!   releases) picks one of [`PALETTE`], each at least 4.5:1 against the white text (WCAG AA).
//! - Font: egui's default font (Ubuntu Light: Latin, Greek, Cyrillic), embedded, so the same name
//!   gives the same bytes on every machine. A letter it lacks (a CJK character) is drawn with the
//!   system's font for that script, as GNOME and macOS do — the same bytes on the same machine;
//!   with no such font, a person silhouette is drawn instead of a letter.
//!
//! The picture is an ordinary opaque square ([`Monogram::png`]), so it is previewed, framed and
//! uploaded exactly as a photo is.

use ab_glyph::{FontRef, PxScale, ScaleFont as _};
use image::{Rgb, RgbImage};
use unicode_segmentation::UnicodeSegmentation as _;

use super::AvatarError;

/// Background colours, each ≥ 4.5:1 against [`TEXT`] (a unit test computes it): GNOME's palette
/// darkened where its own colours are lighter (GNOME draws dark text on those).
pub const PALETTE: [[u8; 3]; 12] = [
    [0x1a, 0x5f, 0xb4], // blue
    [0x1e, 0x7d, 0x4f], // green
    [0xa5, 0x1d, 0x2d], // red
    [0x91, 0x41, 0xac], // purple
    [0xc6, 0x46, 0x00], // orange
    [0x00, 0x70, 0x7a], // teal
    [0x63, 0x45, 0x2c], // brown
    [0x3d, 0x38, 0x46], // slate
    [0xc0, 0x1c, 0x6e], // magenta
    [0x4a, 0x5a, 0x9c], // indigo
    [0x0b, 0x6e, 0x99], // cyan
    [0x7a, 0x61, 0x00], // olive
];
/// The letters' colour.
pub const TEXT: [u8; 3] = [0xff, 0xff, 0xff];

/// The font of the letters: egui's default proportional font, the one the app is drawn in.
const FONT: &[u8] = epaint_default_fonts::UBUNTU_LIGHT;

/// An initials avatar: the letters and their background colour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Monogram {
    initials: String,
    background: [u8; 3],
}

impl Monogram {
    /// The monogram of `name` ("Ada Lovelace" → "AL" on the colour the name picks).
    pub fn new(name: &str) -> Self {
        Monogram {
            initials: initials(name),
            background: PALETTE[(fnv1a(name.trim().as_bytes()) % PALETTE.len() as u64) as usize],
        }
    }

    /// The letters drawn: empty when the name has none (a silhouette is drawn then).
    pub fn initials(&self) -> &str {
        &self.initials
    }

    pub fn background(&self) -> [u8; 3] {
        self.background
    }

    /// Whether the initials are drawn as letters: false when the name has none, or when no font
    /// here has them (then a silhouette is drawn).
    pub fn draws_letters(&self) -> bool {
        !self.initials.is_empty() && fonts::for_text(&self.initials).is_some()
    }

    /// The square, `size` pixels a side.
    pub fn pixels(&self, size: u32) -> RgbImage {
        let size = size.max(1);
        let mut image = RgbImage::from_pixel(size, size, Rgb(self.background));
        let drawn = !self.initials.is_empty()
            && match fonts::for_text(&self.initials) {
                Some(fonts::Found::Embedded) => FontRef::try_from_slice(FONT).is_ok_and(|font| {
                    draw_text(&mut image, &font, &self.initials);
                    true
                }),
                Some(fonts::Found::System(data, index)) => {
                    FontRef::try_from_slice_and_index(data.data(), index).is_ok_and(|font| {
                        draw_text(&mut image, &font, &self.initials);
                        true
                    })
                }
                None => false,
            };
        if !drawn {
            draw_silhouette(&mut image);
        }
        image
    }

    /// The square as a PNG, to load like any picture ([`super::Source::from_bytes`]).
    pub fn png(&self, size: u32) -> Result<Vec<u8>, AvatarError> {
        use image::ImageEncoder as _;
        let image = self.pixels(size);
        let mut bytes = Vec::new();
        image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .map_err(|e| AvatarError::Encode(e.to_string()))?;
        Ok(bytes)
    }
}

/// The name to take initials from, given what the tenant knows of a person: "first last", or in
/// East Asian order when both are written in a script without case (山田 太郎: family name
/// first, as it is written); else the e-mail's local part split at dots, dashes and
/// underscores (ada.lovelace@… → "ada lovelace"); else the login name.
pub fn name_for_initials(first: &str, last: &str, email: &str, login: &str) -> String {
    let (first, last) = (first.trim(), last.trim());
    let caseless = |word: &str| first_letter(word).is_some_and(|letter| !has_case(letter));
    match (first.is_empty(), last.is_empty()) {
        (false, false) if caseless(first) && caseless(last) => format!("{last} {first}"),
        (false, _) | (_, false) => format!("{first} {last}").trim().to_owned(),
        (true, true) => {
            let local = email.split('@').next().unwrap_or_default().trim();
            if local.is_empty() {
                login.trim().to_owned()
            } else {
                local.replace(['.', '_', '-', '+'], " ")
            }
        }
    }
}

/// The initials of `name`: the first letter of its first and last words, upper case; one
/// letter for one word; one grapheme for a script without case. Words start at their first
/// letter or digit ("(Ada) Lovelace" → "AL"). Empty when the name has no letter at all.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|word| first_letter(word).is_some())
        .collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return String::new();
    };
    let Some(lead) = first_letter(first) else {
        return String::new();
    };
    if !has_case(lead) || words.len() == 1 {
        return upper(lead);
    }
    match first_letter(last) {
        Some(tail) if has_case(tail) => upper(lead) + &upper(tail),
        _ => upper(lead),
    }
}

/// The first grapheme of `word` that starts with a letter or digit.
fn first_letter(word: &str) -> Option<&str> {
    word.graphemes(true)
        .find(|g| g.chars().next().is_some_and(char::is_alphanumeric))
}

/// Whether a letter belongs to a script with upper and lower case.
fn has_case(grapheme: &str) -> bool {
    grapheme
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_lowercase())
}

fn upper(grapheme: &str) -> String {
    grapheme.to_uppercase()
}

/// WCAG 2's contrast ratio of two sRGB colours (1 to 21; 4.5 is AA for text).
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let luminance = |c: [u8; 3]| {
        let linear = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// FNV-1a, 64-bit: a fixed, documented hash, so a name keeps its colour across releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Draws `text` centred: its height from the font's cap height (two letters of a Latin name
/// fill ~42 % of the side, as GNOME's and macOS's avatars do), narrowed to fit 70 % of the width.
fn draw_text(image: &mut RgbImage, font: &impl ab_glyph::Font, text: &str) {
    let side = image.width() as f32;
    let mut px = side * 0.44;
    let layout = |px: f32| {
        let scaled = font.as_scaled(PxScale::from(px));
        let mut x = 0.0;
        let mut glyphs = Vec::new();
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                x += scaled.kern(previous, id);
            }
            glyphs.push(id.with_scale_and_position(px, ab_glyph::point(x, 0.0)));
            x += scaled.h_advance(id);
            previous = Some(id);
        }
        glyphs
    };
    let bounds = |glyphs: &[ab_glyph::Glyph]| {
        glyphs
            .iter()
            .filter_map(|g| font.outline_glyph(g.clone()))
            .map(|o| o.px_bounds())
            .reduce(|a, b| ab_glyph::Rect {
                min: ab_glyph::point(a.min.x.min(b.min.x), a.min.y.min(b.min.y)),
                max: ab_glyph::point(a.max.x.max(b.max.x), a.max.y.max(b.max.y)),
            })
    };
    let Some(mut extent) = bounds(&layout(px)) else {
        return;
    };
    let widest = side * 0.70;
    if extent.width() > widest {
        px *= widest / extent.width();
        match bounds(&layout(px)) {
            Some(b) => extent = b,
            None => return,
        }
    }
    // Centre the ink: horizontally by its box, vertically by its box too, so letters with and
    // without descenders sit alike in the circle.
    let dx = (side - extent.width()) / 2.0 - extent.min.x;
    let dy = (side - extent.height()) / 2.0 - extent.min.y;
    let fg = TEXT;
    for mut glyph in layout(px) {
        glyph.position.x += dx;
        glyph.position.y += dy;
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let origin = outline.px_bounds().min;
        outline.draw(|x, y, coverage| {
            let (x, y) = (
                origin.x as i64 + i64::from(x),
                origin.y as i64 + i64::from(y),
            );
            if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y))
                && x < image.width()
                && y < image.height()
            {
                blend(image.get_pixel_mut(x, y), fg, coverage);
            }
        });
    }
}

/// Lays `colour` over a pixel with `coverage` (0–1), rounding to the nearest level.
fn blend(pixel: &mut Rgb<u8>, colour: [u8; 3], coverage: f32) {
    let a = coverage.clamp(0.0, 1.0);
    for (channel, &top) in pixel.0.iter_mut().zip(&colour) {
        *channel = (f32::from(*channel) * (1.0 - a) + f32::from(top) * a).round() as u8;
    }
}

/// A head and shoulders in the text colour, for a name with no letter we can draw: the shape
/// GNOME's and macOS's avatars show for an unnamed person. Anti-aliased by 4×4 supersampling.
fn draw_silhouette(image: &mut RgbImage) {
    let side = image.width() as f32;
    let head = (0.5 * side, 0.38 * side, 0.17 * side);
    let body = (0.5 * side, 0.86 * side, 0.30 * side, 0.22 * side);
    let inside = |x: f32, y: f32| {
        let in_head = (x - head.0).powi(2) + (y - head.1).powi(2) <= head.2.powi(2);
        // The shoulders: the upper half of an ellipse, cut level at the bottom.
        let in_body = y <= body.1 + body.3 * 0.35
            && ((x - body.0) / body.2).powi(2) + ((y - body.1) / body.3).powi(2) <= 1.0;
        in_head || in_body
    };
    const SAMPLES: u32 = 4;
    for y in 0..image.height() {
        for x in 0..image.width() {
            let mut hits = 0;
            for sy in 0..SAMPLES {
                for sx in 0..SAMPLES {
                    let px = x as f32 + (sx as f32 + 0.5) / SAMPLES as f32;
                    let py = y as f32 + (sy as f32 + 0.5) / SAMPLES as f32;
                    hits += u32::from(inside(px, py));
                }
            }
            if hits > 0 {
                let coverage = hits as f32 / (SAMPLES * SAMPLES) as f32;
                blend(image.get_pixel_mut(x, y), TEXT, coverage);
            }
        }
    }
}

mod fonts {
    //! Which font draws a text: the embedded one when it has every letter; else the font the
    //! system falls back to for the text's script (fontconfig, Core Text, DirectWrite through
    //! `fontique`, as the app's own text does), trying the Han locales in turn.

    use fontique::{Blob, Collection, CollectionOptions, FallbackKey, Language, Script};
    use unicode_script::UnicodeScript as _;

    pub enum Found {
        Embedded,
        /// A system font's bytes and its index in a collection.
        System(Blob<u8>, u32),
    }

    pub fn for_text(text: &str) -> Option<Found> {
        let embedded = ab_glyph::FontRef::try_from_slice(super::FONT).ok()?;
        if has_all(&embedded, text) {
            return Some(Found::Embedded);
        }
        system(text)
    }

    fn has_all(font: &impl ab_glyph::Font, text: &str) -> bool {
        text.chars().all(|c| font.glyph_id(c).0 != 0)
    }

    fn system(text: &str) -> Option<Found> {
        let script = match text.chars().next()?.script() {
            unicode_script::Script::Common
            | unicode_script::Script::Inherited
            | unicode_script::Script::Unknown => return None,
            script => Script::parse(script.short_name()).ok()?,
        };
        // Han is shared by Chinese, Japanese and Korean fonts, each covering different
        // characters: Simplified Chinese first (zh-SG, as fontique treats zh-CN as its default
        // Han locale), then Traditional, Japanese, Korean.
        let locales: Vec<Option<Language>> = if script == Script::from_bytes(*b"Hani") {
            ["zh-SG", "zh-TW", "ja", "ko"]
                .iter()
                .map(|l| Language::parse(l).ok())
                .collect()
        } else {
            vec![None]
        };
        let mut collection = Collection::new(CollectionOptions {
            shared: false,
            system_fonts: true,
        });
        let mut cache = fontique::SourceCache::new(fontique::SourceCacheOptions::default());
        for locale in locales {
            let families: Vec<_> = collection
                .fallback_families(FallbackKey::new(script, locale.as_ref()))
                .collect();
            for id in families {
                let Some(family) = collection.family(id) else {
                    continue;
                };
                let Some(font) = family.default_font() else {
                    continue;
                };
                let Some(blob) = font.load(Some(&mut cache)) else {
                    continue;
                };
                let usable = ab_glyph::FontRef::try_from_slice_and_index(blob.data(), font.index())
                    .is_ok_and(|face| has_all(&face, text));
                if usable {
                    return Some(Found::System(blob, font.index()));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_palette_colour_has_at_least_4_5_to_1_against_the_text() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert_eq!(contrast([90, 90, 90], [90, 90, 90]), 1.0);
        assert!(PALETTE.len() >= 8);
        for colour in PALETTE {
            let ratio = contrast(colour, TEXT);
            assert!(ratio >= 4.5, "{colour:?}: {ratio:.2}:1");
        }
        // The palette has no two alike.
        for (i, a) in PALETTE.iter().enumerate() {
            assert!(!PALETTE[i + 1..].contains(a), "{a:?} twice");
        }
    }

    #[test]
    fn initials_in_latin_cyrillic_chinese_and_single_names() {
        for (name, want) in [
            ("Ada Lovelace", "AL"),
            ("ada king lovelace", "AL"),
            ("  Ada   Lovelace  ", "AL"),
            ("Ada", "A"),
            ("élodie durand", "ÉD"),
            ("(Ada) Lovelace", "AL"),
            ("Анна Каренина", "АК"),
            ("лев толстой", "ЛТ"),
            ("张伟", "张"),
            ("山田 太郎", "山"),
            ("김민준", "김"),
            ("Ada 张", "A"),
            ("", ""),
            ("- . !", ""),
        ] {
            assert_eq!(initials(name), want, "{name:?}");
        }
    }

    #[test]
    fn the_name_comes_from_first_and_last_else_the_email() {
        assert_eq!(
            name_for_initials("Ada", "Lovelace", "x@y", "z"),
            "Ada Lovelace"
        );
        assert_eq!(name_for_initials("太郎", "山田", "", ""), "山田 太郎");
        assert_eq!(name_for_initials("", "Lovelace", "", ""), "Lovelace");
        assert_eq!(
            name_for_initials(" ", "", "ada.lovelace@example.com", "ada"),
            "ada lovelace"
        );
        assert_eq!(name_for_initials("", "", "", "ada"), "ada");
        assert_eq!(
            initials(&name_for_initials("", "", "ada_king-lovelace@x", "")),
            "AL"
        );
    }

    /// FNV-1a's published test vectors: the colour of a name never changes between releases.
    #[test]
    fn the_colour_hash_is_fnv1a() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    /// Latin, Greek and Cyrillic letters come from the embedded font, everywhere; a name with
    /// no letter gets the silhouette.
    #[test]
    fn embedded_scripts_always_draw_letters() {
        for name in ["Ada Lovelace", "Анна Каренина", "Σωκράτης", "Plato"] {
            assert!(Monogram::new(name).draws_letters(), "{name}");
        }
        let nameless = Monogram::new("--");
        assert!(!nameless.draws_letters());
        let image = nameless.pixels(64);
        assert_eq!(image.get_pixel(2, 2).0, nameless.background());
        assert_eq!(image.get_pixel(32, 24).0, TEXT, "the head");
    }

    /// Chinese, Korean and Japanese come from the system's font for the script, as on GNOME and
    /// macOS: CI installs one (fonts-wqy-microhei), and the letter must then be drawn.
    #[test]
    #[ignore = "needs a CJK font installed (Debian: fonts-wqy-microhei); scripts/test runs it"]
    fn cjk_names_are_drawn_with_the_systems_font() {
        for name in ["张伟", "김민준", "山田 太郎"] {
            let monogram = Monogram::new(name);
            assert!(monogram.draws_letters(), "{name}: no font has it");
            assert_eq!(monogram.png(128).ok(), monogram.png(128).ok(), "{name}");
        }
    }

    #[test]
    fn names_spread_over_the_palette() {
        let names = [
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Edsger Dijkstra",
            "Barbara Liskov",
            "Donald Knuth",
            "Анна Каренина",
            "张伟",
            "Margaret Hamilton",
            "Ken Thompson",
        ];
        let colours: std::collections::HashSet<_> = names
            .iter()
            .map(|n| Monogram::new(n).background())
            .collect();
        assert!(colours.len() >= 5, "{} colours for 10 names", colours.len());
    }
}
