//! `upload` and `prepare`: the same core as the app, one line of output.

use std::time::Duration;

use super::{Exit, PrepareArgs, TenantArgs, UploadArgs};
use crate::api::{ApiError, ClientOptions, TenantUrl, XcClient};
use crate::avatar;
use crate::credentials::ApiToken;

pub fn upload(args: &UploadArgs) -> Exit {
    let (tenant, token) = match tenant_and_token(&args.tenant) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let avatar = match avatar::prepare_file(&args.file) {
        Ok(avatar) => avatar,
        Err(err) => return fail(Exit::from(&err), &format!("{}: {err}", args.file.display())),
    };
    let options = ClientOptions {
        timeout: Duration::from_secs(args.tenant.timeout),
        ..ClientOptions::default()
    };
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let client = XcClient::new(tenant.clone(), &token, options)?;
            client.update_image(&avatar).await
        })
        .map_err(Some)
    });
    match result {
        Ok(()) => {
            println!(
                "uploaded your new profile picture to {tenant} ({})",
                avatar.describe()
            );
            Exit::Success
        }
        Err(Some(err)) => fail(Exit::from(&err), &api_error_line(&err)),
        Err(None) => fail(Exit::Internal, "cannot start the async runtime"),
    }
}

pub fn prepare(args: &PrepareArgs) -> Exit {
    let avatar = match avatar::prepare_file(&args.file) {
        Ok(avatar) => avatar,
        Err(err) => return fail(Exit::from(&err), &format!("{}: {err}", args.file.display())),
    };
    if let Err(err) = std::fs::write(&args.output, &avatar.bytes) {
        return fail(
            Exit::Usage,
            &format!("cannot write {}: {err}", args.output.display()),
        );
    }
    println!("wrote {} ({})", args.output.display(), avatar.describe());
    Exit::Success
}

/// One line: what happened, what the server said, what to do.
pub(crate) fn api_error_line(err: &ApiError) -> String {
    match err.server_text() {
        Some(said) => format!("{err} — server said: {said:?}. {}", err.next_step()),
        None => format!("{err}. {}", err.next_step()),
    }
}

fn tenant_and_token(args: &TenantArgs) -> Result<(TenantUrl, ApiToken), Exit> {
    let Some(tenant) = args.tenant.as_deref() else {
        return Err(fail(
            Exit::Usage,
            &format!(
                "no tenant: pass --tenant URL or set {} (e.g. https://acme.console.ves.volterra.io)",
                crate::ENV_TENANT
            ),
        ));
    };
    let tenant = TenantUrl::parse(tenant).map_err(|e| fail(Exit::from(&e), &e.to_string()))?;
    let token = match ApiToken::from_env() {
        Some(Ok(token)) => token,
        Some(Err(err)) => {
            return Err(fail(
                Exit::NotAuthenticated,
                &format!("{}: {err}", crate::ENV_TOKEN),
            ));
        }
        None => {
            return Err(fail(
                Exit::NotAuthenticated,
                &format!(
                    "no API token: set {} (create one in the Console under Administration → \
                     Personal Management → Credentials)",
                    crate::ENV_TOKEN
                ),
            ));
        }
    };
    Ok((tenant, token))
}

fn runtime() -> Result<tokio::runtime::Runtime, Option<ApiError>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|_| None)
}

fn fail(exit: Exit, message: &str) -> Exit {
    eprintln!("xc-avatar: error: {message}");
    exit
}
