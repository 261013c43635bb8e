//! The main screen: the picture with its crop, Upload, and the outcome of the last action.

use eframe::egui::{self, Color32, Rect, Stroke, StrokeKind, Vec2};

use super::crop_editor;
use crate::app::msg::Action;
use crate::app::shortcuts;
use crate::app::state::{AppState, Current, NoticeAction, Tone};
use crate::messages::{self, sentence};

/// The colour of good news, readable on light and dark themes.
pub const SUCCESS_GREEN: Color32 = Color32::from_rgb(0x2e, 0x9d, 0x4f);

pub fn show(ui: &mut egui::Ui, state: &AppState, files_hovering: bool) -> Option<Action> {
    let mut action = None;

    egui::Panel::top("tenant_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some(a) = tenant_picker(ui, state) {
                action = Some(a);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("Tenant and token…")
                    .on_hover_text("Change the tenant URL or API token")
                    .clicked()
                {
                    action = Some(Action::OpenSetup { reason: None });
                }
            });
        });
    });

    egui::Panel::bottom("actions").show(ui, |ui| {
        ui.add_space(6.0);
        if let Some(a) = notice(ui, state) {
            action = Some(a);
        }
        ui.horizontal(|ui| {
            let hint = shortcuts::hint(ui.ctx(), "Open a picture", &shortcuts::OPEN);
            if ui
                .button("Choose image…")
                .on_hover_text(format!("{hint}, or drop one on the window"))
                .clicked()
            {
                action = Some(Action::OpenDialog);
            }
            if let Some(name) = &state.photo.loading {
                ui.spinner();
                ui.label(messages::opening(name));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if state.changing() {
                    let hint = shortcuts::hint(ui.ctx(), "Stop it", &shortcuts::CANCEL);
                    if ui.button("Cancel").on_hover_text(hint).clicked() {
                        action = Some(Action::CancelChange {
                            at: std::time::Instant::now(),
                        });
                    }
                    ui.label(upload_progress(ui, state));
                    ui.spinner();
                } else {
                    let hint = shortcuts::hint(
                        ui.ctx(),
                        "Set this as your profile picture",
                        &shortcuts::UPLOAD,
                    );
                    let upload = ui
                        .add_enabled(state.can_upload(), egui::Button::new("Upload"))
                        .on_hover_text(hint);
                    if upload.clicked() {
                        action = Some(Action::Upload);
                    }
                }
            });
        });
        ui.add_space(6.0);
    });

    if state.photo.photo.is_some() || state.tenant.connection.is_some() {
        egui::Panel::right("preview")
            .resizable(false)
            .default_size(290.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                if let Some(a) = current_picture(ui, state) {
                    action = Some(a);
                }
                let Some(picture) = &state.photo.photo else {
                    return;
                };
                ui.separator();
                let prepared = state.photo.prepared_for_photo();
                let stale = !state.photo.prepared_is_current();
                if let Some(edit) = crop_editor::side_panel(ui, picture, prepared, stale) {
                    action = Some(Action::Frame(edit));
                }
            });
    }

    egui::CentralPanel::default().show(ui, |ui| {
        let area = ui.available_rect_before_wrap();
        match &state.photo.photo {
            Some(picture) => {
                if let Some(edit) = crop_editor::editor(ui, picture, area.shrink(8.0)) {
                    action = Some(Action::Frame(edit));
                }
            }
            None => empty_view(ui, area),
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
    });
    action
}

/// The active tenant; a menu to switch when several are saved; the keyring read in progress.
fn tenant_picker(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let mut action = None;
    let active = state
        .tenant
        .connection
        .as_ref()
        .map(|c| &c.tenant)
        .or(state.tenant.reading_token.as_ref());
    let label = ui.label("Tenant:");
    match active {
        Some(tenant) if state.tenant.settings.tenants.len() > 1 => {
            egui::ComboBox::from_id_salt("active_tenant")
                .selected_text(tenant.origin())
                .show_ui(ui, |ui| {
                    for saved in state.tenant.settings.tenant_urls() {
                        let chosen = ui.selectable_label(&saved == tenant, saved.origin());
                        if chosen.clicked() && &saved != tenant {
                            action = Some(Action::SwitchTenant(saved));
                        }
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text("Switch to another saved tenant");
        }
        Some(tenant) => {
            ui.label(tenant.origin());
        }
        None => {
            ui.label("none yet");
        }
    }
    if let Some(tenant) = &state.tenant.reading_token {
        ui.spinner();
        ui.label(messages::reading_token(tenant, state.tenant.store_location));
    } else if state.tenant.env_token.is_some() {
        ui.weak(format!("(token from {})", crate::ENV_TOKEN));
    }
    action
}

/// What the tenant shows now, and "Remove picture…".
fn current_picture(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let connection = state.tenant.connection.as_ref()?;
    let mut action = None;
    ui.strong(messages::now_on(&connection.tenant));
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
    if matches!(state.current.shown, Current::Shown { .. })
        && ui
            .add_enabled(!state.changing(), egui::Button::new("Remove picture…"))
            .on_hover_text("Remove your profile picture from this tenant")
            .clicked()
    {
        action = Some(Action::AskRemove);
    }
    if state.change.confirm_remove {
        let modal = egui::Modal::new(ui.scope_id().with("confirm_remove")).show(ui.ctx(), |ui| {
            ui.heading("Remove your profile picture?");
            ui.label(messages::remove_question_body(&connection.tenant));
            ui.add_space(8.0);
            let mut chosen = None;
            ui.horizontal(|ui| {
                if ui.button("Remove").clicked() {
                    chosen = Some(Action::Remove);
                }
                if ui.button("Keep it").clicked() {
                    chosen = Some(Action::KeepPicture);
                }
            });
            chosen
        });
        let close = modal.should_close();
        action = modal.inner.or(close.then_some(Action::KeepPicture));
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

fn empty_view(ui: &mut egui::Ui, area: Rect) {
    let painter = ui.painter();
    painter.rect_stroke(
        area.shrink(16.0),
        12.0,
        Stroke::new(2.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
        StrokeKind::Inside,
    );
    ui.scope_builder(egui::UiBuilder::new().max_rect(area), |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(area.height() / 2.0 - 40.0);
            ui.heading("Drop a photo here");
            ui.label(format!(
                "or choose one below ({}). JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF.",
                shortcuts::label(ui.ctx(), &shortcuts::OPEN)
            ));
        });
    });
}

/// The outcome panel: title, what the server said, the next step, and the button that fits.
fn notice(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let notice = state.notice.as_ref()?;
    let mut action = None;
    let color = match notice.tone {
        Tone::Success => SUCCESS_GREEN,
        Tone::Error => ui.visuals().error_fg_color,
    };
    egui::Frame::group(ui.style())
        .stroke(Stroke::new(1.0, color))
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
                    NoticeAction::UpdateToken | NoticeAction::CheckTenant => Action::OpenSetup {
                        reason: Some(sentence(&notice.title)),
                    },
                    NoticeAction::TryAgain => Action::TryAgain,
                    NoticeAction::Undo => Action::Undo,
                });
            }
        });
    ui.add_space(6.0);
    action
}
