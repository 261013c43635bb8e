//! The messages `update` takes: what the user asked for ([`Action`], returned by screens) and
//! what background work reports ([`TaskEvent`], sent by the executor through one channel).
//! Both nest by domain — the photo being framed, a change of the tenant's picture, the tenant
//! and its credential, the setup form — and `update` hands each to its domain's module.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui;

use crate::TenantUrl;
use crate::api::{ApiError, CallEvent, TenantPicture, WhoAmI};
use crate::avatar::{AvatarError, Edit, EncodedAvatar, Face, Framing, Source};
use crate::credentials::{Credential, CredentialInput, CredentialKind, StoreError};
use crate::settings::Appearance;
use crate::sign_in::{CredentialProblem, Found};

/// Anything `update` answers.
pub enum Msg {
    Action(Action),
    Task(TaskEvent),
}

/// Something the user asked for.
#[derive(Debug)]
pub enum Action {
    Photo(PhotoAction),
    Change(ChangeAction),
    Tenant(TenantAction),
    Setup(SetupAction),
}

/// The photo being framed.
#[derive(Debug)]
pub enum PhotoAction {
    /// Show the "open image" dialog.
    OpenDialog,
    /// Open this file (dropped, chosen, or named on the command line).
    Load(PathBuf),
    /// Ctrl+V: an image, or text that may name a file.
    Paste(Pasted),
    /// Change the crop or rotation.
    Frame(Edit),
    /// "No photo? Use your initials": an avatar of the initials of `name` (whoami's), opened
    /// like a photo.
    UseInitials { name: String },
}

/// A change of the picture on the tenant.
#[derive(Debug)]
pub enum ChangeAction {
    Upload,
    /// Stop the running change; `at` is when the user asked, to know whether a request was
    /// out (a change waiting to retry has nothing out: its last attempt was turned away).
    Cancel {
        at: Instant,
    },
    /// Put back the picture the last upload or removal replaced.
    Undo,
    /// Run the last change again (after a failure).
    TryAgain,
    /// Ask before removing the picture; then remove it, or keep it.
    AskRemove,
    Remove,
    KeepPicture,
}

/// The tenant, and the app around it.
#[derive(Debug)]
pub enum TenantAction {
    /// Make another saved tenant the active (and default) one.
    Switch(TenantUrl),
    /// Light, dark, or as the system is; remembered.
    SetAppearance(Appearance),
    /// The About window: open or closed.
    ShowAbout(bool),
}

/// The setup form: one set of verbs for every kind of credential.
#[derive(Debug)]
pub enum SetupAction {
    Open {
        reason: Option<String>,
    },
    Close,
    /// Open the credential and ask the tenant who it acts as, without keeping it.
    Test {
        tenant: TenantUrl,
        input: CredentialInput,
    },
    /// Open the credential, keep it (its secret in the store, a certificate's files in the
    /// settings) unless `keep` is false (this session only), then use it.
    Save {
        tenant: TenantUrl,
        input: CredentialInput,
        keep: bool,
    },
    /// Forget what is kept of this kind for the tenant (a certificate's files stay).
    Forget {
        tenant: TenantUrl,
        kind: CredentialKind,
    },
    /// Show the native dialog for one of the certificate's files, near the file the field
    /// names now.
    PickFile {
        field: FileField,
        near: Option<PathBuf>,
    },
}

/// The setup form's file fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileField {
    P12,
    Cert,
    Key,
}

/// What Ctrl+V brought.
#[derive(Debug)]
pub enum Pasted {
    Image(Arc<egui::ColorImage>),
    /// A path the clipboard text names; opened only if it is a file (checked off the UI
    /// thread: a network path can take seconds to answer).
    Path(PathBuf),
    /// Text that names no file: a file manager's copy puts a file *list* on the clipboard
    /// beside it (Finder's text is just the name), read off the UI thread.
    FileList,
    /// Text that names a file on another computer (`\\host\share\x.jpg`,
    /// `file://host/share/x.jpg`), as written: never opened from a paste (see `paste.rs`).
    NetworkPath(String),
}

/// A background task's result.
pub enum TaskEvent {
    Photo(PhotoEvent),
    Change(ChangeEvent),
    Tenant(TenantEvent),
    Setup(SetupEvent),
}

pub enum PhotoEvent {
    Picked(Option<PathBuf>),
    Loaded {
        generation: u64,
        result: Result<LoadedPhoto, AvatarError>,
    },
    /// Pasted text named no file: nothing to open.
    PasteIgnored {
        generation: u64,
    },
    /// The faces in photo `generation` (upright picture pixels, largest first).
    FacesFound {
        generation: u64,
        faces: Vec<Face>,
    },
    /// What `framing` of photo `generation` encodes to.
    Prepared {
        generation: u64,
        framing: Framing,
        result: Result<EncodedAvatar, AvatarError>,
    },
}

pub enum ChangeEvent {
    /// Change `id` is about to send its request: from now on it may reach the tenant.
    Sending { id: u64 },
    /// Change `id` is waiting to try again, until `at`.
    Retrying {
        id: u64,
        event: CallEvent,
        at: Instant,
    },
    Finished {
        id: u64,
        tenant: TenantUrl,
        result: Result<ChangeOutcome, ChangeError>,
    },
    /// The tenant's picture, for the fetch `generation`.
    Current {
        generation: u64,
        result: Result<Option<CurrentPicture>, ApiError>,
    },
    /// Who the credential acts as, for the fetch `generation`: the name the Console shows,
    /// and the one initials are taken from.
    User {
        generation: u64,
        name: String,
        initials_name: String,
    },
}

pub enum TenantEvent {
    /// The credential for `tenant`, found where `sign_in` looks, or why there is none.
    CredentialRead {
        tenant: TenantUrl,
        result: Result<Found, CredentialProblem>,
    },
    /// Writing the settings file failed: why.
    SettingsNotSaved(String),
}

pub enum SetupEvent {
    Tested {
        tenant: TenantUrl,
        result: Result<(WhoAmI, Credential), SetupProblem>,
    },
    /// The credential was opened and, if `kept`, kept.
    Saved {
        tenant: TenantUrl,
        kept: bool,
        result: Result<Credential, CredentialProblem>,
    },
    Forgotten {
        tenant: TenantUrl,
        kind: CredentialKind,
        result: Result<bool, StoreError>,
    },
    FilePicked {
        field: FileField,
        path: Option<PathBuf>,
    },
}

/// Why a credential could not be tested: it would not open, or the tenant refused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupProblem {
    Credential(CredentialProblem),
    Api(ApiError),
}

/// A decoded photo with its on-screen preview, ready to frame.
pub struct LoadedPhoto {
    pub name: String,
    /// The folder it came from, for the next file dialog.
    pub folder: Option<PathBuf>,
    pub source: Source,
    pub texture: egui::TextureHandle,
}

/// The picture on the tenant now, and its texture (`None` if it would not decode).
pub struct CurrentPicture {
    pub picture: TenantPicture,
    pub texture: Option<egui::TextureHandle>,
}

/// What a finished change did.
#[derive(Clone, Debug)]
pub enum ChangeOutcome {
    Uploaded(EncodedAvatar),
    Restored,
    Removed,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Avatar(#[from] AvatarError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// `update(state, PhotoAction::Load(path))` and the like: each domain's message is a `Msg`.
macro_rules! into_msg {
    ($($domain:ident: $kind:ident($inner:ty)),* $(,)?) => {$(
        impl From<$inner> for $kind {
            fn from(inner: $inner) -> Self {
                $kind::$domain(inner)
            }
        }
        impl From<$inner> for Msg {
            fn from(inner: $inner) -> Self {
                $kind::$domain(inner).into()
            }
        }
    )*};
}

into_msg!(
    Photo: Action(PhotoAction),
    Change: Action(ChangeAction),
    Tenant: Action(TenantAction),
    Setup: Action(SetupAction),
    Photo: TaskEvent(PhotoEvent),
    Change: TaskEvent(ChangeEvent),
    Tenant: TaskEvent(TenantEvent),
    Setup: TaskEvent(SetupEvent),
);

impl From<Action> for Msg {
    fn from(action: Action) -> Self {
        Msg::Action(action)
    }
}

impl From<TaskEvent> for Msg {
    fn from(event: TaskEvent) -> Self {
        Msg::Task(event)
    }
}
