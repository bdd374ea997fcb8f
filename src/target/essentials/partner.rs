//! The partner's (service provider's) view: its child organisations, `GET /orgs/{partner}/orgs`,
//! a JSON list of Organization objects (or the same wrapped as `{"orgs":[…]}`). Numbers are
//! read whether the service sends them as numbers or as strings.

use super::client::Call;
use super::discovery::join;
use super::{EssentialsTarget, TargetError};
use crate::model::ChildOrg;
use reqwest::StatusCode;
use serde_json::Value;

impl EssentialsTarget {
    /// The organisations of the partner this target signs in as; only a partner admin may ask.
    pub async fn child_orgs(&self) -> Result<Vec<ChildOrg>, TargetError> {
        let me = self.me().await?;
        if me.is_partner_admin == Some(false) {
            return Err(TargetError::NotPartner {
                user: self.user.clone(),
                kind: me.kind.unwrap_or_else(|| "unknown".into()),
            });
        }
        let call = Call::get(join(self.base_url().await?, &["orgs", &self.domain, "orgs"]));
        let answer = self.client.send(&call).await?;
        if answer.status != StatusCode::OK {
            return Err(self.refusal(&call, &answer, None));
        }
        parse_orgs(&answer.body).map_err(|detail| TargetError::Protocol {
            what: "the partner's organisations cannot be read".into(),
            detail,
        })
    }
}

/// A bare list of organisations, or `{"orgs":[…]}`.
pub fn parse_orgs(body: &[u8]) -> Result<Vec<ChildOrg>, String> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let list = match &doc {
        Value::Array(list) => list,
        Value::Object(map) => map.get("orgs").and_then(Value::as_array).ok_or("expected a list of organisations")?,
        _ => return Err("expected a list of organisations".into()),
    };
    list.iter().map(child).collect()
}

fn child(org: &Value) -> Result<ChildOrg, String> {
    let text = |key: &str| super::org::text(&org[key]);
    Ok(ChildOrg {
        primary_domain: text("primary_domain").ok_or("an organisation without primary_domain")?,
        name: text("name"),
        ldap_url: text("ldap_url"),
        ldap_basedn: text("ldap_basedn"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_are_read_and_blank_text_is_none() {
        let bare =
            br#"[{"primary_domain":"a.example","name":"A","is_active":true,"user_licenses":"50","ldap_url":""}]"#;
        let orgs = parse_orgs(bare).unwrap();
        assert_eq!(orgs[0].primary_domain, "a.example");
        assert_eq!((orgs[0].name.as_deref(), orgs[0].ldap_url.as_deref()), (Some("A"), None));
        let wrapped = br#"{"orgs":[{"primary_domain":"b.example"}]}"#;
        assert_eq!(parse_orgs(wrapped).unwrap()[0].primary_domain, "b.example");
        assert!(parse_orgs(br#"[{"name":"no domain"}]"#).unwrap_err().contains("primary_domain"));
    }
}
