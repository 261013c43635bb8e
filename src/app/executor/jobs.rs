//! The executor's helpers for work that must not pile up: one load at a time (the newest
//! waiting), settings written so the last call wins, and clients kept per tenant and
//! credential.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::api::{ApiError, ClientOptions, XcClient};
use crate::app::state::Connection;
use crate::settings::{Settings, SettingsFile};

/// Runs one job at a time and keeps only the newest waiting one: a user who drops five files
/// in a row decodes the first and the last, not all five.
#[derive(Clone, Default)]
pub struct LatestOnly(Arc<Mutex<LatestOnlyState>>);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct LatestOnlyState {
    running: bool,
    waiting: Option<Job>,
}

impl LatestOnly {
    pub fn run(&self, runtime: &tokio::runtime::Handle, job: impl FnOnce() + Send + 'static) {
        {
            let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if state.running {
                // Replaces (and so cancels) any job that was waiting.
                state.waiting = Some(Box::new(job));
                return;
            }
            state.running = true;
        }
        let slot = self.clone();
        runtime.spawn_blocking(move || {
            let mut next: Option<Job> = Some(Box::new(job));
            while let Some(job) = next {
                job();
                let mut state = slot.0.lock().unwrap_or_else(PoisonError::into_inner);
                next = state.waiting.take();
                state.running = next.is_some();
            }
        });
    }
}

/// Writes settings one at a time, skipping any save a newer one supersedes: the last *call*
/// wins, whatever order the blocking threads run in.
#[derive(Clone)]
pub struct SettingsWriter {
    file: Option<SettingsFile>,
    latest: Arc<AtomicU64>,
    writing: Arc<Mutex<()>>,
}

impl SettingsWriter {
    pub fn new(file: Option<SettingsFile>) -> Self {
        SettingsWriter {
            file,
            latest: Arc::default(),
            writing: Arc::default(),
        }
    }

    /// Numbers a save, in call order (on the UI thread).
    pub fn ticket(&self) -> u64 {
        self.latest.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn write(&self, ticket: u64, settings: &Settings) -> Result<(), String> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let _one_at_a_time = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        if ticket < self.latest.load(Ordering::SeqCst) {
            // A newer save is waiting or already written.
            return Ok(());
        }
        file.save(settings).map_err(|err| err.to_string())
    }
}

/// How many clients are kept: the tenants a person switches between, with room for a new
/// credential beside the old while it is tested.
pub const KEPT_CLIENTS: usize = 4;

/// One client per tenant and credential, so the start-up fetch, an upload and the re-fetch
/// after it share one kept-alive connection (one TLS handshake), and switching back to a
/// tenant finds its connection still open. At most [`KEPT_CLIENTS`]; the least recently used
/// goes first.
#[derive(Clone, Default)]
pub struct ClientCache(Arc<Mutex<Vec<(Connection, XcClient)>>>);

impl ClientCache {
    pub fn get(&self, connection: &Connection) -> Result<XcClient, ApiError> {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let same = |(kept, _): &(Connection, XcClient)| {
            kept.tenant == connection.tenant && kept.credential == connection.credential
        };
        if let Some(at) = kept.iter().position(same) {
            let entry = kept.remove(at);
            let client = entry.1.clone();
            kept.push(entry);
            return Ok(client);
        }
        let client = XcClient::with_credential(
            connection.tenant.clone(),
            &connection.credential,
            ClientOptions::default(),
        )?;
        if kept.len() >= KEPT_CLIENTS {
            kept.remove(0);
        }
        kept.push((connection.clone(), client.clone()));
        Ok(client)
    }

    /// How many clients are kept (for the tests of the bound).
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TenantUrl;
    use crate::credentials::ApiToken;
    use crate::sign_in::Origin;

    fn connection(tenant: &str, token: &str) -> Connection {
        Connection {
            tenant: TenantUrl::parse(tenant).expect("tenant"),
            credential: ApiToken::new(token).expect("token").into(),
            origin: Origin::Kept,
        }
    }

    fn kept(cache: &ClientCache) -> Vec<(String, bool)> {
        let kept = cache.0.lock().expect("cache");
        let token = ApiToken::new("t").expect("token").into();
        kept.iter()
            .map(|(c, _)| (c.tenant.host().to_owned(), c.credential == token))
            .collect()
    }

    /// One client per tenant and credential, at most [`KEPT_CLIENTS`]: a tenant used again
    /// keeps its client, and the one used longest ago goes first.
    #[test]
    fn clients_are_kept_per_tenant_and_credential_up_to_the_bound() {
        let cache = ClientCache::default();
        for tenant in ["a", "b", "c", "d"] {
            cache.get(&connection(tenant, "t")).expect("client");
        }
        assert_eq!(cache.len(), KEPT_CLIENTS);
        // "a" again: found, not made anew, and now the most recent.
        cache.get(&connection("a", "t")).expect("client");
        assert_eq!(cache.len(), KEPT_CLIENTS);
        // Another credential for "c" is another client; "b", used longest ago, goes.
        cache.get(&connection("c", "other")).expect("client");
        let hosts: Vec<String> = kept(&cache).into_iter().map(|(h, _)| h).collect();
        let host = |t: &str| format!("{t}.console.ves.volterra.io");
        assert_eq!(hosts, [host("c"), host("d"), host("a"), host("c")]);
        assert_eq!(
            kept(&cache).iter().filter(|(_, same)| !same).count(),
            1,
            "c's second credential"
        );
    }
}
