//! The LDAP source (ldap3): Active Directory, Samba AD and OpenLDAP.

pub mod browse;
pub mod entry;
pub mod error;
pub mod paged;
pub mod query;
pub mod ranges;
pub mod rootdse;
pub mod session;
pub mod tls;

use super::{DirectoryRead, ProgressFn, ReadProgress, ReadStats, Source, SourceError};
use crate::config::{Config, SecretSource, SourceConfig};
use crate::model::{DirObject, EntryDetails, ObjectClass, TreeNode};
use error::LdapFailure;
use paged::{SearchSpec, search_paged};
use query::Query;
use ranges::PendingRange;
use rootdse::RootDse;
use session::{Endpoint, Session};
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy)]
enum Browse<'a> {
    Children(&'a str),
    Details(&'a str),
}

enum Browsed {
    Children(Vec<TreeNode>),
    Details(EntryDetails),
}

#[derive(Clone)]
pub struct LdapSource {
    config: SourceConfig,
    password: Option<SecretSource>,
    /// Ask for members in explicit ranges of this size (tests use it on servers that
    /// would otherwise hand out every member at once).
    pub member_range_step: Option<u32>,
    /// The bound session browsing reuses (shared by clones).
    browser: Arc<tokio::sync::Mutex<Option<Session>>>,
}

impl LdapSource {
    pub fn new(config: &Config) -> Self {
        Self {
            config: config.source.clone(),
            password: config.bind_password.clone(),
            member_range_step: None,
            browser: Arc::default(),
        }
    }

    pub fn endpoint(&self) -> Result<Endpoint, SourceError> {
        let tls = tls::client_config(self.config.ca_file.as_deref(), self.config.tls_insecure)?;
        Ok(Endpoint {
            url: self.config.url.clone(),
            starttls: self.config.starttls,
            tls,
            connect_timeout: self.config.connect_timeout.0,
            op_timeout: self.config.op_timeout.0,
        })
    }

    /// Connects and binds with the configured account.
    pub async fn open_session(&self) -> Result<Session, SourceError> {
        let endpoint = self.endpoint()?;
        let password = self.password.as_ref().map(|p| p.resolve("source")).transpose()?;
        let mut session = Session::open(&endpoint).await?;
        if let (Some(dn), Some(pw)) = (self.config.bind_dn.as_deref(), password.as_ref()) {
            session.bind(dn, pw).await?;
        }
        Ok(session)
    }

    /// Runs one browse request on the shared session, opening it if needed and once more
    /// if it had died (idle timeouts on firewalls are common).
    async fn browsing(&self, request: Browse<'_>) -> Result<Browsed, SourceError> {
        let mut slot = self.browser.lock().await;
        let mut attempt = 0;
        loop {
            if slot.is_none() {
                *slot = Some(self.open_session().await?);
            }
            let session = slot.as_mut().expect("opened above");
            let result = match request {
                Browse::Children(dn) => {
                    browse::children(session, dn, self.config.page_size).await.map(Browsed::Children)
                }
                Browse::Details(dn) => browse::details(session, dn).await.map(Browsed::Details),
            };
            match result {
                Err(SourceError::Ldap(LdapFailure::ConnectionLost { .. })) if attempt == 0 => *slot = None,
                other => return other,
            }
            attempt += 1;
        }
    }

    async fn read(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        let started = Instant::now();
        progress(ReadProgress::Connecting { target: self.describe() });
        let mut session = self.open_session().await?;
        let dse = rootdse::read(&mut session).await?;
        let flavor = dse.flavor();
        progress(ReadProgress::Connected { flavor });
        let query = Query::new(flavor, &self.config, self.member_range_step);
        let (mut objects, pending, count) =
            self.read_objects(&mut session, &query, &progress, &cancel).await.map_err(|e| with_base_hint(e, &dse))?;
        let range_requests = self.complete_ranges(&mut session, &mut objects, &pending, &cancel).await?;
        session.close().await;
        let stats = ReadStats {
            entries: count.entries,
            pages: count.pages,
            referrals: count.referrals,
            range_requests,
            elapsed: started.elapsed(),
        };
        Ok(DirectoryRead { flavor, objects, stats })
    }

    async fn read_objects(
        &self,
        session: &mut Session,
        query: &Query,
        progress: &ProgressFn,
        cancel: &CancellationToken,
    ) -> Result<(Vec<DirObject>, Vec<(usize, PendingRange)>, paged::PageCount), SourceError> {
        let spec = SearchSpec {
            base: &self.config.base_dn.0,
            scope: ldap3::Scope::Subtree,
            filter: &query.filter,
            attrs: &query.attrs,
            page_size: self.config.page_size,
        };
        let mut objects = Vec::new();
        let mut pending = Vec::new();
        let mut keep = |tag| {
            let read = entry::read_object(tag).map_err(SourceError::protocol)?;
            if read.object.class == ObjectClass::Other {
                return Ok(());
            }
            if let Some(next_start) = read.next_member {
                pending.push((objects.len(), PendingRange { dn: read.object.dn.clone(), next_start }));
            }
            objects.push(read.object);
            Ok(())
        };
        let mut on_page = |c: paged::PageCount| progress(ReadProgress::Page { entries: c.entries, pages: c.pages });
        let count = search_paged(session, &spec, cancel, &mut keep, &mut on_page).await?;
        Ok((objects, pending, count))
    }

    async fn complete_ranges(
        &self,
        session: &mut Session,
        objects: &mut [DirObject],
        pending: &[(usize, PendingRange)],
        cancel: &CancellationToken,
    ) -> Result<u32, SourceError> {
        let mut requests = 0;
        for (index, range) in pending {
            if cancel.is_cancelled() {
                return Err(SourceError::Cancelled);
            }
            let more = ranges::count_remaining(session, range, self.member_range_step).await?;
            *objects[*index].member_count.get_or_insert(0) += more;
            requests += 1;
        }
        Ok(requests)
    }
}

/// A missing Base DN is reported with the naming context the server does have.
fn with_base_hint(err: SourceError, dse: &RootDse) -> SourceError {
    match err {
        SourceError::Ldap(LdapFailure::NoSuchBase { base, text, .. }) => {
            let hint = dse.suggested_base().unwrap_or("DC=example,DC=com").to_string();
            SourceError::Ldap(LdapFailure::NoSuchBase { base, text, hint })
        }
        other => other,
    }
}

#[async_trait::async_trait]
impl Source for LdapSource {
    fn describe(&self) -> String {
        let tls = if self.config.starttls { " (StartTLS)" } else { "" };
        format!("{}{tls} {}", self.config.url, self.config.base_dn.0)
    }

    /// Runs on its own thread with a single-threaded runtime: handing every message
    /// between worker threads costs twice the CPU of the read itself (DESIGN.md).
    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        let this = self.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("ldap-reader".into())
            .spawn(move || {
                let result = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| SourceError::ReaderDied(e.to_string()))
                    .and_then(|rt| rt.block_on(this.read(progress, cancel)));
                let _ = tx.send(result);
            })
            .map_err(|e| SourceError::ReaderDied(e.to_string()))?;
        rx.await.unwrap_or_else(|_| Err(SourceError::ReaderDied("reader thread panicked".into())))
    }

    fn root(&self) -> String {
        self.config.base_dn.0.clone()
    }

    async fn children(&self, dn: &str) -> Result<Vec<TreeNode>, SourceError> {
        match self.browsing(Browse::Children(dn)).await? {
            Browsed::Children(nodes) => Ok(nodes),
            Browsed::Details(_) => unreachable!("children requests answer with children"),
        }
    }

    async fn details(&self, dn: &str) -> Result<EntryDetails, SourceError> {
        match self.browsing(Browse::Details(dn)).await? {
            Browsed::Details(details) => Ok(details),
            Browsed::Children(_) => unreachable!("details requests answer with details"),
        }
    }
}
