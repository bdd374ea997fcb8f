//! Checks of a `[source] kind = "csv"` table that span more than one value.

use super::Checker;
use crate::config::csv::{Columns, CsvConfig, RawCsvConfig};
use crate::config::error::ConfigError;
use crate::config::schema::RawConfig;
use crate::model::CsvLayout;

pub(super) fn check(
    check: &mut Checker<'_>,
    raw: RawCsvConfig,
    rest: &RawConfig<()>,
) -> Result<CsvConfig, ConfigError> {
    if raw.path.as_os_str().is_empty() {
        return Err(check.fail("source.path", "path is empty; give the CSV file, e.g. /var/lib/adsync/people.csv"));
    }
    let columns = match (raw.layout, raw.columns) {
        (CsvLayout::Service, None) => Columns::Service,
        (CsvLayout::Service, Some(_)) => {
            let problem = "[source.columns] names the header's columns, so it needs layout = \"header\"; the service layout has fixed places";
            let span = check.index.span_of("source.columns");
            return Err(check.source.invalid(span, Some("source.columns".into()), problem.into(), false));
        }
        (CsvLayout::Header, Some(columns)) => {
            check_names(check, &columns)?;
            Columns::Header(columns)
        }
        (CsvLayout::Header, None) => {
            return Err(check.fail_missing(
                "source",
                "columns",
                "layout = \"header\" needs [source.columns] with at least email = \"<the address column's header>\"",
            ));
        }
    };
    super::warn_ldap_only_keys(
        check,
        rest,
        "a csv source",
        "a CSV file has no address-list visibility; every row counts as visible",
    );
    Ok(CsvConfig { path: raw.path, columns, delimiter: raw.delimiter })
}

fn check_names(check: &Checker<'_>, columns: &crate::config::csv::CsvColumns) -> Result<(), ConfigError> {
    let named = [
        ("email", Some(&columns.email)),
        ("first_name", columns.first_name.as_ref()),
        ("last_name", columns.last_name.as_ref()),
        ("aliases", columns.aliases.as_ref()),
        ("kind", columns.kind.as_ref()),
        ("enabled", columns.enabled.as_ref()),
    ];
    for (key, name) in named {
        if name.is_some_and(|n| n.trim().is_empty()) {
            return Err(check.fail(
                &format!("source.columns.{key}"),
                format!("{key} is empty; give the header of its column as the file spells it"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::csv::{Columns, Delimiter};
    use crate::model::CsvLayout;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, "t.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn the_service_layout_and_a_comma_are_the_defaults() {
        let config = parse("[source]\nkind = \"csv\"\npath = \"/srv/people.csv\"\n").unwrap();
        let csv = config.source.csv().unwrap();
        assert_eq!((csv.layout(), csv.delimiter), (CsvLayout::Service, Delimiter::Comma));
        assert!(config.warnings.is_empty());
    }

    #[test]
    fn a_header_layout_takes_its_columns_and_a_tab() {
        let config = parse(
            "[source]\nkind = \"csv\"\npath = \"p.csv\"\nlayout = \"header\"\ndelimiter = \"\\t\"\n\n\
             [source.columns]\nemail = \"E-mail\"\naliases = \"Other addresses\"\nkind = \"Type\"\n",
        )
        .unwrap();
        let csv = config.source.csv().unwrap();
        assert_eq!(csv.delimiter, Delimiter::Tab);
        let Columns::Header(columns) = &csv.columns else { panic!("{:?}", csv.columns) };
        assert_eq!((columns.email.as_str(), columns.kind.as_deref()), ("E-mail", Some("Type")));
    }

    #[test]
    fn bad_values_are_placed_and_explained() {
        let base = "[source]\nkind = \"csv\"\npath = \"p.csv\"\n";
        let cases = [
            ("delimiter = \"|\"\n", "t.toml:4:13: source.delimiter: unknown value `|`, expected"),
            ("layout = \"excel\"\n", "t.toml:4:10: source.layout: unknown value `excel`"),
            ("layout = \"header\"\n", "source.columns: layout = \"header\" needs [source.columns]"),
            (
                "\n[source.columns]\nemail = \"Mail\"\n",
                "t.toml:5:9: source.columns: [source.columns] names the header's columns",
            ),
            (
                "layout = \"header\"\n[source.columns]\nemail = \" \"\n",
                "t.toml:6:9: source.columns.email: email is empty",
            ),
            ("layout = \"header\"\n[source.columns]\nfirst_name = \"F\"\n", "required key `email` is missing"),
            ("url = \"ldaps://x\"\n", "t.toml:4:1: source.url: unknown key `url`"),
        ];
        for (extra, want) in cases {
            let got = parse(&format!("{base}{extra}")).map(|_| ()).unwrap_err();
            assert!(got.contains(want), "{extra}: {got}");
        }
        let empty = parse("[source]\nkind = \"csv\"\npath = \"\"\n").map(|_| ()).unwrap_err();
        assert!(empty.contains("t.toml:3:8: source.path: path is empty"), "{empty}");
    }

    #[test]
    fn ldap_only_settings_are_warned_about() {
        let config = parse("[source]\nkind = \"csv\"\npath = \"p.csv\"\n[sync]\nhidden_from_gal = true\n").unwrap();
        assert!(
            config.warnings[0].contains("sync.hidden_from_gal: has no effect on a csv source"),
            "{:?}",
            config.warnings
        );
    }
}
