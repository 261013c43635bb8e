//! Every sentence xc-avatar says to a person about an outcome, for the app and the command line
//! alike, so the two cannot drift. Core errors are lower-case clauses ("the tenant rejected the
//! API token (HTTP 401)"); the app shows them as sentences ([`sentence`]), the command line as
//! they are, after "xc-avatar: error: ".

use std::fmt;

use crate::api::{ApiError, TenantUrl, WhoAmI};
use crate::avatar::{AvatarError, EncodedAvatar};
use crate::credentials::{ApiCertificate, CertificateError, StoreError};

/// An outcome worded for a person: what happened, what the tenant said, what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// What happened, as a clause: "the tenant rejected the API token (HTTP 401)".
    pub headline: String,
    /// The tenant's own words, already cleaned, if it sent any.
    pub server_text: Option<String>,
    /// One sentence on what to do about it.
    pub next_step: String,
}

/// The one wording of every API outcome.
pub fn explain(err: &ApiError) -> Explained {
    Explained {
        headline: err.to_string(),
        server_text: err.server_text().map(str::to_owned),
        next_step: err.next_step(),
    }
}

/// What the app's error panel offers to do about an API outcome (the command line says the same
/// in its next step and its exit code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// The token is at fault: open the token field.
    UpdateToken,
    /// The API certificate is at fault (refused in the handshake, or 401 with one): open setup
    /// on the certificate.
    UpdateCertificate,
    /// The tenant URL is at fault (or points elsewhere): open the tenant field.
    CheckTenant,
    /// Nothing the user can fix here but trying again later.
    TryAgain,
}

impl Remedy {
    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Remedy::UpdateToken => "Update token",
            Remedy::UpdateCertificate => "Update certificate",
            Remedy::CheckTenant => "Check tenant URL",
            Remedy::TryAgain => "Try again",
        }
    }

    /// The button an API outcome gets; `None` where no button helps (403: ask an admin).
    pub fn for_error(err: &ApiError) -> Option<Remedy> {
        match err {
            ApiError::Unauthorized { .. } | ApiError::UnusableToken => Some(Remedy::UpdateToken),
            ApiError::CertificateRejected { .. } => Some(Remedy::UpdateCertificate),
            ApiError::NotFound { .. } | ApiError::Redirect { .. } | ApiError::Dns { .. } => {
                Some(Remedy::CheckTenant)
            }
            ApiError::Forbidden { .. } => None,
            ApiError::Conflict { .. }
            | ApiError::RateLimited { .. }
            | ApiError::WaitTooLong { .. }
            | ApiError::Server { .. }
            | ApiError::UnexpectedStatus { .. }
            | ApiError::ConnectionRefused { .. }
            | ApiError::ConnectionReset { .. }
            | ApiError::Tls { .. }
            | ApiError::Timeout { .. }
            | ApiError::Network { .. }
            | ApiError::InvalidResponse { .. }
            | ApiError::ResponseTooLarge { .. }
            | ApiError::NotAPicture { .. }
            | ApiError::Internal { .. } => Some(Remedy::TryAgain),
        }
    }
}

/// A keyring failure, worded like an API outcome.
pub fn explain_store(err: &StoreError) -> Explained {
    Explained {
        headline: err.to_string(),
        server_text: None,
        next_step: err.next_step().to_owned(),
    }
}

impl fmt::Display for Explained {
    /// One line: `the tenant rejected the API token (HTTP 401) — server said: "expired". The
    /// token may be wrong or expired: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)?;
        if let Some(said) = &self.server_text {
            write!(f, " — server said: \"{said}\"")?;
        }
        write!(f, ". {}", self.next_step)
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

/// `xc-avatar` with no command, where no window can open.
pub fn no_window(err: &dyn std::fmt::Display) -> String {
    format!(
        "cannot open a window: {err}. Without a display, use the commands in `xc-avatar --help`."
    )
}

/// `xc-avatar FILE COMMAND …`.
pub const FILE_BEFORE_COMMAND: &str = "a picture given before a command opens the app, and a \
     command takes its own FILE: put the file after the command (e.g. `xc-avatar upload \
     photo.jpg`)";

/// `tenants --default URL` when the settings cannot be written: the default is unchanged.
pub fn default_not_saved(tenant: &TenantUrl, why: &str) -> String {
    format!("{tenant} is not the default tenant: the settings could not be saved ({why})")
}

/// No folder to keep settings in (no home directory, no `XC_AVATAR_CONFIG_DIR`).
pub const NO_SETTINGS_FOLDER: &str =
    "no folder for the settings: set XC_AVATAR_CONFIG_DIR to a folder xc-avatar may write";

// ---- the picture being edited ----

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
        crate::api::terminal_safe(named)
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

/// The command line's one line while it waits to try again, on stderr whether or not it is a
/// terminal: "xc-avatar: the tenant is rate limiting requests (HTTP 429); waiting 7 s, then
/// attempt 2 of 4…".
pub fn waiting_to_retry(reason: &str, seconds: u64, next_attempt: u32, attempts: u32) -> String {
    format!("{reason}; waiting {seconds} s, then attempt {next_attempt} of {attempts}…")
}

// ---- the picture on the tenant ----

pub const FETCHING_CURRENT: &str = "Fetching your picture…";
pub const NO_PICTURE_YET: &str = "No picture yet: the Console shows your initials.";

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

// ---- tenants and tokens ----

pub fn connected_as(me: &WhoAmI) -> String {
    format!("Connected as {} on {}", me.display_name(), me.tenant)
}

pub fn no_token_saved(tenant: &TenantUrl) -> String {
    format!("No API token is saved for {tenant} yet.")
}

pub fn saved_in(location: &str) -> String {
    format!("saved in {location}")
}

pub fn session_only(tenant: &TenantUrl) -> String {
    format!(
        "using the token for {tenant} for this session only: it is forgotten when you close the app"
    )
}

pub fn forgot_token(tenant: &TenantUrl, location: &str) -> String {
    format!("Forgot the token for {tenant} (removed from {location})")
}

pub fn no_token_to_forget(tenant: &TenantUrl) -> String {
    format!("No token was saved for {tenant}")
}

pub fn reading_token(tenant: &TenantUrl, location: &str) -> String {
    format!("Reading the token for {} from {location}…", tenant.host())
}

pub const TESTING: &str = "Testing the connection…";
pub const SAVING: &str = "Saving…";
pub const FORGETTING: &str = "Forgetting…";

/// The setup screen's welcome: what the app does, in one sentence.
pub const SETUP_TITLE: &str = "Your profile picture on F5 Distributed Cloud";
pub const SETUP_INTRO: &str = "xc-avatar frames a photo in a circle and makes it your profile \
     picture on your tenant. Connect it once with your tenant and an API token or certificate.";
/// F5's page on creating API tokens and certificates.
pub const CREDENTIALS_DOCS: &str = "https://docs.cloud.f5.com/docs/how-to/user-mgmt/credentials";
pub const TOKEN_HELP: &str = "Create one in the Console: Administration > Personal Management > \
                              Credentials > Add Credentials > API Token.";

/// Beside the picture in the "In the Console" preview until whoami has answered.
pub const YOU: &str = "You";
// ---- API certificates ----

pub const CERTIFICATE_HELP: &str = "Create one in the Console: Administration > Personal \
                                    Management > Credentials > Add Credentials > API \
                                    Certificate. Keep the .p12 file and its password.";

/// What to do about a `.p12` that cannot be used; the same for the app and the command line.
pub fn certificate_next_step(err: &CertificateError) -> &'static str {
    match err {
        CertificateError::Missing { .. } => {
            "Choose the .p12 where it is now, or download a new API certificate from the Console."
        }
        CertificateError::Unreadable { .. } => {
            "Check that the file can be read by you, then choose it again."
        }
        CertificateError::NotP12 { .. } => {
            "Choose the .p12 file the Console downloaded (Administration > Personal Management \
             > Credentials)."
        }
        CertificateError::WrongPassword { .. } => {
            "Enter the password chosen when the API certificate was downloaded."
        }
        CertificateError::TooCostly { .. } => {
            "Download the API certificate again from the Console (Administration > Personal \
             Management > Credentials): a .p12 from anywhere else can be made to stall the \
             computer that opens it."
        }
        CertificateError::KeyMismatch { .. } => {
            "Download the API certificate again from the Console: in this file, the key and \
             the certificate do not go together."
        }
        CertificateError::Expired { .. } => {
            "Create a new API certificate in the Console and update the certificate."
        }
        CertificateError::NotYetValid { .. } => {
            "Check this computer's date and time, or use a certificate that is valid today."
        }
    }
}

/// A `.p12` that cannot be used, worded like an API outcome.
pub fn explain_certificate(err: &CertificateError) -> Explained {
    Explained {
        headline: err.to_string(),
        server_text: None,
        next_step: certificate_next_step(err).to_owned(),
    }
}

/// "Connected as Ada Lovelace <ada@example.com> on acme — certificate valid until 2027-03-01".
pub fn connected_with_certificate(me: &WhoAmI, certificate: &ApiCertificate) -> String {
    format!(
        "{} — certificate valid until {}",
        connected_as(me),
        certificate.valid_until_day()
    )
}

/// "API certificate ada@example.com (valid until 2027-03-01)", for `token status`.
pub fn certificate_summary(certificate: &ApiCertificate) -> String {
    format!(
        "API certificate {} (valid until {})",
        certificate.subject(),
        certificate.valid_until_day()
    )
}

/// Both kinds of credential are in the environment: which one is used.
pub fn token_wins_over_certificate() -> String {
    format!(
        "note: both {} and {} are set; using the API token",
        crate::ENV_TOKEN,
        crate::ENV_P12_FILE
    )
}

pub fn certificate_saved(
    tenant: &TenantUrl,
    certificate: &ApiCertificate,
    location: &str,
) -> String {
    format!(
        "saved the API certificate for {tenant}: {} ({}), its password in {location}",
        certificate.path().display(),
        certificate_summary(certificate)
    )
}

pub fn acts_as(me: &WhoAmI) -> String {
    format!("; it acts as {} on {}", me.display_name(), me.tenant)
}

pub fn forgot_certificate(tenant: &TenantUrl, location: &str) -> String {
    format!(
        "forgot the API certificate for {tenant} (its password removed from {location}); the \
         .p12 file itself is untouched"
    )
}

pub fn no_certificate_to_forget(tenant: &TenantUrl) -> String {
    format!("no API certificate was set up for {tenant}")
}

/// The tenant uses a certificate whose password is not in the keyring any more.
pub fn no_certificate_password(tenant: &TenantUrl) -> String {
    format!(
        "the password of the API certificate for {tenant} is not in the keyring: run \
         `xc-avatar cert set FILE --tenant {tenant}` again, or set {} and {}",
        crate::ENV_P12_FILE,
        crate::ENV_P12_PASSWORD
    )
}

pub fn certificate_password_prompt(file: &std::path::Path) -> String {
    format!("Password of {} (input hidden): ", file.display())
}

pub const READING_PASSWORD: &str = "reading the certificate's password from stdin…";

pub fn password_too_long(max_bytes: u64) -> String {
    format!(
        "stdin holds more than {} KiB, which is not a certificate password: pipe in only the \
         password",
        max_bytes / 1024
    )
}

pub const PASSWORD_NOT_TEXT: &str =
    "the password read from stdin is not text: pipe in only the password";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_is_one_line_with_the_servers_words_quoted() {
        let err = ApiError::Unauthorized {
            server_text: Some("token expired".into()),
        };
        assert_eq!(
            explain(&err).to_string(),
            "the tenant rejected the API token (HTTP 401) — server said: \"token expired\". \
             The token may be wrong or expired: create a new API token in the Console and \
             update it."
        );
        let err = ApiError::Dns {
            host: "acme.example".into(),
        };
        assert_eq!(
            explain(&err).to_string(),
            "cannot find the host acme.example (DNS lookup failed). Check the tenant URL and \
             your network or proxy settings."
        );
    }

    #[test]
    fn a_sentence_starts_with_a_capital() {
        assert_eq!(sentence("éclair"), "Éclair");
        assert_eq!(sentence(""), "");
    }
}

#[cfg(test)]
#[path = "messages_table.rs"]
mod table;
