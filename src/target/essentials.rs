//! The service itself: Proofpoint Essentials REST API v1 (ARCHITECTURE.md, "The service's API").

pub mod client;
pub mod discovery;
pub mod gate;
pub mod me;
pub mod org;
pub mod partner;
pub mod retry;

use super::{CreateOptions, Layer, Target, TargetCheck, TargetError, count_admins, wire};
use crate::config::fleet::PartnerConfig;
use crate::config::{Config, Stack, TargetConfig};
use crate::model::{Account, OrgFacts, OrgRead, UnreadFact};
use client::{Answer, ApiClient, Call, ClientSettings, Credentials};
use discovery::{DEFAULT_DISCOVERY_URL, join, parse_base, stack_name, stack_url};
use me::Me;
use reqwest::{Method, StatusCode};
use retry::RetryPolicy;
use serde_json::Value;
use tokio::sync::OnceCell;
use url::Url;

/// Where the base URL comes from.
#[derive(Debug)]
enum Base {
    Fixed { url: Url, label: String },
    Discover { via: Url },
}

#[derive(Debug)]
pub struct EssentialsTarget {
    client: ApiClient,
    domain: String,
    user: String,
    base: Base,
    resolved: OnceCell<Url>,
    /// `GET /me`, asked once before the first write so a read-only admin is refused up front.
    me: OnceCell<Me>,
}

impl EssentialsTarget {
    pub fn from_config(config: &Config) -> Result<Self, TargetError> {
        let target = config.target.as_ref().ok_or(TargetError::NotConfigured)?;
        let secret = config.target_password.as_ref().ok_or_else(|| {
            TargetError::Setup(
                "no password is configured: add target.password_env, password_file or password_command".into(),
            )
        })?;
        let credentials =
            Credentials { user: target.user.clone().unwrap_or_default(), password: secret.resolve("target")? };
        let settings = ClientSettings {
            timeout: target.request_timeout.0,
            max_in_flight: target.max_in_flight,
            max_requests_per_second: target.max_requests_per_second,
            retry: RetryPolicy::default(),
        };
        Self::with(credentials, settings, target.domain.clone().unwrap_or_default(), base_of(target)?)
    }

    /// The partner's own organisation, signed in as the partner admin (for its child organisations).
    pub fn for_partner(partner: &PartnerConfig) -> Result<Self, TargetError> {
        let credentials = Credentials { user: partner.user.clone(), password: partner.password.resolve("partner")? };
        let settings = ClientSettings {
            timeout: crate::config::default_request_timeout().0,
            max_in_flight: 1,
            max_requests_per_second: None,
            retry: RetryPolicy::default(),
        };
        let base = base("partner", partner.stack, partner.api_url.as_deref(), None)?;
        Self::with(credentials, settings, partner.domain.clone(), base)
    }

    fn with(
        credentials: Credentials,
        settings: ClientSettings,
        domain: String,
        base: Base,
    ) -> Result<Self, TargetError> {
        Ok(Self {
            user: credentials.user.clone(),
            client: ApiClient::new(credentials, settings)?,
            domain,
            base,
            resolved: OnceCell::new(),
            me: OnceCell::new(),
        })
    }

    /// Replaces the default retry policy (tests use short waits).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.client.retry = policy;
        self
    }

    /// The organisation's API base, discovering the stack on first use when none is configured.
    pub async fn base_url(&self) -> Result<&Url, TargetError> {
        self.resolved
            .get_or_try_init(|| async {
                match &self.base {
                    Base::Fixed { url, .. } => Ok(url.clone()),
                    Base::Discover { via } => {
                        let found = discovery::discover(&self.client, via, &self.domain).await?;
                        tracing::info!("the service serves {} from {found}", self.domain);
                        Ok(found)
                    }
                }
            })
            .await
    }

    pub async fn me(&self) -> Result<Me, TargetError> {
        let call = Call::get(join(self.base_url().await?, &["me"]));
        let answer = self.client.send(&call).await?;
        if answer.status != StatusCode::OK {
            return Err(self.refusal(&call, &answer, None));
        }
        serde_json::from_slice(&answer.body).map_err(|e| TargetError::Protocol {
            what: "GET /me sent something else than a user".into(),
            detail: e.to_string(),
        })
    }

    async fn ensure_writer(&self) -> Result<(), TargetError> {
        self.me.get_or_try_init(|| self.me()).await?.require_writer(&self.user)
    }

    async fn users_url(&self) -> Result<Url, TargetError> {
        Ok(join(self.base_url().await?, &["orgs", &self.domain, "users"]))
    }

    async fn user_url(&self, email: &str) -> Result<Url, TargetError> {
        Ok(join(self.base_url().await?, &["orgs", &self.domain, "users", email]))
    }

    /// What an answer nobody expected means: 401 stops the run; 403 stops it too unless the
    /// request was about one account (the listing and `/me` already showed access to the
    /// organisation, so only that account is off limits); 404 (after [`Self::per_item`] had
    /// its say about a missing account) means the domain is unknown; another 4xx refuses this
    /// one account. Logged with the request's `X-Correlator`.
    fn refusal(&self, call: &Call<'_>, answer: &Answer, account: Option<&str>) -> TargetError {
        let server = self.client.server_message(&answer.body);
        let (method, path) = call.label();
        let user = self.user.clone();
        let err = match (answer.status.as_u16(), account) {
            (401, _) => TargetError::Unauthorized { user, server },
            (403, Some(email)) => {
                TargetError::AccountForbidden { method, path, email: email.to_string(), user, server }
            }
            (403, None) => TargetError::Forbidden { user, domain: self.domain.clone(), server },
            (404, _) => TargetError::UnknownDomain { domain: self.domain.clone(), server },
            (status @ 400..=499, _) => TargetError::Rejected { method, path, status, message: server },
            (status, _) => {
                TargetError::Protocol { what: format!("unexpected answer {status} to {method} {path}"), detail: server }
            }
        };
        logged(answer, err)
    }

    /// One of the two organisation reads: its document, or why the service would not give it
    /// (a warning for the plan). 401 and exhausted retries stop the run as anywhere else.
    async fn read_org(&self, read: OrgRead, segments: &[&str]) -> Result<Result<Value, UnreadFact>, TargetError> {
        let call = Call::get(join(self.base_url().await?, segments));
        let answer = self.client.send(&call).await?;
        match answer.status.as_u16() {
            200 => serde_json::from_slice(&answer.body).map(Ok).map_err(|e| TargetError::Protocol {
                what: format!("{} sent something else than JSON", read.route()),
                detail: e.to_string(),
            }),
            401 => Err(self.refusal(&call, &answer, None)),
            status @ 400..=499 => {
                let detail = self.client.server_message(&answer.body);
                tracing::warn!(x_correlator = %answer.correlator, "{} answered {status}", read.route());
                Ok(Err(UnreadFact { read, status, detail }))
            }
            _ => Err(self.refusal(&call, &answer, None)),
        }
    }

    fn per_item(&self, answer: &Answer, email: &str) -> Option<TargetError> {
        let message = self.client.server_message(&answer.body);
        let layer = Layer::Api;
        match answer.status.as_u16() {
            409 => Some(TargetError::Duplicate { layer, email: email.to_string(), message }),
            400 if message.to_lowercase().contains("already exist") => {
                Some(TargetError::Duplicate { layer, email: email.to_string(), message })
            }
            404 => Some(TargetError::NotFound { layer, email: email.to_string(), message }),
            _ => None,
        }
        .map(|err| logged(answer, err))
    }
}

/// A failure as the service answered it, logged with the request's `X-Correlator` so the
/// service's own logs can be searched for it.
fn logged(answer: &Answer, err: TargetError) -> TargetError {
    tracing::warn!(x_correlator = %answer.correlator, "{err}");
    err
}

fn base_of(target: &TargetConfig) -> Result<Base, TargetError> {
    base("target", target.stack, target.api_url.as_deref(), target.discovery_url.as_deref())
}

/// Where the API is: the stack's, the given URL, or asked of the discovery service. `table`
/// names the keys in errors (`target.stack`, `partner.api_url`).
fn base(
    table: &str,
    stack: Option<Stack>,
    api_url: Option<&str>,
    discovery_url: Option<&str>,
) -> Result<Base, TargetError> {
    if let Some(stack) = stack {
        let name = stack_name(stack);
        return Ok(Base::Fixed {
            url: parse_base(&format!("{table}.stack"), &stack_url(name))?,
            label: name.to_string(),
        });
    }
    if let Some(api) = api_url {
        return Ok(Base::Fixed { url: parse_base(&format!("{table}.api_url"), api)?, label: api.to_string() });
    }
    let via = discovery_url.unwrap_or(DEFAULT_DISCOVERY_URL);
    Ok(Base::Discover { via: parse_base(&format!("{table}.discovery_url"), via)? })
}

/// The POST body: the account plus the create-only flag.
fn create_body(account: &Account, options: CreateOptions) -> Result<Value, TargetError> {
    let mut body = encode(account)?;
    if let Value::Object(map) = &mut body {
        map.insert("send_welcome_email".into(), Value::Bool(options.send_welcome_email));
    }
    Ok(body)
}

fn encode(account: &Account) -> Result<Value, TargetError> {
    serde_json::to_value(account).map_err(|e| TargetError::Setup(format!("encoding an account: {e}")))
}

#[async_trait::async_trait]
impl Target for EssentialsTarget {
    fn describe(&self) -> String {
        let place = match (&self.base, self.resolved.get()) {
            (Base::Fixed { label, .. }, _) => label.clone(),
            (Base::Discover { .. }, Some(found)) => found.to_string(),
            (Base::Discover { .. }, None) => "stack to be discovered".into(),
        };
        format!("Proofpoint Essentials {place} · {}", self.domain)
    }

    async fn check(&self) -> Result<TargetCheck, TargetError> {
        let endpoint = self.base_url().await?.to_string();
        let me = self.me().await?;
        me.require_writer(&self.user)?;
        let accounts = self.list().await?;
        let org = self.org_facts().await?;
        Ok(TargetCheck {
            kind: "essentials",
            endpoint,
            domain: Some(self.domain.clone()),
            signed_in_as: Some(me.primary_email.clone().unwrap_or_else(|| self.user.clone())),
            account_type: me.kind.clone(),
            read_only: me.read_only_user,
            users: accounts.len(),
            admins: count_admins(&accounts),
            org,
        })
    }

    async fn list(&self) -> Result<Vec<Account>, TargetError> {
        let call = Call::get(self.users_url().await?);
        let answer = self.client.send(&call).await?;
        if answer.status != StatusCode::OK {
            return Err(self.refusal(&call, &answer, None));
        }
        wire::parse_users(&answer.body)
            .map_err(|detail| TargetError::Protocol { what: "the user list cannot be read".into(), detail })
    }

    async fn create(&self, account: &Account, options: CreateOptions) -> Result<(), TargetError> {
        self.ensure_writer().await?;
        let body = create_body(account, options)?;
        let probe = Some(self.user_url(&account.primary_email).await?);
        let call = Call { method: Method::POST, url: self.users_url().await?, body: Some(&body), probe };
        let answer = self.client.send(&call).await?;
        match self.per_item(&answer, &account.primary_email) {
            _ if answer.status.is_success() => Ok(()),
            // Our own earlier attempt, which timed out after the service had stored it.
            Some(TargetError::Duplicate { .. }) if answer.replayed => Ok(()),
            Some(TargetError::NotFound { .. }) | None => {
                Err(self.refusal(&call, &answer, Some(&account.primary_email)))
            }
            Some(err) => Err(err),
        }
    }

    async fn org_facts(&self) -> Result<OrgFacts, TargetError> {
        let domain = self.domain.as_str();
        let org = self.read_org(OrgRead::Organisation, &["orgs", domain]).await?;
        let azure = self.read_org(OrgRead::AzureSettings, &["orgs", domain, "settings", "azure"]).await?;
        Ok(org::facts(org, azure))
    }

    async fn get(&self, email: &str) -> Result<Option<Account>, TargetError> {
        let call = Call::get(self.user_url(email).await?);
        let answer = self.client.send(&call).await?;
        match answer.status {
            StatusCode::OK => serde_json::from_slice(&answer.body).map(Some).map_err(|e| TargetError::Protocol {
                what: format!("GET {} sent something else than a user", call.url.path()),
                detail: e.to_string(),
            }),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.refusal(&call, &answer, Some(email))),
        }
    }

    async fn put(&self, email: &str, account: &Account) -> Result<(), TargetError> {
        self.ensure_writer().await?;
        let body = encode(account)?;
        let call = Call { method: Method::PUT, url: self.user_url(email).await?, body: Some(&body), probe: None };
        let answer = self.client.send(&call).await?;
        if answer.status.is_success() {
            return Ok(());
        }
        let named = if answer.status == StatusCode::CONFLICT { &account.primary_email } else { email };
        Err(self.per_item(&answer, named).unwrap_or_else(|| self.refusal(&call, &answer, Some(email))))
    }

    async fn delete(&self, email: &str) -> Result<(), TargetError> {
        self.ensure_writer().await?;
        let call = Call { method: Method::DELETE, url: self.user_url(email).await?, body: None, probe: None };
        let answer = self.client.send(&call).await?;
        match answer.status {
            status if status.is_success() => Ok(()),
            // An earlier attempt went through before its answer was lost.
            StatusCode::NOT_FOUND if answer.replayed => Ok(()),
            _ => Err(self.per_item(&answer, email).unwrap_or_else(|| self.refusal(&call, &answer, Some(email)))),
        }
    }
}
