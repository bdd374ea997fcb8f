//! The objects a classification will sync unless they conflict, numbered in arrival order.
//!
//! One vector, put in order in place at the end: a fresh vector for the sorted result of a
//! large read would have to be faulted in after the read, while growing this one happens
//! during the read, when adsync is waiting for the server anyway (benches/classify.rs).

use crate::model::DirectoryEntry;

#[derive(Debug, Default)]
pub struct Candidates {
    entries: Vec<DirectoryEntry>,
}

impl Candidates {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Stores `entry` and returns its number.
    pub fn push(&mut self, entry: DirectoryEntry) -> u32 {
        self.entries.push(entry);
        u32::try_from(self.entries.len() - 1).expect("fewer than 4 billion directory objects")
    }

    pub fn get(&self, number: u32) -> &DirectoryEntry {
        &self.entries[number as usize]
    }

    /// The entries with entry `n` at position `place[n]`; `place` must be a permutation of
    /// `0..len`. Each swap puts one entry where it belongs, so this is at most `len` swaps.
    pub fn arrange(self, mut place: Vec<u32>) -> Vec<DirectoryEntry> {
        let mut entries = self.entries;
        assert_eq!(place.len(), entries.len(), "one place per candidate");
        for i in 0..entries.len() {
            loop {
                let j = place[i] as usize;
                if j == i {
                    break;
                }
                entries.swap(i, j);
                place.swap(i, j);
            }
        }
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(k: usize) -> DirectoryEntry {
        DirectoryEntry { dn: format!("cn={k}"), ..DirectoryEntry::test_user(&format!("u{k}@x.com"), &[]) }
    }

    fn store(n: usize) -> Candidates {
        let mut c = Candidates::default();
        for k in 0..n {
            assert_eq!(c.push(entry(k)), k as u32);
        }
        c
    }

    #[test]
    fn numbers_are_arrival_order() {
        let c = store(5000);
        assert_eq!(c.len(), 5000);
        assert_eq!(c.get(4097).dn, "cn=4097");
        assert_eq!(c.get(5).primary_email, "u5@x.com");
    }

    #[test]
    fn arrange_puts_every_entry_at_its_place() {
        for n in [0usize, 1, 2, 7, 1000] {
            // A permutation with cycles of many lengths: k -> (k * 7 + 3) mod n when 7 is
            // coprime to n, else the reversal.
            let place: Vec<u32> = if n % 7 != 0 {
                (0..n).map(|k| ((k * 7 + 3) % n) as u32).collect()
            } else {
                (0..n).rev().map(|k| k as u32).collect()
            };
            let arranged = store(n).arrange(place.clone());
            for (k, &p) in place.iter().enumerate() {
                assert_eq!(arranged[p as usize].dn, format!("cn={k}"), "n={n}");
            }
        }
    }
}
