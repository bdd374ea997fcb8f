//! The reader on any bytes at all, for the fuzz target and the property tests: the first byte
//! picks the layout and the delimiter, the rest is the file.

use super::error::CsvError;
use super::rules::Row;
use crate::config::csv::{Columns, CsvColumns, Delimiter};
use std::path::Path;

/// The columns a header-layout input names.
fn header_columns() -> Columns {
    let named = |n: &str| Some(n.to_string());
    Columns::Header(CsvColumns {
        email: "email".into(),
        first_name: named("first"),
        last_name: named("last"),
        aliases: named("aliases"),
        kind: named("kind"),
        enabled: named("enabled"),
    })
}

/// Byte 0: bit 0 the layout (header when set), bits 1–2 the delimiter (`,` `;` tab `,`); no
/// bytes at all are an empty file in the service layout with `,`.
pub fn parse_any(bytes: &[u8]) -> Result<Vec<Row>, CsvError> {
    let (choice, body) = bytes.split_first().map_or((0, bytes), |(&choice, body)| (choice, body));
    let columns = if choice & 1 == 1 { header_columns() } else { Columns::Service };
    let delimiter = match (choice >> 1) & 3 {
        1 => Delimiter::Semicolon,
        2 => Delimiter::Tab,
        _ => Delimiter::Comma,
    };
    super::parse(body, &columns, delimiter, Path::new("fuzz.csv"))
}
