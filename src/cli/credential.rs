//! `token set|status|forget` and `cert set|forget`: one flow for every kind of credential —
//! read it (a secret from stdin, a certificate's files), open and check it, ask the tenant who
//! it acts as, keep it — `token status`, which says for each tenant which credential is used
//! and where it came from, and `whoami`, who the credential a command would use acts as.

use std::io::{IsTerminal as _, Read as _};
use std::path::Path;

use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::args::{CallArgs, CertSetArgs, SetArgs, TenantArgs};
use super::context::{Context, block_on};
use super::report::{Report, user_json};
use crate::TenantUrl;
use crate::api::{self, ClientOptions};
use crate::credentials::{
    ApiToken, CertificateError, CertificatePassword, Credential, CredentialInput, CredentialKind,
    SecretKind, SecretStore as _,
};
use crate::exit::Exit;
use crate::messages::{self, Front};
use crate::sign_in::{self, Found};

/// Most we read of a secret from stdin: tokens are well under 100 characters.
const SECRET_MAX_BYTES: u64 = 4096;

/// `token set`: the token from stdin.
pub fn token_set(args: &SetArgs, report: &Report) -> Exit {
    let context = Context::load();
    let tenant = match context.tenant(args.tenant.as_deref(), report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    let token = read_secret(SecretKind::Token, &tenant.to_string())
        .and_then(|text| ApiToken::new(&text).map_err(|e| messages::not_a_token(&e)));
    match token {
        Ok(token) => set(context, tenant, CredentialInput::Token(token), args, report),
        Err(message) => report.usage(message),
    }
}

/// `cert set FILE [--key KEY]`: a `.p12` and its password from stdin, or a PEM certificate and
/// key.
pub fn cert_set(args: &CertSetArgs, report: &Report) -> Exit {
    let context = Context::load();
    let tenant = match context.tenant(args.set.tenant.as_deref(), report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    // Kept as absolute paths: later commands may run from another folder.
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let path = absolute(&args.file);
    let input = match &args.key {
        Some(key) => CredentialInput::Pem {
            cert: path,
            key: absolute(key),
        },
        None => {
            // Said before asking for the password.
            if let Err(err) = std::fs::metadata(&path)
                && err.kind() == std::io::ErrorKind::NotFound
            {
                return report.certificate_error(&CertificateError::Missing { path });
            }
            match read_secret(SecretKind::CertificatePassword, &path.display().to_string()) {
                Ok(text) => {
                    // A password may begin or end with a space: only the line break goes.
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    let text = text.strip_suffix('\r').unwrap_or(text);
                    let password = CertificatePassword::new(text);
                    CredentialInput::P12 { path, password }
                }
                Err(message) => return report.usage(message),
            }
        }
    };
    set(context, tenant, input, &args.set, report)
}

/// Opens `input`, checks it with whoami unless asked not to, and keeps it for `tenant`.
fn set(
    mut context: Context,
    tenant: TenantUrl,
    input: CredentialInput,
    args: &SetArgs,
    report: &Report,
) -> Exit {
    let credential = match input.open() {
        Ok(credential) => credential,
        Err(err) => return report.certificate_error(&err),
    };
    let mut who = None;
    if !args.no_verify {
        let options = report.client_options(std::time::Duration::from_secs(args.timeout));
        match block_on(api::whoami_as(tenant.clone(), &credential, options)) {
            Ok(me) => who = Some(me),
            Err(err) => return report.api_error(&err),
        }
    }
    let kept = sign_in::keep(&tenant, &input, &mut context.settings, &context.store);
    if let Err(err) = kept {
        let problem = sign_in::CredentialProblem::Store(err);
        return report.credential_problem(&tenant, &problem);
    }
    context.save_settings();
    let location = context.store.location();
    let acting_as = who.as_ref().map(messages::acts_as).unwrap_or_default();
    let mut fields = credential_json(&credential);
    fields["tenant"] = json!(tenant.origin());
    fields["stored_in"] = json!(location);
    fields["verified"] = json!(who.is_some());
    fields["user"] = json!(who.as_ref().map(user_json));
    report.success(
        format!(
            "{}{acting_as}",
            messages::credential_saved(&tenant, &credential, location)
        ),
        fields,
    )
}

/// `whoami`: who the credential acts as, found as every command finds it (`sign_in`'s order).
pub fn whoami(args: &CallArgs, report: &Report) -> Exit {
    let client = match Context::load().connect(&args.connection, report) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    match block_on(client.whoami()) {
        Ok(me) => report.success(
            messages::whoami_line(client.tenant(), &me),
            json!({
                "tenant": client.tenant().origin(),
                "user": {
                    "name": me.name,
                    "email": me.email,
                    "first_name": me.first_name,
                    "last_name": me.last_name,
                    "tenant": me.tenant,
                },
            }),
        ),
        Err(err) => report.api_error(&err),
    }
}

/// `token forget` and `cert forget`.
pub fn forget(kind: CredentialKind, args: &TenantArgs, report: &Report) -> Exit {
    let mut context = Context::load();
    let tenant = match context.tenant(args.tenant.as_deref(), report) {
        Ok(tenant) => tenant,
        Err(exit) => return exit,
    };
    let removed = match sign_in::forget(&tenant, kind, &mut context.settings, &context.store) {
        Ok(removed) => removed,
        Err(err) => {
            let problem = sign_in::CredentialProblem::Store(err);
            return report.credential_problem(&tenant, &problem);
        }
    };
    if removed && kind.is_certificate() {
        context.save_settings();
    }
    let location = context.store.location();
    report.success(
        messages::forgot(kind, &tenant, location, removed),
        json!({ "tenant": tenant.origin(), "removed": removed }),
    )
}

/// `token status`: for the tenant asked, or every tenant known (saved, and vesctl's), which
/// credential is used, where it came from, and who it acts as.
pub fn status(args: &TenantArgs, report: &Report) -> Exit {
    let context = Context::load();
    let tenants = match args.tenant.as_deref() {
        Some(given) => match context.tenant(Some(given), report) {
            Ok(tenant) => vec![tenant],
            Err(exit) => return exit,
        },
        None => {
            let mut tenants = context.settings.tenant_urls();
            if let Some(profile) = context.env.profile()
                && !tenants.contains(&profile.tenant)
            {
                tenants.push(profile.tenant.clone());
            }
            tenants
        }
    };
    if tenants.is_empty() {
        return report.success(messages::no_tenants_yet().into(), json!({ "tenants": [] }));
    }
    let default = context.settings.default_tenant();
    let mut exit = Exit::Success;
    let (mut lines, mut rows) = (Vec::new(), Vec::new());
    for tenant in tenants {
        let is_default = default.as_ref() == Some(&tenant);
        let options = report.client_options(ClientOptions::default().timeout);
        let (line, mut row, code) = status_of(&context, &tenant, options);
        if exit == Exit::Success {
            exit = code;
        }
        let marker = if is_default { " (default)" } else { "" };
        lines.push(format!("{tenant}{marker}: {line}"));
        row["tenant"] = json!(tenant.origin());
        row["default"] = json!(is_default);
        rows.push(row);
    }
    let rows = json!({ "tenants": rows });
    if exit == Exit::Success {
        report.success(lines.join("\n"), rows)
    } else {
        report.failure(exit, "token_status", lines.join("\n"), rows)
    }
}

/// One tenant's status line, its JSON and exit code.
fn status_of(
    context: &Context,
    tenant: &TenantUrl,
    options: ClientOptions,
) -> (String, Value, Exit) {
    let found = sign_in::credential(tenant, &context.env, &context.settings, &context.store);
    let Found { credential, origin } = match found {
        Ok(found) => found,
        Err(problem) => {
            let explained = messages::explain_problem(tenant, &problem, Front::Cli);
            let kind = messages::problem_kind(&problem);
            let row = json!({ "error": { "kind": kind } });
            return (explained.to_string(), row, Exit::from(&problem));
        }
    };
    let what = format!(
        "{} {}",
        messages::credential_summary(&credential),
        messages::origin(&origin, context.store.location())
    );
    let mut row = credential_json(&credential);
    row["from"] = json!(messages::origin(&origin, context.store.location()));
    let whoami = api::whoami_as(tenant.clone(), &credential, options);
    match block_on(whoami) {
        Ok(me) => {
            row["user"] = user_json(&me);
            let line = format!("{what}: {} on {}", me.display_name(), me.tenant);
            (line, row, Exit::Success)
        }
        Err(err) => {
            row["error"] = json!({ "kind": err.kind(), "status": err.status() });
            let line = format!("{what}: {}", messages::explain(&err));
            (line, row, Exit::from(&err))
        }
    }
}

/// A credential's kind and, for a certificate, its files, subject and last day.
fn credential_json(credential: &Credential) -> Value {
    match credential {
        Credential::Token(_) => json!({ "kind": "token" }),
        Credential::Certificate(certificate) => json!({
            "kind": "certificate",
            "file": certificate.path(),
            "subject": certificate.subject(),
            "valid_until": certificate.valid_until_day(),
        }),
    }
}

/// A secret from stdin: a hidden prompt on a terminal (naming `for_what`), else the input
/// (piped), at most [`SECRET_MAX_BYTES`] of it — what is longer is no secret of ours, and the
/// rest is never read. Wiped from memory when dropped.
fn read_secret(kind: SecretKind, for_what: &str) -> Result<Zeroizing<String>, String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(messages::secret_prompt(kind, for_what))
            .map(Zeroizing::new)
            .map_err(|e| messages::cannot_read_secret(kind, &e));
    }
    // Terminals that are not seen as one (mintty, Git Bash) would otherwise wait silently.
    eprintln!("xc-avatar: {}", messages::reading_secret(kind));
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .take(SECRET_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| messages::cannot_read_secret(kind, &e))?;
    if bytes.len() as u64 > SECRET_MAX_BYTES {
        return Err(messages::secret_too_long(kind, SECRET_MAX_BYTES));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(messages::secret_not_text(kind)),
    }
}
