use std::collections::HashMap;
use std::sync::Mutex;

use super::{ApiToken, CertificatePassword, StoreError, TokenStore, certificate_account};
use crate::TenantUrl;

/// Tokens kept in memory until the process ends: for "this session only", and for tests.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, ApiToken>>,
    /// Certificate passwords, by [`certificate_account`].
    passwords: Mutex<HashMap<String, CertificatePassword>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, ApiToken>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn passwords(&self) -> std::sync::MutexGuard<'_, HashMap<String, CertificatePassword>> {
        self.passwords.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TokenStore for MemoryStore {
    fn get(&self, tenant: &TenantUrl) -> Result<Option<ApiToken>, StoreError> {
        Ok(self.tokens().get(&tenant.origin()).cloned())
    }

    fn set(&self, tenant: &TenantUrl, token: &ApiToken) -> Result<(), StoreError> {
        self.tokens().insert(tenant.origin(), token.clone());
        Ok(())
    }

    fn delete(&self, tenant: &TenantUrl) -> Result<bool, StoreError> {
        Ok(self.tokens().remove(&tenant.origin()).is_some())
    }

    fn location(&self) -> &'static str {
        "memory, for this session only"
    }

    fn get_certificate_password(
        &self,
        tenant: &TenantUrl,
    ) -> Result<Option<CertificatePassword>, StoreError> {
        Ok(self.passwords().get(&certificate_account(tenant)).cloned())
    }

    fn set_certificate_password(
        &self,
        tenant: &TenantUrl,
        password: &CertificatePassword,
    ) -> Result<(), StoreError> {
        self.passwords()
            .insert(certificate_account(tenant), password.clone());
        Ok(())
    }

    fn delete_certificate_password(&self, tenant: &TenantUrl) -> Result<bool, StoreError> {
        Ok(self
            .passwords()
            .remove(&certificate_account(tenant))
            .is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_per_tenant_origin() {
        let store = MemoryStore::new();
        let acme = TenantUrl::parse("acme").expect("tenant");
        let same_acme =
            TenantUrl::parse("https://acme.console.ves.volterra.io/web/home").expect("tenant");
        let other = TenantUrl::parse("other").expect("tenant");
        let token = ApiToken::new("t0k3n").expect("token");

        assert_eq!(store.get(&acme), Ok(None));
        store.set(&acme, &token).expect("set");
        assert_eq!(store.get(&same_acme), Ok(Some(token.clone())));
        assert_eq!(store.get(&other), Ok(None));
        assert_eq!(store.delete(&acme), Ok(true));
        assert_eq!(store.delete(&acme), Ok(false));
        assert_eq!(store.get(&acme), Ok(None));
    }
}
