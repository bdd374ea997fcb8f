//! Search result entries as ldap3 decodes them (a tree of tags), reduced without panicking.
//!
//! ldap3's `SearchEntry::construct` panics on malformed input and splits values between
//! two maps by whether they happen to be UTF-8. We take the tag tree as it is: every value
//! stays bytes until we know which attribute it belongs to (objectGUID is binary, the rest
//! is UTF-8 text), and the tree is consumed, so values move into the result uncopied.

use crate::model::{DirObject, ObjectClass, ObjectId};
use ldap3::asn1::{PL, StructureTag, TagClass, Types};

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

/// The protocol operation number of a search result entry (`[APPLICATION 4]`).
const SEARCH_RESULT_ENTRY: u64 = 4;

/// The parts of a constructed element of the expected class and number.
fn constructed(tag: StructureTag, class: TagClass, id: u64, what: &str) -> Result<Vec<StructureTag>, String> {
    match tag {
        StructureTag { class: c, id: i, payload: PL::C(parts) } if c == class && i == id => Ok(parts),
        _ => Err(format!("{what}: unexpected encoding")),
    }
}

/// The contents of an OCTET STRING.
fn octets(tag: Option<StructureTag>, what: &str) -> Result<Vec<u8>, String> {
    match tag {
        Some(StructureTag { class: TagClass::Universal, id, payload: PL::P(bytes) })
            if id == Types::OctetString as u64 =>
        {
            Ok(bytes)
        }
        Some(_) => Err(format!("{what}: expected an octet string")),
        None => Err(format!("{what}: missing")),
    }
}

/// A SearchResultEntry split into its DN and its attributes, still encoded.
fn split_entry(op: StructureTag) -> Result<(String, Vec<StructureTag>), String> {
    let mut parts = constructed(op, TagClass::Application, SEARCH_RESULT_ENTRY, "search result entry")?.into_iter();
    let dn = String::from_utf8(octets(parts.next(), "entry DN")?).map_err(|_| "DN is not UTF-8".to_string())?;
    let attrs = parts.next().ok_or("entry attributes: missing")?;
    Ok((dn, constructed(attrs, TagClass::Universal, Types::Sequence as u64, "entry attributes")?))
}

/// One attribute: its name and its values' encodings.
fn split_attr(attr: StructureTag) -> Result<(Vec<u8>, Vec<StructureTag>), String> {
    let mut parts = constructed(attr, TagClass::Universal, Types::Sequence as u64, "attribute")?.into_iter();
    let name = octets(parts.next(), "attribute name")?;
    let values = match parts.next() {
        Some(set) => constructed(set, TagClass::Universal, Types::Set as u64, "attribute values")?,
        None => Vec::new(),
    };
    Ok((name, values))
}

/// Every value of an attribute as bytes.
fn value_bytes(values: Vec<StructureTag>) -> Result<Vec<Vec<u8>>, String> {
    values.into_iter().map(|v| octets(Some(v), "attribute value")).collect()
}

/// Decodes an entry keeping every attribute (rootDSE, browsing, range follow-ups, diagnostics).
pub fn parse_entry(op: StructureTag) -> Result<RawEntry, String> {
    let (dn, attr_tags) = split_entry(op)?;
    let mut attrs = Vec::with_capacity(attr_tags.len());
    for attr in attr_tags {
        let (name, values) = split_attr(attr)?;
        let name = String::from_utf8(name).map_err(|_| "attribute name is not UTF-8".to_string())?;
        attrs.push(RawAttr { name, values: value_bytes(values)? });
    }
    Ok(RawEntry { dn, attrs })
}

/// A directory object read from one entry, and where its `member` ranges continue.
#[derive(Debug)]
pub struct ObjectRead {
    pub object: DirObject,
    /// Set when the server sent `member;range=0-N`: the next value to ask for is N+1.
    pub next_member: Option<u32>,
}

/// The hot path of a bulk read: decodes straight into [`DirObject`], touching each value
/// once and never keeping the (possibly tens of thousands of) `member` values.
pub fn read_object(op: StructureTag) -> Result<ObjectRead, String> {
    let (dn, attrs) = split_entry(op)?;
    let mut read = ObjectRead { object: DirObject::new(dn, ObjectClass::Other), next_member: None };
    for attr in attrs {
        let (name, values) = split_attr(attr)?;
        apply_attr(&mut read, &name, values)?;
    }
    Ok(read)
}

/// The bytes of a whole LDAPMessage, decoded by ldap3's BER parser, and its protocol
/// operation read as an entry: the path a server's bytes take, in one call, for the fuzzer
/// and its regression tests.
pub fn read_message(bytes: &[u8]) -> Result<ObjectRead, String> {
    let (_, message) = ldap3::asn1::parse_tag(bytes).map_err(|_| "not a BER element".to_string())?;
    // LDAPMessage ::= SEQUENCE { messageID, protocolOp, controls OPTIONAL }
    let PL::C(mut parts) = message.payload else { return Err("not a message".into()) };
    if parts.len() < 2 {
        return Err("a message without an operation".into());
    }
    let op = parts.swap_remove(1);
    parse_entry(op.clone())?;
    read_object(op)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

pub fn object_class<V: AsRef<[u8]>>(values: &[V]) -> ObjectClass {
    let has = |name: &str| values.iter().any(|v| v.as_ref().eq_ignore_ascii_case(name.as_bytes()));
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

/// objectGUID (16 bytes) wins over entryUUID (text) whichever arrives first.
fn read_id(obj: &mut DirObject, is_guid: bool, value: Option<&[u8]>) {
    let Some(value) = value else { return };
    if is_guid {
        obj.id = ObjectId::from_guid_bytes(value).or(obj.id);
    } else if obj.id.is_none() {
        obj.id = std::str::from_utf8(value).ok().and_then(ObjectId::parse);
    }
}

fn is(name: &[u8], wanted: &str) -> bool {
    name.eq_ignore_ascii_case(wanted.as_bytes())
}

fn apply_attr(read: &mut ObjectRead, name: &[u8], values: Vec<StructureTag>) -> Result<(), String> {
    let obj = &mut read.object;
    if let Some(end) = member_range_end_bytes(name) {
        *obj.member_count.get_or_insert(0) += count_values(&values)?;
        read.next_member = end.map(|e| e + 1);
    } else if is(name, "member") {
        *obj.member_count.get_or_insert(0) += count_values(&values)?;
    } else if is(name, "objectClass") {
        obj.class = object_class(&value_bytes(values)?);
    } else if is(name, "objectGUID") || is(name, "entryUUID") {
        read_id(obj, is(name, "objectGUID"), value_bytes(values)?.first().map(Vec::as_slice));
    } else if is(name, "proxyAddresses") {
        obj.proxy_addresses = value_bytes(values)?.into_iter().map(text).collect();
    } else {
        let first = value_bytes(values)?.into_iter().next().map(text);
        apply_single(obj, name, first);
    }
    Ok(())
}

/// Member values are counted, never kept; each must still be a well-formed value.
fn count_values(values: &[StructureTag]) -> Result<u32, String> {
    let octet_string = |v: &StructureTag| {
        v.class == TagClass::Universal && v.id == Types::OctetString as u64 && matches!(v.payload, PL::P(_))
    };
    if values.iter().all(octet_string) {
        Ok(values.len() as u32)
    } else {
        Err("attribute value: expected an octet string".into())
    }
}

fn apply_single(obj: &mut DirObject, name: &[u8], value: Option<String>) {
    if is(name, "mail") {
        obj.mail = value;
    } else if is(name, "givenName") {
        obj.given_name = value;
    } else if is(name, "sn") {
        obj.surname = value;
    } else if is(name, "displayName") {
        obj.display_name = value;
    } else if is(name, "userAccountControl") {
        obj.user_account_control = value.as_deref().and_then(parse_u32);
    } else if is(name, "groupType") {
        obj.group_type = value.and_then(|v| v.trim().parse::<i64>().ok()).map(|v| v as i32);
    } else if is(name, "msExchHideFromAddressLists") {
        obj.hidden_from_gal = value.is_some_and(|v| v.eq_ignore_ascii_case("TRUE"));
    } else if is(name, "msExchRecipientTypeDetails") {
        obj.recipient_type_details = value.and_then(|v| v.trim().parse().ok());
    }
}

/// userAccountControl is a decimal string; some tools write it signed.
fn parse_u32(text: &str) -> Option<u32> {
    let t = text.trim();
    t.parse::<u32>().ok().or_else(|| t.parse::<i64>().ok().map(|v| v as u32))
}

/// `member;range=0-1499` → `Some(Some(1499))`; `member;range=1500-*` → `Some(None)` (last chunk).
pub fn member_range_end(attr_name: &str) -> Option<Option<u32>> {
    member_range_end_bytes(attr_name.as_bytes())
}

fn member_range_end_bytes(name: &[u8]) -> Option<Option<u32>> {
    const PREFIX: &[u8] = b"member;range=";
    if name.len() <= PREFIX.len() || !name[..PREFIX.len()].eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let range = std::str::from_utf8(&name[PREFIX.len()..]).ok()?;
    let (_, end) = range.split_once('-')?;
    if end == "*" { Some(None) } else { end.parse().ok().map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let obj =
            read_object(entry(vec![attr("objectClass", &[b"user"]), attr("objectGUID", &[guid])])).unwrap().object;
        assert_eq!(obj.id.unwrap().to_string(), "44434241-4645-4847-494a-4b4c4d4e4f50");
        assert_eq!(obj.class, ObjectClass::User);
    }

    #[test]
    fn binary_guid_and_text_attributes() {
        let guid = [0x10u8, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88];
        let read = read_object(entry(vec![
            attr("objectClass", &[b"top", b"group"]),
            attr("objectGUID", &[&guid]),
            attr("groupType", &[b"-2147483646"]),
            attr("member;range=0-1", &[b"cn=a", b"cn=b"]),
            attr("msExchHideFromAddressLists", &[b"TRUE"]),
        ]))
        .unwrap();
        assert_eq!(read.next_member, Some(2));
        let obj = read.object;
        assert_eq!(obj.id.unwrap().to_string(), "76543210-ba98-fedc-ffee-ddccbbaa9988");
        assert_eq!(obj.group_type, Some(-2147483646));
        assert_eq!(obj.member_count, Some(2));
        assert!(obj.hidden_from_gal);
        assert_eq!(obj.dn, "cn=Lee\\, Ann,dc=x");
    }

    #[test]
    fn entry_uuid_is_used_without_object_guid() {
        let read = read_object(entry(vec![attr("entryUUID", &[b"3f2504e0-4f89-11d3-9a0c-0305e82c3301"])])).unwrap();
        assert_eq!(read.object.id.unwrap().to_string(), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
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
