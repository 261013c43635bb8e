//! Which tenant the app changes and as whom: reading its credential where `sign_in` looks,
//! switching tenants, and the settings that go with them (appearance, About).

use crate::TenantUrl;
use crate::app::effects::Effect;
use crate::app::msg::{TenantAction, TenantEvent};
use crate::app::state::{AppState, Connection, Notice, Screen, Tone};
use crate::credentials::CertificateError;
use crate::messages::{self, Front, sentence};
use crate::settings::Settings;
use crate::sign_in::CredentialProblem;

pub fn act(state: &mut AppState, action: TenantAction, effects: &mut Vec<Effect>) {
    match action {
        TenantAction::Switch(tenant) => {
            let tenants = &mut state.tenant;
            tenants.connection = None;
            tenants.reading = Some(tenant.clone());
            tenants.settings.set_default(&tenant);
            effects.push(Effect::SaveSettings(tenants.settings.clone()));
            effects.push(read_credential(&tenants.settings, tenant));
        }
        TenantAction::SetAppearance(appearance) => {
            let settings = &mut state.tenant.settings;
            if settings.appearance != appearance {
                settings.appearance = appearance;
                effects.push(Effect::SetAppearance(appearance));
                effects.push(Effect::SaveSettings(settings.clone()));
            }
        }
        TenantAction::ShowAbout(open) => state.about_open = open,
    }
}

/// The effect that finds what `tenant` signs in with.
pub fn read_credential(settings: &Settings, tenant: TenantUrl) -> Effect {
    Effect::ReadCredential {
        tenant,
        settings: settings.clone(),
    }
}

pub fn handle(state: &mut AppState, event: TenantEvent, effects: &mut Vec<Effect>) {
    match event {
        TenantEvent::CredentialRead { tenant, .. }
            if state.tenant.reading.as_ref() != Some(&tenant) => {}
        TenantEvent::CredentialRead { tenant, result } => {
            state.tenant.reading = None;
            match result {
                Ok(found) => {
                    state.tenant.connection = Some(Connection {
                        tenant,
                        credential: found.credential,
                        origin: found.origin,
                    });
                }
                Err(problem) => not_signed_in(state, tenant, &problem, effects),
            }
        }
        TenantEvent::SettingsNotSaved(why) => {
            state.notice = Some(Notice::new(Tone::Error, why));
        }
    }
}

/// No credential for `tenant`: setup, saying why; a certificate whose file is gone or unusable
/// goes straight to choosing it again.
fn not_signed_in(
    state: &mut AppState,
    tenant: TenantUrl,
    problem: &CredentialProblem,
    effects: &mut Vec<Effect>,
) {
    let explained = messages::explain_problem(&tenant, problem, Front::App);
    let reason = match problem {
        CredentialProblem::Nothing { .. } => explained.headline,
        _ => sentence(&explained.to_string()),
    };
    super::setup::open_setup_for(state, tenant, Some(reason));
    if let Screen::Setup(setup) = &mut state.screen {
        setup.store_failed = matches!(problem, CredentialProblem::Store(_));
    }
    if let CredentialProblem::Certificate { error, .. } = problem
        && !matches!(error, CertificateError::WrongPassword { .. })
    {
        let path = error.path();
        let field =
            super::setup::credential_file_field(path).unwrap_or(crate::app::msg::FileField::P12);
        effects.push(Effect::PickCredentialFile {
            field,
            folder: path.parent().map(std::path::Path::to_path_buf),
        });
    }
}
