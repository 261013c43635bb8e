//! Drawing the picture and its discs with textured meshes, whose texture coordinates come from
//! the framing's own orientation maths: a rotated picture is drawn by the same mapping the
//! export uses.

use eframe::egui::{self, Color32, Mesh, Pos2, Sense, Stroke, Vec2, pos2};

use super::Layout;
use crate::app::state::Photo;
use crate::avatar::{Framing, Orient};

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
pub(super) fn paint_picture(painter: &egui::Painter, picture: &Photo, layout: &Layout) {
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
pub(super) fn paint_crop_disc(painter: &egui::Painter, picture: &Photo, center: Pos2, radius: f32) {
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
