//! The tenant as a tree for the Directory pane: the tenant, then Users and Groups, and each
//! group's direct members below it. Graph has no DNs, so every node gets a path that names
//! it uniquely where it is shown (a member's path starts with its group's), and an index
//! remembers which object each path stands for.

use super::client::{Ctx, GraphClient};
use super::error::GraphError;
use super::mapping::{group_dn, user_dn};
use super::objects::{Group, User};
use super::pages::follow;
use crate::model::{EntryDetails, NodeKind, TreeNode};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

pub const USERS: &str = "users";
pub const GROUPS: &str = "groups";
/// A listing of more than this many children is cut, as for LDAP.
const MAX_CHILDREN: usize = 100_000;
const USER_SELECT: &str = "id,userPrincipalName,displayName,mail,accountEnabled,userType";
const GROUP_SELECT: &str = "id,displayName,mail,mailEnabled";
const MEMBER_SELECT: &str = "id,displayName,userPrincipalName,mail,accountEnabled,userType,mailEnabled";
const USER_DETAILS: &str = "id,userPrincipalName,displayName,givenName,surname,mail,proxyAddresses,accountEnabled,\
     userType,department,jobTitle,companyName,employeeId,createdDateTime,onPremisesSyncEnabled";
const GROUP_DETAILS: &str =
    "id,displayName,description,mail,mailEnabled,securityEnabled,groupTypes,proxyAddresses,visibility,createdDateTime";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Object {
    User(String),
    Group(String),
}

/// A member as `/groups/{id}/members` lists it: any kind of directory object.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    #[serde(rename = "@odata.type", default)]
    odata_type: String,
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    mail: Option<String>,
    account_enabled: Option<bool>,
    user_type: Option<String>,
    mail_enabled: Option<bool>,
}

#[derive(Default)]
pub struct Browser {
    index: Mutex<HashMap<String, Object>>,
}

impl Browser {
    pub async fn children(
        &self,
        client: &GraphClient,
        root: &str,
        dn: &str,
        ctx: &Ctx,
    ) -> Result<Vec<TreeNode>, GraphError> {
        let mut nodes = match dn {
            _ if dn == root => vec![container(USERS, "Users"), container(GROUPS, "Groups")],
            USERS => self.users(client, ctx).await?,
            GROUPS => self.groups(client, ctx).await?,
            _ => self.members(client, dn, ctx).await?,
        };
        nodes
            .sort_by_cached_key(|n| (n.kind != NodeKind::Container, n.kind != NodeKind::Group, n.label.to_lowercase()));
        Ok(nodes)
    }

    async fn users(&self, client: &GraphClient, ctx: &Ctx) -> Result<Vec<TreeNode>, GraphError> {
        let url = client.config.api(&format!("users?$select={USER_SELECT}&$top=999"));
        let users: Vec<User> = listing(client, &url, ctx).await?;
        Ok(users.into_iter().map(|u| self.remember(user_node(user_dn(&u), &u), Object::User(u.id))).collect())
    }

    async fn groups(&self, client: &GraphClient, ctx: &Ctx) -> Result<Vec<TreeNode>, GraphError> {
        let url = client.config.api(&format!("groups?$select={GROUP_SELECT}&$top=999"));
        let groups: Vec<Group> = listing(client, &url, ctx).await?;
        Ok(groups.into_iter().map(|g| self.remember(group_node(group_dn(&g), &g), Object::Group(g.id))).collect())
    }

    async fn members(&self, client: &GraphClient, dn: &str, ctx: &Ctx) -> Result<Vec<TreeNode>, GraphError> {
        let Some(Object::Group(id)) = self.lookup(dn) else {
            return Err(GraphError::State(format!("{dn} is not a group this tree has listed; refresh its parent")));
        };
        let url = client.config.api(&format!("groups/{id}/members?$select={MEMBER_SELECT}&$top=999"));
        let members: Vec<Member> = listing(client, &url, ctx).await?;
        Ok(members.into_iter().map(|m| self.member_node(dn, m)).collect())
    }

    /// A member gets its group's path in front of its own, so it is one row of its own
    /// even when the same user shows under Users or another group too.
    fn member_node(&self, group: &str, m: Member) -> TreeNode {
        let kind = m.odata_type.rsplit('.').next().unwrap_or_default();
        match kind {
            "user" => {
                let user = User {
                    id: m.id,
                    user_principal_name: m.user_principal_name,
                    mail: m.mail,
                    display_name: m.display_name,
                    account_enabled: m.account_enabled,
                    user_type: m.user_type,
                    ..User::default()
                };
                let node = user_node(format!("{group}/members/{}", user_dn(&user)), &user);
                self.remember(node, Object::User(user.id))
            }
            "group" => {
                let g = Group {
                    id: m.id,
                    display_name: m.display_name,
                    mail: m.mail,
                    mail_enabled: m.mail_enabled,
                    ..Group::default()
                };
                let node = group_node(format!("{group}/members/{}", group_dn(&g)), &g);
                self.remember(node, Object::Group(g.id))
            }
            other => TreeNode {
                dn: format!("{group}/members/{}", m.id),
                label: m.display_name.unwrap_or(m.id),
                kind: if other == "orgContact" { NodeKind::Contact } else { NodeKind::Computer },
                mail: m.mail,
                ..TreeNode::default()
            },
        }
    }

    pub async fn details(
        &self,
        client: &GraphClient,
        root: &str,
        dn: &str,
        ctx: &Ctx,
    ) -> Result<EntryDetails, GraphError> {
        let (path, select) = match self.lookup(dn) {
            Some(Object::User(id)) => (format!("users/{id}"), USER_DETAILS),
            Some(Object::Group(id)) => (format!("groups/{id}"), GROUP_DETAILS),
            None => return Ok(about(client, root, dn)),
        };
        let object: serde_json::Map<String, Value> =
            client.get_json(&client.config.api(&format!("{path}?$select={select}")), ctx).await?;
        let attributes = object.into_iter().filter(|(k, _)| !k.contains('@')).filter_map(attribute).collect();
        Ok(EntryDetails { dn: dn.to_string(), attributes })
    }

    fn remember(&self, node: TreeNode, object: Object) -> TreeNode {
        self.index.lock().unwrap_or_else(|e| e.into_inner()).insert(node.dn.clone(), object);
        node
    }

    fn lookup(&self, dn: &str) -> Option<Object> {
        self.index.lock().unwrap_or_else(|e| e.into_inner()).get(dn).cloned()
    }
}

async fn listing<T: serde::de::DeserializeOwned>(
    client: &GraphClient,
    url: &str,
    ctx: &Ctx,
) -> Result<Vec<T>, GraphError> {
    let mut all = Vec::new();
    follow(client, url, ctx, |page: Vec<T>| {
        let room = MAX_CHILDREN.saturating_sub(all.len());
        all.extend(page.into_iter().take(room));
    })
    .await?;
    Ok(all)
}

fn container(dn: &str, label: &str) -> TreeNode {
    TreeNode { dn: dn.into(), label: label.into(), kind: NodeKind::Container, ..TreeNode::default() }
}

fn user_node(dn: String, user: &User) -> TreeNode {
    TreeNode {
        label: user.display_name.clone().unwrap_or_else(|| dn.clone()),
        dn,
        kind: NodeKind::User,
        disabled: user.account_enabled == Some(false),
        guest: user.is_guest(),
        mail: user.mail.clone(),
        ..TreeNode::default()
    }
}

fn group_node(dn: String, group: &Group) -> TreeNode {
    TreeNode {
        label: group.display_name.clone().unwrap_or_else(|| group.id.clone()),
        dn,
        kind: NodeKind::Group,
        mail: group.mail.clone().filter(|_| group.mail_enabled == Some(true)),
        lists_members: true,
        ..TreeNode::default()
    }
}

/// The tenant and its two containers: what they are, with no request.
fn about(client: &GraphClient, root: &str, dn: &str) -> EntryDetails {
    let config = &client.config;
    let attributes = match dn {
        USERS => vec![("lists".to_string(), vec!["every user of the tenant, members and guests".to_string()])],
        GROUPS => vec![("lists".to_string(), vec!["every group; open one for its direct members".to_string()])],
        _ if dn == root => vec![
            ("tenant".to_string(), vec![config.tenant.clone()]),
            ("client_id".to_string(), vec![config.client_id.clone()]),
            ("authority_url".to_string(), vec![config.authority_url.to_string()]),
            ("graph_url".to_string(), vec![config.graph_url.to_string()]),
        ],
        _ => Vec::new(),
    };
    EntryDetails { dn: dn.to_string(), attributes }
}

/// One property as text: lists become several values; empty ones are left out.
fn attribute((name, value): (String, Value)) -> Option<(String, Vec<String>)> {
    let values: Vec<String> = match value {
        Value::Null => return None,
        Value::Array(items) => items.into_iter().map(text).collect(),
        other => vec![text(other)],
    };
    (!values.is_empty()).then_some((name, values))
}

fn text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_rows_of_their_own_below_their_group() {
        let browser = Browser::default();
        let member = |v: Value| serde_json::from_value::<Member>(v).unwrap();
        let ann = browser.member_node(
            "groups/Sales",
            member(json!({"@odata.type": "#microsoft.graph.user", "id": "1", "userPrincipalName": "ann@x.com",
                "displayName": "Ann", "accountEnabled": false, "userType": "Guest"})),
        );
        assert_eq!(
            (ann.dn.as_str(), ann.kind, ann.disabled, ann.guest),
            ("groups/Sales/members/ann@x.com", NodeKind::User, true, true)
        );
        assert_eq!(browser.lookup(&ann.dn), Some(Object::User("1".into())));
        let team = browser.member_node(
            "groups/Sales",
            member(json!({"@odata.type": "#microsoft.graph.group", "id": "2", "displayName": "Team", "mail": "t@x.com", "mailEnabled": true})),
        );
        assert!(team.can_open() && team.mail.as_deref() == Some("t@x.com"));
        let phone =
            browser.member_node("groups/Sales", member(json!({"@odata.type": "#microsoft.graph.device", "id": "3"})));
        assert!(!phone.can_open());
    }

    #[test]
    fn properties_read_as_attribute_lines() {
        assert_eq!(attribute(("mail".into(), json!(null))), None);
        assert_eq!(
            attribute(("accountEnabled".into(), json!(false))),
            Some(("accountEnabled".into(), vec!["false".into()]))
        );
        let proxies = attribute(("proxyAddresses".into(), json!(["SMTP:a@x.com", "smtp:b@x.com"]))).unwrap();
        assert_eq!(proxies.1, ["SMTP:a@x.com", "smtp:b@x.com"]);
    }
}
