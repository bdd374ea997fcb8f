//! Search result entries decoded from BER without panicking, and reduced to [`DirObject`].
//!
//! ldap3's `SearchEntry::construct` panics on malformed input and splits values between
//! two maps by whether they happen to be UTF-8. We take the BER structure as it is: every
//! value stays bytes until we know which attribute it belongs to (objectGUID is binary,
//! the rest is UTF-8 text).

use crate::model::{DirObject, ObjectClass, ObjectId};
use ldap3::asn1::{PL, StructureTag};

/// An entry as the server sent it, values still raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    pub dn: String,
    pub attrs: Vec<RawAttr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAttr {
    pub name: String,
    pub values: Vec<Vec<u8>>,
}

impl RawEntry {
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.attrs
            .iter()
            .filter(move |a| a.name.eq_ignore_ascii_case(name))
            .flat_map(|a| a.values.iter().map(Vec::as_slice))
    }

    pub fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.values(name).map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn first_text(&self, name: &str) -> Option<String> {
        self.texts(name).next()
    }
}

fn constructed(tag: StructureTag, what: &str) -> Result<Vec<StructureTag>, String> {
    match tag.payload {
        PL::C(inner) => Ok(inner),
        PL::P(_) => Err(format!("{what}: expected a constructed element")),
    }
}

fn primitive(tag: StructureTag, what: &str) -> Result<Vec<u8>, String> {
    match tag.payload {
        PL::P(bytes) => Ok(bytes),
        PL::C(_) => Err(format!("{what}: expected a primitive element")),
    }
}

/// Decodes a SearchResultEntry (`[APPLICATION 4]`).
pub fn parse_entry(tag: StructureTag) -> Result<RawEntry, String> {
    if tag.id != 4 {
        return Err(format!("expected a search result entry, got protocol op {}", tag.id));
    }
    let mut parts = constructed(tag, "entry")?.into_iter();
    let dn = primitive(parts.next().ok_or("entry without a DN")?, "DN")?;
    let dn = String::from_utf8(dn).map_err(|_| "DN is not UTF-8".to_string())?;
    let attr_list = constructed(parts.next().ok_or("entry without attributes")?, "attributes")?;
    let attrs = attr_list.into_iter().map(parse_attr).collect::<Result<_, _>>()?;
    Ok(RawEntry { dn, attrs })
}

fn parse_attr(tag: StructureTag) -> Result<RawAttr, String> {
    let mut parts = constructed(tag, "attribute")?.into_iter();
    let name = primitive(parts.next().ok_or("attribute without a name")?, "attribute name")?;
    let name = String::from_utf8(name).map_err(|_| "attribute name is not UTF-8".to_string())?;
    let values = match parts.next() {
        Some(set) => constructed(set, "attribute values")?
            .into_iter()
            .map(|v| primitive(v, "attribute value"))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(RawAttr { name, values })
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn object_class(values: &[Vec<u8>]) -> ObjectClass {
    let has = |name: &str| values.iter().any(|v| v.eq_ignore_ascii_case(name.as_bytes()));
    if has("computer") {
        ObjectClass::Other
    } else if has("user") || has("inetOrgPerson") {
        ObjectClass::User
    } else if has("group") || has("groupOfNames") || has("groupOfUniqueNames") {
        ObjectClass::Group
    } else {
        ObjectClass::Other
    }
}

/// An objectGUID must be 16 bytes; entryUUID is text. The first one found wins, GUID first.
fn read_id(obj: &mut DirObject, name: &str, mut values: Vec<Vec<u8>>) {
    let Some(value) = values.pop() else { return };
    let id = if name.eq_ignore_ascii_case("objectGUID") {
        ObjectId::from_guid_bytes(&value)
    } else if obj.id.is_none() {
        std::str::from_utf8(&value).ok().and_then(ObjectId::parse)
    } else {
        None
    };
    if id.is_some() && (obj.id.is_none() || name.eq_ignore_ascii_case("objectGUID")) {
        obj.id = id;
    }
}

/// Keeps what classification needs and drops the rest.
pub fn to_dir_object(entry: RawEntry) -> DirObject {
    let mut obj = DirObject::new(entry.dn, ObjectClass::Other);
    for attr in entry.attrs {
        apply_attr(&mut obj, attr);
    }
    obj
}

fn apply_attr(obj: &mut DirObject, attr: RawAttr) {
    let RawAttr { name, mut values } = attr;
    let single = |values: &mut Vec<Vec<u8>>| values.pop().map(text);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "objectclass" => obj.class = object_class(&values),
        "objectguid" | "entryuuid" => read_id(obj, &name, values),
        "mail" => obj.mail = values.into_iter().next().map(text),
        "proxyaddresses" => obj.proxy_addresses = values.into_iter().map(text).collect(),
        "givenname" => obj.given_name = single(&mut values),
        "sn" => obj.surname = single(&mut values),
        "displayname" => obj.display_name = single(&mut values),
        "useraccountcontrol" => obj.user_account_control = single(&mut values).and_then(|v| parse_u32(&v)),
        "grouptype" => {
            obj.group_type = single(&mut values).and_then(|v| v.trim().parse::<i64>().ok()).map(|v| v as i32)
        }
        "msexchhidefromaddresslists" => {
            obj.hidden_from_gal = single(&mut values).is_some_and(|v| v.eq_ignore_ascii_case("TRUE"))
        }
        "msexchrecipienttypedetails" => {
            obj.recipient_type_details = single(&mut values).and_then(|v| v.trim().parse().ok())
        }
        _ if lower == "member" || lower.starts_with("member;range=") => {
            *obj.member_count.get_or_insert(0) += values.len() as u32;
        }
        _ => {}
    }
}

/// userAccountControl is a decimal string; some tools write it signed.
fn parse_u32(text: &str) -> Option<u32> {
    let t = text.trim();
    t.parse::<u32>().ok().or_else(|| t.parse::<i64>().ok().map(|v| v as u32))
}

/// `member;range=0-1499` → `Some(Some(1499))`; `member;range=1500-*` → `Some(None)` (last chunk).
pub fn member_range_end(attr_name: &str) -> Option<Option<u32>> {
    let lower = attr_name.to_ascii_lowercase();
    let range = lower.strip_prefix("member;range=")?;
    let (_, end) = range.split_once('-')?;
    if end == "*" { Some(None) } else { end.parse().ok().map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3::asn1::TagClass;

    fn prim(bytes: &[u8]) -> StructureTag {
        StructureTag { class: TagClass::Universal, id: 4, payload: PL::P(bytes.to_vec()) }
    }

    fn seq(id: u64, inner: Vec<StructureTag>) -> StructureTag {
        StructureTag { class: TagClass::Universal, id, payload: PL::C(inner) }
    }

    fn attr(name: &str, values: &[&[u8]]) -> StructureTag {
        seq(16, vec![prim(name.as_bytes()), seq(17, values.iter().map(|v| prim(v)).collect())])
    }

    fn entry(attrs: Vec<StructureTag>) -> StructureTag {
        StructureTag {
            class: TagClass::Application,
            id: 4,
            payload: PL::C(vec![prim(b"cn=Lee\\, Ann,dc=x"), seq(16, attrs)]),
        }
    }

    #[test]
    fn guid_is_read_in_ad_byte_order_even_when_it_looks_like_utf8() {
        // 16 ASCII bytes: valid UTF-8, so ldap3 would have put it in the text map.
        let guid = b"ABCDEFGHIJKLMNOP";
        let raw = parse_entry(entry(vec![attr("objectClass", &[b"user"]), attr("objectGUID", &[guid])])).unwrap();
        let obj = to_dir_object(raw);
        assert_eq!(obj.id.unwrap().to_string(), "44434241-4645-4847-494a-4b4c4d4e4f50");
        assert_eq!(obj.class, ObjectClass::User);
    }

    #[test]
    fn binary_guid_and_text_attributes() {
        let guid = [0x10u8, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88];
        let raw = parse_entry(entry(vec![
            attr("objectClass", &[b"top", b"group"]),
            attr("objectGUID", &[&guid]),
            attr("groupType", &[b"-2147483646"]),
            attr("member;range=0-1", &[b"cn=a", b"cn=b"]),
            attr("msExchHideFromAddressLists", &[b"TRUE"]),
        ]))
        .unwrap();
        let obj = to_dir_object(raw);
        assert_eq!(obj.id.unwrap().to_string(), "76543210-ba98-fedc-ffee-ddccbbaa9988");
        assert_eq!(obj.group_type, Some(-2147483646));
        assert_eq!(obj.member_count, Some(2));
        assert!(obj.hidden_from_gal);
        assert_eq!(obj.dn, "cn=Lee\\, Ann,dc=x");
    }

    #[test]
    fn entry_uuid_is_used_without_object_guid() {
        let raw = parse_entry(entry(vec![attr("entryUUID", &[b"3f2504e0-4f89-11d3-9a0c-0305e82c3301"])])).unwrap();
        assert_eq!(to_dir_object(raw).id.unwrap().to_string(), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    }

    #[test]
    fn malformed_entries_are_errors_not_panics() {
        let bad = StructureTag { class: TagClass::Application, id: 4, payload: PL::P(vec![1, 2]) };
        assert!(parse_entry(bad).is_err());
        let no_attrs = StructureTag { class: TagClass::Application, id: 4, payload: PL::C(vec![prim(b"dc=x")]) };
        assert!(parse_entry(no_attrs).is_err());
        let bad_dn =
            StructureTag { class: TagClass::Application, id: 4, payload: PL::C(vec![prim(&[0xff]), seq(16, vec![])]) };
        assert!(parse_entry(bad_dn).is_err());
    }

    #[test]
    fn range_names() {
        assert_eq!(member_range_end("member;range=0-1499"), Some(Some(1499)));
        assert_eq!(member_range_end("Member;Range=1500-*"), Some(None));
        assert_eq!(member_range_end("member"), None);
    }
}
