//! Sample search: the first page of the very search a sync makes (same filter, same
//! attributes, same page size), counted, and timed to its first entry.

use super::probe::Probe;
use super::report::duration_text;
use super::step::Outcome;
use crate::model::{Flavor, ObjectClass};
use crate::source::SourceError;
use crate::source::ldap::entry::{RawEntry, object_class, parse_entry};
use crate::source::ldap::paged::{PageCount, SearchSpec, first_page};
use crate::source::ldap::query::Query;
use crate::source::ldap::session::Session;
use ldap3::Scope;
use std::time::{Duration, Instant};

/// The first page as the server sent it, for the rights rung.
pub(crate) struct Sample {
    pub flavor: Flavor,
    pub entries: Vec<RawEntry>,
}

impl Sample {
    pub fn of(&self, class: ObjectClass) -> impl Iterator<Item = &RawEntry> {
        self.entries.iter().filter(move |e| class_of(e) == class)
    }
}

pub fn class_of(entry: &RawEntry) -> ObjectClass {
    let values: Vec<Vec<u8>> = entry.values("objectClass").map(<[u8]>::to_vec).collect();
    object_class(&values)
}

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    let source = probe.source;
    let flavor = probe.dse.as_ref().map(|d| d.flavor()).unwrap_or(Flavor::Openldap);
    let query = Query::new(flavor, source, None);
    let spec = SearchSpec {
        base: &source.base_dn.0,
        scope: Scope::Subtree,
        filter: &query.filter,
        attrs: &query.attrs,
        page_size: source.page_size,
    };
    let Some(session) = probe.session.as_mut() else {
        return Outcome::skipped("no connection");
    };
    let started = Instant::now();
    let page = match read_page(session, &spec, started).await {
        Ok(page) => page,
        Err(e) => return Outcome::failed(&e).with("filter", query.filter),
    };
    let sample = Sample { flavor, entries: page.entries };
    let outcome = verdict(&sample, page.first, source.page_size)
        .with("filter", query.filter)
        .with("page size", source.page_size.to_string())
        .with("referrals (not followed)", page.count.referrals.to_string())
        .with("first page complete after", duration_text(started.elapsed()))
        .with("more pages", if page.more { "yes" } else { "no" });
    probe.sample = Some(sample);
    outcome
}

struct Page {
    entries: Vec<RawEntry>,
    first: Option<Duration>,
    count: PageCount,
    more: bool,
}

async fn read_page(session: &mut Session, spec: &SearchSpec<'_>, started: Instant) -> Result<Page, SourceError> {
    let mut first: Option<Duration> = None;
    let mut entries = Vec::new();
    let mut keep = |op| {
        first.get_or_insert_with(|| started.elapsed());
        entries.push(parse_entry(op).map_err(SourceError::protocol)?);
        Ok(())
    };
    let (count, more) = first_page(session, spec, &mut keep).await?;
    Ok(Page { entries, first, count, more })
}

fn verdict(sample: &Sample, first: Option<Duration>, page_size: u32) -> Outcome {
    let users = sample.of(ObjectClass::User).count();
    let groups = sample.of(ObjectClass::Group).count();
    let other = sample.entries.len() - users - groups;
    let first = first.map(duration_text).unwrap_or_else(|| "no entry".into());
    let outcome = if users + groups == 0 {
        Outcome::fail(
            "the bind account sees no users or groups under the Base DN: it cannot read the Base DN's contents",
            "grant the bind account read access to the Base DN's contents (AD: Read, applied to \"This object and all descendant objects\"), or point source.base_dn at the OU that holds the users",
        )
    } else {
        Outcome::ok(format!(
            "first page (up to {page_size}): {users} users, {groups} groups; first entry after {first}"
        ))
    };
    outcome
        .with("users", users.to_string())
        .with("groups", groups.to_string())
        .with("other entries", other.to_string())
        .with("first entry after", first)
}
