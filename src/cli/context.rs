//! What every command starts from: the settings, the environment, the tenant and its
//! credential (in the order `sign_in` writes down), a client, and a small runtime.

use std::time::Duration;

use crate::TenantUrl;
use crate::api::{ApiError, XcClient};
use crate::credentials::KeyringStore;
use crate::exit::Exit;
use crate::messages;
use crate::settings::{Settings, SettingsFile};
use crate::sign_in::{self, Environment, Found};

use super::args::ConnectionArgs;
use super::report::{Report, warn};

/// What a command knows before it does anything: the settings (and their file), the
/// environment with vesctl's profile, the keyring.
pub struct Context {
    pub settings: Settings,
    file: Option<SettingsFile>,
    pub env: Environment,
    pub store: KeyringStore,
}

impl Context {
    /// Settings from the default location (a damaged file is reported on stderr and set
    /// aside), the process's environment, the OS keyring (connected on first use).
    pub fn load() -> Self {
        let (settings, file) = match SettingsFile::default_location() {
            Some(file) => {
                let (settings, problem) = file.load();
                if let Some(problem) = problem {
                    warn(&problem.to_string());
                }
                (settings, Some(file))
            }
            None => (Settings::default(), None),
        };
        Context {
            settings,
            file,
            env: Environment::read(),
            store: KeyringStore::new(),
        }
    }

    /// Writes the settings, or says why they could not be.
    pub fn save_settings_or_say_why(&self) -> Result<(), String> {
        match &self.file {
            Some(file) => file.save(&self.settings).map_err(|err| err.to_string()),
            None => Err(messages::NO_SETTINGS_FOLDER.to_owned()),
        }
    }

    pub fn save_settings(&self) {
        if let Some(Err(err)) = self.file.as_ref().map(|f| f.save(&self.settings)) {
            warn(&err.to_string());
        }
    }

    /// `--tenant`/`F5XC_API_URL`, else the saved default, else vesctl's profile's.
    pub fn tenant(&self, given: Option<&str>, report: &Report) -> Result<TenantUrl, Exit> {
        match sign_in::tenant(given, &self.settings, &self.env) {
            Ok(Some((tenant, _))) => Ok(tenant),
            Ok(None) => Err(report.usage(messages::no_tenant())),
            Err(err) => Err(report.usage(err.to_string())),
        }
    }

    /// The credential for `tenant`, opened and checked before any request.
    pub fn credential(&self, tenant: &TenantUrl, report: &Report) -> Result<Found, Exit> {
        if let Some((used, _)) = &self.env.credential
            && !self.env.ignored.is_empty()
        {
            report.note(&messages::env_ignored(used, &self.env.ignored));
        }
        sign_in::credential(tenant, &self.env, &self.settings, &self.store)
            .map_err(|problem| report.credential_problem(tenant, &problem))
    }

    /// A client for the tenant and credential, checked before any image work or connection.
    pub fn connect(&self, args: &ConnectionArgs, report: &Report) -> Result<XcClient, Exit> {
        let tenant = self.tenant(args.tenant.as_deref(), report)?;
        let found = self.credential(&tenant, report)?;
        let options = report.client_options(Duration::from_secs(args.timeout));
        XcClient::with_credential(tenant, &found.credential, options)
            .map(|client| client.on_event(report.on_event()))
            .map_err(|err| report.api_error(&err))
    }
}

/// Runs one call on a small runtime: the CLI does one thing at a time.
pub fn block_on<T>(call: impl Future<Output = Result<T, ApiError>>) -> Result<T, ApiError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::Internal {
            detail: format!("cannot start the async runtime: {e}"),
        })?;
    runtime.block_on(call)
}
