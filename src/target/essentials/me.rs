//! `GET /me`: who the credentials belong to and what they may do.

use crate::target::TargetError;
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Me {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub is_admin: Option<bool>,
    #[serde(default)]
    pub read_only_user: Option<bool>,
    /// A service provider's admin, who may act on its child organisations.
    #[serde(default)]
    pub is_partner_admin: Option<bool>,
    #[serde(default)]
    pub entity_primary_domain: Option<String>,
    #[serde(default)]
    pub primary_email: Option<String>,
}

impl Me {
    /// Refuses credentials that could read the organisation but never change it, before the
    /// first write rather than with a 403 in the middle of a run.
    pub fn require_writer(&self, user: &str) -> Result<(), TargetError> {
        if self.read_only_user == Some(true) {
            return Err(TargetError::ReadOnly { user: user.to_string() });
        }
        if self.is_admin == Some(false) {
            let kind = self.kind.clone().unwrap_or_else(|| "unknown".into());
            return Err(TargetError::NotAdmin { user: user.to_string(), kind });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(json: &str) -> Me {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn read_only_and_non_admins_are_refused() {
        let admin = me(r#"{"type":"organization_admin","is_admin":true,"read_only_user":false}"#);
        assert!(admin.require_writer("a@x.com").is_ok());
        let read_only = me(r#"{"type":"organization_admin","is_admin":true,"read_only_user":true}"#);
        assert!(matches!(read_only.require_writer("a@x.com"), Err(TargetError::ReadOnly { .. })));
        let user = me(r#"{"type":"end_user","is_admin":false}"#);
        assert!(user.require_writer("a@x.com").unwrap_err().to_string().contains("type end_user"));
    }
}
