//! `adsync search` against the real lab servers: OpenLDAP (slapd) and Samba AD DC.

mod common;

use adsync::config::Config;
use adsync::source::ldap::LdapSource;
use adsync::source::{DirectoryRead, Source, SourceError};
use common::{Lab, Transport, adsync, run, truth, write_config};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

fn search_json(lab: &Lab, transport: Transport, extra: &str) -> Value {
    let (_dir, path) = write_config(&format!("{}{extra}", lab.source_toml(transport)));
    let mut cmd = adsync(&path, &lab.bind_pw);
    cmd.args(["search", "--json"]);
    let out = run(cmd);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("search --json is JSON")
}

fn check_against_truth(lab: &Lab, transport: Transport, flavor: &str, expect_ids: bool) {
    let doc = search_json(lab, transport, "");
    assert_eq!(doc["flavor"], flavor);
    let facts = truth::load(lab.truth.as_deref().expect("truth file"));
    truth::check_search(&doc, &facts, expect_ids);
}

#[test]
fn slapd_over_ldaps_reports_every_generated_object_correctly() {
    let Some(lab) = common::slapd() else { return };
    check_against_truth(&lab, Transport::Ldaps, "openldap", true);
}

#[test]
fn slapd_over_starttls_reports_every_generated_object_correctly() {
    let Some(lab) = common::slapd() else { return };
    check_against_truth(&lab, Transport::StartTls, "openldap", true);
}

#[test]
fn samba_over_ldaps_reports_every_generated_object_correctly() {
    let Some(lab) = common::samba() else { return };
    check_against_truth(&lab, Transport::Ldaps, "active-directory", false);
}

#[test]
fn samba_over_starttls_reports_every_generated_object_correctly() {
    let Some(lab) = common::samba() else { return };
    check_against_truth(&lab, Transport::StartTls, "active-directory", false);
}

#[test]
fn slapd_json_shape_is_exactly_the_contract() {
    let Some(lab) = common::slapd() else { return };
    let doc = search_json(&lab, Transport::Ldaps, "");
    common::contract::assert_search_json_shape(&doc);
    // 10,000 generated users: far past any single page.
    assert!(doc["entries"].as_array().unwrap().len() > 9000);
}

/// DNs OpenLDAP's own client finds with the same filter, paged, over ldaps.
fn ldapsearch_dns(lab: &Lab, filter: &str) -> BTreeSet<String> {
    let out = std::process::Command::new("ldapsearch")
        .env("LDAPTLS_CACERT", &lab.cacert)
        .args(["-x", "-LLL", "-o", "ldif-wrap=no", "-H", &lab.ldaps_uri, "-D", &lab.bind_dn, "-w", &lab.bind_pw])
        .args(["-b", &lab.base_dn, "-E", "pr=500/noprompt", filter, "1.1"])
        .output()
        .expect("ldapsearch runs");
    assert!(out.status.success(), "ldapsearch: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().filter_map(decode_dn_line).map(|dn| normalised(&dn)).collect()
}

fn decode_dn_line(line: &str) -> Option<String> {
    use base64::Engine as _;
    if let Some(b64) = line.strip_prefix("dn:: ") {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        return String::from_utf8(bytes).ok();
    }
    line.strip_prefix("dn: ").map(str::to_string)
}

fn normalised(dn: &str) -> String {
    format!("{:?}", adsync::dn::Dn::parse(dn).unwrap())
}

fn adsync_dns(doc: &Value) -> BTreeSet<String> {
    let entries = doc["entries"].as_array().unwrap().iter();
    let skipped = doc["skipped"].as_array().unwrap().iter();
    entries.chain(skipped).map(|e| normalised(e["dn"].as_str().unwrap())).collect()
}

#[test]
fn slapd_objects_are_the_ones_ldapsearch_finds() {
    let Some(lab) = common::slapd() else { return };
    let filter =
        "(|(objectClass=inetOrgPerson)(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";
    let theirs = ldapsearch_dns(&lab, filter);
    let ours = adsync_dns(&search_json(&lab, Transport::Ldaps, ""));
    assert!(theirs.len() > 10_000, "ldapsearch found {}", theirs.len());
    assert_eq!(ours, theirs);
}

#[test]
fn samba_objects_are_the_ones_ldapsearch_finds() {
    let Some(lab) = common::samba() else { return };
    let theirs = ldapsearch_dns(&lab, "(|(&(objectCategory=person)(objectClass=user))(objectClass=group))");
    let ours = adsync_dns(&search_json(&lab, Transport::Ldaps, ""));
    assert!(theirs.len() > 1000, "ldapsearch found {}", theirs.len());
    assert_eq!(ours, theirs);
}

fn lab_source(lab: &Lab, transport: Transport, extra: &str) -> LdapSource {
    let text = lab.source_toml(transport).replace(
        "password_env = \"ADSYNC_TEST_BIND_PW\"",
        &format!("password_command = \"printf %s '{}'\"", lab.bind_pw),
    );
    let config = Config::parse(&format!("{text}{extra}"), "test.toml").expect("lab config");
    LdapSource::new(config.source.ldap().expect("an LDAP source"), config.bind_password.clone())
}

fn read(source: LdapSource) -> Result<DirectoryRead, SourceError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(source.read_all(Arc::new(|_| {}), CancellationToken::new()))
}

#[test]
fn small_pages_read_the_same_directory_in_more_pages() {
    let Some(lab) = common::slapd() else { return };
    let big = read(lab_source(&lab, Transport::Ldaps, "")).unwrap();
    let small = read(lab_source(&lab, Transport::Ldaps, "page_size = 97\n")).unwrap();
    assert_eq!(big.objects, small.objects);
    assert!(small.stats.pages >= 100 && big.stats.pages <= 12, "{} vs {}", small.stats.pages, big.stats.pages);
}

#[test]
fn samba_large_groups_are_counted_through_member_ranges() {
    let Some(lab) = common::samba() else { return };
    let facts = truth::load(lab.truth.as_deref().unwrap());
    let mut source = lab_source(&lab, Transport::Ldaps, "");
    source.member_range_step = Some(37);
    let read = read(source).unwrap();
    assert!(read.stats.range_requests >= 5, "range requests: {}", read.stats.range_requests);
    let groups: Vec<_> = facts.iter().filter(|f| f.cls == "group").collect();
    for fact in groups {
        let obj = read.objects.iter().find(|o| o.dn.eq_ignore_ascii_case(&fact.dn)).expect(&fact.dn);
        assert_eq!(obj.member_count.unwrap_or(0) as u64, fact.members.unwrap(), "{}", fact.dn);
    }
}

#[test]
fn samba_referrals_are_neither_followed_nor_counted_as_entries() {
    let Some(lab) = common::samba() else { return };
    let read = read(lab_source(&lab, Transport::Ldaps, "")).unwrap();
    assert!(read.stats.referrals > 0);
    assert!(read.objects.iter().all(|o| !o.dn.to_ascii_lowercase().contains("cn=configuration")));
}
