//! Where accounts go: the email-filtering service's API, or a JSON file standing in for it.
//!
//! The plan and the apply code only see [`Target`], so they never know which one they talk to.

pub mod csv_export;
pub mod error;
pub mod essentials;
pub mod file;
pub mod wire;

pub use error::{Layer, TargetError};

use crate::config::{Config, TargetKind};
use crate::model::{Account, OrgFacts};
use serde::Serialize;
use std::sync::Arc;

/// What a create may ask of the service beyond the account itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// Sent as the API's `send_welcome_email` (POST only; never stored with the account).
    pub send_welcome_email: bool,
}

/// The answer to `adsync check --target`. Holds no secret, so it may be printed as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetCheck {
    /// "essentials" or "file".
    pub kind: &'static str,
    /// The API base URL or the file's path.
    pub endpoint: String,
    pub domain: Option<String>,
    /// Who the credentials belong to, and what they may do (API only).
    pub signed_in_as: Option<String>,
    pub account_type: Option<String>,
    pub read_only: Option<bool>,
    pub users: usize,
    /// Admin accounts among `users`: a sync never touches them.
    pub admins: usize,
    /// Licences and the service's own sync (API only).
    pub org: OrgFacts,
}

#[async_trait::async_trait]
pub trait Target: Send + Sync {
    /// One line naming the target, e.g. `Proofpoint Essentials us1 · example.com`.
    fn describe(&self) -> String;

    /// Credentials, access to the organisation and its size, for `check --target`.
    async fn check(&self) -> Result<TargetCheck, TargetError>;

    /// Every account the service holds, complete or an error.
    async fn list(&self) -> Result<Vec<Account>, TargetError>;

    /// Licences and whether the service's own sync runs, read before anything is written.
    /// The file target has no such facts.
    async fn org_facts(&self) -> Result<OrgFacts, TargetError> {
        Ok(OrgFacts::default())
    }

    /// The account as the service holds it now; `None` when there is none.
    async fn get(&self, email: &str) -> Result<Option<Account>, TargetError>;

    async fn create(&self, account: &Account, options: CreateOptions) -> Result<(), TargetError>;

    /// Sends `account` for the account now known as `email`. The service may replace the
    /// whole object with it, so it must be an account just read with [`Target::get`] with only
    /// adsync's fields changed. A different `primary_email` asks for a rename, which the
    /// service may ignore: only reading it back tells.
    async fn put(&self, email: &str, account: &Account) -> Result<(), TargetError>;

    async fn delete(&self, email: &str) -> Result<(), TargetError>;

    /// Makes every change so far durable. The API writes through; the file target batches.
    async fn flush(&self) -> Result<(), TargetError> {
        Ok(())
    }
}

/// The target the config describes.
pub fn from_config(config: &Config) -> Result<Arc<dyn Target>, TargetError> {
    let target = config.target.as_ref().ok_or(TargetError::NotConfigured)?;
    Ok(match target.kind {
        TargetKind::Essentials => Arc::new(essentials::EssentialsTarget::from_config(config)?),
        TargetKind::File => Arc::new(file::FileTarget::from_config(config)?),
    })
}

/// Admins among `accounts`, for [`TargetCheck`].
fn count_admins<'a>(accounts: impl IntoIterator<Item = &'a Account>) -> usize {
    accounts.into_iter().filter(|a| a.is_admin()).count()
}
