//! What the app knows, grouped by what it is about: the tenant, the photo being framed, the
//! change running on the tenant, and the picture the tenant shows now. Screens read it;
//! [`super::update::update`] is the only code that changes it.

use std::time::Instant;

use eframe::egui;

use crate::TenantUrl;
use crate::api::TenantPicture;
use crate::avatar::{EncodedAvatar, Face, Framing, Source};
use crate::credentials::{ApiToken, Credential, CredentialKind};
pub use crate::messages::ChangeKind;
use crate::settings::Settings;
use crate::sign_in::Origin;
use crate::vesctl::Profile;

pub struct AppState {
    pub screen: Screen,
    pub tenant: TenantState,
    pub photo: PhotoState,
    pub change: ChangeState,
    pub current: CurrentState,
    /// The outcome of the last thing the user did, shown until the next one.
    pub notice: Option<Notice>,
    pub about_open: bool,
    /// How many times the setup form was filled (each fill's serial).
    pub setup_fills: u64,
}

pub enum Screen {
    /// Boxed: the form's status is large beside the main screen's nothing.
    Setup(Box<SetupState>),
    Main,
}

/// Where changes go, as whom, and where that credential came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub tenant: TenantUrl,
    pub credential: Credential,
    pub origin: Origin,
}

pub struct TenantState {
    pub connection: Option<Connection>,
    /// The token from `F5XC_API_TOKEN`, used unless the user enters another.
    pub env_token: Option<ApiToken>,
    /// vesctl's profile, when it is usable: offered on the setup screen.
    pub vesctl: Option<Profile>,
    /// The tenant whose credential is being read (the environment, the keyring, vesctl's
    /// profile).
    pub reading: Option<TenantUrl>,
    pub settings: Settings,
    /// Where secrets are kept, for "Saved in …".
    pub store_location: &'static str,
}

/// The setup screen's status: everything but the text the user types, which is the screen's
/// own (`screens::setup::SetupInput`).
#[derive(Default)]
pub struct SetupState {
    /// Why the user was sent here (e.g. the token was rejected).
    pub reason: Option<String>,
    /// "Found your vesctl profile for acme…", when the form was filled from it.
    pub found_profile: Option<String>,
    /// Whether there is a working connection to go back to.
    pub can_cancel: bool,
    /// A test, save or forget is running: what it is doing.
    pub busy: Option<&'static str>,
    /// The tenant the last test, save or forget was for: answers for another are stale.
    pub pending: Option<TenantUrl>,
    /// The outcome of the last test, save or forget.
    pub outcome: Option<(Tone, String)>,
    /// The keyring refused the secret: offer to use it for this session only.
    pub store_failed: bool,
    /// What the form's fields should now show (the screen applies each fill once).
    pub fill: SetupFill,
}

/// Values `update` puts into the setup form: when it opens (the tenant, the kind and files in
/// use), and when a file is picked or dropped. Fields left `None` keep what was typed; secrets
/// are never filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetupFill {
    /// Bumped on every fill, so the screen applies it once.
    pub serial: u64,
    /// Empty every field first (the form opens anew).
    pub reset: bool,
    pub tenant: Option<String>,
    pub kind: Option<CredentialKind>,
    pub p12: Option<String>,
    pub cert: Option<String>,
    pub key: Option<String>,
}

/// The photo being framed, and what its framing encodes to.
#[derive(Default)]
pub struct PhotoState {
    pub photo: Option<Photo>,
    /// The file being decoded, if any.
    pub loading: Option<String>,
    /// Bumped on each load so a slow, older load cannot replace a newer photo.
    pub load_generation: u64,
    /// The last framing really encoded: what Upload sends when the framing has not moved since.
    pub prepared: Option<Prepared>,
    /// The framing being encoded (one at a time: a drag measures as fast as encoding allows).
    pub preparing: Option<(u64, Framing)>,
}

/// A photo opened for framing.
pub struct Photo {
    pub name: String,
    pub source: Source,
    /// The upright photo, shrunk to at most `avatar::PREVIEW_MAX_SIDE`, on the GPU.
    pub texture: egui::TextureHandle,
    pub framing: Framing,
    /// The load it came from, so a late render of an earlier photo is not shown for it.
    pub generation: u64,
    /// The faces found in it (upright picture pixels, largest first); empty until the search,
    /// which runs after the photo shows, reports.
    pub faces: Vec<Face>,
    /// The face the home framing sits on (what Reset returns to), if any.
    pub face: Option<usize>,
    /// The user changed the framing: faces found later do not move it.
    pub touched: bool,
    /// The search for faces has reported (the photo shows before it does).
    pub faces_known: bool,
}

impl Photo {
    /// A photo just opened: centred, untouched, no face known yet.
    pub fn new(
        name: String,
        source: Source,
        texture: egui::TextureHandle,
        generation: u64,
    ) -> Self {
        Photo {
            name,
            framing: Framing::new(source.size()),
            source,
            texture,
            generation,
            faces: Vec::new(),
            face: None,
            touched: false,
            faces_known: false,
        }
    }

    /// Whether it shows the framing on a face as it was made ("Framed on the face").
    pub fn framed_on_face(&self) -> bool {
        self.face.is_some() && self.framing.is_home()
    }

    /// The face after the one framed (or the largest), for "Next face"; `None` with fewer
    /// than two faces.
    pub fn next_face(&self) -> Option<Face> {
        if self.faces.len() < 2 {
            return None;
        }
        let next = self.face.map_or(0, |i| (i + 1) % self.faces.len());
        self.faces.get(next).copied()
    }
}

/// A framing of a photo, encoded as Upload would send it.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub generation: u64,
    pub framing: Framing,
    /// The avatar, or why this framing cannot be sent (a sentence).
    pub result: Result<EncodedAvatar, String>,
}

impl PhotoState {
    /// What the side panel says will be sent: the last encoding of this photo (perhaps of an
    /// earlier framing, while the new one is measured), or `None` while nothing is known.
    pub fn prepared_for_photo(&self) -> Option<&Prepared> {
        let photo = self.photo.as_ref()?;
        self.prepared
            .as_ref()
            .filter(|p| p.generation == photo.generation)
    }

    /// Whether the prepared avatar is of exactly the current framing: the one place that
    /// decides if Upload can send those very bytes.
    pub fn prepared_is_current(&self) -> bool {
        match (&self.photo, &self.prepared) {
            (Some(photo), Some(prepared)) => {
                (prepared.generation, prepared.framing) == (photo.generation, photo.framing)
            }
            _ => false,
        }
    }

    /// The avatar of the current framing, when it is encoded already.
    pub fn ready_avatar(&self) -> Option<&EncodedAvatar> {
        if !self.prepared_is_current() {
            return None;
        }
        self.prepared.as_ref()?.result.as_ref().ok()
    }
}

/// A change of the tenant's picture (upload, undo, remove), the one running and what it can
/// be undone to.
#[derive(Default)]
pub struct ChangeState {
    pub running: Option<RunningChange>,
    /// The id of the last change started: ids number changes so a cancelled one's late report
    /// is ignored.
    pub last_id: u64,
    /// The running change is waiting to retry: why, and when the next attempt starts.
    pub retry: Option<Retry>,
    /// What the running change replaces.
    pub replacing: Option<Previous>,
    /// Once a change is done: what Undo puts back, and where.
    pub undo: Option<(TenantUrl, Previous)>,
    /// The last change started, for "Try again".
    pub last: Option<ChangeKind>,
    /// The "Remove your picture?" question is open.
    pub confirm_remove: bool,
}

pub struct RunningChange {
    pub id: u64,
    pub kind: ChangeKind,
    /// The request is going out: after that, cancelling cannot promise nothing changed.
    pub sending: bool,
}

/// A retry the change is waiting for.
#[derive(Clone, Debug)]
pub struct Retry {
    pub reason: String,
    pub next_attempt: u32,
    pub attempts: u32,
    pub at: Instant,
}

/// What was on the tenant before a change, for Undo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Previous {
    Picture(TenantPicture),
    Nothing,
}

/// The picture the tenant shows now.
#[derive(Default)]
pub struct CurrentState {
    pub shown: Current,
    /// Which tenant `shown` is for; `None` asks for a fetch.
    pub tenant: Option<TenantUrl>,
    /// Bumped on each fetch so a slow, older fetch cannot replace a newer answer.
    pub generation: u64,
    /// The user's name as the Console shows it, from whoami.
    pub user_name: Option<String>,
    /// The name initials are taken from (first and last name, else the e-mail's), from whoami.
    pub initials_name: Option<String>,
}

#[derive(Default)]
pub enum Current {
    #[default]
    Fetching,
    Missing,
    Shown {
        picture: TenantPicture,
        /// `None` when it does not decode (still a picture the Console shows).
        texture: Option<egui::TextureHandle>,
    },
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Success,
    Error,
}

/// An outcome panel: a title, what the tenant said, what to do, and the button that fits.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Open setup on the credential in use (a token or a certificate).
    UpdateCredential,
    CheckTenant,
    TryAgain,
    Undo,
}

impl TenantState {
    /// The tenant in use, or being signed in to.
    pub fn active(&self) -> Option<&TenantUrl> {
        self.connection
            .as_ref()
            .map(|c| &c.tenant)
            .or(self.reading.as_ref())
    }
}

impl AppState {
    /// The state before anything happened: no photo, nothing fetched.
    pub fn new(screen: Screen, tenant: TenantState) -> Self {
        AppState {
            screen,
            tenant,
            photo: PhotoState::default(),
            change: ChangeState::default(),
            current: CurrentState::default(),
            notice: None,
            about_open: false,
            setup_fills: 0,
        }
    }

    pub fn changing(&self) -> bool {
        self.change.running.is_some()
    }

    pub fn can_upload(&self) -> bool {
        self.photo.photo.is_some() && self.tenant.connection.is_some() && !self.changing()
    }
}
