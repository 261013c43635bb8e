//! vesctl's profile: the tenant and credential F5's own command line is set up with, so a vesctl
//! user's first upload needs no setup.
//!
//! The profile is `~/.vesconfig` (or the file `VES_CONFIG` names), YAML with a few keys:
//!
//! ```yaml
//! server-urls: https://acme.console.ves.volterra.io/api   # or a list; the first is used
//! p12-bundle: /home/ada/acme.api-creds.p12                 # password in VES_P12_PASSWORD
//! # or, instead of p12-bundle:
//! cert: /home/ada/.ves/cert.pem
//! key: /home/ada/.ves/key.pem
//! ```
//!
//! Each key can be given, or overridden, by a variable: `VES_API_URL` or `VES_SERVER_URLS`,
//! `VES_P12_FILE` or `VES_P12_BUNDLE`, `VES_CERT` and `VES_KEY`. Other keys are ignored. A
//! path may start with `~/`; a relative path in the file is taken from the file's folder. With
//! both a `.p12` and PEM files named, the `.p12` is used. Only the profile is read here; its
//! files are opened (and checked) when the credential is used.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::credentials::{CertificatePassword, CredentialInput};
use crate::small_file::Problem;
use crate::{TenantUrl, TenantUrlError};

/// Names another profile file than `~/.vesconfig`.
pub const ENV_CONFIG: &str = "VES_CONFIG";
/// The tenant: vesctl's `server-urls` (a URL, or several separated by commas).
pub const ENV_URLS: [&str; 2] = ["VES_API_URL", "VES_SERVER_URLS"];
/// The `.p12`: vesctl's `p12-bundle`.
pub const ENV_P12: [&str; 2] = ["VES_P12_FILE", "VES_P12_BUNDLE"];
/// The PEM certificate and key: vesctl's `cert` and `key`.
pub const ENV_CERT: &str = "VES_CERT";
pub const ENV_KEY: &str = "VES_KEY";
/// The `.p12`'s password, for vesctl and F5's Terraform provider alike.
pub const ENV_P12_PASSWORD: &str = crate::ENV_P12_PASSWORD;
/// The profile's file name in the home folder.
pub const FILE_NAME: &str = ".vesconfig";
/// Most we read of a profile: a real one is a few hundred bytes.
const PROFILE_MAX_BYTES: u64 = 64 * 1024;

/// A vesctl profile that names a tenant and a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub source: ProfileSource,
    pub tenant: TenantUrl,
    pub credential: CredentialInput,
}

/// Where a profile was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileSource {
    /// `~/.vesconfig` or the file `VES_CONFIG` names (perhaps with `VES_*` variables on top).
    File(PathBuf),
    /// Only `VES_*` variables, no file.
    Environment,
}

/// Why a profile that is there cannot be used. Its certificate's own problems (missing file,
/// wrong password) are found when it is opened, as for any certificate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read the vesctl profile {}: {detail}", .path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("the vesctl profile {} is not YAML xc-avatar can read: {detail}", .path.display())]
    Unparsable { path: PathBuf, detail: String },
    #[error("the vesctl profile {} names no tenant (server-urls)", from.describe())]
    NoTenant { from: ProfileSource },
    #[error("the tenant URL in the vesctl profile {} cannot be used: {error}", from.describe())]
    BadTenant {
        from: ProfileSource,
        error: TenantUrlError,
    },
    #[error(
        "the vesctl profile {} names no credential (p12-bundle, or cert and key)",
        from.describe()
    )]
    NoCredential { from: ProfileSource },
}

impl ProfileSource {
    /// The file, or "in VES_* variables".
    pub fn describe(&self) -> String {
        match self {
            ProfileSource::File(path) => path.display().to_string(),
            ProfileSource::Environment => "in VES_* variables".to_owned(),
        }
    }
}

impl ProfileError {
    /// A stable name for scripts (`--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            ProfileError::Unreadable { .. } => "vesctl_profile_unreadable",
            ProfileError::Unparsable { .. } => "vesctl_profile_unparsable",
            ProfileError::NoTenant { .. } => "vesctl_profile_no_tenant",
            ProfileError::BadTenant { .. } => "vesctl_profile_bad_tenant",
            ProfileError::NoCredential { .. } => "vesctl_profile_no_credential",
        }
    }
}

/// The keys of a profile xc-avatar reads, as given.
#[derive(Default)]
struct Keys {
    urls: Vec<String>,
    p12: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

/// Reads the profile the environment (`var`) and the home folder (`home`) point to: `None` when
/// there is none (no file, no `VES_*` variable).
pub fn load(
    var: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Option<Result<Profile, ProfileError>> {
    let named = var(ENV_CONFIG).filter(|v| !v.trim().is_empty());
    let path = match &named {
        Some(named) => Some(expand(Path::new(named), home, None)),
        None => home.map(|home| home.join(FILE_NAME)),
    };
    let mut keys = Keys::default();
    let mut source = ProfileSource::Environment;
    if let Some(path) = path {
        match read(&path) {
            Ok(Some(text)) => {
                keys = match parse(&text, &path, home) {
                    Ok(keys) => keys,
                    Err(err) => return Some(Err(err)),
                };
                source = ProfileSource::File(path);
            }
            // No ~/.vesconfig is no profile; a VES_CONFIG naming nothing is a broken one.
            Ok(None) if named.is_none() => {}
            Ok(None) => {
                return Some(Err(ProfileError::Unreadable {
                    path,
                    detail: format!("{ENV_CONFIG} names it, but it does not exist"),
                }));
            }
            Err(err) => return Some(Err(err)),
        }
    }
    let given = override_from_env(&mut keys, var, home);
    if !given && source == ProfileSource::Environment {
        return None;
    }
    Some(profile(keys, source, var))
}

/// `VES_*` variables on top of the file's keys; whether any was set.
fn override_from_env(
    keys: &mut Keys,
    var: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> bool {
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
    };
    let path = |value: String| expand(Path::new(value.trim()), home, None);
    let mut given = false;
    if let Some(urls) = first(&ENV_URLS) {
        keys.urls = urls.split(',').map(|u| u.trim().to_owned()).collect();
        given = true;
    }
    if let Some(p12) = first(&ENV_P12) {
        keys.p12 = Some(path(p12));
        given = true;
    }
    if let Some(cert) = first(&[ENV_CERT]) {
        keys.cert = Some(path(cert));
        given = true;
    }
    if let Some(key) = first(&[ENV_KEY]) {
        keys.key = Some(path(key));
        given = true;
    }
    given
}

/// The tenant and credential the keys name.
fn profile(
    keys: Keys,
    source: ProfileSource,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, ProfileError> {
    let Some(url) = keys.urls.iter().find(|u| !u.trim().is_empty()) else {
        return Err(ProfileError::NoTenant { from: source });
    };
    let tenant = match TenantUrl::parse(url) {
        Ok(tenant) => tenant,
        Err(error) => {
            return Err(ProfileError::BadTenant {
                from: source,
                error,
            });
        }
    };
    let credential = match (keys.p12, keys.cert, keys.key) {
        (Some(path), _, _) => CredentialInput::P12 {
            path,
            // Empty when unset, as vesctl and F5's Terraform provider take it.
            password: CertificatePassword::new(var(ENV_P12_PASSWORD).unwrap_or_default()),
        },
        (None, Some(cert), Some(key)) => CredentialInput::Pem { cert, key },
        _ => return Err(ProfileError::NoCredential { from: source }),
    };
    Ok(Profile {
        source,
        tenant,
        credential,
    })
}

/// The file's text, `None` when it does not exist; at most [`PROFILE_MAX_BYTES`].
fn read(path: &Path) -> Result<Option<String>, ProfileError> {
    let unreadable = |detail: String| ProfileError::Unreadable {
        path: path.to_path_buf(),
        detail,
    };
    let bytes = match crate::small_file::read(path, PROFILE_MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(Problem::NotFound) => return Ok(None),
        Err(Problem::NotAFile) => return Err(unreadable("it is not a regular file".into())),
        Err(Problem::TooLarge { max_bytes }) => {
            return Err(unreadable(format!(
                "it is larger than {} KiB, which no vesctl profile is",
                max_bytes / 1024
            )));
        }
        Err(Problem::Io(detail)) => return Err(unreadable(detail)),
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| unreadable("it is not text (UTF-8)".into()))
}

/// The keys xc-avatar reads from a profile's YAML.
fn parse(text: &str, path: &Path, home: Option<&Path>) -> Result<Keys, ProfileError> {
    let unparsable = |detail: String| ProfileError::Unparsable {
        path: path.to_path_buf(),
        detail,
    };
    let documents = YamlLoader::load_from_str(text).map_err(|e| unparsable(e.to_string()))?;
    let mut keys = Keys::default();
    let Some(document) = documents.into_iter().next() else {
        return Ok(keys); // an empty file: no keys
    };
    let Yaml::Hash(map) = document else {
        return Err(unparsable("it is not a list of `key: value` lines".into()));
    };
    let folder = path.parent();
    let file_path = |key: &str, value: &Yaml| match value {
        Yaml::String(text) if !text.trim().is_empty() => {
            Ok(Some(expand(Path::new(text.trim()), home, folder)))
        }
        Yaml::Null => Ok(None),
        _ => Err(unparsable(format!("{key} is not a file path"))),
    };
    for (key, value) in &map {
        match key.as_str() {
            Some("server-urls") => {
                keys.urls = match value {
                    Yaml::String(url) => vec![url.clone()],
                    Yaml::Array(urls) => urls
                        .iter()
                        .map(|u| u.as_str().map(str::to_owned))
                        .collect::<Option<_>>()
                        .ok_or_else(|| {
                            unparsable("server-urls holds something else than URLs".into())
                        })?,
                    Yaml::Null => Vec::new(),
                    _ => {
                        return Err(unparsable(
                            "server-urls is not a URL or a list of them".into(),
                        ));
                    }
                }
            }
            Some("p12-bundle") => keys.p12 = file_path("p12-bundle", value)?,
            Some("cert") => keys.cert = file_path("cert", value)?,
            Some("key") => keys.key = file_path("key", value)?,
            _ => {}
        }
    }
    Ok(keys)
}

/// `~/x` in the home folder; a relative path in `folder` (the profile's), when given.
fn expand(path: &Path, home: Option<&Path>, folder: Option<&Path>) -> PathBuf {
    if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), home) {
        return home.join(rest);
    }
    match folder {
        Some(folder) if path.is_relative() => folder.join(path),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn home_with(profile: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::write(home.path().join(FILE_NAME), profile).expect("write profile");
        home
    }

    fn acme() -> TenantUrl {
        TenantUrl::parse("acme").expect("tenant")
    }

    #[test]
    fn no_file_and_no_variable_is_no_profile() {
        let home = tempfile::tempdir().expect("temp dir");
        assert_eq!(load(&vars(&[]), Some(home.path())), None);
        assert_eq!(load(&vars(&[]), None), None);
    }

    #[test]
    fn a_p12_profile_names_the_tenant_file_and_password() {
        let home = home_with(
            "# written by vesctl configure\nserver-urls: https://acme.console.ves.volterra.io/api\n\
             p12-bundle: ~/creds/acme.p12\noutfmt: yaml\n",
        );
        let profile = load(&vars(&[(ENV_P12_PASSWORD, "pw")]), Some(home.path()))
            .expect("a profile")
            .expect("usable");
        assert_eq!(profile.tenant, acme());
        assert_eq!(
            profile.source,
            ProfileSource::File(home.path().join(FILE_NAME))
        );
        assert_eq!(
            profile.credential,
            CredentialInput::P12 {
                path: home.path().join("creds/acme.p12"),
                password: CertificatePassword::new("pw"),
            }
        );
    }

    #[test]
    fn a_pem_profile_with_a_list_of_urls_and_relative_paths() {
        let home = home_with(
            "server-urls:\n  - \"https://acme.console.ves.volterra.io/api\"\n  - https://other.example/api\n\
             cert: ves/cert.pem\nkey: '/abs/key.pem'\n",
        );
        let profile = load(&vars(&[]), Some(home.path()))
            .expect("a profile")
            .expect("usable");
        assert_eq!(profile.tenant, acme());
        assert_eq!(
            profile.credential,
            CredentialInput::Pem {
                cert: home.path().join("ves/cert.pem"),
                key: PathBuf::from("/abs/key.pem"),
            }
        );
    }

    #[test]
    fn variables_override_the_file_or_stand_alone() {
        let home = home_with("server-urls: https://old.example/api\np12-bundle: /old.p12\n");
        let env = vars(&[
            ("VES_SERVER_URLS", "acme.console.ves.volterra.io, other"),
            ("VES_P12_BUNDLE", "/new.p12"),
        ]);
        let profile = load(&env, Some(home.path()))
            .expect("a profile")
            .expect("usable");
        assert_eq!(profile.tenant, acme());
        assert!(
            matches!(profile.credential, CredentialInput::P12 { ref path, .. } if path == Path::new("/new.p12"))
        );

        let nothing = tempfile::tempdir().expect("temp dir");
        let env = vars(&[
            ("VES_API_URL", "acme"),
            ("VES_CERT", "/c.pem"),
            ("VES_KEY", "/k.pem"),
        ]);
        let profile = load(&env, Some(nothing.path()))
            .expect("a profile")
            .expect("usable");
        assert_eq!(profile.source, ProfileSource::Environment);
        assert_eq!(
            profile.credential,
            CredentialInput::Pem {
                cert: "/c.pem".into(),
                key: "/k.pem".into()
            }
        );
    }

    #[test]
    fn a_broken_profile_says_what_is_wrong() {
        let broken = |text: &str| {
            let home = home_with(text);
            load(&vars(&[]), Some(home.path()))
                .expect("a profile")
                .expect_err("broken")
        };
        assert_eq!(
            broken("server-urls: [unclosed\n").kind(),
            "vesctl_profile_unparsable"
        );
        assert_eq!(
            broken("- just\n- a list\n").kind(),
            "vesctl_profile_unparsable"
        );
        assert_eq!(
            broken("p12-bundle: /a.p12\n").kind(),
            "vesctl_profile_no_tenant"
        );
        assert_eq!(broken("").kind(), "vesctl_profile_no_tenant");
        assert_eq!(
            broken("server-urls: ftp://acme\np12-bundle: /a.p12\n").kind(),
            "vesctl_profile_bad_tenant"
        );
        assert_eq!(
            broken("server-urls: acme\ncert: /c.pem\n").kind(),
            "vesctl_profile_no_credential"
        );
        assert_eq!(
            broken("server-urls: acme\np12-bundle: [1, 2]\n").kind(),
            "vesctl_profile_unparsable"
        );

        let home = tempfile::tempdir().expect("temp dir");
        let named = home.path().join("elsewhere.yaml");
        let env = vars(&[(ENV_CONFIG, named.to_str().expect("utf-8"))]);
        let err = load(&env, Some(home.path()))
            .expect("named")
            .expect_err("missing");
        assert_eq!(err.kind(), "vesctl_profile_unreadable");
        std::fs::create_dir(home.path().join(FILE_NAME)).expect("a folder");
        let err = load(&vars(&[]), Some(home.path()))
            .expect("there")
            .expect_err("a folder");
        assert_eq!(err.kind(), "vesctl_profile_unreadable");
    }
}
