//! Range retrieval for large groups: AD returns at most 1500 `member` values at a time
//! (`member;range=0-1499`), and the rest must be fetched with further base searches.

use super::entry::member_range_end;
use super::paged::read_entry;
use super::session::Session;
use crate::source::SourceError;

/// A group whose `member` values did not all arrive with the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRange {
    pub dn: String,
    pub next_start: u32,
}

/// Bounds the loop even against a server that never says `*`.
const MAX_ROUNDS: u32 = 100_000;

/// Counts the remaining member values of `pending.dn`, range by range.
pub async fn count_remaining(
    session: &mut Session,
    pending: &PendingRange,
    step: Option<u32>,
) -> Result<u32, SourceError> {
    let mut start = pending.next_start;
    let mut total = 0u32;
    for _ in 0..MAX_ROUNDS {
        let attr = match step {
            Some(step) => format!("member;range={start}-{}", start + step.max(1) - 1),
            None => format!("member;range={start}-*"),
        };
        let (count, end) = fetch_range(session, &pending.dn, &attr).await?;
        total += count;
        match end {
            Some(end) if end >= start => start = end + 1,
            Some(_) => {
                return Err(SourceError::protocol(format!("member range for {} went backwards", pending.dn)));
            }
            None => return Ok(total),
        }
    }
    Err(SourceError::protocol(format!("member ranges for {} never ended", pending.dn)))
}

/// One range request: (values received, numeric end or `None` when this was the last range).
async fn fetch_range(session: &mut Session, dn: &str, attr: &str) -> Result<(u32, Option<u32>), SourceError> {
    let Some(entry) = read_entry(session, dn, &[attr]).await? else {
        return Err(SourceError::protocol(format!("group {dn} vanished while its members were read")));
    };
    for a in &entry.attrs {
        if let Some(end) = member_range_end(&a.name) {
            return Ok((a.values.len() as u32, end));
        }
    }
    // No ranged attribute back: the server has no more values for us.
    Ok((0, None))
}
