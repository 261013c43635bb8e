//! The screens: each draws the state and returns what the user asked for. Input that belongs to
//! no widget — dropped files, shortcuts, paste, framing keys — is read here too.

pub mod about;
pub mod crop_editor;
pub mod main_screen;
pub mod setup;

use eframe::egui;

use super::msg::Action;
use super::state::{AppState, Screen};
use super::{paste, shortcuts, theme};

/// Draws the current screen; returns the user's actions of this frame, in order.
pub fn show(ui: &mut egui::Ui, state: &mut AppState) -> Vec<Action> {
    let ctx = ui.ctx().clone();
    let (dropped, files_hovering) = ctx.input(|i| {
        (
            i.raw.dropped_files.first().map(|f| f.path().to_path_buf()),
            !i.raw.hovered_files.is_empty(),
        )
    });
    // Native windows hand over dropped files as paths (the web's byte-only drops are not ours).
    let mut actions: Vec<Action> = dropped
        .filter(|path| !path.as_os_str().is_empty())
        .map(Action::Load)
        .into_iter()
        .collect();

    match &mut state.screen {
        Screen::Setup(form) => {
            let context = setup::SetupContext {
                env_token: state.tenant.env_token.as_ref(),
                saved_tenants: &state.tenant.settings.tenants,
                store_location: state.tenant.store_location,
            };
            egui::CentralPanel::default().show(ui, |ui| {
                // A welcome card in the middle of the window, as GNOME's and Slack's first
                // screens are; it scrolls rather than clip when the window is small.
                egui::ScrollArea::vertical().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(theme::space::XL);
                        theme::card(ui).show(ui, |ui| {
                            ui.set_max_width(600.0);
                            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                                actions.extend(setup::show(ui, form, &context));
                            });
                        });
                        ui.add_space(theme::space::XL);
                    });
                });
            });
        }
        // While "Remove your picture?" is open, only its buttons (and Esc) act.
        Screen::Main if state.change.confirm_remove => {
            actions.extend(main_screen::show(ui, state, files_hovering));
        }
        Screen::Main => {
            let (open, upload) = ctx.input_mut(|i| {
                (
                    i.consume_shortcut(&shortcuts::OPEN),
                    i.consume_shortcut(&shortcuts::UPLOAD),
                )
            });
            if open {
                actions.push(Action::OpenDialog);
            }
            // Enter presses the screen's primary button, Upload, unless a widget has focus
            // (then Enter is that widget's: a focused button presses itself).
            let enter = ctx.memory(|m| m.focused().is_none())
                && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
            if upload || (enter && state.can_upload()) {
                actions.push(Action::Upload);
            }
            if state.changing() && ctx.input_mut(|i| i.consume_shortcut(&shortcuts::CANCEL)) {
                actions.push(Action::CancelChange {
                    at: std::time::Instant::now(),
                });
            }
            if let Some(photo) = &state.photo.photo {
                actions.extend(crop_editor::keyboard(&ctx, &photo.framing).map(Action::Frame));
            }
            actions.extend(paste::pasted(&ctx));
            actions.extend(main_screen::show(ui, state, files_hovering));
        }
    }
    actions
}
