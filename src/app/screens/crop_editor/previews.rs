//! Beside the editor: live round previews at the Console's sizes, what will be sent, and the
//! picture in a console's header.

use eframe::egui::{self, Rect, Sense, Stroke, Vec2, pos2};

use super::paint::paint_crop_disc;
use crate::app::state::{Photo, Prepared};
use crate::app::theme;
use crate::messages;

/// Sizes of the live previews: where the Console shows avatars large, in lists, and in the bar.
pub const PREVIEW_SIZES: [f32; 3] = [128.0, 64.0, 32.0];

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
