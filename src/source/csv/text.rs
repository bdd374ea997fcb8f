//! The file's bytes as text: UTF-8, with or without a byte-order mark.

/// UTF-8's byte-order mark, which spreadsheets write at the start of a "CSV UTF-8" file.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text, or the number of the first line with bytes that are not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, u64> {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    std::str::from_utf8(body).map_err(|e| line_of(body, e.valid_up_to()))
}

fn line_of(body: &[u8], offset: usize) -> u64 {
    1 + body[..offset].iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_is_dropped_and_a_bad_byte_is_placed() {
        assert_eq!(decode(b"\xEF\xBB\xBFa,b\n"), Ok("a,b\n"));
        assert_eq!(decode("Zoë,b\n".as_bytes()), Ok("Zoë,b\n"));
        // Windows-1252's ë on the third line.
        assert_eq!(decode(b"a\nb\nZo\xEB,c\n"), Err(3));
    }
}
