use super::*;

const FILE: &str = "# my notes\n[source]\nkind = \"ldap\"  # only kind\nurl = \"ldaps://dc1.example.com:636\"\nbind_dn = \"svc@example.com\"\npassword_env = \"PW\"\nbase_dn = \"DC=example,DC=com\"\n\n[sync]\n# keep this\ndelete = false\n";

fn form() -> (tempfile::TempDir, std::path::PathBuf, Form) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adsync.toml");
    std::fs::write(&path, FILE).unwrap();
    let config = Config::load(&path).unwrap();
    (dir, path, Form::from_config(&config))
}

#[test]
fn saving_keeps_comments_and_round_trips() {
    let (_d, path, mut f) = form();
    f.toggle(FieldId::Delete);
    f.toggle(FieldId::AutoApply);
    f.toggle(FieldId::Port);
    f.toggle(FieldId::StartTls);
    f.set_text(FieldId::Host, "dc2.example.com").unwrap();
    f.save(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# my notes") && text.contains("# keep this") && text.contains("# only kind"), "{text}");
    let again = Config::load(&path).unwrap();
    assert_eq!(again.source.ldap().unwrap().url.to_string(), "ldap://dc2.example.com:389");
    assert!(again.source.ldap().unwrap().starttls && again.sync.delete && again.sync.auto_apply);
    assert_eq!(Form::from_config(&again).fields, f.fields);
}

#[test]
fn password_field_takes_a_source_never_a_secret() {
    let (_d, path, mut f) = form();
    assert_eq!(f.text(FieldId::Password), "env:PW");
    assert!(f.set_text(FieldId::Password, "hunter2").is_err());
    assert!(f.save(Some(&path)).is_err(), "invalid forms are not saved");
    f.set_text(FieldId::Password, "file:/etc/adsync/bind.pw").unwrap();
    f.save(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("password_file = \"/etc/adsync/bind.pw\"") && !text.contains("password_env"), "{text}");
}

#[test]
fn validation_as_you_type() {
    let (_d, _p, mut f) = form();
    assert!(f.set_text(FieldId::BaseDn, "example.com").is_err());
    assert_eq!(f.errors().len(), 1);
    assert!(f.set_text(FieldId::BaseDn, "DC=example,DC=org").is_ok());
    assert!(f.set_text(FieldId::Host, "bad host!").is_err());
    assert!(f.set_text(FieldId::BindDn, "svc-sync@example.com").is_ok());
}

#[test]
fn a_first_run_writes_a_new_commented_owner_only_file_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adsync/config.toml");
    let mut f = Form::blank(&Config::seed(path.clone()));
    assert_eq!(f.text(FieldId::Host), "");
    assert!(f.save(Some(&path)).unwrap_err().to_string().contains("Host: it is empty"));
    f.set_text(FieldId::Host, "127.0.0.1:6360").unwrap();
    f.set_text(FieldId::BindDn, "cn=svc,dc=example,dc=com").unwrap();
    f.set_text(FieldId::Password, "env:PW").unwrap();
    f.set_text(FieldId::BaseDn, "dc=example,dc=com").unwrap();
    f.toggle(FieldId::Service);
    f.set_text(FieldId::ServiceFile, "/tmp/service.json").unwrap();
    f.save(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# adsync configuration") && text.contains("# How to sync."), "{text}");
    let mode = std::fs::metadata(&path).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    let config = Config::load(&path).unwrap();
    assert_eq!(config.source.ldap().unwrap().url.to_string(), "ldaps://127.0.0.1:6360");
    assert_eq!(config.target.unwrap().path.unwrap(), std::path::Path::new("/tmp/service.json"));
    assert!(config.sync.exempt.is_empty() && config.exclude.subtrees.is_empty(), "no sample data");
    assert_eq!(Form::from_config(&Config::load(&path).unwrap()).fields, f.fields);
}

#[test]
fn the_service_fields_round_trip_and_a_new_file_without_them_has_no_target() {
    let (_d, path, mut f) = form();
    f.set_text(FieldId::ServiceUrl, "EU1").unwrap();
    f.set_text(FieldId::Domain, "example.com").unwrap();
    f.set_text(FieldId::AdminUser, "admin@example.com").unwrap();
    assert!(f.save(Some(&path)).unwrap_err().to_string().contains("admin password"));
    f.set_text(FieldId::AdminPassword, "command:pass show pps").unwrap();
    f.save(Some(&path)).unwrap();
    let config = Config::load(&path).unwrap();
    let target = config.target.as_ref().unwrap();
    assert_eq!((target.stack, target.domain.as_deref()), (Some(crate::config::Stack::Eu1), Some("example.com")));
    assert!(f.set_text(FieldId::ServiceUrl, "http//nope").is_err());
    let fresh = tempfile::tempdir().unwrap().path().join("new.toml");
    let mut blank = Form::blank(&Config::seed(fresh.clone()));
    blank.set_text(FieldId::Host, "dc1.example.com").unwrap();
    blank.set_text(FieldId::BaseDn, "DC=example,DC=com").unwrap();
    let config = blank.to_config(Some(&fresh)).unwrap();
    assert!(config.target.is_none(), "the example's sample service is not kept");
}

#[test]
fn the_demo_has_nothing_to_save_to() {
    let (_d, _p, f) = form();
    assert!(matches!(f.save(None), Err(FormError::NoFile)));
}

#[test]
fn a_graph_source_keeps_its_table_when_the_form_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adsync.toml");
    let source = "[source]\nkind = \"graph\"\ntenant = \"contoso.onmicrosoft.com\"\n\
        client_id = \"11111111-2222-3333-4444-555555555555\"\nclient_secret_env = \"S\"\n";
    std::fs::write(&path, format!("{source}\n[sync]\ndelete = false\n")).unwrap();
    let mut f = Form::from_config(&Config::load(&path).unwrap());
    assert!(!f.has(FieldId::Host) && f.has(FieldId::Delete));
    f.toggle(FieldId::Delete);
    f.save(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(source), "{text}");
    assert!(Config::load(&path).unwrap().sync.delete);
}

#[test]
fn switching_to_a_csv_source_saves_only_its_keys() {
    let (_d, path, mut f) = form();
    assert!(f.has(FieldId::Host) && !f.has(FieldId::CsvPath));
    f.toggle(FieldId::SourceKind);
    assert!(f.has(FieldId::Tenant) && !f.has(FieldId::Host), "graph's fields replace LDAP's");
    f.toggle(FieldId::SourceKind);
    assert!(f.has(FieldId::CsvPath) && !f.has(FieldId::Tenant));
    assert!(matches!(f.save(Some(&path)), Err(FormError::Invalid { label: "File", .. })), "the path is required");
    f.set_text(FieldId::CsvPath, "/srv/hr/people.csv").unwrap();
    f.toggle(FieldId::CsvDelimiter);
    f.save(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# my notes") && text.contains("# keep this"), "{text}");
    assert!(!text.contains("bind_dn") && !text.contains("password_env") && !text.contains("url ="), "{text}");
    let config = Config::load(&path).unwrap();
    let csv = config.source.csv().unwrap();
    assert_eq!(
        (csv.path.to_str(), csv.delimiter),
        (Some("/srv/hr/people.csv"), crate::config::csv::Delimiter::Semicolon)
    );
    assert_eq!(Form::from_config(&config).fields, f.fields);
}

#[test]
fn the_header_layout_is_saved_with_columns_to_edit() {
    let (_d, path, mut f) = form();
    f.toggle(FieldId::SourceKind);
    f.toggle(FieldId::SourceKind);
    f.set_text(FieldId::CsvPath, "people.csv").unwrap();
    f.toggle(FieldId::CsvLayout);
    f.save(Some(&path)).unwrap();
    let config = Config::load(&path).unwrap();
    let csv = config.source.csv().unwrap();
    let crate::config::csv::Columns::Header(columns) = &csv.columns else { panic!("{:?}", csv.columns) };
    assert_eq!(columns.email, "Email");
}

#[test]
fn a_graph_source_is_edited_and_switching_back_keeps_what_was_typed() {
    let (_d, path, mut f) = form();
    f.toggle(FieldId::SourceKind);
    f.set_text(FieldId::Tenant, "contoso.onmicrosoft.com").unwrap();
    f.set_text(FieldId::ClientId, "11111111-2222-3333-4444-555555555555").unwrap();
    assert!(f.set_text(FieldId::ClientSecret, "s3cret").is_err(), "a secret itself is never taken");
    f.set_text(FieldId::ClientSecret, "env:ADSYNC_CLIENT_SECRET").unwrap();
    f.toggle(FieldId::IncludeGuests);
    for _ in 0..3 {
        f.toggle(FieldId::SourceKind);
    }
    assert_eq!(f.text(FieldId::Tenant), "contoso.onmicrosoft.com", "back on graph after a round");
    f.save(Some(&path)).unwrap();
    let config = Config::load(&path).unwrap();
    let graph = config.source.graph().unwrap();
    assert_eq!((graph.tenant.as_str(), graph.include_guests), ("contoso.onmicrosoft.com", true));
    assert!(matches!(&graph.secret, crate::config::SecretSource::Env(v) if v == "ADSYNC_CLIENT_SECRET"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("s3cret") && !text.contains("base_dn"), "{text}");
}

const TWO: &str = "# two directories\n[[source]]\nname = \"hq\"\npriority = 2\nkind = \"ldap\"\nurl = \"ldaps://dc1.example.com:636\"\nbase_dn = \"DC=x\"\n\n[source.exclude]\nsubtrees = [\"OU=Old,DC=x\"]\n\n# contractors\n[[source]]\nname = \"staff\"\nkind = \"csv\"\npath = \"/tmp/staff.csv\"\n\n[sync]\ndelete = false\n";

fn two() -> (tempfile::TempDir, std::path::PathBuf, Form) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adsync.toml");
    std::fs::write(&path, TWO).unwrap();
    let form = Form::from_config(&Config::load(&path).unwrap());
    (dir, path, form)
}

#[test]
fn a_form_of_several_sources_saves_each_into_its_own_table() {
    let (_d, path, mut f) = two();
    assert_eq!(f.editing_source(), Some(("hq", 2)));
    f.set_text(FieldId::Host, "dc2.example.com").unwrap();
    f.edit_source(1);
    assert_eq!((f.editing_source(), f.source_kind()), (Some(("staff", 2)), crate::config::SourceKind::Csv));
    assert!(!f.has(FieldId::Host) && f.text(FieldId::CsvPath) == "/tmp/staff.csv");
    f.set_text(FieldId::CsvPath, "/srv/staff.csv").unwrap();
    f.toggle(FieldId::Delete);
    f.save(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# two directories") && text.contains("# contractors"), "{text}");
    let again = Config::load(&path).unwrap();
    let (hq, staff) = (&again.sources[0], &again.sources[1]);
    assert_eq!((hq.name.as_str(), hq.priority, staff.name.as_str()), ("hq", Some(2), "staff"));
    assert_eq!(hq.source.ldap().unwrap().url.to_string(), "ldaps://dc2.example.com:636");
    assert_eq!(hq.exclude.subtrees.len(), 1, "a source's own exclusions stay");
    assert_eq!(staff.source.csv().unwrap().path, std::path::PathBuf::from("/srv/staff.csv"));
    assert!(again.sync.delete);
    let mut reread = Form::from_config(&again);
    reread.edit_source(1);
    assert_eq!(reread, f, "what was saved is what the form shows");
}

#[test]
fn switching_sources_keeps_what_was_typed_into_each() {
    let (_d, _path, mut f) = two();
    let saved = f.clone();
    f.set_text(FieldId::BaseDn, "DC=y").unwrap();
    f.edit_source(1);
    f.toggle(FieldId::SourceKind);
    assert_eq!(f.source_kind(), crate::config::SourceKind::Ldap, "csv → ldap (the choice wraps round)");
    f.edit_source(0);
    assert_eq!((f.text(FieldId::BaseDn), f.editing()), ("DC=y", 0));
    f.edit_source(1);
    assert_eq!(f.source_kind(), crate::config::SourceKind::Ldap);
    let mut back = saved.clone();
    back.edit_source(1);
    assert_ne!(f, back, "the edits of both sources are unsaved");
}

#[test]
fn an_empty_field_of_a_source_not_shown_is_named_and_nothing_is_written() {
    let (_d, path, mut f) = two();
    f.edit_source(1);
    f.set_text(FieldId::CsvPath, "").unwrap();
    f.edit_source(0);
    let e = f.save(Some(&path)).unwrap_err().to_string();
    assert!(e.contains("File") && e.contains("source staff"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TWO);
}

#[test]
fn a_file_whose_sources_changed_since_it_was_read_is_never_overwritten() {
    let (_d, path, several) = two();
    let one = "[source]\nkind = \"csv\"\npath = \"/tmp/staff.csv\"\n";
    std::fs::write(&path, one).unwrap();
    let e = several.save(Some(&path)).unwrap_err().to_string();
    assert!(e.contains("no [[source]] named \"hq\"") && e.contains("nothing was written"), "{e}");
    let single = Form::from_config(&Config::load(&path).unwrap());
    std::fs::write(&path, TWO).unwrap();
    let e = single.save(Some(&path)).unwrap_err().to_string();
    assert!(e.contains("several [[source]]"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TWO);
}

#[test]
fn a_file_with_one_source_array_table_is_saved_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adsync.toml");
    let one = "[[source]]\nname = \"hq\"\npriority = 1\nkind = \"csv\"\npath = \"/tmp/staff.csv\"\n";
    std::fs::write(&path, one).unwrap();
    let mut f = Form::from_config(&Config::load(&path).unwrap());
    assert_eq!(f.editing_source(), None, "one source: nothing to pick");
    f.set_text(FieldId::CsvPath, "/srv/staff.csv").unwrap();
    f.save(Some(&path)).unwrap();
    let again = Config::load(&path).unwrap();
    assert_eq!((again.sources[0].name.as_str(), again.sources[0].priority), ("hq", Some(1)));
    assert_eq!(again.source.csv().unwrap().path, std::path::PathBuf::from("/srv/staff.csv"));
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("[[source]]"), "still an array table");
}
