//! Tenants and credentials: setting them up, where they came from, and why one cannot be used.
//! For the app and the command line alike; where the two differ (the way round a keyring, the
//! command to run), [`Front`] says which is asking.

use crate::TenantUrl;
use crate::api::WhoAmI;
use crate::credentials::{
    ApiCertificate, CertificateError, CertificateFiles, Credential, CredentialKind, SecretKind,
};
use crate::exit::Exit;
use crate::sign_in::{CredentialProblem, Origin};
use crate::vesctl::{Profile, ProfileError, ProfileSource};

use super::{Explained, explain_store, explain_store_cli};

/// Which front end is asking, where their words differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Front {
    App,
    Cli,
}

// ---- the setup screen ----

/// The setup screen's welcome: what the app does, in one sentence.
pub const SETUP_TITLE: &str = "Your profile picture on F5 Distributed Cloud";
pub const SETUP_INTRO: &str = "xc-avatar frames a photo in a circle and makes it your profile \
     picture on your tenant. Connect it once with your tenant and an API token or certificate.";
/// F5's page on creating API tokens and certificates.
pub const CREDENTIALS_DOCS: &str = "https://docs.cloud.f5.com/docs/how-to/user-mgmt/credentials";
pub const TOKEN_HELP: &str = "Create one in the Console: Administration > Personal Management > \
                              Credentials > Add Credentials > API Token.";
pub const CERTIFICATE_HELP: &str = "Create one in the Console: Administration > Personal \
                                    Management > Credentials > Add Credentials > API \
                                    Certificate. Keep the .p12 file and its password.";
pub const PEM_HELP: &str = "A certificate and its unencrypted key as PEM files, as vesctl \
                            uses them (its cert and key settings).";

pub const TESTING: &str = "Testing the connection…";
pub const SAVING: &str = "Saving…";
pub const FORGETTING: &str = "Forgetting…";

/// The setup screen's line about a vesctl profile it filled the form from.
pub fn found_profile(profile: &Profile) -> String {
    let what = match profile.credential.kind() {
        CredentialKind::Token => "token",
        CredentialKind::P12 => "API certificate (.p12)",
        CredentialKind::Pem => "certificate and key",
    };
    format!(
        "Found your vesctl profile for {} ({}): its {what} is filled in below.",
        profile.tenant.host(),
        profile.source.describe()
    )
}

/// The setup screen's line when a token in the environment stands in for an empty field.
pub fn env_token_used(variable: &str) -> String {
    format!("{variable} is set: its token is used unless you enter another.")
}

/// The button that goes on with the environment's token.
pub fn continue_with(variable: &str) -> String {
    format!("Continue with {variable}")
}

pub fn save_keeps_it_in(location: &str) -> String {
    format!("Save keeps it in {location}.")
}

// ---- outcomes of setting up ----

pub fn connected_as(me: &WhoAmI) -> String {
    format!("Connected as {} on {}", me.display_name(), me.tenant)
}

/// "Connected as Ada Lovelace <ada@example.com> on acme — certificate valid until 2027-03-01".
pub fn connected_with(me: &WhoAmI, credential: &Credential) -> String {
    match credential {
        Credential::Token(_) => connected_as(me),
        Credential::Certificate(certificate) => format!(
            "{} — certificate valid until {}",
            connected_as(me),
            certificate.valid_until_day()
        ),
    }
}

/// "; it acts as Ada Lovelace <ada@example.com> on acme".
/// `whoami`'s line.
pub fn whoami_line(tenant: &TenantUrl, me: &WhoAmI) -> String {
    format!(
        "{tenant} acts as {} on tenant {}",
        me.display_name(),
        me.tenant
    )
}

pub fn acts_as(me: &WhoAmI) -> String {
    format!("; it acts as {} on {}", me.display_name(), me.tenant)
}

pub fn saved_in(location: &str) -> String {
    format!("saved in {location}")
}

pub fn session_only(tenant: &TenantUrl) -> String {
    format!(
        "using the token for {tenant} for this session only: it is forgotten when you close the app"
    )
}

/// `token set` / `cert set`'s line.
pub fn credential_saved(tenant: &TenantUrl, credential: &Credential, location: &str) -> String {
    match credential {
        Credential::Token(_) => format!("saved the token for {tenant} in {location}"),
        Credential::Certificate(certificate) => match certificate.files() {
            CertificateFiles::P12(path) => format!(
                "saved the API certificate for {tenant}: {} ({}), its password in {location}",
                path.display(),
                certificate_summary(certificate)
            ),
            CertificateFiles::Pem { cert, key } => format!(
                "saved the API certificate for {tenant}: {} with the key {} ({})",
                cert.display(),
                key.display(),
                certificate_summary(certificate)
            ),
        },
    }
}

/// What forgetting a credential of `kind` did.
pub fn forgot(kind: CredentialKind, tenant: &TenantUrl, location: &str, removed: bool) -> String {
    match (kind, removed) {
        (CredentialKind::Token, true) => {
            format!("forgot the token for {tenant} (removed from {location})")
        }
        (CredentialKind::Token, false) => format!("no token was saved for {tenant}"),
        (_, true) => format!(
            "forgot the API certificate for {tenant} (its password removed from {location}); \
             the certificate's files are untouched"
        ),
        (_, false) => format!("no API certificate was set up for {tenant}"),
    }
}

// ---- which credential, and where it came from ----

/// "API token", or "API certificate ada@example.com (valid until 2027-03-01)".
pub fn credential_summary(credential: &Credential) -> String {
    match credential {
        Credential::Token(_) => "API token".to_owned(),
        Credential::Certificate(certificate) => certificate_summary(certificate),
    }
}

/// "API certificate ada@example.com (valid until 2027-03-01)".
pub fn certificate_summary(certificate: &ApiCertificate) -> String {
    format!(
        "API certificate {} (valid until {})",
        certificate.subject(),
        certificate.valid_until_day()
    )
}

/// Where a credential came from: "from F5XC_API_TOKEN", "kept in the system keyring (Secret
/// Service)", "from your vesctl profile (/home/ada/.vesconfig)", "for this session only".
pub fn origin(origin: &Origin, location: &str) -> String {
    match origin {
        Origin::Environment(variable) => format!("from {variable}"),
        Origin::Kept => format!("kept in {location}"),
        Origin::Vesctl(ProfileSource::File(path)) => {
            format!("from your vesctl profile ({})", path.display())
        }
        Origin::Vesctl(ProfileSource::Environment) => {
            "from your vesctl settings (VES_* variables)".to_owned()
        }
        Origin::Entered => "for this session only".to_owned(),
    }
}

/// The top bar's few words: "(API token from F5XC_API_TOKEN)", "(API certificate from your
/// vesctl profile)"; `origin`'s whole sentence is its tooltip.
pub fn origin_short(credential: &Credential, origin: &Origin) -> String {
    let kind = match credential {
        Credential::Token(_) => "API token",
        Credential::Certificate(_) => "API certificate",
    };
    let from = match origin {
        Origin::Environment(variable) => format!("from {variable}"),
        Origin::Kept => "kept".to_owned(),
        Origin::Vesctl(_) => "from your vesctl profile".to_owned(),
        Origin::Entered => "for this session only".to_owned(),
    };
    format!("({kind} {from})")
}

/// Other credential variables are set beside the one used.
pub fn env_ignored(used: &str, ignored: &[&str]) -> String {
    match ignored {
        [one] => format!("note: both {used} and {one} are set; using {used}"),
        many => format!(
            "note: {used}, {} are all set; using {used}",
            many.join(" and ")
        ),
    }
}

/// The tenant whose credential is being read.
pub fn reading_credential(tenant: &TenantUrl) -> String {
    format!("Signing in to {}…", tenant.host())
}

/// No tenant anywhere, on the command line.
pub fn no_tenant() -> String {
    format!(
        "no tenant: pass --tenant URL, set {} or run `xc-avatar token set --tenant URL` once",
        crate::ENV_TENANT
    )
}

pub fn no_tenants_yet() -> &'static str {
    "no tenants set up yet: run `xc-avatar token set --tenant URL`"
}

pub fn now_default(tenant: &TenantUrl) -> String {
    format!("{tenant} is now the default tenant")
}

/// `tenants --default URL` when the settings cannot be written: the default is unchanged.
pub fn default_not_saved(tenant: &TenantUrl, why: &str) -> String {
    format!("{tenant} is not the default tenant: the settings could not be saved ({why})")
}

/// No folder to keep settings in (no home directory, no `XC_AVATAR_CONFIG_DIR`).
pub const NO_SETTINGS_FOLDER: &str =
    "no folder for the settings: set XC_AVATAR_CONFIG_DIR to a folder xc-avatar may write";

// ---- why a credential cannot be used ----

/// What to do about a certificate that cannot be used, wherever it was named.
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
        CertificateError::NotPem { .. } => {
            "Choose the certificate and its unencrypted private key as PEM files, or use the \
             .p12 the Console downloaded."
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

/// A certificate that cannot be used, worded like an API outcome.
pub fn explain_certificate(err: &CertificateError) -> Explained {
    Explained {
        headline: err.to_string(),
        server_text: None,
        next_step: certificate_next_step(err).to_owned(),
    }
}

/// The way round a vesctl profile that does not work: the other ways to sign in.
fn other_ways(front: Front, tenant: &TenantUrl) -> String {
    match front {
        Front::App => "sign in with a token or certificate below".to_owned(),
        Front::Cli => format!(
            "sign in another way: `xc-avatar token set --tenant {tenant}`, `xc-avatar cert set \
             FILE --tenant {tenant}`, or {}",
            crate::ENV_TOKEN
        ),
    }
}

/// Why no credential can be used for `tenant`, worded for `front`.
pub fn explain_problem(tenant: &TenantUrl, problem: &CredentialProblem, front: Front) -> Explained {
    let plain = |headline: String, next_step: String| Explained {
        headline,
        server_text: None,
        next_step,
    };
    match problem {
        CredentialProblem::Token { variable, error } => plain(
            format!("{variable}: {error}"),
            "Copy the token again from the Console, without anything around it.".into(),
        ),
        CredentialProblem::Certificate {
            origin: Origin::Vesctl(source),
            error,
        } => plain(
            format!(
                "{error} (named by your vesctl profile {})",
                source.describe()
            ),
            format!("{} Or {}.", vesctl_step(error), other_ways(front, tenant)),
        ),
        CredentialProblem::Certificate { error, .. } => explain_certificate(error),
        CredentialProblem::NoPassword { .. } => plain(
            no_certificate_password(tenant),
            match front {
                Front::App => "Enter the certificate's password again and save it.".into(),
                Front::Cli => format!(
                    "Run `xc-avatar cert set FILE --tenant {tenant}` again, or set {} and {}.",
                    crate::ENV_P12_FILE,
                    crate::ENV_P12_PASSWORD
                ),
            },
        ),
        CredentialProblem::Store(err) => match front {
            Front::App => explain_store(err),
            Front::Cli => explain_store_cli(err),
        },
        CredentialProblem::Profile(err) => plain(
            err.to_string(),
            format!("{}, or {}.", profile_step(err), other_ways(front, tenant)),
        ),
        CredentialProblem::Nothing { vesctl_tenant } => {
            let elsewhere = vesctl_tenant
                .as_ref()
                .map(|other| format!(" (your vesctl profile is for {other})"))
                .unwrap_or_default();
            match front {
                Front::App => plain(
                    format!("No API token is saved for {tenant} yet{elsewhere}."),
                    "Enter one below, or an API certificate.".into(),
                ),
                Front::Cli => plain(
                    format!("no API token for {tenant}{elsewhere}"),
                    format!(
                        "Run `xc-avatar token set --tenant {tenant}` or set {} (create a token \
                         in the Console under Administration → Personal Management → \
                         Credentials); or, with an API certificate, run `xc-avatar cert set \
                         FILE --tenant {tenant}`.",
                        crate::ENV_TOKEN
                    ),
                ),
            }
        }
    }
}

/// What to fix in vesctl's profile when its certificate cannot be used.
fn vesctl_step(err: &CertificateError) -> &'static str {
    match err {
        CertificateError::WrongPassword { .. } => {
            "Set VES_P12_PASSWORD to the password of the certificate the profile names."
        }
        CertificateError::Missing { .. } | CertificateError::Unreadable { .. } => {
            "Fix the path in the profile, or put the file back."
        }
        other => certificate_next_step(other),
    }
}

fn profile_step(err: &ProfileError) -> String {
    match err {
        ProfileError::Unreadable { path, .. } | ProfileError::Unparsable { path, .. } => {
            format!("Fix or move {}", path.display())
        }
        ProfileError::NoTenant { .. } | ProfileError::BadTenant { .. } => {
            "Give the profile a server-urls line with your tenant's URL".into()
        }
        ProfileError::NoCredential { .. } => {
            "Give the profile a p12-bundle line (or cert and key lines)".into()
        }
    }
}

/// The `--json` kind of a credential problem.
pub fn problem_kind(problem: &CredentialProblem) -> &'static str {
    match problem {
        CredentialProblem::Token { .. } | CredentialProblem::Nothing { .. } => "no_token",
        CredentialProblem::Certificate { error, .. } => error.kind(),
        CredentialProblem::NoPassword { .. } => "no_certificate_password",
        CredentialProblem::Store(_) => "keyring",
        CredentialProblem::Profile(err) => err.kind(),
    }
}

impl From<&CredentialProblem> for Exit {
    fn from(problem: &CredentialProblem) -> Self {
        match problem {
            CredentialProblem::Token { .. }
            | CredentialProblem::Nothing { .. }
            | CredentialProblem::NoPassword { .. } => Exit::NotAuthenticated,
            CredentialProblem::Certificate { error, .. } => Exit::from(error),
            CredentialProblem::Store(_) => Exit::Keyring,
            CredentialProblem::Profile(_) => Exit::Usage,
        }
    }
}

/// The tenant uses a certificate whose password is not in the keyring any more.
pub fn no_certificate_password(tenant: &TenantUrl) -> String {
    format!("the password of the API certificate for {tenant} is not in the keyring")
}

// ---- reading a secret on the command line ----

/// What the secret is called on the command line.
fn secret_name(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::Token => "token",
        SecretKind::CertificatePassword => "certificate's password",
    }
}

/// The hidden prompt on a terminal.
pub fn secret_prompt(kind: SecretKind, for_what: &str) -> String {
    match kind {
        SecretKind::Token => format!("API token for {for_what} (input hidden): "),
        SecretKind::CertificatePassword => format!("Password of {for_what} (input hidden): "),
    }
}

/// Said before reading a pipe, so a terminal that is not seen as one does not wait silently.
pub fn reading_secret(kind: SecretKind) -> String {
    format!("reading the {} from stdin…", secret_name(kind))
}

pub fn cannot_read_secret(kind: SecretKind, err: &std::io::Error) -> String {
    format!("cannot read the {}: {err}", secret_name(kind))
}

pub fn secret_too_long(kind: SecretKind, max_bytes: u64) -> String {
    let what = match kind {
        SecretKind::Token => "an API token",
        SecretKind::CertificatePassword => "a certificate password",
    };
    format!(
        "stdin holds more than {} KiB, which is not {what}: pipe in only the {}",
        max_bytes / 1024,
        secret_name(kind)
    )
}

/// Windows: `xc-avatar.exe token set` typed in cmd or PowerShell, whose shell reads the same
/// console — what is typed could go to the prompt or to the shell's command line and history.
pub const SHARED_CONSOLE_REFUSAL: &str = "xc-avatar.exe cannot ask for a secret here: the shell \
     that started it reads this console too, so what you type could end up in its command line \
     and history. Type the command as `xc-avatar ...` without `.exe` (the console launcher \
     xc-avatar.com beside it then runs it), or pipe the secret in, for example: Get-Content \
     token.txt | xc-avatar.exe token set --tenant URL";

pub fn secret_not_text(kind: SecretKind) -> String {
    format!(
        "the {} read from stdin is not text: pipe in only the {0}",
        secret_name(kind)
    )
}

/// A token read from stdin that is not one.
pub fn not_a_token(err: &crate::credentials::TokenError) -> String {
    format!("{err} (the token is read from stdin)")
}
