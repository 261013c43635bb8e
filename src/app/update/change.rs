//! Changes of the picture on the tenant (upload, Undo's put-back, removal), their retries and
//! cancellation, and the picture the tenant shows now.

use crate::TenantUrl;
use crate::api::{ApiError, CallEvent};
use crate::app::effects::{ChangeRequest, Effect};
use crate::app::msg::{ChangeAction, ChangeError, ChangeEvent, ChangeOutcome};
use crate::app::state::{
    AppState, ChangeKind, Current, Notice, NoticeAction, Previous, Retry, RunningChange, Tone,
};
use crate::messages::{self, Remedy, explain};

pub fn act(state: &mut AppState, action: ChangeAction, effects: &mut Vec<Effect>) {
    match action {
        ChangeAction::Upload => {
            let photos = &state.photo;
            if let Some(photo) = &photos.photo {
                // The "will send" measurement already encoded this framing: send those bytes.
                let request = ChangeRequest::Upload {
                    source: photo.source.clone(),
                    framing: photo.framing,
                    prepared: photos.ready_avatar().cloned(),
                };
                start(state, request, ChangeKind::Upload, effects);
            }
        }
        ChangeAction::Undo => {
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
                start(state, request, ChangeKind::Undo, effects);
            }
        }
        ChangeAction::TryAgain => {
            let again = match state.change.last {
                Some(ChangeKind::Upload) => ChangeAction::Upload,
                Some(ChangeKind::Undo) => ChangeAction::Undo,
                Some(ChangeKind::Remove) => ChangeAction::Remove,
                None => return,
            };
            act(state, again, effects);
        }
        ChangeAction::AskRemove => state.change.confirm_remove = true,
        ChangeAction::KeepPicture => state.change.confirm_remove = false,
        ChangeAction::Remove => {
            state.change.confirm_remove = false;
            start(state, ChangeRequest::Remove, ChangeKind::Remove, effects);
        }
        ChangeAction::Cancel { at } => cancel(state, at, effects),
    }
}

fn cancel(state: &mut AppState, at: std::time::Instant, effects: &mut Vec<Effect>) {
    let Some(running) = state.change.running.take() else {
        return;
    };
    effects.push(Effect::CancelChange { id: running.id });
    let waiting = state.change.retry.take().is_some_and(|retry| at < retry.at);
    state.change.replacing = None;
    let said = if running.sending && !waiting {
        // The tenant may have applied it before the cancel: look, don't guess.
        state.current.tenant = None;
        messages::cancelled_after_sending(running.kind)
    } else {
        running.kind.cancelled()
    };
    state.notice = Some(Notice::new(Tone::Error, said));
}

/// Starts a change of the picture on the tenant, unless one is running; notes what it
/// replaces so it can be undone.
fn start(
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
    change.last_id += 1;
    let id = change.last_id;
    change.running = Some(RunningChange {
        id,
        kind,
        sending: false,
    });
    effects.push(Effect::StartChange {
        id,
        request,
        connection: connection.clone(),
    });
}

pub fn handle(state: &mut AppState, event: ChangeEvent) {
    match event {
        ChangeEvent::Sending { id }
        | ChangeEvent::Retrying { id, .. }
        | ChangeEvent::Finished { id, .. }
            if state.change.running.as_ref().is_none_or(|r| r.id != id) =>
        {
            // A cancelled change's late report no longer concerns the user.
        }
        ChangeEvent::Sending { .. } => {
            if let Some(running) = &mut state.change.running {
                running.sending = true;
            }
        }
        ChangeEvent::Retrying {
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
        ChangeEvent::Finished { tenant, result, .. } => finish(state, tenant, result),
        ChangeEvent::User {
            generation,
            name,
            initials_name,
        } => {
            if generation == state.current.generation {
                state.current.user_name = Some(name).filter(|n| !n.is_empty());
                state.current.initials_name = Some(initials_name).filter(|n| !n.trim().is_empty());
            }
        }
        ChangeEvent::Current { generation, .. } if generation != state.current.generation => {
            // A fetch started before a newer one: its answer may be out of date.
        }
        ChangeEvent::Current { result, .. } => {
            state.current.shown = match result {
                Ok(Some(current)) => Current::Shown {
                    picture: current.picture,
                    texture: current.texture,
                },
                Ok(None) => Current::Missing,
                Err(err) => Current::Failed(messages::could_not_fetch(&err)),
            };
        }
    }
}

fn finish(state: &mut AppState, tenant: TenantUrl, result: Result<ChangeOutcome, ChangeError>) {
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
    let action = messages::row(err).remedy.map(|remedy| {
        let action = match remedy {
            Remedy::UpdateToken | Remedy::UpdateCertificate => NoticeAction::UpdateCredential,
            Remedy::CheckTenant => NoticeAction::CheckTenant,
            Remedy::TryAgain => NoticeAction::TryAgain,
        };
        (remedy.label().to_owned(), action)
    });
    let explained = explain(err);
    Notice {
        tone: Tone::Error,
        title: explained.headline,
        server_text: explained.server_text,
        next_step: Some(explained.next_step),
        action,
    }
}

/// Fetches the tenant's current picture when the tenant changed or the picture did.
pub fn refresh_current(state: &mut AppState, effects: &mut Vec<Effect>) {
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
