//! Everything the look-alike knows: the tenant, the one app that may sign in, the permissions
//! it was granted, the tokens it was given, the armed faults and the requests it answered.

use super::faults::Faults;
use super::tenant::Tenant;
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Microsoft Graph's names for the application permissions the look-alike checks.
pub const USER_READ_ALL: &str = "User.Read.All";
pub const GROUP_READ_ALL: &str = "Group.Read.All";
pub const GROUP_MEMBER_READ_ALL: &str = "GroupMember.Read.All";
pub const MAILBOX_SETTINGS_READ: &str = "MailboxSettings.Read";

/// The app registration the look-alike accepts.
#[derive(Clone, Debug)]
pub struct App {
    pub tenant_id: String,
    pub client_id: String,
    pub secret: String,
    pub secret_expired: bool,
}

/// One answered request: method, path, query and status (never a header or a body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
}

#[derive(Debug)]
pub struct Settings {
    /// The most objects a page holds, whatever `$top` asks.
    pub page_size: usize,
    /// Waited before every answer.
    pub latency: Duration,
    pub token_lifetime: u64,
}

pub struct Lookalike {
    pub base_url: String,
    pub tenant: Mutex<Tenant>,
    pub app: Mutex<App>,
    pub granted: Mutex<HashSet<&'static str>>,
    pub tokens: Mutex<HashSet<String>>,
    pub faults: Faults,
    pub log: Mutex<Vec<Logged>>,
    pub settings: Mutex<Settings>,
}

/// A poisoned lock only means a request task panicked; the data is still usable.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Lookalike {
    pub fn new(base_url: String, tenant: Tenant, app: App, settings: Settings) -> Self {
        let granted = HashSet::from([USER_READ_ALL, GROUP_READ_ALL, GROUP_MEMBER_READ_ALL, MAILBOX_SETTINGS_READ]);
        Self {
            base_url,
            tenant: Mutex::new(tenant),
            app: Mutex::new(app),
            granted: Mutex::new(granted),
            tokens: Mutex::new(HashSet::new()),
            faults: Faults::default(),
            log: Mutex::new(Vec::new()),
            settings: Mutex::new(settings),
        }
    }

    /// Whether the app holds any of `permissions`.
    pub fn may(&self, permissions: &[&str]) -> bool {
        let granted = lock(&self.granted);
        permissions.iter().any(|p| granted.contains(p))
    }

    pub fn issue_token(&self) -> String {
        let token = format!("lookalike.{:016x}.{:016x}", fastrand::u64(..), fastrand::u64(..));
        lock(&self.tokens).insert(token.clone());
        token
    }

    pub fn token_valid(&self, token: &str) -> bool {
        lock(&self.tokens).contains(token)
    }

    pub fn revoke_token(&self, token: &str) {
        lock(&self.tokens).remove(token);
    }

    pub fn record(&self, entry: Logged) {
        lock(&self.log).push(entry);
    }
}
