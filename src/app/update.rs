//! `update`: the one place the app's state changes. It takes a message — a user's [`Action`] or
//! a background [`TaskEvent`] — and returns the [`Effect`]s to carry out, as data. It touches no
//! window, runtime, file or clock, so every flow can be tested by feeding it messages.

use super::effects::{ChangeRequest, Effect, LoadWhat};
use super::msg::{Action, CertificateProblem, ChangeError, ChangeOutcome, Msg, Pasted, TaskEvent};
use super::state::{
    AppState, ChangeKind, Connection, CredentialKind, Current, Notice, NoticeAction, Photo,
    Prepared, Previous, Retry, RunningChange, Screen, SetupForm, Tone,
};
use crate::api::{ApiError, CallEvent, TenantUrl};
use crate::avatar::Framing;
use crate::credentials::Credential;
use crate::messages::{self, explain, explain_store, sentence};

/// Answers `msg`, then starts whatever background work the new state needs.
pub fn update(state: &mut AppState, msg: impl Into<Msg>) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg.into() {
        Msg::Action(action) => act(state, action, &mut effects),
        Msg::Task(event) => handle(state, event, &mut effects),
    }
    effects.extend(refresh(state));
    effects
}

/// The background work the state needs and has not started: encoding the current framing,
/// fetching the tenant's picture.
pub fn refresh(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    refresh_prepared(state, &mut effects);
    refresh_current(state, &mut effects);
    effects
}

fn act(state: &mut AppState, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::OpenDialog => effects.push(Effect::PickFile {
            folder: state.tenant.settings.last_folder.clone(),
        }),
        // A .p12 dropped on the setup screen is the certificate to use.
        Action::Load(path)
            if matches!(state.screen, Screen::Setup(_)) && is_certificate_file(&path) =>
        {
            choose_certificate(state, Some(path));
        }
        Action::Load(path) => {
            let name = super::effects::file_name(&path);
            start_load(state, name, LoadWhat::File(path), effects);
        }
        Action::Paste(Pasted::NetworkPath(named)) => {
            let mut notice = Notice::new(Tone::Error, messages::network_path_refused(&named));
            notice.next_step = Some(messages::NETWORK_PATH_NEXT_STEP.to_owned());
            state.notice = Some(notice);
        }
        Action::Paste(pasted) => {
            let name = match &pasted {
                Pasted::Image(_) => messages::PASTED_NAME.to_owned(),
                Pasted::Path(path) => super::effects::file_name(path),
                Pasted::FileList | Pasted::NetworkPath(_) => messages::PASTED_FILE.to_owned(),
            };
            start_load(state, name, LoadWhat::Pasted(pasted), effects);
        }
        Action::Upload => {
            let photos = &state.photo;
            if let Some(photo) = &photos.photo {
                // The "will send" measurement already encoded this framing: send those bytes.
                let request = ChangeRequest::Upload {
                    source: photo.source.clone(),
                    framing: photo.framing,
                    prepared: photos.ready_avatar().cloned(),
                };
                start_change(state, request, ChangeKind::Upload, effects);
            }
        }
        Action::Undo => {
            let tenant = state.tenant.connection.as_ref().map(|c| &c.tenant);
            // Kept until the undo succeeds, so "Try again" can repeat it.
            let previous = state
                .change
                .undo
                .as_ref()
                .filter(|(t, _)| Some(t) == tenant);
            if let Some((_, previous)) = previous {
                let request = match previous.clone() {
                    Previous::Picture(picture) => ChangeRequest::Restore(picture),
                    Previous::Nothing => ChangeRequest::Remove,
                };
                start_change(state, request, ChangeKind::Undo, effects);
            }
        }
        Action::TryAgain => {
            let again = match state.change.last {
                Some(ChangeKind::Upload) => Action::Upload,
                Some(ChangeKind::Undo) => Action::Undo,
                Some(ChangeKind::Remove) => Action::Remove,
                None => return,
            };
            act(state, again, effects);
        }
        Action::AskRemove => state.change.confirm_remove = true,
        Action::KeepPicture => state.change.confirm_remove = false,
        Action::Remove => {
            state.change.confirm_remove = false;
            start_change(state, ChangeRequest::Remove, ChangeKind::Remove, effects);
        }
        Action::CancelChange { at } => {
            if let Some(running) = state.change.running.take() {
                effects.push(Effect::CancelChange { id: running.id });
                let waiting = state.change.retry.take().is_some_and(|retry| at < retry.at);
                state.change.replacing = None;
                let said = if running.sent && !waiting {
                    // The tenant may have applied it before the cancel: look, don't guess.
                    state.current.tenant = None;
                    messages::cancelled_after_sending(running.kind)
                } else {
                    running.kind.cancelled()
                };
                state.notice = Some(Notice::new(Tone::Error, said));
            }
        }
        Action::TestConnection { tenant, token } => {
            set_busy(state, messages::TESTING);
            effects.push(Effect::TestConnection { tenant, token });
        }
        Action::SaveToken { tenant, token } => {
            set_busy(state, messages::SAVING);
            if let Screen::Setup(form) = &mut state.screen {
                form.store_failed = false;
            }
            effects.push(Effect::SaveToken { tenant, token });
        }
        Action::ForgetToken { tenant } => {
            set_busy(state, messages::FORGETTING);
            effects.push(Effect::ForgetToken { tenant });
        }
        Action::Connect { tenant, token } => {
            let session_only = state.tenant.env_token.as_ref() != Some(&token);
            state.notice =
                session_only.then(|| Notice::new(Tone::Success, messages::session_only(&tenant)));
            connect(state, tenant, Credential::Token(token), effects);
        }
        Action::SwitchTenant(tenant) => {
            let tenants = &mut state.tenant;
            tenants.connection = None;
            tenants.reading_token = Some(tenant.clone());
            tenants.settings.set_default(&tenant);
            effects.push(Effect::SaveSettings(tenants.settings.clone()));
            effects.push(read_credential(&tenants.settings, tenant));
        }
        Action::PickCertificate => {
            let folder = match &state.screen {
                Screen::Setup(form) => std::path::Path::new(&form.certificate_path)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(std::path::Path::to_path_buf),
                Screen::Main => None,
            };
            effects.push(Effect::PickCertificate { folder });
        }
        Action::TestCertificate {
            tenant,
            path,
            password,
        } => {
            set_busy(state, messages::TESTING);
            effects.push(Effect::TestCertificate {
                tenant,
                path,
                password,
            });
        }
        Action::SaveCertificate {
            tenant,
            path,
            password,
        } => {
            set_busy(state, messages::SAVING);
            if let Screen::Setup(form) = &mut state.screen {
                form.store_failed = false;
            }
            effects.push(Effect::SaveCertificate {
                tenant,
                path,
                password,
            });
        }
        Action::ForgetCertificate { tenant } => {
            set_busy(state, messages::FORGETTING);
            effects.push(Effect::ForgetCertificate { tenant });
        }
        Action::OpenSetup { reason } => open_setup(state, reason),
        Action::CloseSetup => state.screen = Screen::Main,
        Action::SetAppearance(appearance) => {
            let settings = &mut state.tenant.settings;
            if settings.appearance != appearance {
                settings.appearance = appearance;
                effects.push(Effect::SetAppearance(appearance));
                effects.push(Effect::SaveSettings(settings.clone()));
            }
        }
        Action::ShowAbout(open) => state.about_open = open,
        Action::Frame(edit) => {
            if let Some(photo) = &mut state.photo.photo {
                edit.apply(&mut photo.framing);
            }
        }
    }
}

fn start_load(state: &mut AppState, name: String, what: LoadWhat, effects: &mut Vec<Effect>) {
    let photos = &mut state.photo;
    photos.load_generation += 1;
    photos.loading = Some(name);
    effects.push(Effect::Load {
        generation: photos.load_generation,
        what,
    });
}

/// The setup form says what is going on, instead of the last outcome.
fn set_busy(state: &mut AppState, doing: &'static str) {
    if let Screen::Setup(form) = &mut state.screen {
        form.busy = Some(doing);
        form.reason = None;
        form.outcome = None;
    }
}

fn open_setup(state: &mut AppState, reason: Option<String>) {
    let tenants = &state.tenant;
    let tenant = tenants
        .connection
        .as_ref()
        .map(|c| c.tenant.origin())
        .or_else(|| tenants.settings.default_tenant.clone())
        .unwrap_or_default();
    // A tenant that signs in with a certificate opens on it, with its file.
    let certificate = TenantUrl::parse(&tenant).ok().and_then(|t| {
        tenants
            .settings
            .certificate_for(&t)
            .map(|p| p.display().to_string())
    });
    state.screen = Screen::Setup(SetupForm {
        tenant,
        reason,
        can_cancel: tenants.connection.is_some(),
        kind: if certificate.is_some() {
            CredentialKind::Certificate
        } else {
            CredentialKind::Token
        },
        certificate_path: certificate.unwrap_or_default(),
        ..SetupForm::default()
    });
}

/// The effect that reads what `tenant` signs in with: its certificate, if it uses one, else
/// its token.
pub fn read_credential(settings: &crate::settings::Settings, tenant: TenantUrl) -> Effect {
    match settings.certificate_for(&tenant) {
        Some(path) => Effect::ReadCertificate {
            path: path.to_path_buf(),
            tenant,
            password: None,
        },
        None => Effect::ReadToken { tenant },
    }
}

/// Names a `.p12` (or `.pfx`) file by its extension.
fn is_certificate_file(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
}

/// The setup form switches to the certificate, with `path` when one was picked or dropped.
fn choose_certificate(state: &mut AppState, path: Option<std::path::PathBuf>) {
    if let (Screen::Setup(form), Some(path)) = (&mut state.screen, path) {
        form.kind = CredentialKind::Certificate;
        form.certificate_path = path.display().to_string();
        form.outcome = None;
    }
}

/// A certificate problem as one sentence for the setup screen.
fn certificate_problem(tenant: &TenantUrl, problem: &CertificateProblem) -> String {
    match problem {
        CertificateProblem::File(err) => sentence(&messages::explain_certificate(err).to_string()),
        CertificateProblem::Store(err) => sentence(&explain_store(err).to_string()),
        CertificateProblem::NoPassword => sentence(&messages::no_certificate_password(tenant)),
        CertificateProblem::Api(err) => sentence(&explain(err).to_string()),
    }
}

/// Starts a change of the picture on the tenant, unless one is running; notes what it
/// replaces so it can be undone.
fn start_change(
    state: &mut AppState,
    request: ChangeRequest,
    kind: ChangeKind,
    effects: &mut Vec<Effect>,
) {
    let (Some(connection), None) = (&state.tenant.connection, &state.change.running) else {
        return;
    };
    let known_for_this_tenant = state.current.tenant.as_ref() == Some(&connection.tenant);
    let change = &mut state.change;
    state.notice = None;
    change.replacing = match &state.current.shown {
        Current::Shown { picture, .. } if known_for_this_tenant => {
            Some(Previous::Picture(picture.clone()))
        }
        Current::Missing if known_for_this_tenant => Some(Previous::Nothing),
        // Not known: nothing to undo to.
        _ => None,
    };
    change.last = Some(kind);
    change.count += 1;
    let id = change.count;
    change.running = Some(RunningChange {
        id,
        kind,
        sent: false,
    });
    effects.push(Effect::StartChange {
        id,
        request,
        connection: connection.clone(),
    });
}

/// Uses `credential` for `tenant` from now on, and remembers the tenant (never a secret; the
/// certificate's file path, which is not one).
fn connect(
    state: &mut AppState,
    tenant: TenantUrl,
    credential: Credential,
    effects: &mut Vec<Effect>,
) {
    let tenants = &mut state.tenant;
    tenants.settings.add_tenant(&tenant);
    tenants.settings.set_default(&tenant);
    match &credential {
        Credential::Certificate(certificate) => {
            tenants
                .settings
                .set_certificate(&tenant, certificate.path());
        }
        Credential::Token(_) => {
            tenants.settings.forget_certificate(&tenant);
        }
    }
    effects.push(Effect::SaveSettings(tenants.settings.clone()));
    tenants.connection = Some(Connection { tenant, credential });
    tenants.reading_token = None;
    state.screen = Screen::Main;
    // A new token may see what the old one could not.
    state.current.tenant = None;
}

fn handle(state: &mut AppState, event: TaskEvent, effects: &mut Vec<Effect>) {
    match event {
        TaskEvent::Picked(Some(path)) => act(state, Action::Load(path), effects),
        TaskEvent::Picked(None) => {}
        TaskEvent::PickedCertificate(path) => choose_certificate(state, path),
        TaskEvent::CertificateRead { tenant, .. }
            if state.tenant.reading_token.as_ref() != Some(&tenant) => {}
        TaskEvent::CertificateRead { tenant, result } => {
            state.tenant.reading_token = None;
            let problem = match result {
                Ok(certificate) => {
                    state.tenant.connection = Some(Connection {
                        tenant,
                        credential: Credential::Certificate(certificate),
                    });
                    return;
                }
                Err(problem) => problem,
            };
            open_setup(state, Some(certificate_problem(&tenant, &problem)));
            if let Screen::Setup(form) = &mut state.screen {
                form.tenant = tenant.origin();
                form.kind = CredentialKind::Certificate;
                form.store_failed = matches!(problem, CertificateProblem::Store(_));
            }
            // Moved, deleted, expired or unreadable: straight to choosing the file again.
            if let CertificateProblem::File(err) = &problem {
                effects.push(Effect::PickCertificate {
                    folder: err.path().parent().map(std::path::Path::to_path_buf),
                });
            }
        }
        TaskEvent::CertificateTested { tenant, result } => {
            if let Screen::Setup(form) = &mut state.screen
                && TenantUrl::parse(&form.tenant).is_ok_and(|t| t == tenant)
            {
                form.busy = None;
                form.outcome = Some(match result {
                    Ok((me, certificate)) => (
                        Tone::Success,
                        messages::connected_with_certificate(&me, &certificate),
                    ),
                    Err(problem) => (Tone::Error, certificate_problem(&tenant, &problem)),
                });
            }
        }
        TaskEvent::CertificateSaved { tenant, result } => match result {
            Ok(certificate) => {
                connect(state, tenant, Credential::Certificate(certificate), effects);
                let saved_in = messages::saved_in(state.tenant.store_location);
                state.notice = Some(Notice::new(Tone::Success, saved_in));
            }
            Err(problem) => {
                if let Screen::Setup(form) = &mut state.screen {
                    form.busy = None;
                    form.store_failed = false;
                    form.outcome = Some((Tone::Error, certificate_problem(&tenant, &problem)));
                }
            }
        },
        TaskEvent::CertificateForgotten { tenant, result } => {
            let tenants = &mut state.tenant;
            let had_file = tenants.settings.forget_certificate(&tenant);
            if had_file {
                effects.push(Effect::SaveSettings(tenants.settings.clone()));
            }
            if tenants.connection.as_ref().is_some_and(|c| {
                c.tenant == tenant && matches!(c.credential, Credential::Certificate(_))
            }) {
                tenants.connection = None;
            }
            if let Screen::Setup(form) = &mut state.screen {
                form.busy = None;
                form.can_cancel = tenants.connection.is_some();
                form.outcome = Some(match result {
                    Ok(removed) if removed || had_file => (
                        Tone::Success,
                        sentence(&messages::forgot_certificate(
                            &tenant,
                            tenants.store_location,
                        )),
                    ),
                    Ok(_) => (
                        Tone::Success,
                        sentence(&messages::no_certificate_to_forget(&tenant)),
                    ),
                    Err(err) => (Tone::Error, sentence(&explain_store(&err).to_string())),
                });
            }
        }
        TaskEvent::Loaded { generation, .. } | TaskEvent::PasteIgnored { generation }
            if generation != state.photo.load_generation => {}
        TaskEvent::PasteIgnored { .. } => state.photo.loading = None,
        TaskEvent::Loaded { result, .. } => {
            state.photo.loading = None;
            match result {
                Ok(loaded) => {
                    let settings = &mut state.tenant.settings;
                    if loaded.folder.is_some() && loaded.folder != settings.last_folder {
                        settings.last_folder = loaded.folder;
                        effects.push(Effect::SaveSettings(settings.clone()));
                    }
                    state.photo.photo = Some(Photo {
                        name: loaded.name,
                        framing: Framing::new(loaded.source.size()),
                        source: loaded.source,
                        texture: loaded.texture,
                        generation: state.photo.load_generation,
                    });
                    state.notice = None;
                }
                // Whatever was open before stays.
                Err(err) => {
                    state.notice = Some(Notice::new(Tone::Error, messages::cannot_open(&err)));
                }
            }
        }
        TaskEvent::Prepared {
            generation,
            framing,
            result,
        } => {
            let photos = &mut state.photo;
            photos.preparing = None;
            if photos.photo.as_ref().map(|p| p.generation) == Some(generation) {
                photos.prepared = Some(Prepared {
                    generation,
                    framing,
                    result: result.map_err(|err| messages::cannot_send(&err)),
                });
            }
        }
        TaskEvent::ChangeSent { id }
        | TaskEvent::Retrying { id, .. }
        | TaskEvent::ChangeFinished { id, .. }
            if state.change.running.as_ref().is_none_or(|r| r.id != id) =>
        {
            // A cancelled change's late report no longer concerns the user.
        }
        TaskEvent::ChangeSent { .. } => {
            if let Some(running) = &mut state.change.running {
                running.sent = true;
            }
        }
        TaskEvent::Retrying {
            event:
                CallEvent::Retrying {
                    next_attempt,
                    attempts,
                    reason,
                    ..
                },
            at,
            ..
        } => {
            state.change.retry = Some(Retry {
                reason: reason.to_string(),
                next_attempt,
                attempts,
                at,
            });
        }
        TaskEvent::ChangeFinished { tenant, result, .. } => finish_change(state, tenant, result),
        TaskEvent::User { generation, name } => {
            if generation == state.current.generation {
                state.current.user_name = Some(name).filter(|n| !n.is_empty());
            }
        }
        TaskEvent::Current { generation, .. } if generation != state.current.generation => {
            // A fetch started before a newer one: its answer may be out of date.
        }
        TaskEvent::Current { result, .. } => {
            state.current.shown = match result {
                Ok(Some(current)) => Current::Shown {
                    picture: current.picture,
                    texture: current.texture,
                },
                Ok(None) => Current::Missing,
                Err(err) => Current::Failed(messages::could_not_fetch(&err)),
            };
        }
        TaskEvent::TokenRead { tenant, .. }
            if state.tenant.reading_token.as_ref() != Some(&tenant) => {}
        TaskEvent::TokenRead { tenant, result } => {
            state.tenant.reading_token = None;
            let (reason, store_failed) = match result {
                Ok(Some(token)) => {
                    state.tenant.connection = Some(Connection {
                        tenant,
                        credential: Credential::Token(token),
                    });
                    return;
                }
                Ok(None) => (messages::no_token_saved(&tenant), false),
                Err(err) => (sentence(&explain_store(&err).to_string()), true),
            };
            open_setup(state, Some(reason));
            if let Screen::Setup(form) = &mut state.screen {
                form.tenant = tenant.origin();
                form.store_failed = store_failed;
            }
        }
        TaskEvent::Tested { tenant, result } => {
            // The form may have moved on to another tenant meanwhile.
            if let Screen::Setup(form) = &mut state.screen
                && TenantUrl::parse(&form.tenant).is_ok_and(|t| t == tenant)
            {
                form.busy = None;
                form.outcome = Some(match result {
                    Ok(me) => (Tone::Success, messages::connected_as(&me)),
                    Err(err) => (Tone::Error, sentence(&explain(&err).to_string())),
                });
            }
        }
        TaskEvent::Saved {
            tenant,
            token,
            result,
        } => match result {
            Ok(()) => {
                connect(state, tenant, Credential::Token(token), effects);
                let saved_in = messages::saved_in(state.tenant.store_location);
                state.notice = Some(Notice::new(Tone::Success, saved_in));
            }
            Err(err) => {
                if let Screen::Setup(form) = &mut state.screen {
                    form.busy = None;
                    form.store_failed = true;
                    form.outcome = Some((Tone::Error, sentence(&explain_store(&err).to_string())));
                }
            }
        },
        TaskEvent::Forgotten { tenant, result } => {
            let tenants = &mut state.tenant;
            if result.as_ref().is_ok_and(|removed| *removed)
                && tenants
                    .connection
                    .as_ref()
                    .is_some_and(|c| c.tenant == tenant)
                && tenants.env_token.is_none()
            {
                tenants.connection = None;
            }
            if let Screen::Setup(form) = &mut state.screen {
                form.busy = None;
                form.can_cancel = tenants.connection.is_some();
                form.outcome = Some(match result {
                    Ok(true) => (
                        Tone::Success,
                        messages::forgot_token(&tenant, tenants.store_location),
                    ),
                    Ok(false) => (Tone::Success, messages::no_token_to_forget(&tenant)),
                    Err(err) => (Tone::Error, sentence(&explain_store(&err).to_string())),
                });
            }
        }
        TaskEvent::SettingsNotSaved(why) => {
            state.notice = Some(Notice::new(Tone::Error, why));
        }
    }
}

fn finish_change(
    state: &mut AppState,
    tenant: TenantUrl,
    result: Result<ChangeOutcome, ChangeError>,
) {
    let change = &mut state.change;
    change.running = None;
    change.retry = None;
    let replaced = change.replacing.take();
    state.notice = Some(match result {
        Ok(outcome) => {
            // Show what the tenant shows now.
            state.current.tenant = None;
            // Undoing an undo is just another upload: not offered.
            change.undo = match outcome {
                ChangeOutcome::Restored => None,
                _ => replaced.map(|previous| (tenant.clone(), previous)),
            };
            let mut notice = Notice::new(
                Tone::Success,
                match &outcome {
                    ChangeOutcome::Uploaded(avatar) => messages::uploaded(&tenant, avatar),
                    ChangeOutcome::Restored => messages::restored(&tenant),
                    ChangeOutcome::Removed => messages::removed(&tenant),
                },
            );
            if change.undo.is_some() {
                notice.action = Some(("Undo".to_owned(), NoticeAction::Undo));
            }
            notice
        }
        Err(ChangeError::Avatar(err)) => Notice::new(Tone::Error, err.to_string()),
        Err(ChangeError::Api(err)) => api_notice(&err),
    });
}

/// Each API outcome's panel: our message, the server's words, and the button that fits.
pub fn api_notice(err: &ApiError) -> Notice {
    let action = messages::Remedy::for_error(err).map(|remedy| {
        let action = match remedy {
            messages::Remedy::UpdateToken | messages::Remedy::UpdateCertificate => {
                NoticeAction::UpdateToken
            }
            messages::Remedy::CheckTenant => NoticeAction::CheckTenant,
            messages::Remedy::TryAgain => NoticeAction::TryAgain,
        };
        (remedy.label(), action)
    });
    let explained = explain(err);
    Notice {
        tone: Tone::Error,
        title: explained.headline,
        server_text: explained.server_text,
        next_step: Some(explained.next_step),
        action: action.map(|(label, what)| (label.to_owned(), what)),
    }
}

/// Starts encoding the current framing, unless that is known or being encoded.
fn refresh_prepared(state: &mut AppState, effects: &mut Vec<Effect>) {
    let photos = &mut state.photo;
    let Some(photo) = &photos.photo else {
        return;
    };
    if photos.preparing.is_none() && !photos.prepared_is_current() {
        photos.preparing = Some((photo.generation, photo.framing));
        effects.push(Effect::Prepare {
            generation: photo.generation,
            source: photo.source.clone(),
            framing: photo.framing,
        });
    }
}

/// Fetches the tenant's current picture when the tenant changed or the picture did.
fn refresh_current(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Some(connection) = &state.tenant.connection else {
        return;
    };
    let current = &mut state.current;
    if current.tenant.as_ref() != Some(&connection.tenant) && state.change.running.is_none() {
        current.tenant = Some(connection.tenant.clone());
        current.shown = Current::Fetching;
        current.user_name = None;
        current.generation += 1;
        effects.push(Effect::FetchCurrent {
            generation: current.generation,
            connection: connection.clone(),
        });
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
