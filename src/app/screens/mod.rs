//! The screens: each reads the state (`&AppState`, never more), edits only its own input
//! (the text the user types), and returns every action of the frame. Input that belongs to no
//! widget — dropped files, shortcuts, paste, framing keys — is read here too.

mod about;
mod crop_editor;
mod main_screen;
mod setup;
mod top_bar;

use eframe::egui;

pub use setup::SetupInput;

use super::msg::{Action, ChangeAction, PhotoAction};
use super::state::{AppState, Screen};
use super::{paste, shortcuts, theme};

/// What the screens keep between frames: the text being typed.
#[derive(Default)]
pub struct ScreenInput {
    pub setup: SetupInput,
}

/// Draws the current screen; returns the user's actions of this frame, in order.
pub fn show(ui: &mut egui::Ui, state: &AppState, input: &mut ScreenInput) -> Vec<Action> {
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
        .map(|path| PhotoAction::Load(path).into())
        .into_iter()
        .collect();

    match &state.screen {
        Screen::Setup(setup) => {
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
                                actions.extend(setup::show(ui, setup, &context, &mut input.setup));
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
                actions.push(PhotoAction::OpenDialog.into());
            }
            // Enter presses the screen's primary button, Upload, unless a widget has focus
            // (then Enter is that widget's: a focused button presses itself).
            let enter = ctx.memory(|m| m.focused().is_none())
                && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
            if upload || (enter && state.can_upload()) {
                actions.push(ChangeAction::Upload.into());
            }
            if state.changing() && ctx.input_mut(|i| i.consume_shortcut(&shortcuts::CANCEL)) {
                let at = std::time::Instant::now();
                actions.push(ChangeAction::Cancel { at }.into());
            }
            if let Some(photo) = &state.photo.photo {
                let edit = crop_editor::keyboard(&ctx, &photo.framing);
                actions.extend(edit.map(|edit| PhotoAction::Frame(edit).into()));
            }
            actions.extend(paste::pasted(&ctx).map(Action::from));
            actions.extend(main_screen::show(ui, state, files_hovering));
        }
    }
    actions
}
