//! The file target: the API's list shape on disk, atomic writes, and a lock that keeps two
//! processes apart.

mod common;

use adsync::model::{Account, AccountType};
use adsync::target::file::{FileTarget, lock_path_for};
use adsync::target::{CreateOptions, Target, TargetError, wire};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn service_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service.json");
    (dir, path)
}

fn account(email: &str) -> Account {
    let mut a = Account::new(email, AccountType::SilentUser);
    a.first_name = Some("Ann".into());
    a
}

fn file_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn emails(accounts: &[Account]) -> Vec<&str> {
    accounts.iter().map(|a| a.primary_email.as_str()).collect()
}

#[tokio::test]
async fn a_missing_file_is_an_empty_service_created_on_first_write() {
    let (_dir, path) = service_file();
    let t = FileTarget::open(&path).unwrap();
    assert!(t.list().await.unwrap().is_empty());
    assert!(!path.exists(), "reading creates nothing");
    t.create(&account("a@example.com"), CreateOptions::default()).await.unwrap();
    assert!(path.exists(), "the first change is written at once");
}

#[tokio::test]
async fn the_file_is_the_api_list_shape_pretty_and_sorted() {
    let (_dir, path) = service_file();
    let t = FileTarget::open(&path).unwrap();
    for email in ["c@example.com", "A@example.com", "b@example.com"] {
        t.create(&account(email), CreateOptions { send_welcome_email: true }).await.unwrap();
    }
    t.flush().await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\n  \"users\": [\n"), "{text}");
    let doc = file_json(&path);
    assert_eq!(doc.as_object().unwrap().len(), 1, "only the users key");
    assert_eq!(
        doc["users"][0],
        json!({"primary_email": "A@example.com", "firstname": "Ann", "type": "silent_user", "is_active": true, "alias_emails": []})
    );
    let listed = wire::parse_users(text.as_bytes()).unwrap();
    assert_eq!(emails(&listed), ["A@example.com", "b@example.com", "c@example.com"]);
}

#[tokio::test]
async fn a_real_export_in_either_shape_keeps_its_unknown_fields() {
    let user = json!({"uid": 41, "primary_email": "a@example.com", "firstname": "Ann", "surname": "Lee",
        "type": "end_user", "is_active": true, "alias_emails": ["ann@example.com"], "is_billable": true,
        "mobile": "+1 555 0100", "quarantine": {"digest": "daily"}});
    for document in [json!({"users": [user.clone()]}), json!([user.clone()])] {
        let (_dir, path) = service_file();
        std::fs::write(&path, serde_json::to_vec(&document).unwrap()).unwrap();
        let t = FileTarget::open(&path).unwrap();
        let mut a = t.list().await.unwrap().remove(0);
        a.last_name = Some("Lee-Smith".into());
        t.put("A@EXAMPLE.COM", &a).await.unwrap();
        t.flush().await.unwrap();
        let mut want = user.clone();
        want["surname"] = json!("Lee-Smith");
        assert_eq!(file_json(&path), json!({"users": [want]}));
    }
}

#[tokio::test]
async fn duplicates_and_missing_accounts_are_per_item_errors() {
    let (_dir, path) = service_file();
    let t = FileTarget::open(&path).unwrap();
    t.create(&account("a@example.com"), CreateOptions::default()).await.unwrap();
    t.create(&account("b@example.com"), CreateOptions::default()).await.unwrap();
    let dup = t.create(&account("A@Example.com"), CreateOptions::default()).await.unwrap_err();
    assert!(!dup.is_fatal() && matches!(dup, TargetError::Duplicate { .. }));
    assert!(dup.to_string().starts_with("File target: an account A@Example.com already exists"), "{dup}");
    let missing = t.put("ghost@example.com", &account("ghost@example.com")).await.unwrap_err();
    assert!(!missing.is_fatal() && matches!(missing, TargetError::NotFound { .. }));
    assert!(matches!(t.delete("ghost@example.com").await, Err(TargetError::NotFound { .. })));
    let onto = t.put("a@example.com", &account("b@example.com")).await.unwrap_err();
    assert!(matches!(onto, TargetError::Duplicate { .. }), "renaming onto another account");
    assert_eq!(emails(&t.list().await.unwrap()), ["a@example.com", "b@example.com"]);
}

#[tokio::test]
async fn update_renames_and_delete_removes() {
    let (_dir, path) = service_file();
    let t = FileTarget::open(&path).unwrap();
    t.create(&account("a@example.com"), CreateOptions::default()).await.unwrap();
    t.create(&account("z@example.com"), CreateOptions::default()).await.unwrap();
    t.put("a@example.com", &account("ann@example.com")).await.unwrap();
    t.delete("Z@example.com").await.unwrap();
    t.flush().await.unwrap();
    assert_eq!(emails(&wire::parse_users(&std::fs::read(&path).unwrap()).unwrap()), ["ann@example.com"]);
}

#[tokio::test]
async fn a_second_instance_is_refused_naming_the_lock_and_its_holder() {
    let (_dir, path) = service_file();
    let first = FileTarget::open(&path).unwrap();
    let Err(err) = FileTarget::open(&path) else { panic!("a second instance must be refused") };
    assert!(err.is_fatal());
    let text = err.to_string();
    let pid = format!("(PID {})", std::process::id());
    assert!(text.starts_with("File target:") && text.contains(&pid), "{text}");
    assert!(text.contains(&lock_path_for(&path).display().to_string()), "{text}");
    drop(first);
    assert!(FileTarget::open(&path).is_ok(), "the lock goes with its holder");
}

#[tokio::test]
async fn changes_are_batched_but_never_lost() {
    let (dir, path) = service_file();
    {
        let t = FileTarget::open(&path).unwrap();
        for i in 0..500 {
            t.create(&account(&format!("u{i:03}@example.com")), CreateOptions::default()).await.unwrap();
        }
        t.delete("u000@example.com").await.unwrap();
        // No flush: dropping the target writes what is pending.
    }
    let listed = wire::parse_users(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(listed.len(), 499);
    assert_eq!(listed[0].primary_email, "u001@example.com");
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["service.json", "service.json.lock"], "no temporary file is left behind");
}

#[tokio::test]
async fn a_corrupt_file_is_a_clear_fatal_error() {
    let (_dir, path) = service_file();
    std::fs::write(&path, "{\"users\": [{\"firstname\": \"no address\"}]}").unwrap();
    let Err(err) = FileTarget::open(&path) else { panic!("a corrupt file must be refused") };
    assert!(err.is_fatal());
    let text = err.to_string();
    assert!(text.starts_with(&format!("File target: {} is not a user list", path.display())), "{text}");
    assert!(text.contains("missing field `primary_email`") && text.contains("move it aside"), "{text}");
}

#[tokio::test]
async fn check_counts_users_and_admins() {
    let (_dir, path) = service_file();
    let t = FileTarget::open(&path).unwrap();
    t.create(&account("a@example.com"), CreateOptions::default()).await.unwrap();
    t.create(&Account::new("boss@example.com", AccountType::OrganizationAdmin), CreateOptions::default())
        .await
        .unwrap();
    let check = t.check().await.unwrap();
    assert_eq!((check.kind, check.users, check.admins), ("file", 2, 1));
    assert_eq!(check.endpoint, path.display().to_string());
    assert_eq!(t.describe(), format!("file {}", path.display()));
}
