//! Which candidate claims which address, so two objects claiming the same address are found
//! while the read is still running. The table holds (hash, candidate, address number) and
//! looks the text up in the candidates: no address is copied.

use super::candidates::Candidates;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

#[derive(Debug, Default)]
pub struct Claims {
    /// (hash of the address, candidate, address number); the hash is kept so growing the
    /// table never has to read the addresses again.
    table: HashTable<(u64, u32, u32)>,
}

/// Address `k` of a candidate: 0 is the primary address, 1.. the aliases.
fn address(candidates: &Candidates, index: u32, k: u32) -> &str {
    let entry = candidates.get(index);
    if k == 0 { &entry.primary_email } else { &entry.aliases[k as usize - 1] }
}

fn hash(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

impl Claims {
    /// Records every address of candidate `index`; returns the earlier candidates that
    /// already claim one of them (usually none).
    pub fn claim(&mut self, index: u32, candidates: &Candidates) -> Vec<u32> {
        let mut rivals = Vec::new();
        for k in 0..=candidates.get(index).aliases.len() as u32 {
            let text = address(candidates, index, k);
            let h = hash(text);
            let same =
                |&(other_hash, other, j): &(u64, u32, u32)| other_hash == h && address(candidates, other, j) == text;
            match self.table.find(h, same) {
                Some(&(_, other, _)) if other != index => rivals.push(other),
                Some(_) => {}
                None => {
                    self.table.insert_unique(h, (h, index, k), |&(stored, _, _)| stored);
                }
            }
        }
        rivals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DirectoryEntry;

    fn entry(primary: &str, aliases: &[&str]) -> DirectoryEntry {
        DirectoryEntry::test_user(primary, aliases)
    }

    fn store(entries: Vec<DirectoryEntry>) -> Candidates {
        let mut c = Candidates::default();
        entries.into_iter().for_each(|e| {
            c.push(e);
        });
        c
    }

    #[test]
    fn a_second_claim_on_any_address_names_the_first_claimant() {
        let candidates = store(vec![
            entry("a@x.com", &["a2@x.com"]),
            entry("b@x.com", &[]),
            entry("c@x.com", &["a2@x.com", "b@x.com"]),
            entry("d@x.com", &[]),
        ]);
        let mut claims = Claims::default();
        let rivals: Vec<Vec<u32>> = (0..4).map(|i| claims.claim(i, &candidates)).collect();
        assert_eq!(rivals, vec![vec![], vec![], vec![0, 1], vec![]]);
    }

    #[test]
    fn many_addresses_grow_the_table_without_losing_any() {
        let mut candidates =
            store((0..5000).map(|i| entry(&format!("u{i}@x.com"), &[&format!("alias{i}@x.com")])).collect());
        let mut claims = Claims::default();
        assert!((0..5000).all(|i| claims.claim(i, &candidates).is_empty()));
        let new = candidates.push(entry("new@x.com", &["alias4321@x.com"]));
        assert_eq!(claims.claim(new, &candidates), vec![4321]);
    }
}
