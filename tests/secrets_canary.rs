//! Secrets never leave: the six kinds of secret (the bind password, the service password,
//! the Graph client secret, the SMTP password, the webhook URL and a webhook header) are set
//! at once to canary strings; every command runs with them, in its plain, `-v` and `--json`
//! forms, on paths that work and paths that fail (a wrong password, a closed port on
//! 127.0.0.1), and the terminal app runs in tmux. Notifications really go out: the webhook to
//! a loopback receiver, the email to a loopback SMTP server that requires the login (over
//! STARTTLS), so the SMTP password is sent. No canary, nor the SMTP password in the base64
//! forms AUTH PLAIN and AUTH LOGIN send it in, may appear on stdout, stderr, the screen, or in
//! any file adsync wrote (state dir, journals, history, exports, logs).
//! A fleet's partner admin password gets the same treatment through the fleet's commands.

mod common;

use adsync::demo::graph::{LookalikeOptions, Tenant};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::fake_service::{ADMIN, DOMAIN, FakeService};
use common::graph::GraphLab;
use common::receivers::{SMTP_PASSWORD, SMTP_USER, SmtpMode, SmtpReceiver, WebhookReceiver, closed_port};
use common::tmux::Tmux;
use common::{Outcome, run};
use std::path::{Path, PathBuf};
use std::time::Duration;

const API: &str = "CANARY-api-91c2e7";
const GRAPH: &str = "CANARY-graph-5d0e3b";
/// The SMTP receiver's login password: the run must send it to log in.
const SMTP: &str = SMTP_PASSWORD;
const HOOK_TOKEN: &str = "CANARY-hook-6e1d90";
const HEADER: &str = "CANARY-header-c4a95f";
const WRONG_BIND: &str = "CANARY-wrongbind-8a0c";
const WRONG_API: &str = "CANARY-wrongapi-13fe";
const WRONG_GRAPH: &str = "CANARY-wronggraph-77d1";
const PARTNER: &str = "CANARY-partner-3f9a21";
const WRONG_PARTNER: &str = "CANARY-wrongpartner-5b7c";

/// Where adsync runs: its config and state in `dir`, the secret files apart in `secrets`.
struct World {
    dir: tempfile::TempDir,
    secrets: tempfile::TempDir,
    fake: FakeService,
    /// The Graph runs' own service, so that their plans do not meet the LDAP runs' accounts.
    graph_fake: FakeService,
    hook: WebhookReceiver,
    smtp: SmtpReceiver,
    graph: GraphLab,
    bind_pw: String,
    outputs: Vec<(String, String)>,
}

impl World {
    fn new(lab: &common::Lab, smtp: SmtpReceiver) -> Self {
        let [fake, graph_fake] = [(); 2].map(|_| FakeService::start());
        for f in [&fake, &graph_fake] {
            f.add_admin(ADMIN, API, &[DOMAIN], false);
        }
        let graph = GraphLab::serve(Tenant::company(40), LookalikeOptions { users: 40, ..LookalikeOptions::default() });
        graph.lookalike.state.app.lock().unwrap().secret = GRAPH.into();
        let secrets = tempfile::tempdir().unwrap();
        std::fs::write(secrets.path().join("bind.pw"), format!("{}\n", lab.bind_pw)).unwrap();
        std::fs::write(secrets.path().join("wrong.pw"), format!("{WRONG_BIND}\n")).unwrap();
        let world = Self {
            dir: tempfile::tempdir().unwrap(),
            secrets,
            fake,
            graph_fake,
            hook: WebhookReceiver::start(),
            smtp,
            graph,
            bind_pw: lab.bind_pw.clone(),
            outputs: Vec::new(),
        };
        std::fs::create_dir_all(world.home()).unwrap();
        world
    }

    /// The secrets, and the SMTP password as the login sends it: base64 of
    /// "\0user\0password" (AUTH PLAIN) and of the password alone (AUTH LOGIN), padding aside.
    fn canaries(&self) -> Vec<String> {
        let plain = BASE64.encode(format!("\0{SMTP_USER}\0{SMTP}"));
        let login = BASE64.encode(SMTP);
        let encoded = [plain, login].map(|b| b.trim_end_matches('=').to_string());
        [&self.bind_pw, API, GRAPH, SMTP, HOOK_TOKEN, HEADER, WRONG_BIND, WRONG_API, WRONG_GRAPH]
            .map(str::to_string)
            .into_iter()
            .chain(encoded)
            .collect()
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The tables every config shares: the state dir, the service, notifications.
    fn common_tables(&self, state: &str, api_url: &str) -> String {
        format!(
            "state_dir = \"{}\"\n\n[sync]\ndelete = true\nfrequency = \"1h\"\nauto_apply = true\n\n\
             [target]\nkind = \"essentials\"\napi_url = \"{api_url}\"\ndomain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\n\
             password_env = \"CANARY_API_PW\"\nrequest_timeout = \"2s\"\n\n\
             [notify]\non = [\"applied\", \"failed\"]\nwebhook_url_env = \"CANARY_HOOK\"\n\
             webhook_headers = [{{ name = \"X-Token\", value_env = \"CANARY_HEADER\" }}]\n\
             smtp_url = \"smtp://127.0.0.1:{}\"\nsmtp_user = \"{SMTP_USER}\"\nsmtp_password_env = \"CANARY_SMTP_PW\"\n\
             smtp_ca_file = \"{}\"\nfrom = \"adsync@example.com\"\nto = [\"it@example.com\"]\n",
            self.dir.path().join(state).display(),
            self.smtp.port,
            self.smtp.ca_file.display(),
        )
    }

    /// An LDAP config: `url` the directory, `password_file` the bind password's file name.
    fn ldap_config(&self, name: &str, lab: &common::Lab, url: &str, password_file: &str, api_url: &str) -> PathBuf {
        let text = format!(
            "{}\n[source]\nkind = \"ldap\"\nurl = \"{url}\"\nbind_dn = \"{}\"\npassword_file = \"{}\"\nbase_dn = \"{}\"\n\
             connect_timeout = \"2s\"\nop_timeout = \"5s\"\n",
            self.common_tables("state", api_url),
            lab.bind_dn,
            self.secrets.path().join(password_file).display(),
            lab.base_dn,
        );
        self.write(name, text)
    }

    fn graph_config(&self, name: &str) -> PathBuf {
        let source = self.graph.source_toml("client_secret_env = \"CANARY_GRAPH\"", "");
        let source = source.split_once("\n\n").unwrap().1;
        self.write(name, format!("{}\n{source}", self.common_tables("state-graph", &self.graph_fake.base_url())))
    }

    fn write(&self, name: &str, text: String) -> PathBuf {
        let path = self.secrets.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs adsync with every secret in its environment; keeps what it printed.
    fn adsync(&mut self, config: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
        cmd.env_remove("ADSYNC_CONFIG")
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home())
            .env("CANARY_API_PW", API)
            .env("CANARY_GRAPH", GRAPH)
            .env("CANARY_SMTP_PW", SMTP)
            .env("CANARY_HOOK", format!("http://127.0.0.1:{}/hooks/{HOOK_TOKEN}", self.hook.port))
            .env("CANARY_HEADER", HEADER)
            .envs(env.iter().copied())
            .arg("--config")
            .arg(config)
            .args(args);
        let out = run(cmd);
        let what = format!("{} {}", config.file_name().unwrap().to_string_lossy(), args.join(" "));
        assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
        self.outputs.push((what.clone() + " (stdout)", out.stdout.clone()));
        self.outputs.push((what + " (stderr)", out.stderr.clone()));
        out
    }

    /// Every text adsync printed or wrote, checked for every canary.
    fn assert_no_canary(&self, screens: &[String]) {
        let mut texts: Vec<(String, String)> = self.outputs.clone();
        texts.extend(screens.iter().enumerate().map(|(k, s)| (format!("tmux screen {k}"), s.clone())));
        texts.extend(files_under(self.dir.path()));
        let mut hits = Vec::new();
        for (place, text) in &texts {
            for canary in self.canaries() {
                if text.contains(&canary) {
                    hits.push(format!("{canary:?} in {place}"));
                }
            }
        }
        assert!(hits.is_empty(), "secrets leaked:\n{}", hits.join("\n"));
        assert!(texts.len() > 60, "the runs and their files were all read: {}", texts.len());
    }
}

/// Every file under `dir`, as text, by path.
fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found
}

/// A config, the arguments, and the environment a run fails with.
type FailingRun<'a> = (&'a PathBuf, &'a [&'a str], &'a [(&'a str, &'a str)]);

fn codes(outs: &[Outcome]) -> Vec<i32> {
    outs.iter().map(|o| o.code).collect()
}

#[test]
fn no_secret_reaches_any_output_or_file() {
    let Some(lab) = common::lab("RW") else { return };
    let Some(smtp) = SmtpReceiver::start(SmtpMode::StartTls) else { return };
    let mut w = World::new(&lab, smtp);
    let api = w.fake.base_url();
    let good = w.ldap_config("good.toml", &lab, &lab.uri, "bind.pw", &api);
    let export = w.dir.path().join("export.csv").display().to_string();
    let working: &[&[&str]] = &[
        &["search"],
        &["search", "--json"],
        &["-v", "search"],
        &["plan"],
        &["plan", "--json"],
        &["-vv", "plan"],
        &["sync"],
        &["sync", "--apply"],
        &["-v", "sync", "--apply", "--json"],
        &["check"],
        &["check", "--json"],
        &["-v", "check", "--target"],
        &["history"],
        &["history", "--json"],
        &["export", "csv"],
        &["export", "csv", "--out", &export],
        &["config", "check"],
        &["-v", "config", "check"],
        &["schedule", "--now", "--runs", "1"],
    ];
    let outs: Vec<Outcome> = working.iter().map(|args| w.adsync(&good, args, &[])).collect();
    assert_eq!(codes(&outs).iter().filter(|&&c| c == 0).count(), working.len(), "{:?}", codes(&outs));
    assert!(!w.fake.users(DOMAIN).is_empty(), "the apply ran");
    assert!(!w.hook.hooks().is_empty(), "the webhook was called, so its URL and header were used");
    let mail = w.smtp.wait_for(1, Duration::from_secs(10));
    assert!(!mail.is_empty(), "the email was sent, so the SMTP password was used to log in");
    assert_eq!(mail[0]["user"].as_str(), Some(SMTP_USER), "{mail:?}");

    let wrong = w.ldap_config("wrong.toml", &lab, &lab.uri, "wrong.pw", &api);
    let closed_dir =
        w.ldap_config("closed.toml", &lab, &format!("ldap://127.0.0.1:{}", closed_port()), "bind.pw", &api);
    let closed_api = w.ldap_config(
        "closedapi.toml",
        &lab,
        &lab.uri,
        "bind.pw",
        &format!("http://127.0.0.1:{}/api/v1", closed_port()),
    );
    let failing: Vec<FailingRun> = vec![
        (&wrong, &["search"], &[]),
        (&wrong, &["-v", "sync", "--apply", "--json"], &[]),
        (&wrong, &["check", "--json"], &[]),
        (&wrong, &["-vv", "check"], &[]),
        (&closed_dir, &["plan"], &[]),
        (&closed_dir, &["-v", "check", "--json"], &[]),
        (&closed_api, &["-v", "check", "--target"], &[]),
        (&good, &["-vv", "sync", "--apply"], &[("CANARY_API_PW", WRONG_API)]),
        (&good, &["check", "--target", "--json"], &[("CANARY_API_PW", WRONG_API)]),
    ];
    for (config, args, env) in failing {
        let out = w.adsync(config, args, env);
        assert_ne!(out.code, 0, "{args:?} fails");
    }

    let graph = w.graph_config("graph.toml");
    for args in [&["search"][..], &["plan", "--json"], &["-v", "sync", "--apply"], &["check"]] {
        let out = w.adsync(&graph, args, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    for args in [&["-vv", "search"][..], &["check", "--json"]] {
        let out = w.adsync(&graph, args, &[("CANARY_GRAPH", WRONG_GRAPH)]);
        assert_ne!(out.code, 0, "{args:?} with a wrong client secret fails");
    }

    let screens = terminal_app(&w, &good);
    w.assert_no_canary(&screens);
}

/// The terminal app on the working config: a search, the log tab, then quit. Its screens.
fn terminal_app(w: &World, config: &Path) -> Vec<String> {
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} --config {}", bin.display(), config.display());
    let home = w.home().display().to_string();
    let hook = format!("http://127.0.0.1:{}/hooks/{HOOK_TOKEN}", w.hook.port);
    let env = [
        ("HOME", home.as_str()),
        ("XDG_CONFIG_HOME", home.as_str()),
        ("CANARY_API_PW", API),
        ("CANARY_GRAPH", GRAPH),
        ("CANARY_SMTP_PW", SMTP),
        ("CANARY_HOOK", hook.as_str()),
        ("CANARY_HEADER", HEADER),
    ];
    let Some(t) = Tmux::start(&command, 120, 40, &env) else { return Vec::new() };
    let wait = Duration::from_secs(20);
    let mut screens = vec![t.wait_for("4 Log", wait)];
    t.keys(&["s"]);
    screens.push(t.wait_until("the read to end", wait, |s| !s.contains("Reading") && !s.contains("Connecting")));
    for tab in ["2", "3", "4"] {
        t.keys(&[tab]);
        std::thread::sleep(Duration::from_millis(300));
        screens.push(t.screen());
    }
    t.keys(&["q"]);
    t.wait_until("the app to exit", wait, |_| t.exited());
    screens
}

/// A fleet whose organisation signs in with the partner's credentials (its people a CSV
/// file): the fleet's commands, working and with a wrong partner password.
#[test]
fn the_partner_password_reaches_no_output_or_file() {
    let fake = FakeService::start();
    let child = serde_json::json!({"primary_domain": "acme.example", "name": "ACME", "is_active": true});
    fake.add_partner("msp.example", "tech@msp.example", PARTNER, vec![child]);
    let dir = tempfile::tempdir().unwrap();
    let orgs = dir.path().join("orgs.d");
    std::fs::create_dir(&orgs).unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "Ann,Lee,ann@acme.example,,\nBo,Li,bo@acme.example,,\n").unwrap();
    let main = dir.path().join("adsync.toml");
    std::fs::write(
        &main,
        format!(
            "state_dir = \"{}\"\n\n[partner]\ndomain = \"msp.example\"\napi_url = \"{}\"\n\
             user = \"tech@msp.example\"\npassword_env = \"CANARY_PARTNER\"\n",
            dir.path().join("state").display(),
            fake.base_url()
        ),
    )
    .unwrap();
    std::fs::write(
        orgs.join("acme.toml"),
        format!(
            "[source]\nkind = \"csv\"\npath = \"{}\"\n\n[sync]\nfrequency = \"1h\"\nauto_apply = true\n\n\
             [target]\nkind = \"essentials\"\ndomain = \"acme.example\"\ncredentials = \"partner\"\n",
            people.display()
        ),
    )
    .unwrap();
    let adsync = |args: &[&str], password: &str| {
        let mut cmd = assert_cmd::Command::cargo_bin("adsync").unwrap();
        cmd.env_remove("ADSYNC_CONFIG")
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("CANARY_PARTNER", password)
            .arg("--config")
            .arg(&main)
            .args(args);
        run(cmd)
    };
    let working: &[&[&str]] = &[
        &["orgs", "list"],
        &["orgs", "list", "--json"],
        &["-v", "orgs", "discover"],
        &["--org", "acme", "plan", "--json"],
        &["-vv", "--org", "acme", "sync", "--apply"],
        &["--org", "acme", "check", "--target", "--json"],
        &["config", "check"],
        &["schedule", "--all", "--now", "--runs", "1"],
    ];
    let mut outputs = Vec::new();
    for args in working {
        let out = adsync(args, PARTNER);
        assert_eq!(out.code, 0, "{args:?}: {}\n{}", out.stdout, out.stderr);
        outputs.push(out);
    }
    assert_eq!(fake.users("acme.example").len(), 2, "the organisation was synced as the partner");
    for args in [
        &["-v", "orgs", "discover"][..],
        &["--org", "acme", "sync", "--apply", "--json"],
        &["-vv", "--org", "acme", "check", "--target"],
    ] {
        let out = adsync(args, WRONG_PARTNER);
        assert_ne!(out.code, 0, "{args:?} with a wrong partner password fails");
        outputs.push(out);
    }
    let mut texts: Vec<(String, String)> =
        files_under(dir.path()).into_iter().filter(|(path, _)| !path.ends_with("people.csv")).collect();
    texts
        .extend(outputs.into_iter().flat_map(|o| [("stdout".to_string(), o.stdout), ("stderr".to_string(), o.stderr)]));
    for (place, text) in &texts {
        for canary in [PARTNER, WRONG_PARTNER] {
            assert!(!text.contains(canary), "{canary} in {place}:\n{text}");
        }
    }
}

/// Nothing from outside makes adsync panic; what a panic would print of the config (its
/// Debug form, secrets given inline included) names no secret.
#[test]
fn the_config_as_a_panic_would_print_it_holds_no_secret() {
    let text = format!(
        "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:389\"\nbind_dn = \"cn=svc,dc=example,dc=com\"\n\
         password = \"{WRONG_BIND}\"\nbase_dn = \"dc=example,dc=com\"\n\n[target]\nkind = \"essentials\"\nstack = \"us1\"\n\
         domain = \"{DOMAIN}\"\nuser = \"{ADMIN}\"\npassword = \"{API}\"\n\n[notify]\n\
         webhook_url = \"https://chat.example.com/hooks/{HOOK_TOKEN}\"\n\
         webhook_headers = [{{ name = \"X-Token\", value_env = \"CANARY_HEADER\" }}]\n"
    );
    let config = adsync::config::Config::parse(&text, "inline.toml").expect("a valid config");
    let shown = std::panic::catch_unwind(|| panic!("{config:?}")).unwrap_err();
    let shown = shown.downcast_ref::<String>().expect("a formatted panic message");
    assert!(shown.contains("cn=svc,dc=example,dc=com"), "the config is in the message: {shown}");
    for canary in [WRONG_BIND, API, HOOK_TOKEN] {
        assert!(!shown.contains(canary), "{canary} in {shown}");
    }
}
