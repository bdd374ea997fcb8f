//! The API client against a loopback fake of the service (real HTTP on 127.0.0.1): exactly the
//! requests each operation implies, the documented failures, retries that never duplicate.

mod common;

use adsync::config::Config;
use adsync::model::{Account, AccountType};
use adsync::target::essentials::EssentialsTarget;
use adsync::target::essentials::retry::RetryPolicy;
use adsync::target::{CreateOptions, Target, TargetError};
use axum::http::Method;
use common::fake_service::{ADMIN, DOMAIN, FakeService, Fault, PASSWORD};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Opts<'a> {
    user: &'a str,
    password: &'a str,
    domain: &'a str,
    timeout: &'a str,
    /// Replaces `api_url = …` (e.g. with discovery_url).
    place: Option<String>,
    extra: &'a str,
}

impl Default for Opts<'_> {
    fn default() -> Self {
        Self { user: ADMIN, password: PASSWORD, domain: DOMAIN, timeout: "2s", place: None, extra: "" }
    }
}

fn config(fake: &FakeService, o: Opts<'_>) -> Config {
    let place = o.place.unwrap_or_else(|| format!("api_url = \"{}\"", fake.base_url()));
    let text = format!(
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:1\"\nbase_dn = \"dc=example,dc=com\"\n\n\
         [target]\nkind = \"essentials\"\n{place}\ndomain = \"{}\"\nuser = \"{}\"\npassword = \"{}\"\n\
         request_timeout = \"{}\"\n{}\n",
        o.domain, o.user, o.password, o.timeout, o.extra
    );
    Config::parse(&text, "test.toml").expect("valid test config")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    }
}

fn target_with(fake: &FakeService, opts: Opts<'_>) -> EssentialsTarget {
    EssentialsTarget::from_config(&config(fake, opts)).expect("target").with_retry_policy(fast_retries())
}

fn target(fake: &FakeService) -> EssentialsTarget {
    target_with(fake, Opts::default())
}

fn user(email: &str) -> Value {
    json!({"uid": 7, "primary_email": email, "firstname": "Ann", "surname": "Lee", "type": "end_user",
           "is_active": true, "alias_emails": [], "is_billable": true})
}

fn account(email: &str) -> Account {
    let mut a = Account::new(email, AccountType::SilentUser);
    a.first_name = Some("Bo".into());
    a
}

const USERS: &str = "/api/v1/orgs/example.com/users";

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// One line, names its layer, and never shows the password.
fn assert_reason(err: &TargetError, layer: &str, needle: &str) {
    let text = err.to_string();
    assert!(text.starts_with(layer), "{text}");
    assert!(text.contains(needle), "want {needle:?} in: {text}");
    assert!(!text.contains('\n') && !text.contains(PASSWORD), "{text}");
}

#[tokio::test]
async fn lists_users_in_both_answer_shapes() {
    let fake = FakeService::start();
    fake.seed(DOMAIN, [user("a@example.com"), user("b@example.com")]);
    let wrapped = target(&fake).list().await.unwrap();
    fake.set_bare_list(true);
    let bare = target(&fake).list().await.unwrap();
    assert_eq!(wrapped.len(), 2);
    assert_eq!(wrapped, bare);
    assert_eq!(fake.request_lines(), lines(&[&format!("GET {USERS}"), &format!("GET {USERS}")]));
}

#[tokio::test]
async fn create_update_delete_send_exactly_the_planned_requests() {
    let fake = FakeService::start();
    fake.seed(DOMAIN, [user("a@example.com"), user("b@example.com")]);
    let t = target(&fake);
    t.create(&account("new@example.com"), CreateOptions::default()).await.unwrap();
    let mut renamed = t.list().await.unwrap().into_iter().find(|a| a.has_email("a@example.com")).unwrap();
    renamed.primary_email = "a2@example.com".into();
    t.put("a@example.com", &renamed).await.unwrap();
    t.delete("b@example.com").await.unwrap();
    let log = fake.requests();
    let got: Vec<String> = log.iter().map(|r| format!("{} {}", r.line(), r.status)).collect();
    assert_eq!(
        got,
        lines(&[
            "GET /api/v1/me 200",
            &format!("POST {USERS} 201"),
            &format!("GET {USERS} 200"),
            &format!("PUT {USERS}/a@example.com 204"),
            &format!("DELETE {USERS}/b@example.com 204"),
        ])
    );
    assert_eq!(
        log[1].body,
        Some(json!({"primary_email": "new@example.com", "firstname": "Bo", "type": "silent_user",
                    "is_active": true, "alias_emails": [], "send_welcome_email": false}))
    );
    assert_eq!(log[3].body.as_ref().unwrap()["primary_email"], "a2@example.com");
    for r in &log {
        assert_eq!(r.headers.get("x-user").map(String::as_str), Some(ADMIN));
        assert!(r.headers.values().all(|v| !v.contains(PASSWORD)));
    }
    let stored: Vec<String> = fake.users(DOMAIN).iter().map(|u| u["primary_email"].to_string()).collect();
    assert_eq!(stored, ["\"a2@example.com\"", "\"new@example.com\""]);
}

#[tokio::test]
async fn unknown_fields_survive_read_modify_write() {
    let fake = FakeService::start();
    let mut original = user("a@example.com");
    original["mobile"] = json!("+1 555 0100");
    original["quarantine"] = json!({"digest": "daily", "days": [1, 3]});
    fake.seed(DOMAIN, [original.clone()]);
    let t = target(&fake);
    let mut account = t.list().await.unwrap().remove(0);
    account.last_name = Some("Lee-Smith".into());
    t.put("a@example.com", &account).await.unwrap();
    original["surname"] = json!("Lee-Smith");
    assert_eq!(fake.users(DOMAIN), vec![original]);
}

#[tokio::test]
async fn wrong_password_stops_the_run_with_a_one_line_reason() {
    let fake = FakeService::start();
    let t = target_with(&fake, Opts { password: "Wr0ng-but-distinct", ..Opts::default() });
    let err = t.list().await.unwrap_err();
    assert!(err.is_fatal() && matches!(err, TargetError::Unauthorized { .. }));
    assert_reason(&err, "Service API:", "401 Unauthorized: Invalid username or password");
    assert!(!err.to_string().contains("Wr0ng-but-distinct"));
    assert_eq!(fake.requests().len(), 1, "a 401 is not retried");
}

#[tokio::test]
async fn unknown_domain_stops_the_run() {
    let fake = FakeService::start();
    let t = target_with(&fake, Opts { domain: "nope.example", ..Opts::default() });
    let err = t.list().await.unwrap_err();
    assert!(err.is_fatal() && matches!(err, TargetError::UnknownDomain { .. }));
    assert_reason(&err, "Service API:", "does not know the domain \"nope.example\"");
    assert_reason(&t.check().await.unwrap_err(), "Service API:", "target.domain");
}

#[tokio::test]
async fn a_403_on_the_listing_stops_the_run_and_on_one_account_fails_that_account() {
    let fake = FakeService::start();
    fake.add_org("other.example");
    let t = target_with(&fake, Opts { domain: "other.example", ..Opts::default() });
    let err = t.list().await.unwrap_err();
    assert!(err.is_fatal() && matches!(err, TargetError::Forbidden { .. }), "{err}");
    assert_reason(&err, "Service API:", "403 Forbidden: Not an administrator of this organization");
    let one = t.create(&account("x@other.example"), CreateOptions::default()).await.unwrap_err();
    assert!(!one.is_fatal() && matches!(one, TargetError::AccountForbidden { .. }), "{one}");
    assert_reason(&one, "Service API: POST", "refused for this one account (403 Forbidden");
    assert!(matches!(t.get("x@other.example").await, Err(TargetError::AccountForbidden { .. })));
}

#[tokio::test]
async fn a_read_only_admin_is_refused_before_any_write() {
    let fake = FakeService::start();
    fake.add_admin("ro@example.com", "ro-pass-123", &[DOMAIN], true);
    let t = target_with(&fake, Opts { user: "ro@example.com", password: "ro-pass-123", ..Opts::default() });
    let err = t.create(&account("x@example.com"), CreateOptions::default()).await.unwrap_err();
    assert!(err.is_fatal());
    assert_reason(&err, "Service API:", "\"ro@example.com\" is a read-only admin");
    assert!(t.delete("a@example.com").await.is_err());
    assert_eq!(fake.request_lines(), lines(&["GET /api/v1/me"]), "checked once, nothing written");
    assert!(matches!(t.check().await, Err(TargetError::ReadOnly { .. })));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let fake = FakeService::start();
    fake.fail_next(1, Fault::TooMany { retry_after: Some("1".into()) });
    let started = Instant::now();
    target(&fake).list().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_succeeds() {
    let fake = FakeService::start();
    fake.fail_next(2, Fault::TooMany { retry_after: None });
    let started = Instant::now();
    target(&fake).list().await.unwrap();
    // Two waits of at least half the 20 ms and 40 ms steps.
    assert!(started.elapsed() >= Duration::from_millis(30), "{:?}", started.elapsed());
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::test]
async fn a_429_storm_gives_up_after_a_bounded_number_of_attempts() {
    let fake = FakeService::start();
    fake.fail_next(1000, Fault::TooMany { retry_after: None });
    let err = target(&fake).list().await.unwrap_err();
    assert!(err.is_fatal());
    assert_reason(&err, "Service API:", "failed 4 times in a row (last failure: 429 Too Many Requests");
    assert!(err.to_string().contains("target.max_in_flight"), "{err}");
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_gives_up_at_once() {
    let fake = FakeService::start();
    fake.fail_next(1, Fault::TooMany { retry_after: Some("3600".into()) });
    let err = target(&fake).list().await.unwrap_err();
    assert_reason(&err, "Service API:", "Retry-After 1h, longer than the 5s adsync waits");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let fake = FakeService::start();
    fake.fail_next(2, Fault::ServerError);
    let t = target(&fake);
    assert!(t.list().await.is_ok());
    assert_eq!(fake.requests().len(), 3);
    fake.fail_next(1000, Fault::ServerError);
    let err = t.list().await.unwrap_err();
    assert_reason(&err, "Service API:", "(last failure: 500: Internal error)");
    assert_eq!(fake.requests().len(), 3 + 4);
}

#[tokio::test]
async fn slow_answers_within_the_timeout_are_fine_and_hangs_time_out() {
    let fake = FakeService::start();
    fake.set_latency(Duration::from_millis(300));
    let t = target_with(&fake, Opts { timeout: "1s", ..Opts::default() });
    assert!(t.list().await.is_ok());
    fake.fail_next(1000, Fault::Hang(Duration::from_secs(5)));
    let started = Instant::now();
    let err = t.list().await.unwrap_err();
    assert_reason(&err, "Service API:", "no answer within 1s");
    assert!(started.elapsed() < Duration::from_secs(8), "every attempt is bounded: {:?}", started.elapsed());
}

#[tokio::test]
async fn an_unreachable_service_gives_up_naming_the_network() {
    let fake = FakeService::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let place = Some(format!("api_url = \"http://{closed}/api/v1\""));
    let err = target_with(&fake, Opts { place, ..Opts::default() }).list().await.unwrap_err();
    assert!(err.is_fatal());
    assert_reason(&err, "Service API: GET /api/v1/orgs/example.com/users failed 4 times", "cannot connect");
    assert!(err.to_string().contains("target.api_url"), "{err}");
}

#[tokio::test]
async fn a_create_that_timed_out_but_was_stored_is_not_sent_twice() {
    let fake = FakeService::start();
    fake.fail_matching(Some(Method::POST), None, 1, Fault::ApplyThenHang(Duration::from_secs(3)));
    let t = target_with(&fake, Opts { timeout: "300ms", ..Opts::default() });
    t.create(&account("new@example.com"), CreateOptions::default()).await.unwrap();
    assert_eq!(
        fake.request_lines(),
        lines(&["GET /api/v1/me", &format!("POST {USERS}"), &format!("GET {USERS}/new@example.com")])
    );
    assert_eq!(fake.users(DOMAIN).len(), 1);
}

#[tokio::test]
async fn a_create_that_failed_unstored_is_checked_then_sent_again() {
    for fault in [Fault::Hang(Duration::from_secs(3)), Fault::ServerError] {
        let fake = FakeService::start();
        fake.fail_matching(Some(Method::POST), None, 1, fault.clone());
        let t = target_with(&fake, Opts { timeout: "300ms", ..Opts::default() });
        t.create(&account("new@example.com"), CreateOptions::default()).await.unwrap();
        let got: Vec<String> = fake.requests().iter().skip(1).map(|r| r.line()).collect();
        let want = [format!("POST {USERS}"), format!("GET {USERS}/new@example.com"), format!("POST {USERS}")];
        assert_eq!(got, want, "{fault:?}");
        assert_eq!(fake.users(DOMAIN).len(), 1);
    }
}

#[tokio::test]
async fn a_delete_retried_after_a_timeout_that_then_finds_nothing_is_done() {
    let fake = FakeService::start();
    fake.seed(DOMAIN, [user("b@example.com")]);
    fake.fail_matching(Some(Method::DELETE), None, 1, Fault::ApplyThenHang(Duration::from_secs(3)));
    let t = target_with(&fake, Opts { timeout: "300ms", ..Opts::default() });
    t.delete("b@example.com").await.unwrap();
    let statuses: Vec<(String, u16)> = fake.requests().iter().map(|r| (r.method.clone(), r.status)).collect();
    assert_eq!(statuses[1..], [("DELETE".to_string(), 0), ("DELETE".to_string(), 404)]);
    assert!(fake.users(DOMAIN).is_empty());
}

#[tokio::test]
async fn an_update_after_a_timeout_is_simply_repeated() {
    let fake = FakeService::start();
    fake.seed(DOMAIN, [user("a@example.com")]);
    fake.fail_matching(Some(Method::PUT), None, 1, Fault::ApplyThenHang(Duration::from_secs(3)));
    let t = target_with(&fake, Opts { timeout: "300ms", ..Opts::default() });
    let mut a = account("a@example.com");
    a.last_name = Some("New".into());
    t.put("a@example.com", &a).await.unwrap();
    let put = format!("PUT {USERS}/a@example.com");
    assert_eq!(fake.request_lines()[1..], [put.clone(), put]);
    assert_eq!(fake.users(DOMAIN)[0]["surname"], "New");
}

#[tokio::test]
async fn at_most_max_in_flight_requests_at_once() {
    let fake = FakeService::start();
    fake.set_latency(Duration::from_millis(100));
    let t = target_with(&fake, Opts { extra: "max_in_flight = 3", ..Opts::default() });
    let accounts: Vec<Account> = (0..12).map(|i| account(&format!("u{i}@example.com"))).collect();
    let creates = accounts.iter().map(|a| t.create(a, CreateOptions::default()));
    let results = futures::future::join_all(creates).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(fake.max_in_flight(), 3);
    assert_eq!(fake.users(DOMAIN).len(), 12);
    assert_eq!(fake.request_lines().iter().filter(|l| l.ends_with("/me")).count(), 1, "the writer check runs once");
}

#[tokio::test]
async fn the_rate_cap_spaces_requests() {
    let fake = FakeService::start();
    let t = target_with(&fake, Opts { extra: "max_requests_per_second = 10.0", ..Opts::default() });
    let started = Instant::now();
    for _ in 0..6 {
        t.list().await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(500), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_stack_is_discovered_when_not_configured() {
    let fake = FakeService::start();
    let place = Some(format!("discovery_url = \"{}\"", fake.base_url()));
    let t = target_with(&fake, Opts { place: place.clone(), ..Opts::default() });
    assert!(t.describe().contains("stack to be discovered"));
    t.list().await.unwrap();
    t.list().await.unwrap();
    let want = [format!("GET /api/v1/endpoints/{DOMAIN}"), format!("GET {USERS}"), format!("GET {USERS}")];
    assert_eq!(fake.request_lines(), want);
    assert!(t.describe().contains(&fake.base_url()), "{}", t.describe());

    let unknown = target_with(&fake, Opts { place, domain: "nope.example", ..Opts::default() });
    let err = unknown.list().await.unwrap_err();
    assert!(err.is_fatal());
    assert_reason(&err, "Service API:", "does not know the domain \"nope.example\"");
}

#[tokio::test]
async fn per_item_refusals_do_not_stop_the_run() {
    let fake = FakeService::start();
    fake.seed(DOMAIN, [user("a@example.com")]);
    let t = target(&fake);
    let dup = t.create(&account("A@example.com"), CreateOptions::default()).await.unwrap_err();
    assert!(!dup.is_fatal() && matches!(dup, TargetError::Duplicate { .. }));
    assert_reason(&dup, "Service API:", "already exists: User already exists (A@example.com)");
    fake.set_duplicate_status(400);
    let dup400 = t.create(&account("a@example.com"), CreateOptions::default()).await.unwrap_err();
    assert!(matches!(dup400, TargetError::Duplicate { .. }), "{dup400}");
    let missing = t.put("ghost@example.com", &account("ghost@example.com")).await.unwrap_err();
    assert!(!missing.is_fatal() && matches!(missing, TargetError::NotFound { .. }));
    assert!(matches!(t.delete("ghost@example.com").await, Err(TargetError::NotFound { .. })));
    let bad = t.create(&account(""), CreateOptions::default()).await.unwrap_err();
    assert!(!bad.is_fatal());
    assert_reason(&bad, "Service API:", "(400: primary_email is required)");
    let collide = t.put("a@example.com", &account("new@example.com")).await;
    assert!(collide.is_ok());
    t.create(&account("a@example.com"), CreateOptions::default()).await.unwrap();
    let onto = t.put("a@example.com", &account("new@example.com")).await.unwrap_err();
    assert!(matches!(&onto, TargetError::Duplicate { email, .. } if email == "new@example.com"), "{onto}");
}

#[tokio::test]
async fn check_reports_who_we_are_and_the_user_count() {
    let fake = FakeService::start();
    let mut admin = user("boss@example.com");
    admin["type"] = json!("organization_admin");
    fake.seed(DOMAIN, [user("a@example.com"), user("b@example.com"), admin]);
    let check = target(&fake).check().await.unwrap();
    assert_eq!((check.users, check.admins), (3, 1));
    assert_eq!(check.signed_in_as.as_deref(), Some(ADMIN));
    assert_eq!(check.account_type.as_deref(), Some("organization_admin"));
    assert_eq!(check.read_only, Some(false));
    assert_eq!(check.endpoint, fake.base_url());
}

#[tokio::test]
async fn debug_output_never_shows_the_password() {
    let fake = FakeService::start();
    let t = target(&fake);
    let shown = format!("{t:?}");
    assert!(shown.contains("EssentialsTarget") && !shown.contains(PASSWORD), "{shown}");
}
