//! Notifications end to end: runs against the real slapd and the loopback fake of the
//! service, told to a real SMTP server (aiosmtpd, TLS, a login) and a loopback webhook
//! receiver started here — with the right content, once per run, never with a secret, and
//! a receiver that is down never fails the run.

mod common;

use common::receivers::{SMTP_PASSWORD, SMTP_USER, SmtpMode, SmtpReceiver, WebhookReceiver, closed_port};
use common::sync_setup::{Setup, json};
use common::{Outcome, run};
use std::time::{Duration, Instant};

const TOKEN: &str = "hook-t0ken-8d41";
const HEADER_VALUE: &str = "Bearer hdr-s3cret-77";
/// A few hundred of the lab's people, so applying them is quick.
const FEW: &str = "user_filter = \"(&(objectClass=inetOrgPerson)(sn=Allen))\"\n";

fn smtp_table(smtp: &SmtpReceiver, scheme: &str) -> String {
    format!(
        "smtp_url = \"{scheme}://127.0.0.1:{}\"\nsmtp_user = \"{SMTP_USER}\"\nsmtp_password_env = \"ADSYNC_TEST_SMTP_PW\"\n\
         smtp_ca_file = \"{}\"\nfrom = \"adsync <adsync@example.com>\"\nto = [\"it@example.com\", \"ops@example.com\"]\n",
        smtp.port,
        smtp.ca_file.display()
    )
}

fn webhook_table() -> String {
    "webhook_url_env = \"ADSYNC_TEST_HOOK\"\nwebhook_headers = [{ name = \"X-Token\", value_env = \"ADSYNC_TEST_HOOK_HEADER\" }]\n".into()
}

fn setup(lab: common::Lab, notify: String) -> Setup {
    let mut setup = Setup::new(lab);
    setup.source_extra = FEW.into();
    setup.tables_extra = format!("\n[notify]\n{notify}");
    setup
}

fn adsync(setup: &Setup, hook_port: u16, args: &[&str], api_password: Option<&str>) -> Outcome {
    let mut command = setup.command(args);
    command
        .env("ADSYNC_TEST_SMTP_PW", SMTP_PASSWORD)
        .env("ADSYNC_TEST_HOOK", format!("http://127.0.0.1:{hook_port}/hooks/{TOKEN}"))
        .env("ADSYNC_TEST_HOOK_HEADER", HEADER_VALUE);
    if let Some(pw) = api_password {
        command.env("ADSYNC_TEST_API_PW", pw);
    }
    run(assert_cmd::Command::from_std(command))
}

fn assert_no_secret(setup: &Setup, out: &Outcome) {
    let history = std::fs::read_to_string(setup.dir.path().join("state").join("history.jsonl")).unwrap_or_default();
    for secret in [TOKEN, "hdr-s3cret-77", SMTP_PASSWORD] {
        for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr), ("history", &history)] {
            assert!(!text.contains(secret), "a secret in {name}: {text}");
        }
    }
}

#[test]
fn a_failed_run_is_told_by_webhook_and_by_email_over_starttls() {
    let Some(lab) = common::slapd() else { return };
    let Some(smtp) = SmtpReceiver::start(SmtpMode::StartTls) else { return };
    let hook = WebhookReceiver::start();
    let setup = setup(lab, format!("{}{}", webhook_table(), smtp_table(&smtp, "smtp")));
    let out = adsync(&setup, hook.port, &["sync", "--apply"], Some("not-the-password"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("warning: notification"), "{}", out.stderr);

    let hooks = hook.hooks();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0].path, format!("/hooks/{TOKEN}"));
    assert_eq!(hooks[0].headers["x-token"], HEADER_VALUE);
    let posted = &hooks[0].body;
    assert_eq!((posted["outcome"].as_str(), posted["exit_code"].as_u64()), (Some("failed"), Some(1)));
    assert!(posted["error"].as_str().unwrap().contains("401"), "{posted}");

    let mail = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(mail.len(), 1, "{mail:?}");
    let m = &mail[0];
    assert_eq!((m["user"].as_str(), m["tls"].as_bool()), (Some(SMTP_USER), Some(true)));
    assert_eq!(m["to"], serde_json::json!(["it@example.com", "ops@example.com"]));
    let subject = m["subject"].as_str().unwrap();
    assert!(subject.starts_with("adsync cli: failed: ") && subject.contains("401"), "{subject}");
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("Outcome:  FAILED (exit 1)") && body.contains("Error:    "), "{body}");
    assert!(body.contains(&format!("adsync history show {}", posted["run"].as_str().unwrap())), "{body}");
    assert_no_secret(&setup, &out);
}

#[test]
fn applied_runs_are_told_over_smtps_when_asked_and_dry_runs_never() {
    let Some(lab) = common::slapd() else { return };
    let Some(smtp) = SmtpReceiver::start(SmtpMode::Smtps) else { return };
    let setup = setup(lab, format!("on = [\"applied\"]\n{}", smtp_table(&smtp, "smtps")));
    let out = adsync(&setup, closed_port(), &["sync", "--apply", "--json"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let created = json(&out)["applied"]["create"].as_u64().unwrap();
    assert!(created > 0);
    let mail = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(mail.len(), 1, "{mail:?}");
    let subject = mail[0]["subject"].as_str().unwrap();
    assert!(subject.starts_with(&format!("adsync cli: applied {created} changes (+{created} ~0 -0)")), "{subject}");
    assert!(mail[0]["body"].as_str().unwrap().contains(&format!("Applied:  {created} of {created} approved")));

    let out = adsync(&setup, closed_port(), &["plan"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(smtp.messages().len(), 1, "a dry run is not worth a message");
    assert_no_secret(&setup, &out);
}

#[test]
fn a_blocked_sync_is_told_once_though_its_plan_and_its_apply_are_both_recorded() {
    let Some(lab) = common::slapd() else { return };
    let hook = WebhookReceiver::start();
    let setup = setup(lab, webhook_table());
    assert_eq!(adsync(&setup, hook.port, &["sync", "--apply"], None).code, 0);
    setup.seed_stale_managed(30);
    let out = adsync(&setup, hook.port, &["sync", "--apply"], None);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let hooks = hook.hooks();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0].body["outcome"].as_str(), Some("blocked"));
    assert_eq!(hooks[0].body["guards"][0]["guard"].as_str(), Some("max_deletes"));
}

#[test]
fn a_dead_receiver_does_not_fail_the_run() {
    let Some(lab) = common::slapd() else { return };
    let dead = closed_port();
    let smtp = format!(
        "smtp_url = \"smtp://127.0.0.1:{}\"\nfrom = \"adsync@example.com\"\nto = [\"it@example.com\"]\n",
        closed_port()
    );
    let setup = setup(lab, format!("on = [\"applied\", \"failed\"]\n{}{smtp}", webhook_table()));
    let started = Instant::now();
    let out = adsync(&setup, dead, &["sync", "--apply"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    assert!(
        out.stderr
            .contains("warning: notification by webhook (env ADSYNC_TEST_HOOK) failed: cannot reach the receiver"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("warning: notification by e-mail to it@example.com"), "{}", out.stderr);
    let history = setup.adsync(&["history", "--json"]);
    assert_eq!(json(&history)[0]["outcome"].as_str(), Some("applied"));
    assert_no_secret(&setup, &out);
}
