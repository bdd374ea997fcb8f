//! Every way a read can fail gives a one-paragraph error naming the layer and the fix,
//! a non-zero exit, and never a panic, a backtrace, a secret or a shortened result.

mod common;

use common::proxy::{CutProxy, socket_of};
use common::{Lab, Outcome, Transport, adsync, assert_clean_failure, run, write_config};

fn search_with(toml: &str, password: &str) -> Outcome {
    let (_dir, path) = write_config(toml);
    let mut cmd = adsync(&path, password);
    cmd.args(["search", "--json"]);
    run(cmd)
}

fn config(lab: &Lab, transport: Transport) -> String {
    lab.source_toml(transport)
}

#[test]
fn wrong_password_on_openldap() {
    let Some(lab) = common::slapd() else { return };
    let out = search_with(&config(&lab, Transport::Ldaps), "Wr0ng-Pa55-xyz");
    assert_clean_failure(&out, 1, "Bind: the bind DN or the password is wrong", "Wr0ng-Pa55-xyz");
    assert!(out.stdout.is_empty(), "no partial JSON on failure");
}

#[test]
fn wrong_password_on_active_directory_decodes_52e() {
    let Some(lab) = common::samba() else { return };
    let out = search_with(&config(&lab, Transport::Ldaps), "Wr0ng-Pa55-xyz");
    assert_clean_failure(&out, 1, "Bind: the password is wrong", "Wr0ng-Pa55-xyz");
    assert!(out.stderr.contains("data 52e"), "{}", out.stderr);
}

#[test]
fn disabled_bind_account_decodes_533() {
    let Some(lab) = common::samba() else { return };
    let toml = config(&lab, Transport::Ldaps).replace(&lab.bind_dn, &lab.var("DISABLED_DN"));
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "Bind: the account is disabled", &lab.bind_pw);
    assert!(out.stderr.contains("data 533") && out.stderr.contains("enable the service account"), "{}", out.stderr);
}

#[test]
fn locked_bind_account_decodes_775() {
    let Some(lab) = common::samba() else { return };
    let toml = config(&lab, Transport::Ldaps).replace(&lab.bind_dn, &lab.var("LOCKED_DN"));
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "Bind: the account is locked out", &lab.bind_pw);
    assert!(out.stderr.contains("data 775"), "{}", out.stderr);
}

#[test]
fn unknown_host_is_a_dns_error() {
    let Some(lab) = common::slapd() else { return };
    let toml = config(&lab, Transport::Ldaps).replace("127.0.0.1", "no-such-dc.invalid");
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "DNS: cannot resolve \"no-such-dc.invalid\"", &lab.bind_pw);
}

#[test]
fn closed_port_is_a_tcp_error() {
    let Some(lab) = common::slapd() else { return };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener); // the port is now closed
    let toml = config(&lab, Transport::Ldaps).replace(&lab.ldaps_uri, &format!("ldaps://127.0.0.1:{port}"));
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "TCP: 127.0.0.1", &lab.bind_pw);
    assert!(out.stderr.contains("refused"), "{}", out.stderr);
}

#[test]
fn untrusted_certificate_is_a_tls_error_naming_ca_file() {
    let Some(lab) = common::slapd() else { return };
    let toml = config(&lab, Transport::Ldaps).replace(&format!("ca_file = \"{}\"\n", lab.cacert), "");
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "TLS: the server's certificate is not signed by a trusted CA", &lab.bind_pw);
    assert!(out.stderr.contains("source.ca_file"), "{}", out.stderr);
}

#[test]
fn certificate_for_another_name_is_a_tls_error() {
    let Some(lab) = common::slapd() else { return };
    // 127.0.0.2 reaches the same loopback, but the certificate only names 127.0.0.1/localhost.
    let proxy = CutProxy::start_on("127.0.0.2:0", socket_of(&lab.ldaps_uri), u64::MAX);
    let toml = config(&lab, Transport::Ldaps).replace(&lab.ldaps_uri, &format!("ldaps://{}", proxy.addr));
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "TLS: the server's certificate is not issued for this name", &lab.bind_pw);
}

#[test]
fn ldaps_against_a_plain_ldap_port_says_so() {
    let Some(lab) = common::slapd() else { return };
    let plain = lab.uri.replace("ldap://", "ldaps://");
    let toml = config(&lab, Transport::Ldaps).replace(&lab.ldaps_uri, &plain);
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "TLS:", &lab.bind_pw);
    assert!(out.stderr.contains("ldaps:// needs the LDAPS port"), "{}", out.stderr);
}

#[test]
fn base_dn_that_does_not_exist_is_named_with_a_suggestion() {
    let Some(lab) = common::slapd() else { return };
    let toml = config(&lab, Transport::Ldaps)
        .replace(&format!("base_dn = \"{}\"", lab.base_dn), &format!("base_dn = \"ou=Nowhere,{}\"", lab.base_dn));
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "Base DN: \"ou=Nowhere,dc=example,dc=com\" does not exist", &lab.bind_pw);
    assert!(out.stderr.contains("e.g. dc=example,dc=com"), "{}", out.stderr);
}

#[test]
fn samba_base_dn_that_does_not_exist() {
    let Some(lab) = common::samba() else { return };
    let toml = config(&lab, Transport::Ldaps).replace("base_dn = \"DC=", "base_dn = \"OU=Nowhere,DC=");
    let out = search_with(&toml, &lab.bind_pw);
    assert_clean_failure(&out, 1, "Base DN:", &lab.bind_pw);
    assert!(out.stderr.contains("DC=example,DC=com"), "{}", out.stderr);
}

#[test]
fn anonymous_search_refused_by_active_directory() {
    let Some(lab) = common::samba() else { return };
    let toml = config(&lab, Transport::Ldaps)
        .replace(&format!("bind_dn = \"{}\"\n", lab.bind_dn), "")
        .replace("password_env = \"ADSYNC_TEST_BIND_PW\"\n", "");
    let out = search_with(&toml, "");
    assert_clean_failure(&out, 1, "Search: the server refuses to search without a bind", "");
    assert!(out.stderr.contains("source.bind_dn"), "{}", out.stderr);
}

#[test]
fn empty_password_is_refused_before_it_becomes_an_anonymous_bind() {
    let Some(lab) = common::samba() else { return };
    let (_dir, path) = write_config(&config(&lab, Transport::Ldaps));
    let mut cmd = adsync(&path, "");
    cmd.args(["search"]);
    let out = run(cmd);
    assert_clean_failure(&out, 1, "ADSYNC_TEST_BIND_PW", "");
}

#[test]
fn size_limit_in_the_middle_of_a_paged_read_is_an_error_not_a_short_result() {
    let Some(lab) = common::lab("LIMITED") else {
        return;
    };
    let out = search_with(&config(&lab, Transport::Ldaps), &lab.bind_pw);
    assert_clean_failure(&out, 1, "sizeLimitExceeded", &lab.bind_pw);
    assert!(out.stderr.contains("The read is incomplete, so nothing was used"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn connection_cut_mid_read_is_an_error_not_a_short_result() {
    let Some(lab) = common::slapd() else { return };
    for (transport, uri) in [(Transport::Plain, &lab.uri), (Transport::Ldaps, &lab.ldaps_uri)] {
        let proxy = CutProxy::start(socket_of(uri), 600_000);
        let scheme = if transport == Transport::Ldaps { "ldaps" } else { "ldap" };
        let toml = config(&lab, transport).replace(uri.as_str(), &format!("{scheme}://{}", proxy.addr));
        let out = search_with(&toml, &lab.bind_pw);
        assert_clean_failure(&out, 1, "Connection: lost the connection to the server on page ", &lab.bind_pw);
        assert!(out.stdout.is_empty(), "{transport:?}: a cut read printed a result");
        assert!(proxy.forwarded.load(std::sync::atomic::Ordering::Relaxed) >= 600_000);
    }
}

#[test]
fn a_server_that_never_answers_times_out_within_the_bound() {
    // A listener that accepts and then says nothing: the TLS handshake never completes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let _hold = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(2).collect();
        std::thread::sleep(std::time::Duration::from_secs(10));
        drop(conns);
    });
    let toml = format!(
        "[source]\nkind = \"ldap\"\nurl = \"ldaps://{addr}\"\nbind_dn = \"cn=x\"\npassword_env = \"ADSYNC_TEST_BIND_PW\"\n\
         base_dn = \"dc=x\"\nconnect_timeout = \"1s\"\n"
    );
    let started = std::time::Instant::now();
    let out = search_with(&toml, "pw");
    assert_clean_failure(&out, 1, "did not finish within 1s", "");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "took {:?}", started.elapsed());
}
