//! The objects a classification will sync unless they conflict, numbered in arrival order
//! and stored in fixed-size chunks: growing never moves (or re-faults) what is stored.

use crate::model::DirectoryEntry;

const CHUNK: usize = 4096;

#[derive(Debug, Default)]
pub struct Candidates {
    chunks: Vec<Vec<Option<DirectoryEntry>>>,
    len: usize,
}

impl Candidates {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Stores `entry` and returns its number.
    pub fn push(&mut self, entry: DirectoryEntry) -> u32 {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk with room").push(Some(entry));
        self.len += 1;
        u32::try_from(self.len - 1).expect("fewer than 4 billion directory objects")
    }

    pub fn get(&self, number: u32) -> &DirectoryEntry {
        let n = number as usize;
        self.chunks[n / CHUNK][n % CHUNK].as_ref().expect("a candidate is read before it is taken")
    }

    pub fn take(&mut self, number: u32) -> DirectoryEntry {
        let n = number as usize;
        self.chunks[n / CHUNK][n % CHUNK].take().expect("each candidate is taken once")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(k: usize) -> DirectoryEntry {
        DirectoryEntry { dn: format!("cn={k}"), ..DirectoryEntry::test_user(&format!("u{k}@x.com"), &[]) }
    }

    #[test]
    fn numbers_stay_valid_across_chunks() {
        let mut c = Candidates::default();
        let numbers: Vec<u32> = (0..CHUNK * 2 + 3).map(|k| c.push(entry(k))).collect();
        assert_eq!(numbers[CHUNK * 2 + 2], (CHUNK * 2 + 2) as u32);
        assert_eq!(c.len(), CHUNK * 2 + 3);
        assert_eq!(c.get(CHUNK as u32).dn, format!("cn={CHUNK}"));
        assert_eq!(c.take(CHUNK as u32 + 1).dn, format!("cn={}", CHUNK + 1));
        assert_eq!(c.get(5).primary_email, "u5@x.com");
    }
}
