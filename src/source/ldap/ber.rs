//! A zero-copy BER reader for LDAP messages: elements are borrowed slices of the received
//! bytes, so decoding an entry allocates only what the caller keeps.
//!
//! ldap3's decoder builds a tree with a `Vec` per element and then clones the whole tree
//! once more; on a 100,000-entry read that was half of adsync's CPU time (see
//! scripts/bench.sh read). LDAP uses a small subset of BER (RFC 4511 §5.1): definite
//! lengths only, single-byte tags, so this reader stays small.

/// One element: its identifier octet and its contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Element<'a> {
    pub tag: u8,
    pub content: &'a [u8],
}

pub const BOOLEAN: u8 = 0x01;
pub const INTEGER: u8 = 0x02;
pub const OCTET_STRING: u8 = 0x04;
pub const ENUMERATED: u8 = 0x0a;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// `[APPLICATION n]` constructed, as protocol operations are tagged.
pub const fn application(n: u8) -> u8 {
    0x60 | n
}

/// `[n]` context-specific; `constructed` for SEQUENCE-like contents.
pub const fn context(n: u8, constructed: bool) -> u8 {
    0x80 | if constructed { 0x20 } else { 0 } | n
}

/// Reads the elements of a constructed element's contents one after another.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element, or `None` at the end.
    pub fn next_element(&mut self) -> Result<Option<Element<'a>>, String> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (tag, header, len) = header(self.rest)?.ok_or("BER: element cut short")?;
        let end = header.checked_add(len).filter(|end| *end <= self.rest.len()).ok_or("BER: element cut short")?;
        let element = Element { tag, content: &self.rest[header..end] };
        self.rest = &self.rest[end..];
        Ok(Some(element))
    }

    /// The next element, which must be there and carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &str) -> Result<Element<'a>, String> {
        match self.next_element()? {
            Some(e) if e.tag == tag => Ok(e),
            Some(e) => Err(format!("{what}: expected tag {tag:#04x}, got {:#04x}", e.tag)),
            None => Err(format!("{what}: missing")),
        }
    }
}

impl<'a> Element<'a> {
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.content)
    }

    /// INTEGER / ENUMERATED contents as a signed number (at most 8 bytes).
    pub fn integer(&self) -> Result<i64, String> {
        if self.content.is_empty() || self.content.len() > 8 {
            return Err(format!("BER: integer of {} bytes", self.content.len()));
        }
        let negative = self.content[0] & 0x80 != 0;
        let start = if negative { -1i64 } else { 0 };
        Ok(self.content.iter().fold(start, |acc, b| (acc << 8) | i64::from(*b)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.content).into_owned()
    }
}

/// How long the first complete element in `buf` is, header included: `Ok(None)` while more
/// bytes are needed. Used to frame messages on a stream.
pub fn frame_len(buf: &[u8], max: usize) -> Result<Option<usize>, String> {
    let Some((_, header, len)) = header(buf)? else { return Ok(None) };
    let total = header.checked_add(len).filter(|t| *t <= max).ok_or_else(|| {
        format!("message of {len} bytes is larger than the {max}-byte limit (or its length is corrupt)")
    })?;
    Ok((buf.len() >= total).then_some(total))
}

/// (identifier, header length, content length), or `None` if the header is incomplete.
fn header(buf: &[u8]) -> Result<Option<(u8, usize, usize)>, String> {
    let [tag, first, ..] = *buf else { return Ok(None) };
    if tag & 0x1f == 0x1f {
        return Err("BER: multi-byte tags are not used by LDAP".into());
    }
    if first & 0x80 == 0 {
        return Ok(Some((tag, 2, usize::from(first))));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 {
        return Err("BER: indefinite lengths are not allowed in LDAP".into());
    }
    if count > 4 {
        return Err(format!("BER: a {count}-byte length"));
    }
    let Some(bytes) = buf.get(2..2 + count) else { return Ok(None) };
    let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok(Some((tag, 2 + count, len)))
}

/// Writes BER: enough for the requests adsync sends (bind, search, extended, unbind).
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    /// An element whose contents `body` writes; the length is patched in afterwards.
    pub fn element(&mut self, tag: u8, body: impl FnOnce(&mut Writer)) {
        self.bytes.push(tag);
        let at = self.bytes.len();
        body(self);
        let len = self.bytes.len() - at;
        let encoded = length(len);
        self.bytes.splice(at..at, encoded);
    }

    pub fn primitive(&mut self, tag: u8, content: &[u8]) {
        self.bytes.push(tag);
        self.bytes.extend(length(content.len()));
        self.bytes.extend_from_slice(content);
    }

    pub fn integer(&mut self, tag: u8, value: i64) {
        let bytes = value.to_be_bytes();
        // The shortest two's-complement form: drop leading bytes that only repeat the sign.
        let mut start = 0;
        while start < 7 {
            let (b, next) = (bytes[start], bytes[start + 1]);
            let redundant = (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0);
            if !redundant {
                break;
            }
            start += 1;
        }
        self.primitive(tag, &bytes[start..]);
    }

    pub fn boolean(&mut self, value: bool) {
        self.primitive(BOOLEAN, &[if value { 0xff } else { 0x00 }]);
    }
}

/// ldap3's decoded tree, encoded again (browsing and diagnostics hand their few entries to
/// the same decoder as the bulk read; filters are parsed by ldap3 too).
pub fn from_ldap3(tag: ldap3::asn1::StructureTag) -> Vec<u8> {
    let mut buf = bytes::BytesMut::new();
    ldap3::asn1::write::encode_into(&mut buf, tag).expect("writing into memory cannot fail");
    buf.to_vec()
}

fn length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes = (len as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut out = vec![0x80 | (8 - skip) as u8];
    out.extend_from_slice(&bytes[skip..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_in_their_shortest_form() {
        for value in [0i64, 1, 127, 128, 255, 256, -1, -128, -129, 1000, i32::MAX as i64, -2147483646, i64::MIN] {
            let mut w = Writer::default();
            w.integer(INTEGER, value);
            let e = Reader::new(&w.bytes).next_element().unwrap().unwrap();
            assert_eq!(e.integer().unwrap(), value, "{value}: {:02x?}", w.bytes);
        }
        let mut w = Writer::default();
        w.integer(INTEGER, 128);
        assert_eq!(w.bytes, [0x02, 0x02, 0x00, 0x80]);
    }

    #[test]
    fn long_lengths_nest_and_frame() {
        let big = vec![7u8; 70_000];
        let mut w = Writer::default();
        w.element(SEQUENCE, |w| {
            w.primitive(OCTET_STRING, b"dn");
            w.primitive(OCTET_STRING, &big);
        });
        assert_eq!(frame_len(&w.bytes, 1 << 20).unwrap(), Some(w.bytes.len()));
        assert_eq!(frame_len(&w.bytes[..w.bytes.len() - 1], 1 << 20).unwrap(), None);
        assert_eq!(frame_len(&w.bytes[..3], 1 << 20).unwrap(), None, "a partial length is not an error");
        assert!(frame_len(&w.bytes, 1000).is_err(), "over the limit");
        let mut outer = Reader::new(&w.bytes);
        let seq = outer.expect(SEQUENCE, "seq").unwrap();
        let mut inner = seq.reader();
        assert_eq!(inner.expect(OCTET_STRING, "dn").unwrap().content, b"dn");
        assert_eq!(inner.expect(OCTET_STRING, "big").unwrap().content.len(), 70_000);
        assert!(inner.next_element().unwrap().is_none() && outer.is_empty());
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        for bad in
            [&[0x30, 0x05, 0x04][..], &[0x30, 0x80, 0, 0], &[0x1f, 0x01, 0], &[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]]
        {
            let mut r = Reader::new(bad);
            assert!(r.next_element().is_err(), "{bad:02x?}");
        }
        assert!(Element { tag: INTEGER, content: &[] }.integer().is_err());
        assert!(Element { tag: INTEGER, content: &[1; 9] }.integer().is_err());
    }

    #[test]
    fn every_prefix_of_a_message_frames_or_waits_without_panicking() {
        let mut w = Writer::default();
        w.element(SEQUENCE, |w| {
            w.integer(INTEGER, 7);
            w.element(application(4), |w| w.primitive(OCTET_STRING, &[b'x'; 300]));
        });
        for cut in 0..w.bytes.len() {
            assert_eq!(frame_len(&w.bytes[..cut], 1 << 20).unwrap(), None);
        }
    }
}
