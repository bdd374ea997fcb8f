//! A complete read of the tenant: in full, or as the changes since the last read merged
//! into its snapshot. Either way the result is the whole tenant or an error.

use super::client::{Ctx, GraphClient};
use super::error::GraphError;
use super::mailbox;
use super::objects::{Change, GROUP_SELECT, Group, Identified, USER_SELECT, User, merged};
use super::pages::{Round, follow, follow_delta};
use super::store::{self, Key, Snapshot};
use crate::model::Flavor;
use crate::source::{ProgressFn, ReadProgress};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use tokio_util::sync::CancellationToken;

/// Member listings fetched at once (one request per page of a group's members).
const MEMBER_LISTINGS_IN_FLIGHT: usize = 8;

/// Why a read was a full one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FullBecause {
    /// No snapshot, or one made with other settings.
    NoSnapshot,
    /// Every `full_read_every`-th read.
    Scheduled,
    /// Graph no longer knew a stored delta link (or gave none at the last full read).
    LinkRejected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    Full(FullBecause),
    Delta,
}

/// What one read did, for the log and the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadReport {
    pub kind: ReadKind,
    /// HTTP requests to Graph and the token endpoint.
    pub requests: u32,
    /// Objects a delta round reported changed or removed (0 for a full read).
    pub changes: usize,
    /// Pages of users, groups and members.
    pub pages: u32,
    /// Of those, pages of group members.
    pub member_pages: u32,
}

/// The read in progress: where it reports, and what it counted.
pub struct Reader<'a> {
    pub client: &'a GraphClient,
    pub ctx: &'a Ctx,
    pub progress: &'a ProgressFn,
    objects: AtomicU64,
    pages: AtomicU32,
    member_pages: AtomicU32,
}

impl<'a> Reader<'a> {
    pub fn new(client: &'a GraphClient, ctx: &'a Ctx, progress: &'a ProgressFn) -> Self {
        Self {
            client,
            ctx,
            progress,
            objects: AtomicU64::new(0),
            pages: AtomicU32::new(0),
            member_pages: AtomicU32::new(0),
        }
    }

    fn page_read(&self, objects: usize) {
        let total = self.objects.fetch_add(objects as u64, Ordering::Relaxed) + objects as u64;
        let pages = self.pages.fetch_add(1, Ordering::Relaxed) + 1;
        (self.progress)(ReadProgress::Page { entries: total, pages });
    }

    pub fn report(&self, kind: ReadKind, changes: usize, requests_before: u32) -> ReadReport {
        ReadReport {
            kind,
            requests: self.client.requests() - requests_before,
            changes,
            pages: self.pages.load(Ordering::Relaxed),
            member_pages: self.member_pages.load(Ordering::Relaxed),
        }
    }

    /// Every object of a collection, in Graph's order.
    async fn all<T: DeserializeOwned>(&self, url: &str) -> Result<Vec<T>, GraphError> {
        let mut all = Vec::new();
        follow(self.client, url, self.ctx, |page: Vec<T>| {
            self.page_read(page.len());
            all.extend(page);
        })
        .await?;
        Ok(all)
    }

    /// A delta link for "now", so the next read asks only for what changes from here on.
    /// Without one (Graph refused the request, or gave none) the read goes on, and the next
    /// read is a full one again.
    async fn latest_link(&self, collection: &str, select: &str) -> Result<Option<String>, GraphError> {
        let url = self.client.config.api(&format!("{collection}/delta?$select={select}&$deltatoken=latest"));
        match follow(self.client, &url, self.ctx, |_: Vec<IgnoredAny>| {}).await {
            Ok(link) => Ok(link),
            Err(GraphError::Refused { status: 400, said, .. }) => {
                tracing::warn!(collection, %said, "Graph gave no delta link: the next read is a full one too");
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// A group's direct members, counted page by page.
    async fn member_count(&self, id: &str) -> Result<u32, GraphError> {
        let url = self.client.config.api(&format!("groups/{id}/members?$select=id&$top=999"));
        let mut count = 0u32;
        follow(self.client, &url, self.ctx, |page: Vec<IgnoredAny>| {
            self.member_pages.fetch_add(1, Ordering::Relaxed);
            count += page.len() as u32;
        })
        .await?;
        Ok(count)
    }

    /// Counts the members of every group in `groups` whose index is in `which`.
    async fn count_members(&self, groups: &mut [Group], which: Vec<usize>) -> Result<(), GraphError> {
        let ids: Vec<(usize, String)> = which.into_iter().map(|k| (k, groups[k].id.clone())).collect();
        let counts: Vec<(usize, u32)> = futures::stream::iter(ids)
            .map(|(k, id)| async move { self.member_count(&id).await.map(|n| (k, n)) })
            .buffer_unordered(MEMBER_LISTINGS_IN_FLIGHT)
            .try_collect()
            .await?;
        for (k, n) in counts {
            groups[k].member_count = Some(n);
        }
        Ok(())
    }

    /// Asks for the mailbox purpose of the users at `which` that have an address.
    async fn detect_purposes(&self, users: &mut [User], which: impl Iterator<Item = usize>) -> Result<(), GraphError> {
        let asked: Vec<usize> = which.filter(|&k| users[k].has_address()).collect();
        let ids = asked.iter().map(|&k| users[k].id.clone()).collect();
        let found = mailbox::purposes(self.client, ids, self.ctx).await?;
        for k in asked {
            users[k].mailbox_purpose = found.get(&users[k].id).copied();
        }
        Ok(())
    }
}

/// The whole tenant: a delta read when the stored snapshot allows one, else a full read; the
/// new snapshot stored for the next read. Runs on a reader thread of its own, so the state
/// file is read and written right here.
pub async fn tenant(
    client: &GraphClient,
    state_dir: &Path,
    progress: &ProgressFn,
    cancel: CancellationToken,
) -> Result<(Snapshot, ReadReport), GraphError> {
    let ctx = Ctx::new(cancel);
    let before = client.requests();
    ctx.until_cancelled(client.sign_in()).await?;
    progress(ReadProgress::Connected { flavor: Flavor::EntraId });
    let reader = Reader::new(client, &ctx, progress);
    let key = Key::of(&client.config);
    let because = match store::load(state_dir, &key) {
        Some(old) if old.delta_reads + 1 < client.config.full_read_every => match delta(&reader, old).await? {
            Some((snapshot, changes)) => {
                store::save(state_dir, &snapshot)?;
                return Ok((snapshot, reader.report(ReadKind::Delta, changes, before)));
            }
            None => FullBecause::LinkRejected,
        },
        Some(_) => FullBecause::Scheduled,
        None => FullBecause::NoSnapshot,
    };
    let snapshot = full(&reader, key).await?;
    store::save(state_dir, &snapshot)?;
    Ok((snapshot, reader.report(ReadKind::Full(because), 0, before)))
}

/// Everything, and delta links to continue from.
pub async fn full(reader: &Reader<'_>, key: Key) -> Result<Snapshot, GraphError> {
    // The links first: whatever changes while the listing runs is then in the next delta.
    // `members` too, so that a change of membership brings the group into the next delta.
    let group_delta_select = format!("{GROUP_SELECT},members");
    let (users_link, groups_link) =
        tokio::try_join!(reader.latest_link("users", USER_SELECT), reader.latest_link("groups", &group_delta_select))?;
    let config = &reader.client.config;
    let users_url = config.api(&format!("users?$select={USER_SELECT}&$top=999"));
    let groups_url = config.api(&format!("groups?$select={GROUP_SELECT}&$top=999"));
    let groups = async {
        let mut groups: Vec<Group> = reader.all(&groups_url).await?;
        let all = (0..groups.len()).collect();
        reader.count_members(&mut groups, all).await?;
        Ok(groups)
    };
    let (mut users, groups) = tokio::try_join!(reader.all::<User>(&users_url), groups)?;
    if key.detect_shared_mailboxes {
        let all = 0..users.len();
        reader.detect_purposes(&mut users, all).await?;
    }
    Ok(Snapshot::new(key, users_link, groups_link, users, groups))
}

/// The changes since `old`, merged into it; `None` when Graph rejected a stored link, or
/// the full read before could not get one.
pub async fn delta(reader: &Reader<'_>, old: Snapshot) -> Result<Option<(Snapshot, usize)>, GraphError> {
    let (Some(users_link), Some(groups_link)) = (&old.users_link, &old.groups_link) else { return Ok(None) };
    let (users_round, groups_round) = tokio::try_join!(changes(reader, users_link), changes(reader, groups_link))?;
    let (Some((user_changes, users_link)), Some((group_changes, groups_link))) = (users_round, groups_round) else {
        return Ok(None);
    };
    let changed = user_changes.len() + group_changes.len();
    let (mut users, touched_users) = apply(old.users, user_changes)?;
    let (mut groups, touched_groups) = apply(old.groups, group_changes)?;
    reader.count_members(&mut groups, touched_groups).await?;
    if old.key.detect_shared_mailboxes {
        reader.detect_purposes(&mut users, touched_users.into_iter()).await?;
    }
    let (users_link, groups_link) = (Some(users_link), Some(groups_link));
    let snapshot = Snapshot { users_link, groups_link, delta_reads: old.delta_reads + 1, users, groups, ..old };
    Ok(Some((snapshot, changed)))
}

/// One delta round: the changes and the next link, or `None` when the link was rejected.
async fn changes(reader: &Reader<'_>, link: &str) -> Result<Option<(Vec<Change>, String)>, GraphError> {
    let mut changes = Vec::new();
    let round = follow_delta(reader.client, link, reader.ctx, |page: Vec<serde_json::Value>| {
        reader.page_read(page.len());
        changes.extend(page.into_iter().filter_map(Change::read));
    })
    .await?;
    match round {
        Round::Done { delta_link } => Ok(Some((changes, delta_link))),
        Round::Rejected { said } => {
            tracing::info!(%said, "Graph rejected the stored delta link: reading in full");
            Ok(None)
        }
    }
}

/// `objects` with `changes` applied, and the positions of the objects that changed.
pub(super) fn apply<T>(mut objects: Vec<T>, changes: Vec<Change>) -> Result<(Vec<T>, Vec<usize>), GraphError>
where
    T: Identified + Serialize + DeserializeOwned + Default + Clone,
{
    let mut at: HashMap<String, usize> = objects.iter().enumerate().map(|(k, o)| (o.id().to_string(), k)).collect();
    // Per object: None unchanged, Some(true) changed, Some(false) removed.
    let mut fate: Vec<Option<bool>> = vec![None; objects.len()];
    for change in changes {
        let known = at.get(change.id()).copied();
        match (change, known) {
            (Change::Removed(_), Some(k)) => fate[k] = Some(false),
            (Change::Removed(_), None) => {}
            (Change::Changed(fields), known) => {
                let object = merged(known.map(|k| &objects[k]), &fields)
                    .map_err(|e| GraphError::BadAnswer { path: "a delta page".into(), detail: e.to_string() })?;
                let k = known.unwrap_or(objects.len());
                if k == objects.len() {
                    at.insert(object.id().to_string(), k);
                    objects.push(object);
                    fate.push(Some(true));
                } else {
                    objects[k] = object;
                    fate[k] = Some(true);
                }
            }
        }
    }
    let mut kept = Vec::with_capacity(objects.len());
    let mut touched = Vec::new();
    for (object, fate) in objects.into_iter().zip(fate) {
        match fate {
            Some(false) => continue,
            Some(true) => touched.push(kept.len()),
            None => {}
        }
        kept.push(object);
    }
    Ok((kept, touched))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(id: &str, mail: &str) -> User {
        User { id: id.into(), mail: Some(mail.into()), ..User::default() }
    }

    #[test]
    fn changes_add_edit_and_remove_and_say_which_changed() {
        let old = vec![user("1", "a@x.com"), user("2", "b@x.com"), user("3", "c@x.com")];
        let changes = [
            json!({"id": "2", "@removed": {"reason": "deleted"}}),
            json!({"id": "3", "mail": "c2@x.com"}),
            json!({"id": "4", "mail": "d@x.com"}),
            json!({"id": "9", "@removed": {"reason": "changed"}}),
        ]
        .into_iter()
        .filter_map(Change::read)
        .collect();
        let (new, touched) = apply(old, changes).unwrap();
        let mails: Vec<&str> = new.iter().map(|u| u.mail.as_deref().unwrap()).collect();
        assert_eq!(mails, ["a@x.com", "c2@x.com", "d@x.com"]);
        assert_eq!(touched, [1, 2]);
    }

    #[test]
    fn a_removed_object_that_comes_back_is_kept() {
        let changes = [json!({"id": "1", "@removed": {"reason": "changed"}}), json!({"id": "1", "mail": "back@x.com"})]
            .into_iter()
            .filter_map(Change::read)
            .collect();
        let (new, touched) = apply(vec![user("1", "a@x.com")], changes).unwrap();
        assert_eq!((new[0].mail.as_deref(), touched.as_slice()), (Some("back@x.com"), &[0][..]));
    }
}
