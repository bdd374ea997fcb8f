//! Server-side state of paged searches (RFC 2696): the cookie names a cursor over a
//! result list computed once, the way AD keeps paged searches per connection.

use std::collections::HashMap;

/// Connections may keep at most this many paged searches open; the oldest goes first.
const MAX_OPEN: usize = 16;

#[derive(Debug, Clone)]
pub struct Cursor {
    pub results: Vec<usize>,
    pub next: usize,
    pub attrs: Vec<String>,
    pub typesonly: bool,
    pub referrals: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Paging {
    issued: u64,
    open: HashMap<Vec<u8>, (u64, Cursor)>,
}

impl Paging {
    /// Stores a cursor with more pages to come; returns its cookie.
    pub fn park(&mut self, cursor: Cursor) -> Vec<u8> {
        if self.open.len() >= MAX_OPEN
            && let Some(oldest) = self.open.iter().min_by_key(|(_, (n, _))| *n).map(|(k, _)| k.clone())
        {
            self.open.remove(&oldest);
        }
        self.issued += 1;
        let cookie = format!("demo-page-{:08x}", self.issued).into_bytes();
        self.open.insert(cookie.clone(), (self.issued, cursor));
        cookie
    }

    /// Takes the cursor a client's cookie names; `None` for a cookie we never issued.
    pub fn resume(&mut self, cookie: &[u8]) -> Option<Cursor> {
        self.open.remove(cookie).map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor { results: vec![1, 2, 3], next: 1, attrs: vec![], typesonly: false, referrals: vec![] }
    }

    #[test]
    fn cookies_resume_once_and_unknown_ones_fail() {
        let mut p = Paging::default();
        let cookie = p.park(cursor());
        assert_eq!(p.resume(&cookie).unwrap().next, 1);
        assert!(p.resume(&cookie).is_none());
        assert!(p.resume(b"forged").is_none());
    }

    #[test]
    fn open_searches_are_bounded() {
        let mut p = Paging::default();
        let first = p.park(cursor());
        for _ in 0..MAX_OPEN {
            p.park(cursor());
        }
        assert_eq!(p.open.len(), MAX_OPEN);
        assert!(p.resume(&first).is_none(), "the oldest cursor was dropped");
    }
}
