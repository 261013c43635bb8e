//! `update`: the one place the app's state changes. It takes a message — a user's [`Action`] or
//! a background [`TaskEvent`] — hands it to its domain's module, and returns the [`Effect`]s to
//! carry out, as data. It touches no window, runtime, file or clock, so every flow can be
//! tested by feeding it messages.
//!
//! - `photo`: opening, pasting and framing the photo; what its framing encodes to;
//! - `change`: uploading, undoing, removing; the picture the tenant shows now;
//! - `tenant`: which tenant and credential are in use; switching; settings;
//! - `setup`: the setup form's verbs (test, save, forget, pick a file) and their outcomes.

mod change;
mod photo;
mod setup;
mod tenant;

use super::effects::Effect;
use super::msg::{Action, Msg, TaskEvent};
use super::state::{AppState, Connection, Screen};
use crate::TenantUrl;
use crate::credentials::Credential;
use crate::sign_in::Origin;

#[cfg(test)]
pub use change::api_notice;
pub use setup::open_setup;
pub use tenant::read_credential;

/// Answers `msg`, then starts whatever background work the new state needs.
pub fn update(state: &mut AppState, msg: impl Into<Msg>) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg.into() {
        Msg::Action(Action::Photo(action)) => photo::act(state, action, &mut effects),
        Msg::Action(Action::Change(action)) => change::act(state, action, &mut effects),
        Msg::Action(Action::Tenant(action)) => tenant::act(state, action, &mut effects),
        Msg::Action(Action::Setup(action)) => setup::act(state, action, &mut effects),
        Msg::Task(TaskEvent::Photo(event)) => photo::handle(state, event, &mut effects),
        Msg::Task(TaskEvent::Change(event)) => change::handle(state, event),
        Msg::Task(TaskEvent::Tenant(event)) => tenant::handle(state, event, &mut effects),
        Msg::Task(TaskEvent::Setup(event)) => setup::handle(state, event, &mut effects),
    }
    effects.extend(refresh(state));
    effects
}

/// The background work the state needs and has not started: encoding the current framing,
/// fetching the tenant's picture.
pub fn refresh(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    photo::refresh_prepared(state, &mut effects);
    change::refresh_current(state, &mut effects);
    effects
}

/// Uses `credential` for `tenant` from now on, and remembers the tenant; `kept` credentials
/// are remembered as what the tenant signs in with (a certificate's files; never a secret).
pub fn connect(
    state: &mut AppState,
    tenant: TenantUrl,
    credential: Credential,
    origin: Origin,
    effects: &mut Vec<Effect>,
) {
    let tenants = &mut state.tenant;
    match (&origin, &credential) {
        (Origin::Kept, Credential::Certificate(certificate)) => {
            let files = certificate.files().clone();
            tenants.settings.use_credential(&tenant, Some(&files));
        }
        (Origin::Kept, Credential::Token(_)) => tenants.settings.use_credential(&tenant, None),
        _ => tenants.settings.set_default(&tenant),
    }
    effects.push(Effect::SaveSettings(tenants.settings.clone()));
    tenants.connection = Some(Connection {
        tenant,
        credential,
        origin,
    });
    tenants.reading = None;
    state.screen = Screen::Main;
    // A new credential may see what the old one could not.
    state.current.tenant = None;
}

#[cfg(test)]
mod tests;
