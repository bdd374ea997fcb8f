//! `adsync export csv`: the service's CSV import format, read back with the csv crate.

mod common;

use adsync::dn::first_rdn_value;
use adsync::model::{DirectoryEntry, EntryKind};
use adsync::target::csv_export::write_csv;
use common::{Transport, adsync, run, write_config};
use serde_json::Value;

/// Names that break hand-written CSV: separators, quotes, line breaks, non-ASCII, spaces.
const FIRST: [&str; 8] = ["Ann", "Lee, Jr.", "Zoë", "O\"Neil", "李", "Line\nBreak", " Bo ", "Ðorđe"];
const LAST: [&str; 5] = ["Smith", "van der Berg, III", "Müller-Lüdenscheidt", "\"Quoted\"", "Østergård"];

/// What row `i` must read back as: first, last, email, empty mobile, aliases.
fn expected(i: usize) -> Vec<String> {
    let email = format!("user{i:05}@example.com");
    let aliases = (0..i % 4).map(|n| format!("alias{n}.user{i:05}@example.com"));
    let (first, last) = match i % 10 {
        // A group: no given name or surname, so its display name is the first name.
        9 => (format!("Team {i}, \"ops\""), String::new()),
        _ => (FIRST[i % FIRST.len()].to_string(), LAST[i % LAST.len()].to_string()),
    };
    [first, last, email, String::new()].into_iter().chain(aliases).collect()
}

fn entry(i: usize) -> DirectoryEntry {
    let want = expected(i);
    let group = i % 10 == 9;
    DirectoryEntry {
        id: None,
        dn: format!("CN=Entry {i},OU=People,DC=example,DC=com"),
        kind: if group { EntryKind::Functional } else { EntryKind::User },
        primary_email: want[2].clone(),
        aliases: want[4..].to_vec(),
        first_name: (!group).then(|| want[0].clone()),
        last_name: (!group).then(|| want[1].clone()),
        display_name: Some(if group { want[0].clone() } else { format!("Display {i}") }),
        enabled: true,
        hidden: false,
        member_count: group.then_some(3),
        source: None,
    }
}

fn read_back(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    reader.records().map(|r| r.expect("valid CSV").iter().map(str::to_string).collect()).collect()
}

#[test]
fn ten_thousand_users_round_trip_through_the_csv_reader() {
    let entries: Vec<DirectoryEntry> = (0..10_000).map(entry).collect();
    let mut out = Vec::new();
    write_csv(&mut out, &entries).unwrap();
    let rows = read_back(&out);
    assert_eq!(rows.len(), 10_000);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row, &expected(i), "row {i}");
    }
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("Ann,Smith,user00000@example.com,\r\n"), "no header, CRLF: {:?}", &text[..60]);
    assert!(
        text.contains("\"Lee, Jr.\",\"van der Berg, III\",user00001@example.com,,alias0.user00001@example.com\r\n")
    );
    assert!(text.contains("\"O\"\"Neil\",\"\"\"Quoted\"\"\""), "quotes are doubled inside quotes");
}

#[test]
fn an_empty_directory_exports_an_empty_file() {
    let mut out = Vec::new();
    write_csv(&mut out, &[]).unwrap();
    assert!(out.is_empty());
}

/// Through the binary against the lab's slapd: every user `search` would sync, in order; with
/// `--include-functional`, every entry, and a warning that the import makes them users.
#[test]
fn export_through_the_binary_matches_search() {
    let Some(lab) = common::slapd() else { return };
    let (dir, config) = write_config(&lab.source_toml(Transport::Ldaps));
    let mut cmd = adsync(&config, &lab.bind_pw);
    cmd.args(["search", "--json"]);
    let search: Value = serde_json::from_str(&run(cmd).stdout).unwrap();
    let all = search["entries"].as_array().unwrap();
    assert!(all.len() > 1000, "the lab directory has thousands of entries");
    let users: Vec<Value> = all.iter().filter(|e| e["kind"] == "user").cloned().collect();
    let functional = all.len() - users.len();
    assert!(functional > 0, "the lab directory has groups and shared mailboxes");
    for (flag, entries) in [(None, &users), (Some("--include-functional"), all)] {
        let out_file = dir.path().join("import.csv");
        let mut cmd = adsync(&config, &lab.bind_pw);
        cmd.args(["export", "csv", "--out"]).arg(&out_file).args(flag);
        let export = run(cmd);
        assert_eq!(export.code, 0, "stderr: {}", export.stderr);
        assert!(export.stderr.contains(&format!("exported {} accounts", entries.len())), "{}", export.stderr);
        let said = match flag {
            None => format!("left out {functional} functional accounts and groups"),
            Some(_) => format!("warning: {functional} functional accounts and groups are included"),
        };
        assert!(export.stderr.contains(&said), "{}", export.stderr);
        assert_rows_match(&read_back(&std::fs::read(&out_file).unwrap()), entries);
    }
}

fn assert_rows_match(rows: &[Vec<String>], entries: &[Value]) {
    assert_eq!(rows.len(), entries.len());
    for (row, entry) in rows.iter().zip(entries) {
        assert_eq!(row[2], entry["primary_email"].as_str().unwrap());
        assert_eq!(row[3], "");
        let aliases: Vec<&str> = entry["aliases"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert_eq!(row[4..], aliases[..]);
        let named = entry["first_name"].is_string() || entry["last_name"].is_string();
        let text = |key: &str| entry[key].as_str().unwrap_or("").to_string();
        let dn = entry["dn"].as_str().unwrap();
        let fallback = entry["display_name"].as_str().map(str::to_string).or_else(|| first_rdn_value(dn));
        let want = if named { (text("first_name"), text("last_name")) } else { (fallback.unwrap(), String::new()) };
        assert_eq!((&row[0], &row[1]), (&want.0, &want.1), "{entry}");
    }
}
