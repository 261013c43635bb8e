//! The messages `update` takes: what the user asked for ([`Action`], returned by screens) and
//! what background work reports ([`TaskEvent`], sent by the executor through one channel).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui;

use super::crop_editor::Edit;
use crate::api::{ApiError, CallEvent, TenantPicture, TenantUrl, WhoAmI};
use crate::avatar::{AvatarError, EncodedAvatar, Framing, Source};
use crate::credentials::{
    ApiCertificate, ApiToken, CertificateError, CertificatePassword, StoreError,
};

/// Anything `update` answers.
pub enum Msg {
    Action(Action),
    Task(TaskEvent),
}

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

/// Something the user asked for.
#[derive(Debug)]
pub enum Action {
    OpenDialog,
    /// Open this file (dropped, chosen, or named on the command line).
    Load(PathBuf),
    /// Ctrl+V: an image, or text that may name a file.
    Paste(Pasted),
    Upload,
    /// Stop the running change; `at` is when the user asked, to know whether a request was
    /// out (a change waiting to retry has nothing out: its last attempt was turned away).
    CancelChange {
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
    /// Check the token with whoami, without keeping it.
    TestConnection {
        tenant: TenantUrl,
        token: ApiToken,
    },
    /// Keep the token in the store, then use it.
    SaveToken {
        tenant: TenantUrl,
        token: ApiToken,
    },
    /// Use the token without keeping it (keyring unavailable, or a token from the environment).
    Connect {
        tenant: TenantUrl,
        token: ApiToken,
    },
    ForgetToken {
        tenant: TenantUrl,
    },
    /// Show the native dialog for a `.p12`.
    PickCertificate,
    /// Open the `.p12` and check it with whoami, without keeping it.
    TestCertificate {
        tenant: TenantUrl,
        path: PathBuf,
        password: CertificatePassword,
    },
    /// Open the `.p12`, keep its password in the store and its path in the settings, then use it.
    SaveCertificate {
        tenant: TenantUrl,
        path: PathBuf,
        password: CertificatePassword,
    },
    /// Stop using the tenant's certificate (the file itself is left alone).
    ForgetCertificate {
        tenant: TenantUrl,
    },
    /// Make another saved tenant the active (and default) one.
    SwitchTenant(TenantUrl),
    OpenSetup {
        reason: Option<String>,
    },
    CloseSetup,
    /// Light, dark, or as the system is; remembered.
    SetAppearance(crate::settings::Appearance),
    /// The About window: open or closed.
    ShowAbout(bool),
    /// Change the crop or rotation of the photo being framed.
    Frame(Edit),
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
    Picked(Option<PathBuf>),
    PickedCertificate(Option<PathBuf>),
    Loaded {
        generation: u64,
        result: Result<LoadedPhoto, AvatarError>,
    },
    /// Pasted text named no file: nothing to open.
    PasteIgnored {
        generation: u64,
    },
    /// What `framing` of photo `generation` encodes to.
    Prepared {
        generation: u64,
        framing: Framing,
        result: Result<EncodedAvatar, AvatarError>,
    },
    /// Change `id` has sent its request.
    ChangeSent {
        id: u64,
    },
    /// Change `id` is waiting to try again, until `at`.
    Retrying {
        id: u64,
        event: CallEvent,
        at: Instant,
    },
    ChangeFinished {
        id: u64,
        tenant: TenantUrl,
        result: Result<ChangeOutcome, ChangeError>,
    },
    Current {
        generation: u64,
        result: Result<Option<CurrentPicture>, ApiError>,
    },
    /// Who the token acts as, for the fetch `generation` (the name the Console shows).
    User {
        generation: u64,
        name: String,
    },
    TokenRead {
        tenant: TenantUrl,
        result: Result<Option<ApiToken>, StoreError>,
    },
    Tested {
        tenant: TenantUrl,
        result: Result<WhoAmI, ApiError>,
    },
    Saved {
        tenant: TenantUrl,
        token: ApiToken,
        result: Result<(), StoreError>,
    },
    Forgotten {
        tenant: TenantUrl,
        result: Result<bool, StoreError>,
    },
    CertificateRead {
        tenant: TenantUrl,
        result: Result<ApiCertificate, CertificateProblem>,
    },
    CertificateTested {
        tenant: TenantUrl,
        result: Result<(WhoAmI, ApiCertificate), CertificateProblem>,
    },
    CertificateSaved {
        tenant: TenantUrl,
        result: Result<ApiCertificate, CertificateProblem>,
    },
    CertificateForgotten {
        tenant: TenantUrl,
        result: Result<bool, StoreError>,
    },
    /// Writing the settings file failed: why.
    SettingsNotSaved(String),
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

/// Why an API certificate could not be used: the file, the keyring or the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateProblem {
    File(CertificateError),
    Store(StoreError),
    /// The tenant uses a certificate but its password is not in the store.
    NoPassword,
    Api(ApiError),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Avatar(#[from] AvatarError),
    #[error(transparent)]
    Api(#[from] ApiError),
}
