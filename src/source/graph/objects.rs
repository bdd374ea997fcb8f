//! Users and groups as Graph sends them (the `$select`ed properties), plus the two facts
//! adsync adds to them (mailbox purpose, member count). The same types are the snapshot
//! kept between delta reads.

use crate::model::MailboxPurpose;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Only what classification needs: a smaller answer is a faster read.
pub const USER_SELECT: &str =
    "id,userPrincipalName,mail,proxyAddresses,givenName,surname,displayName,accountEnabled,userType";
pub const GROUP_SELECT: &str = "id,displayName,mail,mailEnabled,securityEnabled,groupTypes,proxyAddresses";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub proxy_addresses: Vec<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    #[serde(default)]
    pub user_type: Option<String>,
    /// adsync's, from `mailboxSettings` when shared mailbox detection is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox_purpose: Option<MailboxPurpose>,
}

impl User {
    /// Guests are invited from outside the tenant; members belong to it.
    pub fn is_guest(&self) -> bool {
        self.user_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
    }

    /// A user without any address cannot have a mailbox worth asking about.
    pub fn has_address(&self) -> bool {
        self.mail.is_some() || !self.proxy_addresses.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub mail_enabled: Option<bool>,
    #[serde(default)]
    pub security_enabled: Option<bool>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub group_types: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub proxy_addresses: Vec<String>,
    /// adsync's: the direct members, counted from `/groups/{id}/members`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u32>,
}

/// Graph writes `null` for an empty collection on some objects.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// Anything with an object id.
pub trait Identified {
    fn id(&self) -> &str;
}

impl Identified for User {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Group {
    fn id(&self) -> &str {
        &self.id
    }
}

/// One object of a delta page: changed (with at least its changed properties) or removed.
pub enum Change {
    Removed(String),
    Changed(Map<String, Value>),
}

impl Change {
    pub fn read(value: Value) -> Option<Change> {
        let Value::Object(object) = value else { return None };
        let id = object.get("id")?.as_str()?.to_string();
        if object.contains_key("@removed") { Some(Change::Removed(id)) } else { Some(Change::Changed(object)) }
    }

    pub fn id(&self) -> &str {
        match self {
            Change::Removed(id) => id,
            Change::Changed(object) => object.get("id").and_then(Value::as_str).unwrap_or_default(),
        }
    }
}

/// `old` with the properties a delta page sent written over it; a new object when there
/// was none. Annotations (`@odata.type`, `members@delta`) are Graph's, not properties.
pub fn merged<T: Serialize + DeserializeOwned + Default>(
    old: Option<&T>,
    change: &Map<String, Value>,
) -> Result<T, serde_json::Error> {
    let old = match old {
        Some(old) => serde_json::to_value(old)?,
        None => serde_json::to_value(T::default())?,
    };
    let mut object = match old {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in change.iter().filter(|(k, _)| !k.contains('@')) {
        object.insert(key.clone(), value.clone());
    }
    serde_json::from_value(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_delta_change_overwrites_only_what_it_sends() {
        let old = User {
            id: "1".into(),
            user_principal_name: Some("a@x.com".into()),
            mail: Some("a@x.com".into()),
            account_enabled: Some(true),
            mailbox_purpose: Some(MailboxPurpose::Shared),
            ..User::default()
        };
        let Some(Change::Changed(change)) = Change::read(
            json!({"@odata.type": "#microsoft.graph.user", "id": "1", "accountEnabled": false, "mail": null}),
        ) else {
            panic!("a change")
        };
        let new: User = merged(Some(&old), &change).unwrap();
        assert_eq!(new.account_enabled, Some(false));
        assert_eq!(new.mail, None);
        assert_eq!(new.user_principal_name.as_deref(), Some("a@x.com"));
        assert_eq!(new.mailbox_purpose, Some(MailboxPurpose::Shared));
        let fresh: Group = merged(
            None,
            &Change::read(json!({"id": "g", "members@delta": [{"id": "1"}]})).map_or(Map::new(), |c| match c {
                Change::Changed(m) => m,
                Change::Removed(_) => Map::new(),
            }),
        )
        .unwrap();
        assert_eq!(fresh.id, "g");
    }

    #[test]
    fn removals_and_null_collections() {
        let removed = Change::read(json!({"id": "9", "@removed": {"reason": "deleted"}})).unwrap();
        assert!(matches!(removed, Change::Removed(ref id) if id == "9"));
        let user: User = serde_json::from_value(json!({"id": "1", "proxyAddresses": null})).unwrap();
        assert!(user.proxy_addresses.is_empty() && !user.has_address());
        let guest: User = serde_json::from_value(json!({"id": "2", "userType": "Guest"})).unwrap();
        assert!(guest.is_guest());
    }
}
