use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::{Secret, SecretKind, SecretStore, StoreError};
use crate::TenantUrl;

/// Secrets kept in memory until the process ends: for "this session only", and for tests.
#[derive(Default)]
pub struct MemoryStore {
    /// By keyring account ([`SecretKind::account`]), as the keyring keeps them.
    secrets: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn secrets(&self) -> MutexGuard<'_, HashMap<String, Secret>> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<Option<Secret>, StoreError> {
        Ok(self.secrets().get(&kind.account(tenant)).cloned())
    }

    fn set(&self, tenant: &TenantUrl, secret: &Secret) -> Result<(), StoreError> {
        self.secrets()
            .insert(secret.kind().account(tenant), secret.clone());
        Ok(())
    }

    fn delete(&self, tenant: &TenantUrl, kind: SecretKind) -> Result<bool, StoreError> {
        Ok(self.secrets().remove(&kind.account(tenant)).is_some())
    }

    fn location(&self) -> &'static str {
        "memory, for this session only"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{ApiToken, CertificatePassword};

    #[test]
    fn one_secret_of_each_kind_per_tenant_origin() {
        let store = MemoryStore::new();
        let acme = TenantUrl::parse("acme").expect("tenant");
        let same_acme =
            TenantUrl::parse("https://acme.console.ves.volterra.io/web/home").expect("tenant");
        let other = TenantUrl::parse("other").expect("tenant");
        let token = Secret::Token(ApiToken::new("t0k3n").expect("token"));
        let password = Secret::CertificatePassword(CertificatePassword::new("pw"));

        assert_eq!(store.get(&acme, SecretKind::Token), Ok(None));
        store.set(&acme, &token).expect("set");
        store.set(&acme, &password).expect("set");
        assert_eq!(store.get(&same_acme, SecretKind::Token), Ok(Some(token)));
        assert_eq!(
            store.get(&acme, SecretKind::CertificatePassword),
            Ok(Some(password))
        );
        assert_eq!(store.get(&other, SecretKind::Token), Ok(None));
        assert_eq!(store.delete(&acme, SecretKind::Token), Ok(true));
        assert_eq!(store.delete(&acme, SecretKind::Token), Ok(false));
        assert_eq!(store.get(&acme, SecretKind::Token), Ok(None));
        assert!(
            store
                .get(&acme, SecretKind::CertificatePassword)
                .is_ok_and(|p| p.is_some())
        );
    }
}
