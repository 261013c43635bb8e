//! The setup screen: which tenant, which token.

use eframe::egui;

use super::state::{Action, SetupForm};
use crate::api::TenantUrl;
use crate::credentials::ApiToken;

const TOKEN_HELP: &str = "Create one in the Console: Administration > Personal Management > \
                          Credentials > Add Credentials > API Token.";

pub fn show(ui: &mut egui::Ui, form: &mut SetupForm, token_from_env: bool) -> Option<Action> {
    let mut action = None;
    ui.vertical_centered(|ui| {
        ui.add_space(24.0);
        ui.heading("Connect to your F5 Distributed Cloud tenant");
        ui.add_space(8.0);
    });
    if let Some(reason) = &form.reason {
        ui.colored_label(ui.visuals().error_fg_color, reason);
        ui.add_space(8.0);
    }

    let tenant = TenantUrl::parse(&form.tenant);
    let token = ApiToken::new(&form.token);
    egui::Grid::new("setup")
        .num_columns(2)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            let label = ui.label("Tenant");
            ui.vertical(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut form.tenant)
                        .hint_text("acme or https://acme.console.ves.volterra.io")
                        .desired_width(420.0),
                )
                .labelled_by(label.id);
                match (&tenant, form.tenant.trim().is_empty()) {
                    (_, true) => {}
                    (Ok(url), false) => {
                        ui.weak(format!("Will call {url}"));
                    }
                    (Err(err), false) => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            super::state::sentence(&err.to_string()),
                        );
                    }
                }
            });
            ui.end_row();

            let label = ui.label("API token");
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut form.token)
                            .password(!form.reveal_token)
                            .hint_text("paste your API token")
                            .desired_width(320.0),
                    )
                    .labelled_by(label.id);
                    ui.checkbox(&mut form.reveal_token, "Show");
                });
                if let (Err(err), false) = (&token, form.token.is_empty()) {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        super::state::sentence(&err.to_string()),
                    );
                }
                ui.weak(TOKEN_HELP);
                let keeping = if token_from_env {
                    format!(
                        "{} is set; its token is used unless you enter another.",
                        crate::ENV_TOKEN
                    )
                } else {
                    "The token stays in memory until you close the app.".to_owned()
                };
                ui.weak(keeping);
            });
            ui.end_row();
        });

    ui.add_space(12.0);
    ui.horizontal(|ui| {
        let ready = tenant.is_ok() && token.is_ok();
        let clicked = ui
            .add_enabled(ready, egui::Button::new("Continue"))
            .clicked();
        let submitted = ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (clicked || submitted)
            && let (Ok(tenant), Ok(token)) = (tenant, token)
        {
            action = Some(Action::Connect { tenant, token });
        }
        if form.can_cancel && ui.button("Cancel").clicked() {
            action = Some(Action::CloseSetup);
        }
    });
    action
}
