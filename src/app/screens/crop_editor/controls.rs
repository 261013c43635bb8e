//! The framing's buttons, slider and keys: rotate, zoom, reset, centre, the next face; arrows
//! nudge.

use eframe::egui;

use crate::app::state::Photo;
use crate::app::theme;
use crate::avatar::{Edit, Framing, MIN_SIDE};
use crate::messages;

/// How many rows of controls `framing_controls` shows for this picture at `width`.
pub fn control_rows(picture: &Photo, width: f32) -> usize {
    // Rotate ×2, the zoom and Reset need 540 px on one row; Centre (with a face) 100 more.
    let one_row = if picture.face.is_some() { 640.0 } else { 540.0 };
    usize::from(width < one_row) + 1 + usize::from(!picture.faces.is_empty())
}

/// Under the picture: with faces, a row saying "Framed on the face" when it is, with "Next face"
/// when there are several; then rotate, zoom, reset, centre, and the keys that do the same.
pub fn framing_controls(ui: &mut egui::Ui, picture: &Photo) -> Option<Edit> {
    let mut edit = None;
    if !picture.faces.is_empty() {
        ui.horizontal(|ui| {
            if picture.framed_on_face() {
                ui.label(theme::caption(
                    ui,
                    messages::sentence(messages::FRAMED_ON_THE_FACE),
                ));
            }
            if let Some(next) = picture.next_face() {
                let number = picture.face.map_or(0, |i| (i + 1) % picture.faces.len()) + 1;
                if ui
                    .small_button(messages::NEXT_FACE)
                    .on_hover_text(messages::next_face_hint(number, picture.faces.len()))
                    .clicked()
                {
                    edit = Some(Edit::OnFace(next));
                }
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Rotate left")
            .on_hover_text("Turn the picture a quarter turn counter-clockwise")
            .clicked()
        {
            edit = Some(Edit::Rotate(-1));
        }
        if ui
            .button("Rotate right")
            .on_hover_text("Turn the picture a quarter turn clockwise")
            .clicked()
        {
            edit = Some(Edit::Rotate(1));
        }
        ui.add_space(theme::space::M);
        let framing = &picture.framing;
        let (width, height) = framing.size();
        let short = f64::from(width.min(height));
        let mut zoom = short / framing.crop().side;
        let max_zoom = (short / MIN_SIDE).max(1.0);
        let slider = ui
            .add_enabled(
                max_zoom > 1.0,
                egui::Slider::new(&mut zoom, 1.0..=max_zoom)
                    .logarithmic(true)
                    .max_decimals(1)
                    // Rounded only when the user moves it: rounding the zoom a framing on a
                    // face has (4.17×) each frame would move the crop by itself.
                    .clamping(egui::SliderClamping::Edits)
                    .suffix("×")
                    .text("Zoom"),
            )
            .on_hover_text("Arrows move the crop, + and − zoom");
        if slider.changed() {
            edit = Some(Edit::SetSide(short / zoom));
        }
        ui.add_space(theme::space::M);
        let reset_hint = if picture.face.is_some() {
            messages::RESET_TO_FACE_HINT
        } else {
            messages::RESET_HINT
        };
        if ui
            .add_enabled(!framing.is_default(), egui::Button::new("Reset"))
            .on_hover_text(reset_hint)
            .clicked()
        {
            edit = Some(Edit::Reset);
        }
        // Only where Reset goes elsewhere (a face) is the centre a step of its own.
        if picture.face.is_some()
            && ui
                .add_enabled(!framing.is_centred(), egui::Button::new(messages::CENTRE))
                .on_hover_text(messages::CENTRE_HINT)
                .clicked()
        {
            edit = Some(Edit::Centre);
        }
    });
    edit
}

/// Keyboard framing, when no text field has focus: arrows nudge (Shift: more), +/- zoom.
pub fn keyboard(ctx: &egui::Context, framing: &Framing) -> Option<Edit> {
    if ctx.memory(|m| m.focused().is_some()) {
        return None;
    }
    let crop = framing.crop();
    ctx.input(|i| {
        let step = crop.side * if i.modifiers.shift { 0.1 } else { 0.02 };
        let pressed = |key| i.key_pressed(key);
        let center = (crop.center_x, crop.center_y);
        if pressed(egui::Key::ArrowLeft) {
            Some(Edit::Pan(-step, 0.0))
        } else if pressed(egui::Key::ArrowRight) {
            Some(Edit::Pan(step, 0.0))
        } else if pressed(egui::Key::ArrowUp) {
            Some(Edit::Pan(0.0, -step))
        } else if pressed(egui::Key::ArrowDown) {
            Some(Edit::Pan(0.0, step))
        } else if pressed(egui::Key::Plus) || pressed(egui::Key::Equals) {
            Some(Edit::Zoom {
                factor: 1.15,
                anchor: center,
            })
        } else if pressed(egui::Key::Minus) {
            Some(Edit::Zoom {
                factor: 1.0 / 1.15,
                anchor: center,
            })
        } else {
            None
        }
    })
}
