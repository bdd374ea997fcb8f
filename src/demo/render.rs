//! Which attributes a search returns, and AD's ranged `member` values.

use super::entry::{Attr, Entry};
use super::rootdse::MAX_VAL_RANGE;
use ldap3_proto::proto::{LdapPartialAttribute, LdapSearchResultEntry};

/// Never returned, whatever is asked (AD never returns unicodePwd either).
const SECRET: [&str; 2] = ["userPassword", "unicodePwd"];

/// What the client asked for in the attribute list.
struct Selection<'a> {
    all_user: bool,
    names: Vec<&'a str>,
}

impl<'a> Selection<'a> {
    fn new(requested: &'a [String]) -> Self {
        let only_none = requested.len() == 1 && requested[0] == "1.1";
        Self {
            all_user: !only_none && (requested.is_empty() || requested.iter().any(|a| a == "*")),
            names: requested.iter().map(String::as_str).filter(|a| *a != "*" && *a != "+" && *a != "1.1").collect(),
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.all_user || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// An explicit `member;range=a-b` request, as (start, end).
    fn range_for(&self, name: &str) -> Option<(usize, Option<usize>)> {
        self.names.iter().find_map(|n| parse_range(n, name))
    }
}

fn parse_range(requested: &str, name: &str) -> Option<(usize, Option<usize>)> {
    let (attr, option) = requested.split_once(';')?;
    if !attr.eq_ignore_ascii_case(name) {
        return None;
    }
    let range = option.strip_prefix("range=").or_else(|| option.strip_prefix("Range="))?;
    let (start, end) = range.split_once('-')?;
    let end = if end == "*" { None } else { Some(end.parse().ok()?) };
    let start = start.parse().ok()?;
    // A range that ends before it starts names no values: like any unknown option, the
    // attribute is not returned (found by fuzzing: it used to panic).
    end.is_none_or(|end| end >= start).then_some((start, end))
}

/// `member;range=start-end` of at most MaxValRange values; the last range ends in `*`.
fn ranged(attr: &Attr, start: usize, end: Option<usize>) -> LdapPartialAttribute {
    let len = attr.values.len();
    let cap_end = start.saturating_add(MAX_VAL_RANGE - 1);
    let last = len.saturating_sub(1);
    let stop = end.unwrap_or(usize::MAX).min(cap_end).min(last);
    let (name_end, vals) = if start >= len {
        ("*".to_string(), Vec::new())
    } else if stop >= last {
        ("*".to_string(), attr.values[start..].to_vec())
    } else {
        (stop.to_string(), attr.values[start..=stop].to_vec())
    };
    LdapPartialAttribute { atype: format!("{};range={start}-{name_end}", attr.name), vals }
}

fn render_attr(attr: &Attr, selection: &Selection<'_>) -> Option<LdapPartialAttribute> {
    if SECRET.iter().any(|s| s.eq_ignore_ascii_case(&attr.name)) {
        return None;
    }
    if let Some((start, end)) = selection.range_for(&attr.name) {
        return Some(ranged(attr, start, end));
    }
    if !selection.wants(&attr.name) {
        return None;
    }
    if attr.values.len() > MAX_VAL_RANGE {
        return Some(ranged(attr, 0, None));
    }
    Some(LdapPartialAttribute { atype: attr.name.clone(), vals: attr.values.clone() })
}

pub fn render_entry(entry: &Entry, requested: &[String], typesonly: bool) -> LdapSearchResultEntry {
    let selection = Selection::new(requested);
    let mut attributes: Vec<LdapPartialAttribute> =
        entry.attrs.iter().filter_map(|a| render_attr(a, &selection)).collect();
    if selection.names.iter().any(|n| n.eq_ignore_ascii_case("distinguishedName")) && !entry.dn.is_empty() {
        attributes.push(LdapPartialAttribute {
            atype: "distinguishedName".into(),
            vals: vec![entry.dn.clone().into_bytes()],
        });
    }
    if typesonly {
        attributes.iter_mut().for_each(|a| a.vals.clear());
    }
    LdapSearchResultEntry { dn: entry.dn.clone(), attributes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(members: usize) -> Entry {
        let mut e = Entry::new("cn=g,dc=x");
        e.add_one("cn", "g").add("member", (0..members).map(|k| format!("cn=u{k},dc=x"))).add_one("userPassword", "s");
        e
    }

    fn names(e: &LdapSearchResultEntry) -> Vec<&str> {
        e.attributes.iter().map(|a| a.atype.as_str()).collect()
    }

    #[test]
    fn selection_star_names_and_none() {
        let e = group(3);
        assert_eq!(names(&render_entry(&e, &[], false)), ["cn", "member"]);
        assert_eq!(names(&render_entry(&e, &["CN".into()], false)), ["cn"]);
        assert!(render_entry(&e, &["1.1".into()], false).attributes.is_empty());
        assert_eq!(names(&render_entry(&e, &["userPassword".into()], false)), Vec::<&str>::new());
        assert!(render_entry(&e, &["*".into()], true).attributes.iter().all(|a| a.vals.is_empty()));
    }

    #[test]
    fn a_range_that_ends_before_it_starts_returns_nothing() {
        let e = group(10);
        assert!(render_entry(&e, &["member;range=4-0".into()], false).attributes.is_empty());
    }

    #[test]
    fn large_member_lists_come_in_ranges() {
        let e = group(3200);
        let first = render_entry(&e, &["member".into()], false);
        assert_eq!(names(&first), ["member;range=0-1499"]);
        assert_eq!(first.attributes[0].vals.len(), 1500);
        let second = render_entry(&e, &["member;range=1500-*".into()], false);
        assert_eq!(names(&second), ["member;range=1500-2999"]);
        let last = render_entry(&e, &["member;range=3000-*".into()], false);
        assert_eq!((names(&last), last.attributes[0].vals.len()), (vec!["member;range=3000-*"], 200));
        let small = render_entry(&group(10), &["member;range=0-3".into()], false);
        assert_eq!(names(&small), ["member;range=0-3"]);
        let tail = render_entry(&group(10), &["member;range=8-20".into()], false);
        assert_eq!(names(&tail), ["member;range=8-*"]);
    }
}
