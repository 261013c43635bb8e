//! The main screen's top bar: the tenant in use and where its credential came from (a menu to
//! switch when several are saved), "Tenant and credential…", and the app's menu.

use eframe::egui::{self, Stroke};

use crate::app::msg::{Action, SetupAction, TenantAction};
use crate::app::state::AppState;
use crate::app::theme::{self, space};
use crate::messages;
use crate::settings::Appearance;

/// The tenant in use and how it signs in; "Tenant and credential…" and the menu.
pub fn top_bar(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    egui::Panel::top("tenant_bar")
        .frame(bar_frame(ui))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                actions.extend(tenant_picker(ui, state));
                // Right-aligned, but laid out left to right so Tab visits them in the order
                // they read: pushed over by last frame's width of the group.
                let width_id = egui::Id::unique("xc-avatar top bar buttons width");
                let width = ui
                    .ctx()
                    .data(|d| d.get_temp::<f32>(width_id))
                    .unwrap_or(200.0);
                ui.add_space((ui.available_width() - width).max(0.0));
                let group = ui.horizontal(|ui| {
                    if ui
                        .button("Tenant and credential…")
                        .on_hover_text("Change the tenant URL, API token or certificate")
                        .clicked()
                    {
                        actions.push(SetupAction::Open { reason: None }.into());
                    }
                    actions.extend(app_menu(ui, state));
                });
                let used = group.response.rect.width();
                if (used - width).abs() > 0.5 {
                    ui.ctx().data_mut(|d| d.insert_temp(width_id, used));
                    ui.ctx().request_repaint();
                }
            });
        });
}

/// The top and bottom bars: the window's background, with room to breathe.
pub fn bar_frame(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::new()
        .fill(theme::palette(ui).surface)
        .inner_margin(egui::Margin::symmetric(space::L as i8, space::S as i8))
        .stroke(Stroke::new(1.0, theme::palette(ui).border))
}

/// "Menu": the appearance and About.
fn app_menu(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let mut action = None;
    let current = state.tenant.settings.appearance;
    ui.menu_button("Menu", |ui| {
        ui.label(theme::caption(ui, "Appearance"));
        for (choice, label) in [
            (Appearance::System, "As the system"),
            (Appearance::Light, "Light"),
            (Appearance::Dark, "Dark"),
        ] {
            if ui.radio(current == choice, label).clicked() {
                action = Some(TenantAction::SetAppearance(choice).into());
            }
        }
        ui.separator();
        if ui.button("About xc-avatar").clicked() {
            action = Some(TenantAction::ShowAbout(true).into());
        }
    })
    .response
    .on_hover_text("Appearance, About");
    action
}

/// The active tenant; a menu to switch when several are saved; the keyring read in progress.
fn tenant_picker(ui: &mut egui::Ui, state: &AppState) -> Option<Action> {
    let mut action = None;
    let active = state.tenant.active();
    let label = ui.label("Tenant:");
    match active {
        Some(tenant) if state.tenant.settings.tenants.len() > 1 => {
            egui::ComboBox::from_id_salt("active_tenant")
                .selected_text(tenant.origin())
                .show_ui(ui, |ui| {
                    for saved in state.tenant.settings.tenant_urls() {
                        let chosen = ui.selectable_label(&saved == tenant, saved.origin());
                        if chosen.clicked() && &saved != tenant {
                            action = Some(TenantAction::Switch(saved).into());
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
    if let Some(tenant) = &state.tenant.reading {
        ui.spinner();
        ui.label(messages::reading_credential(tenant));
    } else if let Some(connection) = &state.tenant.connection {
        // Where the credential came from: the environment, the keyring, vesctl's profile.
        let summary = messages::credential_summary(&connection.credential);
        let from = messages::origin(&connection.origin, state.tenant.store_location);
        ui.weak(messages::origin_short(
            &connection.credential,
            &connection.origin,
        ))
        .on_hover_text(format!("{summary} {from}"));
    }
    action
}
