//! Which tenant, and which credential: the one place the order is written. The command line
//! and the app both ask here.
//!
//! The tenant: `--tenant` or `F5XC_API_URL`; else the saved default; else the one in vesctl's
//! profile. The credential for it, the first of:
//!
//! 1. the environment, as F5's tools read it: `F5XC_API_TOKEN`; else `VOLT_API_P12_FILE` with
//!    `VES_P12_PASSWORD`; else `VOLT_API_CERT` with `VOLT_API_KEY`;
//! 2. what xc-avatar keeps for the tenant (`token set`, `cert set`, the setup screen): a
//!    certificate named in the settings with its password in the keyring, else a token in the
//!    keyring;
//! 3. vesctl's profile, when it is for this tenant (see [`crate::vesctl`]).
//!
//! A broken profile never blocks the others: its problem is only reported when nothing else
//! was found. A keyring that cannot be read gives way to the profile the same way (a server
//! with vesctl set up often has no keyring); when both fail, the profile's problem is the one
//! told.

use std::path::PathBuf;

use crate::credentials::{
    ApiToken, CertificateError, CertificateFiles, CertificatePassword, Credential, CredentialInput,
    CredentialKind, SecretKind, SecretStore, StoreError, TokenError,
};
use crate::settings::Settings;
use crate::vesctl::{self, Profile, ProfileError, ProfileSource};
use crate::{ENV_P12_FILE, ENV_P12_PASSWORD, ENV_TENANT, ENV_TOKEN, TenantUrl, TenantUrlError};

/// A PEM certificate for F5's Terraform provider.
pub const ENV_PEM_CERT: &str = "VOLT_API_CERT";
/// Its key.
pub const ENV_PEM_KEY: &str = "VOLT_API_KEY";

/// Where a credential came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The variable of the environment that named it.
    Environment(&'static str),
    /// Kept by xc-avatar for the tenant: in the store (and, for a certificate, the settings).
    Kept,
    /// vesctl's profile.
    Vesctl(ProfileSource),
    /// Entered on the setup screen, for this session only.
    Entered,
}

/// What the process environment says about tenants and credentials, read once.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `F5XC_API_URL`, as typed.
    pub tenant: Option<String>,
    /// The first credential variable set, and what it names.
    pub credential: Option<(&'static str, Result<CredentialInput, TokenError>)>,
    /// Other credential variables that are set too, and so not used.
    pub ignored: Vec<&'static str>,
    /// vesctl's profile, if there is one.
    pub vesctl: Option<Result<Profile, ProfileError>>,
}

impl Environment {
    /// This process's environment and home folder.
    pub fn read() -> Self {
        let home = std::env::var_os("HOME")
            .filter(|home| !home.is_empty())
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf()));
        Self::from_vars(&|name| std::env::var(name).ok(), home.as_deref())
    }

    /// The environment `var` gives, with vesctl's profile under `home`.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>, home: Option<&std::path::Path>) -> Self {
        let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let mut found: Vec<(&'static str, Result<CredentialInput, TokenError>)> = Vec::new();
        if let Some(token) = set(ENV_TOKEN) {
            found.push((ENV_TOKEN, ApiToken::new(&token).map(CredentialInput::Token)));
        }
        if let Some(path) = set(ENV_P12_FILE) {
            let password = CertificatePassword::new(var(ENV_P12_PASSWORD).unwrap_or_default());
            let input = CredentialInput::P12 {
                path: path.into(),
                password,
            };
            found.push((ENV_P12_FILE, Ok(input)));
        }
        if let (Some(cert), Some(key)) = (set(ENV_PEM_CERT), set(ENV_PEM_KEY)) {
            let input = CredentialInput::Pem {
                cert: cert.into(),
                key: key.into(),
            };
            found.push((ENV_PEM_CERT, Ok(input)));
        }
        let mut found = found.into_iter();
        Environment {
            tenant: set(ENV_TENANT),
            credential: found.next(),
            ignored: found.map(|(name, _)| name).collect(),
            vesctl: vesctl::load(var, home),
        }
    }

    /// The profile, when it is usable.
    pub fn profile(&self) -> Option<&Profile> {
        self.vesctl
            .as_ref()
            .and_then(|profile| profile.as_ref().ok())
    }

    /// The token the environment names, if it names a usable one.
    pub fn token(&self) -> Option<&ApiToken> {
        match &self.credential {
            Some((_, Ok(CredentialInput::Token(token)))) => Some(token),
            _ => None,
        }
    }
}

/// Where the tenant came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantOrigin {
    /// `--tenant`, or `F5XC_API_URL`.
    Given,
    /// The saved default.
    Default,
    /// vesctl's profile.
    Vesctl,
}

/// The tenant to use: `given` (`--tenant` or `F5XC_API_URL`), else the saved default, else
/// vesctl's profile's; `Ok(None)` when none of them names one.
pub fn tenant(
    given: Option<&str>,
    settings: &Settings,
    env: &Environment,
) -> Result<Option<(TenantUrl, TenantOrigin)>, TenantUrlError> {
    if let Some(text) = given.filter(|text| !text.trim().is_empty()) {
        return TenantUrl::parse(text).map(|url| Some((url, TenantOrigin::Given)));
    }
    if let Some(url) = settings.default_tenant() {
        return Ok(Some((url, TenantOrigin::Default)));
    }
    Ok(env
        .profile()
        .map(|profile| (profile.tenant.clone(), TenantOrigin::Vesctl)))
}

/// A credential found for a tenant, opened and checked, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub credential: Credential,
    pub origin: Origin,
}

/// Why no credential could be used for a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialProblem {
    /// `F5XC_API_TOKEN` holds something that is not a token.
    Token {
        variable: &'static str,
        error: TokenError,
    },
    /// A certificate that cannot be used, from wherever it was named.
    Certificate {
        origin: Origin,
        error: CertificateError,
    },
    /// The tenant uses a kept `.p12`, but its password is not in the store.
    NoPassword { files: CertificateFiles },
    /// The store could not be read, and nothing after it had a credential.
    Store(StoreError),
    /// vesctl's profile is broken, and nothing before it had a credential.
    Profile(ProfileError),
    /// Nothing anywhere; `vesctl_tenant` is the tenant vesctl's profile is for, when it is
    /// another one.
    Nothing { vesctl_tenant: Option<TenantUrl> },
}

/// The credential for `tenant`, in the order of this module's documentation. Opens the
/// certificate it finds (a `.p12`'s key derivation, the keyring): blocking.
pub fn credential(
    tenant: &TenantUrl,
    env: &Environment,
    settings: &Settings,
    store: &dyn SecretStore,
) -> Result<Found, CredentialProblem> {
    if let Some((variable, named)) = &env.credential {
        let origin = Origin::Environment(variable);
        return match named {
            Ok(input) => open(input, origin),
            Err(error) => Err(CredentialProblem::Token {
                variable,
                error: error.clone(),
            }),
        };
    }
    let kept = kept(tenant, settings, store);
    let store_failed = match kept {
        Ok(Some(input)) => return open(&input, Origin::Kept),
        Ok(None) => None,
        Err(CredentialProblem::Store(error)) => Some(error),
        Err(other) => return Err(other),
    };
    match (&env.vesctl, store_failed) {
        (Some(Ok(profile)), _) if profile.tenant == *tenant => {
            open(&profile.credential, Origin::Vesctl(profile.source.clone()))
        }
        // A profile the user keeps is more to the point than a keyring they may not use.
        (Some(Err(error)), _) => Err(CredentialProblem::Profile(error.clone())),
        (_, Some(error)) => Err(CredentialProblem::Store(error)),
        (Some(Ok(profile)), None) => Err(CredentialProblem::Nothing {
            vesctl_tenant: Some(profile.tenant.clone()),
        }),
        (None, None) => Err(CredentialProblem::Nothing {
            vesctl_tenant: None,
        }),
    }
}

/// What xc-avatar keeps for `tenant`, not yet opened.
pub fn kept(
    tenant: &TenantUrl,
    settings: &Settings,
    store: &dyn SecretStore,
) -> Result<Option<CredentialInput>, CredentialProblem> {
    match settings.certificate_for(tenant) {
        Some(CertificateFiles::P12(path)) => {
            match store.get(tenant, SecretKind::CertificatePassword) {
                Ok(Some(secret)) => Ok(secret
                    .into_password()
                    .map(|password| CredentialInput::P12 { path, password })),
                Ok(None) => Err(CredentialProblem::NoPassword {
                    files: CertificateFiles::P12(path),
                }),
                Err(error) => Err(CredentialProblem::Store(error)),
            }
        }
        Some(CertificateFiles::Pem { cert, key }) => Ok(Some(CredentialInput::Pem { cert, key })),
        None => match store.get(tenant, SecretKind::Token) {
            Ok(secret) => Ok(secret
                .and_then(|secret| secret.into_token())
                .map(CredentialInput::Token)),
            Err(error) => Err(CredentialProblem::Store(error)),
        },
    }
}

/// Opens `input`, saying where it came from.
pub fn open(input: &CredentialInput, origin: Origin) -> Result<Found, CredentialProblem> {
    match input.open() {
        Ok(credential) => Ok(Found { credential, origin }),
        Err(error) => Err(CredentialProblem::Certificate { origin, error }),
    }
}

/// Keeps `input` for `tenant`: its secret in `store` (a PEM certificate has none) and, in
/// `settings`, the tenant as the default and the certificate's files. The credential kept last
/// is the one used: keeping a token drops a kept certificate's password.
pub fn keep(
    tenant: &TenantUrl,
    input: &CredentialInput,
    settings: &mut Settings,
    store: &dyn SecretStore,
) -> Result<(), StoreError> {
    keep_secret(tenant, input, store)?;
    settings.use_credential(tenant, input.files().as_ref());
    Ok(())
}

/// The store's half of [`keep`] (the app runs it off the UI thread, and changes its settings
/// itself).
pub fn keep_secret(
    tenant: &TenantUrl,
    input: &CredentialInput,
    store: &dyn SecretStore,
) -> Result<(), StoreError> {
    if let Some(secret) = input.secret() {
        store.set(tenant, &secret)?;
    }
    if input.kind() != CredentialKind::P12 {
        store.delete(tenant, SecretKind::CertificatePassword)?;
    }
    Ok(())
}

/// Forgets the credential of `kind` kept for `tenant` (its secret, and a certificate's files in
/// `settings`); `false` when none was kept. The certificate's files themselves are left alone.
pub fn forget(
    tenant: &TenantUrl,
    kind: CredentialKind,
    settings: &mut Settings,
    store: &dyn SecretStore,
) -> Result<bool, StoreError> {
    let had_secret = forget_secret(tenant, kind, store)?;
    let had_files = kind.is_certificate() && settings.forget_certificate(tenant);
    Ok(had_secret || had_files)
}

/// The store's half of [`forget`].
pub fn forget_secret(
    tenant: &TenantUrl,
    kind: CredentialKind,
    store: &dyn SecretStore,
) -> Result<bool, StoreError> {
    match kind.secret() {
        Some(secret) => store.delete(tenant, secret),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{MemoryStore, Secret};

    fn acme() -> TenantUrl {
        TenantUrl::parse("acme").expect("tenant")
    }

    fn env(pairs: &[(&str, &str)], home: &std::path::Path) -> Environment {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Environment::from_vars(
            &move |name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            },
            Some(home),
        )
    }

    #[test]
    fn the_tenant_is_given_else_the_default_else_vesctls() {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            home.path().join(".vesconfig"),
            "server-urls: https://ves.console.ves.volterra.io/api\np12-bundle: /x.p12\n",
        )
        .expect("profile");
        let env = env(&[], home.path());
        let mut settings = Settings::default();
        let ves = TenantUrl::parse("ves").expect("tenant");
        assert_eq!(
            tenant(None, &settings, &env),
            Ok(Some((ves, TenantOrigin::Vesctl)))
        );
        settings.add_tenant(&acme());
        assert_eq!(
            tenant(None, &settings, &env),
            Ok(Some((acme(), TenantOrigin::Default)))
        );
        let other = TenantUrl::parse("other").expect("tenant");
        assert_eq!(
            tenant(Some("other"), &settings, &env),
            Ok(Some((other, TenantOrigin::Given)))
        );
        assert!(tenant(Some("ftp://x"), &settings, &env).is_err());
        let nothing = tempfile::tempdir().expect("temp dir");
        let env = self::env(&[], nothing.path());
        assert_eq!(tenant(None, &Settings::default(), &env), Ok(None));
    }

    #[test]
    fn the_environment_wins_then_what_is_kept_then_vesctl() {
        let home = tempfile::tempdir().expect("temp dir");
        // The profile's .p12 does not exist: reached, it says so; not reached, it is silent.
        std::fs::write(
            home.path().join(".vesconfig"),
            "server-urls: acme\np12-bundle: /nonexistent/acme.p12\n",
        )
        .expect("profile");
        let store = MemoryStore::new();
        let settings = Settings::default();

        let from_env = env(
            &[(ENV_TOKEN, "env-token"), (ENV_P12_FILE, "/x.p12")],
            home.path(),
        );
        assert_eq!(from_env.ignored, [ENV_P12_FILE]);
        let found = credential(&acme(), &from_env, &settings, &store).expect("env token");
        assert_eq!(found.origin, Origin::Environment(ENV_TOKEN));

        let only_vesctl = env(&[], home.path());
        let token = ApiToken::new("kept").expect("token");
        store
            .set(&acme(), &Secret::Token(token.clone()))
            .expect("keep");
        let found = credential(&acme(), &only_vesctl, &settings, &store).expect("kept");
        assert_eq!(
            (found.credential, found.origin),
            (Credential::Token(token), Origin::Kept)
        );

        store.delete(&acme(), SecretKind::Token).expect("forget");
        let problem = credential(&acme(), &only_vesctl, &settings, &store).expect_err("vesctl");
        assert!(matches!(
            problem,
            CredentialProblem::Certificate {
                origin: Origin::Vesctl(_),
                error: CertificateError::Missing { .. }
            }
        ));
        let other = TenantUrl::parse("other").expect("tenant");
        assert_eq!(
            credential(&other, &only_vesctl, &settings, &store),
            Err(CredentialProblem::Nothing {
                vesctl_tenant: Some(acme())
            })
        );
    }

    #[test]
    fn a_broken_profile_is_reported_only_when_nothing_else_is_there() {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::write(home.path().join(".vesconfig"), "server-urls: [").expect("profile");
        let store = MemoryStore::new();
        let broken = env(&[], home.path());
        assert!(matches!(
            credential(&acme(), &broken, &Settings::default(), &store),
            Err(CredentialProblem::Profile(ProfileError::Unparsable { .. }))
        ));
        store
            .set(
                &acme(),
                &Secret::Token(ApiToken::new("kept").expect("token")),
            )
            .expect("keep");
        let found = credential(&acme(), &broken, &Settings::default(), &store).expect("kept");
        assert_eq!(found.origin, Origin::Kept);
    }

    #[test]
    fn keeping_and_forgetting_each_kind() {
        let store = MemoryStore::new();
        let mut settings = Settings::default();
        let p12 = CredentialInput::P12 {
            path: "/a.p12".into(),
            password: CertificatePassword::new("pw"),
        };
        keep(&acme(), &p12, &mut settings, &store).expect("keep");
        assert_eq!(
            settings.certificate_for(&acme()),
            Some(CertificateFiles::P12("/a.p12".into()))
        );
        assert_eq!(kept(&acme(), &settings, &store), Ok(Some(p12)));

        let pem = CredentialInput::Pem {
            cert: "/c.pem".into(),
            key: "/k.pem".into(),
        };
        keep(&acme(), &pem, &mut settings, &store).expect("keep");
        assert_eq!(kept(&acme(), &settings, &store), Ok(Some(pem)));
        assert_eq!(
            store.get(&acme(), SecretKind::CertificatePassword),
            Ok(None)
        );

        let token = CredentialInput::Token(ApiToken::new("t").expect("token"));
        keep(&acme(), &token, &mut settings, &store).expect("keep");
        assert_eq!(settings.certificate_for(&acme()), None);
        assert_eq!(kept(&acme(), &settings, &store), Ok(Some(token)));
        assert_eq!(settings.default_tenant(), Some(acme()));

        assert_eq!(
            forget(&acme(), CredentialKind::Token, &mut settings, &store),
            Ok(true)
        );
        assert_eq!(
            forget(&acme(), CredentialKind::Token, &mut settings, &store),
            Ok(false)
        );
        assert_eq!(kept(&acme(), &settings, &store), Ok(None));
    }
}
