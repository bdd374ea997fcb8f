//! The service's CSV import format: no header; First Name, Last Name, Primary Email, Mobile
//! Phone (empty: the directory read does not fetch it), then one column per alias. Rows have
//! as many columns as the account has aliases. Quoting is RFC 4180, done by the csv crate.

use crate::dn::first_rdn_value;
use crate::model::DirectoryEntry;
use std::io::Write;

pub fn write_csv<'a>(out: impl Write, entries: impl IntoIterator<Item = &'a DirectoryEntry>) -> csv::Result<()> {
    let mut writer =
        csv::WriterBuilder::new().has_headers(false).flexible(true).terminator(csv::Terminator::CRLF).from_writer(out);
    for entry in entries {
        writer.write_record(row(entry))?;
    }
    writer.flush()?;
    Ok(())
}

/// One entry's columns.
pub fn row(entry: &DirectoryEntry) -> Vec<String> {
    let (first, last) = names(entry);
    let mut columns = Vec::with_capacity(4 + entry.aliases.len());
    columns.extend([first, last, entry.primary_email.clone(), String::new()]);
    columns.extend(entry.aliases.iter().cloned());
    columns
}

/// Groups and functional mailboxes rarely have given name and surname: the import still wants
/// a name, so they get their display name (or their DN's first value) as the first name.
fn names(entry: &DirectoryEntry) -> (String, String) {
    if entry.first_name.is_some() || entry.last_name.is_some() {
        return (entry.first_name.clone().unwrap_or_default(), entry.last_name.clone().unwrap_or_default());
    }
    let fallback = entry.display_name.clone().or_else(|| first_rdn_value(&entry.dn));
    (fallback.unwrap_or_default(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryKind;

    fn entry(first: Option<&str>, last: Option<&str>, display: Option<&str>) -> DirectoryEntry {
        DirectoryEntry {
            id: None,
            dn: "CN=Sales\\, EMEA,OU=Groups,DC=x".into(),
            kind: EntryKind::Functional,
            primary_email: "sales@x.com".into(),
            aliases: vec!["s1@x.com".into(), "s2@x.com".into()],
            first_name: first.map(Into::into),
            last_name: last.map(Into::into),
            display_name: display.map(Into::into),
            enabled: true,
            hidden: false,
            member_count: Some(3),
            source: None,
        }
    }

    #[test]
    fn columns_and_name_fallbacks() {
        assert_eq!(row(&entry(Some("Ann"), None, Some("x")))[..4], ["Ann", "", "sales@x.com", ""]);
        assert_eq!(row(&entry(None, None, Some("Sales team")))[..2], ["Sales team", ""]);
        assert_eq!(row(&entry(None, None, None))[..2], ["Sales, EMEA", ""]);
        assert_eq!(row(&entry(None, None, None))[4..], ["s1@x.com", "s2@x.com"]);
    }

    #[test]
    fn quoting_is_rfc_4180() {
        let mut out = Vec::new();
        write_csv(&mut out, &[entry(Some("Ann \"Jo\""), Some("Lee, Jr."), None)]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"Ann \"\"Jo\"\"\",\"Lee, Jr.\",sales@x.com,,s1@x.com,s2@x.com\r\n"
        );
    }
}
