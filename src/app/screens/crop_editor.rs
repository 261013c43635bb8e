//! The crop editor: the picture with the square crop and its circle, dragged to pan, scrolled or
//! pinched to zoom around the cursor, resized by its corners; live circular previews; rotate,
//! reset and zoom controls; keyboard nudges. Returns [`Edit`]s; `apply` changes the framing.
//!
//! Drawing uses textured meshes whose texture coordinates come from the framing's own
//! orientation maths, so a rotated picture is drawn by the same mapping the export uses.

use eframe::egui::{self, Color32, Mesh, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2, pos2};

use crate::app::state::{Photo, Prepared};
use crate::app::theme;
use crate::avatar::{Crop, Framing, MIN_SIDE, Orient};
use crate::messages;

/// A change to the framing.
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
    Reset,
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
        }
    }
}

/// Sizes of the live previews: where the Console shows avatars large, in lists, and in the bar.
pub const PREVIEW_SIZES: [f32; 3] = [128.0, 64.0, 32.0];
const HANDLE: f32 = 14.0;

/// Where the picture lies on screen and how big a picture pixel is.
struct Layout {
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

    fn to_screen(&self, (x, y): (f64, f64)) -> Pos2 {
        self.shown.min + Vec2::new(x as f32, y as f32) * self.scale
    }

    fn crop_rect(&self, crop: Crop) -> Rect {
        Rect::from_min_size(
            self.to_screen((crop.left(), crop.top())),
            Vec2::splat(crop.side as f32 * self.scale),
        )
    }
}

/// The texture coordinate of a point of the framed (rotated) picture.
fn uv(framing: &Framing, point: (f64, f64)) -> Pos2 {
    let (width, height) = framing.upright_size();
    let (x, y) = Orient::UPRIGHT
        .then(framing.rotation())
        .to_stored(point, (width, height));
    pos2(
        (x / f64::from(width)) as f32,
        (y / f64::from(height)) as f32,
    )
}

fn vertex(mesh: &mut Mesh, pos: Pos2, uv: Pos2) {
    mesh.vertices.push(egui::epaint::Vertex {
        pos,
        uv,
        color: Color32::WHITE,
    });
}

/// The whole picture, turned as framed, filling `layout.shown`.
fn paint_picture(painter: &egui::Painter, picture: &Photo, layout: &Layout) {
    let framing = &picture.framing;
    let (width, height) = framing.size();
    let (w, h) = (f64::from(width), f64::from(height));
    let mut mesh = Mesh::with_texture(picture.texture.id());
    for corner in [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)] {
        vertex(&mut mesh, layout.to_screen(corner), uv(framing, corner));
    }
    mesh.add_triangle(0, 1, 2);
    mesh.add_triangle(0, 2, 3);
    painter.add(mesh);
}

/// A disc of `radius` at `center` textured by `uv_at`, which maps a point of the unit disc
/// (centre 0, radius 1) to texture coordinates.
fn paint_disc(
    painter: &egui::Painter,
    texture: egui::TextureId,
    center: Pos2,
    radius: f32,
    uv_at: impl Fn(Vec2) -> Pos2,
) {
    const SEGMENTS: u32 = 64;
    let mut mesh = Mesh::with_texture(texture);
    vertex(&mut mesh, center, uv_at(Vec2::ZERO));
    for i in 0..=SEGMENTS {
        let direction = Vec2::angled(i as f32 / SEGMENTS as f32 * std::f32::consts::TAU);
        vertex(&mut mesh, center + direction * radius, uv_at(direction));
        if i > 0 {
            mesh.add_triangle(0, i, i + 1);
        }
    }
    painter.add(mesh);
    // Smooths the polygon's edge.
    painter.circle_stroke(
        center,
        radius,
        Stroke::new(1.0, Color32::from_gray(128).gamma_multiply(0.6)),
    );
}

/// The crop as a disc: exactly what the avatar will show.
fn paint_crop_disc(painter: &egui::Painter, picture: &Photo, center: Pos2, radius: f32) {
    let framing = &picture.framing;
    let crop = framing.crop();
    paint_disc(painter, picture.texture.id(), center, radius, |d| {
        uv(
            framing,
            (
                crop.center_x + f64::from(d.x) * crop.side / 2.0,
                crop.center_y + f64::from(d.y) * crop.side / 2.0,
            ),
        )
    });
}

/// A picture as the Console shows it: its centred square in a disc.
pub fn picture_disc(ui: &mut egui::Ui, texture: &egui::TextureHandle, size: f32, label: &str) {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, label));
    let [width, height] = texture.size().map(|s| s.max(1) as f32);
    let side = width.min(height);
    let (rx, ry) = (side / width / 2.0, side / height / 2.0);
    paint_disc(
        &ui.painter_at(rect.expand(1.0)),
        texture.id(),
        rect.center(),
        size / 2.0,
        |d| pos2(0.5 + d.x * rx, 0.5 + d.y * ry),
    );
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

    let mut edit = None;
    // Corner handles, registered after the picture so they win the pointer.
    let corners = [
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
    ];
    let mut handle_active = false;
    for (corner, opposite, name) in corners {
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
            handle_active = true;
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

    if !handle_active && response.dragged() {
        let delta = response.drag_delta() / layout.scale;
        if delta != Vec2::ZERO {
            edit = Some(Edit::Pan(f64::from(delta.x), f64::from(delta.y)));
        }
    }
    if response.hovered() && !handle_active {
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

    let painter = ui.painter_at(layout.shown.expand(HANDLE));
    paint_picture(&painter, picture, &layout);
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
        let handle = Rect::from_center_size(corner, Vec2::splat(HANDLE * 0.6));
        painter.rect_filled(handle, 1.0, Color32::WHITE);
        painter.rect_stroke(
            handle,
            1.0,
            Stroke::new(1.0, Color32::BLACK),
            StrokeKind::Outside,
        );
    }
    edit
}

/// The side panel: live previews, what will be sent, and the picture in a console's header.
/// `stale`: the estimate is for an earlier framing and a new one is being measured.
/// `user`: the name the Console shows beside the picture, when known.
pub fn previews(
    ui: &mut egui::Ui,
    picture: &Photo,
    prepared: Option<&Prepared>,
    stale: bool,
    user: Option<&str>,
) {
    ui.label(theme::subheading("Preview"));
    ui.horizontal(|ui| {
        for size in PREVIEW_SIZES {
            let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
            response.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Image,
                    true,
                    format!("Preview at {size} pixels"),
                )
            });
            paint_crop_disc(
                &ui.painter_at(rect.expand(1.0)),
                picture,
                rect.center(),
                size / 2.0,
            );
        }
    });
    ui.horizontal(|ui| {
        match prepared.map(|p| &p.result) {
            None => {
                ui.label(theme::caption(ui, messages::WILL_SEND_MEASURING));
            }
            Some(Ok(avatar)) => {
                ui.label(theme::caption(ui, messages::will_send(avatar)));
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
        }
        if stale || prepared.is_none() {
            ui.spinner();
        }
    });
    ui.add_space(theme::space::M);
    ui.label(theme::subheading("In the Console"));
    for theme in [egui::Theme::Light, egui::Theme::Dark] {
        console_header(ui, picture, user.unwrap_or(messages::YOU), theme);
    }
}

/// Under the picture: rotate, zoom, reset, and the keys that do the same.
pub fn framing_controls(ui: &mut egui::Ui, picture: &Photo) -> Option<Edit> {
    let mut edit = None;
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
                    .suffix("×")
                    .text("Zoom"),
            )
            .on_hover_text("Arrows move the crop, + and − zoom");
        if slider.changed() {
            edit = Some(Edit::SetSide(short / zoom));
        }
        ui.add_space(theme::space::M);
        if ui
            .add_enabled(!framing.is_default(), egui::Button::new("Reset"))
            .on_hover_text("Back to the largest centred square, unrotated")
            .clicked()
        {
            edit = Some(Edit::Reset);
        }
    });
    edit
}

/// A console's top bar as the avatar will sit in it, in `theme`'s colours: a mock drawn by us
/// (no F5 artwork), so the user sees the picture at its real size among real-looking chrome.
fn console_header(ui: &mut egui::Ui, picture: &Photo, user: &str, theme: egui::Theme) {
    let colors = theme::palette_of(theme);
    let width = ui.available_width().min(268.0);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, 40.0), Sense::hover());
    let name = match theme {
        egui::Theme::Light => "light",
        egui::Theme::Dark => "dark",
    };
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            format!("Your picture in a console header, {name} theme"),
        )
    });
    let painter = ui.painter_at(rect);
    painter.rect(
        rect,
        f32::from(theme::radius::CONTROL),
        colors.surface,
        Stroke::new(1.0, colors.border),
        egui::StrokeKind::Inside,
    );
    // A menu glyph and a search field, as consoles have.
    let left = rect.left() + 12.0;
    for i in 0..3 {
        let y = rect.center().y - 5.0 + i as f32 * 5.0;
        painter.line_segment(
            [pos2(left, y), pos2(left + 14.0, y)],
            Stroke::new(1.5, colors.text_weak),
        );
    }
    let search = Rect::from_min_size(
        pos2(left + 26.0, rect.center().y - 10.0),
        Vec2::new(70.0, 20.0),
    );
    painter.rect_filled(search, 10.0, colors.sunken);
    let radius = 12.0;
    let avatar = pos2(rect.right() - 10.0 - radius, rect.center().y);
    paint_crop_disc(&painter, picture, avatar, radius);
    let font = egui::FontId::proportional(theme::size::CAPTION);
    let galley = painter.layout_no_wrap(user.to_owned(), font, colors.text);
    let text_left = (avatar.x - radius - 8.0 - galley.size().x).max(search.right() + 8.0);
    painter
        .with_clip_rect(Rect::from_x_y_ranges(
            search.right() + 8.0..=avatar.x - radius - 6.0,
            rect.y_range(),
        ))
        .galley(
            pos2(text_left, rect.center().y - galley.size().y / 2.0),
            galley,
            colors.text,
        );
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
