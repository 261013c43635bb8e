//! The setup screen: which tenant, and which credential — an API token, an API certificate
//! (`.p12`), or a PEM certificate and key — with one set of buttons for all three: test it, save
//! it, forget it. The text typed is the screen's own ([`SetupInput`]); everything else it shows
//! is `update`'s ([`SetupState`]).

use std::path::PathBuf;

use eframe::egui;

use crate::TenantUrl;
use crate::app::msg::{Action, FileField, SetupAction};
use crate::app::shortcuts;
use crate::app::state::{SetupFill, SetupState, Tone};
use crate::app::theme;
use crate::credentials::{ApiToken, CertificatePassword, CredentialInput, CredentialKind};
use crate::messages::{self, sentence};

/// What the user types on the setup screen: kept by the screen, between frames.
#[derive(Clone, Debug, Default)]
pub struct SetupInput {
    /// The serial of the last [`SetupFill`] applied.
    applied: u64,
    pub tenant: String,
    pub kind: CredentialKind,
    pub token: String,
    pub reveal_token: bool,
    pub p12: String,
    pub password: String,
    pub reveal_password: bool,
    pub cert: String,
    pub key: String,
}

impl SetupInput {
    /// Takes `update`'s values for the fields, once per fill.
    fn apply(&mut self, fill: &SetupFill) {
        if fill.serial <= self.applied {
            return;
        }
        if fill.reset {
            *self = SetupInput::default();
        }
        self.applied = fill.serial;
        let text = |value: &Option<String>, field: &mut String| {
            if let Some(value) = value {
                value.clone_into(field);
            }
        };
        text(&fill.tenant, &mut self.tenant);
        text(&fill.p12, &mut self.p12);
        text(&fill.cert, &mut self.cert);
        text(&fill.key, &mut self.key);
        if let Some(kind) = fill.kind {
            self.kind = kind;
        }
    }
}

/// What the setup screen needs besides its status.
pub struct SetupContext<'a> {
    pub env_token: Option<&'a ApiToken>,
    pub saved_tenants: &'a [String],
    pub store_location: &'static str,
}

/// The form, as far as it is filled in: the tenant, and the credential it names.
struct Filled {
    tenant: Result<TenantUrl, crate::TenantUrlError>,
    credential: Option<CredentialInput>,
    /// The token field is empty and the environment's token stands in.
    env_only: bool,
}

pub fn show(
    ui: &mut egui::Ui,
    setup: &SetupState,
    context: &SetupContext<'_>,
    input: &mut SetupInput,
) -> Vec<Action> {
    input.apply(&setup.fill);
    let mut actions = Vec::new();
    ui.label(
        egui::RichText::new(messages::SETUP_TITLE)
            .size(theme::size::TITLE)
            .strong(),
    );
    ui.label(messages::SETUP_INTRO);
    ui.add_space(theme::space::M);
    for (line, error) in [(&setup.reason, true), (&setup.found_profile, false)] {
        if let Some(line) = line {
            let color = if error {
                ui.visuals().error_fg_color
            } else {
                theme::palette(ui).text_weak
            };
            ui.colored_label(color, line);
            ui.add_space(theme::space::S);
        }
    }
    egui::Grid::new("setup")
        .num_columns(2)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            tenant_row(ui, input, context);
            kind_row(ui, input);
            match input.kind {
                CredentialKind::Token => token_rows(ui, input, context),
                CredentialKind::P12 => p12_rows(ui, input, &mut actions),
                CredentialKind::Pem => pem_rows(ui, input, &mut actions),
            }
        });
    ui.add_space(theme::space::M);
    let filled = filled(input, context);
    buttons(ui, setup, input.kind, &filled, &mut actions);
    if let Some((tone, text)) = &setup.outcome {
        ui.add_space(theme::space::S);
        let color = match tone {
            Tone::Success => theme::palette(ui).success,
            Tone::Error => theme::palette(ui).error,
        };
        ui.colored_label(color, text);
    }
    if setup.store_failed
        && let (Ok(tenant), Some(credential)) = (&filled.tenant, &filled.credential)
        && ui
            .button("Use for this session only")
            .on_hover_text("Keep it in memory until you close the app")
            .clicked()
    {
        actions.push(save(tenant, credential, false));
    }
    actions
}

/// The tenant field, the saved tenants, and where it will call.
fn tenant_row(ui: &mut egui::Ui, input: &mut SetupInput, context: &SetupContext<'_>) {
    let label = ui.label("Tenant");
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut input.tenant)
                    .hint_text("acme or https://acme.console.ves.volterra.io")
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
            if !context.saved_tenants.is_empty() {
                egui::ComboBox::from_id_salt("saved_tenants")
                    .selected_text("Saved")
                    .show_ui(ui, |ui| {
                        for saved in context.saved_tenants {
                            ui.selectable_value(&mut input.tenant, saved.clone(), saved);
                        }
                    })
                    .response
                    .on_hover_text("Pick a tenant you set up before");
            }
        });
        if input.tenant.trim().is_empty() {
            return;
        }
        match TenantUrl::parse(&input.tenant) {
            Ok(url) => {
                ui.weak(format!("Will call {url}"));
            }
            Err(err) => {
                ui.colored_label(ui.visuals().error_fg_color, sentence(&err.to_string()));
            }
        }
    });
    ui.end_row();
}

/// The kind switch: "Token", "Certificate (.p12)", "Certificate and key (PEM)".
fn kind_row(ui: &mut egui::Ui, input: &mut SetupInput) {
    // Read with the field below: "API token", or the certificate's files.
    ui.label("Sign in with an API");
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(&mut input.kind, CredentialKind::Token, "Token");
        ui.radio_value(&mut input.kind, CredentialKind::P12, "Certificate (.p12)");
        ui.radio_value(
            &mut input.kind,
            CredentialKind::Pem,
            "Certificate and key (PEM)",
        );
    });
    ui.end_row();
}

fn token_rows(ui: &mut egui::Ui, input: &mut SetupInput, context: &SetupContext<'_>) {
    let label = ui.label("API token");
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            let hint = shortcuts::hint(ui.ctx(), "paste your API token", &shortcuts::PASTE);
            ui.add(
                egui::TextEdit::singleline(&mut input.token)
                    .password(!input.reveal_token)
                    .hint_text(hint)
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut input.reveal_token, "Show")
                .on_hover_text("Show the token as typed");
        });
        if let (Err(err), false) = (ApiToken::new(&input.token), input.token.is_empty()) {
            ui.colored_label(ui.visuals().error_fg_color, sentence(&err.to_string()));
        }
        ui.weak(messages::TOKEN_HELP);
        ui.horizontal(|ui| {
            if let Ok(tenant) = TenantUrl::parse(&input.tenant)
                && ui
                    .button("Open the Console")
                    .on_hover_text(format!("Open {} in your browser", tenant.origin()))
                    .clicked()
            {
                // The credentials page's own path is not documented: its home.
                ui.ctx()
                    .open_url(egui::OpenUrl::new_tab(format!("{}/", tenant.origin())));
            }
            ui.hyperlink_to("How to create one", messages::CREDENTIALS_DOCS);
        });
        if context.env_token.is_some() {
            ui.weak(messages::env_token_used(crate::ENV_TOKEN));
        } else {
            ui.weak(messages::save_keeps_it_in(context.store_location));
        }
    });
    ui.end_row();
}

/// A file field with its "Choose…" button.
fn file_row(
    ui: &mut egui::Ui,
    (label, button): (&str, &str),
    hint: &str,
    path: &mut String,
    field: FileField,
    actions: &mut Vec<Action>,
) {
    let label = ui.label(label);
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(360.0),
        )
        .labelled_by(label.id);
        if ui
            .button(button)
            .on_hover_text("Open the file dialog")
            .clicked()
        {
            let near = Some(PathBuf::from(path.trim())).filter(|p| !p.as_os_str().is_empty());
            actions.push(SetupAction::PickFile { field, near }.into());
        }
    });
    ui.end_row();
}

/// The `.p12` (typed, picked with the dialog or dropped) and its password.
fn p12_rows(ui: &mut egui::Ui, input: &mut SetupInput, actions: &mut Vec<Action>) {
    let hint = "the .p12 file: choose it, or drop it here";
    let names = ("Certificate file", "Choose…");
    file_row(ui, names, hint, &mut input.p12, FileField::P12, actions);
    let label = ui.label("Password");
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut input.password)
                    .password(!input.reveal_password)
                    .hint_text("chosen when the certificate was downloaded")
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut input.reveal_password, "Show")
                .on_hover_text("Show the password as typed");
        });
        ui.weak(messages::CERTIFICATE_HELP);
    });
    ui.end_row();
}

/// A PEM certificate and its key, as vesctl uses them.
fn pem_rows(ui: &mut egui::Ui, input: &mut SetupInput, actions: &mut Vec<Action>) {
    let names = ("Certificate (PEM)", "Choose certificate…");
    let hint = "the certificate: choose it, or drop it here";
    file_row(ui, names, hint, &mut input.cert, FileField::Cert, actions);
    let names = ("Key file (PEM)", "Choose key…");
    let hint = "its private key, unencrypted";
    file_row(ui, names, hint, &mut input.key, FileField::Key, actions);
    ui.label("");
    ui.weak(messages::PEM_HELP);
    ui.end_row();
}

/// The tenant and the credential the form names, if it names them.
fn filled(input: &SetupInput, context: &SetupContext<'_>) -> Filled {
    let path = |text: &str| Some(PathBuf::from(text.trim())).filter(|p| !p.as_os_str().is_empty());
    let env_only = context.env_token.is_some() && input.token.trim().is_empty();
    let credential = match input.kind {
        CredentialKind::Token if env_only => context.env_token.cloned().map(CredentialInput::Token),
        CredentialKind::Token => ApiToken::new(&input.token).ok().map(CredentialInput::Token),
        CredentialKind::P12 => path(&input.p12).map(|path| CredentialInput::P12 {
            path,
            password: CertificatePassword::new(input.password.clone()),
        }),
        CredentialKind::Pem => match (path(&input.cert), path(&input.key)) {
            (Some(cert), Some(key)) => Some(CredentialInput::Pem { cert, key }),
            _ => None,
        },
    };
    Filled {
        tenant: TenantUrl::parse(&input.tenant),
        credential,
        env_only: env_only && input.kind == CredentialKind::Token,
    }
}

fn save(tenant: &TenantUrl, credential: &CredentialInput, keep: bool) -> Action {
    SetupAction::Save {
        tenant: tenant.clone(),
        input: credential.clone(),
        keep,
    }
    .into()
}

/// Save (or "Continue with F5XC_API_TOKEN"), Test connection, Forget, Cancel: the same for every
/// kind of credential.
fn buttons(
    ui: &mut egui::Ui,
    setup: &SetupState,
    kind: CredentialKind,
    filled: &Filled,
    actions: &mut Vec<Action>,
) {
    let idle = setup.busy.is_none();
    let ready = match (&filled.tenant, &filled.credential) {
        (Ok(tenant), Some(credential)) if idle => Some((tenant, credential)),
        _ => None,
    };
    // One primary action: Test connection until a test has passed, then Save.
    let tested = matches!(setup.outcome, Some((Tone::Success, _)));
    ui.horizontal(|ui| {
        let save_label = if filled.env_only {
            messages::continue_with(crate::ENV_TOKEN)
        } else {
            "Save".to_owned()
        };
        let save_button = role_button(ui, save_label, tested && ready.is_some());
        let clicked = ui
            .add_enabled(ready.is_some(), save_button)
            .on_hover_text("Keep it and use it (Enter)")
            .clicked();
        let submitted = ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (clicked || submitted)
            && let Some((tenant, credential)) = ready
        {
            actions.push(save(tenant, credential, !filled.env_only));
        }
        let test_button = role_button(ui, "Test connection", !tested && ready.is_some());
        if ui
            .add_enabled(ready.is_some(), test_button)
            .on_hover_text("Ask the tenant who this credential belongs to")
            .clicked()
            && let Some((tenant, credential)) = ready
        {
            let (tenant, input) = (tenant.clone(), credential.clone());
            actions.push(SetupAction::Test { tenant, input }.into());
        }
        let forget = if kind == CredentialKind::Token {
            "Forget token"
        } else {
            "Forget certificate"
        };
        if let Ok(tenant) = &filled.tenant
            && ui
                .add_enabled(idle, egui::Button::new(forget))
                .on_hover_text("Delete what is saved of it for this tenant (files stay)")
                .clicked()
        {
            let tenant = tenant.clone();
            actions.push(SetupAction::Forget { tenant, kind }.into());
        }
        if setup.can_cancel && ui.button("Cancel").clicked() {
            actions.push(SetupAction::Close.into());
        }
        if let Some(doing) = setup.busy {
            ui.spinner();
            ui.label(doing);
        }
    });
}

/// The screen's one primary action is accent-filled; the others are quiet.
fn role_button<'a>(ui: &egui::Ui, label: impl Into<String>, primary: bool) -> egui::Button<'a> {
    let label = label.into();
    if primary {
        theme::primary_button(ui, label)
    } else {
        egui::Button::new(label)
    }
}
