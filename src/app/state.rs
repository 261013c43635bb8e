//! What the app knows. Screens read it and return [`Action`]s; `XcAvatarApp::apply` changes it.

use std::path::PathBuf;

use eframe::egui;

use crate::api::TenantUrl;
use crate::avatar::{Framing, Source};
use crate::credentials::ApiToken;

/// Something the user asked for. Screens return these; one place applies them.
pub enum Action {
    OpenDialog,
    Load {
        path: PathBuf,
        bytes: Option<Vec<u8>>,
    },
    /// An image pasted from the clipboard (Ctrl+V).
    Paste(std::sync::Arc<egui::ColorImage>),
    Upload,
    CancelUpload,
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
    /// Make another saved tenant the active (and default) one.
    SwitchTenant(TenantUrl),
    OpenSetup {
        reason: Option<String>,
    },
    CloseSetup,
    /// Change the crop or rotation of the picture being edited.
    Frame(super::crop_editor::Edit),
}

/// Where uploads go, and as whom.
#[derive(Clone)]
pub struct Connection {
    pub tenant: TenantUrl,
    pub token: ApiToken,
}

/// The setup screen's form.
#[derive(Default)]
pub struct SetupForm {
    pub tenant: String,
    pub token: String,
    pub reveal_token: bool,
    /// Why the user was sent here (e.g. the token was rejected).
    pub reason: Option<String>,
    /// Whether there is a working connection to go back to.
    pub can_cancel: bool,
    /// A test, save or forget is running: what it is doing.
    pub busy: Option<&'static str>,
    /// The outcome of the last test, save or forget.
    pub outcome: Option<(Tone, String)>,
    /// The keyring refused the token: offer to use it for this session only.
    pub store_failed: bool,
}

pub enum Screen {
    Setup(SetupForm),
    Main,
}

/// The picture being edited.
pub struct Picture {
    pub name: String,
    pub source: Source,
    /// The upright picture, shrunk to at most PREVIEW_MAX_SIDE.
    pub texture: egui::TextureHandle,
    pub framing: Framing,
    /// The load it came from, so a late estimate for an earlier picture is not shown for it.
    pub generation: u64,
}

/// What the current framing will send — really encoded, so Upload can send these very bytes.
#[derive(Clone, Debug)]
pub enum Estimate {
    Pending,
    Ready(crate::avatar::EncodedAvatar),
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Success,
    Error,
}

/// The outcome of the last thing the user did, shown until the next one.
pub struct Notice {
    pub tone: Tone,
    pub title: String,
    pub server_text: Option<String>,
    pub next_step: Option<String>,
    /// A button that fits the outcome: its label and what it does.
    pub action: Option<(String, NoticeAction)>,
}

impl Notice {
    /// A plain outcome: a title and nothing else.
    pub fn new(tone: Tone, title: impl Into<String>) -> Self {
        Notice {
            tone,
            title: title.into(),
            server_text: None,
            next_step: None,
            action: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeAction {
    UpdateToken,
    CheckTenant,
    TryAgain,
    Undo,
}

/// The picture the tenant shows now.
pub enum Current {
    Fetching,
    Missing,
    Shown {
        picture: crate::api::TenantPicture,
        /// `None` when it does not decode (still a picture the Console shows).
        texture: Option<egui::TextureHandle>,
    },
    Failed(String),
}

/// What was there before a change, for Undo.
#[derive(Clone)]
pub enum Before {
    Picture(crate::api::TenantPicture),
    Nothing,
}

pub struct AppState {
    pub screen: Screen,
    pub connection: Option<Connection>,
    /// The token from `F5XC_API_TOKEN`, used unless the user enters another.
    pub env_token: Option<ApiToken>,
    /// The tenant whose token is being read from the keyring.
    pub reading_token: Option<TenantUrl>,
    pub settings: crate::settings::Settings,
    /// Where tokens are kept, for "Saved in …".
    pub store_location: &'static str,
    pub picture: Option<Picture>,
    /// The file being decoded, if any.
    pub loading: Option<String>,
    /// Bumped on each load so a slow, older load cannot replace a newer picture.
    pub load_generation: u64,
    /// The running upload, if any.
    pub upload: Option<RunningUpload>,
    /// Numbers uploads so a cancelled one's late report is ignored.
    pub upload_count: u64,
    /// The upload is waiting to retry: why, and when the next attempt starts.
    pub retry: Option<Retry>,
    pub notice: Option<Notice>,
    /// The last measured estimate, and which picture and framing it describes.
    pub estimate: Estimate,
    pub estimate_for: Option<(u64, Framing)>,
    /// The estimate being measured (one at a time: a drag measures as fast as encoding allows).
    pub estimating: Option<(u64, Framing)>,
    /// The picture on the tenant, and which tenant it is for.
    pub current: Current,
    pub current_for: Option<TenantUrl>,
    /// What the running change replaces, and, once it is done, what Undo puts back where.
    pub replacing: Option<Before>,
    pub undo: Option<(TenantUrl, Before)>,
    /// The last change started, for "Try again".
    pub last_change: Option<ChangeKind>,
    /// The "Remove your picture?" question is open.
    pub confirm_remove: bool,
}

pub struct RunningUpload {
    pub id: u64,
    pub kind: ChangeKind,
    /// Aborting it cancels the upload at once.
    pub handle: tokio::task::AbortHandle,
}

/// Which change of the tenant's picture is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Upload,
    Undo,
    Remove,
}

impl ChangeKind {
    /// What the progress line says.
    pub fn doing(self) -> &'static str {
        match self {
            ChangeKind::Upload => "Uploading…",
            ChangeKind::Undo => "Putting your previous picture back…",
            ChangeKind::Remove => "Removing your picture…",
        }
    }

    /// What Cancel reports.
    pub fn cancelled(self) -> &'static str {
        match self {
            ChangeKind::Upload => "upload cancelled: your profile picture was not changed",
            ChangeKind::Undo => "undo cancelled: your new picture stays",
            ChangeKind::Remove => "removal cancelled: your profile picture stays",
        }
    }
}

/// A retry the upload is waiting for.
pub struct Retry {
    pub reason: String,
    pub next_attempt: u32,
    pub attempts: u32,
    pub at: std::time::Instant,
}

impl AppState {
    pub fn uploading(&self) -> bool {
        self.upload.is_some()
    }

    pub fn can_upload(&self) -> bool {
        self.picture.is_some() && self.connection.is_some() && !self.uploading()
    }
}

/// "the tenant…" → "The tenant…": core errors are lower-case clauses; titles are sentences.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
