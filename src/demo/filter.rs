//! Search filter evaluation with Active Directory's semantics.
//!
//! Comparisons follow the attribute's syntax: case-insensitive strings, DNs compared as
//! DNs, integers as numbers, and AD's bitwise matching rules (1.2.840.113556.1.4.803 AND,
//! .804 OR). An absent attribute is simply false, and NOT of false is true, as on AD.

use super::entry::Entry;
use crate::dn::Dn;
use ldap3_proto::proto::{LdapFilter, LdapMatchingRuleAssertion, LdapSubstringFilter};

const RULE_BIT_AND: &str = "1.2.840.113556.1.4.803";
const RULE_BIT_OR: &str = "1.2.840.113556.1.4.804";

/// Attributes whose values are DNs.
const DN_SYNTAX: [&str; 5] = ["member", "memberOf", "manager", "objectCategory", "distinguishedName"];

pub fn matches(entry: &Entry, filter: &LdapFilter) -> bool {
    match filter {
        LdapFilter::And(all) => all.iter().all(|f| matches(entry, f)),
        LdapFilter::Or(any) => any.iter().any(|f| matches(entry, f)),
        LdapFilter::Not(inner) => !matches(entry, inner),
        LdapFilter::Equality(attr, value) | LdapFilter::Approx(attr, value) => equals(entry, attr, value),
        LdapFilter::Substring(attr, parts) => texts(entry, attr).any(|v| substring_matches(&v, parts)),
        LdapFilter::GreaterOrEqual(attr, value) => texts(entry, attr).any(|v| compare(&v, value).is_ge()),
        LdapFilter::LessOrEqual(attr, value) => texts(entry, attr).any(|v| compare(&v, value).is_le()),
        LdapFilter::Present(attr) => attr.eq_ignore_ascii_case("objectClass") || values(entry, attr).next().is_some(),
        LdapFilter::Extensible(rule) => extensible(entry, rule),
    }
}

/// Values of `attr`, including AD's virtual `distinguishedName`.
fn values<'a>(entry: &'a Entry, attr: &str) -> Box<dyn Iterator<Item = &'a [u8]> + 'a> {
    if attr.eq_ignore_ascii_case("distinguishedName") {
        return Box::new(std::iter::once(entry.dn.as_bytes()));
    }
    match entry.get(attr) {
        Some(a) if !attr.eq_ignore_ascii_case("userPassword") => Box::new(a.values.iter().map(Vec::as_slice)),
        _ => Box::new(std::iter::empty()),
    }
}

fn texts<'a>(entry: &'a Entry, attr: &str) -> impl Iterator<Item = String> + 'a {
    values(entry, attr).map(|v| String::from_utf8_lossy(v).into_owned())
}

fn is_dn_syntax(attr: &str) -> bool {
    DN_SYNTAX.iter().any(|a| a.eq_ignore_ascii_case(attr))
}

fn equals(entry: &Entry, attr: &str, wanted: &str) -> bool {
    if attr.eq_ignore_ascii_case("objectCategory") && !wanted.contains('=') {
        // AD accepts the class's short name: (objectCategory=person).
        return texts(entry, attr).any(|v| {
            Dn::parse(&v).ok().and_then(|d| d.first_value().map(str::to_string)).as_deref()
                == Some(&wanted.to_lowercase())
        });
    }
    if is_dn_syntax(attr) {
        let Ok(wanted) = Dn::parse(wanted) else { return false };
        return texts(entry, attr).any(|v| Dn::parse(&v).is_ok_and(|d| d == wanted));
    }
    values(entry, attr).any(|v| value_equals(v, wanted))
}

fn value_equals(stored: &[u8], wanted: &str) -> bool {
    match (parse_int(&String::from_utf8_lossy(stored)), parse_int(wanted)) {
        (Some(a), Some(b)) => a == b,
        _ => {
            stored.eq_ignore_ascii_case(wanted.as_bytes())
                || String::from_utf8_lossy(stored).to_lowercase() == wanted.to_lowercase()
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

fn compare(stored: &str, wanted: &str) -> std::cmp::Ordering {
    match (parse_int(stored), parse_int(wanted)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => stored.to_lowercase().cmp(&wanted.to_lowercase()),
    }
}

fn substring_matches(value: &str, parts: &LdapSubstringFilter) -> bool {
    let value = value.to_lowercase();
    let mut rest = value.as_str();
    if let Some(initial) = &parts.initial {
        let Some(after) = rest.strip_prefix(initial.to_lowercase().as_str()) else { return false };
        rest = after;
    }
    for any in &parts.any {
        let any = any.to_lowercase();
        let Some(at) = rest.find(&any) else { return false };
        rest = &rest[at + any.len()..];
    }
    parts.final_.as_ref().is_none_or(|f| rest.ends_with(&f.to_lowercase()))
}

/// `(attr:1.2.840.113556.1.4.803:=2)` and friends. Unknown rules match nothing.
fn extensible(entry: &Entry, rule: &LdapMatchingRuleAssertion) -> bool {
    let (Some(attr), Some(oid)) = (rule.type_.as_deref(), rule.matching_rule.as_deref()) else { return false };
    let Some(mask) = parse_int(&rule.match_value) else { return false };
    let mask = mask as u32;
    texts(entry, attr).filter_map(|v| parse_int(&v)).map(|v| v as u32).any(|v| match oid {
        RULE_BIT_AND => v & mask == mask,
        RULE_BIT_OR => v & mask != 0,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3_proto::parse_ldap_filter_str;

    fn entry() -> Entry {
        let mut e = Entry::new("cn=Lee\\, Ann,ou=Sales,dc=example,dc=com");
        e.add("objectClass", ["top", "person", "user"])
            .add_one("cn", "Lee, Ann")
            .add_one("mail", "Ann.Lee@Example.com")
            .add_one("userAccountControl", "514")
            .add_one("groupType", "-2147483646")
            .add_one("objectCategory", "CN=Person,CN=Schema,CN=Configuration,dc=example,dc=com")
            .add_one("memberOf", "CN=SG-Sales,OU=Groups,DC=example,DC=com")
            .add_one("userPassword", "secret");
        e
    }

    /// ldap3_proto's text parser knows no escapes; values with `=` go in double quotes.
    fn check(filter: &str) -> bool {
        matches(&entry(), &parse_ldap_filter_str(filter).unwrap())
    }

    #[test]
    fn filter_table() {
        let cases = [
            ("(objectClass=USER)", true),
            ("(mail=ann.lee@example.com)", true),
            ("(mail=ann*)", true),
            ("(mail=*@example.com)", true),
            ("(mail=*lee*exa*)", true),
            ("(mail=*bob*)", false),
            ("(telephoneNumber=*)", false),
            ("(!(telephoneNumber=*))", true),
            ("(&(objectCategory=person)(objectClass=user))", true),
            ("(objectCategory=group)", false),
            ("(objectCategory=\"cn=person,cn=schema,cn=configuration,DC=example,DC=com\")", true),
            ("(userAccountControl:1.2.840.113556.1.4.803:=2)", true),
            ("(userAccountControl:1.2.840.113556.1.4.803:=16)", false),
            ("(userAccountControl:1.2.840.113556.1.4.804:=18)", true),
            ("(groupType:1.2.840.113556.1.4.803:=2147483648)", true),
            ("(userAccountControl>=512)", true),
            ("(userAccountControl<=513)", false),
            ("(memberOf=\"cn=sg-sales,ou=groups,dc=example,dc=com\")", true),
            ("(distinguishedName=\"CN=Lee\\, Ann,OU=Sales,DC=example,DC=com\")", true),
            ("(|(mail=x)(cn=\"lee, ann\"))", true),
            ("(userPassword=secret)", false),
            ("(userAccountControl:9.9.9:=2)", false),
        ];
        for (filter, want) in cases {
            assert_eq!(check(filter), want, "{filter}");
        }
    }
}
