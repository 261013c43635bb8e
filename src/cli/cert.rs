//! `cert set|forget`, and which credential a command uses: the API token or the API
//! certificate, from the environment or kept (keyring + settings).

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::commands::{Report, block_on};
use super::token::{keyring_failure, load_settings, resolve_tenant, save_settings};
use super::{CertSetArgs, Exit, TokenTenantArgs};
use crate::api::{self, ClientOptions, TenantUrl};
use crate::credentials::{
    ApiCertificate, ApiToken, CertificateError, CertificatePassword, Credential, KeyringStore,
    TokenStore as _,
};
use crate::messages;
use crate::settings::Settings;

/// Most we read of a password from stdin.
const PASSWORD_MAX_BYTES: u64 = 4096;

impl Report {
    /// A `.p12` that cannot be used: its own line and exit code.
    pub(crate) fn certificate_error(&self, err: &CertificateError) -> Exit {
        let explained = messages::explain_certificate(err);
        self.failure(
            Exit::from(err),
            err.kind(),
            explained.to_string(),
            json!({ "file": err.path(), "next_step": explained.next_step }),
        )
    }
}

/// The credential for `tenant`, in this order: `F5XC_API_TOKEN`; `VOLT_API_P12_FILE` with
/// `VES_P12_PASSWORD`; the certificate kept for the tenant (`cert set`); the token kept for it
/// (`token set`). A certificate is opened and checked here, before any request.
pub(crate) fn credential_for(
    tenant: &TenantUrl,
    settings: &Settings,
    report: &Report,
) -> Result<Credential, Exit> {
    let certificate_in_env = std::env::var_os(crate::ENV_P12_FILE).is_some_and(|f| !f.is_empty());
    match ApiToken::from_env() {
        Some(Ok(token)) => {
            if certificate_in_env {
                eprintln!("xc-avatar: {}", messages::token_wins_over_certificate());
            }
            return Ok(Credential::Token(token));
        }
        Some(Err(err)) => {
            return Err(report.failure(
                Exit::NotAuthenticated,
                "no_token",
                format!("{}: {err}", crate::ENV_TOKEN),
                json!({}),
            ));
        }
        None => {}
    }
    if let Some(opened) = ApiCertificate::from_env() {
        return opened
            .map(Credential::Certificate)
            .map_err(|err| report.certificate_error(&err));
    }
    let store = KeyringStore::new();
    if let Some(path) = settings.certificate_for(tenant) {
        let password = match store.get_certificate_password(tenant) {
            Ok(Some(password)) => password,
            Ok(None) => {
                return Err(report.failure(
                    Exit::NotAuthenticated,
                    "no_certificate_password",
                    messages::no_certificate_password(tenant),
                    json!({ "file": path }),
                ));
            }
            Err(err) => return Err(keyring_failure(report, &err)),
        };
        return ApiCertificate::open(path, &password)
            .map(Credential::Certificate)
            .map_err(|err| report.certificate_error(&err));
    }
    match store.get(tenant) {
        Ok(Some(token)) => Ok(Credential::Token(token)),
        Ok(None) => Err(report.failure(
            Exit::NotAuthenticated,
            "no_token",
            format!(
                "no API token for {tenant}: run `xc-avatar token set --tenant {tenant}` \
                 or set {} (create a token in the Console under Administration → \
                 Personal Management → Credentials); or, with an API certificate, run \
                 `xc-avatar cert set FILE --tenant {tenant}`",
                crate::ENV_TOKEN
            ),
            json!({}),
        )),
        Err(err) => Err(keyring_failure(report, &err)),
    }
}

pub fn set(args: &CertSetArgs, report: &Report) -> Exit {
    let (mut settings, file) = load_settings();
    let tenant = match resolve_tenant(args.tenant.as_deref(), &settings, report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    // Kept as an absolute path: later commands may run from another folder.
    let path = std::path::absolute(&args.file).unwrap_or_else(|_| args.file.clone());
    // Said before asking for the password.
    if let Err(err) = std::fs::metadata(&path)
        && err.kind() == std::io::ErrorKind::NotFound
    {
        return report.certificate_error(&CertificateError::Missing { path });
    }
    let password = match read_password(&path) {
        Ok(password) => password,
        Err(message) => return report.usage(message),
    };
    let certificate = match ApiCertificate::open(&path, &password) {
        Ok(certificate) => certificate,
        Err(err) => return report.certificate_error(&err),
    };
    let mut who = None;
    if !args.no_verify {
        let options = report.client_options(std::time::Duration::from_secs(args.timeout));
        let credential = Credential::Certificate(certificate.clone());
        match block_on(api::whoami_as(tenant.clone(), &credential, options)) {
            Ok(me) => who = Some(me),
            Err(err) => return report.api_error(&err),
        }
    }
    let store = KeyringStore::new();
    if let Err(err) = store.set_certificate_password(&tenant, &password) {
        return keyring_failure(report, &err);
    }
    settings.set_certificate(&tenant, &path);
    save_settings(file.as_ref(), &settings);
    let acting_as = who.as_ref().map(messages::acts_as).unwrap_or_default();
    report.success(
        format!(
            "{}{acting_as}",
            messages::certificate_saved(&tenant, &certificate, store.location())
        ),
        json!({
            "tenant": tenant.origin(),
            "file": certificate.path(),
            "subject": certificate.subject(),
            "valid_until": certificate.valid_until_day(),
            "stored_in": store.location(),
            "verified": who.is_some(),
            "user": who.map(|me| json!({ "name": me.display_name(), "tenant": me.tenant })),
        }),
    )
}

pub fn forget(args: &TokenTenantArgs, report: &Report) -> Exit {
    let (mut settings, file) = load_settings();
    let tenant = match resolve_tenant(args.tenant.as_deref(), &settings, report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    let store = KeyringStore::new();
    let had_password = match store.delete_certificate_password(&tenant) {
        Ok(had) => had,
        Err(err) => return keyring_failure(report, &err),
    };
    let had_file = settings.forget_certificate(&tenant);
    if had_file {
        save_settings(file.as_ref(), &settings);
    }
    if had_password || had_file {
        report.success(
            messages::forgot_certificate(&tenant, store.location()),
            json!({ "tenant": tenant.origin(), "removed": true }),
        )
    } else {
        report.success(
            messages::no_certificate_to_forget(&tenant),
            json!({ "tenant": tenant.origin(), "removed": false }),
        )
    }
}

/// The password from stdin: a hidden prompt on a terminal, else the input (piped) without its
/// final line break, at most [`PASSWORD_MAX_BYTES`] of it.
fn read_password(file: &Path) -> Result<CertificatePassword, String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(messages::certificate_password_prompt(file))
            .map(CertificatePassword::new)
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    eprintln!("xc-avatar: {}", messages::READING_PASSWORD);
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .take(PASSWORD_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    if bytes.len() as u64 > PASSWORD_MAX_BYTES {
        return Err(messages::password_too_long(PASSWORD_MAX_BYTES));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| messages::PASSWORD_NOT_TEXT.to_owned())?;
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(text);
    Ok(CertificatePassword::new(text))
}

/// `token status`'s line for a tenant that uses a certificate, its JSON and exit code.
pub(crate) fn status_line(
    tenant: &TenantUrl,
    path: &Path,
    store: &KeyringStore,
    options: ClientOptions,
) -> Result<(String, serde_json::Value, Exit), crate::credentials::StoreError> {
    let file: PathBuf = path.to_path_buf();
    let password = match store.get_certificate_password(tenant)? {
        Some(password) => password,
        None => {
            return Ok((
                messages::no_certificate_password(tenant),
                json!({ "kind": "certificate", "file": file, "error": { "kind": "no_certificate_password" } }),
                Exit::NotAuthenticated,
            ));
        }
    };
    let certificate = match ApiCertificate::open(path, &password) {
        Ok(certificate) => certificate,
        Err(err) => {
            return Ok((
                messages::explain_certificate(&err).to_string(),
                json!({ "kind": "certificate", "file": file, "error": { "kind": err.kind() } }),
                Exit::from(&err),
            ));
        }
    };
    let summary = messages::certificate_summary(&certificate);
    let row = json!({
        "kind": "certificate",
        "file": file,
        "subject": certificate.subject(),
        "valid_until": certificate.valid_until_day(),
    });
    let credential = Credential::Certificate(certificate);
    Ok(
        match block_on(api::whoami_as(tenant.clone(), &credential, options)) {
            Ok(me) => {
                let mut row = row;
                row["user"] = json!({ "name": me.display_name(), "tenant": me.tenant });
                (
                    format!("{summary}: {} on {}", me.display_name(), me.tenant),
                    row,
                    Exit::Success,
                )
            }
            Err(err) => {
                let mut row = row;
                row["error"] = json!({ "kind": err.kind(), "status": err.status() });
                (
                    format!("{summary}: {}", messages::explain(&err)),
                    row,
                    Exit::from(&err),
                )
            }
        },
    )
}
