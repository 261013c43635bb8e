//! The crop editor: the picture with the square crop and its circle, dragged to pan, scrolled or
//! pinched to zoom around the cursor, resized by its corners. Beside it (`previews`): live
//! circular previews and the picture in a console's header; under it (`controls`): rotate,
//! zoom, reset, and the keys. Every part returns [`Edit`]s, which `update` applies to the
//! framing (`avatar::Edit`, beside `Framing` in the core), so a new way to frame — say, on a
//! face the core found — is one more `Edit` and one more control.

mod controls;
mod paint;
mod previews;

use eframe::egui::{self, Color32, Pos2, Rect, Response, Sense, Stroke, StrokeKind, Vec2, pos2};

pub use controls::{control_rows, framing_controls, keyboard};
pub use paint::picture_disc;
pub use previews::previews;

use crate::app::state::Photo;
use crate::avatar::{Crop, Edit, Framing, MIN_SIDE};

const HANDLE: f32 = 14.0;

/// Where the picture lies on screen and how big a picture pixel is.
pub(super) struct Layout {
    shown: Rect,
    scale: f32,
}

impl Layout {
    fn new(framing: &Framing, area: Rect) -> Self {
        let (width, height) = framing.size();
        let size = Vec2::new(width as f32, height as f32);
        let scale = (area.width() / size.x).min(area.height() / size.y);
        Layout {
            shown: Rect::from_center_size(area.center(), size * scale),
            scale,
        }
    }

    fn to_picture(&self, pos: Pos2) -> (f64, f64) {
        let at = (pos - self.shown.min) / self.scale;
        (f64::from(at.x), f64::from(at.y))
    }

    pub(super) fn to_screen(&self, (x, y): (f64, f64)) -> Pos2 {
        self.shown.min + Vec2::new(x as f32, y as f32) * self.scale
    }

    fn crop_rect(&self, crop: Crop) -> Rect {
        Rect::from_min_size(
            self.to_screen((crop.left(), crop.top())),
            Vec2::splat(crop.side as f32 * self.scale),
        )
    }
}

/// The editor in `area`. Returns the edit the pointer made this frame.
pub fn editor(ui: &mut egui::Ui, picture: &Photo, area: Rect) -> Option<Edit> {
    let framing = &picture.framing;
    let layout = Layout::new(framing, area);
    let crop = framing.crop();
    let crop_rect = layout.crop_rect(crop);
    let id = ui.scope_id().with("crop_editor");

    let response = ui.interact(layout.shown, id, Sense::click_and_drag());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            format!(
                "{}: crop {} pixels square; drag to move it, scroll to zoom",
                picture.name,
                crop.side.round()
            ),
        )
    });
    // Corner handles, registered after the picture so they win the pointer.
    let corners = corners(crop_rect);
    let edit = match resize(ui, id, &layout, &corners) {
        Some(resized) => Some(resized),
        None => pan_or_zoom(ui, &response, &layout, crop),
    };
    paint(ui, picture, &layout, crop_rect, &corners);
    edit.or_else(|| face_clicked(ui, &response, picture, &layout))
}

/// A face under the pointer is outlined; a click frames it, keeping the picture's turn.
fn face_clicked(
    ui: &egui::Ui,
    response: &Response,
    picture: &Photo,
    layout: &Layout,
) -> Option<Edit> {
    if picture.faces.len() < 2 {
        return None;
    }
    let pointer = response.hover_pos()?;
    let at = layout.to_picture(pointer);
    // Faces are boxes in the upright picture; the picture is shown turned as framed.
    let framing = &picture.framing;
    let turns = framing.rotation().quarter_turns();
    let (face, shown) = picture.faces.iter().find_map(|face| {
        let shown = face.turned(turns, framing.upright_size());
        shown.contains(at).then_some((*face, shown))
    })?;
    let outline = Rect::from_min_size(
        layout.to_screen((shown.x, shown.y)),
        Vec2::new(shown.width as f32, shown.height as f32) * layout.scale,
    );
    ui.painter().rect_stroke(
        outline,
        4.0,
        Stroke::new(1.5, Color32::from_white_alpha(200)),
        StrokeKind::Outside,
    );
    response
        .clone()
        .on_hover_text(crate::messages::CLICK_FACE_HINT);
    response.clicked().then_some(Edit::OnFace(face))
}

/// Each corner of the crop, the corner opposite it, and its name.
type Corner = (Pos2, Pos2, &'static str);

fn corners(crop_rect: Rect) -> [Corner; 4] {
    [
        (crop_rect.left_top(), crop_rect.right_bottom(), "top left"),
        (crop_rect.right_top(), crop_rect.left_bottom(), "top right"),
        (
            crop_rect.left_bottom(),
            crop_rect.right_top(),
            "bottom left",
        ),
        (
            crop_rect.right_bottom(),
            crop_rect.left_top(),
            "bottom right",
        ),
    ]
}

/// A corner dragged: the square resized about the opposite corner.
fn resize(ui: &mut egui::Ui, id: egui::Id, layout: &Layout, corners: &[Corner; 4]) -> Option<Edit> {
    let mut edit = None;
    for &(corner, opposite, name) in corners {
        let handle = ui.interact(
            Rect::from_center_size(corner, Vec2::splat(HANDLE)),
            id.with(name),
            Sense::drag(),
        );
        handle.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                true,
                format!("Resize the crop from its {name} corner"),
            )
        });
        let diagonal = (corner.x < opposite.x) == (corner.y < opposite.y);
        let handle = handle.on_hover_cursor(if diagonal {
            egui::CursorIcon::ResizeNwSe
        } else {
            egui::CursorIcon::ResizeNeSw
        });
        if handle.dragged()
            && let Some(pointer) = handle.interact_pointer_pos()
        {
            let fixed = layout.to_picture(opposite);
            let at = layout.to_picture(pointer);
            let side = (at.0 - fixed.0)
                .abs()
                .max((at.1 - fixed.1).abs())
                .max(MIN_SIDE);
            let left = if corner.x < opposite.x {
                fixed.0 - side
            } else {
                fixed.0
            };
            let top = if corner.y < opposite.y {
                fixed.1 - side
            } else {
                fixed.1
            };
            edit = Some(Edit::SetCrop(Crop::from_corner(left, top, side)));
        }
    }
    edit
}

/// The picture dragged (pan), scrolled or pinched (zoom around the pointer).
fn pan_or_zoom(ui: &egui::Ui, response: &Response, layout: &Layout, crop: Crop) -> Option<Edit> {
    let mut edit = None;
    if response.dragged() {
        let delta = response.drag_delta() / layout.scale;
        if delta != Vec2::ZERO {
            edit = Some(Edit::Pan(f64::from(delta.x), f64::from(delta.y)));
        }
    }
    if response.hovered() {
        let cursor = if response.dragged() {
            egui::CursorIcon::Grabbing
        } else {
            egui::CursorIcon::Grab
        };
        ui.ctx().set_cursor_icon(cursor);
        let (scroll, pinch, pointer) = ui.input(|i| {
            (
                i.smooth_scroll_delta.y,
                i.zoom_delta(),
                i.pointer.hover_pos(),
            )
        });
        let factor = f64::from(pinch) * (f64::from(scroll) / 300.0).exp();
        if (factor - 1.0).abs() > 1e-4 {
            let anchor = pointer.map_or((crop.center_x, crop.center_y), |p| layout.to_picture(p));
            edit = Some(Edit::Zoom { factor, anchor });
        }
    }
    edit
}

/// The picture, shaded outside the square, the circle the Console shows, and the handles.
fn paint(ui: &egui::Ui, picture: &Photo, layout: &Layout, crop_rect: Rect, corners: &[Corner; 4]) {
    let painter = ui.painter_at(layout.shown.expand(HANDLE));
    paint::paint_picture(&painter, picture, layout);
    let shade = Color32::from_black_alpha(150);
    let shown = layout.shown;
    for outside in [
        Rect::from_min_max(shown.min, pos2(shown.max.x, crop_rect.min.y)),
        Rect::from_min_max(pos2(shown.min.x, crop_rect.max.y), shown.max),
        Rect::from_min_max(
            pos2(shown.min.x, crop_rect.min.y),
            pos2(crop_rect.min.x, crop_rect.max.y),
        ),
        Rect::from_min_max(
            pos2(crop_rect.max.x, crop_rect.min.y),
            pos2(shown.max.x, crop_rect.max.y),
        ),
    ] {
        painter.rect_filled(outside, 0.0, shade);
    }
    // Inside the square but outside the circle: lighter, since the Console shows a circle.
    painter.rect_stroke(
        crop_rect,
        0.0,
        Stroke::new(1.0, Color32::from_white_alpha(120)),
        StrokeKind::Inside,
    );
    painter.circle_stroke(
        crop_rect.center(),
        crop_rect.width() / 2.0,
        Stroke::new(2.0, Color32::WHITE),
    );
    for (corner, _, _) in corners {
        let handle = Rect::from_center_size(*corner, Vec2::splat(HANDLE * 0.6));
        painter.rect_filled(handle, 1.0, Color32::WHITE);
        painter.rect_stroke(
            handle,
            1.0,
            Stroke::new(1.0, Color32::BLACK),
            StrokeKind::Outside,
        );
    }
}
