//! `token set|status|forget` and `tenants`: the keyring and the saved tenants, headless.

use std::io::{IsTerminal as _, Read as _};

use serde_json::{Value, json};

use super::commands::{Report, block_on, warn};
use super::{Exit, TenantsArgs, TokenSetArgs, TokenTenantArgs};
use crate::api::{self, ClientOptions, TenantUrl};
use crate::credentials::{ApiToken, KeyringStore, StoreError, TokenStore};
use crate::messages::explain;
use crate::settings::{Settings, SettingsFile};

/// Settings from the default location; a damaged file is reported on stderr and set aside.
pub(crate) fn load_settings() -> (Settings, Option<SettingsFile>) {
    let Some(file) = SettingsFile::default_location() else {
        return (Settings::default(), None);
    };
    let (settings, problem) = file.load();
    if let Some(problem) = problem {
        warn(&problem.to_string());
    }
    (settings, Some(file))
}

pub(crate) fn save_settings(file: Option<&SettingsFile>, settings: &Settings) {
    if let Some(Err(err)) = file.map(|f| f.save(settings)) {
        warn(&err.to_string());
    }
}

/// `--tenant`/`F5XC_API_URL`, else the saved default.
pub(crate) fn resolve_tenant(
    given: Option<&str>,
    settings: &Settings,
    report: &Report,
) -> Result<TenantUrl, Exit> {
    match given {
        Some(text) => TenantUrl::parse(text).map_err(|e| report.usage(e.to_string())),
        None => settings.default_tenant().ok_or_else(|| {
            report.usage(format!(
                "no tenant: pass --tenant URL, set {} or run `xc-avatar token set --tenant URL` once",
                crate::ENV_TENANT
            ))
        }),
    }
}

/// The keyring could not be used. The core's next step offers the app's "this session only",
/// which the command line does not have: its way round the keyring is the environment.
pub(crate) fn keyring_failure(report: &Report, err: &StoreError) -> Exit {
    let next_step = match err {
        StoreError::Unavailable { .. } if cfg!(target_os = "linux") => {
            "Start a Secret Service keyring (GNOME Keyring or KWallet, usually part of your \
             desktop session)"
        }
        StoreError::Unavailable { .. } => "Check that the system keychain is available",
        StoreError::Locked { .. } => {
            "Unlock your keyring (or allow xc-avatar when asked), then try again"
        }
        StoreError::Failed { .. } => "Try again",
        StoreError::Damaged => {
            "Run `xc-avatar token forget`, then `xc-avatar token set` to enter it again"
        }
    };
    let instead = format!(
        "or, without a keyring, set {} to the token (and {} to the tenant) in the environment",
        crate::ENV_TOKEN,
        crate::ENV_TENANT
    );
    report.failure(
        Exit::Keyring,
        "keyring",
        format!("{err}. {next_step}; {instead}."),
        json!({ "next_step": format!("{next_step}; {instead}.") }),
    )
}

/// Most we read of a token from stdin: API tokens are well under 100 characters.
const TOKEN_MAX_BYTES: u64 = 4096;

pub fn set(args: &TokenSetArgs, report: &Report) -> Exit {
    let (mut settings, file) = load_settings();
    let tenant = match resolve_tenant(args.tenant.as_deref(), &settings, report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    let token = match read_token(&tenant) {
        Ok(token) => token,
        Err(message) => return report.usage(message),
    };
    let mut who = None;
    if !args.no_verify {
        let options = report.client_options(std::time::Duration::from_secs(args.timeout));
        let verified = block_on(api::whoami(tenant.clone(), &token, options));
        match verified {
            Ok(me) => who = Some(me),
            Err(err) => return report.api_error(&err),
        }
    }
    let store = KeyringStore::new();
    if let Err(err) = store.set(&tenant, &token) {
        return keyring_failure(report, &err);
    }
    settings.add_tenant(&tenant);
    // The credential set last is the one used: a certificate kept before gives way.
    if settings.forget_certificate(&tenant) {
        let _ = store.delete_certificate_password(&tenant);
    }
    save_settings(file.as_ref(), &settings);
    let acting_as = who
        .as_ref()
        .map(|me| format!("; it acts as {} on {}", me.display_name(), me.tenant))
        .unwrap_or_default();
    report.success(
        format!(
            "saved the token for {tenant} in {}{acting_as}",
            store.location()
        ),
        json!({
            "tenant": tenant.origin(),
            "stored_in": store.location(),
            "verified": who.is_some(),
            "user": who.map(|me| json!({ "name": me.display_name(), "tenant": me.tenant })),
        }),
    )
}

/// The token from stdin: a hidden prompt on a terminal, else the input (piped), at most
/// [`TOKEN_MAX_BYTES`] of it: what is longer is not a token, and the rest is never read.
fn read_token(tenant: &TenantUrl) -> Result<ApiToken, String> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API token for {tenant} (input hidden): "))
            .map_err(|e| format!("cannot read the token: {e}"))?
    } else {
        // Terminals that are not seen as one (mintty, Git Bash) would otherwise wait silently.
        eprintln!("xc-avatar: reading the token from stdin…");
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(TOKEN_MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the token from stdin: {e}"))?;
        if bytes.len() as u64 > TOKEN_MAX_BYTES {
            return Err(format!(
                "stdin holds more than {} KiB, which is not an API token: pipe in only the token",
                TOKEN_MAX_BYTES / 1024
            ));
        }
        String::from_utf8(bytes).map_err(|_| {
            "the token read from stdin is not text: pipe in only the token".to_owned()
        })?
    };
    ApiToken::new(&text).map_err(|e| format!("{e} (the token is read from stdin)"))
}

pub fn status(args: &TokenTenantArgs, report: &Report) -> Exit {
    let (settings, _) = load_settings();
    let tenants = match args.tenant.as_deref() {
        Some(_) => match resolve_tenant(args.tenant.as_deref(), &settings, report) {
            Ok(tenant) => vec![tenant],
            Err(exit) => return exit,
        },
        None => settings.tenant_urls(),
    };
    if tenants.is_empty() {
        return report.success(
            "no tenants set up yet: run `xc-avatar token set --tenant URL`".into(),
            json!({ "tenants": [] }),
        );
    }
    let store = KeyringStore::new();
    let default = settings.default_tenant();
    let mut exit = Exit::Success;
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for tenant in tenants {
        let marker = if default.as_ref() == Some(&tenant) {
            " (default)"
        } else {
            ""
        };
        let options = report.client_options(ClientOptions::default().timeout);
        let kept = match settings.certificate_for(&tenant) {
            Some(path) => super::cert::status_line(&tenant, path, &store, options),
            None => token_status_line(&tenant, &store, options),
        };
        let (line, row, code) = match kept {
            Err(err) => return keyring_failure(report, &err),
            Ok(kept) => kept,
        };
        if exit == Exit::Success {
            exit = code;
        }
        lines.push(format!("{tenant}{marker}: {line}"));
        let mut row: Value = row;
        row["tenant"] = json!(tenant.origin());
        row["default"] = json!(!marker.is_empty());
        rows.push(row);
    }
    if exit == Exit::Success {
        report.success(lines.join("\n"), json!({ "tenants": rows }))
    } else {
        report.failure(
            exit,
            "token_status",
            lines.join("\n"),
            json!({ "tenants": rows }),
        )
    }
}

/// `token status`'s line for a tenant that uses an API token, its JSON and exit code.
fn token_status_line(
    tenant: &TenantUrl,
    store: &KeyringStore,
    options: ClientOptions,
) -> Result<(String, Value, Exit), StoreError> {
    Ok(match store.get(tenant)? {
        None => (
            "no token saved".to_owned(),
            json!({ "kind": "token", "token": "missing" }),
            Exit::NotAuthenticated,
        ),
        Some(token) => match block_on(api::whoami(tenant.clone(), &token, options)) {
            Ok(me) => (
                format!("API token: {} on {}", me.display_name(), me.tenant),
                json!({ "kind": "token", "token": "saved", "user": { "name": me.display_name(), "tenant": me.tenant } }),
                Exit::Success,
            ),
            Err(err) => (
                format!("API token: {}", explain(&err)),
                json!({ "kind": "token", "token": "saved", "error": { "kind": err.kind(), "status": err.status() } }),
                Exit::from(&err),
            ),
        },
    })
}

pub fn forget(args: &TokenTenantArgs, report: &Report) -> Exit {
    let (settings, _) = load_settings();
    let tenant = match resolve_tenant(args.tenant.as_deref(), &settings, report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    let store = KeyringStore::new();
    match store.delete(&tenant) {
        Ok(true) => report.success(
            format!(
                "forgot the token for {tenant} (removed from {})",
                store.location()
            ),
            json!({ "tenant": tenant.origin(), "removed": true }),
        ),
        Ok(false) => report.success(
            format!("no token was saved for {tenant}"),
            json!({ "tenant": tenant.origin(), "removed": false }),
        ),
        Err(err) => keyring_failure(report, &err),
    }
}

pub fn tenants(args: &TenantsArgs, report: &Report) -> Exit {
    let (mut settings, file) = load_settings();
    if let Some(text) = args.default.as_deref() {
        let tenant = match TenantUrl::parse(text) {
            Ok(tenant) => tenant,
            Err(err) => return report.usage(err.to_string()),
        };
        settings.set_default(&tenant);
        // Said to be the default only once that is written down.
        let saved = match file.as_ref() {
            Some(file) => file.save(&settings).map_err(|err| err.to_string()),
            None => Err(crate::messages::NO_SETTINGS_FOLDER.to_owned()),
        };
        if let Err(why) = saved {
            return report.failure(
                Exit::Usage,
                "settings_not_saved",
                crate::messages::default_not_saved(&tenant, &why),
                json!({ "tenant": tenant.origin() }),
            );
        }
        return report.success(
            format!("{tenant} is now the default tenant"),
            json!({ "default": tenant.origin() }),
        );
    }
    if settings.tenants.is_empty() {
        return report.success(
            "no tenants set up yet: run `xc-avatar token set --tenant URL`".into(),
            json!({ "tenants": [], "default": null }),
        );
    }
    let lines: Vec<String> = settings
        .tenants
        .iter()
        .map(|t| {
            // Names read from settings.json, shown as such: nothing in one can reach the
            // terminal as anything but text on its own line.
            let name = crate::api::terminal_safe(t);
            if settings.default_tenant.as_ref() == Some(t) {
                format!("{name} (default)")
            } else {
                name
            }
        })
        .collect();
    report.success(
        lines.join("\n"),
        json!({ "tenants": settings.tenants, "default": settings.default_tenant }),
    )
}
