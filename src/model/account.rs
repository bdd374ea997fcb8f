//! Accounts as the service holds them, and the roles a sync gives them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The role a new account gets in the service (the seed's "default role").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultRole {
    /// Quarantine digest only, no login.
    #[default]
    SilentUser,
    /// Digest and login.
    EndUser,
}

/// An account's type in the service (its role). Unknown types are kept as written so a
/// read-modify-write never turns a type this version does not know into another one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AccountType {
    EndUser,
    SilentUser,
    FunctionalAccount,
    OrganizationAdmin,
    ChannelAdmin,
    Other(String),
}

impl AccountType {
    pub fn parse(text: &str) -> Self {
        match text {
            "end_user" => Self::EndUser,
            "silent_user" => Self::SilentUser,
            "functional_account" => Self::FunctionalAccount,
            "organization_admin" => Self::OrganizationAdmin,
            "channel_admin" => Self::ChannelAdmin,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::EndUser => "end_user",
            Self::SilentUser => "silent_user",
            Self::FunctionalAccount => "functional_account",
            Self::OrganizationAdmin => "organization_admin",
            Self::ChannelAdmin => "channel_admin",
            Self::Other(text) => text,
        }
    }

    /// Admin types are never touched by a sync. Partner and future admin types count too,
    /// which is why any unknown type mentioning "admin" is included.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::OrganizationAdmin | Self::ChannelAdmin => true,
            Self::Other(text) => text.to_ascii_lowercase().contains("admin"),
            _ => false,
        }
    }
}

impl From<DefaultRole> for AccountType {
    fn from(role: DefaultRole) -> Self {
        match role {
            DefaultRole::SilentUser => Self::SilentUser,
            DefaultRole::EndUser => Self::EndUser,
        }
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AccountType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AccountType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(Self::parse(&text))
    }
}

/// The service's id of an account. Kept in the JSON type the service used (number or string),
/// because it is sent back unchanged on update.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Uid {
    Number(u64),
    Text(String),
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uid::Number(n) => n.fmt(f),
            Uid::Text(t) => t.fmt(f),
        }
    }
}

/// One user as the service holds it. Serde names are the API's field names, so the same
/// type reads the API, the file target and a real export.
///
/// Updates are read-modify-write of the whole object: fields this version does not know are
/// kept in `extra` and sent back unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Uid>,
    pub primary_email: String,
    #[serde(rename = "firstname", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "surname", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Missing only in hand-made files; a type we never saw is not invented on the way back.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// An account without the flag is active, as the service treats it.
    #[serde(default = "active_by_default")]
    pub is_active: bool,
    #[serde(rename = "alias_emails", default)]
    pub aliases: Vec<String>,
    /// The service decides this; it is only read and passed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_billable: Option<bool>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn active_by_default() -> bool {
    true
}

impl Account {
    pub fn new(primary_email: impl Into<String>, account_type: AccountType) -> Self {
        Self {
            uid: None,
            primary_email: primary_email.into(),
            first_name: None,
            last_name: None,
            account_type: Some(account_type),
            is_active: true,
            aliases: Vec::new(),
            is_billable: None,
            extra: serde_json::Map::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.account_type.as_ref().is_some_and(AccountType::is_admin)
    }

    /// The service compares addresses without regard to case.
    pub fn has_email(&self, email: &str) -> bool {
        self.primary_email.eq_ignore_ascii_case(email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn account_reads_api_names_and_keeps_unknown_fields() {
        let raw = json!({"uid": 17, "primary_email": "a@x.com", "firstname": "Ann", "surname": "Lee",
            "type": "partner_admin", "is_active": false, "alias_emails": ["b@x.com"], "is_billable": true,
            "mobile": "+1 555", "settings": {"digest": "daily"}});
        let account: Account = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(account.uid, Some(Uid::Number(17)));
        assert_eq!(account.first_name.as_deref(), Some("Ann"));
        assert_eq!(account.account_type, Some(AccountType::Other("partner_admin".into())));
        assert!(account.is_admin() && !account.is_active);
        assert_eq!(serde_json::to_value(&account).unwrap(), raw);
    }

    #[test]
    fn admin_types() {
        for (text, admin) in [
            ("organization_admin", true),
            ("channel_admin", true),
            ("Reseller_Admin", true),
            ("end_user", false),
            ("silent_user", false),
            ("functional_account", false),
            ("auditor", false),
        ] {
            assert_eq!(AccountType::parse(text).is_admin(), admin, "{text}");
            assert_eq!(AccountType::parse(text).as_str(), text);
        }
    }

    #[test]
    fn a_minimal_account_gets_the_documented_defaults() {
        let account: Account = serde_json::from_str(r#"{"primary_email":"a@x.com","uid":"u-1"}"#).unwrap();
        assert!(account.is_active && account.aliases.is_empty() && account.account_type.is_none());
        assert_eq!(account.uid.unwrap().to_string(), "u-1");
        assert!(Account::new("A@X.com", AccountType::SilentUser).has_email("a@x.COM"));
    }
}
