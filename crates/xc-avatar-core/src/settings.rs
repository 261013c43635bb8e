//! Non-secret settings (tenants, the default one, the last folder), in the platform config dir.
//! Never a secret: those live in a [`crate::credentials::SecretStore`].

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::TenantUrl;
use crate::credentials::CertificateFiles;

/// What xc-avatar remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Tenant origins the user has set up, in the order added.
    pub tenants: Vec<String>,
    /// The origin used when none is given.
    pub default_tenant: Option<String>,
    /// Where the file dialog opens.
    pub last_folder: Option<PathBuf>,
    /// Tenants that sign in with an API certificate: origin → the `.p12` file (its password is
    /// in the keyring). Tenants not listed here or in `pem_certificates` use an API token.
    pub certificates: BTreeMap<String, PathBuf>,
    /// Tenants that sign in with a PEM certificate and key: origin → the two files.
    pub pem_certificates: BTreeMap<String, PemFiles>,
    /// Light, dark, or as the system is. A value this version does not know reads as
    /// `System` rather than making the whole file "damaged".
    #[serde(deserialize_with = "lenient_appearance")]
    pub appearance: Appearance,
}

/// A PEM certificate and its key, as kept for a tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PemFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The app's colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Appearance {
    /// Follow the operating system's light or dark mode.
    #[default]
    System,
    Light,
    Dark,
}

fn lenient_appearance<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Appearance, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

impl Settings {
    /// Remembers `tenant`; the first one becomes the default.
    pub fn add_tenant(&mut self, tenant: &TenantUrl) {
        let origin = tenant.origin();
        if !self.tenants.contains(&origin) {
            self.tenants.push(origin.clone());
        }
        if self.default_tenant.is_none() {
            self.default_tenant = Some(origin);
        }
    }

    pub fn set_default(&mut self, tenant: &TenantUrl) {
        self.add_tenant(tenant);
        self.default_tenant = Some(tenant.origin());
    }

    /// The saved default tenant, if it still parses.
    pub fn default_tenant(&self) -> Option<TenantUrl> {
        TenantUrl::parse(self.default_tenant.as_deref()?).ok()
    }

    /// The files of the API certificate the tenant signs in with, when it uses one.
    pub fn certificate_for(&self, tenant: &TenantUrl) -> Option<CertificateFiles> {
        let origin = tenant.origin();
        if let Some(path) = self.certificates.get(&origin) {
            return Some(CertificateFiles::P12(path.clone()));
        }
        self.pem_certificates
            .get(&origin)
            .map(|pem| CertificateFiles::Pem {
                cert: pem.cert.clone(),
                key: pem.key.clone(),
            })
    }

    /// Makes `tenant` sign in with the certificate in `files` (and remembers the tenant).
    pub fn set_certificate(&mut self, tenant: &TenantUrl, files: &CertificateFiles) {
        self.add_tenant(tenant);
        self.forget_certificate(tenant);
        let origin = tenant.origin();
        match files {
            CertificateFiles::P12(path) => {
                self.certificates.insert(origin, path.clone());
            }
            CertificateFiles::Pem { cert, key } => {
                let (cert, key) = (cert.clone(), key.clone());
                self.pem_certificates.insert(origin, PemFiles { cert, key });
            }
        }
    }

    /// Makes `tenant` use an API token again; `false` when it had no certificate.
    pub fn forget_certificate(&mut self, tenant: &TenantUrl) -> bool {
        let origin = tenant.origin();
        let p12 = self.certificates.remove(&origin).is_some();
        self.pem_certificates.remove(&origin).is_some() || p12
    }

    /// Remembers `tenant` as the default, signing in with a certificate's `files`, or with a
    /// token when `None`: what keeping a credential changes in the settings.
    pub fn use_credential(&mut self, tenant: &TenantUrl, files: Option<&CertificateFiles>) {
        self.set_default(tenant);
        match files {
            Some(files) => self.set_certificate(tenant, files),
            None => {
                self.forget_certificate(tenant);
            }
        }
    }

    /// The saved tenants that still parse.
    pub fn tenant_urls(&self) -> Vec<TenantUrl> {
        self.tenants
            .iter()
            .filter_map(|t| TenantUrl::parse(t).ok())
            .collect()
    }
}

/// The settings file, read and written whole. Writes go to a temporary file renamed over the
/// old one, so a crash never leaves half a file.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    path: PathBuf,
}

/// Something wrong with the file that the user should hear about; nothing else was lost.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the settings file {path} was damaged ({reason}); it was set aside as {moved_to}")]
    SetAside {
        path: PathBuf,
        reason: String,
        moved_to: PathBuf,
    },
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot save the settings file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SettingsFile {
    pub fn new(path: PathBuf) -> Self {
        SettingsFile { path }
    }

    /// `settings.json` in `XC_AVATAR_CONFIG_DIR` when set, else in the platform config dir
    /// (`~/.config/xc-avatar` on Linux, `~/Library/Application Support/xc-avatar` on macOS,
    /// `%APPDATA%\xc-avatar\config` on Windows).
    pub fn default_location() -> Option<Self> {
        Self::location_for(std::env::var_os(crate::ENV_CONFIG_DIR))
    }

    /// Where the settings live given the override folder, if any. One variable that works on
    /// every OS: `XDG_CONFIG_HOME` is Linux-only, so tests (and portable setups) could not keep
    /// a user's own saved tenants out elsewhere.
    pub fn location_for(override_dir: Option<std::ffi::OsString>) -> Option<Self> {
        if let Some(dir) = override_dir.filter(|dir| !dir.is_empty()) {
            return Some(SettingsFile::new(PathBuf::from(dir).join("settings.json")));
        }
        let dirs = directories::ProjectDirs::from("", "", "xc-avatar")?;
        Some(SettingsFile::new(dirs.config_dir().join("settings.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved settings; defaults when there are none yet. A damaged file is renamed aside
    /// (and reported) rather than overwritten, so nothing is silently lost.
    pub fn load(&self) -> (Settings, Option<SettingsError>) {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return (Settings::default(), None);
            }
            Err(source) => {
                let error = SettingsError::Read {
                    path: self.path.clone(),
                    source,
                };
                return (Settings::default(), Some(error));
            }
        };
        match serde_json::from_slice(&text) {
            Ok(settings) => (settings, None),
            Err(err) => {
                let moved_to = self.path.with_extension(format!(
                    "json.damaged-{}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or_default()
                ));
                let error = match std::fs::rename(&self.path, &moved_to) {
                    Ok(()) => SettingsError::SetAside {
                        path: self.path.clone(),
                        reason: err.to_string(),
                        moved_to,
                    },
                    Err(source) => SettingsError::Read {
                        path: self.path.clone(),
                        source,
                    },
                };
                (Settings::default(), Some(error))
            }
        }
    }

    pub fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let write_error = |source| SettingsError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(write_error)?;
        let text = serde_json::to_vec_pretty(settings).map_err(|e| write_error(e.into()))?;
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(write_error)?;
        temp.write_all(&text).map_err(write_error)?;
        temp.as_file().sync_all().map_err(write_error)?;
        temp.persist(&self.path).map_err(|e| write_error(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_dir_can_be_chosen_on_every_os() {
        let chosen = SettingsFile::location_for(Some("/tmp/elsewhere".into()));
        assert_eq!(
            chosen.map(|f| f.path().to_path_buf()),
            Some(PathBuf::from("/tmp/elsewhere/settings.json"))
        );
        // Empty means unset, as for F5XC_API_URL.
        let default = SettingsFile::location_for(Some("".into())).map(|f| f.path().to_path_buf());
        assert_ne!(default, Some(PathBuf::from("settings.json")));
    }

    #[test]
    fn the_theme_choice_persists_and_an_unknown_one_loses_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = SettingsFile::new(dir.path().join("settings.json"));
        let settings = Settings {
            appearance: Appearance::Dark,
            ..Settings::default()
        };
        file.save(&settings).expect("save");
        assert_eq!(file.load().0.appearance, Appearance::Dark);

        // A later version's "sepia" must not set the file aside as damaged.
        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"tenants": ["https://acme.console.ves.volterra.io"], "appearance": "sepia"}"#,
        )
        .expect("write");
        let (loaded, problem) = file.load();
        assert!(problem.is_none(), "{problem:?}");
        assert_eq!(loaded.appearance, Appearance::System);
        assert_eq!(loaded.tenants.len(), 1);
    }

    #[test]
    fn saved_settings_round_trip_and_hold_no_token() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = SettingsFile::new(dir.path().join("nested/settings.json"));
        assert_eq!(file.load().0, Settings::default());

        let mut settings = Settings::default();
        settings.add_tenant(&TenantUrl::parse("acme").expect("tenant"));
        settings.add_tenant(&TenantUrl::parse("other").expect("tenant"));
        assert_eq!(
            settings.default_tenant.as_deref(),
            Some("https://acme.console.ves.volterra.io")
        );
        settings.set_default(&TenantUrl::parse("other").expect("tenant"));
        file.save(&settings).expect("save");
        let (loaded, warning) = file.load();
        assert!(warning.is_none());
        assert_eq!(loaded, settings);
        assert_eq!(loaded.tenant_urls().len(), 2);
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{ not json").expect("write");
        let file = SettingsFile::new(path.clone());
        let (settings, warning) = file.load();
        assert_eq!(settings, Settings::default());
        let Some(SettingsError::SetAside { moved_to, .. }) = warning else {
            panic!("expected SetAside, got {warning:?}");
        };
        assert_eq!(
            std::fs::read_to_string(moved_to).expect("kept"),
            "{ not json"
        );
        assert!(!path.exists());
    }
}
