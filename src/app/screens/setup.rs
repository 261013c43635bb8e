//! The setup screen: which tenant, which token; test it, keep it in the keyring, or forget it.

use eframe::egui;

use crate::TenantUrl;
use crate::app::msg::Action;
use crate::app::shortcuts;
use crate::app::state::{CredentialKind, SetupForm, Tone};
use crate::app::theme;
use crate::credentials::{ApiToken, CertificatePassword};
use crate::messages::{
    CERTIFICATE_HELP, CREDENTIALS_DOCS, SETUP_INTRO, SETUP_TITLE, TOKEN_HELP, sentence,
};

/// What the setup screen needs besides its form.
pub struct SetupContext<'a> {
    pub env_token: Option<&'a ApiToken>,
    pub saved_tenants: &'a [String],
    pub store_location: &'static str,
}

pub fn show(ui: &mut egui::Ui, form: &mut SetupForm, context: &SetupContext<'_>) -> Option<Action> {
    let mut action = None;
    ui.label(
        egui::RichText::new(SETUP_TITLE)
            .size(theme::size::TITLE)
            .strong(),
    );
    ui.label(SETUP_INTRO);
    ui.add_space(theme::space::M);
    if let Some(reason) = &form.reason {
        ui.colored_label(ui.visuals().error_fg_color, reason);
        ui.add_space(8.0);
    }

    let tenant = TenantUrl::parse(&form.tenant);
    // An empty field means: the token from F5XC_API_TOKEN, if there is one.
    let typed = ApiToken::new(&form.token);
    let token = match (context.env_token, form.token.trim().is_empty()) {
        (Some(env), true) => Ok(env.clone()),
        _ => typed.clone(),
    };
    egui::Grid::new("setup")
        .num_columns(2)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            let label = ui.label("Tenant");
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut form.tenant)
                            .hint_text("acme or https://acme.console.ves.volterra.io")
                            .desired_width(360.0),
                    )
                    .labelled_by(label.id);
                    if !context.saved_tenants.is_empty() {
                        egui::ComboBox::from_id_salt("saved_tenants")
                            .selected_text("Saved")
                            .show_ui(ui, |ui| {
                                for saved in context.saved_tenants {
                                    ui.selectable_value(&mut form.tenant, saved.clone(), saved);
                                }
                            })
                            .response
                            .on_hover_text("Pick a tenant you set up before");
                    }
                });
                match (&tenant, form.tenant.trim().is_empty()) {
                    (_, true) => {}
                    (Ok(url), false) => {
                        ui.weak(format!("Will call {url}"));
                    }
                    (Err(err), false) => {
                        ui.colored_label(ui.visuals().error_fg_color, sentence(&err.to_string()));
                    }
                }
            });
            ui.end_row();

            // "Token" and "Certificate": the field below is labelled "API token".
            ui.label("Sign in with an API");
            ui.horizontal(|ui| {
                ui.radio_value(&mut form.kind, CredentialKind::Token, "Token");
                ui.radio_value(
                    &mut form.kind,
                    CredentialKind::Certificate,
                    "Certificate (.p12)",
                );
            });
            ui.end_row();

            if form.kind == CredentialKind::Certificate {
                certificate_rows(ui, form, &mut action);
                return;
            }
            let label = ui.label("API token");
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut form.token)
                            .password(!form.reveal_token)
                            .hint_text(shortcuts::hint(
                                ui.ctx(),
                                "paste your API token",
                                &shortcuts::PASTE,
                            ))
                            .desired_width(360.0),
                    )
                    .labelled_by(label.id);
                    ui.checkbox(&mut form.reveal_token, "Show")
                        .on_hover_text("Show the token as typed");
                });
                if let (Err(err), false) = (&typed, form.token.is_empty()) {
                    ui.colored_label(ui.visuals().error_fg_color, sentence(&err.to_string()));
                }
                ui.weak(TOKEN_HELP);
                ui.horizontal(|ui| {
                    if let Ok(tenant) = &tenant
                        && ui
                            .button("Open the Console")
                            .on_hover_text(format!("Open {} in your browser", tenant.origin()))
                            .clicked()
                    {
                        // The credentials page's own path is not documented: its home.
                        ui.ctx()
                            .open_url(egui::OpenUrl::new_tab(format!("{}/", tenant.origin())));
                    }
                    ui.hyperlink_to("How to create one", CREDENTIALS_DOCS);
                });
                if context.env_token.is_some() {
                    ui.weak(format!(
                        "{} is set: its token is used unless you enter another.",
                        crate::ENV_TOKEN
                    ));
                } else {
                    ui.weak(format!("Save keeps it in {}.", context.store_location));
                }
            });
            ui.end_row();
        });

    ui.add_space(12.0);
    if form.kind == CredentialKind::Certificate {
        certificate_buttons(ui, form, tenant.ok(), &mut action);
        outcome(ui, form);
        return action;
    }
    let ready = match (&tenant, &token) {
        (Ok(tenant), Ok(token)) => Some((tenant.clone(), token.clone())),
        _ => None,
    };
    let idle = form.busy.is_none();
    let env_only = context.env_token.is_some() && form.token.trim().is_empty();
    ui.horizontal(|ui| {
        let save_label = if env_only {
            format!("Continue with {}", crate::ENV_TOKEN)
        } else {
            "Save".to_owned()
        };
        // One primary action: Test connection until a test has passed, then Save.
        let tested = matches!(form.outcome, Some((Tone::Success, _)));
        let enabled = ready.is_some() && idle;
        let save = ui
            .add_enabled(enabled, role_button(ui, save_label, tested && enabled))
            .on_hover_text("Keep the token and use it (Enter)");
        let submitted = ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (save.clicked() || (submitted && idle))
            && let Some((tenant, token)) = ready.clone()
        {
            action = Some(if env_only {
                Action::Connect { tenant, token }
            } else {
                Action::SaveToken { tenant, token }
            });
        }
        if ui
            .add_enabled(
                enabled,
                role_button(ui, "Test connection", !tested && enabled),
            )
            .on_hover_text("Ask the tenant who this token belongs to")
            .clicked()
            && let Some((tenant, token)) = ready.clone()
        {
            action = Some(Action::TestConnection { tenant, token });
        }
        if let Ok(tenant) = &tenant
            && ui
                .add_enabled(idle, egui::Button::new("Forget token"))
                .on_hover_text("Delete the saved token of this tenant")
                .clicked()
        {
            action = Some(Action::ForgetToken {
                tenant: tenant.clone(),
            });
        }
        if form.can_cancel && ui.button("Cancel").clicked() {
            action = Some(Action::CloseSetup);
        }
        if let Some(doing) = form.busy {
            ui.spinner();
            ui.label(doing);
        }
    });

    outcome(ui, form);
    if form.store_failed
        && let Some((tenant, token)) = ready
        && ui
            .button("Use for this session only")
            .on_hover_text("Keep the token in memory until you close the app")
            .clicked()
    {
        action = Some(Action::Connect { tenant, token });
    }
    action
}

/// The last test's, save's or forget's outcome.
/// The screen's one primary action is accent-filled; the others are quiet.
fn role_button<'a>(ui: &egui::Ui, label: impl Into<String>, primary: bool) -> egui::Button<'a> {
    let label = label.into();
    if primary {
        theme::primary_button(ui, label)
    } else {
        egui::Button::new(label)
    }
}

fn outcome(ui: &mut egui::Ui, form: &SetupForm) {
    if let Some((tone, text)) = &form.outcome {
        ui.add_space(8.0);
        let color = match tone {
            Tone::Success => theme::palette(ui).success,
            Tone::Error => theme::palette(ui).error,
        };
        ui.colored_label(color, text);
    }
}

/// The certificate file (typed, picked with the dialog or dropped) and its password.
fn certificate_rows(ui: &mut egui::Ui, form: &mut SetupForm, action: &mut Option<Action>) {
    let label = ui.label("Certificate file");
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut form.certificate_path)
                    .hint_text("the .p12 file: choose it, or drop it here")
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
            if ui
                .button("Choose…")
                .on_hover_text("Open the file dialog")
                .clicked()
            {
                *action = Some(Action::PickCertificate);
            }
        });
        ui.weak(CERTIFICATE_HELP);
    });
    ui.end_row();

    let label = ui.label("Password");
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut form.password)
                .password(!form.reveal_password)
                .hint_text("chosen when the certificate was downloaded")
                .desired_width(360.0),
        )
        .labelled_by(label.id);
        ui.checkbox(&mut form.reveal_password, "Show")
            .on_hover_text("Show the password as typed");
    });
    ui.end_row();
}

fn certificate_buttons(
    ui: &mut egui::Ui,
    form: &SetupForm,
    tenant: Option<TenantUrl>,
    action: &mut Option<Action>,
) {
    let path = form.certificate_path.trim();
    let ready = tenant
        .clone()
        .filter(|_| !path.is_empty())
        .map(|tenant| (tenant, std::path::PathBuf::from(path)));
    let idle = form.busy.is_none();
    let password = || CertificatePassword::new(form.password.clone());
    let enabled = ready.is_some() && idle;
    let tested = matches!(form.outcome, Some((Tone::Success, _)));
    ui.horizontal(|ui| {
        let save = ui
            .add_enabled(enabled, role_button(ui, "Save", tested && enabled))
            .on_hover_text("Keep the password in the keyring and use the certificate (Enter)");
        let submitted = ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (save.clicked() || (submitted && idle))
            && let Some((tenant, path)) = ready.clone()
        {
            *action = Some(Action::SaveCertificate {
                tenant,
                path,
                password: password(),
            });
        }
        if ui
            .add_enabled(
                enabled,
                role_button(ui, "Test connection", !tested && enabled),
            )
            .on_hover_text("Ask the tenant who this certificate belongs to")
            .clicked()
            && let Some((tenant, path)) = ready.clone()
        {
            *action = Some(Action::TestCertificate {
                tenant,
                path,
                password: password(),
            });
        }
        if let Some(tenant) = &tenant
            && ui
                .add_enabled(idle, egui::Button::new("Forget certificate"))
                .on_hover_text("Stop using this tenant's certificate (the file stays)")
                .clicked()
        {
            *action = Some(Action::ForgetCertificate {
                tenant: tenant.clone(),
            });
        }
        if form.can_cancel && ui.button("Cancel").clicked() {
            *action = Some(Action::CloseSetup);
        }
        if let Some(doing) = form.busy {
            ui.spinner();
            ui.label(doing);
        }
    });
}
