//! LDAP messages (RFC 4511) for the bulk reader: the few requests it sends, encoded with
//! [`ber::Writer`], and the responses it reads, decoded in place from the received bytes.

use super::super::ber::{self, Element, Reader, Writer};
use super::super::paged::PAGED_RESULTS_OID;
use ldap3::Scope;

pub const BIND_RESPONSE: u8 = ber::application(1);
pub const SEARCH_RESULT_ENTRY: u8 = ber::application(4);
pub const SEARCH_RESULT_DONE: u8 = ber::application(5);
pub const SEARCH_RESULT_REFERENCE: u8 = ber::application(19);
pub const EXTENDED_RESPONSE: u8 = ber::application(24);
pub const INTERMEDIATE_RESPONSE: u8 = ber::application(25);

pub const STARTTLS_OID: &str = "1.3.6.1.4.1.1466.20037";

/// `LDAPMessage ::= SEQUENCE { messageID, protocolOp, controls [0] OPTIONAL }`.
pub fn envelope(id: i32, op: impl FnOnce(&mut Writer), controls: &[Control<'_>]) -> Vec<u8> {
    let mut w = Writer::default();
    w.element(ber::SEQUENCE, |w| {
        w.integer(ber::INTEGER, i64::from(id));
        op(w);
        if !controls.is_empty() {
            w.element(ber::context(0, true), |w| controls.iter().for_each(|c| c.write(w)));
        }
    });
    w.bytes
}

/// A request control.
pub struct Control<'a> {
    pub oid: &'a str,
    pub critical: bool,
    pub value: Vec<u8>,
}

impl Control<'_> {
    fn write(&self, w: &mut Writer) {
        w.element(ber::SEQUENCE, |w| {
            w.primitive(ber::OCTET_STRING, self.oid.as_bytes());
            if self.critical {
                w.boolean(true);
            }
            w.primitive(ber::OCTET_STRING, &self.value);
        });
    }

    /// RFC 2696: `SEQUENCE { size INTEGER, cookie OCTET STRING }`. Not critical, as ldap3
    /// sends it: a server that cannot page answers with its size limit, and that result
    /// code already fails the read.
    pub fn paged(size: u32, cookie: &[u8]) -> Control<'static> {
        let mut w = Writer::default();
        w.element(ber::SEQUENCE, |w| {
            w.integer(ber::INTEGER, i64::from(size));
            w.primitive(ber::OCTET_STRING, cookie);
        });
        Control { oid: PAGED_RESULTS_OID, critical: false, value: w.bytes }
    }
}

/// `BindRequest ::= [APPLICATION 0] SEQUENCE { version, name, simple [0] }`.
pub fn simple_bind(name: &str, password: &[u8]) -> impl FnOnce(&mut Writer) {
    move |w| {
        w.element(ber::application(0), |w| {
            w.integer(ber::INTEGER, 3);
            w.primitive(ber::OCTET_STRING, name.as_bytes());
            w.primitive(ber::context(0, false), password);
        })
    }
}

/// `ExtendedRequest ::= [APPLICATION 23] SEQUENCE { requestName [0] }`.
pub fn extended(oid: &str) -> impl FnOnce(&mut Writer) {
    move |w| w.element(ber::application(23), |w| w.primitive(ber::context(0, false), oid.as_bytes()))
}

/// `UnbindRequest ::= [APPLICATION 2] NULL`.
pub fn unbind(w: &mut Writer) {
    w.primitive(0x42, &[]);
}

/// `SearchRequest ::= [APPLICATION 3] SEQUENCE { … }`; the filter is already encoded.
pub fn search(base: &str, scope: Scope, filter: &[u8], attrs: &[&str]) -> impl FnOnce(&mut Writer) {
    move |w| {
        w.element(ber::application(3), |w| {
            w.primitive(ber::OCTET_STRING, base.as_bytes());
            w.integer(ber::ENUMERATED, scope as i64);
            w.integer(ber::ENUMERATED, 0); // never dereference aliases
            w.integer(ber::INTEGER, 0); // no size limit from us
            w.integer(ber::INTEGER, 0); // no time limit from us
            w.boolean(false); // typesOnly
            w.bytes.extend_from_slice(filter);
            w.element(ber::SEQUENCE, |w| attrs.iter().for_each(|a| w.primitive(ber::OCTET_STRING, a.as_bytes())));
        })
    }
}

/// A search filter in LDAP's string form, encoded with ldap3's filter parser.
pub fn encode_filter(filter: &str) -> Result<Vec<u8>, String> {
    let tag = ldap3::parse_filter(filter).map_err(|_| format!("the search filter {filter} does not parse"))?;
    Ok(ber::from_ldap3(ldap3::asn1::ASNTag::into_structure(tag)))
}

/// A received message, borrowed from the receive buffer.
#[derive(Debug)]
pub struct Message<'a> {
    pub id: i32,
    pub op: Element<'a>,
    controls: Option<Element<'a>>,
}

impl<'a> Message<'a> {
    pub fn parse(frame: &'a [u8]) -> Result<Self, String> {
        let mut outer = Reader::new(frame);
        let mut parts = outer.expect(ber::SEQUENCE, "LDAP message")?.reader();
        let id = parts.expect(ber::INTEGER, "message ID")?.integer()?;
        let id = i32::try_from(id).map_err(|_| format!("message ID {id} out of range"))?;
        let op = parts.next_element()?.ok_or("message without an operation")?;
        // Active Directory puts the OID of a Notice of Disconnection after the operation;
        // only a `[0]` element is controls.
        let controls = parts.next_element()?.filter(|c| c.tag == ber::context(0, true));
        Ok(Self { id, op, controls })
    }

    /// The paged-results cookie the server sent back, if it sent the control.
    pub fn paged_cookie(&self) -> Result<Option<Vec<u8>>, String> {
        let Some(controls) = self.controls else { return Ok(None) };
        let mut list = controls.reader();
        while let Some(control) = list.next_element()? {
            let mut parts = control.reader();
            let oid = parts.expect(ber::OCTET_STRING, "control type")?;
            if oid.content != PAGED_RESULTS_OID.as_bytes() {
                continue;
            }
            let mut next = parts.next_element()?;
            if next.is_some_and(|e| e.tag == ber::BOOLEAN) {
                next = parts.next_element()?; // criticality
            }
            let value = next.filter(|e| e.tag == ber::OCTET_STRING).map(|e| e.content).unwrap_or_default();
            return parse_cookie(value).map(Some);
        }
        Ok(None)
    }
}

/// `realSearchControlValue ::= SEQUENCE { size INTEGER, cookie OCTET STRING }`.
pub fn parse_cookie(value: &[u8]) -> Result<Vec<u8>, String> {
    let bad = |why: &str| format!("paged results control: {why}");
    let seq = Reader::new(value).next_element().map_err(|e| bad(&e))?.ok_or_else(|| bad("empty"))?;
    if seq.tag != ber::SEQUENCE {
        return Err(bad("not a sequence"));
    }
    let mut parts = seq.reader();
    parts.expect(ber::INTEGER, "paged results size").map_err(|e| bad(&e))?;
    Ok(parts.expect(ber::OCTET_STRING, "paged results cookie").map_err(|e| bad(&e))?.content.to_vec())
}

/// `LDAPResult`: the end of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapResult {
    pub rc: u32,
    pub matched: String,
    pub text: String,
}

impl LdapResult {
    pub fn parse(op: Element<'_>) -> Result<Self, String> {
        let mut parts = op.reader();
        let rc = parts.expect(ber::ENUMERATED, "result code")?.integer()?;
        let rc = u32::try_from(rc).map_err(|_| format!("result code {rc} out of range"))?;
        let matched = parts.expect(ber::OCTET_STRING, "matched DN")?.text();
        let text = parts.expect(ber::OCTET_STRING, "diagnostic message")?.text();
        Ok(Self { rc, matched, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3::asn1::{PL, parse_tag};

    /// ldap3's own decoder reads what this module writes.
    fn through_ldap3(bytes: &[u8]) -> ldap3::asn1::StructureTag {
        let (rest, tag) = parse_tag(bytes).unwrap();
        assert!(rest.is_empty());
        tag
    }

    #[test]
    fn a_paged_search_request_is_well_formed() {
        let filter = encode_filter("(&(objectClass=user)(mail=*))").unwrap();
        let bytes = envelope(
            7,
            search("dc=example,dc=com", Scope::Subtree, &filter, &["mail", "sn"]),
            &[Control::paged(1000, b"abc")],
        );
        let PL::C(parts) = through_ldap3(&bytes).payload else { panic!("not constructed") };
        assert_eq!(parts.len(), 3, "id, search, controls");
        assert_eq!((parts[1].class, parts[1].id), (ldap3::asn1::TagClass::Application, 3));
        let PL::C(search) = &parts[1].payload else { panic!() };
        assert_eq!(search.len(), 8);
        assert_eq!(search[0].payload, PL::P(b"dc=example,dc=com".to_vec()));
        let PL::C(controls) = &parts[2].payload else { panic!() };
        let PL::C(control) = &controls[0].payload else { panic!() };
        assert_eq!(control[0].payload, PL::P(PAGED_RESULTS_OID.as_bytes().to_vec()));
        assert_eq!(control.len(), 2, "not critical: no criticality element");
        let PL::P(value) = &control[1].payload else { panic!() };
        assert_eq!(parse_cookie(value).unwrap(), b"abc");
    }

    #[test]
    fn results_and_cookies_are_read_back() {
        let mut w = Writer::default();
        w.element(ber::SEQUENCE, |w| {
            w.integer(ber::INTEGER, 3);
            w.element(SEARCH_RESULT_DONE, |w| {
                w.integer(ber::ENUMERATED, 4);
                w.primitive(ber::OCTET_STRING, b"");
                w.primitive(ber::OCTET_STRING, b"size limit exceeded");
            });
            w.element(ber::context(0, true), |w| Control::paged(0, b"next").write(w));
        });
        let message = Message::parse(&w.bytes).unwrap();
        assert_eq!((message.id, message.op.tag), (3, SEARCH_RESULT_DONE));
        let result = LdapResult::parse(message.op).unwrap();
        assert_eq!((result.rc, result.text.as_str()), (4, "size limit exceeded"));
        assert_eq!(message.paged_cookie().unwrap(), Some(b"next".to_vec()));
    }

    #[test]
    fn garbage_cookies_and_messages_are_errors() {
        assert!(parse_cookie(&[0xff, 0x00]).is_err());
        assert!(parse_cookie(&[]).is_err());
        assert!(parse_cookie(&[0x04, 0x01, 0x00]).is_err());
        assert!(Message::parse(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err(), "no operation");
        assert!(Message::parse(&[0x04, 0x00]).is_err());
        assert!(encode_filter("(unclosed").is_err());
    }

    /// Truncated, flipped and random bytes: every decoder answers with an error or a value,
    /// never a panic (a hostile or broken server cannot crash the reader).
    #[test]
    fn mangled_messages_never_panic() {
        let mut w = Writer::default();
        w.element(ber::SEQUENCE, |w| {
            w.integer(ber::INTEGER, 9);
            w.element(SEARCH_RESULT_ENTRY, |w| {
                w.primitive(ber::OCTET_STRING, b"cn=Lee\\, Ann,dc=x");
                w.element(ber::SEQUENCE, |w| {
                    for (name, value) in
                        [("objectClass", &b"user"[..]), ("mail", b"a@x.com"), ("member;range=0-1", b"cn=b")]
                    {
                        w.element(ber::SEQUENCE, |w| {
                            w.primitive(ber::OCTET_STRING, name.as_bytes());
                            w.element(ber::SET, |w| w.primitive(ber::OCTET_STRING, value));
                        });
                    }
                });
            });
            w.element(ber::context(0, true), |w| Control::paged(5, b"c").write(w));
        });
        let good = w.bytes;
        let decode = |bytes: &[u8]| {
            if let Ok(m) = Message::parse(bytes) {
                let _ = m.paged_cookie();
                let _ = LdapResult::parse(m.op);
                let _ = super::super::super::entry::read_object(m.op);
                let _ = super::super::super::entry::parse_entry(m.op);
            }
            let _ = ber::frame_len(bytes, 1 << 20);
        };
        decode(&good);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            match rng.u8(0..3) {
                0 => bytes.truncate(rng.usize(0..good.len())),
                1 => {
                    let at = rng.usize(0..bytes.len());
                    bytes[at] = rng.u8(..);
                }
                _ => bytes = (0..rng.usize(0..64)).map(|_| rng.u8(..)).collect(),
            }
            decode(&bytes);
        }
    }
}
