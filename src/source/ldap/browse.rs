//! Browsing: one level at a time from the Base DN, and every attribute of one entry.
//!
//! The tree view asks often and little, so these share one long-lived bound session
//! (reconnected once if it dropped) instead of paying a TLS handshake per click.

use super::entry::{RawEntry, parse_entry};
use super::paged::{SearchSpec, read_entry, search_paged};
use super::session::Session;
use crate::model::{EntryDetails, NodeKind, ObjectId, TreeNode};
use crate::source::SourceError;
use ldap3::Scope;
use tokio_util::sync::CancellationToken;

const TREE_ATTRS: [&str; 5] = ["objectClass", "userAccountControl", "msExchHideFromAddressLists", "mail", "ou"];
/// A listing of more than this many children is cut (the tree says so); AD OUs can be huge.
pub const MAX_CHILDREN: usize = 100_000;

pub async fn children(session: &mut Session, dn: &str, page_size: u32) -> Result<Vec<TreeNode>, SourceError> {
    let attrs: Vec<String> = TREE_ATTRS.iter().map(|a| a.to_string()).collect();
    let spec = SearchSpec { base: dn, scope: Scope::OneLevel, filter: "(objectClass=*)", attrs: &attrs, page_size };
    let mut nodes = Vec::new();
    let mut keep = |op| {
        if nodes.len() < MAX_CHILDREN {
            nodes.push(tree_node(&parse_entry(op).map_err(SourceError::protocol)?));
        }
        Ok(())
    };
    search_paged(session, &spec, &CancellationToken::new(), &mut keep, &mut |_| {}).await?;
    nodes.sort_by_cached_key(|n| (kind_rank(n.kind), n.label.to_lowercase()));
    Ok(nodes)
}

pub async fn details(session: &mut Session, dn: &str) -> Result<EntryDetails, SourceError> {
    let raw = read_entry(session, dn, &["*"]).await?;
    Ok(readable(raw.ok_or_else(|| SourceError::protocol(format!("{dn} vanished")))?))
}

/// Containers first, then people and groups, each alphabetically.
fn kind_rank(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::Domain | NodeKind::Container => 0,
        NodeKind::Group => 1,
        _ => 2,
    }
}

fn kind_of(classes: &[String]) -> NodeKind {
    let has = |c: &str| classes.iter().any(|v| v.eq_ignore_ascii_case(c));
    if has("computer") {
        NodeKind::Computer
    } else if has("user") || has("inetOrgPerson") {
        NodeKind::User
    } else if has("group") || has("groupOfNames") || has("groupOfUniqueNames") {
        NodeKind::Group
    } else if has("contact") {
        NodeKind::Contact
    } else if has("domainDNS") || has("dcObject") {
        NodeKind::Domain
    } else if has("organizationalUnit") || has("container") || has("builtinDomain") || has("organization") {
        NodeKind::Container
    } else {
        NodeKind::Other
    }
}

fn tree_node(raw: &RawEntry) -> TreeNode {
    let classes: Vec<String> = raw.texts("objectClass").collect();
    let uac: u32 = raw.first_text("userAccountControl").and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    TreeNode {
        dn: raw.dn.clone(),
        label: label(&raw.dn),
        kind: kind_of(&classes),
        disabled: uac & 0x2 != 0,
        hidden: raw.first_text("msExchHideFromAddressLists").is_some_and(|v| v.eq_ignore_ascii_case("TRUE")),
        mail: raw.first_text("mail"),
        ..TreeNode::default()
    }
}

/// `CN=Lee\, Ann,OU=…` → `Lee, Ann`; the whole DN when it has no RDN to show.
pub fn label(dn: &str) -> String {
    crate::dn::first_rdn_value(dn).unwrap_or_else(|| dn.to_string())
}

fn readable(raw: RawEntry) -> EntryDetails {
    let attributes = raw
        .attrs
        .into_iter()
        .map(|a| {
            let values = a.values.iter().map(|v| show_value(&a.name, v)).collect();
            (a.name, values)
        })
        .collect();
    EntryDetails { dn: raw.dn, attributes }
}

fn show_value(name: &str, value: &[u8]) -> String {
    if name.eq_ignore_ascii_case("objectGUID")
        && let Some(id) = ObjectId::from_guid_bytes(value)
    {
        return id.to_string();
    }
    if name.eq_ignore_ascii_case("objectSid")
        && let Some(sid) = sid_string(value)
    {
        return sid;
    }
    match std::str::from_utf8(value) {
        Ok(text) if !text.chars().any(|c| c.is_control() && c != '\t') => text.to_string(),
        _ => format!("(binary, {} bytes) {}", value.len(), hex(&value[..value.len().min(32)])),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The binary SID as AD tools show it: S-1-5-21-…
pub fn sid_string(bytes: &[u8]) -> Option<String> {
    let (&revision, rest) = bytes.split_first()?;
    let (&count, rest) = rest.split_first()?;
    let authority = rest.get(..6)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let subs = rest.get(6..6 + 4 * count as usize)?;
    let mut out = format!("S-{revision}-{authority}");
    for chunk in subs.chunks_exact(4) {
        out.push_str(&format!("-{}", u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_unescape_the_first_rdn() {
        assert_eq!(label("CN=Lee\\, Ann,OU=Sales,DC=x"), "Lee, Ann");
        assert_eq!(label("ou=People,dc=example,dc=com"), "People");
        assert_eq!(label("dc=example,dc=com"), "example");
    }

    #[test]
    fn sids_read_like_windows_shows_them() {
        let mut sid = vec![1u8, 5, 0, 0, 0, 0, 0, 5];
        for s in [21u32, 1111111111, 2222222222, 3333333333, 5001] {
            sid.extend_from_slice(&s.to_le_bytes());
        }
        assert_eq!(sid_string(&sid).unwrap(), "S-1-5-21-1111111111-2222222222-3333333333-5001");
        assert_eq!(sid_string(&[1]), None);
    }

    #[test]
    fn binary_values_are_shown_as_hex() {
        assert_eq!(show_value("jpegPhoto", &[0xff, 0xd8, 0x00]), "(binary, 3 bytes) ffd800");
        assert_eq!(show_value("cn", "Zoë".as_bytes()), "Zoë");
    }
}
