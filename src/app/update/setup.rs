//! The setup form: one flow for every kind of credential — test it, save it (or use it for this
//! session only), forget it, pick its files — and what the form shows when it opens.

use std::path::{Path, PathBuf};

use crate::TenantUrl;
use crate::app::effects::Effect;
use crate::app::msg::{FileField, SetupAction, SetupEvent, SetupProblem};
use crate::app::state::{AppState, Notice, Screen, SetupFill, SetupState, Tone};
use crate::credentials::{Credential, CredentialKind};
use crate::messages::{self, Front, explain, explain_store, sentence};
use crate::sign_in::Origin;

pub fn act(state: &mut AppState, action: SetupAction, effects: &mut Vec<Effect>) {
    match action {
        SetupAction::Open { reason } => open_setup(state, reason),
        SetupAction::Close => state.screen = Screen::Main,
        SetupAction::Test { tenant, input } => {
            set_busy(state, messages::TESTING, &tenant);
            effects.push(Effect::TestCredential { tenant, input });
        }
        SetupAction::Save {
            tenant,
            input,
            keep,
        } => {
            set_busy(state, messages::SAVING, &tenant);
            effects.push(Effect::SaveCredential {
                tenant,
                input,
                keep,
            });
        }
        SetupAction::Forget { tenant, kind } => {
            set_busy(state, messages::FORGETTING, &tenant);
            effects.push(Effect::ForgetCredential { tenant, kind });
        }
        SetupAction::PickFile { field, near } => effects.push(Effect::PickCredentialFile {
            field,
            folder: near
                .as_deref()
                .and_then(Path::parent)
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf),
        }),
    }
}

/// The form says what is going on, instead of the last outcome.
fn set_busy(state: &mut AppState, doing: &'static str, tenant: &TenantUrl) {
    if let Screen::Setup(setup) = &mut state.screen {
        setup.busy = Some(doing);
        setup.pending = Some(tenant.clone());
        setup.reason = None;
        setup.outcome = None;
        setup.store_failed = false;
    }
}

/// The open form, if the answer is for the tenant it last asked about (the form may have moved
/// on to another tenant meanwhile).
fn waiting_form<'a>(state: &'a mut AppState, tenant: &TenantUrl) -> Option<&'a mut SetupState> {
    match &mut state.screen {
        Screen::Setup(setup) if setup.pending.as_ref() == Some(tenant) => {
            setup.busy = None;
            Some(setup)
        }
        _ => None,
    }
}

pub fn handle(state: &mut AppState, event: SetupEvent, effects: &mut Vec<Effect>) {
    match event {
        SetupEvent::Tested { tenant, result } => {
            let outcome = match &result {
                Ok((me, credential)) => (Tone::Success, messages::connected_with(me, credential)),
                Err(SetupProblem::Credential(problem)) => {
                    let explained = messages::explain_problem(&tenant, problem, Front::App);
                    (Tone::Error, sentence(&explained.to_string()))
                }
                Err(SetupProblem::Api(err)) => (Tone::Error, sentence(&explain(err).to_string())),
            };
            if let Some(setup) = waiting_form(state, &tenant) {
                setup.outcome = Some(outcome);
            }
        }
        SetupEvent::Saved {
            tenant,
            kept,
            result,
        } => saved(state, tenant, kept, result, effects),
        SetupEvent::Forgotten {
            tenant,
            kind,
            result,
        } => forgotten(state, tenant, kind, result, effects),
        SetupEvent::FilePicked { field, path } => file_chosen(state, Some(field), path),
    }
}

fn saved(
    state: &mut AppState,
    tenant: TenantUrl,
    kept: bool,
    result: Result<Credential, crate::sign_in::CredentialProblem>,
    effects: &mut Vec<Effect>,
) {
    let credential = match result {
        Ok(credential) => credential,
        Err(problem) => {
            let explained = messages::explain_problem(&tenant, &problem, Front::App);
            if let Some(setup) = waiting_form(state, &tenant) {
                setup.store_failed = matches!(problem, crate::sign_in::CredentialProblem::Store(_));
                setup.outcome = Some((Tone::Error, sentence(&explained.to_string())));
            }
            return;
        }
    };
    let env_token = state.tenant.env_token.as_ref();
    let from_env = matches!(&credential, Credential::Token(token) if env_token == Some(token));
    let (origin, said) = match (kept, from_env) {
        (true, _) => (
            Origin::Kept,
            Some(messages::saved_in(state.tenant.store_location)),
        ),
        (false, true) => (Origin::Environment(crate::ENV_TOKEN), None),
        (false, false) => (Origin::Entered, Some(messages::session_only(&tenant))),
    };
    super::connect(state, tenant, credential, origin, effects);
    state.notice = said.map(|said| Notice::new(Tone::Success, said));
}

fn forgotten(
    state: &mut AppState,
    tenant: TenantUrl,
    kind: CredentialKind,
    result: Result<bool, crate::credentials::StoreError>,
    effects: &mut Vec<Effect>,
) {
    let tenants = &mut state.tenant;
    let had_files = kind.is_certificate() && tenants.settings.forget_certificate(&tenant);
    if had_files {
        effects.push(Effect::SaveSettings(tenants.settings.clone()));
    }
    let removed = had_files || result.as_ref().is_ok_and(|removed| *removed);
    // What is kept goes; a credential from the environment or vesctl's profile stays in use.
    if removed
        && tenants.connection.as_ref().is_some_and(|c| {
            c.tenant == tenant
                && c.origin == Origin::Kept
                && c.credential.kind().is_certificate() == kind.is_certificate()
        })
    {
        tenants.connection = None;
    }
    let location = tenants.store_location;
    let can_cancel = tenants.connection.is_some();
    let outcome = match result {
        Ok(_) => (
            Tone::Success,
            sentence(&messages::forgot(kind, &tenant, location, removed)),
        ),
        Err(err) => (Tone::Error, sentence(&explain_store(&err).to_string())),
    };
    if let Some(setup) = waiting_form(state, &tenant) {
        setup.can_cancel = can_cancel;
        setup.outcome = Some(outcome);
    }
}

/// Opens setup on the tenant in use (or being signed in to, or the default, or vesctl's).
pub fn open_setup(state: &mut AppState, reason: Option<String>) {
    let tenants = &state.tenant;
    let tenant = tenants
        .active()
        .cloned()
        .or_else(|| tenants.settings.default_tenant())
        .or_else(|| tenants.vesctl.as_ref().map(|p| p.tenant.clone()));
    match tenant {
        Some(tenant) => open_setup_for(state, tenant, reason),
        None => {
            let serial = next_serial(state);
            state.screen = Screen::Setup(Box::new(SetupState {
                reason,
                fill: SetupFill {
                    serial,
                    reset: true,
                    ..SetupFill::default()
                },
                ..SetupState::default()
            }));
        }
    }
}

/// Opens setup on `tenant`, filled with what it signs in with: the credential in use, else the
/// certificate kept for it, else vesctl's profile for it ("Found your vesctl profile…").
pub fn open_setup_for(state: &mut AppState, tenant: TenantUrl, reason: Option<String>) {
    let tenants = &state.tenant;
    let connection = tenants.connection.as_ref().filter(|c| c.tenant == tenant);
    let profile = tenants.vesctl.as_ref().filter(|p| p.tenant == tenant);
    let kept = tenants.settings.certificate_for(&tenant);
    let (kind, files, found) = if let Some(connection) = connection {
        let files = match &connection.credential {
            Credential::Certificate(certificate) => Some(certificate.files().clone()),
            Credential::Token(_) => None,
        };
        let from_vesctl = matches!(connection.origin, Origin::Vesctl(_));
        (
            connection.credential.kind(),
            files,
            profile.filter(|_| from_vesctl),
        )
    } else if let Some(files) = kept {
        let kind = match files {
            crate::credentials::CertificateFiles::P12(_) => CredentialKind::P12,
            crate::credentials::CertificateFiles::Pem { .. } => CredentialKind::Pem,
        };
        (kind, Some(files), None)
    } else if let Some(profile) = profile {
        (
            profile.credential.kind(),
            profile.credential.files(),
            Some(profile),
        )
    } else {
        (CredentialKind::Token, None, None)
    };
    let shown = |path: &PathBuf| Some(path.display().to_string());
    let (p12, cert, key) = match &files {
        Some(crate::credentials::CertificateFiles::P12(path)) => (shown(path), None, None),
        Some(crate::credentials::CertificateFiles::Pem { cert, key }) => {
            (None, shown(cert), shown(key))
        }
        None => (None, None, None),
    };
    let found_profile = found.map(messages::found_profile);
    let can_cancel = tenants.connection.is_some();
    let serial = next_serial(state);
    state.screen = Screen::Setup(Box::new(SetupState {
        reason,
        found_profile,
        can_cancel,
        fill: SetupFill {
            serial,
            reset: true,
            tenant: Some(tenant.origin()),
            kind: Some(kind),
            p12,
            cert,
            key,
        },
        ..SetupState::default()
    }));
}

/// The next fill's serial: above any the form has seen.
fn next_serial(state: &mut AppState) -> u64 {
    state.setup_fills += 1;
    state.setup_fills
}

/// Which field a certificate file dropped or picked belongs to, by its name; `None` for what is
/// no certificate file.
pub fn credential_file_field(path: &Path) -> Option<FileField> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    let name = path.file_stem()?.to_string_lossy().to_ascii_lowercase();
    match extension.as_str() {
        "p12" | "pfx" => Some(FileField::P12),
        "key" => Some(FileField::Key),
        "pem" if name.contains("key") => Some(FileField::Key),
        "pem" | "crt" | "cer" => Some(FileField::Cert),
        _ => None,
    }
}

/// A certificate file was picked (for `field`) or dropped: the form switches to its kind and
/// shows it.
pub fn file_chosen(state: &mut AppState, field: Option<FileField>, path: Option<PathBuf>) {
    let Some(path) = path else {
        return;
    };
    let Some(field) = field.or_else(|| credential_file_field(&path)) else {
        return;
    };
    let serial = next_serial(state);
    if let Screen::Setup(setup) = &mut state.screen {
        let shown = Some(path.display().to_string());
        let mut fill = SetupFill {
            serial,
            ..SetupFill::default()
        };
        match field {
            FileField::P12 => (fill.kind, fill.p12) = (Some(CredentialKind::P12), shown),
            FileField::Cert => (fill.kind, fill.cert) = (Some(CredentialKind::Pem), shown),
            FileField::Key => (fill.kind, fill.key) = (Some(CredentialKind::Pem), shown),
        }
        setup.fill = fill;
        setup.outcome = None;
    }
}
