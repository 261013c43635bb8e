//! The OS keyring through the keyring-core family: the Secret Service on Linux (GNOME Keyring,
//! KWallet), the login Keychain on macOS, Credential Manager on Windows.

use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry, Error};

use super::{SERVICE, Secret, SecretKind, SecretStore, StoreError};
use crate::TenantUrl;

/// The platform keyring. Connecting is deferred to the first call, which may block, so creating
/// one is free and can happen on the UI thread.
#[derive(Default)]
pub struct KeyringStore {
    store: Mutex<Option<Arc<CredentialStore>>>,
}

impl KeyringStore {
    pub fn new() -> Self {
        KeyringStore::default()
    }

    fn entry(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<Entry, StoreError> {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let store = match &*store {
            Some(open) => open.clone(),
            None => store.insert(open_platform_store()?).clone(),
        };
        Entry::new_in_store(&store, SERVICE, &kind.account(tenant)).map_err(failed)
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<Option<Secret>, StoreError> {
        match self.entry(tenant, kind)?.get_password() {
            Ok(text) => Secret::from_stored(kind, text).map(Some),
            Err(Error::NoEntry) => Ok(None),
            Err(err) => Err(failed(err)),
        }
    }

    fn set(&self, tenant: &TenantUrl, secret: &Secret) -> Result<(), StoreError> {
        self.entry(tenant, secret.kind())?
            .set_password(secret.expose())
            .map_err(failed)
    }

    fn delete(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<bool, StoreError> {
        match self.entry(tenant, kind)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(err) => Err(failed(err)),
        }
    }

    fn location(&self) -> &'static str {
        if cfg!(target_os = "linux") {
            "the system keyring (Secret Service)"
        } else if cfg!(target_os = "macos") {
            "the macOS Keychain"
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager"
        } else {
            "the system keyring"
        }
    }
}

#[cfg(target_os = "linux")]
fn open_platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|err| match err {
        Error::NoStorageAccess(e) => StoreError::Locked {
            detail: e.to_string(),
        },
        other => StoreError::Unavailable {
            detail: describe(&other),
        },
    })?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn open_platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn open_platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    let store = windows_native_keyring_store::Store::new().map_err(unavailable)?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn open_platform_store() -> Result<Arc<CredentialStore>, StoreError> {
    Err(StoreError::Unavailable {
        detail: "no keyring is supported on this platform".into(),
    })
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
fn unavailable(err: Error) -> StoreError {
    StoreError::Unavailable {
        detail: describe(&err),
    }
}

fn failed(err: Error) -> StoreError {
    match err {
        Error::NoStorageAccess(e) => StoreError::Locked {
            detail: e.to_string(),
        },
        // These carry the stored bytes: never format them.
        Error::BadEncoding(_) | Error::BadDataFormat(..) => StoreError::Damaged,
        other => StoreError::Failed {
            detail: describe(&other),
        },
    }
}

/// A keyring error's text, for errors that hold no secret.
fn describe(err: &Error) -> String {
    match err {
        Error::BadEncoding(_) | Error::BadDataFormat(..) => "unreadable stored data".into(),
        Error::Ambiguous(_) => "more than one matching entry".into(),
        Error::PlatformFailure(e) | Error::NoStorageAccess(e) => e.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_holding_stored_bytes_never_show_them() {
        let damaged = failed(Error::BadEncoding(b"secret-bytes".to_vec()));
        assert_eq!(damaged, StoreError::Damaged);
        assert_eq!(
            damaged.to_string(),
            "the token stored in the keyring is damaged"
        );
        assert!(!format!("{damaged:?}").contains("secret"));

        let locked = failed(Error::NoStorageAccess("collection is locked".into()));
        assert_eq!(
            locked.to_string(),
            "the keyring is locked or refused access (collection is locked)"
        );
    }
}
