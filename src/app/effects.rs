//! Effects: what `update` asks the world to do, as plain data. Tests compare them; the
//! executor (`executor`) carries them out.

use std::path::PathBuf;

use super::msg::{FileField, Pasted};
use super::state::Connection;
use crate::TenantUrl;
use crate::api::TenantPicture;
use crate::avatar::{EncodedAvatar, Framing, Source};
use crate::credentials::{CredentialInput, CredentialKind};
use crate::settings::{Appearance, Settings};

#[derive(Debug)]
pub enum Effect {
    /// Show the native "open image" dialog, opening in `folder`.
    PickPicture {
        folder: Option<PathBuf>,
    },
    /// Decode a file (or a pasted image) and make its preview.
    Load {
        generation: u64,
        what: LoadWhat,
    },
    /// Encode `framing` of the photo as Upload would, to say what will be sent.
    Prepare {
        generation: u64,
        source: Source,
        framing: Framing,
    },
    StartChange {
        id: u64,
        request: ChangeRequest,
        connection: Connection,
    },
    /// Stop change `id` at once, even while it waits to retry.
    CancelChange {
        id: u64,
    },
    FetchCurrent {
        generation: u64,
        connection: Connection,
    },
    /// Find the credential for `tenant` where `sign_in` looks: the environment, what is kept
    /// (the store; `settings` name a certificate's files), vesctl's profile.
    ReadCredential {
        tenant: TenantUrl,
        settings: Settings,
    },
    /// Open the credential and ask the tenant who it acts as.
    TestCredential {
        tenant: TenantUrl,
        input: CredentialInput,
    },
    /// Open the credential and, if `keep`, keep its secret in the store.
    SaveCredential {
        tenant: TenantUrl,
        input: CredentialInput,
        keep: bool,
    },
    /// Remove the secret of `kind` kept for `tenant`.
    ForgetCredential {
        tenant: TenantUrl,
        kind: CredentialKind,
    },
    /// Show the native dialog for one of a certificate's files, opening in `folder`.
    PickCredentialFile {
        field: FileField,
        folder: Option<PathBuf>,
    },
    SaveSettings(Settings),
    /// Restyle the window for this choice.
    SetAppearance(Appearance),
}

/// What a load opens.
#[derive(Debug)]
pub enum LoadWhat {
    File(PathBuf),
    Pasted(Pasted),
    /// An avatar of the initials of this name.
    Initials(String),
}

/// A change of the picture on the tenant.
#[derive(Clone, Debug)]
pub enum ChangeRequest {
    Upload {
        source: Source,
        framing: Framing,
        /// This framing already encoded (by the "will send" measurement), if it was.
        prepared: Option<EncodedAvatar>,
    },
    /// Put this picture back (Undo).
    Restore(TenantPicture),
    Remove,
}
