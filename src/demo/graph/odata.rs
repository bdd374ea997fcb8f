//! OData as the look-alike speaks it: `$select`, `$top`, `$skiptoken`, `$deltatoken`, and
//! users, groups and members written with only the selected properties.

use super::tenant::{TenantGroup, TenantUser};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;

/// Graph's default page size, and the most `$top` may ask for.
pub const DEFAULT_TOP: usize = 100;
pub const MAX_TOP: usize = 999;

/// A request's query options.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub params: BTreeMap<String, String>,
}

impl Query {
    pub fn parse(query: Option<&str>) -> Self {
        let params = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
        Self { params }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    pub fn select(&self) -> Select {
        Select(self.get("$select").map(|s| s.split(',').map(|f| f.trim().to_string()).collect()))
    }

    /// Objects per page: `$top` (at most 999), never more than the look-alike's page size.
    pub fn top(&self, page_size: usize) -> usize {
        let asked = self.get("$top").and_then(|t| t.parse().ok()).unwrap_or(DEFAULT_TOP);
        asked.clamp(1, MAX_TOP).min(page_size.max(1))
    }

    /// The same query with `name` set to `value`, as the text of a link.
    pub fn with(&self, name: &str, value: &str) -> String {
        let mut params = self.params.clone();
        params.remove("$skiptoken");
        params.remove("$deltatoken");
        params.insert(name.into(), value.into());
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish()
    }
}

/// `$select`; `None` selects everything. Property names are matched without regard to case.
#[derive(Clone, Debug, Default)]
pub struct Select(Option<Vec<String>>);

impl Select {
    pub fn has(&self, field: &str) -> bool {
        self.0.as_ref().is_none_or(|s| s.iter().any(|f| f.eq_ignore_ascii_case(field)))
    }
}

/// Writes `name` when it is selected.
fn put<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    select: &Select,
    name: &str,
    value: &T,
) -> Result<(), M::Error> {
    if select.has(name) { map.serialize_entry(name, value) } else { Ok(()) }
}

/// A user as Graph writes it, with only the selected properties.
pub struct UserJson<'a> {
    pub user: &'a TenantUser,
    pub select: &'a Select,
    /// Members and delta pages name each object's type.
    pub typed: bool,
}

impl Serialize for UserJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (u, sel) = (self.user, self.select);
        let mut map = s.serialize_map(None)?;
        if self.typed {
            map.serialize_entry("@odata.type", "#microsoft.graph.user")?;
        }
        map.serialize_entry("id", &u.id)?;
        put(&mut map, sel, "userPrincipalName", &u.user_principal_name)?;
        put(&mut map, sel, "mail", &u.mail)?;
        put(&mut map, sel, "proxyAddresses", &u.proxy_addresses)?;
        put(&mut map, sel, "givenName", &u.given_name)?;
        put(&mut map, sel, "surname", &u.surname)?;
        put(&mut map, sel, "displayName", &u.display_name)?;
        put(&mut map, sel, "accountEnabled", &u.account_enabled)?;
        put(&mut map, sel, "userType", &u.user_type)?;
        put(&mut map, sel, "department", &u.department)?;
        put(&mut map, sel, "jobTitle", &u.job_title)?;
        map.end()
    }
}

pub struct GroupJson<'a> {
    pub group: &'a TenantGroup,
    pub select: &'a Select,
    pub typed: bool,
}

impl Serialize for GroupJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (g, sel) = (self.group, self.select);
        let mut map = s.serialize_map(None)?;
        if self.typed {
            map.serialize_entry("@odata.type", "#microsoft.graph.group")?;
        }
        map.serialize_entry("id", &g.id)?;
        put(&mut map, sel, "displayName", &g.display_name)?;
        put(&mut map, sel, "mail", &g.mail)?;
        put(&mut map, sel, "mailEnabled", &g.mail_enabled)?;
        put(&mut map, sel, "securityEnabled", &g.security_enabled)?;
        put(&mut map, sel, "groupTypes", &g.group_types)?;
        put(&mut map, sel, "proxyAddresses", &g.proxy_addresses)?;
        put(&mut map, sel, "description", &g.description)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_limits_the_properties_written() {
        let user =
            TenantUser { id: "1".into(), mail: Some("a@x.com".into()), account_enabled: true, ..TenantUser::default() };
        let q = Query::parse(Some("$select=id,mail&$top=5000"));
        let select = q.select();
        let json = serde_json::to_value(UserJson { user: &user, select: &select, typed: false }).unwrap();
        assert_eq!(json, serde_json::json!({"id": "1", "mail": "a@x.com"}));
        assert_eq!((q.top(10_000), q.top(7)), (999, 7));
        assert!(q.with("$skiptoken", "abc").contains("%24skiptoken=abc"));
    }
}
