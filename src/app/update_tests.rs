//! `update` driven by messages alone: every flow of the app, with no window, runtime or sleep.
//! kittest (tests/gui) keeps what needs rendering and input.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;

use super::update;
use crate::api::{ApiError, CallEvent, TenantPicture, TenantUrl, WhoAmI};
use crate::app::crop_editor::Edit;
use crate::app::effects::{ChangeRequest, Effect, LoadWhat};
use crate::app::msg::{
    Action, ChangeError, ChangeOutcome, CurrentPicture, LoadedPhoto, Pasted, TaskEvent,
};
use crate::app::start;
use crate::app::state::{
    AppState, ChangeKind, Current, NoticeAction, Previous, Screen, SetupForm, Tone,
};
use crate::avatar::{self, AvatarError, EncodedAvatar, Framing, Source};
use crate::credentials::{ApiToken, Credential, StoreError};
use crate::settings::Settings;

fn acme() -> TenantUrl {
    TenantUrl::parse("https://acme.console.ves.volterra.io").expect("tenant")
}

fn other_tenant() -> TenantUrl {
    TenantUrl::parse("https://globex.console.ves.volterra.io").expect("tenant")
}

fn token(text: &str) -> ApiToken {
    ApiToken::new(text).expect("token")
}

/// A real 64×48 PNG, so `Source` is the real thing.
fn source() -> Source {
    let image = image::RgbImage::from_pixel(64, 48, image::Rgb([200, 40, 40]));
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("encode");
    Source::from_bytes(png.into_inner()).expect("source")
}

fn texture() -> egui::TextureHandle {
    egui::Context::default().load_texture(
        "test",
        egui::ColorImage::filled([2, 2], egui::Color32::RED),
        egui::TextureOptions::LINEAR,
    )
}

fn loaded(generation: u64, name: &str) -> TaskEvent {
    TaskEvent::Loaded {
        generation,
        result: Ok(LoadedPhoto {
            name: name.into(),
            folder: Some(PathBuf::from("/photos")),
            source: source(),
            texture: texture(),
        }),
    }
}

fn encoded(source: &Source, framing: &Framing) -> EncodedAvatar {
    avatar::render(source, framing, &avatar::Output::default()).expect("render")
}

fn picture(byte: u8) -> TenantPicture {
    TenantPicture {
        content_type: "image/jpeg".into(),
        bytes: vec![0xFF, 0xD8, byte],
    }
}

/// Started with a tenant and a token from the environment: on the main screen, fetching.
fn connected() -> (AppState, Vec<Effect>) {
    start(
        Some(acme().origin()),
        Some(token("env-token")),
        Settings::default(),
        None,
        "the test store",
        None,
    )
}

/// Connected, the current picture known (`current`), a photo loaded and its framing prepared.
fn ready(current: Option<TenantPicture>) -> AppState {
    let (mut state, _) = connected();
    answer_current(&mut state, current);
    update(&mut state, Action::Load("/photos/me.jpg".into()));
    update(&mut state, loaded(1, "me.jpg"));
    prepare(&mut state);
    state
}

fn answer_current(state: &mut AppState, current: Option<TenantPicture>) {
    let generation = state.current.generation;
    update(
        state,
        TaskEvent::Current {
            generation,
            result: Ok(current.map(|picture| CurrentPicture {
                picture,
                texture: None,
            })),
        },
    );
}

/// Answers the pending "will send" render with the real encoding.
fn prepare(state: &mut AppState) -> Vec<Effect> {
    let photo = state.photo.photo.as_ref().expect("photo");
    let (generation, framing) = (photo.generation, photo.framing);
    let result = Ok(encoded(&photo.source, &framing));
    update(
        state,
        TaskEvent::Prepared {
            generation,
            framing,
            result,
        },
    )
}

fn started_change(effects: &[Effect]) -> (u64, &ChangeRequest) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::StartChange { id, request, .. } => Some((*id, request)),
            _ => None,
        })
        .expect("a change starts")
}

fn finish(
    state: &mut AppState,
    id: u64,
    result: Result<ChangeOutcome, ChangeError>,
) -> Vec<Effect> {
    update(
        state,
        TaskEvent::ChangeFinished {
            id,
            tenant: acme(),
            result,
        },
    )
}

fn fetches(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchCurrent { generation, .. } => Some(*generation),
            _ => None,
        })
        .collect()
}

fn title(state: &AppState) -> &str {
    state.notice.as_ref().map_or("", |n| n.title.as_str())
}

fn form(state: &AppState) -> &SetupForm {
    match &state.screen {
        Screen::Setup(form) => form,
        Screen::Main => panic!("expected the setup screen"),
    }
}

#[test]
fn start_up_picks_the_screen_and_the_first_work() {
    let (state, effects) = connected();
    assert!(matches!(state.screen, Screen::Main));
    assert_eq!(fetches(&effects), [1], "{effects:?}");

    let (state, effects) = start(
        Some(acme().origin()),
        None,
        Settings::default(),
        None,
        "s",
        None,
    );
    assert_eq!(state.tenant.reading_token, Some(acme()));
    assert!(matches!(&effects[..], [Effect::ReadToken { tenant }] if *tenant == acme()));

    let (state, effects) = start(None, None, Settings::default(), None, "s", None);
    assert_eq!(form(&state).tenant, "");
    assert!(effects.is_empty(), "{effects:?}");

    let (_, effects) = start(
        None,
        None,
        Settings::default(),
        Some("the settings file was damaged".into()),
        "s",
        Some("/photos/me.jpg".into()),
    );
    assert!(
        matches!(&effects[..], [Effect::Load { generation: 1, what: LoadWhat::File(p) }]
        if p == &PathBuf::from("/photos/me.jpg"))
    );
}

#[test]
fn a_dropped_photo_loads_is_measured_and_remembers_its_folder() {
    let (mut state, _) = connected();
    let effects = update(&mut state, Action::Load("/photos/me.jpg".into()));
    assert!(matches!(&effects[..], [Effect::Load { generation: 1, .. }]));
    assert_eq!(state.photo.loading.as_deref(), Some("me.jpg"));

    let effects = update(&mut state, loaded(1, "me.jpg"));
    assert_eq!(state.photo.loading, None);
    assert_eq!(
        state.photo.photo.as_ref().map(|p| p.name.as_str()),
        Some("me.jpg")
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveSettings(s)
        if s.last_folder == Some(PathBuf::from("/photos")))));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Prepare { generation: 1, .. }))
    );
    assert_eq!(state.photo.prepared_for_photo().map(|p| p.generation), None);

    prepare(&mut state);
    assert!(state.photo.ready_avatar().is_some());
}

#[test]
fn a_late_or_failed_load_keeps_the_photo_on_screen() {
    let mut state = ready(None);
    update(&mut state, Action::Load("/photos/slow.jpg".into()));
    update(&mut state, Action::Load("/photos/bad.jpg".into()));
    // The slow one finishes last: it was superseded.
    update(&mut state, loaded(2, "slow.jpg"));
    assert_eq!(
        state.photo.photo.as_ref().map(|p| p.name.as_str()),
        Some("me.jpg")
    );
    update(
        &mut state,
        TaskEvent::Loaded {
            generation: 3,
            result: Err(AvatarError::Corrupt("truncated".into())),
        },
    );
    assert_eq!(
        state.photo.photo.as_ref().map(|p| p.name.as_str()),
        Some("me.jpg")
    );
    assert_eq!(
        title(&state),
        "cannot open this file: the image is damaged or truncated: truncated"
    );
    assert_eq!(state.photo.loading, None);
}

#[test]
fn a_pasted_network_path_is_refused_with_a_notice_and_never_loaded() {
    let (mut state, _) = connected();
    let effects = update(
        &mut state,
        Action::Paste(Pasted::NetworkPath("\\\\host\\share\\x.jpg".into())),
    );
    assert!(effects.is_empty(), "nothing is opened");
    assert_eq!(state.photo.loading, None);
    let notice = state.notice.as_ref().expect("a notice");
    assert_eq!(
        notice.title,
        "Not opened: the pasted text names a file on another computer (\\\\host\\share\\x.jpg)"
    );
    assert!(
        notice
            .next_step
            .as_deref()
            .is_some_and(|step| step.starts_with("A pasted network path is never opened")),
        "{:?}",
        notice.next_step
    );
}

#[test]
fn pasted_text_that_names_no_file_is_ignored() {
    let (mut state, _) = connected();
    let effects = update(
        &mut state,
        Action::Paste(Pasted::Path("/tmp/none.jpg".into())),
    );
    assert!(matches!(
        &effects[..],
        [Effect::Load {
            generation: 1,
            what: LoadWhat::Pasted(Pasted::Path(_))
        }]
    ));
    update(&mut state, TaskEvent::PasteIgnored { generation: 1 });
    assert_eq!(state.photo.loading, None);
    assert!(state.notice.is_none());

    let image = Arc::new(egui::ColorImage::filled([4, 4], egui::Color32::BLUE));
    update(&mut state, Action::Paste(Pasted::Image(image)));
    assert_eq!(state.photo.loading.as_deref(), Some("Pasted image"));

    // Text that names no file: the clipboard's file list is read, off the UI thread.
    let effects = update(&mut state, Action::Paste(Pasted::FileList));
    assert!(matches!(
        &effects[..],
        [Effect::Load {
            generation: 3,
            what: LoadWhat::Pasted(Pasted::FileList)
        }]
    ));
    assert_eq!(state.photo.loading.as_deref(), Some("the copied file"));
}

#[test]
fn one_render_at_a_time_and_upload_sends_the_rendered_bytes() {
    let (mut state, _) = connected();
    answer_current(&mut state, None);
    update(&mut state, Action::Load("/photos/me.jpg".into()));
    update(&mut state, loaded(1, "me.jpg"));
    assert!(state.photo.preparing.is_some());
    // A drag while encoding: no second render is queued.
    let effects = update(&mut state, Action::Frame(Edit::Rotate(1)));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Prepare { .. })));
    // The first render lands (for the old framing): the new framing is measured next.
    let photo = state.photo.photo.as_ref().expect("photo");
    let old = Framing::new(photo.source.size());
    let result = Ok(encoded(&photo.source, &old));
    let effects = update(
        &mut state,
        TaskEvent::Prepared {
            generation: 1,
            framing: old,
            result,
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Prepare { framing, .. }
        if *framing != old))
    );
    assert!(!state.photo.prepared_is_current());
    assert!(
        state.photo.prepared_for_photo().is_some(),
        "the old numbers stay shown"
    );

    // Upload now renders itself (the prepared bytes are of another framing)…
    let effects = update(&mut state, Action::Upload);
    let (id, request) = started_change(&effects);
    assert!(matches!(
        request,
        ChangeRequest::Upload { prepared: None, .. }
    ));
    finish(
        &mut state,
        id,
        Err(ChangeError::Api(ApiError::Conflict { server_text: None })),
    );
    // …and sends the prepared bytes once they match.
    prepare(&mut state);
    let want = state.photo.ready_avatar().expect("ready").bytes.clone();
    let effects = update(&mut state, Action::Upload);
    match started_change(&effects).1 {
        ChangeRequest::Upload {
            prepared: Some(avatar),
            ..
        } => assert_eq!(avatar.bytes, want),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_upload_goes_live_then_can_be_undone_to_the_exact_picture() {
    let before = picture(1);
    let mut state = ready(Some(before.clone()));
    let effects = update(&mut state, Action::Upload);
    let (id, _) = started_change(&effects);
    assert!(state.changing());
    // No fetch while a change runs.
    assert!(fetches(&effects).is_empty());

    let avatar = encoded(&source(), &Framing::new((64, 48)));
    let effects = finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert!(title(&state).starts_with("your new profile picture is live on acme.console"));
    let notice = state.notice.as_ref().expect("notice");
    assert_eq!(notice.tone, Tone::Success);
    assert_eq!(notice.action, Some(("Undo".into(), NoticeAction::Undo)));
    assert_eq!(
        fetches(&effects).len(),
        1,
        "shows what the tenant shows now"
    );

    let effects = update(&mut state, Action::Undo);
    let (id, request) = started_change(&effects);
    assert!(matches!(request, ChangeRequest::Restore(p) if *p == before));
    finish(&mut state, id, Ok(ChangeOutcome::Restored));
    assert_eq!(
        title(&state),
        "your previous picture is back on acme.console.ves.volterra.io"
    );
    assert_eq!(state.change.undo, None, "undoing an undo is not offered");
}

#[test]
fn undoing_a_first_upload_removes_the_picture() {
    let mut state = ready(None);
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert_eq!(state.change.undo, Some((acme(), Previous::Nothing)));
    let effects = update(&mut state, Action::Undo);
    assert!(matches!(started_change(&effects).1, ChangeRequest::Remove));
}

#[test]
fn a_removal_asks_first_and_can_be_undone() {
    let before = picture(7);
    let mut state = ready(Some(before.clone()));
    update(&mut state, Action::AskRemove);
    assert!(state.change.confirm_remove);
    let effects = update(&mut state, Action::KeepPicture);
    assert!(!state.change.confirm_remove);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::StartChange { .. }))
    );

    update(&mut state, Action::AskRemove);
    let effects = update(&mut state, Action::Remove);
    let (id, request) = started_change(&effects);
    assert!(matches!(request, ChangeRequest::Remove));
    assert!(!state.change.confirm_remove);
    finish(&mut state, id, Ok(ChangeOutcome::Removed));
    assert_eq!(
        title(&state),
        "your profile picture was removed from acme.console.ves.volterra.io"
    );
    assert_eq!(state.change.undo, Some((acme(), Previous::Picture(before))));
}

#[test]
fn a_failure_offers_the_button_that_fits_and_try_again_repeats_it() {
    let cases: Vec<(ApiError, Option<NoticeAction>)> = vec![
        (
            ApiError::Unauthorized { server_text: None },
            Some(NoticeAction::UpdateToken),
        ),
        (ApiError::UnusableToken, Some(NoticeAction::UpdateToken)),
        (ApiError::Forbidden { server_text: None }, None),
        (
            ApiError::NotFound { server_text: None },
            Some(NoticeAction::CheckTenant),
        ),
        (
            ApiError::Redirect {
                status: 302,
                location: "https://login.example".into(),
            },
            Some(NoticeAction::CheckTenant),
        ),
        (
            ApiError::Dns {
                host: "acme".into(),
            },
            Some(NoticeAction::CheckTenant),
        ),
        (
            ApiError::Conflict { server_text: None },
            Some(NoticeAction::TryAgain),
        ),
        (
            ApiError::Server {
                status: 500,
                retry_after: None,
                server_text: Some("upstream connect error".into()),
            },
            Some(NoticeAction::TryAgain),
        ),
        (
            ApiError::Timeout {
                host: "acme".into(),
                after: Duration::from_secs(60),
            },
            Some(NoticeAction::TryAgain),
        ),
    ];
    for (err, want) in cases {
        let mut state = ready(None);
        let (id, _) = started_change(&update(&mut state, Action::Upload));
        finish(&mut state, id, Err(ChangeError::Api(err.clone())));
        let notice = state.notice.as_ref().expect("notice");
        assert_eq!(notice.tone, Tone::Error, "{err:?}");
        assert_eq!(notice.title, err.to_string());
        assert_eq!(notice.server_text.as_deref(), err.server_text());
        assert_eq!(notice.next_step, Some(err.next_step()));
        assert_eq!(notice.action.as_ref().map(|(_, a)| *a), want, "{err:?}");
        assert!(!state.changing());
        let effects = update(&mut state, Action::TryAgain);
        assert!(matches!(
            started_change(&effects).1,
            ChangeRequest::Upload { .. }
        ));
    }
}

#[test]
fn a_rejected_token_leads_to_setup_with_the_reason() {
    let mut state = ready(None);
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    finish(
        &mut state,
        id,
        Err(ChangeError::Api(ApiError::Unauthorized {
            server_text: Some("expired".into()),
        })),
    );
    let reason = "The tenant rejected the API token (HTTP 401)";
    update(
        &mut state,
        Action::OpenSetup {
            reason: Some(reason.into()),
        },
    );
    let form = form(&state);
    assert_eq!(form.reason.as_deref(), Some(reason));
    assert_eq!(form.tenant, acme().origin());
    assert!(form.can_cancel);
    update(&mut state, Action::CloseSetup);
    assert!(matches!(state.screen, Screen::Main));
}

#[test]
fn a_picture_that_cannot_be_encoded_says_why() {
    let mut state = ready(None);
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    finish(
        &mut state,
        id,
        Err(ChangeError::Avatar(AvatarError::Encode(
            "out of memory".into(),
        ))),
    );
    assert_eq!(title(&state), "could not encode the avatar: out of memory");

    let photo = state.photo.photo.as_ref().expect("photo");
    let (generation, framing) = (photo.generation, photo.framing);
    update(
        &mut state,
        TaskEvent::Prepared {
            generation,
            framing,
            result: Err(AvatarError::Encode("no memory".into())),
        },
    );
    assert_eq!(
        state
            .photo
            .prepared_for_photo()
            .and_then(|p| p.result.as_ref().err())
            .map(String::as_str),
        Some("Cannot send: Could not encode the avatar: no memory")
    );
    assert!(state.photo.ready_avatar().is_none());
}

#[test]
fn a_retry_counts_down_and_cancel_says_what_really_happened() {
    // Cancelled while waiting to retry: the last attempt was turned away, nothing changed.
    let mut state = ready(None);
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    update(&mut state, TaskEvent::ChangeSent { id });
    let at = Instant::now() + Duration::from_secs(30);
    let reason = ApiError::RateLimited {
        retry_after: Some(Duration::from_secs(30)),
        server_text: None,
    };
    update(
        &mut state,
        TaskEvent::Retrying {
            id,
            event: CallEvent::Retrying {
                next_attempt: 2,
                attempts: 4,
                wait: Duration::from_secs(30),
                reason,
            },
            at,
        },
    );
    let retry = state.change.retry.as_ref().expect("retry");
    assert_eq!((retry.next_attempt, retry.attempts, retry.at), (2, 4, at));
    let effects = update(
        &mut state,
        Action::CancelChange {
            at: at - Duration::from_secs(1),
        },
    );
    assert!(matches!(&effects[..], [Effect::CancelChange { id: i }] if *i == id));
    assert_eq!(
        title(&state),
        "upload cancelled: your profile picture was not changed"
    );
    assert!(state.change.retry.is_none() && !state.changing());
    // Its late report changes nothing.
    finish(&mut state, id, Ok(ChangeOutcome::Removed));
    assert_eq!(
        title(&state),
        "upload cancelled: your profile picture was not changed"
    );

    // Cancelled before anything was sent.
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    update(&mut state, Action::CancelChange { at: Instant::now() });
    assert_eq!(
        title(&state),
        "upload cancelled: your profile picture was not changed"
    );
    assert!(state.change.running.is_none(), "{id}");

    // Cancelled with the request out: it may have been applied; look again.
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    update(&mut state, TaskEvent::ChangeSent { id });
    let effects = update(&mut state, Action::CancelChange { at: Instant::now() });
    assert_eq!(
        title(&state),
        "upload cancelled after it was sent: the tenant may already show the new picture"
    );
    assert_eq!(fetches(&effects).len(), 1);
}

/// Before, a fetch started before an upload could land after the fresh one and replace it,
/// then become what Undo puts back.
#[test]
fn a_slow_older_fetch_cannot_replace_a_newer_one() {
    let old = picture(1);
    let new = picture(2);
    let (mut state, effects) = connected();
    assert_eq!(fetches(&effects), [1]);
    // The user uploads before the first fetch answers (Undo is then not offered).
    update(&mut state, Action::Load("/photos/me.jpg".into()));
    update(&mut state, loaded(1, "me.jpg"));
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    let effects = finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert_eq!(fetches(&effects), [2]);
    update(
        &mut state,
        TaskEvent::Current {
            generation: 2,
            result: Ok(Some(CurrentPicture {
                picture: new.clone(),
                texture: None,
            })),
        },
    );
    // The slow first fetch lands last, with the picture from before the upload.
    update(
        &mut state,
        TaskEvent::Current {
            generation: 1,
            result: Ok(Some(CurrentPicture {
                picture: old,
                texture: None,
            })),
        },
    );
    assert!(matches!(&state.current.shown, Current::Shown { picture, .. } if *picture == new));
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert_eq!(state.change.undo, Some((acme(), Previous::Picture(new))));
}

#[test]
fn a_fetch_that_fails_says_why() {
    let (mut state, _) = connected();
    update(
        &mut state,
        TaskEvent::Current {
            generation: 1,
            result: Err(ApiError::Forbidden { server_text: None }),
        },
    );
    assert!(matches!(&state.current.shown, Current::Failed(said)
        if said == "Could not fetch it: your account may not change its picture on this tenant (HTTP 403)"));
}

#[test]
fn setup_tests_saves_and_connects() {
    let (mut state, _) = start(
        None,
        None,
        Settings::default(),
        None,
        "the test store",
        None,
    );
    let effects = update(
        &mut state,
        Action::TestConnection {
            tenant: acme(),
            token: token("typed"),
        },
    );
    assert!(matches!(&effects[..], [Effect::TestConnection { .. }]));
    if let Screen::Setup(form) = &mut state.screen {
        form.tenant = acme().origin();
    }
    assert_eq!(form(&state).busy, Some("Testing the connection…"));
    // An answer for a tenant the form no longer shows is not its outcome.
    update(
        &mut state,
        TaskEvent::Tested {
            tenant: other_tenant(),
            result: Err(ApiError::Unauthorized { server_text: None }),
        },
    );
    assert!(form(&state).busy.is_some());
    let me = WhoAmI {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        tenant: "acme".into(),
        ..WhoAmI::default()
    };
    update(
        &mut state,
        TaskEvent::Tested {
            tenant: acme(),
            result: Ok(me),
        },
    );
    assert_eq!(
        form(&state).outcome,
        Some((
            Tone::Success,
            "Connected as Ada Lovelace <ada@example.com> on acme".into()
        ))
    );
    update(
        &mut state,
        TaskEvent::Tested {
            tenant: acme(),
            result: Err(ApiError::Unauthorized {
                server_text: Some("Invalid or expired API token".into()),
            }),
        },
    );
    assert_eq!(
        form(&state).outcome,
        Some((
            Tone::Error,
            "The tenant rejected the API token (HTTP 401) — server said: \"Invalid or expired \
             API token\". The token may be wrong or expired: create a new API token in the \
             Console and update it."
                .into()
        ))
    );

    let effects = update(
        &mut state,
        Action::SaveToken {
            tenant: acme(),
            token: token("typed"),
        },
    );
    assert!(matches!(&effects[..], [Effect::SaveToken { .. }]));
    let effects = update(
        &mut state,
        TaskEvent::Saved {
            tenant: acme(),
            token: token("typed"),
            result: Ok(()),
        },
    );
    assert!(matches!(state.screen, Screen::Main));
    assert_eq!(title(&state), "saved in the test store");
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveSettings(s)
        if s.default_tenant == Some(acme().origin()) && s.tenants == [acme().origin()])));
    assert_eq!(fetches(&effects).len(), 1);
}

#[test]
fn without_a_keyring_the_token_is_used_for_this_session_only() {
    let (mut state, _) = start(None, None, Settings::default(), None, "s", None);
    update(
        &mut state,
        Action::SaveToken {
            tenant: acme(),
            token: token("typed"),
        },
    );
    let failure = StoreError::Unavailable {
        detail: "no D-Bus session".into(),
    };
    update(
        &mut state,
        TaskEvent::Saved {
            tenant: acme(),
            token: token("typed"),
            result: Err(failure),
        },
    );
    assert!(form(&state).store_failed);
    assert!(form(&state).busy.is_none());
    update(
        &mut state,
        Action::Connect {
            tenant: acme(),
            token: token("typed"),
        },
    );
    assert!(matches!(state.screen, Screen::Main));
    assert_eq!(
        title(&state),
        "using the token for https://acme.console.ves.volterra.io for this session only: it is \
         forgotten when you close the app"
    );
}

#[test]
fn a_saved_token_is_read_at_start_or_setup_says_why_not() {
    let start_reading = || {
        start(
            Some(acme().origin()),
            None,
            Settings::default(),
            None,
            "s",
            None,
        )
        .0
    };

    let mut state = start_reading();
    let effects = update(
        &mut state,
        TaskEvent::TokenRead {
            tenant: acme(),
            result: Ok(Some(token("kept"))),
        },
    );
    assert_eq!(
        state.tenant.connection.as_ref().map(|c| &c.credential),
        Some(&Credential::Token(token("kept")))
    );
    assert_eq!(fetches(&effects).len(), 1);

    let mut state = start_reading();
    update(
        &mut state,
        TaskEvent::TokenRead {
            tenant: acme(),
            result: Ok(None),
        },
    );
    assert_eq!(
        form(&state).reason.as_deref(),
        Some("No API token is saved for https://acme.console.ves.volterra.io yet.")
    );
    assert!(!form(&state).store_failed);

    let mut state = start_reading();
    update(
        &mut state,
        TaskEvent::TokenRead {
            tenant: acme(),
            result: Err(StoreError::Unavailable {
                detail: "no D-Bus session".into(),
            }),
        },
    );
    assert!(form(&state).store_failed);
    assert!(
        form(&state)
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("No keyring"))
    );

    // A read for a tenant the user has switched away from is not used.
    let mut state = start_reading();
    update(&mut state, Action::SwitchTenant(other_tenant()));
    update(
        &mut state,
        TaskEvent::TokenRead {
            tenant: acme(),
            result: Ok(Some(token("kept"))),
        },
    );
    assert!(state.tenant.connection.is_none());
}

#[test]
fn switching_tenant_reads_its_token_and_makes_it_the_default() {
    let (mut state, _) = connected();
    let effects = update(&mut state, Action::SwitchTenant(other_tenant()));
    assert!(state.tenant.connection.is_none());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::ReadToken { tenant } if *tenant == other_tenant()))
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveSettings(s)
        if s.default_tenant == Some(other_tenant().origin()))));
}

#[test]
fn forgetting_the_token_disconnects_unless_it_came_from_the_environment() {
    let (mut state, _) = start(
        Some(acme().origin()),
        None,
        Settings::default(),
        None,
        "s",
        None,
    );
    update(
        &mut state,
        TaskEvent::TokenRead {
            tenant: acme(),
            result: Ok(Some(token("kept"))),
        },
    );
    update(&mut state, Action::OpenSetup { reason: None });
    let effects = update(&mut state, Action::ForgetToken { tenant: acme() });
    assert!(matches!(&effects[..], [Effect::ForgetToken { .. }]));
    update(
        &mut state,
        TaskEvent::Forgotten {
            tenant: acme(),
            result: Ok(true),
        },
    );
    assert!(state.tenant.connection.is_none());
    assert!(!form(&state).can_cancel);
    assert_eq!(
        form(&state).outcome,
        Some((
            Tone::Success,
            "Forgot the token for https://acme.console.ves.volterra.io (removed from s)".into()
        ))
    );

    let (mut state, _) = connected();
    update(&mut state, Action::OpenSetup { reason: None });
    update(
        &mut state,
        TaskEvent::Forgotten {
            tenant: acme(),
            result: Ok(false),
        },
    );
    assert!(
        state.tenant.connection.is_some(),
        "F5XC_API_TOKEN still applies"
    );
    assert_eq!(
        form(&state).outcome.as_ref().map(|(_, t)| t.as_str()),
        Some("No token was saved for https://acme.console.ves.volterra.io")
    );
}

#[test]
fn a_settings_file_that_cannot_be_written_is_reported() {
    let (mut state, _) = connected();
    update(
        &mut state,
        TaskEvent::SettingsNotSaved("cannot write settings.json: disk full".into()),
    );
    assert_eq!(title(&state), "cannot write settings.json: disk full");
    assert_eq!(state.notice.as_ref().map(|n| n.tone), Some(Tone::Error));
}

#[test]
fn the_open_dialog_starts_in_the_last_folder() {
    let (mut state, _) = connected();
    state.tenant.settings.last_folder = Some("/photos".into());
    let effects = update(&mut state, Action::OpenDialog);
    assert!(
        matches!(&effects[..], [Effect::PickFile { folder: Some(f) }] if f == &PathBuf::from("/photos"))
    );
    let effects = update(&mut state, TaskEvent::Picked(Some("/photos/b.jpg".into())));
    assert!(matches!(
        &effects[..],
        [Effect::Load {
            what: LoadWhat::File(_),
            ..
        }]
    ));
    assert!(update(&mut state, TaskEvent::Picked(None)).is_empty());
}

#[test]
fn change_kinds_word_their_progress() {
    assert_eq!(
        ChangeKind::Undo.doing(),
        "Putting your previous picture back…"
    );
    assert_eq!(
        ChangeKind::Remove.cancelled(),
        "removal cancelled: your profile picture stays"
    );
}

/// A tenant that signs in with a certificate reads it (not a token) at start; a file that
/// cannot be used opens setup on the certificate with the exact reason and the file dialog.
#[test]
fn a_kept_certificate_is_read_at_start_and_a_moved_file_reopens_setup_with_the_dialog() {
    use crate::app::msg::CertificateProblem;
    use crate::app::state::CredentialKind;
    use crate::credentials::CertificateError;
    let mut settings = Settings::default();
    settings.set_certificate(&acme(), std::path::Path::new("/keys/ada.p12"));
    let (mut state, effects) = start(None, None, settings, None, "s", None);
    assert!(
        matches!(&effects[..], [Effect::ReadCertificate { tenant, path, password: None }]
            if *tenant == acme() && path == &PathBuf::from("/keys/ada.p12")),
        "{effects:?}"
    );

    let missing = CertificateError::Missing {
        path: "/keys/ada.p12".into(),
    };
    let effects = update(
        &mut state,
        TaskEvent::CertificateRead {
            tenant: acme(),
            result: Err(CertificateProblem::File(missing)),
        },
    );
    let setup = form(&state);
    assert_eq!(setup.kind, CredentialKind::Certificate);
    assert_eq!(setup.certificate_path, "/keys/ada.p12");
    assert_eq!(
        setup.reason.as_deref(),
        Some(
            "The certificate file /keys/ada.p12 does not exist. Choose the .p12 where it is \
             now, or download a new API certificate from the Console."
        )
    );
    assert!(
        matches!(&effects[..], [Effect::PickCertificate { folder: Some(f) }] if f == &PathBuf::from("/keys")),
        "{effects:?}"
    );

    // The dialog's answer fills the form; nothing is opened as a photo.
    let effects = update(
        &mut state,
        TaskEvent::PickedCertificate(Some("/new/ada.p12".into())),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(form(&state).certificate_path, "/new/ada.p12");
}

/// A `.p12` dropped on the setup screen becomes the certificate to use, not a photo to load.
#[test]
fn a_p12_dropped_on_setup_is_the_certificate() {
    use crate::app::state::CredentialKind;
    let (mut state, _) = start(None, None, Settings::default(), None, "s", None);
    let effects = update(&mut state, Action::Load("/downloads/acme.P12".into()));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(form(&state).kind, CredentialKind::Certificate);
    assert_eq!(form(&state).certificate_path, "/downloads/acme.P12");
    assert!(state.photo.loading.is_none());
}

/// Each change's Cancel says what really happened, for an undo and a removal too: before the
/// request went out nothing changed; after, it may have.
#[test]
fn cancelling_an_undo_or_a_removal_says_what_stays() {
    let before = picture(3);
    let mut state = ready(Some(before));
    let (id, _) = started_change(&update(&mut state, Action::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));

    let (undo, _) = started_change(&update(&mut state, Action::Undo));
    update(&mut state, Action::CancelChange { at: Instant::now() });
    assert_eq!(title(&state), "undo cancelled: your new picture stays");
    assert!(state.change.running.is_none(), "{undo}");

    update(&mut state, Action::AskRemove);
    let (remove, _) = started_change(&update(&mut state, Action::Remove));
    update(&mut state, Action::CancelChange { at: Instant::now() });
    assert_eq!(
        title(&state),
        "removal cancelled: your profile picture stays"
    );
    assert!(state.change.running.is_none(), "{remove}");

    update(&mut state, Action::AskRemove);
    let (remove, _) = started_change(&update(&mut state, Action::Remove));
    update(&mut state, TaskEvent::ChangeSent { id: remove });
    update(&mut state, Action::CancelChange { at: Instant::now() });
    assert_eq!(
        title(&state),
        "removal cancelled after it was sent: your picture may already be removed"
    );
}
