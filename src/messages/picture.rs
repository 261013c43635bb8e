//! The picture: opening and framing it, changing it on the tenant, and what the tenant shows.
//! For the app and the command line alike.

use std::path::Path;

use crate::TenantUrl;
use crate::api::ApiError;
use crate::avatar::{AvatarError, Crop, EncodedAvatar};

use super::sentence;

/// What a file is called on screen: its name, else its whole path.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub fn cannot_open(err: &AvatarError) -> String {
    format!("cannot open this file: {err}")
}

pub fn opening(name: &str) -> String {
    format!("Opening {name}…")
}

/// A pasted path to another computer's file, refused: opening it would make Windows sign in
/// to that computer with the user's credentials (NTLM), whoever put the text on the clipboard.
pub fn network_path_refused(named: &str) -> String {
    format!(
        "Not opened: the pasted text names a file on another computer ({})",
        crate::clean::terminal_safe(named)
    )
}

pub const NETWORK_PATH_NEXT_STEP: &str = "A pasted network path is never opened, so that no \
     copied text can make this computer sign in elsewhere. Copy the picture to this computer, or \
     choose it with Open (Ctrl+O) or drop it on the window.";

/// What a pasted picture is called on screen.
pub const PASTED_NAME: &str = "Pasted image";
/// What a copied file is called while the clipboard is read.
pub const PASTED_FILE: &str = "the copied file";

pub fn will_send(avatar: &EncodedAvatar) -> String {
    format!("Will send: {}", avatar.describe())
}

pub const WILL_SEND_MEASURING: &str = "Will send: measuring…";

pub fn cannot_send(err: &AvatarError) -> String {
    format!("Cannot send: {}", sentence(&err.to_string()))
}

// ---- changes of the picture on the tenant ----

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

/// What Cancel reports once the request has gone out: it may have been applied.
pub fn cancelled_after_sending(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Upload => {
            "upload cancelled after it was sent: the tenant may already show the new picture"
        }
        ChangeKind::Undo => {
            "undo cancelled after it was sent: the tenant may already show your previous picture"
        }
        ChangeKind::Remove => {
            "removal cancelled after it was sent: your picture may already be removed"
        }
    }
}

pub fn uploaded(tenant: &TenantUrl, avatar: &EncodedAvatar) -> String {
    format!(
        "your new profile picture is live on {} ({})",
        tenant.host(),
        avatar.describe()
    )
}

pub fn restored(tenant: &TenantUrl) -> String {
    format!("your previous picture is back on {}", tenant.host())
}

pub fn removed(tenant: &TenantUrl) -> String {
    format!("your profile picture was removed from {}", tenant.host())
}

/// "Uploading… (attempt 2 of 4)" once the wait is over.
pub fn attempt(doing: &str, next_attempt: u32, attempts: u32) -> String {
    format!("{doing} (attempt {next_attempt} of {attempts})")
}

/// "The tenant is rate limiting requests (HTTP 429) — retrying in 7 s (attempt 2 of 4)".
pub fn retrying(reason: &str, seconds_left: u64, next_attempt: u32, attempts: u32) -> String {
    format!(
        "{} — retrying in {seconds_left} s (attempt {next_attempt} of {attempts})",
        sentence(reason)
    )
}

// ---- the picture on the tenant ----

pub const FETCHING_CURRENT: &str = "Fetching your picture…";
pub const NO_PICTURE_YET: &str = "No picture yet: the Console shows your initials.";
/// Beside the picture in the "In the Console" preview until whoami has answered.
pub const YOU: &str = "You";

pub fn now_on(tenant: &TenantUrl) -> String {
    format!("Now on {}", tenant.host())
}

pub fn cannot_show(content_type: &str) -> String {
    format!("A picture ({content_type}) this app cannot show.")
}

pub fn could_not_fetch(err: &ApiError) -> String {
    format!("Could not fetch it: {err}")
}

pub fn remove_question_body(tenant: &TenantUrl) -> String {
    format!(
        "{} will show your initials instead. You can undo this right after.",
        tenant.host()
    )
}

// ---- the command line's picture commands ----

/// `upload`'s line: "uploaded your new profile picture to https://acme… (512×512 JPEG, …)",
/// with how it was framed or what it shows (`framed on the face`, `initials AL`) when known.
pub fn uploaded_to(tenant: &TenantUrl, avatar: &EncodedAvatar, how: Option<&str>) -> String {
    format!(
        "uploaded your new profile picture to {tenant} ({}{})",
        avatar.describe(),
        how.map(|how| format!(", {how}")).unwrap_or_default()
    )
}

/// `upload --exact`'s line: the file's bytes went as they are.
pub fn uploaded_exact(file: &Path, tenant: &TenantUrl, content_type: &str, bytes: usize) -> String {
    format!(
        "uploaded {} unchanged to {tenant} ({content_type}, {bytes} bytes)",
        file.display()
    )
}

/// Why `upload --exact` sends nothing: FILE is larger than the tenant's pictures can be.
pub fn exact_too_large(file: &Path, limit: u64) -> String {
    format!(
        "{}: larger than {} MiB",
        file.display(),
        limit / (1024 * 1024)
    )
}

/// Why `upload --exact` sends nothing: FILE cannot be read.
pub fn exact_unreadable(file: &Path, err: &std::io::Error) -> String {
    format!("{}: cannot read it: {err}", file.display())
}

/// Why `upload --exact` sends nothing: FILE is not a picture the tenant can hold as it is.
pub fn exact_not_a_picture(file: &Path, what: &str) -> String {
    format!("{}: not a picture to send as it is: {what}", file.display())
}

/// `prepare`'s line.
pub fn wrote_avatar(output: &Path, avatar: &EncodedAvatar, how: Option<&str>) -> String {
    format!(
        "wrote {} ({}{})",
        output.display(),
        avatar.describe(),
        how.map(|how| format!(", {how}")).unwrap_or_default()
    )
}

/// How the square was placed when a face was found: the command line's clause, the app's
/// caption under the picture.
pub const FRAMED_ON_THE_FACE: &str = "framed on the face";

// ---- the app's framing on faces, and the initials avatar ----

/// Beside Reset: the largest centred square.
pub const CENTRE: &str = "Centre";
pub const CENTRE_HINT: &str = "The largest centred square, keeping the rotation";
pub const RESET_HINT: &str = "Back to the largest centred square, unrotated";
pub const RESET_TO_FACE_HINT: &str = "Back to the framing on the face, unrotated";
/// With several faces: frame the next one.
pub const NEXT_FACE: &str = "Next face";

/// "Next face"'s hint: which face comes next, of how many.
pub fn next_face_hint(next: usize, of: usize) -> String {
    format!("Frame face {next} of {of} (or click a face in the picture)")
}

/// A face in the picture, under the pointer: what a click does.
pub const CLICK_FACE_HINT: &str = "Click to frame this face";

/// The empty drop zone's second way in, for people without a photo.
pub const USE_INITIALS: &str = "No photo? Use your initials";

pub fn use_initials_hint(name: &str) -> String {
    format!(
        "An avatar of the initials of {name} on a colour of its own, framed and uploaded like a photo"
    )
}

/// Shown while the initials avatar is made.
pub const INITIALS_LOADING: &str = "Your initials";

/// The initials avatar's name in the editor: "Your initials (AL)", or a silhouette and why.
pub fn initials_name(initials: &str, draws_letters: bool) -> String {
    match initials {
        "" => "A silhouette (the name has no letter)".to_owned(),
        initials if !draws_letters => {
            format!("A silhouette (no font on this system has {initials})")
        }
        initials => format!("Your initials ({initials})"),
    }
}

/// `monogram -o OUT` with an extension we do not write.
pub fn monogram_extension(output: &Path) -> String {
    format!(
        "{}: name the file .png or .jpg (or .jpeg); the format follows the extension",
        output.display()
    )
}

/// `monogram`'s line: "wrote me.png (initials AL, 512×512 PNG, …)".
pub fn wrote_monogram(output: &Path, shown: &str, avatar: &EncodedAvatar) -> String {
    format!(
        "wrote {} ({shown}, {})",
        output.display(),
        avatar.describe()
    )
}

/// What an initials avatar shows: "initials AL", or a silhouette and why.
pub fn monogram_shows(initials: &str, draws_letters: bool) -> String {
    match initials {
        "" => "a silhouette: the name has no letter".to_owned(),
        initials if !draws_letters => {
            format!("a silhouette: no font on this system has {initials}")
        }
        initials => format!("initials {initials}"),
    }
}

/// `current`'s line when there is a picture.
pub fn wrote_current(path: &Path, content_type: &str, bytes: usize) -> String {
    format!(
        "wrote your current profile picture to {} ({content_type}, {} KB)",
        path.display(),
        bytes.div_ceil(1000)
    )
}

/// `current`'s line when there is none.
pub fn no_picture_on(tenant: &TenantUrl) -> String {
    format!("you have no profile picture on {tenant}")
}

/// `remove`'s line.
pub fn removed_on(tenant: &TenantUrl) -> String {
    format!("removed your profile picture on {tenant}")
}

pub fn cannot_write(path: &Path, err: &std::io::Error) -> String {
    format!("cannot write {}: {err}", path.display())
}

/// A picture file's problem, named with its path.
pub fn image_problem(file: &Path, err: &AvatarError) -> String {
    format!("{}: {err}", file.display())
}

/// `--crop` that leaves the picture (`size` as rotated by `degrees`).
pub fn crop_outside(crop: &Crop, file: &Path, (width, height): (u32, u32), degrees: i32) -> String {
    let turned = match degrees {
        0 => String::new(),
        degrees => format!(" after turning it {degrees}°"),
    };
    format!(
        "--crop {},{},{} does not fit in {} ({width}×{height} pixels{turned}): the square must \
         lie inside the picture",
        crop.left(),
        crop.top(),
        crop.side,
        file.display()
    )
}

/// The command line's one line while it waits to try again, on stderr whether or not it is a
/// terminal: "xc-avatar: the tenant is rate limiting requests (HTTP 429); waiting 7 s, then
/// attempt 2 of 4…".
pub fn waiting_to_retry(reason: &str, seconds: u64, next_attempt: u32, attempts: u32) -> String {
    format!("{reason}; waiting {seconds} s, then attempt {next_attempt} of {attempts}…")
}
