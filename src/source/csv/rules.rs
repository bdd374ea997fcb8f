//! The checks that decide whether the rows can be used: each row on its own, then the rows
//! against each other. Every bad row is reported, not only the first.

use super::error::{BadLine, BadReason, Field};
use super::layout::RawRow;
use crate::source::classify::normalise_address;
use rustc_hash::FxHashMap;

/// A row that passed: addresses lower-cased, aliases without duplicates or the primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub first_name: String,
    pub last_name: String,
    pub primary: String,
    pub aliases: Vec<String>,
    pub functional: bool,
    pub enabled: bool,
}

pub fn check(raw: Vec<RawRow>) -> Result<Vec<Row>, Vec<BadLine>> {
    let mut bad = Vec::new();
    let mut rows = Vec::with_capacity(raw.len());
    for raw in raw {
        let line = raw.line;
        match row(raw) {
            Ok(row) => rows.push(row),
            Err(reason) => bad.push(BadLine { line, reason }),
        }
    }
    across_rows(&rows, &mut bad);
    if bad.is_empty() {
        return Ok(rows);
    }
    bad.sort_by_key(|b| b.line);
    Err(bad)
}

/// A primary address given twice, and aliases that are another row's primary.
fn across_rows(rows: &[Row], bad: &mut Vec<BadLine>) {
    let mut first_line: FxHashMap<&str, u64> = FxHashMap::default();
    first_line.reserve(rows.len());
    for row in rows {
        if let Some(&first) = first_line.get(row.primary.as_str()) {
            let reason = BadReason::DuplicatePrimary { address: row.primary.clone(), first_line: first };
            bad.push(BadLine { line: row.line, reason });
        } else {
            first_line.insert(&row.primary, row.line);
        }
    }
    for row in rows {
        let taken = row.aliases.iter().find_map(|a| first_line.get(a.as_str()).map(|&l| (a, l)));
        if let Some((alias, primary_line)) = taken {
            let reason = BadReason::AliasIsPrimary { address: alias.clone(), primary_line };
            bad.push(BadLine { line: row.line, reason });
        }
    }
}

fn row(raw: RawRow) -> Result<Row, BadReason> {
    if raw.primary.is_empty() {
        return Err(BadReason::NoPrimary);
    }
    let primary = address(&raw.primary).ok_or(BadReason::Malformed { what: Field::Primary, address: raw.primary })?;
    let mut aliases = Vec::with_capacity(raw.aliases.len());
    for alias in raw.aliases.into_iter().filter(|a| !a.is_empty()) {
        aliases.push(address(&alias).ok_or(BadReason::Malformed { what: Field::Alias, address: alias })?);
    }
    aliases.retain(|a| *a != primary);
    aliases.sort_unstable();
    aliases.dedup();
    Ok(Row {
        line: raw.line,
        first_name: raw.first_name,
        last_name: raw.last_name,
        primary,
        aliases,
        functional: flag(raw.kind, ["functional", "user"], false, |value| BadReason::BadKind { value })?,
        enabled: flag(raw.enabled, ["true", "false"], true, |value| BadReason::BadEnabled { value })?,
    })
}

/// The classifier's notion of an address, with exactly one `@`.
fn address(text: &str) -> Option<String> {
    normalise_address(text).filter(|a| a.bytes().filter(|&b| b == b'@').count() == 1)
}

/// A two-word field: `yes` is true, `no` false, in any case; absent or empty is `absent`, and
/// any other word is `bad` of it as written.
fn flag(
    value: Option<String>,
    [yes, no]: [&str; 2],
    absent: bool,
    bad: fn(String) -> BadReason,
) -> Result<bool, BadReason> {
    match value.as_deref() {
        None | Some("") => Ok(absent),
        Some(word) if word.eq_ignore_ascii_case(yes) => Ok(true),
        Some(word) if word.eq_ignore_ascii_case(no) => Ok(false),
        Some(word) => Err(bad(word.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(line: u64, primary: &str, aliases: &[&str]) -> RawRow {
        RawRow {
            line,
            primary: primary.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..RawRow::default()
        }
    }

    #[test]
    fn aliases_are_lower_cased_and_deduplicated_without_the_primary() {
        let rows = check(vec![raw(1, "Ann@X.com", &["A@x.com", "a@X.COM", "ann@x.com", ""])]).unwrap();
        assert_eq!((rows[0].primary.as_str(), rows[0].aliases.clone()), ("ann@x.com", vec!["a@x.com".to_string()]));
    }

    #[test]
    fn every_bad_row_is_named_with_its_reason() {
        let mut kind = raw(6, "k@x.com", &[]);
        kind.kind = Some("robot".into());
        let bad = check(vec![
            raw(1, "a@x.com", &[]),
            raw(2, "", &[]),
            raw(3, "not-an-address", &[]),
            raw(4, "A@x.com", &[]),
            raw(5, "b@x.com", &["a@x.com"]),
            kind,
            raw(7, "c@x.com", &["c@@x.com"]),
        ])
        .unwrap_err();
        let lines: Vec<String> = bad.iter().map(|b| format!("{}: {}", b.line, b.reason)).collect();
        assert_eq!(
            lines,
            [
                "2: no primary address",
                "3: primary address \"not-an-address\" is not an e-mail address",
                "4: primary address a@x.com is given twice (first on line 1)",
                "5: alias a@x.com is the primary address of line 1",
                "6: kind \"robot\" is neither user nor functional",
                "7: alias \"c@@x.com\" is not an e-mail address",
            ]
        );
    }
}
