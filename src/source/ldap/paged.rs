//! Searches on an ldap3 session: the paged subtree search (RFC 2696) that is either read to
//! the end or fails, and the base-scope read of one entry.
//!
//! Every page must end with `success`; a size limit, a lost connection, a timeout or a
//! cancel in any page is an error, so a caller never sees a silently shortened result.

use super::entry::{RawEntry, parse_entry};
use super::error::Stage;
use super::session::{Session, op_failure, result_failure};
use super::spin::Spinner;
use crate::source::SourceError;
use ldap3::asn1::{PL, StructureTag, TagClass, Types, parse_tag};
use ldap3::controls::{PagedResults, RawControl};
use ldap3::{ResultEntry, Scope};
use tokio_util::sync::CancellationToken;

pub const PAGED_RESULTS_OID: &str = "1.2.840.113556.1.4.319";

/// What to search for.
pub struct SearchSpec<'a> {
    pub base: &'a str,
    pub scope: Scope,
    pub filter: &'a str,
    pub attrs: &'a [String],
    pub page_size: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageCount {
    pub entries: u64,
    pub pages: u32,
    pub referrals: u32,
}

/// Receives each entry as ldap3 decoded it (its protocol operation), so each caller
/// reduces it to what it needs.
pub type EntrySink<'a> = dyn FnMut(StructureTag) -> Result<(), SourceError> + Send + 'a;

/// Runs the search page by page, handing each entry to `on_entry` and counts to `on_page`.
pub async fn search_paged(
    session: &mut Session,
    spec: &SearchSpec<'_>,
    cancel: &CancellationToken,
    on_entry: &mut EntrySink<'_>,
    on_page: &mut (dyn FnMut(PageCount) + Send),
) -> Result<PageCount, SourceError> {
    let mut count = PageCount::default();
    let mut cookie = Vec::new();
    let mut spinner = Spinner::default();
    loop {
        let next = read_page(session, spec, cookie, cancel, on_entry, &mut count, &mut spinner).await?;
        count.pages += 1;
        on_page(count);
        match next {
            Some(more) => cookie = more,
            None => return Ok(count),
        }
    }
}

/// Only the first page (the diagnostics' sample); `true` when the server has more.
pub async fn first_page(
    session: &mut Session,
    spec: &SearchSpec<'_>,
    on_entry: &mut EntrySink<'_>,
) -> Result<(PageCount, bool), SourceError> {
    let mut count = PageCount { pages: 1, ..PageCount::default() };
    let cancel = CancellationToken::new();
    let mut spinner = Spinner::default();
    let next = read_page(session, spec, Vec::new(), &cancel, on_entry, &mut count, &mut spinner).await?;
    Ok((count, next.is_some()))
}

/// The entry at `dn` itself with the attributes asked for; `None` when the server
/// answered success without it (the account may not see it).
pub async fn read_entry(session: &mut Session, dn: &str, attrs: &[&str]) -> Result<Option<RawEntry>, SourceError> {
    let timeout = session.op_timeout;
    let ldap3::SearchResult(entries, result) = session
        .ldap
        .with_timeout(timeout)
        .search(dn, Scope::Base, "(objectClass=*)", attrs.to_vec())
        .await
        .map_err(|e| op_failure(e, Stage::Entry, 0, timeout))?;
    if result.rc != 0 {
        return Err(result_failure(result.rc, &result.text, 0, dn).into());
    }
    let entry = entries.into_iter().find(|e| !e.is_ref() && !e.is_intermediate());
    entry.map(|e| parse_entry(e.0)).transpose().map_err(SourceError::protocol)
}

/// One page; returns the cookie for the next one, or `None` after the last.
async fn read_page(
    session: &mut Session,
    spec: &SearchSpec<'_>,
    cookie: Vec<u8>,
    cancel: &CancellationToken,
    on_entry: &mut EntrySink<'_>,
    count: &mut PageCount,
    spinner: &mut Spinner,
) -> Result<Option<Vec<u8>>, SourceError> {
    let timeout = session.op_timeout;
    let page = Stage::Page(count.pages + 1);
    let control: RawControl = PagedResults { size: spec.page_size as i32, cookie }.into();
    let mut stream = session
        .ldap
        .with_controls(vec![control])
        .with_timeout(timeout)
        .streaming_search(spec.base, spec.scope, spec.filter, spec.attrs.to_vec())
        .await
        .map_err(|e| op_failure(e, page, count.entries, timeout))?;
    loop {
        let item = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(SourceError::Cancelled),
            item = spinner.wait(stream.next()) => item.map_err(|e| op_failure(e, page, count.entries, timeout))?,
        };
        let Some(item) = item else { break };
        take_item(item, on_entry, count)?;
    }
    let result = stream.finish().await;
    if result.rc != 0 {
        return Err(result_failure(result.rc, &result.text, count.entries, spec.base).into());
    }
    next_cookie(&result.ctrls)
}

fn take_item(item: ResultEntry, on_entry: &mut EntrySink<'_>, count: &mut PageCount) -> Result<(), SourceError> {
    // Referrals (Samba/AD point at DomainDnsZones, Configuration, …) are neither chased nor counted.
    if item.is_ref() {
        count.referrals += 1;
        return Ok(());
    }
    if item.is_intermediate() {
        return Ok(());
    }
    count.entries += 1;
    on_entry(item.0)
}

/// The server's paged-results response control. No control means the server did not
/// page (it sent everything, and said `success`); an empty cookie means the last page.
fn next_cookie(controls: &[ldap3::controls::Control]) -> Result<Option<Vec<u8>>, SourceError> {
    let Some(raw) = controls.iter().map(|c| &c.1).find(|c| c.ctype == PAGED_RESULTS_OID) else {
        return Ok(None);
    };
    let cookie = parse_cookie(raw.val.as_deref().unwrap_or_default()).map_err(SourceError::protocol)?;
    Ok(if cookie.is_empty() { None } else { Some(cookie) })
}

/// `realSearchControlValue ::= SEQUENCE { size INTEGER, cookie OCTET STRING }`, read
/// without ldap3's control parser, which panics on a malformed value.
pub fn parse_cookie(value: &[u8]) -> Result<Vec<u8>, String> {
    let bad = |why: &str| format!("paged results control: {why}");
    let (_, tag) = parse_tag(value).map_err(|_| bad("not BER"))?;
    let parts = match tag {
        StructureTag { class: TagClass::Universal, id, payload: PL::C(parts) } if id == Types::Sequence as u64 => parts,
        _ => return Err(bad("not a sequence")),
    };
    match <[StructureTag; 2]>::try_from(parts) {
        Ok([size, StructureTag { class: TagClass::Universal, id, payload: PL::P(cookie) }])
            if id == Types::OctetString as u64 && size.id == Types::Integer as u64 =>
        {
            Ok(cookie)
        }
        _ => Err(bad("expected a size and a cookie")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_round_trip_through_ldap3_encoding() {
        let raw: RawControl = PagedResults { size: 0, cookie: vec![1, 2, 3] }.into();
        assert_eq!(parse_cookie(raw.val.as_deref().unwrap()).unwrap(), vec![1, 2, 3]);
        let raw: RawControl = PagedResults { size: 5, cookie: vec![] }.into();
        assert!(parse_cookie(raw.val.as_deref().unwrap()).unwrap().is_empty());
    }

    #[test]
    fn malformed_cookies_are_errors_not_panics() {
        for bad in [&[][..], &[0x30, 0x05, 0x02], &[0x04, 0x00], &[0x30, 0x03, 0x02, 0x01, 0x05]] {
            assert!(parse_cookie(bad).is_err(), "{bad:?}");
        }
    }
}
