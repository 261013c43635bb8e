//! The first framing on the command line: on the largest face by default (`--frame face`), the
//! centred square with `--frame centre`, or exactly `--crop`; and how `--json` reports it.

use serde_json::{Value, json};

use crate::avatar::{self, Face, Framing, Source};

/// How `prepare` and `upload` frame the picture when `--crop` does not say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FrameArg {
    /// On the largest face (centred when there is none)
    #[default]
    Face,
    /// The largest centred square
    #[value(alias = "center")]
    Centre,
}

/// How the framing was chosen, as `--json` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chosen {
    Face,
    Centre,
    /// `--crop`, as given.
    Crop,
}

impl Chosen {
    fn name(self) -> &'static str {
        match self {
            Chosen::Face => "face",
            Chosen::Centre => "centre",
            Chosen::Crop => "crop",
        }
    }
}

/// A framing and how it came about: the faces looked for (`None` when none were looked for).
pub struct Framed {
    pub framing: Framing,
    pub chosen: Chosen,
    pub faces: Option<Vec<Face>>,
}

impl Framed {
    /// The first framing of `source` before `--rotate`: around its largest face, or centred.
    /// A picture whose faces cannot be looked for (a decode error) fails here as it would when
    /// rendered.
    pub fn first(source: &Source, frame: FrameArg) -> Result<Framed, avatar::AvatarError> {
        if frame == FrameArg::Centre {
            return Ok(Framed {
                framing: Framing::new(source.size()),
                chosen: Chosen::Centre,
                faces: None,
            });
        }
        let faces = avatar::find_faces(source, avatar::Search::Largest)?;
        let (framing, chosen) = match faces.first() {
            Some(face) => (Framing::around_face(source.size(), face), Chosen::Face),
            None => (Framing::new(source.size()), Chosen::Centre),
        };
        Ok(Framed {
            framing,
            chosen,
            faces: Some(faces),
        })
    }

    /// `--crop` exactly.
    pub fn given(framing: Framing) -> Framed {
        Framed {
            framing,
            chosen: Chosen::Crop,
            faces: None,
        }
    }

    /// "framed on the face" for the one-line report; nothing for the centre (as today) or a crop.
    pub fn describe(&self) -> Option<&'static str> {
        (self.chosen == Chosen::Face).then_some(crate::messages::FRAMED_ON_THE_FACE)
    }

    /// `"crop": {"x", "y", "side"}` (in the pixels `--crop` takes: right way up, then turned by
    /// `--rotate`, so it can be given back), `"framing"`, and `"faces"` in the same pixels,
    /// largest first (`null` when none were looked for).
    pub fn json(&self) -> Value {
        let crop = self.framing.crop();
        let turns = self.framing.rotation().quarter_turns();
        let upright = self.framing.upright_size();
        let faces = self.faces.as_ref().map(|faces| {
            faces
                .iter()
                .map(|face| {
                    let face = face.turned(turns, upright);
                    json!({
                        "x": pixels(face.x),
                        "y": pixels(face.y),
                        "w": pixels(face.width),
                        "h": pixels(face.height),
                    })
                })
                .collect::<Vec<_>>()
        });
        json!({
            "crop": {
                "x": pixels(crop.left()),
                "y": pixels(crop.top()),
                "side": pixels(crop.side),
            },
            "framing": self.chosen.name(),
            "faces": faces,
        })
    }
}

/// Whole pixels for `--json`.
fn pixels(value: f64) -> i64 {
    value.round() as i64
}
