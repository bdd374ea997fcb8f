//! LDIF output of the sample company (RFC 2849), so it can be loaded into any directory.

use super::entry::Entry;
use base64::Engine as _;
use std::io::{self, Write};

/// Values that must be base64-encoded: NUL/CR/LF or non-ASCII anywhere, an unsafe first
/// byte (space, colon, less-than), or a trailing space.
fn needs_base64(v: &[u8]) -> bool {
    let Some((&first, _)) = v.split_first() else { return false };
    let safe_init = (0x01..0x80).contains(&first) && !matches!(first, 0x0A | 0x0D | 0x20 | 0x3A | 0x3C);
    !safe_init || v.last() == Some(&b' ') || v.iter().any(|&b| matches!(b, 0x00 | 0x0A | 0x0D) || b >= 0x80)
}

fn write_line(out: &mut dyn Write, name: &str, value: &[u8]) -> io::Result<()> {
    if needs_base64(value) {
        writeln!(out, "{name}:: {}", base64::engine::general_purpose::STANDARD.encode(value))
    } else {
        out.write_all(name.as_bytes())?;
        out.write_all(b": ")?;
        out.write_all(value)?;
        out.write_all(b"\n")
    }
}

pub fn write_entry(out: &mut dyn Write, entry: &Entry) -> io::Result<()> {
    write_line(out, "dn", entry.dn.as_bytes())?;
    for attr in &entry.attrs {
        for value in &attr.values {
            write_line(out, &attr.name, value)?;
        }
    }
    out.write_all(b"\n")
}

pub fn write_all(out: &mut dyn Write, entries: &[Entry]) -> io::Result<()> {
    entries.iter().try_for_each(|e| write_entry(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rules() {
        assert!(!needs_base64(b"plain value"));
        assert!(needs_base64(b" leading space"));
        assert!(needs_base64(b"trailing "));
        assert!(needs_base64(b":colon"));
        assert!(needs_base64("Zoë".as_bytes()));
        assert!(needs_base64(&[0x10, 0x00]));
        assert!(!needs_base64(b""));
    }
}
