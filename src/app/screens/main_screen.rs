//! The main screen: the picture with its crop, Upload, and the outcome of the last action.

use eframe::egui::{self, Color32, Rect, Stroke, StrokeKind, Vec2};

use super::crop_editor;
use super::top_bar::{bar_frame, top_bar};
use crate::app::msg::{Action, ChangeAction, PhotoAction, SetupAction, TenantAction};
use crate::app::shortcuts;
use crate::app::state::{AppState, Current, NoticeAction, Tone};
use crate::app::theme::{self, space};
use crate::messages::{self, sentence};

/// Draws the main screen; returns the user's actions of this frame, in order.
pub fn show(ui: &mut egui::Ui, state: &AppState, files_hovering: bool) -> Vec<Action> {
    let mut actions = Vec::new();
    top_bar(ui, state, &mut actions);

    // Below the top bar the regions are placed by hand rather than as egui panels, so they
    // are created — and Tab visits them — in reading order: the picture and its controls,
    // the side column, then the actions at the bottom. Panels would have to come before the
    // central area. The bottom bar's height is last frame's (it grows with the outcome panel).
    let full = ui.available_rect_before_wrap();
    let bar_id = egui::Id::unique("xc-avatar bottom bar height");
    let bar_height = ui.ctx().data(|d| d.get_temp::<f32>(bar_id)).unwrap_or(56.0);
    let (content, bottom) = full.split_top_bottom_at_y(full.bottom() - bar_height);
    let with_side = state.photo.photo.is_some() || state.tenant.connection.is_some();
    let (center, side) = if with_side {
        let (center, side) = content.split_left_right_at_x(content.right() - SIDE_WIDTH);
        (center, Some(side))
    } else {
        (content, None)
    };
    ui.painter()
        .rect_filled(full, 0.0, theme::palette(ui).background);

    region(ui, center, |ui| {
        actions.extend(central(ui, state, center.shrink(space::S), files_hovering));
    });

    if let Some(side) = side {
        ui.painter().vline(
            side.left(),
            side.y_range(),
            Stroke::new(1.0, theme::palette(ui).border),
        );
        region(ui, side.shrink(space::L), |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                actions.extend(current_picture(ui, state));
                let Some(picture) = &state.photo.photo else {
                    return;
                };
                ui.add_space(space::L);
                let prepared = state.photo.prepared_for_photo();
                let stale = !state.photo.prepared_is_current();
                let user = state.current.user_name.as_deref();
                crop_editor::previews(ui, picture, prepared, stale, user);
            });
        });
    }

    let used = region(ui, bottom, |ui| {
        bar_frame(ui)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                actions.extend(actions_bar(ui, state));
            })
            .response
            .rect
            .height()
    });
    if (used - bar_height).abs() > 0.5 {
        ui.ctx().data_mut(|d| d.insert_temp(bar_id, used));
        ui.ctx().request_repaint();
    }
    if state.about_open && super::about::show(ui.ctx()) {
        actions.push(TenantAction::ShowAbout(false).into());
    }
    actions
}

/// The side column's width: the 128 px preview and a console header, with margins.
const SIDE_WIDTH: f32 = 300.0;

/// Runs `add` in a child ui confined to `rect`.
fn region<R>(ui: &mut egui::Ui, rect: Rect, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    ui.scope_builder(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
        |ui| {
            ui.set_clip_rect(rect.intersect(ui.clip_rect()));
            add(ui)
        },
    )
    .inner
}

/// The picture with its framing controls, or the empty drop zone; the drop highlight.
fn central(ui: &mut egui::Ui, state: &AppState, area: Rect, files_hovering: bool) -> Vec<Action> {
    let mut actions = Vec::new();
    match &state.photo.photo {
        Some(picture) => {
            // The picture is the hero; its controls sit right under it, on two rows when
            // the window is narrow.
            let rows = crop_editor::control_rows(picture, area.width());
            let controls_height = 40.0 * rows as f32 + 4.0;
            let (picture_area, controls) =
                area.split_top_bottom_at_y(area.bottom() - controls_height);
            if let Some(edit) = crop_editor::editor(ui, picture, picture_area) {
                actions.push(PhotoAction::Frame(edit).into());
            }
            ui.scope_builder(
                egui::UiBuilder::new()
                    .max_rect(controls)
                    .layout(if picture.faces.is_empty() {
                        egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true)
                    } else {
                        // The faces' row above the framing's.
                        egui::Layout::top_down(egui::Align::Min)
                    }),
                |ui| {
                    if let Some(edit) = crop_editor::framing_controls(ui, picture) {
                        actions.push(PhotoAction::Frame(edit).into());
                    }
                },
            );
        }
        None => actions.extend(empty_view(ui, area, state.current.initials_name.as_deref())),
    }
    if files_hovering {
        let painter = ui.painter();
        painter.rect_filled(
            area,
            8.0,
            ui.visuals().selection.bg_fill.gamma_multiply(0.35),
        );
        painter.rect_stroke(
            area.shrink(2.0),
            8.0,
            Stroke::new(3.0, ui.visuals().selection.stroke.color),
            StrokeKind::Inside,
        );
        // A label rather than painted text, so screen readers announce it too.
        ui.put(
            Rect::from_center_size(area.center(), Vec2::new(area.width(), 48.0)),
            egui::Label::new(egui::RichText::new("Drop to open").size(28.0).strong()),
        );
    }
    actions
}

/// The bottom bar: the outcome panel, then Choose image and the primary action.
fn actions_bar(ui: &mut egui::Ui, state: &AppState) -> Vec<Action> {
    let mut actions: Vec<Action> = notice(ui, state).into_iter().collect();
    ui.horizontal(|ui| {
        // With no picture, the drop zone in the middle holds this button.
        let hint = shortcuts::hint(ui.ctx(), "Open a picture", &shortcuts::OPEN);
        if state.photo.photo.is_some()
            && ui
                .button("Choose image…")
                .on_hover_text(format!("{hint}, or drop one on the window"))
                .clicked()
        {
            actions.push(PhotoAction::OpenDialog.into());
        }
        if let Some(name) = &state.photo.loading {
            ui.spinner();
            ui.label(messages::opening(name));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if state.changing() {
                let hint = shortcuts::hint(ui.ctx(), "Stop it", &shortcuts::CANCEL);
                if ui.button("Cancel").on_hover_text(hint).clicked() {
                    actions.push(
                        ChangeAction::Cancel {
                            at: std::time::Instant::now(),
                        }
                        .into(),
                    );
                }
                ui.label(upload_progress(ui, state));
                ui.spinner();
            } else {
                let hint = shortcuts::hint(
                    ui.ctx(),
                    "Set this as your profile picture",
                    &shortcuts::UPLOAD,
                );
                let button = if state.can_upload() {
                    theme::primary_button(ui, "Upload")
                } else {
                    egui::Button::new("Upload").min_size(egui::vec2(96.0, 32.0))
                };
                let upload = ui
                    .add_enabled(state.can_upload(), button)
                    .on_hover_text(format!("{hint} (or Enter)"));
                if upload.clicked() {
                    actions.push(ChangeAction::Upload.into());
                }
            }
        });
    });
    actions
}

/// What the tenant shows now, and "Remove picture…".
fn current_picture(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let connection = state.tenant.connection.as_ref()?;
    let mut action = None;
    ui.label(theme::subheading(messages::now_on(&connection.tenant)));
    // Plain labels wrap, so a long message cannot widen the panel and move the editor.
    match &state.current.shown {
        Current::Fetching => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(messages::FETCHING_CURRENT);
            });
        }
        Current::Missing => {
            ui.label(messages::NO_PICTURE_YET);
        }
        Current::Shown {
            texture: Some(texture),
            ..
        } => {
            crop_editor::picture_disc(ui, texture, 64.0, "Your current profile picture");
        }
        Current::Shown {
            texture: None,
            picture,
        } => {
            ui.label(messages::cannot_show(&picture.content_type));
        }
        Current::Failed(said) => {
            ui.label(said);
        }
    }
    // Destructive, but only a first step (it asks): red text rather than a red fill.
    let remove =
        egui::Button::new(egui::RichText::new("Remove picture…").color(theme::palette(ui).error));
    if matches!(state.current.shown, Current::Shown { .. })
        && ui
            .add_enabled(!state.changing(), remove)
            .on_hover_text("Remove your profile picture from this tenant")
            .clicked()
    {
        action = Some(ChangeAction::AskRemove.into());
    }
    if state.change.confirm_remove {
        let modal = egui::Modal::new(ui.scope_id().with("confirm_remove")).show(ui.ctx(), |ui| {
            ui.set_max_width(380.0);
            ui.label(theme::subheading("Remove your profile picture?"));
            ui.label(messages::remove_question_body(&connection.tenant));
            ui.add_space(space::M);
            let mut chosen = None;
            // The safe choice on the right, where the eye ends, as in GNOME's dialogs.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let keep = ui.add(theme::primary_button(ui, "Keep it"));
                if keep.clicked() {
                    chosen = Some(ChangeAction::KeepPicture.into());
                }
                if ui.add(theme::destructive_button(ui, "Remove")).clicked() {
                    chosen = Some(ChangeAction::Remove.into());
                }
            });
            chosen
        });
        let close = modal.should_close();
        action = modal
            .inner
            .or(close.then(|| ChangeAction::KeepPicture.into()));
    }
    action
}

/// "Uploading…", or the retry countdown: "… — retrying in 7 s (attempt 2 of 4)".
fn upload_progress(ui: &egui::Ui, state: &AppState) -> String {
    let doing = state
        .change
        .running
        .as_ref()
        .map_or("Uploading…", |running| running.kind.doing());
    let Some(retry) = &state.change.retry else {
        return doing.into();
    };
    let left = retry
        .at
        .saturating_duration_since(std::time::Instant::now());
    if left.is_zero() {
        return messages::attempt(doing, retry.next_attempt, retry.attempts);
    }
    // Wake up for the next tick of the countdown, and not before.
    let tick = left.as_secs_f32().fract();
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs_f32(if tick > 0.0 {
            tick
        } else {
            1.0
        }));
    messages::retrying(
        &retry.reason,
        left.as_secs_f32().ceil() as u64,
        retry.next_attempt,
        retry.attempts,
    )
}

/// No picture yet: a calm drop zone with one line on what to do; and, once the tenant has said
/// who the user is, the initials avatar for people without a photo.
fn empty_view(ui: &mut egui::Ui, area: Rect, initials_name: Option<&str>) -> Option<Action> {
    let p = theme::palette(ui);
    let zone = area.shrink(space::XL);
    let painter = ui.painter();
    painter.rect_filled(zone, f32::from(theme::radius::CARD), p.surface);
    painter.rect_stroke(
        zone,
        f32::from(theme::radius::CARD),
        Stroke::new(1.5, p.border),
        StrokeKind::Inside,
    );
    paint_photo_icon(
        painter,
        zone.center() - Vec2::new(0.0, 70.0),
        30.0,
        p.text_weak,
    );
    let mut action = None;
    ui.scope_builder(egui::UiBuilder::new().max_rect(zone), |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(zone.height() / 2.0 - 24.0);
            ui.label(theme::subheading("Drop a photo here"));
            ui.label(theme::caption(
                ui,
                "JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF — you frame it in a circle next.",
            ));
            ui.add_space(space::S);
            let hint = shortcuts::hint(ui.ctx(), "Open a picture", &shortcuts::OPEN);
            if ui.button("Choose image…").on_hover_text(hint).clicked() {
                action = Some(PhotoAction::OpenDialog.into());
            }
            if let Some(name) = initials_name {
                ui.add_space(space::S);
                if ui
                    .link(messages::USE_INITIALS)
                    .on_hover_text(messages::use_initials_hint(name))
                    .clicked()
                {
                    let name = name.to_owned();
                    action = Some(PhotoAction::UseInitials { name }.into());
                }
            }
        });
    });
    action
}

/// A framed landscape: the empty state's picture, drawn so it follows the theme.
fn paint_photo_icon(painter: &egui::Painter, center: egui::Pos2, half: f32, color: Color32) {
    let frame = Rect::from_center_size(center, Vec2::new(half * 2.4, half * 1.8));
    let stroke = Stroke::new(2.0, color);
    painter.rect_stroke(frame, 6.0, stroke, StrokeKind::Middle);
    painter.circle_filled(
        frame.left_top() + Vec2::new(half * 0.6, half * 0.55),
        half * 0.18,
        color,
    );
    let base = frame.bottom() - half * 0.3;
    let hills = vec![
        egui::pos2(frame.left() + half * 0.25, base),
        egui::pos2(frame.left() + half * 0.95, frame.top() + half * 0.8),
        egui::pos2(frame.left() + half * 1.45, base - half * 0.35),
        egui::pos2(frame.left() + half * 1.75, frame.top() + half * 1.05),
        egui::pos2(frame.right() - half * 0.25, base),
    ];
    painter.add(egui::Shape::line(hills, stroke));
}

/// The outcome panel: title, what the server said, the next step, and the button that fits.
fn notice(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let notice = state.notice.as_ref()?;
    let mut action = None;
    let color = match notice.tone {
        Tone::Success => theme::palette(ui).success,
        Tone::Error => theme::palette(ui).error,
    };
    theme::card(ui)
        .stroke(Stroke::new(1.5, color))
        .inner_margin(space::M as i8)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.colored_label(color, egui::RichText::new(sentence(&notice.title)).strong());
            if let Some(said) = &notice.server_text {
                ui.label(format!("Server said: {said}"));
            }
            if let Some(step) = &notice.next_step {
                ui.label(step);
            }
            if let Some((label, what)) = &notice.action
                && ui.button(label).clicked()
            {
                action = Some(match what {
                    NoticeAction::UpdateCredential | NoticeAction::CheckTenant => {
                        SetupAction::Open {
                            reason: Some(sentence(&notice.title)),
                        }
                        .into()
                    }
                    NoticeAction::TryAgain => ChangeAction::TryAgain.into(),
                    NoticeAction::Undo => ChangeAction::Undo.into(),
                });
            }
        });
    ui.add_space(space::S);
    action
}
