//! `update` driven by messages alone: every flow of the app, with no window, runtime or sleep.
//! kittest (tests/gui) keeps what needs rendering and input.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;

use super::update;
use crate::TenantUrl;
use crate::api::{ApiError, CallEvent, TenantPicture, WhoAmI};
use crate::app::effects::{ChangeRequest, Effect, LoadWhat};
use crate::app::msg::{
    ChangeAction, ChangeError, ChangeEvent, ChangeOutcome, CurrentPicture, LoadedPhoto, Pasted,
    PhotoAction, PhotoEvent, SetupAction, SetupEvent, SetupProblem, TenantAction, TenantEvent,
};
use crate::app::start;
use crate::app::state::{
    AppState, ChangeKind, Current, NoticeAction, Previous, Screen, SetupState, Tone,
};
use crate::avatar::{self, AvatarError, Edit, EncodedAvatar, Framing, Source};
use crate::credentials::{ApiToken, Credential, CredentialInput, CredentialKind, StoreError};
use crate::settings::Settings;
use crate::sign_in::{CredentialProblem, Environment, Found, Origin};

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

fn loaded(generation: u64, name: &str) -> PhotoEvent {
    PhotoEvent::Loaded {
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

/// The environment the app starts in: `F5XC_API_URL` and `F5XC_API_TOKEN`, no vesctl profile.
fn env(tenant: Option<&str>, token: Option<&str>) -> Environment {
    Environment {
        tenant: tenant.map(str::to_owned),
        credential: token.map(|t| {
            (
                crate::ENV_TOKEN,
                ApiToken::new(t).map(CredentialInput::Token),
            )
        }),
        ..Environment::default()
    }
}

fn start_with(env: &Environment, settings: Settings) -> (AppState, Vec<Effect>) {
    start(env, settings, None, "the test store", None)
}

/// The credential for `tenant` was found where `sign_in` looks.
fn read(state: &mut AppState, tenant: TenantUrl, token_text: &str, origin: Origin) -> Vec<Effect> {
    let credential = Credential::Token(token(token_text));
    update(
        state,
        TenantEvent::CredentialRead {
            tenant,
            result: Ok(Found { credential, origin }),
        },
    )
}

/// Started with a tenant and a token from the environment: on the main screen, fetching.
fn connected() -> (AppState, Vec<Effect>) {
    let (mut state, _) = start_with(
        &env(Some(&acme().origin()), Some("env-token")),
        Settings::default(),
    );
    let effects = read(
        &mut state,
        acme(),
        "env-token",
        Origin::Environment(crate::ENV_TOKEN),
    );
    (state, effects)
}

/// Connected, the current picture known (`current`), a photo loaded and its framing prepared.
fn ready(current: Option<TenantPicture>) -> AppState {
    let (mut state, _) = connected();
    answer_current(&mut state, current);
    update(&mut state, PhotoAction::Load("/photos/me.jpg".into()));
    update(&mut state, loaded(1, "me.jpg"));
    prepare(&mut state);
    state
}

fn answer_current(state: &mut AppState, current: Option<TenantPicture>) {
    let generation = state.current.generation;
    update(
        state,
        ChangeEvent::Current {
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
        PhotoEvent::Prepared {
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
        ChangeEvent::Finished {
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

fn form(state: &AppState) -> &SetupState {
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

    // A tenant, and its credential to find: main screen, reading.
    let (state, effects) = start_with(&env(Some(&acme().origin()), None), Settings::default());
    assert!(matches!(state.screen, Screen::Main));
    assert_eq!(state.tenant.reading, Some(acme()));
    assert!(matches!(&effects[..], [Effect::ReadCredential { tenant, .. }] if *tenant == acme()));

    // No tenant anywhere: setup, empty.
    let (state, effects) = start_with(&env(None, None), Settings::default());
    assert_eq!(form(&state).fill.tenant, None);
    assert!(form(&state).fill.reset);
    assert!(effects.is_empty(), "{effects:?}");

    let (_, effects) = start(
        &env(None, None),
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

/// With nothing else, vesctl's profile names the tenant; its credential is read as any other.
#[test]
fn a_vesctl_profile_names_the_tenant_when_nothing_else_does() {
    let profile = crate::vesctl::Profile {
        source: crate::vesctl::ProfileSource::File("/home/ada/.vesconfig".into()),
        tenant: acme(),
        credential: CredentialInput::Pem {
            cert: "/home/ada/cert.pem".into(),
            key: "/home/ada/key.pem".into(),
        },
    };
    let env = Environment {
        vesctl: Some(Ok(profile)),
        ..Environment::default()
    };
    let (mut state, effects) = start_with(&env, Settings::default());
    assert_eq!(state.tenant.reading, Some(acme()));
    assert!(matches!(&effects[..], [Effect::ReadCredential { tenant, .. }] if *tenant == acme()));

    // Its certificate's key is gone: setup, filled from the profile, saying so.
    let missing = crate::credentials::CertificateError::Missing {
        path: "/home/ada/key.pem".into(),
    };
    let origin = Origin::Vesctl(crate::vesctl::ProfileSource::File(
        "/home/ada/.vesconfig".into(),
    ));
    let effects = update(
        &mut state,
        TenantEvent::CredentialRead {
            tenant: acme(),
            result: Err(CredentialProblem::Certificate {
                origin,
                error: missing,
            }),
        },
    );
    let setup = form(&state);
    assert_eq!(setup.fill.kind, Some(CredentialKind::Pem));
    assert_eq!(setup.fill.cert.as_deref(), Some("/home/ada/cert.pem"));
    assert_eq!(setup.fill.key.as_deref(), Some("/home/ada/key.pem"));
    assert_eq!(
        setup.found_profile.as_deref(),
        Some(
            "Found your vesctl profile for acme.console.ves.volterra.io (/home/ada/.vesconfig): \
             its certificate and key is filled in below."
        )
    );
    assert!(
        setup.reason.as_deref().is_some_and(|r| r.starts_with(
            "The certificate file /home/ada/key.pem does not exist (named by your vesctl profile"
        )),
        "{:?}",
        setup.reason
    );
    assert!(
        matches!(
            &effects[..],
            [Effect::PickCredentialFile {
                field: crate::app::msg::FileField::Key,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn a_dropped_photo_loads_is_measured_and_remembers_its_folder() {
    let (mut state, _) = connected();
    let effects = update(&mut state, PhotoAction::Load("/photos/me.jpg".into()));
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
    update(&mut state, PhotoAction::Load("/photos/slow.jpg".into()));
    update(&mut state, PhotoAction::Load("/photos/bad.jpg".into()));
    // The slow one finishes last: it was superseded.
    update(&mut state, loaded(2, "slow.jpg"));
    assert_eq!(
        state.photo.photo.as_ref().map(|p| p.name.as_str()),
        Some("me.jpg")
    );
    update(
        &mut state,
        PhotoEvent::Loaded {
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
        PhotoAction::Paste(Pasted::NetworkPath("\\\\host\\share\\x.jpg".into())),
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
        PhotoAction::Paste(Pasted::Path("/tmp/none.jpg".into())),
    );
    assert!(matches!(
        &effects[..],
        [Effect::Load {
            generation: 1,
            what: LoadWhat::Pasted(Pasted::Path(_))
        }]
    ));
    update(&mut state, PhotoEvent::PasteIgnored { generation: 1 });
    assert_eq!(state.photo.loading, None);
    assert!(state.notice.is_none());

    let image = Arc::new(egui::ColorImage::filled([4, 4], egui::Color32::BLUE));
    update(&mut state, PhotoAction::Paste(Pasted::Image(image)));
    assert_eq!(state.photo.loading.as_deref(), Some("Pasted image"));

    // Text that names no file: the clipboard's file list is read, off the UI thread.
    let effects = update(&mut state, PhotoAction::Paste(Pasted::FileList));
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
    update(&mut state, PhotoAction::Load("/photos/me.jpg".into()));
    update(&mut state, loaded(1, "me.jpg"));
    assert!(state.photo.preparing.is_some());
    // A drag while encoding: no second render is queued.
    let effects = update(&mut state, PhotoAction::Frame(Edit::Rotate(1)));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Prepare { .. })));
    // The first render lands (for the old framing): the new framing is measured next.
    let photo = state.photo.photo.as_ref().expect("photo");
    let old = Framing::new(photo.source.size());
    let result = Ok(encoded(&photo.source, &old));
    let effects = update(
        &mut state,
        PhotoEvent::Prepared {
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
    let effects = update(&mut state, ChangeAction::Upload);
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
    let effects = update(&mut state, ChangeAction::Upload);
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
    let effects = update(&mut state, ChangeAction::Upload);
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

    let effects = update(&mut state, ChangeAction::Undo);
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
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert_eq!(state.change.undo, Some((acme(), Previous::Nothing)));
    let effects = update(&mut state, ChangeAction::Undo);
    assert!(matches!(started_change(&effects).1, ChangeRequest::Remove));
}

#[test]
fn a_removal_asks_first_and_can_be_undone() {
    let before = picture(7);
    let mut state = ready(Some(before.clone()));
    update(&mut state, ChangeAction::AskRemove);
    assert!(state.change.confirm_remove);
    let effects = update(&mut state, ChangeAction::KeepPicture);
    assert!(!state.change.confirm_remove);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::StartChange { .. }))
    );

    update(&mut state, ChangeAction::AskRemove);
    let effects = update(&mut state, ChangeAction::Remove);
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
            Some(NoticeAction::UpdateCredential),
        ),
        (
            ApiError::UnusableToken,
            Some(NoticeAction::UpdateCredential),
        ),
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
        let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
        finish(&mut state, id, Err(ChangeError::Api(err.clone())));
        let notice = state.notice.as_ref().expect("notice");
        assert_eq!(notice.tone, Tone::Error, "{err:?}");
        assert_eq!(notice.title, err.to_string());
        assert_eq!(notice.server_text.as_deref(), err.server_text());
        assert_eq!(notice.next_step, Some(crate::messages::row(&err).next_step));
        assert_eq!(notice.action.as_ref().map(|(_, a)| *a), want, "{err:?}");
        assert!(!state.changing());
        let effects = update(&mut state, ChangeAction::TryAgain);
        assert!(matches!(
            started_change(&effects).1,
            ChangeRequest::Upload { .. }
        ));
    }
}

#[test]
fn a_rejected_token_leads_to_setup_with_the_reason() {
    let mut state = ready(None);
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
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
        SetupAction::Open {
            reason: Some(reason.into()),
        },
    );
    let form = form(&state);
    assert_eq!(form.reason.as_deref(), Some(reason));
    assert_eq!(form.fill.tenant, Some(acme().origin()));
    assert_eq!(form.fill.kind, Some(CredentialKind::Token));
    assert!(form.can_cancel);
    update(&mut state, SetupAction::Close);
    assert!(matches!(state.screen, Screen::Main));
}

#[test]
fn a_picture_that_cannot_be_encoded_says_why() {
    let mut state = ready(None);
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
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
        PhotoEvent::Prepared {
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
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    update(&mut state, ChangeEvent::Sending { id });
    let at = Instant::now() + Duration::from_secs(30);
    let reason = ApiError::RateLimited {
        retry_after: Some(Duration::from_secs(30)),
        server_text: None,
    };
    update(
        &mut state,
        ChangeEvent::Retrying {
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
        ChangeAction::Cancel {
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
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    update(&mut state, ChangeAction::Cancel { at: Instant::now() });
    assert_eq!(
        title(&state),
        "upload cancelled: your profile picture was not changed"
    );
    assert!(state.change.running.is_none(), "{id}");

    // Cancelled with the request out: it may have been applied; look again.
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    update(&mut state, ChangeEvent::Sending { id });
    let effects = update(&mut state, ChangeAction::Cancel { at: Instant::now() });
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
    update(&mut state, PhotoAction::Load("/photos/me.jpg".into()));
    update(&mut state, loaded(1, "me.jpg"));
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    let effects = finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert_eq!(fetches(&effects), [2]);
    update(
        &mut state,
        ChangeEvent::Current {
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
        ChangeEvent::Current {
            generation: 1,
            result: Ok(Some(CurrentPicture {
                picture: old,
                texture: None,
            })),
        },
    );
    assert!(matches!(&state.current.shown, Current::Shown { picture, .. } if *picture == new));
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));
    assert_eq!(state.change.undo, Some((acme(), Previous::Picture(new))));
}

#[test]
fn a_fetch_that_fails_says_why() {
    let (mut state, _) = connected();
    update(
        &mut state,
        ChangeEvent::Current {
            generation: 1,
            result: Err(ApiError::Forbidden { server_text: None }),
        },
    );
    assert!(matches!(&state.current.shown, Current::Failed(said)
        if said == "Could not fetch it: your account may not change its picture on this tenant (HTTP 403)"));
}

fn ada() -> WhoAmI {
    WhoAmI {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        tenant: "acme".into(),
        ..WhoAmI::default()
    }
}

fn typed(text: &str) -> CredentialInput {
    CredentialInput::Token(token(text))
}

/// One flow for every kind: test (a late answer for another tenant is not the outcome), save,
/// connect; the settings remember the tenant and, for a certificate, its files.
#[test]
fn setup_tests_saves_and_connects_each_kind() {
    let p12 = CredentialInput::P12 {
        path: "/keys/ada.p12".into(),
        password: crate::credentials::CertificatePassword::new("pw"),
    };
    let pem = CredentialInput::Pem {
        cert: "/keys/cert.pem".into(),
        key: "/keys/key.pem".into(),
    };
    for input in [typed("typed"), p12, pem] {
        let (mut state, _) = start_with(&env(None, None), Settings::default());
        let test = SetupAction::Test {
            tenant: acme(),
            input: input.clone(),
        };
        let effects = update(&mut state, test);
        assert!(matches!(&effects[..], [Effect::TestCredential { input: i, .. }] if *i == input));
        assert_eq!(form(&state).busy, Some("Testing the connection…"));
        let refused = Err(SetupProblem::Api(ApiError::Unauthorized {
            server_text: None,
        }));
        update(
            &mut state,
            SetupEvent::Tested {
                tenant: other_tenant(),
                result: refused,
            },
        );
        assert!(form(&state).busy.is_some(), "an answer for another tenant");
        let credential = Credential::Token(token("opened"));
        update(
            &mut state,
            SetupEvent::Tested {
                tenant: acme(),
                result: Ok((ada(), credential.clone())),
            },
        );
        assert_eq!(
            form(&state).outcome,
            Some((
                Tone::Success,
                "Connected as Ada Lovelace <ada@example.com> on acme".into()
            ))
        );
        let save = SetupAction::Save {
            tenant: acme(),
            input: input.clone(),
            keep: true,
        };
        let effects = update(&mut state, save);
        assert!(matches!(
            &effects[..],
            [Effect::SaveCredential { keep: true, .. }]
        ));
        let effects = update(
            &mut state,
            SetupEvent::Saved {
                tenant: acme(),
                kept: true,
                result: Ok(credential),
            },
        );
        assert!(matches!(state.screen, Screen::Main));
        assert_eq!(title(&state), "saved in the test store");
        let connection = state.tenant.connection.as_ref().expect("connected");
        assert_eq!(connection.origin, Origin::Kept);
        assert!(effects.iter().any(|e| matches!(e, Effect::SaveSettings(s)
            if s.default_tenant == Some(acme().origin()) && s.tenants == [acme().origin()])));
        assert_eq!(fetches(&effects).len(), 1);
    }
}

/// What the tenant said to a test is the outcome, word for word.
#[test]
fn a_refused_test_says_why() {
    let (mut state, _) = start_with(&env(None, None), Settings::default());
    let input = typed("typed");
    update(
        &mut state,
        SetupAction::Test {
            tenant: acme(),
            input,
        },
    );
    let said = Some("Invalid or expired API token".into());
    let result = Err(SetupProblem::Api(ApiError::Unauthorized {
        server_text: said,
    }));
    update(
        &mut state,
        SetupEvent::Tested {
            tenant: acme(),
            result,
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
}

#[test]
fn without_a_keyring_a_credential_is_used_for_this_session_only() {
    let (mut state, _) = start_with(&env(None, None), Settings::default());
    let save = |keep| SetupAction::Save {
        tenant: acme(),
        input: typed("typed"),
        keep,
    };
    update(&mut state, save(true));
    let failure = StoreError::Unavailable {
        detail: "no D-Bus session".into(),
    };
    update(
        &mut state,
        SetupEvent::Saved {
            tenant: acme(),
            kept: true,
            result: Err(CredentialProblem::Store(failure)),
        },
    );
    assert!(form(&state).store_failed);
    assert!(form(&state).busy.is_none());
    let effects = update(&mut state, save(false));
    assert!(matches!(
        &effects[..],
        [Effect::SaveCredential { keep: false, .. }]
    ));
    update(
        &mut state,
        SetupEvent::Saved {
            tenant: acme(),
            kept: false,
            result: Ok(Credential::Token(token("typed"))),
        },
    );
    assert!(matches!(state.screen, Screen::Main));
    assert_eq!(
        state.tenant.connection.as_ref().map(|c| &c.origin),
        Some(&Origin::Entered)
    );
    assert_eq!(
        title(&state),
        "using the token for https://acme.console.ves.volterra.io for this session only: it is \
         forgotten when you close the app"
    );
}

#[test]
fn a_credential_is_read_at_start_or_setup_says_why_not() {
    let start_reading = || start_with(&env(Some(&acme().origin()), None), Settings::default()).0;

    let mut state = start_reading();
    let effects = read(&mut state, acme(), "kept", Origin::Kept);
    assert_eq!(
        state
            .tenant
            .connection
            .as_ref()
            .map(|c| (&c.credential, &c.origin)),
        Some((&Credential::Token(token("kept")), &Origin::Kept))
    );
    assert_eq!(fetches(&effects).len(), 1);

    let mut state = start_reading();
    let nothing = CredentialProblem::Nothing {
        vesctl_tenant: None,
    };
    let result = Err(nothing);
    update(
        &mut state,
        TenantEvent::CredentialRead {
            tenant: acme(),
            result,
        },
    );
    assert_eq!(
        form(&state).reason.as_deref(),
        Some("No API token is saved for https://acme.console.ves.volterra.io yet.")
    );
    assert!(!form(&state).store_failed);

    let mut state = start_reading();
    let failure = StoreError::Unavailable {
        detail: "no D-Bus session".into(),
    };
    let result = Err(CredentialProblem::Store(failure));
    update(
        &mut state,
        TenantEvent::CredentialRead {
            tenant: acme(),
            result,
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
    update(&mut state, TenantAction::Switch(other_tenant()));
    read(&mut state, acme(), "kept", Origin::Kept);
    assert!(state.tenant.connection.is_none());
}

#[test]
fn switching_tenant_reads_its_credential_and_makes_it_the_default() {
    let (mut state, _) = connected();
    let effects = update(&mut state, TenantAction::Switch(other_tenant()));
    assert!(state.tenant.connection.is_none());
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::ReadCredential { tenant, .. } if *tenant == other_tenant())
        )
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveSettings(s)
        if s.default_tenant == Some(other_tenant().origin()))));
}

#[test]
fn forgetting_disconnects_what_was_kept_but_not_the_environments() {
    let (mut state, _) = start_with(&env(Some(&acme().origin()), None), Settings::default());
    read(&mut state, acme(), "kept", Origin::Kept);
    update(&mut state, SetupAction::Open { reason: None });
    let forget = SetupAction::Forget {
        tenant: acme(),
        kind: CredentialKind::Token,
    };
    let effects = update(&mut state, forget);
    assert!(matches!(
        &effects[..],
        [Effect::ForgetCredential {
            kind: CredentialKind::Token,
            ..
        }]
    ));
    update(
        &mut state,
        SetupEvent::Forgotten {
            tenant: acme(),
            kind: CredentialKind::Token,
            result: Ok(true),
        },
    );
    assert!(state.tenant.connection.is_none());
    assert!(!form(&state).can_cancel);
    assert_eq!(
        form(&state).outcome,
        Some((
            Tone::Success,
            "Forgot the token for https://acme.console.ves.volterra.io (removed from the test store)"
                .into()
        ))
    );

    let (mut state, _) = connected();
    update(&mut state, SetupAction::Open { reason: None });
    let forget = SetupAction::Forget {
        tenant: acme(),
        kind: CredentialKind::Token,
    };
    update(&mut state, forget);
    update(
        &mut state,
        SetupEvent::Forgotten {
            tenant: acme(),
            kind: CredentialKind::Token,
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
        TenantEvent::SettingsNotSaved("cannot write settings.json: disk full".into()),
    );
    assert_eq!(title(&state), "cannot write settings.json: disk full");
    assert_eq!(state.notice.as_ref().map(|n| n.tone), Some(Tone::Error));
}

#[test]
fn the_open_dialog_starts_in_the_last_folder() {
    let (mut state, _) = connected();
    state.tenant.settings.last_folder = Some("/photos".into());
    let effects = update(&mut state, PhotoAction::OpenDialog);
    assert!(
        matches!(&effects[..], [Effect::PickPicture { folder: Some(f) }] if f == &PathBuf::from("/photos"))
    );
    let effects = update(&mut state, PhotoEvent::Picked(Some("/photos/b.jpg".into())));
    assert!(matches!(
        &effects[..],
        [Effect::Load {
            what: LoadWhat::File(_),
            ..
        }]
    ));
    assert!(update(&mut state, PhotoEvent::Picked(None)).is_empty());
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

/// A tenant that signs in with a kept certificate: a file that cannot be used opens setup on
/// it with the exact reason and the file dialog; the dialog's answer fills the form.
#[test]
fn a_kept_certificate_that_moved_reopens_setup_with_the_dialog() {
    use crate::app::msg::FileField;
    use crate::credentials::{CertificateError, CertificateFiles};
    let mut settings = Settings::default();
    settings.set_certificate(&acme(), &CertificateFiles::P12("/keys/ada.p12".into()));
    let (mut state, effects) = start_with(&env(None, None), settings);
    assert!(
        matches!(&effects[..], [Effect::ReadCredential { tenant, settings }]
            if *tenant == acme() && settings.certificate_for(&acme()).is_some()),
        "{effects:?}"
    );

    let missing = CertificateError::Missing {
        path: "/keys/ada.p12".into(),
    };
    let problem = CredentialProblem::Certificate {
        origin: Origin::Kept,
        error: missing,
    };
    let effects = update(
        &mut state,
        TenantEvent::CredentialRead {
            tenant: acme(),
            result: Err(problem),
        },
    );
    let setup = form(&state);
    assert_eq!(setup.fill.kind, Some(CredentialKind::P12));
    assert_eq!(setup.fill.p12.as_deref(), Some("/keys/ada.p12"));
    assert_eq!(setup.found_profile, None);
    assert_eq!(
        setup.reason.as_deref(),
        Some(
            "The certificate file /keys/ada.p12 does not exist. Choose the .p12 where it is \
             now, or download a new API certificate from the Console."
        )
    );
    assert!(
        matches!(&effects[..], [Effect::PickCredentialFile { field: FileField::P12, folder: Some(f) }]
            if f == &PathBuf::from("/keys")),
        "{effects:?}"
    );

    // The dialog's answer fills the form; nothing is opened as a photo.
    let serial = form(&state).fill.serial;
    let effects = update(
        &mut state,
        SetupEvent::FilePicked {
            field: FileField::P12,
            path: Some("/new/ada.p12".into()),
        },
    );
    assert!(effects.is_empty(), "{effects:?}");
    let fill = &form(&state).fill;
    assert_eq!(fill.p12.as_deref(), Some("/new/ada.p12"));
    assert!(fill.serial > serial && !fill.reset);
}

/// A `.p12`, or a PEM certificate or key, dropped on the setup screen fills its field, and is
/// not a photo to load.
#[test]
fn a_certificate_file_dropped_on_setup_fills_its_field() {
    let (mut state, _) = start_with(&env(None, None), Settings::default());
    for (dropped, kind) in [
        ("/downloads/acme.P12", CredentialKind::P12),
        ("/home/ada/.ves/cert.pem", CredentialKind::Pem),
        ("/home/ada/.ves/key.pem", CredentialKind::Pem),
    ] {
        let effects = update(&mut state, PhotoAction::Load(dropped.into()));
        assert!(effects.is_empty(), "{effects:?}");
        let fill = &form(&state).fill;
        assert_eq!(fill.kind, Some(kind));
        let shown = [&fill.p12, &fill.cert, &fill.key].map(|f| f.as_deref());
        assert!(shown.contains(&Some(dropped)), "{fill:?}");
    }
    assert!(state.photo.loading.is_none());
}

/// Each change's Cancel says what really happened, for an undo and a removal too: before the
/// request went out nothing changed; after, it may have.
#[test]
fn cancelling_an_undo_or_a_removal_says_what_stays() {
    let before = picture(3);
    let mut state = ready(Some(before));
    let (id, _) = started_change(&update(&mut state, ChangeAction::Upload));
    let avatar = encoded(&source(), &Framing::new((64, 48)));
    finish(&mut state, id, Ok(ChangeOutcome::Uploaded(avatar)));

    let (undo, _) = started_change(&update(&mut state, ChangeAction::Undo));
    update(&mut state, ChangeAction::Cancel { at: Instant::now() });
    assert_eq!(title(&state), "undo cancelled: your new picture stays");
    assert!(state.change.running.is_none(), "{undo}");

    update(&mut state, ChangeAction::AskRemove);
    let (remove, _) = started_change(&update(&mut state, ChangeAction::Remove));
    update(&mut state, ChangeAction::Cancel { at: Instant::now() });
    assert_eq!(
        title(&state),
        "removal cancelled: your profile picture stays"
    );
    assert!(state.change.running.is_none(), "{remove}");

    update(&mut state, ChangeAction::AskRemove);
    let (remove, _) = started_change(&update(&mut state, ChangeAction::Remove));
    update(&mut state, ChangeEvent::Sending { id: remove });
    update(&mut state, ChangeAction::Cancel { at: Instant::now() });
    assert_eq!(
        title(&state),
        "removal cancelled after it was sent: your picture may already be removed"
    );
}

// ---- framed on the face; the initials avatar ----

fn face(x: f64, y: f64, side: f64) -> avatar::Face {
    avatar::Face {
        x,
        y,
        width: side,
        height: side,
        score: 10.0,
    }
}

/// A photo loaded (64×48), and two faces in it, largest first.
fn loaded_with_faces() -> (AppState, [avatar::Face; 2]) {
    let (mut state, _) = connected();
    update(&mut state, PhotoAction::Load("/photos/team.jpg".into()));
    update(&mut state, loaded(1, "team.jpg"));
    (state, [face(36.0, 10.0, 12.0), face(6.0, 20.0, 8.0)])
}

fn photo(state: &AppState) -> &crate::app::state::Photo {
    state.photo.photo.as_ref().expect("a photo")
}

#[test]
fn faces_found_frame_the_photo_on_the_largest_and_reset_returns_there() {
    let (mut state, faces) = loaded_with_faces();
    let size = photo(&state).source.size();
    assert!(photo(&state).framing.is_centred() && !photo(&state).framed_on_face());

    update(
        &mut state,
        PhotoEvent::FacesFound {
            generation: 1,
            faces: faces.to_vec(),
        },
    );
    let on_face = Framing::around_face(size, &faces[0]);
    assert_eq!(photo(&state).framing, on_face);
    assert!(photo(&state).framed_on_face());
    // What will be sent is measured again for the new framing, once the centred one that was
    // being measured when the faces came is done.
    let centred = Framing::new(size);
    let photo_source = photo(&state).source.clone();
    let effects = update(
        &mut state,
        PhotoEvent::Prepared {
            generation: 1,
            framing: centred,
            result: Ok(encoded(&photo_source, &centred)),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Prepare { framing, .. } if *framing == on_face))
    );
    assert!(state.photo.ready_avatar().is_none());

    update(&mut state, PhotoAction::Frame(Edit::Pan(-4.0, 2.0)));
    assert!(!photo(&state).framed_on_face());
    update(&mut state, PhotoAction::Frame(Edit::Reset));
    assert_eq!(photo(&state).framing, on_face);
    assert!(photo(&state).framed_on_face());

    update(&mut state, PhotoAction::Frame(Edit::Centre));
    assert!(photo(&state).framing.is_centred());
    assert!(!photo(&state).framed_on_face());
    update(&mut state, PhotoAction::Frame(Edit::Reset));
    assert_eq!(photo(&state).framing, on_face);
}

#[test]
fn a_user_who_framed_before_the_faces_arrived_keeps_their_framing() {
    let (mut state, faces) = loaded_with_faces();
    update(&mut state, PhotoAction::Frame(Edit::Pan(5.0, 0.0)));
    let theirs = photo(&state).framing;
    update(
        &mut state,
        PhotoEvent::FacesFound {
            generation: 1,
            faces: faces.to_vec(),
        },
    );
    assert_eq!(photo(&state).framing.crop(), theirs.crop());
    assert!(!photo(&state).framed_on_face());
    // The faces are still offered, and Reset now goes to the largest.
    assert_eq!(photo(&state).next_face(), Some(faces[1]));
    update(&mut state, PhotoAction::Frame(Edit::Reset));
    let size = photo(&state).source.size();
    assert_eq!(photo(&state).framing, Framing::around_face(size, &faces[0]));
    assert!(photo(&state).framed_on_face());
}

#[test]
fn faces_of_an_earlier_photo_are_dropped() {
    let (mut state, faces) = loaded_with_faces();
    update(&mut state, PhotoAction::Load("/photos/other.jpg".into()));
    update(&mut state, loaded(2, "other.jpg"));
    update(
        &mut state,
        PhotoEvent::FacesFound {
            generation: 1,
            faces: faces.to_vec(),
        },
    );
    assert!(photo(&state).faces.is_empty());
    assert!(photo(&state).framing.is_centred());
}

#[test]
fn no_face_keeps_the_centre_with_no_caption() {
    let (mut state, _) = loaded_with_faces();
    update(
        &mut state,
        PhotoEvent::FacesFound {
            generation: 1,
            faces: Vec::new(),
        },
    );
    assert!(photo(&state).framing.is_centred());
    assert!(!photo(&state).framed_on_face());
    assert_eq!(photo(&state).next_face(), None);
    assert_eq!(state.notice, None);
}

#[test]
fn next_face_cycles_through_the_faces_and_reset_returns_to_the_chosen_one() {
    let (mut state, faces) = loaded_with_faces();
    update(
        &mut state,
        PhotoEvent::FacesFound {
            generation: 1,
            faces: faces.to_vec(),
        },
    );
    let size = photo(&state).source.size();
    let next = photo(&state).next_face().expect("two faces");
    assert_eq!(next, faces[1]);
    update(&mut state, PhotoAction::Frame(Edit::OnFace(next)));
    assert_eq!(photo(&state).face, Some(1));
    assert_eq!(photo(&state).framing, Framing::around_face(size, &faces[1]));
    assert!(photo(&state).framed_on_face());
    update(&mut state, PhotoAction::Frame(Edit::Pan(0.0, 3.0)));
    update(&mut state, PhotoAction::Frame(Edit::Reset));
    assert_eq!(photo(&state).framing, Framing::around_face(size, &faces[1]));
    // Round again to the largest.
    assert_eq!(photo(&state).next_face(), Some(faces[0]));
}

#[test]
fn the_initials_avatar_opens_through_the_same_load() {
    let (mut state, _) = connected();
    let generation = state.current.generation;
    update(
        &mut state,
        ChangeEvent::User {
            generation,
            name: "Ada Lovelace".into(),
            initials_name: "Ada Lovelace".into(),
        },
    );
    assert_eq!(state.current.initials_name.as_deref(), Some("Ada Lovelace"));
    let effects = update(
        &mut state,
        PhotoAction::UseInitials {
            name: "Ada Lovelace".into(),
        },
    );
    assert!(
        matches!(&effects[..], [Effect::Load { generation: 1, what: LoadWhat::Initials(name) }]
            if name == "Ada Lovelace"),
        "{effects:?}"
    );
    assert_eq!(
        state.photo.loading.as_deref(),
        Some(crate::messages::INITIALS_LOADING)
    );
}
