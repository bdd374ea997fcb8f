//! The TUI in a real terminal: tmux runs `adsync demo`, keys go in, the screen is read back.

mod common;

use common::tmux::Tmux;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn demo(width: u16, height: u16) -> Option<(Tmux, tempfile::TempDir)> {
    let home = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} demo --users 300", bin.display());
    let home_str = home.path().display().to_string();
    let tmux = Tmux::start(
        &command,
        width,
        height,
        &[("HOME", &home_str), ("XDG_CONFIG_HOME", &home_str), ("TERM", "xterm-256color")],
    )?;
    Some((tmux, home))
}

#[test]
fn browse_search_filter_and_quit_in_a_real_terminal() {
    let Some((t, _home)) = demo(120, 40) else { return };
    t.wait_for("● bound", WAIT);
    t.keys(&["s"]);
    t.wait_for("to sync", WAIT);
    t.wait_for("read 314 entries", WAIT);
    // dc=example,dc=com → Groups → People; open People and its Sales OU.
    t.keys(&["j", "j", "l"]);
    let screen = t.wait_for("o Sales", WAIT);
    assert!(screen.lines().any(|l| l.contains("›  ▾ o People")), "the cursor is on People:\n{screen}");
    t.keys(&["j", "l"]);
    t.wait_for("u ", WAIT);
    t.keys(&["/"]);
    t.type_text("Sales");
    t.keys(&["Enter"]);
    let screen = t.wait_for("filter: Sales", WAIT);
    assert!(!screen.contains("o Marketing"), "the filter hides other OUs:\n{screen}");
    t.keys(&["Tab"]);
    t.wait_for("Search results", WAIT);
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
    let screen = t.screen();
    assert!(!screen.contains("panicked"), "{screen}");
}

/// The demo at 120×40 with its files (config, the stand-in service) kept in a directory.
fn demo_keeping_files() -> Option<(Tmux, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} demo --users 300 --dir {}", bin.display(), dir.path().display());
    let home = dir.path().display().to_string();
    let tmux = Tmux::start(&command, 120, 40, &[("HOME", &home), ("XDG_CONFIG_HOME", &home)])?;
    Some((tmux, dir))
}

#[test]
fn small_terminals_get_tabs_and_tiny_ones_a_notice() {
    let Some((t, _home)) = demo(80, 24) else { return };
    t.wait_for("1 Settings │ 2 Directory", WAIT);
    t.resize(50, 12);
    t.wait_for("terminal too small", WAIT);
    t.resize(120, 40);
    t.wait_for("4 Log", WAIT);
    t.keys(&["C-c"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
}

fn service_emails(path: &std::path::Path) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["users"].as_array().unwrap().iter().map(|u| u["primary_email"].as_str().unwrap().to_string()).collect()
}

/// "Adding 93 · Updating 17 · Deleting 8" → (93, 17, 8).
fn totals(screen: &str) -> (usize, usize, usize) {
    let line = screen.lines().find(|l| l.contains("Adding ")).expect("the review header");
    let num = |word: &str| -> usize {
        let after = line.split(word).nth(1).unwrap().trim_start();
        after
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(|c| *c != ',')
            .collect::<String>()
            .parse()
            .unwrap()
    };
    (num("Adding"), num("Updating"), num("Deleting"))
}

#[test]
fn browse_search_review_leave_one_change_out_apply_and_the_service_holds_exactly_the_approved() {
    let Some((t, dir)) = demo_keeping_files() else { return };
    t.wait_for("● bound", WAIT);
    let service = dir.path().join("service.json");
    let before = service_emails(&service);
    // Search Now, then browse into People before reviewing the plan.
    t.keys(&["s"]);
    t.wait_for("read 314 entries", WAIT);
    t.keys(&["j", "j", "l"]);
    t.wait_for("o Sales", WAIT);
    t.keys(&["p"]);
    let screen = t.wait_for("Adding ", WAIT);
    let (adds, _updates, deletes) = totals(&screen);
    assert!(adds > 0 && deletes > 0, "{screen}");
    // The last change is a create: leave it out.
    t.keys(&["G", "Space"]);
    let screen = t.wait_until("a change left out", WAIT, |s| s.contains("›[ ] +"));
    let line = screen.lines().find(|l| l.contains("›[ ] +")).unwrap();
    let left_out = line.split("+ ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert!(!left_out.contains('…'), "the address is shown whole: {line}");
    t.keys(&["a"]);
    let screen = t.wait_for("Apply?", WAIT);
    assert!(screen.contains("1 left out by you"), "{screen}");
    t.keys(&["y"]);
    t.wait_for("Applied in", WAIT);
    // The run is in the history, with its changes one Enter away.
    t.keys(&["5"]);
    t.wait_for("tui      applied", WAIT);
    t.keys(&["Enter"]);
    t.wait_for(" done     former.employee", WAIT);
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
    let after = service_emails(&service);
    assert_eq!(after.len(), before.len() + (adds - 1) - deletes);
    assert!(!after.contains(&left_out), "{left_out} was left out, yet created");
    assert!(after.iter().all(|e| !e.starts_with("former.employee")), "the deletes went through");
    assert!(after.iter().any(|e| e == "admin@example.com"), "admins are never touched");
}

/// A server that accepts the connection and then never answers: the keys stay live, Esc cancels
/// the read, and the app quits at once.
#[test]
fn a_hung_server_leaves_the_keys_live_and_esc_cancels() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("adsync.toml");
    std::fs::write(
        &config,
        format!(
            "[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:{port}\"\nbind_dn = \"cn=svc,dc=example,dc=com\"\n\
             password_env = \"HUNG_PW\"\nbase_dn = \"dc=example,dc=com\"\nop_timeout = \"10m\"\n"
        ),
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} --config {}", bin.display(), config.display());
    let home = dir.path().display().to_string();
    let env = [("HOME", home.as_str()), ("XDG_CONFIG_HOME", home.as_str()), ("HUNG_PW", "secret")];
    let Some(t) = Tmux::start(&command, 120, 40, &env) else { return };
    t.wait_for("4 Log", WAIT);
    t.keys(&["s"]);
    t.wait_until("the read to hang", WAIT, |s| s.contains("Connecting") || s.contains("Reading"));
    t.keys(&["?"]);
    t.wait_for("Help ·", WAIT);
    t.keys(&["x"]); // any key closes help
    t.keys(&["2"]);
    t.wait_until("help closed", WAIT, |s| !s.contains("Help ·") && s.contains("2 Directory"));
    t.keys(&["Escape"]);
    t.wait_for("cancelled; the partial read was discarded", WAIT);
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
    drop(silent);
}

/// `x` asks the runner to write the config, the runner's answer brings the flash and a reload,
/// and the engine it restarts still reaches the directory and the service.
#[test]
fn x_excludes_a_subtree_through_the_runner_and_the_reloaded_tree_marks_it() {
    let Some((t, dir)) = demo_keeping_files() else { return };
    t.wait_for("● bound", WAIT);
    t.keys(&["j", "x"]);
    t.wait_for("(saved)", WAIT);
    let screen = t.wait_until("the tree to mark it", WAIT, |s| {
        s.lines().any(|l| l.contains("o Groups") && l.contains("excluded"))
    });
    assert!(screen.contains("● bound"), "the restarted engine reaches the directory:\n{screen}");
    let config = std::fs::read_to_string(dir.path().join("adsync.toml")).unwrap();
    assert!(config.contains("subtrees = [\"ou=Groups,dc=example,dc=com\"]"), "{config}");
    // The old engine let go of the service file before the new one took it.
    t.keys(&["p"]);
    let screen = t.wait_until("the plan", WAIT, |s| s.contains("Adding ") || s.contains("ERROR"));
    assert!(!screen.contains("ERROR"), "{screen}");
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
}

/// `adsync schedule` for the same config shows in the status bar while it runs (from its
/// heartbeat), and its absence once SIGTERM stopped it.
#[test]
fn a_running_schedule_shows_in_the_status_bar_and_its_absence_after_it_stops() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("adsync.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = \"{state}\"\n[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:{closed}\"\n\
             base_dn = \"dc=example,dc=com\"\n[sync]\nfrequency = \"1h\"\n\
             [target]\nkind = \"file\"\npath = \"{service}\"\n",
            state = dir.path().join("state").display(),
            service = dir.path().join("service.json").display()
        ),
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let home = dir.path().display().to_string();
    let env = [("HOME", home.as_str()), ("XDG_CONFIG_HOME", home.as_str())];
    let Some(t) = Tmux::start(&format!("{} --config {}", bin.display(), config.display()), 120, 40, &env) else {
        return;
    };
    t.wait_for("no schedule running (1 h set)", WAIT);
    let mut schedule = std::process::Command::new(&bin)
        .args(["--config", &config.display().to_string(), "schedule"])
        .env("XDG_CONFIG_HOME", &home)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let screen = t.wait_for("schedule on, next ", WAIT);
    assert!(screen.lines().next().unwrap().contains("schedule on, next "), "{screen}");
    let term = std::process::Command::new("kill").args(["-TERM", &schedule.id().to_string()]).status().unwrap();
    assert!(term.success());
    assert!(schedule.wait().unwrap().success());
    t.wait_for("no schedule running (1 h set)", WAIT);
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
}

/// A first run as a new admin makes it: no config anywhere, so the app opens on the settings
/// form; it is filled in for the lab's slapd (and a file standing in for the service), `t`
/// passes, Ctrl-S writes the config, `s` reads the directory, and the file loads.
#[test]
fn a_first_run_fills_the_form_tests_saves_and_searches() {
    let Some(lab) = common::slapd() else { return };
    let home = tempfile::tempdir().unwrap();
    let xdg = home.path().join("xdg");
    let (home_str, xdg_str) = (home.path().display().to_string(), xdg.display().to_string());
    let env = [
        ("HOME", home_str.as_str()),
        ("XDG_CONFIG_HOME", xdg_str.as_str()),
        ("XDG_STATE_HOME", xdg_str.as_str()),
        ("ADSYNC_TEST_BIND_PW", lab.bind_pw.as_str()),
    ];
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let Some(t) = Tmux::start(&bin.display().to_string(), 120, 40, &env) else { return };
    t.wait_for("No config yet: fill in, t tests, Ctrl-S saves to ", WAIT);
    let host = lab.ldaps_uri.trim_start_matches("ldaps://").trim_end_matches('/').to_string();
    let service = home.path().join("service.json").display().to_string();
    // Rows: Source 1, Host 2, Bind 5, Password 6, Base DN 7, CA file 8, Service 19, its file 24.
    let fill = |moves: usize, text: &str| {
        for _ in 0..moves {
            t.keys(&["j"]);
        }
        t.keys(&["Enter"]);
        t.type_text(text);
        t.keys(&["Enter"]);
    };
    fill(2, &host);
    fill(3, &lab.bind_dn);
    fill(1, "env:ADSYNC_TEST_BIND_PW");
    fill(1, &lab.base_dn);
    fill(1, &lab.cacert);
    for _ in 0..11 {
        t.keys(&["j"]);
    }
    t.keys(&["Space"]);
    fill(5, &service);
    t.keys(&["t"]);
    let screen = t.wait_until("the check", WAIT, |s| s.contains("passed in") || s.contains("FAILED in"));
    assert!(screen.contains("passed in") && !screen.contains("FAIL "), "{screen}");
    t.keys(&["x"]);
    t.keys(&["C-s"]);
    t.wait_for("settings saved", WAIT);
    t.keys(&["s"]);
    t.wait_until("the directory read", Duration::from_secs(60), |s| s.contains("to sync, "));
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());

    let config = xdg.join("adsync/config.toml");
    let mode = std::fs::metadata(&config).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    assert!(std::fs::read_to_string(&config).unwrap().starts_with("# adsync configuration"));
    let check = std::process::Command::new(&bin)
        .args(["config", "check"])
        .env("XDG_CONFIG_HOME", &xdg)
        .env_remove("ADSYNC_CONFIG")
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).contains(&format!("{}: ok", config.display())));
}

/// The settings pane switches the source to a CSV file: Space on Source twice (ldap → graph →
/// csv), the file's path typed in, Ctrl-S; the saved config reads the file, and the Directory
/// pane lists its rows (line, name, address), narrowed by the filter. Then the layout is
/// switched to a header row and saved, and the rows are read by it.
#[test]
fn the_settings_switch_the_source_to_a_csv_file_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "Ann,Lee,ann@example.com,,\nBo,Li,bo@example.com,,bo2@example.com\n").unwrap();
    let config = dir.path().join("adsync.toml");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        &config,
        format!(
            "# kept\n[source]\nkind = \"ldap\"\nurl = \"ldap://127.0.0.1:{closed}\"\nbase_dn = \"DC=example,DC=com\"\n"
        ),
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("adsync");
    let command = format!("{} --config {}", bin.display(), config.display());
    let home = dir.path().display().to_string();
    let Some(t) = Tmux::start(&command, 120, 40, &[("HOME", &home), ("XDG_CONFIG_HOME", &home)]) else { return };
    t.wait_for("1 Settings", WAIT);
    t.keys(&["1", "j", "Space"]);
    t.wait_for("Tenant", WAIT);
    t.keys(&["Space"]);
    t.wait_for("‹csv›", WAIT);
    t.keys(&["j", "Enter"]);
    t.type_text(&csv.display().to_string());
    t.keys(&["Enter", "C-s"]);
    t.wait_for("settings saved", WAIT);
    let screen = t.wait_for("bo@example.com", WAIT);
    assert!(screen.contains("1  Ann Lee") && screen.contains("2  Bo Li"), "{screen}");
    t.keys(&["2", "/"]);
    t.type_text("Bo");
    t.keys(&["Enter"]);
    let screen = t.wait_for("filter: Bo", WAIT);
    assert!(!screen.contains("Ann Lee"), "the filter leaves Bo's row only:\n{screen}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("# kept\n") && text.contains("kind = \"csv\"") && !text.contains("base_dn"), "{text}");
    assert!(text.contains(&format!("path = \"{}\"", csv.display())), "{text}");

    // The export gains a header row: Layout (the row below File) switched to header, saved
    // with the columns' usual names, and the rows are read by them (Bo now on line 3).
    std::fs::write(
        &csv,
        "First Name,Last Name,Email,Aliases\nAnn,Lee,ann@example.com,\nBo,Li,bo@example.com,bo2@example.com\n",
    )
    .unwrap();
    t.keys(&["1", "j", "Space"]);
    t.wait_for("‹header›", WAIT);
    t.keys(&["C-s"]);
    t.wait_for("3  Bo Li", WAIT);
    t.keys(&["q"]);
    t.wait_until("the app to exit", WAIT, |_| t.exited());
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("layout = \"header\"") && text.contains("[source.columns]"), "{text}");
    assert!(adsync::config::Config::load(&config).is_ok(), "{text}");
}
