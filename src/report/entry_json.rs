//! One `search --json` entry, written by hand. serde_json escapes every string byte by byte
//! through a table, which was most of the time writing 100,000 entries took; addresses, DNs
//! and names almost never need escaping, and finding that out is a loop the compiler
//! vectorises. Anything that does need escaping goes through serde_json. The tests hold this
//! to serde's own output for every field.

use crate::model::DirectoryEntry;
use std::io::{self, Write};

pub fn write_entry(out: &mut impl Write, e: &DirectoryEntry) -> io::Result<()> {
    out.write_all(b"{\"id\":")?;
    match e.id {
        Some(id) => {
            let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
            write_plain(out, id.0.hyphenated().encode_lower(&mut buf))?;
        }
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\"dn\":")?;
    string(out, &e.dn)?;
    out.write_all(b",\"kind\":")?;
    serde_json::to_writer(&mut *out, &e.kind)?;
    out.write_all(b",\"primary_email\":")?;
    string(out, &e.primary_email)?;
    out.write_all(b",\"aliases\":[")?;
    for (k, alias) in e.aliases.iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        string(out, alias)?;
    }
    out.write_all(b"],\"first_name\":")?;
    optional(out, e.first_name.as_deref())?;
    out.write_all(b",\"last_name\":")?;
    optional(out, e.last_name.as_deref())?;
    out.write_all(b",\"display_name\":")?;
    optional(out, e.display_name.as_deref())?;
    write!(out, ",\"enabled\":{},\"hidden\":{},\"member_count\":", e.enabled, e.hidden)?;
    match e.member_count {
        Some(n) => write!(out, "{n}")?,
        None => out.write_all(b"null")?,
    }
    // Only an organisation that merges sources names them (serde skips a `None` too).
    if let Some(source) = &e.source {
        out.write_all(b",\"source\":")?;
        string(out, source)?;
    }
    out.write_all(b"}")
}

/// Starts loading the entry's strings into the cache, without waiting for them. The
/// aliases' own buffers are behind the list's buffer, itself still loading: the first alias
/// is reached through a pointer this asks for, so it is left to the hardware.
pub fn prefetch_strings(e: &DirectoryEntry) {
    prefetch(e.dn.as_ptr());
    prefetch(e.primary_email.as_ptr());
    prefetch(e.aliases.as_ptr().cast());
    for name in [&e.first_name, &e.last_name, &e.display_name].into_iter().flatten() {
        prefetch(name.as_ptr());
    }
}

/// A hint: on other architectures it does nothing.
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
fn prefetch(address: *const u8) {
    // SAFETY: a prefetch reads nothing and cannot fault, whatever the address; SSE, which
    // the instruction needs, is part of every x86_64 CPU.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast())
    };
}

fn optional(out: &mut impl Write, text: Option<&str>) -> io::Result<()> {
    match text {
        Some(text) => string(out, text),
        None => out.write_all(b"null"),
    }
}

fn string(out: &mut impl Write, text: &str) -> io::Result<()> {
    if needs_no_escape(text) { write_plain(out, text) } else { Ok(serde_json::to_writer(&mut *out, text)?) }
}

fn write_plain(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    out.write_all(text.as_bytes())?;
    out.write_all(b"\"")
}

/// JSON must escape `"`, `\` and control characters; everything else, UTF-8 included, is
/// written as it is. No early exit, so the loop vectorises.
fn needs_no_escape(text: &str) -> bool {
    text.bytes().fold(true, |plain, b| plain & (b >= 0x20) & (b != b'"') & (b != b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryKind, ObjectId};

    fn ours(e: &DirectoryEntry) -> String {
        let mut out = Vec::new();
        write_entry(&mut out, e).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn byte_for_byte_what_serde_writes() {
        let awkward =
            ["", "plain", "Lee\\, Ann", "say \"hi\"", "tab\there", "nl\n", "\u{1}\u{1f}", "Ünïcødé ✓", "\u{7f}"];
        let kinds = [EntryKind::User, EntryKind::Functional, EntryKind::SecurityGroup];
        for (k, text) in awkward.iter().enumerate() {
            let full = DirectoryEntry {
                id: ObjectId::parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
                dn: format!("CN={text},DC=x"),
                kind: kinds[k % 3],
                primary_email: format!("a{k}@x.com"),
                aliases: vec![text.to_string(), "b@x.com".into()],
                first_name: Some(text.to_string()),
                last_name: None,
                display_name: Some("D".into()),
                enabled: k % 2 == 0,
                hidden: k % 3 == 0,
                member_count: (k % 2 == 1).then_some(k as u32 * 1000),
                source: (k % 2 == 0).then(|| text.to_string()),
            };
            assert_eq!(ours(&full), serde_json::to_string(&full).unwrap(), "{text:?}");
            let bare = DirectoryEntry::test_user(text, &[]);
            assert_eq!(ours(&bare), serde_json::to_string(&bare).unwrap(), "{text:?}");
        }
    }
}
