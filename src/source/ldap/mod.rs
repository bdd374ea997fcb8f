//! The LDAP source: Active Directory, Samba AD and OpenLDAP, all read through ldap3
//! sessions (`session`): the bulk read, browsing and the diagnostics share one connection
//! path, one bind, one paging loop and one error mapping.

pub mod browse;
pub mod entry;
pub mod error;
pub mod paged;
pub mod query;
pub mod ranges;
pub mod rootdse;
pub mod session;
mod spin;
pub mod tls;

use super::classify::{Classifier, Policy};
use super::{DirectoryRead, ObjectSink, ProgressFn, ReadProgress, Source, SourceError};
use crate::config::{LdapConfig, SecretSource};
use crate::model::{ClassifiedRead, DirObject, EntryDetails, Flavor, ObjectClass, ReadStats, TreeNode};
use error::LdapFailure;
use paged::SearchSpec;
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
    config: LdapConfig,
    password: Option<SecretSource>,
    /// Ask for members in explicit ranges of this size (tests use it on servers that
    /// would otherwise hand out every member at once).
    pub member_range_step: Option<u32>,
    /// The bound session browsing reuses (shared by clones).
    browser: Arc<tokio::sync::Mutex<Option<Session>>>,
}

impl LdapSource {
    pub fn new(config: &LdapConfig, password: Option<SecretSource>) -> Self {
        Self { config: config.clone(), password, member_range_step: None, browser: Arc::default() }
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

    /// The bind DN and its password, when the config names an account (else: anonymous).
    fn credentials(&self) -> Result<Option<(&str, secrecy::SecretString)>, SourceError> {
        let password = self.password.as_ref().map(|p| p.resolve("source")).transpose()?;
        Ok(self.config.bind_dn.as_deref().zip(password))
    }

    /// Connects and binds with the configured account.
    pub async fn open_session(&self) -> Result<Session, SourceError> {
        let mut session = Session::open(&self.endpoint()?).await?;
        if let Some((dn, password)) = self.credentials()? {
            session.bind(dn, &password).await?;
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

    /// Reads everything into `sink`, object by object; complete or an error.
    async fn read_into(
        &self,
        progress: ProgressFn,
        cancel: CancellationToken,
        sink: &mut dyn ObjectSink,
    ) -> Result<(Flavor, ReadStats), SourceError> {
        let started = Instant::now();
        progress(ReadProgress::Connecting { target: self.describe() });
        let mut session = self.open_session().await?;
        let dse = rootdse::read(&mut session).await?;
        let flavor = dse.flavor();
        progress(ReadProgress::Connected { flavor });
        let query = Query::new(flavor, &self.config, self.member_range_step);
        let (mut pending, count) = self
            .read_objects(&mut session, &query, sink, &progress, &cancel)
            .await
            .map_err(|e| with_base_hint(e, &dse))?;
        let range_requests = self.complete_ranges(&mut session, &mut pending, &cancel).await?;
        pending.into_iter().for_each(|(object, _)| sink.push(object));
        session.close().await;
        let stats = ReadStats {
            entries: count.entries,
            pages: count.pages,
            referrals: count.referrals,
            range_requests,
            elapsed: started.elapsed(),
        };
        Ok((flavor, stats))
    }

    /// The paged search. Objects go to `sink` as they are decoded, except groups whose
    /// members continue in further ranges: those are returned to be completed first.
    async fn read_objects(
        &self,
        session: &mut Session,
        query: &Query,
        sink: &mut dyn ObjectSink,
        progress: &ProgressFn,
        cancel: &CancellationToken,
    ) -> Result<(Vec<(DirObject, PendingRange)>, paged::PageCount), SourceError> {
        let spec = SearchSpec {
            base: &self.config.base_dn.0,
            scope: ldap3::Scope::Subtree,
            filter: &query.filter,
            attrs: &query.attrs,
            page_size: self.config.page_size,
        };
        let mut pending = Vec::new();
        let mut keep = |op| {
            let read = entry::read_object(op).map_err(SourceError::protocol)?;
            match read.next_member {
                _ if read.object.class == ObjectClass::Other => {}
                Some(next_start) => {
                    let range = PendingRange { dn: read.object.dn.clone(), next_start };
                    pending.push((read.object, range));
                }
                None => sink.push(read.object),
            }
            Ok(())
        };
        let mut on_page = |c: paged::PageCount| progress(ReadProgress::Page { entries: c.entries, pages: c.pages });
        let count = paged::search_paged(session, &spec, cancel, &mut keep, &mut on_page).await?;
        Ok((pending, count))
    }

    async fn complete_ranges(
        &self,
        session: &mut Session,
        pending: &mut [(DirObject, PendingRange)],
        cancel: &CancellationToken,
    ) -> Result<u32, SourceError> {
        let mut requests = 0;
        for (object, range) in pending {
            if cancel.is_cancelled() {
                return Err(SourceError::Cancelled);
            }
            let more = ranges::count_remaining(session, range, self.member_range_step).await?;
            *object.member_count.get_or_insert(0) += more;
            requests += 1;
        }
        Ok(requests)
    }

    /// Runs `read_into` on its own thread with a single-threaded runtime: on a multi-thread
    /// runtime every message ldap3's connection task decodes is handed to another thread,
    /// which costs more CPU than the read itself.
    /// The sink goes along, and `finish` turns it into the result on the same thread, where
    /// the objects were just written, instead of a hop to the blocking pool.
    async fn read_on_thread<S, T>(
        &self,
        progress: ProgressFn,
        cancel: CancellationToken,
        mut sink: S,
        finish: impl FnOnce(S) -> T + Send + 'static,
    ) -> Result<(T, Flavor, ReadStats), SourceError>
    where
        S: ObjectSink + 'static,
        T: Send + 'static,
    {
        let this = self.clone();
        super::on_reader_thread("ldap-reader", move || async move {
            let (flavor, stats) = this.read_into(progress, cancel, &mut sink).await?;
            Ok((finish(sink), flavor, stats))
        })
        .await
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

    async fn read_all(&self, progress: ProgressFn, cancel: CancellationToken) -> Result<DirectoryRead, SourceError> {
        let (objects, flavor, stats) = self.read_on_thread(progress, cancel, Vec::new(), |objects| objects).await?;
        Ok(DirectoryRead { flavor, objects, stats })
    }

    /// Classifies on the reader thread while the server sends: on a large directory the
    /// server, not adsync, is then what a read waits for.
    async fn read_classified(
        &self,
        progress: ProgressFn,
        cancel: CancellationToken,
        policy: Policy,
    ) -> Result<ClassifiedRead, SourceError> {
        let (classification, flavor, stats) =
            self.read_on_thread(progress, cancel, Classifier::new(policy), Classifier::finish).await?;
        Ok(ClassifiedRead { flavor, classification, stats })
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
